"""The persistent store: an on-disk Oxigraph database, one named graph per article.

>>> store = open_memory_store()
>>> from rdflib import Graph, URIRef, Literal
>>> g = Graph(); _ = g.add((URIRef("urn:a"), URIRef("urn:p"), Literal("x")))
>>> replace_graph(store, "urn:graph:1", g)
>>> replace_graph(store, "urn:graph:1", g)   # replacing, not duplicating
>>> len(store)
1

Writing is crash-safe: each :func:`replace_graph` (and each
:func:`replace_graphs`, which writes many graphs at once) is one Oxigraph
transaction (one RocksDB write batch, logged before it returns), so a
process killed at any moment leaves every graph either as it was or as
written, never half-written; a Ctrl-C waits for the write to end
(:func:`uninterrupted`). Only one process can open a store for writing; a
second gets ``KGError`` E020. A failure of the store itself (a full disk,
a damaged file) is :func:`store_failure` (see ``docs/reliability.md``).
"""
from __future__ import annotations

import errno
import os
import re
import signal
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TypeAlias

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import Errors, KGError
from kg.vocab import ARTICLE_GRAPHS, KG_NS

__all__ = [
    "DEFAULT_STORE",
    "store_path",
    "open_store",
    "open_memory_store",
    "replace_graph",
    "replace_graphs",
    "StoreFailure",
    "store_failure",
    "uninterrupted",
    "to_quads",
    "graph_names",
    "to_oxigraph",
    "verify_store",
    "Term",
    "select",
    "construct",
    "term_value",
]

DEFAULT_STORE = "kg-store"

#: An RDF term as pyoxigraph gives it (a quad's object, a query's binding).
Term: TypeAlias = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple

_RDF_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_KG_ARTICLE = pyoxigraph.NamedNode(KG_NS + "Article")
_SURROGATE = re.compile("[\ud800-\udfff]")


def store_path(path: str | os.PathLike | None = None) -> Path:
    """The store directory: ``path``, else ``$KG_STORE``, else ``./kg-store``."""
    return Path(path or os.environ.get("KG_STORE") or DEFAULT_STORE)


def open_store(path: str | os.PathLike | None = None, *, read_only: bool = False) -> pyoxigraph.Store:
    """Open (creating it unless ``read_only``) the Oxigraph store at ``path``.

    Raises ``KGError`` with an actionable message when the directory is
    missing (read-only), damaged (E131, opening it to write) or locked by
    another writer: RocksDB holds an advisory lock on ``DIR/LOCK`` while a
    process has the store open for writing, released by the system when
    that process ends, even killed.
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
        # "While lock file: DIR/LOCK: Resource temporarily unavailable" (another process),
        # "lock hold by current process" (this one, opened twice).
        if "lock" in str(e).lower():
            raise KGError(Errors.E020.format(path=location)) from e
        raise KGError(Errors.E021.format(path=location, detail=e)) from e
    except RuntimeError as e:  # RocksDB "Corruption: ..."
        if read_only:  # most often a writer compacting files under the reader: pyoxigraph calls it undefined
            raise KGError(Errors.E084.format(path=location, detail=e)) from e
        raise store_failure(e) or KGError(Errors.E021.format(path=location, detail=e)) from e  # E131: damaged
    except UnicodeEncodeError as e:  # a read-only open of a path of bytes that are not UTF-8 (a writer's is an OSError)
        raise KGError(Errors.E021.format(path=location, detail="the path is not valid UTF-8")) from e


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

    No text of the data can change the SPARQL update: every term is
    converted to a pyoxigraph term first (IRIs are validated; an invalid one
    raises ``KGError`` and nothing is written), and the update holds the
    terms as pyoxigraph writes them (literals escaped as in N-Triples), so
    no title, URL or name can end a literal or add a clause.

    >>> store = open_memory_store()
    >>> g = Graph(); _ = g.add((URIRef("urn:a"), URIRef("urn:p"), Literal('"} ; DROP ALL ; INSERT DATA {')))
    >>> replace_graph(store, "urn:graph:1", g)
    >>> [q.object.value for q in store]
    ['"} ; DROP ALL ; INSERT DATA {']
    >>> bad = Graph(); _ = bad.add((URIRef("urn:a> <urn:b"), URIRef("urn:p"), Literal("x")))
    >>> replace_graph(store, "urn:graph:1", bad)
    Traceback (most recent call last):
    kg.errors.KGError: [E083] ...
    >>> len(store)   # the failed write changed nothing
    1
    """
    target = _named_node(graph_name)
    quads = _quads(graph, target)
    shared = _quads(merge[1], _named_node(merge[0])) if merge is not None else []
    # One transaction either way: Store.extend for a graph that is new, else one SPARQL update.
    replace_graphs(store, [(target, quads)], merge=shared)


def replace_graphs(
    store: pyoxigraph.Store,
    graphs: Sequence[tuple[str | pyoxigraph.NamedNode, Sequence[pyoxigraph.Quad]]],
    *,
    merge: Iterable[pyoxigraph.Quad] = (),
    values: Iterable[pyoxigraph.Quad] = (),
    delete: Iterable[pyoxigraph.Quad] = (),
) -> None:
    """Replace several named graphs at once, in ONE transaction: the batch form of :func:`replace_graph`.

    ``graphs`` pairs each graph name with its new quads (already pyoxigraph
    terms, see :func:`to_quads`; their graph name is the pair's). ``merge``
    quads are added to whatever graph they name (a set: nothing twice), and
    ``delete`` quads (of no blank node) removed from it, before.
    Each quad of ``values`` sets a one-valued property: it replaces any
    other object of its subject and predicate in its graph.

    Either every graph of the batch is written, or none is: a process killed
    at any moment leaves each graph as it was or as written. When none of
    the graphs exists yet and no value or quad is deleted (a first build), the
    quads go in with ``Store.extend`` (one transaction, no SPARQL);
    otherwise one SPARQL update drops the old graphs, deletes the values
    replaced and the quads of ``delete``, and inserts the new quads as data, each term written by
    pyoxigraph (so no text can change the update). Signals wait for the
    update and what follows it in the block of :func:`uninterrupted`.

    >>> store = open_memory_store()
    >>> g = Graph(); _ = g.add((URIRef("urn:a"), URIRef("urn:p"), Literal("x")))
    >>> batch = [("urn:graph:1", to_quads(g, "urn:graph:1")), ("urn:graph:2", to_quads(g, "urn:graph:2"))]
    >>> replace_graphs(store, batch); replace_graphs(store, batch)
    >>> len(store), graph_names(store)
    (2, ['urn:graph:1', 'urn:graph:2'])
    """
    names = [name if isinstance(name, pyoxigraph.NamedNode) else _named_node(name) for name, _ in graphs]
    inserts: list[pyoxigraph.Quad] = []
    for name, (_, quads) in zip(names, graphs):
        inserts.extend(q if q.graph_name == name else pyoxigraph.Quad(q.subject, q.predicate, q.object, name) for q in quads)
    inserts.extend(merge)
    replaced: list[pyoxigraph.Quad] = []  # (subject, predicate, graph) of values that change, as quads
    for value in values:
        old = [q for q in store.quads_for_pattern(value.subject, value.predicate, None, value.graph_name)]
        if any(q.object != value.object for q in old):
            replaced.append(value)
        inserts.append(value)
    existing = [name for name in names if store.contains_named_graph(name)]
    deletes = list(delete)
    if not existing and not replaced and not deletes:
        store.extend(inserts)  # one transaction
        return

    # One SPARQL update = one Oxigraph transaction: the drops, deletes and inserts commit together.
    # The quads are written into it by pyoxigraph's own serialisation of each term (IRIs it has
    # checked, literals escaped as in N-Triples), so no text of an article can change the update;
    # and no Python runs inside it (a bound function did: six times slower, and pyoxigraph
    # dropped an exception raised in it, committing the update without that row).
    parts = [f"DROP SILENT GRAPH {name}" for name in existing]
    parts += [f"DELETE WHERE {{ GRAPH {q.graph_name} {{ {q.subject} {q.predicate} ?old }} }}" for q in replaced]
    if deletes:
        parts.append("DELETE DATA {\n" + "\n".join(_quad_data(q) for q in deletes) + "\n}")
    if inserts:
        parts.append("INSERT DATA {\n" + "\n".join(_quad_data(q) for q in inserts) + "\n}")
    with uninterrupted():
        store.update(" ;\n".join(parts))


def _quad_data(quad: pyoxigraph.Quad) -> str:
    """``quad`` as a line of INSERT DATA (a quad of the default graph without ``GRAPH``).

    >>> _quad_data(pyoxigraph.Quad(pyoxigraph.NamedNode("urn:a"), pyoxigraph.NamedNode("urn:p"), pyoxigraph.Literal('say "}" \\n'), pyoxigraph.NamedNode("urn:g")))
    'GRAPH <urn:g> { <urn:a> <urn:p> "say \\\\"}\\\\" \\\\n" }'
    """
    triple = f"{quad.subject} {quad.predicate} {quad.object}"
    if isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
        return triple + " ."
    return f"GRAPH {quad.graph_name} {{ {triple} }}"


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold back the signals Python handles (Ctrl-C's ``KeyboardInterrupt`` above all) until the
    block ends, then send them again, to whatever handles them then: for a write to the store
    and the count of what it wrote.

    A nested block holds them for the outermost one. Python runs signal handlers in the
    main thread only, so in any other thread this holds nothing back.

    >>> import os, signal
    >>> try:
    ...     with uninterrupted():
    ...         os.kill(os.getpid(), signal.SIGINT)
    ...         print("the block ends")
    ... except KeyboardInterrupt:
    ...     print("then Ctrl-C")
    the block ends
    then Ctrl-C
    """
    global _holding
    if _holding or threading.current_thread() is not threading.main_thread():
        yield
        return
    handlers = {valid: signal.getsignal(valid) for valid in signal.valid_signals()}
    handled = {valid: handler for valid, handler in handlers.items() if callable(handler)}
    held: dict[int, None] = {}  # the signals that arrived, in order, once each

    def hold(number: int, _frame: FrameType | None) -> None:
        held[number] = None

    for valid in handled:
        signal.signal(valid, hold)
    _holding = True
    try:
        yield
    finally:
        _holding = False
        for valid, handler in handled.items():
            signal.signal(valid, handler)
        for arrived in held:
            signal.raise_signal(arrived)


_holding = False  # whether an uninterrupted() block is running (in the main thread)


class StoreFailure(KGError):
    """The store itself failed (a full disk, a damaged file): no later write can be expected to succeed."""


def store_failure(error: BaseException) -> StoreFailure | None:
    """The coded error for a failure of the store itself, or ``None`` when ``error`` is another:
    a full disk (E130), a damaged store file (E131), any other input/output error (E132).

    pyoxigraph raises ``OSError`` for input/output errors and ``RuntimeError`` for a
    RocksDB "Corruption: ..." (a checksum that does not match, a file cut short).

    >>> import errno
    >>> print(store_failure(OSError(errno.ENOSPC, "No space left on device")))
    [E130] The disk is full: [Errno 28] No space left on device. The store holds every article written before, complete, with its merged events. Free some space and run the same command again to complete the rest.
    >>> store_failure(RuntimeError("Corruption: block checksum mismatch in kg-store/000014.sst")).args[0][:6]
    '[E131]'
    >>> store_failure(ValueError("not the store's")) is None
    True
    """
    detail = str(error)
    if isinstance(error, OSError) and (error.errno == errno.ENOSPC or "No space left on device" in detail):
        return StoreFailure(Errors.E130.format(detail=detail))
    if isinstance(error, (OSError, RuntimeError)) and "Corruption" in detail:
        return StoreFailure(Errors.E131.format(detail=detail))
    if isinstance(error, OSError):
        return StoreFailure(Errors.E132.format(detail=detail))
    return None


def to_quads(graph: Graph, graph_name: str | pyoxigraph.NamedNode) -> list[pyoxigraph.Quad]:
    """The triples of the rdflib ``graph`` as pyoxigraph quads of the graph ``graph_name``.

    Raises ``KGError`` (E083) for a triple no RDF store can hold.

    >>> g = Graph(); _ = g.add((URIRef("urn:a"), URIRef("urn:p"), Literal("x")))
    >>> [str(q) for q in to_quads(g, "urn:graph:1")]
    ['<urn:a> <urn:p> "x" <urn:graph:1>']
    """
    name = graph_name if isinstance(graph_name, pyoxigraph.NamedNode) else _named_node(graph_name)
    return _quads(graph, name)


def to_oxigraph(term: Node) -> pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal:
    """The pyoxigraph term for an rdflib term; ``ValueError`` for one no RDF store can hold.

    >>> to_oxigraph(URIRef("https://w3id.org/kg/id/country/RUS"))
    <NamedNode value=https://w3id.org/kg/id/country/RUS>
    >>> to_oxigraph(Literal("Putin's <b>\\n", lang="en")).language
    'en'
    >>> to_oxigraph(URIRef("https://example.org/a b"))
    Traceback (most recent call last):
    ValueError: Invalid IRI code point ' '
    """
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if isinstance(term, Literal):
        value = str(term)
        if _SURROGATE.search(value):
            raise ValueError(f"unpaired surrogate in the literal {value[:40]!r}")
        if term.language:
            return pyoxigraph.Literal(value, language=term.language)
        if term.datatype is not None:
            return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(str(term.datatype)))
        return pyoxigraph.Literal(value)
    raise ValueError(f"unsupported RDF term {term!r}")


def _named_node(iri: str) -> pyoxigraph.NamedNode:
    try:
        return pyoxigraph.NamedNode(str(iri))
    except ValueError as e:
        raise KGError(Errors.E083.format(term=str(iri)[:80], detail=e)) from e


def _quads(graph: Graph, graph_name: pyoxigraph.NamedNode) -> list[pyoxigraph.Quad]:
    quads = []
    for triple in graph:
        try:
            s, p, o = (to_oxigraph(term) for term in triple)
            if isinstance(s, pyoxigraph.Literal):
                raise TypeError("a literal cannot be a subject")
            if not isinstance(p, pyoxigraph.NamedNode):
                raise TypeError("a predicate must be an IRI")
            quads.append(pyoxigraph.Quad(s, p, o, graph_name))
        except (ValueError, TypeError) as e:
            raise KGError(Errors.E083.format(term=" ".join(repr(str(t))[:80] for t in triple), detail=e)) from e
    return quads


def select(
    store: pyoxigraph.Store, query: str, *, prefixes: dict[str, str] | None = None, use_default_graph_as_union: bool = False
) -> pyoxigraph.QuerySolutions:
    """The solutions of kg's own SELECT ``query`` (``Store.query`` with its options, typed for SELECT).

    >>> [row["n"].value for row in select(open_memory_store(), "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")]
    ['0']
    """
    result = store.query(query, prefixes=prefixes, use_default_graph_as_union=use_default_graph_as_union)
    if not isinstance(result, pyoxigraph.QuerySolutions):
        raise TypeError(f"not a SELECT query: {query[:80]!r}")
    return result


def construct(
    store: pyoxigraph.Store,
    query: str,
    *,
    use_default_graph_as_union: bool = False,
    substitutions: dict[pyoxigraph.Variable, Term] | None = None,
) -> pyoxigraph.QueryTriples:
    """The triples of kg's own CONSTRUCT ``query`` (``Store.query`` with its options, typed for CONSTRUCT).

    >>> list(construct(open_memory_store(), "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
    []
    """
    result = store.query(query, use_default_graph_as_union=use_default_graph_as_union, substitutions=substitutions)
    if not isinstance(result, pyoxigraph.QueryTriples):
        raise TypeError(f"not a CONSTRUCT query: {query[:80]!r}")
    return result


def term_value(term: Term) -> str:
    """The IRI, blank node id or lexical form of ``term``; a quoted triple (RDF-star, which kg
    never writes) as N-Triples.

    >>> term_value(pyoxigraph.Literal("2024-03-04")), term_value(pyoxigraph.NamedNode("urn:a"))
    ('2024-03-04', 'urn:a')
    """
    return str(term) if isinstance(term, pyoxigraph.Triple) else term.value


def graph_names(store: pyoxigraph.Store) -> list[str]:
    """IRIs of the named graphs in ``store``."""
    return sorted(g.value for g in store.named_graphs())


def verify_store(store: pyoxigraph.Store, *, article_graphs: Iterable[str] | None = None) -> list[str]:
    """Problems found in ``store`` (an empty list when it is sound).

    Every article graph (named by :func:`kg.vocab.article_iri`) must hold
    its article's ``kg:Article`` triple; ``article_graphs`` names ones that
    must be there. Reading every quad also proves the store can be read.

    >>> verify_store(open_memory_store())
    []
    """
    problems = []
    names = set(graph_names(store))
    for name in sorted(n for n in names if n.startswith(ARTICLE_GRAPHS)):
        node = pyoxigraph.NamedNode(name)
        if not any(store.quads_for_pattern(node, _RDF_TYPE, _KG_ARTICLE, node)):
            problems.append(f"graph {name} has no kg:Article triple")
    for name in sorted(set(article_graphs or ()) - names):
        problems.append(f"graph {name} is missing")
    sum(1 for _ in store)  # every quad can be read back
    return problems
