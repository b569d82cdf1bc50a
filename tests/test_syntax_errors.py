"""Issue 14, item 3: syntax errors at the right place in the user's text, with the line, a
caret and the cause named — in `kg query` (predeclared PREFIX lines subtracted) and on the
endpoint (a real server process, SPARQLWrapper)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest_plugins = ["fixtures_web"]


def kg_query(store, text: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", "--store", str(store), text], capture_output=True, text=True
    )


def caret_column(message: str) -> int:
    """Column (0-based, in the shown line) of the caret under the quoted line."""
    lines = message.splitlines()
    caret = next(line for line in lines if line.strip() == "^")
    return caret.index("^") - 2  # both lines are indented by two spaces


def test_kg_query_misspelt_keyword(seed_store_path):
    """The user's exact step: `kg query 'SELCT ?s WHERE { ?s ?p ?o }'` said 12:10, expected CONSTRUCT."""
    run = kg_query(seed_store_path, "SELCT ?s WHERE { ?s ?p ?o }")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    err = run.stderr
    assert "syntax error at 1:1:" in err and "12:" not in err
    assert "SELCT is not a SPARQL keyword; did you mean SELECT?" in err
    assert "  SELCT ?s WHERE { ?s ?p ?o }" in err and caret_column(err) == 0


def test_kg_query_unknown_prefix(seed_store_path):
    run = kg_query(seed_store_path, "SELECT ?s WHERE {\n  ?s ex:knows ?o }")
    err = run.stderr
    assert run.returncode == 1
    assert "syntax error at 2:6:" in err and 'unknown prefix "ex:"' in err and "PREFIX ex: <" in err
    assert "\\u{" not in err and "'A' ..= 'Z'" not in err  # no Unicode ranges
    assert caret_column(err) == 5


def test_kg_query_missing_brace_and_misspelt_keyword_later(seed_store_path):
    err = kg_query(seed_store_path, "SELECT ?c WHERE { ?c dsr:mentions ?e ").stderr
    assert 'syntax error at 1:17: the "{" here is never closed; add a "}"' in err
    err = kg_query(seed_store_path, "SELECT ?c WHERE { ?c dsr:mentions ?e }\nORDR BY ?c").stderr
    assert "syntax error at 2:1: ORDR is not a SPARQL keyword; did you mean ORDER?" in err
    err = kg_query(seed_store_path, "SELECT ?c WHERE { ?c dsr:mentions ?e . OPTINAL { ?e rdfs:label ?l } }").stderr
    assert "did you mean OPTIONAL?" in err


def test_caret_under_wide_characters(seed_store_path):
    """Chinese characters take two terminal columns: the caret still points at the mistake."""
    err = kg_query(seed_store_path, 'SELECT ?c WHERE { ?c dsr:text "人工智能" . ?c ?p }').stderr
    assert "syntax error at 1:40: the triple pattern ?c ?p has no object" in err
    shown = next(line for line in err.splitlines() if line.startswith("  SELECT"))
    assert caret_column(err) == len(shown[2:].split("?c ?p")[0]) + 4  # 4 wide characters count double


def test_endpoint_reports_the_same_position(seed_server):
    from SPARQLWrapper import JSON, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = SPARQLWrapper(seed_server + "/sparql")
    client.setReturnFormat(JSON)
    client.setQuery("SELCT ?s WHERE { ?s ?p ?o }")
    with pytest.raises(QueryBadFormed) as info:
        client.query()
    text = str(info.value)
    assert "syntax error at 1:1" in text and "did you mean SELECT?" in text
    client.setQuery("SELECT ?s WHERE { ?s dsr:mentions ?o }")  # no PREFIX on the endpoint
    with pytest.raises(QueryBadFormed) as info:
        client.query()
    text = str(info.value)
    assert 'unknown prefix \\"dsr:\\"' in text or 'unknown prefix "dsr:"' in text
    assert "PREFIX dsr: <https://w3id.org/dsr-kg/ontology#>" in text and "u{00C0}" not in text


def test_endpoint_syntax_error_as_plain_text(client):
    r = client.get("/sparql", query_string={"query": "SELECT ?s WHERE {\n  ?s ?p ?o\n"})
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert body.startswith('[E010] SPARQL syntax error at 1:17: the "{" here is never closed')
    assert "\n  SELECT ?s WHERE {\n" in body


def test_update_syntax_errors_too(store_copy):
    from kg.web import create_app

    app = create_app({"STORE": str(store_copy), "QUERY_WORKERS": 0, "UPDATE_TOKEN": "t"})
    r = app.test_client().post(
        "/sparql", data={"update": "INSRT DATA { <urn:a> <urn:b> <urn:c> }"}, headers={"Authorization": "Bearer t"}
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "SPARQL update syntax error at 1:1: INSRT is not a SPARQL keyword; did you mean INSERT?" in body
