"""``/sparql``: the SPARQL 1.1 Protocol (queries, and updates behind a token).

Request parsing follows the protocol's three query operations: GET with ``query=``,
POST ``application/x-www-form-urlencoded`` and POST ``application/sparql-query``; the
dataset comes from ``default-graph-uri`` / ``named-graph-uri`` (several of each allowed).
Parameters are decoded strictly as UTF-8: werkzeug would silently replace bad bytes,
so the query string and form bodies are parsed here. Without a query, ``/sparql``
describes itself (SPARQL 1.1 Service Description) or shows the query page to browsers.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import inspect
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, g, request, url_for

from ..errors import NotAcceptable, QueryError, UnsupportedMediaType, UpdateForbidden
from ..guard import query_form
from ..negotiation import ALIASES, FORMAT_PARAM, RDF_TYPES, RESULT_TYPES

bp = Blueprint("sparql", __name__)

#: Parameters that may come without a query (they shape the service description).
_PASSIVE_PARAMS = {"format", "output", "download"}
_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"


def _parse_qs(raw: bytes, where: str) -> list[tuple[str, str]]:
    """Decode ``a=b&c=d`` strictly: percent-escapes must decode to UTF-8."""
    if not raw:
        return []
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise QueryError(f"the {where} is not UTF-8; percent-encode the UTF-8 bytes of the query") from None
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise QueryError(f"the {where} does not decode as UTF-8; percent-encode the UTF-8 bytes of the query") from None


def _check_charset(media: str) -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise QueryError(f"{media} with charset={charset} is not supported; send UTF-8 (charset=utf-8)")


def _body_text(media: str) -> str:
    _check_charset(media)
    data = request.get_data(cache=True)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise QueryError(f"the {media} body is not UTF-8") from None


def _request_params() -> tuple[list[tuple[str, str]], str | None, str | None]:
    """Return ``(parameters, query from a direct POST, update from a direct POST)``.

    Raises:
        QueryError: undecodable input (400).
        UnsupportedMediaType: a POST body of another media type (415).
    """
    params = _parse_qs(request.query_string, "URL query string")
    if request.method != "POST":
        return params, None, None
    media = request.mimetype
    if media == _FORM:
        _check_charset(media)
        return params + _parse_qs(request.get_data(cache=True), "form body"), None, None
    if media == _QUERY:
        return params, _body_text(media), None
    if media == _UPDATE:
        return params, None, _body_text(media)
    if not media and not request.get_data(cache=True):
        return params, None, None
    raise UnsupportedMediaType(
        f"POST bodies must be {_FORM}, {_QUERY} or {_UPDATE}"
        + (f", not {media}" if media else "; the request has no Content-Type")
    )


def _one(params: list[tuple[str, str]], name: str, direct: str | None) -> str | None:
    values = [v for k, v in params if k == name]
    if direct is not None:
        values.append(direct)
    if len(values) > 1:
        raise QueryError(f"the request carries {len(values)} {name} strings; send exactly one")
    return values[0] if values else None


def result_media_type(params: list[tuple[str, str]]) -> str | None:
    """Return the media type asked for by ``format=`` / ``output=``, if any.

    Raises:
        QueryError: an unknown format name.
    """
    value = next((v for k, v in params if k in ("format", "output") and v), None)
    if value is None:
        return None
    key = value.strip().lower()
    if key in FORMAT_PARAM:
        return FORMAT_PARAM[key]
    if "/" in key:
        key = key.split(";")[0].strip()
        return ALIASES.get(key, key)
    names = sorted(set(FORMAT_PARAM) - {"html"})
    raise QueryError(f"unknown format={value!r}; use one of {', '.join(names)} or a media type")


@bp.route("/sparql/", methods=["GET", "POST", "OPTIONS"], endpoint="endpoint_slash")
@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    """Answer one SPARQL protocol request."""
    if request.method == "OPTIONS":
        response = Response(status=204)
        response.headers["Allow"] = "GET, POST, OPTIONS"
        return response
    params, direct_query, direct_update = _request_params()
    query = _one(params, "query", direct_query)
    update = _one(params, "update", direct_update)
    if query is not None and update is not None:
        raise QueryError("the request carries both a query and an update; send one operation per request")
    if update is not None:
        return _update(update, params)
    if query is None:
        active = sorted({k for k, _ in params} - _PASSIVE_PARAMS)
        if active or request.method == "POST":
            raise QueryError(
                "missing query: send query=… (GET or form POST) or a application/sparql-query body"
                + (f"; got only {', '.join(active)}" if active else "")
            )
        return _describe_service(params)
    if not query.strip():
        raise QueryError("the query is empty")
    return _query(query, params)


def _query(query: str, params: list[tuple[str, str]]) -> Response:
    from . import get_engine

    g.kg_query_form = query_form(query) or "?"  # for the access log
    g.kg_query_hash = hashlib.sha256(query.encode("utf-8")).hexdigest()[:16]
    media_type = result_media_type(params)
    if media_type == "text/html":
        raise NotAcceptable("format=html is not a result format; open / to run queries in the browser")
    engine = get_engine()
    extra = {"base_iri": request.base_url} if _takes_base_iri(type(engine)) else {}
    result = engine.run(
        query,
        accept=request.headers.get("Accept"),
        media_type=media_type,
        default_graphs=[v for k, v in params if k == "default-graph-uri"],
        named_graphs=[v for k, v in params if k == "named-graph-uri"],
        **extra,
    )
    g.kg_rows = result.rows
    response = Response(result.body, status=200)
    response.headers["Content-Type"] = f"{result.media_type}; charset=utf-8"
    response.vary.add("Accept")
    if media_type is not None:
        ext = (RESULT_TYPES.get(result.media_type) or RDF_TYPES.get(result.media_type) or ("", "txt"))[1]
        download = any(k == "download" and v not in ("", "0", "false") for k, v in params)
        response.headers["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="query-result.{ext}"'
    return response


@functools.lru_cache(maxsize=16)
def _takes_base_iri(engine_type: type) -> bool:
    """True when the engine's run() accepts ``base_iri`` (engines written before it was added do not)."""
    return "base_iri" in inspect.signature(engine_type.run).parameters


def _update(update: str, params: list[tuple[str, str]]) -> Response:
    """Apply an update when the request carries the configured bearer token."""
    from . import clear_cache, get_engine

    if request.method != "POST":
        raise QueryError("updates must be sent with POST (update= in a form body, or an application/sparql-update body)")
    token = current_app.config.get("UPDATE_TOKEN")
    if not token:
        raise UpdateForbidden("this endpoint is read-only: updates are refused (the operator can set KG_UPDATE_TOKEN to allow them)")
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        exc = UpdateForbidden("updates need an Authorization: Bearer <token> header", status=401)
        exc.headers = {"WWW-Authenticate": 'Bearer realm="dsr-kg"'}  # type: ignore[attr-defined]
        raise exc
    if not hmac.compare_digest(credential.strip().encode("utf-8"), str(token).encode("utf-8")):
        raise UpdateForbidden("the bearer token is not valid for updates")
    if any(k in ("using-graph-uri", "using-named-graph-uri") for k, _ in params):
        raise QueryError("using-graph-uri / using-named-graph-uri are not supported; write USING / WITH in the update")
    g.kg_query_form = "UPDATE"
    g.kg_query_hash = hashlib.sha256(update.encode("utf-8")).hexdigest()[:16]
    get_engine().update(update)
    clear_cache()
    return Response(status=204)


# ---------------------------------------------------------------- service description

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
#: media type → W3C format IRI (http://www.w3.org/ns/formats/)
FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
    "application/trig": "TriG",
    "application/n-quads": "N-Quads",
}


def service_description(endpoint_url: str):
    """Return the SPARQL 1.1 Service Description of this endpoint as an rdflib Graph."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, RDF, XSD

    from .pages import dataset_summary

    sd = Namespace(SD)
    void = Namespace("http://rdfs.org/ns/void#")
    graph = Graph()
    graph.bind("sd", sd)
    graph.bind("void", void)
    graph.bind("dcterms", DCTERMS)
    service = URIRef(endpoint_url + "#service")
    graph.add((service, RDF.type, sd.Service))
    graph.add((service, sd.endpoint, URIRef(endpoint_url)))
    graph.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    if current_app.config.get("UPDATE_TOKEN"):
        graph.add((service, sd.supportedLanguage, sd.SPARQL11Update))
    graph.add((service, sd.feature, sd.UnionDefaultGraph))
    graph.add((service, sd.feature, sd.EmptyGraphs))
    graph.add((service, sd.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple")))
    for media in FORMAT_IRIS:
        graph.add((service, sd.resultFormat, URIRef(FORMATS + FORMAT_IRIS[media])))
    graph.add((service, DCTERMS.license, URIRef(current_app.config["LICENSE"])))
    summary = dataset_summary()
    dataset = URIRef(url_for("pages.void", _external=True) + "#dataset")
    graph.add((service, sd.defaultDataset, dataset))
    graph.add((dataset, RDF.type, sd.Dataset))
    graph.add((dataset, RDF.type, void.Dataset))
    default = BNode("defaultGraph")
    graph.add((dataset, sd.defaultGraph, default))
    graph.add((default, RDF.type, sd.Graph))
    graph.add((default, void.triples, Literal(summary["triples"], datatype=XSD.integer)))
    for name, count in summary["graphs"].items():
        named = BNode("g" + hashlib.sha256(name.encode()).hexdigest()[:12])
        inner = BNode("n" + hashlib.sha256(name.encode()).hexdigest()[:12])
        graph.add((dataset, sd.namedGraph, named))
        graph.add((named, RDF.type, sd.NamedGraph))
        graph.add((named, sd.name, URIRef(name)))
        graph.add((named, sd.graph, inner))
        graph.add((inner, RDF.type, sd.Graph))
        graph.add((inner, void.triples, Literal(count, datatype=XSD.integer)))
    return graph


def _describe_service(params: list[tuple[str, str]]) -> Response:
    from .pages import index_page, negotiate_representation, rdflib_response

    chosen = negotiate_representation(params, ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples", "text/html"])
    if chosen == "text/html":
        return index_page()
    endpoint_url = url_for("sparql.endpoint", _external=True)
    return rdflib_response(service_description(endpoint_url), chosen)

