"""Security headers on every response: a Content-Security-Policy, ``nosniff``, a Referrer-Policy.

The pages load scripts and styles only from this site (kg/web/static): no inline
``<script>`` code, no ``style=""`` attributes, no event-handler attributes. Data a script
needs is in ``<script type="application/json">`` blocks (not executed, so not subject to
``script-src``) or ``data-`` attributes. So the policy can be strict, and one escaping slip
in a page still runs nothing:

* ``default-src 'none'``: nothing not listed below loads;
* ``script-src 'self'``, ``style-src 'self'``, ``img-src 'self'``: files of this site only;
* ``connect-src 'self'``: the query page's ``fetch`` to ``/sparql``;
* ``form-action 'self'``: the query, views and compare forms submit here only;
* ``frame-ancestors 'none'`` (and ``X-Frame-Options: DENY`` for old browsers): no page
  may be framed by another site (clickjacking);
* ``base-uri 'none'``: an injected ``<base>`` cannot redirect relative links.

Every response (HTML, JSON, RDF, CSV, SVG, static files) also gets
``X-Content-Type-Options: nosniff`` (browsers use the declared type, so a JSON or
Turtle answer that contains markup is never rendered as HTML) and
``Referrer-Policy: same-origin`` (queries in a page's URL never reach other sites by
the Referer header). The policy is sent on every response, not only on HTML: an SVG
or XML answer opened directly is a document too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def add_security_headers(response: Response) -> Response:
    """Set :data:`HEADERS` on ``response`` (an ``after_request`` hook); a route's own value wins."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Send the security headers on every response of ``app``."""
    app.after_request(add_security_headers)


__all__ = ["CONTENT_SECURITY_POLICY", "HEADERS", "add_security_headers", "init_app"]
