"""Syntax errors a person can act on (no Flask here).

Oxigraph's parser reports where its grammar gave up (``error at 12:10: expected
CONSTRUCT``), counted in the text it was given: in ``kg query`` that text starts with the
predeclared PREFIX lines, and the place it gives up is often after the real mistake (a
misspelt ``SELCT`` is reported at the next word; an undeclared prefix lists the Unicode
ranges of a name). :func:`syntax_error_message` turns that into a message about the
user's own text:

* line and column in the user's text (the prelude's lines subtracted);
* the line itself with a caret under the place;
* the common causes named, found with the guard's lexer (so strings, IRIs and comments
  never count): an unknown prefix (which one, and the PREFIX line that declares it), an
  unclosed or unmatched brace or parenthesis, a misspelt keyword (the closest keyword);
* otherwise the parser's list of expected tokens without its character classes.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from dataclasses import dataclass

from ..core.vocab import PREFIXES
from .guard import Token, tokens

#: SPARQL 1.1 keywords and built-in function names (Query and Update), plus SPARQL-star's.
_KEYWORD_TEXT = """BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED FROM NAMED WHERE GROUP BY HAVING
    ORDER ASC DESC LIMIT OFFSET VALUES OPTIONAL GRAPH SERVICE SILENT BIND AS UNION MINUS FILTER UNDEF
    EXISTS NOT IN LOAD CLEAR DROP CREATE ADD MOVE COPY INSERT DELETE DATA WITH USING DEFAULT ALL INTO TO
    LATERAL STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN
    UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS
    MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT
    SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE
    GROUP_CONCAT SEPARATOR TRUE FALSE TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE ADJUST"""
KEYWORDS: frozenset[str] = frozenset(_KEYWORD_TEXT.split())
_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)
_CHAR_CLASS = re.compile(r"\[[^\]]*\](?:\s*\|\s*\[[^\]]*\])*")
_BRACKETS = {"{": "}", "(": ")"}
_CLOSERS = {v: k for k, v in _BRACKETS.items()}


@dataclass(frozen=True)
class Problem:
    """A mistake found in the user's text: where (code-point offset) and what to say."""

    pos: int
    message: str


def syntax_error_message(query: str, parser_message: str, prelude: str = "") -> str:
    """Return ``SPARQL syntax error at L:C: what and how to fix it``, then the line and a caret.

    Args:
        query: the user's text.
        parser_message: the parser's message (``error at L:C: expected …``) for
            ``prelude + query``.
        prelude: text that was put in front of the query (its PREFIX lines).
    """
    m = _POSITION.match(parser_message.strip())
    if m:
        line, column, rest = int(m.group(1)), int(m.group(2)), m.group(3)
        line -= prelude.count("\n")
        pos = _offset(query, max(line, 1), max(column, 1))
    else:
        pos, rest = len(query), parser_message
    problem = find_problem(query, prelude, parser_pos=pos, parser_says=rest)
    if problem is None:
        problem = Problem(pos, _expected(rest, at_end=not query[pos:].strip()))
    return "SPARQL syntax error at " + _where(query, problem)


def find_problem(query: str, prelude: str = "", parser_pos: int | None = None, parser_says: str = "") -> Problem | None:
    """Return the most likely cause of a syntax error in ``query``, or None.

    In order: an undeclared prefix (first when the parser says a prefix was not found),
    a bare word that is not a keyword (with the closest keyword), an unclosed or
    unmatched brace or parenthesis.
    """
    toks = tokens(query)
    declared = _declared_prefixes(prelude) | _declared_prefixes_in(toks)
    prefix = _undeclared_prefix(toks, declared, parser_pos)
    if prefix is not None and "Prefix not found" in parser_says:
        return prefix
    return _open_string(toks) or _unknown_word(toks) or prefix or _unbalanced(toks) or _short_triple(toks)


def describe(query: str, problem: Problem) -> str:
    """Return ``L:C: message`` with the line and a caret (for messages built elsewhere)."""
    return _where(query, problem)


# ---------------------------------------------------------------- finders


def _declared_prefixes(text: str) -> set[str]:
    return _declared_prefixes_in(tokens(text)) if text else set()


def _declared_prefixes_in(toks: list[Token]) -> set[str]:
    out = set()
    for a, b in itertools.pairwise(toks):
        if a.kind == "name" and a.text.upper() == "PREFIX" and b.kind == "pname":
            out.add(b.text.split(":", 1)[0])
    return out


def _undeclared_prefix(toks: list[Token], declared: set[str], parser_pos: int | None) -> Problem | None:
    found = []
    for i, t in enumerate(toks):
        if t.kind != "pname":
            continue
        if i and toks[i - 1].kind == "name" and toks[i - 1].text.upper() == "PREFIX":
            continue
        prefix = t.text.split(":", 1)[0]
        if prefix not in declared:
            found.append((t, prefix))
    if not found:
        return None
    # the one the parser stopped at, else the first
    if parser_pos is not None:
        before = [f for f in found if f[0].pos <= parser_pos]
        t, prefix = before[-1] if before else found[0]
    else:
        t, prefix = found[0]
    known = PREFIXES.get(prefix)
    declaration = f"PREFIX {prefix}: <{known}>" if known else f"PREFIX {prefix}: <the namespace IRI>"
    return Problem(
        t.pos,
        f'unknown prefix "{prefix}:" in {t.text}; declare it before the query: {declaration}',
    )


def _open_string(toks: list[Token]) -> Problem | None:
    for t in toks:
        if t.kind == "other" and t.text in "\"'":
            return Problem(t.pos, f"the string that starts here is never closed; add the closing {t.text}")
    return None


def _unknown_word(toks: list[Token]) -> Problem | None:
    for i, t in enumerate(toks):
        if t.kind != "name" or t.text.upper() in KEYWORDS or t.text == "a":
            continue
        if i and toks[i - 1].kind == "punct" and toks[i - 1].text == "^^":
            continue
        upper = t.text.upper()
        close = difflib.get_close_matches(upper, sorted(KEYWORDS), n=1, cutoff=0.75)
        if close:
            return Problem(t.pos, f"{t.text} is not a SPARQL keyword; did you mean {close[0]}?")
        return Problem(
            t.pos,
            f"{t.text} is not a SPARQL keyword; variables start with ?, prefixed names need a colon "
            f"({t.text.lower()}:…), IRIs go in <…> and strings in quotes",
        )
    return None


def _unbalanced(toks: list[Token]) -> Problem | None:
    stack: list[Token] = []
    for t in toks:
        if t.kind != "punct":
            continue
        if t.text in _BRACKETS:
            stack.append(t)
        elif t.text in _CLOSERS:
            if not stack or stack[-1].text != _CLOSERS[t.text]:
                return Problem(
                    t.pos, f'this "{t.text}" closes nothing; remove it or add the "{_CLOSERS[t.text]}" it closes'
                )
            stack.pop()
    if stack:
        t = stack[-1]
        return Problem(t.pos, f'the "{t.text}" here is never closed; add a "{_BRACKETS[t.text]}"')
    return None


_TERMS = frozenset({"var", "iri", "pname", "string", "number", "bnode"})


def _short_triple(toks: list[Token]) -> Problem | None:
    """A triple pattern of two plain terms (``?s ?p }``): the object is missing."""
    segment: list[Token] = []
    opened = False
    for t in toks:
        if t.kind == "punct" and t.text in ("{", ".", "}"):
            if opened and t.text in (".", "}") and len(segment) == 2:
                return Problem(
                    segment[0].pos,
                    f"the triple pattern {segment[0].text} {segment[1].text} has no object; "
                    "a triple needs a subject, a predicate and an object",
                )
            segment, opened = [], t.text in ("{", ".")
        elif t.kind in _TERMS or (t.kind == "name" and t.text == "a") or t.kind == "lang":
            if t.kind != "lang":
                segment.append(t)
        else:
            segment, opened = [], False
    return None


def _expected(rest: str, *, at_end: bool) -> str:
    """The parser's expectation without character classes (``[_]``, Unicode ranges)."""
    text = _CHAR_CLASS.sub("", rest.replace("\n", " "))
    text = text.replace("Prefix not found", "")
    m = re.match(r"expected(?: one of)?\s*(.*)", text.strip(), re.DOTALL)
    items = [p.strip() for p in (m.group(1) if m else "").split(",")]
    items = [p for p in items if p]
    lead = "the query ends too early" if at_end else "unexpected text here"
    if not items:
        return lead
    return f"{lead}; expected {' or '.join(items) if len(items) <= 2 else 'one of ' + ', '.join(items)}"


# ---------------------------------------------------------------- positions


def _offset(text: str, line: int, column: int) -> int:
    """Return the offset of 1-based ``line``:``column`` (code points), clamped to the text."""
    lines = text.split("\n")
    if line > len(lines):
        return len(text)
    start = sum(len(x) + 1 for x in lines[: line - 1])
    return min(start + column - 1, start + len(lines[line - 1]), len(text))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text.replace("\t", "    "))


def _where(query: str, problem: Problem) -> str:
    pos = max(0, min(problem.pos, len(query)))
    line_start = query.rfind("\n", 0, pos) + 1
    line_end = query.find("\n", pos)
    if line_end < 0:
        line_end = len(query)
    line_no = query.count("\n", 0, pos) + 1
    column = pos - line_start + 1
    shown = query[line_start:line_end].replace("\t", "    ").rstrip("\r")
    caret = " " * _width(query[line_start:pos]) + "^"
    return f"{line_no}:{column}: {problem.message}\n  {shown}\n  {caret}"
