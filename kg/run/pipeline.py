"""The main jobs as plain functions: ``extract`` (articles to event records) and
``build`` (articles to the store). The CLI and notebooks both call these.

Both stream: articles are read, parsed and written a chunk at a time, so
memory does not grow with the size of the input. With ``workers > 1`` the
parsing and extraction run in a pool of processes (:mod:`kg.run.workers`) and
the results still come back, and are written, in input order. A build
skips an article before parsing it when the store already holds its graph,
made from the same input by the same extractor (:func:`input_key`), so
running ``kg build`` again on a growing folder only parses what is new. See
``docs/performance.md``.

>>> import io
>>> from kg.rdf.store import open_memory_store
>>> summary = build(["-"], open_memory_store(), stdin=io.StringIO("Poland sent tanks to Ukraine."))
>>> summary.articles, summary.counts.reports, summary.counts.events
(1, 1, 1)
"""
from __future__ import annotations

import hashlib
import itertools
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import NamedTuple, TextIO

import pyoxigraph

from kg import __version__
from kg.errors import Errors, KGError
from kg.extraction.language import DEFAULT_MODEL, load_pipeline, model_meta
from kg.extraction.rules import load_rules
from kg.ingest import content_hash, read_articles
from kg.ingest.screen import DEFAULT_LANGUAGES
from kg.rdf.blocks import BlockCache
from kg.rdf.counts import StoreCounts, store_counts
from kg.rdf.graph import Provenance, stored_graph_hash, write_ontology
from kg.rdf.merge import MergeRules
from kg.rdf.store import replace_graphs, store_failure, term_value, uninterrupted
from kg.records import Article, ArticleExtraction, Notice, Skipped
from kg.run.workers import ArticleOutput, WorkerPool, article_output, process_chunk
from kg.vocab import article_iri

__all__ = ["BuildSummary", "Builder", "INPUTS_GRAPH", "extract", "build", "check_languages", "extractor_fingerprint", "input_key"]

log = logging.getLogger(__name__)

#: Where a build records, for each article graph, the input and extractor it was made from:
#: ``<article graph> <urn:x-kg:input-key> "INPUT_KEY GRAPH_HASH"``. Bookkeeping, not part of the ontology.
INPUTS_GRAPH = pyoxigraph.NamedNode("urn:x-kg:inputs")
_INPUT_KEY = pyoxigraph.NamedNode("urn:x-kg:input-key")

#: Articles per task handed to a worker process.
CHUNK_SIZE = 16
#: Characters of text per chunk of articles, at most (unless one article is longer): a chunk is
#: written in one transaction, whose memory grows with its text (some 1.5 KB a character).
CHUNK_CHARS = 200_000
#: Articles written between two flushes of the store (some 100,000 quads of news-length articles).
#: Oxigraph sizes RocksDB's write buffers for bulk loads (128 MB per index, several of them), so
#: RocksDB flushes late on its own: writing 700,000 triples unflushed peaked 646 MB higher (1,492 MB
#: against 846) and took 20 % more CPU.
FLUSH_EVERY = 64
#: Characters of article text written between two flushes, at most (long articles: a million
#: characters make some 330,000 quads and 300 MB of write buffers).
FLUSH_CHARS = 500_000


@dataclass
class BuildSummary:
    """What a build did: the articles it read, what was skipped and why, how long it took,
    and what the store holds after it.

    ``articles`` are the articles of this build's input that are in the
    store, ``unchanged`` of them left as they were, their stored graph being
    up to date, and ``skipped_unchanged`` of those not even parsed, because
    the store holds their graph from the same input and extractor (see
    :func:`input_key`). ``notices`` are inputs read with a caveat (decoded
    from a legacy encoding, split because of their size): nothing of them
    was lost. ``counts`` are those of the whole store once built, as ``kg
    stats`` gives them (:func:`kg.rdf.counts.store_counts`: articles,
    reports, events, not_factual, actors, triples).
    """

    articles: int = 0
    seconds: float = 0.0
    counts: StoreCounts = field(default_factory=StoreCounts)
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    unchanged: int = 0  # articles whose stored graph was already up to date (left as it was)
    skipped_unchanged: int = 0  # of those, the ones skipped before parsing

    def describe(self, store: str) -> str:
        """Two lines: what this build did, and what the store ``store`` holds (as ``kg stats`` says it).

        >>> summary = BuildSummary(articles=3, seconds=1.25, counts=StoreCounts(3, 5, 3, 1, 4, 900), unchanged=2)
        >>> print(summary.describe("kg-store"))
        Built kg-store in 1.2 s: 3 articles, 2 of them unchanged
        kg-store holds 3 articles, 5 reports, 3 events stated as fact, 1 not stated as fact, 4 actors, 900 triples
        """
        run = f"Built {store} in {self.seconds:.1f} s: {self.articles} article{'' if self.articles == 1 else 's'}"
        if self.unchanged:
            run += f", {self.unchanged} of them unchanged"
            if self.skipped_unchanged:
                run += f" ({self.skipped_unchanged} not parsed again)"
        if self.skipped:
            run += f"; {len(self.skipped)} input{'' if len(self.skipped) == 1 else 's'} skipped"
        return f"{run}\n{store} holds {self.counts}"


def extract(
    inputs: Iterable[str | Article],
    *,
    model: str = DEFAULT_MODEL,
    stdin: TextIO | None = None,
    on_skip: Callable[[Skipped | Notice], None] | None = None,
    batch_size: int = 32,
    workers: int = 1,
    chunk_size: int = CHUNK_SIZE,
    min_parallel: int | None = None,
    pool: WorkerPool | None = None,
    min_confidence: float = 0.0,
    languages: Iterable[str] | None = DEFAULT_LANGUAGES,
) -> Iterator[ArticleExtraction]:
    """Read, parse and extract every article of ``inputs`` (paths, ``"-"`` for standard
    input, or articles already read), streaming, in input order; events of confidence
    under ``min_confidence`` are left out.

    Inputs that cannot be read, and articles whose parsing or extraction
    fails, are passed to ``on_skip`` (as ``Skipped``, or ``Notice`` for an
    input read with a caveat) and the run goes on. So are articles in a
    language not in ``languages`` (ISO 639-1 codes; ``None``: any) and text
    that is template code (:func:`kg.ingest.screen.screen`); every language
    accepted must be the model's (``KGError`` E086, :func:`check_languages`).

    ``workers > 1`` parses in that many processes, ``chunk_size`` articles
    per task, once the input holds more than ``min_parallel`` articles
    (default: two chunks per worker); a smaller input is parsed here, which
    is quicker than starting processes that each load the model. ``pool``
    is a running :class:`kg.run.workers.WorkerPool` to use (whatever the size
    of the input), so that several calls load the model once.
    """
    report = on_skip or (lambda skipped: log.warning(skipped.message))
    languages = check_languages(model, languages)  # E010, E086 now, not after the first article
    articles = _articles(inputs, stdin, report)
    for outputs in _parsed(
        articles,
        model=model,
        workers=workers,
        graphs=False,
        languages=languages,
        batch_size=batch_size,
        chunk_size=chunk_size,
        min_parallel=min_parallel,
        pool=pool,
        min_confidence=min_confidence,
    ):
        for item in outputs:
            if isinstance(item, Skipped):
                report(item)
            else:
                yield item.extraction


def build(
    inputs: Iterable[str | Article],
    store: pyoxigraph.Store,
    *,
    merge: MergeRules | None = None,
    model: str = DEFAULT_MODEL,
    stdin: TextIO | None = None,
    on_skip: Callable[[Skipped | Notice], None] | None = None,
    on_article: Callable[[ArticleExtraction], None] | None = None,
    on_unchanged: Callable[[Article], None] | None = None,
    workers: int = 1,
    force: bool = False,
    batch_size: int = 32,
    chunk_size: int = CHUNK_SIZE,
    min_parallel: int | None = None,
    pool: WorkerPool | None = None,
    min_confidence: float | None = None,
    languages: Iterable[str] | None = DEFAULT_LANGUAGES,
) -> BuildSummary:
    """Extract every article of ``inputs`` and write each into its own named graph of ``store``.

    Re-building an article replaces its graph, so nothing is duplicated; an
    article whose graph would not change is left as it is (``unchanged``).
    An article whose graph the store holds from the same input and the same
    extractor (kg version, model and version, data files: :func:`input_key`)
    is not even parsed (``skipped_unchanged``; ``on_unchanged(article)``
    is called for it); ``force`` parses every article again.
    The ontology and PLOVER scheme are (re)loaded into ``ONTOLOGY_GRAPH``.
    Reports of one real-world event are merged by the rules ``merge``
    (default: the shipped ones, :meth:`kg.rdf.merge.MergeRules.load`).
    Events of confidence under ``min_confidence`` (default: the shipped
    ``min_confidence`` of extraction.json) are left out of the graph.

    Each article is all or nothing in the store, with the merged events it
    changes: each chunk of articles parsed together (``batch_size`` here,
    ``chunk_size`` in workers, see :func:`extract`) is written in one
    transaction with the merged events of the blocks its articles leave or
    join. So a build stopped at any moment (killed, Ctrl-C, the disk full)
    leaves a store that holds every article written before, complete, and
    no merged event of an article it lacks; running it again completes the
    rest. Ctrl-C waits for the chunk being written and its count
    (``on_article``). A failure of the store itself stops the build with a
    ``kg.rdf.store.StoreFailure`` (E130 the disk is full, E131 a damaged
    file, E132 another I/O error). ``pool``, ``languages``: see :func:`extract`.
    """
    languages = check_languages(model, languages)
    builder = Builder(
        store,
        merge=merge,
        model=model,
        on_skip=on_skip,
        on_article=on_article,
        on_unchanged=on_unchanged,
        min_confidence=min_confidence,
    )
    parsed = _parsed(
        (article for article in _articles(inputs, stdin, builder.skip) if force or not builder.already_built(article)),
        model=model,
        workers=workers,
        graphs=True,
        languages=languages,
        merge=builder.merge,
        batch_size=batch_size,
        chunk_size=chunk_size,
        min_parallel=min_parallel,
        pool=pool,
        min_confidence=builder.min_confidence,
    )
    for outputs in parsed:
        builder.write(outputs)
    return builder.finish()


class Builder:
    """The writing side of a build: what :func:`build` and :func:`kg.run.distributed.build_on_dask` share.

    It loads the ontology, tells which articles need no parsing
    (:meth:`already_built`), writes parsed articles (:meth:`write`) and
    counts everything in a :class:`BuildSummary` (:meth:`finish`). The
    article graphs and merged events are made with the rules ``merge``
    (default: the shipped ones), of the events of confidence ``min_confidence``
    or more (default: the shipped threshold).
    """

    def __init__(
        self,
        store: pyoxigraph.Store,
        *,
        merge: MergeRules | None = None,
        model: str = DEFAULT_MODEL,
        on_skip: Callable[[Skipped | Notice], None] | None = None,
        on_article: Callable[[ArticleExtraction], None] | None = None,
        on_unchanged: Callable[[Article], None] | None = None,
        min_confidence: float | None = None,
    ) -> None:
        self.store = store
        self.model = model
        self.merge = merge if merge is not None else MergeRules.load()
        self.min_confidence = load_rules().confidence.min_confidence if min_confidence is None else min_confidence
        self.summary = BuildSummary()
        self._started = time.perf_counter()
        self._on_skip, self._on_article, self._on_unchanged = on_skip, on_article, on_unchanged
        self.fingerprint = extractor_fingerprint(model, self.merge, self.min_confidence)  # E010 now, not after the first article
        self._keys: dict[str, str] = {}  # article id -> input key, while the article is being parsed
        self._provenance: Provenance | None = None
        self._unflushed = 0  # articles written since the store last flushed its write buffers
        self._unflushed_chars = 0  # and the characters of their text
        self._blocks = BlockCache(store, self.merge)  # the merged events written, so a batch writes what it changes
        with _store_faults():
            write_ontology(store)

    def skip(self, item: Skipped | Notice) -> None:
        """Record (and report) an input or article that was skipped, or read with a caveat."""
        if isinstance(item, Notice):
            self.summary.notices.append(item)
        else:
            self.summary.skipped.append(item)
        if self._on_skip:
            self._on_skip(item)

    def already_built(self, article: Article, key: str | None = None) -> bool:
        """True, counting it, when the store holds the article's graph made from the same input
        and extractor (``key``, default :func:`input_key`); else remember its key for the write."""
        key = key or input_key(article, self.fingerprint)
        with uninterrupted():  # counted with the check, so that Ctrl-C's count is the store's
            with _store_faults():
                built = _built_from(self.store, article.id, key)
            if not built:
                self._keys[article.id] = key
                return False
            self.summary.articles += 1
            self.summary.unchanged += 1
            self.summary.skipped_unchanged += 1
            log.info("stored %s (unchanged, not parsed again)", article.id)
            if self._on_unchanged:
                self._on_unchanged(article)
        return True

    def write(self, outputs: Iterable[ArticleOutput | Skipped]) -> None:
        """Write parsed articles in one transaction, with the merged events they change; their
        graphs are made here unless a worker made them (``nquads``)."""
        batch: list[ArticleOutput] = []
        for item in outputs:
            if isinstance(item, Skipped):
                self.skip(item)
            elif item.nquads is not None:
                batch.append(item)
            elif (made := self._made_here(item.extraction)) is not None:
                batch.append(made)
        if batch:
            self._write(batch)

    def finish(self) -> BuildSummary:
        """Flush the store and complete the summary."""
        with _store_faults():
            self.store.flush()
            self.summary.counts = store_counts(self.store)
        self.summary.seconds = time.perf_counter() - self._started
        return self.summary

    def _made_here(self, extraction: ArticleExtraction) -> ArticleOutput | None:
        """The graph of an article parsed in this process, as a worker makes it (``None``, skipped, if it cannot be made)."""
        if self._provenance is None:
            self._provenance = Provenance.from_pipeline(load_pipeline(self.model), self.model)
        try:
            return article_output(extraction, self._provenance, self.merge)
        except Exception as e:  # noqa: BLE001  one odd article must not cost the rest of the run
            log.debug("making the graph failed", exc_info=True)
            self.skip(_not_stored(extraction.article, e))
            return None

    def _write(self, outputs: list[ArticleOutput]) -> None:
        # A Ctrl-C waits for the commit and for its count (on_article), so that the count is the store's.
        with uninterrupted():
            with _store_faults():
                written = _write_batch(self.store, outputs, self._key, self._blocks, self.skip)
            for extraction, changed in written:
                self._stored(extraction, changed)

    def _key(self, article: Article) -> str:
        return self._keys.pop(article.id, None) or input_key(article, self.fingerprint)

    def _stored(self, extraction: ArticleExtraction, changed: bool) -> None:
        self._unflushed += changed
        self._unflushed_chars += len(extraction.article.text) if changed else 0
        if self._unflushed >= FLUSH_EVERY or self._unflushed_chars >= FLUSH_CHARS:
            # RocksDB keeps what is written in memory until it flushes (FLUSH_EVERY says why it waits so long).
            with _store_faults():
                self.store.flush()
            self._unflushed = self._unflushed_chars = 0
        log.info("stored %s (%d events)", extraction.article.id, len(extraction.events))
        self.summary.articles += 1
        self.summary.unchanged += not changed
        if self._on_article:
            self._on_article(extraction)


# ---------------------------------------------------------------- parsing, here or in workers


def check_languages(model: str, languages: Iterable[str] | None) -> tuple[str, ...] | None:
    """``languages`` as a tuple, after checking that the spaCy pipeline ``model`` is for every one
    of them (a multi-language pipeline, ``lang`` "xx", is for all): ``KGError`` E086 if not,
    E010 when it is not installed."""
    model_lang = str(model_meta(model).get("lang", ""))
    if languages is None:
        return None
    accepted = tuple(languages)
    if model_lang == "xx":
        return accepted
    missing = [code for code in accepted if code != model_lang]
    if missing:
        raise KGError(Errors.E086.format(languages=",".join(accepted), model=model, model_lang=model_lang, missing=", ".join(missing)))
    return accepted


def _articles(inputs: Iterable[str | Article], stdin: TextIO | None, report: Callable[[Skipped | Notice], None]) -> Iterator[Article]:
    # The language of each article is judged where it is parsed (_parsed), not here.
    for item in read_articles(inputs, stdin=stdin, languages=None):
        if isinstance(item, Article):
            yield item
        else:
            report(item)


def _chunks(articles: Iterable[Article], size: int, max_chars: int = CHUNK_CHARS) -> Iterator[list[Article]]:
    """``articles`` in lists of at most ``size``, and of at most ``max_chars`` characters of text
    unless one article alone is longer."""
    chunk: list[Article] = []
    chars = 0
    for article in articles:
        if chunk and (len(chunk) >= max(1, size) or chars + len(article.text) > max_chars):
            yield chunk
            chunk, chars = [], 0
        chunk.append(article)
        chars += len(article.text)
    if chunk:
        yield chunk


def _parsed(
    articles: Iterator[Article],
    *,
    model: str,
    workers: int,
    graphs: bool,
    batch_size: int,
    chunk_size: int,
    min_parallel: int | None,
    merge: MergeRules | None = None,
    pool: WorkerPool | None = None,
    min_confidence: float = 0.0,
    languages: tuple[str, ...] | None = None,
) -> Iterator[list[ArticleOutput | Skipped]]:
    """Chunks of parsed and extracted articles (events of confidence ``min_confidence`` or more;
    articles in a language not in ``languages`` skipped), in input order: in a pool of ``workers`` processes (which also make the graphs, when
    ``graphs``, with the rules ``merge``) once there are more than ``min_parallel`` articles,
    else in this process (extractions only)."""
    if pool is not None:
        yield from pool.imap(_chunks(articles, chunk_size), graphs=graphs, merge=merge, min_confidence=min_confidence, languages=languages)
        return
    ahead: list[Article] = []
    if workers > 1:
        threshold = 2 * chunk_size * workers if min_parallel is None else min_parallel
        for article in articles:
            ahead.append(article)
            if len(ahead) > threshold:
                break
        if len(ahead) > threshold:
            with WorkerPool(workers, model=model) as own:
                chunks = _chunks(itertools.chain(ahead, articles), chunk_size)
                yield from own.imap(chunks, graphs=graphs, merge=merge, min_confidence=min_confidence, languages=languages)
            return
    nlp = None
    for chunk in _chunks(itertools.chain(ahead, articles), batch_size):
        if nlp is None:
            nlp = load_pipeline(model)
        yield process_chunk(nlp, chunk, min_confidence=min_confidence, languages=languages)


# ---------------------------------------------------------------- writing


@contextmanager
def _store_faults() -> Iterator[None]:
    """Raise a failure of the store itself (a full disk, a damaged file) as its coded
    ``StoreFailure`` (:func:`kg.rdf.store.store_failure`); other errors pass unchanged."""
    try:
        yield
    except (OSError, RuntimeError) as e:
        failure = store_failure(e)
        if failure is None:
            raise
        raise failure from e


def _write_batch(
    store: pyoxigraph.Store,
    batch: list[ArticleOutput],
    key: Callable[[Article], str],
    blocks: BlockCache,
    skip: Callable[[Skipped], None],
) -> list[tuple[ArticleExtraction, bool]]:
    """Write the articles' graphs, with the merged events they change (the changes of the
    block graphs ``blocks`` holds: :class:`kg.rdf.blocks.BlockCache`) and their input records, all in one
    transaction; the articles written, in order, and whether each changed. If the
    transaction fails, each article is tried on its own; a failure of the store itself
    (``OSError``, a damaged file: :func:`kg.rdf.store.store_failure`) is raised."""
    staged: list[_Staged] = []
    for output in batch:
        article = output.extraction.article
        name = pyoxigraph.NamedNode(article_iri(article.id))
        record = _input_quad(name, key(article), output.graph_hash)
        if stored_graph_hash(store, article.id) == output.graph_hash:
            staged.append(_Staged(output.extraction, name, None, [], record))
            continue
        quads = list(pyoxigraph.parse(output.nquads, format=pyoxigraph.RdfFormat.N_QUADS))
        own = [q for q in quads if q.graph_name == name]
        staged.append(_Staged(output.extraction, name, own, [q for q in quads if q.graph_name != name], record))

    def write(items: list[_Staged]) -> None:
        graphs = [(item.name, item.quads) for item in items if item.quads is not None]
        # The merged events of the blocks these articles leave or join (kg.rdf.blocks), in the same transaction.
        changes = blocks.changes({name.value: own for name, own in graphs})
        replace_graphs(
            store,
            [*graphs, *((name, []) for name in changes.dropped)],
            merge=[*(q for item in items for q in item.actors), *changes.insert],
            values=[item.record for item in items],
            delete=changes.delete,
        )
        blocks.commit(changes)

    try:
        write(staged)
        return [(item.extraction, item.quads is not None) for item in staged]
    except Exception as e:  # noqa: BLE001  find the article that cannot be written
        if store_failure(e) is not None:
            raise
        if len(staged) == 1:
            skip(_not_stored(staged[0].extraction.article, e))
            return []
        log.debug("writing a batch failed; writing its articles one by one", exc_info=True)
    written = []
    for item in staged:
        try:
            write([item])
        except Exception as e:  # noqa: BLE001
            if store_failure(e) is not None:
                raise
            skip(_not_stored(item.extraction.article, e))
            continue
        written.append((item.extraction, item.quads is not None))
    return written


class _Staged(NamedTuple):
    """An article of a batch, ready to write: the quads of its graph (``None``: unchanged, not
    written again), those of its actors (merged into the shared graph), and its input record."""

    extraction: ArticleExtraction
    name: pyoxigraph.NamedNode
    quads: list[pyoxigraph.Quad] | None
    actors: list[pyoxigraph.Quad]
    record: pyoxigraph.Quad


def _not_stored(article: Article, error: Exception) -> Skipped:
    source = article.source or article.id
    detail = str(error) if isinstance(error, KGError) else f"{type(error).__name__}: {error}"
    return Skipped(source, Errors.E080.format(source=source, detail=detail))


# ---------------------------------------------------------------- incremental builds


def extractor_fingerprint(
    model: str = DEFAULT_MODEL, merge: MergeRules | None = None, min_confidence: float | None = None
) -> str:
    """A hash of everything besides the article that shapes its graph: the kg version, the
    spaCy model (name and version) and spaCy's version, the data files of ``kg/data``
    (lexicon, gazetteer, rules), the ontology and SHACL shapes, the rules for merging
    reports ``merge`` (default: the shipped ones; ``--dedup-window`` changes them) and the
    events' ``min_confidence`` (default: the shipped one). Change any of them and every
    article is parsed again.

    Raises ``KGError`` (E010) when the model is not installed. Changes to kg's code
    without a new version are not seen: ``kg build --force`` parses everything again.

    >>> len(extractor_fingerprint())
    64
    """
    import spacy

    merge = merge if merge is not None else MergeRules.load()
    meta = model_meta(model)
    parts = [
        f"kg {__version__}",
        f"model {model} {meta.get('version')}",
        f"spacy {spacy.__version__}",
        f"dedup {merge.fingerprint}",
        f"min confidence {load_rules().confidence.min_confidence if min_confidence is None else min_confidence}",
        _data_fingerprint(),
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _data_fingerprint() -> str:
    # The ontology too: a graph made before a property was added lacks it (kg:sourceCount, say).
    digest = hashlib.sha256()
    for package, suffixes in (("kg.data", (".json", ".jsonl", ".txt")), ("kg.ontology", (".ttl",))):
        for entry in sorted(resources.files(package).iterdir(), key=lambda e: e.name):
            if entry.is_file() and entry.name.endswith(suffixes):
                digest.update(f"{package}/{entry.name}".encode("utf-8") + b"\0" + entry.read_bytes() + b"\0")
    return digest.hexdigest()


def input_key(article: Article, fingerprint: str, *, digest: str | None = None) -> str:
    """The identity of what an article's graph is made from: its id, text and metadata, and the extractor.

    >>> a = Article("a1", "Poland sent tanks.", title="Tanks")
    >>> input_key(a, "x") == input_key(Article("a1", "Poland sent tanks.", title="Tanks"), "x")
    True
    >>> input_key(a, "x") == input_key(Article("a1", "Poland sent tanks.", title="Tanks!"), "x")
    False

    ``digest`` stands for the text's :func:`kg.ingest.content_hash` when the text is not at hand.
    """
    digest = digest or content_hash(article.text)
    fields = [fingerprint, article.id, digest, article.title, article.date, article.url, article.source]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


def _input_quad(graph: pyoxigraph.NamedNode, key: str, graph_hash: str | None) -> pyoxigraph.Quad:
    return pyoxigraph.Quad(graph, _INPUT_KEY, pyoxigraph.Literal(f"{key} {graph_hash or ''}".strip()), INPUTS_GRAPH)


def _built_from(store: pyoxigraph.Store, article_id: str, key: str) -> bool:
    """Whether the store holds the article's graph as made from the input ``key``.

    The record names the graph's hash too: a graph replaced by other means
    (another build, ``kg.rdf.graph.write_article``) no longer matches it.
    """
    graph = pyoxigraph.NamedNode(article_iri(article_id))
    for quad in store.quads_for_pattern(graph, _INPUT_KEY, None, INPUTS_GRAPH):
        recorded_key, _, recorded_hash = term_value(quad.object).partition(" ")
        return recorded_key == key and bool(recorded_hash) and stored_graph_hash(store, article_id) == recorded_hash
    return False
