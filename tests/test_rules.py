"""The extraction rules (kg/data/extraction.json, actor_nouns.json) are checked when loaded:
what would otherwise pass silently is refused with a coded error naming the file and the entry."""
from __future__ import annotations

import json
from importlib import resources

import pytest

from kg.errors import KGError
from kg.extraction.rules import EVIDENCE, load_rules


def shipped() -> dict:
    return json.loads(resources.files("kg.data").joinpath("extraction.json").read_text(encoding="utf-8"))


def rules_with(tmp_path, change) -> str:
    data = shipped()
    change(data)
    path = tmp_path / "extraction.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_the_shipped_rules_load_frozen():
    rules = load_rules()
    assert "hold" in rules.light_verbs and "COERCE" in rules.state_acts
    with pytest.raises(AttributeError):
        rules.light_verbs.add("sing")  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        rules.confidence.weights["untyped"] = 1.0  # type: ignore[index]


def test_an_old_plover_name_is_refused_with_its_successor(tmp_path):
    path = rules_with(tmp_path, lambda d: d["domestic_target_types"].append("FIGHT"))
    with pytest.raises(KGError, match=r"\[E103\] .*extraction.json: domestic_target_types: 'FIGHT' is a PLOVER 0.5 name .* write ASSAULT"):
        load_rules(path)


def test_an_unknown_type_is_refused(tmp_path):
    path = rules_with(tmp_path, lambda d: d["state_acts"].append("ARREST"))
    with pytest.raises(KGError, match=r"\[E102\] .*state_acts: unknown PLOVER type 'ARREST'"):
        load_rules(path)


def test_a_missing_weight_is_refused(tmp_path):
    path = rules_with(tmp_path, lambda d: d["confidence"].pop("receiving verb"))
    with pytest.raises(KGError, match=r"\[E104\] .*no weight for 'receiving verb'"):
        load_rules(path)


def test_every_way_of_finding_an_event_has_a_weight():
    assert set(EVIDENCE) <= set(load_rules().confidence.weights)


@pytest.mark.parametrize(
    "change, code",
    [
        (lambda d: d.update(light_verb=["hold"]), "E105"),  # a misspelt entry no step reads
        (lambda d: d["confidence"].update(inherited=0.9), "E105"),
        (lambda d: d.update(hedges="probably"), "E101"),
        (lambda d: d["hedges"].append("Probably"), "E101"),
        (lambda d: d["confidence"].update(base=1.5), "E101"),
        (lambda d: d["confidence"].update({"no object": 1.2}), "E101"),  # a weaker reading never raises it
        (lambda d: d["confidence"].update(min_confidence=1), "E101"),  # would leave out every event
        (lambda d: d["confidence"].update(min_confidence="0.3"), "E101"),
    ],
)
def test_malformed_entries_are_refused(tmp_path, change, code):
    with pytest.raises(KGError, match=rf"\[{code}\]"):
        load_rules(rules_with(tmp_path, change))


def test_an_unreadable_file_is_a_coded_error(tmp_path):
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(KGError, match=r"\[E100\] .*broken.json: the extraction rules cannot be read"):
        load_rules(tmp_path / "broken.json")
    nouns = tmp_path / "nouns.json"
    nouns.write_text(json.dumps({"ArmedForce": ["army"]}))
    with pytest.raises(KGError, match=r"\[E101\] .*nouns.json: Weapon: expected a list of lower-case words"):
        load_rules(None, nouns)


def test_a_reduced_type_that_is_no_plover_type_is_refused(tmp_path):
    path = rules_with(tmp_path, lambda d: d["reduced_types"].update({"ARREST": "RETREAT"}))
    with pytest.raises(KGError, match=r"\[E102\] .*reduced_types: unknown PLOVER type 'ARREST'"):
        load_rules(path)
