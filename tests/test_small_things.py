"""Issue 14, item 9: the smaller things a user notices (the export's output errors are in
test_export_output.py). Real server processes where a client is involved."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
import requests

pytest_plugins = ["fixtures_web"]

ROOT = Path(__file__).resolve().parent.parent
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
BOM = b"\xef\xbb\xbf"


# ---------------------------------------------------------------- /id/country/cn


@pytest.mark.parametrize("variant", ["country/cn", "Country/Cn", "country/chn", "COUNTRY/CHN"])
def test_country_code_variants_redirect_to_the_canonical_iri(seed_server, variant):
    """The user's exact step: /id/country/cn was a 404. 301 Moved Permanently to /id/country/CN."""
    r = requests.get(f"{seed_server}/id/{variant}?format=turtle", allow_redirects=False, timeout=10)
    assert r.status_code == 301
    assert r.headers["Location"].endswith("/id/country/CN?format=turtle")
    assert r.headers["Link"] == '<https://w3id.org/dsr-kg/id/country/CN>; rel="canonical"'
    followed = requests.get(f"{seed_server}/id/{variant}", headers={"Accept": "text/turtle"}, timeout=10)
    assert followed.status_code == 200 and followed.url.endswith("/id/country/CN")
    g = rdflib.Graph().parse(data=followed.text, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/dsr-kg/id/country/CN"), rdflib.RDF.type, None) in g


def test_other_variants_and_unknown_codes(seed_server):
    r = requests.get(f"{seed_server}/id/technology/5G", allow_redirects=False, timeout=10)
    assert r.status_code == 301 and r.headers["Location"].endswith("/id/technology/5g")
    assert requests.get(f"{seed_server}/id/country/zz", allow_redirects=False, timeout=10).status_code == 404
    assert requests.get(f"{seed_server}/id/country/CN", allow_redirects=False, timeout=10).status_code == 200


# ---------------------------------------------------------------- Excel-friendly CSV


def test_excel_csv_from_the_views_the_endpoint_and_the_cli(seed_server, seed_store_path, tmp_path):
    plain = requests.get(seed_server + "/views/cooccurrence?format=csv&lang=zh", timeout=30).content
    excel = requests.get(seed_server + "/views/cooccurrence?format=csv&lang=zh&bom=1", timeout=30).content
    assert not plain.startswith(BOM) and excel == BOM + plain
    rows = list(csv.reader(io.StringIO(excel.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Id", "Label"] and "人工智能" in {r[1] for r in rows[1:]}
    query = "SELECT ?l WHERE { <https://w3id.org/dsr-kg/id/technology/artificial-intelligence> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    body = requests.get(
        seed_server + "/sparql", params={"query": query, "format": "csv", "bom": "1"}, timeout=10
    ).content
    assert body.startswith(BOM) and "人工智能" in body.decode("utf-8-sig")
    out = tmp_path / "x.csv"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "export",
            "cooccurrence",
            "--store",
            str(seed_store_path),
            "--bom",
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "x.nodes.csv").read_bytes().startswith(BOM)
    assert (tmp_path / "x.edges.csv").read_bytes().startswith(BOM)


@pytest.mark.browser
def test_query_page_offers_excel_csv(seed_server, chromium):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(seed_server + "/")
        page.locator("button.example", has_text="Technologies by number of clauses").click()
        link = page.locator("#download-excel a")
        expect(link).to_be_visible(timeout=15_000)
        body = requests.get(seed_server + link.get_attribute("href"), timeout=10).content
        assert body.startswith(BOM)
        browser.close()


# ---------------------------------------------------------------- dcterms:source


NOTES = ("public file", "NOT CONFIRMED", "supraverden", "pycountry", "ontology/data/", "SpocWiki")


@pytest.mark.parametrize(
    "path", ["technology/artificial-intelligence", "country/CN", "organisation/un", "sector/energy"]
)
def test_entity_pages_publish_a_clean_source(seed_server, path):
    html = requests.get(f"{seed_server}/id/{path}", headers={"Accept": BROWSER}, timeout=10)
    if html.status_code == 404:
        pytest.skip(f"{path} is not in the seed graph")
    for note in NOTES:
        assert note not in html.text, (path, note)
    ttl = requests.get(f"{seed_server}/id/{path}", headers={"Accept": "text/turtle"}, timeout=10).text
    g = rdflib.Graph().parse(data=ttl, format="turtle")
    sources = {(str(o), o.language) for o in g.objects(None, rdflib.DCTERMS.source)}
    assert {lang for _, lang in sources} == {"zh", "en"}
    assert not list(g.objects(None, rdflib.SKOS.editorialNote))
    assert all(note not in text for text, _ in sources for note in NOTES)


def test_curation_notes_stay_in_the_lexicon_files():
    text = (ROOT / "ontology" / "lexicon" / "technologies.ttl").read_text(encoding="utf-8")
    g = rdflib.Graph().parse(data=text, format="turtle")
    ai = rdflib.URIRef("https://w3id.org/dsr-kg/id/technology/artificial-intelligence")
    notes = [str(o) for o in g.objects(ai, rdflib.SKOS.editorialNote)]
    assert notes and "public file" in notes[0]
    assert len({str(o) for o in g.objects(ai, rdflib.DCTERMS.source)}) == 2


# ---------------------------------------------------------------- VoID and service description


@pytest.mark.parametrize("path", ["/.well-known/void", "/service-description"])
def test_metadata_html_for_browsers_rdf_for_everything_else(seed_server, path):
    page = requests.get(seed_server + path, headers={"Accept": BROWSER}, timeout=10)
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<table" in page.text and "@prefix" not in page.text
    for accept, parser in (("*/*", "turtle"), ("", "turtle"), ("application/ld+json", "json-ld")):
        r = requests.get(seed_server + path, headers={"Accept": accept} if accept else {}, timeout=10)
        assert not r.headers["Content-Type"].startswith("text/html"), accept
        assert len(rdflib.Graph().parse(data=r.text, format=parser)) > 10
    forced = requests.get(seed_server + path + "?format=turtle", headers={"Accept": BROWSER}, timeout=10)
    assert forced.headers["Content-Type"].startswith("text/turtle")


def test_nav_links_to_the_html_service_description(seed_server):
    page = requests.get(seed_server + "/", headers={"Accept": BROWSER}, timeout=10).text
    assert 'href="/service-description"' in page and "format=turtle" not in page


# ---------------------------------------------------------------- favicon


def test_favicon(seed_server):
    r = requests.get(seed_server + "/favicon.ico", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/vnd.microsoft.icon"
    assert r.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = requests.get(seed_server + "/views", headers={"Accept": BROWSER}, timeout=10).text
    assert 'rel="icon" href="/favicon.ico"' in page


# ---------------------------------------------------------------- compare with one document


def test_compare_page_says_there_is_only_one_document(seed_server):
    page = requests.get(seed_server + "/compare", headers={"Accept": BROWSER}, timeout=10).text
    assert 'id="one-document"' in page
    assert "只有一份文件" in page and "only one document" in page and "kg build" in page


# ---------------------------------------------------------------- the README's font


def test_readme_names_the_font_for_chinese_labels():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "fonts-wqy-zenhei" in readme
    section = readme[readme.index("fonts-wqy-zenhei") - 600 : readme.index("fonts-wqy-zenhei") + 600]
    assert "without" in section.lower() and "English" in section


# ---------------------------------------------------------------- kg push counts


def test_push_counts_every_request(seed_store_path):
    from click.testing import CliRunner
    from fixtures_scale import FlakyServer

    from kg.cli import main

    server = FlakyServer(failures=1)  # one 503, then 204s
    try:
        result = CliRunner().invoke(
            main, ["push", server.url, "--store", str(seed_store_path), "-q", "--no-ontology", "--batch-size", "0"]
        )
        assert result.exit_code == 0, result.output
        assert len(server.requests) == 2
        assert "2 HTTP requests of which 1 retry)" in result.output
    finally:
        server.stop()
    server = FlakyServer(failures=10)  # never succeeds: the failed attempts are requests too
    try:
        result = CliRunner().invoke(
            main,
            ["push", server.url, "--store", str(seed_store_path), "-q", "--no-ontology", "--retries", "2", "--json"],
        )
        import json

        report = json.loads(result.output)
        assert len(server.requests) == 3
        assert report["graphs"][0]["requests"] == 3 and report["graphs"][0]["retries"] == 2
    finally:
        server.stop()


def test_a_corrected_entity_iri_redirects_to_its_replacement(seed_server):
    """organisation/wsis became event/wsis (an event, not an organisation): the old IRI still answers."""
    r = requests.get(f"{seed_server}/id/organisation/wsis?format=turtle", allow_redirects=False, timeout=10)
    assert r.status_code == 301 and r.headers["Location"].endswith("/id/event/wsis?format=turtle")
    followed = requests.get(f"{seed_server}/id/organisation/wsis", headers={"Accept": "text/turtle"}, timeout=10)
    g = rdflib.Graph().parse(data=followed.text, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/dsr-kg/id/event/wsis"), rdflib.RDF.type, None) in g
    withdrawn = requests.get(f"{seed_server}/id/organisation/china-asean-information-harbor", timeout=10)
    assert withdrawn.status_code == 200 and "deprecated" in withdrawn.text
