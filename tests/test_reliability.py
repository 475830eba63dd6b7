"""Reliability: a stopped build (killed, interrupted, out of disk space, on a damaged store) leaves a
store kg validate accepts and loses no committed article; bad input costs only itself, hostile
names stay data, and --strict turns problems into a failing exit status."""
from __future__ import annotations

import errno
import gc
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.run.pipeline import build
from kg.rdf.query import run_query
from kg.rdf.store import open_memory_store, open_store, replace_graphs, verify_store
from kg.rdf.namespace import KG
from kg.vocab import ACTORS_GRAPH, article_iri

# Reports that many articles share, so that merging happens across them (one attack, fourteen sources).
SHARED = [
    "Russia attacked Ukraine on March 4.",
    "Poland sent tanks to Ukraine on March 4.",
    "France accused Mali of sabotage on March 5.",
    "Japan condemned China on March 5.",
]
STATES = [("Germany", "Belarus"), ("Turkey", "Greece"), ("India", "Pakistan"), ("Brazil", "Argentina"), ("Egypt", "Sudan"), ("Kenya", "Somalia")]
DEEDS = ["criticized", "threatened", "pledged aid to", "held talks with", "signed a trade pact with"]

# `kg build` processes forked from one that loaded the model and what parsing needs (a fresh
# process each would load them again: 4 s). The test sends a seed and the arguments of a build
# a line; each build reports `pid N`, logs `stored ID (N events)` per article committed, and the
# harness `exit CODE`. Chunks of two articles (a commit every two, with its merged events), and
# a random few milliseconds before and after each commit, so that a stop lands anywhere around commits.
BUILDS = """
import logging, os, random, sys, time, traceback
import kg.rdf.store
rng, commit = random.Random(), kg.rdf.store.replace_graphs
def slow_commit(*args, **kwargs):
    time.sleep(rng.uniform(0, 0.03))
    commit(*args, **kwargs)
    time.sleep(rng.uniform(0, 0.03))
kg.rdf.store.replace_graphs = slow_commit
import kg.run.pipeline
kg.run.pipeline.build.__kwdefaults__["batch_size"] = 2
from kg.cli import cli
from kg.records import Article
from kg.rdf.store import open_memory_store
warm_up = "Poland sent tanks to Ukraine on March 4, officials in the capital said on Tuesday. " * 3
kg.run.pipeline.build([Article("warm-up", warm_up, date="2024-03-05")], open_memory_store())  # the model, dates, languages
logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
while line := sys.stdin.readline():
    seed, *args = line.rstrip("\\n").split("\\t")
    pid = os.fork()
    if pid == 0:
        rng.seed(int(seed))
        print(f"pid {os.getpid()}", file=sys.stderr, flush=True)
        code = 1
        try:
            cli.main(args)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    print(f"exit {os.waitstatus_to_exitcode(status)}", file=sys.stderr, flush=True)
"""
# The one triple of an article's graph that differs between two builds of it: when it was made.
ENDED = "<http://www.w3.org/ns/prov#endedAtTime>"
COMMITTED = re.compile(r"stored (\S+) \(\d+ events?\)")


def _write_articles(path: Path, count: int = 40) -> list[str]:
    """``count`` short articles (JSONL, all published on 2024-03-05): a shared report or two each,
    one of their own, and now and then a denial (which disputes the attack)."""
    ids, lines = [], []
    for i in range(count):
        a, b = STATES[i % len(STATES)]
        sentences = [SHARED[i % 4], f"{a} {DEEDS[i % len(DEEDS)]} {b} on Monday, officials in the capital said."]
        if i % 3 == 0:
            sentences.append(SHARED[(i + 1) % 4])
        if i % 7 == 3:
            sentences.append("Russia did not attack Ukraine on March 4, its defence ministry said.")
        ids.append(f"report-{i:02d}")
        lines.append(json.dumps({"id": ids[-1], "title": f"Report number {i}", "date": "2024-03-05", "text": " ".join(sentences)}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ids


def _quads(store: pyoxigraph.Store, graph: str | None = None) -> set[str]:
    """The quads of ``graph`` (default: all) as N-Quads lines, without their time of extraction."""
    name = pyoxigraph.NamedNode(graph) if graph else None
    return {str(q) for q in store.quads_for_pattern(None, None, None, name) if str(q.predicate) != ENDED}


class _Builds:
    """The harness of BUILDS: runs `kg build` and stops it with a signal after some commits."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", BUILDS], stdin=subprocess.PIPE, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
        )
        self.watchdog = threading.Timer(600, self.process.kill)  # only a hang: a busy machine is slow
        self.watchdog.start()

    def run(self, args: list[str], seed: int, stop_after: int | None = None, sig: int = signal.SIGKILL) -> tuple[int, set[str], str]:
        """Run `kg build ARGS`; send it ``sig`` a random few milliseconds after its ``stop_after``-th
        commit of an article (never: let it end). Its exit status, the ids it reported committed, and the rest of its stderr."""
        assert self.process.stdin and self.process.stderr
        self.process.stdin.write("\t".join([str(seed), *args]) + "\n")
        self.process.stdin.flush()
        pid, committed, rest = 0, set(), []
        for line in self.process.stderr:
            if line.startswith("pid "):
                pid = int(line.split()[1])
            elif line.startswith("exit "):
                return int(line.split()[1]), committed, "".join(rest)
            elif match := COMMITTED.match(line):
                committed.add(match.group(1))
                if len(committed) == stop_after:
                    threading.Event().wait(random.Random(seed).uniform(0, 0.05))
                    os.kill(pid, sig)  # our child, not yet waited for: its pid cannot have been reused
            else:
                rest.append(line)
        raise AssertionError(f"the build harness ended: {''.join(rest)}")

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self.watchdog.cancel()


def test_a_build_killed_anywhere_leaves_a_store_kg_validate_accepts(tmp_path, nlp):
    """Issue 19: ten SIGKILLs at random moments of a build with merging on, `kg validate` after
    each without a re-run, two Ctrl-Cs whose message counts what the store holds; then one
    more build gives exactly the quads of a clean build."""
    corpus, store_dir = tmp_path / "reports.jsonl", tmp_path / "kg-store"
    ids = _write_articles(corpus)
    clean = open_memory_store()
    assert build([str(corpus)], clean).articles == len(ids)
    expected = {i: _quads(clean, str(article_iri(i))) for i in ids}
    assert run_query(clean, f"SELECT (MAX(?n) AS ?m) WHERE {{ ?e <{KG.sourceCount}> ?n }}").rows[0][0] >= 10

    builds, committed, rng = _Builds(), set(), random.Random(19)
    try:
        for seed, sig in enumerate([signal.SIGKILL] * 10 + [signal.SIGINT] * 2):
            code, stored, rest = builds.run(["build", str(corpus), "--store", str(store_dir), "--workers", "1"], seed, rng.randint(1, 3), sig)
            committed |= stored
            assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 130), f"stop {seed}: exit status {code}: {rest}"
            assert "Traceback" not in rest, rest
            validated = CliRunner().invoke(cli, ["validate", "--store", str(store_dir)])
            assert validated.exit_code == 0 and "conforms to the kg shapes" in validated.output, f"stop {seed}: {validated.output}"
            store = open_store(store_dir, read_only=True)
            present = {i for i in ids if _quads(store, str(article_iri(i)))}
            assert committed <= present < set(ids), f"stop {seed}: an article reported stored is missing"
            for article_id in present:  # every article there is complete: its kg:Article triple, all its events
                assert _quads(store, str(article_iri(article_id))) == expected[article_id], article_id
            assert verify_store(store, article_graphs=[str(article_iri(i)) for i in committed]) == []
            if sig == signal.SIGINT:  # one line on how to resume, counting the articles the store holds
                message = re.search(r"\[E082\] Interrupted: (\d+) article\(s\) were stored before the stop;.*run the same command again", rest)
                assert message and int(message.group(1)) == len(present), rest
            del store, validated
            gc.collect()  # the next build writes to it
    finally:
        builds.close()

    result = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    store = open_store(store_dir, read_only=True)
    assert len(store) == len(clean) and _quads(store) == _quads(clean)  # complete, nothing twice (times aside)
    assert _quads(store, str(ACTORS_GRAPH)) == _quads(clean, str(ACTORS_GRAPH))


def test_second_writer_gets_a_clear_message(tmp_path):
    store_dir = tmp_path / "kg-store"
    (tmp_path / "a.txt").write_text("Poland sent tanks to Ukraine.")
    holder = open_store(store_dir)
    result = subprocess.run(
        [sys.executable, "-c", "from kg.cli import cli; cli()", "build", str(tmp_path / "a.txt"), "--store", str(store_dir)],
        capture_output=True, text=True, timeout=300,  # only a hang
    )
    assert result.returncode == 1
    assert f"[E020] Store {store_dir} is in use by another process" in result.stderr
    assert "Traceback" not in result.stderr
    del holder


def test_bad_inputs_are_listed_at_the_end_and_fail_only_under_strict(tmp_path, nlp):
    good = tmp_path / "good.txt"
    good.write_text("Germany delivered tanks to Ukraine.")
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "scan.txt").write_bytes(b"%PDF-1.7\n\x00\x01")
    (tmp_path / "latin.txt").write_bytes("Côte d’Ivoire protested to France.".encode("cp1252"))
    (tmp_path / "wire.jsonl").write_text('{"id": "w1", "text": "China protested to Japan."}\n{broken\n')
    inputs = [str(tmp_path), str(tmp_path / "missing.txt")]

    relaxed = CliRunner().invoke(cli, ["build", *inputs, "--store", str(tmp_path / "s1")])
    assert relaxed.exit_code == 0, relaxed.output
    assert "Built" in relaxed.output and "3 articles" in relaxed.output
    closing = relaxed.output[relaxed.output.index("Built"):]
    assert "Skipped (4):" in closing and "Read with a warning (1):" in closing
    for code in ("[E007]", "[E071]", "[E001]", "[E003]", "[E070]"):
        assert code in closing
    assert "Traceback" not in relaxed.output

    strict = CliRunner().invoke(cli, ["build", *inputs, "--store", str(tmp_path / "s2"), "--strict"])
    assert strict.exit_code == 1
    assert "[E081] --strict: 5 input(s) had problems" in strict.output
    del strict
    gc.collect()  # the failed command's traceback holds its open store
    assert len(open_store(tmp_path / "s2", read_only=True)) == len(open_store(tmp_path / "s1", read_only=True))

    extract = CliRunner().invoke(cli, ["extract", *inputs, "--strict"])
    assert extract.exit_code == 1 and "[E081]" in extract.output and '"doc": "good"' in extract.output
    assert CliRunner().invoke(cli, ["extract", str(good), "--strict"]).exit_code == 0


HOSTILE_IDS = [
    'x" } ; DROP ALL ; INSERT DATA { <a:b> <a:c> "d',
    "<https://example.org/evil>",
    "line\nbreak",
    "back\\slash\\u0022",
    "SELECT * WHERE { ?s ?p ?o }",
    "Київ · 北京 · 🚀",
]


def test_hostile_ids_titles_and_urls_stay_data(tmp_path, nlp):
    path = tmp_path / "hostile.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n, hostile in enumerate(HOSTILE_IDS):
            record = {"id": hostile, "title": hostile, "url": f"https://example.org/a> <b> {hostile}", "text": f"Report {n}: Russia attacked Ukraine."}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    store = open_memory_store()
    summary = build([str(path)], store)
    assert summary.articles == len(HOSTILE_IDS) and not summary.skipped
    assert verify_store(store, article_graphs=[str(article_iri(i)) for i in HOSTILE_IDS]) == []
    for hostile in HOSTILE_IDS:  # values bound as variables, never pasted into the query
        result = run_query(
            store,
            f"SELECT ?article ?title WHERE {{ ?article <{KG.title}> ?title ; <{KG.articleId}> ?title }}",
            substitutions={"title": hostile},
        )
        assert result.rows == [(str(article_iri(hostile)), hostile)]
    relations = run_query(store, "relations")
    article = relations.columns.index("article")
    assert sorted(row[article] for row in relations.rows) == sorted(HOSTILE_IDS)


def test_an_article_that_cannot_be_stored_costs_only_itself(tmp_path, nlp, monkeypatch):
    import kg.rdf.graph

    real = kg.rdf.graph.article_graph

    def broken_for_one(extraction, *args, **kwargs):
        graph = real(extraction, *args, **kwargs)
        if extraction.article.id == "bad":
            from rdflib import Literal, URIRef

            graph.add((URIRef("https://example.org/not an iri"), URIRef("https://example.org/p"), Literal("x")))
        return graph

    monkeypatch.setattr(kg.rdf.graph, "article_graph", broken_for_one)
    path = tmp_path / "wire.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": f"Poland sent tanks to Ukraine ({i})."}) + "\n" for i in ("a", "bad", "c")))
    store = open_memory_store()
    summary = build([str(path)], store)
    assert summary.articles == 2
    (skipped,) = summary.skipped
    assert skipped.message.startswith(f"[E080] {path}:2: the article cannot be stored ([E083]")
    assert verify_store(store, article_graphs=[str(article_iri("a")), str(article_iri("c"))]) == []
    assert not list(store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(str(article_iri("bad")))))


def _two_graphs() -> tuple[pyoxigraph.Store, list[tuple[str, list[pyoxigraph.Quad]]]]:
    """A store holding graph 1, and new contents for graphs 1 and 2 (written by a SPARQL update,
    since graph 1 exists)."""
    store = open_memory_store()
    p = pyoxigraph.NamedNode("urn:p")
    graphs = []
    for n in (1, 2):
        name = pyoxigraph.NamedNode(f"urn:graph:{n}")
        graphs.append((name.value, [pyoxigraph.Quad(pyoxigraph.NamedNode(f"urn:s{i}"), p, pyoxigraph.Literal(f"{n}-{i}"), name) for i in range(50)]))
    replace_graphs(store, graphs[:1])
    return store, graphs


def test_ctrl_c_during_a_write_waits_for_its_commit():
    """A Ctrl-C that lands while an update runs is raised once the update and its block are done:
    the write is whole, and what counts it (kg build's E082) runs before the interrupt."""

    class SignalledStore:
        """The store, with a Ctrl-C arriving as each update starts."""

        def __init__(self, store):
            self.store = store

        def update(self, text):
            os.kill(os.getpid(), signal.SIGINT)
            return self.store.update(text)

        def __getattr__(self, name):
            return getattr(self.store, name)

    store, graphs = _two_graphs()
    with pytest.raises(KeyboardInterrupt):
        replace_graphs(SignalledStore(store), graphs)
    assert {str(q) for q in store} == {str(q) for _, quads in graphs for q in quads}


def test_text_that_looks_like_sparql_is_stored_as_written_by_an_update():
    """The update path (a graph that exists already) writes terms pyoxigraph serialised: no text can change it."""
    hostile = ['"} ; DROP ALL ; INSERT DATA {', "a \\\" b", "line\nbreak\r\ttab", "nul\x00 and \x1b[31m", "<urn:x> } GRAPH <urn:y> {", "Zürich — 北京 😀",
               "back\\u0022slash\\U0001F600 \\u005c"]  # \\u escapes SPARQL may read before parsing
    store, _ = _two_graphs()
    p = pyoxigraph.NamedNode("urn:p")
    name = pyoxigraph.NamedNode("urn:graph:1")
    quads = [pyoxigraph.Quad(pyoxigraph.NamedNode(f"urn:s{i}"), p, pyoxigraph.Literal(text, language="en" if i % 2 else None), name) for i, text in enumerate(hostile)]
    replace_graphs(store, [(name.value, quads)])  # graph 1 exists: one SPARQL update
    assert {str(q) for q in store} == {str(q) for q in quads}
    assert sorted(q.object.value for q in store.quads_for_pattern(None, None, None, name)) == sorted(hostile)


def test_a_full_disk_stops_the_build_with_a_coded_line_and_a_consistent_store(tmp_path, nlp, monkeypatch):
    """The second commit fails as a full disk makes RocksDB fail (the disk itself: the next test)."""
    import kg.run.pipeline

    corpus, store_dir = tmp_path / "reports.jsonl", tmp_path / "kg-store"
    ids = _write_articles(corpus, 12)
    commits = []

    def disk_full_on_the_second(*args, **kwargs):
        commits.append(args)
        if len(commits) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        replace_graphs(*args, **kwargs)

    monkeypatch.setattr(kg.run.pipeline, "replace_graphs", disk_full_on_the_second)
    monkeypatch.setitem(kg.run.pipeline.build.__kwdefaults__, "batch_size", 4)
    result = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(store_dir), "--workers", "1"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "[E130] The disk is full: [Errno 28] No space left on device. The store holds every article written before" in result.output
    del result
    gc.collect()
    validated = CliRunner().invoke(cli, ["validate", "--store", str(store_dir)])
    assert validated.exit_code == 0, validated.output
    store = open_store(store_dir, read_only=True)
    assert {i for i in ids if _quads(store, str(article_iri(i)))} == set(ids[:4])  # the first chunk, whole


def _small_disk() -> bool:
    """Whether this user can mount a tmpfs in a namespace of its own (``unshare -rm``, no root needed)."""
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /tmp"], capture_output=True, timeout=60)
    return probe.returncode == 0


@pytest.mark.skipif(not _small_disk(), reason="cannot mount a small tmpfs without root here (unshare -rm)")
def test_a_build_on_a_disk_that_fills_up_stops_with_a_coded_line_and_the_store_validates(tmp_path):
    """A real full disk: the store on a 5 MiB tmpfs, which the corpus fills (after its first chunk
    of 32 articles, as it is; a larger disk fills when the store flushes at the end)."""
    corpus, disk = tmp_path / "reports.jsonl", tmp_path / "disk"
    _write_articles(corpus)
    disk.mkdir()
    kg = f"{sys.executable} -c 'from kg.cli import cli; cli()'"
    script = (
        f"mount -t tmpfs -o size=5m tmpfs {disk} && "
        f"{kg} build {corpus} --store {disk}/store --workers 1; echo \"build exit $?\"; "
        f"{kg} validate --store {disk}/store; echo \"validate exit $?\"; "
        f"{kg} stats --store {disk}/store"
    )
    run = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=600)  # only a hang
    out = run.stdout + run.stderr
    assert "build exit 1" in out and "[E130] The disk is full: IO error: No space left on device" in out, out
    assert "Traceback" not in out, out
    assert "validate exit 0" in out and "conforms to the kg shapes" in out, out
    articles = re.search(r"^(\d+) articles?, ", out, re.MULTILINE)  # kg stats' first line
    assert articles and int(articles.group(1)) > 0, out  # what was written before is there


def test_a_damaged_store_stops_the_build_with_a_coded_line(tmp_path, nlp):
    """A table file (.sst) damaged in its data (found when the build reads it) or in the parts
    RocksDB reads on opening the store: either way one E131 line, exit status 1."""
    corpus, built = tmp_path / "reports.jsonl", tmp_path / "built"
    _write_articles(corpus, 6)
    store = open_store(built)
    build([str(corpus)], store)
    store.flush()  # into table files, which RocksDB checks block by block as it reads them
    del store
    gc.collect()
    tables = sorted(built.glob("*.sst"), key=lambda table: table.stat().st_size)
    for name, damaged in (("read", tables[-1:]), ("opened", tables)):
        store_dir = tmp_path / name
        shutil.copytree(built, store_dir)
        for table in damaged:
            with (store_dir / table.name).open("r+b") as out:
                out.seek(table.stat().st_size // 2)
                out.write(b"\xff" * 64)
        result = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(store_dir)])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert re.search(r"\[E131\] The store is damaged: Corruption: .*\.sst.*Build into a new --store", result.output), result.output


def test_a_write_ahead_log_cut_short_or_damaged_recovers_whole_commits(tmp_path, nlp, monkeypatch):
    """A power cut loses the end of RocksDB's write-ahead log (written, not synced, at each commit)
    or leaves garbage there. The log cut, zeroed or overwritten at random places: the store opens
    with the commits before the damage, each whole (two articles and their merged events), and
    kg validate accepts it."""
    import kg.run.pipeline

    corpus, built = tmp_path / "reports.jsonl", tmp_path / "built"
    ids = _write_articles(corpus, 20)
    clean = open_memory_store()
    build([str(corpus)], clean)
    monkeypatch.setattr(kg.run.pipeline.Builder, "finish", lambda self: self.summary)  # no flush: all in the log
    store = open_store(built)
    build([str(corpus)], store, batch_size=2)
    del store
    gc.collect()
    log = max(built.glob("*.log"), key=lambda path: path.stat().st_size)
    rng, held = random.Random(5), {}
    for trial in range(6):
        at = rng.randrange(log.stat().st_size)
        store_dir = tmp_path / f"cut-{trial}"
        shutil.copytree(built, store_dir)
        with (store_dir / log.name).open("r+b") as damaged:
            if trial % 3 == 0:
                damaged.truncate(at)
            else:
                damaged.seek(at)
                damaged.write(bytes(4096) if trial % 3 == 1 else rng.randbytes(4096))
        store = open_store(store_dir)
        present = {i for i in ids if _quads(store, str(article_iri(i)))}
        assert len(present) % 2 == 0 and present == set(ids[: len(present)]), f"{log.name} damaged at {at}: {sorted(present)}"
        for article_id in present:
            assert _quads(store, str(article_iri(article_id))) == _quads(clean, str(article_iri(article_id)))
        held[at] = len(present)
        del store
        gc.collect()
        validated = CliRunner().invoke(cli, ["validate", "--store", str(store_dir)])
        assert validated.exit_code == 0, f"{log.name} damaged at {at}: {validated.output}"
    counts = [held[at] for at in sorted(held)]
    assert counts == sorted(counts) and counts[-1] > 0  # the later the damage, the more whole commits kept
