"""PNG pictures through matplotlib's Agg backend (same layout, colours and labels as SVG)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from ..analysis.metrics import metric_label
from ..core.errors import ViewError
from .labels import place_labels
from .layout import layout
from .style import check_lang, colour, default_caption, label, node_sizes, present_types, sorted_edges, type_label

if TYPE_CHECKING:
    import networkx as nx

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

    check_lang(lang)
    if width < 100 or height < 100 or width > 10000 or height > 10000:
        raise ViewError(f"picture size must be between 100 and 10000 pixels, not {width}×{height}")
    import logging

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    font = cjk_font()
    label_lang = lang
    if lang == "zh" and font is None:
        warnings.warn(
            "no CJK font installed (apt-get install fonts-noto-cjk); PNG labels fall back to English", stacklevel=2
        )
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
            _draw(ax, G, pos, sizes)
            _labels(fig, G, pos, sizes, label_lang, metric, width, height, dpi)
            _legend(fig, G, label_lang)
            caption = title if title is not None else default_caption(G, label_lang)
            size_word = "大小" if label_lang == "zh" else "size"
            fig.text(
                0.98,
                0.965,
                f"{caption} · {size_word}: {metric_label(metric, label_lang)}",
                ha="right",
                va="center",
                fontsize=11,
                color="#444444",
            )
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
        finally:
            plt.close(fig)
    return buffer.getvalue()


def _draw(ax, G: nx.Graph, pos: dict[str, tuple[float, float]], sizes: dict[str, float]) -> None:
    """Edges (wider when heavier), then nodes by size, big ones on top."""
    from matplotlib.collections import LineCollection

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


def _labels(fig, G: nx.Graph, pos, sizes, lang: str, metric: str, width: int, height: int, dpi: int) -> None:
    """The labels that fit (:func:`kg.export.labels.place_labels`, in pixels), as in the SVG."""
    from matplotlib import patheffects

    font_pt = 8.0
    px_per_pt = dpi / 72.0

    def xy(v: str) -> tuple[float, float]:
        x, y = pos[v]
        return width * (0.02 + 0.96 * (x + 1.08) / 2.16), height * (1 - (0.02 + 0.88 * (y + 1.08) / 2.16))

    radius = {v: sizes.get(v, 4.0) * 1.3 / 2 * px_per_pt for v in G}
    placed = place_labels(
        G,
        xy,
        radius,
        lambda v: label(G.nodes[v], lang, v),
        bounds=(2.0, height * 0.1, width - 2.0, height - 2.0),
        font_size=font_pt * px_per_pt,
        metric=metric,
    )
    align = {"start": "left", "end": "right", "middle": "center"}
    for v in sorted(placed):
        p = placed[v]
        fig.text(
            p.x / width,
            1 - p.y / height,
            label(G.nodes[v], lang, v),
            ha=align[p.anchor],
            va="baseline",
            fontsize=font_pt,
            color="#222222",
            zorder=3,
            path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
        )


def _legend(fig, G: nx.Graph, lang: str = "en") -> None:
    """One marker per node type present, named in ``lang`` (from the ontology)."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [0],
            [0],
            marker="o",
            linestyle="",
            markersize=9,
            markerfacecolor=colour(t),
            markeredgecolor="white",
            label=type_label(t, lang),
        )
        for t in present_types(G)
    ]
    if handles:
        fig.legend(handles=handles, loc="upper left", ncol=len(handles), frameon=False, fontsize=10)
