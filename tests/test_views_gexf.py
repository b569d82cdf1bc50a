"""GEXF exports validate against the official GEXF schemas and read back in NetworkX.

The schemas are in tests/data/gexf/ (see its README for the defect in the official XSDs
and for what raw ``networkx.write_gexf`` output gets wrong; both are asserted here).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import networkx as nx
import pytest

from kg.analysis.views import VIEWS
from kg.export import GEXF_VERSIONS, TYPE_COLOURS, to_gexf

SCHEMAS = Path(__file__).parent / "data" / "gexf"


pytest_plugins = ["fixtures_views"]


@pytest.fixture(scope="module")
def xsd():
    import xmlschema

    return {v: xmlschema.XMLSchema(str(SCHEMAS / v / "gexf.xsd")) for v in GEXF_VERSIONS}


@pytest.fixture(scope="module")
def rng13():
    etree = pytest.importorskip("lxml.etree")
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "1.3" / "gexf.rng")))


def schema_errors(data: bytes, xsd_by_version) -> list[str]:
    """Validate GEXF bytes against the official XSD of the version named by its namespace.

    Viz elements must be in the viz namespace (as the normative grammar says); only for the
    XSD check are they moved into the main namespace, where the official XSD (wrongly)
    declares them.
    """
    root = ET.fromstring(data)
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    version = next((v for v, (main, _, _) in GEXF_VERSIONS.items() if main == ns), None)
    if version is None:
        return [f"unknown GEXF namespace {ns!r}"]
    main, viz, _ = GEXF_VERSIONS[version]
    viz_names = {"color", "position", "size", "shape", "thickness"}
    errors = []
    for el in root.iter():
        local = el.tag.split("}")[-1]
        if el.tag.startswith("{" + main + "}") and local in viz_names:
            errors.append(f"viz element <{local}> is in the main namespace, not {viz}")
        if el.tag.startswith("{" + viz + "}"):
            el.tag = "{" + main + "}" + local
    errors.extend(f"{e.reason} at {e.path}" for e in xsd_by_version[version].iter_errors(root))
    return errors


@pytest.mark.parametrize("version", list(GEXF_VERSIONS))
@pytest.mark.parametrize("name", list(VIEWS))
def test_every_view_validates(views, xsd, name, version):
    data = to_gexf(views[name], lang="zh", version=version)
    assert schema_errors(data, xsd) == []


@pytest.mark.parametrize("name", list(VIEWS))
def test_gexf_13_passes_official_relax_ng_unchanged(views, rng13, name):
    from lxml import etree

    doc = etree.fromstring(to_gexf(views[name], lang="en"))
    assert rng13.validate(doc), rng13.error_log


def test_validator_can_fail(views, xsd):
    good = to_gexf(views["technology-sector"])
    assert schema_errors(good, xsd) == []
    broken_id = good.replace(b'<node id="', b'<node xid="', 1)
    assert any("id" in e for e in schema_errors(broken_id, xsd))
    viz_in_main = good.replace(b"<viz:color ", b"<color ", 1)
    assert any("main namespace" in e for e in schema_errors(viz_in_main, xsd))
    bad_colour = good.replace(b'<viz:color r="', b'<viz:color r="300" x="', 1)
    assert schema_errors(bad_colour, xsd)
    unknown = good.replace(b"<nodes ", b"<bogus/><nodes ", 1)
    assert schema_errors(unknown, xsd)


def test_official_xsd_rejects_viz_in_viz_namespace(views, xsd):
    """The documented defect: the XSD as published refuses correct viz elements."""
    data = to_gexf(views["technology-sector"])
    errors = [str(e.reason) for e in xsd["1.3"].iter_errors(data.decode("utf-8"))]
    assert any("viz:color" in e or "viz}color" in e for e in errors), errors


def _raw_networkx(version: str) -> bytes:
    G = nx.Graph()
    G.add_node(
        "a",
        label="A",
        kind="x",
        viz={"color": {"r": 1, "g": 2, "b": 3, "a": 1.0}, "position": {"x": 0.0, "y": 1.0, "z": 0.0}, "size": 2.0},
    )
    G.add_edge("a", "b", weight=2)
    buffer = io.BytesIO()
    nx.write_gexf(G, buffer, version=version)
    return buffer.getvalue()


def test_raw_networkx_write_gexf_is_invalid_as_documented(xsd):
    draft = _raw_networkx("1.2draft")
    errors = schema_errors(draft, xsd)
    assert any("'name' attribute not allowed" in e for e in errors), errors
    # without graph/@name, the same 1.2draft file validates (so the validator is not just strict)
    assert schema_errors(draft.replace(b' name=""', b""), xsd) == []

    v13 = _raw_networkx("1.3")
    assert b'xmlns:xsi="http://w3.org/2001/XMLSchema-instance"' in v13
    errors = schema_errors(v13, xsd)
    assert any("schemaLocation" in e for e in errors), errors
    fixed = v13.replace(b' name=""', b"").replace(b"http://w3.org/2001/", b"http://www.w3.org/2001/")
    assert schema_errors(fixed, xsd) == []
    # and its date is the day of export: not reproducible
    assert f'lastmodifieddate="{date.today().isoformat()}"'.encode() in v13


def test_read_back_attributes_types_and_viz(views):
    G = views["cooccurrence"]
    H = nx.read_gexf(io.BytesIO(to_gexf(G, lang="zh")))
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()
    for node, data in G.nodes(data=True):
        back = H.nodes[node]
        assert back["label"] == data["label_zh"]
        assert back["node_type"] == data["type"] and "type" not in back  # "type" is reserved by sigma.js
        for key in ("label_zh", "label_en", "iri", "degree", "weighted_degree", "community"):
            assert back[key] == data[key], key
        assert isinstance(back["degree"], int) and isinstance(back["community"], int)
        assert back["pagerank"] == pytest.approx(data["pagerank"])
        assert back["betweenness"] == pytest.approx(data["betweenness"])
        colour = TYPE_COLOURS[data["type"]].lstrip("#")
        assert (back["viz"]["color"]["r"], back["viz"]["color"]["g"], back["viz"]["color"]["b"]) == tuple(
            int(colour[i : i + 2], 16) for i in (0, 2, 4)
        )
        assert "x" in back["viz"]["position"] and back["viz"]["size"] > 0
    for u, v, data in G.edges(data=True):
        assert H[u][v]["weight"] == data["weight"]
        assert H[u][v]["clauses"] == data["clauses"]
    english = nx.read_gexf(io.BytesIO(to_gexf(G, lang="en")))
    assert all(english.nodes[v]["label"] == d["label_en"] for v, d in G.nodes(data=True))


def test_positions_spread_and_sizes_follow_weighted_degree(views):
    G = views["clause-entity"]
    H = nx.read_gexf(io.BytesIO(to_gexf(G)))
    xs = [d["viz"]["position"]["x"] for _, d in H.nodes(data=True)]
    assert max(xs) - min(xs) > 500  # laid out, not all at the origin
    heaviest = max(G, key=lambda v: (G.nodes[v]["weighted_degree"], v))
    lightest = min(G, key=lambda v: (G.nodes[v]["weighted_degree"], v))
    assert H.nodes[heaviest]["viz"]["size"] > H.nodes[lightest]["viz"]["size"]


def test_declared_attribute_types(views):
    root = ET.fromstring(to_gexf(views["clause-entity"]))
    ns = {"g": GEXF_VERSIONS["1.3"][0]}
    declared = {
        a.get("title"): a.get("type") for a in root.findall("g:graph/g:attributes[@class='node']/g:attribute", ns)
    }
    assert declared["node_type"] == declared["label_zh"] == declared["label_en"] == declared["iri"] == "string"
    assert "type" not in declared
    assert declared["degree"] == declared["weighted_degree"] == declared["community"] == "integer"
    assert declared["pagerank"] == declared["betweenness"] == "double"
    meta = root.find("g:meta", ns)
    assert meta is not None and len(meta.get("lastmodifieddate", "")) == 10  # the store's build date
