"""Scoring kg's events against hand-coded gold events: the functions behind ``kg eval``.

Two gold formats, told apart by their records (one JSON object per line):

``sentence``
    ``{"doc", "source", "target", "event_type"}``, actors as ISO3 country
    codes. Scored as sets per document, in four views: ``pair`` (doc,
    source, target), ``typed`` (the pair and the event type), ``source``
    and ``target``; an event with neither country is left out, on both sides.
``article``
    ``{"doc", "sentence", "trigger", "subject", "object", "event_type",
    "factual"}``, actors as ``{"name", "country", "type"}`` or ``null``.
    A gold event matches a kg event of the same document and sentence
    (:func:`same_sentence`), per view: ``event`` (same type), ``subject``,
    ``object`` (:func:`same_actor`), ``actors`` (both) or ``full`` (both
    and the type). Each gold event takes the first kg event, in kg's order,
    that matches it and no earlier gold event took.

Either way PLOVER 0.5 names count as their PLOVER 2021 successors (the
aliases of the event lexicon), precision counts every kg event of the
documents scored (those with no gold event too), and only what the text
states as fact is scored unless ``include_all``: kg's events for which
``is_factual`` is false and, in article gold, events coded ``"factual":
false``. These are the semantics of the shared scorers ``score.py`` and
``score_articles.py``, so the numbers are theirs.

=======================  ====================================================
``read_gold``            a gold file, its format detected (:class:`Gold`)
``parse_gold``           the same, from lines already read
``score_sentences``      sentence-level gold against events (:class:`Evaluation`)
``score_articles``       article-level gold against events
``evaluate``             either, by the gold's format
``evaluate_inputs``      extract the inputs (as ``kg extract``) and score them
``same_sentence``        the article scorer's sentence match
``same_actor``           its actor match
``print_evaluation``     an evaluation as rich tables (``kg eval``)
=======================  ====================================================

>>> from kg.records import Actor, Event
>>> gold = parse_gold(['{"doc": "d1", "source": "POL", "target": "BLR", "event_type": "SANCTION"}',
...                    '{"doc": "d1", "source": "BLR", "target": "POL", "event_type": "DISAPPROVE"}'])
>>> gold.format, len(gold.events)
('sentence', 2)
>>> poland = Actor("Poland", "Poland", "https://w3id.org/kg/id/country/POL", "Country", "POL", None, (0, 6))
>>> diplomat = Actor("a Belarusian diplomat", "Belarus", "https://w3id.org/kg/id/country/BLR", "Country", "BLR", None, (16, 37))
>>> expel = Event("d1", poland, diplomat, "expel", "SANCTION", "16", None, "Poland expelled a Belarusian diplomat.", (0, 38), None, False, "asserted")
>>> result = evaluate(gold, [expel])
>>> {view: (s.tp, s.gold, s.system) for view, s in result.views.items()}
{'pair': (1, 2, 1), 'typed': (1, 2, 1), 'source': (1, 2, 1), 'target': (1, 2, 1)}
>>> result.views["typed"].recall, [(g.source, g.event_type) for g in result.missed]
(0.5, [('BLR', 'DISAPPROVE')])
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Union

from kg.errors import Errors, KGError

if TYPE_CHECKING:
    from rich.console import Console

    from kg.records import Actor, Event, Notice, Skipped

__all__ = [
    "ARTICLE_VIEWS",
    "SENTENCE_VIEWS",
    "ArticleGold",
    "Evaluation",
    "Gold",
    "GoldActor",
    "Score",
    "SentenceGold",
    "evaluate",
    "evaluate_inputs",
    "parse_gold",
    "print_evaluation",
    "read_gold",
    "same_actor",
    "same_sentence",
    "score_articles",
    "score_sentences",
]

SENTENCE, ARTICLE = "sentence", "article"
SENTENCE_VIEWS = ("pair", "typed", "source", "target")
ARTICLE_VIEWS = ("event", "subject", "object", "actors", "full")
#: The view whose misses and spurious events are listed: all there is to match.
STRICTEST_VIEW = {SENTENCE: "typed", ARTICLE: "full"}
#: How much of two sentences' words must be shared (of the shorter one's) for them to be one.
SENTENCE_OVERLAP = 0.6
GENERIC_WORDS_FILE = "eval_generic_words.txt"


# ---------------------------------------------------------------- gold records


@dataclass(frozen=True)
class SentenceGold:
    """A sentence-level gold event: countries (ISO3 codes, or ``None``) and a PLOVER type."""

    doc: str
    source: str | None
    target: str | None
    event_type: str
    line: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"doc": self.doc, "source": self.source, "target": self.target, "event_type": self.event_type}


@dataclass(frozen=True)
class GoldActor:
    """An actor of article-level gold: the name the article uses, its country (ISO3) and type."""

    name: str
    country: str | None = None
    type: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "country": self.country, "type": self.type}


@dataclass(frozen=True)
class ArticleGold:
    """An article-level gold event (CODEBOOK of the shared article set): the sentence as
    written, the actors (``None`` where the text names no one), type and modality."""

    doc: str
    sentence: str
    subject: GoldActor | None
    object: GoldActor | None
    event_type: str
    factual: bool = True
    trigger: str | None = None
    line: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "sentence": self.sentence,
            "trigger": self.trigger,
            "subject": self.subject.to_json() if self.subject else None,
            "object": self.object.to_json() if self.object else None,
            "event_type": self.event_type,
            "factual": self.factual,
        }


GoldEvent = Union[SentenceGold, ArticleGold]


@dataclass(frozen=True)
class Gold:
    """The events of a gold file, all in one ``format`` (``"sentence"`` or ``"article"``)."""

    format: str
    events: tuple[GoldEvent, ...]
    path: str = "<gold>"

    @property
    def documents(self) -> list[str]:
        """The documents of the gold events, in order of first appearance."""
        return list(dict.fromkeys(g.doc for g in self.events))


def read_gold(path: str) -> Gold:
    """The gold events of the file ``path`` (UTF-8 JSON lines), format detected.

    Raises ``KGError``: E110 the file cannot be read, and as :func:`parse_gold`.
    """
    try:
        with open(path, encoding="utf-8") as f:
            return parse_gold(f, path)
    except (OSError, UnicodeDecodeError) as e:
        raise KGError(Errors.E110.format(path=path, detail=getattr(e, "strerror", None) or e)) from e


def parse_gold(lines: Iterable[str], path: str = "<gold>") -> Gold:
    """The gold events of ``lines`` (JSON objects; blank lines are skipped), in one format:
    the first event's, ``"sentence"`` when it has ``source``/``target``, ``"article"`` when
    it has ``subject``/``object`` (or ``sentence``).

    Raises ``KGError`` naming ``path`` and the line: E111 not a JSON object, E112 in neither
    format, E113 a missing or malformed field, E114 an unknown event type, E115 a line in
    the other format, E116 no events at all.

    >>> parse_gold(['{"doc": "d1", "sentence": "Police arrested him.", "subject": null, "object": null,'
    ...             ' "event_type": "COERCE"}']).events[0].factual
    True
    >>> parse_gold(['{"doc": "d1", "text": "Poland expelled a diplomat."}'], "gold.jsonl")
    Traceback (most recent call last):
    ...
    kg.errors.KGError: [E112] gold.jsonl:1: a gold event in neither format (its fields: doc, text): ...
    """
    fmt: str | None = None
    first = 0
    events: list[GoldEvent] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise KGError(Errors.E111.format(path=path, line=n, detail=e)) from e
        if not isinstance(record, dict):
            raise KGError(Errors.E111.format(path=path, line=n, detail=f"a JSON {type(record).__name__}"))
        found = _format_of(record, path, n)
        if fmt is None:
            fmt, first = found, n
        elif found != fmt:
            raise KGError(Errors.E115.format(path=path, line=n, found=found, expected=fmt, first=first))
        events.append(_sentence_gold(record, path, n) if found == SENTENCE else _article_gold(record, path, n))
    if fmt is None:
        raise KGError(Errors.E116.format(path=path))
    return Gold(fmt, tuple(events), path)


def _format_of(record: dict[str, Any], path: str, line: int) -> str:
    pair = [key for key in ("source", "target") if key in record]
    actors = [key for key in ("subject", "object") if key in record]
    if pair and actors:
        raise KGError(Errors.E112.format(path=path, line=line, detail=f"it has both {pair[0]!r} and {actors[0]!r}"))
    if pair:
        return SENTENCE
    if actors or "sentence" in record:
        return ARTICLE
    detail = f"its fields: {', '.join(record)}" if record else "an empty object"
    raise KGError(Errors.E112.format(path=path, line=line, detail=detail))


def _sentence_gold(record: dict[str, Any], path: str, line: int) -> SentenceGold:
    check = _Fields(record, path, line)
    return SentenceGold(
        doc=check.text("doc"),
        source=check.optional_text("source", required=True),
        target=check.optional_text("target", required=True),
        event_type=check.event_type(),
        line=line,
    )


def _article_gold(record: dict[str, Any], path: str, line: int) -> ArticleGold:
    check = _Fields(record, path, line)
    factual = record.get("factual", True)
    if not isinstance(factual, bool):
        check.fail("factual", f"expected true or false, not {factual!r}")
    return ArticleGold(
        doc=check.text("doc"),
        sentence=check.text("sentence"),
        subject=check.actor("subject"),
        object=check.actor("object"),
        event_type=check.event_type(),
        factual=factual,
        trigger=check.optional_text("trigger"),
        line=line,
    )


class _Fields:
    """Checks of one gold record's fields; each failure is a coded one-line KGError (E113, E114)."""

    def __init__(self, record: dict[str, Any], path: str, line: int) -> None:
        self.record, self.path, self.line = record, path, line

    def fail(self, name: str, detail: str) -> None:
        raise KGError(Errors.E113.format(path=self.path, line=self.line, field=name, detail=detail))

    def text(self, name: str) -> str:
        value = self.record.get(name)
        if name not in self.record:
            self.fail(name, "missing")
        if not isinstance(value, str) or not value.strip():
            self.fail(name, f"expected a non-empty string, not {value!r}")
        return str(value)

    def optional_text(self, name: str, *, required: bool = False, record: dict[str, Any] | None = None, where: str = "") -> str | None:
        record = self.record if record is None else record
        if required and name not in record:
            self.fail(where + name, "missing (null when the text names no one)")
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            self.fail(where + name, f"expected a string or null, not {value!r}")
        return value

    def actor(self, name: str) -> GoldActor | None:
        value = self.record.get(name)
        if value is not None and not isinstance(value, dict):
            self.fail(name, f"expected {{\"name\", \"country\", \"type\"}} or null, not {value!r}")
        if not value:  # null, or an empty object: no actor (as the shared scorer reads it)
            return None
        where = f"{name}."
        return GoldActor(
            self.optional_text("name", record=value, where=where) or "",
            self.optional_text("country", record=value, where=where),
            self.optional_text("type", record=value, where=where),
        )

    def event_type(self) -> str:
        from kg.extraction.lexicon import load_lexicon

        name = self.text("event_type")
        lexicon = load_lexicon()
        if name not in lexicon.types and name not in lexicon.aliases:
            raise KGError(
                Errors.E114.format(
                    path=self.path, line=self.line, name=name, choices=", ".join(lexicon.types), aliases=", ".join(lexicon.aliases)
                )
            )
        return name


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


_Row = tuple[str, Union[str, None], Union[str, None], Union[str, None]]
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

    __slots__ = ("sentence", "type", "subject", "object")

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


# ---------------------------------------------------------------- running and printing


def evaluate_inputs(
    gold: Gold,
    inputs: Iterable[str],
    *,
    include_all: bool = False,
    model: str | None = None,
    workers: int = 1,
    on_skip: Callable[[Skipped | Notice], None] | None = None,
) -> Evaluation:
    """Extract the events of ``inputs`` (files, folders, JSONL, ``-``: as ``kg extract``) and
    score them against ``gold``; ``unread`` names the gold documents no input held, and
    ``documents`` counts the articles read and those.
    Inputs that cannot be read go to ``on_skip``."""
    from kg import DEFAULT_MODEL
    from kg.run.pipeline import extract as run_extract

    events: list[Event] = []
    read: set[str] = set()
    for extraction in run_extract(inputs, model=model or DEFAULT_MODEL, on_skip=on_skip, workers=workers):
        read.add(extraction.article.id)
        events += extraction.events
    result = evaluate(gold, events, include_all=include_all)
    unread = tuple(doc for doc in gold.documents if doc not in read)
    return replace(result, unread=unread, documents=len(read) + len(unread))


def print_evaluation(evaluation: Evaluation, console: Console | None = None, *, show: int = 0) -> None:
    """Print ``evaluation`` as ``kg eval`` does: a line about what was scored, P, R and F1 per
    view (three places, as the shared scorers), then ``show`` missed and ``show`` spurious events."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    scope = "all events" if evaluation.include_all else "events stated as fact"
    console.print(
        f"{evaluation.format.capitalize()}-level gold, {scope}: {evaluation.gold_scored} gold events "
        f"(of {evaluation.gold_events}) and {evaluation.system_events} kg events in {evaluation.documents} documents",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    table = Table("view", "P", "R", "F1", "tp", "gold", "system")
    for name, score in evaluation.views.items():
        table.add_row(name, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}", str(score.tp), str(score.gold), str(score.system))
    console.print(table)
    if not show:
        return
    view = evaluation.strictest_view
    listings = (
        (f"Missed ({view} view): {len(evaluation.missed)}", [_gold_row(g) for g in evaluation.missed[:show]]),
        (f"Spurious ({view} view): {len(evaluation.spurious)}", [_event_row(e) for e in evaluation.spurious[:show]]),
    )
    for title, rows in listings:
        console.print(title, highlight=False, markup=False)
        if not rows:
            continue
        listing = Table(*("doc", "subject", "type", "object", "sentence")[: max(len(row) for row in rows)])
        for row in rows:
            listing.add_row(*row)
        console.print(listing)


def _gold_row(g: GoldEvent) -> list[str]:
    if isinstance(g, SentenceGold):
        return [g.doc, g.source or "-", g.event_type, g.target or "-"]
    names = [f"{a.name} ({a.country})" if a and a.country else (a.name if a else "-") for a in (g.subject, g.object)]
    return [g.doc, names[0], g.event_type, names[1], g.sentence]


def _event_row(e: Event) -> list[str]:
    names = [f"{a.label} ({a.country})" if a and a.country else (a.label if a else "-") for a in (e.subject, e.object)]
    return [e.doc, names[0], e.event_type or "-", names[1], e.sentence]
