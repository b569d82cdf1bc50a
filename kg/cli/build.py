"""``kg build``: build documents into the store."""

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
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def build(paths: tuple[Path, ...], store_path: Path, base: str, force: bool, jobs: int | None, quiet: bool) -> None:
    """Build documents (files or folders; default source/) into the store.

    Each document replaces its own named graph atomically; unchanged files are skipped;
    a bad file is reported and the others are still built.
    """
    from ..build import build as run_build
    from ..build import default_jobs

    report = run_build(
        paths or (Path("source"),),
        store_path,
        base=base,
        force=force,
        jobs=jobs or default_jobs(),
        progress=not quiet,
    )
    for path, warning in report.warnings:
        click.echo(f"warning: {path}: {warning}", err=True)
    for _path, message in report.refused:
        click.echo(f"error: {message}", err=True)
    click.echo(report.summary())
    if report.refused:
        sys.exit(1)
