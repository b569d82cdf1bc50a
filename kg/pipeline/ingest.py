"""Stage 1: file → normalised text.

Reads ``.txt``/``.md`` (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GB18030/GBK, Big5) and
``.pdf`` (pypdf), undoes what PDF-to-text conversion leaves behind (a blank line between
lines, sentences wrapped across lines, page-break lines starting with a space), keeps
Chinese punctuation, and detects the language (zh/en).

The normalised text has one paragraph per line; :mod:`kg.pipeline.structure` works on it.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from pathlib import Path

from ..core.errors import SourceError
from ..core.records import SourceText

#: File types the builder reads.
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".text", ".pdf")
#: Refuse files larger than this (bytes); a policy document is far smaller.
MAX_SOURCE_BYTES = 50 * 1024 * 1024

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
#: Punctuation that ends a sentence or a list lead-in, in Chinese and English.
TERMINAL = '。！？；：.!?;:…”’"）)'
_CJK_OR_FULLWIDTH = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’—…]")
#: A paragraph that opens with a clause or list number: 1. 一、 （一） 第一条 (1) - •
MARKER_START = re.compile(
    r"^(?:\d{1,3}\s*[.．、)）](?!\d)|[一二三四五六七八九十百]{1,4}\s*[、．.]|[（(][一二三四五六七八九十\d]{1,3}[)）]"
    r"|第[一二三四五六七八九十百零〇\d]{1,5}条|(?:Article|ARTICLE)\s+(?:\d{1,3}|[IVXLC]{1,7})\b|[-•●▪◆■*]\s|#{1,6}\s)"
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def read_source(path: str | Path) -> SourceText:
    """Read, decode and normalise one source file.

    Args:
        path: a ``.txt``, ``.md`` or ``.pdf`` file.

    Returns:
        The normalised text with its encoding, language and SHA-256.

    Raises:
        SourceError: the file is missing, too large, empty, binary, undecodable,
            of an unsupported type, or a PDF without a text layer.
    """
    p = Path(path)
    if not p.is_file():
        raise SourceError(f"{p}: no such file")
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SourceError(
            f"{p}: unsupported file type {suffix or '(none)'}; use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    size = p.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise SourceError(f"{p}: {size} bytes is over the {MAX_SOURCE_BYTES}-byte limit; split the file")
    data = p.read_bytes()
    if not data.strip():
        raise SourceError(f"{p}: the file is empty; nothing to build")
    if suffix == ".pdf":
        raw, encoding = _pdf_text(p, data), "pdf"
    else:
        raw, encoding = decode_bytes(data, str(p))
        if suffix in (".md", ".markdown"):
            raw = _strip_markdown(raw)
    text = normalise(raw)
    if not text.strip():
        raise SourceError(f"{p}: no text left after normalisation; is it a text document?")
    return SourceText(
        path=str(p),
        name=p.name,
        sha256=sha256_bytes(data),
        encoding=encoding,
        language=detect_language(text),
        text=text,
    )


def decode_bytes(data: bytes, where: str = "input") -> tuple[str, str]:
    """Decode text bytes, detecting the encoding.

    Returns:
        ``(text, encoding)`` where encoding is ``utf-8``, ``utf-8-sig``, ``utf-16``,
        ``gb18030`` or ``big5``.

    Raises:
        SourceError: the bytes look binary or match no supported encoding.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked(data[3:].decode("utf-8", errors="strict"), where, "utf-8-sig"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _checked(data.decode("utf-16"), where, "utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise SourceError(f"{where}: has a UTF-16 byte-order mark but is not valid UTF-16 ({exc})") from exc
    if b"\x00" in data[:8192]:
        raise SourceError(f"{where}: looks binary (NUL bytes); give a text, Markdown or PDF file")
    try:
        return _checked(data.decode("utf-8"), where, "utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Not UTF-8: Chinese legacy encodings. GB18030 is a superset of GBK and GB2312.
    # Big5 bytes often also decode as GB18030 (into nonsense), so let the
    # charset-normalizer coherence measure choose when both decode.
    candidates: list[tuple[str, str]] = []
    for enc in ("gb18030", "big5"):
        try:
            candidates.append((enc, data.decode(enc)))
        except UnicodeDecodeError:
            continue
    if len(candidates) == 2:
        from charset_normalizer import from_bytes

        best = from_bytes(data, cp_isolation=["gb18030", "big5"]).best()
        if best is not None and best.encoding.replace("_", "") == "big5":
            candidates = [candidates[1]]
    if candidates:
        enc, text = candidates[0]
        return _checked(text, where, enc), enc
    raise SourceError(f"{where}: not valid UTF-8, GB18030 or Big5 text; re-save it as UTF-8")


def _checked(text: str, where: str, encoding: str) -> str:
    controls = sum(1 for ch in text[:20000] if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:20000]) // 100):
        raise SourceError(f"{where}: decodes as {encoding} but is full of control characters; is it binary?")
    return text


def _pdf_text(p: Path, data: bytes) -> str:
    if not data.startswith(b"%PDF"):
        raise SourceError(f"{p}: has a .pdf name but is not a PDF file")
    try:
        import io

        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many kinds on broken files
        raise SourceError(f"{p}: cannot read the PDF ({type(exc).__name__}: {exc})") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise SourceError(f"{p}: the PDF has no text layer (scanned?); run OCR on it first")
    return text


def _strip_markdown(text: str) -> str:
    out = []
    for line in text.splitlines():
        line = re.sub(r"^\s{0,3}#{1,6}\s+", "", line)  # headings
        line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)  # bold
        line = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line)  # links → their text
        out.append(line)
    return "\n".join(out)


def detect_language(text: str) -> str:
    """Return ``"zh"`` if Han characters make up a fair share of the letters, else ``"en"``."""
    sample = text[:50000]
    cjk = len(_CJK.findall(sample))
    latin = len(_LATIN.findall(sample))
    # A Han character carries about as much as a short English word (~4 letters).
    return "zh" if cjk * 4 >= latin else "en"


def normalise(raw: str) -> str:
    """Normalise raw text into paragraphs, one per line.

    Undoes PDF-extraction artefacts: blank lines between every line, sentences wrapped
    across lines, page-break lines that start with a space. Keeps Chinese punctuation
    (NFC, not NFKC). Joins wrapped lines without a space between Chinese characters and
    with one space between Latin words.
    """
    text = unicodedata.normalize("NFC", raw).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    nonblank = [i for i, line in enumerate(lines) if line]
    if not nonblank:
        return ""
    lines = lines[nonblank[0] : nonblank[-1] + 1]
    if _blank_lines_are_artefacts(lines):
        paragraphs = _join_wrapped([line for line in lines if line])
    else:
        paragraphs = []
        block: list[str] = []
        for line in [*lines, ""]:
            if line:
                block.append(line)
            elif block:
                paragraphs.extend(_join_soft_wrapped(block))
                block = []
    return "\n".join(p for p in paragraphs if p)


def _blank_lines_are_artefacts(lines: list[str]) -> bool:
    """True when (nearly) every line is followed by a blank line and lines end mid-sentence."""
    nonblank = [i for i, line in enumerate(lines) if line]
    if len(nonblank) < 4:
        return False
    gaps = [b - a for a, b in itertools.pairwise(nonblank)]
    spaced = sum(1 for g in gaps if g > 1) / len(gaps)
    open_ended = sum(1 for i in nonblank if lines[i][-1] not in TERMINAL) / len(nonblank)
    return spaced > 0.7 and open_ended > 0.4


def _typical_length(lines: list[str]) -> float:
    lengths = sorted(len(line) for line in lines)
    return float(lengths[int(len(lengths) * 0.75)]) if lengths else 0.0


def _join_wrapped(lines: list[str]) -> list[str]:
    """Rebuild paragraphs from hard-wrapped lines with no blank-line paragraph breaks."""
    typical = _typical_length(lines)
    paragraphs: list[str] = []
    current = ""
    for i, line in enumerate(lines):
        if current and MARKER_START.match(line):
            paragraphs.append(current)
            current = ""
        current = _join(current, line) if current else line
        short = len(line) < 0.9 * typical
        is_title = i == 0 and line[-1] not in "。！？；.!?;" and len(line) <= 120
        if is_title or (short and line[-1] in TERMINAL):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


def _join_soft_wrapped(block: list[str]) -> list[str]:
    """Join the lines of one blank-line-separated block, breaking before numbered items."""
    out: list[str] = []
    current = ""
    for line in block:
        if current and MARKER_START.match(line):
            out.append(current)
            current = line
        else:
            current = _join(current, line) if current else line
    if current:
        out.append(current)
    return out


def _join(left: str, right: str) -> str:
    if _CJK_OR_FULLWIDTH.match(left[-1]) or _CJK_OR_FULLWIDTH.match(right[0]):
        return left + right
    if left.endswith("-") and len(left) > 1 and left[-2].isalpha() and right[:1].islower():
        return left + right  # keep the hyphen: "cross-\nborder" → "cross-border"
    return left + " " + right
