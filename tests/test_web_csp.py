"""The Content-Security-Policy and the other security headers (issue 15, item 3), and the
pages still working under them in Chromium: the query page with every example, every view
(hover, search, zoom), the entity, clause and document pages, the metadata pages."""

from __future__ import annotations

import pytest
import requests

pytest_plugins = ["fixtures_web", "fixtures_hostile"]

from fixtures_hostile import CSP_LISTENER  # noqa: E402

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AI = "/id/technology/artificial-intelligence"
DOC = "/id/document/000_bf54f53887da828b"


def test_policy_allows_this_site_only():
    from kg.web.headers import CONTENT_SECURITY_POLICY

    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "path, accept",
    [
        ("/", "text/html"),
        (AI, "text/html"),
        (AI, "text/turtle"),
        (AI, "application/ld+json"),
        ("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
        ("/sparql?query=ASK%7B%7D", "application/sparql-results+xml"),
        ("/sparql?query=SELECT%20*%7B%3Fs%20%3Fp%20%3Fo%7DLIMIT%202", "text/csv"),
        ("/sparql", "text/turtle"),  # service description
        ("/views", "application/json"),
        ("/views/cooccurrence?format=svg", "*/*"),
        ("/views/cooccurrence?format=gexf", "*/*"),
        ("/.well-known/void", "text/html"),
        ("/ontology", "text/turtle"),
        ("/health", "application/json"),
        ("/static/query.js", "*/*"),
        ("/favicon.ico", "*/*"),
        ("/id/nothing/here", "text/html"),  # error pages too
        ("/sparql?query=SELCT", "*/*"),
    ],
)
def test_every_response_has_the_headers(seed_server, path, accept):
    from kg.web.headers import CONTENT_SECURITY_POLICY

    r = requests.get(seed_server + path, headers={"Accept": accept}, timeout=30)
    assert r.headers["X-Content-Type-Options"] == "nosniff", path
    assert r.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert r.headers["Referrer-Policy"] == "same-origin" and r.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client):
    import lxml.html

    for path in (
        "/",
        AI,
        DOC,
        DOC + "/clause/1",
        "/views",
        "/views/cooccurrence",
        "/compare",
        "/.well-known/void",
        "/ontology",
    ):
        tree = lxml.html.fromstring(client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True))
        for script in tree.iter("script"):
            assert script.get("src") or script.get("type") == "application/json", (
                path,
                lxml.html.tostring(script)[:80],
            )
        assert not list(tree.iter("style")), path
        assert not tree.xpath("//@style"), path
        assert not [a for a in tree.xpath("//@*") if a.attrname.lower().startswith("on")], path


def _browser_log(page) -> dict[str, list[str]]:
    log: dict[str, list[str]] = {"errors": [], "dialogs": []}
    page.on("pageerror", lambda exc: log["errors"].append(str(exc)))
    page.on("console", lambda m: log["errors"].append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    return log


@pytest.mark.browser
def test_query_page_and_every_example_work_under_the_policy(seed_server, chromium):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        context = browser.new_context()
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        log = _browser_log(page)
        violations: list[str] = []
        page.goto(seed_server + "/")
        expect(page.locator("#highlight .t-k").first).to_be_visible()  # the editor script ran
        buttons = page.locator("button.example")
        answered = []
        for i in range(buttons.count()):
            button = buttons.nth(i)
            name = button.get_attribute("data-name")
            button.click()
            expect(page.locator("#status")).to_contain_text(" ms", timeout=30_000)
            status = page.locator("#status").inner_text()
            assert "Error" not in status and "错误" not in status, (name, status)
            shown = page.locator("#result-table, #result-boolean, #result-rdf")
            expect(shown.first).to_be_visible()
            assert page.locator("#download-links a").count() >= 3, name  # the downloads the script builds
            answered.append(name)
            violations += page.evaluate("window.__csp")
        # typing runs the highlighter; Ctrl+Enter runs the query (event handlers from static files)
        page.fill("#query", "ASK { ?s ?p ?o }")
        page.locator("#query").press("Control+Enter")
        expect(page.locator("#result-boolean")).to_contain_text("true")
        violations += page.evaluate("window.__csp")
        browser.close()
    check_all_examples(answered)
    assert violations == [] and log == {"errors": [], "dialogs": []}, (violations, log)


def check_all_examples(names: list[str]) -> None:
    from kg.web.query_page import examples

    assert len(names) >= 19 and sorted(names) == sorted(e.name for e in examples())


@pytest.mark.browser
def test_views_and_pages_work_under_the_policy(seed_server, chromium):
    from playwright.sync_api import expect, sync_playwright

    from kg.analysis.views import VIEWS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        context = browser.new_context()
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        log = _browser_log(page)
        violations: list[str] = []
        for name in VIEWS:
            page.goto(f"{seed_server}/views/{name}")
            nodes = page.locator("#view-svg .node")
            expect(nodes.first).to_be_attached()
            # hovering a node shows its card, positioned by the script (CSSOM styles are allowed)
            nodes.first.locator("circle").hover(force=True)
            card = page.locator("#view-card")
            expect(card).to_be_visible()
            assert card.evaluate("e => e.style.top") != ""
            # zoom changes the viewBox; search marks nodes
            before = page.locator("#view-svg svg").get_attribute("viewBox")
            page.click("#view-zoom-in")
            assert page.locator("#view-svg svg").get_attribute("viewBox") != before
            page.fill("#view-search", "a")
            expect(page.locator("#view-svg .node.hit").first).to_be_attached()
            # the stylesheet applies (not blocked): views.css lays out the page
            assert page.locator(".view-layout").evaluate("e => getComputedStyle(e).display") == "grid"
            violations += page.evaluate("window.__csp")
        for path in ("/views", AI, DOC, DOC + "/clause/1", DOC + "/clause/1/sentence/1", "/compare",
                     "/.well-known/void", "/service-description", "/ontology", "/id/nothing"):  # fmt: skip
            page.goto(seed_server + path)
            if path == "/id/nothing":
                log["errors"] = [e for e in log["errors"] if "status of 404" not in e]
            # the site stylesheet is applied: the header is laid out by style.css
            assert page.locator("header.site").evaluate("e => getComputedStyle(e).display") == "flex", path
            violations += page.evaluate("window.__csp")
        browser.close()
    assert violations == [] and log == {"errors": [], "dialogs": []}, (violations, log)


@pytest.mark.browser
def test_the_violation_listener_sees_a_blocked_inline_style(seed_server, chromium):
    """The checks above can fail: an inline style or script in a page is blocked and recorded."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        context = browser.new_context()
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(seed_server + "/")
        page.evaluate("""() => {
            document.body.insertAdjacentHTML("beforeend", '<div style="color: red">x</div>');
            const s = document.createElement("script");
            s.textContent = "window.__ran = true";
            document.body.appendChild(s);
        }""")
        page.wait_for_timeout(200)
        violations = page.evaluate("window.__csp")
        ran = page.evaluate("window.__ran === true")
        browser.close()
    assert not ran
    assert any("style-src" in v for v in violations) and any("script-src" in v for v in violations), violations
    assert any("Content Security Policy" in e for e in errors), errors
