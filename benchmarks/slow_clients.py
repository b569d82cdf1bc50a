"""Slow clients (slowloris) for the load test and the connection tests: bounded, loopback only.

:class:`SlowClients` holds ``count`` TCP connections to a server on this machine, opened
from a loopback source address (``127.0.0.2`` by default, so the normal clients on
127.0.0.1 are another address), all from one thread with a selector. Each connection
sends the start of a request (``GET /health HTTP/1.1`` and a ``Host`` line) and then,
by ``mode``:

* ``trickle``: one more byte of a never-ending header every ``interval`` seconds;
* ``partial``: nothing more, ever (the request stays incomplete);
* ``idle``: nothing at all (not even the request line).

A connection the server closes is opened again (after ``reconnect_delay``), as a real
slowloris does, so the server never gets rid of the load by closing. Everything stops
after ``max_seconds`` even if :meth:`SlowClients.stop` is never called. Only loopback
targets are accepted.
"""

from __future__ import annotations

import errno
import ipaddress
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field

_HEAD = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-client\r\n"
_TRICKLE = b"X-Slow: " + b"a" * 64 + b"\r\n"


@dataclass
class SlowStats:
    """What the slow clients saw."""

    opened: int = 0  #: connections established
    failed: int = 0  #: connection attempts that failed (refused, reset, timed out)
    closed_by_server: int = 0  #: established connections the server closed
    bytes_sent: int = 0
    lifetimes: list[float] = field(default_factory=list)  #: seconds from open to server close
    answers: dict[str, int] = field(default_factory=dict)  #: first status line the server sent before closing


class _Conn:
    __slots__ = ("connected", "next_send", "opened_at", "pos", "sock", "status")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.connected = False
        self.opened_at = time.monotonic()
        self.pos = 0  # bytes of the trickle sent
        self.next_send = 0.0
        self.status = ""


class SlowClients:
    """``count`` slow connections to ``host:port`` from ``source`` (see the module docstring)."""

    def __init__(
        self,
        host: str,
        port: int,
        count: int,
        *,
        source: str = "127.0.0.2",
        mode: str = "trickle",
        interval: float = 2.0,
        reconnect_delay: float = 0.2,
        max_seconds: float = 300.0,
    ) -> None:
        for address in (host, source):
            if not ipaddress.ip_address(address).is_loopback:
                raise ValueError(f"slow clients only target and come from loopback addresses, not {address}")
        if mode not in ("trickle", "partial", "idle"):
            raise ValueError(f"unknown mode {mode!r}")
        self.host, self.port, self.count, self.source = host, port, count, source
        self.mode, self.interval, self.reconnect_delay = mode, interval, reconnect_delay
        self.max_seconds = max_seconds
        self.stats = SlowStats()
        self._conns: dict[int, _Conn] = {}
        self._reopen_at: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)
        self._lock = threading.Lock()

    # ------------------------------------------------------------ public

    def start(self, ramp_seconds: float = 2.0) -> SlowClients:
        """Start the thread; the connections are opened over ``ramp_seconds``."""
        self._ramp = ramp_seconds
        self._thread.start()
        return self

    def stop(self) -> SlowStats:
        """Close every connection and return the statistics."""
        self._stop.set()
        self._thread.join(timeout=30)
        return self.stats

    def open_now(self) -> int:
        """Connections established and not (yet) closed by the server."""
        with self._lock:
            return sum(1 for c in self._conns.values() if c.connected)

    def __enter__(self) -> SlowClients:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ the loop

    def _open(self, sel: selectors.BaseSelector) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            sock.bind((self.source, 0))
            code = sock.connect_ex((self.host, self.port))
        except OSError:
            sock.close()
            self.stats.failed += 1
            self._reopen_at.append(time.monotonic() + self.reconnect_delay)
            return
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            self.stats.failed += 1
            self._reopen_at.append(time.monotonic() + self.reconnect_delay)
            return
        conn = _Conn(sock)
        with self._lock:
            self._conns[sock.fileno()] = conn
        sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, conn)

    def _drop(self, sel: selectors.BaseSelector, conn: _Conn, *, by_server: bool) -> None:
        try:
            sel.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        with self._lock:
            self._conns.pop(conn.sock.fileno(), None)
        if by_server:
            if conn.connected:
                self.stats.closed_by_server += 1
                self.stats.lifetimes.append(time.monotonic() - conn.opened_at)
                if conn.status:
                    self.stats.answers[conn.status] = self.stats.answers.get(conn.status, 0) + 1
            else:
                self.stats.failed += 1
        conn.sock.close()
        if by_server and not self._stop.is_set():
            self._reopen_at.append(time.monotonic() + self.reconnect_delay)

    def _send(self, conn: _Conn, data: bytes) -> bool:
        try:
            sent = conn.sock.send(data)
        except BlockingIOError:
            return True
        except OSError:
            return False
        self.stats.bytes_sent += sent
        return True

    def _on_connected(self, sel: selectors.BaseSelector, conn: _Conn) -> bool:
        if conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
            return False
        conn.connected = True
        conn.opened_at = time.monotonic()
        self.stats.opened += 1
        sel.modify(conn.sock, selectors.EVENT_READ, conn)
        conn.next_send = time.monotonic() + self.interval
        if self.mode == "idle":
            return True
        return self._send(conn, _HEAD)

    def _on_readable(self, sel: selectors.BaseSelector, conn: _Conn) -> None:
        try:
            data = conn.sock.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data and not conn.status:
            conn.status = data.split(b"\r\n", 1)[0].decode("latin-1", "replace")[:40]
        if not data:
            self._drop(sel, conn, by_server=True)

    def _run(self) -> None:
        started = time.monotonic()
        deadline = started + self.max_seconds
        sel = selectors.DefaultSelector()
        step = self._ramp / max(1, self.count)
        planned = 0
        try:
            while not self._stop.is_set() and time.monotonic() < deadline:
                now = time.monotonic()
                while planned < self.count and now >= started + planned * step:
                    self._open(sel)
                    planned += 1
                due = [t for t in self._reopen_at if t <= now]
                if due:
                    self._reopen_at = [t for t in self._reopen_at if t > now]
                    for _ in due:
                        self._open(sel)
                for key, events in sel.select(timeout=0.05):
                    conn: _Conn = key.data
                    if not conn.connected and events & selectors.EVENT_WRITE:
                        if not self._on_connected(sel, conn):
                            self._drop(sel, conn, by_server=True)
                        continue
                    if events & selectors.EVENT_READ:
                        self._on_readable(sel, conn)
                if self.mode == "trickle":
                    now = time.monotonic()
                    with self._lock:
                        live = [c for c in self._conns.values() if c.connected and c.next_send <= now]
                    for conn in live:
                        conn.next_send = now + self.interval
                        byte = _TRICKLE[conn.pos % len(_TRICKLE) : conn.pos % len(_TRICKLE) + 1]
                        conn.pos += 1
                        if not self._send(conn, byte):
                            self._drop(sel, conn, by_server=True)
        finally:
            with self._lock:
                conns = list(self._conns.values())
                self._conns.clear()
            for conn in conns:
                try:
                    sel.unregister(conn.sock)
                except (KeyError, ValueError):
                    pass
                conn.sock.close()
            sel.close()
