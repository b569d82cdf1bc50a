"""dsr-kg: a knowledge graph of digital-economy cooperation policy documents.

Data flows one way through small modules, one per stage:
``ingest`` (file → text) → ``structure`` (text → clauses, sentences)
→ ``extract`` (clauses → mentions, with ``lexicon``) → ``rdf`` (→ N-Quads)
→ ``store`` (pyoxigraph) → SPARQL, ``views`` and exports.
"""

from __future__ import annotations

__version__ = "0.1.0"
