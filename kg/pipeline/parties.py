"""Stage 4a: who proposes or signs a document, in every form documents and reports say it.

The parties are read from the mentions of one passage, the first of these forms that names
anyone:

``cue``
    the sentence with a signatory cue of ``ontology/cues.ttl`` (提出以下倡议, 同意以下,
    "put forward the following") — the seed's form;
``collective``
    the phrase that defines the parties' collective name, up to its definition
    (…非洲联盟委员会主席（以下称“双方”）, "… (hereinafter "the Parties")"), or a sentence that
    begins with the collective name and ends in 如下 (双方……同意共同制定《…》如下);
``declarants``
    "We, the Ministers/Leaders/Member States of …," up to the comma before the verb;
``parties``
    a memorandum or agreement "between the Government of X and the Government of Y" /
    中华人民共和国政府和X国政府…备忘录;
``adoption``
    in a report, the subject of an adoption verb with a document after it
    (金砖国家领导人会晤核准了《…》: the organisation that holds the meeting).

Countries become ``dsr:signatory``; organisations and government bodies ``dsr:proposedBy``,
and a government body that signs brings its country in as a signatory. Each value carries
the mention it was read from as its evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..core.records import DocumentStructure, Evidence, Fact, Mention, SourceText
from .lexicon import Lexicon

#: (document start, document end, mention) — mentions placed in the document's text
Placed = tuple[int, int, Mention]
_PARTY_TYPES = ("Country", "Organisation", "GovernmentBody")
_WE = re.compile(r"\b(?:we|We|WE),\s+(?:the\s+)?")
_VERB_COMMA = re.compile(r",\s+(?!and\b|the\b|as\b|of\b|or\b)[a-z]")
_DOC_AFTER = re.compile(r"[了]?\s*[《\"]|\s+(?:the|a|an)\s+[A-Z]")


def find_parties(
    source: SourceText, structure: DocumentStructure, placed: list[Placed], lexicon: Lexicon
) -> tuple[tuple[Fact, ...], tuple[Fact, ...]]:
    """Return (signatories, proposed by) of a document, each value with its evidence."""
    text = source.text
    forms: list[Callable[[], tuple[list[tuple[int, int]], str]]] = [
        lambda: (_cue_span(structure, lexicon), "cue"),
        lambda: (_collective_spans(text, source.language, lexicon), "collective"),
        lambda: (_declarant_spans(text), "declarants"),
        lambda: (_parties_spans(text, structure), "parties"),
        lambda: (_adoption_spans(text, source.language, lexicon), "adoption"),
    ]
    for form in forms:
        spans, rule = form()
        chosen = [p for p in placed if p[2].type in _PARTY_TYPES and any(s <= p[0] and p[1] <= e for s, e in spans)]
        if chosen:
            return _facts(chosen, rule, lexicon)
    return (), ()


def _facts(chosen: list[Placed], rule: str, lexicon: Lexicon) -> tuple[tuple[Fact, ...], tuple[Fact, ...]]:
    signatories: dict[str, Fact] = {}
    proposers: dict[str, Fact] = {}
    for _s, _e, m in chosen:
        evidence = Evidence(m.clause, m.start, m.end, m.exact, m.sentence, rule)
        if m.type == "Country":
            signatories.setdefault(m.entity, Fact(m.entity, evidence))
        else:
            proposers.setdefault(m.entity, Fact(m.entity, evidence))
            country = lexicon.country_of.get(m.entity, "")
            if m.type == "GovernmentBody" and country:
                signatories.setdefault(country, Fact(country, evidence))
    return tuple(signatories.values()), tuple(proposers.values())


def _cue_span(structure: DocumentStructure, _lexicon: Lexicon) -> list[tuple[int, int]]:
    if not structure.signatory_span:
        return []
    number, start, end = structure.signatory_span
    clause = next(c for c in structure.clauses if c.number == number)
    return [(clause.start + start, clause.start + end)]


def _sentences(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in re.finditer(r"[。！？!?；;]|\.(?=\s)|\n", text):
        out.append((pos, m.end()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def _collective_spans(text: str, language: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    names = lexicon.phrase_list("CollectiveNames", language)
    if not names:
        return []
    alternatives = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
    if language == "zh":
        definition = re.compile(rf"[（(]\s*以下(?:简|统)?称\s*[“\"]?(?:{alternatives})[”\"]?\s*[）)]")
    else:
        definition = re.compile(
            rf"\(\s*(?:hereinafter(?:\s+(?:referred\s+to\s+as|called))?|together|collectively|jointly)?[\s,]*[“\"]?(?:{alternatives})[”\"]?\s*\)",
            re.I,
        )
    spans = []
    for s, e in _sentences(text):
        m = definition.search(text, s, e)
        if m:
            spans.append((s, m.start()))
    if spans or language != "zh":
        return spans[:1]
    lead = re.compile(rf"\s*(?:{alternatives})")
    for s, e in _sentences(text):
        if lead.match(text, s) and re.search(r"如下\s*[:：]?\s*$", text[s:e]):
            return [(s, e)]
    return []


def _declarant_spans(text: str) -> list[tuple[int, int]]:
    for m in _WE.finditer(text):
        end = _VERB_COMMA.search(text, m.end())
        line_end = text.find("\n", m.end())
        stop = end.start() if end else (line_end if line_end >= 0 else len(text))
        if line_end >= 0:
            stop = min(stop, line_end)
        if stop - m.end() > 3:
            return [(m.end(), stop)]
    return []


def _parties_spans(text: str, structure: DocumentStructure) -> list[tuple[int, int]]:
    head = text[: (structure.clauses[1].start if len(structure.clauses) > 1 else min(len(text), 600))]
    m = re.search(
        r"\bbetween\s+(?:the\s+)?(.+?)\s+and\s+(?:the\s+)?(.+?)(?=\s+(?:on|concerning|regarding|in|for)\s|[,.;\n]|$)",
        head,
    )
    if m and re.search(r"Memorandum|Agreement|MoU|MOU|Protocol|Arrangement", head):
        return [(m.start(1), m.end(2))]
    m = re.search(r"([^\n，,。]{2,30}?)(?:政府)?(?:和|与)([^\n，,。]{2,30}?)(?:政府)?关于", head)
    if m and re.search(r"备忘录|协定|协议|议定书", head):
        return [(m.start(1), m.end(2))]
    return []


def _adoption_spans(text: str, language: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    verbs = lexicon.phrase_list("AdoptionVerbs", language)
    if not verbs:
        return []
    verb = re.compile("|".join(map(re.escape, sorted(verbs, key=len, reverse=True))))
    for s, e in _sentences(text):
        for m in verb.finditer(text, s, e):
            if _DOC_AFTER.match(text, m.end()):
                clause_start = max((c.end() for c in re.finditer(r"[,，;；:：]", text[s : m.start()])), default=0)
                return [(s + clause_start, m.start())]
    return []
