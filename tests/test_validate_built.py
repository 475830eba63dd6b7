"""A store kg builds conforms to the kg shapes, whatever the articles (issue 18).

The corpora are generated (hypothesis) from sentences of our own writing: reports of the
same events in several articles, so that merging happens, and actors named with different
states in different articles ("Polish spokesman Ivan Petrov", "Ukrainian spokesman Ivan
Petrov"; known people given a state that is not theirs), which is what made a store kg
built fail ``kg validate`` (an actor with several countries, a merged event in two blocks).
"""
from __future__ import annotations

import gc
import json

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import cli
from kg.ingest import Article
from kg.rdf.query import run_query
from kg.rdf.store import open_memory_store
from kg.rdf.validate import format_result, validate_store
from kg.run.pipeline import build

STATES = ("Russia", "Ukraine", "Poland", "Moldova", "Germany", "Belarus", "Israel", "Iran")
DEMONYMS = ("Russian", "Ukrainian", "Polish", "Moldovan", "German", "Belarusian", "Israeli", "Iranian")
PEOPLE = ("Olena Kovalenko", "Ivan Petrov", "Anna Nowak", "Mihai Rusu", "Vladimir Putin", "Sergei Lavrov", "Olaf Scholz")
ROLES = ("lawmaker", "minister", "general", "activist", "spokesman", "president")
GROUPS = ("NATO", "the Wagner Group", "Hamas", "the European Union", "Houthi rebels")
PLACES = ("Kharkiv", "Lviv", "Odesa", "Minsk", "Chisinau", "Gaza", "Bakhmut")
WHEN = ("on March 4", "on March 5", "in March", "on Monday", "last week", "")
TEMPLATES = (
    "{a} attacked {b} {when}.",
    "{a} accused {b} of sabotage {when}.",
    "{a} sent tanks to {b} {when}.",
    "{a} imposed sanctions on {b} {when}.",
    "{a} met {b} in {place} {when}.",
    "{a} shelled {place} {when}.",
    "{a} did not attack {b} {when}.",
    "{a} could attack {b}.",
    "{a} threatened {b} {when}.",
    "{a} signed an agreement with {b} {when}.",
    "Troops of {a} seized {place} {when}.",
    "{a} denied that it attacked {b} {when}.",
)

ACTOR = st.one_of(
    st.sampled_from(STATES),
    st.builds(lambda d, r, p: f"{d} {r} {p}", st.sampled_from(DEMONYMS), st.sampled_from(ROLES), st.sampled_from(PEOPLE)),
    st.builds(lambda d: f"the {d} army", st.sampled_from(DEMONYMS)),
    st.sampled_from(PEOPLE),
    st.sampled_from(GROUPS),
)
SENTENCE = st.builds(
    lambda template, a, b, when, place: " ".join(template.format(a=a, b=b, when=when, place=place).split()).replace(" .", "."),
    st.sampled_from(TEMPLATES),
    ACTOR,
    ACTOR,
    st.sampled_from(WHEN),
    st.sampled_from(PLACES),
)


@st.composite
def corpora(draw) -> list[Article]:
    """2 to 6 articles of 1 to 5 sentences, about half of them drawn from a few shared reports."""
    shared = draw(st.lists(SENTENCE, min_size=1, max_size=4))
    articles = []
    for n in range(draw(st.integers(2, 6))):
        sentences = draw(st.lists(st.one_of(st.sampled_from(shared), SENTENCE), min_size=1, max_size=5))
        day = draw(st.integers(4, 8))
        articles.append(Article(id=f"generated-{n}", text=" ".join(sentences), date=f"2024-03-{day:02d}"))
    return articles


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora(), st.integers(1, 5))
def test_a_store_built_from_any_corpus_conforms(articles, first):
    """Built in two runs (the first articles, then all: blocks recomputed as reports join them)."""
    store = open_memory_store()
    build(articles[:first], store)
    build(articles, store)
    report = validate_store(store)
    assert report.conforms, "\n".join([format_result(r) for r in report.violations] + [a.text for a in articles])


def test_a_store_built_from_the_benchmarks_generated_corpus_conforms():
    """The corpus make bench generates (bench/corpus.py; section 6 builds 2,000 of its articles and
    validates the store), in small: ten articles of recombined paragraphs of the sample, whose
    reports repeat across them, built in two runs as a growing folder would be."""
    from bench.corpus import generate

    articles = [Article(id=r["id"], text=r["text"], title=r["title"], date=r["date"]) for r in generate(10, seed=3)]
    store = open_memory_store()
    build(articles[:5], store)
    build(articles, store)
    report = validate_store(store)
    assert report.engine == "sparql"
    assert report.conforms, "\n".join(format_result(r) for r in report.violations)
    merged = run_query(store, "PREFIX kg: <https://w3id.org/kg/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?e a kg:MergedEvent }").rows
    assert merged[0][0] > 50


OVERLAPPING = [
    "Russia attacked Ukraine on March 4. Polish spokesman Ivan Petrov accused Belarus of sabotage on March 4.",
    "Russia attacked Ukraine on March 4. Ukrainian spokesman Ivan Petrov accused Belarus of sabotage on March 4.",
    "Russia attacked Ukraine on March 4. Moldovan president Vladimir Putin met Olaf Scholz in Minsk.",
    "Russian president Vladimir Putin met Olaf Scholz in Minsk. Russia did not attack Ukraine on March 4.",
]


def test_kg_validate_passes_on_a_store_kg_built_from_overlapping_reports(tmp_path):
    """Through the CLI: four articles report one attack (one merged event, four sources) and
    name one spokesman and one president with different states; kg validate exits 0."""
    corpus = tmp_path / "overlapping.jsonl"
    corpus.write_text(
        "".join(json.dumps({"id": f"overlap-{n}", "text": text, "date": "2024-03-05"}) + "\n" for n, text in enumerate(OVERLAPPING)),
        encoding="utf-8",
    )
    store = tmp_path / "kg-store"
    built = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(store)])
    assert built.exit_code == 0, built.output
    gc.collect()  # close the build's store before validate opens it
    from kg.rdf.store import open_store

    reader = open_store(store, read_only=True)
    sources = run_query(reader, "PREFIX kg: <https://w3id.org/kg/ontology#> SELECT (MAX(?n) AS ?m) WHERE { ?e kg:sourceCount ?n }").rows
    assert sources[0][0] >= 3  # the attack, merged across the articles that state it
    del reader
    gc.collect()
    result = CliRunner().invoke(cli, ["validate", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "conforms to the kg shapes" in result.output
