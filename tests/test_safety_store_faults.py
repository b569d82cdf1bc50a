"""Faults while building (issue 15, item 5): a full disk during ``kg build`` (a small tmpfs the
test mounts as root), and store folders that are not stores or are damaged — one clear error
from ``kg build``, ``kg query`` and ``kg serve``, never a traceback. Real CLI processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_GRAPH = "https://w3id.org/dsr-kg/id/document/000_bf54f53887da828b"
ONTOLOGY_GRAPH = "https://w3id.org/dsr-kg/graph/ontology"


def kg(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def one_line_error(done: subprocess.CompletedProcess, code: str) -> str:
    """Assert the command failed with exactly one error line of ``code`` and no traceback; return it."""
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and f"[{code}]" in errors[0], done.stderr
    return errors[0]


def count(store: Path, graph: str) -> int:
    done = kg(
        "query",
        "--store",
        str(store),
        "--format",
        "csv",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[1])


def documents(store: Path) -> int:
    done = kg(
        "query",
        "--store",
        str(store),
        "--format",
        "csv",
        "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dsr:Document }",
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[1])


@contextlib.contextmanager
def tmpfs(path: Path, megabytes: int):
    """Mount a tmpfs of ``megabytes`` at ``path`` (root only); unmount afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, f"mount failed as root: {done.stderr}"
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """60 generated documents (benchmarks/generate_corpus.py): about 40 MB of store, more than the disk holds."""
    out = tmp_path_factory.mktemp("corpus") / "docs"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate_corpus.py"), "60", str(out), "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI runs as root)")
def test_full_disk_during_build(tmp_path, seed_path, corpus):
    with tmpfs(tmp_path / "disk", 24) as disk:
        store = disk / "store"
        assert kg("build", str(seed_path), "--store", str(store), "--quiet").returncode == 0
        seed_triples, ontology_triples = count(store, SEED_GRAPH), count(store, ONTOLOGY_GRAPH)
        assert seed_triples > 1000 and ontology_triples > 1000

        # 1. New documents that do not fit: one error naming the store and the space, exit 1.
        line = one_line_error(kg("build", str(corpus), "--store", str(store), "--quiet", "--jobs", "2"), "E007")
        assert str(store) in line and "MB free of 24.0 MB" in line and "out of disk space" in line
        assert count(store, SEED_GRAPH) == seed_triples and count(store, ONTOLOGY_GRAPH) == ontology_triples
        partly = documents(store)
        assert 1 <= partly < 61

        # 2. Replacing a graph on a disk with no room left: the old graph stays whole.
        filler = disk / "filler"
        with open(filler, "wb") as f:
            with contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * 2**20)
                    f.flush()
        line = one_line_error(kg("build", str(seed_path), "--store", str(store), "--quiet", "--force"), "E007")
        assert str(store) in line
        assert count(store, SEED_GRAPH) == seed_triples and count(store, ONTOLOGY_GRAPH) == ontology_triples
        assert documents(store) == partly

        # 3. Space freed: the next build succeeds and brings in the rest.
        filler.unlink()
        assert subprocess.run(["mount", "-o", "remount,size=256m", str(disk)]).returncode == 0
        done = kg("build", str(corpus), str(seed_path), "--store", str(store), "--quiet", "--jobs", "2")
        assert done.returncode == 0, done.stderr
        assert "0 refused" in done.stdout
        assert documents(store) == 61
        assert count(store, SEED_GRAPH) == seed_triples
        done = kg("build", str(seed_path), "--store", str(store), "--quiet", "--force")
        assert done.returncode == 0 and "1 replaced" in done.stdout, done.stderr
        assert count(store, SEED_GRAPH) == seed_triples


# ---------------------------------------------------------------- folders that are not stores


def _damage(kind: str, store: Path) -> None:
    if kind == "current":
        (store / "CURRENT").write_text("garbage\n")
    elif kind == "manifest":
        for f in store.glob("MANIFEST-*"):
            f.write_bytes(f.read_bytes()[:100])
    elif kind == "sst-truncated":
        for f in store.glob("*.sst"):
            f.write_bytes(b"junk")
    elif kind == "sst-bytes":
        for f in store.glob("*.sst"):
            data = bytearray(f.read_bytes())
            third = len(data) // 3
            data[third : third + 2000] = os.urandom(min(2000, len(data) - third))
            f.write_bytes(bytes(data))


@pytest.fixture(params=["other-files", "current", "manifest", "sst-truncated", "sst-bytes"])
def bad_store(request, tmp_path, seed_store_path) -> tuple[str, Path]:
    store = tmp_path / "store"
    if request.param == "other-files":
        store.mkdir()
        (store / "notes.txt").write_text("my notes\n")
        (store / "data.csv").write_text("a,b\n")
    else:
        shutil.copytree(seed_store_path, store)
        _damage(request.param, store)
    return request.param, store


def test_not_a_store_is_one_line_everywhere(bad_store, seed_path, tmp_path):
    from fixtures_web import free_port

    kind, store = bad_store
    before = sorted(p.name for p in store.iterdir())
    expected = "is not a store" if kind == "other-files" else "is damaged or is not an Oxigraph store"
    for args in (
        ["query", "ASK { ?s ?p ?o }", "--store", str(store)],
        ["build", str(seed_path), "--store", str(store), "--quiet"],
        ["serve", "--store", str(store), "--port", str(free_port())],
        ["stats", "--store", str(store)],
    ):
        line = one_line_error(kg(*args, timeout=120), "E003")
        assert expected in line and str(store) in line, (args, line)
    # python server.py says the same, and nothing was built into the folder
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "server.py"), "--store", str(store), "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert expected in one_line_error(done, "E003")
    if kind == "other-files":
        assert sorted(p.name for p in store.iterdir()) == before


def test_a_file_as_store_is_refused(tmp_path):
    not_a_folder = tmp_path / "store"
    not_a_folder.write_text("x")
    done = kg("query", "ASK {}", "--store", str(not_a_folder))
    assert done.returncode != 0 and "Traceback" not in done.stderr and "is a file" in done.stderr

    from kg.core.errors import StoreError
    from kg.store import open_store

    with pytest.raises(StoreError, match="is a file, not a store folder"):
        open_store(not_a_folder)


def test_disk_full_message_names_the_store_and_the_space(tmp_path):
    """The store layer's translation, on the messages RocksDB gives (no disk needed)."""
    from kg.core.errors import StoreError, StoreFull
    from kg.store import store_failure

    exc = OSError(
        f"IO error: No space left on device: While appending to file: {tmp_path}/store/bulk-123.sst: No space left on device"
    )
    error = store_failure(exc, "loading 3 new graph(s)")
    assert isinstance(error, StoreFull) and error.status == 507
    assert f"the store {tmp_path}/store is out of disk space" in str(error) and " MB free of " in str(error)
    corrupt = store_failure(RuntimeError("Corruption: CURRENT file corrupted"), "opening it", tmp_path)
    assert type(corrupt) is StoreError and "damaged" in str(corrupt)
