"""NLP stage: boilerplate removal with offsets into the original text, and the pipeline."""
from __future__ import annotations

import pytest

from kg.errors import KGError
from kg.ingest import Article
from kg.extraction.clean import clean_text, is_boilerplate
from kg.extraction.language import load_pipeline
from kg.extraction.parse import parse_articles


def test_boilerplate_lines_are_dropped_and_offsets_map_back():
    text = (
        "Headline\n"
        "Subscribe Now Choose a package that suits your preferences.\n"
        "Already a Subscriber? Current print subscriber? Activate your complimentary Digital account.\n"
        "Poland sent tanks to Ukraine.\n"
    )
    cleaned = clean_text(text)
    assert "Subscribe" not in cleaned.text and "Subscriber" not in cleaned.text
    start = cleaned.text.index("Poland")
    original = cleaned.to_original(start)
    assert text[original : original + len("Poland sent")] == "Poland sent"


def test_article_sentences_are_not_boilerplate():
    assert not is_boilerplate("Readers who subscribe to the paper get it free.")
    assert not is_boilerplate("Belarus provided Russia with a launching pad.")


def test_pipeline_has_gazetteer_ruler_before_ner(nlp):
    assert nlp.pipe_names.index("kg_actor_ruler") < nlp.pipe_names.index("ner")
    assert load_pipeline() is nlp  # loaded once


def test_missing_model_is_a_clear_error():
    with pytest.raises(KGError, match=r"\[E010\].*not-a-model"):
        load_pipeline("not-a-model")


def test_parse_articles_streams_in_order(nlp):
    articles = [Article("a", "Russia attacked Ukraine."), Article("b", "Subscribe now\nChina protested.")]
    docs = list(parse_articles(iter(articles), nlp, batch_size=1))
    assert [doc._.article.id for doc in docs] == ["a", "b"]
    assert docs[1].text == "China protested."
    assert docs[1]._.clean.to_original(0) == articles[1].text.index("China")
    assert all(doc._.events is None for doc in docs)  # extraction runs apart: kg.extraction.parse.extract_doc
