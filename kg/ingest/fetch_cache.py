"""What kg knows of the web between runs: one SQLite file in the store's folder, ``STORE/fetch/cache.sqlite``.

Two tables:

* ``documents``: the sources ``kg watch`` follows and what they led to (feeds
  found on a home page, the sitemaps of a sitemap index), and robots.txt
  files, each with the validators of its last response (ETag,
  Last-Modified) for a conditional request, the documents it led to (read
  again when it is unchanged: HTTP 304), a robots.txt's text, and its
  failures.
* ``pages``: every article link a source listed, with the feed or sitemap
  that listed it and its state: ``pending`` (to fetch, now or after a
  failure's back-off), ``stored`` (its article is in the store; never fetched
  again), ``skipped`` (kg read it and would not build it: another language,
  template code) or ``failed`` (given up after too many failures).

Each change is committed at once, so a run killed at any moment loses
nothing it wrote; a page is ``stored`` only once its article is in the store.
Times are Unix seconds (UTC). Oxigraph leaves a folder of its own in the
store alone.

>>> cache = FetchCache()
>>> cache.add_pages(["http://example.com/a.html", "http://example.com/b.html"], feed="http://example.com/rss", now=0)
2
>>> cache.add_pages(["http://example.com/a.html"], feed="http://example.com/rss", now=5)
0
>>> [page.url for page in cache.due_pages(now=10, limit=5)]
['http://example.com/a.html', 'http://example.com/b.html']
>>> cache.page_failed("http://example.com/a.html", "[E164] ...", retry_at=600)
>>> [page.url for page in cache.due_pages(now=10, limit=5)]
['http://example.com/b.html']
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["CACHE_FILE", "FETCH_FOLDER", "Document", "FetchCache", "Page", "Round", "utc_time"]

#: The folder of the cache inside the store's folder, and the cache's file in it.
FETCH_FOLDER = "fetch"
CACHE_FILE = "cache.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    checked REAL,
    children TEXT NOT NULL DEFAULT '[]',
    body TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    retry_at REAL,
    error TEXT
);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    feed TEXT,
    found REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    canonical TEXT,
    article TEXT,
    fetched REAL,
    failures INTEGER NOT NULL DEFAULT 0,
    retry_at REAL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS pages_state ON pages (state);
CREATE INDEX IF NOT EXISTS pages_canonical ON pages (canonical);
CREATE TABLE IF NOT EXISTS rounds (
    started REAL NOT NULL,
    ended REAL NOT NULL,
    sources INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    errors INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class Document:
    """A source, feed, sitemap or robots.txt as last fetched."""

    url: str
    etag: str | None
    last_modified: str | None
    checked: float | None
    children: tuple[str, ...]
    body: str | None
    failures: int
    retry_at: float | None

    def validators(self) -> dict[str, str]:
        """The headers of a conditional request for it: ``If-None-Match``, ``If-Modified-Since``."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Page:
    """An article link to fetch, and the feed or sitemap that listed it."""

    url: str
    feed: str | None
    failures: int


@dataclass(frozen=True)
class Round:
    """One round of ``kg watch``, as recorded.

    >>> Round(0.0, 2.0, 3, 1, 0, 2).to_json()["ended"]
    '1970-01-01T00:00:02Z'
    """

    started: float
    ended: float
    sources: int
    articles: int
    skipped: int
    errors: int

    def to_json(self) -> dict[str, Any]:
        """The round with its times in UTC (``kg stats --format json``)."""
        return {
            "started": utc_time(self.started), "ended": utc_time(self.ended), "sources": self.sources,
            "articles": self.articles, "skipped": self.skipped, "errors": self.errors,
        }


def utc_time(seconds: float) -> str:
    """Unix time ``seconds`` as an ISO 8601 UTC time to the second.

    >>> utc_time(0)
    '1970-01-01T00:00:00Z'
    """
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class FetchCache:
    """The cache in the SQLite file ``path`` (created with its folder), or in memory without one."""

    def __init__(self, path: str | Path | None = None) -> None:
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: every statement is its own transaction, durable when it returns.
        self._db = sqlite3.connect(str(path) if path is not None else ":memory:", isolation_level=None, timeout=30)
        self._db.executescript(_SCHEMA)

    @classmethod
    def in_store(cls, store_dir: str | Path) -> FetchCache:
        """The cache of the store in the folder ``store_dir`` (made if there is none)."""
        return cls(Path(store_dir) / FETCH_FOLDER / CACHE_FILE)

    @classmethod
    def existing(cls, store_dir: str | Path) -> FetchCache | None:
        """The cache of the store in the folder ``store_dir``, ``None`` if it has none (never watched)."""
        path = Path(store_dir) / FETCH_FOLDER / CACHE_FILE
        return cls(path) if path.is_file() else None

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------ documents

    def document(self, url: str) -> Document | None:
        row = self._db.execute(
            "SELECT url, etag, last_modified, checked, children, body, failures, retry_at FROM documents WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return None
        return Document(row[0], row[1], row[2], row[3], tuple(json.loads(row[4])), row[5], row[6], row[7])

    def document_fetched(
        self, url: str, headers: Mapping[str, str] | None, *, now: float, children: Iterable[str] = (), body: str | None = None
    ) -> None:
        """Record a full response (status 200) for ``url``: its validators, what it led to, its text
        (robots.txt), and no failure."""
        headers = headers or {}
        self._db.execute(
            "INSERT OR REPLACE INTO documents (url, etag, last_modified, checked, children, body, failures, retry_at, error)"
            " VALUES (?, ?, ?, ?, ?, ?, 0, NULL, NULL)",
            (url, headers.get("etag"), headers.get("last-modified"), now, json.dumps(list(dict.fromkeys(children))), body),
        )

    def document_unchanged(self, url: str, *, now: float) -> None:
        """Record that ``url`` answered 304 Not Modified (or was read from the cache) at ``now``."""
        self._db.execute("UPDATE documents SET checked = ?, failures = 0, retry_at = NULL, error = NULL WHERE url = ?", (now, url))

    def document_failed(self, url: str, message: str, *, retry_at: float | None) -> int:
        """Record a failure of ``url`` (tried again from ``retry_at``); the number of failures in a row."""
        self._db.execute("INSERT OR IGNORE INTO documents (url) VALUES (?)", (url,))
        self._db.execute(
            "UPDATE documents SET failures = failures + 1, retry_at = ?, error = ? WHERE url = ?", (retry_at, message, url)
        )
        return int(self._db.execute("SELECT failures FROM documents WHERE url = ?", (url,)).fetchone()[0])

    # ------------------------------------------------------------ pages

    def add_pages(self, urls: Iterable[str], *, feed: str | None, now: float) -> int:
        """Queue the article links ``urls`` listed by ``feed``; how many were new (a known link is left as it is)."""
        before = self._db.total_changes
        self._db.executemany(
            "INSERT OR IGNORE INTO pages (url, feed, found) VALUES (?, ?, ?)", [(url, feed, now) for url in dict.fromkeys(urls)]
        )
        return self._db.total_changes - before

    def due_pages(self, *, now: float, limit: int) -> list[Page]:
        """At most ``limit`` pages to fetch at ``now``, those found first first, in the order their feed
        lists them (a failed one once its back-off is over)."""
        rows = self._db.execute(
            "SELECT url, feed, failures FROM pages WHERE state = 'pending' AND (retry_at IS NULL OR retry_at <= ?)"
            " ORDER BY rowid LIMIT ?",  # rowid: the order of insertion, a link's first sighting
            (now, limit),
        ).fetchall()
        return [Page(url, feed, failures) for url, feed, failures in rows]

    def page_stored(self, url: str, *, article: str, canonical: str | None, now: float) -> None:
        """The page ``url`` is in the store as the article ``article``: never fetched again."""
        self._db.execute("INSERT OR IGNORE INTO pages (url, found) VALUES (?, ?)", (url, now))
        self._db.execute(
            "UPDATE pages SET state = 'stored', article = ?, canonical = ?, fetched = ?, retry_at = NULL, error = NULL WHERE url = ?",
            (article, canonical, now, url),
        )

    def page_skipped(self, url: str, message: str) -> None:
        """The page ``url`` was read, and is no article kg builds: never fetched again."""
        self._db.execute("UPDATE pages SET state = 'skipped', retry_at = NULL, error = ? WHERE url = ?", (message, url))

    def page_failed(self, url: str, message: str, *, retry_at: float | None) -> None:
        """The page ``url`` could not be fetched or read: tried again from ``retry_at``, or never (``None``)."""
        self._db.execute(
            "UPDATE pages SET failures = failures + 1, state = ?, retry_at = ?, error = ? WHERE url = ?",
            ("pending" if retry_at is not None else "failed", retry_at, message, url),
        )

    def stored_as(self, canonical: str) -> str | None:
        """The first page stored under the canonical URL ``canonical``, if any."""
        row = self._db.execute(
            "SELECT url FROM pages WHERE canonical = ? AND state = 'stored' ORDER BY fetched, url LIMIT 1", (canonical,)
        ).fetchone()
        return str(row[0]) if row else None

    def page_states(self) -> dict[str, int]:
        """Pages per state."""
        return {state: int(n) for state, n in self._db.execute("SELECT state, COUNT(*) FROM pages GROUP BY state ORDER BY state")}

    # ------------------------------------------------------------ rounds

    def record_round(self, summary: Round) -> None:
        self._db.execute(
            "INSERT INTO rounds (started, ended, sources, articles, skipped, errors) VALUES (?, ?, ?, ?, ?, ?)",
            (summary.started, summary.ended, summary.sources, summary.articles, summary.skipped, summary.errors),
        )

    def rounds(self) -> int:
        """How many rounds were recorded."""
        return int(self._db.execute("SELECT COUNT(*) FROM rounds").fetchone()[0])

    def last_round(self) -> Round | None:
        """The round that ended last, if any."""
        row = self._db.execute(
            "SELECT started, ended, sources, articles, skipped, errors FROM rounds ORDER BY ended DESC LIMIT 1"
        ).fetchone()
        return Round(*row) if row else None
