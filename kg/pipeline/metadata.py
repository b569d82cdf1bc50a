"""Stage 4: what a document says about itself — kind, date, place, occasion and parties.

Everything is read from the text and recorded with the passage that gives it
(:class:`~kg.core.records.Evidence`, the rule in ``Evidence.rule``):

``dcterms:type``
    a news dateline (新华社北京10月19日电, "BEIJING, June 27 (Xinhua) --") makes a news report
    (rule ``dateline``); else the longest kind cue of ``document_kinds.ttl`` in the title
    (行动计划, "Leaders' Statement"; rule ``title``); else an unnumbered text that reports
    speech (说, 表示, "said") is a news report (rule ``reported-speech``).
``dcterms:issued``
    as precise as the text gives it: a dateline with a year ("Geneva, 27 October 2020 –"),
    a line that is only a date ("July 22, 2020", rule ``date-line``), the day of adoption
    (会议于30日通过《…》 with the month and year given before it; "met … on 26 October 2021";
    rule ``adoption``), or — for a document drawn up at a meeting of several days without
    the day of adoption — the meeting's month (``gYearMonth``). A dateline without a year
    (中评社北京6月28日电) gives no date.
``dsr:adoptedAt``
    the first event of the document that is its occasion: in Chinese not one that only
    frames another (在……峰会上，……论坛); in English one named in the title block or after
    "at", "during", "on the occasion of".
``dsr:place``
    the dateline's city; for a document that is not a report, the place where its occasion
    was held (会议在塞内加尔首都达喀尔举行).
``dsr:signatory`` / ``dsr:proposedBy``
    :mod:`kg.pipeline.parties`.
"""

from __future__ import annotations

import re

from ..core.records import DocumentMetadata, DocumentStructure, Evidence, Extraction, Fact, SourceText
from .dates import DATE, YEAR_MONTH, DateMention, find_dates
from .lexicon import Lexicon
from .names import sentence_bounds
from .parties import Placed, find_parties
from .script import search_form

KIND_IRI = "https://w3id.org/dsr-kg/id/document-kind/"
_ZH_DATELINE = re.compile(r"^(?:[^\n，,。]{0,12}?社)?(?:[\u4e00-\u9fff]{2,6})\s*(?:\d{4}年)?\d{1,2}月\d{1,2}日电")
_EN_DATELINE = re.compile(
    r"^([A-Z][A-Za-z .'\-]{1,30}),\s+([A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?|\d{1,2}\s+[A-Z][a-z]+\s+\d{4})\s*(\([^)\n]{2,30}\))?\s*(?:--|—|–|-)"
)
_SPEECH = re.compile(r"说[。，,]|表示[，,:：]|介绍[，,:：]|\bsaid\b|\bsays\b")
_EN_OCCASION = re.compile(
    r"(?:\bat|\bduring|\bon the occasion of|\bon the sidelines of|\bat the margins of)\s+(?:the\s+)?$", re.I
)


def document_metadata(
    source: SourceText, structure: DocumentStructure, extraction: Extraction, lexicon: Lexicon
) -> DocumentMetadata:
    """Read the kind, issue date, place, occasion and parties of a document."""
    text = search_form(source.text, source.language)
    starts = {c.number: c.start for c in structure.clauses}
    placed: list[Placed] = [(starts[m.clause] + m.start, starts[m.clause] + m.end, m) for m in extraction.mentions]
    where = _Locator(structure, source.text)
    dateline = _dateline(text, source.language)
    kind = _kind(text, structure, lexicon, source.language, dateline, where)
    is_report = kind is not None and kind.value.endswith(("news-report", "speech-report", "briefing"))
    event = _event(text, placed, source.language)
    issued = _issued(text, source.language, dateline, event, is_report, where)
    place = _place(text, placed, dateline, event, is_report)
    signatories, proposed_by = find_parties(source, structure, placed, lexicon)
    return DocumentMetadata(
        kind=kind,
        issued=issued,
        place=place,
        event=_fact_of(event, "occasion"),
        signatories=signatories,
        proposed_by=proposed_by,
    )


class _Locator:
    """Turns document offsets into clause evidence."""

    def __init__(self, structure: DocumentStructure, text: str) -> None:
        self.clauses = sorted(structure.clauses, key=lambda c: c.start)
        self.text = text

    def evidence(self, start: int, end: int, rule: str) -> Evidence | None:
        for c in self.clauses:
            if c.start <= start and end <= c.end:
                cs, ce = start - c.start, end - c.start
                sentence = next((x.number for x in c.sentences if x.start <= cs and ce <= x.end), 0)
                return Evidence(c.number, cs, ce, c.text[cs:ce], sentence, rule)
        return None


def _fact_of(placed: Placed | None, rule: str) -> Fact | None:
    if placed is None:
        return None
    m = placed[2]
    return Fact(m.entity, Evidence(m.clause, m.start, m.end, m.exact, m.sentence, rule))


def _dateline(text: str, language: str) -> tuple[int, int, bool] | None:
    """(start, end, is a news agency's) of a dateline at the start of one of the first paragraphs."""
    pos = 0
    for line in text.split("\n")[:6]:
        stripped = line.lstrip()
        offset = pos + len(line) - len(stripped)
        m = (_ZH_DATELINE if language == "zh" else _EN_DATELINE).match(stripped)
        if m:
            agency = language == "zh" or bool(m.lastindex and m.lastindex >= 3 and m.group(3))
            return offset, offset + m.end(), agency
        pos += len(line) + 1
    return None


def _kind(
    text: str,
    structure: DocumentStructure,
    lexicon: Lexicon,
    language: str,
    dateline: tuple[int, int, bool] | None,
    where: _Locator,
) -> Fact | None:
    if dateline and dateline[2]:
        return Fact(KIND_IRI + "news-report", where.evidence(dateline[0], dateline[1], "dateline"))
    title = structure.title
    title_at = text.find(search_form(title, language)) if title else -1
    best: tuple[int, int, str] | None = None
    for cue, lang, kind in lexicon.kind_cues:
        if lang != language or not title:
            continue
        folded = search_form(cue, language)
        at = search_form(title, language).rfind(folded) if language == "zh" else title.rfind(folded)
        if at < 0 or (language == "en" and not _whole_words(title, at, len(folded))):
            continue
        if best is None or len(folded) > best[1] or (len(folded) == best[1] and at > best[0]):
            best = (at, len(folded), kind)
    if best is not None and title_at >= 0:
        at, length, kind = best
        return Fact(kind, where.evidence(title_at + at, title_at + at + length, "title"))
    if structure.numbering == "none":
        m = _SPEECH.search(text)
        if m:
            return Fact(KIND_IRI + "news-report", where.evidence(m.start(), m.end(), "reported-speech"))
    return None


def _whole_words(text: str, at: int, length: int) -> bool:
    before = text[at - 1] if at > 0 else " "
    after = text[at + length] if at + length < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def _event(text: str, placed: list[Placed], language: str) -> Placed | None:
    events = sorted((p for p in placed if p[2].type == "Event"), key=lambda p: p[0])
    for p in events:
        s, e, _m = p
        if language == "zh":
            left, _right = sentence_bounds(text, s, e)
            if re.search(r"在[^，,。]{0,20}$", text[left:s]) and re.match(r"\s*(?:上|期间)", text[e : e + 3]):
                continue  # 在2015年安塔利亚峰会上: the time or frame of something else
            return p
        before = text[max(0, s - 40) : s]
        in_title_block = "\n" not in text[:s] or (text[:s].count("\n") <= 2 and not re.search(r"[.!?]", text[:s]))
        if _EN_OCCASION.search(before) or in_title_block:
            return p
    return None


def _issued(
    text: str,
    language: str,
    dateline: tuple[int, int, bool] | None,
    event: Placed | None,
    is_report: bool,
    where: _Locator,
) -> Fact | None:
    def fact(d: DateMention, offset: int, rule: str, value: str = "", datatype: str = "") -> Fact:
        return Fact(value or d.value, where.evidence(offset + d.start, offset + d.end, rule), datatype or d.datatype)

    if dateline:
        dates = [d for d in find_dates(text[dateline[0] : dateline[1]]) if d.value]
        if dates:
            return fact(dates[0], dateline[0], "dateline")
        if dateline[2]:
            return None  # 中评社北京6月28日电: no year
    pos = 0
    for line in text.split("\n")[:4]:  # a line that is only a date, or a title line ending in one
        dates = [d for d in find_dates(line) if d.datatype == DATE]
        alone = len(line.strip()) <= (dates[-1].end - dates[-1].start + 4) if dates else False
        title_block = (
            dates
            and not line[: dates[-1].start].rstrip().endswith((".", "。", ",", "，"))
            and line[dates[-1].end :].strip() == ""
        )
        if dates and (alone or (title_block and not re.search(r"[.!?。！？]\s", line))):
            return fact(dates[-1], pos, "date-line")
        pos += len(line) + 1
    if is_report:
        return None
    adopted = _adoption_day(text, language, where)
    if adopted:
        return adopted
    if event is not None:
        left, right = sentence_bounds(text, event[0], event[1])
        dates = [d for d in find_dates(text[left:right]) if d.value]
        if dates:
            d = dates[0]
            span = text[left + d.start : left + d.end]
            if d.datatype == DATE and re.search(r"[至到—–-]|\bto\b", span):
                return fact(d, left, "occasion", d.value[:7], YEAR_MONTH)  # drawn up at a meeting of several days
            if language == "en" and d.datatype == DATE:
                return fact(d, left, "adoption")
    return None


def _adoption_day(text: str, language: str, where: _Locator) -> Fact | None:
    """会议于30日通过《…》 with the year and month given earlier in the paragraph."""
    if language != "zh":
        return None
    for m in re.finditer(r"于\s*(\d{1,2})\s*日\s*(?:通过|发表|签署|发布|核准)", text[:2000]):
        earlier = [d for d in find_dates(text[max(0, m.start() - 300) : m.start()]) if d.value and d.datatype == DATE]
        if earlier:
            year_month = earlier[-1].value[:7]
            day = int(m.group(1))
            return Fact(f"{year_month}-{day:02d}", where.evidence(m.start(1), m.end(1) + 1, "adoption"), DATE)
    return None


def _place(
    text: str, placed: list[Placed], dateline: tuple[int, int, bool] | None, event: Placed | None, is_report: bool
) -> Fact | None:
    places = [p for p in placed if p[2].type == "Place"]
    if dateline:
        inside = [p for p in places if dateline[0] <= p[0] and p[1] <= dateline[1]]
        if inside:
            return _fact_of(inside[0], "dateline")
    if is_report or event is None:
        return None
    left, right = sentence_bounds(text, event[0], event[1])
    held = [p for p in places if left <= p[0] and p[1] <= right and p[2].rule != "holder"]
    if held and re.search(r"举行|召开|举办|\bheld\b|\bin\b", text[left:right]):
        return _fact_of(held[-1], "occasion")
    return None
