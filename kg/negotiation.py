"""Content negotiation as tables: media type → format, and one Accept parser with q-values.

Pure functions, no Flask: the web layer, the query engine and the CLI share them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import NotAcceptable

#: SELECT/ASK results: media type → (short name, file extension)
RESULT_TYPES: dict[str, tuple[str, str]] = {
    "application/sparql-results+json": ("json", "srj"),
    "application/sparql-results+xml": ("xml", "srx"),
    "text/csv": ("csv", "csv"),
    "text/tab-separated-values": ("tsv", "tsv"),
}
#: CONSTRUCT/DESCRIBE and linked-data RDF: media type → (short name, file extension)
RDF_TYPES: dict[str, tuple[str, str]] = {
    "text/turtle": ("turtle", "ttl"),
    "application/n-triples": ("ntriples", "nt"),
    "application/ld+json": ("jsonld", "jsonld"),
    "application/rdf+xml": ("rdfxml", "rdf"),
    "application/trig": ("trig", "trig"),
    "application/n-quads": ("nquads", "nq"),
}
#: Aliases clients send for the same thing.
ALIASES: dict[str, str] = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json+ld": "application/ld+json",
    "application/x-trig": "application/trig",
    "text/x-nquads": "application/n-quads",
}
#: ``format=`` parameter values (for browsers) → media type.
FORMAT_PARAM: dict[str, str] = {
    **{short: mt for mt, (short, _) in RESULT_TYPES.items()},
    **{short: mt for mt, (short, _) in RDF_TYPES.items()},
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "srj": "application/sparql-results+json",
    "srx": "application/sparql-results+xml",
    "html": "text/html",
}


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    q: float
    order: int

    def matches(self, media_type: str) -> bool:
        """True when this range covers ``media_type``."""
        if self.type in ("*/*", media_type):
            return True
        major = self.type.split("/", 1)[0]
        return self.type.endswith("/*") and media_type.startswith(major + "/")

    @property
    def specificity(self) -> int:
        """2 for type/subtype, 1 for type/*, 0 for */*."""
        return 0 if self.type == "*/*" else 1 if self.type.endswith("/*") else 2


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header into media ranges (aliases resolved), best first."""
    if not header or not header.strip():
        return [MediaRange("*/*", 1.0, 0)]
    ranges = []
    for order, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else media + "/*"
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(ALIASES.get(media, media), q, order))
    return sorted(ranges, key=lambda r: (-r.q, -r.specificity, r.order))


def negotiate(header: str | None, offered: list[str], default: str | None = None) -> str:
    """Choose the offered media type the Accept header likes best.

    The quality of a type is that of the most specific range covering it (RFC 9110);
    ties go to the order of ``offered``.

    Raises:
        NotAcceptable: every offered type has quality 0 or is not covered.
    """
    ranges = parse_accept(header)
    best, best_q = None, 0.0
    for media_type in offered:
        covering = [r for r in ranges if r.matches(media_type)]
        if not covering:
            continue
        top = max(covering, key=lambda r: (r.specificity, -r.order))
        if top.q > best_q:
            best, best_q = media_type, top.q
    if best is None:
        if default and not header:
            return default
        raise NotAcceptable(
            f"none of the requested types ({header}) can be produced; available: {', '.join(offered)}"
        )
    return best


def prefers_html(header: str | None) -> bool:
    """True when a browser-style Accept header ranks text/html at least as high as any RDF type."""
    if not header:
        return False
    try:
        chosen = negotiate(header, ["text/html", *RDF_TYPES, *RESULT_TYPES])
    except NotAcceptable:
        return False
    return chosen == "text/html"
