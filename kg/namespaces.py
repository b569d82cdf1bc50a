"""RDF namespaces. ``ontology/dsr.ttl`` is the truth; ``DSR`` mirrors it and fails on typos."""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

#: Canonical base of instance IRIs; the lexicon files are written against it.
#: A deployment may use another base (``KG_BASE_IRI``); the builder rewrites it.
DEFAULT_BASE = "https://w3id.org/dsr-kg/id/"
ONTOLOGY_IRI = "https://w3id.org/dsr-kg/ontology"
#: Named graph holding the ontology and the lexicons.
ONTOLOGY_GRAPH = "https://w3id.org/dsr-kg/graph/ontology"


class DSR(DefinedNamespace):
    """The dsr-kg ontology (``ontology/dsr.ttl``)."""

    _fail = True
    _NS = Namespace("https://w3id.org/dsr-kg/ontology#")

    # classes
    Document: URIRef
    Clause: URIRef
    Sentence: URIRef
    Country: URIRef
    Organisation: URIRef
    Technology: URIRef
    Sector: URIRef
    PhraseList: URIRef
    BuildActivity: URIRef
    TechnologyScheme: URIRef
    SectorScheme: URIRef
    # properties
    hasClause: URIRef
    isClauseOf: URIRef
    clauseNumber: URIRef
    heading: URIRef
    text: URIRef
    hasSentence: URIRef
    sentenceNumber: URIRef
    startOffset: URIRef
    endOffset: URIRef
    signatory: URIRef
    mentions: URIRef
    inSentence: URIRef
    documentType: URIRef
    iso3166Alpha2: URIRef
    iso3166Alpha3: URIRef
    iso3166Numeric: URIRef
    isicCode: URIRef
    ambiguousLabel: URIRef
    blockedPhrase: URIRef
    cuePhrase: URIRef
    SignatoryCues: URIRef
    sha256: URIRef
    encoding: URIRef
    toolVersion: URIRef
    characterCount: URIRef
    lexiconFingerprint: URIRef


OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
WD = Namespace("http://www.wikidata.org/entity/")
SCHEMA = Namespace("http://schema.org/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")

#: Prefixes used in queries, Turtle output and the query page.
PREFIXES: dict[str, str] = {
    "dsr": str(DSR._NS),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "oa": str(OA),
    "prov": str(PROV),
    "wd": str(WD),
    "schema": str(SCHEMA),
}

#: Entity type name → class IRI, and the IRI path segment of its instances.
ENTITY_TYPES: dict[str, str] = {
    "Country": "country",
    "Organisation": "organisation",
    "Technology": "technology",
    "Sector": "sector",
}


def sparql_prefixes() -> str:
    """Return PREFIX declarations for every namespace in :data:`PREFIXES`."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
