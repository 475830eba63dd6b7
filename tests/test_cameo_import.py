"""scripts/import_cameo_dictionaries.py (issue 17): the PETRARCH2 actor, agent and discard
dictionaries converted into kg/data. Fixture dictionaries are written here, in the
source formats (``dictionaries.rst``); the last tests read the committed output."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from scripts_loader import load_script

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def importer():
    return load_script("import_cameo_dictionaries", "import_cameo_dictionaries")


COUNTRIES = """\
# A comment line at the top, and a blank line

ALGERIA_  [DZA]
+ALGERIAN_
+ALGIERS_
#+ORAN_  commented out: not a synonym
+ALGERIE_ +ALGERIA_
+DEMOCRATIC_REPUBLIC_OF_ALGERIA_(DRA)_ +AL-JAZAIR_

ABDELAZIZ_BOUTEFLIKA_  # CountryInfo.txt
\t[DZAELI 550101-000101]
\t[DZAGOV >19990427]
\t[DZAELI]
AHMED_OUYAHIA_  # CountryInfo.txt
+OUYAHIA
\t[DZAGOV 19951231-981215]
\t[DZAGOV <20190311]
\t[DZAGOV 2004017-20061201]
\t[DZAGOV 19991301-20000101]
LEADERS_WITHOUT_PLUS
SECOND_LINE_OF_THE_SAME_RECORD
\t[DZAGOVLEG >20100101]
DZ_SECURITY_SERVICES_ [DZASPY]
LONELY_NAME_WITHOUT_CODE
"""

INTERNATIONAL = """\
B._LYNN_PASCOE_\t[USAGOV 981022-010811] [IGOUNO  >070201]# former ambassador
UN_SECRETARY_GENERAL
+U.N._SECRETARY_GENERAL
+UNSG
\t[IGOUNO]
IAEA_\t[IGOUNOIAE]# NGO_Actors
INTERNATIONAL_COURT_OF_JUSTICE_(ICJ)\t[IGOUNOJUD]
"""

MILNONSTATE = """\
ISLAMIC_ARMY_OF_ADEN_(IAA)_ [YEMREB] #  kkl 21 Mar 13
+ADEN_ARMY_
+ISLAMIC_ARMY_OF_ADEN
TANZIM_ [MEAREB]
+ORGANIZATION_
TIGERS_ [SWZREB]
RECONTRA_380_ [LAMREB]
+380_
"""

AGENTS = """\
# agents
!PERSON! = MAN, MEN, WOMAN, WOMEN, PERSON

POLICE!PERSON! [~COP]
THIEF {THIEVES} [~CRM]
RIOT_POLICE {} [~COP]
GUERRILLA [~REB]
MILITIA_ARMY [~REB]
WITNESS [~CVL]
CHIEF EXECUTIVE [~GOV]
FOREIGN_MINISTER [~GOVFRM] # jap 4/14/01
FOREIGN_MINISTER [~GOV]
HUMAN_RIGHTS_ACTIVIST  [NGM~] # ns 6/14/01
ENVIRONMENT_AGENCY [~ENV}
NO_CODE_HERE
"""

DISCARDS = """\
# discards
+WORLD CUP_   # a story discard, whole word
ASIAN FOOTBALL   # ATS 9/27/01
AMELIA EARHART
ASIAN FOOTBALL
"""


@pytest.fixture()
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "petrarch2"
    folder.mkdir()
    for name, text in (
        ("Phoenix.Countries.actors.txt", COUNTRIES),
        ("Phoenix.International.actors.txt", INTERNATIONAL),
        ("Phoenix.MilNonState.actors.txt", MILNONSTATE),
        ("Phoenix.agents.txt", AGENTS),
        ("Phoenix.discards.txt", DISCARDS),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _records(importer, source: Path, dictionary: str) -> dict[str, dict]:
    records, _ = importer.parse_actor_file(source / importer.ACTOR_FILES[dictionary], dictionary)
    return {record["name"]: record for record in records}


def test_country_block(importer, source):
    algeria = _records(importer, source, "Countries")["Algeria"]
    assert algeria == {
        "name": "Algeria",
        "aliases": ["Algerian", "Algiers", "Algerie", "Democratic Republic of Algeria", "DRA", "Al-Jazair"],
        "type": "Country",
        "code": "DZA",
        "roles": [],
        "dictionary": "Countries",
    }


def test_leader_with_dated_roles_and_a_default(importer, source):
    bouteflika = _records(importer, source, "Countries")["Abdelaziz Bouteflika"]
    assert bouteflika["type"] == "Person"
    assert bouteflika["code"] == "DZAELI"
    assert bouteflika["roles"] == [["DZAELI", "1955-01-01", "2000-01-01"], ["DZAGOV", "1999-04-27", None]]


def test_impossible_dates_are_reported_and_dropped(importer, source, capsys):
    ouyahia = _records(importer, source, "Countries")["Ahmed Ouyahia"]
    assert ouyahia["aliases"] == ["Ouyahia"]
    assert ouyahia["code"] is None
    assert ouyahia["roles"] == [["DZAGOV", "1995-12-31", "1998-12-15"], ["DZAGOV", None, "2019-03-11"]]
    err = capsys.readouterr().err
    assert "Phoenix.Countries.actors.txt:18:" in err and "2004017" in err
    assert "Phoenix.Countries.actors.txt:19:" in err and "19991301" in err


def test_codeless_primary_lines_share_the_next_codes_and_lonely_names_are_dropped(importer, source):
    records = _records(importer, source, "Countries")
    leaders = records["Leaders Without Plus"]
    assert leaders["aliases"] == ["Second Line of the Same Record"]
    assert leaders["roles"] == [["DZAGOVLEG", "2010-01-01", None]]
    assert records["Dz Security Services"]["code"] == "DZASPY"
    assert records["Dz Security Services"]["type"] == "Organization"
    assert "Lonely Name Without Code" not in records
    _, dropped = importer.parse_actor_file(source / "Phoenix.Countries.actors.txt", "Countries")
    assert dropped == 1


def test_several_codes_on_one_line_and_synonym_lists(importer, source):
    records = _records(importer, source, "International")
    pascoe = records["B. Lynn Pascoe"]
    assert pascoe["type"] == "Person" and pascoe["code"] is None
    assert pascoe["roles"] == [["USAGOV", "1998-10-22", "2001-08-11"], ["IGOUNO", "2007-02-01", None]]
    general = records["UN Secretary General"]
    assert general["aliases"] == ["U.N. Secretary General", "UNSG"]
    assert (general["code"], general["type"]) == ("IGOUNO", "Organization")
    assert records["IAEA"]["code"] == "IGOUNOIAE"
    assert records["International Court of Justice"]["aliases"] == ["ICJ"]


def test_milnonstate_acronym_alias_and_deduplication(importer, source):
    aden = _records(importer, source, "MilNonState")["Islamic Army of Aden"]
    assert aden["aliases"] == ["IAA", "Aden Army"]  # the repeated name is not an alias
    assert (aden["type"], aden["code"]) == ("Organization", "YEMREB")


def test_common_words_and_numbers_are_left_out_of_groups_names(importer, source, capsys):
    # "Organization" (an alias of Tanzim) and "Tigers" (a Swazi group) resolved any capitalised
    # "Organization" and the Liberation Tigers of Sri Lanka; "380" any number 380.
    records = _records(importer, source, "MilNonState")
    assert records["Tanzim"]["aliases"] == []
    assert records["Recontra 380"]["aliases"] == []
    assert "Tigers" not in records
    assert "every name of the actor (Tigers) is left out" in capsys.readouterr().err
    assert {"Organization", "Tigers", "Hussein"} <= importer.left_out_names()
    assert importer.is_left_out("39649", frozenset()) and not importer.is_left_out("Putin", importer.left_out_names())


def test_agents(importer, source, capsys):
    data = importer.parse_agents(source / "Phoenix.agents.txt")
    agents = data["agents"]
    assert data["substitutions_expanded"] is True
    assert [agents[p] for p in ("policeman", "policemen", "policewoman", "policewomen", "policeperson")] == ["COP"] * 5
    assert "policemans" not in agents and "policepersons" not in agents  # no plural of a substitution
    assert agents["thief"] == agents["thieves"] == "CRM" and "thiefs" not in agents
    assert agents["riot police"] == "COP" and "riot polices" not in agents
    assert agents["guerrillas"] == "REB" and agents["militia armies"] == "REB" and agents["witnesses"] == "CVL"
    assert agents["chief executive"] == "GOV"  # a blank between words, recorded with a space
    assert agents["foreign minister"] == "GOVFRM"  # the first of two codes is kept
    assert agents["environment agency"] == "ENV"  # [~ENV} as written in the source
    assert data["prefix_agents"] == {"human rights activist": "NGM", "human rights activists": "NGM"}
    assert list(agents) == sorted(agents)
    err = capsys.readouterr().err
    assert "Phoenix.agents.txt:12:" in err and "foreign minister" in err
    assert "Phoenix.agents.txt:15:" in err and "NO_CODE_HERE" in err


def test_discards(importer, source):
    assert importer.parse_discards(source / "Phoenix.discards.txt") == {
        "sentence": [{"phrase": "amelia earhart", "whole_word": False}, {"phrase": "asian football", "whole_word": False}],
        "story": [{"phrase": "world cup", "whole_word": True}],
    }


def test_converting_twice_gives_identical_bytes(importer, source, tmp_path, capsys):
    first, second = tmp_path / "first", tmp_path / "second"
    counts = importer.convert(source, first, verbs=False)
    importer.convert(source, second, verbs=False)
    names = [importer.ACTORS_OUT, importer.AGENTS_OUT, importer.DISCARDS_OUT]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert counts["records"] == {"Countries": 5, "International": 4, "MilNonState": 3}
    lines = (first / importer.ACTORS_OUT).read_text(encoding="utf-8").splitlines()
    keys = [(record["dictionary"], record["name"].casefold()) for record in map(json.loads, lines)]
    assert keys == sorted(keys)
    json.loads((first / importer.AGENTS_OUT).read_text(encoding="utf-8"))
    json.loads((first / importer.DISCARDS_OUT).read_text(encoding="utf-8"))


def test_main_reports_a_missing_file(importer, tmp_path, capsys):
    assert importer.main([str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"), "--no-verbs"]) == 1
    assert "Phoenix.Countries.actors.txt" in capsys.readouterr().err


def test_committed_actors_hold_leaders_with_their_roles():
    path = ROOT / "kg" / "data" / "cameo_actors.jsonl"
    wanted = {"Abdelaziz Bouteflika", "Jacques Chirac"}
    found = {}
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            if record["name"] in wanted and record["dictionary"] == "Countries":
                found[record["name"]] = record
    bouteflika, chirac = found["Abdelaziz Bouteflika"], found["Jacques Chirac"]
    assert bouteflika["type"] == "Person" and bouteflika["code"] == "DZAELI"
    assert bouteflika["roles"] == [["DZAELI", "1955-01-01", "2000-01-01"], ["DZAGOV", "1999-04-27", None]]
    assert chirac["type"] == "Person"
    assert ["FRAGOV", "1995-05-17", "2007-05-16"] in chirac["roles"]
