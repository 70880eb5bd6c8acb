"""The compiled SHACL engine: a shapes graph compiled once, validating case after case.

:class:`CompiledShapes` compiles the shapes (:mod:`nelmkg.shacl.compile`, which lists the
supported SHACL Core subset and refuses anything else at start-up) and validates either a whole
graph (:meth:`CompiledShapes.validate`) or one node's facts, predicate -> objects
(:meth:`CompiledShapes.validate_node`: the flat patient node of a case, without building a
graph). Results are :class:`nelmkg.shacl.report.Result` records, as the pySHACL runner
(:mod:`nelmkg.shacl.pyshacl_engine`) gives them; the ``sh:ValidationReport`` graph is built on
demand, written
as pySHACL writes it. Nothing is shared between runs, so no lock is needed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from nelmkg.shacl.compile import (
    SUBCLASS_KEY,
    TYPE_KEY,
    Facts,
    UnsupportedShapes,
    Values,
    ValuesOf,
    compile_shapes,
)
from nelmkg.shacl.report import Result, report_graph

__all__ = ["CompiledOutcome", "CompiledShapes", "UnsupportedShapes", "graph_values"]
_NONE: Facts = {}


def _instance_of(node: Node, target: Node, values_of: ValuesOf) -> bool:
    """Return True when ``node`` has ``rdf:type/rdfs:subClassOf*`` ``target`` in the data."""
    seen: set[Node] = set()
    todo = list(values_of(node).get(TYPE_KEY, ()))
    while todo:
        cls = todo.pop()
        if cls == target:
            return True
        if cls not in seen:
            seen.add(cls)
            todo.extend(values_of(cls).get(SUBCLASS_KEY, ()))
    return False


def graph_values(graph: Graph) -> ValuesOf:
    """Return a function giving any node's facts in ``graph`` (read once per node)."""
    cache: dict[Node, Facts] = {}

    def values_of(node: Node) -> Facts:
        if node not in cache:
            facts: dict[str, list[Node]] = {}
            if not isinstance(node, Literal):
                for p, o in graph.predicate_objects(node):
                    facts.setdefault(str(p), []).append(o)
            cache[node] = {p: tuple(objects) for p, objects in facts.items()}
        return cache[node]

    return values_of


class CompiledOutcome:
    """The results of one compiled validation; the report graph is built on first access."""

    def __init__(self, results: list[Result], shapes: CompiledShapes, data: Callable[[], Graph]):
        self.results = results
        self._shapes = shapes
        self._data = data

    @property
    def conforms(self) -> bool:
        """True when there is no result of any severity (pySHACL's reading, warnings count)."""
        return not self.results

    @functools.cached_property
    def graph(self) -> Graph:
        """The ``sh:ValidationReport`` as an rdflib Graph, written as pySHACL writes it."""
        shapes = self._shapes
        return report_graph(self.results, shapes.messages, self._data, shapes.namespaces)


class CompiledShapes:
    """A shapes graph compiled once; validates graphs or one node's facts, thread-safely."""

    def __init__(self, shapes: Graph) -> None:
        self.targets, self.messages = compile_shapes(shapes)
        terms = {str(t) for triple in shapes for t in triple if isinstance(t, URIRef)}
        self.namespaces = [
            (prefix, ns)
            for prefix, ns in shapes.namespaces()
            if any(t.startswith(str(ns)) for t in terms)
        ]

    def _run(self, nodes, values_of: ValuesOf) -> list[Result]:
        out: list[Result] = []
        instances: dict[Node, list[Node]] = {}
        for cls, shape in self.targets:
            if cls not in instances:
                instances[cls] = [n for n in nodes if _instance_of(n, cls, values_of)]
            for node in instances[cls]:
                shape.run(node, values_of, out)
        return out

    def validate(self, data: Graph) -> CompiledOutcome:
        """Validate every node of ``data``."""
        values_of = graph_values(data)
        nodes = sorted(set(data.subjects(RDF.type, None)), key=str)
        return CompiledOutcome(self._run(nodes, values_of), self, lambda: data)

    def validate_node(
        self, node: Node, values: Values, data: Callable[[], Graph]
    ) -> CompiledOutcome:
        """Validate a graph that holds only ``node``'s facts (``values``; ``data`` builds it)."""
        facts = {str(p): objects for p, objects in values.items()}

        def values_of(other: Node) -> Facts:
            return facts if other is node or other == node else _NONE

        return CompiledOutcome(self._run((node,), values_of), self, data)
