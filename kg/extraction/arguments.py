"""Who does what to whom: the subjects, objects and theme of an event verb, from the parse.

- subjects (``nsubj``), agents of a passive ("was attacked by Russia"), and
  subjects carried through control, conjunction, relative clauses and "thanked
  X for Ving" when the verb has none of its own;
- objects: direct and indirect objects, the passive subject, prepositional
  recipients and targets ("to", "against", "on" ...; "about", "over" for
  conflict); the actor a non-actor object is about ("a visit to Haiti",
  "Iraqi towns"), and the target of what is threatened or demanded;
- the theme: what is supplied, used or demanded, never the object. A state's
  own envoys, forces and people sent somewhere are the theme too.

>>> from kg.extraction.actors import resolve_actors
>>> from kg.extraction.language import load_pipeline
>>> doc = load_pipeline()("Russia supplied Belarus with Iskander missiles.")
>>> found = verb_arguments(doc[1], resolve_actors(doc))
>>> [m.text for m in found.subjects], [m.text for m in found.objects], found.theme
(['Russia'], ['Belarus'], 'Iskander missiles')
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from spacy.tokens import Token

from kg.extraction import lexicon
from kg.extraction.actors import ActorIndex, Mention, actor_of, country_mention, national_group
from kg.extraction.frame import SUBJECT_DEPS, actors_of, as_list, companions, phrase, pobjs, same_state, unique
from kg.extraction.lexicon import EventType
from kg.extraction.predicates import is_particle, is_phrasal_prep, noun_lexeme, verb_lemma
from kg.extraction.rules import load_rules

__all__ = ["Arguments", "argument_children", "complement_targets", "inherited_subjects", "is_help", "opposed", "opposing_heads", "targets_within", "verb_arguments"]

_OBJECT_DEPS = frozenset({"dobj", "dative", "attr", "oprd"})
_TARGET_PREPS = frozenset({"to", "with", "against", "on", "toward", "towards", "into", "upon", "onto", "from"})
# What a complaint, threat or protest is about is its target; what talks are about is not.
_CONFLICT_TARGET_PREPS = frozenset({"about", "over"})
NOUN_TARGET_PREPS = _TARGET_PREPS | {"of", "between"}
# Events that move or give something: a state's own people in them are what is moved.
_SENDING_TYPES = frozenset({"AID", "RETREAT", "MOBILIZE", "COOPERATE"})
# Nouns of these types after "with" name a helper ("with Albania's help"), not a target.
_HELP_TYPES = frozenset({"AID", "SUPPORT", "COOPERATE"})


class Arguments(NamedTuple):
    """The arguments of a verb, and the weaker ways they were found (``evidence``)."""

    subjects: list[Mention]
    objects: list[Mention]
    theme: str | None
    evidence: set[str]


def verb_arguments(verb: Token, index: ActorIndex, event_noun: Token | None = None, etype: EventType | None = None) -> Arguments:
    """Subjects, objects and theme of ``verb``; ``event_noun`` is the noun a light verb
    carries ("held talks with"), whose complements name targets too."""
    evidence: set[str] = set()
    subjects, candidates = _subjects_and_candidates(verb, index, etype)
    patients: list[Mention] = []
    small_clause = _small_clause_passive(verb)
    passive = small_clause or any(c.dep_ == "auxpass" for c in verb.children)
    if small_clause and verb.head.lemma_.lower() in load_rules().causative_verbs:
        # "Brazil had the player arrested": who has it done does it.
        subjects = [m for c in verb.head.children if c.dep_ in SUBJECT_DEPS for m in actors_of(c, index)]
    elif not subjects:
        if verb.dep_ == "xcomp" and passive:
            # "Perez is expected to be extradited": who is to undergo it, not who does it.
            # The first subject only: a second one is the parser's error ("The brother of ... the Urabenos is").
            controller = next((c for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            patients = actors_of(controller, index) if controller is not None else inherited_subjects(verb.head, index)
        else:
            subjects = inherited_subjects(verb, index)
            if subjects:
                evidence.add("inherited subject")
    if etype is not None and not passive and verb_lemma(verb) not in load_rules().intransitive_verbs and not any(a in _OBJECT_DEPS or a == "nsubjpass" for _, a in candidates):
        candidates += [(shared, "dobj") for shared in _shared_objects(verb)]
    sending = etype is None or etype.plover in _SENDING_TYPES
    coerced = patients or passive or any(a in ("dobj", "nsubjpass") for _, a in candidates)
    if etype is not None and etype.plover == "COERCE" and coerced:
        # "extradited the smuggler to Chile": who is coerced is the target; "to Chile" is where.
        candidates = [(h, a) for h, a in candidates if a not in ("to", "into")]
    objects, inner_targets, theme_tokens = _sorted_candidates(candidates, event_noun, subjects, index, sending)
    objects = patients + objects
    if event_noun is not None:
        objects += targets_within(event_noun, index, subjects)
        objects += [m for c in event_noun.children for head in opposing_heads(c) for m in opposed(head, index, subjects)]
    objects = _targets(verb, objects, inner_targets, subjects, index, evidence, typed=etype is not None)
    subjects = [s for s in subjects if s not in objects]
    return Arguments(unique(subjects), unique(objects), _theme(theme_tokens), evidence)


def _subjects_and_candidates(verb: Token, index: ActorIndex, etype: EventType | None) -> tuple[list[Mention], list[tuple[Token, str]]]:
    """The verb's own subjects, and the heads of phrases that may be its objects with how they attach."""
    target_preps = _TARGET_PREPS | (_CONFLICT_TARGET_PREPS if etype is not None and "conflict" in etype.quad_class else frozenset())
    subjects: list[Mention] = []
    candidates: list[tuple[Token, str]] = []
    # Two subjects of one verb are the parser's error. The one next to the verb is its own
    # ("X, spokesman for ..., confirmed authorities had arrested": the authorities arrested),
    # unless a comma sets it off: then it is the first one's apposition ("Members of ..., a body
    # linked to ..., investigated").
    before = [c for c in verb.children if c.dep_ == "nsubj" and c.i < verb.i]
    set_off = bool(before) and any(t.is_punct for t in verb.doc[before[-1].i + 1 : verb.i])
    misread = set(before[1:] if set_off else before[:-1])
    if verb.dep_ == "acl" and verb.tag_ == "VBN" and not _takes_object(verb):
        candidates.append((verb.head, "nsubjpass"))  # "the brothers, arrested in Argentina": they are arrested
    for child in argument_children(verb):
        dep = child.dep_
        if child in misread:
            continue
        if dep in SUBJECT_DEPS and _small_clause_passive(verb):
            candidates.append((child, "nsubjpass"))  # "saw the player charged": he is charged
        elif dep in SUBJECT_DEPS:
            subjects += actors_of(child, index)
        elif dep == "agent":
            subjects += [m for pobj in pobjs(child) for m in actors_of(pobj, index)]
        elif dep == "nsubjpass" and verb_lemma(verb) in load_rules().stative_passives:
            subjects += actors_of(child, index)  # "Israel is opposed to", "Vietnam is committed to"
        elif dep == "dative" and child.pos_ == "ADP":
            candidates += [(pobj, child.lower_) for pobj in pobjs(child)]  # "sent doctors to Mozambique"
        elif dep == "nsubjpass" or dep in _OBJECT_DEPS:
            candidates.append((child, dep))
        elif dep == "prep" and child.lower_ in target_preps:
            candidates += [(pobj, child.lower_) for pobj in pobjs(child) if not is_help(child, pobj)]
        elif dep == "prep" and child.lower_ == "in":
            candidates += [(head, "opposing") for head in opposing_heads(child)]
        elif is_phrasal_prep(child) and lexicon.verb_type(verb_lemma(verb), child.lower_) is not None:
            # "called for sanctions against Nigeria": what a phrasal verb takes is its object, as "demanded sanctions".
            candidates += [(pobj, "dobj") for pobj in pobjs(child)]
        elif child.lower_ == "alias" and not any(c.dep_ in ("nsubj", "nsubjpass", "csubj") for c in verb.children):
            # "Jose Sanchez, alias "El Overol," was extradited": the parser hangs the name on "alias".
            for name in (c for c in child.children if c.i < child.i and c.pos_ == "PROPN"):
                if any(c.dep_ == "auxpass" for c in verb.children):
                    candidates.append((name, "nsubjpass"))
                else:
                    subjects += actors_of(name, index)
    # "was captured along with his brother": the brother too; "fought along with Belarus": Belarus too.
    # After a direct object it is ambiguous ("arrested Ana along with her brother": arrested, not arresting).
    if any(a == "nsubjpass" for _, a in candidates):
        candidates += [(c, "nsubjpass") for c in companions(verb)]
    elif not any(a == "dobj" for _, a in candidates):
        subjects += [m for c in companions(verb) for m in actors_of(c, index)]
    return subjects, candidates


def _sorted_candidates(
    candidates: list[tuple[Token, str]], event_noun: Token | None, subjects: list[Mention], index: ActorIndex, sending: bool
) -> tuple[list[Mention], list[Mention], list[Token]]:
    """The candidates sorted into objects, targets inside non-actor objects ("a visit to Haiti",
    "Iraqi towns") and theme phrases; with ``sending`` (an event that moves or gives: aid,
    withdrawal, deployment, or an untyped verb) the subject's own people are what is moved."""
    subject_iris = {m.actor.iri for m in subjects}
    objects: list[Mention] = []
    inner_targets: list[Mention] = []
    theme_tokens: list[Token] = []
    # "offered its troops to Lebanon": with someone to give them to, a state's own forces are what it offers.
    handed = sending or any(a in ("to", "dative") and actors_of(h, index) for h, a in candidates)
    for head, attachment in candidates:
        if head == event_noun:
            continue
        found = actors_of(head, index)
        if attachment == "opposing":
            objects += opposed(head, index, subjects)
            continue
        # A state's own envoys or forces are what it sends or withdraws, not whom it acts upon
        # (what it asks, orders or accuses them of is addressed to them).
        own = [
            m
            for m in found
            if m.actor.iri in subject_iris
            or ((sending or (handed and attachment == "dobj")) and same_state(m, subjects) and m.actor.type != "Country")
            or (sending and _possessed_by_subject(head, subjects, index))
        ]
        objects += [m for m in found if m not in own]
        if found and not own:
            continue
        if attachment in ("dobj", "dative", "nsubjpass", "with") or own:
            theme_tokens.append(head)
        # An own-side phrase ("its ambassador in Peru") points at a target only through its prepositions.
        inner_targets += targets_within(head, index, subjects, modifiers=not own)
    # People sent somewhere are what is sent, not the target: "sent engineers to Mozambique".
    recipients = [m for m in objects if m.actor.country]
    carried = [m for m in objects if m.actor.type == "Group" and m.actor.country is None]
    if recipients and carried:
        objects = [m for m in objects if m not in carried]
        theme_tokens += [head for head, attachment in candidates if attachment == "dobj" and head not in theme_tokens]
    return objects, inner_targets, theme_tokens


def _targets(
    verb: Token,
    objects: list[Mention],
    inner_targets: list[Mention],
    subjects: list[Mention],
    index: ActorIndex,
    evidence: set[str],
    typed: bool = False,
) -> list[Mention]:
    """The event's targets: its objects, else (or over objects of no state) the targets inside
    them, else the target of what is threatened or demanded."""
    if objects and inner_targets and all(m.actor.country is None for m in objects):
        return inner_targets  # "complained to the UN over Israeli air raids": Israel is the target
    if not objects and not inner_targets:
        # The target of what is threatened or demanded, unless it is the subject's own side.
        subject_iris = {m.actor.iri for m in subjects}
        objects = [m for m in complement_targets(verb, index, typed) if m.actor.iri not in subject_iris and not same_state(m, subjects)]
        if objects:
            evidence.add("complement target")
    if not objects and inner_targets:
        evidence.add("inner target")
        return inner_targets
    return objects


def opposing_heads(prep: Token) -> list[Token]:
    """What an "in" phrase says is defied or retaliated against: "in defiance of Chinese
    authorities", "in protest against Japan's policy" (``opposing_nouns``)."""
    if prep.lower_ != "in":
        return []
    nouns = [p for p in pobjs(prep) if p.lemma_.lower() in load_rules().opposing_nouns]
    return [pobj for noun in nouns for inner in noun.children if inner.dep_ == "prep" for pobj in pobjs(inner)]


def opposed(head: Token, index: ActorIndex, subjects: list[Mention]) -> list[Mention]:
    """Who is defied or retaliated against, from one of :func:`opposing_heads`: named, or the owner
    of their act ("Warsaw's decision"); never the patient or place of that act ("the arrest of
    activists", "a raid on Susangerd"), nor the subjects."""
    subject_iris = {m.actor.iri for m in subjects}
    found = actors_of(head, index)
    if not found and head.lemma_.lower() not in load_rules().patient_nouns:
        found = targets_within(head, index, subjects, depth=2)
    return [m for m in found if m.actor.iri not in subject_iris]


def is_help(prep: Token, pobj: Token) -> bool:
    """Whether a "with" phrase names who helps, not whom the event is with or against:
    "with Albania's help", "with US support", "with the backing of Russia"."""
    if prep.lower_ != "with" or pobj.pos_ != "NOUN":
        return False
    found = noun_lexeme(pobj)[1]
    return found is not None and found.plover in _HELP_TYPES


def _takes_object(verb: Token) -> bool:
    """Whether ``verb`` has a direct object, its own or shared with the verb coordinated after it:
    then a participle is active, not a passive describing its head ("aid groups donated and
    delivered goods": the parser's reduced relative clause is the groups' own act)."""
    return any(c.dep_ == "dobj" for c in verb.children) or bool(_shared_objects(verb))


def _shared_objects(verb: Token) -> list[Token]:
    """The object a transitive verb without one shares with the verb coordinated right after it
    ("killed and captured the leaders": both act on the leaders), when nothing but "and", "or",
    a comma or an adverb stands between them and the second verb has no subject of its own.

    >>> from kg.extraction.language import load_pipeline
    >>> doc = load_pipeline()("The army killed and captured rebel leaders.")
    >>> [t.text for t in _shared_objects(doc[2])]
    ['leaders']
    """
    following = next((c for c in verb.children if c.dep_ == "conj" and c.pos_ == "VERB" and c.i > verb.i), None)
    if following is None or any(c.dep_ in (*SUBJECT_DEPS, "nsubjpass", "auxpass") for c in following.children):
        return []
    if not all(t.dep_ in ("cc", "punct", "advmod") for t in verb.doc[verb.i + 1 : following.i]):
        return []
    return [c for c in following.children if c.dep_ == "dobj"]


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
        return f"{phrase(datives[0])} {phrase(objects[0])}"
    return phrase(objects[0] if objects else heads[0])


def _antecedent(token: Token) -> Token | None:
    """``token``, or for a relative pronoun ("which", "that", "what") the noun its relative clause
    describes; ``None`` when it describes none ("what they blame"), as a pronoun is no theme."""
    if token.tag_ not in ("WDT", "WP"):
        return token
    clause = token.head
    return clause.head if clause.dep_ == "relcl" and clause.head.pos_ in ("NOUN", "PROPN") else None


def argument_children(verb: Token) -> Iterator[Token]:
    """The verb's dependents, and those of its particle ("back from Georgia")."""
    for child in verb.children:
        yield child
        if is_particle(child):
            yield from child.children


def _possessed_by_subject(head: Token, subjects: list[Mention], index: ActorIndex) -> bool:
    """ "its engineers", "Ghana's diplomats": the subject's own people, sent or withdrawn."""
    countries = {m.actor.country for m in subjects if m.actor.country}
    iris = {m.actor.iri for m in subjects}
    for child in head.children:
        if child.dep_ == "poss":
            owner = actor_of(child, index)
            if owner is not None and (owner.actor.iri in iris or owner.actor.country in countries):
                return True
    return False


def targets_within(
    head: Token, index: ActorIndex, subjects: list[Mention], depth: int = 0, *, modifiers: bool = True
) -> list[Mention]:
    """Actors a non-actor phrase is about: its owner ("Ukraine's power grid"), its
    national modifier ("Iraqi towns"), or a directional complement ("a visit to Haiti",
    "calls by Belarus's rulers", "a war against Iraq"). The subjects' own side
    ("its ambassador in Peru") is never the target."""

    subject_iris = {m.actor.iri for m in subjects}

    def others(mentions: list[Mention]) -> list[Mention]:  # not the subjects, by any name ("their disapproval")
        return [m for m in mentions if not same_state(m, subjects) and m.actor.iri not in subject_iris]

    found: list[Mention] = []
    for child in head.children if modifiers else ():
        if child.dep_ == "poss":
            if head.lemma_.lower() not in load_rules().nouns["Relational"]:  # "Garcia's predecessor" is someone else
                found += others(actors_of(child, index))
        elif child.dep_ in ("amod", "compound", "nmod") and head.lemma_.lower() not in load_rules().nouns["Cultural"]:
            national = country_mention(child, index)  # not "the Russian language"
            if national is not None and same_state(national, subjects):
                # A state does not act upon itself: its own nationals are a domestic group
                # ("banned Ugandan opposition candidates").
                group = national_group(head.lemma_.lower(), national.actor.country or "")
                national = Mention(group, national.text, national.start, national.end)
            found += as_list(national)
    if found or depth >= 2:
        return found
    for child in head.children:
        if child.dep_ == "acl" and child.tag_ == "VBN":
            # "crimes committed by Croat forces": who did what the event is about.
            found += [m for agent in child.children if agent.dep_ == "agent" for pobj in pobjs(agent) for m in others(actors_of(pobj, index))]
        if child.dep_ == "prep" and child.lower_ in NOUN_TARGET_PREPS | {"by", "for"}:
            for pobj in (p for p in pobjs(child) if not is_help(child, p)):
                found += others(actors_of(pobj, index)) or targets_within(pobj, index, subjects, depth + 1)
    return found


def complement_targets(verb: Token, index: ActorIndex, typed: bool = False) -> list[Mention]:
    """The target of a threat, offer or demand is the target of what is threatened,
    offered or demanded: "threatened to shell Iraqi towns", "demanded that Sudan end curbs";
    none when the demand is addressed to people the text does not name ("demanded that its
    partners refuse to recognize Kosovo" is no demand of Kosovo)
    (``typed``: the verb was typed by a rule, not by the lexicon: "said that Sudan must")."""
    if not typed and lexicon.verb_type(verb_lemma(verb)) is None:
        return []
    # "insisted on its demands that Burundi's government grant ...": the clause of what is insisted on.
    clauses = [c for p in verb.children if p.dep_ == "prep" for o in pobjs(p) for c in o.children if c.dep_ in ("acl", "ccomp") and _has_mark(c)]
    for child in [*verb.children, *clauses]:
        if child.dep_ == "ccomp" or child in clauses:
            addressed = [c for c in child.children if c.dep_ in SUBJECT_DEPS]
            found = [m for c in addressed for m in actors_of(c, index)]
            if found:
                return found
            if any(_names_people(c) for c in addressed):
                return []  # "demanded that its partners refuse ...": addressed to someone kg cannot name
        if child.dep_ in ("xcomp", "ccomp") and child.pos_ in ("VERB", "AUX"):
            found = verb_arguments(child, index).objects
            if found:
                return found
    return []


def _has_mark(clause: Token) -> bool:
    """Whether a clause opens with "that" ("demands that Sudan withdraw")."""
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)


def _names_people(token: Token) -> bool:
    """Whether a noun names those who can act: partners, officials, troops, protesters."""
    nouns = load_rules().nouns
    return token.pos_ == "NOUN" and any(token.lemma_.lower() in nouns[kind] for kind in ("Relational", "Role", "Government", "ArmedForce", "Group"))


def _small_clause_passive(verb: Token) -> bool:
    """A participle whose subject undergoes it, after a verb of perception or causation
    (``small_clause_verbs``): "saw the player charged", "had the player arrested"."""
    return (
        verb.dep_ == "ccomp"
        and verb.tag_ in ("VBN", "VBD")
        and verb.head.lemma_.lower() in load_rules().small_clause_verbs
        and not any(c.dep_ in ("aux", "auxpass", "dobj", "mark") for c in verb.children)
        and any(c.dep_ == "nsubj" for c in verb.children)
    )


def inherited_subjects(verb: Token, index: ActorIndex, depth: int = 0) -> list[Mention]:
    """Subjects of a verb without its own: control ("agreed to supply", "urged Iran to stop"),
    conjunction, relative clauses, "thanked X for Ving". A ``ccomp`` ("said that ...")
    and a passive verb never inherit: their subject is their own."""
    if depth > 4 or verb.head == verb or any(c.dep_ == "nsubjpass" for c in verb.children):
        return []
    head = verb.head
    if verb.dep_ == "relcl":
        return actors_of(head, index)
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and head.dep_ == "dobj" and head.lemma_.lower() in load_rules().statement_nouns:
        # "the PKK issued a declaration demanding ...": what a statement does, its author does.
        return _own_or_inherited_subjects(head.head, index, depth)
    if verb.dep_ == "pcomp" and head.dep_ == "prep":
        governor = head.head
        if governor.lemma_.lower() in load_rules().stance_nouns and governor.dep_ == "pobj":
            governor = governor.head.head  # "ruled in favor of extraditing": the court extradites
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
    own = [m for c in verb.children if c.dep_ in SUBJECT_DEPS for m in actors_of(c, index)]
    own += [m for c in verb.children if c.dep_ == "agent" for p in pobjs(c) for m in actors_of(p, index)]
    return own or inherited_subjects(verb, index, depth + 1)


def _dobj_actors(verb: Token, index: ActorIndex) -> list[Mention]:
    return [m for c in verb.children if c.dep_ == "dobj" for m in actors_of(c, index)]
