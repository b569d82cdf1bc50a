"""The ontology is the truth: every term used in code is declared, labelled and commented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from kg.core.vocab import DSR

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "dsr.ttl", format="turtle")


def test_every_python_term_is_declared_with_zh_and_en_label_and_comment(ontology):
    names = list(DSR.__annotations__)
    assert len(names) > 30
    for name in names:
        iri = URIRef(str(DSR._NS) + name)
        assert (iri, RDF.type, None) in ontology, f"dsr:{name} is not declared in ontology/dsr.ttl"
        for prop in (RDFS.label, RDFS.comment):
            langs = {o.language for o in ontology.objects(iri, prop) if isinstance(o, Literal)}
            assert {"zh", "en"} <= langs, f"dsr:{name} lacks {prop} in zh and en"


def test_every_declared_term_is_known_to_python(ontology):
    declared = {
        str(s)[len(str(DSR._NS)) :] for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(DSR._NS))
    }
    assert declared <= set(DSR.__annotations__), declared - set(DSR.__annotations__)


def test_typo_raises():
    with pytest.raises(AttributeError):
        DSR.mention  # noqa: B018 - the point is that it raises


def test_contract_terms_exist(ontology):
    # DESIGN.md's public contract
    for cls in ("Document", "Clause", "Country", "Organisation", "Technology", "Sector"):
        assert (DSR[cls], RDF.type, OWL.Class) in ontology
    for prop in (
        "hasClause",
        "clauseNumber",
        "heading",
        "text",
        "signatory",
        "mentions",
        "iso3166Alpha2",
        "iso3166Alpha3",
        "isicCode",
    ):
        assert (DSR[prop], RDF.type, None) in ontology


def test_every_dsr_name_in_queries_is_declared(ontology):
    """A ``dsr:`` term misspelt in an internal SPARQL string or an example query fails here."""
    declared = {str(s)[len(str(DSR)) :] for s in ontology.subjects() if str(s).startswith(str(DSR))}
    unknown = {}
    files = [
        *(ROOT / "kg").rglob("*.py"),
        *(ROOT / "kg").rglob("*.rq"),
        *(ROOT / "kg").rglob("*.html"),
        *(ROOT / "kg").rglob("*.js"),
    ]
    for path in files:
        for name in re.findall(r"(?<![\w-])dsr:([A-Za-z][A-Za-z0-9]*)", path.read_text(encoding="utf-8")):
            if name not in declared:
                unknown.setdefault(name, str(path.relative_to(ROOT)))
    assert not unknown, f"dsr: terms used but not declared in ontology/dsr.ttl: {unknown}"


def test_oa_terms_exist():
    from kg.core.vocab import OA

    with pytest.raises(AttributeError):
        OA.hasBodyy  # noqa: B018 - the point is that it raises
