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
def server_process(
    store: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60.0
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``python server.py --store STORE --port P [ARGS]``; yield (base URL, process) once /health is 200.

    Inherited ``KG_*`` variables are dropped so only ``env`` configures the server; the
    process gets its own session, so its query workers can be inspected and are ended with it.
    """
    import requests

    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    full_env.update({"PYTHONUNBUFFERED": "1", **(env or {})})
    cmd = [
        sys.executable,
        str(ROOT / "server.py"),
        "--store",
        str(store),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *args,
    ]
    log_path = store.parent / f"server-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
                try:
                    if requests.get(base + "/health", timeout=2).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not become healthy in time")
                time.sleep(0.1)
            yield base, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def running_server(store: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60.0) -> Iterator[str]:
    """Like :func:`server_process`, yielding only the base URL."""
    with server_process(store, *args, env=env, timeout=timeout) as (base, _):
        yield base


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
