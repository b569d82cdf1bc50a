"""Compare two documents: what they share and what the second one adds.

Entities (countries, organisations, technologies, sectors mentioned or signing) are split
into shared / only in A / only in B. Commitments are compared as (action, policy area)
pairs — "both promise to *strengthen* *security*; only B promises to *build* *digital
infrastructure*" — with the number of commitments behind each pair in A and in B, and the
policy areas with the number of commitments each document makes in them. Each clause of B is matched with the clause of A whose
mentioned entities overlap most (Jaccard index of the two entity sets); a clause of B is
*new* when no clause of A reaches ``threshold`` (default 0.5) and none has the same
heading. Every fact comes from SPARQL through a :class:`~kg.engine.QueryEngine`, so the
same comparison works on the local store, in the web app and on a remote endpoint.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import NotFound, QueryError
from ..core.iris import DEFAULT_BASE, document_iri, is_safe_iri, slugify
from ..core.vocab import ENTITY_TYPES

if TYPE_CHECKING:
    from ..query.engines import QueryEngine

DEFAULT_THRESHOLD = 0.5
_TYPE_ORDER = {name: i for i, name in enumerate(ENTITY_TYPES)}


@dataclass(frozen=True)
class EntityInfo:
    """An entity with its type and labels."""

    iri: str
    type: str
    zh: str = ""
    en: str = ""


@dataclass
class ClauseMatch:
    """A clause of B and its closest clause of A."""

    clause: int
    iri: str
    heading: str
    entities: int
    best_match: int | None
    best_iri: str | None
    best_heading: str | None
    jaccard: float
    new: bool
    shared_entities: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CommitmentPair:
    """An (action, policy area) pair and the number of commitments of each document that make it."""

    action: str
    action_zh: str
    action_en: str
    area: str
    area_zh: str
    area_en: str
    in_a: int
    in_b: int


@dataclass(frozen=True)
class AreaCount:
    """A policy area and the number of commitments each document makes in it."""

    area: str
    zh: str
    en: str
    in_a: int
    in_b: int


@dataclass
class Comparison:
    """The comparison of two documents."""

    a: dict[str, Any]
    b: dict[str, Any]
    shared: list[EntityInfo]
    only_a: list[EntityInfo]
    only_b: list[EntityInfo]
    clauses: list[ClauseMatch]
    threshold: float
    #: every (action, area) pair either document commits to, sorted by the commitments behind it
    pairs: list[CommitmentPair] = field(default_factory=list)
    #: every policy area either document commits to
    areas: list[AreaCount] = field(default_factory=list)
    #: commitments of each document (also those without a policy area)
    commitments_a: int = 0
    commitments_b: int = 0

    def pair_split(self) -> dict[str, list[CommitmentPair]]:
        """The pairs both documents make, only A makes, only B makes."""
        return {
            "shared": [p for p in self.pairs if p.in_a and p.in_b],
            "only_in_a": [p for p in self.pairs if p.in_a and not p.in_b],
            "only_in_b": [p for p in self.pairs if p.in_b and not p.in_a],
        }

    def as_dict(self) -> dict[str, Any]:
        """Return plain data (the ``--format json`` and ``/compare`` JSON shape)."""
        return {
            "a": self.a,
            "b": self.b,
            "threshold": self.threshold,
            "summary": {
                "shared_entities": len(self.shared),
                "only_in_a": len(self.only_a),
                "only_in_b": len(self.only_b),
                "clauses_in_b": len(self.clauses),
                "new_clauses_in_b": sum(1 for c in self.clauses if c.new),
                "commitments_in_a": self.commitments_a,
                "commitments_in_b": self.commitments_b,
                "shared_commitment_pairs": sum(1 for p in self.pairs if p.in_a and p.in_b),
                "commitment_pairs_only_in_a": sum(1 for p in self.pairs if p.in_a and not p.in_b),
                "commitment_pairs_only_in_b": sum(1 for p in self.pairs if p.in_b and not p.in_a),
                "shared_policy_areas": sum(1 for r in self.areas if r.in_a and r.in_b),
                "policy_areas_only_in_a": sum(1 for r in self.areas if r.in_a and not r.in_b),
                "policy_areas_only_in_b": sum(1 for r in self.areas if r.in_b and not r.in_a),
            },
            "entities": {
                "shared": [asdict(e) for e in self.shared],
                "only_in_a": [asdict(e) for e in self.only_a],
                "only_in_b": [asdict(e) for e in self.only_b],
            },
            "clauses": [asdict(c) for c in self.clauses],
            "commitments": {key: [asdict(p) for p in pairs] for key, pairs in self.pair_split().items()},
            "policy_areas": [asdict(r) for r in self.areas],
        }


def resolve_document(engine: QueryEngine, ref: str, base: str = DEFAULT_BASE) -> str:
    """Turn a slug, file name or IRI into the IRI of a document in the graph.

    Raises:
        NotFound: no such document (the message lists a few that exist).
    """
    ref = ref.strip()
    if ref.startswith(("http://", "https://", "urn:")):
        candidates = [ref.strip("<>")]
    else:
        name = Path(ref).name
        candidates = [document_iri(slugify(name), base), document_iri(name, base)]
    for iri in candidates:
        _check_iri(iri)
        if engine.select(f"SELECT ?t WHERE {{ <{iri}> a dsr:Document }} LIMIT 1"):
            return iri
    known = [r["d"].value for r in engine.select("SELECT ?d WHERE { ?d a dsr:Document } ORDER BY ?d LIMIT 5")]
    raise NotFound(
        f"no document {ref!r} in the graph (looked for <{candidates[0]}>); "
        f"give a slug or IRI, e.g. {', '.join(known) or '(the graph has no documents; run kg build)'}"
    )


def _check_iri(iri: str) -> None:
    if not is_safe_iri(iri):
        raise QueryError(f"not a valid IRI: {iri!r}")


def _document_info(engine: QueryEngine, iri: str) -> dict[str, Any]:
    rows = engine.select(
        f"""SELECT ?title ?lang (COUNT(DISTINCT ?c) AS ?clauses) WHERE {{
              <{iri}> a dsr:Document . OPTIONAL {{ <{iri}> dcterms:title ?title }}
              OPTIONAL {{ <{iri}> dcterms:language ?lang }} OPTIONAL {{ <{iri}> dsr:hasClause ?c }}
            }} GROUP BY ?title ?lang"""
    )
    row = rows[0] if rows else {}
    return {
        "iri": iri,
        "title": row["title"].value if row.get("title") is not None else "",
        "language": row["lang"].value if row.get("lang") is not None else "",
        "clauses": int(row["clauses"].value) if row.get("clauses") is not None else 0,
    }


def _entities(engine: QueryEngine, docs: tuple[str, str]) -> dict[str, dict[str, EntityInfo]]:
    values = " ".join(f"<{d}>" for d in docs)
    types = " ".join(f"dsr:{t}" for t in ENTITY_TYPES)
    rows = engine.select(
        f"""SELECT DISTINCT ?d ?e ?t ?zh ?en WHERE {{
              VALUES ?d {{ {values} }}
              {{ ?d dsr:hasClause ?c . ?c dsr:mentions ?e }} UNION {{ ?d dsr:signatory ?e }}
              ?e a ?t . VALUES ?t {{ {types} }}
              OPTIONAL {{ ?e rdfs:label ?zh FILTER(langMatches(lang(?zh), "zh")) }}
              OPTIONAL {{ ?e rdfs:label ?en FILTER(langMatches(lang(?en), "en")) }}
            }}"""
    )
    out: dict[str, dict[str, EntityInfo]] = {d: {} for d in docs}
    for r in rows:
        doc, iri = r["d"].value, r["e"].value
        kind = r["t"].value.rsplit("#", 1)[-1]
        zh = r["zh"].value if r.get("zh") is not None else ""
        en = r["en"].value if r.get("en") is not None else ""
        old = out[doc].get(iri)
        if old is None or (zh, en) < (old.zh or "\uffff", old.en or "\uffff"):  # deterministic label choice
            out[doc][iri] = EntityInfo(iri, kind, zh or (old.zh if old else ""), en or (old.en if old else ""))
    return out


def _clauses(engine: QueryEngine, doc: str) -> list[tuple[int, str, str, frozenset[str]]]:
    rows = engine.select(
        f"""SELECT ?c ?n ?h ?e WHERE {{
              <{doc}> dsr:hasClause ?c . ?c dsr:clauseNumber ?n .
              OPTIONAL {{ ?c dsr:heading ?h }} OPTIONAL {{ ?c dsr:mentions ?e }} }}"""
    )
    by_clause: dict[str, list[Any]] = {}
    for r in rows:
        entry = by_clause.setdefault(
            r["c"].value, [int(r["n"].value), r["h"].value if r.get("h") is not None else "", set()]
        )
        if r.get("e") is not None:
            entry[2].add(r["e"].value)
    return sorted((n, iri, h, frozenset(es)) for iri, (n, h, es) in by_clause.items())


def _labelled(row: dict[str, Any], var: str) -> tuple[str, str]:
    zh = row.get(f"{var}_zh")
    en = row.get(f"{var}_en")
    return (zh.value if zh is not None else "", en.value if en is not None else "")


def _commitments(
    engine: QueryEngine, docs: tuple[str, str]
) -> tuple[list[CommitmentPair], list[AreaCount], dict[str, int]]:
    """The (action, area) pairs, the policy areas and the commitment totals of two documents."""
    values = " ".join(f"<{d}>" for d in sorted(set(docs)))
    pair_rows = engine.select(
        f"""SELECT ?d ?act ?area (COUNT(DISTINCT ?c) AS ?n)
                   (MIN(STR(?azh)) AS ?act_zh) (MIN(STR(?aen)) AS ?act_en)
                   (MIN(STR(?pzh)) AS ?area_zh) (MIN(STR(?pen)) AS ?area_en) WHERE {{
              VALUES ?d {{ {values} }}
              ?c a dsr:Commitment ; dsr:inDocument ?d ; dsr:action ?act ; dsr:policyArea ?area .
              OPTIONAL {{ ?act rdfs:label ?azh FILTER(langMatches(lang(?azh), "zh")) }}
              OPTIONAL {{ ?act rdfs:label ?aen FILTER(langMatches(lang(?aen), "en")) }}
              OPTIONAL {{ ?area rdfs:label ?pzh FILTER(langMatches(lang(?pzh), "zh")) }}
              OPTIONAL {{ ?area rdfs:label ?pen FILTER(langMatches(lang(?pen), "en")) }}
            }} GROUP BY ?d ?act ?area"""
    )
    area_rows = engine.select(
        f"""SELECT ?d ?area (COUNT(DISTINCT ?c) AS ?n) WHERE {{
              VALUES ?d {{ {values} }}
              ?c a dsr:Commitment ; dsr:inDocument ?d ; dsr:policyArea ?area .
            }} GROUP BY ?d ?area"""
    )
    total_rows = engine.select(
        f"""SELECT ?d (COUNT(DISTINCT ?c) AS ?n) WHERE {{
              VALUES ?d {{ {values} }}
              ?c a dsr:Commitment ; dsr:inDocument ?d .
            }} GROUP BY ?d"""
    )

    def slots(doc: str) -> list[int]:
        return [i for i, d in enumerate(docs) if d == doc]  # both when a document is compared with itself

    counts: dict[tuple[str, str], list[int]] = {}
    labels: dict[str, tuple[str, str]] = {}
    for r in pair_rows:
        act, area = r["act"].value, r["area"].value
        labels.setdefault(act, _labelled(r, "act"))
        labels.setdefault(area, _labelled(r, "area"))
        for i in slots(r["d"].value):
            counts.setdefault((act, area), [0, 0])[i] += int(r["n"].value)
    area_counts: dict[str, list[int]] = {}
    for r in area_rows:
        for i in slots(r["d"].value):
            area_counts.setdefault(r["area"].value, [0, 0])[i] += int(r["n"].value)
    totals = {r["d"].value: int(r["n"].value) for r in total_rows}

    def key(iri: str) -> str:
        return iri.rstrip("/").rsplit("/", 1)[-1]

    pairs = [
        CommitmentPair(key(act), *labels.get(act, ("", "")), key(area), *labels.get(area, ("", "")), n[0], n[1])
        for (act, area), n in counts.items()
    ]
    pairs.sort(key=lambda p: (-(p.in_a + p.in_b), p.area, p.action))
    areas = [AreaCount(key(area), *labels.get(area, ("", "")), n[0], n[1]) for area, n in area_counts.items()]
    areas.sort(key=lambda r: (-(r.in_a + r.in_b), r.area))
    return pairs, areas, totals


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """Return |a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _sort_key(e: EntityInfo) -> tuple:
    return (_TYPE_ORDER.get(e.type, 99), e.en.lower() or e.zh, e.iri)


def compare_documents(
    engine: QueryEngine, a: str, b: str, *, threshold: float = DEFAULT_THRESHOLD, base: str = DEFAULT_BASE
) -> Comparison:
    """Compare document ``b`` with document ``a`` (slugs, file names or IRIs).

    Raises:
        NotFound: a document is not in the graph.
        QueryError: a reference is not a valid IRI.
    """
    iri_a, iri_b = resolve_document(engine, a, base), resolve_document(engine, b, base)
    entities = _entities(engine, (iri_a, iri_b))
    ents_a, ents_b = entities[iri_a], entities[iri_b]
    shared = sorted((ents_b[k] for k in ents_a.keys() & ents_b.keys()), key=_sort_key)
    only_a = sorted((ents_a[k] for k in ents_a.keys() - ents_b.keys()), key=_sort_key)
    only_b = sorted((ents_b[k] for k in ents_b.keys() - ents_a.keys()), key=_sort_key)

    clauses_a = _clauses(engine, iri_a)
    matches: list[ClauseMatch] = []
    for number, iri, heading, ents in _clauses(engine, iri_b):
        best: tuple[float, int, int, str, str, frozenset[str]] | None = None
        for n_a, iri_a_clause, heading_a, ents_a_clause in clauses_a:
            score = jaccard(ents, ents_a_clause)
            same_heading = int(bool(heading) and heading == heading_a)
            key = (score, same_heading, -n_a)
            if best is None or key > best[:3]:
                best = (score, same_heading, -n_a, iri_a_clause, heading_a, ents_a_clause)
        if best is None:
            matches.append(ClauseMatch(number, iri, heading, len(ents), None, None, None, 0.0, True))
            continue
        score, same_heading, neg_n, best_iri, best_heading, best_ents = best
        matches.append(
            ClauseMatch(
                clause=number,
                iri=iri,
                heading=heading,
                entities=len(ents),
                best_match=-neg_n,
                best_iri=best_iri,
                best_heading=best_heading,
                jaccard=round(score, 4),
                new=score < threshold and not same_heading,
                shared_entities=sorted(ents & best_ents),
            )
        )
    pairs, areas, totals = _commitments(engine, (iri_a, iri_b))
    return Comparison(
        a=_document_info(engine, iri_a),
        b=_document_info(engine, iri_b),
        shared=shared,
        only_a=only_a,
        only_b=only_b,
        clauses=matches,
        threshold=threshold,
        pairs=pairs,
        areas=areas,
        commitments_a=totals.get(iri_a, 0),
        commitments_b=totals.get(iri_b, 0),
    )


def render_table(comparison: Comparison, *, limit: int | None = None) -> str:
    """Render a comparison as plain-text tables."""
    c = comparison
    lines = [
        f"A: {c.a['title'] or c.a['iri']}  <{c.a['iri']}>",
        f"B: {c.b['title'] or c.b['iri']}  <{c.b['iri']}>",
        f"entities: {len(c.shared)} shared, {len(c.only_a)} only in A, {len(c.only_b)} only in B",
        "",
    ]
    for title, entities in (("shared", c.shared), ("only in A", c.only_a), ("only in B", c.only_b)):
        lines.append(f"== {title} ({len(entities)})")
        shown = entities if limit is None else entities[:limit]
        for e in shown:
            lines.append(f"  {e.type:<13} {e.zh or '-'} / {e.en or '-'}  <{e.iri}>")
        if len(shown) < len(entities):
            lines.append(f"  … {len(entities) - len(shown)} more (--format json lists all)")
        lines.append("")
    new = sum(1 for m in c.clauses if m.new)
    lines.append(f"== clauses of B ({len(c.clauses)}; {new} new at Jaccard < {c.threshold:g})")
    lines.append(f"  {'B':>3}  {'best A':>6}  {'Jaccard':>7}  {'new':<3}  heading of B")
    for m in c.clauses:
        best = "-" if m.best_match is None else str(m.best_match)
        heading = m.heading if len(m.heading) <= 60 else m.heading[:59] + "…"
        lines.append(f"  {m.clause:>3}  {best:>6}  {m.jaccard:>7.3f}  {'yes' if m.new else 'no':<3}  {heading}")
    lines.append("")
    lines.extend(_render_commitments(c, limit))
    return "\n".join(lines) + "\n"


def _render_commitments(c: Comparison, limit: int | None) -> list[str]:
    """The commitment sections of :func:`render_table`: totals, (action, area) pairs, policy areas."""
    lines = [f"承诺 commitments: A {c.commitments_a}, B {c.commitments_b}"]
    titles = {
        "shared": "两份文件都作出的承诺（行动 · 政策领域）commitments both make (action · policy area)",
        "only_in_a": "仅 A 作出的承诺 commitments only A makes",
        "only_in_b": "仅 B 作出的承诺 commitments only B makes",
    }
    for key, pairs in c.pair_split().items():
        lines.append(f"== {titles[key]} ({len(pairs)})")
        shown = pairs if limit is None else pairs[:limit]
        for p in shown:
            lines.append(
                f"  A {p.in_a:>3}  B {p.in_b:>3}  {p.action_zh or p.action} {p.action_en or p.action} · "
                f"{p.area_zh or p.area} {p.area_en or p.area}"
            )
        if len(shown) < len(pairs):
            lines.append(f"  … {len(pairs) - len(shown)} more (--format json lists all)")
        lines.append("")
    lines.append(f"== 政策领域的承诺数 commitments by policy area ({len(c.areas)})")
    lines.append(f"  {'A':>4}  {'B':>4}  {'':<6}  policy area")
    for r in c.areas:
        where = "共有 both" if r.in_a and r.in_b else ("仅 A only A" if r.in_a else "仅 B only B")
        lines.append(f"  {r.in_a:>4}  {r.in_b:>4}  {where:<6}  {r.zh or r.area} {r.en or r.area}")
    return lines
