"""The real public documents (``../shared/realdocs/``): they build, validate, list their names
outside the lexicon, and the development half meets the extraction targets."""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

pytest_plugins = ["fixtures_realdocs"]

ROOT = Path(__file__).resolve().parent.parent


def test_realdocs_validate(realdocs_store):
    from kg.store import open_store, validate_store

    report = validate_store(open_store(realdocs_store, read_only=True))
    assert report.conforms, report.text[:2000]


def test_lexicon_candidates_in_every_format(realdocs_store):
    import csv
    import io

    from rdflib import Graph

    from kg.cli import main

    runner = CliRunner()
    table = runner.invoke(main, ["lexicon", "candidates", "--store", str(realdocs_store)])
    assert table.exit_code == 0, table.output
    assert "GovernmentBody" in table.output and "Event" in table.output
    rows = list(
        csv.DictReader(
            io.StringIO(
                runner.invoke(main, ["lexicon", "candidates", "--store", str(realdocs_store), "--format", "csv"]).output
            )
        )
    )
    assert rows and all(int(r["mentions"]) >= 1 and r["documents"] and r["context"] for r in rows)
    frequent = runner.invoke(
        main, ["lexicon", "candidates", "--store", str(realdocs_store), "--format", "csv", "--min-count", "3"]
    )
    assert 0 < len(list(csv.DictReader(io.StringIO(frequent.output)))) < len(rows)
    turtle = runner.invoke(main, ["lexicon", "candidates", "--store", str(realdocs_store), "--format", "turtle"])
    graph = Graph().parse(data=turtle.output, format="turtle")
    assert len(set(graph.subjects())) == len(rows)


def test_stats_show_metadata(realdocs_store):
    from kg.store import open_store, stats

    counts = stats(open_store(realdocs_store, read_only=True))
    assert counts["entities_mentioned"]["Place"] > 5 and counts["entities_mentioned"]["Event"] > 5
    assert counts["documents_with"]["issued"] >= 4 and counts["documents_with"]["kind"] >= 10
    assert sum(counts["entities_outside_lexicon"].values()) > 10


def test_development_half_meets_the_targets(realdocs):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import evaluate

    from kg.pipeline.lexicon import load_lexicon

    dev = next(s for s in evaluate.eval_sets()[0] if s.name == "realdocs-dev")
    result = evaluate.evaluate_set(dev, load_lexicon())
    for type_name, (p_min, r_min) in evaluate.TARGETS.items():
        p, r, _ = evaluate.score(*result.counts[type_name])
        assert p >= p_min and r >= r_min, (type_name, p, r)
    assert result.negatives == []
    assert result.signatories_exact >= 9
