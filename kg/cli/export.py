"""``kg export``: write a NetworkX relation view as GEXF, GraphML, CSV, JSON, SVG or PNG."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..analysis.metrics import METRICS
from ..analysis.views import VIEWS
from ..core.errors import OutputError
from ..export import FORMATS
from ._util import STORE_OPTION

_EXTENSIONS = {
    ".gexf": "gexf",
    ".graphml": "graphml",
    ".xml": "graphml",
    ".csv": "csv",
    ".zip": "zip",
    ".json": "json",
    ".svg": "svg",
    ".png": "png",
}


def csv_paths(output: Path) -> tuple[Path, Path]:
    """Return the node and edge table paths for ``-o out.csv``: ``out.nodes.csv``, ``out.edges.csv``."""
    stem = output.name[: -len(".csv")] if output.name.lower().endswith(".csv") else output.name
    return output.with_name(f"{stem}.nodes.csv"), output.with_name(f"{stem}.edges.csv")


@click.command("export")
@click.argument("view", type=click.Choice(list(VIEWS)), metavar="VIEW")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default=None,
    help="Output format (default: from the -o file extension, else gexf).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file (default: standard output).",
)
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True, help="Language of node labels."
)
@click.option("--document", "documents", multiple=True, help="Only this document (IRI, slug or file name); repeatable.")
@click.option(
    "--type",
    "types",
    multiple=True,
    help="Only entities of this type (Country, Organisation, Technology, Sector); repeatable or comma-separated.",
)
@click.option(
    "--min-weight",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Drop edges lighter than this (and nodes left without edges).",
)
@click.option(
    "--table",
    type=click.Choice(["nodes", "edges", "both"]),
    default=None,
    help="CSV: which table (default with -o: both, as FILE.nodes.csv and FILE.edges.csv).",
)
@click.option(
    "--size-by",
    "metric",
    type=click.Choice(METRICS[:4]),
    default="weighted_degree",
    show_default=True,
    help="SVG/PNG: metric that sizes the nodes.",
)
@click.option(
    "--width",
    type=click.IntRange(100, 10000),
    default=None,
    help="SVG/PNG width in pixels (default 1000 SVG, 1600 PNG).",
)
@click.option(
    "--height",
    type=click.IntRange(100, 10000),
    default=None,
    help="SVG/PNG height in pixels (default 750 SVG, 1200 PNG).",
)
@click.option(
    "--gexf-version",
    type=click.Choice(["1.3", "1.2draft"]),
    default="1.3",
    show_default=True,
    help="GEXF version (1.2draft for Gephi before 0.9.3).",
)
@click.option(
    "--dynamic",
    is_flag=True,
    help="GEXF: a dynamic graph for Gephi's timeline; nodes and edges appear at the date (dcterms:issued) "
    "of the first document that mentions them.",
)
@click.option(
    "--bom",
    is_flag=True,
    help="CSV/zip: start with the UTF-8 byte-order mark, so that Excel reads Chinese labels as UTF-8.",
)
@click.option("--summary", "show_summary", is_flag=True, help="Also print the view summary (JSON) on standard error.")
@STORE_OPTION
def export(
    view: str,
    fmt: str | None,
    output: Path | None,
    lang: str,
    documents: tuple[str, ...],
    types: tuple[str, ...],
    min_weight: int,
    table: str | None,
    metric: str,
    width: int | None,
    height: int | None,
    gexf_version: str,
    dynamic: bool,
    bom: bool,
    show_summary: bool,
    store_path: Path,
) -> None:
    """Export a relation view (clause-entity, cooccurrence, technology-sector (dsr:appliedIn),
    technology-sector-cooccurrence, commitments, country-document, organisation-clause) with
    node metrics.

    \b
    Formats: gexf (Gephi: typed attributes, colours by type, sizes by weighted degree,
    positions from a seeded layout), graphml (Cytoscape, yEd), csv (node and edge tables:
    -o out.csv writes out.nodes.csv and out.edges.csv), zip (both tables), json (NetworkX
    node-link), svg and png (pictures). The same store gives byte-identical files.
    """
    import json

    from .. import export as ex
    from ..analysis.metrics import summary
    from ..analysis.views import build_view
    from ..query.engines import LocalEngine

    if fmt is None:
        fmt = _EXTENSIONS.get(output.suffix.lower(), "gexf") if output is not None else "gexf"
    if fmt == "csv" and output is None and table in (None, "both"):
        raise click.UsageError(
            "CSV to standard output needs --table nodes or --table edges (or -o FILE.csv for both tables)"
        )
    if fmt in ("png", "zip") and output is None and sys.stdout.isatty():
        raise click.UsageError(f"{fmt.upper()} is binary: give -o FILE")

    if dynamic and fmt != "gexf":
        raise click.UsageError("--dynamic is for GEXF (Gephi's timeline); use --format gexf")
    engine = LocalEngine(store_path, in_memory=False)
    try:
        G = build_view(engine, view, documents=documents, types=types, min_weight=min_weight)
        if dynamic:
            from ..analysis.timeline import add_first_dates

            add_first_dates(engine, G)
    finally:
        engine.close()
    info = summary(G, lang=lang)
    options: dict[str, object] = {"metric": metric, "gexf_version": gexf_version, "bom": bom, "dynamic": dynamic}
    if width:
        options["width"] = width
    if height:
        options["height"] = height

    written: list[str] = []
    if fmt == "csv" and output is not None and table in (None, "both"):
        nodes_path, edges_path = csv_paths(output)
        _write(nodes_path, ex.nodes_csv(G, lang=lang, bom=bom))
        _write(edges_path, ex.edges_csv(G, lang=lang, bom=bom))
        written = [str(nodes_path), str(edges_path)]
    else:
        if fmt == "csv":
            options["table"] = table
        body = ex.render(G, fmt, lang=lang, summary=info if fmt == "json" else None, **options)
        if output is None:
            _stdout(body)
        else:
            _write(output, body)
            written = [str(output)]
    if written:
        click.echo(
            f"wrote {', '.join(written)}: view {view}, {G.number_of_nodes()} nodes, {G.number_of_edges()} edges",
            err=True,
        )
    if dynamic:
        click.echo(_timeline_note(G), err=True)
    if show_summary:
        click.echo(json.dumps(info, ensure_ascii=False, indent=1), err=True)


def _timeline_note(G) -> str:
    span = G.graph.get("timeline") or "no dates"
    undated = int(G.graph.get("undated_documents") or 0)
    note = f"timeline {span}: {G.graph.get('dated_documents', 0)} documents dated by dcterms:issued"
    if undated:
        note += f", {undated} without it placed at the date they were built"
    return note


def _write(path: Path, body: bytes) -> None:
    """Write an export file whole or not at all (a temporary file in the same folder, renamed).

    A failed write (missing folder, no permission, full disk) leaves any earlier file of
    that name as it was and no partial file behind.

    Raises:
        OutputError: the folder does not exist, is not writable, or the disk is full.
    """
    import os
    import tempfile

    if path.exists() and not path.is_file():  # a device or pipe (-o /dev/stdout): write through it
        try:
            with open(path, "wb") as out:
                out.write(body)
        except OSError as exc:
            raise OutputError(output_problem(path, exc)) from None
        return
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with os.fdopen(fd, "wb") as out:
            out.write(body)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise OutputError(output_problem(path, exc)) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def output_problem(path: Path | None, exc: OSError) -> str:
    """Say in one line why an export could not be written and what to do."""
    import errno

    where = "standard output" if path is None else str(path)
    folder = "." if path is None else str(path.parent)
    if exc.errno == errno.ENOENT:
        return f"cannot write {where}: the folder {folder} does not exist; create it or choose another -o"
    if exc.errno == errno.ENOSPC:
        return f"cannot write {where}: the disk is full; free some space or choose another -o"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {where}: no permission to write in {folder}; choose another -o"
    if exc.errno == errno.ENOTDIR:
        return f"cannot write {where}: {folder} is not a folder; choose another -o"
    if exc.errno == errno.EISDIR:
        return f"cannot write {where}: it is a folder; give a file name with -o"
    return f"cannot write {where}: {exc.strerror or exc}; choose another -o"


def _stdout(body: bytes) -> None:
    """Write to standard output; a closed pipe (``kg export … | head``) ends quietly.

    Raises:
        OutputError: standard output cannot be written (a full disk behind a redirect).
    """
    import errno
    import os

    try:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
    except OSError as exc:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        if exc.errno == errno.EPIPE:
            return
        raise OutputError(output_problem(None, exc)) from None
