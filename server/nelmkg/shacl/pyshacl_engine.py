"""Validate small case graphs with pySHACL, shapes parsed and harvested once.

The assessment's reference engine (``Assessor(engine="pyshacl")``); its default is the compiled
Core subset of :mod:`nelmkg.shacl.compiled`, tested against this one.

``pyshacl.validate()`` re-reads its shapes graph and re-harvests every shape on each call;
for one case against ~100 shapes that costs more than the validation itself. A
:class:`ShapesRunner` keeps one pyshacl ``ShapesGraph`` (shapes harvested at construction) and
hands it to a fresh ``Validator`` per case: SHACL Core only, no inference, no ontology mix-in,
no meta-SHACL, in place (the case graph is not copied and not changed).

Measured speed-ups (docs/decisions/0004-case-assessment.md), none changing any result:

* the shapes live in rdflib's ``SimpleMemory`` store (no per-triple context bookkeeping);
* only shapes with targets start a validation (pyshacl's ``use_shapes`` option): property
  shapes are reached through ``sh:property`` instead of being tried on their own first;
* pyshacl finds a shape's constraint parameters by testing each of the shape's predicates for
  membership in a *list* of ~40 IRIs; we give it the same list backed by a frozenset;
* the ``sh:ValidationReport`` graph is built by pyshacl's own function, but only when asked
  for (:attr:`Outcome.graph`); the assessment reads the results directly.

If pyshacl changes the internals the last two rely on, the hints are ignored and only speed
is lost (the report graph is then built eagerly and read back).
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from nelmkg.shacl.report import Result

if TYPE_CHECKING:  # pyshacl itself is imported on first use: the compiled engine needs none
    from pyshacl.shapes_graph import ShapesGraph

_OPTIONS = {
    "inference": "none",
    "inplace": True,
    "advanced": False,
    "abort_on_first": False,
    "allow_infos": False,
    "allow_warnings": False,
}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _from_triples(triples) -> Result:
    """Read a result from pyshacl's raw triples (objects may be ``(graph, node)`` pairs)."""
    fields, messages = {}, []
    for _s, p, o in triples:
        node = o[1] if isinstance(o, tuple) else o
        if p == SH.resultMessage:
            messages.append(str(node))
        else:
            fields[p] = node
    return Result(
        fields[SH.sourceShape],
        fields[SH.sourceConstraintComponent],
        fields[SH.resultSeverity],
        fields.get(SH.resultPath),
        fields.get(SH.value),
        min(messages, default=""),
        fields.get(SH.focusNode),
    )


def _from_graph(report: Graph) -> list[Result]:
    """Read the results of a ``sh:ValidationReport`` graph."""
    return [
        Result(
            report.value(r, SH.sourceShape),
            report.value(r, SH.sourceConstraintComponent),
            report.value(r, SH.resultSeverity),
            report.value(r, SH.resultPath),
            report.value(r, SH.value),
            min((str(m) for m in report.objects(r, SH.resultMessage)), default=""),
            report.value(r, SH.focusNode),
        )
        for r in report.objects(None, SH.result)
    ]


class Outcome:
    """The results of one validation; the report graph is built on first access."""

    def __init__(self, shapes: ShapesGraph, raw) -> None:
        self._shapes = shapes
        if isinstance(raw, Graph):  # pyshacl built the report itself
            self.__dict__["graph"] = raw
            self.results = _from_graph(raw)
        else:
            self._raw = raw
            self.results = [_from_triples(triples) for _desc, _node, triples in raw]

    @functools.cached_property
    def graph(self) -> Graph:
        """The ``sh:ValidationReport`` as an rdflib Graph (as ``pyshacl.validate`` gives it)."""
        from pyshacl import Validator

        graph, _text = Validator.create_validation_report(self._shapes, not self._raw, self._raw)
        return graph


class _ParameterList(list):
    """pyshacl's constraint-parameter list with a set for ``in`` tests (same answers)."""

    def __init__(self, items):
        super().__init__(items)
        self._members = frozenset(items)

    def __contains__(self, item) -> bool:
        return item in self._members


def _fast_parameter_lookup() -> None:
    """Pre-set pyshacl's lazily cached ``(parameters, parameter map)`` pair of ``shape.py``."""
    import pyshacl.shape as shape_module
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    current = getattr(shape_module, "CONSTRAINT_PARAMS", (None, None))[0]
    if not isinstance(current, _ParameterList):
        params = _ParameterList(ALL_CONSTRAINT_PARAMETERS)
        shape_module.CONSTRAINT_PARAMS = (params, CONSTRAINT_PARAMETERS_MAP)


def _keep_results(sg, conforms, results):
    """Stand-in for ``Validator.create_validation_report``: keep pyshacl's raw results."""
    return results, ""


class ShapesRunner:
    """One shapes graph, harvested once, validating many small data graphs."""

    def __init__(self, shapes: Graph) -> None:
        from pyshacl.shapes_graph import ShapesGraph

        _fast_parameter_lookup()
        self.graph = Graph(store="SimpleMemory", bind_namespaces="none")
        for triple in shapes:
            self.graph.add(triple)
        terms = {str(t) for triple in shapes for t in triple if isinstance(t, URIRef)}
        for prefix, namespace in shapes.namespaces():  # only those in use: reports copy them
            if any(t.startswith(str(namespace)) for t in terms):
                self.graph.bind(prefix, namespace)
        self._shapes = ShapesGraph(self.graph)
        self.shapes = list(self._shapes.shapes)  # harvests every shape now, not per case
        targeted = {s for p in _TARGETS for s in self.graph.subjects(p, None)}
        self._options = {**_OPTIONS, "use_shapes": sorted(str(s) for s in targeted)}
        self._lock = threading.Lock()  # pyshacl's shape objects are not documented thread-safe

    def validate(self, data: Graph) -> Outcome:
        """Validate ``data``; return its results (and, on demand, the report graph)."""
        from pyshacl import Validator
        from pyshacl.graph_abstraction import DataGraph

        with self._lock:
            options = dict(self._options)
            validator = Validator(
                DataGraph.from_rdflib(data), shacl_graph=self.graph, options=options
            )
            validator.shacl_graph = self._shapes  # reuse the harvested shapes
            validator.create_validation_report = _keep_results  # report graph: on demand
            _conforms, raw, _text = validator.run()
        return Outcome(self._shapes, raw)
