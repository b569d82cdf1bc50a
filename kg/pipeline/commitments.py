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
from collections.abc import Callable, Iterable, Sequence
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
#: an item number inside a clause (一、 （二） 3. (a) ii)) before the sentence's verb
_ENUMERATOR = re.compile(
    r"(?:[一二三四五六七八九十]{1,3}[、.．]|[（(](?:[一二三四五六七八九十]{1,3}|\d{1,2}|[a-z]|[ivx]{1,4})[)）]|\d{1,2}[.、．)](?!\d)|[a-z][.)]\s|[ivx]{1,4}[.)]\s)\s*"
)
_MAX_AREAS = 3
#: a clause's heading names its topic: an area in it weighs half the clause's commitments
_HEADING_WEIGHT = 0.5
#: a clause keeps the areas scoring at least this share of its best area
_KEEP_SHARE = 0.5


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
    governors: frozenset[str]
    blocked: re.Pattern[str] | None
    words: dict[str, frozenset[str]]  #: list name → its phrases (for membership tests)
    endings: dict[str, tuple[str, ...]]  #: list name → its phrases (for ``str.endswith``)
    relation_cue: re.Pattern[str] | None  #: any word a typed relation needs (a statement without one has none)
    matchers: dict[str, Callable[[str, int], re.Match[str] | None]]  #: list name → its bound ``match``


_LISTS = (
    "PredicatePrefixes",
    "ActorMarkers",
    "NonCommitmentOpeners",
    "PurposeMarkers",
    "FrameOpeners",
    "FrameEnds",
    "ApplicationCues",
    "CooperationCues",
    "CompanionMarkers",
    "RoleCues",
    "RoleInviters",
    "CollectiveNames",
    "InfinitiveLeads",
    "CompanionEnds",
    "VerbNouns",
    "Coordinators",
    "VerbCoordinators",
    "ReportingVerbs",
    "AttributiveMarkers",
    "ComplementMarkers",
    "MeansMarkers",
    "Determiners",
    "MemberWords",
    "ApplicationToCues",
    "ApplicationPrepositions",
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
        governors=lexicon.verb_governors,
        words={name: frozenset(norm(p) for p in lexicon.phrase_list(name, language)) for name in _LISTS},
        endings={name: tuple(sorted(norm(p) for p in lexicon.phrase_list(name, language))) for name in _LISTS},
        matchers={name: p.match for name, p in lists.items() if p is not None},
        relation_cue=_alternation(
            (
                norm(p)
                for name in ("ApplicationCues", "ApplicationToCues", "CooperationCues", "RoleInviters")
                for p in lexicon.phrase_list(name, language)
            ),
            english,
        ),
        blocked=_alternation((norm(p) for p, lang in lexicon.blocked if lang == language), english),
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

    def __init__(self, clause: Clause, mentions: Sequence[Mention], tables: _Tables):
        self.clause = clause
        self.tables = tables
        raw = search_form(clause.text, "zh")
        self.text = raw.lower() if tables.english else raw
        self.mentions = sorted(mentions, key=lambda m: (m.start, -m.end))
        self.starts = [m.start for m in self.mentions]
        self._matchers = tables.matchers

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
        matcher = self._matchers.get(name)
        if matcher is None:
            return 0
        m = matcher(self.text, pos)
        return m.end() if m else 0

    def is_word(self, name: str, text: str) -> bool:
        """True when ``text`` is one phrase of list ``name``."""
        return text in self.tables.words.get(name, ())

    def ends_with(self, name: str, start: int, end: int) -> bool:
        """True when ``text[start:end]`` ends with a phrase of list ``name``."""
        endings = self.tables.endings.get(name, ())
        return bool(endings) and self.text.endswith(endings, start, end)

    def search(self, name: str, start: int, end: int) -> re.Match[str] | None:
        pattern = self.tables.lists.get(name)
        return pattern.search(self.text, start, end) if pattern else None

    def only(self, names: tuple[str, ...], start: int, end: int) -> bool:
        """True when ``text[start:end]`` holds nothing but punctuation, spaces and phrases of the lists."""
        pos = start
        while pos < end:
            ch = self.text[pos]
            if ch.isspace() or ch in ",，、;；\"'“”":
                pos += 1
                continue
            n = max((self.match(name, pos) for name in names), default=0)
            if not n:
                return False
            pos = n
        return True

    def cue_at(self, pos: int, companion: bool = False) -> re.Match[str] | None:
        """The cue verb starting at ``pos``, unless a blocked phrase or a noun (dsr:VerbNouns: 发展中国家,
        合作机制) starts there, or a dsr:AttributiveMarkers word (的) stands next to it."""
        cue = self.tables.cue
        m = cue.match(self.text, pos) if cue else None
        if m is None:
            return None
        if not companion and m.group() in self.tables.words["CooperationCues"]:
            return None  # 合作 is a predicate only as the end of a companion phrase (同X合作)
        for pattern in (self.tables.blocked, self.tables.lists.get("VerbNouns")):
            noun = pattern.match(self.text, pos) if pattern else None
            if noun and noun.end() > m.end():
                return None
        if self.match("AttributiveMarkers", m.end()) or self.ends_with("AttributiveMarkers", max(0, pos - 3), pos):
            return None
        return m

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
        return Reading()
    by_clause: dict[int, list[Mention]] = {}
    for m in mentions:
        by_clause.setdefault(m.clause, []).append(m)
    commitments: list[Commitment] = []
    relations: list[RelationFinding] = []
    clause_areas: dict[int, tuple[AreaFinding, ...]] = {}
    for clause in structure.clauses:
        reader = _Clause(clause, by_clause.get(clause.number, ()), tables)
        first = len(commitments)
        for sentence in clause.sentences:
            if clause.number == 0 and sentence.text.strip() == structure.title.strip():
                continue  # the title names the document; it undertakes nothing
            actor = ""
            for s, e in _pieces(reader.text, sentence.start, sentence.end, _STATEMENT_END):
                actor = _actor(reader, s, e) or actor
                parts = _pieces(reader.text, s, e, _PART_END)
                commitments.extend(_statement(reader, sentence.number, s, e, parts, actor, lexicon))
                relations.extend(_relations(reader, sentence.number, s, e, parts, actor))
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
        det = reader.match("Determiners", pos)
        m = reader.mention_at(pos) or (reader.mention_at(reader.skip_space(det, end)) if det else None)
        if m is None:
            return ""
        iri, after = m.entity, m.end
        # a name list (中国和墨西哥) or an apposition is not a single actor
        if reader.match("Coordinators", reader.skip_space(after, end)) or reader.mention_at(
            reader.skip_space(after, end)
        ):
            return ""
        after = reader.match("MemberWords", reader.skip_space(after, end)) or after
    after = reader.skip_space(after, end)
    marker = reader.match("ActorMarkers", after)
    if marker or (reader.tables.cue and reader.tables.cue.match(reader.text, after)):
        return iri
    return ""


# ---------------------------------------------------------------- commitments


def _statement(
    reader: _Clause,
    sentence: int,
    start: int,
    end: int,
    parts: list[tuple[int, int]],
    actor: str,
    lexicon: Lexicon,
) -> list[Commitment]:
    rows: list[_Row] = []
    english = reader.tables.english
    purposes: list[tuple[int, int]] = []
    cue = reader.tables.cue
    if cue is None or not cue.search(reader.text, start, end):
        return []  # no cue verb: no undertaking
    for k, (ps, pe) in enumerate(parts):
        if not cue.search(reader.text, ps, pe):
            continue
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
    # a part, or reported words, may name their own subject (习近平指出，中方愿…; "Deng said that China will …")
    named: list[tuple[int, str]] = []
    for ps, pe in parts[1:]:  # the first part's subject is ``actor`` already
        found = _actor(reader, ps, pe)
        if found:
            named.append((ps, found))
    for m in _finditer(reader, "ReportingVerbs", start, end):
        found = _actor(reader, m.end(), end)
        if found:
            named.append((m.end(), found))
    named.sort()
    # each row governs what follows it up to the next row that is not coordinated with it
    for i, row in enumerate(rows):
        j = i + 1
        while j < len(rows) and _coordinated(reader, rows[j - 1], rows[j]):
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
        own = [iri for at, iri in named if at <= row.start]
        row_actor = own[-1] if own else actor
        concerns: list[str] = []
        words: dict[str, list[str]] = {}
        ents: dict[str, list[str]] = {}
        for r in by_action[row.action]:
            for s, e in _minus(r.part_start, r.span_end, purposes):
                for mention in reader.mentions_in(s, e):
                    if mention.entity != row_actor and mention.entity not in concerns:
                        concerns.append(mention.entity)
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
                actor=row_actor,
                concerns=tuple(concerns),
                areas=_choose_areas(words, ents),
            )
        )
    return out


def _coordinated(reader: _Clause, a: _Row, b: _Row) -> bool:
    """True when row ``b`` directly follows row ``a`` (建设完善, 鼓励和支持, "promote and support")."""
    return reader.only(("Coordinators", "ComplementMarkers"), a.end, b.start)


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
        enumerator = _ENUMERATOR.match(text, pos)
        if enumerator:
            pos = enumerator.end()
            continue
        if reader.cue_at(pos) and not reader.match("PredicatePrefixes", pos):
            return pos
        n = reader.match("PredicatePrefixes", pos) or reader.match("CollectiveNames", pos)
        label = reader.tables.actor_label.match(text, pos) if reader.tables.actor_label else None
        m = reader.mention_at(pos)
        if label:
            pos = label.end()
        elif m is not None:
            pos = reader.match("MemberWords", m.end) or m.end
        elif n:
            # a cue may start with a prefix (共同 in 共同发起): prefer the longer cue
            cue = reader.tables.cue.match(text, pos) if reader.tables.cue else None
            if cue and cue.end() > n:
                return pos
            if cue and not reader.cue_at(_skip_prefixes(reader, n, end)):
                return pos  # a verb that is also a prefix (同意) is the predicate unless another verb follows
            pos = n
        elif reader.match("FrameOpeners", pos) or reader.match("CompanionMarkers", pos):
            close = _phrase_end(reader, pos, end)
            if not close:
                return pos
            pos = close
        else:
            return pos
    return pos


def _phrase_end(reader: _Clause, pos: int, end: int) -> int:
    """End of a locative (在…领域) or companion (同X一道) phrase starting at ``pos`` (0 if none within 30 characters)."""
    marker = reader.match("CompanionMarkers", pos)
    is_companion = bool(marker) and not reader.match("FrameOpeners", pos)
    if is_companion:
        # 同东盟（及其成员国）一道 / 同东盟加强…: the partners named right after the marker
        at, named = marker, False
        while at < end:
            at = reader.skip_space(at, end)
            m = reader.mention_at(at)
            n = m.end if m is not None else reader.match("CollectiveNames", at)
            if n:
                at, named = reader.match("MemberWords", n) or n, True
                continue
            n = reader.match("Coordinators", at) or reader.match("Determiners", at)
            if n and named:
                at = n
                continue
            break
        if named:
            return reader.match("CompanionEnds", at) or at
    limit = min(end, pos + 30)
    for i in range(pos + 1, limit):
        if is_companion:
            n = reader.match("CompanionEnds", i)  # 同X一道: a companion phrase; 同X合作 is the predicate itself
            if n:
                return n
        else:
            n = reader.match("FrameEnds", i)
            if n:
                return n
    return 0


def _zh_predicates(reader: _Clause, pos: int, end: int) -> list[_Row]:
    rows: list[_Row] = []
    _text, part_start = reader.text, pos
    action_of = reader.tables.cue_action
    pos = _skip_prefixes(reader, pos, end)
    companion = _companion_cooperation(reader, part_start, end)
    while pos < end:
        m = reader.cue_at(pos)
        if not m:
            break
        rows.append(_Row(m.start(), m.end(), action_of[m.group()], part_start))
        pos = m.end()
        nxt = pos
        while nxt < end and reader.match("Coordinators", nxt):
            nxt = reader.match("Coordinators", nxt)
        if nxt == pos and rows[-1].action in reader.tables.governors:
            break  # 推动建立: the second verb is the object of the first
        nxt = _skip_adverbs(reader, nxt, end)
        if reader.cue_at(nxt):
            pos = nxt
            continue
        break
    if companion is not None and not any(r.action == companion.action for r in rows):
        rows.append(companion)
    # a later predicate joined by 并/和/同时 in the same part (…打击网络犯罪和保护数字技术环境)
    at = pos
    while rows:
        m = reader.search("VerbCoordinators", at, end)
        if m is None:
            break
        at = m.end()
        c = reader.cue_at(_skip_adverbs(reader, at, end))
        if c and c.end() < end and not reader.match("Coordinators", c.end()) and c.start() > rows[-1].end:
            rows.append(_Row(c.start(), c.end(), action_of[c.group()], part_start))
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


def _verb_ends(reader: _Clause, pos: int, end: int) -> bool:
    """True when a verb ending at ``pos`` is not a noun modifier: the part ends, or a verb,
    a coordinator or a purpose clause follows (同东盟合作，… / 合作共建 / 合作，为…)."""
    pos = reader.skip_space(pos, end)
    return (
        pos >= end
        or not reader.text[pos].isalnum()
        or bool(reader.tables.cue and reader.tables.cue.match(reader.text, pos))
        or bool(reader.match("VerbCoordinators", pos))
        or bool(reader.match("PurposeMarkers", pos))
    )


def _companion_cooperation(reader: _Clause, start: int, end: int) -> _Row | None:
    """同X（一道）合作 as the main verb of a part: a cooperate commitment on the cooperation word."""
    m = reader.search("CooperationCues", start, end)
    if m is None or reader.tables.english:
        return None
    at = m.start()
    cue = reader.cue_at(at, companion=True)
    if cue is None or not reader.search("CompanionMarkers", start, at) or not _verb_ends(reader, cue.end(), end):
        return None
    head = _skip_prefixes(reader, start, end)
    if head >= at or reader.match("CompanionMarkers", head):
        return _Row(at, cue.end(), reader.tables.cue_action[cue.group()], start)
    return None


def _en_predicates(reader: _Clause, pos: int, end: int) -> list[_Row]:
    rows: list[_Row] = []
    text, cue, part_start = reader.text, reader.tables.cue, pos
    if cue is None:
        return rows
    head = _skip_prefixes(reader, pos, end)
    for m in cue.finditer(text, pos, end):
        if m.start() < head:
            continue
        before = text[part_start : m.start()].rstrip()
        word_before = before.rsplit(" ", 1)[-1] if before else ""
        if m.group().endswith("ing") and not reader.is_word("MeansMarkers", word_before):
            continue  # a gerund heads a noun phrase or a list of topics, except as a means (by doing)
        ok = m.start() == head
        if not ok and reader.is_word("Coordinators", word_before) and rows:
            ok = not reader.search("ComplementMarkers", rows[-1].end, m.start())
        if not ok and reader.is_word("ComplementMarkers", word_before) and word_before == before[-len(word_before) :]:
            ok = _infinitive_lead(reader, part_start, m.start(), rows)
        if (
            not ok
            and not rows
            and reader.is_word("PredicatePrefixes", word_before)
            and not reader.is_word("ComplementMarkers", word_before)
            and not reader.is_word("Coordinators", word_before)
        ):
            ok = True
        if ok:
            rows.append(_Row(m.start(), m.end(), reader.tables.cue_action[m.group()], part_start))
    return rows


def _infinitive_lead(reader: _Clause, start: int, at: int, rows: list[_Row]) -> bool:
    """True when "to" before a cue at ``at`` follows an infinitive lead ("continue to", "responsibility to"),
    a cooperation cue ("work with X to"), or continues a row ("… and to govern")."""
    before = reader.text[start:at].rstrip()
    before = before[: before.rfind(" ") + 1].rstrip() if " " in before else ""
    last = before.rsplit(" ", 1)[-1] if before else ""
    if rows and reader.is_word("Coordinators", last):
        return not reader.search("ComplementMarkers", rows[-1].end, start + len(before) - len(last))
    lead = reader.tables.lists.get("InfinitiveLeads")
    if lead is not None and last and lead.fullmatch(last):
        return True
    coop = reader.tables.lists.get("CooperationCues")
    return bool(coop and coop.search(before))


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
    """A clause's areas: those carried by its commitments, counted, plus those its heading names.

    The heading (the clause's first sentence: 1.加强数字基础设施互联互通。) states the clause's
    topic, so an area it names counts as much as half the commitments; an area is kept when
    its score is at least half the best one (at most three areas).
    """
    carriers: dict[str, list[int]] = {}
    words: dict[str, list[str]] = {}
    for i, c in enumerate(commitments):
        for f in c.areas:
            carriers.setdefault(f.area, []).append(first + i)
            for w in f.words:
                if w not in words.setdefault(f.area, []):
                    words[f.area].append(w)
    heading: dict[str, list[str]] = {}
    sentences = reader.clause.sentences
    if sentences:
        _area_words(reader, sentences[0].start, sentences[0].end, heading)
    if not carriers:
        _area_words(reader, 0, len(reader.text), heading)
    bonus = max(1.0, len(commitments) * _HEADING_WEIGHT)
    scores = {a: len(carriers.get(a, ())) + (bonus if a in heading else 0.0) for a in set(carriers) | set(heading)}
    if not scores:
        return ()
    top = max(scores.values())
    keep = sorted((a for a, s in scores.items() if s >= top * _KEEP_SHARE), key=lambda a: (-scores[a], a))[:_MAX_AREAS]
    return tuple(
        AreaFinding(a, tuple(dict.fromkeys([*heading.get(a, ()), *words.get(a, ())])), (), tuple(carriers.get(a, ())))
        for a in keep
    )


# ---------------------------------------------------------------- typed relations


def _relations(
    reader: _Clause, sentence: int, start: int, end: int, parts: list[tuple[int, int]], actor: str
) -> list[RelationFinding]:
    out: list[RelationFinding] = []
    cue = reader.tables.relation_cue
    if cue is None or not cue.search(reader.text, start, end) or not reader.mentions_in(start, end):
        return out
    for ps, pe in parts:
        out.extend(_applied_in(reader, sentence, ps, pe))
        out.extend(_applied_to(reader, sentence, ps, pe))
        out.extend(_cooperates_with(reader, sentence, ps, pe, actor))
    out.extend(_invites_role(reader, sentence, start, end))
    return out


def _finding(
    reader: _Clause,
    sentence: int,
    predicate: str,
    s: Mention | None,
    o: Mention,
    cue: tuple[int, int],
    subject: str = "",
) -> RelationFinding:
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
            k = reader.search("ApplicationPrepositions", techs[-1].end, end)
            if not k:
                continue
            at = k.end()
            techs = [t for t in techs if t.end <= at]
            sectors = [s for s in sectors_all if s.start >= at and not re.search(r"[.;]", text[at : s.start])]
        else:
            # T… 在 S (领域) 应用 / T 应用于 S
            frames = [f.start() for f in _finditer(reader, "FrameOpeners", max(start, m.start() - 20), m.start())]
            if frames:
                loc = frames[-1]
                sectors = [s for s in sectors_all if loc < s.start and s.end <= m.start()]
                techs = [t for t in techs_all if t.end <= loc]
            else:
                continue
        for t in techs:
            for s in sectors:
                out.append(_finding(reader, sentence, "appliedIn", t, s, cue))
    return out


def _applied_to(reader: _Clause, sentence: int, start: int, end: int) -> list[RelationFinding]:
    """T 应用于 S / T 赋能 S: technologies before the cue, sectors right after it."""
    out = []
    for m in _finditer(reader, "ApplicationToCues", start, end):
        techs = reader.mentions_in(start, m.start(), frozenset({"Technology"}))
        sectors = [s for s in reader.mentions_in(m.end(), end, frozenset({"Sector"})) if s.start - m.end() <= 12]
        for t in techs:
            for s in sectors:
                out.append(_finding(reader, sentence, "appliedIn", t, s, (m.start(), m.end())))
    return out


def _finditer(reader: _Clause, name: str, start: int, end: int) -> list[re.Match[str]]:
    pattern = reader.tables.lists.get(name)
    return list(pattern.finditer(reader.text, start, end)) if pattern else []


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
                if not reader.only(("Coordinators", "Determiners"), pos, p.start):
                    break
                partners.append(p)
                pos = p.end
            party = _party_before(reader, start, m.start())
            out.extend(_cooperations(reader, sentence, party, actor, partners, (m.start(), m.end())))
        return out
    for m in _finditer(reader, "CooperationCues", start, end):
        at = m.start()
        for k in range(at - 1, max(start, at - 30) - 1, -1):
            if reader.match("CompanionMarkers", k):
                partners = reader.mentions_in(k + 1, at, _ACTOR_TYPES)
                near = (
                    partners
                    and at - partners[-1].end <= 10
                    and not any(ch.isdigit() for ch in text[partners[-1].end : at])
                )
                if near and partners[0].start - (k + 1) <= 1 and _verb_ends(reader, m.end(), end):
                    party = _party_before(reader, start, k)
                    out.extend(_cooperations(reader, sentence, party, actor, partners, (at, m.end())))
                break
    return out


def _party_before(reader: _Clause, start: int, at: int) -> Mention | None:
    """The name right before a companion marker or a cooperation cue (中国同…, "China will work with …")."""
    before = reader.mentions_in(start, at, _ACTOR_TYPES)
    if not before:
        return None
    gap_start, gap = before[-1].end, reader.text[before[-1].end : at].strip()
    return (
        before[-1] if len(gap) <= 12 and not reader.search("Coordinators", gap_start, at) and "," not in gap else None
    )


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
            if not reader.only(("Coordinators", "Determiners", "RoleInviters"), pos, o.start):
                break
            listed.append(o)
            pos = o.end
        for o in listed:
            out.append(_finding(reader, sentence, "invitesRole", None, o, (r.start(), r.end())))
        break
    return out
