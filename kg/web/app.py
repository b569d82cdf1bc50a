"""The app factory (Flask tutorial style) and the request hooks (timing, CORS, security headers, access log)."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask, Response

access_log = logging.getLogger("kg.access")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app.

    Config: the defaults of :data:`kg.core.settings.SETTINGS`, then ``KG_*`` environment
    variables, then ``test_config``. A missing store does not stop the app from starting:
    ``/health`` answers 503 and the engine is retried on the next request.

    Args:
        test_config: config values that win over everything else.
    """
    from flask import Flask

    from ..core.settings import coerce_all, defaults
    from . import compare, dumps, headers, limits, linked_data, links, metadata, query_page, rdf_page, sparql, views
    from .context import init_engine
    from .errors import register_error_handlers

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

    limits.init_app(app)  # body-size and rate limits
    links.init_app(app)  # iri_link(), href(), script_json() in every template
    headers.init_app(app)  # Content-Security-Policy, nosniff, Referrer-Policy on every response
    init_engine(app)
    blueprints = (sparql, query_page, linked_data, metadata, rdf_page, views, compare, dumps)
    for blueprint in (module.bp for module in blueprints):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    app.before_request(_start_timer)
    app.after_request(_cors)
    app.after_request(_log_request)
    return app


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
    response.headers["Access-Control-Expose-Headers"] = (
        "Content-Disposition, ETag, Last-Modified, X-SPARQL-MaxRows, X-KG-Truncated"
    )
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
            '%s "%s %s" %s %sms %s',
            record["remote"],
            record["method"],
            record["path"],
            record["status"],
            record["duration_ms"],
            extra,
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
