"""How the text states an event: negated or not, and asserted, planned, hypothetical,
alleged or a mere purpose; and what a plan expresses (an intent, or a threat).

>>> from kg.extraction.language import load_pipeline
>>> nlp = load_pipeline()
>>> modality(nlp("China could attack Taiwan.")[2]), modality(nlp("Japan will send aid.")[2]), negation(nlp("Korea did not protest.")[3])
('hypothetical', 'planned', True)
"""
from __future__ import annotations

from spacy.tokens import Token

from kg.extraction import lexicon
from kg.extraction.frame import SUBJECT_DEPS
from kg.extraction.lexicon import EventType
from kg.extraction.rules import ExtractionRules, load_rules

__all__ = ["intent_type", "modality", "negation"]

_MODALS = frozenset({"could", "might", "may", "would", "should", "can", "must"})


def negation(verb: Token) -> bool:
    """Negated by "not"/"never" on the verb or a governing verb ("did not agree to supply"),
    or governed by a verb of denial ("denied that its troops attacked")."""
    node = verb
    for _ in range(3):
        if any(c.dep_ == "neg" for c in node.children):
            return True
        if node.dep_ not in ("xcomp", "ccomp") or node.head == node:
            return False
        if node.head.lemma_.lower() in load_rules().negating_verbs:
            return True
        node = node.head
    return False


def negated_noun(noun: Token) -> bool:
    """An event noun negated by its own words: "no charges", "no talks"."""
    return any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no") for c in noun.children)


def modality(verb: Token) -> str:
    """How the text states an event:

    - ``hypothetical``: "could", "might", "it is unlikely that", "hope to", "capable of";
    - ``alleged``: the content of an accusation ("accused Y of shelling", "alleged that");
    - ``purpose``: the goal of another act ("rallied to demand", "an invitation to attend");
    - ``planned``: "will", "plans to", "is ready to", "said it would";
    - ``asserted``: otherwise.

    Governing clauses count too; hypothetical, alleged and purpose win over a plan.
    """
    rules = load_rules()
    planned = False
    node = verb
    for _ in range(4):
        auxes = {c.lower_ for c in node.children if c.dep_ == "aux"}
        if any(c.dep_ == "advmod" and c.lower_ in rules.hedges for c in node.children):
            return "hypothetical"
        governor = node.head.lemma_.lower()
        reported = node.dep_ == "ccomp" and governor in rules.reporting_verbs
        if auxes & (_MODALS - ({"would"} if reported else set())):
            return "hypothetical"
        if node.dep_ in ("xcomp", "ccomp") and governor in rules.hypothetical_verbs | rules.enabling_verbs:
            return "hypothetical"  # "wished to attack"; "the law allows the police to seize": a power, not an act
        if node.dep_ in ("acl", "ccomp") and node.head.pos_ == "NOUN" and governor in rules.hypothetical_verbs:
            return "hypothetical"  # "their demand that Uganda withdraw", "calls that he resign"
        if node.dep_ == "ccomp" and _hypothetical_frame(node.head, rules):
            return "hypothetical"
        if node.dep_ in ("ccomp", "xcomp") and governor in rules.allegation_words:
            return "alleged"
        if node.dep_ == "pcomp" and node.head.dep_ == "prep":
            owner = node.head.head.lemma_.lower()
            if owner in rules.allegation_words:
                return "alleged"  # "accused Belgrade of shelling"
            if owner in rules.hypothetical_adjectives:
                return "hypothetical"  # "capable of launching"
        for_to = any(c.dep_ == "mark" and c.lower_ == "for" for c in node.children)  # "authorization for the army to shoot"
        if node.dep_ in ("advcl", "acl") and "to" in auxes and (for_to or not any(c.dep_ in SUBJECT_DEPS for c in node.children)):
            return "purpose"  # an infinitive of purpose states a goal, not an act
        if node.dep_ == "xcomp" and governor in rules.planning_verbs:
            planned = True
        if auxes & {"will", "shall", "would"}:
            planned = True
        if node.dep_ not in ("xcomp", "ccomp", "conj") or node.head == node:
            break
        node = node.head
    return "planned" if planned else "asserted"


def _hypothetical_frame(head: Token, rules: ExtractionRules) -> bool:
    """ "unlikely that ...": the adjective heads the clause, or is the copula's complement."""
    adjectives = rules.hypothetical_adjectives
    return head.lemma_.lower() in adjectives or any(c.dep_ == "acomp" and c.lemma_.lower() in adjectives for c in head.children)


def intent_type(etype: EventType, verb: Token) -> EventType:
    """What a planned event expresses: an intent to cooperate (AGREE), or a threat
    (THREATEN) when what is planned is material conflict or made conditional
    ("will withdraw unless ...")."""
    conditional = any(
        c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("unless", "if") for m in c.children) for c in verb.children
    )
    if conditional or etype.quad_class == "material conflict":
        return lexicon.event_type("THREATEN")
    if etype.quad_class in ("verbal cooperation", "material cooperation"):
        return lexicon.event_type("AGREE")
    return etype
