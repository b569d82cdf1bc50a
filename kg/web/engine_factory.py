"""Choose the query engine the web app serves from, by config keys.

Kept as one small dispatch so other parts can add their engines here:

* ``SPARQL_ENDPOINT`` set → a remote SPARQL endpoint (scale issue),
* ``QUERY_WORKERS`` > 0 → the local store through killable worker processes that enforce
  ``QUERY_TIME_LIMIT`` (safety issue),
* otherwise → :class:`kg.engine.LocalEngine` in this process.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..engine import LocalEngine, QueryEngine
from ..errors import KGError


def make_engine(config: Mapping[str, Any]) -> QueryEngine:
    """Create the engine described by the app config.

    Raises:
        StoreError: the local store is missing or cannot be opened.
        KGError: the config asks for an engine this installation does not have.
    """
    from .limits import install

    install()  # body-size and rate limits on every app (kg.web.limits, safety issue)
    from ..guard import DEFAULT_MAX_QUERY_LENGTH, Guard

    # SERVICE, LOAD, non-local FROM and parser-crashing queries are refused before they run
    # (also before they are forwarded to a remote endpoint, which would run SERVICE itself).
    guard = Guard(max_length=config.get("QUERY_MAX_LENGTH", DEFAULT_MAX_QUERY_LENGTH))
    if config.get("SPARQL_ENDPOINT"):
        try:
            from ..remote_engine import RemoteEngine  # scale issue
        except ModuleNotFoundError as exc:
            if exc.name != "kg.remote_engine":
                raise
            raise KGError("SPARQL_ENDPOINT is set but this installation has no remote engine (kg/remote_engine.py)") from None
        engine: QueryEngine = RemoteEngine(
            config["SPARQL_ENDPOINT"],
            max_rows=config.get("MAX_ROWS"),
            timeout=float(config.get("QUERY_TIME_LIMIT") or 30),
            guard=guard,
        )
    elif int(config.get("QUERY_WORKERS") or 0) > 0:
        from ..query_pool import PoolEngine

        memory = config.get("QUERY_MEMORY_LIMIT_MB")
        engine = PoolEngine(
            config["STORE"],
            workers=int(config["QUERY_WORKERS"]),
            timeout=float(config.get("QUERY_TIME_LIMIT") or 30),
            in_memory=bool(config.get("IN_MEMORY", True)),
            max_rows=config.get("MAX_ROWS"),
            max_bytes=config.get("QUERY_MAX_RESULT_BYTES"),
            memory_limit_mb=int(memory) if memory else None,
            guard=guard,
        )
    else:
        engine = LocalEngine(config["STORE"], in_memory=bool(config.get("IN_MEMORY", True)), max_rows=config.get("MAX_ROWS"), guard=guard)
    from ..query_pool import store_graph_names

    guard.local_graphs = store_graph_names(engine)  # FROM / default-graph-uri may name only these
    return engine
