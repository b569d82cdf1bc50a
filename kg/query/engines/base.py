"""The interface of every query engine: the one door through which the web app, the views
and the pages reach the graph.

Every consumer (the ``/sparql`` route, the linked-data pages, the NetworkX views, the
query page's statistics) talks to a :class:`QueryEngine`, never to pyoxigraph directly,
so the same app serves the local store in this process (:class:`~.local.LocalEngine`),
through killable worker processes (:class:`~.pool.PoolEngine`) or from a remote SPARQL
endpoint (:class:`~.remote.RemoteEngine`). The engines implement the same methods with
the same signatures (rdflib's ``Store`` and its implementations); mypy keeps them honest.
Implementations must be safe to call from several threads.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...core.errors import UpdateForbidden

if TYPE_CHECKING:
    import pyoxigraph as ox

    from ..sparql import QueryResult

Row = dict[str, Any]  #: variable name → pyoxigraph term or None

#: Seconds the list of named graphs is kept before it is read again.
GRAPH_NAMES_TTL = 30.0


class QueryEngine:
    """Interface of every engine."""

    #: where the data comes from, for /health and logs
    description: str = ""
    #: a client result over the engine's ``max_rows``: False refuses it (ResultTooLarge),
    #: True sends the first ``max_rows`` marked as truncated (setting TRUNCATE_RESULTS)
    truncate: bool = False

    def run(
        self,
        query: str,
        *,
        accept: str | None = None,
        media_type: str | None = None,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a client's query under the engine's limits and return the serialised result.

        ``base_iri`` resolves relative IRIs in a query without BASE (the protocol uses the
        request URL).
        """
        raise NotImplementedError

    def select(self, query: str) -> list[Row]:
        """Run an internal SELECT (common prefixes predeclared, union default graph)."""
        raise NotImplementedError

    def construct(self, query: str) -> list[ox.Triple]:
        """Run an internal CONSTRUCT/DESCRIBE and return its triples."""
        raise NotImplementedError

    def update(self, update: str) -> None:
        """Apply a SPARQL update (the caller has checked authorisation)."""
        raise UpdateForbidden("this endpoint is read-only")

    def triple_count(self) -> int:
        """Return the number of quads in the dataset."""
        raise NotImplementedError

    def close(self) -> None:
        """Release resources (worker processes, store handles)."""

    def serving(self) -> str:
        """Where queries are answered from now: ``memory`` (a memory copy), ``disk`` or ``remote``."""
        return "disk"

    # -- named graphs (FROM / default-graph-uri may name only these)

    _graph_cache: tuple[float, frozenset[str]] | None = None

    def graph_names(self, *, refresh: bool = False) -> frozenset[str]:
        """Return the named graphs of the dataset (cached for :data:`GRAPH_NAMES_TTL` seconds)."""
        cached = self._graph_cache
        if not refresh and cached is not None and time.monotonic() - cached[0] < GRAPH_NAMES_TTL:
            return cached[1]
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        names = frozenset(r["g"].value for r in rows if r.get("g") is not None)
        self._graph_cache = (time.monotonic(), names)
        return names

    def forget_graph_names(self) -> None:
        """Drop the cached list of named graphs (after an update)."""
        self._graph_cache = None


class GraphNames:
    """The named graphs of an engine as the guard wants them: a callable with ``refresh``.

    The guard calls it on every FROM / ``default-graph-uri`` it checks, and calls
    ``refresh`` once when it meets a graph the cached list does not know (a graph an
    update added since).
    """

    def __init__(self, engine: QueryEngine) -> None:
        self.engine = engine

    def __call__(self) -> frozenset[str]:
        return self.engine.graph_names()

    def refresh(self) -> frozenset[str]:
        return self.engine.graph_names(refresh=True)
