"""What every export shares: node colours, label choice, attribute names and types,
XML-safe text, sizes and the picture labels."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr

from ..analysis.metrics import METRICS
from ..core.errors import ViewError

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
    "Parties": "#EDC948",
    "Group": "#BAB0AC",
    "PolicyArea": "#17BECF",
}
OTHER_COLOUR = "#76B7B2"
#: Colours for node types added later (GovernmentBody, Event, Place …), picked by name.
EXTRA_COLOURS = ("#76B7B2", "#EDC948", "#FF9DA7", "#9C755F", "#BAB0AC", "#17BECF", "#BCBD22")

#: Node attributes in the order every export declares them.
NODE_ATTRIBUTES = (
    "type",
    "label_zh",
    "label_en",
    "iri",
    *METRICS,
    "document",
    "clause_number",
    "heading",
    "first_date",
)
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def colour(node_type: str) -> str:
    """Return the ``#RRGGBB`` colour of a node type (a stable pick from :data:`EXTRA_COLOURS` for new types)."""
    if node_type in TYPE_COLOURS:
        return TYPE_COLOURS[node_type]
    if not node_type:
        return OTHER_COLOUR
    import zlib

    return EXTRA_COLOURS[zlib.crc32(node_type.encode("utf-8")) % len(EXTRA_COLOURS)]


def type_label(node_type: str, lang: str) -> str:
    """Return the name of a node type in ``zh`` or ``en``, from the ontology's rdfs:label."""
    from ..core.resources import class_labels

    labels = class_labels().get(node_type, {})
    return labels.get(lang) or labels.get("en") or node_type


def present_types(G: nx.Graph) -> list[str]:
    """Return the node types of a view in legend order (the colour table's order, then by name)."""
    order = list(TYPE_COLOURS)
    return sorted(
        {str(t) for _, t in G.nodes(data="type", default="")}, key=lambda t: (order.index(t) if t in order else 99, t)
    )


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """Return the (red, green, blue) bytes of a ``#RRGGBB`` colour."""
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def xml_text(value: Any) -> str:
    """Return an attribute value as XML-safe text (floats in shortest round-trip form)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return _XML_BAD.sub("", str(value))


def xml_attr(value: Any) -> str:
    """Return a value as a quoted XML attribute value (newlines and tabs kept as character references)."""
    return quoteattr(xml_text(value), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


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


def attribute_type(G: nx.Graph, name: str, edges: bool = False) -> str:
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


def node_sizes(
    G: nx.Graph, metric: str = "weighted_degree", smallest: float = 4.0, largest: float = 24.0
) -> dict[str, float]:
    """Return node sizes between ``smallest`` and ``largest`` by the square root of ``metric``."""
    values = {v: float(d.get(metric, 0) or 0) for v, d in G.nodes(data=True)}
    top = max(values.values(), default=0.0)
    if top <= 0:
        return dict.fromkeys(values, smallest)
    return {v: round(smallest + (largest - smallest) * math.sqrt(max(x, 0.0) / top), 3) for v, x in values.items()}


def default_caption(G: nx.Graph, lang: str) -> str:
    """The view's title in ``lang`` (``title_zh`` for Chinese when the view has one)."""
    if lang == "zh" and G.graph.get("title_zh"):
        return str(G.graph["title_zh"])
    return str(G.graph.get("title") or G.graph.get("view") or "view")


def description(G: nx.Graph) -> str:
    parts = [f"dsr-kg view {G.graph.get('view', '')}: {G.graph.get('title', '')}"]
    for key, name in (("documents", "documents"), ("types", "types")):
        if G.graph.get(key):
            parts.append(f"{name}={G.graph[key]}")
    if int(G.graph.get("min_weight", 1) or 1) > 1:
        parts.append(f"min_weight={G.graph['min_weight']}")
    return "; ".join(parts)


def labelled_nodes(G: nx.Graph, limit: int = 60, metric: str = "weighted_degree") -> set[str]:
    """Return the nodes that get a visible label: all of a small view, else the top ``limit`` by ``metric``."""
    if G.number_of_nodes() <= limit:
        return set(G)
    ranked = sorted(G, key=lambda v: (-float(G.nodes[v].get(metric, 0) or 0), v))
    return set(ranked[:limit])


def node_card(data: dict[str, Any], lang: str) -> str:
    """The tooltip of a node: both labels, its type and metrics named in ``lang`` (with their keys), its IRI."""
    from ..analysis.metrics import metric_label

    node_type = str(data.get("type", ""))
    first = label(data, lang)
    lines = [f"{first} ({type_label(node_type, lang)})"]
    other = label(data, "en" if lang == "zh" else "zh")
    if other and other != first:
        lines.append(other)
    if data.get("heading"):
        lines.append(str(data["heading"]))
    for metric in METRICS:
        if metric in data:
            name = metric_label(metric, lang)
            lines.append(f"{name}{'' if name == metric else f' ({metric})'}: {data[metric]}")
    lines.append(str(data.get("iri", "")))
    return "\n".join(lines)
