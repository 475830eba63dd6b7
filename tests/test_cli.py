"""Every command through click's CliRunner, and the path from text to a SPARQL answer."""
from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def built_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("store") / "kg-store"
    result = CliRunner().invoke(cli, ["build", str(FIXTURES), "--store", str(store)])
    assert result.exit_code == 0, result.output
    return store


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_help_lists_every_command_and_each_has_an_example():
    result = run("--help")
    for command in ("build", "extract", "query", "export"):
        assert command in result.output
        assert "Example" in run(command, "--help").output


def test_extract_jsonl_contract(tmp_path):
    out = tmp_path / "events.jsonl"
    result = run("extract", str(FIXTURES / "minsk-talks.txt"), "-o", str(out))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    supply = next(r for r in records if r["predicate"] == "supply")
    assert supply["doc"] == "minsk-talks"
    assert supply["subject"]["country"] == "RUS" and supply["object"]["country"] == "BLR"
    assert "Iskander" in supply["theme"]
    assert supply["event_type"] == "AID" and supply["date"] == "2024-03-04"
    text = (FIXTURES / "minsk-talks.txt").read_text()
    start, end = supply["span"]
    assert text[start:end] == supply["sentence"]
    assert set(supply["subject"]) >= {"text", "label", "id", "type", "country"}


def test_extract_tsv_from_stdin():
    result = run("extract", "-", "--format", "tsv", input="Germany delivered tanks to Ukraine.\n")
    assert result.exit_code == 0
    header, row = result.output.splitlines()[:2]
    assert header.split("\t")[:4] == ["doc", "subject", "subject_country", "predicate"]
    cells = row.split("\t")
    assert cells[2] == "DEU" and cells[3] == "deliver" and cells[5] == "UKR"


def test_extract_leaves_out_hypothetical_events_unless_asked():
    text = "China could attack Taiwan.\n"
    assert run("extract", "-", input=text).output.strip() == ""
    (record,) = [json.loads(line) for line in run("extract", "-", "--all", input=text).output.splitlines()]
    assert record["modality"] == "hypothetical"


# "Poland sent tanks to Ukraine": the most direct reading; "Germany will protest": planned, no object, a weak one.
SURE_AND_UNSURE = "Poland sent tanks to Ukraine.\nGermany will protest.\n"


def test_extract_leaves_out_events_under_min_confidence_and_all_flags_them():
    every = [json.loads(line) for line in run("extract", "-", "--all", "--min-confidence", "0.5", input=SURE_AND_UNSURE).output.splitlines()]
    assert [(r["predicate"], r["kept"]) for r in every] == [("send", True), ("protest", False)]
    sure, unsure = every
    assert unsure["confidence"] < 0.5 <= sure["confidence"]
    kept = [json.loads(line) for line in run("extract", "-", "--min-confidence", "0.5", input=SURE_AND_UNSURE).output.splitlines()]
    assert [r["predicate"] for r in kept] == ["send"] and "kept" not in kept[0]
    below = f"{unsure['confidence']:.2f}"
    assert [json.loads(line)["predicate"] for line in run("extract", "-", "--min-confidence", below, input=SURE_AND_UNSURE).output.splitlines()] == ["send", "protest"]
    tsv = run("extract", "-", "--all", "--min-confidence", "0.5", "--format", "tsv", input=SURE_AND_UNSURE).output.splitlines()
    assert tsv[0].endswith("\tkept") and [line.rsplit("\t", 1)[1] for line in tsv[1:]] == ["true", "false"]
    assert run("extract", "-", "--min-confidence", "1.5", input=SURE_AND_UNSURE).exit_code == 2


def test_build_keeps_events_at_or_above_min_confidence(tmp_path):
    store = str(tmp_path / "store")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "note.txt").write_text("Note\n\n" + SURE_AND_UNSURE)

    def predicates() -> list[str]:
        rows = run("query", "--store", store, "--format", "json", "PREFIX kg: <https://w3id.org/kg/ontology#> SELECT ?p WHERE { ?e a kg:Event ; kg:predicate ?p } ORDER BY ?p").output
        return [row["p"] for row in json.loads(rows)]

    assert run("build", str(tmp_path / "in"), "--store", store, "--min-confidence", "0.5").exit_code == 0
    assert predicates() == ["send"]
    # Another threshold is another extractor: the article is parsed again, not left as it was.
    result = run("build", str(tmp_path / "in"), "--store", store, "--min-confidence", "0")
    assert "1 unchanged" not in result.output and predicates() == ["protest", "send"]


def test_bad_input_is_one_line_and_the_rest_is_processed(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "ok", "text": "Russia attacked Ukraine."}\n{broken\n')
    result = CliRunner().invoke(cli, ["extract", str(bad), str(tmp_path / "missing.txt")])
    assert result.exit_code == 0
    assert f"{bad}:2" in result.output and "[E001]" in result.output
    assert "missing.txt" in result.output and "[E003]" in result.output
    assert "Traceback" not in result.output
    assert '"doc": "ok"' in result.output


def test_build_summary_and_query_relations_csv(built_store):
    result = run("query", "relations", "--store", str(built_store), "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == [
        "subject", "subject_country", "predicate", "object", "object_country",
        "event_type", "theme", "date", "article", "sources",
    ]
    supply = [r for r in rows if r["predicate"] == "supply"]
    assert supply and supply[0]["subject_country"] == "RUS" and supply[0]["object_country"] == "BLR"
    assert "Iskander" in supply[0]["theme"] and supply[0]["article"] == "minsk-talks"
    attack = [r for r in rows if r["predicate"] == "attack"]
    assert attack and attack[0]["subject_country"] == "RUS" and attack[0]["object_country"] == "UKR"
    assert attack[0]["date"] == "2024-05-06"


def test_rebuilding_replaces_instead_of_duplicating(built_store):
    before = run("query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--store", str(built_store), "--format", "json")
    again = run("build", str(FIXTURES), "--store", str(built_store))
    assert again.exit_code == 0
    after = run("query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--store", str(built_store), "--format", "json")
    assert json.loads(before.output) == json.loads(after.output)


def test_query_actors_counts_mentions_across_articles(built_store):
    result = run("query", "actors", "--store", str(built_store), "--format", "json")
    actors = {row["actor"]: row for row in json.loads(result.output)}
    assert actors["Vladimir Putin"]["country"] == "RUS" and actors["Vladimir Putin"]["type"] == "Person"
    assert actors["Vladimir Putin"]["mentions"] >= 2  # "Russian President Vladimir Putin", "Putin"
    assert actors["Ukraine"]["mentions"] >= 2


def test_query_from_rq_file_and_table(built_store, tmp_path):
    query = tmp_path / "count.rq"
    query.write_text("PREFIX kg: <https://w3id.org/kg/ontology#>\nSELECT (COUNT(?e) AS ?events) WHERE { ?e a kg:Event }\n")
    result = run("query", str(query), "--store", str(built_store))
    assert result.exit_code == 0 and "events" in result.output


def test_query_errors_are_one_line(built_store, tmp_path):
    unknown = CliRunner().invoke(cli, ["query", "no-such-query", "--store", str(built_store)])
    assert unknown.exit_code == 1 and "[E030]" in unknown.output and "relations" in unknown.output
    invalid = CliRunner().invoke(cli, ["query", "SELECT WHERE {", "--store", str(built_store)])
    assert invalid.exit_code == 1 and "[E031]" in invalid.output
    missing = CliRunner().invoke(cli, ["query", "actors", "--store", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "[E022]" in missing.output
    assert all("Traceback" not in r.output for r in (unknown, invalid, missing))


@pytest.mark.parametrize(
    "command",
    [["query", "actors"], ["export", "ttl"], ["validate"], ["stats"], ["serve"], ["build", str(FIXTURES), "--model", "no_such_model"]],
)
def test_every_command_ends_a_kg_error_with_its_one_line_message(command, tmp_path):
    """One funnel (the kg group) turns a KGError of any command into "Error: [E0xx] ...", exit 1."""
    result = CliRunner().invoke(cli, [*command, "--store", str(tmp_path / "nowhere")], catch_exceptions=False)
    code = "[E010]" if "--model" in command else "[E022]"
    assert result.exit_code == 1 and result.output.strip().startswith(f"Error: {code}")
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["ttl", "trig", "nq", "jsonld"])
def test_export_rdf_formats_parse_back(built_store, tmp_path, fmt):
    out = tmp_path / f"kg.{fmt}"
    result = run("export", fmt, "--store", str(built_store), "-o", str(out))
    assert result.exit_code == 0, result.output
    parse_format = {"ttl": "turtle", "trig": "trig", "nq": "nquads", "jsonld": "json-ld"}[fmt]
    graph = rdflib.Dataset() if fmt != "ttl" else rdflib.Graph()
    graph.parse(out, format=parse_format)
    assert len(graph) > 50 or sum(1 for _ in graph.quads()) > 50


def test_export_gexf_graphml_csv(built_store, tmp_path):
    gexf = tmp_path / "kg.gexf"
    assert run("export", "gexf", "--store", str(built_store), "-o", str(gexf)).exit_code == 0
    graph = nx.read_gexf(gexf)
    labels = {data["label"] for _, data in graph.nodes(data=True)}
    assert {"Russia", "Belarus", "Ukraine"} <= labels
    graphml = tmp_path / "kg.graphml"
    assert run("export", "graphml", "--store", str(built_store), "-o", str(graphml)).exit_code == 0
    assert nx.read_graphml(graphml).number_of_edges() > 0
    tables = tmp_path / "tables"
    assert run("export", "csv", "--store", str(built_store), "-o", str(tables)).exit_code == 0
    assert (tables / "nodes.csv").read_text().startswith("Id,Label")
    assert (tables / "edges.csv").read_text().startswith("Source,Target")


def test_store_from_environment(built_store, monkeypatch):
    monkeypatch.setenv("KG_STORE", str(built_store))
    result = run("query", "actors", "--format", "csv")
    assert "Vladimir Putin" in result.output


# ---------------------------------------------------------------- hostile text and outputs (issue 19)

# Our own sentences, with rich markup and control characters (BEL, ESC) in them; kg build keeps both as written.
HOSTILE_TEXT = (
    "Russian President Vladimir Putin\x07 sent tanks to Belarus on Monday.\n\n"
    "Russia supplied Belarus with Iskander [/bold] missiles\x07 on Monday, the ministry said.\n\n"
    "Poland expelled a Belarusian [red]diplomat\x1b[31m on Monday."
)
HOSTILE_SENTENCES = [
    "Poland expelled a Belarusian [red]diplomat\x1b[31m on Monday.",
    "Russia supplied Belarus with Iskander [/bold] missiles\x07 on Monday, the ministry said.",
    "Russian President Vladimir Putin\x07 sent tanks to Belarus on Monday.",
]
SENTENCES_QUERY = "PREFIX kg: <https://w3id.org/kg/ontology#> SELECT ?s WHERE { ?e kg:sentence ?s } ORDER BY ?s"


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    source = folder / "hostile.jsonl"
    source.write_text(json.dumps({"id": "hostile", "title": "[/bold] \x07", "date": "2024-03-06", "text": HOSTILE_TEXT}) + "\n")
    result = run("build", str(source), "--store", str(folder / "store"))
    assert result.exit_code == 0, result.output
    return folder / "store"


def test_query_prints_markup_and_control_characters_as_written(hostile_store):
    as_json = run("query", SENTENCES_QUERY, "--store", str(hostile_store), "--format", "json")
    assert [row["s"] for row in json.loads(as_json.output)] == HOSTILE_SENTENCES
    as_csv = run("query", SENTENCES_QUERY, "--store", str(hostile_store), "--format", "csv")
    assert [row["s"] for row in csv.DictReader(io.StringIO(as_csv.output))] == HOSTILE_SENTENCES
    table = run("query", SENTENCES_QUERY, "--store", str(hostile_store))
    assert table.exit_code == 0 and "3 rows" in table.output
    shown = [s.replace("\x07", "\\x07").replace("\x1b", "\\x1b") for s in HOSTILE_SENTENCES]
    assert all(s in table.output for s in shown)  # markup printed, control characters as escapes
    assert "\x07" not in table.output and "\x1b" not in table.output
    actors = run("query", "actors", "--store", str(hostile_store))
    assert "Vladimir Putin\\x07" in actors.output and "\x07" not in actors.output


def test_graph_exports_of_hostile_text_parse(hostile_store, tmp_path):
    gexf, graphml = tmp_path / "kg.gexf", tmp_path / "kg.graphml"
    assert run("export", "gexf", "--store", str(hostile_store), "-o", str(gexf)).exit_code == 0
    assert run("export", "graphml", "--store", str(hostile_store), "-o", str(graphml)).exit_code == 0
    labels = {data["label"] for _, data in nx.read_gexf(gexf).nodes(data=True)}
    assert "Vladimir Putin\ufffd" in labels  # BEL, which XML cannot hold, is U+FFFD
    sentences = {data["sentence"] for *_, data in nx.read_graphml(graphml).edges(data=True)}
    assert {s.replace("\x07", "\ufffd").replace("\x1b", "\ufffd") for s in HOSTILE_SENTENCES} <= sentences


def test_stats_prints_names_with_markup_as_written(tmp_path):
    import handmade  # tests/handmade.py: stores written from hand-made records

    from kg.rdf.graph import write_article, write_ontology
    from kg.rdf.store import open_store

    store = open_store(tmp_path / "store")
    write_ontology(store)
    write_article(store, handmade.accusation("a1", "2024-03-05", "Olena [/bold] Kovalenko\x1b[31m", "UKR"))
    del store  # closed, so that kg stats can open it
    result = CliRunner().invoke(cli, ["stats", "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "Olena [/bold] Kovalenko\\x1b[31m" in result.output and "\x1b" not in result.output


def _links_and_pipes(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A regular file, a symbolic link to it and a FIFO."""
    target = tmp_path / "target.txt"
    target.write_text("kept")
    (tmp_path / "link").symlink_to(target)
    os.mkfifo(tmp_path / "fifo")
    return target, tmp_path / "link", tmp_path / "fifo"


@pytest.mark.parametrize("command", [["export", "gexf"], ["export", "nq"], ["export", "csv"], ["extract", str(FIXTURES / "minsk-talks.txt")]])
def test_output_onto_a_link_or_a_fifo_is_refused(built_store, tmp_path, command):
    target, link, fifo = _links_and_pipes(tmp_path)
    for path, kind in ((link, "a symbolic link"), (fifo, "a named pipe (FIFO)")):
        result = CliRunner().invoke(cli, [*command, "--store", str(built_store), "-o", str(path)] if command[0] == "export"
                                    else [*command, "-o", str(path)])
        assert result.exit_code == 1 and result.output.startswith(f"Error: [E150] {path} is {kind}, not a")
        assert result.output.count("\n") == 1
    assert link.is_symlink() and os.readlink(link) == str(target) and target.read_text() == "kept"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "link", "target.txt"]


def test_extract_output_is_replaced_only_by_a_whole_run(tmp_path):
    out = tmp_path / "events.jsonl"
    out.write_text("previous\n")
    failed = CliRunner().invoke(cli, ["extract", str(FIXTURES / "minsk-talks.txt"), "--model", "no_such_model", "-o", str(out)])
    assert failed.exit_code == 1 and "[E010]" in failed.output
    assert out.read_text() == "previous\n" and list(tmp_path.iterdir()) == [out]
    missing = CliRunner().invoke(cli, ["extract", str(FIXTURES / "minsk-talks.txt"), "-o", str(tmp_path / "no" / "events.jsonl")])
    assert missing.exit_code == 1 and missing.output.startswith("Error: [E151]") and list(tmp_path.iterdir()) == [out]
    assert run("extract", str(FIXTURES / "minsk-talks.txt"), "-o", str(out)).exit_code == 0
    assert out.read_text().startswith('{"doc": "minsk-talks"')


def test_extract_tsv_keeps_one_line_per_event_whatever_the_sentence_holds():
    text = "Germany delivered\r tanks\x0b to\u2028 Ukraine.\n"
    result = run("extract", "-", "--format", "tsv", input=text)
    header, row = result.output.split("\n")[:2]
    assert row.split("\t")[3] == "deliver" and row.split("\t")[-1] == "Germany delivered  tanks  to  Ukraine."


@pytest.mark.parametrize("command", [["query", "actors"], ["stats"], ["validate"], ["export", "nq"]])
def test_a_store_path_that_is_not_utf8_is_a_coded_error(tmp_path, command):
    """A command line's bytes that are not UTF-8 reach Python as surrogates (PEP 383); Oxigraph takes none."""
    folder = tmp_path / "store-\udcff"
    folder.mkdir()
    result = CliRunner().invoke(cli, [*command, "--store", str(folder)], catch_exceptions=False)
    assert result.exit_code == 1 and result.output.startswith("Error: [E021] Store ") and "not valid UTF-8" in result.output
