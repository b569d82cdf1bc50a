"""kg.sparql.execute: the dataset rules every query path relies on."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.core.errors import NotAcceptable, ResultTooLarge
from kg.core.negotiation import negotiate
from kg.query.sparql import execute


@pytest.fixture
def store() -> ox.Store:
    s = ox.Store()
    for i, g in enumerate(("http://g1", "http://g2")):
        s.add(ox.Quad(ox.NamedNode(f"http://s{i}"), ox.NamedNode("http://p"), ox.Literal(str(i)), ox.NamedNode(g)))
    return s


def _values(result) -> list[str]:
    doc = json.loads(result.body)
    return sorted(b["o"]["value"] for b in doc["results"]["bindings"])


def test_default_graph_is_the_union(store):
    assert _values(execute(store, "SELECT ?o WHERE { ?s ?p ?o }")) == ["0", "1"]


def test_query_from_is_honoured(store):
    assert _values(execute(store, "SELECT ?o FROM <http://g1> WHERE { ?s ?p ?o }")) == ["0"]
    # "FROM" inside a string or an IRI is not a dataset clause
    assert _values(execute(store, 'SELECT ?o WHERE { ?s ?p ?o FILTER(?o != "FROM <http://g1>") }')) == ["0", "1"]


def test_protocol_dataset_overrides_the_query(store):
    r = execute(store, "SELECT ?o FROM <http://g1> WHERE { ?s ?p ?o }", default_graphs=["http://g2"])
    assert _values(r) == ["1"]
    r = execute(store, "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", default_graphs=["http://g1"], named_graphs=[])
    assert _values(r) == []


def test_row_limit(store):
    with pytest.raises(ResultTooLarge, match="more than 1 rows"):
        execute(store, "SELECT ?o WHERE { ?s ?p ?o }", max_rows=1)


@pytest.mark.parametrize(
    "accept,offered,chosen",
    [
        (
            "text/csv;q=0.5, application/sparql-results+xml",
            ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"],
            "application/sparql-results+xml",
        ),
        ("*/*;q=0.1, text/csv", ["application/sparql-results+json", "text/csv"], "text/csv"),
        ("text/*", ["application/sparql-results+json", "text/tab-separated-values"], "text/tab-separated-values"),
        ("application/json", ["application/sparql-results+json"], "application/sparql-results+json"),
    ],
)
def test_negotiation(accept, offered, chosen):
    assert negotiate(accept, offered) == chosen


def test_not_acceptable():
    with pytest.raises(NotAcceptable):
        negotiate("image/png", ["text/turtle"])
    with pytest.raises(NotAcceptable):
        negotiate("text/turtle;q=0", ["text/turtle"])
