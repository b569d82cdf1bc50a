"""Content negotiation as tables: media type → format, and one Accept parser with q-values.

Pure functions, no Flask: the web layer, the query engine and the CLI share them. The
tables themselves are in :mod:`kg.core.media`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import NotAcceptable
from .media import ALIASES, HTML, RDF_TYPES, RESULT_TYPES


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


def parse_accept(header: str | None, aliases: Mapping[str, str] = ALIASES) -> list[MediaRange]:
    """Parse an Accept header into media ranges (``aliases`` resolved), best first."""
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
        ranges.append(MediaRange(aliases.get(media, media), q, order))
    return sorted(ranges, key=lambda r: (-r.q, -r.specificity, r.order))


def negotiate(
    header: str | None, offered: list[str], default: str | None = None, aliases: Mapping[str, str] = ALIASES
) -> str:
    """Choose the offered media type the Accept header likes best.

    The quality of a type is that of the most specific range covering it (RFC 9110);
    ties go to the order of ``offered``. ``aliases`` maps other media types clients send
    onto offered ones (for graphs, :data:`kg.core.media.KIND_ALIASES` reads
    ``application/json`` as JSON-LD).

    Raises:
        NotAcceptable: every offered type has quality 0 or is not covered.
    """
    ranges = parse_accept(header, aliases)
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
        raise NotAcceptable(f"none of the requested types ({header}) can be produced; available: {', '.join(offered)}")
    return best


def prefers_html(header: str | None) -> bool:
    """True when a browser-style Accept header ranks text/html at least as high as any RDF type."""
    if not header:
        return False
    try:
        chosen = negotiate(header, [HTML, *RDF_TYPES, *RESULT_TYPES])
    except NotAcceptable:
        return False
    return chosen == HTML
