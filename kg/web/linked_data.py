"""Linked data at ``/id/…``: every instance IRI dereferences, to an HTML page for browsers
and to its description in RDF by Accept. Every number and label comes through the engine."""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, Response, make_response, render_template, url_for

from ..core.errors import NotFound
from ..core.iris import is_safe_iri
from ..core.media import RDF_TYPES
from ..core.vocab import DCTERMS, DSR, ENTITY_TYPES, OWL, RDF, RDFS, SKOS, shorten
from ..query.sparql import serialize_triples
from .context import base_iri, get_engine
from .dataset import int_value
from .html import Span, highlight
from .links import href
from .representation import LD_OFFER, cacheable, negotiate_representation

bp = Blueprint("linked_data", __name__)

_DSR = str(DSR)
RDF_TYPE = str(RDF.type)


def _iri(value: str) -> str:
    if not is_safe_iri(value):
        raise NotFound(f"no resource {value!r}")
    return f"<{value}>"


@bp.route("/id/<path:rest>")
def resource(rest: str) -> Response:
    """Dereference ``<BASE_IRI><rest>``: HTML for browsers, its description in RDF by Accept."""
    iri = base_iri() + rest
    moved = _replacement(iri)
    if moved is not None:
        return moved
    chosen = negotiate_representation(None, LD_OFFER)
    engine = get_engine()
    if chosen != "text/html":
        triples = describe_triples(iri)
        if not triples:
            return _redirect_or_404(rest, iri)
        body = serialize_triples(sorted(triples, key=str), chosen)
        response = make_response(body)
        response.headers["Content-Type"] = f"{chosen}; charset=utf-8"
        response.headers["Link"] = f'<{iri}>; rel="describes"'
        return cacheable(response)
    rows = engine.select(f"SELECT DISTINCT ?p ?o WHERE {{ {_iri(iri)} ?p ?o }}")
    if not rows:
        return _redirect_or_404(rest, iri)
    context = resource_context(iri, rows)
    response = make_response(render_template("resource.html", **context))
    return cacheable(response)


def canonical_rest(rest: str) -> str | None:
    """Return the canonical ``/id/`` path of a variant that does not exist itself, or None.

    Type segments are lower case and keys have one canonical case (``country/CN`` — the
    ISO 3166 alpha-2 code as ISO writes it —, ``technology/5g``): a case variant
    (``country/cn``, ``Country/Cn``, ``technology/5G``) names the same thing, and so does
    a country's alpha-3 code (``country/chn``). Only paths whose canonical resource exists
    are redirected.
    """
    engine = get_engine()
    kind, sep, key = rest.partition("/")
    kind = kind.lower()
    candidates = [c for c in dict.fromkeys(f"{kind}{sep}{k}" for k in (key, key.upper(), key.lower())) if c != rest]
    if kind == ENTITY_TYPES["Country"] and len(key) == 3 and key.isalpha():
        for row in engine.select(
            f'SELECT ?c WHERE {{ ?c dsr:iso3166Alpha3 ?code FILTER(UCASE(STR(?code)) = "{key.upper()}") }} LIMIT 1'
        ):
            found = row["c"].value
            if found.startswith(base_iri()):
                candidates.append(found[len(base_iri()) :])
    for candidate in candidates:
        if engine.select(f"SELECT ?p WHERE {{ {_iri(base_iri() + candidate)} ?p ?o }} LIMIT 1"):
            return candidate
    return None


def _replacement(iri: str) -> Response | None:
    """301 to the replacement of a deprecated IRI (``dcterms:isReplacedBy`` in the lexicon), else None.

    Entity IRIs are public: a corrected one (``organisation/wsis`` became ``event/wsis``)
    keeps answering, for links and queries made before the correction.
    """
    if not is_safe_iri(iri):
        return None
    rows = get_engine().select(f"SELECT ?r WHERE {{ {_iri(iri)} dcterms:isReplacedBy ?r }} LIMIT 1")
    target = rows[0]["r"].value if rows else ""
    if not target.startswith(base_iri()):
        return None
    return _moved(target[len(base_iri()) :])


def _redirect_or_404(rest: str, iri: str) -> Response:
    """301 to the canonical IRI's page when ``rest`` is a variant of it; else 404."""
    target = canonical_rest(rest) if is_safe_iri(iri) else None
    if target is None:
        raise NotFound(f"no resource <{iri}> in this graph")
    return _moved(target)


def _moved(target: str) -> Response:
    """301 to ``/id/<target>``, keeping the query parameters (``?format=``).

    301 (Moved Permanently), not 303: a case variant or a corrected IRI does not name
    another thing that the target describes (the 303 of httpRange-14); clients and caches
    may replace it for good. ``Vary: Accept`` because the target negotiates.
    """
    from flask import redirect, request

    location = url_for("linked_data.resource", rest=target)
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    response = cast(Response, redirect(location, code=301))
    response.headers["Link"] = f'<{base_iri() + target}>; rel="canonical"'
    response.vary.add("Accept")
    return response


def describe_triples(iri: str) -> list:
    """Return the concise bounded description of ``iri``: its outgoing triples, and for a
    clause the Web Annotation structures that point into it (annotation, target, selectors)."""
    node = _iri(iri)
    return get_engine().construct(
        f"""CONSTRUCT {{ {node} ?p ?o . ?a ?ap ?ao . ?t ?tp ?to . ?sel ?sp ?so . }} WHERE {{
             {{ {node} ?p ?o }}
             UNION {{ ?t oa:hasSource {node} . ?a oa:hasTarget ?t . ?a ?ap ?ao }}
             UNION {{ ?t oa:hasSource {node} . ?t ?tp ?to }}
             UNION {{ ?t oa:hasSource {node} ; oa:hasSelector ?sel . ?sel ?sp ?so }}
           }}"""
    )


def _labels(iris: list[str]) -> dict[str, dict[str, str]]:
    """Return ``{iri: {"zh": …, "en": …, "type": Country|…}}`` for the given IRIs."""
    iris = sorted({i for i in iris if i})
    out: dict[str, dict[str, str]] = {i: {} for i in iris}
    for chunk in range(0, len(iris), 200):
        values = " ".join(_iri(i) for i in iris[chunk : chunk + 200])
        for row in get_engine().select(
            f"""SELECT ?s ?l ?t WHERE {{ VALUES ?s {{ {values} }}
                 {{ ?s rdfs:label ?l }} UNION {{ ?s dcterms:title ?l }}
                 UNION {{ ?s a dsr:Commitment ; dsr:action/rdfs:label ?l }} UNION {{ ?s a ?t
                    VALUES ?t {{ dsr:Country dsr:Organisation dsr:Technology dsr:Sector dsr:GovernmentBody dsr:Event
                                dsr:Place dsr:DocumentKind dsr:Document dsr:Clause dsr:Sentence }} }} }}"""
        ):
            entry = out[row["s"].value]
            if row.get("l") is not None:
                lang = row["l"].language or "und"
                entry.setdefault(lang[:2], row["l"].value)
            if row.get("t") is not None:
                entry["type"] = row["t"].value.rsplit("#", 1)[-1]
    return out


def _display(entry: dict[str, str], fallback: str) -> str:
    zh, en = entry.get("zh"), entry.get("en")
    if zh and en and zh != en:
        return f"{zh} / {en}"
    return zh or en or entry.get("un") or fallback


def _short(iri: str) -> str:
    return shorten(iri)


def _term_view(term, labels: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """Describe an object term for the property table."""
    import pyoxigraph as ox  # only for isinstance checks on engine results

    if isinstance(term, ox.NamedNode):
        label = _display((labels or {}).get(term.value, {}), "")
        return {
            "iri": term.value,
            "href": href(term.value),
            "short": _short(term.value),
            "label": label,
        }
    if isinstance(term, ox.Literal):
        return {
            "literal": term.value,
            "lang": term.language or "",
            "datatype": _short(term.datatype.value) if not term.language else "",
        }
    return {"literal": str(term), "lang": "", "datatype": ""}


def resource_context(iri: str, rows: list[dict]) -> dict[str, Any]:
    """Collect what the HTML page of ``iri`` shows."""
    import pyoxigraph as ox

    objects = [r["o"].value for r in rows if isinstance(r["o"], ox.NamedNode)]
    labels = _labels([iri, *objects])
    types = sorted({r["o"].value for r in rows if r["p"].value == RDF_TYPE})
    me = labels.get(iri, {})
    by_prop: dict[str, list] = {}
    for r in sorted(rows, key=lambda r: (r["p"].value, str(r["o"]))):
        by_prop.setdefault(r["p"].value, []).append(_term_view(r["o"], labels))
    properties = [{"iri": p, "short": _short(p), "objects": v} for p, v in by_prop.items()]

    def values(prop: str, lang: str | None = None) -> list[str]:
        return [
            r["o"].value
            for r in rows
            if r["p"].value == prop
            and (lang is None or (isinstance(r["o"], ox.Literal) and (r["o"].language or "")[:2] == lang))
        ]

    kind = "resource"
    for cls, name in ((_DSR + "Document", "document"), (_DSR + "Clause", "clause"), (_DSR + "Sentence", "sentence")):
        if cls in types:
            kind = name
    if any(_DSR + t in types for t in ENTITY_TYPES):
        kind = "entity"
    ctx: dict[str, Any] = {
        "iri": iri,
        "kind": kind,
        "title": _display(me, _short(iri)),
        "label_zh": me.get("zh", ""),
        "label_en": me.get("en", ""),
        "alt_labels": sorted(set(values(str(SKOS.altLabel)))),
        "types": [{"iri": t, "short": _short(t), "href": _class_href(t)} for t in types],
        "same_as": [_external(v) for v in values(str(OWL.sameAs))],
        "see_also": [_external(v) for v in values(str(RDFS.seeAlso))],
        "properties": properties,
        "formats": [(RDF_TYPES[m][0], m) for m in LD_OFFER if m in RDF_TYPES],
        "sparql_describe": f"DESCRIBE <{iri}>",
    }
    if kind == "entity":
        ctx.update(_entity_context(iri, me))
    elif kind == "document":
        ctx.update(_document_context(iri))
    elif kind == "clause":
        ctx.update(_clause_context(iri, rows))
    elif kind == "sentence":
        ctx.update(_sentence_context(iri, rows))
    return ctx


def _class_href(cls: str) -> str | None:
    if cls.startswith(_DSR):
        return url_for("metadata.ontology") + "#" + cls[len(_DSR) :]
    return href(cls)


def _external(iri: str) -> dict[str, str | None]:
    """An owl:sameAs / rdfs:seeAlso value: the IRI, its short form and where it may link."""
    return {"iri": iri, "href": href(iri), "short": iri.replace("http://www.wikidata.org/entity/", "wd:")}


def _link(iri: str, labels: dict[str, dict[str, str]]) -> dict[str, str | None]:
    entry = labels.get(iri, {})
    return {
        "iri": iri,
        "href": href(iri),
        "label": _display(entry, _short(iri)),
        "type": entry.get("type", ""),
    }


def _entity_context(iri: str, me: dict[str, str]) -> dict[str, Any]:
    engine = get_engine()
    node = _iri(iri)
    broader = [r["b"].value for r in engine.select(f"SELECT DISTINCT ?b WHERE {{ {node} skos:broader ?b }}")]
    narrower = [r["n"].value for r in engine.select(f"SELECT DISTINCT ?n WHERE {{ ?n skos:broader {node} }}")]
    mention_rows = engine.select(
        f"""SELECT DISTINCT ?clause ?num ?doc ?text ?start ?end WHERE {{
              ?a oa:hasBody {node} ; oa:hasTarget ?t . ?t oa:hasSource ?clause ; oa:hasSelector ?sel .
              ?sel oa:start ?start ; oa:end ?end .
              ?clause dsr:text ?text ; dsr:clauseNumber ?num ; dcterms:isPartOf ?doc }}
            ORDER BY ?doc ?num ?start"""
    )
    related_rows = engine.select(
        f"""SELECT ?other (COUNT(DISTINCT ?c) AS ?n) WHERE {{
              ?c dsr:mentions {node}, ?other . FILTER(?other != {node}) }}
            GROUP BY ?other ORDER BY DESC(?n) ?other LIMIT 60"""
    )
    signed = [
        r["d"].value for r in engine.select(f"SELECT DISTINCT ?d WHERE {{ ?d dsr:signatory {node} }} ORDER BY ?d")
    ]
    docs = sorted({r["doc"].value for r in mention_rows})
    labels = _labels(broader + narrower + [r["other"].value for r in related_rows] + docs + signed)
    label = _display(me, _short(iri))
    etype = me.get("type", "")
    clauses: dict[str, dict[str, Any]] = {}
    for r in mention_rows:
        c = r["clause"].value
        entry = clauses.setdefault(
            c,
            {
                "iri": c,
                "href": href(c),
                "number": int(r["num"].value),
                "doc": _link(r["doc"].value, labels),
                "text": r["text"].value,
                "spans": [],
            },
        )
        entry["spans"].append(Span(int(r["start"].value), int(r["end"].value), iri, label, etype or "Entity"))
    mentions = []
    for entry in clauses.values():
        entry["html"] = highlight(entry["text"], entry.pop("spans"))
        mentions.append(entry)
    return {
        "broader": [_link(b, labels) for b in broader],
        "narrower": [_link(n, labels) for n in narrower],
        "mention_clauses": mentions,
        "mention_count": len(mention_rows),
        "related": [{**_link(r["other"].value, labels), "count": int_value(r, "n")} for r in related_rows],
        "signed": [_link(d, labels) for d in signed],
        "entity_type": etype,
    }


def _document_context(iri: str) -> dict[str, Any]:
    engine = get_engine()
    node = _iri(iri)
    clause_rows = engine.select(
        f"""SELECT ?c ?num (SAMPLE(?h) AS ?heading) (COUNT(DISTINCT ?a) AS ?mentions) WHERE {{
              {node} dsr:hasClause ?c . ?c dsr:clauseNumber ?num .
              OPTIONAL {{ ?c dsr:heading ?h }}
              OPTIONAL {{ ?t oa:hasSource ?c . ?a oa:hasTarget ?t }} }}
            GROUP BY ?c ?num ORDER BY ?num"""
    )
    signatories = [r["s"].value for r in engine.select(f"SELECT DISTINCT ?s WHERE {{ {node} dsr:signatory ?s }}")]
    wikidata = {
        r["s"].value: r["w"].value
        for r in engine.select(
            f"""SELECT ?s (SAMPLE(?x) AS ?w) WHERE {{ {node} dsr:signatory ?s . ?s owl:sameAs ?x
                 FILTER(STRSTARTS(STR(?x), "http://www.wikidata.org/entity/")) }} GROUP BY ?s"""
        )
    }
    entity_rows = engine.select(
        f"""SELECT ?e (COUNT(DISTINCT ?c) AS ?n) WHERE {{ {node} dsr:hasClause ?c . ?c dsr:mentions ?e }}
            GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 40"""
    )
    meta_rows = engine.select(
        f"""SELECT ?p ?o WHERE {{ {node} ?p ?o
              VALUES ?p {{ dcterms:type dcterms:issued dsr:place dsr:adoptedAt dsr:proposedBy }} }}"""
    )
    meta_iris = [r["o"].value for r in meta_rows if r["p"].value != str(DCTERMS.issued)]
    labels = _labels(signatories + [r["e"].value for r in entity_rows] + meta_iris)
    names = {
        str(DCTERMS.type): "类型 Kind",
        str(DCTERMS.issued): "日期 Issued",
        _DSR + "place": "地点 Place",
        _DSR + "adoptedAt": "通过于 Adopted at",
        _DSR + "proposedBy": "提出方 Proposed by",
    }
    order = list(names)
    metadata = [
        {
            "name": names[r["p"].value],
            "property": _short(r["p"].value),
            "value": _link(r["o"].value, labels) if r["p"].value != str(DCTERMS.issued) else None,
            "literal": r["o"].value if r["p"].value == str(DCTERMS.issued) else "",
        }
        for r in sorted(meta_rows, key=lambda r: (order.index(r["p"].value), r["o"].value))
    ]
    return {
        "metadata": metadata,
        "clauses": [
            {
                "iri": r["c"].value,
                "href": href(r["c"].value),
                "number": int(r["num"].value),
                "heading": r["heading"].value if r.get("heading") is not None else "",
                "mentions": int_value(r, "mentions"),
            }
            for r in clause_rows
        ],
        "signatories": sorted(
            ({**_link(s, labels), "wikidata": _external(wikidata[s]) if s in wikidata else None} for s in signatories),
            key=lambda x: x["label"],
        ),
        "document_entities": [{**_link(r["e"].value, labels), "count": int_value(r, "n")} for r in entity_rows],
    }


def _clause_mentions(clause_node: str, extra: str = "") -> list[dict]:
    return get_engine().select(
        f"""SELECT DISTINCT ?e ?start ?end ?s WHERE {{
              ?t oa:hasSource {clause_node} ; oa:hasSelector ?sel . ?a oa:hasTarget ?t ; oa:hasBody ?e .
              ?sel oa:start ?start ; oa:end ?end . OPTIONAL {{ ?a dsr:inSentence ?s }} {extra} }}
            ORDER BY ?start ?end"""
    )


def _clause_context(iri: str, rows: list[dict]) -> dict[str, Any]:
    engine = get_engine()
    node = _iri(iri)
    text = next((r["o"].value for r in rows if r["p"].value == _DSR + "text"), "")
    number = next((int(r["o"].value) for r in rows if r["p"].value == _DSR + "clauseNumber"), None)
    doc = next((r["o"].value for r in rows if r["p"].value == str(DCTERMS.isPartOf)), None)
    mentions = _clause_mentions(node)
    entity_iris = sorted({r["e"].value for r in mentions})
    neighbours = []
    if doc is not None and number is not None:
        neighbours = engine.select(
            f"""SELECT ?c ?num WHERE {{ {_iri(doc)} dsr:hasClause ?c . ?c dsr:clauseNumber ?num
                 FILTER(?num = {number - 1} || ?num = {number + 1}) }}"""
        )
    sentence_rows = engine.select(
        f"""SELECT ?s ?num ?text ?start ?end WHERE {{ {node} dsr:hasSentence ?s . ?s dsr:sentenceNumber ?num .
             OPTIONAL {{ ?s dsr:text ?text }} OPTIONAL {{ ?s dsr:startOffset ?start ; dsr:endOffset ?end }} }} ORDER BY ?num"""
    )
    labels = _labels(entity_iris + ([doc] if doc else []))
    spans = [
        Span(
            int(r["start"].value),
            int(r["end"].value),
            r["e"].value,
            _display(labels.get(r["e"].value, {}), _short(r["e"].value)),
            labels.get(r["e"].value, {}).get("type", "Entity"),
        )
        for r in mentions
    ]
    prev_clause = next_clause = None
    for r in neighbours:
        link = {"iri": r["c"].value, "href": href(r["c"].value), "number": int(r["num"].value)}
        if number is not None and link["number"] < number:
            prev_clause = link
        else:
            next_clause = link
    counts: dict[str, int] = {}
    for s in spans:
        counts[s.entity] = counts.get(s.entity, 0) + 1
    return {
        "clause_number": number,
        "document": _link(doc, labels) if doc else None,
        "clause_html": highlight(text, spans),
        "clause_entities": sorted(
            ({**_link(e, labels), "count": counts[e]} for e in entity_iris), key=lambda x: (x["type"], x["label"])
        ),
        "sentences": [
            {
                "iri": r["s"].value,
                "href": href(r["s"].value),
                "number": int(r["num"].value),
                "text": r["text"].value if r.get("text") is not None else "",
            }
            for r in sentence_rows
        ],
        "prev_clause": prev_clause,
        "next_clause": next_clause,
    }


def _sentence_context(iri: str, rows: list[dict]) -> dict[str, Any]:
    text = next((r["o"].value for r in rows if r["p"].value == _DSR + "text"), "")
    start = next((int(r["o"].value) for r in rows if r["p"].value == _DSR + "startOffset"), 0)
    clause = next((r["o"].value for r in rows if r["p"].value == str(DCTERMS.isPartOf)), None)
    spans: list[Span] = []
    labels: dict[str, dict[str, str]] = {}
    if clause:
        mentions = _clause_mentions(_iri(clause), f"FILTER(?s = {_iri(iri)})")
        labels = _labels([r["e"].value for r in mentions] + [clause])
        spans = [
            Span(
                int(r["start"].value) - start,
                int(r["end"].value) - start,
                r["e"].value,
                _display(labels.get(r["e"].value, {}), _short(r["e"].value)),
                labels.get(r["e"].value, {}).get("type", "Entity"),
            )
            for r in mentions
        ]
    return {"sentence_html": highlight(text, spans), "clause": _link(clause, labels) if clause else None}


__all__ = ["bp", "describe_triples", "resource_context"]
