"""Query engines: the one door through which the web app, views and pages reach the graph.

Every consumer (the ``/sparql`` route, the linked-data pages, the NetworkX views, the
query page's statistics) talks to a :class:`QueryEngine`, never to pyoxigraph directly,
so the same app can serve

* the local store, copied into memory at start-up where it fits (``LocalEngine``; the
  design notes measured ~4× the throughput of querying the on-disk store), or read from
  disk read-only,
* the local store through worker processes that can be killed on timeout, or
* a remote SPARQL endpoint.

Implementations must be safe to call from several threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import QueryError, UpdateForbidden
from .sparql import QueryResult, execute

if TYPE_CHECKING:
    import pyoxigraph as ox

Row = dict[str, Any]  #: variable name → pyoxigraph term or None


class QueryEngine:
    """Interface of every engine."""

    #: where the data comes from, for /health and logs
    description: str = ""

    def run(
        self,
        query: str,
        *,
        accept: str | None = None,
        media_type: str | None = None,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a client's query under the engine's limits and return the serialised result.

        ``base_iri`` resolves relative IRIs in a query without BASE (the protocol uses the
        request URL).
        """
        raise NotImplementedError

    def select(self, query: str) -> list[Row]:
        """Run an internal SELECT (common prefixes predeclared, union default graph)."""
        raise NotImplementedError

    def construct(self, query: str) -> list[ox.Triple]:
        """Run an internal CONSTRUCT/DESCRIBE and return its triples."""
        raise NotImplementedError

    def update(self, update: str) -> None:
        """Apply a SPARQL update (the caller has checked authorisation)."""
        raise UpdateForbidden("this endpoint is read-only")

    def triple_count(self) -> int:
        """Return the number of quads in the dataset."""
        raise NotImplementedError

    def close(self) -> None:
        """Release resources (worker processes, store handles)."""


class LocalEngine(QueryEngine):
    """Queries the local store in this process.

    Args:
        store_path: the on-disk store built by ``kg build``.
        in_memory: copy the store into memory at start-up (faster queries; the disk
            store is not held open, so ``kg build`` can run meanwhile).
        max_rows: refuse client results larger than this (None: no limit).
        guard: called with each client query before it runs; raises to refuse it.
    """

    def __init__(
        self,
        store_path: str | Path,
        *,
        in_memory: bool = True,
        max_rows: int | None = 10_000,
        guard: Callable[[str], None] | None = None,
    ) -> None:
        from .store import open_store

        self.store_path = Path(store_path)
        self.max_rows = max_rows
        self.guard = guard
        self.in_memory = in_memory
        self._lock = threading.Lock()
        self._source = MemoryCopy(self.store_path) if in_memory else None
        self._disk = None if in_memory else open_store(self.store_path, read_only=True)
        self.description = f"{'memory copy of ' if in_memory else ''}{self.store_path}"

    @property
    def store(self) -> ox.Store:
        """The store queries run on: the memory copy once loaded, the disk store until then."""
        return self._source.store if self._source is not None else self._disk

    def run(self, query, *, accept=None, media_type=None, default_graphs=(), named_graphs=(), base_iri=None) -> QueryResult:
        if self.guard is not None:
            self.guard(query)
        return execute(
            self.store,
            query,
            accept=accept,
            media_type=media_type,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            max_rows=self.max_rows,
            base_iri=base_iri,
        )

    def select(self, query: str) -> list[Row]:
        from .store import select

        return select(self.store, query)

    def construct(self, query: str) -> list[ox.Triple]:
        from .store import construct

        return construct(self.store, query)

    def update(self, update: str) -> None:
        """Apply an update to the served copy and to the store on disk."""
        from .store import open_store

        with self._lock:
            try:
                if self.in_memory:
                    disk = open_store(self.store_path)
                    disk.update(update)
                    disk.flush()
                    del disk
                    if self._source is not None and self._source.loaded.is_set() and self._source.store is not self._source._disk:
                        self._source.store.update(update)  # the memory copy: same change, no reload
                    else:
                        self._source = MemoryCopy(self.store_path)  # still warming: start again from disk
                else:
                    raise UpdateForbidden("updates need the in-memory engine (the disk store is opened read-only)")
            except SyntaxError as exc:
                raise QueryError(f"SPARQL update syntax error: {exc}") from exc

    def triple_count(self) -> int:
        return len(self.store)


#: Stores smaller than this on disk are copied into memory before serving starts (well under
#: a second); larger ones are served from disk while the copy loads in the background.
SYNC_COPY_BYTES = 64 * 2**20


class MemoryCopy:
    """The on-disk store at once, then an in-memory copy of it as soon as that is loaded.

    A 1 M-quad store took 6.5 s to copy into memory (benchmarks/RESULTS.md, "Scale"): a
    server that waited for it was not ready for 7.7 s. The copy runs in a background thread
    with ``Store.dump`` and ``Store.load``, which release the GIL (``bulk_extend`` over a
    Python iterator holds it throughout, starving the request threads); queries meanwhile
    read the on-disk store. Small stores are copied before serving starts.
    """

    def __init__(self, path: str | Path, *, sync_bytes: int = SYNC_COPY_BYTES) -> None:
        from .store import open_store

        self.path = Path(path)
        self._disk = open_store(self.path, read_only=True)
        self.store: ox.Store = self._disk
        self.loaded = threading.Event()
        size = sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())
        if size <= sync_bytes:
            self._load()
        else:
            threading.Thread(target=self._load, name="kg-memory-copy", daemon=True).start()

    def _load(self) -> None:
        import logging

        import pyoxigraph as ox

        try:
            data = self._disk.dump(format=ox.RdfFormat.N_QUADS)
            memory = ox.Store()
            memory.load(data, format=ox.RdfFormat.N_QUADS)
            del data
            self.store = memory  # one attribute swap: readers see either store whole
            # Let go of the disk store: a read-only RocksDB handle must not stay open while a
            # later `kg build` writes the same store (pyoxigraph: undefined behaviour).
            self._disk = None
        except (OSError, ValueError, SyntaxError) as exc:
            logging.getLogger("kg.engine").error("cannot copy %s into memory (%s); serving from disk", self.path, exc)
        finally:
            self.loaded.set()
