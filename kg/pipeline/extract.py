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
* Traditional Chinese is converted to simplified with OpenCC before matching; the
  conversion keeps every character in place, so offsets still point into the original.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..core.records import DocumentStructure, Mention, SourceText
from .lexicon import Lexicon

if TYPE_CHECKING:
    from spacy.language import Language

COMPONENT = "dsr_lexicon_matcher_v1"
_BLOCKED = "__blocked__"
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_PAREN_AFTER = re.compile(r"[ \t]?[（(][ \t]*([A-Za-z][A-Za-z0-9&.\-]{0,14}|[\u4e00-\u9fff]{2,8})[ \t]*[)）]")


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
    for text, lang, iri in lexicon.labels:
        if is_acronym(text):
            if lang in (language, "en"):
                exact.setdefault(iri, set()).update({text, text + "s"})
        elif lang == language:
            forms = english_variants(text) if language == "en" else {text.lower()}
            folded.setdefault(iri, set()).update(forms)
    for phrase, lang in lexicon.blocked:
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
        found = _resolve_parenthesised(doc.text, self.matches(doc), self.lexicon)
        spans = (doc.char_span(cs, ce, label=self.lexicon.types[key], kb_id=key) for cs, ce, key in found)
        doc.ents = [span for span in spans if span is not None]
        return doc


def _word_bounded(text: str, start: int, end: int) -> bool:
    """Latin letters and digits must not continue a match on either side (5G in 15G, AI in AIIB)."""
    if _ASCII_WORD.match(text[start]) and start > 0 and _ASCII_WORD.match(text[start - 1]):
        return False
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
            suffixes = [*(nlp.Defaults.suffixes or ()), r"(?<=[A-Za-z0-9])\."]
            tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
        _CURRENT_LEXICON[language] = lexicon
        nlp.add_pipe(COMPONENT, config={"language": language})
        _PIPELINES[cache_key] = nlp
    return _PIPELINES[cache_key]


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """The traditional characters OpenCC converts to a different simplified character."""
    from pathlib import Path

    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    chars = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        key = line.split("\t", 1)[0]
        if len(key) == 1:
            target = line.split("\t", 1)[1].split()[0] if "\t" in line else key
            if target != key:
                chars.add(key)
    return frozenset(chars)


def to_simplified(text: str) -> str:
    """Convert traditional Chinese to simplified, keeping length (and so offsets) unchanged."""
    if _traditional_chars().isdisjoint(text):  # a set test: 10× faster than a regex class
        return text
    from opencc import OpenCC

    converter = OpenCC("t2s")
    converted = converter.convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length: fall back to one character at a time.
    return "".join(c if len(c := converter.convert(ch)) == 1 else ch for ch in text)


def find_entities(text: str, language: str, lexicon: Lexicon) -> list[tuple[int, int, str]]:
    """Return (start, end, entity IRI) for every entity mention in ``text``.

    Works paragraph by paragraph (mentions never cross a line break), so memory stays
    bounded however long the document is.
    """
    nlp = build_nlp(language, lexicon)
    matcher = nlp.get_pipe(COMPONENT)
    assert isinstance(matcher, LexiconMatcher)
    search_text = to_simplified(text) if language == "zh" else text
    offsets, paragraphs, pos = [], [], 0
    for para in search_text.split("\n"):
        if para.strip():
            offsets.append(pos)
            paragraphs.append(para)
        pos += len(para) + 1
    found: list[tuple[int, int, str]] = []
    for offset, para, doc in zip(offsets, paragraphs, _tokenizer(nlp).pipe(paragraphs)):
        found.extend((offset + s, offset + e, key) for s, e, key in matcher.matches(doc, para))
    return _resolve_parenthesised(search_text, found, lexicon)


def _resolve_parenthesised(
    text: str, found: list[tuple[int, int, str]], lexicon: Lexicon
) -> list[tuple[int, int, str]]:
    """Fold 名称（ACR） into the name's mention and resolve later bare uses of ACR."""
    by_start = {s: (s, e, k) for s, e, k in found}
    drop: set[int] = set()
    aliases: dict[str, str] = {}
    parenthesised: list[tuple[int, int]] = []
    for _s, e, key in found:
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
        for s, e in [(s, e) for s, e, _ in found] + parenthesised:
            taken[s:e] = b"\x01" * (e - s)
        pattern = re.compile("|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True)))
        for m in pattern.finditer(text):
            s, e = m.span()
            if taken.find(1, s, e) == -1 and _word_bounded(text, s, e):
                result.append((s, e, aliases[m.group()]))
        result.sort()
    return result


def extract(source: SourceText, structure: DocumentStructure, lexicon: Lexicon) -> list[Mention]:
    """Find the entity mentions of every clause of a document.

    Returns:
        Mentions ordered by clause and offset; offsets index into the clause's text.
    """
    spans = find_entities(source.text, source.language, lexicon)
    clauses = sorted(structure.clauses, key=lambda c: c.start)
    starts = [c.start for c in clauses]
    mentions: list[Mention] = []
    for s, e, iri in spans:
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
        mentions.append(
            Mention(
                clause=clause.number,
                start=cs,
                end=ce,
                exact=clause.text[cs:ce],
                entity=iri,
                type=lexicon.types[iri],
                sentence=sentence,
            )
        )
    mentions.sort(key=lambda m: (m.clause, m.start))
    return mentions
