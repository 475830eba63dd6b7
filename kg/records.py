"""The records kg reads and writes: articles in, actors and events out.

Plain frozen dataclasses with no spaCy or rdflib behind them, so that any
stage, a notebook or another program can hold them. :meth:`Event.to_json`
is the output contract of ``kg extract`` (README, "The output contract").

>>> russia = Actor("Russia", "Russia", "https://w3id.org/kg/id/country/RUS", "Country", "RUS", None, (0, 6))
>>> event = Event("a1", russia, None, "mobilize", "MOBILIZE", "15", None, "Russia mobilized.", (0, 17), None, False, "asserted")
>>> event
Event(Russia (RUS) -mobilize/MOBILIZE-> -, doc='a1', span=(0, 17))
>>> event.is_factual, event.to_json()["subject"]["country"]
(True, 'RUS')
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.vocab import FACTUAL_MODALITIES

__all__ = ["Actor", "Article", "ArticleExtraction", "Event", "Notice", "Skipped"]


@dataclass(frozen=True)
class Article:
    """One news article, as read from its source.

    ``date`` is an ISO date string (``"2024-03-11"``) or ``None``.
    ``source`` names where it came from (``path``, ``path:line``, or the URL fetched).
    A page fetched from the web (:mod:`kg.ingest.web`) also has ``fetched``, the
    UTC time of the download (``"2025-03-11T08:00:00Z"``), and ``feed``, the URL of
    the feed or sitemap that listed it, if any.
    """

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    source: str = ""
    fetched: str | None = None
    feed: str | None = None


@dataclass(frozen=True)
class Skipped:
    """An input that could not be read, with the coded one-line reason."""

    source: str
    message: str


@dataclass(frozen=True)
class Notice:
    """An input that was read, but with a caveat the user should know (coded one-line message)."""

    source: str
    message: str


@dataclass(frozen=True, repr=False)
class Actor:
    """An actor (or a weapon, a piece of equipment) as mentioned in an article: the
    mention (``text``, ``span`` offsets in the article) and the entity it resolves to.

    ``code`` is its CAMEO actor code at the article's date: a state's ISO3 code
    followed by the sector ("RUSGOV", "COLCOP", "MEXREB"), an international
    code ("IGOUNO"), or the bare state ("RUS"); ``sector`` the three letters of
    the role in it ("GOV", "COP", "REB", "UNO"), None for a state as a whole.
    """

    text: str
    label: str
    id: str
    type: str
    country: str | None
    role: str | None
    span: tuple[int, int]
    sector: str | None = None
    code: str | None = None

    def __repr__(self) -> str:
        return f"{self.label} ({self.country or self.type})"

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "label": self.label,
            "id": self.id,
            "type": self.type,
            "country": self.country,
            "role": self.role,
            "sector": self.sector,
            "code": self.code,
            "span": list(self.span),
        }


@dataclass(frozen=True, repr=False)
class Event:
    """One event stated in one sentence of an article (offsets in the article's text)."""

    doc: str
    subject: Actor | None
    object: Actor | None
    predicate: str
    event_type: str | None
    cameo: str | None
    theme: str | None
    sentence: str
    span: tuple[int, int]
    date: str | None
    negated: bool
    modality: str
    date_precision: str | None = None
    date_text: str | None = None
    location: str | None = None
    location_country: str | None = None
    attributed_to: str | None = None
    confidence: float = 1.0
    theme_entities: tuple[Actor, ...] = ()

    @property
    def is_factual(self) -> bool:
        """Stated as having happened, or as announced: not negated, hypothetical, alleged or a mere purpose."""
        return not self.negated and self.modality in FACTUAL_MODALITIES

    def __repr__(self) -> str:
        relation = f"{'not ' if self.negated else ''}{self.predicate}/{self.event_type or 'untyped'}"
        theme = f", theme={self.theme!r}" if self.theme else ""
        modality = f", modality={self.modality!r}" if self.modality != "asserted" else ""
        subject, obj = (repr(actor) if actor else "-" for actor in (self.subject, self.object))
        return f"Event({subject} -{relation}-> {obj}{theme}{modality}, doc={self.doc!r}, span={self.span})"

    def to_json(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "subject": self.subject.to_json() if self.subject else None,
            "object": self.object.to_json() if self.object else None,
            "predicate": self.predicate,
            "event_type": self.event_type,
            "cameo": self.cameo,
            "theme": self.theme,
            "theme_entities": [t.to_json() for t in self.theme_entities],
            "sentence": self.sentence,
            "span": list(self.span),
            "date": self.date,
            "date_precision": self.date_precision,
            "date_text": self.date_text,
            "location": {"text": self.location, "country": self.location_country} if self.location else None,
            "negated": self.negated,
            "modality": self.modality,
            "attributed_to": self.attributed_to,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class ArticleExtraction:
    """What extraction found in one article: its events and every actor mention."""

    article: Article
    events: list[Event]
    mentions: list[Actor]
