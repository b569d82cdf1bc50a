"""Benchmark the builder: wall time, peak memory and throughput, side by side with references.

Usage::

    python benchmarks/bench_build.py [--mb 5] [--out benchmarks/RESULTS.md]

Measures, in one run, on the seed and on a ~5 MB corpus that
``benchmarks/generate_corpus.py`` makes by recombining the seed's clauses:

* ``kg build`` end to end (subprocess: ingest, structure, extraction, RDF, store writes),
  one job, with its peak resident memory;
* the extraction stage alone (spaCy tokenizer + lexicon matcher), one core;
* two references over exactly the same text: spaCy's bare tokenizer pass, and one
  compiled regex alternation of every lexicon label;
* lexicon scaling (issue 3): extraction time with a seed-only lexicon, the full
  lexicon, and the full lexicon grown tenfold with synthetic entries.

Results replace the "Build" and "Lexicon scaling" sections of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from results import write_section  # noqa: E402

SEED = ROOT / "source" / "000_bf54f53887da828b.txt"
ID = "https://w3id.org/dsr-kg/id/"


def _child_build(paths: list[str], store: str, jobs: int) -> None:
    """Run a build in this (child) process and print timing and peak memory as JSON."""
    from kg.build import build

    t0 = time.perf_counter()
    report = build(paths, store, jobs=jobs)
    wall = time.perf_counter() - t0
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "wall": wall,
                "chars": report.characters,
                "docs": len(report.added) + len(report.replaced),
                "refused": len(report.refused),
                "peak_mb": max(self_kb, children_kb) / 1024,
            }
        )
    )


def run_build(paths: list[Path], jobs: int = 1) -> dict:
    """Build into a fresh store in a child process; return its measurements."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--child", tmp + "/store", str(jobs), *map(str, paths)],
            capture_output=True,
            text=True,
            check=True,
        )
        total = time.perf_counter() - t0
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["process_wall"] = total  # includes Python start-up and imports
        result["store_mb"] = sum(f.stat().st_size for f in Path(tmp, "store").rglob("*") if f.is_file()) / 2**20
        return result


def _texts(paths: list[Path]) -> list[tuple[str, str]]:
    from kg.pipeline.ingest import read_source

    out = []
    for p in paths:
        src = read_source(p)
        out.append((src.text, src.language))
    return out


def _rate(chars: int, seconds: float) -> str:
    return f"{chars / seconds / 1e6:.2f} M chars/s"


def stage_throughput(texts: list[tuple[str, str]], lexicon) -> dict[str, float]:
    """Seconds for the extraction stage and the two references over the same texts."""
    from kg.pipeline.extract import build_nlp, find_entities

    nlp = build_nlp("zh", lexicon)
    find_entities(texts[0][0], texts[0][1], lexicon)  # warm-up: pipeline build
    paragraphs = [p for text, _ in texts for p in text.split("\n") if p.strip()]

    t0 = time.perf_counter()
    for _ in nlp.tokenizer.pipe(paragraphs):
        pass
    tokenizer = time.perf_counter() - t0

    labels = sorted(
        {label for label, lang, _ in lexicon.labels if lang == "zh"}
        | {label for label, _, _ in lexicon.labels if label.isascii()},
        key=len,
        reverse=True,
    )
    pattern = re.compile("|".join(map(re.escape, labels)))
    t0 = time.perf_counter()
    regex_hits = sum(len(pattern.findall(text)) for text, _ in texts)
    regex = time.perf_counter() - t0

    t0 = time.perf_counter()
    hits = sum(len(find_entities(text, lang, lexicon)) for text, lang in texts)
    extraction = time.perf_counter() - t0
    return {"tokenizer": tokenizer, "regex": regex, "extraction": extraction, "hits": hits, "regex_hits": regex_hits}


def where_time_goes(paths: list[Path], lexicon) -> dict:
    """Time each stage of a build on one core, in this process, and the store's bulk loader.

    For the default annotations and for ``--annotation-context`` (the format before it was
    optional): quads per mention and per character, and the loader's CPU per quad, in one
    call and in two parallel calls (``kg build``'s two loader threads).
    """
    import io
    import shutil
    import tempfile as tf

    import pyoxigraph as ox

    from kg.build.document import process_file
    from kg.pipeline.commitments import read_commitments
    from kg.pipeline.extract import extract
    from kg.pipeline.ingest import read_source
    from kg.pipeline.rdf import document_triples
    from kg.pipeline.structure import segment
    from kg.store.bulk import ParallelLoader, chunks

    stages = dict.fromkeys(("ingest", "structure", "extract", "commitments", "rdf"), 0.0)
    chars = mentions = commitments = 0
    for f in paths:
        t = time.process_time()
        src = read_source(f)
        stages["ingest"] += time.process_time() - t
        t = time.process_time()
        st = segment(src, lexicon.cues(), fallback_title=f.stem)
        stages["structure"] += time.process_time() - t
        t = time.process_time()
        m = extract(src, st, lexicon)
        stages["extract"] += time.process_time() - t
        t = time.process_time()
        reading = read_commitments(src, st, m, lexicon)
        stages["commitments"] += time.process_time() - t
        commitments += len(reading.commitments)
        t = time.process_time()
        document_triples(src, st, m, reading=reading)
        stages["rdf"] += time.process_time() - t
        chars += len(src.text)
        mentions += len(m)
    out: dict = {"stages": stages, "chars": chars, "mentions": mentions, "commitments": commitments, "formats": {}}
    for context in (False, True):
        data = b"".join(process_file(f, lexicon, annotation_context=context).nquads for f in paths)
        quads = data.count(b"\n")
        row: dict = {"quads": quads, "mb": len(data) / 2**20}
        for threads in (1, 2):
            d = Path(tf.mkdtemp())
            store = ox.Store(str(d / "s"))
            wall, cpu = time.perf_counter(), time.process_time()
            loader = ParallelLoader(store, threads, lenient=True)
            for chunk in chunks(io.BytesIO(data), 16 * 2**20):
                loader.submit(chunk, ox.RdfFormat.N_QUADS)
            loader.close()
            store.flush()
            row[f"wall{threads}"], row[f"cpu{threads}"] = time.perf_counter() - wall, time.process_time() - cpu
            del loader, store
            shutil.rmtree(d)
        out["formats"]["with --annotation-context" if context else "default"] = row
    return out


def scaled_lexicon(factor: int, directory: Path) -> Path:
    """Write the real lexicon plus (factor - 1) synthetic copies of every entity into ``directory``."""
    import pyoxigraph as ox

    from kg.core.resources import LEXICON_DIR

    directory.mkdir(parents=True, exist_ok=True)
    for f in LEXICON_DIR.glob("*.ttl"):
        (directory / f.name).write_bytes(f.read_bytes())
    (directory.parent / "cues.ttl").write_bytes((ROOT / "ontology" / "cues.ttl").read_bytes())
    lines = []
    label_props = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#altLabel"}
    quads = [q for f in LEXICON_DIR.glob("*.ttl") for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
    types = {
        q.subject.value: q.object.value
        for q in quads
        if q.predicate.value.endswith("#type") and q.object.value.startswith("https://w3id.org/dsr-kg/ontology#")
    }
    for k in range(1, factor):
        for q in quads:
            if q.predicate.value in label_props and q.subject.value in types and isinstance(q.object, ox.Literal):
                s = f"{q.subject.value}-synthetic-{k}"
                # A distinct, plausible label that does not occur in the text: base label + a suffix.
                suffix = f"第{k}代" if q.object.language == "zh" else f" mark {k}"
                lit = ox.Literal(q.object.value + suffix, language=q.object.language)
                lines.append(f"<{s}> <{q.predicate.value}> {lit} .")
        lines.extend(
            f"<{s}-synthetic-{k}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{t}> ." for s, t in types.items()
        )
    (directory / "synthetic.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def seed_only_lexicon(directory: Path) -> Path:
    """Write a lexicon holding only the entities of the seed's gold list (eval/gold)."""
    import pyoxigraph as ox

    from kg.core.resources import LEXICON_DIR

    gold = ROOT / "eval" / "gold" / "000_bf54f53887da828b.tsv"
    keys = {ID + line.split("\t")[1] for line in gold.read_text(encoding="utf-8").splitlines()[1:] if line.strip()}
    directory.mkdir(parents=True, exist_ok=True)
    (directory.parent / "cues.ttl").write_bytes((ROOT / "ontology" / "cues.ttl").read_bytes())
    keep = []
    for f in LEXICON_DIR.glob("*.ttl"):
        for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE):
            if q.subject.value in keys or f.name == "stoplist.ttl":
                keep.append(q.triple)
    (directory / "seed.ttl").write_bytes(ox.serialize(keep, format=ox.RdfFormat.N_TRIPLES))
    return directory


def where_md(where: dict) -> list[str]:
    """The "where the time goes" part of the Build section."""
    chars, mentions = where["chars"], where["mentions"]
    st = where["stages"]
    lines = [
        "",
        f"Where the time goes (same corpus, one core, CPU seconds in this process; {mentions:,} mentions, "
        f"{where['commitments']:,} commitments):",
        "",
        "| stage | CPU s | µs per character |",
        "|---|---|---|",
    ]
    for name, sec in st.items():
        lines.append(f"| {name} | {sec:.2f} | {sec / chars * 1e6:.2f} |")
    lines.append(
        f"| extract + commitments (the extraction stages of issue 12) | {st['extract'] + st['commitments']:.2f} | "
        f"{(st['extract'] + st['commitments']) / chars * 1e6:.2f} ({chars / (st['extract'] + st['commitments']) / 1e6:.2f} M chars/s; "
        f"commitment reader alone {chars / st['commitments'] / 1e6:.2f} M chars/s) |"
    )
    total = sum(st.values())
    lines.append(f"| **pipeline (ingest → RDF)** | **{total:.2f}** | **{total / chars * 1e6:.2f}** |")
    lines += [
        "",
        "| annotations | quads | quads/mention | quads/char | N-Quads | bulk load, 1 call: wall / CPU | 2 parallel calls: wall / CPU | CPU µs per quad | loader µs per character |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in where["formats"].items():
        lines.append(
            f"| {name} | {r['quads']:,} | {r['quads'] / mentions:.1f} | {r['quads'] / chars:.3f} | {r['mb']:.0f} MB | "
            f"{r['wall1']:.2f} s / {r['cpu1']:.2f} s | {r['wall2']:.2f} s / {r['cpu2']:.2f} s | "
            f"{r['cpu2'] / r['quads'] * 1e6:.2f} | {r['cpu2'] / chars * 1e6:.2f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=5.0, help="size of the generated corpus in MB of source text")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args(argv)
    import os

    load_avg = os.getloadavg()[0]

    from generate_corpus import generate

    from kg.pipeline.lexicon import load_lexicon

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        n = max(1, int(args.mb * 2**20 / SEED.stat().st_size * 1.15))
        files = generate(n, corpus, seed=1, lang="zh")
        size_mb = sum(f.stat().st_size for f in files) / 2**20
        print(f"corpus: {len(files)} documents, {size_mb:.1f} MB", flush=True)

        seed_build = run_build([SEED])
        corpus_build = run_build(files, jobs=1)
        corpus_build2 = run_build(files, jobs=2)
        print("builds done", seed_build, corpus_build, corpus_build2, flush=True)

        texts = _texts(files)
        chars = sum(len(t) for t, _ in texts)
        lexicon = load_lexicon()
        stages = stage_throughput(texts, lexicon)
        where = where_time_goes(files, lexicon)
        print("where the time goes", where, flush=True)

        seed_lex = load_lexicon(seed_only_lexicon(Path(tmp) / "seedlex" / "lexicon"))
        big_lex = load_lexicon(scaled_lexicon(10, Path(tmp) / "biglex" / "lexicon"))
        scaling = {}
        for name, lex in (("seed-only", seed_lex), ("full", lexicon), ("full ×10", big_lex)):
            s = stage_throughput(texts, lex)
            scaling[name] = (len(lex.types), len(lex.labels), s["extraction"], s["hits"])
        print("stages done", stages, scaling, flush=True)

    machine = f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, 2 cores"
    build_md = [
        f"Run {time.strftime('%Y-%m-%d')} on {machine}, **shared with other engineers' jobs** (load average "
        f"{load_avg:.2f} at the start); `python benchmarks/bench_build.py --mb {args.mb:g}`.",
        f"Corpus: {len(files)} generated Chinese documents ({size_mb:.1f} MB of source, {chars:,} characters after normalisation).",
        "",
        "| run | documents | characters | wall (build) | wall (process, incl. start-up) | throughput | peak RSS | store on disk |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in (
        ("seed", seed_build),
        (f"~{args.mb:g} MB corpus, --jobs 1", corpus_build),
        (f"~{args.mb:g} MB corpus, --jobs 2 (the default on 2 cores)", corpus_build2),
    ):
        build_md.append(
            f"| {name} | {r['docs']} | {r['chars']:,} | {r['wall']:.2f} s | {r['process_wall']:.2f} s | {_rate(r['chars'], r['wall'])} | {r['peak_mb']:.0f} MB | {r['store_mb']:.1f} MB |"
        )
    build_md += [
        "",
        "Stage throughput on the same corpus text, one core, side by side:",
        "",
        "| pass | seconds | throughput | matches |",
        "|---|---|---|---|",
        f'| spaCy bare tokenizer (`spacy.blank("zh")`, per character) | {stages["tokenizer"]:.2f} | {_rate(chars, stages["tokenizer"])} | — |',
        f"| one compiled regex alternation of all {len(lexicon.labels)} labels | {stages['regex']:.2f} | {_rate(chars, stages['regex'])} | {stages['regex_hits']:,} (overlaps, blocked phrases and word bounds not resolved) |",
        f"| **extraction stage** (tokenizer + PhraseMatcher + longest match + blocking + acronyms) | {stages['extraction']:.2f} | **{_rate(chars, stages['extraction'])}** | {stages['hits']:,} |",
        "",
        f"Targets: extraction ≥ 1 M chars/s (measured {_rate(chars, stages['extraction'])}); whole build ≥ 0.3 M chars/s "
        f"with default settings (measured {_rate(corpus_build2['chars'], corpus_build2['wall'])}); peak memory < 1 GiB for the 5 MB corpus "
        f"(measured {max(corpus_build['peak_mb'], corpus_build2['peak_mb']):.0f} MB); `--jobs 2` ≥ 1.6× `--jobs 1` "
        f"(measured {corpus_build['wall'] / corpus_build2['wall']:.2f}×).",
        "Python's `re` alternation is not the ~100 M chars/s the issue quotes for a compiled automaton: with hundreds of CJK "
        "alternatives it backtracks per position; it is kept as the same-run reference the issue asks for.",
    ]
    build_md += where_md(where)
    write_section(Path(args.out), "Build", "\n".join(build_md))

    base_time = scaling["seed-only"][2]
    lex_md = [
        f"Extraction stage only, same {len(files)}-document corpus, one core (`benchmarks/bench_build.py`).",
        "",
        "| lexicon | entities | labels | seconds | throughput | mentions | time vs seed-only |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, (entities, labels, seconds, hits) in scaling.items():
        lex_md.append(
            f"| {name} | {entities:,} | {labels:,} | {seconds:.2f} | {_rate(chars, seconds)} | {hits:,} | {seconds / base_time:.2f}× |"
        )
    lex_md += [
        "",
        f"Target: the 10× lexicon at most 1.5× the seed-only time (measured {scaling['full ×10'][2] / base_time:.2f}×).",
    ]
    write_section(Path(args.out), "Lexicon scaling", "\n".join(lex_md))
    print(Path(args.out).read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child_build(sys.argv[4:], sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(main())
