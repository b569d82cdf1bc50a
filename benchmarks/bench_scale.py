"""Benchmark at scale: corpus builds, store size, server cold start and query latency up to ~1 M triples.

Usage::

    python benchmarks/bench_scale.py [--quick] [--workdir DIR] [--keep] [--results benchmarks/RESULTS.md]

One run does, for graphs of ~10 k, ~100 k and ~1 M triples (``--quick``: ~10 k and ~30 k):

1. generates Chinese documents with ``benchmarks/generate_corpus.py`` (a probe build measures
   triples per document first, so the number of documents per size is measured, not guessed);
2. builds each size from scratch with ``kg build`` and 1 and 2 jobs (the lead's builder as
   it is, "current"), and with the streaming variant proposed in :mod:`kg.parallel`
   ("streaming": bounded in-flight window, direct atomic load of new graphs, store flushed
   every 50 k quads) — each build in its own process under ``/usr/bin/time`` for its peak RSS;
3. measures the store size on disk and a no-change incremental rebuild;
4. starts ``kg serve`` on each store (memory copy, then on-disk) and times until ``/health``
   answers 200; runs a fixed mix of 8 analyst queries (p50/p99) against it and against
   ``oxigraph serve-read-only --union-default-graph`` on the same quads (dumped as N-Quads
   and loaded with ``oxigraph load``), reading each server's peak RSS (VmHWM);
5. writes the "Scale" section of ``benchmarks/RESULTS.md``.

The full run takes about 15 minutes on the 2-core build machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)
BIN = Path(sys.executable).parent
TIME = "/usr/bin/time"

#: The fixed mix of analyst queries (client queries: they declare their prefixes).
P = """PREFIX dsr: <https://w3id.org/dsr-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
QUERIES: dict[str, str] = {
    "tech-ranking": P
    + "SELECT ?t (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c dsr:mentions ?t . ?t a dsr:Technology } GROUP BY ?t ORDER BY DESC(?n) LIMIT 20",
    "ai-clauses": P
    + "SELECT ?c ?h ?title WHERE { ?c dsr:mentions <https://w3id.org/dsr-kg/id/technology/artificial-intelligence> ; dsr:heading ?h ; dcterms:isPartOf ?d . ?d dcterms:title ?title } LIMIT 100",
    "multi-signatories": P
    + "SELECT ?country (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d dsr:signatory ?country } GROUP BY ?country HAVING (COUNT(DISTINCT ?d) > 1) ORDER BY DESC(?n) LIMIT 50",
    "tech-sector-pairs": P
    + "SELECT ?t ?s (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c dsr:mentions ?t , ?s . ?t a dsr:Technology . ?s a dsr:Sector } GROUP BY ?t ?s ORDER BY DESC(?n) LIMIT 50",
    "entity-card": P + "SELECT ?p ?o WHERE { <https://w3id.org/dsr-kg/id/country/CN> ?p ?o }",
    "doc-clauses": P
    + "SELECT ?d (COUNT(?c) AS ?clauses) WHERE { ?d a dsr:Document ; dsr:hasClause ?c } GROUP BY ?d ORDER BY DESC(?clauses) LIMIT 20",
    "text-search": P + 'SELECT ?c WHERE { ?c a dsr:Clause ; dsr:text ?t FILTER(CONTAINS(?t, "人工智能")) } LIMIT 50',
    "country-tech-docs": P
    + "SELECT DISTINCT ?d WHERE { ?d dsr:signatory <https://w3id.org/dsr-kg/id/country/CN> ; dsr:hasClause/dsr:mentions <https://w3id.org/dsr-kg/id/technology/big-data> } LIMIT 100",
}


# ---------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def du(path: Path) -> int:
    """Bytes used by the files under ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def vm_hwm(pid: int) -> int:
    """Peak resident set (kB) of a running process, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_hwm_mb(pid: int) -> float:
    """Sum of the peak RSS of a process and all its descendants (an upper bound of their joint peak), MB."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += vm_hwm(p)
        todo.extend(children.get(p, []))
    return total / 1024


def timed(cmd: list[str], **kwargs) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run ``cmd`` under /usr/bin/time; return (wall seconds, peak RSS in MB, the process)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = [TIME, "-f", "%e %M", "-o", tf.name, *cmd] if Path(TIME).exists() else cmd
        started = time.perf_counter()
        proc = subprocess.run(full, capture_output=True, text=True, **kwargs)
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        fields = tf.read().split()
        rss = int(fields[-1]) // 1024 if fields else 0
    return wall, rss, proc


def fmt_mb(n: float) -> str:
    return f"{n:,.0f} MB"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# ---------------------------------------------------------------------- child: one build


def child_build(file_list: str, store: str, jobs: int, variant: str, force: bool = False) -> None:
    """Run one build in this process and print its numbers as JSON (called via --_build)."""
    from kg import build as build_module

    files = Path(file_list).read_text(encoding="utf-8").split("\n")
    lexicon_dir = os.environ.get("KG_BENCH_LEXICON") or None  # a snapshot: the lexicons may change during a run
    report = build_module.build(
        [f for f in files if f], store, jobs=jobs, progress=False, force=force, lexicon_dir=lexicon_dir
    )
    from kg.store import open_store

    s = open_store(store, read_only=True)
    print(
        json.dumps(
            {
                "added": len(report.added),
                "replaced": len(report.replaced),
                "skipped": len(report.skipped),
                "refused": len(report.refused),
                "characters": report.characters,
                "seconds": report.seconds,
                "triples": len(s),
            }
        )
    )


# ---------------------------------------------------------------------- steps


def run_build(
    files: list[Path], store: Path, jobs: int, variant: str, work: Path, force: bool = False, repeat: int = 1
) -> dict:
    """Build ``files`` into ``store`` in a child process (fresh unless ``force``), ``repeat`` times.

    Returns the numbers of the fastest run (other people's jobs share the machine), with
    the highest peak RSS of all runs and the load average at the start of the fastest.
    """
    listing = work / f"files-{len(files)}.txt"
    listing.write_text("\n".join(str(f) for f in files), encoding="utf-8")
    runs = []
    for _ in range(max(1, repeat)):
        if store.exists() and not force:
            shutil.rmtree(store)
        load = os.getloadavg()[0]
        wall, rss, proc = timed(
            [
                sys.executable,
                __file__,
                "--_build",
                str(listing),
                str(store),
                str(jobs),
                variant,
                "force" if force else "-",
            ]
        )
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        out.update(wall=wall, rss_mb=rss, docs=len(files), jobs=jobs, variant=variant, load=load, force=force)
        runs.append(out)
    best = min(runs, key=lambda r: r["seconds"])
    best["rss_mb"] = max(r["rss_mb"] for r in runs)
    best["runs"] = len(runs)
    return best


def probe_triples_per_doc(files: list[Path], work: Path) -> tuple[float, int]:
    """Build a few documents; return (triples per document, triples of the ontology graph)."""
    from kg.build import build
    from kg.core.iris import ONTOLOGY_GRAPH
    from kg.store import open_store

    store = work / "probe"
    build(files, store, progress=False, lexicon_dir=os.environ.get("KG_BENCH_LEXICON") or None)
    s = open_store(store, read_only=True)
    import pyoxigraph as ox

    onto = sum(1 for _ in s.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH)))
    per_doc = (len(s) - onto) / len(files)
    del s
    shutil.rmtree(store)
    return per_doc, onto


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 300) -> float:
    """Poll ``url`` until it answers 200; return the seconds since the call."""
    import requests

    started = time.perf_counter()
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return time.perf_counter() - started
        except requests.RequestException:
            pass
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"{url} not ready after {timeout} s")
        time.sleep(0.02)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


#: ``kg serve`` configurations measured: name → extra options.
SERVE_CONFIGS = {
    "default": [],  # as users get it: QUERY_WORKERS worker processes, each with a memory copy
    "in-process memory": ["--query-workers", "0", "--in-memory"],
    "in-process on-disk": ["--query-workers", "0", "--on-disk"],
}


def start_kg_serve(store: Path, options: list[str], log: Path) -> tuple[subprocess.Popen, str, float]:
    """Start ``kg serve``; return (process, base URL, seconds until /health is 200)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env["KG_LOG_FORMAT"] = "text"
    cmd = [
        str(BIN / "kg"),
        "serve",
        "--store",
        str(store),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--max-rows",
        "100000",
        *options,
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/health", proc)
    return proc, base, time.perf_counter() - started


def engine_open_seconds(store: Path) -> dict[str, float]:
    """Time opening the store read-only and copying it into memory, in this process."""
    from kg.query.engines import LocalEngine

    out = {}
    for name, in_memory in (("open on disk", False), ("copy into memory", True)):
        t = time.perf_counter()
        engine = LocalEngine(store, in_memory=in_memory)
        engine.triple_count()
        out[name] = time.perf_counter() - t
        engine.close()
        del engine
    return out


def start_oxigraph(location: Path, log: Path) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    cmd = [
        str(BIN / "oxigraph"),
        "serve-read-only",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/query?query=ASK%7B%7D", proc)
    return proc, base, time.perf_counter() - started


def latency(query_url: str, reps: int) -> dict[str, list[float]]:
    """Run each query of the mix ``reps`` times (after one warm-up); return seconds per query."""
    import requests

    session = requests.Session()
    out: dict[str, list[float]] = {}
    for name, query in QUERIES.items():

        def once() -> float:
            t = time.perf_counter()
            r = session.post(
                query_url, data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=300
            )
            elapsed = time.perf_counter() - t
            if r.status_code != 200:
                raise RuntimeError(f"{name} on {query_url}: HTTP {r.status_code} {r.text[:300]}")
            return elapsed

        once()
        out[name] = [once() for _ in range(reps)]
    return out


def serve_step(label: str, store: Path, work: Path, reps: int) -> dict:
    """Cold start, latency and memory of kg serve (3 configurations) and oxigraph serve-read-only."""
    import pyoxigraph as ox

    from kg.store import open_store

    log = work / "servers.log"
    result: dict = {"label": label, "configs": {}, "engine": engine_open_seconds(store)}
    for name, options in SERVE_CONFIGS.items():
        proc, base, seconds = start_kg_serve(store, options, log)
        config = {"cold": seconds, "rss_ready_mb": tree_hwm_mb(proc.pid)}
        if True:  # every configuration runs the mix
            config["latency"] = latency(base + "/sparql", reps)
            config["rss_mb"] = tree_hwm_mb(proc.pid)
        stop(proc)
        result["configs"][name] = config

    dump = work / f"{label}.nq"
    t = time.perf_counter()
    s = open_store(store, read_only=True)
    s.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    del s
    result["dump_seconds"] = time.perf_counter() - t
    ox_dir = work / f"oxigraph-{label}"
    shutil.rmtree(ox_dir, ignore_errors=True)
    wall, rss, _ = timed([str(BIN / "oxigraph"), "load", "--location", str(ox_dir), "--file", str(dump)])
    result["ox_load_seconds"], result["ox_load_rss_mb"] = wall, rss
    proc, base, seconds = start_oxigraph(ox_dir, log)
    result["cold_oxigraph"] = seconds
    result["oxigraph"] = latency(base + "/query", reps)
    result["rss_oxigraph_mb"] = tree_hwm_mb(proc.pid)
    stop(proc)
    dump.unlink()
    shutil.rmtree(ox_dir, ignore_errors=True)
    return result


# ---------------------------------------------------------------------- report


def render(meta: dict, builds: list[dict], stores: list[dict], serves: list[dict], quick: bool) -> str:
    """Return the Markdown of the Scale section."""
    lines = [
        f"Run {meta['date']} on {meta['machine']}, Python {meta['python']}, {meta['cores']} cores shared with other "
        f"engineers' jobs (load average in the build table); `python benchmarks/bench_scale.py{' --quick' if quick else ''}` "
        f"in {meta['total']:.0f} s. Corpus: Chinese documents from `benchmarks/generate_corpus.py --seed 0`, "
        f"{meta['chars_per_doc']:,.0f} characters and {meta['triples_per_doc']:,.0f} triples per document on average "
        f"(probe of {meta['probe_docs']}); the ontology graph adds {meta['ontology_triples']:,} triples to every store.",
        "",
        "### Build",
        "",
        f"Each build runs in its own process, {meta.get('repeat', 1)}× (the table shows the fastest run and the highest peak RSS); peak RSS from `/usr/bin/time` is that of the largest single process "
        "(with 2 jobs: the parent, which holds the store). *current* = `kg build` as it is in the tree; *streaming* = "
        "the same plus the two changes proposed for `kg/build.py`: results through `kg.parallel.bounded_imap` (at most "
        "2 × jobs documents in flight) instead of `ProcessPoolExecutor.map`, and a store flush every 50 k quads on the "
        "replace path. *fresh* = empty store, every document added; *--force* = the same documents rebuilt over the "
        "built store (the replace path, also taken by every document after a lexicon or tool change).",
        "",
        "| graph | docs | triples | build | variant | jobs | wall | build time | chars/s | docs/s | peak RSS | vs 1 job | load avg at start |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for b in builds:
        kind = "--force" if b.get("force") else "fresh"
        one = next(
            (
                x
                for x in builds
                if x["label"] == b["label"]
                and x["variant"] == b["variant"]
                and x["jobs"] == 1
                and x.get("force") == b.get("force")
            ),
            None,
        )
        speedup = f"{one['seconds'] / b['seconds']:.2f}×" if one and b["jobs"] > 1 else ""
        lines.append(
            f"| {b['label']} | {b['docs']} | {b['triples']:,} | {kind} | {b['variant']} | {b['jobs']} | {b['wall']:.1f} s | {b['seconds']:.1f} s | "
            f"{b['characters'] / b['seconds']:,.0f} | {b['docs'] / b['seconds']:.1f} | {fmt_mb(b['rss_mb'])} | {speedup} | {b.get('load', 0):.1f} |"
        )
    lines += [
        "",
        "### Store",
        "",
        "| graph | triples | on disk | bytes/triple | no-change rebuild (all skipped) |",
        "|---|---|---|---|---|",
    ]
    for s in stores:
        lines.append(
            f"| {s['label']} | {s['triples']:,} | {s['bytes'] / 1e6:,.1f} MB | {s['bytes'] / s['triples']:,.0f} | {s['rebuild_seconds']:.2f} s |"
        )
    names = list(SERVE_CONFIGS)
    lines += [
        "",
        "### Serving",
        "",
        "Cold start = from process start to the first 200 from `/health` (`kg serve`, including Python start-up) or to the "
        "first answered query (`oxigraph serve-read-only`). `kg serve` configurations: *default* = as installed "
        "(query worker processes, each with its own memory copy of the store), *in-process memory* = "
        "`--query-workers 0 --in-memory`, *in-process on-disk* = `--query-workers 0 --on-disk`. RSS = sum of the peak RSS "
        "(VmHWM) of the server and its worker processes, after the query mix. Engine = opening the store "
        "in this process with `LocalEngine` (no web app).",
        "",
        "| graph | "
        + " | ".join(f"cold {n}" for n in names)
        + " | cold oxigraph | engine: open on disk | engine: copy into memory | "
        + " | ".join(f"RSS {n}" for n in names)
        + " | RSS oxigraph | dump N-Quads | oxigraph load |",
        "|---|" + "---|" * (2 * len(names) + 6),
    ]
    for s in serves:
        c = s["configs"]
        lines.append(
            f"| {s['label']} | "
            + " | ".join(f"{c[n]['cold']:.2f} s" for n in names)
            + f" | {s['cold_oxigraph']:.2f} s | "
            f"{s['engine']['open on disk']:.2f} s | {s['engine']['copy into memory']:.2f} s | "
            + " | ".join(fmt_mb(c[n].get("rss_mb", c[n]["rss_ready_mb"])) for n in names)
            + f" | {fmt_mb(s['rss_oxigraph_mb'])} | {s['dump_seconds']:.1f} s | {s['ox_load_seconds']:.1f} s |"
        )
    reps = meta["reps"]
    lines += [
        "",
        f"Query latency, ms, p50 of {reps} runs after a warm-up (one client, JSON results). *ours* = `kg serve` default "
        "configuration, *in-proc* = `--query-workers 0` with the memory copy, *on-disk* = `--query-workers 0 --on-disk`, *ox* = `oxigraph serve-read-only "
        "--union-default-graph` on the same quads:",
        "",
        "| query | "
        + " | ".join(
            f"{s['label']} ours | {s['label']} in-proc | {s['label']} on-disk | {s['label']} ox | {s['label']} ours/ox"
            for s in serves
        )
        + " |",
        "|---|" + "---|---|---|---|---|" * len(serves),
    ]
    for name in QUERIES:
        cells = []
        for s in serves:
            ours = statistics.median(s["configs"]["default"]["latency"][name]) * 1e3
            inproc = statistics.median(s["configs"]["in-process memory"]["latency"][name]) * 1e3
            disk = statistics.median(s["configs"]["in-process on-disk"]["latency"][name]) * 1e3
            theirs = statistics.median(s["oxigraph"][name]) * 1e3
            cells.append(f"{ours:.1f} | {inproc:.1f} | {disk:.1f} | {theirs:.1f} | {ours / theirs:.2f}×")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    cells = []
    for s in serves:

        def mix(samples: dict[str, list[float]]) -> tuple[float, float, float]:
            flat = [v for vs in samples.values() for v in vs]
            return percentile(flat, 0.5) * 1e3, percentile(flat, 0.99) * 1e3, sum(flat)

        o50, o99, osum = mix(s["configs"]["default"]["latency"])
        i50, i99, isum = mix(s["configs"]["in-process memory"]["latency"])
        d50, d99, dsum = mix(s["configs"]["in-process on-disk"]["latency"])
        x50, x99, xsum = mix(s["oxigraph"])
        s["mix"] = {
            "ours_p50": o50,
            "ours_p99": o99,
            "ox_p50": x50,
            "ox_p99": x99,
            "ratio_total": osum / xsum,
            "inproc_ratio_total": isum / xsum,
            "disk_ratio_total": dsum / xsum,
        }
        cells.append(
            f"p50 {o50:.1f} / p99 {o99:.1f} | p50 {i50:.1f} / p99 {i99:.1f} | p50 {d50:.1f} / p99 {d99:.1f} | p50 {x50:.1f} / p99 {x99:.1f} | {osum / xsum:.2f}× (sum)"
        )
    lines.append("| **whole mix** | " + " | ".join(cells) + " |")

    largest = serves[-1]
    fresh = [b for b in builds if b["label"] == largest["label"] and not b.get("force")]

    def speed(variant: str) -> str:
        one = next((b for b in fresh if b["variant"] == variant and b["jobs"] == 1), None)
        two = next((b for b in fresh if b["variant"] == variant and b["jobs"] == 2), None)
        return f"{one['seconds'] / two['seconds']:.2f}×" if one and two else "n/a"

    def rss_series(variant: str, jobs: int, force: bool) -> str:
        return " → ".join(
            fmt_mb(b["rss_mb"])
            for b in builds
            if b["variant"] == variant and b["jobs"] == jobs and bool(b.get("force")) == force
        )

    c = largest["configs"]
    lines += [
        "",
        "### Targets",
        "",
        f"- `kg serve` ready in < 3 s at {largest['label']}: default {c['default']['cold']:.2f} s, in-process memory copy "
        f"{c['in-process memory']['cold']:.2f} s, in-process on-disk {c['in-process on-disk']['cold']:.2f} s "
        f"(copying the store into memory alone: {largest['engine']['copy into memory']:.2f} s).",
        f"- Query mix within 2× of Oxigraph server at {largest['label']}: default {largest['mix']['ratio_total']:.2f}×, in-process "
        f"{largest['mix']['inproc_ratio_total']:.2f}×, on-disk {largest['mix']['disk_ratio_total']:.2f}× (sum of all latencies); p50 {largest['mix']['ours_p50']:.1f} vs {largest['mix']['ox_p50']:.1f} ms, "
        f"p99 {largest['mix']['ours_p99']:.1f} vs {largest['mix']['ox_p99']:.1f} ms.",
        f"- 2 jobs ≥ 1.6× 1 job at {largest['label']} (fresh build): current {speed('current')}, streaming {speed('streaming')}.",
        f"- Peak build memory flat in N: fresh, 1 job: current {rss_series('current', 1, False)}, streaming {rss_series('streaming', 1, False)}; "
        f"fresh, 2 jobs: current {rss_series('current', 2, False)}, streaming {rss_series('streaming', 2, False)}; "
        f"--force, 1 job: current {rss_series('current', 1, True)}, streaming {rss_series('streaming', 1, True)}.",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark corpus builds, serving and query latency at scale.")
    parser.add_argument("--quick", action="store_true", help="small run (~10 k and ~30 k triples, few repetitions)")
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md", help="results file to update")
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    parser.add_argument(
        "--distributed",
        action="store_true",
        help="only the cluster rows: builds (1/2 jobs, Dask local:2, shards + kg load), kg load vs oxigraph load, "
        "Virtuoso vs Oxigraph server (benchmarks/scale_distributed.py)",
    )
    parser.add_argument("--mb", type=float, default=5.0, help="--distributed: corpus size in MB")
    parser.add_argument(
        "--_build", nargs=5, metavar=("FILES", "STORE", "JOBS", "VARIANT", "FORCE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args._build:
        files, store, jobs, variant, force = args._build
        child_build(files, store, int(jobs), variant, force == "force")
        return 0
    if args.distributed:
        import scale_distributed

        return scale_distributed.run(
            args.mb, args.results, args.workdir, reps=3 if args.quick else 10, write=not args.no_write
        )

    from generate_corpus import Generator
    from results import write_section

    started = time.perf_counter()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    snapshot = work / "ontology" / "lexicon"
    snapshot.mkdir(parents=True, exist_ok=True)
    for f in (ROOT / "ontology" / "lexicon").glob("*.ttl"):
        shutil.copy(f, snapshot / f.name)
    shutil.copy(ROOT / "ontology" / "cues.ttl", snapshot.parent / "cues.ttl")
    os.environ["KG_BENCH_LEXICON"] = str(snapshot)
    targets = {"10k": 10_000, "30k": 30_000} if args.quick else {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
    reps = 3 if args.quick else 15
    repeat = 1 if args.quick else 2  # builds: the fastest of `repeat` runs
    # kg/build.py now streams (bounded_imap, flushes on replacement); the "streaming" rows
    # in RESULTS.md were measured before that change, when it was applied from outside.
    variants = [("current", 1), ("current", 2)]
    print(f"working in {work}", flush=True)
    try:
        generator = Generator(seed=0, lang="zh")
        probe_n = 10
        probe_files = generator.write(probe_n, work / "corpus")
        per_doc, onto = probe_triples_per_doc(probe_files, work)
        counts = {label: max(1, round((t - onto) / per_doc)) for label, t in targets.items()}
        n_max = max(counts.values())
        files = probe_files + generator.write(max(0, n_max - probe_n), work / "corpus", start=probe_n)
        chars = sum(len(f.read_text(encoding="utf-8")) for f in files) / len(files)
        print(f"{per_doc:,.0f} triples/doc; documents per size: {counts}", flush=True)

        builds, stores, serves = [], [], []
        for label, n in counts.items():
            for variant, jobs in variants:
                store = work / f"store-{label}-{variant}-{jobs}"
                b = run_build(files[:n], store, jobs, variant, work, repeat=repeat)
                b["label"] = label
                builds.append(b)
                print(
                    f"build {label} {variant} j{jobs}: {b['seconds']:.1f} s, {b['rss_mb']} MB, {b['triples']:,} triples",
                    flush=True,
                )
                if (variant, jobs) != ("current", 1):
                    shutil.rmtree(store)
            store = work / f"store-{label}-current-1"
            for variant in ("current",):
                b = run_build(files[:n], store, 1, variant, work, force=True, repeat=repeat)
                b["label"] = label
                builds.append(b)
                print(f"rebuild --force {label} {variant}: {b['seconds']:.1f} s, {b['rss_mb']} MB", flush=True)
            rebuild = run_build_again(files[:n], store)
            stores.append(
                {
                    "label": label,
                    "triples": next(b["triples"] for b in builds if b["label"] == label),
                    "bytes": du(store),
                    "rebuild_seconds": rebuild,
                }
            )
            s = serve_step(label, store, work, reps)
            serves.append(s)
            print(f"serve {label}: " + ", ".join(f"{k} {v['cold']:.2f} s" for k, v in s["configs"].items()), flush=True)
            shutil.rmtree(store)
        meta = {
            "date": date.today().isoformat(),
            "machine": platform.machine(),
            "python": platform.python_version(),
            "cores": os.cpu_count(),
            "total": time.perf_counter() - started,
            "triples_per_doc": per_doc,
            "ontology_triples": onto,
            "chars_per_doc": chars,
            "probe_docs": probe_n,
            "reps": reps,
            "repeat": repeat,
        }
        section = render(meta, builds, stores, serves, args.quick)
        if args.no_write:
            print(section)
        else:
            write_section(args.results, "Scale", section)
            print(f"wrote the Scale section of {args.results}")
        (work / "scale.json").write_text(
            json.dumps({"meta": meta, "builds": builds, "stores": stores, "serves": serves}, indent=1)
        )
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def run_build_again(files: list[Path], store: Path) -> float:
    """Rebuild an unchanged corpus into its store (everything skipped); return seconds."""
    listing = store.parent / "again.txt"
    listing.write_text("\n".join(str(f) for f in files), encoding="utf-8")
    _, _, proc = timed([sys.executable, __file__, "--_build", str(listing), str(store), "1", "current", "-"])
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if out["skipped"] != len(files):
        raise RuntimeError(f"a no-change rebuild rebuilt documents: {out}")
    return out["seconds"]


if __name__ == "__main__":
    sys.exit(main())
