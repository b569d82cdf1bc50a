"""One error handler: KGError by its ``.status``, HTTP errors by their code, the rest → 500.

The representation follows the request: SPARQL protocol routes answer ``text/plain``
with the message (the parser's message for a syntax error), as SPARQL clients print
it; other routes answer HTML to browsers, JSON to clients that ask for it, text
otherwise.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..core.errors import InternalError, KGError

if TYPE_CHECKING:
    from flask import Flask, Response

log = logging.getLogger("kg.web")

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Payload too large",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on ``app``."""
    from werkzeug.exceptions import HTTPException

    app.register_error_handler(KGError, _kg_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def error_response(status: int, message: str, code: str = "", headers: dict[str, str] | None = None) -> Response:
    """Render an error in the representation the request asks for."""
    from flask import g, make_response, render_template, request

    from ..core.negotiation import prefers_html

    g.kg_error = code or str(status)
    title = _TITLES.get(status, "Error")
    text = f"{message}\n" if message else f"{title}\n"
    protocol_route = request.path.rstrip("/") == "/sparql"
    accept = request.headers.get("Accept") or ""
    if protocol_route or not accept:
        kind = "text/plain"
    elif "text/html" in accept and prefers_html(accept):
        kind = "text/html"
    elif "json" in accept:
        kind = "application/json"
    else:
        kind = "text/plain"
    if kind == "text/html":
        body = render_template("error.html", status=status, title=title, message=message, code=code)
    elif kind == "application/json":
        from flask import json

        body = json.dumps({"status": status, "error": title, "code": code or None, "message": message})
    else:
        body = text
    response = make_response(body, status)
    response.mimetype = kind
    response.headers["Content-Type"] = f"{kind}; charset=utf-8"
    response.vary.add("Accept")
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def _kg_error(exc: KGError) -> Response:
    if exc.status >= 500:
        log.warning("%s", exc)
    return error_response(exc.status, str(exc), exc.code, exc.headers)


def _http_error(exc) -> Response:
    headers = {}
    if exc.code == 405:
        allow = exc.get_headers()
        headers = {k: v for k, v in allow if k.lower() == "allow"}
    message = exc.description or ""
    if exc.code == 405:
        from flask import request

        message = f"the method {request.method} is not allowed here; use {headers.get('Allow', 'GET, POST')}"
    return error_response(exc.code or 500, message, headers=headers)


def _unexpected(exc: Exception) -> Response:
    from werkzeug.exceptions import HTTPException

    if isinstance(exc, HTTPException):
        return _http_error(exc)
    log.exception("unexpected error")
    error = InternalError("internal error; the server log has the details")
    return error_response(error.status, str(error), error.code)
