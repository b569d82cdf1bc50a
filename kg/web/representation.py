"""How pages answer: content negotiation for pages and metadata (``format=`` wins over
Accept), conditional responses (ETag, Last-Modified) and rdflib serialisation."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from flask import Response, make_response, request

from ..core.errors import NotAcceptable
from ..core.media import BY_TYPE, FORMAT_PARAM, HTML, short_name
from ..core.negotiation import negotiate
from .context import body_etag
from .dataset import build_time

#: What the linked-data routes and metadata offer, curl's */* getting the first.
LD_OFFER = [
    "text/turtle",
    HTML,
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
]
#: The same without HTML (metadata documents that have no page).
RDF_OFFER = [m for m in LD_OFFER if m != HTML]


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
    return [short_name(m) for m in offered]


def cacheable(response: Response, *, last_modified: datetime | None = None) -> Response:
    """Add ``Vary: Accept``, a strong ETag of the body and Last-Modified; answer 304 when fresh."""
    response.vary.add("Accept")
    response.set_etag(body_etag(response.get_data()))
    response.last_modified = last_modified or build_time()
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return cast(Response, response.make_conditional(request))


def rdflib_response(graph, media_type: str, *, conditional: bool = True) -> Response:
    """Serialise an rdflib graph as ``media_type``."""
    fmt = BY_TYPE[media_type].rdflib
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
