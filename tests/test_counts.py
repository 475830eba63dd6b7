"""One vocabulary of counts (issue 18): ``kg build``'s closing lines and ``kg stats`` count a store
with the same words and the same numbers (:mod:`kg.rdf.counts`).

The articles are our own writing: two reports of one attack (merged into one event) and a
hypothetical blockade (an event not stated as fact).
"""
from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from kg.analysis import summary
from kg.cli import cli
from kg.rdf.counts import StoreCounts, store_counts
from kg.rdf.query import run_query
from kg.rdf.store import open_memory_store, open_store
from kg.run.pipeline import build

ARTICLES = [
    {"id": "kyiv-morning", "date": "2025-02-11", "text": "Russia attacked Ukraine on Monday, officials in Kyiv said."},
    {"id": "kyiv-evening", "date": "2025-02-11", "text": "Russian troops shelled Ukraine on Monday, the governor said."},
    {"id": "strait", "date": "2025-02-12", "text": "China could blockade Taiwan next month, a defence analyst in Taipei wrote."},
]
# Russia, its armed forces, Ukraine (Kyiv), China, Taiwan (Taipei)
EXPECTED = {"articles": 3, "reports": 3, "events": 1, "not_factual": 1, "actors": 5}


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


@pytest.fixture(scope="module")
def built(tmp_path_factory, nlp):
    """``kg build`` of the three articles into a fresh store: the store's folder and the command's output."""
    folder = tmp_path_factory.mktemp("counts")
    source = folder / "articles.jsonl"
    source.write_text(jsonl(*ARTICLES), encoding="utf-8")
    store = folder / "kg-store"
    result = CliRunner().invoke(cli, ["build", str(source), "--store", str(store)])
    assert result.exit_code == 0, result.output
    return store, result.output


def stats_json(store) -> dict:
    result = CliRunner().invoke(cli, ["stats", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_build_and_stats_give_the_same_counts_under_the_same_names(built):
    store, output = built
    counts = stats_json(store)["counts"]
    assert {k: v for k, v in counts.items() if k != "triples"} == EXPECTED
    line = f"3 articles, 3 reports, 1 event stated as fact, 1 not stated as fact, 5 actors, {counts['triples']} triples"
    assert f"{store} holds {line}\n" in output  # the build's closing line ...
    table = CliRunner().invoke(cli, ["stats", "--store", str(store)])
    assert table.output.splitlines()[0] == line  # ... is the first line of kg stats, word for word
    assert str(StoreCounts(**counts)) == line


def test_the_build_line_says_what_the_build_did(built):
    store, output = built
    (built_line,) = [line for line in output.splitlines() if line.startswith("Built")]
    assert built_line.startswith(f"Built {store} in ") and built_line.endswith(" s: 3 articles")


def test_events_are_the_rows_of_relations_and_the_types_add_up(built):
    store, _ = built
    result = stats_json(store)
    read = open_store(store, read_only=True)
    (row,) = run_query(read, "relations").records()  # the two reports of the attack: one event, two sources
    assert row["sources"] == 2
    assert sum(result["events_by_type"].values()) == result["counts"]["events"] == 1
    assert sum(result["actors_by_type"].values()) == result["counts"]["actors"]


def test_the_python_build_summary_has_the_counts_of_stats(nlp):
    store = open_memory_store()
    first = build(["-"], store, stdin=io.StringIO(jsonl(*ARTICLES)))
    assert first.counts == store_counts(store)
    assert first.counts.to_dict() == summary(store)["counts"]
    assert {k: v for k, v in first.counts.to_dict().items() if k != "triples"} == EXPECTED

    # A build of one article into the same store: its own line counts what it read, the store's line the store.
    again = build(["-"], store, stdin=io.StringIO(jsonl(ARTICLES[0])))  # line 1 again: the same input
    assert (again.articles, again.unchanged, again.skipped_unchanged) == (1, 1, 1)
    assert again.counts == first.counts
    described = again.describe("kg-store").splitlines()
    assert described[0].endswith(": 1 article, 1 of them unchanged (1 not parsed again)")
    assert described[1] == f"kg-store holds {first.counts}"
