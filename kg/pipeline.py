"""The main jobs as plain functions: ``extract`` (articles to event records) and
``build`` (articles to the store). The CLI and notebooks both call these.

>>> from kg.store import open_memory_store
>>> summary = build(["-"], open_memory_store(), stdin=io.StringIO("Poland sent tanks to Ukraine."))
>>> summary.articles, summary.events
(1, 1)
"""
from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

import pyoxigraph

from kg.errors import Errors, KGError
from kg.events import ArticleExtraction, extract_article
from kg.graph import Provenance, write_article, write_ontology
from kg.ingest import Article, Notice, Skipped, read_articles
from kg.nlp import DEFAULT_MODEL, load_pipeline, parse_articles

__all__ = ["BuildSummary", "extract", "build"]

log = logging.getLogger(__name__)


@dataclass
class BuildSummary:
    """What a build did: counts, what was skipped and why, and how long it took.

    ``notices`` are inputs read with a caveat (decoded from a legacy
    encoding, split because of their size): nothing of them was lost.
    """

    articles: int = 0
    events: int = 0
    actors: int = 0
    triples: int = 0
    seconds: float = 0.0
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    unchanged: int = 0  # articles whose stored graph was already up to date (left as it was)


def extract(
    inputs: Iterable[str],
    *,
    model: str = DEFAULT_MODEL,
    stdin: TextIO | None = None,
    on_skip: Callable[[Skipped | Notice], None] | None = None,
    batch_size: int = 32,
) -> Iterator[ArticleExtraction]:
    """Read, parse and extract every article of ``inputs``, streaming.

    Inputs that cannot be read, and articles whose extraction fails, are
    passed to ``on_skip`` (as ``Skipped``, or ``Notice`` for an input read
    with a caveat) and the run goes on.
    """
    report = on_skip or (lambda skipped: log.warning(skipped.message))
    nlp = load_pipeline(model)

    def articles() -> Iterator[Article]:
        for item in read_articles(inputs, stdin=stdin):
            if not isinstance(item, Article):
                report(item)
            else:
                yield item

    for parsed in parse_articles(articles(), nlp, batch_size=batch_size):
        try:
            yield extract_article(parsed)
        except Exception as e:  # one odd article must not cost the rest of the run
            log.debug("extraction failed", exc_info=True)
            source = parsed.article.source or parsed.article.id
            report(Skipped(source, Errors.E008.format(source=source, detail=f"{type(e).__name__}: {e}")))


def build(
    inputs: Iterable[str],
    store: pyoxigraph.Store,
    *,
    model: str = DEFAULT_MODEL,
    stdin: TextIO | None = None,
    on_skip: Callable[[Skipped | Notice], None] | None = None,
    on_article: Callable[[ArticleExtraction], None] | None = None,
) -> BuildSummary:
    """Extract every article of ``inputs`` and write each into its own named graph of ``store``.

    Re-building an article replaces its graph, so nothing is duplicated; an
    article whose graph would not change is left as it is (``unchanged``).
    The ontology and PLOVER scheme are (re)loaded into ``ONTOLOGY_GRAPH``.
    Each article is committed on its own: a build killed midway keeps every
    article written before, and running it again completes the rest.
    """
    summary = BuildSummary()
    started = time.perf_counter()

    def skip(item: Skipped | Notice) -> None:
        (summary.notices if isinstance(item, Notice) else summary.skipped).append(item)
        if on_skip:
            on_skip(item)

    provenance = Provenance.from_pipeline(load_pipeline(model), model)
    write_ontology(store)
    actors: set[str] = set()
    for extraction in extract(inputs, model=model, stdin=stdin, on_skip=skip):
        article = extraction.article
        try:
            # Skips an article whose stored graph is the same but for its time (kg.graph).
            summary.unchanged += not write_article(store, extraction, provenance)
        except OSError:
            raise  # the store itself failed (disk full, ...): no later article could be written either
        except Exception as e:  # one odd article must not cost the rest of the run
            log.debug("storing failed", exc_info=True)
            source = article.source or article.id
            detail = str(e) if isinstance(e, KGError) else f"{type(e).__name__}: {e}"
            skip(Skipped(source, Errors.E080.format(source=source, detail=detail)))
            continue
        log.info("stored %s (%d events)", article.id, len(extraction.events))
        summary.articles += 1
        summary.events += len(extraction.events)
        actors.update(m.id for m in extraction.mentions)
        if on_article:
            on_article(extraction)
    store.flush()
    summary.actors = len(actors)
    summary.triples = len(store)
    summary.seconds = time.perf_counter() - started
    return summary
