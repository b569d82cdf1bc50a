"""A wheel installed in a fresh virtual environment builds, validates and serves the seed
from a folder that has nothing to do with the checkout (the ontology, shapes and lexicons
travel inside the package)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from fixtures_web import free_port

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "source" / "000_bf54f53887da828b.txt"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """``bin/`` of a fresh venv with the project's wheel (and its dependencies) installed."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    wheel = next((work / "dist").glob("dsr_kg-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True, timeout=300)
    pip = work / "venv" / "bin" / "pip"
    done = subprocess.run([str(pip), "install", "-q", str(wheel)], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-2000:]
    return work / "venv" / "bin"


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KG_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    return env


def test_wheel_builds_validates_and_serves_from_an_unrelated_folder(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "docs").mkdir(parents=True)
    shutil.copy(SEED, elsewhere / "docs" / SEED.name)
    kg = str(installed / "kg")
    env = _clean_env()

    where = subprocess.run(
        [str(installed / "python"), "-c", "import kg.core.resources as r; print(r.ONTOLOGY_DIR)"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "site-packages" in where.stdout and str(ROOT) not in where.stdout, where

    built = subprocess.run(
        [kg, "build", "docs", "--store", "store", "-q"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    assert "1 added" in built.stdout

    checked = subprocess.run(
        [kg, "validate", "--store", "store"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300
    )
    assert checked.returncode == 0 and "conforms" in checked.stdout, checked.stderr

    port = free_port()
    server = subprocess.Popen(
        [kg, "serve", "--store", "store", "--port", str(port)],
        cwd=elsewhere, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = requests.get(f"{base}/health", timeout=5)
                if health.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "kg serve from the wheel did not answer /health"
            time.sleep(0.3)
        assert health.json()["documents"] == 1
        ask = requests.get(
            f"{base}/sparql",
            params={
                "query": "PREFIX dsr: <https://w3id.org/dsr-kg/ontology#> "
                "ASK { ?c dsr:mentions <https://w3id.org/dsr-kg/id/technology/blockchain> }"
            },
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert ask.status_code == 200 and ask.json()["boolean"] is True
        page = requests.get(f"{base}/id/technology/blockchain", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and "区块链" in page.text
        ontology = requests.get(f"{base}/ontology", headers={"Accept": "text/turtle"}, timeout=30)
        assert ontology.status_code == 200 and "dsr:Document" in ontology.text
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
