"""Names found outside the lexicon (``dsr:inLexicon false``), ready to review and merge.

:func:`lexicon_candidates` reads them through a query engine, with how often and where
they are mentioned, the rule that found them and the sentence of one mention;
:func:`candidates_turtle` writes them as lexicon Turtle (the IRIs they already have, an
``rdfs:label`` and ``skos:prefLabel`` in the language they were written in, their country
or date) for a curator to complete with the other language and merge into
``ontology/lexicon/``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.vocab import DCTERMS, DSR

if TYPE_CHECKING:
    from ..query.engines import QueryEngine


@dataclass(frozen=True)
class CandidateName:
    iri: str
    type: str
    label: str
    language: str
    mentions: int
    documents: tuple[str, ...]
    rules: tuple[str, ...]
    country: str = ""
    date: str = ""
    date_type: str = ""
    context: str = ""


_QUERY = """
SELECT ?e ?type (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?a) AS ?n)
       (GROUP_CONCAT(DISTINCT STR(?doc); separator=" ") AS ?docs)
       (GROUP_CONCAT(DISTINCT ?rule; separator=" ") AS ?rules)
       (SAMPLE(?c) AS ?country) (SAMPLE(?d) AS ?date) (SAMPLE(?ctx) AS ?context)
WHERE {
  ?e dsr:inLexicon false ; a ?t ; rdfs:label ?l .
  VALUES ?t { dsr:Organisation dsr:GovernmentBody dsr:Event }
  BIND(STRAFTER(STR(?t), "#") AS ?type)
  ?a oa:hasBody ?e ; oa:hasTarget/oa:hasSource ?clause .
  FILTER NOT EXISTS { ?a dsr:evidenceFor ?field }
  ?clause dcterms:isPartOf ?doc .
  OPTIONAL { ?a dsr:findingRule ?rule }
  OPTIONAL { ?a dsr:inSentence/dsr:text ?ctx }
  OPTIONAL { ?e dsr:ofCountry ?c }
  OPTIONAL { ?e dcterms:date ?d }
}
GROUP BY ?e ?type
"""


def lexicon_candidates(engine: QueryEngine, min_count: int = 1) -> list[CandidateName]:
    """The names outside the lexicon mentioned at least ``min_count`` times, most mentioned first."""
    out = []
    for row in engine.select(_QUERY):
        n = int(row["n"].value)
        if n < min_count:
            continue
        label = row["label"]
        date = row.get("date")
        out.append(
            CandidateName(
                iri=row["e"].value,
                type=row["type"].value,
                label=label.value,
                language=label.language or "",
                mentions=n,
                documents=tuple(sorted(row["docs"].value.split())),
                rules=tuple(sorted(set(row["rules"].value.split()))) if row.get("rules") is not None else (),
                country=row["country"].value if row.get("country") is not None else "",
                date=date.value if date is not None else "",
                date_type=date.datatype.value if date is not None else "",
                context=" ".join(row["context"].value.split()) if row.get("context") is not None else "",
            )
        )
    return sorted(out, key=lambda c: (-c.mentions, c.type, c.label))


def candidates_table(items: list[CandidateName]) -> str:
    """A plain-text table: count, type, label, documents, rules, and a context line under each."""
    lines = [f"{'n':>4}  {'type':<15} {'name':<40} documents · rules"]
    for c in items:
        docs = ", ".join(d.rsplit("/", 1)[-1] for d in c.documents)
        lines.append(f"{c.mentions:>4}  {c.type:<15} {c.label:<40} {docs} · {', '.join(c.rules)}")
        if c.context:
            lines.append(f"      “{c.context[:110]}”")
    return "\n".join(lines) + "\n"


def candidates_csv(items: list[CandidateName]) -> str:
    """CSV with one row per name."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["iri", "type", "label", "language", "mentions", "documents", "rules", "country", "date", "context"]
    )
    for c in items:
        writer.writerow(
            [
                c.iri,
                c.type,
                c.label,
                c.language,
                c.mentions,
                " ".join(c.documents),
                " ".join(c.rules),
                c.country,
                c.date,
                c.context,
            ]
        )
    return buffer.getvalue()


def _literal(text: str, lang: str = "") -> str:
    body = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
    return body + (f"@{lang}" if lang else "")


def candidates_turtle(items: list[CandidateName]) -> str:
    """Lexicon Turtle for the names, to review (add the other language's label) and merge."""
    out = [
        "# Names found outside the lexicon by `kg lexicon candidates`: review each entry, add the label",
        "# in the other language, and move it into ontology/lexicon/ (the IRIs stay as they are).",
        f"@prefix dsr: <{DSR}> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        f"@prefix dcterms: <{DCTERMS}> .",
        "",
    ]
    for c in items:
        lines = [f"<{c.iri}> a dsr:{c.type} ;"]
        lines.append(f"    rdfs:label {_literal(c.label, c.language)} ;")
        lines.append(f"    skos:prefLabel {_literal(c.label, c.language)} ;")
        if c.country:
            lines.append(f"    dsr:ofCountry <{c.country}> ;")
        if c.date and c.date_type:
            lines.append(f'    dcterms:date "{c.date}"^^<{c.date_type}> ;')
        docs = ", ".join(d.rsplit("/", 1)[-1] for d in c.documents)
        source = (
            f"kg lexicon candidates: {c.mentions} mention(s) in {docs}; found by {', '.join(c.rules) or 'a name rule'}"
        )
        lines.append(f"    dcterms:source {_literal(source)} .")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)
