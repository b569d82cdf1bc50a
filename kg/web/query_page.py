"""The query page at ``/``: editor, example questions, dataset statistics."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, current_app, make_response, render_template, request, url_for

from ..core.errors import KGError
from ..core.media import RDF_TYPES, RESULT_TYPES
from ..core.resources import class_labels
from .context import base_iri
from .dataset import dataset_statistics

bp = Blueprint("query_page", __name__)

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"


@dataclass(frozen=True)
class Example:
    """An example query shipped in kg/web/examples/*.rq."""

    name: str
    title_zh: str
    title_en: str
    query: str
    #: documents the store needs for the example to answer (``# min-documents: 2``)
    min_documents: int = 1


_HEADER = re.compile(r"#\s*(title@zh|title@en|min-documents):\s*(.+)")


@functools.lru_cache(maxsize=1)
def examples() -> tuple[Example, ...]:
    """Load the example queries: ``# title@zh:``, ``# title@en:`` and ``# min-documents:`` header lines, then the query."""
    out = []
    for path in sorted(EXAMPLES_DIR.glob("*.rq")):
        header: dict[str, str] = {}
        body: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            m = _HEADER.match(line)
            if m and not body:
                header[m.group(1)] = m.group(2).strip()
            else:
                body.append(line)
        query = "\n".join(body).strip() + "\n"
        out.append(
            Example(
                path.stem,
                header.get("title@zh", path.stem),
                header.get("title@en", path.stem),
                query,
                int(header.get("min-documents", "1")),
            )
        )
    return tuple(out)


# ---------------------------------------------------------------- routes: query page


def index_page() -> Response:
    """Render the query page."""
    stats = None
    error = None
    try:
        stats = dataset_statistics()
    except KGError as exc:
        error = str(exc)
    response = make_response(
        render_template(
            "index.html",
            examples=examples(),
            initial_query=request.args.get("query")
            or (examples()[0].query if examples() else "SELECT * WHERE { ?s ?p ?o } LIMIT 10\n"),
            stats=stats,
            error=error,
            base=base_iri(),
            id_prefix=url_for("linked_data.resource", rest="x")[:-1],
            endpoint=url_for("sparql.endpoint"),
            result_formats=[(RESULT_TYPES[m][0], m) for m in RESULT_TYPES],
            rdf_formats=[(RDF_TYPES[m][0], m) for m in RDF_TYPES],
            type_labels=class_labels(),  # entity type names from the ontology (zh, en)
            dump_url=None if current_app.config.get("SPARQL_ENDPOINT") else url_for("dumps.full_dump"),
        )
    )
    response.vary.add("Accept")
    return response


@bp.route("/")
def index() -> Response:
    """The query page: editor, examples, statistics."""
    return index_page()


@bp.route("/favicon.ico")
def favicon() -> Response:
    """The site icon (browsers ask for /favicon.ico on every page)."""
    from flask import current_app, send_from_directory

    response = send_from_directory(
        Path(current_app.root_path) / "static", "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
    )
    return response
