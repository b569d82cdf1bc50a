"""Measure extraction quality against hand-made gold entity sets (eval/).

Usage::

    python benchmarks/evaluate.py [--docs eval/docs] [--gold eval/gold] [--write benchmarks/RESULTS.md] [-v]

For each document with a gold file, runs the real pipeline (ingest → structure →
extract) and compares the SET of entities found in the document with the gold set,
per type: true positives, false positives, false negatives, precision, recall. The seed
document (source/) is scored too. ``-v`` lists every false positive and negative.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

ID = "https://w3id.org/dsr-kg/id/"
TYPES = ("Country", "Organisation", "Technology", "Sector")
#: Targets of issue 3 (technologies and sectors are scored together).
TARGETS = {"Country": (0.98, 0.98), "Organisation": (0.95, 0.95), "Technology+Sector": (0.90, 0.90)}


def read_gold(path: Path) -> set[tuple[str, str]]:
    """Return {(type, iri_key)} from a gold TSV file (header: type, iri_key, surface)."""
    rows = set()
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip() and not line.startswith("#"):
            fields = line.split("\t")
            rows.add((fields[0], fields[1]))
    return rows


def predict(path: Path, lexicon) -> set[tuple[str, str]]:
    """Return {(type, iri_key)} the pipeline finds in a document."""
    from kg.pipeline.extract import extract
    from kg.pipeline.ingest import read_source
    from kg.pipeline.structure import segment

    source = read_source(path)
    structure = segment(source, lexicon.cues())
    return {(m.type, m.entity[len(ID) :]) for m in extract(source, structure, lexicon)}


def score(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (1.0 when there is nothing to find and nothing was found)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(docs: Path, gold: Path, verbose: bool = False) -> tuple[dict, list[str]]:
    """Score every document that has a gold file; return per-type counts and a log."""
    from kg.pipeline.lexicon import load_lexicon

    lexicon = load_lexicon()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    log: list[str] = []
    pairs = [(docs / f"{g.stem}.txt", g) for g in sorted(gold.glob("*.tsv"))]
    pairs = [(ROOT / "source" / f"{g.stem}.txt" if not d.exists() else d, g) for d, g in pairs]
    for doc, gold_file in pairs:
        if not doc.exists():
            log.append(f"skip {gold_file.name}: no document {doc.name}")
            continue
        expected, found = read_gold(gold_file), predict(doc, lexicon)
        for t in TYPES:
            e = {k for typ, k in expected if typ == t}
            f = {k for typ, k in found if typ == t}
            counts[t][0] += len(e & f)
            counts[t][1] += len(f - e)
            counts[t][2] += len(e - f)
            if verbose:
                for k in sorted(f - e):
                    log.append(f"  FP {doc.name}: {t} {k}")
                for k in sorted(e - f):
                    log.append(f"  FN {doc.name}: {t} {k}")
        log.append(f"{doc.name}: {len(expected & found)}/{len(expected)} found, {len(found - expected)} extra")
    counts["Technology+Sector"] = [counts["Technology"][i] + counts["Sector"][i] for i in range(3)]
    return dict(counts), log


def table(counts: dict, n_docs: int) -> str:
    """Markdown table of per-type scores with the targets."""
    lines = [
        f"Document-level entity sets, {n_docs} documents, `python benchmarks/evaluate.py`.",
        "",
        "| type | TP | FP | FN | precision | recall | F1 | target P / R |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in (*TYPES, "Technology+Sector"):
        tp, fp, fn = counts[t]
        p, r, f = score(tp, fp, fn)
        target = TARGETS.get(t)
        mark = "" if target is None else (" ✓" if p >= target[0] and r >= target[1] else " ✗")
        lines.append(
            f"| {t} | {tp} | {fp} | {fn} | {p:.3f} | {r:.3f} | {f:.3f} | "
            + (f"{target[0]:.2f} / {target[1]:.2f}{mark}" if target else "—")
            + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=Path, default=ROOT / "eval" / "docs")
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold")
    parser.add_argument("--write", type=Path, default=None, help="write the table into this results file")
    parser.add_argument("--section", default="Extraction quality", help="section title in the results file")
    parser.add_argument("--note", default="", help="a line to put under the table (e.g. what changed)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    counts, log = evaluate(args.docs, args.gold, args.verbose)
    print("\n".join(log))
    n_docs = sum(1 for line in log if not line.startswith((" ", "skip")))
    md = table(counts, n_docs)
    print(md)
    if args.write:
        from results import write_section

        write_section(args.write, args.section, md + (f"\n\n{args.note}" if args.note else ""))
    ok = all(score(*counts[t])[0] >= target[0] and score(*counts[t])[1] >= target[1] for t, target in TARGETS.items())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
