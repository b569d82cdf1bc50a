"""``kg build --cluster``: extraction on a real Dask scheduler and real workers on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest_plugins = ["fixtures_dask"]
pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg.cli"]
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}


def kg(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=ENV)


def corpus(folder: Path, n: int) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate_corpus import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    generate(n, folder, seed=3, lang="mixed")
    return folder


def quads(store: Path) -> set[str]:
    from kg.store import open_store

    return {str(q) for q in open_store(store, read_only=True)}


def test_cluster_build_equals_local_build(dask_cluster, tmp_path):
    src = corpus(tmp_path / "src", 12)
    local = kg("build", str(src), "--store", str(tmp_path / "local"), "-q", "-j", "1")
    assert local.returncode == 0, local.stderr
    remote = kg("build", str(src), "--store", str(tmp_path / "remote"), "-q", "--cluster", dask_cluster.address)
    assert remote.returncode == 0, remote.stderr
    assert "12 added" in remote.stdout
    assert quads(tmp_path / "remote") == quads(tmp_path / "local")
    # shards written by the workers, loaded here: the same quads again
    out = kg("build", str(src), "--emit-nquads", str(tmp_path / "shards"), "-q", "--cluster", dask_cluster.address)
    assert out.returncode == 0, out.stderr
    assert kg("load", str(tmp_path / "shards"), "--store", str(tmp_path / "fromshards"), "-q").returncode == 0
    assert quads(tmp_path / "fromshards") == quads(tmp_path / "local")


def test_local_cluster_of_two_processes(tmp_path):
    src = corpus(tmp_path / "src", 6)
    assert kg("build", str(src), "--store", str(tmp_path / "local"), "-q", "-j", "1").returncode == 0
    out = kg("build", str(src), "--store", str(tmp_path / "lc"), "-q", "--cluster", "local:2")
    assert out.returncode == 0, out.stderr
    assert quads(tmp_path / "lc") == quads(tmp_path / "local")


def test_unreachable_scheduler_is_one_error_line(tmp_path, seed_path):
    from fixtures_scale import free_port

    out = kg(
        "build",
        str(seed_path),
        "--store",
        str(tmp_path / "s"),
        "-q",
        "--cluster",
        f"tcp://127.0.0.1:{free_port()}",
        timeout=120,
    )
    assert out.returncode == 1
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert "[E006]" in lines[0] and "cannot reach the Dask scheduler" in lines[0] and "Traceback" not in out.stderr
    for bad in ("local:0", "nonsense"):
        out = kg("build", str(seed_path), "--store", str(tmp_path / "s"), "-q", "--cluster", bad)
        assert out.returncode == 1 and "[E006]" in out.stderr and "Traceback" not in out.stderr


def test_a_bad_document_is_named_and_the_others_built(dask_cluster, tmp_path):
    src = corpus(tmp_path / "src", 4)
    (src / "broken.txt").write_bytes(b"\x00\x01" * 200)
    out = kg("build", str(src), "--store", str(tmp_path / "s"), "-q", "--cluster", dask_cluster.address)
    assert out.returncode == 1
    assert "broken.txt" in out.stderr and "Traceback" not in out.stderr
    assert "4 added" in out.stdout and "1 refused" in out.stdout


def test_a_worker_dying_mid_build_has_its_documents_retried(dask_cluster, tmp_path):
    src = corpus(tmp_path / "src", 40)
    assert kg("build", str(src), "--store", str(tmp_path / "local"), "-q", "-j", "1").returncode == 0
    killed: list[int] = []

    def kill_a_busy_worker() -> None:
        """Kill the first worker seen processing one of our tasks (SIGKILL: no goodbye to the scheduler)."""
        with dask_cluster.client() as client:
            pids = client.run(os.getpid)  # worker address → pid (our `dask worker` processes)
            assert set(pids.values()) <= {w.pid for w in dask_cluster.workers}
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not killed:
                for address, keys in client.processing().items():
                    if any(str(k).startswith("kg-doc-") for k in keys):
                        pid = pids[address]
                        os.kill(pid, 9)
                        killed.append(pid)
                        return
                time.sleep(0.02)

    watcher = threading.Thread(target=kill_a_busy_worker)
    watcher.start()
    out = kg("build", str(src), "--store", str(tmp_path / "remote"), "-q", "--cluster", dask_cluster.address)
    watcher.join(30)
    assert killed, "no worker was seen processing a document"
    assert out.returncode == 0, out.stderr
    assert "40 added" in out.stdout
    assert quads(tmp_path / "remote") == quads(tmp_path / "local")
