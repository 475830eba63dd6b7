"""Tests of kg.exporters: the actor network, the exporter registry and every format."""
from __future__ import annotations

import csv
import errno
import functools
import io
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef

from kg import exporters as kgx
from kg.exporters.gephi import write_csv_tables
from kg.exporters.network import _plain_graph
from kg.vocab import PREFIXES
from kg.errors import KGError
from kg.rdf.store import open_memory_store, replace_graph
from kg.rdf.namespace import KG, PLOVER
from kg.vocab import actor_iri, article_iri, event_iri, mention_iri

RUS = URIRef(actor_iri("Country", "RUS"))
BLR = URIRef(actor_iri("Country", "BLR"))
POL = URIRef(actor_iri("Country", "POL"))
NATO = URIRef(actor_iri("Organization", "NATO"))
LUKASHENKO = URIRef(actor_iri("Person", "Alexander Lukashenko"))
# Not rdflib's XSD namespace object: pytest's collection probes module attributes and it warns.
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")

ACTORS = {
    RUS: (KG.Country, "Russia", "RUS"),
    BLR: (KG.Country, "Belarus", "BLR"),
    POL: (KG.Country, "Poland", "POL"),
    NATO: (KG.Organization, "NATO", None),
    LUKASHENKO: (KG.Person, "Alexander Lukashenko", "BLR"),
}

# article id -> (published, mentions [(actor, text)], events)
# event: (predicate, subject, object, PLOVER type, theme, date, negated)
ARTICLES = {
    "a1": (
        "2024-03-11",
        [(RUS, "Russia"), (RUS, "Moscow"), (BLR, "Belarus"), (POL, "Poland"), (LUKASHENKO, "Lukashenko")],
        [
            ("supply", RUS, BLR, "AID", "Iskander missiles", "2024-03-11", False),
            ("meet", BLR, RUS, "CONSULT", None, "2024-03-12", False),
            ("discuss", RUS, BLR, "CONSULT", None, "2024-03-12", False),
            ("attack", POL, BLR, "ASSAULT", None, "2024-03-11", True),
        ],
    ),
    "a2": (
        "2024-03-14",
        [(RUS, "Kremlin"), (BLR, "Minsk"), (POL, "Warsaw"), (NATO, "NATO")],
        [
            ("deliver", RUS, BLR, "AID", "fuel", "2024-03-14", False),
            ("condemn", POL, BLR, "DISAPPROVE", None, None, False),
            ("convene", NATO, None, "CONSULT", None, "2024-03-14", False),
            ("visit", BLR, POL, None, None, "2024-03-13", False),
        ],
    ),
}


def article_graph(article_id: str) -> Graph:
    published, mentions, events = ARTICLES[article_id]
    art = URIRef(article_iri(article_id))
    g = Graph()
    g.add((art, RDF.type, KG.Article))
    g.add((art, KG.articleId, Literal(article_id)))
    g.add((art, KG.title, Literal(f"Article {article_id}")))
    g.add((art, KG.published, Literal(published, datatype=XSD_DATE)))
    g.add((art, KG.url, Literal(f"https://example.org/{article_id}")))
    g.add((art, KG.contentHash, Literal("0" * 64)))
    actors = {actor for actor, _ in mentions} | {e[1] for e in events} | {e[2] for e in events if e[2]}
    for actor in actors:
        cls, label, code = ACTORS[actor]
        g.add((actor, RDF.type, cls))
        g.add((actor, RDFS.label, Literal(label)))
        if code:
            g.add((actor, KG.countryCode, Literal(code)))
    for i, (actor, text) in enumerate(mentions):
        m = URIRef(mention_iri(article_id, i * 10, i * 10 + len(text)))
        g.add((m, RDF.type, KG.Mention))
        g.add((m, KG.actor, actor))
        g.add((m, KG.text, Literal(text)))
        g.add((m, KG.start, Literal(i * 10)))
        g.add((m, KG.end, Literal(i * 10 + len(text))))
        g.add((m, KG.article, art))
    for i, (predicate, subj, obj, etype, theme, date, negated) in enumerate(events):
        ev = URIRef(event_iri(article_id, i * 100, i * 100 + 80, predicate))
        g.add((ev, RDF.type, KG.Event))
        g.add((ev, KG.subject, subj))
        if obj:
            g.add((ev, KG.object, obj))
        g.add((ev, KG.predicate, Literal(predicate)))
        if etype:
            g.add((ev, KG.eventType, PLOVER[etype]))
        if theme:
            g.add((ev, KG.theme, Literal(theme)))
        if date:
            g.add((ev, KG.date, Literal(date, datatype=XSD_DATE)))
        g.add((ev, KG.sentence, Literal(f"Sentence about {predicate}.")))
        g.add((ev, KG.start, Literal(i * 100)))
        g.add((ev, KG.end, Literal(i * 100 + 80)))
        g.add((ev, KG.article, art))
        g.add((ev, KG.negated, Literal(negated)))
    return g


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    return {article_id: article_graph(article_id) for article_id in ARTICLES}


@pytest.fixture(scope="module")
def store(graphs):
    s = open_memory_store()
    for article_id, g in graphs.items():
        replace_graph(s, article_iri(article_id), g)
    return s


def dump(store, name: str, **options) -> bytes:
    stream = io.BytesIO()
    kgx.export(store, name, stream, **options)
    return stream.getvalue()


# --- to_networkx ------------------------------------------------------------


def test_multigraph_nodes_and_edges(store):
    G = kgx.to_networkx(store)
    assert isinstance(G, nx.MultiDiGraph)
    # NATO takes part (event without object); Lukashenko is only mentioned.
    assert set(G.nodes) == {str(RUS), str(BLR), str(POL), str(NATO)}
    # supply, meet, discuss, deliver, condemn, visit (attack is negated; convene has no object).
    assert G.number_of_edges() == 6
    assert G.nodes[str(RUS)] == {"label": "Russia", "type": "Country", "country": "RUS", "mentions": 3, "code": ""}
    assert G.nodes[str(NATO)] == {"label": "NATO", "type": "Organization", "country": "", "mentions": 1, "code": ""}
    assert G.nodes[str(BLR)]["mentions"] == 2
    assert G.nodes[str(POL)]["mentions"] == 2


def test_edge_attributes(store):
    G = kgx.to_networkx(store)
    supply_key = str(event_iri("a1", 0, 80, "supply"))
    supply = G.edges[str(RUS), str(BLR), supply_key]
    assert supply == {
        "event_type": "AID",
        "cameo": "07",
        "predicate": "supply",
        "date": "2024-03-11",
        "article": "a1",
        "theme": "Iskander missiles",
        "sentence": "Sentence about supply.",
        "negated": False,
        "confidence": 1.0,
    }
    (condemn,) = G.get_edge_data(str(POL), str(BLR)).values()
    assert condemn["date"] == "" and condemn["theme"] == "" and condemn["article"] == "a2"
    (visit,) = G.get_edge_data(str(BLR), str(POL)).values()
    assert visit["event_type"] == ""


def test_negated_events_are_optional(store):
    G = kgx.to_networkx(store, include_unfactual=True)
    assert G.number_of_edges() == 7
    negated = [d for *_, d in G.edges(data=True) if d["negated"]]
    assert [d["predicate"] for d in negated] == ["attack"]


def test_collapse(store):
    D = kgx.to_networkx(store, collapse=True)
    assert type(D) is nx.DiGraph
    assert D.number_of_nodes() == 4 and D.number_of_edges() == 4
    assert D.edges[str(RUS), str(BLR)] == {
        "weight": 3,
        "types": "AID:2;CONSULT:1",
        "first_date": "2024-03-11",
        "last_date": "2024-03-14",
    }
    assert D.edges[str(POL), str(BLR)] == {"weight": 1, "types": "DISAPPROVE:1", "first_date": "", "last_date": ""}
    assert D.edges[str(BLR), str(POL)]["types"] == ""
    assert D.nodes[str(RUS)]["mentions"] == 3


def test_date_filter(store):
    G = kgx.to_networkx(store, start="2024-03-12", end="2024-03-13")
    assert sorted(d["predicate"] for *_, d in G.edges(data=True)) == ["discuss", "meet", "visit"]
    assert set(G.nodes) == {str(RUS), str(BLR), str(POL)}
    # Open-ended ranges; undated events are left out as soon as a bound is given.
    G = kgx.to_networkx(store, start="2024-03-14")
    assert sorted(d["predicate"] for *_, d in G.edges(data=True)) == ["deliver"]
    assert str(NATO) in G
    G = kgx.to_networkx(store, end="2024-03-11")
    assert [d["predicate"] for *_, d in G.edges(data=True)] == ["supply"]


def test_event_type_filter(store):
    G = kgx.to_networkx(store, event_types=["AID"])
    assert set(G.nodes) == {str(RUS), str(BLR)}
    assert sorted(d["predicate"] for *_, d in G.edges(data=True)) == ["deliver", "supply"]
    G = kgx.to_networkx(store, event_types="aid, plover:CONSULT")
    assert G.number_of_edges() == 4
    assert str(NATO) in G
    G = kgx.to_networkx(store, event_types=[str(PLOVER.DISAPPROVE)], collapse=True)
    assert list(G.edges) == [(str(POL), str(BLR))]


def test_bad_dates(store):
    with pytest.raises(KGError, match=r"\[E042\]"):
        kgx.to_networkx(store, start="11/03/2024")
    with pytest.raises(KGError, match=r"\[E043\]"):
        kgx.to_networkx(store, start="2024-03-14", end="2024-03-11")


def test_empty_store():
    G = kgx.to_networkx(open_memory_store(), collapse=True)
    assert G.number_of_nodes() == 0
    assert b"<graph" in dump(open_memory_store(), "gexf")


# --- RDF formats ------------------------------------------------------------


def test_turtle_is_the_union(store, graphs):
    data = dump(store, "ttl")
    g = Graph().parse(data=data, format="turtle")
    union = set(graphs["a1"]) | set(graphs["a2"])
    assert len(g) == len(union)
    assert len(union) < len(store)  # actors shared by the two articles are merged
    assert data.startswith(b"@prefix")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # inside rdflib's TriG parser
def test_trig_keeps_named_graphs(store):
    ds = Dataset()
    ds.parse(data=dump(store, "trig"), format="trig")
    quads = list(ds.quads((None, None, None, None)))
    assert len(quads) == len(store)
    assert {str(q[3]) for q in quads} == {str(article_iri("a1")), str(article_iri("a2"))}


def test_nquads(store):
    quads = list(pyoxigraph.parse(dump(store, "nq"), pyoxigraph.RdfFormat.N_QUADS))
    assert len(quads) == len(store)
    assert {q.graph_name.value for q in quads} == {str(article_iri("a1")), str(article_iri("a2"))}


def test_jsonld(store):
    data = dump(store, "jsonld")
    assert isinstance(json.loads(data), list)
    quads = list(pyoxigraph.parse(data, pyoxigraph.RdfFormat.JSON_LD))
    assert len(quads) == len(store)
    assert len({q.graph_name.value for q in quads}) == 2


def test_rdf_formats_reject_graph_options(store):
    with pytest.raises(KGError, match=r"\[E041\].*collapse"):
        dump(store, "ttl", collapse=True)
    # Unset options (None) are dropped, so a CLI can pass them through.
    assert dump(store, "nq", start=None, event_types=None)


# --- graph formats ----------------------------------------------------------


def test_gexf_has_spells(store, tmp_path):
    path = tmp_path / "net.gexf"
    assert kgx.export(store, "gexf", path) == [path]
    xml = path.read_text(encoding="utf-8")
    assert 'version="1.2"' in xml
    assert 'mode="dynamic"' in xml and 'timeformat="date"' in xml
    assert "<spells>" in xml and 'start="2024-03-11"' in xml
    G = nx.read_gexf(path)
    assert G.number_of_nodes() == 4 and G.number_of_edges() == 4
    assert G.nodes[str(RUS)]["label"] == "Russia"
    assert G.nodes[str(RUS)]["mentions"] == 3
    rus_blr = G.edges[str(RUS), str(BLR)]
    assert rus_blr["weight"] == 3
    assert rus_blr["types"] == "AID:2;CONSULT:1"
    assert rus_blr["spells"] == [(d, d) for d in ("2024-03-11", "2024-03-12", "2024-03-14")]
    assert "spells" not in G.edges[str(POL), str(BLR)]  # undated: always shown


def test_gexf_one_edge_per_event(store):
    data = dump(store, "gexf", collapse=False, include_unfactual=True)
    G = nx.read_gexf(io.BytesIO(data))
    assert G.number_of_edges() == 7
    supply_key = str(event_iri("a1", 0, 80, "supply"))
    assert f'id="{supply_key}"' in data.decode("utf-8")
    assert data.count(b"<spell ") == 6  # every dated event; condemn has no date


def test_graphml(store, tmp_path):
    path = tmp_path / "net.graphml"
    kgx.export(store, "graphml", path)
    G = nx.read_graphml(path)
    assert G.is_multigraph() and G.number_of_edges() == 6
    assert G.nodes[str(BLR)]["country"] == "BLR"
    assert {d["event_type"] for *_, d in G.edges(data=True)} == {"AID", "CONSULT", "DISAPPROVE", ""}
    D = nx.read_graphml(io.BytesIO(dump(store, "graphml", collapse=True, event_types="AID")))
    assert D.edges[str(RUS), str(BLR)]["weight"] == 2


# --- CSV ----------------------------------------------------------------------


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_csv_tables_in_directory(store, tmp_path):
    out = tmp_path / "gephi"
    written = kgx.export(store, "csv", out)
    assert written == [out / "nodes.csv", out / "edges.csv"]
    nodes = read_csv(out / "nodes.csv")
    assert nodes[0] == ["Id", "Label", "type", "country", "mentions", "code"]
    assert [str(RUS), "Russia", "Country", "RUS", "3", ""] in nodes
    edges = read_csv(out / "edges.csv")
    assert edges[0] == ["Source", "Target", "Type", "Id", "Label", "Weight", "event_type", "date", "article", "theme"]
    assert len(edges) == 7
    supply = next(row for row in edges if row[4] == "supply")
    assert supply == [str(RUS), str(BLR), "Directed", str(event_iri("a1", 0, 80, "supply")), "supply", "1",
                      "AID", "2024-03-11", "a1", "Iskander missiles"]


def test_csv_file_gets_nodes_beside_it(store, tmp_path):
    out = tmp_path / "net.csv"
    written = kgx.export(store, "csv", out, collapse=True)
    assert written == [tmp_path / "net.nodes.csv", out]
    edges = read_csv(out)
    assert edges[0] == ["Source", "Target", "Type", "Id", "Label", "Weight", "types", "first_date", "last_date"]
    rus_blr = [str(RUS), str(BLR), "Directed", f"{RUS} -> {BLR}", "", "3", "AID:2;CONSULT:1"]
    assert rus_blr + ["2024-03-11", "2024-03-14"] in edges
    assert len(read_csv(tmp_path / "net.nodes.csv")) == 5


def test_csv_to_stream_is_the_edges_table(store):
    rows = list(csv.reader(io.StringIO(dump(store, "csv").decode("utf-8"))))
    assert rows[0][:3] == ["Source", "Target", "Type"] and len(rows) == 7


def test_csv_tables_function(store, tmp_path):
    nodes, edges = write_csv_tables(store, tmp_path / "t", start="2024-03-14")
    assert len(read_csv(nodes)) == 1 + 3  # header; Russia, Belarus (deliver), NATO (convene)
    assert len(read_csv(edges)) == 1 + 1  # header; deliver


# --- export() and the registry -------------------------------------------------


def test_registry():
    assert kgx.exporter_names() == ["ttl", "trig", "nq", "jsonld", "gexf", "graphml", "csv"]
    for name in kgx.exporter_names():
        exporter = kgx.get_exporter(name)
        assert exporter.suffix.startswith(".") and exporter.description
    assert kgx.get_exporter("GEXF").name == "gexf"


def test_unknown_format(store, tmp_path):
    with pytest.raises(KGError, match=r"\[E040\].*'dot'.*gexf"):
        kgx.export(store, "dot", tmp_path / "x.dot")
    assert not (tmp_path / "x.dot").exists()


def test_register_lazy_target(store, monkeypatch):
    monkeypatch.setattr(kgx, "_EXPORTERS", dict(kgx._EXPORTERS))
    kgx.register("quads", "kg.exporters.rdf:write_nquads", suffix=".nq", description="same as nq")
    assert dump(store, "quads") == dump(store, "nq")
    kgx.register("broken", "kg.nowhere:write", suffix=".x", description="cannot load")
    with pytest.raises(KGError, match=r"\[E045\]"):
        dump(store, "broken")


# --- exporters of other packages (entry points) ----------------------------------

PLUGIN_MODULE = '''
from kg.exporters import Exporter


def write_count(store, stream):
    """Number of quads, as text."""
    stream.write(str(len(store)).encode())


def _write_subjects(store, stream, *, limit=None):
    subjects = sorted({q.subject.value for q in store})[:limit]
    stream.write("".join(s + "\\n" for s in subjects).encode())


SUBJECTS = Exporter("any-name", _write_subjects, ".txt", "One subject IRI a line")
NOT_A_WRITER = 42
'''
PLUGIN_ENTRY_POINTS = """
[kg.exporters]
count = kg_demo_plugin:write_count
subjects = kg_demo_plugin:SUBJECTS
missing = kg_demo_missing:write_missing
number = kg_demo_plugin:NOT_A_WRITER
ttl = kg_demo_plugin:write_count
"""
BUILT_IN = ["ttl", "trig", "nq", "jsonld", "gexf", "graphml", "csv"]


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """An installed package, kg-demo-plugin, whose entry points add four export formats (two broken)
    and try to replace one; the registry as if nothing had been looked up yet."""
    site = tmp_path / "site"
    (site / "kg_demo_plugin-0.1.dist-info").mkdir(parents=True)
    (site / "kg_demo_plugin-0.1.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: kg-demo-plugin\nVersion: 0.1\n")
    (site / "kg_demo_plugin-0.1.dist-info" / "entry_points.txt").write_text(PLUGIN_ENTRY_POINTS)
    (site / "kg_demo_plugin.py").write_text(PLUGIN_MODULE)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(kgx, "_EXPORTERS", dict(kgx._EXPORTERS))
    monkeypatch.setattr(kgx, "_entry_points_loaded", False)
    yield site
    sys.modules.pop("kg_demo_plugin", None)


def test_exporters_of_other_packages_register_through_entry_points(plugin, store, caplog):
    assert "kg_demo_plugin" not in sys.modules  # nothing is loaded before the registry is used
    assert kgx.exporter_names() == BUILT_IN + ["count", "missing", "number", "subjects"]
    assert kgx.get_exporter("ttl").target == "kg.exporters.rdf:write_turtle"  # kg's own format is kept
    assert "'ttl' of the entry point 'kg_demo_plugin:write_count' ignored" in caplog.text
    count = kgx.get_exporter("count")
    assert (count.suffix, count.description) == (".count", "Number of quads, as text.")
    assert dump(store, "count") == str(len(store)).encode()
    subjects = kgx.get_exporter("subjects")  # an Exporter: named by its entry point
    assert (subjects.name, subjects.suffix, subjects.options()) == ("subjects", ".txt", ["limit"])
    assert dump(store, "subjects", limit=1).count(b"\n") == 1


def test_a_broken_entry_point_is_a_coded_error_that_spares_the_other_formats(plugin, store, tmp_path):
    for name, detail in (("missing", "ModuleNotFoundError"), ("number", "neither an Exporter nor a writer function")):
        with pytest.raises(KGError) as error:
            kgx.export(store, name, tmp_path / "out" / "x")
        message = str(error.value)
        assert message.startswith(f"[E048] Export format {name!r}") and "kg-demo-plugin" in message
        assert detail in message and "\n" not in message
        assert "cannot be loaded" in kgx.get_exporter(name).description
    assert not (tmp_path / "out").exists()
    assert dump(store, "nq") and dump(store, "count")


def test_entry_points_load_when_the_registry_is_first_used_not_at_import(plugin):
    code = (
        "import sys, kg.exporters; print('kg_demo_plugin' in sys.modules); "
        "kg.exporters.exporter_names(); print('kg_demo_plugin' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                            env={"PYTHONPATH": f"{plugin}:{root}"}, check=True)
    assert result.stdout.split() == ["False", "True"]


def test_kg_export_offers_the_formats_of_other_packages(plugin, graphs, tmp_path):
    from click.testing import CliRunner

    from kg.cli import cli
    from kg.rdf.store import open_store

    location = tmp_path / "store"
    disk = open_store(location)
    for article_id, graph in graphs.items():
        replace_graph(disk, article_iri(article_id), graph)
    quads = len(disk)
    disk.flush()
    del disk

    help_text = CliRunner().invoke(cli, ["export", "--help"]).output
    assert "count     Number of quads, as text." in help_text and "ttl       Turtle" in help_text
    assert "missing   cannot be loaded" in help_text
    result = CliRunner().invoke(cli, ["export", "count", "--store", str(location)])
    assert (result.exit_code, result.output) == (0, str(quads))
    broken = CliRunner().invoke(cli, ["export", "missing", "--store", str(location)])
    assert broken.exit_code == 1 and broken.output.startswith("Error: [E048] Export format 'missing'")
    assert broken.output.count("\n") == 1 and "Traceback" not in broken.output
    unknown = CliRunner().invoke(cli, ["export", "dot", "--store", str(location)])
    assert unknown.exit_code == 2 and "'dot' is not one of 'ttl', 'trig'" in unknown.output and "'subjects'" in unknown.output


def test_export_to_every_suffix(store, tmp_path):
    for name in kgx.exporter_names():
        path = tmp_path / f"kg{kgx.get_exporter(name).suffix}"
        assert path in kgx.export(store, name, path)
        assert path.stat().st_size > 0


def test_export_to_stdout(store, capsysbinary):
    assert kgx.export(store, "nq", "-") == []
    assert capsysbinary.readouterr().out == dump(store, "nq")


def test_missing_folders_are_refused_not_created(store, tmp_path):
    for name, path in (("ttl", tmp_path / "out" / "kg.ttl"), ("csv", tmp_path / "out" / "tables"), ("csv", tmp_path / "out" / "kg.csv")):
        with pytest.raises(KGError, match=rf"^\[E151\] {path}: there is no folder {tmp_path / 'out'} to write it in"):
            kgx.export(store, name, path)
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(KGError, match=r"\[E151\]"):
        kgx.export(store, "ttl", tmp_path / "file" / "kg.ttl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    with pytest.raises(KGError, match=r"\[E150\] .*file is a regular file, not a folder"):
        kgx.export(store, "csv", tmp_path / "file")
    assert (tmp_path / "file").read_text() == "not a folder"


def test_a_new_csv_folder_is_removed_when_the_export_fails(store, tmp_path):
    with pytest.raises(KGError, match=r"\[E042\]"):
        kgx.export(store, "csv", tmp_path / "tables", start="not a date")
    assert list(tmp_path.iterdir()) == []


def test_failed_export_leaves_no_file(store, tmp_path):
    path = tmp_path / "net.gexf"
    with pytest.raises(KGError, match=r"\[E042\]"):
        kgx.export(store, "gexf", path, start="not a date")
    assert list(tmp_path.iterdir()) == []
    path.write_bytes(b"previous")
    with pytest.raises(KGError):
        kgx.export(store, "gexf", path, start="not a date")
    assert list(tmp_path.iterdir()) == [path] and path.read_bytes() == b"previous"


def test_output_path_is_a_directory(store, tmp_path):
    with pytest.raises(KGError, match=r"\[E150\] .* is a folder, not a regular file"):
        kgx.export(store, "nq", tmp_path)
    assert list(tmp_path.iterdir()) == []


def _special_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """A symbolic link to a file, a dangling one, a link to a folder and a FIFO, each with the kind E150 names."""
    target, folder = tmp_path / "target.txt", tmp_path / "folder"
    target.write_text("the link's target")
    folder.mkdir()
    files = {"link": "a symbolic link", "dangling": "a symbolic link", "folder-link": "a symbolic link", "fifo": "a named pipe (FIFO)"}
    (tmp_path / "link").symlink_to(target)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "folder-link").symlink_to(folder)
    os.mkfifo(tmp_path / "fifo")
    return {name: (tmp_path / name, kind) for name, kind in files.items()}


def _state(tmp_path: Path) -> dict[str, tuple]:
    """Every entry under tmp_path: its kind and mode, where a link points, a regular file's bytes."""
    state = {}
    for path in sorted(tmp_path.rglob("*")):
        info = path.lstat()
        state[str(path)] = (info.st_mode, os.readlink(path) if path.is_symlink() else None,
                            path.read_bytes() if stat.S_ISREG(info.st_mode) else None)
    return state


@pytest.mark.parametrize("fmt", ["nq", "gexf", "graphml", "csv"])
def test_links_pipes_and_devices_are_refused_and_left_as_they_were(store, tmp_path, fmt):
    files = _special_files(tmp_path)
    before = _state(tmp_path)
    for name, (path, kind) in files.items():
        with pytest.raises(KGError, match=rf"^\[E150\] {path} is {re.escape(kind)}, not a (regular file|folder); it was left as it was"):
            kgx.export(store, fmt, path)
    if fmt != "csv":  # csv to a path without .csv is a folder, and /dev/null is not one either
        with pytest.raises(KGError, match=r"^\[E150\] /dev/null is a character device, not a regular file"):
            kgx.export(store, fmt, "/dev/null")
    assert _state(tmp_path) == before  # nothing written through a link, nothing left beside


def test_a_regular_file_is_replaced_whole_and_keeps_its_mode(store, tmp_path):
    path = tmp_path / "kg.nq"
    path.write_bytes(b"previous")
    path.chmod(0o640)
    assert kgx.export(store, "nq", path) == [path]
    assert path.read_bytes() == dump(store, "nq") and stat.S_IMODE(path.stat().st_mode) == 0o640
    assert list(tmp_path.iterdir()) == [path]


class _FullDisk(io.FileIO):
    """A file on a disk that fills up after ``room`` bytes: writes past it fail as the kernel's do."""

    room = 3000

    def write(self, data):
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(data)


@pytest.mark.parametrize("fmt", ["nq", "gexf", "graphml"])
def test_a_full_disk_is_a_coded_error_that_keeps_the_previous_file(store, tmp_path, monkeypatch, fmt):
    monkeypatch.setattr("kg.exporters.output.io.FileIO", _FullDisk)
    path = tmp_path / f"kg.{fmt}"
    with pytest.raises(KGError, match=rf"^\[E152\] Cannot write {path}: No space left on device; the partial output was removed and nothing was written\.$"):
        kgx.export(store, fmt, path)
    assert list(tmp_path.iterdir()) == []
    path.write_bytes(b"previous")
    with pytest.raises(KGError, match=r"\[E152\] .*the previous file is as it was\.$"):
        kgx.export(store, fmt, path)
    assert list(tmp_path.iterdir()) == [path] and path.read_bytes() == b"previous"


def test_csv_tables_are_replaced_together_or_not_at_all(store, tmp_path, monkeypatch):
    edges, nodes = tmp_path / "kg.csv", tmp_path / "kg.nodes.csv"
    edges.write_bytes(b"old edges")
    nodes.write_bytes(b"old nodes")
    monkeypatch.setattr(_FullDisk, "room", len(dump(store, "csv")) - 1)  # the nodes table fits, the edges table does not
    monkeypatch.setattr("kg.exporters.output.io.FileIO", _FullDisk)
    with pytest.raises(KGError, match=rf"\[E152\] Cannot write {edges}: No space left on device"):
        kgx.export(store, "csv", edges)
    assert sorted(tmp_path.iterdir()) == [edges, nodes]
    assert (edges.read_bytes(), nodes.read_bytes()) == (b"old edges", b"old nodes")


def test_an_error_of_the_exporter_is_not_taken_for_a_full_disk(store, tmp_path, monkeypatch):
    def write_broken(store, stream):
        stream.write(b"half")  # still in the buffer when the error comes
        raise OSError(errno.EIO, "the store cannot be read")

    kgx.register("broken", write_broken, suffix=".txt", description="fails")
    try:
        with pytest.raises(OSError, match="the store cannot be read"):
            kgx.export(store, "broken", tmp_path / "out.txt")
        monkeypatch.setattr(_FullDisk, "room", 0)  # the buffer's flush when the file is dropped fails too
        monkeypatch.setattr("kg.exporters.output.io.FileIO", _FullDisk)
        with pytest.raises(OSError, match="the store cannot be read"):
            kgx.export(store, "broken", tmp_path / "out.txt")
    finally:
        kgx._EXPORTERS.pop("broken")
    assert list(tmp_path.iterdir()) == []


# Article text and names with what XML 1.0 cannot hold (NUL, BEL, ESC, vertical tab, U+FFFE) and rich markup.
HOSTILE_LABEL = "Belarus [/bold]\x00\x07\x1b[31m\x0b\ufffe end"
HOSTILE_SENTENCE = "Russia [red]supplied\x07 Belarus\x1b[0m."


def _hostile(text: str) -> str:
    """The text as the GEXF and GraphML files hold it: each character XML cannot hold is U+FFFD."""
    return "".join("\ufffd" if c in "\x00\x07\x1b\x0b\ufffe" else c for c in text)


@pytest.fixture(scope="module")
def hostile_store(graphs):
    g = Graph() + graphs["a1"]
    g.set((BLR, RDFS.label, Literal(HOSTILE_LABEL)))
    for event in g.subjects(RDF.type, KG.Event):
        g.set((event, KG.sentence, Literal(HOSTILE_SENTENCE)))
    s = open_memory_store()
    replace_graph(s, article_iri("a1"), g)
    return s


@pytest.mark.parametrize(("fmt", "collapse"), [("gexf", True), ("gexf", False), ("graphml", False), ("graphml", True)])
def test_graph_exports_hold_no_character_xml_cannot(hostile_store, fmt, collapse):
    data = dump(hostile_store, fmt, collapse=collapse)
    graph = (nx.read_gexf if fmt == "gexf" else nx.read_graphml)(io.BytesIO(data))
    assert graph.nodes[str(BLR)]["label"] == _hostile(HOSTILE_LABEL)
    sentences = {d["sentence"] for *_, d in graph.edges(data=True) if "sentence" in d}
    assert sentences == (set() if collapse else {_hostile(HOSTILE_SENTENCE)})


def test_import_is_cheap():
    code = "import sys, kg.exporters; print('networkx' in sys.modules, 'pyoxigraph' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                            env={"PYTHONPATH": str(root)}, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_dataset_formats_keep_the_default_graph_and_are_stable(graphs):
    s = open_memory_store()
    replace_graph(s, article_iri("a1"), graphs["a1"])
    s.add(pyoxigraph.Quad(pyoxigraph.NamedNode("urn:x:s"), pyoxigraph.NamedNode("urn:x:p"), pyoxigraph.Literal("o")))
    for name, fmt in [("trig", pyoxigraph.RdfFormat.TRIG), ("nq", pyoxigraph.RdfFormat.N_QUADS),
                      ("jsonld", pyoxigraph.RdfFormat.JSON_LD)]:
        data = dump(s, name)
        assert data == dump(s, name)
        quads = list(pyoxigraph.parse(data, fmt))
        assert len(quads) == len(s)
        assert sum(q.graph_name == pyoxigraph.DefaultGraph() for q in quads) == 1
    assert b"urn:x:s" in dump(s, "ttl")


def test_namespaces_match_the_vocabulary():
    # kg.exporters spells the namespaces out to avoid importing rdflib; they must not drift.
    assert PREFIXES["kg"] == str(KG._NS)
    assert PREFIXES["plover"] == str(PLOVER)
    assert str(RUS).startswith(PREFIXES["country"]) and str(NATO).startswith(PREFIXES["organization"])


# --- CAMEO roots, confidence, per-type weights ----------------------------------

# kg:confidence is not in kg.vocab yet (KG fails on unknown terms): spell the IRI out.
CONFIDENCE = URIRef(str(KG._NS) + "confidence")
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")


def test_cameo_roots_come_from_the_lexicon(store):
    from kg.extraction.lexicon import event_type

    G = kgx.to_networkx(store)
    for *_, d in G.edges(data=True):
        assert d["cameo"] == (event_type(d["event_type"]).cameo if d["event_type"] else "")
    assert {d["event_type"]: d["cameo"] for *_, d in G.edges(data=True)}["AID"] == "07"
    # DISAPPROVE is a PLOVER 0.5 alias (of ACCUSE): it still gets a root; untyped events get "".
    (condemn,) = G.get_edge_data(str(POL), str(BLR)).values()
    assert condemn["cameo"] == event_type("DISAPPROVE").cameo != ""
    (visit,) = G.get_edge_data(str(BLR), str(POL)).values()
    assert visit["cameo"] == ""


def test_lexicon_is_read_only_when_a_graph_is_built():
    code = "import sys, kg, kg.exporters; print('kg.extraction.lexicon' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                            env={"PYTHONPATH": str(root)}, check=True)
    assert result.stdout.split() == ["False"]


@pytest.fixture(scope="module")
def scored_store(graphs):
    """The two articles, with kg:confidence on some events (the others count as 1.0)."""
    s = open_memory_store()
    scores = {("a1", 0, "supply"): "0.9", ("a1", 2, "discuss"): "0.4", ("a2", 0, "deliver"): "0.75"}
    for article_id, g in graphs.items():
        g = Graph() + g
        for (art, i, predicate), score in scores.items():
            if art == article_id:
                g.add((URIRef(event_iri(art, i * 100, i * 100 + 80, predicate)), CONFIDENCE, Literal(score, datatype=XSD_DECIMAL)))
        replace_graph(s, article_iri(article_id), g)
    return s


def test_confidence_attribute_and_filter(scored_store):
    G = kgx.to_networkx(scored_store)
    confidence = {d["predicate"]: d["confidence"] for *_, d in G.edges(data=True)}
    assert confidence == {"supply": 0.9, "meet": 1.0, "discuss": 0.4, "deliver": 0.75, "condemn": 1.0, "visit": 1.0}
    G = kgx.to_networkx(scored_store, min_confidence=0.75)
    assert sorted(d["predicate"] for *_, d in G.edges(data=True)) == ["condemn", "deliver", "meet", "supply", "visit"]
    G = kgx.to_networkx(scored_store, min_confidence="0.8", collapse=True)
    assert G.edges[str(RUS), str(BLR)]["weight"] == 1  # supply only
    assert kgx.to_networkx(scored_store, min_confidence=0).number_of_edges() == 6
    assert kgx.to_networkx(scored_store, min_confidence=1).number_of_edges() == 3  # events without a score
    # Exporters take the option too.
    data = dump(scored_store, "graphml", min_confidence=0.8)
    assert nx.read_graphml(io.BytesIO(data)).number_of_edges() == 4


def test_bad_confidence_and_collapse(store):
    for value in ("high", 1.5, -0.1):
        with pytest.raises(KGError, match=r"\[E046\]"):
            kgx.to_networkx(store, min_confidence=value)
    with pytest.raises(KGError, match=r"\[E047\]"):
        kgx.to_networkx(store, collapse="pairs")


def test_unreadable_confidence_counts_as_one(graphs, caplog):
    s = open_memory_store()
    g = Graph() + graphs["a1"]
    g.add((URIRef(event_iri("a1", 0, 80, "supply")), CONFIDENCE, Literal("very")))
    replace_graph(s, article_iri("a1"), g)
    G = kgx.to_networkx(s, min_confidence=0.99)
    assert str(event_iri("a1", 0, 80, "supply")) in {k for *_, k in G.edges(keys=True)}
    assert "unreadable confidence" in caplog.text


def test_collapse_by_type(store):
    D = kgx.to_networkx(store, collapse="type")
    assert type(D) is nx.DiGraph
    columns = {"weight_AID", "weight_CONSULT", "weight_DISAPPROVE"}
    for *_, d in D.edges(data=True):
        assert columns <= set(d)  # every edge has every type's weight, 0 when absent
        assert sum(d[c] for c in columns) <= d["weight"]  # untyped events count in the total only
    rus_blr = D.edges[str(RUS), str(BLR)]
    assert (rus_blr["weight"], rus_blr["weight_AID"], rus_blr["weight_CONSULT"], rus_blr["weight_DISAPPROVE"]) == (3, 2, 1, 0)
    assert D.edges[str(BLR), str(POL)]["weight"] == 1 and D.edges[str(BLR), str(POL)]["weight_AID"] == 0
    assert kgx.to_networkx(store, collapse="total").edges[str(RUS), str(BLR)] == kgx.to_networkx(
        store, collapse=True
    ).edges[str(RUS), str(BLR)]
    # Written out, the per-type weights are plain integer columns.
    G = nx.read_graphml(io.BytesIO(dump(store, "graphml", collapse="type")))
    assert G.edges[str(RUS), str(BLR)]["weight_AID"] == 2


# --- GEXF: time intervals and structure -------------------------------------------

GEXF_NS = "http://www.gexf.net/1.2draft"


@functools.lru_cache(maxsize=1)
def _find_gexf_xsd() -> Path | None:
    """A GEXF 1.2draft XSD available offline: $KG_GEXF_XSD, or one shipped in an installed package."""
    import os
    import sysconfig

    if os.environ.get("KG_GEXF_XSD"):
        return Path(os.environ["KG_GEXF_XSD"])
    for root in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["data"] + "/share"}:
        for path in sorted(Path(root).glob("**/gexf*.xsd")):
            if "1.2" in path.read_text(encoding="utf-8", errors="replace"):
                return path
    return None


def _expected_spells(include_unfactual: bool = False) -> dict[tuple[str, str], list[str]]:
    """Distinct event dates per (subject, object) pair, straight from the fixture."""
    spells: dict[tuple[str, str], set[str]] = {}
    for _, _, events in ARTICLES.values():
        for _, subj, obj, _, _, date, negated in events:
            if obj is None or (negated and not include_unfactual):
                continue
            spells.setdefault((str(subj), str(obj)), set())
            if date:
                spells[(str(subj), str(obj))].add(date)
    return {pair: sorted(dates) for pair, dates in spells.items()}


def _parse_gexf(data: bytes):
    from lxml import etree

    root = etree.fromstring(data)
    xsd = _find_gexf_xsd()
    if xsd is not None:
        schema = etree.XMLSchema(etree.parse(str(xsd)))
        assert schema.validate(root), schema.error_log
    return root


def _q(tag: str) -> str:
    return f"{{{GEXF_NS}}}{tag}"


def check_gexf_structure(root) -> dict:
    """The parts of the GEXF 1.2draft schema our files rely on, checked by hand.

    No GEXF XSD is installed offline (see ``_find_gexf_xsd``), so the rules
    Gephi needs are asserted here: element order, declared attributes, value
    types, dynamic mode, and spells inside edges. Returns the edges as
    ``{(source, target): {"weight", "spells", "values"}}``.
    """
    assert root.tag == _q("gexf") and root.get("version") == "1.2"
    assert [child.tag for child in root] == [_q("meta"), _q("graph")]
    graph = root.find(_q("graph"))
    assert graph.get("defaultedgetype") == "directed"
    children = [child.tag for child in graph]
    assert children == sorted(children, key=[_q("attributes"), _q("nodes"), _q("edges")].index)
    declared: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}
    for block in graph.findall(_q("attributes")):
        assert block.get("class") in declared and block.get("mode") in ("static", "dynamic")
        for attribute in block.findall(_q("attribute")):
            assert attribute.get("type") in {"integer", "long", "double", "float", "boolean", "string", "liststring"}
            declared[block.get("class")][attribute.get("id")] = (attribute.get("title"), attribute.get("type"))
    casts = {"integer": int, "long": int, "double": float, "float": float, "string": str,
             "boolean": lambda v: {"true": True, "false": False}[v]}

    def values(element, cls):
        out = {}
        for attvalue in element.findall(f"{_q('attvalues')}/{_q('attvalue')}"):
            title, kind = declared[cls][attvalue.get("for")]  # every value refers to a declared attribute
            out[title] = casts[kind](attvalue.get("value"))  # and is of its declared type
        return out

    node_ids = set()
    for node in graph.findall(f"{_q('nodes')}/{_q('node')}"):
        assert node.get("id") and node.get("label")
        node_ids.add(node.get("id"))
        assert set(values(node, "node")) == {"type", "country", "mentions", "code"}
    edges = {}
    timed = False
    for edge in graph.findall(f"{_q('edges')}/{_q('edge')}"):
        assert edge.get("source") in node_ids and edge.get("target") in node_ids
        spells = [(s.get("start"), s.get("end")) for s in edge.findall(f"{_q('spells')}/{_q('spell')}")]
        for start, end in spells:
            assert dt_date(start) <= dt_date(end)
        timed = timed or bool(spells)
        edges.setdefault((edge.get("source"), edge.get("target")), []).append(
            {"id": edge.get("id"), "weight": float(edge.get("weight", 1)), "spells": spells, "values": values(edge, "edge")}
        )
    if timed:
        assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    return edges


def dt_date(text: str):
    import datetime

    return datetime.date.fromisoformat(text)


def test_gexf_time_intervals_follow_event_dates(store):
    edges = check_gexf_structure(_parse_gexf(dump(store, "gexf")))
    expected = _expected_spells()
    assert set(edges) == set(expected)
    for pair, dates in expected.items():
        (edge,) = edges[pair]  # collapsed: one edge per pair
        # One point interval per distinct event date; undated pairs have no spell (always shown).
        assert edge["spells"] == [(d, d) for d in dates]
    rus_blr = edges[(str(RUS), str(BLR))][0]
    assert rus_blr["weight"] == 3
    assert rus_blr["values"] == {"types": "AID:2;CONSULT:1", "first_date": "2024-03-11", "last_date": "2024-03-14",
                                 "event_type": "AID"}
    assert edges[(str(POL), str(BLR))][0]["values"]["event_type"] == "DISAPPROVE"
    assert edges[(str(BLR), str(POL))][0]["values"]["event_type"] == ""


def test_gexf_time_intervals_per_event(store):
    edges = check_gexf_structure(_parse_gexf(dump(store, "gexf", collapse=False, include_unfactual=True)))
    by_id = {e["id"]: e for pair_edges in edges.values() for e in pair_edges}
    assert len(by_id) == 7
    for article_id, (_, _, events) in ARTICLES.items():
        for i, (predicate, subj, obj, etype, _, date, negated) in enumerate(events):
            if obj is None:
                continue
            edge = by_id[str(event_iri(article_id, i * 100, i * 100 + 80, predicate))]  # GEXF id = event IRI
            assert edge in edges[(str(subj), str(obj))]
            assert edge["values"]["predicate"] == predicate
            assert edge["spells"] == ([(date, date)] if date else [])
            assert edge["values"]["event_type"] == (etype or "")
            assert edge["values"]["negated"] is negated
            assert edge["values"]["confidence"] == 1.0


def test_gexf_and_graphml_convert_values_they_cannot_hold(tmp_path):
    G = nx.MultiDiGraph(name="odd")
    G.add_node("a", label="A", type="Country", country=None, mentions=2, aliases=["x", "y"])
    G.add_node("b", label="B", type=None, country="BLR", mentions=0, aliases=[])
    G.add_edge("a", "b", key="e1", event_type="AID", date=None, themes={"fuel", "arms"}, counts={"AID": 1})
    _plain_graph(G)
    for writer in (nx.write_gexf, nx.write_graphml):
        stream = io.BytesIO()
        writer(G, stream)
        assert stream.getvalue()
    assert G.nodes["a"]["aliases"] == "x;y" and G.nodes["a"]["country"] == "" and G.nodes["b"]["aliases"] == ""
    assert G.edges["a", "b", "e1"]["counts"] == "AID:1" and G.edges["a", "b", "e1"]["date"] == ""
    assert G.edges["a", "b", "e1"]["themes"] == "arms;fuel"  # sets sorted, so files are stable


def test_gexf_with_per_type_weights(store):
    edges = check_gexf_structure(_parse_gexf(dump(store, "gexf", collapse="type")))
    (rus_blr,) = edges[(str(RUS), str(BLR))]
    assert rus_blr["values"]["weight_AID"] == 2 and rus_blr["values"]["weight_CONSULT"] == 1
    assert rus_blr["spells"] == [(d, d) for d in ("2024-03-11", "2024-03-12", "2024-03-14")]
    with pytest.raises(KGError, match=r"\[E047\]"):
        dump(store, "gexf", collapse="everything")
