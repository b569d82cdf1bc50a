"""Validate the built graph against ``ontology/shapes.ttl`` with pyshacl."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.iris import ONTOLOGY_GRAPH
from ..core.resources import SHAPES_FILE
from .oxigraph import ntriples

if TYPE_CHECKING:
    import pyoxigraph as ox

SHAPES = SHAPES_FILE


@dataclass(frozen=True)
class ValidationReport:
    """Result of a SHACL validation."""

    conforms: bool
    violations: int
    text: str
    triples: int


def _graph_from_store(store: ox.Store, graphs: list[str] | None):
    import pyoxigraph as ox
    from rdflib import Graph

    g = Graph()
    names = [ONTOLOGY_GRAPH, *graphs] if graphs else None
    if names is None:
        quads = store.quads_for_pattern(None, None, None, None)
        g.parse(data=ntriples(q.triple for q in quads), format="nt")
        return g
    for name in names:
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(name))]
        if triples:
            g.parse(data=ntriples(triples), format="nt")
    return g


def validate_store(store: ox.Store, documents: list[str] | None = None, shapes: Path = SHAPES) -> ValidationReport:
    """Validate the whole store, or only the given document graphs plus the ontology graph.

    Returns:
        The report; ``conforms`` is False when any shape is violated.
    """
    from pyshacl import validate
    from rdflib import Graph

    data = _graph_from_store(store, documents)
    shapes_graph = Graph().parse(shapes, format="turtle")
    conforms, results_graph, text = validate(
        data, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=True
    )
    from rdflib.namespace import SH

    violations = sum(1 for _ in results_graph.subjects(SH.resultSeverity, SH.Violation))
    return ValidationReport(conforms=bool(conforms), violations=violations, text=str(text), triples=len(data))
