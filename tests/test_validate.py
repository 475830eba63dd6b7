"""kg validate: SHACL shapes over the union of the store's graphs."""
from __future__ import annotations

import gc
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, Graph, Literal, URIRef

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


def _break_across_graphs(store) -> dict[str, str]:
    """Faults that only the union of several graphs shows, each written into the store: the focus
    node of each, by name. ``store`` holds the sample corpus (articles sort before block graphs)."""
    import pyoxigraph as ox

    kg, rdf_type = "https://w3id.org/kg/ontology#", ox.NamedNode(str(RDF.type))

    def one(query: str):
        return next(iter(store.query("PREFIX kg: <https://w3id.org/kg/ontology#> " + query, use_default_graph_as_union=True)))

    articles = sorted(g.value for g in store.named_graphs() if "/article/" in g.value)
    first, last = ox.NamedNode(articles[0]), ox.NamedNode(articles[-1])
    faults = {}
    # a place with one country in one article and another in another
    place = ox.NamedNode(str(RESOURCE["place/somewhere"]))
    store.add(ox.Quad(place, rdf_type, ox.NamedNode(kg + "Place"), first))
    store.add(ox.Quad(place, ox.NamedNode(str(RDFS.label)), ox.Literal("Somewhere"), first))
    store.add(ox.Quad(place, ox.NamedNode(kg + "countryCode"), ox.Literal("UKR"), first))
    store.add(ox.Quad(place, rdf_type, ox.NamedNode(kg + "Place"), last))
    store.add(ox.Quad(place, ox.NamedNode(kg + "countryCode"), ox.Literal("MDA"), last))
    faults["place"] = place.value
    # a merged event minted by two blocks, with two first articles
    row = one("SELECT ?g ?e ?a WHERE { GRAPH ?g { ?e a kg:MergedEvent ; kg:firstReportedIn ?a } } ORDER BY ?e LIMIT 1")
    other = ox.NamedNode("https://w3id.org/kg/id/graph/events/ffffffffffffffff")
    for quad in list(store.quads_for_pattern(row["e"], None, None, row["g"])):
        target = (first if row["a"] != first else last) if quad.predicate.value == kg + "firstReportedIn" else quad.object
        store.add(ox.Quad(quad.subject, quad.predicate, target, other))
    faults["merged twice"] = row["e"].value
    # a merged event reported by a report that is now negated (in its article's graph)
    row = one("SELECT ?g ?r WHERE { GRAPH ?b { ?e kg:reportedBy ?r } GRAPH ?g { ?r kg:negated false } FILTER(?e != <%s>) } ORDER BY ?r LIMIT 1" % faults["merged twice"])
    store.remove(ox.Quad(row["r"], ox.NamedNode(kg + "negated"), ox.Literal(False), row["g"]))
    store.add(ox.Quad(row["r"], ox.NamedNode(kg + "negated"), ox.Literal(True), row["g"]))
    faults["negated report"] = one("SELECT ?e WHERE { ?e kg:reportedBy <%s> }" % row["r"].value)["e"].value
    # a mention of an actor the actors graph no longer types
    row = one("SELECT ?a ?t WHERE { GRAPH <https://w3id.org/kg/id/graph/actors> { ?a a ?t ; kg:countryCode ?c } } ORDER BY ?a LIMIT 1")
    store.remove(ox.Quad(row["a"], rdf_type, row["t"], ox.NamedNode("https://w3id.org/kg/id/graph/actors")))
    faults["untyped actor"] = one("SELECT ?m WHERE { ?m kg:actor <%s> } ORDER BY ?m LIMIT 1" % row["a"].value)["m"].value
    return faults


def test_validating_a_batch_at_a_time_gives_the_results_of_the_union(sample_store):
    """kg validate reads a few graphs at a time; what only the union of graphs shows (a place with
    two countries in two articles, a merged event in two block graphs, a merged event whose report
    is negated in its article's graph, a mention of an actor typed nowhere) is still found, and
    nothing else: the results are those of validating the whole store as one graph."""
    from kg.rdf.store import open_memory_store
    from kg.rdf.validate import store_graph

    store = open_memory_store()
    store.extend(list(open_store(sample_store, read_only=True)))
    faults = _break_across_graphs(store)
    progress = []
    batched = validate_store(store, batch_triples=5000, on_progress=lambda done, total: progress.append((done, total)))
    union = validate_graph(store_graph(store))
    key = lambda r: (r.severity, r.focus, r.path, r.constraint, r.message, r.value, r.values)  # noqa: E731
    assert sorted(map(key, batched.results)) == sorted(map(key, union))
    focus = {r.focus for r in batched.violations}
    assert set(faults.values()) <= focus, {name: node for name, node in faults.items() if node not in focus}
    assert len(progress) > 3 and progress[-1][0] == progress[-1][1]


def test_validate_store_never_holds_the_whole_store(sample_store, monkeypatch):
    """The store is read a batch of graphs at a time, each batch at most ``batch_triples`` triples
    (a graph larger than that, the actors graph, on its own), never the union as one graph."""
    import kg.rdf.validate as validate

    def whole_store(_store):
        raise AssertionError("the whole store was loaded")

    batches = []
    read = validate._read_graphs

    def reading(store, names):
        graph = read(store, names)
        batches.append((names, len(graph)))
        return graph

    monkeypatch.setattr(validate, "store_graph", whole_store)
    monkeypatch.setattr(validate, "_read_graphs", reading)
    store = open_store(sample_store, read_only=True)
    assert validate.validate_store(store, batch_triples=4000).conforms
    assert len(batches) > 3
    assert all(size <= 4000 or len(names) == 1 for names, size in batches)
    assert sum(size for names, size in batches if names != ["https://w3id.org/kg/id/graph/ontology"]) <= len(store)
