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
from kg.serve_proxy import Backend, ProxyServer

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
        wait_until_ready(self.url, 20, process=self.process)

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
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": media_type}), timeout=10) as response:
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
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    with urllib.request.urlopen(server.url, timeout=10) as page:
        assert "yasgui" in page.read().decode("utf-8").lower()


def fetch(url: str, query: str, accept: str, method: str = "GET") -> tuple[int, http.client.HTTPMessage, bytes]:
    """Status, headers and body of ``query`` sent to the server at ``url``; an error status is returned, not raised."""
    if method == "GET":
        request = urllib.request.Request(url + "query?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
    else:
        headers = {"Accept": accept, "Content-Type": "application/sparql-query"}
        request = urllib.request.Request(url + "query", data=query.encode("utf-8"), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
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
        with urllib.request.urlopen(limited.url + path, timeout=10) as served, urllib.request.urlopen(direct + path, timeout=10) as plain:
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
            urllib.request.urlopen(request, timeout=10)
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
