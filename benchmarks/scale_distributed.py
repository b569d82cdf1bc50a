"""The cluster rows of ``benchmarks/bench_scale.py --distributed``: build paths, bulk load, Virtuoso.

One run, side by side, on a generated corpus of seed-like Chinese clauses (``--mb``, 5 MB by
default, :mod:`generate_corpus`):

1. whole ``kg build`` (a subprocess each, peak RSS by ``/usr/bin/time``): ``--jobs 1``,
   ``--jobs 2``, default settings, a 2-worker Dask ``LocalCluster`` (``--cluster local:2``),
   and ``--emit-nquads`` + ``kg load DIR``; quads per mention and per character;
2. ``kg load`` of the corpus as one N-Triples file (~1 M triples) next to ``oxigraph load``
   of the same file;
3. the same quads in Oxigraph server (``oxigraph load`` + ``serve-read-only``) and in
   Virtuoso 7.2 (``kg push isql://… --bulk`` = ``ld_dir`` + 2 × ``rdf_loader_run``): load
   time and the 8-query mix of ``bench_scale.QUERIES`` (p50/p99).

Writes the section "Scale: cluster, shards, bulk load, Virtuoso" of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEED = ROOT / "source" / "000_bf54f53887da828b.txt"
SECTION = "Scale: cluster, shards, bulk load, Virtuoso"


def _timed(cmd: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Run a command under /usr/bin/time; return (wall seconds, peak RSS MB of the largest process, stdout)."""
    tf = Path(os.environ.get("TMPDIR", "/tmp")) / f"kg-bench-{os.getpid()}.time"
    full = ["/usr/bin/time", "-f", "%e %M", "-o", str(tf), *cmd] if Path("/usr/bin/time").exists() else cmd
    started = time.perf_counter()
    proc = subprocess.run(full, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr[-2000:]}")
    fields = tf.read_text().split() if tf.exists() else []
    tf.unlink(missing_ok=True)
    return wall, (int(fields[-1]) // 1024 if fields else 0), proc.stdout


def _store_stats(store: Path) -> dict:
    import pyoxigraph as ox

    s = ox.Store.read_only(str(store))
    quads = len(s)
    mentions = sum(1 for _ in s.quads_for_pattern(None, None, ox.NamedNode("http://www.w3.org/ns/oa#Annotation")))
    del s
    return {"quads": quads, "mentions": mentions}


def builds(files_dir: Path, work: Path, chars: int) -> list[dict]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    kg = str(BIN / "kg")
    rows = []
    runs = [
        ("kg build --jobs 1", ["-j", "1"]),
        ("kg build --jobs 2", ["-j", "2"]),
        ("kg build (defaults)", []),
        ("kg build --cluster local:2 (Dask, 2 workers)", ["--cluster", "local:2"]),
        ("kg build --annotation-context --jobs 2 (prefix/suffix/motivation)", ["--annotation-context", "-j", "2"]),
    ]
    reference = None
    for name, extra in runs:
        store = work / "store"
        shutil.rmtree(store, ignore_errors=True)
        wall, rss, _ = _timed([kg, "build", str(files_dir), "--store", str(store), "-q", *extra], env)
        row = {"name": name, "wall": wall, "rss": rss, **_store_stats(store)}
        if reference is None:
            reference = {str(q) for q in __import__("pyoxigraph").Store.read_only(str(store))}
        elif "annotation-context" not in name:
            same = {str(q) for q in __import__("pyoxigraph").Store.read_only(str(store))} == reference
            row["same_quads"] = same
        rows.append(row)
        print(name, f"{wall:.2f} s", f"{chars / wall:,.0f} chars/s", f"{rss} MB", flush=True)
    shards, store = work / "shards", work / "store"
    shutil.rmtree(shards, ignore_errors=True)
    shutil.rmtree(store, ignore_errors=True)
    w1, r1, _ = _timed([kg, "build", str(files_dir), "--emit-nquads", str(shards), "-q"], env)
    w2, r2, _ = _timed([kg, "load", str(shards), "--store", str(store), "-q"], env)
    same = {str(q) for q in __import__("pyoxigraph").Store.read_only(str(store))} == reference
    rows.append(
        {
            "name": "kg build --emit-nquads DIR, then kg load DIR",
            "wall": w1 + w2,
            "rss": max(r1, r2),
            "same_quads": same,
            "split": f"{w1:.2f} s + {w2:.2f} s",
            **_store_stats(store),
        }
    )
    print("shards + load", f"{w1:.2f} + {w2:.2f} s", flush=True)
    return rows


def bulk_load(store: Path, work: Path) -> dict:
    """kg load vs oxigraph load of the store's document triples as one N-Triples file."""
    import pyoxigraph as ox

    nt = work / "corpus.nt"
    s = ox.Store.read_only(str(store))
    ox.serialize(
        (q.triple for q in s if "/document/" in getattr(q.graph_name, "value", "")),
        output=str(nt),
        format=ox.RdfFormat.N_TRIPLES,
    )
    del s
    lines = sum(1 for _ in nt.open("rb"))
    out = {"triples": lines, "mb": nt.stat().st_size / 2**20}
    for name, cmd in (
        (
            "kg load",
            [str(BIN / "kg"), "load", str(nt), "--graph", "http://example.org/g", "--store", str(work / "kl"), "-q"],
        ),
        (
            "oxigraph load",
            [
                str(BIN / "oxigraph"),
                "load",
                "--location",
                str(work / "ol"),
                "--file",
                str(nt),
                "--graph",
                "http://example.org/g",
            ],
        ),
        ("kg load (gzip)", None),
    ):
        if cmd is None:
            import gzip

            gz = work / "corpus.nt.gz"
            with nt.open("rb") as src, gzip.open(gz, "wb", compresslevel=1) as dst:
                shutil.copyfileobj(src, dst)
            cmd = [
                str(BIN / "kg"),
                "load",
                str(gz),
                "--graph",
                "http://example.org/g",
                "--store",
                str(work / "kg2"),
                "-q",
            ]
        wall, rss, _ = _timed(cmd)
        out[name] = {"wall": wall, "rss": rss}
        print(name, f"{wall:.2f} s {lines / wall:,.0f} triples/s", flush=True)
    for d in ("kl", "ol", "kg2"):
        shutil.rmtree(work / d, ignore_errors=True)
    nt.unlink()
    (work / "corpus.nt.gz").unlink(missing_ok=True)
    return out


def rows(query_url: str) -> dict[str, int]:
    """Rows each query of the mix returns (so both stores are seen to answer the same)."""
    import requests
    from bench_scale import QUERIES

    out = {}
    for name, query in QUERIES.items():
        r = requests.post(
            query_url, data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=300
        )
        r.raise_for_status()
        out[name] = len(r.json()["results"]["bindings"])
    return out


def servers(store: Path, shards: Path, work: Path, reps: int) -> dict:
    """Oxigraph server and Virtuoso on the same quads: load time and the query mix."""
    import pyoxigraph as ox
    from bench_scale import latency, start_oxigraph, stop

    result: dict = {}
    dump = work / "all.nq"
    s = ox.Store.read_only(str(store))
    s.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    result["quads"] = len(s)
    del s
    ox_dir = work / "oxigraph"
    wall, _rss, _ = _timed([str(BIN / "oxigraph"), "load", "--location", str(ox_dir), "--file", str(dump)])
    result["oxigraph_load"] = wall
    proc, base, _ = start_oxigraph(ox_dir, work / "servers.log")
    result["oxigraph"] = latency(base + "/query", reps)
    result["oxigraph_rows"] = rows(base + "/query")
    stop(proc)
    dump.unlink()

    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures_virtuoso import start_virtuoso, stop_virtuoso

    v = start_virtuoso(work / "virtuoso")
    try:
        shutil.copytree(shards, v.shared / "shards")
        wall, _rss, _ = _timed(
            [
                str(BIN / "kg"),
                "push",
                v.isql,
                "--bulk",
                str(v.shared / "shards"),
                "--auth",
                "dba:dba",
                "--loaders",
                "2",
                "-q",
            ]
        )
        result["virtuoso_bulk"] = wall
        result["virtuoso"] = latency(v.sparql, reps)
        result["virtuoso_rows"] = rows(v.sparql)
    finally:
        stop_virtuoso(v)
    return result


def render(meta: dict, rows: list[dict], load: dict, srv: dict) -> str:
    chars = meta["chars"]
    lines = [
        f"Run {meta['date']} on {meta['machine']}, Python {meta['python']}, 2 cores **shared with other engineers' jobs** "
        f"(load average {meta['load']:.2f} at the start); `python benchmarks/bench_scale.py --distributed --mb {meta['mb']:g}`. "
        f"Corpus: {meta['docs']} generated Chinese documents of seed-like clauses ({meta['size_mb']:.1f} MB, {chars:,} characters). "
        "Each build is a fresh store, a subprocess, peak RSS of its largest process (`/usr/bin/time`; Dask and shard runs "
        "have worker processes of their own, not summed).",
        "",
        "| build | wall | chars/s | peak RSS | quads | quads/mention | quads/char | same quads as --jobs 1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        split = f" ({r['split']})" if "split" in r else ""
        lines.append(
            f"| {r['name']} | {r['wall']:.2f} s{split} | {chars / r['wall']:,.0f} | {r['rss']} MB | {r['quads']:,} | "
            f"{r['quads'] / max(1, r['mentions']):.1f} | {r['quads'] / chars:.3f} | {r.get('same_quads', '—')} |"
        )
    j1 = next(r for r in rows if r["name"] == "kg build --jobs 1")["wall"]
    j2 = next(r for r in rows if r["name"] == "kg build --jobs 2")["wall"]
    d = next(r for r in rows if r["name"] == "kg build (defaults)")
    lines += [
        "",
        f"Targets: default build ≥ 300,000 chars/s (measured {chars / d['wall']:,.0f}); peak RSS < 1 GiB (measured "
        f"{d['rss']} MB); `--jobs 2` ≥ 1.6× `--jobs 1` (measured {j1 / j2:.2f}×).",
        "",
        f"Bulk load of the corpus's document triples as one N-Triples file ({load['triples']:,} triples, {load['mb']:.0f} MB), "
        "fresh stores, same run:",
        "",
        "| loader | wall | triples/s | peak RSS |",
        "|---|---|---|---|",
    ]
    for name in ("kg load", "kg load (gzip)", "oxigraph load"):
        x = load[name]
        lines.append(f"| `{name}` | {x['wall']:.2f} s | {load['triples'] / x['wall']:,.0f} | {x['rss']} MB |")
    lines += [
        "",
        f"Server stores on the same {srv['quads']:,} quads (loaded fresh; query mix: {meta['reps']} runs of each query after one warm-up):",
        "",
        "| store | load | load quads/s | sum of p50 | sum of p99 |",
        "|---|---|---|---|---|",
    ]
    for name, key, loadkey in (
        ("Oxigraph server (`oxigraph load` + `serve-read-only`)", "oxigraph", "oxigraph_load"),
        ("Virtuoso 7.2 (`kg push isql://… --bulk`: ld_dir + 2 × rdf_loader_run)", "virtuoso", "virtuoso_bulk"),
    ):
        lat = srv[key]
        p50 = sum(statistics.median(v) for v in lat.values()) * 1000
        p99 = sum(sorted(v)[max(0, int(len(v) * 0.99) - 1)] for v in lat.values()) * 1000
        lines.append(
            f"| {name} | {srv[loadkey]:.2f} s | {srv['quads'] / srv[loadkey]:,.0f} | {p50:.0f} ms | {p99:.0f} ms |"
        )
    lines += [
        "",
        "Per query, p50 (ms), and the rows each store returned (the same rows: both hold the same quads):",
        "",
        "| query | Oxigraph server | Virtuoso | rows (Oxigraph / Virtuoso) |",
        "|---|---|---|---|",
    ]
    for q in srv["oxigraph"]:
        a, b = srv["oxigraph_rows"][q], srv["virtuoso_rows"][q]
        lines.append(
            f"| {q} | {statistics.median(srv['oxigraph'][q]) * 1000:.1f} | {statistics.median(srv['virtuoso'][q]) * 1000:.1f} | "
            f"{a} / {b}{'' if a == b else ' **differ**'} |"
        )
    return "\n".join(lines)


def run(mb: float, results: Path, workdir: Path | None, reps: int = 10, write: bool = True) -> int:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import tempfile

    from generate_corpus import generate
    from results import write_section

    work = Path(workdir or tempfile.mkdtemp(prefix="kg-bench-dist-"))
    work.mkdir(parents=True, exist_ok=True)
    load_avg = os.getloadavg()[0]
    try:
        n = max(1, int(mb * 2**20 / SEED.stat().st_size * 1.15))
        files = generate(n, work / "corpus", seed=1, lang="zh")
        chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
        size_mb = sum(f.stat().st_size for f in files) / 2**20
        print(f"corpus: {n} documents, {size_mb:.1f} MB, {chars:,} chars", flush=True)
        rows = builds(work / "corpus", work, chars)
        # the store of the last build (from shards) holds the default build's quads
        load = bulk_load(work / "store", work)
        srv = servers(work / "store", work / "shards", work, reps)
        meta = {
            "date": time.strftime("%Y-%m-%d"),
            "machine": platform.machine(),
            "python": platform.python_version(),
            "mb": mb,
            "docs": n,
            "chars": chars,
            "size_mb": size_mb,
            "load": load_avg,
            "reps": reps,
        }
        section = render(meta, rows, load, srv)
        (work / "distributed.json").write_text(
            json.dumps({"meta": meta, "rows": rows, "load": load, "servers": srv}, indent=1)
        )
        if write:
            write_section(results, SECTION, section)
        print(section)
    finally:
        if workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0
