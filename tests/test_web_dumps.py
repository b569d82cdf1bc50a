"""Dumps: /data/dump.nq.gz and the per-graph downloads, advertised in VoID and on the query page."""

from __future__ import annotations

import gzip

import pytest
import requests

pytest_plugins = ["fixtures_web"]

from conftest import SEED_IRI  # noqa: E402
from fixtures_web import running_server  # noqa: E402


def _quads(data: bytes, fmt_name: str) -> list:
    import pyoxigraph as ox

    return list(ox.parse(data, format=getattr(ox.RdfFormat, fmt_name)))


@pytest.fixture
def dump_app(store_copy, tmp_path):
    from kg.web import create_app

    return create_app({"STORE": str(store_copy), "TESTING": True, "QUERY_WORKERS": 0, "DUMP_DIR": str(tmp_path / "d")})


def test_dump_is_every_quad_with_its_graph_and_cached_by_state(dump_app, store_copy, tmp_path):
    from kg.store import open_store

    client = dump_app.test_client()
    response = client.get("/data/dump.nq.gz")
    assert response.status_code == 200
    assert response.mimetype == "application/gzip"
    assert "attachment" in response.headers["Content-Disposition"]
    etag = response.headers["ETag"]
    quads = _quads(gzip.decompress(response.data), "N_QUADS")
    store = open_store(store_copy, read_only=True)
    assert len(quads) == len(store) > 10_000
    assert {q.graph_name.value for q in quads} == {g.value for g in store.named_graphs()}
    del store
    cached = list((tmp_path / "d").glob("dump-*.nq.gz"))
    assert len(cached) == 1 and cached[0].read_bytes() == response.data  # served from the file it wrote
    assert client.get("/data/dump.nq.gz", headers={"If-None-Match": etag}).status_code == 304

    writer = open_store(store_copy)  # the store changes: a new state, a new dump
    writer.update("INSERT DATA { GRAPH <urn:test:g> { <urn:a> <urn:b> 'c' } }")
    writer.flush()
    del writer
    again = client.get("/data/dump.nq.gz", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
    assert len(_quads(gzip.decompress(again.data), "N_QUADS")) == len(quads) + 1
    assert len(list((tmp_path / "d").glob("dump-*.nq.gz"))) == 1  # the stale dump is gone


def test_dump_waits_for_a_writer(dump_app, store_copy):
    from kg.store import open_store

    writer = open_store(store_copy)
    try:
        response = dump_app.test_client().get("/data/dump.nq.gz")
        assert response.status_code == 503 and "E004" in response.text and response.headers["Retry-After"]
    finally:
        del writer


@pytest.mark.parametrize("ext, fmt", [("trig", "TRIG"), ("nq", "N_QUADS")])
def test_one_graph_download(client, seed_store, ext, fmt):
    import pyoxigraph as ox

    response = client.get(f"/data/graph.{ext}", query_string={"iri": SEED_IRI})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f'.{ext}"')
    quads = _quads(response.data, fmt)
    expected = list(seed_store.quads_for_pattern(None, None, None, ox.NamedNode(SEED_IRI)))
    assert len(quads) == len(expected) > 1000
    assert {q.graph_name.value for q in quads} == {SEED_IRI}
    assert (
        client.get(
            f"/data/graph.{ext}", query_string={"iri": SEED_IRI}, headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )


def test_graph_download_errors(client):
    assert client.get("/data/graph.trig").status_code == 400
    assert client.get("/data/graph.trig", query_string={"iri": "urn:no:such"}).status_code == 404
    assert client.get("/data/graph.xml", query_string={"iri": SEED_IRI}).status_code == 404


def test_void_and_query_page_advertise_the_dumps(client):
    from rdflib import Graph, Namespace, URIRef

    void = Namespace("http://rdfs.org/ns/void#")
    graph = Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data, format="turtle")
    dumps = {str(o) for o in graph.objects(None, void.dataDump)}
    assert "http://localhost/data/dump.nq.gz" in dumps
    subset_dumps = {str(o) for o in graph.objects(URIRef(SEED_IRI), void.dataDump)}
    assert any(d.startswith("http://localhost/data/graph.trig?iri=") for d in subset_dumps)
    assert any(d.startswith("http://localhost/data/graph.nq?iri=") for d in subset_dumps)
    page = client.get("/", headers={"Accept": "text/html"}).text
    assert 'id="dump-link" href="/data/dump.nq.gz"' in page


def test_row_limit_message_names_the_dump_and_paging(store_copy, tmp_path, client):
    """Refused (TRUNCATE_RESULTS=false) or truncated (the default): either way the way out is named."""
    from kg.web import create_app

    query = {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"}
    refusing = create_app({"STORE": str(store_copy), "TESTING": True, "QUERY_WORKERS": 0, "TRUNCATE_RESULTS": False})
    response = refusing.test_client().get("/sparql", query_string=query)
    assert response.status_code == 400
    assert "E019" in response.text and "/data/dump.nq.gz" in response.text
    assert "LIMIT 10000 OFFSET 0, then OFFSET 10000" in response.text
    truncated = client.get("/sparql", query_string=query)
    assert truncated.status_code == 200 and truncated.headers["X-SPARQL-MaxRows"] == "10000"
    assert "/data/dump.nq.gz" in truncated.headers["X-KG-Truncated"]


def test_dump_streams_from_a_real_server(store_copy, tmp_path):
    """Over HTTP from a server process, read in chunks: the gzip decodes to the whole store."""
    from kg.store import open_store

    expected = len(open_store(store_copy, read_only=True))
    with running_server(store_copy, env={"KG_DUMP_DIR": str(tmp_path / "dumps")}) as base:
        with requests.get(base + "/data/dump.nq.gz", stream=True, timeout=120) as response:
            assert response.status_code == 200 and response.headers["Content-Type"] == "application/gzip"
            data = b"".join(response.iter_content(64 * 1024))
        assert len(_quads(gzip.decompress(data), "N_QUADS")) == expected
        head = requests.head(base + "/data/dump.nq.gz", timeout=30)
        assert head.status_code == 200 and int(head.headers["Content-Length"]) == len(data)


def test_default_dump_folder_is_private(store_copy, tmp_path, monkeypatch):
    import os
    import tempfile

    from kg.web import create_app

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    app = create_app({"STORE": str(store_copy), "TESTING": True, "QUERY_WORKERS": 0})
    assert app.test_client().get("/data/dump.nq.gz").status_code == 200
    root = tmp_path / f"dsr-kg-dumps-{os.getuid()}"
    assert root.stat().st_mode & 0o777 == 0o700 and list(root.glob("*/dump-*.nq.gz"))
    root.chmod(0o777)  # someone made it writable for others: refused, nothing served from it
    response = app.test_client().get("/data/dump.nq.gz")
    assert response.status_code == 503 and "DUMP_DIR" in response.text
