"""SHACL validation results, and the ``sh:ValidationReport`` graph built from them.

Both engines (:mod:`nelmkg.shacl.pyshacl_engine`, pySHACL; :mod:`nelmkg.shacl.compiled`, the
compiled Core
subset) give their results as :class:`Result` records. :func:`report_graph` writes the report
graph of the compiled engine the way pySHACL writes its own: one blank ``sh:ValidationResult``
per result with focus node, source shape, constraint component, severity, path, value and
every ``sh:message`` of the source shape; a blank focus or value node is copied into the report
with its description (keeping its id), as pySHACL does. ``tests/test_compiled_shacl.py`` checks
that the two report graphs are isomorphic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node


@dataclass(frozen=True)
class Result:
    """One validation result: which shape and constraint fired, on which path and value."""

    shape: Node
    component: URIRef
    severity: URIRef
    path: Node | None
    value: Node | None
    message: str
    focus: Node | None = None


def _copy(data: Graph, node: Node, report: Graph, keep_id: bool, depth: int = 0) -> Node:
    """Return ``node`` for the report; a blank node is copied with its description."""
    if not isinstance(node, BNode):
        return node
    copy = BNode(str(node)) if keep_id else BNode()
    if depth < 10:  # pySHACL stops at the same depth
        for p, o in data.predicate_objects(node):
            if isinstance(o, Literal):  # pySHACL re-makes nested literals from their text
                o = Literal(str(o), o.language, o.datatype)
            report.add((copy, p, _copy(data, o, report, False, depth + 1)))
    return copy


def report_graph(
    results: Iterable[Result],
    messages: Mapping[Node, tuple[Literal, ...]],
    data: Callable[[], Graph],
    namespaces: Iterable[tuple[str, URIRef]] = (),
) -> Graph:
    """Return the ``sh:ValidationReport`` graph of ``results``.

    ``messages`` gives each source shape's ``sh:message`` literals, ``data`` the validated
    graph (only called when a focus or value node is blank), ``namespaces`` the prefixes to bind.
    """
    results = list(results)
    report = Graph(bind_namespaces="core")
    for prefix, namespace in namespaces:
        report.bind(prefix, namespace)
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    report.add((root, SH.conforms, Literal(not results)))
    copies: dict[Node, Node] = {}

    def node_for(term: Node) -> Node:
        if isinstance(term, BNode):
            if term not in copies:
                copies[term] = _copy(data(), term, report, True)
            return copies[term]
        return term

    for result in results:
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.sourceConstraintComponent, result.component))
        report.add((node, SH.sourceShape, result.shape))
        report.add((node, SH.resultSeverity, result.severity))
        report.add((node, SH.focusNode, node_for(result.focus)))
        if result.value is not None:
            report.add((node, SH.value, node_for(result.value)))
        if result.path is not None:
            report.add((node, SH.resultPath, result.path))
        for message in messages.get(result.shape, ()):
            report.add((node, SH.resultMessage, message))
    return report
