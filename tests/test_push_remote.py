"""``kg push`` and :class:`kg.query.engines.RemoteEngine` against a real Oxigraph server process."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.core.errors import PushError
from kg.query.engines.remote import RemoteEngine, query_form
from kg.store.push import GraphStoreClient, graph_url, push

pytest_plugins = ["fixtures_scale"]

SEED_IRI = "https://w3id.org/dsr-kg/id/document/000_bf54f53887da828b"
ONTOLOGY_GRAPH = "https://w3id.org/dsr-kg/graph/ontology"


def local_counts(store_path) -> dict[str, int]:
    from kg.store import open_store

    store = open_store(store_path, read_only=True)
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"].value: int(r["n"].value) for r in rows}


@pytest.fixture(scope="module")
def pushed(oxigraph_server, seed_store_path):
    """The seed store pushed once to the Oxigraph server."""
    oxigraph_server.clear()
    report = push(seed_store_path, oxigraph_server.store_url, batch_size=1000)
    assert report.ok, report.failures
    return oxigraph_server


def test_graph_url_uses_indirect_identification():
    assert graph_url("http://h/store", "https://x/a b") == "http://h/store?graph=https%3A%2F%2Fx%2Fa+b"
    assert graph_url("http://h/ds/data?x=1", None) == "http://h/ds/data?x=1&default"


def test_push_counts_match_local_store_per_graph(pushed, seed_store_path):
    expected = local_counts(seed_store_path)
    assert set(expected) == {SEED_IRI, ONTOLOGY_GRAPH}
    assert pushed.counts() == expected


def test_push_twice_replaces_instead_of_duplicating(pushed, seed_store_path):
    before = pushed.counts()
    report = push(seed_store_path, pushed.store_url, batch_size=500)
    assert report.ok
    assert pushed.counts() == before
    seed = next(g for g in report.graphs if g.graph == SEED_IRI)
    assert seed.triples == before[SEED_IRI]
    assert seed.requests == -(-before[SEED_IRI] // 500)  # batches: first PUT, then POSTs
    assert seed.bytes > 0 and seed.seconds >= 0


def test_put_replaces_a_remote_graph_that_had_other_triples(pushed, seed_store_path):
    import requests

    extra = f'<{SEED_IRI}> <http://example.org/p> "stale" .'
    r = requests.post(
        graph_url(pushed.store_url, SEED_IRI),
        data=extra.encode(),
        headers={"Content-Type": "application/n-triples"},
        timeout=10,
    )
    assert r.status_code < 300
    assert pushed.counts()[SEED_IRI] == local_counts(seed_store_path)[SEED_IRI] + 1
    report = push(seed_store_path, pushed.store_url, graphs=[SEED_IRI], batch_size=0)
    assert report.ok and report.graphs[0].requests == 1
    assert pushed.counts()[SEED_IRI] == local_counts(seed_store_path)[SEED_IRI]


def test_append_adds_and_atomic_replace_through_staging(pushed, seed_store_path):
    import requests

    expected = local_counts(seed_store_path)
    extra = f'<{SEED_IRI}> <http://example.org/p> "extra" .'
    requests.post(
        graph_url(pushed.store_url, SEED_IRI),
        data=extra.encode(),
        headers={"Content-Type": "application/n-triples"},
        timeout=10,
    )
    report = push(seed_store_path, pushed.store_url, graphs=[SEED_IRI], append=True, fmt="turtle")
    assert report.ok and report.method == "POST"
    assert pushed.counts()[SEED_IRI] == expected[SEED_IRI] + 1  # appended: the extra triple stays
    report = push(
        seed_store_path, pushed.store_url, graphs=[SEED_IRI], batch_size=700, update_endpoint=pushed.update_url
    )
    assert report.ok
    counts = pushed.counts()
    assert counts[SEED_IRI] == expected[SEED_IRI]  # replaced, via the staging graph
    assert not any(g.endswith("#kg-push-staging") for g in counts)


def test_push_command_reports_and_exit_status(pushed, seed_store_path):
    from kg.cli import main

    runner = CliRunner()
    result = runner.invoke(
        main, ["push", pushed.store_url, "--store", str(seed_store_path), "--json", "--batch-size", "2000"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] is True and report["method"] == "PUT"
    assert {g["graph"] for g in report["graphs"]} == {SEED_IRI, ONTOLOGY_GRAPH}
    assert sum(g["triples"] for g in report["graphs"]) == sum(local_counts(seed_store_path).values())

    result = runner.invoke(
        main,
        ["push", "http://127.0.0.1:9/store", "--store", str(seed_store_path), "--retries", "0", "-q", "--timeout", "2"],
    )
    assert result.exit_code == 1
    assert "0 of 2 graphs" in result.output and "failed after 1 attempts" in result.output

    result = runner.invoke(
        main, ["push", pushed.store_url, "--store", str(seed_store_path), "--graph", "http://nope/g"]
    )
    assert result.exit_code != 0 and "not in the store" in result.output


def test_retries_after_503_then_succeeds(flaky_server, seed_store_path):
    client = GraphStoreClient(flaky_server.url, retries=2, backoff=0.01)
    report = push(seed_store_path, flaky_server.url, graphs=[SEED_IRI], batch_size=0, client=client)
    assert report.ok
    assert report.graphs[0].retries == 1
    assert [m for m, _, _ in flaky_server.requests] == ["PUT", "PUT"]
    assert flaky_server.requests[0][2] == flaky_server.requests[1][2] > 0


def test_retries_run_out_and_4xx_is_not_retried(seed_store_path):
    from fixtures_scale import FlakyServer

    server = FlakyServer(failures=10)
    try:
        client = GraphStoreClient(server.url, retries=2, backoff=0.01)
        report = push(seed_store_path, server.url, graphs=[SEED_IRI], client=client)
        assert not report.ok and "after 3 attempts" in report.failures[0].error
        assert len(server.requests) == 3
    finally:
        server.stop()
    server = FlakyServer(failures=10, status=401)
    try:
        with pytest.raises(PushError, match="check --auth"):
            GraphStoreClient(server.url, retries=5, backoff=0.01).send("PUT", SEED_IRI, b"", "application/n-triples")
        assert len(server.requests) == 1
    finally:
        server.stop()


def test_query_form_detection():
    assert (
        query_form("PREFIX x: <urn:x#>\n# SELECT in a comment\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        == "CONSTRUCT"
    )
    assert query_form("base <http://x/> ask {}") == "ASK"
    assert query_form("INSERT DATA { <a:b> <a:c> <a:d> }") == "UPDATE"


def test_remote_engine_select_construct_run_count(pushed, seed_store_path):
    from kg.query.engines import LocalEngine

    remote = RemoteEngine(pushed.query_url)
    local = LocalEngine(seed_store_path, in_memory=False)
    assert remote.union_mode() == "param"  # Oxigraph server: union-default-graph parameter
    assert remote.triple_count() == local.triple_count()
    q = "SELECT ?c ?n WHERE { ?c a dsr:Clause ; dsr:clauseNumber ?n } ORDER BY ?n"
    assert remote.select(q) == local.select(q)
    q = "SELECT ?e ?l WHERE { ?d dsr:signatory ?e . ?e rdfs:label ?l FILTER(lang(?l) = 'en') } ORDER BY ?e"
    rows = remote.select(q)
    assert len(rows) == 14 and rows == local.select(q)
    c = "CONSTRUCT WHERE { ?d a dsr:Document ; dcterms:title ?t }"
    assert set(remote.construct(c)) == set(local.construct(c)) and len(remote.construct(c)) == 2

    client_q = "PREFIX dsr: <https://w3id.org/dsr-kg/ontology#> SELECT (COUNT(?c) AS ?n) WHERE { ?c a dsr:Clause }"
    for accept in (
        "application/sparql-results+json",
        "text/csv",
        "application/sparql-results+xml",
        "text/tab-separated-values",
    ):
        result = remote.run(client_q, accept=accept)
        assert result.media_type == accept and result.kind == "bindings"
        assert b"21" in result.body
    result = remote.run("ASK { ?s ?p ?o }", accept="application/sparql-results+json")
    assert result.kind == "boolean" and json.loads(result.body)["boolean"] is True
    result = remote.run("CONSTRUCT WHERE { ?s a <https://w3id.org/dsr-kg/ontology#Document> }", accept="text/turtle")
    assert result.kind == "graph" and result.media_type == "text/turtle" and result.rows == 1
    # A protocol dataset from the client replaces the union default graph.
    result = remote.run(client_q, accept="application/sparql-results+json", default_graphs=[ONTOLOGY_GRAPH])
    assert json.loads(result.body)["results"]["bindings"][0]["n"]["value"] == "0"


def test_remote_engine_errors(pushed):
    from kg.core.errors import QueryError, ResultTooLarge, StoreError, UpdateForbidden

    remote = RemoteEngine(pushed.query_url, max_rows=5)
    with pytest.raises(QueryError, match="rejected the query"):
        remote.select("SELEC nonsense")
    with pytest.raises(ResultTooLarge):
        remote.run("SELECT * WHERE { ?s ?p ?o } LIMIT 50", accept="application/sparql-results+json")
    with pytest.raises(UpdateForbidden):
        remote.update("CLEAR ALL")
    with pytest.raises(QueryError, match="update"):
        remote.run("CLEAR ALL")
    with pytest.raises(StoreError, match="cannot reach"):
        RemoteEngine("http://127.0.0.1:9/query", timeout=2).select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def test_remote_engine_graphs_mode_matches_param_mode(pushed):
    """The standard protocol fallback (default-graph-uri per graph) answers like the union."""
    q = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dsr:Clause . ?c dsr:mentions ?e }"
    by_graphs = RemoteEngine(pushed.query_url, union="graphs")
    by_param = RemoteEngine(pushed.query_url, union="param")
    assert by_graphs.select(q) == by_param.select(q)
    assert int(by_graphs.select(q)[0]["n"].value) > 0


def _remote_only_triple(server) -> str:
    """Put a triple only on the remote side (a graph the local store does not have)."""
    import requests

    graph = "https://example.org/remote-only"
    body = f'<{graph}> <http://www.w3.org/2000/01/rdf-schema#label> "remote only marker" .'
    r = requests.put(
        graph_url(server.store_url, graph),
        data=body.encode(),
        headers={"Content-Type": "application/n-triples"},
        timeout=10,
    )
    assert r.status_code < 300
    return graph


def _check_app_reads_remote(client, marker_graph: str) -> None:
    r = client.get("/id/country/CN", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "中国" in r.get_data(as_text=True)
    r = client.get("/id/country/CN", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "China" in r.get_data(as_text=True)
    r = client.get(
        "/sparql",
        query_string={"query": f"SELECT ?l WHERE {{ <{marker_graph}> ?p ?l }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    assert [b["l"]["value"] for b in r.get_json()["results"]["bindings"]] == ["remote only marker"]
    r = client.get("/health")
    assert r.status_code == 200 and "remote" in r.get_data(as_text=True)


def test_web_app_over_remote_engine(pushed, seed_store_path):
    """Pages and /sparql of the real app, with the engine reading the Oxigraph server."""
    from kg.web import ENGINE_KEY, create_app

    marker = _remote_only_triple(pushed)
    app = create_app({"STORE": str(seed_store_path), "TESTING": True, "QUERY_WORKERS": 0})
    app.extensions[ENGINE_KEY] = RemoteEngine(pushed.query_url)
    app.extensions["kg_cache"].clear()
    _check_app_reads_remote(app.test_client(), marker)


def test_create_app_with_sparql_endpoint_setting(pushed, tmp_path):
    """SPARQL_ENDPOINT alone (no local store) makes the app serve the remote endpoint."""
    from kg.web import create_app

    marker = _remote_only_triple(pushed)
    app = create_app({"STORE": str(tmp_path / "no-store"), "SPARQL_ENDPOINT": pushed.query_url, "TESTING": True})
    _check_app_reads_remote(app.test_client(), marker)


def test_auth_headers_content_type_and_graph_parameter(seed_store_path):
    import base64
    from urllib.parse import parse_qs, urlsplit

    from fixtures_scale import FlakyServer

    server = FlakyServer(failures=0)
    try:
        client = GraphStoreClient(server.url, auth=("alice", "s3cret"))
        assert push(seed_store_path, server.url, graphs=[SEED_IRI], batch_size=0, fmt="turtle", client=client).ok
        client = GraphStoreClient(server.url, token="tok123")
        assert push(seed_store_path, server.url, graphs=[SEED_IRI], batch_size=0, client=client).ok
    finally:
        server.stop()
    basic, bearer = server.headers
    assert basic["Authorization"] == "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert basic["Content-Type"] == "text/turtle" and bearer["Content-Type"] == "application/n-triples"
    assert bearer["Authorization"] == "Bearer tok123"
    method, path, _ = server.requests[0]
    assert method == "PUT" and parse_qs(urlsplit(path).query) == {"graph": [SEED_IRI]}


def test_kg_serve_process_with_remote_endpoint(pushed, seed_store_path, tmp_path):
    """A real `kg serve` process configured with KG_SPARQL_ENDPOINT answers from the remote."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    import requests
    from fixtures_scale import free_port

    marker = _remote_only_triple(pushed)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env["KG_SPARQL_ENDPOINT"] = pushed.query_url
    kg = Path(sys.executable).with_name("kg")
    log = open(tmp_path / "serve.log", "wb")
    # --store exists so that nothing is built locally; the marker triple proves the answers are remote.
    proc = subprocess.Popen(
        [str(kg), "serve", "--store", str(seed_store_path), "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if requests.get(base + "/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "kg serve did not become healthy"
            time.sleep(0.1)
        r = requests.get(
            base + "/sparql",
            params={"query": f"SELECT ?l WHERE {{ <{marker}> ?p ?l }}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=10,
        )
        assert r.status_code == 200 and r.json()["results"]["bindings"][0]["l"]["value"] == "remote only marker"
        r = requests.get(
            base + "/sparql",
            params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
            timeout=10,
        )
        assert r.status_code == 400  # the guard refuses SERVICE before anything is forwarded
        r = requests.get(base + "/id/country/CN", headers={"Accept": "text/html"}, timeout=10)
        assert r.status_code == 200 and "中国" in r.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_remote_engine_is_usable_from_many_threads(pushed, seed_store_path):
    from concurrent.futures import ThreadPoolExecutor

    from kg.query.engines import LocalEngine

    remote = RemoteEngine(pushed.query_url)
    expected = LocalEngine(seed_store_path, in_memory=False).select(
        "SELECT (COUNT(?c) AS ?n) WHERE { ?c a dsr:Clause }"
    )
    with ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(lambda _: remote.select("SELECT (COUNT(?c) AS ?n) WHERE { ?c a dsr:Clause }"), range(32))
        )
    assert all(r == expected for r in results)
    assert 1 <= len(remote._sessions) <= 8  # one connection pool per thread
    remote.close()
    assert remote._sessions == []


@pytest.mark.parametrize("union", ["param", "graphs"])
def test_remote_run_honours_the_query_from(pushed, seed_store_path, union):
    from kg.query.engines import LocalEngine

    q = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    remote = RemoteEngine(pushed.query_url, union=union)
    local = LocalEngine(seed_store_path, in_memory=False)
    got = json.loads(remote.run(q, accept="application/sparql-results+json").body)["results"]["bindings"][0]["n"][
        "value"
    ]
    want = json.loads(local.run(q, accept="application/sparql-results+json").body)["results"]["bindings"][0]["n"][
        "value"
    ]
    assert got == want == str(local_counts(seed_store_path)[ONTOLOGY_GRAPH])
    # "# FROM" in a comment or a string is not a FROM clause: the union default graph stays.
    q2 = 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != "FROM <x:y>") } # FROM <x:z>'
    n = int(
        json.loads(remote.run(q2, accept="application/sparql-results+json").body)["results"]["bindings"][0]["n"][
            "value"
        ]
    )
    assert n > local_counts(seed_store_path)[ONTOLOGY_GRAPH]
