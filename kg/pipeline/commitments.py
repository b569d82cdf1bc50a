"""Stage 3b: sentences + mentions → commitments, policy areas and typed relations.

Reads what each sentence undertakes, with the cue words of the lexicon files
(``ontology/lexicon/actions.ttl``, ``policy_areas.ttl``, ``actors.ttl`` and the phrase lists
of ``ontology/cues.ttl``); no word list lives here. The unit is a *statement*: a sentence,
cut again at ；/; (one commitment per action per statement). A statement is cut into
*parts* at commas and colons; in each part a cue verb is a predicate only where a
predicate can stand:

* at the start of the part, after words of ``dsr:PredicatePrefixes`` (subjects meaning
  the parties, modals, manner adverbs, connectors: 各方将进一步加强…), after the actor's
  name, after a locative phrase (在…领域) or a companion phrase (同X一道);
* coordinated with a predicate: right after it (建设完善 = build + improve; 鼓励和支持) or
  after a connector (并, 和, "and") with no infinitive marker in between (English);
* never right after 的 or before 的 (attributive), never as the object of another cue
  deeper in the part (推动建立 = promote only; "encourage X to develop" = encourage only),
  and never in a part opened by a ``dsr:NonCommitmentOpeners`` phrase (认识到…, "noting").

English verbs match as lemma, ``-s`` or ``-ing`` form (past forms report, they do not
undertake). The actor is the document's parties unless the statement opens with a name
followed by an actor marker (中方愿…, "China will …", 各国应…). What an action *concerns*
is the entities between its cue and the next predicate, less purpose and result parts
(为…, "in order to …"), plus the locative or means phrase before it. Its policy areas come
from the area cue words and the indicator entities of that span.

Relations are read inside one part of one statement only: ``appliedIn`` where technologies
and a sector stand around an application cue (T…在S领域应用, "use of T in S");
``cooperatesWith`` where a companion phrase closes with a cooperation cue (同X合作,
"cooperate with X"); ``invitesRole`` where an inviting verb is followed by organisations
and a role cue (欢迎并鼓励X…发挥…作用, "invite X to play a role").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..core.records import (
    AreaFinding,
    Clause,
    Commitment,
    DocumentStructure,
    Mention,
    Reading,
    RelationFinding,
    SourceText,
)
from .lexicon import Lexicon
from .script import search_form

_STATEMENT_END = re.compile(r"[；;]")
_PART_END = re.compile(r"[，,：:]")
_ACTOR_TYPES = frozenset({"Country", "Organisation", "GovernmentBody"})
_CONCERN_TYPES = frozenset({"Country", "Organisation", "Technology", "Sector", "GovernmentBody"})
_WORD = re.compile(r"[a-z][a-z'-]*")
_MAX_AREAS = 3


def _alternation(phrases: Iterable[str], english: bool) -> re.Pattern[str] | None:
    items = sorted({p for p in phrases if p}, key=lambda p: (-len(p), p))
    if not items:
        return None
    body = "|".join(re.escape(p) for p in items)
    return re.compile(rf"(?<![a-z])(?:{body})(?![a-z])" if english else f"(?:{body})")


def _english_forms(lemma: str) -> set[str]:
    """A lemma and its -s and -ing forms; for a phrase the first word is inflected."""
    head, _, rest = lemma.partition(" ")
    tail = f" {rest}" if rest else ""
    forms = {head}
    if head.endswith(("s", "sh", "ch", "x", "z")):
        forms.add(head + "es")
    elif head.endswith("y") and len(head) > 2 and head[-2] not in "aeiou":
        forms.add(head[:-1] + "ies")
    else:
        forms.add(head + "s")
    if head.endswith("ie"):
        forms.add(head[:-2] + "ying")
    elif head.endswith("e") and not head.endswith(("ee", "ye")):
        forms.add(head[:-1] + "ing")
    else:
        forms.add(head + "ing")
    return {f + tail for f in forms}


@dataclass(frozen=True)
class _Tables:
    """The lexicon's commitment word lists for one language, compiled once."""

    english: bool
    cue: re.Pattern[str] | None
    cue_action: dict[str, str]
    area: re.Pattern[str] | None
    area_of: dict[str, str]
    lists: dict[str, re.Pattern[str] | None]
    actor_labels: dict[str, str]
    actor_label: re.Pattern[str] | None


_LISTS = (
    "PredicatePrefixes",
    "ActorMarkers",
    "NonCommitmentOpeners",
    "PurposeMarkers",
    "LocativeOpeners",
    "LocativeEnds",
    "ApplicationCues",
    "CooperationCues",
    "CompanionMarkers",
    "RoleCues",
    "RoleInviters",
    "CollectiveNames",
)


_CACHE: dict[tuple[int, str, str], _Tables] = {}


def _tables(lexicon: Lexicon, language: str) -> _Tables:
    """The compiled tables of a lexicon for one language (once per lexicon and language)."""
    key = (id(lexicon), lexicon.fingerprint, language)
    if key not in _CACHE:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = _compile(lexicon, language)
    return _CACHE[key]


def _compile(lexicon: Lexicon, language: str) -> _Tables:
    english = language == "en"

    def norm(text: str) -> str:
        return search_form(text, "zh").lower() if english else search_form(text, "zh")

    cue_action: dict[str, str] = {}
    for cue, lang, action in lexicon.action_cues:
        if lang != language:
            continue
        for form in _english_forms(norm(cue)) if english else {norm(cue)}:
            cue_action.setdefault(form, action)
    area_of: dict[str, str] = {}
    for cue, lang, area in lexicon.area_cues:
        if lang == language:
            area_of.setdefault(norm(cue), area)
    if english:  # acronyms (AI, SMEs) keep their case: match them on the unlowered text
        area_of = {k: v for k, v in area_of.items()}
    actor_labels = {norm(label): iri for label, lang, iri in lexicon.actor_labels if lang == language}
    lists = {name: _alternation((norm(p) for p in lexicon.phrase_list(name, language)), english) for name in _LISTS}
    return _Tables(
        english=english,
        cue=_alternation(cue_action, english),
        cue_action=cue_action,
        area=_alternation(area_of, english),
        area_of=area_of,
        lists=lists,
        actor_labels=actor_labels,
        actor_label=_alternation(actor_labels, english),
    )


@dataclass
class _Row:
    start: int
    end: int
    action: str
    part_start: int  #: where the part (or the row's prefix region) starts
    span_end: int = 0


class _Clause:
    """One clause being read: its search text and its mentions by offset."""

    def __init__(self, clause: Clause, mentions: Sequence[Mention], tables: _Tables, types: dict[str, str]):
        self.clause = clause
        self.tables = tables
        raw = search_form(clause.text, "zh")
        self.text = raw.lower() if tables.english else raw
        self.mentions = sorted(mentions, key=lambda m: (m.start, -m.end))
        self.starts = [m.start for m in self.mentions]
        self.types = types

    def mentions_in(self, start: int, end: int, types: frozenset[str] = _CONCERN_TYPES) -> list[Mention]:
        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            m = self.mentions[i]
            if m.end <= end and m.type in types:
                out.append(m)
            i += 1
        return out

    def mention_at(self, pos: int, types: frozenset[str] = _ACTOR_TYPES) -> Mention | None:
        i = bisect.bisect_left(self.starts, pos)
        if i < len(self.mentions) and self.mentions[i].start == pos and self.mentions[i].type in types:
            return self.mentions[i]
        return None

    def match(self, name: str, pos: int) -> int:
        """End of the phrase of list ``name`` that starts at ``pos`` (0 if none)."""
        pattern = self.tables.lists.get(name)
        if pattern is None:
            return 0
        m = pattern.match(self.text, pos)
        return m.end() if m else 0

    def skip_space(self, pos: int, end: int) -> int:
        while pos < end and (self.text[pos].isspace() or self.text[pos] in "\"'“”‘’「」『』（）()[]-—*•·"):
            pos += 1
        return pos


def read_commitments(
    source: SourceText,
    structure: DocumentStructure,
    mentions: Sequence[Mention],
    lexicon: Lexicon,
) -> Reading:
    """Read the commitments, clause policy areas and typed relations of a document.

    Returns:
        A :class:`Reading`: commitments in document order, each clause's areas, and every
        relation occurrence (offsets index into the clause's text).
    """
    tables = _tables(lexicon, source.language)
    if tables.cue is None:
        return Reading((), {}, ())
    by_clause: dict[int, list[Mention]] = {}
    for m in mentions:
        by_clause.setdefault(m.clause, []).append(m)
    commitments: list[Commitment] = []
    relations: list[RelationFinding] = []
    clause_areas: dict[int, tuple[AreaFinding, ...]] = {}
    for clause in structure.clauses:
        reader = _Clause(clause, by_clause.get(clause.number, ()), tables, lexicon.types)
        first = len(commitments)
        for sentence in clause.sentences:
            actor = ""
            for s, e in _pieces(reader.text, sentence.start, sentence.end, _STATEMENT_END):
                actor = _actor(reader, s, e) or actor
                found = _statement(reader, sentence.number, s, e, actor, lexicon)
                commitments.extend(found)
                relations.extend(_relations(reader, sentence.number, s, e, actor))
        clause_areas[clause.number] = _clause_areas(reader, commitments[first:], first)
    return Reading(tuple(commitments), clause_areas, tuple(relations))


def _pieces(text: str, start: int, end: int, sep: re.Pattern[str]) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in sep.finditer(text, start, end):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if end > pos:
        out.append((pos, end))
    return out


# ---------------------------------------------------------------- actors


def _actor(reader: _Clause, start: int, end: int) -> str:
    """The subject a statement names (中方愿…, "China will …", 各国应…), or "" for the parties."""
    pos = reader.skip_space(start, end)
    for _ in range(3):  # a connector or adverb may come first (同时，中方…)
        n = reader.match("PredicatePrefixes", pos)
        if not n or reader.match("CollectiveNames", pos):
            break
        if reader.tables.cue and reader.tables.cue.match(reader.text, pos):
            return ""
        pos = reader.skip_space(n, end)
    iri, after = "", 0
    label = reader.tables.actor_label.match(reader.text, pos) if reader.tables.actor_label else None
    if label:
        iri, after = reader.tables.actor_labels[label.group()], label.end()
    else:
        m = reader.mention_at(pos) or (reader.mention_at(pos + 4) if reader.text[pos : pos + 4] == "the " else None)
        if m is None:
            return ""
        iri, after = m.entity, m.end
        # a name list (中国和墨西哥) or an apposition is not a single actor
        if reader.text[after : after + 1] in ("和", "与", "、", "及") or reader.mention_at(reader.skip_space(after, end)):
            return ""
    after = reader.skip_space(after, end)
    marker = reader.match("ActorMarkers", after)
    if marker or (reader.tables.cue and reader.tables.cue.match(reader.text, after)):
        return iri
    return ""


# ---------------------------------------------------------------- commitments


def _statement(reader: _Clause, sentence: int, start: int, end: int, actor: str, lexicon: Lexicon) -> list[Commitment]:
    rows: list[_Row] = []
    english = reader.tables.english
    parts = _pieces(reader.text, start, end, _PART_END)
    purposes: list[tuple[int, int]] = []
    for k, (ps, pe) in enumerate(parts):
        pos = reader.skip_space(ps, pe)
        if reader.match("NonCommitmentOpeners", pos) and not reader.match("PredicatePrefixes", pos):
            if k == 0:
                return []  # the statement recognises or notes: no undertaking
            continue
        if reader.match("PurposeMarkers", pos):
            purposes.append((ps, pe))
            continue
        rows.extend(_zh_predicates(reader, pos, pe) if not english else _en_predicates(reader, pos, pe))
    if not rows:
        return []
    # each row governs what follows it up to the next row that is not coordinated with it
    for i, row in enumerate(rows):
        j = i + 1
        while j < len(rows) and _coordinated(reader.text, rows[j - 1], rows[j]):
            j += 1
        row.span_end = rows[j].start if j < len(rows) else end
    out: list[Commitment] = []
    seen: set[str] = set()
    by_action: dict[str, list[_Row]] = {}
    for row in rows:
        by_action.setdefault(row.action, []).append(row)
    for row in rows:
        if row.action in seen:
            continue
        seen.add(row.action)
        concerns: list[str] = []
        words: dict[str, list[str]] = {}
        ents: dict[str, list[str]] = {}
        for r in by_action[row.action]:
            for s, e in _minus(r.part_start, r.span_end, purposes):
                for m in reader.mentions_in(s, e):
                    if m.entity == actor or (s < r.start and m.start < r.start and m.entity == actor):
                        continue
                    if m.entity not in concerns:
                        concerns.append(m.entity)
                _area_words(reader, s, e, words)
        for iri in concerns:
            for area in lexicon.area_indicators.get(iri, ()):
                ents.setdefault(area, []).append(iri)
        c = reader.clause
        out.append(
            Commitment(
                clause=c.number,
                sentence=sentence,
                start=row.start,
                end=row.end,
                exact=c.text[row.start : row.end],
                action=row.action,
                actor=actor,
                concerns=tuple(concerns),
                areas=_choose_areas(words, ents),
            )
        )
    return out


def _coordinated(text: str, a: _Row, b: _Row) -> bool:
    """True when row ``b`` directly follows row ``a`` (建设完善, 鼓励和支持, "promote and support")."""
    gap = text[a.end : b.start].strip(" 、")
    return gap in ("", "和", "与", "及", "并", "或", "and", "or", "and to")


def _minus(start: int, end: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans = [(start, end)]
    for hs, he in holes:
        nxt = []
        for s, e in spans:
            if he <= s or hs >= e:
                nxt.append((s, e))
                continue
            if hs > s:
                nxt.append((s, hs))
            if he < e:
                nxt.append((he, e))
        spans = nxt
    return spans


def _skip_prefixes(reader: _Clause, pos: int, end: int) -> int:
    """Skip subjects, modals, adverbs, locative and companion phrases before a predicate."""
    text = reader.text
    for _ in range(8):
        pos = reader.skip_space(pos, end)
        if pos >= end:
            return pos
        if reader.tables.cue and reader.tables.cue.match(text, pos) and not reader.match("PredicatePrefixes", pos):
            return pos
        n = reader.match("PredicatePrefixes", pos) or reader.match("CollectiveNames", pos)
        label = reader.tables.actor_label.match(text, pos) if reader.tables.actor_label else None
        m = reader.mention_at(pos)
        if label:
            pos = label.end()
        elif m is not None:
            pos = m.end
            if text[pos : pos + 2] in ("成员", "成员国"):
                pos += 2
        elif n:
            # a cue may start with a prefix (共同 in 共同发起): prefer the longer cue
            cue = reader.tables.cue.match(text, pos) if reader.tables.cue else None
            if cue and cue.end() > n:
                return pos
            pos = n
        elif reader.match("LocativeOpeners", pos) or reader.match("CompanionMarkers", pos):
            close = _phrase_end(reader, pos, end)
            if not close:
                return pos
            pos = close
        else:
            return pos
    return pos


def _phrase_end(reader: _Clause, pos: int, end: int) -> int:
    """End of a locative (在…领域) or companion (同X一道) phrase starting at ``pos`` (0 if none within 30 characters)."""
    text = reader.text
    is_companion = bool(reader.match("CompanionMarkers", pos)) and not reader.match("LocativeOpeners", pos)
    limit = min(end, pos + 30)
    for i in range(pos + 1, limit):
        if is_companion:
            n = reader.match("CooperationCues", i)
            if n and text[i : i + 2] != "合作":  # 同X一道/携手: a companion phrase; 同X合作 is the predicate itself
                return n
        else:
            n = reader.match("LocativeEnds", i)
            if n:
                return n
    return 0


def _zh_predicates(reader: _Clause, pos: int, end: int) -> list[_Row]:
    rows: list[_Row] = []
    text, cue, part_start = reader.text, reader.tables.cue, pos
    if cue is None:
        return rows
    pos = _skip_prefixes(reader, pos, end)
    companion = _companion_cooperation(reader, part_start, end)
    while pos < end:
        m = cue.match(text, pos)
        if not m or text[m.end() : m.end() + 1] == "的" or (m.start() > 0 and text[m.start() - 1] == "的"):
            break
        rows.append(_Row(m.start(), m.end(), reader.tables.cue_action[m.group()], part_start))
        pos = m.end()
        nxt = pos
        while nxt < end and text[nxt] in "、和与及并":
            nxt += 1
        nxt = _skip_adverbs(reader, nxt, end)
        if cue.match(text, nxt):
            pos = nxt
            continue
        break
    if companion is not None and not any(r.action == companion.action for r in rows):
        rows.append(companion)
    # a later predicate joined by 并/同时 in the same part (加强A，并推动B is two parts already)
    for m in re.finditer("(?:并且|并|同时)", text[pos:end]):
        at = _skip_adverbs(reader, pos + m.end(), end)
        c = cue.match(text, at)
        if c and text[c.end() : c.end() + 1] != "的":
            rows.append(_Row(c.start(), c.end(), reader.tables.cue_action[c.group()], part_start))
    rows.sort(key=lambda r: r.start)
    return rows


def _skip_adverbs(reader: _Clause, pos: int, end: int) -> int:
    for _ in range(3):
        n = reader.match("PredicatePrefixes", pos)
        cue = reader.tables.cue.match(reader.text, pos) if reader.tables.cue else None
        if not n or (cue and cue.end() >= n):
            break
        pos = n
    return pos


def _companion_cooperation(reader: _Clause, start: int, end: int) -> _Row | None:
    """同X（一道）合作 as the main verb of a part: a cooperate commitment on the word 合作."""
    text = reader.text
    for m in re.finditer("合作", text[start:end]):
        at = start + m.start()
        before = text[start:at]
        if any(ch in before for ch in "同与和") and not text[at + 2 : at + 3] in ("的", "机", "伙", "平", "框", "项", "协", "领"):
            head = _skip_prefixes(reader, start, end)
            if head >= at or reader.match("CompanionMarkers", head) or text[head:at].endswith(("一道", "一起", "携手")):
                action = reader.tables.cue_action.get("开展合作")
                if action:
                    return _Row(at, at + 2, action, start)
        break
    return None


_EN_TO = re.compile(r"\bto\s+$")
_EN_BLOCK = re.compile(r"\b(?:to|that|which|who|whose|of)\b")


def _en_predicates(reader: _Clause, pos: int, end: int) -> list[_Row]:
    rows: list[_Row] = []
    text, cue, part_start = reader.text, reader.tables.cue, pos
    if cue is None:
        return rows
    head = _skip_prefixes(reader, pos, end)
    for m in cue.finditer(text, pos, end):
        if m.start() < head:
            continue
        before = text[part_start : m.start()]
        word_before = before.rstrip().rsplit(" ", 1)[-1] if before.strip() else ""
        ok = False
        if m.start() == head:
            ok = True
        elif word_before in ("and", "or") and rows and not _EN_BLOCK.search(text[rows[-1].end : m.start()]):
            ok = True
        elif word_before == "to" and re.search(r"(?:continue|continues|work with [^,]*?)\s+to\s+$", before):
            ok = True
        elif word_before in ("will", "shall", "should", "must", "also", "further", "jointly", "by") and not rows:
            ok = True
        if not ok:
            continue
        if m.group().endswith("ing") and word_before not in ("by", "") and m.start() != head:
            continue
        rows.append(_Row(m.start(), m.end(), reader.tables.cue_action[m.group()], part_start))
    return rows


# ---------------------------------------------------------------- policy areas


def _area_words(reader: _Clause, start: int, end: int, words: dict[str, list[str]]) -> None:
    pattern = reader.tables.area
    if pattern is None:
        return
    for m in pattern.finditer(reader.text, start, end):
        area = reader.tables.area_of.get(m.group())
        if area is None:
            continue
        exact = reader.clause.text[m.start() : m.end()]
        if exact not in words.setdefault(area, []):
            words[area].append(exact)


def _choose_areas(words: dict[str, list[str]], ents: dict[str, list[str]]) -> tuple[AreaFinding, ...]:
    scores = {a: len(words.get(a, ())) + len(ents.get(a, ())) for a in set(words) | set(ents)}
    if not scores:
        return ()
    top = max(scores.values())
    keep = sorted((a for a, s in scores.items() if s * 3 >= top), key=lambda a: (-scores[a], a))[:_MAX_AREAS]
    return tuple(AreaFinding(a, tuple(words.get(a, ())), tuple(dict.fromkeys(ents.get(a, ())))) for a in keep)


def _clause_areas(reader: _Clause, commitments: Sequence[Commitment], first: int) -> tuple[AreaFinding, ...]:
    carriers: dict[str, list[int]] = {}
    words: dict[str, list[str]] = {}
    for i, c in enumerate(commitments):
        for f in c.areas:
            carriers.setdefault(f.area, []).append(first + i)
            for w in f.words:
                if w not in words.setdefault(f.area, []):
                    words[f.area].append(w)
    if not carriers:
        found: dict[str, list[str]] = {}
        _area_words(reader, 0, len(reader.text), found)
        scores = {a: len(w) for a, w in found.items()}
        if not scores:
            return ()
        top = max(scores.values())
        keep = sorted((a for a, s in scores.items() if s * 2 >= top), key=lambda a: (-scores[a], a))[:_MAX_AREAS]
        return tuple(AreaFinding(a, tuple(found[a])) for a in keep)
    top = max(len(v) for v in carriers.values())
    keep = sorted((a for a, v in carriers.items() if len(v) * 2 >= top), key=lambda a: (-len(carriers[a]), a))
    return tuple(AreaFinding(a, tuple(words.get(a, ())), (), tuple(carriers[a])) for a in keep[:_MAX_AREAS])


# ---------------------------------------------------------------- typed relations


def _relations(reader: _Clause, sentence: int, start: int, end: int, actor: str) -> list[RelationFinding]:
    out: list[RelationFinding] = []
    for ps, pe in _pieces(reader.text, start, end, _PART_END):
        out.extend(_applied_in(reader, sentence, ps, pe))
        out.extend(_cooperates_with(reader, sentence, ps, pe, actor))
    out.extend(_invites_role(reader, sentence, start, end))
    return out


def _finding(reader: _Clause, sentence: int, predicate: str, s: Mention | None, o: Mention, cue: tuple[int, int], subject: str = "") -> RelationFinding:
    return RelationFinding(
        clause=reader.clause.number,
        sentence=sentence,
        predicate=predicate,
        subject=s.entity if s is not None else subject,
        object=o.entity,
        start=cue[0],
        end=cue[1],
        exact=reader.clause.text[cue[0] : cue[1]],
        subject_span=(s.start, s.end) if s is not None else None,
        object_span=(o.start, o.end),
    )


def _applied_in(reader: _Clause, sentence: int, start: int, end: int) -> list[RelationFinding]:
    pattern = reader.tables.lists.get("ApplicationCues")
    if pattern is None:
        return []
    text, out = reader.text, []
    techs_all = reader.mentions_in(start, end, frozenset({"Technology"}))
    sectors_all = reader.mentions_in(start, end, frozenset({"Sector"}))
    if not techs_all or not sectors_all:
        return []
    for m in pattern.finditer(text, start, end):
        cue = (m.start(), m.end())
        if reader.tables.english:
            # "application / use of T1, T2 … in S": technologies after the cue, then "in|to|for" and the sectors
            techs = [t for t in techs_all if t.start >= m.end()]
            if not techs:
                continue
            tail = text[techs[-1].end : end]
            k = re.search(r"\b(?:in|to|for|across)\b", tail)
            if not k:
                continue
            at = techs[-1].end + k.end()
            techs = [t for t in techs if t.end <= at]
            sectors = [s for s in sectors_all if s.start >= at and not re.search(r"[.;]", text[at : s.start])]
        else:
            # T… 在 S (领域) 应用 / T 应用于 S
            before = text[start : m.start()]
            at = before.rfind("在")
            if at >= 0 and m.start() - (start + at) <= 20:
                loc = start + at
                sectors = [s for s in sectors_all if loc < s.start and s.end <= m.start()]
                techs = [t for t in techs_all if t.end <= loc]
            elif text[m.end() : m.end() + 1] in ("于", "到") or text[m.start() : m.end()] == "用于":
                sectors = [s for s in sectors_all if s.start >= m.end() and s.start - m.end() <= 12]
                techs = [t for t in techs_all if t.end <= m.start()]
            else:
                continue
        for t in techs:
            for s in sectors:
                out.append(_finding(reader, sentence, "appliedIn", t, s, cue))
    return out


def _cooperates_with(reader: _Clause, sentence: int, start: int, end: int, actor: str) -> list[RelationFinding]:
    text, out = reader.text, []
    if reader.tables.english:
        pattern = reader.tables.lists.get("CooperationCues")
        if pattern is None:
            return []
        for m in pattern.finditer(text, start, end):
            partners = []
            pos = m.end()
            for p in reader.mentions_in(m.end(), end, _ACTOR_TYPES):
                if re.fullmatch(r"[\s,]*(?:and|the|its|our)?\s*(?:the)?\s*", text[pos : p.start]) is None:
                    break
                partners.append(p)
                pos = p.end
            party = _party_before(reader, start, m.start())
            out.extend(_cooperations(reader, sentence, party, actor, partners, (m.start(), m.end())))
        return out
    for m in re.finditer("合作", text[start:end]):
        at = start + m.start()
        for k in range(at - 1, max(start, at - 30) - 1, -1):
            if reader.match("CompanionMarkers", k):
                partners = reader.mentions_in(k + 1, at, _ACTOR_TYPES)
                if partners and partners[0].start - (k + 1) <= 1:
                    party = _party_before(reader, start, k)
                    out.extend(_cooperations(reader, sentence, party, actor, partners, (at, at + 2)))
                break
    return out


def _party_before(reader: _Clause, start: int, at: int) -> Mention | None:
    """The name right before a companion marker or a cooperation cue (中国同…, "China will work with …")."""
    before = reader.mentions_in(start, at, _ACTOR_TYPES)
    if not before:
        return None
    gap = reader.text[before[-1].end : at].strip()
    return before[-1] if len(gap) <= 12 and not re.search(r"[和与、,]|\band\b", gap) else None


def _cooperations(
    reader: _Clause, sentence: int, party: Mention | None, actor: str, partners: list[Mention], cue: tuple[int, int]
) -> list[RelationFinding]:
    out = []
    for p in partners:
        subject = party.entity if party is not None else actor
        if p.entity == subject:
            continue
        out.append(_finding(reader, sentence, "cooperatesWith", party, p, cue, subject=subject))
    return out


def _invites_role(reader: _Clause, sentence: int, start: int, end: int) -> list[RelationFinding]:
    inviter = reader.tables.lists.get("RoleInviters")
    role = reader.tables.lists.get("RoleCues")
    if inviter is None or role is None:
        return []
    text, out = reader.text, []
    for m in inviter.finditer(text, start, end):
        orgs = reader.mentions_in(m.end(), end, frozenset({"Organisation"}))
        if not orgs:
            continue
        r = role.search(text, orgs[-1].end, end)
        if not r or r.start() - orgs[-1].end > 30:
            continue
        # the organisations form one list right after the inviting verb
        listed, pos = [], m.end()
        for o in orgs:
            if len(text[pos : o.start].strip(" 、,和及与并等andthe")) > 12:
                break
            listed.append(o)
            pos = o.end
        for o in listed:
            out.append(_finding(reader, sentence, "invitesRole", None, o, (r.start(), r.end())))
        break
    return out
