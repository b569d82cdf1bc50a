"""GraphML with typed keys (Cytoscape) and yEd node graphics."""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from .layout import layout
from .style import (
    attribute_type,
    check_lang,
    colour,
    edge_attribute_names,
    label,
    node_attribute_names,
    node_sizes,
    sorted_edges,
    xml_attr,
    xml_text,
)

if TYPE_CHECKING:
    import networkx as nx


def to_graphml(G: nx.Graph, *, lang: str = "en") -> bytes:
    """Serialise a view as GraphML with typed keys (Cytoscape) and yEd node graphics.

    Keys: ``label`` (in ``lang``), every node attribute, ``weight`` and the edge
    attributes, typed ``string``/``int``/``double``. Each node also has a yFiles
    ``ShapeNode`` (position, size, colour, label) so that yEd opens it laid out and
    labelled; other tools ignore it.
    """
    check_lang(lang)
    pos = layout(G)
    sizes = node_sizes(G, smallest=10.0, largest=60.0)
    node_names = node_attribute_names(G)
    edge_names = edge_attribute_names(G)
    gtype = {"integer": "int", "double": "double", "string": "string"}
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    w = out.append
    w(
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:y="http://www.yworks.com/xml/graphml" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd">'
    )
    w('  <key id="n_label" for="node" attr.name="label" attr.type="string"/>')
    for name in node_names:
        w(
            f'  <key id={xml_attr("n_" + name)} for="node" attr.name={xml_attr(name)} attr.type="{gtype[attribute_type(G, name)]}"/>'
        )
    w('  <key id="n_graphics" for="node" yfiles.type="nodegraphics"/>')
    w('  <key id="e_weight" for="edge" attr.name="weight" attr.type="int"/>')
    for name in edge_names:
        w(
            f'  <key id={xml_attr("e_" + name)} for="edge" attr.name={xml_attr(name)} attr.type="{gtype[attribute_type(G, name, edges=True)]}"/>'
        )
    w(f'  <graph id={xml_attr(G.graph.get("view", "view"))} edgedefault="undirected">')
    for node in sorted(G):
        data = G.nodes[node]
        text = label(data, lang, node)
        w(f"    <node id={xml_attr(node)}>")
        w(f'      <data key="n_label">{escape(xml_text(text))}</data>')
        for name in node_names:
            if name in data:
                w(f"      <data key={xml_attr('n_' + name)}>{escape(xml_text(data[name]))}</data>")
        x, y = pos.get(node, (0.0, 0.0))
        s = sizes.get(node, 10.0)
        w('      <data key="n_graphics"><y:ShapeNode>')
        w(
            f'        <y:Geometry height="{s:.1f}" width="{s:.1f}" x="{x * 600 - s / 2:.1f}" y="{-y * 600 - s / 2:.1f}"/>'
        )
        w(f'        <y:Fill color="{colour(str(data.get("type", "")))}" transparent="false"/>')
        w(f"        <y:NodeLabel>{escape(xml_text(text))}</y:NodeLabel>")
        w('        <y:Shape type="ellipse"/>')
        w("      </y:ShapeNode></data>")
        w("    </node>")
    for i, (u, v, data) in enumerate(sorted_edges(G)):
        w(f'    <edge id="e{i}" source={xml_attr(u)} target={xml_attr(v)}>')
        w(f'      <data key="e_weight">{int(data.get("weight", 1))}</data>')
        for name in edge_names:
            if name in data:
                w(f"      <data key={xml_attr('e_' + name)}>{escape(xml_text(data[name]))}</data>")
        w("    </edge>")
    w("  </graph>")
    w("</graphml>")
    return ("\n".join(out) + "\n").encode("utf-8")
