"""The CAMEO verb dictionary (issue 17): scripts/cameo_verbs.py converts PETRARCH2's
CAMEO.2.0.txt into kg/data/cameo_verbs.json, and kg.extraction.cameo_verbs matches its
patterns on the parse. The fixture dictionary below is written in the source format
(``dictionaries.rst``, "Verb Dictionary"); the sentences are our own."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "cameo_verbs.py"
SOURCE = ROOT.parent / "shared" / "knowledge" / "petrarch2"


@pytest.fixture(scope="module")
def converter():
    spec = importlib.util.spec_from_file_location("cameo_verbs_script", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


VERBS = """\
# A header comment
####### SYNONYM SETS #######

&GOODS
+GRAIN
+ARMOURED_VEHICLE
+CASH_

&PLAIN_
+BODY

####### VERB PATTERNS #######

---  HALT   [---]  ---
HALT
STOP {STOPS STOPPING STOPPED }
+CALL_OFF [160]
SUSPEND [160]  # a coder's note
- * AID                                               [162]         # HALT
- * {MILITARY AID}                                    [1622]        # HALT , STOP
- * OFF STRIKE                                        [082]         # CALL_OFF
- * (FOR TALKS) (WITH +)                              [042:043]     # HALT
- * (BEFORE COURT)                                    [:173]        # STOP
- &GOODS *                                            [191]         # HALT
- * &UNDEFINED                                        [010]         # HALT

---  SHIP   [070]  ---
SHIP {SHIPS SHIPPING SHIPPED }
- * &GOODS                                            [073]         # SHIP
- * ON TRIP                                           [042]         # SHIP
~ a (a b SHIP) SAY = a b 070
"""

TABLE = """\
# CAMEO to PLOVER conversion table
07: AID
070: AID,   ,  # Provide aid
073: AID,   ,   humanitarian # Provide humanitarian aid
04: CONSULT
042: CONSULT, visit,   # Make a visit
043: CONSULT, visit,   # Host a visit
08: CONCEDE
082: CONCEDE,   , democracy # Ease political dissent
16: SANCTION
160: SANCTION,   ,  # Reduce relations
162: SANCTION, discontinue,    human_security   # Reduce or stop aid
1622: SANCTION, discontinue,   military    # Reduce or stop military assistance
17: COERCE
173: COERCE, arrest, legal            # Arrest, detain, or charge with legal action
19: ASSAULT
191: COERCE, restrict, military       # Impose blockade, restrict movement
"""


@pytest.fixture()
def converted(converter, tmp_path):
    (tmp_path / "CAMEO.2.0.txt").write_text(VERBS, encoding="utf-8")
    (tmp_path / "CAMEO2PLOVER-2021.txt").write_text(TABLE, encoding="utf-8")
    return converter.convert_verbs(tmp_path)


# ---------------------------------------------------------------- the converter


def test_verbs_are_lemmas_with_their_block_and_own_code(converted):
    assert converted["verbs"] == {
        "halt": ["HALT", None],
        "stop": ["HALT", None],
        "call off": ["HALT", "160"],
        "suspend": ["HALT", "160"],
        "ship": ["SHIP", "070"],
    }


def test_synsets_get_the_regular_plurals_the_rules_make(converted):
    assert converted["synsets"]["goods"] == ["grain", "grains", "armoured vehicle", "armoured vehicles", "cash"]
    assert converted["synsets"]["plain"] == ["body"]  # a set whose name ends in "_": no plurals


def test_patterns_are_objects_modifiers_particles_prepositions_and_subjects(converted):
    halt = {p["line"]: p for p in converted["blocks"]["HALT"]}
    assert halt[19] == {"line": 19, "code": "162", "object": "aid", "verbs": ["halt"]}
    assert halt[20] == {"line": 20, "code": "1622", "object": "military aid", "verbs": ["halt", "stop"]}
    assert halt[21] == {"line": 21, "code": "082", "particle": "off", "object": "strike", "verbs": ["call off"]}
    assert halt[22] == {"line": 22, "code": "042", "passive": "043", "preps": [["for", "talks"], ["with", None]], "verbs": ["halt"]}
    assert halt[23] == {"line": 23, "code": None, "passive": "173", "preps": [["before", "court"]], "verbs": ["stop"]}
    assert halt[24] == {"line": 24, "code": "191", "subject": "&goods", "verbs": ["halt"]}
    assert 25 not in halt  # a synset that is not defined: the pattern is left out, as PETRARCH2 does
    ship = converted["blocks"]["SHIP"]
    assert ship[1] == {"line": 30, "code": "042", "preps": [["on", "trip"]], "verbs": ["ship"]}  # a bare preposition opens a phrase


def test_every_code_has_its_plover_type(converted):
    assert converted["codes"] == {
        "042": "CONSULT", "043": "CONSULT", "070": "AID", "073": "AID", "082": "CONCEDE", "160": "SANCTION",
        "162": "SANCTION", "1622": "SANCTION", "173": "COERCE", "191": "COERCE",
    }


def test_statements_have_no_type_and_appeals_are_requests(converter):
    table = converter.parse_plover_table(TABLE)
    assert converter._plover("012", table) is None
    assert converter._plover("0233", table) == "REQUEST"
    assert converter._plover("1623", table) == "SANCTION"  # no row of its own: its parent's
    with pytest.raises(ValueError, match="no row"):
        converter._plover("211", table)


def test_a_rerun_gives_identical_bytes(converter, converted, tmp_path):
    first = converter.dumps(converted)
    assert first == converter.dumps(converter.convert_verbs(tmp_path))
    assert json.loads(first) == converted
    assert "~" not in first and "SAY" not in first  # transformations are left out


def test_the_plover_table_is_found_beside_the_source_or_named(converter, tmp_path):
    source = tmp_path / "knowledge" / "petrarch2"
    source.mkdir(parents=True)
    (source / "CAMEO.2.0.txt").write_text(VERBS, encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="CAMEO2PLOVER"):
        converter.convert_verbs(source)
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "CAMEO2PLOVER-2021.txt").write_text(TABLE, encoding="utf-8")
    assert converter.convert_verbs(source)["codes"]["162"] == "SANCTION"


@pytest.mark.skipif(not (SOURCE / "CAMEO.2.0.txt").is_file(), reason="the PETRARCH2 dictionaries are not here")
def test_the_committed_file_is_what_the_converter_writes(converter):
    written = (ROOT / "kg" / "data" / "cameo_verbs.json").read_text(encoding="utf-8")
    assert written == converter.dumps(converter.convert_verbs(SOURCE))
