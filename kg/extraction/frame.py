"""The frame the event steps work on, and the reading of the parse they share.

A :class:`Frame` is one candidate event: the word that triggers it, its type,
and what the steps of :mod:`kg.extraction.steps` find for it in turn (subjects,
objects, theme, modality, circumstances, and the evidence its confidence
comes from). A step is a function ``(frame) -> bool``: it fills in or
corrects the frame, and returns ``False`` when the candidate is no event.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from kg.extraction.actors import ActorIndex, Mention, actor_of
from kg.extraction.lexicon import EventType
from kg.extraction.rules import load_rules

__all__ = [
    "STATE_TYPES",
    "SUBJECT_DEPS",
    "Frame",
    "Step",
    "actors_of",
    "as_list",
    "companions",
    "phrase",
    "pobjs",
    "same_state",
    "unique",
]

SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
#: Actor types that act for a state: the state, its officials and its forces.
STATE_TYPES = frozenset({"Country", "Person", "ArmedForce"})


@dataclass(eq=False)
class Frame:
    """One candidate event while the steps work on it.

    ``trigger`` is the verb or event noun; ``event_noun`` the noun that types a
    light verb ("held *talks*"). ``subjects`` and ``objects`` become one event
    per pair. ``evidence`` names the weaker ways the parts were found (weights
    in ``extraction.json``). ``when``, ``location`` and ``attributed_to`` are
    the words the text gives, resolved later.
    """

    trigger: Token
    sentence: Span
    actors: ActorIndex
    predicate: str
    type: EventType | None
    event_noun: Token | None = None
    subjects: list[Mention] = field(default_factory=list)
    objects: list[Mention] = field(default_factory=list)
    theme: str | None = None
    negated: bool = False
    modality: str = "asserted"
    evidence: set[str] = field(default_factory=set)
    when: str | None = None
    location: str | None = None
    location_country: str | None = None
    attributed_to: str | None = None


#: A rule step: fills in the frame; ``False`` when the candidate is no event.
Step = Callable[[Frame], bool]


def actors_of(token: Token, index: ActorIndex) -> list[Mention]:
    """The actors a phrase headed by ``token`` names, splitting coordination ("Russia and Belarus",
    "US and British forces")."""
    found = []
    for member in [token, *(t for t in token.conjuncts if t.i > token.i), *companions(token)]:
        mention = actor_of(member, index)
        if mention is not None:
            found.append(mention)
            found += index.coordinated.get(member.i, [])  # "US and British forces": both
    return found


def companions(head: Token) -> list[Token]:
    """Who a phrase says takes part alongside (``companion_words``): Belarus of "Russia, together
    with Belarus," or, on a verb, "was captured along with his brother"."""
    words = load_rules().companion_words
    found = []
    for prep in head.children:
        if prep.dep_ == "prep" and prep.lower_ == "with" and any(c.lower_ in words for c in prep.children if c.dep_ == "advmod"):
            found += pobjs(prep)
        elif prep.dep_ == "prep" and prep.lower_ == "with" and prep.i > 0 and head.doc[prep.i - 1].lower_ in words and head.doc[prep.i - 1].head in (head, prep):
            found += pobjs(prep)
        elif prep.dep_ == "prep" and prep.lower_ in words:
            found += [p for w in prep.children if w.dep_ == "prep" and w.lower_ == "with" for p in pobjs(w)]
    return found


def pobjs(prep: Token) -> list[Token]:
    """The objects of a preposition."""
    return [c for c in prep.children if c.dep_ == "pobj"]


def as_list(mention: Mention | None) -> list[Mention]:
    return [mention] if mention is not None else []


def unique(mentions: list[Mention]) -> list[Mention]:
    """``mentions`` with one mention per actor, the first."""
    seen: set[str] = set()
    out = []
    for mention in mentions:
        if mention.actor.iri not in seen:
            seen.add(mention.actor.iri)
            out.append(mention)
    return out


def same_state(mention: Mention, subjects: list[Mention]) -> bool:
    """Whether ``mention`` is a state actor (the state, its leaders, its forces) of a subject's state."""
    if mention.actor.type not in STATE_TYPES or mention.actor.country is None:
        return False
    return any(s.actor.type in STATE_TYPES and s.actor.country == mention.actor.country for s in subjects)


_PHRASE_DEPS = frozenset(
    {"amod", "compound", "nummod", "poss", "case", "nmod", "quantmod", "advmod", "conj", "cc", "pobj", "det", "predet", "preconj"}
)


def phrase(token: Token) -> str:
    """The noun phrase headed by ``token``: its modifiers, "of" complements and
    conjuncts, without determiner, clauses, appositions or other prepositions."""
    kept = sorted(_phrase_tokens(token, top=True), key=lambda t: t.i)
    return token.doc[kept[0].i : kept[-1].i + 1].text.strip() if kept else token.text


def _phrase_tokens(token: Token, *, top: bool = False) -> list[Token]:
    tokens = [token]
    for child in token.children:
        if child.dep_ == "det" and top:
            continue
        if child.dep_ in _PHRASE_DEPS or (child.dep_ == "prep" and child.lower_ == "of"):
            tokens += _phrase_tokens(child)
    return tokens
