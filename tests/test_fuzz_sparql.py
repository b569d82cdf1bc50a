"""Property-based fuzzing of ``/sparql`` and of the guard (hypothesis).

The route gets generated queries (from a small SPARQL grammar), mutated real queries
(the query page's examples with characters, keywords, quotes, comments and escapes
spliced in), and random text, sent with random methods, parameters, Accept and
Content-Type headers, charsets and body encodings. The promise: never a 5xx except 503
(a query stopped at the time limit), never a connection out, and the endpoint still
answers — with the store unchanged — afterwards.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

pytest_plugins = ["fixtures_safety"]

from fixtures_safety import Listener  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "kg" / "web" / "examples").glob("*.rq"))]
FUZZ_EXAMPLES = 2000

LISTENER = Listener()  # module-wide: every refused SERVICE/FROM/LOAD below points at it
REMOTE = LISTENER.url

# ---------------------------------------------------------------- a small SPARQL grammar

VARS = st.sampled_from(["?s", "?p", "?o", "?x", "$y", "?clause", "?label", "?n"])
IRIS = st.sampled_from(
    [
        "dsr:Clause",
        "dsr:mentions",
        "dsr:Technology",
        "rdfs:label",
        "a",
        "dsr:clauseNumber",
        "skos:altLabel",
        "<https://w3id.org/dsr-kg/id/country/CN>",
        "<http://example.org/x>",
        "<relative>",
        "oa:hasBody",
        "ex:undeclared",
    ]
)
LITERALS = st.one_of(
    st.integers(-5, 30).map(str),
    st.sampled_from(['"人工智能"', '"AI"@en', "'x'", '"""long\n"string"""', '"1"^^xsd:integer', "true", "1.5e3"]),
    st.text(max_size=8).map(
        lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "") + '"'
    ),
)
TERMS = st.one_of(VARS, IRIS, LITERALS)
PREFIXES = (
    "PREFIX dsr: <https://w3id.org/dsr-kg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX oa: <http://www.w3.org/ns/oa#>\n"
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)


@st.composite
def triple(draw) -> str:
    predicate = draw(st.one_of(VARS, IRIS, IRIS.map(lambda i: i + "+"), IRIS.map(lambda i: f"{i}/{i}")))
    return f"{draw(st.one_of(VARS, IRIS))} {predicate} {draw(TERMS)}"


@st.composite
def group(draw, depth: int = 0) -> str:
    parts = [draw(triple())]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(
            st.sampled_from(
                ["triple", "filter", "optional", "union", "bind", "values", "graph", "minus", "service", "nested"]
            )
        )
        if kind == "triple":
            parts.append(draw(triple()))
        elif kind == "filter":
            op = draw(st.sampled_from(["=", "!=", "<", ">=", "&&", "||"]))
            fn = draw(st.sampled_from(["", "lang", "str", "STRLEN", "isIRI", "REGEX"]))
            left = f"{fn}({draw(VARS)})" if fn and fn != "REGEX" else draw(VARS)
            parts.append(f"FILTER({left} {op} {draw(TERMS)})")
        elif kind == "bind":
            parts.append(f"BIND({draw(TERMS)} AS {draw(VARS)})")
        elif kind == "values":
            parts.append(f"VALUES {draw(VARS)} {{ {draw(TERMS)} {draw(TERMS)} }}")
        elif kind == "service":
            parts.append(f"SERVICE {draw(st.sampled_from(['', 'SILENT ']))}<{REMOTE}> {{ {draw(triple())} }}")
        elif depth < 2:
            inner = draw(group(depth + 1))
            parts.append(
                {
                    "optional": f"OPTIONAL {inner}",
                    "union": f"{inner} UNION {draw(group(depth + 1))}",
                    "graph": f"GRAPH {draw(VARS)} {inner}",
                    "minus": f"MINUS {inner}",
                    "nested": inner,
                }.get(kind, inner)
            )
    return "{ " + " . ".join(parts) + " }"


@st.composite
def query(draw) -> str:
    form = draw(
        st.sampled_from(["SELECT", "SELECT DISTINCT", "SELECT (COUNT(*) AS ?count)", "ASK", "CONSTRUCT", "DESCRIBE"])
    )
    where = draw(group())
    dataset = draw(
        st.sampled_from(
            ["", f"FROM <{REMOTE}> ", "FROM <https://w3id.org/dsr-kg/graph/ontology> ", "FROM NAMED <urn:x> "]
        )
    )
    modifiers = draw(
        st.sampled_from(["", " LIMIT 5", " ORDER BY ?s LIMIT 20", " OFFSET 3 LIMIT 10", " GROUP BY ?s", " LIMIT 0"])
    )
    prefixes = PREFIXES if draw(st.integers(0, 4)) else ""
    if form == "CONSTRUCT":
        return f"{prefixes}CONSTRUCT {{ ?s ?p ?o }} {dataset}WHERE {where}{modifiers}"
    if form == "DESCRIBE":
        return f"{prefixes}DESCRIBE {draw(st.one_of(VARS, IRIS))} {dataset}WHERE {where}{modifiers}"
    if form == "ASK":
        return f"{prefixes}ASK {dataset}{where}"
    return f"{prefixes}{form} * {dataset}WHERE {where}{modifiers}"


SPLICES = st.sampled_from(
    [
        "{",
        "}",
        "(",
        ")",
        "<",
        ">",
        '"',
        "'",
        '"""',
        "'''",
        "#",
        "\n",
        "\\",
        "\\u0053",
        "\\U0001F600",
        "?",
        "$",
        ":",
        "^^",
        "@",
        " SERVICE ",
        f" SERVICE <{REMOTE}> {{ }} ",
        f" FROM <{REMOTE}> ",
        f" LOAD <{REMOTE}> ",
        " INSERT DATA { <a:a> <a:b> <a:c> } ",
        " UNION ",
        " OPTIONAL ",
        " FILTER(",
        " GRAPH ?g ",
        "\x00",
        "\ufeff",
        "\ud7ff",
        "人工智能",
        " LIMIT 1 ",
        " ORDER BY ?o ",
        "(" * 40,
        ")" * 40,
        "/dsr:mentions" * 30,
    ]
)


@st.composite
def mutated(draw) -> str:
    text = draw(st.sampled_from(EXAMPLES)) if EXAMPLES else draw(query())
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.one_of(SPLICES, st.text(max_size=5)))
        if action == "insert":
            text = text[:pos] + piece + text[pos:]
        elif action == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)) :]
        else:
            text = text[:pos] + piece + text[pos + len(piece) :]
    return text


QUERIES = st.one_of(query(), query(), mutated(), st.text(max_size=200), st.sampled_from(EXAMPLES or ["ASK {}"]))
ACCEPTS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
            "text/turtle",
            "application/ld+json",
            "application/rdf+xml",
            "application/n-triples",
            "text/html",
            "*/*",
            "image/png",
            "text/*;q=0.5, application/json;q=0.9",
            "application/json;q=abc",
            ";;;,",
            "",
            "text/html;q=0",
        ]
    ),
    st.text(max_size=40).filter(lambda s: "\n" not in s and "\r" not in s),
)
CONTENT_TYPES = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/sparql-query",
            "application/sparql-update",
            "application/sparql-query; charset=utf-8",
            "application/sparql-query; charset=latin-1",
            "application/x-www-form-urlencoded; charset=utf-16",
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/json",
            "",
            "application/sparql-query; charset=",
        ]
    ),
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8", "utf-8", "latin-1", "utf-16", "gb18030", "raw"])
EXTRA = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "format",
                "output",
                "default-graph-uri",
                "named-graph-uri",
                "update",
                "download",
                "x",
                "query",
                "using-graph-uri",
            ]
        ),
        st.one_of(
            st.sampled_from(
                ["json", "xml", "csv", "tsv", "turtle", "html", "gexf", "text/csv", REMOTE, "urn:x", "1", ""]
            ),
            st.text(max_size=10),
        ),
    ),
    max_size=3,
)


def _encode(text: str, encoding: str, raw: bytes) -> bytes:
    if encoding == "raw":
        return raw
    return (
        text.encode(encoding, errors="replace") if encoding != "utf-8" else text.encode("utf-8", errors="surrogatepass")
    )


# ---------------------------------------------------------------- the route


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, seed_store_path):
    import shutil

    from kg.web import create_app

    store = tmp_path_factory.mktemp("fuzz") / "store"
    shutil.copytree(seed_store_path, store)
    app = create_app({"STORE": str(store), "TESTING": True, "QUERY_WORKERS": 2, "QUERY_TIME_LIMIT": 1.0})
    yield app
    app.extensions["kg_engine"].close()


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    q=QUERIES,
    method=st.sampled_from(["GET"] * 6 + ["POST"] * 6 + ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
    via=st.sampled_from(["param"] * 3 + ["form"] * 2 + ["body"] * 2 + ["body-update", "none"]),
    accept=ACCEPTS,
    content_type=CONTENT_TYPES,
    encoding=ENCODINGS,
    raw=st.binary(max_size=64),
    extra=EXTRA,
    authorization=st.one_of(st.none(), st.sampled_from(["Bearer x", "Bearer ", "Basic abc", "Bearer " + "a" * 300])),
    path=st.sampled_from(["/sparql", "/sparql", "/sparql", "/sparql/"]),
)
def test_fuzz_sparql_route(fuzz_app, q, method, via, accept, content_type, encoding, raw, extra, authorization, path):
    from urllib.parse import urlencode

    headers: dict[str, str] = {}
    if accept is not None:
        headers["Accept"] = accept
    if authorization is not None:
        headers["Authorization"] = authorization
    params = list(extra)
    body: bytes | None = None
    if via == "param":
        params.append(("query", q))
    elif via == "form":
        body = _encode(urlencode([("query", q), *extra]), encoding, raw)
        headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
    elif via in ("body", "body-update"):
        body = _encode(q, encoding, raw)
        headers["Content-Type"] = content_type or (
            "application/sparql-query" if via == "body" else "application/sparql-update"
        )
    elif content_type is not None:
        headers["Content-Type"] = content_type
    query_string = urlencode([(k, v.encode("utf-8", errors="surrogatepass")) for k, v in params])
    client = fuzz_app.test_client()
    response = client.open(path, method=method, query_string=query_string, data=body, headers=headers)
    status = response.status_code
    event(f"status {status}")
    assert status < 500 or status == 503, (status, response.get_data()[:500])
    if status >= 400 and method != "HEAD":
        assert response.get_data().strip(), "an error without a message"


def test_fuzz_left_the_endpoint_answering_and_unchanged(fuzz_app, seed_store):
    """Runs after the fuzz test: the endpoint answers, nothing was written, nothing connected out."""
    client = fuzz_app.test_client()
    r = client.get(
        "/sparql",
        query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "text/csv"},
    )
    assert r.status_code == 200
    assert int(r.get_data(as_text=True).split()[1]) == len(seed_store)
    assert client.get("/health").status_code == 200
    time.sleep(0.2)
    assert LISTENER.connections == []


# ---------------------------------------------------------------- the guard alone


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(st.text(max_size=300), query(), mutated()))
def test_lexer_is_total_and_guard_only_raises_typed_errors(text):
    from kg.core.errors import KGError
    from kg.query.guard import _TOKEN, Guard

    # Every character belongs to exactly one token (whitespace and comments included).
    assert "".join(m.group() for m in _TOKEN.finditer(text)) == text
    try:
        Guard({"https://w3id.org/dsr-kg/graph/ontology"}).check_query(text)
    except KGError:
        pass


@settings(max_examples=300, deadline=None)
@given(q=query(), silent=st.booleans(), endpoint=st.sampled_from([f"<{REMOTE}>", "?endpoint", "remote:sparql"]))
def test_injected_service_is_always_refused(q, silent, endpoint):
    from kg.core.errors import QueryError
    from kg.query.guard import Guard

    brace = q.index("{", q.index("WHERE") if "WHERE" in q else 0)
    service = f" SERVICE {'SILENT ' if silent else ''}{endpoint} {{ ?s ?p ?o }} "
    injected = f"PREFIX remote: <{REMOTE}>\n" + q[: brace + 1] + service + q[brace + 1 :]
    with pytest.raises(QueryError):
        Guard().check_query(injected)
