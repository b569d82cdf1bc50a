"""Read the lexicons (``ontology/lexicon/*.ttl``) and cue lists into match tables.

The lexicon files are the single source of truth for entity labels: every
``rdfs:label``, ``skos:prefLabel`` and ``skos:altLabel`` of a ``dsr:Country``,
``dsr:Organisation``, ``dsr:Technology``, ``dsr:Sector``, ``dsr:GovernmentBody``,
``dsr:Event`` or ``dsr:Place`` becomes a pattern — except the English display names of
government bodies (only their English altLabels are matched: "Ministry of Commerce" alone
is any country's); ``dsr:ambiguousLabel`` never does; ``dsr:blockedPhrase`` values are
matched and thrown away so that labels inside them (中国 in 发展中国家) are not extracted.
English place names match with their case (Nice, Reading are words too). ``names.ttl``
holds the word lists of the name rules (:mod:`kg.pipeline.names`), read into
:attr:`Lexicon.phrases`; ``document_kinds.ttl`` the document kinds and their title cues.

Files are parsed with pyoxigraph (Rust), so thousands of entries load in milliseconds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from ..core.errors import LexiconError
from ..core.resources import LEXICON_DIR, lexicon_files
from ..core.vocab import DSR, ENTITY_TYPES, RDF, RDFS, SKOS

_RDF_TYPE = str(RDF.type)
_LABEL_PROPERTIES = {str(RDFS.label), str(SKOS.prefLabel), str(SKOS.altLabel)}
_TYPES = {str(DSR[t]): t for t in ENTITY_TYPES}
_BLOCKED_PHRASE = str(DSR.blockedPhrase)
_CUE_PHRASE = str(DSR.cuePhrase)
_HEAD_WORD = str(DSR.headWord)
_KIND_CUE = str(DSR.kindCue)
_OF_COUNTRY = str(DSR.ofCountry)
_IN_COUNTRY = str(DSR.inCountry)
_ALT_LABEL = str(SKOS.altLabel)
_DOCUMENT_KIND = str(DSR.DocumentKind)
_GOVERNMENT_BODY = str(DSR.GovernmentBody)
_PLACE = str(DSR.Place)
_SIGNATORY_CUES = str(DSR.SignatoryCues)
_ACTION_CUE, _AREA_CUE, _ACTOR_LABEL = str(DSR.actionCue), str(DSR.areaCue), str(DSR.actorLabel)
_INDICATED_BY = str(DSR.indicatedBy)
_TAKES_VERB = str(DSR.takesVerbObject)


@dataclass(frozen=True)
class Lexicon:
    """Entity labels, blocked phrases and cue phrases, ready for the matcher."""

    #: (label, language, entity IRI) for every matchable label
    labels: tuple[tuple[str, str, str], ...]
    #: entity IRI → type name (Country, Organisation, Technology, Sector)
    types: dict[str, str]
    #: (phrase, language) pairs that block shorter labels inside them
    blocked: tuple[tuple[str, str], ...]
    #: language → signatory cue phrases
    signatory_cues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: SHA-256 over the files read: changes when any lexicon changes
    fingerprint: str = ""
    files: tuple[str, ...] = ()
    #: phrase list name (the local name of its dsr: IRI, e.g. "EventHeads") → language → phrases
    phrases: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    #: government body or place IRI → the country IRI it belongs to (dsr:ofCountry, dsr:inCountry)
    country_of: dict[str, str] = field(default_factory=dict)
    #: (cue, language, document kind IRI) for every dsr:kindCue
    kind_cues: tuple[tuple[str, str, str], ...] = ()
    #: entities whose English labels match only with their case (places)
    case_sensitive: frozenset[str] = frozenset()
    #: (cue, language, dsr:Action IRI) for every dsr:actionCue (ontology/lexicon/actions.ttl)
    action_cues: tuple[tuple[str, str, str], ...] = ()
    #: (cue, language, dsr:PolicyArea IRI) for every dsr:areaCue (ontology/lexicon/policy_areas.ttl)
    area_cues: tuple[tuple[str, str, str], ...] = ()
    #: entity IRI → the policy areas it indicates (dsr:indicatedBy)
    area_indicators: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: (label, language, IRI) for every dsr:actorLabel (ontology/lexicon/actors.ttl)
    actor_labels: tuple[tuple[str, str, str], ...] = ()
    #: actions whose verb may take a verb as object (dsr:takesVerbObject true)
    verb_governors: frozenset[str] = frozenset()

    def phrase_list(self, name: str, language: str) -> tuple[str, ...]:
        """Return the phrases of one list of ``names.ttl`` (or ``cues.ttl``) in one language."""
        return self.phrases.get(name, {}).get(language, ())

    @cached_property
    def label_set(self) -> frozenset[str]:
        """Every matchable label, for membership tests (computed once per lexicon)."""
        return frozenset(label for label, _, _ in self.labels)

    def cues(self) -> tuple[str, ...]:
        """Return every signatory cue in every language."""
        return tuple(c for values in self.signatory_cues.values() for c in values)


def load_lexicon(directory: str | Path | None = None) -> Lexicon:
    """Load (and cache) the lexicon from a directory of Turtle files.

    Raises:
        LexiconError: the directory has no lexicon files or a file does not parse.
    """
    path = Path(directory) if directory else LEXICON_DIR
    files = lexicon_files(path)
    if not [f for f in files if f.parent == path]:
        raise LexiconError(
            f"no lexicon files (*.ttl) in {path}; the builder needs the ontology/lexicon/ folder (reinstall dsr-kg or pass a lexicon folder)"
        )
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return _load(tuple(str(f) for f in files), digest.hexdigest())


@lru_cache(maxsize=8)
def _load(files: tuple[str, ...], fingerprint: str) -> Lexicon:
    import pyoxigraph as ox

    types: dict[str, str] = {}
    raw_labels: list[tuple[str, str, str, bool]] = []
    blocked: list[tuple[str, str]] = []
    phrases: dict[str, dict[str, list[str]]] = {}
    country_of: dict[str, str] = {}
    kind_cues: list[tuple[str, str, str]] = []
    kinds: set[str] = set()
    # commitments: action and area cues, area indicators, actor labels
    keyed: dict[str, list[tuple[str, str, str]]] = {_ACTION_CUE: [], _AREA_CUE: [], _ACTOR_LABEL: []}
    indicators: dict[str, set[str]] = {}
    governors: set[str] = set()
    for name in files:
        try:
            quads = list(ox.parse(path=name, format=ox.RdfFormat.TURTLE))
        except (SyntaxError, OSError, ValueError) as exc:
            raise LexiconError(f"{name}: cannot parse the lexicon ({exc}); fix the Turtle syntax") from exc
        for q in quads:
            s, p, o = q.subject, q.predicate.value, q.object
            if p == _RDF_TYPE and o.value in _TYPES:
                types[s.value] = _TYPES[o.value]
            elif p == _RDF_TYPE and o.value == _DOCUMENT_KIND:
                kinds.add(s.value)
            elif p in _LABEL_PROPERTIES and isinstance(o, ox.Literal):
                raw_labels.append((o.value, (o.language or "").lower(), s.value, p == _ALT_LABEL))
            elif p == _BLOCKED_PHRASE and isinstance(o, ox.Literal):
                blocked.append((o.value, (o.language or "").lower()))
            elif p in (_CUE_PHRASE, _HEAD_WORD) and isinstance(o, ox.Literal):
                name = s.value.rsplit("#", 1)[-1]
                phrases.setdefault(name, {}).setdefault((o.language or "").lower(), []).append(o.value)
            elif p in (_OF_COUNTRY, _IN_COUNTRY):
                country_of[s.value] = o.value
            elif p == _KIND_CUE and isinstance(o, ox.Literal):
                kind_cues.append((o.value, (o.language or "").lower(), s.value))
            elif p in keyed and isinstance(o, ox.Literal):
                keyed[p].append((o.value, (o.language or "").lower(), s.value))
            elif p == _TAKES_VERB and isinstance(o, ox.Literal) and o.value == "true":
                governors.add(s.value)
            elif p == _INDICATED_BY:
                indicators.setdefault(o.value, set()).add(s.value)
    labels = sorted(
        {
            (text.strip(), lang.split("-")[0], iri)
            for text, lang, iri, alt in raw_labels
            if iri in types and text.strip() and (alt or lang != "en" or types[iri] != "GovernmentBody")
        }
    )
    frozen = {name: {lang: tuple(sorted(set(v))) for lang, v in by_lang.items()} for name, by_lang in phrases.items()}
    return Lexicon(
        labels=tuple(labels),
        types=types,
        blocked=tuple(sorted(set(blocked))),
        signatory_cues=frozen.get(_SIGNATORY_CUES.rsplit("#", 1)[-1], {}),
        fingerprint=fingerprint,
        files=files,
        phrases=frozen,
        country_of=country_of,
        kind_cues=tuple(sorted(set(kind_cues))),
        case_sensitive=frozenset(iri for iri, t in types.items() if t == "Place"),
        action_cues=tuple(sorted(set(keyed[_ACTION_CUE]))),
        area_cues=tuple(sorted(set(keyed[_AREA_CUE]))),
        area_indicators={e: tuple(sorted(a)) for e, a in sorted(indicators.items())},
        actor_labels=tuple(sorted(set(keyed[_ACTOR_LABEL]))),
        verb_governors=frozenset(governors),
    )
