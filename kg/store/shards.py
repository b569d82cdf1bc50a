"""Shard folders: gzip N-Quads files plus ``manifest.json`` (``kg build --emit-nquads DIR``),
and loading them into the store (``kg load DIR``).

A shard holds whole documents, one named graph per document, one statement per line.
``manifest.json`` records, per document graph: the source file, its SHA-256, the
pipeline version and lexicon fingerprint it was built with, its shard and its number of
quads; per shard: its SHA-256 and quads. :func:`load_shards` checks each shard's SHA-256
(so a shard needs no second parse: it is bulk-loaded leniently, in parallel), skips
shards whose documents the store already holds unchanged, and replaces each document
graph atomically (:func:`kg.store.bulk.replacing`).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import StoreError
from .bulk import ParallelLoader, advance, chunks, default_threads, open_binary, replacing

if TYPE_CHECKING:
    import pyoxigraph as ox

MANIFEST = "manifest.json"
FORMAT = "dsr-kg shards 1"


@dataclass
class DocumentEntry:
    """One document of a shard folder."""

    graph: str
    file: str
    sha256: str
    pipeline: str
    lexicon: str
    shard: str
    quads: int
    characters: int = 0
    mentions: int = 0
    annotation_context: bool = False


@dataclass
class ShardEntry:
    """One shard file."""

    name: str
    sha256: str
    quads: int
    documents: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    """The contents of ``DIR/manifest.json``."""

    base: str = ""
    documents: dict[str, DocumentEntry] = field(default_factory=dict)
    shards: dict[str, ShardEntry] = field(default_factory=dict)

    @classmethod
    def read(cls, directory: str | Path) -> Manifest:
        """Read ``directory/manifest.json`` (an empty manifest when there is none).

        Raises:
            StoreError: the manifest is not one dsr-kg wrote.
        """
        path = Path(directory) / MANIFEST
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
            return cls(
                base=data.get("base", ""),
                documents={d["graph"]: DocumentEntry(**d) for d in data["documents"]},
                shards={s["name"]: ShardEntry(**s) for s in data["shards"]},
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                f"{path}: not a dsr-kg shard manifest ({exc}); rebuild it with `kg build --emit-nquads`"
            ) from exc

    def write(self, directory: str | Path) -> None:
        """Write ``directory/manifest.json`` atomically (temporary file + rename)."""
        path = Path(directory) / MANIFEST
        data = {
            "format": FORMAT,
            "base": self.base,
            "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "documents": [asdict(d) for d in sorted(self.documents.values(), key=lambda d: d.graph)],
            "shards": [asdict(s) for s in sorted(self.shards.values(), key=lambda s: s.name)],
        }
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)


def file_sha256(path: str | Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class ShardLoadReport:
    """What ``kg load DIR`` did."""

    loaded: list[str] = field(default_factory=list)  # shard names
    skipped: list[str] = field(default_factory=list)
    documents: int = 0
    quads: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """Return a one-line summary."""
        rate = self.quads / self.seconds if self.seconds else 0.0
        return (
            f"loaded {len(self.loaded)} shards ({self.documents:,} documents, {self.quads:,} quads) in "
            f"{self.seconds:.2f} s ({rate:,.0f} quads/s); {len(self.skipped)} shards unchanged in the store"
        )


def load_shards(
    store: ox.Store,
    directory: str | Path,
    *,
    threads: int | None = None,
    force: bool = False,
    progress: bool = False,
) -> ShardLoadReport:
    """Bulk-load a shard folder written by ``kg build --emit-nquads`` into the store.

    Raises:
        StoreError: no manifest, a shard missing or changed since the manifest was
            written (SHA-256), or a failed load (that shard's graphs are restored).
    """
    import pyoxigraph as ox

    from .oxigraph import document_record

    started = time.perf_counter()
    directory = Path(directory)
    manifest = Manifest.read(directory)
    if not manifest.shards:
        raise StoreError(
            f"{directory}: no {MANIFEST} with shards; write one with `kg build PATH --emit-nquads {directory}`"
        )
    from ..core.iris import DEFAULT_BASE
    from .ontology import load_ontology

    if "ontology.nq.gz" not in manifest.shards:  # written by kg build --emit-nquads since it has one
        load_ontology(store, manifest.base or DEFAULT_BASE)  # a store from shards is complete
    report = ShardLoadReport()
    todo: list[ShardEntry] = []
    for shard in sorted(manifest.shards.values(), key=lambda s: s.name):
        unchanged = not force and all(
            _unchanged(document_record(store, g), manifest.documents[g]) for g in shard.documents
        )
        (report.skipped.append(shard.name) if unchanged else todo.append(shard))
    bar = _bar(progress, sum(s.quads for s in todo))
    threads = threads or default_threads()
    for shard in todo:
        path = directory / shard.name
        if not path.is_file():
            raise StoreError(f"{path}: listed in {MANIFEST} but missing; rerun `kg build --emit-nquads {directory}`")
        if file_sha256(path) != shard.sha256:
            raise StoreError(f"{path}: changed since {MANIFEST} was written (SHA-256 differs); rebuild the shards")
        with replacing(store, shard.documents):
            loader = ParallelLoader(store, threads, lenient=True)  # our own output, checked by its SHA-256
            try:
                with open_binary(path, gz=True) as stream:
                    for chunk in chunks(stream):
                        loader.submit(chunk, ox.RdfFormat.N_QUADS, done=advance(bar, chunk.count(b"\n")))
            except BaseException:
                loader.abort()
                raise
            loader.close()
        report.loaded.append(shard.name)
        report.documents += sum(1 for g in shard.documents if "/graph/" not in g)  # not the ontology graph
        report.quads += shard.quads
    if bar is not None:
        bar.close()
    store.flush()
    report.seconds = time.perf_counter() - started
    return report


def _unchanged(record: dict[str, str] | None, entry: DocumentEntry) -> bool:
    """A document graph in the store built from the same file, pipeline, lexicon and option (the
    ontology graph has no such record: its shard is always loaded)."""
    return (
        record is not None
        and record["sha256"] == entry.sha256
        and record["pipeline"] == entry.pipeline
        and record["lexicon"] == entry.lexicon
        and record.get("context", "false") == ("true" if entry.annotation_context else "false")
    )


def load_directory(
    store: ox.Store, directory: str | Path, *, threads: int | None = None, force: bool = False, progress: bool = False
) -> tuple[str, int, float]:
    """Load a folder: a shard folder (with ``manifest.json``), else every RDF file in it.

    Returns:
        ``(summary line, statements loaded, seconds)``.

    Raises:
        StoreError: nothing to load, or a file fails (see :func:`kg.store.loading.load_rdf_file`).
    """
    from .bulk import RDF_SUFFIXES
    from .loading import load_rdf_file

    directory = Path(directory)
    if (directory / MANIFEST).exists():
        report = load_shards(store, directory, threads=threads, force=force, progress=progress)
        return report.summary(), report.quads, report.seconds
    started = time.perf_counter()
    files = sorted(
        f
        for f in directory.iterdir()
        if f.is_file() and f.name.lower().removesuffix(".gz").rsplit(".", 1)[-1] in RDF_SUFFIXES
    )
    if not files:
        raise StoreError(f"{directory}: no {MANIFEST} and no RDF files (.nq.gz, .nt, .ttl …) to load")
    total = 0
    for f in files:
        _target, n = load_rdf_file(store, f, threads=threads, progress=progress)
        total += n
    store.flush()
    seconds = time.perf_counter() - started
    rate = total / seconds if seconds else 0.0
    return f"loaded {total:,} statements from {len(files)} files in {seconds:.2f} s ({rate:,.0f}/s)", total, seconds


def _bar(enabled: bool, total: int) -> Any:
    if not enabled or not total:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit=" triples", unit_scale=True, desc="loading shards", dynamic_ncols=True, disable=None)
