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
    "tech-ranking": P + "SELECT ?t (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c dsr:mentions ?t . ?t a dsr:Technology } GROUP BY ?t ORDER BY DESC(?n) LIMIT 20",
    "ai-clauses": P + "SELECT ?c ?h ?title WHERE { ?c dsr:mentions <https://w3id.org/dsr-kg/id/technology/artificial-intelligence> ; dsr:heading ?h ; dcterms:isPartOf ?d . ?d dcterms:title ?title } LIMIT 100",
    "multi-signatories": P + "SELECT ?country (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d dsr:signatory ?country } GROUP BY ?country HAVING (COUNT(DISTINCT ?d) > 1) ORDER BY DESC(?n) LIMIT 50",
    "tech-sector-pairs": P + "SELECT ?t ?s (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c dsr:mentions ?t , ?s . ?t a dsr:Technology . ?s a dsr:Sector } GROUP BY ?t ?s ORDER BY DESC(?n) LIMIT 50",
    "entity-card": P + "SELECT ?p ?o WHERE { <https://w3id.org/dsr-kg/id/country/CN> ?p ?o }",
    "doc-clauses": P + "SELECT ?d (COUNT(?c) AS ?clauses) WHERE { ?d a dsr:Document ; dsr:hasClause ?c } GROUP BY ?d ORDER BY DESC(?clauses) LIMIT 20",
    "text-search": P + 'SELECT ?c WHERE { ?c a dsr:Clause ; dsr:text ?t FILTER(CONTAINS(?t, "人工智能")) } LIMIT 50',
    "country-tech-docs": P + "SELECT DISTINCT ?d WHERE { ?d dsr:signatory <https://w3id.org/dsr-kg/id/country/CN> ; dsr:hasClause/dsr:mentions <https://w3id.org/dsr-kg/id/technology/big-data> } LIMIT 100",
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


def child_build(file_list: str, store: str, jobs: int, variant: str) -> None:
    """Run one build in this process and print its numbers as JSON (called via --_build)."""
    from kg import build as build_module

    if variant == "streaming":
        _install_streaming(build_module)
    files = Path(file_list).read_text(encoding="utf-8").split("\n")
    report = build_module.build([f for f in files if f], store, jobs=jobs, progress=False)
    from kg.store import open_store

    s = open_store(store, read_only=True)
    print(json.dumps({
        "added": len(report.added), "replaced": len(report.replaced), "skipped": len(report.skipped),
        "refused": len(report.refused), "characters": report.characters, "seconds": report.seconds, "triples": len(s),
    }))


def _install_streaming(build_module) -> None:
    """Swap the builder's result stream and graph writer for the kg.parallel versions.

    This is the change proposed for kg/build.py, applied from outside so that it can be
    measured side by side with the builder as it is.
    """
    from kg.parallel import StoreWriter, bounded_imap

    writers: dict[int, StoreWriter] = {}

    original = build_module._results

    def results(files, lexicon, base, built_at, jobs, lexicon_dir):
        if jobs <= 1 or len(files) <= 1:
            yield from original(files, lexicon, base, built_at, jobs, lexicon_dir)
            return
        yield from bounded_imap(
            build_module._worker, ((str(f), base, built_at) for f in files), jobs=jobs, window=2 * jobs,
            initializer=build_module._worker_init, initargs=(lexicon_dir,),
        )

    def replace_graph(store, iri, ntriples):
        writer = writers.get(id(store))
        if writer is None:
            writer = writers[id(store)] = StoreWriter(store, flush_every=50_000)
        writer.write(iri, ntriples, exists=False)  # write() checks the store for an existing graph itself

    build_module._results = results
    build_module.replace_graph = replace_graph


# ---------------------------------------------------------------------- steps


def run_build(files: list[Path], store: Path, jobs: int, variant: str, work: Path) -> dict:
    """Build ``files`` into a fresh ``store`` in a child process; return its numbers."""
    if store.exists():
        shutil.rmtree(store)
    listing = work / f"files-{len(files)}.txt"
    listing.write_text("\n".join(str(f) for f in files), encoding="utf-8")
    wall, rss, proc = timed([sys.executable, __file__, "--_build", str(listing), str(store), str(jobs), variant])
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out.update(wall=wall, rss_mb=rss, docs=len(files), jobs=jobs, variant=variant)
    return out


def probe_triples_per_doc(files: list[Path], work: Path) -> tuple[float, int]:
    """Build a few documents; return (triples per document, triples of the ontology graph)."""
    from kg.build import build
    from kg.namespaces import ONTOLOGY_GRAPH
    from kg.store import open_store

    store = work / "probe"
    build(files, store, progress=False)
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


def start_kg_serve(store: Path, in_memory: bool, log: Path) -> tuple[subprocess.Popen, str, float]:
    """Start ``kg serve``; return (process, base URL, seconds until /health is 200)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env["KG_LOG_FORMAT"] = "text"
    cmd = [str(BIN / "kg"), "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port),
           "--in-memory" if in_memory else "--on-disk", "--max-rows", "100000"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/health", proc)
    return proc, base, time.perf_counter() - started


def start_oxigraph(location: Path, log: Path) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    cmd = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
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
            r = session.post(query_url, data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=300)
            elapsed = time.perf_counter() - t
            if r.status_code != 200:
                raise RuntimeError(f"{name} on {query_url}: HTTP {r.status_code} {r.text[:300]}")
            return elapsed

        once()
        out[name] = [once() for _ in range(reps)]
    return out


def serve_step(label: str, store: Path, work: Path, reps: int) -> dict:
    """Cold start, latency and memory of kg serve and oxigraph serve-read-only on one store."""
    import pyoxigraph as ox

    from kg.store import open_store

    log = work / "servers.log"
    result: dict = {"label": label}
    proc, base, seconds = start_kg_serve(store, False, log)
    result["cold_disk"] = seconds
    result["rss_disk_mb"] = vm_hwm(proc.pid) / 1024
    stop(proc)
    proc, base, seconds = start_kg_serve(store, True, log)
    result["cold_memory"] = seconds
    result["ours"] = latency(base + "/sparql", reps)
    result["rss_ours_mb"] = vm_hwm(proc.pid) / 1024
    stop(proc)

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
    result["rss_oxigraph_mb"] = vm_hwm(proc.pid) / 1024
    stop(proc)
    dump.unlink()
    shutil.rmtree(ox_dir, ignore_errors=True)
    return result


# ---------------------------------------------------------------------- report


def render(meta: dict, builds: list[dict], stores: list[dict], serves: list[dict], quick: bool) -> str:
    lines = [
        f"Run {meta['date']} on {meta['machine']}, Python {meta['python']}, {meta['cores']} cores (shared); "
        f"`python benchmarks/bench_scale.py{' --quick' if quick else ''}` in {meta['total']:.0f} s.",
        f"Corpus: Chinese documents from `benchmarks/generate_corpus.py --seed 0`, {meta['chars_per_doc']:,.0f} characters and "
        f"{meta['triples_per_doc']:,.0f} triples per document on average (probe of {meta['probe_docs']}); "
        f"the ontology graph adds {meta['ontology_triples']:,} triples to every store.",
        "",
        "### Build",
        "",
        "Each build starts from an empty store in its own process (peak RSS from `/usr/bin/time`). "
        "*current* = `kg build` as it is; *streaming* = the change proposed in `kg/parallel.py` "
        "(bounded window instead of `ProcessPoolExecutor.map`, new graphs loaded straight into their graph in one "
        "transaction instead of staging + `MOVE`, store flushed every 50 k quads).",
        "",
        "| graph | docs | triples | variant | jobs | wall | build | chars/s | docs/s | peak RSS | vs 1 job |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for b in builds:
        one = next((x for x in builds if x["label"] == b["label"] and x["variant"] == b["variant"] and x["jobs"] == 1), None)
        speedup = f"{one['seconds'] / b['seconds']:.2f}×" if one and b["jobs"] > 1 else ""
        lines.append(
            f"| {b['label']} | {b['docs']} | {b['triples']:,} | {b['variant']} | {b['jobs']} | {b['wall']:.1f} s | {b['seconds']:.1f} s | "
            f"{b['characters'] / b['seconds']:,.0f} | {b['docs'] / b['seconds']:.1f} | {fmt_mb(b['rss_mb'])} | {speedup} |"
        )
    lines += ["", "### Store", "", "| graph | triples | on disk | bytes/triple | no-change rebuild (all skipped) |", "|---|---|---|---|---|"]
    for s in stores:
        lines.append(f"| {s['label']} | {s['triples']:,} | {s['bytes'] / 1e6:,.1f} MB | {s['bytes'] / s['triples']:,.0f} | {s['rebuild_seconds']:.2f} s |")
    lines += [
        "",
        "### Serving",
        "",
        "Cold start = from process start to the first 200 from `/health` (`kg serve`) or to the first answered query "
        "(`oxigraph serve-read-only`). Peak RSS = VmHWM of the server process after the query mix.",
        "",
        "| graph | kg serve (memory copy) | kg serve --on-disk | oxigraph serve-read-only | RSS memory copy | RSS on-disk (idle) | RSS oxigraph | dump N-Quads | oxigraph load |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in serves:
        lines.append(
            f"| {s['label']} | {s['cold_memory']:.2f} s | {s['cold_disk']:.2f} s | {s['cold_oxigraph']:.2f} s | {fmt_mb(s['rss_ours_mb'])} | "
            f"{fmt_mb(s['rss_disk_mb'])} | {fmt_mb(s['rss_oxigraph_mb'])} | {s['dump_seconds']:.1f} s | {s['ox_load_seconds']:.1f} s |"
        )
    reps = meta["reps"]
    lines += [
        "",
        f"Query latency, ms (each query {reps}× after a warm-up, one client, JSON results; ours = `kg serve` with the memory copy, "
        "ox = `oxigraph serve-read-only --union-default-graph` on the same quads):",
        "",
        "| query | " + " | ".join(f"{s['label']} ours p50 | {s['label']} ox p50 | {s['label']} ours/ox" for s in serves) + " |",
        "|---|" + "---|---|---|" * len(serves),
    ]
    for name in QUERIES:
        cells = []
        for s in serves:
            ours, theirs = statistics.median(s["ours"][name]) * 1e3, statistics.median(s["oxigraph"][name]) * 1e3
            cells.append(f"{ours:.1f} | {theirs:.1f} | {ours / theirs:.2f}×")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    cells = []
    for s in serves:
        ours = [v for vs in s["ours"].values() for v in vs]
        theirs = [v for vs in s["oxigraph"].values() for v in vs]
        s["mix"] = {
            "ours_p50": percentile(ours, 0.5) * 1e3, "ours_p99": percentile(ours, 0.99) * 1e3,
            "ox_p50": percentile(theirs, 0.5) * 1e3, "ox_p99": percentile(theirs, 0.99) * 1e3,
            "ratio_total": sum(ours) / sum(theirs),
        }
        m = s["mix"]
        cells.append(f"p50 {m['ours_p50']:.1f} / p99 {m['ours_p99']:.1f} | p50 {m['ox_p50']:.1f} / p99 {m['ox_p99']:.1f} | {m['ratio_total']:.2f}× (sum)")
    lines.append("| **whole mix** | " + " | ".join(cells) + " |")

    # Targets
    largest = serves[-1]
    big = [b for b in builds if b["label"] == largest["label"]]

    def speed(variant: str) -> str:
        one = next((b for b in big if b["variant"] == variant and b["jobs"] == 1), None)
        two = next((b for b in big if b["variant"] == variant and b["jobs"] == 2), None)
        return f"{one['seconds'] / two['seconds']:.2f}×" if one and two else "n/a"

    def rss_series(variant: str, jobs: int) -> str:
        return " → ".join(fmt_mb(b["rss_mb"]) for b in builds if b["variant"] == variant and b["jobs"] == jobs)

    lines += [
        "",
        "### Targets",
        "",
        f"- `kg serve` ready in < 3 s at {largest['label']}: memory copy {largest['cold_memory']:.2f} s, on-disk {largest['cold_disk']:.2f} s "
        f"— {'met' if largest['cold_memory'] < 3 else 'missed with the memory copy'}{'; met on disk' if largest['cold_disk'] < 3 and largest['cold_memory'] >= 3 else ''}.",
        f"- Query mix within 2× of Oxigraph server at {largest['label']}: {largest['mix']['ratio_total']:.2f}× (sum of all latencies), "
        f"p50 {largest['mix']['ours_p50']:.1f} vs {largest['mix']['ox_p50']:.1f} ms — {'met' if largest['mix']['ratio_total'] <= 2 else 'missed'}.",
        f"- 2 jobs ≥ 1.6× 1 job at {largest['label']}: current {speed('current')}, streaming {speed('streaming')}.",
        f"- Peak build memory flat in N (1 job): current {rss_series('current', 1)}; streaming {rss_series('streaming', 1)}. "
        f"2 jobs: current {rss_series('current', 2)}; streaming {rss_series('streaming', 2)}.",
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
    parser.add_argument("--_build", nargs=4, metavar=("FILES", "STORE", "JOBS", "VARIANT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._build:
        files, store, jobs, variant = args._build
        child_build(files, store, int(jobs), variant)
        return 0

    from generate_corpus import Generator
    from results import write_section

    started = time.perf_counter()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    targets = {"10k": 10_000, "30k": 30_000} if args.quick else {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
    reps = 3 if args.quick else 15
    variants = [("current", 1), ("current", 2), ("streaming", 1), ("streaming", 2)]
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
                b = run_build(files[:n], store, jobs, variant, work)
                b["label"] = label
                builds.append(b)
                print(f"build {label} {variant} j{jobs}: {b['seconds']:.1f} s, {b['rss_mb']} MB, {b['triples']:,} triples", flush=True)
                if (variant, jobs) != ("current", 1):
                    shutil.rmtree(store)
            store = work / f"store-{label}-current-1"
            rebuild = run_build_again(files[:n], store)
            stores.append({"label": label, "triples": next(b["triples"] for b in builds if b["label"] == label), "bytes": du(store), "rebuild_seconds": rebuild})
            s = serve_step(label, store, work, reps)
            serves.append(s)
            print(f"serve {label}: cold {s['cold_memory']:.2f} s (disk {s['cold_disk']:.2f} s)", flush=True)
            shutil.rmtree(store)
        meta = {
            "date": date.today().isoformat(), "machine": platform.machine(), "python": platform.python_version(),
            "cores": os.cpu_count(), "total": time.perf_counter() - started, "triples_per_doc": per_doc,
            "ontology_triples": onto, "chars_per_doc": chars, "probe_docs": probe_n, "reps": reps,
        }
        section = render(meta, builds, stores, serves, args.quick)
        if args.no_write:
            print(section)
        else:
            write_section(args.results, "Scale", section)
            print(f"wrote the Scale section of {args.results}")
        (work / "scale.json").write_text(json.dumps({"meta": meta, "builds": builds, "stores": stores, "serves": serves}, indent=1))
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def run_build_again(files: list[Path], store: Path) -> float:
    """Rebuild an unchanged corpus into its store (everything skipped); return seconds."""
    listing = store.parent / "again.txt"
    listing.write_text("\n".join(str(f) for f in files), encoding="utf-8")
    _, _, proc = timed([sys.executable, __file__, "--_build", str(listing), str(store), "1", "current"])
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if out["skipped"] != len(files):
        raise RuntimeError(f"a no-change rebuild rebuilt documents: {out}")
    return out["seconds"]


if __name__ == "__main__":
    sys.exit(main())
