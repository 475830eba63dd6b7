"""A generated corpus of news-length articles, recombined from the project's own sample (``data/``).

Every article is a headline and paragraphs drawn, with a seeded random
generator, from the paragraphs of the sample articles (fictional events
among real states, written for this project: ``data/README.md``) until it
is 3 to 5 KB long. The same seed and size give the same corpus, byte for
byte; nothing is copied from real news.

>>> articles = generate(3, seed=1)
>>> [3000 <= len(a["text"].encode()) <= 5000 for a in articles]
[True, True, True]
>>> generate(3, seed=1) == articles
True
"""
from __future__ import annotations

import json
import random
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
        text = title + "\n\n" + "\n\n".join(chosen) + "\n"
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
