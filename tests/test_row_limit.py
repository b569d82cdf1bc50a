"""Issue 14, item 5: `SELECT * WHERE { ?s ?p ?o }` on the 11,621-triple seed store.

Decision: like Virtuoso (DBpedia), the endpoint sends the first MAX_ROWS rows and marks the
result as truncated (header X-SPARQL-MaxRows, "truncated": true in the head of SPARQL
JSON results, a note on the query page) instead of refusing the whole query; an operator
can choose refusal (TRUNCATE_RESULTS=false, 400 [E019]). Either way the message names the
way out: LIMIT/OFFSET and the dump at /data/dump.nq.gz.
"""

from __future__ import annotations

import pytest
import requests

pytest_plugins = ["fixtures_web"]

ALL = "SELECT * WHERE { ?s ?p ?o }"


def test_rdflib_sparqlstore_gets_the_first_rows(seed_server):
    """The user's exact step: rdflib's SPARQLStore raised an unhelpful ValueError."""
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(SPARQLStore(seed_server + "/sparql"))
    rows = list(graph.query(ALL))
    assert len(rows) == 10_000
    assert len(list(graph.query(ALL + " LIMIT 50 OFFSET 10000"))) == 50


def test_truncation_is_marked(seed_server):
    r = requests.get(
        seed_server + "/sparql", params={"query": ALL}, headers={"Accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200
    assert r.headers["X-SPARQL-MaxRows"] == "10000"
    assert "LIMIT" in r.headers["X-KG-Truncated"] and "/data/dump.nq.gz" in r.headers["X-KG-Truncated"]
    doc = r.json()
    assert doc["head"]["truncated"] is True and len(doc["results"]["bindings"]) == 10_000
    small = requests.get(
        seed_server + "/sparql",
        params={"query": ALL + " LIMIT 10"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert "X-SPARQL-MaxRows" not in small.headers and "truncated" not in small.json()["head"]
    graph = requests.get(seed_server + "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert graph.headers["X-SPARQL-MaxRows"] == "10000" and graph.text.count("\n") == 10_000


def test_refusal_when_the_operator_chooses_it(seed_store_path):
    from kg.web import create_app

    app = create_app({"STORE": str(seed_store_path), "TRUNCATE_RESULTS": False, "QUERY_WORKERS": 0})
    r = app.test_client().get("/sparql", query_string={"query": ALL})
    body = r.get_data(as_text=True)
    assert r.status_code == 400 and "[E019]" in body
    assert "more than 10000 rows" in body and "LIMIT" in body and "OFFSET" in body and "/data/dump.nq.gz" in body


@pytest.mark.browser
def test_query_page_notes_truncation(seed_server, chromium):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(seed_server + "/?query=" + requests.utils.quote(ALL))
        page.locator("#run").click()
        note = page.locator("#result-truncated")
        expect(note).to_be_visible(timeout=20_000)
        expect(note).to_contain_text("10000")
        expect(note).to_contain_text("LIMIT")
        expect(note).to_contain_text("结果已截断")
        assert note.locator("a").get_attribute("href") == "/data/dump.nq.gz"
        assert page.locator("#result-table tbody tr").count() == 10_000
        browser.close()
