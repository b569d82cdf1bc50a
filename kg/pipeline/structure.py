"""Stage 2: normalised text → title, clauses, sentences and the signatory sentence.

Clause numbering is recognised at the start of a paragraph, in one of three schemes:
``1.`` / ``1、`` (arabic), ``一、`` (chinese, with ``（一）`` sub-items kept inside their
clause) and ``第一条`` / ``Article 1`` / ``Article IV`` (article; the number may stand alone
on its line, as in treaties). Numbers must run 1, 2, 3 … without gaps, so a paragraph
that happens to start with "2030年" or "3.5%" is never a clause. A text without
numbering becomes clause 0 with its sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..core.records import Clause, DocumentStructure, Sentence, SourceText
from .script import search_form

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100}

_SCHEMES: dict[str, re.Pattern[str]] = {
    "arabic": re.compile(r"^(\d{1,3})\s*[.．、](?!\d)\s*"),
    "chinese": re.compile(r"^([一二三四五六七八九十百]{1,4})\s*[、．]\s*"),
    "article": re.compile(r"^第([一二三四五六七八九十百零〇]{1,5}|\d{1,3})条\s*"),
    "article_en": re.compile(r"^(?:Article|ARTICLE|Art\.)\s+(\d{1,3}|[IVXLC]{1,7})(?![\w.]*\d)\s*[.:—–-]?\s*"),
    "parenthesised": re.compile(r"^[（(]([一二三四五六七八九十]{1,3}|\d{1,2})[)）]\s*"),
    # paragraphs opened by an English ordinal ("First, strengthening …", "Secondly, …")
    "ordinal": re.compile(r"^(First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth)(?:ly)?,\s+(?=\S)"),
}
_ORDINALS = {
    w: i + 1
    for i, w in enumerate(
        ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth")
    )
}

# Sentence ends: Chinese full stops (no space needed) and Latin ones followed by space.
_ZH_END = re.compile(r"(?:[。！？!?]+|(?<=[\u4e00-\u9fff])\.(?=[\u4e00-\u9fff“\"]))[”’」』）)\"']*")
_EN_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9\u4e00-\u9fff])")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|No|Nos|Art|para|Dr|Mr|Ms|Mrs|St|Inc|Ltd|Co|Corp|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z])\.$"
)


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def chinese_numeral(text: str) -> int | None:
    """Return the value of a clause number: arabic, Chinese up to 999 (一 → 1, 十二 → 12,
    二十 → 20) or Roman (IV → 4), else None."""
    if text.isdigit():
        return int(text)
    if text in _ORDINALS:
        return _ORDINALS[text]
    if text and all(ch in _ROMAN for ch in text):
        values = [_ROMAN[ch] for ch in text]
        return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def _paragraphs(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for para in text.split("\n"):
        out.append((pos, para))
        pos += len(para) + 1
    return out


def _find_markers(paras: list[tuple[int, str]]) -> dict[str, list[tuple[int, int, int]]]:
    """Per scheme: (paragraph index, number, marker length) for every paragraph start that matches."""
    found: dict[str, list[tuple[int, int, int]]] = {name: [] for name in _SCHEMES}
    for i, (_, para) in enumerate(paras):
        for name, pattern in _SCHEMES.items():
            m = pattern.match(para)
            if not m:
                continue
            n = chinese_numeral(m.group(1))
            if not n:
                continue
            if len(para) > m.end():
                found[name].append((i, n, m.end()))
            elif name.startswith("article") and i + 1 < len(paras):
                found[name].append((i, n, len(para) + 1))  # "Article 1" alone: text starts on the next line
    return found


def _sequence(
    markers: list[tuple[int, int, int]], paras: list[tuple[int, str]] | None = None
) -> list[tuple[int, int, int]]:
    """Keep the markers that continue the run 1, 2, 3 … in document order.

    A run whose items are all headings on consecutive lines, with no sentence in them, is a
    table of contents when the numbering starts again at 1 after it: the run is read from
    there, and the contents stay in clause 0.
    """
    run: list[tuple[int, int, int]] = []
    for marker in markers:
        if marker[1] == len(run) + 1:
            run.append(marker)
    if paras is not None and len(run) >= 2:
        first, last = run[0][0], run[-1][0]
        lines = [re.sub(r"^[\d.．、\s]+", "", p) for _, p in paras[first : last + 1]]
        restart = [m for m in markers if m[1] == 1 and m[0] > last]
        if restart and not any(re.search(r"[。！？；]|[.!?;]\s", line) for line in lines):
            again = _sequence([m for m in markers if m[0] >= restart[0][0]])
            if again:
                return again
    return run


def _choose_numbering(paras: list[tuple[int, str]]) -> tuple[str, list[tuple[int, int, int]]]:
    found = _find_markers(paras)
    best_name, best_run, best_start = "none", [], len(paras) + 1
    for minimum in (2, 1):  # a list with only one numbered clause is still a clause
        for name in ("chinese", "article", "article_en", "arabic", "parenthesised", "ordinal"):
            run = _sequence(found[name], paras)
            if len(run) < minimum or (minimum == 1 and (name in ("parenthesised", "ordinal") or len(run) != 1)):
                continue
            # The top level is the scheme whose item 1 comes first: 一、 before its （一） and 1.
            if run[0][0] < best_start:
                best_name, best_run, best_start = name, run, run[0][0]
        if best_run:
            break
    return ("article" if best_name == "article_en" else best_name), best_run


def split_sentences(text: str, language: str) -> tuple[Sentence, ...]:
    """Split a clause's text into sentences with offsets into ``text``.

    Chinese sentences end at 。！？ (and a closing quote after them); English ones at
    . ! ? followed by a space and a capital, except after common abbreviations. A line
    break always ends a sentence.
    """
    bounds: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        ends = [m.end() for m in _ZH_END.finditer(line)]
        if language == "en" or re.search(r"[.!?]\s", line):
            ends += [m.end() for m in _EN_END.finditer(line) if not _ABBREVIATIONS.search(line[: m.start() + 1])]
        cut = 0
        for end in sorted(set(ends)):
            if end > cut:
                bounds.append((start + cut, start + end))
                cut = end
        if cut < len(line):
            bounds.append((start + cut, start + len(line)))
        pos += len(line) + 1
    sentences: list[Sentence] = []
    for s, e in bounds:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            sentences.append(Sentence(number=len(sentences) + 1, start=s, end=e, text=text[s:e]))
    return tuple(sentences)


def _clause(number: int, doc_text: str, start: int, end: int, language: str, label: str, heading: str | None) -> Clause:
    text = doc_text[start:end]
    sentences = split_sentences(text, language)
    if heading is None:
        heading = sentences[0].text if sentences else text
    return Clause(number=number, text=text, heading=heading, start=start, end=end, sentences=sentences, label=label)


def segment(
    source: SourceText, signatory_cues: Iterable[str] = (), fallback_title: str | None = None
) -> DocumentStructure:
    """Split a normalised document into title, clause 0 and numbered clauses.

    Args:
        source: output of :func:`kg.pipeline.ingest.read_source`.
        signatory_cues: phrases (提出以下倡议, "put forward the following" …) that mark the
            sentence listing the proposing countries; matched case-insensitively.
        fallback_title: used when the first paragraph does not look like a title.

    Returns:
        The document structure; clause 0 is always present.
    """
    text, language = source.text, source.language
    paras = _paragraphs(text)
    warnings: list[str] = []
    first = paras[0][1]
    looks_like_title = len(first) <= 150 and first[-1:] not in "。！？.!?" and not _SCHEMES["arabic"].match(first)
    title = first if looks_like_title else (fallback_title or first[:80])

    numbering, run = _choose_numbering(paras)
    clauses: list[Clause] = []
    if not run:
        numbering = "none"
        warnings.append("no numbered clauses found; the whole text became clause 0")
        clauses.append(_clause(0, text, 0, len(text), language, "", title))
    else:
        first_para = run[0][0]
        unit0_end = paras[first_para][0] - 1 if first_para > 0 else 0
        clauses.append(_clause(0, text, 0, max(unit0_end, 0), language, "", title))
        for k, (para_index, number, marker_len) in enumerate(run):
            start = paras[para_index][0] + marker_len
            end = paras[run[k + 1][0]][0] - 1 if k + 1 < len(run) else len(text)
            label = paras[para_index][1][:marker_len].strip()
            clauses.append(_clause(number, text, start, end, language, label, None))

    return DocumentStructure(
        title=title,
        numbering=numbering,
        clauses=tuple(clauses),
        signatory_span=_signatory_span(clauses, signatory_cues),
        warnings=tuple(warnings),
    )


def _signatory_span(clauses: list[Clause], cues: Iterable[str]) -> tuple[int, int, int] | None:
    """Return (clause, start, end) of the first sentence containing a signatory cue (read in
    simplified characters with folded typography, so 共同提出以下倡議 meets 共同提出以下倡议)."""
    cue_list = [search_form(c, "zh").lower() for c in cues if c]
    if not cue_list:
        return None
    for clause in clauses:
        for sentence in clause.sentences:
            lowered = search_form(sentence.text, "zh").lower()
            if any(cue in lowered for cue in cue_list):
                return (clause.number, sentence.start, sentence.end)
    return None
