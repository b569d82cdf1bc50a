"""The synthetic corpus generator: determinism, structure, realistic growth of entities."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate_corpus import Generator, ZipfPicker, generate, main  # noqa: E402

sys.path.remove(str(ROOT / "benchmarks"))


@pytest.fixture(scope="module")
def lexicon():
    from kg.pipeline.lexicon import load_lexicon

    return load_lexicon()


def test_same_seed_same_bytes_and_prefix_stability(tmp_path):
    a = generate(6, tmp_path / "a", seed=3)
    b = generate(3, tmp_path / "b", seed=3)
    c = generate(3, tmp_path / "c", seed=4)
    assert [p.name for p in a[:3]] == [p.name for p in b]
    assert [p.read_bytes() for p in a[:3]] == [p.read_bytes() for p in b]  # doc i depends only on (seed, i)
    assert [p.read_bytes() for p in b] != [p.read_bytes() for p in c]
    assert len({p.read_bytes() for p in a}) == 6


def test_generated_document_has_title_numbered_clauses_and_signatories(tmp_path, lexicon):
    from kg.pipeline.extract import extract
    from kg.pipeline.ingest import read_source
    from kg.pipeline.structure import segment

    for lang in ("zh", "en"):
        path = Generator(seed=1, lang=lang).write(1, tmp_path / lang, start=5)[0]
        source = read_source(path)
        assert source.language == lang
        structure = segment(source, lexicon.cues())
        text = path.read_text(encoding="utf-8")
        assert structure.title == text.split("\n", 1)[0]
        numbered = [c.number for c in structure.clauses if c.number]
        assert numbered == list(range(1, len(numbered) + 1)) and 8 <= len(numbered) <= 30
        assert structure.signatory_span is not None and structure.signatory_span[0] == 0
        sentence = text.split("\n\n")[1]
        cue = "提出以下倡议" if lang == "zh" else "hereby propose the following"
        assert cue in sentence
        mentions = extract(source, structure, lexicon)
        n, start, end = structure.signatory_span
        signatories = {
            m.entity for m in mentions if m.clause == n and m.type == "Country" and start <= m.start and m.end <= end
        }
        listed = sentence.split("基础上，")[-1] if lang == "zh" else sentence.split("basis, ")[-1]
        separators = listed.count("、") + 1 if lang == "zh" else listed.count(", ") + 2
        assert (
            len(signatories) >= 2 and len(signatories) >= separators - 1
        )  # every listed country is found (one may be a multi-word name)


def test_substituted_entities_are_found_and_grow_sublinearly(tmp_path, lexicon):
    from kg.pipeline.extract import find_entities

    gen = Generator(seed=0, lang="zh")
    per_doc = [{iri for _, _, iri in find_entities(gen.document(i), "zh", lexicon)} for i in range(40)]
    seed_text = (ROOT / "source" / "000_bf54f53887da828b.txt").read_text(encoding="utf-8")
    seed_entities = {iri for _, _, iri in find_entities(seed_text, "zh", lexicon)}

    def distinct(n: int) -> set[str]:
        return set().union(*per_doc[:n])

    assert len(distinct(5)) < len(distinct(10)) < len(distinct(40))  # keeps growing …
    assert len(distinct(40)) < 8 * len(distinct(5))  # … but far slower than linearly (Zipf draws)
    assert len(distinct(40) - seed_entities) > 50  # lexicon entities beyond the seed's
    types = {lexicon.types[i] for i in distinct(40)}
    assert {"Country", "Organisation", "Technology"} <= types
    # A few entities are in most documents, most in few (a heavy head, a long tail).
    from collections import Counter

    freq = Counter(i for doc in per_doc for i in doc if lexicon.types[i] == "Technology")
    top, ordered = freq.most_common(1)[0][1], sorted(freq.values())
    assert top >= 20 and ordered[len(ordered) // 2] <= 5


def test_zipf_picker_is_deterministic_and_skewed():
    import random

    picker = ZipfPicker(tuple(f"x{i}" for i in range(100)), seed=1)
    draws = [picker.pick(random.Random(7)) for _ in range(3)]
    assert len(set(draws)) == 1
    rng = random.Random(0)
    sample = [picker.pick(rng) for _ in range(5000)]
    assert sample.count(picker.items[0]) > 5 * sample.count(picker.items[50])
    assert len(picker.sample(random.Random(1), 10)) == 10 == len(set(picker.sample(random.Random(1), 10)))


def test_mixed_language_and_cli(tmp_path, capsys):
    assert main(["8", str(tmp_path / "m"), "--lang", "mixed", "--seed", "2"]) == 0
    names = sorted(p.name for p in (tmp_path / "m").iterdir())
    assert len(names) == 8 and sum(n.endswith("_en.txt") for n in names) == 2
    assert "wrote 8 documents" in capsys.readouterr().out
    with pytest.raises(ValueError):
        Generator(lang="fr")
