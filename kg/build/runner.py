"""Build files into the store: incremental, parallel, one transaction per document.

``build`` decides which files need building (file hash, pipeline version and lexicon
fingerprint against the store's provenance), runs :func:`kg.build.document.process_file`
for them in worker processes, and writes each result into the store, keeping going when
one file is bad.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import DocumentConflict, KGError, SourceError, StoreFull
from ..core.iris import DEFAULT_BASE, document_iri, slugify
from ..pipeline import pipeline_version
from ..pipeline.ingest import SUPPORTED_SUFFIXES, sha256_bytes
from ..pipeline.lexicon import load_lexicon
from ..pipeline.rdf import build_time
from ..store import add_graphs, document_record, flush, load_ontology, open_store, replace_graph
from ..store.bulk import ParallelLoader
from .document import DocumentResult, warm_up, worker_init, worker_process
from .parallel import bounded_imap


@dataclass
class BuildReport:
    """Summary of a build: what was added, replaced, skipped and refused."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    characters: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no file was refused."""
        return not self.refused

    def summary(self) -> str:
        """Return a one-line summary."""
        rate = self.characters / self.seconds if self.seconds else 0.0
        return (
            f"{len(self.added)} added, {len(self.replaced)} replaced, {len(self.skipped)} unchanged, "
            f"{len(self.refused)} refused; {self.characters:,} characters in {self.seconds:.2f} s"
            + (f" ({rate:,.0f} chars/s)" if self.characters else "")
        )


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders into the sorted list of source files to build.

    Folders are searched recursively for supported suffixes; hidden files are skipped.

    Raises:
        SourceError: a path does not exist.
    """
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(
                f
                for f in sorted(p.rglob("*"))
                if f.is_file()
                and f.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        elif p.is_file():
            files.append(p)
        else:
            raise SourceError(f"{p}: no such file or folder")
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


#: New documents are bulk-loaded in batches of about this many bytes of N-Quads.
_BULK_BATCH_BYTES = 16 * 2**20
#: Replaced documents are written in transactions; flush the store after this many bytes.
_FLUSH_AFTER_BYTES = 8 * 2**20

#: Where results come from: ``(files, base, built_at, annotation_context) → results``
#: (in input order or not), a :class:`DocumentResult` or ``(path, error)`` per file.
ResultSource = Callable[[list[Path], str, str, bool], Iterator["DocumentResult | tuple[str, str]"]]


def local_results(jobs: int, lexicon_dir: str | None) -> ResultSource:
    """Return a :data:`ResultSource` running the pipeline in ``jobs`` local processes."""

    def run(files: list[Path], base: str, built_at: str, context: bool) -> Iterator[DocumentResult | tuple[str, str]]:
        # Not ProcessPoolExecutor.map: it submits every file at once and keeps every finished
        # result until the (slower) store writer takes it, so memory grew with the corpus
        # (553 MB at 1 M triples with 2 jobs, benchmarks/RESULTS.md "Scale"); at most
        # 2 × jobs documents are in flight here.
        if jobs > 1 and len(files) > 1:
            warm_up(lexicon_dir)  # forked workers inherit spaCy and the matcher
        yield from bounded_imap(
            worker_process,
            ((str(f), base, built_at, context) for f in files),
            jobs=min(jobs, len(files)),
            window=2 * jobs,
            ordered=True,
            initializer=worker_init,
            initargs=(lexicon_dir,),
        )

    return run


def build(
    paths: Iterable[str | Path],
    store_path: str | Path,
    *,
    base: str = DEFAULT_BASE,
    force: bool = False,
    jobs: int = 1,
    progress: bool = False,
    lexicon_dir: str | None = None,
    annotation_context: bool = False,
    results: ResultSource | None = None,
) -> BuildReport:
    """Build (or incrementally rebuild) documents into the store.

    A document whose file hash, pipeline version, lexicon and annotation option are
    unchanged is skipped unless ``force``. A bad file is reported in
    ``BuildReport.refused`` and the others are built. New documents are bulk-loaded in
    ``jobs`` threads while the next documents are extracted (``jobs`` 1: one core,
    extraction and loading in turn).

    Args:
        results: where documents are built (default: ``jobs`` local processes;
            :func:`kg.build.cluster.cluster_results` for a Dask cluster).

    Raises:
        SourceError: a given path does not exist.
        StoreLocked: another process is writing to the store.
        StoreFull: the disk filled up; the build stops at the first write that does not fit
            (the documents written before it are complete, the rest are built next time).
    """
    started = time.perf_counter()
    files = collect_files(paths)
    lexicon = load_lexicon(lexicon_dir)
    store = open_store(store_path)
    report = BuildReport()
    source = results or local_results(jobs, lexicon_dir)
    try:
        load_ontology(store, base)
        todo, existing = _plan(store, files, base, lexicon.fingerprint, force, report, annotation_context)
        bar = _progress(len(todo), progress)
        writer = _Writer(store, report, existing, threads=jobs if jobs > 1 else 0)
        try:
            for result in source(todo, base, build_time(), annotation_context):
                writer.write(result)
                if bar is not None:
                    bar.update(1)
        finally:
            writer.close()
        if bar is not None:
            bar.close()
    finally:
        del store
    report.seconds = time.perf_counter() - started
    return report


def _plan(
    store,
    files: list[Path],
    base: str,
    lexicon_fingerprint: str,
    force: bool,
    report: BuildReport,
    annotation_context: bool = False,
) -> tuple[list[Path], dict[str, bool]]:
    """Decide what to build: ``(files to build, document IRI → already in the store)``.

    Unreadable files and name clashes go to ``report.refused``; unchanged documents (same
    file hash, pipeline version, lexicon fingerprint and annotation option) to
    ``report.skipped``.
    """
    todo: list[Path] = []
    existing: dict[str, bool] = {}
    for f, digest, iri in _identify(files, base, report):
        record = document_record(store, iri)
        existing[iri] = record is not None
        unchanged = (
            record is not None
            and record["sha256"] == digest
            and record["pipeline"] == pipeline_version()
            and record["lexicon"] == lexicon_fingerprint
            and record["context"] == ("true" if annotation_context else "false")
        )
        if unchanged and not force:
            report.skipped.append(str(f))
        else:
            todo.append(f)
    return todo, existing


def _identify(files: list[Path], base: str, report: BuildReport) -> Iterator[tuple[Path, str, str]]:
    """Yield ``(file, SHA-256, document IRI)``; unreadable files and name clashes go to ``report.refused``."""
    slugs: dict[str, Path] = {}
    for f in files:
        try:
            digest = sha256_bytes(f.read_bytes())
        except OSError as exc:
            report.refused.append((str(f), str(SourceError(f"{f}: cannot read ({exc.strerror})"))))
            continue
        iri = document_iri(slugify(f.name, digest), base)
        if iri in slugs:
            clash = DocumentConflict(f"{f}: same document name as {slugs[iri]}; rename one of them")
            report.refused.append((str(f), str(clash)))
            continue
        slugs[iri] = f
        yield f, digest, iri


class _Writer:
    """Write build results into the store: new documents bulk-loaded in batches by
    ``threads`` loader threads while extraction goes on, changed ones in one transaction
    each (the previous graph stays whole if the write fails)."""

    def __init__(self, store, report: BuildReport, existing: dict[str, bool], threads: int = 0) -> None:
        self.store, self.report, self.existing = store, report, existing
        # Our own output, written by kg.pipeline.rdf and checked by tests/test_rdf.py:
        # lenient parsing saves ~15 % of the load (benchmarks/RESULTS.md, "Build").
        self.loader = ParallelLoader(store, threads, lenient=True, fail_fast=False)
        self.batches: list[tuple[Future, list[DocumentResult]]] = []
        self.pending: list[DocumentResult] = []
        self.bytes = 0
        self.replaced_bytes = 0  # transactional writes since the last flush

    def write(self, result: DocumentResult | tuple[str, str]) -> None:
        """Write one result (or record a refused file)."""
        if isinstance(result, tuple):
            self.report.refused.append(result)
        elif self.existing.get(result.iri):
            self._replace(result)
        else:
            self.pending.append(result)
            self.bytes += len(result.nquads)
            if self.bytes >= _BULK_BATCH_BYTES:
                self._submit()

    def _submit(self) -> None:
        if not self.pending:
            return
        batch, self.pending, self.bytes = self.pending, [], 0
        future = self.loader.submit(b"".join(r.nquads for r in batch), _nquads_format())
        self.batches.append((future, batch))

    def _replace(self, result: DocumentResult) -> None:
        try:
            replace_graph(self.store, result.iri, result.ntriples)  # atomic: old graph kept on failure
        except StoreFull:
            raise  # every later write would fail the same way: stop with the one error
        except KGError as exc:
            self.report.refused.append((result.path, str(exc)))
            return
        self._done(result, replaced=True)
        # Transactions stay in RocksDB memtables until flushed: a full rebuild reached
        # 1.5 GB at 1 M triples without this, ~0.3 GB with it.
        self.replaced_bytes += len(result.nquads)
        if self.replaced_bytes >= _FLUSH_AFTER_BYTES:
            flush(self.store)
            self.replaced_bytes = 0

    def _done(self, result: DocumentResult, replaced: bool = False) -> None:
        (self.report.replaced if replaced else self.report.added).append(result.path)
        self.report.characters += result.characters
        self.report.warnings.extend((result.path, w) for w in result.warnings)

    def close(self) -> None:
        """Load what is still queued, wait for the loader threads and flush the store.

        A batch that failed is loaded again document by document, so a bad one is named.
        """
        self._submit()
        self.loader.wait()
        for future, batch in self.batches:
            if future.exception() is None:
                for r in batch:
                    self._done(r)
                continue
            if isinstance(future.exception(), StoreFull):
                raise future.exception()  # type: ignore[misc]  # the disk is full: stop, nothing else fits
            for r in batch:
                try:
                    add_graphs(self.store, [(r.iri, r.ntriples)])
                    self._done(r)
                except StoreFull:
                    raise
                except KGError as exc:
                    self.report.refused.append((r.path, str(exc)))
        self.batches = []
        flush(self.store)


def _nquads_format():
    import pyoxigraph as ox

    return ox.RdfFormat.N_QUADS


def _progress(total: int, enabled: bool):
    if not enabled or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="building", dynamic_ncols=True, disable=None)


def default_jobs() -> int:
    """Return the default number of build processes: the number of usable cores."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
