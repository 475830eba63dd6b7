"""Tests of kg.analysis (centrality, dyads, summary) and the ``kg stats`` command."""
from __future__ import annotations

import json

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from kg import analysis
from kg.cli import cli
from kg.exporters import to_networkx
from kg.rdf.store import open_memory_store, open_store, replace_graph
from kg.rdf.namespace import KG, PLOVER
from kg.vocab import actor_iri, article_iri, event_iri, mention_iri

RUS, BLR, POL, UKR = (str(actor_iri("Country", code)) for code in ("RUS", "BLR", "POL", "UKR"))
NATO = str(actor_iri("Organization", "NATO"))
LABELS = {RUS: "Russia", BLR: "Belarus", POL: "Poland", UKR: "Ukraine", NATO: "NATO"}
CLASSES = {RUS: KG.Country, BLR: KG.Country, POL: KG.Country, UKR: KG.Country, NATO: KG.Organization}
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")

# (subject, object, PLOVER type, date, negated), per article
EVENTS = {
    "a1": [
        (RUS, BLR, "AID", "2024-03-11", False),
        (RUS, BLR, "AID", "2024-03-12", False),
        (BLR, RUS, "CONSULT", "2024-03-12", False),
        (RUS, UKR, "ASSAULT", "2024-03-13", False),
        (RUS, UKR, "ASSAULT", None, True),  # negated: not in the network
    ],
    "a2": [
        (POL, BLR, "ACCUSE", "2024-03-14", False),
        (BLR, POL, None, "2024-03-14", False),
        (POL, UKR, "AID", "2024-03-15", False),
        (NATO, None, "CONSULT", "2024-03-15", False),  # no object: counted, but no edge
    ],
}


def article(article_id: str) -> Graph:
    g = Graph()
    art = URIRef(article_iri(article_id))
    g.add((art, RDF.type, KG.Article))
    g.add((art, KG.articleId, Literal(article_id)))
    actors = {a for ev in EVENTS[article_id] for a in ev[:2] if a}
    for i, actor in enumerate(sorted(actors)):
        node = URIRef(actor)
        g.add((node, RDF.type, CLASSES[actor]))
        g.add((node, RDFS.label, Literal(LABELS[actor])))
        m = URIRef(mention_iri(article_id, i * 10, i * 10 + 5))
        g.add((m, RDF.type, KG.Mention))
        g.add((m, KG.actor, node))
    for i, (subj, obj, etype, date, negated) in enumerate(EVENTS[article_id]):
        ev = URIRef(event_iri(article_id, i * 100, i * 100 + 50, "act"))
        g.add((ev, RDF.type, KG.Event))
        g.add((ev, KG.subject, URIRef(subj)))
        if obj:
            g.add((ev, KG.object, URIRef(obj)))
        if etype:
            g.add((ev, KG.eventType, PLOVER[etype]))
        if date:
            g.add((ev, KG.date, Literal(date, datatype=XSD_DATE)))
        g.add((ev, KG.negated, Literal(negated)))
        g.add((ev, KG.article, art))
    return g


def fill(store):
    for article_id in EVENTS:
        replace_graph(store, article_iri(article_id), article(article_id))
    return store


@pytest.fixture(scope="module")
def store():
    return fill(open_memory_store())


@pytest.fixture(scope="module")
def G(store):
    return to_networkx(store)


# --- weighted_digraph ---------------------------------------------------------------


def test_weighted_digraph_sums_events(G):
    D = analysis.weighted_digraph(G)
    assert type(D) is nx.DiGraph
    assert D.edges[RUS, BLR] == {"weight": 2, "distance": 0.5}
    assert D.edges[BLR, POL]["weight"] == 1
    assert D.nodes[RUS]["label"] == "Russia"
    assert set(D) == set(G)


def test_weighted_digraph_by_type_drops_zero_weights(store):
    by_type = to_networkx(store, collapse="type")
    D = analysis.weighted_digraph(by_type, weight="weight_AID")
    assert sorted(D.edges) == sorted([(RUS, BLR), (POL, UKR)])
    assert D.edges[RUS, BLR]["weight"] == 2


def test_undirected_graphs_are_refused():
    with pytest.raises(nx.NetworkXNotImplemented):
        analysis.actor_centrality(nx.Graph([("a", "b")]))
    with pytest.raises(nx.NetworkXNotImplemented):
        analysis.strongest_dyads(nx.MultiGraph([("a", "b")]))


# --- actor_centrality ------------------------------------------------------------------


def test_actor_centrality_rows(G):
    rows = analysis.actor_centrality(G)
    assert [r["label"] for r in rows][:2] == ["Belarus", "Russia"]  # 5 and 4 events
    D = analysis.weighted_digraph(G)
    assert rows[1] == {
        "id": RUS,
        "label": "Russia",
        "type": "Country",
        "country": "",
        "mentions": 1,
        "degree": 4,
        "out_degree": 3,
        "in_degree": 1,
        "partners": 2,
        "pagerank": pytest.approx(nx.pagerank(D)[RUS]),
        "betweenness": pytest.approx(nx.betweenness_centrality(D, weight="distance")[RUS]),
    }
    # Belarus -> Ukraine has two shortest paths, one through Russia.
    assert rows[1]["betweenness"] > 0
    by_id = {r["id"]: r for r in rows}
    assert by_id[NATO]["degree"] == 0 and by_id[NATO]["partners"] == 0  # only an object-less event
    assert sum(r["pagerank"] for r in rows) == pytest.approx(1.0)
    # Degrees are sorted, most active first.
    assert [r["degree"] for r in rows] == sorted((r["degree"] for r in rows), reverse=True)
    assert len(analysis.actor_centrality(G, n=2)) == 2


def test_betweenness_uses_strong_ties_as_short_paths():
    # a -> b -> d is heavy (3 events each); a -> c -> d is light: b brokers, c does not.
    G = nx.DiGraph()
    G.add_edge("a", "b", weight=3)
    G.add_edge("b", "d", weight=3)
    G.add_edge("a", "c", weight=1)
    G.add_edge("c", "d", weight=1)
    rows = {r["id"]: r for r in analysis.actor_centrality(G)}
    assert rows["b"]["betweenness"] > 0 and rows["c"]["betweenness"] == 0
    assert rows["b"]["degree"] == 6 and rows["c"]["degree"] == 2


def test_weighted_pagerank_on_one_event_type(store):
    by_type = to_networkx(store, collapse="type")
    rows = analysis.actor_centrality(by_type, weight="weight_ASSAULT")
    assert rows[0]["label"] in ("Russia", "Ukraine") and rows[0]["degree"] == 1
    assert max(rows, key=lambda r: r["pagerank"])["label"] == "Ukraine"  # the target of the assault


def test_empty_graph():
    assert analysis.actor_centrality(nx.MultiDiGraph()) == []
    assert analysis.strongest_dyads(nx.MultiDiGraph()) == []
    lone = nx.MultiDiGraph()
    lone.add_node("x")
    assert analysis.actor_centrality(lone)[0]["pagerank"] == 1.0


# --- strongest_dyads --------------------------------------------------------------------


def test_strongest_dyads(G):
    dyads = analysis.strongest_dyads(G, n=3)
    assert [(d["actor_a"], d["actor_b"], d["events"]) for d in dyads] == [
        ("Russia", "Belarus", 3),
        ("Belarus", "Poland", 2),
        ("Poland", "Ukraine", 1),
    ]
    top = dyads[0]
    assert (top["a_to_b"], top["b_to_a"]) == (2, 1)
    assert top["types"] == {"AID": 2, "CONSULT": 1}
    assert (top["first_date"], top["last_date"]) == ("2024-03-11", "2024-03-12")
    assert (top["id_a"], top["id_b"]) == (RUS, BLR)
    assert dyads[1]["types"] == {"ACCUSE": 1, "untyped": 1}
    assert len(analysis.strongest_dyads(G, None)) == 4


def test_dyads_from_the_collapsed_graph_agree(store, G):
    from_multi = analysis.strongest_dyads(G, None)
    from_collapsed = analysis.strongest_dyads(to_networkx(store, collapse=True), None)
    keys = ("actor_a", "actor_b", "events", "a_to_b", "b_to_a", "types", "first_date", "last_date")
    assert [{k: d[k] for k in keys} for d in from_collapsed] == [{k: d[k] for k in keys} for d in from_multi]


def test_self_loops_are_no_dyad():
    G = nx.MultiDiGraph([("a", "a"), ("a", "b")])
    assert [(d["actor_a"], d["actor_b"]) for d in analysis.strongest_dyads(G)] == [("a", "b")]


# --- counts and summary -------------------------------------------------------------------


def test_counts_by_type(store):
    assert analysis.actors_by_type(store) == {"Country": 4, "Organization": 1}
    assert analysis.events_by_type(store) == {"AID": 3, "CONSULT": 2, "ACCUSE": 1, "ASSAULT": 1, "untyped": 1}
    assert analysis.events_by_type(store, include_unfactual=True)["ASSAULT"] == 2


def test_summary(store):
    result = analysis.summary(store, top=2)
    # no kg:MergedEvent in this hand-made store: every report is an event of its own
    assert result["counts"] == {
        "articles": 2, "reports": 9, "events": 8, "not_factual": 1, "actors": 5, "triples": len(store),
    }
    assert sum(result["events_by_type"].values()) == result["counts"]["events"]
    assert sum(result["actors_by_type"].values()) == result["counts"]["actors"]
    assert result["actors_by_type"] == {"Country": 4, "Organization": 1}
    assert result["events_by_type"]["AID"] == 3
    assert result["network"]["actors"] == 5 and result["network"]["events"] == 7 and result["network"]["pairs"] == 6
    assert result["network"]["components"] == 2  # NATO alone
    assert [r["label"] for r in result["top_actors"]] == ["Belarus", "Russia"]
    assert len(result["dyads"]) == 2
    json.dumps(result)  # JSON-ready


# --- kg stats -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("stats") / "kg-store"
    s = fill(open_store(path))
    s.flush()
    del s
    return path


def test_stats_json(store_dir):
    result = CliRunner().invoke(cli, ["stats", "--store", str(store_dir), "--format", "json", "--top", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"counts", "actors_by_type", "events_by_type", "network", "top_actors", "dyads", "sources"}
    assert data["sources"] == []  # no article of this store was fetched from the web (tests/test_watch.py)
    assert len(data["top_actors"]) == 3 and data["top_actors"][0]["label"] == "Belarus"
    assert data["dyads"][0]["types"] == {"AID": 2, "CONSULT": 1}


def test_stats_table(store_dir):
    result = CliRunner().invoke(cli, ["stats", "--store", str(store_dir), "--top", "2"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2 articles, 9 reports, 8 events stated as fact, 1 not stated as fact, 5 actors" in out
    for title in ("Actors by type", "Events by type", "Top actors by degree", "Strongest dyads"):
        assert title in out
    assert "AID 2, CONSULT 1" in out
    assert "│ 07 " in out  # CAMEO root of AID
    assert "Ukraine" not in out.split("Top actors by degree")[1].split("Strongest dyads")[0]  # --top 2


def test_stats_help_and_missing_store(tmp_path):
    assert "Example" in CliRunner().invoke(cli, ["stats", "--help"]).output
    result = CliRunner().invoke(cli, ["stats", "--store", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "[E022]" in result.output and "Traceback" not in result.output


def test_bad_top_is_a_usage_error(store_dir):
    result = CliRunner().invoke(cli, ["stats", "--store", str(store_dir), "--top", "0"])
    assert result.exit_code == 2
