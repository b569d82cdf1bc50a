"""Stage 4: the N-Triples writer, checked by parsing its output with rdflib."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.build import process_file
from kg.core.iris import slugify
from kg.core.vocab import DSR, OA
from kg.pipeline.lexicon import load_lexicon
from kg.pipeline.rdf import literal

GOLDEN = Path(__file__).parent / "data" / "golden"


@pytest.mark.parametrize(
    "value", ['quote " and \\ backslash', "line\nbreak\r\ttab", "控制\x01字符\x7f", "emoji 🚀 and 中文", ""]
)
def test_literals_round_trip_through_rdflib(value):
    g = Graph().parse(data=f"<http://a> <http://b> {literal(value, 'zh')} .\n", format="nt")
    assert list(g.objects()) == [Literal(value, lang="zh")]


@pytest.mark.parametrize(
    "name,slug",
    [
        ("000_bf54f53887da828b.txt", "000_bf54f53887da828b"),
        ("My Doc (v2).pdf", "My-Doc-v2"),
        ("一带一路倡议.txt", "一带一路倡议"),
        ("###.md", "document-abc000000000"),
    ],
)
def test_slugs_are_safe(name, slug):
    assert slugify(name, "abc" + "0" * 61) == slug


#: The lexicon fingerprint and the pipeline version change with every lexicon or code edit;
#: they are provenance, not content.
PROVENANCE = (DSR.lexiconFingerprint, DSR.pipelineVersion)


def _without_provenance(g: Graph) -> Graph:
    for p in PROVENANCE:
        g.remove((None, p, None))
    return g


#: Written only with ``annotation_context`` (kg build --annotation-context): a mention's
#: oa:prefix, oa:suffix and ``oa:motivatedBy oa:identifying``.


def _graph(path: Path, context: bool = True) -> Graph:
    result = process_file(path, load_lexicon(), built_at="2024-01-01T00:00:00Z", annotation_context=context)
    return _without_provenance(Graph().parse(data=result.ntriples, format="nt"))


@pytest.mark.parametrize("context", [True, False], ids=["with-context", "default"])
@pytest.mark.parametrize("name", ["mini_zh", "mini_en"])
def test_golden_documents(name, context):
    """Tiny documents built and compared with their expected Turtle (isomorphism, with a diff on failure).

    The golden files hold the full annotations (``annotation_context``); the default build
    is the same graph without the oa:prefix, oa:suffix and oa:motivatedBy triples.
    Regenerate after an intended change with: python tests/data/golden/regenerate.py
    """
    got = _graph(GOLDEN / f"{name}.txt", context)
    expected = _without_provenance(Graph().parse(GOLDEN / f"{name}.ttl", format="turtle"))
    if not context:
        assert any(expected.triples((None, OA.prefix, None)))
        expected.remove((None, OA.prefix, None))
        expected.remove((None, OA.suffix, None))
        expected.remove((None, OA.motivatedBy, OA.identifying))  # evidence keeps oa:describing
    if not isomorphic(got, expected):
        _, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
        lines = [f"+ {t}" for t in sorted(only_got)][:20] + [f"- {t}" for t in sorted(only_expected)][:20]
        pytest.fail("golden mismatch (+ built, - expected):\n" + "\n".join(map(str, lines)))


def test_same_file_twice_gives_same_triples(seed_path):
    a = process_file(seed_path, load_lexicon(), built_at="2024-01-01T00:00:00Z").ntriples
    b = process_file(seed_path, load_lexicon(), built_at="2024-01-01T00:00:00Z").ntriples
    assert a == b
    assert "_:" not in a  # no blank nodes: every IRI is derived from the document


def test_configurable_base(seed_path):
    result = process_file(seed_path, load_lexicon(), base="http://data.example.org/kg/")
    g = Graph().parse(data=result.ntriples, format="nt")
    subjects = {str(s) for s in g.subjects()}
    assert all(
        s.startswith("http://data.example.org/kg/") or s.startswith("https://w3id.org/dsr-kg/software/")
        for s in subjects
    )
    assert (
        URIRef("http://data.example.org/kg/document/000_bf54f53887da828b"),
        None,
        URIRef("http://data.example.org/kg/country/CN"),
    ) in g
