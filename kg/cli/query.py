"""``kg query``: run a SPARQL query against the store and render the result for the terminal."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import click

from ..core.errors import NotAcceptable, QueryError
from ..core.media import BY_TYPE
from ..core.vocab import shorten, sparql_prefixes
from ..query.sparql import execute
from ..store import open_store
from ._util import STORE_OPTION, read_query_argument

#: ``--format`` → result media type; "table" renders SPARQL JSON results (Turtle for graphs).
FORMATS = {
    BY_TYPE[m].name: m
    for m in (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
        "text/turtle",
        "application/n-triples",
    )
}


@click.command()
@click.argument("query")
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", *FORMATS]), default="table", show_default=True)
def query(query: str, store_path: Path, fmt: str) -> None:
    """Run a SPARQL query: the text, @file.rq, or - for standard input.

    Common prefixes (dsr, rdfs, skos, oa, dcterms, owl, wd …) are predeclared. The
    default graph is the union of all graphs.
    """
    click.echo(run_query(store_path, read_query_argument(query), fmt), nl=False)


def run_query(store_path: str | Path, text: str, fmt: str = "table") -> str:
    """Run ``text`` (common prefixes predeclared) and return it rendered as ``fmt``.

    The query runs through :func:`kg.query.sparql.execute`, like the endpoint's: same dataset
    rules (union default graph unless the query has FROM), same serialisers.

    Raises:
        QueryError: syntax error, or a format that does not fit the query form.
    """
    import pyoxigraph as ox

    store = open_store(store_path, read_only=True)
    prelude = sparql_prefixes()  # syntax errors are reported in the user's lines, not these
    if fmt != "table":
        try:
            result = execute(store, text, media_type=FORMATS[fmt], prelude=prelude)
        except NotAcceptable:
            raise QueryError(
                f"--format {fmt} does not fit this query: use table, json, csv, tsv or xml for SELECT and ASK, "
                "table, turtle or ntriples for CONSTRUCT and DESCRIBE"
            ) from None
        body = result.body.decode("utf-8")
        return body if body.endswith("\n") else body + "\n"
    result = execute(store, text, accept="application/sparql-results+json, text/turtle;q=0.9", prelude=prelude)
    if result.kind == "graph":
        return result.body.decode("utf-8")
    parsed = ox.parse_query_results(result.body, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return ("true" if bool(parsed) else "false") + "\n"
    return render_table(parsed)


def _short(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        short = shorten(term.value)
        return short if short != term.value else f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, limit: int) -> str:
    text = text.replace("\n", " ")
    if _width(text) <= limit:
        return text
    out, w = "", 0
    for ch in text:
        cw = _width(ch)
        if w + cw > limit - 1:
            break
        out, w = out + ch, w + cw
    return out + "…"


def render_table(solutions, max_cell: int = 60) -> str:
    """Render SELECT solutions as an aligned text table (wide characters count double)."""
    names = [v.value for v in solutions.variables]
    rows = [[_fit(_short(row[n]), max_cell) for n in names] for row in solutions]
    widths = [max([_width(n)] + [_width(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return " | ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()

    out = [line(names), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
