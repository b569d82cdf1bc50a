"""Records passed between pipeline stages: frozen dataclasses, no behaviour.

Offsets are code points (Python ``str`` indices), end exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    type: str  #: Country | Organisation | Technology | Sector | GovernmentBody | Event | Place
    sentence: int  #: sentence number within the clause (1-based), 0 if none
    rule: str = ""  #: the name rule that found it (dsr:findingRule); "" for a lexicon label


@dataclass(frozen=True)
class Entity:
    """An entity found from the shape of its name, not from the lexicon (``dsr:inLexicon false``)."""

    iri: str
    type: str  #: Organisation | GovernmentBody | Event
    label: str  #: the name as written the first time (its rdfs:label)
    language: str
    rule: str  #: the rule that found its first mention
    country: str = ""  #: dsr:ofCountry of a government body (a country IRI), if known
    date: str = ""  #: dcterms:date of an event: 2021-11-29, 2015-01 or 2018
    mentions: int = 0
    context: str = ""  #: the sentence of its first mention (for ``kg lexicon candidates``)


@dataclass(frozen=True)
class Evidence:
    """Where in a clause the text gives a fact (annotated like a mention)."""

    clause: int
    start: int
    end: int
    exact: str
    sentence: int = 0
    rule: str = ""


@dataclass(frozen=True)
class Fact:
    """One value of a document's metadata with its evidence: an IRI, or a literal with its datatype."""

    value: str
    evidence: Evidence | None = None
    datatype: str = ""  #: an XSD datatype IRI for a literal; "" for an IRI value


@dataclass(frozen=True)
class DocumentMetadata:
    """What a document says about itself (output of :mod:`kg.pipeline.metadata`)."""

    kind: Fact | None = None  #: dcterms:type, a dsr:DocumentKind concept
    issued: Fact | None = None  #: dcterms:issued, xsd:date | gYearMonth | gYear
    place: Fact | None = None  #: dsr:place
    event: Fact | None = None  #: dsr:adoptedAt
    signatories: tuple[Fact, ...] = ()  #: dsr:signatory (countries)
    proposed_by: tuple[Fact, ...] = ()  #: dsr:proposedBy (organisations, government bodies)


@dataclass(frozen=True)
class Extraction:
    """The mentions of a document and the entities found outside the lexicon (output of :mod:`kg.pipeline.extract`)."""

    mentions: tuple[Mention, ...]
    entities: tuple[Entity, ...] = ()


@dataclass(frozen=True)
class AreaFinding:
    """One policy area of a commitment or a clause, with what decided it."""

    area: str  #: a dsr:PolicyArea IRI
    words: tuple[str, ...] = ()  #: area cue words found in the text
    entities: tuple[str, ...] = ()  #: entity IRIs that indicate the area
    commitments: tuple[int, ...] = ()  #: for a clause: indices (into ``Reading.commitments``) carrying the area


@dataclass(frozen=True)
class Commitment:
    """An undertaking stated by a sentence (output of :mod:`kg.pipeline.commitments`).

    Offsets index into the clause's text, like a :class:`Mention`'s.
    """

    clause: int
    sentence: int  #: sentence number within the clause (1-based)
    start: int  #: the cue word
    end: int
    exact: str
    action: str  #: a dsr:Action IRI
    actor: str = ""  #: an entity or group IRI; "" = the document's parties
    concerns: tuple[str, ...] = ()  #: entity IRIs in what the action governs
    areas: tuple[AreaFinding, ...] = ()


@dataclass(frozen=True)
class RelationFinding:
    """One occurrence of a typed relation in one sentence."""

    clause: int
    sentence: int
    predicate: str  #: appliedIn | cooperatesWith | invitesRole (a dsr: local name)
    subject: str  #: an entity IRI; "" = the document (invitesRole) or its parties (cooperatesWith)
    object: str
    start: int  #: the cue word
    end: int
    exact: str
    subject_span: tuple[int, int] | None = None  #: the subject's mention (clause offsets)
    object_span: tuple[int, int] | None = None


@dataclass(frozen=True)
class Reading:
    """What a document commits to (output of :mod:`kg.pipeline.commitments`)."""

    commitments: tuple[Commitment, ...] = ()
    clause_areas: dict[int, tuple[AreaFinding, ...]] = field(default_factory=dict)  #: clause number → areas
    relations: tuple[RelationFinding, ...] = ()
