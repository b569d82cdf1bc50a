"""RDF metadata documents as HTML for browsers: VoID and the SPARQL service description.

A browser that opens ``/.well-known/void`` or ``/service-description`` gets a page (each
resource with its properties, IRIs linked, literals with their language); every other
client gets RDF by ``Accept`` or ``format=``, as before. The page is rendered from the
same rdflib graph the RDF is serialised from, so the two never disagree.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, make_response, render_template, url_for

from ..core.media import HTML, RDF_TYPES
from ..core.vocab import PREFIXES
from .links import href
from .representation import RDF_OFFER, cacheable, negotiate_representation, rdflib_response

bp = Blueprint("rdf_page", __name__)

#: Namespaces shortened on the page besides the common ones.
_EXTRA_PREFIXES = {
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "formats": "http://www.w3.org/ns/formats/",
    "foaf": "http://xmlns.com/foaf/0.1/",
}


def _short(iri: str) -> str:
    for prefix, ns in {**PREFIXES, **_EXTRA_PREFIXES}.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _term(term: Any, anchors: dict[str, str]) -> dict[str, str | None]:
    from rdflib import BNode, Literal

    if isinstance(term, Literal):
        return {
            "literal": str(term),
            "lang": term.language or "",
            "datatype": _short(str(term.datatype)) if term.datatype else "",
        }
    key = str(term)
    if isinstance(term, BNode) or key in anchors:
        label = _short(key) if key in anchors else "_:" + key
        return {"href": "#" + anchors.get(key, "b-" + key), "label": label, "iri": key if key in anchors else ""}
    return {"href": href(key), "label": _short(key), "iri": key}


def graph_page(graph, *, title_zh: str, title_en: str, intro_zh: str, intro_en: str) -> Response:
    """Render an rdflib graph as an HTML page: one table per subject, named ones first."""
    from rdflib import BNode, URIRef

    subjects = sorted(set(graph.subjects()), key=lambda s: (isinstance(s, BNode), str(s)))
    anchors = {str(s): f"r{i}" for i, s in enumerate(subjects)}
    resources = []
    for s in subjects:
        props: dict[str, list[dict[str, str | None]]] = {}
        for p, o in sorted(graph.predicate_objects(s), key=lambda po: (str(po[0]), str(po[1]))):
            props.setdefault(str(p), []).append(_term(o, anchors))
        resources.append(
            {
                "anchor": anchors[str(s)],
                "iri": str(s) if isinstance(s, URIRef) else "",
                "href": href(str(s)) if isinstance(s, URIRef) else None,
                "label": _short(str(s)) if isinstance(s, URIRef) else "_:" + str(s),
                "properties": [{"iri": p, "short": _short(p), "objects": v} for p, v in props.items()],
            }
        )
    response = make_response(
        render_template(
            "rdf_page.html",
            title_zh=title_zh,
            title_en=title_en,
            intro_zh=intro_zh,
            intro_en=intro_en,
            resources=resources,
            formats=[(RDF_TYPES[m][0], m) for m in RDF_OFFER if m in RDF_TYPES],
            triples=len(graph),
        )
    )
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return cacheable(response)


@bp.route("/service-description")
def service_description_page() -> Response:
    """The SPARQL 1.1 service description: a page for browsers, RDF for everything else."""
    from .sparql import service_description

    chosen = negotiate_representation(None, [*RDF_OFFER[:1], HTML, *RDF_OFFER[1:]])
    graph = service_description(url_for("sparql.endpoint", _external=True))
    if chosen != HTML:
        return rdflib_response(graph, chosen)
    return graph_page(
        graph,
        title_zh="SPARQL 服务描述",
        title_en="SPARQL service description",
        intro_zh="本端点支持的语言、功能、结果格式和数据集（SPARQL 1.1 服务描述）。",
        intro_en="What this endpoint supports: languages, features, result formats and its dataset "
        "(SPARQL 1.1 Service Description).",
    )


def void_page(graph) -> Response:
    """The VoID description as a page."""
    return graph_page(
        graph,
        title_zh="数据集描述（VoID）",
        title_en="Dataset description (VoID)",
        intro_zh="数据集的规模、类、命名图、示例资源、许可和查询端点（VoID 词表）。",
        intro_en="The dataset's size, classes, named graphs, example resources, licence and SPARQL endpoint "
        "(VoID vocabulary).",
    )
