"""Pages and metadata: the query page, linked data at ``/id/…``, ontology, VoID, health.

Every number and label comes through the engine (:func:`kg.web.get_engine`), never from
pyoxigraph directly. Statistics are computed once per app start and kept in the app's
cache (cleared when an update changes the graph).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, make_response, render_template, request, url_for
from markupsafe import Markup, escape

from .. import __version__
from ..errors import KGError, NotAcceptable, NotFound
from ..namespaces import ENTITY_TYPES, PREFIXES
from ..negotiation import FORMAT_PARAM, RDF_TYPES, RESULT_TYPES, negotiate
from . import base_iri, body_etag, cached, get_engine, local_path

bp = Blueprint("pages", __name__)

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
DSR = PREFIXES["dsr"]
RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
#: RDF types the linked-data routes and metadata offer, curl's */* getting the first.
LD_OFFER = ["text/turtle", "text/html", "application/ld+json", "application/n-triples", "application/rdf+xml", "application/trig", "application/n-quads"]
_RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


# ---------------------------------------------------------------- negotiation helpers


def negotiate_representation(params: list[tuple[str, str]] | None, offered: list[str]) -> str:
    """Choose a representation: ``format=`` / ``output=`` wins, then the Accept header.

    ``application/json`` counts as JSON-LD where JSON-LD is offered.

    Raises:
        NotAcceptable: nothing offered fits (406).
    """
    if params is None:
        params = list(request.args.items(multi=True))
    wanted = next((v.strip().lower() for k, v in params if k in ("format", "output") and v.strip()), None)
    if wanted:
        media = FORMAT_PARAM.get(wanted, wanted.split(";")[0])
        if media == "application/sparql-results+json" and "application/ld+json" in offered:
            media = "application/ld+json"
        if media not in offered:
            raise NotAcceptable(f"format={wanted} is not available here; use one of {', '.join(_short_names(offered))}")
        return media
    accept = request.headers.get("Accept")
    try:
        return negotiate(accept, offered, default=offered[0])
    except NotAcceptable:
        if accept and "json" in accept and "application/ld+json" in offered:
            return "application/ld+json"
        raise


def _short_names(offered: list[str]) -> list[str]:
    names = []
    for media in offered:
        short = (RDF_TYPES.get(media) or RESULT_TYPES.get(media) or ("html" if media == "text/html" else media,))[0]
        names.append(short)
    return names


def cacheable(response: Response, *, last_modified: datetime | None = None) -> Response:
    """Add ``Vary: Accept``, a strong ETag of the body and Last-Modified; answer 304 when fresh."""
    response.vary.add("Accept")
    response.set_etag(body_etag(response.get_data()))
    response.last_modified = last_modified or build_time()
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)


def rdflib_response(graph, media_type: str, *, conditional: bool = True) -> Response:
    """Serialise an rdflib graph as ``media_type``."""
    fmt = _RDFLIB_FORMATS[media_type]
    if fmt in ("trig", "nquads"):
        from rdflib import Dataset

        ds = Dataset()
        for prefix, ns in graph.namespaces():
            ds.bind(prefix, ns)
        for t in graph:
            ds.add(t)
        body = ds.serialize(format=fmt, encoding="utf-8")
    else:
        body = graph.serialize(format=fmt, encoding="utf-8")
    response = make_response(body)
    response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    return cacheable(response) if conditional else response


# ---------------------------------------------------------------- dataset facts (cached)


def _int(row: dict, key: str) -> int:
    term = row.get(key)
    return int(term.value) if term is not None else 0


def build_time() -> datetime:
    """Return when the store was built (latest build activity), else when the app started."""

    def compute() -> datetime:
        rows = get_engine().select(f"SELECT (MAX(?t) AS ?time) WHERE {{ ?a a <{DSR}BuildActivity> ; prov:endedAtTime ?t }}")
        value = rows[0]["time"].value if rows and rows[0].get("time") is not None else None
        if value:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc).replace(microsecond=0)
            except ValueError:
                pass
        return datetime.fromtimestamp(int(current_app.config["STARTED_AT"]), timezone.utc)

    return cached("build_time", compute)


def dataset_statistics() -> dict[str, Any]:
    """Return documents, clauses, sentences, mentions, entities by type and triples."""

    def compute() -> dict[str, Any]:
        engine = get_engine()
        out: dict[str, Any] = {"triples": engine.triple_count()}
        for name, cls in (("documents", "dsr:Document"), ("clauses", "dsr:Clause"), ("sentences", "dsr:Sentence"), ("mentions", "oa:Annotation")):
            out[name] = _int(engine.select(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}")[0], "n")
        types = {}
        for row in engine.select(
            """SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {
                 ?c dsr:mentions ?e . ?e a ?t . VALUES ?t { dsr:Country dsr:Organisation dsr:Technology dsr:Sector } }
               GROUP BY ?t"""
        ):
            types[row["t"].value.rsplit("#", 1)[-1]] = _int(row, "n")
        out["entities"] = {name: types.get(name, 0) for name in ENTITY_TYPES}
        out["entities_total"] = sum(out["entities"].values())
        return out

    return cached("statistics", compute)


def dataset_summary() -> dict[str, Any]:
    """Return the facts VoID and the service description publish."""

    def compute() -> dict[str, Any]:
        engine = get_engine()
        base = base_iri()
        graphs = {
            row["g"].value: _int(row, "n")
            for row in engine.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        }
        entities = _int(
            engine.select(
                f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{_lit(base)}")) }}'
            )[0],
            "n",
        )
        classes = {
            row["c"].value: _int(row, "n")
            for row in engine.select("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c")
        }
        properties = _int(engine.select("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }")[0], "n")
        sources = sorted(
            {row["src"].value for row in engine.select("SELECT ?src WHERE { ?d a dsr:Document ; dcterms:source ?src }")}
        )
        examples = [
            row["s"].value
            for row in engine.select(
                """SELECT ?s (COUNT(?c) AS ?n) WHERE { ?c dsr:mentions ?s } GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 3"""
            )
        ]
        examples += [row["d"].value for row in engine.select("SELECT ?d WHERE { ?d a dsr:Document } ORDER BY ?d LIMIT 2")]
        return {
            "triples": engine.triple_count(),
            "graphs": graphs,
            "entities": entities,
            "classes": classes,
            "properties": properties,
            "sources": sources,
            "examples": examples,
        }

    return cached("summary", compute)


def _lit(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _iri(value: str) -> str:
    if any(ch in value for ch in '<>"{}|^`\\ \n\r\t'):
        raise NotFound(f"no resource {value!r}")
    return f"<{value}>"


# ---------------------------------------------------------------- examples


@dataclass(frozen=True)
class Example:
    """An example query shipped in kg/web/examples/*.rq."""

    name: str
    title_zh: str
    title_en: str
    query: str


@functools.lru_cache(maxsize=1)
def examples() -> tuple[Example, ...]:
    """Load the example queries (``# title@zh:`` / ``# title@en:`` header lines, then the query)."""
    out = []
    for path in sorted(EXAMPLES_DIR.glob("*.rq")):
        titles: dict[str, str] = {}
        body = []
        for line in path.read_text(encoding="utf-8").splitlines():
            m = re.match(r"#\s*title@(zh|en):\s*(.+)", line)
            if m and not body:
                titles[m.group(1)] = m.group(2).strip()
            else:
                body.append(line)
        query = "\n".join(body).strip() + "\n"
        out.append(Example(path.stem, titles.get("zh", path.stem), titles.get("en", path.stem), query))
    return tuple(out)


# ---------------------------------------------------------------- routes: query page


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    """Links every page's header shows (the views page only when the views part is installed)."""
    rules = [r.rule for r in current_app.url_map.iter_rules() if r.rule.startswith("/views")]
    views_url = "/views/cooccurrence" if "/views/<name>" in rules or "/views/<string:name>" in rules else (min(rules) if rules else None)
    return {"views_url": views_url}


def index_page() -> Response:
    """Render the query page."""
    stats = None
    error = None
    try:
        stats = dataset_statistics()
    except KGError as exc:
        error = str(exc)
    response = make_response(
        render_template(
            "index.html",
            examples=examples(),
            initial_query=request.args.get("query") or (examples()[0].query if examples() else "SELECT * WHERE { ?s ?p ?o } LIMIT 10\n"),
            stats=stats,
            error=error,
            base=base_iri(),
            id_prefix=url_for("pages.resource", rest="x")[:-1],
            endpoint=url_for("sparql.endpoint"),
            result_formats=[(RESULT_TYPES[m][0], m) for m in RESULT_TYPES],
            rdf_formats=[(RDF_TYPES[m][0], m) for m in RDF_TYPES],
        )
    )
    response.vary.add("Accept")
    return response


@bp.route("/")
def index() -> Response:
    """The query page: editor, examples, statistics."""
    return index_page()


@bp.route("/health")
def health() -> Response:
    """Report whether the store is open, with counts (503 when it is not)."""
    try:
        engine = get_engine()
        triples = engine.triple_count()
        documents = _int(engine.select("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dsr:Document }")[0], "n")
    except KGError as exc:
        response = jsonify({"status": "unavailable", "error": str(exc), "version": __version__})
        response.status_code = 503
        return response
    return jsonify(
        {"status": "ok", "engine": engine.description, "triples": triples, "documents": documents, "version": __version__}
    )


# ---------------------------------------------------------------- routes: VoID and ontology


def void_graph():
    """Return the VoID description of the dataset as an rdflib Graph."""
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, FOAF, RDF, XSD

    void = Namespace("http://rdfs.org/ns/void#")
    summary = dataset_summary()
    graph = Graph()
    graph.bind("void", void)
    graph.bind("dcterms", DCTERMS)
    graph.bind("foaf", FOAF)
    dataset = URIRef(url_for("pages.void", _external=True) + "#dataset")
    graph.add((dataset, RDF.type, void.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("Digital Silk Road knowledge graph", lang="en")))
    graph.add((dataset, DCTERMS.title, Literal("数字丝绸之路知识图谱", lang="zh")))
    graph.add((dataset, DCTERMS.license, URIRef(current_app.config["LICENSE"])))
    graph.add((dataset, DCTERMS.modified, Literal(build_time().isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)))
    graph.add((dataset, void.sparqlEndpoint, URIRef(url_for("sparql.endpoint", _external=True))))
    graph.add((dataset, void.uriSpace, Literal(base_iri())))
    graph.add((dataset, void.vocabulary, URIRef(DSR)))
    graph.add((dataset, void.rootResource, URIRef(base_iri())))
    graph.add((dataset, void.triples, Literal(summary["triples"], datatype=XSD.integer)))
    graph.add((dataset, void.entities, Literal(summary["entities"], datatype=XSD.integer)))
    graph.add((dataset, void.classes, Literal(len(summary["classes"]), datatype=XSD.integer)))
    graph.add((dataset, void.properties, Literal(summary["properties"], datatype=XSD.integer)))
    for feature in ("Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        graph.add((dataset, void.feature, URIRef("http://www.w3.org/ns/formats/" + feature)))
    for source in summary["sources"]:
        graph.add((dataset, DCTERMS.source, Literal(source)))
    for example in summary["examples"]:
        graph.add((dataset, void.exampleResource, URIRef(example)))
    for i, (cls, count) in enumerate(summary["classes"].items()):
        part = URIRef(f"{dataset}-class-{i}")
        graph.add((dataset, void.classPartition, part))
        graph.add((part, void["class"], URIRef(cls)))
        graph.add((part, void.entities, Literal(count, datatype=XSD.integer)))
    for name, count in summary["graphs"].items():
        sub = URIRef(name)
        graph.add((dataset, void.subset, sub))
        graph.add((sub, RDF.type, void.Dataset))
        graph.add((sub, void.triples, Literal(count, datatype=XSD.integer)))
        graph.add((sub, void.sparqlEndpoint, URIRef(url_for("sparql.endpoint", _external=True))))
    return graph


@bp.route("/.well-known/void")
def void() -> Response:
    """VoID description, by Accept (Turtle by default)."""
    chosen = negotiate_representation(None, [m for m in LD_OFFER if m != "text/html"])
    return rdflib_response(void_graph(), chosen)


@functools.lru_cache(maxsize=1)
def _ontology():
    from rdflib import Graph

    from ..lexicon import ONTOLOGY_DIR

    path = Path(ONTOLOGY_DIR) / "dsr.ttl"
    graph = Graph()
    graph.parse(path, format="turtle")
    return path, graph


@bp.route("/ontology")
def ontology() -> Response:
    """The ontology: Turtle (the file itself), JSON-LD, RDF/XML, N-Triples, or an HTML page."""
    path, graph = _ontology()
    chosen = negotiate_representation(None, LD_OFFER)
    if chosen == "text/turtle":
        response = make_response(path.read_bytes())
        response.headers["Content-Type"] = "text/turtle; charset=utf-8"
        return cacheable(response, last_modified=_mtime(path))
    if chosen != "text/html":
        response = rdflib_response(graph, chosen, conditional=False)
        return cacheable(response, last_modified=_mtime(path))
    response = make_response(render_template("ontology.html", **_ontology_terms(graph)))
    return cacheable(response, last_modified=_mtime(path))


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(int(path.stat().st_mtime), timezone.utc)


def _ontology_terms(graph) -> dict[str, Any]:
    from rdflib import OWL, RDF, RDFS, URIRef

    def text(subject, predicate, lang):
        for value in graph.objects(subject, predicate):
            if getattr(value, "language", None) == lang:
                return str(value)
        return ""

    def short(term) -> str:
        value = str(term)
        for prefix, ns in PREFIXES.items():
            if value.startswith(ns):
                return f"{prefix}:{value[len(ns):]}"
        return value

    def describe(subject) -> dict[str, Any]:
        return {
            "iri": str(subject),
            "name": short(subject),
            "anchor": str(subject).rsplit("#", 1)[-1],
            "label_zh": text(subject, RDFS.label, "zh"),
            "label_en": text(subject, RDFS.label, "en"),
            "comment_zh": text(subject, RDFS.comment, "zh"),
            "comment_en": text(subject, RDFS.comment, "en"),
            "domain": [short(o) for o in graph.objects(subject, RDFS.domain)],
            "range": [short(o) for o in graph.objects(subject, RDFS.range)],
            "parents": [short(o) for o in graph.objects(subject, RDFS.subClassOf) if isinstance(o, URIRef)]
            + [short(o) for o in graph.objects(subject, RDFS.subPropertyOf)],
            "kind": short(next(iter(sorted(graph.objects(subject, RDF.type))), "")),
        }

    ns = DSR
    classes = sorted({s for s in graph.subjects(RDF.type, OWL.Class) if str(s).startswith(ns)}, key=str)
    props = sorted(
        {
            s
            for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
            for s in graph.subjects(RDF.type, t)
            if str(s).startswith(ns)
        },
        key=str,
    )
    others = sorted(
        {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(ns)} - set(classes) - set(props), key=str
    )
    onto = URIRef("https://w3id.org/dsr-kg/ontology")
    return {
        "title_en": text(onto, RDFS.label, "en"),
        "title_zh": text(onto, RDFS.label, "zh"),
        "comment_en": text(onto, RDFS.comment, "en"),
        "comment_zh": text(onto, RDFS.comment, "zh"),
        "classes": [describe(c) for c in classes],
        "properties": [describe(p) for p in props],
        "individuals": [describe(o) for o in others],
        "formats": [(RDF_TYPES[m][0], m) for m in LD_OFFER if m in RDF_TYPES],
    }


# ---------------------------------------------------------------- routes: linked data


@bp.route("/id/<path:rest>")
def resource(rest: str) -> Response:
    """Dereference ``<BASE_IRI><rest>``: HTML for browsers, its description in RDF by Accept."""
    iri = base_iri() + rest
    chosen = negotiate_representation(None, LD_OFFER)
    engine = get_engine()
    if chosen != "text/html":
        triples = describe_triples(iri)
        if not triples:
            raise NotFound(f"no resource <{iri}> in this graph")
        from ..sparql import serialize_triples

        body = serialize_triples(sorted(triples, key=str), chosen)
        response = make_response(body)
        response.headers["Content-Type"] = f"{chosen}; charset=utf-8"
        response.headers["Link"] = f'<{iri}>; rel="describes"'
        return cacheable(response)
    rows = engine.select(f"SELECT DISTINCT ?p ?o WHERE {{ {_iri(iri)} ?p ?o }}")
    if not rows:
        raise NotFound(f"no resource <{iri}> in this graph")
    context = resource_context(iri, rows)
    response = make_response(render_template("resource.html", **context))
    return cacheable(response)


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


# ---------------------------------------------------------------- HTML context


@dataclass(frozen=True)
class Span:
    """A mention to mark in a text: code-point offsets, the entity and how to show it."""

    start: int
    end: int
    entity: str
    label: str
    type: str

    @property
    def length(self) -> int:
        """Number of code points covered."""
        return self.end - self.start


def highlight(text: str, spans: list[Span]) -> Markup:
    """Return ``text`` as escaped HTML with every span in ``<mark>`` and linked to its entity.

    Nested or overlapping mentions (互联网 inside 下一代互联网) get nested marks; each
    piece of text links to the innermost mention covering it; a mention that no piece
    links to (fully covered by shorter ones, or the same span as another) gets a small
    superscript link after it, so every mention stays marked and linked.
    """
    n = len(text)
    spans = [s for s in spans if 0 <= s.start < s.end <= n]
    bounds = sorted({0, n, *(s.start for s in spans), *(s.end for s in spans)})
    linked: set[Span] = set()
    pieces: list[tuple[int, int, list[Span], Span | None]] = []
    for a, b in zip(bounds, bounds[1:]):
        cover = sorted((s for s in spans if s.start <= a and b <= s.end), key=lambda s: (s.start, -s.end, s.entity))
        inner = min(cover, key=lambda s: (s.length, s.entity)) if cover else None
        if inner is not None:
            linked.add(inner)
        pieces.append((a, b, cover, inner))
    extra: dict[int, list[Span]] = {}
    for s in spans:
        if s not in linked:
            extra.setdefault(s.end, []).append(s)
    out: list[str] = []
    for a, b, cover, inner in pieces:
        html = str(escape(text[a:b]))
        if inner is not None:
            href = local_path(inner.entity) or inner.entity
            html = f'<a href="{escape(href)}">{html}</a>'
            for s in reversed(cover):
                html = (
                    f'<mark class="mention m-{escape(s.type.lower())}" data-entity="{escape(s.entity)}" '
                    f'title="{escape(s.label)} ({escape(s.type)})">{html}</mark>'
                )
        out.append(html)
        for s in sorted(extra.get(b, ()), key=lambda s: s.entity):
            href = local_path(s.entity) or s.entity
            out.append(
                f'<sup><mark class="mention m-{escape(s.type.lower())}" data-entity="{escape(s.entity)}">'
                f'<a href="{escape(href)}" title="{escape(s.label)}">{escape(s.label)}</a></mark></sup>'
            )
    return Markup("".join(out))


def _labels(iris: list[str]) -> dict[str, dict[str, str]]:
    """Return ``{iri: {"zh": …, "en": …, "type": Country|…}}`` for the given IRIs."""
    iris = sorted({i for i in iris if i})
    out: dict[str, dict[str, str]] = {i: {} for i in iris}
    for chunk in range(0, len(iris), 200):
        values = " ".join(_iri(i) for i in iris[chunk : chunk + 200])
        for row in get_engine().select(
            f"""SELECT ?s ?l ?t WHERE {{ VALUES ?s {{ {values} }}
                 {{ ?s rdfs:label ?l }} UNION {{ ?s dcterms:title ?l }} UNION {{ ?s a ?t
                    VALUES ?t {{ dsr:Country dsr:Organisation dsr:Technology dsr:Sector dsr:Document dsr:Clause dsr:Sentence }} }} }}"""
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
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _term_view(term, labels: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """Describe an object term for the property table."""
    import pyoxigraph as ox  # only for isinstance checks on engine results

    if isinstance(term, ox.NamedNode):
        label = _display((labels or {}).get(term.value, {}), "")
        return {"iri": term.value, "href": local_path(term.value) or term.value, "short": _short(term.value), "label": label}
    if isinstance(term, ox.Literal):
        return {"literal": term.value, "lang": term.language or "", "datatype": _short(term.datatype.value) if not term.language else ""}
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
            if r["p"].value == prop and (lang is None or (isinstance(r["o"], ox.Literal) and (r["o"].language or "")[:2] == lang))
        ]

    kind = "resource"
    for cls, name in ((DSR + "Document", "document"), (DSR + "Clause", "clause"), (DSR + "Sentence", "sentence")):
        if cls in types:
            kind = name
    if any(DSR + t in types for t in ENTITY_TYPES):
        kind = "entity"
    ctx: dict[str, Any] = {
        "iri": iri,
        "kind": kind,
        "title": _display(me, _short(iri)),
        "label_zh": me.get("zh", ""),
        "label_en": me.get("en", ""),
        "alt_labels": sorted(set(values(PREFIXES["skos"] + "altLabel"))),
        "types": [{"iri": t, "short": _short(t), "href": _class_href(t)} for t in types],
        "same_as": values(PREFIXES["owl"] + "sameAs"),
        "see_also": values(PREFIXES["rdfs"] + "seeAlso"),
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


def _class_href(cls: str) -> str:
    if cls.startswith(DSR):
        return url_for("pages.ontology") + "#" + cls[len(DSR):]
    return cls


def _link(iri: str, labels: dict[str, dict[str, str]]) -> dict[str, str]:
    entry = labels.get(iri, {})
    return {"iri": iri, "href": local_path(iri) or iri, "label": _display(entry, _short(iri)), "type": entry.get("type", "")}


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
    signed = [r["d"].value for r in engine.select(f"SELECT DISTINCT ?d WHERE {{ ?d dsr:signatory {node} }} ORDER BY ?d")]
    docs = sorted({r["doc"].value for r in mention_rows})
    labels = _labels(broader + narrower + [r["other"].value for r in related_rows] + docs + signed)
    label = _display(me, _short(iri))
    etype = me.get("type", "")
    clauses: dict[str, dict[str, Any]] = {}
    for r in mention_rows:
        c = r["clause"].value
        entry = clauses.setdefault(
            c,
            {"iri": c, "href": local_path(c) or c, "number": int(r["num"].value), "doc": _link(r["doc"].value, labels), "text": r["text"].value, "spans": []},
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
        "related": [{**_link(r["other"].value, labels), "count": _int(r, "n")} for r in related_rows],
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
    labels = _labels(signatories + [r["e"].value for r in entity_rows])
    return {
        "clauses": [
            {
                "iri": r["c"].value,
                "href": local_path(r["c"].value) or r["c"].value,
                "number": int(r["num"].value),
                "heading": r["heading"].value if r.get("heading") is not None else "",
                "mentions": _int(r, "mentions"),
            }
            for r in clause_rows
        ],
        "signatories": sorted(
            ({**_link(s, labels), "wikidata": wikidata.get(s, "")} for s in signatories), key=lambda x: x["label"]
        ),
        "document_entities": [{**_link(r["e"].value, labels), "count": _int(r, "n")} for r in entity_rows],
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
    text = next((r["o"].value for r in rows if r["p"].value == DSR + "text"), "")
    number = next((int(r["o"].value) for r in rows if r["p"].value == DSR + "clauseNumber"), None)
    doc = next((r["o"].value for r in rows if r["p"].value == PREFIXES["dcterms"] + "isPartOf"), None)
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
        Span(int(r["start"].value), int(r["end"].value), r["e"].value, _display(labels.get(r["e"].value, {}), _short(r["e"].value)), labels.get(r["e"].value, {}).get("type", "Entity"))
        for r in mentions
    ]
    prev_clause = next_clause = None
    for r in neighbours:
        link = {"iri": r["c"].value, "href": local_path(r["c"].value) or r["c"].value, "number": int(r["num"].value)}
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
                "href": local_path(r["s"].value) or r["s"].value,
                "number": int(r["num"].value),
                "text": r["text"].value if r.get("text") is not None else "",
            }
            for r in sentence_rows
        ],
        "prev_clause": prev_clause,
        "next_clause": next_clause,
    }


def _sentence_context(iri: str, rows: list[dict]) -> dict[str, Any]:
    text = next((r["o"].value for r in rows if r["p"].value == DSR + "text"), "")
    start = next((int(r["o"].value) for r in rows if r["p"].value == DSR + "startOffset"), 0)
    clause = next((r["o"].value for r in rows if r["p"].value == PREFIXES["dcterms"] + "isPartOf"), None)
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


__all__ = ["bp", "highlight", "Span", "examples", "dataset_statistics", "dataset_summary"]
