"""The ontology graph: ``dsr.ttl``, the cue lists and the lexicons, loaded into the store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..core.iris import DEFAULT_BASE, ONTOLOGY_GRAPH
from ..core.resources import ONTOLOGY_DIR, lexicon_files
from ..core.vocab import SKOS
from .oxigraph import add_graphs, ntriples, replace_graph

_EDITORIAL_NOTE = str(SKOS.editorialNote)

if TYPE_CHECKING:
    import pyoxigraph as ox


def ontology_ntriples(base: str = DEFAULT_BASE, directory: Path | None = None) -> str:
    """Return the ontology, shapes-free cue lists and lexicons as N-Triples, rebased to ``base``."""
    import pyoxigraph as ox

    directory = directory or ONTOLOGY_DIR
    files = [directory / "dsr.ttl", *lexicon_files(directory / "lexicon")]
    chunks = []
    for f in files:
        if not f.is_file():
            continue
        # Curation notes (skos:editorialNote: which file, which commit, which check) stay in the
        # lexicon files for the editors; the graph publishes the clean dcterms:source.
        triples = [
            q.triple for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE) if q.predicate.value != _EDITORIAL_NOTE
        ]
        chunks.append(ntriples(triples))
    text = "".join(chunks)
    if base != DEFAULT_BASE:
        text = text.replace(f"<{DEFAULT_BASE}", f"<{base}")
    return text


def load_ontology(store: ox.Store, base: str = DEFAULT_BASE) -> None:
    """Replace the ontology graph with ``ontology/dsr.ttl``, ``cues.ttl`` and the lexicons.

    Into a store without it (a first build), it is bulk-loaded: ~0.1 s instead of the
    ~0.5 s of a transactional replace of its ~8,500 triples.
    """
    import pyoxigraph as ox

    text = ontology_ntriples(base)
    if store.contains_named_graph(ox.NamedNode(ONTOLOGY_GRAPH)):
        replace_graph(store, ONTOLOGY_GRAPH, text)
    else:
        add_graphs(store, [(ONTOLOGY_GRAPH, text)])
