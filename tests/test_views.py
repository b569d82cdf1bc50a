"""Relation views: contents agree with independent SPARQL counts; filters, metrics,
determinism, and the other export formats (GraphML, CSV, JSON, SVG, PNG, the CLI)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg import export as ex
from kg.analysis.metrics import BETWEENNESS_EXACT_MAX_NODES, summary
from kg.analysis.views import build_view, clause_ref
from kg.core.errors import NotFound, ViewError
from kg.query.engines import LocalEngine
from kg.store import select

SEED_SLUG = "000_bf54f53887da828b"
TYPES = "VALUES ?t { dsr:Country dsr:Organisation dsr:Technology dsr:Sector }"


pytest_plugins = ["fixtures_views"]


def count(store, query: str) -> int:
    """Run a COUNT query straight on the store (not through the views code)."""
    rows = select(store, query)
    return int(next(iter(rows[0].values())).value)


# ---------------------------------------------------------------- counts against SPARQL


def test_clause_entity_counts(views, seed_store):
    G = views["clause-entity"]
    pairs = f"?c dsr:mentions ?e . {TYPES} ?e a ?t ."
    assert G.number_of_edges() == count(
        seed_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?c ?e WHERE {{ {pairs} }} }}"
    )
    clauses = count(seed_store, f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ {pairs} }}")
    entities = count(seed_store, f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {pairs} }}")
    assert G.number_of_nodes() == clauses + entities
    assert sum(1 for _, t in G.nodes(data="type") if t == "Clause") == clauses
    annotations = count(
        seed_store,
        f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a oa:hasBody ?e ; oa:hasTarget/oa:hasSource ?c . {TYPES} ?e a ?t . }}",
    )
    assert sum(w for _, _, w in G.edges(data="weight")) == annotations
    assert nx.is_bipartite(G)


def test_cooccurrence_counts_and_clause_lists(views, seed_store):
    G = views["cooccurrence"]
    body = f"?c dsr:mentions ?a , ?b . FILTER(STR(?a) < STR(?b)) {TYPES} ?a a ?t . ?b a ?t2 . VALUES ?t2 {{ dsr:Country dsr:Organisation dsr:Technology dsr:Sector }}"
    assert G.number_of_edges() == count(
        seed_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?a ?b WHERE {{ {body} }} }}"
    )
    # every entity the clauses mention is a node (issue 14: also one mentioned alone in its
    # clause, such as sector/energy, which has no co-occurrence edge)
    nodes = count(seed_store, f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?c dsr:mentions ?a . {TYPES} ?a a ?t . }}")
    assert G.number_of_nodes() == nodes
    paired = count(
        seed_store,
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {{ SELECT DISTINCT ?a ?b WHERE {{ {body} }} }} VALUES ?k {{ 1 2 }} BIND(IF(?k = 1, ?a, ?b) AS ?x) }}",
    )
    assert sum(1 for v in G if G.degree(v) > 0) == paired
    energy = "https://w3id.org/dsr-kg/id/sector/energy"
    assert energy in G and G.degree(energy) == 0
    # the heaviest pair: its weight and clause list, recomputed from dsr:mentions
    u, v, data = max(G.edges(data=True), key=lambda e: (e[2]["weight"], e[0], e[1]))
    rows = select(seed_store, f"SELECT ?c WHERE {{ ?c dsr:mentions <{u}> , <{v}> }}")
    refs = sorted((clause_ref(r["c"].value) for r in rows), key=lambda r: int(r.split("#")[1]))
    assert data["weight"] == len(refs) > 1
    assert data["clauses"] == ";".join(refs)
    assert all(ref.startswith(SEED_SLUG + "#") for ref in refs)


def test_technology_sector_cooccurrence_counts(views, seed_store):
    G = views["technology-sector-cooccurrence"]
    body = "?a1 oa:hasBody ?x ; dsr:inSentence ?s . ?x a dsr:Technology . ?a2 oa:hasBody ?y ; dsr:inSentence ?s . ?y a dsr:Sector ."
    assert G.number_of_edges() == count(
        seed_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?x ?y WHERE {{ {body} }} }}"
    )
    assert sum(w for _, _, w in G.edges(data="weight")) == count(
        seed_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?x ?y ?s WHERE {{ {body} }} }}"
    )
    assert {t for _, t in G.nodes(data="type")} == {"Technology", "Sector"}
    for _u, _v, data in G.edges(data=True):
        assert len(data["sentences"].split(";")) == data["weight"]


def test_country_document_counts(views, seed_store):
    G = views["country-document"]
    expected = count(
        seed_store,
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?x ?d WHERE { { ?d dsr:signatory ?x } UNION { ?c dsr:mentions ?x ; dcterms:isPartOf ?d } ?x a dsr:Country } }",
    )
    assert G.number_of_edges() == expected
    signatories = count(seed_store, "SELECT (COUNT(*) AS ?n) WHERE { ?d dsr:signatory ?x }")
    assert sum(1 for _, _, r in G.edges(data="relation") if r == "signatory") == signatories == 14
    assert {t for _, t in G.nodes(data="type")} == {"Country", "Document"}


def test_organisation_clause_counts(views, seed_store):
    G = views["organisation-clause"]
    assert G.number_of_edges() == count(
        seed_store,
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?c ?o WHERE { ?c dsr:mentions ?o . ?o a dsr:Organisation } }",
    )
    assert {t for _, t in G.nodes(data="type")} == {"Clause", "Organisation"}


def test_node_attributes_are_plain_and_labelled(views):
    for name, G in views.items():
        assert G.number_of_edges() > 0, name
        for node, data in G.nodes(data=True):
            assert type(node) is str and data["iri"] == node
            assert data["label_zh"] and data["label_en"], node
            assert all(type(v) in (str, int, float) for v in data.values()), (node, data)
        for _, _, data in G.edges(data=True):
            assert type(data["weight"]) is int and data["weight"] >= 1
            assert all(type(v) in (str, int, float) for v in data.values())
    china = views["country-document"].nodes["https://w3id.org/dsr-kg/id/country/CN"]
    assert (china["label_zh"], china["label_en"]) == ("中国", "China")


# ---------------------------------------------------------------- filters


def test_type_filter(engine, views):
    G = build_view(engine, "cooccurrence", types=["technology", "Sector"])
    assert {t for _, t in G.nodes(data="type")} == {"Technology", "Sector"}
    full = views["cooccurrence"]
    kept = [
        (u, v) for u, v in full.edges() if {full.nodes[u]["type"], full.nodes[v]["type"]} <= {"Technology", "Sector"}
    ]
    assert G.number_of_edges() == len(kept)
    only = build_view(engine, "clause-entity", types=["Country"])
    assert {t for _, t in only.nodes(data="type")} == {"Clause", "Country"}
    with pytest.raises(ViewError, match="unknown entity type"):
        build_view(engine, "cooccurrence", types=["planet"])
    with pytest.raises(ViewError, match="leaves nothing"):
        build_view(engine, "country-document", types=["Technology"])


def test_min_weight_filter(engine, views):
    full = views["cooccurrence"]
    G = build_view(engine, "cooccurrence", min_weight=2)
    heavy = [(u, v) for u, v, w in full.edges(data="weight") if w >= 2]
    assert 0 < G.number_of_edges() == len(heavy) < full.number_of_edges()
    assert all(w >= 2 for _, _, w in G.edges(data="weight"))
    assert all(d > 0 for _, d in G.degree())  # nodes left without edges are dropped
    assert build_view(engine, "cooccurrence", min_weight=10_000).number_of_nodes() == 0
    with pytest.raises(ViewError):
        build_view(engine, "cooccurrence", min_weight="heavy")


def test_document_filter(engine, views):
    by_slug = build_view(engine, "clause-entity", documents=[SEED_SLUG])
    by_iri = build_view(engine, "clause-entity", documents=[f"https://w3id.org/dsr-kg/id/document/{SEED_SLUG}"])
    by_file = build_view(engine, "clause-entity", documents=[f"{SEED_SLUG}.txt"])

    def content(G):
        return sorted(G.nodes(data=True)), sorted((min(u, v), max(u, v), d["weight"]) for u, v, d in G.edges(data=True))

    assert content(by_slug) == content(by_iri) == content(by_file) == content(views["clause-entity"])
    assert by_slug.graph["documents"] == f"https://w3id.org/dsr-kg/id/document/{SEED_SLUG}"
    with pytest.raises(NotFound, match="no document"):
        build_view(engine, "clause-entity", documents=["not-a-document"])


def test_document_filter_separates_documents(tmp_path):
    """Two documents in one store: the filter keeps only the chosen one's clauses."""
    from kg.build import build

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(
        "数字经济合作倡议\n一、加强人工智能和智慧农业合作。\n二、推动电子商务发展。\n", encoding="utf-8"
    )
    (src / "b.txt").write_text(
        "Joint statement on digital cooperation\n1. Cooperate on 5G and blockchain in agriculture.\n", encoding="utf-8"
    )
    report = build([src], tmp_path / "store")
    assert report.ok, report.refused
    eng = LocalEngine(tmp_path / "store")
    try:
        both = build_view(eng, "clause-entity")
        only_b = build_view(eng, "clause-entity", documents=["b"])
        docs = {d for _, d in both.nodes(data="document") if d}
        assert len(docs) == 2
        assert {d for _, d in only_b.nodes(data="document") if d} == {"https://w3id.org/dsr-kg/id/document/b"}
        assert 0 < only_b.number_of_nodes() < both.number_of_nodes()
        # clause labels name their document when a view spans several
        assert any("(a)" in d["label_en"] for _, d in both.nodes(data=True) if d["type"] == "Clause")
    finally:
        eng.close()


# ---------------------------------------------------------------- metrics


def test_metrics_are_sane(views):
    for name, G in views.items():
        assert sum(d["pagerank"] for _, d in G.nodes(data=True)) == pytest.approx(1.0, abs=1e-6), name
        for node, d in G.nodes(data=True):
            assert d["degree"] == G.degree(node)
            assert d["weighted_degree"] == sum(w for _, _, w in G.edges(node, data="weight"))
            assert 0.0 <= d["betweenness"] <= 1.0
            assert type(d["community"]) is int
        communities = sorted({d["community"] for _, d in G.nodes(data=True)})
        assert communities == list(range(len(communities)))
        sizes = [sum(1 for _, c in G.nodes(data="community") if c == k) for k in communities]
        assert sizes == sorted(sizes, reverse=True)
    assert BETWEENNESS_EXACT_MAX_NODES >= max(G.number_of_nodes() for G in views.values())
    assert views["cooccurrence"].graph["betweenness"] == "exact"


def test_sampled_betweenness_above_threshold():
    from kg.analysis.metrics import add_metrics

    G = nx.Graph()
    n = BETWEENNESS_EXACT_MAX_NODES + 50
    G.add_edges_from((f"n{i:05d}", f"n{(i + 1) % n:05d}", {"weight": 1}) for i in range(n))
    add_metrics(G)
    assert G.graph["betweenness"].startswith("sampled")
    again = G.copy()
    add_metrics(again)
    assert [d["betweenness"] for _, d in G.nodes(data=True)] == [d["betweenness"] for _, d in again.nodes(data=True)]


def test_summary(views):
    info = summary(views["cooccurrence"], lang="zh")
    G = views["cooccurrence"]
    assert (info["nodes"], info["edges"]) == (G.number_of_nodes(), G.number_of_edges())
    assert info["components"] == nx.number_connected_components(G)
    assert info["density"] == pytest.approx(nx.density(G), abs=1e-6)
    assert set(info["top"]) == {"degree", "weighted_degree", "pagerank", "betweenness"}
    top = info["top"]["pagerank"]
    assert len(top) == 10 and top[0]["value"] >= top[-1]["value"]
    assert top[0]["label"] == G.nodes[top[0]["id"]]["label_zh"]
    bipartite = summary(views["clause-entity"])
    assert all(r["type"] != "Clause" for r in bipartite["top"]["degree"])  # entities, not structure


# ---------------------------------------------------------------- determinism


@pytest.mark.parametrize("fmt", ["gexf", "graphml", "csv", "zip", "json", "svg", "png"])
def test_exports_are_byte_identical(engine, fmt):
    first = ex.render(build_view(engine, "clause-entity"), fmt, lang="zh")
    second = ex.render(build_view(engine, "clause-entity"), fmt, lang="zh")
    assert first == second


def test_exports_identical_across_processes(seed_store_path, tmp_path):
    """Different hash seeds (set iteration order) still give the same files."""
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"v{seed}.gexf"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "kg.cli",
                "export",
                "clause-entity",
                "--store",
                str(seed_store_path),
                "-o",
                str(out),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


# ---------------------------------------------------------------- other formats


def test_graphml_reads_back_with_types(views):
    G = views["technology-sector"]
    H = nx.read_graphml(io.BytesIO(ex.to_graphml(G, lang="zh")))
    assert (H.number_of_nodes(), H.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    for node, data in G.nodes(data=True):
        assert H.nodes[node]["label"] == data["label_zh"]
        assert H.nodes[node]["degree"] == data["degree"] and isinstance(H.nodes[node]["degree"], int)
        assert H.nodes[node]["pagerank"] == pytest.approx(data["pagerank"])
    for u, v, w in G.edges(data="weight"):
        assert H[u][v]["weight"] == w
    root = ET.fromstring(ex.to_graphml(G))
    assert root.find(".//{http://www.yworks.com/xml/graphml}ShapeNode") is not None


def test_csv_tables(views):
    G = views["cooccurrence"]
    nodes = list(csv.DictReader(io.StringIO(ex.nodes_csv(G).decode("utf-8"))))
    edges = list(csv.DictReader(io.StringIO(ex.edges_csv(G).decode("utf-8"))))
    assert len(nodes) == G.number_of_nodes() and len(edges) == G.number_of_edges()
    assert {"Id", "Label", "type", "label_zh", "label_en", "iri", "pagerank", "community"} <= set(nodes[0])
    assert {"Source", "Target", "Type", "Weight", "clauses"} <= set(edges[0])
    assert all(int(e["Weight"]) == G[e["Source"]][e["Target"]]["weight"] for e in edges)
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(ex.to_zip(G))).namelist()
    assert names == ["cooccurrence.nodes.csv", "cooccurrence.edges.csv"]


def test_node_link_json(views):
    G = views["country-document"]
    data = json.loads(ex.to_json(G, lang="zh", summary=summary(G)))
    H = nx.node_link_graph(data, edges="edges")
    assert (H.number_of_nodes(), H.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    assert data["graph"]["view"] == "country-document" and data["graph"]["summary"]["edges"] == G.number_of_edges()
    assert H.nodes["https://w3id.org/dsr-kg/id/country/CN"]["label"] == "中国"


def test_svg_picture(views):
    G = views["technology-sector"]
    root = ET.fromstring(ex.to_svg(G, lang="zh", href=lambda iri: "/id/" + iri.rsplit("/id/", 1)[-1]))
    svg = "{http://www.w3.org/2000/svg}"
    links = [a for a in root.iter(svg + "a") if a.get("class") == "node"]
    assert len(links) == G.number_of_nodes()
    assert all(a.get("href").startswith("/id/") for a in links)
    assert all(a.find(svg + "circle/" + svg + "title") is not None for a in links)
    legend = [t.text for t in root.find(svg + "g[@class='legend']").iter(svg + "text")]
    assert "Technology" in legend and "Sector" in legend
    assert any(t.text == "农业" for t in root.iter(svg + "text"))


def test_png_picture_size(views):
    from PIL import Image

    image = Image.open(io.BytesIO(ex.to_png(views["cooccurrence"], lang="zh", width=640, height=480)))
    image.load()
    assert image.format == "PNG" and image.size == (640, 480)
    colours = {c for _, c in image.convert("RGB").getcolors(640 * 480)}
    assert (0xE1, 0x57, 0x59) in colours  # technology nodes were drawn


def test_cjk_font_found_or_documented():
    font = ex.cjk_font()
    if font is None:
        pytest.skip(
            "no CJK font installed (Debian fonts-noto-cjk or fonts-wqy-zenhei); zh PNG labels fall back to English"
        )
    assert font in ex.png.CJK_FONTS


# ---------------------------------------------------------------- command line


def test_cli_export_formats(seed_store_path, tmp_path):
    from kg.cli import main

    runner = CliRunner()
    out = tmp_path / "co.gexf"
    result = runner.invoke(
        main, ["export", "cooccurrence", "--store", str(seed_store_path), "-o", str(out), "--lang", "zh"]
    )
    assert result.exit_code == 0, result.output
    H = nx.read_gexf(out)
    assert H.nodes["https://w3id.org/dsr-kg/id/country/CN"]["label"] == "中国"

    result = runner.invoke(
        main, ["export", "technology-sector", "--store", str(seed_store_path), "-o", str(tmp_path / "ts.csv")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ts.nodes.csv").read_text(encoding="utf-8").startswith("Id,Label,type")
    assert (tmp_path / "ts.edges.csv").read_text(encoding="utf-8").startswith("Source,Target,Type,Weight")

    result = runner.invoke(
        main,
        [
            "export",
            "clause-entity",
            "--store",
            str(seed_store_path),
            "-f",
            "json",
            "--type",
            "Country",
            "--min-weight",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {n["type"] for n in data["nodes"]} == {"Clause", "Country"}

    out_png = tmp_path / "x.png"
    result = runner.invoke(
        main,
        [
            "export",
            "country-document",
            "--store",
            str(seed_store_path),
            "-o",
            str(out_png),
            "--width",
            "300",
            "--height",
            "200",
        ],
    )
    assert result.exit_code == 0, result.output
    from PIL import Image

    assert Image.open(out_png).size == (300, 200)


def test_cli_errors_are_one_line(seed_store_path, tmp_path):
    from kg.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["export", "cooccurrence", "--store", str(seed_store_path), "--document", "nope"])
    assert result.exit_code != 0 and "no document 'nope'" in result.output
    result = runner.invoke(main, ["export", "nosuchview", "--store", str(seed_store_path)])
    assert result.exit_code != 0 and "nosuchview" in result.output
    result = runner.invoke(main, ["export", "cooccurrence", "--store", str(tmp_path / "missing")])
    assert result.exit_code != 0 and "no store" in result.output
    result = runner.invoke(main, ["export", "cooccurrence", "--store", str(seed_store_path), "-f", "csv"])
    assert result.exit_code != 0 and "--table" in result.output


def test_views_module_does_not_reach_into_extraction():
    import ast

    kg = Path(__file__).resolve().parent.parent / "kg"
    modules = [*sorted((kg / "analysis").glob("*.py")), *sorted((kg / "export").glob("*.py")), kg / "cli" / "export.py"]
    for module in modules:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
        }
        assert not any(
            name.split(".")[-1] in ("extract", "lexicon", "structure", "ingest", "pyoxigraph") for name in imported
        ), (module, imported)
