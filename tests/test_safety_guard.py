"""kg.guard: the lexer, the refusals, and proof that refused queries would have done harm."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from kg.core.errors import PayloadTooLarge, QueryError, QueryRefused
from kg.query.guard import Guard, analyse, tokens
from kg.store import screen_xml

pytest_plugins = ["fixtures_safety"]

LOCAL = {"https://w3id.org/dsr-kg/id/document/a", "https://w3id.org/dsr-kg/graph/ontology"}


@pytest.fixture
def guard() -> Guard:
    return Guard(LOCAL)


# ---------------------------------------------------------------- the lexer


@pytest.mark.parametrize(
    "text, kinds",
    [
        ('"SERVICE" # SERVICE', ["string"]),
        ("'''a\n'b'' SERVICE'''", ["string"]),
        ('"""x""" """y"z"""', ["string", "string"]),
        ("<http://x/#SERVICE> ex:SERVICE ?SERVICE $load", ["iri", "pname", "var", "var"]),
        (r"ex:a\#b", ["pname"]),
        ("_:b1 @en-GB 1.5e3 ^^ && <= SELECT", ["bnode", "lang", "number", "punct", "punct", "punct", "name"]),
        ('"unterminated SERVICE', ["other", "name", "name"]),
    ],
)
def test_lexer_tokens(text, kinds):
    assert [t.kind for t in tokens(text)] == kinds


@pytest.mark.parametrize(
    "query, form",
    [
        ("PREFIX s: <http://x/> SELECT * { ?s ?p ?o }", "SELECT"),
        ("# comment SELECT\nask {}", "ASK"),
        ("BASE <http://x/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("describe <http://x/>", "DESCRIBE"),
        ("PREFIX ex: <http://x/> INSERT DATA { ex:a ex:b ex:c }", "INSERT"),
        ("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ],
)
def test_query_form(query, form):
    assert analyse(query).form == form


# ---------------------------------------------------------------- allowed


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:1/> { }" }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:1/> { } LOAD <file:///etc/passwd>",
        "SELECT * WHERE { ?s ?p '''\nLOAD <http://x/>\nFROM <file:///etc/passwd>''' }",
        "PREFIX ex: <http://x/> SELECT ?service ?load WHERE { ?service ex:service ?load . ?s ex:from ?o }",
        "SELECT * WHERE { <http://example.org/SERVICE> ?p ?o }",
        "SELECT * FROM <https://w3id.org/dsr-kg/id/document/a> WHERE { ?s ?p ?o }",
        "PREFIX d: <https://w3id.org/dsr-kg/id/document/> SELECT * FROM NAMED d:a WHERE { GRAPH ?g { ?s ?p ?o } }",
        "BASE <https://w3id.org/dsr-kg/id/> SELECT * FROM <document/a> WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
        "SELECT * WHERE { ?s ?p " + "(" * 20 + ")" * 20 + " }",
        "PREFIX : <http://x/> SELECT * WHERE { ?s " + "/".join([":p"] * 50) + " ?o }",
    ],
)
def test_allowed(guard, query):
    guard.check_query(query)


# ---------------------------------------------------------------- refused


@pytest.mark.parametrize(
    "query, words",
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", ["SERVICE", "refused"]),
        ("select * where { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }", ["SERVICE", "federation"]),
        ("SELECT * WHERE { BIND(<http://127.0.0.1:9/> AS ?e) SERVICE ?e { ?s ?p ?o } }", ["SERVICE ?e"]),
        ("PREFIX r: <http://127.0.0.1:9/> SELECT * WHERE { SeRvIcE r:x { } }", ["SERVICE r:x"]),
        ("SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { } }", ["SERVICE"]),
        (
            "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
            ["FROM <http://127.0.0.1:9/data.ttl>", "remote"],
        ),
        ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { ?s ?p ?o }", ["FROM NAMED", "file"]),
        ("PREFIX f: <file:///etc/> SELECT * FROM f:passwd WHERE { ?s ?p ?o }", ["file:///etc/passwd"]),
        ("SELECT * FROM <urn:not-here> WHERE { ?s ?p ?o }", ["not a graph of this store"]),
        ("LOAD <http://127.0.0.1:9/x.ttl>", ["LOAD", "never fetches"]),
        ("INSERT DATA { <a:a> <a:b> <a:c> }", ["update, not a query"]),
        ("SELECT * WHERE { ?s ?p " + "(" * 400 + ")" * 400 + " }", ["nests", "401", "32"]),
        ("PREFIX : <http://x/> SELECT * WHERE { ?s " + "/".join([":p"] * 800) + " ?o }", ["path", "799"]),
        ("SELECT * WHERE { FILTER(" + "1+" * 2000 + "1) }", ["operators"]),
    ],
)
def test_refused_query(guard, query, words):
    with pytest.raises(QueryError) as info:
        guard.check_query(query)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    "update, words",
    [
        ("LOAD <http://127.0.0.1:9/x.ttl>", ["LOAD"]),
        ("LOAD SILENT <file:///etc/passwd> INTO GRAPH <urn:g>", ["LOAD <file:///etc/passwd>"]),
        ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", ["SERVICE"]),
        ("DELETE { ?s ?p ?o } WHERE { SERVICE SILENT ?x { ?s ?p ?o } }", ["SERVICE ?x"]),
        ("SELECT * WHERE { ?s ?p ?o }", ["is a query, not an update"]),
    ],
)
def test_refused_update(guard, update, words):
    with pytest.raises(QueryError) as info:
        guard.check_update(update)
    for word in words:
        assert word in str(info.value)


def test_allowed_update(guard):
    guard.check_update("PREFIX ex: <http://x/> INSERT DATA { GRAPH <urn:g> { ex:a ex:b 'LOAD <http://x/>' } }")
    guard.check_update("DELETE WHERE { GRAPH <https://w3id.org/dsr-kg/id/document/a> { ?s ?p ?o } }")


def test_length_limit():
    g = Guard(LOCAL, max_length=100)
    g.check_query("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(PayloadTooLarge) as info:
        g.check_query("SELECT * WHERE { ?s ?p ?o } " + "#" * 100)
    assert info.value.status == 413 and "at most 100" in str(info.value) and "QUERY_MAX_LENGTH" in str(info.value)


def test_local_graphs_callable_is_reread():
    graphs: set[str] = set()
    g = Guard(lambda: graphs)
    with pytest.raises(QueryRefused):
        g.check_query("SELECT * FROM <urn:new> WHERE { ?s ?p ?o }")
    graphs.add("urn:new")
    g.check_query("SELECT * FROM <urn:new> WHERE { ?s ?p ?o }")


def test_protocol_dataset_check(guard):
    guard.check_query("ASK {}", ["https://w3id.org/dsr-kg/id/document/a"], [])
    with pytest.raises(QueryRefused, match="named-graph-uri"):
        guard.check_query("ASK {}", [], ["http://127.0.0.1:9/remote"])


# ---------------------------------------------------------------- proof that the refusals matter


def test_pyoxigraph_connects_out_without_the_guard(listener):
    """The unguarded engine does open connections for SERVICE SILENT and LOAD: the guard is needed."""
    import pyoxigraph as ox

    store = ox.Store()
    list(store.query(f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}"))
    with pytest.raises(OSError):
        store.update(f"LOAD <{listener.url}x.ttl>")
    time.sleep(0.3)
    assert len(listener.connections) == 2


def test_guarded_engine_never_connects(seed_store_path, listener):
    """Through LocalEngine + Guard, SERVICE / FROM / LOAD are refused and nothing connects."""
    from kg.query.engines import GraphNames, LocalEngine

    guard = Guard()
    engine = LocalEngine(seed_store_path, guard=guard)
    guard.local_graphs = GraphNames(engine)
    for q in (
        f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{listener.url}data.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{listener.url}data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"LOAD <{listener.url}x.ttl>",
    ):
        with pytest.raises(QueryRefused):
            engine.run(q)
    time.sleep(0.3)
    assert listener.connections == []
    seed = "https://w3id.org/dsr-kg/id/document/000_bf54f53887da828b"
    assert engine.run(f"SELECT (COUNT(*) AS ?n) FROM <{seed}> WHERE {{ ?s ?p ?o }}").rows == 1


def test_refused_nesting_would_crash_the_parser():
    """The depth limit is not cosmetic: unguarded, pyoxigraph dies with SIGSEGV on this query."""
    query = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    code = f"import pyoxigraph as ox; ox.Store().query({query!r})"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode < 0  # killed by a signal (SIGSEGV: stack overflow)
    with pytest.raises(QueryRefused, match="nests brackets 5002 deep"):
        Guard().check_query(query)


# ---------------------------------------------------------------- XML input for kg load

RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"'


def test_screen_xml_refuses_external_entity(tmp_path):
    path = tmp_path / "xxe.rdf"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>\n'
        f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="http://example.org/a"><ex:p>&x;</ex:p>'
        "</rdf:Description></rdf:RDF>"
    )
    with pytest.raises(Exception, match="external entity 'x'"):
        screen_xml(str(path))


def test_screen_xml_refuses_billion_laughs(tmp_path):
    path = tmp_path / "lol.rdf"
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE rdf:RDF [", ' <!ENTITY l0 "lol">']
    for i in range(1, 10):
        lines.append(f' <!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">')
    lines += ["]>", f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="http://example.org/a"><ex:p>&l9;</ex:p>']
    lines += ["</rdf:Description></rdf:RDF>"]
    path.write_text("\n".join(lines))
    started = time.perf_counter()
    with pytest.raises(Exception, match="entity-expansion bomb"):
        screen_xml(str(path))
    assert time.perf_counter() - started < 5  # refused from the declarations, not by expanding


def test_screen_xml_allows_namespace_entities(tmp_path):
    import pyoxigraph as ox

    path = tmp_path / "ok.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://example.org/"> ]>\n'
        f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="&ex;a"><ex:p rdf:resource="&ex;b"/>'
        "</rdf:Description></rdf:RDF>"
    )
    screen_xml(str(path))
    assert len(list(ox.parse(path=str(path), format=ox.RdfFormat.RDF_XML))) == 1


def test_form_and_dataset_helpers_ignore_comments_strings_and_iris():
    from kg.query.guard import declares_dataset, query_form

    assert query_form("# SELECT\nPREFIX a: <http://x/SELECT#> ASK {}") == "ASK"
    assert query_form("INSERT DATA { <a:b> <a:c> <a:d> }") == "UPDATE"
    assert query_form("nothing here") == ""
    assert declares_dataset("SELECT * FROM <http://g> WHERE { ?s ?p ?o }")
    assert not declares_dataset('SELECT * WHERE { ?s ?p "FROM <http://g>" } # FROM <http://h>')
