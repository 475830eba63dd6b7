"""The data the extraction steps read: word classes, event types and confidence weights
(``kg/data/extraction.json``) and the nouns that make a phrase an actor
(``kg/data/actor_nouns.json``), checked once and frozen.

Loading refuses, with a coded error naming the file and the entry, what would
otherwise pass silently: an entry no step reads (E105), a type that is no
PLOVER 2021 type (E102) or an old PLOVER name no event carries any more
(E103), a way of finding events with no confidence weight (E104), a word
list that is not a list of lower-case words (E101).

>>> rules = load_rules()
>>> "hold" in rules.light_verbs, 0 < rules.confidence.weights["event noun"] < 1
(True, True)
>>> "troop" in rules.nouns["ArmedForce"]
True
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kg.errors import Errors, KGError
from kg.vocab import FACTUAL_MODALITIES, MODALITIES, PLOVER_TYPES

__all__ = ["EVIDENCE", "NOUN_KINDS", "WEIGHED_MODALITIES", "Confidence", "ExtractionRules", "load_rules"]

#: Every way a step finds part of an event (``Frame.evidence``), and the two ways an
#: event's arguments are weak: each needs a weight in ``confidence``.
EVIDENCE = (
    "inherited subject",
    "complement target",
    "inner target",
    "implicit target",
    "domestic target",
    "implicit subject",
    "home subject",
    "receiving verb",
    "event noun",
    "untyped",
    "pronoun argument",
    "no subject",
    "no object",
)
#: The modalities that lower an event's confidence: those not stated as fact (a plan announced,
#: "will extradite", is stated as fact: the announcement is the event, as coders code it).
WEIGHED_MODALITIES = tuple(m for m in MODALITIES if m not in FACTUAL_MODALITIES)
#: The kinds of actor noun in ``actor_nouns.json`` (see its ``_comment``).
NOUN_KINDS = (
    "ArmedForce", "Weapon", "Attack", "Cultural", "Government", "Role", "Relational", "Impersonal", "Quantity", "Group", "PersonSuffixes", "Domestic", "Titles", "Outsiders", "Institution", "OrganizationHeads",
)

_TYPE_LISTS = ("reciprocal_types", "located_target_types", "domestic_target_types", "state_acts", "two_sided_types")


@dataclass(frozen=True)
class Confidence:
    """How far to trust an event: ``base`` for the most direct reading, times the
    weight of each weaker way its parts were found and of its modality; events under
    ``min_confidence`` are left out of kg's output unless asked for (``--min-confidence``)."""

    base: float
    weights: Mapping[str, float]
    pronouns: frozenset[str]
    min_confidence: float


@dataclass(frozen=True)
class ExtractionRules:
    """The checked contents of ``extraction.json`` and ``actor_nouns.json`` (word lists as
    lemmas, types as PLOVER 2021 names); what each list means is in the file's ``_comment``."""

    light_verbs: frozenset[str]
    non_event_verbs: frozenset[str]
    negating_verbs: frozenset[str]
    hypothetical_verbs: frozenset[str]
    planning_verbs: frozenset[str]
    acceptance_verbs: frozenset[str]
    reporting_verbs: frozenset[str]
    attribution_words: frozenset[str]
    fleeing_verbs: frozenset[str]
    refuge_nouns: frozenset[str]
    arrival_verbs: frozenset[str]
    companion_words: frozenset[str]
    transitive_verbs: frozenset[str]
    small_clause_verbs: frozenset[str]
    causative_verbs: frozenset[str]
    demand_reporting_verbs: frozenset[str]
    deontic_modals: frozenset[str]
    statement_nouns: frozenset[str]
    stance_nouns: frozenset[str]
    hypothetical_adjectives: frozenset[str]
    hedges: frozenset[str]
    allegation_words: frozenset[str]
    stative_passives: frozenset[str]
    expelled_missions: frozenset[str]
    receiving_verbs: frozenset[str]
    frame_nouns: frozenset[str]
    patient_nouns: frozenset[str]
    actor_object_verbs: frozenset[str]
    enabling_verbs: frozenset[str]
    handing_verbs: frozenset[str]
    said_objects: frozenset[str]
    patient_light_verbs: frozenset[str]
    patient_noun_verbs: frozenset[str]
    informant_nouns: frozenset[str]
    one_way_verbs: frozenset[str]
    intransitive_verbs: frozenset[str]
    under_verbs: frozenset[str]
    on_verbs: frozenset[str]
    opposing_nouns: frozenset[str]
    reducing_verbs: frozenset[str]
    stance_prefixes: frozenset[str]
    relation_participles: frozenset[str]
    state_act_nouns: frozenset[str]
    clause_senses: Mapping[str, str]
    on_senses: Mapping[str, str]
    reduced_types: Mapping[str, str]
    object_senses: Mapping[str, Mapping[str, frozenset[str]]]
    protest_nouns: frozenset[str]
    reciprocal_types: frozenset[str]
    located_target_types: frozenset[str]
    domestic_target_types: frozenset[str]
    state_acts: frozenset[str]
    two_sided_types: frozenset[str]
    confidence: Confidence
    nouns: Mapping[str, frozenset[str]]


_MAPPINGS = ("confidence", "nouns", "clause_senses", "on_senses", "reduced_types", "object_senses")
_WORD_LISTS = tuple(f.name for f in fields(ExtractionRules) if f.name not in _TYPE_LISTS + _MAPPINGS)


@lru_cache(maxsize=4)
def load_rules(path: str | os.PathLike[str] | None = None, nouns_path: str | os.PathLike[str] | None = None) -> ExtractionRules:
    """Read and check the extraction rules (by default the files kg ships); cached.

    Raises
    ------
    KGError
        E100 a file cannot be read or is not JSON, E101 a malformed entry, E102 an
        unknown PLOVER type, E103 an old PLOVER name, E104 a missing confidence
        weight, E105 an unknown entry.
    """
    rules_file, rules = _read(path, "extraction.json")
    nouns_file, nouns = _read(nouns_path, "actor_nouns.json")
    _no_unknown(rules_file, rules, _WORD_LISTS + _TYPE_LISTS + _MAPPINGS[:1] + _MAPPINGS[2:])
    _no_unknown(nouns_file, nouns, NOUN_KINDS)
    words = {name: _words(rules_file, rules, name) for name in _WORD_LISTS}
    types = {name: _types(rules_file, rules, name) for name in _TYPE_LISTS}
    return ExtractionRules(
        **words,
        **types,
        confidence=_confidence(rules_file, rules.get("confidence")),
        clause_senses=_senses(rules_file, rules.get("clause_senses"), "clause_senses", "verb"),
        on_senses=_senses(rules_file, rules.get("on_senses"), "on_senses", "noun"),
        reduced_types=_reduced_types(rules_file, rules.get("reduced_types")),
        object_senses=_object_senses(rules_file, rules.get("object_senses")),
        nouns=MappingProxyType({kind: _words(nouns_file, nouns, kind) for kind in NOUN_KINDS}),
    )


def _read(path: str | os.PathLike[str] | None, default: str) -> tuple[str, dict[str, Any]]:
    where = str(path) if path is not None else f"kg/data/{default}"
    try:
        text = Path(path).read_text(encoding="utf-8") if path is not None else resources.files("kg.data").joinpath(default).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise KGError(Errors.E100.format(path=where, detail=e)) from e
    if not isinstance(data, dict):
        raise KGError(Errors.E101.format(path=where, where="(top level)", detail="expected a JSON object"))
    return where, data


def _no_unknown(path: str, data: Mapping[str, Any], known: tuple[str, ...]) -> None:
    for name in data:
        if not name.startswith("_") and name not in known:
            raise KGError(Errors.E105.format(path=path, name=name, known=", ".join(known)))


def _words(path: str, data: Mapping[str, Any], name: str) -> frozenset[str]:
    value = data.get(name)
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() and w == w.lower() for w in value):
        raise KGError(Errors.E101.format(path=path, where=name, detail="expected a list of lower-case words"))
    return frozenset(value)


def _types(path: str, data: Mapping[str, Any], name: str) -> frozenset[str]:
    from kg.extraction.lexicon import load_lexicon

    value = data.get(name)
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise KGError(Errors.E101.format(path=path, where=name, detail="expected a list of PLOVER types"))
    aliases = load_lexicon().aliases
    for type_name in value:
        if type_name in aliases:
            raise KGError(Errors.E103.format(path=path, where=name, name=type_name, target=aliases[type_name]))
        if type_name not in PLOVER_TYPES:
            raise KGError(Errors.E102.format(path=path, where=name, name=type_name, choices=", ".join(PLOVER_TYPES)))
    return frozenset(value)


def _senses(path: str, data: Any, name: str, word: str) -> Mapping[str, str]:
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise KGError(Errors.E101.format(path=path, where=name, detail=f"expected an object of {word} -> PLOVER type"))
    for type_name in data.values():
        _types(path, {name: [type_name]}, name)
    return MappingProxyType(dict(data))


def _reduced_types(path: str, data: Any) -> Mapping[str, str]:
    """PLOVER type -> PLOVER type: both sides are checked (a misspelt key would never match)."""
    types = _senses(path, data, "reduced_types", "PLOVER type")
    _types(path, {"reduced_types": list(types)}, "reduced_types")
    return types


def _object_senses(path: str, data: Any) -> Mapping[str, Mapping[str, frozenset[str]]]:
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise KGError(Errors.E101.format(path=path, where="object_senses", detail="expected an object of verb -> {PLOVER type: [object lemmas]}"))
    senses = {}
    for verb, by_type in data.items():
        _types(path, {f"object_senses.{verb}": list(by_type)}, f"object_senses.{verb}")
        senses[verb] = MappingProxyType({name: _words(path, by_type, name) for name in by_type})
    return MappingProxyType(senses)


def _confidence(path: str, data: Any) -> Confidence:
    if not isinstance(data, dict):
        raise KGError(Errors.E101.format(path=path, where="confidence", detail="expected a JSON object"))
    needed = ("base", *EVIDENCE, *WEIGHED_MODALITIES)
    missing = [name for name in needed if name not in data]
    if missing:
        raise KGError(Errors.E104.format(path=path, names=", ".join(repr(m) for m in missing)))
    _no_unknown(path, {f"confidence.{k}": v for k, v in data.items() if not k.startswith("_")}, tuple(f"confidence.{n}" for n in (*needed, "pronouns", "min_confidence")))
    for name in needed:
        value = data[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise KGError(Errors.E101.format(path=path, where=f"confidence.{name}", detail="expected a weight above 0 and at most 1"))
    threshold = data.get("min_confidence", 0.0)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold < 1:
        raise KGError(Errors.E101.format(path=path, where="confidence.min_confidence", detail="expected a number from 0 up to (not including) 1"))
    weights = MappingProxyType({name: float(data[name]) for name in needed if name != "base"})
    return Confidence(float(data["base"]), weights, _words(path, data, "pronouns"), float(threshold))
