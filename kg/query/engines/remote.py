"""A query engine over a remote SPARQL 1.1 endpoint (Oxigraph server, Fuseki, GraphDB, Virtuoso …).

``kg serve --sparql-endpoint URL`` serves the same pages, views and exports from a triple
store the organisation already runs: every consumer goes through :class:`RemoteEngine`
instead of :class:`kg.engine.LocalEngine`.

The local endpoint's default graph is the union of all named graphs. Remote stores differ
(GraphDB and Virtuoso already answer over all graphs, Fuseki only with
``unionDefaultGraph``, Oxigraph server with its ``union-default-graph`` parameter), so the
engine finds out once, with an ``ASK`` for a document, which of these works:

``native``  the remote's default graph already contains the documents;
``param``   the Oxigraph-style ``union-default-graph`` request parameter;
``graphs``  the standard protocol: every named graph listed as a ``default-graph-uri``
            (discovered once and cached; sent by POST so the list can be long).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ...core.errors import KGError, QueryError, QueryTimeout, ResultTooLarge, StoreError, UpdateForbidden
from ...core.media import GRAPH_OFFER, SELECT_OFFER
from ...core.vocab import DSR, sparql_prefixes
from ..guard import declares_dataset
from ..guard import query_form as lexed_form
from ..sparql import (
    QueryResult,
    choose_media_type,
    row_limit_message,
    serialize_bindings,
    serialize_boolean,
    serialize_triples,
)
from .base import QueryEngine, Row

if TYPE_CHECKING:
    import pyoxigraph as ox
    import requests

#: Graphs a store keeps for itself, left out of the triple count: Virtuoso's RDF views
#: schema (~2,500 triples), its LDP and URIQA graphs — in its union default graph too.
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
_HAS_BASE = re.compile(r"(?i)(?<![\w:?$])BASE\s*<")
_JSON = "application/sparql-results+json"
_NT = "application/n-triples"
UNION_MODES = ("auto", "native", "param", "graphs")


def query_form(query: str) -> str:
    """Return SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE for a query text (the guard's lexer).

    Raises:
        QueryError: no query form keyword found.
    """
    form = lexed_form(query)
    if not form:
        raise QueryError("SPARQL syntax error: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form


class RemoteEngine(QueryEngine):
    """Run every query on a remote SPARQL endpoint over HTTP.

    Args:
        endpoint: the query URL (e.g. ``http://localhost:7878/query``,
            ``http://fuseki:3030/ds/sparql``, ``http://graphdb:7200/repositories/dsr``).
        max_rows: refuse client results with more rows or triples than this.
        timeout: seconds for connecting and for each read.
        update_endpoint: where updates go (``/update``); None refuses updates.
        auth: ``(user, password)`` for HTTP basic authentication.
        token: bearer token (instead of ``auth``).
        union: how to make the default graph the union of all graphs (see module doc).
        session: a ``requests.Session`` to use (default: a new one).
        guard: called with each client query before it is forwarded; raises to refuse it
            (the public endpoint's :class:`kg.guard.Guard`: no SERVICE or LOAD reaches
            the remote store through us).
    """

    def __init__(
        self,
        endpoint: str,
        *,
        max_rows: int | None = 10_000,
        timeout: float = 30.0,
        update_endpoint: str | None = None,
        auth: tuple[str, str] | None = None,
        token: str | None = None,
        union: str = "auto",
        session: requests.Session | None = None,
        guard: Callable[[str], None] | None = None,
    ) -> None:

        if union not in UNION_MODES:
            raise KGError(f"unknown union mode {union!r}; use one of {', '.join(UNION_MODES)}")
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint
        self.max_rows = max_rows
        self.timeout = timeout
        self._auth = auth
        self._token = token
        self._given_session = session
        self._local = threading.local()  # one requests.Session per thread (waitress serves from several)
        self._sessions: list[requests.Session] = []
        self._union = union
        self.guard = guard
        self._graphs: list[str] | None = None
        self._lock = threading.Lock()  # guards the union-mode probe
        self._sessions_lock = threading.Lock()
        self.description = f"remote SPARQL endpoint {endpoint}"

    # ------------------------------------------------------------------ HTTP

    @property
    def session(self) -> requests.Session:
        """This thread's HTTP session (connection pool), created on first use."""
        import requests

        if self._given_session is not None:
            return self._given_session
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            if self._auth:
                session.auth = self._auth
            if self._token:
                session.headers["Authorization"] = f"Bearer {self._token}"
            session.headers["User-Agent"] = "dsr-kg"
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _post(
        self,
        data: dict[str, Any] | list[tuple[str, str]],
        accept: str,
        url: str | None = None,
        params: dict | None = None,
    ):
        import requests

        try:
            response = self.session.post(
                url or self.endpoint, data=data, params=params, headers={"Accept": accept}, timeout=self.timeout
            )
        except requests.Timeout as exc:
            raise QueryTimeout(
                f"the remote SPARQL endpoint {self.endpoint} did not answer within {self.timeout:g} s"
            ) from exc
        except requests.RequestException as exc:
            raise StoreError(f"cannot reach the remote SPARQL endpoint {self.endpoint}: {exc}") from exc
        if response.status_code >= 500:
            raise StoreError(
                f"the remote SPARQL endpoint {self.endpoint} failed with HTTP {response.status_code}: {response.text[:300]}"
            )
        if response.status_code in (401, 403):
            raise StoreError(
                f"the remote SPARQL endpoint {self.endpoint} refused the credentials (HTTP {response.status_code}); check --auth/--token"
            )
        if response.status_code == 406:
            return response
        if response.status_code >= 400:
            raise QueryError(
                f"the remote endpoint rejected the query (HTTP {response.status_code}): {response.text[:500]}"
            )
        return response

    def _dataset(
        self, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = ()
    ) -> tuple[list[tuple[str, str]], dict]:
        """Return the protocol parameters that give the wanted default graph."""
        params: list[tuple[str, str]] = []
        if default_graphs or named_graphs:
            params += [("default-graph-uri", g) for g in default_graphs]
            params += [("named-graph-uri", g) for g in named_graphs]
            return params, {}
        mode = self.union_mode()
        if mode == "param":
            return params, {"union-default-graph": ""}
        if mode == "graphs":
            graphs = self.named_graphs()
            params += [("default-graph-uri", g) for g in graphs]
            params += [("named-graph-uri", g) for g in graphs]  # keep GRAPH ?g working
        return params, {}

    def _request(
        self,
        query: str,
        accept: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        *,
        dataset: bool = True,
    ):
        params, url_params = self._dataset(default_graphs, named_graphs) if dataset else ([], {})
        return self._post([("query", query), *params], accept, params=url_params)

    # ------------------------------------------------------------------ union default graph

    def named_graphs(self) -> list[str]:
        """Return (and cache) the named graphs of the remote dataset."""
        if self._graphs is None:
            response = self._post({"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}, _JSON)
            rows = _parse_json_rows(response.content)
            self._graphs = sorted(r["g"].value for r in rows if r.get("g") is not None)
        return self._graphs

    def union_mode(self) -> str:
        """Return how the union default graph is obtained (probing the remote once)."""
        with self._lock:
            if self._union != "auto":
                return self._union
            ask = f"ASK {{ ?d a <{DSR.Document}> }}"
            if _parse_boolean(self._post({"query": ask}, _JSON).content):
                self._union = "native"
            else:
                response = self._post({"query": ask}, _JSON, params={"union-default-graph": ""})
                if response.status_code < 400 and _parse_boolean(response.content):
                    self._union = "param"
                else:
                    self._union = "graphs"
            return self._union

    def refresh(self) -> None:
        """Forget the cached graph lists (after a push or an update changed the remote)."""
        self._graphs = None
        self.forget_graph_names()

    # ------------------------------------------------------------------ QueryEngine

    def run(
        self, query, *, accept=None, media_type=None, default_graphs=(), named_graphs=(), base_iri=None
    ) -> QueryResult:
        """Forward a client's query; pass the remote's bytes through when it speaks the negotiated type.

        ``base_iri`` (the request URL) resolves relative IRIs of a query without BASE: it
        is sent as a ``BASE`` declaration in front of the query.
        """
        if self.guard is not None:
            self.guard(query)
        form = query_form(query)
        if base_iri and not _HAS_BASE.search(query):
            query = f"BASE <{base_iri}>\n{query}"
        if form == "UPDATE":
            raise QueryError("this is a SPARQL update; send it as an update (POST update=…), not as a query")
        graph = form in ("CONSTRUCT", "DESCRIBE")
        chosen = choose_media_type(media_type, accept, GRAPH_OFFER if graph else SELECT_OFFER, form=form)
        # A query's own FROM / FROM NAMED is honoured (as on the local endpoint): no union
        # default graph is added then; a protocol dataset still overrides it.
        if not default_graphs and not named_graphs and declares_dataset(query):
            response = self._request(query, chosen, dataset=False)
            default_graphs = named_graphs = ()
            own_dataset = True
        else:
            response = self._request(query, chosen, default_graphs, named_graphs)
            own_dataset = False
        returned = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        what = "triples" if graph else "rows"
        # An ASK is always re-serialised here: Virtuoso answers it with bindings, not a boolean.
        if response.status_code < 400 and returned == chosen and form != "ASK":
            count = _count(response.content, chosen, form)
            if self.max_rows is None or count <= self.max_rows:
                kind = "graph" if graph else ("boolean" if form == "ASK" else "bindings")
                return QueryResult(response.content, chosen, kind, count)
            if not self.truncate:
                raise ResultTooLarge(row_limit_message(self.max_rows, what))
        # The remote cannot produce that format, or the result is to be cut to max_rows:
        # fetch a standard one and serialise here.
        cut = None
        if graph:
            triples = self._triples(query, default_graphs, named_graphs, dataset=not own_dataset, cut=self.truncate)
            if self.max_rows is not None and len(triples) > self.max_rows:
                triples, cut = triples[: self.max_rows], self.max_rows
            return QueryResult(serialize_triples(triples, chosen), chosen, "graph", len(triples), cut)
        response = self._request(query, _JSON, default_graphs, named_graphs, dataset=not own_dataset)
        parsed = _parse(response.content)
        if isinstance(parsed, bool):
            return QueryResult(serialize_boolean(parsed, chosen), chosen, "boolean", 1)
        variables, rows = parsed
        if self.max_rows is not None and len(rows) > self.max_rows:
            if not self.truncate:
                raise ResultTooLarge(row_limit_message(self.max_rows, "rows"))
            rows, cut = rows[: self.max_rows], self.max_rows
        body = serialize_bindings(variables, rows, chosen, truncated=cut is not None)
        return QueryResult(body, chosen, "bindings", len(rows), cut)

    def select(self, query: str) -> list[Row]:
        response = self._request(sparql_prefixes() + query, _JSON)
        parsed = _parse(response.content)
        if isinstance(parsed, bool):
            raise QueryError("select() needs a SELECT query, got ASK")
        variables, rows = parsed
        return [{v: row[v] for v in variables} for row in rows]

    def ask(self, query: str) -> bool:
        """Run an internal ASK query."""
        parsed = _parse(self._request(sparql_prefixes() + query, _JSON).content)
        if not isinstance(parsed, bool):
            raise QueryError("ask() needs an ASK query")
        return parsed

    def construct(self, query: str) -> list[ox.Triple]:
        return self._triples(sparql_prefixes() + query)

    def serving(self) -> str:
        return "remote"

    def _triples(
        self,
        query: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        *,
        dataset: bool = True,
        cut: bool = False,
    ) -> list[ox.Triple]:
        import pyoxigraph as ox

        response = self._request(query, _NT, default_graphs, named_graphs, dataset=dataset)
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        fmt = ox.RdfFormat.from_media_type(media) if media else None
        if fmt is None or response.status_code >= 400:
            fmt = ox.RdfFormat.N_TRIPLES if response.status_code < 400 else None
        if fmt is None:
            response = self._request(query, "text/turtle", default_graphs, named_graphs, dataset=dataset)
            fmt = ox.RdfFormat.TURTLE
        try:
            triples = [q.triple for q in ox.parse(response.content, format=fmt)]
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"the remote endpoint sent unreadable RDF ({media}): {exc}") from exc
        if self.max_rows is not None and len(triples) > self.max_rows and not cut:
            raise ResultTooLarge(row_limit_message(self.max_rows, "triples"))
        return triples

    def update(self, update: str) -> None:
        """Send an update to ``update_endpoint``.

        Raises:
            UpdateForbidden: no update endpoint is configured.
        """
        if not self.update_endpoint:
            raise UpdateForbidden("this server reads a remote SPARQL endpoint and has no update endpoint configured")
        self._post({"update": update}, "*/*", url=self.update_endpoint)
        self.refresh()

    def triple_count(self) -> int:
        """Return the number of quads over all graphs (``COUNT`` on the remote)."""

        def count(query: str) -> int:
            parsed = _parse(self._post({"query": query}, _JSON).content)
            if isinstance(parsed, bool) or not parsed[1] or parsed[1][0]["n"] is None:
                return 0
            return int(parsed[1][0]["n"].value)

        named = count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        default = count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        listed = ", ".join(f"<{g}>" for g in SYSTEM_GRAPHS)
        system = count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g IN ({listed})) }}")
        if self.union_mode() == "native":
            return max(named, default) - system  # the remote's default graph already is the union
        return named + default - system

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()


# ---------------------------------------------------------------------- parsing


def _parse(body: bytes) -> bool | tuple[list[str], list[Any]]:
    """Parse SPARQL JSON results into a boolean or (variables, solutions)."""
    import pyoxigraph as ox

    try:
        result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"the remote endpoint sent unreadable SPARQL JSON results: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    variables = [v.value for v in result.variables]
    rows = list(result)
    if variables == [_VIRTUOSO_ASK]:  # Virtuoso's ASK answer: a boolean
        return bool(rows) and rows[0][_VIRTUOSO_ASK] is not None and rows[0][_VIRTUOSO_ASK].value not in ("0", "false")
    return variables, rows


def _parse_json_rows(body: bytes) -> list[dict[str, Any]]:
    parsed = _parse(body)
    if isinstance(parsed, bool):
        return []
    variables, rows = parsed
    return [{v: row[v] for v in variables} for row in rows]


#: Virtuoso 7.2 answers an ASK with JSON/XML/CSV *bindings* of one variable holding 1 or 0.
_VIRTUOSO_ASK = "__ASK_RETVAL"


def _parse_boolean(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False
    if isinstance(data, dict) and "boolean" in data:
        return bool(data["boolean"])
    try:  # Virtuoso's form (see _VIRTUOSO_ASK)
        bindings = data["results"]["bindings"]
        return bool(bindings) and bindings[0][_VIRTUOSO_ASK]["value"] not in ("0", "false")
    except (KeyError, TypeError, IndexError):
        return False


def _count(body: bytes, media_type: str, form: str) -> int:
    """Count the rows or triples of a passed-through result (0 when the format is opaque)."""
    if form == "ASK":
        return 1
    if media_type == _JSON:
        try:
            return len(json.loads(body)["results"]["bindings"])
        except (ValueError, KeyError, TypeError):
            return 0
    if media_type in ("text/csv", "text/tab-separated-values"):
        return max(0, body.count(b"\n") - 1)
    if media_type in (_NT, "application/n-quads"):
        return body.count(b"\n")
    import pyoxigraph as ox

    try:
        if media_type == "application/sparql-results+xml":
            result = ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
            return sum(1 for _ in result) if isinstance(result, ox.QuerySolutions) else 1
        fmt = ox.RdfFormat.from_media_type(media_type)
        return sum(1 for _ in ox.parse(body, format=fmt)) if fmt is not None else 0
    except (SyntaxError, ValueError):
        return 0
