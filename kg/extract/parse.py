"""Parsing: articles through one spaCy pipeline with ``nlp.pipe``, in batches, in order;
an article that makes spaCy fail costs only itself.
"""
from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.clean import CleanText, clean_text
from kg.records import Article

__all__ = ["ParsedArticle", "parse_articles"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParsedArticle:
    """An article with its spaCy ``Doc`` (of the cleaned text)."""

    article: Article
    doc: Doc
    clean: CleanText


def parse_articles(
    articles: Iterable[Article],
    nlp: Language,
    *,
    batch_size: int = 32,
    n_process: int = 1,
    on_error: Callable[[Article, Exception], None] | None = None,
) -> Iterator[ParsedArticle]:
    """Parse ``articles`` with ``nlp.pipe``, streaming, in input order.

    Articles are parsed ``batch_size`` at a time. When a batch fails (one
    odd text makes a spaCy component raise), its articles are parsed again
    one by one, so only the article that fails is lost: it is passed to
    ``on_error(article, exception)`` and left out (without ``on_error``, the
    exception is raised). Parallelism lives in :mod:`kg.run.workers`;
    ``n_process > 1`` hands the whole stream to spaCy's own
    multiprocessing, without the per-article fallback.

    >>> from kg.extract.language import load_pipeline
    >>> parsed = parse_articles([Article("a", "Russia attacked Ukraine.")], load_pipeline())
    >>> [p.doc.text for p in parsed]
    ['Russia attacked Ukraine.']
    """
    if n_process != 1:
        cleaned = ((clean_text(a.text), a) for a in articles)
        pairs = ((c.text, (c, a)) for c, a in cleaned)
        for doc, (clean, article) in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process):
            yield ParsedArticle(article, doc, clean)
        return

    def failed(article: Article, error: Exception) -> None:
        if on_error is None:
            raise error
        on_error(article, error)

    iterator = iter(articles)
    while batch := list(itertools.islice(iterator, max(1, batch_size))):
        cleaned: list[tuple[CleanText, Article]] = []
        for article in batch:
            try:
                cleaned.append((clean_text(article.text), article))
            except Exception as e:  # noqa: BLE001  one odd text must cost only itself
                failed(article, e)
        try:
            docs = list(nlp.pipe([c.text for c, _ in cleaned], batch_size=max(1, batch_size)))
        except Exception:  # noqa: BLE001  find the article that fails: parse one at a time
            log.debug("a batch of %d articles failed to parse; parsing them one by one", len(cleaned), exc_info=True)
            docs = None
        if docs is not None:
            for (clean, article), doc in zip(cleaned, docs):
                yield ParsedArticle(article, doc, clean)
            continue
        for clean, article in cleaned:
            try:
                doc = nlp(clean.text)
            except Exception as e:  # noqa: BLE001
                failed(article, e)
                continue
            yield ParsedArticle(article, doc, clean)
