"""Stage 3b: names that no lexicon lists, found from the shape of the name and its context.

A gazetteer finds only what it lists; policy texts name new working groups, national
ministries and one-off summits all the time. The rules here read the search form of the
text (:mod:`kg.pipeline.script`) and the lexicon matches already found in it, and propose
*candidates*; :mod:`kg.pipeline.extract` keeps a candidate where it is the longest name at
its place (a lexicon label of the same length wins). The word lists come from
``ontology/names.ttl`` (:attr:`Lexicon.phrases`); nothing here lists a name.

Rules (their names are recorded as ``dsr:findingRule`` on each mention):

``zh-head``
    a Chinese proper name — a country, organisation or place of the lexicon, a pair
    compound (中拉) or a quoted name — then up to 14 modifier characters (no break word such
    as 的 or 举办), ending in a head word: 二十国集团数字经济工作组 (organisation),
    中非合作论坛第八届部长级会议 (event), 马来西亚通讯部 (government body of Malaysia). A year
    written right before it belongs to an event's name (2024年世界互联网大会乌镇峰会). The head
    decides the kind; a government-body head needs a country (or a government body, for
    its departments: 商务部国际司); an organisation head after a country needs a second proper
    name (中国—中亚机制), because 中国银行 is a company.
``en-head``
    a run of capitalised words (with lower-case connectors such as of, on, for) that holds
    a head word: "G20 Digital Economy Task Force", "Extraordinary China-Africa Summit on
    Solidarity Against COVID-19", "Ministry of Foreign Affairs of the Republic of Estonia".
    A title word after the head ("… Partnership Plan on …") makes it a document title.
``definition`` / ``short-form``
    a found name followed by its short form in parentheses (… Task Force (DETF)); the short
    form then resolves to the name everywhere in the document.
``holder`` / ``name-country``
    added by :mod:`kg.pipeline.extract`: the organisation an event's name starts with (the
    forum that holds its ministerial conference), and the country written in a government
    body's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.iris import DEFAULT_BASE
from ..core.vocab import ENTITY_TYPES
from .dates import YEAR, find_dates
from .lexicon import Lexicon

#: the longest run of modifier characters between a proper name and a head word
MAX_MODIFIER = 14
_HAN = re.compile(r"[\u3400-\u9fff]")
_DASHES = "—–-－·‧"
_YEAR_BEFORE = re.compile(r"(\d{4})\s*年?\s*$")
_ORDINAL = re.compile(r"^(?:\d{1,3}(?:st|nd|rd|th)|[Ff]irst|[Ss]econd|[Tt]hird)$")
_EN_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9&.'\-]*")
_ABBREV = re.compile(r"^(?:[A-Za-z0-9]+-)?(?:[A-Z]\.){2,}$")  # U.S., ASEAN-U.S.
_MONTH_NAMES = frozenset(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
    ]
)
_SENTENCE_END = re.compile(r"[。！？；;!?\n]|\.(?=\s)")
_YEAR_ANCHOR = re.compile(r"(?<!\d)\d{4}年(?=[\u3400-\u9fff])")
_ALIAS = re.compile(r"[(（][^()（）\n\"“”以]{1,10}[)）]")
_MODIFIER = re.compile(r"(?:[\u3400-\u9fff0-9]|[—–\-－·‧](?=[\u3400-\u9fff]))*")


@dataclass(frozen=True)
class Candidate:
    """A name found by a rule: its span in the text, kind and label."""

    start: int
    end: int
    type: str  #: Organisation | GovernmentBody | Event
    rule: str
    label: str
    country: str = ""  #: a government body's country IRI
    date: str = ""  #: an event's date (lexical form)
    date_type: str = ""  #: its XSD datatype IRI

    @property
    def iri(self) -> str:
        """A government body's IRI starts with its country's code: every country has a Ministry of Commerce."""
        owner = self.country.rsplit("/", 1)[-1].lower() + "-" if self.country else ""
        return entity_iri(self.type, owner + self.label)


def entity_iri(type_name: str, label: str) -> str:
    """The IRI of a name outside the lexicon: ``{base}{type}/{slug}`` (the slug keeps Han characters)."""
    text = label.translate(str.maketrans("", "", "\"'“”‘’「」《》")).strip()
    text = re.sub(r"[\s" + re.escape(_DASHES) + r"/()（）、,，.]+", "-", text.lower()).strip("-")
    slug = re.sub(r"[^\w-]+", "", text) or "name"
    return f"{DEFAULT_BASE}{ENTITY_TYPES[type_name]}/{slug}"


@dataclass
class _Rules:
    """The word lists of one language, as the rules use them."""

    heads: dict[str, tuple[str, ...]]  #: type → head words, longest first
    generic: tuple[str, ...]
    breaks: tuple[str, ...]
    titles: tuple[str, ...]
    connectors: frozenset[str]
    pairs: tuple[str, ...]
    head_re: re.Pattern[str]
    head_type: dict[str, str]
    types_of: dict[str, tuple[str, ...]]
    break_re: re.Pattern[str] | None
    pairs_re: re.Pattern[str] | None
    longest_head: int

    @classmethod
    def of(cls, lexicon: Lexicon, language: str) -> _Rules:
        def words(name: str) -> tuple[str, ...]:
            return tuple(sorted(lexicon.phrase_list(name, language), key=len, reverse=True))

        heads = {
            "Event": words("EventHeads"),
            "GovernmentBody": words("GovernmentBodyHeads"),
            "Organisation": words("OrganisationHeads"),
        }
        types_of: dict[str, tuple[str, ...]] = {}
        for type_name, hs in heads.items():
            for h in hs:
                types_of[h] = (*types_of.get(h, ()), type_name)
        every = sorted(types_of, key=len, reverse=True) or ["\uffff"]
        breaks, pairs = words("NameBreaks"), words("PairCompounds")
        return cls(
            heads=heads,
            generic=words("GenericModifiers"),
            breaks=breaks,
            titles=words("TitleWords"),
            connectors=frozenset(lexicon.phrase_list("Connectors", "en")),
            pairs=pairs,
            head_re=re.compile("(?=(" + "|".join(map(re.escape, every)) + "))"),
            head_type={h: types_of[h][0] for h in types_of},
            types_of=types_of,
            break_re=re.compile("|".join(map(re.escape, breaks))) if breaks else None,
            pairs_re=re.compile("|".join(map(re.escape, pairs))) if pairs else None,
            longest_head=max((len(h) for h in types_of), default=0),
        )


_RULES: dict[tuple[str, str], _Rules] = {}


def _rules(lexicon: Lexicon, language: str) -> _Rules:
    key = (lexicon.fingerprint, language)
    if key not in _RULES:
        _RULES[key] = _Rules.of(lexicon, language)
    return _RULES[key]


def find_names(
    text: str,
    language: str,
    matches: list[tuple[int, int, str]],
    lexicon: Lexicon,
    blocked: list[tuple[int, int, str]] = (),  # type: ignore[assignment]
) -> list[Candidate]:
    """Return the name candidates of ``text`` (its search form), given the lexicon matches in it
    (and the blocked phrases, which are names too: a quoted platform name starts a forum's name)."""
    rules = _rules(lexicon, language)
    if language == "zh":
        found = _chinese(text, matches, lexicon, rules, blocked)
    else:
        found = _english(text, matches, lexicon, rules)
    return [_dated(text, c) for c in found]


# ------------------------------------------------------------------ Chinese


def _chinese(
    text: str, matches: list[tuple[int, int, str]], lexicon: Lexicon, rules: _Rules, blocked: list[tuple[int, int, str]]
) -> list[Candidate]:
    anchors: list[tuple[int, int, str]] = []  # (start, end, type of the anchor)
    for s, e, iri in matches:
        t = lexicon.types.get(iri, "")
        if t in ("Country", "Organisation", "Place", "GovernmentBody"):
            anchors.append((s, e, t))
    if rules.pairs_re is not None:
        anchors += [(m.start(), m.end(), "Pair") for m in rules.pairs_re.finditer(text)]
    anchors += [(m.start(), m.end(), "Year") for m in _YEAR_ANCHOR.finditer(text)]  # 2015年安塔利亚峰会
    for m in re.finditer(r'"([^"\n]{2,24})"', text):
        inner = [a for a in [*anchors, *blocked] if m.start(1) <= a[0] and a[1] <= m.end(1)]
        if inner:
            anchors.append((m.start(), m.end(), "Quoted"))
    out: list[Candidate] = []
    for s, e, kind in sorted(set(anchors)):
        cand = _chinese_from(text, s, e, kind, matches, lexicon, rules)
        if cand:
            out.append(cand)
    return out


def _chinese_from(
    text: str, s: int, e: int, kind: str, matches: list[tuple[int, int, str]], lexicon: Lexicon, rules: _Rules
) -> Candidate | None:
    """The longest name that starts with the proper name at [s, e), if any."""
    pos = e
    alias = _ALIAS.match(text, pos)  # 中国-拉共体论坛(中拉论坛)首届…
    if alias:
        pos = alias.end()
    window = _MODIFIER.match(text, pos, pos + MAX_MODIFIER + rules.longest_head)
    if window is None:
        return None
    stop = window.end()
    brk = rules.break_re.search(text, pos, stop) if rules.break_re else None
    if brk:
        stop = brk.start()
    ends: list[tuple[int, str, str]] = []
    for m in rules.head_re.finditer(text, e, stop):
        head = m.group(1)
        ends.append((m.start() + len(head), head, rules.head_type[head]))
    for end, head, _ in sorted(ends, key=lambda x: -x[0]):
        proper_names = 1 + sum(1 for ch in text[e:end] if ch in _DASHES)
        for type_name in rules.types_of[head]:
            cand = _chinese_candidate(text, s, e, end, head, type_name, kind, proper_names, matches, lexicon, rules)
            if cand:
                return cand
    return None


def _chinese_candidate(
    text: str,
    s: int,
    e: int,
    end: int,
    head: str,
    type_name: str,
    kind: str,
    proper_names: int,
    matches: list[tuple[int, int, str]],
    lexicon: Lexicon,
    rules: _Rules,
) -> Candidate | None:
    modifier = text[e : end - len(head)]
    if kind == "Year" and (type_name != "Event" or len(modifier) < 2):
        return None  # a year starts only an event's name, and not a bare 2015年会议
    if modifier.strip("()（）") in rules.generic or any(text[s:end].endswith(g) for g in rules.generic if len(g) > 1):
        return None
    if type_name != "Event" and any(text.startswith(t, end) for t in rules.titles):
        return None  # 金砖国家数字经济伙伴关系框架: a document title
    if type_name == "GovernmentBody" and text.startswith("长", end):
        return None  # 部长, 局长: a title, and the body ends before it
    # the head word itself must not be part of a lexicon name that goes on (商务部 in 商务部长)
    inside = [m for m in matches if m[0] < end < m[1] and m[0] >= s]
    if inside:
        return None
    country = ""
    if type_name == "GovernmentBody":
        anchor_iri = next((iri for ms, me, iri in matches if ms == s and me == e), "")
        if kind == "Country" and modifier and head != "司":
            country = anchor_iri  # 马来西亚通讯部, 中国全国人民代表大会
        elif kind == "GovernmentBody" and head in ("司", "局") and modifier:
            country = lexicon.country_of.get(anchor_iri, "")  # 商务部国际司
        else:
            return None
    elif type_name == "Organisation":
        if kind == "Country" and proper_names < 2:
            return None  # 中国银行 is a company; 中国—中亚机制 names two sides
        if kind in ("GovernmentBody", "Pair"):
            return None  # 中拉合作基金: a bilateral vehicle, not an international organisation
        if not modifier and kind != "Quoted":
            return None  # the anchor plus a head word alone is the anchor's own name
    start = s
    if type_name == "Event" and kind != "Year":
        year = _YEAR_BEFORE.search(text, max(0, s - 6), s)
        if year:
            start = year.start()
    label = text[start:end]
    rule = "zh-head" if type_name != "GovernmentBody" or kind != "Country" else "country-body"
    return Candidate(start, end, type_name, rule, label, country=country)


# ------------------------------------------------------------------ English


def _english(text: str, matches: list[tuple[int, int, str]], lexicon: Lexicon, rules: _Rules) -> list[Candidate]:
    out: list[Candidate] = []
    starts = {ms for ms, _, iri in matches if lexicon.types.get(iri) in ("Country", "Organisation")}
    ends = {me for _, me, iri in matches if lexicon.types.get(iri) in ("Country", "Organisation")}
    for run in (part for whole in _capitalised_runs(text, rules) for part in _split_run(text, whole, starts, ends)):
        cand = _english_candidate(text, run, matches, lexicon, rules)
        if cand:
            out.append(cand)
    return out


def _tokens(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _EN_TOKEN.finditer(text):
        s, e = m.span()
        word = text[s:e]
        while e > s and text[e - 1] in "'-" and not word.endswith("s'"):
            e -= 1
            word = text[s:e]
        if word.endswith(".") and not _ABBREV.match(word):
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


def _is_name_word(word: str) -> bool:
    return (
        word[:1].isupper()
        or bool(_ORDINAL.match(word))
        or (word[:1].isdigit() and any(c.isalpha() for c in word))
        or (word.isdigit() and len(word) == 4)
    )


def _capitalised_runs(text: str, rules: _Rules) -> list[list[tuple[int, int]]]:
    """Runs of name words, joined only by single spaces and connectors."""
    runs: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    pending: list[tuple[int, int]] = []
    last_end = -1
    for s, e in _tokens(text):
        word = text[s:e]
        gap = text[last_end:s] if last_end >= 0 else ""
        joined = last_end >= 0 and gap == " "
        if not joined and current:
            runs.append(current)
            current, pending = [], []
        if word.rstrip(".") in _MONTH_NAMES and re.match(r"\s+\d", text[e : e + 3]):
            if current:
                runs.append(current)
            current, pending = [], []
        elif _is_name_word(word):
            current += [*pending, (s, e)]
            pending = []
        elif (
            current
            and word in rules.connectors
            and len(pending) < 2
            and not (pending and text[pending[-1][0] : pending[-1][1]] == "and" and word == "the")
        ):
            pending.append((s, e))
        else:
            if current:
                runs.append(current)
            current, pending = [], []
        last_end = e
    if current:
        runs.append(current)
    return runs


def _split_run(text: str, run: list[tuple[int, int]], starts: set[int], ends: set[int]) -> list[list[tuple[int, int]]]:
    """Split a run after a possessive ("China's | Ministry of Commerce") and at an "and" next to
    a known country or organisation ("Viet Nam | and | International …")."""
    parts: list[list[tuple[int, int]]] = [[]]
    for i, (s, e) in enumerate(run):
        word = text[s:e]
        if word == "and" and 0 < i < len(run) - 1 and (run[i - 1][1] in ends or run[i + 1][0] in starts):
            parts.append([])
            continue
        parts[-1].append((s, e))
        if word.endswith("'s") and i < len(run) - 1:
            parts.append([])
    return [p for p in parts if p]


def _english_candidate(
    text: str, run: list[tuple[int, int]], matches: list[tuple[int, int, str]], lexicon: Lexicon, rules: _Rules
) -> Candidate | None:
    words = [text[s:e] for s, e in run]
    while words and (
        words[0] in ("The", "the", "A", "An", "This", "These", "Our", "We", "In", "At", "On", "Under")
        or (words[0].isdigit() and len(words) > 1 and words[1] in rules.connectors)
    ):
        words, run = words[1:], run[1:]
    for i in range(1, len(words)):  # "Officials of the Ministry of …": the body's name starts at its head
        if words[i] in ("Ministry", "Department", "Embassy") and words[i - 1] in rules.connectors:
            words, run = words[i:], run[i:]
            break
    if len(words) < 2:
        return None

    def find_head(type_name: str) -> int:
        for i in range(len(words)):
            for head in rules.heads[type_name]:
                parts = head.split()
                if words[i : i + len(parts)] == parts:
                    return i + len(parts) - 1
        return -1

    gov_first = words[0] in ("Ministry", "Department", "Embassy") or words[:2] in (
        ["Federal", "Ministry"],
        ["State", "Council"],
    )
    event_at, org_at, gov_at = find_head("Event"), find_head("Organisation"), find_head("GovernmentBody")
    if gov_first:
        type_name, head_at = "GovernmentBody", 0 if words[0] != "Federal" else 1
    elif event_at >= 0:
        type_name, head_at = "Event", event_at
    elif (org_at >= 0 and words[org_at] not in ("Agency", "Commission", "Council")) or (org_at >= 0 and gov_at < 0):
        type_name, head_at = "Organisation", org_at
    elif gov_at >= 0:
        type_name, head_at = "GovernmentBody", gov_at
    elif org_at >= 0:
        type_name, head_at = "Organisation", org_at
    else:
        return None
    if any(w in rules.titles for w in words[head_at + 1 :]) and type_name != "GovernmentBody":
        return None  # "China-Africa Partnership Plan on Digital Innovation": a title
    if (
        type_name == "Event"
        and words[head_at] in rules.titles
        and head_at + 1 < len(words)
        and words[head_at + 1] in rules.titles
    ):
        return None
    start, end = run[0][0], run[-1][1]
    head_start, head_end = run[head_at]
    if any(ms <= head_start and head_end <= me and (ms, me) != (start, end) for ms, me, _ in matches):
        return None  # the head belongs to a known name ("International Telecommunication Union")
    countries = [
        (ms, me, iri) for ms, me, iri in matches if start <= ms and me <= end and lexicon.types.get(iri) == "Country"
    ]
    lead = run[1][0] if _ORDINAL.match(words[0]) or words[0].isdigit() else start  # "9th ASEAN-U.S. Summit"
    inner_orgs = [
        (ms, me) for ms, me, iri in matches if lead < ms and me <= end and lexicon.types.get(iri) == "Organisation"
    ]
    if inner_orgs and not any(
        text[start:ms].rstrip().endswith((" of", " of the", " for", " on")) for ms, _ in inner_orgs
    ):
        return None  # two names joined ("OECD and the International Telecommunication Union")
    country = ""
    if type_name == "GovernmentBody":
        if countries:
            country = countries[0][2]
        else:
            before = text[max(0, start - 40) : start]
            owner = [
                iri
                for ms, me, iri in matches
                if me <= start and lexicon.types.get(iri) == "Country" and start - me <= 4
            ]
            if owner and re.search(r"'s\s*$", before):
                country = owner[-1]
            elif words[head_at] in ("Agency", "Commission", "Council") and not gov_first:
                type_name = "Organisation"
    label = " ".join(text[start:end].split())
    return Candidate(start, end, type_name, "en-head", label, country=country)


# ------------------------------------------------------------------ dates of events


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (to 。；. or a line break) around [start, end)."""
    left = max(0, start - 400)
    for m in _SENTENCE_END.finditer(text, left, start):
        left = m.end()
    after = _SENTENCE_END.search(text, end)
    return left, (after.start() if after else len(text))


def _dated(text: str, cand: Candidate) -> Candidate:
    """An event gets the date its sentence gives: a full date (a range's start), else a year-month, else a year."""
    if cand.type != "Event":
        return cand
    year = re.match(r"(\d{4})", text[cand.start : cand.end])
    left, right = sentence_bounds(text, cand.start, cand.end)
    dates = [d for d in find_dates(text[left:right]) if d.value]
    precise = sorted(dates, key=lambda d: (-len(d.value), d.start))
    if year and not any(d.value.startswith(year.group(1)) for d in dates):
        return _with_date(cand, year.group(1), YEAR)
    if precise:
        return _with_date(cand, precise[0].value, precise[0].datatype)
    if year:
        return _with_date(cand, year.group(1), YEAR)
    return cand


def _with_date(cand: Candidate, value: str, datatype: str) -> Candidate:
    return Candidate(cand.start, cand.end, cand.type, cand.rule, cand.label, cand.country, value, datatype)
