"""Fixtures for the view tests: an engine over the seed store and every view built once."""

from __future__ import annotations

import pytest

from kg.analysis.views import VIEWS, build_view
from kg.query.engines import LocalEngine


@pytest.fixture(scope="module")
def engine(seed_store_path):
    eng = LocalEngine(seed_store_path, in_memory=True)
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def views(engine):
    return {name: build_view(engine, name) for name in VIEWS}
