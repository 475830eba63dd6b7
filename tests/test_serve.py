"""``kg serve``: the store as a SPARQL 1.1 endpoint, checked with SPARQLWrapper against ``kg query``.

A small store is built from text written for this test; ``kg serve`` runs in a
subprocess on a free port and is always stopped by the fixture's finalizer.
Results through its proxy are compared byte for byte with the same query sent
to an Oxigraph server of our own (``direct``), with and without a size limit.
"""
from __future__ import annotations

import contextlib
import csv
import gc
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from multiprocessing.pool import ThreadPool

import pytest
import rdflib
from click.testing import CliRunner
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, SPARQLWrapper

from kg.cli import cli
from kg.errors import Errors, KGError
from kg.rdf.query import saved_queries
from kg.serve import (
    base_url,
    check_port,
    find_server,
    parse_size,
    server_command,
    start_server,
    stop_server,
    wait_until_ready,
)
from kg.serve_proxy import Backend, ProxyServer, may_call_service

ARTICLE = """Published 2024-06-03

Germany delivered air defense systems to Ukraine on Monday. Poland expelled a Belarusian diplomat after the border incident. Japan pledged reconstruction aid to Ukraine.
"""
LATER_ARTICLE = """Published 2024-06-05

Norway sent patrol boats to Estonia.
"""
COUNT_ARTICLES = "PREFIX kg: <https://w3id.org/kg/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?a a kg:Article }"
# Every triple of the store, in an order that does not depend on the server process: tens of KB.
ALL_TRIPLES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
SMALL_LIMIT = 2000  # --max-result-size 2KB

# Waits meant only to catch a hang: a busy machine may be slow, never this slow.
HANG_LIMIT = 120


def build_store(store_dir, text_file) -> None:
    from kg.run.pipeline import build
    from kg.rdf.store import open_store

    store = open_store(store_dir)
    build([str(text_file)], store)
    del store
    gc.collect()  # pyoxigraph releases the store (and its lock) when the object goes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A ``kg serve`` subprocess, with extra ``options``."""

    def __init__(self, store_dir, port: int, *options: str):
        self.port = port
        self.url = base_url("127.0.0.1", port)
        self.endpoint = self.url + "query"
        command = [sys.executable, "-c", "from kg.cli import cli; cli()", "serve", "--store", str(store_dir), "--port", str(port), *options]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_until_ready(self.url, HANG_LIMIT, process=self.process)

    def backend_pids(self) -> list[int]:
        """The pids of the oxigraph processes behind the proxy: one, or none while it restarts (Linux only)."""
        children = f"/proc/{self.process.pid}/task/{self.process.pid}/children"
        if not os.path.exists(children):
            pytest.skip("needs /proc/PID/task/PID/children (Linux)")
        with open(children) as f:
            return [int(pid) for pid in f.read().split()]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()
        return self.process.returncode


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory, nlp):
    folder = tmp_path_factory.mktemp("serve")
    article = folder / "border-week.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    build_store(folder / "kg-store", article)
    return folder / "kg-store"


@pytest.fixture(scope="module")
def server(request, store_dir):
    running = Server(store_dir, free_port())
    request.addfinalizer(running.stop)
    return running


@pytest.fixture(scope="module")
def limited(request, store_dir):
    running = Server(store_dir, free_port(), "--max-result-size", "2KB")
    request.addfinalizer(running.stop)
    return running


@pytest.fixture(scope="module")
def unlimited(request, store_dir):
    running = Server(store_dir, free_port(), "--max-result-size", "0")
    request.addfinalizer(running.stop)
    return running


@pytest.fixture(scope="module")
def direct(request, store_dir):
    """Base URL of a plain Oxigraph server on the same store, without kg serve's proxy."""
    port = free_port()
    url = base_url("127.0.0.1", port)
    process = start_server(server_command(store_dir, "127.0.0.1", port), url)
    request.addfinalizer(lambda: stop_server(process))
    return url


def kg_query(store_dir, fmt: str) -> str:
    result = CliRunner().invoke(cli, ["query", "relations", "--store", str(store_dir), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def sparql(server: Server, fmt=JSON, method: str | None = None) -> SPARQLWrapper:
    client = SPARQLWrapper(server.endpoint, updateEndpoint=server.url + "update")
    client.setQuery(saved_queries()["relations"])
    client.setReturnFormat(fmt)
    if method == POSTDIRECTLY:
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)  # body is the query, Content-Type application/sparql-query
    elif method == POST:
        client.setMethod(POST)  # form-encoded
    return client


def canonical(records: list[dict]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in records)


@pytest.mark.parametrize("method", ["GET", POST, POSTDIRECTLY])
def test_json_results_match_kg_query(server, store_dir, method):
    result = sparql(server, JSON, None if method == "GET" else method).query().convert()
    columns = result["head"]["vars"]
    rows = [{c: b[c]["value"] for c in columns if c in b} for b in result["results"]["bindings"]]
    expected = [{k: str(v) for k, v in r.items() if v is not None} for r in json.loads(kg_query(store_dir, "json"))]
    assert canonical(rows) == canonical(expected)
    # The events live in the article's named graph: only the union default graph finds them.
    assert any(r.get("subject") == "Germany" and r.get("predicate") == "deliver" and r.get("object") == "Ukraine" for r in rows)


def test_csv_results_match_kg_query(server, store_dir):
    body = sparql(server, CSV, POST).query().convert()
    served = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    local = list(csv.reader(io.StringIO(kg_query(store_dir, "csv"))))
    assert served[0] == local[0] == saved_query_columns()
    assert sorted(served[1:]) == sorted(local[1:])


def saved_query_columns() -> list[str]:
    select = saved_queries()["relations"].split("SELECT", 1)[1].split("WHERE", 1)[0]
    return [v.lstrip("?") for v in select.split()]


def test_construct_as_turtle_and_json_ld(server):
    query = "CONSTRUCT { ?c ?p ?o } WHERE { ?c a <https://w3id.org/kg/ontology#Country> ; ?p ?o }"
    for media_type, rdf_format in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        url = server.endpoint + "?" + urllib.parse.urlencode({"query": query})
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": media_type}), timeout=HANG_LIMIT) as response:
            assert response.headers["Content-Type"].startswith(media_type)
            graph = rdflib.Graph().parse(data=response.read(), format=rdf_format)
        labels = {str(o) for o in graph.objects(None, rdflib.RDFS.label)}
        assert {"Germany", "Ukraine"} <= labels


def test_update_is_refused(server):
    client = SPARQLWrapper(server.endpoint, updateEndpoint=server.url + "update")
    client.setMethod(POST)
    client.setQuery("INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }")
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query()
    assert refused.value.code == 403
    check = SPARQLWrapper(server.endpoint)
    check.setQuery("ASK { <urn:a> <urn:b> <urn:c> }")
    check.setReturnFormat(JSON)
    assert check.query().convert()["boolean"] is False


def test_cors_header_and_query_page(server):
    request = urllib.request.Request(
        server.endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"}), headers={"Origin": "https://example.org"}
    )
    with urllib.request.urlopen(request, timeout=HANG_LIMIT) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    with urllib.request.urlopen(server.url, timeout=HANG_LIMIT) as page:
        assert "yasgui" in page.read().decode("utf-8").lower()


def fetch(url: str, query: str, accept: str, method: str = "GET") -> tuple[int, http.client.HTTPMessage, bytes]:
    """Status, headers and body of ``query`` sent to the server at ``url``; an error status is returned, not raised."""
    if method == "GET":
        request = urllib.request.Request(url + "query?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
    else:
        headers = {"Accept": accept, "Content-Type": "application/sparql-query"}
        request = urllib.request.Request(url + "query", data=query.encode("utf-8"), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=HANG_LIMIT) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers, e.read()


@contextlib.contextmanager
def proxy(backend_port: int | None, limit: int, wait_s: float = 5.0):
    """A :class:`ProxyServer` in this process in front of ``backend_port``; yields its base URL."""
    backend = Backend()
    backend.set_port(backend_port)
    running = ProxyServer("127.0.0.1", 0, backend, max_result_size=limit, wait_s=wait_s, on_message=lambda _line: None)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    try:
        yield base_url("127.0.0.1", running.server_address[1])
    finally:
        running.shutdown()
        running.server_close()


@contextlib.contextmanager
def hanging_up_backend(response: bytes):
    """The port of a server that answers every request with ``response`` and closes the connection."""
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return  # closed: the test is over
            with connection:
                connection.recv(65536)
                connection.sendall(response)

    threading.Thread(target=answer, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def port_of(url: str) -> int:
    return urllib.parse.urlsplit(url).port


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_result_under_the_limit_is_sent_whole(server, direct, accept, method):
    status, headers, body = fetch(server.url, ALL_TRIPLES, accept, method)
    assert status == 200
    assert int(headers["Content-Length"]) == len(body) > 10 * SMALL_LIMIT  # big enough for the tests of the 2KB limit
    direct_status, direct_headers, direct_body = fetch(direct, ALL_TRIPLES, accept, method)
    assert (status, headers["Content-Type"], body) == (direct_status, direct_headers["Content-Type"], direct_body)


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_result_over_the_limit_is_refused_never_truncated(limited, direct, accept):
    status, headers, body = fetch(limited.url, ALL_TRIPLES, accept)
    assert status == 507
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Access-Control-Allow-Origin"] == "*"  # a query page elsewhere can show the message
    assert body.decode("utf-8") == Errors.E067.format(limit=SMALL_LIMIT) + "\n"  # the message, and not a byte of the result
    assert body.startswith(b"[E067] The result is larger than 2,000 bytes") and b"LIMIT" in body and b"--max-result-size" in body
    # Under the limit, the same server answers in full.
    small = ALL_TRIPLES + " LIMIT 3"
    status, headers, body = fetch(limited.url, small, accept)
    assert status == 200 and int(headers["Content-Length"]) == len(body) < SMALL_LIMIT
    assert body == fetch(direct, small, accept)[2]


def test_limit_counts_bytes_exactly(direct):
    size = len(fetch(direct, ALL_TRIPLES, "text/csv")[2])
    with proxy(port_of(direct), size) as url:
        status, _, body = fetch(url, ALL_TRIPLES, "text/csv")
        assert status == 200 and len(body) == size
    with proxy(port_of(direct), size - 1) as url:
        assert fetch(url, ALL_TRIPLES, "text/csv")[0] == 507


def test_query_page_works_with_any_limit(limited, direct):
    """The page's files (yasgui.min.js is 1 MB) are not results: the limit does not apply to them."""
    for path in ("", "yasgui.min.js"):
        with urllib.request.urlopen(limited.url + path, timeout=HANG_LIMIT) as served, urllib.request.urlopen(direct + path, timeout=HANG_LIMIT) as plain:
            assert served.read() == plain.read()


def test_no_limit_streams_the_result(unlimited, direct):
    status, headers, body = fetch(unlimited.url, ALL_TRIPLES, "application/sparql-results+json")
    assert status == 200 and headers["Transfer-Encoding"] == "chunked"
    assert body == fetch(direct, ALL_TRIPLES, "application/sparql-results+json")[2]


CUT_SHORT = {
    "content-length": b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\nn\r\n1\r\n",
    "chunked": b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nn\r\n1\r\n\r\n",
}


@pytest.mark.parametrize("framing", sorted(CUT_SHORT))
def test_a_result_cut_short_by_the_server_is_not_passed_on_as_complete(framing):
    """If the server dies mid-result: with a limit the client gets 502; without, a body it sees is incomplete."""
    with hanging_up_backend(CUT_SHORT[framing]) as port:
        with proxy(port, SMALL_LIMIT) as url:
            status, _, body = fetch(url, "SELECT ?n {}", "text/csv")
            assert status == 502 and body.startswith(b"[E068] The SPARQL server is not answering (it stopped while answering")
        with proxy(port, 0) as url, pytest.raises(http.client.IncompleteRead):
            fetch(url, "SELECT ?n {}", "text/csv")


def test_no_server_is_503_with_retry_after():
    with proxy(None, SMALL_LIMIT, wait_s=0.2) as url:
        status, headers, body = fetch(url, "ASK {}", "text/csv")
    assert status == 503 and headers["Retry-After"] == "1"
    assert body.decode("utf-8") == Errors.E068.format(detail="it did not come back within 0.2 s") + "\n"


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "update", "application/sparql-update"),
        ("POST", "store?default", "text/turtle"),
        ("PUT", "store?default", "text/turtle"),
        ("DELETE", "store?default", None),
    ],
)
def test_writes_are_refused_by_the_proxy_and_by_the_server(server, direct, method, path, content_type):
    body = b"INSERT DATA { <urn:a> <urn:b> <urn:c> }" if path == "update" else b"<urn:a> <urn:b> <urn:c> ."
    for url in (server.url, direct):
        headers = {"Content-Type": content_type} if content_type else {}
        request = urllib.request.Request(url + path, data=body if content_type else None, headers=headers, method=method)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=HANG_LIMIT)
        with refused.value:
            assert (refused.value.code, refused.value.read().strip()) == (403, b"The server is read-only")
    assert fetch(server.url, "ASK { <urn:a> <urn:b> <urn:c> }", "text/csv")[2].strip() == b"false"


@pytest.mark.parametrize(
    ("text", "size"),
    [("10MB", 10_000_000), ("500KB", 500_000), ("500 kb", 500_000), ("2KiB", 2048), ("1GB", 10**9), ("1048576", 1_048_576), ("0", 0)],
)
def test_parse_size(text, size):
    assert parse_size(text) == size


def test_max_result_size_option_reaches_serve(monkeypatch, tmp_path):
    sizes = []
    monkeypatch.setattr("kg.serve.serve", lambda *_args, **options: sizes.append(options["max_result_size"]))
    for options in (["--max-result-size", "10MB"], ["--max-result-size", "500KB"], ["--max-result-size", "0"], []):
        result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path), *options])
        assert result.exit_code == 0, result.output
    assert sizes == [10_000_000, 500_000, 0, 50_000_000]


@pytest.mark.parametrize("value", ["ten", "-1", "1.5MB", "5XB", "MB", ""])
def test_bad_max_result_size_is_a_usage_error(value):
    result = CliRunner().invoke(cli, ["serve", "--max-result-size", value])
    assert result.exit_code == 2
    assert f"Invalid value for '--max-result-size': [E066] {value!r} is not a size" in result.output


def test_sighup_reopens_the_store_after_a_build_and_sigterm_stops(tmp_path, nlp):
    """A read-only server keeps the view it opened; SIGHUP makes it see a later ``kg build``.

    The proxy goes on answering, with its limit, after the server behind it is
    restarted by SIGHUP or after a crash; a request made meanwhile waits for it.
    """
    store = tmp_path / "kg-store"
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(LATER_ARTICLE, encoding="utf-8")
    build_store(store, tmp_path / "a.txt")
    served = Server(store, free_port(), "--max-result-size", "2KB")
    try:
        client = SPARQLWrapper(served.endpoint)
        client.setQuery(COUNT_ARTICLES)
        client.setReturnFormat(JSON)

        def articles() -> int:
            return int(client.query().convert()["results"]["bindings"][0]["n"]["value"])

        assert articles() == 1
        build_store(store, tmp_path / "b.txt")  # a writer while the server reads the store
        assert articles() == 1
        (first,) = served.backend_pids()
        served.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + HANG_LIMIT
        while True:
            try:
                if articles() == 2:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass  # a query cut off when the server stopped
            assert time.monotonic() < deadline, "the server did not reopen the store"
            time.sleep(0.05)
        (second,) = served.backend_pids()
        assert second != first
        assert fetch(served.url, ALL_TRIPLES, "text/csv")[0] == 507  # the new server is behind the same limit

        os.kill(second, signal.SIGKILL)  # a crash: kg serve starts another server
        deadline = time.monotonic() + HANG_LIMIT
        while served.backend_pids() in ([], [second]):
            assert time.monotonic() < deadline, "the server was not started again"
            time.sleep(0.01)
        assert articles() == 2  # waits for the new server instead of failing
        (third,) = served.backend_pids()
        assert served.stop() == 0
        check_port("127.0.0.1", served.port)  # the proxy's port is free
        assert not os.path.exists(f"/proc/{third}")  # and the server is gone with kg serve
        log = served.process.stderr.read()
        assert "The SPARQL server stopped (killed by signal 9 SIGKILL); starting it again" in log
        assert "Stopped serving" in log
    finally:
        served.stop()


def test_sighup_to_any_thread_reopens(store_dir):
    """The kernel may deliver SIGHUP to any thread of kg serve (the proxy's, the readers of the server's
    stderr), not the main one that waits for the server: it must still restart it."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "tgkill") or not os.path.isdir("/proc/self/task"):
        pytest.skip("needs Linux's tgkill and /proc")
    served = Server(store_dir, free_port())
    try:
        (first,) = served.backend_pids()
        threads = [int(t) for t in os.listdir(f"/proc/{served.process.pid}/task") if int(t) != served.process.pid]
        assert threads, "kg serve runs its proxy in threads"
        assert libc.tgkill(served.process.pid, threads[0], signal.SIGHUP) == 0
        deadline = time.monotonic() + HANG_LIMIT
        while served.backend_pids() in ([], [first]):
            assert time.monotonic() < deadline, "SIGHUP delivered to another thread was lost"
            time.sleep(0.05)
        assert fetch(served.url, COUNT_ARTICLES, "application/sparql-results+json")[0] == 200
    finally:
        served.stop()


# kg serve whose second start of the server fails (as when the port it picked is taken meanwhile, or a busy
# machine makes it answer late): the first start and the third go as usual.
FAILING_RESTART = """
import kg.serve
from kg.errors import KGError
real, starts = kg.serve.wait_until_ready, []
def wait_until_ready(url, timeout=15.0, *, process=None):
    starts.append(url)
    if len(starts) == 2:
        raise KGError("[E064] The SPARQL server did not answer (made to fail by the test).")
    return real(url, timeout, process=process)
kg.serve.wait_until_ready = wait_until_ready
from kg.cli import cli
cli()
"""


def test_a_restart_that_fails_is_tried_again(store_dir):
    """After a crash, a server that does not start is replaced by another, not the end of the endpoint."""
    port = free_port()
    command = [sys.executable, "-c", FAILING_RESTART, "serve", "--store", str(store_dir), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = base_url("127.0.0.1", port)
        wait_until_ready(url, HANG_LIMIT, process=process)
        children = f"/proc/{process.pid}/task/{process.pid}/children"
        if not os.path.exists(children):
            pytest.skip("needs /proc/PID/task/PID/children (Linux)")
        with open(children) as f:
            (first,) = [int(pid) for pid in f.read().split()]
        os.kill(first, signal.SIGKILL)  # a crash: the restart fails once, then succeeds
        deadline = time.monotonic() + HANG_LIMIT
        while True:
            status, _, body = fetch(url, COUNT_ARTICLES, "application/sparql-results+json")
            if status == 200:
                break
            assert process.poll() is None, "kg serve ended with the failed restart"
            assert time.monotonic() < deadline, "the server was not started again"
            time.sleep(0.05)
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "1"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(HANG_LIMIT)
        except subprocess.TimeoutExpired:
            process.kill()
    log = process.stderr.read()
    assert "The SPARQL server did not start again ([E064] The SPARQL server did not answer (made to fail by the test).); trying once more" in log
    assert process.returncode == 0


def test_taken_port_is_one_coded_line(store_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--store", str(store_dir), "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: [E061] Port {port} on 127.0.0.1 is already in use. Stop the program using it or pass --port N."]


def test_missing_binary_is_a_coded_error(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(KGError, match=r"^\[E060\]"):
        find_server()


def test_server_command_flags():
    command = server_command("kg-store", "0.0.0.0", 8000, timeout_s=0, cors=False, binary="oxigraph")
    assert command == ["oxigraph", "serve-read-only", "--location", "kg-store", "--bind", "0.0.0.0:8000", "--union-default-graph"]


# --- Queries that end --------------------------------------------------------------------------------------

# Over 11,000 quads, Oxigraph's own --timeout-s does not stop this count: it ran for minutes, a core busy after
# its client left. Over 1,100 quads it is cancelled by Oxigraph itself, as is the two-way join below.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TWO_WAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(?c != ?f) }"


@pytest.fixture(scope="module")
def crowded_store(tmp_path_factory):
    """A store of 11,000 quads of our own making, in 50 graphs: enough for cross joins that run for minutes."""
    import pyoxigraph as ox

    location = tmp_path_factory.mktemp("crowded") / "kg-store"
    store = ox.Store(str(location))
    store.bulk_extend(
        ox.Quad(ox.NamedNode(f"urn:kg-test:s{i}"), ox.NamedNode(f"urn:kg-test:p{i % 7}"), ox.Literal(f"value {i}"), ox.NamedNode(f"urn:kg-test:g{i % 50}"))
        for i in range(11_000)
    )
    store.flush()
    del store
    gc.collect()  # the store's lock goes with the object
    return location


def timed_fetch(url: str, query: str) -> tuple[int, bytes, float]:
    started = time.monotonic()
    status, _, body = fetch(url, query, "text/csv")
    return status, body, time.monotonic() - started


def test_a_query_past_the_timeout_is_stopped_and_the_server_goes_on(crowded_store):
    """--timeout 5: a runaway count gets 504 and its server is restarted, which stops it; a count Oxigraph can
    cancel gets 504 too (never Oxigraph's 200 with an error at the end of the body); the next query is answered."""
    served = Server(crowded_store, free_port(), "--timeout", "5")
    try:
        (first,) = served.backend_pids()
        started = time.monotonic()
        with ThreadPool(2) as pool:
            runaway, two_way = pool.map(lambda q: timed_fetch(served.url, q), [RUNAWAY, TWO_WAY])
        for status, body, elapsed in (runaway, two_way):
            assert status == 504, body
            assert body.decode("utf-8") == Errors.E120.format(timeout=5) + "\n"
            assert elapsed < 15
        # The server is restarted for the runaway count: the first one is gone, with the work it was doing.
        deadline = time.monotonic() + HANG_LIMIT
        while os.path.exists(f"/proc/{first}") or served.backend_pids() in ([], [first]):
            assert time.monotonic() < deadline, "the runaway query's server was not stopped"
            time.sleep(0.05)
        assert time.monotonic() - started < 15
        status, _, body = fetch(served.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:kg-test:p3> ?o }", "text/csv")
        assert (status, body.split()) == (200, [b"n", b"1571"])
        assert served.stop() == 0
        log = served.process.stderr.read()
        assert "ran past the 5 s timeout and the SPARQL server did not stop it within 2 s: restarting the server to stop it" in log
        assert "Serving" in log.split("restarting the server to stop it", 1)[1]  # and it served again
    finally:
        served.stop()


# --- No requests on behalf of queries ---------------------------------------------------------------------


@contextlib.contextmanager
def listener():
    """A TCP listener on 127.0.0.1 that records every connection made to it (and closes it); yields (port, connections)."""
    sock = socket.create_server(("127.0.0.1", 0))
    connections: list[bytes] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = sock.accept()
            except OSError:
                return  # closed: the test is over
            with connection:
                connection.settimeout(5)
                with contextlib.suppress(OSError):
                    connections.append(connection.recv(65536))

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield sock.getsockname()[1], connections
    finally:
        sock.close()


def service_queries(port: int) -> list[str]:
    """Ways to write a call to the listener that Oxigraph 0.5 reads as SERVICE (each one checked below)."""
    target = f"<http://127.0.0.1:{port}/sparql>"
    # An empty pattern inside: Oxigraph calls such a SERVICE first, whatever the patterns around it match.
    return [
        f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}",
        f"select * where {{ ?s ?p ?o .sErViCe{target}{{}} }}",  # any case, glued to the dot
        f"SELECT * WHERE {{ ?s ?p 1SERVICE{target}{{}} }}",  # glued to a number
        f"SELECT * WHERE {{ # a comment ends at CR too\rSERVICE SILENT {target} {{}} }}",
        f"PREFIX x: <http://a:1> SELECT * WHERE {{ ?s x:1SERVICE{target}{{}} }}",  # x:1SERVICE is no IRI: x: then 1
    ]


def send(url: str, method: str, query: str, *, form: bool = False, headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    """``query`` sent to the endpoint by GET, POST form or POST application/sparql-query; status, headers, body."""
    headers = {"Accept": "text/csv", **(headers or {})}
    if method == "GET":
        request = urllib.request.Request(url + "query?" + urllib.parse.urlencode({"query": query}), headers=headers)
    elif form:
        body = urllib.parse.urlencode({"query": query}).encode("ascii")
        request = urllib.request.Request(url + "sparql", data=body, headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
    else:
        request = urllib.request.Request(url + "query", data=query.encode("utf-8"), headers={**headers, "Content-Type": "application/sparql-query"})
    try:
        with urllib.request.urlopen(request, timeout=HANG_LIMIT) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers, e.read()


def test_service_is_refused_and_the_listener_receives_nothing(server, direct):
    """A page on another origin sends SERVICE queries every way the protocol allows: all refused, no request made.

    Each query does make plain Oxigraph call the listener: the refusals are not of queries it would not run.
    """
    with listener() as (port, connections):
        for query in service_queries(port):
            for method, form in (("GET", False), ("POST", True), ("POST", False)):
                status, headers, body = send(server.url, method, query, form=form, headers={"Origin": "https://elsewhere.example"})
                assert status == 403, (query, method, form, body)
                assert body.decode("utf-8") == Errors.E121 + "\n"
                assert headers["Access-Control-Allow-Origin"] == "*"  # the page can read the refusal, nothing more
        assert connections == []
        for query in service_queries(port):
            calls = len(connections)
            send(direct, "POST", query)
            deadline = time.monotonic() + HANG_LIMIT
            while len(connections) == calls:
                assert time.monotonic() < deadline, f"plain Oxigraph did not call the listener for {query!r}"
                time.sleep(0.01)
    assert fetch(server.url, "ASK { ?s ?p ?o }", "text/csv")[2].strip() == b"true"


def test_an_unknown_path_or_a_query_in_another_form_never_reaches_the_server(server):
    """The proxy reads every query itself and passes on only paths Oxigraph serves, as written."""
    query = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    for path in ("store/../query", "query/", "Query", "x/../sparql"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.url}{path}?{query}", timeout=HANG_LIMIT)
        with refused.value:
            assert refused.value.code == 404
            assert refused.value.read().decode("utf-8") == Errors.E125.format(path="/" + path) + "\n"
    cases = [
        ("text/plain", b"ASK {}", 415, Errors.E122.format(content_type="text/plain")),
        ("application/sparql-query", b"ASK { ?s ?p '\xff' }", 400, None),
        ("application/x-www-form-urlencoded", b"update=CLEAR+ALL", 403, "The server is read-only"),
        ("application/sparql-update", b"CLEAR ALL", 403, "The server is read-only"),
    ]
    for content_type, body, status, message in cases:
        request = urllib.request.Request(server.url + "sparql", data=body, headers={"Content-Type": content_type})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=HANG_LIMIT)
        with refused.value:
            text = refused.value.read().decode("utf-8")
            assert refused.value.code == status
            assert text.startswith("[E124] The query is not UTF-8 text") if message is None else text == message + "\n"
    # Any encoding of the text reaches the server as the text: "+" and %20 are spaces, %-escapes UTF-8.
    encoded = "query=SELECT+%28%22%C3%A9t%C3%A9%22+AS%20%3Fx%29+%7B%7D"
    with urllib.request.urlopen(urllib.request.Request(f"{server.url}query?{encoded}", headers={"Accept": "text/csv"}), timeout=HANG_LIMIT) as response:
        assert response.read().decode("utf-8").split() == ["x", "été"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://10.0.0.1/> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p true SERVICE<http://10.0.0.1/>{} }",
        "SELECT * WHERE { ?s ?p ?o } #\r SERVICE <http://10.0.0.1/> {}",
        "SELECT * WHERE { \\u0053ERVICE <http://10.0.0.1/> {} }",  # for an Oxigraph that replaces \u escapes first
        # "<" is less-than here, so the quote after it starts a string, and SERVICE is outside it
        "SELECT * WHERE { FILTER(?a<'>'||?b) SERVICE <http://10.0.0.1/> {} FILTER('') }",
        # and the "#" after this "<" starts a comment: the long string does not start there
        "SELECT * WHERE { FILTER(?a <#> '''\n?b) SERVICE <http://10.0.0.1/> {} #''' }",
        "SELECT * WHERE { ?s ex:a\\'b SERVICE <http://10.0.0.1/> {} ?s ?p 'x' }",  # \' escapes a quote in a name
        "SELECT * WHERE { SERVICE:x {} }",  # SERVICE, then the name :x
    ],
)
def test_may_call_service_finds_the_keyword_however_it_is_hidden(query):
    assert may_call_service(query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service WHERE { ?service ?p ?o }",
        'SELECT * WHERE { ?s ?p "Federal Security Service" }',
        "SELECT * WHERE { ?s ?p '''a\nsecurity service''' }",
        "SELECT * WHERE { ?s <https://w3id.org/kg/id/actor/security-service> ?o }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://10.0.0.1/> {}",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1 || CONTAINS(?o, 'service')) }",
    ],
)
def test_may_call_service_lets_the_word_be_in_strings_comments_variables_and_iris(query):
    assert not may_call_service(query)


def test_allow_service_reaches_serve(monkeypatch, tmp_path):
    allowed = []
    monkeypatch.setattr("kg.serve.serve", lambda *_args, **options: allowed.append(options["allow_service"]))
    for options in (["--allow-service"], []):
        assert CliRunner().invoke(cli, ["serve", "--store", str(tmp_path), *options]).exit_code == 0
    assert allowed == [True, False]


# --- Concurrent clients --------------------------------------------------------------------------------------


def test_two_hundred_concurrent_clients_all_get_answers(server):
    """200 clients connect at once (with Python's backlog of 5 some were dropped); each gets its own answer."""
    clients = 200
    ready = threading.Barrier(clients)

    def ask(i: int) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=HANG_LIMIT)
        try:
            ready.wait(HANG_LIMIT)
            body = urllib.parse.urlencode({"query": f"SELECT ?i WHERE {{ BIND({i} AS ?i) ?s ?p ?o }} LIMIT 1"})
            connection.request("POST", "/query", body, {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    with ThreadPool(clients) as pool:
        answers = pool.map(ask, range(clients))
    assert answers == [(200, f"i\r\n{i}\r\n".encode()) for i in range(clients)]


def test_connections_beyond_the_workers_wait_in_the_backlog(direct):
    """200 clients connect before the proxy accepts any: the kernel holds them all (Python's default backlog of 5
    held 6, the others' connects timed out), and 8 workers then answer each, in turn."""
    backend = Backend()
    backend.set_port(port_of(direct))
    running = ProxyServer("127.0.0.1", 0, backend, workers=8, on_message=lambda _line: None)
    connections = []
    try:
        for _ in range(200):
            connection = http.client.HTTPConnection("127.0.0.1", running.server_address[1], timeout=HANG_LIMIT)
            connection.connect()  # completes while nothing accepts: the connection waits in the backlog
            connections.append(connection)
        body = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        for connection in connections:
            connection.request("POST", "/query", body, {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv", "Connection": "close"})
        threading.Thread(target=running.serve_forever, daemon=True).start()
        answers = []
        for connection in connections:
            response = connection.getresponse()
            answers.append((response.status, response.read()))
            connection.close()
        assert answers == [(200, b"true")] * 200
    finally:
        for connection in connections:
            connection.close()
        running.shutdown()
        running.server_close()
