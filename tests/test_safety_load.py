"""The bounded load test, short: 20 clients for 10 s with a runaway query, against a real server.

The full run (50 clients, 60 s) is ``python benchmarks/load_test.py``; its figures are in
benchmarks/RESULTS.md, section Safety.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_load_with_runaway_has_no_errors(seed_store_path, capsys):
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import load_test
    finally:
        sys.path.remove(str(ROOT))
    code = load_test.main(
        [
            "--clients",
            "20",
            "--seconds",
            "10",
            "--time-limit",
            "2",
            "--store",
            str(seed_store_path),
            "--no-write",
            "--no-slow",  # the slow-client phase has its own test (test_safety_slow_clients.py)
            "--threads",
            "32",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "with runaway" in out and "'errors': 0" in out
    assert "503" in out  # the runaway was stopped by the time limit, at least once
