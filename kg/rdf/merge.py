"""Merging reports of one real-world event: the rules, and what each report is compared on.

One airstrike reported by forty outlets is forty ``kg:Event`` nodes, one per
sentence that states it: the event *reports* (or mentions). Counting them
measures media attention. Reports of one real-world event are merged into one
``kg:MergedEvent`` that ``kg:reportedBy`` each of them; how many distinct
articles report it (the ``sources`` column of the ``relations`` query) says how
many independent sources state it. This module holds the rules
(:class:`MergeRules`), the span of days a report's date may mean
(:func:`date_span`) and the keys written with each report (:func:`report_key`);
:mod:`kg.rdf.blocks` clusters the reports and stores the merged events.

Two factual reports are of one event when (rules in ``kg/data/dedup.json``,
explained in ``docs/dedup.md``):

- their PLOVER types are the same or in one group of ``compatible_types``
  (untyped relations: the same verb);
- their subjects and their objects are the same actors, or one side is the same
  actor and on the other one report names a state and the other an actor of that
  state: its own armed forces, a listed state force, or a person in one of the
  ``state_roles`` ("Putin" for Russia);
- reports with one actor only (no object) have the same verb;
- their themes share a word when both have one (the weapons they name,
  ``kg:instrument``, must overlap when both name some), and their places are
  the same when both give one;
- their modality is the same (asserted, or planned);
- their dates are at most ``window_days`` apart, each date taken as the span its
  precision gives it (a day, a week, a month, a year; a date read from the
  publication day is that day or up to ``publication_lookback_days`` before),
  so "on March 4" and "in March" are compatible. All reports of one merged event
  must be pairwise compatible (no chaining of daily events into one).

Reports not stated as facts never merge: a hypothetical, alleged or purpose
report stays on its own, and a negated report of a known event (a denial)
``kg:disputes`` the latest such event of the ``dispute_window_days`` before it.

>>> rules = MergeRules.load()
>>> rules.type_group("COERCE", "seize"), rules.type_group(None, "meet")
('ASSAULT+COERCE', 'untyped:meet')
>>> date_span("2024-03-01", "month", True, rules)
DateSpan(start=datetime.date(2024, 3, 1), end=datetime.date(2024, 3, 31), rank=3, label='2024-03')
"""
from __future__ import annotations

import calendar
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import URIRef

from kg.errors import Errors, KGError
from kg.rdf.namespace import RESOURCE
from kg.vocab import EVENTS_GRAPHS, FACTUAL_MODALITIES, PLOVER_TYPES, actor_iri

if TYPE_CHECKING:
    from kg.records import Actor, Event

__all__ = [
    "MergeRules",
    "DateSpan",
    "block_graph_iri",
    "date_span",
    "merged_event_iri",
    "report_key",
]

_RULES_FILE = "dedup.json"
_PRECISION_RANK = {"day": 0, "published": 1, "week": 2, "month": 3, "year": 4}
_BLOCK_ID = re.compile(r"[0-9a-f]{16}")
#: How merged events are identified (2: their IRI names their block). Part of the rules'
#: fingerprint, hence of every block id: a store merged by an earlier scheme is merged
#: again, with the new IRIs, by its next ``kg build``.
MERGE_SCHEME = 2


# ---------------------------------------------------------------- the rules


@dataclass(frozen=True)
class MergeRules:
    """The rules for merging reports (defaults: ``kg/data/dedup.json``, see :meth:`load`).

    Whatever makes article graphs or merged events takes them as its
    ``merge`` parameter (:func:`kg.rdf.graph.write_article`,
    :func:`kg.run.pipeline.build`, ...; ``None`` there means the shipped rules).
    ``enabled=False`` (``kg build --no-dedup``) writes no dedup keys: every
    report is an event of its own.

    >>> MergeRules.load().with_options(window_days=3).window_days
    3
    >>> MergeRules.load().fingerprint != MergeRules.load().with_options(window_days=3).fingerprint
    True
    """

    enabled: bool = True
    window_days: int = 1
    publication_lookback_days: int = 1
    dispute_window_days: int = 30
    compatible_types: tuple[tuple[str, ...], ...] = ()
    merge_untyped: bool = True
    one_sided_same_predicate: bool = True
    state_roles: frozenset[str] = frozenset()  # lower case
    state_forces: frozenset[str] = frozenset()  # actor IRIs
    _groups: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for names in self.compatible_types:
            label = "+".join(sorted(names))
            for name in names:
                self._groups[name] = label

    @classmethod
    def load(cls, path: str | Path | None = None) -> MergeRules:
        """The rules of the JSON file ``path`` (default: the shipped ``kg/data/dedup.json``).

        Raises ``KGError`` E090 when the file cannot be read or is malformed,
        E091 for an unknown PLOVER type in ``compatible_types``.
        """
        if path is None:
            return _shipped_rules()
        return _rules_from_file(Path(path))

    def with_options(self, *, enabled: bool | None = None, window_days: int | None = None) -> MergeRules:
        """These rules with the options of ``kg build`` (``--no-dedup``, ``--dedup-window``) applied."""
        if window_days is not None and window_days < 0:
            raise KGError(Errors.E090.format(path="--dedup-window", detail=f"{window_days} days: use 0 or more"))
        return replace(
            self,
            enabled=self.enabled if enabled is None else enabled,
            window_days=self.window_days if window_days is None else window_days,
        )

    @property
    def fingerprint(self) -> str:
        """A short hash of the rules: part of every block id, so that changing a rule changes
        every article's graph and a rebuild re-merges everything with the new rules."""
        data = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
        data["scheme"] = MERGE_SCHEME
        data["state_roles"], data["state_forces"] = sorted(self.state_roles), sorted(self.state_forces)
        return _hash(json.dumps(data, sort_keys=True), 12)

    def type_group(self, event_type: str | None, predicate: str) -> str | None:
        """The group of types a report of ``event_type`` merges within (``None``: it never merges)."""
        if event_type:
            return self._groups.get(event_type, event_type)
        return f"untyped:{predicate}" if self.merge_untyped and predicate else None

    def actor_key(self, actor: Actor | None) -> str:
        """What an actor is compared on: the ISO3 code of a state or of an actor acting for it
        (its armed forces, a listed state force, a person in a state role), else its IRI
        (after ``https://w3id.org/kg/id/``); ``-`` for no actor."""
        if actor is None:
            return "-"
        if actor.country and (actor.type == "Country" or self.acts_for_state(actor)):
            return actor.country
        return _short(actor.id)

    def acts_for_state(self, actor: Actor) -> bool:
        """Whether ``actor`` (not a state itself) acts for the state of its ``country``."""
        if not actor.country:
            return False
        if actor.type == "ArmedForce":
            own = actor_iri("ArmedForce", f"{actor.country} armed forces")
            return actor.id == own or actor.id in self.state_forces
        if actor.type == "Person":
            return bool(actor.role and actor.role.lower() in self.state_roles)
        return False


@lru_cache(maxsize=1)
def _shipped_rules() -> MergeRules:
    return _rules_from_text(resources.files("kg.data").joinpath(_RULES_FILE).read_text(encoding="utf-8"), _RULES_FILE)


def _rules_from_file(path: Path) -> MergeRules:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise KGError(Errors.E090.format(path=path, detail=e)) from e
    return _rules_from_text(text, str(path))


def _rules_from_text(text: str, source: str) -> MergeRules:
    try:
        data = json.loads(text)
        rules = MergeRules(
            enabled=bool(data.get("enabled", True)),
            window_days=_days(data, "window_days", 1),
            publication_lookback_days=_days(data, "publication_lookback_days", 1),
            dispute_window_days=_days(data, "dispute_window_days", 30),
            compatible_types=tuple(tuple(sorted(str(n) for n in group)) for group in data.get("compatible_types", [])),
            merge_untyped=bool(data.get("merge_untyped", True)),
            one_sided_same_predicate=bool(data.get("one_sided_same_predicate", True)),
            state_roles=frozenset(str(role).lower() for role in data.get("state_roles", [])),
            state_forces=frozenset(actor_iri("ArmedForce", str(name)) for name in data.get("state_forces", [])),
        )
    except (ValueError, TypeError, AttributeError) as e:
        raise KGError(Errors.E090.format(path=source, detail=e)) from e
    known = set(PLOVER_TYPES)
    for group in rules.compatible_types:
        for name in group:
            if name not in known:
                raise KGError(Errors.E091.format(path=source, name=name, choices=", ".join(sorted(known))))
    return rules


def _days(data: dict, name: str, default: int) -> int:
    value = data.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a whole number of days, 0 or more, not {value!r}")
    return value


# ---------------------------------------------------------------- dates


@dataclass(frozen=True, slots=True)
class DateSpan:
    """The days a report's date may mean: ``[start, end]``; ``rank`` orders precisions
    (0 a day given in the text, 1 the publication day, 2 a week, 3 a month, 4 a year)."""

    start: date
    end: date
    rank: int
    label: str

    def gap(self, other: DateSpan) -> int:
        """Days between the two spans (0 when they overlap).

        >>> rules = MergeRules()
        >>> date_span("2024-03-04", "day", True, rules).gap(date_span("2024-03-01", "month", True, rules))
        0
        """
        return max(0, (max(self.start, other.start) - min(self.end, other.end)).days)


def date_span(value: str | None, precision: str | None, from_text: bool, merge: MergeRules) -> DateSpan | None:
    """The span of days of a report dated ``value`` with ``precision``; ``from_text`` is False
    when the date is the article's publication day (no ``kg:dateText``). ``None`` when undated.

    >>> rules = MergeRules(publication_lookback_days=1)
    >>> span = date_span("2024-03-05", "day", False, rules)
    >>> span.start.isoformat(), span.end.isoformat(), span.label
    ('2024-03-04', '2024-03-05', '2024-03-05~published')
    """
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    precision = precision if precision in _PRECISION_RANK else "day"
    if precision == "day" and not from_text:
        start = day - timedelta(days=merge.publication_lookback_days)
        return DateSpan(start, day, _PRECISION_RANK["published"], f"{day.isoformat()}~published")
    if precision == "week":
        return DateSpan(day, day + timedelta(days=6), _PRECISION_RANK["week"], f"{day.isoformat()}~week")
    if precision == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return DateSpan(day.replace(day=1), day.replace(day=last), _PRECISION_RANK["month"], day.strftime("%Y-%m"))
    if precision == "year":
        return DateSpan(day.replace(month=1, day=1), day.replace(month=12, day=31), _PRECISION_RANK["year"], str(day.year))
    return DateSpan(day, day, _PRECISION_RANK["day"], day.isoformat())


# ---------------------------------------------------------------- keys (written with each report)


def report_key(event: Event, article_id: str, merge: MergeRules) -> tuple[str, str] | None:
    """``(kg:dedupKey, kg:dedupBlock)`` of a report, or ``None`` when it takes no part in merging
    (merging off; hypothetical, alleged or purpose; untyped with ``merge_untyped`` off).

    Negated reports get keys too: they are compared with the events they may dispute.
    """
    if not merge.enabled:
        return None
    if not (event.is_factual or (event.negated and event.modality in FACTUAL_MODALITIES)):
        return None
    group = merge.type_group(event.event_type, event.predicate)
    if group is None:
        return None
    subject, obj = merge.actor_key(event.subject), merge.actor_key(event.object)
    key = f"{group}|{subject}|{obj}"
    span = date_span(event.date, event.date_precision, bool(event.date_text), merge)
    side = f"o:{obj}" if obj != "-" else f"s:{subject}"
    bucket = str(span.start.year) if span else f"undated:{article_id}"
    return key, _hash(f"{merge.fingerprint}|{group}|{side}|{bucket}", 16)


def block_graph_iri(block: str) -> URIRef:
    """The named graph of the merged events of a block.

    >>> str(block_graph_iri("0123456789abcdef"))
    'https://w3id.org/kg/id/graph/events/0123456789abcdef'
    """
    return URIRef(EVENTS_GRAPHS + block)


def merged_event_iri(block: str, key: str) -> URIRef:
    """IRI of the merged event of the block ``block`` whose anchor has the canonical ``key``:
    ``merged-event/<block>-<hash of key>``.

    The block id is part of the IRI, so two blocks can never mint one IRI (the
    same anchor key in two blocks, say an actor whose key differs between two
    articles, gives two IRIs), and the block's graph is named by what precedes
    the dash. Within a block, :func:`kg.rdf.blocks.block_graph` numbers two
    clusters with one anchor key. Both parts depend on the reports only, not on
    the order they arrived in, so a rebuild mints the same IRIs.

    >>> str(merged_event_iri("0123456789abcdef", "AID|kgr:country/RUS|kgr:country/BLR|2024-03-04"))
    'https://w3id.org/kg/id/merged-event/0123456789abcdef-ba84e1532df7'
    >>> merged_event_iri("1111111111111111", "k") != merged_event_iri("2222222222222222", "k")
    True
    >>> merged_event_iri("not a block", "k")
    Traceback (most recent call last):
    ...
    ValueError: not a block id (16 hex digits): 'not a block'
    """
    if not _BLOCK_ID.fullmatch(block):
        raise ValueError(f"not a block id (16 hex digits): {block!r}")
    return RESOURCE[f"merged-event/{block}-{_hash(key, 12)}"]


# ---------------------------------------------------------------- helpers


def _short(iri: str) -> str:
    base = str(RESOURCE)
    return iri[len(base):] if iri.startswith(base) else iri


def _hash(text: str, length: int) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]

