"""Choose the query engine a server uses, by its settings (:mod:`kg.core.settings`):

* ``SPARQL_ENDPOINT`` set → :class:`RemoteEngine` over a remote SPARQL endpoint,
* ``QUERY_WORKERS`` > 0 → :class:`PoolEngine`, the local store through killable worker
  processes (forked from one memory copy) that enforce ``QUERY_TIME_LIMIT``,
* otherwise → :class:`LocalEngine` in this process.

Every engine gets the public endpoint's :class:`~kg.query.guard.Guard`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..guard import DEFAULT_MAX_QUERY_LENGTH, Guard
from .base import GraphNames, QueryEngine
from .local import LocalEngine
from .pool import PoolEngine
from .remote import RemoteEngine


def make_engine(config: Mapping[str, Any]) -> QueryEngine:
    """Create the engine described by the app config.

    Raises:
        StoreError: the local store is missing or cannot be opened.
    """
    # SERVICE, LOAD, non-local FROM and parser-crashing queries are refused before they run
    # (also before they are forwarded to a remote endpoint, which would run SERVICE itself).
    guard = Guard(max_length=config.get("QUERY_MAX_LENGTH", DEFAULT_MAX_QUERY_LENGTH))
    if config.get("SPARQL_ENDPOINT"):
        engine: QueryEngine = RemoteEngine(
            config["SPARQL_ENDPOINT"],
            max_rows=config.get("MAX_ROWS"),
            timeout=float(config.get("QUERY_TIME_LIMIT") or 30),
            guard=guard,
        )
    elif int(config.get("QUERY_WORKERS") or 0) > 0:
        memory = config.get("QUERY_MEMORY_LIMIT_MB")
        engine = PoolEngine(
            config["STORE"],
            workers=int(config["QUERY_WORKERS"]),
            processes=int(config.get("QUERY_PROCESSES") or 1),
            recycle_share=float(config.get("QUERY_RECYCLE_SHARE") or 0),
            reload_check=float(config.get("STORE_RELOAD_CHECK") or 0),
            timeout=float(config.get("QUERY_TIME_LIMIT") or 30),
            in_memory=bool(config.get("IN_MEMORY", True)),
            max_rows=config.get("MAX_ROWS"),
            max_bytes=config.get("QUERY_MAX_RESULT_BYTES"),
            memory_limit_mb=int(memory) if memory else None,
            guard=guard,
        )
    else:
        engine = LocalEngine(
            config["STORE"], in_memory=bool(config.get("IN_MEMORY", True)), max_rows=config.get("MAX_ROWS"), guard=guard
        )
    engine.truncate = bool(config.get("TRUNCATE_RESULTS", True))
    guard.local_graphs = GraphNames(engine)  # FROM / default-graph-uri may name only these
    return engine
