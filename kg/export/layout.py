"""A deterministic layout of a view: fixed seed, sorted input, components packed in rows."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..analysis.metrics import SEED
from .style import sorted_edges

if TYPE_CHECKING:
    import networkx as nx


def _component_layout(H: nx.Graph) -> dict[str, tuple[float, float]]:
    """Lay out one connected component inside the unit disc."""
    import networkx as nx

    n = H.number_of_nodes()
    if n == 1:
        return {next(iter(H)): (0.0, 0.0)}
    if n == 2:
        a, b = sorted(H)
        return {a: (-0.5, 0.0), b: (0.5, 0.0)}
    if n <= 60:
        pos = nx.kamada_kawai_layout(H, weight=None)
    else:
        # each iteration of the sparse spring layout costs ~0.2 ms per node here: fewer for big views
        iterations = 100 if n <= 500 else 50 if n <= 2000 else 15
        pos = nx.spring_layout(H, seed=SEED, weight="weight", iterations=iterations, k=1.6 / math.sqrt(n))
    xs = [float(p[0]) for p in pos.values()]
    ys = [float(p[1]) for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    radius = max(math.hypot(float(p[0]) - cx, float(p[1]) - cy) for p in pos.values()) or 1.0
    return {v: ((float(p[0]) - cx) / radius, (float(p[1]) - cy) / radius) for v, p in pos.items()}


def layout(G: nx.Graph) -> dict[str, tuple[float, float]]:
    """Return a deterministic 2-D layout in [-1, 1]² (fixed seed, sorted input).

    Each connected component is laid out on its own (Kamada–Kawai up to 60 nodes, else the
    weighted Fruchterman–Reingold spring layout seeded with :data:`kg.metrics.SEED`), then
    the components are packed in rows, largest first, each in a square whose side grows
    with the square root of its size, so that small islands do not squeeze the main one.
    """
    import networkx as nx

    if G.number_of_nodes() == 0:
        return {}
    H = nx.Graph()
    H.add_nodes_from(sorted(G))
    H.add_edges_from((u, v, {"weight": float(d.get("weight", 1))}) for u, v, d in sorted_edges(G))
    components = sorted((sorted(c) for c in nx.connected_components(H)), key=lambda c: (-len(c), c[0]))
    sides = [math.sqrt(len(c)) + 0.6 for c in components]
    row_width = max(*sides, math.sqrt(sum(s * s for s in sides)) * 1.15)
    pos: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for nodes, side in zip(components, sides):
        if x > 0 and x + side > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        # a fresh graph in sorted order: subgraph views iterate in set (hash-seed) order
        part = nx.Graph()
        part.add_nodes_from(nodes)
        members = set(nodes)
        part.add_edges_from((u, v, d) for u, v, d in sorted_edges(H) if u in members)
        local = _component_layout(part)
        half = side / 2
        inner = half - 0.3
        for v, (px, py) in local.items():
            pos[v] = (x + half + px * inner, -(y + half) + py * inner)
        x += side
        row_height = max(row_height, side)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    span_x = (max(xs) - min(xs)) / 2 or 1.0
    span_y = (max(ys) - min(ys)) / 2 or 1.0
    return {v: (round((p[0] - cx) / span_x, 5), round((p[1] - cy) / span_y, 5)) for v, p in pos.items()}
