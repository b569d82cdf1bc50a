"""The inside of a query worker process: answer requests on its connections until they close.

A worker process serves one or more *slots*: each slot is a connection to the web process
with its own thread (on a 256 MB stack: the SPARQL parser recurses), answering one request
at a time. Workers are either forked from the process that holds the memory copy
(:mod:`.holder`; they query the inherited copy) or started from the fork server with the
on-disk store (:func:`disk_worker_main`). Either way a worker asks the kernel to kill it
when its parent dies, and its address space may be capped at its size when it starts
serving plus ``memory_limit_mb``: the shared copy does not count against the cap, a query
that allocates past it ends its worker.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from typing import TYPE_CHECKING, Any

from ...core.errors import InternalError, KGError, QueryError, ResponseTooLarge, WorkerCrashed

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pyoxigraph as ox

log = logging.getLogger("kg.query.engines.pool")

WORKER_STACK = 256 * 1024 * 1024  #: bytes of stack for every slot thread


def die_with_parent(expected_parent: int | None = None) -> None:
    """Ask Linux to SIGKILL this process when its parent ends (and end now if it already has)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux
        return
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)  # the parent died before the request was made


def address_space_mb() -> int:
    """Return this process's address space (VmSize) in MB (0 when unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def cap_growth(memory_limit_mb: int | None) -> None:
    """Cap the address space at its present size plus ``memory_limit_mb`` (None or 0: no cap)."""
    if not memory_limit_mb:
        return
    import resource

    limit = (address_space_mb() + memory_limit_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def serve_slots(conns: Sequence[Any], store: ox.Store, memory_limit_mb: int | None) -> None:
    """Answer requests on every connection, each on its own big-stack thread, until all close.

    The threads are started first (their stacks are part of the size the cap grows from) and
    begin serving only once the cap is set, so no query ever runs uncapped.
    """
    capped = threading.Event()

    def serve(conn) -> None:
        capped.wait()
        serve_connection(conn, store)

    threads = []
    previous = threading.stack_size()
    try:
        threading.stack_size(WORKER_STACK)
        for i, conn in enumerate(conns):
            t = threading.Thread(target=serve, args=(conn,), name=f"query-slot-{i}")
            t.start()
            threads.append(t)
    except (RuntimeError, ValueError):  # no room for more big stacks: serve the rest on this thread
        pass
    finally:
        threading.stack_size(previous)
    cap_growth(memory_limit_mb)  # after the stacks: the cap is what queries may add
    capped.set()
    for conn in conns[len(threads) :]:
        serve_connection(conn, store)
    for t in threads:
        t.join()


def serve_connection(conn, store: ox.Store) -> None:
    """Answer ``(op, args)`` requests on one connection with ``(status, value)`` until EOF or ``stop``."""
    while True:
        try:
            op, args = conn.recv()
        except (EOFError, OSError):
            return
        if op == "stop":
            return
        try:
            value = handle(store, op, args)
        except BaseException as exc:  # every failure goes back to the client thread
            reply = ("err", portable(exc))
        else:
            reply = ("ok", value)
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


def handle(store: ox.Store, op: str, args: dict[str, Any]) -> Any:
    """Run one operation on the store."""
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
    if op == "allocate":  # for tests of the memory cap: hold this many MB for a moment
        block = bytearray(args["mb"] * 1024 * 1024)
        return len(block)
    raise ValueError(f"unknown worker operation {op!r}")


def portable(exc: BaseException) -> KGError:
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


def disk_worker_main(conns: Sequence[Any], store_path: str, memory_limit_mb: int | None) -> None:
    """Entry point of a worker started from the fork server: open the disk store read-only, serve."""
    from ...store import open_store

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    try:
        store = open_store(store_path, read_only=True)
    except BaseException as exc:  # report any start-up failure to the parent
        conns[0].send(("err", portable(exc)))
        return
    conns[0].send(("ready", os.getpid()))
    serve_slots(conns, store, memory_limit_mb)
