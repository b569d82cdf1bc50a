"""``kg lexicon candidates``: the names found outside the lexicon, ready to review and merge."""

from __future__ import annotations

from pathlib import Path

import click

from ._util import STORE_OPTION


@click.group()
def lexicon() -> None:
    """Work on the lexicon (ontology/lexicon/) from what the builder found."""


@lexicon.command()
@STORE_OPTION
@click.option(
    "--min-count",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Only names mentioned at least this often.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "turtle"]), default="table", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def candidates(store_path: Path, min_count: int, fmt: str, output: Path | None) -> None:
    """List organisations, government bodies and events found outside the lexicon.

    Shows how often each is mentioned, in which documents, by which name rule, and one
    sentence it occurs in; --format turtle writes them as lexicon entries (dsr:inLexicon
    false names keep their IRIs) to review, complete and merge into ontology/lexicon/.
    列出词表之外发现的组织、政府机构和活动（次数、文件、规则、上下文），可输出为词表 Turtle。
    """
    from ..analysis.candidates import candidates_csv, candidates_table, candidates_turtle, lexicon_candidates
    from ..core.errors import OutputError
    from ..query.engines import LocalEngine

    engine = LocalEngine(store_path, in_memory=False, max_rows=None)
    try:
        items = lexicon_candidates(engine, min_count)
    finally:
        engine.close()
    text = {"table": candidates_table, "csv": candidates_csv, "turtle": candidates_turtle}[fmt](items)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{output}: cannot write the candidates ({exc.strerror}); choose another -o") from exc
    click.echo(f"{len(items)} names written to {output}")
