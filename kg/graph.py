"""Graph: one article's extraction as RDF, in the named graph of that article.

The article's graph holds its metadata, each actor mention with its
offsets, and each event as a node with its subject, object, predicate,
PLOVER type, theme, date and source sentence. Actors are described (label,
type, country) once, in the shared graph ``ACTORS_GRAPH``
(:func:`actor_graph`): their IRIs are the same in every article, so they
merge across articles.

>>> from kg.ingest import Article
>>> from kg.events import ArticleExtraction
>>> g = article_graph(ArticleExtraction(Article("a1", "Some text."), [], []))
>>> (article_iri("a1"), RDF.type, KG.Article) in g
True
"""
from __future__ import annotations

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.events import ActorRecord, ArticleExtraction
from kg.ingest import content_hash
from kg.vocab import KG, PLOVER, RESOURCE, article_iri, event_iri, mention_iri

__all__ = ["article_graph", "actor_graph", "bind_prefixes"]


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the kg prefixes used in exports and queries."""
    graph.bind("kg", KG._NS)
    graph.bind("kgr", RESOURCE)
    graph.bind("plover", PLOVER)
    return graph


def article_graph(extraction: ArticleExtraction) -> Graph:
    """The RDF of one article's extraction (to be stored as the graph named ``article_iri(id)``)."""
    article = extraction.article
    graph = bind_prefixes(Graph())
    art = article_iri(article.id)
    graph.add((art, RDF.type, KG.Article))
    graph.add((art, KG.articleId, Literal(article.id)))
    graph.add((art, KG.contentHash, Literal(content_hash(article.text))))
    if article.title:
        graph.add((art, KG.title, Literal(article.title)))
    if article.url:
        graph.add((art, KG.url, Literal(article.url)))
    if article.date:
        graph.add((art, KG.published, Literal(article.date, datatype=XSD.date)))
    if article.source:
        graph.add((art, KG.source, Literal(article.source)))

    for mention in extraction.mentions:
        actor = URIRef(mention.id)
        node = mention_iri(article.id, *mention.span)
        graph.add((node, RDF.type, KG.Mention))
        graph.add((node, KG.actor, actor))
        graph.add((node, KG.text, Literal(mention.text)))
        graph.add((node, KG.start, Literal(mention.span[0])))
        graph.add((node, KG.end, Literal(mention.span[1])))
        graph.add((node, KG.article, art))

    for event in extraction.events:
        node = event_iri(article.id, event.span[0], event.span[1], _event_key(event))
        graph.add((node, RDF.type, KG.Event))
        if event.subject:
            graph.add((node, KG.subject, URIRef(event.subject.id)))
        if event.object:
            graph.add((node, KG.object, URIRef(event.object.id)))
        graph.add((node, KG.predicate, Literal(event.predicate)))
        if event.event_type:
            graph.add((node, KG.eventType, PLOVER[event.event_type]))
        if event.theme:
            graph.add((node, KG.theme, Literal(event.theme)))
        if event.date:
            graph.add((node, KG.date, Literal(event.date, datatype=XSD.date)))
        graph.add((node, KG.sentence, Literal(event.sentence)))
        graph.add((node, KG.start, Literal(event.span[0])))
        graph.add((node, KG.end, Literal(event.span[1])))
        graph.add((node, KG.negated, Literal(event.negated)))
        graph.add((node, KG.modality, Literal(event.modality)))
        graph.add((node, KG.article, art))
    return graph


def actor_graph(extraction: ArticleExtraction) -> Graph:
    """Descriptions (type, label, country) of the actors an article mentions.

    They belong in the shared graph ``ACTORS_GRAPH``: one description per
    actor however many articles mention it.
    """
    graph = bind_prefixes(Graph())
    for mention in extraction.mentions:
        _add_actor(graph, mention)
    for event in extraction.events:
        for argument in (event.subject, event.object):
            if argument is not None:
                _add_actor(graph, argument)
    return graph


def _event_key(event) -> str:
    subject = event.subject.id if event.subject else ""
    obj = event.object.id if event.object else ""
    return f"{event.predicate}|{subject}|{obj}"


def _add_actor(graph: Graph, mention: ActorRecord) -> URIRef:
    actor = URIRef(mention.id)
    graph.add((actor, RDF.type, KG[mention.type]))
    graph.add((actor, RDFS.label, Literal(mention.label)))
    if mention.country:
        graph.add((actor, KG.countryCode, Literal(mention.country)))
    return actor
