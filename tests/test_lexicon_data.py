"""Tests of the lexicon DATA (ontology/lexicon/*.ttl, ontology/data/*.csv, eval/gold/*.tsv).

These check the data itself, independently of the extractor in kg/: well-formed Turtle,
one zh and one en label per entity, unique labels, a sound SKOS hierarchy, Wikidata IDs
only where the reference CSVs confirm them, the generated country file up to date, and
gold annotations that point at existing entities.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SKOS

ROOT = Path(__file__).resolve().parent.parent
LEX = ROOT / "ontology" / "lexicon"
DATA = ROOT / "ontology" / "data"
EVAL = ROOT / "eval"
DSR = Namespace("https://w3id.org/dsr-kg/ontology#")
ID = "https://w3id.org/dsr-kg/id/"
WD = "http://www.wikidata.org/entity/"
FILES = ["countries.ttl", "organisations.ttl", "technologies.ttl", "sectors.ttl", "stoplist.ttl"]
TYPES = {
    "country": DSR.Country,
    "organisation": DSR.Organisation,
    "technology": DSR.Technology,
    "sector": DSR.Sector,
}
KEY_RE = {"country": re.compile(r"^[A-Z]{2}$")}
KEY_DEFAULT = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    out = {}
    for name in FILES:
        g = Graph()
        g.parse(LEX / name, format="turtle")
        out[name] = g
    return out


@pytest.fixture(scope="module")
def merged(graphs) -> Graph:
    g = Graph()
    for part in graphs.values():
        for t in part:
            g.add(t)
    return g


def entities(g: Graph):
    for kind, cls in TYPES.items():
        for s in g.subjects(RDF.type, cls):
            yield kind, s


def read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _norm(lit: Literal) -> str:
    return str(lit).casefold() if lit.language == "en" else str(lit)


def test_every_file_parses_and_is_nonempty(graphs):
    for name, g in graphs.items():
        assert len(g) > 0, name


def test_iris_and_keys(merged):
    for kind, s in entities(merged):
        assert str(s).startswith(ID + kind + "/"), s
        key = str(s)[len(ID + kind + "/") :]
        assert KEY_RE.get(kind, KEY_DEFAULT).match(key), (kind, key)


def test_each_entity_in_one_file_with_one_type(graphs, merged):
    seen: dict[URIRef, str] = {}
    for name, g in graphs.items():
        for _kind, s in entities(g):
            assert s not in seen or seen[s] == name, (s, seen.get(s), name)
            seen[s] = name
    for _kind, s in entities(merged):
        types = {t for t in merged.objects(s, RDF.type) if t in TYPES.values()}
        assert len(types) == 1, (s, types)


def test_one_label_per_language(merged):
    for _kind, s in entities(merged):
        for prop in (RDFS.label, SKOS.prefLabel):
            vals = list(merged.objects(s, prop))
            langs = sorted(v.language for v in vals)
            assert langs == ["en", "zh"], (s, prop, vals)
        assert set(merged.objects(s, RDFS.label)) == set(merged.objects(s, SKOS.prefLabel)), s
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, DSR.ambiguousLabel):
            for v in merged.objects(s, prop):
                assert isinstance(v, Literal) and v.language in ("zh", "en"), (s, prop, v)
                assert str(v) == str(v).strip() and str(v), (s, prop, v)


def test_no_traditional_only_labels(merged):
    """zh labels are simplified: OpenCC t2s must leave them unchanged."""
    opencc = pytest.importorskip("opencc")
    conv = opencc.OpenCC("t2s")
    bad = []
    for _kind, s in entities(merged):
        for prop in (RDFS.label, SKOS.altLabel):
            for v in merged.objects(s, prop):
                if v.language == "zh" and conv.convert(str(v)) != str(v):
                    bad.append((str(s), str(v), conv.convert(str(v))))
    assert not bad, bad


def test_labels_unique_across_all_files(merged):
    owners: dict[tuple[str, str], set[URIRef]] = defaultdict(set)
    ambiguous: set[tuple[str, str]] = set()
    for _kind, s in entities(merged):
        for prop in (RDFS.label, SKOS.altLabel):
            for v in merged.objects(s, prop):
                owners[(v.language, _norm(v))].add(s)
        for v in merged.objects(s, DSR.ambiguousLabel):
            ambiguous.add((v.language, _norm(v)))
    clashes = {k: sorted(map(str, v)) for k, v in owners.items() if len(v) > 1}
    assert not clashes, clashes
    both = sorted(k for k in ambiguous if k in owners)
    assert not both, f"ambiguous labels that are also matched labels: {both}"


def test_ambiguous_labels_name_at_least_two_entities_or_are_common_words(merged):
    for _kind, s in entities(merged):
        for v in merged.objects(s, DSR.ambiguousLabel):
            assert v.language in ("zh", "en")


def test_blocked_phrases_are_not_entity_labels(merged):
    labels = {
        (v.language, _norm(v))
        for _k, s in entities(merged)
        for p in (RDFS.label, SKOS.altLabel)
        for v in merged.objects(s, p)
    }
    blocked = list(merged.objects(DSR.Stoplist, DSR.blockedPhrase))
    assert len(blocked) >= 30
    for b in blocked:
        assert (b.language, _norm(b)) not in labels, b
    zh = {str(b) for b in blocked if b.language == "zh"}
    en = {str(b) for b in blocked if b.language == "en"}
    for required in ("发展中国家", "各国", "合作伙伴", "中国家", "欧美国"):
        assert required in zh
    for required in ("developing countries", "partner countries"):
        assert required in en


def test_schemes_and_hierarchy(merged):
    for kind, scheme in (("technology", DSR.TechnologyScheme), ("sector", DSR.SectorScheme)):
        concepts = set(merged.subjects(RDF.type, TYPES[kind]))
        assert concepts
        for c in concepts:
            assert (c, RDF.type, SKOS.Concept) in merged, c
            assert (c, SKOS.inScheme, scheme) in merged, c
            top = (c, SKOS.topConceptOf, scheme) in merged
            broader = list(merged.objects(c, SKOS.broader))
            assert top != bool(broader), f"{c}: exactly one of topConceptOf / broader"
            for b in broader:
                assert b in concepts, f"{c}: broader {b} is not a {kind} in the lexicon"
                assert (b, SKOS.inScheme, scheme) in merged
        # no cycles
        for c in concepts:
            seen, cur = set(), c
            while True:
                ups = list(merged.objects(cur, SKOS.broader))
                if not ups:
                    break
                cur = ups[0]
                assert cur not in seen, f"cycle at {c}"
                seen.add(cur)


def test_isic_sections_are_top_sectors(merged):
    codes = {}
    for s in merged.subjects(RDF.type, DSR.Sector):
        for code in merged.objects(s, DSR.isicCode):
            assert str(code) not in codes, code
            codes[str(code)] = s
    for letter in "ABCDEFGHIJKLMNOPQRSTU":
        assert letter in codes, letter
        assert (codes[letter], SKOS.topConceptOf, DSR.SectorScheme) in merged
    for code, s in codes.items():
        if code.isdigit():
            assert list(merged.objects(s, SKOS.broader)), code
    assert str(codes["C"]).endswith("/manufacturing")


def test_counts(merged):
    n = {k: len(set(merged.subjects(RDF.type, cls))) for k, cls in TYPES.items()}
    assert n["country"] == 249, n
    assert n["organisation"] >= 70, n
    assert n["technology"] >= 160, n
    assert n["sector"] >= 70, n


def test_country_codes_match_csv(merged):
    rows = read_csv("countries.csv")
    assert len(rows) == 249
    for r in rows:
        s = URIRef(ID + "country/" + r["alpha2"])
        assert (s, DSR.iso3166Alpha2, Literal(r["alpha2"])) in merged
        assert (s, DSR.iso3166Alpha3, Literal(r["alpha3"])) in merged
        assert (s, DSR.iso3166Numeric, Literal(r["numeric"])) in merged


SIGNATORIES = {
    "CN": ("中华人民共和国", "Q148"),
    "AR": ("阿根廷共和国", "Q414"),
    "KH": ("柬埔寨王国", "Q424"),
    "KM": ("科摩罗联盟", "Q970"),
    "CU": ("古巴共和国", "Q241"),
    "ET": ("埃塞俄比亚联邦民主共和国", "Q115"),
    "GM": ("冈比亚共和国", "Q1005"),
    "KE": ("肯尼亚共和国", "Q114"),
    "LA": ("老挝人民民主共和国", "Q819"),
    "MY": ("马来西亚", "Q833"),
    "MM": ("缅甸联邦共和国", "Q836"),
    "PS": ("巴勒斯坦国", "Q219060"),
    "ST": ("圣多美和普林西比民主共和国", "Q1039"),
    "TH": ("泰王国", "Q869"),
}


def test_seed_signatories(merged):
    for a2, (name, qid) in SIGNATORIES.items():
        s = URIRef(ID + "country/" + a2)
        names = {str(v) for p in (RDFS.label, SKOS.altLabel) for v in merged.objects(s, p) if v.language == "zh"}
        assert name in names, (a2, name, names)
        assert (s, OWL.sameAs, URIRef(WD + qid)) in merged, a2


@pytest.mark.parametrize(
    "kind,csvname",
    [("country", "countries.csv"), ("organisation", "organisations.csv"), ("technology", "technologies.csv")],
)
def test_wikidata_only_where_confirmed(merged, kind, csvname):
    keycol = "alpha2" if kind == "country" else "key"
    confirmed = {r[keycol]: r["wikidata"] for r in read_csv(csvname)}
    for s in merged.subjects(RDF.type, TYPES[kind]):
        key = str(s).rsplit("/", 1)[1]
        qids = [str(o)[len(WD) :] for o in merged.objects(s, OWL.sameAs) if str(o).startswith(WD)]
        if qids:
            assert qids == [confirmed.get(key)], (s, qids, confirmed.get(key))
        elif confirmed.get(key):
            pytest.fail(f"{s}: CSV has {confirmed[key]} but the lexicon does not use it")


def test_no_wikidata_on_sectors(merged):
    for s in merged.subjects(RDF.type, DSR.Sector):
        assert not [o for o in merged.objects(s, OWL.sameAs) if str(o).startswith(WD)], s


def test_dbpedia_only_from_csv(merged):
    allowed = {
        r["dbpedia"] for name in ("organisations.csv", "technologies.csv") for r in read_csv(name) if r["dbpedia"]
    }
    for s, o in merged.subject_objects(RDFS.seeAlso):
        if "dbpedia.org" in str(o):
            assert str(o) in allowed, (s, o)


def test_country_lexicon_is_generated():
    res = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_country_lexicon.py"), "--check"], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr


def test_every_entity_has_a_source(merged):
    for _kind, s in entities(merged):
        assert list(merged.objects(s, URIRef("http://purl.org/dc/terms/source"))), s


# ---------------------------------------------------------------- evaluation data


def gold_files():
    return sorted((EVAL / "gold").glob("*.tsv"))


def read_gold(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_eval_files_exist():
    docs = sorted((EVAL / "docs").glob("*.txt"))
    assert len(docs) >= 7
    for d in docs:
        assert (EVAL / "gold" / (d.stem + ".tsv")).exists(), d
    assert (EVAL / "gold" / "000_bf54f53887da828b.tsv").exists()
    assert (EVAL / "README.md").exists()


@pytest.mark.parametrize("path", gold_files(), ids=lambda p: p.name)
def test_gold_keys_exist(merged, path):
    rows = read_gold(path)
    assert rows, path
    with open(path, encoding="utf-8") as f:
        assert f.readline().rstrip("\n") == "type\tiri_key\tsurface"
    seen = set()
    for r in rows:
        kind = r["iri_key"].split("/", 1)[0]
        assert (
            r["type"]
            == {"country": "Country", "organisation": "Organisation", "technology": "Technology", "sector": "Sector"}[
                kind
            ]
        ), r
        s = URIRef(ID + r["iri_key"])
        assert (s, RDF.type, TYPES[kind]) in merged, r
        assert r["iri_key"] not in seen, r
        seen.add(r["iri_key"])
        assert r["surface"].strip(), r


@pytest.mark.parametrize("path", gold_files(), ids=lambda p: p.name)
def test_gold_surface_occurs_in_document(path):
    doc = EVAL / "docs" / (path.stem + ".txt")
    if not doc.exists():
        doc = ROOT / "source" / (path.stem + ".txt")
    text = re.sub(r"\s+", "", doc.read_text(encoding="utf-8"))
    for r in read_gold(path):
        assert re.sub(r"\s+", "", r["surface"]) in text, (path.name, r)
