"""Issue 12, who commits to what: the views, exports, comparison and pages that use the
commitments, policy areas and typed relations of the graph.

Everything runs on real stores built by ``kg build`` (the seed; the seed with four generated
documents) and, for the pages, on a real server process in Chromium. Expected numbers are
recomputed from the store with SPARQL, so the tests follow the extractor as it improves;
only what the seed's text plainly says is fixed here (clause 3 applies seven technologies
in agriculture; clause 20 invites UNCTAD, UNIDO and ITU).
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import SEED_AGRICULTURE_TECHNOLOGIES

from kg import export as ex
from kg.analysis.compare import compare_documents, render_table
from kg.analysis.views import build_view, sentence_ref
from kg.query.engines import LocalEngine

pytest_plugins = ["fixtures_views", "fixtures_web", "fixtures_corpus"]

ID = "https://w3id.org/dsr-kg/id/"
SEED_SLUG = "000_bf54f53887da828b"
SEED_IRI = ID + "document/" + SEED_SLUG
PARTIES = SEED_IRI + "/parties"
AGRICULTURE = ID + "sector/agriculture"
AGRI_TECHNOLOGIES = SEED_AGRICULTURE_TECHNOLOGIES  # the seven of clause 3, from the gold
CONFORMANCE = Path("/work/shared/conformance/gexf")
if not CONFORMANCE.is_dir():
    CONFORMANCE = Path(__file__).parent / "data" / "gexf"
GEXF = "{http://gexf.net/1.3}"


def select(engine, query: str) -> list[dict]:
    return engine.select(query)


def count(engine, query: str) -> int:
    return int(select(engine, query)[0]["n"].value)


@pytest.fixture(scope="module")
def corpus_engine(generated_corpus_store):
    eng = LocalEngine(generated_corpus_store, in_memory=True)
    yield eng
    eng.close()


# ---------------------------------------------------------------- technology-sector (typed)


def test_technology_sector_is_the_applied_in_relation(engine, views):
    G = views["technology-sector"]
    pairs = {
        (r["x"].value, r["y"].value)
        for r in select(
            engine,
            "SELECT DISTINCT ?x ?y WHERE { ?m a dsr:RelationMention ; rdf:predicate dsr:appliedIn ; "
            "rdf:subject ?x ; rdf:object ?y }",
        )
    }
    assert {tuple(sorted(p)) for p in pairs} == {tuple(sorted(e)) for e in G.edges()}
    # the seed: clause 3 applies seven technologies in agriculture
    assert {(t, AGRICULTURE) for t in AGRI_TECHNOLOGIES} <= pairs
    assert set(G[AGRICULTURE]) >= AGRI_TECHNOLOGIES
    assert {t for _, t in G.nodes(data="type")} == {"Technology", "Sector"}
    for u, v, data in G.edges(data=True):
        assert data["relation"] == "appliedIn"
        assert data["label"] == "应用于 applied in"
        x, y = (u, v) if G.nodes[u]["type"] == "Technology" else (v, u)
        sentences = {
            sentence_ref(r["s"].value)
            for r in select(
                engine,
                f"SELECT DISTINCT ?s WHERE {{ ?m rdf:predicate dsr:appliedIn ; rdf:subject <{x}> ; "
                f"rdf:object <{y}> ; dsr:inSentence ?s }}",
            )
        }
        assert set(data["sentences"].split(";")) == sentences and data["weight"] == len(sentences)
    for u, v, data in G.edges(data=True):
        if AGRICULTURE in (u, v):
            assert data["sentences"].startswith(SEED_SLUG + "#3.")


def test_typed_edges_are_a_subset_of_the_cooccurrence_view(views):
    typed, cooccurrence = views["technology-sector"], views["technology-sector-cooccurrence"]
    assert typed.number_of_edges() < cooccurrence.number_of_edges()
    assert all(cooccurrence.has_edge(u, v) for u, v in typed.edges())
    assert all("relation" not in d for _, _, d in cooccurrence.edges(data=True))


# ---------------------------------------------------------------- commitments


def test_commitments_view_counts(engine, views):
    G = views["commitments"]
    rows = select(
        engine,
        "SELECT ?actor ?area (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dsr:Commitment ; dsr:actor ?actor ; "
        "dsr:policyArea ?area } GROUP BY ?actor ?area",
    )
    expected = {tuple(sorted((r["actor"].value, r["area"].value))): int(r["n"].value) for r in rows}
    assert {tuple(sorted((u, v))): w for u, v, w in G.edges(data="weight")} == expected
    areas = {
        r["a"].value for r in select(engine, "SELECT DISTINCT ?a WHERE { ?c a dsr:Commitment ; dsr:policyArea ?a }")
    }
    assert {n for n, t in G.nodes(data="type") if t == "PolicyArea"} == areas
    assert len(areas) >= 10  # the seed commits in most of the 15 areas
    # the parties of the seed commit in every area
    assert G.nodes[PARTIES]["type"] == "Parties" and set(G[PARTIES]) == areas
    for u, v, data in G.edges(data=True):
        assert data["relation"] == "commitment" and data["label"] == "承诺 commitment"
        counts = [int(part.rsplit(" ", 1)[1]) for part in data["actions"].split("; ")]
        assert sum(counts) >= data["weight"] and counts == sorted(counts, reverse=True)
        assert len(data["actions_zh"].split("；")) == len(counts)
        area = u if G.nodes[u]["type"] == "PolicyArea" else v
        assert area.startswith(ID + "area/")


def test_commitment_actions_recomputed(engine, views):
    G = views["commitments"]
    security = ID + "area/security"
    rows = select(
        engine,
        f"SELECT ?act (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c dsr:actor <{PARTIES}> ; "
        f"dsr:policyArea <{security}> ; dsr:action ?act }} GROUP BY ?act",
    )
    expected = {r["act"].value.rsplit("/", 1)[-1]: int(r["n"].value) for r in rows}
    found = dict(part.rsplit(" ", 1) for part in G[PARTIES][security]["actions"].split("; "))
    assert {k: int(v) for k, v in found.items()} == expected


def test_commitments_nodes_are_labelled_in_both_languages(views):
    G = views["commitments"]
    parties = G.nodes[PARTIES]
    assert parties["label_zh"] == "“一带一路”数字经济国际合作北京倡议 各方"
    assert parties["label_en"].startswith("“一带一路”数字经济国际合作北京倡议: ") and parties["document"] == SEED_IRI
    assert parties["label_en"].lower().endswith("parties")
    security = G.nodes[ID + "area/security"]
    assert (security["type"], security["label_zh"], security["label_en"]) == (
        "PolicyArea",
        "数据、网络与人工智能安全",
        "data, cyber and AI security",
    )
    assert all(d["label_zh"] != d["label_en"] for _, d in G.nodes(data=True))


def test_commitments_type_filter_keeps_the_parties(engine):
    G = build_view(engine, "commitments", types=["Country"])
    assert PARTIES in G  # parties and groups are structure, like clauses in clause-entity
    assert {t for _, t in G.nodes(data="type")} <= {"Parties", "Group", "Country", "PolicyArea"}


def test_commitments_across_documents(corpus_engine):
    G = build_view(corpus_engine, "commitments")
    parties = {n: d for n, d in G.nodes(data=True) if d["type"] == "Parties"}
    docs = {
        r["d"].value
        for r in select(corpus_engine, "SELECT DISTINCT ?d WHERE { ?c a dsr:Commitment ; dsr:inDocument ?d }")
    }
    assert {d["document"] for d in parties.values()} == docs and len(docs) == 5
    assert len({d["label_zh"] for d in parties.values()}) == len(docs)  # one parties node per document, told apart
    only_seed = build_view(corpus_engine, "commitments", documents=[SEED_SLUG])
    assert {n for n, t in only_seed.nodes(data="type") if t == "Parties"} == {PARTIES}
    total = count(
        corpus_engine,
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?c ?area WHERE { ?c a dsr:Commitment ; dsr:policyArea ?area } }",
    )
    # each (commitment, area) is counted once per actor; the seed's commitments have one actor each
    assert sum(w for _, _, w in G.edges(data="weight")) >= total


# ---------------------------------------------------------------- exports


@pytest.fixture(scope="module")
def rng13():
    etree = pytest.importorskip("lxml.etree")
    return etree.RelaxNG(etree.parse(str(CONFORMANCE / "1.3" / "gexf.rng")))


@pytest.mark.parametrize("name", ["technology-sector", "commitments"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_gexf_validates_and_reads_back_with_edge_labels(views, rng13, name, lang):
    from lxml import etree

    G = views[name]
    data = ex.to_gexf(G, lang=lang)
    assert rng13.validate(etree.fromstring(data)), rng13.error_log
    dynamic = ex.to_gexf(G, lang=lang, dynamic=True)
    assert rng13.validate(etree.fromstring(dynamic)), rng13.error_log
    root = ET.fromstring(data)
    declared = {a.get("id") for a in root.iter(GEXF + "attribute")}
    assert "relation" in declared and "label" not in declared  # GEXF's own label, not a column
    H = nx.read_gexf(io.BytesIO(data))
    assert (H.number_of_nodes(), H.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    relation = "appliedIn" if name == "technology-sector" else "commitment"
    for u, v, d in H.edges(data=True):
        assert d["relation"] == relation and d["label"] == G[u][v]["label"]
        assert d["weight"] == G[u][v]["weight"]
    for node, d in G.nodes(data=True):
        assert H.nodes[node]["label"] == d[f"label_{lang}"]
        assert H.nodes[node]["node_type"] == d["type"]
    if name == "commitments":
        assert {d["node_type"] for _, d in H.nodes(data=True)} >= {"Parties", "PolicyArea"}
        some = next(iter(H.edges(data=True)))[2]
        assert some["actions"] and some["actions_zh"] and some["sentences"]


def test_gexf_1_2draft_validates(views):
    xmlschema = pytest.importorskip("xmlschema")
    from test_views_gexf import schema_errors

    xsd = {v: xmlschema.XMLSchema(str(CONFORMANCE / v / "gexf.xsd")) for v in ("1.3", "1.2draft")}
    for name in ("technology-sector", "commitments"):
        assert schema_errors(ex.to_gexf(views[name], version="1.2draft"), xsd) == [], name
        assert schema_errors(ex.to_gexf(views[name]), xsd) == [], name


@pytest.mark.parametrize("name", ["technology-sector", "commitments"])
def test_other_formats_carry_the_relation(views, name):
    G = views[name]
    H = nx.read_graphml(io.BytesIO(ex.to_graphml(G, lang="zh")))
    assert H.number_of_edges() == G.number_of_edges()
    assert all(
        d["relation"] == G[u][v]["relation"] and d["label"] == G[u][v]["label"] for u, v, d in H.edges(data=True)
    )
    edges = list(csv.DictReader(io.StringIO(ex.edges_csv(G, lang="zh").decode("utf-8"))))
    assert len(edges) == G.number_of_edges()
    assert {"Source", "Target", "Weight", "relation", "label", "sentences"} <= set(edges[0])
    nodes = list(csv.DictReader(io.StringIO(ex.nodes_csv(G, lang="en").decode("utf-8"))))
    assert {n["type"] for n in nodes} == {t for _, t in G.nodes(data="type")}
    names = zipfile.ZipFile(io.BytesIO(ex.to_zip(G))).namelist()
    assert names == [f"{name}.nodes.csv", f"{name}.edges.csv"]
    J = nx.node_link_graph(json.loads(ex.to_json(G, lang="zh")), edges="edges")
    assert all(d["relation"] for _, _, d in J.edges(data=True))
    svg = ET.fromstring(ex.to_svg(G, lang="zh"))
    lines = [el for el in svg.iter("{http://www.w3.org/2000/svg}line") if el.get("data-relation")]
    assert len(lines) == G.number_of_edges()
    tips = [el.find("{http://www.w3.org/2000/svg}title").text for el in lines]
    assert all(G[lines[0].get("data-source")][lines[0].get("data-target")]["label"] in t for t in tips[:1])
    if name == "commitments":
        assert all("行动" in t for t in tips)
    from PIL import Image

    image = Image.open(io.BytesIO(ex.to_png(G, lang="zh", width=400, height=300)))
    assert image.size == (400, 300)


def test_cli_export_of_both_views(seed_store_path, tmp_path):
    from kg.cli import main

    runner = CliRunner()
    out = tmp_path / "commitments.gexf"
    result = runner.invoke(
        main, ["export", "commitments", "--store", str(seed_store_path), "-o", str(out), "--lang", "zh"]
    )
    assert result.exit_code == 0, result.output
    H = nx.read_gexf(out)
    assert H.nodes[PARTIES]["label"].endswith("各方")
    result = runner.invoke(
        main, ["export", "technology-sector", "--store", str(seed_store_path), "-o", str(tmp_path / "ts.csv")]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "ts.edges.csv").read_text(encoding="utf-8"))))
    assert {r["relation"] for r in rows} == {"appliedIn"}
    assert {r["Target"] for r in rows if r["Source"] == AGRICULTURE} >= AGRI_TECHNOLOGIES
    result = runner.invoke(main, ["export", "--help"])
    assert "technology-sector-cooccurrence" in result.output and "commitments" in result.output


# ---------------------------------------------------------------- comparison


def _pairs(engine, doc: str) -> dict[tuple[str, str], int]:
    rows = select(
        engine,
        f"SELECT ?act ?area (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a dsr:Commitment ; dsr:inDocument <{doc}> ; "
        f"dsr:action ?act ; dsr:policyArea ?area }} GROUP BY ?act ?area",
    )
    return {(r["act"].value.rsplit("/", 1)[-1], r["area"].value.rsplit("/", 1)[-1]): int(r["n"].value) for r in rows}


def test_compare_commitment_pairs_and_areas(corpus_engine):
    b_slug = "gen_7_000003_en"
    c = compare_documents(corpus_engine, SEED_SLUG, b_slug)
    pa, pb = _pairs(corpus_engine, SEED_IRI), _pairs(corpus_engine, ID + "document/" + b_slug)
    split = c.pair_split()
    assert {(p.action, p.area) for p in split["shared"]} == pa.keys() & pb.keys()
    assert {(p.action, p.area) for p in split["only_in_a"]} == pa.keys() - pb.keys()
    assert {(p.action, p.area) for p in split["only_in_b"]} == pb.keys() - pa.keys()
    assert all(p.in_a == pa.get((p.action, p.area), 0) and p.in_b == pb.get((p.action, p.area), 0) for p in c.pairs)
    assert split["shared"] and split["only_in_a"]
    assert all(p.action_zh and p.action_en and p.area_zh and p.area_en for p in c.pairs)
    assert c.commitments_a == count(
        corpus_engine, f"SELECT (COUNT(?c) AS ?n) WHERE {{ ?c dsr:inDocument <{SEED_IRI}> ; a dsr:Commitment }}"
    )
    areas = {r.area: (r.in_a, r.in_b) for r in c.areas}
    assert set(areas) == {a for _, a in pa} | {a for _, a in pb}
    assert areas["artificial-intelligence"][0] > 0
    data = c.as_dict()
    assert data["summary"]["shared_commitment_pairs"] == len(split["shared"])
    assert set(data["commitments"]) == {"shared", "only_in_a", "only_in_b"}
    assert len(data["policy_areas"]) == len(c.areas)
    # a document compared with itself: every pair shared
    same = compare_documents(corpus_engine, SEED_SLUG, SEED_SLUG)
    assert not same.pair_split()["only_in_a"] and not same.pair_split()["only_in_b"]
    text = render_table(c, limit=3)
    for heading in ("两份文件都作出的承诺", "commitments both make", "仅 B 作出的承诺", "commitments only B makes"):
        assert heading in text
    assert "政策领域的承诺数 commitments by policy area" in text


def test_compare_cli_and_page(generated_corpus_store):
    from kg.cli import main
    from kg.web import create_app

    result = CliRunner().invoke(
        main, ["compare", SEED_SLUG, "gen_7_000001_zh", "--store", str(generated_corpus_store), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"]["commitments_in_a"] > 0 and data["policy_areas"]
    client = create_app({"STORE": str(generated_corpus_store), "TESTING": True}).test_client()
    html = client.get(f"/compare?a={SEED_SLUG}&b=gen_7_000001_zh", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    for text in (
        'id="commitments-shared"',
        "两份文件都作出的承诺",
        "Commitments both make",
        "各政策领域的承诺数",
        "Commitments by policy area",
    ):
        assert text in html
    assert "<script>" not in html and "<style" not in html
    api = client.get(f"/compare?a={SEED_SLUG}&b=gen_7_000001_zh&format=json").get_json()
    assert api["commitments"] == data["commitments"]


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize("name", ["technology-sector", "commitments", "technology-sector-cooccurrence"])
def test_view_pages_over_http(client, views, name):
    html = client.get(f"/views/{name}", headers={"Accept": "text/html"}).get_data(as_text=True)
    G = views[name]
    assert f'data-nodes="{G.number_of_nodes()}" data-edges="{G.number_of_edges()}"' in html
    assert "<script>" not in html.replace('<script type="application/json"', "")
    for fmt in ("gexf", "graphml", "csv", "zip", "json", "svg", "png"):
        response = client.get(f"/views/{name}?format={fmt}")
        assert response.status_code == 200, (fmt, response.data[:200])


@pytest.mark.browser
def test_view_pages_in_a_browser(seed_server, chromium, views):
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            for name in ("technology-sector", "commitments"):
                G = views[name]
                page.goto(f"{seed_server}/views/{name}?lang=zh")
                assert page.locator("#view-svg a.node").count() == G.number_of_nodes()
                assert page.locator("#view-svg g.edges line[data-relation]").count() == G.number_of_edges()
                hub = AGRICULTURE if name == "technology-sector" else PARTIES
                page.locator(f'#view-svg a.node[data-id="{hub}"]').hover()
                card = page.locator("#view-card")
                expect(card).to_be_visible()
                expect(card).to_contain_text("农业" if name == "technology-sector" else "各方")
        finally:
            browser.close()
    assert errors == []
