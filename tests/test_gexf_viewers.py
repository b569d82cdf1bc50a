"""Issue 14, items 7 and 8: the GEXF opens in sigma.js (graphology-gexf in Chromium), in
NetworkX and validates against the official schemas; the dynamic GEXF gives Gephi's
timeline spells from the dates (dcterms:issued) of the documents that mention each element."""

from __future__ import annotations

import io
import subprocess
import sys
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
import requests
from test_views_gexf import SCHEMAS, schema_errors

pytest_plugins = ["fixtures_web", "fixtures_js", "fixtures_corpus"]

PAGE = '<!doctype html><meta charset="utf-8"><div id="c" style="width:900px;height:700px"></div><script src="/viewers.js"></script>'
GEXF_NS = {"g": "http://gexf.net/1.3"}


@pytest.fixture(scope="module")
def xsd():
    import xmlschema

    return {"1.3": xmlschema.XMLSchema(str(SCHEMAS / "1.3" / "gexf.xsd"))}


@pytest.fixture(scope="module")
def rng():
    etree = pytest.importorskip("lxml.etree")
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "1.3" / "gexf.rng")))


def in_sigma(chromium: str, bundle, gexf: bytes, screenshot) -> dict:
    """Parse ``gexf`` with graphology-gexf and draw it with sigma.js in Chromium (software WebGL)."""
    from playwright.sync_api import sync_playwright

    script = bundle.read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
        )
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        def serve(route):
            url = route.request.url
            if url.endswith("/viewers.js"):
                route.fulfill(body=script, content_type="text/javascript")
            elif url.endswith("/view.gexf"):
                route.fulfill(body=gexf, content_type="application/gexf+xml")
            else:
                route.fulfill(body=PAGE, content_type="text/html")

        page.route("http://viewer.test/**", serve)
        page.goto("http://viewer.test/")
        result = page.evaluate(
            """async () => {
              const text = await (await fetch("/view.gexf")).text();
              const V = window.KG_VIEWERS;
              const graph = V.gexf.parse(V.Graph, text);
              const attrs = graph.getNodeAttributes(graph.nodes()[0]);
              try {
                const sigma = new V.Sigma(graph, document.getElementById("c"));
                sigma.refresh();
                return {ok: true, nodes: graph.order, edges: graph.size, attrs};
              } catch (e) {
                return {ok: false, error: String(e), attrs};
              }
            }"""
        )
        page.wait_for_timeout(300)
        page.locator("#c").screenshot(path=str(screenshot))
        browser.close()
    result["page_errors"] = errors
    return result


def distinct_colours(path) -> int:
    from PIL import Image

    with Image.open(path) as im:
        return len(im.convert("RGB").resize((200, 160)).getcolors(maxcolors=200 * 160) or [])


@pytest.mark.browser
@pytest.mark.parametrize("view", ["cooccurrence", "clause-entity", "country-document"])
def test_sigma_draws_the_served_gexf(seed_server, chromium, viewers_bundle, tmp_path, view):
    """The user's exact step: graphology-gexf + sigma.js 3 on /views/{view}?format=gexf."""
    gexf = requests.get(f"{seed_server}/views/{view}?format=gexf", timeout=60).content
    result = in_sigma(chromium, viewers_bundle, gexf, tmp_path / "sigma.png")
    assert result["ok"], result
    assert not result["page_errors"]
    assert result["nodes"] == nx.read_gexf(io.BytesIO(gexf)).number_of_nodes()
    assert "type" not in result["attrs"] and result["attrs"]["node_type"]
    assert distinct_colours(tmp_path / "sigma.png") > 20  # something was drawn


def test_node_type_partition_attribute(seed_server, xsd, rng):
    from lxml import etree

    gexf = requests.get(seed_server + "/views/cooccurrence?format=gexf", timeout=60).content
    root = ET.fromstring(gexf)
    names = {a.get("title") for a in root.findall("g:graph/g:attributes[@class='node']/g:attribute", GEXF_NS)}
    assert "node_type" in names and "type" not in names
    H = nx.read_gexf(io.BytesIO(gexf))
    assert {d["node_type"] for _, d in H.nodes(data=True)} <= {"Country", "Organisation", "Technology", "Sector"}
    assert schema_errors(gexf, xsd) == []
    assert rng.validate(etree.fromstring(gexf)), rng.error_log


# ---------------------------------------------------------------- dynamic GEXF (item 8)


def export_dynamic(store, tmp_path, *args: str) -> tuple[bytes, str]:
    out = tmp_path / "dyn.gexf"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "export",
            "cooccurrence",
            "--store",
            str(store),
            "--dynamic",
            "-o",
            str(out),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return out.read_bytes(), run.stderr


def first_mention_dates(store) -> dict[str, str]:
    """Entity → date of the earliest document mentioning it, computed independently with SPARQL."""
    from kg.store import open_store, select

    rows = select(
        open_store(store, read_only=True),
        """SELECT ?e (MIN(?day) AS ?first) WHERE {
             ?c dsr:mentions ?e ; dcterms:isPartOf ?d .
             ?d dcterms:issued ?issued .
             BIND(IF(DATATYPE(?issued) = xsd:gYear, CONCAT(STR(?issued), "-01-01"),
                  IF(DATATYPE(?issued) = xsd:gYearMonth, CONCAT(STR(?issued), "-01"), STR(?issued))) AS ?day)
           } GROUP BY ?e""",
    )
    return {r["e"].value: r["first"].value for r in rows}


def build_day(store, slug: str) -> str:
    from kg.store import open_store, select

    rows = select(
        open_store(store, read_only=True),
        f"SELECT ?t WHERE {{ <https://w3id.org/dsr-kg/id/document/{slug}> prov:wasGeneratedBy/prov:endedAtTime ?t }}",
    )
    return rows[0]["t"].value[:10]


def test_dynamic_gexf_spells_from_document_dates(dated_corpus_store, tmp_path, xsd, rng):
    from lxml import etree

    gexf, note = export_dynamic(dated_corpus_store, tmp_path)
    assert "3 documents dated by dcterms:issued, 1 without it placed at the date they were built" in note
    assert schema_errors(gexf, xsd) == []
    assert rng.validate(etree.fromstring(gexf)), rng.error_log
    root = ET.fromstring(gexf)
    graph = root.find("g:graph", GEXF_NS)
    assert graph is not None and graph.get("mode") == "dynamic"
    assert graph.get("timeformat") == "date" and graph.get("timerepresentation") == "interval"
    H = nx.read_gexf(io.BytesIO(gexf))
    starts = {n: d["spells"][0][0] for n, d in H.nodes(data=True) if d.get("spells")}
    assert len(starts) == H.number_of_nodes()
    # every entity mentioned in a dated document starts at the earliest such date ...
    expected = first_mention_dates(dated_corpus_store)
    dated = {n: day for n, day in starts.items() if n in expected}
    assert dated and all(day == expected[n] for n, day in dated.items())
    # ... and the three kinds of xsd date all appear (gYearMonth → the 1st, gYear → 1 January)
    assert {"2021-06-01", "2022-01-01", "2023-11-23"} <= set(starts.values())
    # entities only the undated document mentions start at the date it was built (the fallback)
    undated_only = {n: day for n, day in starts.items() if n not in expected}
    assert undated_only and set(undated_only.values()) == {build_day(dated_corpus_store, "en_d3")}
    # an edge never starts before its two ends
    for u, v, d in H.edges(data=True):
        assert d["spells"][0][0] >= max(starts[u], starts[v])


def test_dynamic_gexf_in_sigma_and_over_http(dated_corpus_store, chromium, viewers_bundle, tmp_path):
    from fixtures_web import running_server

    with running_server(dated_corpus_store) as base:
        gexf = requests.get(base + "/views/cooccurrence?format=gexf&dynamic=1", timeout=60).content
    assert b'mode="dynamic"' in gexf and b"<spell start=" in gexf
    result = in_sigma(chromium, viewers_bundle, gexf, tmp_path / "dyn.png")
    assert result["ok"], result


def test_dynamic_needs_gexf_13(seed_store_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "export",
            "cooccurrence",
            "--store",
            str(seed_store_path),
            "--dynamic",
            "--gexf-version",
            "1.2draft",
            "-o",
            "/tmp/never.gexf",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1 and "needs GEXF 1.3" in run.stderr and "Traceback" not in run.stderr
