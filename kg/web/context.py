"""Per-app state the routes share: the query engine, a cache of dataset facts, and the
mapping between instance IRIs and local ``/id/`` paths.

The app reaches the graph only through the engine :func:`get_engine` returns (chosen by
:func:`kg.query.engines.make_engine` from the settings).
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING

from ..core.errors import StoreError
from ..query.engines import make_engine

if TYPE_CHECKING:
    from ..query.engines import QueryEngine

ENGINE_KEY = "kg_engine"
CACHE_KEY = "kg_cache"
_engine_lock = threading.Lock()


def init_engine(app) -> None:
    """Create the app's engine; a missing store leaves it unset (retried on the next request)."""
    import logging

    app.extensions[CACHE_KEY] = {}
    try:
        app.extensions[ENGINE_KEY] = make_engine(app.config)
    except StoreError as exc:
        logging.getLogger("kg.web").error("%s (the app starts anyway; /health reports 503 until the store exists)", exc)
        app.extensions[ENGINE_KEY] = None


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
            engine = make_engine(current_app.config)
            current_app.extensions[ENGINE_KEY] = engine
            current_app.extensions[CACHE_KEY].clear()
    return engine


def cached(name: str, compute):
    """Return ``compute()`` computed once per app start (cleared after an update)."""
    from flask import current_app

    cache = current_app.extensions[CACHE_KEY]
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def clear_cache() -> None:
    """Forget cached statistics (after an update changed the graph)."""
    from flask import current_app

    current_app.extensions[CACHE_KEY].clear()


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
        return url_for("linked_data.resource", rest=iri[len(base) :])
    return None


def body_etag(body: bytes) -> str:
    """Return a strong ETag value (without quotes) for a response body."""
    return hashlib.sha256(body).hexdigest()[:32]
