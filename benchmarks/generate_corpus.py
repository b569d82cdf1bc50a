"""Generate a synthetic corpus of digital-economy cooperation documents.

Usage::

    python benchmarks/generate_corpus.py N OUTDIR [--seed S] [--lang zh|en|mixed]

Chinese documents recombine the seed's numbered clauses (``source/000_bf54f53887da828b.txt``,
parsed with :mod:`kg.ingest` and :mod:`kg.structure`) sentence by sentence and substitute
every country, organisation and technology the extractor finds in them by another entity
of the same type drawn from the lexicons (``ontology/lexicon/*.ttl``, their ``rdfs:label``).
English documents use a small set of clause templates filled the same way.

Entities are drawn with Zipf-like weights (rank ``r`` has weight ``1 / r**1.1`` over an
order shuffled once per seed), so a few entities appear in most documents and the number
of distinct entities keeps growing slowly with N, as in a real corpus.

Document ``i`` depends only on ``(seed, i)``: generating 100 documents writes the same
first 10 files as generating 10, and the same seed always gives the same bytes.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as a script from anywhere
    sys.path.insert(0, str(ROOT))

SEED_DOCUMENT = ROOT / "source" / "000_bf54f53887da828b.txt"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SUBSTITUTED_TYPES = ("Country", "Organisation", "Technology")
ZIPF_EXPONENT = 1.1

_ZH_TITLES = (
    "“一带一路”{tech}国际合作{city}倡议",
    "关于深化{tech}领域合作的联合声明",
    "{org}框架下{tech}合作{city}宣言",
    "数字经济伙伴关系{city}倡议：{tech}与{tech2}",
    "“数字丝绸之路”{tech}发展合作{city}共识",
)
_ZH_CITIES = ("北京", "上海", "杭州", "乌镇", "深圳", "福州", "西安", "厦门", "重庆", "成都", "南宁", "昆明")
_ZH_PREAMBLE = (
    "数字经济是全球经济增长日益重要的驱动力。为拓展{tech}领域的合作，释放数字经济在落实联合国2030年可持续发展议程方面的巨大潜力，"
    "我们本着互联互通、创新发展、开放合作、互利共赢的原则，探讨共同利用数字机遇、应对挑战。"
)
_ZH_SIGNATORY = "为此，在基于自愿、不具约束力基础上，{countries}提出以下倡议："

_EN_TITLES = (
    "{city} Initiative on International Cooperation in {tech}",
    "Joint Statement on Deepening Cooperation in {tech}",
    "{city} Declaration on {tech} and {tech2} Partnership",
    "Digital Silk Road Consensus on {tech} ({city})",
)
_EN_CITIES = (
    "Beijing",
    "Shanghai",
    "Hangzhou",
    "Wuzhen",
    "Jakarta",
    "Nairobi",
    "Astana",
    "Bangkok",
    "Hanoi",
    "Tashkent",
)
_EN_PREAMBLE = (
    "The digital economy is an increasingly important driver of global growth. To expand cooperation in {tech} "
    "and to unlock its potential for the 2030 Agenda for Sustainable Development, we explore how to seize digital "
    "opportunities together, guided by connectivity, innovation, openness and mutual benefit."
)
_EN_SIGNATORY = "On a voluntary and non-binding basis, {countries} hereby propose the following:"
_EN_HEADINGS = (
    "Strengthen cooperation in {tech}.",
    "Promote the application of {tech} in {sector_free}.",
    "Build digital connectivity and the Digital Silk Road.",
    "Encourage investment in {tech} and {tech2}.",
    "Enhance digital skills and literacy.",
    "Support small and medium-sized enterprises in adopting {tech}.",
    "Deepen dialogue on digital governance.",
    "Promote open and fair digital markets.",
)
_EN_SENTENCES = (
    "We encourage {country} and {country2} to share experience in {tech}.",
    "We support {org} in carrying out capacity building on {tech}.",
    "We will promote the use of {tech} and {tech2} in public services.",
    "We welcome the role of {org} and {org2} in setting international standards for {tech}.",
    "We will explore joint research projects on {tech} with partners such as {country}.",
    "We call for affordable access to {tech} for developing countries.",
    "We will strengthen exchanges among governments, enterprises and research institutions on {tech}.",
    "We support {country} in building {tech} with the help of {org}.",
    "We will bridge the digital divide and improve the quality of {tech}.",
    "We encourage cooperation between {org} and {country} on {tech2}.",
)
_EN_SECTOR_FREE = ("agriculture", "manufacturing", "health care", "education", "tourism", "logistics", "finance")


@dataclass(frozen=True)
class Template:
    """A sentence of the seed with the spans of the entities to substitute."""

    text: str
    #: (start, end, entity type) of each substitutable mention, sorted, non-overlapping
    slots: tuple[tuple[int, int, str], ...]


@dataclass(frozen=True)
class Pools:
    """Everything a document is drawn from (loaded once per process)."""

    #: per seed clause: its sentences as templates (first one is the heading)
    clauses: tuple[tuple[Template, ...], ...]
    #: entity type → language → labels in draw order (rank 1 first)
    labels: dict[str, dict[str, tuple[str, ...]]]


class ZipfPicker:
    """Draw items with weight ``1 / rank**s``; the ranking is a seeded shuffle."""

    def __init__(self, items: tuple[str, ...], seed: int, exponent: float = ZIPF_EXPONENT) -> None:
        order = list(items)
        random.Random(f"rank:{seed}:{len(items)}").shuffle(order)
        self.items = order
        self.cumulative = list(itertools.accumulate(1.0 / (r**exponent) for r in range(1, len(order) + 1)))

    def pick(self, rng: random.Random) -> str:
        """Return one item."""
        x = rng.random() * self.cumulative[-1]
        return self.items[min(bisect.bisect_left(self.cumulative, x), len(self.items) - 1)]

    def sample(self, rng: random.Random, k: int) -> list[str]:
        """Return ``k`` distinct items (fewer if the pool is smaller)."""
        k = min(k, len(self.items))
        chosen: list[str] = []
        seen: set[str] = set()
        while len(chosen) < k:
            item = self.pick(rng)
            if item not in seen:
                seen.add(item)
                chosen.append(item)
        return chosen


@lru_cache(maxsize=2)
def load_pools(seed_document: str = str(SEED_DOCUMENT)) -> Pools:
    """Parse the seed into sentence templates and read entity labels from the lexicons."""
    import pyoxigraph as ox

    from kg.pipeline.extract import find_entities
    from kg.pipeline.ingest import read_source
    from kg.pipeline.lexicon import load_lexicon
    from kg.pipeline.structure import segment

    lexicon = load_lexicon()
    source = read_source(seed_document)
    structure = segment(source, lexicon.cues())
    clauses = []
    for clause in structure.clauses:
        if clause.number == 0:
            continue
        spans = find_entities(clause.text, source.language, lexicon)
        sentences = []
        for sent in clause.sentences:
            slots = []
            last_end = -1
            for s, e, iri in sorted(spans):
                kind = lexicon.types.get(iri)
                if kind in SUBSTITUTED_TYPES and sent.start <= s and e <= sent.end and s >= last_end:
                    slots.append((s - sent.start, e - sent.start, kind))
                    last_end = e
            sentences.append(Template(sent.text, tuple(slots)))
        if sentences:
            clauses.append(tuple(sentences))

    # Preferred labels (rdfs:label) per type and language; only entities the matcher can find.
    matchable = {(text, lang, iri) for text, lang, iri in lexicon.labels}
    by_entity: dict[str, dict[str, str]] = {}
    for name in lexicon.files:
        for q in ox.parse(path=name, format=ox.RdfFormat.TURTLE):
            if q.predicate.value != _RDFS_LABEL or not isinstance(q.object, ox.Literal):
                continue
            iri, lang, text = q.subject.value, (q.object.language or "").split("-")[0], q.object.value.strip()
            if lexicon.types.get(iri) in SUBSTITUTED_TYPES and (text, lang, iri) in matchable:
                by_entity.setdefault(iri, {}).setdefault(lang, text)
    labels: dict[str, dict[str, tuple[str, ...]]] = {}
    for kind in SUBSTITUTED_TYPES:
        for lang in ("zh", "en"):
            values = sorted(
                {names[lang] for iri, names in by_entity.items() if lexicon.types[iri] == kind and lang in names}
            )
            labels.setdefault(kind, {})[lang] = tuple(values)
    return Pools(clauses=tuple(clauses), labels=labels)


class Generator:
    """Make synthetic documents; document ``i`` depends only on ``(seed, i)``."""

    def __init__(self, seed: int = 0, lang: str = "zh") -> None:
        if lang not in ("zh", "en", "mixed"):
            raise ValueError(f"unknown language {lang!r}; use zh, en or mixed")
        self.seed = seed
        self.lang = lang
        self.pools = load_pools()
        self.pickers = {
            (kind, language): ZipfPicker(self.pools.labels[kind][language], seed)
            for kind in SUBSTITUTED_TYPES
            for language in ("zh", "en")
            if self.pools.labels[kind][language]
        }

    def language_of(self, index: int) -> str:
        """Return the language of document ``index``."""
        if self.lang != "mixed":
            return self.lang
        return "en" if index % 4 == 3 else "zh"  # a quarter English

    def filename(self, index: int) -> str:
        """Return the file name of document ``index``."""
        return f"gen_{self.seed}_{index:06d}_{self.language_of(index)}.txt"

    def document(self, index: int) -> str:
        """Return the text of document ``index``."""
        rng = random.Random(f"doc:{self.seed}:{index}")
        return self._zh(rng, index) if self.language_of(index) == "zh" else self._en(rng, index)

    def _label(self, rng: random.Random, kind: str, lang: str) -> str:
        return self.pickers[(kind, lang)].pick(rng)

    def _signatories(self, rng: random.Random, lang: str) -> list[str]:
        k = max(2, min(40, int(rng.paretovariate(1.2) * 3)))
        return self.pickers[("Country", lang)].sample(rng, k)

    def _fill(self, rng: random.Random, template: Template) -> str:
        out, pos = [], 0
        for s, e, kind in template.slots:
            out.append(template.text[pos:s])
            out.append(self._label(rng, kind, "zh"))
            pos = e
        out.append(template.text[pos:])
        return "".join(out)

    def _zh(self, rng: random.Random, index: int) -> str:
        tech, tech2 = self._label(rng, "Technology", "zh"), self._label(rng, "Technology", "zh")
        title = (
            rng.choice(_ZH_TITLES).format(
                tech=tech, tech2=tech2, org=self._label(rng, "Organisation", "zh"), city=rng.choice(_ZH_CITIES)
            )
            + f"（第{index + 1}号）"
        )
        countries = "、".join(self._signatories(rng, "zh"))
        preamble = _ZH_PREAMBLE.format(tech=tech) + _ZH_SIGNATORY.format(countries=countries)
        n_clauses = rng.randint(8, 30)
        tails = [t for clause in self.pools.clauses for t in clause[1:]]
        paragraphs = [title, preamble]
        for number in range(1, n_clauses + 1):
            source = rng.choice(self.pools.clauses)
            # The clause's heading, some of its own sentences in order, sometimes one borrowed.
            own = sorted(rng.sample(range(1, len(source)), min(len(source) - 1, rng.randint(1, 4))))
            sentences = [source[0], *(source[k] for k in own)]
            if rng.random() < 0.3:
                borrowed = rng.choice(tails)
                if borrowed not in sentences:
                    sentences.append(borrowed)
            paragraphs.append(f"{number}." + "".join(self._fill(rng, t) for t in sentences))
        return "\n\n".join(paragraphs) + "\n"

    def _en(self, rng: random.Random, index: int) -> str:
        def fields() -> dict[str, str]:
            return {
                "tech": self._label(rng, "Technology", "en"),
                "tech2": self._label(rng, "Technology", "en"),
                "org": self._label(rng, "Organisation", "en"),
                "org2": self._label(rng, "Organisation", "en"),
                "country": self._label(rng, "Country", "en"),
                "country2": self._label(rng, "Country", "en"),
                "sector_free": rng.choice(_EN_SECTOR_FREE),
                "city": rng.choice(_EN_CITIES),
            }

        title = rng.choice(_EN_TITLES).format(**fields()) + f" (No. {index + 1})"
        names = self._signatories(rng, "en")
        countries = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        preamble = _EN_PREAMBLE.format(**fields()) + " " + _EN_SIGNATORY.format(countries=countries)
        paragraphs = [title, preamble]
        for number in range(1, rng.randint(8, 30) + 1):
            sentences = [rng.choice(_EN_HEADINGS).format(**fields())]
            sentences.extend(rng.choice(_EN_SENTENCES).format(**fields()) for _ in range(rng.randint(2, 5)))
            paragraphs.append(f"{number}. " + " ".join(sentences))
        return "\n\n".join(paragraphs) + "\n"

    def write(self, n: int, outdir: str | Path, start: int = 0) -> list[Path]:
        """Write documents ``start .. start+n-1`` into ``outdir``; return their paths."""
        out = Path(outdir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for i in range(start, start + n):
            p = out / self.filename(i)
            p.write_text(self.document(i), encoding="utf-8")
            paths.append(p)
        return paths


def generate(n: int, outdir: str | Path, seed: int = 0, lang: str = "zh") -> list[Path]:
    """Write ``n`` synthetic documents into ``outdir`` and return their paths."""
    return Generator(seed, lang).write(n, outdir)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("outdir", help="output folder (created)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--lang", choices=("zh", "en", "mixed"), default="zh", help="document language (default zh)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be >= 0")
    paths = generate(args.n, args.outdir, seed=args.seed, lang=args.lang)
    chars = sum(len(p.read_text(encoding="utf-8")) for p in paths)
    print(f"wrote {len(paths)} documents ({chars:,} characters) to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
