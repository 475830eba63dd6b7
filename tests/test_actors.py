"""Actor resolution rules, each with a sentence of our own."""
from __future__ import annotations

from spacy.tokens import Span

from kg.extraction.actors import entity_span, resolve_actors


def mentions(nlp, text):
    return [(m.text, m.actor.label, m.actor.type, m.actor.country) for m in resolve_actors(nlp(text)).mentions]


def actor_for(nlp, text, mention_text):
    found = [m.actor for m in resolve_actors(nlp(text)).mentions if m.text == mention_text]
    assert found, mentions(nlp, text)
    return found[0]


def test_country_names_and_alternative_names(nlp):
    assert actor_for(nlp, "The U.S. and Britain met.", "U.S.").country == "USA"
    assert actor_for(nlp, "The U.S. and Britain met.", "Britain").country == "GBR"


def test_capitals_and_seats_of_power_stand_for_their_state(nlp):
    # metonymy: the capital or the seat of power acts for the state
    assert actor_for(nlp, "Beijing warned Manila.", "Beijing").label == "China"
    assert actor_for(nlp, "Beijing warned Manila.", "Manila").country == "PHL"
    actor = actor_for(nlp, "The Kremlin denied the report.", "Kremlin")
    assert (actor.type, actor.country) == ("Country", "RUS")


def test_known_leader_with_role_and_country(nlp):
    actor = actor_for(nlp, "Turkish President Recep Tayyip Erdogan spoke.", "Turkish President Recep Tayyip Erdogan")
    assert (actor.type, actor.country, actor.role) == ("Person", "TUR", "President")
    assert actor.label.startswith("Recep Tayyip Erdo")


def test_unknown_person_takes_country_and_role_from_the_title(nlp):
    actor = actor_for(nlp, "Ruritanian officials met Estonian Foreign Minister Kaja Tamm.", "Estonian Foreign Minister Kaja Tamm")
    assert (actor.type, actor.country) == ("Person", "EST")
    assert actor.role and "Minister" in actor.role


def test_short_form_resolves_to_the_person_already_introduced(nlp):
    index = resolve_actors(nlp("Estonian Prime Minister Kaja Tamm visited Riga. Tamm said the talks went well."))
    people = {m.actor.iri for m in index.mentions if m.actor.type == "Person"}
    assert len(people) == 1
    assert [m.text for m in index.mentions if m.actor.type == "Person"][-1] == "Tamm"


def test_personal_pronoun_resolves_to_the_salient_person(nlp):
    index = resolve_actors(nlp("Latvian President Edgars Rinkevics met Olaf Scholz. He said his country needed more air defense."))
    he = [m for m in index.mentions if m.text == "He"][0]
    assert he.actor.label == "Edgars Rinkevics"


def test_collective_pronoun_resolves_to_the_salient_state(nlp):
    index = resolve_actors(nlp("Morocco said that it would open an embassy."))
    it = [m for m in index.mentions if m.text == "it"][0]
    assert it.actor.country == "MAR"


def test_expletive_it_is_not_an_actor(nlp):
    index = resolve_actors(nlp("Morocco protested. It is unclear what happens next."))
    assert [m.text for m in index.mentions] == ["Morocco"]


def test_armed_forces_of_a_state_are_one_node(nlp):
    index = resolve_actors(nlp("Russian troops advanced. The Russian military denied it. Russia's army retreated."))
    forces = {m.actor.iri for m in index.mentions if m.actor.type == "ArmedForce"}
    assert len(forces) == 1
    assert {m.actor.country for m in index.mentions if m.actor.type == "ArmedForce"} == {"RUS"}


def test_government_phrase_stands_for_the_state(nlp):
    index = resolve_actors(nlp("The government of Peru resigned."))
    assert any(m.actor.country == "PER" and m.actor.type == "Country" for m in index.mentions)


def test_groups_with_and_without_country(nlp):
    index = resolve_actors(nlp("Georgian protesters blocked the road while students marched."))
    groups = {(m.actor.label, m.actor.country) for m in index.mentions if m.actor.type == "Group"}
    assert ("protester (Georgia)", "GEO") in groups
    assert ("student", None) in groups


def test_organisations_with_and_without_country(nlp):
    assert actor_for(nlp, "NATO met in Brussels.", "NATO").country is None
    assert actor_for(nlp, "Hezbollah fired rockets.", "Hezbollah").country == "LBN"


def test_weapons_are_never_actors(nlp):
    texts = [m.text for m in resolve_actors(nlp("Poland bought HIMARS launchers and Patriot batteries.")).mentions]
    assert texts == ["Poland"]


def test_boilerplate_never_becomes_an_entity(nlp):
    from kg.extraction.clean import clean_text

    cleaned = clean_text("Subscribe Now Choose a package.\nAlready a Subscriber? Sign in.\nChile protested.\n")
    assert [m.text for m in resolve_actors(nlp(cleaned.text)).mentions] == ["Chile"]


def test_same_person_has_one_iri_across_articles(nlp):
    first = actor_for(nlp, "Belarusian President Alexander Lukashenko spoke.", "Belarusian President Alexander Lukashenko")
    second = actor_for(nlp, "Lukashenko spoke in Minsk.", "Lukashenko")
    assert first.iri == second.iri and second.country == "BLR"


def test_a_surname_alone_is_a_known_person_only_when_the_text_points_to_them(nlp):
    """Named before in full, with a title, or with their state named; never with other first names."""
    assert actor_for(nlp, "President Lukashenko spoke.", "President Lukashenko").label == "Alexander Lukashenko"
    assert actor_for(nlp, "Chavez said the cartel was weakened.", "Chavez").label == "Chavez"
    arturo = actor_for(nlp, "Mexico's attorney general Arturo Chavez resigned. Chavez said he was tired.", "Chavez")
    assert (arturo.label, arturo.country) == ("Arturo Chavez", "MEX")


def test_a_full_name_never_joins_another_person_of_the_same_surname(nlp):
    # Once two people of one surname are named, the surname alone is neither: news uses it for
    # the better known as often as for the last named.
    index = resolve_actors(nlp("Lionel Messi scored. Jorge Messi is accused of fraud. Messi denied it."))
    assert [(m.text, m.actor.label) for m in index.mentions] == [("Lionel Messi", "Lionel Messi"), ("Jorge Messi", "Jorge Messi")]
    # The NER may leave the first name out ("Messi" of "Lionel Messi"): it still tells them apart.
    index = resolve_actors(nlp("Jorge Messi was charged. Lionel Messi was questioned."))
    assert [m.actor.label for m in index.mentions] == ["Jorge Messi", "Lionel Messi"]
    # One person's surname alone is still that person, and a title is no first name.
    index = resolve_actors(nlp("General Ana Rojas was arrested. Rojas denied it."))
    assert [m.actor.label for m in index.mentions] == ["Ana Rojas", "Ana Rojas"]


def test_apposition_gives_a_person_country_and_the_surname_is_remembered(nlp):
    index = resolve_actors(nlp("Mr. Dorn met his Slovak counterpart, Juraj Vlk. Vlk thanked Austria."))
    people = [(m.text, m.actor.label, m.actor.country) for m in index.mentions if m.actor.label == "Juraj Vlk"]
    assert ("Vlk", "Juraj Vlk", "SVK") in people and len(people) == 2


def test_official_named_by_title_alone_belongs_to_the_only_state_named(nlp):
    index = resolve_actors(nlp("President Tomas Varga opened a bridge in Slovakia."))
    (varga,) = [m.actor for m in index.mentions if m.actor.type == "Person"]
    assert varga.country == "SVK"
    index = resolve_actors(nlp("President Tomas Varga met envoys from Poland and Hungary."))
    (varga,) = [m.actor for m in index.mentions if m.actor.type == "Person"]
    assert varga.country is None


def test_known_international_officials_take_no_country_from_the_text(nlp):
    index = resolve_actors(nlp("UN Secretary-General Antonio Guterres visited Chad."))
    people = [m.actor for m in index.mentions if m.actor.type == "Person"]
    assert people and all(p.country is None for p in people)


def test_entity_span_is_the_entity_of_doc_ents_or_the_token_alone(nlp):
    doc = nlp("Russian President Vladimir Putin met Belarusian troops in Minsk on Monday, the Kremlin said.")
    doc.ents = [*doc.ents[:1], Span(doc, doc.ents[1].start, doc.ents[1].end, label="ORG", kb_id="k", span_id="s"), *doc.ents[2:]]
    for token in doc:
        expected = next((ent for ent in doc.ents if ent.start <= token.i < ent.end), doc[token.i : token.i + 1])
        found = entity_span(token)
        assert (found, found.label_, found.kb_id_, found.id_) == (expected, expected.label_, expected.kb_id_, expected.id_)


def test_a_judge_named_by_title_is_an_official_of_the_state_the_text_names(nlp):
    text = "Judge Kofi Mensah opened fraud investigations against 28 Ghanaian government officials."
    actor = actor_for(nlp, text, "Judge Kofi Mensah")
    assert (actor.type, actor.country) == ("Person", "GHA")


def test_a_person_the_ner_cut_out_of_a_cartels_name_is_the_cartel(nlp):
    # The NER reads "Norte" alone as a person; the name runs on to its head, "Cartel".
    found = mentions(nlp, "Former members of the Norte del Valle Cartel returned to Colombia last year.")
    assert ("Norte del Valle Cartel", "Norte del Valle Cartel", "Organization", None) in found
    assert not any(kind == "Person" for _, _, kind, _ in found)


def test_where_refugees_or_settlers_are_does_not_give_their_country(nlp):
    # Refugees in Lebanon are not Lebanese, settlers in Hebron not Palestinian; "Syrian" and "from Eritrea" say.
    assert actor_for(nlp, "Refugees in Lebanon protested against the government.", "Refugees").country is None
    assert actor_for(nlp, "Jewish settlers in Hebron set fire to an office.", "Jewish settlers").country is None
    assert actor_for(nlp, "Syrian refugees in Lebanon protested.", "Syrian refugees").country == "SYR"
    assert actor_for(nlp, "Migrants from Eritrea protested in Tel Aviv.", "Migrants").country == "ERI"
    # What they flee says where they come from; how they flee does not.
    assert actor_for(nlp, "Turkey sent tents to refugees fleeing the fighting in Syria.", "refugees").country == "SYR"
    assert actor_for(nlp, "Italy rescued migrants fleeing from Libya.", "migrants").country == "LBY"
    assert actor_for(nlp, "Italy rescued migrants fleeing in boats.", "migrants").country is None
    # Protesters are placed where they are, as before.
    assert actor_for(nlp, "Protesters in Caracas attacked the police.", "Protesters").country == "VEN"


def test_attacks_that_do_something_stand_for_their_attacker(nlp):
    # A national modifier two compounds away still names the state; a named organisation's attacks are it.
    drones = actor_for(nlp, "Recent Turkish drone attacks killed four commanders.", "Recent Turkish drone attacks")
    assert (drones.type, drones.country) == ("ArmedForce", "TUR")
    assert actor_for(nlp, "A Hezbollah rocket strike killed two soldiers.", "A Hezbollah rocket strike").label == "Hezbollah"
    # An attack that names its own target is the event, not its agent; an attack acted upon is no actor.
    assert mentions(nlp, "The Syrian attack on Aleppo killed five people.") == [("Aleppo", "Syria", "Country", "SYR")]
    assert [m.text for m in resolve_actors(nlp("Chile condemned the Peruvian raids.")).mentions] == ["Chile"]


def test_coordinated_national_modifiers_name_one_actor_each(nlp):
    from kg.extraction.frame import actors_of

    doc = nlp("Danish and Swedish troops entered the town.")
    index = resolve_actors(doc)
    troops = next(t for t in doc if t.text == "troops")
    assert [(m.actor.type, m.actor.country) for m in actors_of(troops, index)] == [("ArmedForce", "DNK"), ("ArmedForce", "SWE")]
    doc = nlp("The Dutch and Belgian governments protested.")
    index = resolve_actors(doc)
    governments = next(t for t in doc if t.text == "governments")
    assert [m.actor.country for m in actors_of(governments, index)] == ["NLD", "BEL"]


def test_coordinated_places_that_give_a_group_its_state_name_one_group_each(nlp):
    from kg.extraction.frame import actors_of

    doc = nlp("Clubs in Peru and Ecuador were raided by the police.")
    clubs = next(t for t in doc if t.text == "Clubs")
    assert [m.actor.country for m in actors_of(clubs, resolve_actors(doc))] == ["PER", "ECU"]
    # Where a state's own forces are is no state of theirs.
    doc = nlp("Russian troops in Russia and Belarus held drills.")
    troops = next(t for t in doc if t.text == "troops")
    assert [m.actor.country for m in actors_of(troops, resolve_actors(doc))] == ["RUS"]


def test_a_city_several_states_have_is_in_the_state_the_text_names(nlp):
    # Tripoli is Libya's capital, and a Lebanese port: the text says which.
    assert actor_for(nlp, "Clashes broke out in Tripoli, the second city of Lebanon.", "Tripoli").country == "LBN"
    assert actor_for(nlp, "Clashes broke out in Tripoli.", "Tripoli").country == "LBY"
    # A much smaller namesake is not meant: London, Ontario is a twentieth of London.
    assert actor_for(nlp, "Canadian ministers flew to London.", "London").country == "GBR"


def test_a_stance_towards_a_state_is_no_nationality(nlp):
    # Pro-Serbian rebels in Bosnia are not Serbia's; anti-Turkish protesters in Athens are Greek.
    rebels = actor_for(nlp, "Pro-Serbian rebels attacked a Bosnian town.", "Pro-Serbian rebels")
    assert rebels.country != "SRB"
    assert actor_for(nlp, "Anti-Turkish protesters marched.", "Anti-Turkish protesters").country is None
    assert [e.subject.country for e in nlp("Anti-Turkish protesters marched in Athens.")._.events] == ["GRC"]


def test_a_states_backing_or_make_is_no_nationality(nlp):
    # Iran-backed militias in Iraq are not Iran's; Russian-made tanks are whoever's they are.
    militias = actor_for(nlp, "Iran-backed militias attacked the base.", "Iran-backed militias")
    assert militias.country is None
    assert not [m for m in resolve_actors(nlp("Russian-made tanks crossed the river.")).mentions if m.actor.country == "RUS"]


def test_a_people_with_a_national_modifier_is_of_that_state(nlp):
    # Kurds, Christians, Shiites are no state; "Iraqi Kurds" and "Shiites in Iraq" are Iraq's.
    assert actor_for(nlp, "Iraqi Kurds protested in Germany.", "Kurds").country == "IRQ"
    assert actor_for(nlp, "Shiites in Lebanon protested.", "Shiites").country == "LBN"
    assert [m.text for m in resolve_actors(nlp("Kurds protested in Germany.")).mentions] == ["Germany"]


def test_a_people_in_the_plural_and_singular_is_one_group(nlp):
    many = actor_for(nlp, "Bosnian Serbs attacked the town.", "Serbs")
    one = actor_for(nlp, "A Bosnian Serb attacked the town.", "Serb")
    assert many.iri == one.iri and many.label == "serb (Bosnia and Herzegovina)"
