"""Corpus builds: incremental rebuilds, parallel builds equal to serial ones, streaming helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kg.build.parallel import bounded_imap

ROOT = Path(__file__).resolve().parent.parent


def _generator(seed: int = 5, lang: str = "zh"):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate_corpus import Generator
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return Generator(seed=seed, lang=lang)


def sorted_nquads(store_path: Path) -> list[str]:
    import pyoxigraph as ox

    from kg.store import open_store

    store = open_store(store_path, read_only=True)
    return sorted(ox.serialize(store, format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines())


def test_incremental_rebuild_counts(tmp_path):
    from kg.build import build

    docs = _generator().write(3, tmp_path / "docs")
    store = tmp_path / "store"
    first = build([tmp_path / "docs"], store)
    assert (len(first.added), len(first.replaced), len(first.skipped)) == (3, 0, 0)
    again = build([tmp_path / "docs"], store)
    assert (len(again.added), len(again.replaced), len(again.skipped)) == (0, 0, 3)

    changed = docs[1]
    changed.write_text(changed.read_text(encoding="utf-8").replace("1.", "1.加强人工智能合作。", 1), encoding="utf-8")
    _generator().write(1, tmp_path / "docs", start=3)
    third = build([tmp_path / "docs"], store)
    assert third.replaced == [str(changed)]
    assert len(third.added) == 1 and len(third.skipped) == 2 and not third.refused
    from kg.store import document_graphs, open_store

    s = open_store(store, read_only=True)
    assert len(document_graphs(s)) == 4
    clause = next(
        iter(
            s.query(
                "SELECT ?t WHERE { GRAPH ?g { ?c <https://w3id.org/dsr-kg/ontology#clauseNumber> 1 ; <https://w3id.org/dsr-kg/ontology#text> ?t } "
                f"FILTER(?g = <https://w3id.org/dsr-kg/id/document/{Path(changed).stem}>) }}"
            )
        )
    )
    assert clause["t"].value.startswith("加强人工智能合作。")  # the replaced graph has the new text, once
    assert len(
        list(
            s.query(
                f"SELECT ?c WHERE {{ GRAPH <https://w3id.org/dsr-kg/id/document/{Path(changed).stem}> {{ ?c a <https://w3id.org/dsr-kg/ontology#Clause> }} }}"
            )
        )
    ) == changed.read_text(encoding="utf-8").count("\n\n")


def test_parallel_build_gives_the_same_quads_as_serial(tmp_path, monkeypatch):
    from kg.build import build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _generator(seed=6, lang="mixed").write(5, tmp_path / "docs")
    one = build([tmp_path / "docs"], tmp_path / "one", jobs=1)
    two = build([tmp_path / "docs"], tmp_path / "two", jobs=2)
    assert one.ok and two.ok and len(one.added) == len(two.added) == 5
    a, b = sorted_nquads(tmp_path / "one"), sorted_nquads(tmp_path / "two")
    assert len(a) > 10_000 and a == b


def square(x: int) -> int:
    """Worker function for the bounded map tests (top level, so it pickles)."""
    if x < 0:
        raise ValueError(f"negative: {x}")
    return x * x


@pytest.mark.parametrize("ordered", [True, False])
def test_bounded_imap_keeps_the_window(ordered):
    pulled = 0

    def items():
        nonlocal pulled
        for i in range(40):
            pulled += 1
            yield i

    results, lags = [], []
    for r in bounded_imap(square, items(), jobs=2, window=3, ordered=ordered):
        results.append(r)
        lags.append(pulled - len(results))
    assert (results if ordered else sorted(results)) == [i * i for i in range(40)]
    assert max(lags) <= 3  # never more than `window` inputs ahead of the consumer


def test_bounded_imap_serial_and_errors():
    assert list(bounded_imap(square, range(5), jobs=1)) == [0, 1, 4, 9, 16]
    with pytest.raises(ValueError, match="negative"):
        list(bounded_imap(square, [1, -2, 3], jobs=2))
