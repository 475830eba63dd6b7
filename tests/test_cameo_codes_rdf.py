"""CAMEO actor codes in the graph (issue 17): on mentions, on each side of an event, on merged events;
the actors and dyads queries, the shapes, the actor network. Hand-made records (no spaCy) about fictional
events and a fictional person among real states, written in our own words.
"""
from __future__ import annotations

import gc
import io
import json

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from kg.cli import cli
from kg.exporters.network import to_networkx
from kg.rdf.graph import article_graph, write_article, write_ontology
from kg.rdf.merge import MergeRules
from kg.rdf.namespace import KG
from kg.rdf.query import run_query
from kg.rdf.store import open_memory_store, open_store, replace_graph
from kg.rdf.validate import format_result, validate_store
from kg.records import Actor, Article, ArticleExtraction, Event
from kg.run.pipeline import build
from kg.vocab import ACTORS_GRAPH, EVENTS_GRAPHS, actor_iri, article_iri, mention_iri

POLICE = actor_iri("Organization", "Colombian National Police")
ELN = actor_iri("Group", "ELN")
BENALI = actor_iri("Person", "Karim Benali")  # fictional
FRA = actor_iri("Country", "FRA")


def police(code: str | None = "COLCOP") -> Actor:
    return Actor("Colombian police", "Colombian National Police", POLICE, "Organization", "COL", None, (0, 16),
                 sector="COP" if code else None, code=code)


def eln(code: str | None = "COLREB") -> Actor:
    return Actor("ELN rebels", "ELN", ELN, "Group", "COL", None, (26, 36), sector="REB" if code else None, code=code)


def arrest(
    article_id: str,
    published: str | None,
    day: str | None,
    *,
    subject: Actor | None = None,
    obj: Actor | None = None,
    negated: bool = False,
    modality: str = "asserted",
) -> ArticleExtraction:
    """An article whose one sentence says the Colombian police arrested ELN rebels on ``day`` (None: undated)."""
    subject = subject or police()
    obj = obj or eln()
    verb = "did not arrest" if negated else "could arrest" if modality == "hypothetical" else "arrested"
    sentence = f"Colombian police {verb} ELN rebels in Cali."
    event = Event(article_id, subject, obj, "arrest", "COERCE", "17", None, sentence, (0, len(sentence)), day, negated,
                  modality, date_precision="day" if day else None, date_text="on Monday" if day else None)
    return ArticleExtraction(Article(article_id, sentence, date=published), [event], [subject, obj])


def visit(article_id: str, published: str, code: str) -> ArticleExtraction:
    """Karim Benali, coded ``code`` at the article's date, visits France."""
    sentence = "Karim Benali visited France."
    benali = Actor("Karim Benali", "Karim Benali", BENALI, "Person", "DZA", None, (0, 12), sector=code[3:], code=code)
    france = Actor("France", "France", FRA, "Country", "FRA", None, (21, 27), code="FRA")
    event = Event(article_id, benali, france, "visit", "CONSULT", "04", None, sentence, (0, len(sentence)), published,
                  False, "asserted", date_precision="day")
    return ArticleExtraction(Article(article_id, sentence, date=published), [event], [benali, france])


def store_of(*articles: ArticleExtraction, merge: MergeRules | None = None):
    store = open_memory_store()
    write_ontology(store)
    for article in articles:
        write_article(store, article, merge=merge)
    return store


# Two reports of one arrest (2024-03-04), one more arrest two months later (2024-05-09), a denial and a
# hypothesis (neither counts), and an arrest with no code for its target (no dyad).
ARTICLES = (
    arrest("bogota-daily", "2024-03-05", "2024-03-04"),
    arrest("cali-news", "2024-03-06", "2024-03-04"),
    arrest("bogota-daily-may", "2024-05-10", "2024-05-09"),
    arrest("denial", "2024-06-02", "2024-06-01", negated=True),
    arrest("maybe", "2024-06-03", "2024-06-02", modality="hypothetical"),
    arrest("uncoded", "2024-07-02", "2024-07-01", obj=eln(None)),
    visit("algiers-2019", "2019-06-01", "DZAELI"),
    visit("algiers-2024", "2024-01-10", "DZAGOV"),
)


@pytest.fixture(scope="module")
def store():
    return store_of(*ARTICLES)


def rows(store, query, **params):
    return run_query(store, query, substitutions=params).records()


# ---------------------------------------------------------------- where the codes live


def test_mentions_carry_code_and_sector_and_events_the_code_of_each_side():
    graph = article_graph(ARTICLES[0])
    mention = URIRef(mention_iri("bogota-daily", 0, 16))
    assert graph.value(mention, KG.cameoCode) == Literal("COLCOP") and graph.value(mention, KG.sector) == Literal("COP")
    (event,) = graph.subjects(KG.predicate, Literal("arrest"))
    assert (graph.value(event, KG.subjectCode), graph.value(event, KG.objectCode)) == (Literal("COLCOP"), Literal("COLREB"))
    # a state as a whole: a code, no sector; the actors graph never gets a code (it changes with time)
    france, visit_graph = URIRef(mention_iri("algiers-2019", 21, 27)), article_graph(ARTICLES[6])
    assert visit_graph.value(france, KG.cameoCode) == Literal("FRA") and visit_graph.value(france, KG.sector) is None


def test_records_without_codes_give_the_graph_they_gave_before():
    """No code, no triple: stores built before extraction gives codes keep their graph hash."""
    graph = article_graph(arrest("a", "2024-03-05", "2024-03-04", subject=police(None), obj=eln(None)))
    assert not [t for p in (KG.cameoCode, KG.sector, KG.subjectCode, KG.objectCode) for t in graph.triples((None, p, None))]


def test_no_code_on_actor_nodes(store):
    found = run_query(store, f"SELECT ?p WHERE {{ GRAPH <{ACTORS_GRAPH}> {{ ?a ?p ?code FILTER(?code = 'COLCOP') }} }}")
    assert found.rows == []


def test_a_merged_event_takes_the_code_most_of_its_reports_give_its_side(store):
    merged = run_query(
        store,
        """PREFIX kg: <https://w3id.org/kg/ontology#>
        SELECT ?date ?s ?o (COUNT(?r) AS ?reports) WHERE {
          ?e a kg:MergedEvent ; kg:date ?date ; kg:subjectCode ?s ; kg:objectCode ?o ; kg:reportedBy ?r
        } GROUP BY ?date ?s ?o ORDER BY ?date""",
    )
    assert [(r["date"], r["s"], r["o"], r["reports"]) for r in merged.records()] == [
        ("2019-06-01", "DZAELI", "FRA", 1),
        ("2024-01-10", "DZAGOV", "FRA", 1),
        ("2024-03-04", "COLCOP", "COLREB", 2),
        ("2024-05-09", "COLCOP", "COLREB", 1),
    ]
    # the merged arrest of 2024-07-01 has no object code: none of its reports gives one
    assert rows(store, "PREFIX kg: <https://w3id.org/kg/ontology#> SELECT ?e WHERE { ?e a kg:MergedEvent ; kg:date "
                       "'2024-07-01'^^<http://www.w3.org/2001/XMLSchema#date> FILTER NOT EXISTS { ?e kg:objectCode ?c } }")


def test_the_most_common_code_of_the_same_actor_wins_and_ties_go_to_the_most_precise_report():
    # Three reports of one arrest: two code the police COLCOP, one COLGOV; a report naming another subject
    # (the state) does not vote for the police's code.
    store = store_of(
        arrest("a", "2024-03-05", "2024-03-04"),
        arrest("b", "2024-03-05", "2024-03-04", subject=police("COLGOV")),
        arrest("c", "2024-03-06", "2024-03-04"),
    )
    codes = run_query(store, "PREFIX kg: <https://w3id.org/kg/ontology#> SELECT ?s WHERE { ?e a kg:MergedEvent ; kg:subjectCode ?s }")
    assert codes.rows == [("COLCOP",)]


def test_rebuilding_gives_the_same_triples_in_any_order():
    def quads(store) -> set[str]:
        return {str(q) for q in store if "endedAtTime" not in str(q.predicate)}

    forward, backward = store_of(*ARTICLES), store_of(*reversed(ARTICLES))
    assert quads(forward) == quads(backward)
    assert not any(write_article(forward, article) for article in ARTICLES)  # same hash: nothing written
    codes = [q for q in forward if q.predicate.value == str(KG.subjectCode) and q.graph_name.value.startswith(EVENTS_GRAPHS)]
    assert len(codes) == 5  # three arrests (one of two reports) and two visits; the denial and the hypothesis merge into none


# ---------------------------------------------------------------- the saved queries


def test_actors_shows_every_code_of_an_actor_in_order(store):
    actors = {r["actor"]: r for r in rows(store, "actors")}
    assert run_query(store, "actors").columns == ["actor", "type", "country", "mentions", "id", "code"]
    assert actors["Karim Benali"]["code"] == "DZAELI DZAGOV"  # before and after taking office
    backward = {r["actor"]: r["code"] for r in rows(store_of(*reversed(ARTICLES)), "actors")}
    assert backward["Karim Benali"] == "DZAELI DZAGOV"  # in code-point order, whatever the order of the articles
    assert actors["Colombian National Police"]["code"] == "COLCOP"
    assert actors["ELN"]["code"] == "COLREB"  # the uncoded mention adds nothing
    assert actors["France"]["code"] == "FRA"


def test_actors_has_no_code_where_no_article_gives_one():
    store = store_of(arrest("a", "2024-03-05", "2024-03-04", subject=police(None), obj=eln(None)))
    assert {r["actor"]: r["code"] for r in rows(store, "actors")} == {"Colombian National Police": None, "ELN": None}


def test_dyads_count_each_real_world_event_once_with_its_first_and_last_date(store):
    found = run_query(store, "dyads")
    assert found.columns == ["source", "target", "event_type", "events", "first_date", "last_date"]
    assert [tuple(r.values()) for r in found.records()] == [
        # two reports of 2024-03-04 and one of 2024-05-09; the denial, the hypothesis and the uncoded target left out
        ("COLCOP", "COLREB", "COERCE", 2, "2024-03-04", "2024-05-09"),
        ("DZAELI", "FRA", "CONSULT", 1, "2019-06-01", "2019-06-01"),
        ("DZAGOV", "FRA", "CONSULT", 1, "2024-01-10", "2024-01-10"),
    ]


def test_dyads_parameters(store):
    def dyads(**params):
        return [(r["source"], r["target"], r["events"]) for r in rows(store, "dyads", **params)]

    assert dyads(by="dza") == [("DZAELI", "FRA", 1), ("DZAGOV", "FRA", 1)]  # a code's beginning, any case
    assert dyads(by="DZAGOV") == [("DZAGOV", "FRA", 1)]
    assert dyads(to="COLREB", type="coerce") == [("COLCOP", "COLREB", 2)]
    assert dyads(type="ASSAULT") == []
    assert dyads(since="2024-04-01", until="2024-12-31") == [("COLCOP", "COLREB", 1)]
    (row,) = rows(store, "dyads", by="COL", until="2024-04-01")
    assert (row["events"], row["first_date"], row["last_date"]) == (1, "2024-03-04", "2024-03-04")


def test_dyads_without_merging_count_every_factual_report():
    """With --no-dedup no report is merged: each factual one counts, as in relations."""
    store = store_of(*ARTICLES, merge=MergeRules.load().with_options(enabled=False))
    (colombia, *_) = rows(store, "dyads")
    assert (colombia["source"], colombia["events"]) == ("COLCOP", 3)
    relations = [r for r in rows(store, "relations") if r["predicate"] == "arrest" and r["object"] == "ELN"]
    assert len(relations) == 4  # the three coded ones and the uncoded one


def test_an_undated_event_counts_but_has_no_date():
    undated = arrest("undated", None, None)
    (row,) = rows(store_of(undated), "dyads")
    assert (row["events"], row["first_date"], row["last_date"]) == (1, None, None)
    (row,) = rows(store_of(undated, arrest("dated", "2024-03-05", "2024-03-04")), "dyads")
    assert (row["events"], row["first_date"], row["last_date"]) == (2, "2024-03-04", "2024-03-04")


# ---------------------------------------------------------------- the shapes


def test_a_store_with_codes_conforms(store):
    report = validate_store(store)
    assert report.conforms, [format_result(r) for r in report.results]


def test_kg_validate_passes_on_a_store_built_with_codes(tmp_path):
    location = tmp_path / "kg-store"
    disk = open_store(location)
    write_ontology(disk)
    for article in ARTICLES:
        write_article(disk, article)
    del disk
    gc.collect()
    result = CliRunner().invoke(cli, ["validate", "--store", str(location)])
    assert result.exit_code == 0, result.output
    assert "conforms to the kg shapes" in result.output


@pytest.mark.parametrize("code", ["rusgov", "RUSGO", "RU", "RUS-GOV", "RUS GOV"])
def test_the_shapes_reject_a_malformed_code(code):
    bad = arrest("bad", "2024-03-05", "2024-03-04", subject=police(code))
    messages = [format_result(r) for r in validate_store(store_of(bad)).violations]
    assert any("kg:subjectCode is at most one CAMEO actor code" in m and f"value: {code}" in m for m in messages), messages
    assert any("kg:cameoCode is at most one CAMEO actor code" in m for m in messages), messages


def test_the_shapes_reject_a_malformed_sector_and_codes_where_they_do_not_belong():
    bad = arrest("bad", "2024-03-05", "2024-03-04")
    store = store_of(bad)
    graph = Graph()
    graph.add((URIRef(POLICE), KG.cameoCode, Literal("COLCOP")))  # on the actor node: it changes with time
    graph.add((URIRef(mention_iri("bad", 26, 36)), KG.sector, Literal("rebels")))
    graph.add((URIRef("https://w3id.org/kg/id/event/lonely"), KG.objectCode, Literal("COLREB")))
    replace_graph(store, article_iri("hand-made"), graph)
    messages = [format_result(r) for r in validate_store(store).violations]
    assert any("Only a kg:Mention has a kg:cameoCode" in m and "kgr:org/colombian-national-police" in m for m in messages), messages
    assert any("kg:sector is at most one CAMEO sector" in m for m in messages), messages
    assert any("has a kg:object: the code is its object's" in m for m in messages), messages
    assert any("Only an event (kg:Event or kg:MergedEvent) has a kg:objectCode" in m for m in messages), messages


# ---------------------------------------------------------------- the actor network


def test_the_actor_network_has_the_codes_of_each_actor(store):
    G = to_networkx(store)
    assert G.nodes[BENALI]["code"] == "DZAELI DZAGOV"
    assert G.nodes[POLICE]["code"] == "COLCOP"
    uncoded = store_of(arrest("a", "2024-03-05", "2024-03-04", subject=police(None), obj=eln(None)))
    assert to_networkx(uncoded).nodes[POLICE]["code"] == ""


# ---------------------------------------------------------------- end to end


def test_codes_the_extraction_gives_reach_the_graph_and_conform(nlp):
    """From text, through kg's extraction: the store with its codes conforms, dyads counts each real-world
    event with two coded sides once, and the actors' codes are their mentions'. Skipped should the extraction
    give no codes."""
    articles = [
        {"id": "minsk", "date": "2024-03-04",
         "text": "Russian President Vladimir Putin met Belarusian President Alexander Lukashenko in Minsk on Monday. "
                 "Russia supplied Belarus with Iskander missiles. Polish police arrested two Belarusian smugglers."},
        {"id": "warsaw", "date": "2024-03-05",
         "text": "Russia supplied Belarus with Iskander missiles on Monday, the ministry in Minsk said."},
    ]
    store = open_memory_store()
    build(["-"], store, stdin=io.StringIO("".join(json.dumps(a) + "\n" for a in articles)))
    sides = rows(store, "PREFIX kg: <https://w3id.org/kg/ontology#> SELECT ?e ?s ?o WHERE { ?e a kg:Event "
                        "OPTIONAL { ?e kg:subjectCode ?s } OPTIONAL { ?e kg:objectCode ?o } }")
    if not any(r["s"] or r["o"] for r in sides):
        pytest.skip("the extraction gives no CAMEO actor codes yet")
    report = validate_store(store)
    assert report.conforms, [format_result(r) for r in report.results]
    # every real-world event with two coded sides is counted once by dyads, as relations lists it once
    counted = rows(store, """PREFIX kg: <https://w3id.org/kg/ontology#>
        SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {
          ?e kg:subjectCode ?s ; kg:objectCode ?o .
          { ?e a kg:MergedEvent } UNION {
            ?e a kg:Event ; kg:negated false ; kg:modality ?m FILTER(?m IN ("asserted", "planned"))
            FILTER NOT EXISTS { ?e kg:dedupBlock ?b } } }""")
    assert sum(r["events"] for r in rows(store, "dyads")) == counted[0]["n"] > 0
    # the actors' codes are those of their mentions
    mentions = rows(store, "PREFIX kg: <https://w3id.org/kg/ontology#> SELECT DISTINCT ?a ?c WHERE { ?m kg:actor ?a ; kg:cameoCode ?c }")
    listed = {(r["id"], code) for r in rows(store, "actors") if r["code"] for code in r["code"].split(" ")}
    assert listed == {(r["a"], r["c"]) for r in mentions}
