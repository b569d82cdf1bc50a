"""``kg compare DOC_A DOC_B``: entities, clauses, commitments and policy areas shared and unique."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..analysis.compare import DEFAULT_THRESHOLD
from ._util import BASE_OPTION, STORE_OPTION


@click.command()
@click.argument("doc_a")
@click.argument("doc_b")
@STORE_OPTION
@BASE_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="A clause of B is new when its best Jaccard with any clause of A is below this.",
)
@click.option(
    "--limit",
    type=int,
    default=50,
    show_default=True,
    help="Rows shown per entity or commitment section (json lists all).",
)
def compare(doc_a: str, doc_b: str, store_path: Path, base: str, fmt: str, threshold: float, limit: int) -> None:
    """Compare two documents: shared and unique entities, what B's clauses add to A, and the
    commitments (action · policy area pairs) and policy areas both, only A or only B make.

    DOC_A and DOC_B are document slugs (file name without extension, e.g.
    000_bf54f53887da828b), file names, or document IRIs.
    """
    from ..analysis.compare import compare_documents, render_table
    from ..query.engines import LocalEngine

    engine = LocalEngine(store_path, in_memory=False, max_rows=None)
    try:
        comparison = compare_documents(engine, doc_a, doc_b, threshold=threshold, base=base)
    finally:
        engine.close()
    if fmt == "json":
        click.echo(json.dumps(comparison.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_table(comparison, limit=limit), nl=False)
