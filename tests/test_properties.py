"""Properties (hypothesis): any text in, valid RDF out; IRIs minted from any name are valid."""
from __future__ import annotations

import io
import json
import re

import pyoxigraph
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.records import ArticleExtraction
from kg.rdf.graph import article_graph
from kg.ingest import Article, Notice, Skipped, read_articles, read_bytes, split_text
from kg.rdf.store import open_memory_store, replace_graph
from kg.vocab import RESOURCE_NS, actor_iri, article_iri, event_iri, extraction_iri, mention_iri, model_iri, place_iri, sentence_iri, slug

SETTINGS = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# Any Unicode text, with the characters that break naive RDF and SPARQL writers over-represented.
NASTY = st.sampled_from(list('"\'<>\\{}\n\r\t\x00\x7f\u2028\ufeff#;.') + ["DROP ALL", "INSERT DATA", "\\u0022", "\\U0000003E", "}}", "]]>"])
TEXT = st.lists(st.text(max_size=20) | NASTY, max_size=12).map("".join)
SLUG = re.compile(r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*|x[0-9a-f]{12})$")


def _valid_iri(iri: str) -> bool:
    pyoxigraph.NamedNode(iri)  # raises ValueError for an invalid IRI
    return iri.startswith(RESOURCE_NS)


@SETTINGS
@given(TEXT)
def test_slug_is_always_a_safe_path_segment(text):
    assert SLUG.match(slug(text))


@SETTINGS
@given(TEXT, TEXT)
def test_minted_iris_are_valid_and_distinct(first, second):
    for text in (first, second):
        assert _valid_iri(str(article_iri(text)))
        assert _valid_iri(str(event_iri(text, 0, 10, text)))
        assert _valid_iri(str(mention_iri(text, 3, 4)))
        assert _valid_iri(str(sentence_iri(text, 3, 4)))
        assert _valid_iri(str(place_iri(text)))
        assert _valid_iri(str(extraction_iri(text, text, text, text, text)))
        assert _valid_iri(str(model_iri(text, text)))
        # Countries are keyed by their ISO 3166 code from the gazetteer, not by free text.
        for actor_type in ("Person", "Organization", "ArmedForce", "Group", "Actor"):
            assert _valid_iri(str(actor_iri(actor_type, text)))
    if first != second:
        assert article_iri(first) != article_iri(second)


@SETTINGS
@given(id=TEXT.filter(str.strip), title=st.none() | TEXT, url=st.none() | TEXT, text=TEXT.filter(str.strip))
def test_any_article_round_trips_through_the_store_as_n_quads(id, title, url, text):
    article = Article(id=id, text=text, title=title, url=url, source=f"{id}.txt")
    graph = article_graph(ArticleExtraction(article, [], []))
    store = open_memory_store()
    replace_graph(store, str(article_iri(id)), graph)
    assert len(store) == len(graph)
    dump = store.dump(format=pyoxigraph.RdfFormat.N_QUADS)
    parsed = rdflib.Dataset()
    parsed.parse(data=dump, format="nquads")
    assert sum(1 for _ in parsed.quads((None, None, None, None))) == len(graph)
    assert set(parsed.graph(rdflib.URIRef(article_iri(id)))) == set(graph)  # every literal exactly as written


@SETTINGS
@given(records=st.lists(st.fixed_dictionaries({"id": st.none() | TEXT | st.integers(), "text": TEXT, "title": st.none() | TEXT, "url": TEXT}), max_size=6))
def test_every_jsonl_record_is_an_article_or_a_coded_message(records):
    stdin = io.StringIO("\n".join(json.dumps(r) for r in records) + "\n")
    items = list(read_articles(["-"], stdin=stdin))
    articles = [i for i in items if isinstance(i, Article)]
    assert all(isinstance(i, (Article, Skipped, Notice)) for i in items)
    assert all(re.match(r"^\[E\d{3}\] stdin", i.message) for i in items if not isinstance(i, Article))
    assert len({a.id for a in articles}) == len(articles)
    with_text = [r for r in records if r["text"].strip()]
    # One article per record with text; the same id with the same text again is read once.
    given_id = lambda r: None if r["id"] in (None, "") else str(r["id"])  # noqa: E731
    assert len(articles) == len({(given_id(r), r["text"]) for r in with_text})
    for article in articles:
        assert article.text in {r["text"] for r in with_text}


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300), st.sampled_from([".txt", ".md", ".jsonl", ".html"]))
def test_any_bytes_give_articles_or_coded_messages(raw, suffix):
    for item in read_bytes(raw, "input" + suffix):
        if isinstance(item, Article):
            assert item.text.strip()
            item.text.encode("utf-8")  # storable: no unpaired surrogates
        else:
            assert re.match(r"^\[E\d{3}\] input", item.message), item.message


@SETTINGS
@given(TEXT, st.integers(1, 40))
def test_split_text_keeps_every_character_within_the_limit(text, limit):
    pieces = split_text(text, limit)
    assert "".join(pieces) == text
    assert all(0 < len(p) <= limit for p in pieces) or text == ""
