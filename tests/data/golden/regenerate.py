"""Rewrite the golden Turtle files from the current code: run only after an intended change,
then read the diff (git diff tests/data/golden) before committing."""

from pathlib import Path

from rdflib import Graph

from kg.build import process_file
from kg.core.vocab import DSR, OA
from kg.pipeline.lexicon import load_lexicon

HERE = Path(__file__).parent
for txt in sorted(HERE.glob("*.txt")):
    result = process_file(txt, load_lexicon(), built_at="2024-01-01T00:00:00Z", annotation_context=True)
    g = Graph().parse(data=result.ntriples, format="nt")
    for provenance in (DSR.lexiconFingerprint, DSR.pipelineVersion):  # change with every edit
        g.remove((None, provenance, None))
    g.bind("dsr", str(DSR))
    g.bind("oa", str(OA))
    g.bind("doc", "https://w3id.org/dsr-kg/id/document/")
    txt.with_suffix(".ttl").write_text(g.serialize(format="turtle"), encoding="utf-8")
    print("wrote", txt.with_suffix(".ttl").name, len(g), "triples")
