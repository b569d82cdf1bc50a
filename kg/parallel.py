"""Streaming helpers for corpus builds: a bounded parallel map and a flushing store writer.

Measured on the 2-core build machine with 379 generated documents (1.0 M quads; see
``benchmarks/RESULTS.md``, section "Scale", and ``docs/scaling.md``):

* ``ProcessPoolExecutor.map`` submits every task up front and keeps each finished result
  until the consumer asks for it. In ``kg build`` the consumer (the one process that writes
  the store, ~10 s for 1 M quads) is much slower than the extracting workers (~1.5 s for
  the same documents), so the N-Triples of nearly every document pile up in the parent:
  peak RSS 572 MB with 2 jobs against 352 MB with 1 job, the difference being about the
  corpus's N-Triples (379 × ~650 kB). :func:`bounded_imap` keeps at most ``window`` tasks in
  flight, however slow the consumer is.
* Writes stay in RocksDB memtables until the store is flushed. Replacing existing graphs
  (``DROP`` + ``INSERT DATA``, the path every document takes after a lexicon change) grew
  the build to 1.57 GB at 1 M quads; flushing every 50 k quads kept it at 0.20 GB for the
  same time (46.5 s against 44.7 s). :class:`StoreWriter` does that.
* For *new* documents the builder's batched ``bulk_load`` is the fastest path (15.4 s,
  240 MB); one transactional ``Store.load`` per document took 19.3 s (888 MB) and 25.3 s
  with a flush every 50 k quads (124 MB). :class:`StoreWriter` uses ``load`` only where a
  per-document all-or-nothing write matters more than speed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pyoxigraph as ox

T = TypeVar("T")
R = TypeVar("R")


def bounded_imap(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    jobs: int,
    window: int | None = None,
    ordered: bool = False,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[R]:
    """Map ``fn`` over ``items`` in ``jobs`` processes with at most ``window`` tasks in flight.

    Unlike ``ProcessPoolExecutor.map``, inputs are consumed lazily and no more than
    ``window`` results (default ``2 * jobs``) are ever held, however slow the consumer is.

    Args:
        fn: a picklable top-level function.
        items: inputs; read lazily.
        jobs: worker processes (1 runs in this process, without a pool).
        window: maximum number of submitted but not yet yielded tasks.
        ordered: yield in input order (a slow task then holds back later results, still
            within the window); default: in completion order.
        initializer, initargs: run once in each worker (and once here when ``jobs == 1``).

    Yields:
        ``fn(item)`` for each item. An exception raised by ``fn`` is re-raised here.
    """
    if jobs <= 1:
        if initializer is not None:
            initializer(*initargs)
        for item in items:
            yield fn(item)
        return
    window = max(1, window or 2 * jobs)
    iterator = iter(items)
    with ProcessPoolExecutor(max_workers=jobs, initializer=initializer, initargs=initargs) as pool:
        pending: deque[Future[R]] = deque()
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                try:
                    item = next(iterator)
                except StopIteration:
                    exhausted = True
                    break
                pending.append(pool.submit(fn, item))
            if not pending:
                return
            if ordered:
                yield pending.popleft().result()
                continue
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in [f for f in pending if f in done]:
                pending.remove(future)
                yield future.result()


class StoreWriter:
    """Write documents into an open store with bounded memory.

    Args:
        store: a writable ``pyoxigraph.Store`` (on disk).
        flush_every: flush the store's memtables after this many quads (0: never).
    """

    def __init__(self, store: ox.Store, flush_every: int = 50_000) -> None:
        self.store = store
        self.flush_every = flush_every
        self.pending = 0
        self.flushes = 0

    def write(self, graph: str, ntriples: str, *, exists: bool) -> int:
        """Replace (``exists``) or create the named graph ``graph`` atomically; return its quads.

        Raises:
            StoreError: the triples do not parse or the store cannot be written.
        """
        import pyoxigraph as ox

        from .errors import StoreError
        from .store import replace_graph

        quads = ntriples.count("\n")
        if exists or self.store.contains_named_graph(ox.NamedNode(graph)):
            replace_graph(self.store, graph, ntriples)
        else:
            try:
                # One Store.load is one transaction: the graph appears complete or not at all.
                self.store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
            except (SyntaxError, ValueError, OSError) as exc:
                raise StoreError(f"cannot write graph <{graph}>: {exc}") from exc
        self.pending += quads
        if self.flush_every and self.pending >= self.flush_every:
            self.flush()
        return quads

    def flush(self) -> None:
        """Flush buffered writes to disk (frees the memtables)."""
        self.store.flush()
        self.pending = 0
        self.flushes += 1
