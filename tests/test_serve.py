"""``kg serve``: the store as a SPARQL 1.1 endpoint, checked with SPARQLWrapper against ``kg query``.

A small store is built from text written for this test; ``kg serve`` runs in a
subprocess on a free port and is always stopped by the fixture's finalizer.
"""
from __future__ import annotations

import csv
import gc
import io
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import rdflib
from click.testing import CliRunner
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, SPARQLWrapper

from kg.cli import cli
from kg.errors import KGError
from kg.query import saved_queries
from kg.serve import base_url, check_port, find_server, server_command, wait_until_ready

ARTICLE = """Published 2024-06-03

Germany delivered air defense systems to Ukraine on Monday. Poland expelled a Belarusian diplomat after the border incident. Japan pledged reconstruction aid to Ukraine.
"""
LATER_ARTICLE = """Published 2024-06-05

Norway sent patrol boats to Estonia.
"""
COUNT_ARTICLES = "PREFIX kg: <https://w3id.org/kg/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?a a kg:Article }"


def build_store(store_dir, text_file) -> None:
    from kg.pipeline import build
    from kg.store import open_store

    store = open_store(store_dir)
    build([str(text_file)], store)
    del store
    gc.collect()  # pyoxigraph releases the store (and its lock) when the object goes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A ``kg serve`` subprocess."""

    def __init__(self, store_dir, port: int):
        self.port = port
        self.url = base_url("127.0.0.1", port)
        self.endpoint = self.url + "query"
        command = [sys.executable, "-c", "from kg.cli import cli; cli()", "serve", "--store", str(store_dir), "--port", str(port)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_until_ready(self.url, 20, process=self.process)

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


def test_sighup_reopens_the_store_after_a_build_and_sigterm_stops(tmp_path, nlp):
    """A read-only server keeps the view it opened; SIGHUP makes it see a later ``kg build``."""
    store = tmp_path / "kg-store"
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(LATER_ARTICLE, encoding="utf-8")
    build_store(store, tmp_path / "a.txt")
    served = Server(store, free_port())
    try:
        client = SPARQLWrapper(served.endpoint)
        client.setQuery(COUNT_ARTICLES)
        client.setReturnFormat(JSON)

        def articles() -> int:
            return int(client.query().convert()["results"]["bindings"][0]["n"]["value"])

        assert articles() == 1
        build_store(store, tmp_path / "b.txt")  # a writer while the server reads the store
        assert articles() == 1
        served.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 15
        while True:
            try:
                if articles() == 2:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass  # the ~0.1 s while the server restarts
            assert time.monotonic() < deadline, "the server did not reopen the store"
            time.sleep(0.05)
        assert served.stop() == 0
        check_port("127.0.0.1", served.port)  # the oxigraph child is gone too: the port is free
        assert "Stopped serving" in served.process.stderr.read()
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
