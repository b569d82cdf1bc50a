"""The ``kg`` command line.

Every command takes ``--store`` (default ``data/store``, or ``KG_STORE``). Errors are
printed as one line naming the file and the problem, with a non-zero exit status and no
traceback.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import KGError, QueryError

STORE_OPTION = click.option(
    "--store",
    "store_path",
    default="data/store",
    envvar="KG_STORE",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Store directory (env KG_STORE).",
)
BASE_OPTION = click.option(
    "--base",
    default="https://w3id.org/dsr-kg/id/",
    envvar="KG_BASE_IRI",
    show_default=True,
    help="Base of instance IRIs (env KG_BASE_IRI).",
)

#: Commands that live in other modules: name → "module:attribute". A module that is
#: not importable (an optional part missing) leaves its command out.
LAZY_COMMANDS = {
    "serve": "kg.web.cli:serve",
    "export": "kg.views_cli:export",
    "push": "kg.push:push_command",
    "compare": "kg.compare:compare_command",
}


class KGGroup(click.Group):
    """A click group that loads some commands lazily and turns KGError into a clean exit."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(name for name in LAZY_COMMANDS if self._lazy(name) is not None)
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._lazy(cmd_name)

    @staticmethod
    def _lazy(name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(name)
        if not target:
            return None
        module, _, attr = target.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            return None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KGError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=KGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Build and query the Digital Silk Road knowledge graph."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@STORE_OPTION
@BASE_OPTION
@click.option("--force", is_flag=True, help="Rebuild documents even when their files are unchanged.")
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes (default: number of cores).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def build(paths: tuple[Path, ...], store_path: Path, base: str, force: bool, jobs: int | None, quiet: bool) -> None:
    """Build documents (files or folders; default source/) into the store.

    Each document replaces its own named graph atomically; unchanged files are skipped;
    a bad file is reported and the others are still built.
    """
    from .build import build as run_build
    from .build import default_jobs

    report = run_build(
        paths or (Path("source"),),
        store_path,
        base=base,
        force=force,
        jobs=jobs or default_jobs(),
        progress=not quiet,
    )
    for path, warning in report.warnings:
        click.echo(f"warning: {path}: {warning}", err=True)
    for path, message in report.refused:
        click.echo(f"error: {message}", err=True)
    click.echo(report.summary())
    if report.refused:
        sys.exit(1)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--graph", default=None, help="Named graph IRI (default: the file's file: IRI; datasets keep theirs).")
@STORE_OPTION
def load(file: Path, graph: str | None, store_path: Path) -> None:
    """Import an RDF file (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) into a named graph."""
    from .store import load_rdf_file, open_store

    store = open_store(store_path)
    target, count = load_rdf_file(store, file, graph)
    store.flush()
    click.echo(f"loaded {count} statements from {file} into {target}")


@main.command()
@click.argument("query")
@STORE_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "tsv", "xml", "turtle", "ntriples"]),
    default="table",
    show_default=True,
)
def query(query: str, store_path: Path, fmt: str) -> None:
    """Run a SPARQL query: the text, @file.rq, or - for standard input.

    Common prefixes (dsr, rdfs, skos, oa, dcterms, owl, wd …) are predeclared. The
    default graph is the union of all graphs.
    """
    from .query_output import run_query

    text = _query_text(query)
    click.echo(run_query(store_path, text, fmt), nl=False)


def _query_text(arg: str) -> str:
    if arg == "-":
        return sys.stdin.read()
    if arg.startswith("@"):
        p = Path(arg[1:])
        try:
            return p.read_text(encoding="utf-8")
        except OSError as exc:
            raise QueryError(f"{p}: cannot read the query file ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise QueryError(f"{p}: the query file is not UTF-8") from exc
    return arg


@main.command()
@STORE_OPTION
@click.option("--document", "documents", multiple=True, help="Validate only this document IRI (repeatable).")
@click.option("--verbose", "-v", is_flag=True, help="Print the full SHACL report.")
def validate(store_path: Path, documents: tuple[str, ...], verbose: bool) -> None:
    """Validate the graph against ontology/shapes.ttl (exit 1 on violations)."""
    from .store import open_store
    from .validate import validate_store

    store = open_store(store_path, read_only=True)
    report = validate_store(store, list(documents) or None)
    if report.conforms:
        click.echo(f"conforms: {report.triples} triples checked against ontology/shapes.ttl")
        return
    click.echo(report.text if verbose else report.text[:4000], err=True)
    raise click.ClickException(f"{report.violations} SHACL violation(s) in {report.triples} triples")


@main.command()
@STORE_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats(store_path: Path, as_json: bool) -> None:
    """Count documents, clauses, sentences, mentions, entities by type and triples."""
    from .store import open_store
    from .store import stats as store_stats

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


if __name__ == "__main__":  # pragma: no cover
    main()
