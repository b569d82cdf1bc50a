"""Shared fixtures: real files, a real on-disk Oxigraph store built from the seed.

Other test modules keep their own fixtures in their own files (or in
``tests/fixtures_*.py`` listed in ``pytest_plugins``) so that this file stays small.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "source" / "000_bf54f53887da828b.txt"
SEED_IRI = "https://w3id.org/dsr-kg/id/document/000_bf54f53887da828b"
ID = "https://w3id.org/dsr-kg/id/"


def seed_gold_relations(predicate: str) -> set[tuple[str, str]]:
    """The seed's ``(subject, object)`` keys of one typed relation in the hand-made gold
    (``eval/commitments/relations.tsv``: ``technology/big-data``, ``document`` …)."""
    import csv

    with open(ROOT / "eval" / "commitments" / "relations.tsv", encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t")
        return {(r["subject"], r["object"]) for r in rows if r["doc"] == SEED.stem and r["predicate"] == predicate}


#: Entity IRIs of the technologies the seed applies in agriculture (clause 3), from the gold.
SEED_AGRICULTURE_TECHNOLOGIES = frozenset(
    ID + s for s, o in seed_gold_relations("appliedIn") if o == "sector/agriculture"
)
#: Entity IRIs of the organisations the seed invites to play a role (clause 20), from the gold.
SEED_INVITED = frozenset(ID + o for _, o in seed_gold_relations("invitesRole"))


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The seed document (the 2023 Beijing Initiative)."""
    return SEED


@pytest.fixture(scope="session")
def seed_store_path(tmp_path_factory) -> Path:
    """A store built once per session from the seed; tests must not write to it."""
    from kg.build import build

    path = tmp_path_factory.mktemp("seed") / "store"
    report = build([SEED], path)
    assert report.ok, report.refused
    return path


@pytest.fixture(scope="session")
def seed_store(seed_store_path):
    """The seed store opened read-only."""
    from kg.store import open_store

    return open_store(seed_store_path, read_only=True)


@pytest.fixture
def store_copy(seed_store_path, tmp_path) -> Path:
    """A private, writable copy of the seed store."""
    target = tmp_path / "store"
    shutil.copytree(seed_store_path, target)
    return target


def chromium_path() -> str | None:
    """Debian's Chromium, or None (browser tests skip unless KG_REQUIRE_BROWSER=1)."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and os.path.exists(candidate):
            return candidate
    if os.environ.get("KG_REQUIRE_BROWSER") == "1":
        pytest.fail(
            "Chromium is required (KG_REQUIRE_BROWSER=1) but /usr/bin/chromium is missing; apt-get install chromium"
        )
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Chromium for Playwright's executable_path; skips the test when absent."""
    path = chromium_path()
    if path is None:
        pytest.skip("Chromium not installed (apt-get install chromium)")
    return path
