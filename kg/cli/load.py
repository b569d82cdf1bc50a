"""``kg load``: import an RDF file into a named graph."""

from __future__ import annotations

from pathlib import Path

import click

from ._util import STORE_OPTION


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--graph", default=None, help="Named graph IRI (default: the file's file: IRI; datasets keep theirs).")
@STORE_OPTION
def load(file: Path, graph: str | None, store_path: Path) -> None:
    """Import an RDF file (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) into a named graph."""
    from ..store import flush, load_rdf_file, open_store

    store = open_store(store_path)
    target, count = load_rdf_file(store, file, graph)
    flush(store)
    click.echo(f"loaded {count} statements from {file} into {target}")
