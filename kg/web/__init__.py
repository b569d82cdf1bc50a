"""The Flask app: the SPARQL endpoint, linked-data pages, the query page and metadata.

``create_app`` is the factory (Flask tutorial style); only modules under ``kg/web`` and
``server.py`` import Flask. The app reaches the graph only through the engine that
:func:`get_engine` returns (see :mod:`kg.web.engine_factory`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from ..errors import KGError, StoreError

if TYPE_CHECKING:
    from flask import Flask, Response

    from ..engine import QueryEngine

access_log = logging.getLogger("kg.access")
log = logging.getLogger("kg.web")

ENGINE_KEY = "kg_engine"
_engine_lock = threading.Lock()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app.

    Config: the defaults of :data:`kg.web.settings.SETTINGS`, then ``KG_*`` environment
    variables, then ``test_config``. A missing store does not stop the app from starting:
    ``/health`` answers 503 and the engine is retried on the next request.

    Args:
        test_config: config values that win over everything else.
    """
    from flask import Flask

    from .settings import coerce_all, defaults

    app = Flask(__name__)
    app.config.update(defaults())
    app.config.from_prefixed_env("KG")
    if test_config:
        app.config.update(test_config)
    coerce_all(app.config)
    app.config.setdefault("STARTED_AT", time.time())
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    app.extensions["kg_cache"] = {}
    try:
        app.extensions[ENGINE_KEY] = _make(app.config)
    except StoreError as exc:
        log.error("%s (the app starts anyway; /health reports 503 until the store exists)", exc)
        app.extensions[ENGINE_KEY] = None

    from . import compare, pages, sparql, views

    for blueprint in (sparql.bp, pages.bp, views.bp, compare.bp):
        app.register_blueprint(blueprint)

    from .errors import register_error_handlers

    register_error_handlers(app)
    app.before_request(_start_timer)
    app.after_request(_cors)
    app.after_request(_log_request)
    return app


def _make(config) -> QueryEngine:
    from .engine_factory import make_engine

    return make_engine(config)


def get_engine() -> QueryEngine:
    """Return the app's engine, creating it if the store has appeared since start-up.

    Raises:
        StoreError: the store is still unavailable (rendered as 503).
    """
    from flask import current_app

    engine = current_app.extensions.get(ENGINE_KEY)
    if engine is not None:
        return engine
    with _engine_lock:
        engine = current_app.extensions.get(ENGINE_KEY)
        if engine is None:
            engine = _make(current_app.config)
            current_app.extensions[ENGINE_KEY] = engine
            current_app.extensions["kg_cache"].clear()
    return engine


def cached(name: str, compute):
    """Return ``compute()`` computed once per app start (cleared after an update)."""
    from flask import current_app

    cache = current_app.extensions["kg_cache"]
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def clear_cache() -> None:
    """Forget cached statistics (after an update changed the graph)."""
    from flask import current_app

    current_app.extensions["kg_cache"].clear()


# ---------------------------------------------------------------- IRIs ↔ local paths


def base_iri() -> str:
    """The configured base of instance IRIs."""
    from flask import current_app

    return current_app.config["BASE_IRI"]


def local_path(iri: str) -> str | None:
    """Return the /id/ path that dereferences ``iri``, or None when it is not under the base."""
    from flask import url_for

    base = base_iri()
    if iri.startswith(base) and len(iri) > len(base):
        return url_for("pages.resource", rest=iri[len(base):])
    return None


def body_etag(body: bytes) -> str:
    """Return a strong ETag value (without quotes) for a response body."""
    return hashlib.sha256(body).hexdigest()[:32]


# ---------------------------------------------------------------- request hooks


def _start_timer() -> None:
    from flask import g

    g.kg_started = time.perf_counter()


def _cors(response: Response) -> Response:
    from flask import current_app, request

    origins = current_app.config.get("CORS_ORIGINS") or []
    if not origins:
        return response
    origin = request.headers.get("Origin")
    if "*" in origins:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin and origin in origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
    else:
        return response
    response.headers["Access-Control-Expose-Headers"] = "Content-Disposition, ETag, Last-Modified"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, Authorization"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _log_request(response: Response) -> Response:
    from flask import current_app, g, request

    started = getattr(g, "kg_started", None)
    record: dict[str, Any] = {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
        "remote": request.remote_addr,
        "bytes": response.content_length,
    }
    for key in ("query_form", "query_hash", "rows", "error"):
        value = getattr(g, "kg_" + key, None)
        if value is not None:
            record[key] = value
    if current_app.config.get("LOG_FORMAT") == "text":
        extra = " ".join(f"{k}={record[k]}" for k in ("query_form", "query_hash", "rows") if k in record)
        access_log.info(
            '%s "%s %s" %s %sms %s', record["remote"], record["method"], record["path"], record["status"], record["duration_ms"], extra
        )
    else:
        access_log.info(json.dumps(record, ensure_ascii=False))
    return response


def configure_logging(log_format: str = "json") -> None:
    """Send ``kg.access`` and ``kg.web`` records to standard error (used by ``kg serve``)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s" if log_format == "json" else "%(asctime)s %(message)s"))
    for name in ("kg.access", "kg.web"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


__all__ = ["create_app", "get_engine", "configure_logging", "KGError"]
