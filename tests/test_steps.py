"""Each rule step of kg/extraction/steps.py with its own example sentence: the example gives
what the step says it gives, and something else without the step (so every step matters)."""
from __future__ import annotations

import pytest

from kg.errors import KGError
from kg.extraction.components import EventExtractor
from kg.extraction.steps import NOUN_STEPS, STEPS, VERB_STEPS


def render(events) -> str:
    """``SUBJECT predicate TYPE OBJECT [theme] (modality) @place`` per event, apart by "; "."""

    def side(actor):
        return "-" if actor is None else actor.country or actor.label

    lines = []
    for e in events:
        line = f"{side(e.subject)} {'not ' if e.negated else ''}{e.predicate} {e.event_type or '-'} {side(e.object)}"
        line += f" [{e.theme}]" if e.theme else ""
        line += f" ({e.modality})" if e.modality != "asserted" else ""
        line += f" @{e.location}" if e.location else ""
        lines.append(line)
    return "; ".join(lines)


def without(name: str) -> EventExtractor:
    return EventExtractor([s for s in VERB_STEPS if s != name], [s for s in NOUN_STEPS if s != name])


@pytest.mark.parametrize("name", list(STEPS))
def test_each_step_gives_its_example_and_matters(nlp, name):
    rule = STEPS[name]
    assert name in VERB_STEPS or name in NOUN_STEPS, f"{name} is in no step list"
    doc = nlp(rule.example)
    assert render(doc._.events) == rule.gives
    assert render(without(name)(doc)._.events) != rule.gives


def test_an_unknown_step_is_a_coded_error(nlp):
    with pytest.raises(KGError, match=r"\[E106\] Unknown extraction step 'no_such_step' in verb_steps"):
        EventExtractor(["arguments", "no_such_step"], NOUN_STEPS)


def test_steps_are_configuration(nlp):
    """The component takes its step lists from its config, as data."""
    config = nlp.get_pipe_config("kg_events")
    assert (config["verb_steps"], config["noun_steps"]) == (list(VERB_STEPS), list(NOUN_STEPS))
