"""kg watch and URL inputs of kg build, against a web site of our own on 127.0.0.1.

The site (an http.server in a thread) serves articles written for these tests
(tests/fixtures/live: invented events between real states), an RSS feed found
from its home page, an Atom feed, a sitemap, a robots.txt, and pages that
fail: a 404, one that answers too late, an image, one robots.txt disallows.
Every test runs with a guard that lets no connection or name lookup reach any
address but 127.0.0.1 (and makes other names fail as DNS would).
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import KGError
from kg.ingest.fetch_cache import FetchCache
from kg.ingest.feeds import discover
from kg.ingest.web import Fetcher, FetchFailure, FetchSettings
from kg.rdf.query import run_query
from kg.rdf.store import open_store
from kg.run.watch import parse_duration, run_round, stop_on_signals

LIVE = Path(__file__).parent / "fixtures" / "live"
POLAND = "/news/2025/03/04/poland-expels-diplomat.html"
JAPAN = "/news/2025/03/05/japan-philippines-patrols.html"
TURKEY = "/news/2025/03/06/turkey-hosts-talks.html"
BELARUS = "/news/2025/03/05/belarus-protests-expulsion.html"
AMP = "/amp/poland-expels-diplomat.html"
FAILING = {"/news/missing.html": "E164", "/news/slow.html": "E162", "/news/chart": "E165", "/private/memo.html": "E160"}
FEEDS = {"/", "/rss.xml", "/atom.xml", "/sitemap.xml"}
# Fast but real: no delay between requests to our own server, a one-second timeout.
FAST = ["--delay", "0", "--timeout", "1"]


# ---------------------------------------------------------------- the site


@dataclass
class Site:
    """What the server serves (path -> content type, body) and the requests it answered."""

    base: str = ""
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    requests: list[tuple[str, int]] = field(default_factory=list)  # (path, status)
    release: threading.Event = field(default_factory=threading.Event)  # ends the slow page's wait
    on_request: dict[str, threading.Event] = field(default_factory=dict)  # path -> set when it is asked for

    def article(self, path: str) -> bytes:
        """The page of tests/fixtures/live for ``path``, its canonical URL on this site."""
        return (LIVE / Path(path).name).read_bytes().replace(b"https://kestrel.example", self.base.encode())

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def rss(self, *paths: str) -> None:
        items = "".join(f"<item><title>{p}</title><link>{self.base}{p}</link></item>" for p in paths)
        self.pages["/rss.xml"] = ("application/rss+xml", (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Kestrel Wire</title>'
            f"<link>{self.base}/</link>{items}</channel></rss>"
        ).encode())


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self) -> None:
        site, path = self.site, self.path
        if path in site.on_request:
            site.on_request[path].set()
        if path == "/news/slow.html":
            site.release.wait(20)  # far longer than the client's timeout
        found = site.pages.get(path.split("?", 1)[0])  # a query string changes nothing here, as on most sites
        if found is None:
            return self._answer(404, "text/html", b"<html><body>Not found</body></html>")
        content_type, body = found
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        if self.headers.get("If-None-Match") == etag:
            return self._answer(304, None, b"", etag)
        self._answer(200, content_type, body, etag)

    def _answer(self, status: int, content_type: str | None, body: bytes, etag: str | None = None) -> None:
        self.site.requests.append((self.path, status))
        try:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (the slow page)

    def log_message(self, *args: object) -> None:
        pass


class _Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # not HTTPServer's: no reverse lookup of the address
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]


@pytest.fixture
def local_only(monkeypatch):
    """No name lookup nor connection but to 127.0.0.1; other names fail as an unknown host does."""
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect
    looked_up: list[str] = []

    def getaddrinfo(host, *args, **kwargs):
        looked_up.append(str(host))
        if host not in ("127.0.0.1", b"127.0.0.1"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        assert address[0] == "127.0.0.1", f"a connection to {address}"
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return looked_up


@pytest.fixture
def site(local_only) -> Iterator[Site]:
    site = Site()
    handler = type("Handler", (_Handler,), {"site": site})
    server = _Server(("127.0.0.1", 0), handler)
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    html = "text/html; charset=utf-8"
    for path in (POLAND, JAPAN, TURKEY):
        site.pages[path] = (html, site.article(path))
    site.pages["/news/chart"] = ("image/png", b"\x89PNG\r\n\x1a\n" + bytes(64))
    site.pages["/private/memo.html"] = (html, site.article(TURKEY))
    site.pages["/robots.txt"] = ("text/plain", b"User-agent: *\nDisallow: /private/\n")
    site.pages["/"] = (html, b'<html><head><title>Kestrel Wire</title><link rel="alternate" type="application/rss+xml" '
                             b'href="/rss.xml"></head><body><h1>Kestrel Wire</h1></body></html>')
    site.pages[AMP] = site.pages[POLAND]  # the same story under a second path, which names the first canonical
    site.rss(AMP, *FAILING)
    site.pages["/atom.xml"] = ("application/atom+xml", (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Kestrel Asia</title>'
        f'<link href="{site.base}/" rel="alternate"/><link href="{site.base}/atom.xml" rel="self"/>'
        f'<entry><title>Patrols</title><id>urn:kestrel:2</id><link href="{site.base}{JAPAN}"/></entry></feed>'
    ).encode())
    site.pages["/sitemap.xml"] = ("application/xml", (
        f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{site.base}{TURKEY}</loc></url></urlset>"
    ).encode())
    yield site
    site.release.set()
    server.shutdown()
    server.server_close()
    assert set(local_only) <= {"127.0.0.1", "no-such-host.invalid"}  # and the guard refused the second


def _kg(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _coded_lines(text: str) -> dict[str, str]:
    """URL -> code of each coded line in ``text``."""
    found = {}
    for line in text.splitlines():
        if line.startswith("warning: [E"):
            code, rest = line[len("warning: ["):].split("] ", 1)
            found[rest.split(": ", 1)[0]] = code
    return found


# ---------------------------------------------------------------- kg watch


def test_watch_builds_feeds_and_sitemap_then_fetches_only_what_is_new(site, tmp_path):
    store = str(tmp_path / "store")
    sources = [f"{site.base}/", f"{site.base}/atom.xml", f"{site.base}/sitemap.xml"]

    first = _kg("watch", *sources, "--once", "--store", store, *FAST)
    assert first.exit_code == 0, first.output
    assert "Round 1" in first.stdout and "3 new articles" in first.stdout, first.stderr
    # Each failing item has its coded line naming its URL; the rest is built.
    assert _coded_lines(first.stderr) == {f"{site.base}{path}": code for path, code in FAILING.items()}
    assert "/private/memo.html" not in site.paths()  # robots.txt is obeyed
    rows = run_query(open_store(store, read_only=True), """
        PREFIX kg: <https://w3id.org/kg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?url ?title ?published ?source ?feed ?fetched WHERE {
          ?a a kg:Article ; kg:url ?url ; kg:title ?title ; kg:published ?published ; kg:source ?source ;
             prov:wasGeneratedBy ?fetch . ?fetch prov:endedAtTime ?fetched ; prov:used [ kg:url ?feed ] }
        ORDER BY ?url""").records()
    assert [(r["url"], r["title"], r["published"], r["feed"]) for r in rows] == [
        (site.base + POLAND, "Poland expels Belarusian diplomat after border incident", "2025-03-04", f"{site.base}/rss.xml"),
        (site.base + JAPAN, "Japan and the Philippines agree on joint coast guard patrols", "2025-03-05", f"{site.base}/atom.xml"),
        (site.base + TURKEY, "Turkey hosts talks between Armenia and Azerbaijan", "2025-03-06", f"{site.base}/sitemap.xml"),
    ]
    assert rows[0]["source"] == site.base + AMP  # the link fetched; the article's id and kg:url are its canonical URL

    # Second round: every feed answers 304 Not Modified, no page is asked for (not even those that failed:
    # they back off), nor robots.txt (kept for a day).
    site.requests.clear()
    second = _kg("watch", *sources, "--once", "--store", store, *FAST)
    assert second.exit_code == 0, second.output
    assert "Round 2" in second.stdout and "0 new articles" in second.stdout and "0 errors" in second.stdout
    assert sorted(site.requests) == sorted((path, 304) for path in FEEDS)

    # Third round: a new item in the RSS feed is fetched, alone, and its report of the expulsion
    # merges with the event of the first article.
    site.rss(BELARUS, AMP, *FAILING)
    site.pages[BELARUS] = ("text/html", site.article(BELARUS))  # published now
    site.requests.clear()
    third = _kg("watch", *sources, "--once", "--store", store, *FAST)
    assert third.exit_code == 0, third.output
    assert "Round 3" in third.stdout and "1 new article," in third.stdout
    assert [path for path in site.paths() if path not in FEEDS] == [BELARUS]
    relations = run_query(open_store(store, read_only=True), "relations").records()
    expulsions = [r for r in relations if (r["subject"], r["predicate"], r["object"]) == ("Poland", "expel", "Belarus")]
    assert [(r["sources"], r["date"]) for r in expulsions] == [(2, "2025-03-04")]

    stats = json.loads(_kg("stats", "--store", store, "--format", "json").stdout)
    assert {(s["source"], s["articles"]) for s in stats["sources"]} == {
        (f"{site.base}/rss.xml", 2), (f"{site.base}/atom.xml", 1), (f"{site.base}/sitemap.xml", 1)
    }
    assert (stats["last_round"]["sources"], stats["last_round"]["articles"]) == (3, 1)  # from the fetch cache
    table = _kg("stats", "--store", store).stdout
    assert "Sources fetched from the web" in table and "Last fetch: " in table and "Last kg watch round: " in table


def test_watched_store_conforms_to_the_shapes(site, tmp_path):
    from kg.rdf.validate import validate_store

    store = str(tmp_path / "store")
    assert _kg("watch", f"{site.base}/atom.xml", "--once", "--store", store, *FAST).exit_code == 0
    report = validate_store(open_store(store, read_only=True))
    assert report.conforms, [r.message for r in report.results]
    kinds = run_query(open_store(store, read_only=True), """PREFIX kg: <https://w3id.org/kg/ontology#>
        SELECT (COUNT(?f) AS ?fetches) (COUNT(DISTINCT ?feed) AS ?feeds) WHERE { ?f a kg:Fetch . OPTIONAL { ?f <http://www.w3.org/ns/prov#used> ?feed } }""")
    assert kinds.rows == [(1, 1)]


def test_a_round_stopped_keeps_the_article_in_hand_and_the_next_resumes(site, tmp_path):
    """A stop (what SIGINT and SIGTERM do) during the fetch of the first page: that article is
    stored, whole; the next round fetches the other pages, and not that one again."""
    store = tmp_path / "store"
    stop = threading.Event()
    site.on_request[POLAND] = stop
    site.rss(POLAND, JAPAN, TURKEY)
    fetcher = Fetcher(FetchSettings(delay=0), FetchCache.in_store(store), trusted=[site.base])

    first = run_round([f"{site.base}/rss.xml"], store, fetcher, stop=stop)
    assert first.stopped and first.articles == 1
    assert [p for p in site.paths() if p.startswith("/news/")] == [POLAND]
    assert fetcher.cache.page_states() == {"pending": 2, "stored": 1}

    site.requests.clear()
    second = run_round([f"{site.base}/rss.xml"], store, fetcher, number=2)
    assert not second.stopped and second.articles == 2
    assert sorted(p for p in site.paths() if p.startswith("/news/")) == [JAPAN, TURKEY]
    assert second.counts is not None and second.counts.articles == 3


def test_watch_runs_rounds_until_sigterm(site, tmp_path):
    """Without --once, rounds follow each other every --every; SIGTERM (here, right after the
    first round) ends the wait at once, with the coded line."""
    from kg.run.watch import watch

    site.rss(JAPAN)
    stops: list[str] = []
    rounds = watch(
        [f"{site.base}/rss.xml"], tmp_path / "store", every=600, settings=FetchSettings(delay=0),
        on_round=lambda _: os.kill(os.getpid(), signal.SIGTERM), on_stop=stops.append,
    )
    assert [(r.number, r.articles) for r in rounds] == [(1, 1)]
    assert len(stops) == 1 and stops[0].startswith("[E172]")


def test_signals_set_the_stop_once_then_act_as_usual():
    stop, lines = threading.Event(), []
    before = signal.getsignal(signal.SIGTERM)
    with stop_on_signals(stop, lines.append):
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(10)
        assert signal.getsignal(signal.SIGTERM) is before  # a second signal is not caught
    assert lines and lines[0].startswith("[E172] Stopping (SIGTERM)")


def test_failed_pages_back_off_and_are_given_up(site):
    settings = FetchSettings(delay=0, backoff=60, max_failures=2)
    fetcher = Fetcher(settings, trusted=[site.base])
    site.rss("/news/missing.html")
    discover(f"{site.base}/rss.xml", fetcher)
    for failures in (1, 2):
        [page] = fetcher.cache.due_pages(now=1e12, limit=5)
        assert isinstance(fetcher.get(page.url), FetchFailure)
        fetcher.cache.page_failed(page.url, "[E164] ...", retry_at=settings.retry_at(failures, 0))
        assert fetcher.cache.due_pages(now=59, limit=5) == []  # backing off
    assert fetcher.cache.page_states() == {"failed": 1}


# ---------------------------------------------------------------- kg build URL


def test_build_reads_a_url_like_a_file_and_one_canonical_page_once(site, tmp_path):
    store = str(tmp_path / "store")
    # The same page under a second path that names the first canonical, and with a tracking parameter.
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# from the newsletter\n{site.base}/amp/poland-expels-diplomat.html\n\n{site.base}{POLAND}?utm_source=mail\n")
    result = _kg("build", site.base + POLAND, "--urls", str(urls), "--store", store, "--delay", "0")
    assert result.exit_code == 0, result.output
    assert "1 article" in result.stderr
    assert _coded_lines(result.stderr) == {
        f"{site.base}/amp/poland-expels-diplomat.html": "E167", f"{site.base}{POLAND}?utm_source=mail": "E167"
    }
    rows = run_query(open_store(store, read_only=True), """PREFIX kg: <https://w3id.org/kg/ontology#>
        SELECT ?id ?url ?published WHERE { ?a kg:articleId ?id ; kg:url ?url ; kg:published ?published }""").records()
    assert rows == [{"id": site.base + POLAND, "url": site.base + POLAND, "published": "2025-03-04"}]
    relations = run_query(open_store(store, read_only=True), "relations").records()
    assert ("Poland", "expel", "Belarus") in {(r["subject"], r["predicate"], r["object"]) for r in relations}


def test_a_home_page_is_no_canonical_url_and_every_run_reads_its_urls(site):
    """A site that names its home page canonical on every page (it happens) does not make its
    articles one; and kg.read of the same URL twice in a process reads it twice."""
    import kg
    from kg.ingest.web import fetching

    url = f"{site.base}/news/turkey-talks.html"
    site.pages["/news/turkey-talks.html"] = ("text/html", site.article(TURKEY).replace((site.base + TURKEY).encode(), f"{site.base}/".encode()))
    with fetching(Fetcher(FetchSettings(delay=0))):
        first, again = list(kg.read(url)), list(kg.read(url))
    assert [a.id for a in first] == [a.id for a in again] == [url]
    assert first[0].title == "Turkey hosts talks between Armenia and Azerbaijan" and first[0].fetched


def test_build_url_failures_are_coded_lines(site, tmp_path):
    result = _kg("build", f"{site.base}/news/missing.html", f"{site.base}/news/chart", "http://no-such-host.invalid/a.html",
                 site.base + JAPAN, "--store", str(tmp_path / "store"), "--delay", "0")
    assert result.exit_code == 0, result.output
    assert _coded_lines(result.stderr) == {
        f"{site.base}/news/missing.html": "E164", f"{site.base}/news/chart": "E165", "http://no-such-host.invalid/a.html": "E173",
    }
    assert "1 article" in result.stderr


def test_bad_url_lists_and_durations_are_refused(tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text("https://example.com/a.html\nexample.com/b.html\n")
    result = CliRunner().invoke(cli, ["build", "--urls", str(urls), "--store", str(tmp_path / "s")])
    assert result.exit_code == 1 and "[E169]" in result.output and ":2:" in result.output
    assert "[E174]" in CliRunner().invoke(cli, ["build", "--urls", str(tmp_path / "none.txt")]).output
    result = CliRunner().invoke(cli, ["watch", "https://example.com/rss.xml", "--every", "soon"])
    assert result.exit_code == 2 and "E170" in result.output
    with pytest.raises(KGError):
        parse_duration("15 minutes")


# ---------------------------------------------------------------- fetching


def test_fetch_limits_and_protections(site):
    fetcher = Fetcher(FetchSettings(delay=0, max_bytes=500), trusted=[site.base])
    too_large = fetcher.get(site.base + POLAND)
    assert isinstance(too_large, FetchFailure) and too_large.message.startswith("[E166]")
    # A host the user did not name is behind trafilatura's SSRF protection: no loopback address.
    untrusted = Fetcher(FetchSettings(delay=0)).get(site.base + JAPAN)
    assert isinstance(untrusted, FetchFailure) and "SSRF" in untrusted.message
    # A name that does not resolve (the guard answers as DNS does) is E161 once robots.txt is read: E173.
    unknown = Fetcher(FetchSettings(delay=0)).get("http://no-such-host.invalid/a.html")
    assert isinstance(unknown, FetchFailure) and unknown.message.startswith("[E173]") and "DNS" in unknown.message


def test_conditional_requests_use_the_validators_of_the_cache(site):
    fetcher = Fetcher(FetchSettings(delay=0), trusted=[site.base])
    first = discover(f"{site.base}/sitemap.xml", fetcher)
    again = discover(f"{site.base}/sitemap.xml", fetcher)
    assert (first.new, again.new, again.found) == (1, 0, 0)
    assert site.requests == [("/robots.txt", 200), ("/sitemap.xml", 200), ("/sitemap.xml", 304)]
