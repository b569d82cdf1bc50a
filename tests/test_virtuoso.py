"""Virtuoso 7.2 as a real server store: GSP push with digest auth, its bulk loader over
N-Quads shards (``kg push isql://… --bulk``), and ``kg serve --sparql-endpoint`` from it.

Against a real ``virtuoso-t`` process started by ``fixtures_virtuoso`` (CI installs Debian's
package); the differences of Virtuoso's SPARQL (ASK answered as bindings, system graphs in
the union default graph, plain-text error bodies) are checked here, not assumed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytest_plugins = ["fixtures_virtuoso"]

ROOT = Path(__file__).resolve().parent.parent
SEED_IRI = "https://w3id.org/dsr-kg/id/document/000_bf54f53887da828b"
KG = [sys.executable, "-m", "kg.cli"]


def kg(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def remote_counts(server, prefix: str = "https://w3id.org/dsr-kg/") -> dict[str, int]:
    where = f'FILTER(STRSTARTS(STR(?g), "{prefix}"))' if prefix else ""
    q = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {where} }} GROUP BY ?g"
    r = requests.post(
        server.sparql, data={"query": q}, headers={"Accept": "application/sparql-results+json"}, timeout=60
    )
    r.raise_for_status()
    return {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}


def local_counts(store_path) -> dict[str, int]:
    from kg.store import open_store

    store = open_store(store_path, read_only=True)
    out: dict[str, int] = {}
    for q in store:
        out[q.graph_name.value] = out.get(q.graph_name.value, 0) + 1
    return out


@pytest.fixture(scope="module")
def pushed(virtuoso, seed_store_path):
    out = kg("push", virtuoso.gsp, "--auth", "dba:dba", "--digest", "--store", str(seed_store_path), "-q")
    assert out.returncode == 0, out.stdout + out.stderr
    return virtuoso


def test_push_with_digest_auth_matches_local_counts(pushed, seed_store_path):
    assert remote_counts(pushed) == local_counts(seed_store_path)


def test_push_with_a_wrong_password_fails_with_one_line(virtuoso, seed_store_path):
    out = kg(
        "push", virtuoso.gsp, "--auth", "dba:wrong", "--digest", "--store", str(seed_store_path), "-q", "--retries", "0"
    )
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "401" in out.stderr and "check --auth" in out.stderr


def test_virtuoso_sparql_differences_are_handled(pushed):
    from kg.query.engines.remote import RemoteEngine

    # Virtuoso answers ASK with a binding of __ASK_RETVAL, not {"boolean": …}: checked, then handled.
    raw = requests.post(
        pushed.sparql,
        data={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert "__ASK_RETVAL" in raw.text and "boolean" not in raw.json()
    engine = RemoteEngine(pushed.sparql)
    assert engine.union_mode() == "native"  # its default graph is the union of all graphs
    assert engine.ask("ASK { ?d a dsr:Document }") is True
    assert engine.ask("ASK { ?d a dsr:NoSuchClass }") is False
    result = engine.run(
        "ASK { ?d a <https://w3id.org/dsr-kg/ontology#Document> }", accept="application/sparql-results+json"
    )
    assert result.body and b'"boolean"' in result.body and b"true" in result.body
    # Its system graphs (RDF views schema …) are in the union default graph but not counted.
    total = sum(remote_counts(pushed, "").values())
    ours = sum(remote_counts(pushed).values())
    assert total > ours and engine.triple_count() == ours
    # A syntax error: HTTP 400 with a plain-text body, carried into our QueryError.
    from kg.core.errors import QueryError

    with pytest.raises(QueryError, match=r"SP030|syntax"):
        engine.select("SELECT * WHERE { ?s ?p }")
    engine.close()


def test_bulk_load_shards_with_ld_dir_and_rdf_loader_run(virtuoso, seed_path, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(seed_path, corpus / seed_path.name)
    (corpus / "extra.txt").write_text(
        "数字合作倡议\n\n1.推动人工智能合作。欢迎联合国贸易和发展会议发挥作用。\n", encoding="utf-8"
    )
    shards = virtuoso.shared / "shards"
    out = kg("build", str(corpus), "--emit-nquads", str(shards), "-q", "--shard-documents", "1")
    assert out.returncode == 0, out.stderr
    store = tmp_path / "store"
    assert kg("load", str(shards), "--store", str(store), "-q").returncode == 0
    expected = {g: n for g, n in local_counts(store).items() if "/document/" in g}
    out = kg("push", virtuoso.isql, "--bulk", str(shards), "--auth", "dba:dba", "--loaders", "2", "-q")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 of 3 shards" in out.stdout  # two documents and the ontology graph
    got = {g: n for g, n in remote_counts(virtuoso).items() if "/document/" in g or "/graph/" in g}
    assert got == local_counts(store)  # documents and the ontology graph
    # A changed document: re-emitted, bulk-loaded again, its old triples are gone.
    (corpus / "extra.txt").write_text("数字合作倡议\n\n1.推动区块链合作。\n", encoding="utf-8")
    assert kg("build", str(corpus), "--emit-nquads", str(shards), "-q").returncode == 0
    out = kg("push", virtuoso.isql, "--bulk", str(shards), "--auth", "dba:dba", "-q")
    assert out.returncode == 0, out.stdout + out.stderr
    extra = next(g for g in expected if g.endswith("/extra"))
    r = requests.post(
        virtuoso.sparql,
        data={
            "query": f"SELECT DISTINCT ?e WHERE {{ GRAPH <{extra}> {{ ?c <https://w3id.org/dsr-kg/ontology#mentions> ?e }} }}"
        },
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    mentioned = {b["e"]["value"].rsplit("/", 1)[-1] for b in r.json()["results"]["bindings"]}
    assert "blockchain" in mentioned and "artificial-intelligence" not in mentioned


def test_bulk_errors_are_one_line(virtuoso, tmp_path):
    shards = tmp_path / "none"
    shards.mkdir()
    out = kg("push", virtuoso.isql, "--bulk", str(shards), "--auth", "dba:dba", "-q")
    assert out.returncode == 1 and "no manifest.json" in out.stderr and "Traceback" not in out.stderr
    out = kg("push", f"isql://127.0.0.1:{virtuoso.sql}", "--bulk", str(shards), "-q")
    assert out.returncode != 0 and "--auth" in out.stderr


def test_kg_serve_from_virtuoso(pushed, seed_store_path, tmp_path):
    """`kg serve --sparql-endpoint` over Virtuoso: query page, SPARQL, entity pages, views, exports."""
    from fixtures_scale import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [*KG, "serve", "--store", str(tmp_path / "unused"), "--port", str(port), "--sparql-endpoint", pushed.sparql],
        cwd=ROOT,
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
        page = requests.get(base + "/", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and "SPARQL" in page.text
        r = requests.get(
            base + "/sparql",
            params={"query": "ASK { ?d a <https://w3id.org/dsr-kg/ontology#Document> }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert r.status_code == 200 and r.json() == {"head": {}, "boolean": True}
        r = requests.get(
            base + "/sparql",
            params={
                "query": f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ <{SEED_IRI}> <https://w3id.org/dsr-kg/ontology#hasClause> ?c }}"
            },
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert r.status_code == 200 and r.json()["results"]["bindings"][0]["n"]["value"] == "21"
        r = requests.get(base + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=30)
        assert r.status_code == 400 and "SP030" in r.text  # Virtuoso's message reaches the client
        r = requests.get(base + "/id/country/CN", headers={"Accept": "text/html"}, timeout=30)
        assert r.status_code == 200 and "中国" in r.text
        r = requests.get(base + "/id/country/CN", headers={"Accept": "text/turtle"}, timeout=30)
        assert r.status_code == 200 and "iso3166Alpha2" in r.text
        r = requests.get(base + "/views/cooccurrence", params={"format": "gexf"}, timeout=60)
        assert r.status_code == 200 and b"<gexf" in r.content and b"artificial-intelligence" in r.content
        r = requests.get(base + "/views/clause-entity", headers={"Accept": "application/json"}, timeout=60)
        assert r.status_code == 200 and len(r.json()["nodes"]) > 20
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


def test_isql_runs_many_statements_and_reports_errors(virtuoso):
    """More than 50 statements at once (isql's exec= refuses them on one line); bad SQL and logins are one error."""
    from kg.core.errors import PushError
    from kg.store.virtuoso import Isql

    isql = Isql(f"127.0.0.1:{virtuoso.sql}", "dba", "dba")
    out = isql.run("".join(f"SPARQL CLEAR GRAPH <urn:x:{i}>;\n" for i in range(120)) + "SELECT 40 + 2;\n")
    assert "42" in out
    with pytest.raises(PushError, match=r"SQ074|syntax|Error"):
        isql.run("SELEC x;")
    with pytest.raises(PushError, match="check --auth"):
        Isql(f"127.0.0.1:{virtuoso.sql}", "dba", "wrong").run("SELECT 1;")
