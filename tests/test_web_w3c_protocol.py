"""W3C SPARQL 1.1 Protocol tests replayed against a real server process.

The manifest (tests/data/w3c-protocol/manifest.ttl) is parsed with rdflib; every
``query_*`` and ``bad_query_*`` test's HTTP requests are sent as the manifest describes
(method, path, headers, body in its character encoding) and the response is checked
against ``mf:expectedStatus``, ``mf:expectedFormat`` (parsed back: results or RDF) and
``mf:expectedBoolean``. The data graphs are loaded with ``kg load FILE --graph IRI``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib
import requests

pytest_plugins = ["fixtures_web"]

DATA = Path(__file__).resolve().parent / "data" / "w3c-protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
GRAPH_BASE = "http://kasei.us/2009/09/sparql/data/"
RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def _manifest() -> tuple[rdflib.Graph, list[rdflib.URIRef]]:
    g = rdflib.Graph().parse(
        DATA / "manifest.ttl",
        format="turtle",
        publicID="http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest",
    )
    manifest = next(g.subjects(rdflib.RDF.type, MF.Manifest))
    entries = list(rdflib.collection.Collection(g, g.value(manifest, MF.entries)))
    return g, entries


GRAPH, ENTRIES = _manifest()
QUERY_TESTS = [e for e in ENTRIES if str(e).rsplit("#", 1)[-1].startswith(("query_", "bad_query_"))]


def test_manifest_has_the_query_tests():
    names = {str(e).rsplit("#", 1)[-1] for e in QUERY_TESTS}
    assert len(names) == 19
    assert {
        "query_post_form",
        "query_dataset_full",
        "query_multiple_dataset",
        "bad_query_non_utf8",
        "bad_query_syntax",
    } <= names


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory):
    """A store holding data0..data3 as named graphs (loaded with `kg load`), served by server.py."""
    from fixtures_web import running_server

    store = tmp_path_factory.mktemp("w3c") / "store"
    for n in range(4):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "kg.cli",
                "load",
                str(DATA / f"data{n}.nt"),
                "--graph",
                f"{GRAPH_BASE}data{n}.rdf",
                "--store",
                str(store),
            ],
            check=True,
            capture_output=True,
        )
    with running_server(store) as base:
        yield base


def _requests(test) -> list[rdflib.term.Node]:
    action = GRAPH.value(test, MF.action)
    return list(rdflib.collection.Collection(GRAPH, GRAPH.value(action, HT.requests)))


def _send(base: str, req) -> requests.Response:
    method = str(GRAPH.value(req, HT.methodName))
    path = str(GRAPH.value(req, HT.absolutePath))
    headers = {}
    header_list = GRAPH.value(req, HT.headers)
    if header_list is not None:
        for h in rdflib.collection.Collection(GRAPH, header_list):
            headers[str(GRAPH.value(h, HT.fieldName))] = str(GRAPH.value(h, HT.fieldValue))
    body = None
    body_node = GRAPH.value(req, HT.body)
    if body_node is not None:
        encoding = str(GRAPH.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(GRAPH.value(body_node, CNT.chars)).encode(encoding)
    # requests adds no Content-Type to a bytes body: the manifest's headers are sent as given.
    return requests.request(method, base + path, headers=headers, data=body, timeout=30, allow_redirects=False)


def _check(resp: requests.Response, expect) -> None:
    statuses = {str(s)[len(HTS) :] for s in GRAPH.objects(expect, MF.expectedStatus)}
    assert f"{resp.status_code // 100}xx" in statuses, (resp.status_code, statuses, resp.text[:300])
    fmt = GRAPH.value(expect, MF.expectedFormat)
    media = resp.headers.get("Content-Type", "").split(";")[0].strip()
    if fmt is not None:
        if str(fmt) in ("boolean", "tabular"):
            assert media in RESULT_TYPES, media
        else:
            assert media in RDF_FORMATS, media
            rdflib.Dataset().parse(data=resp.content, format=RDF_FORMATS[media])
    expected_boolean = GRAPH.value(expect, MF.expectedBoolean)
    if expected_boolean is not None:
        if media == "application/sparql-results+json":
            value = json.loads(resp.content)["boolean"]
        elif media == "application/sparql-results+xml":
            value = ET.fromstring(resp.content).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"
        else:
            value = resp.text.split()[-1] == "true"
        assert value is bool(expected_boolean.toPython()), resp.text
    if str(fmt) == "tabular" and media == "application/sparql-results+json":
        assert "results" in json.loads(resp.content)


@pytest.mark.parametrize("test", QUERY_TESTS, ids=lambda t: str(t).rsplit("#", 1)[-1])
def test_w3c_protocol(w3c_server, test):
    for req in _requests(test):
        resp = _send(w3c_server, req)
        _check(resp, GRAPH.value(req, HT.resp))


def test_dataset_params_really_restrict(w3c_server):
    """Without protocol graphs the default graph is the union; with them, only those graphs."""

    def ask(query: str, params: list[tuple[str, str]]) -> bool:
        r = requests.get(
            w3c_server + "/sparql",
            params=[("query", query), *params],
            headers={"Accept": "application/sparql-results+json"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return json.loads(r.content)["boolean"]

    data1 = f"ASK {{ <{GRAPH_BASE}data1.rdf> a ?t }}"
    assert ask(data1, []) is True  # the union
    assert ask(data1, [("default-graph-uri", f"{GRAPH_BASE}data2.rdf")]) is False
    assert ask(data1, [("default-graph-uri", f"{GRAPH_BASE}data1.rdf")]) is True
    assert ask(data1, [("named-graph-uri", f"{GRAPH_BASE}data1.rdf")]) is False
    in_named = f"ASK {{ GRAPH ?g {{ <{GRAPH_BASE}data3.rdf> a ?t }} }}"
    assert ask(in_named, [("named-graph-uri", f"{GRAPH_BASE}data1.rdf")]) is False
    assert ask(in_named, [("named-graph-uri", f"{GRAPH_BASE}data3.rdf")]) is True
