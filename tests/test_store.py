"""Store: atomic graph replacement, no injection through data, the writer lock, verification."""
from __future__ import annotations

import gc
import subprocess
import sys

import pyoxigraph
import pytest
from rdflib import XSD, Graph, Literal, URIRef

from kg.errors import KGError
from kg.rdf.store import graph_names, open_memory_store, open_store, replace_graph, to_oxigraph, verify_store

HOSTILE = [
    '" } ; DROP ALL ; INSERT DATA { <urn:x> <urn:y> "z',
    "} } ; CLEAR ALL #",
    'a"b\\"c',
    "line\nbreak\r\nand\ttab",
    "\\u0022 } ; DROP ALL ; #",
    "\\U0000003E",
    "<script>alert(1)</script> &amp; 'quotes'",
    "SELECT * WHERE { ?s ?p ?o } # INSERT DATA",
    "Зеленський · 習近平 · عربى · 🚀",
    "\x00nul and \x7f del",
    "\u2028\u2029\ufeff",
    "\\",
]


def _graph(values, subject="urn:kg:test/s"):
    g = Graph()
    for i, value in enumerate(values):
        g.add((URIRef(f"{subject}{i}"), URIRef("urn:kg:test/p"), Literal(value)))
    return g


def test_hostile_literals_are_stored_exactly_and_cannot_change_the_update():
    store = open_memory_store()
    replace_graph(store, "urn:kg:test/g", _graph(HOSTILE), merge=("urn:kg:test/shared", _graph(HOSTILE, "urn:kg:test/t")))
    assert len(store) == 2 * len(HOSTILE)
    stored = sorted(q.object.value for q in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode("urn:kg:test/g")))
    assert stored == sorted(HOSTILE)
    assert graph_names(store) == ["urn:kg:test/g", "urn:kg:test/shared"]


def test_replacing_is_atomic_and_a_failed_write_changes_nothing():
    store = open_memory_store()
    replace_graph(store, "urn:kg:test/g", _graph(["old 1", "old 2"]))
    replace_graph(store, "urn:kg:test/other", _graph(["keep"]))
    bad = _graph(["new"])
    bad.add((URIRef("urn:kg:test/a> <urn:kg:test/b"), URIRef("urn:kg:test/p"), Literal("x")))
    with pytest.raises(KGError, match=r"^\[E083\]"):
        replace_graph(store, "urn:kg:test/g", bad)
    with pytest.raises(KGError, match=r"^\[E083\]"):  # a bad shared-graph triple also stops the whole write
        replace_graph(store, "urn:kg:test/g", _graph(["new"]), merge=("urn:kg:test/shared", _graph(["\ud800"])))
    with pytest.raises(KGError, match=r"^\[E083\]"):
        replace_graph(store, "urn:kg:test/g> <urn:x", _graph(["new"]))
    values = sorted(q.object.value for q in store)
    assert values == ["keep", "old 1", "old 2"]
    replace_graph(store, "urn:kg:test/g", _graph(["new"]))
    assert sorted(q.object.value for q in store) == ["keep", "new"]


def test_shared_graph_is_a_set_and_empty_graphs_are_dropped():
    store = open_memory_store()
    for name in ("urn:kg:test/a1", "urn:kg:test/a2"):
        replace_graph(store, name, _graph(["x"]), merge=("urn:kg:test/actors", _graph(["Russia"], "urn:kg:test/actor")))
    assert len(store) == 3
    replace_graph(store, "urn:kg:test/a1", Graph())
    assert graph_names(store) == ["urn:kg:test/a2", "urn:kg:test/actors"]


def test_terms_keep_their_datatype_and_language():
    assert to_oxigraph(Literal("2024-03-11", datatype=XSD.date)).datatype.value == str(XSD.date)
    assert to_oxigraph(Literal(3)).datatype.value == str(XSD.integer)
    assert to_oxigraph(Literal(True)).value == "true"
    assert to_oxigraph(Literal("Kyiv", lang="uk")).language == "uk"
    for bad in ("relative", "https://x/a b", "https://x/<", "https://x/\n"):
        with pytest.raises(ValueError):
            to_oxigraph(URIRef(bad))


def test_lock_within_one_process(tmp_path):
    store = open_store(tmp_path / "s")
    with pytest.raises(KGError, match=r"^\[E020\] Store .* is in use by another process"):
        open_store(tmp_path / "s")
    reader = open_store(tmp_path / "s", read_only=True)  # readers take no lock
    assert len(reader) == 0
    del store, reader
    gc.collect()
    open_store(tmp_path / "s")  # the lock goes with the store


def test_lock_held_by_another_process(tmp_path):
    path = tmp_path / "s"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('open', flush=True); sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(KGError) as caught:
            open_store(path)
        assert str(caught.value) == f"[E020] Store {path} is in use by another process (Oxigraph holds a lock on it). Stop the other kg process or use another --store."
    finally:
        holder.communicate("", timeout=120)
    open_store(path)  # free again once the other process has ended


def test_missing_store_read_only(tmp_path):
    with pytest.raises(KGError, match=r"^\[E022\]"):
        open_store(tmp_path / "none", read_only=True)


def test_verify_store_finds_a_graph_without_its_article():
    from kg.records import ArticleExtraction
    from kg.rdf.graph import article_graph
    from kg.ingest import Article
    from kg.vocab import article_iri

    store = open_memory_store()
    iri = str(article_iri("a1"))
    replace_graph(store, iri, article_graph(ArticleExtraction(Article("a1", "Some text."), [], [])))
    assert verify_store(store, article_graphs=[iri]) == []
    stray = str(article_iri("stray"))
    replace_graph(store, stray, _graph(["x"]))
    replace_graph(store, "urn:kg:test/shared", _graph(["not an article graph"]))
    assert verify_store(store, article_graphs=[iri, "urn:kg:test/gone"]) == [
        f"graph {stray} has no kg:Article triple",
        "graph urn:kg:test/gone is missing",
    ]
