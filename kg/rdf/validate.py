"""Validate: check a graph or a store against the SHACL shapes of the kg ontology.

The data graph is the union of the store's graphs (articles, actors and the
ontology graph); the ontology and the PLOVER scheme shipped with kg are
mixed in (pyshacl's ``ont_graph``), so ``sh:class kg:Actor`` accepts a
``kg:Country`` through ``rdfs:subClassOf`` and an event type must be a
concept of the scheme. Shapes: ``ontology/shapes.ttl``.

>>> from kg.rdf.store import open_memory_store
>>> report = validate_store(open_memory_store())
>>> report.conforms, report.results
(True, [])
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import pyoxigraph
from rdflib import Graph, URIRef
from rdflib.term import Node
from rdflib.namespace import RDF, SH

from kg.rdf.graph import ontology_graph, shapes_graph
from kg.rdf.store import construct
from kg.vocab import CAMEO_NS, KG_NS, PLOVER_NS, RESOURCE_NS

__all__ = ["INFERENCE", "ValidationReport", "ValidationResult", "format_result", "store_graph", "validate_graph", "validate_store"]

#: Inference pyshacl may run on the data graph before validating ("none" is enough
#: for the kg shapes; "rdfs" or "owlrl" also check what the ontology entails).
INFERENCE = ("none", "rdfs", "owlrl", "both")

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
    """All results of a validation; ``conforms`` when none is a violation."""

    results: list[ValidationResult] = field(default_factory=list)
    triples: int = 0

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations


def store_graph(store: pyoxigraph.Store) -> Graph:
    """The union of all graphs of ``store`` as one rdflib ``Graph``."""
    triples = construct(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    with _quiet_literals():
        return Graph().parse(data=data, format="nt")


def validate_graph(data: Graph, *, inference: str = "none") -> list[ValidationResult]:
    """SHACL results for ``data`` against the kg shapes, with the kg ontology mixed in.

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
            shacl_graph=shapes_graph(),
            ont_graph=ontology_graph(),
            inference=inference,
            abort_on_first=False,
            allow_warnings=True,
            advanced=True,
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


def validate_store(store: pyoxigraph.Store, *, inference: str = "none") -> ValidationReport:
    """Validate the union of the graphs of ``store`` (see :func:`validate_graph`).

    Each result names the store's graphs that hold triples about its focus node.
    """
    data = store_graph(store)
    results = [
        ValidationResult(**{**r.__dict__, "graphs": _graphs_of(store, r.focus)}) for r in validate_graph(data, inference=inference)
    ]
    return ValidationReport(results, len(data))


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
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
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
    """A SHACL sequence path ``( p1 p2 )`` as ``p1/p2``."""
    from rdflib.collection import Collection

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
