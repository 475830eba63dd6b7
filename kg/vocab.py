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
import re
import unicodedata

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

__all__ = ["ACTORS_GRAPH", "KG", "PLOVER", "RESOURCE", "actor_iri", "article_iri", "event_iri", "mention_iri", "slug"]

RESOURCE = Namespace("https://w3id.org/kg/id/")
#: The graph holding one description (label, type, country) of every actor,
#: shared by all articles, so actors are not described once per article.
ACTORS_GRAPH = RESOURCE["graph/actors"]
PLOVER = Namespace("https://w3id.org/kg/plover#")


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
    Article: URIRef
    Event: URIRef
    Mention: URIRef

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

    # mentions
    actor: URIRef
    text: URIRef


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


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
