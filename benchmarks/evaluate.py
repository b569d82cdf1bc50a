"""Measure extraction quality against hand-made gold (eval/ and the real documents).

Usage::

    python benchmarks/evaluate.py [-v] [--set NAME ...] [--write benchmarks/RESULTS.md --section TITLE]
    python benchmarks/evaluate.py --commitments [-v] [--write benchmarks/RESULTS.md --section TITLE]

``--commitments`` scores commitments, policy areas and typed relations instead of the
entities (``eval/commitments/``, see ``benchmarks/commitments_eval.py``).
    python benchmarks/evaluate.py --docs DIR --gold DIR      # one custom set

Sets: ``seed`` (source/ + eval/gold/000_….tsv), ``eval`` (eval/docs), ``heldout``,
``heldout2``, ``realdocs-dev`` (d1–d5 of each language) and ``realdocs-test`` (d6–d10,
held out: never tune on it). The real texts are read from ``../shared/realdocs/``
(``ROOT.parent / "shared" / "realdocs"``, or the nearest ``shared/realdocs`` above the
repository); without it the two realdocs sets are skipped with a message.

For each document the real pipeline runs (ingest → structure → extract → metadata) and
the SET of entities found is compared with the gold rows, per type. A found entity
matches a gold row of the same type when the keys are equal, or when one of its mention
surfaces equals one of the row's surfaces after normalisation (Unicode width, white
space, quotes and dashes, case, a leading edition year such as ``2024年``); each gold row
matches at most one found entity. Gold keys ``NEW/…``, ``MISSING/…``, ``governmentbody/…``,
``event/…`` and ``place/…`` are not lexicon keys, so only their surfaces can match.

Also scored: *negatives* (mentions found strictly inside a longer gold name of another
kind — the country of a government body and the organisation that holds an event are
allowed, as the gold's rules say), signatory exactness per document and document
metadata accuracy (``documents.tsv``: kind, issued, place, event, signatories,
proposed by). ``-v`` lists every false positive, false negative and wrong field.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

ID = "https://w3id.org/dsr-kg/id/"
TYPES = ("Country", "Organisation", "GovernmentBody", "Event", "Place", "Technology", "Sector")
SCORED = (*TYPES, "Technology+Sector")
#: Targets of issue 11 on the real documents (technologies and sectors scored together).
TARGETS = {"Country": (0.97, 0.97), "Organisation": (0.92, 0.92), "Technology+Sector": (0.90, 0.90)}
META_FIELDS = ("doc_type", "issued", "place", "event", "signatories", "proposed_by")
SEED_NAME = "000_bf54f53887da828b"


def realdocs_dir() -> Path | None:
    """The folder of the real documents: ``../shared/realdocs`` from the repository root, or
    the nearest ``shared/realdocs`` further up (a worktree one level deeper); None if absent."""
    for parent in ROOT.parents:
        candidate = parent / "shared" / "realdocs"
        if candidate.is_dir():
            return candidate
    return None


@dataclass
class EvalSet:
    name: str
    docs: Path
    gold: Path
    stems: list[str]
    documents_tsv: Path | None = None
    #: the types its gold annotates (the first sets predate GovernmentBody, Event and Place)
    types: tuple[str, ...] = ("Country", "Organisation", "Technology", "Sector")


def eval_sets() -> tuple[list[EvalSet], list[str]]:
    """Every evaluation set that can be run here, and a message for each one that cannot."""
    sets = [
        EvalSet("seed", ROOT / "source", ROOT / "eval" / "gold", [SEED_NAME]),
        EvalSet(
            "eval",
            ROOT / "eval" / "docs",
            ROOT / "eval" / "gold",
            sorted(p.stem for p in (ROOT / "eval" / "gold").glob("*.tsv") if p.stem != SEED_NAME),
        ),
    ]
    for name in ("heldout", "heldout2"):
        gold = ROOT / "eval" / name / "gold"
        sets.append(EvalSet(name, ROOT / "eval" / name / "docs", gold, sorted(p.stem for p in gold.glob("*.tsv"))))
    skipped = []
    real = realdocs_dir()
    gold = ROOT / "eval" / "realdocs" / "gold"
    if real is None:
        skipped.append("realdocs: skipped, no ../shared/realdocs folder (the real texts are not in the repository)")
    else:
        for split, numbers in (("dev", range(1, 6)), ("test", range(6, 11))):
            stems = [f"{lang}_d{n}" for lang in ("zh", "en") for n in numbers]
            sets.append(
                EvalSet(f"realdocs-{split}", real, gold, stems, ROOT / "eval" / "realdocs" / "documents.tsv", TYPES)
            )
    return sets, skipped


# ------------------------------------------------------------------ gold


@dataclass
class GoldRow:
    type: str
    key: str
    surfaces: tuple[str, ...]


def read_gold(path: Path) -> list[GoldRow]:
    """Rows of a gold TSV file (header: type, iri_key, surface[, country, date, kind])."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip() and not line.startswith("#"):
            fields = line.split("\t")
            surfaces = tuple(s.strip() for s in (fields[2] if len(fields) > 2 else "").split(" | ") if s.strip())
            rows.append(GoldRow(fields[0], fields[1], surfaces))
    return rows


def read_documents(path: Path) -> dict[str, dict[str, str]]:
    """``documents.tsv`` as {doc: {field: value}}; ``-`` and empty cells become ``""``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    out = {}
    for line in lines[1:]:
        if line.strip():
            cells = dict(zip(header, line.split("\t")))
            out[cells["doc"]] = {f: ("" if cells.get(f, "") in ("", "-") else cells[f]) for f in META_FIELDS}
    return out


_QUOTES = dict.fromkeys(map(ord, "\"'“”‘’「」『』《》〈〉«»"), None)
_DASHES = re.compile(r"[\u2010-\u2015\u2212\uff0d\-]+")
_YEAR = re.compile(r"^(?:\d{4}\s*年?|the\s+)\s*", re.I)


def normalise_surface(text: str) -> str:
    """Fold what typography changes but a name does not: width, spaces, quotes, dashes, case, a leading year."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _DASHES.sub("-", text)
    text = re.sub(r"\s+", " ", text).strip().lower()
    return _YEAR.sub("", text)


# ------------------------------------------------------------------ prediction


@dataclass
class Found:
    """One entity the pipeline found in a document."""

    type: str
    key: str
    surfaces: set[str] = field(default_factory=set)
    spans: list[tuple[int, int]] = field(default_factory=list)  #: document offsets


@dataclass
class Prediction:
    text: str
    entities: dict[str, Found]
    meta: dict[str, str]


def predict(path: Path, lexicon) -> Prediction:
    """Run the pipeline on one document: entities with their surfaces and document offsets, and metadata."""
    from kg.build.document import analyse

    a = analyse(path, lexicon)  # the stages exactly as kg build runs them
    source, structure, extraction, metadata = a.source, a.structure, a.extraction, a.metadata
    starts = {c.number: c.start for c in structure.clauses}
    entities: dict[str, Found] = {}
    for m in extraction.mentions:
        key = m.entity[len(ID) :]
        found = entities.setdefault(key, Found(m.type, key))
        found.surfaces.add(m.exact)
        found.spans.append((starts[m.clause] + m.start, starts[m.clause] + m.end))

    def keys(facts) -> str:
        return " ".join(sorted(f.value[len(ID) :] for f in facts))

    meta = {
        "doc_type": metadata.kind.value.rsplit("/", 1)[-1] if metadata.kind else "",
        "issued": metadata.issued.value if metadata.issued else "",
        "place": keys([metadata.place] if metadata.place else []),
        "event": keys([metadata.event] if metadata.event else []),
        "signatories": keys(metadata.signatories),
        "proposed_by": keys(metadata.proposed_by),
    }
    return Prediction(source.text, entities, meta)


# ------------------------------------------------------------------ scoring


def align(gold: list[GoldRow], found: dict[str, Found]) -> dict[int, str]:
    """Match gold rows to found entities one to one: {gold row index: found key}. Keys first, then surfaces."""
    matched: dict[int, str] = {}
    used: set[str] = set()
    for i, row in enumerate(gold):
        if row.key in found and found[row.key].type == row.type:
            matched[i] = row.key
            used.add(row.key)
    for i, row in enumerate(gold):
        if i in matched:
            continue
        wanted = {normalise_surface(s) for s in row.surfaces}
        for key, f in found.items():
            if key in used or f.type != row.type:
                continue
            if wanted & {normalise_surface(s) for s in f.surfaces}:
                matched[i] = key
                used.add(key)
                break
    return matched


def nested_violations(text: str, gold: list[GoldRow], found: dict[str, Found], matched: dict[int, str]) -> list[str]:
    """Found mentions strictly inside a longer gold name of another kind (allowed: a government
    body's country; the organisation a gold event or organisation name starts with)."""
    by_key = {v: i for i, v in matched.items()}
    outer: list[tuple[int, int, GoldRow]] = []
    for row in gold:
        for s in row.surfaces:
            for m in re.finditer(re.escape(s), text):
                outer.append((m.start(), m.end(), row))
    out = []
    for key, f in found.items():
        own = gold[by_key[key]] if key in by_key else None
        own_surfaces = {normalise_surface(x) for x in own.surfaces} if own else set()
        for s, e in f.spans:
            if normalise_surface(text[s:e]) in own_surfaces:
                continue  # the annotator tagged this very span too (Da Nang in "meeting in Da Nang")
            for os_, oe, row in outer:
                if not (os_ <= s and e <= oe and (e - s) < (oe - os_)) or row is own or row.type == f.type:
                    continue
                if row.type == "GovernmentBody" and f.type == "Country":
                    continue
                if row.type in ("Event", "Organisation") and f.type == "Organisation" and own is not None:
                    continue  # the holder of an event, itself in the gold
                out.append(f"{f.type} {key} '{text[s:e]}' inside {row.type} '{text[os_:oe]}'")
                break
    return sorted(set(out))


def score(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (1.0 when there is nothing to find and nothing was found)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


@dataclass
class SetResult:
    name: str
    documents: int = 0
    counts: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    negatives: list[str] = field(default_factory=list)
    meta_correct: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    meta_total: int = 0
    signatories_exact: int = 0
    log: list[str] = field(default_factory=list)


def _meta_value(field_name: str, value: str, mapping: dict[str, str]) -> str:
    """Map found keys onto the gold keys they were aligned with, so both sides use gold keys."""
    if field_name in ("doc_type", "issued"):
        return value
    return " ".join(sorted(mapping.get(v, v) for v in value.split()))


def evaluate_set(es: EvalSet, lexicon, verbose: bool = False) -> SetResult:
    """Score every document of one set (``verbose``: log every error)."""
    result = SetResult(es.name)
    documents = read_documents(es.documents_tsv) if es.documents_tsv else {}
    for stem in es.stems:
        doc, gold_file = es.docs / f"{stem}.txt", es.gold / f"{stem}.tsv"
        if not doc.exists() or not gold_file.exists():
            result.log.append(f"skip {stem}: no {'document' if not doc.exists() else 'gold file'}")
            continue
        gold, pred = read_gold(gold_file), predict(doc, lexicon)
        result.documents += 1
        matched = align(gold, pred.entities)
        hit_keys = set(matched.values())
        for t in es.types:
            rows = [i for i, r in enumerate(gold) if r.type == t]
            found = [k for k, f in pred.entities.items() if f.type == t]
            tp = sum(1 for i in rows if i in matched)
            c = result.counts[t]
            c[0] += tp
            c[1] += sum(1 for k in found if k not in hit_keys)
            c[2] += len(rows) - tp
            if verbose:
                for k in sorted(k for k in found if k not in hit_keys):
                    result.log.append(f"  FP {stem}: {t} {k} {sorted(pred.entities[k].surfaces)}")
                for i in rows:
                    if i not in matched:
                        result.log.append(f"  FN {stem}: {t} {gold[i].key} {list(gold[i].surfaces)}")
        scored = {k: f for k, f in pred.entities.items() if f.type in es.types}
        negatives = nested_violations(pred.text, gold, scored, matched)
        result.negatives += [f"{stem}: {n}" for n in negatives]
        if verbose:
            result.log += [f"  NESTED {stem}: {n}" for n in negatives]
        if stem in documents:
            mapping = {k: gold[i].key for i, k in matched.items()}
            expected = documents[stem]
            result.meta_total += 1
            for f in META_FIELDS:
                got = _meta_value(f, pred.meta.get(f, ""), mapping)
                want = " ".join(sorted(expected[f].split()))
                if got == want:
                    result.meta_correct[f] += 1
                elif verbose:
                    result.log.append(f"  META {stem}: {f} found {got or '-'!r}, gold {want or '-'!r}")
            sig = all(
                _meta_value(f, pred.meta.get(f, ""), mapping) == " ".join(sorted(expected[f].split()))
                for f in ("signatories", "proposed_by")
            )
            result.signatories_exact += int(sig)
        tp_doc = len(matched)
        result.log.append(
            f"{es.name} {stem}: {tp_doc}/{len(gold)} gold entities found, {len(pred.entities) - tp_doc} extra"
        )
    c = result.counts
    c["Technology+Sector"] = [c["Technology"][i] + c["Sector"][i] for i in range(3)]
    return result


# ------------------------------------------------------------------ report


def entity_table(results: list[SetResult]) -> str:
    """Markdown: one row per set and type."""
    lines = [
        "| set | docs | type | TP | FP | FN | precision | recall | F1 | target P / R (realdocs) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for t in SCORED:
            tp, fp, fn = r.counts[t]
            if tp + fp + fn == 0:
                continue
            p, rec, f = score(tp, fp, fn)
            target = TARGETS.get(t) if r.name.startswith("realdocs") else None
            mark = "" if target is None else (" ✓" if p >= target[0] and rec >= target[1] else " ✗")
            tcell = f"{target[0]:.2f} / {target[1]:.2f}{mark}" if target else "—"
            lines.append(
                f"| {r.name} | {r.documents} | {t} | {tp} | {fp} | {fn} | {p:.3f} | {rec:.3f} | {f:.3f} | {tcell} |"
            )
    return "\n".join(lines)


def meta_table(results: list[SetResult]) -> str:
    """Markdown: negatives, signatory exactness and metadata accuracy per set."""
    lines = [
        "| set | docs | nested (negatives) | signatories + proposed by exact | " + " | ".join(META_FIELDS) + " |",
        "|---|---|---|---|" + "---|" * len(META_FIELDS),
    ]
    for r in results:
        if r.meta_total:
            sig = f"{r.signatories_exact}/{r.meta_total}"
            cells = " | ".join(f"{r.meta_correct[f]}/{r.meta_total}" for f in META_FIELDS)
        else:
            sig, cells = "—", " | ".join("—" for _ in META_FIELDS)
        lines.append(f"| {r.name} | {r.documents} | {len(r.negatives)} | {sig} | {cells} |")
    return "\n".join(lines)


def targets_met(results: list[SetResult]) -> bool:
    """True when every realdocs set meets the entity targets, every signatory line is exact and nothing is nested."""
    for r in results:
        if not r.name.startswith("realdocs"):
            continue
        for t, (tp_, tr) in TARGETS.items():
            p, rec, _ = score(*r.counts[t])
            if p < tp_ or rec < tr:
                return False
        if r.signatories_exact < r.meta_total or r.negatives:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="sets", action="append", help="run only these sets (repeatable)")
    parser.add_argument("--docs", type=Path, help="a custom set: folder of documents")
    parser.add_argument("--gold", type=Path, help="a custom set: folder of gold TSV files")
    parser.add_argument("--write", type=Path, default=None, help="write the tables into this results file")
    parser.add_argument("--section", default="Extraction quality, every set", help="section title in the results file")
    parser.add_argument("--note", default="", help="text to put under the tables (e.g. what changed)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every error (not of realdocs-test)")
    parser.add_argument(
        "--show-test", action="store_true", help="with -v, list the errors on realdocs-test too (never tune on them)"
    )
    parser.add_argument(
        "--commitments", action="store_true", help="score commitments, policy areas and relations (eval/commitments)"
    )
    args = parser.parse_args(argv)
    from kg.pipeline.lexicon import load_lexicon

    lexicon = load_lexicon()
    if args.commitments:
        return _commitments(args, lexicon)
    if args.docs and args.gold:
        sets = [EvalSet("custom", args.docs, args.gold, sorted(p.stem for p in args.gold.glob("*.tsv")))]
        skipped: list[str] = []
    else:
        sets, skipped = eval_sets()
        if args.sets:
            sets = [s for s in sets if s.name in args.sets]
    for message in skipped:
        print(message)
    results = [evaluate_set(s, lexicon, args.verbose and (args.show_test or s.name != "realdocs-test")) for s in sets]
    for r in results:
        print("\n".join(r.log))
    md = (
        "Entities (document-level sets), per set and type:\n\n"
        + entity_table(results)
        + "\n\nNegatives (mentions inside a longer gold name of another kind), signatories and document metadata"
        " (documents.tsv; fields are exact matches, found keys mapped to the gold keys they were aligned with):\n\n"
        + meta_table(results)
    )
    examples = [n for r in results for n in r.negatives[:8] if r.name != "realdocs-test" or args.show_test]
    if examples:
        md += "\n\nNested mentions found (first of each set):\n\n" + "\n".join(f"- {n}" for n in examples)
    print(md)
    if args.write:
        from results import write_section

        command = "`python benchmarks/evaluate.py" + "".join(f" --set {s}" for s in args.sets or ()) + "`"
        body = f"{command}; {', '.join(skipped) or 'every set ran'}.\n\n{md}"
        write_section(args.write, args.section, body + (f"\n\n{args.note}" if args.note else ""))
    return 0 if targets_met(results) else 1


def _commitments(args: argparse.Namespace, lexicon) -> int:
    import commitments_eval

    real = realdocs_dir()
    md, met, log = commitments_eval.run(lexicon, real, args.verbose, args.show_test)
    print("\n".join(log))
    print(md)
    if args.write:
        from results import write_section

        where = "real documents from ../shared/realdocs" if real else "no ../shared/realdocs: only the seed"
        body = f"`python benchmarks/evaluate.py --commitments`; {where}.\n\n{md}"
        write_section(args.write, args.section, body + (f"\n\n{args.note}" if args.note else ""))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
