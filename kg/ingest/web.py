"""Pages from the web: the ``http(s)://`` inputs of ``kg build`` and the pages ``kg watch`` follows.

Every request goes through a :class:`Fetcher`, which downloads with
trafilatura (:func:`trafilatura.downloads.fetch_response`, its timeout, size
cap, redirects, retries and SSRF protection set from :class:`FetchSettings`)
and adds what a polite crawler owes a site: its robots.txt is read first and
obeyed (:mod:`urllib.robotparser`, agent ``kg``), one request per host at most
every ``delay`` seconds, conditional requests (``If-None-Match``,
``If-Modified-Since``) with the validators kept in a
:class:`~kg.ingest.fetch_cache.FetchCache`, and one coded line naming the URL
for every failure (E160-E166, E173).

A page is read as an ``.html`` file is (:func:`kg.ingest.readers.read_content`:
main text, title, date; no main text E006, too short E009, template code
E079), and its article id is its canonical URL (:func:`canonical_url` of the
page's ``<link rel="canonical">`` or ``og:url``, else of the URL it was fetched
from), so two links to one story are one article.

``kg build URL`` reads URLs through :func:`read_url`, with the fetcher of
:func:`fetching` (by default one of default settings, for the whole process).

>>> canonical_url("HTTP://Example.com:80/news/a.html?utm_source=rss&id=7#comments")
'http://example.com/news/a.html?id=7'
>>> is_url("https://example.com/"), is_url("data/articles")
(True, False)
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from kg import __version__
from kg.errors import Errors
from kg.ingest.fetch_cache import FetchCache, utc_time
from kg.ingest.readers import read_content
from kg.records import Article, Notice, Skipped

if TYPE_CHECKING:
    from configparser import ConfigParser

    from trafilatura.utils import Response

__all__ = [
    "HTML_TYPES",
    "USER_AGENT",
    "FetchFailure",
    "FetchSettings",
    "Fetcher",
    "active_fetcher",
    "canonical_url",
    "fetching",
    "is_url",
    "page_articles",
    "read_url",
    "utc_time",
]

#: The User-Agent of every request; robots.txt rules for ``kg`` apply to it.
USER_AGENT = f"kg/{__version__} (+https://w3id.org/kg)"
#: Content types of a page read as an article (a response without one is sniffed: E071 for binary content).
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

# trafilatura's downloader reads its request headers from this module's DEFAULT_HEADERS:
# a conditional request adds its validators there for the one call, under this lock.
_TRAFILATURA = threading.Lock()
_CONNECTION_PREFIX = re.compile(r"^\w*HTTPS?Connection(?:Pool)?\([^)]*\):\s*")


@dataclass(frozen=True)
class FetchSettings:
    """How politely and safely pages are fetched; each limit applies to every response.

    ``delay``: fewest seconds between two requests to one host (a longer
    ``Crawl-delay`` of its robots.txt for kg wins). ``timeout``: seconds a
    response may take (whole seconds: trafilatura's ``DOWNLOAD_TIMEOUT``;
    trafilatura tries a request that timed out up to ``max_redirects`` more
    times). ``max_bytes``: largest response, decompressed. ``max_redirects``:
    redirects followed. ``max_pages``: most pages one round of ``kg watch``
    fetches. ``robots_ttl``: seconds a robots.txt is used before it is asked
    for again. ``backoff``: seconds before a URL that failed is tried again,
    doubled with each failure in a row up to ``max_backoff``; a page that
    failed ``max_failures`` times in a row is given up.
    """

    delay: float = 1.0
    timeout: int = 20
    max_bytes: int = 5_000_000
    max_redirects: int = 2
    max_pages: int = 100
    robots_ttl: float = 86_400.0
    backoff: float = 900.0
    max_backoff: float = 86_400.0
    max_failures: int = 8
    user_agent: str = USER_AGENT

    def retry_at(self, failures: int, now: float) -> float | None:
        """When a URL that failed ``failures`` times in a row at ``now`` is tried again; ``None``: never.

        >>> settings = FetchSettings(backoff=60, max_backoff=300, max_failures=5)
        >>> [settings.retry_at(n, 0) for n in range(1, 6)]
        [60.0, 120.0, 240.0, 300.0, None]
        """
        if failures >= self.max_failures:
            return None
        return now + float(min(self.max_backoff, self.backoff * 2.0 ** (failures - 1)))


@dataclass(frozen=True)
class FetchFailure:
    """Why ``url`` could not be fetched: the coded one-line ``message``, and its ``reason`` alone
    (``"no answer within 20 s (timeout)"``)."""

    url: str
    message: str
    reason: str


def is_url(text: str) -> bool:
    """Whether an input names a web page (``http://`` or ``https://``) rather than a file."""
    return text[:8].lower().startswith(("http://", "https://"))


def canonical_url(url: str) -> str | None:
    """``url`` normalised by courlan (scheme and host in lower case, no default port, no
    tracking parameters such as ``utm_source``, the others sorted) and without its fragment;
    ``None`` when it is no http(s) URL."""
    from courlan import normalize_url, scrub_url

    try:
        parts = urlsplit(normalize_url(scrub_url(url)))
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit(parts._replace(fragment=""))


class Fetcher:
    """Fetches pages politely for a run of ``kg build``, or the rounds of a ``kg watch`` (robots.txt,
    a delay per host, conditional requests), with every failure as a :class:`FetchFailure`.

    ``cache`` keeps validators, robots.txt files and the pages of ``kg watch``
    between runs (default: in memory, for this run). trafilatura's SSRF
    protection (no connection to a loopback, private or link-local address)
    is on for every host but those of the URLs the user named (``trusted``,
    :meth:`trust`): a link in a feed cannot send kg to a machine of the
    local network, while ``kg build http://127.0.0.1:8000/page.html`` reads
    that page. ``requests`` counts the requests made.
    """

    def __init__(self, settings: FetchSettings | None = None, cache: FetchCache | None = None, *, trusted: Iterable[str] = ()) -> None:
        self.settings = settings or FetchSettings()
        self.cache = cache if cache is not None else FetchCache()
        self.requests = 0
        self._trusted: set[str] = set()
        for url in trusted:
            self.trust(url)
        self._last: dict[str, float] = {}  # host -> when its last request ended (time.monotonic)
        self._crawl_delays: dict[str, float] = {}  # host -> the Crawl-delay of its robots.txt for kg
        self._robots: dict[str, tuple[float, RobotFileParser | str]] = {}  # origin -> (when read, its rules or why there are none)
        self._configs: dict[bool, ConfigParser] = {}

    def trust(self, url: str) -> None:
        """Let requests to the host of ``url``, a URL the user named, reach any address."""
        host = urlsplit(url).netloc.lower()
        if host:
            self._trusted.add(host)

    def get(self, url: str, *, conditional: bool = False) -> Response | FetchFailure:
        """trafilatura's response to a GET of ``url`` (status 200; or 304 when ``conditional``
        and the cache's validators of ``url`` say it is unchanged), or why there is none."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return FetchFailure(url, Errors.E163.format(url=url, detail="not an http(s) URL"), "not an http(s) URL")
        problem = self._robots_problem(url)
        if problem is not None:
            return problem
        known = self.cache.document(url) if conditional else None
        response = self._request(url, known.validators() if known is not None else {})
        if isinstance(response, FetchFailure) or response.status in (200, 304):
            return response
        phrase = _status_reason(response.status)
        message = Errors.E164.format(url=url, status=response.status, reason=phrase)
        return FetchFailure(url, message, f"HTTP {response.status} {phrase}".strip())

    def read(self, url: str, seen: dict[str, str] | None = None) -> Iterator[Article | Skipped | Notice]:
        """The article of the web page at ``url``, a URL the user named, as an ``.html`` file is read;
        a page whose canonical URL is in ``seen`` (canonical URL -> the URL read as it, in this run)
        is skipped (E167)."""
        self.trust(url)
        response = self.get(url)
        if isinstance(response, FetchFailure):
            yield Skipped(url, response.message)
            return
        for item in page_articles(response, url, fetched=utc_time(time.time())):
            if isinstance(item, Article) and seen is not None:
                first = seen.setdefault(item.id, url)
                if first != url:
                    yield Skipped(url, Errors.E167.format(url=url, other=first, canonical=item.id))
                    continue
            yield item

    # ------------------------------------------------------------ robots.txt

    def _robots_problem(self, url: str) -> FetchFailure | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        read_at, rules = self._robots.get(origin, (float("-inf"), ""))
        # Rules are read again after robots_ttl (a long watch), a failure to read them after a back-off.
        if time.time() - read_at >= (self.settings.robots_ttl if isinstance(rules, RobotFileParser) else self.settings.backoff):
            rules = self._read_robots(origin)
            self._robots[origin] = (time.time(), rules)
        if isinstance(rules, str):
            return FetchFailure(url, Errors.E173.format(url=url, origin=origin, detail=rules), f"robots.txt: {rules}")
        if not rules.can_fetch(self.settings.user_agent, url):
            return FetchFailure(url, Errors.E160.format(url=url, origin=origin), "disallowed by robots.txt")
        return None

    def _read_robots(self, origin: str) -> RobotFileParser | str:
        """The robots.txt rules of ``origin`` (none when it has no robots.txt: a 4xx answer, as
        RFC 9309 says), from the cache while younger than ``robots_ttl``; or why there are none
        (a 5xx answer, no answer: nothing of the host is fetched until they can be read)."""
        url = f"{origin}/robots.txt"
        known = self.cache.document(url)
        held = known if known is not None and known.body is not None else None
        now = time.time()
        if held is not None and held.checked is not None and now - held.checked < self.settings.robots_ttl:
            text = held.body
        else:
            response = self._request(url, held.validators() if held is not None else {})
            if isinstance(response, FetchFailure):
                if held is None:
                    return response.reason
                text = held.body  # the rules last read, while the host does not answer
            elif response.status == 304 and held is not None:
                text = held.body
                self.cache.document_unchanged(url, now=now)
            elif response.status == 200:
                text = response.html or ""
                self.cache.document_fetched(url, response.headers, now=now, body=text)
            elif 400 <= response.status < 500:
                text = ""
                self.cache.document_fetched(url, {}, now=now, body=text)
            elif held is not None:
                text = held.body
            else:
                return f"HTTP {response.status} {_status_reason(response.status)}".strip()
        rules = RobotFileParser(url)
        rules.parse((text or "").splitlines())
        delay = rules.crawl_delay(self.settings.user_agent)
        if delay:
            self._crawl_delays[urlsplit(origin).netloc.lower()] = float(delay)
        return rules

    # ------------------------------------------------------------ requests

    def _request(self, url: str, headers: Mapping[str, str]) -> Response | FetchFailure:
        """One GET of ``url`` with the extra ``headers``, after the host's delay: the response
        whatever its status, or why there is none."""
        from trafilatura import downloads

        host = urlsplit(url).netloc.lower()
        delay = max(self.settings.delay, self._crawl_delays.get(host, 0.0))
        wait = self._last.get(host, float("-inf")) + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            with _TRAFILATURA, _added(downloads.DEFAULT_HEADERS, headers), _errors_logged_by(downloads.LOGGER) as records, _quiet(
                logging.getLogger("urllib3.connectionpool")  # its "Retrying ..." warnings: the outcome is reported, once
            ):
                response = downloads.fetch_response(url, decode=True, config=self._config(host in self._trusted))
        finally:
            self.requests += 1
            self._last[host] = time.monotonic()
        return response if response is not None else self._failure(url, records)

    def _failure(self, url: str, records: list[logging.LogRecord]) -> FetchFailure:
        """The failure trafilatura logged (it returns no response, and logs the exception)."""
        import urllib3.exceptions

        error = next((arg for record in records for arg in record.args or () if isinstance(arg, BaseException)), None)
        reason = getattr(error, "reason", None) or error
        detail = _CONNECTION_PREFIX.sub("", str(reason)) if reason is not None else ""
        if isinstance(reason, urllib3.exceptions.NameResolutionError):
            return FetchFailure(url, Errors.E161.format(url=url, detail=detail), f"DNS: {detail}")
        # urllib3's NewConnectionError (refused, SSRF protection) is a ConnectTimeoutError too: tested first.
        if isinstance(reason, (urllib3.exceptions.TimeoutError, TimeoutError)) and not isinstance(reason, urllib3.exceptions.NewConnectionError):
            text = f"no answer within {self.settings.timeout} s (timeout)"
            return FetchFailure(url, Errors.E162.format(url=url, timeout=self.settings.timeout), text)
        if isinstance(reason, ValueError) and ("MAX_FILE_SIZE" in detail or "oversized" in detail):  # trafilatura's size cap
            limit = self.settings.max_bytes
            return FetchFailure(url, Errors.E166.format(url=url, limit=limit), f"over {limit:,} bytes")
        detail = detail or (records[-1].getMessage() if records else "no response")
        return FetchFailure(url, Errors.E163.format(url=url, detail=detail), detail)

    def _config(self, trusted: bool) -> ConfigParser:
        """trafilatura's settings for a request, from :class:`FetchSettings`: SSRF protection
        unless ``trusted``, and no retry without certificate checks after an SSL error."""
        if trusted not in self._configs:
            from trafilatura.settings import use_config

            config = use_config()  # a parser of its own, with trafilatura's defaults
            settings = self.settings
            values = {
                "DOWNLOAD_TIMEOUT": settings.timeout,
                "MAX_FILE_SIZE": settings.max_bytes,
                "MAX_REDIRECTS": settings.max_redirects,
                "USER_AGENTS": settings.user_agent,
                "COOKIE": "",
                "SSRF_PROTECTION": "off" if trusted else "on",
                "INSECURE_SSL_FALLBACK": "off",
            }
            for key, value in values.items():
                config.set("DEFAULT", key, str(value).replace("%", "%%"))
            self._configs[trusted] = config
        return self._configs[trusted]


def page_articles(
    response: Response, url: str, *, feed: str | None = None, fetched: str | None = None
) -> Iterator[Article | Skipped | Notice]:
    """The article of a page fetched from ``url`` (``response``, of status 200), read as an
    ``.html`` file is, with its id and ``url`` the page's canonical URL, ``source`` the URL
    fetched, ``feed`` the feed or sitemap that listed it and ``fetched`` the time of the
    download; a response of another content type is skipped (E165).

    The canonical URL is the one the page declares (``<link rel="canonical">``, ``og:url``),
    unless that is a home page (some sites declare theirs on every page), else the URL
    the page came from (after redirects); both normalised by :func:`canonical_url`."""
    content_type = (response.headers or {}).get("content-type", "")
    mime = content_type.split(";")[0].strip().lower()
    if mime and mime not in HTML_TYPES:
        yield Skipped(url, Errors.E165.format(url=url, content_type=mime))
        return
    final = response.url or url
    for item in read_content(response.data or b"", url, ".html"):
        if isinstance(item, Article):
            declared = canonical_url(urljoin(final, item.url)) if item.url else None
            if declared is not None and urlsplit(declared).path in ("", "/"):
                declared = None  # a home page is no article's canonical URL
            canonical = declared or canonical_url(final) or url
            item = replace(item, id=canonical, url=canonical, source=url, fetched=fetched, feed=feed)
        yield item


def read_url(url: str, seen: dict[str, str] | None = None, fetcher: Fetcher | None = None) -> Iterator[Article | Skipped | Notice]:
    """The article of the web page at ``url`` (:meth:`Fetcher.read`; ``seen``: the canonical URLs
    read so far in the run), by ``fetcher``, else by the active one (:func:`active_fetcher`)."""
    yield from (fetcher or active_fetcher()).read(url, seen)


_ACTIVE: ContextVar[Fetcher | None] = ContextVar("kg_fetcher", default=None)


@lru_cache(maxsize=1)
def _process_fetcher() -> Fetcher:
    return Fetcher()


def active_fetcher() -> Fetcher:
    """The fetcher of the innermost :func:`fetching` block, else one of default settings for the process."""
    return _ACTIVE.get() or _process_fetcher()


@contextmanager
def fetching(fetcher: Fetcher) -> Iterator[Fetcher]:
    """Read the URL inputs of the block (:func:`kg.ingest.read_articles`) with ``fetcher``."""
    token = _ACTIVE.set(fetcher)
    try:
        yield fetcher
    finally:
        _ACTIVE.reset(token)


def _status_reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


@contextmanager
def _added(headers: dict[str, str], extra: Mapping[str, str]) -> Iterator[None]:
    """``headers`` with ``extra`` added for the block, and as they were after it."""
    saved = {name: headers[name] for name in extra if name in headers}
    headers.update(extra)
    try:
        yield
    finally:
        for name in extra:
            headers.pop(name, None)
        headers.update(saved)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    """``logger`` disabled for the block."""
    disabled = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = disabled


@contextmanager
def _errors_logged_by(logger: logging.Logger) -> Iterator[list[logging.LogRecord]]:
    """The errors ``logger`` logs in the block, kept from the console: kg reports each failure
    as one coded line instead."""
    handler, propagate = _Records(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
