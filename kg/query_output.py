"""Run a SPARQL query against the store and render the result for the terminal or a file."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from .errors import QueryError
from .namespaces import PREFIXES, sparql_prefixes
from .store import open_store

_SELECT_FORMATS = {"json": "JSON", "csv": "CSV", "tsv": "TSV", "xml": "XML"}
_GRAPH_FORMATS = {"turtle": "TURTLE", "ntriples": "N_TRIPLES"}


def run_query(store_path: str | Path, text: str, fmt: str = "table") -> str:
    """Run ``text`` over the union of all graphs and return it rendered as ``fmt``.

    Raises:
        QueryError: syntax error, or a format that does not fit the query form.
    """
    import pyoxigraph as ox

    store = open_store(store_path, read_only=True)
    try:
        result = store.query(sparql_prefixes() + text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):
        if fmt in _SELECT_FORMATS:
            return result.serialize(format=getattr(ox.QueryResultsFormat, _SELECT_FORMATS[fmt])).decode() + "\n"
        return ("true" if bool(result) else "false") + "\n"
    if isinstance(result, ox.QueryTriples):
        name = _GRAPH_FORMATS.get(fmt, "TURTLE")
        if fmt not in _GRAPH_FORMATS and fmt != "table":
            raise QueryError(f"--format {fmt} is for SELECT/ASK; use turtle or ntriples for CONSTRUCT/DESCRIBE")
        return ox.serialize(list(result), format=getattr(ox.RdfFormat, name), prefixes=PREFIXES).decode()
    if fmt in _GRAPH_FORMATS:
        raise QueryError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; use table, json, csv, tsv or xml for SELECT")
    if fmt in _SELECT_FORMATS:
        return result.serialize(format=getattr(ox.QueryResultsFormat, _SELECT_FORMATS[fmt])).decode()
    return render_table(result)


def _short(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, iri in PREFIXES.items():
            if term.value.startswith(iri):
                return f"{prefix}:{term.value[len(iri):]}"
        return f"<{term.value}>"
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


def to_json(solutions) -> str:
    """Serialise solutions as SPARQL 1.1 JSON results."""
    import pyoxigraph as ox

    return json.dumps(json.loads(solutions.serialize(format=ox.QueryResultsFormat.JSON)), ensure_ascii=False)
