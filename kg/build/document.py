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
from ..core.records import DocumentMetadata, DocumentStructure, Extraction, Reading, SourceText
from ..pipeline.commitments import read_commitments
from ..pipeline.extract import extract_all
from ..pipeline.ingest import read_source
from ..pipeline.lexicon import Lexicon, load_lexicon
from ..pipeline.metadata import document_metadata
from ..pipeline.rdf import document_triples
from ..pipeline.structure import segment


@dataclass(frozen=True)
class DocumentResult:
    """What building one file produced (plain data, picklable).

    ``nquads`` is the document's graph as UTF-8 N-Quads (graph name = ``iri``, one
    statement per line), ready for the store's bulk loader or a shard file.
    """

    path: str
    iri: str
    nquads: bytes
    clauses: int
    mentions: int
    characters: int
    language: str
    encoding: str
    warnings: tuple[str, ...] = ()
    sha256: str = ""
    quads: int = 0

    @property
    def ntriples(self) -> str:
        """The document's graph as N-Triples text (the graph name dropped)."""
        return self.nquads.decode("utf-8").replace(f" <{self.iri}> .\n", " .\n")


@dataclass(frozen=True)
class Analysis:
    """Every stage's record for one file, before RDF (what :func:`analyse` returns)."""

    source: SourceText
    structure: DocumentStructure
    extraction: Extraction
    metadata: DocumentMetadata
    reading: Reading


def analyse(path: str | Path, lexicon: Lexicon) -> Analysis:
    """Run ingest → structure → extract → metadata → commitments for one file (no RDF, no store).

    Raises:
        SourceError: the file cannot be read (see :func:`kg.pipeline.ingest.read_source`).
    """
    source = read_source(path)
    structure = segment(source, lexicon.cues(), fallback_title=Path(path).stem)
    extraction = extract_all(source, structure, lexicon)
    metadata = document_metadata(source, structure, extraction, lexicon)
    reading = read_commitments(source, structure, extraction.mentions, lexicon)
    return Analysis(source, structure, extraction, metadata, reading)


def process_file(
    path: str | Path,
    lexicon: Lexicon,
    base: str = DEFAULT_BASE,
    built_at: str | None = None,
    *,
    annotation_context: bool = False,
) -> DocumentResult:
    """Run ingest → structure → extract → metadata → commitments → RDF for one file.

    ``annotation_context`` adds each mention's ``oa:prefix``/``oa:suffix``/``oa:motivatedBy``
    (see :func:`kg.pipeline.rdf.document_triples`).

    Raises:
        SourceError: the file cannot be read (see :func:`kg.pipeline.ingest.read_source`).
    """
    a = analyse(path, lexicon)
    source, structure, extraction = a.source, a.structure, a.extraction
    mentions = list(extraction.mentions)
    iri, nt = document_triples(
        source,
        structure,
        mentions,
        base=base,
        built_at=built_at,
        lexicon_fingerprint=lexicon.fingerprint,
        entities=extraction.entities,
        metadata=a.metadata,
        annotation_context=annotation_context,
        reading=a.reading,
    )
    # Every line ends with " ." and no literal holds a raw newline: name the graph on each line.
    nquads = nt.replace(" .\n", f" <{iri}> .\n").encode("utf-8")
    return DocumentResult(
        path=str(path),
        iri=iri,
        nquads=nquads,
        clauses=len(structure.clauses),
        mentions=len(mentions),
        characters=len(source.text),
        language=source.language,
        encoding=source.encoding,
        warnings=structure.warnings,
        sha256=source.sha256,
        quads=nt.count("\n"),
    )


_LEXICON: Lexicon | None = None


def worker_init(lexicon_dir: str | None) -> None:
    """Load the lexicon once per worker process."""
    global _LEXICON
    _LEXICON = load_lexicon(lexicon_dir)


def warm_up(lexicon_dir: str | None = None) -> None:
    """Load the lexicon and build the Chinese pipeline here, before worker processes are forked.

    Forked workers inherit both (copy-on-write), so they start extracting at once instead of
    each importing spaCy and building its matcher: measured ~2.4 s of CPU per worker on
    this machine, ~2 s of it ``import spacy`` (benchmarks/RESULTS.md, "Build"). Only worth
    it where workers are forked (Linux); elsewhere they start fresh anyway.
    """
    import multiprocessing

    from ..pipeline.extract import build_nlp

    worker_init(lexicon_dir)
    if multiprocessing.get_start_method(allow_none=True) in (None, "fork"):
        assert _LEXICON is not None
        build_nlp("zh", _LEXICON)


def worker_lexicon(lexicon_dir: str | None = None) -> Lexicon:
    """Return this process's lexicon, loading it on first use."""
    if _LEXICON is None:
        worker_init(lexicon_dir)
    assert _LEXICON is not None
    return _LEXICON


def worker_process(args: tuple) -> DocumentResult | tuple[str, str]:
    """Build one file in a worker: the result, or ``(path, error message)`` for a bad file.

    ``args`` is ``(path, base, built_at[, annotation_context])``.
    """
    path, base, built_at = args[:3]
    context = bool(args[3]) if len(args) > 3 else False
    assert _LEXICON is not None, "worker_init() runs first in every worker"
    try:
        return process_file(path, _LEXICON, base, built_at, annotation_context=context)
    except KGError as exc:
        return (path, str(exc))
