"""Facts about the dataset, computed through the engine once per app start and cached
(cleared when an update changes the graph): build time, statistics, the VoID summary."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app

from ..core.vocab import DSR, ENTITY_TYPES
from .context import base_iri, cached, get_engine


def int_value(row: dict, key: str) -> int:
    """Return the integer value of ``row[key]``, 0 when unbound."""
    term = row.get(key)
    return int(term.value) if term is not None else 0


def build_time() -> datetime:
    """Return when the store was built (latest build activity), else when the app started."""

    def compute() -> datetime:
        rows = get_engine().select(
            f"SELECT (MAX(?t) AS ?time) WHERE {{ ?a a <{DSR.BuildActivity}> ; prov:endedAtTime ?t }}"
        )
        value = rows[0]["time"].value if rows and rows[0].get("time") is not None else None
        if value:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).replace(microsecond=0)
            except ValueError:
                pass
        return datetime.fromtimestamp(int(current_app.config["STARTED_AT"]), UTC)

    return cached("build_time", compute)


def dataset_statistics() -> dict[str, Any]:
    """Return documents, clauses, sentences, mentions, entities by type and triples."""

    def compute() -> dict[str, Any]:
        engine = get_engine()
        out: dict[str, Any] = {"triples": engine.triple_count()}
        for name, cls in (
            ("documents", "dsr:Document"),
            ("clauses", "dsr:Clause"),
            ("sentences", "dsr:Sentence"),
            ("mentions", "oa:Annotation"),
        ):
            out[name] = int_value(engine.select(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}")[0], "n")
        types = {}
        values = " ".join(f"dsr:{name}" for name in ENTITY_TYPES)  # every entity type, also ones added later
        for row in engine.select(
            f"""SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {{
                 ?c dsr:mentions ?e . ?e a ?t . VALUES ?t {{ {values} }} }}
               GROUP BY ?t"""
        ):
            types[row["t"].value.rsplit("#", 1)[-1]] = int_value(row, "n")
        out["entities"] = {name: types.get(name, 0) for name in ENTITY_TYPES}
        out["entities_total"] = sum(out["entities"].values())
        return out

    return cached("statistics", compute)


def dataset_summary() -> dict[str, Any]:
    """Return the facts VoID and the service description publish."""

    def compute() -> dict[str, Any]:
        engine = get_engine()
        base = base_iri()
        graphs = {
            row["g"].value: int_value(row, "n")
            for row in engine.select(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
            )
        }
        entities = int_value(
            engine.select(
                f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{sparql_string(base)}")) }}'
            )[0],
            "n",
        )
        classes = {
            row["c"].value: int_value(row, "n")
            for row in engine.select(
                "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c"
            )
        }
        properties = int_value(engine.select("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }")[0], "n")
        sources = sorted(
            {row["src"].value for row in engine.select("SELECT ?src WHERE { ?d a dsr:Document ; dcterms:source ?src }")}
        )
        examples = [
            row["s"].value
            for row in engine.select(
                """SELECT ?s (COUNT(?c) AS ?n) WHERE { ?c dsr:mentions ?s } GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 3"""
            )
        ]
        examples += [
            row["d"].value for row in engine.select("SELECT ?d WHERE { ?d a dsr:Document } ORDER BY ?d LIMIT 2")
        ]
        return {
            "triples": engine.triple_count(),
            "graphs": graphs,
            "entities": entities,
            "classes": classes,
            "properties": properties,
            "sources": sources,
            "examples": examples,
        }

    return cached("summary", compute)


#: Properties whose use VoID reports (void:propertyPartition): document metadata, names outside the lexicon.
METADATA_PROPERTIES = (
    "http://purl.org/dc/terms/issued",
    "http://purl.org/dc/terms/type",
    str(DSR.place),
    str(DSR.adoptedAt),
    str(DSR.signatory),
    str(DSR.proposedBy),
    str(DSR.inLexicon),
    str(DSR.findingRule),
)


def metadata_partitions() -> dict[str, int]:
    """Return the number of triples of each of :data:`METADATA_PROPERTIES` (for VoID)."""

    def compute() -> dict[str, int]:
        values = " ".join(f"<{p}>" for p in METADATA_PROPERTIES)
        rows = get_engine().select(
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }} GROUP BY ?p"
        )
        return {row["p"].value: int_value(row, "n") for row in rows}

    return cached("metadata_partitions", compute)


def sparql_string(value: str) -> str:
    """Escape ``value`` for a SPARQL string literal in double quotes."""
    return value.replace("\\", "\\\\").replace('"', '\\"')
