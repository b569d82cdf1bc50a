"""Metadata routes: ``/health``, VoID at ``/.well-known/void``, the ontology at
``/ontology`` (Turtle, other RDF, or an HTML page)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, make_response, render_template, url_for

from .. import __version__
from ..core.errors import KGError
from ..core.iris import ONTOLOGY_IRI
from ..core.media import RDF_TYPES
from ..core.resources import ONTOLOGY_FILE
from ..core.vocab import DSR, shorten
from .context import base_iri, get_engine
from .dataset import build_time, dataset_summary, int_value, metadata_partitions
from .representation import LD_OFFER, cacheable, negotiate_representation, rdflib_response

bp = Blueprint("metadata", __name__)


@bp.route("/health")
def health() -> Response:
    """Report whether the store is open, with counts (503 when it is not)."""
    try:
        engine = get_engine()
        triples = engine.triple_count()
        documents = int_value(engine.select("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dsr:Document }")[0], "n")
    except KGError as exc:
        response = jsonify({"status": "unavailable", "error": str(exc), "version": __version__})
        response.status_code = 503
        return response
    body: dict[str, Any] = {
        "status": "ok",
        "engine": engine.description,
        "triples": triples,
        "documents": documents,
        "serving": engine.serving(),
        "version": __version__,
    }
    status = getattr(engine, "status", None)
    if callable(status):  # the worker pool: memory copy or disk, processes, their memory (docs/serving.md)
        body["pool"] = status()
    return jsonify(body)


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
    dataset = URIRef(url_for("metadata.void", _external=True) + "#dataset")
    graph.add((dataset, RDF.type, void.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("Digital Silk Road knowledge graph", lang="en")))
    graph.add((dataset, DCTERMS.title, Literal("数字丝绸之路知识图谱", lang="zh")))
    graph.add((dataset, DCTERMS.license, URIRef(current_app.config["LICENSE"])))
    graph.add(
        (dataset, DCTERMS.modified, Literal(build_time().isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime))
    )
    graph.add((dataset, void.sparqlEndpoint, URIRef(url_for("sparql.endpoint", _external=True))))
    graph.add((dataset, void.uriSpace, Literal(base_iri())))
    graph.add((dataset, void.vocabulary, URIRef(str(DSR))))
    graph.add((dataset, void.rootResource, URIRef(base_iri())))
    graph.add((dataset, void.triples, Literal(summary["triples"], datatype=XSD.integer)))
    graph.add((dataset, void.entities, Literal(summary["entities"], datatype=XSD.integer)))
    graph.add((dataset, void.classes, Literal(len(summary["classes"]), datatype=XSD.integer)))
    graph.add((dataset, void.properties, Literal(summary["properties"], datatype=XSD.integer)))
    for feature in ("Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG"):
        graph.add((dataset, void.feature, URIRef("http://www.w3.org/ns/formats/" + feature)))
    if not current_app.config.get("SPARQL_ENDPOINT"):  # the whole dataset in one file (kg/web/dumps.py)
        graph.add((dataset, void.dataDump, URIRef(url_for("dumps.full_dump", _external=True))))
    for source in summary["sources"]:
        graph.add((dataset, DCTERMS.source, Literal(source)))
    for example in summary["examples"]:
        graph.add((dataset, void.exampleResource, URIRef(example)))
    for i, (cls, count) in enumerate(summary["classes"].items()):
        part = URIRef(f"{dataset}-class-{i}")
        graph.add((dataset, void.classPartition, part))
        graph.add((part, void["class"], URIRef(cls)))
        graph.add((part, void.entities, Literal(count, datatype=XSD.integer)))
    for i, (prop, count) in enumerate(sorted(metadata_partitions().items())):
        part = URIRef(f"{dataset}-property-{i}")  # document metadata and names outside the lexicon
        graph.add((dataset, void.propertyPartition, part))
        graph.add((part, void.property, URIRef(prop)))
        graph.add((part, void.triples, Literal(count, datatype=XSD.integer)))
    for name, count in summary["graphs"].items():
        sub = URIRef(name)
        graph.add((dataset, void.subset, sub))
        graph.add((sub, RDF.type, void.Dataset))
        graph.add((sub, void.triples, Literal(count, datatype=XSD.integer)))
        graph.add((sub, void.sparqlEndpoint, URIRef(url_for("sparql.endpoint", _external=True))))
        for ext in ("trig", "nq"):
            graph.add((sub, void.dataDump, URIRef(url_for("dumps.graph_dump", ext=ext, iri=name, _external=True))))
    return graph


@bp.route("/.well-known/void")
def void() -> Response:
    """VoID description: a page for browsers, RDF by Accept or format= for everything else (Turtle by default)."""
    chosen = negotiate_representation(None, LD_OFFER)
    if chosen == "text/html":
        from .rdf_page import void_page

        return void_page(void_graph())
    return rdflib_response(void_graph(), chosen)


@functools.lru_cache(maxsize=1)
def _ontology():
    from rdflib import Graph

    path = ONTOLOGY_FILE
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
    return datetime.fromtimestamp(int(path.stat().st_mtime), UTC)


def _ontology_terms(graph) -> dict[str, Any]:
    from rdflib import OWL, RDF, RDFS, URIRef

    def text(subject, predicate, lang):
        for value in graph.objects(subject, predicate):
            if getattr(value, "language", None) == lang:
                return str(value)
        return ""

    def short(term) -> str:
        return shorten(str(term))

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

    ns = str(DSR)
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
        {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(ns)} - set(classes) - set(props),
        key=str,
    )
    onto = URIRef(ONTOLOGY_IRI)
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
