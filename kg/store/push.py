"""Send the store's named graphs to a triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

Each document's graph (and the ontology graph) is sent to ``URL?graph=<IRI>`` (indirect
graph identification): ``PUT`` replaces the remote graph (the default), ``POST`` adds to it
(``--append``). Graphs larger than ``--batch-size`` triples go in several requests: the
first ``PUT``, the rest ``POST`` — the remote graph is then incomplete until the last batch
has arrived (not atomic). ``--update-endpoint`` makes a batched replace atomic: the batches
go into a staging graph, and one SPARQL Update ``MOVE`` swaps it in. Requests that fail
with a 5xx status, 429 or a connection error are retried with exponential back-off.

Graphs with blank nodes are always sent in one request: a blank node split over two
requests would become two different nodes on the remote side.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from ..core.errors import KGError, PushError, StoreError
from ..core.iris import ONTOLOGY_GRAPH
from ..core.vocab import PREFIXES
from .oxigraph import document_graphs, open_store, select, serialize

if TYPE_CHECKING:
    import pyoxigraph as ox
    import requests

FORMATS = {"ntriples": "application/n-triples", "turtle": "text/turtle"}
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
STAGING_SUFFIX = "#kg-push-staging"


@dataclass
class GraphReport:
    """What was sent for one graph."""

    graph: str
    triples: int = 0
    bytes: int = 0
    requests: int = 0  #: HTTP requests sent: every attempt, failed ones and retries included
    retries: int = 0  #: how many of those repeated an earlier attempt
    seconds: float = 0.0
    error: str | None = None


@dataclass
class PushReport:
    """What a push sent, graph by graph."""

    url: str
    method: str
    graphs: list[GraphReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every graph arrived."""
        return all(g.error is None for g in self.graphs)

    @property
    def failures(self) -> list[GraphReport]:
        """The graphs that did not arrive."""
        return [g for g in self.graphs if g.error is not None]

    def summary(self) -> str:
        """Return a one-line summary."""
        sent = [g for g in self.graphs if g.error is None]
        triples = sum(g.triples for g in sent)
        size = sum(g.bytes for g in sent)
        rate = triples / self.seconds if self.seconds else 0.0
        return (
            f"pushed {len(sent)} of {len(self.graphs)} graphs ({triples:,} triples, {size / 1e6:,.1f} MB, "
            f"{_plural(sum(g.requests for g in self.graphs), 'HTTP request')} of which "
            f"{_plural(sum(g.retries for g in self.graphs), 'retry', 'retries')}) "
            f"to {self.url} in {self.seconds:.2f} s ({rate:,.0f} triples/s); {len(self.failures)} failed"
        )

    def as_dict(self) -> dict:
        """Return the report as plain data (for ``--json``)."""
        return {
            "url": self.url,
            "method": self.method,
            "seconds": round(self.seconds, 3),
            "ok": self.ok,
            "graphs": [asdict(g) for g in self.graphs],
        }


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def graph_url(url: str, graph: str | None) -> str:
    """Return the Graph Store URL of ``graph`` (indirect identification; None: the default graph)."""
    sep = "&" if "?" in url else "?"
    return url + sep + (urlencode({"graph": graph}) if graph else "default")


class GraphStoreClient:
    """A small SPARQL 1.1 Graph Store HTTP Protocol client with retries.

    Args:
        url: the Graph Store endpoint (Oxigraph ``/store``, Fuseki ``/ds/data``,
            GraphDB ``/repositories/R/rdf-graphs/service``, Virtuoso ``/sparql-graph-crud-auth``).
        auth: ``(user, password)`` for HTTP basic authentication.
        token: bearer token.
        digest: use HTTP digest instead of basic authentication (Virtuoso's
            ``/sparql-graph-crud-auth``).
        retries: attempts after the first one for 5xx/429/connection errors.
        backoff: seconds before the first retry; doubles each time (``Retry-After`` wins).
        timeout: seconds for connecting and for each read.
    """

    def __init__(
        self,
        url: str,
        *,
        auth: tuple[str, str] | None = None,
        token: str | None = None,
        digest: bool = False,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 60.0,
        session: requests.Session | None = None,
    ) -> None:
        import requests

        self.url = url
        self.retries = max(0, retries)
        self.backoff = backoff
        self.timeout = timeout
        self.session = session or requests.Session()
        if auth:
            self.session.auth = requests.auth.HTTPDigestAuth(*auth) if digest else auth
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers.setdefault("User-Agent", "dsr-kg push")
        #: HTTP requests sent (every attempt, failed ones and retries included) and retries among them
        self.sent = 0
        self.retried = 0

    def send(self, method: str, graph: str | None, body: bytes, content_type: str) -> int:
        """Send one request; return the number of retries it took.

        Raises:
            PushError: a 4xx answer (not retried) or the retries ran out.
        """
        import requests

        target = graph_url(self.url, graph)
        attempt = 0
        while True:
            delay = self.backoff * (2**attempt)
            self.sent += 1
            try:
                response = self.session.request(
                    method, target, data=body, headers={"Content-Type": content_type}, timeout=self.timeout
                )
            except requests.RequestException as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 300:
                    return attempt
                problem = f"HTTP {response.status_code}: {response.text[:300].strip()}"
                if response.status_code not in RETRY_STATUSES:
                    hint = " (check --auth/--token)" if response.status_code in (401, 403) else ""
                    raise PushError(f"{method} {target} was refused with {problem}{hint}")
                retry_after = response.headers.get("Retry-After", "")
                if retry_after.isdigit():
                    delay = min(float(retry_after), 60.0)
            if attempt >= self.retries:
                raise PushError(f"{method} {target} failed after {attempt + 1} attempts: {problem}")
            time.sleep(delay)
            attempt += 1
            self.retried += 1

    def update(self, endpoint: str, update: str) -> None:
        """Run a SPARQL Update on ``endpoint`` (no retries: updates are not idempotent in general).

        Raises:
            PushError: the update was refused or the endpoint unreachable.
        """
        import requests

        self.sent += 1
        try:
            response = self.session.post(endpoint, data={"update": update}, timeout=self.timeout)
        except requests.RequestException as exc:
            raise PushError(f"cannot reach the update endpoint {endpoint}: {exc}") from exc
        if response.status_code >= 300:
            raise PushError(
                f"the update endpoint {endpoint} refused the update with HTTP {response.status_code}: {response.text[:300]}"
            )


def _batches(store: ox.Store, graph: str, size: int) -> Iterator[list[ox.Triple]]:
    import pyoxigraph as ox

    batch: list[ox.Triple] = []
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
        batch.append(quad.triple)
        if size and len(batch) >= size:
            yield batch
            batch = []
    yield batch  # possibly empty: an empty graph is still PUT, so the remote one is emptied


def _has_blank_nodes(store: ox.Store, graph: str) -> bool:
    q = f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}"
    return bool(store.query(q))


def _serialise(triples: list[ox.Triple], fmt: str) -> bytes:
    import pyoxigraph as ox

    if fmt == "turtle":
        return serialize(triples, ox.RdfFormat.TURTLE, PREFIXES)
    return serialize(triples, ox.RdfFormat.N_TRIPLES)


def push(
    store_path: str | Path,
    url: str,
    *,
    graphs: Sequence[str] = (),
    append: bool = False,
    batch_size: int = 50_000,
    fmt: str = "ntriples",
    include_ontology: bool = True,
    update_endpoint: str | None = None,
    client: GraphStoreClient | None = None,
    progress: bool = False,
) -> PushReport:
    """Send named graphs of the local store to a Graph Store endpoint.

    Args:
        store_path: the local store (opened read-only, so ``kg serve`` may keep running).
        url: the Graph Store endpoint.
        graphs: graph IRIs to send (default: every document graph and the ontology graph).
        append: POST into the remote graphs instead of replacing them.
        batch_size: triples per request (0: one request per graph).
        fmt: ``ntriples`` or ``turtle`` request bodies.
        include_ontology: also send the ontology graph when ``graphs`` is empty.
        update_endpoint: the remote's SPARQL Update URL; with it, a replace that needs
            several batches goes into a staging graph and is swapped in by one ``MOVE``.
        client: the HTTP client (default: a new :class:`GraphStoreClient` for ``url``).

    Returns:
        The report; failed graphs are listed in it, the others are still sent.

    Raises:
        StoreError: the local store is missing, or a requested graph is not in it.
    """
    if fmt not in FORMATS:
        raise KGError(f"unknown format {fmt!r}; use {' or '.join(FORMATS)}")
    started = time.perf_counter()
    client = client or GraphStoreClient(url)
    store = open_store(store_path, read_only=True)
    present = {g.value for g in store.named_graphs() if hasattr(g, "value")}
    if graphs:
        missing = [g for g in graphs if g not in present]
        if missing:
            raise StoreError(
                f"not in the store {store_path}: {', '.join(missing)}; see `kg query 'SELECT DISTINCT ?g {{ GRAPH ?g {{}} }}'`"
            )
        todo = list(graphs)
    else:
        todo = document_graphs(store)
        if include_ontology and ONTOLOGY_GRAPH in present:
            todo.append(ONTOLOGY_GRAPH)
    report = PushReport(url=url, method="POST" if append else "PUT")
    bar = _progress(len(todo), progress)
    for graph in todo:
        report.graphs.append(_push_graph(store, client, graph, append, batch_size, fmt, update_endpoint))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    report.seconds = time.perf_counter() - started
    return report


def _push_graph(
    store: ox.Store,
    client: GraphStoreClient,
    graph: str,
    append: bool,
    batch_size: int,
    fmt: str,
    update_endpoint: str | None,
) -> GraphReport:
    content_type = FORMATS[fmt]
    result = GraphReport(graph=graph)
    started = time.perf_counter()
    size = 0 if _has_blank_nodes(store, graph) else batch_size
    staging = None
    sent, retried = client.sent, client.retried
    try:
        for number, batch in enumerate(_batches(store, graph, size)):
            if number > 0 and not batch:
                break
            if number == 0:
                target, method = graph, ("POST" if append else "PUT")
                if not append and update_endpoint and size and store_graph_size(store, graph) > size:
                    staging = graph + STAGING_SUFFIX
                    target = staging
            else:
                target, method = staging or graph, "POST"
            body = _serialise(batch, fmt)
            client.send(method, target, body, content_type)
            result.triples += len(batch)
            result.bytes += len(body)
        if staging is not None:
            client.update(update_endpoint, f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph}>")  # type: ignore[arg-type]
    except KGError as exc:
        result.error = str(exc)
    # Every HTTP request counts, also the attempts that failed and the retries (the client counts them).
    result.requests = client.sent - sent
    result.retries = client.retried - retried
    result.seconds = time.perf_counter() - started
    return result


def _progress(total: int, enabled: bool):
    if not enabled or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="graph", desc="pushing", dynamic_ncols=True, disable=None)


def store_graph_size(store: ox.Store, graph: str) -> int:
    """Return the number of triples in a named graph of the local store."""
    rows = select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", prefixes=False)
    return int(rows[0]["n"].value)
