"""``kg validate``: SHACL validation of the built graph."""

from __future__ import annotations

from pathlib import Path

import click

from ._util import STORE_OPTION


@click.command()
@STORE_OPTION
@click.option("--document", "documents", multiple=True, help="Validate only this document IRI (repeatable).")
@click.option("--verbose", "-v", is_flag=True, help="Print the full SHACL report.")
def validate(store_path: Path, documents: tuple[str, ...], verbose: bool) -> None:
    """Validate the graph against the SHACL shapes (ontology/shapes.ttl); exit 1 on violations."""
    from ..store import open_store, validate_store

    store = open_store(store_path, read_only=True)
    report = validate_store(store, list(documents) or None)
    if report.conforms:
        click.echo(f"conforms: {report.triples} triples checked against ontology/shapes.ttl")
        return
    click.echo(report.text if verbose else report.text[:4000], err=True)
    raise click.ClickException(f"{report.violations} SHACL violation(s) in {report.triples} triples")
