"""Stage 1: reading files — encodings, PDFs, bad input, normalisation, language."""

from __future__ import annotations

import re

import pytest

from kg.core.errors import SourceError
from kg.pipeline.ingest import decode_bytes, detect_language, normalise, read_source

ZH = "“一带一路”数字经济合作倡议\n1.加强人工智能合作。\n2.推动区块链应用。\n"


def test_seed_is_utf8_chinese_and_joins_wrapped_lines(seed_path):
    src = read_source(seed_path)
    assert src.encoding == "utf-8"
    assert src.language == "zh"
    assert len(src.sha256) == 64
    lines = src.text.split("\n")
    assert lines[0] == "“一带一路”数字经济国际合作北京倡议"
    # the signatory list was broken across lines ("巴\n勒斯坦国"); it is whole again
    assert "巴勒斯坦国" in src.text
    # page-break lines started with a space; no paragraph starts with one now
    assert not any(line.startswith(" ") for line in lines)
    # Chinese punctuation is kept (NFC, not NFKC)
    assert "，" in src.text and "。" in src.text and "（ISO）" in src.text
    assert sum(1 for line in lines if re.match(r"\d{1,2}\.", line)) == 20


@pytest.mark.parametrize(
    "encoding,expected",
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"), ("utf-16", "utf-16")],
)
def test_encodings_are_detected_and_named(tmp_path, encoding, expected):
    f = tmp_path / "doc.txt"
    f.write_bytes(ZH.encode(encoding))
    src = read_source(f)
    assert src.encoding == expected
    assert src.text.startswith("“一带一路”数字经济合作倡议")
    assert "区块链" in src.text


def test_big5_traditional_text_is_decoded(tmp_path):
    text = "人工智慧與區塊鏈的國際合作倡議\n1.加強雲端運算合作，聯合國發揮作用。\n2.推動數位經濟發展。\n"
    f = tmp_path / "trad.txt"
    f.write_bytes(text.encode("big5"))
    src = read_source(f)
    assert src.encoding == "big5"
    assert "區塊鏈" in src.text


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "empty"),
        (b"   \n\n  \t ", "empty"),
        (b"\x00\x01\x02\x03binary\x00\xff" * 50, "binary"),
        (bytes(range(256)) * 20, "binary"),
    ],
)
def test_bad_input_names_the_problem(tmp_path, content, message):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    with pytest.raises(SourceError) as err:
        read_source(f)
    assert message in str(err.value)
    assert str(f) in str(err.value)


def test_unsupported_suffix_and_missing_file(tmp_path):
    f = tmp_path / "doc.docx"
    f.write_bytes(b"PK\x03\x04")
    with pytest.raises(SourceError, match="unsupported file type"):
        read_source(f)
    with pytest.raises(SourceError, match="no such file"):
        read_source(tmp_path / "missing.txt")


def test_fake_pdf_is_refused(tmp_path):
    f = tmp_path / "x.pdf"
    f.write_bytes(b"hello, not a pdf")
    with pytest.raises(SourceError, match="not a PDF"):
        read_source(f)


def _make_pdf(path, lines: list[str]) -> None:
    """Write a real one-page PDF with a standard font (ASCII text) using pypdf's writer."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    ops = ["BT /F1 11 Tf 50 800 Td 14 TL"]
    for line in lines:
        ops.append("(" + line.replace("(", "\\(").replace(")", "\\)") + ") Tj T*")
    ops.append("ET")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    with open(path, "wb") as fh:
        writer.write(fh)


def test_pdf_text_layer_is_read(tmp_path):
    f = tmp_path / "statement.pdf"
    _make_pdf(
        f,
        [
            "Joint Statement on Digital Cooperation",
            "1. We will strengthen cooperation on artificial",
            "intelligence and cloud computing.",
            "2. We support the WTO.",
        ],
    )
    src = read_source(f)
    assert src.encoding == "pdf"
    assert src.language == "en"
    assert "artificial intelligence" in src.text  # the wrapped sentence is joined with a space


def test_double_spaced_pdf_artefacts_are_undone():
    raw = "标题文本\n\n第一段开始的文字被折\n\n行了并且继续写下去。\n\n 下一行以空格开头的分页\n\n文字结束。\n"
    text = normalise(raw)
    assert "折行了" in text
    assert " 下一行" not in text and "下一行以空格开头的分页文字结束。" in text


def test_markdown_paragraphs_are_kept_and_soft_wraps_joined():
    raw = "# Title\n\nFirst paragraph that\nwraps here.\n\nSecond paragraph.\n1. item one\n2. item two\n"
    text = normalise(raw)
    assert text.split("\n") == [
        "# Title",
        "First paragraph that wraps here.",
        "Second paragraph.",
        "1. item one",
        "2. item two",
    ]


def test_language_detection():
    assert detect_language("人工智能和区块链的合作") == "zh"
    assert detect_language("Cooperation on artificial intelligence and 5G networks.") == "en"
    assert detect_language("We welcome the 中国—东盟 cooperation on AI and digital trade across the region.") == "en"


def test_decode_rejects_undecodable_bytes():
    with pytest.raises(SourceError):
        decode_bytes(b"\x81\x30\xff\xfe\xfd" * 3 + b"\x80", "x")
