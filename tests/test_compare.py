"""``kg compare`` and ``/compare`` on generated documents and the seed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.analysis.compare import compare_documents, jaccard, render_table

ROOT = Path(__file__).resolve().parent.parent
SEED_SLUG = "000_bf54f53887da828b"
ID = "https://w3id.org/dsr-kg/id/"


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory, seed_path) -> Path:
    """A store with the seed and three generated documents (two zh, one en)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate_corpus import Generator
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    from kg.build import build

    folder = tmp_path_factory.mktemp("corpus")
    Generator(seed=7, lang="mixed").write(4, folder / "docs")
    store = folder / "store"
    report = build([seed_path, folder / "docs"], store)
    assert report.ok, report.refused
    return store


@pytest.fixture(scope="module")
def engine(corpus_store):
    from kg.query.engines import LocalEngine

    return LocalEngine(corpus_store, in_memory=False, max_rows=None)


def entity_sets(engine, doc: str) -> set[str]:
    rows = engine.select(
        f"SELECT DISTINCT ?e WHERE {{ {{ <{doc}> dsr:hasClause/dsr:mentions ?e }} UNION {{ <{doc}> dsr:signatory ?e }} }}"
    )
    return {r["e"].value for r in rows}


def test_jaccard():
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard(set(), set()) == 0.0


def test_entities_partition_matches_direct_queries(engine):
    a, b = "gen_7_000000_zh", "gen_7_000001_zh"
    c = compare_documents(engine, a, b)
    set_a, set_b = entity_sets(engine, ID + "document/" + a), entity_sets(engine, ID + "document/" + b)
    assert {e.iri for e in c.shared} == set_a & set_b
    assert {e.iri for e in c.only_a} == set_a - set_b
    assert {e.iri for e in c.only_b} == set_b - set_a
    assert c.shared and c.only_a and c.only_b  # generated documents overlap, but not fully
    assert all(e.type in ("Country", "Organisation", "Technology", "Sector") for e in c.shared)
    assert all(e.zh and e.en for e in c.shared + c.only_a + c.only_b)  # labels from the lexicon


def test_clause_matching_is_the_best_jaccard(engine):
    c = compare_documents(engine, SEED_SLUG, "gen_7_000001_zh", threshold=0.5)
    doc_b = ID + "document/gen_7_000001_zh"
    n_b = int(engine.select(f"SELECT (COUNT(?c) AS ?n) WHERE {{ <{doc_b}> dsr:hasClause ?c }}")[0]["n"].value)
    assert len(c.clauses) == n_b
    seed_clauses = {}
    for r in engine.select(
        f"SELECT ?n ?e WHERE {{ <{ID}document/{SEED_SLUG}> dsr:hasClause ?c . ?c dsr:clauseNumber ?n OPTIONAL {{ ?c dsr:mentions ?e }} }}"
    ):
        seed_clauses.setdefault(int(r["n"].value), set()).update([r["e"].value] if r["e"] is not None else [])
    for m in c.clauses:
        mine = {r["e"].value for r in engine.select(f"SELECT ?e WHERE {{ <{m.iri}> dsr:mentions ?e }}")}
        best = max(jaccard(mine, ents) for ents in seed_clauses.values())
        assert m.jaccard == pytest.approx(best, abs=1e-4)
        assert m.new == (m.jaccard < 0.5 and m.heading != m.best_heading)


def test_document_compared_with_itself_adds_nothing(engine):
    c = compare_documents(engine, SEED_SLUG, ID + "document/" + SEED_SLUG)
    assert not c.only_a and not c.only_b and len(c.shared) > 40
    assert all(not m.new and m.best_match == m.clause for m in c.clauses if m.entities)


def test_compare_command_table_json_and_errors(corpus_store):
    from kg.cli import main

    runner = CliRunner()
    result = runner.invoke(
        main, ["compare", SEED_SLUG, "gen_7_000003_en.txt", "--store", str(corpus_store), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["a"]["title"] == "“一带一路”数字经济国际合作北京倡议"
    assert data["b"]["language"] == "en"
    assert data["summary"]["shared_entities"] == len(data["entities"]["shared"]) > 0
    assert data["summary"]["clauses_in_b"] == len(data["clauses"])

    result = runner.invoke(main, ["compare", SEED_SLUG, "gen_7_000002_zh", "--store", str(corpus_store)])
    assert result.exit_code == 0, result.output
    assert "== shared" in result.output and "== clauses of B" in result.output

    result = runner.invoke(main, ["compare", SEED_SLUG, "no-such-doc", "--store", str(corpus_store)])
    assert result.exit_code != 0 and "no document 'no-such-doc'" in result.output


def test_render_table_limits_entities(engine):
    text = render_table(compare_documents(engine, "gen_7_000000_zh", "gen_7_000002_zh"), limit=2)
    assert "more (--format json lists all)" in text


@pytest.fixture(scope="module")
def compare_client(corpus_store):
    from kg.web import create_app
    from kg.web.compare import bp

    app = create_app({"STORE": str(corpus_store), "TESTING": True})
    if "compare" not in app.blueprints:  # until create_app registers it
        app.register_blueprint(bp)
    return app.test_client()


def test_web_compare_json_and_html(compare_client, engine):
    r = compare_client.get(f"/compare?a={SEED_SLUG}&b=gen_7_000001_zh", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.get_json() == json.loads(
        json.dumps(compare_documents(engine, SEED_SLUG, "gen_7_000001_zh").as_dict(), ensure_ascii=False)
    )
    r = compare_client.get(f"/compare?a={SEED_SLUG}&b=gen_7_000001_zh", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "一带一路”数字经济国际合作北京倡议" in html and "Clauses of B" in html
    assert "/id/document/gen_7_000001_zh/clause/1" in html  # clauses link to their pages
    r = compare_client.get("/compare")
    assert r.status_code == 200 and '<select name="a">' in r.get_data(as_text=True)


def test_web_compare_errors(compare_client):
    assert compare_client.get("/compare?format=json").status_code == 400
    assert compare_client.get(f"/compare?a={SEED_SLUG}&b=nope&format=json").status_code == 404
    assert compare_client.get(f"/compare?a={SEED_SLUG}&b={SEED_SLUG}&threshold=2").status_code == 400
    assert (
        compare_client.get(f"/compare?a={SEED_SLUG}&b={SEED_SLUG}", headers={"Accept": "image/png"}).status_code == 406
    )


QUERIES = sorted((ROOT / "kg" / "web" / "examples").glob("1[5-9]-*.rq"))


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_cross_document_queries_run(engine, path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# title@zh: ") and "\n# title@en: " in text  # the query page's example format
    result = engine.run(text, accept="application/sparql-results+json")
    assert result.kind == "bindings"


def test_countries_signing_several_documents_query_is_right(engine):
    text = (ROOT / "kg" / "web" / "examples" / "17-countries-signing-several-documents.rq").read_text(encoding="utf-8")
    got = {r["country"].value: int(r["documents"].value) for r in engine.select(text.split("\n", 2)[2])}
    signed: dict[str, set[str]] = {}
    for r in engine.select("SELECT ?d ?c WHERE { ?d a dsr:Document ; dsr:signatory ?c }"):
        signed.setdefault(r["c"].value, set()).add(r["d"].value)
    assert got == {c: len(ds) for c, ds in signed.items() if len(ds) > 1}
    assert got  # the generated documents share signatories with the seed and each other


def test_entities_in_every_document_query_is_right(engine):
    text = (ROOT / "kg" / "web" / "examples" / "16-entities-in-every-document.rq").read_text(encoding="utf-8")
    rows = engine.select(text.split("\n", 2)[2])
    got = {r["entity"].value for r in rows if r["every"].value == "true"}
    docs = [r["d"].value for r in engine.select("SELECT ?d WHERE { ?d a dsr:Document }")]
    mentioned = [
        {r["e"].value for r in engine.select(f"SELECT ?e WHERE {{ <{d}> dsr:hasClause/dsr:mentions ?e }}")}
        for d in docs
    ]
    assert len(docs) == 5 and got == set.intersection(*mentioned)
    # the example now ranks every entity by the documents mentioning it (never empty)
    counts = [int(r["documents"].value) for r in rows]
    assert rows and counts == sorted(counts, reverse=True) and all(int(r["total"].value) == 5 for r in rows)
    for r in rows[:20]:
        assert int(r["documents"].value) == sum(r["entity"].value in m for m in mentioned)
