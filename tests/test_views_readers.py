"""Issue 14, item 6: the view pages for Chinese readers, and pictures you can read.

Bilingual text everywhere on the view pages; the label language follows Accept-Language
(and ?lang=); in Chromium the drawn labels do not overlap and none is clipped, every
connected component has a label, unlabelled nodes show their name on hover, the zoom
buttons are on screen at 390 px; the co-occurrence view has every mentioned entity.
Screenshots of each check are written to the test's temporary folder.
"""

from __future__ import annotations

import re

import networkx as nx
import pytest
import requests

from kg.analysis.views import VIEWS

pytest_plugins = ["fixtures_web"]

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]
ENERGY = "https://w3id.org/dsr-kg/id/sector/energy"
CJK = re.compile("[\u4e00-\u9fff]")


def page_html(base: str, path: str, language: str | None) -> requests.Response:
    headers = {"Accept": "text/html"}
    if language:
        headers["Accept-Language"] = language
    return requests.get(base + path, headers=headers, timeout=60)


def svg_labels(html: str) -> list[str]:
    group = html[html.index('<g class="labels"') :]
    group = group[: group.index("</g>")]
    return re.findall(r"<text [^>]*>([^<]*)</text>", group)


def test_every_view_has_a_chinese_title_and_description():
    for spec in VIEWS.values():
        title, description = spec.text("zh")
        assert CJK.search(title) and CJK.search(description), spec.name
        assert spec.text("en") == (spec.title, spec.description)


@pytest.mark.parametrize(
    ("language", "query", "expected"),
    [
        ("zh-CN,zh;q=0.9", "", "zh"),
        ("zh-TW", "", "zh"),
        ("en-US,en;q=0.9", "", "en"),
        ("zh-CN", "?lang=en", "en"),
        (None, "", "zh"),  # a Chinese-first site
    ],
)
def test_label_language_follows_accept_language(seed_server, language, query, expected):
    r = page_html(seed_server, "/views/cooccurrence" + query, language)
    assert r.status_code == 200
    assert f'<html lang="{expected}">' in r.text and r.headers["Content-Language"] == expected
    assert "Accept-Language" in r.headers["Vary"]
    labels = svg_labels(r.text)
    chinese = sum(bool(CJK.search(t)) for t in labels)
    assert labels and (chinese > len(labels) * 0.8 if expected == "zh" else chinese < len(labels) * 0.2)


def test_downloads_keep_english_unless_asked(seed_server):
    csv_default = requests.get(seed_server + "/views/cooccurrence?format=csv", timeout=30).text
    assert "artificial intelligence" in csv_default
    csv_zh = requests.get(
        seed_server + "/views/cooccurrence?format=csv", headers={"Accept-Language": "zh-CN"}, timeout=30
    ).text
    assert "人工智能" in csv_zh.splitlines()[1] or "人工智能" in csv_zh


def test_page_text_is_bilingual_and_csp_friendly(seed_server):
    html = page_html(seed_server, "/views/cooccurrence", "zh-CN").text
    for zh, en in (
        ("实体共现", "Entity co-occurrence"),
        ("筛选", "Filters"),
        ("类型", "Types"),
        ("最小权重", "Minimum weight"),
        ("标签语言", "Labels"),
        ("节点大小", "Size by"),
        ("加权度", "weighted degree"),
        ("中介中心性", "betweenness"),
        ("国家", "Country"),
        ("行业", "Sector"),
        ("下载", "Download"),
        ("概要", "Summary"),
        ("连通分量", "components"),
        ("放大", "zoom in"),
    ):
        assert zh in html and en in html, (zh, en)
    assert 'style="' not in html  # a strict Content-Security-Policy (no inline styles) will not break it
    index = page_html(seed_server, "/views", "zh-CN").text
    assert all(spec.text("zh")[0] in index for spec in VIEWS.values())
    assert 'style="' not in index


def test_cooccurrence_has_every_mentioned_entity(seed_server):
    data = requests.get(seed_server + "/views/cooccurrence?format=json", timeout=30).json()
    ids = {n["id"] for n in data["nodes"]}
    assert ENERGY in ids  # mentioned alone in its clause: a node without edges
    assert not any(ENERGY in (e["source"], e["target"]) for e in data.get("links", data.get("edges", [])))


def _boxes(page) -> dict:
    return page.evaluate(
        """() => {
          const svg = document.querySelector('#view-svg svg');
          const vb = svg.viewBox.baseVal;
          const labels = [...svg.querySelectorAll('g.labels text')].map(t => {
            const b = t.getBBox();
            return {id: t.dataset.id, x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height};
          });
          return {labels, view: {x0: vb.x, y0: vb.y, x1: vb.x + vb.width, y1: vb.y + vb.height}};
        }"""
    )


@pytest.mark.browser
@pytest.mark.parametrize(
    "view",
    [
        "cooccurrence",
        "clause-entity",
        "technology-sector",
        "technology-sector-cooccurrence",
        "commitments",
        "country-document",
    ],
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_labels_fit_without_overlap_and_components_are_labelled(seed_server, chromium, tmp_path, view, lang):
    from playwright.sync_api import sync_playwright

    G = nx.node_link_graph(requests.get(f"{seed_server}/views/{view}?format=json", timeout=60).json(), edges="edges")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{seed_server}/views/{view}?lang={lang}")
        page.locator("#view-svg svg").screenshot(path=str(tmp_path / f"{view}-{lang}.png"))
        found = _boxes(page)
        labels, box = found["labels"], found["view"]
        assert len(labels) >= min(10, G.number_of_nodes())
        for b in labels:  # drawn inside the picture, nothing cut at an edge
            assert b["x0"] >= box["x0"] and b["x1"] <= box["x1"] and b["y0"] >= box["y0"] and b["y1"] <= box["y1"], b
        overlaps = [
            (a["id"], b["id"])
            for i, a in enumerate(labels)
            for b in labels[i + 1 :]
            if min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 1 and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > 1
        ]
        assert overlaps == []
        labelled = {b["id"] for b in labels}
        for component in nx.connected_components(G):
            assert component & labelled, sorted(component)[:3]
        # a node without a label shows its name on its card (hover, or keyboard focus in a dense cluster
        # where another circle covers it)
        hidden = sorted(set(G) - labelled)
        if hidden:
            page.locator(f'#view-svg a.node[data-id="{hidden[0]}"]').focus()
            card = page.locator("#view-card")
            card.wait_for(state="visible")
            name = G.nodes[hidden[0]][f"label_{lang}"]
            assert name in card.inner_text()
        browser.close()


@pytest.mark.browser
def test_zoom_buttons_on_a_phone(seed_server, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
        )
        page = context.new_page()
        page.goto(seed_server + "/views/cooccurrence")
        page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        width = page.evaluate("document.documentElement.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen
        for button in ("#view-zoom-in", "#view-zoom-out", "#view-zoom-reset"):
            b = page.locator(button)
            assert b.is_visible()
            box = b.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (button, box)
            assert box["width"] >= 30 and box["height"] >= 28  # big enough to tap
        before = page.locator("#view-svg svg").get_attribute("viewBox")
        page.locator("#view-zoom-in").tap()
        assert page.locator("#view-svg svg").get_attribute("viewBox") != before
        browser.close()
