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

>>> from kg.extract.language import load_pipeline
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

from kg.extract import lexicon
from kg.extract.dates import resolve_date
from kg.extract.parse import ParsedArticle
from kg.records import Actor as ActorRecord
from kg.records import ArticleExtraction
from kg.records import Event as EventRecord
from kg.extract.actors import (
    ActorIndex,
    Mention,
    actor_of,
    country_actor,
    country_mention,
    entity_span,
    in_country,
    is_domestic_group,
    national_group,
    resolve_actors,
)

__all__ = ["Event", "extract_events", "extract_with_actors", "extract_article"]

_SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
_OBJECT_DEPS = frozenset({"dobj", "dative", "attr", "oprd"})
_TARGET_PREPS = frozenset({"to", "with", "against", "on", "toward", "towards", "into", "upon", "onto", "from"})
# What a complaint, threat or protest is about is its target; what talks are about is not.
_CONFLICT_TARGET_PREPS = frozenset({"about", "over"})
_NOUN_TARGET_PREPS = _TARGET_PREPS | {"of", "between"}
# Verbs in these positions modify a noun or another verb ("a launching pad"), never state an event.
_NON_PREDICATE_DEPS = frozenset({"aux", "auxpass", "amod", "compound", "nmod"})
_PARTICLES = frozenset({"back", "out", "down", "up", "off", "away", "over", "in"})
_STATE_TYPES = frozenset({"Country", "Person", "ArmedForce"})
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
    when: str | None = None
    location: str | None = None
    location_country: str | None = None
    attributed_to: str | None = None
    confidence: float = 1.0


@lru_cache(maxsize=1)
def _rules() -> dict:
    return json.loads(resources.files("kg.data").joinpath("extraction.json").read_text(encoding="utf-8"))


def extract_events(doc: Doc) -> list[Event]:
    """All events of a parsed document (see the module docstring for the rules)."""
    return extract_with_actors(doc, resolve_actors(doc))


def extract_with_actors(doc: Doc, index: ActorIndex) -> list[Event]:
    """Events of ``doc`` given its resolved actors (``kg.extract.actors.resolve_actors``)."""
    events: list[Event] = []
    seen: set[tuple] = set()
    for sentence in doc.sents:
        consumed: set[int] = set()
        for token in sentence:
            if token.pos_ in ("VERB", "AUX") and token.dep_ not in _NON_PREDICATE_DEPS:
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


def verb_lemma(verb: Token) -> str:
    """The verb's lemma, mended where the lemmatizer cut a regular form wrongly
    ("staged" read as "stag"): a regular stem the lexicon or word lists know wins.

    >>> from kg.extract.language import load_pipeline
    >>> verb_lemma(load_pipeline()("Students staged protests.")[1])
    'stage'
    """
    lemma = verb.lemma_.lower()
    if lemma in _known_verbs():
        return lemma
    text = verb.lower_
    stems = []
    if text.endswith("ed"):
        stems += [text[:-1], text[:-2], text[:-3]]  # staged, walked, stopped
    elif text.endswith("ing"):
        stems += [text[:-3] + "e", text[:-3], text[:-4]]  # staging, walking, stopping
    elif text.endswith("s"):
        stems += [text[:-1], text[:-2]]
    return next((stem for stem in stems if stem in _known_verbs()), lemma)


@lru_cache(maxsize=1)
def _known_verbs() -> frozenset[str]:
    rules = _rules()
    words = set(lexicon.load_lexicon().verbs) | {verb for verb, _ in lexicon.load_lexicon().phrases}
    for key in ("light_verbs", "non_event_verbs", "receiving_verbs", "acceptance_verbs", "stative_passives"):
        words.update(rules[key])
    return frozenset(words)


def _verb_type(verb: Token) -> tuple[str, lexicon.EventType | None]:
    """The predicate lemma and event type of a verb, phrasal forms first ("call for", "pull out")."""
    lemma = verb_lemma(verb)
    for child in verb.children:
        if _is_particle(child):
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
    if verb_lemma(verb) in rules["light_verbs"]:
        event_noun = next(
            (c for c in verb.children if c.dep_ in ("dobj", "nsubjpass") and _noun_lexeme(c)[1]), None
        )
        if event_noun is not None:
            predicate, etype = _noun_lexeme(event_noun)
            consumed.add(event_noun.i)
    if etype is None and verb_lemma(verb) in rules["non_event_verbs"]:
        return
    if any(c.dep_ == "oprd" for c in verb.children):
        return  # naming or describing ("called the sanctions baseless") is no event
    subjects, objects, theme, evidence = _verb_arguments(verb, index, event_noun, etype)
    if predicate == "expel" and _expels_a_mission(verb):
        etype = lexicon.event_type("SANCTION")
    if verb_lemma(verb) in rules["receiving_verbs"] and theme is not None:
        # "Ukraine received weapons from Poland": the giver is the source, the receiver the target.
        sources = [c for c in _argument_children(verb) if c.dep_ == "prep" and c.lower_ == "from"]
        sources += [c for t in verb.children if t.dep_ == "dobj" for c in t.children if c.dep_ == "prep" and c.lower_ == "from"]
        givers = [m for c in sources for p in _pobjs(c) for m in _actors_of(p, index)]
        subjects, objects = givers, subjects
        etype, predicate = lexicon.event_type("AID"), predicate
        evidence.add("receiving verb")
    if etype is None and not (subjects and objects):
        return  # an untyped verb is an event only between two actors
    if not subjects and not objects:
        return
    negated, modality = _negation(verb), _modality(verb)
    if negated and verb_lemma(verb) in rules["acceptance_verbs"]:
        # "will not accept", "refused to allow": a refusal is itself an event.
        predicate, etype, negated = f"not {predicate}", lexicon.event_type("REJECT"), False
    elif modality == "planned" and etype is not None and not negated:
        etype = _intent_type(etype, verb)
    if etype is None:
        evidence.add("untyped")
    attributes = _attributes(verb, event_noun, sentence, index)
    if not objects and etype is not None:
        objects = _implicit_targets(verb, event_noun, etype, subjects, index)
        if objects:
            evidence.add("implicit target")
    if not subjects and etype is not None and etype.plover in rules["state_acts"] and _is_passive(verb):
        # "was arrested in Lebanon": arrests, trials and expulsions are carried out by the state where they happen.
        place = _location([verb])
        country = _place_country(place) if place is not None else None
        if country:
            subjects = [Mention(country_actor(country), place.text, place.start_char, place.end_char)]
            evidence.add("implicit subject")
    subjects, objects = _placed(subjects, objects, attributes["location_country"], etype)
    if not objects:
        objects = _domestic_targets(subjects, etype)
        if objects:
            evidence.add("domestic target")
    for subject, obj in _pairs(subjects, objects, etype):
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
            confidence=_confidence(evidence, subject, obj, modality),
            **attributes,
        )


def _verb_arguments(
    verb: Token, index: ActorIndex, event_noun: Token | None, etype=None
) -> tuple[list[Mention], list[Mention], str | None, set[str]]:
    """Subjects, objects and theme of a verb, and how they were found (``evidence``)."""
    target_preps = _TARGET_PREPS | (_CONFLICT_TARGET_PREPS if etype is not None and "conflict" in etype.quad_class else frozenset())
    evidence: set[str] = set()
    subjects: list[Mention] = []
    candidates: list[tuple[Token, str]] = []  # (phrase head, how it attaches) of possible objects
    for child in _argument_children(verb):
        dep = child.dep_
        if dep in _SUBJECT_DEPS:
            subjects += _actors_of(child, index)
        elif dep == "agent":
            subjects += [m for pobj in _pobjs(child) for m in _actors_of(pobj, index)]
        elif dep == "nsubjpass" and verb_lemma(verb) in _rules()["stative_passives"]:
            subjects += _actors_of(child, index)  # "Israel is opposed to", "Vietnam is committed to"
        elif dep == "dative" and child.pos_ == "ADP":
            candidates += [(pobj, child.lower_) for pobj in _pobjs(child)]  # "sent doctors to Mozambique"
        elif dep == "nsubjpass" or dep in _OBJECT_DEPS:
            candidates.append((child, dep))
        elif dep == "prep" and child.lower_ in target_preps:
            candidates += [(pobj, child.lower_) for pobj in _pobjs(child)]
    if not subjects:
        subjects = _inherited_subjects(verb, index)
        evidence.add("inherited subject")

    subject_iris = {m.actor.iri for m in subjects}
    objects: list[Mention] = []
    inner_targets: list[Mention] = []  # targets inside a non-actor object: "a visit to Haiti", "Iraqi towns"
    theme_tokens: list[Token] = []
    for head, attachment in candidates:
        if head == event_noun:
            continue
        found = _actors_of(head, index)
        # A state's own envoys or forces are what it sends or withdraws, not whom it acts upon.
        own = [
            m
            for m in found
            if m.actor.iri in subject_iris
            or (_same_state(m, subjects) and m.actor.type != "Country")
            or _possessed_by_subject(head, subjects, index)
        ]
        objects += [m for m in found if m not in own]
        if found and not own:
            continue
        if attachment in ("dobj", "dative", "nsubjpass", "with") or own:
            theme_tokens.append(head)
        # An own-side phrase ("its ambassador in Peru") points at a target only through its prepositions.
        inner_targets += _targets_within(head, index, subjects, modifiers=not own)
    # People sent somewhere are what is sent, not the target: "sent engineers to Mozambique".
    recipients = [m for m in objects if m.actor.country]
    carried = [m for m in objects if m.actor.type == "Group" and m.actor.country is None]
    if recipients and carried:
        objects = [m for m in objects if m not in carried]
        theme_tokens += [head for head, attachment in candidates if attachment == "dobj" and head not in theme_tokens]
    if event_noun is not None:
        objects += _targets_within(event_noun, index, subjects)
    if objects and inner_targets and all(m.actor.country is None for m in objects):
        objects = inner_targets  # "complained to the UN over Israeli air raids": Israel is the target
    if not objects and not inner_targets:
        # The target of what is threatened or demanded, unless it is the subject's own side.
        objects = [
            m for m in _complement_targets(verb, index) if m.actor.iri not in subject_iris and not _same_state(m, subjects)
        ]
        if objects:
            evidence.add("complement target")
    if not objects and inner_targets:
        objects = inner_targets
        evidence.add("inner target")
    subjects = [s for s in subjects if s not in objects]
    return _unique(subjects), _unique(objects), _theme(theme_tokens), evidence


def _theme(heads: list[Token]) -> str | None:
    """The theme phrase. A non-actor dative right before the object is one phrase the
    parser split in two ("sold Bayraktar TB2 drones"); otherwise the first object. A relative
    pronoun stands for the noun its clause describes ("rules, which they blame": the rules)."""
    heads = [antecedent for antecedent in map(_antecedent, heads) if antecedent is not None]
    if not heads:
        return None
    datives = [t for t in heads if t.dep_ == "dative"]
    objects = [t for t in heads if t.dep_ != "dative"]
    if datives and objects and datives[0].right_edge.i + 1 == objects[0].left_edge.i:
        return f"{_phrase(datives[0])} {_phrase(objects[0])}"
    return _phrase(objects[0] if objects else heads[0])


def _antecedent(token: Token) -> Token | None:
    """``token``, or for a relative pronoun ("which", "that", "what") the noun its relative clause
    describes; ``None`` when it describes none ("what they blame"), as a pronoun is no theme."""
    if token.tag_ not in ("WDT", "WP"):
        return token
    clause = token.head
    return clause.head if clause.dep_ == "relcl" and clause.head.pos_ in ("NOUN", "PROPN") else None


def _is_particle(token: Token) -> bool:
    """A verb particle, also where the parser calls it an adverb ("pulled its troops back")."""
    return token.dep_ == "prt" or (token.dep_ == "advmod" and token.lower_ in _PARTICLES)


def _argument_children(verb: Token) -> Iterator[Token]:
    """The verb's dependents, and those of its particle ("back from Georgia")."""
    for child in verb.children:
        yield child
        if _is_particle(child):
            yield from child.children


def _possessed_by_subject(phrase: Token, subjects: list[Mention], index: ActorIndex) -> bool:
    """ "its engineers", "Ghana's diplomats": the subject's own people, sent or withdrawn."""
    countries = {m.actor.country for m in subjects if m.actor.country}
    iris = {m.actor.iri for m in subjects}
    for child in phrase.children:
        if child.dep_ == "poss":
            owner = actor_of(child, index)
            if owner is not None and (owner.actor.iri in iris or owner.actor.country in countries):
                return True
    return False


def _same_state(mention: Mention, subjects: list[Mention]) -> bool:
    """Whether ``mention`` is a state actor (the state, its leaders, its forces) of a subject's state."""
    if mention.actor.type not in _STATE_TYPES or mention.actor.country is None:
        return False
    return any(s.actor.type in _STATE_TYPES and s.actor.country == mention.actor.country for s in subjects)


def _targets_within(
    phrase: Token, index: ActorIndex, subjects: list[Mention], depth: int = 0, *, modifiers: bool = True
) -> list[Mention]:
    """Actors a non-actor phrase is about: its owner ("Ukraine's power grid"), its
    national modifier ("Iraqi towns"), or a directional complement ("a visit to Haiti",
    "calls by Belarus's rulers", "a war against Iraq"). The subjects' own side
    ("its ambassador in Peru") is never the target."""

    def others(mentions: list[Mention]) -> list[Mention]:
        return [m for m in mentions if not _same_state(m, subjects) and m not in subjects]

    found: list[Mention] = []
    for child in phrase.children if modifiers else ():
        if child.dep_ == "poss":
            found += others(_actors_of(child, index))
        elif child.dep_ in ("amod", "compound", "nmod"):
            national = country_mention(child, index)
            if national is not None and _same_state(national, subjects):
                # A state does not act upon itself: its own nationals are a domestic group
                # ("banned Ugandan opposition candidates").
                group = national_group(phrase.lemma_.lower(), national.actor.country)
                national = Mention(group, national.text, national.start, national.end)
            found += _as_list(national)
    if found or depth >= 2:
        return found
    for child in phrase.children:
        if child.dep_ == "prep" and child.lower_ in _NOUN_TARGET_PREPS | {"by", "for"}:
            for pobj in _pobjs(child):
                found += others(_actors_of(pobj, index)) or _targets_within(pobj, index, subjects, depth + 1)
    return found


def _complement_targets(verb: Token, index: ActorIndex) -> list[Mention]:
    """The target of a threat, offer or demand is the target of what is threatened,
    offered or demanded: "threatened to shell Iraqi towns", "demanded that Sudan end curbs"."""
    if lexicon.verb_type(verb_lemma(verb)) is None:
        return []
    for child in verb.children:
        if child.dep_ == "ccomp":
            found = [m for c in child.children if c.dep_ in _SUBJECT_DEPS for m in _actors_of(c, index)]
            if found:
                return found
        if child.dep_ in ("xcomp", "ccomp") and child.pos_ in ("VERB", "AUX"):
            found = _verb_arguments(child, index, None)[1]  # its objects
            if found:
                return found
    return []


def _inherited_subjects(verb: Token, index: ActorIndex, depth: int = 0) -> list[Mention]:
    """Subjects of a verb without its own: control ("agreed to supply", "urged Iran to stop"),
    conjunction, relative clauses, "thanked X for Ving". A ``ccomp`` ("said that ...")
    and a passive verb never inherit: their subject is their own."""
    if depth > 4 or verb.head == verb or any(c.dep_ == "nsubjpass" for c in verb.children):
        return []
    head = verb.head
    if verb.dep_ == "relcl":
        return _actors_of(head, index)
    if verb.dep_ == "pcomp" and head.dep_ == "prep":
        governor = head.head
        if head.lower_ == "for":
            found = _dobj_actors(governor, index)
            if found:
                return found
        return _own_or_inherited_subjects(governor, index, depth)
    if verb.dep_ == "xcomp" and head.pos_ == "ADJ" and head.dep_ in ("acomp", "oprd", "amod"):
        return _own_or_inherited_subjects(head.head, index, depth)  # "Syria is ready to withdraw"
    if verb.dep_ == "xcomp":
        found = _dobj_actors(head, index)
        if found:
            return found
    if verb.dep_ in ("xcomp", "conj", "advcl"):
        return _own_or_inherited_subjects(head, index, depth)
    return []


def _own_or_inherited_subjects(verb: Token, index: ActorIndex, depth: int) -> list[Mention]:
    own = [m for c in verb.children if c.dep_ in _SUBJECT_DEPS for m in _actors_of(c, index)]
    own += [m for c in verb.children if c.dep_ == "agent" for p in _pobjs(c) for m in _actors_of(p, index)]
    return own or _inherited_subjects(verb, index, depth + 1)


def _dobj_actors(verb: Token, index: ActorIndex) -> list[Mention]:
    return [m for c in verb.children if c.dep_ == "dobj" for m in _actors_of(c, index)]


# ---------------------------------------------------------------- nouns


def _noun_lexeme(noun: Token) -> tuple[str, lexicon.EventType | None]:
    """The lexicon entry of an event noun, compounds first: "hunger strike" before "strike"."""
    lemma = noun.lemma_.lower()
    for child in noun.lefts:
        if child.dep_ in ("compound", "amod") and child.i == noun.i - 1:
            compound = f"{child.lemma_.lower()} {lemma}"
            found = lexicon.noun_type(compound)
            if found is not None:
                return compound, found
            if lemma in _rules()["frame_nouns"] and lexicon.noun_type(child.lemma_.lower()):
                return child.lemma_.lower(), lexicon.noun_type(child.lemma_.lower())  # "a mediation effort"
    return lemma, lexicon.noun_type(lemma)


def _noun_events(noun: Token, sentence: Span, index: ActorIndex) -> Iterator[Event]:
    lemma, etype = _noun_lexeme(noun)
    if etype is None or noun.i in index.by_token:
        return
    subjects: list[Mention] = []
    complements: list[Token] = []  # what follows a target preposition: "attack on Ukraine"
    for child in noun.children:
        # "Russia's attack", "a Russian attack"; a bare name ("Ukraine war") may be
        # the doer or the place, so it names no subject.
        if child.dep_ == "poss" or (child.dep_ in ("amod", "nmod", "compound") and child.ent_type_ == "NORP"):
            subjects += _actors_of(child, index) or _as_list(country_mention(child, index))
        elif child.dep_ == "prep" and child.lower_ == "by":
            subjects += [m for pobj in _pobjs(child) for m in _actors_of(pobj, index)]
        elif child.dep_ == "prep" and child.lower_ in _NOUN_TARGET_PREPS:
            complements += _pobjs(child)
    if not subjects:
        return
    objects = [m for pobj in complements for m in _actors_of(pobj, index)]
    if not objects:
        # "sanctions on Russian companies": the target is whom the complement is about.
        pronouns = _rules()["confidence"]["pronouns"]  # "strikes on its power grid": too weak a clue here
        objects = [
            m for pobj in complements for m in _targets_within(pobj, index, subjects) if m.text.lower() not in pronouns
        ]
    governor = next((t for t in noun.ancestors if t.pos_ in ("VERB", "AUX")), None)
    theme = None
    for child in noun.children:
        part_of_lexeme = " " in lemma and child.i == noun.i - 1
        if child.dep_ == "compound" and not part_of_lexeme and not _actors_of(child, index) and country_mention(child, index) is None:
            theme = child.text
    modality = _modality(governor) if governor is not None else "asserted"
    negated = any(c.dep_ == "neg" for c in noun.children)
    if governor is not None and noun.dep_ in ("nsubj", "nsubjpass") and noun.head == governor:
        negated = negated or _negation(governor)  # "the attack did not happen"
    attributes = _attributes(noun, None, sentence, index)
    subjects, objects = _placed(_unique(subjects), _unique(objects), attributes["location_country"], etype)
    evidence = {"event noun"}
    if not objects:
        objects = _domestic_targets(subjects, etype)
        if objects:
            evidence.add("domestic target")
    for subject, obj in _pairs(subjects, objects, etype):
        yield Event(
            subject=subject,
            object=obj,
            predicate=lemma,
            event_type=etype.plover,
            cameo=etype.cameo,
            theme=theme,
            sentence=sentence,
            trigger=noun,
            negated=negated,
            modality=modality,
            confidence=_confidence(evidence, subject, obj, modality),
            **attributes,
        )


# ---------------------------------------------------------------- helpers


def _pairs(subjects: list[Mention], objects: list[Mention], etype) -> Iterator[tuple[Mention | None, Mention | None]]:
    """(subject, object) pairs of an event; coordinated subjects of a reciprocal
    event ("Russia and China held talks") are each other's objects."""
    if not objects and len(subjects) > 1 and etype is not None and etype.plover in _rules()["reciprocal_types"]:
        for subject in subjects:
            for other in subjects:
                if other.actor.iri != subject.actor.iri:
                    yield subject, other
        return
    for subject in subjects or [None]:
        for obj in objects or [None]:
            if subject is None or obj is None or subject.actor.iri != obj.actor.iri:
                yield subject, obj


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
    """The noun phrase headed by ``token``: its modifiers, "of" complements and
    conjuncts, without determiner, clauses, appositions or other prepositions."""
    kept = sorted(_phrase_tokens(token, top=True), key=lambda t: t.i)
    return token.doc[kept[0].i : kept[-1].i + 1].text.strip() if kept else token.text


_PHRASE_DEPS = frozenset({"amod", "compound", "nummod", "poss", "case", "nmod", "quantmod", "advmod", "conj", "cc", "pobj", "det", "predet", "preconj"})


def _phrase_tokens(token: Token, *, top: bool = False) -> list[Token]:
    tokens = [token]
    for child in token.children:
        if child.dep_ == "det" and top:
            continue
        if child.dep_ in _PHRASE_DEPS or (child.dep_ == "prep" and child.lower_ == "of"):
            tokens += _phrase_tokens(child)
    return tokens


def _negation(verb: Token) -> bool:
    """Negated by "not"/"never" on the verb or a governing verb ("did not agree to supply")."""
    node = verb
    for _ in range(3):
        if any(c.dep_ == "neg" for c in node.children):
            return True
        if node.dep_ not in ("xcomp", "ccomp") or node.head == node:
            return False
        if node.head.lemma_.lower() in _rules()["negating_verbs"]:
            return True
        node = node.head
    return False


def _modality(verb: Token) -> str:
    """How the text states an event:

    - ``hypothetical``: "could", "might", "it is unlikely that", "hope to", "capable of";
    - ``alleged``: the content of an accusation ("accused Y of shelling", "alleged that");
    - ``purpose``: the goal of another act ("rallied to demand", "an invitation to attend");
    - ``planned``: "will", "plans to", "is ready to", "said it would";
    - ``asserted``: otherwise.

    Governing clauses count too; hypothetical, alleged and purpose win over a plan.
    """
    rules = _rules()
    planned = False
    node = verb
    for _ in range(4):
        auxes = {c.lower_ for c in node.children if c.dep_ == "aux"}
        if any(c.dep_ == "advmod" and c.lower_ in rules["hedges"] for c in node.children):
            return "hypothetical"
        governor = node.head.lemma_.lower()
        reported = node.dep_ == "ccomp" and governor in rules["reporting_verbs"]
        if auxes & _MODALS - ({"would"} if reported else set()):
            return "hypothetical"
        if node.dep_ in ("xcomp", "ccomp") and governor in rules["hypothetical_verbs"]:
            return "hypothetical"
        if node.dep_ == "ccomp" and _hypothetical_frame(node.head, rules):
            return "hypothetical"
        if node.dep_ in ("ccomp", "xcomp") and governor in rules["allegation_words"]:
            return "alleged"
        if node.dep_ == "pcomp" and node.head.dep_ == "prep":
            owner = node.head.head.lemma_.lower()
            if owner in rules["allegation_words"]:
                return "alleged"  # "accused Belgrade of shelling"
            if owner in rules["hypothetical_adjectives"]:
                return "hypothetical"  # "capable of launching"
        if node.dep_ in ("advcl", "acl") and "to" in auxes and not any(c.dep_ in _SUBJECT_DEPS for c in node.children):
            return "purpose"  # an infinitive of purpose states a goal, not an act
        if node.dep_ == "xcomp" and governor in rules["planning_verbs"]:
            planned = True
        if auxes & {"will", "shall", "would"}:
            planned = True
        if node.dep_ not in ("xcomp", "ccomp", "conj") or node.head == node:
            break
        node = node.head
    return "planned" if planned else "asserted"


def _hypothetical_frame(head: Token, rules: dict) -> bool:
    """ "unlikely that ...": the adjective heads the clause, or is the copula's complement."""
    adjectives = rules["hypothetical_adjectives"]
    return head.lemma_.lower() in adjectives or any(
        c.dep_ == "acomp" and c.lemma_.lower() in adjectives for c in head.children
    )


def _intent_type(etype, verb: Token):
    """What a planned event expresses: an intent to cooperate (AGREE), or a threat
    (THREATEN) when what is planned is material conflict or made conditional
    ("will withdraw unless ...")."""
    conditional = any(
        c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("unless", "if") for m in c.children)
        for c in verb.children
    )
    if conditional or etype.quad_class == "material conflict":
        return lexicon.event_type("THREATEN")
    if etype.quad_class in ("verbal cooperation", "material cooperation"):
        return lexicon.event_type("AGREE")
    return etype


# ---------------------------------------------------------------- attributes

_TEMPORAL_DEPS = frozenset({"npadvmod", "tmod", "pobj", "poss", "nmod", "advmod", "compound", "dobj"})
_LOCATION_PREPS = frozenset({"in", "at", "near", "outside", "inside", "across", "throughout"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


def _attributes(trigger: Token, event_noun: Token | None, sentence: Span, index: ActorIndex) -> dict:
    """When (the temporal expression), where, and according to whom an event is stated."""
    words = [trigger] + ([event_noun] if event_noun is not None else [])
    when = _temporal(words)
    location = _location(words)
    return {
        "when": when,
        "location": location.text if location is not None else None,
        "location_country": _place_country(location) if location is not None else None,
        "attributed_to": _attribution(trigger, sentence, index),
    }


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)


def _implicit_targets(
    verb: Token, event_noun: Token | None, etype, subjects: list[Mention], index: ActorIndex
) -> list[Mention]:
    """Targets the clause implies: whoever a threat's condition is about ("threatened to
    walk out if Washington goes ahead"), else, for force and threats, the state where
    it happens ("imposed a curfew in Algiers")."""
    rules = _rules()
    if etype.plover == "THREATEN":
        for node in [verb, *(c for c in verb.children if c.dep_ == "xcomp")]:
            for clause in node.children:
                if clause.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in clause.children):
                    found = [m for c in clause.children if c.dep_ in _SUBJECT_DEPS for m in _actors_of(c, index)]
                    found = [m for m in found if not _same_state(m, subjects)]
                    if found:
                        return found
    if etype.plover in rules["located_target_types"]:
        place = _location([verb] + ([event_noun] if event_noun is not None else []))
        country = _place_country(place) if place is not None else None
        if country:
            return [Mention(country_actor(country), place.text, place.start_char, place.end_char)]
    return []


def _expels_a_mission(verb: Token) -> bool:
    """ "expelled UN inspectors", "expelled the aid agencies": what is expelled is a mission, not people."""
    missions = _rules()["expelled_missions"]
    for thing in (c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")):
        words = [thing.lemma_.lower()] + [f"{c.lemma_.lower()} {thing.lemma_.lower()}" for c in thing.children if c.dep_ == "compound"]
        if any(word in missions for word in words):
            return True
    return False


def _domestic_targets(subjects: list[Mention], etype) -> list[Mention]:
    """A national group acting on no one named acts on its own state, as event coders have it:
    "Indonesian students staged demonstrations", "Sudanese rebels shelled Juba" target their state.
    The mention is the group's own words, which name that state."""
    if etype is None or etype.plover not in _rules()["domestic_target_types"]:
        return []
    if not subjects or any(m.actor.type != "Group" or m.actor.country is None for m in subjects):
        return []
    countries = {m.actor.country for m in subjects}
    if len(countries) != 1:
        return []
    group = subjects[0]
    return [Mention(country_actor(countries.pop()), group.text, group.start, group.end)]


def _placed(subjects: list[Mention], objects: list[Mention], location_country: str | None, etype):
    """Groups of unknown nationality take the country where the event happens
    ("demonstrators ... in Monrovia"); failing that, a group a state coerces is one
    of its own (police dispersing "demonstrators")."""
    if location_country:
        return [in_country(m, location_country) for m in subjects], [in_country(m, location_country) for m in objects]
    states = {m.actor.country for m in subjects if m.actor.type in _STATE_TYPES and m.actor.country}
    if len(states) == 1 and etype is not None and etype.plover == "COERCE":
        (state,) = states
        objects = [in_country(m, state) if is_domestic_group(m.actor) else m for m in objects]
    return subjects, objects


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
            return _entity_text(token)
    head = words[0]
    if head.dep_ in ("xcomp", "conj") and head.head != head:
        return _temporal([head.head])  # "agreed on Monday to hold talks"
    return None


def _location(words: list[Token]) -> Span | None:
    for word in words:
        for prep in word.children:
            if prep.dep_ == "prep" and prep.lower_ in _LOCATION_PREPS:
                for pobj in _pobjs(prep):
                    place = _place_in(pobj)
                    if place is not None:
                        return place
    return None


def _place_in(phrase: Token) -> Span | None:
    """The place a location phrase names: itself, the name beside its noun ("the capital Kabul"),
    or the place it is part of ("a residential sector of eastern Beirut")."""
    if phrase.ent_type_ in _PLACE_LABELS:
        return entity_span(phrase)
    for child in phrase.children:
        if child.dep_ in ("appos", "compound") and child.ent_type_ in _PLACE_LABELS:
            return entity_span(child)
    for child in phrase.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for pobj in _pobjs(child):
                if pobj.ent_type_ in _PLACE_LABELS:
                    return entity_span(pobj)
    return None


def _place_country(place: Span) -> str | None:
    from kg.extract import gazetteer

    entry = gazetteer.lookup(place.text)
    if entry is not None and entry.country:
        return entry.country
    return gazetteer.place_country(place.text)


def _attribution(trigger: Token, sentence: Span, index: ActorIndex) -> str | None:
    """Who states the event: the speaker of a reporting verb governing it, or "according to X"
    in the trigger's ``sentence`` (passed in: ``Token.sent`` would look for it again for every event)."""
    reporting = _rules()["reporting_verbs"]
    node = trigger
    for _ in range(6):
        if node.head == node:
            break
        if node.dep_ in ("ccomp", "parataxis") and node.head.lemma_.lower() in reporting:
            speaker = next((c for c in node.head.children if c.dep_ in _SUBJECT_DEPS), None)
            if speaker is not None:
                return _speaker_name(speaker, index)
        node = node.head
    for token in sentence:
        if token.lower_ == "according":
            for to in token.children:
                for pobj in _pobjs(to):
                    return _speaker_name(pobj, index)
    return None


def _speaker_name(token: Token, index: ActorIndex) -> str:
    mention = actor_of(token, index)
    return mention.actor.label if mention is not None else _phrase(token)


def _entity_text(token: Token) -> str:
    return entity_span(token).text


def _confidence(evidence: set[str], subject: Mention | None, obj: Mention | None, modality: str) -> float:
    """How far to trust an event, from how its parts were found (weights in extraction.json)."""
    weights = _rules()["confidence"]
    score = weights["base"]
    for reason in evidence:
        score *= weights.get(reason, 1.0)
    for mention in (subject, obj):
        if mention is not None and mention.text.lower() in weights["pronouns"]:
            score *= weights["pronoun argument"]
    if subject is None or obj is None:
        score *= weights["one argument"]
    score *= weights.get(modality, 1.0)
    return round(max(0.05, min(1.0, score)), 2)


# ---------------------------------------------------------------- records


def extract_article(parsed: ParsedArticle) -> ArticleExtraction:
    """Events and actor mentions of a parsed article, with offsets into the article's own text."""
    index = resolve_actors(parsed.doc)
    to_original = parsed.clean.span_to_original
    # Events share their sentences: the text of each is made once.
    sentences: dict[int, tuple[str, tuple[int, int]]] = {}  # sentence start -> text, span in the article

    def actor_record(mention: Mention | None) -> ActorRecord | None:
        if mention is None:
            return None
        actor = mention.actor
        span = to_original(mention.start, mention.end)
        return ActorRecord(mention.text, actor.label, actor.iri, actor.type, actor.country, actor.role, span)

    article = parsed.article
    events = []
    for event in extract_with_actors(parsed.doc, index):
        sentence = event.sentence
        if sentence.start not in sentences:
            sentences[sentence.start] = (sentence.text.strip(), to_original(sentence.start_char, sentence.end_char))
        sentence_text, sentence_span = sentences[sentence.start]
        resolved = resolve_date(event.when, article.date) if event.when else None
        things = tuple(
            actor_record(m)
            for m in index.things
            if event.theme and m.text in event.theme and sentence.start_char <= m.start < sentence.end_char
        )
        date, precision = (resolved.date, resolved.precision) if resolved else (article.date, "day" if article.date else None)
        events.append(
            EventRecord(
                doc=article.id,
                subject=actor_record(event.subject),
                object=actor_record(event.object),
                predicate=event.predicate,
                event_type=event.event_type,
                cameo=event.cameo,
                theme=event.theme,
                sentence=sentence_text,
                span=sentence_span,
                date=date,
                date_precision=precision,
                date_text=event.when if resolved else None,
                location=event.location,
                location_country=event.location_country,
                negated=event.negated,
                modality=event.modality,
                attributed_to=event.attributed_to,
                confidence=event.confidence,
                theme_entities=things,
            )
        )
    mentions = [actor_record(m) for m in index.mentions]
    return ArticleExtraction(article, events, mentions)
