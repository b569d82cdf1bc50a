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
    check_store,
    construct,
    disk_space,
    document_graphs,
    document_record,
    flush,
    is_disk_full,
    ntriples,
    open_store,
    replace_graph,
    select,
    serialize,
    stats,
    store_failure,
)
from .validate import ValidationReport, validate_store

__all__ = [
    "DEFAULT_STORE",
    "ValidationReport",
    "add_graphs",
    "check_store",
    "construct",
    "disk_space",
    "document_graphs",
    "document_record",
    "flush",
    "is_disk_full",
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
    "store_failure",
    "validate_store",
]
