"""Stage 3: entity mentions from the lexicon with spaCy."""

from __future__ import annotations

import pytest

from kg.pipeline.extract import english_variants, find_entities, is_acronym
from kg.pipeline.lexicon import load_lexicon

ID = "https://w3id.org/dsr-kg/id/"


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def _found(text: str, language: str, lexicon) -> list[tuple[str, str]]:
    return [(text[s:e], iri[len(ID) :]) for s, e, iri in find_entities(text, language, lexicon)]


def test_longest_match_wins(lexicon):
    found = _found("欢迎联合国贸易和发展会议和联合国工业发展组织，发挥联合国作用。", "zh", lexicon)
    assert ("联合国贸易和发展会议", "organisation/unctad") in found
    assert ("联合国工业发展组织", "organisation/unido") in found
    assert [iri for s, iri in found if iri == "organisation/un"] == ["organisation/un"]  # only the bare 联合国


def test_nested_technology_terms(lexicon):
    found = dict(_found("推动“下一代互联网”建设，普及互联网。", "zh", lexicon))
    assert found["下一代互联网"] == "technology/next-generation-internet"
    assert found["互联网"] == "technology/internet"


def test_parenthesised_acronym_belongs_to_the_name(lexicon):
    text = "包括但不限于国际标准化组织（ISO）、国际电工委员会（IEC）制定的标准。"
    found = _found(text, "zh", lexicon)
    assert found == [("国际标准化组织", "organisation/iso"), ("国际电工委员会", "organisation/iec")]


def test_unknown_acronym_learnt_from_parentheses(lexicon):
    text = "亚洲基础设施投资银行（AIIBX）将提供资金。AIIBX 还将支持数据中心。"
    found = _found(text, "zh", lexicon)
    assert found.count(("AIIBX", "organisation/aiib")) == 1  # the later bare use
    assert ("亚洲基础设施投资银行", "organisation/aiib") in found


@pytest.mark.parametrize(
    "text", ["保障发展中国家和平利用互联网", "鼓励各国秉持理念", "作为共建合作伙伴", "弥合数字鸿沟"]
)
def test_negatives_are_not_entities(lexicon, text):
    found = _found(text, "zh", lexicon)
    assert all(not iri.startswith("country/") for _, iri in found), found


def test_english_case_plural_and_hyphen_variants(lexicon):
    text = "Smart Cities and e-commerce, electronic commerce and E-Commerce platforms; the Internet of Things."
    found = _found(text, "en", lexicon)
    iris = [iri for _, iri in found]
    assert "sector/smart-city" in iris or "technology/smart-city" in iris
    assert iris.count("technology/e-commerce") == 3
    assert "technology/internet-of-things" in iris


def test_acronyms_are_case_sensitive_whole_words(lexicon):
    found = _found("AI and IoT help the WTO; but said, paid, ai and iot do not; nor AIIB's AI-free 15G.", "en", lexicon)
    surfaces = [s for s, _ in found]
    assert surfaces.count("AI") == 2  # "AI" and "AI-free"
    assert "IoT" in surfaces and "WTO" in surfaces
    assert "ai" not in surfaces and "iot" not in surfaces
    assert ("AIIB", "organisation/aiib") in found


def test_acronyms_in_chinese_text(lexicon):
    found = dict(_found("利用5G、AI和IPv6技术，加入WTO。15G不是", "zh", lexicon))
    assert found.get("5G") == "technology/5g"
    assert found.get("WTO") == "organisation/wto"


def test_traditional_chinese_via_opencc_keeps_offsets(lexicon):
    text = "推動人工智慧、區塊鏈與雲端運算合作，聯合國發揮作用。"
    found = _found(text, "zh", lexicon)
    iris = {iri for _, iri in found}
    assert {
        "technology/artificial-intelligence",
        "technology/blockchain",
        "technology/cloud-computing",
        "organisation/un",
    } <= iris
    assert ("區塊鏈", "technology/blockchain") in found  # surface is the original text


def test_place_inside_forum_name_is_not_a_country(lexicon):
    found = _found("依托中国—东盟信息港开展合作。", "zh", lexicon)
    assert all(not iri.startswith("country/") for _, iri in found), found


def test_helpers():
    assert is_acronym("AI") and is_acronym("IoT") and is_acronym("IPv6") and is_acronym("WTO")
    assert not is_acronym("Internet") and not is_acronym("5G") and not is_acronym("smart city")
    assert {"smart city", "smart cities", "smart-city", "smart-cities"} <= english_variants("smart city")
    assert {"e-commerce", "e commerce", "ecommerce"} <= english_variants("e-commerce")
    assert "technologies" in english_variants("technology")


@pytest.mark.parametrize(
    "text,surface", [("Work moves on to 6G.", "6G"), ("Sensors and IoT.", "IoT"), ("It joined the WTO.", "WTO")]
)
def test_acronym_at_the_end_of_a_sentence(lexicon, text, surface):
    assert surface in [s for s, _ in _found(text, "en", lexicon)]


def test_spacy_component_resolves_like_find_entities(lexicon):
    """nlp(text).ents (for spaCy users) gives what the builder extracts."""
    from kg.pipeline.extract import build_nlp

    text = "包括国际标准化组织（ISO）制定的标准，保障发展中国家利用人工智能。"
    doc = build_nlp("zh", lexicon)(text)
    assert [(e.text, e.kb_id_[len(ID) :]) for e in doc.ents] == _found(text, "zh", lexicon)
