"""Run SPARQL queries on pyoxigraph and serialise the results (no Flask here).

:func:`execute` is the one function every query path calls: the web endpoint (directly
or inside a query worker process), the CLI and the views. It applies the protocol's
dataset (``default-graph-uri`` / ``named-graph-uri``), negotiates the result format for
the query form, enforces the row limit and returns bytes ready to send.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from ..core.errors import NotAcceptable, QueryError, ResultTooLarge
from ..core.media import BY_TYPE, GRAPH_OFFER, KIND_ALIASES, RDF_TYPES, SELECT_OFFER, format_names, short_name
from ..core.negotiation import negotiate
from ..core.vocab import PREFIXES
from ..store import serialize
from .guard import declares_dataset, query_form
from .syntax import syntax_error_message

if TYPE_CHECKING:
    import pyoxigraph as ox


@dataclass(frozen=True)
class QueryResult:
    """A serialised query result."""

    body: bytes
    media_type: str  #: without charset
    kind: str  #: "bindings", "boolean" or "graph"
    rows: int  #: solutions or triples (1 for ASK)
    #: the row limit when the result was cut to it (``truncate=True``), else None
    truncated_at: int | None = None

    @property
    def truncated(self) -> bool:
        """True when only the first :attr:`truncated_at` rows (or triples) were kept."""
        return self.truncated_at is not None


def execute(
    store: ox.Store,
    query: str,
    *,
    accept: str | None = None,
    media_type: str | None = None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    max_rows: int | None = None,
    base_iri: str | None = None,
    truncate: bool = False,
    prelude: str = "",
) -> QueryResult:
    """Run a SPARQL query and serialise its result.

    Args:
        store: an open pyoxigraph store (on disk or in memory).
        query: the query text (updates are refused: they raise QueryError).
        accept: the client's Accept header, negotiated per query form.
        media_type: an explicit result media type (e.g. from ``format=``); wins over ``accept``.
        default_graphs: protocol ``default-graph-uri`` values; when this and
            ``named_graphs`` are both empty the default graph is the union of all graphs.
        named_graphs: protocol ``named-graph-uri`` values.
        max_rows: the most solutions or triples a result may have.
        base_iri: base IRI for relative IRIs in the query.
        truncate: with more than ``max_rows`` results, keep the first ``max_rows`` and mark
            the result truncated (:attr:`QueryResult.truncated_at`; SPARQL JSON results get
            ``"truncated": true`` in their ``head``) instead of refusing it.
        prelude: text put in front of the query (``kg query``'s PREFIX lines); syntax
            errors are reported at their line and column in ``query`` itself.

    Raises:
        QueryError: syntax error (line, column, the line with a caret and what to do) or
            an evaluation error.
        NotAcceptable: no result format fits both the query form and the request.
        ResultTooLarge: more than ``max_rows`` results and ``truncate`` is False.
    """
    import pyoxigraph as ox

    kwargs: dict[str, Any] = {"base_iri": base_iri}
    if default_graphs or named_graphs:
        # The protocol dataset replaces any FROM / FROM NAMED of the query (SPARQL 1.1 Protocol §2.1.4).
        kwargs["default_graph"] = [_graph_node(g, "default-graph-uri") for g in default_graphs] or ox.DefaultGraph()
        kwargs["named_graphs"] = [_graph_node(g, "named-graph-uri") for g in named_graphs]
    elif not declares_dataset(prelude + query):
        # Without FROM / FROM NAMED the default graph is the union of all graphs; a query
        # that names its dataset gets exactly that (union mode would override its FROM).
        kwargs["use_default_graph_as_union"] = True
    try:
        result = store.query(prelude + query, **kwargs)
    except SyntaxError as exc:
        raise QueryError(syntax_error_message(query, str(exc), prelude)) from exc
    except (OSError, ValueError, TypeError) as exc:
        raise QueryError(f"query evaluation failed: {exc}") from exc

    try:
        if isinstance(result, ox.QueryBoolean):
            chosen = choose_media_type(media_type, accept, SELECT_OFFER, form="ASK")
            return QueryResult(serialize_boolean(bool(result), chosen), chosen, "boolean", 1)
        if isinstance(result, ox.QueryTriples):
            chosen = choose_media_type(media_type, accept, GRAPH_OFFER, form=query_form(query) or "CONSTRUCT")
            triples, cut = _capped(result, max_rows, "triples", truncate)
            return QueryResult(serialize_triples(triples, chosen), chosen, "graph", len(triples), cut)
        chosen = choose_media_type(media_type, accept, SELECT_OFFER, form="SELECT")
        variables = [v.value for v in result.variables]
        rows, cut = _capped(result, max_rows, "rows", truncate)
        body = serialize_bindings(variables, rows, chosen, truncated=cut is not None)
        return QueryResult(body, chosen, "bindings", len(rows), cut)
    except (OSError, ValueError) as exc:
        raise QueryError(f"query evaluation failed: {exc}") from exc


def _graph_node(iri: str, parameter: str):
    import pyoxigraph as ox

    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise QueryError(f"{parameter} {iri!r} is not an absolute IRI ({exc})") from None


def choose_media_type(media_type: str | None, accept: str | None, offer: list[str], form: str = "") -> str:
    """Return the result type: the explicit ``media_type`` if offered, else the Accept header's best.

    For a graph offer ``application/json`` in the Accept header means JSON-LD and
    ``application/xml`` RDF/XML (:data:`kg.core.media.KIND_ALIASES`).

    Raises:
        NotAcceptable: neither fits the offer (the message names the formats of ``form``).
    """
    kind = "rdf" if offer and BY_TYPE[offer[0]].kind == "rdf" else "results"
    aliases = KIND_ALIASES[kind]
    try:
        if media_type:
            return negotiate(media_type, offer, aliases=aliases)
        return negotiate(accept, offer, default=offer[0], aliases=aliases)
    except NotAcceptable:
        asked = f"format={short_name(media_type)}" if media_type else f"Accept: {accept}"
        what = f"a {form} result" if form else "this result"
        forms = "CONSTRUCT and DESCRIBE" if kind == "rdf" else "SELECT and ASK"
        raise NotAcceptable(
            f"none of the requested types ({asked}) can be produced for {what}; {forms} results come as "
            f"{', '.join(format_names(kind))} (format=…) or {', '.join(offer)} (Accept)"
        ) from None


#: Where this server offers the whole dataset (kg/web/dumps.py serves it).
DUMP_PATH = "/data/dump.nq.gz"
#: What a truncated result tells the user to do instead (the X-KG-Truncated header).
ROW_LIMIT_ADVICE = f"add LIMIT and page with OFFSET, or download the whole dataset from {DUMP_PATH}"


def row_limit_message(max_rows: int, what: str) -> str:
    """Return the message of :class:`ResultTooLarge`: the limit, how to page, and the dump."""
    return (
        f"the query returns more than {max_rows} {what}, the endpoint's limit; add LIMIT and page with OFFSET "
        f"(LIMIT {max_rows} OFFSET 0, then OFFSET {max_rows}, …), or download the whole dataset from {DUMP_PATH}"
    )


def _capped(results: Iterable, max_rows: int | None, what: str, truncate: bool = False) -> tuple[list, int | None]:
    """Return the first ``max_rows`` results and, when there were more and ``truncate``, the limit.

    Raises:
        ResultTooLarge: more than ``max_rows`` results and not ``truncate``.
    """
    if max_rows is None:
        return list(results), None
    items = list(islice(results, max_rows + 1))
    if len(items) > max_rows:
        if truncate:
            return items[:max_rows], max_rows
        raise ResultTooLarge(row_limit_message(max_rows, what))
    return items, None


# ---------------------------------------------------------------- serialisers


def _term_json(term) -> dict[str, Any]:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    return {"type": "literal", "value": str(term)}


def _term_xml(term) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{_xml_text(term.value)}</literal>"
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return f"<literal datatype={quoteattr(term.datatype.value)}>{_xml_text(term.value)}</literal>"
        return f"<literal>{_xml_text(term.value)}</literal>"
    return f"<literal>{_xml_text(str(term))}</literal>"


def _xml_text(value: str) -> str:
    # XML 1.0 cannot carry most control characters; write them as escapes users can see.
    cleaned = "".join(ch if ch in "\t\n\r" or ord(ch) >= 0x20 else f"\\u{ord(ch):04X}" for ch in value)
    return escape(cleaned)


def _term_csv(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _term_tsv(term) -> str:
    if term is None:
        return ""
    text = str(term)  # pyoxigraph prints terms in N-Triples syntax
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def serialize_bindings(variables: list[str], rows: list, media_type: str, *, truncated: bool = False) -> bytes:
    """Serialise SELECT solutions in one of :data:`RESULT_TYPES`.

    ``truncated`` adds ``"truncated": true`` to the ``head`` of SPARQL JSON results (the
    first member, so streaming parsers read it before the bindings).
    """
    if media_type == "application/sparql-results+json":
        bindings = []
        for row in rows:
            b = {}
            for v in variables:
                term = row[v]
                if term is not None:
                    b[v] = _term_json(term)
            bindings.append(b)
        head: dict[str, Any] = {"vars": variables}
        if truncated:
            head["truncated"] = True
        doc = {"head": head, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if media_type == "application/sparql-results+xml":
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>'
        ]
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head>\n<results>")
        for row in rows:
            out.append("<result>")
            for v in variables:
                term = row[v]
                if term is not None:
                    out.append(f"<binding name={quoteattr(v)}>{_term_xml(term)}</binding>")
            out.append("</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode("utf-8")
    if media_type == "text/csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_term_csv(row[v]) for v in variables])
        return buf.getvalue().encode("utf-8")
    if media_type == "text/tab-separated-values":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join(_term_tsv(row[v]) for v in variables) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise QueryError(f"cannot write SELECT results as {media_type}")


def serialize_boolean(value: bool, media_type: str) -> bytes:
    """Serialise an ASK result."""
    if media_type == "application/sparql-results+json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if media_type == "application/sparql-results+xml":
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    if media_type == "text/csv":
        return f"_askResult\r\n{'true' if value else 'false'}\r\n".encode()
    return f"?_askResult\n{'true' if value else 'false'}\n".encode()


def serialize_triples(triples: list, media_type: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise triples in one of :data:`RDF_TYPES` (TriG/N-Quads put them in the default graph)."""
    import pyoxigraph as ox

    if media_type not in RDF_TYPES:
        raise QueryError(f"cannot write RDF as {media_type}; use one of {', '.join(RDF_TYPES)}")
    name = BY_TYPE[media_type].oxigraph
    fmt = getattr(ox.RdfFormat, name)
    if fmt.supports_datasets:
        triples = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    return serialize(triples, fmt, (prefixes or PREFIXES) if name in ("TURTLE", "TRIG", "RDF_XML") else None)
