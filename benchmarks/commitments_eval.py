"""Score commitments, policy areas and typed relations against ``eval/commitments/``.

Run through ``python benchmarks/evaluate.py --commitments`` (see there). For every gold
document (the seed and twelve real documents, read from ``../shared/realdocs/``) the real
pipeline runs: ingest → structure → extract → metadata → commitments. Parts scored:

* **actions**: the multiset of ``(document, clause, action)`` of the commitments against
  the gold rows (one row per action per statement in both); precision = matched / found,
  recall = matched / gold;
* **actors**, **concerns** and **commitment areas**, on the matched commitments (paired in
  text order inside each ``(document, clause, action)``): actor accuracy; concerned entity
  keys and policy areas as micro precision / recall;
* **clause areas**: ``(document, clause, area)`` for the clauses the gold lists;
* **relations**: the set of ``(document, predicate, subject, object)``; the subject is
  ``document`` for ``invitesRole`` and ``signatories`` for the document's parties.

Targets (issue 12): relations P ≥ 0.90, R ≥ 0.75; actions P ≥ 0.90, R ≥ 0.85; clause areas
P and R ≥ 0.85; the seed's seven clause-3 ``appliedIn`` pairs all found.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "eval" / "commitments"
ID = "https://w3id.org/dsr-kg/id/"
SEED = "000_bf54f53887da828b"
DEV = (SEED, "zh_d1", "zh_d2", "zh_d3", "en_d1", "en_d2", "en_d3", "en_d4", "en_d5")
TEST = ("zh_d6", "zh_d9", "zh_d10", "en_d6")
TARGETS = {"actions": (0.90, 0.85), "relations": (0.90, 0.75), "clause areas": (0.85, 0.85)}


def _rows(name: str) -> list[dict[str, str]]:
    with open(GOLD / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _key(iri: str) -> str:
    """``country/CN`` for an instance IRI; ``group:all-countries`` for a group; ``signatories`` for ""."""
    if not iri:
        return "signatories"
    local = iri[len(ID) :] if iri.startswith(ID) else iri
    if local.startswith("group/"):
        return "group:" + local[len("group/") :]
    for head in ("action/", "area/"):
        if local.startswith(head):
            return local[len(head) :]
    return local


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, found: Counter | set, gold: Counter | set) -> None:
        f, g = Counter(found), Counter(gold)
        hit = sum((f & g).values())
        self.tp += hit
        self.fp += sum(f.values()) - hit
        self.fn += sum(g.values()) - hit

    def scores(self) -> tuple[float, float]:
        from evaluate import score  # the entity evaluation's definition (1.0 when nothing to find)

        p, r, _ = score(self.tp, self.fp, self.fn)
        return p, r


@dataclass
class PartResult:
    name: str
    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    actor_ok: int = 0
    actor_all: int = 0
    errors: list[str] = field(default_factory=list)
    seed_pairs: tuple[int, int] = (0, 0)


def document_path(doc: str, realdocs: Path | None) -> Path | None:
    if doc == SEED:
        return ROOT / "source" / f"{SEED}.txt"
    if realdocs is None:
        return None
    path = realdocs / f"{doc}.txt"
    return path if path.exists() else None


def read_document(path: Path, lexicon):
    """The real pipeline, up to the commitments (no store): what ``kg build`` reads."""
    from kg.build.document import analyse

    return analyse(path, lexicon).reading


def evaluate(docs: tuple[str, ...], name: str, lexicon, realdocs: Path | None) -> PartResult:
    gold_c = [r for r in _rows("commitments.tsv") if r["doc"] in docs]
    gold_a = [r for r in _rows("clause_areas.tsv") if r["doc"] in docs]
    gold_r = [r for r in _rows("relations.tsv") if r["doc"] in docs]
    result = PartResult(name)
    t = result.tallies
    for doc in docs:
        path = document_path(doc, realdocs)
        if path is None:
            result.errors.append(f"{doc}: text not found (no ../shared/realdocs)")
            continue
        reading = read_document(path, lexicon)
        # actions, then actors / concerns / areas on the pairs
        found_by: dict[tuple[int, str], list] = defaultdict(list)
        for c in reading.commitments:
            found_by[(c.clause, _key(c.action))].append(c)
        gold_by: dict[tuple[int, str], list] = defaultdict(list)
        for g in gold_c:
            if g["doc"] == doc:
                gold_by[(int(g["clause"]), g["action"])].append(g)
        for key in sorted(set(found_by) | set(gold_by)):
            f, g = found_by.get(key, []), gold_by.get(key, [])
            t["actions"].add(Counter({key: len(f)}), Counter({key: len(g)}))
            if len(f) > len(g):
                result.errors.append(
                    f"{doc} clause {key[0]}: {len(f) - len(g)} {key[1]} too many ({', '.join(c.exact for c in f)})"
                )
            elif len(g) > len(f):
                result.errors.append(
                    f"{doc} clause {key[0]}: {len(g) - len(f)} {key[1]} missed (gold cues {', '.join(x['cue'] for x in g)})"
                )
            for fc, gc in zip(f, g):
                result.actor_all += 1
                result.actor_ok += _key(fc.actor) == gc["actor"]
                t["concerns"].add({_key(e) for e in fc.concerns}, set(gc["concerns"].split()))
                t["commitment areas"].add({_key(a.area) for a in fc.areas}, set(gc["areas"].split()))
        gold_clauses = {int(r["clause"]): set(r["areas"].split()) for r in gold_a if r["doc"] == doc}
        for clause, areas in gold_clauses.items():
            found = {_key(a.area) for a in reading.clause_areas.get(clause, ())}
            t["clause areas"].add(found, areas)
            if found != areas:
                result.errors.append(f"{doc} clause {clause}: areas {sorted(found)} vs gold {sorted(areas)}")
        found_rel = {
            (r.predicate, "document" if r.predicate == "invitesRole" else _key(r.subject), _key(r.object))
            for r in reading.relations
        }
        gold_rel = {(r["predicate"], r["subject"], r["object"]) for r in gold_r if r["doc"] == doc}
        t["relations"].add(found_rel, gold_rel)
        for x in sorted(found_rel - gold_rel):
            result.errors.append(f"{doc}: relation not in gold {x}")
        for x in sorted(gold_rel - found_rel):
            result.errors.append(f"{doc}: relation missed {x}")
        if doc == SEED:
            pairs = {x for x in gold_rel if x[0] == "appliedIn"}
            result.seed_pairs = (len(pairs & found_rel), len(pairs))
    return result


def table(results: list[PartResult]) -> str:
    lines = [
        "| set | part | TP | FP | FN | precision | recall | target P / R |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for part in ("actions", "concerns", "commitment areas", "clause areas", "relations"):
            x = r.tallies[part]
            p, rec = x.scores()
            target = TARGETS.get(part)
            mark = ""
            if target:
                mark = f"{target[0]:.2f} / {target[1]:.2f} " + ("✓" if p >= target[0] and rec >= target[1] else "✗")
            lines.append(f"| {r.name} | {part} | {x.tp} | {x.fp} | {x.fn} | {p:.3f} | {rec:.3f} | {mark} |")
        acc = r.actor_ok / r.actor_all if r.actor_all else 1.0
        lines.append(
            f"| {r.name} | actors (accuracy on matched) | {r.actor_ok} | | {r.actor_all - r.actor_ok} | {acc:.3f} | | |"
        )
    seed = [r for r in results if r.seed_pairs[1]]
    if seed:
        found, total = seed[0].seed_pairs
        lines.append(f"\nSeed clause 3 `appliedIn` pairs found: {found} / {total}" + (" ✓" if found == total else " ✗"))
    return "\n".join(lines)


def targets_met(results: list[PartResult]) -> bool:
    for r in results:
        for part, (tp, tr) in TARGETS.items():
            p, rec = r.tallies[part].scores()
            if p < tp or rec < tr:
                return False
        if r.seed_pairs[1] and r.seed_pairs[0] < r.seed_pairs[1]:
            return False
    return True


def run(lexicon, realdocs: Path | None, verbose: bool = False, show_test: bool = False) -> tuple[str, bool, list[str]]:
    """Score the dev and test parts; return (Markdown tables, targets met, log lines)."""
    results = [evaluate(DEV, "dev", lexicon, realdocs), evaluate(TEST, "test (held out)", lexicon, realdocs)]
    log: list[str] = []
    for r in results:
        if verbose and (show_test or r.name == "dev"):
            log += [f"[{r.name}] {e}" for e in r.errors]
    return table(results), targets_met(results), log
