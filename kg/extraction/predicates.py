"""What an event word means: a verb's lemma (mended where the lemmatizer slips) and
phrasal form, an event noun's lexicon entry, compounds and frame nouns first.

>>> from kg.extraction.language import load_pipeline
>>> doc = load_pipeline()("Students staged protests and called for talks.")
>>> verb_lemma(doc[1]), verb_type(doc[4])[0], noun_lexeme(doc[2])[1].plover
('stage', 'call for', 'PROTEST')
"""
from __future__ import annotations

from functools import lru_cache

from spacy.tokens import Doc, Token

from kg.extraction import lexicon
from kg.extraction.lexicon import EventType
from kg.extraction.rules import load_rules

__all__ = ["doc_words", "is_particle", "noun_lexeme", "verb_lemma", "verb_type"]

_PARTICLES = frozenset({"back", "out", "down", "up", "off", "away", "over", "in"})
_WORDS_KEY = "kg.words"  # where doc_words keeps a doc's words, in its user_data


def doc_words(doc: Doc) -> list[tuple[str, str]]:
    """The text and lemma, lowercase, of every token of ``doc``, by token index: read once per doc
    (kept in its ``user_data``) for rules that scan many tokens (a Token object is made for each access)."""
    words = doc.user_data.get(_WORDS_KEY)
    if words is None:
        words = doc.user_data[_WORDS_KEY] = [(token.lower_, token.lemma_.lower()) for token in doc]
    return words


def verb_lemma(verb: Token) -> str:
    """The verb's lemma, mended where the lemmatizer cut a regular form wrongly ("staged"
    read as "stag", "banged" as "ban"): a lemma the form is no regular inflection of gives way
    to the regular stem, the one the lexicon or word lists know if any."""
    return _mended_lemma(verb.lemma_.lower(), verb.lower_)


@lru_cache(maxsize=8192)  # asked some 600 times an article, of a few hundred verb forms
def _mended_lemma(lemma: str, text: str) -> str:
    stems = _regular_stems(text)
    if lemma in _known_verbs() and (not stems or _inflects(text, lemma)):
        return lemma
    known = next((stem for stem in stems if stem in _known_verbs()), None)
    if known is not None:
        return known
    return stems[1] if lemma in _known_verbs() and len(stems) > 1 else lemma


def _regular_stems(text: str) -> list[str]:
    """The stems a regular inflected form may come from, likeliest first."""
    doubled = len(text) > 4 and text[-3] == text[-4]
    if text.endswith("ied"):
        return [text[:-3] + "y", text[:-1]]
    if text.endswith("ed") and len(text) > 5:
        return [text[:-1], text[:-2]] + ([text[:-3]] if doubled else [])  # staged, walked, stopped
    if text.endswith("ing") and len(text) > 5:
        return [text[:-3] + "e", text[:-3]] + ([text[:-4]] if len(text) > 5 and text[-4] == text[-5] else [])
    if text.endswith("s") and len(text) > 3:
        return [text[:-1], text[:-2]]
    return []


def _inflects(text: str, lemma: str) -> bool:
    """Whether ``text`` is a regular inflection of ``lemma`` (or the lemma itself)."""
    if text == lemma:
        return True
    doubled = lemma + lemma[-1:]
    forms = {lemma + "ed", lemma + "d", doubled + "ed", lemma + "ing", lemma[:-1] + "ing", doubled + "ing", lemma + "s", lemma + "es"}
    if lemma.endswith("y"):
        forms |= {lemma[:-1] + "ied", lemma[:-1] + "ies"}
    if lemma.endswith("ie"):
        forms.add(lemma[:-2] + "ying")
    return text in forms


@lru_cache(maxsize=1)
def _known_verbs() -> frozenset[str]:
    rules, known = load_rules(), lexicon.load_lexicon()
    lists = (rules.light_verbs, rules.reducing_verbs, rules.non_event_verbs, rules.receiving_verbs, rules.acceptance_verbs, rules.stative_passives)
    return frozenset(known.verbs).union(verb for verb, _ in known.phrases).union(*lists)


def is_particle(token: Token) -> bool:
    """A verb particle, also where the parser calls it an adverb ("pulled its troops back")."""
    return token.dep_ == "prt" or (token.dep_ == "advmod" and token.lower_ in _PARTICLES)


def verb_type(verb: Token) -> tuple[str, EventType | None]:
    """The predicate and event type of a verb, phrasal forms first ("call for", "pull out")."""
    lemma = verb_lemma(verb)
    for child in verb.children:
        if is_particle(child):
            found = lexicon.verb_type(lemma, child.lower_)
            if found:
                return f"{lemma} {child.lower_}", found
    for child in verb.children:
        if is_phrasal_prep(child):
            found = lexicon.verb_type(lemma, child.lower_)
            if found:
                return f"{lemma} {child.lower_}", found
    return lemma, lexicon.verb_type(lemma)


def is_phrasal_prep(prep: Token) -> bool:
    """A preposition that may make a phrasal verb with its head ("call for", "call on"): not one
    that says when ("called on Sunday", "met in March")."""
    return prep.dep_ == "prep" and not any(c.dep_ == "pobj" and c.ent_type_ in ("DATE", "TIME") for c in prep.children)


def noun_lexeme(noun: Token) -> tuple[str, EventType | None]:
    """The lexicon entry of an event noun, compounds first: "hunger strike" before "strike";
    a frame noun takes its modifier's ("a mediation effort")."""
    lemma = noun.lemma_.lower()
    for child in noun.lefts:
        if child.dep_ in ("compound", "amod") and child.i == noun.i - 1:
            compound = f"{child.lemma_.lower()} {lemma}"
            found = lexicon.noun_type(compound)
            if found is not None:
                return compound, found
            if lemma in load_rules().frame_nouns and lexicon.noun_type(child.lemma_.lower()):
                return child.lemma_.lower(), lexicon.noun_type(child.lemma_.lower())
    return lemma, lexicon.noun_type(lemma)
