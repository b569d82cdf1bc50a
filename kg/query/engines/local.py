"""The local engine: queries the store in this process, from a memory copy or from disk.

The design notes measured ~4× the throughput of querying the on-disk store on an
in-memory copy, so the store is copied into memory at start-up where it fits
(:class:`MemoryCopy`), or read from disk read-only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ...core.errors import QueryError, UpdateForbidden
from ...store import construct, open_store, select
from ..sparql import QueryResult, execute
from ..syntax import syntax_error_message
from .base import QueryEngine, Row

if TYPE_CHECKING:
    import pyoxigraph as ox


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
        self.store_path = Path(store_path)
        self.max_rows = max_rows
        self.guard = guard
        self.in_memory = in_memory
        self._lock = threading.Lock()
        self._source = MemoryCopy(self.store_path) if in_memory else None
        self._disk: ox.Store | None = None if in_memory else open_store(self.store_path, read_only=True)
        self.description = f"{'memory copy of ' if in_memory else ''}{self.store_path}"

    @property
    def store(self) -> ox.Store:
        """The store queries run on: the memory copy once loaded, the disk store until then."""
        if self._source is not None:
            return self._source.store
        assert self._disk is not None
        return self._disk

    def run(
        self, query, *, accept=None, media_type=None, default_graphs=(), named_graphs=(), base_iri=None
    ) -> QueryResult:
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
            truncate=self.truncate,
        )

    def select(self, query: str) -> list[Row]:
        return select(self.store, query)

    def construct(self, query: str) -> list[ox.Triple]:
        return construct(self.store, query)

    def update(self, update: str) -> None:
        """Apply an update to the served copy and to the store on disk."""
        with self._lock:
            try:
                if self.in_memory:
                    disk = open_store(self.store_path)
                    disk.update(update)
                    disk.flush()
                    del disk
                    if (
                        self._source is not None
                        and self._source.loaded.is_set()
                        and self._source.store is not self._source._disk
                    ):
                        self._source.store.update(update)  # the memory copy: same change, no reload
                    else:
                        self._source = MemoryCopy(self.store_path)  # still warming: start again from disk
                else:
                    raise UpdateForbidden("updates need the in-memory engine (the disk store is opened read-only)")
            except SyntaxError as exc:
                raise QueryError(syntax_error_message(update, str(exc)).replace("SPARQL", "SPARQL update", 1)) from exc
            finally:
                self.forget_graph_names()  # the update may have added or dropped graphs

    def triple_count(self) -> int:
        return len(self.store)

    def serving(self) -> str:
        source = self._source
        if source is not None and source.loaded.is_set() and source.store is not source._disk:
            return "memory"
        return "disk"


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
        self.path = Path(path)
        disk = open_store(self.path, read_only=True)
        self._disk: ox.Store | None = disk
        self.store: ox.Store = disk
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
            data = self.store.dump(format=ox.RdfFormat.N_QUADS)
            memory = ox.Store()
            memory.load(data, format=ox.RdfFormat.N_QUADS)
            del data
            self.store = memory  # one attribute swap: readers see either store whole
            # Let go of the disk store: a read-only RocksDB handle must not stay open while a
            # later `kg build` writes the same store (pyoxigraph: undefined behaviour).
            self._disk = None
        except (OSError, ValueError, SyntaxError) as exc:
            logging.getLogger("kg.query").error("cannot copy %s into memory (%s); serving from disk", self.path, exc)
        finally:
            self.loaded.set()
