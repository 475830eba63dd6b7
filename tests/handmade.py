"""Stores written from hand-made extraction records (no spaCy): the cases the extractor gives only
now and then in real articles, made on purpose. Our own sentences, about a fictional person.

>>> store = store_of(accusation("a1", "2024-03-05", "Olena Kovalenko", "UKR"))
>>> sorted(g.value.rsplit("/", 2)[-2] for g in store.named_graphs())
['article', 'events', 'graph', 'graph']
"""
from __future__ import annotations

import pyoxigraph

from kg.rdf.graph import write_article, write_ontology
from kg.rdf.store import open_memory_store
from kg.records import Actor, Article, ArticleExtraction, Event

DEU = "https://w3id.org/kg/id/country/DEU"
KOVALENKO = "https://w3id.org/kg/id/person/olena-kovalenko"

# (predicate, as written, PLOVER type, CAMEO root, theme) of what Germany does to her in an article
Action = tuple[str, str, str, str, str | None]
ACCUSE: Action = ("accuse", "accused", "ACCUSE", "11", None)
SANCTION: Action = ("sanction", "sanctioned", "SANCTION", "16", None)
SEND: Action = ("send", "sent", "AID", "07", "tanks")


def germany(start: int = 0) -> Actor:
    return Actor("Germany", "Germany", DEU, "Country", "DEU", None, (start, start + 7))


def kovalenko(label: str, country: str | None, role: str | None, start: int) -> Actor:
    return Actor(label, label, KOVALENKO, "Person", country, role, (start, start + len(label)))


def accusation(
    article_id: str,
    published: str,
    label: str,
    country: str | None,
    role: str | None = "Foreign Minister",
    actions: tuple[Action, ...] = (ACCUSE,),
) -> ArticleExtraction:
    """An article in which Germany does ``actions`` to Kovalenko (named ``label``, of ``country``,
    in the ``role`` given) on Monday 2024-03-04, one sentence each."""
    events, mentions, text = [], [], ""
    for predicate, written, event_type, cameo, theme in actions:
        start = len(text)
        sentence = f"Germany {written} {label}{' ' + theme if theme else ''} on Monday."
        subject, obj = germany(start), kovalenko(label, country, role, start + len(f"Germany {written} "))
        events.append(
            Event(article_id, subject, obj, predicate, event_type, cameo, theme, sentence, (start, start + len(sentence)),
                  "2024-03-04", False, "asserted", date_precision="day", date_text="on Monday")
        )
        mentions += [subject, obj]
        text += sentence + " "
    return ArticleExtraction(Article(article_id, text.strip(), date=published), events, mentions)


def store_of(*articles: ArticleExtraction) -> pyoxigraph.Store:
    """A memory store with the ontology and ``articles``, written one by one as ``kg build`` does."""
    store = open_memory_store()
    write_ontology(store)
    for article in articles:
        write_article(store, article)
    return store
