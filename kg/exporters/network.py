"""The actor network of a store as a networkx graph: actors as nodes, events as edges.

Events are read from the union of all named graphs, one row per real-world
event (a ``kg:MergedEvent``, or a report merged into none), so an actor that
appears in many articles is one node. ``networkx`` and ``pyoxigraph`` are
imported only when a network is built.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kg.errors import Errors, KGError
from kg.vocab import ACTOR_CLASSES, FACTUAL_MODALITIES, PREFIXES

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph

__all__ = ["to_networkx"]

logger = logging.getLogger(__name__)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Characters outside XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets): most C0 controls,
# surrogates, U+FFFE and U+FFFF. A GEXF or GraphML file holding one cannot be parsed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# One row per real-world event: a kg:MergedEvent (reports of one event merged by kg build, docs/dedup.md),
# with the sentence and article of its first report (earliest publication, then article id) and the best
# confidence of its reports; and each report merged into none (not stated as fact, or built with --no-dedup).
_EVENTS_QUERY = """
SELECT ?event ?subject ?object ?predicate ?type ?theme ?date ?sentence ?article ?articleId ?negated ?modality ?confidence
WHERE {
  {
    {
      SELECT ?event (MIN(?key) AS ?first) (MAX(?c) AS ?confidence)
      WHERE {
        ?event a kg:MergedEvent ; kg:reportedBy ?r .
        ?r kg:article ?a .
        ?a kg:articleId ?id .
        OPTIONAL { ?a kg:published ?published }
        OPTIONAL { ?r kg:confidence ?c }
        BIND(CONCAT(COALESCE(STR(?published), "9999-12-31"), " ", ?id) AS ?key)
      }
      GROUP BY ?event
    }
    ?event kg:subject ?subject ; kg:reportedBy ?report .
    ?report kg:article ?article .
    ?article kg:articleId ?articleId .
    OPTIONAL { ?article kg:published ?first_published }
    FILTER(CONCAT(COALESCE(STR(?first_published), "9999-12-31"), " ", ?articleId) = ?first)
    OPTIONAL { ?report kg:sentence ?sentence }
    BIND(false AS ?negated)
  }
  UNION
  {
    ?event a kg:Event ; kg:subject ?subject .
    FILTER NOT EXISTS { ?merged kg:reportedBy ?event }
    OPTIONAL { ?event kg:sentence ?sentence }
    OPTIONAL { ?event kg:negated ?negated }
    OPTIONAL { ?event kg:confidence ?confidence }
    OPTIONAL { ?event kg:article ?article OPTIONAL { ?article kg:articleId ?articleId } }
  }
  OPTIONAL { ?event kg:object ?object }
  OPTIONAL { ?event kg:predicate ?predicate }
  OPTIONAL { ?event kg:eventType ?type }
  OPTIONAL { ?event kg:theme ?theme }
  OPTIONAL { ?event kg:date ?date }
  OPTIONAL { ?event kg:modality ?modality }
}
"""

_EVENT_VARIABLES = (
    "subject", "object", "predicate", "type", "theme", "date", "sentence", "article", "articleId", "negated",
    "modality", "confidence",
)

_ACTORS_QUERY = """
SELECT ?actor ?class ?label ?code WHERE {
  ?actor a ?class .
  FILTER(?class IN (%s))
  OPTIONAL { ?actor rdfs:label ?label }
  OPTIONAL { ?actor kg:countryCode ?code }
}
""" % ", ".join(f"kg:{name}" for name in ACTOR_CLASSES)

# Every CAMEO actor code an actor's mentions have (each its code at its article's date), as the actors query reads them.
_CODES_QUERY = """
SELECT DISTINCT ?actor ?code WHERE {
  # each property read in one pass, joined on ?mention: ten times faster on large stores than a lookup per mention
  { SELECT ?mention ?actor WHERE { ?mention kg:actor ?actor } }
  { SELECT ?mention ?code WHERE { ?mention kg:cameoCode ?code } }
}
"""

_MENTIONS_QUERY = """
SELECT ?actor (COUNT(DISTINCT ?mention) AS ?mentions) WHERE {
  ?mention a kg:Mention ; kg:actor ?actor .
} GROUP BY ?actor
"""


@dataclass(frozen=True)
class _Event:
    iri: str
    subject: str
    object: str
    predicate: str
    event_type: str
    theme: str
    date: str
    sentence: str
    article: str
    negated: bool
    confidence: float = 1.0
    modality: str = "asserted"

    @property
    def is_factual(self) -> bool:
        """Stated as having happened or as announced (as ``kg.records.Event.is_factual``)."""
        return not self.negated and self.modality in FACTUAL_MODALITIES


def to_networkx(
    store: pyoxigraph.Store,
    *,
    collapse: bool | str = False,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    event_types: str | Iterable[str] | None = None,
    min_confidence: float | None = None,
    include_unfactual: bool = False,
) -> nx.MultiDiGraph | nx.DiGraph:
    """The actor network of the store: actors as nodes, events as directed edges.

    Events are read from the union of all named graphs, so an actor that
    appears in many articles is one node.

    Parameters
    ----------
    store : pyoxigraph.Store
        The kg store (one named graph per article).
    collapse : bool or {"total", "type"}, default False
        If False, return a ``MultiDiGraph`` with one edge per event, keyed by
        the event IRI. If True (or ``"total"``), return a weighted ``DiGraph``
        with one edge per (subject, object) pair, ``weight`` being its number
        of events. ``"type"`` gives the same ``DiGraph`` with, besides, one
        weight per event type: ``weight_AID``, ``weight_CONSULT``, ... for
        every PLOVER type among the kept events, on every edge (0 when the
        pair has no event of that type), so ``nx.pagerank(G,
        weight="weight_ASSAULT")`` ranks actors on assaults alone.
    start, end : str or datetime.date, optional
        Keep only events dated within ``[start, end]`` (inclusive ISO dates).
        When either is given, events without a date are left out.
    event_types : str or iterable of str, optional
        Keep only events of these PLOVER types, given as local names
        (``"AID"``), prefixed names (``"plover:AID"``) or IRIs, in any case; a
        string may list several, comma-separated. Events without a type are
        left out when this is given.
    min_confidence : float, optional
        Keep only events whose ``kg:confidence`` (a number from 0 to 1, set by
        the extraction) is at least this. An event without ``kg:confidence``
        counts as 1.0, so it is always kept.
    include_unfactual : bool, default False
        Also keep events not stated as facts: negated ("did not attack") and
        hypothetical, alleged or purpose ones (``kg:modality``).

    Returns
    -------
    networkx.MultiDiGraph or networkx.DiGraph
        Node ids are actor IRIs, with attributes ``label``, ``type`` (class
        local name, e.g. ``"Country"``), ``country`` (ISO3 code or ``""``),
        ``mentions`` (number of ``kg:Mention`` of the actor in the whole store,
        whatever the filters) and ``code``: every CAMEO actor code its
        mentions have (each its code at its article's date), in code-point
        order, joined by a space (``"DZAELI DZAGOV"``, as in the ``actors``
        query; ``""`` when none has one). Nodes are the actors taking part in a kept
        event, also as the subject of an event without object.

        Edges of the ``MultiDiGraph`` are the kept events that have both a
        subject and an object, with attributes ``event_type`` (PLOVER local
        name or ``""``), ``cameo`` (its CAMEO root code, ``"07"``, from the
        event lexicon, or ``""``), ``predicate``, ``date`` (ISO date or
        ``""``), ``article`` (article id), ``theme`` (or ``""``),
        ``sentence``, ``negated`` and ``confidence`` (float, 1.0 when the
        store has none). Edges of the collapsed ``DiGraph`` have ``weight``
        (number of events), ``types`` (counts per type, ``"AID:2;CONSULT:1"``,
        untyped events not listed), ``first_date`` and ``last_date`` (``""``
        when no event is dated). All values are strings, numbers or booleans,
        so GEXF and GraphML writers can hold them.

    Raises
    ------
    KGError
        If ``start`` or ``end`` is not an ISO date (E042), ``start`` is after
        ``end`` (E043), ``min_confidence`` is not a number from 0 to 1 (E046)
        or ``collapse`` is not one of the values above (E047).

    See Also
    --------
    write_gexf, write_graphml, write_csv_tables

    Examples
    --------
    >>> from rdflib import Graph, Literal, RDF, RDFS
    >>> from kg.rdf.store import open_memory_store, replace_graph
    >>> from rdflib import URIRef
    >>> from kg.rdf.namespace import KG, PLOVER
    >>> from kg.vocab import actor_iri, article_iri, event_iri
    >>> rus, blr = URIRef(actor_iri("Country", "RUS")), URIRef(actor_iri("Country", "BLR"))
    >>> ev = URIRef(event_iri("a1", 0, 40, "supply"))
    >>> g = Graph()
    >>> g += [(rus, RDF.type, KG.Country), (rus, RDFS.label, Literal("Russia")),
    ...       (blr, RDF.type, KG.Country), (blr, RDFS.label, Literal("Belarus")),
    ...       (ev, RDF.type, KG.Event), (ev, KG.subject, rus), (ev, KG.object, blr),
    ...       (ev, KG.predicate, Literal("supply")), (ev, KG.eventType, PLOVER.AID)]
    >>> store = open_memory_store()
    >>> replace_graph(store, article_iri("a1"), g)
    >>> G = to_networkx(store)
    >>> G.number_of_nodes(), G.number_of_edges()
    (2, 1)
    >>> [(G.nodes[u]["label"], G.nodes[v]["label"], d["event_type"], d["cameo"]) for u, v, d in G.edges(data=True)]
    [('Russia', 'Belarus', 'AID', '07')]
    >>> D = to_networkx(store, collapse=True)
    >>> D.edges[str(rus), str(blr)]["weight"], D.edges[str(rus), str(blr)]["types"]
    (1, 'AID:1')
    >>> to_networkx(store, collapse="type").edges[str(rus), str(blr)]["weight_AID"]
    1
    """
    mode = _collapse_mode(collapse)
    multi = _multigraph(
        store,
        start=start,
        end=end,
        event_types=event_types,
        min_confidence=min_confidence,
        include_unfactual=include_unfactual,
    )
    return _collapse(multi, by_type=mode == "type") if mode else multi


def _collapse_mode(collapse: bool | str) -> str:
    """``""`` (no collapse), ``"total"`` or ``"type"``."""
    if collapse is None or collapse is False:
        return ""
    if collapse is True:
        return "total"
    if isinstance(collapse, str) and collapse.strip().lower() in ("total", "type"):
        return collapse.strip().lower()
    raise KGError(Errors.E047.format(value=collapse))


def _multigraph(
    store: pyoxigraph.Store,
    *,
    start: str | dt.date | None,
    end: str | dt.date | None,
    event_types: str | Iterable[str] | None,
    include_unfactual: bool,
    min_confidence: float | str | None = None,
) -> nx.MultiDiGraph:
    import networkx as nx

    start_iso = _iso_date(start, "start")
    end_iso = _iso_date(end, "end")
    if start_iso and end_iso and start_iso > end_iso:
        raise KGError(Errors.E043.format(start=start_iso, end=end_iso))
    wanted_types = _type_names(event_types)
    threshold = _confidence_threshold(min_confidence)

    events = [
        ev
        for ev in _select_events(store)
        if (include_unfactual or ev.is_factual)
        and (wanted_types is None or ev.event_type.upper() in wanted_types)
        and (not start_iso or (ev.date and ev.date >= start_iso))
        and (not end_iso or (ev.date and ev.date <= end_iso))
        and (threshold is None or ev.confidence >= threshold)
    ]
    # Dated events first, in date order; ties (and undated events) by IRI.
    events.sort(key=lambda ev: (ev.date == "", ev.date, ev.iri))

    participants = {ev.subject for ev in events} | {ev.object for ev in events if ev.object}
    graph = nx.MultiDiGraph(name="kg actor network")
    for iri, attributes in sorted(_actor_attributes(store, participants).items()):
        graph.add_node(iri, **attributes)
    for ev in events:
        if not ev.object:
            continue
        graph.add_edge(
            ev.subject,
            ev.object,
            key=ev.iri,
            event_type=ev.event_type,
            cameo=_cameo(ev.event_type),
            predicate=ev.predicate,
            date=ev.date,
            article=ev.article,
            theme=ev.theme,
            sentence=ev.sentence,
            negated=ev.negated,
            confidence=ev.confidence,
        )
    return graph


def _cameo(event_type: str) -> str:
    """CAMEO root of a PLOVER type name, from the event lexicon (``""`` if unknown)."""
    return _cameo_roots().get(event_type.upper(), "") if event_type else ""


_CAMEO_ROOTS: dict[str, str] = {}


def _cameo_roots() -> dict[str, str]:
    # Read on first use: importing kg.extraction.lexicon (and reading its JSON) stays out of ``import kg.exporters``.
    if not _CAMEO_ROOTS:
        from kg.extraction.lexicon import load_lexicon

        lexicon = load_lexicon()
        _CAMEO_ROOTS.update({name: t.cameo for name, t in lexicon.types.items()})
        _CAMEO_ROOTS.update({alias: lexicon.types[name].cameo for alias, name in lexicon.aliases.items()})
    return _CAMEO_ROOTS


def _confidence_threshold(value: float | str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        threshold = float(value)
    except (TypeError, ValueError) as e:
        raise KGError(Errors.E046.format(value=value)) from e
    if not 0.0 <= threshold <= 1.0:
        raise KGError(Errors.E046.format(value=value))
    return threshold


def _collapse(multi: nx.MultiDiGraph, *, by_type: bool = False) -> nx.DiGraph:
    """One weighted edge per (subject, object) pair of ``multi``; with
    ``by_type``, also a ``weight_<TYPE>`` count per event type on every edge."""
    import networkx as nx

    graph = nx.DiGraph(**multi.graph)
    graph.add_nodes_from(multi.nodes(data=True))
    all_types = sorted({d["event_type"] for *_, d in multi.edges(data=True) if d["event_type"]})
    for (u, v), events in _edge_groups(multi).items():
        types = Counter(d["event_type"] for d in events if d["event_type"])
        dates = sorted(d["date"] for d in events if d["date"])
        graph.add_edge(
            u,
            v,
            weight=len(events),
            types=";".join(f"{name}:{count}" for name, count in sorted(types.items())),
            first_date=dates[0] if dates else "",
            last_date=dates[-1] if dates else "",
        )
        if by_type:
            graph.edges[u, v].update({f"weight_{name}": types.get(name, 0) for name in all_types})
    return graph


def _edge_groups(multi: nx.MultiDiGraph) -> dict[tuple[str, str], list[dict]]:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for u, v, data in multi.edges(data=True):
        groups[(u, v)].append(data)
    return groups


def _select_events(store: pyoxigraph.Store) -> list[_Event]:
    from kg.rdf.store import select

    fields: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in select(store, _EVENTS_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True):
        values = fields[row["event"].value]
        for name in _EVENT_VARIABLES:
            term = row[name]
            if term is not None:
                values[name].add(term.value)

    events = []
    for iri, values in fields.items():
        first = _first_of(values)
        date = first("date")
        if date and not _ISO_DATE.match(date):
            logger.warning("Event %s has an unreadable date %r; exported without a date.", iri, date)
        events.append(
            _Event(
                iri=iri,
                subject=first("subject"),
                object=first("object"),
                predicate=first("predicate"),
                event_type=_local_name(first("type")),
                theme=first("theme"),
                date=date[:10] if _ISO_DATE.match(date) else "",
                sentence=first("sentence"),
                article=first("articleId") or first("article"),
                negated=any(v.lower() in ("true", "1") for v in values["negated"]),
                confidence=_confidence(iri, values["confidence"]),
                modality=first("modality") or "asserted",
            )
        )
    return events


def _confidence(iri: str, values: set[str]) -> float:
    """The event's ``kg:confidence``: 1.0 when absent; the lowest if several."""
    numbers = []
    for value in values:
        try:
            numbers.append(float(value))
        except ValueError:
            pass
        else:
            if math.isfinite(numbers[-1]):
                continue
            numbers.pop()
        logger.warning("Event %s has an unreadable confidence %r; counted as 1.0.", iri, value)
    return min(numbers) if numbers else 1.0


def _first_of(values: dict[str, set[str]]) -> Callable[[str], str]:
    # Several values only come from inconsistent data; pick one deterministically.
    return lambda name: min(values[name]) if values[name] else ""


def _actor_attributes(store: pyoxigraph.Store, actors: set[str]) -> dict[str, dict[str, Any]]:
    from kg.rdf.store import select

    classes: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, set[str]] = defaultdict(set)
    codes: dict[str, set[str]] = defaultdict(set)
    for row in select(store, _ACTORS_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True):
        actor = row["actor"].value
        if actor not in actors:
            continue
        classes[actor].add(_local_name(row["class"].value))
        if row["label"] is not None:
            labels[actor].add(row["label"].value)
        if row["code"] is not None:
            codes[actor].add(row["code"].value)

    mentions = {
        row["actor"].value: int(row["mentions"].value)
        for row in select(store, _MENTIONS_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True)
    }
    actor_codes: dict[str, set[str]] = defaultdict(set)
    for row in select(store, _CODES_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True):
        actor_codes[row["actor"].value].add(row["code"].value)

    attributes = {}
    for actor in actors:
        specific = sorted(classes[actor] - {"Actor"}) or sorted(classes[actor]) or ["Actor"]
        attributes[actor] = {
            "label": min(labels[actor]) if labels[actor] else _local_name(actor),
            "type": specific[0],
            "country": min(codes[actor]) if codes[actor] else "",
            "mentions": mentions.get(actor, 0),
            "code": " ".join(sorted(actor_codes[actor])),
        }
    return attributes


def _local_name(iri: str) -> str:
    """``https://w3id.org/kg/plover#AID`` -> ``AID``; ``.../country/RUS`` -> ``RUS``."""
    return re.split(r"[#/:]", iri.rstrip("/#"))[-1] if iri else ""


def _type_names(event_types: str | Iterable[str] | None) -> set[str] | None:
    if event_types is None:
        return None
    items = event_types.split(",") if isinstance(event_types, str) else event_types
    names = {_local_name(str(item).strip()).upper() for item in items if str(item).strip()}
    return names or None


def _iso_date(value: str | dt.date | None, option: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError as e:
        raise KGError(Errors.E042.format(option=option, value=value)) from e


def _plain(value: Any) -> str | int | float | bool:
    """A value GEXF and GraphML can hold: None -> "", collections -> ";"-joined, and in text each
    character XML 1.0 cannot hold (control characters of article text or names) -> U+FFFD.

    >>> _plain(["Russia", "Bel\x07arus"])
    'Russia;Bel\ufffdarus'
    """
    if isinstance(value, (bool, int, float)):
        return value
    if value is None:
        text = ""
    elif isinstance(value, dict):
        text = ";".join(f"{k}:{v}" for k, v in value.items())
    elif isinstance(value, (set, frozenset)):
        text = ";".join(sorted(str(item) for item in value))
    elif isinstance(value, (list, tuple)):
        text = ";".join(str(item) for item in value)
    else:
        text = str(value)
    return _NOT_XML.sub("\ufffd", text)


def _plain_graph(graph: nx.Graph, keep: tuple[str, ...] = ()) -> None:
    """Make every attribute of ``graph`` writable (in place), but the ``keep`` ones."""
    for data in [graph.graph, *(d for _, d in graph.nodes(data=True)), *(d for *_, d in graph.edges(data=True))]:
        for key, value in data.items():
            if key not in keep:
                data[key] = _plain(value)
