"""Tests of kg.export: the actor network, the exporter registry and every format."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef

from kg import export as kgx
from kg.errors import KGError
from kg.store import open_memory_store, replace_graph
from kg.vocab import KG, PLOVER, actor_iri, article_iri, event_iri, mention_iri

RUS = actor_iri("Country", "RUS")
BLR = actor_iri("Country", "BLR")
POL = actor_iri("Country", "POL")
NATO = actor_iri("Organization", "NATO")
LUKASHENKO = actor_iri("Person", "Alexander Lukashenko")
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
    art = article_iri(article_id)
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
        m = mention_iri(article_id, i * 10, i * 10 + len(text))
        g.add((m, RDF.type, KG.Mention))
        g.add((m, KG.actor, actor))
        g.add((m, KG.text, Literal(text)))
        g.add((m, KG.start, Literal(i * 10)))
        g.add((m, KG.end, Literal(i * 10 + len(text))))
        g.add((m, KG.article, art))
    for i, (predicate, subj, obj, etype, theme, date, negated) in enumerate(events):
        ev = event_iri(article_id, i * 100, i * 100 + 80, predicate)
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
    assert G.nodes[str(RUS)] == {"label": "Russia", "type": "Country", "country": "RUS", "mentions": 3}
    assert G.nodes[str(NATO)] == {"label": "NATO", "type": "Organization", "country": "", "mentions": 1}
    assert G.nodes[str(BLR)]["mentions"] == 2
    assert G.nodes[str(POL)]["mentions"] == 2


def test_edge_attributes(store):
    G = kgx.to_networkx(store)
    supply_key = str(event_iri("a1", 0, 80, "supply"))
    supply = G.edges[str(RUS), str(BLR), supply_key]
    assert supply == {
        "event_type": "AID",
        "predicate": "supply",
        "date": "2024-03-11",
        "article": "a1",
        "theme": "Iskander missiles",
        "sentence": "Sentence about supply.",
        "negated": False,
    }
    (condemn,) = G.get_edge_data(str(POL), str(BLR)).values()
    assert condemn["date"] == "" and condemn["theme"] == "" and condemn["article"] == "a2"
    (visit,) = G.get_edge_data(str(BLR), str(POL)).values()
    assert visit["event_type"] == ""


def test_negated_events_are_optional(store):
    G = kgx.to_networkx(store, include_negated=True)
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
    data = dump(store, "gexf", collapse=False, include_negated=True)
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
    assert nodes[0] == ["Id", "Label", "type", "country", "mentions"]
    assert [str(RUS), "Russia", "Country", "RUS", "3"] in nodes
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
    nodes, edges = kgx.write_csv_tables(store, tmp_path / "t", start="2024-03-14")
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
    kgx.register("quads", "kg.export:write_nquads", suffix=".nq", description="same as nq")
    assert dump(store, "quads") == dump(store, "nq")
    kgx.register("broken", "kg.nowhere:write", suffix=".x", description="cannot load")
    with pytest.raises(KGError, match=r"\[E045\]"):
        dump(store, "broken")


def test_export_to_every_suffix(store, tmp_path):
    for name in kgx.exporter_names():
        path = tmp_path / f"kg{kgx.get_exporter(name).suffix}"
        assert path in kgx.export(store, name, path)
        assert path.stat().st_size > 0


def test_export_to_stdout(store, capsysbinary):
    assert kgx.export(store, "nq", "-") == []
    assert capsysbinary.readouterr().out == dump(store, "nq")


def test_output_folders_are_created(store, tmp_path):
    assert kgx.export(store, "ttl", tmp_path / "out" / "kg.ttl") == [tmp_path / "out" / "kg.ttl"]


def test_unwritable_output(store, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(KGError, match=r"\[E044\]"):
        kgx.export(store, "ttl", tmp_path / "file" / "kg.ttl")
    with pytest.raises(KGError, match=r"\[E044\]"):
        kgx.export(store, "csv", tmp_path / "file" / "tables")


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
    with pytest.raises(KGError, match=r"\[E044\]"):
        kgx.export(store, "nq", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_import_is_cheap():
    code = "import sys, kg.export; print('networkx' in sys.modules, 'pyoxigraph' in sys.modules)"
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
    # kg.export spells the namespaces out to avoid importing rdflib; they must not drift.
    assert kgx.PREFIXES["kg"] == str(KG._NS)
    assert kgx.PREFIXES["plover"] == str(PLOVER)
    assert str(RUS).startswith(kgx.PREFIXES["country"]) and str(NATO).startswith(kgx.PREFIXES["organization"])
