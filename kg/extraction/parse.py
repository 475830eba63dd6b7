"""Parsing: articles through one spaCy pipeline with ``nlp.pipe``, in batches, in order;
an article that makes spaCy fail costs only itself. Extraction follows, apart
(:func:`extract_doc`), so that a failure there costs only its article too.

Memory is bounded by the text parsed at once, not by the article: spaCy's
parser and NER need some 3 KB of memory per character of a batch (a
one-line article of 1 MB took 3 GB), so a batch holds at most
``BATCH_CHARS`` characters, and an article longer than ``PIECE_CHARS`` is
parsed in pieces, each with some tokens of its neighbours as context
(:func:`piece_starts`), and joined back into one doc of the whole article
before kg's components run: its actors and events are found across the
pieces as in one doc.

>>> from kg.extraction.language import load_pipeline
>>> nlp = load_pipeline()
>>> (doc,) = parse_articles([Article("a1", "Russia attacked Ukraine.")], nlp)
>>> doc._.article.id, doc._.events is None
('a1', True)
>>> [(e.subject.country, e.predicate, e.object.country) for e in extract_doc(nlp, doc).events]
[('RUS', 'attack', 'UKR')]
"""
from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from kg.extraction.clean import clean_text
from kg.extraction.language import EXTRACTION_COMPONENTS
from kg.extraction.output import article_extraction
from kg.records import Article, ArticleExtraction

__all__ = ["BATCH_CHARS", "CONTEXT_TOKENS", "PIECE_CHARS", "extract_doc", "parse_articles", "piece_starts"]

log = logging.getLogger(__name__)

#: Longest text parsed as one doc: a longer article is parsed in pieces of at most this many
#: characters (and their context). News articles are shorter; a piece costs some 60 MB to parse.
PIECE_CHARS = 20_000
#: Most characters parsed in one ``nlp.pipe`` batch (some 150 MB of spaCy's memory).
BATCH_CHARS = 50_000
#: Tokens of the text on either side of a piece parsed with it, then dropped: the tagger, parser
#: and NER of a piece see the words around it as they would in the whole article (spaCy's
#: token-to-vector layers look four tokens to either side; the parser and NER a few tokens ahead).
CONTEXT_TOKENS = 16


def parse_articles(
    articles: Iterable[Article],
    nlp: Language,
    *,
    batch_size: int = 32,
    on_error: Callable[[Article, Exception], None] | None = None,
    piece_chars: int = PIECE_CHARS,
    batch_chars: int = BATCH_CHARS,
) -> Iterator[Doc]:
    """Parse ``articles`` with ``nlp.pipe``, streaming, in input order: a doc of each
    article's text with page furniture set aside (:func:`kg.extraction.clean.clean_text`),
    its ``doc._.article`` and ``doc._.clean`` set, kg's extraction components not run.

    Articles are parsed ``batch_size`` at a time, at most ``batch_chars``
    characters in a batch. An article longer than ``piece_chars`` is
    parsed in pieces (:func:`piece_starts`) and comes back as one doc of
    its whole text. When a batch fails (one odd text makes a spaCy
    component raise), its articles are parsed again one by one, so only
    the article that fails is lost: it is passed to ``on_error(article,
    exception)`` and left out (without ``on_error``, the exception is
    raised). Parallelism lives in :mod:`kg.run.workers`.

    >>> from kg.extraction.language import load_pipeline
    >>> text = "Poland sent tanks to Ukraine. " * 40
    >>> (doc,) = parse_articles([Article("a1", text)], load_pipeline(), piece_chars=300)
    >>> doc.text == text, len(list(doc.sents))
    (True, 40)
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

    def parse_batch(batch: list[tuple[Doc, Article]]) -> Iterator[Doc]:
        try:
            docs = list(nlp.pipe([doc for doc, _ in batch], batch_size=len(batch), disable=skip))
        except Exception:  # noqa: BLE001  find the article that fails: parse one at a time
            log.debug("a batch of %d articles failed to parse; parsing them one by one", len(batch), exc_info=True)
        else:
            yield from docs
            return
        for _, article in batch:
            try:
                doc = nlp(new_doc(article), disable=skip)  # a new doc: the failed batch may have half-parsed it
            except Exception as e:  # noqa: BLE001
                failed(article, e)
                continue
            yield doc

    batch: list[tuple[Doc, Article]] = []
    chars = 0
    for article in articles:
        try:
            doc = new_doc(article)
        except Exception as e:  # noqa: BLE001  one odd text must cost only itself
            failed(article, e)
            continue
        size = len(doc._.clean.text)  # doc.text would join every token's text
        if batch and (len(batch) >= max(1, batch_size) or chars + size > batch_chars or size > piece_chars):
            yield from parse_batch(batch)
            batch, chars = [], 0
        if size <= piece_chars:
            batch.append((doc, article))
            chars += size
            continue
        try:
            whole = _parse_in_pieces(nlp, doc, skip, piece_chars, batch_chars)
        except Exception as e:  # noqa: BLE001
            log.debug("parsing an article in pieces failed", exc_info=True)
            failed(article, e)
            continue
        whole._.article, whole._.clean = article, doc._.clean
        yield whole
    if batch:
        yield from parse_batch(batch)


def _parse_in_pieces(nlp: Language, doc: Doc, skip: list[str], piece_chars: int, batch_chars: int) -> Doc:
    """The tokens of ``doc`` parsed a piece at a time, at most ``batch_chars`` characters at once,
    joined into one doc of the same text."""
    starts = piece_starts(doc, piece_chars)
    bounds = list(zip(starts, [*starts[1:], len(doc)]))
    cores: list[Doc] = []
    first = 0
    while first < len(bounds):
        last, chars = first, 0
        while last < len(bounds) and (last == first or chars + _chars(doc, *bounds[last]) <= batch_chars):
            chars += _chars(doc, *bounds[last])
            last += 1
        pieces = [_piece(doc, start, end) for start, end in bounds[first:last]]
        for (piece, start, end), parsed in zip(pieces, nlp.pipe([p for p, _, _ in pieces], batch_size=len(pieces), disable=skip)):
            cores.append(parsed[start:end].as_doc())
        first = last
    return Doc.from_docs(cores, ensure_whitespace=False)


def _chars(doc: Doc, start: int, end: int) -> int:
    return doc[end - 1].idx + len(doc[end - 1].text_with_ws) - doc[start].idx


def _piece(doc: Doc, start: int, end: int) -> tuple[Doc, int, int]:
    """A new doc of the tokens ``start`` to ``end`` of ``doc`` and ``CONTEXT_TOKENS`` on either side,
    a sentence starting at ``start`` and ``end``; and where ``start`` and ``end`` are in it."""
    low, high = max(0, start - CONTEXT_TOKENS), min(len(doc), end + CONTEXT_TOKENS)
    piece = doc[low:high].as_doc()
    for cut in (start, end):
        if low < cut < high:  # no arc crosses a cut: the piece's own tokens come out whole
            piece[cut - low].is_sent_start = True
    return piece, start - low, end - low


@lru_cache(maxsize=1)
def _sentencizer() -> Sentencizer:
    return Sentencizer()


def piece_starts(doc: Doc, limit: int) -> list[int]:
    """Where the pieces of ``doc`` start (token indices, the first 0), each piece at most ``limit``
    characters long (or one token, if that token is longer).

    A piece ends at the last line break in the second half of what fits (a line break
    ends a sentence anyway, :func:`kg.extraction.components.line_sentences`), else at
    the last sentence end there (by spaCy's rule-based sentencizer: a one-line text has
    no line breaks), else at the last line break or sentence end of what fits, else
    after the last space of its second half, else at the limit.

    >>> from kg.extraction.language import load_pipeline
    >>> doc = load_pipeline().make_doc("Poland sent tanks. Russia attacked Ukraine.\\nKyiv thanked Warsaw.")
    >>> [doc[i].text for i in piece_starts(doc, 50)]
    ['Poland', 'Kyiv']
    >>> [doc[i].text for i in piece_starts(doc, 30)]
    ['Poland', 'Russia', 'Kyiv']
    """
    if not len(doc):
        return [0]
    ends = [token.idx + len(token.text_with_ws) for token in doc]
    sentence_starts: list[bool] = _sentencizer().predict([doc])[0]

    def line_start(i: int) -> bool:
        return "\n" in doc[i - 1].text

    def sentence_start(i: int) -> bool:
        return sentence_starts[i] and bool(doc[i - 1].whitespace_)

    def word_start(i: int) -> bool:
        return bool(doc[i - 1].whitespace_)

    starts = [0]
    while ends[-1] - doc[starts[-1]].idx > limit and starts[-1] < len(doc) - 1:
        first = starts[-1]
        fits = bisect.bisect_right(ends, doc[first].idx + limit, lo=first)  # tokens first .. fits-1 fit
        last = max(fits, first + 1)
        later = range(last, first + max(1, (last - first) // 2) - 1, -1)  # the second half, last first
        anywhere = range(last, first, -1)
        rules = ((later, line_start), (later, sentence_start), (anywhere, line_start), (anywhere, sentence_start), (later, word_start))
        starts.append(next((i for candidates, rule in rules for i in candidates if rule(i)), last))
    return starts


def extract_doc(nlp: Language, doc: Doc, min_confidence: float = 0.0) -> ArticleExtraction:
    """Run kg's extraction components of ``nlp`` on a parsed ``doc``: its article, events
    (those of confidence ``min_confidence`` or more) and actor mentions."""
    for name in EXTRACTION_COMPONENTS:
        doc = nlp.get_pipe(name)(doc)
    return article_extraction(doc, min_confidence)
