"""``kg load``: bulk-load RDF files, or a folder of shards, into the store."""

from __future__ import annotations

from pathlib import Path

import click

from ._util import STORE_OPTION


@click.command()
@click.argument("source", metavar="FILE|DIR", type=click.Path(path_type=Path))
@click.option("--graph", default=None, help="Named graph IRI (default: the file's file: IRI; datasets keep theirs).")
@click.option(
    "--threads",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel bulk loads for N-Triples/N-Quads and shards (default: number of cores).",
)
@click.option(
    "--force", is_flag=True, help="Shard folders: load shards even when the store holds their documents unchanged."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@STORE_OPTION
def load(source: Path, graph: str | None, threads: int | None, force: bool, quiet: bool, store_path: Path) -> None:
    """Bulk-load RDF into the store: a file, a folder of shards, or a folder of RDF files.

    FILE: N-Triples, N-Quads, Turtle, TriG, JSON-LD, RDF/XML or N3, each also gzipped
    (.nt.gz …). A triples file replaces the graph --graph (default: its file: IRI); a
    dataset file (N-Quads, TriG) replaces each graph it names. DIR: the shards and
    manifest.json of `kg build --emit-nquads DIR` (unchanged documents are skipped), or
    every RDF file in it. Each target graph is replaced atomically: if loading fails,
    its previous content is restored.
    """
    from ..core.errors import StoreError
    from ..store import flush, load_rdf_file, open_store
    from ..store.shards import load_directory

    if not source.exists():
        raise StoreError(f"{source}: no such file or folder")
    store = open_store(store_path)
    if source.is_dir():
        if graph:
            raise click.UsageError("--graph applies to a single file, not to a folder")
        summary, _n, _s = load_directory(store, source, threads=threads, force=force, progress=not quiet)
        click.echo(summary)
        return
    import time

    started = time.perf_counter()
    target, count = load_rdf_file(store, source, graph, threads=threads, progress=not quiet)
    flush(store)
    seconds = time.perf_counter() - started
    rate = f" ({count / seconds:,.0f} statements/s)" if seconds > 0 and count else ""
    click.echo(f"loaded {count} statements from {source} into {target} in {seconds:.2f} s{rate}")
