"""The persistent pyoxigraph store: open, write graphs, internal queries, statistics.

Each document lives in its own named graph (the document's IRI); the ontology, cue lists
and lexicons share :data:`~kg.core.iris.ONTOLOGY_GRAPH`. Queries see the union of all
graphs. This module never imports Flask.

Two write paths, measured on 60 generated documents (162 k quads, Oxigraph 0.5):

* replacing a graph that exists: ``DROP GRAPH`` + ``INSERT DATA`` in ONE SPARQL update, a
  single transaction, so a failure or a kill leaves the previous graph complete
  (~10 k quads/s; staging + ``MOVE`` took three times longer and twice the disk);
* adding new graphs: ``bulk_load`` of a batch of documents as N-Quads (~80 k quads/s,
  a third of the disk). It ingests finished SST files, so a kill leaves earlier
  documents untouched; it never runs over a graph that already exists.

Failures of the store become the catalogue's errors here (:func:`store_failure`): a full
disk is :class:`~kg.core.errors.StoreFull`, naming the store and the space left on its
file system; a folder that is not a store, or a damaged one, is a
:class:`~kg.core.errors.StoreError` saying so — never a RocksDB traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import QueryError, StoreError, StoreFull, StoreLocked
from ..core.vocab import DSR, OA, PROV, sparql_prefixes

if TYPE_CHECKING:
    import pyoxigraph as ox

DEFAULT_STORE = Path("data/store")


#: What RocksDB says when a write does not fit (ENOSPC), or a quota is used up (EDQUOT).
_DISK_FULL = ("no space left on device", "disk quota exceeded", "enospc")
#: A RocksDB file named in its error messages: the store is the folder that holds it.
_FILE_IN_MESSAGE = re.compile(r"(/[^\s:]+)/(?:[\w.-]+\.(?:sst|log|blob|dbtmp)|MANIFEST-\d+|CURRENT|OPTIONS-\d+|LOCK)\b")
#: Folder of each store :func:`open_store` opened (by object id; pyoxigraph stores take no
#: attributes or weak references), so that an error can name it.
_OPENED: dict[int, str] = {}


def _megabytes(n: int) -> str:
    return f"{n / 2**20:,.1f} MB"


def disk_space(path: str | Path) -> str:
    """Return "X MB free of Y MB" for the file system holding ``path`` (or its nearest existing parent)."""
    import shutil

    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        usage = shutil.disk_usage(p)
    except OSError:
        return "free space unknown"
    return f"{_megabytes(usage.free)} free of {_megabytes(usage.total)}"


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc`` says the disk (or the quota) is full."""
    import errno

    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return any(word in str(exc).lower() for word in _DISK_FULL)


def store_failure(exc: BaseException, doing: str, path: str | Path | None = None, store: Any = None) -> StoreError:
    """Return the catalogue error for a failure of the store while ``doing`` something.

    A full disk gives :class:`StoreFull` naming the store (``path``, else the folder of the
    file RocksDB names, else where ``store`` was opened) and the space left; a lock,
    :class:`StoreLocked`; RocksDB's "Corruption" a message that the store is damaged;
    anything else :class:`StoreError`.
    """
    text = str(exc).strip()
    if path is None:
        found = _FILE_IN_MESSAGE.search(text)
        path = found.group(1) if found else _OPENED.get(id(store)) if store is not None else None
    where = f"the store {path}" if path else "the store"
    if is_disk_full(exc):
        space = disk_space(path) if path else "no space left"
        return StoreFull(
            f"{where} is out of disk space ({space} on its file system after the failed write) while {doing}: the write stopped there and "
            "every graph written before is intact. Free some space (or use a store on a bigger disk with --store) "
            "and run the command again; unchanged documents are skipped"
        )
    if re.search(r"\block\b", text, re.IGNORECASE) and "corrupt" not in text.lower():
        return StoreLocked(
            f"{where} is in use by another process (a running `kg build` or `kg serve`?); "
            "wait for it to finish or use another --store"
        )
    first = text.splitlines()[0] if text else type(exc).__name__
    if "corrupt" in text.lower() or isinstance(exc, RuntimeError):
        return StoreError(
            f"{where} is damaged or is not an Oxigraph store ({first}); rebuild it into a new folder with "
            "`kg build PATH --store NEW_FOLDER`, or restore a copy"
        )
    return StoreError(f"cannot use {where} while {doing}: {first}")


def _not_a_store(p: Path) -> StoreError | None:
    """Return an error when ``p`` exists but cannot hold a store (a file, or a folder of other files)."""
    if not p.exists():
        return None
    if not p.is_dir():
        return StoreError(f"{p} is a file, not a store folder; pass the store's folder with --store (or KG_STORE)")
    if (p / "CURRENT").is_file():
        return None
    others = sorted(e.name for e in p.iterdir() if not e.name.startswith("."))
    if others:
        shown = ", ".join(others[:3]) + (" …" if len(others) > 3 else "")
        return StoreError(
            f"{p} is not a store: the folder holds other files ({shown}) and no store; "
            "build into a new or empty folder with --store, or pass the folder `kg build` made"
        )
    return None


def open_store(path: str | Path = DEFAULT_STORE, *, read_only: bool = False, create: bool = True) -> ox.Store:
    """Open the on-disk store.

    Args:
        path: store directory (created when ``create`` and not read-only).
        read_only: open without taking the write lock (for web workers and queries).
        create: allow creating a new, empty store.

    Raises:
        StoreLocked: another process is writing to the store.
        StoreFull: the disk is full (opening replays the log, which writes).
        StoreError: the store is missing (read-only), the path is a file or a folder of
            other files, the store is damaged, or it cannot be opened.
    """
    import pyoxigraph as ox

    p = Path(path)
    problem = _not_a_store(p)
    if problem is not None:
        raise problem
    if (read_only or not create) and not (p / "CURRENT").is_file():
        raise StoreError(f"no store at {p}; build one first with `kg build` (or pass --store)")
    try:
        if read_only:
            store = ox.Store.read_only(str(p))
        else:
            p.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(p))
    except (OSError, RuntimeError) as exc:
        raise store_failure(exc, "opening it", p) from exc
    _OPENED[id(store)] = str(p)
    return store


def check_store(path: str | Path) -> None:
    """Open the store read-only and read from it once, so a server can refuse to start on a bad one.

    Raises:
        StoreError: no store, not a store, or a damaged one (the message says which).
    """
    store = open_store(path, read_only=True)
    try:
        store.query("ASK { ?s ?p ?o }")
    except (OSError, RuntimeError) as exc:
        raise store_failure(exc, "reading it", path) from exc
    finally:
        del store


def flush(store: ox.Store) -> None:
    """Write the store's memory tables to disk.

    Raises:
        StoreFull: the disk is full.
        StoreError: the store cannot be written.
    """
    try:
        store.flush()
    except (OSError, RuntimeError) as exc:
        raise store_failure(exc, "flushing it to disk", store=store) from exc


def serialize(items: Iterable[Any], fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise triples or quads with Oxigraph into bytes (``prefixes`` for Turtle, TriG, RDF/XML)."""
    import pyoxigraph as ox

    data = ox.serialize(items, format=fmt, prefixes=prefixes) if prefixes else ox.serialize(items, format=fmt)
    assert data is not None  # without an output argument Oxigraph returns the bytes
    return data


def ntriples(triples: Iterable[ox.Triple]) -> str:
    """Return triples as N-Triples text."""
    import pyoxigraph as ox

    return serialize(triples, ox.RdfFormat.N_TRIPLES).decode("utf-8")


def replace_graph(store: ox.Store, graph: str, ntriples: str) -> None:
    """Replace the named graph ``graph`` with the given N-Triples in one transaction.

    Raises:
        StoreError: the triples do not parse or the store cannot be written; the previous
            graph is left unchanged.
    """
    try:
        store.update(f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}} }}")
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"cannot write graph <{graph}>: {exc}") from exc
    except (OSError, RuntimeError) as exc:
        raise store_failure(exc, f"writing graph <{graph}>", store=store) from exc


def add_graphs(store: ox.Store, graphs: list[tuple[str, str]]) -> None:
    """Bulk-load new named graphs: ``(graph IRI, N-Triples)`` pairs none of which exists yet.

    Raises:
        StoreError: the data does not parse or cannot be written.
    """
    import pyoxigraph as ox

    if not graphs:
        return
    quads = "".join(_to_nquads(nt, graph) for graph, nt in graphs)
    try:
        store.bulk_load(quads, format=ox.RdfFormat.N_QUADS)
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"cannot load {len(graphs)} new graph(s): {exc}") from exc
    except (OSError, RuntimeError) as exc:
        raise store_failure(exc, f"loading {len(graphs)} new graph(s)", store=store) from exc


def _to_nquads(ntriples: str, graph: str) -> str:
    # Every line of our N-Triples ends with " ." — put the graph name before the dot.
    suffix = f" <{graph}> .\n"
    return "".join(line[:-2] + suffix for line in ntriples.splitlines() if line.endswith(" ."))


def document_record(store: ox.Store, document: str) -> dict[str, str] | None:
    """Return the stored sha256, tool and pipeline versions, lexicon fingerprint and annotation context of a document, if built."""
    q = f"""SELECT ?sha ?version ?pipeline ?lex WHERE {{ GRAPH <{document}> {{
        <{document}> <{DSR.sha256}> ?sha ; <{PROV.wasGeneratedBy}> ?a .
        ?a <{DSR.toolVersion}> ?version .
        OPTIONAL {{ ?a <{DSR.pipelineVersion}> ?pipeline }}
        OPTIONAL {{ ?a <{DSR.lexiconFingerprint}> ?lex }} }} }} LIMIT 1"""
    for row in _solutions(store.query(q)):
        context = bool(store.query(f"ASK {{ GRAPH <{document}> {{ ?quote <{OA.prefix}> ?prefix }} }}"))
        return {
            "sha256": row["sha"].value,
            "version": row["version"].value,
            "pipeline": row["pipeline"].value if row["pipeline"] is not None else "",
            "lexicon": row["lex"].value if row["lex"] is not None else "",
            "context": "true" if context else "false",  # built with --annotation-context
        }
    return None


def document_graphs(store: ox.Store) -> list[str]:
    """Return the IRIs of the document graphs in the store, sorted."""
    q = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g a <{DSR.Document}> }} }} ORDER BY ?g"
    return [row["g"].value for row in _solutions(store.query(q))]


def select(store: ox.Store, query: str, *, prefixes: bool = True) -> list[dict[str, Any]]:
    """Run a trusted SELECT over the union of all graphs; return rows of pyoxigraph terms.

    Raises:
        QueryError: the query does not parse (with the parser's message).
    """
    solutions = _solutions(_internal_query(store, query, prefixes))
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names} for row in solutions]


def construct(store: ox.Store, query: str, *, prefixes: bool = True) -> list[ox.Triple]:
    """Run a trusted CONSTRUCT/DESCRIBE over the union of all graphs; return its triples.

    Raises:
        QueryError: the query does not parse (with the parser's message).
    """
    import pyoxigraph as ox

    result = _internal_query(store, query, prefixes)
    if not isinstance(result, ox.QueryTriples):
        raise QueryError("expected a CONSTRUCT or DESCRIBE query")
    return list(result)


def _solutions(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> ox.QuerySolutions:
    import pyoxigraph as ox

    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("expected a SELECT query")
    return result


def _internal_query(
    store: ox.Store, query: str, prefixes: bool
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    try:
        return store.query((sparql_prefixes() if prefixes else "") + query, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc
    except (OSError, RuntimeError) as exc:
        raise store_failure(exc, "reading it", store=store) from exc


def stats(store: ox.Store) -> dict[str, Any]:
    """Count documents, clauses, sentences, mentions, entities by type and triples."""
    counts: dict[str, Any] = {"triples": len(store)}
    q = """SELECT
      (COUNT(DISTINCT ?doc) AS ?documents) WHERE { ?doc a dsr:Document }"""
    counts["documents"] = int(select(store, q)[0]["documents"].value)
    for name, cls in (("clauses", "Clause"), ("sentences", "Sentence")):
        counts[name] = int(select(store, f"SELECT (COUNT(?x) AS ?n) WHERE {{ ?x a dsr:{cls} }}")[0]["n"].value)
    counts["mentions"] = int(select(store, "SELECT (COUNT(?a) AS ?n) WHERE { ?a a oa:Annotation }")[0]["n"].value)
    by_type: dict[str, int] = {}
    for row in select(
        store,
        """SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE {
             ?c dsr:mentions ?e . ?e a ?t . VALUES ?t { dsr:Country dsr:Organisation dsr:Technology dsr:Sector
                                                        dsr:GovernmentBody dsr:Event dsr:Place }
             BIND(STRAFTER(STR(?t), "#") AS ?type) } GROUP BY ?type ORDER BY ?type""",
    ):
        by_type[row["type"].value] = int(row["n"].value)
    counts["entities_mentioned"] = by_type
    lexicon: dict[str, int] = {}
    for row in select(
        store,
        """SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE {
             ?e a ?t . VALUES ?t { dsr:Country dsr:Organisation dsr:Technology dsr:Sector
                                   dsr:GovernmentBody dsr:Event dsr:Place }
             FILTER NOT EXISTS { ?e dsr:inLexicon false }
             BIND(STRAFTER(STR(?t), "#") AS ?type) } GROUP BY ?type ORDER BY ?type""",
    ):
        lexicon[row["type"].value] = int(row["n"].value)
    counts["entities_in_lexicon"] = lexicon
    outside: dict[str, int] = {}
    for row in select(
        store,
        """SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e dsr:inLexicon false ; a ?t .
             VALUES ?t { dsr:Organisation dsr:GovernmentBody dsr:Event }
             BIND(STRAFTER(STR(?t), "#") AS ?type) } GROUP BY ?type ORDER BY ?type""",
    ):
        outside[row["type"].value] = int(row["n"].value)
    counts["entities_outside_lexicon"] = outside
    counts["documents_with"] = document_metadata_counts(store)
    return counts


def document_metadata_counts(store: ox.Store) -> dict[str, int]:
    """How many documents have each kind of metadata (issued, kind, place, occasion, parties)."""
    out: dict[str, int] = {}
    for name, prop in (
        ("issued", "dcterms:issued"),
        ("kind", "dcterms:type"),
        ("place", "dsr:place"),
        ("adopted_at", "dsr:adoptedAt"),
        ("signatories", "dsr:signatory"),
        ("proposed_by", "dsr:proposedBy"),
    ):
        q = f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a dsr:Document ; {prop} ?v }}"
        out[name] = int(select(store, q)[0]["n"].value)
    kinds: dict[str, int] = {}
    for row in select(
        store,
        """SELECT ?k (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dsr:Document ; dcterms:type ?t .
             ?t skos:prefLabel ?k FILTER(LANG(?k) = "en") } GROUP BY ?k ORDER BY DESC(?n) ?k""",
    ):
        kinds[f"kind: {row['k'].value}"] = int(row["n"].value)
    out.update(kinds)
    return out
