"""The HTTP server of ``kg serve`` / ``python server.py``: waitress with the limits slow clients need.

Waitress (pure Python, one event loop for every connection plus a pool of ``THREADS``
threads that run the app) only hands a request to a thread once it has arrived whole,
so a slow client costs a socket, never a thread. What stock waitress lacks is a bound on
how long a request may take to arrive and on how many connections one client holds:
its connection limit (100) fills up with connections that never finish a request, and
its idle timeout (120 s) is reset by every byte, so 120 half-sent requests from one
address, or 600 that trickle a byte every 2 s, left every other client waiting.
This module adds, with the settings of :data:`kg.core.settings.SETTINGS`:

* ``HEADER_TIMEOUT``: a request's headers must be complete this many seconds after its
  first byte; ``BODY_TIMEOUT``: its body this many seconds after the headers. A request
  that is late gets ``408 Request Timeout`` and the connection is closed, however
  steadily it trickles.
* ``IDLE_TIMEOUT``: a connection with no request in progress and no traffic for this long
  is closed (kept-alive connections between requests; connections that never send).
* ``CONNECTIONS_PER_ADDRESS``: connections one client address (an IPv6 /64) may hold
  open; more are answered ``503`` and closed at once, so one address cannot fill
  ``CONNECTION_LIMIT``, the total number of open connections (beyond it new ones wait
  in the kernel's listen backlog, as in stock waitress).

The checks run in waitress's event loop once a second (``cleanup_interval``); the loop
uses ``poll()`` so that more than 1,024 sockets work, and the process's open-file limit
is raised to fit ``CONNECTION_LIMIT``. Nothing here imports Flask: the server serves
whatever WSGI app it is given.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections import Counter
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

log = logging.getLogger("kg.web")

#: How long a connection that was told it timed out may take to read the answer before it is dropped.
_LINGER = 2.0
#: Connections accepted per readable event of the listening socket (waitress accepts one).
_ACCEPT_BATCH = 64
#: Seconds between two log lines about refused or timed-out connections.
_REPORT_EVERY = 10.0


def address_key(host: str) -> str:
    """Return the key connections are counted under: the IPv4 address, or the IPv6 /64 network."""
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _plain_response(status: str, message: str) -> bytes:
    body = (message + "\n").encode("utf-8")
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\nX-Content-Type-Options: nosniff\r\n\r\n"
    )
    return head.encode("latin-1") + body


class GuardedChannel(HTTPChannel):
    """A waitress channel that times the request it is receiving (see the module docstring)."""

    server: GuardedServer
    request: Any  #: waitress's parser of the request being received (None between requests)
    will_close: bool
    close_when_flushed: bool
    _tracked: Any = None  #: the parser of the request being received, or None
    _began = 0.0  #: monotonic time its first byte arrived
    _headers_done = 0.0  #: monotonic time its headers were complete (0: not yet)
    _closing_since = 0.0  #: monotonic time a timeout answer was queued
    _lingering = False  #: the timeout answer is sent and the write side shut: reading what still comes
    _key: str | None = None  #: the address it is counted under while open

    def __init__(self, server: GuardedServer, sock, addr, adj, map=None) -> None:
        self._address = address_key(str(addr[0])) if addr else ""
        super().__init__(server, sock, addr, adj, map=map)

    def add_channel(self, map=None) -> None:
        """Register the channel and count it under its client address."""
        super().add_channel(map)
        self._key = self._address
        self.server.address_counts[self._key] += 1

    def del_channel(self, map=None) -> None:
        """Unregister the channel and stop counting it."""
        super().del_channel(map)
        key, self._key = self._key, None
        if key is not None:
            counts = self.server.address_counts
            counts[key] -= 1
            if counts[key] <= 0:
                del counts[key]

    def handle_write(self) -> None:
        """Send what is queued; after a timeout answer, close gracefully (a lingering close).

        A client that is still trickling its request when the 408 is sent would, on a plain
        close, make the kernel answer its next bytes with a reset, which can destroy the 408
        before the client reads it. So the answer is flushed, the write side shut down
        (the client sees the end of the answer), and what the client still sends is read
        and dropped until it closes or :data:`_LINGER` seconds pass.
        """
        if not (self._closing_since and self.close_when_flushed):
            super().handle_write()
            return
        self._flush_exception(self._flush_some)
        if not self.total_outbufs_len and not self.will_close:
            self.close_when_flushed = False
            self._lingering = True
            try:
                self.socket.shutdown(socket.SHUT_WR)
            except OSError:
                self.will_close = True
        if self.will_close:
            self.handle_close()

    def readable(self) -> bool:
        """Keep reading while lingering (to drop what the client still sends), else as waitress."""
        return self._lingering or super().readable()

    def received(self, data: bytes) -> bool:
        """Parse what arrived, noting when the pending request began and when its headers ended."""
        if self._lingering:
            return True  # after a timeout answer: read and dropped
        result = super().received(data)
        request = self.request
        now = time.monotonic()
        if request is None:
            self._tracked = None
        else:
            if request is not self._tracked:
                self._tracked, self._began, self._headers_done = request, now, 0.0
            if request.headers_finished and not self._headers_done:
                self._headers_done = now
        return result

    def check_deadlines(self, wall: float, now: float) -> str | None:
        """Close the connection if its request is late or it idles too long; return why, or None."""
        limits = self.server.limits
        if self._lingering:
            if now - self._closing_since > _LINGER:
                self.will_close = True
            return None
        if self.close_when_flushed or self.will_close:
            if (self._closing_since and now - self._closing_since > _LINGER) or (
                wall - self.last_activity > limits["IDLE_TIMEOUT"]
            ):
                self.will_close = True  # it does not read what is left to send: drop it
            return None
        if self.requests:  # a request is being served (the app's own limits apply)
            if self.request is not None:  # a pipelined one waits: its time starts when it may be read
                self._began = now
                self._headers_done = now if self._headers_done else 0.0
            return None
        request = self.request
        if request is None:
            if wall - self.last_activity > limits["IDLE_TIMEOUT"]:
                self.will_close = True
                return "idle"
            return None
        if not self._headers_done:
            if now - self._began > limits["HEADER_TIMEOUT"]:
                self._time_out(f"the request headers did not arrive within {limits['HEADER_TIMEOUT']:g} s")
                return "header"
        elif now - self._headers_done > limits["BODY_TIMEOUT"]:
            self._time_out(f"the request body did not arrive within {limits['BODY_TIMEOUT']:g} s")
            return "body"
        return None

    def _time_out(self, why: str) -> None:
        """Answer 408 to the late request and close the connection once the answer is sent."""
        answer = _plain_response("408 Request Timeout", f"{why} (setting HEADER_TIMEOUT / BODY_TIMEOUT); send it again")
        with self.requests_lock:
            if self.request is not None:
                self.request.close()
            self.request = self._tracked = None
            self.close_when_flushed = True
        with self.outbuf_lock:
            self.outbufs[-1].append(answer)
            self.total_outbufs_len += len(answer)
            self.current_outbuf_count += len(answer)
        self._closing_since = time.monotonic()


class GuardedServer(TcpWSGIServer):
    """Waitress's TCP server with a per-address connection cap and the channel deadlines."""

    channel_class = GuardedChannel

    def __init__(self, application, *args: Any, limits: dict[str, Any], **kwargs: Any) -> None:
        self.limits = limits
        self.address_counts: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.timed_out: Counter[str] = Counter()
        self._next_report = time.monotonic() + _REPORT_EVERY
        super().__init__(application, *args, **kwargs)

    def handle_accept(self) -> None:
        """Accept waiting connections; refuse those over the per-address cap."""
        cap = self.limits.get("CONNECTIONS_PER_ADDRESS") or 0
        for _ in range(_ACCEPT_BATCH):
            if len(self._map) >= self.adj.connection_limit:
                return
            try:
                pair = self.accept()
                if pair is None:
                    return
                conn, addr = pair
                self.set_socket_options(conn)
            except OSError:
                if self.adj.log_socket_errors:
                    self.logger.warning("server accept() threw an exception", exc_info=True)
                return
            addr = self.fix_addr(addr)
            key = address_key(str(addr[0]))
            if cap and self.address_counts[key] >= cap:
                self._refuse(conn, key, cap)
                continue
            self.channel_class(self, conn, addr, self.adj, map=self._map)

    def _refuse(self, conn, key: str, cap: int) -> None:
        self.refused[key] += 1
        answer = _plain_response(
            "503 Service Unavailable",
            f"too many open connections from {key}: at most {cap} (setting CONNECTIONS_PER_ADDRESS); "
            "close some, or reuse them (keep-alive)",
        )
        try:
            conn.setblocking(False)
            conn.send(answer)
        except OSError:
            pass
        finally:
            conn.close()

    def maintenance(self, now: float) -> None:
        """Apply the deadlines to every channel (called by waitress about once a second)."""
        mono = time.monotonic()
        for channel in list(self.active_channels.values()):
            reason = channel.check_deadlines(now, mono)
            if reason is not None and reason != "idle":
                self.timed_out[reason] += 1
        if mono >= self._next_report:
            self._next_report = mono + _REPORT_EVERY
            self._report()

    def _report(self) -> None:
        if self.refused:
            top = ", ".join(f"{k} ×{n}" for k, n in self.refused.most_common(3))
            log.warning(
                "refused %d connections over CONNECTIONS_PER_ADDRESS=%s (%s)",
                sum(self.refused.values()),
                self.limits.get("CONNECTIONS_PER_ADDRESS"),
                top,
            )
            self.refused.clear()
        if self.timed_out:
            log.warning(
                "closed %d late requests (HEADER_TIMEOUT=%g s, BODY_TIMEOUT=%g s): %s",
                sum(self.timed_out.values()),
                self.limits["HEADER_TIMEOUT"],
                self.limits["BODY_TIMEOUT"],
                dict(self.timed_out),
            )
            self.timed_out.clear()


def raise_open_file_limit(wanted: int) -> int:
    """Raise the soft limit of open files to ``wanted`` (within the hard limit); return the limit now."""
    try:
        import resource
    except ImportError:  # not on Unix
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def make_server(app, *, host: str, port: int, threads: int, config: dict[str, Any], ident: str = "dsr-kg"):
    """Create the guarded waitress server for ``app`` on ``host:port`` (not yet running).

    ``config`` supplies ``CONNECTION_LIMIT``, ``CONNECTIONS_PER_ADDRESS``, ``HEADER_TIMEOUT``,
    ``BODY_TIMEOUT``, ``IDLE_TIMEOUT`` and ``MAX_CONTENT_LENGTH``. Returns an object with
    ``run()`` and ``close()``.

    Raises:
        OSError: the address cannot be bound.
    """
    limit = int(config.get("CONNECTION_LIMIT") or 1000)
    # Sockets, the trigger pipe, query-worker pipes, spooled buffers: leave room beyond the connections.
    files = raise_open_file_limit(limit + 256)
    if files < limit + 64:
        log.warning(
            "the open-file limit (%d) is below CONNECTION_LIMIT=%d; serving at most %d", files, limit, files - 64
        )
        limit = max(16, files - 64)
    limits = {
        "CONNECTIONS_PER_ADDRESS": int(config.get("CONNECTIONS_PER_ADDRESS") or 0),
        "HEADER_TIMEOUT": float(config.get("HEADER_TIMEOUT") or 5.0),
        "BODY_TIMEOUT": float(config.get("BODY_TIMEOUT") or 10.0),
        "IDLE_TIMEOUT": float(config.get("IDLE_TIMEOUT") or 15.0),
    }
    adj = Adjustments(
        host=host,
        port=port,
        threads=threads,
        ident=ident,
        clear_untrusted_proxy_headers=True,
        # Let waitress refuse oversized bodies itself instead of buffering them for Flask.
        max_request_body_size=int(config.get("MAX_CONTENT_LENGTH") or 1 << 30),
        connection_limit=limit,
        channel_timeout=int(max(1, limits["IDLE_TIMEOUT"])),
        cleanup_interval=1,
        asyncore_use_poll=True,
        backlog=max(1024, limit),
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    socket_map: dict[int, Any] = {}
    servers = [
        GuardedServer(app, socket_map, dispatcher=dispatcher, adj=adj, sockinfo=info, limits=limits)
        for info in adj.listen
    ]
    if len(servers) == 1:
        return servers[0]
    listen = [(s.effective_host, s.effective_port) for s in servers]
    return MultiSocketServer(socket_map, adj, listen, dispatcher, servers[-1].log_info)


__all__ = ["GuardedChannel", "GuardedServer", "address_key", "make_server", "raise_open_file_limit"]
