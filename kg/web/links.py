"""Links in pages: the one gate every IRI from the data passes before it becomes an ``href``.

Anyone who can get a document built or an RDF file loaded chooses IRIs (``rdfs:seeAlso
<javascript:…>``, a ``data:`` subject, a class named ``vbscript:…``). Every page — entity,
clause, document, sentence, compare, views, VoID, service description, and the query
page's result table (kg/web/static/query.js applies the same rule) — makes its links with
:func:`href` and :func:`link`:

* an IRI under ``BASE_IRI`` links to its local ``/id/…`` page;
* an ``http``, ``https`` or ``mailto`` IRI (:func:`kg.core.iris.is_link_iri`) links to itself;
* anything else is shown as text, never as a link.

Values are escaped for their attribute (markupsafe), so no IRI can leave its quotes.
:func:`script_json` writes data for ``<script type="application/json">`` blocks with
``<``, ``>`` and ``&`` as ``\\u`` escapes, so no label can end the block or open a comment.
The templates get :func:`link` as ``iri_link``, :func:`href` and :func:`script_json` as globals (``init_app``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from ..core.iris import is_link_iri, is_link_target
from .context import local_path

if TYPE_CHECKING:
    from flask import Flask


def href(iri: str | None) -> str | None:
    """Return where a link to ``iri`` points: its local /id/ path, the IRI itself (http, https,
    mailto), or None when it must be shown as text."""
    if not iri:
        return None
    local = local_path(iri)
    if local is not None:
        return local
    return iri if is_link_iri(iri) else None


def safe_target(target: str | None) -> bool:
    """True when ``target`` may be written into ``href``: a site path, a fragment, or a link IRI."""
    return bool(target) and is_link_target(str(target))


def link(target: str | None, text: Any, **attrs: Any) -> Markup:
    """Return ``<a href=target>text</a>``, or ``<span class="iri-text">text</span>`` when the target
    may not be a link. ``attrs`` become attributes (``class_`` for class, ``data_x`` for
    ``data-x``; ``rel`` only on links); all values are escaped."""
    names = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
    is_link = safe_target(target)
    if not is_link:
        names.pop("rel", None)
        names["class"] = " ".join(c for c in ("iri-text", names.get("class")) if c)
    rendered = "".join(f' {escape(n)}="{escape(v)}"' for n, v in names.items() if v not in (None, False, ""))
    if is_link:
        return Markup(f'<a href="{escape(target)}"{rendered}>{escape(text)}</a>')
    return Markup(f"<span{rendered}>{escape(text)}</span>")


def script_json(value: Any, **dumps: Any) -> Markup:
    """Return ``value`` as JSON that is safe inside ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False, **dumps)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return Markup(text)


def init_app(app: Flask) -> None:
    """Make :func:`link` (as ``iri_link``), :func:`href` and :func:`script_json` available in every template."""
    app.jinja_env.globals.update(iri_link=link, href=href, script_json=script_json)


__all__ = ["href", "init_app", "link", "safe_target", "script_json"]
