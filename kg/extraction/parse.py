"""Parsing: articles through one spaCy pipeline with ``nlp.pipe``, in batches, in order;
an article that makes spaCy fail costs only itself. Extraction follows, apart
(:func:`extract_doc`), so that a failure there costs only its article too.

>>> from kg.extraction.language import load_pipeline
>>> nlp = load_pipeline()
>>> (doc,) = parse_articles([Article("a1", "Russia attacked Ukraine.")], nlp)
>>> doc._.article.id, doc._.events is None
('a1', True)
>>> [(e.subject.country, e.predicate, e.object.country) for e in extract_doc(nlp, doc).events]
[('RUS', 'attack', 'UKR')]
"""
from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from kg.extraction.clean import clean_text
from kg.extraction.language import EXTRACTION_COMPONENTS
from kg.extraction.output import article_extraction
from kg.records import Article, ArticleExtraction

__all__ = ["extract_doc", "parse_articles"]

log = logging.getLogger(__name__)


def parse_articles(
    articles: Iterable[Article],
    nlp: Language,
    *,
    batch_size: int = 32,
    on_error: Callable[[Article, Exception], None] | None = None,
) -> Iterator[Doc]:
    """Parse ``articles`` with ``nlp.pipe``, streaming, in input order: a doc of each
    article's text with page furniture set aside (:func:`kg.extraction.clean.clean_text`),
    its ``doc._.article`` and ``doc._.clean`` set, kg's extraction components not run.

    Articles are parsed ``batch_size`` at a time. When a batch fails (one
    odd text makes a spaCy component raise), its articles are parsed again
    one by one, so only the article that fails is lost: it is passed to
    ``on_error(article, exception)`` and left out (without ``on_error``, the
    exception is raised). Parallelism lives in :mod:`kg.run.workers`.
    """
    skip = [name for name in EXTRACTION_COMPONENTS if name in nlp.pipe_names]

    def failed(article: Article, error: Exception) -> None:
        if on_error is None:
            raise error
        on_error(article, error)

    def new_doc(article: Article) -> Doc:
        clean = clean_text(article.text)
        doc = nlp.make_doc(clean.text)
        doc._.article, doc._.clean = article, clean
        return doc

    iterator = iter(articles)
    while batch := list(itertools.islice(iterator, max(1, batch_size))):
        made: list[tuple[Doc, Article]] = []
        for article in batch:
            try:
                made.append((new_doc(article), article))
            except Exception as e:  # noqa: BLE001  one odd text must cost only itself
                failed(article, e)
        try:
            docs = list(nlp.pipe([doc for doc, _ in made], batch_size=max(1, batch_size), disable=skip))
        except Exception:  # noqa: BLE001  find the article that fails: parse one at a time
            log.debug("a batch of %d articles failed to parse; parsing them one by one", len(made), exc_info=True)
        else:
            yield from docs
            continue
        for _, article in made:
            try:
                doc = nlp(new_doc(article), disable=skip)  # a new doc: the failed batch may have half-parsed it
            except Exception as e:  # noqa: BLE001
                failed(article, e)
                continue
            yield doc


def extract_doc(nlp: Language, doc: Doc, min_confidence: float = 0.0) -> ArticleExtraction:
    """Run kg's extraction components of ``nlp`` on a parsed ``doc``: its article, events
    (those of confidence ``min_confidence`` or more) and actor mentions."""
    for name in EXTRACTION_COMPONENTS:
        doc = nlp.get_pipe(name)(doc)
    return article_extraction(doc, min_confidence)
