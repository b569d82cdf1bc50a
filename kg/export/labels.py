"""Where node labels go in a picture: only labels that fit, by rank, none clipped.

Dense clusters (the signatory countries of the seed all link to each other) drew their
labels on top of one another, and labels near the border ran off the picture. Here
labels are placed greedily: first the top node of each connected component (so small
components are labelled too), then every other node by the sizing metric; each label
tries the right, left, top and bottom of its circle and takes the first place that stays
inside the picture and overlaps no label placed before. Nodes whose label does not fit
get none in the picture; the pages show it on hover (and every SVG node has a tooltip).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

Box = tuple[float, float, float, float]  #: x0, y0, x1, y1
_CELL = 64.0


@dataclass(frozen=True)
class Placement:
    """A label's anchor point (SVG text x/y: the baseline) and ``text-anchor``."""

    x: float
    y: float
    anchor: str  #: "start", "end" or "middle"
    box: Box


def text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` at font ``size`` (wide CJK characters count one em)."""
    width = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":
            width += size
        elif ch in "il.,:;'|!":
            width += 0.32 * size
        elif ch.isupper() or ch in "mwMW":
            width += 0.75 * size
        else:
            width += 0.62 * size
    return width


class _Grid:
    """Boxes bucketed in square cells, for overlap tests in about constant time."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[Box]] = {}

    def _keys(self, box: Box):
        for gx in range(int(box[0] // _CELL), int(box[2] // _CELL) + 1):
            for gy in range(int(box[1] // _CELL), int(box[3] // _CELL) + 1):
                yield gx, gy

    def overlaps(self, box: Box) -> bool:
        for key in self._keys(box):
            for other in self.cells.get(key, ()):
                if box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]:
                    return True
        return False

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(box)


def label_order(G: nx.Graph, metric: str = "weighted_degree") -> list[str]:
    """Nodes in the order labels are placed: each component's top node (largest component
    first), then the others by ``metric`` (ties by id)."""
    import networkx as nx

    def rank(v: str) -> tuple[float, str]:
        return (-float(G.nodes[v].get(metric, 0) or 0), v)

    components = sorted((sorted(c) for c in nx.connected_components(G)), key=lambda c: (-len(c), c[0]))
    firsts = [min(c, key=rank) for c in components]
    chosen = set(firsts)
    return firsts + sorted((v for v in G if v not in chosen), key=rank)


def place_labels(
    G: nx.Graph,
    xy: Callable[[str], tuple[float, float]],
    radius: dict[str, float],
    text: Callable[[str], str],
    *,
    bounds: Box,
    font_size: float = 11.0,
    metric: str = "weighted_degree",
    limit: int | None = None,
) -> dict[str, Placement]:
    """Return the placement of every label that fits (see the module docstring).

    Args:
        G: the view.
        xy: node → centre in picture coordinates.
        radius: node → circle radius.
        text: node → its label.
        bounds: the area labels must stay inside (x0, y0, x1, y1).
        font_size: label size in the picture's units.
        metric: the ranking metric.
        limit: at most this many labels (None: as many as fit).
    """
    placed: dict[str, Placement] = {}
    grid = _Grid()
    pad = 2.0
    # a generous line box around the baseline (CJK fonts reach further than Latin ones)
    ascent, descent = 0.95 * font_size, 0.3 * font_size
    for node in label_order(G, metric):
        if limit is not None and len(placed) >= limit:
            break
        label = text(node)
        if not label:
            continue
        x, y = xy(node)
        r = radius.get(node, 4.0)
        w = text_width(label, font_size)
        side = y + font_size * 0.35  # baseline of a label beside the circle, centred on it
        above = y - r - 3 - descent
        below = y + r + 3 + ascent
        candidates = (
            (x + r + 3, side, "start", (x + r + 3, side - ascent, x + r + 3 + w, side + descent)),
            (x - r - 3, side, "end", (x - r - 3 - w, side - ascent, x - r - 3, side + descent)),
            (x, above, "middle", (x - w / 2, above - ascent, x + w / 2, above + descent)),
            (x, below, "middle", (x - w / 2, below - ascent, x + w / 2, below + descent)),
        )
        for lx, ly, anchor, box in candidates:
            padded = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
            inside = box[0] >= bounds[0] and box[1] >= bounds[1] and box[2] <= bounds[2] and box[3] <= bounds[3]
            if inside and not grid.overlaps(padded):
                grid.add(padded)
                placed[node] = Placement(round(lx, 1), round(ly, 1), anchor, box)
                break
    return placed
