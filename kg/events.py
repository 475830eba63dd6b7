"""Events: subject–relation–object events from the dependency parse.

Each rule reads the parse, never surface strings, and each has a test
sentence in ``tests/test_events.py``:

- verbs of the event lexicon with their subject (``nsubj``), object
  (``dobj``, ``dative``) and prepositional recipient or target ("to",
  "against", "on", "with"): "Russia supplied Belarus with Iskander missiles";
- passive voice: the ``nsubjpass`` is the object, the ``agent`` the subject:
  "Ukraine was attacked by Russia";
- subjects inherited through ``xcomp``, ``conj`` and "for"-clauses:
  "Russia agreed to supply Belarus", "Lukashenko thanked Putin for providing ...";
- light verbs typed by their event noun: "held talks with", "imposed sanctions on";
- event nouns with a possessive or adjectival source and a prepositional
  target: "Russia's drone attack on Ukraine", "Putin's visit to Minsk";
- coordinated actors split into one event each: "Russia and Belarus".

What is supplied, used or demanded is the theme, never the object.

>>> from kg.nlp import load_pipeline, clean_text
>>> doc = load_pipeline()("Russia supplied Belarus with Iskander missiles.")
>>> [(e.subject.actor.country, e.predicate, e.object.actor.country, e.theme) for e in extract_events(doc)]
[('RUS', 'supply', 'BLR', 'Iskander missiles')]
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc, Span, Token

from kg import lexicon
from kg.ingest import Article
from kg.nlp import ParsedArticle
from kg.actors import ActorIndex, Mention, actor_of, country_mention, resolve_actors

__all__ = ["Event", "EventRecord", "ActorRecord", "ArticleExtraction", "extract_events", "extract_with_actors", "extract_article"]

_SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
_OBJECT_DEPS = frozenset({"dobj", "dative", "attr", "oprd"})
_TARGET_PREPS = frozenset({"to", "with", "against", "on", "toward", "towards", "into", "at", "over", "upon", "onto", "from"})
_NOUN_TARGET_PREPS = _TARGET_PREPS | {"of", "in", "between"}
_MODALS = frozenset({"could", "might", "may", "would", "should", "can"})


@dataclass(frozen=True)
class Event:
    """One event stated in one sentence; offsets are in the parsed text."""

    subject: Mention | None
    object: Mention | None
    predicate: str
    event_type: str | None
    cameo: str | None
    theme: str | None
    sentence: Span
    trigger: Token
    negated: bool = False
    modality: str = "asserted"


@lru_cache(maxsize=1)
def _rules() -> dict:
    return json.loads(resources.files("kg.data").joinpath("extraction.json").read_text(encoding="utf-8"))


def extract_events(doc: Doc) -> list[Event]:
    """All events of a parsed document (see the module docstring for the rules)."""
    return extract_with_actors(doc, resolve_actors(doc))


def extract_with_actors(doc: Doc, index: ActorIndex) -> list[Event]:
    """Events of ``doc`` given its resolved actors (``kg.actors.resolve_actors``)."""
    events: list[Event] = []
    seen: set[tuple] = set()
    for sentence in doc.sents:
        consumed: set[int] = set()
        for token in sentence:
            if token.pos_ in ("VERB", "AUX") and token.dep_ != "aux" and token.dep_ != "auxpass":
                found = list(_verb_events(token, sentence, index, consumed))
            elif token.pos_ in ("NOUN", "PROPN") and token.i not in consumed:
                found = list(_noun_events(token, sentence, index))
            else:
                continue
            for event in found:
                key = (
                    event.subject.actor.iri if event.subject else None,
                    event.object.actor.iri if event.object else None,
                    event.predicate,
                    event.sentence.start,
                )
                if key not in seen:
                    seen.add(key)
                    events.append(event)
    return events


# ---------------------------------------------------------------- verbs


def _verb_type(verb: Token) -> tuple[str, lexicon.EventType | None]:
    """The predicate lemma and event type of a verb, phrasal forms first ("call for", "pull out")."""
    lemma = verb.lemma_.lower()
    for child in verb.children:
        if child.dep_ == "prt":
            found = lexicon.verb_type(lemma, child.lower_)
            if found:
                return f"{lemma} {child.lower_}", found
    for child in verb.children:
        if child.dep_ == "prep":
            found = lexicon.verb_type(lemma, child.lower_)
            if found:
                return f"{lemma} {child.lower_}", found
    return lemma, lexicon.verb_type(lemma)


def _verb_events(verb: Token, sentence: Span, index: ActorIndex, consumed: set[int]) -> Iterator[Event]:
    rules = _rules()
    predicate, etype = _verb_type(verb)
    event_noun = None
    if verb.lemma_.lower() in rules["light_verbs"] or etype is None:
        event_noun = next(
            (c for c in verb.children if c.dep_ in ("dobj", "nsubjpass") and lexicon.noun_type(c.lemma_.lower())), None
        )
        if event_noun is not None:
            predicate, etype = event_noun.lemma_.lower(), lexicon.noun_type(event_noun.lemma_.lower())
            consumed.add(event_noun.i)
    if etype is None and verb.lemma_.lower() in rules["non_event_verbs"]:
        return
    subjects, objects, theme = _verb_arguments(verb, index, event_noun)
    if etype is None and not (subjects and objects):
        return  # an untyped verb is an event only between two actors
    if not subjects and not objects:
        return
    negated, modality = _negation(verb), _modality(verb)
    for subject in subjects or [None]:
        for obj in objects or [None]:
            if subject is not None and obj is not None and subject.actor.iri == obj.actor.iri:
                continue
            yield Event(
                subject=subject,
                object=obj,
                predicate=predicate,
                event_type=etype.plover if etype else None,
                cameo=etype.cameo if etype else None,
                theme=theme,
                sentence=sentence,
                trigger=verb,
                negated=negated,
                modality=modality,
            )


def _verb_arguments(verb: Token, index: ActorIndex, event_noun: Token | None) -> tuple[list[Mention], list[Mention], str | None]:
    subjects: list[Mention] = []
    objects: list[Mention] = []
    theme_tokens: list[Token] = []
    for child in verb.children:
        if child.dep_ in _SUBJECT_DEPS:
            subjects += _actors_of(child, index)
        elif child.dep_ == "nsubjpass":
            found = _actors_of(child, index)
            objects += found
            if not found and child is not event_noun:
                theme_tokens.append(child)
        elif child.dep_ == "agent":
            subjects += [m for pobj in _pobjs(child) for m in _actors_of(pobj, index)]
        elif child.dep_ in _OBJECT_DEPS:
            found = _actors_of(child, index)
            objects += found
            if not found and child is not event_noun and child.dep_ == "dobj":
                theme_tokens.append(child)
        elif child.dep_ == "prep" and child.lower_ in _TARGET_PREPS:
            for pobj in _pobjs(child):
                found = _actors_of(pobj, index)
                objects += found
                if not found and child.lower_ == "with":
                    theme_tokens.append(pobj)
    if event_noun is not None:
        for prep in event_noun.children:
            if prep.dep_ == "prep" and prep.lower_ in _NOUN_TARGET_PREPS - {"of"}:
                objects += [m for pobj in _pobjs(prep) for m in _actors_of(pobj, index)]
    if not subjects:
        subjects = _inherited_subjects(verb, index)
    subjects = [s for s in subjects if s not in objects]
    theme = _phrase(theme_tokens[0]) if theme_tokens else None
    return _unique(subjects), _unique(objects), theme


def _inherited_subjects(verb: Token, index: ActorIndex, depth: int = 0) -> list[Mention]:
    """Subjects of a verb without its own: control ("agreed to supply"), conjunction, "thanked X for Ving"."""
    if depth > 4 or verb.head is verb:
        return []
    head = verb.head
    if verb.dep_ == "relcl":
        return _actors_of(head, index)
    if verb.dep_ == "pcomp" and head.dep_ == "prep" and head.lower_ == "for":
        governor = head.head
        for child in governor.children:
            if child.dep_ == "dobj":
                found = _actors_of(child, index)
                if found:
                    return found
    if verb.dep_ in ("pcomp",) and head.dep_ == "prep":
        head = head.head
    if verb.dep_ in ("xcomp", "conj", "advcl", "pcomp", "ccomp") or head is not verb.head:
        if verb.dep_ == "xcomp":
            for child in head.children:
                if child.dep_ == "dobj":
                    found = _actors_of(child, index)
                    if found:
                        return found  # object control: "urged Iran to stop"
        own = [m for c in head.children if c.dep_ in _SUBJECT_DEPS for m in _actors_of(c, index)]
        if own:
            return own
        agent = [m for c in head.children if c.dep_ == "agent" for p in _pobjs(c) for m in _actors_of(p, index)]
        if agent:
            return agent
        if verb.dep_ in ("xcomp", "conj") or head is not verb.head:
            return _inherited_subjects(head, index, depth + 1)
    return []


# ---------------------------------------------------------------- nouns


def _noun_events(noun: Token, sentence: Span, index: ActorIndex) -> Iterator[Event]:
    etype = lexicon.noun_type(noun.lemma_.lower())
    if etype is None or noun.i in index.by_token:
        return
    subjects: list[Mention] = []
    objects: list[Mention] = []
    for child in noun.children:
        if child.dep_ in ("poss", "amod", "compound", "nmod"):
            subjects += _actors_of(child, index) or _as_list(country_mention(child, index))
        elif child.dep_ == "prep" and child.lower_ == "by":
            subjects += [m for pobj in _pobjs(child) for m in _actors_of(pobj, index)]
        elif child.dep_ == "prep" and child.lower_ in _NOUN_TARGET_PREPS:
            objects += [m for pobj in _pobjs(child) for m in _actors_of(pobj, index)]
    if not subjects:
        return
    theme = None
    for child in noun.children:
        if child.dep_ == "compound" and not _actors_of(child, index) and country_mention(child, index) is None:
            theme = child.text
    for subject in _unique(subjects):
        for obj in _unique(objects) or [None]:
            if obj is not None and subject.actor.iri == obj.actor.iri:
                continue
            yield Event(
                subject=subject,
                object=obj,
                predicate=noun.lemma_.lower(),
                event_type=etype.plover,
                cameo=etype.cameo,
                theme=theme,
                sentence=sentence,
                trigger=noun,
                negated=any(c.dep_ == "neg" for c in noun.children),
                modality=_modality(noun.head) if noun.head.pos_ in ("VERB", "AUX") else "asserted",
            )


# ---------------------------------------------------------------- helpers


def _actors_of(token: Token, index: ActorIndex) -> list[Mention]:
    """The actors a phrase headed by ``token`` names, splitting coordination ("Russia and Belarus")."""
    found = []
    for member in [token, *_conjuncts(token)]:
        mention = actor_of(member, index)
        if mention is not None:
            found.append(mention)
    return found


def _conjuncts(token: Token) -> list[Token]:
    return [t for t in token.conjuncts if t.i > token.i]


def _pobjs(prep: Token) -> list[Token]:
    return [c for c in prep.children if c.dep_ == "pobj"]


def _as_list(mention: Mention | None) -> list[Mention]:
    return [mention] if mention is not None else []


def _unique(mentions: list[Mention]) -> list[Mention]:
    seen: set[str] = set()
    out = []
    for mention in mentions:
        if mention.actor.iri not in seen:
            seen.add(mention.actor.iri)
            out.append(mention)
    return out


def _phrase(token: Token) -> str:
    """The text of the noun phrase headed by ``token``, without its determiner and relative clauses."""
    tokens = [t for t in token.subtree if not (t.dep_ in ("relcl", "acl", "punct") or t.head.dep_ in ("relcl", "acl"))]
    tokens = [t for t in tokens if t.dep_ != "det" or t.head is not token]
    if not tokens:
        return token.text
    span = token.doc[tokens[0].i : tokens[-1].i + 1]
    return span.text.strip()


def _negation(verb: Token) -> bool:
    """Negated by "not"/"never" on the verb or a governing verb ("did not agree to supply")."""
    node = verb
    for _ in range(3):
        if any(c.dep_ == "neg" for c in node.children):
            return True
        if node.dep_ not in ("xcomp", "ccomp") or node.head is node:
            return False
        if node.head.lemma_.lower() in _rules()["negating_verbs"]:
            return True
        node = node.head
    return False


def _modality(verb: Token) -> str:
    """asserted, hypothetical (could, might, "unlikely that") or planned (plan to, will)."""
    rules = _rules()
    node = verb
    for _ in range(3):
        auxes = {c.lower_ for c in node.children if c.dep_ == "aux"}
        if auxes & _MODALS:
            return "hypothetical"
        if node.dep_ in ("xcomp", "ccomp") and node.head.lemma_.lower() in rules["hypothetical_verbs"]:
            return "hypothetical"
        if node.dep_ == "xcomp" and node.head.lemma_.lower() in rules["planning_verbs"]:
            return "planned"
        if "will" in auxes or "shall" in auxes:
            return "planned"
        if node.dep_ not in ("xcomp", "ccomp", "conj") or node.head is node:
            break
        node = node.head
    return "asserted"


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class ActorRecord:
    """An event argument as written to JSONL: the mention and the entity it resolves to."""

    text: str
    label: str
    id: str
    type: str
    country: str | None
    role: str | None
    span: tuple[int, int]

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "label": self.label,
            "id": self.id,
            "type": self.type,
            "country": self.country,
            "role": self.role,
            "span": list(self.span),
        }


@dataclass(frozen=True)
class EventRecord:
    """One event in the output contract of ``kg extract`` (offsets in the article's text)."""

    doc: str
    subject: ActorRecord | None
    object: ActorRecord | None
    predicate: str
    event_type: str | None
    cameo: str | None
    theme: str | None
    sentence: str
    span: tuple[int, int]
    date: str | None
    negated: bool
    modality: str

    def to_json(self) -> dict:
        return {
            "doc": self.doc,
            "subject": self.subject.to_json() if self.subject else None,
            "object": self.object.to_json() if self.object else None,
            "predicate": self.predicate,
            "event_type": self.event_type,
            "cameo": self.cameo,
            "theme": self.theme,
            "sentence": self.sentence,
            "span": list(self.span),
            "date": self.date,
            "negated": self.negated,
            "modality": self.modality,
        }


@dataclass(frozen=True)
class ArticleExtraction:
    """What extraction found in one article: its events and every actor mention."""

    article: Article
    events: list[EventRecord]
    mentions: list[ActorRecord]


def extract_article(parsed: ParsedArticle) -> ArticleExtraction:
    """Events and actor mentions of a parsed article, with offsets into the article's own text."""
    index = resolve_actors(parsed.doc)
    to_original = parsed.clean.to_original

    def actor_record(mention: Mention | None) -> ActorRecord | None:
        if mention is None:
            return None
        actor = mention.actor
        span = (to_original(mention.start), to_original(mention.end))
        return ActorRecord(mention.text, actor.label, actor.iri, actor.type, actor.country, actor.role, span)

    article = parsed.article
    events = []
    for event in extract_with_actors(parsed.doc, index):
        sentence = event.sentence
        events.append(
            EventRecord(
                doc=article.id,
                subject=actor_record(event.subject),
                object=actor_record(event.object),
                predicate=event.predicate,
                event_type=event.event_type,
                cameo=event.cameo,
                theme=event.theme,
                sentence=sentence.text.strip(),
                span=(to_original(sentence.start_char), to_original(sentence.end_char)),
                date=article.date,
                negated=event.negated,
                modality=event.modality,
            )
        )
    mentions = [actor_record(m) for m in index.mentions]
    return ArticleExtraction(article, events, mentions)
