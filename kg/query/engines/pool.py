"""Run queries in persistent worker processes that are killed when they overrun.

Neither pyoxigraph nor rdflib can cancel a running query, and an alarm signal does not
interrupt a native aggregate, so the only way to really stop a runaway query is to end
the process running it. :class:`PoolEngine` keeps ``workers`` processes, each of which
opens the store once at start (an in-memory copy by default, or the disk store
read-only) and then answers requests over a pipe. A query that passes its time limit
gets its worker killed with SIGKILL; a fresh worker is started in the background and the
client gets :class:`~kg.errors.QueryTimeout` (503). Other clients are served by the
other workers meanwhile.

Workers are started from a fork server (``multiprocessing`` ``forkserver``), a clean
single-threaded process, so starting one from a multi-threaded web server never forks
a thread holding a lock. Each worker runs queries on a thread with a 256 MB stack
(the parser recurses), asks the kernel to kill it if its parent dies, and can be capped
in address space (``memory_limit_mb``): a query that allocates past the cap ends its
worker, which is replaced, and the client gets an error naming the limit.

Measured per-query overhead against :class:`~kg.query.engines.LocalEngine` is in
``benchmarks/RESULTS.md`` (section Safety).
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core.errors import (
    InternalError,
    KGError,
    QueryError,
    QueryTimeout,
    ResponseTooLarge,
    StoreError,
    UpdateForbidden,
    WorkerCrashed,
    WorkersBusy,
)
from ..syntax import syntax_error_message
from .base import QueryEngine, Row

if TYPE_CHECKING:
    import pyoxigraph as ox

    from ..guard import Guard
    from ..sparql import QueryResult

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0  #: seconds per client query
DEFAULT_WORKERS = 2
DEFAULT_MAX_RESULT_BYTES = 32 * 1024 * 1024
DEFAULT_INTERNAL_TIMEOUT = 120.0  #: seconds for the app's own queries (pages, views, stats)
_WORKER_STACK = 256 * 1024 * 1024
_START_TIMEOUT = 600.0


# ---------------------------------------------------------------- worker side


def _worker_main(conn, store_path: str, in_memory: bool, memory_limit_mb: int | None) -> None:
    """Entry point of a worker process: open the store, then answer requests until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if memory_limit_mb:
        import resource

        limit = memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        threading.stack_size(_WORKER_STACK)
        t = threading.Thread(target=_serve, args=(conn, store_path, in_memory), name="query-worker")
        t.start()
    except (RuntimeError, ValueError):  # no room for the big stack under the memory cap
        _serve(conn, store_path, in_memory)
    else:
        t.join()


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent (the fork server) ends."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux
        pass


def _serve(conn, store_path: str, in_memory: bool) -> None:
    try:
        source = _open(store_path, in_memory)
    except BaseException as exc:  # report any start-up failure to the parent
        conn.send(("err", _portable(exc)))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            op, args = conn.recv()
        except (EOFError, OSError):
            return
        if op == "stop":
            return
        try:
            value = _handle(source.store, op, args)
        except BaseException as exc:  # every failure goes back to the client thread
            reply = ("err", _portable(exc))
        else:
            reply = ("ok", value)
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


def _open(store_path: str, in_memory: bool):
    """Return an object whose ``.store`` is the store to query (see kg.query.engines.local.MemoryCopy)."""
    from types import SimpleNamespace

    from ...store import open_store
    from .local import MemoryCopy

    if in_memory:
        return MemoryCopy(store_path)  # ready at once; switches to memory when loaded
    return SimpleNamespace(store=open_store(store_path, read_only=True))


def _handle(store: ox.Store, op: str, args: dict[str, Any]) -> Any:
    from ...store import construct, select
    from ..sparql import execute

    if op == "run":
        max_bytes = args.pop("max_bytes")
        result = execute(store, **args)
        if max_bytes is not None and len(result.body) > max_bytes:
            raise ResponseTooLarge(
                f"the result is {len(result.body):,} bytes; this endpoint sends at most {max_bytes:,} "
                "(setting QUERY_MAX_RESULT_BYTES); add LIMIT or select fewer variables"
            )
        return result
    if op == "select":
        return select(store, args["query"])
    if op == "construct":
        return construct(store, args["query"])
    if op == "count":
        return len(store)
    if op == "graphs":
        return sorted(g.value for g in store.named_graphs() if hasattr(g, "value"))
    if op == "sleep":  # for tests of the pool itself
        time.sleep(args["seconds"])
        return None
    raise ValueError(f"unknown worker operation {op!r}")


def _portable(exc: BaseException) -> KGError:
    """Return the typed error to send back to the parent (KGError pickles with class and status).

    A failure that is not one of ours is a bug or an engine fault, not the client's
    mistake: it is logged here with its traceback and reaches the client as a 500.
    """
    if isinstance(exc, KGError):
        return exc
    if isinstance(exc, SyntaxError):
        return QueryError(f"SPARQL syntax error: {exc}")
    if isinstance(exc, MemoryError):
        return WorkerCrashed("the query ran out of memory in its worker; narrow the pattern or add LIMIT")
    log.error("query worker %s: unexpected %s", os.getpid(), type(exc).__name__, exc_info=exc)
    return InternalError(f"the query failed inside its worker ({type(exc).__name__}); the server log has the details")


# ---------------------------------------------------------------- parent side


def _shutdown(workers: set, lock: threading.Lock) -> None:
    """Stop the given workers: ask politely, then SIGKILL what is still running after 2 s."""
    with lock:
        stopping = list(workers)
        workers.clear()
    for w in stopping:
        try:
            w.conn.send(("stop", {}))
        except (OSError, ValueError):
            pass
    deadline = time.monotonic() + 2
    for w in stopping:
        w.process.join(max(0.0, deadline - time.monotonic()))
        if w.process.is_alive():
            w.kill()


class _Worker:
    """The parent's handle on one worker process."""

    def __init__(self, process, conn, generation: int) -> None:
        self.process = process
        self.conn = conn
        self.generation = generation
        self.pid: int = process.pid

    def kill(self) -> None:
        """SIGKILL the process and reap it."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.join(5)
        try:
            self.conn.close()
        except OSError:
            pass

    def alive(self) -> bool:
        return self.process.is_alive()


class PoolEngine(QueryEngine):
    """Serve queries from a pool of killable worker processes.

    Args:
        store_path: the on-disk store built by ``kg build``.
        workers: number of worker processes (concurrent queries).
        timeout: seconds a client query may run; past it the worker is killed.
        max_rows: refuse client results with more rows or triples (None: no limit).
        max_bytes: refuse serialised client results larger than this (None: no limit).
        guard: a :class:`kg.query.guard.Guard` that checks each client query (and update)
            before it is sent to a worker; None: no static checks.
        in_memory: workers copy the store into memory (faster; the disk store is not
            held open, so ``kg build`` can run meanwhile) instead of reading it from disk.
        internal_timeout: seconds for the app's own select/construct/triple_count.
        queue_timeout: seconds a request waits for a free worker before a 503
            (default: ``timeout``).
        memory_limit_mb: address-space cap of each worker (None: no cap).
        start_method: ``forkserver`` (default, safe in threaded servers) or ``fork``.

    Raises:
        StoreError: the store cannot be opened by the first worker.
    """

    def __init__(
        self,
        store_path: str | Path,
        *,
        workers: int = DEFAULT_WORKERS,
        timeout: float = DEFAULT_TIMEOUT,
        max_rows: int | None = 10_000,
        max_bytes: int | None = DEFAULT_MAX_RESULT_BYTES,
        guard: Guard | Callable[[str], None] | None = None,
        in_memory: bool = True,
        internal_timeout: float = DEFAULT_INTERNAL_TIMEOUT,
        queue_timeout: float | None = None,
        memory_limit_mb: int | None = None,
        start_method: str = "forkserver",
    ) -> None:
        import multiprocessing

        self.store_path = Path(store_path)
        if not (self.store_path / "CURRENT").is_file():
            raise StoreError(f"no store at {self.store_path}; build one first with `kg build` (or pass --store)")
        self.size = max(1, int(workers))
        self.timeout = float(timeout)
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.guard = guard
        self.in_memory = in_memory
        self.internal_timeout = float(internal_timeout)
        self.queue_timeout = float(queue_timeout if queue_timeout is not None else timeout)
        self.memory_limit_mb = memory_limit_mb
        self._ctx: Any = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self._ctx.set_forkserver_preload(["kg.query.engines.pool", "kg.query.sparql", "kg.store", "pyoxigraph"])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._update_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._generation = 0
        self._closed = False
        self._graphs: frozenset[str] | None = None
        #: counters for /health and tests
        self.killed = 0
        self.crashed = 0
        self._started = False
        self.description = (
            f"{self.size} worker processes over {'a memory copy of ' if in_memory else ''}{self.store_path}"
        )
        # Workers start with the first request (an app that is never queried costs no
        # processes); they are all killed when the engine is closed or garbage-collected.
        self._finalizer = weakref.finalize(self, _shutdown, self._all, self._lock)

    def start(self) -> None:
        """Start the workers now (otherwise the first request starts them).

        Raises:
            StoreError: the first worker cannot open the store.
        """
        with self._start_lock:
            if self._started:
                return
            first = self._spawn()  # in the caller's thread, so a broken store fails this request
            self._idle.put(first)
            for _ in range(self.size - 1):
                self._spawn_async()
            self._started = True

    # -- the QueryEngine interface

    def run(
        self, query, *, accept=None, media_type=None, default_graphs=(), named_graphs=(), base_iri=None
    ) -> QueryResult:
        if self.guard is not None:
            # The protocol's default-graph-uri / named-graph-uri only select among the
            # store's graphs (never fetched; an unknown one is empty), as in LocalEngine.
            self.guard(query)
        args = {
            "query": query,
            "accept": accept,
            "media_type": media_type,
            "default_graphs": list(default_graphs),
            "named_graphs": list(named_graphs),
            "max_rows": self.max_rows,
            "base_iri": base_iri,
            "truncate": self.truncate,
            "max_bytes": self.max_bytes,
        }
        return self._call("run", args, self.timeout, client=True)

    def select(self, query: str) -> list[Row]:
        return self._call("select", {"query": query}, self.internal_timeout)

    def construct(self, query: str) -> list[ox.Triple]:
        return self._call("construct", {"query": query}, self.internal_timeout)

    def triple_count(self) -> int:
        return self._call("count", {}, self.internal_timeout)

    def graph_names(self, *, refresh: bool = False) -> frozenset[str]:
        """Return the named graphs of the store (kept until an update changes them)."""
        graphs = self._graphs
        if graphs is None or refresh:
            graphs = self._graphs = frozenset(self._call("graphs", {}, self.internal_timeout))
        return graphs

    def update(self, update: str) -> None:
        """Apply an update to the store on disk, then recycle the workers so they see it.

        Raises:
            QueryRefused: the guard refuses the update (LOAD, SERVICE, remote FROM).
            UpdateForbidden: the workers read the disk store directly (not in memory).
            StoreLocked: another process (``kg build``) is writing the store.
            QueryError: the update does not parse.
        """
        from ...store import open_store

        check = getattr(self.guard, "check_update", None)
        if check is not None:
            check(update)
        if not self.in_memory:
            raise UpdateForbidden("updates need in-memory workers (the disk store is opened read-only)")
        with self._update_lock:
            disk = open_store(self.store_path)
            try:
                disk.update(update)
                disk.flush()
            except SyntaxError as exc:
                raise QueryError(syntax_error_message(update, str(exc)).replace("SPARQL", "SPARQL update", 1)) from exc
            except (OSError, ValueError) as exc:
                raise QueryError(f"the update failed: {exc}") from exc
            finally:
                del disk
            with self._lock:
                self._generation += 1
                self._graphs = None
            self._recycle_idle()

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
        self._finalizer()

    def worker_pids(self) -> list[int]:
        """Return the PIDs of the current worker processes (for /health and tests)."""
        with self._lock:
            return sorted(w.pid for w in self._all)

    def __enter__(self) -> PoolEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- pool management

    def _spawn(self) -> _Worker:
        """Start a worker and wait until its store is open."""
        with self._lock:
            generation = self._generation
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=_worker_main,
            args=(child_conn, str(self.store_path), self.in_memory, self.memory_limit_mb),
            name="kg-query-worker",
            daemon=True,
        )
        process.start()
        child_conn.close()
        worker = _Worker(process, parent_conn, generation)
        if not parent_conn.poll(_START_TIMEOUT):
            worker.kill()
            raise StoreError(f"a query worker did not open the store {self.store_path} within {_START_TIMEOUT:.0f} s")
        try:
            status, value = parent_conn.recv()
        except (EOFError, OSError) as exc:
            worker.kill()
            hint = (
                f"; if the store is large, raise QUERY_MEMORY_LIMIT_MB (now {self.memory_limit_mb}) or serve it "
                "from disk (IN_MEMORY=false)"
                if self.memory_limit_mb
                else ""
            )
            raise StoreError(f"a query worker died while opening the store {self.store_path}{hint}") from exc
        if status != "ready":
            worker.kill()
            raise value if isinstance(value, KGError) else StoreError(str(value))
        with self._lock:
            if self._closed:
                closed = True
            else:
                closed = False
                self._all.add(worker)
        if closed:
            worker.kill()
            raise StoreError("the query engine is closed")
        return worker

    def _spawn_async(self) -> None:
        def target() -> None:
            try:
                worker = self._spawn()
            except KGError as exc:
                if not self._closed:
                    log.error("cannot start a query worker: %s", exc)
                return
            self._idle.put(worker)

        threading.Thread(target=target, name="kg-query-worker-start", daemon=True).start()

    def _retire(self, worker: _Worker, *, replace: bool = True) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            closed = self._closed
        if replace and not closed:
            self._spawn_async()

    def _recycle_idle(self) -> None:
        stale = []
        while True:
            try:
                stale.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for w in stale:
            self._retire(w)

    def _acquire(self) -> _Worker:
        if not self._started:
            self.start()
        deadline = time.monotonic() + self.queue_timeout
        while True:
            if self._closed:
                raise StoreError("the query engine is closed")
            remaining = deadline - time.monotonic()
            try:
                worker = self._idle.get(timeout=max(0.0, remaining))
            except queue.Empty:
                raise WorkersBusy(
                    f"all {self.size} query workers stayed busy for {self.queue_timeout:g} s; "
                    "try again shortly (setting QUERY_WORKERS sets how many run at once)",
                    headers={"Retry-After": "5"},
                ) from None
            if worker.generation != self._generation or not worker.alive():
                self._retire(worker)
                continue
            return worker

    def _release(self, worker: _Worker) -> None:
        if worker.generation != self._generation or self._closed:
            self._retire(worker)
        else:
            self._idle.put(worker)

    def _call(self, op: str, args: dict[str, Any], limit: float, client: bool = False) -> Any:
        worker = self._acquire()
        try:
            worker.conn.send((op, args))
        except (OSError, ValueError):
            self._retire(worker)
            worker = self._acquire()
            worker.conn.send((op, args))
        if not worker.conn.poll(limit):
            self.killed += 1
            self._retire(worker)
            log.warning("query worker %s killed after %.1f s: %.200s", worker.pid, limit, args.get("query", op))
            if client:
                raise QueryTimeout(
                    f"the query ran longer than this endpoint's limit of {limit:g} s and was stopped "
                    "(setting QUERY_TIME_LIMIT); add LIMIT, narrow the pattern with more specific "
                    "triples, or avoid unbounded property paths and cross products"
                )
            raise QueryTimeout(f"an internal query ran longer than {limit:g} s and was stopped")
        try:
            status, value = worker.conn.recv()
        except (EOFError, OSError):
            self.crashed += 1
            code = worker.process.exitcode
            self._retire(worker)
            limit_note = (
                f" (each worker may use at most {self.memory_limit_mb} MB, setting QUERY_MEMORY_LIMIT_MB)"
                if self.memory_limit_mb
                else ""
            )
            raise WorkerCrashed(
                f"the query stopped its worker process (exit {code}){limit_note}; the worker was replaced; "
                "narrow the pattern or add LIMIT"
            ) from None
        self._release(worker)
        if status == "err":
            raise value
        return value


__all__: Sequence[str] = ["PoolEngine"]
