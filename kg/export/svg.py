"""SVG pictures of a view: nodes coloured by type and sized by a metric, labels, a legend."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from ..analysis.metrics import metric_label
from ..core.errors import ViewError
from ..core.iris import is_link_iri, is_link_target
from .labels import Placement, place_labels, text_width
from .layout import layout
from .style import (
    check_lang,
    colour,
    default_caption,
    label,
    node_card,
    node_sizes,
    present_types,
    sorted_edges,
    type_label,
    xml_attr,
    xml_text,
)

if TYPE_CHECKING:
    import networkx as nx

_FONT_SIZE = 11.0
_SVG_FONTS = "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Zen Hei','PingFang SC','Microsoft YaHei',sans-serif"


def to_svg(
    G: nx.Graph,
    *,
    lang: str = "en",
    width: int = 1000,
    height: int = 750,
    metric: str = "weighted_degree",
    href: Callable[[str], str | None] | None = None,
    title: str | None = None,
    standalone: bool = True,
) -> bytes:
    """Draw a view as SVG: nodes coloured by type and sized by ``metric``, labels, a legend.

    Each node is an ``<a>`` (link: ``href(iri)``, by default the IRI itself when it is an
    http, https or mailto IRI) with class ``node`` and ``data-id``/``data-type`` — or a ``<g>``
    with the same class and data when there is no safe link (``javascript:``, ``data:`` … IRIs), holding a circle with a ``<title>`` tooltip
    (labels and metrics); labels are placed by :func:`kg.export.labels.place_labels` (the
    ones that fit, by rank, each component's top node first, none clipped) in a ``labels``
    group after the nodes, each ``<text data-id=…>``.

    Args:
        G: a view with metrics.
        lang: label language.
        width, height: picture size in pixels.
        metric: node attribute that sizes the circles.
        href: maps an IRI to the link target, or None for no link.
        title: caption (default: the view title).
        standalone: start with an XML declaration (False to inline into HTML).
    """
    check_lang(lang)
    if width < 100 or height < 100 or width > 20000 or height > 20000:
        raise ViewError(f"picture size must be between 100 and 20000 pixels, not {width}×{height}")
    pos = layout(G)
    sizes = node_sizes(G, metric=metric, smallest=4.0, largest=22.0)
    margin, legend_h = 40.0, 36.0
    inner_w, inner_h = width - 2 * margin, height - 2 * margin - legend_h

    def xy(node: str) -> tuple[float, float]:
        x, y = pos.get(node, (0.0, 0.0))
        return margin + (x + 1) / 2 * inner_w, margin + legend_h + (1 - (y + 1) / 2) * inner_h

    labels = place_labels(
        G,
        xy,
        sizes,
        lambda v: label(G.nodes[v], lang, v),
        bounds=(4.0, margin + 6.0, width - 4.0, height - 4.0),
        font_size=_FONT_SIZE,
        metric=metric,
    )

    out: list[str] = []
    w = out.append
    if standalone:
        w('<?xml version="1.0" encoding="UTF-8"?>')
    caption = title if title is not None else default_caption(G, lang)
    w(
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" class="kg-view" '
        f'font-family="{_SVG_FONTS}" role="img" aria-label={xml_attr(caption)}>'
    )
    w(f"<title>{escape(xml_text(caption))}</title>")
    w('<rect width="100%" height="100%" fill="#ffffff"/>')
    _legend(w, G, margin, width, caption, metric, lang)
    _edges(w, G, xy, lang)
    _nodes(w, G, xy, sizes, href or _default_href, lang, labels)
    w("</svg>")
    return ("\n".join(out) + "\n").encode("utf-8")


Point = Callable[[str], tuple[float, float]]


def _default_href(iri: str) -> str | None:
    """Link a node to its IRI when that is a web IRI (never ``javascript:``, ``data:`` …)."""
    return iri if is_link_iri(iri) else None


def _legend(
    w: Callable[[str], None], G: nx.Graph, margin: float, width: int, caption: str, metric: str, lang: str
) -> None:
    """The node types present (in a fixed order, named in ``lang``) and the caption."""
    w('<g class="legend" font-size="13">')
    x = margin
    other = "en" if lang == "zh" else "zh"
    for t in present_types(G):
        name, second = type_label(t, lang), type_label(t, other)
        w(f'<circle cx="{x + 6:.1f}" cy="{margin / 2 + 6:.1f}" r="6" fill="{colour(t)}"/>')
        w(f'<text x="{x + 16:.1f}" y="{margin / 2 + 11:.1f}">{escape(name)}</text>')
        x += 20 + text_width(name, 13)
        if second != name:  # both languages, the label language first
            w(f'<text x="{x:.1f}" y="{margin / 2 + 11:.1f}" font-size="11" fill="#666">{escape(second)}</text>')
            x += text_width(second, 11)
        x += 12
    size_word = "大小" if lang == "zh" else "size"
    right = f"{xml_text(caption)} · {size_word}: {metric_label(metric, lang)}"
    if x + text_width(right, 13) < width - margin:  # no room next to a long legend: leave it out
        w(
            f'<text x="{width - margin:.1f}" y="{margin / 2 + 11:.1f}" text-anchor="end" fill="#555">{escape(right)}</text>'
        )
    w("</g>")


def _edges(w: Callable[[str], None], G: nx.Graph, xy: Point, lang: str = "en") -> None:
    """Edges as lines, wider for heavier edges; a typed relation's line carries ``data-relation``
    and a tooltip (its label, weight and, on a commitment, the actions in ``lang``)."""
    top_w = max((int(d.get("weight", 1)) for _, _, d in G.edges(data=True)), default=1)
    w('<g class="edges" stroke="#8a8a8a" stroke-opacity="0.45" stroke-linecap="round">')
    for u, v, data in sorted_edges(G):
        (x1, y1), (x2, y2) = xy(u), xy(v)
        weight = int(data.get("weight", 1))
        sw = 0.6 + 3.4 * (weight / top_w)
        head = (
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke-width="{sw:.2f}" '
            f'data-source={xml_attr(u)} data-target={xml_attr(v)} data-weight="{weight}"'
        )
        if not data.get("relation") or not data.get("label"):
            w(head + "/>")
            continue
        tip = [f"{label(G.nodes[u], lang, u)} — {data['label']} — {label(G.nodes[v], lang, v)}"]
        tip.append(f"{'权重' if lang == 'zh' else 'weight'}: {weight}")
        actions = data.get("actions_zh") if lang == "zh" else None
        if actions or data.get("actions"):
            tip.append(f"{'行动' if lang == 'zh' else 'actions'}: {actions or data['actions']}")
        text = escape(xml_text("\n".join(tip)))
        w(f"{head} data-relation={xml_attr(data['relation'])}><title>{text}</title></line>")
    w("</g>")


def _nodes(
    w: Callable[[str], None],
    G: nx.Graph,
    xy: Point,
    sizes: dict[str, float],
    link: Callable[[str], str | None],
    lang: str,
    shown: dict[str, Placement],
) -> None:
    """Nodes as linked circles with a tooltip; the labels that fit (``shown``); big nodes on top.

    Labels are drawn after every circle, so no circle hides a label.
    """
    w('<g class="nodes">')
    for node in sorted(G, key=lambda v: (sizes.get(v, 4.0), v)):
        data = G.nodes[node]
        cx, cy = xy(node)
        r = sizes.get(node, 4.0)
        target = link(node)
        if target is not None and not is_link_target(target):
            target = None  # never a javascript:, data: … link, whatever the callable returned
        tag = "a" if target is not None else "g"
        anchor = f"href={xml_attr(target)} xlink:href={xml_attr(target)} " if target is not None else ""
        w(f'<{tag} class="node" {anchor}data-id={xml_attr(node)} data-type={xml_attr(data.get("type", ""))}>')
        w(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{colour(str(data.get("type", "")))}" '
            f'stroke="#ffffff" stroke-width="1"><title>{escape(xml_text(node_card(data, lang)))}</title></circle>'
        )
        w(f"</{tag}>")
    w("</g>")
    w(f'<g class="labels" font-size="{_FONT_SIZE:g}" fill="#222" paint-order="stroke" stroke="#fff" stroke-width="3">')
    for node in sorted(shown):
        p = shown[node]
        anchor = "" if p.anchor == "start" else f' text-anchor="{p.anchor}"'
        w(
            f'<text x="{p.x:.1f}" y="{p.y:.1f}"{anchor} data-id={xml_attr(node)}>'
            f"{escape(xml_text(label(G.nodes[node], lang, node)))}</text>"
        )
    w("</g>")
