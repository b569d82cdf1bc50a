"""Commitments, policy areas and typed relations: the reader on real and small texts, the
graph it writes (a real store built by ``kg build``), SHACL, and the evaluation on the gold.

Small texts are written to temporary files and built with the real pipeline; the seed
store is the session one of ``conftest.py``.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
from conftest import SEED_AGRICULTURE_TECHNOLOGIES, SEED_INVITED

from kg.build.document import analyse
from kg.core.records import Reading
from kg.pipeline.lexicon import load_lexicon
from kg.store import open_store, select, validate_store

pytest_plugins = ["fixtures_realdocs"]

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/dsr-kg/id/"
SEED_IRI = f"{ID}document/000_bf54f53887da828b"


def read(path: Path) -> Reading:
    return analyse(path, load_lexicon()).reading


def text_file(tmp_path: Path, text: str, name: str = "doc.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def key(iri: str) -> str:
    return iri[len(ID) :] if iri.startswith(ID) else iri


# ---------------------------------------------------------------- the reader


@pytest.fixture(scope="module")
def seed_reading(seed_path) -> Reading:
    return read(seed_path)


def test_seed_clause_3_applies_seven_technologies_in_agriculture(seed_reading):
    pairs = {(key(r.subject), key(r.object)) for r in seed_reading.relations if r.predicate == "appliedIn"}
    assert len(SEED_AGRICULTURE_TECHNOLOGIES) == 7
    assert pairs == {(key(t), "sector/agriculture") for t in SEED_AGRICULTURE_TECHNOLOGIES}
    assert {r.clause for r in seed_reading.relations if r.predicate == "appliedIn"} == {3}
    assert {r.exact for r in seed_reading.relations if r.predicate == "appliedIn"} == {"应用"}


def test_seed_clause_20_invites_unctad_unido_itu(seed_reading):
    invited = {key(r.object) for r in seed_reading.relations if r.predicate == "invitesRole"}
    assert (
        invited == {key(o) for o in SEED_INVITED} == {"organisation/unctad", "organisation/unido", "organisation/itu"}
    )
    assert all(r.subject == "" and r.clause == 20 for r in seed_reading.relations if r.predicate == "invitesRole")


def test_seed_clause_areas_named_in_the_issue(seed_reading):
    areas = {n: {key(a.area) for a in found} for n, found in seed_reading.clause_areas.items()}
    assert "area/digital-infrastructure" in areas[1]
    assert "area/digital-trade" in areas[7]
    assert "area/skills" in areas[10]
    assert "area/inclusion" in areas[13]
    assert "area/artificial-intelligence" in areas[16]
    assert {"area/security", "area/governance"} <= areas[19]
    for clause, found in seed_reading.clause_areas.items():
        for f in found:  # every area says what decided it
            assert f.words or f.entities or f.commitments, (clause, f)


def test_cue_offsets_slice_the_clause_text(seed_path, seed_reading):
    lexicon = load_lexicon()
    structure = analyse(seed_path, lexicon).structure
    texts = {c.number: c.text for c in structure.clauses}
    assert len(seed_reading.commitments) > 100
    for c in seed_reading.commitments:
        assert texts[c.clause][c.start : c.end] == c.exact
        sentence = structure.clauses[c.clause].sentences[c.sentence - 1]
        assert sentence.start <= c.start and c.end <= sentence.end
    for r in seed_reading.relations:
        assert texts[r.clause][r.start : r.end] == r.exact


def test_two_actions_in_one_sentence_give_two_commitments(tmp_path):
    reading = read(text_file(tmp_path, "数字合作倡议\n\n1.加强数字基础设施建设，鼓励企业开展电子商务合作。\n"))
    actions = [key(c.action) for c in reading.commitments]
    assert actions == ["action/strengthen", "action/encourage"]
    assert len({(c.clause, c.sentence) for c in reading.commitments}) == 1


def test_verb_object_and_coordinated_verbs(tmp_path):
    reading = read(text_file(tmp_path, "倡议\n\n1.推动建立数据安全合作机制。\n\n2.建设完善数据中心。\n"))
    by_clause = {n: [key(c.action) for c in reading.commitments if c.clause == n] for n in (1, 2)}
    assert by_clause[1] == ["action/promote"]  # 建立 is the object of 推动
    assert by_clause[2] == ["action/build", "action/improve"]  # 建设完善: two actions


def test_actor_is_the_named_subject_else_the_parties(tmp_path):
    text = "联合声明\n\n中方愿同东盟加强人工智能合作。各国应共同打击网络犯罪。我们将推动数字贸易。\n"
    reading = read(text_file(tmp_path, text))
    actors = {key(c.action): key(c.actor) for c in reading.commitments}
    assert actors["action/strengthen"] == "country/CN"
    assert actors["action/combat"] == "group/all-countries"
    assert actors["action/promote"] == ""  # the document's parties
    # 同东盟加强…合作: the verb is 加强 (合作 its object), and China cooperates with ASEAN
    coop = [r for r in reading.relations if r.predicate == "cooperatesWith"]
    assert [(key(r.subject), key(r.object)) for r in coop] == [("country/CN", "organisation/asean")]
    assert "action/cooperate" not in actors


def test_cooperation_with_a_named_partner(tmp_path):
    reading = read(text_file(tmp_path, "新闻\n\n中方愿同东盟合作，共同推动数字经济发展。\n"))
    coop = {(key(r.subject), key(r.object)) for r in reading.relations if r.predicate == "cooperatesWith"}
    assert coop == {("country/CN", "organisation/asean")}
    assert "action/cooperate" in {key(c.action) for c in reading.commitments}


def test_english_commitments_and_relations(tmp_path):
    text = (
        "Joint Statement\n\n"
        "1. We will promote the use of artificial intelligence in agriculture and support small businesses.\n\n"
        "2. China will work with ASEAN to strengthen cybersecurity.\n\n"
        "3. Noting the progress made, we welcomed the report.\n\n"
        "4. We invite UNCTAD and the ITU to play an active role.\n"
    )
    reading = read(text_file(tmp_path, text))
    by_clause: dict[int, list[str]] = {}
    for c in reading.commitments:
        by_clause.setdefault(c.clause, []).append(key(c.action))
    assert by_clause[1] == ["action/promote", "action/support"]
    assert by_clause[2] == ["action/cooperate", "action/strengthen"]
    assert 3 not in by_clause  # a recognition and a past act
    assert {key(c.actor) for c in reading.commitments if c.clause == 2} == {"country/CN"}
    rel = {(r.predicate, key(r.subject), key(r.object)) for r in reading.relations}
    assert ("appliedIn", "technology/artificial-intelligence", "sector/agriculture") in rel
    assert ("cooperatesWith", "country/CN", "organisation/asean") in rel
    assert {("invitesRole", "", "organisation/unctad"), ("invitesRole", "", "organisation/itu")} <= rel


def test_recognition_purpose_and_traditional_script(tmp_path):
    text = "倡議\n\n1.認識到數字技術的重要作用。\n\n2.共同推動數字技術在農業領域應用，為促進東盟國家的發展。\n"
    reading = read(text_file(tmp_path, text))
    assert {c.clause for c in reading.commitments} == {2}  # 认识到 + a fact: no undertaking
    promote = next(c for c in reading.commitments if key(c.action) == "action/promote")
    assert promote.exact == "推動"  # the words as written (traditional), offsets into the original
    assert "sector/agriculture" in {key(e) for e in promote.concerns}
    assert "organisation/asean" not in {key(e) for e in promote.concerns}  # inside the purpose clause


def test_no_relation_from_a_list_of_topics_or_across_sentences(tmp_path):
    text = "倡议\n\n1.加强人工智能、大数据、农业、制造业等领域合作。推动人工智能发展。农业领域应用更多。\n"
    reading = read(text_file(tmp_path, text))
    assert [r for r in reading.relations if r.predicate == "appliedIn"] == []


# ---------------------------------------------------------------- the graph


def test_sparql_technologies_the_signatories_apply_in_agriculture(seed_store):
    rows = select(
        seed_store,
        """SELECT DISTINCT ?tech WHERE {
             ?m a dsr:RelationMention ; rdf:subject ?tech ; rdf:predicate dsr:appliedIn ;
                rdf:object <https://w3id.org/dsr-kg/id/sector/agriculture> ; dsr:inSentence ?s .
             ?c a dsr:Commitment ; dsr:inSentence ?s ; dsr:actor ?actor ; dsr:concerns ?tech .
             ?doc dsr:parties ?actor . ?tech dsr:appliedIn <https://w3id.org/dsr-kg/id/sector/agriculture> }""",
    )
    assert len(rows) == 7


def test_sparql_relation_mention_leads_back_to_its_words(seed_store):
    rows = select(
        seed_store,
        """SELECT ?exact ?oexact ?text WHERE {
             ?m rdf:predicate dsr:invitesRole ; rdf:object <https://w3id.org/dsr-kg/id/organisation/itu> ;
                dsr:cue ?cue ; dsr:objectAnnotation ?oa ; dsr:inSentence ?s .
             ?cue oa:motivatedBy oa:classifying ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
             ?oa oa:hasBody <https://w3id.org/dsr-kg/id/organisation/itu> ; oa:hasTarget/oa:hasSelector/oa:exact ?oexact .
             ?s dsr:text ?text }""",
    )
    assert rows and rows[0]["exact"].value == "发挥"
    assert rows[0]["oexact"].value in rows[0]["text"].value
    assert SEED_IRI in {r["s"].value for r in select(seed_store, "SELECT ?s WHERE { ?s dsr:invitesRole ?o }")}


def test_sparql_commitments_on_security_with_actions(seed_store):
    rows = select(
        seed_store,
        """SELECT ?action (COUNT(?c) AS ?n) WHERE {
             ?c a dsr:Commitment ; dsr:policyArea <https://w3id.org/dsr-kg/id/area/security> ; dsr:action ?a .
             ?a skos:prefLabel ?action FILTER(LANG(?action) = "en") } GROUP BY ?action""",
    )
    actions = {r["action"].value: int(r["n"].value) for r in rows}
    assert sum(actions.values()) >= 5 and "protect" in actions


def test_area_evidence_names_what_decided_it(seed_store):
    rows = select(
        seed_store,
        """SELECT ?c ?word ?entity WHERE {
             ?c a dsr:Commitment ; dsr:areaEvidence ?e .
             ?e dsr:policyArea <https://w3id.org/dsr-kg/id/area/artificial-intelligence> .
             OPTIONAL { ?e dsr:evidenceWord ?word } OPTIONAL { ?e dsr:evidenceEntity ?entity } }""",
    )
    assert rows and all(r.get("word") or r.get("entity") for r in rows)


def test_commitment_graph_validates(seed_store):
    report = validate_store(seed_store)
    assert report.conforms, report.text[:2000]


def test_shacl_catches_a_relation_without_its_mention_and_a_bad_actor(store_copy):
    store = open_store(store_copy)
    store.update(
        "PREFIX dsr: <https://w3id.org/dsr-kg/ontology#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
        "DELETE { GRAPH ?g { ?m ?p ?o } } WHERE { GRAPH ?g { ?m rdf:predicate dsr:invitesRole ; "
        "rdf:object <https://w3id.org/dsr-kg/id/organisation/itu> ; ?p ?o } }"
    )
    store.update(
        "PREFIX dsr: <https://w3id.org/dsr-kg/ontology#> "
        "DELETE { GRAPH ?g { ?c dsr:actor ?a } } INSERT { GRAPH ?g { ?c dsr:actor <https://w3id.org/dsr-kg/id/sector/agriculture> } } "
        "WHERE { { SELECT ?g ?c ?a WHERE { GRAPH ?g { ?c a dsr:Commitment ; dsr:actor ?a } } LIMIT 1 } }"
    )
    report = validate_store(store)
    assert report.conforms is False
    assert "without a dsr:RelationMention" in report.text
    assert "actor is the document's parties" in report.text


def test_cue_lexicons_validate(seed_store):
    rows = select(
        seed_store,
        "SELECT (COUNT(DISTINCT ?a) AS ?actions) (COUNT(DISTINCT ?p) AS ?areas) WHERE { "
        "{ ?a a dsr:Action ; dsr:actionCue ?c } UNION { ?p a dsr:PolicyArea ; dsr:wsisActionLine ?w } }",
    )
    assert int(rows[0]["actions"].value) >= 20 and int(rows[0]["areas"].value) >= 13


# ---------------------------------------------------------------- house rules and quality


def test_the_reader_holds_no_word_lists():
    """Every word the reader looks for comes from the lexicon files: no CJK string in its code
    (docstrings and the item-number syntax aside) and no English function-word lists."""
    tree = ast.parse((ROOT / "kg" / "pipeline" / "commitments.py").read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    offenders = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in docstrings:
            continue
        value = node.value
        if re.search(r"[\u4e00-\u9fff]", value) and not value.startswith("(?:[一二三四五六七八九十]"):
            offenders.append(value)
        if re.fullmatch(r"(?:and|or|by|to|will|the|of|in|for|that)", value):
            offenders.append(value)
    assert offenders == []


def test_dev_documents_meet_the_action_and_relation_targets(realdocs):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import commitments_eval

    result = commitments_eval.evaluate(commitments_eval.DEV, "dev", load_lexicon(), realdocs)
    for part in ("actions", "relations"):
        p, r = result.tallies[part].scores()
        target = commitments_eval.TARGETS[part]
        assert p >= target[0] and r >= target[1], (part, p, r)
    assert result.seed_pairs == (7, 7)
