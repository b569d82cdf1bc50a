"""The query page in a real browser (Playwright with Debian's Chromium): run an example,
see the rows, click through to an entity page and see the highlighted mention."""

from __future__ import annotations

import pytest

pytest_plugins = ["fixtures_web"]

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.mark.browser
def test_query_page_runs_example_and_links_to_entity(seed_server, chromium):
    from playwright.sync_api import expect, sync_playwright

    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page()
        page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(seed_server) else None)
        page.goto(seed_server + "/")
        # The editor highlights the initial query.
        expect(page.locator("#highlight .t-k").first).to_be_visible()
        # Run "technologies by number of clauses".
        page.locator("button.example", has_text="Technologies by number of clauses").click()
        rows = page.locator("#result-table tbody tr")
        expect(rows.first).to_be_visible(timeout=15_000)
        assert rows.count() >= 20
        expect(page.locator("#status")).to_contain_text("rows")
        assert page.locator("#download-links a").count() == 4
        # Click the first technology IRI: it goes to its /id/ page.
        link = page.locator("#result-table tbody tr").first.locator("a.iri").first
        assert link.inner_text() == "https://w3id.org/dsr-kg/id/technology/artificial-intelligence"
        link.click()
        page.wait_for_url("**/id/technology/artificial-intelligence")
        mark = page.locator("#mentions mark.mention").first
        expect(mark).to_be_visible()
        assert mark.inner_text() == "人工智能"
        # Typing a query and a syntax error shows the parser's message.
        page.goto(seed_server + "/")
        page.fill("#query", "SELECT * WHERE { ?s ?p ")
        page.click("#run")
        expect(page.locator("#query-error")).to_contain_text("syntax error")
        browser.close()
    assert outside == []  # nothing fetched from anywhere else (no CDN)


@pytest.mark.browser
def test_query_page_example_technologies_applied_in_agriculture(seed_server, chromium):
    """Issue 12: pick the example and see the seven technologies clause 3 applies in agriculture."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page()
        page.goto(seed_server + "/")
        button = page.locator('button.example[data-name^="20-"]')
        expect(button).to_contain_text("agriculture")
        expect(button).to_contain_text("农业")
        button.click()
        rows = page.locator("#result-table tbody tr")
        expect(rows.first).to_be_visible(timeout=15_000)
        assert rows.count() == 7
        table = page.locator("#result-table").inner_text()
        for zh, en in (
            ("大数据", "big data"),
            ("物联网", "Internet of Things"),
            ("人工智能", "artificial intelligence"),
            ("无人机", "unmanned aerial vehicle"),
            ("机器人", "robotics"),
            ("自动化", "automation"),
            ("遥感", "remote sensing"),
        ):
            assert zh in table and en in table, (zh, en)
        browser.close()
