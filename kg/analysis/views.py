"""Relation views: NetworkX graphs built from SPARQL over the store.

Every view is read through a :class:`kg.query.engines.QueryEngine` (``engine.select``), never
from the extraction stage, so the same code serves the local store, worker processes or
a remote endpoint. Each view is one aggregating SPARQL query for its edges plus one
query for the labels of the nodes it found.

=====================  ===============================================================
view                   nodes and edge weight
=====================  ===============================================================
clause-entity          clauses and the entities they mention; weight = number of
                       mentions (annotations) of the entity in the clause
cooccurrence           entities; weight = number of clauses mentioning both; edge
                       attribute ``clauses`` lists them as ``slug#n;slug#m``
technology-sector      technologies and the sectors the text applies them in: the typed
                       relation ``dsr:appliedIn`` (its ``dsr:RelationMention`` records);
                       weight = number of sentences stating it; edge attributes
                       ``relation`` (``appliedIn``), ``label`` (``应用于 applied in``)
                       and ``sentences`` (``slug#n.k;…``)
technology-sector-     technologies and sectors; weight = number of sentences where
cooccurrence           both are mentioned (annotations carry ``dsr:inSentence``);
                       edge attribute ``sentences`` lists them as ``slug#n.k``
commitments            bipartite: who commits (a document's parties, a country, an
                       organisation, a government body, all countries) and the policy
                       areas of the commitments; weight = number of commitments; edge
                       attributes ``relation`` (``commitment``), ``label``, ``actions``
                       (``promote 5; strengthen 3``), ``actions_zh`` and ``sentences``
country-document       countries and documents; an edge when the country is a
                       signatory of the document or is mentioned in it; attribute
                       ``relation`` (``signatory`` or ``mentioned``), weight = number
                       of clauses of the document that mention it (at least 1)
organisation-clause    organisations and the clauses that mention them; weight =
                       number of mentions
=====================  ===============================================================

A view contains its edges and their end nodes: nodes left without an edge by a filter
are dropped. The co-occurrence view also contains every entity the clauses mention, one
mentioned alone in its clause included (an isolated node), unless ``min_weight`` above 1
asks for links. Views are extensible: a :class:`ViewSpec` names its entity types (from
:data:`kg.core.vocab.ENTITY_TYPES`, so new types join without code changes), its edge
query and optionally a node query. Node ids are IRIs (``str``); node
attributes are ``type``, ``label_zh``, ``label_en``, ``iri`` (and ``document``,
``clause_number``, ``heading`` on clauses), plus the metrics of :mod:`kg.metrics`;
edges carry an ``int`` ``weight``. Every attribute value is a plain ``str``, ``int`` or
``float`` (NetworkX's GEXF and GraphML writers look values up by exact type).
Nodes and edges are inserted in sorted order, so layouts and community detection with
fixed seeds give the same result for the same store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.errors import NotFound, ViewError
from ..core.iris import is_safe_iri
from ..core.resources import class_labels
from ..core.vocab import DSR, ENTITY_TYPES

if TYPE_CHECKING:
    import networkx as nx

    from ..query.engines import QueryEngine

_DSR = str(DSR)
_CLAUSE_RE = re.compile(r"/document/([^/]+)/clause/(\d+)$")
_SENTENCE_RE = re.compile(r"/document/([^/]+)/clause/(\d+)/sentence/(\d+)$")
_VALUES_CHUNK = 400


@dataclass(frozen=True)
class ViewSpec:
    """One named view: what it links, and the function that builds its edges."""

    name: str
    title: str
    description: str
    #: entity types the view contains (a type filter must name at least one of them)
    entity_types: tuple[str, ...]
    #: structural node types the view contains (Clause, Document)
    structural_types: tuple[str, ...]
    edges: Callable[[QueryEngine, ViewFilter], list[EdgeRow]] = field(repr=False, compare=False)
    #: edge attribute names besides ``weight``, for documentation
    edge_attributes: tuple[str, ...] = ()
    #: the title and description in Chinese (``title``/``description`` are English)
    title_zh: str = ""
    description_zh: str = ""
    #: nodes the view contains even without an edge (IRI → type), e.g. an entity that is
    #: the only one mentioned in its clause; kept unless ``min_weight`` asks for edges
    nodes: Callable[[QueryEngine, ViewFilter], dict[str, str]] | None = field(default=None, repr=False, compare=False)

    def text(self, lang: str) -> tuple[str, str]:
        """Return (title, description) in ``zh`` or ``en``."""
        if lang == "zh" and self.title_zh:
            return self.title_zh, self.description_zh or self.description
        return self.title, self.description


@dataclass(frozen=True)
class ViewFilter:
    """Filters applied while a view is built.

    Attributes:
        documents: document IRIs (already resolved); empty for every document.
        types: entity type names (``Technology`` …); empty for every type of the view.
        min_weight: edges lighter than this are dropped (with nodes left isolated).
    """

    documents: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    min_weight: int = 1


@dataclass
class EdgeRow:
    """One edge found by a view query: ``source``/``target`` IRIs, weight and attributes."""

    source: str
    target: str
    weight: int
    attrs: dict[str, str | int | float] = field(default_factory=dict)
    #: types of the end nodes as far as the query knows them (IRI → type name)
    types: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- SPARQL helpers


def _value(term: Any) -> str | None:
    """Return the lexical value of a pyoxigraph term (or a plain value), None for unbound."""
    if term is None:
        return None
    return getattr(term, "value", None) if hasattr(term, "value") else str(term)


def _node(term: Any) -> str:
    """Return the IRI of a variable every solution binds (an edge's end)."""
    value = _value(term)
    if value is None:
        raise ViewError("a view query returned an edge without an end node")
    return value


def _int(term: Any, default: int = 0) -> int:
    text = _value(term)
    try:
        return int(float(text)) if text is not None else default
    except ValueError:
        return default


def _iri(iri: str) -> str:
    if not is_safe_iri(iri):
        raise ViewError(f"not a usable IRI: {iri!r}")
    return f"<{iri}>"


def _type_values(var: str, types: Iterable[str]) -> str:
    return f"VALUES ?{var} {{ " + " ".join(f"dsr:{t}" for t in types) + " }"


def _doc_values(var: str, flt: ViewFilter) -> str:
    if not flt.documents:
        return ""
    return f"VALUES ?{var} {{ " + " ".join(_iri(d) for d in flt.documents) + " }"


def _type_name(iri: str | None) -> str | None:
    if iri and iri.startswith(_DSR):
        return iri[len(_DSR) :]
    return None


def _types_for(spec_types: Sequence[str], flt: ViewFilter) -> tuple[str, ...]:
    if not flt.types:
        return tuple(spec_types)
    return tuple(t for t in spec_types if t in flt.types)


def clause_ref(iri: str) -> str:
    """Return ``slug#n`` for a clause IRI (the IRI itself when it has another shape)."""
    m = _CLAUSE_RE.search(iri)
    return f"{m.group(1)}#{m.group(2)}" if m else iri


def sentence_ref(iri: str) -> str:
    """Return ``slug#n.k`` for a sentence IRI (the IRI itself when it has another shape)."""
    m = _SENTENCE_RE.search(iri)
    return f"{m.group(1)}#{m.group(2)}.{m.group(3)}" if m else iri


def _ref_key(ref: str) -> tuple:
    slug, _, rest = ref.partition("#")
    return (slug, tuple(int(p) if p.isdigit() else 0 for p in rest.split(".")), ref)


def _join_refs(concat: str | None, convert: Callable[[str], str]) -> str:
    refs = {convert(part) for part in (concat or "").split(" ") if part}
    return ";".join(sorted(refs, key=_ref_key))


# ---------------------------------------------------------------- edge queries


def _mention_edges(engine: QueryEngine, flt: ViewFilter, types: Sequence[str]) -> list[EdgeRow]:
    """Clause–entity edges weighted by the number of annotations (at least 1)."""
    if not types:
        return []
    query = f"""
SELECT ?c ?e ?t (COUNT(DISTINCT ?a) AS ?w) WHERE {{
  {_doc_values("d", flt)}
  ?c dsr:mentions ?e ; dcterms:isPartOf ?d .
  {_type_values("t", types)}
  ?e a ?t .
  OPTIONAL {{ ?a oa:hasBody ?e ; oa:hasTarget ?tg . ?tg oa:hasSource ?c . }}
}} GROUP BY ?c ?e ?t"""
    rows = []
    for r in engine.select(query):
        c, e, t = _node(r["c"]), _node(r["e"]), _type_name(_value(r["t"]))
        rows.append(EdgeRow(c, e, max(1, _int(r["w"])), types={c: "Clause", e: t or "Entity"}))
    return rows


def _clause_entity(engine: QueryEngine, flt: ViewFilter) -> list[EdgeRow]:
    return _mention_edges(engine, flt, _types_for(VIEWS["clause-entity"].entity_types, flt))


def _organisation_clause(engine: QueryEngine, flt: ViewFilter) -> list[EdgeRow]:
    return _mention_edges(engine, flt, _types_for(("Organisation",), flt))


def _cooccurrence(engine: QueryEngine, flt: ViewFilter) -> list[EdgeRow]:
    types = _types_for(VIEWS["cooccurrence"].entity_types, flt)
    query = f"""
SELECT ?e1 ?e2 ?t1 ?t2 (COUNT(DISTINCT ?c) AS ?w) (GROUP_CONCAT(DISTINCT STR(?c); separator=" ") AS ?cs) WHERE {{
  {_doc_values("d", flt)}
  ?c dsr:mentions ?e1 , ?e2 ; dcterms:isPartOf ?d .
  FILTER(STR(?e1) < STR(?e2))
  {_type_values("t1", types)}
  {_type_values("t2", types)}
  ?e1 a ?t1 . ?e2 a ?t2 .
}} GROUP BY ?e1 ?e2 ?t1 ?t2"""
    rows = []
    for r in engine.select(query):
        a, b = _node(r["e1"]), _node(r["e2"])
        rows.append(
            EdgeRow(
                a,
                b,
                _int(r["w"]),
                {"clauses": _join_refs(_value(r["cs"]), clause_ref)},
                types={a: _type_name(_value(r["t1"])) or "Entity", b: _type_name(_value(r["t2"])) or "Entity"},
            )
        )
    return rows


def _mentioned_entities(engine: QueryEngine, flt: ViewFilter) -> dict[str, str]:
    """Every entity a clause mentions (IRI → type): the co-occurrence view's nodes, also those
    mentioned alone in their clause (no co-occurrence edge)."""
    types = _types_for(VIEWS["cooccurrence"].entity_types, flt)
    if not types:
        return {}
    query = f"""
SELECT DISTINCT ?e ?t WHERE {{
  {_doc_values("d", flt)}
  ?c dsr:mentions ?e ; dcterms:isPartOf ?d .
  {_type_values("t", types)}
  ?e a ?t .
}}"""
    out: dict[str, str] = {}
    for r in engine.select(query):
        e, t = _node(r["e"]), _type_name(_value(r["t"])) or "Entity"
        if out.get(e) in (None, "Entity"):
            out[e] = t
    return out


def _relation_label(name: str) -> str:
    """Return the readable name of a ``dsr:`` property in both languages (``应用于 applied in``)."""
    labels = class_labels().get(name, {})
    zh, en = labels.get("zh", ""), labels.get("en", name)
    return f"{zh} {en}".strip() if zh != en else en


def _technology_sector(engine: QueryEngine, flt: ViewFilter) -> list[EdgeRow]:
    """Technology → sector edges of the typed relation ``dsr:appliedIn``, one per pair,
    weighted by the number of sentences whose relation mention states it."""
    types = _types_for(("Technology", "Sector"), flt)
    if types != ("Technology", "Sector"):
        return []
    query = f"""
SELECT ?x ?y (COUNT(DISTINCT ?s) AS ?w) (GROUP_CONCAT(DISTINCT STR(?s); separator=" ") AS ?ss) WHERE {{
  {_doc_values("d", flt)}
  ?m a dsr:RelationMention ; rdf:predicate dsr:appliedIn ; rdf:subject ?x ; rdf:object ?y ;
     dsr:inSentence ?s ; dsr:inDocument ?d .
  ?x a dsr:Technology .
  ?y a dsr:Sector .
}} GROUP BY ?x ?y"""
    label = _relation_label("appliedIn")
    rows = []
    for r in engine.select(query):
        x, y = _node(r["x"]), _node(r["y"])
        rows.append(
            EdgeRow(
                x,
                y,
                _int(r["w"]),
                {"relation": "appliedIn", "label": label, "sentences": _join_refs(_value(r["ss"]), sentence_ref)},
                types={x: "Technology", y: "Sector"},
            )
        )
    return rows


#: Actor types of the commitments view, most specific first (an actor typed twice takes the first).
_ACTOR_TYPES = ("Parties", "Group", "Country", "Organisation", "GovernmentBody")


def _commitments(engine: QueryEngine, flt: ViewFilter) -> list[EdgeRow]:
    """Actor → policy area edges: the number of commitments of that actor in that area, and
    how many of them take each action."""
    entity_types = _types_for(VIEWS["commitments"].entity_types, flt)
    allowed = {"Parties", "Group", *entity_types, *(() if flt.types else ("Entity",))}
    body = f"""{_doc_values("d", flt)}
    ?c a dsr:Commitment ; dsr:inDocument ?d ; dsr:actor ?actor ; dsr:policyArea ?area ."""
    query = f"""
SELECT ?actor ?area ?act ?n ?w ?ss WHERE {{
  {{ SELECT ?actor ?area ?act (COUNT(DISTINCT ?c) AS ?n) WHERE {{
    {body}
    ?c dsr:action ?act .
  }} GROUP BY ?actor ?area ?act }}
  {{ SELECT ?actor ?area (COUNT(DISTINCT ?c) AS ?w) (GROUP_CONCAT(DISTINCT STR(?s); separator=" ") AS ?ss) WHERE {{
    {body}
    OPTIONAL {{ ?c dsr:inSentence ?s }}
  }} GROUP BY ?actor ?area }}
}}"""
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for r in engine.select(query):
        key = (_node(r["actor"]), _node(r["area"]))
        entry = pairs.setdefault(key, {"w": _int(r["w"]), "ss": _value(r["ss"]), "actions": {}})
        entry["actions"][_node(r["act"])] = _int(r["n"])
    if not pairs:
        return []
    actor_types = _typed(engine, sorted({a for a, _ in pairs}), _ACTOR_TYPES)
    action_labels = _entity_cards(engine, sorted({act for e in pairs.values() for act in e["actions"]}))
    label = _relation_label("Commitment").lower()
    rows = []
    for (actor, area), entry in sorted(pairs.items()):
        kind = actor_types.get(actor, "Entity")
        if kind not in allowed:
            continue
        ranked = sorted(entry["actions"].items(), key=lambda kv: (-kv[1], _fallback_label(kv[0])))
        rows.append(
            EdgeRow(
                actor,
                area,
                entry["w"],
                {
                    "relation": "commitment",
                    "label": label,
                    "actions": "; ".join(f"{_action_key(a)} {n}" for a, n in ranked),
                    "actions_zh": "；".join(
                        f"{action_labels.get(a, {}).get('zh') or _action_key(a)} {n}" for a, n in ranked
                    ),
                    "sentences": _join_refs(entry["ss"], sentence_ref),
                },
                types={actor: kind, area: "PolicyArea"},
            )
        )
    return rows


def _action_key(iri: str) -> str:
    """``promote`` for ``…/id/action/promote``."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _typed(engine: QueryEngine, iris: Sequence[str], order: Sequence[str]) -> dict[str, str]:
    """Return the type of each IRI among ``order`` (the first that applies; ``Entity`` when none)."""
    out: dict[str, str] = {}
    rank = {t: i for i, t in enumerate(order)}
    for chunk in _chunks(list(iris)):
        query = f"""
SELECT ?x ?t WHERE {{
  VALUES ?x {{ {" ".join(_iri(i) for i in chunk)} }}
  {_type_values("t", order)}
  ?x a ?t .
}}"""
        for r in engine.select(query):
            x, t = _node(r["x"]), _type_name(_value(r["t"])) or "Entity"
            if x not in out or rank.get(t, 99) < rank.get(out[x], 99):
                out[x] = t
    for iri in iris:
        out.setdefault(iri, "Entity")
    return out


def _technology_sector_cooccurrence(engine: QueryEngine, flt: ViewFilter) -> list[EdgeRow]:
    types = _types_for(("Technology", "Sector"), flt)
    if types != ("Technology", "Sector"):
        # one side filtered away: no technology–sector pair can remain
        return []
    doc = ""
    if flt.documents:
        doc = f"{_doc_values('d', flt)}\n  ?s dcterms:isPartOf ?c . ?c dcterms:isPartOf ?d ."
    query = f"""
SELECT ?x ?y (COUNT(DISTINCT ?s) AS ?w) (GROUP_CONCAT(DISTINCT STR(?s); separator=" ") AS ?ss) WHERE {{
  ?a1 oa:hasBody ?x ; dsr:inSentence ?s .
  ?x a dsr:Technology .
  ?a2 oa:hasBody ?y ; dsr:inSentence ?s .
  ?y a dsr:Sector .
  {doc}
}} GROUP BY ?x ?y"""
    rows = []
    for r in engine.select(query):
        x, y = _node(r["x"]), _node(r["y"])
        rows.append(
            EdgeRow(
                x,
                y,
                _int(r["w"]),
                {"sentences": _join_refs(_value(r["ss"]), sentence_ref)},
                types={x: "Technology", y: "Sector"},
            )
        )
    return rows


def _country_document(engine: QueryEngine, flt: ViewFilter) -> list[EdgeRow]:
    if not _types_for(("Country",), flt):
        return []
    query = f"""
SELECT ?x ?d (MAX(?sig) AS ?signatory) (COUNT(DISTINCT ?c) AS ?w) WHERE {{
  {_doc_values("d", flt)}
  {{ ?d dsr:signatory ?x . BIND(1 AS ?sig) }}
  UNION
  {{ ?c dsr:mentions ?x ; dcterms:isPartOf ?d . BIND(0 AS ?sig) }}
  ?x a dsr:Country .
  ?d a dsr:Document .
}} GROUP BY ?x ?d"""
    rows = []
    for r in engine.select(query):
        x, d = _node(r["x"]), _node(r["d"])
        clauses = _int(r["w"])
        signatory = _int(r["signatory"]) == 1
        rows.append(
            EdgeRow(
                x,
                d,
                max(1, clauses),
                {"relation": "signatory" if signatory else "mentioned", "mention_clauses": clauses},
                types={x: "Country", d: "Document"},
            )
        )
    return rows


_ALL_ENTITY_TYPES = tuple(ENTITY_TYPES)

VIEWS: dict[str, ViewSpec] = {
    spec.name: spec
    for spec in (
        ViewSpec(
            "clause-entity",
            "Clauses and entities",
            "Bipartite: each clause linked to the entities (countries, organisations, technologies, sectors …) it "
            "mentions; edge weight = number of mentions of the entity in the clause.",
            _ALL_ENTITY_TYPES,
            ("Clause",),
            _clause_entity,
            title_zh="条款与实体",
            description_zh="二部图：每个条款与它提到的实体（国家、组织、技术、行业等）相连；边权重 = 该实体在条款中被提及的次数。",
        ),
        ViewSpec(
            "cooccurrence",
            "Entity co-occurrence",
            "Every entity the clauses mention; two entities are linked when they are mentioned in the same clause; "
            "edge weight = number of such clauses, edge attribute 'clauses' lists them (slug#n).",
            _ALL_ENTITY_TYPES,
            (),
            _cooccurrence,
            ("clauses",),
            title_zh="实体共现",
            description_zh="条款提到的所有实体；两个实体在同一条款中被提及时相连；边权重 = 这样的条款数，边属性 clauses 列出这些条款（slug#n）。",
            nodes=_mentioned_entities,
        ),
        ViewSpec(
            "technology-sector",
            "Technologies applied in sectors",
            "Technologies linked to the sectors a sentence applies them in (the typed relation dsr:appliedIn, "
            "e.g. big data and robotics in agriculture); edge weight = number of sentences stating it, edge "
            "attributes 'relation' (appliedIn), 'label' and 'sentences' (slug#clause.sentence).",
            ("Technology", "Sector"),
            (),
            _technology_sector,
            ("relation", "label", "sentences"),
            title_zh="技术应用于行业",
            description_zh="技术与句子所说的应用行业相连（类型化关系 dsr:appliedIn，例如大数据、机器人应用于农业）；"
            "边权重 = 陈述该关系的句子数，边属性 relation（appliedIn）、label 和 sentences（slug#条款.句子）。",
        ),
        ViewSpec(
            "technology-sector-cooccurrence",
            "Technologies and sectors in the same sentence",
            "Technologies linked to the sectors they are mentioned with in the same sentence, whatever the sentence "
            "says about them; edge weight = number of such sentences, edge attribute 'sentences' lists them "
            "(slug#clause.sentence).",
            ("Technology", "Sector"),
            (),
            _technology_sector_cooccurrence,
            ("sentences",),
            title_zh="同句出现的技术与行业",
            description_zh="技术与在同一句中一起被提及的行业相连（不论句子怎样说它们）；边权重 = 这样的句子数，"
            "边属性 sentences 列出这些句子（slug#条款.句子）。",
        ),
        ViewSpec(
            "commitments",
            "Who commits to what",
            "Bipartite: who commits (a document's parties, a named country, organisation or government body, or "
            "all countries) linked to the policy areas of their commitments; edge weight = number of commitments, "
            "edge attributes 'relation' (commitment), 'actions' (e.g. 'promote 5; strengthen 3'), 'actions_zh' "
            "and 'sentences'.",
            ("Country", "Organisation", "GovernmentBody"),
            ("Parties", "Group", "PolicyArea"),
            _commitments,
            ("relation", "label", "actions", "actions_zh", "sentences"),
            title_zh="谁承诺做什么",
            description_zh="二部图：承诺的主体（文件的各方、具名的国家、组织或政府机构、各国）与其承诺的政策领域相连；"
            "边权重 = 承诺数，边属性 relation（commitment）、actions（如 promote 5; strengthen 3）、"
            "actions_zh（如 促进 5；加强 3）和 sentences。",
        ),
        ViewSpec(
            "country-document",
            "Countries and documents",
            "Countries linked to the documents they sign or are mentioned in; edge attribute 'relation' is "
            "'signatory' or 'mentioned'; edge weight = number of the document's clauses that mention the country (at least 1).",
            ("Country",),
            ("Document",),
            _country_document,
            ("relation", "mention_clauses"),
            title_zh="国家与文件",
            description_zh="国家与它签署或被提及的文件相连；边属性 relation 为 signatory（签署）或 mentioned（提及）；边权重 = 该文件中提到该国的条款数（至少为 1）。",
        ),
        ViewSpec(
            "organisation-clause",
            "Organisations and clauses",
            "Bipartite: organisations linked to the clauses that mention them; edge weight = number of mentions.",
            ("Organisation",),
            ("Clause",),
            _organisation_clause,
            title_zh="组织与条款",
            description_zh="二部图：组织与提到它们的条款相连；边权重 = 提及次数。",
        ),
    )
}


# ---------------------------------------------------------------- filters


def view_spec(name: str) -> ViewSpec:
    """Return the view called ``name``.

    Raises:
        ViewError: no such view (the message lists the views).
    """
    try:
        return VIEWS[name]
    except KeyError:
        raise ViewError(f"unknown view {name!r}; choose one of: {', '.join(VIEWS)}") from None


def normalise_types(values: Iterable[str]) -> tuple[str, ...]:
    """Turn user type names (``technology``, ``Technologies``, ``dsr:Sector`` …) into class names.

    Values may also be comma-separated. Raises ViewError naming the accepted types.
    """
    known: dict[str, str] = {}
    for name, segment in ENTITY_TYPES.items():
        for alias in (name, segment, name + "s", segment + "s", f"dsr:{name}", _DSR + name):
            known[alias.lower()] = name
    known["technologies"] = "Technology"
    known["countries"] = "Country"
    out: list[str] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if not part:
                continue
            found = known.get(part.lower())
            if found is None:
                raise ViewError(f"unknown entity type {part!r}; choose from: {', '.join(ENTITY_TYPES)}")
            if found not in out:
                out.append(found)
    return tuple(sorted(out))


def list_documents(engine: QueryEngine) -> list[dict[str, str]]:
    """Return every document in the store: ``iri``, ``slug``, ``title``, ``source``, sorted by IRI."""
    rows = engine.select(
        """SELECT ?d (MIN(STR(?title)) AS ?t) (MIN(STR(?src)) AS ?s) WHERE {
  ?d a dsr:Document .
  OPTIONAL { ?d dcterms:title ?title }
  OPTIONAL { ?d dcterms:source ?src }
} GROUP BY ?d"""
    )
    docs = []
    for r in rows:
        iri = _value(r["d"]) or ""
        slug = iri.rsplit("/document/", 1)[-1] if "/document/" in iri else iri.rsplit("/", 1)[-1]
        docs.append({"iri": iri, "slug": slug, "title": _value(r["t"]) or slug, "source": _value(r["s"]) or ""})
    return sorted(docs, key=lambda d: d["iri"])


def resolve_documents(engine: QueryEngine, refs: Iterable[str]) -> tuple[str, ...]:
    """Resolve document references (IRI, slug or source file name) to document IRIs.

    Raises:
        NotFound: a reference names no document in the store.
    """
    wanted = [r.strip() for value in refs for r in str(value).split(",") if r.strip()]
    if not wanted:
        return ()
    docs = list_documents(engine)
    found: list[str] = []
    for ref in wanted:
        match = next((d["iri"] for d in docs if ref in (d["iri"], d["slug"], d["source"])), None)
        if match is None:
            known = ", ".join(d["slug"] for d in docs[:10]) or "none (build the store first)"
            raise NotFound(f"no document {ref!r} in the store; give an IRI, slug or file name, e.g. {known}")
        if match not in found:
            found.append(match)
    return tuple(sorted(found))


def make_filter(
    engine: QueryEngine,
    name: str,
    *,
    documents: Iterable[str] = (),
    types: Iterable[str] = (),
    min_weight: int | str | None = 1,
) -> ViewFilter:
    """Validate user filters for view ``name`` and return a :class:`ViewFilter`.

    Raises:
        ViewError: unknown view or type, a type the view does not contain, a bad weight.
        NotFound: an unknown document.
    """
    spec = view_spec(name)
    type_names = normalise_types(types)
    if type_names and not set(type_names) & set(spec.entity_types):
        raise ViewError(
            f"view {name!r} links {', '.join(spec.entity_types)}; the type filter {', '.join(type_names)} leaves nothing"
        )
    try:
        weight = int(min_weight) if min_weight not in (None, "") else 1
    except (TypeError, ValueError):
        raise ViewError(f"minimum weight must be a whole number, not {min_weight!r}") from None
    if weight < 0:
        raise ViewError(f"minimum weight must not be negative ({weight})")
    return ViewFilter(resolve_documents(engine, documents), type_names, weight)


# ---------------------------------------------------------------- node cards


def _chunks(items: Sequence[str], size: int = _VALUES_CHUNK) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _entity_cards(engine: QueryEngine, iris: Sequence[str]) -> dict[str, dict[str, str]]:
    cards: dict[str, dict[str, str]] = {}
    for chunk in _chunks(sorted(iris)):
        query = f"""
SELECT ?e (MIN(STR(?zh)) AS ?lzh) (MIN(STR(?en)) AS ?len) (MIN(STR(?any)) AS ?lany) WHERE {{
  VALUES ?e {{ {" ".join(_iri(i) for i in chunk)} }}
  OPTIONAL {{ ?e rdfs:label ?zh FILTER(LANGMATCHES(LANG(?zh), "zh")) }}
  OPTIONAL {{ ?e rdfs:label ?en FILTER(LANGMATCHES(LANG(?en), "en")) }}
  OPTIONAL {{ ?e rdfs:label ?any }}
}} GROUP BY ?e"""
        for r in engine.select(query):
            cards[_value(r["e"]) or ""] = {
                "zh": _value(r["lzh"]) or "",
                "en": _value(r["len"]) or "",
                "any": _value(r["lany"]) or "",
            }
    return cards


def _clause_cards(engine: QueryEngine, iris: Sequence[str]) -> dict[str, dict[str, Any]]:
    cards: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(iris)):
        query = f"""
SELECT ?c ?d (MIN(?num) AS ?n) (MIN(STR(?h)) AS ?heading) WHERE {{
  VALUES ?c {{ {" ".join(_iri(i) for i in chunk)} }}
  ?c dcterms:isPartOf ?d .
  OPTIONAL {{ ?c dsr:clauseNumber ?num }}
  OPTIONAL {{ ?c dsr:heading ?h }}
}} GROUP BY ?c ?d"""
        for r in engine.select(query):
            cards[_value(r["c"]) or ""] = {
                "document": _value(r["d"]) or "",
                "number": _int(r["n"], -1),
                "heading": _value(r["heading"]) or "",
            }
    return cards


def _parties_cards(engine: QueryEngine, iris: Sequence[str]) -> dict[str, dict[str, str]]:
    """The document and its title for each parties node (``<doc> dsr:parties <doc>/parties``)."""
    cards: dict[str, dict[str, str]] = {}
    for chunk in _chunks(sorted(iris)):
        query = f"""
SELECT ?p ?d (MIN(STR(?zh)) AS ?tzh) (MIN(STR(?en)) AS ?ten) (MIN(STR(?any)) AS ?tany) WHERE {{
  VALUES ?p {{ {" ".join(_iri(i) for i in chunk)} }}
  ?d dsr:parties ?p .
  OPTIONAL {{ ?d dcterms:title ?zh FILTER(LANGMATCHES(LANG(?zh), "zh")) }}
  OPTIONAL {{ ?d dcterms:title ?en FILTER(LANGMATCHES(LANG(?en), "en")) }}
  OPTIONAL {{ ?d dcterms:title ?any }}
}} GROUP BY ?p ?d"""
        for r in engine.select(query):
            cards[_value(r["p"]) or ""] = {
                "document": _value(r["d"]) or "",
                "zh": _value(r["tzh"]) or "",
                "en": _value(r["ten"]) or "",
                "any": _value(r["tany"]) or "",
            }
    return cards


def _fallback_label(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _node_attributes(engine: QueryEngine, types: dict[str, str]) -> dict[str, dict[str, str | int | float]]:
    """Return the attributes of every node (IRI → attributes) from the store."""
    clauses = [i for i, t in types.items() if t == "Clause"]
    others = [i for i, t in types.items() if t != "Clause"]
    entity_cards = _entity_cards(engine, others)
    clause_cards = _clause_cards(engine, clauses)
    parties_cards = _parties_cards(engine, [i for i, t in types.items() if t == "Parties"])
    documents = (
        {d["iri"]: d for d in list_documents(engine)}
        if any(t in ("Clause", "Document") for t in types.values())
        else {}
    )
    many_docs = len({c["document"] for c in clause_cards.values()}) > 1
    attrs: dict[str, dict[str, str | int | float]] = {}
    for iri, type_ in types.items():
        if type_ == "Clause":
            card = clause_cards.get(iri, {"document": "", "number": -1, "heading": ""})
            n = card["number"]
            slug = documents.get(card["document"], {}).get("slug", "")
            if n == 0:
                zh, en = "序言", "Preamble"
            elif n > 0:
                zh, en = f"第{n}条", f"Clause {n}"
            else:
                zh = en = _fallback_label(iri)
            if many_docs and slug:
                zh, en = f"{zh} ({slug})", f"{en} ({slug})"
            attrs[iri] = {
                "type": "Clause",
                "label_zh": zh,
                "label_en": en,
                "iri": iri,
                "document": card["document"],
                "clause_number": int(n),
                "heading": _shorten(card["heading"]),
            }
        elif type_ == "Document":
            doc = documents.get(iri)
            title = doc["title"] if doc else entity_cards.get(iri, {}).get("any") or _fallback_label(iri)
            card = entity_cards.get(iri, {})
            attrs[iri] = {
                "type": "Document",
                "label_zh": card.get("zh") or title,
                "label_en": card.get("en") or title,
                "iri": iri,
                "document": iri,
            }
        elif type_ == "Parties" and iri in parties_cards:
            # "the parties" of which document: its title in front (the titles are what people know)
            doc_card, card = parties_cards[iri], entity_cards.get(iri, {})
            named = class_labels().get("Parties", {})
            title_zh = doc_card["zh"] or doc_card["any"] or doc_card["en"]
            title_en = doc_card["en"] or doc_card["any"] or doc_card["zh"]
            attrs[iri] = {
                "type": "Parties",
                "label_zh": _shorten(f"{title_zh} {card.get('zh') or named.get('zh', '')}".strip(), 60),
                "label_en": _shorten(f"{title_en}: {card.get('en') or named.get('en', '')}".strip(), 60),
                "iri": iri,
                "document": doc_card["document"],
            }
        else:
            card = entity_cards.get(iri, {})
            fallback = card.get("any") or _fallback_label(iri)
            attrs[iri] = {
                "type": type_,
                "label_zh": card.get("zh") or card.get("en") or fallback,
                "label_en": card.get("en") or card.get("zh") or fallback,
                "iri": iri,
            }
    return attrs


def store_build_date(engine: QueryEngine) -> str | None:
    """Return the date (YYYY-MM-DD) of the latest document build in the store, or None."""
    rows = engine.select("SELECT (MAX(STR(?t)) AS ?last) WHERE { ?a a dsr:BuildActivity ; prov:endedAtTime ?t }")
    last = _value(rows[0]["last"]) if rows else None
    if last and re.match(r"\d{4}-\d{2}-\d{2}", last):
        return last[:10]
    return None


# ---------------------------------------------------------------- building


def build_view(
    engine: QueryEngine,
    name: str,
    *,
    documents: Iterable[str] = (),
    types: Iterable[str] = (),
    min_weight: int | str | None = 1,
    metrics: bool = True,
) -> nx.Graph:
    """Build view ``name`` as an undirected ``networkx.Graph``.

    Args:
        engine: the query engine over the store.
        name: one of :data:`VIEWS`.
        documents: document IRIs, slugs or file names (empty: every document).
        types: entity types to keep (empty: every type of the view).
        min_weight: drop edges lighter than this, then nodes left without edges.
        metrics: add the node metrics of :mod:`kg.metrics`.

    Returns:
        The graph; ``G.graph`` holds ``view``, ``title``, ``documents``, ``types``,
        ``min_weight`` and ``built`` (the store's build date, for reproducible exports).

    Raises:
        ViewError: unknown view, type or weight; NotFound: unknown document.
    """
    flt = make_filter(engine, name, documents=documents, types=types, min_weight=min_weight)
    return build_filtered(engine, name, flt, metrics=metrics)


def build_filtered(engine: QueryEngine, name: str, flt: ViewFilter, *, metrics: bool = True) -> nx.Graph:
    """Build view ``name`` with an already validated :class:`ViewFilter`."""
    import networkx as nx

    spec = view_spec(name)
    rows = [r for r in spec.edges(engine, flt) if r.weight >= flt.min_weight]
    types: dict[str, str] = {}
    for r in rows:
        for iri, t in r.types.items():
            if types.get(iri) in (None, "Entity"):
                types[iri] = t
    if spec.nodes is not None and flt.min_weight <= 1:
        for iri, t in spec.nodes(engine, flt).items():
            if types.get(iri) in (None, "Entity"):
                types[iri] = t
    attrs = _node_attributes(engine, types)

    G = nx.Graph()
    G.graph.update(
        {
            "view": spec.name,
            "title": spec.title,
            "title_zh": spec.title_zh,
            "documents": ";".join(flt.documents),
            "types": ";".join(flt.types),
            "min_weight": flt.min_weight,
            "built": store_build_date(engine) or "",
        }
    )
    for iri in sorted(attrs):
        G.add_node(iri, **attrs[iri])
    for r in sorted(rows, key=lambda r: (min(r.source, r.target), max(r.source, r.target))):
        a, b = sorted((r.source, r.target))
        if G.has_edge(a, b):  # the same pair reached twice (an entity with two types): same counts
            continue
        G.add_edge(a, b, weight=int(r.weight), **r.attrs)
    if metrics:
        from .metrics import add_metrics

        add_metrics(G)
    return G
