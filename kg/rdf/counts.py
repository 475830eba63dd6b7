"""What a store holds, counted once: the words and numbers of ``kg build``'s summary and ``kg stats``.

===============  ==========================================================
count            what it counts
===============  ==========================================================
``articles``     articles (``kg:Article``), one named graph each
``reports``      event statements (``kg:Event``): one per event a sentence
                 of an article states, whatever its modality; the same
                 event told by forty articles is forty reports
``events``       real-world events stated as fact (asserted or planned, not
                 negated): each ``kg:MergedEvent`` (the reports of one event,
                 merged by ``kg build``, ``docs/dedup.md``) once, and each
                 factual report merged into none (a ``--no-dedup`` store);
                 the rows of ``kg query relations``
``not_factual``  real-world events not stated as fact: negated,
                 hypothetical, alleged and purpose reports (never merged,
                 so each is one event)
``actors``       distinct actors the articles mention or make a side of an
                 event (an actor named in no article any more is not counted)
``triples``      every quad of the store, ontology and bookkeeping included
===============  ==========================================================

:func:`store_counts` counts them; :func:`real_world_events` and
:func:`store_actors` are what it counts, for the tables of ``kg stats``
(:func:`kg.analysis.events_by_type`, :func:`kg.analysis.actors_by_type`).

>>> from kg.rdf.store import open_memory_store
>>> store = open_memory_store()
>>> store.update('''PREFIX kg: <https://w3id.org/kg/ontology#>
...   INSERT DATA { GRAPH <urn:a1> {
...     <urn:a1> a kg:Article .
...     <urn:e1> a kg:Event ; kg:subject <urn:rus> ; kg:object <urn:ukr> ; kg:negated false ; kg:modality "asserted" .
...     <urn:e2> a kg:Event ; kg:subject <urn:rus> ; kg:object <urn:ukr> ; kg:negated false ; kg:modality "asserted" .
...     <urn:e3> a kg:Event ; kg:subject <urn:rus> ; kg:negated false ; kg:modality "hypothetical" .
...     <urn:m1> a kg:Mention ; kg:actor <urn:rus> . }
...   GRAPH <urn:merged> { <urn:m> a kg:MergedEvent ; kg:modality "asserted" ; kg:reportedBy <urn:e1>, <urn:e2> } }''')
>>> counts = store_counts(store)
>>> counts.reports, counts.events, counts.not_factual, counts.actors
(3, 1, 1, 2)
>>> print(counts)
1 article, 3 reports, 1 event stated as fact, 1 not stated as fact, 2 actors, 21 triples
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from kg.rdf.store import select
from kg.vocab import ACTOR_CLASSES, FACTUAL_MODALITIES, PREFIXES

if TYPE_CHECKING:
    import pyoxigraph

__all__ = ["StoreCounts", "store_counts", "real_world_events", "store_actors", "RealWorldEvent"]

# Real-world events: each merged event (kg.rdf.merge) once, and each report merged into none on its own.
_EVENTS_QUERY = """
SELECT ?event ?type ?negated ?modality WHERE {
  { ?event a kg:MergedEvent }
  UNION
  { ?event a kg:Event . FILTER NOT EXISTS { ?merged kg:reportedBy ?event } }
  OPTIONAL { ?event kg:eventType ?type }
  OPTIONAL { ?event kg:negated ?negated }
  OPTIONAL { ?event kg:modality ?modality }
}
"""

# Actors an article mentions or makes a side of an event, with their actor classes (in kg's actors graph).
_ACTORS_QUERY = """
SELECT ?actor ?class WHERE {
  { SELECT DISTINCT ?actor WHERE { { ?mention kg:actor ?actor } UNION { ?e kg:subject ?actor } UNION { ?e kg:object ?actor } } }
  OPTIONAL { ?actor a ?class . FILTER(?class IN (%s)) }
}
""" % ", ".join(f"kg:{name}" for name in ACTOR_CLASSES)

_ARTICLES_QUERY = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a kg:Article }"
_REPORTS_QUERY = "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a kg:Event }"


@dataclass(frozen=True)
class StoreCounts:
    """The counts of a store (see the module docs); ``str()`` gives them as one line of text."""

    articles: int = 0
    reports: int = 0
    events: int = 0
    not_factual: int = 0
    actors: int = 0
    triples: int = 0

    def to_dict(self) -> dict[str, int]:
        """The counts by name, as ``kg stats --format json`` gives them under ``counts``."""
        return asdict(self)

    def __str__(self) -> str:
        return ", ".join(
            (
                _plural(self.articles, "article"),
                _plural(self.reports, "report"),
                f"{_plural(self.events, 'event')} stated as fact",
                f"{self.not_factual} not stated as fact",
                _plural(self.actors, "actor"),
                _plural(self.triples, "triple"),
            )
        )


@dataclass(frozen=True)
class RealWorldEvent:
    """A real-world event of a store: its PLOVER types (none, or one; two only against the
    shapes) and whether it is stated as fact."""

    types: frozenset[str]
    factual: bool


def store_counts(store: pyoxigraph.Store) -> StoreCounts:
    """Count what ``store`` holds: articles, reports, events, not_factual, actors, triples (module docs)."""
    events = real_world_events(store)
    factual = sum(1 for event in events.values() if event.factual)
    return StoreCounts(
        articles=_count(store, _ARTICLES_QUERY),
        reports=_count(store, _REPORTS_QUERY),
        events=factual,
        not_factual=len(events) - factual,
        actors=len(store_actors(store)),
        triples=len(store),
    )


def real_world_events(store: pyoxigraph.Store) -> dict[str, RealWorldEvent]:
    """Every real-world event of ``store``, by IRI: each ``kg:MergedEvent``, and each report
    (``kg:Event``) that no merged event reports. Stated as fact: neither negated nor of a
    modality other than asserted or planned."""
    types: dict[str, set[str]] = {}
    unfactual: set[str] = set()
    for row in select(store, _EVENTS_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True):
        event = row["event"].value
        names = types.setdefault(event, set())
        if row["type"] is not None:
            names.add(row["type"].value.rsplit("#", 1)[-1])
        if row["negated"] is not None and row["negated"].value.lower() in ("true", "1"):
            unfactual.add(event)
        if row["modality"] is not None and row["modality"].value not in FACTUAL_MODALITIES:
            unfactual.add(event)
    return {event: RealWorldEvent(frozenset(names), event not in unfactual) for event, names in types.items()}


def store_actors(store: pyoxigraph.Store) -> dict[str, str]:
    """Every actor an article of ``store`` mentions or makes a side of an event, by IRI, with
    its most specific actor class (``"Actor"`` when it has no other)."""
    classes: dict[str, set[str]] = {}
    for row in select(store, _ACTORS_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True):
        names = classes.setdefault(row["actor"].value, set())
        if row["class"] is not None:
            names.add(row["class"].value.rsplit("#", 1)[-1])
    return {actor: min(names - {"Actor"} or {"Actor"}) for actor, names in classes.items()}


def _count(store: pyoxigraph.Store, query: str) -> int:
    (row,) = select(store, query, prefixes=PREFIXES, use_default_graph_as_union=True)
    return int(row["n"].value)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
