"""/views over HTTP (Flask test client) and the interactive page in Chromium (Playwright)."""

from __future__ import annotations

import io
import threading
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from kg.analysis.views import VIEWS, build_view
from kg.query.engines import LocalEngine


@pytest.fixture(scope="module")
def app(seed_store_path):
    from kg.web import create_app

    return create_app({"STORE": str(seed_store_path), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def expected(seed_store_path):
    eng = LocalEngine(seed_store_path)
    try:
        yield {name: build_view(eng, name) for name in VIEWS}
    finally:
        eng.close()


@pytest.mark.parametrize(
    "fmt, media_type",
    [
        ("gexf", "application/gexf+xml"),
        ("graphml", "application/graphml+xml"),
        ("csv", "text/csv"),
        ("zip", "application/zip"),
        ("json", "application/json"),
        ("svg", "image/svg+xml"),
        ("png", "image/png"),
    ],
)
def test_download_formats(client, expected, fmt, media_type):
    response = client.get(f"/views/technology-sector?format={fmt}")
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == media_type
    assert response.headers["Content-Disposition"].startswith('attachment; filename="technology-sector')
    G = expected["technology-sector"]
    if fmt == "gexf":
        H = nx.read_gexf(io.BytesIO(response.data))
        assert (H.number_of_nodes(), H.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    elif fmt == "graphml":
        H = nx.read_graphml(io.BytesIO(response.data))
        assert H.number_of_edges() == G.number_of_edges()
    elif fmt == "json":
        assert len(response.get_json()["edges"]) == G.number_of_edges()
    elif fmt == "csv":
        assert response.data.decode("utf-8").count("\r\n") == G.number_of_nodes() + 1
    elif fmt == "svg":
        root = ET.fromstring(response.data)
        links = [a.get("href") for a in root.iter("{http://www.w3.org/2000/svg}a")]
        assert len(links) == G.number_of_nodes() and all(h.startswith("/id/") for h in links)


def test_downloads_are_identical_and_cacheable(client):
    first = client.get("/views/clause-entity?format=gexf&lang=zh")
    second = client.get("/views/clause-entity?format=gexf&lang=zh")
    assert first.data == second.data
    again = client.get("/views/clause-entity?format=gexf&lang=zh", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_png_size_and_csv_edges(client):
    from PIL import Image

    response = client.get("/views/cooccurrence?format=png&width=500&height=320")
    assert Image.open(io.BytesIO(response.data)).size == (500, 320)
    edges = client.get("/views/cooccurrence?format=csv&table=edges")
    assert edges.data.decode("utf-8").startswith("Source,Target,Type,Weight")


def test_json_by_accept_and_html_for_browsers(client, expected):
    as_json = client.get("/views/cooccurrence", headers={"Accept": "application/json"})
    assert as_json.mimetype == "application/json"
    data = as_json.get_json()
    assert data["graph"]["summary"]["nodes"] == expected["cooccurrence"].number_of_nodes()
    assert "Content-Disposition" not in as_json.headers
    default = client.get("/views/cooccurrence", headers={"Accept": "*/*"})
    assert default.mimetype == "application/json"
    browser = client.get("/views/cooccurrence", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.mimetype == "text/html"
    assert b"view-svg" in browser.data and b"Top entities" in browser.data
    gexf = client.get("/views/cooccurrence", headers={"Accept": "application/gexf+xml"})
    assert gexf.mimetype == "application/gexf+xml"


def test_filters_over_http(client, expected):
    data = client.get("/views/cooccurrence?format=json&type=Technology,Sector&min_weight=2").get_json()
    assert data["nodes"] and {n["type"] for n in data["nodes"]} <= {"Technology", "Sector"}
    assert all(e["weight"] >= 2 for e in data["edges"])
    doc = client.get("/views/clause-entity?format=json&document=000_bf54f53887da828b").get_json()
    assert len(doc["nodes"]) == expected["clause-entity"].number_of_nodes()


@pytest.mark.parametrize(
    "url, status, message",
    [
        ("/views/nope", 404, "no view 'nope'"),
        ("/views/cooccurrence?type=planet", 400, "unknown entity type"),
        ("/views/cooccurrence?min_weight=x", 400, "whole number"),
        ("/views/cooccurrence?document=missing", 404, "no document"),
        ("/views/cooccurrence?format=docx", 400, "unknown format"),
        ("/views/cooccurrence?lang=fr", 400, "lang"),
        ("/views/cooccurrence?format=png&width=5", 400, "width"),
    ],
)
def test_errors(client, url, status, message):
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == status
    assert message in response.data.decode("utf-8")


def test_view_list(client):
    data = client.get("/views", headers={"Accept": "application/json"}).get_json()
    assert [v["name"] for v in data["views"]] == list(VIEWS)
    assert all(v["description"] for v in data["views"])
    page = client.get("/views", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and b"cooccurrence" in page.data


@pytest.mark.browser
def test_browser_page_shows_nodes_and_links_to_entities(app, expected, chromium):
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    errors: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(f"http://127.0.0.1:{port}/views/technology-sector-cooccurrence?lang=zh")
                G = expected["technology-sector-cooccurrence"]
                nodes = page.locator("#view-svg a.node")
                assert nodes.count() == G.number_of_nodes()
                assert page.locator("#view-svg g.edges line").count() == G.number_of_edges()
                # hover shows the entity card with labels and metrics
                agriculture = page.locator('#view-svg a.node[data-id="https://w3id.org/dsr-kg/id/sector/agriculture"]')
                agriculture.hover()
                card = page.locator("#view-card")
                card.wait_for(state="visible")
                assert (
                    "农业" in card.inner_text()
                    and "agriculture" in card.inner_text()
                    and "pagerank" in card.inner_text()
                )
                # filters: type checkboxes and minimum weight reload the view
                page.fill("input[name=min_weight]", "2")
                page.click(".view-filters button[type=submit]")
                page.wait_for_url("**min_weight=2**")
                heavy = [e for e in G.edges(data="weight") if e[2] >= 2]
                assert page.locator("#view-svg g.edges line").count() == len(heavy)
                # clicking a node opens its entity page
                page.goto(f"http://127.0.0.1:{port}/views/technology-sector-cooccurrence")
                page.locator('#view-svg a.node[data-id="https://w3id.org/dsr-kg/id/sector/agriculture"] circle').click(
                    force=True
                )
                page.wait_for_url("**/id/sector/agriculture")
                assert page.title() and "agriculture" in page.content()
            finally:
                browser.close()
    finally:
        server.shutdown()
        thread.join(5)
    assert errors == []
