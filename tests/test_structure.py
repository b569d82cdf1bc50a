"""Stage 2: titles, numbered clauses, sentences, signatory sentence, offsets."""

from __future__ import annotations

import pytest

from kg.core.records import SourceText
from kg.pipeline.ingest import read_source
from kg.pipeline.structure import chinese_numeral, segment, split_sentences

CUES = ["提出以下倡议", "put forward the following"]


def _src(text: str, language: str = "zh") -> SourceText:
    return SourceText(path="x.txt", name="x.txt", sha256="0" * 64, encoding="utf-8", language=language, text=text)


def test_seed_has_20_clauses_plus_unit_0(seed_path):
    st = segment(read_source(seed_path), CUES)
    assert st.numbering == "arabic"
    assert [c.number for c in st.clauses] == list(range(21))
    assert st.title == "“一带一路”数字经济国际合作北京倡议"
    assert st.clauses[0].heading == st.title
    assert st.clauses[1].heading == "加强数字互联互通，建设数字丝绸之路。"
    assert st.clauses[20].text.endswith("在推动“一带一路”数字经济国际合作中发挥重要作用。")
    # "2030年" in the preamble is not a clause number
    assert "2030年可持续发展议程" in st.clauses[0].text


def test_offsets_slice_the_document_and_clause_texts(seed_path):
    src = read_source(seed_path)
    st = segment(src, CUES)
    for clause in st.clauses:
        assert src.text[clause.start : clause.end] == clause.text
        assert clause.sentences, clause.number
        for s in clause.sentences:
            assert clause.text[s.start : s.end] == s.text
            assert s.text == s.text.strip()


def test_signatory_sentence_is_found(seed_path):
    st = segment(read_source(seed_path), CUES)
    number, start, end = st.signatory_span
    sentence = st.clauses[number].text[start:end]
    assert number == 0
    assert sentence.startswith("为此") and sentence.endswith("提出以下倡议：")
    assert "中华人民共和国" in sentence and "泰王国" in sentence


def test_chinese_numbering_with_sub_items():
    text = (
        "中国—东盟数字经济合作联合声明\n双方同意：\n一、加强数字基础设施合作。\n（一）共建5G网络。\n（二）推进海底光缆建设。"
        "\n二、深化数字贸易合作。\n（一）发展跨境电商。\n三、其他事项。"
    )
    st = segment(_src(text), CUES)
    assert st.numbering == "chinese"
    assert [c.number for c in st.clauses] == [0, 1, 2, 3]
    assert st.clauses[1].label == "一、"
    assert "（二）推进海底光缆建设" in st.clauses[1].text  # sub-items stay in their clause
    assert st.clauses[2].heading == "深化数字贸易合作。"


def test_article_numbering():
    st = segment(_src("数字合作协定\n第一条 为促进合作。\n第二条 双方同意。\n第十条 其他。"), CUES)
    assert st.numbering == "article"
    assert [c.number for c in st.clauses] == [0, 1, 2]  # 第十条 does not follow 第二条


def test_english_numbering_and_signatories():
    text = (
        "Joint Statement on Digital Economy Cooperation\n"
        "Viet Nam, the Lao PDR and Thailand put forward the following proposals:\n"
        "1. Strengthen connectivity. Build 5G networks.\n"
        "2. Promote e-commerce, e.g. cross-border e-commerce. Support SMEs.\n"
        "3.5 per cent growth is not a clause.\n"
    )
    st = segment(_src(text, "en"), CUES)
    assert st.numbering == "arabic"
    assert [c.number for c in st.clauses] == [0, 1, 2]
    assert [s.text for s in st.clauses[1].sentences] == ["Strengthen connectivity.", "Build 5G networks."]
    assert st.clauses[2].sentences[0].text == "Promote e-commerce, e.g. cross-border e-commerce."
    assert "3.5 per cent" in st.clauses[2].text
    assert st.signatory_span[0] == 0


def test_text_without_numbering_is_unit_0_with_sentences():
    text = "Digital silk road gains pace\nThe ministers met in Bangkok. They discussed AI. Growth was 2.5 per cent in 2030."
    st = segment(_src(text, "en"), CUES)
    assert st.numbering == "none"
    assert [c.number for c in st.clauses] == [0]
    assert st.clauses[0].heading == "Digital silk road gains pace"
    assert len(st.clauses[0].sentences) == 4
    assert st.warnings


@pytest.mark.parametrize(
    "text,value",
    [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十一", 21), ("一百", 100), ("7", 7), ("x", None)],
)
def test_chinese_numerals(text, value):
    assert chinese_numeral(text) == value


def test_sentence_split_keeps_closing_quotes():
    sents = split_sentences("倡导“以人为本。”随后继续！最后？", "zh")
    assert [s.text for s in sents] == ["倡导“以人为本。”", "随后继续！", "最后？"]


def test_english_articles_inline_and_on_their_own_line():
    inline = "Memorandum of Understanding\nThe Parties have agreed as follows:\nArticle 1. Cooperate on 5G.\nArticle 2. Share data.\n"
    st = segment(_src(inline, "en"), CUES)
    assert st.numbering == "article" and [c.heading for c in st.clauses[1:]] == ["Cooperate on 5G.", "Share data."]
    treaty = "Agreement on Digital Trade\nArticle I\nObjectives\nThe Parties promote e-commerce.\nArticle II\nScope\nThis applies to all.\nArticle IV\nNot a clause."
    st = segment(_src(treaty, "en"), CUES)
    assert [c.number for c in st.clauses] == [0, 1, 2]  # IV does not follow II
    assert st.clauses[1].label == "Article I" and st.clauses[1].text.startswith("Objectives")
    assert "Article IV" in st.clauses[2].text
