"""What a source lists: the article links of RSS/Atom feeds, sitemaps, and the feeds a home page links to.

:func:`discover` fetches a source (:class:`kg.ingest.web.Fetcher`, with a
conditional request) and tells what it is: a feed (its links by
:func:`trafilatura.feeds.find_links`), a sitemap or sitemap index (read by
trafilatura's :class:`~trafilatura.sitemaps.SitemapObject`; the sitemaps of
an index are followed), or a web page, whose feeds
(:func:`trafilatura.feeds.determine_feed`) are followed. Only kg fetches:
no guessed sitemap locations, no Google News, no host other than the
source's. Links are normalised by courlan (:func:`article_link`) and kept
when they are on the source's site and look like articles (not a home
page, a tag or category page, an image or a PDF).

Every link found is queued at once in the fetch cache's ``pages``
(:meth:`kg.ingest.fetch_cache.FetchCache.add_pages`), before the document's
validators are saved, so a run stopped in between loses none. A document
that answers 304 Not Modified lists nothing new; the feeds and sitemaps it
led to last time are checked in turn.

>>> article_link("/news/a.html?utm_source=rss", "http://example.com/feed.xml")
'http://example.com/news/a.html'
>>> article_link("http://example.com/", "http://example.com/feed.xml") is None     # the home page
True
>>> article_link("https://elsewhere.org/story.html", "http://example.com/feed.xml") is None
True
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from kg.errors import Errors
from kg.ingest.web import Fetcher, FetchFailure, canonical_url

__all__ = ["Discovery", "MAX_DOCUMENTS", "article_link", "discover", "document_kind", "same_site"]

#: Most documents (the source, the feeds of a home page, the sitemaps of an index) one source may lead to in a round.
MAX_DOCUMENTS = 20

_SITEMAP = re.compile(r"<(?:[\w.-]+:)?(?:urlset|sitemapindex)\b")
_SITEMAP_LINK = re.compile(r"\.xml(?:\.gz)?(?:$|[?#])")


@dataclass
class Discovery:
    """What one source gave in a round: the ``documents`` fetched (feeds, sitemaps, pages;
    304 answers included), the article links ``found`` (``new`` of them not known before),
    and its ``failures``."""

    source: str
    documents: list[str] = field(default_factory=list)
    found: int = 0
    new: int = 0
    failures: list[FetchFailure] = field(default_factory=list)


def same_site(url: str, base: str) -> bool:
    """Whether ``url`` is on the site of ``base``: the same host, or the same registered
    domain (``www.example.com`` and ``news.example.com``).

    >>> same_site("https://news.example.co.uk/a", "https://www.example.co.uk/rss"), same_site("http://127.0.0.2/a", "http://127.0.0.1/rss")
    (True, False)
    """
    from courlan import extract_domain

    host, base_host = urlsplit(url).hostname, urlsplit(base).hostname
    if not host or not base_host:
        return False
    if host == base_host:
        return True
    domain = extract_domain(url)
    return domain is not None and domain == extract_domain(base)


def article_link(link: str, base: str) -> str | None:
    """The link ``link`` of the document at ``base``, absolute and normalised
    (:func:`kg.ingest.web.canonical_url`), if it may be an article on ``base``'s site: not
    the home page, nor what courlan's filters take for navigation (``/tag/``, ``/page/2``)
    or for a file that is not a page (``.pdf``, ``.jpg``)."""
    from courlan.filters import extension_filter, type_filter

    url = canonical_url(urljoin(base, link.strip()))
    if url is None or not same_site(url, base):
        return None
    path = urlsplit(url).path
    if path in ("", "/") or not type_filter(url, strict=False, with_nav=False) or not extension_filter(path):
        return None
    return url


def document_kind(text: str) -> str:
    """``"sitemap"``, ``"feed"`` (RSS, Atom, RDF or JSON Feed) or ``"page"`` (anything else: HTML is expected).

    >>> document_kind('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>')
    'sitemap'
    >>> document_kind('<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>'), document_kind("<html></html>")
    ('feed', 'page')
    """
    from trafilatura.feeds import is_potential_feed

    head = text.lstrip()[:2000]
    if _SITEMAP.search(head):
        return "sitemap"
    if is_potential_feed(head) or head.startswith("{"):
        return "feed"
    return "page"


def discover(source: str, fetcher: Fetcher, *, max_documents: int = MAX_DOCUMENTS) -> Discovery:
    """Fetch the source ``source`` (and the feeds or sitemaps it leads to, up to
    ``max_documents`` documents) and queue the article links it lists in ``fetcher``'s cache.

    A document whose last failure is backing off (:meth:`kg.ingest.web.FetchSettings.retry_at`)
    is not asked for; a failure is recorded and returned, and the rest goes on.
    """
    found = Discovery(source)
    cache, settings = fetcher.cache, fetcher.settings
    fetcher.trust(source)
    queue, seen = [source], set[str]()
    while queue and len(seen) < max_documents:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        known = cache.document(url)
        if known is not None and known.retry_at is not None and known.retry_at > time.time():
            continue  # backing off after a failure
        response = fetcher.get(url, conditional=True)
        found.documents.append(url)
        if isinstance(response, FetchFailure):
            failures = (known.failures if known is not None else 0) + 1
            cache.document_failed(url, response.message, retry_at=settings.retry_at(failures, time.time()) or time.time() + settings.max_backoff)
            found.failures.append(response)
            continue
        if response.status == 304 and known is not None:
            cache.document_unchanged(url, now=time.time())
            queue.extend(known.children)
            continue
        text = response.html or ""
        links, children = _links(text, response.url or url)
        if links is None:
            message = Errors.E168.format(url=url)
            cache.document_failed(url, message, retry_at=time.time() + settings.max_backoff)
            found.failures.append(FetchFailure(url, message, "nothing to follow"))
            continue
        found.found += len(links)
        found.new += cache.add_pages(links, feed=url, now=time.time())
        cache.document_fetched(url, response.headers, now=time.time(), children=children)
        queue.extend(children)
    return found


def _links(text: str, url: str) -> tuple[list[str] | None, list[str]]:
    """The article links of the document ``text`` fetched from ``url``, and the feeds or sitemaps
    it leads to; ``None`` links when it is neither a feed, a sitemap, nor a page linking to a feed."""
    from trafilatura.feeds import FeedParameters, determine_feed, find_links

    base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    params = FeedParameters(base, urlsplit(url).hostname or "", url)
    kind = document_kind(text)
    if kind == "feed":
        return _unique(article_link(link, url) for link in find_links(text.strip(), params)), []
    if kind == "sitemap":
        return _sitemap_links(text, url, base)
    feeds = [feed for feed in (canonical_url(link) for link in determine_feed(text, params)) if feed and same_site(feed, url)]
    return (None, []) if not feeds else ([], _unique(feeds))


def _sitemap_links(text: str, url: str, base: str) -> tuple[list[str], list[str]]:
    """The pages and the sitemaps a sitemap (or sitemap index) lists, read by trafilatura."""
    from trafilatura.sitemaps import SitemapObject

    class Sitemap(SitemapObject):
        def handle_link(self, link: str) -> None:
            # trafilatura's own keeps links whose domain courlan can name (no IP address):
            # kg's rules instead, the same as for feeds.
            absolute = canonical_url(urljoin(url, link.strip()))
            if absolute is None or not same_site(absolute, url):
                return
            if _SITEMAP_LINK.search(absolute):
                self.sitemap_urls.append(absolute)
            elif (page := article_link(absolute, url)) is not None:
                self.urls.append(page)

    sitemap = Sitemap(base, urlsplit(url).hostname or "", [])
    sitemap.current_url, sitemap.content = url, text
    sitemap.process()
    return _unique(sitemap.urls), _unique(link for link in sitemap.sitemap_urls if link != url)


def _unique(links: Iterable[str | None]) -> list[str]:
    return [link for link in dict.fromkeys(links) if link]
