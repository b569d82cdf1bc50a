"""Node and edge tables as CSV (Gephi's spreadsheet import), and both in a zip.

UTF-8 without a byte-order mark by default (what Gephi, pandas and R expect). ``bom=True``
writes the UTF-8 BOM first: Excel needs it to read Chinese labels as UTF-8 instead of the
system code page (it shows 人工智能 as ``äººå·¥æ™ºèƒ½`` without it).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import TYPE_CHECKING, Any

from .style import check_lang, edge_attribute_names, label, node_attribute_names, sorted_edges, xml_text

if TYPE_CHECKING:
    import networkx as nx


#: The UTF-8 byte-order mark Excel looks for.
BOM = "\ufeff".encode()


def _csv(rows: list[list[Any]], bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else xml_text(v) for v in row])
    return (BOM if bom else b"") + buffer.getvalue().encode("utf-8")


def nodes_csv(G: nx.Graph, *, lang: str = "en", bom: bool = False) -> bytes:
    """Return the node table (Gephi spreadsheet columns ``Id``, ``Label``, then the attributes)."""
    check_lang(lang)
    names = node_attribute_names(G)
    rows: list[list[Any]] = [["Id", "Label", *names]]
    for node in sorted(G):
        data = G.nodes[node]
        rows.append([node, label(data, lang, node), *(data.get(n, "") for n in names)])
    return _csv(rows, bom)


def edges_csv(G: nx.Graph, *, lang: str = "en", bom: bool = False) -> bytes:
    """Return the edge table (Gephi columns ``Source``, ``Target``, ``Type``, ``Weight``, then attributes and labels)."""
    check_lang(lang)
    names = edge_attribute_names(G)
    rows: list[list[Any]] = [["Source", "Target", "Type", "Weight", *names, "source_label", "target_label"]]
    for u, v, data in sorted_edges(G):
        rows.append(
            [
                u,
                v,
                "Undirected",
                int(data.get("weight", 1)),
                *(data.get(n, "") for n in names),
                label(G.nodes[u], lang, u),
                label(G.nodes[v], lang, v),
            ]
        )
    return _csv(rows, bom)


def _zip_time(G: nx.Graph) -> tuple[int, int, int, int, int, int]:
    built = str(G.graph.get("built") or "")
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", built)
    if m and int(m.group(1)) >= 1980:
        return (int(m.group(1)), int(m.group(2)), int(m.group(3)), 0, 0, 0)
    return (1980, 1, 1, 0, 0, 0)


def to_zip(G: nx.Graph, *, lang: str = "en", bom: bool = False) -> bytes:
    """Return a zip with ``nodes.csv`` and ``edges.csv`` (fixed timestamps: byte-identical)."""
    buffer = io.BytesIO()
    stamp = _zip_time(G)
    view = G.graph.get("view", "view")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in (
            (f"{view}.nodes.csv", nodes_csv(G, lang=lang, bom=bom)),
            (f"{view}.edges.csv", edges_csv(G, lang=lang, bom=bom)),
        ):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, body)
    return buffer.getvalue()
