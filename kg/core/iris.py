"""Instance IRIs: one place that knows their shape.

``{base}{country|organisation|technology|sector}/{key}`` for entities and
``{base}document/{slug}[/clause/{n}[/sentence/{k}]]`` for documents and their parts. The
lexicon files are written against :data:`DEFAULT_BASE`; a deployment may serve another
base (``KG_BASE_IRI``), onto which :func:`rebase` moves them.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Canonical base of instance IRIs.
DEFAULT_BASE = "https://w3id.org/dsr-kg/id/"
ONTOLOGY_IRI = "https://w3id.org/dsr-kg/ontology"
#: Named graph holding the ontology and the lexicons.
ONTOLOGY_GRAPH = "https://w3id.org/dsr-kg/graph/ontology"
#: Characters that may not appear in an IRI written as ``<…>`` in Turtle or SPARQL.
UNSAFE_IRI_CHARS = frozenset('<>"{}|^`\\ \n\r\t')

_SLUG_BAD = re.compile(r"[^\w.\-]+")


def slugify(name: str, sha256: str = "") -> str:
    """Return the IRI slug of a document: its file stem with unsafe characters replaced."""
    stem = Path(name).stem
    slug = _SLUG_BAD.sub("-", stem).strip("-.")
    return slug or f"document-{sha256[:12]}"


def document_iri(slug: str, base: str = DEFAULT_BASE) -> str:
    """Return the IRI of a document (also the name of its graph)."""
    return f"{base}document/{slug}"


def clause_iri(document: str, number: int) -> str:
    """Return the IRI of clause ``number`` of a document IRI."""
    return f"{document}/clause/{number}"


def sentence_iri(clause: str, number: int) -> str:
    """Return the IRI of sentence ``number`` of a clause IRI."""
    return f"{clause}/sentence/{number}"


def rebase(iri: str, base: str) -> str:
    """Move an IRI written against :data:`DEFAULT_BASE` onto ``base``."""
    if base != DEFAULT_BASE and iri.startswith(DEFAULT_BASE):
        return base + iri[len(DEFAULT_BASE) :]
    return iri


def is_safe_iri(iri: str) -> bool:
    """True when ``iri`` can be written as ``<iri>`` in SPARQL or Turtle without escaping."""
    return bool(iri) and UNSAFE_IRI_CHARS.isdisjoint(iri)


#: The only IRI schemes that become links in pages (in this form, any letter case).
LINK_PREFIXES = ("http://", "https://", "mailto:")
#: Whitespace and control characters (C0, DEL, C1): browsers drop some of them inside URLs
#: (``java\tscript:``), so an IRI with any of them is never a link.
_NOT_IN_LINKS = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029]")


def is_link_iri(iri: str) -> bool:
    """True when ``iri`` may be a link target in a page: http, https or mailto, nothing hidden.

    Every other scheme — ``javascript:``, ``data:``, ``vbscript:``, ``file:``, ``urn:``,
    relative references — is shown as text. An IRI with whitespace or control characters
    is never a link (browsers remove tabs and newlines before reading the scheme).
    """
    return bool(iri) and iri[:8].lower().startswith(LINK_PREFIXES) and not _NOT_IN_LINKS.search(iri)


def is_link_target(target: str) -> bool:
    """True when ``target`` may be written into an ``href``: a path of this site (``/…``, not
    ``//host``), a fragment (``#…``), or a link IRI (:func:`is_link_iri`)."""
    if not target or _NOT_IN_LINKS.search(target):
        return False
    if target.startswith("#"):
        return True
    if target.startswith("/"):
        return not target.startswith(("//", "/\\"))
    return is_link_iri(target)
