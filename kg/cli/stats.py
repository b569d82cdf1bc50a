"""``kg stats``: what the store holds."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._util import STORE_OPTION


@click.command()
@STORE_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats(store_path: Path, as_json: bool) -> None:
    """Count documents, clauses, sentences, mentions, entities by type and triples."""
    from ..store import open_store
    from ..store import stats as store_stats

    counts = store_stats(open_store(store_path, read_only=True))
    if as_json:
        click.echo(json.dumps(counts, ensure_ascii=False, indent=2))
        return
    for key, value in counts.items():
        if isinstance(value, dict):
            click.echo(f"{key}:")
            for k, v in value.items():
                click.echo(f"  {k:<14} {v:>8}")
        else:
            click.echo(f"{key:<16} {value:>8}")
