"""A real Dask scheduler and real workers on 127.0.0.1 (``dask scheduler``, ``dask worker`` processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fixtures_scale import free_port

DASK = str(Path(sys.executable).with_name("dask"))


@dataclass
class DaskCluster:
    """A scheduler process and its worker processes."""

    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen] = field(default_factory=list)
    logs: Path | None = None

    def add_worker(self) -> subprocess.Popen:
        log = (self.logs / f"worker-{len(self.workers)}.log").open("wb") if self.logs else subprocess.DEVNULL
        proc = subprocess.Popen(
            [
                DASK,
                "worker",
                self.address,
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--death-timeout",
                "30",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        )
        self.workers.append(proc)
        return proc

    def client(self):
        from distributed import Client

        return Client(self.address, timeout=20, set_as_default=False)

    def wait_for_workers(self, n: int, timeout: float = 60) -> None:
        with self.client() as c:
            c.wait_for_workers(n, timeout=timeout)

    def stop(self) -> None:
        for p in [*self.workers, self.scheduler]:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in [*self.workers, self.scheduler]:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def start_cluster(logs: Path, workers: int = 2) -> DaskCluster:
    """Start ``dask scheduler`` and ``workers`` × ``dask worker`` on 127.0.0.1; wait until they are connected."""
    pytest.importorskip("distributed")
    port = free_port()
    log = (logs / "scheduler.log").open("wb")
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    cluster = DaskCluster(f"tcp://127.0.0.1:{port}", scheduler, logs=logs)
    deadline = time.monotonic() + 60
    import socket

    while True:
        assert scheduler.poll() is None, (logs / "scheduler.log").read_text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "dask scheduler did not start"
            time.sleep(0.1)
    for _ in range(workers):
        cluster.add_worker()
    cluster.wait_for_workers(workers)
    return cluster


@pytest.fixture
def dask_cluster(tmp_path):
    """A fresh 2-worker cluster for one test (a test may kill a worker)."""
    cluster = start_cluster(tmp_path, workers=2)
    yield cluster
    cluster.stop()
