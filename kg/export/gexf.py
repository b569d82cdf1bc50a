"""GEXF 1.3 (and 1.2draft) for Gephi, written by hand.

Not ``networkx.write_gexf``: NetworkX's output does not validate against the official
schema and is not reproducible (``tests/data/gexf/README.md`` lists what it gets wrong:
``graph/@name``, the misspelt XSI namespace in 1.3, today's date).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from .. import __version__
from ..core.errors import ViewError
from .layout import layout
from .style import (
    attribute_type,
    check_lang,
    colour,
    description,
    edge_attribute_names,
    label,
    node_attribute_names,
    node_sizes,
    rgb,
    sorted_edges,
    xml_attr,
    xml_text,
)

if TYPE_CHECKING:
    import networkx as nx

GEXF_VERSIONS: dict[str, tuple[str, str, str]] = {
    # version → (namespace, viz namespace, value of @version)
    "1.3": ("http://gexf.net/1.3", "http://gexf.net/1.3/viz", "1.3"),
    "1.2draft": ("http://www.gexf.net/1.2draft", "http://www.gexf.net/1.2draft/viz", "1.2"),
}


def to_gexf(G: nx.Graph, *, lang: str = "en", version: str = "1.3") -> bytes:
    """Serialise a view as GEXF that validates against the official schema and opens laid out in Gephi.

    Node attributes are declared with types (``string``, ``integer``, ``double``); each node
    has ``viz:color`` by type, ``viz:size`` by weighted degree and ``viz:position`` from
    :func:`layout`; edges carry ``weight``; the node label is in ``lang``.

    Args:
        G: a view (see :func:`kg.views.build_view`).
        lang: ``zh`` or ``en``.
        version: ``1.3`` (Gephi 0.9.3 and later) or ``1.2draft`` (older tools).

    Raises:
        ViewError: unknown language or version.
    """
    check_lang(lang)
    if version not in GEXF_VERSIONS:
        raise ViewError(f"GEXF version must be one of {', '.join(GEXF_VERSIONS)}, not {version!r}")
    ns, viz, version_value = GEXF_VERSIONS[version]
    node_names = node_attribute_names(G)
    edge_names = edge_attribute_names(G)
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>']
    w = out.append
    # No xsi:schemaLocation: the official 1.3 RELAX NG grammar does not allow it on <gexf>
    # (the XSD does); without it the file is valid under both.
    w(f'<gexf xmlns="{ns}" xmlns:viz="{viz}" version="{version_value}">')
    built = G.graph.get("built") or ""
    w(f'  <meta lastmodifieddate="{built}">' if re.fullmatch(r"\d{4}-\d{2}-\d{2}", built) else "  <meta>")
    w(f"    <creator>{escape(f'dsr-kg {__version__}')}</creator>")
    w(f"    <description>{escape(xml_text(description(G)))}</description>")
    keywords = f"dsr-kg, {G.graph.get('view', '')}, label={lang}"
    w(f"    <keywords>{escape(keywords)}</keywords>")
    w("  </meta>")
    w('  <graph defaultedgetype="undirected" mode="static" idtype="string">')
    w('    <attributes class="node" mode="static">')
    for name in node_names:
        w(f'      <attribute id={xml_attr(name)} title={xml_attr(name)} type="{attribute_type(G, name)}"/>')
    w("    </attributes>")
    if edge_names:
        w('    <attributes class="edge" mode="static">')
        for name in edge_names:
            w(
                f'      <attribute id={xml_attr(name)} title={xml_attr(name)} type="{attribute_type(G, name, edges=True)}"/>'
            )
        w("    </attributes>")
    _nodes(w, G, lang, node_names)
    _edges(w, G, edge_names)
    w("  </graph>")
    w("</gexf>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _nodes(w: Callable[[str], None], G: nx.Graph, lang: str, names: list[str]) -> None:
    """Nodes with their attribute values, colour by type, position from the layout, size by weighted degree."""
    pos = layout(G)
    sizes = node_sizes(G, smallest=5.0, largest=40.0)
    w(f'    <nodes count="{G.number_of_nodes()}">')
    for node in sorted(G):
        data = G.nodes[node]
        w(f"      <node id={xml_attr(node)} label={xml_attr(label(data, lang, node))}>")
        w("        <attvalues>")
        for name in names:
            if name in data:
                w(f"          <attvalue for={xml_attr(name)} value={xml_attr(data[name])}/>")
        w("        </attvalues>")
        r, g, b = rgb(colour(str(data.get("type", ""))))
        x, y = pos.get(node, (0.0, 0.0))
        w(f'        <viz:color r="{r}" g="{g}" b="{b}" a="1.0"/>')
        w(f'        <viz:position x="{x * 500:.3f}" y="{y * 500:.3f}" z="0.0"/>')
        w(f'        <viz:size value="{sizes.get(node, 5.0):.3f}"/>')
        w("      </node>")
    w("    </nodes>")


def _edges(w: Callable[[str], None], G: nx.Graph, names: list[str]) -> None:
    """Edges with their weight and attribute values."""
    w(f'    <edges count="{G.number_of_edges()}">')
    for i, (u, v, data) in enumerate(sorted_edges(G)):
        attrs = [name for name in names if name in data]
        weight = data.get("weight", 1)
        head = f'      <edge id="{i}" source={xml_attr(u)} target={xml_attr(v)} weight={xml_attr(weight)}'
        if not attrs:
            w(head + "/>")
            continue
        w(head + ">")
        w("        <attvalues>")
        for name in attrs:
            w(f"          <attvalue for={xml_attr(name)} value={xml_attr(data[name])}/>")
        w("        </attvalues>")
        w("      </edge>")
    w("    </edges>")
