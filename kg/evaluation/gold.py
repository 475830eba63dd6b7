"""Gold events and their files: the records of both formats, read and checked line by line.

>>> gold = parse_gold(['{"doc": "d1", "source": "POL", "target": null, "event_type": "DEMAND"}'])
>>> gold.format, gold.events[0]
('sentence', SentenceGold(doc='d1', source='POL', target=None, event_type='DEMAND', line=1))
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kg.errors import Errors, KGError

__all__ = ["ARTICLE", "SENTENCE", "ArticleGold", "Gold", "GoldActor", "GoldEvent", "SentenceGold", "parse_gold", "read_gold"]

SENTENCE, ARTICLE = "sentence", "article"


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


GoldEvent = SentenceGold | ArticleGold


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
