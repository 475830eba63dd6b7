"""Actors of the CAMEO dictionaries (issue 17): names resolved with their state, dated roles,
agent nouns and the CAMEO actor code of every mention. Sentences are our own."""
from __future__ import annotations

import json

import pytest

from kg.extraction.codes import actor_code, agent_code, role_on
from kg.extraction.gazetteer import lookup
from kg.records import Article


def _events(nlp, text: str, date: str | None = None):
    from kg.extraction.parse import extract_doc, parse_articles

    (doc,) = parse_articles([Article("t1", text, date=date)], nlp)
    return extract_doc(nlp, doc).events


def _pair(events, predicate: str):
    event = next(e for e in events if e.predicate == predicate)
    return event.subject, event.object


def test_leaders_of_2003_meet_as_governments(nlp):
    subject, obj = _pair(_events(nlp, "Abdelaziz Bouteflika met Jacques Chirac in Algiers.", "2003-03-02"), "meet")
    assert (subject.country, obj.country) == ("DZA", "FRA")
    assert (subject.code, obj.code) == ("DZAGOV", "FRAGOV")
    assert (subject.sector, obj.sector) == ("GOV", "GOV")


def test_a_leader_out_of_office_is_an_elite(nlp):
    _, obj = _pair(_events(nlp, "Abdelaziz Bouteflika met Jacques Chirac in Algiers.", "2020-06-01"), "meet")
    assert obj.country == "FRA"
    assert obj.code == "FRAELI"


def test_jsonl_carries_the_code(nlp):
    (event,) = [e for e in _events(nlp, "Abdelaziz Bouteflika met Jacques Chirac in Algiers.", "2003-03-02") if e.predicate == "meet"]
    record = json.loads(json.dumps(event.to_json()))
    assert record["subject"]["code"] == "DZAGOV" and record["object"]["sector"] == "GOV"


def test_a_dictionary_alias_with_its_title_resolves(nlp):
    # The NER takes "President Reagan" whole; the dictionary knows that titled alias, not "Reagan".
    subject, _ = _pair(_events(nlp, "President Reagan met Helmut Kohl in Bonn.", "1985-05-02"), "meet")
    assert (subject.label, subject.code) == ("Ronald Reagan", "USAGOV")


def test_dictionary_names_resolve_with_their_state():
    assert lookup("Olusegun Obasanjo").country == "NGA"
    assert lookup("Eduard Shevardnadze").country == "GEO"
    assert lookup("Armed Islamic Group").type == "Organization"
    assert lookup("Armed Islamic Group").country == "DZA"


def test_curated_names_keep_precedence():
    # kg's own entry for a current name wins over the 2014 dictionaries.
    assert lookup("Putin").name == "Vladimir Putin"
    assert lookup("Moscow").kind == "capital"


def test_roles_by_date():
    record = {"code": "FRAELI", "roles": [["FRAGOV", "1995-05-17", "2007-05-16"]]}
    assert role_on(record, "2003-03-02") == "FRAGOV"
    assert role_on(record, "2020-01-01") == "FRAELI"
    assert role_on({"code": None, "roles": [["RUSGOV", "2000-05-07", None]]}, None) == "RUSGOV"


def test_agent_nouns_give_the_sector():
    assert agent_code("riot police") == ("COP", False)
    assert agent_code("guerrillas") == ("REB", False)
    assert agent_code("the minister of agriculture")[0].startswith("GOV")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Egyptian riot police fired tear gas at students in Cairo.", "EGYCOP"),
        ("The Kremlin condemned the decision of Poland.", "RUSGOV"),
        ("The United Nations condemned the attack on Mali.", "IGOUNO"),
    ],
)
def test_mention_codes(nlp, text, code):
    events = _events(nlp, text, "2024-03-01")
    assert code in {e.subject.code for e in events if e.subject}


def test_a_state_as_a_whole_has_its_bare_code(nlp):
    subject, obj = _pair(_events(nlp, "Russia attacked Ukraine.", "2024-03-01"), "attack")
    assert (subject.code, obj.code) == ("RUS", "UKR")
    assert subject.sector is None


def test_a_state_force_is_military():
    from kg.extraction.actors import Entity

    army = Entity("Colombian armed forces", "ArmedForce", "COL", "x")
    assert actor_code(army, "the Colombian army", None) == ("MIL", "COLMIL")


def test_rebels_are_of_the_state_they_fight(nlp):
    subject, obj = _pair(_events(nlp, "Karen guerrillas attacked a Burmese army post.", "2024-03-01"), "attack")
    assert (subject.country, subject.code, obj.country) == ("MMR", "MMRREB", "MMR")


def test_a_named_armed_group_keeps_its_own_code(nlp):
    subject, _ = _pair(_events(nlp, "Hezbollah guerrillas fired rockets at Israel.", "2024-03-01"), "fire")
    assert (subject.label, subject.country, subject.code) == ("Hezbollah", "LBN", "LBNREB")


def test_dictionary_cities_and_one_word_of_a_name_leave_people_their_names(nlp):
    # "Lorraine" (a region of France) and "Sydney" (Australia) are cities of the dictionaries, and people's names.
    doc = nlp("Lorraine Smith criticized Sydney Jones.")
    assert [(ent.text, ent.label_) for ent in doc.ents] == [("Lorraine Smith", "PERSON"), ("Sydney Jones", "PERSON")]
    assert lookup("Lorraine").country == "FRA"  # found once the NER reads it as a place


@pytest.mark.parametrize(
    "word", ["Organization", "Tigers", "Falcon", "NGO", "Hussein", "Hassan", "21 June", "Immediate Action", "The Foundation"]
)
def test_a_common_word_or_a_given_name_alone_resolves_to_no_one(word):
    # The dictionaries name groups "Organization" (Tanzim), "Tigers" (in Swaziland), "Falcon" (in Iran)
    # and "NGO": capitalised at a sentence start or in a headline, these words meant those groups;
    # "Hussein" alone was King Hussein of Jordan, "Hassan" a Jordanian prince, whoever the text meant.
    assert lookup(word) is None


def test_a_sentence_starting_with_organization_has_no_group_as_subject(nlp):
    subject, obj = _pair(_events(nlp, "The Organization condemned Israel on Monday."), "condemn")
    assert subject is None
    assert obj.country == "ISR"


def test_a_date_is_no_group(nlp):
    # "21 June" is also the name of a Greek group in the dictionaries: the date made it the attack's target.
    found = _events(nlp, "Russia attacked Ukraine on 21 June 2023.")
    assert [(e.subject.country, e.object.country) for e in found] == [("RUS", "UKR")]


def test_a_role_code_only_for_an_actor_of_that_state(nlp):
    # A surname alone, with no title and no Russia in the text, is not taken for Vladimir Putin:
    # it gets no country, and so no RUSGOV either.
    (event,) = [e for e in _events(nlp, "Putin met Kofi Mensah in Accra.", "2024-03-01") if e.predicate == "meet"]
    assert (event.subject.country, event.subject.code) == (None, None)
