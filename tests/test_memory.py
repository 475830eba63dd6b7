"""Memory bounded by the input: a long article is parsed in pieces and joined back, with the
events it gives unsplit; no batch of the parser holds more than BATCH_CHARS characters; a chunk of
articles (one transaction of a build) holds at most CHUNK_CHARS; and a long one-line article is
extracted in a fraction of the memory it took when parsed whole (docs/reliability.md, "Memory")."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kg.extraction.parse import BATCH_CHARS, CONTEXT_TOKENS, PIECE_CHARS, extract_doc, parse_articles, piece_starts
from kg.ingest import MAX_ARTICLE_CHARS, read_articles
from kg.records import Article
from kg.run.pipeline import CHUNK_CHARS, _chunks

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def sample():
    """The sample articles (written for this project, data/README.md)."""
    return [a for a in read_articles([DATA / "articles", DATA / "wire.jsonl"]) if isinstance(a, Article)]


def _one_line(articles: list[Article], chars: int) -> str:
    """The sample's text as one line (no paragraph or line breaks), repeated up to ``chars`` characters."""
    text = " ".join(" ".join(a.text.split()) for a in articles)
    return " ".join([text] * (chars // len(text) + 1))[:chars].rstrip()


def _extracted(nlp, articles, **limits):
    return [extract_doc(nlp, doc) for doc in parse_articles(articles, nlp, **limits)]


def test_articles_parsed_in_pieces_give_the_events_and_mentions_of_the_whole(nlp, sample):
    whole = _extracted(nlp, sample)
    pieces = _extracted(nlp, sample, piece_chars=400)
    assert all(len(a.text) > 400 for a in sample)  # each of them is parsed in pieces
    assert [x.article.id for x in pieces] == [a.id for a in sample]
    assert sum(len(x.events) for x in whole) > 100
    for unsplit, split in zip(whole, pieces):
        assert split.events == unsplit.events, split.article.id
        assert split.mentions == unsplit.mentions, split.article.id


def test_a_one_line_article_is_cut_at_sentence_ends_and_gives_the_events_of_the_whole(nlp, sample):
    text = _one_line(sample, 12_000)
    article = Article("one-line", text, date="2024-03-11")
    (whole,) = parse_articles([article], nlp)
    (joined,) = parse_articles([article], nlp, piece_chars=2_000, batch_chars=5_000)
    assert joined.text == text and len(joined) == len(whole)
    assert [s.start for s in joined.sents] == [s.start for s in whole.sents]
    split, unsplit = extract_doc(nlp, joined), extract_doc(nlp, whole)
    assert len(unsplit.events) > 50
    assert split.events == unsplit.events
    for event in split.events:  # provenance offsets point into the article's own text
        assert text[event.span[0] : event.span[1]] == event.sentence


def test_piece_starts_prefer_line_breaks_then_sentence_ends_then_spaces(nlp, sample):
    lines = nlp.make_doc("\n\n".join(a.text for a in sample[:4]))
    starts = piece_starts(lines, 1_000)
    assert all("\n" in lines[i - 1].text for i in starts[1:])  # every cut after a line break
    one_line = nlp.make_doc(_one_line(sample, 20_000))
    starts = piece_starts(one_line, 1_000)
    assert len(starts) > 20
    assert all(one_line[i - 1].text in (".", "?", "!", '"', "”") for i in starts[1:])  # cut after a sentence's end
    words = nlp.make_doc(" ".join(["word"] * 3_000))  # no sentence end at all: cut at spaces
    starts = piece_starts(words, 1_000)
    ends = [*starts[1:], len(words)]
    assert all(words[i - 1].whitespace_ for i in starts[1:])
    assert all(len(words[s:e].text_with_ws) <= 1_000 for s, e in zip(starts, ends))
    assert piece_starts(nlp.make_doc("x" * 5_000), 1_000) == [0]  # one token longer than the limit is one piece


class _PipeSpy:
    """The pipeline, counting the characters of each ``nlp.pipe`` call."""

    def __init__(self, nlp) -> None:
        self.nlp, self.batches = nlp, []

    def __getattr__(self, name):
        return getattr(self.nlp, name)

    def __call__(self, doc, **kwargs):
        self.batches.append(len(doc.text))
        return self.nlp(doc, **kwargs)

    def pipe(self, docs, **kwargs):
        docs = list(docs)
        self.batches.append(sum(len(d.text) for d in docs))
        return self.nlp.pipe(docs, **kwargs)


def test_no_batch_holds_more_than_batch_chars(nlp, sample):
    spy = _PipeSpy(nlp)
    long_one = Article("long", _one_line(sample, 30_000))
    articles = [*sample[:4], long_one, *sample[4:8]]
    docs = list(parse_articles(articles, spy, piece_chars=2_000, batch_chars=6_000))
    assert [d._.article.id for d in docs] == [a.id for a in articles]
    context = 2 * CONTEXT_TOKENS * 20  # the context tokens parsed with a piece, at most some 20 characters each
    assert max(spy.batches) <= 6_000 + context
    assert sum(spy.batches) >= sum(len(d.text) for d in docs)  # everything parsed
    assert PIECE_CHARS <= BATCH_CHARS  # a piece fits in a batch
    assert MAX_ARTICLE_CHARS <= 1_000_000  # spaCy's nlp.max_length: an article is tokenized whole


def test_a_chunk_of_articles_holds_at_most_chunk_chars():
    articles = [Article(f"a{n}", "x" * size) for n, size in enumerate([150_000, 100_000, 30_000, 20_000, 250_000, 10])]
    chunks = list(_chunks(articles, 16))
    assert [[a.id for a in chunk] for chunk in chunks] == [["a0"], ["a1", "a2", "a3"], ["a4"], ["a5"]]
    assert CHUNK_CHARS <= 200_000
    assert [len(c) for c in _chunks([Article(f"b{n}", "short") for n in range(40)], 16)] == [16, 16, 8]


MEASURE = """
import sys
from kg.records import Article
from kg.run.pipeline import extract

def peak_mb():
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) // 1024

list(extract([Article("warm-up", "Poland sent tanks to Ukraine.")], workers=1))  # the model and kg's data loaded
before = peak_mb()
events = sum(len(x.events) for x in extract([Article("long", sys.stdin.read())], workers=1))
print(events, peak_mb() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)")
def test_a_long_one_line_article_is_extracted_in_bounded_memory(sample):
    """120,000 characters on one line (some 20,000 words): parsed whole, the peak grew by some
    380 MB (3 KB a character); in pieces, by under 200 MB. A loose bound; make bench measures
    a 2 MB article (docs/reliability.md)."""
    text = _one_line(sample, 120_000)
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(MEASURE)], input=text, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-2000:]
    events, growth_mb = map(int, run.stdout.split())
    assert events > 300
    assert growth_mb < 300, f"peak memory grew by {growth_mb} MB for {len(text):,} characters"
