"""Performance and scale: parallel builds equal serial ones, incremental builds parse only what
is new, a failing article costs only itself, builds stream, and Dask gives the same store.

Speed itself is measured by the benchmarks (``make bench``, docs/performance.md), never here.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from spacy.language import Language

import kg.extraction.language
import kg.run.workers
import kg.run.pipeline
from kg.cli import cli
from kg.errors import KGError
from kg.ingest import Article
from kg.extraction.language import load_pipeline
from kg.extraction.rules import load_rules
from kg.run.workers import WorkerPool
from kg.run.pipeline import INPUTS_GRAPH, build, extract
from kg.rdf.store import graph_names, open_memory_store, replace_graphs
from kg.vocab import article_iri

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = [str(ROOT / "data" / "articles"), str(ROOT / "data" / "wire.jsonl")]
THRESHOLD = load_rules().confidence.min_confidence  # what kg build keeps
ENDED = "<http://www.w3.org/ns/prov#endedAtTime>"
STATES = [("Poland", "Ukraine"), ("France", "Mali"), ("Japan", "China"), ("Turkey", "Greece"), ("Egypt", "Sudan")]


def quads(store: pyoxigraph.Store, *, times: bool = False) -> set[str]:
    """Every quad as an N-Quads line, without the extraction times unless ``times``."""
    return {str(q) for q in store if times or str(q.predicate) != ENDED}


def small_articles(folder: Path, count: int, start: int = 0) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for i in range(start, start + count):
        a, b = STATES[i % len(STATES)]
        path = folder / f"note-{i:03d}.txt"
        path.write_text(f"Note {i}\n\n{a} sent tanks to {b} on Monday. {b} condemned {a}.\n")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def pool():
    """Two worker processes, shared by the tests of this module (the model loads once in each)."""
    with WorkerPool(2, model=kg.extraction.language.DEFAULT_MODEL) as workers:
        yield workers
    assert not [p for p in multiprocessing.active_children() if p.name == "kg-worker"]  # all stopped


@pytest.fixture(scope="module")
def serial_sample(nlp):
    """The sample corpus built by one worker, and its events as JSONL."""
    store = open_memory_store()
    summary = build(SAMPLE, store)
    assert summary.articles == 14 and not summary.skipped
    events = [json.dumps(e.to_json(), ensure_ascii=False) for x in extract(SAMPLE, min_confidence=THRESHOLD) for e in x.events]
    return store, events


# ---------------------------------------------------------------- workers


def test_two_workers_give_the_same_store_and_jsonl_as_one(serial_sample, pool):
    store, events = serial_sample
    parallel = open_memory_store()
    summary = build(SAMPLE, parallel, pool=pool, chunk_size=3)
    assert summary.articles == 14 and not summary.skipped and summary.counts.reports == len(events)
    assert quads(parallel) == quads(store)  # merged events and build records included
    assert len(parallel) == len(store)
    before = quads(parallel, times=True)
    again = build(SAMPLE, parallel, pool=pool, chunk_size=3)
    assert again.skipped_unchanged == 14 and quads(parallel, times=True) == before

    jsonl = [
        json.dumps(e.to_json(), ensure_ascii=False)
        for x in extract(SAMPLE, pool=pool, chunk_size=2, min_confidence=THRESHOLD)
        for e in x.events
    ]
    assert jsonl == events  # same records, same order


def test_workers_start_only_for_inputs_worth_it(tmp_path, nlp, monkeypatch):
    started: list = []
    monkeypatch.setattr(kg.run.workers.WorkerPool, "__enter__", lambda self: started.append(self) or self)
    paths = [str(p) for p in small_articles(tmp_path / "notes", 3)]
    assert build(paths, open_memory_store(), workers=2).articles == 3  # 3 articles: parsed here
    assert not started


def test_a_worker_killed_midway_costs_nothing_and_the_build_streams(tmp_path, nlp, pool):
    paths = small_articles(tmp_path / "notes", 80)
    consumed: list[Path] = []

    def lazily():
        for path in paths:
            consumed.append(path)
            yield str(path)

    first_store: list[int] = []
    killed: list[int] = []

    def on_article(extraction) -> None:
        if not first_store:
            first_store.append(len(consumed))
            victim = next(p for p in multiprocessing.active_children() if p.name == "kg-worker")
            os.kill(victim.pid, signal.SIGKILL)  # its chunks are parsed again by a new worker
            killed.append(victim.pid)

    store = open_memory_store()
    summary = build(lazily(), store, pool=pool, chunk_size=2, on_article=on_article)
    assert killed and summary.articles == 80 and not summary.skipped
    # Streaming: the first article was stored after reading a few chunks ahead, not the whole input:
    # at most 2 x prefetch x workers chunks of 2, and one chunk being read.
    assert first_store[0] <= 2 * 2 * 2 * 2 + 2 < len(paths)
    serial = open_memory_store()
    build([str(p) for p in paths], serial)
    assert quads(store) == quads(serial)
    assert killed[0] not in [p.pid for p in multiprocessing.active_children()]


def test_a_serial_build_streams_its_input(tmp_path, nlp):
    paths = small_articles(tmp_path / "notes", 20)
    consumed: list[Path] = []

    def lazily():
        for path in paths:
            consumed.append(path)
            yield str(path)

    seen: list[int] = []
    summary = build(lazily(), open_memory_store(), batch_size=4, on_article=lambda _: seen.append(len(consumed)))
    assert summary.articles == 20
    assert seen[0] <= 5  # one batch (and the look at the next input) read before the first article is stored


# ---------------------------------------------------------------- incremental builds


@pytest.fixture
def parses(monkeypatch):
    """Counts the articles parsed in this process."""
    counted: list[str] = []
    real = kg.run.pipeline.process_chunk

    def counting(nlp, articles, **kwargs):
        counted.extend(a.id for a in articles)
        return real(nlp, articles, **kwargs)

    monkeypatch.setattr(kg.run.pipeline, "process_chunk", counting)
    return counted


def test_an_incremental_build_parses_only_what_is_new(tmp_path, nlp, parses, monkeypatch):
    folder = tmp_path / "notes"
    small_articles(folder, 4)
    store = open_memory_store()
    first_build = build([str(folder)], store)
    assert first_build.articles == 4 and len(parses) == 4 and first_build.counts.reports == 8
    first = quads(store, times=True)

    parses.clear()
    again = build([str(folder)], store)
    assert parses == [] and again.skipped_unchanged == again.unchanged == again.articles == 4
    assert again.counts == first_build.counts and again.counts.actors > 0
    assert quads(store, times=True) == first  # the same triples, times included

    small_articles(folder, 1, start=4)  # a new article in the folder
    (folder / "note-001.txt").write_text("Note 1\n\nJapan protested to China.\n")  # and a changed one
    parses.clear()
    grown = build([str(folder)], store)
    assert sorted(parses) == ["note-001", "note-004"]
    assert grown.articles == 5 and grown.skipped_unchanged == 3
    assert not any("tanks" in q for q in quads(store) if str(article_iri("note-001")) in q and "Literal" not in q and "sent tanks" in q)

    parses.clear()  # a new extractor (here: other data files) parses everything again ...
    monkeypatch.setattr(kg.run.pipeline, "_data_fingerprint", lambda: "other lexicon")
    relexed = build([str(folder)], store)
    assert len(parses) == 5 and relexed.skipped_unchanged == 0
    assert relexed.unchanged == 5  # ... and leaves graphs that come out the same as they were

    parses.clear()
    forced = build([str(folder)], store, force=True)
    assert len(parses) == 5 and forced.unchanged == 5


def test_a_graph_replaced_by_other_means_is_parsed_again(nlp, parses):
    store = open_memory_store()
    article = {"id": "a1", "text": "Poland sent tanks to Ukraine."}
    import io

    build(["-"], store, stdin=io.StringIO(json.dumps(article)))
    from kg.records import ArticleExtraction
    from kg.rdf.graph import write_article

    write_article(store, ArticleExtraction(Article("a1", "Poland sent tanks to Ukraine."), [], []))  # no events
    parses.clear()
    summary = build(["-"], store, stdin=io.StringIO(json.dumps(article)))
    assert parses == ["a1"] and summary.counts.reports == 1 and summary.skipped_unchanged == 0
    assert len(list(store.quads_for_pattern(None, None, None, INPUTS_GRAPH))) == 1


def test_cli_build_reports_what_was_not_parsed_again(tmp_path, nlp):
    folder = tmp_path / "notes"
    small_articles(folder, 3)
    args = ["build", str(folder), "--store", str(tmp_path / "store"), "--workers", "2"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert ": 3 articles, 3 of them unchanged (3 not parsed again)" in result.output
    forced = CliRunner().invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0 and "not parsed again" not in forced.output


# ---------------------------------------------------------------- robustness


@Language.component("kg_test_boom")
def _boom(doc):
    if "BOOM" in doc.text:
        raise ValueError("a component failed on this text")
    return doc


def test_a_failing_article_in_a_batch_costs_only_itself(tmp_path, nlp):
    path = tmp_path / "wire.jsonl"
    texts = ["Poland sent tanks to Ukraine.", "BOOM. France condemned Mali.", "Japan protested to China."]
    path.write_text("".join(json.dumps({"id": f"a{i}", "text": t}) + "\n" for i, t in enumerate(texts)))
    nlp = load_pipeline(kg.extraction.language.DEFAULT_MODEL)  # the instance build() uses
    nlp.add_pipe("kg_test_boom", last=True)
    try:
        store = open_memory_store()
        summary = build([str(path)], store, batch_size=32)  # all three in one nlp.pipe batch
        skipped: list = []
        events = [x.article.id for x in extract([str(path)], on_skip=skipped.append)]
    finally:
        nlp.remove_pipe("kg_test_boom")
    assert summary.articles == 2
    (bad,) = summary.skipped
    assert bad.message.startswith(f"[E011] {path}:2: spaCy failed on the article (ValueError: a component failed")
    assert {str(article_iri("a0")), str(article_iri("a2"))} <= set(graph_names(store))
    assert str(article_iri("a1")) not in graph_names(store)
    assert events == ["a0", "a2"] and [s.message[:6] for s in skipped] == ["[E011]"]


def test_a_missing_model_stops_before_any_work():
    with pytest.raises(KGError, match=r"\[E010\]"):
        build(SAMPLE, open_memory_store(), model="not-a-model", workers=2)
    with pytest.raises(KGError, match=r"\[E010\]"):
        next(extract(SAMPLE, model="not-a-model"))


# ---------------------------------------------------------------- the store


def test_replace_graphs_writes_a_batch_in_one_transaction():
    def quad(s, o, g):
        return pyoxigraph.Quad(pyoxigraph.NamedNode(s), pyoxigraph.NamedNode("urn:p"), pyoxigraph.Literal(o), pyoxigraph.NamedNode(g))

    store = open_memory_store()
    replace_graphs(store, [("urn:g1", [quad("urn:a", "1", "urn:g1")]), ("urn:g2", [quad("urn:b", "2", "urn:g2")])],
                   merge=[quad("urn:actor", "x", "urn:shared")], values=[quad("urn:g1", "k1", "urn:index")])
    assert len(store) == 4
    # Replacing: the old graph goes, the value is replaced, the shared graph stays a set.
    replace_graphs(store, [("urn:g1", [quad("urn:a", "new", "urn:g1")])],
                   merge=[quad("urn:actor", "x", "urn:shared")], values=[quad("urn:g1", "k2", "urn:index")])
    assert sorted(q.object.value for q in store) == ["2", "k2", "new", "x"]
    with pytest.raises(KGError, match=r"\[E083\]"):
        replace_graphs(store, [("urn:g1> <urn:x", [])])
    assert sorted(q.object.value for q in store) == ["2", "k2", "new", "x"]


def test_the_indexed_ruler_finds_exactly_what_the_entity_ruler_finds(nlp):
    from spacy.pipeline import EntityRuler

    from kg.extraction.gazetteer import ruler_names, ruler_patterns

    ruler = nlp.get_pipe("kg_actor_ruler")
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "articles").glob("0[1-3]-*.txt"))]
    texts.append("The White House and the WHITE HOUSE said the Kremlin, KREMLIN and 10 Downing Street met the US and us.")
    # spaCy's EntityRuler takes minutes to add all ~35,000 names; those whose first word is in the texts will do.
    words = {token.text for doc in nlp.tokenizer.pipe(texts) for token in doc}
    reference = EntityRuler(nlp, "reference", overwrite_ents=True, phrase_matcher_attr=None)
    with nlp.select_pipes(enable=[]):
        reference.add_patterns(ruler_patterns(name for name in ruler_names() if words & set(name[1])))
    for doc in nlp.pipe(texts):
        assert ruler.match(doc) == reference.match(doc)


# ---------------------------------------------------------------- Dask


def test_dask_local_gives_the_store_of_a_normal_build_and_loadable_shards(tmp_path, serial_sample, monkeypatch):
    distributed = pytest.importorskip("distributed")
    import kg.run.distributed
    from kg.run.distributed import build_on_dask

    # Inputs with every path: files, a JSONL file read in ranges of lines, a repeated id with
    # other text (renamed), the same article twice (read once), a missing file.
    wire = tmp_path / "more.jsonl"
    records = [
        {"id": "m1", "text": "Poland sent tanks to Ukraine."},
        {"id": "m2", "text": "France condemned Mali on Monday."},
        {"id": "m1", "text": "Japan protested to China."},
        {"id": "m2", "text": "France condemned Mali on Monday."},
        {"id": "m3", "text": "Turkey held talks with Greece."},
    ]
    wire.write_text("".join(json.dumps(r) + "\n" for r in records))
    inputs = [*SAMPLE, str(wire), str(tmp_path / "missing.txt")]
    monkeypatch.setattr(kg.run.distributed, "_JSONL_SPLIT_BYTES", 0)  # read the JSONL files in ranges of lines

    expected = open_memory_store()
    messages: list[str] = []
    normal = build(inputs, expected, on_skip=lambda s: messages.append(s.message))

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            store = open_memory_store()
            seen: list[str] = []
            summary = build_on_dask(inputs, store, client=client, shards=tmp_path / "shards", partition_size=2,
                                    on_skip=lambda s: seen.append(s.message))
            again = build_on_dask(inputs, store, client=client, shards=tmp_path / "shards2", partition_size=2)
    assert summary.articles == normal.articles == 18 and summary.counts == normal.counts
    assert sorted(seen) == sorted(messages)  # E075 (renamed), E076 (read once), E003 (missing)
    assert quads(store) == quads(expected)
    assert again.skipped_unchanged == 18 and not list((tmp_path / "shards2").glob("part-*.nq"))

    shards = sorted((tmp_path / "shards").glob("*.nq"))
    assert [p.name for p in shards][:2] == ["events.nq", "ontology.nq"] and len(shards) > 4
    loaded = pyoxigraph.Store()
    for shard in shards:
        loaded.load(path=str(shard), format=pyoxigraph.RdfFormat.N_QUADS)
    assert quads(loaded) == {q for q in quads(store) if str(INPUTS_GRAPH) not in q}  # all but kg's build records


def test_dask_shards_go_inside_the_store_unless_named(tmp_path, monkeypatch):
    """kg build --dask writes its shards into STORE/shards, or the folder --shards names: never into
    the working directory. Checked without a cluster: the CLI's choice, and a store holding them."""
    import gc

    import kg.run.distributed
    from kg.rdf.store import open_store
    from kg.run.distributed import default_shards
    from kg.run.pipeline import BuildSummary

    chosen: list[Path] = []

    def fake_build_on_dask(inputs, store, *, shards, **options):
        chosen.append(Path(shards))
        return BuildSummary()

    monkeypatch.setattr(kg.run.distributed, "build_on_dask", fake_build_on_dask)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_STORE", raising=False)
    (tmp_path / "a.txt").write_text("Poland sent tanks to Ukraine.")
    store = tmp_path / "stores" / "kg"
    runs = [
        ["--store", str(store)],
        ["--store", str(store), "--shards", str(tmp_path / "shared")],
        [],  # ./kg-store
    ]
    for options in runs:
        result = CliRunner().invoke(cli, ["build", "a.txt", "--dask", "local", *options])
        assert result.exit_code == 0, result.output
        gc.collect()  # the command's store, closed
    monkeypatch.setenv("KG_STORE", str(tmp_path / "env-store"))
    assert CliRunner().invoke(cli, ["build", "a.txt", "--dask", "local"]).exit_code == 0
    assert chosen == [store / "shards", tmp_path / "shared", Path("kg-store") / "shards", tmp_path / "env-store" / "shards"]
    assert default_shards(store) == store / "shards"
    assert "STORE/shards" in CliRunner().invoke(cli, ["build", "--help"]).output
    assert not (tmp_path / "shards").exists()

    # Oxigraph leaves a folder of its own inside the store alone: the store opens, writes, reopens.
    gc.collect()
    (store / "shards").mkdir()
    (store / "shards" / "part-00000.nq").write_text("<urn:a> <urn:b> <urn:c> <urn:g> .\n")
    writer = open_store(store)
    writer.add(pyoxigraph.Quad(pyoxigraph.NamedNode("urn:s"), pyoxigraph.NamedNode("urn:p"), pyoxigraph.NamedNode("urn:o")))
    writer.flush()
    del writer
    gc.collect()
    assert len(open_store(store, read_only=True)) == 1  # the fake build wrote nothing else
    assert (store / "shards" / "part-00000.nq").exists()
