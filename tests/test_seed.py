"""The article the project started from, read from ../shared/seed at test time (never copied).

Checks the "done when" points of the pipeline, actor and event issues on it.
Skipped where the shared folder is not beside the repository.
"""
from __future__ import annotations

import csv
import gc
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "ap-putin-minsk-2022-12-19.txt"
pytestmark = pytest.mark.skipif(not SEED.exists(), reason="shared/seed is not beside the repository")
KG = "PREFIX kg: <https://w3id.org/kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    location = tmp_path_factory.mktemp("seed") / "kg-store"
    invoke("build", SEED, "--store", location)
    gc.collect()
    return location


@pytest.fixture(scope="module")
def events():
    out = invoke("extract", SEED, "--all")
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def _rows(store, query):
    return list(csv.DictReader(io.StringIO(invoke("query", query, "--store", store, "--format", "csv"))))


def _find(events, subject, event_type, obj, **extra):
    return [
        e
        for e in events
        if (e["subject"] or {}).get("country") == subject
        and e["event_type"] == event_type
        and (e["object"] or {}).get("country") == obj
        and all(e[k] == v for k, v in extra.items())
    ]


def test_relations_has_the_iskander_supply(store):
    rows = _rows(store, "relations")
    assert any(
        r["subject_country"] == "RUS" and r["object_country"] == "BLR" and "Iskander" in r["theme"] for r in rows
    )


def test_one_person_node_each_for_putin_and_lukashenko(store):
    rows = _rows(store, KG + "SELECT DISTINCT ?p ?label ?country WHERE { ?p a kg:Person ; rdfs:label ?label . OPTIONAL { ?p kg:countryCode ?country } }")
    putin = [r for r in rows if "Putin" in r["label"]]
    lukashenko = [r for r in rows if "Lukashenko" in r["label"]]
    assert len({r["p"] for r in putin}) == 1 and putin[0]["country"] == "RUS"
    assert len({r["p"] for r in lukashenko}) == 1 and lukashenko[0]["country"] == "BLR"


def test_iskander_and_s400_are_weapon_nodes(store):
    rows = _rows(store, KG + "SELECT DISTINCT ?label WHERE { ?w a kg:Weapon ; rdfs:label ?label }")
    assert {"Iskander", "S-400"} <= {r["label"] for r in rows}


def test_no_boilerplate_becomes_an_entity(store):
    rows = _rows(store, KG + "SELECT ?text WHERE { ?m a kg:Mention ; kg:text ?text }")
    assert rows and not [r for r in rows if "ubscri" in r["text"] or "Account" in r["text"]]


def test_putins_visit_is_consult_russia_to_belarus_on_the_publication_day(events):
    visits = _find(events, "RUS", "CONSULT", "BLR", predicate="visit")
    assert visits and visits[0]["date"] == "2022-12-19"


def test_the_drone_attack_is_assault_russia_to_ukraine(events):
    assert _find(events, "RUS", "ASSAULT", "UKR", predicate="attack", modality="asserted")


def test_the_launching_pad_is_aid_belarus_to_russia(events):
    assert _find(events, "BLR", "AID", "RUS", modality="asserted")


def test_the_weapons_supply_is_aid_russia_to_belarus_with_the_weapons_as_theme(events):
    (supply,) = [e for e in _find(events, "RUS", "AID", "BLR") if "Iskander" in (e["theme"] or "")]
    assert {t["label"] for t in supply["theme_entities"]} == {"Iskander", "S-400"}


def test_thanking_is_support(events):
    assert _find(events, "BLR", "SUPPORT", "RUS", predicate="thank")


def test_the_unlikely_commitment_gives_no_asserted_belarus_to_ukraine_assault(events):
    asserted = [e for e in _find(events, "BLR", "ASSAULT", "UKR") if e["modality"] == "asserted" and not e["negated"]]
    assert asserted == []


def test_the_seed_graph_validates(store):
    assert "conforms" in invoke("validate", "--store", store)
