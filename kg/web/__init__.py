"""The Flask app: the SPARQL endpoint, linked-data pages, the query page, views and metadata.

Only modules under ``kg/web`` (and ``server.py``) import Flask. One module per concern:
:mod:`.app` (the factory and request hooks), :mod:`.context` (engine, cache, IRIs ↔ paths),
:mod:`.sparql` (the protocol), :mod:`.query_page`, :mod:`.linked_data`, :mod:`.metadata`,
:mod:`.views`, :mod:`.compare`, :mod:`.errors`, :mod:`.limits`.
"""

from __future__ import annotations

from .app import configure_logging, create_app
from .context import ENGINE_KEY, get_engine

__all__ = ["ENGINE_KEY", "configure_logging", "create_app", "get_engine"]
