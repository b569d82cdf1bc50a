"""Fixtures for the JavaScript viewers the exports are tested with (graphology-gexf, sigma.js).

The npm packages pinned in ``tests/js/package.json`` (and its lock file) are installed from
the npm registry into ``tests/js/node_modules`` on first use (``npm ci``; a lock file keeps
parallel test workers from installing twice), then esbuild bundles ``tests/js/viewers.js``
into one script for Chromium. Registered with ``pytest_plugins = ["fixtures_js"]``.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parent / "js"


def _need(what: str) -> None:
    if os.environ.get("KG_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{what} is required for the viewer tests (KG_REQUIRE_BROWSER=1)")
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session")
def viewers_bundle(tmp_path_factory) -> Path:
    """One script defining ``window.KG_VIEWERS = {Graph, gexf, Sigma}``."""
    npm = shutil.which("npm")
    if npm is None:
        _need("npm (Debian package npm)")
    with open(JS / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (JS / "node_modules" / "sigma" / "package.json").is_file():
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=JS,
                capture_output=True,
                text=True,
                timeout=900,
            )
            if done.returncode != 0:
                _need(f"the npm packages of tests/js ({done.stderr.strip()[-300:]})")
        out = tmp_path_factory.mktemp("js") / "viewers.js"
        subprocess.run(
            [
                str(JS / "node_modules" / ".bin" / "esbuild"),
                "viewers.js",
                "--bundle",
                "--format=iife",
                f"--outfile={out}",
            ],
            cwd=JS,
            check=True,
            capture_output=True,
            timeout=120,
        )
    return out
