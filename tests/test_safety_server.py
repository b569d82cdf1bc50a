"""One test per safety promise, against a real ``python server.py`` process on 127.0.0.1."""

from __future__ import annotations

import threading
import time

import pytest
import requests

pytest_plugins = ["fixtures_safety"]

from fixtures_safety import NORMAL, RUNAWAY, children, cpu_seconds, pid_alive, server_process  # noqa: E402

TOKEN = "correct horse battery staple"
ALLOWED = "https://allowed.example"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, seed_store_path):
    """A server with short limits, an update token and a CORS allow-list."""
    import shutil

    store = tmp_path_factory.mktemp("guarded") / "store"
    shutil.copytree(seed_store_path, store)
    env = {
        "KG_QUERY_WORKERS": "2",
        "KG_QUERY_TIME_LIMIT": "2",
        "KG_UPDATE_TOKEN": TOKEN,
        "KG_CORS_ORIGINS": ALLOWED,
        "KG_MAX_CONTENT_LENGTH": "65536",
        "KG_QUERY_MAX_LENGTH": "5000",
        "KG_QUERY_MAX_RESULT_BYTES": "200000",
        "KG_TRUNCATE_RESULTS": "false",  # refuse results over MAX_ROWS (the default cuts and marks them)
    }
    with server_process(store, env=env) as (base, proc):
        yield base, proc


@pytest.fixture(scope="module")
def default_server(tmp_path_factory, seed_store_path):
    """A server with the default settings, except a strict rate limit that also covers loopback."""
    import shutil

    store = tmp_path_factory.mktemp("default") / "store"
    shutil.copytree(seed_store_path, store)
    env = {"KG_RATE_LIMIT": "2", "KG_RATE_LIMIT_BURST": "5", "KG_RATE_LIMIT_LOOPBACK": "true"}
    with server_process(store, env=env) as (base, proc):
        yield base, proc


def _query(base: str, query: str, headers: dict[str, str] | None = None) -> requests.Response:
    headers = {"Accept": "application/sparql-results+json", **(headers or {})}
    return requests.get(base + "/sparql", params={"query": query}, headers=headers, timeout=30)


def _count(base: str) -> int:
    r = _query(base, COUNT)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def _alive(base: str) -> None:
    assert requests.get(base + "/health", timeout=10).status_code == 200
    assert _query(base, "ASK { ?s ?p ?o }").json()["boolean"] is True


# ---------------------------------------------------------------- 1. time limit


def test_time_limit_kills_the_work_and_others_are_served(guarded):
    base, proc = guarded
    _alive(base)
    deadline = time.monotonic() + 30
    while len(children(proc.pid)) < 3 and time.monotonic() < deadline:  # fork server + 2 workers
        time.sleep(0.1)
    workers_before = children(proc.pid)
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.perf_counter()
        outcome["response"] = _query(base, RUNAWAY)
        outcome["seconds"] = time.perf_counter() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    latencies = []
    while thread.is_alive():
        started = time.perf_counter()
        assert _query(base, NORMAL).status_code == 200
        latencies.append(time.perf_counter() - started)
    thread.join()

    response = outcome["response"]
    assert response.status_code == 503  # type: ignore[union-attr]
    assert "limit of 2 s" in response.text and "LIMIT" in response.text  # type: ignore[union-attr]
    assert 2 <= outcome["seconds"] < 6  # type: ignore[operator]
    assert len(latencies) >= 5 and max(latencies) < 1.0, latencies
    # The worker that ran the runaway is gone, and nothing of the server burns CPU any more.
    gone = [p for p in workers_before if not pid_alive(p)]
    assert len(gone) == 1
    time.sleep(1.0)  # the replacement worker has loaded its store copy
    pids = children(proc.pid) | {proc.pid}
    used = sum(cpu_seconds(p) for p in pids if pid_alive(p))
    time.sleep(0.5)
    assert sum(cpu_seconds(p) for p in pids if pid_alive(p)) - used < 0.25
    _alive(base)


# ---------------------------------------------------------------- 2. size limits


@pytest.mark.parametrize(
    "request_kwargs, status, words",
    [
        (
            {
                "method": "POST",
                "data": b"ASK {}" + b" " * 70000,
                "headers": {"Content-Type": "application/sparql-query"},
            },
            413,
            ["65536"],
        ),  # waitress refuses it before reading it all
        ({"method": "GET", "params": {"query": "ASK {} #" + "x" * 6000}}, 413, ["at most 5,000", "QUERY_MAX_LENGTH"]),
        ({"method": "POST", "data": {"query": "ASK {} #" + "x" * 6000}}, 413, ["at most 5,000"]),
        ({"method": "GET", "params": {"query": "SELECT * WHERE { ?s ?p ?o }"}}, 400, ["more than 10000 rows", "LIMIT"]),
        (
            {"method": "GET", "params": {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 9000"}},
            413,
            ["at most 200,000", "QUERY_MAX_RESULT_BYTES"],
        ),
    ],
)
def test_size_limits(guarded, request_kwargs, status, words):
    base, _ = guarded
    kwargs = dict(request_kwargs)
    r = requests.request(kwargs.pop("method"), base + "/sparql", timeout=30, **kwargs)
    assert r.status_code == status, r.text[:300]
    for word in words:
        assert word in r.text
    _alive(base)


# ---------------------------------------------------------------- 3. no outbound reach


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{url}data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "LOAD <{url}data.ttl>",
    ],
)
def test_query_never_connects_out(guarded, listener, template):
    base, _ = guarded
    r = _query(base, template.format(url=listener.url))
    assert r.status_code == 400 and "refused" in r.text, r.text
    time.sleep(0.2)
    assert listener.connections == []


@pytest.mark.parametrize(
    "template",
    [
        "LOAD <{url}data.ttl>",
        "LOAD SILENT <{url}data.ttl> INTO GRAPH <urn:x>",
        "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "DELETE {{ ?s ?p ?o }} WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    ],
)
def test_authorised_update_never_connects_out(guarded, listener, template):
    base, _ = guarded
    before = _count(base)
    r = requests.post(
        base + "/sparql",
        data=template.format(url=listener.url).encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert r.status_code == 400 and "refused" in r.text, r.text
    time.sleep(0.2)
    assert listener.connections == []
    assert _count(base) == before


# ---------------------------------------------------------------- 4. read-only by default, token updates


def test_read_only_by_default(default_server):
    base, _ = default_server
    before = _count(base)
    for headers in ({}, {"Authorization": "Bearer anything"}):
        r = requests.post(
            base + "/sparql",
            data="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            headers={"Content-Type": "application/sparql-update", **headers},
            timeout=30,
        )
        assert r.status_code == 403 and "read-only" in r.text
    assert _count(base) == before


@pytest.mark.parametrize(
    "authorization, status",
    [
        (None, 401),
        ("Bearer wrong token", 403),
        (f"Bearer {TOKEN}x", 403),
        (f"Bearer {TOKEN[:-1]}", 403),
        (f"Basic {TOKEN}", 401),
        ("Bearer ", 401),
    ],
)
def test_wrong_or_missing_token_changes_nothing(guarded, authorization, status):
    base, _ = guarded
    before = _count(base)
    headers = {"Content-Type": "application/sparql-update"}
    if authorization is not None:
        headers["Authorization"] = authorization
    r = requests.post(base + "/sparql", data="DELETE WHERE { ?s ?p ?o }", headers=headers, timeout=30)
    assert r.status_code == status, r.text
    assert _count(base) == before


def test_right_token_updates(guarded):
    base, _ = guarded
    before = _count(base)
    r = requests.post(
        base + "/sparql",
        data="INSERT DATA { GRAPH <urn:safety:test> { <urn:safety:a> <urn:safety:b> 'c' } }",
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert r.status_code == 204, r.text
    assert _count(base) == before + 1
    # The new graph is local now, so FROM may name it.
    r = _query(base, "ASK FROM <urn:safety:test> WHERE { <urn:safety:a> ?p 'c' }")
    assert r.status_code == 200 and r.json()["boolean"] is True


# ---------------------------------------------------------------- 5. rate limiting and CORS


def test_rate_limit_429_with_retry_after(default_server):
    base, _ = default_server
    time.sleep(3)  # refill the bucket after the other tests on this server
    statuses = []
    for _ in range(12):
        r = _query(base, "ASK {}")
        statuses.append(r.status_code)
        if r.status_code == 429:
            limited = r
    assert statuses[:5] == [200] * 5 and 429 in statuses
    retry = int(limited.headers["Retry-After"])
    assert retry >= 1 and "RATE_LIMIT" in limited.text and "retry after" in limited.text
    assert requests.get(base + "/health", timeout=10).status_code == 200  # never limited
    time.sleep(retry)
    assert _query(base, "ASK {}").status_code == 200


def test_cors_allow_list(guarded):
    base, _ = guarded
    ok = _query(base, "ASK {}", headers={"Origin": ALLOWED})
    assert ok.headers.get("Access-Control-Allow-Origin") == ALLOWED and "Origin" in ok.headers.get("Vary", "")
    other = _query(base, "ASK {}", headers={"Origin": "https://evil.example"})
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers
    preflight = requests.options(
        base + "/sparql",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
        timeout=10,
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    preflight = requests.options(
        base + "/sparql", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"}, timeout=10
    )
    assert preflight.headers.get("Access-Control-Allow-Origin") == ALLOWED
