"""Endpoint throughput and latency: our app under gunicorn against ``oxigraph serve-read-only``.

Usage::

    python benchmarks/bench_endpoint.py [--sizes seed,100k,1m] [--seconds 20] [--clients 4]

For each graph size the same store is served by (a) ``gunicorn -w 2 'server:create_app()'``
(in-memory engine) and (b) Oxigraph's own server over the same quads (``oxigraph load`` then
``oxigraph serve-read-only --union-default-graph``), one after the other on 127.0.0.1. Four
client threads send a fixed mix of five queries round-robin for the given time; the script
reports requests/s and p50/p99 latency and writes the "Endpoint" section of
benchmarks/RESULTS.md. Graphs: the seed document, and the seed plus synthetic documents from
``benchmarks/generate_corpus.py`` (~2,450 quads each) up to the size asked for.
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


#: Our server configurations: extra environment for ``gunicorn -w 2 'server:create_app()'``.
CONFIGS = {
    "default": {},  # query worker processes: every query under the time limit
    "in-process": {"KG_QUERY_WORKERS": "0"},  # queries in the web workers: no time limit
}


def run_ours(
    store: Path, seconds: float, clients: int, extra_env: dict[str, str], warmup: float = 2.0
) -> dict[str, float]:
    port = free_port()
    env = {**os.environ, "KG_STORE": str(store), "KG_IN_MEMORY": "true", "KG_LOG_FORMAT": "json", **extra_env}
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "server:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        wait_ready(url)
        # Warm-up: the server answers at once from disk while each process loads its
        # memory copy in the background (~6 s per process at 1 M quads): measure after that.
        drive(url, warmup, clients)
        return drive(url, seconds, clients)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run_oxigraph(store: Path, work: Path, seconds: float, clients: int) -> dict[str, float]:
    from kg.store import open_store

    dump = work / f"{store.name}.nq"
    import pyoxigraph as ox

    open_store(store, read_only=True).dump(str(dump), format=ox.RdfFormat.N_QUADS)
    location = work / f"oxigraph-{store.name}"
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    port = free_port()
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
    try:
        url = f"http://127.0.0.1:{port}/query"
        wait_ready(url)
        drive(url, 2, clients)
        return drive(url, seconds, clients)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="seed,100k,1m")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="seconds of load before measuring our server (default: 2 s, plus 30 s per million quads for the memory copies)",
    )
    parser.add_argument("--no-write", action="store_true", help="Print only; do not update RESULTS.md.")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-endpoint-") as tmp:
        work = Path(tmp)
        for size in args.sizes.split(","):
            t0 = time.perf_counter()
            store, quads = build_store(size, work)
            print(f"{size}: {quads:,} quads (built in {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
            ours = {}
            for name, extra in CONFIGS.items():
                warmup = args.warmup if args.warmup is not None else 2 + 30 * quads / 1e6
                ours[name] = run_ours(store, args.seconds, args.clients, extra, warmup)
                print(f"  ours {name:10s} {ours[name]}", file=sys.stderr)
            theirs = run_oxigraph(store, work, args.seconds, args.clients)
            print(f"  oxigraph        {theirs}", file=sys.stderr)
            rows.append((size, quads, ours, theirs))
    client = "wrk (native, 2 threads)" if shutil.which("wrk") else "Python threads (requests.Session)"
    lines = [
        f"`python benchmarks/bench_endpoint.py --sizes {args.sizes} --seconds {args.seconds:g} --clients {args.clients}` — "
        f"{args.clients} connections from {client}, GET, JSON results, {args.seconds:g} s per server on 127.0.0.1, "
        f"a fixed round-robin mix of {len(MIX)} queries ({', '.join(MIX)}); {os.cpu_count()} cores shared by client and server, "
        f"Python {platform.python_version()}. Ours: `gunicorn -w 2 'server:create_app()'` with the in-memory copy, "
        "*default* = query worker processes (time limit enforced), *in-process* = `KG_QUERY_WORKERS=0` (no time limit), "
        "measured after a warm-up of 2 s + 30 s per million quads (the memory copies load in the background); "
        "Oxigraph: `oxigraph serve-read-only --union-default-graph` (oxigraph 0.5.13) over the same quads.",
        "",
        "| graph | quads | ours default req/s (p50 / p99 ms) | ours in-process req/s (p50 / p99 ms) | Oxigraph req/s (p50 / p99 ms) | ratio default | ratio in-process | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size, quads, ours, theirs in rows:
        d, i = ours["default"], ours["in-process"]
        lines.append(
            f"| {size} | {quads:,} | {d['rps']:.0f} ({d['p50']:.1f} / {d['p99']:.1f}) | {i['rps']:.0f} ({i['p50']:.1f} / {i['p99']:.1f}) | "
            f"{theirs['rps']:.0f} ({theirs['p50']:.1f} / {theirs['p99']:.1f}) | {d['rps'] / theirs['rps']:.2f}× | "
            f"{i['rps'] / theirs['rps']:.2f}× | {d['errors']}/{i['errors']}/{theirs['errors']} |"
        )
    lines += ["", "Targets (issue 4): ≥ 1.5× Oxigraph server's throughput on the mix; p99 < 50 ms at 100k triples."]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        from benchmarks.results import write_section

        write_section(ROOT / "benchmarks" / "RESULTS.md", "Endpoint", body)


if __name__ == "__main__":
    main()
