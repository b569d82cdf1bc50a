"""Bad input and crashes never lose data: a killed build, concurrent builds, hostile RDF/XML."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

pytest_plugins = ["fixtures_safety"]

ROOT = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg.cli"]
DSR = "https://w3id.org/dsr-kg/ontology#"


def _kg(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, **kwargs)


def _corpus(seed_path: Path, folder: Path, n: int) -> Path:
    """Copy the seed under ``n`` different names: each is its own document."""
    folder.mkdir()
    for i in range(n):
        shutil.copy(seed_path, folder / f"doc_{i:03d}.txt")
    return folder


def _graph_sizes(store: Path) -> dict[str, int]:
    """Triples per document graph, read the way a server would (read-only)."""
    from kg.store import open_store

    s = open_store(store, read_only=True)
    q = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER EXISTS {{ GRAPH ?g {{ ?g a <{DSR}Document> }} }} }} GROUP BY ?g"
    sizes = {row["g"].value: int(row["n"].value) for row in s.query(q)}
    del s
    return sizes


def _store_bytes(store: Path) -> int:
    total = 0
    for f in store.iterdir():
        try:
            total += f.stat().st_size
        except OSError:
            pass
    return total


def test_killed_build_leaves_previous_store_complete(seed_path, tmp_path):
    """SIGKILL a 200-document build mid-way: every previously built graph is intact and valid."""
    corpus = _corpus(seed_path, tmp_path / "corpus", 200)
    store = tmp_path / "store"
    first = sorted(corpus.iterdir())[:20]
    done = _kg("build", *map(str, first), "--store", str(store), "-q", "-j", "1")
    assert done.returncode == 0, done.stderr
    before = _graph_sizes(store)
    assert len(before) == 20

    # Rebuild everything (--force replaces the 20, adds 180) and kill it while it writes.
    start_bytes = _store_bytes(store)
    proc = subprocess.Popen(
        [*KG, "build", str(corpus), "--store", str(store), "-q", "-j", "1", "--force"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while _store_bytes(store) < start_bytes + 3_000_000 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the build finished before it could be killed; make the corpus larger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    after = _graph_sizes(store)
    assert 20 <= len(after) < 200  # killed mid-way: some new documents, not all
    for iri, size in before.items():
        assert after.get(iri) == size, f"{iri}: {size} triples before the kill, {after.get(iri)} after"
    reference = next(iter(before.values()))
    for iri in set(after) - set(before):  # documents the killed build finished are complete too
        assert after[iri] == reference
    docs = [a for d in sorted(before)[:3] for a in ("--document", d)]
    valid = _kg("validate", "--store", str(store), *docs)
    assert valid.returncode == 0 and "conforms" in valid.stdout, valid.stdout + valid.stderr

    # The next build cleans up the killed build's staging graph and completes.
    again = _kg("build", *map(str, first[:2]), "--store", str(store), "-q", "-j", "1")
    assert again.returncode == 0, again.stderr
    from kg.store import open_store

    s = open_store(store, read_only=True)
    assert not [g for g in s.named_graphs() if g.value.endswith("#staging")]


def test_concurrent_build_is_refused(seed_path, tmp_path):
    corpus = _corpus(seed_path, tmp_path / "corpus", 100)
    store = tmp_path / "store"
    proc = subprocess.Popen(
        [*KG, "build", str(corpus), "--store", str(store), "-q", "-j", "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not store.exists() or _store_bytes(store) < 1_000_000:  # the first build is writing
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        second = _kg("build", str(seed_path), "--store", str(store), "-q", "-j", "1")
        assert second.returncode != 0
        assert "[E004]" in second.stderr and "in use by another process" in second.stderr
        assert "Traceback" not in second.stderr
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "100 added" in out
    sizes = _graph_sizes(store)
    assert len(sizes) == 100 and len(set(sizes.values())) == 1  # complete, not corrupted


# ---------------------------------------------------------------- kg load of hostile XML

RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"'


def _limit_memory(megabytes: int):
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (megabytes << 20, megabytes << 20))

    return apply


def test_kg_load_xxe_does_not_open_the_file(store_copy, tmp_path):
    """An external entity naming a local file: the load fails and the file is never opened."""
    fifo = tmp_path / "secret"
    os.mkfifo(fifo)
    opened: list[bool] = []
    stop = threading.Event()

    def watch() -> None:
        # Opening a FIFO for writing without blocking succeeds only while a reader has it open.
        while not stop.is_set():
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.005)
                continue
            opened.append(True)
            os.write(fd, b"secret")
            os.close(fd)
            return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    doc = tmp_path / "xxe.rdf"
    doc.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "file://{fifo}"> ]>\n'
        f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="http://example.org/a"><ex:p>&x;</ex:p>'
        "</rdf:Description></rdf:RDF>"
    )
    result = _kg("load", str(doc), "--store", str(store_copy), "--graph", "urn:xxe", timeout=30)
    stop.set()
    watcher.join(1)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "xxe.rdf" in result.stderr
    assert opened == []
    from kg.store import open_store

    assert not open_store(store_copy, read_only=True).contains_named_graph(
        __import__("pyoxigraph").NamedNode("urn:xxe")
    )


def test_kg_load_billion_laughs_is_refused_quickly(store_copy, tmp_path):
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE rdf:RDF [", ' <!ENTITY l0 "lol">']
    for i in range(1, 10):
        lines.append(f' <!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">')
    lines += ["]>", f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="http://example.org/a"><ex:p>&l9;</ex:p>']
    lines += ["</rdf:Description></rdf:RDF>"]
    doc = tmp_path / "lol.rdf"
    doc.write_text("\n".join(lines))
    # Unscreened, Oxigraph expands this 1 KB file into a 3 GB literal (60 s, 9 GB measured):
    # cap the process at 1.5 GB and 30 s so the test cannot take the machine down.
    result = subprocess.run(
        [*KG, "load", str(doc), "--store", str(store_copy)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=_limit_memory(1536),
    )
    assert result.returncode == 1, result.stderr[-500:]
    assert "entity-expansion bomb" in result.stderr and "Traceback" not in result.stderr
