"""Scores of events against gold events, per view, with the semantics of the shared scorers
(``score.py`` for sentence-level gold, ``score_articles.py`` for article-level gold).

>>> Score(tp=2, gold=4, system=2).f1
0.6666666666666666
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from kg.evaluation.gold import (
    ARTICLE,
    SENTENCE,
    ArticleGold,
    Gold,
    GoldActor,
    GoldEvent,
    SentenceGold,
)

if TYPE_CHECKING:
    from kg.records import Actor, Event

__all__ = [
    "ARTICLE_VIEWS",
    "SENTENCE_VIEWS",
    "Evaluation",
    "Score",
    "evaluate",
    "generic_words",
    "same_actor",
    "same_sentence",
    "score_articles",
    "score_sentences",
]

SENTENCE_VIEWS = ("pair", "typed", "source", "target")
ARTICLE_VIEWS = ("event", "subject", "object", "actors", "full")
#: The view whose misses and spurious events are listed: all there is to match.
STRICTEST_VIEW = {SENTENCE: "typed", ARTICLE: "full"}
#: How much of two sentences' words must be shared (of the shorter one's) for them to be one.
SENTENCE_OVERLAP = 0.6
GENERIC_WORDS_FILE = "eval_generic_words.txt"


# ---------------------------------------------------------------- scores


@dataclass(frozen=True)
class Score:
    """The figures of one view: events matched (``tp``), gold events and system events scored.

    >>> s = Score(3, 4, 6)
    >>> round(s.precision, 3), s.recall, round(s.f1, 3)
    (0.5, 0.75, 0.6)
    """

    tp: int
    gold: int
    system: int

    @property
    def precision(self) -> float:
        return self.tp / self.system if self.system else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"p": self.precision, "r": self.recall, "f1": self.f1, "tp": self.tp, "gold": self.gold, "system": self.system}


@dataclass(frozen=True)
class Evaluation:
    """Scores per view, with the gold events missed and the system events matched to none
    in the strictest view (``typed`` for sentence gold, ``full`` for article gold).

    ``gold_events`` counts the gold events given, ``gold_scored`` those scored (stated as
    fact unless ``include_all``; in sentence gold, with a country), ``system_events`` the
    kg events scored, ``documents`` the documents with a gold or kg event. ``unread`` lists gold documents that were not among the inputs (their events count as
    missed); only :func:`evaluate_inputs` knows the inputs to fill it.
    """

    format: str
    views: dict[str, Score]
    missed: list[GoldEvent]
    spurious: list[Event]
    include_all: bool = False
    gold_events: int = 0
    gold_scored: int = 0
    system_events: int = 0
    documents: int = 0
    unread: tuple[str, ...] = field(default=())

    @property
    def strictest_view(self) -> str:
        return STRICTEST_VIEW[self.format]

    def to_json(self, show: int | None = None) -> dict[str, Any]:
        """The numbers per view and the missed and spurious events (``show`` of each; all by default).

        P, R and F1 are not rounded; ``kg eval`` and the shared scorers print them to three places.
        """
        return {
            "format": self.format,
            "include_all": self.include_all,
            "gold_events": self.gold_events,
            "gold_scored": self.gold_scored,
            "system_events": self.system_events,
            "documents": self.documents,
            "views": {name: score.to_json() for name, score in self.views.items()},
            "listed_view": self.strictest_view,
            "missed": [g.to_json() for g in self.missed[:show]],
            "spurious": [e.to_json() for e in self.spurious[:show]],
            "unread_documents": list(self.unread),
        }


def evaluate(gold: Gold, events: Iterable[Event], *, include_all: bool = False) -> Evaluation:
    """Score ``events`` against ``gold`` by its format (:func:`score_sentences`, :func:`score_articles`)."""
    if gold.format == SENTENCE:
        return score_sentences([g for g in gold.events if isinstance(g, SentenceGold)], events, include_all=include_all)
    return score_articles([g for g in gold.events if isinstance(g, ArticleGold)], events, include_all=include_all)


def _aliases() -> Callable[[str | None], str | None]:
    from kg.extraction.lexicon import load_lexicon

    aliases = load_lexicon().aliases
    return lambda name: aliases.get(name, name) if name is not None else None


_Row = tuple[str, str | None, str | None, str | None]
_VIEW_KEYS: dict[str, Callable[[_Row], tuple | None]] = {
    "pair": lambda r: r[:3],
    "typed": lambda r: r,
    "source": lambda r: r[:2] if r[1] else None,
    "target": lambda r: (r[0], r[2]) if r[2] else None,
}


def score_sentences(gold: Sequence[SentenceGold], events: Iterable[Event], *, include_all: bool = False) -> Evaluation:
    """Score ``events`` against sentence-level ``gold``: sets of (doc, source country, target
    country[, type]) tuples per view, so a pair found twice counts once.

    ``events`` are every event of the documents (``kg.extract`` gives them all); those not
    stated as fact are dropped unless ``include_all``. Precision counts the tuples of every
    document, those with no gold event too.

    >>> from kg.records import Actor, Event
    >>> rus = Actor("Moscow", "Russia", "https://w3id.org/kg/id/country/RUS", "Country", "RUS", None, (0, 6))
    >>> event = Event("d2", rus, None, "deploy", "MOBILIZE", "15", None, "Moscow deployed troops.", (0, 23), None, False, "asserted")
    >>> result = score_sentences([SentenceGold("d1", "RUS", "UKR", "FIGHT")], [event])
    >>> result.views["source"], result.views["target"]
    (Score(tp=0, gold=1, system=1), Score(tp=0, gold=1, system=0))
    """
    alias = _aliases()
    gold_rows = [(g, (g.doc, g.source, g.target, alias(g.event_type))) for g in gold]
    gold_rows = [(g, row) for g, row in gold_rows if row[1] or row[2]]
    kept = [e for e in events if include_all or e.is_factual]
    system_rows = [(e, (e.doc, _country(e.subject), _country(e.object), alias(e.event_type))) for e in kept]
    system_rows = [(e, row) for e, row in system_rows if row[1] or row[2]]
    views = {}
    for name in SENTENCE_VIEWS:
        key = _VIEW_KEYS[name]
        g = {key(row) for _, row in gold_rows} - {None}
        s = {key(row) for _, row in system_rows} - {None}
        views[name] = Score(len(g & s), len(g), len(s))
    gold_typed = {row for _, row in gold_rows}
    system_typed = {row for _, row in system_rows}
    return Evaluation(
        SENTENCE, views, _unmatched(gold_rows, system_typed), _unmatched(system_rows, gold_typed), include_all,
        gold_events=len(gold), gold_scored=len(gold_rows), system_events=len(system_rows),
        documents=len({g.doc for g in gold} | {e.doc for e in kept}),
    )


def _unmatched(rows: list[tuple[Any, _Row]], other: set[_Row]) -> list:
    """The first item of each row (a typed tuple) of ``rows`` that ``other`` lacks, in order."""
    seen: set[_Row] = set()
    items = []
    for item, row in rows:
        if row not in other and row not in seen:
            seen.add(row)
            items.append(item)
    return items


def _country(actor: Actor | None) -> str | None:
    return actor.country if actor else None


def score_articles(gold: Sequence[ArticleGold], events: Iterable[Event], *, include_all: bool = False) -> Evaluation:
    """Score ``events`` against article-level ``gold``, one to one, per document.

    In each document, each gold event (in gold order) takes the first kg event (in the order
    of ``events``) that no earlier gold event took and that matches it in the view: same
    sentence (:func:`same_sentence`) and, per view, the same type (``event``), subject,
    object (:func:`same_actor`), both actors (``actors``) or all three (``full``). Gold events
    coded ``"factual": false`` and kg's events that are not :attr:`~kg.records.Event.is_factual`
    are scored only with ``include_all``. Precision counts every kg event scored, in documents
    with no gold event too.

    >>> from kg.records import Actor, Event
    >>> police = Actor("police", "Colombian police", "https://w3id.org/kg/id/force/col-police", "ArmedForce", "COL", None, (0, 6))
    >>> sentence = "Colombian police arrested Juan Perez in Cali."
    >>> arrest = Event("d1", police, None, "arrest", "COERCE", "17", None, sentence, (0, 45), None, False, "asserted")
    >>> gold = [ArticleGold("d1", sentence, GoldActor("Colombia", "COL", "Country"), GoldActor("Juan Perez", "COL", "Person"), "COERCE")]
    >>> result = score_articles(gold, [arrest, arrest])
    >>> {view: (s.tp, s.gold, s.system) for view, s in result.views.items()}
    {'event': (1, 1, 2), 'subject': (1, 1, 2), 'object': (0, 1, 2), 'actors': (0, 1, 2), 'full': (0, 1, 2)}
    """
    alias = _aliases()
    gold_by_doc: dict[str, list[ArticleGold]] = {}
    for g in gold:
        gold_by_doc.setdefault(g.doc, []).append(g)
    system_by_doc: dict[str, list[Event]] = {}
    for e in events:
        if include_all or e.is_factual:
            system_by_doc.setdefault(e.doc, []).append(e)
    counts = {view: [0, 0, 0] for view in ARTICLE_VIEWS}  # tp, gold, system
    missed: list[GoldEvent] = []
    spurious: list[Event] = []
    for doc in dict.fromkeys([*gold_by_doc, *system_by_doc]):
        golds = [g for g in gold_by_doc.get(doc, []) if include_all or g.factual]
        systems = system_by_doc.get(doc, [])
        checks = [[_Match(g, s, alias) for s in systems] for g in golds]
        for view in ARTICLE_VIEWS:
            used: set[int] = set()
            for i, g in enumerate(golds):
                hit = next((j for j in range(len(systems)) if j not in used and checks[i][j].view(view)), None)
                if hit is None:
                    if view == "full":
                        missed.append(g)
                    continue
                used.add(hit)
                counts[view][0] += 1
            counts[view][1] += len(golds)
            counts[view][2] += len(systems)
            if view == "full":
                spurious += [s for j, s in enumerate(systems) if j not in used]
    views = {view: Score(*counts[view]) for view in ARTICLE_VIEWS}
    return Evaluation(
        ARTICLE, views, missed, spurious, include_all,
        gold_events=len(gold), gold_scored=views["full"].gold, system_events=views["full"].system,
        documents=len(gold_by_doc.keys() | system_by_doc.keys()),
    )


class _Match:
    """How one gold event and one kg event agree (computed once, read by every view)."""

    __slots__ = ("object", "sentence", "subject", "type")

    def __init__(self, gold: ArticleGold, event: Event, alias: Callable[[str | None], str | None]) -> None:
        self.sentence = same_sentence(gold.sentence, event.sentence)
        self.type = alias(gold.event_type) == alias(event.event_type)
        self.subject = same_actor(gold.subject, event.subject)
        self.object = same_actor(gold.object, event.object)

    def view(self, name: str) -> bool:
        if not self.sentence:
            return False
        actors = self.subject and self.object
        return {"event": self.type, "subject": self.subject, "object": self.object, "actors": actors, "full": actors and self.type}[name]


# ---------------------------------------------------------------- matching sentences and actors


@lru_cache(maxsize=1)
def generic_words() -> frozenset[str]:
    """The words that name no particular actor ("the", "police", "ministry"), from
    ``kg/data/eval_generic_words.txt``, read once.

    >>> {"police", "authorities", "the"} <= generic_words(), "saca" in generic_words()
    (True, False)
    """
    text = resources.files("kg.data").joinpath(GENERIC_WORDS_FILE).read_text(encoding="utf-8")
    return frozenset(word for line in text.splitlines() if not line.lstrip().startswith("#") for word in line.split())


_WORD = re.compile(r"[a-z0-9]+")


def _tokens(text: str | None) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return _WORD.findall(ascii_text)


def _content(text: str | None) -> set[str]:
    generic = generic_words()
    return {t for t in _tokens(text) if t not in generic and len(t) > 1}


def same_sentence(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are one sentence: of the distinct words (lower case, accents
    dropped) of the shorter, at least 60% are in the other. Sentence breaks may differ.

    >>> same_sentence("Police arrested Juan Pérez in Cali.", "Police arrested Juan Perez in Cali on Monday, officials said.")
    True
    >>> same_sentence("Police arrested Juan Perez.", "Juan Perez was freed on bail later.")
    False
    """
    ta, tb = set(_tokens(a)), set(_tokens(b))
    if not ta or not tb:
        return False
    return len(ta & tb) / min(len(ta), len(tb)) >= SENTENCE_OVERLAP


def same_actor(gold: GoldActor | None, actor: Actor | None) -> bool:
    """Whether a gold actor and a kg actor are one: both absent; or, with no conflict of
    countries, names sharing a content word (a word not in :func:`generic_words`, the kg
    actor's label and text both counted); or, where either is a ``Country`` or either name
    is only generic words, the same country.

    >>> from kg.records import Actor
    >>> police = Actor("the police", "Mexican police", "https://w3id.org/kg/id/force/mex-police", "ArmedForce", "MEX", None, (0, 10))
    >>> same_actor(GoldActor("Mexico", "MEX", "Country"), police), same_actor(GoldActor("Mexico", "GTM", "Country"), police)
    (True, False)
    >>> same_actor(GoldActor("Sinaloa Cartel", "MEX", "Group"), police), same_actor(None, None)
    (False, True)
    """
    if gold is None or actor is None:
        return gold is None and actor is None
    if gold.country and actor.country and gold.country != actor.country:
        return False
    gold_words = _content(gold.name)
    actor_words = _content(" ".join(name for name in (actor.label, actor.text) if name))
    if gold_words & actor_words:
        return True
    coarse = "Country" in (gold.type, actor.type) or not gold_words or not actor_words
    return bool(coarse and gold.country and gold.country == actor.country)
