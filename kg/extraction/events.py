"""Events: every event verb and event noun of a document, run through the rule steps.

For each sentence, each verb (not an auxiliary or a modifier) and each event
noun of the lexicon becomes a :class:`~kg.extraction.frame.Frame`; the steps of
:mod:`kg.extraction.steps` fill it in or drop it. A frame that survives is one
event per (subject, object) pair: coordinated actors ("Russia and Belarus")
split into one event each, coordinated subjects of a reciprocal event ("Russia
and China held talks") are each other's objects. What is supplied, used or
demanded is the theme, never the object.

>>> from kg.extraction.actors import resolve_actors
>>> from kg.extraction.language import load_pipeline
>>> doc = load_pipeline()("Russia supplied Belarus with Iskander missiles.")
>>> [(f.predicate, s.actor.country, o.actor.country, f.theme) for f, s, o in find_events(doc, resolve_actors(doc))]
[('supply', 'RUS', 'BLR', 'Iskander missiles')]
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from spacy.attrs import POS
from spacy.parts_of_speech import AUX, NOUN, PROPN, VERB
from spacy.tokens import Doc

from kg.errors import Errors, KGError
from kg.extraction.actors import ActorIndex, Mention
from kg.extraction.clean import doc_clean_text
from kg.extraction.discards import discarded_sentence, discarded_story
from kg.extraction.frame import Frame, Step
from kg.extraction.predicates import noun_lexeme, verb_type
from kg.extraction.rules import WEIGHED_MODALITIES, load_rules
from kg.extraction.steps import NOUN_STEPS, STEPS, VERB_STEPS

__all__ = ["Found", "confidence", "features", "find_events", "steps_named"]

_EVENT_POS = frozenset({VERB, AUX, NOUN, PROPN})
# Verbs in these positions modify a noun or another verb ("a launching pad"), never state an event.
_NON_PREDICATE_DEPS = frozenset({"aux", "auxpass", "amod", "compound", "nmod"})

#: An event found: the frame, and one (subject, object) pair of it.
Found = tuple[Frame, Mention | None, Mention | None]


def steps_named(names: Iterable[str], where: str) -> tuple[Step, ...]:
    """The step functions called ``names`` (KGError E106 for a name no step has)."""
    steps = []
    for name in names:
        if name not in STEPS:
            raise KGError(Errors.E106.format(name=name, where=where, known=", ".join(STEPS)))
        steps.append(STEPS[name].run)
    return tuple(steps)


def find_events(
    doc: Doc,
    index: ActorIndex,
    verb_steps: Sequence[Step] | None = None,
    noun_steps: Sequence[Step] | None = None,
    *,
    discard_sentences: bool = False,
) -> list[Found]:
    """The events of ``doc``, given its actors, in text order; one per sentence, predicate and
    pair of actors. ``verb_steps`` and ``noun_steps`` default to :data:`~kg.extraction.steps.VERB_STEPS`
    and :data:`~kg.extraction.steps.NOUN_STEPS`. A story holding a story phrase of the CAMEO
    discard list (sports, entertainment: :mod:`kg.extraction.discards`) gives no events; with
    ``discard_sentences``, neither does a sentence holding a sentence phrase."""
    verb_steps = steps_named(VERB_STEPS, "VERB_STEPS") if verb_steps is None else verb_steps
    noun_steps = steps_named(NOUN_STEPS, "NOUN_STEPS") if noun_steps is None else noun_steps
    found: list[Found] = []
    seen: set[tuple[str | None, str | None, str, int]] = set()
    if discarded_story(doc_clean_text(doc).text):
        return found
    pos = doc.to_array(POS).tolist()  # words of other parts of speech are passed over without a Token each
    for sentence in doc.sents:
        if discard_sentences and discarded_sentence(sentence.text):
            continue
        consumed: set[int] = set()  # event nouns of light verbs: their verb's event already
        for i in range(sentence.start, sentence.end):
            if pos[i] not in _EVENT_POS:
                continue
            token = doc[i]
            if token.pos_ in ("VERB", "AUX") and token.dep_ not in _NON_PREDICATE_DEPS:
                frame = Frame(token, sentence, index, *verb_type(token))
                kept = _run(frame, verb_steps)
                if frame.event_noun is not None:
                    consumed.add(frame.event_noun.i)
            elif token.pos_ in ("NOUN", "PROPN") and token.i not in consumed and token.i not in index.by_token:
                predicate, etype = noun_lexeme(token)
                if etype is None:
                    continue
                frame = Frame(token, sentence, index, predicate, etype, evidence={"event noun"})
                kept = _run(frame, noun_steps)
            else:
                continue
            for subject, obj in _pairs(frame) if kept else ():
                key = (subject.actor.iri if subject else None, obj.actor.iri if obj else None, frame.predicate, sentence.start)
                if key not in seen:
                    seen.add(key)
                    found.append((frame, subject, obj))
    return found


def _run(frame: Frame, steps: Sequence[Step]) -> bool:
    return all(step(frame) for step in steps)


def _pairs(frame: Frame) -> Iterator[tuple[Mention | None, Mention | None]]:
    """(subject, object) pairs of an event; coordinated subjects of a reciprocal
    event ("Russia and China held talks") are each other's objects."""
    subjects, objects, rules = frame.subjects, frame.objects, load_rules()
    mutual = frame.type is not None and frame.type.plover in rules.reciprocal_types and frame.predicate not in rules.one_way_verbs
    if not objects and len(subjects) > 1 and mutual:
        for one in subjects:
            for other in subjects:
                if other.actor.iri != one.actor.iri:
                    yield one, other
        return
    sides: tuple[list[Mention | None], list[Mention | None]] = ([*subjects] or [None], [*objects] or [None])
    for subject in sides[0]:
        for obj in sides[1]:
            if subject is None or obj is None or subject.actor.iri != obj.actor.iri:
                yield subject, obj


def features(frame: Frame, subject: Mention | None, obj: Mention | None) -> list[str]:
    """What an event's confidence is read from: the weaker ways its parts were found
    (``frame.evidence``), a missing or pronoun argument, no type, and how it is stated.

    >>> from kg.extraction.actors import resolve_actors
    >>> from kg.extraction.language import load_pipeline
    >>> doc = load_pipeline()("Russia might attack.")
    >>> [features(f, s, o) for f, s, o in find_events(doc, resolve_actors(doc))]
    [['hypothetical', 'no object']]
    """
    found = set(frame.evidence)
    pronouns = load_rules().confidence.pronouns
    if frame.type is None:
        found.add("untyped")
    if any(m is not None and m.text.lower() in pronouns for m in (subject, obj)):
        found.add("pronoun argument")
    if subject is None:
        found.add("no subject")
    if obj is None:
        found.add("no object")
    if frame.modality in WEIGHED_MODALITIES:
        found.add(frame.modality)
    return sorted(found)


def confidence(frame: Frame, subject: Mention | None, obj: Mention | None) -> float:
    """How far to trust an event: the chance that it is right, ``base`` times the weight of each of
    its :func:`features` (weights fitted on hand-coded articles, ``docs/confidence.md``)."""
    rules = load_rules().confidence
    score = rules.base
    for feature in features(frame, subject, obj):
        score *= rules.weights[feature]
    return round(max(0.01, min(0.99, score)), 2)
