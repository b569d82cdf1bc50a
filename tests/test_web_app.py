"""The Flask app through its test client: protocol, negotiation, errors, pages, linked data.

Every RDF or results body is parsed back (rdflib, json, csv, xml) before asserting.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
import rdflib

pytest_plugins = ["fixtures_web"]

SEED_DOC = "https://w3id.org/dsr-kg/id/document/000_bf54f53887da828b"
AI = "https://w3id.org/dsr-kg/id/technology/artificial-intelligence"
SRX = "{http://www.w3.org/2005/sparql-results#}"
COUNT_DOCS = "PREFIX dsr: <https://w3id.org/dsr-kg/ontology#> SELECT (COUNT(?d) AS ?n) WHERE { ?d a dsr:Document }"
CONSTRUCT_AI = f"CONSTRUCT {{ <{AI}> ?p ?o }} WHERE {{ <{AI}> ?p ?o }}"
RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def parse_rdf(response) -> rdflib.Dataset:
    """Parse an RDF response by its Content-Type."""
    media = response.mimetype
    ds = rdflib.Dataset()
    ds.parse(data=response.get_data(), format=RDFLIB_FORMATS[media])
    return ds


def parse_results(response) -> tuple[list[str], list[dict[str, str]] | bool]:
    """Parse SPARQL results (JSON, XML, CSV, TSV) into (variables, rows as value strings) or a boolean."""
    media = response.mimetype
    text = response.get_data(as_text=True)
    if media == "application/sparql-results+json":
        doc = json.loads(text)
        if "boolean" in doc:
            return [], doc["boolean"]
        return doc["head"]["vars"], [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]
    if media == "application/sparql-results+xml":
        root = ET.fromstring(response.get_data())
        boolean = root.find(f"{SRX}boolean")
        if boolean is not None:
            return [], boolean.text == "true"
        variables = [v.get("name") for v in root.iter(f"{SRX}variable")]
        rows = []
        for result in root.iter(f"{SRX}result"):
            rows.append({b.get("name"): "".join(b.itertext()) for b in result.iter(f"{SRX}binding")})
        return variables, rows
    if media == "text/csv":
        reader = list(csv.reader(io.StringIO(text)))
        return reader[0], [dict(zip(reader[0], r)) for r in reader[1:]]
    if media == "text/tab-separated-values":
        lines = text.rstrip("\n").split("\n")
        variables = [v.lstrip("?") for v in lines[0].split("\t")]
        return variables, [dict(zip(variables, line.split("\t"))) for line in lines[1:]]
    raise AssertionError(f"not a results type: {media}")


# ---------------------------------------------------------------- protocol: the three operations


@pytest.mark.parametrize(
    "accept,media",
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/html, */*;q=0.1", "application/sparql-results+json"),
    ],
)
def test_select_by_accept(client, accept, media):
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql", query_string={"query": COUNT_DOCS}, headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == media
    assert r.headers["Content-Type"].endswith("charset=utf-8")
    assert "Accept" in r.headers["Vary"]
    variables, rows = parse_results(r)
    assert variables == ["n"]
    assert rows[0]["n"].strip('"').split('"')[0] == "1"


def test_post_form_and_direct_agree(client):
    form = client.post("/sparql", data={"query": COUNT_DOCS}, headers={"Accept": "text/csv"})
    direct = client.post(
        "/sparql",
        data=COUNT_DOCS.encode(),
        content_type="application/sparql-query; charset=utf-8",
        headers={"Accept": "text/csv"},
    )
    get = client.get("/sparql", query_string={"query": COUNT_DOCS}, headers={"Accept": "text/csv"})
    assert form.status_code == direct.status_code == get.status_code == 200
    assert parse_results(form) == parse_results(direct) == parse_results(get)


@pytest.mark.parametrize(
    "accept",
    ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"],
)
def test_ask_in_every_result_format(client, accept):
    r = client.get(
        "/sparql",
        query_string={"query": f"ASK {{ ?c <https://w3id.org/dsr-kg/ontology#mentions> <{AI}> }}"},
        headers={"Accept": accept},
    )
    assert r.status_code == 200
    if accept in ("text/csv", "text/tab-separated-values"):
        lines = r.get_data(as_text=True).split()
        assert lines[-1] == "true"
    else:
        assert parse_results(r) == ([], True)


@pytest.mark.parametrize("media", list(RDFLIB_FORMATS))
def test_construct_in_every_rdf_format(client, media):
    r = client.post("/sparql", data={"query": CONSTRUCT_AI}, headers={"Accept": media})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == media
    ds = parse_rdf(r)
    labels = {str(o) for _, p, o, _ in ds.quads((rdflib.URIRef(AI), rdflib.RDFS.label, None, None))}
    assert {"人工智能", "artificial intelligence"} <= labels


def test_describe_returns_rdf(client):
    r = client.get(
        "/sparql", query_string={"query": f"DESCRIBE <{SEED_DOC}>"}, headers={"Accept": "application/n-triples"}
    )
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.get_data(as_text=True), format="nt")
    assert (rdflib.URIRef(SEED_DOC), rdflib.RDF.type, rdflib.URIRef("https://w3id.org/dsr-kg/ontology#Document")) in g


@pytest.mark.parametrize(
    "fmt,media,ext",
    [
        ("csv", "text/csv", "csv"),
        ("json", "application/sparql-results+json", "srj"),
        ("xml", "application/sparql-results+xml", "srx"),
        ("tsv", "text/tab-separated-values", "tsv"),
    ],
)
def test_format_parameter_and_download(client, fmt, media, ext):
    r = client.get(
        "/sparql", query_string={"query": COUNT_DOCS, "format": fmt, "download": "1"}, headers={"Accept": "text/html"}
    )
    assert r.status_code == 200 and r.mimetype == media
    assert r.headers["Content-Disposition"] == f'attachment; filename="query-result.{ext}"'
    assert parse_results(r)[0] == ["n"]
    inline = client.get("/sparql", query_string={"query": COUNT_DOCS, "output": fmt})
    assert inline.mimetype == media and inline.headers["Content-Disposition"].startswith("inline")


def test_format_parameter_for_construct(client):
    r = client.get("/sparql", query_string={"query": CONSTRUCT_AI, "format": "jsonld"})
    assert r.mimetype == "application/ld+json"
    assert len(parse_rdf(r)) > 5


# ---------------------------------------------------------------- protocol: errors


@pytest.mark.parametrize(
    "method,kwargs,accept,status,message",
    [
        ("get", {"query_string": {"query": "SELECT * WHERE { ?s ?p"}}, None, 400, "SPARQL syntax error"),
        ("get", {"query_string": "query=ASK%20%7B%7D&query=ASK%20%7B%7D"}, None, 400, "2 query strings"),
        ("get", {"query_string": {"default-graph-uri": "http://example.org/g"}}, None, 400, "missing query"),
        ("post", {"data": b"", "content_type": "application/x-www-form-urlencoded"}, None, 400, "missing query"),
        ("get", {"query_string": {"query": "  "}}, None, 400, "empty"),
        ("post", {"data": b"ASK {}", "content_type": "text/plain"}, None, 415, "not text/plain"),
        ("post", {"data": b"query=ASK%20%7B%7D"}, None, 415, "no Content-Type"),
        (
            "post",
            {"data": "ASK {}".encode("utf-16"), "content_type": "application/sparql-query; charset=UTF-16"},
            None,
            400,
            "UTF-8",
        ),
        ("post", {"data": b"ASK { \xff }", "content_type": "application/sparql-query"}, None, 400, "not UTF-8"),
        ("get", {"query_string": "query=ASK%20%7B%20%FF%20%7D"}, None, 400, "UTF-8"),
        (
            "post",
            {"data": b"query=ASK%20%7B%FE%7D", "content_type": "application/x-www-form-urlencoded"},
            None,
            400,
            "UTF-8",
        ),
        ("get", {"query_string": {"query": COUNT_DOCS}}, "text/turtle", 406, "none of the requested types"),
        ("get", {"query_string": {"query": CONSTRUCT_AI}}, "text/csv", 406, "none of the requested types"),
        ("get", {"query_string": {"query": COUNT_DOCS, "format": "gexf"}}, None, 400, "unknown format"),
        ("get", {"query_string": {"query": CONSTRUCT_AI, "format": "csv"}}, None, 406, ""),
        ("put", {"query_string": {"query": COUNT_DOCS}}, None, 405, "PUT is not allowed"),
        ("delete", {}, None, 405, "not allowed"),
        ("get", {"query_string": {"update": "CLEAR ALL"}}, None, 400, "POST"),
        ("post", {"data": {"update": "CLEAR ALL"}}, None, 403, "read-only"),
        ("post", {"data": b"CLEAR ALL", "content_type": "application/sparql-update"}, None, 403, "read-only"),
        ("post", {"data": {"query": COUNT_DOCS, "update": "CLEAR ALL"}}, None, 400, "both a query and an update"),
        (
            "post",
            {"data": "INSERT DATA { <a:a> <a:b> <a:c> }", "content_type": "application/sparql-query"},
            None,
            400,
            "SPARQL syntax error",
        ),
    ],
)
def test_protocol_errors(client, method, kwargs, accept, status, message):
    headers = {"Accept": accept} if accept else {}
    r = getattr(client, method)("/sparql", headers=headers, **kwargs)
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.mimetype == "text/plain"
    assert message in r.get_data(as_text=True)
    if status == 405:
        assert {"GET", "POST"} <= {m.strip() for m in r.headers["Allow"].split(",")}


def test_syntax_error_carries_parser_position(client):
    r = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert r.status_code == 400
    assert "1:" in r.get_data(as_text=True)  # the parser's line:column


def test_row_limit(seed_store_path):
    from kg.web import create_app

    app = create_app({"STORE": str(seed_store_path), "MAX_ROWS": 5, "TRUNCATE_RESULTS": False})
    c = app.test_client()
    too_many = c.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert too_many.status_code == 400 and "more than 5 rows" in too_many.get_data(as_text=True)
    ok = c.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert ok.status_code == 200 and len(parse_results(ok)[1]) == 5


# ---------------------------------------------------------------- dataset restriction


def test_protocol_dataset_restricts_union(client):
    """default-graph-uri / named-graph-uri replace the union default graph."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(**params) -> int:
        r = client.get(
            "/sparql", query_string={"query": count, **params}, headers={"Accept": "application/sparql-results+json"}
        )
        assert r.status_code == 200
        return int(parse_results(r)[1][0]["n"])

    total = n()
    only_doc = n(**{"default-graph-uri": SEED_DOC})
    only_ontology = n(**{"default-graph-uri": "https://w3id.org/dsr-kg/graph/ontology"})
    nothing = n(**{"default-graph-uri": "http://example.org/no-such-graph"})
    assert 0 < only_doc < total and 0 < only_ontology < total
    assert only_doc + only_ontology == total
    assert nothing == 0
    # Both default graphs together: the merge.
    r = client.get(
        "/sparql",
        query_string=[
            ("query", count),
            ("default-graph-uri", SEED_DOC),
            ("default-graph-uri", "https://w3id.org/dsr-kg/graph/ontology"),
        ],
    )
    assert int(parse_results(r)[1][0]["n"]) == total
    # Named graphs only: the default graph is empty, GRAPH sees only the named ones.
    r = client.get(
        "/sparql",
        query_string=[("query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"), ("named-graph-uri", SEED_DOC)],
    )
    assert [row["g"] for row in parse_results(r)[1]] == [SEED_DOC]
    r = client.get("/sparql", query_string=[("query", count), ("named-graph-uri", SEED_DOC)])
    assert int(parse_results(r)[1][0]["n"]) == 0


# ---------------------------------------------------------------- service description, VoID, ontology


SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.mark.parametrize(
    "accept", [None, "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]
)
def test_service_description(client, accept):
    r = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200
    assert r.mimetype == (accept or "text/turtle")
    g = rdflib.Graph().parse(data=r.get_data(), format=RDFLIB_FORMATS[r.mimetype])
    service = next(g.subjects(rdflib.RDF.type, SD.Service))
    assert g.value(service, SD.endpoint) == rdflib.URIRef("http://localhost/sparql")
    assert SD.SPARQL11Query in set(g.objects(service, SD.supportedLanguage))
    assert SD.SPARQL11Update not in set(g.objects(service, SD.supportedLanguage))
    assert SD.UnionDefaultGraph in set(g.objects(service, SD.feature))
    formats = {str(f).rsplit("/", 1)[-1] for f in g.objects(service, SD.resultFormat)}
    assert {
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "JSON-LD",
        "RDF_XML",
        "N-Triples",
    } <= formats
    dataset = g.value(service, SD.defaultDataset)
    names = {str(g.value(ng, SD.name)) for ng in g.objects(dataset, SD.namedGraph)}
    assert {SEED_DOC, "https://w3id.org/dsr-kg/graph/ontology"} <= names


def test_sparql_without_query_shows_page_to_browsers(client):
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert 'id="query-form"' in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]
)
def test_void(client, accept):
    r = client.get("/.well-known/void", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == accept
    g = rdflib.Graph().parse(data=r.get_data(), format=RDFLIB_FORMATS[accept])
    ds = next(g.subjects(VOID.uriSpace, None))
    health = client.get("/health").get_json()
    assert int(g.value(ds, VOID.triples)) == health["triples"]
    assert int(g.value(ds, VOID.entities)) > 100
    assert int(g.value(ds, VOID.classes)) >= 6 and int(g.value(ds, VOID.properties)) > 20
    assert str(g.value(ds, VOID.uriSpace)) == "https://w3id.org/dsr-kg/id/"
    assert g.value(ds, VOID.sparqlEndpoint) == rdflib.URIRef("http://localhost/sparql")
    assert g.value(ds, rdflib.DCTERMS.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert "000_bf54f53887da828b.txt" in {str(s) for s in g.objects(ds, rdflib.DCTERMS.source)}
    subsets = {str(s): int(g.value(s, VOID.triples)) for s in g.objects(ds, VOID.subset)}
    assert SEED_DOC in subsets and sum(subsets.values()) == health["triples"]
    classes = {
        str(g.value(p, VOID["class"])): int(g.value(p, VOID.entities)) for p in g.objects(ds, VOID.classPartition)
    }
    assert classes["https://w3id.org/dsr-kg/ontology#Document"] == 1
    assert classes["https://w3id.org/dsr-kg/ontology#Clause"] == 21
    assert rdflib.URIRef(AI) in set(g.objects(ds, VOID.exampleResource))


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]
)
def test_ontology_rdf(client, accept):
    r = client.get("/ontology", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == accept
    g = rdflib.Graph().parse(data=r.get_data(), format=RDFLIB_FORMATS[accept])
    dsr = rdflib.Namespace("https://w3id.org/dsr-kg/ontology#")
    assert (dsr.Clause, rdflib.RDF.type, rdflib.OWL.Class) in g
    assert rdflib.Literal("条款", lang="zh") in set(g.objects(dsr.Clause, rdflib.RDFS.label))


def test_ontology_html(client):
    r = client.get("/ontology", headers={"Accept": "text/html"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    for text in ("dsr:Clause", "条款", "Clause", "dsr:mentions", 'id="Technology"'):
        assert text in html


# ---------------------------------------------------------------- linked data


@pytest.mark.parametrize("media", list(RDFLIB_FORMATS))
def test_entity_rdf(client, media):
    r = client.get("/id/technology/artificial-intelligence", headers={"Accept": media})
    assert r.status_code == 200 and r.mimetype == media
    assert "Accept" in r.headers["Vary"]
    ds = parse_rdf(r)
    subjects = {s for s, _, _, _ in ds.quads((None, None, None, None))}
    assert subjects == {rdflib.URIRef(AI)}
    sameas = {str(o) for _, _, o, _ in ds.quads((rdflib.URIRef(AI), rdflib.OWL.sameAs, None, None))}
    assert "http://www.wikidata.org/entity/Q11660" in sameas


def test_clause_rdf_includes_annotations(client):
    clause = SEED_DOC + "/clause/12"
    r = client.get("/id/document/000_bf54f53887da828b/clause/12", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.get_data(as_text=True), format="turtle")
    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    text = str(g.value(rdflib.URIRef(clause), rdflib.URIRef("https://w3id.org/dsr-kg/ontology#text")))
    annotations = list(g.subjects(rdflib.RDF.type, oa.Annotation))
    assert len(annotations) >= 5
    for a in annotations:
        target = g.value(a, oa.hasTarget)
        assert g.value(target, oa.hasSource) == rdflib.URIRef(clause)
        selectors = list(g.objects(target, oa.hasSelector))
        quote = next(s for s in selectors if (s, rdflib.RDF.type, oa.TextQuoteSelector) in g)
        pos = next(s for s in selectors if (s, rdflib.RDF.type, oa.TextPositionSelector) in g)
        assert text[int(g.value(pos, oa.start)) : int(g.value(pos, oa.end))] == str(g.value(quote, oa.exact))


def test_linked_data_caching(client):
    path = "/id/technology/artificial-intelligence"
    first = client.get(path, headers={"Accept": "text/turtle"})
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Last-Modified"]
    again = client.get(path, headers={"Accept": "text/turtle"})
    assert again.headers["ETag"] == etag and again.get_data() == first.get_data()
    assert client.get(path, headers={"Accept": "text/turtle", "If-None-Match": etag}).status_code == 304
    assert (
        client.get(
            path, headers={"Accept": "text/turtle", "If-Modified-Since": first.headers["Last-Modified"]}
        ).status_code
        == 304
    )
    assert client.get(path, headers={"Accept": "text/turtle", "If-None-Match": '"other"'}).status_code == 200
    jsonld = client.get(path, headers={"Accept": "application/ld+json"})
    assert jsonld.headers["ETag"] != etag


@pytest.mark.parametrize(
    "accept,status,media",
    [
        ("text/html", 404, "text/html"),
        ("text/turtle", 404, "text/plain"),
        ("application/json", 404, "application/json"),
        (None, 404, "text/plain"),
    ],
)
def test_unknown_iri(client, accept, status, media):
    r = client.get("/id/technology/no-such-thing", headers={"Accept": accept} if accept else {})
    assert r.status_code == status and r.mimetype == media
    assert "no-such-thing" in r.get_data(as_text=True)


def test_entity_html(client):
    r = client.get("/id/technology/artificial-intelligence", headers={"Accept": "text/html"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html" and r.headers["ETag"]
    assert "人工智能" in html and "artificial intelligence" in html
    assert 'href="http://www.wikidata.org/entity/Q11660"' in html
    # Every clause mentioning AI is listed with the mention marked and linked.
    clauses = client.get(
        "/sparql",
        query_string={"query": f"SELECT DISTINCT ?c WHERE {{ ?c <https://w3id.org/dsr-kg/ontology#mentions> <{AI}> }}"},
    )
    for row in parse_results(clauses)[1]:
        assert 'href="/id/' + row["c"][len("https://w3id.org/dsr-kg/id/") :] + '"' in html
    assert html.count(f'data-entity="{AI}"') >= len(parse_results(clauses)[1])
    assert '<a href="/id/technology/artificial-intelligence">人工智能</a></mark>' in html
    # Related entities: co-mentioned ones with counts.
    assert 'id="related"' in html and "/id/technology/big-data" in html


def test_clause_html_marks_every_mention(client):
    clause = SEED_DOC + "/clause/12"
    r = client.get("/id/document/000_bf54f53887da828b/clause/12", headers={"Accept": "text/html"})
    html = r.get_data(as_text=True)
    rows = parse_results(
        client.get(
            "/sparql",
            query_string={
                "query": f"""PREFIX oa: <http://www.w3.org/ns/oa#> SELECT ?e WHERE {{
                ?t oa:hasSource <{clause}> . ?a oa:hasTarget ?t ; oa:hasBody ?e }}"""
            },
        )
    )[1]
    assert len(rows) >= 5
    section = html[html.index('id="clause-text"') : html.index("</div>", html.index('id="clause-text"'))]
    assert section.count("<mark") >= len(rows)
    for row in rows:
        assert f'data-entity="{row["e"]}"' in section
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert 'href="/id/document/000_bf54f53887da828b"' in html


def test_document_html(client):
    html = client.get("/id/document/000_bf54f53887da828b", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "数字经济国际合作北京倡议" in html
    signatories = html[html.index('id="signatories"') : html.index("</ul>", html.index('id="signatories"'))]
    assert signatories.count("<li>") == 14
    assert "http://www.wikidata.org/entity/Q148" in signatories
    table = html[html.index('id="clauses"') : html.index("</table>", html.index('id="clauses"'))]
    assert table.count("<tr>") == 22  # header + clauses 0..20


def test_highlight_nested_and_identical_spans():
    from flask import Flask

    from kg.web.html import Span, highlight

    app = Flask(__name__)
    app.config["BASE_IRI"] = "https://w3id.org/dsr-kg/id/"
    app.add_url_rule("/id/<path:rest>", endpoint="linked_data.resource", view_func=lambda rest: rest)
    text = "推动下一代互联网<b>&发展"
    outer = Span(2, 8, "https://w3id.org/dsr-kg/id/technology/next-generation-internet", "下一代互联网", "Technology")
    inner = Span(5, 8, "https://w3id.org/dsr-kg/id/technology/internet", "互联网", "Technology")
    twin = Span(5, 8, "https://example.org/other", "Other", "Sector")
    with app.test_request_context():
        html = str(highlight(text, [outer, inner, twin]))
    assert "<b>" not in html and "&lt;b&gt;&amp;" in html
    for span in (outer, inner, twin):
        assert f'data-entity="{span.entity}"' in html
    assert '<a href="/id/technology/next-generation-internet">下一代</a>' in html
    # The inner span links once in the text; its twin (same offsets) gets a superscript link.
    assert html.count('href="/id/technology/internet"') == 1 and html.count('href="https://example.org/other"') == 1
    assert html.count("<sup>") == 1


def test_clause_text_is_escaped(tmp_path):
    """Clause texts are untrusted: markup in a source document must come out escaped."""
    from kg.build import build
    from kg.web import create_app

    src = tmp_path / "evil.txt"
    src.write_text(
        '关于<script>alert("x")</script>合作的倡议\n\n一、推动人工智能<img src=x onerror=alert(1)>合作。\n二、发展区块链技术。\n',
        encoding="utf-8",
    )
    store = tmp_path / "store"
    assert build([src], store).ok
    c = create_app({"STORE": str(store)}).test_client()
    for path in ("/id/document/evil/clause/1", "/id/document/evil", "/id/technology/artificial-intelligence"):
        html = c.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, path
    html = c.get("/id/document/evil/clause/1", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


# ---------------------------------------------------------------- query page, examples, health


def test_query_page(client):
    r = client.get("/", headers={"Accept": "text/html"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert html.count('class="example"') >= 10
    assert 'id="stats"' in html and ">21<" in html  # 21 clauses
    assert "//cdn" not in html and "https://" not in html.split("<body>")[0].replace("https://w3id.org", "")
    for asset in ("style.css", "sparql-editor.js", "query.js"):
        assert client.get(f"/static/{asset}").status_code == 200


def test_query_page_prefills_query(client):
    html = client.get("/", query_string={"query": "ASK { <a:b> ?p ?o }"}).get_data(as_text=True)
    assert "ASK { &lt;a:b&gt; ?p ?o }" in html


def test_examples_are_bilingual_and_all_run(client):
    from kg.web.query_page import examples

    found = examples()
    assert len(found) >= 10
    forms = set()
    for ex in found:
        assert ex.title_zh != ex.name and ex.title_en != ex.name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in ex.title_zh)
        r = client.post(
            "/sparql",
            data={"query": ex.query},
            headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"},
        )
        assert r.status_code == 200, (ex.name, r.get_data(as_text=True))
        if r.mimetype == "text/turtle":
            forms.add("graph")
            assert len(rdflib.Graph().parse(data=r.get_data(as_text=True), format="turtle")) > 0, ex.name
        else:
            _, rows = parse_results(r)
            if ex.min_documents <= 1:  # this store has one document
                assert rows is True or (rows and len(rows) > 0), ex.name
            forms.add("results")
    assert forms == {"graph", "results"}


def test_gephi_example_is_a_cooccurrence_graph(client):
    from kg.web.query_page import examples

    ex = next(e for e in examples() if "gephi" in e.name)
    r = client.post("/sparql", data={"query": ex.query}, headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.get_data(as_text=True), format="turtle")
    edges = list(g.subject_objects(rdflib.SKOS.related))
    assert len(edges) > 50
    for a, b in edges:
        assert g.value(a, rdflib.RDFS.label) is not None and g.value(b, rdflib.RDFS.label) is not None


def test_health(client):
    r = client.get("/health")
    doc = r.get_json()
    assert r.status_code == 200
    assert doc["status"] == "ok" and doc["documents"] == 1 and doc["triples"] > 10_000
    assert doc["version"] and "memory" in doc["engine"]


def test_health_without_store_then_recovers(tmp_path, seed_store_path):
    import shutil

    from kg.web import create_app

    store = tmp_path / "store"
    app = create_app({"STORE": str(store)})
    c = app.test_client()
    r = c.get("/health")
    assert r.status_code == 503 and r.get_json()["status"] == "unavailable"
    assert c.get("/sparql", query_string={"query": "ASK {}"}).status_code == 503
    shutil.copytree(seed_store_path, store)
    assert c.get("/health").status_code == 200


# ---------------------------------------------------------------- CORS, updates, logs, settings


def test_cors_is_opt_in(client):
    r = client.get("/sparql", query_string={"query": COUNT_DOCS}, headers={"Origin": "https://example.org"})
    assert "Access-Control-Allow-Origin" not in r.headers


def test_cors_any_origin(seed_store_path):
    from kg.web import create_app

    client = create_app({"STORE": str(seed_store_path), "CORS_ORIGINS": "*"}).test_client()
    r = client.get("/sparql", query_string={"query": COUNT_DOCS}, headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    pre = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 204
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "content-type" in pre.headers["Access-Control-Allow-Headers"].lower()


def test_cors_allow_list(seed_store_path):
    from kg.web import create_app

    c = create_app({"STORE": str(seed_store_path), "CORS_ORIGINS": "https://ok.example"}).test_client()
    ok = c.get("/health", headers={"Origin": "https://ok.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://ok.example" and "Origin" in ok.headers["Vary"]
    assert "Access-Control-Allow-Origin" not in c.get("/health", headers={"Origin": "https://evil.example"}).headers


@pytest.mark.parametrize(
    "auth,status",
    [(None, 401), ("Bearer wrong-token", 403), ("Basic c2VjcmV0", 401), ("Bearer s3cret-token", 204)],
)
def test_update_needs_token(store_copy, auth, status):
    from kg.web import create_app

    app = create_app({"STORE": str(store_copy), "UPDATE_TOKEN": "s3cret-token"})
    c = app.test_client()
    headers = {"Authorization": auth} if auth else {}
    insert = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 'x' } }"
    r = c.post("/sparql", data=insert.encode(), content_type="application/sparql-update", headers=headers)
    assert r.status_code == status, r.get_data(as_text=True)
    ask = c.get("/sparql", query_string={"query": "ASK { <http://example.org/s> ?p ?o }"})
    assert parse_results(ask)[1] is (status == 204)
    if status == 401:
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    sd = rdflib.Graph().parse(data=c.get("/sparql").get_data(as_text=True), format="turtle")
    assert SD.SPARQL11Update in set(sd.objects(None, SD.supportedLanguage))


def test_access_log_is_json(client, caplog):
    with caplog.at_level(logging.INFO, logger="kg.access"):
        client.get("/sparql", query_string={"query": COUNT_DOCS})
        client.get("/sparql", query_string={"query": "ASK {"})
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "kg.access"]
    ok, bad = records[-2], records[-1]
    assert ok["method"] == "GET" and ok["path"] == "/sparql" and ok["status"] == 200
    assert ok["query_form"] == "SELECT" and len(ok["query_hash"]) == 16 and ok["rows"] == 1
    assert isinstance(ok["duration_ms"], float)
    assert bad["status"] == 400 and bad["query_form"] == "ASK" and bad["error"] == "E010"


def test_settings_documented_everywhere():
    from click.testing import CliRunner

    from kg.cli.serve import serve
    from kg.core.settings import SETTINGS

    help_text = CliRunner().invoke(serve, ["--help"], terminal_width=200).output
    docs = (pytest.importorskip("pathlib").Path(__file__).resolve().parent.parent / "docs" / "serving.md").read_text(
        encoding="utf-8"
    )
    for s in SETTINGS:
        assert s.help and s.env in help_text, s.name
        assert f"`{s.env}`" in docs, f"{s.env} missing from docs/serving.md"


def test_settings_from_environment(monkeypatch, seed_store_path):
    from kg.web import create_app

    monkeypatch.setenv("KG_STORE", str(seed_store_path))
    monkeypatch.setenv("KG_MAX_ROWS", "7")
    monkeypatch.setenv("KG_IN_MEMORY", "false")
    monkeypatch.setenv("KG_CORS_ORIGINS", "https://a.example,https://b.example")
    app = create_app()
    assert app.config["MAX_ROWS"] == 7 and app.config["IN_MEMORY"] is False
    assert app.config["CORS_ORIGINS"] == ["https://a.example", "https://b.example"]
    assert "memory" not in app.test_client().get("/health").get_json()["engine"]
    assert create_app({"MAX_ROWS": 9})
    assert create_app({"MAX_ROWS": "9"}).config["MAX_ROWS"] == 9


def test_iri_with_non_ascii_path(client):
    r = client.get("/id/" + quote("technology/人工智能"), headers={"Accept": "text/turtle"})
    assert r.status_code == 404


def test_safety_doc_lists_every_connection_limit_with_its_default():
    """docs/safety.md's Limits table names each limit of issue 15 with its setting and its default."""
    from pathlib import Path

    from kg.core.settings import SETTINGS

    text = (Path(__file__).resolve().parent.parent / "docs" / "safety.md").read_text(encoding="utf-8")
    table = text.split("## Limits", 1)[1].split("\n\n", 2)[1]
    rows = {name: row for row in table.splitlines() for name in re.findall(r"`([A-Z_]+)`", row)}
    defaults = {s.name: s.default for s in SETTINGS}
    for name in ("HEADER_TIMEOUT", "BODY_TIMEOUT", "IDLE_TIMEOUT", "CONNECTIONS_PER_ADDRESS", "CONNECTION_LIMIT"):
        assert name in rows, f"{name} missing from the Limits table of docs/safety.md"
        default_cell = [c.strip() for c in rows[name].strip("|").split("|")][2]
        value = defaults[name]
        shown = f"{value:g} s" if isinstance(value, float) else f"{value:,}"
        assert default_cell.startswith(shown), (name, default_cell, shown)
    for name in ("MAX_ROWS", "QUERY_TIME_LIMIT", "QUERY_WORKERS", "RATE_LIMIT"):  # the earlier limits stay listed
        assert name in rows
