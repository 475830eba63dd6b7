"""The rule steps of event extraction, in the order they run.

A candidate event is a :class:`~kg.extraction.frame.Frame` made for every event
verb and event noun of a sentence; the steps of :data:`VERB_STEPS` (for
verbs) or :data:`NOUN_STEPS` (for nouns) run on it in turn. A step fills in
or corrects the frame and returns ``False`` when the candidate is no event.
A new rule is a new function here, registered with :func:`step` and named
in a step list; the ``kg_events`` component takes other lists by name from
its config (``nlp.add_pipe("kg_events", config={"verb_steps": [...]})``).

Each step carries its example: a sentence of our own, and the events it
gives with every step, one ``SUBJECT predicate TYPE OBJECT`` per event (each
side a country code or a label, ``not`` before a negated predicate, then
``[theme]``, ``(modality)`` and ``@place`` when there are), apart by ``"; "``.
``tests/test_steps.py`` checks that each example gives exactly that, and
something else without the step.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Token

from kg.extraction import cameo_verbs, lexicon
from kg.extraction.actors import (
    Mention,
    country_actor,
    country_mention,
    in_country,
    is_domestic_group,
    is_generic,
    is_headline,
    is_outsider_group,
)
from kg.extraction.arguments import NOUN_TARGET_PREPS, argument_children, is_help, opposed, opposing_heads, targets_within, verb_arguments
from kg.extraction.circumstances import circumstances, location, on_verb, place_country
from kg.extraction.codes import agent_code
from kg.extraction.frame import STATE_TYPES, SUBJECT_DEPS, Frame, Step, actors_of, as_list, pobjs, same_state, unique
from kg.extraction.modality import intent_type, modality, negated_noun, negation
from kg.extraction.predicates import noun_lexeme, verb_lemma
from kg.extraction.rules import load_rules

__all__ = ["NOUN_STEPS", "STEPS", "VERB_STEPS", "RuleStep", "step"]


@dataclass(frozen=True)
class RuleStep:
    """A registered step: its function, and its example sentence with the events it gives."""

    name: str
    run: Step
    example: str
    gives: str


#: Every step, by name.
STEPS: dict[str, RuleStep] = {}


def step(example: str, gives: str) -> Callable[[Step], Step]:
    """Register the decorated function as a step, with its example sentence and what it gives."""

    def register(function: Step) -> Step:
        STEPS[function.__name__] = RuleStep(function.__name__, function, example, gives)
        return function

    return register


# ---------------------------------------------------------------- verbs and nouns: where the event is stated


@step("Colombia Admits Its Gangs Operate In Bolivia\nColombia admitted that its gangs operate in Bolivia.", gives="COL admit CONCEDE -")
def body_text(frame: Frame) -> bool:
    """A headline in title case states no event: it sums up what the body says, and its capitals
    mislead the parser ("Drug Gangs Are" read as an organisation). A verb in lower case is prose
    whatever the names around it ("Juan Carlos Pinzon met Felipe Calderon")."""
    return frame.trigger.text[:1].islower() or not is_headline(frame.sentence)


@step(
    "A prisoner died in custody, according to a report by a doctor sent to Israel by a charity.",
    gives="",
)
def source_phrase(frame: Frame) -> bool:
    """What the phrase naming a source says ("according to a report by a doctor sent to
    Israel", "according to a press release by the Tigers") describes the source, not the news."""
    words = load_rules().attribution_words
    return not any(a.dep_ == "prep" and a.lower_ in words for a in frame.trigger.ancestors)


# ---------------------------------------------------------------- verbs: what the event is


@step("Japan held talks with India, and Chile suspended its aid to Peru.", gives="JPN talk CONSULT IND; CHL suspend aid SANCTION PER")
def light_verb(frame: Frame) -> bool:
    """A light verb takes the type and predicate of its event noun: "held talks with", "imposed sanctions on";
    through a quantity: "faces a number of charges". A reducing verb states less of it
    (``reducing_verbs``, ``reduced_types``): "suspended its aid to Peru" is a sanction."""
    rules, lemma = load_rules(), verb_lemma(frame.trigger)
    if lemma in rules.light_verbs or lemma in rules.reducing_verbs:
        heads = [c for c in frame.trigger.children if c.dep_ in ("dobj", "nsubjpass")]
        # "faces a number of charges", "held a series of talks": the event is what is counted.
        heads += [p for h in heads if h.lemma_.lower() in rules.nouns["Quantity"] for of in h.children if of.dep_ == "prep" and of.lower_ == "of" for p in pobjs(of)]
        noun = next((c for c in heads if noun_lexeme(c)[1]), None)
        if noun is not None:
            frame.event_noun = noun
            frame.predicate, frame.type = noun_lexeme(noun)
            if lemma in rules.reducing_verbs:
                # "halted mediation efforts", "suspended aid": less of the event, not the event.
                reduced = rules.reduced_types.get(frame.type.plover if frame.type is not None else "")
                if reduced is None:
                    return False  # "suspended the ceasefire": no type says what that is
                frame.predicate, frame.type = f"{lemma} {frame.predicate}", lexicon.event_type(reduced)
    return True


@step(
    "Britain said that Sudan must withdraw its troops.",
    gives="GBR say REQUEST SDN; SDN withdraw RETREAT - [its troops] (hypothetical)",
)
def reported_demand(frame: Frame) -> bool:
    """Saying that someone must or should act is demanding it of them ("said that Sudan must
    withdraw": REQUEST, as event coders code it); the target is who must act."""
    rules, trigger = load_rules(), frame.trigger
    if frame.type is None and verb_lemma(trigger) in rules.demand_reporting_verbs and not negation(trigger):
        clauses = [c for c in trigger.children if c.dep_ == "ccomp"]
        if any(a.dep_ == "aux" and a.lower_ in rules.deontic_modals for c in clauses for a in c.children):
            frame.type = lexicon.event_type("REQUEST")
    return True


@step("Iran told Turkey nothing.", gives="")
def non_event_verb(frame: Frame) -> bool:
    """Saying, being, seeing ("said", "told", "is") are no events unless the lexicon types them."""
    return not (frame.type is None and verb_lemma(frame.trigger) in load_rules().non_event_verbs)


@step("China called the Japanese report biased.", gives="")
def naming(frame: Frame) -> bool:
    """Naming or describing ("called the sanctions baseless") is no event."""
    return not any(c.dep_ == "oprd" for c in frame.trigger.children)


@step("Russia supplied Belarus with Iskander missiles.", gives="RUS supply AID BLR [Iskander missiles]")
def arguments(frame: Frame) -> bool:
    """Subjects, objects and theme from the parse (:func:`kg.extraction.arguments.verb_arguments`)."""
    reflexive = any(c.dep_ == "dobj" and c.pos_ == "PRON" and c.lower_.endswith(("self", "selves")) for c in frame.trigger.children)
    if reflexive and location([frame.trigger]) is None:
        return False  # "killed himself": no one acts on anyone else ("blew themselves up in Tel Aviv" does)
    found = verb_arguments(frame.trigger, frame.actors, frame.event_noun, frame.type)
    frame.subjects, frame.objects, frame.theme = found.subjects, found.objects, found.theme
    frame.evidence |= found.evidence
    rules, noun, lemma = load_rules(), frame.event_noun, verb_lemma(frame.trigger)
    if noun is not None and (
        lemma in rules.patient_light_verbs or (lemma in rules.patient_noun_verbs and noun.lemma_.lower() in rules.patient_nouns)
    ):
        # "Rivera faced criticism", "Usuga had charges in Colombia": he undergoes it, by someone
        # the sentence may not name.
        frame.subjects, frame.objects = [], frame.subjects + frame.objects
    return True


@step("Sudan expelled two aid agencies from Darfur.", gives="SDN expel SANCTION - [two aid agencies]")
def expelled_mission(frame: Frame) -> bool:
    """Expelling a mission (inspectors, peacekeepers, an aid agency) reduces relations
    (SANCTION, CAMEO 166); expelling people is coercion (CAMEO 174)."""
    if frame.predicate == "expel":
        missions = load_rules().expelled_missions
        for thing in (c for c in frame.trigger.children if c.dep_ in ("dobj", "nsubjpass")):
            lemma = thing.lemma_.lower()
            words = [lemma] + [f"{c.lemma_.lower()} {lemma}" for c in thing.children if c.dep_ == "compound"]
            if any(word in missions for word in words):
                frame.type = lexicon.event_type("SANCTION")
                break
    return True


@step("Moldova received two generators from Romania.", gives="ROU receive AID MDA [two generators]")
def receiving_verb(frame: Frame) -> bool:
    """Receiving a thing: the giver ("from X") is the source of an AID event, the receiver its target."""
    verb = frame.trigger
    if verb_lemma(verb) in load_rules().receiving_verbs and frame.theme is not None:
        sources = [c for c in argument_children(verb) if c.dep_ == "prep" and c.lower_ == "from"]
        sources += [c for t in verb.children if t.dep_ == "dobj" for c in t.children if c.dep_ == "prep" and c.lower_ == "from"]
        givers = [m for c in sources for p in pobjs(c) for m in actors_of(p, frame.actors)]
        frame.subjects, frame.objects = givers, frame.subjects
        frame.type = lexicon.event_type("AID")
        frame.evidence.add("receiving verb")
    return True


@step("Peru released a report, and Chile allowed the police to raid the camp.", gives="")
def senses(frame: Frame) -> bool:
    """Senses the lexicon's type holds only with the right complement: releasing or freeing a
    person, not a report; fighting an enemy, not a problem ("fight drug trafficking"); allowing
    one's own forces to act is enabling them, no event of its own, and allowing others a
    concession ("allowed Ouattara to run"); a warning that something may happen
    is criticism, not a threat of force (``clause_senses``); giving a speech or reasons is
    saying, not handing over (``said_objects``); returning with nothing returned is going back
    (``transitive_verbs``)."""
    trigger, rules = frame.trigger, load_rules()
    lemma = verb_lemma(trigger)
    if lemma in rules.clause_senses and any(c.dep_ == "ccomp" for c in trigger.children):
        frame.type = lexicon.event_type(rules.clause_senses[lemma])
    objects = {c.lemma_.lower() for c in trigger.children if c.dep_ in ("dobj", "nsubjpass")}
    for type_name, lemmas in rules.object_senses.get(lemma, {}).items():
        if objects & lemmas:  # "blocked roads" is a protest
            frame.type = lexicon.event_type(type_name)
    if lemma in rules.handing_verbs and frame.event_noun is None and objects & rules.said_objects:
        return False  # "gave a speech to diplomats", "gave no reason": no aid
    acted_on = [c for c in trigger.children if c.dep_ in ("dobj", "nsubjpass")]
    if trigger.dep_ == "acl" and trigger.tag_ == "VBN":
        acted_on.append(trigger.head)  # "crimes committed by the army": the crimes are committed
    if lemma in rules.actor_object_verbs and any(c.pos_ != "PRON" and not actors_of(c, frame.actors) for c in acted_on):
        return False
    if lemma in rules.transitive_verbs and not acted_on and frame.event_noun is None:
        return False  # "returned to Colombia": going back, no handing back
    if lemma in rules.enabling_verbs and any(c.dep_ in ("xcomp", "ccomp") for c in trigger.children):
        allowed = [c for c in trigger.children if c.dep_ in ("dobj", "nsubjpass")]
        clauses = [c for c in trigger.children if c.dep_ in ("xcomp", "ccomp")]
        actors = [m for c in allowed + [s for c in clauses for s in c.children if s.dep_ == "nsubj"] for m in actors_of(c, frame.actors)]
        if not actors:
            return bool(allowed) and not any(c.pos_ == "PRON" for c in allowed)  # "allowed aid to enter": access
        # Letting others act is a concession ("the court allowed Ouattara to run"); letting one's
        # own forces act ("allowed the police to raid") is no event of its own.
        own = {s.actor.iri for s in frame.subjects}
        others = [m for m in actors if m.actor.iri not in own and not (m.actor.type in ("ArmedForce", "Country") and same_state(m, frame.subjects))]
        if not others or not frame.subjects:
            return False
        frame.type, frame.objects = lexicon.event_type("CONCEDE"), others
    return True


@step(
    "Peru withdrew its troops from Ecuador. Chile paid compensation to Bolivia.",
    gives="PER withdraw RETREAT ECU [its troops]; CHL pay RETREAT BOL [compensation]",
)
def cameo_dictionary(frame: Frame) -> bool:
    """The CAMEO verb dictionary (:mod:`kg.extraction.cameo_verbs`), its most specific match:
    a finer CAMEO code when it gives kg's type ("withdrew its troops": 0874, RETREAT); and the
    type of an untyped verb between two actors when a pattern written for that verb reads
    its object or a prepositional object ("paid compensation": 0842, RETREAT). kg's type, where
    it has one, is never changed: its lexicon and sense rules decide what a verb it knows is."""
    if frame.type is not None:
        found = cameo_verbs.match_verb(frame.trigger)
        if found is not None and found.code is not None and found.plover == frame.type.plover:
            frame.type = replace(frame.type, cameo=found.code)
        return True
    if not (frame.subjects and frame.objects):
        return True
    found = cameo_verbs.match_verb(frame.trigger, origin_only=True)
    if found is not None and found.pattern and found.nouns and found.code is not None and found.plover is not None:
        frame.type = replace(lexicon.event_type(found.plover), cameo=found.code)
        frame.predicate = found.predicate
    return True


@step("Turkey built a bridge, and Chile held talks on Monday. The institute consulted Chilean experts.", gives="")
def needs_actors(frame: Frame) -> bool:
    """A typed event needs an actor, a consultation two (experts, analysts or sources a report
    consults are none: that is how the report was made); an untyped verb is an event only between two actors."""
    rules = load_rules()
    if frame.type is None and not (frame.subjects and frame.objects):
        return False
    if frame.type is not None and frame.type.plover in rules.two_sided_types:
        doc = frame.trigger.doc
        frame.objects = [m for m in frame.objects if _head_lemma(doc, m) not in rules.informant_nouns]
        return bool(frame.objects or len(frame.subjects) > 1)
    return bool(frame.subjects or frame.objects)


def _head_lemma(doc: Doc, mention: Mention) -> str:
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    return span.root.lemma_.lower() if span is not None else ""


# ---------------------------------------------------------------- verbs: how it is stated


@step("China could attack Taiwan.", gives="CHN attack ASSAULT TWN (hypothetical)")
def stance(frame: Frame) -> bool:
    """Negated ("did not attack", "denied that ... attacked") or not, and asserted,
    planned, hypothetical, alleged or a purpose (:mod:`kg.extraction.modality`)."""
    frame.negated, frame.modality = negation(frame.trigger), modality(frame.trigger)
    if frame.event_noun is not None and negated_noun(frame.event_noun):
        frame.negated = True  # "had no outstanding charges", "held no talks"
    return True


@step("Chilean protesters marched in Santiago, demanding that Peru return the islands.", gives="CHL march PROTEST CHL @Santiago; CHL demand PROTEST PER")
def protest_demand(frame: Frame) -> bool:
    """What protesters demand, or what is demanded in a protest, is part of the protest: PROTEST."""
    if frame.type is None or frame.type.plover != "REQUEST":
        return True
    protest_nouns = load_rules().protest_nouns
    if any(m.text.split()[-1].lower().rstrip("s") in protest_nouns for m in frame.subjects) or _in_protest(frame.trigger):
        frame.type = lexicon.event_type("PROTEST")
    return True


def _in_protest(trigger: Token) -> bool:
    """Whether the word hangs, within three steps, off a protest ("rioted ..., demanding")."""
    node = trigger
    for _ in range(3):
        if node.head == node or node.dep_ not in ("advcl", "xcomp", "pcomp", "prep", "acl", "conj"):
            return False
        node = node.head
        if node.pos_ in ("VERB", "NOUN") and (found := lexicon.verb_type(verb_lemma(node)) if node.pos_ == "VERB" else noun_lexeme(node)[1]):
            if found.plover == "PROTEST":
                return True
    return False


@step("Chile will withdraw its ambassador from Peru unless Lima apologizes.", gives="CHL withdraw THREATEN PER [its ambassador] (planned)")
def intent(frame: Frame) -> bool:
    """A plan states an intent: AGREE when what is planned is cooperation, THREATEN when
    it is force or made conditional ("will withdraw unless ...")."""
    if frame.modality == "planned" and frame.type is not None and not frame.negated:
        frame.type = intent_type(frame.type, frame.trigger)
    return True


@step("Minsk refused to recognize Kosovo.", gives="BLR refuse REJECT XKX; BLR not recognize REJECT XKX")
def refusal(frame: Frame) -> bool:
    """Refusing an acceptance ("will not accept", "refused to recognize") is itself an event: REJECT."""
    if frame.negated and verb_lemma(frame.trigger) in load_rules().acceptance_verbs:
        frame.predicate, frame.type, frame.negated = f"not {frame.predicate}", lexicon.event_type("REJECT"), False
    return True


# ---------------------------------------------------------------- verbs and nouns: where, and implied actors


@step("Ukraine and Poland held talks in Warsaw.", gives="UKR talk CONSULT POL @Warsaw; POL talk CONSULT UKR @Warsaw")
def setting(frame: Frame) -> bool:
    """When, where and according to whom the event is stated (:mod:`kg.extraction.circumstances`)."""
    found = circumstances(frame.trigger, frame.event_noun, frame.sentence, frame.actors)
    frame.when, frame.location, frame.location_country, frame.attributed_to = found
    return True


@step("The Russian president arrived in Minsk. Turkish troops arrived in Qatar.", gives="RUS arrive CONSULT BLR @Minsk; TUR arrive MOBILIZE QAT @Qatar")
def arrival(frame: Frame) -> bool:
    """Arriving in a state is visiting it (CAMEO 042: ``arrival_verbs``); for forces it is a
    deployment there (MOBILIZE). Refugees or migrants arriving visit no one."""
    rules, trigger = load_rules(), frame.trigger
    if frame.objects or frame.type is None or frame.type.plover != "CONSULT" or verb_lemma(trigger) not in rules.arrival_verbs:
        return True
    if any(is_outsider_group(m.actor) for m in frame.subjects):
        return False
    visited = _state_where([trigger], frame)
    if visited is None or any(m.actor.country == visited.actor.country for m in frame.subjects):
        return True  # coming home is no visit
    heads = [c for c in trigger.children if c.dep_ in SUBJECT_DEPS]
    heads += [p for h in heads for c in h.children if c.lower_ == "of" for p in pobjs(c)]  # "the first deployment of troops"
    forces = any(h.lemma_.lower() in rules.nouns["ArmedForce"] for h in heads)
    if not (frame.subjects or forces):
        return True  # "the storm arrived in Cuba": no one visits
    if forces:
        frame.type = lexicon.event_type("MOBILIZE")  # "NATO troops arrived in Bosnia": deployed there
    frame.objects = [visited]
    frame.evidence.add("implicit target")
    return True


def _state_where(words: list[Token], frame: Frame) -> Mention | None:
    """The state a place phrase of ``words`` is in, as a mention of that place ("in Minsk": Belarus)."""
    place = location(words)
    country = place_country(place, frame.actors) if place is not None else None
    return Mention(country_actor(country), place.text, place.start_char, place.end_char) if place is not None and country else None


@step("Russian troops shelled houses in Kharkiv.", gives="RUS shell ASSAULT UKR [houses] @Kharkiv")
def implicit_target(frame: Frame) -> bool:
    """With no target named: whoever a threat's condition is about ("threatened to walk out
    if Washington goes ahead"), else, for force and threats, the state where it happens (for a
    threat, also where the threatened act would: "threatened to impose a curfew in Nairobi");
    forces readied for a fight target whom it is against ("mobilized reservists for a war against Iraq");
    a protest targets whom its purpose is about ("marched to protest against Chile's decision");
    asylum is asked of the state where it is sought ("sought refuge in Germany": ``refuge_nouns``)."""
    if not frame.objects and frame.type is not None:
        frame.objects = _implicit_targets(frame)
        if frame.objects:
            frame.evidence.add("implicit target")
    return True


def _implicit_targets(frame: Frame) -> list[Mention]:
    verb, etype = frame.trigger, frame.type
    assert etype is not None
    if etype.plover == "THREATEN":
        for node in [verb, *(c for c in verb.children if c.dep_ == "xcomp")]:
            for clause in node.children:
                if clause.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in clause.children):
                    found = [m for c in clause.children if c.dep_ in SUBJECT_DEPS for m in actors_of(c, frame.actors)]
                    found = [m for m in found if not same_state(m, frame.subjects)]
                    if found:
                        return found
    if etype.plover == "PROTEST":
        # "blocked a road to show their disapproval of US policies": whom the protest is for.
        purposes = [c for c in verb.children if c.dep_ in ("advcl", "xcomp") and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)]
        subject_iris = {m.actor.iri for m in frame.subjects}
        found = [m for c in purposes for m in verb_arguments(c, frame.actors).objects if m.actor.iri not in subject_iris and not same_state(m, frame.subjects)]
        if found:
            return found
    if etype.plover == "MOBILIZE":
        # "mobilized reservists for a war against Iraq": whom the force is readied for.
        purposes = [pobj for c in verb.children if c.dep_ == "prep" and c.lower_ == "for" for pobj in pobjs(c)]
        found = [m for pobj in purposes for m in targets_within(pobj, frame.actors, frame.subjects)]
        if found:
            return found
    if etype.plover == "REQUEST":
        # "sought refuge in Germany", "asked for asylum in Sweden": the state asked is where.
        asked = [c for c in verb.children if c.dep_ == "dobj"] + [p for c in verb.children if c.dep_ == "prep" and c.lower_ == "for" for p in pobjs(c)]
        refuge = [c for c in asked if c.lemma_.lower() in load_rules().refuge_nouns]
        hosts = [m for w in ([verb, *refuge] if refuge else []) for c in w.children if c.dep_ == "prep" and c.lower_ == "at" for p in pobjs(c) for m in actors_of(p, frame.actors)]
        if hosts:
            return hosts  # "sought asylum at the German embassy in Beirut"
        asked_state = _state_where([verb, *refuge], frame) if refuge else None
        if asked_state is not None and not any(m.actor.country == asked_state.actor.country for m in frame.subjects):
            return [asked_state]
    words = [verb] + [w for w in (frame.event_noun, on_verb(verb)) if w is not None]
    if etype.plover == "MOBILIZE":
        words += [c for c in verb.children if c.dep_ == "dobj"]  # "strengthened its forces in Lebanon": where they are
    if etype.plover == "THREATEN":
        # "threatened to resume attacks in Israel": where the threatened act would happen.
        threatened = [c for c in verb.children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")]
        words += [w for c in threatened for w in (c, *(o for o in c.children if o.dep_ == "dobj"))]
    if etype.plover in load_rules().located_target_types:
        where = _state_where(words, frame)
        # A state acting at home is not its own target ("Egyptian police fired at students in Cairo").
        if where is not None and where.actor.iri not in {m.actor.iri for m in frame.subjects}:
            return [where]
    return []


@step("Two Danish sailors were detained in Iran.", gives="IRN detain COERCE DNK @Iran")
def implicit_subject(frame: Frame) -> bool:
    """A state act without its agent ("was arrested in Lebanon", "his arrest") is the act of the
    state where it happens, else of the state the article is about; so are the legal acts
    someone faces (``state_act_nouns``: "faces charges in Chile", "his indictment")."""
    trigger, etype, rules = frame.trigger, frame.type, load_rules()
    nouns = [n for n in (frame.event_noun, trigger) if n is not None and n.pos_ in ("NOUN", "PROPN")]
    state_act = etype is not None and (etype.plover in rules.state_acts or any(n.lemma_.lower() in rules.state_act_nouns for n in nouns))
    agentless = (
        trigger.pos_ in ("NOUN", "PROPN")
        or (frame.event_noun is not None and frame.event_noun.lemma_.lower() in rules.patient_nouns)  # "faced charges"
        or (trigger.dep_ == "acl" and trigger.tag_ == "VBN")  # "the brothers, arrested in Argentina"
        or any(c.dep_ in ("nsubjpass", "auxpass") for c in trigger.children)
    )
    if frame.subjects or not state_act or not agentless:
        return True
    before = [c for n in nouns for c in n.children if c.dep_ in ("compound", "nmod")]
    before += [n.doc[n.i - 1] for n in nouns if n.i > 0 and n.doc[n.i - 1].pos_ == "PROPN"]  # the parse may split the name off
    if any(m.actor.type != "Person" for t in before for m in actors_of(t, frame.actors)):
        return True  # "the US District Court indictment": a name before the noun may be who does it
    where = _state_where([trigger, *nouns], frame)
    if where is not None:
        frame.subjects = [where]
        frame.evidence.add("implicit subject")
    elif frame.actors.home and any(not is_generic(m.actor) for m in frame.objects):
        # The state is named nowhere here: its name, at the word that states its act ("arrested").
        state = country_actor(frame.actors.home)
        frame.subjects = [Mention(state, state.label, trigger.idx, trigger.idx + len(trigger.text))]
        frame.evidence.add("home subject")
    return True


@step("Serbian police detained protesters. Karen guerrillas attacked a Burmese army post.", gives="SRB detain COERCE SRB; MMR attack ASSAULT MMR [Burmese army post]")
def placed_groups(frame: Frame) -> bool:
    """Groups of no stated country take the country where the event happens ("demonstrators
    ... in Monrovia"); failing that, rebels are of the state they fight ("Karen guerrillas
    attacked a Burmese army post"), and a group a state coerces is one of its own."""
    if frame.location_country:
        frame.subjects = [in_country(m, frame.location_country) for m in frame.subjects]
        frame.objects = [in_country(m, frame.location_country) for m in frame.objects]
        return True
    fought = {m.actor.country for m in frame.objects if m.actor.type in STATE_TYPES and m.actor.country}
    if len(fought) == 1 and frame.type is not None and frame.type.plover == "ASSAULT":
        (state,) = fought
        frame.subjects = [in_country(m, state) if _is_rebel(m) else m for m in frame.subjects]
    states = {m.actor.country for m in frame.subjects if m.actor.type in STATE_TYPES and m.actor.country}
    if len(states) == 1 and frame.type is not None and frame.type.plover == "COERCE":
        (state,) = states
        frame.objects = [in_country(m, state) if is_domestic_group(m.actor) else m for m in frame.objects]
    return True


def _is_rebel(mention: Mention) -> bool:
    """A group of no state that the CAMEO agents call rebels: guerrillas, insurgents, militants."""
    found = agent_code(mention.actor.label) if is_generic(mention.actor) else None
    return found is not None and found[0].startswith("REB")


@step("Sudanese rebels shelled the town for two days.", gives="SDN shell ASSAULT SDN [town]")
def domestic_target(frame: Frame) -> bool:
    """A national group acting on no one named acts on its own state, as event coders have it
    ("Indonesian students staged demonstrations"); the mention is the group's own words."""
    if frame.objects or frame.type is None or frame.type.plover not in load_rules().domestic_target_types:
        return True
    subjects = frame.subjects
    if not subjects or any(m.actor.type not in ("Group", "Organization") or m.actor.country is None for m in subjects):
        return True
    if any(is_outsider_group(m.actor) for m in subjects):
        return True  # "Syrian refugees protested": not against Syria, the state they may have fled
    countries = {m.actor.country for m in subjects}
    if len(countries) == 1:
        group = subjects[0]
        frame.objects = [Mention(country_actor(countries.pop() or ""), group.text, group.start, group.end)]
        frame.evidence.add("domestic target")
    return True


@step("Protesters attacked a police station in Medellin, and gunmen killed a judge.", gives="COL attack ASSAULT COL [police station] @Medellin")
def specific_actors(frame: Frame) -> bool:
    """A bare common noun ("protesters", "a group", "residents") is an actor only when the text ties it
    to a state, a place or an organisation; otherwise its slot stays empty, and a candidate with no
    actor left is no event."""
    frame.subjects = [m for m in frame.subjects if not is_generic(m.actor)]
    frame.objects = [m for m in frame.objects if not is_generic(m.actor)]
    return bool(frame.subjects or frame.objects)


# ---------------------------------------------------------------- event nouns


@step("Russia's attack on Ukraine lasted four hours.", gives="RUS attack ASSAULT UKR")
def noun_arguments(frame: Frame) -> bool:
    """An event noun's source is its owner or national modifier ("Russia's attack", "a Russian
    attack") or its "by" agent, its target what follows a target preposition ("attack on
    Ukraine"), else whom that complement is about ("sanctions on Russian companies").
    A bare name ("Ukraine war") may be the doer or the place: it names no source. The owner of a
    patient noun undergoes it ("his arrest"), unless an "of" phrase names who does ("Peru's
    arrest of the mayor"). Who is
    "under" the event undergoes it ("was placed under arrest", "came under fire from Y":
    ``under_verbs``); who goes or is "on" it does it ("went on strike": ``on_verbs``)."""
    index = frame.actors
    patient = frame.predicate in load_rules().patient_nouns  # "his arrest": he is arrested
    subjects: list[Mention] = []
    owners: list[Mention] = []
    complements: list[Token] = []
    opposing: list[Token] = []
    for child in frame.trigger.children:
        if child.dep_ == "poss" and patient:
            owners += actors_of(child, index)
        elif child.dep_ == "poss" or (child.dep_ in ("amod", "nmod", "compound") and child.ent_type_ == "NORP"):
            subjects += actors_of(child, index) or as_list(country_mention(child, index))
        elif child.dep_ == "prep" and child.lower_ == "by":
            subjects += [m for pobj in pobjs(child) for m in actors_of(pobj, index)]
        elif child.dep_ == "prep" and child.lower_ in NOUN_TARGET_PREPS:
            complements += [pobj for pobj in pobjs(child) if not is_help(child, pobj)]
        elif child.dep_ == "prep" and child.lower_ == "in":
            opposing += opposing_heads(child)  # "a hunger strike in protest of the government's refusal"
    if patient:  # "his extradition to the United States": the patient is the owner or "of" complement; "to" is where
        complements = [pobj for pobj in complements if pobj.head.lower_ in ("of", "between")]
        if owners and any(pobj.head.lower_ == "of" for pobj in complements):
            subjects, owners = subjects + owners, []  # "the court's indictment of the smugglers": the court indicts
    governor = frame.trigger.head.head if frame.trigger.dep_ == "pobj" and frame.trigger.head.lower_ == "under" else None
    if governor is not None and governor.lemma_.lower() in load_rules().under_verbs:
        # "X was placed under arrest", "came under fire from Y": X undergoes it, Y does it; with no
        # one named to do it, only a state act is kept (its state is found later), not a suspicion.
        owners += [m for c in governor.children if c.dep_ in ("nsubj", "nsubjpass") for m in actors_of(c, index)]
        subjects += [m for c in governor.children if c.dep_ == "prep" and c.lower_ in ("by", "from") for p in pobjs(c) for m in actors_of(p, index)]
        if not subjects and (frame.type is None or frame.type.plover not in load_rules().state_acts):
            return False
        patient = bool(owners)
    if (carrier := on_verb(frame.trigger)) is not None:
        # "workers went on strike", "troops remained on alert": who goes or is on it does it.
        subjects += [m for c in carrier.children if c.dep_ == "nsubj" for m in actors_of(c, index)]
        if frame.predicate in load_rules().on_senses:
            frame.type = lexicon.event_type(load_rules().on_senses[frame.predicate])
    objects = owners + [m for pobj in complements for m in actors_of(pobj, index)] + [m for head in opposing for m in opposed(head, index, subjects)]
    if not subjects and not (patient and objects):
        return False
    if not objects:
        pronouns = load_rules().confidence.pronouns  # "strikes on its power grid": too weak a clue here
        objects = [m for pobj in complements for m in targets_within(pobj, index, subjects) if m.text.lower() not in pronouns]
    frame.subjects, frame.objects = unique(subjects), unique(objects)
    return True


@step("The Russian drone attack on Ukraine failed.", gives="RUS attack ASSAULT UKR [drone]")
def noun_theme(frame: Frame) -> bool:
    """A compound that is neither an actor nor part of the lexeme is what the event is about ("a drone attack")."""
    noun, index = frame.trigger, frame.actors
    for child in noun.children:
        part_of_lexeme = " " in frame.predicate and child.i == noun.i - 1
        if child.dep_ == "compound" and not part_of_lexeme and not actors_of(child, index) and country_mention(child, index) is None:
            frame.theme = child.text
    return True


@step("A Turkish attack on Syria did not happen.", gives="TUR not attack ASSAULT SYR")
def noun_stance(frame: Frame) -> bool:
    """An event noun is stated as its governing verb states it ("plans an attack");
    negated by its own "no" or, as subject, by its verb's negation ("the attack did not happen")."""
    noun = frame.trigger
    governor = next((t for t in noun.ancestors if t.pos_ in ("VERB", "AUX")), None)
    frame.modality = modality(governor) if governor is not None else "asserted"
    frame.negated = negated_noun(noun)
    if governor is not None and noun.dep_ in ("nsubj", "nsubjpass") and noun.head == governor:
        frame.negated = frame.negated or negation(governor)
    return True


#: The steps for an event verb, in order.
VERB_STEPS = (
    "body_text",
    "source_phrase",
    "light_verb",
    "reported_demand",
    "non_event_verb",
    "naming",
    "arguments",
    "expelled_mission",
    "receiving_verb",
    "senses",
    "cameo_dictionary",
    "arrival",
    "needs_actors",
    "stance",
    "protest_demand",
    "intent",
    "refusal",
    "setting",
    "implicit_target",
    "implicit_subject",
    "placed_groups",
    "domestic_target",
    "specific_actors",
)
#: The steps for an event noun, in order.
NOUN_STEPS = (
    "body_text",
    "source_phrase",
    "noun_arguments",
    "noun_theme",
    "noun_stance",
    "setting",
    "implicit_target",
    "implicit_subject",
    "placed_groups",
    "domestic_target",
    "specific_actors",
)
