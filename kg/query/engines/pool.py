"""Run queries in killable worker processes that share one memory copy of the store.

Neither pyoxigraph nor rdflib can cancel a running query, and an alarm signal does not
interrupt a native aggregate, so the only way to really stop a runaway query is to end
the process running it. :class:`PoolEngine` runs every query in a worker process and
SIGKILLs the process when the query passes its time limit; the client gets
:class:`~kg.errors.QueryTimeout` (503) and a new worker takes its place.

The process model (docs/serving.md has the measurements)::

    web process ── fork server (clean, single-threaded)
                    ├── copy holder: loads the store into memory once, never queries
                    │     └── query workers: os.fork() of the holder, sharing its pages
                    └── disk workers: the on-disk store, while the copy loads (or IN_MEMORY=false)

* The holder (:mod:`.holder`) is started from the fork server, so no thread holding a lock
  is ever forked; it forks each query worker with the store already in memory, so a new
  worker serves within milliseconds and every worker shares the one copy copy-on-write.
* A worker process has ``workers / processes`` *slots* (connections, one thread each):
  with the default of one process, concurrent queries share the pages they make private.
  When a query overruns, its process is killed; queries running beside it on the same
  process are sent again to the replacement (they are reads).
* Reads in Oxigraph's memory store write to the pages they touch, so a worker's private
  memory grows with what its queries visit; a worker whose private memory passes
  ``recycle_share`` of the copy is replaced by a fresh fork after its running queries.
* Until the copy is loaded (large stores) queries run in disk workers; when the store on
  disk changes (a ``kg build`` finished), a new copy is loaded in the background and the
  workers move to it.
* Workers die with their parent (PR_SET_PDEATHSIG) and their address space may be capped
  at their starting size plus ``memory_limit_mb`` (the shared copy does not count).
"""

from __future__ import annotations

import contextlib
import logging
import math
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
    KGError,
    QueryError,
    QueryTimeout,
    StoreError,
    UpdateForbidden,
    WorkerCrashed,
    WorkersBusy,
)
from ..syntax import syntax_error_message
from .base import QueryEngine, Row
from .holder import CopyHolder, memory_mb
from .worker import disk_worker_main

if TYPE_CHECKING:
    import pyoxigraph as ox

    from ..guard import Guard
    from ..sparql import QueryResult

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0  #: seconds per client query
DEFAULT_WORKERS = 2
DEFAULT_PROCESSES = 1
DEFAULT_MAX_RESULT_BYTES = 32 * 1024 * 1024
DEFAULT_INTERNAL_TIMEOUT = 120.0  #: seconds for the app's own queries (pages, views, stats)
DEFAULT_RECYCLE_SHARE = 0.4  #: a worker's private memory, as a share of the copy, that gets it replaced
DEFAULT_RELOAD_CHECK = 5.0  #: seconds between looks at the store on disk
RECYCLE_FLOOR_MB = 64  #: never replace a worker for less private memory than this (small stores)
_START_TIMEOUT = 600.0
#: Stores smaller than this on disk are copied into memory before serving starts (well
#: under a second); larger ones are served from disk while the copy loads.
SYNC_COPY_BYTES = 64 * 2**20


class _Process:
    """The web process's record of one worker process."""

    def __init__(self, pid: int, generation: int, holder: CopyHolder | None, mp_process: Any = None) -> None:
        self.pid = pid
        self.generation = generation
        self.holder = holder  #: the copy it was forked from (None: a disk worker)
        self.mp_process = mp_process  #: multiprocessing handle of a disk worker
        self.slots = 0  #: open connections
        self.inflight = 0
        self.killed = False  #: killed by the engine (time limit, close)
        self.dead = False  #: ended by itself (crash, memory cap)
        self.draining = False  #: to be replaced once its running queries are answered
        self.inflight_at_death: int | None = None
        self.started = time.monotonic()

    def usable(self, generation: int) -> bool:
        return self.generation == generation and not (self.killed or self.dead or self.draining)


class _Slot:
    """One connection to a worker process (one query at a time)."""

    def __init__(self, process: _Process, conn: Any) -> None:
        self.process = process
        self.conn = conn
        self.closed = False


class PoolEngine(QueryEngine):
    """Serve queries from killable worker processes forked from one memory copy.

    Args:
        store_path: the on-disk store built by ``kg build``.
        workers: queries that run at once (slots).
        processes: worker processes the slots are spread over (at most ``workers``).
        timeout: seconds a client query may run; past it its worker process is killed.
        max_rows: refuse client results with more rows or triples (None: no limit).
        max_bytes: refuse serialised client results larger than this (None: no limit).
        guard: a :class:`kg.query.guard.Guard` that checks each client query (and update)
            before it is sent to a worker; None: no static checks.
        in_memory: fork the workers from one memory copy (faster; the disk store is not
            held open, so ``kg build`` can run meanwhile) instead of reading it from disk.
        internal_timeout: seconds for the app's own select/construct/triple_count.
        queue_timeout: seconds a request waits for a free slot before a 503
            (default: ``timeout``).
        memory_limit_mb: address space a worker may add to its size at start (None: no cap).
        recycle_share: replace a worker whose private memory passes this share of the
            copy's size (0: never).
        reload_check: seconds between looks at the store on disk for a rebuild (0: never).
        start_method: ``forkserver`` (default, safe in threaded servers) or ``fork``.

    Raises:
        StoreError: there is no store at ``store_path``.
    """

    def __init__(
        self,
        store_path: str | Path,
        *,
        workers: int = DEFAULT_WORKERS,
        processes: int = DEFAULT_PROCESSES,
        timeout: float = DEFAULT_TIMEOUT,
        max_rows: int | None = 10_000,
        max_bytes: int | None = DEFAULT_MAX_RESULT_BYTES,
        guard: Guard | Callable[[str], None] | None = None,
        in_memory: bool = True,
        internal_timeout: float = DEFAULT_INTERNAL_TIMEOUT,
        queue_timeout: float | None = None,
        memory_limit_mb: int | None = None,
        recycle_share: float = DEFAULT_RECYCLE_SHARE,
        reload_check: float = DEFAULT_RELOAD_CHECK,
        start_method: str = "forkserver",
    ) -> None:
        import multiprocessing

        self.store_path = Path(store_path)
        if not (self.store_path / "CURRENT").is_file():
            raise StoreError(f"no store at {self.store_path}; build one first with `kg build` (or pass --store)")
        self.size = max(1, int(workers))
        self.processes = max(1, min(int(processes), self.size))
        self.timeout = float(timeout)
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.guard = guard
        self.in_memory = in_memory
        self.internal_timeout = float(internal_timeout)
        self.queue_timeout = float(queue_timeout if queue_timeout is not None else timeout)
        self.memory_limit_mb = memory_limit_mb
        self.recycle_share = float(recycle_share or 0)
        self.reload_check = float(reload_check or 0)
        self.recycle_floor_mb = RECYCLE_FLOOR_MB
        self._ctx: Any = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self._ctx.set_forkserver_preload(
                ["kg.query.engines.worker", "kg.query.engines.holder", "kg.query.sparql", "kg.store", "pyoxigraph"]
            )
        self._idle: queue.Queue[_Slot] = queue.Queue()
        self._procs: set[_Process] = set()
        self._holders: set[CopyHolder] = set()
        self._lock = threading.Lock()
        self._update_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._generation = 0
        self._pending = 0  #: processes being started
        self._closed = False
        self._started = False
        self._graphs: frozenset[str] | None = None
        self._holder: CopyHolder | None = None  #: the copy new workers are forked from
        self._loading: CopyHolder | None = None  #: a copy being loaded in the background
        self._state = ""  #: store_state() of the disk store the served copy was read from
        #: counters and facts for /health, tests and benchmarks
        self.killed = 0
        self.crashed = 0
        self.retried = 0
        self.recycled = 0
        self.reloads = 0
        self.copy_ready_at: float | None = None  #: time.monotonic() when the first copy served
        self.created_at = time.monotonic()
        self.description = (
            f"{self.size} query slots in {self.processes} worker process{'es' if self.processes > 1 else ''} "
            f"over {'one shared memory copy of ' if in_memory else ''}{self.store_path}"
        )
        # Workers start with the first request (an app that is never queried costs no
        # processes); they are all killed when the engine is closed or garbage-collected.
        self._finalizer = weakref.finalize(self, _shutdown, self._procs, self._holders, self._lock)

    # ---------------------------------------------------------------- start

    def start(self) -> None:
        """Start the workers now (otherwise the first request starts them).

        Raises:
            StoreError: the store cannot be opened or copied.
        """
        from ...store.state import store_state

        with self._start_lock:
            if self._started:
                return
            self._state = store_state(self.store_path)
            if self.in_memory:
                holder = self._new_holder()
                if _store_bytes(self.store_path) <= SYNC_COPY_BYTES:
                    self._adopt(holder, holder.wait_ready(_START_TIMEOUT))
                else:
                    with self._lock:
                        self._loading = holder
                    threading.Thread(
                        target=self._await_copy, args=(holder, self._state), name="kg-copy-load", daemon=True
                    ).start()
            self._spawn()  # in the caller's thread, so a broken store fails this request
            for _ in range(self.processes - 1):
                self._spawn_async()
            self._started = True
            threading.Thread(target=_watch, args=(weakref.ref(self),), name="kg-pool-watch", daemon=True).start()

    def _new_holder(self) -> CopyHolder:
        holder = CopyHolder(self._ctx, self.store_path)
        with self._lock:
            self._holders.add(holder)
        return holder

    def _await_copy(self, holder: CopyHolder, state: str) -> None:
        """Wait for a copy loading in the background; then move the workers to it."""
        try:
            info = holder.wait_ready(_START_TIMEOUT)
        except KGError as exc:
            with self._lock:
                self._holders.discard(holder)
                current = self._loading is holder
                if current:
                    self._loading = None
                    self._state = state  # do not try this state again; the next change will be
            if current and not self._closed:
                log.error("cannot load the memory copy (%s); serving from the previous copy or from disk", exc)
            return
        with self._lock:
            current = self._loading is holder
            if current:
                self._loading = None
        if self._closed or not current:  # closed, or superseded by a newer copy
            holder.close()
            with self._lock:
                self._holders.discard(holder)
            return
        self._adopt(holder, info, state)

    def _adopt(self, holder: CopyHolder, info: dict[str, Any], state: str | None = None) -> None:
        """Fork new workers from ``holder`` from now on; retire the workers of the previous source."""
        with self._lock:
            old = self._holder
            self._holder = holder
            self._generation += 1
            self._graphs = None
            if state is not None:
                self._state = state
            if self.copy_ready_at is None:
                self.copy_ready_at = time.monotonic()
            else:
                self.reloads += 1
        log.info(
            "memory copy of %s ready: %s quads in %.1f s, %s MB",
            self.store_path,
            info.get("quads"),
            info.get("load_seconds", 0),
            info.get("memory", {}).get("Rss"),
        )
        self.forget_graph_names()
        self._recycle_idle()
        self._replenish()
        if old is not None:
            threading.Thread(target=self._release_holder, args=(old,), name="kg-copy-release", daemon=True).start()

    def _release_holder(self, holder: CopyHolder) -> None:
        """End a replaced copy once none of its workers is still answering a query."""
        deadline = time.monotonic() + self.timeout + 10
        while time.monotonic() < deadline:
            with self._lock:
                busy = any(p.holder is holder and p.slots for p in self._procs)
            if not busy:
                break
            time.sleep(0.1)
        holder.close()
        with self._lock:
            self._holders.discard(holder)

    # ---------------------------------------------------------------- the QueryEngine interface

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
        """Return the number of quads: from the copy holder when the copy serves (counting in a
        worker would visit, and so copy, every page of the store), else from a worker."""
        if not self._started:
            self.start()
        holder = self._holder
        if holder is not None and "quads" in holder.info:
            return int(holder.info["quads"])
        return self._call("count", {}, self.internal_timeout)

    def graph_names(self, *, refresh: bool = False) -> frozenset[str]:
        """Return the named graphs of the store (kept until an update or a reload changes them)."""
        graphs = self._graphs
        if graphs is None or refresh:
            graphs = self._graphs = frozenset(self._call("graphs", {}, self.internal_timeout))
        return graphs

    def update(self, update: str) -> None:
        """Apply an update to the store on disk and to the memory copy; fork fresh workers.

        Raises:
            QueryRefused: the guard refuses the update (LOAD, SERVICE, remote FROM).
            UpdateForbidden: the workers read the disk store directly (not in memory).
            StoreLocked: another process (``kg build``) is writing the store.
            QueryError: the update does not parse.
        """
        from ...store import open_store
        from ...store.state import store_state

        check = getattr(self.guard, "check_update", None)
        if check is not None:
            check(update)
        if not self.in_memory:
            raise UpdateForbidden("updates need in-memory workers (the disk store is opened read-only)")
        if not self._started:
            self.start()
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
            state = store_state(self.store_path)
            with self._lock:
                holder, loading = self._holder, self._loading
            if holder is not None and loading is None:
                holder.info["quads"] = holder.update(update)  # the copy: same change, no reload
                with self._lock:
                    self._state = state
                    self._generation += 1
                    self._graphs = None
                self._recycle_idle()
                self._replenish()
            else:  # the copy is still loading (from before the update): load it again
                self._reload(state, wait=True)
            self.forget_graph_names()

    def close(self) -> None:
        """Stop every worker and the memory copy."""
        with self._lock:
            self._closed = True
        self._finalizer()

    def worker_pids(self) -> list[int]:
        """Return the PIDs of the current worker processes (for /health and tests)."""
        with self._lock:
            return sorted(p.pid for p in self._procs)

    def serving(self) -> str:
        return "memory" if self._holder is not None else "disk"

    def status(self) -> dict[str, Any]:
        """Return what serves queries now: source, copy holder, worker memory (for /health)."""
        with self._lock:
            holder = self._holder
            procs = sorted(self._procs, key=lambda p: p.pid)
        out: dict[str, Any] = {
            "slots": self.size,
            "processes": [{"pid": p.pid, "slots": p.slots, "memory": p.holder is not None} for p in procs],
            "killed": self.killed,
            "crashed": self.crashed,
            "recycled": self.recycled,
            "reloads": self.reloads,
        }
        if holder is not None:
            out["copy"] = {"pid": holder.pid, **holder.info.get("memory", {}), "quads": holder.info.get("quads")}
        return out

    def __enter__(self) -> PoolEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---------------------------------------------------------------- processes and slots

    def _slots_for_new_process(self) -> int:
        return math.ceil(self.size / self.processes)

    def _spawn(self) -> None:
        """Start one worker process and put its slots in the idle queue."""
        with self._lock:
            generation, holder = self._generation, self._holder
        slots = self._slots_for_new_process()
        proc = None
        if holder is not None:
            try:
                pid, conns = holder.fork(slots, self.memory_limit_mb)
                proc = _Process(pid, generation, holder)
            except StoreError as exc:  # the holder died (out of memory?): serve from disk, load again
                generation = self._lost_holder(holder, exc)
        if proc is None:
            proc, conns = self._start_disk_worker(slots, generation)
        with self._lock:
            closed = self._closed
            if not closed:
                self._procs.add(proc)
                proc.slots = len(conns)
        if closed:
            self._kill(proc)
            raise StoreError("the query engine is closed")
        for conn in conns:
            self._idle.put(_Slot(proc, conn))

    def _lost_holder(self, holder: CopyHolder, exc: KGError) -> int:
        """The copy's process is gone: retire its workers, serve from disk, load a new copy."""
        with self._lock:
            if self._holder is holder:
                self._holder = None
                self._generation += 1
                reload = not self._closed and self._loading is None
            else:
                reload = False
            self._holders.discard(holder)
            generation, state = self._generation, self._state
        if reload:
            log.error("the memory copy's process is gone (%s); serving from disk while a new copy loads", exc)
            self._reload(state)
        return generation

    def _start_disk_worker(self, slots: int, generation: int) -> tuple[_Process, list[Any]]:
        pairs = [self._ctx.Pipe(duplex=True) for _ in range(slots)]
        process = self._ctx.Process(
            target=disk_worker_main,
            args=([child for _, child in pairs], str(self.store_path), self.memory_limit_mb),
            name="kg-query-worker",
            daemon=True,
        )
        process.start()
        conns = [parent for parent, _ in pairs]
        for _, child in pairs:
            child.close()
        proc = _Process(process.pid, generation, None, process)
        if not conns[0].poll(_START_TIMEOUT):
            self._kill(proc)
            raise StoreError(f"a query worker did not open the store {self.store_path} within {_START_TIMEOUT:.0f} s")
        try:
            status, value = conns[0].recv()
        except (EOFError, OSError) as exc:
            self._kill(proc)
            raise StoreError(f"a query worker died while opening the store {self.store_path}") from exc
        if status != "ready":
            self._kill(proc)
            raise value if isinstance(value, KGError) else StoreError(str(value))
        return proc, conns

    def _spawn_async(self) -> None:
        with self._lock:
            self._pending += 1

        def target() -> None:
            try:
                self._spawn()
            except KGError as exc:
                if not self._closed:
                    log.error("cannot start a query worker: %s", exc)
            finally:
                with self._lock:
                    self._pending -= 1

        threading.Thread(target=target, name="kg-query-worker-start", daemon=True).start()

    def _replenish(self) -> None:
        """Start processes until ``processes`` usable ones run (or are starting)."""
        with self._lock:
            if self._closed or not self._started:
                return
            usable = sum(1 for p in self._procs if p.usable(self._generation))
            missing = self.processes - usable - self._pending
        for _ in range(max(0, missing)):
            self._spawn_async()

    def _kill(self, proc: _Process) -> None:
        """SIGKILL a worker process (through its holder, which reaps it) and close its record."""
        proc.killed = True
        if proc.holder is not None:
            proc.holder.kill(proc.pid)
        elif proc.mp_process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.mp_process.join(5)

    def _retire_slot(self, slot: _Slot) -> None:
        """Close a slot; a process whose slots are all closed ends (its threads see EOF)."""
        if slot.closed:
            return
        slot.closed = True
        with contextlib.suppress(OSError):
            slot.conn.close()
        proc = slot.process
        with self._lock:
            proc.slots -= 1
            gone = proc.slots <= 0
            if gone:
                self._procs.discard(proc)
        if gone and proc.mp_process is not None and not proc.killed:
            threading.Thread(target=proc.mp_process.join, args=(10,), daemon=True).start()

    def _recycle_idle(self) -> None:
        stale = []
        while True:
            try:
                stale.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for slot in stale:
            if slot.process.usable(self._generation):
                self._idle.put(slot)
            else:
                self._retire_slot(slot)

    def _acquire(self) -> _Slot:
        if not self._started:
            self.start()
        deadline = time.monotonic() + self.queue_timeout
        while True:
            if self._closed:
                raise StoreError("the query engine is closed")
            remaining = deadline - time.monotonic()
            try:
                slot = self._idle.get(timeout=max(0.0, remaining))
            except queue.Empty:
                raise WorkersBusy(
                    f"all {self.size} query workers stayed busy for {self.queue_timeout:g} s; "
                    "try again shortly (setting QUERY_WORKERS sets how many run at once)",
                    headers={"Retry-After": "5"},
                ) from None
            if not slot.process.usable(self._generation):
                self._retire_slot(slot)
                self._replenish()
                continue
            return slot

    def _release(self, slot: _Slot) -> None:
        if slot.process.usable(self._generation) and not self._closed:
            self._idle.put(slot)
        else:
            self._retire_slot(slot)
            self._replenish()

    # ---------------------------------------------------------------- one call

    def _call(self, op: str, args: dict[str, Any], limit: float, client: bool = False) -> Any:
        retried = False
        while True:
            slot = self._acquire()
            proc = slot.process
            try:
                slot.conn.send((op, args))
            except (OSError, ValueError):
                self._retire_slot(slot)
                continue
            with self._lock:
                proc.inflight += 1
            answered = slot.conn.poll(limit)
            if not answered:
                self._overran(slot, op, args, limit)
                if client:
                    raise QueryTimeout(
                        f"the query ran longer than this endpoint's limit of {limit:g} s and was stopped "
                        "(setting QUERY_TIME_LIMIT); add LIMIT, narrow the pattern with more specific "
                        "triples, or avoid unbounded property paths and cross products"
                    )
                raise QueryTimeout(f"an internal query ran longer than {limit:g} s and was stopped")
            try:
                status, value = slot.conn.recv()
            except (EOFError, OSError):
                if self._lost(slot, retried):
                    retried = True
                    self.retried += 1
                    continue
                raise self._crash_error(proc) from None
            with self._lock:
                proc.inflight -= 1
            self._release(slot)
            if status == "err":
                raise value
            return value

    def _overran(self, slot: _Slot, op: str, args: dict[str, Any], limit: float) -> None:
        """Kill the process running a query that passed its limit; start its replacement."""
        proc = slot.process
        self.killed += 1
        log.warning("query worker %s killed after %.1f s: %.200s", proc.pid, limit, args.get("query", op))
        self._kill(proc)
        with self._lock:
            proc.inflight -= 1
        self._retire_slot(slot)
        self._replenish()

    def _lost(self, slot: _Slot, retried: bool) -> bool:
        """A slot's process ended under a request; return True when the request should be sent again.

        It is sent again (once) when the engine killed the process for another query's time
        limit, or when the process crashed with other queries in flight (the culprit is
        unknown; reads are safe to repeat). A query alone on a crashed process is the cause.
        """
        proc = slot.process
        with self._lock:
            if proc.inflight_at_death is None:
                proc.inflight_at_death = proc.inflight
                first = True
            else:
                first = False
            proc.inflight -= 1
            killed = proc.killed
            if not killed:
                proc.dead = True
        holder_gone = False
        if not killed and proc.holder is not None:
            proc.holder.process.join(0.3)  # workers die with their holder: then no query is the cause
            holder_gone = not proc.holder.process.is_alive()
            if holder_gone:
                self._lost_holder(proc.holder, StoreError("the copy holder exited"))
        if not killed and first and not holder_gone:
            self.crashed += 1
            self._end_crashed(proc)
        self._retire_slot(slot)
        self._replenish()
        if retried:
            return False
        return killed or holder_gone or (proc.inflight_at_death or 0) > 1

    def _end_crashed(self, proc: _Process) -> None:
        """Make sure a process that failed under a query is gone (it may still be exiting) and reaped."""
        if proc.holder is not None:
            proc.holder.kill(proc.pid)  # records its exit status, then reaps it
        elif proc.mp_process is not None:
            proc.mp_process.join(2)
            if proc.mp_process.is_alive():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGKILL)
                proc.mp_process.join(5)

    def _crash_error(self, proc: _Process) -> WorkerCrashed:
        if proc.holder is not None:
            code = proc.holder.exit_status(proc.pid)
        else:
            code = proc.mp_process.exitcode if proc.mp_process is not None else None
        limit_note = (
            f" (each worker may use at most {self.memory_limit_mb} MB beyond the shared copy, "
            "setting QUERY_MEMORY_LIMIT_MB)"
            if self.memory_limit_mb
            else ""
        )
        return WorkerCrashed(
            f"the query stopped its worker process (exit {code}){limit_note}; the worker was replaced; "
            "narrow the pattern or add LIMIT"
        )

    # ---------------------------------------------------------------- watching memory and the store

    def _look_at_store(self, seen: str) -> str:
        """Reload when the store on disk changed and stayed so since the last look; return what was seen."""
        from ...store.state import store_state, writer_active

        state = store_state(self.store_path)
        with self._lock:
            current, loading = self._state, self._loading
        if not state or state == current or loading is not None:
            return ""
        if state == seen and not writer_active(self.store_path):
            log.info("the store %s changed on disk: loading it again", self.store_path)
            self._reload(state)
            return ""
        return state  # changed: wait until it stays so for one more look

    def _check_holder(self) -> None:
        """Notice a copy holder that died between queries (out of memory, killed)."""
        holder = self._holder
        if holder is not None and not holder.closed and not holder.process.is_alive():
            self._lost_holder(holder, StoreError("the copy holder exited"))
            self._recycle_idle()
            self._replenish()

    def _check_private_memory(self) -> None:
        with self._lock:
            holder = self._holder
            candidates = [p for p in self._procs if p.holder is holder and p.usable(self._generation)]
        if holder is None or not self.recycle_share or not candidates:
            return
        copy_mb = holder.info.get("memory", {}).get("Rss", 0)
        budget = max(self.recycle_floor_mb, self.recycle_share * copy_mb)
        for proc in candidates:
            private = memory_mb(proc.pid)["Private"]
            if private > budget:
                log.info(
                    "query worker %s has %s MB of private memory (> %.0f MB): replacing it", proc.pid, private, budget
                )
                proc.draining = True
                self.recycled += 1
        self._recycle_idle()
        self._replenish()

    def _reload(self, state: str, *, wait: bool = False) -> None:
        """Load a new memory copy (in the background unless ``wait``) and move the workers to it."""
        if not self.in_memory:
            with self._lock:  # disk workers: reopen the store
                self._state = state
                self._generation += 1
                self._graphs = None
            self._recycle_idle()
            self._replenish()
            return
        with self._lock:
            previous = self._loading
        if previous is not None:
            previous.close()
        holder = self._new_holder()
        with self._lock:
            self._loading = holder
        if wait:
            self._await_copy(holder, state)
        else:
            threading.Thread(target=self._await_copy, args=(holder, state), name="kg-copy-load", daemon=True).start()


def _watch(ref: weakref.ref[PoolEngine]) -> None:
    """Every second: replace workers grown too private; every ``reload_check`` s: look at the store.

    Holds the engine only through a weak reference, so an engine nobody uses any more is
    still garbage-collected (and its processes ended).
    """
    seen = ""
    next_check = 0.0
    while True:
        time.sleep(1.0)
        engine = ref()
        if engine is None or engine._closed:
            return
        try:
            engine._check_holder()
            engine._check_private_memory()
            if engine.reload_check and time.monotonic() >= next_check:
                next_check = time.monotonic() + engine.reload_check
                seen = engine._look_at_store(seen)
        except KGError as exc:
            log.warning("pool watcher: %s", exc)
        del engine


def _store_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _shutdown(procs: set[_Process], holders: set[CopyHolder], lock: threading.Lock) -> None:
    """Stop every worker and holder (workers forked from a holder end with it)."""
    with lock:
        stopping = list(procs)
        procs.clear()
        ending = list(holders)
        holders.clear()
    for holder in ending:
        holder.close()
    for proc in stopping:
        if proc.mp_process is not None and proc.mp_process.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.mp_process.join(5)


__all__: Sequence[str] = ["PoolEngine"]
