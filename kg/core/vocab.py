"""The one vocabulary: every RDF term the code writes or asks for.

``ontology/dsr.ttl`` is the truth for the ``dsr:`` terms; :class:`DSR` mirrors it as a
closed rdflib ``DefinedNamespace`` (``_fail = True``), so ``DSR.hasClaus`` raises at
import or first use instead of writing a silent new predicate, and
``tests/test_ontology.py`` checks that every term here, and every ``dsr:`` name in the
code's SPARQL and example queries, is declared in the Turtle file. The W3C vocabularies
come from rdflib's closed namespaces, plus :class:`OA` (Web Annotation) defined here.
"""

from __future__ import annotations

from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD, DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = [
    "DCTERMS",
    "DSR",
    "ELI",
    "ENTITY_TYPES",
    "OA",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SD",
    "SH",
    "SKOS",
    "VOID",
    "WD",
    "XSD",
    "sparql_prefixes",
]


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
    SignatoryCues: URIRef
    GovernmentBody: URIRef
    Event: URIRef
    Place: URIRef
    DocumentKind: URIRef
    DocumentKindScheme: URIRef
    # phrase lists of the name rules (ontology/names.ttl)
    OrganisationHeads: URIRef
    GovernmentBodyHeads: URIRef
    EventHeads: URIRef
    GenericModifiers: URIRef
    NameBreaks: URIRef
    TitleWords: URIRef
    CollectiveNames: URIRef
    AdoptionVerbs: URIRef
    Connectors: URIRef
    PairCompounds: URIRef
    LanguageSuffixes: URIRef
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
    sha256: URIRef
    encoding: URIRef
    toolVersion: URIRef
    pipelineVersion: URIRef
    characterCount: URIRef
    lexiconFingerprint: URIRef
    ofCountry: URIRef
    inCountry: URIRef
    placeKind: URIRef
    inLexicon: URIRef
    findingRule: URIRef
    adoptedAt: URIRef
    place: URIRef
    proposedBy: URIRef
    evidenceFor: URIRef
    kindCue: URIRef
    headWord: URIRef
    # commitments, policy areas and typed relations
    Commitment: URIRef
    Action: URIRef
    ActionScheme: URIRef
    PolicyArea: URIRef
    PolicyAreaScheme: URIRef
    AreaEvidence: URIRef
    RelationMention: URIRef
    Parties: URIRef
    Group: URIRef
    PredicatePrefixes: URIRef
    ActorMarkers: URIRef
    NonCommitmentOpeners: URIRef
    PurposeMarkers: URIRef
    ApplicationCues: URIRef
    CooperationCues: URIRef
    CompanionMarkers: URIRef
    RoleCues: URIRef
    RoleInviters: URIRef
    action: URIRef
    actor: URIRef
    concerns: URIRef
    cue: URIRef
    inDocument: URIRef
    policyArea: URIRef
    areaEvidence: URIRef
    evidenceWord: URIRef
    evidenceEntity: URIRef
    evidenceCommitment: URIRef
    appliedIn: URIRef
    cooperatesWith: URIRef
    invitesRole: URIRef
    subjectAnnotation: URIRef
    objectAnnotation: URIRef
    parties: URIRef
    hasMember: URIRef
    commitmentStrength: URIRef
    actionCue: URIRef
    areaCue: URIRef
    indicatedBy: URIRef
    wsisActionLine: URIRef
    actorLabel: URIRef
    takesVerbObject: URIRef
    FrameOpeners: URIRef
    FrameEnds: URIRef
    InfinitiveLeads: URIRef
    ApplicationPrepositions: URIRef
    ApplicationToCues: URIRef
    MemberWords: URIRef
    Determiners: URIRef
    MeansMarkers: URIRef
    ComplementMarkers: URIRef
    AttributiveMarkers: URIRef
    Coordinators: URIRef
    VerbCoordinators: URIRef
    ReportingVerbs: URIRef
    VerbNouns: URIRef
    CompanionEnds: URIRef


class OA(DefinedNamespace):
    """W3C Web Annotation vocabulary (the terms dsr-kg uses)."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/oa#")

    Annotation: URIRef
    SpecificResource: URIRef
    TextQuoteSelector: URIRef
    TextPositionSelector: URIRef
    hasBody: URIRef
    hasTarget: URIRef
    hasSource: URIRef
    hasSelector: URIRef
    motivatedBy: URIRef
    identifying: URIRef
    describing: URIRef
    classifying: URIRef
    TextualBody: URIRef
    exact: URIRef
    prefix: URIRef
    suffix: URIRef
    start: URIRef
    end: URIRef


class SD(DefinedNamespace):
    """SPARQL 1.1 Service Description (the terms the endpoint publishes)."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/sparql-service-description#")

    Service: URIRef
    Dataset: URIRef
    Graph: URIRef
    NamedGraph: URIRef
    SPARQL11Query: URIRef
    SPARQL11Update: URIRef
    UnionDefaultGraph: URIRef
    EmptyGraphs: URIRef
    endpoint: URIRef
    supportedLanguage: URIRef
    feature: URIRef
    defaultEntailmentRegime: URIRef
    resultFormat: URIRef
    defaultDataset: URIRef
    defaultGraph: URIRef
    namedGraph: URIRef
    name: URIRef
    graph: URIRef


#: Open namespaces: identifiers of other datasets, not vocabularies we write terms of.
WD = Namespace("http://www.wikidata.org/entity/")
SCHEMA = Namespace("http://schema.org/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

#: Prefixes predeclared in queries and used in Turtle output and on the query page.
PREFIXES: dict[str, str] = {
    "dsr": str(DSR),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "oa": str(OA),
    "prov": str(PROV),
    "wd": str(WD),
    "schema": str(SCHEMA),
}

#: Entity type name (a ``dsr:`` class) → the IRI path segment of its instances.
ENTITY_TYPES: dict[str, str] = {
    "Country": "country",
    "Organisation": "organisation",
    "Technology": "technology",
    "Sector": "sector",
    "GovernmentBody": "governmentbody",
    "Event": "event",
    "Place": "place",
}

_PREFIX_BLOCK = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def sparql_prefixes() -> str:
    """Return PREFIX declarations for every namespace in :data:`PREFIXES`, one per line."""
    return _PREFIX_BLOCK


def shorten(iri: str) -> str:
    """Return ``prefix:local`` for an IRI in one of :data:`PREFIXES`, else the IRI itself."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri
