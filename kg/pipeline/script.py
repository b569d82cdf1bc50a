"""The search form of a text: what the matchers read instead of the text itself.

Every change keeps the length (one character for one), so an offset into the search form is
an offset into the original text:

* traditional Chinese → simplified (OpenCC, per character where a phrase rule would change
  the length);
* full-width ASCII letters, digits and punctuation → ASCII (ＡＩ → AI, ５Ｇ → 5G, （ → ( );
  the ideographic space → a space;
* curly quotes → straight quotes (’ → ', “ ” → "), so "People’s Republic" meets the label
  "People's Republic"; non-breaking and other spaces → a space.
"""

from __future__ import annotations

from functools import lru_cache

_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD = {
    **_WIDTH,
    0x3000: 0x20,
    0x00A0: 0x20,
    0x2007: 0x20,
    0x202F: 0x20,
    0x2018: 0x27,
    0x2019: 0x27,
    0x201B: 0x27,
    0x2032: 0x27,
    0x201C: 0x22,
    0x201D: 0x22,
    0x201F: 0x22,
    0x2033: 0x22,
}


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


def fold_typography(text: str) -> str:
    """Full-width forms, curly quotes and odd spaces → their ASCII forms, one character for one."""
    return text.translate(_FOLD)


def search_form(text: str, language: str) -> str:
    """Return the text the matchers read: simplified (Chinese) and typography folded, same length."""
    folded = fold_typography(text)
    return to_simplified(folded) if language == "zh" else folded
