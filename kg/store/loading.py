"""Load RDF files into the store (``kg load``), screening XML before Oxigraph parses it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import SourceError, StoreError
from .oxigraph import ntriples, replace_graph, store_failure

if TYPE_CHECKING:
    import pyoxigraph as ox


def load_rdf_file(
    store: ox.Store, path: str | Path, graph: str | None = None, base_iri: str | None = None
) -> tuple[str, int]:
    """Load an RDF file into a named graph (replacing it), or a dataset file as is.

    Triples files (Turtle, N-Triples, RDF/XML, JSON-LD, N3) go into ``graph`` (default:
    the file's ``file:`` IRI); N-Quads and TriG keep their own graph names unless
    ``graph`` is given. RDF/XML is first screened by :func:`screen_xml` (no
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
            replace_graph(store, name, ntriples(triples))
        if default:
            try:
                store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in default)
            except (OSError, RuntimeError) as exc:
                raise store_failure(exc, "writing the default graph", store=store) from exc
        return "(dataset)", len(quads)
    target = graph or base_iri
    triples = [q.triple for q in quads]
    replace_graph(store, target, ntriples(triples) if triples else "")
    return target, len(triples)


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
        with open(path, "rb") as f:
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
