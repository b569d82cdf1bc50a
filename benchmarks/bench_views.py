"""Benchmark the relation views: build each view with metrics and export it as GEXF.

Usage::

    python benchmarks/bench_views.py [--triples 1000000] [--work DIR] [--out benchmarks/RESULTS.md]

Two stores: the seed (``source/000_bf54f53887da828b.txt``) and a generated corpus of about
``--triples`` quads (documents from ``benchmarks/generate_corpus.py``; without it, copies
of the seed with their clauses shuffled). The large store is kept under ``--work`` and
reused when it exists. Each view is timed through ``LocalEngine`` (in memory, as the web
app serves) from the SPARQL queries to the GEXF bytes; the layout is part of the export.
Writes the "Views" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))

SEED = ROOT / "source" / "000_bf54f53887da828b.txt"
TRIPLES_PER_SEED_COPY = 3100  # quads of the seed document's own graph


def shuffled_seed_copies(n: int, outdir: Path, seed: int = 0) -> list[Path]:
    """Write ``n`` copies of the seed with its numbered clauses shuffled (fallback corpus)."""
    text = SEED.read_text(encoding="utf-8")
    lines = text.splitlines()
    numbered = [i for i, line in enumerate(lines) if re.match(r"^\s*\d+[.．、]", line)]
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(n):
        rng = random.Random(seed * 100_003 + k)
        bodies = [re.sub(r"^\s*\d+[.．、]\s*", "", lines[i]) for i in numbered]
        rng.shuffle(bodies)
        copy = list(lines)
        for number, (i, body) in enumerate(zip(numbered, bodies), start=1):
            copy[i] = f"{number}. {body}"
        path = outdir / f"seedcopy_{k:05d}.txt"
        path.write_text("\n".join(copy) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def large_store(work: Path, triples: int) -> Path:
    """Build (once) a store of about ``triples`` quads under ``work``; return its path."""
    from kg.build import build
    from kg.query.engines import LocalEngine

    store = work / f"store-{triples}"
    if (store / "CURRENT").exists():
        return store
    n = max(1, triples // TRIPLES_PER_SEED_COPY)
    corpus = work / f"corpus-{triples}"
    try:
        from generate_corpus import generate  # the scale engineer's generator

        paths = generate(n, corpus, seed=0)
    except ImportError:
        paths = shuffled_seed_copies(n, corpus)
    started = time.perf_counter()
    report = build(paths, store, progress=False)
    engine = LocalEngine(store, in_memory=False)
    count = engine.triple_count()
    engine.close()
    print(f"built {len(paths)} documents, {count:,} quads in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if not report.ok:
        print(f"refused: {report.refused[:3]}", file=sys.stderr)
    return store


def time_views(store: Path, repeat: int) -> tuple[int, list[dict]]:
    """Time every view: SPARQL + graph + metrics, then GEXF export (best of ``repeat``)."""
    from kg.analysis.views import VIEWS, build_view
    from kg.export import to_gexf
    from kg.query.engines import LocalEngine

    engine = LocalEngine(store, in_memory=True, max_rows=None)
    results = []
    try:
        for name in VIEWS:
            best = None
            for _ in range(repeat):
                t0 = time.perf_counter()
                G = build_view(engine, name)
                t1 = time.perf_counter()
                data = to_gexf(G)
                t2 = time.perf_counter()
                run = {
                    "view": name,
                    "nodes": G.number_of_nodes(),
                    "edges": G.number_of_edges(),
                    "build": t1 - t0,
                    "gexf": t2 - t1,
                    "total": t2 - t0,
                    "bytes": len(data),
                    "betweenness": G.graph.get("betweenness", ""),
                }
                if best is None or run["total"] < best["total"]:
                    best = run
            results.append(best)
        return engine.triple_count(), results
    finally:
        engine.close()


def table(results: list[dict]) -> str:
    lines = [
        "| view | nodes | edges | SPARQL + metrics | GEXF (layout + write) | total | GEXF size | betweenness |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['view']} | {r['nodes']:,} | {r['edges']:,} | {r['build']:.2f} s | {r['gexf']:.2f} s | "
            f"**{r['total']:.2f} s** | {r['bytes'] / 1024:,.0f} KiB | {r['betweenness']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from kg.analysis.metrics import BETWEENNESS_EXACT_MAX_NODES, BETWEENNESS_SAMPLES
    from kg.analysis.metrics import SEED as METRIC_SEED
    from kg.build import build

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the large store (0: seed only)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-bench-views")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)

    args.work.mkdir(parents=True, exist_ok=True)
    seed_store = args.work / "seed-store"
    if not (seed_store / "CURRENT").exists():
        build([SEED], seed_store, progress=False)
    seed_quads, seed_results = time_views(seed_store, args.repeat)
    print(table(seed_results))
    sections = [
        f"Run {time.strftime('%Y-%m-%d')} on {platform.machine()} ({platform.python_implementation()} {platform.python_version()}, "
        f"2 shared cores); `python benchmarks/bench_views.py --triples {args.triples}`. Best of {args.repeat}; each view through "
        "`LocalEngine` in memory, from its SPARQL queries to the GEXF bytes (metrics: degree, weighted degree, PageRank, "
        "betweenness, Louvain; layout: per-component Kamada–Kawai / spring, fixed seed).",
        "",
        f"Betweenness is exact up to {BETWEENNESS_EXACT_MAX_NODES:,} nodes and sampled above (k = {BETWEENNESS_SAMPLES} source "
        f"nodes, seed {METRIC_SEED}). Targets: under 1 s per view on the seed, under 60 s on ~1 M triples.",
        "",
        f"### Seed ({seed_quads:,} quads, with ontology and lexicons)",
        "",
        table(seed_results),
    ]
    if args.triples:
        store = large_store(args.work, args.triples)
        quads, results = time_views(store, 1)
        print(table(results))
        sections += ["", f"### Generated corpus ({quads:,} quads)", "", table(results)]
    from results import write_section

    write_section(args.out, "Views", "\n".join(sections))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
