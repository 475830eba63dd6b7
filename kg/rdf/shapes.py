"""The SHACL shapes compiled into SPARQL: checks that Oxigraph runs on the store itself.

The shapes (``ontology/shapes.ttl``) stay the one statement of what a store must hold;
:func:`compile_shapes` turns each node shape into a few SELECT queries over the union of the
store's graphs, so that no triple has to be loaded into Python:

- one row per focus node that breaks a constraint on the focus itself or on its number of
  values (``sh:minCount``, ``sh:maxCount``, ``sh:hasValue``, qualified counts), all the
  shape's single-property paths counted in one pass over the focus node's triples;
- one row per value that breaks a constraint on values (``sh:class``, ``sh:datatype``,
  ``sh:pattern``, ``sh:in``, ``sh:or``, ``sh:node``, ``sh:lessThan``, ...), all the
  shape's single-property paths again in one pass;
- the same two for each property shape whose path is not a single property (an inverse or a
  sequence path), and one query per ``sh:equals`` and per ``sh:sparql`` constraint.

A row's boolean columns say which constraints it breaks; each :class:`Outcome` of a
:class:`Check` turns a true column into one SHACL result. Only the SHACL features the kg
shapes use are compiled: any other raises ``E180`` when the shapes are compiled, so that no
constraint is ever left unchecked without a word.

>>> from rdflib import Graph
>>> shapes = Graph().parse(format="turtle", data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
... <urn:S> sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ; sh:minCount 1 ; sh:pattern "^a" ] .''')
>>> [(c.shape, [o.constraint for o in c.outcomes]) for c in compile_shapes(shapes, lambda c: (c,))]
[('urn:S', ['MinCountConstraintComponent']), ('urn:S', ['PatternConstraintComponent'])]
>>> compile_shapes(Graph().parse(format="turtle", data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
... <urn:S> sh:targetClass <urn:C> ; sh:closed true .'''), lambda c: (c,))
Traceback (most recent call last):
...
kg.errors.KGError: [E180] the SHACL shapes: urn:S uses sh:closed, which kg's SPARQL validation does not compile. Remove it, or compile it in kg/rdf/shapes.py (kg validate --engine pyshacl checks it meanwhile).
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.errors import Errors, KGError

__all__ = ["Check", "Outcome", "compile_shapes"]


@dataclass(frozen=True)
class Outcome:
    """One SHACL result a row of a :class:`Check` may stand for.

    ``flag`` is the row's boolean variable saying whether it does (``None``: every row
    does); ``value`` the row's variable holding the result's ``sh:value`` (``None``: the
    result has none); ``path`` the result path as SPARQL (``<iri>``, ``^<iri>``,
    ``<a>/<b>``), or ``None`` for a constraint on the focus node itself, or ``"?path"``
    for the row's ``?path``. In ``message``, ``{$this}``, ``{?value}`` and ``{?path}``
    stand for the row's values when ``substitute`` (as pyshacl does for SPARQL-based
    constraints; kg's own default messages use them too). ``recheck``, when the flag only
    says the result may hold, is a SELECT that has two rows when it does, with ``?this``
    bound to the row's focus node.
    """

    flag: str | None
    constraint: str
    severity: str
    path: str | None
    message: str
    value: str | None = None
    substitute: bool = False
    recheck: str | None = None


@dataclass(frozen=True)
class Check:
    """A SPARQL SELECT over the union of the store's graphs (``?this`` the focus node) and
    the results its rows stand for."""

    shape: str
    query: str
    outcomes: tuple[Outcome, ...]


#: What a shape may say besides its constraints (documentation, and what results say).
_ANNOTATIONS = frozenset({RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.message, SH.severity})
#: Constraints on each value node (on the focus node itself, in a node shape).
_VALUE = frozenset({SH["class"], SH.datatype, SH.nodeKind, SH.minLength, SH.pattern, SH["in"], SH.minInclusive, SH.maxInclusive, SH["or"], SH.node})
_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
_NODE = _ANNOTATIONS | _VALUE | set(_TARGETS) | {SH.property, SH.sparql}
_PROPERTY = _ANNOTATIONS | _VALUE | {
    SH.path, SH.minCount, SH.maxCount, SH.hasValue, SH.lessThan, SH.equals,
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
}  # fmt: skip
_SHAPE_TYPES = frozenset({SH.NodeShape, SH.PropertyShape})
_SELECT = re.compile(r"\s*SELECT\s[^{]*\bWHERE\s*\{(.*)\}\s*", re.DOTALL | re.IGNORECASE)
#: Datatypes whose lexical forms Oxigraph can check (by casting), as pyshacl checks them (rdflib's ill-typed literals).
_CASTABLE = frozenset(XSD[t] for t in ("integer", "decimal", "double", "float", "boolean", "dateTime", "date"))
_NODE_KINDS: dict[Node, str] = {
    SH.IRI: "!isIRI({v})",
    SH.BlankNode: "!isBlank({v})",
    SH.Literal: "!isLiteral({v})",
    SH.BlankNodeOrIRI: "isLiteral({v})",
    SH.BlankNodeOrLiteral: "isIRI({v})",
    SH.IRIOrLiteral: "isBlank({v})",
}


def compile_shapes(shapes: Graph, classes: Callable[[str], Iterable[str]], source: str = "the SHACL shapes") -> list[Check]:
    """The checks of every node shape of ``shapes`` that has a target, in the order of the
    shapes' IRIs; ``classes(c)`` gives the class ``c`` and its subclasses (the instances of
    any of them are instances of ``c``: ``sh:class``, ``sh:targetClass``). Shapes without a
    target are compiled where sh:node, sh:or or sh:qualifiedValueShape name them.

    Raises KGError (E180, naming ``source``) for a SHACL feature it does not compile.
    """
    compiler = _Compiler(shapes, classes, source)
    found = {s for predicate in (*_TARGETS, SH.targetNode) for s in shapes.subjects(predicate, None)}
    found |= {s for s in shapes.subjects(RDF.type, RDFS.Class) if (s, RDF.type, SH.NodeShape) in shapes}
    return [check for shape in sorted(found, key=str) for check in compiler.node_shape(shape)]


class _Compiler:
    def __init__(self, shapes: Graph, classes: Callable[[str], Iterable[str]], source: str) -> None:
        self.graph = shapes
        self.classes = classes
        self.source = source
        self.counter = itertools.count()

    def shown(self, node: Node) -> str:
        """``node`` of the shapes as a default message shows it (a prefixed name where the shapes have one, as pyshacl)."""
        return node.n3(self.graph.namespace_manager) if isinstance(node, URIRef) else str(node)

    def fresh(self, stem: str) -> str:
        return f"?{stem}{next(self.counter)}"

    def unsupported(self, shape: Node, feature: str) -> KGError:
        return KGError(Errors.E180.format(source=self.source, shape=_name(shape), feature=feature))

    def allowed(self, shape: Node, allowed: frozenset[URIRef] | set[URIRef], types: frozenset[URIRef] = _SHAPE_TYPES) -> None:
        """Raise E180 if ``shape`` says anything but ``allowed`` predicates, or has a type not in ``types``."""
        for predicate, value in self.graph.predicate_objects(shape):
            if predicate not in allowed:
                raise self.unsupported(shape, _short(predicate))
            if predicate == RDF.type and value not in types:
                raise self.unsupported(shape, f"rdf:type {_short(value)}")

    def one(self, shape: Node, predicate: URIRef) -> Node | None:
        values = list(self.graph.objects(shape, predicate))
        if len(values) > 1:
            raise self.unsupported(shape, f"{_short(predicate)} given {len(values)} times")
        return values[0] if values else None

    def items(self, shape: Node, predicate: URIRef) -> list[Node]:
        node = self.one(shape, predicate)
        return list(Collection(self.graph, node)) if node is not None else []

    def integer(self, shape: Node, value: Node) -> int:
        if not isinstance(value, Literal) or not isinstance(value.toPython(), int):
            raise self.unsupported(shape, f"{value.n3()} where an integer is due")
        return int(value.toPython())

    def count(self, shape: Node, predicate: URIRef) -> int | None:
        value = self.one(shape, predicate)
        return None if value is None else self.integer(shape, value)

    def term(self, shape: Node, node: Node) -> str:
        """``node``, a value given in ``shape``, as a SPARQL term."""
        if isinstance(node, BNode):
            raise self.unsupported(shape, "a blank node as a value")
        return node.n3()

    def severity(self, shape: Node) -> str:
        value = self.one(shape, SH.severity)
        return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"

    def message(self, shape: Node) -> str | None:
        messages = sorted(str(m) for m in self.graph.objects(shape, SH.message))
        return " ".join(messages) or None

    def path(self, shape: Node) -> str:
        """The SPARQL property path of the property shape ``shape``: a property, an inverse one, a sequence of properties."""
        node = self.one(shape, SH.path)
        if isinstance(node, URIRef):
            return f"<{node}>"
        if isinstance(node, BNode):
            inverse = self.graph.value(node, SH.inversePath)
            if isinstance(inverse, URIRef) and set(self.graph.predicates(node)) == {SH.inversePath}:
                return f"^<{inverse}>"
            if (node, RDF.first, None) in self.graph:
                steps = list(Collection(self.graph, node))
                if all(isinstance(step, URIRef) for step in steps) and len(steps) > 1:
                    return "/".join(f"<{step}>" for step in steps)
        raise self.unsupported(shape, "a sh:path other than a property, an inverse property or a sequence of properties")

    def instance_of(self, shape: Node, cls: Node, node: str) -> str:
        """SPARQL: ``node`` is an instance of ``cls`` (the sh:class of ``shape``) or of one of its subclasses."""
        if not isinstance(cls, URIRef):
            raise self.unsupported(shape, "a sh:class that is not an IRI")
        # one lookup of a whole triple per class: a node typed in every article's graph (the kg
        # release, a place) has as many rdf:type triples, which a variable class would go through
        tests = [f"EXISTS {{ {node} a <{c}> }}" for c in sorted(self.classes(str(cls)))]
        return "(" + " || ".join(tests) + ")"

    def target(self, shape: Node) -> str:
        """A group pattern binding ``?this`` to the focus nodes of ``shape``, each once."""
        parts = []
        for cls in sorted(self.graph.objects(shape, SH.targetClass), key=str):
            kind = self.fresh("class")
            values = " ".join(f"<{c}>" for c in sorted(self.classes(str(cls))))
            parts.append(f"{{ ?this a {kind} VALUES {kind} {{ {values} }} }}")
        for predicate, pattern in ((SH.targetSubjectsOf, "?this {p} {o}"), (SH.targetObjectsOf, "{o} {p} ?this")):
            properties = sorted(self.graph.objects(shape, predicate), key=str)
            if properties:
                p, o = self.fresh("target"), self.fresh("other")
                values = " ".join(f"<{x}>" for x in properties)
                parts.append(f"{{ VALUES {p} {{ {values} }} {pattern.format(p=p, o=o)} }}")
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    def value_constraints(self, shape: Node, v: str) -> list[tuple[str, str, str]]:
        """(constraint component, SPARQL that is true when the node ``v`` breaks it, default
        message) for each constraint of ``shape`` on a value node. The expressions raise no
        SPARQL error (where one could, it counts as broken)."""
        found = []
        g = self.graph
        for cls in g.objects(shape, SH["class"]):
            found.append(("ClassConstraintComponent", f"!{self.instance_of(shape, cls, v)}", f"Value does not have class {self.shown(cls)}"))
        for datatype in g.objects(shape, SH.datatype):
            test = f"isLiteral({v}) && sameTerm(datatype({v}), <{datatype}>)"
            if datatype in _CASTABLE:  # ill-typed literals (2024-13-45) keep their datatype in Oxigraph
                test += f" && isLiteral(<{datatype}>(STR({v})))"
            found.append(("DatatypeConstraintComponent", f"!COALESCE({test}, false)", f"Value is not Literal with datatype {self.shown(datatype)}"))
        for kind in g.objects(shape, SH.nodeKind):
            if kind not in _NODE_KINDS:
                raise self.unsupported(shape, f"sh:nodeKind {kind.n3()}")
            found.append(("NodeKindConstraintComponent", _NODE_KINDS[kind].format(v=v), f"Value is not of Node Kind {self.shown(kind)}"))
        for length in g.objects(shape, SH.minLength):
            found.append(("MinLengthConstraintComponent", f"COALESCE(isBlank({v}) || STRLEN(STR({v})) < {self.integer(shape, length)}, true)", f"String length not >= {length}"))
        for pattern in g.objects(shape, SH.pattern):
            found.append(("PatternConstraintComponent", f"COALESCE(isBlank({v}) || !REGEX(STR({v}), {_string(pattern)}), true)", f"Value does not match pattern '{pattern}'"))
        if (shape, SH["in"], None) in g:
            members = self.items(shape, SH["in"])
            test = " || ".join(f"sameTerm({v}, {self.term(shape, m)})" for m in members) or "false"
            listed = ", ".join(self.term(shape, m) for m in members)
            found.append(("InConstraintComponent", f"!({test})", f"Value {{?value}} not in list [{listed}]"))
        for bound, test, word in ((SH.minInclusive, ">=", "MinInclusive"), (SH.maxInclusive, "<=", "MaxInclusive")):
            for limit in g.objects(shape, bound):
                found.append((f"{word}ConstraintComponent", f"COALESCE(!({v} {test} {self.term(shape, limit)}), true)", f"Value is not {test} {limit}"))
        if (shape, SH["or"], None) in g:
            members = self.items(shape, SH["or"])
            test = " || ".join(f"({self.conforms(m, v)})" for m in members) or "false"
            found.append(("OrConstraintComponent", f"!({test})", "Node {?value} must conform to one or more shapes in " + ", ".join(_name(m) for m in members)))
        for other in g.objects(shape, SH.node):
            found.append(("NodeConstraintComponent", f"!({self.conforms(other, v)})", f"Value does not conform to Shape {_name(other)}."))
        return found

    def conforms(self, shape: Node, v: str) -> str:
        """SPARQL that is true when the node ``v`` conforms to ``shape`` (a member of sh:or, the
        shape of sh:node or sh:qualifiedValueShape): its value constraints, and those of its
        property shapes that can be told from ``v`` alone (counts of 0 or 1, sh:hasValue,
        constraints on values)."""
        if (shape, SH.path, None) in self.graph:
            return self.conforms_property(shape, v)
        self.allowed(shape, _ANNOTATIONS | _VALUE | {SH.property})
        tests = [f"!({broken})" for _, broken, _ in self.value_constraints(shape, v)]
        tests += [f"({self.conforms_property(p, v)})" for p in self.graph.objects(shape, SH.property)]
        return " && ".join(tests) or "true"

    def conforms_property(self, shape: Node, v: str) -> str:
        self.allowed(shape, _ANNOTATIONS | _VALUE | {SH.path, SH.minCount, SH.maxCount, SH.hasValue})
        path, tests = self.path(shape), []
        least, most = self.count(shape, SH.minCount), self.count(shape, SH.maxCount)
        if least is not None and least > 1 or most is not None and most > 1:
            raise self.unsupported(shape, "sh:minCount or sh:maxCount above 1 inside sh:or, sh:node or sh:qualifiedValueShape")
        y, z = self.fresh("value"), self.fresh("value")
        if least == 1:
            tests.append(f"EXISTS {{ {v} {path} {y} }}")
        if most == 0:
            tests.append(f"NOT EXISTS {{ {v} {path} {y} }}")
        elif most == 1:
            tests.append(f"NOT EXISTS {{ {v} {path} {y}, {z} FILTER(!sameTerm({y}, {z})) }}")
        for value in self.graph.objects(shape, SH.hasValue):
            tests.append(f"EXISTS {{ {v} {path} {self.term(shape, value)} }}")
        for _, broken, _ in self.value_constraints(shape, y):
            tests.append(f"NOT EXISTS {{ {v} {path} {y} FILTER({broken}) }}")
        return " && ".join(tests) or "true"

    def node_shape(self, shape: Node) -> list[Check]:
        self.allowed(shape, _NODE)
        name, target = _name(shape), self.target(shape)
        severity, message = self.severity(shape), self.message(shape)
        single = _Group(target, "?this ?p ?value", "?p")
        for constraint, broken, default in self.value_constraints(shape, "?this"):
            single.focus_flags.append((broken, Outcome("", constraint, severity, None, message or default, "this", message is None)))
        checks: list[Check] = []
        for prop in sorted(self.graph.objects(shape, SH.property), key=self._sort_key):
            self.allowed(prop, _PROPERTY)
            path = self.path(prop)
            if isinstance(self.one(prop, SH.path), URIRef):
                self.property_shape(prop, path, single, f"sameTerm(?p, {path})")
            else:
                group = _Group(target, f"?this {path} ?value", None)
                self.property_shape(prop, path, group, None)
                checks.extend(group.checks(name, self.fresh))
            for other in self.graph.objects(prop, SH.equals):
                checks.append(self.equals(name, target, prop, path, other))
        for sparql in self.graph.objects(shape, SH.sparql):
            checks.append(self.sparql(shape, target, sparql, severity, message))
        return single.checks(name, self.fresh) + checks

    def _sort_key(self, prop: Node) -> str:
        return self.path(prop) + " " + " ".join(sorted(f"{p} {o}" for p, o in self.graph.predicate_objects(prop) if not isinstance(o, BNode)))

    def property_shape(self, prop: Node, path: str, group: _Group, guard: str | None) -> None:
        """Add the constraints of the property shape ``prop`` (path ``path``) to ``group``,
        whose rows hold its values where ``guard`` is true (every row: ``None``)."""
        severity, message = self.severity(prop), self.message(prop)

        def outcome(constraint: str, default: str, value: str | None = None) -> Outcome:
            return Outcome("", constraint, severity, path, message or default, value, message is None)

        def guarded(expression: str, otherwise: str) -> str:
            return expression if guard is None else f"IF({guard}, {expression}, {otherwise})"

        where = f"<{{$this}}>->" + (self.shown(URIRef(path[1:-1])) if guard is not None else path)
        least, most = self.count(prop, SH.minCount), self.count(prop, SH.maxCount)
        if least is not None or most is not None:
            counted, too_many, recheck = self.counted(group, path, guarded("?value", "?nothing"), least, most, "true")
            if least is not None and least > 0:
                group.focus_flags.append((f"{counted} < {least}", outcome("MinCountConstraintComponent", f"Less than {least} values on {where}")))
            if most is not None:
                default = f"More than {most} values on {where}"
                group.focus_flags.append((too_many, replace(outcome("MaxCountConstraintComponent", default), recheck=recheck)))
        for value in self.graph.objects(prop, SH.hasValue):
            counted = group.term(guarded(f"IF(sameTerm(?value, {self.term(prop, value)}), ?value, ?nothing)", "?nothing"))
            default = f"Node {where} does not contain a value in the set: [{self.term(prop, value)}]"
            group.focus_flags.append((f"{counted} = 0", outcome("HasValueConstraintComponent", default)))
        qualified = self.one(prop, SH.qualifiedValueShape)
        if qualified is not None:
            least, most = self.count(prop, SH.qualifiedMinCount), self.count(prop, SH.qualifiedMaxCount)
            conforms = self.conforms(qualified, "?value")
            counted, too_many, recheck = self.counted(group, path, guarded(f"IF({conforms}, ?value, ?nothing)", "?nothing"), least, most, conforms)
            if least is not None:
                default = f"Focus node does not conform to shape MinCount {least}: {_name(qualified)}"
                group.focus_flags.append((f"{counted} < {least}", outcome("QualifiedMinCountConstraintComponent", default)))
            if most is not None:
                default = f"Focus node does not conform to shape MaxCount {most}: {_name(qualified)}"
                group.focus_flags.append((too_many, replace(outcome("QualifiedMaxCountConstraintComponent", default), recheck=recheck)))
        elif (prop, SH.qualifiedMinCount, None) in self.graph or (prop, SH.qualifiedMaxCount, None) in self.graph:
            raise self.unsupported(prop, "sh:qualifiedMinCount or sh:qualifiedMaxCount without sh:qualifiedValueShape")
        for constraint, broken, default in self.value_constraints(prop, "?value"):
            group.value_flags.append((guard, broken, outcome(constraint, default, "value")))
        for other in self.graph.objects(prop, SH.lessThan):
            if not isinstance(other, URIRef):
                raise self.unsupported(prop, "a sh:lessThan that is not a property")
            w = self.fresh("other")
            broken = f"EXISTS {{ ?this <{other}> {w} FILTER(!COALESCE(?value < {w}, false)) }}"
            group.value_flags.append((guard, broken, outcome("LessThanConstraintComponent", f"Value of <{{$this}}>->{self.shown(other)} <= {{?value}}", "value")))

    def counted(self, group: _Group, path: str, expression: str, least: int | None, most: int | None, test: str) -> tuple[str, str, str | None]:
        """A count of the values ``expression`` binds per focus node (the values of ``path`` that
        pass ``test``, SPARQL on ``?value``), a test that there are more than ``most``, and the
        query that makes sure of it, if one is due (:attr:`Outcome.recheck`).

        The union of the graphs repeats a triple held by several of them (a place's country in
        each article that names it, the kg release in each extraction's): a plain count is
        exact for "none" and "at least one", and takes no memory per focus node as a count of
        distinct values does; where it says "more than one", the focus node's distinct values
        are read again. Other bounds count distinct values.
        """
        distinct = (least or 0) > 1 or (most or 0) > 1
        counted = group.term(expression, distinct)
        if most is None or distinct or most == 0:
            return counted, f"{counted} > {most}", None
        return counted, f"{counted} > 1", f"SELECT DISTINCT ?this ?value WHERE {{ ?this {path} ?value FILTER({test}) }} LIMIT 2"

    def equals(self, name: str, target: str, prop: Node, path: str, other: Node) -> Check:
        """The values of ``path`` and of the property ``other`` are the same set: each value
        of either that the other lacks is a result."""
        if not isinstance(other, URIRef):
            raise self.unsupported(prop, "a sh:equals that is not a property")
        severity, message = self.severity(prop), self.message(prop)
        query = (
            f"SELECT DISTINCT ?this ?value WHERE {{ {target} "
            f"{{ ?this {path} ?value FILTER NOT EXISTS {{ ?this <{other}> ?value }} }} "
            f"UNION {{ ?this <{other}> ?value FILTER NOT EXISTS {{ ?this {path} ?value }} }} }}"
        )
        default = f"Value of <{{$this}}>->{self.shown(other)} != {{?value}}"
        return Check(name, query, (Outcome(None, "EqualsConstraintComponent", severity, path, message or default, "value", message is None),))

    def sparql(self, shape: Node, target: str, constraint: Node, severity: str, message: str | None) -> Check:
        """A SPARQL-based constraint: its SELECT joined with the focus nodes (``$this`` is ``?this``)."""
        self.allowed(constraint, frozenset({RDF.type, SH.select, SH.message}), frozenset({SH.SPARQLConstraint}))
        select = self.one(constraint, SH.select)
        if select is None or "$this" not in str(select):
            raise self.unsupported(constraint, "a sh:sparql constraint without a sh:select on $this")
        for variable in ("$PATH", "$currentShape", "$shapesGraph"):
            if variable in str(select):
                raise self.unsupported(constraint, f"{variable} in a sh:select")
        own = self.message(constraint) or message or "SPARQL constraint not met"
        # the focus nodes go into the query's own pattern, where they bind $this as pyshacl pre-binds it
        # (joined with it as a subquery, Oxigraph would first solve the query for every node)
        parts = _SELECT.fullmatch(str(select))
        if parts is None:
            raise self.unsupported(constraint, "a sh:select other than SELECT ... WHERE { ... } (no modifiers after the pattern)")
        query = f"SELECT DISTINCT ?this ?path ?value WHERE {{ {target} {parts.group(1)} }}"
        return Check(_name(shape), query, (Outcome(None, "SPARQLConstraintComponent", severity, "?path", own, "value", True),))


class _Group:
    """The constraints read from one pattern of a node shape's focus nodes and their values
    (``?this ?p ?value``: every single-property path at once, told apart by ``?p``; or one
    other path), compiled into a query on the focus nodes and one on the values."""

    def __init__(self, target: str, pattern: str, property_variable: str | None) -> None:
        self.target, self.pattern, self.property_variable = target, pattern, property_variable
        self.terms: list[tuple[str, bool]] = []  # BIND expressions counted per focus node, distinct values or not
        self.focus_flags: list[tuple[str, Outcome]] = []  # on the focus node and its counts
        self.value_flags: list[tuple[str | None, str, Outcome]] = []  # (guard, broken, outcome) on each value

    def term(self, expression: str, distinct: bool = False) -> str:
        """A count, per focus node, of the bound values of ``expression`` (``distinct`` ones): its variable."""
        self.terms.append((expression, distinct))
        return f"?n{len(self.terms) - 1}"

    def checks(self, name: str, fresh: Callable[[str], str]) -> list[Check]:
        checks = []
        if self.focus_flags:
            flags = [(fresh("f"), broken, outcome) for broken, outcome in self.focus_flags]
            if self.terms:
                binds = " ".join(f"BIND({e} AS ?c{i})" for i, (e, _) in enumerate(self.terms))
                counts = " ".join(f"(COUNT({'DISTINCT ' if d else ''}?c{i}) AS ?n{i})" for i, (_, d) in enumerate(self.terms))
                inner = f"{{ SELECT ?this {counts} WHERE {{ {self.target} OPTIONAL {{ {self.pattern} }} {binds} }} GROUP BY ?this }}"
            else:
                inner = self.target
            checks.append(_flagged(name, "?this", inner, flags))
        if self.value_flags:
            flags = [(fresh("f"), _guard(guard, broken), outcome) for guard, broken, outcome in self.value_flags]
            # the rows that break anything first (each guard's tests only on its property's rows), then which
            columns = "?this ?value" if self.property_variable is None else f"?this {self.property_variable} ?value"
            inner = f"{{ SELECT DISTINCT {columns} WHERE {{ {self.target} {self.pattern} FILTER({self._any()}) }} }}"
            checks.append(_flagged(name, "?this ?value", inner, flags))
        return checks

    def _any(self) -> str:
        """True when a row breaks any value constraint: one IF per property, so that a row is
        only tested against the constraints of its own property."""
        by_guard: dict[str | None, list[str]] = {}
        for guard, broken, _ in self.value_flags:
            by_guard.setdefault(guard, []).append(f"({broken})")
        expression = "false"
        for guard, tests in reversed(list(by_guard.items())):
            joined = " || ".join(tests)
            expression = joined if guard is None else f"IF({guard}, {joined}, {expression})"
        return expression


def _guard(guard: str | None, broken: str) -> str:
    return broken if guard is None else f"IF({guard}, {broken}, false)"


def _flagged(name: str, columns: str, inner: str, flags: list[tuple[str, str, Outcome]]) -> Check:
    """The rows of ``inner`` that break a constraint, a boolean column per (variable, test, outcome) of ``flags``."""
    binds = " ".join(f"BIND({broken} AS {variable})" for variable, broken, _ in flags)
    where = " || ".join(variable for variable, _, _ in flags)
    query = f"SELECT {columns} {' '.join(v for v, _, _ in flags)} WHERE {{ {inner} {binds} FILTER({where}) }}"
    return Check(name, query, tuple(replace(outcome, flag=variable[1:]) for variable, _, outcome in flags))


def _string(text: Node) -> str:
    return Literal(str(text)).n3()


def _short(iri: Node) -> str:
    for prefix, namespace in (("sh:", str(SH)), ("rdf:", str(RDF)), ("rdfs:", str(RDFS)), ("xsd:", str(XSD))):
        if str(iri).startswith(namespace):
            return prefix + str(iri)[len(namespace) :]
    return str(iri) if not isinstance(iri, BNode) else "a blank node"


def _name(shape: Node) -> str:
    return str(shape) if isinstance(shape, URIRef) else "a shape without IRI"
