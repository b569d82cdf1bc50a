"""Where the package's data files are: the ontology, the SHACL shapes and the lexicons.

``ontology/`` at the top of the repository is the editable source (the layout the design
requires). A wheel ships the same files inside the package as ``kg/ontology/``
(``pyproject.toml`` maps the package ``kg.ontology`` onto the top-level folder), so an
installed ``kg`` finds them without a checkout; an editable install and the tests read
the top-level folder itself.
"""

from __future__ import annotations

import functools
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _ontology_dir() -> Path:
    installed = PACKAGE_DIR / "ontology"
    if (installed / "dsr.ttl").is_file():
        return installed
    return PACKAGE_DIR.parent / "ontology"


#: The folder holding ``dsr.ttl``, ``shapes.ttl``, ``cues.ttl`` and ``lexicon/``.
ONTOLOGY_DIR = _ontology_dir()
ONTOLOGY_FILE = ONTOLOGY_DIR / "dsr.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
LEXICON_DIR = ONTOLOGY_DIR / "lexicon"


def lexicon_files(directory: Path | None = None) -> list[Path]:
    """Return the lexicon Turtle files of ``directory`` (sorted) plus the ``cues.ttl`` and
    ``names.ttl`` (the word lists of the name rules) beside it."""
    directory = directory or LEXICON_DIR
    files = sorted(directory.glob("*.ttl"))
    for name in ("cues.ttl", "names.ttl"):
        extra = directory.parent / name
        if extra.is_file():
            files.append(extra)
    return files


@functools.lru_cache(maxsize=1)
@functools.lru_cache(maxsize=1)
def class_labels() -> dict[str, dict[str, str]]:
    """Return ``{local name: {"zh": …, "en": …}}`` for every ``dsr:`` term with labels in ``dsr.ttl``.

    The ontology is the one source of the names of node types shown to people (legends,
    filters, summaries), so a class added there (GovernmentBody, Event, Place …) is named
    in both languages without code changes. Read once per process (callers must not change it).
    """
    import pyoxigraph as ox

    from .vocab import DSR, RDFS

    ns, label = str(DSR), str(RDFS.label)
    out: dict[str, dict[str, str]] = {}
    for quad in ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE):
        s, p, o = quad.subject, quad.predicate, quad.object
        if p.value == label and isinstance(o, ox.Literal) and isinstance(s, ox.NamedNode) and s.value.startswith(ns):
            lang = (o.language or "")[:2]
            if lang in ("zh", "en"):
                out.setdefault(s.value[len(ns) :], {})[lang] = o.value
    return out
