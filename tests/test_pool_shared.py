"""The default process model: one memory copy in a holder process, query workers forked from it.

Real processes throughout: the holder's and the workers' memory is read from
/proc/<pid>/smaps_rollup, the parentage from /proc/<pid>/stat.
"""

from __future__ import annotations

import threading
import time

import pytest

from kg.core.errors import QueryTimeout, WorkerCrashed
from kg.query.engines import PoolEngine
from kg.query.engines.holder import memory_mb

pytest_plugins = ["fixtures_safety"]

from fixtures_safety import NORMAL, RUNAWAY, pid_alive  # noqa: E402

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as fh:
        return int(fh.read().rsplit(")", 1)[1].split()[1])


@pytest.fixture
def shared(seed_store_path):
    engine = PoolEngine(seed_store_path, workers=2, timeout=1.5)
    engine.start()
    yield engine
    engine.close()


def test_workers_are_forks_of_the_one_copy(shared):
    status = shared.status()
    assert shared.serving() == "memory"
    holder = status["copy"]["pid"]
    (worker,) = shared.worker_pids()  # two query slots, one process
    assert _parent(worker) == holder  # forked from the process that holds the copy
    assert status["copy"]["quads"] == shared.triple_count() > 10_000
    # The worker shares the copy: most of its resident memory is the holder's pages.
    worker_memory = memory_mb(worker)
    assert worker_memory["Rss"] > 0.5 * status["copy"]["Rss"]
    assert worker_memory["Private"] < 0.5 * worker_memory["Rss"]


def _runaway_with_a_neighbour(engine: PoolEngine) -> dict[str, object]:
    """Run the runaway query and, 1.2 s later, a 2.5 s request beside it; return what happened."""
    outcome: dict[str, object] = {}

    def runaway() -> None:
        try:
            engine.run(RUNAWAY)
        except QueryTimeout as exc:
            outcome["error"] = exc

    def slow_neighbour() -> None:
        time.sleep(1.2)
        outcome["neighbour"] = engine._call("sleep", {"seconds": 2.5}, 15.0)
        outcome["neighbour_done"] = time.monotonic()

    threads = [threading.Thread(target=runaway), threading.Thread(target=slow_neighbour)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcome


def test_time_out_kills_the_process_and_the_query_beside_it_is_answered(seed_store_path):
    # Recycling off (a share no worker reaches): the neighbour is sent, on the other slot, to
    # the process the runaway runs in; the kill at the limit ends it too, and the engine
    # sends it again to the replacement.
    with PoolEngine(seed_store_path, workers=2, timeout=1.5, recycle_share=100.0) as engine:
        engine.start()
        (before,) = engine.worker_pids()
        outcome = _runaway_with_a_neighbour(engine)
        assert isinstance(outcome["error"], QueryTimeout) and outcome["error"].status == 503
        assert "neighbour" in outcome and engine.retried == 1
        assert not pid_alive(before)
        (after,) = engine.worker_pids()
        assert after != before and _parent(after) == engine.status()["copy"]["pid"]


def test_a_grown_worker_takes_no_new_query(shared):
    # Default recycling: the runaway's private memory passes QUERY_RECYCLE_SHARE of the copy,
    # so its process takes no new query; the neighbour runs on a fresh fork and is answered
    # without being sent twice, while the runaway's process is killed at the limit.
    (before,) = shared.worker_pids()
    outcome = _runaway_with_a_neighbour(shared)
    assert isinstance(outcome["error"], QueryTimeout)
    assert "neighbour" in outcome and shared.retried == 0
    status = shared.status()
    assert status["recycled"] >= 1 and status["killed"] == 1
    assert not pid_alive(before) and before not in shared.worker_pids()


def test_replacement_serves_well_under_a_second(shared):
    with pytest.raises(QueryTimeout):
        shared.run(RUNAWAY)
    started = time.perf_counter()
    assert shared.run(NORMAL).rows > 0
    assert time.perf_counter() - started < 0.5


def test_a_crash_alone_is_the_querys_fault_and_not_sent_again(seed_store_path):
    with PoolEngine(seed_store_path, workers=1, timeout=30, memory_limit_mb=300) as engine:
        engine.start()
        assert engine._call("allocate", {"mb": 100}, 10.0) == 100 * 2**20  # under the cap: fine
        (pid,) = engine.worker_pids()
        with pytest.raises(WorkerCrashed, match="300 MB beyond the shared copy"):  # Oxigraph aborts the process
            engine.run("SELECT ?a ?b ?c ?d WHERE { ?a ?p ?b . ?c ?q ?d } ORDER BY ?a ?b ?c ?d")
        assert engine.retried == 0 and engine.crashed == 1
        assert not pid_alive(pid)
        assert engine.run(NORMAL).rows > 0  # a new fork answers


def test_memory_cap_is_growth_over_the_copy(seed_store_path):
    """A cap smaller than the worker's address space at start still lets it serve.

    The interpreter, Oxigraph, the copy and two 256 MB query stacks reserve far more than
    200 MB before any query; the cap counts only what a query adds.
    """
    with PoolEngine(seed_store_path, workers=2, timeout=30, memory_limit_mb=200) as engine:
        assert engine.run(NORMAL).rows > 0
        with pytest.raises(WorkerCrashed):
            engine._call("allocate", {"mb": 300}, 10.0)
        assert engine.run(NORMAL).rows > 0


def test_worker_grown_private_is_replaced(seed_store_path):
    """A worker whose private memory passes its budget is replaced by a fresh fork, without errors."""
    with PoolEngine(seed_store_path, workers=1, timeout=30, recycle_share=0.01, reload_check=0) as engine:
        engine.recycle_floor_mb = 0  # budget: 1 % of the seed copy, which any worker passes
        engine.start()
        (first,) = engine.worker_pids()
        assert engine.run(NORMAL).rows > 0
        assert _wait_for(lambda: engine.recycled >= 1 and first not in engine.worker_pids(), 10)
        assert not pid_alive(first)
        assert engine.run(NORMAL).rows > 0  # answered by the fresh fork
        (second,) = engine.worker_pids()
        assert _parent(second) == engine.status()["copy"]["pid"]


def test_rebuilt_store_is_picked_up_without_restart(store_copy):
    from kg.store import open_store

    with PoolEngine(store_copy, workers=2, reload_check=0.5) as engine:
        before = engine.triple_count()
        holder = engine.status()["copy"]["pid"]
        disk = open_store(store_copy)  # another writer, as `kg build` would be
        disk.update("INSERT DATA { GRAPH <urn:test:rebuilt> { <urn:a> <urn:b> 'c' } }")
        disk.flush()
        del disk
        assert _wait_for(lambda: engine.reloads == 1, 30)
        assert engine.triple_count() == before + 1
        assert "urn:test:rebuilt" in engine.graph_names()
        assert engine.status()["copy"]["pid"] != holder
        assert _wait_for(lambda: not pid_alive(holder), 20)  # the old copy is released


def test_no_reload_while_a_writer_holds_the_store(store_copy):
    from kg.store import open_store

    with PoolEngine(store_copy, workers=1, reload_check=0.3) as engine:
        engine.start()
        disk = open_store(store_copy)
        disk.update("INSERT DATA { GRAPH <urn:test:w> { <urn:a> <urn:b> 'c' } }")
        disk.flush()
        time.sleep(2.5)  # changed and stable, but the writer is still there
        assert engine.reloads == 0
        del disk
        assert _wait_for(lambda: engine.reloads == 1, 30)


def test_real_server_tree_is_one_copy_and_its_forks(seed_store_path):
    """`python server.py`: web process → fork server → copy holder → query worker, as /health reports."""
    import requests
    from fixtures_safety import children, server_process

    with server_process(seed_store_path) as (base, proc):
        assert requests.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30).status_code == 200
        health = requests.get(base + "/health", timeout=30).json()
        assert health["serving"] == "memory"
        pool = health["pool"]
        holder = pool["copy"]["pid"]
        assert [p["slots"] for p in pool["processes"]] == [2]
        worker = pool["processes"][0]["pid"]
        assert _parent(worker) == holder
        assert _parent(_parent(holder)) == proc.pid  # started from the fork server, a child of the server
        assert {holder, worker} <= children(proc.pid)
    assert _wait_for(lambda: not pid_alive(holder) and not pid_alive(worker), 10)  # ended with the server


def test_lost_copy_is_loaded_again(seed_store_path):
    """If the process holding the copy dies (say, out of memory), queries go on and a new copy loads."""
    import os
    import signal

    with PoolEngine(seed_store_path, workers=2, reload_check=0) as engine:
        engine.start()
        holder = engine.status()["copy"]["pid"]
        os.kill(holder, signal.SIGKILL)  # its workers die with it (PR_SET_PDEATHSIG)
        assert engine.run(NORMAL).rows > 0  # answered: a disk worker, or already the new copy
        assert _wait_for(lambda: engine.serving() == "memory" and engine.status()["copy"]["pid"] != holder, 30)
        assert engine.run(NORMAL).rows > 0


def test_killing_the_server_ends_the_copy_and_its_workers(seed_store_path):
    """SIGKILL of the web process (no clean-up runs): fork server, holder and workers end too."""
    import os
    import signal

    import requests
    from fixtures_safety import children, server_process

    with server_process(seed_store_path) as (base, proc):
        assert requests.get(base + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200
        tree = children(proc.pid)
        assert len(tree) >= 3  # fork server, copy holder, query worker (and multiprocessing's tracker)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert _wait_for(lambda: not any(pid_alive(p) for p in tree), 15)
