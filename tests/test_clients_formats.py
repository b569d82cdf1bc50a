"""Issue 14, item 1: the result formats standard clients ask for, against a real server process.

SPARQLWrapper's default for CONSTRUCT and DESCRIBE sends ``format=xml&output=xml`` with
``Accept: application/rdf+xml``; ``setReturnFormat`` sends short names (``rdf+xml``,
``n3``, ``json-ld`` …). Every return format SPARQLWrapper knows is tried for SELECT, ASK,
CONSTRUCT and DESCRIBE: the ones the query form can produce come back parsed by
SPARQLWrapper itself; the others get a 406 that names the formats that do fit.
"""

from __future__ import annotations

import csv
import io
import urllib.error

import pytest
import rdflib
import requests

pytest_plugins = ["fixtures_web"]

AI = "https://w3id.org/dsr-kg/id/technology/artificial-intelligence"
WD_AI = "http://www.wikidata.org/entity/Q11660"
DSR = "https://w3id.org/dsr-kg/ontology#"
SELECT = f"SELECT ?c WHERE {{ ?c <{DSR}mentions> <{AI}> }} ORDER BY ?c"
ASK = f"ASK {{ ?c <{DSR}mentions> <{AI}> }}"
CONSTRUCT = f"CONSTRUCT {{ <{AI}> ?p ?o }} WHERE {{ <{AI}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{AI}>"
SAME_AS = (rdflib.URIRef(AI), rdflib.OWL.sameAs, rdflib.URIRef(WD_AI))


def sparql(base: str, query: str, fmt: str | None = None):
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(base + "/sparql")
    client.setQuery(query)
    if fmt is not None:
        client.setReturnFormat(fmt)
    return client


def as_graph(converted) -> rdflib.Graph:
    """SPARQLWrapper returns a Graph for RDF/XML and JSON-LD, bytes for Turtle/N3."""
    if isinstance(converted, rdflib.Graph):
        return converted
    return rdflib.Graph().parse(data=converted.decode("utf-8"), format="turtle")


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["CONSTRUCT", "DESCRIBE"])
def test_sparqlwrapper_default_graph_queries(seed_server, query):
    """The user's exact step: no setReturnFormat; SPARQLWrapper sends format=xml with Accept RDF/XML."""
    result = sparql(seed_server, query).query()
    assert result.response.headers["Content-Type"].startswith("application/rdf+xml")
    graph = result.convert()
    assert isinstance(graph, rdflib.Graph) and SAME_AS in graph


GRAPH_OK = ["xml", "rdf", "rdf+xml", "turtle", "n3", "json-ld", "json"]
GRAPH_NO = ["csv", "tsv"]
RESULTS_OK = ["json", "xml", "csv", "tsv"]
RESULTS_NO = ["turtle", "n3", "rdf", "rdf+xml", "json-ld"]


@pytest.mark.parametrize("fmt", GRAPH_OK)
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["CONSTRUCT", "DESCRIBE"])
def test_sparqlwrapper_graph_formats(seed_server, query, fmt):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SPARQLWrapper warns about JSON for graphs
        result = sparql(seed_server, query, fmt).query()
        graph = as_graph(result.convert())
    assert SAME_AS in graph, (fmt, result.response.headers["Content-Type"])


@pytest.mark.parametrize("fmt", GRAPH_NO)
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["CONSTRUCT", "DESCRIBE"])
def test_sparqlwrapper_graph_formats_that_cannot_fit(seed_server, query, fmt):
    import warnings

    with warnings.catch_warnings(), pytest.raises(urllib.error.HTTPError) as info:
        warnings.simplefilter("ignore", RuntimeWarning)
        sparql(seed_server, query, fmt).query()
    assert info.value.code == 406
    body = info.value.read().decode("utf-8")
    assert f"format={fmt}" in body and "turtle, ntriples, jsonld, rdfxml" in body


def _select_rows(fmt: str, converted) -> list[str]:
    if fmt == "json":
        return [b["c"]["value"] for b in converted["results"]["bindings"]]
    if fmt == "xml":
        return [n.firstChild.firstChild.data for n in converted.getElementsByTagName("binding")]
    text = converted.decode("utf-8")
    if fmt == "csv":
        return [r[0] for r in list(csv.reader(io.StringIO(text)))[1:]]
    return [line.strip("<>") for line in text.splitlines()[1:]]


@pytest.mark.parametrize("fmt", RESULTS_OK)
def test_sparqlwrapper_select_and_ask_formats(seed_server, fmt):
    rows = _select_rows(fmt, sparql(seed_server, SELECT, fmt).query().convert())
    assert len(rows) == 5 and all(r.startswith("https://w3id.org/dsr-kg/id/document/") for r in rows)
    answer = sparql(seed_server, ASK, fmt).query().convert()
    if fmt == "json":
        assert answer["boolean"] is True
    elif fmt == "xml":
        assert answer.getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert answer.decode("utf-8").splitlines()[1] == "true"


@pytest.mark.parametrize("fmt", RESULTS_NO)
@pytest.mark.parametrize("query", [SELECT, ASK], ids=["SELECT", "ASK"])
def test_sparqlwrapper_graph_formats_for_select_are_406_with_a_way_out(seed_server, query, fmt):
    import warnings

    with warnings.catch_warnings(), pytest.raises(urllib.error.HTTPError) as info:
        warnings.simplefilter("ignore", RuntimeWarning)
        sparql(seed_server, query, fmt).query()
    assert info.value.code == 406
    body = info.value.read().decode("utf-8")
    assert f"format={fmt}" in body and "json, xml, csv, tsv" in body


def test_accept_json_on_construct_is_json_ld(seed_server):
    r = requests.get(seed_server + "/sparql", params={"query": CONSTRUCT}, headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/ld+json")
    assert SAME_AS in rdflib.Graph().parse(data=r.text, format="json-ld")
    r = requests.get(seed_server + "/sparql", params={"query": CONSTRUCT}, headers={"Accept": "application/xml"})
    assert r.headers["Content-Type"].startswith("application/rdf+xml")


@pytest.mark.parametrize(
    ("name", "media", "parser"),
    [
        ("rdf+xml", "application/rdf+xml", "xml"),
        ("xml", "application/rdf+xml", "xml"),
        ("n3", "text/turtle", "turtle"),
        ("ttl", "text/turtle", "turtle"),
        ("json-ld", "application/ld+json", "json-ld"),
        ("json", "application/ld+json", "json-ld"),
        ("nt", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_short_format_names_for_graphs(seed_server, name, media, parser):
    for param in ("format", "output"):
        r = requests.get(seed_server + "/sparql", params={"query": CONSTRUCT, param: name})
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith(media)
        assert SAME_AS in rdflib.Graph().parse(data=r.content, format=parser)


def test_xml_and_json_mean_results_for_select(seed_server):
    r = requests.get(seed_server + "/sparql", params={"query": SELECT, "format": "xml"})
    assert r.headers["Content-Type"].startswith("application/sparql-results+xml")
    r = requests.get(seed_server + "/sparql", params={"query": SELECT, "output": "json"})
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    r = requests.get(seed_server + "/sparql", params={"query": SELECT, "format": "docx"})
    assert r.status_code == 400 and "unknown format='docx'" in r.text
