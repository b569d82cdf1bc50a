"""The ontology is the truth: every term used in code is declared, labelled and commented."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from kg.namespaces import DSR

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "dsr.ttl", format="turtle")


def test_every_python_term_is_declared_with_zh_and_en_label_and_comment(ontology):
    names = [n for n in DSR.__annotations__]
    assert len(names) > 30
    for name in names:
        iri = URIRef(str(DSR._NS) + name)
        assert (iri, RDF.type, None) in ontology, f"dsr:{name} is not declared in ontology/dsr.ttl"
        for prop in (RDFS.label, RDFS.comment):
            langs = {o.language for o in ontology.objects(iri, prop) if isinstance(o, Literal)}
            assert {"zh", "en"} <= langs, f"dsr:{name} lacks {prop} in zh and en"


def test_every_declared_term_is_known_to_python(ontology):
    declared = {
        str(s)[len(str(DSR._NS)):]
        for s in ontology.subjects(RDF.type, None)
        if str(s).startswith(str(DSR._NS))
    }
    assert declared <= set(DSR.__annotations__), declared - set(DSR.__annotations__)


def test_typo_raises():
    with pytest.raises(AttributeError):
        DSR.mention  # noqa: B018 - the point is that it raises


def test_contract_terms_exist(ontology):
    # DESIGN.md's public contract
    for cls in ("Document", "Clause", "Country", "Organisation", "Technology", "Sector"):
        assert (DSR[cls], RDF.type, OWL.Class) in ontology
    for prop in ("hasClause", "clauseNumber", "heading", "text", "signatory", "mentions", "iso3166Alpha2", "iso3166Alpha3", "isicCode"):
        assert (DSR[prop], RDF.type, None) in ontology


# --- architecture: data flows one way ------------------------------------------------

STAGES = ["records", "errors", "namespaces", "ingest", "structure", "lexicon", "extract", "rdf", "store", "build"]
# A stage may import only stages to its left (records/errors/namespaces are leaves).
ALLOWED = {
    "ingest": {"errors", "records"},
    "structure": {"records"},
    "lexicon": {"errors"},
    "extract": {"lexicon", "records"},
    "rdf": {"namespaces", "records"},
    "store": {"errors", "guard", "lexicon", "namespaces"},
}


def _kg_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg."):
            found.add(node.module.split(".")[1])
    return found - {""}


@pytest.mark.parametrize("stage", sorted(ALLOWED))
def test_stages_never_reach_upstream(stage):
    imported = _kg_imports(ROOT / "kg" / f"{stage}.py")
    assert imported <= ALLOWED[stage], f"kg/{stage}.py imports {imported - ALLOWED[stage]}"


def test_only_web_modules_import_flask():
    offenders = []
    for path in (ROOT / "kg").rglob("*.py"):
        if "web" in path.relative_to(ROOT / "kg").parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n.split(".")[0] == "flask" for n in names):
                offenders.append(str(path))
    assert not offenders


def test_views_never_import_extraction():
    views = ROOT / "kg" / "views.py"
    if not views.exists():
        pytest.skip("kg/views.py not written yet")
    assert not (_kg_imports(views) & {"extract", "ingest", "structure", "lexicon"})
