"""Extraction rules: sentences of our own for each rule (the steps of kg/extraction/steps.py
carry one each too, checked in tests/test_steps.py)."""
from __future__ import annotations

import pytest

from kg.extraction.parse import extract_doc, parse_articles
from kg.extraction.rules import load_rules
from kg.records import Article


def triples(nlp, text):
    """(subject country or label, predicate, object country or label, theme) of each event."""

    def name(actor):
        if actor is None:
            return None
        return actor.country or actor.label

    return [(name(e.subject), e.predicate, name(e.object), e.theme) for e in events(nlp, text)]


def events(nlp, text):
    return nlp(text)._.events


def test_active_voice_with_prepositional_theme(nlp):
    assert ("RUS", "supply", "BLR", "Iskander missiles") in triples(nlp, "Russia supplied Belarus with Iskander missiles.")


def test_recipient_after_to_is_the_object_and_the_thing_the_theme(nlp):
    found = triples(nlp, "Germany delivered forty tanks to Ukraine on Tuesday.")
    assert [(s, o) for s, _, o, _ in found] == [("DEU", "UKR")]
    assert "tanks" in found[0][3]


def test_ditransitive_dative(nlp):
    found = triples(nlp, "China gave Pakistan six new frigates.")
    assert [(s, o) for s, _, o, _ in found] == [("CHN", "PAK")]


def test_passive_voice_with_agent(nlp):
    found = events(nlp, "The border town was shelled by Azerbaijan, and Armenia was attacked by Azerbaijani drones.")
    pairs = {(e.subject.country, e.object.country if e.object else None) for e in found}
    assert ("AZE", "ARM") in pairs
    assert all(e.event_type == "ASSAULT" for e in found)


def test_passive_voice_without_agent_keeps_the_target(nlp):
    (event,) = events(nlp, "Israel was condemned at the meeting.")
    assert event.subject is None and event.object.country == "ISR"
    assert event.event_type == "ACCUSE"


def test_a_participle_with_an_object_is_no_passive_of_its_head(nlp):
    # The parser reads "charities donated and delivered blankets" as charities that were donated:
    # a participle with an object (here shared with "delivered") is active, the charities are no target.
    found = events(nlp, "Volunteers from two Turkish charities donated and delivered blankets to Syria.")
    assert not any(e.predicate == "donate" for e in found)
    assert [e.object.country for e in found if e.predicate == "deliver"] == ["SYR"]


def test_giving_a_speech_or_reasons_is_no_aid(nlp):
    found = triples(
        nlp,
        "Putin gave a speech to Turkish diplomats. Germany gave no reason to Poland. "
        "Brazil offered condolences to Chile. Germany gave Poland two tanks.",
    )
    assert [(s, p, o) for s, p, o, _ in found] == [("DEU", "give", "POL")]
    assert "tanks" in found[0][3]


def test_sending_envoys_consults_and_sharing_intelligence_cooperates(nlp):
    found = events(nlp, "Turkey sent a delegation to Syria. Spain provided intelligence to Morocco. Iran sent a letter to Iraq.")
    assert [(e.subject.country, e.event_type, e.object.country) for e in found] == [("TUR", "CONSULT", "SYR"), ("ESP", "COOPERATE", "MAR")]


def test_giving_a_welcome_hosts_a_visit(nlp):
    # CAMEO 043: a welcome is given to a visitor, not handed over as aid.
    found = events(nlp, "Germany gave a warm welcome to the Chinese premier. Japan offered a cool reception to the Russian envoy.")
    assert [(e.subject.country, e.event_type, e.object.country) for e in found] == [("DEU", "CONSULT", "CHN"), ("JPN", "CONSULT", "RUS")]


def test_refugees_protesting_do_not_protest_against_their_own_state(nlp):
    # A national group acting on no one acts on its own state ("Indonesian students staged
    # demonstrations"), but refugees may have fled theirs.
    (event,) = events(nlp, "Syrian refugees in Lebanon protested on Monday.")
    assert event.subject.country == "SYR" and event.object is None


def test_coordinated_subjects_split_into_one_event_each(nlp):
    found = triples(nlp, "France and Germany condemned Iran.")
    assert {(s, o) for s, _, o, _ in found} == {("FRA", "IRN"), ("DEU", "IRN")}


def test_subject_control_through_xcomp(nlp):
    found = events(nlp, "Russia agreed to supply Belarus with fighter jets.")
    supply = [e for e in found if e.predicate == "supply"]
    assert supply and supply[0].subject.country == "RUS" and supply[0].object.country == "BLR"


def test_subject_of_a_for_clause_is_the_thanked_actor(nlp):
    found = events(nlp, "Alexander Lukashenko thanked Vladimir Putin for providing his military with S-400 air defense systems.")
    provide = [e for e in found if e.predicate == "provide"]
    assert provide, found
    assert provide[0].subject.label == "Vladimir Putin"
    assert provide[0].object.country == "BLR"
    assert "S-400" in provide[0].theme


def test_light_verb_is_typed_by_its_event_noun(nlp):
    (event,) = [e for e in events(nlp, "Japan held talks with India in Tokyo.") if e.object]
    assert (event.subject.country, event.object.country) == ("JPN", "IND")
    assert event.event_type == "CONSULT"


def test_event_noun_with_possessive_source_and_prepositional_target(nlp):
    found = events(nlp, "Russia's drone attack on Ukraine lasted four hours.")
    assert [(e.subject.country, e.object.country, e.event_type) for e in found] == [("RUS", "UKR", "ASSAULT")]


def test_event_noun_visit_to_a_capital(nlp):
    found = events(nlp, "Vladimir Putin's visit to Minsk came days after the summit.")
    assert [(e.subject.country, e.object.country) for e in found] == [("RUS", "BLR")]


def test_armed_forces_and_officials_stand_for_their_state(nlp):
    found = events(nlp, "Russian troops attacked Ukrainian soldiers near the border.")
    (event,) = found
    assert event.subject.type == "ArmedForce" and event.subject.country == "RUS"
    assert event.object.country == "UKR"


def test_capital_and_seat_of_power_stand_for_the_state(nlp):
    found = triples(nlp, "The Kremlin accused Washington of lying.")
    assert ("RUS", "accuse", "USA", None) in found


def test_negation_is_flagged(nlp):
    (event,) = events(nlp, "Belarus did not attack Poland.")
    assert event.negated


def test_denial_flags_the_denied_event(nlp):
    found = [e for e in events(nlp, "Minsk denied that its troops attacked Lithuania.") if e.predicate == "attack"]
    assert found and found[0].negated


def test_refusing_to_accept_is_a_rejection(nlp):
    (event,) = [e for e in events(nlp, "Minsk refused to recognize Kosovo.") if "recognize" in e.predicate]
    assert (event.predicate, event.event_type, event.negated) == ("not recognize", "REJECT", False)
    assert (event.subject.country, event.object.country) == ("BLR", "XKX")
    (event,) = [e for e in events(nlp, "Hungary will not accept the new quota.") if "accept" in e.predicate]
    assert event.event_type == "REJECT" and event.subject.country == "HUN"


def test_a_states_own_forces_are_the_theme_not_the_target(nlp):
    (event,) = [e for e in events(nlp, "Armenia pulled its troops back from Georgia.") if e.predicate.startswith("pull")]
    assert (event.subject.country, event.object.country) == ("ARM", "GEO")
    assert event.theme == "its troops"



def test_a_relative_pronoun_theme_is_the_noun_its_clause_describes(nlp):
    found = triples(nlp, "Iran rejected the sanctions, which it blamed for rising prices.")
    assert ("IRN", "blame", None, "sanctions") in found
    assert all(theme != "which" for _, _, _, theme in found)


def test_a_place_named_beside_its_noun_locates_the_event(nlp):
    # "the capital Kabul": the name is an apposition of "capital"; the attack's target is the state it is in
    (event,) = events(nlp, "Rebels exploded a bomb in the capital Kabul on Monday.")
    assert event.location == "Kabul"
    assert event.object.country == "AFG"


def test_a_national_group_acting_on_no_one_named_targets_its_own_state(nlp):
    assert triples(nlp, "Sudanese rebels shelled the town for two days.") == [("SDN", "shell", "SDN", "town")]
    (event,) = events(nlp, "Thousands of Indonesian students staged mass demonstrations on Saturday.")
    assert (event.event_type, event.object.label) == ("PROTEST", "Indonesia")


def test_a_state_or_a_cooperating_group_gets_no_domestic_target(nlp):
    assert triples(nlp, "Russian troops attacked the village.") == [("RUS", "attack", None, "village")]
    assert triples(nlp, "Belarusian protesters praised the delegation.")[0][2] is None


def test_expelling_a_mission_reduces_relations_and_expelling_a_person_coerces(nlp):
    (mission,) = events(nlp, "Sudan expelled two aid agencies from Darfur.")
    (person,) = events(nlp, "Poland expelled a Belarusian diplomat on Monday.")
    assert (mission.event_type, mission.cameo) == ("SANCTION", "16")
    assert (person.event_type, person.cameo) == ("COERCE", "17")


def test_an_event_noun_targets_whom_its_complement_is_about(nlp):
    found = triples(nlp, "Japan said it would widen its sanctions on Russian companies.")
    assert ("JPN", "sanction", "RUS", None) in found

def test_collective_pronouns_refer_to_the_salient_state(nlp):
    found = events(nlp, "Ghana said on Friday that it would withdraw its engineers from Mali.")
    withdraw = [e for e in found if e.predicate == "withdraw"]
    assert withdraw and withdraw[0].subject.country == "GHA" and withdraw[0].object.country == "MLI"


def test_speculation_is_hypothetical(nlp):
    (event,) = [e for e in events(nlp, "China could attack Taiwan next year.") if e.predicate == "attack"]
    assert event.modality == "hypothetical"


def test_planned_event(nlp):
    found = [e for e in events(nlp, "Germany will send tanks to Poland.") if e.predicate == "send"]
    assert found and found[0].modality == "planned"


def test_reporting_verbs_are_not_events(nlp):
    assert events(nlp, "Iran said nothing about the talks.") == []


def test_weapons_are_themes_never_actors(nlp):
    found = events(nlp, "Moscow deployed Iskander missiles to Belarus.")
    assert all(e.object is None or e.object.country == "BLR" for e in found)
    assert all(e.object is None or e.object.type != "Weapon" for e in found)


@pytest.mark.parametrize(
    "text, expected_type",
    [
        ("Poland expelled a Belarusian diplomat.", "COERCE"),
        ("The United States imposed sanctions on Iran.", "SANCTION"),
        ("India threatened Pakistan with retaliation.", "THREATEN"),
        ("Turkey urged Sweden to extradite the suspects.", "REQUEST"),
        ("Egypt rejected Ethiopia's proposal.", "REJECT"),
    ],
)
def test_event_types_from_the_lexicon(nlp, text, expected_type):
    assert expected_type in {e.event_type for e in events(nlp, text)}


def _by_predicate(nlp, text, predicate):
    return [e for e in events(nlp, text) if e.predicate == predicate]


def test_planned_cooperation_is_an_intent_to_agree(nlp):
    (event,) = _by_predicate(nlp, "Norway will fund new schools in Malawi.", "fund")
    assert event.modality == "planned" and event.event_type == "AGREE"


def test_conditional_plan_is_a_threat(nlp):
    (event,) = _by_predicate(nlp, "Chile will withdraw its ambassador from Peru unless Lima apologizes.", "withdraw")
    assert event.event_type == "THREATEN" and event.object.country == "PER"


def test_planned_material_conflict_is_a_threat(nlp):
    (event,) = _by_predicate(nlp, "Ethiopia will attack Eritrea.", "attack")
    assert event.event_type == "THREATEN" and event.object.country == "ERI"


def test_unlikely_that_is_hypothetical(nlp):
    found = _by_predicate(nlp, "It is unlikely that Serbia will invade Kosovo.", "invade")
    assert found and found[0].modality == "hypothetical"


def test_reported_would_is_a_plan_not_a_hypothesis(nlp):
    (event,) = _by_predicate(nlp, "Peru said it would expel Bolivian diplomats.", "expel")
    assert event.modality == "planned"
    assert (event.subject.country, event.object.country) == ("PER", "BOL")


def test_ready_to_inherits_the_subject_of_the_copula(nlp):
    (event,) = _by_predicate(nlp, "Portugal is ready to send engineers to Mozambique.", "send")
    assert (event.subject.country, event.object.country) == ("PRT", "MOZ")


def test_target_of_a_threat_is_the_target_of_the_threatened_act(nlp):
    (event,) = _by_predicate(nlp, "Sudan threatened to bomb Ugandan border posts.", "threaten")
    assert (event.subject.country, event.object.country) == ("SDN", "UGA")


def test_demand_that_targets_the_clause_subject(nlp):
    (event,) = _by_predicate(nlp, "Kenya demanded that Somalia release the fishermen.", "demand")
    assert event.object.country == "SOM" and event.event_type == "REQUEST"


def test_target_inside_a_non_actor_object(nlp):
    (event,) = _by_predicate(nlp, "Austria cancelled a state visit to Hungary.", "cancel")
    assert event.object.country == "HUN"
    (event,) = _by_predicate(nlp, "Greece blocked Turkish cargo ships.", "block")
    assert event.object.country == "TUR"


def test_owner_of_the_thing_acted_upon_is_the_target(nlp):
    (event,) = _by_predicate(nlp, "Colombia rejected Venezuela's offer.", "reject")
    assert event.object.country == "VEN" and "offer" in event.theme


def test_reciprocal_talks_pair_coordinated_subjects(nlp):
    pairs = {(e.subject.country, e.object.country) for e in _by_predicate(nlp, "Egypt and Jordan held talks.", "talk")}
    assert pairs == {("EGY", "JOR"), ("JOR", "EGY")}


def test_nationality_group_doing_something_is_an_actor(nlp):
    (event,) = _by_predicate(nlp, "Danish volunteers delivered food to Kenya.", "deliver")
    assert event.subject.type == "Group" and event.subject.country == "DNK"


def test_quantity_of_people_passes_to_the_people(nlp):
    (event,) = _by_predicate(nlp, "Thousands of Moldovans protested against Russia.", "protest")
    assert (event.subject.country, event.object.country) == ("MDA", "RUS")


def _records(nlp, text, published="2023-06-14"):
    """The events of ``text`` as an article published on ``published``."""
    (doc,) = parse_articles([Article("t", text, date=published)], nlp)
    return extract_doc(nlp, doc).events


def test_event_date_from_the_sentence_with_its_precision(nlp):
    (event,) = [e for e in _records(nlp, "Japan sent rescue teams to Turkey on Monday.") if e.predicate == "send"]
    assert (event.date, event.date_precision, event.date_text) == ("2023-06-12", "day", "Monday")
    (event,) = [e for e in _records(nlp, "Iraq attacked Kuwait last August.") if e.predicate == "attack"]
    assert (event.date, event.date_precision) == ("2022-08-01", "month")


def test_event_without_a_date_takes_the_publication_date(nlp):
    (event,) = [e for e in _records(nlp, "Japan sent rescue teams to Turkey.") if e.predicate == "send"]
    assert (event.date, event.date_text) == ("2023-06-14", None)


def test_location_of_the_event(nlp):
    (event,) = [e for e in _records(nlp, "Ukraine and Poland held talks in Warsaw.") if e.object][:1]
    assert (event.location, event.location_country) == ("Warsaw", "POL")


def test_reported_speech_is_attributed_to_the_speaker(nlp):
    (event,) = [e for e in _records(nlp, "Sweden condemned Iran, the foreign minister said.") if e.predicate == "condemn"]
    assert event.attributed_to == "foreign minister"
    (event,) = [e for e in _records(nlp, "Kenyan police arrested two Ugandan smugglers, according to Reuters.") if e.predicate == "arrest"]
    assert event.attributed_to == "Reuters"


def test_confidence_is_the_base_times_the_weight_of_each_weaker_reading(nlp):
    weights = load_rules().confidence.weights
    base = load_rules().confidence.base
    direct = [e for e in _records(nlp, "Germany condemned Hungary.") if e.predicate == "condemn"][0]
    inherited = [e for e in _records(nlp, "Germany tried to condemn Hungary.") if e.predicate == "condemn"][0]
    hypothetical = [e for e in _records(nlp, "Germany might condemn Hungary.") if e.predicate == "condemn"][0]
    no_object = [e for e in _records(nlp, "Germany protested.") if e.predicate == "protest"][0]
    assert direct.confidence == round(base, 2)
    assert inherited.confidence == round(base * weights["inherited subject"], 2)
    assert hypothetical.confidence == round(base * weights["hypothetical"], 2)
    assert no_object.confidence == round(base * weights["no object"], 2)
    assert all(0 < e.confidence < 1 for e in (direct, inherited, hypothetical, no_object))


def test_hedged_statement_is_hypothetical(nlp):
    found = _by_predicate(nlp, "Iran will probably retaliate against Israel.", "retaliate")
    assert found and found[0].modality == "hypothetical"


def test_negated_governor_negates_an_event_noun(nlp):
    found = [e for e in events(nlp, "A Turkish attack on Syria did not happen.") if e.predicate == "attack"]
    assert found and found[0].negated


def test_bare_compound_names_no_subject(nlp):
    assert [e for e in events(nlp, "The Yemen war dragged on.") if e.predicate == "war"] == []


def test_own_nationals_acted_upon_are_a_domestic_group(nlp):
    (event,) = _by_predicate(nlp, "The Kenyan government banned Kenyan opposition rallies.", "ban")
    assert event.object.type == "Group" and event.object.country == "KEN"


def test_foreign_national_modifier_names_the_other_state(nlp):
    (event,) = _by_predicate(nlp, "Azerbaijan shelled Armenian villages.", "shell")
    assert (event.object.type, event.object.country) == ("Country", "ARM")


def test_groups_take_the_country_where_the_event_happens(nlp):
    (event,) = _by_predicate(nlp, "Students protested in Tbilisi.", "protest")
    assert (event.subject.label, event.subject.country) == ("student (Georgia)", "GEO")


def test_group_acted_upon_by_a_state_is_one_of_its_own(nlp):
    (event,) = _by_predicate(nlp, "Serbian police detained protesters.", "detain")
    assert event.object.country == "SRB"


def test_content_of_an_accusation_is_alleged(nlp):
    (event,) = _by_predicate(nlp, "Armenia accused Azerbaijan of shelling Armenian villages.", "shell")
    assert event.modality == "alleged"
    (accuse,) = _by_predicate(nlp, "Armenia accused Azerbaijan of shelling Armenian villages.", "accuse")
    assert accuse.modality == "asserted" and accuse.object.country == "AZE"


def test_infinitive_of_purpose_is_a_goal_not_an_act(nlp):
    (event,) = _by_predicate(nlp, "Farmers blocked roads in Madrid to demand subsidies from Spain.", "demand")
    assert event.modality == "purpose"


def test_capable_of_is_hypothetical(nlp):
    found = _by_predicate(nlp, "Iran has missiles capable of striking Israel.", "strike")
    assert found and found[0].modality == "hypothetical"


def test_compound_event_nouns_come_before_their_head(nlp):
    found = [e for e in events(nlp, "Georgian miners began a hunger strike.") if "strike" in e.predicate]
    assert [(e.predicate, e.event_type) for e in found] == [("hunger strike", "PROTEST")]


def test_stative_passive_subject_is_the_actor(nlp):
    (event,) = _by_predicate(nlp, "Egypt is opposed to Ethiopian plans for the dam.", "oppose")
    assert event.subject.country == "EGY" and event.object.country == "ETH"


def test_target_of_a_complaint_beats_a_countryless_recipient(nlp):
    (event,) = _by_predicate(nlp, "Cyprus complained to the United Nations about Turkish flights.", "complain")
    assert event.object.country == "TUR"


def test_relational_nouns_are_the_other_side(nlp):
    from kg.extraction.actors import resolve_actors

    found = [(m.text, m.actor.country) for m in resolve_actors(nlp("Chile's neighbours protested.")).mentions]
    assert ("neighbours", "CHL") not in found and ("Chile", "CHL") in found


def test_people_of_a_place_belong_to_its_country(nlp):
    from kg.extraction.actors import resolve_actors

    (mention,) = [m for m in resolve_actors(nlp("The Hungarians of Romania protested.")).mentions if m.text == "Hungarians"]
    assert mention.actor.country == "ROU" and mention.actor.type == "Group"


def test_threat_targets_whoever_its_condition_is_about(nlp):
    (event,) = _by_predicate(nlp, "Iran threatened to leave the talks if France imposes new sanctions.", "threaten")
    assert event.object.country == "FRA"


def test_force_without_explicit_target_targets_the_place(nlp):
    (event,) = _by_predicate(nlp, "Somali militants detonated bombs in Mogadishu.", "detonate")
    assert event.object.country == "SOM"


def test_weapons_in_the_theme_are_linked_as_things(nlp):
    (event,) = [e for e in _records(nlp, "Turkey sold Bayraktar TB2 drones to Poland.") if e.predicate == "sell"]
    (thing,) = event.theme_entities
    assert thing.type == "Weapon" and thing.id.endswith("bayraktar-tb2")
    assert event.object.country == "POL"


def test_receiving_reverses_the_direction_of_aid(nlp):
    (event,) = _by_predicate(nlp, "Moldova received two generators from Romania.", "receive")
    assert (event.subject.country, event.object.country, event.event_type) == ("ROU", "MDA", "AID")


def test_naming_is_no_event(nlp):
    assert _by_predicate(nlp, "Hanoi called the report biased.", "call") == []


def test_own_forces_lend_no_national_target(nlp):
    found = _by_predicate(nlp, "Hungary committed the Hungarian army to the mission.", "commit")
    assert all(e.object is None or e.object.type != "Group" for e in found)


def test_lemmatizer_slips_on_regular_verbs_are_mended(nlp):
    (event,) = [e for e in events(nlp, "Kenyan nurses staged protests.") if e.event_type == "PROTEST"]
    assert event.subject.country == "KEN"


def test_it_with_a_personal_adjective_refers_to_the_state(nlp):
    (event,) = _by_predicate(nlp, "Armenia said it is willing to withdraw its troops from Georgia.", "withdraw")
    assert (event.subject.country, event.object.country) == ("ARM", "GEO")


def test_people_sent_somewhere_are_the_theme(nlp):
    found = _by_predicate(nlp, "Portugal sent doctors to Mozambique.", "send")
    assert [(e.object.country, e.theme) for e in found] == [("MOZ", "doctors")]


def test_only_people_nouns_become_national_groups(nlp):
    from kg.extraction.actors import resolve_actors

    texts = [(m.text, m.actor.type) for m in resolve_actors(nlp("Japanese rules forbid exports, and Swiss doctors objected.")).mentions]
    assert ("Swiss doctors", "Group") in texts
    assert not any(text.startswith("Japanese") for text, _ in texts)


def test_a_passive_state_act_without_agent_is_the_states(nlp):
    (event,) = _by_predicate(nlp, "Two Danish sailors were detained in Iran.", "detain")
    assert (event.subject.country, event.object.country) == ("IRN", "DNK")


def test_coerced_foreign_experts_are_not_made_domestic(nlp):
    (event,) = _by_predicate(nlp, "Syria expelled inspectors.", "expel")
    assert event.object is None  # inspectors of no stated country: no actor, not Syrians either


def test_frame_noun_takes_its_modifiers_event(nlp):
    found = [e for e in events(nlp, "Oman launched a mediation effort between Iran and Bahrain.") if e.event_type == "CONSULT"]
    assert found and found[0].subject.country == "OMN"


def test_a_word_after_a_short_line_starts_no_sentence_of_its_own(nlp):
    # The parser alone cuts "Poland | sent tanks ..." after a one-word line; the line's first word stays with its verb.
    doc = nlp("Note\n\nPoland sent tanks to Ukraine on Monday.")
    assert [s.text for s in doc.sents] == ["Note\n\n", "Poland sent tanks to Ukraine on Monday."]
    (event,) = [e for e in doc._.events if e.predicate == "send"]
    assert (event.subject.country, event.object.country) == ("POL", "UKR")


def test_a_phrasal_verb_takes_the_object_of_its_preposition(nlp):
    # "called for sanctions against Nigeria" is "demanded sanctions against Nigeria".
    (event,) = [e for e in events(nlp, "Ghana called for sanctions against Nigeria.") if e.predicate == "call for"]
    assert (event.subject.country, event.event_type, event.object.country, event.theme) == ("GHA", "REQUEST", "NGA", "sanctions")


def test_a_preposition_of_time_makes_no_phrasal_verb(nlp):
    # "called on Sunday" is no "call on".
    predicates = {e.predicate for e in events(nlp, "Ghana on Sunday called for sanctions against Nigeria.")}
    assert "call for" in predicates and "call on" not in predicates


def test_saying_someone_must_act_is_a_demand_of_them(nlp):
    demands = [e for e in events(nlp, "Ghana insisted that Togo should reopen the border.") if e.event_type == "REQUEST"]
    assert [(e.subject.country, e.predicate, e.object.country) for e in demands] == [("GHA", "insist", "TGO")]


def test_saying_what_someone_did_is_no_demand(nlp):
    assert not [e for e in events(nlp, "Ghana said that Togo had reopened the border.") if e.event_type == "REQUEST"]
    assert not [e for e in events(nlp, "Ghana did not say that Togo must reopen the border.") if e.event_type == "REQUEST"]


def test_what_a_statement_does_its_author_does(nlp):
    found = [e for e in events(nlp, "Ghana issued a statement condemning Togo.") if e.predicate == "condemn"]
    assert [(e.subject.country, e.event_type, e.object.country) for e in found] == [("GHA", "ACCUSE", "TGO")]


def test_what_a_person_carries_the_arrester_does_not(nlp):
    # Only statements pass their author on: "arrested a man carrying weapons" is no carrying by the police.
    assert not [e for e in events(nlp, "Ghana arrested a man smuggling weapons from Togo.") if e.predicate == "smuggle" and e.subject and e.subject.country == "GHA"]


def test_speeding_up_or_completing_an_event_is_that_event(nlp):
    found = [(e.subject.country, e.event_type) for e in events(nlp, "Ghana completed the withdrawal of its troops from Togo.") if e.subject]
    assert ("GHA", "RETREAT") in found


def test_who_rules_in_favor_of_an_act_does_it(nlp):
    found = [e for e in events(nlp, "Ghana's Supreme Court ruled in favor of extraditing the smuggler to Togo.") if e.predicate == "extradite"]
    assert [e.subject.country for e in found] == ["GHA"]


def test_of_two_subjects_the_one_next_to_the_verb_acts(nlp):
    # The parser reads "confirmed" as a modifier and gives "arrested" two subjects: the spokesman is none.
    found = [e for e in events(nlp, "Juan Ortiz, spokesman for Ghana's police, confirmed authorities had arrested eight men.") if e.predicate == "arrest"]
    assert [e.subject.label for e in found if e.subject] == ["Ghana"]


def test_a_subject_set_off_by_commas_is_the_first_ones_apposition(nlp):
    text = "Members of the Ghana Bar Association, a body linked to the government, investigated the detention of Togolese traders."
    found = [e for e in events(nlp, text) if e.predicate == "investigate"]
    assert [(e.subject.country, e.object.country) for e in found] == [("GHA", "TGO")]


def test_coordinated_verbs_share_the_object_of_the_second(nlp):
    found = {(e.predicate, e.object.country if e.object else None) for e in events(nlp, "The Ghanaian army killed and captured dozens of Togolese rebels.")}
    assert found == {("kill", "TGO"), ("capture", "TGO")}


def test_an_intransitive_verb_shares_no_object(nlp):
    found = [e.predicate for e in events(nlp, "Ghanaian police arrived and arrested the Togolese ambassador.")]
    assert found == ["arrest"]


def test_a_threat_targets_where_the_threatened_act_would_happen(nlp):
    found = [e for e in events(nlp, "The Hamas threatened to resume attacks in Israel.") if e.predicate == "threaten"]
    assert [(e.subject.country, e.object.country) for e in found] == [("PSE", "ISR")]


def test_forces_readied_for_a_fight_target_whom_it_is_against(nlp):
    found = [(e.subject.country, e.object.country if e.object else None) for e in events(nlp, "Ghana mobilized reservists for a possible war against Togo.")]
    assert found == [("GHA", "TGO")]


def test_strengthening_forces_is_a_mobilization_where_they_are(nlp):
    # "in Togo" hangs on the forces, not on the verb: where the forces are is where it happens.
    found = [(e.subject.country, e.event_type, e.object.country if e.object else None) for e in events(nlp, "Ghana has strengthened its forces in Togo following the discovery of rockets.")]
    assert found == [("GHA", "MOBILIZE", "TGO")]
    assert not [e for e in events(nlp, "Ghana strengthened its ties with Togo.") if e.event_type == "MOBILIZE"]


def test_who_is_under_an_event_undergoes_it(nlp):
    fire = [(e.subject.country, e.event_type, e.object.label) for e in events(nlp, "Ghanaian troops came under fire from Togolese rebels.")]
    assert fire == [("TGO", "ASSAULT", "Ghanaian armed forces")]
    arrest = [(e.subject.country, e.event_type, e.object.label) for e in events(nlp, "The Togolese opposition leader Kofi Mensah was placed under house arrest in Accra.")]
    assert arrest == [("GHA", "COERCE", "Kofi Mensah")]


def test_under_a_suspicion_no_one_named_holds_is_no_event(nlp):
    assert events(nlp, "Three Ghanaian ministers have been placed under investigation for fraud.") == []
    assert events(nlp, "Many Ghanaian police felt under threat.") == []


def test_legal_acts_someone_faces_are_the_act_of_the_state_where(nlp):
    found = [(e.subject.country, e.event_type, e.object.label) for e in events(nlp, "Kofi Mensah, a Togolese smuggler, faces a number of charges in Ghana.") if e.subject]
    assert found == [("GHA", "ACCUSE", "Kofi Mensah")]


def test_the_home_state_acts_on_no_generic_patient(nlp):
    text = "Ghanaian police arrested Kofi Mensah in Accra. Ghana's army deployed troops in Accra. The two smugglers were in charge of 400 men."
    assert not [e for e in events(nlp, text) if e.predicate == "charge"]


def test_the_home_state_of_an_agentless_act_is_named_at_its_verb(nlp):
    # The state is named nowhere in the sentence: its mention is its name at the verb, not the patient's words.
    text = "Ghana's army deployed troops in Accra. Ghanaian police raided a port. Kofi Mensah was later arrested."
    doc = nlp(text)
    (arrest,) = [e for e in doc._.events if e.predicate == "arrest"]
    assert (arrest.subject.country, arrest.subject.text, arrest.object.label) == ("GHA", "Ghana", "Kofi Mensah")
    assert text[arrest.subject.span[0] : arrest.subject.span[1]] == "arrested"


def test_a_where_clause_locates_its_event_at_the_place_it_describes(nlp):
    text = "Ghana extradited the smuggler Kofi Mensah to Togo, where he will face charges of fraud."
    found = [(e.subject.country, e.object.label, e.location) for e in events(nlp, text) if e.predicate == "charge"]
    assert found == [("TGO", "Kofi Mensah", "Togo")]


def test_a_place_phrase_inside_a_place_phrase_locates_the_event(nlp):
    found = [(e.subject.country, e.object.country if e.object else None, e.location) for e in events(nlp, "Togolese forces killed three ethnic Ghanaians in a gunbattle in northern Togo on Friday.")]
    assert found == [("TGO", "TGO", "Togo")]


def test_a_protest_targets_whom_its_purpose_is_about(nlp):
    text = "Demonstrators in Accra blocked a road to show their disapproval of Togo's border policies."
    found = [(e.subject.country, e.object.country) for e in events(nlp, text) if e.event_type == "PROTEST"]
    assert found == [("GHA", "TGO")]  # not the demonstrators themselves ("their disapproval")


def test_a_presence_increased_is_no_mobilization(nlp):
    assert not [e for e in events(nlp, "Ghanaian smugglers are increasing their presence in Togo.") if e.event_type == "MOBILIZE"]


def test_a_demand_of_people_not_named_targets_no_one_else(nlp):
    found = [(e.subject.country, e.object) for e in events(nlp, "Ghana demanded that its partners refuse to recognize Togo.") if e.predicate == "demand"]
    assert found == [("GHA", None)]
    found = [(e.subject.country, e.object.country) for e in events(nlp, "Ghana demanded that Togo release the prisoners.") if e.predicate == "demand"]
    assert found == [("GHA", "TGO")]


def test_who_goes_or_stays_on_an_event_noun_does_it(nlp):
    # "on strike" is a work stoppage, not a military strike; a national group's strike targets its own state.
    strike = [(e.subject.country, e.event_type, e.object.country) for e in events(nlp, "Chilean copper miners went on strike on Monday.")]
    assert strike == [("CHL", "PROTEST", "CHL")]
    alert = [(e.subject.country, e.event_type) for e in events(nlp, "Egyptian troops remained on alert along the border.")]
    assert alert == [("EGY", "MOBILIZE")]
    # Another verb with "on" is no such event: relying on a strike is not striking.
    assert [e.event_type for e in events(nlp, "Chilean miners relied on a strike fund.")] == []


def test_tightening_or_escalating_an_event_is_that_event(nlp):
    found = [(e.subject.label, e.event_type, e.object.country) for e in events(nlp, "The EU tightened sanctions on Belarus.")]
    assert found == [("European Union", "SANCTION", "BLR")]
    assert [(e.event_type, e.object.country) for e in events(nlp, "Ghana escalated its attacks on Togolese towns.")] == [("ASSAULT", "TGO")]


def test_who_helps_is_no_target(nlp):
    # "with Togo's help" names a helper: the blockade is of Benin only.
    found = [(e.event_type, e.object.country) for e in events(nlp, "Ghana tightened its blockade of Benin with Togo's help.") if e.predicate == "blockade"]
    assert found == [("COERCE", "BEN")]
    assert [e.object for e in events(nlp, "Kenya attacked Somalia with American support.") if e.predicate == "attack"][0].country == "SOM"


def test_a_state_that_arrests_its_opponents_coerces_its_own_people(nlp):
    found = [(e.subject.country, e.event_type, e.object.country) for e in events(nlp, "The Togolese army arrested political opponents in the night.")]
    assert found == [("TGO", "COERCE", "TGO")]


def test_servicemen_are_armed_forces(nlp):
    found = [(e.event_type, e.object.type, e.object.country) for e in events(nlp, "Two French servicemen were killed in an ambush.")]
    assert found == [("ASSAULT", "ArmedForce", "FRA")]


def test_cancelling_restrictions_eases_them(nlp):
    assert [(e.event_type, e.object.country) for e in events(nlp, "Ghana suspended sanctions on Togo.")] == [("CONCEDE", "TGO")]
    assert [e.event_type for e in events(nlp, "Ghana cancelled the visit to Togo.")] == ["SANCTION"]


def test_a_language_is_no_state(nlp):
    # The restrictions are on a language, not on Russia.
    found = [(e.subject.country, e.event_type, e.object) for e in events(nlp, "The Estonian court cancelled restrictions on the Russian language.")]
    assert found == [("EST", "CONCEDE", None)]


def test_who_is_defied_or_retaliated_against_is_the_target(nlp):
    found = [(e.event_type, e.object.country) for e in events(nlp, "Thousands of Kenyan students marched in Nairobi in defiance of Ugandan authorities.")]
    assert found == [("PROTEST", "UGA")]
    expelled = [e.object.country for e in events(nlp, "Ghana expelled six diplomats in retaliation for Togo's decision.") if e.predicate == "expel"]
    assert expelled == ["TGO"]
    # The place or the patient of the act protested is not whom the protest is against.
    raid = [e.object for e in events(nlp, "Kenyan students marched in protest of a raid on Mombasa.") if e.predicate == "march"]
    assert [o.country for o in raid] == ["KEN"]


def test_protesting_that_someone_failed_is_an_accusation(nlp):
    found = [(e.event_type, e.object.country) for e in events(nlp, "Amnesty International protested that Kenyan authorities had failed to protect refugees.") if e.predicate == "protest"]
    assert found == [("ACCUSE", "KEN")]


def test_an_event_noun_with_no_target_targets_the_state_where_it_happens(nlp):
    alert = [(e.subject.country, e.event_type, e.object.country) for e in events(nlp, "Egyptian troops remained on alert in Gaza.")]
    assert alert == [("EGY", "MOBILIZE", "PSE")]
    drills = [(e.event_type, e.object.country) for e in events(nlp, "The Russian military exercises in Belarus began on Monday.")]
    assert drills == [("MOBILIZE", "BLR")]


def test_an_investigation_of_what_someone_did_targets_them(nlp):
    found = [(e.event_type, e.object.country) for e in events(nlp, "Kenyan police launched an investigation into killings committed by Ugandan soldiers.") if e.predicate == "investigation"]
    assert found == [("ACCUSE", "UGA")]
    # Committing crimes is no agreement: 'commit' is an event only with an actor to commit.
    assert [e.predicate for e in events(nlp, "Ugandan soldiers committed crimes in Kenya.")] == []


def test_a_light_verbs_noun_takes_whom_it_defies(nlp):
    found = [(e.event_type, e.object.country) for e in events(nlp, "Kenyan students staged a protest in defiance of Ugandan authorities.")]
    assert found == [("PROTEST", "UGA")]


def test_an_organisation_in_a_state_that_the_state_bans_is_its_own(nlp):
    found = [(e.event_type, e.object.country) for e in events(nlp, "The Kenyan government banned the largest separatist organisation in Mombasa.")]
    assert found == [("COERCE", "KEN")]


def test_where_an_event_happened_may_lie_two_phrases_down(nlp):
    found = [(e.event_type, e.location, e.object.country) for e in events(nlp, "A Kenyan journalist was killed in an explosion in a district of Kampala.")]
    assert found == [("ASSAULT", "Kampala", "KEN")]


def test_what_a_demand_insisted_on_asks_of_someone_targets_them(nlp):
    found = [(e.event_type, e.object.country) for e in events(nlp, "Kenyan rebels insisted on their demand that Uganda withdraw its troops.") if e.predicate == "insist"]
    assert found == [("REQUEST", "UGA")]
    # What is demanded has not happened.
    withdrawal = [e.modality for e in events(nlp, "Kenyan rebels insisted on their demand that Uganda withdraw its troops.") if e.predicate == "withdraw"]
    assert withdrawal == ["hypothetical"]


def test_ending_or_suspending_an_event_states_less_of_it(nlp):
    def typed(text):
        return [(e.predicate, e.event_type) for e in events(nlp, text)]

    assert typed("Ghana froze talks with Togo.") == [("freeze talk", "SANCTION")]
    assert typed("Ghana halted its offensive against Togo.") == [("halt offensive", "RETREAT")]
    assert [(e.event_type, e.object.country) for e in events(nlp, "Ghana suspended its cooperation with Togo.")] == [("SANCTION", "TGO")]
    # Suspending what no type reverses is left out, not coded as the event itself.
    assert typed("Ghana suspended the ceasefire with Togo.") == []
    # "End" also closes what went on: ending a visit is no sanction.
    assert typed("Ghana's president ended his visit to Togo.") == [("visit", "CONSULT")]


def test_letting_others_act_is_a_concession(nlp):
    found = [(e.subject.country, e.event_type, e.object.country) for e in events(nlp, "Ghana allowed Togolese traders to cross the border.") if e.predicate == "allow"]
    assert found == [("GHA", "CONCEDE", "TGO")]
    # Letting one's own forces act is no event of its own.
    assert [e for e in events(nlp, "The Ghanaian government allowed the army to patrol the border.") if e.predicate == "allow"] == []


def test_what_a_source_phrase_says_is_no_event(nlp):
    found = events(nlp, "Russia shelled Kharkiv, according to a report by observers sent to Ukraine by the OSCE.")
    assert [(e.subject.country, e.predicate, e.object.country) for e in found] == [("RUS", "shell", "UKR")]
    assert found[0].attributed_to.startswith("observer")
    assert not events(nlp, "Hundreds fled the city, according to a press release by the Red Cross.")


def test_asylum_is_asked_of_the_state_where_it_is_sought(nlp):
    found = events(nlp, "Iraqi Kurds sought refuge in Germany. Syrian refugees sought asylum at the Swedish embassy in Beirut.")
    assert [(e.subject.country, e.event_type, e.object.country) for e in found] == [("IRQ", "REQUEST", "DEU"), ("SYR", "REQUEST", "SWE")]


def test_arriving_in_a_state_visits_it_and_forces_arriving_deploy(nlp):
    found = events(nlp, "The Chilean president arrived in Lima for talks. Two Russian warships arrived in Cuba.")
    assert [(e.subject.country, e.event_type, e.object.country) for e in found] == [("CHL", "CONSULT", "PER"), ("RUS", "MOBILIZE", "CUB")]
    # Refugees, tourists and people coming home visit no one.
    assert not events(nlp, "Syrian refugees arrived in Germany. Chinese tourists arrived in Thailand. The Chilean president arrived in Santiago.")
    assert not events(nlp, "The hurricane arrived in Cuba on Monday.")


def test_who_takes_part_along_with_an_actor_takes_its_part(nlp):
    found = triples(nlp, "Peru, together with Chile, condemned Bolivia. Maria Rojas was arrested in Ecuador along with her brother, Pedro Rojas.")
    assert [(s, p, o) for s, p, o, _ in found] == [
        ("PER", "condemn", "BOL"), ("CHL", "condemn", "BOL"), ("ECU", "arrest", "Maria Rojas"), ("ECU", "arrest", "Pedro Rojas")
    ]
    # After a direct object "along with" may add a patient as well as an agent: no one is added.
    assert all(s == "PER" for s, _, _, _ in triples(nlp, "Peruvian police arrested Ana Vela along with Maria Rojas."))
    # "with" alone is no companion: the drones are what is used.
    assert [(s, o) for s, _, o, _ in triples(nlp, "Russia attacked Ukraine with Iranian drones.")] == [("RUS", "UKR")]


def test_establishing_or_restoring_relations_is_diplomatic_support(nlp):
    found = events(nlp, "Chile established diplomatic relations with Bhutan. Peru restored its ties with Ecuador.")
    assert [(e.subject.country, e.predicate, e.event_type, e.object.country) for e in found] == [
        ("CHL", "establish", "SUPPORT", "BTN"), ("PER", "restore", "SUPPORT", "ECU")
    ]
    assert not events(nlp, "Spain established a new school.")


def test_returning_with_nothing_returned_is_going_back(nlp):
    assert not events(nlp, "Two former members of the cartel returned to Peru to reclaim their land.")
    found = triples(nlp, "Chile returned two prisoners to Peru.")
    assert [(s, p, o) for s, p, o, _ in found] == [("CHL", "return", "PER")]
