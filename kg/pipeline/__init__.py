"""The build stages, pure functions over the records of :mod:`kg.core.records`:

``ingest`` (file → normalised text) → ``structure`` (→ title, clauses, sentences,
signatory sentence) → ``extract`` with ``lexicon`` (→ entity mentions) → ``rdf``
(→ N-Triples of the document's graph). No stage opens the store or reaches back to an
earlier one; :mod:`kg.build` composes them.

:func:`pipeline_version` is recorded in every document's build provenance: a fingerprint
of the stages' code, so any change to extraction makes ``kg build`` rebuild the documents
it made (the lexicon files have their own fingerprint, :attr:`Lexicon.fingerprint`).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from .. import __version__


def source_fingerprint(directory: Path) -> str:
    """Return 12 hex digits of the SHA-256 over the names and bytes of the ``*.py`` files of ``directory``."""
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """Return ``<package version>+<fingerprint of the stages' source files>``."""
    return f"{__version__}+{source_fingerprint(Path(__file__).resolve().parent)}"
