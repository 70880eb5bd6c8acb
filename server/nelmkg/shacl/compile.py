"""The SHACL Core subset our shapes use, compiled once into Python checks.

:func:`compile_shapes` reads a shapes graph at start-up and turns every shape reachable from a
``sh:targetClass`` into a :class:`Shape` holding plain closures; :mod:`nelmkg.shacl.compiled` runs
them. The shapes stay the single source of truth: every threshold, value list, datatype,
severity and message is read from them here, none is written in Python.

Supported, with SHACL's semantics (https://www.w3.org/TR/shacl/):

* targets: ``sh:targetClass`` (instances through ``rdf:type/rdfs:subClassOf*`` in the data);
* shapes: node shapes; property shapes whose ``sh:path`` is one IRI; ``sh:property`` on node
  shapes; ``sh:not`` (any shape, blank or named); ``sh:severity``; ``sh:message``;
* constraints: ``sh:minCount``, ``sh:maxCount`` (property shapes), ``sh:datatype`` (the
  datatypes of :mod:`nelmkg.shacl.literals`), ``sh:in`` (RDF term equality), ``sh:minInclusive``,
  ``sh:maxInclusive``, ``sh:minExclusive``, ``sh:maxExclusive`` (numeric, see
  :mod:`nelmkg.shacl.literals`), ``sh:closed`` with ``sh:ignoredProperties`` (node shapes);
* annotations that do not validate: ``sh:name``, ``sh:description``, ``sh:order``,
  ``sh:group`` and any predicate outside the ``sh:`` namespace.

Anything else raises :class:`UnsupportedShapes` at construction, never a silent skip: any other
``sh:`` predicate or ``sh:`` class (other targets, paths, ``sh:or``, SHACL-SPARQL, ...), a shape
that is also a class (an implicit class target), a parameter given twice where SHACL wants one
or with a value of the wrong kind, a shape that can report but is a blank node or has no
``sh:message`` (its report could not be written as pySHACL writes it), and a cycle through
``sh:not``. ``tests/test_compiled_shacl.py`` refuses one example of each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from nelmkg.shacl.literals import KNOWN_DATATYPES, compare, numeric, well_formed
from nelmkg.shacl.report import Result

Values = Mapping[URIRef, tuple[Node, ...]]  # one node's facts: predicate -> objects
# Inside the evaluator facts are keyed by the predicate's plain string: str equality is
# native, rdflib's URIRef equality is Python code and dominated the profile.
Facts = Mapping[str, tuple[Node, ...]]
ValuesOf = Callable[[Node], Facts]
TYPE_KEY, SUBCLASS_KEY = str(RDF.type), str(RDFS.subClassOf)

NON_VALIDATING = frozenset({SH.name, SH.description, SH.order, SH.group, SH.message})
VALIDATING = frozenset(
    {SH.targetClass, SH.property, SH.path, SH.severity, SH["not"], SH["in"], SH.datatype}
    | {SH.minCount, SH.maxCount, SH.closed, SH.ignoredProperties}
    | {SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive}
)
SHAPE_CLASSES = frozenset({SH.NodeShape, SH.PropertyShape})
SEVERITIES = frozenset({SH.Violation, SH.Warning, SH.Info})
# A range constraint: its component and when compare(threshold, value) lets the value pass.
RANGES = {
    SH.minInclusive: (SH.MinInclusiveConstraintComponent, (-1, 0)),
    SH.minExclusive: (SH.MinExclusiveConstraintComponent, (-1,)),
    SH.maxInclusive: (SH.MaxInclusiveConstraintComponent, (0, 1)),
    SH.maxExclusive: (SH.MaxExclusiveConstraintComponent, (1,)),
}
CLOSED = SH.ClosedConstraintComponent


class UnsupportedShapes(ValueError):
    """The shapes graph uses SHACL that the compiled evaluator does not implement."""


def _name(term: Node) -> str:
    """Return ``sh:local`` for a SHACL term, else the term in N-Triples form."""
    text = str(term)
    return "sh:" + text[len(str(SH)) :] if text.startswith(str(SH)) else term.n3()


Check = Callable[[Node, ValuesOf], bool]  # (value node, data) -> True when it conforms


@dataclass(frozen=True)
class Constraint:
    """A value constraint as written: its component, parameter and argument.

    The argument is the parameter's value (a datatype IRI, a threshold literal), the members of
    an ``sh:in`` list as a frozenset, or the compiled :class:`Shape` of an ``sh:not``. Other
    evaluators (the columnar one, :mod:`nelmkg.eligibility.columnar.plan`) read these instead of the
    closures, so both see the same compiled shapes.
    """

    component: URIRef
    parameter: URIRef
    argument: object


@dataclass(frozen=True)
class Shape:
    """A compiled shape: value-node checks, count checks, closedness and property shapes."""

    node: Node
    path: URIRef | None
    key: str | None  # the path as a plain string (the key of the facts)
    severity: URIRef
    message: str
    checks: tuple[tuple[URIRef, Check], ...]
    counts: tuple[tuple[URIRef, Callable[[int], bool]], ...]
    allowed: frozenset[str] | None  # sh:closed: the properties a focus node may have
    properties: tuple[Shape, ...]
    constraints: tuple[Constraint, ...] = ()  # the value and count constraints, as written

    def run(self, focus: Node, values_of: ValuesOf, out: list[Result]) -> None:
        """Append the results of this shape on ``focus`` to ``out``."""
        facts = values_of(focus)
        values = facts.get(self.key, ()) if self.key is not None else (focus,)
        for component, check in self.checks:
            for value in values:
                if not check(value, values_of):
                    out.append(self._result(focus, component, value, self.path))
        for component, holds in self.counts:
            if not holds(len(values)):
                out.append(self._result(focus, component, None, self.path))
        if self.allowed is not None:
            for predicate, objects in facts.items():
                if predicate not in self.allowed:
                    for value in objects:
                        out.append(self._result(focus, CLOSED, value, URIRef(predicate)))
        for prop in self.properties:
            prop.run(focus, values_of, out)

    def conforms(self, focus: Node, values_of: ValuesOf) -> bool:
        """Return True when this shape reports nothing on ``focus`` (any severity)."""
        found: list[Result] = []
        self.run(focus, values_of, found)
        return not found

    def _result(self, focus, component, value, path) -> Result:
        return Result(self.node, component, self.severity, path, value, self.message, focus)


def _ranges(parameter: URIRef, threshold: Node, shape: Node) -> tuple[URIRef, Check]:
    component, passing = RANGES[parameter]
    limit = numeric(threshold)
    if limit is None:
        raise UnsupportedShapes(f"{shape}: {_name(parameter)} {threshold} is not a numeric literal")

    def check(value: Node, _values_of: ValuesOf) -> bool:
        number = numeric(value)
        return number is not None and compare(limit, number) in passing

    return component, check


class _Compiler:
    """Compiles the shapes of one shapes graph (each shape once; cycles refused)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.done: dict[Node, Shape] = {}
        self.open: set[Node] = set()
        self.messages: dict[Node, tuple[Literal, ...]] = {}
        self.reported: set[Node] = set()

    def one(self, shape: Node, parameter: URIRef) -> Node | None:
        found = list(self.graph.objects(shape, parameter))
        if len(found) > 1:
            raise UnsupportedShapes(
                f"{shape}: {len(found)} values of {_name(parameter)}, SHACL wants one"
            )
        return found[0] if found else None

    def items(self, shape: Node, parameter: URIRef) -> list[Node]:
        head = self.one(shape, parameter)
        if head is None or (head != RDF.nil and (head, RDF.first, None) not in self.graph):
            raise UnsupportedShapes(f"{shape}: {_name(parameter)} is not an RDF list")
        return list(Collection(self.graph, head))

    def shape(self, node: Node, reports: bool) -> Shape:
        """Compile ``node``; ``reports``: its results go into the report (not only sh:not)."""
        if node not in self.done:
            if node in self.open:
                raise UnsupportedShapes(f"{node}: shapes refer to themselves (recursion)")
            self.open.add(node)
            self.done[node] = self._compile(node)
            self.open.discard(node)
        compiled = self.done[node]
        if reports:
            self._reporting(compiled)
        return compiled

    def _reporting(self, shape: Shape) -> None:
        """Record the messages of a shape whose results are reported, and of its properties.

        A shape reached only through ``sh:not`` is merely tested for conformance; one reached
        from a target reports, and needs an IRI and a message to be written in the report.
        """
        if shape.node in self.reported:
            return
        self.reported.add(shape.node)
        if shape.checks or shape.counts or shape.allowed is not None:
            messages = tuple(sorted(self.graph.objects(shape.node, SH.message), key=str))
            if isinstance(shape.node, BNode) or not messages:
                raise UnsupportedShapes(
                    f"{shape.node}: a shape that reports needs an IRI and sh:message"
                )
            self.messages[shape.node] = messages
        for prop in shape.properties:
            self._reporting(prop)

    def _compile(self, node: Node) -> Shape:
        g = self.graph
        path = self.one(node, SH.path)
        if path is not None and not isinstance(path, URIRef):
            raise UnsupportedShapes(f"{node}: only a single IRI is supported as sh:path")
        severity = self.one(node, SH.severity) or SH.Violation
        if severity not in SEVERITIES:
            raise UnsupportedShapes(f"{node}: unknown severity {severity}")
        checks: list[tuple[URIRef, Check]] = []
        written: list[Constraint] = []
        datatype = self.one(node, SH.datatype)
        if datatype is not None:
            written.append(Constraint(SH.DatatypeConstraintComponent, SH.datatype, datatype))
            if datatype not in KNOWN_DATATYPES:
                raise UnsupportedShapes(f"{node}: sh:datatype {datatype} is not supported")
            checks.append(
                (SH.DatatypeConstraintComponent, lambda v, _d, dt=datatype: well_formed(v, dt))
            )
        if self.one(node, SH["in"]) is not None:
            members = frozenset(self.items(node, SH["in"]))
            written.append(Constraint(SH.InConstraintComponent, SH["in"], members))
            checks.append((SH.InConstraintComponent, lambda v, _d, m=members: v in m))
        for parameter in RANGES:
            for threshold in g.objects(node, parameter):
                checks.append(_ranges(parameter, threshold, node))
                written.append(Constraint(RANGES[parameter][0], parameter, threshold))
        for inner in g.objects(node, SH["not"]):
            if (inner, None, None) not in g:
                raise UnsupportedShapes(f"{node}: sh:not {inner} is not a shape in the graph")
            negated = self.shape(inner, reports=False)
            written.append(Constraint(SH.NotConstraintComponent, SH["not"], negated))
            checks.append((SH.NotConstraintComponent, lambda v, d, s=negated: not s.conforms(v, d)))
        counts = self._counts(node, path)
        for parameter, component in (
            (SH.minCount, SH.MinCountConstraintComponent),
            (SH.maxCount, SH.MaxCountConstraintComponent),
        ):
            limit = self.one(node, parameter)
            if limit is not None:
                written.append(Constraint(component, parameter, int(limit.toPython())))
        properties = tuple(self.shape(p, reports=False) for p in g.objects(node, SH.property))
        if any(p.path is None for p in properties):
            raise UnsupportedShapes(f"{node}: a value of sh:property has no sh:path")
        if properties and path is not None:
            raise UnsupportedShapes(f"{node}: sh:property on a property shape is not supported")
        allowed = None
        closed = self.one(node, SH.closed)
        if closed is not None and closed not in (Literal(True), Literal(False)):
            raise UnsupportedShapes(f"{node}: sh:closed needs true or false")
        if closed is not None and closed.toPython() is True:
            if path is not None:
                raise UnsupportedShapes(f"{node}: sh:closed on a property shape is not supported")
            ignored = (
                self.items(node, SH.ignoredProperties)
                if (node, SH.ignoredProperties, None) in g
                else []
            )
            allowed = frozenset(str(p) for p in [q.path for q in properties] + ignored)
        message = min((str(m) for m in g.objects(node, SH.message)), default="")
        key = None if path is None else str(path)
        return Shape(
            node,
            path,
            key,
            severity,
            message,
            tuple(checks),
            counts,
            allowed,
            properties,
            tuple(written),
        )

    def _counts(self, node: Node, path: URIRef | None) -> tuple:
        counts = []
        for parameter, component, at_least in (
            (SH.minCount, SH.MinCountConstraintComponent, True),
            (SH.maxCount, SH.MaxCountConstraintComponent, False),
        ):
            limit = self.one(node, parameter)
            if limit is None:
                continue
            number = limit.toPython() if isinstance(limit, Literal) else None
            if path is None or isinstance(number, bool) or not isinstance(number, int):
                raise UnsupportedShapes(
                    f"{node}: {_name(parameter)} needs a property shape and integer"
                )
            counts.append((component, _count_check(number, at_least)))
        return tuple(counts)


def _count_check(limit: int, at_least: bool) -> Callable[[int], bool]:
    if at_least:
        return lambda n: n >= limit
    return lambda n: n <= limit


def _refuse_unsupported(graph: Graph) -> None:
    """Raise :class:`UnsupportedShapes` naming every ``sh:`` term outside the supported subset."""
    sh = str(SH)
    found: set[str] = set()
    for _s, p, o in graph:
        if str(p).startswith(sh) and p not in VALIDATING | NON_VALIDATING:
            found.add(_name(p))
        if p == RDF.type and str(o).startswith(sh) and o not in SHAPE_CLASSES:
            found.add(f"rdf:type {_name(o)}")
    if found:
        raise UnsupportedShapes(
            f"not supported by the compiled evaluator: {', '.join(sorted(found))}"
        )
    shapes = {s for s, p in graph.subject_predicates() if str(p).startswith(sh)}
    shapes |= {s for c in SHAPE_CLASSES for s in graph.subjects(RDF.type, c)}
    for shape in sorted(shapes, key=str):
        if any((shape, RDF.type, c) in graph for c in (RDFS.Class, OWL.Class)):
            raise UnsupportedShapes(f"{shape}: a shape that is a class (implicit target)")


def compile_shapes(graph: Graph) -> tuple[tuple[tuple[Node, Shape], ...], dict]:
    """Return ``((target class, shape), ...)`` and each reporting shape's messages.

    Raises :class:`UnsupportedShapes` for anything outside the supported subset.
    """
    _refuse_unsupported(graph)
    compiler = _Compiler(graph)
    targets = tuple(
        (cls, compiler.shape(node, reports=True))
        for node, cls in sorted(graph.subject_objects(SH.targetClass))
    )
    return targets, compiler.messages
