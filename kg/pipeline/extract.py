"""Stage 3: clauses → entity mentions, with spaCy and the lexicon.

``spacy.blank("zh")`` (per-character segmentation, so nested terms such as 互联网 in
下一代互联网 stay findable) or ``spacy.blank("en")``, plus one custom component,
``dsr_lexicon_matcher_v1``, built from the lexicon files:

* English labels match case-insensitively, with plural and hyphen/space variants
  generated here ("smart cities", "e commerce"); acronym-shaped labels (a single word
  with two or more capitals: AI, IoT, WTO, IPv6) match only as whole words with their case.
  Acronyms tagged ``@en`` are also looked for in Chinese text.
* Overlapping matches resolve to the longest (联合国贸易和发展会议 is UNCTAD, not 联合国);
  blocked phrases (发展中国家) win like any match and are then dropped.
* An acronym or short form in parentheses right after a name (国际标准化组织（ISO）) belongs
  to that name: it is not a second mention, and later bare uses of it in the same document
  resolve to the name's entity even when the lexicon does not know the acronym.
* Traditional Chinese is converted to simplified with OpenCC before matching, and
  full-width forms and curly quotes are folded (:mod:`kg.pipeline.script`); every change
  keeps the character in place, so offsets still point into the original.
* English text from PDFs and web pages: ``Ghana,Peru(for Trade)`` splits at the
  punctuation, and a footnote number glued to a word (``Organizations1``) does not hide it.
* Names the lexicon lacks come from :mod:`kg.pipeline.names`; with the lexicon matches
  they resolve by longest match (a lexicon label wins a tie), so 墨西哥城 is a place and
  not Mexico, and 农业农村部 a government body and not agriculture. Inside a longer name,
  only two kinds of names count too: the country written in a government body's name
  (中华人民共和国农业农村部 mentions China; rule ``name-country``) and the organisation an
  event's name starts with (中非合作论坛第八届部长级会议 mentions FOCAC; rule ``holder``). A
  place name that labels a document or event (北京倡议, "Geneva Declaration") is no place.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING, Any

from ..core.records import DocumentStructure, Entity, Extraction, Mention, SourceText
from .lexicon import Lexicon
from .names import Candidate, find_names, sentence_bounds
from .script import fold_typography, search_form, to_simplified

__all__ = ["extract", "extract_all", "find_entities", "find_spans", "to_simplified"]

if TYPE_CHECKING:
    from spacy.language import Language

COMPONENT = "dsr_lexicon_matcher_v1"
_BLOCKED = "__blocked__"
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_PAREN_AFTER = re.compile(r"[ \t]?[（(][ \t]*([A-Za-z][A-Za-z0-9&.\-]{0,14}|[\u4e00-\u9fff]{2,8})[ \t]*[)）]")
#: (start, end, entity IRI, finding rule) of one mention in a text
Span = tuple[int, int, str, str]


def is_acronym(label: str) -> bool:
    """True for labels matched case-sensitively as whole words: one word, two or more capitals."""
    return " " not in label and sum(1 for ch in label if "A" <= ch <= "Z") >= 2


def _plural(word: str) -> str | None:
    if not word.isalpha() or len(word) < 2:
        return None
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def english_variants(label: str) -> set[str]:
    """Lower-case forms of a case-insensitive English label: itself, hyphen/space swaps, plural."""
    base = label.lower()
    forms = {base}
    if "-" in base:
        forms |= {base.replace("-", " "), base.replace("-", "")}
    if " " in base and len(base.split()) <= 4:
        forms.add(base.replace(" ", "-"))
    for form in list(forms):
        cut = max(form.rfind(" "), form.rfind("-")) + 1
        plural = _plural(form[cut:])
        if plural:
            forms.add(form[:cut] + plural)
    return forms


def _patterns(lexicon: Lexicon, language: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Return (case-insensitive, case-sensitive) pattern texts per match key."""
    folded: dict[str, set[str]] = {}
    exact: dict[str, set[str]] = {}
    # labels are read in the search form too: 国际贸易“单一窗口” meets 国际贸易"单一窗口"
    for raw, lang, iri in lexicon.labels:
        text = fold_typography(raw)
        if is_acronym(text):
            if lang in (language, "en"):
                exact.setdefault(iri, set()).update({text, text + "s"})
        elif lang == language == "en" and iri in lexicon.case_sensitive:
            exact.setdefault(iri, set()).update({text, text.upper()})  # proper names; datelines in capitals
        elif lang == language:
            forms = english_variants(text) if language == "en" else {text.lower()}
            folded.setdefault(iri, set()).update(forms)
    for raw_phrase, lang in lexicon.blocked:
        phrase = fold_typography(raw_phrase)
        if lang == language:
            target = exact if is_acronym(phrase) else folded
            forms = (
                english_variants(phrase)
                if language == "en" and target is folded
                else {phrase if target is exact else phrase.lower()}
            )
            target.setdefault(_BLOCKED, set()).update(forms)
    return folded, exact


class LexiconMatcher:
    """spaCy component: find lexicon labels in a Doc and set ``doc.ents``."""

    def __init__(self, nlp: Language, lexicon: Lexicon, language: str) -> None:
        from spacy.matcher import PhraseMatcher

        self.lexicon = lexicon
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        folded, exact = _patterns(lexicon, language)
        for matcher, table in ((self.folded, folded), (self.exact, exact)):
            for key in sorted(table):
                matcher.add(key, list(_tokenizer(nlp).pipe(sorted(table[key]))))

    def matches(self, doc, text: str | None = None) -> list[tuple[int, int, str]]:
        """Return non-overlapping (start_char, end_char, key) matches, longest first wins.

        Pass ``text`` when the caller has it: ``doc.text`` is rebuilt from the tokens on
        every access and was the slowest step of extraction.
        """
        text = doc.text if text is None else text
        strings = doc.vocab.strings
        found: list[tuple[int, int, str]] = []
        for matcher in (self.folded, self.exact):
            for match_id, start, end in matcher(doc):
                span = doc[start:end]
                cs, ce = span.start_char, span.end_char
                if _word_bounded(text, cs, ce):
                    found.append((cs, ce, strings[match_id]))
        found.sort(key=lambda m: (m[0] - m[1], m[0]))
        taken = bytearray(len(text))
        chosen = []
        for cs, ce, key in found:
            if taken.find(1, cs, ce) == -1:
                taken[cs:ce] = b"\x01" * (ce - cs)
                chosen.append((cs, ce, key))
        chosen.sort()
        return chosen

    def __call__(self, doc):
        # The same resolution as find_entities: blocked phrases dropped, 名称（ACR） folded.
        found = [(s, e, k, "") for s, e, k in self.matches(doc)]
        found = _resolve_parenthesised(doc.text, found, self.lexicon, self.lexicon.types)
        spans = (doc.char_span(cs, ce, label=self.lexicon.types[key], kb_id=key) for cs, ce, key, _ in found)
        doc.ents = [span for span in spans if span is not None]
        return doc


def _word_bounded(text: str, start: int, end: int) -> bool:
    """Latin letters and digits must not continue a match on either side (5G in 15G, AI in AIIB);
    a footnote number after a lower-case word ("Organizations1") does not count."""
    if _ASCII_WORD.match(text[start]) and start > 0 and _ASCII_WORD.match(text[start - 1]):
        return False
    if end < len(text) and text[end].isdigit() and text[end - 1].islower() and end - start >= 4:
        return not (end + 1 < len(text) and text[end + 1].isalpha())
    return not (_ASCII_WORD.match(text[end - 1]) and end < len(text) and _ASCII_WORD.match(text[end]))


def _tokenizer(nlp: Language) -> Any:
    """The pipeline's tokenizer: spaCy's ``Tokenizer`` for English, ``ChineseTokenizer`` for
    Chinese; both have ``pipe`` (``Language.tokenizer`` is declared as a plain callable)."""
    return nlp.tokenizer


def _register_factory() -> None:
    from spacy.language import Language

    if Language.has_factory(COMPONENT):
        return

    @Language.factory(COMPONENT, default_config={"language": "zh"})
    def _make(nlp: Language, name: str, language: str):
        lexicon = _CURRENT_LEXICON.get(language)
        if lexicon is None:
            raise RuntimeError("build pipelines with kg.extract.build_nlp()")
        return LexiconMatcher(nlp, lexicon, language)


_CURRENT_LEXICON: dict[str, Lexicon] = {}
_PIPELINES: dict[tuple[str, str], Language] = {}


def build_nlp(language: str, lexicon: Lexicon) -> Language:
    """Return a blank spaCy pipeline for ``zh`` or ``en`` with the lexicon matcher.

    Pipelines are cached per language and lexicon fingerprint.
    """
    import spacy

    language = "zh" if language == "zh" else "en"
    cache_key = (language, lexicon.fingerprint)
    if cache_key not in _PIPELINES:
        _register_factory()
        nlp = spacy.blank(language)
        nlp.max_length = 10_000_000
        if language == "en":
            # Contraction rules split "id" into "i" + "d" (for "I'd"), "ill" and the like, so a
            # lower-cased label "digital id" would never meet "digital ID" in text. Policy
            # texts gain nothing from contraction handling: drop the special cases.
            tokenizer = _tokenizer(nlp)
            tokenizer.rules = {}
            # spaCy splits a final "." after lower-case letters only: "6G." and "IoT." at the
            # end of a sentence stayed one token and were never matched.
            # A footnote number glued to a word ("Organizations1") is a suffix of its own.
            suffixes = [*(nlp.Defaults.suffixes or ()), r"(?<=[A-Za-z0-9])\.", r"(?<=[a-z]{3})[0-9]{1,2}$"]
            tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
            # Web and PDF copies drop the spaces around punctuation: "Ghana,Peru(for Trade),Viet Nam".
            infixes = [*(nlp.Defaults.infixes or ()), r"[(),;:]"]
            tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
        _CURRENT_LEXICON[language] = lexicon
        nlp.add_pipe(COMPONENT, config={"language": language})
        _PIPELINES[cache_key] = nlp
    return _PIPELINES[cache_key]


def find_entities(text: str, language: str, lexicon: Lexicon) -> list[tuple[int, int, str]]:
    """Return (start, end, entity IRI) for every entity mention in ``text`` (see :func:`find_spans`)."""
    return [(s, e, iri) for s, e, iri, _ in find_spans(text, language, lexicon)[0]]


def _lexicon_matches(search_text: str, language: str, lexicon: Lexicon) -> list[tuple[int, int, str]]:
    """Lexicon matches paragraph by paragraph (mentions never cross a line break), blocked phrases included."""
    nlp = build_nlp(language, lexicon)
    matcher = nlp.get_pipe(COMPONENT)
    assert isinstance(matcher, LexiconMatcher)
    offsets, paragraphs, pos = [], [], 0
    for para in search_text.split("\n"):
        if para.strip():
            offsets.append(pos)
            paragraphs.append(para)
        pos += len(para) + 1
    found: list[tuple[int, int, str]] = []
    for offset, para, doc in zip(offsets, paragraphs, _tokenizer(nlp).pipe(paragraphs)):
        found.extend((offset + s, offset + e, key) for s, e, key in matcher.matches(doc, para))
    return found


def find_spans(text: str, language: str, lexicon: Lexicon) -> tuple[list[Span], dict[str, Candidate]]:
    """Return every mention in ``text`` as (start, end, entity IRI, finding rule), and the names
    outside the lexicon by IRI (their first candidate).

    Lexicon labels and the candidates of :mod:`kg.pipeline.names` resolve by longest match
    (a lexicon label wins a tie); see the module docstring for the names kept inside others.
    """
    search_text = search_form(text, language)
    found = _lexicon_matches(search_text, language, lexicon)
    plain = [m for m in found if m[2] != _BLOCKED]
    candidates = find_names(search_text, language, plain, lexicon, blocked=[m for m in found if m[2] == _BLOCKED])
    chosen = _longest(found, candidates)
    chosen = [c for c in chosen if not _venue_label(search_text, c, lexicon, language)]
    suffixes = lexicon.phrase_list("LanguageSuffixes", language)
    chosen = [  # 越南语 is a language
        c
        for c in chosen
        if isinstance(c, Candidate)
        or lexicon.types.get(c[2]) != "Country"
        or not search_text.startswith(suffixes, c[1])
    ]
    spans: list[Span] = []
    names: dict[str, Candidate] = {}
    types = dict(lexicon.types)
    for item in chosen:
        if isinstance(item, Candidate):
            iri = item.iri
            names.setdefault(iri, item)
            types[iri] = item.type
            spans.append((item.start, item.end, iri, item.rule))
        elif item[2] != _BLOCKED:
            spans.append((item[0], item[1], item[2], ""))
        else:
            spans.append((item[0], item[1], _BLOCKED, ""))
    spans += _nested(spans, plain, types, search_text)
    spans.sort()
    return _resolve_parenthesised(search_text, spans, lexicon, types), names


def _longest(found: list[tuple[int, int, str]], candidates: list[Candidate]) -> list:
    """Non-overlapping matches and candidates, the longest first; a lexicon match wins a tie."""
    items: list[tuple[int, int, int, object]] = [(s - e, 0, s, (s, e, k)) for s, e, k in found]
    items += [(c.start - c.end, 1, c.start, c) for c in candidates]
    items.sort(key=lambda x: (x[0], x[1], x[2]))
    length = max((c.end for c in candidates), default=0)
    length = max(length, max((e for _, e, _ in found), default=0))
    taken = bytearray(length + 1)
    chosen = []
    for _, _, _, item in items:
        s, e = (item.start, item.end) if isinstance(item, Candidate) else item[:2]  # type: ignore[index]
        if taken.find(1, s, e) == -1:
            taken[s:e] = b"\x01" * (e - s)
            chosen.append(item)
    return chosen


def _venue_label(text: str, item, lexicon: Lexicon, language: str) -> bool:
    """A place right before a title or event word labels a venue (北京倡议, "Geneva Declaration")."""
    if isinstance(item, Candidate) or lexicon.types.get(item[2]) != "Place":
        return False
    after = text[item[1] : item[1] + 12]
    if language == "en":
        after = after.lstrip(" ")
        return any(
            after.startswith(w) and not after[len(w) : len(w) + 1].isalpha()
            for w in lexicon.phrase_list("TitleWords", "en")
        )
    return any(after.startswith(w) for w in lexicon.phrase_list("TitleWords", "zh"))


def _nested(spans: list[Span], plain: list[tuple[int, int, str]], types: dict[str, str], text: str) -> list[Span]:
    """The names inside a longer name that count: a government body's country, an event's holder."""
    extra: list[Span] = []
    for s, e, iri, _rule in spans:
        kind = types.get(iri)
        if kind == "GovernmentBody":
            extra += [
                (ms, me, m, "name-country")
                for ms, me, m in plain
                if s <= ms and me <= e and (ms, me) != (s, e) and types.get(m) == "Country"
            ]
        elif kind == "Event":
            lead = re.match(r"(?:\d{4}\s*年?\s*|\d{1,3}(?:st|nd|rd|th)\s+|the\s+)?", text[s:e])
            at = s + (lead.end() if lead else 0)
            extra += [
                (ms, me, m, "holder") for ms, me, m in plain if ms == at and me < e and types.get(m) == "Organisation"
            ]
    return extra


def _resolve_parenthesised(text: str, found: list[Span], lexicon: Lexicon, types: dict[str, str]) -> list[Span]:
    """Fold 名称（ACR） into the name's mention and resolve every bare use of ACR in the text."""
    by_start = {s: (s, e, k) for s, e, k, _ in found}
    drop: set[int] = set()
    aliases: dict[str, str] = {}
    parenthesised: list[tuple[int, int]] = []
    for _s, e, key, _rule in found:
        if key == _BLOCKED:
            continue
        m = _PAREN_AFTER.match(text, e)
        if not m:
            continue
        inner_start = m.start(1)
        parenthesised.append((inner_start, m.end(1)))
        inner = by_start.get(inner_start)
        if inner and inner[1] == m.end(1):
            drop.add(inner_start)  # the acronym belongs to the name before it
            if inner[2] == key:
                continue
        elif m.group(1) not in lexicon.label_set:
            aliases[m.group(1)] = key
    result = [f for f in found if f[0] not in drop and f[2] != _BLOCKED]
    if aliases:
        taken = bytearray(len(text))
        for s, e in [(s, e) for s, e, _, _ in found] + parenthesised:
            taken[s:e] = b"\x01" * (e - s)
        pattern = re.compile("|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True)))
        for m in pattern.finditer(text):
            s, e = m.span()
            if taken.find(1, s, e) == -1 and _word_bounded(text, s, e):
                key = aliases[m.group()]
                result.append((s, e, key, "" if key in lexicon.types else "short-form"))
        result.sort()
    return result


def extract_all(source: SourceText, structure: DocumentStructure, lexicon: Lexicon) -> Extraction:
    """Find the entity mentions of every clause of a document, and the names outside the lexicon.

    Returns:
        Mentions ordered by clause and offset (offsets index into the clause's text), and one
        :class:`Entity` per name found outside the lexicon.
    """
    spans, names = find_spans(source.text, source.language, lexicon)
    clauses = sorted(structure.clauses, key=lambda c: c.start)
    starts = [c.start for c in clauses]
    mentions: list[Mention] = []
    counts: dict[str, int] = {}
    for s, e, iri, rule in spans:
        i = bisect.bisect_right(starts, s) - 1
        if i < 0:
            continue
        clause = clauses[i]
        if e > clause.end:
            continue  # inside a clause number marker or crossing clauses
        cs, ce = s - clause.start, e - clause.start
        sentence = 0
        for sent in clause.sentences:
            if sent.start <= cs and ce <= sent.end:
                sentence = sent.number
                break
        kind = lexicon.types.get(iri) or names[iri].type
        counts[iri] = counts.get(iri, 0) + 1
        mentions.append(
            Mention(
                clause=clause.number,
                start=cs,
                end=ce,
                exact=clause.text[cs:ce],
                entity=iri,
                type=kind,
                sentence=sentence,
                rule=rule,
            )
        )
    mentions.sort(key=lambda m: (m.clause, m.start, -m.end))
    entities = []
    for iri, cand in names.items():
        if not counts.get(iri):
            continue
        left, right = sentence_bounds(source.text, cand.start, cand.end)
        entities.append(
            Entity(
                iri=iri,
                type=cand.type,
                label=source.text[cand.start : cand.end],
                language=source.language,
                rule=cand.rule,
                country=cand.country,
                date=cand.date,
                mentions=counts[iri],
                context=source.text[left:right].strip(),
            )
        )
    return Extraction(tuple(mentions), tuple(sorted(entities, key=lambda x: x.iri)))


def extract(source: SourceText, structure: DocumentStructure, lexicon: Lexicon) -> list[Mention]:
    """Find the entity mentions of every clause of a document (see :func:`extract_all`)."""
    return list(extract_all(source, structure, lexicon).mentions)
