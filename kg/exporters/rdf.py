"""RDF exports of the whole store: Turtle (graphs merged), TriG, N-Quads and JSON-LD.

Quads are written sorted, graph by graph, so two exports of the same store are
byte for byte the same and diff well.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from kg.vocab import PREFIXES

if TYPE_CHECKING:
    import pyoxigraph

__all__ = ["write_jsonld", "write_nquads", "write_trig", "write_turtle"]


def write_turtle(store: pyoxigraph.Store, stream: BinaryIO) -> None:
    """Turtle of the union of all graphs (article graphs merged, duplicates removed)."""
    import pyoxigraph

    from kg.rdf.store import construct

    # Sorted, so each subject's triples are consecutive and Turtle can group them.
    triples = construct(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o", use_default_graph_as_union=True)
    pyoxigraph.serialize(triples, stream, pyoxigraph.RdfFormat.TURTLE, prefixes=PREFIXES)


def write_trig(store: pyoxigraph.Store, stream: BinaryIO) -> None:
    """TriG of the whole dataset: one block per article graph."""
    import pyoxigraph

    pyoxigraph.serialize(_sorted_quads(store), stream, pyoxigraph.RdfFormat.TRIG, prefixes=PREFIXES)


def write_nquads(store: pyoxigraph.Store, stream: BinaryIO) -> None:
    """N-Quads of the whole dataset."""
    import pyoxigraph

    pyoxigraph.serialize(_sorted_quads(store), stream, pyoxigraph.RdfFormat.N_QUADS)


def write_jsonld(store: pyoxigraph.Store, stream: BinaryIO) -> None:
    """JSON-LD (expanded) of the whole dataset: one ``@graph`` object per article graph."""
    import pyoxigraph

    pyoxigraph.serialize(_sorted_quads(store), stream, pyoxigraph.RdfFormat.JSON_LD)


def _sorted_quads(store: pyoxigraph.Store) -> Iterator[pyoxigraph.Quad]:
    """Every quad, graph by graph (default graph first), sorted within each graph.

    Sorting makes the files diffable between two builds and lets TriG group a
    subject's triples; only one graph at a time is held in memory.
    """
    import pyoxigraph

    from kg.rdf.store import construct

    graph = pyoxigraph.Variable("g")
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s ?p ?o"
    yield from (
        pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.DefaultGraph())
        for t in construct(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o")
    )
    for name in sorted(store.named_graphs(), key=str):
        for t in construct(store, query, substitutions={graph: name}):
            yield pyoxigraph.Quad(t.subject, t.predicate, t.object, name)
