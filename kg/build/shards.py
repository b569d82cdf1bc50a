"""``kg build PATH... --emit-nquads DIR``: build documents into gzip N-Quads shards, no store.

Documents go in groups of at most ``shard_documents`` to a task; a task (in a local worker
process, or on a Dask worker, :mod:`kg.build.cluster`) builds its documents and writes one
shard, ``DIR/shard-NNNNN.nq.gz`` (a temporary name renamed when complete, so a worker that
dies leaves no half shard), and returns what it wrote. This process then writes
``DIR/manifest.json`` (:class:`kg.store.shards.Manifest`); the ontology graph (labels and
types of every entity) is the shard ``ontology.nq.gz``, so the folder is the whole dataset
for ``kg load DIR`` or another store's bulk loader. A rerun skips documents the
manifest lists with the same file SHA-256, pipeline version, lexicon fingerprint, base
and annotation option, like the store's incremental build; a rebuilt document is
removed from its old shard (the shard is rewritten without it, or deleted when empty).
"""

from __future__ import annotations

import gzip
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import KGError, OutputError
from ..core.iris import DEFAULT_BASE
from ..pipeline import pipeline_version
from ..pipeline.lexicon import load_lexicon
from ..pipeline.rdf import build_time
from ..store.shards import DocumentEntry, Manifest, ShardEntry, file_sha256
from .document import process_file, warm_up, worker_init, worker_lexicon
from .parallel import bounded_imap
from .runner import BuildReport, _identify, collect_files

#: Default documents per shard (our documents: ~2,000 quads each, so ~1 M quads per shard).
SHARD_DOCUMENTS = 500
#: gzip level of the shards: level 1 compresses our N-Quads ~10× at a fraction of level 6's CPU.
GZIP_LEVEL = 1


@dataclass(frozen=True)
class ShardTask:
    """One shard to write: which files, where, and how to build them."""

    files: tuple[str, ...]
    directory: str
    name: str
    base: str
    built_at: str
    annotation_context: bool
    lexicon_dir: str | None = None


@dataclass
class ShardResult:
    """What a shard task wrote (plain data, picklable)."""

    task: ShardTask
    entries: list[DocumentEntry] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    sha256: str = ""
    quads: int = 0
    characters: int = 0


def write_shard(task: ShardTask) -> ShardResult:
    """Build the task's files and write them into one gzip N-Quads shard.

    A bad file is recorded in ``refused`` and the others are written. A shard with no
    document is not written.

    Raises:
        OutputError: the shard cannot be written (missing folder, disk full).
    """
    lexicon = worker_lexicon(task.lexicon_dir)
    result = ShardResult(task=task)
    final = Path(task.directory) / task.name
    tmp = final.with_name(f".{task.name}.{os.getpid()}.tmp")
    try:
        with gzip.open(tmp, "wb", compresslevel=GZIP_LEVEL) as out:
            for path in task.files:
                try:
                    doc = process_file(
                        path, lexicon, task.base, task.built_at, annotation_context=task.annotation_context
                    )
                except KGError as exc:
                    result.refused.append((path, str(exc)))
                    continue
                out.write(doc.nquads)
                result.entries.append(
                    DocumentEntry(
                        graph=doc.iri,
                        file=path,
                        sha256=doc.sha256,
                        pipeline=pipeline_version(),
                        lexicon=lexicon.fingerprint,
                        shard=task.name,
                        quads=doc.quads,
                        characters=doc.characters,
                        mentions=doc.mentions,
                        annotation_context=task.annotation_context,
                    )
                )
                result.warnings.extend((path, w) for w in doc.warnings)
                result.quads += doc.quads
                result.characters += doc.characters
        if not result.entries:
            tmp.unlink()
            return result
        result.sha256 = file_sha256(tmp)
        os.replace(tmp, final)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write the shard {final}: {exc.strerror or exc}") from exc
    return result


#: Where shard tasks run: ``tasks → results`` (in any order).
ShardRunner = Callable[[list[ShardTask]], Iterator[ShardResult]]


def local_shard_runner(jobs: int, lexicon_dir: str | None) -> ShardRunner:
    """Return a :data:`ShardRunner` writing shards in ``jobs`` local processes."""

    def run(tasks: list[ShardTask]) -> Iterator[ShardResult]:
        if jobs > 1 and len(tasks) > 1:
            warm_up(lexicon_dir)  # forked workers inherit spaCy and the matcher
        yield from bounded_imap(
            write_shard,
            tasks,
            jobs=min(jobs, len(tasks)),
            window=2 * jobs,
            initializer=worker_init,
            initargs=(lexicon_dir,),
        )

    return run


def emit_nquads(
    paths: Iterable[str | Path],
    directory: str | Path,
    *,
    base: str = DEFAULT_BASE,
    force: bool = False,
    jobs: int = 1,
    shard_documents: int = SHARD_DOCUMENTS,
    annotation_context: bool = False,
    progress: bool = False,
    lexicon_dir: str | None = None,
    runner: ShardRunner | None = None,
) -> BuildReport:
    """Build documents into a shard folder (no store); see the module docstring.

    Raises:
        SourceError: a given path does not exist.
        OutputError: the folder cannot be created or written.
        StoreError: the folder holds a manifest dsr-kg did not write.
    """
    started = time.perf_counter()
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the shard folder {out}: {exc.strerror or exc}") from exc
    files = collect_files(paths)
    lexicon = load_lexicon(lexicon_dir)
    manifest = Manifest.read(out)
    report = BuildReport()
    todo: list[Path] = []
    for f, digest, iri in _identify(files, base, report):
        entry = manifest.documents.get(iri)
        unchanged = (
            entry is not None
            and manifest.base == base
            and entry.sha256 == digest
            and entry.pipeline == pipeline_version()
            and entry.lexicon == lexicon.fingerprint
            and entry.annotation_context == annotation_context
            and (out / entry.shard).is_file()
        )
        (report.skipped.append(str(f)) if unchanged and not force else todo.append(f))
    _ontology_shard(manifest, out, base, lexicon.fingerprint)
    tasks = _tasks(todo, out, manifest, base, annotation_context, shard_documents, jobs, lexicon_dir)
    run = runner or local_shard_runner(jobs, lexicon_dir)
    bar = _progress(len(todo), progress)
    new: list[ShardResult] = []
    try:
        for result in run(tasks):
            new.append(result)
            report.refused.extend(result.refused)
            report.warnings.extend(result.warnings)
            for e in result.entries:
                (report.replaced if e.graph in manifest.documents else report.added).append(e.file)
            report.characters += result.characters
            if bar is not None:
                bar.update(len(result.task.files))
    finally:
        if bar is not None:
            bar.close()
        _update_manifest(manifest, new, out, base)
    report.seconds = time.perf_counter() - started
    return report


def _tasks(
    todo: list[Path],
    out: Path,
    manifest: Manifest,
    base: str,
    context: bool,
    shard_documents: int,
    jobs: int,
    lexicon_dir: str | None,
) -> list[ShardTask]:
    """Group the files into shard tasks (smaller ones when there are few files, so every worker gets some)."""
    per = max(1, min(shard_documents, -(-len(todo) // max(1, 2 * jobs)))) if todo else 1
    first = 1 + max((int(n.split("-")[1].split(".")[0]) for n in manifest.shards if n.startswith("shard-")), default=-1)
    built_at = build_time()
    return [
        ShardTask(
            files=tuple(str(f) for f in todo[i : i + per]),
            directory=str(out),
            name=f"shard-{first + k:05d}.nq.gz",
            base=base,
            built_at=built_at,
            annotation_context=context,
            lexicon_dir=lexicon_dir,
        )
        for k, i in enumerate(range(0, len(todo), per))
    ]


#: The shard of the ontology graph (ontology, cue lists, lexicons: labels and types of every entity).
ONTOLOGY_SHARD = "ontology.nq.gz"


def _ontology_shard(manifest: Manifest, out: Path, base: str, lexicon_fingerprint: str) -> None:
    """Write the ontology graph as its own shard (when it changed), so a shard folder is a whole dataset."""
    import hashlib

    from ..core.iris import ONTOLOGY_GRAPH
    from ..store.ontology import ontology_ntriples

    text = ontology_ntriples(base)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    entry = manifest.documents.get(ONTOLOGY_GRAPH)
    if entry is not None and entry.sha256 == digest and (out / ONTOLOGY_SHARD).is_file():
        return
    quads = text.replace(" .\n", f" <{ONTOLOGY_GRAPH}> .\n").encode("utf-8")
    tmp = out / f".{ONTOLOGY_SHARD}.tmp"
    try:
        with gzip.open(tmp, "wb", compresslevel=GZIP_LEVEL) as f:
            f.write(quads)
        os.replace(tmp, out / ONTOLOGY_SHARD)
    except OSError as exc:
        raise OutputError(f"cannot write {out / ONTOLOGY_SHARD}: {exc.strerror or exc}") from exc
    n = quads.count(b"\n")
    manifest.documents[ONTOLOGY_GRAPH] = DocumentEntry(
        graph=ONTOLOGY_GRAPH,
        file="ontology/ (dsr.ttl, cues.ttl, lexicon/*.ttl)",
        sha256=digest,
        pipeline=pipeline_version(),
        lexicon=lexicon_fingerprint,
        shard=ONTOLOGY_SHARD,
        quads=n,
    )
    manifest.shards[ONTOLOGY_SHARD] = ShardEntry(
        name=ONTOLOGY_SHARD, sha256=file_sha256(out / ONTOLOGY_SHARD), quads=n, documents=[ONTOLOGY_GRAPH]
    )


def _update_manifest(manifest: Manifest, results: list[ShardResult], out: Path, base: str) -> None:
    """Record the new shards, drop rebuilt documents from their old shards, write the manifest."""
    superseded: dict[str, set[str]] = {}
    for result in results:
        for e in result.entries:
            old = manifest.documents.get(e.graph)
            if old is not None and old.shard != e.shard:
                superseded.setdefault(old.shard, set()).add(e.graph)
            manifest.documents[e.graph] = e
        if result.entries:
            manifest.shards[result.task.name] = ShardEntry(
                name=result.task.name,
                sha256=result.sha256,
                quads=result.quads,
                documents=[e.graph for e in result.entries],
            )
    for name, graphs in superseded.items():
        shard = manifest.shards.get(name)
        if shard is not None:
            _drop_documents(shard, graphs, out)
            if not shard.documents:
                del manifest.shards[name]
    manifest.base = base
    manifest.write(out)
    for stale in out.glob(".shard-*.tmp"):  # left by a worker that died mid-shard (its task was retried)
        stale.unlink(missing_ok=True)


def _drop_documents(shard: ShardEntry, graphs: set[str], out: Path) -> None:
    """Rewrite a shard without the statements of ``graphs`` (delete it when nothing is left)."""
    path = out / shard.name
    shard.documents = [g for g in shard.documents if g not in graphs]
    if not shard.documents:
        path.unlink(missing_ok=True)
        return
    suffixes = tuple(f" <{g}> .\n".encode() for g in graphs)
    tmp = path.with_name(f".{shard.name}.rewrite.tmp")
    quads = 0
    with gzip.open(path, "rb") as src, gzip.open(tmp, "wb", compresslevel=GZIP_LEVEL) as dst:
        for line in src:
            if not line.endswith(suffixes):
                dst.write(line)
                quads += 1
    os.replace(tmp, path)
    shard.sha256, shard.quads = file_sha256(path), quads


def _progress(total: int, enabled: bool):
    if not enabled or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="building shards", dynamic_ncols=True, disable=None)
