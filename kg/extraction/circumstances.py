"""When, where and according to whom an event is stated: the temporal expression
attached to the event word, the place of a location phrase with its country,
and the speaker of a reporting verb or of "according to".

>>> from kg.extraction.actors import resolve_actors
>>> from kg.extraction.language import load_pipeline
>>> doc = load_pipeline()("Ukraine and Poland held talks in Warsaw on Monday, the ministry said.")
>>> circumstances(doc[3], doc[4], doc[:], resolve_actors(doc))
Circumstances(when='Monday', location='Warsaw', location_country='POL', attributed_to='Poland')
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from spacy.tokens import Span, Token

from kg.extraction import gazetteer
from kg.extraction.actors import ActorIndex, actor_of, entity_span
from kg.extraction.frame import SUBJECT_DEPS, phrase, pobjs
from kg.extraction.predicates import doc_words
from kg.extraction.rules import load_rules

__all__ = ["Circumstances", "circumstances", "location", "on_verb", "place_country"]

_TEMPORAL_DEPS = frozenset({"npadvmod", "tmod", "pobj", "poss", "nmod", "advmod", "compound", "dobj"})
_LOCATION_PREPS = frozenset({"in", "at", "near", "outside", "inside", "across", "throughout"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


class Circumstances(NamedTuple):
    when: str | None
    location: str | None
    location_country: str | None
    attributed_to: str | None


def circumstances(trigger: Token, event_noun: Token | None, sentence: Span, index: ActorIndex) -> Circumstances:
    """When (the temporal expression), where, and according to whom the event of ``trigger``
    (and of the ``event_noun`` of a light verb) is stated in ``sentence``."""
    words = [trigger] + ([event_noun] if event_noun is not None else [])
    if (carrier := on_verb(trigger)) is not None:
        words.append(carrier)  # "remained on alert in the West Bank": where the verb says
    place = location(words)
    return Circumstances(
        when=_temporal(words),
        location=place.text if place is not None else None,
        location_country=place_country(place, index) if place is not None else None,
        attributed_to=_attribution(trigger, sentence, index),
    )


def on_verb(noun: Token) -> Token | None:
    """The verb an event noun is "on" (``on_verbs``: "went on strike", "remained on alert"), if any."""
    if noun.dep_ == "pobj" and noun.head.lower_ == "on" and noun.head.head.lemma_.lower() in load_rules().on_verbs:
        return noun.head.head
    return None


def _attached(words: list[Token]) -> Iterator[Token]:
    """Dependents of the event words and of their prepositions."""
    for word in words:
        for child in word.children:
            yield child
            if child.dep_ == "prep":
                yield from child.children


def _temporal(words: list[Token]) -> str | None:
    for token in _attached(words):
        if token.ent_type_ in ("DATE", "TIME") and token.dep_ in _TEMPORAL_DEPS:
            return entity_span(token).text
    head = words[0]
    if head.dep_ in ("xcomp", "conj") and head.head != head:
        return _temporal([head.head])  # "agreed on Monday to hold talks"
    return None


def location(words: list[Token]) -> Span | None:
    """The place a location phrase of the event words names ("talks in Minsk"), or the place a
    relative "where" clause of theirs describes ("extradited to Florida, where he faces charges")."""
    for word in words:
        if word.dep_ == "relcl" and any(c.lower_ == "where" and c.tag_ == "WRB" for c in word.children):
            place = _place_in(word.head)
            if place is not None:
                return place
        for prep in word.children:
            if prep.dep_ == "prep" and prep.lower_ in _LOCATION_PREPS:
                for pobj in pobjs(prep):
                    place = _place_in(pobj)
                    if place is not None:
                        return place
    return None


def _place_in(head: Token, depth: int = 0) -> Span | None:
    """The place a location phrase names: itself, the name beside its noun ("the capital Kabul"),
    the place it is part of ("a residential sector of eastern Beirut") or in ("a gunbattle in Serbia",
    "an explosion in a residential sector of Beirut")."""
    if head.ent_type_ in _PLACE_LABELS:
        return entity_span(head)
    for child in head.children:
        if child.dep_ in ("appos", "compound") and child.ent_type_ in _PLACE_LABELS:
            return entity_span(child)
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for pobj in pobjs(child):
                if pobj.ent_type_ in _PLACE_LABELS:
                    return entity_span(pobj)
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in _LOCATION_PREPS:
            for pobj in pobjs(child):  # "killed in a gunbattle in southern Serbia": where the gunbattle was
                place = _place_in(pobj, depth + 1) if depth < 2 else (entity_span(pobj) if pobj.ent_type_ in _PLACE_LABELS else None)
                if place is not None:
                    return place
    return None


def place_country(place: Span, index: ActorIndex) -> str | None:
    """The ISO3 code of the country a place is in (or is), among the states the text names
    where more than one has a city of that name (:func:`kg.extraction.gazetteer.place_country`)."""
    entry = gazetteer.lookup(place.text)
    if entry is not None and entry.country and entry.kind != "capital":
        return entry.country
    return gazetteer.place_country(place.text, index.countries)


def _attribution(trigger: Token, sentence: Span, index: ActorIndex) -> str | None:
    """Who states the event: the speaker of a reporting verb governing it, or "according to X"
    in the trigger's ``sentence`` (passed in: ``Token.sent`` would look for it again for every event)."""
    reporting = load_rules().reporting_verbs
    node = trigger
    for _ in range(6):
        if node.head == node:
            break
        if node.dep_ in ("ccomp", "parataxis") and node.head.lemma_.lower() in reporting:
            speaker = next((c for c in node.head.children if c.dep_ in SUBJECT_DEPS), None)
            if speaker is not None:
                return _speaker_name(speaker, index)
        node = node.head
    words, attribution = doc_words(sentence.doc), load_rules().attribution_words
    for i in range(sentence.start, sentence.end):
        if words[i][0] in attribution:
            for to in sentence.doc[i].children:
                for pobj in pobjs(to):
                    # "according to a report by observers": the observers say it
                    author = next((a for c in pobj.children if c.dep_ == "prep" and c.lower_ == "by" for a in pobjs(c)), pobj)
                    return _speaker_name(author, index)
    return None


def _speaker_name(token: Token, index: ActorIndex) -> str:
    mention = actor_of(token, index)
    return mention.actor.label if mention is not None else phrase(token)
