"""Stage 4: structure + mentions → RDF (N-Triples text for one document's named graph).

Every IRI is derived from the document slug, clause and sentence numbers and mention
offsets, so building the same file twice gives the same triples (no blank nodes). The
only value that changes between builds is the provenance time, and that follows
``SOURCE_DATE_EPOCH`` when it is set (the reproducible-builds convention).

Triples are written as N-Triples text rather than through an rdflib ``Graph``: the
store parses N-Triples in Rust, and building Python term objects for every triple was
the slowest part of a build. ``tests/test_rdf.py`` parses the output with rdflib to
check the escaping.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

from .. import __version__
from ..core.iris import DEFAULT_BASE, clause_iri, document_iri, rebase, sentence_iri, slugify
from ..core.records import (
    AreaFinding,
    Commitment,
    DocumentMetadata,
    DocumentStructure,
    Entity,
    Evidence,
    Fact,
    Mention,
    Reading,
    SourceText,
)
from ..core.resources import class_labels
from ..core.vocab import DCTERMS, DSR, ENTITY_TYPES, OA, PROV, RDF, RDFS, XSD
from . import pipeline_version

SOFTWARE_IRI = f"https://w3id.org/dsr-kg/software/dsr-kg/{__version__}"


def _iri(term: str) -> str:
    return f"<{term}>"


# Terms as N-Triples text, written once (the vocabulary fails on a typo at import).
_A = _iri(RDF.type)
_LABEL = _iri(RDFS.label)
_XSD_INTEGER = str(XSD.integer)
_XSD_BOOLEAN = str(XSD.boolean)
_XSD_DATETIME = str(XSD.dateTime)
T_DOCUMENT, T_CLAUSE, T_SENTENCE, T_BUILD = (
    _iri(DSR.Document),
    _iri(DSR.Clause),
    _iri(DSR.Sentence),
    _iri(DSR.BuildActivity),
)
P_HAS_CLAUSE, P_CLAUSE_NUMBER, P_HEADING, P_TEXT = (
    _iri(DSR.hasClause),
    _iri(DSR.clauseNumber),
    _iri(DSR.heading),
    _iri(DSR.text),
)
P_HAS_SENTENCE, P_SENTENCE_NUMBER = _iri(DSR.hasSentence), _iri(DSR.sentenceNumber)
P_START_OFFSET, P_END_OFFSET = _iri(DSR.startOffset), _iri(DSR.endOffset)
P_MENTIONS, P_IN_SENTENCE, P_SIGNATORY = _iri(DSR.mentions), _iri(DSR.inSentence), _iri(DSR.signatory)
P_SHA256, P_ENCODING, P_CHARACTERS, P_DOCUMENT_TYPE = (
    _iri(DSR.sha256),
    _iri(DSR.encoding),
    _iri(DSR.characterCount),
    _iri(DSR.documentType),
)
P_TOOL_VERSION, P_PIPELINE_VERSION, P_LEXICON = (
    _iri(DSR.toolVersion),
    _iri(DSR.pipelineVersion),
    _iri(DSR.lexiconFingerprint),
)
P_TITLE, P_LANGUAGE, P_SOURCE, P_IS_PART_OF = (
    _iri(DCTERMS.title),
    _iri(DCTERMS.language),
    _iri(DCTERMS.source),
    _iri(DCTERMS.isPartOf),
)
P_GENERATED_BY, P_DERIVED_FROM, P_USED = _iri(PROV.wasGeneratedBy), _iri(PROV.wasDerivedFrom), _iri(PROV.used)
P_ASSOCIATED_WITH, P_ENDED_AT = _iri(PROV.wasAssociatedWith), _iri(PROV.endedAtTime)
T_PROV_ENTITY, T_PROV_ACTIVITY, T_SOFTWARE = _iri(PROV.Entity), _iri(PROV.Activity), _iri(PROV.SoftwareAgent)
T_ANNOTATION, T_SPECIFIC, T_QUOTE, T_POSITION = (
    _iri(OA.Annotation),
    _iri(OA.SpecificResource),
    _iri(OA.TextQuoteSelector),
    _iri(OA.TextPositionSelector),
)
P_MOTIVATED_BY, V_IDENTIFYING = _iri(OA.motivatedBy), _iri(OA.identifying)
P_HAS_BODY, P_HAS_TARGET, P_HAS_SOURCE, P_HAS_SELECTOR = (
    _iri(OA.hasBody),
    _iri(OA.hasTarget),
    _iri(OA.hasSource),
    _iri(OA.hasSelector),
)
P_EXACT, P_PREFIX, P_SUFFIX, P_START, P_END = (
    _iri(OA.exact),
    _iri(OA.prefix),
    _iri(OA.suffix),
    _iri(OA.start),
    _iri(OA.end),
)

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t\b\f\x00-\x1f\x7f]')


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group()
    return _ESCAPES.get(ch) or f"\\u{ord(ch):04X}"


def literal(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    """Return an N-Triples literal."""
    body = '"' + _NEEDS_ESCAPE.sub(_escape_char, value) + '"'
    if lang:
        return f"{body}@{lang}"
    if datatype:
        return f"{body}^^<{datatype}>"
    return body


def integer(value: int) -> str:
    """Return an N-Triples xsd:integer literal."""
    return f'"{int(value)}"^^<{_XSD_INTEGER}>'


def build_time() -> str:
    """Return the build time as xsd:dateTime text, from ``SOURCE_DATE_EPOCH`` if set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


P_IN_LEXICON, P_FINDING_RULE, P_OF_COUNTRY = _iri(DSR.inLexicon), _iri(DSR.findingRule), _iri(DSR.ofCountry)
P_ADOPTED_AT, P_PLACE, P_PROPOSED_BY, P_EVIDENCE_FOR = (
    _iri(DSR.adoptedAt),
    _iri(DSR.place),
    _iri(DSR.proposedBy),
    _iri(DSR.evidenceFor),
)
P_ISSUED, P_TYPE, P_DATE, P_VALUE = _iri(DCTERMS.issued), _iri(DCTERMS.type), _iri(DCTERMS.date), _iri(RDF.value)
V_DESCRIBING, T_TEXTUAL_BODY = _iri(OA.describing), _iri(OA.TextualBody)
_CLASS = {name: _iri(DSR[name]) for name in ENTITY_TYPES}


def document_triples(
    source: SourceText,
    structure: DocumentStructure,
    mentions: list[Mention],
    *,
    base: str = DEFAULT_BASE,
    built_at: str | None = None,
    lexicon_fingerprint: str = "",
    entities: tuple[Entity, ...] = (),
    metadata: DocumentMetadata | None = None,
    annotation_context: bool = False,
    reading: Reading | None = None,
) -> tuple[str, str]:
    """Serialise one document as N-Triples.

    ``entities`` are the names found outside the lexicon (described in the document's
    graph); ``metadata`` the document's kind, date, place, occasion and parties. Without
    ``metadata`` the signatories are the countries of the signatory sentence.

    Args:
        annotation_context: also write each mention's ``oa:prefix`` / ``oa:suffix`` (16
            characters of context) and ``oa:motivatedBy oa:identifying`` (``kg build
            --annotation-context``); off by default, see :func:`_annotation`.

    Returns:
        ``(document IRI, N-Triples text)``; the IRI is also the graph name.
    """
    doc = document_iri(slugify(source.name, source.sha256), base)
    lines: list[str] = []
    add = lines.append

    def t(s: str, p: str, o: str) -> None:
        add(f"<{s}> {p} {o} .")

    lang = source.language
    t(doc, _A, T_DOCUMENT)
    t(doc, P_TITLE, literal(structure.title, lang))
    t(doc, _LABEL, literal(structure.title, lang))
    t(doc, P_LANGUAGE, literal(lang))
    t(doc, P_SOURCE, literal(source.name))
    t(doc, P_SHA256, literal(source.sha256))
    t(doc, P_CHARACTERS, integer(len(source.text)))
    t(doc, P_DOCUMENT_TYPE, literal(structure.numbering))
    _provenance(t, doc, source, built_at or build_time(), lexicon_fingerprint)

    by_clause: dict[int, list[Mention]] = {}
    for m in mentions:
        by_clause.setdefault(m.clause, []).append(m)
    for clause in structure.clauses:
        c = clause_iri(doc, clause.number)
        _clause(t, doc, c, clause, structure.title, lang)
        seen: set[str] = set()
        for m in by_clause.get(clause.number, ()):
            entity = rebase(m.entity, base)
            if entity not in seen:
                seen.add(entity)
                t(c, P_MENTIONS, f"<{entity}>")
            _annotation(t, c, clause.text, m, entity, annotation_context)
            if m.rule:
                _finding_rule(t, c, m)

    _entities(t, entities, base, lang)
    signed: list[str] = []
    if metadata is not None:
        _metadata(t, doc, metadata, base)
        signed = [rebase(f.value, base) for f in metadata.signatories]
    elif structure.signatory_span:
        number, start, end = structure.signatory_span
        for m in by_clause.get(number, ()):
            if m.type == "Country" and start <= m.start and m.end <= end:
                entity = rebase(m.entity, base)
                if entity not in signed:
                    signed.append(entity)
                    t(doc, P_SIGNATORY, f"<{entity}>")
    if reading is not None:
        _reading(t, doc, structure, reading, signed, base, annotation_context)

    return doc, "\n".join(lines) + "\n"


def _provenance(t, doc: str, source: SourceText, time: str, lexicon_fingerprint: str) -> None:
    """PROV-O: which file, which tool and pipeline, which lexicon, when."""
    activity, source_entity = f"{doc}/build", f"{doc}/source"
    t(doc, P_GENERATED_BY, f"<{activity}>")
    t(doc, P_DERIVED_FROM, f"<{source_entity}>")
    t(source_entity, _A, T_PROV_ENTITY)
    t(source_entity, P_SOURCE, literal(source.name))
    t(source_entity, P_SHA256, literal(source.sha256))
    t(source_entity, P_ENCODING, literal(source.encoding))
    t(activity, _A, T_BUILD)
    t(activity, _A, T_PROV_ACTIVITY)
    t(activity, P_USED, f"<{source_entity}>")
    t(activity, P_ASSOCIATED_WITH, f"<{SOFTWARE_IRI}>")
    t(activity, P_ENDED_AT, literal(time, datatype=_XSD_DATETIME))
    t(activity, P_TOOL_VERSION, literal(__version__))
    t(activity, P_PIPELINE_VERSION, literal(pipeline_version()))
    if lexicon_fingerprint:
        t(activity, P_LEXICON, literal(lexicon_fingerprint))
    t(SOFTWARE_IRI, _A, T_SOFTWARE)
    t(SOFTWARE_IRI, _LABEL, literal(f"dsr-kg {__version__}", "en"))


def _clause(t, doc: str, c: str, clause, title: str, lang: str) -> None:
    """A clause with its number, heading, text, offsets and sentences."""
    t(doc, P_HAS_CLAUSE, f"<{c}>")
    t(c, _A, T_CLAUSE)
    t(c, P_IS_PART_OF, f"<{doc}>")
    t(c, P_CLAUSE_NUMBER, integer(clause.number))
    t(c, _LABEL, literal(f"{title} — {clause.number}", lang))
    t(c, P_HEADING, literal(clause.heading, lang))
    t(c, P_TEXT, literal(clause.text, lang))
    t(c, P_START_OFFSET, integer(clause.start))
    t(c, P_END_OFFSET, integer(clause.end))
    for sent in clause.sentences:
        s = sentence_iri(c, sent.number)
        t(c, P_HAS_SENTENCE, f"<{s}>")
        t(s, _A, T_SENTENCE)
        t(s, P_IS_PART_OF, f"<{c}>")
        t(s, P_SENTENCE_NUMBER, integer(sent.number))
        t(s, P_START_OFFSET, integer(sent.start))
        t(s, P_END_OFFSET, integer(sent.end))
        t(s, P_TEXT, literal(sent.text, lang))


def _annotation(t, c: str, text: str, m: Mention, entity: str, context: bool = False) -> None:
    """One mention as a Web Annotation: body, target, quote and position selectors.

    Always written (the contract, 12 triples): the annotation with its body, target and
    sentence, the target's source and two selectors, the quote selector's ``oa:exact`` and
    the position selector's ``oa:start``/``oa:end``. With ``context`` also the quote's
    ``oa:prefix``/``oa:suffix`` and the ``oa:motivatedBy`` (3 more): measured on the 5 MB
    corpus they were 18 % of the quads and, being distinct strings, more of the store's
    write time (benchmarks/RESULTS.md, "Build"); the offsets already locate every quote.
    """
    a = f"{c}/annotation/{m.start}-{m.end}"
    t(a, _A, T_ANNOTATION)
    if context:
        t(a, P_MOTIVATED_BY, V_IDENTIFYING)
    t(a, P_HAS_BODY, f"<{entity}>")
    if m.sentence:
        t(a, P_IN_SENTENCE, f"<{sentence_iri(c, m.sentence)}>")
    _target(t, a, c, m.exact, m.start, m.end, text if context else None)


def _target(t, a: str, clause: str, exact: str, start: int, end: int, context: str | None = None) -> None:
    """An annotation's target: the words ``exact`` at ``start``-``end`` of the clause's text, by
    a quote and a position selector. Every annotation (mention, metadata evidence, cue word)
    is located the same way; given the clause's text as ``context``, the quote also gets 16
    characters of ``oa:prefix``/``oa:suffix``."""
    target, quote, position = f"{a}/target", f"{a}/quote", f"{a}/position"
    t(a, P_HAS_TARGET, f"<{target}>")
    t(target, _A, T_SPECIFIC)
    t(target, P_HAS_SOURCE, f"<{clause}>")
    t(target, P_HAS_SELECTOR, f"<{quote}>")
    t(target, P_HAS_SELECTOR, f"<{position}>")
    t(quote, _A, T_QUOTE)
    t(quote, P_EXACT, literal(exact))
    if context is not None:
        t(quote, P_PREFIX, literal(context[max(0, start - 16) : start]))
        t(quote, P_SUFFIX, literal(context[end : end + 16]))
    t(position, _A, T_POSITION)
    t(position, P_START, integer(start))
    t(position, P_END, integer(end))


def _finding_rule(t, c: str, m: Mention) -> None:
    """The rule that found a mention outside the lexicon (on the mention's annotation)."""
    t(f"{c}/annotation/{m.start}-{m.end}", P_FINDING_RULE, literal(m.rule))


def _entities(t, entities: tuple[Entity, ...], base: str, lang: str) -> None:
    """Names found outside the lexicon: their class, label, dsr:inLexicon false, country and date."""
    for e in entities:
        iri = rebase(e.iri, base)
        t(iri, _A, _CLASS[e.type])
        t(iri, _LABEL, literal(e.label, e.language or lang))
        t(iri, P_IN_LEXICON, literal("false", datatype=_XSD_BOOLEAN))
        if e.country:
            t(iri, P_OF_COUNTRY, f"<{rebase(e.country, base)}>")
        if e.date:
            t(iri, P_DATE, literal(e.date, datatype=_date_type(e.date)))


def _date_type(value: str) -> str:
    return str({10: XSD.date, 7: XSD.gYearMonth}.get(len(value), XSD.gYear))


def _metadata(t, doc: str, meta: DocumentMetadata, base: str) -> None:
    """Kind, issue date, place, occasion and parties of a document, each with its evidence."""
    facts: list[tuple[str, Fact]] = []
    if meta.kind:
        facts.append((P_TYPE, meta.kind))
    if meta.place:
        facts.append((P_PLACE, meta.place))
    if meta.event:
        facts.append((P_ADOPTED_AT, meta.event))
    facts += [(P_SIGNATORY, f) for f in meta.signatories]
    facts += [(P_PROPOSED_BY, f) for f in meta.proposed_by]
    for prop, fact in facts:
        value = f"<{rebase(fact.value, base)}>"
        t(doc, prop, value)
        if fact.evidence:
            _evidence(t, doc, prop, value, fact.evidence)
    if meta.issued:
        value = literal(meta.issued.value, datatype=meta.issued.datatype)
        t(doc, P_ISSUED, value)
        if meta.issued.evidence:
            body = f"{doc}/issued"
            t(body, _A, T_TEXTUAL_BODY)
            t(body, P_VALUE, value)
            _evidence(t, doc, P_ISSUED, f"<{body}>", meta.issued.evidence)


def _evidence(t, doc: str, prop: str, body: str, ev: Evidence) -> None:
    """The passage that gives a metadata value, annotated like a mention (motivation: describing)."""
    c = clause_iri(doc, ev.clause)
    name = prop.rsplit("#", 1)[-1].rsplit("/", 1)[-1].rstrip(">")
    a = f"{c}/evidence/{name}/{ev.start}-{ev.end}"
    t(a, _A, T_ANNOTATION)
    t(a, P_MOTIVATED_BY, V_DESCRIBING)
    t(a, P_HAS_BODY, body)
    t(a, P_EVIDENCE_FOR, prop)
    if ev.rule:
        t(a, P_FINDING_RULE, literal(ev.rule))
    if ev.sentence:
        t(a, P_IN_SENTENCE, f"<{sentence_iri(c, ev.sentence)}>")
    _target(t, a, c, ev.exact, ev.start, ev.end)


T_COMMITMENT, T_RELATION_MENTION, T_PARTIES = _iri(DSR.Commitment), _iri(DSR.RelationMention), _iri(DSR.Parties)
P_ACTION, P_ACTOR, P_CONCERNS, P_CUE, P_IN_DOCUMENT = (
    _iri(DSR.action),
    _iri(DSR.actor),
    _iri(DSR.concerns),
    _iri(DSR.cue),
    _iri(DSR.inDocument),
)
P_POLICY_AREA, P_AREA_EVIDENCE, P_EVIDENCE_WORD, P_EVIDENCE_ENTITY, P_EVIDENCE_COMMITMENT = (
    _iri(DSR.policyArea),
    _iri(DSR.areaEvidence),
    _iri(DSR.evidenceWord),
    _iri(DSR.evidenceEntity),
    _iri(DSR.evidenceCommitment),
)
P_PARTIES, P_HAS_MEMBER, P_SUBJECT_ANNOTATION, P_OBJECT_ANNOTATION = (
    _iri(DSR.parties),
    _iri(DSR.hasMember),
    _iri(DSR.subjectAnnotation),
    _iri(DSR.objectAnnotation),
)
P_RDF_SUBJECT, P_RDF_PREDICATE, P_RDF_OBJECT = _iri(RDF.subject), _iri(RDF.predicate), _iri(RDF.object)
V_CLASSIFYING = _iri(OA.classifying)
_RELATION = {name: _iri(DSR[name]) for name in ("appliedIn", "cooperatesWith", "invitesRole")}


def cue_iri(clause: str, start: int, end: int) -> str:
    """Return the IRI of the annotation of the cue word at ``start``-``end`` of a clause IRI."""
    return f"{clause}/cue/{start}-{end}"


def commitment_iri(clause: str, start: int, end: int) -> str:
    """Return the IRI of the commitment whose cue word is at ``start``-``end`` of a clause IRI."""
    return f"{clause}/commitment/{start}-{end}"


def _reading(
    t,
    doc: str,
    structure: DocumentStructure,
    reading: Reading,
    signed: list[str],
    base: str,
    context: bool = False,
) -> None:
    """Commitments, clause policy areas and typed relations, each traced to its words.

    A commitment is ``<clause>/commitment/{start}-{end}`` (its cue's offsets); its cue word
    is a Web Annotation ``<clause>/cue/{start}-{end}`` (motivation ``oa:classifying``, body
    the commitment or relation mention) shaped like a mention's. The document's parties are
    one actor, ``<doc>/parties``, with its signatories as members.
    """
    parties = f"{doc}/parties"
    t(doc, P_PARTIES, f"<{parties}>")
    t(parties, _A, T_PARTIES)
    for language, name in class_labels()["Parties"].items():  # the ontology names them: 各方 / Parties
        t(parties, _LABEL, literal(name, language))
    for member in signed:
        t(parties, P_HAS_MEMBER, f"<{member}>")
    texts = {c.number: c.text for c in structure.clauses}
    #: (clause, start, end) of a cue word → (its sentence, the commitments and relation mentions it makes)
    cues: dict[tuple[int, int, int], tuple[int, list[str]]] = {}
    iris: list[str] = []
    for c in reading.commitments:
        clause = clause_iri(doc, c.clause)
        node = commitment_iri(clause, c.start, c.end)
        iris.append(node)
        _commitment(t, doc, clause, node, c, parties, base)
        cues.setdefault((c.clause, c.start, c.end), (c.sentence, []))[1].append(node)
    for number, areas in reading.clause_areas.items():
        clause = clause_iri(doc, number)
        for f in areas:
            _area(t, clause, f, base, [iris[i] for i in f.commitments])
    counters: dict[tuple[str, int, str], int] = {}
    asserted: set[tuple[str, str, str]] = set()
    for r in reading.relations:
        clause = clause_iri(doc, r.clause)
        sentence = sentence_iri(clause, r.sentence)
        key = (clause, r.sentence, r.predicate)
        counters[key] = counters.get(key, 0) + 1
        node = f"{sentence}/relation/{r.predicate}/{counters[key]}"
        subject = doc if r.predicate == "invitesRole" else (rebase(r.subject, base) if r.subject else parties)
        obj, pred = rebase(r.object, base), _RELATION[r.predicate]
        if (subject, pred, obj) not in asserted:  # stated by several sentences: asserted once
            asserted.add((subject, pred, obj))
            t(subject, pred, f"<{obj}>")
        t(node, _A, T_RELATION_MENTION)
        t(node, P_RDF_SUBJECT, f"<{subject}>")
        t(node, P_RDF_PREDICATE, pred)
        t(node, P_RDF_OBJECT, f"<{obj}>")
        t(node, P_IN_DOCUMENT, f"<{doc}>")
        t(node, P_IN_SENTENCE, f"<{sentence}>")
        t(node, P_CUE, f"<{cue_iri(clause, r.start, r.end)}>")
        cues.setdefault((r.clause, r.start, r.end), (r.sentence, []))[1].append(node)
        if r.subject_span:
            t(node, P_SUBJECT_ANNOTATION, f"<{clause}/annotation/{r.subject_span[0]}-{r.subject_span[1]}>")
        if r.object_span:
            t(node, P_OBJECT_ANNOTATION, f"<{clause}/annotation/{r.object_span[0]}-{r.object_span[1]}>")
    for (number, start, end), (sentence_number, bodies) in cues.items():
        _cue(t, clause_iri(doc, number), texts[number], start, end, bodies, sentence_number, context)


def _commitment(t, doc: str, clause: str, node: str, c: Commitment, parties: str, base: str) -> None:
    t(node, _A, T_COMMITMENT)
    t(node, P_IN_DOCUMENT, f"<{doc}>")
    t(node, P_IN_SENTENCE, f"<{sentence_iri(clause, c.sentence)}>")
    t(node, P_ACTION, f"<{rebase(c.action, base)}>")
    t(node, P_ACTOR, f"<{rebase(c.actor, base) if c.actor else parties}>")
    # no rdfs:label: a distinct string per commitment is costly to store (pages name a
    # commitment by its action's label); the cue's oa:exact holds the words
    for e in c.concerns:
        t(node, P_CONCERNS, f"<{rebase(e, base)}>")
    t(node, P_CUE, f"<{cue_iri(clause, c.start, c.end)}>")
    for f in c.areas:
        _area(t, node, f, base, [])


def _area(t, node: str, f: AreaFinding, base: str, commitments: list[str]) -> None:
    area = rebase(f.area, base)
    evidence = f"{node}/area/{area.rstrip('/').rsplit('/', 1)[-1]}"
    t(node, P_POLICY_AREA, f"<{area}>")
    t(node, P_AREA_EVIDENCE, f"<{evidence}>")
    t(evidence, P_POLICY_AREA, f"<{area}>")
    for w in f.words:
        t(evidence, P_EVIDENCE_WORD, literal(w))
    for e in f.entities:
        t(evidence, P_EVIDENCE_ENTITY, f"<{rebase(e, base)}>")
    for c in commitments:
        t(evidence, P_EVIDENCE_COMMITMENT, f"<{c}>")


def _cue(t, clause: str, text: str, start: int, end: int, bodies: list[str], sentence: int, context: bool) -> None:
    """The cue word of commitments and relation mentions, annotated like a mention (motivation:
    classifying; one annotation with every statement the word makes as a body)."""
    a = cue_iri(clause, start, end)
    t(a, _A, T_ANNOTATION)
    t(a, P_MOTIVATED_BY, V_CLASSIFYING)
    for body in bodies:
        t(a, P_HAS_BODY, f"<{body}>")
    if sentence:
        t(a, P_IN_SENTENCE, f"<{sentence_iri(clause, sentence)}>")
    _target(t, a, clause, text[start:end], start, end, text if context else None)
