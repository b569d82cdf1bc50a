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
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .namespaces import DEFAULT_BASE
from .records import DocumentStructure, Mention, SourceText

_DSR = "https://w3id.org/dsr-kg/ontology#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DCT = "http://purl.org/dc/terms/"
_OA = "http://www.w3.org/ns/oa#"
_PROV = "http://www.w3.org/ns/prov#"
SOFTWARE_IRI = f"https://w3id.org/dsr-kg/software/dsr-kg/{__version__}"

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t\b\f\x00-\x1f\x7f]')
_SLUG_BAD = re.compile(r"[^\w.\-]+")


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
    return f'"{int(value)}"^^<{_XSD}integer>'


def slugify(name: str, sha256: str = "") -> str:
    """Return the IRI slug of a document: its file stem with unsafe characters replaced."""
    stem = Path(name).stem
    slug = _SLUG_BAD.sub("-", stem).strip("-.")
    return slug or f"document-{sha256[:12]}"


def document_iri(slug: str, base: str = DEFAULT_BASE) -> str:
    """Return the IRI of a document (also the name of its graph)."""
    return f"{base}document/{slug}"


def rebase(iri: str, base: str) -> str:
    """Move an IRI written against :data:`DEFAULT_BASE` onto ``base``."""
    if base != DEFAULT_BASE and iri.startswith(DEFAULT_BASE):
        return base + iri[len(DEFAULT_BASE) :]
    return iri


def build_time() -> str:
    """Return the build time as xsd:dateTime text, from ``SOURCE_DATE_EPOCH`` if set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch and epoch.isdigit() else datetime.now(timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def document_triples(
    source: SourceText,
    structure: DocumentStructure,
    mentions: list[Mention],
    *,
    base: str = DEFAULT_BASE,
    built_at: str | None = None,
    lexicon_fingerprint: str = "",
) -> tuple[str, str]:
    """Serialise one document as N-Triples.

    Returns:
        ``(document IRI, N-Triples text)``; the IRI is also the graph name.
    """
    lang = source.language
    slug = slugify(source.name, source.sha256)
    doc = document_iri(slug, base)
    lines: list[str] = []
    add = lines.append

    def t(s: str, p: str, o: str) -> None:
        add(f"<{s}> <{p}> {o} .")

    t(doc, _RDF + "type", f"<{_DSR}Document>")
    t(doc, _DCT + "title", literal(structure.title, lang))
    t(doc, _RDFS + "label", literal(structure.title, lang))
    t(doc, _DCT + "language", literal(lang))
    t(doc, _DCT + "source", literal(source.name))
    t(doc, _DSR + "sha256", literal(source.sha256))
    t(doc, _DSR + "characterCount", integer(len(source.text)))
    t(doc, _DSR + "documentType", literal(structure.numbering))

    # Provenance (PROV-O): which file, which tool, when.
    activity = f"{doc}/build"
    source_entity = f"{doc}/source"
    time = built_at or build_time()
    t(doc, _PROV + "wasGeneratedBy", f"<{activity}>")
    t(doc, _PROV + "wasDerivedFrom", f"<{source_entity}>")
    t(source_entity, _RDF + "type", f"<{_PROV}Entity>")
    t(source_entity, _DCT + "source", literal(source.name))
    t(source_entity, _DSR + "sha256", literal(source.sha256))
    t(source_entity, _DSR + "encoding", literal(source.encoding))
    t(activity, _RDF + "type", f"<{_DSR}BuildActivity>")
    t(activity, _RDF + "type", f"<{_PROV}Activity>")
    t(activity, _PROV + "used", f"<{source_entity}>")
    t(activity, _PROV + "wasAssociatedWith", f"<{SOFTWARE_IRI}>")
    t(activity, _PROV + "endedAtTime", literal(time, datatype=_XSD + "dateTime"))
    t(activity, _DSR + "toolVersion", literal(__version__))
    if lexicon_fingerprint:
        t(activity, _DSR + "lexiconFingerprint", literal(lexicon_fingerprint))
    t(SOFTWARE_IRI, _RDF + "type", f"<{_PROV}SoftwareAgent>")
    t(SOFTWARE_IRI, _RDFS + "label", literal(f"dsr-kg {__version__}", "en"))

    by_clause: dict[int, list[Mention]] = {}
    for m in mentions:
        by_clause.setdefault(m.clause, []).append(m)

    for clause in structure.clauses:
        c = f"{doc}/clause/{clause.number}"
        t(doc, _DSR + "hasClause", f"<{c}>")
        t(c, _RDF + "type", f"<{_DSR}Clause>")
        t(c, _DCT + "isPartOf", f"<{doc}>")
        t(c, _DSR + "clauseNumber", integer(clause.number))
        t(c, _RDFS + "label", literal(f"{structure.title} — {clause.number}", lang))
        t(c, _DSR + "heading", literal(clause.heading, lang))
        t(c, _DSR + "text", literal(clause.text, lang))
        t(c, _DSR + "startOffset", integer(clause.start))
        t(c, _DSR + "endOffset", integer(clause.end))
        for sent in clause.sentences:
            s = f"{c}/sentence/{sent.number}"
            t(c, _DSR + "hasSentence", f"<{s}>")
            t(s, _RDF + "type", f"<{_DSR}Sentence>")
            t(s, _DCT + "isPartOf", f"<{c}>")
            t(s, _DSR + "sentenceNumber", integer(sent.number))
            t(s, _DSR + "startOffset", integer(sent.start))
            t(s, _DSR + "endOffset", integer(sent.end))
            t(s, _DSR + "text", literal(sent.text, lang))
        seen: set[str] = set()
        for m in by_clause.get(clause.number, ()):
            entity = rebase(m.entity, base)
            if entity not in seen:
                seen.add(entity)
                t(c, _DSR + "mentions", f"<{entity}>")
            a = f"{c}/annotation/{m.start}-{m.end}"
            target, quote, position = f"{a}/target", f"{a}/quote", f"{a}/position"
            t(a, _RDF + "type", f"<{_OA}Annotation>")
            t(a, _OA + "motivatedBy", f"<{_OA}identifying>")
            t(a, _OA + "hasBody", f"<{entity}>")
            t(a, _OA + "hasTarget", f"<{target}>")
            if m.sentence:
                t(a, _DSR + "inSentence", f"<{c}/sentence/{m.sentence}>")
            t(target, _RDF + "type", f"<{_OA}SpecificResource>")
            t(target, _OA + "hasSource", f"<{c}>")
            t(target, _OA + "hasSelector", f"<{quote}>")
            t(target, _OA + "hasSelector", f"<{position}>")
            t(quote, _RDF + "type", f"<{_OA}TextQuoteSelector>")
            t(quote, _OA + "exact", literal(m.exact))
            t(quote, _OA + "prefix", literal(clause.text[max(0, m.start - 16) : m.start]))
            t(quote, _OA + "suffix", literal(clause.text[m.end : m.end + 16]))
            t(position, _RDF + "type", f"<{_OA}TextPositionSelector>")
            t(position, _OA + "start", integer(m.start))
            t(position, _OA + "end", integer(m.end))

    if structure.signatory_span:
        number, start, end = structure.signatory_span
        signed: set[str] = set()
        for m in by_clause.get(number, ()):
            if m.type == "Country" and start <= m.start and m.end <= end:
                entity = rebase(m.entity, base)
                if entity not in signed:
                    signed.add(entity)
                    t(doc, _DSR + "signatory", f"<{entity}>")

    return doc, "\n".join(lines) + "\n"
