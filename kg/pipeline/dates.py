"""Dates written in a text, as precise as the text gives them (xsd:date, gYearMonth, gYear).

``find_dates`` reads the search form (:mod:`kg.pipeline.script`: digits already ASCII) and
returns every date expression with its offsets: 2021年11月29日(至30日), 2015年1月, 2025年,
11月29日 (no year: ``value`` is empty, ``month``/``day`` are set), 2021-8-27, 22 July 2020,
July 22, 2020, Jan. 22, 9 June, and a bare year only where it is marked (2024年, "in 2017").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.vocab import XSD

DATE, YEAR_MONTH, YEAR = str(XSD.date), str(XSD.gYearMonth), str(XSD.gYear)
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_PATTERNS = [
    (
        "zh-ymd",
        re.compile(
            r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号](?:\s*[至到—–-]\s*(?:\d{1,2}\s*月\s*)?\d{1,2}\s*[日号])?"
        ),
    ),
    ("iso", re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")),
    ("zh-ym", re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d)")),
    ("zh-md", re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")),
    ("zh-y", re.compile(r"(?<!\d)(\d{4})\s*年(?!\s*\d{1,2}\s*月)")),
    ("en-dmy", re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})(?!\d)", re.I)),
    ("en-mdy", re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.I)),
    ("en-my", re.compile(rf"\b{_MONTH}\s+(\d{{4}})(?!\d)", re.I)),
    ("en-dm", re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}(?![a-z])", re.I)),
    ("en-md", re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s*\d{{4}})", re.I)),
    ("en-y", re.compile(r"\b(?:in|of|since|by)\s+(\d{4})\b")),
]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    value: str  #: lexical form (2021-11-29, 2015-01, 2018), "" when the year is missing
    datatype: str  #: xsd:date | xsd:gYearMonth | xsd:gYear IRI, "" when the year is missing
    month: int = 0
    day: int = 0


def _valid(y: int, m: int = 1, d: int = 1) -> bool:
    return 1900 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31


def _make(start: int, end: int, y: int, m: int = 0, d: int = 0) -> DateMention | None:
    if y and not _valid(y, m or 1, d or 1):
        return None
    if not y:
        return DateMention(start, end, "", "", m, d) if _valid(2000, m, d) else None
    if d:
        return DateMention(start, end, f"{y:04d}-{m:02d}-{d:02d}", DATE, m, d)
    if m:
        return DateMention(start, end, f"{y:04d}-{m:02d}", YEAR_MONTH, m)
    return DateMention(start, end, f"{y:04d}", YEAR)


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def find_dates(text: str) -> list[DateMention]:
    """Every date expression in ``text``, non-overlapping, most precise first, in text order."""
    found: list[DateMention] = []
    taken = bytearray(len(text))
    for name, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span(1) if name == "en-y" else m.span()
            if taken.find(1, s, e) != -1:
                continue
            g = m.groups()
            if name in ("zh-ymd", "iso"):
                date = _make(s, e, int(g[0]), int(g[1]), int(g[2]))
            elif name == "zh-ym":
                date = _make(s, e, int(g[0]), int(g[1]))
            elif name == "zh-md":
                date = _make(s, e, 0, int(g[0]), int(g[1]))
            elif name in ("zh-y", "en-y"):
                date = _make(s, e, int(g[0]))
            elif name == "en-dmy":
                date = _make(s, e, int(g[2]), _month(g[1]), int(g[0]))
            elif name == "en-mdy":
                date = _make(s, e, int(g[2]), _month(g[0]), int(g[1]))
            elif name == "en-my":
                date = _make(s, e, int(g[1]), _month(g[0]))
            elif name == "en-dm":
                date = _make(s, e, 0, _month(g[1]), int(g[0]))
            else:  # en-md
                date = _make(s, e, 0, _month(g[0]), int(g[1]))
            if date is not None:
                found.append(date)
                taken[s:e] = b"\x01" * (e - s)
    found.sort(key=lambda d: d.start)
    return found
