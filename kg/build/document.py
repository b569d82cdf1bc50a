"""Build one document: the composition of the pipeline stages, as plain data.

:func:`process_file` runs ingest → structure → extract → RDF for one file and returns a
picklable :class:`DocumentResult`, so it runs the same in this process, in a worker
process of ``kg build --jobs`` or on a cluster worker. It never opens the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import KGError
from ..core.iris import DEFAULT_BASE
from ..pipeline.extract import extract_all
from ..pipeline.ingest import read_source
from ..pipeline.lexicon import Lexicon, load_lexicon
from ..pipeline.metadata import document_metadata
from ..pipeline.rdf import document_triples
from ..pipeline.structure import segment


@dataclass(frozen=True)
class DocumentResult:
    """What building one file produced (plain data, picklable)."""

    path: str
    iri: str
    ntriples: str
    clauses: int
    mentions: int
    characters: int
    language: str
    encoding: str
    warnings: tuple[str, ...] = ()


def process_file(
    path: str | Path, lexicon: Lexicon, base: str = DEFAULT_BASE, built_at: str | None = None
) -> DocumentResult:
    """Run ingest → structure → extract → metadata → RDF for one file.

    Raises:
        SourceError: the file cannot be read (see :func:`kg.pipeline.ingest.read_source`).
    """
    source = read_source(path)
    structure = segment(source, lexicon.cues(), fallback_title=Path(path).stem)
    extraction = extract_all(source, structure, lexicon)
    mentions = list(extraction.mentions)
    metadata = document_metadata(source, structure, extraction, lexicon)
    iri, nt = document_triples(
        source,
        structure,
        mentions,
        base=base,
        built_at=built_at,
        lexicon_fingerprint=lexicon.fingerprint,
        entities=extraction.entities,
        metadata=metadata,
    )
    return DocumentResult(
        path=str(path),
        iri=iri,
        ntriples=nt,
        clauses=len(structure.clauses),
        mentions=len(mentions),
        characters=len(source.text),
        language=source.language,
        encoding=source.encoding,
        warnings=structure.warnings,
    )


_LEXICON: Lexicon | None = None


def worker_init(lexicon_dir: str | None) -> None:
    """Load the lexicon once per worker process."""
    global _LEXICON
    _LEXICON = load_lexicon(lexicon_dir)


def worker_process(args: tuple[str, str, str]) -> DocumentResult | tuple[str, str]:
    """Build one file in a worker: the result, or ``(path, error message)`` for a bad file."""
    path, base, built_at = args
    assert _LEXICON is not None, "worker_init() runs first in every worker"
    try:
        return process_file(path, _LEXICON, base, built_at)
    except KGError as exc:
        return (path, str(exc))
