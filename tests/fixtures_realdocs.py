"""The real public documents of ``../shared/realdocs/`` (never copied into the repository).

The folder is ``ROOT.parent / "shared" / "realdocs"`` (CI lays ``shared/`` beside the clone), or
the nearest ``shared/realdocs`` further up for a worktree one level deeper; tests that need it
skip with a message when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def realdocs_dir() -> Path | None:
    for parent in ROOT.parents:
        candidate = parent / "shared" / "realdocs"
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def realdocs() -> Path:
    path = realdocs_dir()
    if path is None:
        pytest.skip("no ../shared/realdocs folder: the real documents are read from there, never from the repository")
    return path


@pytest.fixture(scope="session")
def realdocs_store(realdocs, tmp_path_factory) -> Path:
    """A store built from every real document."""
    from kg.build import build

    path = tmp_path_factory.mktemp("realdocs") / "store"
    report = build(sorted(realdocs.glob("*.txt")), path)
    assert report.ok, report.refused
    return path
