"""The copy holder: one process loads the store into memory once, then forks the query workers.

The holder is started from the fork server (a clean, single-threaded process) and stays
single-threaded: the on-disk store is read by a short-lived *dumper* child that streams
N-Quads into a pipe, which the holder parses into its memory copy (dump and parse run on
two cores at once, and the holder never opens RocksDB, whose background threads would make
it unsafe to fork). Then it waits for requests on its control connection and forks a worker
for each ``fork`` request: the worker inherits the loaded copy, so every worker shares its
pages copy-on-write and starts serving in milliseconds. The holder never runs a client
query itself; it reaps its workers, kills them on request (it is their parent, so a PID it
kills is never a recycled one), applies authorised updates to its copy, and ends with its
parent (and its workers with it).

Reads in Oxigraph's memory store write to the pages they visit (reference counts and the
version lock of each quad), so a worker makes private copies of the pages its queries
touch; :class:`~.pool.PoolEngine` replaces a worker whose private memory grows past a share
of the copy (measured in ``/proc/<pid>/smaps_rollup``).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import time
from pathlib import Path
from typing import Any

from ...core.errors import KGError, StoreError
from .worker import die_with_parent, portable, serve_slots

log = logging.getLogger("kg.query.engines.pool")

_PIPE_BUFFER = 1 << 20


def memory_mb(pid: int | str = "self") -> dict[str, int]:
    """Return ``Rss``, ``Pss`` and ``Private`` (clean + dirty) of a process in MB, from smaps_rollup."""
    out = {"Rss": 0, "Pss": 0, "Private": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    out[key] = int(rest.split()[0]) // 1024
                elif key in ("Private_Clean", "Private_Dirty"):
                    out["Private"] += int(rest.split()[0]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return out


# ---------------------------------------------------------------- holder side


def holder_main(control, store_path: str) -> None:
    """Entry point of the holder process: load the copy, report, then serve control requests."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    started = time.perf_counter()
    try:
        store = _load_copy(store_path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            control.send(("err", portable(exc)))
        return
    gc.collect()
    gc.freeze()  # the interpreter's objects stay out of the collector: it would write to shared pages
    info = {
        "pid": os.getpid(),
        "quads": len(store),
        "load_seconds": round(time.perf_counter() - started, 3),
        "memory": memory_mb(),
        "threads": _thread_count(),
    }
    if info["threads"] != 1:
        log.warning("the copy holder has %s threads; forking it may copy a held lock", info["threads"])
    control.send(("ready", info))
    _serve_control(control, store)


def _load_copy(store_path: str):
    """Return an in-memory copy of the store, read through a dumper child process."""
    import pyoxigraph as ox

    if not (Path(store_path) / "CURRENT").is_file():
        raise StoreError(f"no store at {store_path}; build one first with `kg build` (or pass --store)")
    read_end, write_end = os.pipe()
    dumper = os.fork()
    if dumper == 0:  # the dumper: open the disk store, stream it into the pipe, exit
        code = 0
        try:
            os.close(read_end)
            die_with_parent()
            from ...store.state import dump_nquads

            with os.fdopen(write_end, "wb", buffering=_PIPE_BUFFER) as out:
                dump_nquads(store_path, out)
        except BaseException:
            code = 3
        os._exit(code)
    os.close(write_end)
    store = ox.Store()
    try:
        with os.fdopen(read_end, "rb", buffering=_PIPE_BUFFER) as source:
            store.load(source, format=ox.RdfFormat.N_QUADS)
    except (OSError, SyntaxError, ValueError) as exc:
        raise StoreError(f"cannot copy the store {store_path} into memory: {exc}") from exc
    finally:
        _, status = os.waitpid(dumper, 0)
    if status != 0:
        raise StoreError(f"cannot read the store {store_path} to copy it into memory (dumper status {status})")
    return store


def _thread_count() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 1


def _serve_control(control, store) -> None:
    """Answer ``(op, args)`` control requests until the parent closes the connection."""
    children: dict[int, int | None] = {}  # pid → exit status once reaped
    while True:
        _reap(children)
        try:
            if not control.poll(0.2):
                continue
            op, args = control.recv()
        except (EOFError, OSError):
            break
        if op == "stop":
            break
        try:
            if op == "fork":
                pid = _fork_worker(control, store, int(args["slots"]), args.get("memory_limit_mb"))
                children[pid] = None
                continue  # _fork_worker has answered (the reply carries file descriptors)
            value: Any
            if op == "kill":
                value = _kill(children, int(args["pid"]))
            elif op == "exit_status":
                value = children.get(int(args["pid"]))
            elif op == "update":
                store.update(args["update"])
                value = len(store)
            elif op == "stats":
                value = {"memory": memory_mb(), "quads": len(store), "workers": sorted(children)}
            else:
                raise ValueError(f"unknown holder operation {op!r}")
            reply: tuple[str, Any] = ("ok", value)
        except BaseException as exc:
            reply = ("err", portable(exc) if not isinstance(exc, SyntaxError) else exc)
        try:
            control.send(reply)
        except OSError:
            break
    for pid in list(children):
        _kill(children, pid)


def _reap(children: dict[int, int | None]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in children:
            children[pid] = os.waitstatus_to_exitcode(status)
            if len(children) > 256:  # keep the statuses of recent workers only
                for old in [p for p, s in children.items() if s is not None][:128]:
                    del children[old]


def _kill(children: dict[int, int | None], pid: int) -> int | None:
    """SIGKILL a worker of this holder (never another process) and return its exit status."""
    if pid not in children:
        return None
    if children[pid] is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            _, status = os.waitpid(pid, 0)
            children[pid] = os.waitstatus_to_exitcode(status)
    return children[pid]


def _fork_worker(control, store, slots: int, memory_limit_mb: int | None) -> int:
    """Fork a worker with ``slots`` connections; send their parent ends to the web process."""
    from multiprocessing.reduction import sendfds

    pairs = [socket.socketpair() for _ in range(max(1, slots))]
    holder = os.getpid()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 0
        try:
            control.close()
            for ours, _ in pairs:
                ours.close()
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            die_with_parent(holder)
            from multiprocessing.connection import Connection

            serve_slots([Connection(theirs.detach()) for _, theirs in pairs], store, memory_limit_mb)
        except BaseException:
            code = 1
        os._exit(code)
    for _, theirs in pairs:
        theirs.close()
    try:
        control.send(("forked", {"pid": pid, "slots": len(pairs)}))
        with socket.socket(fileno=os.dup(control.fileno())) as channel:
            sendfds(channel, [ours.fileno() for ours, _ in pairs])
    finally:
        for ours, _ in pairs:
            ours.close()
    return pid


# ---------------------------------------------------------------- parent side


class CopyHolder:
    """The web process's handle on one holder process (thread-safe)."""

    def __init__(self, ctx, store_path: str | Path) -> None:
        import threading

        self.store_path = str(store_path)
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=holder_main, args=(child_conn, self.store_path), name="kg-copy-holder", daemon=True
        )
        self.process.start()
        child_conn.close()
        self.conn = parent_conn
        self.pid: int = self.process.pid
        self.info: dict[str, Any] = {}
        self.started = time.perf_counter()
        self._lock = threading.Lock()
        self.closed = False

    def wait_ready(self, timeout: float) -> dict[str, Any]:
        """Wait until the copy is loaded; return its facts (pid, quads, load time, memory).

        Raises:
            StoreError: the copy cannot be loaded (the store is missing or unreadable).
        """
        if not self.conn.poll(timeout):
            self.close()
            raise StoreError(f"the memory copy of {self.store_path} was not loaded within {timeout:.0f} s")
        try:
            status, value = self.conn.recv()
        except (EOFError, OSError):
            self.close()
            raise StoreError(
                f"the process loading {self.store_path} into memory died (out of memory?); "
                "serve it from disk with IN_MEMORY=false"
            ) from None
        if status != "ready":
            self.close()
            raise value if isinstance(value, KGError) else StoreError(str(value))
        self.info = value
        return value

    def _request(self, op: str, args: dict[str, Any], timeout: float = 60.0) -> Any:
        with self._lock:
            if self.closed:
                raise StoreError("the memory copy was released")
            try:
                self.conn.send((op, args))
                if not self.conn.poll(timeout):
                    raise StoreError(f"the memory copy's process did not answer {op!r} within {timeout:g} s")
                status, value = self.conn.recv()
            except (EOFError, OSError) as exc:
                raise StoreError("the process holding the memory copy is gone") from exc
            if status == "err":
                raise value
            return value

    def fork(self, slots: int, memory_limit_mb: int | None) -> tuple[int, list[Any]]:
        """Fork a worker with ``slots`` connections; return its PID and the connections.

        Raises:
            StoreError: the holder is gone or did not answer.
        """
        from multiprocessing.connection import Connection
        from multiprocessing.reduction import recvfds

        with self._lock:
            if self.closed:
                raise StoreError("the memory copy was released")
            try:
                self.conn.send(("fork", {"slots": slots, "memory_limit_mb": memory_limit_mb}))
                if not self.conn.poll(60):
                    raise StoreError("the memory copy's process did not fork a worker within 60 s")
                status, value = self.conn.recv()
                if status != "forked":
                    raise value if isinstance(value, BaseException) else StoreError(str(value))
                with socket.socket(fileno=os.dup(self.conn.fileno())) as channel:
                    fds = recvfds(channel, value["slots"])
            except (EOFError, OSError) as exc:
                raise StoreError("the process holding the memory copy is gone") from exc
        return value["pid"], [Connection(fd) for fd in fds]

    def kill(self, pid: int) -> int | None:
        """SIGKILL one of this holder's workers; return its exit status (None: not one of them)."""
        try:
            return self._request("kill", {"pid": pid}, timeout=30)
        except StoreError:
            return None  # the holder is gone, and its workers with it

    def exit_status(self, pid: int) -> int | None:
        try:
            return self._request("exit_status", {"pid": pid}, timeout=5)
        except StoreError:
            return None

    def update(self, update: str) -> int:
        """Apply a SPARQL update to the copy (already applied to the disk store); return its quad count."""
        return int(self._request("update", {"update": update}, timeout=600))

    def stats(self) -> dict[str, Any]:
        return self._request("stats", {}, timeout=10)

    def close(self) -> None:
        """End the holder; its workers end with it."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(("stop", {}))
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(OSError):
            self.conn.close()
