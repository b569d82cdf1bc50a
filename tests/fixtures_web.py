"""Fixtures for the web tests: a Flask app over the seed store, and real server processes.

Registered with ``pytest_plugins = ["fixtures_web"]`` in the test_web_* modules.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(store: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60.0) -> Iterator[str]:
    """Start ``python server.py --store STORE --port P`` and yield its base URL once /health is 200."""
    import requests

    port = free_port()
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env.pop("KG_STORE", None)
    cmd = [sys.executable, str(ROOT / "server.py"), "--store", str(store), "--host", "127.0.0.1", "--port", str(port), *args]
    log = open(store.parent / f"server-{port}.log", "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log.flush()
                raise RuntimeError(f"server exited with {proc.returncode}: {(store.parent / f'server-{port}.log').read_text()[-2000:]}")
            try:
                if requests.get(base + "/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy in time")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def web_app(seed_store_path):
    """The app over the seed store (in-memory copy; nothing writes to the seed store)."""
    from kg.web import create_app

    return create_app({"STORE": str(seed_store_path), "TESTING": True})


@pytest.fixture
def client(web_app):
    """A Flask test client of :func:`web_app`."""
    return web_app.test_client()


@pytest.fixture(scope="session")
def seed_server(seed_store_path) -> Iterator[str]:
    """A real server process (waitress) over the seed store; yields its base URL."""
    with running_server(seed_store_path) as base:
        yield base
