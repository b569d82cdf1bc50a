"""Exports of a view: GEXF (Gephi), GraphML (Cytoscape, yEd), CSV tables, node-link JSON,
and pictures (SVG written here, PNG through matplotlib's Agg backend).

Every export is deterministic for the same store: nodes and edges are written sorted,
the layout and the metrics use fixed seeds, floats are rounded, and no file carries the
time of export (GEXF's ``lastmodifieddate`` is the store's build date).

GEXF is written by hand, not with ``networkx.write_gexf``, because NetworkX's output does
not validate against the official schema and is not reproducible (``tests/data/gexf/README.md``
lists what it gets wrong: ``graph/@name``, the misspelt XSI namespace in 1.3, today's date).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from . import __version__
from .errors import ViewError
from .metrics import METRICS, SEED

if TYPE_CHECKING:
    import networkx as nx

#: Fixed colour of each node type (Tableau 10), used by GEXF, GraphML, SVG and PNG.
TYPE_COLOURS: dict[str, str] = {
    "Country": "#4E79A7",
    "Organisation": "#F28E2B",
    "Technology": "#E15759",
    "Sector": "#59A14F",
    "Clause": "#9C9C9C",
    "Document": "#B07AA1",
}
OTHER_COLOUR = "#76B7B2"
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
GEXF_VERSIONS: dict[str, tuple[str, str, str]] = {
    # version → (namespace, viz namespace, value of @version)
    "1.3": ("http://gexf.net/1.3", "http://gexf.net/1.3/viz", "1.3"),
    "1.2draft": ("http://www.gexf.net/1.2draft", "http://www.gexf.net/1.2draft/viz", "1.2"),
}
#: Node attributes in the order every export declares them.
NODE_ATTRIBUTES = ("type", "label_zh", "label_en", "iri", *METRICS, "document", "clause_number", "heading")
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)
_CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
_SVG_FONTS = "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Zen Hei','PingFang SC','Microsoft YaHei',sans-serif"
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ---------------------------------------------------------------- shared helpers


def colour(node_type: str) -> str:
    """Return the ``#RRGGBB`` colour of a node type."""
    return TYPE_COLOURS.get(node_type, OTHER_COLOUR)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _text(value: Any) -> str:
    """Return an attribute value as XML-safe text (floats in shortest round-trip form)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return _XML_BAD.sub("", str(value))


def _attr(value: Any) -> str:
    return quoteattr(_text(value), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def label(data: dict[str, Any], lang: str, default: str = "") -> str:
    """Return a node's label in ``lang`` (``zh``/``en``), falling back to the other language."""
    other = "en" if lang == "zh" else "zh"
    return str(data.get(f"label_{lang}") or data.get(f"label_{other}") or default)


def check_lang(lang: str) -> str:
    """Validate a label language.

    Raises:
        ViewError: not ``zh`` or ``en``.
    """
    if lang not in ("zh", "en"):
        raise ViewError(f"label language must be 'zh' or 'en', not {lang!r}")
    return lang


def node_attribute_names(G: nx.Graph) -> list[str]:
    """Return the node attribute names present in ``G``: the standard ones in order, then others sorted."""
    present: set[str] = set()
    for _, data in G.nodes(data=True):
        present.update(data)
    ordered = [a for a in NODE_ATTRIBUTES if a in present]
    return ordered + sorted(present - set(ordered))


def edge_attribute_names(G: nx.Graph) -> list[str]:
    """Return the edge attribute names besides ``weight``, sorted."""
    present: set[str] = set()
    for _, _, data in G.edges(data=True):
        present.update(data)
    present.discard("weight")
    return sorted(present)


def _attr_type(G: nx.Graph, name: str, edges: bool = False) -> str:
    """Return ``integer``, ``double`` or ``string`` for an attribute (by the Python types present)."""
    kinds: set[type] = set()
    items = (d for _, _, d in G.edges(data=True)) if edges else (d for _, d in G.nodes(data=True))
    for data in items:
        if name in data:
            kinds.add(type(data[name]))
    if kinds and kinds <= {int}:
        return "integer"
    if kinds and kinds <= {int, float}:
        return "double"
    return "string"


def sorted_edges(G: nx.Graph) -> list[tuple[str, str, dict[str, Any]]]:
    """Return the edges as ``(u, v, data)`` with ``u < v``, sorted."""
    out = []
    for u, v, data in G.edges(data=True):
        a, b = (u, v) if u <= v else (v, u)
        out.append((a, b, data))
    return sorted(out, key=lambda e: (e[0], e[1]))


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
    row_width = max(max(sides), math.sqrt(sum(s * s for s in sides)) * 1.15)
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


def node_sizes(G: nx.Graph, metric: str = "weighted_degree", smallest: float = 4.0, largest: float = 24.0) -> dict[str, float]:
    """Return node sizes between ``smallest`` and ``largest`` by the square root of ``metric``."""
    values = {v: float(d.get(metric, 0) or 0) for v, d in G.nodes(data=True)}
    top = max(values.values(), default=0.0)
    if top <= 0:
        return {v: smallest for v in values}
    return {v: round(smallest + (largest - smallest) * math.sqrt(max(x, 0.0) / top), 3) for v, x in values.items()}


def _description(G: nx.Graph) -> str:
    parts = [f"dsr-kg view {G.graph.get('view', '')}: {G.graph.get('title', '')}"]
    for key, name in (("documents", "documents"), ("types", "types")):
        if G.graph.get(key):
            parts.append(f"{name}={G.graph[key]}")
    if int(G.graph.get("min_weight", 1) or 1) > 1:
        parts.append(f"min_weight={G.graph['min_weight']}")
    return "; ".join(parts)


# ---------------------------------------------------------------- GEXF


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
    pos = layout(G)
    sizes = node_sizes(G, smallest=5.0, largest=40.0)
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
    w(f"    <description>{escape(_text(_description(G)))}</description>")
    keywords = f"dsr-kg, {G.graph.get('view', '')}, label={lang}"
    w(f"    <keywords>{escape(keywords)}</keywords>")
    w("  </meta>")
    w('  <graph defaultedgetype="undirected" mode="static" idtype="string">')
    w('    <attributes class="node" mode="static">')
    for name in node_names:
        w(f'      <attribute id={_attr(name)} title={_attr(name)} type="{_attr_type(G, name)}"/>')
    w("    </attributes>")
    if edge_names:
        w('    <attributes class="edge" mode="static">')
        for name in edge_names:
            w(f'      <attribute id={_attr(name)} title={_attr(name)} type="{_attr_type(G, name, edges=True)}"/>')
        w("    </attributes>")
    w(f'    <nodes count="{G.number_of_nodes()}">')
    for node in sorted(G):
        data = G.nodes[node]
        w(f"      <node id={_attr(node)} label={_attr(label(data, lang, node))}>")
        w("        <attvalues>")
        for name in node_names:
            if name in data:
                w(f"          <attvalue for={_attr(name)} value={_attr(data[name])}/>")
        w("        </attvalues>")
        r, g, b = _rgb(colour(str(data.get("type", ""))))
        x, y = pos.get(node, (0.0, 0.0))
        w(f'        <viz:color r="{r}" g="{g}" b="{b}" a="1.0"/>')
        w(f'        <viz:position x="{x * 500:.3f}" y="{y * 500:.3f}" z="0.0"/>')
        w(f'        <viz:size value="{sizes.get(node, 5.0):.3f}"/>')
        w("      </node>")
    w("    </nodes>")
    w(f'    <edges count="{G.number_of_edges()}">')
    for i, (u, v, data) in enumerate(sorted_edges(G)):
        attrs = [name for name in edge_names if name in data]
        weight = data.get("weight", 1)
        head = f'      <edge id="{i}" source={_attr(u)} target={_attr(v)} weight={_attr(weight)}'
        if not attrs:
            w(head + "/>")
            continue
        w(head + ">")
        w("        <attvalues>")
        for name in attrs:
            w(f"          <attvalue for={_attr(name)} value={_attr(data[name])}/>")
        w("        </attvalues>")
        w("      </edge>")
    w("    </edges>")
    w("  </graph>")
    w("</gexf>")
    return ("\n".join(out) + "\n").encode("utf-8")


# ---------------------------------------------------------------- GraphML


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
        w(f'  <key id={_attr("n_" + name)} for="node" attr.name={_attr(name)} attr.type="{gtype[_attr_type(G, name)]}"/>')
    w('  <key id="n_graphics" for="node" yfiles.type="nodegraphics"/>')
    w('  <key id="e_weight" for="edge" attr.name="weight" attr.type="int"/>')
    for name in edge_names:
        w(f'  <key id={_attr("e_" + name)} for="edge" attr.name={_attr(name)} attr.type="{gtype[_attr_type(G, name, edges=True)]}"/>')
    w(f"  <graph id={_attr(G.graph.get('view', 'view'))} edgedefault=\"undirected\">")
    for node in sorted(G):
        data = G.nodes[node]
        text = label(data, lang, node)
        w(f"    <node id={_attr(node)}>")
        w(f'      <data key="n_label">{escape(_text(text))}</data>')
        for name in node_names:
            if name in data:
                w(f"      <data key={_attr('n_' + name)}>{escape(_text(data[name]))}</data>")
        x, y = pos.get(node, (0.0, 0.0))
        s = sizes.get(node, 10.0)
        w('      <data key="n_graphics"><y:ShapeNode>')
        w(f'        <y:Geometry height="{s:.1f}" width="{s:.1f}" x="{x * 600 - s / 2:.1f}" y="{-y * 600 - s / 2:.1f}"/>')
        w(f'        <y:Fill color="{colour(str(data.get("type", "")))}" transparent="false"/>')
        w(f"        <y:NodeLabel>{escape(_text(text))}</y:NodeLabel>")
        w('        <y:Shape type="ellipse"/>')
        w("      </y:ShapeNode></data>")
        w("    </node>")
    for i, (u, v, data) in enumerate(sorted_edges(G)):
        w(f'    <edge id="e{i}" source={_attr(u)} target={_attr(v)}>')
        w(f'      <data key="e_weight">{int(data.get("weight", 1))}</data>')
        for name in edge_names:
            if name in data:
                w(f"      <data key={_attr('e_' + name)}>{escape(_text(data[name]))}</data>")
        w("    </edge>")
    w("  </graph>")
    w("</graphml>")
    return ("\n".join(out) + "\n").encode("utf-8")


# ---------------------------------------------------------------- CSV


def _csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else _text(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def nodes_csv(G: nx.Graph, *, lang: str = "en") -> bytes:
    """Return the node table (Gephi spreadsheet columns ``Id``, ``Label``, then the attributes)."""
    check_lang(lang)
    names = node_attribute_names(G)
    rows: list[list[Any]] = [["Id", "Label", *names]]
    for node in sorted(G):
        data = G.nodes[node]
        rows.append([node, label(data, lang, node), *(data.get(n, "") for n in names)])
    return _csv(rows)


def edges_csv(G: nx.Graph, *, lang: str = "en") -> bytes:
    """Return the edge table (Gephi columns ``Source``, ``Target``, ``Type``, ``Weight``, then attributes and labels)."""
    check_lang(lang)
    names = edge_attribute_names(G)
    rows: list[list[Any]] = [["Source", "Target", "Type", "Weight", *names, "source_label", "target_label"]]
    for u, v, data in sorted_edges(G):
        rows.append(
            [u, v, "Undirected", int(data.get("weight", 1)), *(data.get(n, "") for n in names), label(G.nodes[u], lang, u), label(G.nodes[v], lang, v)]
        )
    return _csv(rows)


def _zip_time(G: nx.Graph) -> tuple[int, int, int, int, int, int]:
    built = str(G.graph.get("built") or "")
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", built)
    if m and int(m.group(1)) >= 1980:
        return (int(m.group(1)), int(m.group(2)), int(m.group(3)), 0, 0, 0)
    return (1980, 1, 1, 0, 0, 0)


def to_zip(G: nx.Graph, *, lang: str = "en") -> bytes:
    """Return a zip with ``nodes.csv`` and ``edges.csv`` (fixed timestamps: byte-identical)."""
    buffer = io.BytesIO()
    stamp = _zip_time(G)
    view = G.graph.get("view", "view")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in ((f"{view}.nodes.csv", nodes_csv(G, lang=lang)), (f"{view}.edges.csv", edges_csv(G, lang=lang))):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, body)
    return buffer.getvalue()


# ---------------------------------------------------------------- JSON


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


# ---------------------------------------------------------------- pictures


def labelled_nodes(G: nx.Graph, limit: int = 60, metric: str = "weighted_degree") -> set[str]:
    """Return the nodes that get a visible label: all of a small view, else the top ``limit`` by ``metric``."""
    if G.number_of_nodes() <= limit:
        return set(G)
    ranked = sorted(G, key=lambda v: (-float(G.nodes[v].get(metric, 0) or 0), v))
    return set(ranked[:limit])


def _card(data: dict[str, Any], lang: str) -> str:
    lines = [f"{label(data, lang)} ({data.get('type', '')})"]
    other = label(data, "en" if lang == "zh" else "zh")
    if other and other != lines[0].split(" (")[0]:
        lines.append(other)
    if data.get("heading"):
        lines.append(str(data["heading"]))
    for metric in METRICS:
        if metric in data:
            lines.append(f"{metric}: {data[metric]}")
    lines.append(str(data.get("iri", "")))
    return "\n".join(lines)


def to_svg(
    G: nx.Graph,
    *,
    lang: str = "en",
    width: int = 1000,
    height: int = 750,
    metric: str = "weighted_degree",
    href: Callable[[str], str] | None = None,
    title: str | None = None,
    standalone: bool = True,
) -> bytes:
    """Draw a view as SVG: nodes coloured by type and sized by ``metric``, labels, a legend.

    Each node is an ``<a>`` (link: ``href(iri)``, by default the IRI itself) with class
    ``node`` and ``data-id``/``data-type``, holding a circle with a ``<title>`` tooltip
    (labels and metrics) and, for the largest nodes, a text label.

    Args:
        G: a view with metrics.
        lang: label language.
        width, height: picture size in pixels.
        metric: node attribute that sizes the circles.
        href: maps an IRI to the link target.
        title: caption (default: the view title).
        standalone: start with an XML declaration (False to inline into HTML).
    """
    check_lang(lang)
    if width < 100 or height < 100 or width > 20000 or height > 20000:
        raise ViewError(f"picture size must be between 100 and 20000 pixels, not {width}×{height}")
    link = href or (lambda iri: iri)
    pos = layout(G)
    sizes = node_sizes(G, metric=metric, smallest=4.0, largest=22.0)
    margin, legend_h = 40.0, 36.0
    inner_w, inner_h = width - 2 * margin, height - 2 * margin - legend_h

    def xy(node: str) -> tuple[float, float]:
        x, y = pos.get(node, (0.0, 0.0))
        return margin + (x + 1) / 2 * inner_w, margin + legend_h + (1 - (y + 1) / 2) * inner_h

    weights = [int(d.get("weight", 1)) for _, _, d in G.edges(data=True)]
    top_w = max(weights, default=1)
    shown = labelled_nodes(G, metric=metric)
    out: list[str] = []
    w = out.append
    if standalone:
        w('<?xml version="1.0" encoding="UTF-8"?>')
    caption = title if title is not None else str(G.graph.get("title") or G.graph.get("view") or "view")
    w(
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" class="kg-view" '
        f'font-family="{_SVG_FONTS}" role="img" aria-label={_attr(caption)}>'
    )
    w(f"<title>{escape(_text(caption))}</title>")
    w('<rect width="100%" height="100%" fill="#ffffff"/>')
    # legend: the node types present, in a fixed order
    present = sorted({str(t) for _, t in G.nodes(data="type", default="")}, key=lambda t: (list(TYPE_COLOURS).index(t) if t in TYPE_COLOURS else 99, t))
    w('<g class="legend" font-size="13">')
    x = margin
    for t in present:
        w(f'<circle cx="{x + 6:.1f}" cy="{margin / 2 + 6:.1f}" r="6" fill="{colour(t)}"/>')
        w(f'<text x="{x + 16:.1f}" y="{margin / 2 + 11:.1f}">{escape(t)}</text>')
        x += 26 + 8 * len(t)
    w(f'<text x="{width - margin:.1f}" y="{margin / 2 + 11:.1f}" text-anchor="end" fill="#555">{escape(_text(caption))} · size: {escape(metric)}</text>')
    w("</g>")
    w('<g class="edges" stroke="#8a8a8a" stroke-opacity="0.45" stroke-linecap="round">')
    for u, v, data in sorted_edges(G):
        (x1, y1), (x2, y2) = xy(u), xy(v)
        sw = 0.6 + 3.4 * (int(data.get("weight", 1)) / top_w)
        w(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke-width="{sw:.2f}" '
            f'data-source={_attr(u)} data-target={_attr(v)} data-weight="{int(data.get("weight", 1))}"/>'
        )
    w("</g>")
    w('<g class="nodes">')
    order = sorted(G, key=lambda v: (sizes.get(v, 4.0), v))  # big nodes drawn last, on top
    for node in order:
        data = G.nodes[node]
        cx, cy = xy(node)
        r = sizes.get(node, 4.0)
        target = link(node)
        w(
            f'<a class="node" href={_attr(target)} xlink:href={_attr(target)} data-id={_attr(node)} '
            f'data-type={_attr(data.get("type", ""))}>'
        )
        w(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{colour(str(data.get("type", "")))}" '
            f'stroke="#ffffff" stroke-width="1"><title>{escape(_text(_card(data, lang)))}</title></circle>'
        )
        if node in shown:
            w(
                f'<text x="{cx + r + 2:.1f}" y="{cy + 4:.1f}" font-size="11" fill="#222" '
                f'paint-order="stroke" stroke="#fff" stroke-width="3">{escape(_text(label(data, lang, node)))}</text>'
            )
        w("</a>")
    w("</g>")
    w("</svg>")
    return ("\n".join(out) + "\n").encode("utf-8")


def cjk_font() -> str | None:
    """Return the name of an installed font that has Chinese glyphs (for matplotlib), or None.

    Looks in matplotlib's font list, then registers known Debian font files
    (``fonts-noto-cjk``, ``fonts-wqy-zenhei`` …) installed after matplotlib built its cache.
    """
    import os

    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for candidate in CJK_FONTS:
        if candidate in names:
            return candidate
    for path in _CJK_FONT_FILES:
        if os.path.exists(path):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
            names = {f.name for f in font_manager.fontManager.ttflist}
            for candidate in CJK_FONTS:
                if candidate in names:
                    return candidate
    return None


def to_png(
    G: nx.Graph,
    *,
    lang: str = "en",
    width: int = 1600,
    height: int = 1200,
    metric: str = "weighted_degree",
    title: str | None = None,
) -> bytes:
    """Draw a view as a PNG of exactly ``width`` × ``height`` pixels with matplotlib (Agg).

    Same layout, colours and labels as :func:`to_svg`. Chinese labels need a CJK font
    (Debian ``fonts-noto-cjk`` or ``fonts-wqy-zenhei``); without one, ``zh`` pictures fall
    back to English labels (with a warning) rather than drawing empty boxes.
    """
    import warnings

    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    check_lang(lang)
    if width < 100 or height < 100 or width > 10000 or height > 10000:
        raise ViewError(f"picture size must be between 100 and 10000 pixels, not {width}×{height}")
    import logging

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    font = cjk_font()
    label_lang = lang
    if lang == "zh" and font is None:
        warnings.warn("no CJK font installed (apt-get install fonts-noto-cjk); PNG labels fall back to English", stacklevel=2)
        label_lang = "en"
    families = ([font] if font else []) + ["DejaVu Sans"]
    pos = layout(G)
    sizes = node_sizes(G, metric=metric, smallest=4.0, largest=22.0)
    dpi = 100
    with plt.rc_context({"font.family": families, "svg.hashsalt": "dsr-kg", "path.simplify": False}):
        fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        try:
            ax = fig.add_axes((0.02, 0.02, 0.96, 0.88))
            ax.set_axis_off()
            ax.set_xlim(-1.08, 1.08)
            ax.set_ylim(-1.08, 1.08)
            edges = sorted_edges(G)
            top_w = max((int(d.get("weight", 1)) for _, _, d in edges), default=1)
            if edges:
                segments = [[pos[u], pos[v]] for u, v, _ in edges]
                widths = [0.4 + 2.6 * int(d.get("weight", 1)) / top_w for _, _, d in edges]
                ax.add_collection(LineCollection(segments, linewidths=widths, colors="#8a8a8a", alpha=0.45, zorder=1))
            order = sorted(G, key=lambda v: (sizes.get(v, 4.0), v))
            if order:
                ax.scatter(
                    [pos[v][0] for v in order],
                    [pos[v][1] for v in order],
                    s=[(sizes[v] * 1.3) ** 2 for v in order],
                    c=[colour(str(G.nodes[v].get("type", ""))) for v in order],
                    edgecolors="white",
                    linewidths=0.8,
                    zorder=2,
                )
            for v in sorted(labelled_nodes(G, metric=metric)):
                x, y = pos[v]
                ax.annotate(
                    label(G.nodes[v], label_lang, v),
                    (x, y),
                    xytext=(sizes.get(v, 4.0) * 0.9 + 2, -3),
                    textcoords="offset points",
                    fontsize=8,
                    color="#222222",
                    zorder=3,
                )
            present = sorted(
                {str(t) for _, t in G.nodes(data="type", default="")},
                key=lambda t: (list(TYPE_COLOURS).index(t) if t in TYPE_COLOURS else 99, t),
            )
            handles = [Line2D([0], [0], marker="o", linestyle="", markersize=9, markerfacecolor=colour(t), markeredgecolor="white", label=t) for t in present]
            if handles:
                fig.legend(handles=handles, loc="upper left", ncol=len(handles), frameon=False, fontsize=10)
            caption = title if title is not None else str(G.graph.get("title") or G.graph.get("view") or "")
            fig.text(0.98, 0.965, f"{caption} · size: {metric}", ha="right", va="center", fontsize=11, color="#444444")
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
        finally:
            plt.close(fig)
    return buffer.getvalue()


# ---------------------------------------------------------------- dispatch


def render(G: nx.Graph, fmt: str, *, lang: str = "en", summary: dict[str, Any] | None = None, **options: Any) -> bytes:
    """Serialise a view in one of :data:`FORMATS` (``csv`` gives the node table; see :func:`edges_csv`).

    Raises:
        ViewError: unknown format.
    """
    if fmt == "gexf":
        return to_gexf(G, lang=lang, version=options.get("gexf_version", "1.3"))
    if fmt == "graphml":
        return to_graphml(G, lang=lang)
    if fmt == "csv":
        table = options.get("table", "nodes")
        if table not in ("nodes", "edges"):
            raise ViewError(f"CSV table must be 'nodes' or 'edges', not {table!r}")
        return nodes_csv(G, lang=lang) if table == "nodes" else edges_csv(G, lang=lang)
    if fmt == "zip":
        return to_zip(G, lang=lang)
    if fmt == "json":
        return to_json(G, lang=lang, summary=summary)
    if fmt == "svg":
        return to_svg(G, lang=lang, **{k: v for k, v in options.items() if k in ("width", "height", "metric", "href", "title")})
    if fmt == "png":
        return to_png(G, lang=lang, **{k: v for k, v in options.items() if k in ("width", "height", "metric", "title")})
    raise ViewError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
