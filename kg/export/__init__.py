"""Exports of a view, one module per format (networkx's ``readwrite/<format>.py``):
GEXF (Gephi), GraphML (Cytoscape, yEd), CSV tables and a zip of both, node-link JSON,
and pictures (SVG written here, PNG through matplotlib's Agg backend).

Every export is deterministic for the same store: nodes and edges are written sorted,
the layout and the metrics use fixed seeds, floats are rounded, and no file carries the
time of export (GEXF's ``lastmodifieddate`` is the store's build date).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import ViewError
from .gexf import GEXF_VERSIONS, to_gexf
from .graphml import to_graphml
from .layout import layout
from .nodelink import to_json
from .png import cjk_font, to_png
from .style import TYPE_COLOURS, colour, label, labelled_nodes, node_sizes
from .svg import to_svg
from .tables import edges_csv, nodes_csv, to_zip

if TYPE_CHECKING:
    import networkx as nx

#: Export formats → (media type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "gexf": ("application/gexf+xml", "gexf"),
    "graphml": ("application/graphml+xml", "graphml"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "zip": ("application/zip", "zip"),
    "json": ("application/json", "json"),
    "svg": ("image/svg+xml", "svg"),
    "png": ("image/png", "png"),
}


def render(G: nx.Graph, fmt: str, *, lang: str = "en", summary: dict[str, Any] | None = None, **options: Any) -> bytes:
    """Serialise a view in one of :data:`FORMATS` (``csv`` gives the node table; see :func:`edges_csv`).

    Options: ``table`` (csv), ``bom`` (csv, zip: UTF-8 byte-order mark for Excel),
    ``gexf_version`` and ``dynamic`` (gexf), ``width``/``height``/``metric`` (pictures).

    Raises:
        ViewError: unknown format.
    """
    if fmt == "gexf":
        return to_gexf(G, lang=lang, version=options.get("gexf_version", "1.3"), dynamic=bool(options.get("dynamic")))
    if fmt == "graphml":
        return to_graphml(G, lang=lang)
    if fmt == "csv":
        table = options.get("table", "nodes")
        if table not in ("nodes", "edges"):
            raise ViewError(f"CSV table must be 'nodes' or 'edges', not {table!r}")
        bom = bool(options.get("bom"))
        return nodes_csv(G, lang=lang, bom=bom) if table == "nodes" else edges_csv(G, lang=lang, bom=bom)
    if fmt == "zip":
        return to_zip(G, lang=lang, bom=bool(options.get("bom")))
    if fmt == "json":
        return to_json(G, lang=lang, summary=summary)
    if fmt == "svg":
        return to_svg(
            G, lang=lang, **{k: v for k, v in options.items() if k in ("width", "height", "metric", "href", "title")}
        )
    if fmt == "png":
        return to_png(G, lang=lang, **{k: v for k, v in options.items() if k in ("width", "height", "metric", "title")})
    raise ViewError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")


__all__ = [
    "FORMATS",
    "GEXF_VERSIONS",
    "TYPE_COLOURS",
    "cjk_font",
    "colour",
    "edges_csv",
    "label",
    "labelled_nodes",
    "layout",
    "node_sizes",
    "nodes_csv",
    "render",
    "to_gexf",
    "to_graphml",
    "to_json",
    "to_png",
    "to_svg",
    "to_zip",
]
