"""The kg vocabulary as rdflib terms, for building graphs: ``KG.Event``, ``RESOURCE``, the
direct actor-to-actor properties. The strings behind them are in :mod:`kg.vocab`.

Unknown terms of ``KG`` raise (``_fail = True``), so code cannot use a term the
ontology (``ontology/kg.ttl``) does not declare.

>>> str(KG.Event)
'https://w3id.org/kg/ontology#Event'
>>> str(direct_property("AID"))
'https://w3id.org/kg/ontology#aids'
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

from kg import vocab

__all__ = ["ACTORS_GRAPH", "CAMEO", "KG", "ONTOLOGY_GRAPH", "PLOVER", "RESOURCE", "SEM", "direct_properties", "direct_property"]

RESOURCE = Namespace(vocab.RESOURCE_NS)
PLOVER = Namespace(vocab.PLOVER_NS)
CAMEO = Namespace(vocab.CAMEO_NS)
SEM = Namespace(vocab.SEM_NS)
ACTORS_GRAPH = URIRef(vocab.ACTORS_GRAPH)
ONTOLOGY_GRAPH = URIRef(vocab.ONTOLOGY_GRAPH)


class KG(DefinedNamespace):
    """Terms of the kg ontology (``ontology/kg.ttl``)."""

    _NS = Namespace(vocab.KG_NS)
    _fail = True
    # classes
    Actor: URIRef
    Country: URIRef
    Person: URIRef
    Organization: URIRef
    ArmedForce: URIRef
    Group: URIRef
    Equipment: URIRef
    Weapon: URIRef
    Place: URIRef
    Article: URIRef
    Sentence: URIRef
    Event: URIRef
    MergedEvent: URIRef  # one real-world event: the kg:Event reports of it merged (kg.rdf.merge)
    Mention: URIRef
    EventType: URIRef
    CameoRoot: URIRef
    QuadClass: URIRef
    Extraction: URIRef
    Fetch: URIRef  # the download of an article's web page (kg.ingest.web)
    Feed: URIRef  # a feed or sitemap that listed it
    Software: URIRef
    Model: URIRef

    # actors
    countryCode: URIRef  # ISO 3166 alpha-3 code of the state an actor is or stands for
    geonames: URIRef  # link to the GeoNames feature of a country or seat of power

    # articles
    articleId: URIRef
    title: URIRef
    url: URIRef
    published: URIRef
    contentHash: URIRef
    source: URIRef  # file or stream the article was read from

    # events
    subject: URIRef
    object: URIRef
    predicate: URIRef
    eventType: URIRef
    theme: URIRef
    date: URIRef
    sentence: URIRef
    start: URIRef
    end: URIRef
    article: URIRef
    negated: URIRef
    modality: URIRef
    instrument: URIRef  # a known weapon or piece of equipment the theme names
    datePrecision: URIRef  # day, month or year
    dateText: URIRef  # the temporal expression the date comes from
    location: URIRef
    attributedTo: URIRef  # who says the event happened
    confidence: URIRef
    interactsWith: URIRef  # super-property of the direct actor-to-actor edges (see direct_property)

    # merged events (kg.rdf.merge)
    reportedBy: URIRef  # a merged event to each report of it
    disputes: URIRef  # a denial (negated report) to the merged event it denies
    sourceCount: URIRef  # how many distinct articles report a merged event
    firstReportedIn: URIRef  # the earliest of them
    dedupKey: URIRef  # what a report is compared on: type group, subject and object keys
    dedupBlock: URIRef  # the group of reports compared with each other

    # mentions and sentences
    actor: URIRef
    text: URIRef

    # CAMEO actor codes, at the article's date: of a mention, and of an event's two sides
    cameoCode: URIRef  # "RUSGOV", "IGOUNO", a bare state "RUS"
    sector: URIRef  # "GOV", "COP", "REB", "UNO"; none for a state as a whole
    subjectCode: URIRef
    objectCode: URIRef

    # the PLOVER scheme (ontology/plover.ttl)
    quadClass: URIRef
    goldstein: URIRef
    cameoRoot: URIRef
    directProperty: URIRef

    # provenance
    softwareVersion: URIRef
    modelName: URIRef
    modelVersion: URIRef
    spacyVersion: URIRef
    graphHash: URIRef


@lru_cache(maxsize=1)
def direct_properties() -> dict[str, URIRef]:
    """PLOVER type -> the direct actor-to-actor property its factual events yield.

    Read from ``kg/data/direct_properties.json`` (the ontology's copy,
    ``ontology/plover.ttl``, is generated from the same file).

    >>> direct_properties()["ASSAULT"] == KG._NS["attacks"]
    True
    """
    data = json.loads(resources.files("kg.data").joinpath("direct_properties.json").read_text(encoding="utf-8"))
    return {name: KG._NS[entry["property"]] for name, entry in data["properties"].items()}


def direct_property(event_type: str | None) -> URIRef | None:
    """The direct property of a PLOVER type (``None`` for an untyped event).

    >>> direct_property(None) is None
    True
    """
    return direct_properties().get(event_type) if event_type else None
