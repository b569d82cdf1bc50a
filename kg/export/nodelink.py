"""Node-link JSON (``networkx.node_link_data``) with labels and layout positions."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .layout import layout
from .style import check_lang, label, sorted_edges

if TYPE_CHECKING:
    import networkx as nx


def to_json(G: nx.Graph, *, lang: str = "en", summary: dict[str, Any] | None = None) -> bytes:
    """Return node-link JSON (``networkx.node_link_data``, ``edges`` key) with sorted keys.

    Nodes also get ``label`` (in ``lang``) and their layout position ``x``/``y``; the graph
    object carries the view name, filters and (if given) the summary.
    """
    import networkx as nx

    check_lang(lang)
    H = nx.Graph()
    H.graph.update(G.graph)
    if summary is not None:
        H.graph["summary"] = summary
    pos = layout(G)
    for node in sorted(G):
        data = dict(G.nodes[node])
        data["label"] = label(data, lang, node)
        data["x"], data["y"] = pos.get(node, (0.0, 0.0))
        H.add_node(node, **data)
    for u, v, data in sorted_edges(G):
        H.add_edge(u, v, **data)
    payload = nx.node_link_data(H, edges="edges")
    return (json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")
