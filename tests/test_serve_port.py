"""Issue 14, item 2: a busy port is one line naming the port and how to change it, exit 1;
"serving" is printed only when the socket is really listening."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


@pytest.fixture
def busy_port():
    """A port another program listens on (as AirPlay does on 5000 on recent Macs)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


@pytest.mark.parametrize(
    "command",
    [[str(ROOT / "server.py")], ["-m", "kg.cli", "serve"]],
    ids=["python server.py", "kg serve"],
)
def test_busy_port_is_one_line(busy_port, seed_store_path, command):
    run = subprocess.run(
        [sys.executable, *command, "--store", str(seed_store_path), "--port", str(busy_port)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
        cwd=ROOT,
    )
    assert run.returncode == 1
    lines = (run.stdout + run.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert f"port {busy_port} on 127.0.0.1 is already in use" in lines[0] and "[E050]" in lines[0]
    assert "--port" in lines[0] and "KG_PORT=" in lines[0]
    assert "serving" not in lines[0] and "Traceback" not in lines[0]


def test_busy_port_is_checked_before_building(busy_port, tmp_path, seed_path):
    """A missing store is not built (minutes on a big corpus) when the server could not listen anyway."""
    source = tmp_path / "source"
    source.mkdir()
    (source / seed_path.name).write_bytes(seed_path.read_bytes())
    store = tmp_path / "store"
    run = subprocess.run(
        [sys.executable, str(ROOT / "server.py"), "--store", str(store), "--source", str(source)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(KG_PORT=str(busy_port)),  # the variable the message names
        cwd=ROOT,
    )
    assert run.returncode == 1 and f"port {busy_port}" in run.stderr
    assert not store.exists()


def test_serving_is_printed_when_it_is_true(seed_store_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = seed_store_path.parent / f"serve-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--store", str(seed_store_path)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_env(KG_PORT=str(port)),
            cwd=ROOT,
        )
    try:
        deadline = time.monotonic() + 60
        while "serving" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.02)
        # the moment it says so, the port accepts connections
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
        assert f"http://127.0.0.1:{port}/" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(10)
