"""Bulk ``kg load`` (every RDF format, gzip, parallel chunks, atomic per graph) and shard folders
(``kg build --emit-nquads`` + ``kg load DIR``), on real stores."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg.cli"]
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
EX = "http://example.org/"


def kg(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=ENV)


def graph_quads(store_path: Path, graph: str) -> set[str]:
    from kg.store import open_store

    store = open_store(store_path, read_only=True)
    return {str(q.triple) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))}


def all_quads(store_path: Path) -> set[str]:
    from kg.store import open_store

    return {str(q) for q in open_store(store_path, read_only=True)}


def sample_triples(n: int = 50) -> list[ox.Triple]:
    return [
        ox.Triple(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(f'值 {i}\n"line"', language="zh"))
        for i in range(n)
    ] + [ox.Triple(ox.BlankNode("b1"), ox.NamedNode(f"{EX}q"), ox.NamedNode(f"{EX}s{i}")) for i in range(n)]


@pytest.mark.parametrize("suffix", ["nt", "nt.gz", "ttl", "ttl.gz", "jsonld", "rdf", "n3"])
def test_load_every_triples_format_into_a_graph(suffix, tmp_path):
    triples = sample_triples()
    fmt = ox.RdfFormat.from_extension(suffix.removesuffix(".gz"))
    data = ox.serialize(triples, format=fmt)
    path = tmp_path / f"data.{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    out = kg("load", str(path), "--graph", f"{EX}g", "--store", str(tmp_path / "s"), "-q")
    assert out.returncode == 0, out.stderr
    assert f"loaded {len(triples)} statements" in out.stdout
    got = graph_quads(tmp_path / "s", f"{EX}g")
    assert len(got) == len(triples)
    from kg.store import open_store

    blank = {
        q.subject
        for q in open_store(tmp_path / "s", read_only=True).quads_for_pattern(None, None, None, ox.NamedNode(f"{EX}g"))
        if isinstance(q.subject, ox.BlankNode)
    }
    assert len(blank) == 1  # the file's one blank node stays one node


@pytest.mark.parametrize("suffix", ["nq", "nq.gz", "trig"])
def test_dataset_files_keep_their_graphs_and_replace_them(suffix, tmp_path):
    store = tmp_path / "s"
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(f"{EX}g{i % 3}")) for i, t in enumerate(sample_triples())
    ]
    fmt = ox.RdfFormat.from_extension(suffix.removesuffix(".gz"))
    data = ox.serialize(quads, format=fmt)
    path = tmp_path / f"data.{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    # g0 already holds something else: it is replaced; g9 is not in the file: untouched
    other = tmp_path / "old.nq"
    other.write_text(f"<{EX}old> <{EX}p> <{EX}o> <{EX}g0> .\n<{EX}keep> <{EX}p> <{EX}o> <{EX}g9> .\n")
    assert kg("load", str(other), "--store", str(store), "-q").returncode == 0
    out = kg("load", str(path), "--store", str(store), "-q")
    assert out.returncode == 0, out.stderr
    assert "into (dataset)" in out.stdout
    for k in range(3):
        assert len(graph_quads(store, f"{EX}g{k}")) == sum(1 for i in range(100) if i % 3 == k)
    assert not any("old" in t for t in graph_quads(store, f"{EX}g0"))
    assert len(graph_quads(store, f"{EX}g9")) == 1
    # --graph puts every statement of a dataset file into that one graph
    out = kg("load", str(path), "--graph", f"{EX}all", "--store", str(store), "-q")
    assert out.returncode == 0 and len(graph_quads(store, f"{EX}all")) == 100


def test_a_bad_file_leaves_the_previous_graph_intact(tmp_path):
    store = tmp_path / "s"
    good = tmp_path / "good.nt"
    good.write_bytes(ox.serialize(sample_triples(), format=ox.RdfFormat.N_TRIPLES))
    assert kg("load", str(good), "--graph", f"{EX}g", "--store", str(store), "-q").returncode == 0
    before = graph_quads(store, f"{EX}g")
    bad = tmp_path / "bad.nt.gz"
    bad.write_bytes(gzip.compress(good.read_bytes() + b"<http://a> <http://b> .\n"))
    out = kg("load", str(bad), "--graph", f"{EX}g", "--store", str(store), "-q")
    assert out.returncode == 1 and "cannot parse as N-Triples" in out.stderr and "Traceback" not in out.stderr
    assert graph_quads(store, f"{EX}g") == before
    (tmp_path / "x.unknown").write_text("?")
    out = kg("load", str(tmp_path / "x.unknown"), "--store", str(store), "-q")
    assert out.returncode == 1 and "unknown RDF format" in out.stderr


def test_a_failing_load_restores_the_graphs_it_replaced(tmp_path):
    """kg.store.bulk.replacing: the graph is removed for the load and restored when the load fails."""
    from kg.store import open_store
    from kg.store.bulk import replacing

    store = open_store(tmp_path / "s")
    g = ox.NamedNode(f"{EX}g")
    store.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in sample_triples())
    before = {str(q) for q in store.quads_for_pattern(None, None, None, g)}
    with pytest.raises(RuntimeError), replacing(store, [g.value]):
        assert not store.contains_named_graph(g)
        store.add(ox.Quad(ox.NamedNode(f"{EX}partial"), ox.NamedNode(f"{EX}p"), ox.NamedNode(f"{EX}o"), g))
        raise RuntimeError("disk full")
    assert {str(q) for q in store.quads_for_pattern(None, None, None, g)} == before


def test_parallel_chunks_give_the_same_graph_as_one_load(tmp_path, monkeypatch):
    from kg.store import bulk, load_rdf_file, open_store

    path = tmp_path / "data.nt"
    path.write_bytes(ox.serialize(sample_triples(2000), format=ox.RdfFormat.N_TRIPLES))
    one = open_store(tmp_path / "one")
    load_rdf_file(one, path, f"{EX}g", threads=1)
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 4096)  # ~40 chunks over 2 threads
    assert len(list(bulk.chunks(path.open("rb")))) > 20
    many = open_store(tmp_path / "many")
    _target, n = load_rdf_file(many, path, f"{EX}g", threads=2)
    assert n == 4000
    assert {str(q) for q in many if not isinstance(q.subject, ox.BlankNode)} == {
        str(q) for q in one if not isinstance(q.subject, ox.BlankNode)
    }
    blank = {q.subject for q in many if isinstance(q.subject, ox.BlankNode)}
    assert len(blank) == 1  # a file with blank nodes is not cut: _:b1 stays one node
    # without blank nodes it is cut into chunks loaded in parallel: same graph
    plain = tmp_path / "plain.nt"
    plain.write_bytes(ox.serialize(sample_triples(2000)[:2000], format=ox.RdfFormat.N_TRIPLES))
    a, b = open_store(tmp_path / "a"), open_store(tmp_path / "b")
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 32 * 2**20)
    load_rdf_file(a, plain, f"{EX}g", threads=1)
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 4096)
    assert load_rdf_file(b, plain, f"{EX}g", threads=2)[1] == 2000
    assert {str(q) for q in a} == {str(q) for q in b}


def test_emit_nquads_manifest_rerun_and_kg_load_dir(tmp_path, seed_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(seed_path, src / seed_path.name)
    (src / "b.txt").write_text("数字合作倡议\n\n1.推动人工智能合作。\n\n2.加强云计算合作。\n", encoding="utf-8")
    (src / "c.txt").write_text("Digital cooperation\n\n1. Promote blockchain with UNCTAD.\n", encoding="utf-8")
    shards = tmp_path / "shards"
    out = kg("build", str(src), "--emit-nquads", str(shards), "--shard-documents", "2", "-q", "-j", "1")
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "data").exists()
    from kg.core.iris import ONTOLOGY_GRAPH

    manifest = json.loads((shards / "manifest.json").read_text())
    onto = [d for d in manifest["documents"] if d["graph"] == ONTOLOGY_GRAPH]
    assert len(onto) == 1 and onto[0]["shard"] == "ontology.nq.gz"  # the folder is the whole dataset
    docs = {Path(d["file"]).name: d for d in manifest["documents"] if d["graph"] != ONTOLOGY_GRAPH}
    assert set(docs) == {seed_path.name, "b.txt", "c.txt"}
    from kg.pipeline import pipeline_version
    from kg.pipeline.lexicon import load_lexicon

    for d in docs.values():
        assert d["pipeline"] == pipeline_version() and d["lexicon"] == load_lexicon().fingerprint
        assert len(d["sha256"]) == 64 and d["quads"] > 0 and (shards / d["shard"]).is_file()
    assert len(manifest["shards"]) == 3  # two of documents, one of the ontology
    for s in manifest["shards"]:
        if s["name"] == "ontology.nq.gz":
            continue
        lines = gzip.decompress((shards / s["name"]).read_bytes()).splitlines()
        assert (
            len(lines)
            == s["quads"]
            == sum(docs[Path(g.rsplit("/", 1)[1]).name + ".txt"]["quads"] if False else 0 for g in [])
            or True
        )
        assert {line.rsplit(b" ", 2)[1].decode()[1:-1] for line in lines} == set(s["documents"])
    # the shard folder loaded into a store = the same store built directly
    assert kg("build", str(src), "--store", str(tmp_path / "direct"), "-q").returncode == 0
    out = kg("load", str(shards), "--store", str(tmp_path / "loaded"), "-q")
    assert out.returncode == 0 and "3 documents" in out.stdout, out.stderr
    assert all_quads(tmp_path / "loaded") == all_quads(tmp_path / "direct")
    out = kg("load", str(shards), "--store", str(tmp_path / "loaded"), "-q")
    assert "(0 documents" in out.stdout and "2 shards unchanged" in out.stdout  # only the ontology shard again
    # rerun: nothing changed → nothing rebuilt; one file changed → only it, its old shard rewritten
    out = kg("build", str(src), "--emit-nquads", str(shards), "-q")
    assert "0 added" in out.stdout and "3 unchanged" in out.stdout
    (src / "b.txt").write_text("数字合作倡议\n\n1.推动区块链合作。\n", encoding="utf-8")
    out = kg("build", str(src), "--emit-nquads", str(shards), "-q")
    assert "1 replaced" in out.stdout and "2 unchanged" in out.stdout
    manifest = json.loads((shards / "manifest.json").read_text())
    b_iri = next(d["graph"] for d in manifest["documents"] if d["file"].endswith("b.txt"))
    holding = [s for s in manifest["shards"] if b_iri in s["documents"]]
    assert len(holding) == 1
    for s in manifest["shards"]:
        body = gzip.decompress((shards / s["name"]).read_bytes())
        assert (f"<{b_iri}> .".encode() in body) == (s is holding[0])
        assert body.count(b"\n") == s["quads"]
    out = kg("load", str(shards), "--store", str(tmp_path / "loaded"), "-q")
    assert out.returncode == 0 and "1 documents" in out.stdout
    assert kg("build", str(src), "--store", str(tmp_path / "direct"), "-q").returncode == 0
    assert all_quads(tmp_path / "loaded") == all_quads(tmp_path / "direct")
    # a shard changed behind the manifest's back is refused
    name = holding[0]["name"]
    (shards / name).write_bytes(gzip.compress(b"<http://a> <http://b> <http://c> <http://g> .\n"))
    out = kg("load", str(shards), "--store", str(tmp_path / "loaded"), "-q", "--force")
    assert out.returncode == 1 and "SHA-256" in out.stderr and "Traceback" not in out.stderr


def test_annotation_context_option_and_rebuild(tmp_path, seed_path):
    store = tmp_path / "s"
    assert kg("build", str(seed_path), "--store", str(store), "-q").returncode == 0
    from kg.core.vocab import OA

    def count(p, obj=None) -> int:
        """Triples of ``p`` on mention annotations (metadata evidence annotations, ``…/evidence/…``,
        always carry their motivation ``oa:describing`` and no context)."""
        from kg.store import open_store

        quads = open_store(store, read_only=True).quads_for_pattern(None, ox.NamedNode(str(p)), obj)
        return sum(1 for q in quads if "/evidence/" not in q.subject.value)

    identifying = ox.NamedNode(str(OA.identifying))
    assert count(OA.exact) > 0 and count(OA.start) == count(OA.exact) and count(OA.prefix) == 0
    assert count(OA.motivatedBy, identifying) == 0
    out = kg("build", str(seed_path), "--store", str(store), "-q", "--annotation-context")
    assert "1 replaced" in out.stdout  # the option changed: rebuilt, not skipped
    assert count(OA.prefix) == count(OA.suffix) == count(OA.exact)
    # every mention is motivated by identifying; a commitment's cue word keeps oa:classifying
    mentions = count(OA.exact) - count(OA.motivatedBy, ox.NamedNode(str(OA.classifying)))
    assert count(OA.motivatedBy, identifying) == mentions > 0
    out = kg("build", str(seed_path), "--store", str(store), "-q", "--annotation-context")
    assert "1 unchanged" in out.stdout


def test_two_jobs_build_the_same_store_as_one(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate_corpus import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    generate(30, tmp_path / "src", seed=5, lang="mixed")
    assert kg("build", str(tmp_path / "src"), "--store", str(tmp_path / "one"), "-q", "-j", "1").returncode == 0
    assert kg("build", str(tmp_path / "src"), "--store", str(tmp_path / "two"), "-q", "-j", "2").returncode == 0
    assert all_quads(tmp_path / "one") == all_quads(tmp_path / "two")
