"""Node metrics and the summary of a view (NetworkX).

Metrics are written onto the nodes as plain ``int``/``float`` attributes:

==================  ==========================================================================
degree              number of neighbours (int)
weighted_degree     sum of the weights of the node's edges (int)
pagerank            PageRank over the edge weights (float, sums to 1 over the view)
betweenness         normalised shortest-path betweenness, unweighted (edge weights are
                    strengths, not distances); exact up to :data:`BETWEENNESS_EXACT_MAX_NODES`
                    nodes, above that estimated from :data:`BETWEENNESS_SAMPLES` source
                    nodes drawn with the fixed :data:`SEED`
community           Louvain community (weighted, fixed seed), numbered 0, 1, … by size
                    (largest first), ties broken by the smallest node id
==================  ==========================================================================

Floats are rounded to :data:`DIGITS` decimals so that exports are byte-identical across
runs (summation order noise never reaches the files).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

#: Seed of every randomised algorithm (Louvain, betweenness sampling, layouts).
SEED = 42
#: Views with more nodes than this get sampled betweenness.
BETWEENNESS_EXACT_MAX_NODES = 1000
#: Number of source nodes sampled for betweenness above the threshold.
BETWEENNESS_SAMPLES = 100
#: Decimals kept in float metrics.
DIGITS = 8
#: Metric attribute names, in the order exports list them.
METRICS = ("degree", "weighted_degree", "pagerank", "betweenness", "community")
#: What people read for each metric and summary figure: (Chinese, English).
METRIC_LABELS: dict[str, tuple[str, str]] = {
    "degree": ("度", "degree"),
    "weighted_degree": ("加权度", "weighted degree"),
    "pagerank": ("PageRank 值", "PageRank"),
    "betweenness": ("中介中心性", "betweenness"),
    "community": ("社区", "community"),
    "nodes": ("节点", "nodes"),
    "edges": ("边", "edges"),
    "total_weight": ("总权重", "total weight"),
    "density": ("密度", "density"),
    "components": ("连通分量", "components"),
    "communities": ("社区数", "communities"),
}


def metric_label(name: str, lang: str) -> str:
    """Return the name of a metric in ``zh`` or ``en`` (the key itself when unknown)."""
    zh, en = METRIC_LABELS.get(name, (name, name))
    return zh if lang == "zh" else en


#: Node types that are structure rather than entities (left out of the "top entities").
STRUCTURAL = ("Clause", "Document")


def communities(G: nx.Graph) -> dict[str, int]:
    """Return node → community number (Louvain, weighted, seed :data:`SEED`).

    Communities are numbered by size, largest first, ties by their smallest node id.
    """
    import networkx as nx

    if G.number_of_nodes() == 0:
        return {}
    found = nx.community.louvain_communities(G, weight="weight", seed=SEED)
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    return {node: number for number, members in enumerate(ordered) for node in members}


def betweenness(G: nx.Graph) -> dict[str, float]:
    """Return normalised betweenness: exact for small views, sampled (fixed seed) above."""
    import networkx as nx

    n = G.number_of_nodes()
    if n <= BETWEENNESS_EXACT_MAX_NODES:
        return nx.betweenness_centrality(G, normalized=True)
    return nx.betweenness_centrality(G, k=min(BETWEENNESS_SAMPLES, n), normalized=True, seed=SEED)


def pagerank(G: nx.Graph) -> dict[str, float]:
    """Return weighted PageRank (uniform for a graph without edges)."""
    import networkx as nx

    n = G.number_of_nodes()
    if n == 0:
        return {}
    if G.number_of_edges() == 0:
        return dict.fromkeys(G, 1.0 / n)
    return nx.pagerank(G, weight="weight", max_iter=200, tol=1e-10)


def add_metrics(G: nx.Graph) -> None:
    """Write the metrics of :data:`METRICS` onto every node of ``G`` (in place)."""
    pr = pagerank(G)
    bc = betweenness(G)
    com = communities(G)
    for node, data in G.nodes(data=True):
        data["degree"] = int(G.degree(node))
        data["weighted_degree"] = int(sum(int(w) for _, _, w in G.edges(node, data="weight", default=1)))
        data["pagerank"] = round(float(pr.get(node, 0.0)), DIGITS)
        data["betweenness"] = round(float(bc.get(node, 0.0)), DIGITS)
        data["community"] = int(com.get(node, 0))
    G.graph["betweenness"] = (
        "exact"
        if G.number_of_nodes() <= BETWEENNESS_EXACT_MAX_NODES
        else f"sampled k={BETWEENNESS_SAMPLES} seed={SEED}"
    )


def summary(G: nx.Graph, top: int = 10, lang: str = "en") -> dict[str, Any]:
    """Summarise a view: size, density, components, communities and the top entities by each metric.

    Args:
        G: a view with metrics (see :func:`add_metrics`).
        top: how many entities to list per metric.
        lang: label language of the listed entities (``zh`` or ``en``).

    Returns:
        A JSON-ready dict.
    """
    import networkx as nx

    n, m = G.number_of_nodes(), G.number_of_edges()
    types: dict[str, int] = {}
    for _, t in G.nodes(data="type", default=""):
        types[t] = types.get(t, 0) + 1
    entities = [v for v, t in G.nodes(data="type", default="") if t not in STRUCTURAL] or list(G)
    label_key = f"label_{lang}" if lang in ("zh", "en") else "label_en"
    top_lists: dict[str, list[dict[str, Any]]] = {}
    for metric in ("degree", "weighted_degree", "pagerank", "betweenness"):
        ranked = sorted(entities, key=lambda v: (-G.nodes[v].get(metric, 0), v))[:top]
        top_lists[metric] = [
            {
                "id": v,
                "label": G.nodes[v].get(label_key, v),
                "type": G.nodes[v].get("type", ""),
                "value": G.nodes[v].get(metric, 0),
            }
            for v in ranked
        ]
    community_ids = {c for _, c in G.nodes(data="community") if c is not None}
    return {
        "view": G.graph.get("view", ""),
        "nodes": n,
        "edges": m,
        "total_weight": int(sum(int(w) for _, _, w in G.edges(data="weight", default=1))),
        "density": round(nx.density(G), DIGITS) if n > 1 else 0.0,
        "components": nx.number_connected_components(G) if n else 0,
        "communities": len(community_ids),
        "node_types": dict(sorted(types.items())),
        "betweenness": G.graph.get("betweenness", ""),
        "top": top_lists,
    }
