"""Static checks of a SPARQL request before it reaches the engine (no Flask here).

Oxigraph executes ``SERVICE`` by opening HTTP connections (also ``SERVICE SILENT``) and
``LOAD <http://…>`` fetches URLs; it has no switch to turn federation off. Its parser
also overflows the native stack, killing the whole process with SIGSEGV, on deeply
nested queries (measured: 5,000 nested parentheses, 10 KB), and takes time that grows
with the cube of the nesting of collections and the length of property paths (measured:
300 nested collections ``((…))`` 14 s, an 800-step path ``:p/:p/…`` 19 s, uninterruptible).
So every client query goes through :class:`Guard` first, which:

* lexes the text with a real SPARQL 1.1 lexer (comments, short and long strings,
  ``<IRI>``, prefixed names with escapes, variables, blank nodes, numbers, language
  tags), so ``"SERVICE"`` in a string, ``# LOAD`` in a comment or ``ex:service`` never
  trigger a refusal, while the keywords in any letter case always do;
* finds the operation: a query form (SELECT, ASK, CONSTRUCT, DESCRIBE) or an update;
* refuses ``SERVICE`` (with any endpoint: IRI, prefixed name or variable, SILENT or not),
  ``LOAD`` and ``FROM`` / ``FROM NAMED`` naming a graph that is not in this store, and
  the same for the protocol's ``default-graph-uri`` / ``named-graph-uri``;
* enforces a maximum length and bounds on nesting depth (32: 13 ms of parsing in the
  worst case measured), path steps (100: 27 ms) and operators that keep the parser far
  below its stack limit and its slow cases.

Unicode escapes (``\\u0053ERVICE``) are checked both as written and as decoded, so the
checks do not depend on whether the engine decodes them before parsing.

The cost is one regular-expression scan over the text: ~20–60 µs for typical queries
(see ``benchmarks/RESULTS.md``, section Safety).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urljoin

from ..core.errors import PayloadTooLarge, QueryError, QueryRefused

#: Default limits (the web settings table refers to these).
DEFAULT_MAX_QUERY_LENGTH = 20_000  #: characters
DEFAULT_MAX_DEPTH = 32  #: nesting of { ( [
DEFAULT_MAX_PATH_STEPS = 100  #: "/" "|" "^" tokens (property path steps; also division)
DEFAULT_MAX_OPERATORS = 1_000  #: expression operators and group keywords

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_OPERATIONS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})

# ------------------------------------------------------------------ the lexer

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_ECHAR = r"\\[tbnrf\\\"']"

_ALTERNATIVES = [
    f"(?P<string>'''(?:(?:'|'')?(?:[^'\\\\]|{_ECHAR}))*'''"
    f'|"""(?:(?:"|"")?(?:[^"\\\\]|{_ECHAR}))*"""'
    f"|'(?:[^'\\\\\\n\\r]|{_ECHAR})*'"
    f'|"(?:[^"\\\\\\n\\r]|{_ECHAR})*")',
    r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
    f"(?P<var>[?$]{_VARNAME})",
    f"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
    # A bare word that cannot start a prefixed name (the common case, tried first
    # because the prefixed-name pattern backtracks over every character of a word).
    r"(?P<word>[A-Za-z_][A-Za-z0-9_]*(?![-.:\w\u00b7\u0300-\u036f\u203f\u2040]))",
    f"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
    r"(?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
    r"(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)",
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)",
    r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].,;*/+\-!=<>^|?])",
    r"(?P<other>.)",
]
#: Every character of a text belongs to exactly one match (whitespace and comments too).
_TOKEN = re.compile("|".join([r"(?P<ws>\s+)", r"(?P<comment>#[^\r\n]*)", *_ALTERNATIVES]), re.DOTALL)
#: The same tokens with the whitespace and comments before each folded into its match.
#: (Possessive, so trailing blanks cost linear time; "end" absorbs them.)
_SKIPPING = re.compile(r"(?:\s|#[^\r\n]*+)*+(?:" + "|".join([*_ALTERNATIVES, r"(?P<end>\Z)"]) + ")", re.DOTALL)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: Keywords that need the full analysis. A keyword token is a maximal run of
#: [A-Za-z0-9_], so when none of these occurs as such a run's tail anywhere in the text
#: (strings and comments included) the query cannot contain them: the fast path is sound.
#: Update keywords other than INSERT and DELETE are left to the parser on this path (it
#: rejects an update sent as a query); they are common English words in comments.
_RISKY_WORD = re.compile(r"(?:SERVICE|LOAD|FROM|INSERT|DELETE)(?![A-Za-z0-9_])", re.IGNORECASE)


class Token(NamedTuple):
    """One lexical token: its kind (a group name of the lexer), text and offset."""

    kind: str
    text: str
    pos: int


def tokens(text: str) -> list[Token]:
    """Lex SPARQL text into tokens, dropping whitespace and comments.

    Characters that start no token (e.g. an unterminated string's quote) become
    ``other`` tokens, so the rest of the text is still examined as code.
    """
    return [
        Token("name" if kind == "word" else kind, m.group(kind), m.start(kind))  # type: ignore[arg-type]
        for m in _SKIPPING.finditer(text)
        if (kind := m.lastgroup) != "end"
    ]


# ------------------------------------------------------------------ analysis


@dataclass
class Analysis:
    """What the guard learned about a request text."""

    operation: str  #: "query" or "update" or "" (none found)
    form: str  #: SELECT/ASK/CONSTRUCT/DESCRIBE or the first update operation
    services: list[str] = field(default_factory=list)  #: endpoint text of each SERVICE
    loads: list[str] = field(default_factory=list)  #: source text of each LOAD
    from_graphs: list[tuple[str, str]] = field(default_factory=list)  #: ("FROM"/"FROM NAMED", resolved IRI)
    max_depth: int = 0
    path_steps: int = 0
    operators: int = 0


_OPERATOR_PUNCT = frozenset({"&&", "||", "!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "!"})
_PATH_PUNCT = frozenset({"/", "|", "^"})
_GROUP_KEYWORDS = frozenset({"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "VALUES", "GRAPH", "SERVICE"})
_GROUP_WORD = re.compile("|".join(sorted(_GROUP_KEYWORDS)), re.IGNORECASE)


def _lex(text: str) -> list[tuple[str, str, str]]:
    """Return (kind, text, KEYWORD) for each token; KEYWORD is the upper-cased bare word or ''."""
    out: list[tuple[str, str, str]] = []
    for m in _SKIPPING.finditer(text):
        kind = m.lastgroup or "end"
        if kind in {"word", "name"}:
            word = m.group(kind)
            out.append(("name", word, word.upper()))
        elif kind != "end":
            out.append((kind, m.group(kind), ""))
    return out


def analyse(text: str) -> Analysis:
    """Lex a query or update and collect what the guard checks."""
    toks = _lex(text)
    prefixes: dict[str, str] = {}
    base = ""
    analysis = Analysis("", "")
    depth = 0
    i = 0
    n = len(toks)
    while i < n:
        kind, t, kw = toks[i]
        if kind == "punct":
            if t in "{([":
                depth += 1
                analysis.max_depth = max(analysis.max_depth, depth)
            elif t in "})]":
                depth -= 1
            elif t in _PATH_PUNCT:
                analysis.path_steps += 1
            elif t in _OPERATOR_PUNCT:
                analysis.operators += 1
        elif kw:
            if kw == "PREFIX" and i + 2 < n and toks[i + 1][0] == "pname" and toks[i + 2][0] == "iri":
                prefixes[toks[i + 1][1][:-1]] = urljoin(base, toks[i + 2][1][1:-1])
                i += 3
                continue
            if kw == "BASE" and i + 1 < n and toks[i + 1][0] == "iri":
                base = urljoin(base, toks[i + 1][1][1:-1])
                i += 2
                continue
            if not analysis.form:
                if kw in QUERY_FORMS:
                    analysis.operation, analysis.form = "query", kw
                elif kw in UPDATE_OPERATIONS:
                    analysis.operation, analysis.form = "update", kw
            if kw in _GROUP_KEYWORDS:
                analysis.operators += 1
            if kw == "SERVICE":
                j = i + 1
                if j < n and toks[j][2] == "SILENT":
                    j += 1
                analysis.services.append(toks[j][1] if j < n else "")
            elif kw == "LOAD":
                j = i + 1
                if j < n and toks[j][2] == "SILENT":
                    j += 1
                analysis.loads.append(toks[j][1] if j < n else "")
            elif kw == "FROM":
                j = i + 1
                clause = "FROM"
                if j < n and toks[j][2] == "NAMED":
                    j += 1
                    clause = "FROM NAMED"
                analysis.from_graphs.append((clause, _resolve(toks[j][0], toks[j][1], prefixes, base) if j < n else ""))
        i += 1
    return analysis


_FROM_WORD = re.compile(r"(?i)(?<![A-Za-z0-9_:])FROM(?![A-Za-z0-9_])")


@lru_cache(maxsize=256)  # the access log and the engines ask again for the same text
def query_form(text: str) -> str:
    """Return SELECT, ASK, CONSTRUCT or DESCRIBE for a query, UPDATE for an update, "" if neither.

    Lexed, not regex-guessed: keywords in comments, strings and IRIs do not count.
    """
    analysis = analyse(text)
    return "UPDATE" if analysis.operation == "update" else analysis.form


@lru_cache(maxsize=256)
def declares_dataset(text: str) -> bool:
    """True when a query has its own FROM / FROM NAMED clause (a cheap word test first)."""
    return bool(_FROM_WORD.search(text)) and bool(analyse(text).from_graphs)


def _resolve(kind: str, text: str, prefixes: dict[str, str], base: str) -> str:
    """Return the absolute IRI an ``<iri>`` or ``prefix:local`` token denotes (else its text)."""
    if kind == "iri":
        return urljoin(base, text[1:-1]) if base else text[1:-1]
    if kind == "pname":
        prefix, _, local = text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return text


# ------------------------------------------------------------------ the guard

GraphSource = Collection[str] | Callable[[], Collection[str]] | None


class Guard:
    """Refuse what a public endpoint must not run, before it runs.

    Args:
        local_graphs: the named graphs of this store (a collection, or a callable
            returning one, re-read on each check so updates are seen). ``FROM``,
            ``FROM NAMED`` and the protocol's graph parameters may name only these.
            None: no graph may be named.
        max_length: maximum query length in characters (None: no limit).
        max_depth: maximum nesting of ``{`` ``(`` ``[``.
        max_path_steps: maximum number of ``/`` ``|`` ``^`` tokens.
        max_operators: maximum number of expression operators and group keywords.

    Calling the guard with a query text checks it as a query (what
    :class:`kg.query.engines.LocalEngine` expects of its ``guard``).
    """

    def __init__(
        self,
        local_graphs: GraphSource = None,
        *,
        max_length: int | None = DEFAULT_MAX_QUERY_LENGTH,
        max_depth: int = DEFAULT_MAX_DEPTH,
        max_path_steps: int = DEFAULT_MAX_PATH_STEPS,
        max_operators: int = DEFAULT_MAX_OPERATORS,
    ) -> None:
        self.local_graphs = local_graphs
        self.max_length = max_length
        self.max_depth = max_depth
        self.max_path_steps = max_path_steps
        self.max_operators = max_operators

    def __call__(self, query: str) -> None:
        self.check_query(query)

    # -- public checks

    def check_query(
        self, query: str, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = ()
    ) -> Analysis | None:
        """Check a client query (SELECT/ASK/CONSTRUCT/DESCRIBE) and its protocol dataset.

        Returns the lexer's analysis, or None when cheap upper bounds already proved the
        query harmless (no risky keyword anywhere in the text, few brackets and operators).

        Raises:
            PayloadTooLarge: the query is longer than ``max_length``.
            QueryRefused: SERVICE, LOAD, a FROM graph that is not local, an update sent
                as a query, or a query too deeply nested for the parser.
            QueryError: no query form found.
        """
        analysis = self._check(query, "query")
        self.check_dataset(default_graphs, named_graphs)
        return analysis

    def check_update(self, update: str) -> Analysis | None:
        """Check an (authorised) update: no LOAD, no SERVICE, local FROM only.

        Raises:
            PayloadTooLarge, QueryRefused, QueryError: as :meth:`check_query`.
        """
        return self._check(update, "update")

    def check_dataset(self, default_graphs: Iterable[str], named_graphs: Iterable[str]) -> None:
        """Check the protocol's ``default-graph-uri`` / ``named-graph-uri`` values.

        Raises:
            QueryRefused: a graph is not in this store.
        """
        for param, graphs in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
            for g in graphs:
                self._check_graph(g, param)

    # -- internals

    def _check(self, text: str, expected: str) -> Analysis | None:
        if self.max_length is not None and len(text) > self.max_length:
            raise PayloadTooLarge(
                f"the {expected} is {len(text):,} characters long; this endpoint accepts at most "
                f"{self.max_length:,} (setting QUERY_MAX_LENGTH)"
            )
        if expected == "query" and self._plainly_safe(text):
            return None
        analysis = self._check_text(text, expected)
        if "\\u" in text or "\\U" in text:
            decoded = _UNICODE_ESCAPE.sub(lambda m: _chr(m.group(1) or m.group(2)), text)
            if decoded != text:
                self._check_text(decoded, expected)
        return analysis

    def _plainly_safe(self, text: str) -> bool:
        """True when cheap upper bounds prove every check passes (no lexing needed).

        No risky keyword anywhere, no unicode escape, and fewer brackets, path
        characters and operator characters in the whole text than the limits allow
        (each count bounds what the lexer would find). The query form is then left
        to the parser, which rejects anything that is not a query.
        """
        if "\\u" in text or "\\U" in text or _RISKY_WORD.search(text):
            return False
        count = text.count
        if count("{") + count("(") + count("[") > self.max_depth:
            return False
        if count("/") + count("|") + count("^") > self.max_path_steps:
            return False
        if len(text) <= self.max_operators:  # every operator or group keyword is at least a character
            return True
        operators = sum(map(count, "=<>+-*!&|")) + len(_GROUP_WORD.findall(text))
        return operators <= self.max_operators

    def _check_text(self, text: str, expected: str) -> Analysis:
        a = analyse(text)
        if a.services:
            raise QueryRefused(
                f"SERVICE {a.services[0]} is refused: this public endpoint does not send queries to other "
                "endpoints (federation is disabled); run the federated query from your own client instead"
            )
        if a.loads:
            raise QueryRefused(
                f"LOAD {a.loads[0]} is refused: this endpoint never fetches URLs or reads files; "
                "import data with `kg load FILE` on the server"
            )
        for clause, g in a.from_graphs:
            self._check_graph(g, clause)
        if a.max_depth > self.max_depth:
            raise QueryRefused(
                f"the {expected} nests brackets {a.max_depth} deep; the limit is {self.max_depth}; flatten it"
            )
        if a.path_steps > self.max_path_steps:
            raise QueryRefused(
                f"the {expected} has {a.path_steps} property-path steps or divisions; the limit is "
                f"{self.max_path_steps}; use a shorter path or p+ / p*"
            )
        if a.operators > self.max_operators:
            raise QueryRefused(
                f"the {expected} has {a.operators} operators and group keywords; the limit is "
                f"{self.max_operators}; split it into smaller queries"
            )
        if expected == "query":
            if a.operation == "update":
                raise QueryError(
                    f"SPARQL syntax error: {a.form} is an update, not a query; updates are sent as `update=` "
                    "(POST) with an `Authorization: Bearer` token, and this endpoint is read-only unless one is configured"
                )
            if not a.operation:
                from .syntax import describe, find_problem

                problem = find_problem(text)
                if problem is not None:
                    raise QueryError("SPARQL syntax error at " + describe(text, problem))
                raise QueryError(
                    "SPARQL syntax error: no query form found; a query must contain SELECT, ASK, CONSTRUCT or DESCRIBE"
                )
        elif a.operation == "query":
            raise QueryError(f"SPARQL syntax error: {a.form} is a query, not an update; send it as `query=`")
        return a

    def _check_graph(self, iri: str, where: str) -> None:
        graphs = self.local_graphs() if callable(self.local_graphs) else self.local_graphs
        if graphs is not None and iri in graphs:
            return
        refresh = getattr(self.local_graphs, "refresh", None)
        if refresh is not None and iri in refresh():  # a graph added since the list was read
            return
        scheme = iri.split(":", 1)[0].lower() if ":" in iri else ""
        why = (
            "this endpoint never dereferences remote or file IRIs"
            if scheme in {"http", "https", "file", "ftp", "ftps", "jar", "data"}
            else "it is not a graph of this store"
        )
        raise QueryRefused(
            f"{where} <{iri}> is refused: {why}; {where} may only name graphs of this store "
            "(list them with SELECT DISTINCT ?g WHERE { GRAPH ?g { } })"
        )


def _chr(hexdigits: str) -> str:
    try:
        return chr(int(hexdigits, 16))
    except (ValueError, OverflowError):
        return "\ufffd"
