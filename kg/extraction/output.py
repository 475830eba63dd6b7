"""From what the components found in a doc to the records of the output contract
(:mod:`kg.records`), with offsets in the article's own text and dates resolved.

kg's own runs give each doc its article (``doc._.article``) and the map of the
page furniture set aside before parsing (``doc._.clean``); a doc made from a
plain text by ``nlp(text)`` is an article of that text, with an id derived
from it as ``kg.extract(text)`` derives it.
"""
from __future__ import annotations

from spacy.tokens import Doc

from kg.extraction.actors import ActorIndex, Mention, is_generic
from kg.extraction.clean import CleanText, doc_clean_text
from kg.extraction.codes import actor_code
from kg.extraction.dates import resolve_date
from kg.extraction.events import Found, confidence
from kg.ingest.metadata import derived_id
from kg.records import Actor, Article, ArticleExtraction, Event
from kg.vocab import ACTOR_TYPES

__all__ = ["TEXT_SOURCE", "article_extraction", "article_of", "event_records"]

#: The name a text given without a file is known by: its article id is ``text-<hash>``.
TEXT_SOURCE = "text"


def article_of(doc: Doc) -> Article:
    """The article ``doc`` was made from: ``doc._.article``, else one of the doc's text."""
    article = doc._.article
    if article is None:
        text = doc.text
        article = Article(derived_id(TEXT_SOURCE, text), text)
    return article


def _actor_record(mention: Mention, clean: CleanText, date: str | None) -> Actor:
    actor = mention.actor
    span = clean.span_to_original(mention.start, mention.end)
    sector, code = actor_code(actor, mention.text, date) if actor.type in ACTOR_TYPES else (None, None)
    return Actor(mention.text, actor.label, actor.iri, actor.type, actor.country, actor.role, span, sector, code)


def event_records(doc: Doc, found: list[Found]) -> list[Event]:
    """The records of the events ``found`` in ``doc`` (:func:`kg.extraction.events.find_events`)."""
    article, clean, index = article_of(doc), doc_clean_text(doc), doc._.actors
    # Events share their sentences: the text of each is made once.
    sentences: dict[int, tuple[str, tuple[int, int]]] = {}  # sentence start -> text, span in the article
    records = []
    for frame, subject, obj in found:
        sentence = frame.sentence
        if sentence.start not in sentences:
            sentences[sentence.start] = (sentence.text.strip(), clean.span_to_original(sentence.start_char, sentence.end_char))
        sentence_text, sentence_span = sentences[sentence.start]
        resolved = resolve_date(frame.when, article.date) if frame.when else None
        theme = frame.theme
        things = tuple(
            _actor_record(m, clean, article.date) for m in index.things if theme and m.text in theme and sentence.start_char <= m.start < sentence.end_char
        )
        date, precision = (resolved.date, resolved.precision) if resolved else (article.date, "day" if article.date else None)
        records.append(
            Event(
                doc=article.id,
                subject=_actor_record(subject, clean, article.date) if subject else None,
                object=_actor_record(obj, clean, article.date) if obj else None,
                predicate=frame.predicate,
                event_type=frame.type.plover if frame.type else None,
                cameo=frame.type.cameo if frame.type else None,
                theme=theme,
                sentence=sentence_text,
                span=sentence_span,
                date=date,
                date_precision=precision,
                date_text=frame.when if resolved else None,
                location=frame.location,
                location_country=frame.location_country,
                negated=frame.negated,
                modality=frame.modality,
                attributed_to=frame.attributed_to,
                confidence=confidence(frame, subject, obj),
                theme_entities=things,
            )
        )
    return records


def article_extraction(doc: Doc, min_confidence: float = 0.0) -> ArticleExtraction:
    """The article of a doc the kg components have run on, its events of confidence
    ``min_confidence`` or more, and every actor mention."""
    index: ActorIndex = doc._.actors
    clean, article = doc_clean_text(doc), article_of(doc)
    mentions = [_actor_record(m, clean, article.date) for m in index.mentions if not is_generic(m.actor)]
    events = [event for event in doc._.events if event.confidence >= min_confidence]
    return ArticleExtraction(article, events, mentions)
