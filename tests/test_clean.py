"""Page furniture set aside before parsing: wire datelines, bylines, captions and
credits, titles glued to the first sentence; and the map from the cleaned text
back to the article's own characters. Every sentence here is our own writing."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.extraction.clean import TITLE_SPAN, CleanText, clean_text, is_boilerplate, title_end
from kg.ingest.metadata import match_dateline


def assert_maps_back(text: str, cleaned: CleanText) -> None:
    """Every kept character maps to the same character of ``text``; an inserted one
    to the position between the two characters it separates."""
    previous = -1
    for offset, char in enumerate(cleaned.text):
        original = cleaned.to_original(offset)
        if offset in cleaned.inserted:
            assert char == "\n" and 0 < original < len(text), (offset, original)
        else:
            assert text[original] == char, (offset, char, original, text[original])
        assert original >= previous  # in order
        previous = original


# --- Datelines -----------------------------------------------------------------------------------

DATELINES = [
    ("ASTANA, Kazakhstan — ", "Kazakhstan hosted the talks on Monday."),
    ("MINSK, Belarus (AP) — ", "Belarus closed two border crossings."),
    ("BOGOTA -- ", "Colombian police arrested a smuggler."),
    ("WASHINGTON (Reuters) - ", "The United States imposed new sanctions on Venezuela."),
    ("LIMA, Peru, March 3, 2024 (KGW) – ", "Peru expelled an envoy."),
    ("BEIJING, Jan. 5 (Xinhua) -- ", "China protested to Japan."),
    ("LONDON, 11 March 2024 (Reuters) - ", "Britain summoned the ambassador."),
    ("RIO DE JANEIRO — ", "Brazilian police raided a favela."),
    ("BOGOTÁ, Colombia — ", "The army bombed a rebel camp."),
    ("PORT-AU-PRINCE, Haiti — ", "Gangs attacked a police station."),
    ("THE HAGUE, Netherlands, Sept. 5 — ", "The court ruled against Serbia."),
    ("ST. LOUIS — ", "Federal agents seized a shipment."),
    ("WASHINGTON (AP) _ ", "The Senate voted on the aid bill."),
    ("Bogota (AFP) - ", "Colombian troops killed a rebel commander."),
    ("SAN SALVADOR--", "Salvadoran soldiers detained gang members."),
]


@pytest.mark.parametrize(("dateline", "sentence"), DATELINES)
def test_datelines_are_cut_in_every_wire_style(dateline, sentence):
    text = f"A headline\n\n{dateline}{sentence}\nA second paragraph follows.\n"
    cleaned = clean_text(text)
    assert cleaned.text == f"A headline\n\n{sentence}\nA second paragraph follows.\n"
    assert_maps_back(text, cleaned)


@pytest.mark.parametrize(
    "line",
    [
        "BOGOTA police arrested a smuggler on Monday.",  # no dash
        "NATO - the alliance - agreed to send more troops.",  # lower case after the dash
        "NATO — The alliance agreed to send more troops.",  # an actor, not a place
        "FARC-EP — The guerrillas released two hostages.",
        "US ARMY — The soldiers left the base.",
        "CJNG — The cartel attacked a convoy.",
        "UN - The organisation sent observers.",
        "Russia - the largest supplier - sent more tanks.",  # title case, no agency
        "The Institutional Revolutionary Party (PRI) — The party won the vote.",  # PRI is no news agency
        "RUSSIA INVADES UKRAINE — LIVE UPDATES",  # no sentence after the dash
        "Police in LIMA - the capital - arrested four men.",  # not at the start of the paragraph
        "Colombia-Venezuela border - Troops gathered on Monday.",
        "COVID-19 - The pandemic hit the economy.",
    ],
)
def test_sentences_that_look_like_datelines_are_kept(line):
    assert match_dateline(line) is None
    assert clean_text(f"Some text.\n{line}\n").text == f"Some text.\n{line}\n"


def test_a_dateline_only_at_the_start_of_a_paragraph():
    text = "Gangs attacked a town. BOGOTA -- Police arrested a smuggler."
    assert clean_text(text).text == text


# --- Bylines, captions, credits, links ------------------------------------------------------------

FURNITURE = [
    "By Jane Doe and John Roe",
    "By Jane Doe, John Roe, and Ana Poe",
    "BY JANE DOE, Associated Press",
    "By Jane Doe, Reuters, March 3, 2024",
    "By Jane Doe | Published March 3, 2024 10:30 AM EST",
    "By The Associated Press",
    "Jane Doe | Reuters",
    "Jane Doe and John Roe - InSight Crime",
    "Reporting by Jane Doe in Bogota; Editing by John Roe",
    "Additional reporting by Ana Poe",
    "Reuters staff",
    "Staff and agencies",
    "Photo: Police patrol a market in Lima.",
    "(Photo: AP)",
    "(AP Photo/Jane Doe)",
    "Caption: Soldiers guard the border crossing.",
    "Image credit Reuters",
    "Image credit: Reuters/Jane Doe",
    "Photo credit: AFP",
    "Photos by Jane Doe",
    "AP Photo/Jane Doe",
    "Getty Images",
    "AFP via Getty Images",
    "Soldiers patrol a street in Tegucigalpa. (Photo: Reuters)",
    "Police officers stand guard in Lima. (AP Photo/Jane Doe)",
    "Read more: Colombia's peace talks stall",
    "Related: Mexico arrests a cartel leader",
    "Related articles",
    "See also: the guerrillas' finances",
    "Watch: soldiers raid a cocaine lab",
    "Follow us on Twitter",
    "Updated: March 3, 2024",
    "This article was originally published by a partner newspaper.",
]

SENTENCES = [
    "By Tuesday, Russia had withdrawn its troops from the border.",
    "By 2030, Colombia will have halved coca cultivation, the minister said.",
    "By opening fake offices, the group swindled dozens of contractors.",
    "By Jane Doe's account, the police arrested four men.",
    "Related talks resumed in Geneva on Monday.",
    "Photo evidence showed the soldiers firing on the crowd.",
    "Images show Russian troops massing near the border.",
    "Pictures of the massacre circulated online, prompting protests.",
    "Source countries agreed to share intelligence.",
    "Watch groups said the vote was fair.",
    "Reporting on the war is dangerous, Reuters said.",
    "Editing the law took two years, Congress said.",
    "Staff at the embassy were evacuated on Friday.",
    "The Associated Press reported that police arrested four men.",
    "Police arrested the photographer, who works for AP, on Monday.",
    "Credit Suisse was fined by the United States.",
    "Russia, Belarus and China signed a pact.",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_bylines_captions_credits_and_links_are_furniture(line):
    assert is_boilerplate(line)
    text = f"Colombia extradited a drug lord.\n{line}\nThe United States welcomed it.\n"
    cleaned = clean_text(text)
    assert cleaned.text == "Colombia extradited a drug lord.\nThe United States welcomed it.\n"
    assert_maps_back(text, cleaned)


@pytest.mark.parametrize("line", SENTENCES)
def test_sentences_that_start_like_furniture_are_kept(line):
    assert not is_boilerplate(line)
    assert clean_text(f"{line}\nMore text.").text == f"{line}\nMore text."


# --- Titles glued to the first sentence -----------------------------------------------------------

GLUED = [
    ("Who Will Pay for the Border Wall?", "Testimony at a recent hearing showed the cost."),
    ("Will Peru Extradite the Smuggler!", "Prosecutors in Lima asked for his extradition."),
    ("Paraguay Admits that its Gangs Are in Brazil.", "Paraguay's government confirmed the report."),
    ("Chile Hospital Treats a Mule a Week", "According to figures from the ministry, the number rose."),
    ("Chilean police arrest a pill supplier", "Police in Santiago reported the arrest."),
    ("Mexico Renews DynCorp", "The State Department has renewed the contract."),
    ('Ecuador Seizes Two "Narco-Subs"', "The navy seized the vessels on Monday."),
    ("Honduras Expels Envoy From US.", "The government said it acted alone."),
    ("Guatemala Raids Gang Prisons Again.", "A Mass Operation found phones and weapons."),
]


@pytest.mark.parametrize(("title", "sentence"), GLUED)
def test_a_glued_title_gets_its_own_line(title, sentence):
    text = title + sentence + " More sentences follow."
    cleaned = clean_text(text)
    assert cleaned.text == f"{title}\n{sentence} More sentences follow."
    assert cleaned.inserted == (len(title),)
    assert cleaned.to_original(len(title)) == len(title)  # the break: between the two characters
    assert cleaned.to_original(len(title) + 1) == len(title)  # the sentence's first letter
    assert cleaned.span_to_original(0, len(title) + 1) == (0, len(title))
    assert_maps_back(text, cleaned)


def test_a_title_ending_in_a_period_and_a_space_gets_a_line_break_after_the_space():
    text = "Brother of Gang Chief to Face Extradition to US. The brother of the leader will be extradited."
    cleaned = clean_text(text)
    assert cleaned.text == text.replace("US. ", "US. \n")
    assert_maps_back(text, cleaned)


@pytest.mark.parametrize(
    "text",
    [
        "Colombia Hires DynCorp to Train Police\nThe contract was renewed.",  # more title after the name
        "InSight Crime has learned that the cartel moved its routes.",
        "Protests at McDonald's in Lima turned violent on Monday.",
        "Mexico Sues McDonald over wages",
        "The Army Sold iPhones to the Gang, prosecutors said in a statement.",
        "Troops Leave U.S.A. Bases in Honduras",
        "Amazon.Com Opens Office in Mexico City",
        "GlaxoSmithKline Fined in Colombia for bribes paid to officials.",
        "PayPal Blocks Payments to the gang, the company said.",
        "Russia attacked Ukraine on Monday. The strikes killed ten people.",  # no title: a sentence
        "Police arrested Gen. Smith on Monday in the capital.",
        "Why?Because the police said so.",  # one word is no title
        "Police Arrest O'Brien in Dublin for fraud, prosecutors said.",
        "Gangs Spread in Cote d'Ivoire as the police retreat.",
        "Mexico Seizes Arms From Texas",  # a title alone
    ],
)
def test_names_and_sentences_are_not_broken(text):
    assert title_end(text) is None
    assert clean_text(text).text == text


def test_only_the_start_of_an_article_is_a_title():
    body = "Police in Lima arrested a man on Monday for selling drugs, the ministry said. " * 4
    late = body + "Who Will Pay?Testimony at a recent hearing showed the cost."
    assert len(body) > TITLE_SPAN and clean_text(late).text == late
    second_paragraph = "Some text here.\nWho Will Pay for the Wall?Testimony at a hearing showed the cost."
    assert clean_text(second_paragraph).text == second_paragraph


def test_a_dateline_after_a_glued_title_is_cut_too():
    text = "Who Will Pay for the Wall?BOGOTA, Colombia (AP) — Police arrested a smuggler."
    cleaned = clean_text(text)
    assert cleaned.text == "Who Will Pay for the Wall?\nPolice arrested a smuggler."
    assert_maps_back(text, cleaned)


def test_the_title_after_dropped_furniture_is_still_the_first_line():
    text = "Subscribe Now\nBy Jane Doe\nWho Will Pay for the Wall?Testimony at a hearing showed the cost."
    cleaned = clean_text(text)
    assert cleaned.text == "Who Will Pay for the Wall?\nTestimony at a hearing showed the cost."
    assert_maps_back(text, cleaned)


# --- Everything together: the map back to the article ---------------------------------------------

_PIECES = st.sampled_from(
    [
        "Who Will Pay for the Wall?",
        "Testimony at a hearing showed the cost. ",
        "By Jane Doe and John Roe\n",
        "BOGOTA -- ",
        "MINSK, Belarus (AP) — ",
        "(Photo: AP)\n",
        "Subscribe Now Choose a package.\n",
        "Russia attacked Ukraine.",
        "NATO - the alliance - met. ",
        "\n",
        "\n\n",
        " ",
        "Colombia's police arrested a man.",
        "Chile Treats a Mule a Week",
        "DynCorp",
        "é\u2014",
        "O'Brien",
        "Guatemala Raids Prisons.",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=12))
def test_every_kept_character_maps_back_to_itself(pieces):
    text = "".join(pieces)
    cleaned = clean_text(text)
    assert_maps_back(text, cleaned)
    for start in range(len(cleaned.text)):
        a, b = cleaned.span_to_original(start, len(cleaned.text))
        assert 0 <= a <= b <= len(text)


def test_an_article_through_the_pipeline_keeps_furniture_out_of_events():
    import kg

    text = (
        "Who Will Pay for the War in the Andes?Testimony at a recent hearing showed rising costs.\n"
        "By Jane Doe and John Roe\n"
        "MINSK, Belarus (AP) — Belarus closed two border crossings with Poland on Monday.\n"
        "Photo: Polish soldiers patrol the border.\n"
        "ASTANA, Kazakhstan — Russia supplied Kazakhstan with fuel.\n"
    )
    events = kg.extract(text)
    assert events, "the sentences still give events"
    for event in events:
        for actor in (event.subject, event.object):
            assert actor is None or actor.text not in {"MINSK", "ASTANA", "AP", "Jane Doe", "John Roe"}
        start, end = event.span
        assert text[start:end] == event.sentence  # spans point into the article as it was read
    # no sentence holds a dateline, a byline, a caption or the title
    assert not any(event.sentence.startswith(("MINSK", "ASTANA", "By ", "Photo", "Who")) for event in events)
