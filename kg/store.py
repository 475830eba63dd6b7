"""The persistent store: an on-disk Oxigraph database, one named graph per article.

>>> store = open_memory_store()
>>> from rdflib import Graph, URIRef, Literal
>>> g = Graph(); _ = g.add((URIRef("urn:a"), URIRef("urn:p"), Literal("x")))
>>> replace_graph(store, "urn:graph:1", g)
>>> replace_graph(store, "urn:graph:1", g)   # replacing, not duplicating
>>> len(store)
1
"""
from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph
from rdflib import Graph

from kg.errors import Errors, KGError

__all__ = ["DEFAULT_STORE", "store_path", "open_store", "open_memory_store", "replace_graph", "graph_names"]

DEFAULT_STORE = "kg-store"


def store_path(path: str | os.PathLike | None = None) -> Path:
    """The store directory: ``path``, else ``$KG_STORE``, else ``./kg-store``."""
    return Path(path or os.environ.get("KG_STORE") or DEFAULT_STORE)


def open_store(path: str | os.PathLike | None = None, *, read_only: bool = False) -> pyoxigraph.Store:
    """Open (creating it unless ``read_only``) the Oxigraph store at ``path``.

    Raises ``KGError`` with an actionable message when the directory is
    missing (read-only) or locked by another writer.
    """
    location = store_path(path)
    if read_only and not location.exists():
        raise KGError(Errors.E022.format(path=location))
    try:
        if read_only:
            return pyoxigraph.Store.read_only(str(location))
        location.mkdir(parents=True, exist_ok=True)
        return pyoxigraph.Store(str(location))
    except OSError as e:
        if "lock" in str(e).lower():
            raise KGError(Errors.E020.format(path=location)) from e
        raise KGError(Errors.E021.format(path=location, detail=e)) from e


def open_memory_store() -> pyoxigraph.Store:
    """A throwaway in-memory store (tests, ``kg extract``)."""
    return pyoxigraph.Store()


def replace_graph(
    store: pyoxigraph.Store, graph_name: str, graph: Graph, *, merge: tuple[str, Graph] | None = None
) -> None:
    """Replace the named graph ``graph_name`` by the triples of ``graph`` in one transaction.

    Re-ingesting an article therefore replaces its triples instead of adding
    a second copy; a crash leaves either the old or the new graph.
    ``merge=(name, triples)`` adds ``triples`` to the shared graph ``name``
    in the same transaction (a set: nothing is added twice).
    """
    inserts = f"GRAPH <{graph_name}> {{\n{_ntriples(graph)}}}"
    if merge is not None:
        inserts += f"\nGRAPH <{merge[0]}> {{\n{_ntriples(merge[1])}}}"
    # One SPARQL update = one Oxigraph transaction: drop and insert commit together.
    store.update(f"DROP SILENT GRAPH <{graph_name}> ;\nINSERT DATA {{ {inserts} }}")


def _ntriples(graph: Graph) -> str:
    return graph.serialize(format="nt", encoding="utf-8").decode("utf-8")


def graph_names(store: pyoxigraph.Store) -> list[str]:
    """IRIs of the named graphs in ``store``."""
    return sorted(g.value for g in store.named_graphs())
