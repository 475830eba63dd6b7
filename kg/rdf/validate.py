"""Validate: check a graph or a store against the SHACL shapes of the kg ontology.

A store is checked by SPARQL queries that Oxigraph runs on the store itself
(:func:`validate_store`; the shapes compiled by :mod:`kg.rdf.shapes`), over the
union of its graphs: articles, actors, merged events and the ontology graph. The
results are pyshacl's on that union with the shipped ontology mixed in (pyshacl's
``ont_graph``: ``sh:class kg:Actor`` accepts a ``kg:Country`` through
``rdfs:subClassOf``; an event type must be a concept of the PLOVER scheme, which
the store's ontology graph holds). pyshacl itself is the reference
(:func:`validate_graph`), and validates a store a few graphs at a time where the
SPARQL checks cannot: with inference (``engine="pyshacl"``). Shapes:
``ontology/shapes.ttl``.

>>> from kg.rdf.store import open_memory_store
>>> report = validate_store(open_memory_store())
>>> report.conforms, report.results, report.engine
(True, [], 'sparql')
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import pyoxigraph
from rdflib import Graph, URIRef
from rdflib.term import Node
from rdflib.namespace import RDF, RDFS, SH

from kg.errors import Errors, KGError
from kg.rdf.graph import SHAPES_FILE, ontology_graph, shapes_graph
from kg.rdf.shapes import Check, compile_shapes
from kg.rdf.store import construct, select, term_value
from kg.vocab import ACTORS_GRAPH, CAMEO_NS, KG_NS, ONTOLOGY_GRAPH, PLOVER_NS, RESOURCE_NS

__all__ = [
    "ENGINES", "INFERENCE", "ValidationReport", "ValidationResult", "format_result", "store_graph", "validate_graph",
    "validate_store",
]  # fmt: skip

#: Inference pyshacl may run on the data graph before validating ("none" is enough
#: for the kg shapes; "rdfs" or "owlrl" also check what the ontology entails).
INFERENCE = ("none", "rdfs", "owlrl", "both")
#: How a store is validated: SPARQL checks run by Oxigraph (fast), or pyshacl a few graphs at a time.
ENGINES = ("sparql", "pyshacl")

_PREFIXES = (
    ("kg:", KG_NS),
    ("kgsh:", "https://w3id.org/kg/shapes#"),
    ("plover:", PLOVER_NS),
    ("cameo:", CAMEO_NS),
    ("kgr:", RESOURCE_NS),
    ("prov:", "http://www.w3.org/ns/prov#"),
    ("rdfs:", "http://www.w3.org/2000/01/rdf-schema#"),
    ("rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("skos:", "http://www.w3.org/2004/02/skos/core#"),
    ("xsd:", "http://www.w3.org/2001/XMLSchema#"),
    ("sh:", "http://www.w3.org/ns/shacl#"),
)


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: what is wrong (``message``) with which node (``focus``) and property (``path``).

    ``severity`` is ``Violation``, ``Warning`` or ``Info``; ``graphs`` are the
    named graphs of the store that hold triples about the focus node;
    ``values``, for a node with more values of ``path`` than it may have
    (``sh:maxCount``), are those values: an actor's two country codes.
    """

    severity: str
    focus: str
    path: str | None
    message: str
    value: str | None = None
    constraint: str | None = None
    graphs: tuple[str, ...] = ()
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class ValidationReport:
    """All results of a validation; ``conforms`` when none is a violation; ``engine`` the one
    that validated (:data:`ENGINES`)."""

    results: list[ValidationResult] = field(default_factory=list)
    triples: int = 0
    engine: str = "sparql"

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations


def store_graph(store: pyoxigraph.Store) -> Graph:
    """The union of all graphs of ``store`` as one rdflib ``Graph`` (the whole store in memory:
    :func:`validate_store` does without)."""
    triples = construct(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    with _quiet_literals():
        return Graph().parse(data=data, format="nt")


def validate_graph(
    data: Graph,
    *,
    inference: str = "none",
    shapes: Graph | None = None,
    ontology: Graph | None = None,
    inplace: bool = False,
) -> list[ValidationResult]:
    """SHACL results for ``data`` against the kg shapes, with the kg ontology mixed in
    (``shapes``, ``ontology``: those graphs already parsed, default the shipped ones;
    ``inplace``: into ``data`` itself, rather than a copy).

    Examples
    --------
    >>> from rdflib import RDFS, XSD, Literal
    >>> from kg.rdf.namespace import KG, RESOURCE
    >>> g = Graph()
    >>> event = RESOURCE["event/x"]
    >>> _ = g.add((event, RDF.type, KG.Event)); _ = g.add((event, KG.date, Literal("2024-13-45", datatype=XSD.date)))
    >>> found = {(short(r.path or "-"), r.constraint) for r in validate_graph(g) if r.focus == str(event)}
    >>> ("kg:date", "DatatypeConstraintComponent") in found, ("kg:article", "MinCountConstraintComponent") in found
    (True, True)

    A node with too many values of a property gets them listed:

    >>> actor = RESOURCE["person/x"]
    >>> for triple in ((actor, RDF.type, KG.Person), (actor, RDFS.label, Literal("X")),
    ...                (actor, KG.countryCode, Literal("UKR")), (actor, KG.countryCode, Literal("RUS"))):
    ...     _ = g.add(triple)
    >>> [(r.message, r.values) for r in validate_graph(g) if r.focus == str(actor)]
    [('An actor is of one state: at most one kg:countryCode.', ('RUS', 'UKR'))]
    """
    import pyshacl

    with _quiet_literals():
        _, results, _ = pyshacl.validate(
            data,
            shacl_graph=shapes if shapes is not None else shapes_graph(),
            ont_graph=ontology if ontology is not None else ontology_graph(),
            inference=inference,
            abort_on_first=False,
            allow_warnings=True,
            advanced=True,
            inplace=inplace,
        )
    return [_with_values(r, data) for r in _results(results)]


def _with_values(result: ValidationResult, data: Graph) -> ValidationResult:
    """``result`` with the values of its path when there are more than the shape allows."""
    if result.constraint != "MaxCountConstraintComponent" or not result.path or not result.path.startswith("http"):
        return result
    values = tuple(sorted(str(o) for o in data.objects(URIRef(result.focus), URIRef(result.path))))
    return replace(result, values=values)


@contextmanager
def _quiet_literals() -> Iterator[None]:
    """Silence rdflib's traceback for each ill-typed literal: the shapes report them."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


#: Triples of article and merged-event graphs validated together (the memory of a batch).
BATCH_TRIPLES = 20_000
_NODES_PER_QUERY = 500
_DEFAULT = "default graph"


def _elsewhere() -> str:
    """The properties of the triples kg writes about a node in a graph other than the one that
    describes it, as a SPARQL list: an actor's direct edges (in the graph of the article that
    states them), a denial's kg:disputes (in its block's graph). Their shapes are checked with
    those graphs; :func:`_context` brings the rest."""
    from kg.rdf.namespace import direct_properties

    return ", ".join(f"<{p}>" for p in sorted({*map(str, direct_properties().values()), f"{KG_NS}disputes"}))


def validate_store(
    store: pyoxigraph.Store,
    *,
    engine: str | None = None,
    inference: str = "none",
    on_progress: Callable[[int, int], None] | None = None,
    batch_triples: int = BATCH_TRIPLES,
) -> ValidationReport:
    """Validate ``store`` against the kg shapes, with the results pyshacl gives on the union of
    its graphs, the shipped ontology mixed in.

    ``engine`` ``"sparql"`` (the default without inference) runs the shapes compiled into SPARQL
    (:mod:`kg.rdf.shapes`) on the store itself: Oxigraph's memory and speed, a progress step per
    query. ``"pyshacl"`` (the default with inference, which only pyshacl runs) validates a few
    graphs at a time (:func:`_validate_in_batches`). ``on_progress(done, total)`` is called after
    each step. Each result names the store's graphs that hold triples about its focus node.

    Raises KGError: E181 for ``engine="sparql"`` with inference, E180 for a shape feature the
    SPARQL checks do not compile.
    """
    if engine not in (None, *ENGINES):
        raise ValueError(f"engine is one of {ENGINES}, not {engine!r}")
    if engine == "sparql" and inference != "none":
        raise KGError(Errors.E181.format(inference=inference))
    if engine == "pyshacl" or inference != "none":
        return _validate_in_batches(store, inference, on_progress, batch_triples)
    return _validate_with_sparql(store, on_progress)


def _validate_with_sparql(store: pyoxigraph.Store, on_progress: Callable[[int, int], None] | None) -> ValidationReport:
    """The compiled checks of the kg shapes (:func:`kg.rdf.shapes.compile_shapes`), each a query
    over the union of the store's graphs.

    pyshacl mixes the RDFS and OWL axioms of the shipped ontology into the data (its
    "inoculation": the classes and properties, not the PLOVER concepts); of those the kg shapes
    only depend on ``rdfs:subClassOf`` (``sh:class kg:Actor`` takes a ``kg:Country``), which the
    checks take from the shipped ontology and the store alike, so that a store without the
    ontology graph gets pyshacl's results too.
    """
    subclasses = _subclasses(store)
    checks = compile_shapes(shapes_graph(), lambda c: subclasses.get(c, {c}), source=f"ontology/{SHAPES_FILE}")
    found: dict[ValidationResult, None] = {}
    if on_progress is not None:
        on_progress(0, len(checks))
    for done, check in enumerate(checks, 1):
        for row in select(store, check.query, use_default_graph_as_union=True):
            for result in _check_results(store, check, row):
                found.setdefault(result)
        if on_progress is not None:
            on_progress(done, len(checks))
    results = [_listing_values(store, r) for r in found]
    results.sort(key=lambda r: (r.severity != "Violation", r.focus, r.path or "", r.message, r.value or ""))
    return ValidationReport([replace(r, graphs=_graphs_of(store, r.focus)) for r in results], len(store), "sparql")


def _subclasses(store: pyoxigraph.Store) -> dict[str, set[str]]:
    """Each class of the ``rdfs:subClassOf`` triples of the shipped ontology and of the store, with
    itself and all its subclasses."""
    children: dict[str, set[str]] = {}
    for child, parent in ontology_graph().subject_objects(RDFS.subClassOf):
        children.setdefault(str(parent), set()).add(str(child))
    for row in select(store, f"SELECT DISTINCT ?c ?super WHERE {{ ?c <{RDFS.subClassOf}> ?super }}", use_default_graph_as_union=True):
        children.setdefault(row["super"].value, set()).add(row["c"].value)
    closed: dict[str, set[str]] = {}
    for cls in children:
        seen, todo = {cls}, [cls]
        while todo:
            for sub in children.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        closed[cls] = seen
    return closed


_THIS = pyoxigraph.Variable("this")
_PLACEHOLDER = re.compile(r"\{[?$](this|path|value)\}")


def _check_results(store: pyoxigraph.Store, check: Check, row: pyoxigraph.QuerySolution) -> Iterator[ValidationResult]:
    """The results a row of ``check`` on ``store`` stands for."""
    for outcome in check.outcomes:
        if outcome.flag is not None and not _is_true(row[outcome.flag]):
            continue
        if outcome.recheck is not None:
            again = store.query(outcome.recheck, substitutions={_THIS: row["this"]}, use_default_graph_as_union=True)
            if len(list(again)) < 2:  # type: ignore[arg-type]
                continue  # the same value, in several graphs
        terms = {"this": row["this"], "value": row[outcome.value] if outcome.value else None}
        if outcome.path == "?path":
            terms["path"] = row["path"]
            path = row["path"].value if row["path"] is not None else None
        else:
            path = _shown_path(outcome.path) if outcome.path is not None else None
        message = outcome.message
        if outcome.substitute:
            message = _PLACEHOLDER.sub(lambda m: terms[m.group(1)].value if terms.get(m.group(1)) is not None else m.group(0), message)
        value = terms["value"]
        yield ValidationResult(
            severity=outcome.severity,
            focus=row["this"].value,
            path=path,
            message=message,
            value=value.value if value is not None else None,
            constraint=outcome.constraint,
        )


def _is_true(term: object) -> bool:
    return isinstance(term, pyoxigraph.Literal) and term.value == "true"


def _shown_path(path: str) -> str:
    """A compiled path as pyshacl's results give it: ``<iri>`` as the IRI, an inverse or a
    sequence path shortened (``^kg:reportedBy``, ``prov:wasDerivedFrom/kg:article``).

    >>> _shown_path("^<https://w3id.org/kg/ontology#reportedBy>")
    '^kg:reportedBy'
    """
    if path.startswith("<") and path.endswith(">") and path.count("<") == 1:
        return path[1:-1]
    return _IRI.sub(lambda m: short(m.group(1)), path)


def _listing_values(store: pyoxigraph.Store, result: ValidationResult) -> ValidationResult:
    """``result`` with the values of its path when there are more than the shape allows (as :func:`_with_values`)."""
    if result.constraint != "MaxCountConstraintComponent" or not result.path or not result.path.startswith("http"):
        return result
    focus, prop = pyoxigraph.NamedNode(result.focus), pyoxigraph.NamedNode(result.path)
    return replace(result, values=tuple(sorted({term_value(q.object) for q in store.quads_for_pattern(focus, prop, None, None)})))


def _validate_in_batches(
    store: pyoxigraph.Store, inference: str, on_progress: Callable[[int, int], None] | None, batch_triples: int
) -> ValidationReport:
    """pyshacl on the graphs of ``store`` a batch at a time (see :func:`validate_graph`), with the
    results the union of its graphs would give.

    Memory is bounded by a batch, not the store: the named graphs are read from the store a
    few at a time (article graphs and merged-event graphs up to ``batch_triples`` triples per
    batch; the actors graph and the ontology graph on their own), each with the store's
    ontology graph and what the shapes need of other graphs (:func:`_context`): the
    description, in the actors graph, of each actor it names; the type of every node it names
    (a report's article, a merged event's reports); a report's negation and modality; the
    merged events that are ``kg:reportedBy`` a report of it, or that one ``kg:disputes``. A
    batch reports results on the nodes its graphs describe, not on those it borrows. Nodes
    described in more than one graph (a place or the kg release named by many articles, a
    merged event minted by two blocks) are checked apart, with the triples of all their graphs,
    so that, say, a place with two countries in two articles is found. ``on_progress(done,
    total)`` is called after each batch, with counts of graphs (and 1 for those nodes).
    """
    shapes, inoculum = shapes_graph(), ontology_graph()
    sizes = _graph_sizes(store)
    ontology = _read_graphs(store, [ONTOLOGY_GRAPH]) if ONTOLOGY_GRAPH in sizes else Graph()
    shared = _shared_nodes(store)
    alone = set(shared)
    total = len(sizes) + 1
    found: dict[ValidationResult, None] = {}
    done = 0
    if on_progress is not None:
        on_progress(done, total)

    def check(own: Graph, focus: set[str] | None = None, mixed: bool = True) -> None:
        for result in _validate_unit(store, own, ontology if mixed else None, shapes, inoculum, inference, focus):
            if focus is not None or result.focus not in alone:
                found.setdefault(result)

    for names in _batches(sizes, batch_triples):
        check(_read_graphs(store, names), mixed=names != [ONTOLOGY_GRAPH])
        done += len(names)
        if on_progress is not None:
            on_progress(done, total)
    for start in range(0, len(shared), _NODES_PER_QUERY):
        nodes = shared[start : start + _NODES_PER_QUERY]
        check(_described(store, nodes), set(nodes))
    if on_progress is not None:
        on_progress(total, total)
    results = sorted(found, key=lambda r: (r.severity != "Violation", r.focus, r.path or "", r.message, r.value or ""))
    return ValidationReport([replace(r, graphs=_graphs_of(store, r.focus)) for r in results], sum(sizes.values()), "pyshacl")


def _graph_sizes(store: pyoxigraph.Store) -> dict[str, int]:
    """Triples per graph of ``store`` (its default graph too, when it holds any)."""
    sizes = {
        row["g"].value: int(row["n"].value)
        for row in select(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    for row in select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"):
        if int(row["n"].value):
            sizes[_DEFAULT] = int(row["n"].value)
    return sizes


def _read_graphs(store: pyoxigraph.Store, names: list[str]) -> Graph:
    data = Graph()
    with _quiet_literals():
        for name in names:
            graph = pyoxigraph.DefaultGraph() if name == _DEFAULT else pyoxigraph.NamedNode(name)
            data.parse(data=store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=graph), format="nt")
    return data


def _batches(sizes: dict[str, int], limit: int) -> list[list[str]]:
    """The graphs in batches: the ontology, actors and default graphs alone, the others
    (articles, merged events) together up to ``limit`` triples.

    >>> _batches({ACTORS_GRAPH: 9, "urn:a": 5, "urn:b": 5, "urn:c": 5}, 10)
    [['https://w3id.org/kg/id/graph/actors'], ['urn:a', 'urn:b'], ['urn:c']]
    """
    alone = (ACTORS_GRAPH, ONTOLOGY_GRAPH, _DEFAULT)
    batches: list[list[str]] = [[name] for name in sorted(sizes) if name in alone]
    size = limit
    for name in sorted(n for n in sizes if n not in alone):
        if size + sizes[name] > limit:
            batches.append([])
            size = 0
        batches[-1].append(name)
        size += sizes[name]
    return batches


def _shared_nodes(store: pyoxigraph.Store) -> list[str]:
    """Nodes described in more than one graph: the subject of triples in several graphs, but
    for an actor's direct edges and a denial's kg:disputes (see :func:`_elsewhere`)."""
    skip = _elsewhere()
    query = (
        f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s) && ?p NOT IN ({skip})) }} "
        "GROUP BY ?s HAVING (COUNT(DISTINCT ?g) > 1) ORDER BY ?s"
    )
    return [row["s"].value for row in select(store, query)]


def _described(store: pyoxigraph.Store, nodes: list[str]) -> Graph:
    """The triples, in all graphs, about ``nodes`` (but those of :func:`_elsewhere`)."""
    skip = _elsewhere()
    values = " ".join(f"<{n}>" for n in nodes)
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o FILTER(?p NOT IN ({skip})) }}"
    return _to_graph(construct(store, query, use_default_graph_as_union=True))


_CONTEXT_QUERY = f"""CONSTRUCT {{ ?n ?p ?o . ?x <{KG_NS}reportedBy> ?n . ?x a ?xt . ?n <{KG_NS}disputes> ?y . ?y a ?yt }}
WHERE {{
  VALUES ?n {{ %s }}
  {{ GRAPH <{ACTORS_GRAPH}> {{ ?n ?p ?o }} }}
  UNION {{ VALUES ?p {{ <{RDF.type}> <{KG_NS}negated> <{KG_NS}modality> }} ?n ?p ?o }}
  UNION {{ ?x <{KG_NS}reportedBy> ?n OPTIONAL {{ ?x a ?xt }} }}
  UNION {{ ?n <{KG_NS}disputes> ?y OPTIONAL {{ ?y a ?yt }} }}
}}"""


def _context(store: pyoxigraph.Store, own: Graph) -> tuple[Graph, set[str]]:
    """What the shapes need of other graphs about the nodes ``own`` names (see :func:`validate_store`),
    and which of them the actors graph describes."""
    nodes = sorted({str(t) for s, p, o in own for t in (s, o) if isinstance(t, URIRef) and p != RDF.type} | {str(s) for s in own.subjects() if isinstance(s, URIRef)})
    context = Graph()
    for start in range(0, len(nodes), _NODES_PER_QUERY):
        values = " ".join(f"<{n}>" for n in nodes[start : start + _NODES_PER_QUERY])
        context += _to_graph(construct(store, _CONTEXT_QUERY % values, use_default_graph_as_union=True))
    actors = pyoxigraph.NamedNode(ACTORS_GRAPH)
    described = {n for n in nodes if next(store.quads_for_pattern(pyoxigraph.NamedNode(n), None, None, actors), None) is not None}
    return context, described


def _to_graph(triples: Iterable[pyoxigraph.Triple]) -> Graph:
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    with _quiet_literals():
        return Graph().parse(data=data, format="nt") if data else Graph()


def _validate_unit(
    store: pyoxigraph.Store,
    own: Graph,
    ontology: Graph | None,
    shapes: Graph,
    inoculum: Graph,
    inference: str,
    focus: set[str] | None = None,
) -> list[ValidationResult]:
    """Results on the nodes ``own`` describes (or on ``focus``), with the ``ontology`` (if any)
    and the context of ``own`` in the store mixed into ``own``. A node of ``own`` that the
    context or the ontology types, and not ``own``, is borrowed (a merged event's report): its
    own graph checks it, unless it is an actor, which the context describes."""
    context, actors = _context(store, own)
    if focus is None:
        nodes = {str(t) for s, _, o in own for t in (s, o) if isinstance(t, URIRef)}
        typed = {str(n) for n in own.subjects(RDF.type, None)}
        added = {str(n) for n in context.subjects(RDF.type, None)}
        if ontology is not None:
            added |= {str(n) for n in ontology.subjects(RDF.type, None)}
        focus = nodes - (added - typed - actors)
    own += context
    if ontology is not None:
        own += ontology
    results = validate_graph(own, inference=inference, shapes=shapes, ontology=inoculum, inplace=True)
    return [r for r in results if r.focus in focus]


def format_result(result: ValidationResult) -> str:
    """One line: severity, focus node, property, message, value and graphs, IRIs shortened.

    >>> print(format_result(ValidationResult("Violation", "https://w3id.org/kg/id/event/1", "https://w3id.org/kg/ontology#article", "Less than 1 values")))
    Violation  kgr:event/1  kg:article  Less than 1 values
    """
    message = _IRI.sub(lambda m: short(m.group(1)), result.message)
    parts = [result.severity, short(result.focus), short(result.path) if result.path else "-", message]
    if result.value is not None and result.value != result.focus:
        parts.append(f"value: {short(result.value)}")
    if result.values:
        parts.append("values: " + ", ".join(short(v) for v in result.values))
    if result.graphs:
        more = len(result.graphs) - 3
        parts.append("graph: " + ", ".join(short(g) for g in result.graphs[:3]) + (f" (+{more} more)" if more > 0 else ""))
    return "  ".join(parts)


_IRI = re.compile(r"<?(https?://[^\s<>]+)>?")


def short(iri: str) -> str:
    """``https://w3id.org/kg/ontology#Event`` -> ``kg:Event``; anything else unchanged."""
    for prefix, namespace in _PREFIXES:
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :]
    return iri


def _results(report: Graph) -> list[ValidationResult]:
    """The results of pyshacl's ``report``; not those it nests under one as its sh:detail (why a
    value does not conform to the shape of an sh:node: the value's own shapes report it)."""
    results = []
    for node in report.objects(None, SH.result):
        severity = report.value(node, SH.resultSeverity)
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        constraint = report.value(node, SH.sourceConstraintComponent)
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        results.append(
            ValidationResult(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=str(report.value(node, SH.focusNode)),
                path=str(path) if isinstance(path, URIRef) else (_path_text(report, path) if path is not None else None),
                message=" ".join(messages) or "does not conform",
                value=str(value) if value is not None else None,
                constraint=str(constraint).rsplit("#", 1)[-1] if constraint else None,
            )
        )
    return sorted(results, key=lambda r: (r.severity != "Violation", r.focus, r.path or "", r.message))


def _path_text(report: Graph, path: Node) -> str:
    """A SHACL sequence path ``( p1 p2 )`` as ``p1/p2``, an inverse path as ``^p``."""
    from rdflib.collection import Collection

    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + short(str(inverse))
    try:
        return "/".join(short(str(step)) for step in Collection(report, path))
    except Exception:  # not a list: an inverse or alternative path
        return str(path)


def _graphs_of(store: pyoxigraph.Store, focus: str) -> tuple[str, ...]:
    try:
        node = pyoxigraph.NamedNode(focus)
    except ValueError:
        return ()
    return tuple(sorted({quad.graph_name.value for quad in store.quads_for_pattern(node, None, None, None) if isinstance(quad.graph_name, pyoxigraph.NamedNode)}))
