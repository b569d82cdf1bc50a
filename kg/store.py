"""Stage 5: the persistent pyoxigraph store.

Each document lives in its own named graph (the document's IRI); the ontology, cue lists
and lexicons share :data:`~kg.namespaces.ONTOLOGY_GRAPH`. Queries see the union of all
graphs. This module never imports Flask.

Two write paths, measured on 60 generated documents (162 k quads, Oxigraph 0.5):

* replacing a graph that exists: ``DROP GRAPH`` + ``INSERT DATA`` in ONE SPARQL update, a
  single transaction, so a failure or a kill leaves the previous graph complete
  (~10 k quads/s; staging + ``MOVE`` took three times longer and twice the disk);
* adding new graphs: ``bulk_load`` of a batch of documents as N-Quads (~80 k quads/s,
  a third of the disk). It ingests finished SST files, so a kill leaves earlier
  documents untouched; it never runs over a graph that already exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import QueryError, StoreError, StoreLocked
from .lexicon import ONTOLOGY_DIR, lexicon_files
from .namespaces import DEFAULT_BASE, ONTOLOGY_GRAPH, sparql_prefixes

if TYPE_CHECKING:
    import pyoxigraph as ox

DEFAULT_STORE = Path("data/store")
_DSR = "https://w3id.org/dsr-kg/ontology#"


def open_store(path: str | Path = DEFAULT_STORE, *, read_only: bool = False, create: bool = True) -> ox.Store:
    """Open the on-disk store.

    Args:
        path: store directory (created when ``create`` and not read-only).
        read_only: open without taking the write lock (for web workers and queries).
        create: allow creating a new, empty store.

    Raises:
        StoreLocked: another process is writing to the store.
        StoreError: the store is missing (read-only) or cannot be opened.
    """
    import pyoxigraph as ox

    p = Path(path)
    if read_only or not create:
        if not (p / "CURRENT").is_file():
            raise StoreError(f"no store at {p}; build one first with `kg build` (or pass --store)")
    try:
        if read_only:
            return ox.Store.read_only(str(p))
        p.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(p))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreLocked(
                f"the store {p} is in use by another process (a running `kg build` or `kg serve`?); "
                "wait for it to finish or use another --store"
            ) from exc
        raise StoreError(f"cannot open the store {p}: {exc}") from exc


def replace_graph(store: ox.Store, graph: str, ntriples: str) -> None:
    """Replace the named graph ``graph`` with the given N-Triples in one transaction.

    Raises:
        StoreError: the triples do not parse or the store cannot be written; the previous
            graph is left unchanged.
    """
    try:
        store.update(f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}} }}")
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(f"cannot write graph <{graph}>: {exc}") from exc


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
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(f"cannot load {len(graphs)} new graph(s): {exc}") from exc


def _to_nquads(ntriples: str, graph: str) -> str:
    # Every line of our N-Triples ends with " ." — put the graph name before the dot.
    suffix = f" <{graph}> .\n"
    return "".join(line[:-2] + suffix for line in ntriples.splitlines() if line.endswith(" ."))


def ontology_ntriples(base: str = DEFAULT_BASE, directory: Path | None = None) -> str:
    """Return the ontology, shapes-free cue lists and lexicons as N-Triples, rebased to ``base``."""
    import pyoxigraph as ox

    directory = directory or ONTOLOGY_DIR
    files = [directory / "dsr.ttl", *lexicon_files(directory / "lexicon")]
    chunks = []
    for f in files:
        if not f.is_file():
            continue
        triples = [q.triple for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
        chunks.append(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"))
    text = "".join(chunks)
    if base != DEFAULT_BASE:
        text = text.replace(f"<{DEFAULT_BASE}", f"<{base}")
    return text


def load_ontology(store: ox.Store, base: str = DEFAULT_BASE) -> None:
    """Replace the ontology graph with ``ontology/dsr.ttl``, ``cues.ttl`` and the lexicons."""
    replace_graph(store, ONTOLOGY_GRAPH, ontology_ntriples(base))


def load_rdf_file(store: ox.Store, path: str | Path, graph: str | None = None, base_iri: str | None = None) -> tuple[str, int]:
    """Load an RDF file into a named graph (replacing it), or a dataset file as is.

    Triples files (Turtle, N-Triples, RDF/XML, JSON-LD, N3) go into ``graph`` (default:
    the file's ``file:`` IRI); N-Quads and TriG keep their own graph names unless
    ``graph`` is given. RDF/XML is first screened by :func:`kg.guard.screen_xml` (no
    external entities, no entity-expansion bombs), then parsed by Oxigraph.

    Returns:
        ``(graph IRI or "(dataset)", number of quads loaded)``.

    Raises:
        StoreError: unknown format or a parse error (with the parser's message).
    """
    import pyoxigraph as ox

    p = Path(path)
    fmt = ox.RdfFormat.from_extension(p.suffix.lstrip(".").lower()) if p.suffix else None
    if fmt is None:
        raise StoreError(f"{p}: unknown RDF format {p.suffix!r}; use .ttl .nt .nq .trig .jsonld .rdf .owl .n3")
    if not p.is_file():
        raise StoreError(f"{p}: no such file")
    base_iri = base_iri or p.resolve().as_uri()
    if fmt == ox.RdfFormat.RDF_XML:
        from .guard import screen_xml

        # Oxigraph refuses external entities but expands internal ones without bound.
        screen_xml(str(p))
    try:
        quads = list(ox.parse(path=str(p), format=fmt, base_iri=base_iri))
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(f"{p}: cannot parse as {fmt.name}: {exc}") from exc
    if fmt.supports_datasets and graph is None:
        # Replace each graph the file names, atomically per graph.
        by_graph: dict[str, list] = {}
        default: list = []
        for q in quads:
            if isinstance(q.graph_name, ox.DefaultGraph):
                default.append(q.triple)
            else:
                by_graph.setdefault(q.graph_name.value, []).append(q.triple)
        for name, triples in by_graph.items():
            replace_graph(store, name, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode())
        if default:
            store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in default)
        return "(dataset)", len(quads)
    target = graph or base_iri
    triples = [q.triple for q in quads]
    replace_graph(store, target, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode() if triples else "")
    return target, len(triples)


def document_record(store: ox.Store, document: str) -> dict[str, str] | None:
    """Return the stored sha256, tool version and lexicon fingerprint of a document, if built."""
    q = f"""SELECT ?sha ?version ?lex WHERE {{ GRAPH <{document}> {{
        <{document}> <{_DSR}sha256> ?sha ; <http://www.w3.org/ns/prov#wasGeneratedBy> ?a .
        ?a <{_DSR}toolVersion> ?version .
        OPTIONAL {{ ?a <{_DSR}lexiconFingerprint> ?lex }} }} }} LIMIT 1"""
    for row in store.query(q):
        return {
            "sha256": row["sha"].value,
            "version": row["version"].value,
            "lexicon": row["lex"].value if row["lex"] is not None else "",
        }
    return None


def document_graphs(store: ox.Store) -> list[str]:
    """Return the IRIs of the document graphs in the store, sorted."""
    q = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g a <{_DSR}Document> }} }} ORDER BY ?g"
    return [row["g"].value for row in store.query(q)]


def select(store: ox.Store, query: str, *, prefixes: bool = True) -> list[dict[str, object]]:
    """Run a trusted SELECT over the union of all graphs; return rows of pyoxigraph terms.

    Raises:
        QueryError: the query does not parse (with the parser's message).
    """
    solutions = _internal_query(store, query, prefixes)
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names} for row in solutions]


def construct(store: ox.Store, query: str, *, prefixes: bool = True) -> list:
    """Run a trusted CONSTRUCT/DESCRIBE over the union of all graphs; return its triples.

    Raises:
        QueryError: the query does not parse (with the parser's message).
    """
    return list(_internal_query(store, query, prefixes))


def _internal_query(store: ox.Store, query: str, prefixes: bool):
    try:
        return store.query((sparql_prefixes() if prefixes else "") + query, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc


def stats(store: ox.Store) -> dict[str, object]:
    """Count documents, clauses, sentences, mentions, entities by type and triples."""
    counts: dict[str, object] = {"triples": len(store)}
    q = """SELECT
      (COUNT(DISTINCT ?doc) AS ?documents) WHERE { ?doc a dsr:Document }"""
    counts["documents"] = int(select(store, q)[0]["documents"].value)
    for name, cls in (("clauses", "Clause"), ("sentences", "Sentence")):
        counts[name] = int(select(store, f"SELECT (COUNT(?x) AS ?n) WHERE {{ ?x a dsr:{cls} }}")[0]["n"].value)
    counts["mentions"] = int(select(store, "SELECT (COUNT(?a) AS ?n) WHERE { ?a a oa:Annotation }")[0]["n"].value)
    by_type = {}
    for row in select(
        store,
        """SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE {
             ?c dsr:mentions ?e . ?e a ?t . VALUES ?t { dsr:Country dsr:Organisation dsr:Technology dsr:Sector }
             BIND(STRAFTER(STR(?t), "#") AS ?type) } GROUP BY ?type ORDER BY ?type""",
    ):
        by_type[row["type"].value] = int(row["n"].value)
    counts["entities_mentioned"] = by_type
    lexicon = {}
    for row in select(
        store,
        """SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE {
             ?e a ?t . VALUES ?t { dsr:Country dsr:Organisation dsr:Technology dsr:Sector }
             BIND(STRAFTER(STR(?t), "#") AS ?type) } GROUP BY ?type ORDER BY ?type""",
    ):
        lexicon[row["type"].value] = int(row["n"].value)
    counts["entities_in_lexicon"] = lexicon
    return counts
