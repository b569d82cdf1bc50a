"""Records passed between pipeline stages: frozen dataclasses, no behaviour.

Offsets are code points (Python ``str`` indices), end exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceText:
    """A decoded, normalised source document (output of :mod:`kg.pipeline.ingest`)."""

    path: str  #: file path as given
    name: str  #: file name (dcterms:source)
    sha256: str  #: hex digest of the file's bytes
    encoding: str  #: utf-8, utf-8-sig, gb18030, pdf …
    language: str  #: "zh" or "en"
    text: str  #: normalised text; paragraphs separated by "\n"


@dataclass(frozen=True)
class Sentence:
    """A sentence, located inside its clause's text."""

    number: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Clause:
    """A numbered clause (0 = title and preamble, or a whole unnumbered text)."""

    number: int
    text: str
    heading: str
    start: int  #: offset of the clause text in the document's normalised text
    end: int
    sentences: tuple[Sentence, ...]
    label: str = ""  #: the number as written ("1.", "一、", "第一条"); empty for clause 0


@dataclass(frozen=True)
class DocumentStructure:
    """Title, clauses and the signatory sentence of a document (output of :mod:`kg.pipeline.structure`)."""

    title: str
    numbering: str  #: arabic | chinese | article | none
    clauses: tuple[Clause, ...]
    #: (clause number, start, end) of the sentence listing the proposing countries, if any
    signatory_span: tuple[int, int, int] | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """An entity found in a clause's text."""

    clause: int  #: clause number
    start: int  #: offset in the clause's text
    end: int
    exact: str  #: clause.text[start:end]
    entity: str  #: entity IRI (canonical base)
    type: str  #: Country | Organisation | Technology | Sector
    sentence: int  #: sentence number within the clause (1-based), 0 if none
