"""Gunicorn settings from the same settings table as ``kg serve``: ``gunicorn -c python:kg.web.gunicorn_conf``.

The production recipe (docs/serving.md)::

    KG_STORE=/srv/kg/store gunicorn -c python:kg.web.gunicorn_conf -w 4 -b 127.0.0.1:5000 'server:create_app()'

What maps onto gunicorn's own settings does: ``IDLE_TIMEOUT`` is its ``keepalive``,
``CONNECTION_LIMIT`` its ``worker_connections``, and its worker ``timeout`` (which kills a
worker that stays silent that long) is ``QUERY_TIME_LIMIT`` + 30 s, so that a query
stopped at its limit gets its 503 instead of a killed worker. What gunicorn cannot do
is the rest of the slow-client protection of ``kg serve`` (kg/web/httpserver.py): it
has no deadline for a request to arrive and no per-address connection cap, so 600 slow
connections stop it answering (measured, benchmarks/RESULTS.md "Safety: slow
clients", with sync and gthread workers alike). Run gunicorn only behind a reverse
proxy that buffers whole requests (nginx's default; docs/safety.md has the settings):
when it is bound to anything but a loopback address or a Unix socket it says so at start.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ..core.settings import from_environment

_settings = from_environment()

keepalive = max(1, int(_settings["IDLE_TIMEOUT"]))
worker_connections = int(_settings["CONNECTION_LIMIT"])
timeout = int(float(_settings["QUERY_TIME_LIMIT"]) + 30)
backlog = max(1024, worker_connections)


def _exposed(bind: str) -> bool:
    """True when a gunicorn bind address is reachable from other machines."""
    if bind.startswith(("unix:", "fd://")):
        return False
    host = bind.rsplit(":", 1)[0].strip("[]") if ":" in bind else bind
    if host in ("", "localhost"):
        return host == ""
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a host name: assume it is public


def when_ready(server: Any) -> None:
    """Warn when gunicorn listens where clients reach it directly (it needs a buffering proxy in front)."""
    exposed = [b for b in server.cfg.bind if _exposed(b)]
    if exposed:
        server.log.warning(
            "gunicorn listens on %s: it has no request deadline and no per-address connection cap, so slow "
            "clients can stop it answering; put nginx in front (docs/safety.md) or serve with `kg serve`",
            ", ".join(exposed),
        )
