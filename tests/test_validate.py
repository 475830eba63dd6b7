"""kg validate: SHACL shapes over the union of the store's graphs."""
from __future__ import annotations

import gc
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, Literal, URIRef

import handmade  # tests/handmade.py: stores written from hand-made records
from kg.cli import cli
from kg.rdf.query import run_query
from kg.rdf.store import open_store
from kg.rdf.validate import format_result, short, validate_graph, validate_store
from kg.rdf.namespace import KG, RESOURCE
from kg.vocab import article_iri

ROOT = Path(__file__).resolve().parent.parent
SMALL_TEXT = (
    "Russia supplied Belarus with Iskander missiles, the ministry in Minsk said on Monday.\n"
    "Poland did not attack Belarus. China could attack Taiwan. Germany condemned Russia."
)


def invoke(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("small") / "kg-store"
    result = invoke("build", "-", "--store", store, input=SMALL_TEXT)
    assert result.exit_code == 0, result.output
    gc.collect()  # close the build's store before others open it
    return store


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    """The store of the sample corpus in data/ (our own writing)."""
    store = tmp_path_factory.mktemp("sample") / "kg-store"
    built = invoke("build", ROOT / "data" / "articles", ROOT / "data" / "wire.jsonl", "--store", store)
    assert built.exit_code == 0, built.output
    gc.collect()  # close the build's store before others open it
    return store


def test_the_sample_corpus_conforms(sample_store):
    result = invoke("validate", "--store", sample_store)
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    assert "conforms to the kg shapes" in line


def test_in_the_sample_corpus_no_actor_has_two_countries(sample_store):
    store = open_store(sample_store, read_only=True)
    found = run_query(
        store,
        """PREFIX kg: <https://w3id.org/kg/ontology#>
        SELECT DISTINCT ?actor WHERE { ?actor a ?type ; kg:countryCode ?one, ?other FILTER(?one != ?other) }""",
    )
    assert found.rows == []
    assert run_query(store, "PREFIX kg: <https://w3id.org/kg/ontology#> ASK { ?a kg:countryCode ?c }").rows == [(True,)]


def test_in_the_sample_corpus_relations_has_one_row_per_merged_event(sample_store):
    store = open_store(sample_store, read_only=True)
    count = """PREFIX kg: <https://w3id.org/kg/ontology#>
        SELECT (COUNT(DISTINCT ?e) AS ?n) (SUM(?sources) AS ?total) WHERE { %s }"""
    ((merged, merged_sources),) = run_query(store, count % "?e a kg:MergedEvent ; kg:sourceCount ?sources").rows
    ((alone, _),) = run_query(  # factual reports that take part in no merging (untyped relations, say)
        store,
        count % """?e a kg:Event ; kg:negated false ; kg:modality ?m FILTER(?m IN ("asserted", "planned"))
                   FILTER NOT EXISTS { ?e kg:dedupBlock ?b } BIND(1 AS ?sources)""",
    ).rows
    relations = run_query(store, "relations").records()
    assert merged > 30 and len(relations) == merged + alone
    assert sum(r["sources"] for r in relations) == merged_sources + alone
    # each merged event in one block graph only, with one first article
    twice = run_query(
        store,
        """PREFIX kg: <https://w3id.org/kg/ontology#>
        SELECT ?e WHERE { GRAPH ?g { ?e a kg:MergedEvent } GRAPH ?h { ?e kg:firstReportedIn ?a } FILTER(?g != ?h) }""",
    )
    assert twice.rows == []


def test_an_actor_with_two_countries_is_reported_with_both():
    """The extraction gave one actor two states in two articles: one violation, naming both codes."""
    store = handmade.store_of(
        handmade.accusation("kyiv-daily", "2024-03-05", "Olena Kovalenko", "UKR"),
        handmade.accusation("chisinau-post", "2024-03-06", "Olena Kovalenko", "MDA"),
    )
    report = validate_store(store)
    assert [format_result(r) for r in report.violations] == [
        "Violation  kgr:person/olena-kovalenko  kg:countryCode  An actor is of one state: at most one kg:countryCode."
        "  values: MDA, UKR  graph: kgr:graph/actors"
    ]


def test_a_small_text_of_our_own_conforms(small_store):
    result = invoke("validate", "--store", small_store)
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1 and "conforms" in result.output


def test_a_small_text_conforms_with_rdfs_inference_too(small_store):
    report = validate_store(open_store(small_store, read_only=True), inference="rdfs")
    assert report.conforms, [format_result(r) for r in report.results]


def test_broken_data_is_reported_with_focus_nodes_and_exit_1(small_store, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(small_store, broken)
    store = open_store(broken)
    graph = str(article_iri("broken"))
    store.update(
        f"""
        PREFIX kg: <https://w3id.org/kg/ontology#>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        INSERT DATA {{ GRAPH <{graph}> {{
          <https://w3id.org/kg/id/event/orphan> a kg:Event ;
              kg:subject <https://w3id.org/kg/id/country/RUS> ;
              kg:predicate "attack" ;
              kg:date "2024-13-45"^^xsd:date .
          <https://w3id.org/kg/id/country/RUS> kg:attacks <https://w3id.org/kg/id/country/FRA> .
        }} }}
        """
    )
    store.flush()
    del store
    gc.collect()

    result = invoke("validate", "--store", broken)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    orphan = [line for line in lines if "kgr:event/orphan" in line]
    assert any("kg:article" in line and line.startswith("Violation") for line in orphan)  # no kg:article
    assert any("kg:date" in line for line in orphan)  # malformed date
    assert any("wasGeneratedBy" in line for line in orphan)
    assert all("graph: kgr:article/broken" in line for line in orphan)
    assert any("kgr:country/RUS" in line and "kg:attacks" in line for line in lines)  # an edge without its event
    assert "violations on" in result.stderr and "Traceback" not in result.output


def test_validate_graph_finds_malformed_dates_and_missing_provenance():
    graph = Graph()
    event = RESOURCE["event/x"]
    graph.add((event, RDF.type, KG.Event))
    graph.add((event, KG.subject, URIRef("https://w3id.org/kg/id/country/RUS")))
    graph.add((event, KG.date, Literal("11 March 2024")))  # a string, not an xsd:date
    graph.add((event, KG.modality, Literal("rumoured")))
    found = {(short(r.path or "-"), r.constraint) for r in validate_graph(graph) if r.focus == str(event)}
    assert ("kg:date", "DatatypeConstraintComponent") in found
    assert ("kg:modality", "InConstraintComponent") in found
    assert ("prov:wasDerivedFrom", "QualifiedMinCountConstraintComponent") in found
    assert ("kg:subject", "ClassConstraintComponent") in found  # RUS is not described as an actor here


def test_validate_needs_an_existing_store(tmp_path):
    result = invoke("validate", "--store", tmp_path / "nowhere")
    assert result.exit_code == 1 and "[E022]" in result.output


def test_validate_help_has_an_example():
    assert "Example" in invoke("validate", "--help").output


def test_merged_events_are_checked(small_store):
    """A merged event reported by a hypothetical report or by a report that is gone, and a
    dispute by a report that is not negated, are violations (docs/dedup.md)."""
    from rdflib.namespace import XSD as _XSD

    from kg.rdf.validate import store_graph

    graph = store_graph(open_store(small_store, read_only=True))
    assert list(graph.subjects(RDF.type, KG.MergedEvent))  # the build merged (one report per event here)
    (hypothetical,) = graph.subjects(KG.modality, Literal("hypothetical"))
    asserted = next(e for e in graph.subjects(KG.modality, Literal("asserted")) if (e, KG.negated, Literal(False)) in graph)
    merged = RESOURCE["merged-event/bad"]
    graph.add((merged, RDF.type, KG.MergedEvent))
    graph.add((merged, KG.subject, URIRef("https://w3id.org/kg/id/country/CHN")))
    graph.add((merged, KG.predicate, Literal("attack")))
    graph.add((merged, KG.modality, Literal("asserted")))
    graph.add((merged, KG.date, Literal("2024-03-04", datatype=_XSD.date)))
    graph.add((merged, KG.reportedBy, hypothetical))
    graph.add((merged, KG.reportedBy, RESOURCE["event/gone"]))
    graph.add((asserted, KG.disputes, merged))
    found = {(r.focus, short(r.path or "-"), r.severity) for r in validate_graph(graph)}
    assert (str(merged), "kg:reportedBy", "Violation") in found  # the hypothetical one, and the one that is gone
    assert (str(asserted), "kg:negated", "Violation") in found  # disputes, not negated
    messages = [r.message for r in validate_graph(graph) if r.focus == str(merged)]
    assert any("factual reports only" in m for m in messages) and any("kg:Event reports" in m for m in messages)
