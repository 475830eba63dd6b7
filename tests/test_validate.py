"""kg validate: SHACL shapes over the union of the store's graphs, by SPARQL checks Oxigraph runs
(kg.rdf.shapes) and by pyshacl, the reference."""
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


def _key(result):
    return (result.severity, result.focus, result.path, result.constraint, result.value, result.values)


def _same_results(found, reference):
    """``found`` and ``reference`` (pyshacl's) are the same results; messages too where the shapes give them
    (a default message may write a literal otherwise: 1, not Literal("1", datatype=xsd:integer))."""
    from rdflib.namespace import SH

    from kg.rdf.graph import shapes_graph

    assert sorted(map(_key, found), key=str) == sorted(map(_key, reference), key=str)
    given = {str(m) for m in shapes_graph().objects(None, SH.message)}
    messages = {_key(r): r.message for r in reference}
    assert [(r.message, messages[_key(r)]) for r in found if messages[_key(r)] in given] == [
        (messages[_key(r)], messages[_key(r)]) for r in found if messages[_key(r)] in given
    ]


def test_both_engines_give_the_results_of_the_union(sample_store):
    """What only the union of graphs shows (a place with two countries in two articles, a merged event
    in two block graphs, a merged event whose report is negated in its article's graph, a mention of
    an actor typed nowhere) is found by the SPARQL checks and by pyshacl a batch of graphs at a time,
    and nothing else: the results of pyshacl on the whole store as one graph."""
    from kg.rdf.store import open_memory_store
    from kg.rdf.validate import store_graph

    store = open_memory_store()
    store.extend(list(open_store(sample_store, read_only=True)))
    faults = _break_across_graphs(store)
    union = validate_graph(store_graph(store))
    for engine in ("sparql", "pyshacl"):
        progress = []
        report = validate_store(store, engine=engine, batch_triples=5000, on_progress=lambda done, total: progress.append((done, total)))
        assert report.engine == engine
        _same_results(report.results, union)
        focus = {r.focus for r in report.violations}
        assert set(faults.values()) <= focus, {name: node for name, node in faults.items() if node not in focus}
        assert len(progress) > 3 and progress[-1][0] == progress[-1][1]


# Our own data breaking every kind of constraint the shapes use, in one graph of the small store: the
# event, sentence, article, merged events, extraction, actors, place and event type of "kinds".
EVERY_KIND = """
PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX plover: <https://w3id.org/kg/plover#>
BASE <https://w3id.org/kg/id/>
INSERT DATA { GRAPH <article/kinds> {
  <article/kinds> a kg:Article ; kg:articleId "" ; kg:contentHash "abc" ;
      kg:published "2024-13-45"^^xsd:date, "2024-03-01"^^xsd:date ; kg:subjectCode "RUS" .
  <article/kinds-copy> a kg:Article .
  <sentence/kinds> a kg:Sentence ; kg:text "Russia attacked." ; kg:start 10 ; kg:end 5 ; kg:article <article/kinds> .
  <sentence/other> a kg:Sentence ; kg:text "Another." ; kg:start 0 ; kg:end 8 ; kg:article <article/elsewhere> .
  <event/kinds-1> a kg:Event ; kg:article <article/kinds> ; kg:subject "Russia" ; kg:predicate "" ;
      kg:eventType plover:NOPE ; kg:date "11 March 2024" ; kg:sentence "Russia attacked." ; kg:start -1 ; kg:end 3 ;
      kg:negated false ; kg:modality "rumoured" ; kg:confidence 1.5, "high" ; kg:dedupBlock "xyz" ;
      prov:wasDerivedFrom <sentence/other> ; prov:wasGeneratedBy <extraction/kinds> ;
      kg:location <country/RUS> ; kg:disputes <merged-event/kinds> .
  <event/kinds-2> a kg:Event ; kg:predicate "attack" ; kg:cameoCode "rus" .
  <extraction/kinds> a kg:Extraction ; prov:used <article/kinds>, <article/kinds-copy> .
  <merged-event/kinds> a kg:MergedEvent ; kg:subject <country/RUS> ; kg:predicate "attack" ;
      kg:modality "asserted" ; kg:sourceCount 0 ; kg:firstReportedIn <article/kinds> ; kg:article <article/kinds> ;
      kg:reportedBy <event/kinds-2> .
  <merged-event/0123456789abcdef-0123456789ab> a kg:MergedEvent ; kg:object <country/RUS> ; kg:predicate "attack" ;
      kg:modality "asserted" ; kg:sourceCount 1 ; kg:firstReportedIn <article/kinds> ; kg:reportedBy <event/kinds-2> .
  <https://example.org/someone> a kg:Person ; rdfs:label "Someone" ; kg:countryCode "ru" .
  <country/NOP> a kg:Country ; rdfs:label "Nowhere" .
  <country/RUS> kg:attacks <country/FRA> ; kg:aids "Belarus" .
  plover:FAKE a kg:EventType ; skos:notation "fake" ; skos:inScheme <https://w3id.org/kg/cameo#scheme> .
  <place/kinds> a kg:Place ; rdfs:label "" ; kg:countryCode "UKR", "MDA" .
  <software/kinds> a kg:Software .
} }
"""


def test_the_sparql_checks_give_pyshacls_results_on_every_kind_of_constraint(small_store):
    """The shapes compiled into SPARQL, on data that breaks each kind of constraint they use (and on
    every shape with a target: counts, datatypes, ill-typed dates, patterns, lists, ranges, classes,
    sh:or, sh:node, qualified counts, sh:lessThan, sh:equals, sh:hasValue, inverse and sequence
    paths, the SPARQL constraint, a warning), give pyshacl's results."""
    from kg.rdf.graph import shapes_graph
    from kg.rdf.shapes import compile_shapes
    from kg.rdf.store import open_memory_store
    from kg.rdf.validate import store_graph

    store = open_memory_store()
    store.extend(list(open_store(small_store, read_only=True)))
    store.update(EVERY_KIND)
    found = validate_store(store, engine="sparql")
    reference = validate_graph(store_graph(store))
    _same_results(found.results, reference)
    kinds = {outcome.constraint for check in compile_shapes(shapes_graph(), lambda c: (c,)) for outcome in check.outcomes}
    assert kinds - {r.constraint for r in found.results} == set()  # every kind broken at least once
    assert {r.severity for r in found.results} == {"Violation", "Warning"}
    shown = {(r.severity, short(r.focus), short(r.path or "-"), r.constraint) for r in found.results}
    assert ("Warning", "kgr:event/kinds-1", "-", "OrConstraintComponent") in shown  # a block, merged into no event
    assert ("Violation", "kgr:event/kinds-2", "^kg:reportedBy", "MaxCountConstraintComponent") in shown  # into two
    assert ("Violation", "kgr:event/kinds-1", "prov:wasDerivedFrom/kg:article", "EqualsConstraintComponent") in shown


def test_a_shape_feature_the_checks_do_not_compile_is_an_error_when_they_are_compiled():
    from rdflib import Graph as RdfGraph

    from kg.errors import KGError
    from kg.rdf.shapes import compile_shapes

    head = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .\n"
    for shape, feature in (
        ("ex:S sh:targetClass ex:C ; sh:closed true .", "sh:closed"),
        ("ex:S sh:targetNode ex:n ; sh:class ex:C .", "sh:targetNode"),
        ("ex:S sh:targetClass ex:C ; sh:property [ sh:path [ sh:alternativePath ( ex:p ex:q ) ] ; sh:minCount 1 ] .", "sh:path"),
        ("ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxLength 3 ] .", "sh:maxLength"),
        ("ex:S sh:targetClass ex:C ; sh:node ex:T . ex:T sh:property [ sh:path ex:p ; sh:minCount 2 ] .", "sh:minCount"),
    ):
        with pytest.raises(KGError, match=r"\[E180\] my.ttl: .*" + feature):
            compile_shapes(RdfGraph().parse(data=head + shape, format="turtle"), lambda c: (c,), source="my.ttl")


def test_without_the_ontology_graph_both_engines_give_pyshacls_results(small_store):
    """pyshacl mixes in the shipped ontology's classes (its subclasses: a kg:Country is a kg:Actor),
    not the PLOVER concepts, which only the store's ontology graph holds: without that graph, every
    event type is a violation, for the SPARQL checks as for pyshacl."""
    from kg.rdf.store import open_memory_store
    from kg.rdf.validate import store_graph
    from kg.vocab import ONTOLOGY_GRAPH

    import pyoxigraph as ox

    store = open_memory_store()
    store.extend(list(open_store(small_store, read_only=True)))
    store.remove_graph(ox.NamedNode(ONTOLOGY_GRAPH))
    found = validate_store(store)
    assert found.engine == "sparql" and found.violations
    assert {short(r.path or "-") for r in found.violations} == {"kg:eventType"}
    _same_results(found.results, validate_graph(store_graph(store)))


def test_inference_is_pyshacls(small_store):
    from kg.errors import KGError

    store = open_store(small_store, read_only=True)
    assert validate_store(store, inference="rdfs").engine == "pyshacl"
    with pytest.raises(KGError, match=r"\[E181\]"):
        validate_store(store, engine="sparql", inference="rdfs")


def test_kg_validate_engine_and_inference(small_store):
    assert invoke("validate", "--store", small_store, "--engine", "pyshacl").exit_code == 0
    refused = invoke("validate", "--store", small_store, "--engine", "sparql", "--inference", "owlrl")
    assert refused.exit_code == 1 and "[E181]" in refused.output and "Traceback" not in refused.output


def test_the_sparql_checks_read_no_triple_into_python(sample_store, monkeypatch):
    """The SPARQL checks never copy the store's triples into rdflib: Oxigraph answers them."""
    import kg.rdf.validate as validate

    def loading(*_args, **_kwargs):
        raise AssertionError("triples were read into rdflib")

    for name in ("store_graph", "_read_graphs", "_to_graph", "validate_graph"):
        monkeypatch.setattr(validate, name, loading)
    assert validate.validate_store(open_store(sample_store, read_only=True)).engine == "sparql"


def test_pyshacl_never_holds_the_whole_store(sample_store, monkeypatch):
    """With pyshacl, the store is read a batch of graphs at a time, each batch at most ``batch_triples``
    triples (a graph larger than that, the actors graph, on its own), never the union as one graph."""
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
    assert validate.validate_store(store, engine="pyshacl", batch_triples=4000).conforms
    assert len(batches) > 3
    assert all(size <= 4000 or len(names) == 1 for names, size in batches)
    assert sum(size for names, size in batches if names != ["https://w3id.org/kg/id/graph/ontology"]) <= len(store)
