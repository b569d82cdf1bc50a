"""Bounded load test: many concurrent clients plus one runaway query against a real server.

Usage::

    python benchmarks/load_test.py [--clients 50] [--seconds 60] [--store DIR] [--workers 2]
                                   [--time-limit 5] [--threads 64] [--no-write]
    python benchmarks/load_test.py --overhead     # per-query cost of the guard and the worker pool

The script starts ``python server.py`` on a free port of 127.0.0.1 (over ``--store``, or
a temporary store built from the seed), then runs a thread pool: one client sends a
runaway query (a four-way cross product) over and over, each stopped by the time limit
with 503; the other clients send a mix of the query page's example queries and a few
protocol requests, each waiting for its answer before sending the next. It reports the
errors of the normal clients (the promise: none) and their latency percentiles, first
for a short baseline without the runaway, then under it, and writes the "Safety" section
of benchmarks/RESULTS.md (unless ``--no-write``). Exit status 1 when a normal request failed.

``--overhead`` measures, in process, the median time of a typical query with
:class:`kg.engine.LocalEngine`, with :class:`kg.query_pool.PoolEngine` (one IPC round
trip to a persistent worker), and of :meth:`kg.guard.Guard.check_query` alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = ROOT / "source" / "000_bf54f53887da828b.txt"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TYPICAL = """PREFIX dsr: <https://w3id.org/dsr-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?clause ?n ?label WHERE {
  ?clause a dsr:Clause ; dsr:clauseNumber ?n ; dsr:mentions ?e .
  ?e a dsr:Technology ; rdfs:label ?label . FILTER(lang(?label) = "en")
} ORDER BY ?n LIMIT 100"""


def normal_requests() -> list[tuple[str, dict]]:
    """The normal mix: (name, requests keyword arguments for GET/POST /sparql)."""
    mix: list[tuple[str, dict]] = [
        (
            "typical",
            {"method": "GET", "params": {"query": TYPICAL}, "headers": {"Accept": "application/sparql-results+json"}},
        ),
        ("form-post", {"method": "POST", "data": {"query": TYPICAL}, "headers": {"Accept": "text/csv"}}),
        ("ask", {"method": "GET", "params": {"query": "ASK { ?s a <https://w3id.org/dsr-kg/ontology#Clause> }"}}),
    ]
    for path in sorted((ROOT / "kg" / "web" / "examples").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        mix.append(
            (
                path.stem,
                {
                    "method": "POST",
                    "data": text.encode("utf-8"),
                    "headers": {
                        "Content-Type": "application/sparql-query",
                        "Accept": "application/sparql-results+json, text/turtle;q=0.9",
                    },
                },
            )
        )
    return mix


@dataclass
class Tally:
    """What the clients saw."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    runaway_statuses: dict[int, int] = field(default_factory=dict)
    runaway_seconds: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, args: argparse.Namespace, log_path: Path) -> tuple[subprocess.Popen, str]:
    """Start server.py with the safety settings; return (process, base URL) once healthy."""
    import requests

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(
        {
            "KG_QUERY_WORKERS": str(args.workers),
            "KG_QUERY_TIME_LIMIT": str(args.time_limit),
            "KG_THREADS": str(args.threads),
            "KG_LOG_FORMAT": "text",
            "PYTHONUNBUFFERED": "1",
        }
    )
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "server.py"), "--store", str(store), "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}; see {log_path}")
        try:
            if requests.get(base + "/health", timeout=5).status_code == 200:
                return proc, base
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not become healthy within 120 s")


def run_clients(base: str, clients: int, seconds: float, with_runaway: bool) -> Tally:
    """Run ``clients`` threads for ``seconds``; one of them sends the runaway if asked."""
    import requests

    tally = Tally()
    stop = time.monotonic() + seconds
    mix = normal_requests()

    def normal(index: int) -> None:
        session = requests.Session()
        i = index
        while time.monotonic() < stop:
            name, kwargs = mix[i % len(mix)]
            i += 1
            kwargs = dict(kwargs)
            started = time.perf_counter()
            try:
                r = session.request(url=base + "/sparql", timeout=60, **kwargs)
                failed = None if r.status_code == 200 else f"{name}: HTTP {r.status_code}: {r.text[:200]}"
            except requests.RequestException as exc:
                failed = f"{name}: {type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - started
            with tally.lock:
                if failed:
                    tally.errors.append(failed)
                else:
                    tally.latencies.append(elapsed)

    def runaway() -> None:
        session = requests.Session()
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                status = session.get(base + "/sparql", params={"query": RUNAWAY}, timeout=120).status_code
            except requests.RequestException:
                status = -1
            with tally.lock:
                tally.runaway_statuses[status] = tally.runaway_statuses.get(status, 0) + 1
                tally.runaway_seconds.append(time.perf_counter() - started)

    threads = [threading.Thread(target=normal, args=(i,)) for i in range(clients - (1 if with_runaway else 0))]
    if with_runaway:
        threads.append(threading.Thread(target=runaway))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0–100) of values, nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def summary(tally: Tally, seconds: float) -> dict[str, float]:
    lat = tally.latencies
    return {
        "requests": len(lat) + len(tally.errors),
        "errors": len(tally.errors),
        "rps": len(lat) / seconds,
        "p50": percentile(lat, 50) * 1000,
        "p95": percentile(lat, 95) * 1000,
        "p99": percentile(lat, 99) * 1000,
        "max": (max(lat) if lat else float("nan")) * 1000,
    }


def load_test(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="kg-load-") as tmp:
        tmp_path = Path(tmp)
        if args.store:
            store = Path(args.store)
        else:
            from kg.build import build

            store = tmp_path / "store"
            report = build([SEED], store)
            assert report.ok, report.refused
        proc, base = start_server(store, args, tmp_path / "server.log")
        try:
            print(
                f"server {base} (workers={args.workers}, time limit {args.time_limit} s, threads {args.threads})",
                flush=True,
            )
            baseline_seconds = max(5.0, args.seconds / 6)
            base_tally = run_clients(base, args.clients, baseline_seconds, with_runaway=False)
            baseline = summary(base_tally, baseline_seconds)
            print(f"baseline ({args.clients} clients, {baseline_seconds:.0f} s): {baseline}", flush=True)
            tally = run_clients(base, args.clients, args.seconds, with_runaway=True)
            loaded = summary(tally, args.seconds)
            print(
                f"with runaway ({args.clients - 1} normal clients + 1 runaway, {args.seconds:.0f} s): {loaded}",
                flush=True,
            )
            print(f"runaway: {tally.runaway_statuses} statuses, {len(tally.runaway_seconds)} attempts", flush=True)
            for e in (base_tally.errors + tally.errors)[:10]:
                print("  error:", e)
            import requests

            alive = requests.get(base + "/health", timeout=10).status_code == 200
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            if args.keep_log:
                shutil.copy(tmp_path / "server.log", args.keep_log)
    ok = baseline["errors"] == 0 and loaded["errors"] == 0 and alive and set(tally.runaway_statuses) <= {503}
    if not args.no_write:
        write_results(args, baseline, loaded, tally, baseline_seconds, alive)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def write_results(args, baseline, loaded, tally, baseline_seconds, alive) -> None:
    from benchmarks.results import write_section

    def row(name: str, s: dict, seconds: float) -> str:
        return (
            f"| {name} | {seconds:.0f} | {s['requests']:,} | {s['errors']} | {s['rps']:.0f} | "
            f"{s['p50']:.1f} | {s['p95']:.1f} | {s['p99']:.1f} | {s['max']:.0f} |"
        )

    runaway_line = ", ".join(f"{n}× HTTP {status}" for status, n in sorted(tally.runaway_statuses.items()))
    mean_runaway = statistics.mean(tally.runaway_seconds) if tally.runaway_seconds else float("nan")
    body = f"""Written by `benchmarks/load_test.py` ({platform.python_version()}, {os.cpu_count()} cores, shared with other work).
`python server.py` (waitress, {args.threads} threads) with `QUERY_WORKERS={args.workers}`,
`QUERY_TIME_LIMIT={args.time_limit:g}`; seed store. Normal clients send the query page's
{len(normal_requests()) - 3} example queries plus three protocol requests round-robin, each waiting for its answer.

| Phase | s | Requests | Errors | req/s | p50 ms | p95 ms | p99 ms | max ms |
|---|---|---|---|---|---|---|---|---|
{row(f"{args.clients} clients, no runaway", baseline, baseline_seconds)}
{row(f"{args.clients - 1} clients + 1 runaway", loaded, args.seconds)}

Runaway query (four-way cross product, sent again as soon as it is answered): {runaway_line},
{mean_runaway:.2f} s each on average (the worker is SIGKILLed at the limit and replaced).
Errors of the normal clients: {loaded["errors"] + baseline["errors"]} (the promise is 0). Server healthy afterwards: {alive}.

Limits in force by default (docs/safety.md): query time 30 s (`QUERY_TIME_LIMIT`, worker killed
and replaced, 503), 2 query workers, 4096 MB per worker, request body 1 MiB (413), query
20,000 characters (413), 10,000 rows (400), 32 MiB of result (413), nesting 32 / path steps
100 / operators 1,000 (400), 10 requests/s per client address with bursts of 60 (429 +
Retry-After; loopback exempt), read-only unless `UPDATE_TOKEN` is set; SERVICE, LOAD and
non-local FROM refused before execution. `tests/test_fuzz_sparql.py` sends 2,000 generated
and mutated requests per CI run (plus 800 guard-only cases): no 5xx except 503, nothing
connects out, the endpoint answers afterwards with the store unchanged. The CI version of
this load test (`tests/test_safety_load.py`) runs 20 clients for 10 s with a 2 s limit.
"""
    body += "\n" + overhead_table(args.store)
    write_section(ROOT / "benchmarks" / "RESULTS.md", "Safety", body)


def overhead(args: argparse.Namespace) -> int:
    """Print the guard's and the worker pool's per-query cost against LocalEngine."""
    print(overhead_table(args.store))
    return 0


def overhead_table(store_arg: str | None) -> str:
    """Measure the guard's and the worker pool's per-query cost; return a Markdown table."""
    from kg.build import build
    from kg.query.engines import LocalEngine, PoolEngine
    from kg.query.guard import Guard

    with tempfile.TemporaryDirectory(prefix="kg-overhead-") as tmp:
        store = Path(store_arg) if store_arg else Path(tmp) / "store"
        if not store_arg:
            build([SEED], store)
        local = LocalEngine(store)
        pool = PoolEngine(store, workers=1)
        guard = Guard(pool.graph_names)
        queries = {"typical": TYPICAL, "ask": "ASK { ?s ?p ?o }"}
        for path in sorted((ROOT / "kg" / "web" / "examples").glob("*.rq"))[:4]:
            queries[path.stem] = path.read_text(encoding="utf-8")
        rows = []
        for name, q in queries.items():

            def timed(fn, n=200) -> float:
                for _ in range(10):
                    fn()
                samples = []
                for _ in range(n):
                    t = time.perf_counter()
                    fn()
                    samples.append(time.perf_counter() - t)
                return statistics.median(samples) * 1000

            try:
                t_local = timed(lambda: local.run(q))
                t_pool = timed(lambda: pool.run(q))
            except Exception as exc:
                print(f"{name}: {exc}")
                continue
            t_guard = timed(lambda: guard.check_query(q), 500)
            rows.append((name, len(q), t_local, t_pool, t_pool - t_local, t_guard, 100 * t_guard / t_local))
        pool.close()
    lines = [
        "Per-query cost of the safety machinery (`load_test.py --overhead`, medians of 200 runs, seed "
        "store in memory): PoolEngine = one round trip to a persistent worker process; guard = "
        "`Guard.check_query` alone.",
        "",
        "| Query | chars | LocalEngine ms | PoolEngine ms | pool overhead ms | guard ms | guard / query |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, n, a, b, d, g, pct in rows:
        lines.append(f"| {name} | {n} | {a:.3f} | {b:.3f} | {d:+.3f} | {g:.3f} | {pct:.1f}% |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--store", default=None, help="serve this store (default: a temporary store built from the seed)"
    )
    parser.add_argument("--workers", type=int, default=2, help="QUERY_WORKERS of the server")
    parser.add_argument("--time-limit", type=float, default=5.0, help="QUERY_TIME_LIMIT of the server")
    parser.add_argument("--threads", type=int, default=64, help="waitress threads of the server")
    parser.add_argument("--no-write", action="store_true", help="do not write benchmarks/RESULTS.md")
    parser.add_argument("--keep-log", default=None, help="copy the server log here")
    parser.add_argument("--overhead", action="store_true", help="measure guard and worker-pool overhead instead")
    args = parser.parse_args(argv)
    return overhead(args) if args.overhead else load_test(args)


if __name__ == "__main__":
    sys.exit(main())
