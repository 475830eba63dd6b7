"""kg eval and kg.evaluation: scoring events against gold events of both formats.

The fixtures in tests/fixtures/eval/ are our own writing: three invented articles
(articles.docs.ndjson) with article-level gold (articles.gold.ndjson), and five
one-sentence documents (sentences.docs.ndjson) with sentence-level gold
(sentences.gold.ndjson). Their suffix is .ndjson so that kg build and kg extract
of tests/fixtures/ (test_cli.py) do not read them; the CLI tests pass the
documents on standard input.

The figures are worked out by hand on kg events written here (ARTICLE_EVENTS,
SENTENCE_EVENTS), not on what extraction finds today, which other work changes;
the CLI tests check that kg eval reports what the functions compute.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import KGError
from kg.evaluation import (
    ArticleGold,
    GoldActor,
    SentenceGold,
    evaluate,
    generic_words,
    parse_gold,
    read_gold,
    same_actor,
    same_sentence,
    score_articles,
    score_sentences,
)
from kg.extraction.rules import load_rules
from kg.records import Actor, Article, Event

FIXTURES = Path(__file__).parent / "fixtures" / "eval"
ARTICLE_GOLD = FIXTURES / "articles.gold.ndjson"
SENTENCE_GOLD = FIXTURES / "sentences.gold.ndjson"


def actor(text: str, label: str, type_: str, country: str | None) -> Actor:
    return Actor(text, label, f"https://w3id.org/kg/id/test/{label.lower().replace(' ', '-')}", type_, country, None, (0, len(text)))


def country(code: str, name: str) -> Actor:
    return actor(name, name, "Country", code)


def event(doc: str, sentence: str, subject: Actor | None, obj: Actor | None, event_type: str | None, modality: str = "asserted") -> Event:
    return Event(doc, subject, obj, "verb", event_type, None, None, sentence, (0, len(sentence)), None, False, modality)


def sentences(doc: str) -> list[str]:
    gold = [g for g in read_gold(str(ARTICLE_GOLD)).events if g.doc == doc]
    return [g.sentence for g in gold if isinstance(g, ArticleGold)]


def figures(evaluation) -> dict[str, tuple[int, int, int]]:
    return {view: (s.tp, s.gold, s.system) for view, s in evaluation.views.items()}


# ---------------------------------------------------------------- the kg events scored by hand

EV1 = sentences("ev-1")  # arrested Ortega; cartel gunmen shot at police; Guatemala asked Mexico; Ortega could be extradited
EV2 = sentences("ev-2")  # the police seized cocaine; the government of Ecuador condemned the raid
MEXICAN_POLICE = actor("Mexican police", "Mexican police", "ArmedForce", "MEX")
ORTEGA = actor("Raul Ortega", "Raul Ortega", "Person", "MEX")
THE_POLICE_COL = actor("The police", "police", "ArmedForce", "COL")
ARREST = event("ev-1", EV1[0], MEXICAN_POLICE, ORTEGA, "COERCE")
ARTICLE_EVENTS = [
    ARREST,  # matches gold 1 in every view
    ARREST,  # the same event again: gold 1 is taken, so it matches nothing (one to one)
    # the cartel placed in Colombia: its name is shared, but the countries conflict; no object
    event("ev-1", EV1[1], actor("gunmen of the Sinaloa Cartel", "Sinaloa Cartel", "Group", "COL"), None, "ASSAULT"),
    event("ev-1", EV1[2], country("GTM", "Guatemala"), None, "REQUEST"),  # gold says DEMAND, its PLOVER 2021 name
    event("ev-1", EV1[3], country("MEX", "Mexico"), ORTEGA, "COERCE", "hypothetical"),  # scored with include_all only
    event("ev-2", EV2[0], THE_POLICE_COL, None, "COERCE"),  # "the police" vs "Colombian police"; both objects empty
    event("ev-2", EV2[1], actor("The government of Ecuador", "Ecuador", "Country", "ECU"), THE_POLICE_COL, "REJECT"),  # object vs the country Colombia; wrong type
    event("ev-3", "Rain fell on Quito for a week, and the harvest in the Andes was late.", country("ECU", "Ecuador"), None, "MOBILIZE"),  # no gold in ev-3
]

SENTENCE_EVENTS = [
    event("s-1", "Poland expelled a Belarusian diplomat on Monday.", country("POL", "Poland"), country("BLR", "Belarus"), "COERCE"),
    event("s-2", "", actor("Lithuanian protesters", "protesters", "Group", "LTU"), country("RUS", "Russia"), "PROTEST"),
    event("s-2", "", actor("Lithuanian protesters", "protesters", "Group", "LTU"), None, "REQUEST"),
    event("s-3", "", country("JPN", "Japan"), country("TUR", "Turkey"), "AID"),
    event("s-3", "", country("JPN", "Japan"), country("TUR", "Turkey"), "AID"),  # the same tuple: counted once
    event("s-3", "", country("JPN", "Japan"), country("SYR", "Syria"), "AID", "hypothetical"),
    event("s-4", "", country("NOR", "Norway"), None, "CONSULT"),
    event("s-4", "", actor("aid workers", "aid workers", "Group", None), None, "CONSULT"),  # no country on either side: left out
    event("s-5", "", country("FRA", "France"), country("DEU", "Germany"), "AGREE"),  # no gold in s-5
]


# ---------------------------------------------------------------- reading gold


def test_the_format_is_read_from_the_records():
    articles, sents = read_gold(str(ARTICLE_GOLD)), read_gold(str(SENTENCE_GOLD))
    assert (articles.format, len(articles.events), articles.documents) == ("article", 6, ["ev-1", "ev-2"])
    assert (sents.format, len(sents.events)) == ("sentence", 7)
    third = articles.events[3]
    assert isinstance(third, ArticleGold) and not third.factual and third.line == 4
    assert third.subject == GoldActor("Mexico", "MEX", "Country")


@pytest.mark.parametrize(
    ("lines", "code", "where"),
    [
        (['{"doc": "d", "source": "POL", "target": null, "event_type": "AID"}', "{broken"], "[E111]", "g.jsonl:2:"),
        (['["d", "POL", "BLR"]'], "[E111]", "g.jsonl:1:"),
        (['{"doc": "d", "text": "Poland sent aid."}'], "[E112]", "g.jsonl:1:"),
        (['{"doc": "d", "source": "POL", "subject": null, "event_type": "AID"}'], "[E112]", "g.jsonl:1:"),
        (['{"doc": "d", "source": "POL", "event_type": "AID"}'], "[E113]", "target: missing"),
        (['{"doc": "d", "sentence": "Poland sent aid.", "subject": "Poland", "object": null, "event_type": "AID"}'], "[E113]", "subject:"),
        (['{"doc": "d", "sentence": "Poland sent aid.", "subject": null, "object": null, "event_type": "AID", "factual": "yes"}'], "[E113]", "factual:"),
        (['{"doc": "d", "sentence": "Poland sent aid.", "subject": null, "object": null}'], "[E113]", "event_type: missing"),
        (['{"doc": "d", "source": "POL", "target": null, "event_type": "HELP"}'], "[E114]", "'HELP'"),
        (
            ['{"doc": "d", "source": "POL", "target": null, "event_type": "AID"}', "",
             '{"doc": "d", "sentence": "Poland sent aid.", "subject": null, "object": null, "event_type": "AID"}'],
            "[E115]", "g.jsonl:3: a article-level event in a gold file of sentence-level events (line 1)",
        ),
        (["", "  "], "[E116]", "g.jsonl: no gold events"),
    ],
)
def test_bad_gold_is_a_coded_error_naming_the_line(lines, code, where):
    with pytest.raises(KGError) as error:
        parse_gold(lines, "g.jsonl")
    message = str(error.value)
    assert message.startswith(code) and where in message and "\n" not in message


def test_an_unreadable_gold_file(tmp_path):
    with pytest.raises(KGError, match=r"^\[E110\] .*nowhere.jsonl"):
        read_gold(str(tmp_path / "nowhere.jsonl"))
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(b'{"doc": "d", "source": "M\xe9xico"}\n')
    with pytest.raises(KGError, match=r"^\[E110\]"):
        read_gold(str(latin1))


# ---------------------------------------------------------------- matching


def test_sentences_match_on_their_shared_words():
    assert same_sentence(EV1[0], "Mexican police arrested Raúl Ortega, a leader of the Sinaloa Cartel, in Tijuana.")
    assert not same_sentence(EV1[0], EV1[1])
    assert not same_sentence("", EV1[0])


def test_actors_match_by_name_or_by_country_where_a_name_is_generic():
    assert "police" in generic_words() and "ortega" not in generic_words()
    colombia = GoldActor("Colombia", "COL", "Country")
    assert same_actor(colombia, THE_POLICE_COL)  # "the police" names no one: its country decides
    assert same_actor(GoldActor("Colombian police", "COL", "ArmedForce"), THE_POLICE_COL)
    assert not same_actor(colombia, actor("the police", "police", "ArmedForce", None))  # no country to compare
    assert not same_actor(GoldActor("Sinaloa Cartel", "MEX", "Group"), actor("the cartel", "Sinaloa Cartel", "Group", "COL"))  # conflict
    assert same_actor(GoldActor("Ortega", None, "Person"), ORTEGA)  # a shared name, one country unknown
    assert not same_actor(GoldActor("Juan Perez", "MEX", "Person"), ORTEGA)  # same country, but two persons
    assert same_actor(None, None) and not same_actor(None, ORTEGA) and not same_actor(colombia, None)


# ---------------------------------------------------------------- article-level figures, by hand


def test_article_figures_by_hand():
    gold = read_gold(str(ARTICLE_GOLD))
    result = evaluate(gold, ARTICLE_EVENTS)
    # 5 factual gold events; 7 factual kg events, ev-3's (no gold there) included
    assert figures(result) == {
        "event": (4, 5, 7),  # arrest, shooting, request (DEMAND), seizure; not the REJECT for ACCUSE
        "subject": (4, 5, 7),  # not the cartel placed in Colombia
        "object": (3, 5, 7),  # arrest, the seizure's empty slot, "the police" for Colombia
        "actors": (3, 5, 7),
        "full": (2, 5, 7),  # arrest and seizure
    }
    full = result.views["full"]
    assert (round(full.precision, 3), full.recall, round(full.f1, 3)) == (0.286, 0.4, 0.333)
    assert [(g.doc, g.event_type) for g in result.missed] == [("ev-1", "ASSAULT"), ("ev-1", "DEMAND"), ("ev-2", "ACCUSE")]
    assert [(e.doc, e.event_type) for e in result.spurious] == [
        ("ev-1", "COERCE"), ("ev-1", "ASSAULT"), ("ev-1", "REQUEST"), ("ev-2", "REJECT"), ("ev-3", "MOBILIZE"),
    ]
    assert result.spurious[0] is ARREST  # the second report of the arrest


def test_article_figures_with_all():
    result = evaluate(read_gold(str(ARTICLE_GOLD)), ARTICLE_EVENTS, include_all=True)
    # + the gold event coded not factual, matched by the hypothetical kg event
    assert figures(result) == {"event": (5, 6, 8), "subject": (5, 6, 8), "object": (4, 6, 8), "actors": (4, 6, 8), "full": (3, 6, 8)}


def test_each_gold_event_takes_the_first_free_match():
    sentence = "Colombian police arrested Juan Perez and Raul Ortega in Cali."
    police = GoldActor("Colombian police", "COL", "ArmedForce")
    perez = event("d", sentence, THE_POLICE_COL, actor("Juan Perez", "Juan Perez", "Person", "COL"), "COERCE")
    ortega = event("d", sentence, THE_POLICE_COL, actor("Raul Ortega", "Raul Ortega", "Person", "COL"), "COERCE")
    to_perez = ArticleGold("d", sentence, police, GoldActor("Juan Perez", "COL", "Person"), "COERCE")
    assert figures(score_articles([to_perez], [perez, perez]))["full"] == (1, 1, 2)  # a kg event matches one gold event
    assert figures(score_articles([to_perez, to_perez], [perez]))["full"] == (1, 2, 1)  # and a gold event one kg event
    # Greedy, in order, as the shared scorer: a gold event with the country Colombia as its object
    # matches either arrest and takes the first, Perez's, which the second gold event needed.
    to_colombia = ArticleGold("d", sentence, police, GoldActor("Colombia", "COL", "Country"), "COERCE")
    assert figures(score_articles([to_colombia, to_perez], [perez, ortega]))["object"] == (1, 2, 2)
    assert figures(score_articles([to_perez, to_colombia], [perez, ortega]))["object"] == (2, 2, 2)
    assert figures(score_articles([to_colombia, to_perez], [ortega, perez]))["object"] == (2, 2, 2)


# ---------------------------------------------------------------- sentence-level figures, by hand


def test_sentence_figures_by_hand():
    gold = read_gold(str(SENTENCE_GOLD))
    result = evaluate(gold, SENTENCE_EVENTS)
    # gold tuples: s-1's two lines are one; s-3's line with no country is left out
    assert figures(result) == {
        "pair": (4, 5, 6),  # POL-BLR, LTU-RUS, LTU-none, JPN-TUR; missed NOR-SWE; NOR-none and FRA-DEU spurious
        "typed": (3, 5, 6),  # + types: s-1 is SANCTION in the gold; DEMAND is REQUEST
        "source": (4, 4, 5),
        "target": (3, 4, 4),
    }
    assert [(g.doc, g.source, g.target, g.event_type) for g in result.missed] == [("s-1", "POL", "BLR", "SANCTION"), ("s-4", "NOR", "SWE", "CONSULT")]
    assert [(e.doc, e.event_type) for e in result.spurious] == [("s-1", "COERCE"), ("s-4", "CONSULT"), ("s-5", "AGREE")]
    assert result.gold_events == 7 and result.gold_scored == 6


def test_sentence_figures_with_all():
    gold = [g for g in read_gold(str(SENTENCE_GOLD)).events if isinstance(g, SentenceGold)]
    result = score_sentences(gold, SENTENCE_EVENTS, include_all=True)
    assert figures(result) == {"pair": (4, 5, 7), "typed": (3, 5, 7), "source": (4, 4, 5), "target": (3, 4, 5)}


def test_json_has_the_numbers_and_the_lists():
    result = evaluate(read_gold(str(ARTICLE_GOLD)), ARTICLE_EVENTS)
    record = result.to_json()
    assert record["views"]["full"] == {"p": 2 / 7, "r": 0.4, "f1": 2 * (2 / 7) * 0.4 / (2 / 7 + 0.4), "tp": 2, "gold": 5, "system": 7}
    assert len(record["missed"]) == 3 and len(record["spurious"]) == 5
    assert record["missed"][0]["subject"] == {"name": "Sinaloa Cartel", "country": "MEX", "type": "Group"}
    assert record["spurious"][0]["subject"]["label"] == "Mexican police"
    assert len(result.to_json(show=1)["missed"]) == 1
    json.dumps(record)


# ---------------------------------------------------------------- the command


def run(*args, input=None):
    return CliRunner().invoke(cli, ["eval", *map(str, args)], input=input)


@pytest.fixture(scope="module")
def article_events():
    """What kg extracts from the invented articles now, every event."""
    import kg

    articles = [Article(r["id"], r["text"], date=r.get("date")) for r in map(json.loads, (FIXTURES / "articles.docs.ndjson").read_text().splitlines())]
    return kg.extract(articles)


def test_cli_table_reports_the_functions_figures(article_events):
    # Without --all, kg eval scores what kg extract writes: factual events at or above the threshold.
    threshold = load_rules().confidence.min_confidence
    expected = evaluate(read_gold(str(ARTICLE_GOLD)), [e for e in article_events if e.confidence >= threshold])
    result = run(ARTICLE_GOLD, "-", input=(FIXTURES / "articles.docs.ndjson").read_text())
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Article-level gold, events stated as fact: 5 gold events (of 6)")
    for view, score in expected.views.items():
        row = next(line for line in result.output.splitlines() if line.startswith(f"│ {view} "))
        cells = [cell.strip() for cell in row.strip("│").split("│")]
        assert cells == [view, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}", str(score.tp), str(score.gold), str(score.system)]
    assert "Missed" not in result.output


def test_min_confidence_leaves_the_less_sure_events_unscored(article_events):
    docs = (FIXTURES / "articles.docs.ndjson").read_text()
    for threshold in (0.0, 0.5, 0.95):
        expected = evaluate(read_gold(str(ARTICLE_GOLD)), [e for e in article_events if e.confidence >= threshold])
        record = json.loads(run(ARTICLE_GOLD, "-", "--format", "json", "--min-confidence", threshold, input=docs).output)
        assert record["views"] == expected.to_json()["views"]
    assert expected.system_events < len([e for e in article_events if e.is_factual])  # at 0.95, some are left out


def test_cli_json_and_show(article_events):
    docs = (FIXTURES / "articles.docs.ndjson").read_text()
    expected = evaluate(read_gold(str(ARTICLE_GOLD)), article_events, include_all=True).to_json()
    result = run(ARTICLE_GOLD, "-", "--format", "json", "--all", input=docs)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["views"] == expected["views"] and record["include_all"] is True
    assert record["missed"] == expected["missed"] and record["spurious"] == expected["spurious"]  # all of them by default
    shown = json.loads(run(ARTICLE_GOLD, "-", "--format", "json", "--all", "--show", "1", input=docs).output)
    assert shown["missed"] == expected["missed"][:1] and shown["spurious"] == expected["spurious"][:1]
    table = run(ARTICLE_GOLD, "-", "--all", "--show", "2", input=docs)
    assert f"Missed (full view): {len(expected['missed'])}" in table.output
    assert f"Spurious (full view): {len(expected['spurious'])}" in table.output
    for item in expected["missed"][:2] + expected["spurious"][:2]:
        assert item["sentence"][:30] in table.output


def test_cli_sentence_gold_and_documents_missing_from_the_inputs():
    only_two = "".join((FIXTURES / "sentences.docs.ndjson").read_text().splitlines(keepends=True)[:2])
    result = run(SENTENCE_GOLD, "-", "--format", "json", input=only_two)
    assert result.exit_code == 0, result.output
    warning, _, body = result.output.partition("\n")
    assert warning.startswith("warning: [E117]") and "2 gold document(s) not among the inputs (s-3, s-4)" in warning
    record = json.loads(body)
    assert list(record["views"]) == ["pair", "typed", "source", "target"]
    assert record["views"]["pair"]["gold"] == 5 and record["unread_documents"] == ["s-3", "s-4"]
    assert record["listed_view"] == "typed"


def test_cli_bad_gold_is_one_coded_line_before_any_parsing(tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"doc": "d", "source": "POL", "target": "BLR", "event_type": "SANCTION"}\n{"doc": "d", "source": \n')
    result = run(bad, "nowhere.txt", "--model", "no_such_model")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: [E111] {bad}:2: not a JSON object")
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    neither = tmp_path / "docs.jsonl"
    neither.write_text('{"id": "d", "text": "Poland expelled a Belarusian diplomat."}\n')
    result = run(neither, neither)
    assert result.exit_code == 1 and result.output.startswith(f"Error: [E112] {neither}:1: a gold event in neither format")
    assert len(result.output.strip().splitlines()) == 1


def test_cli_help_has_an_example():
    result = CliRunner().invoke(cli, ["eval", "--help"])
    assert result.exit_code == 0 and "Example" in result.output and "--show" in result.output and "--workers" in result.output
