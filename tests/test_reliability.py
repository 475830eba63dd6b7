"""Reliability: a killed build loses no committed article, bad input costs only itself,
hostile names stay data, and --strict turns problems into a failing exit status."""
from __future__ import annotations

import gc
import json
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph
from click.testing import CliRunner

from kg.cli import cli
from kg.run.pipeline import build
from kg.rdf.query import run_query
from kg.rdf.store import open_memory_store, open_store, verify_store
from kg.rdf.namespace import KG
from kg.vocab import ACTORS_GRAPH, article_iri

STATES = [
    ("Poland", "Ukraine"), ("France", "Mali"), ("Japan", "China"), ("Germany", "Russia"), ("Turkey", "Greece"),
    ("India", "Pakistan"), ("Brazil", "Argentina"), ("Egypt", "Sudan"), ("Canada", "Denmark"), ("Kenya", "Somalia"),
]
DEEDS = ["sent tanks to", "condemned", "accused", "signed a trade pact with", "held talks with", "criticized", "threatened", "pledged aid to"]

# `kg build`, with each commit delayed by a random few milliseconds so that a kill lands midway
# (unslowed, the 30 commits take 80 ms after a 4 s model load), and one log line per commit.
SLOW_BUILD = """
import logging, random, sys, time
import kg.rdf.store
logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
rng, replace_graph = random.Random(int(sys.argv.pop(1))), kg.rdf.store.replace_graph
def slow_replace_graph(*args, **kwargs):
    time.sleep(rng.uniform(0, 0.04))
    replace_graph(*args, **kwargs)
kg.rdf.store.replace_graph = slow_replace_graph
from kg.cli import cli
cli()
"""
# The one triple of an article's graph that differs between two builds of it: when it was made.
ENDED = "<http://www.w3.org/ns/prov#endedAtTime>"


def _write_articles(folder: Path, count: int = 30) -> list[str]:
    folder.mkdir()
    ids = []
    for i in range(count):
        subject, target = STATES[i % len(STATES)]
        sentences = [f"{subject} {DEEDS[(i + j) % len(DEEDS)]} {target} on Monday, officials in the capital said." for j in range(1 + i % 4)]
        (folder / f"report-{i:02d}.txt").write_text(f"Report number {i}\n\n" + "\n\n".join(sentences) + "\n")
        ids.append(f"report-{i:02d}")
    return ids


def _quads(store: pyoxigraph.Store, graph: str | None = None) -> set[str]:
    """The quads of ``graph`` (default: all) as N-Quads lines, without their time of extraction."""
    name = pyoxigraph.NamedNode(graph) if graph else None
    return {str(q) for q in store.quads_for_pattern(None, None, None, name) if str(q.predicate) != ENDED}


def _stopped_build(inputs: Path, store: Path, seed: int, stop_after: int, sig: int) -> tuple[set[str], str]:
    """Run `kg build` in a subprocess and send it ``sig`` after ``stop_after`` commits, a random
    few milliseconds later (between or inside commits); the ids it reported stored, and the rest of its stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_BUILD, str(seed), "build", str(inputs), "--store", str(store)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    watchdog = threading.Timer(300, proc.kill)  # only a hang: a busy machine is slow
    watchdog.start()
    stored: set[str] = set()
    try:
        for line in proc.stderr:
            if line.startswith("stored "):
                stored.add(line.split()[1])
                if len(stored) >= stop_after:
                    threading.Event().wait(random.Random(seed).uniform(0, 0.03))
                    proc.send_signal(sig)
                    break
        rest = proc.stderr.read()
    finally:
        watchdog.cancel()
        proc.wait(timeout=120)
        proc.stderr.close()
    stored |= {line.split()[1] for line in rest.splitlines() if line.startswith("stored ")}
    expected = -signal.SIGKILL if sig == signal.SIGKILL else 130
    assert proc.returncode == expected, f"the build ended with {proc.returncode} after {len(stored)} commits: {rest}"
    return stored, rest


def test_killed_build_keeps_every_committed_article_and_a_rerun_completes(tmp_path, nlp):
    inputs, store_dir = tmp_path / "articles", tmp_path / "kg-store"
    ids = _write_articles(inputs)
    clean = open_memory_store()
    assert build([str(inputs)], clean).articles == len(ids)
    expected = {i: _quads(clean, str(article_iri(i))) for i in ids}

    # Killed (SIGKILL: no clean-up at all), then interrupted (Ctrl-C) further on, over the same store.
    committed: set[str] = set()
    rng = random.Random(7)
    for seed, sig in ((1, signal.SIGKILL), (2, signal.SIGINT)):
        stored, rest = _stopped_build(inputs, store_dir, seed, len(committed) + rng.randint(3, 8), sig)
        committed |= stored
        if sig == signal.SIGINT:  # one line on how to resume, no traceback
            assert "[E082] Interrupted:" in rest and "run the same command again" in rest and "Traceback" not in rest
        store = open_store(store_dir)  # opens: no stale lock, no corruption
        present = {i for i in ids if _quads(store, str(article_iri(i)))}
        assert committed <= present < set(ids), "an article reported stored is missing"
        for article_id in present:  # every article there is complete: its kg:Article triple, all its events
            assert _quads(store, str(article_iri(article_id))) == expected[article_id], article_id
        assert verify_store(store, article_graphs=[str(article_iri(i)) for i in committed]) == []
        assert _quads(store, str(ACTORS_GRAPH)) <= _quads(clean, str(ACTORS_GRAPH))
        del store
        gc.collect()  # releases the lock for the next run

    result = CliRunner().invoke(cli, ["build", str(inputs), "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    store = open_store(store_dir, read_only=True)
    assert len(store) == len(clean) and _quads(store) == _quads(clean)  # complete, nothing twice (times aside)
    events = run_query(store, f"SELECT (COUNT(?e) AS ?n) WHERE {{ ?e a <{KG.Event}> }}").rows[0][0]
    assert events == run_query(clean, f"SELECT (COUNT(?e) AS ?n) WHERE {{ ?e a <{KG.Event}> }}").rows[0][0]


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
