"""A real server process (``python server.py``) on 127.0.0.1, queried with SPARQLWrapper."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest
import rdflib
import requests

pytest_plugins = ["fixtures_web"]

AI = "https://w3id.org/dsr-kg/id/technology/artificial-intelligence"
TECH_BY_CLAUSES = """PREFIX dsr: <https://w3id.org/dsr-kg/ontology#>
SELECT ?t (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c dsr:mentions ?t . ?t a dsr:Technology } GROUP BY ?t ORDER BY DESC(?n) ?t"""


def wrapper(base: str, query: str, fmt: str, method: str = "GET"):
    from SPARQLWrapper import POST, SPARQLWrapper

    sparql = SPARQLWrapper(base + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if method == "POST":
        sparql.setMethod(POST)
    return sparql.query()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_formats(seed_server, method):
    from SPARQLWrapper import CSV, JSON, XML

    as_json = wrapper(seed_server, TECH_BY_CLAUSES, JSON, method).convert()
    rows = [(b["t"]["value"], int(b["n"]["value"])) for b in as_json["results"]["bindings"]]
    assert rows[0] == (AI, 5)
    xml_doc = wrapper(seed_server, TECH_BY_CLAUSES, XML, method).convert()  # a minidom Document
    xml_rows = []
    for result in xml_doc.getElementsByTagName("result"):
        values = {b.getAttribute("name"): b.firstChild.firstChild.data for b in result.getElementsByTagName("binding")}
        xml_rows.append((values["t"], int(values["n"])))
    assert xml_rows == rows
    raw_csv = wrapper(seed_server, TECH_BY_CLAUSES, CSV, method).convert()
    parsed = list(csv.reader(io.StringIO(raw_csv.decode("utf-8"))))
    assert parsed[0] == ["t", "n"]
    assert [(r[0], int(r[1])) for r in parsed[1:]] == rows


def test_sparqlwrapper_ask(seed_server):
    from SPARQLWrapper import JSON

    result = wrapper(seed_server, f"ASK {{ ?c <https://w3id.org/dsr-kg/ontology#mentions> <{AI}> }}", JSON).convert()
    assert result["boolean"] is True


def test_sparqlwrapper_construct_turtle(seed_server):
    from SPARQLWrapper import TURTLE

    query = f"CONSTRUCT {{ <{AI}> ?p ?o }} WHERE {{ <{AI}> ?p ?o }}"
    body = wrapper(seed_server, query, TURTLE).convert()
    g = rdflib.Graph().parse(data=body.decode("utf-8") if isinstance(body, bytes) else body, format="turtle")
    assert (rdflib.URIRef(AI), rdflib.OWL.sameAs, rdflib.URIRef("http://www.wikidata.org/entity/Q11660")) in g


def test_sparqlwrapper_syntax_error(seed_server):
    from SPARQLWrapper import JSON
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed) as info:
        wrapper(seed_server, "SELECT * WHERE { ?s ?p }", JSON)
    assert "syntax error" in str(info.value)


def test_linked_data_over_http(seed_server):
    r = requests.get(
        seed_server + "/id/technology/artificial-intelligence", headers={"Accept": "application/ld+json"}, timeout=10
    )
    assert r.status_code == 200 and r.headers["Vary"].lower().find("accept") >= 0
    g = rdflib.Graph().parse(data=r.text, format="json-ld")
    assert len(g) > 5
    again = requests.get(
        seed_server + "/id/technology/artificial-intelligence",
        headers={"Accept": "application/ld+json", "If-None-Match": r.headers["ETag"]},
        timeout=10,
    )
    assert again.status_code == 304


def test_cors_preflight_over_http(seed_store_path):
    """CORS is opt-in: with an allow-list, a listed origin passes the preflight."""
    from fixtures_web import running_server

    with running_server(seed_store_path, env={"KG_CORS_ORIGINS": "http://localhost:8080"}) as base:
        r = requests.options(
            base + "/sparql",
            headers={"Origin": "http://localhost:8080", "Access-Control-Request-Method": "POST"},
            timeout=10,
        )
        assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == "http://localhost:8080"
        other = requests.options(
            base + "/sparql",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
            timeout=10,
        )
        assert "Access-Control-Allow-Origin" not in other.headers


def test_health_over_http(seed_server):
    doc = requests.get(seed_server + "/health", timeout=10).json()
    assert doc["status"] == "ok" and doc["documents"] == 1


def test_server_builds_missing_store(tmp_path, seed_path):
    """`python server.py` builds the store from the source folder when it is missing."""
    from fixtures_web import running_server

    source = tmp_path / "source"
    source.mkdir()
    (source / seed_path.name).write_bytes(seed_path.read_bytes())
    store = tmp_path / "store"
    with running_server(store, "--source", str(source)) as base:
        assert requests.get(base + "/health", timeout=10).json()["documents"] == 1
    assert (store / "CURRENT").is_file()


def test_kg_serve_help_lists_settings():
    out = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for name in ("KG_MAX_ROWS", "KG_QUERY_TIME_LIMIT", "KG_UPDATE_TOKEN", "KG_CORS_ORIGINS", "--in-memory / --on-disk"):
        assert name in out
