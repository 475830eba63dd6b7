"""``kg watch``: follow feeds, sitemaps and sites, and build what is new into the store, round after round.

A round (:func:`run_round`) asks each source for what it lists
(:func:`kg.ingest.feeds.discover`: conditional requests, so an unchanged feed
costs one short answer), queues the new article links in the fetch cache
(``STORE/fetch/cache.sqlite``, :class:`kg.ingest.fetch_cache.FetchCache`),
fetches up to ``max_pages`` pages (:class:`kg.ingest.web.Fetcher`) and builds
their articles into the store with :func:`kg.run.pipeline.build`, merging
their events with those already there. A page whose article is stored is
never fetched again, so a round that finds nothing new fetches no page.
Every failure is one coded line and costs only its URL, which is tried again
after a back-off that doubles with each failure in a row.

:func:`watch` runs rounds every ``every`` seconds (or once). SIGINT or SIGTERM
stops it after the article in hand: that article is stored, whole, and the
pages not yet fetched stay queued for the next run.

>>> parse_duration("1h30m"), parse_duration("15m"), parse_duration("90")
(5400.0, 900.0, 90.0)
"""
from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from kg.errors import Errors, KGError
from kg.extraction.language import DEFAULT_MODEL
from kg.ingest.feeds import discover
from kg.ingest.fetch_cache import FetchCache, Page, Round
from kg.ingest.screen import DEFAULT_LANGUAGES
from kg.ingest.web import Fetcher, FetchFailure, FetchSettings, canonical_url, page_articles, utc_time
from kg.rdf.counts import StoreCounts, store_counts
from kg.rdf.merge import MergeRules
from kg.rdf.store import open_store, store_path
from kg.records import Article, ArticleExtraction, Notice, Skipped
from kg.run.pipeline import build

__all__ = ["BuildOptions", "RoundSummary", "parse_duration", "run_round", "stop_on_signals", "watch"]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd]?)")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """Seconds of a duration such as ``90s``, ``15m``, ``1h30m``, ``1d`` (a bare number is seconds);
    ``KGError`` (E170) for anything else."""
    value = text.strip().lower()
    parts = _DURATION.findall(value)
    if not value or "".join(number + unit for number, unit in parts) != value:
        raise KGError(Errors.E170.format(value=text))
    seconds = sum(float(number) * _SECONDS[unit] for number, unit in parts)
    if seconds <= 0:
        raise KGError(Errors.E170.format(value=text))
    return seconds


@dataclass(frozen=True)
class BuildOptions:
    """How a round builds its articles: as ``kg build`` would (:func:`kg.run.pipeline.build`)."""

    model: str = DEFAULT_MODEL
    languages: tuple[str, ...] | None = DEFAULT_LANGUAGES
    merge: MergeRules | None = None
    min_confidence: float | None = None


@dataclass
class RoundSummary:
    """What one round did: ``articles`` stored (new, or changed), the real-world ``events`` the
    store gained (an article whose reports merge into events already there adds none),
    ``skipped`` pages (fetched, and no article kg builds), ``errors`` (failures of fetching a
    source or a page), ``requests`` made, and what the store holds after it."""

    number: int
    started: float
    sources: int = 0
    articles: int = 0
    events: int = 0
    skipped: int = 0
    errors: int = 0
    requests: int = 0
    seconds: float = 0.0
    stopped: bool = False
    counts: StoreCounts | None = None
    problems: list[Skipped | Notice] = field(default_factory=list)

    def describe(self, store: str) -> str:
        """One line (two when the store was written) for the log of a watch.

        >>> summary = RoundSummary(3, 0.0, sources=2, articles=1, events=0, requests=3, seconds=2.5)
        >>> summary.describe("kg-store")
        'Round 3 at 1970-01-01T00:00:00Z: 1 new article, 0 new events, 0 skipped, 0 errors (2 sources, 3 requests, 2.5 s)'
        """
        line = (
            f"Round {self.number} at {utc_time(self.started)}: {_count(self.articles, 'new article')}, "
            f"{_count(self.events, 'new event')}, {self.skipped} skipped, {_count(self.errors, 'error')} "
            f"({_count(self.sources, 'source')}, {_count(self.requests, 'request')}, {self.seconds:.1f} s)"
        )
        if self.stopped:
            line += "; stopped"
        return line if self.counts is None else f"{line}\n{store} holds {self.counts}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def run_round(
    sources: Sequence[str],
    store_dir: str | Path,
    fetcher: Fetcher,
    *,
    number: int = 1,
    options: BuildOptions | None = None,
    stop: threading.Event | None = None,
    report: Callable[[Skipped | Notice], None] | None = None,
) -> RoundSummary:
    """One round over ``sources`` into the store in the folder ``store_dir``, with ``fetcher``
    (whose cache keeps the pages between rounds). Each problem goes to ``report`` as it
    happens, as a coded line naming its URL. ``stop`` set ends the round after the article
    in hand. The store is opened for the round only, so that other writers can use it between rounds.
    """
    options = options or BuildOptions()
    stop = stop or threading.Event()
    cache, settings = fetcher.cache, fetcher.settings
    summary = RoundSummary(number, time.time())
    requests = fetcher.requests

    def problem(item: Skipped | Notice) -> None:
        summary.problems.append(item)
        if report is not None:
            report(item)

    for source in sources:
        if stop.is_set():
            break
        found = discover(source, fetcher)
        summary.sources += 1
        summary.errors += len(found.failures)
        for failure in found.failures:
            problem(Skipped(failure.url, failure.message))
    pending = [] if stop.is_set() else cache.due_pages(now=time.time(), limit=settings.max_pages)
    if pending:
        store = open_store(store_dir)
        before = store_counts(store)
        pages: dict[str, Page] = {}  # URL fetched -> its page, until its article is stored or skipped

        def stored(article: Article) -> None:
            if article.source in pages:
                cache.page_stored(article.source, article=article.id, canonical=article.url, now=time.time())

        def not_built(item: Skipped | Notice) -> None:
            if isinstance(item, Skipped) and item.source in pages:
                cache.page_skipped(item.source, item.message)  # another language, template code: no use fetching it again
                summary.skipped += 1
            problem(item)

        def extracted(extraction: ArticleExtraction) -> None:
            summary.articles += 1
            stored(extraction.article)

        articles = _fetched(pending, fetcher, pages, stop, summary, problem)
        built = build(
            articles, store, model=options.model, languages=options.languages, merge=options.merge,
            min_confidence=options.min_confidence, on_skip=not_built, on_article=extracted, on_unchanged=stored,
            workers=1, batch_size=1,  # one article at a time: a stop waits for one article only
        )
        summary.articles -= built.unchanged - built.skipped_unchanged  # parsed again, and the same
        summary.counts = built.counts
        summary.events = built.counts.events - before.events
        del store  # closed: other writers may use the store until the next round
    summary.stopped = stop.is_set()
    summary.requests = fetcher.requests - requests
    summary.seconds = time.time() - summary.started
    cache.record_round(Round(summary.started, time.time(), summary.sources, summary.articles, summary.skipped, summary.errors))
    return summary


def _fetched(
    pending: list[Page],
    fetcher: Fetcher,
    pages: dict[str, Page],
    stop: threading.Event,
    summary: RoundSummary,
    problem: Callable[[Skipped | Notice], None],
) -> Iterator[Article]:
    """The articles of the pages ``pending``, fetched one by one until ``stop`` is set; each
    failure is recorded (with its back-off) and reported, and a page whose canonical URL is
    already stored under another link is recorded as that article."""
    cache, settings = fetcher.cache, fetcher.settings
    for page in pending:
        if stop.is_set():
            return
        response = fetcher.get(page.url)
        now = time.time()
        if isinstance(response, FetchFailure):
            _failed(cache, settings, page, response.message, now)
            summary.errors += 1
            problem(Skipped(page.url, response.message))
            continue
        for item in page_articles(response, page.url, feed=page.feed, fetched=utc_time(now)):
            if isinstance(item, Notice):
                problem(item)
                continue
            if isinstance(item, Skipped):  # no main text, too short, not HTML: it may change; tried again later
                _failed(cache, settings, page, item.message, now)
                summary.skipped += 1
                problem(item)
                continue
            other = cache.stored_as(item.id)
            if other is not None and other != page.url:
                cache.page_stored(page.url, article=item.id, canonical=item.url, now=now)
                summary.skipped += 1
                problem(Notice(page.url, Errors.E167.format(url=page.url, other=other, canonical=item.id)))
                continue
            pages[page.url] = page
            yield item


def _failed(cache: FetchCache, settings: FetchSettings, page: Page, message: str, now: float) -> None:
    cache.page_failed(page.url, message, retry_at=settings.retry_at(page.failures + 1, now))


def watch(
    sources: Sequence[str],
    store_dir: str | Path,
    *,
    every: float = 900.0,
    once: bool = False,
    settings: FetchSettings | None = None,
    options: BuildOptions | None = None,
    report: Callable[[Skipped | Notice], None] | None = None,
    on_round: Callable[[RoundSummary], None] | None = None,
    on_stop: Callable[[str], None] | None = None,
) -> list[RoundSummary]:
    """Run rounds over ``sources`` into the store ``store_dir`` every ``every`` seconds until
    SIGINT or SIGTERM (``on_stop`` gets the coded line), or one round if ``once``; the rounds run.

    A round that cannot write the store (another process holds it) is reported (E175) and the
    next one tries again; with ``once``, the ``KGError`` is raised.
    """
    path = store_path(store_dir)
    cache = FetchCache.in_store(path)
    fetcher = Fetcher(settings, cache, trusted=sources)
    stop = threading.Event()
    rounds: list[RoundSummary] = []
    try:
        with stop_on_signals(stop, on_stop):
            while True:
                number = cache.rounds() + 1  # counted across runs: a cron job's rounds are 1, 2, 3 ...
                try:
                    summary = run_round(sources, path, fetcher, number=number, options=options, stop=stop, report=report)
                except KGError as e:
                    if once:
                        raise
                    summary = RoundSummary(number, time.time())
                    summary.problems.append(Skipped(str(path), Errors.E175.format(round=summary.number, detail=e)))
                    if report is not None:
                        report(summary.problems[-1])
                rounds.append(summary)
                if on_round is not None:
                    on_round(summary)
                if once or stop.wait(every):
                    return rounds
    finally:
        cache.close()


@contextmanager
def stop_on_signals(stop: threading.Event, on_stop: Callable[[str], None] | None = None) -> Iterator[threading.Event]:
    """Within the block, the first SIGINT or SIGTERM sets ``stop`` (and calls ``on_stop`` with
    the coded line) instead of ending the process; a second one acts as usual. Signals are
    only handled in the main thread: elsewhere the block changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handle(number: int, _frame: FrameType | None) -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        stop.set()
        if on_stop is not None:
            on_stop(Errors.E172.format(signal=signal.Signals(number).name))

    for sig in previous:
        signal.signal(sig, handle)
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
