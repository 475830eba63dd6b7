"""Export the store: RDF serialisations and the actor network (Gephi, yEd, Cytoscape).

Exporters live in a registry, in the manner of rdflib's plugin registry: each
has a name, a file suffix, a one-line description and a function with the
signature ``(store, stream: BinaryIO, **options) -> None``.

========  ==========  =========================================================
name      suffix      what is written
========  ==========  =========================================================
ttl       .ttl        Turtle of the union of all graphs (Turtle has no named
                      graphs, so the article graphs are merged)
trig      .trig       TriG: every named graph (one per article) kept
nq        .nq         N-Quads: every named graph kept, one quad per line
jsonld    .jsonld     JSON-LD: every named graph kept (``@graph`` per article)
gexf      .gexf       GEXF 1.2draft of the actor network with dynamic spells
                      (event dates), for Gephi's timeline
graphml   .graphml    GraphML of the actor network
csv       .csv        Gephi's spreadsheet import: an edges table, plus a nodes
                      table when the output is a path (see ``write_csv``)
========  ==========  =========================================================

The graph formats (``gexf``, ``graphml``, ``csv``) take the options of
``to_networkx``: ``collapse``, ``start``, ``end``, ``event_types``,
``min_confidence`` and ``include_unfactual``. The RDF formats write the whole store and take no option;
``export`` rejects options a format does not accept instead of ignoring them.

``networkx`` and ``pyoxigraph`` are imported only when an exporter runs, so
``import kg.export`` stays cheap (``kg --help`` lists the format names).

>>> exporter_names()
['ttl', 'trig', 'nq', 'jsonld', 'gexf', 'graphml', 'csv']
>>> get_exporter("gexf").suffix
'.gexf'
"""
from __future__ import annotations

import csv
import datetime as dt
import importlib
import inspect
import logging
import math
import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterator

from kg.errors import Errors, KGError

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph

__all__ = [
    "Exporter",
    "register",
    "get_exporter",
    "exporter_names",
    "export",
    "to_networkx",
    "write_turtle",
    "write_trig",
    "write_nquads",
    "write_jsonld",
    "write_gexf",
    "write_graphml",
    "write_csv",
    "write_csv_tables",
    "NODE_COLUMNS",
    "EDGE_COLUMNS",
    "COLLAPSED_EDGE_COLUMNS",
]

logger = logging.getLogger(__name__)

# Namespaces as plain strings: importing kg.vocab would pull in rdflib at import time.
_KG = "https://w3id.org/kg/ontology#"
_PLOVER = "https://w3id.org/kg/plover#"
_RESOURCE = "https://w3id.org/kg/id/"
PREFIXES = {
    "kg": _KG,
    "plover": _PLOVER,
    # One prefix per kind of resource: "kgid:country/RUS" would need an escaped "/".
    **{
        kind: f"{_RESOURCE}{kind}/"
        for kind in ("article", "event", "mention", "country", "person", "force", "group", "actor")
    },
    "organization": f"{_RESOURCE}org/",  # not "org:", the usual prefix of W3C's Org ontology
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

NODE_COLUMNS = ("Id", "Label", "type", "country", "mentions")
EDGE_COLUMNS = ("Source", "Target", "Type", "Id", "Label", "Weight", "event_type", "date", "article", "theme")
COLLAPSED_EDGE_COLUMNS = ("Source", "Target", "Type", "Id", "Label", "Weight", "types", "first_date", "last_date")

_ACTOR_CLASSES = ("Country", "Person", "Organization", "ArmedForce", "Group", "Actor")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

# ---------------------------------------------------------------------------
# The actor network
# ---------------------------------------------------------------------------

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
""" % ", ".join(f"kg:{name}" for name in _ACTOR_CLASSES)

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
        """Stated as having happened or as announced (as ``kg.events.EventRecord.is_factual``)."""
        from kg.vocab import FACTUAL_MODALITIES  # rdflib loads only when a network is built

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
        local name, e.g. ``"Country"``), ``country`` (ISO3 code or ``""``) and
        ``mentions`` (number of ``kg:Mention`` of the actor in the whole store,
        whatever the filters). Nodes are the actors taking part in a kept
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
    >>> from kg.store import open_memory_store, replace_graph
    >>> from kg.vocab import KG, PLOVER, actor_iri, article_iri, event_iri
    >>> rus, blr = actor_iri("Country", "RUS"), actor_iri("Country", "BLR")
    >>> ev = event_iri("a1", 0, 40, "supply")
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


def _multigraph(store, *, start, end, event_types, include_unfactual, min_confidence=None) -> nx.MultiDiGraph:
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
    # Read on first use: importing kg.lexicon (and reading its JSON) stays out of ``import kg.export``.
    if not _CAMEO_ROOTS:
        from kg.lexicon import load_lexicon

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


def _select_events(store) -> list[_Event]:
    fields: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.query(_EVENTS_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True):
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


def _actor_attributes(store, actors: set[str]) -> dict[str, dict[str, Any]]:
    classes: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, set[str]] = defaultdict(set)
    codes: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_ACTORS_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True):
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
        for row in store.query(_MENTIONS_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True)
    }

    attributes = {}
    for actor in actors:
        specific = sorted(classes[actor] - {"Actor"}) or sorted(classes[actor]) or ["Actor"]
        attributes[actor] = {
            "label": min(labels[actor]) if labels[actor] else _local_name(actor),
            "type": specific[0],
            "country": min(codes[actor]) if codes[actor] else "",
            "mentions": mentions.get(actor, 0),
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
    """A value GEXF and GraphML can hold: None -> "", collections -> ";"-joined."""
    if value is None:
        return ""
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return ";".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, (set, frozenset)):
        return ";".join(sorted(str(item) for item in value))
    if isinstance(value, (list, tuple)):
        return ";".join(str(item) for item in value)
    return str(value)


def _plain_graph(graph, keep: tuple[str, ...] = ()) -> None:
    """Make every attribute of ``graph`` writable (in place), but the ``keep`` ones."""
    for data in [graph.graph, *(d for _, d in graph.nodes(data=True)), *(d for *_, d in graph.edges(data=True))]:
        for key, value in data.items():
            if key not in keep:
                data[key] = _plain(value)


# ---------------------------------------------------------------------------
# Exporters
# ---------------------------------------------------------------------------


def write_turtle(store: pyoxigraph.Store, stream: BinaryIO) -> None:
    """Turtle of the union of all graphs (article graphs merged, duplicates removed)."""
    import pyoxigraph

    # Sorted, so each subject's triples are consecutive and Turtle can group them.
    triples = store.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o", use_default_graph_as_union=True
    )
    pyoxigraph.serialize(triples, stream, pyoxigraph.RdfFormat.TURTLE, prefixes=PREFIXES)


def write_trig(store: pyoxigraph.Store, stream: BinaryIO) -> None:
    """TriG of the whole dataset: one block per article graph."""
    import pyoxigraph

    pyoxigraph.serialize(_sorted_quads(store), stream, pyoxigraph.RdfFormat.TRIG, prefixes=PREFIXES)


def write_nquads(store: pyoxigraph.Store, stream: BinaryIO) -> None:
    """N-Quads of the whole dataset."""
    import pyoxigraph

    pyoxigraph.serialize(_sorted_quads(store), stream, pyoxigraph.RdfFormat.N_QUADS)


def write_jsonld(store: pyoxigraph.Store, stream: BinaryIO) -> None:
    """JSON-LD (expanded) of the whole dataset: one ``@graph`` object per article graph."""
    import pyoxigraph

    pyoxigraph.serialize(_sorted_quads(store), stream, pyoxigraph.RdfFormat.JSON_LD)


def _sorted_quads(store) -> Iterator[pyoxigraph.Quad]:
    """Every quad, graph by graph (default graph first), sorted within each graph.

    Sorting makes the files diffable between two builds and lets TriG group a
    subject's triples; only one graph at a time is held in memory.
    """
    import pyoxigraph

    graph = pyoxigraph.Variable("g")
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s ?p ?o"
    yield from (
        pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.DefaultGraph())
        for t in store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o")
    )
    for name in sorted(store.named_graphs(), key=str):
        for t in store.query(query, substitutions={graph: name}):
            yield pyoxigraph.Quad(t.subject, t.predicate, t.object, name)


def write_gexf(
    store: pyoxigraph.Store,
    stream: BinaryIO,
    *,
    collapse: bool | str = True,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    event_types: str | Iterable[str] | None = None,
    min_confidence: float | None = None,
    include_unfactual: bool = False,
) -> None:
    """GEXF 1.2draft of the actor network, dynamic so Gephi's timeline works.

    Every edge carries one spell per distinct date of its events (``start`` =
    ``end`` = the ISO date); the graph is ``mode="dynamic"`` with
    ``timeformat="date"`` as soon as one event is dated. Undated edges and all
    nodes have no spell: Gephi shows them at every time.

    ``collapse`` defaults to True here: by default Gephi merges parallel edges
    on import, so one weighted edge per actor pair, with all its dates as
    spells, is what it would display anyway. A collapsed edge has the
    attributes of ``to_networkx(collapse=True)`` plus ``event_type``, the
    most frequent type of the pair's events (ties: alphabetical; ``""`` if
    none is typed), for Gephi's partition colouring and filters. With ``collapse=False`` each event is an edge whose
    GEXF id is the event IRI. The other options are those of ``to_networkx``.
    """
    import networkx as nx

    mode = _collapse_mode(collapse)
    multi = _multigraph(
        store,
        start=start,
        end=end,
        event_types=event_types,
        min_confidence=min_confidence,
        include_unfactual=include_unfactual,
    )
    if mode:
        graph = _collapse(multi, by_type=mode == "type")
        for (u, v), events in _edge_groups(multi).items():
            # The main type of the pair, so Gephi can colour and filter edges by it.
            types = Counter(d["event_type"] for d in events if d["event_type"])
            graph.edges[u, v]["event_type"] = min(types, key=lambda name: (-types[name], name)) if types else ""
            dates = sorted({d["date"] for d in events if d["date"]})
            if dates:
                graph.edges[u, v]["spells"] = [(date, date) for date in dates]
    else:
        graph = multi
        for _, _, key, data in graph.edges(keys=True, data=True):
            data["id"] = key
            if data["date"]:
                data["spells"] = [(data["date"], data["date"])]
    _plain_graph(graph, keep=("spells",))
    nx.write_gexf(graph, stream, version="1.2draft")


def write_graphml(
    store: pyoxigraph.Store,
    stream: BinaryIO,
    *,
    collapse: bool | str = False,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    event_types: str | Iterable[str] | None = None,
    min_confidence: float | None = None,
    include_unfactual: bool = False,
) -> None:
    """GraphML of the actor network: one edge per event (id = event IRI), or
    one weighted edge per actor pair with ``collapse=True``. Options as in
    ``to_networkx``."""
    import networkx as nx

    graph = to_networkx(
        store,
        collapse=collapse,
        start=start,
        end=end,
        event_types=event_types,
        min_confidence=min_confidence,
        include_unfactual=include_unfactual,
    )
    _plain_graph(graph)
    nx.write_graphml(graph, stream)


def write_csv(
    store: pyoxigraph.Store,
    stream: BinaryIO,
    *,
    collapse: bool = False,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    event_types: str | Iterable[str] | None = None,
    min_confidence: float | None = None,
    include_unfactual: bool = False,
) -> None:
    """Gephi's edges table (UTF-8 CSV) of the actor network.

    A stream holds one file, so this writes the edges table only: columns
    ``EDGE_COLUMNS`` (one row per event, ``Id`` = event IRI, ``Label`` =
    predicate, ``Weight`` = 1; Gephi sums parallel edges on import), or
    ``COLLAPSED_EDGE_COLUMNS`` with ``collapse=True``. Node labels and
    attributes need the nodes table too: ``export(store, "csv", path)`` writes
    both (see ``write_csv_tables``).
    """
    graph = to_networkx(
        store,
        collapse=collapse,
        start=start,
        end=end,
        event_types=event_types,
        min_confidence=min_confidence,
        include_unfactual=include_unfactual,
    )
    _write_edges_csv(graph, stream)


def write_csv_tables(
    store: pyoxigraph.Store, directory: str | os.PathLike, **options: Any
) -> tuple[Path, Path]:
    """Write Gephi's ``nodes.csv`` and ``edges.csv`` into ``directory`` (created if needed).

    ``nodes.csv`` has the columns ``NODE_COLUMNS`` (``Id`` = actor IRI);
    ``edges.csv`` is the table of ``write_csv``. ``options`` are those of
    ``to_networkx``. Returns the paths of the two files. Import them in Gephi
    with File > Import spreadsheet, nodes first.
    """
    folder = Path(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise KGError(Errors.E044.format(path=folder, detail=e.strerror or e)) from e
    return _write_csv_pair(store, folder / "nodes.csv", folder / "edges.csv", **options)


def _write_csv_pair(store, nodes_path: Path, edges_path: Path, **options: Any) -> tuple[Path, Path]:
    graph = to_networkx(store, **options)
    with _output_file(nodes_path) as stream:
        _write_nodes_csv(graph, stream)
    with _output_file(edges_path) as stream:
        _write_edges_csv(graph, stream)
    return nodes_path, edges_path


def _csv_to_path(store, path: Path, **options: Any) -> list[Path]:
    """``csv`` to a path: a directory gets nodes.csv + edges.csv; ``x.csv`` gets
    the edges, with the nodes beside it in ``x.nodes.csv``."""
    if path.suffix.lower() != ".csv":
        return list(write_csv_tables(store, path, **options))
    nodes_path = path.with_name(f"{path.stem}.nodes.csv")
    return list(_write_csv_pair(store, nodes_path, path, **options))


class _Utf8:
    """A text sink over a binary stream, for the csv module."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(text.encode("utf-8"))


def _write_nodes_csv(graph, stream: BinaryIO) -> None:
    writer = csv.writer(_Utf8(stream), lineterminator="\n")
    writer.writerow(NODE_COLUMNS)
    for node, data in graph.nodes(data=True):
        writer.writerow([node, data["label"], data["type"], data["country"], data["mentions"]])


def _write_edges_csv(graph, stream: BinaryIO) -> None:
    writer = csv.writer(_Utf8(stream), lineterminator="\n")
    if graph.is_multigraph():
        writer.writerow(EDGE_COLUMNS)
        for u, v, key, d in graph.edges(keys=True, data=True):
            row = [d["predicate"], 1, d["event_type"], d["date"], d["article"], d["theme"]]
            writer.writerow([u, v, "Directed", key, *row])
    else:
        writer.writerow(COLLAPSED_EDGE_COLUMNS)
        for u, v, d in graph.edges(data=True):
            row = ["", d["weight"], d["types"], d["first_date"], d["last_date"]]
            writer.writerow([u, v, "Directed", f"{u} -> {v}", *row])


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Exporter:
    """A registered export format.

    ``target`` is the exporter function ``(store, stream, **options)`` or a
    ``"module:function"`` string imported on first use (like rdflib plugins).
    ``write_path``, if set, is used instead when the output is a path, for
    formats that write more than one file: ``(store, path, **options) -> list[Path]``.
    """

    name: str
    target: Callable[..., None] | str
    suffix: str
    description: str
    write_path: Callable[..., list[Path]] | str | None = None

    @property
    def func(self) -> Callable[..., None]:
        return _resolve(self.name, self.target)

    def __call__(self, store: pyoxigraph.Store, stream: BinaryIO, **options: Any) -> None:
        self.func(store, stream, **options)

    def options(self) -> list[str] | None:
        """Names of the options the exporter accepts (None: any)."""
        params = inspect.signature(self.func).parameters.values()
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
            return None
        return [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]


_EXPORTERS: dict[str, Exporter] = {}


def register(
    name: str,
    func: Callable[..., None] | str,
    *,
    suffix: str,
    description: str,
    write_path: Callable[..., list[Path]] | str | None = None,
) -> Exporter:
    """Register (or replace) the exporter ``name``; ``func`` may be ``"module:function"``.

    >>> def write_count(store, stream):
    ...     stream.write(str(len(store)).encode())
    >>> register("count", write_count, suffix=".txt", description="Number of quads").name
    'count'
    >>> _ = _EXPORTERS.pop("count")
    """
    exporter = Exporter(name.lower(), func, suffix, description, write_path)
    _EXPORTERS[exporter.name] = exporter
    return exporter


def get_exporter(name: str) -> Exporter:
    """The exporter registered as ``name``; ``KGError`` (E040) if there is none."""
    try:
        return _EXPORTERS[name.lower()]
    except KeyError:
        raise KGError(Errors.E040.format(name=name, choices=", ".join(exporter_names()))) from None


def exporter_names() -> list[str]:
    """Names of the registered exporters, in registration order (for ``click.Choice``)."""
    return list(_EXPORTERS)


def _resolve(name: str, target: Callable | str) -> Callable:
    if callable(target):
        return target
    module_name, _, attribute = target.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as e:
        raise KGError(Errors.E045.format(name=name, target=target, detail=e)) from e


def export(
    store: pyoxigraph.Store,
    format_name: str,
    output: str | os.PathLike | BinaryIO | None = None,
    **options: Any,
) -> list[Path]:
    """Export ``store`` in the format ``format_name`` to ``output``.

    ``output`` is a path, an open binary stream, or None / ``"-"`` for
    standard output. For ``csv`` a path is special: a path not ending in
    ``.csv`` is a directory that gets ``nodes.csv`` and ``edges.csv``; a path
    ``x.csv`` gets the edges table, and the nodes table goes beside it as
    ``x.nodes.csv``. A stream gets the edges table only. Missing folders are
    created.

    Options whose value is None are dropped (so a CLI can pass unset options
    through); any other option the format does not take raises ``KGError``
    (E041) rather than being ignored. Returns the paths written (empty for a
    stream).

    Raises ``KGError``: E040 unknown format, E041 option not applicable,
    E042/E043 bad dates, E044 output not writable.
    """
    exporter = get_exporter(format_name)
    options = {key: value for key, value in options.items() if value is not None}
    accepted = exporter.options()
    if accepted is not None:
        unknown = sorted(set(options) - set(accepted))
        if unknown:
            raise KGError(
                Errors.E041.format(
                    options=", ".join(unknown), name=exporter.name, accepted=", ".join(accepted) or "no options"
                )
            )

    if output is None or output == "-":
        stdout = sys.stdout.buffer
        exporter(store, stdout, **options)
        stdout.flush()
        return []
    if isinstance(output, (str, os.PathLike)):
        path = Path(output)
        if exporter.write_path is not None:
            return list(_resolve(exporter.name, exporter.write_path)(store, path, **options))
        with _output_file(path) as stream:
            exporter(store, stream, **options)
        return [path]
    exporter(store, output, **options)
    return []


@contextmanager
def _output_file(path: Path) -> Iterator[BinaryIO]:
    """Write ``path`` (creating its folder) through a sibling ``.part`` file renamed
    on success, so a failed export neither leaves half a file nor destroys the
    previous one."""
    part = path.with_name(f".{path.name}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        stream = open(part, "wb")
    except OSError as e:
        raise KGError(Errors.E044.format(path=path, detail=e.strerror or e)) from e
    try:
        with stream:
            yield stream
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    try:
        os.replace(part, path)
    except OSError as e:
        part.unlink(missing_ok=True)
        raise KGError(Errors.E044.format(path=path, detail=e.strerror or e)) from e


register("ttl", write_turtle, suffix=".ttl", description="Turtle: all article graphs merged into one graph")
register("trig", write_trig, suffix=".trig", description="TriG: the dataset, one named graph per article")
register("nq", write_nquads, suffix=".nq", description="N-Quads: the dataset, one named graph per article")
register("jsonld", write_jsonld, suffix=".jsonld", description="JSON-LD: the dataset, one @graph per article")
register("gexf", write_gexf, suffix=".gexf", description="GEXF actor network with event dates as spells (Gephi)")
register("graphml", write_graphml, suffix=".graphml", description="GraphML actor network (yEd, Cytoscape, Gephi)")
register(
    "csv",
    write_csv,
    suffix=".csv",
    description="Gephi spreadsheet tables: edges, plus nodes when writing to a path",
    write_path=_csv_to_path,
)
