"""Request limits of the web app: body size and per-client rate.

* **Body size**: ``MAX_CONTENT_LENGTH`` (Flask's own key, so werkzeug also stops chunked
  bodies at the cap) — a request that declares a larger body is refused with 413 and a
  message naming the limit before any of it is read.
* **Rate**: a token bucket per client address, in memory, per process: ``RATE_LIMIT``
  requests per second sustained, bursts of ``RATE_LIMIT_BURST``; over it → 429 with
  ``Retry-After`` (whole seconds until the next request is allowed). Loopback clients
  (127.0.0.0/8, ::1) are exempt unless ``RATE_LIMIT_LOOPBACK`` is true. ``/health`` and
  static files are never limited. With several server processes (gunicorn ``-w N``)
  each process keeps its own buckets, so a client may send up to N times the rate;
  behind a reverse proxy, configure the proxy to pass the client address (waitress
  ``trusted_proxy``, or werkzeug ``ProxyFix``), or every client shares the proxy's bucket.

Query-level limits (length, time, rows, bytes, SERVICE/LOAD/FROM) live in
:mod:`kg.query.guard` and :mod:`kg.query.engines.pool`; updates are authorised in :mod:`kg.web.sparql`.

The checks run on Flask's ``request_started`` signal, which fires before any
``before_request`` function, so even the cheapest route is limited; a refusal raised
there goes through the app's error handlers like any :class:`~kg.errors.KGError`.
:func:`init_app` installs them on an app (idempotent); :func:`install` connects the
signal once per process (``create_app`` calls :func:`init_app`, so every app gets the limits).
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from ..core.errors import PayloadTooLarge, RateLimited

if TYPE_CHECKING:
    from flask import Flask

EXTENSION_KEY = "kg_limits"
#: Defaults (the settings table in kg/web/settings.py documents them).
DEFAULT_MAX_CONTENT_LENGTH = 1024 * 1024
DEFAULT_RATE_LIMIT = 10.0
DEFAULT_RATE_LIMIT_BURST = 60
_MAX_CLIENTS = 100_000  #: buckets kept; the least recently seen are dropped beyond this
_EXEMPT_PREFIXES = ("/health", "/static/", "/favicon.ico")

_installed = False
_install_lock = threading.Lock()


class TokenBucket:
    """Per-key token buckets: ``rate`` tokens per second, at most ``burst`` saved.

    Thread-safe; memory is bounded by ``max_keys`` (least recently used keys go first,
    and a dropped key simply starts again with a full bucket).
    """

    def __init__(self, rate: float, burst: int, *, max_keys: int = _MAX_CLIENTS, clock=time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = float(rate)
        self.burst = max(1, int(burst))
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one token for ``key``; return 0 if allowed, else seconds until one is available."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                wait = 0.0
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait


def init_app(app: Flask) -> None:
    """Install the body-size and rate limits on ``app`` (safe to call more than once)."""
    app.config.setdefault("MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH)
    app.config.setdefault("RATE_LIMIT", DEFAULT_RATE_LIMIT)
    app.config.setdefault("RATE_LIMIT_BURST", DEFAULT_RATE_LIMIT_BURST)
    app.config.setdefault("RATE_LIMIT_LOOPBACK", False)
    app.extensions.setdefault(EXTENSION_KEY, {})
    install()


def install() -> None:
    """Connect the limit checks to Flask's ``request_started`` signal (once per process)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        from flask import request_started

        request_started.connect(_on_request_started, weak=False)
        _installed = True


def _on_request_started(sender: Flask, **_: Any) -> None:
    check_request(sender)


def check_request(app: Flask) -> None:
    """Refuse the current request if it is over a limit.

    Raises:
        PayloadTooLarge: the declared body is larger than ``MAX_CONTENT_LENGTH`` (413).
        RateLimited: the client address has used up its bucket (429, with Retry-After).
    """
    from flask import request

    config = app.config
    limit = config.get("MAX_CONTENT_LENGTH")
    length = request.content_length
    if limit and length is not None and length > limit:
        raise PayloadTooLarge(
            f"the request body is {length:,} bytes; this endpoint accepts at most {int(limit):,} "
            "(setting MAX_CONTENT_LENGTH); send a shorter query, or load large data with `kg load`"
        )
    rate = config.get("RATE_LIMIT")
    if not rate or request.path.startswith(_EXEMPT_PREFIXES) or request.method == "OPTIONS":
        return
    address = request.remote_addr or ""
    if not config.get("RATE_LIMIT_LOOPBACK") and _is_loopback(address):
        return
    bucket = _bucket(app, float(rate), int(config.get("RATE_LIMIT_BURST") or DEFAULT_RATE_LIMIT_BURST))
    wait = bucket.take(address)
    if wait > 0:
        retry = max(1, math.ceil(wait))
        raise RateLimited(
            f"too many requests from {address}: this endpoint allows {float(rate):g} per second "
            f"(bursts of {bucket.burst}; settings RATE_LIMIT, RATE_LIMIT_BURST); retry after {retry} s",
            headers={"Retry-After": str(retry)},
        )


def _bucket(app: Flask, rate: float, burst: int) -> TokenBucket:
    state = app.extensions.setdefault(EXTENSION_KEY, {})
    bucket = state.get("bucket")
    if bucket is None or bucket.rate != rate or bucket.burst != max(1, burst):
        with _install_lock:
            bucket = state.get("bucket")
            if bucket is None or bucket.rate != rate or bucket.burst != max(1, burst):
                bucket = state["bucket"] = TokenBucket(rate, burst)
    return bucket


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False
