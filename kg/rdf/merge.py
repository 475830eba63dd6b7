"""Dedup: one node per real-world event, with every report of it attached.

One airstrike reported by forty outlets is forty ``kg:Event`` nodes, one per
sentence that states it: the event *reports* (or mentions). Counting them
measures media attention. This module merges the reports of one real-world
event into one ``kg:MergedEvent`` that ``kg:reportedBy`` each of them; how many
distinct articles report it (the ``sources`` column of the ``relations``
query) says how many independent sources state it.

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

How it is stored, and why
-------------------------
Each factual or negated report carries, in its article's graph, a
``kg:dedupKey`` (what it is compared on: ``"ASSAULT+COERCE|RUS|UKR"``) and a
``kg:dedupBlock`` (a hash naming the group of reports compared with each other:
type group, the object's key, or the subject's when there is no object, the
year, and the rules; or the article itself when the report has no date). Each
block has its own named graph ``kgr:graph/events/<block>`` holding its merged
events, their ``kg:reportedBy`` links and the ``kg:disputes`` links; it is a
function of the reports of the block and nothing else, recomputed whenever an
article adds or removes reports of it (:func:`write_blocks`, called by
:func:`kg.rdf.graph.write_article`; :func:`block_quads` for a batch of articles
written in one transaction). So:

- the merged events do not depend on the order articles arrive in (the
  reports are sorted before they are clustered), and rebuilding gives the
  same triples;
- an article's graph is still replaced in one transaction, and no other
  article's graph is touched: the links live in the block graphs;
- a merged event's IRI comes from its *anchor*, the most precise and earliest
  report of it (type group, actors, date as precise as given, place), so a new
  report that is not more precise attaches to the known event without renaming
  it;
- what a merged event owes to its reports (how many distinct articles report
  it, ``kg:sourceCount``, and the earliest of them, ``kg:firstReportedIn``:
  earliest publication date, then article id) is part of the block graph, so
  it is recomputed with the reports and cannot go stale.

>>> rules = DedupSettings.load()
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
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.errors import Errors, KGError
from kg.rdf.namespace import KG, PLOVER, RESOURCE
from kg.vocab import EVENTS_GRAPHS, FACTUAL_MODALITIES, PLOVER_TYPES, actor_iri

if TYPE_CHECKING:
    import pyoxigraph

    from kg.records import Actor, Event

__all__ = [
    "DedupSettings",
    "DateSpan",
    "Report",
    "EVENTS_GRAPHS",
    "block_graph",
    "block_graph_iri",
    "block_graphs",
    "block_quads",
    "cluster",
    "current",
    "date_span",
    "merged_event_iri",
    "refresh",
    "report_key",
    "reports_in_graph",
    "stored_reports",
    "using",
    "write_blocks",
]

#: Prefix of the named graphs holding the merged events of one block each.
_RULES_FILE = "dedup.json"
_PRECISION_RANK = {"day": 0, "published": 1, "week": 2, "month": 3, "year": 4}
_BLOCK_ID = re.compile(r"^[0-9a-f]{16}$")
_STATE_CODE = re.compile(r"^[A-Z]{3}$")


# ---------------------------------------------------------------- the rules


@dataclass(frozen=True)
class DedupSettings:
    """The rules for merging reports (defaults: ``kg/data/dedup.json``, see :meth:`load`).

    ``enabled=False`` (``kg build --no-dedup``) writes no dedup keys: every
    report is an event of its own.

    >>> DedupSettings.load().with_options(window_days=3).window_days
    3
    >>> DedupSettings.load().fingerprint != DedupSettings.load().with_options(window_days=3).fingerprint
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
    def load(cls, path: str | Path | None = None) -> DedupSettings:
        """The rules of the JSON file ``path`` (default: the shipped ``kg/data/dedup.json``).

        Raises ``KGError`` E090 when the file cannot be read or is malformed,
        E091 for an unknown PLOVER type in ``compatible_types``.
        """
        if path is None:
            return _default_settings()
        return _settings_from_file(Path(path))

    def with_options(self, *, enabled: bool | None = None, window_days: int | None = None) -> DedupSettings:
        """These rules with the options of ``kg build`` (``--no-dedup``, ``--dedup-window``) applied."""
        changes = {}
        if enabled is not None:
            changes["enabled"] = enabled
        if window_days is not None:
            if window_days < 0:
                raise KGError(Errors.E090.format(path="--dedup-window", detail=f"{window_days} days: use 0 or more"))
            changes["window_days"] = window_days
        return replace(self, **changes)

    @property
    def fingerprint(self) -> str:
        """A short hash of the rules: part of every block id, so that changing a rule changes
        every article's graph and a rebuild re-merges everything with the new rules."""
        data = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
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
            return bool(actor.role) and actor.role.lower() in self.state_roles
        return False


@lru_cache(maxsize=1)
def _default_settings() -> DedupSettings:
    return _settings_from_text(resources.files("kg.data").joinpath(_RULES_FILE).read_text(encoding="utf-8"), _RULES_FILE)


def _settings_from_file(path: Path) -> DedupSettings:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise KGError(Errors.E090.format(path=path, detail=e)) from e
    return _settings_from_text(text, str(path))


def _settings_from_text(text: str, source: str) -> DedupSettings:
    try:
        data = json.loads(text)
        settings = DedupSettings(
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
    for group in settings.compatible_types:
        for name in group:
            if name not in known:
                raise KGError(Errors.E091.format(path=source, name=name, choices=", ".join(sorted(known))))
    return settings


def _days(data: dict, name: str, default: int) -> int:
    value = data.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a whole number of days, 0 or more, not {value!r}")
    return value


_ACTIVE: DedupSettings | None = None


def current() -> DedupSettings:
    """The rules :func:`kg.rdf.graph.write_article` uses when it is given none: those set by
    :func:`using`, else the shipped ones."""
    return _ACTIVE if _ACTIVE is not None else _default_settings()


@contextmanager
def using(settings: DedupSettings) -> Iterator[DedupSettings]:
    """Make ``settings`` the rules of every article written inside the ``with`` block
    (process-wide; ``kg build`` wraps its run in it).

    >>> with using(DedupSettings.load().with_options(enabled=False)):
    ...     current().enabled
    False
    >>> current().enabled
    True
    """
    global _ACTIVE
    previous, _ACTIVE = _ACTIVE, settings
    try:
        yield settings
    finally:
        _ACTIVE = previous


# ---------------------------------------------------------------- dates


@dataclass(frozen=True)
class DateSpan:
    """The days a report's date may mean: ``[start, end]``; ``rank`` orders precisions
    (0 a day given in the text, 1 the publication day, 2 a week, 3 a month, 4 a year)."""

    start: date
    end: date
    rank: int
    label: str

    def gap(self, other: DateSpan) -> int:
        """Days between the two spans (0 when they overlap).

        >>> rules = DedupSettings()
        >>> date_span("2024-03-04", "day", True, rules).gap(date_span("2024-03-01", "month", True, rules))
        0
        """
        return max(0, (max(self.start, other.start) - min(self.end, other.end)).days)


def date_span(value: str | None, precision: str | None, from_text: bool, settings: DedupSettings) -> DateSpan | None:
    """The span of days of a report dated ``value`` with ``precision``; ``from_text`` is False
    when the date is the article's publication day (no ``kg:dateText``). ``None`` when undated.

    >>> rules = DedupSettings(publication_lookback_days=1)
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
        start = day - timedelta(days=settings.publication_lookback_days)
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


def report_key(event: Event, article_id: str, settings: DedupSettings) -> tuple[str, str] | None:
    """``(kg:dedupKey, kg:dedupBlock)`` of a report, or ``None`` when it takes no part in merging
    (merging off; hypothetical, alleged or purpose; untyped with ``merge_untyped`` off).

    Negated reports get keys too: they are compared with the events they may dispute.
    """
    if not settings.enabled:
        return None
    if not (event.is_factual or (event.negated and event.modality in FACTUAL_MODALITIES)):
        return None
    group = settings.type_group(event.event_type, event.predicate)
    if group is None:
        return None
    subject, obj = settings.actor_key(event.subject), settings.actor_key(event.object)
    key = f"{group}|{subject}|{obj}"
    span = date_span(event.date, event.date_precision, bool(event.date_text), settings)
    side = f"o:{obj}" if obj != "-" else f"s:{subject}"
    bucket = str(span.start.year) if span else f"undated:{article_id}"
    return key, _hash(f"{settings.fingerprint}|{group}|{side}|{bucket}", 16)


def block_graph_iri(block: str) -> URIRef:
    """The named graph of the merged events of a block.

    >>> str(block_graph_iri("0123456789abcdef"))
    'https://w3id.org/kg/id/graph/events/0123456789abcdef'
    """
    return URIRef(EVENTS_GRAPHS + block)


def merged_event_iri(key: str) -> URIRef:
    """IRI of the merged event whose anchor has the canonical ``key``.

    >>> str(merged_event_iri("AID|kgr:country/RUS|kgr:country/BLR|2024-03-04"))
    'https://w3id.org/kg/id/merged-event/ba84e1532df7'
    """
    return RESOURCE[f"merged-event/{_hash(key, 12)}"]


# ---------------------------------------------------------------- reports and clusters


@dataclass(frozen=True)
class Report:
    """One event report as the clustering sees it (read back from an article graph)."""

    iri: str
    graph: str  # the article graph it is in
    block: str
    group: str
    subject_key: str
    object_key: str
    subject: str | None
    object: str | None
    predicate: str
    event_type: str | None
    theme: str | None
    instruments: frozenset[str]
    place: str | None
    date: str | None
    precision: str | None
    span: DateSpan | None
    negated: bool
    modality: str
    article_id: str = ""  # of the article (graph) the report is in: a merged event's earliest source
    published: str | None = None

    @property
    def order(self) -> tuple:
        """Most precise first, then earliest: the first report of a cluster is its anchor."""
        span = self.span
        return (
            span.rank if span else 9,
            span.start if span else date.max,
            span.end if span else date.max,
            self.subject or "",
            self.object or "",
            self.iri,
        )


# (name in the query and in Report values, property)
_FIELDS = (
    ("block", KG.dedupBlock),
    ("key", KG.dedupKey),
    ("predicate", KG.predicate),
    ("type", KG.eventType),
    ("subject", KG.subject),
    ("object", KG.object),
    ("theme", KG.theme),
    ("date", KG.date),
    ("precision", KG.datePrecision),
    ("dateText", KG.dateText),
    ("place", KG.location),
    ("negated", KG.negated),
    ("modality", KG.modality),
    ("instrument", KG.instrument),
)

# (name, property) of the article a report is in; the article's graph is named by its IRI
_ARTICLE_FIELDS = (("articleId", KG.articleId), ("published", KG.published))

_REPORTS_QUERY = (
    "SELECT ?g ?r " + " ".join(f"?{name}" for name, _ in _FIELDS + _ARTICLE_FIELDS) + " WHERE {\n"
    "  VALUES ?block { %s }\n"
    "  GRAPH ?g {\n"
    f"    ?r <{KG.dedupBlock}> ?block ; <{KG.dedupKey}> ?key .\n"
    + "".join(f"    OPTIONAL {{ ?r <{prop}> ?{name} }}\n" for name, prop in _FIELDS[2:])
    + "".join(f"    OPTIONAL {{ ?g <{prop}> ?{name} }}\n" for name, prop in _ARTICLE_FIELDS)
    + "  }\n}"
)


def _report(iri: str, graph: str, values: dict[str, set[str]], settings: DedupSettings) -> Report:
    def one(name: str) -> str | None:
        return min(values[name]) if values.get(name) else None

    group, subject_key, object_key = (one("key") or "||").rsplit("|", 2)
    event_type = one("type")
    return Report(
        iri=iri,
        graph=graph,
        block=one("block") or "",
        group=group,
        subject_key=subject_key,
        object_key=object_key,
        subject=one("subject"),
        object=one("object"),
        predicate=one("predicate") or "",
        event_type=event_type.rsplit("#", 1)[-1] if event_type else None,
        theme=one("theme"),
        instruments=frozenset(values.get("instrument", ())),
        place=one("place"),
        date=one("date"),
        precision=one("precision"),
        span=date_span(one("date"), one("precision"), bool(values.get("dateText")), settings),
        negated=(one("negated") or "false").lower() in ("true", "1"),
        modality=one("modality") or "asserted",
        article_id=one("articleId") or "",
        published=one("published"),
    )


def reports_in_graph(graph: Graph | Iterable[pyoxigraph.Quad], name: str, settings: DedupSettings) -> list[Report]:
    """The reports (events with a ``kg:dedupBlock``) of an article graph not yet stored:
    an rdflib ``Graph``, or the pyoxigraph quads of one (as a parallel build makes them)."""
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    names = {str(prop): field_name for field_name, prop in _FIELDS}
    article_names = {str(prop): field_name for field_name, prop in _ARTICLE_FIELDS}
    article: dict[str, set[str]] = defaultdict(set)
    if isinstance(graph, Graph):
        triples = ((str(s), str(p), str(o)) for s, p, o in graph)
    else:
        triples = ((q.subject.value, q.predicate.value, q.object.value) for q in graph)
    for subject, predicate, obj in triples:
        if predicate in names:
            values[subject][names[predicate]].add(obj)
        elif subject == name and predicate in article_names:
            article[article_names[predicate]].add(obj)
    return [
        _report(node, name, values[node] | article, settings) for node in sorted(values) if values[node].get("block")
    ]


def stored_reports(store: pyoxigraph.Store, blocks: Iterable[str], settings: DedupSettings) -> list[Report]:
    """The reports of ``blocks`` in the article graphs of ``store``."""
    wanted = sorted(b for b in set(blocks) if _BLOCK_ID.match(b))  # our own hex ids: safe in the query text
    if not wanted:
        return []
    found: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    query = _REPORTS_QUERY % " ".join(f'"{b}"' for b in wanted)
    for row in store.query(query):
        values = found[(row["g"].value, row["r"].value)]
        for name, _ in _FIELDS + _ARTICLE_FIELDS:
            term = row[name]
            if term is not None:
                values[name].add(term.value)
    return [_report(iri, graph, values, settings) for (graph, iri), values in sorted(found.items())]


def cluster(reports: Iterable[Report], settings: DedupSettings) -> tuple[list[list[Report]], dict[str, int]]:
    """The merged events of the reports of one block, and the event each denial disputes.

    Factual reports are taken most precise and earliest first; each joins the
    first cluster all of whose reports it is compatible with, or starts a new one.
    The result depends on the set of reports only, never on their order.
    Returns the clusters (each a list of reports, its anchor first) and, for
    each negated report that disputes one, the index of that cluster.

    >>> rules = DedupSettings(window_days=1)
    >>> def r(iri, day, precision="day", negated=False):
    ...     return Report(iri, "g", "b", "ASSAULT", "RUS", "UKR", "kgr:RUS", "kgr:UKR", "attack", "ASSAULT", None,
    ...                   frozenset(), None, day, precision, date_span(day, precision, True, rules), negated, "asserted")
    >>> clusters, disputes = cluster([r("c", "2024-03-01", "month"), r("a", "2024-03-04"), r("b", "2024-03-20"),
    ...                               r("d", "2024-03-22", negated=True)], rules)
    >>> [[x.iri for x in members] for members in clusters], disputes
    ([['a', 'c'], ['b']], {'d': 1})
    """
    reports = sorted(reports, key=lambda r: r.order)
    clusters: list[list[Report]] = []
    for report in (r for r in reports if not r.negated):
        for members in clusters:
            if all(_same_event(report, m, settings) for m in members) and _dates_fit([*members, report], settings):
                members.append(report)
                break
        else:
            clusters.append([report])
    disputes: dict[str, int] = {}
    for denial in (r for r in reports if r.negated):
        best = None
        for index, members in enumerate(clusters):
            if _disputes(denial, members, settings) and (best is None or members[0].order[1] > clusters[best][0].order[1]):
                best = index
        if best is not None:
            disputes[denial.iri] = best
    return clusters, disputes


def _same_event(a: Report, b: Report, settings: DedupSettings) -> bool:
    if (a.group, a.subject_key, a.object_key, a.modality) != (b.group, b.subject_key, b.object_key, b.modality):
        return False
    if settings.one_sided_same_predicate and "-" in (a.subject_key, a.object_key) and a.predicate != b.predicate:
        return False
    exact = 0
    for mine, theirs, key in ((a.subject, b.subject, a.subject_key), (a.object, b.object, a.object_key)):
        if mine == theirs:
            exact += 1
        elif not _state_and_agent(mine, theirs, key):
            return False
    return exact >= 1 and _things_fit(a, b)


def _state_and_agent(a: str | None, b: str | None, key: str) -> bool:
    """One of two different actors with the same state key is the state itself."""
    if a is None or b is None or not _STATE_CODE.match(key):
        return False
    state = actor_iri("Country", key)
    return state in (a, b)


def _things_fit(a: Report, b: Report) -> bool:
    """Same weapons if both name some, a theme word in common if both have a theme, same place if both give one."""
    if a.instruments and b.instruments:
        if not a.instruments & b.instruments:
            return False
    elif a.theme and b.theme and not _theme_words(a.theme) & _theme_words(b.theme):
        return False
    return not (a.place and b.place and a.place != b.place)


_STOP_WORDS = frozenset(
    "the and for with from more new other some several about over than into this that these those its their "
    "his her our your any all also very most many much few such own two three four five six seven eight nine ten "
    "hundred hundreds thousand thousands million billion".split()
)


@lru_cache(maxsize=4096)
def _theme_words(theme: str) -> frozenset[str]:
    """Content words of a theme, singular: "25 Leopard tanks" -> {"leopard", "tank"}.

    >>> sorted(_theme_words("more air defense and tanks"))
    ['air', 'defense', 'tank']
    """
    words = re.findall(r"[a-z][a-z-]{2,}", theme.lower())
    return frozenset(w[:-1] if w.endswith("s") and not w.endswith("ss") else w for w in words if w not in _STOP_WORDS)


def _dates_fit(members: list[Report], settings: DedupSettings) -> bool:
    spans = [m.span for m in members]
    if all(s is None for s in spans):
        return True  # undated: the block is one article's, so these are repeated mentions in it
    if any(s is None for s in spans):
        return False
    latest_start = max(s.start for s in spans)
    earliest_end = min(s.end for s in spans)
    return (latest_start - earliest_end).days <= settings.window_days


def _disputes(denial: Report, members: list[Report], settings: DedupSettings) -> bool:
    anchor = members[0]
    if (denial.group, denial.modality) != (anchor.group, anchor.modality):
        return False
    if not any(_denies(denial, m) for m in members):
        return False
    if denial.span is None or anchor.span is None:
        return denial.span is None and anchor.span is None
    too_late = (anchor.span.start - denial.span.end).days > settings.window_days
    too_early = (denial.span.start - anchor.span.end).days > settings.dispute_window_days
    return not (too_late or too_early)


def _denies(denial: Report, report: Report) -> bool:
    """Same actors where the denial names them (a side it leaves out matches any actor)."""
    exact = 0
    for mine, theirs, my_key, their_key in (
        (denial.subject, report.subject, denial.subject_key, report.subject_key),
        (denial.object, report.object, denial.object_key, report.object_key),
    ):
        if mine is None:
            continue
        if my_key != their_key:
            return False
        if mine == theirs:
            exact += 1
        elif not _state_and_agent(mine, theirs, my_key):
            return False
    return exact >= 1 and _things_fit(denial, report)


def _anchor_key(anchor: Report) -> str:
    when = anchor.span.label if anchor.span else f"undated:{anchor.graph}"
    things = ",".join(sorted(anchor.instruments))
    return "|".join((anchor.group, anchor.subject or "-", anchor.object or "-", when, anchor.place or "", anchor.modality, things))


def block_graph(reports: Iterable[Report], settings: DedupSettings) -> Graph:
    """The graph of one block: a ``kg:MergedEvent`` per cluster of its reports, with
    ``kg:reportedBy`` each report, and ``kg:disputes`` from each denial that disputes one.

    The merged event takes its actors, type and predicate from most of its
    reports (ties: the anchor's), its date and precision from its anchor (the most
    precise, earliest report), the first theme and place its reports give, and
    every weapon they name.
    """
    clusters, disputes = cluster(reports, settings)
    graph = Graph()
    iris: list[URIRef] = []
    for members in clusters:
        key = _anchor_key(members[0])
        node, n = merged_event_iri(key), 1
        while node in iris:  # two clusters with the same anchor key (rare): number them
            n += 1
            node = merged_event_iri(f"{key}|{n}")
        iris.append(node)
        _add_merged_event(graph, node, members)
    for denial, index in sorted(disputes.items()):
        graph.add((URIRef(denial), KG.disputes, iris[index]))
    return graph


def _add_merged_event(graph: Graph, node: URIRef, members: list[Report]) -> None:
    anchor = members[0]
    graph.add((node, RDF.type, KG.MergedEvent))
    subject, obj = _most_common(m.subject for m in members), _most_common(m.object for m in members)
    event_type = _most_common(m.event_type for m in members)
    if subject:
        graph.add((node, KG.subject, URIRef(subject)))
    if obj:
        graph.add((node, KG.object, URIRef(obj)))
    if event_type:
        graph.add((node, KG.eventType, PLOVER[event_type]))
    graph.add((node, KG.predicate, Literal(_most_common(m.predicate for m in members))))
    theme = next((m.theme for m in members if m.theme), None)
    if theme:
        graph.add((node, KG.theme, Literal(theme)))
    for thing in sorted(set().union(*(m.instruments for m in members))):
        graph.add((node, KG.instrument, URIRef(thing)))
    place = next((m.place for m in members if m.place), None)
    if place:
        graph.add((node, KG.location, URIRef(place)))
    if anchor.date:
        graph.add((node, KG.date, Literal(anchor.date[:10], datatype=XSD.date)))
        if anchor.precision:
            graph.add((node, KG.datePrecision, Literal(anchor.precision)))
    graph.add((node, KG.modality, Literal(anchor.modality)))
    for member in members:
        graph.add((node, KG.reportedBy, URIRef(member.iri)))
    # Stored rather than counted at query time, where grouping every report cost seconds on a
    # large store; the block graph is recomputed whenever its reports change, so these follow.
    graph.add((node, KG.sourceCount, Literal(len({m.graph for m in members}))))
    first = min(members, key=lambda m: (m.published or "9999-12-31", m.article_id))
    graph.add((node, KG.firstReportedIn, URIRef(first.graph)))


def _most_common(values: Iterable[str | None]) -> str | None:
    """The most frequent value; ties go to the one seen first (the anchor's side)."""
    values = list(values)
    counts = Counter(values)
    return max(values, key=lambda v: (counts[v], -values.index(v))) if values else None


# ---------------------------------------------------------------- the store


def block_graphs(
    store: pyoxigraph.Store, articles: Mapping[str, Graph | Iterable[pyoxigraph.Quad] | None], settings: DedupSettings
) -> list[tuple[str, Graph]]:
    """The new graphs of the blocks that the ``articles`` leave or join, as ``(graph name, graph)``.

    ``articles`` maps article graph names to their new graphs (an rdflib
    ``Graph`` or pyoxigraph quads; ``None`` for an article being removed).
    Blocks of their stored graphs lose their old reports, blocks of the new
    ones gain the new reports, and each block's graph is :func:`block_graph` of
    its reports. An empty graph means the block is gone (writing it drops it).
    Write them in the same transaction as the articles, or before them.
    """
    new: list[Report] = []
    for name, content in articles.items():
        if content is not None:
            new.extend(reports_in_graph(content, name, settings))
    affected = {r.block for r in new}
    for name in articles:
        affected |= _article_blocks(store, name)
    if not affected:
        return []
    reports: dict[str, list[Report]] = defaultdict(list)
    for report in stored_reports(store, affected, settings):
        if report.graph not in articles:
            reports[report.block].append(report)
    for report in new:
        reports[report.block].append(report)
    return [(str(block_graph_iri(block)), block_graph(reports[block], settings)) for block in sorted(affected)]


def block_quads(
    store: pyoxigraph.Store, articles: Mapping[str, Graph | Iterable[pyoxigraph.Quad] | None], settings: DedupSettings
) -> list[tuple[str, list[pyoxigraph.Quad]]]:
    """:func:`block_graphs` as ``(graph name, quads)`` pairs for :func:`kg.rdf.store.replace_graphs`, so that
    a batch of articles and the blocks they change are written in one transaction."""
    from kg.rdf.store import to_quads

    return [(name, to_quads(graph, name)) for name, graph in block_graphs(store, articles, settings)]


def write_blocks(store: pyoxigraph.Store, article: str, graph: Graph | None, settings: DedupSettings) -> list[str]:
    """Recompute, in one transaction, the blocks the article graph ``article`` leaves or joins;
    ``graph`` is its new graph (``None``: it is being removed). Returns the block graphs written.

    :func:`kg.rdf.graph.write_article` calls it *before* replacing the article's
    graph: if the run stops in between, the article's stored graph is the old
    one, so the next ``kg build`` writes it again and recomputes the same blocks.
    """
    from kg.rdf import store as kg_store

    pairs = block_quads(store, {article: graph}, settings)
    if pairs:
        kg_store.replace_graphs(store, pairs)
    return [name for name, _ in pairs]


def _article_blocks(store: pyoxigraph.Store, article: str) -> set[str]:
    import pyoxigraph

    name = pyoxigraph.NamedNode(article)
    predicate = pyoxigraph.NamedNode(str(KG.dedupBlock))
    return {quad.object.value for quad in store.quads_for_pattern(None, predicate, None, name)}


def refresh(store: pyoxigraph.Store, settings: DedupSettings | None = None) -> int:
    """Recompute every block graph of ``store`` from the reports in it (one transaction); returns
    how many blocks hold merged events. For repairs: after a run stopped between a block and
    its article and not resumed, or after article graphs were removed by hand."""
    from kg.rdf import store as kg_store

    settings = settings or current()
    blocks = {
        row["b"].value
        for row in store.query(f"SELECT DISTINCT ?b WHERE {{ GRAPH ?g {{ ?r <{KG.dedupBlock}> ?b }} }}")
    }
    reports: dict[str, list[Report]] = defaultdict(list)
    for report in stored_reports(store, blocks, settings):
        reports[report.block].append(report)
    pairs = [(str(block_graph_iri(b)), kg_store.to_quads(block_graph(reports[b], settings), str(block_graph_iri(b)))) for b in sorted(blocks)]
    wanted = {name for name, _ in pairs}
    stale = sorted(g.value for g in store.named_graphs() if g.value.startswith(EVENTS_GRAPHS) and g.value not in wanted)
    kg_store.replace_graphs(store, pairs + [(name, []) for name in stale])
    return len(blocks)


# ---------------------------------------------------------------- helpers


def _short(iri: str) -> str:
    base = str(RESOURCE)
    return iri[len(base):] if iri.startswith(base) else iri


def _hash(text: str, length: int) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]
