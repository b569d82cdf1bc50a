"""When each node and edge of a view first appears: the dates of the documents that mention it.

A document's date is its ``dcterms:issued`` (``xsd:date``, ``xsd:gYearMonth`` or
``xsd:gYear``, as the ontology contract says; a ``gYearMonth`` counts from the first day
of its month, a ``gYear`` from 1 January). A document without one falls back to the date
it was built into the graph (``prov:endedAtTime`` of its ``dsr:BuildActivity``): it then
enters the timeline when it entered the graph, after the dated documents of a corpus
that is being collected, and the view says how many documents were dated that way
(``G.graph["undated_documents"]``). A document with neither has no date, and what only it
mentions has no spell (always present, as the GEXF format reads an element without one).

:func:`add_first_dates` writes ``first_date`` (``YYYY-MM-DD``) on every node and edge
it can date:

* a document: its date; a clause: its document's date;
* an entity: the earliest date of the documents whose clauses mention it, or that it
  signed;
* an edge: the earliest date of the documents its evidence comes from (the clauses or
  sentences an edge lists), else the later of its two ends (a clause–entity or
  country–document edge appears with its clause or document).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.iris import is_safe_iri

if TYPE_CHECKING:
    import networkx as nx

    from ..query.engines import QueryEngine

_XSD = "http://www.w3.org/2001/XMLSchema#"
_VALUES_CHUNK = 400
_REF = re.compile(r"^([^#]+)#")


@dataclass(frozen=True)
class DocumentDate:
    """The date a document enters the timeline, and where it comes from."""

    iri: str
    date: str | None  #: YYYY-MM-DD
    source: str  #: "issued", "built" or "none"


def normalise_date(value: str, datatype: str = "") -> str | None:
    """Return ``YYYY-MM-DD`` for an ``xsd:date``, ``gYearMonth`` or ``gYear`` value (None if it is none)."""
    text = value.strip()
    m = re.match(r"^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?", text)
    if not m:
        return None
    kind = datatype[len(_XSD) :] if datatype.startswith(_XSD) else ""
    year, month, day = m.group(1), m.group(2), m.group(3)
    if kind == "gYear" or month is None:
        return f"{year}-01-01"
    if kind == "gYearMonth" or day is None:
        return f"{year}-{month}-01"
    return f"{year}-{month}-{day}"


def document_dates(engine: QueryEngine) -> dict[str, DocumentDate]:
    """Return every document's date (``dcterms:issued``, else its build date)."""
    rows = engine.select(
        """SELECT ?d (MIN(STR(?issued)) AS ?i) (SAMPLE(DATATYPE(?issued)) AS ?dt) (MIN(STR(?built)) AS ?b) WHERE {
  ?d a dsr:Document .
  OPTIONAL { ?d dcterms:issued ?issued }
  OPTIONAL { ?d prov:wasGeneratedBy ?act . ?act prov:endedAtTime ?built }
} GROUP BY ?d"""
    )
    out: dict[str, DocumentDate] = {}
    for r in rows:
        iri = _value(r.get("d"))
        if not iri:
            continue
        issued = normalise_date(_value(r.get("i")) or "", _value(r.get("dt")) or "")
        if issued:
            out[iri] = DocumentDate(iri, issued, "issued")
            continue
        built = normalise_date(_value(r.get("b")) or "")
        out[iri] = DocumentDate(iri, built, "built" if built else "none")
    return out


def add_first_dates(engine: QueryEngine, G: nx.Graph) -> dict[str, DocumentDate]:
    """Write ``first_date`` on the nodes and edges of view ``G`` (in place); return the document dates.

    ``G.graph`` gets ``dated_documents`` (with ``dcterms:issued``), ``undated_documents``
    (placed at their build date) and ``timeline`` (``first..last`` date).
    """
    dates = document_dates(engine)
    by_slug = {_slug(iri): d for iri, d in dates.items()}
    first: dict[str, str] = {}
    entities = []
    for node, data in G.nodes(data=True):
        kind = data.get("type")
        if kind == "Document":
            _set(first, node, dates.get(node))
        elif kind == "Clause":
            _set(first, node, dates.get(str(data.get("document", ""))))
        else:
            entities.append(node)
    for entity, docs in _entity_documents(engine, entities).items():
        for doc in docs:
            _set(first, entity, dates.get(doc))
    for node, day in first.items():
        G.nodes[node]["first_date"] = day
    for u, v, data in G.edges(data=True):
        refs = [r for key in ("clauses", "sentences") for r in str(data.get(key, "")).split(";") if r]
        days = [d.date for r in refs if (m := _REF.match(r)) and (d := by_slug.get(m.group(1))) and d.date]
        if not days:
            ends = [first.get(u), first.get(v)]
            days = [max(e for e in ends if e)] if any(ends) else []
        if days:
            data["first_date"] = min(days)
    known = sorted(d.date for d in dates.values() if d.date)
    G.graph["dated_documents"] = sum(1 for d in dates.values() if d.source == "issued")
    G.graph["undated_documents"] = sum(1 for d in dates.values() if d.source != "issued")
    G.graph["timeline"] = f"{known[0]}..{known[-1]}" if known else ""
    return dates


def _set(first: dict[str, str], node: str, doc: DocumentDate | None) -> None:
    if doc is not None and doc.date and (node not in first or doc.date < first[node]):
        first[node] = doc.date


def _entity_documents(engine: QueryEngine, entities: Iterable[str]) -> dict[str, set[str]]:
    """Entity IRI → the documents whose clauses mention it or that it signed."""
    iris = sorted(e for e in entities if is_safe_iri(e))
    out: dict[str, set[str]] = {}
    for i in range(0, len(iris), _VALUES_CHUNK):
        values = " ".join(f"<{e}>" for e in iris[i : i + _VALUES_CHUNK])
        rows = engine.select(
            f"""SELECT DISTINCT ?e ?d WHERE {{
  VALUES ?e {{ {values} }}
  {{ ?c dsr:mentions ?e ; dcterms:isPartOf ?d . }} UNION {{ ?d dsr:signatory ?e . }}
  ?d a dsr:Document .
}}"""
        )
        for r in rows:
            e, d = _value(r.get("e")), _value(r.get("d"))
            if e and d:
                out.setdefault(e, set()).add(d)
    return out


def _slug(iri: str) -> str:
    return iri.rsplit("/document/", 1)[-1] if "/document/" in iri else iri.rsplit("/", 1)[-1]


def _value(term: Any) -> str | None:
    if term is None:
        return None
    return getattr(term, "value", None) or str(term)
