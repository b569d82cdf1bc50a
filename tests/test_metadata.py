"""Document metadata and parties in every document form; sentences written for these tests."""

from __future__ import annotations

import pytest

from kg.core.records import SourceText
from kg.pipeline.extract import extract_all
from kg.pipeline.ingest import normalise
from kg.pipeline.lexicon import load_lexicon
from kg.pipeline.metadata import document_metadata
from kg.pipeline.structure import segment

ID = "https://w3id.org/dsr-kg/id/"
KIND = ID + "document-kind/"


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def _meta(text: str, language: str, lexicon):
    source = SourceText("t.txt", "t.txt", "0" * 64, "utf-8", language, normalise(text))
    structure = segment(source, lexicon.cues())
    extraction = extract_all(source, structure, lexicon)
    return document_metadata(source, structure, extraction, lexicon)


def _keys(facts) -> list[str]:
    return sorted(f.value[len(ID) :] for f in facts)


def test_joint_statement_with_a_defined_collective(lexicon):
    text = (
        "中国—太平洋岛国数字合作行动计划\n"
        "2024年5月28日至29日，中国—太平洋岛国外长会议在斐济首都苏瓦举行，会议于29日通过本行动计划。"
        "中国、斐济、萨摩亚和非洲联盟委员会代表（以下简称“各方”）出席会议。\n"
        "1. 各方同意加强数字基础设施合作。"
    )
    meta = _meta(text, "zh", lexicon)
    assert _keys(meta.signatories) == ["country/CN", "country/FJ", "country/WS"]
    assert _keys(meta.proposed_by) == ["organisation/african-union"]
    assert meta.kind.value == KIND + "action-plan"
    assert (meta.issued.value, meta.issued.datatype.rsplit("#", 1)[-1]) == ("2024-05-29", "date")
    assert meta.place.value == ID + "place/suva"
    assert meta.event is not None and meta.event.evidence.exact.endswith("会议")
    assert all(f.evidence is not None and f.evidence.rule == "collective" for f in meta.signatories)


def test_declaration_we_the_ministers(lexicon):
    text = (
        "Ministerial Declaration on Open Data\n"
        "March 3, 2023\n"
        "1. We, the Ministers of Chile, Peru and Colombia and the Andean Community, meeting in Lima, agree to share data.\n"
        "2. Brazil was invited as an observer."
    )
    meta = _meta(text, "en", lexicon)
    assert _keys(meta.signatories) == ["country/CL", "country/CO", "country/PE"]
    assert meta.kind.value == KIND + "ministerial-declaration"
    assert meta.issued.value == "2023-03-03" and meta.issued.evidence.rule == "date-line"


def test_mou_between_two_governments(lexicon):
    text = (
        "Memorandum of Understanding between the Government of Kenya and the Government of Viet Nam on Digital Trade\n"
        "Article 1\nThe Participants will exchange experts with Rwanda."
    )
    meta = _meta(text, "en", lexicon)
    assert _keys(meta.signatories) == ["country/KE", "country/VN"]
    assert meta.kind.value == KIND + "memorandum-of-understanding"


def test_chinese_mou_between_governments(lexicon):
    text = "中华人民共和国政府和老挝人民民主共和国政府关于数字经济合作的谅解备忘录\n第一条 双方鼓励企业与泰国企业合作。"
    meta = _meta(text, "zh", lexicon)
    assert _keys(meta.signatories) == ["country/CN", "country/LA"]


def test_traditional_script_cue(lexicon):
    text = "數字合作倡議\n中國、老撾和緬甸共同提出以下倡議：\n一、加強人工智能合作。\n二、推動數據安全。"
    meta = _meta(text, "zh", lexicon)
    assert _keys(meta.signatories) == ["country/CN", "country/LA", "country/MM"]
    assert meta.kind.value == KIND + "initiative"


def test_proposal_by_one_state_with_a_regional_organisation(lexicon):
    text = "数字减贫倡议\n中国和东盟共同提出以下倡议：\n1. 推动电子商务发展。\n2. 加强数字技能培训。"
    meta = _meta(text, "zh", lexicon)
    assert _keys(meta.signatories) == ["country/CN"]
    assert _keys(meta.proposed_by) == ["organisation/asean"]


def test_news_report_names_signatories_only_when_it_says_who_signed(lexicon):
    told = "新华社北京3月5日电 日前，二十国集团领导人峰会核准了《数字贸易原则》。巴西代表表示欢迎。"
    meta = _meta(told, "zh", lexicon)
    assert meta.kind.value == KIND + "news-report" and meta.kind.evidence.rule == "dateline"
    assert meta.issued is None  # the dateline gives no year
    assert meta.place.value == ID + "place/beijing"
    assert _keys(meta.proposed_by) == ["organisation/g20"]
    assert meta.signatories == ()
    untold = "新华社北京3月5日电 巴西和阿根廷代表在会上介绍了数字贸易的进展。"
    meta = _meta(untold, "zh", lexicon)
    assert meta.signatories == () and meta.proposed_by == ()


def test_english_dateline_with_year(lexicon):
    text = "Nairobi, 14 May 2022 – Kenya and Rwanda launched a data-sharing pilot, officials said."
    meta = _meta(text, "en", lexicon)
    assert meta.issued.value == "2022-05-14" and meta.place.value == ID + "place/nairobi"


def test_year_only_and_year_month(lexicon):
    text = "中国—阿拉伯国家合作规划\n中阿合作论坛第九届部长级会议于2020年7月6日至7日举行。双方同意共同制定本规划如下：\n1. 加强数字合作。"
    meta = _meta(text, "zh", lexicon)
    assert (meta.issued.value, meta.issued.datatype.rsplit("#", 1)[-1]) == ("2020-07", "gYearMonth")
