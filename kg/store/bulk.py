"""Bulk loading into the store: parallel, streaming, atomic per target graph.

Measured on the 2-core machine (benchmarks/RESULTS.md, "Bulk load"): one call of
Oxigraph's bulk loader keeps about one core busy (~110 k quads/s, like ``oxigraph load``),
and two calls running at once in two threads load twice as fast — the loader releases
the GIL and each call writes its own SST files. So line-based input (N-Triples, N-Quads,
gzip or not) is cut at line ends into chunks of :data:`CHUNK_BYTES` that
:class:`ParallelLoader` loads in ``threads`` threads, never more than ``threads + 1``
chunks in memory. Turtle, TriG, JSON-LD and RDF/XML cannot be cut and go in one call.

Atomic per target graph (:func:`load_file`): the file is first parsed once without
touching the store (errors are reported with the parser's message and nothing changes);
then every target graph that already exists is dumped to a backup file and removed, the
new content bulk-loaded, and if that fails each target graph is emptied and its backup
loaded back. (A process killed between the removal and the end of the load leaves the
graph empty or partial: rerun the load.) Removing a graph is Oxigraph's slow path —
~25 k quads/s, measured 45 s for a 1 M-quad graph — so replacing a big graph costs
more than loading a new one.
"""

from __future__ import annotations

import gzip
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..core.errors import StoreError
from .oxigraph import store_failure

if TYPE_CHECKING:
    import pyoxigraph as ox

#: Bytes of N-Triples / N-Quads per bulk-load call (about 130 k quads of our documents).
CHUNK_BYTES = 32 * 2**20
#: Suffixes of the formats Oxigraph parses (before an optional ``.gz``).
RDF_SUFFIXES = ("nt", "nq", "ttl", "trig", "jsonld", "rdf", "owl", "n3", "xml")
_LINE_FORMATS = ("N_TRIPLES", "N_QUADS")
_STATEMENT = re.compile(rb"^[ \t]*[<_]", re.MULTILINE)  # an N-Triples/N-Quads statement line


def default_threads() -> int:
    """Return the number of bulk-load threads: the usable cores (at least 1)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def rdf_format(path: str | Path) -> tuple[ox.RdfFormat, bool]:
    """Return ``(format, gzipped)`` for a file name such as ``x.nt``, ``x.ttl`` or ``x.nq.gz``.

    Raises:
        StoreError: the suffix names no RDF format.
    """
    import pyoxigraph as ox

    name = Path(path).name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    fmt = ox.RdfFormat.from_extension(suffix) if suffix else None
    if fmt is None:
        raise StoreError(
            f"{path}: unknown RDF format {('.' + suffix) if suffix else '(no suffix)'}; "
            "use .nt .nq .ttl .trig .jsonld .rdf .owl .n3, optionally with .gz"
        )
    return fmt, gz


def open_binary(path: str | Path, gz: bool | None = None) -> IO[bytes]:
    """Open a file for reading bytes, decompressing ``.gz``."""
    if gz is None:
        gz = str(path).lower().endswith(".gz")
    if gz:
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile reads bytes
    return open(path, "rb")  # the caller closes it


def count_statements(chunk: bytes) -> int:
    """Return the number of statements in a chunk of N-Triples or N-Quads (one per line)."""
    return len(_STATEMENT.findall(chunk))


def chunks(stream: IO[bytes], size: int | None = None) -> Iterator[bytes]:
    """Yield pieces of about ``size`` bytes (default :data:`CHUNK_BYTES`) of a line-based stream, each ending at a line end."""
    size = size or CHUNK_BYTES
    rest = b""
    while True:
        block = stream.read(size)
        if not block:
            if rest:
                yield rest
            return
        block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            rest = block
            continue
        rest = block[cut:]
        yield block[:cut]


class ParallelLoader:
    """Run Oxigraph bulk loads in ``threads`` threads, with at most ``threads + 1`` waiting.

    Each :meth:`submit` is one atomic ``Store.bulk_load`` call. :meth:`close` waits for
    every call and raises the first failure as :class:`StoreError`. ``threads=0`` loads
    in the calling thread, one call at a time (``kg build --jobs 1``: one core).
    """

    def __init__(self, store: ox.Store, threads: int = 2, *, lenient: bool = False, fail_fast: bool = True) -> None:
        self.store = store
        self.threads = max(0, threads)
        self.lenient = lenient
        self.fail_fast = fail_fast
        self._pool = ThreadPoolExecutor(max_workers=max(1, self.threads), thread_name_prefix="kg-bulk-load")
        self._slots = threading.BoundedSemaphore(self.threads + 1)
        self._futures: list[Future[Any]] = []
        self._closed = False

    def submit(
        self,
        data: bytes,
        fmt: ox.RdfFormat,
        *,
        to_graph: str | None = None,
        done: Callable[[], None] | None = None,
    ) -> Future[Any]:
        """Queue one bulk load of ``data``; blocks while ``threads + 1`` loads are pending.

        ``done`` runs (in the loading thread) after a successful load.
        """
        if self.threads == 0:
            future: Future[Any] = Future()
            self._slots.acquire()
            try:
                self._load(data, fmt, to_graph, done)
                future.set_result(None)
            except Exception as exc:
                future.set_exception(exc)
            self._futures.append(future)
            if self.fail_fast:
                self.raise_failures()
            return future
        self._slots.acquire()
        try:
            future = self._pool.submit(self._load, data, fmt, to_graph, done)
        except BaseException:
            self._slots.release()
            raise
        self._futures.append(future)
        if self.fail_fast:
            self.raise_failures()
        return future

    def _load(self, data: bytes, fmt: ox.RdfFormat, to_graph: str | None, done: Callable[[], None] | None) -> None:
        import pyoxigraph as ox

        try:
            graph = ox.NamedNode(to_graph) if to_graph else None
            self.store.bulk_load(data, format=fmt, to_graph=graph, lenient=self.lenient)
            if done is not None:
                done()
        finally:
            self._slots.release()

    def raise_failures(self) -> None:
        """Raise the first failure of a finished load, if any (as :class:`StoreError`)."""
        for future in self._futures:
            if future.done() and future.exception() is not None:
                self._raise(future.exception())
        self._futures = [f for f in self._futures if not f.done()]

    def _raise(self, exc: BaseException | None) -> None:
        if isinstance(exc, StoreError):
            raise exc
        if isinstance(exc, (OSError, RuntimeError)):  # a full disk is StoreFull, naming the store and the space
            raise store_failure(exc, "bulk loading", store=self.store) from exc
        raise StoreError(f"bulk load failed: {exc}") from exc

    def wait(self) -> None:
        """Wait for every queued load (their futures hold the outcomes)."""
        self._closed = True
        self._pool.shutdown(wait=True)

    def close(self) -> None:
        """Wait for every queued load; raise the first failure."""
        if self._closed:
            return
        self.wait()
        for future in self._futures:
            if future.exception() is not None:
                self._raise(future.exception())
        self._futures = []

    def abort(self) -> None:
        """Wait for running loads, ignoring their outcome (after another failure)."""
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._futures = []


@dataclass
class Survey:
    """What a file holds: statements per graph (``None``: the default graph)."""

    counts: dict[str | None, int] = field(default_factory=dict)
    blank_nodes: bool = False  #: the file has blank nodes (then it is loaded in one call, see load_stream)

    @property
    def total(self) -> int:
        """All statements of the file."""
        return sum(self.counts.values())


def survey(path: str | Path, fmt: ox.RdfFormat, base_iri: str | None, bar=None) -> Survey:
    """Parse a file once without storing it: count its statements per graph.

    Raises:
        StoreError: it does not parse (with the parser's message).
    """
    import pyoxigraph as ox

    counts: dict[Any, int] = {}
    n = 0
    blank = False
    bnode = ox.BlankNode
    try:
        with open_binary(path) as stream:
            for quad in ox.parse(stream, format=fmt, base_iri=base_iri):
                g = quad.graph_name
                if not blank and (type(quad.subject) is bnode or type(quad.object) is bnode):
                    blank = True
                counts[g] = counts.get(g, 0) + 1
                n += 1
                if bar is not None and n % 65536 == 0:
                    bar.update(65536)
    except (SyntaxError, ValueError, OSError, EOFError, gzip.BadGzipFile) as exc:
        raise StoreError(f"{path}: cannot parse as {fmt.name}: {exc}") from exc
    if bar is not None:
        bar.update(n % 65536)
    out = Survey(blank_nodes=blank)
    for g, c in counts.items():
        out.counts[None if isinstance(g, ox.DefaultGraph) else g.value] = c
    return out


class Backups:
    """Back up named graphs (one N-Triples file each) before they are replaced; restore them on failure."""

    def __init__(self, store: ox.Store, directory: str | Path | None = None) -> None:
        self.store = store
        self.dir = Path(tempfile.mkdtemp(prefix="kg-load-backup-", dir=directory))
        self.files: dict[str, Path] = {}

    def take(self, graphs: list[str]) -> None:
        """Dump the graphs that exist into backup files, then remove them from the store."""
        import pyoxigraph as ox

        for g in graphs:
            node = ox.NamedNode(g)
            if g in self.files or not self.store.contains_named_graph(node):
                continue
            target = self.dir / f"graph-{len(self.files)}.nt"
            self.store.dump(str(target), format=ox.RdfFormat.N_TRIPLES, from_graph=node)
            self.files[g] = target
        for g in self.files:
            self.store.remove_graph(ox.NamedNode(g))

    def restore(self, targets: list[str]) -> None:
        """Empty every target graph and load the backed-up graphs back."""
        import pyoxigraph as ox

        for g in targets:
            node = ox.NamedNode(g)
            if self.store.contains_named_graph(node):
                self.store.remove_graph(node)
        for g, path in self.files.items():
            node = ox.NamedNode(g)
            # Through Python, not bulk_load: bulk_load gives blank nodes new ids, parse keeps the dumped ones.
            self.store.bulk_extend(
                ox.Quad(t.subject, t.predicate, t.object, node)
                for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)
            )
            self.store.add_graph(node)  # an empty graph stays a graph

    def discard(self) -> None:
        """Delete the backup files."""
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def replacing(store: ox.Store, targets: list[str], backup_dir: str | Path | None = None) -> Iterator[Backups]:
    """Replace ``targets`` atomically: back up and remove them; on an exception restore them."""
    backups = Backups(store, backup_dir)
    try:
        backups.take(targets)
        yield backups
    except BaseException as exc:
        try:
            backups.restore(targets)
        except Exception as restore_exc:  # keep the backup for the user
            raise StoreError(
                f"{exc}; restoring the previous graphs failed too ({restore_exc}); "
                f"their content is kept in {backups.dir} (one N-Triples file per graph, in the order "
                f"{', '.join(backups.files)}): load each with `kg load FILE --graph IRI`"
            ) from exc
        backups.discard()
        raise
    backups.discard()


def load_stream(
    store: ox.Store,
    open_stream: Callable[[], IO[bytes]],
    fmt: ox.RdfFormat,
    *,
    to_graph: str | None = None,
    base_iri: str | None = None,
    threads: int = 2,
    lenient: bool = True,
    bar=None,
    splittable: bool = True,
) -> None:
    """Bulk-load an RDF stream: in parallel chunks for N-Triples/N-Quads, else in one call.

    ``splittable=False`` (a file with blank nodes) loads in one call even for N-Triples:
    each bulk-load call gives the blank nodes it reads new ids, so ``_:b1`` in two chunks
    would become two nodes.

    Raises:
        StoreError: a load failed (already-loaded chunks stay: the caller rolls back).
    """
    import pyoxigraph as ox

    if fmt.name in _LINE_FORMATS and splittable:
        loader = ParallelLoader(store, threads, lenient=lenient)
        try:
            with open_stream() as stream:
                for chunk in chunks(stream):
                    loader.submit(chunk, fmt, to_graph=to_graph, done=advance(bar, chunk.count(b"\n")))
        except BaseException:
            loader.abort()
            raise
        loader.close()
        return
    try:
        with open_stream() as stream:
            reader: Any = _Progress(stream, bar) if bar is not None else stream
            store.bulk_load(
                reader,
                format=fmt,
                base_iri=base_iri,
                to_graph=ox.NamedNode(to_graph) if to_graph else None,
                lenient=lenient,
            )
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"bulk load failed: {exc}") from exc
    except (OSError, RuntimeError) as exc:
        raise store_failure(exc, "bulk loading", store=store) from exc


def advance(bar, n: int) -> Callable[[], None] | None:
    """Return a callback moving ``bar`` by ``n`` (None without a bar)."""
    if bar is None:
        return None
    return lambda: bar.update(n)


class _Progress:
    """A binary reader that moves a progress bar by the share of the file read (for formats
    that cannot be cut: the bar's total is the statements counted by :func:`survey`)."""

    def __init__(self, stream: IO[bytes], bar) -> None:
        self.stream, self.bar = stream, bar
        self.size = self._size(stream)
        self.read_bytes = 0

    @staticmethod
    def _size(stream: Any) -> int:
        if isinstance(stream, gzip.GzipFile):
            return 0  # the bar then moves at the end
        try:
            return Path(stream.name).stat().st_size
        except (AttributeError, OSError, TypeError):
            return 0

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.read_bytes += len(data)
        if self.size and self.bar.total:
            target = min(self.bar.total, int(self.bar.total * self.read_bytes / self.size))
            if target > self.bar.n:
                self.bar.update(target - self.bar.n)
        return data

    def readable(self) -> bool:
        return True


def rewrite_graph(path: str | Path, fmt: ox.RdfFormat, base_iri: str | None, graph: str) -> Iterator[ox.Quad]:
    """Yield the statements of a dataset file with every graph name replaced by ``graph``."""
    import pyoxigraph as ox

    target = ox.NamedNode(graph)
    with open_binary(path) as stream:
        for q in ox.parse(stream, format=fmt, base_iri=base_iri, lenient=True):
            yield ox.Quad(q.subject, q.predicate, q.object, target)
