"""Bounded load test: many concurrent clients plus one runaway query against a real server.

Usage::

    python benchmarks/load_test.py [--clients 50] [--seconds 60] [--store DIR] [--workers 2]
                                   [--time-limit 5] [--threads 64] [--no-write]
    python benchmarks/load_test.py --overhead     # per-query cost of the guard and the worker pool
    python benchmarks/load_test.py --slow-only [--slow 600] [--compare-servers]   # the slow-client phase alone

The script starts ``python server.py`` on a free port of 127.0.0.1 (over ``--store``, or
a temporary store built from the seed), then runs a thread pool: one client sends a
runaway query (a four-way cross product) over and over, each stopped by the time limit
with 503; the other clients send a mix of the query page's example queries and a few
protocol requests, each waiting for its answer before sending the next. It reports the
errors of the normal clients (the promise: none) and their latency percentiles, first
for a short baseline without the runaway, then under it, and writes the "Safety" section
of benchmarks/RESULTS.md (unless ``--no-write``). Exit status 1 when a normal request failed.

Then the slow-client phase (:func:`slow_phase`): ``--slow`` connections (600) from
127.0.0.2 that send half a request and then one byte every 2 s (slowloris; a connection
the server closes is opened again), while the normal clients on 127.0.0.1 are measured
— their p50/p99 and errors with the slow connections open, against a baseline without
them; then the same with half-sent requests that never send another byte. It writes
the "Safety: slow clients" section. ``--compare-servers`` runs the phase against the
other serving stacks too (stock waitress as ``kg serve`` used it before, gunicorn with
sync and with gthread workers) for the table that says why ``kg serve`` serves as it
does. All traffic stays on the loopback interface; every phase is bounded in time.

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


#: The serving stacks the slow-client phase can run against (``--compare-servers``).
SERVERS = {
    "kg serve": "`python server.py` = `kg serve`: waitress guarded by kg/web/httpserver.py",
    "waitress (stock)": "`waitress-serve --threads N --call server:create_app`: waitress's defaults, what `kg serve` ran before",
    "gunicorn sync": "`gunicorn -k sync -w 2 'server:create_app()'`",
    "gunicorn gthread": "`gunicorn -k gthread -w 2 --threads N 'server:create_app()'`",
}


def server_command(kind: str, store: Path, port: int, threads: int) -> list[str]:
    """The command line that starts serving stack ``kind`` (see :data:`SERVERS`) on 127.0.0.1:port."""
    listen = f"127.0.0.1:{port}"
    if kind == "kg serve":
        return [
            sys.executable,
            str(ROOT / "server.py"),
            "--store",
            str(store),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
    if kind == "waitress (stock)":
        return [
            sys.executable,
            "-m",
            "waitress",
            f"--threads={threads}",
            f"--listen={listen}",
            "--call",
            "server:create_app",
        ]
    if kind == "gunicorn sync":
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "/dev/null",
            "-k",
            "sync",
            "-w",
            "2",
            "-b",
            listen,
            "server:create_app()",
        ]
    if kind == "gunicorn gthread":
        return [
            sys.executable, "-m", "gunicorn", "-c", "/dev/null", "-k", "gthread", "-w", "2",
            "--threads", str(threads), "-b", listen, "server:create_app()",
        ]  # fmt: skip
    raise ValueError(f"unknown server {kind!r}; choose one of {', '.join(SERVERS)}")


def start_server(
    store: Path, args: argparse.Namespace, log_path: Path, kind: str = "kg serve"
) -> tuple[subprocess.Popen, str]:
    """Start a server with the safety settings; return (process, base URL) once healthy."""
    import requests

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(
        {
            "KG_STORE": str(store),
            "KG_QUERY_WORKERS": str(args.workers),
            "KG_QUERY_TIME_LIMIT": str(args.time_limit),
            "KG_THREADS": str(args.threads),
            "KG_LOG_FORMAT": "text",
            "PYTHONUNBUFFERED": "1",
        }
    )
    log = open(log_path, "ab")
    proc = subprocess.Popen(
        server_command(kind, store, port, args.threads),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its query workers end with it
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}; see {log_path}")
        try:
            if requests.get(base + "/health", timeout=5).status_code == 200:
                return proc, base
        except requests.RequestException:
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise SystemExit("the server did not become healthy within 120 s")


def stop_server(proc: subprocess.Popen) -> None:
    """End a server started by :func:`start_server` and everything it started."""
    import signal

    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def run_clients(base: str, clients: int, seconds: float, with_runaway: bool, timeout: float = 60.0) -> Tally:
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
                r = session.request(url=base + "/sparql", timeout=timeout, **kwargs)
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
            stop_server(proc)
            if args.keep_log:
                shutil.copy(tmp_path / "server.log", args.keep_log)
    ok = baseline["errors"] == 0 and loaded["errors"] == 0 and alive and set(tally.runaway_statuses) <= {503}
    if not args.no_write:
        write_results(args, baseline, loaded, tally, baseline_seconds, alive)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


@dataclass
class SlowRun:
    """One serving stack under slow clients: the normal clients' figures per phase."""

    server: str
    phases: list[tuple[str, dict[str, float], dict[str, object]]] = field(default_factory=list)
    alive: bool = False


def slow_phase(store: Path, args: argparse.Namespace, kind: str, log_path: Path) -> SlowRun:
    """Measure normal clients on 127.0.0.1 while ``args.slow`` slow connections from 127.0.0.2 are open.

    Phases: a baseline without slow connections; slow connections trickling a byte every
    2 s; half-sent requests that never send another byte. Each lasts ``args.slow_seconds``
    (the baseline half of it); the slow connections get ``ramp`` seconds to open first.
    """
    import requests

    from benchmarks.slow_clients import SlowClients

    run = SlowRun(kind)
    proc, base = start_server(store, args, log_path, kind)
    port = int(base.rsplit(":", 1)[1])
    ramp = 3.0
    try:
        seconds = max(5.0, args.slow_seconds / 2)
        tally = run_clients(base, args.slow_clients, seconds, False, timeout=10)
        run.phases.append(("no slow connections", summary(tally, seconds), {}))
        for mode, title in (("trickle", "a byte every 2 s"), ("partial", "half a request, then silence")):
            slow = SlowClients(
                "127.0.0.1", port, args.slow, mode=mode, interval=2.0, reconnect_delay=2.0,
                max_seconds=args.slow_seconds + ramp + 30,
            )  # fmt: skip
            with slow:
                time.sleep(ramp)
                established = slow.open_now()
                tally = run_clients(base, args.slow_clients, args.slow_seconds, False, timeout=10)
            stats = slow.stats
            info = {
                "established": established,
                "opened": stats.opened,
                "408": sum(n for k, n in stats.answers.items() if " 408 " in k + " "),
                "503": sum(n for k, n in stats.answers.items() if " 503 " in k + " "),
                "lifetime": statistics.median(stats.lifetimes) if stats.lifetimes else float("nan"),
            }
            run.phases.append((f"{args.slow} slow: {title}", summary(tally, args.slow_seconds), info))
            print(f"{kind}, {args.slow} slow ({mode}): {run.phases[-1][1]} {info}", flush=True)
            for e in tally.errors[:3]:
                print("  error:", e)
            time.sleep(1.0)
        try:
            run.alive = requests.get(base + "/health", timeout=10).status_code == 200
        except requests.RequestException:
            run.alive = False
    finally:
        stop_server(proc)
    return run


def slow_only(args: argparse.Namespace) -> int:
    """Run the slow-client phase (against every stack with ``--compare-servers``) and write its section."""
    with tempfile.TemporaryDirectory(prefix="kg-slow-") as tmp:
        tmp_path = Path(tmp)
        store = Path(args.store) if args.store else _seed_store(tmp_path)
        kinds = list(SERVERS) if args.compare_servers else ["kg serve"]
        runs = [slow_phase(store, args, kind, tmp_path / "server.log") for kind in kinds]
        if args.keep_log:
            shutil.copy(tmp_path / "server.log", args.keep_log)
    ours = runs[0]
    ok = ours.alive and all(s["errors"] == 0 and s["p99"] <= 1000 for _, s, _ in ours.phases)
    if not args.no_write:
        write_slow_results(args, runs)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def _seed_store(tmp_path: Path) -> Path:
    from kg.build import build

    store = tmp_path / "store"
    report = build([SEED], store)
    assert report.ok, report.refused
    return store


def write_slow_results(args: argparse.Namespace, runs: list[SlowRun]) -> None:
    """Write the "Safety: slow clients" section of benchmarks/RESULTS.md."""
    from benchmarks.results import write_section
    from kg.core.settings import defaults

    d = defaults()
    lines = [
        f"Written by `benchmarks/load_test.py --slow-only{' --compare-servers' if len(runs) > 1 else ''}` "
        f"({platform.python_version()}, {os.cpu_count()} cores, shared with other work; the lead reruns it on an idle machine). "
        f"{args.slow_clients} normal clients on 127.0.0.1 send the load test's mix (example queries and protocol "
        f"requests, each waiting for its answer, 10 s client timeout) for {args.slow_seconds:g} s while {args.slow} "
        "connections from 127.0.0.2 are open: first trickling one byte of a never-ending header every 2 s, then "
        "sending half a request and nothing more. A slow connection the server closes is opened again at its next "
        "tick (2 s), as slowloris does. Seed store; QUERY_WORKERS="
        f"{args.workers}, {args.threads} threads.",
        "",
        "| Server | Phase | Requests | Errors | p50 ms | p99 ms | max ms | slow conns established | 408 | 503 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]

    def ms(value: float, digits: int = 1) -> str:
        return "—" if value != value else f"{value:.{digits}f}"  # NaN: no request was answered

    for run in runs:
        for phase, s, info in run.phases:
            lines.append(
                f"| {run.server} | {phase} | {s['requests']:,} | {s['errors']} | {ms(s['p50'])} | {ms(s['p99'])} | "
                f"{ms(s['max'], 0)} | {info.get('established', '—')} | {info.get('408', '—')} | {info.get('503', '—')} |"
            )
    lines += [
        "",
        "Servers: " + "; ".join(f"**{r.server}** = {SERVERS[r.server]}" for r in runs) + ". "
        "Healthy afterwards: " + ", ".join(f"{r.server} {r.alive}" for r in runs) + ".",
        "",
        '"slow conns established" counts connections the client saw established 3 s after opening them (the kernel '
        "completes connections into the listen backlog even when the server never accepts them); 408 = closed with "
        "408 Request Timeout at HEADER_TIMEOUT, 503 = refused over CONNECTIONS_PER_ADDRESS. Limits of `kg serve` "
        f"(docs/safety.md): HEADER_TIMEOUT {d['HEADER_TIMEOUT']:g} s, BODY_TIMEOUT {d['BODY_TIMEOUT']:g} s, "
        f"IDLE_TIMEOUT {d['IDLE_TIMEOUT']:g} s, CONNECTIONS_PER_ADDRESS {d['CONNECTIONS_PER_ADDRESS']}, "
        f"CONNECTION_LIMIT {d['CONNECTION_LIMIT']}. The CI version (tests/test_safety_slow_clients.py) holds 600 "
        "trickling and 120 silent connections against a real `python server.py` and asserts 0 errors and p99 ≤ 1 s.",
    ]
    write_section(ROOT / "benchmarks" / "RESULTS.md", "Safety: slow clients", "\n".join(lines))


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
    parser.add_argument("--slow", type=int, default=600, help="slow connections of the slow-client phase")
    parser.add_argument("--slow-clients", type=int, default=10, help="normal clients of the slow-client phase")
    parser.add_argument("--slow-seconds", type=float, default=20.0, help="seconds of each slow-client phase")
    parser.add_argument("--slow-only", action="store_true", help="run only the slow-client phase")
    parser.add_argument("--no-slow", action="store_true", help="skip the slow-client phase")
    parser.add_argument(
        "--compare-servers", action="store_true", help="slow-client phase against stock waitress and gunicorn too"
    )
    args = parser.parse_args(argv)
    if args.overhead:
        return overhead(args)
    if args.slow_only:
        return slow_only(args)
    code = load_test(args)
    if not args.no_slow:
        code = max(code, slow_only(args))
    return code


if __name__ == "__main__":
    sys.exit(main())
