"""The store: the persistent Oxigraph store, RDF file loading (with the XML screen), the
ontology graph, SHACL validation, and pushing graphs to other triple stores.

Never imports Flask; knows nothing of the pipeline (it stores N-Triples it is given).
"""

from __future__ import annotations

from .loading import load_rdf_file, screen_xml
from .ontology import load_ontology, ontology_ntriples
from .oxigraph import (
    DEFAULT_STORE,
    add_graphs,
    construct,
    document_graphs,
    document_record,
    ntriples,
    open_store,
    replace_graph,
    select,
    serialize,
    stats,
)
from .validate import ValidationReport, validate_store

__all__ = [
    "DEFAULT_STORE",
    "ValidationReport",
    "add_graphs",
    "construct",
    "document_graphs",
    "document_record",
    "load_ontology",
    "load_rdf_file",
    "ntriples",
    "ontology_ntriples",
    "open_store",
    "replace_graph",
    "screen_xml",
    "select",
    "serialize",
    "stats",
    "validate_store",
]
