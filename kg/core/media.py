"""The one media-type table: every result and RDF format the endpoint, the CLI and the
linked-data pages speak, with its short names, file extension and the names its
serialisers know it by.

Everything else (offers per query form, ``format=`` names, aliases, the formats the
service description advertises) is derived from :data:`MEDIA_TYPES`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaType:
    """One format.

    Attributes:
        type: the media type (``text/turtle``).
        kind: ``results`` (SELECT/ASK results) or ``rdf`` (graphs).
        name: the canonical short name (``format=turtle``, ``kg query --format turtle``).
        extension: the file extension of downloads.
        oxigraph: the attribute of ``pyoxigraph.RdfFormat`` / ``QueryResultsFormat``.
        rdflib: the rdflib serialiser name (None for result formats).
        w3c: the local name in ``http://www.w3.org/ns/formats/``.
        names: other short names accepted for it.
        aliases: other media types clients send for it.
    """

    type: str
    kind: str
    name: str
    extension: str
    oxigraph: str
    rdflib: str | None
    w3c: str
    names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


HTML = "text/html"

MEDIA_TYPES: tuple[MediaType, ...] = (
    MediaType(
        "application/sparql-results+json",
        "results",
        "json",
        "srj",
        "JSON",
        None,
        "SPARQL_Results_JSON",
        ("srj",),
        ("application/json",),
    ),
    MediaType(
        "application/sparql-results+xml",
        "results",
        "xml",
        "srx",
        "XML",
        None,
        "SPARQL_Results_XML",
        ("srx",),
        ("application/xml", "text/xml"),
    ),
    MediaType("text/csv", "results", "csv", "csv", "CSV", None, "SPARQL_Results_CSV"),
    MediaType("text/tab-separated-values", "results", "tsv", "tsv", "TSV", None, "SPARQL_Results_TSV"),
    MediaType(
        "text/turtle",
        "rdf",
        "turtle",
        "ttl",
        "TURTLE",
        "turtle",
        "Turtle",
        ("ttl",),
        ("application/x-turtle", "text/n3"),
    ),
    MediaType(
        "application/n-triples", "rdf", "ntriples", "nt", "N_TRIPLES", "nt", "N-Triples", ("nt",), ("text/plain",)
    ),
    MediaType(
        "application/ld+json",
        "rdf",
        "jsonld",
        "jsonld",
        "JSON_LD",
        "json-ld",
        "JSON-LD",
        ("json-ld",),
        ("application/json+ld",),
    ),
    MediaType("application/rdf+xml", "rdf", "rdfxml", "rdf", "RDF_XML", "xml", "RDF_XML", ("rdf",)),
    MediaType("application/trig", "rdf", "trig", "trig", "TRIG", "trig", "TriG", (), ("application/x-trig",)),
    MediaType(
        "application/n-quads", "rdf", "nquads", "nq", "N_QUADS", "nquads", "N-Quads", ("nq",), ("text/x-nquads",)
    ),
)

BY_TYPE: dict[str, MediaType] = {m.type: m for m in MEDIA_TYPES}
#: SELECT/ASK results: media type → (short name, file extension), in order of preference.
RESULT_TYPES: dict[str, tuple[str, str]] = {m.type: (m.name, m.extension) for m in MEDIA_TYPES if m.kind == "results"}
#: CONSTRUCT/DESCRIBE and linked-data RDF: media type → (short name, file extension).
RDF_TYPES: dict[str, tuple[str, str]] = {m.type: (m.name, m.extension) for m in MEDIA_TYPES if m.kind == "rdf"}
#: Other media types clients send for the same thing.
ALIASES: dict[str, str] = {alias: m.type for m in MEDIA_TYPES for alias in m.aliases}
#: ``format=`` / ``output=`` names (for browsers and clients) → media type.
FORMAT_PARAM: dict[str, str] = {name: m.type for m in MEDIA_TYPES for name in (m.name, *m.names)} | {"html": HTML}
#: Offers per query form, best first when the client is indifferent.
SELECT_OFFER: list[str] = list(RESULT_TYPES)
GRAPH_OFFER: list[str] = list(RDF_TYPES)


#: ``format=`` / ``output=`` names whose meaning depends on the query form: ``xml`` is SPARQL
#: results XML for SELECT/ASK and RDF/XML for CONSTRUCT/DESCRIBE, ``json`` is SPARQL results
#: JSON or JSON-LD (what SPARQLWrapper, Fuseki and Virtuoso clients send).
_FORM_NAMES: dict[str, dict[str, str]] = {
    "results": {
        "xml": "application/sparql-results+xml",
        "json": "application/sparql-results+json",
        "application/json": "application/sparql-results+json",
        "application/xml": "application/sparql-results+xml",
        "text/xml": "application/sparql-results+xml",
    },
    "rdf": {
        "xml": "application/rdf+xml",
        "rdf+xml": "application/rdf+xml",
        "application/xml": "application/rdf+xml",
        "text/xml": "application/rdf+xml",
        "json": "application/ld+json",
        "application/json": "application/ld+json",
        "application/x-json+ld": "application/ld+json",
        "n3": "text/turtle",
        "text/n3": "text/turtle",
        "text/rdf+n3": "text/turtle",
        "application/n3": "text/turtle",
        "application/turtle": "text/turtle",
        "n-triples": "application/n-triples",
        "n-quads": "application/n-quads",
    },
}
#: Accept-header aliases per kind of result: ``application/json`` asks for JSON-LD and
#: ``application/xml`` for RDF/XML when the result is a graph.
KIND_ALIASES: dict[str, dict[str, str]] = {
    "results": ALIASES,
    "rdf": {
        **{a: t for a, t in ALIASES.items() if BY_TYPE[t].kind == "rdf"},
        **{k: v for k, v in _FORM_NAMES["rdf"].items() if "/" in k},
    },
}


def format_media_type(value: str, kind: str) -> str | None:
    """Return the media type a ``format=`` / ``output=`` value asks for, for a result of ``kind``.

    ``kind`` is ``results`` (SELECT/ASK) or ``rdf`` (CONSTRUCT/DESCRIBE). Short names
    (``json``, ``xml``, ``rdf+xml``, ``n3``, ``json-ld``, ``nt``, ``ttl`` …) and media types
    are accepted; a name that means something else for the other kind (``xml``, ``json``)
    is read for this one. Returns the media type, which may belong to the other kind
    (``turtle`` for a SELECT: the caller answers 406), or None for an unknown name.
    """
    key = value.strip().lower().split(";")[0].strip()
    if not key:
        return None
    if key in _FORM_NAMES.get(kind, {}):
        return _FORM_NAMES[kind][key]
    if key in FORMAT_PARAM and key != "html":
        return FORMAT_PARAM[key]
    if key in BY_TYPE:
        return key
    other = "rdf" if kind == "results" else "results"
    return _FORM_NAMES[other].get(key) or ALIASES.get(key)


def format_names(kind: str) -> list[str]:
    """Return the short ``format=`` names of one kind of result (for messages)."""
    return [m.name for m in MEDIA_TYPES if m.kind == kind]


def short_name(media_type: str) -> str:
    """Return the short name of a media type (``turtle``), ``html``, or the type itself."""
    if media_type == HTML:
        return "html"
    m = BY_TYPE.get(media_type)
    return m.name if m else media_type


def extension(media_type: str) -> str:
    """Return the download file extension of a media type (``txt`` when unknown)."""
    m = BY_TYPE.get(media_type)
    return m.extension if m else "txt"
