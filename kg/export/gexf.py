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

#: Node attributes written under another name in GEXF. ``type`` is reserved by sigma.js
#: (and so by Gephi Lite and every graphology viewer): it selects the node's drawing
#: program, so a GEXF with a ``type`` attribute of ``Country`` makes sigma throw "could not
#: find a suitable program for node type". ``node_type`` is reserved by no viewer we know
#: (sigma, Gephi, Gephi Lite, Cytoscape, yEd, NetworkX) and partitions the same in Gephi.
GEXF_ATTRIBUTE_NAMES: dict[str, str] = {"type": "node_type"}

GEXF_VERSIONS: dict[str, tuple[str, str, str]] = {
    # version → (namespace, viz namespace, value of @version)
    "1.3": ("http://gexf.net/1.3", "http://gexf.net/1.3/viz", "1.3"),
    "1.2draft": ("http://www.gexf.net/1.2draft", "http://www.gexf.net/1.2draft/viz", "1.2"),
}


def to_gexf(G: nx.Graph, *, lang: str = "en", version: str = "1.3", dynamic: bool = False) -> bytes:
    """Serialise a view as GEXF that validates against the official schema and opens laid out in Gephi.

    Node attributes are declared with types (``string``, ``integer``, ``double``); the node
    type is the attribute ``node_type`` (:data:`GEXF_ATTRIBUTE_NAMES`: ``type`` is reserved
    by sigma.js and other graphology viewers); each node
    has ``viz:color`` by type, ``viz:size`` by weighted degree and ``viz:position`` from
    :func:`layout`; edges carry ``weight`` and, on a typed relation, GEXF's own edge
    ``label`` (``应用于 applied in``) besides the attribute ``relation`` (``appliedIn``),
    which Gephi's partition filter splits edges by; the node label is in ``lang``.

    Args:
        G: a view (see :func:`kg.views.build_view`).
        lang: ``zh`` or ``en``.
        version: ``1.3`` (Gephi 0.9.3 and later) or ``1.2draft`` (older tools).
        dynamic: a dynamic graph for Gephi's timeline (GEXF 1.3, ``timerepresentation=
            "interval"``, ``timeformat="date"``): each node and edge with a ``first_date``
            (:func:`kg.analysis.timeline.add_first_dates`) gets one spell starting then
            and never ending, so the timeline plays how the network grows from document
            to document; an element without a date has no spell (always present).

    Raises:
        ViewError: unknown language or version, or ``dynamic`` with GEXF 1.2draft.
    """
    check_lang(lang)
    if version not in GEXF_VERSIONS:
        raise ViewError(f"GEXF version must be one of {', '.join(GEXF_VERSIONS)}, not {version!r}")
    if dynamic and version != "1.3":
        raise ViewError("a dynamic GEXF (timeline) needs GEXF 1.3; leave out --gexf-version 1.2draft")
    ns, viz, version_value = GEXF_VERSIONS[version]
    node_names = node_attribute_names(G)
    # an edge's ``label`` is GEXF's own edge label (Gephi shows it on the edge), not a column
    edge_names = [name for name in edge_attribute_names(G) if name != "label"]
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
    if dynamic:
        w(
            '  <graph defaultedgetype="undirected" mode="dynamic" idtype="string" timeformat="date" '
            'timerepresentation="interval">'
        )
    else:
        w('  <graph defaultedgetype="undirected" mode="static" idtype="string">')
    w('    <attributes class="node" mode="static">')
    for name in node_names:
        shown = GEXF_ATTRIBUTE_NAMES.get(name, name)
        w(f'      <attribute id={xml_attr(shown)} title={xml_attr(shown)} type="{attribute_type(G, name)}"/>')
    w("    </attributes>")
    if edge_names:
        w('    <attributes class="edge" mode="static">')
        for name in edge_names:
            w(
                f'      <attribute id={xml_attr(name)} title={xml_attr(name)} type="{attribute_type(G, name, edges=True)}"/>'
            )
        w("    </attributes>")
    _nodes(w, G, lang, node_names, dynamic)
    _edges(w, G, edge_names, dynamic)
    w("  </graph>")
    w("</gexf>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _spell(w: Callable[[str], None], data: dict, indent: str) -> None:
    """One open-ended spell from the element's ``first_date`` (nothing without one)."""
    day = data.get("first_date")
    if day and re.fullmatch(r"-?\d{4,}-\d{2}-\d{2}", str(day)):
        w(f'{indent}<spells><spell start="{day}"/></spells>')


def _nodes(w: Callable[[str], None], G: nx.Graph, lang: str, names: list[str], dynamic: bool = False) -> None:
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
                shown = GEXF_ATTRIBUTE_NAMES.get(name, name)
                w(f"          <attvalue for={xml_attr(shown)} value={xml_attr(data[name])}/>")
        w("        </attvalues>")
        if dynamic:
            _spell(w, data, "        ")
        r, g, b = rgb(colour(str(data.get("type", ""))))
        x, y = pos.get(node, (0.0, 0.0))
        w(f'        <viz:color r="{r}" g="{g}" b="{b}" a="1.0"/>')
        w(f'        <viz:position x="{x * 500:.3f}" y="{y * 500:.3f}" z="0.0"/>')
        w(f'        <viz:size value="{sizes.get(node, 5.0):.3f}"/>')
        w("      </node>")
    w("    </nodes>")


def _edges(w: Callable[[str], None], G: nx.Graph, names: list[str], dynamic: bool = False) -> None:
    """Edges with their label (a typed relation's name), weight and attribute values."""
    w(f'    <edges count="{G.number_of_edges()}">')
    for i, (u, v, data) in enumerate(sorted_edges(G)):
        attrs = [name for name in names if name in data]
        weight = data.get("weight", 1)
        head = f'      <edge id="{i}" source={xml_attr(u)} target={xml_attr(v)}'
        if data.get("label"):
            head += f" label={xml_attr(data['label'])}"
        head += f" weight={xml_attr(weight)}"
        timed = dynamic and data.get("first_date")
        if not attrs and not timed:
            w(head + "/>")
            continue
        w(head + ">")
        if attrs:
            w("        <attvalues>")
            for name in attrs:
                w(f"          <attvalue for={xml_attr(name)} value={xml_attr(data[name])}/>")
            w("        </attvalues>")
        if timed:
            _spell(w, data, "        ")
        w("      </edge>")
    w("    </edges>")
