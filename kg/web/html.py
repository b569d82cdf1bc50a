"""HTML rendering of text with its mentions marked and linked (links through :mod:`kg.web.links`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from markupsafe import Markup, escape

from .links import href, link


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
    for a, b in itertools.pairwise(bounds):
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
            html = str(link(href(inner.entity), Markup(html)))
            for s in reversed(cover):
                html = (
                    f'<mark class="mention m-{escape(s.type.lower())}" data-entity="{escape(s.entity)}" '
                    f'title="{escape(s.label)} ({escape(s.type)})">{html}</mark>'
                )
        out.append(html)
        for s in sorted(extra.get(b, ()), key=lambda s: s.entity):
            out.append(
                f'<sup><mark class="mention m-{escape(s.type.lower())}" data-entity="{escape(s.entity)}">'
                f"{link(href(s.entity), s.label, title=s.label)}</mark></sup>"
            )
    return Markup("".join(out))
