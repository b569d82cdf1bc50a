"""Names outside the lexicon, government bodies, events, places and the typography of real texts.

Every sentence here is written for these tests (none is taken from a real document).
"""

from __future__ import annotations

import pytest

from kg.pipeline.extract import find_spans
from kg.pipeline.lexicon import load_lexicon

ID = "https://w3id.org/dsr-kg/id/"


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def _spans(text: str, language: str, lexicon) -> list[tuple[str, str, str]]:
    spans, _ = find_spans(text, language, lexicon)
    return [(text[s:e], iri[len(ID) :], rule) for s, e, iri, rule in spans]


def _names(text: str, language: str, lexicon):
    return find_spans(text, language, lexicon)[1]


# ------------------------------------------------------------------ open vocabulary


def test_chinese_working_group_after_an_organisation(lexicon):
    found = _spans("会议决定由金砖国家农业数字化工作组牵头推进。", "zh", lexicon)
    assert ("金砖国家农业数字化工作组", "organisation/金砖国家农业数字化工作组", "zh-head") in found
    # the names inside it are not mentions of their own
    assert not [f for f in found if f[1] in ("organisation/brics", "sector/agriculture")]


def test_english_title_case_name_with_a_head_and_its_short_form(lexicon):
    text = "The Pacific Islands Data Alliance (PIDA) met twice. PIDA will report in May."
    found = _spans(text, "en", lexicon)
    assert ("Pacific Islands Data Alliance", "organisation/pacific-islands-data-alliance", "en-head") in found
    assert found.count(("PIDA", "organisation/pacific-islands-data-alliance", "short-form")) == 1
    entity = _names(text, "en", lexicon)[ID + "organisation/pacific-islands-data-alliance"]
    assert entity.type == "Organisation"


def test_head_first_english_name(lexicon):
    found = _spans("Delegates joined the Alliance for Rural Broadband Access in Lima.", "en", lexicon)
    assert (
        "Alliance for Rural Broadband Access",
        "organisation/alliance-for-rural-broadband-access",
        "en-head",
    ) in found
    assert ("Lima", "place/lima", "") in found


def test_a_document_title_is_not_an_organisation(lexicon):
    found = _spans("各方欢迎《金砖国家数字农业伙伴关系框架》。", "zh", lexicon)
    assert not [f for f in found if f[2] == "zh-head"]
    found = _spans("They launched the Andean Partnership Plan on Digital Skills.", "en", lexicon)
    assert not [f for f in found if f[2] == "en-head"]


def test_generic_and_company_names_are_not_organisations(lexicon):
    found = _spans("支持非洲次区域组织发展，中国银行提供贷款。", "zh", lexicon)
    assert not [f for f in found if f[2]]
    assert ("中国", "country/CN", "") in found


def test_two_names_joined_by_and_stay_two(lexicon):
    found = _spans("the World Bank and the International Telecommunication Union agreed", "en", lexicon)
    assert [iri for _, iri, _ in found] == ["organisation/world-bank", "organisation/itu"]


# ------------------------------------------------------------------ government bodies


def test_body_of_a_country_mentions_the_country(lexicon):
    found = _spans("中华人民共和国农业农村部与泰国数字经济部签署协议。", "zh", lexicon)
    surfaces = {(s, iri) for s, iri, _ in found}
    assert ("中华人民共和国农业农村部", "governmentbody/cn-中华人民共和国农业农村部") in surfaces or (
        "农业农村部",
        "governmentbody/cn-ministry-of-agriculture-and-rural-affairs",
    ) in surfaces
    assert ("中华人民共和国", "country/CN") in surfaces  # the country written in the body's name
    assert ("泰国数字经济部", "governmentbody/th-泰国数字经济部") in surfaces
    assert ("泰国", "country/TH") in surfaces
    assert not [f for f in found if f[1] == "sector/agriculture"]


def test_bare_chinese_body_is_china_s_but_names_no_country(lexicon):
    found = _spans("农业农村部将举办培训班。", "zh", lexicon)
    assert found == [("农业农村部", "governmentbody/cn-ministry-of-agriculture-and-rural-affairs", "")]
    assert lexicon.country_of[ID + "governmentbody/cn-ministry-of-agriculture-and-rural-affairs"] == ID + "country/CN"


def test_a_title_after_a_body_is_cut_off(lexicon):
    found = _spans("越南信息传媒部副部长出席。", "zh", lexicon)
    assert ("越南信息传媒部", "governmentbody/vn-越南信息传媒部", "country-body") in found


def test_english_ministry_with_its_country(lexicon):
    text = "Officials of the Ministry of Digital Affairs of the Republic of Poland and Kenya's Ministry of Trade spoke."
    spans, names = find_spans(text, "en", lexicon)
    bodies = {names[iri].label: names[iri].country for _, _, iri, _ in spans if iri in names}
    assert bodies["Ministry of Digital Affairs of the Republic of Poland"] == ID + "country/PL"
    assert bodies["Ministry of Trade"] == ID + "country/KE"


def test_platform_name_hides_the_names_inside_it(lexicon):
    found = _spans("中国—东盟信息港建设加快。", "zh", lexicon)
    assert found == []


# ------------------------------------------------------------------ events and places


def test_event_with_its_holder_and_date(lexicon):
    text = "2022年5月12日，中国—中亚合作论坛第三届部长级会议在杭州召开。"
    spans, names = find_spans(text, "zh", lexicon)
    events = [names[iri] for _, _, iri, _ in spans if iri in names and names[iri].type == "Event"]
    assert events and events[0].date == "2022-05-12"
    assert ("杭州", "place/hangzhou", "") in [(text[s:e], iri[len(ID) :], r) for s, e, iri, r in spans]


def test_year_before_an_event_belongs_to_it(lexicon):
    _, names = find_spans("在2018年大阪峰会上，各方回顾了合作。", "zh", lexicon)
    event = next(n for n in names.values() if n.type == "Event")
    assert event.label == "2018年大阪峰会" and event.date == "2018"


def test_english_event_with_complement_and_date(lexicon):
    text = "On 3 March 2021 the Extraordinary Andean Summit on Digital Resilience opened."
    _, names = find_spans(text, "en", lexicon)
    event = next(n for n in names.values() if n.type == "Event")
    assert event.label == "Extraordinary Andean Summit on Digital Resilience"
    assert event.date == "2021-03-03"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("代表团抵达墨西哥城。", "zh", ("墨西哥城", "place/mexico-city")),
        ("The delegation reached Kuwait City on Monday.", "en", ("Kuwait City", "place/kuwait-city")),
        ("他们从浙江出发。", "zh", ("浙江", "place/zhejiang")),
        ("拉美和加勒比地区的代表出席。", "zh", ("拉美和加勒比地区", "place/latin-america")),
    ],
)
def test_places_win_over_the_country_inside(lexicon, text, language, expected):
    found = [(s, iri) for s, iri, _ in _spans(text, language, lexicon)]
    assert expected in found
    assert not [iri for _, iri in found if iri.startswith("country/")]


def test_venue_labels_are_no_places(lexicon):
    assert not [f for f in _spans("各方通过了《北京倡议》。", "zh", lexicon) if f[1].startswith("place/")]
    assert not [f for f in _spans("They recalled the Geneva Declaration.", "en", lexicon) if f[1].startswith("place/")]


def test_languages_are_not_countries(lexicon):
    found = _spans("主播用越南语和印尼语介绍产品。", "zh", lexicon)
    assert not [f for f in found if f[1].startswith("country/")]


# ------------------------------------------------------------------ typography


def test_missing_spaces_around_punctuation(lexicon):
    found = _spans("Guests came from Ghana,Peru(for Trade),Chile;Kenya:Nepal and Fiji.", "en", lexicon)
    countries = [iri for _, iri, _ in found if iri.startswith("country/")]
    assert countries == ["country/GH", "country/PE", "country/CL", "country/KE", "country/NP", "country/FJ"]


def test_glued_footnote_digits(lexicon):
    found = _spans("Work with the International Telecommunication Union2 and the blockchain3 pilots.", "en", lexicon)
    iris = [iri for _, iri, _ in found]
    assert "organisation/itu" in iris and "technology/blockchain" in iris


def test_curly_quotes_and_non_breaking_spaces(lexicon):
    text = "The People’s Republic of\u00a0China and the Lao People’s Democratic Republic signed."
    iris = [iri for _, iri, _ in _spans(text, "en", lexicon)]
    assert iris == ["country/CN", "country/LA"]


def test_chinese_with_ascii_punctuation(lexicon):
    found = _spans("中国,老挝和柬埔寨(以下简称“三方”)将推进人工智能合作.", "zh", lexicon)
    iris = [iri for _, iri, _ in found]
    assert iris == ["country/CN", "country/LA", "country/KH", "technology/artificial-intelligence"]


def test_full_width_digits_and_letters(lexicon):
    found = _spans("推动５Ｇ和ＡＩ应用，支持ＩｏＴ。", "zh", lexicon)
    iris = [iri for _, iri, _ in found]
    assert iris == ["technology/5g", "technology/artificial-intelligence", "technology/internet-of-things"]
    assert found[0][0] == "５Ｇ"  # offsets still point into the original text


def test_place_lexicon_is_generated_from_its_data():
    """ontology/lexicon/places.ttl is what scripts/make_place_lexicon.py makes from ontology/data/places*.csv."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, str(root / "scripts" / "make_place_lexicon.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_every_capital_is_a_place(lexicon):
    """Every capital of the data set is in the place lexicon (unless its name is the country's)."""
    import csv
    from pathlib import Path

    rows = list(
        csv.DictReader((Path(__file__).resolve().parent.parent / "ontology/data/places.csv").open(encoding="utf-8"))
    )
    assert len([r for r in rows if r["kind"] == "city"]) > 600
    places = {iri for iri, t in lexicon.types.items() if t == "Place"}
    for key in (
        "beijing",
        "dakar",
        "nairobi",
        "riyadh",
        "astana",
        "mexico-city",
        "kuwait-city",
        "canberra",
        "brasilia",
    ):
        assert ID + "place/" + key in places, key
