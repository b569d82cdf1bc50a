"""Data dumps: the whole dataset at ``/data/dump.nq.gz``, one named graph at ``/data/graph.trig``
or ``/data/graph.nq`` (``?iri=`` the graph's IRI).

A client that wants everything downloads the dump instead of asking ``/sparql`` for a
result the row limit refuses. The dump is written from the store on disk by a child
process (so the web process never holds it, nor opens the store itself), cached in
``DUMP_DIR`` under the store's state (:func:`kg.store.state.store_state`, also its ETag),
and streamed from that file: written once per state of the store, answered 304 to a
client that has it. Graph downloads come from the query engine (one document's graph is
small) and carry the strong ETag of their body.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from pathlib import Path

from flask import Blueprint, Response, current_app, make_response, request, send_file

from ..core.errors import NotFound, QueryError, StoreError, StoreLocked
from ..core.vocab import PREFIXES
from ..query.dump import dump_state, store_busy, write_dump
from ..query.sparql import DUMP_PATH
from .context import get_engine
from .dataset import build_time
from .representation import cacheable

bp = Blueprint("dumps", __name__)

#: extension → (media type, pyoxigraph format name)
GRAPH_FORMATS = {"trig": ("application/trig", "TRIG"), "nq": ("application/n-quads", "N_QUADS")}
_DUMP_SECONDS = 3600.0  #: longest a dump may take to write
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def dump_dir() -> Path:
    """The folder dumps are cached in: ``DUMP_DIR``, or one per store in a private folder of this
    user under the temporary folder (created 0700; another user's or a group-writable folder is
    refused, so nobody else can put a file there that would be served as the dump).

    Raises:
        StoreError: the default folder is not this user's own.
    """
    import os

    configured = current_app.config.get("DUMP_DIR")
    if configured:
        return Path(configured)
    root = Path(tempfile.gettempdir()) / f"dsr-kg-dumps-{os.getuid()}"
    root.mkdir(mode=0o700, exist_ok=True)
    st = root.lstat()
    if st.st_uid != os.getuid() or st.st_mode & 0o022 or root.is_symlink():
        raise StoreError(f"{root} is not this user's private folder; set DUMP_DIR to a folder for the dumps")
    store = str(Path(current_app.config["STORE"]).resolve())
    return root / hashlib.sha256(store.encode()).hexdigest()[:16]


@bp.route(DUMP_PATH, methods=["GET", "HEAD"])
def full_dump() -> Response:
    """The whole dataset as gzip-compressed N-Quads (every named graph with its name)."""
    if current_app.config.get("SPARQL_ENDPOINT"):
        raise NotFound(
            "this server serves a remote SPARQL endpoint and has no local store to dump; "
            "ask that endpoint for a dump, or page through /sparql with LIMIT and OFFSET"
        )
    store = Path(current_app.config["STORE"])
    state = dump_state(store)
    if not state:
        raise StoreError(f"no store at {store}; build one first with `kg build`")
    etag = f"nq-{state}"
    if etag in request.if_none_match:
        response = make_response("", 304)
        response.set_etag(etag)
        return response
    path = _cached_dump(store, state)
    response = send_file(
        path,
        mimetype="application/gzip",
        as_attachment=True,
        download_name="dsr-kg.nq.gz",
        etag=etag,
        conditional=True,
        last_modified=build_time(),
        max_age=300,
    )
    return response


def _cached_dump(store: Path, state: str) -> Path:
    """Return the dump file of ``state``, writing it first (once, in a child process) if needed.

    Raises:
        StoreLocked: a ``kg build`` is writing the store (503, try again when it is done).
        StoreError: the dump could not be written.
    """
    folder = dump_dir()
    target = folder / f"dump-{state}.nq.gz"
    if target.is_file():
        return target
    with _locks_guard:
        lock = _locks.setdefault(str(target), threading.Lock())
    with lock:
        if target.is_file():
            return target
        if store_busy(store):
            raise StoreLocked(
                f"the store {store} is being written (a `kg build` or `kg load`); "
                "the dump is made when it is done, try again then",
                headers={"Retry-After": "30"},
            )
        folder.mkdir(parents=True, exist_ok=True)
        _write_in_child(store, target)
        for old in folder.glob("dump-*.nq.gz"):  # dumps of earlier states are stale
            if old != target:
                old.unlink(missing_ok=True)
    return target


def _write_in_child(store: Path, target: Path) -> None:
    import multiprocessing

    process = multiprocessing.get_context("forkserver").Process(
        target=write_dump, args=(str(store), str(target)), name="kg-dump", daemon=True
    )
    process.start()
    process.join(_DUMP_SECONDS)
    if process.is_alive():
        process.kill()
        process.join(5)
    if process.exitcode != 0 or not target.is_file():
        raise StoreError(f"the dump of {store} could not be written (exit {process.exitcode}); the server log has more")


@bp.route("/data/graph.<ext>", methods=["GET", "HEAD"])
def graph_dump(ext: str) -> Response:
    """One named graph of the dataset, in TriG (``.trig``) or N-Quads (``.nq``), by ``?iri=``."""
    import pyoxigraph as ox

    if ext not in GRAPH_FORMATS:
        raise NotFound(f"no such download /data/graph.{ext}; use /data/graph.trig or /data/graph.nq with ?iri=")
    media, name = GRAPH_FORMATS[ext]
    iri = (request.args.get("iri") or "").strip()
    if not iri:
        raise QueryError("add ?iri= with the IRI of a named graph (VoID at /.well-known/void lists them)")
    engine = get_engine()
    if iri not in engine.graph_names():
        raise NotFound(f"the dataset has no named graph <{iri}>; VoID at /.well-known/void lists them")
    graph = ox.NamedNode(iri)
    triples = engine.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    fmt = getattr(ox.RdfFormat, name)
    body = ox.serialize(quads, format=fmt, prefixes=PREFIXES) if name == "TRIG" else ox.serialize(quads, format=fmt)
    response = make_response(body)
    response.headers["Content-Type"] = f"{media}; charset=utf-8"
    slug = iri.rstrip("/").rsplit("/", 1)[-1] or "graph"
    response.headers["Content-Disposition"] = f'attachment; filename="{_safe(slug)}.{ext}"'
    return cacheable(response)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)[:80] or "graph"
