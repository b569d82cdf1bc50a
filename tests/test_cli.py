"""The kg command line, run as a real subprocess: output, exit codes, error messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ID, SEED_IRI

KG = [sys.executable, "-m", "kg.cli"]


def kg(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], capture_output=True, text=True, cwd=cwd, input=stdin, timeout=120)


def test_query_blockchain_clauses_as_csv(seed_store_path):
    q = f"SELECT ?n WHERE {{ ?c dsr:mentions <{ID}technology/blockchain> ; dsr:clauseNumber ?n }} ORDER BY ?n"
    out = kg("query", q, "--store", str(seed_store_path), "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["n", "7", "8", "12", "16"]


def test_query_from_file_table_and_json(seed_store_path, tmp_path):
    rq = tmp_path / "signatories.rq"
    rq.write_text(
        f'SELECT ?iso ?name WHERE {{ <{SEED_IRI}> dsr:signatory ?c . ?c dsr:iso3166Alpha2 ?iso ; rdfs:label ?name FILTER(LANG(?name)="zh") }} ORDER BY ?iso',
        encoding="utf-8",
    )
    table = kg("query", f"@{rq}", "--store", str(seed_store_path))
    assert table.returncode == 0, table.stderr
    assert "(14 rows)" in table.stdout and "老挝" in table.stdout
    as_json = json.loads(kg("query", f"@{rq}", "--store", str(seed_store_path), "--format", "json").stdout)
    assert len(as_json["results"]["bindings"]) == 14


def test_construct_as_turtle_parses(seed_store_path):
    from rdflib import Graph

    out = kg(
        "query",
        f"CONSTRUCT {{ ?c dsr:mentions ?e }} WHERE {{ <{SEED_IRI}/clause/20> dsr:mentions ?e BIND(<{SEED_IRI}/clause/20> AS ?c) }}",
        "--store",
        str(seed_store_path),
        "--format",
        "turtle",
    )
    assert out.returncode == 0, out.stderr
    assert len(Graph().parse(data=out.stdout, format="turtle")) >= 3


@pytest.mark.parametrize(
    "args,message",
    [
        (["query", "SELECT * WHERE {"], "SPARQL syntax error"),
        (["query", "@/nonexistent/q.rq"], "cannot read the query file"),
        (["query", "ASK {}", "--store", "/nonexistent/store"], "no store at"),
        (["build", "/nonexistent/file.txt", "--store", "{tmp}/s"], "no such file"),
        (["load", "/nonexistent/x.ttl", "--store", "{tmp}/s"], "no such file"),
    ],
)
def test_errors_are_one_line_without_traceback(args, message, tmp_path, seed_store_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if args[0] == "query" and "--store" not in args:
        args += ["--store", str(seed_store_path)]
    out = kg(*args)
    assert out.returncode != 0
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_build_reports_bad_file_and_exits_nonzero(tmp_path, seed_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "good.txt").write_text(seed_path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"\x00" * 64)
    out = kg("build", str(folder), "--store", str(tmp_path / "s"), "-q")
    assert out.returncode == 1
    assert "bad.txt" in out.stderr and "binary" in out.stderr
    assert "1 added" in out.stdout
    assert "Traceback" not in out.stderr
    stats = json.loads(kg("stats", "--store", str(tmp_path / "s"), "--json").stdout)
    assert stats["documents"] == 1 and stats["clauses"] == 21


def test_load_turtle_into_a_named_graph(tmp_path, store_copy):
    ttl = tmp_path / "extra.ttl"
    ttl.write_text(
        '@prefix ex: <http://example.org/> .\nex:Laos ex:partnerOf ex:China ; ex:note "老挝"@zh .\n', encoding="utf-8"
    )
    out = kg("load", str(ttl), "--graph", "http://example.org/g", "--store", str(store_copy))
    assert out.returncode == 0, out.stderr
    assert "loaded 2 statements" in out.stdout
    q = kg(
        "query",
        "SELECT ?o WHERE { GRAPH <http://example.org/g> { <http://example.org/Laos> ?p ?o } } ORDER BY ?o",
        "--store",
        str(store_copy),
        "--format",
        "csv",
    )
    assert q.stdout.splitlines()[1:3] == ["http://example.org/China", "老挝"]
    # loading again replaces the graph instead of duplicating it
    kg("load", str(ttl), "--graph", "http://example.org/g", "--store", str(store_copy))
    n = kg(
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/g> { ?s ?p ?o } }",
        "--store",
        str(store_copy),
        "--format",
        "csv",
    )
    assert n.stdout.split() == ["n", "2"]


def test_load_rejects_malformed_rdf(tmp_path, store_copy):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://a> <http://b> .", encoding="utf-8")
    out = kg("load", str(bad), "--store", str(store_copy))
    assert out.returncode != 0 and "cannot parse" in out.stderr and "Traceback" not in out.stderr


def test_validate_and_version(seed_store_path):
    out = kg("validate", "--store", str(seed_store_path))
    assert out.returncode == 0 and "conforms" in out.stdout
    assert kg("--version").stdout.startswith("kg, version")
