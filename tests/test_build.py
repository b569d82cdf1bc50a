"""The builder end to end, against a real on-disk Oxigraph store."""

from __future__ import annotations

import shutil

import pytest
from conftest import ID, SEED_IRI

from kg.build import build
from kg.store import document_graphs, open_store, select, stats, validate_store

SIGNATORIES = {
    "CN": "CHN",
    "AR": "ARG",
    "KH": "KHM",
    "KM": "COM",
    "CU": "CUB",
    "ET": "ETH",
    "GM": "GMB",
    "KE": "KEN",
    "LA": "LAO",
    "MY": "MYS",
    "MM": "MMR",
    "PS": "PSE",
    "ST": "STP",
    "TH": "THA",
}


def _clauses_mentioning(store, iri: str) -> list[int]:
    rows = select(store, f"SELECT DISTINCT ?n WHERE {{ ?c dsr:mentions <{iri}> ; dsr:clauseNumber ?n }} ORDER BY ?n")
    return [int(r["n"].value) for r in rows]


def test_seed_has_20_numbered_clauses_plus_unit_0(seed_store):
    rows = select(
        seed_store, f"SELECT ?n WHERE {{ <{SEED_IRI}> dsr:hasClause ?c . ?c dsr:clauseNumber ?n }} ORDER BY ?n"
    )
    assert [int(r["n"].value) for r in rows] == list(range(21))


def test_exactly_the_14_signatories_with_iso_codes(seed_store):
    rows = select(
        seed_store,
        f"""SELECT ?a2 ?a3 ?wd WHERE {{ <{SEED_IRI}> dsr:signatory ?c . ?c dsr:iso3166Alpha2 ?a2 ; dsr:iso3166Alpha3 ?a3 .
            OPTIONAL {{ ?c owl:sameAs ?wd FILTER(STRSTARTS(STR(?wd), "http://www.wikidata.org/entity/Q")) }} }}""",
    )
    assert {r["a2"].value: r["a3"].value for r in rows} == SIGNATORIES
    assert all(r["wd"] is not None for r in rows), "every signatory links to Wikidata"


def test_clauses_mentioning_ai_are_3_7_8_12_16(seed_store):
    assert _clauses_mentioning(seed_store, ID + "technology/artificial-intelligence") == [3, 7, 8, 12, 16]


def test_clauses_mentioning_blockchain(seed_store):
    assert _clauses_mentioning(seed_store, ID + "technology/blockchain") == [7, 8, 12, 16]


def test_clause_20_mentions_unctad_unido_itu_and_not_the_un(seed_store):
    rows = select(seed_store, f"SELECT ?e WHERE {{ <{SEED_IRI}/clause/20> dsr:mentions ?e }}")
    mentioned = {r["e"].value[len(ID) :] for r in rows}
    assert {"organisation/unctad", "organisation/unido", "organisation/itu"} <= mentioned
    assert "organisation/un" not in mentioned


def test_every_annotation_offset_slices_its_exact_string(seed_store):
    rows = select(
        seed_store,
        """SELECT ?text ?exact ?s ?e WHERE {
             ?a a oa:Annotation ; oa:hasTarget ?t . ?t oa:hasSource ?c ; oa:hasSelector ?q , ?p .
             ?q a oa:TextQuoteSelector ; oa:exact ?exact . ?p a oa:TextPositionSelector ; oa:start ?s ; oa:end ?e .
             ?c dsr:text ?text }""",
    )
    assert len(rows) > 100
    for r in rows:
        assert r["text"].value[int(r["s"].value) : int(r["e"].value)] == r["exact"].value


def test_texts_are_language_tagged(seed_store):
    rows = select(seed_store, "SELECT DISTINCT (LANG(?t) AS ?l) WHERE { ?c a dsr:Clause ; dsr:text ?t }")
    assert [r["l"].value for r in rows] == ["zh"]


def test_provenance(seed_store):
    rows = select(
        seed_store,
        f"""SELECT ?sha ?file ?time ?version WHERE {{ <{SEED_IRI}> prov:wasGeneratedBy ?a ; dsr:sha256 ?sha ; dcterms:source ?file .
              ?a prov:endedAtTime ?time ; dsr:toolVersion ?version ; prov:used ?src . ?src dsr:sha256 ?sha }}""",
    )
    assert len(rows) == 1
    assert rows[0]["file"].value == "000_bf54f53887da828b.txt"
    assert len(rows[0]["sha"].value) == 64


def test_shacl_conforms(seed_store):
    report = validate_store(seed_store)
    assert report.conforms, report.text[:2000]


@pytest.mark.parametrize("prop", ["oa:start", "dsr:startOffset"])
def test_shacl_catches_a_broken_offset(store_copy, prop):
    store = open_store(store_copy)
    cls = "oa:TextPositionSelector" if prop == "oa:start" else "dsr:Sentence"
    victim = select(store, f"SELECT ?p WHERE {{ ?p a {cls} ; {prop} ?s FILTER(?s > 3) }} LIMIT 1")[0]["p"].value
    store.update(
        "PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX dsr: <https://w3id.org/dsr-kg/ontology#> "
        f"DELETE {{ GRAPH ?g {{ <{victim}> {prop} ?s }} }} INSERT {{ GRAPH ?g {{ <{victim}> {prop} 1 }} }} "
        f"WHERE {{ GRAPH ?g {{ <{victim}> {prop} ?s }} }}"
    )
    report = validate_store(store)
    assert report.conforms is False
    culprit = victim.rsplit("/", 1)[0] if prop == "oa:start" else victim  # the annotation, or the sentence
    assert culprit in report.text


def test_rebuild_is_idempotent(seed_path, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = tmp_path / "s"
    build([seed_path], path)
    first = sorted(str(q) for q in open_store(path, read_only=True))
    report = build([seed_path], path)
    assert report.skipped == [str(seed_path)] and not report.added
    report = build([seed_path], path, force=True)
    assert report.replaced == [str(seed_path)]
    assert sorted(str(q) for q in open_store(path, read_only=True)) == first


def test_folder_with_bad_files_builds_the_good_ones(seed_path, tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    shutil.copy(seed_path, folder / "seed.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "gb.txt").write_bytes(
        "数字合作倡议\n1.加强人工智能合作。\n2.推动区块链和云计算应用。\n".encode("gb18030")
    )
    report = build([folder], tmp_path / "store")
    assert sorted(p.split("/")[-1] for p in report.added) == ["gb.txt", "seed.txt"]
    refused = {p.split("/")[-1]: msg for p, msg in report.refused}
    assert set(refused) == {"binary.txt", "empty.txt"}
    assert "empty" in refused["empty.txt"] and "binary" in refused["binary.txt"]
    store = open_store(tmp_path / "store", read_only=True)
    gb = f"{ID}document/gb"
    assert _clauses_mentioning(store, ID + "technology/blockchain") == [2, 7, 8, 12, 16]
    assert select(store, f"SELECT ?e WHERE {{ <{gb}/source> dsr:encoding ?e }}")[0]["e"].value == "gb18030"
    assert len(document_graphs(store)) == 2


def test_failed_write_keeps_previous_graph(store_copy):
    from kg.core.errors import StoreError
    from kg.store import replace_graph

    store = open_store(store_copy)
    before = len(store)
    with pytest.raises(StoreError):
        replace_graph(store, SEED_IRI, "<http://a> <http://b> <http://c> .\nthis is not n-triples\n")
    assert len(store) == before
    assert stats(store)["clauses"] == 21


def test_stats(seed_store):
    counts = stats(seed_store)
    assert counts["documents"] == 1 and counts["clauses"] == 21
    assert counts["entities_mentioned"]["Country"] >= 14
    assert counts["triples"] > 5000


# ---------------------------------------------------------------- versioned extraction


def test_pipeline_version_is_recorded_and_a_new_one_rebuilds(tmp_path, seed_path, monkeypatch):
    """A store built by another pipeline version is rebuilt; the same version is skipped."""
    import kg.build.runner as runner
    from kg.build import build
    from kg.pipeline import pipeline_version
    from kg.store import open_store, select

    store = tmp_path / "store"
    assert build([seed_path], store).added == [str(seed_path)]
    rows = select(
        open_store(store, read_only=True),
        f"SELECT ?v WHERE {{ <{SEED_IRI}> prov:wasGeneratedBy ?a . ?a dsr:pipelineVersion ?v }}",
    )
    assert [r["v"].value for r in rows] == [pipeline_version()]
    assert build([seed_path], store).skipped == [str(seed_path)]

    monkeypatch.setattr(runner, "pipeline_version", lambda: pipeline_version() + ".next")
    assert build([seed_path], store).replaced == [str(seed_path)]


def test_pipeline_fingerprint_moves_with_any_change_to_the_stages(tmp_path):
    from kg.pipeline import source_fingerprint

    (tmp_path / "extract.py").write_text("RULE = 1\n", encoding="utf-8")
    before = source_fingerprint(tmp_path)
    (tmp_path / "extract.py").write_text("RULE = 2\n", encoding="utf-8")
    assert source_fingerprint(tmp_path) != before
    assert len(before) == 12
