"""kg.query.engines.PoolEngine: runaway queries are killed, the others keep being served.

The module's ``pool`` runs two worker processes (one query each), the model of the first
pool; tests/test_pool_shared.py covers the default of one process forked from the copy.
"""

from __future__ import annotations

import threading
import time

import pytest

from kg.core.errors import PayloadTooLarge, QueryError, QueryTimeout, WorkerCrashed
from kg.query.engines import PoolEngine

pytest_plugins = ["fixtures_safety"]

from fixtures_safety import NORMAL, RUNAWAY, cpu_seconds, pid_alive  # noqa: E402


@pytest.fixture(scope="module")
def pool(seed_store_path):
    engine = PoolEngine(seed_store_path, workers=2, processes=2, timeout=1.5)
    engine.start()
    yield engine
    engine.close()


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_answers_like_local_engine(pool, seed_store_path):
    from kg.query.engines import LocalEngine

    local = LocalEngine(seed_store_path)
    for accept in ("application/sparql-results+json", "text/csv", "application/sparql-results+xml"):
        assert pool.run(NORMAL, accept=accept).body == local.run(NORMAL, accept=accept).body
    construct = "CONSTRUCT WHERE { ?s a <https://w3id.org/dsr-kg/ontology#Document> }"
    assert (
        pool.run(construct, accept="application/n-triples").body
        == local.run(construct, accept="application/n-triples").body
    )
    assert pool.triple_count() == local.triple_count()
    assert pool.select("SELECT ?d WHERE { ?d a dsr:Document }") == local.select("SELECT ?d WHERE { ?d a dsr:Document }")
    assert len(pool.construct("CONSTRUCT WHERE { ?d a dsr:Document }")) == 1
    assert "https://w3id.org/dsr-kg/id/document/000_bf54f53887da828b" in pool.graph_names()


def test_runaway_is_killed_and_others_keep_being_served(pool):
    assert _wait_for(lambda: len(pool.worker_pids()) == 2)  # the second worker starts in the background
    before = set(pool.worker_pids())
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.perf_counter()
        try:
            pool.run(RUNAWAY)
        except QueryTimeout as exc:
            outcome["error"] = exc
        outcome["seconds"] = time.perf_counter() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.2)
    latencies = []
    while thread.is_alive():
        started = time.perf_counter()
        assert pool.run(NORMAL).rows > 0
        latencies.append(time.perf_counter() - started)
    thread.join()

    error = outcome["error"]
    assert isinstance(error, QueryTimeout) and error.status == 503
    assert "limit of 1.5 s" in str(error) and "LIMIT" in str(error)
    assert 1.5 <= outcome["seconds"] < 5  # type: ignore[operator]
    # Normal queries were answered by the other worker all along, never waiting for the runaway.
    assert len(latencies) >= 10 and max(latencies) < 1.0
    # The runaway's worker is gone (killed, reaped) and replaced by a fresh one.
    killed = before - set(pool.worker_pids())
    assert len(killed) == 1
    assert not pid_alive(killed.pop())
    assert _wait_for(lambda: len(pool.worker_pids()) == 2)
    # No worker is still burning a core.
    pids = pool.worker_pids()
    used = sum(cpu_seconds(p) for p in pids)
    time.sleep(0.5)
    assert sum(cpu_seconds(p) for p in pids) - used < 0.2


def test_all_workers_busy_gives_503_not_a_hang(seed_store_path):
    with PoolEngine(seed_store_path, workers=1, timeout=1.0, queue_timeout=0.3) as engine:
        engine.start()

        def runaway() -> None:
            with pytest.raises(QueryTimeout):
                engine.run(RUNAWAY)

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.2)
        with pytest.raises(QueryTimeout, match="all 1 query workers stayed busy"):
            engine.run(NORMAL)
        thread.join()
        assert _wait_for(lambda: len(engine.worker_pids()) == 1)
        assert engine.run(NORMAL).rows > 0


def test_result_byte_limit(seed_store_path):
    with PoolEngine(seed_store_path, workers=1, max_bytes=2000) as engine:
        with pytest.raises(PayloadTooLarge) as info:
            engine.run(NORMAL)
        assert info.value.status == 413 and "at most 2,000" in str(info.value) and "LIMIT" in str(info.value)
        assert engine.run("ASK { ?s ?p ?o }").body  # the worker is still serving


def test_row_limit_and_syntax_errors_keep_the_worker(pool):
    pids = pool.worker_pids()
    with pytest.raises(QueryError, match="SPARQL syntax error"):
        pool.run("SELECT * WHERE { ?s ?p")
    from kg.core.errors import ResultTooLarge

    with pytest.raises(ResultTooLarge, match="more than 10000 rows"):
        pool.run("SELECT * WHERE { ?s ?p ?o }")
    assert pool.worker_pids() == pids


def test_memory_cap_ends_only_that_worker(seed_store_path):
    """A query that needs more memory than the cap ends its worker; the client gets 503."""
    with PoolEngine(seed_store_path, workers=1, timeout=60, memory_limit_mb=1400) as engine:
        engine.start()
        (pid,) = engine.worker_pids()
        with pytest.raises(WorkerCrashed) as info:
            engine.run("SELECT ?a ?b ?c ?d WHERE { ?a ?p ?b . ?c ?q ?d } ORDER BY ?a ?b ?c ?d")
        assert info.value.status == 503 and "1400 MB" in str(info.value)
        assert not pid_alive(pid)
        assert engine.run(NORMAL).rows > 0  # a new worker answers


def test_big_stack_survives_deep_nesting_without_guard(seed_store_path):
    """Even unguarded, a worker parses what would crash a normal thread (256 MB stack)."""
    query = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    with PoolEngine(seed_store_path, workers=1, timeout=20) as engine:
        assert engine.run(query).rows == 1


def test_update_is_seen_by_recycled_workers(store_copy):
    with PoolEngine(store_copy, workers=2) as engine:
        before = engine.triple_count()
        engine.update("INSERT DATA { GRAPH <urn:test:g> { <urn:a> <urn:b> 'c' } }")
        for _ in range(4):  # whichever worker answers has the new triple
            assert engine.triple_count() == before + 1
        assert "urn:test:g" in engine.graph_names()


def test_close_stops_every_worker(seed_store_path):
    engine = PoolEngine(seed_store_path, workers=2, processes=2)
    engine.start()
    assert _wait_for(lambda: len(engine.worker_pids()) == 2)
    pids = [*engine.worker_pids(), engine.status()["copy"]["pid"]]  # and the process holding the copy
    engine.close()
    assert _wait_for(lambda: not any(pid_alive(p) for p in pids), 5)


def test_unknown_failure_in_a_worker_is_a_500_not_the_clients_fault(pool, caplog):
    """A failure that is not a typed error (a bug) comes back as InternalError (500) and is logged."""
    from kg.core.errors import InternalError
    from kg.query.engines.worker import portable as _portable

    with pytest.raises(InternalError) as info:
        pool._call("no-such-operation", {}, 10.0)  # the worker raises a plain ValueError
    assert info.value.status == 500 and info.value.code == "E024"
    assert "ValueError" in str(info.value)
    assert pool.run(NORMAL).rows >= 1  # the worker kept serving

    with caplog.at_level("ERROR", logger="kg.query.engines.pool"):
        converted = _portable(RuntimeError("engine fault"))
    assert isinstance(converted, InternalError)
    assert any("unexpected RuntimeError" in r.getMessage() and r.exc_info for r in caplog.records)
    assert isinstance(_portable(SyntaxError("x")), QueryError)  # a parse error stays the client's (400)
