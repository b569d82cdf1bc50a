"""``/sparql``: the SPARQL 1.1 Protocol (queries, and updates behind a token).

Request parsing follows the protocol's three query operations: GET with ``query=``,
POST ``application/x-www-form-urlencoded`` and POST ``application/sparql-query``; the
dataset comes from ``default-graph-uri`` / ``named-graph-uri`` (several of each allowed).
Parameters are decoded strictly as UTF-8: werkzeug would silently replace bad bytes,
so the query string and form bodies are parsed here. Without a query, ``/sparql``
describes itself (SPARQL 1.1 Service Description) or shows the query page to browsers.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, g, request, url_for

from ..core.errors import AuthenticationRequired, NotAcceptable, QueryError, UnsupportedMediaType, UpdateForbidden
from ..core.media import BY_TYPE, FORMAT_PARAM, HTML, MEDIA_TYPES, extension, format_media_type, format_names
from ..core.vocab import DCTERMS, FORMATS, RDF, SD, VOID, XSD
from ..query.guard import QUERY_FORMS, query_form
from ..query.sparql import ROW_LIMIT_ADVICE
from .context import clear_cache, get_engine
from .dataset import dataset_summary

bp = Blueprint("sparql", __name__)

#: Parameters that may come without a query (they shape the service description).
_PASSIVE_PARAMS = {"format", "output", "download", "bom"}
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


def result_media_type(params: list[tuple[str, str]], form: str | None = None) -> str | None:
    """Return the media type asked for by ``format=`` / ``output=``, if any, read for the query form.

    ``xml`` means SPARQL results XML for SELECT/ASK and RDF/XML for CONSTRUCT/DESCRIBE,
    ``json`` SPARQL results JSON or JSON-LD; the short names clients send (``rdf+xml``,
    ``n3``, ``json-ld``, ``nt``, ``ttl`` …) and media types are accepted. Clients such as
    SPARQLWrapper send several values (``format=rdf+xml&format=application/rdf+xml``): the
    first one understood counts.

    Raises:
        QueryError: no value is a known format name or media type.
        NotAcceptable: the format is one the query form cannot produce (``turtle`` for a SELECT).
    """
    values = [v for k, v in params if k in ("format", "output") and v.strip()]
    if not values:
        return None
    kind = "rdf" if form in ("CONSTRUCT", "DESCRIBE") else "results"
    for value in values:
        if value.strip().lower() == "html":
            return HTML
        media = format_media_type(value, kind)
        if media is not None:
            if form in QUERY_FORMS and media in BY_TYPE and BY_TYPE[media].kind != kind:
                forms = "CONSTRUCT and DESCRIBE" if kind == "rdf" else "SELECT and ASK"
                raise NotAcceptable(
                    f"format={value} ({media}) does not fit a {form} query; {forms} results come as "
                    f"{', '.join(format_names(kind))}"
                )
            return media
    for value in values:
        key = value.strip().lower()
        if "/" in key:  # an unknown media type: let negotiation name what is available (406)
            return key.split(";")[0].strip()
    names = sorted(set(FORMAT_PARAM) - {"html"})
    raise QueryError(f"unknown format={values[0]!r}; use one of {', '.join(names)} or a media type")


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
    form = query_form(query)
    g.kg_query_form = form or "?"  # for the access log
    g.kg_query_hash = hashlib.sha256(query.encode("utf-8")).hexdigest()[:16]
    media_type = result_media_type(params, form)
    if media_type == "text/html":
        raise NotAcceptable("format=html is not a result format; open / to run queries in the browser")
    result = get_engine().run(
        query,
        accept=request.headers.get("Accept"),
        media_type=media_type,
        default_graphs=[v for k, v in params if k == "default-graph-uri"],
        named_graphs=[v for k, v in params if k == "named-graph-uri"],
        base_iri=request.base_url,
    )
    g.kg_rows = result.rows
    body = result.body
    if result.media_type in ("text/csv", "text/tab-separated-values") and any(
        k == "bom" and v.strip().lower() in ("1", "true", "yes", "on") for k, v in params
    ):
        body = "\ufeff".encode() + body  # Excel reads UTF-8 (Chinese labels) only after a byte-order mark
    response = Response(body, status=200)
    response.headers["Content-Type"] = f"{result.media_type}; charset=utf-8"
    response.vary.add("Accept")
    if result.truncated_at is not None:
        # Virtuoso's header, which clients of public endpoints already look for
        response.headers["X-SPARQL-MaxRows"] = str(result.truncated_at)
        response.headers["X-KG-Truncated"] = (
            f"only the first {result.truncated_at} {'triples' if result.kind == 'graph' else 'rows'} are sent; "
            + ROW_LIMIT_ADVICE
        )
    if media_type is not None:
        ext = extension(result.media_type)
        download = any(k == "download" and v not in ("", "0", "false") for k, v in params)
        response.headers["Content-Disposition"] = (
            f'{"attachment" if download else "inline"}; filename="query-result.{ext}"'
        )
    return response


def _update(update: str, params: list[tuple[str, str]]) -> Response:
    """Apply an update when the request carries the configured bearer token."""
    if request.method != "POST":
        raise QueryError(
            "updates must be sent with POST (update= in a form body, or an application/sparql-update body)"
        )
    token = current_app.config.get("UPDATE_TOKEN")
    if not token:
        raise UpdateForbidden(
            "this endpoint is read-only: updates are refused (the operator can set KG_UPDATE_TOKEN to allow them)"
        )
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise AuthenticationRequired(
            "updates need an Authorization: Bearer <token> header",
            headers={"WWW-Authenticate": 'Bearer realm="dsr-kg"'},
        )
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


def service_description(endpoint_url: str):
    """Return the SPARQL 1.1 Service Description of this endpoint as an rdflib Graph."""
    from rdflib import BNode, Graph, Literal, URIRef

    graph = Graph()
    graph.bind("sd", str(SD))
    graph.bind("void", str(VOID))
    graph.bind("dcterms", str(DCTERMS))
    service = URIRef(endpoint_url + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint_url)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if current_app.config.get("UPDATE_TOKEN"):
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add((service, SD.feature, SD.EmptyGraphs))
    graph.add((service, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple")))
    for media in MEDIA_TYPES:
        graph.add((service, SD.resultFormat, FORMATS[media.w3c]))
    graph.add((service, DCTERMS.license, URIRef(current_app.config["LICENSE"])))
    summary = dataset_summary()
    dataset = URIRef(url_for("metadata.void", _external=True) + "#dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    default = BNode("defaultGraph")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(summary["triples"], datatype=XSD.integer)))
    for name, count in summary["graphs"].items():
        digest = hashlib.sha256(name.encode()).hexdigest()[:12]
        named, inner = BNode("g" + digest), BNode("n" + digest)
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, Literal(count, datatype=XSD.integer)))
    return graph


def _describe_service(params: list[tuple[str, str]]) -> Response:
    from .query_page import index_page
    from .representation import negotiate_representation, rdflib_response

    chosen = negotiate_representation(
        params, ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples", HTML]
    )
    if chosen == HTML:
        return index_page()
    endpoint_url = url_for("sparql.endpoint", _external=True)
    return rdflib_response(service_description(endpoint_url), chosen)
