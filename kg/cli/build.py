"""``kg build``: build documents into the store, or into N-Quads shards; locally or on a Dask cluster."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._util import BASE_OPTION, STORE_OPTION


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@STORE_OPTION
@BASE_OPTION
@click.option("--force", is_flag=True, help="Rebuild documents even when their files are unchanged.")
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes (default: number of cores).")
@click.option(
    "--emit-nquads",
    "emit_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write gzip N-Quads shards and DIR/manifest.json instead of the store (load them with `kg load DIR`).",
)
@click.option(
    "--shard-documents",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="With --emit-nquads: at most this many documents per shard.",
)
@click.option(
    "--cluster",
    default=None,
    metavar="ADDR",
    help="Extract on a Dask cluster: a scheduler address (tcp://HOST:PORT) or local:N (N local worker processes).",
)
@click.option(
    "--annotation-context",
    is_flag=True,
    help="Also write each mention's oa:prefix, oa:suffix and oa:motivatedBy (3 more triples per mention).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def build(
    paths: tuple[Path, ...],
    store_path: Path,
    base: str,
    force: bool,
    jobs: int | None,
    emit_dir: Path | None,
    shard_documents: int,
    cluster: str | None,
    annotation_context: bool,
    quiet: bool,
) -> None:
    """Build documents (files or folders; default source/) into the store.

    Each document replaces its own named graph atomically; unchanged files are skipped;
    a bad file is reported and the others are still built. With --emit-nquads DIR the
    documents go into gzip N-Quads shards instead (no store), with --cluster onto the
    workers of a Dask cluster (see docs/scaling.md).
    """
    import contextlib

    from ..build import build as run_build
    from ..build import default_jobs

    sources = paths or (Path("source"),)
    jobs = jobs or default_jobs()
    with contextlib.ExitStack() as stack:
        client = None
        if cluster:
            from ..build.cluster import connect

            client = stack.enter_context(connect(cluster))
        if emit_dir is not None:
            from ..build.shards import emit_nquads

            runner = None
            if client is not None:
                from ..build.cluster import cluster_shard_runner

                runner = cluster_shard_runner(client)
            report = emit_nquads(
                sources,
                emit_dir,
                base=base,
                force=force,
                jobs=jobs,
                shard_documents=shard_documents,
                annotation_context=annotation_context,
                progress=not quiet,
                runner=runner,
            )
        else:
            results = None
            if client is not None:
                from ..build.cluster import cluster_results

                results = cluster_results(client)
            report = run_build(
                sources,
                store_path,
                base=base,
                force=force,
                jobs=jobs,
                progress=not quiet,
                annotation_context=annotation_context,
                results=results,
            )
    for path, warning in report.warnings:
        click.echo(f"warning: {path}: {warning}", err=True)
    for _path, message in report.refused:
        click.echo(f"error: {message}", err=True)
    click.echo(report.summary())
    if report.refused:
        sys.exit(1)
