"""Slow clients cannot take the endpoint down (issue 15, item 1): real ``python server.py``
processes, slow connections from 127.0.0.2 (slowloris), a normal client on 127.0.0.1 measured.

Everything is loopback-only and bounded: at most 600 slow connections, a few seconds each phase.
"""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import pytest
import requests
from fixtures_web import server_process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
try:
    from benchmarks.slow_clients import SlowClients
finally:
    sys.path.remove(str(ROOT))

NORMAL = "SELECT ?c ?n WHERE { ?c a <https://w3id.org/dsr-kg/ontology#Clause> ; <https://w3id.org/dsr-kg/ontology#clauseNumber> ?n } ORDER BY ?n LIMIT 20"

pytestmark = pytest.mark.slow


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def _measure(base: str, seconds: float, max_requests: int = 400) -> tuple[list[float], list[str]]:
    """A normal client on 127.0.0.1: requests one after another for ``seconds`` (at most ``max_requests``)."""
    latencies: list[float] = []
    errors: list[str] = []
    session = requests.Session()
    stop = time.monotonic() + seconds
    paths = [("/sparql", {"query": NORMAL}), ("/health", {}), ("/", {})]
    i = 0
    while time.monotonic() < stop and i < max_requests:
        path, params = paths[i % len(paths)]
        i += 1
        started = time.perf_counter()
        try:
            r = session.get(
                base + path, params=params, timeout=5, headers={"Accept": "application/sparql-results+json"}
            )
            if r.status_code != 200:
                errors.append(f"{path}: HTTP {r.status_code}")
                continue
        except requests.RequestException as exc:
            errors.append(f"{path}: {type(exc).__name__}")
            continue
        latencies.append(time.perf_counter() - started)
        time.sleep(0.02)
    return latencies, errors


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


@pytest.fixture(scope="module")
def default_server(tmp_path_factory, seed_store_path):
    """``python server.py`` with the default connection limits."""
    import shutil

    store = tmp_path_factory.mktemp("slow-default") / "store"
    shutil.copytree(seed_store_path, store)
    with server_process(store) as (base, _proc):
        yield base


@pytest.fixture(scope="module")
def short_server(tmp_path_factory, seed_store_path):
    """A server with short timeouts and a small per-address cap, to see each limit act."""
    import shutil

    store = tmp_path_factory.mktemp("slow-short") / "store"
    shutil.copytree(seed_store_path, store)
    env = {
        "KG_HEADER_TIMEOUT": "2",
        "KG_BODY_TIMEOUT": "2",
        "KG_IDLE_TIMEOUT": "3",
        "KG_CONNECTIONS_PER_ADDRESS": "5",
    }
    with server_process(store, env=env) as (base, _proc):
        yield base


# ---------------------------------------------------------------- the promise, with the defaults


def test_600_trickling_connections_leave_other_clients_served(default_server):
    """The issue's case: before, 1 of 5 normal requests was answered in 20 s; now all, quickly."""
    base = default_server
    slow = SlowClients("127.0.0.1", _port(base), 600, mode="trickle", interval=2.0, reconnect_delay=2.0, max_seconds=60)
    with slow:
        time.sleep(3.0)  # all 600 opened
        latencies, errors = _measure(base, 10.0)
        held = slow.open_now()
    stats = slow.stats
    assert not errors, errors[:5]
    assert len(latencies) >= 50
    assert _p99(latencies) <= 1.0, sorted(latencies)[-5:]
    # The server held at most its per-address cap from 127.0.0.2 and refused the rest with 503.
    assert held <= 64 + 5, held
    refused = sum(n for k, n in stats.answers.items() if " 503 " in k)
    assert refused >= 500, stats.answers
    assert requests.get(base + "/health", timeout=5).status_code == 200


def test_half_sent_requests_get_408_after_the_header_timeout(default_server):
    """120 half-sent requests used to stop the server answering anyone; now they are closed at 5 s."""
    base = default_server
    slow = SlowClients("127.0.0.1", _port(base), 120, mode="partial", reconnect_delay=30.0, max_seconds=60)
    with slow:
        time.sleep(1.0)
        latencies, errors = _measure(base, 8.0)
    stats = slow.stats
    assert not errors, errors[:5]
    assert _p99(latencies) <= 1.0
    timed_out = stats.answers.get("HTTP/1.1 408 Request Timeout", 0)
    assert timed_out >= 60, stats.answers  # the 64 the cap let in (the rest got 503)
    held = [t for t in stats.lifetimes if t > 1.0]
    assert held and all(4.5 <= t <= 8.0 for t in held), sorted(held)[:3] + sorted(held)[-3:]


# ---------------------------------------------------------------- each limit, with short settings


def _connect(base: str, source: str = "127.0.0.2") -> socket.socket:
    s = socket.create_connection(("127.0.0.1", _port(base)), timeout=10, source_address=(source, 0))
    return s


def _read_all(s: socket.socket, within: float) -> tuple[bytes, float]:
    """Read until the server closes; return (data, seconds it took)."""
    started = time.monotonic()
    s.settimeout(within)
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data, time.monotonic() - started


def test_trickled_headers_are_cut_at_the_header_timeout(short_server):
    s = _connect(short_server)
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    started = time.monotonic()
    answer = b""
    while time.monotonic() - started < 8:
        try:
            s.sendall(b"X")  # a byte every 0.3 s: never idle, never finished
        except OSError:
            break
        s.settimeout(0.3)
        try:
            chunk = s.recv(4096)
        except TimeoutError:
            continue
        if not chunk:
            break
        answer += chunk
    elapsed = time.monotonic() - started
    s.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"HEADER_TIMEOUT" in answer
    assert 1.8 <= elapsed <= 4.5, elapsed


def test_trickled_body_is_cut_at_the_body_timeout(short_server):
    s = _connect(short_server)
    s.sendall(
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 200\r\n\r\nASK"
    )
    started = time.monotonic()
    answer = b""
    while time.monotonic() - started < 8:
        try:
            s.sendall(b" ")
        except OSError:
            break
        s.settimeout(0.3)
        try:
            chunk = s.recv(4096)
        except TimeoutError:
            continue
        if not chunk:
            break
        answer += chunk
    elapsed = time.monotonic() - started
    s.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"BODY_TIMEOUT" in answer
    assert 1.8 <= elapsed <= 4.5, elapsed


def test_idle_connections_are_closed(short_server):
    silent = _connect(short_server)
    data, seconds = _read_all(silent, within=8)
    silent.close()
    assert data == b"" and 2.5 <= seconds <= 5.5, (data, seconds)
    # a kept-alive connection after its answer: closed after the idle timeout too
    kept = _connect(short_server, "127.0.0.1")
    kept.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    data, seconds = _read_all(kept, within=8)
    kept.close()
    assert data.startswith(b"HTTP/1.1 200") and 2.5 <= seconds <= 5.5, (data[:40], seconds)


def test_a_slow_but_timely_request_is_answered(short_server):
    s = _connect(short_server)
    for part in (b"GET /health HTTP/1.1\r\n", b"Host: x\r\n", b"Connection: close\r\n", b"\r\n"):
        s.sendall(part)
        time.sleep(0.3)
    data, _ = _read_all(s, within=5)
    s.close()
    assert data.startswith(b"HTTP/1.1 200"), data[:200]


def test_per_address_cap_refuses_the_extra_connections_only(short_server):
    held = [_connect(short_server) for _ in range(5)]
    try:
        time.sleep(0.3)
        extra = _connect(short_server)
        data, _ = _read_all(extra, within=3)
        extra.close()
        assert data.startswith(b"HTTP/1.1 503"), data[:200]
        assert b"CONNECTIONS_PER_ADDRESS" in data and b"127.0.0.2" in data
        # another address is not affected
        assert requests.get(short_server + "/health", timeout=5).status_code == 200
    finally:
        for s in held:
            s.close()
    time.sleep(0.5)
    again = _connect(short_server)
    again.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data, _ = _read_all(again, within=5)
    again.close()
    assert data.startswith(b"HTTP/1.1 200"), data[:200]


# ---------------------------------------------------------------- the gunicorn recipe reads the same settings


def test_gunicorn_recipe_uses_the_settings(seed_store_path, tmp_path):
    """The production recipe starts, serves, and takes keepalive/timeout/connections from the KG_* settings."""
    import os
    import subprocess

    from fixtures_web import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(KG_STORE=str(seed_store_path), KG_IDLE_TIMEOUT="7", KG_QUERY_TIME_LIMIT="12", KG_QUERY_WORKERS="1")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:kg.web.gunicorn_conf",
        "--print-config",
        "-b",
        f"127.0.0.1:{port}",
        "server:create_app()",
    ]
    printed = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60).stdout
    values = {k.strip(): v.strip() for k, _, v in (line.partition(" = ") for line in printed.splitlines()) if v}
    assert values["keepalive"] == "7" and values["timeout"] == "42", printed[:500]
    assert values["worker_connections"] == "1000"
    command.remove("--print-config")
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert "no per-address connection cap" not in log.read_text()  # loopback: behind a proxy, no warning


def test_gunicorn_warns_when_exposed():
    from kg.web.gunicorn_conf import _exposed

    assert not any(_exposed(b) for b in ("127.0.0.1:5000", "[::1]:5000", "localhost:5000", "unix:/run/kg.sock"))
    assert all(_exposed(b) for b in ("0.0.0.0:5000", "[::]:80", "192.0.2.7:80", "kg.example.org:80", ":5000"))
