"""Load RDF files into the store (``kg load FILE``), screening XML before Oxigraph parses it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import SourceError, StoreError
from .bulk import default_threads, load_stream, open_binary, rdf_format, replacing, rewrite_graph, survey

if TYPE_CHECKING:
    import pyoxigraph as ox


def load_rdf_file(
    store: ox.Store,
    path: str | Path,
    graph: str | None = None,
    base_iri: str | None = None,
    *,
    threads: int | None = None,
    progress: bool = False,
) -> tuple[str, int]:
    """Load an RDF file into a named graph (replacing it), or a dataset file as is.

    Triples files (N-Triples, Turtle, RDF/XML, JSON-LD, N3, each optionally gzipped) go
    into ``graph`` (default: the file's ``file:`` IRI); N-Quads and TriG keep their own
    graph names unless ``graph`` is given, and each graph they name replaces the graph of
    that name (statements of their default graph are added to the store's default graph).
    RDF/XML is first screened by :func:`screen_xml` (no external entities, no
    entity-expansion bombs). Loading goes through :mod:`kg.store.bulk`: parsed once to
    check it, then bulk-loaded (N-Triples and N-Quads in ``threads`` parallel chunks),
    atomically per target graph.

    Returns:
        ``(graph IRI or "(dataset)", number of statements loaded)``.

    Raises:
        StoreError: unknown format, a parse error (with the parser's message; nothing
            changed), or a failed load (the previous graphs are restored).
        SourceError: an RDF/XML file refused by the XML screen.
    """
    import pyoxigraph as ox

    p = Path(path)
    fmt, _gz = rdf_format(p)
    if not p.is_file():
        raise StoreError(f"{p}: no such file")
    base_iri = base_iri or p.resolve().as_uri()
    if fmt == ox.RdfFormat.RDF_XML:
        # Oxigraph refuses external entities but expands internal ones without bound.
        screen_xml(str(p))
    threads = threads or default_threads()
    found = survey(p, fmt, base_iri, bar=_bar(progress, "checking", None, p))
    dataset = fmt.supports_datasets and graph is None
    if dataset:
        targets = sorted(g for g in found.counts if g is not None)
        result = "(dataset)"
    else:
        target = graph or base_iri
        targets, result = [target], target
    bar = _bar(progress, "loading", found.total, p)
    with replacing(store, targets):
        if fmt.supports_datasets and graph is not None:
            store.bulk_extend(rewrite_graph(p, fmt, base_iri, graph))  # one graph for all statements
            if bar is not None:
                bar.update(found.total)
        else:
            load_stream(
                store,
                lambda: open_binary(p),
                fmt,
                to_graph=None if dataset else result,
                base_iri=base_iri,
                threads=threads,
                lenient=True,  # checked strictly by survey() above
                bar=bar,
                splittable=not found.blank_nodes,
            )
        if not dataset:
            store.add_graph(ox.NamedNode(result))  # an empty file still makes the (empty) graph
    if bar is not None:
        bar.n = found.total
        bar.close()
    return result, found.total


def _bar(enabled: bool, desc: str, total: int | None, path: Path):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit=" triples",
        unit_scale=True,
        desc=f"{desc} {path.name}",
        dynamic_ncols=True,
        disable=None,
        leave=desc == "loading",
    )


DEFAULT_MAX_ENTITY_EXPANSION = 64 * 1024  #: characters one entity may expand to


def screen_xml(path: str, *, max_entity_expansion: int = DEFAULT_MAX_ENTITY_EXPANSION) -> None:
    """Refuse an XML file (RDF/XML, OWL/XML) with external entities or entity bombs.

    Oxigraph's RDF/XML parser refuses ``SYSTEM`` entities but expands internal ones
    without a bound: measured here, a 1 KB "billion laughs" file took 60 s and 9 GB of
    memory to expand into a 3 GB literal. This streams the file through expat (nothing
    is built in memory, nothing is fetched) and computes how far each declared entity
    expands. Internal entities used as namespace abbreviations (``<!ENTITY owl
    "http://www.w3.org/2002/07/owl#">``, as Protégé writes them) are allowed.

    Args:
        path: the file to check.
        max_entity_expansion: the most characters one entity may expand to.

    An external DTD named in ``<!DOCTYPE … SYSTEM "…">`` is never fetched, here or by
    Oxigraph, so it is allowed.

    Raises:
        SourceError: an external entity, a parameter entity, an entity that expands
            past the limit, or XML that does not parse.
    """
    from xml.parsers import expat

    screen = _EntityScreen(path, max_entity_expansion)
    parser = expat.ParserCreate()
    parser.CharacterDataHandler = screen.characters
    parser.StartElementHandler = screen.start
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = screen.entity_decl
    parser.ExternalEntityRefHandler = lambda *args: 0  # never resolve; expat then fails the parse
    try:
        with open_binary(path) as f:
            parser.ParseFile(f)
    except expat.ExpatError as exc:
        if "amplification" in expat.ErrorString(exc.code):
            raise SourceError(
                f"{path}: the XML's entities expand it past expat's amplification limit "
                "(an entity-expansion bomb?); refusing to load it"
            ) from None
        raise SourceError(f"{path}: not well-formed XML: {expat.ErrorString(exc.code)} at line {exc.lineno}") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror})") from None


_ENTITY_REF = re.compile(r"&([^;&\s]+);")


class _EntityScreen:
    """The expat handlers of :func:`screen_xml`: entity declarations and an output budget."""

    def __init__(self, path: str, max_entity_expansion: int) -> None:
        self.path = path
        self.max_entity_expansion = max_entity_expansion
        self.declared: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        size = os.path.getsize(path) if os.path.exists(path) else 0
        self.budget = max(16 * 1024 * 1024, 20 * size)
        self.produced = 0

    def expanded(self, name: str, seen: tuple[str, ...] = ()) -> int:
        """How many characters entity ``name`` expands to (stops counting past the limit)."""
        if name in self.sizes:
            return self.sizes[name]
        if name in seen:
            raise SourceError(f"{self.path}: the XML entity &{name}; refers to itself; refusing to expand it")
        value = self.declared.get(name, "")
        total = len(_ENTITY_REF.sub("", value))
        for m in _ENTITY_REF.finditer(value):
            total += self.expanded(m.group(1), (*seen, name)) if m.group(1) in self.declared else len(m.group())
            if total > self.max_entity_expansion:
                break
        self.sizes[name] = total
        return total

    def entity_decl(self, name, is_parameter, value, base, system_id, public_id, notation) -> None:
        if system_id or public_id:
            raise SourceError(
                f"{self.path}: the XML declares the external entity {name!r} ({system_id or public_id}); "
                "external entities are refused (they read local files or fetch URLs); inline the data"
            )
        if is_parameter:
            raise SourceError(
                f"{self.path}: the XML declares the parameter entity %{name}; parameter entities are refused"
            )
        self.declared[name] = value or ""
        if self.expanded(name) > self.max_entity_expansion:
            raise SourceError(
                f"{self.path}: the XML entity &{name}; expands to more than {self.max_entity_expansion:,} characters "
                "(an entity-expansion bomb?); refusing to load it"
            )

    def count(self, n: int) -> None:
        self.produced += n
        if self.produced > self.budget:
            raise SourceError(
                f"{self.path}: the XML's entities expand it to more than {self.budget:,} characters "
                "(an entity-expansion bomb?); refusing to load it"
            )

    def characters(self, data: str) -> None:
        self.count(len(data))

    def start(self, name, attributes) -> None:
        self.count(sum(len(v) for v in attributes.values()) if attributes else 0)
