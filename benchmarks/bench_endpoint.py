"""Endpoint throughput, latency and memory: ``kg serve`` against ``oxigraph serve-read-only``.

Usage (the machine is shared: take the benchmark lock)::

    flock /tmp/kg-bench.lock python benchmarks/bench_endpoint.py [--sizes seed,100k,1m] [--seconds 20]

For each graph size the same store is served, one after the other on 127.0.0.1, by

* ``python server.py`` (= ``kg serve``) in its **default** configuration: query worker
  processes forked from one memory copy, every query under the time limit;
* the same with ``--query-workers 0`` (**in-process**: queries in the web process, one
  memory copy, no time limit);
* Oxigraph's own server over the same quads (``oxigraph load`` then
  ``oxigraph serve-read-only --union-default-graph``).

Four connections send a fixed mix of five queries round-robin (wrk when installed); the
script reports requests/s and p50/p99 latency, the memory of each server's whole process
tree (summed PSS from /proc/<pid>/smaps_rollup, sampled every second under the mix), the
time until the first query is answered and until it is answered from the memory copy, and
the time a worker killed at the time limit takes to be replaced (a separate start with
only ``KG_QUERY_TIME_LIMIT`` lowered). It writes the "Endpoint" section of
benchmarks/RESULTS.md. Graphs: the seed document, and the seed plus synthetic documents
from ``benchmarks/generate_corpus.py`` (~2,450 quads each) up to the size asked for.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

MIX = {
    "tech-by-clauses": """PREFIX dsr: <https://w3id.org/dsr-kg/ontology#>
SELECT ?t (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c dsr:mentions ?t . ?t a dsr:Technology } GROUP BY ?t ORDER BY DESC(?n) LIMIT 20""",
    "ai-clauses": """PREFIX dsr: <https://w3id.org/dsr-kg/ontology#>
SELECT ?c ?h WHERE { ?c dsr:mentions <https://w3id.org/dsr-kg/id/technology/artificial-intelligence> ; dsr:heading ?h } LIMIT 100""",
    "entity-labels": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?p ?o WHERE { <https://w3id.org/dsr-kg/id/country/CN> ?p ?o }""",
    "org-tech": """PREFIX dsr: <https://w3id.org/dsr-kg/ontology#>
SELECT ?o ?t (COUNT(?c) AS ?n) WHERE { ?c dsr:mentions ?o , ?t . ?o a dsr:Organisation . ?t a dsr:Technology }
GROUP BY ?o ?t ORDER BY DESC(?n) LIMIT 50""",
    "ask-5g": """PREFIX dsr: <https://w3id.org/dsr-kg/ontology#>
ASK { ?c dsr:mentions <https://w3id.org/dsr-kg/id/technology/5g> }""",
}
SIZES = {"seed": 0, "100k": 100_000, "1m": 1_000_000}
TRIPLES_PER_DOC = 2_450  # about what one generated document adds (measured: 29 documents → 71k quads)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, timeout: float = 300) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready")


def build_store(size: str, work: Path) -> tuple[Path, int]:
    """Build the store for a size; return (store path, quad count)."""
    from kg.build import build, default_jobs
    from kg.store import open_store

    source = work / f"source-{size}"
    source.mkdir()
    shutil.copy(ROOT / "source" / "000_bf54f53887da828b.txt", source)
    target = SIZES[size]
    if target:
        n_docs = max(1, (target - 11_000) // TRIPLES_PER_DOC)
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "generate_corpus.py"), str(n_docs), str(source / "gen")],
            check=True,
            capture_output=True,
        )
    store = work / f"store-{size}"
    report = build([source], store, jobs=default_jobs())
    if report.refused:
        print(f"  {len(report.refused)} generated files refused: {report.refused[:2]}", file=sys.stderr)
    count = len(open_store(store, read_only=True))
    return store, count


def drive(url: str, seconds: float, clients: int) -> dict[str, float]:
    """Send the mix for ``seconds`` from ``clients`` connections; return rps, p50, p99 (ms), errors.

    Uses wrk (Debian package ``wrk``) when installed: a native client costs the 2-core
    machine little, so the servers, not the clients, are measured. Otherwise Python threads.
    """
    if shutil.which("wrk"):
        return drive_wrk(url, seconds, clients)
    return drive_threads(url, seconds, clients)


def drive_wrk(url: str, seconds: float, clients: int) -> dict[str, float]:
    """The mix with wrk: a Lua script cycles through the query URLs."""
    import re
    import urllib.parse

    base, _, path = url.partition("://")[2].partition("/")
    paths = ["/" + path + "?" + urllib.parse.urlencode({"query": q}) for q in MIX.values()]
    script = "local paths = {" + ", ".join(f'"{p}"' for p in paths) + "}\nlocal i = 0\n"
    script += "request = function()\n  i = i + 1\n"
    script += (
        "  return wrk.format('GET', paths[(i % #paths) + 1], {['Accept'] = 'application/sparql-results+json'})\nend\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, clients)}",
            f"-c{clients}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "-s",
            fh.name,
            f"http://{base}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(fh.name).unlink()

    def ms(label: str) -> float:
        value = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        number, unit = float(value.group(1)), value.group(2)
        return number / 1000 if unit == "us" else number * 1000 if unit == "s" else number

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*?timeout (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": (int(bad.group(1)) if bad else 0) + (int(errors.group(1)) if errors else 0),
    }


def drive_threads(url: str, seconds: float, clients: int) -> dict[str, float]:
    """The mix from ``clients`` Python threads (requests.Session)."""
    import requests

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    names = list(MIX)

    def worker(offset: int) -> None:
        session = requests.Session()
        local: list[float] = []
        i = offset
        while time.monotonic() < stop:
            q = MIX[names[i % len(names)]]
            i += 1
            t0 = time.perf_counter()
            r = session.get(url, params={"query": q}, headers={"Accept": "application/sparql-results+json"}, timeout=60)
            elapsed = time.perf_counter() - t0
            if r.status_code != 200:
                with lock:
                    errors[0] += 1
            local.append(elapsed)
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50": q[49] * 1000,
        "p99": q[98] * 1000,
        "errors": errors[0],
    }


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

#: Our server configurations: extra arguments for ``python server.py``.
CONFIGS = {
    "default": [],  # query worker processes forked from one memory copy: every query under the time limit
    "in-process": ["--query-workers", "0"],  # queries in the web process: no time limit
}


def tree_pids(pid: int) -> set[int]:
    """Return ``pid`` and all its descendants (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents.setdefault(int(fh.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = {pid}, [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def tree_pss_mb(pid: int) -> float:
    """Summed PSS of a process tree in MB (each shared page counted once across the tree)."""
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class Sampler:
    """Sample the tree PSS of a process every second in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.samples.append(tree_pss_mb(self.pid))

    def stop_samples(self) -> list[float]:
        self._stop.set()
        self._thread.join()
        self.samples.append(tree_pss_mb(self.pid))
        return self.samples


def start_server(store: Path, args: list[str], env_extra: dict[str, str] | None = None):
    """Start ``python server.py`` on a free port; return (process, base URL, start time)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update({"KG_LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1", **(env_extra or {})})
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "server.py"), "--store", str(store), "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return proc, f"http://127.0.0.1:{port}", started


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_memory(base: str, timeout: float = 600) -> None:
    """Wait until /health says queries are answered from the memory copy."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = requests.get(base + "/health", timeout=30).json()
        if health.get("serving") == "memory":
            return
        time.sleep(0.1)
    raise RuntimeError(f"{base} never served from memory")


def start_ours(store: Path, args: list[str]) -> dict:
    """Start one of our configurations; return its handle once it answers from the memory copy."""
    proc, base, started = start_server(store, args)
    url = base + "/sparql"
    wait_ready(url)
    ready = time.perf_counter() - started
    wait_memory(base)
    return {"proc": proc, "url": url, "ready": ready, "memory_ready": time.perf_counter() - started}


def copy_alone_mb(store: Path) -> float:
    """PSS of a process that holds only the loaded memory copy (the copy holder, started alone)."""
    import multiprocessing

    from kg.query.engines.holder import CopyHolder

    holder = CopyHolder(multiprocessing.get_context("forkserver"), store)
    try:
        return float(holder.wait_ready(600)["memory"]["Pss"])
    finally:
        holder.close()


def replacement_seconds(store: Path, limit: float = 3.0, rounds: int = 3) -> list[float]:
    """Default configuration, time limit lowered: seconds from a time-out's 503 to the next answer.

    The default runs its query slots in one worker process, so the query sent right after
    the 503 is necessarily answered by the replacement, a new fork of the memory copy.
    """
    import requests

    proc, base, _ = start_server(store, [], {"KG_QUERY_TIME_LIMIT": str(limit)})
    out = []
    try:
        url = base + "/sparql"
        wait_ready(url)
        wait_memory(base)
        for query in MIX.values():
            requests.get(url, params={"query": query}, timeout=60)
        for _ in range(rounds):
            r = requests.get(url, params={"query": RUNAWAY}, timeout=limit + 30)
            assert r.status_code == 503, r.status_code
            t0 = time.perf_counter()
            answer = requests.get(url, params={"query": MIX["ai-clauses"]}, timeout=60)
            out.append(time.perf_counter() - t0)
            assert answer.status_code == 200
    finally:
        stop_server(proc)
    return out


def start_oxigraph(store: Path, work: Path) -> dict:
    """Load the same quads with ``oxigraph load`` and start ``oxigraph serve-read-only``."""
    import pyoxigraph as ox

    from kg.store import open_store

    dump = work / f"{store.name}.nq"
    open_store(store, read_only=True).dump(str(dump), format=ox.RdfFormat.N_QUADS)
    location = work / f"oxigraph-{store.name}"
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            str(BIN / "oxigraph"),
            "serve-read-only",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    wait_ready(url)
    return {"proc": proc, "url": url, "ready": time.perf_counter() - started}


def measure(servers: dict[str, dict], seconds: float, rounds: int, clients: int, warmup: float) -> dict[str, dict]:
    """Drive every server in turn, ``rounds`` times ``seconds / rounds`` each (interleaved, so that
    load from other jobs on a shared machine falls on all of them alike); sample each tree's PSS
    while it is driven. Returns requests/s over all rounds, the median p50, the worst p99."""
    for server in servers.values():
        drive(server["url"], warmup, clients)
    runs: dict[str, list[dict]] = {name: [] for name in servers}
    pss: dict[str, list[float]] = {name: [] for name in servers}
    for _ in range(rounds):
        for name, server in servers.items():
            sampler = Sampler(server["proc"].pid)
            runs[name].append(drive(server["url"], seconds / rounds, clients))
            pss[name] += sampler.stop_samples()
    out = {}
    for name, server in servers.items():
        r = runs[name]
        out[name] = {
            "requests": sum(x["requests"] for x in r),
            "rps": sum(x["rps"] for x in r) / len(r),
            "p50": statistics.median(x["p50"] for x in r),
            "p99": max(x["p99"] for x in r),
            "errors": sum(x["errors"] for x in r),
            "pss_max": max(pss[name]),
            "pss_end": pss[name][-1],
            "ready": server["ready"],
            "memory_ready": server.get("memory_ready", server["ready"]),
        }
    return out


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="seed,100k,1m")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=4, help="turns per server: the seconds are split over them")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds of the mix before measuring (after the copy is loaded)"
    )
    parser.add_argument("--no-write", action="store_true", help="Print only; do not update RESULTS.md.")
    args = parser.parse_args()
    rows = []
    loads = [load_average()]
    with tempfile.TemporaryDirectory(prefix="bench-endpoint-") as tmp:
        work = Path(tmp)
        for size in args.sizes.split(","):
            t0 = time.perf_counter()
            store, quads = build_store(size, work)
            print(f"{size}: {quads:,} quads (built in {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
            servers: dict[str, dict] = {}
            try:
                for name, extra in CONFIGS.items():
                    servers[name] = start_ours(store, extra)
                servers["oxigraph"] = start_oxigraph(store, work)
                measured = measure(servers, args.seconds, args.rounds, args.clients, args.warmup)
            finally:
                for server in servers.values():
                    stop_server(server["proc"])
            ours = {name: measured[name] for name in CONFIGS}
            theirs = measured["oxigraph"]
            for name, value in measured.items():
                print(f"  {name:10s} {value}", file=sys.stderr)
            copy = copy_alone_mb(store)
            replace = replacement_seconds(store)
            print(f"  copy alone {copy:.0f} MB; replacement {replace}", file=sys.stderr)
            rows.append((size, quads, ours, theirs, copy, replace))
            loads.append(load_average())
    body = report(args, rows, loads)
    print(body)
    if not args.no_write:
        from benchmarks.results import write_section

        write_section(ROOT / "benchmarks" / "RESULTS.md", "Endpoint", body)


def report(args, rows, loads) -> str:
    client = "wrk (native, 2 threads)" if shutil.which("wrk") else "Python threads (requests.Session)"
    lines = [
        f"`flock /tmp/kg-bench.lock python benchmarks/bench_endpoint.py --sizes {args.sizes} --seconds {args.seconds:g} "
        f"--clients {args.clients} --rounds {args.rounds}` — {args.clients} connections from {client}, GET, JSON results, "
        f"{args.seconds:g} s per server on 127.0.0.1 in {args.rounds} interleaved turns (ours default, ours in-process, "
        f"Oxigraph, again …: load from other jobs falls on all three alike; req/s = mean of the turns, p50 = median, "
        f"p99 = worst turn) after {args.warmup:g} s of warm-up each, a fixed round-robin mix of {len(MIX)} queries "
        f"({', '.join(MIX)}); {os.cpu_count()} cores shared by client and server **and with other engineers' jobs** "
        f"(load average {' → '.join(loads)} over the run), Python {platform.python_version()}. "
        "Ours: `python server.py` (= `kg serve`, waitress), *default* = its default configuration (2 query slots in "
        "one worker process forked from one memory copy, every query under the time limit), *in-process* = "
        "`--query-workers 0` (queries in the web process, one memory copy, no time limit); measured once the memory "
        "copy serves. Oxigraph: `oxigraph serve-read-only --union-default-graph` (oxigraph 0.5.13) over the same quads.",
        "",
        "| graph | quads | ours default req/s (p50 / p99 ms) | ours in-process req/s (p50 / p99 ms) | Oxigraph req/s (p50 / p99 ms) | ratio default | ratio in-process | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size, quads, ours, theirs, _copy, _replace in rows:
        d, i = ours["default"], ours["in-process"]
        lines.append(
            f"| {size} | {quads:,} | {d['rps']:.0f} ({d['p50']:.1f} / {d['p99']:.1f}) | {i['rps']:.0f} ({i['p50']:.1f} / {i['p99']:.1f}) | "
            f"{theirs['rps']:.0f} ({theirs['p50']:.1f} / {theirs['p99']:.1f}) | {d['rps'] / theirs['rps']:.2f}× | "
            f"{i['rps'] / theirs['rps']:.2f}× | {d['errors']}/{i['errors']}/{theirs['errors']} |"
        )
    lines += [
        "",
        "Memory (MB, summed PSS of each server's whole process tree — web process, fork server, copy holder, query "
        "workers — sampled every second while it is driven: maximum / at the end; *copy alone* = PSS of a process holding "
        "only the loaded memory copy), start-up (from process start: first query answered, first query answered from "
        "the memory copy) and replacement (default configuration with `KG_QUERY_TIME_LIMIT=3`: from a time-out's 503 "
        "to the next answer, which only a new fork can give; 3 rounds):",
        "",
        "| graph | copy alone | default tree (max / end) | in-process (max / end) | Oxigraph | default ÷ in-process | default ÷ copy alone | ready default / in-process / Oxigraph | default from memory | replacement |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, _quads, ours, theirs, copy, replace in rows:
        d, i = ours["default"], ours["in-process"]
        lines.append(
            f"| {size} | {copy:.0f} | {d['pss_max']:.0f} / {d['pss_end']:.0f} | {i['pss_max']:.0f} / {i['pss_end']:.0f} | "
            f"{theirs['pss_max']:.0f} | {d['pss_max'] / i['pss_max']:.2f}× | {d['pss_max'] / copy:.2f}× | "
            f"{d['ready']:.2f} / {i['ready']:.2f} / {theirs['ready']:.2f} s | {d['memory_ready']:.2f} s | "
            f"{' / '.join(f'{s * 1000:.0f}' for s in replace)} ms |"
        )
    lines += [
        "",
        "Targets (issue 16), default configuration: at 1 M, ≥ 1.5× Oxigraph's throughput, p99 ≤ 100 ms, whole tree ≤ "
        "1.3× one copy, replacement < 1 s, ready < 3 s; at 100 k, ≥ 1.5× and p99 < 50 ms.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
