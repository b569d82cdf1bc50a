"""A store with several real documents, three of them dated the way the ontology says
(``dcterms:issued`` as ``xsd:date``, ``xsd:gYearMonth`` and ``xsd:gYear``) and one not.

The documents are the seed and three third-party texts read from ``../shared/realdocs``
(never copied into the repository), chosen because none of them states a date the
metadata stage extracts (the fixture checks that). Their dates are added the way a user
would, with ``kg load`` of a small Turtle file; the dates are test data. Registered with
``pytest_plugins = ["fixtures_corpus"]``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REALDOCS = ROOT.parent / "shared" / "realdocs"
if not REALDOCS.is_dir():
    REALDOCS = Path("/work/shared/realdocs")
DOCS = ("zh_d2.txt", "en_d2.txt", "en_d3.txt")
ID = "https://w3id.org/dsr-kg/id/document/"
SEED = "000_bf54f53887da828b"
#: slug → (lexical form, datatype) of dcterms:issued; en_d3 has none (the fallback)
DATES = {
    SEED: ("2023-11-23", "date"),
    "zh_d2": ("2021-06", "gYearMonth"),
    "en_d2": ("2022", "gYear"),
}


@pytest.fixture(scope="session")
def dated_corpus_store(tmp_path_factory, seed_path) -> Path:
    """Seed + three real documents; three with dcterms:issued, one without (read-only for tests)."""
    from click.testing import CliRunner

    from kg.build import build
    from kg.cli import main

    missing = [d for d in DOCS if not (REALDOCS / d).is_file()]
    if missing:
        pytest.skip(f"real documents not found in {REALDOCS}: {', '.join(missing)}")
    folder = tmp_path_factory.mktemp("dated")
    store = folder / "store"
    report = build([seed_path, *(REALDOCS / d for d in DOCS)], store)
    assert report.ok, report.refused
    from kg.store import open_store, select

    extracted = select(open_store(store, read_only=True), "SELECT ?d WHERE { ?d dcterms:issued ?date }")
    assert not extracted, "a fixture document now has an extracted date: choose undated documents"
    lines = [
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    ]
    lines += [f'<{ID}{slug}> dcterms:issued "{value}"^^xsd:{kind} .' for slug, (value, kind) in DATES.items()]
    dates = folder / "dates.ttl"
    dates.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["load", str(dates), "--store", str(store), "--graph", "urn:x-dsr-kg-test:dates"])
    assert result.exit_code == 0, result.output
    return store


@pytest.fixture(scope="session")
def generated_corpus_store(tmp_path_factory, seed_path) -> Path:
    """The seed and four generated documents (benchmarks/generate_corpus.py, seed 7): shared
    signatories, entities and clauses across documents, no dates (read-only for tests)."""
    import sys

    from kg.build import build

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate_corpus import Generator
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    folder = tmp_path_factory.mktemp("generated")
    Generator(seed=7, lang="mixed").write(4, folder / "docs")
    store = folder / "store"
    report = build([seed_path, folder / "docs"], store)
    assert report.ok, report.refused
    return store
