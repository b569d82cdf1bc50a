"""Hostile content (issue 15, item 4): documents and RDF whose text and IRIs attack the pages.

Two documents (Chinese and English) carry HTML and script payloads in their title,
clauses and around the entity names the lexicon finds — ``</script>`` breakouts for data
embedded in pages, ``<!--<script>`` (which would swallow the rest of a script block),
attribute breakouts, ``javascript:`` text. An RDF file adds hostile labels, comments and
IRIs: ``javascript:``, ``data:`` and ``vbscript:`` subjects and objects, mentioned by a
clause, annotated into its text, signatory of a document, classes and ``rdfs:seeAlso`` /
``owl:sameAs`` links of real entities, a ``'`` inside an IRI under the base. They are
built with ``kg build`` and loaded with ``kg load`` (real CLI processes) into a real store.

:func:`crawl` collects every HTML page a server links to (bounded); :func:`check_page`
checks one page's HTML without a browser; :data:`BROWSER_CHECK` is the same check for a
page Chromium has rendered (after its scripts ran).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent

HOSTILE_ZH = """关于<script>alert("title-zh")</script>数字经济"><img src=x onerror=alert("img-title")>合作的倡议

中国、俄罗斯和巴西共同提出以下倡议</script><script>alert("breakout-intro")</script>。

一、加强人工智能合作</script><script>alert("breakout-1")</script>，推动区块链<svg onload=alert("svg-1")>技术发展。

二、深化5G和云计算<!--<script>方面的交流，javascript:alert("text-2") <a href="javascript:alert('a-2')">点击</a>。

三、促进数字贸易'"><iframe src="javascript:alert('iframe-3')"></iframe>和电子商务{{7*7}}${7*7}合作。
"""

HOSTILE_EN = """Initiative on <script>alert("title-en")</script> Digital "><svg/onload=alert("svg-title")> Cooperation

1. The parties will cooperate on artificial intelligence </script><script>alert("breakout-en-1")</script> and blockchain.
2. They support 5G networks and cloud computing <img src=x onerror="window.__kgPwned=1;alert('img-en-2')"> in China and Brazil.
3. Digital trade <!--<script> and e-commerce javascript:alert("text-en-3") with the World Trade Organization.
"""

JS_SUBJECT = "javascript:alert('subject')"
DATA_SUBJECT = "data:text/html;base64,PHNjcmlwdD5hbGVydCgnZGF0YScpPC9zY3JpcHQ+"
VB_SUBJECT = "vbscript:msgbox('vb')"
QUOTE_ENTITY = "https://w3id.org/dsr-kg/id/technology/x'onmouseover='alert(1)'"
CLAUSE = "https://w3id.org/dsr-kg/id/document/hostile-zh/clause/1"

HOSTILE_TTL = f"""@prefix dsr: <https://w3id.org/dsr-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix id: <https://w3id.org/dsr-kg/id/> .

<{JS_SUBJECT}> a dsr:Technology ;
  rdfs:label "<script>alert('label-en')</script>"@en , "</script><script>alert('label-zh')</script>"@zh ;
  rdfs:comment "<img src=x onerror=alert('comment')>" ;
  rdfs:seeAlso <javascript:alert('seeAlso')> ;
  owl:sameAs <JaVaScRiPt:alert('sameAs')> .
<{DATA_SUBJECT}> a dsr:Country ;
  rdfs:label "<b onmouseover=alert('data-label')>data</b>"@en .
<{VB_SUBJECT}> a dsr:Organisation ; rdfs:label "vb\\"><svg onload=alert('vb-label')>"@en .
id:technology\\/artificial-intelligence
  rdfs:seeAlso <javascript:alert('ai-seeAlso')> , <data:text/html;base64,PHNjcmlwdD5hbGVydCgnYWktZGF0YScpPC9zY3JpcHQ+> ,
    <vbscript:msgbox('ai-vb')> , <https://example.org/fine> ;
  owl:sameAs <javascript:alert('ai-sameAs')> ;
  skos:altLabel "</script><svg onload=alert('alt')>"@en ;
  a <javascript:alert('class')> .
<{QUOTE_ENTITY}> a dsr:Technology ;
  rdfs:label "quote'\\"<script>alert('quote')</script>"@en ;
  skos:broader id:technology\\/blockchain .
id:technology\\/blockchain skos:broader <javascript:alert('broader')> .
<{CLAUSE}> dsr:mentions <{JS_SUBJECT}> , <{DATA_SUBJECT}> , <{VB_SUBJECT}> , <{QUOTE_ENTITY}> ;
  rdfs:seeAlso <javascript:alert('clause')> .
<urn:x:hostile-annotation> a oa:Annotation ; oa:hasBody <{JS_SUBJECT}> ; oa:hasTarget <urn:x:hostile-target> .
<urn:x:hostile-annotation-2> a oa:Annotation ; oa:hasBody <{DATA_SUBJECT}> ; oa:hasTarget <urn:x:hostile-target-2> .
<urn:x:hostile-target> oa:hasSource <{CLAUSE}> ; oa:hasSelector <urn:x:hostile-selector> .
<urn:x:hostile-selector> a oa:TextPositionSelector ; oa:start 2 ; oa:end 6 .
<urn:x:hostile-target-2> oa:hasSource <{CLAUSE}> ; oa:hasSelector <urn:x:hostile-selector-2> .
<urn:x:hostile-selector-2> a oa:TextPositionSelector ; oa:start 2 ; oa:end 6 .
<https://w3id.org/dsr-kg/id/document/hostile-en> dsr:signatory <{VB_SUBJECT}> , <{JS_SUBJECT}> ;
  dcterms:source <javascript:alert('source')> .
<https://w3id.org/dsr-kg/id/document/hostile-zh> dsr:signatory <{DATA_SUBJECT}> .
"""

#: Words of the payloads that must still be there as text (escaping keeps them, never drops them).
VISIBLE_TEXT = {
    "/id/document/hostile-zh": ['<script>alert("title-zh")</script>'],
    "/id/document/hostile-zh/clause/1": ['</script><script>alert("breakout-1")</script>', "<svg onload="],
    "/id/document/hostile-zh/clause/3": ["<iframe src=\"javascript:alert('iframe-3')\"></iframe>"],
}


def run_kg(*args: str) -> str:
    """Run the ``kg`` command line in a real process; return its output (fails the test on exit ≠ 0)."""
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="session")
def hostile_store(tmp_path_factory, seed_path) -> Path:
    """The seed, the two hostile documents and the hostile RDF, built and loaded into a store."""
    folder = tmp_path_factory.mktemp("hostile")
    docs = folder / "docs"
    docs.mkdir()
    (docs / "hostile-zh.txt").write_text(HOSTILE_ZH, encoding="utf-8")
    (docs / "hostile-en.txt").write_text(HOSTILE_EN, encoding="utf-8")
    rdf = folder / "hostile.ttl"
    rdf.write_text(HOSTILE_TTL, encoding="utf-8")
    store = folder / "store"
    run_kg("build", str(seed_path), str(docs), "--store", str(store), "--quiet", "--jobs", "1")
    assert "loaded" in run_kg("load", str(rdf), "--store", str(store))
    return store


@pytest.fixture(scope="session")
def hostile_server(hostile_store) -> str:
    """A real server (``python server.py``) over the hostile store."""
    from fixtures_web import running_server

    with running_server(hostile_store) as base:
        yield base


# ---------------------------------------------------------------- crawling


#: Where the crawl starts: the hostile documents, their parts and the pages that list or draw them.
START = [
    "/id/document/hostile-zh",
    "/id/document/hostile-en",
    "/id/document/hostile-zh/clause/1",
    "/id/technology/artificial-intelligence",
    "/id/technology/blockchain",
    "/id/technology/x'onmouseover='alert(1)'",
    "/",
    "/views",
    "/views/cooccurrence",
    "/views/clause-entity",
    "/views/technology-sector",
    "/views/country-document",
    "/views/organisation-clause",
    "/views/cooccurrence?lang=en",
    "/compare",
    "/compare?a=hostile-zh&b=hostile-en",
    "/compare?a=hostile-en&b=000_bf54f53887da828b",
    "/.well-known/void",
    "/service-description",
    "/ontology",
    "/id/no-such-thing/<script>alert(404)</script>",
]


def crawl(base: str, limit: int = 90) -> dict[str, tuple[str, dict[str, str]]]:
    """Return ``{url: (html, headers)}`` for the start pages and the site's HTML pages they link to
    (breadth first, at most ``limit``)."""
    import lxml.html
    import requests

    seen: set[str] = set()
    pages: dict[str, tuple[str, dict[str, str]]] = {}
    todo = deque(urljoin(base, p) for p in START)
    session = requests.Session()
    while todo and len(pages) < limit:
        url = todo.popleft()
        if url in seen:
            continue
        seen.add(url)
        r = session.get(url, headers={"Accept": "text/html"}, timeout=30)
        if not r.headers.get("Content-Type", "").startswith("text/html"):
            continue
        pages[url] = (r.text, dict(r.headers))
        for target in lxml.html.fromstring(r.text).xpath("//a/@href"):
            full = urljoin(url, target).split("#", 1)[0]
            parts = urlsplit(full)
            if not full.startswith(base) or "format=" in parts.query or parts.path.startswith(("/sparql", "/static")):
                continue
            if parts.path == "/" and parts.query:  # the query page with a query: one is enough
                continue
            todo.append(full)
    return pages


# ---------------------------------------------------------------- the server-side check


_ACTIVE_TAGS = {"iframe", "frame", "frameset", "object", "embed", "img", "base", "applet"}


def _allowed_target(value: str) -> bool:
    from kg.core.iris import is_link_target

    return value.startswith("?") or is_link_target(value)


def check_page(url: str, html: str, headers: dict[str, str] | None = None) -> list[str]:
    """Return what is wrong with one HTML page (empty when nothing): active content from the data,
    links with other schemes, inline script or style, broken JSON data blocks, missing headers."""
    import lxml.html

    from kg.web.headers import CONTENT_SECURITY_POLICY

    problems: list[str] = []
    if headers is not None:
        if headers.get("Content-Security-Policy") != CONTENT_SECURITY_POLICY:
            problems.append(f"Content-Security-Policy: {headers.get('Content-Security-Policy')!r}")
        if headers.get("X-Content-Type-Options") != "nosniff":
            problems.append("no X-Content-Type-Options: nosniff")
        if not headers.get("Referrer-Policy"):
            problems.append("no Referrer-Policy")
    tree = lxml.html.fromstring(html)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower().rsplit("}", 1)[-1]
        if tag in _ACTIVE_TAGS:
            problems.append(f"<{tag}> element")
        if tag == "style":
            problems.append("<style> element")
        if tag == "script":
            kind = (element.get("type") or "").lower()
            if kind == "application/json":
                try:
                    json.loads(element.text or "")
                except ValueError as exc:
                    problems.append(f"JSON data block does not parse: {exc}")
                if "<" in (element.text or ""):
                    problems.append("a raw '<' inside a JSON data block")
            elif not (element.get("src") or "").startswith("/static/") or (element.text or "").strip():
                problems.append(f"inline or foreign script: {lxml.html.tostring(element)[:120]!r}")
        for name, value in element.attrib.items():
            lname = name.lower().rsplit("}", 1)[-1]
            if lname.startswith("on"):
                problems.append(f"event-handler attribute {name}={value!r} on <{tag}>")
            if lname == "style":
                problems.append(f"style attribute on <{tag}>")
            if lname in ("href", "src", "action", "formaction", "xlink:href", "data") and not _allowed_target(value):
                problems.append(f"{name}={value!r} on <{tag}>")
    return [f"{url}: {p}" for p in problems]


#: Run in a page Chromium has rendered: the same checks on the live DOM (after the page's scripts ran).
BROWSER_CHECK = """() => {
  const problems = [];
  const ok = (v) => v === null || v === "" || v.startsWith("?") || v.startsWith("#") ||
    (v.startsWith("/") && !/^\\/[\\/\\\\]/.test(v)) || /^(https?:\\/\\/|mailto:)/i.test(v);
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName;
    if (["iframe", "frame", "object", "embed", "img", "base", "style"].includes(tag)) problems.push("<" + tag + ">");
    if (tag === "script" && el.type !== "application/json" && !(el.getAttribute("src") || "").startsWith("/static/"))
      problems.push("script " + el.outerHTML.slice(0, 100));
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) problems.push(name + " on <" + tag + ">");
      if (name === "style" && !el.closest("#view-card")) problems.push("style attribute on <" + tag + ">");
      if (["href", "src", "action", "formaction", "xlink:href"].includes(name) && !ok(attr.value))
        problems.push(name + "=" + attr.value + " on <" + tag + ">");
    }
  }
  if (window.__kgPwned) problems.push("a payload ran");
  return problems;
}"""

#: Installed before any page script: records CSP violations (a policy that blocked something).
CSP_LISTENER = """window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});"""
