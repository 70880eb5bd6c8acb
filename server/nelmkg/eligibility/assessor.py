"""Validate a patient case and assess it against the review's treatment options.

The public interface::

    from nelmkg.eligibility.assessor import Assessor

    assessor = Assessor.from_repository()       # parse everything once, at start-up
    assessor.assess({"id": "case-01", "ki67_pct": 12, ...})   # -> JSON-ready dict
    assessor.validate(turtle_bytes, "text/turtle").report     # -> rdflib Graph (SHACL report)

Whoever needs an assessor builds one and keeps it (the web service on its service object, the
command line for its run); there is no process-wide one. A case is a
:class:`~nelmkg.cases.model.Case` already read, a dict (plain JSON or JSON-LD), JSON or RDF
text/bytes with a content type, or an rdflib Graph; unreadable input raises
:class:`~nelmkg.cases.errors.CaseInputError`.
One SHACL validation per case covers well-formedness and every option; a case that is not
well-formed gets its violations and no verdict (``options: null``).

Two SHACL engines give the same results (``tests/test_compiled_shacl.py``): ``"compiled"``, the
default, the Core subset our shapes use compiled once into Python checks
(:mod:`nelmkg.shacl.compiled`, about ten times faster), and ``"pyshacl"``
(:mod:`nelmkg.shacl.pyshacl_engine`): ``Assessor.from_repository(engine="pyshacl")``. Each engine
writes its
own ``sh:ValidationReport`` graph (``report``); the compiled one writes it as pySHACL does.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from nelmkg import paths
from nelmkg.cases.context import CaseContext, load_context
from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.model import Case
from nelmkg.cases.read import read_case
from nelmkg.eligibility.criteria import notations
from nelmkg.eligibility.options import Option, all_ambiguities, evaluate, load_options
from nelmkg.eligibility.violations import fired, violations
from nelmkg.graph import startcache
from nelmkg.graph.dataset import parse_files
from nelmkg.shacl.compiled import CompiledOutcome, CompiledShapes
from nelmkg.shacl.pyshacl_engine import Outcome, ShapesRunner

__all__ = ["ENGINES", "Assessment", "Assessor", "CaseInputError", "Validation"]


# SHACL engine name -> how it is built from a shapes graph.
ENGINES = {"compiled": CompiledShapes, "pyshacl": ShapesRunner}
Runner = CompiledShapes | ShapesRunner


def _check(runner: Runner, case: Case) -> Outcome | CompiledOutcome:
    """Validate a case's graph (pySHACL) or its patient's facts (compiled engine)."""
    if isinstance(runner, CompiledShapes):
        return runner.validate_node(case.node, case.values, lambda: case.graph)
    return runner.validate(case.graph)


@dataclass(frozen=True)
class Validation:
    """A case's well-formedness: its violations and the SHACL report (case shapes only)."""

    case: Case
    violations: list[dict[str, Any]]
    outcome: Outcome | CompiledOutcome

    @property
    def report(self) -> Graph:
        """The SHACL validation report as an rdflib Graph (built on first access)."""
        return self.outcome.graph

    @property
    def well_formed(self) -> bool:
        """True when no case shape reports a violation."""
        return not self.violations

    def as_dict(self) -> dict[str, Any]:
        """Return ``{"case", "well_formed", "violations"}``."""
        return {
            "case": self.case.id,
            "well_formed": self.well_formed,
            "violations": self.violations,
        }


@dataclass(frozen=True)
class Assessment(Validation):
    """A case's well-formedness and, when well-formed, every option's verdict.

    ``report`` is the full SHACL report (case and eligibility shapes).
    """

    options: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the assessment in the documented output shape (docs/case-format.md).

        A case read from a format that maps onto the case format (a FHIR Bundle) adds the
        reader's ``mapping`` report.
        """
        out = {**super().as_dict(), "options": self.options}
        if self.case.report is not None:
            out["mapping"] = self.case.report
        return out


def _shapes_in(graph: Graph) -> set[URIRef]:
    """Return the shapes declared in ``graph`` (node shapes and property shapes)."""
    return set(graph.subjects(SH.path, None)) | set(graph.subjects(SH.targetClass, None))


@dataclass(frozen=True)
class Criteria:
    """What an assessor reads from the KG and the eligibility shapes once.

    Plain data (IRIs, strings, dataclasses), so the start-up cache
    (:mod:`nelmkg.graph.startcache`) can keep it between runs: a one-case ``nelmkg assess``
    then parses no KG at all.
    """

    names: dict[URIRef, str]
    ambiguities: dict[URIRef, dict]
    options: dict[str, Option]

    @classmethod
    def read(cls, knowledge: Graph, eligibility_shapes: Graph) -> Criteria:
        """Read notations, ambiguities and options from the KG and the eligibility shapes."""
        names = notations(knowledge)
        options = load_options(eligibility_shapes, knowledge, names)
        return cls(names, all_ambiguities(knowledge), options)


def repository_graph(kind: str, files: list) -> Graph:
    """Parse ``files`` into one graph through the start-up cache (``kind`` names the entry)."""
    return startcache.cached(kind, files, lambda: parse_files(files))


@dataclass(frozen=True)
class Parts:
    """What an assessor reads from the repository's files: one start-up cache entry."""

    case_shapes: Graph
    shapes: Graph  # case and eligibility shapes together
    criteria: Criteria

    @classmethod
    def read(cls, knowledge: Callable[[], Graph], case_files: list, eligibility_files: list):
        """Parse the shape files and read the criteria from ``knowledge()``."""
        case_shapes = parse_files(case_files)
        eligibility_shapes = parse_files(eligibility_files)
        criteria = Criteria.read(knowledge(), eligibility_shapes)
        return cls(case_shapes, case_shapes + eligibility_shapes, criteria)


class Assessor:
    """Everything an assessment needs, parsed once: context, shapes, criteria, options.

    ``engine`` names the SHACL engine (:data:`ENGINES`): ``"compiled"`` (default) or
    ``"pyshacl"``; both give the same results. ``knowledge`` (ontology + KG) may be a graph or a
    function that returns it on first use (:attr:`knowledge`). ``criteria`` (:class:`Criteria`)
    and ``shapes`` (case and eligibility shapes joined) may come already read, as the start-up
    cache keeps them (:class:`Parts`); else they are read from ``eligibility_shapes`` now.
    """

    def __init__(
        self,
        *,
        knowledge: Graph | Callable[[], Graph],
        case_shapes: Graph,
        context: CaseContext,
        eligibility_shapes: Graph | None = None,
        engine: str = "compiled",
        criteria: Criteria | None = None,
        shapes: Graph | None = None,
    ) -> None:
        if engine not in ENGINES:
            raise ValueError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")
        self.engine = engine
        self.context = context
        self._knowledge = knowledge
        self._knowledge_lock = threading.Lock()
        self.case_shapes = case_shapes  # labels, descriptions and order of the facts, for forms
        if eligibility_shapes is None and (shapes is None or criteria is None):
            raise TypeError("give eligibility_shapes, or shapes and criteria read before")
        if shapes is None:
            shapes = case_shapes + eligibility_shapes
        if criteria is None:
            criteria = Criteria.read(self.knowledge, eligibility_shapes)
        self.names = criteria.names
        self.ambiguities = criteria.ambiguities
        self.options: dict[str, Option] = criteria.options
        self._keys = context.by_property
        self._case_shapes = _shapes_in(case_shapes)
        # case + eligibility shapes, compiled now: a shape the engine refuses stops start-up
        self._assessor: Runner = ENGINES[engine](shapes)

    @functools.cached_property
    def _validator(self) -> Runner:
        """The case shapes alone (for :meth:`validate`), compiled on first use."""
        return ENGINES[self.engine](self.case_shapes)

    @property
    def knowledge(self) -> Graph:
        """Ontology + KG, for readers that need more than the criteria (FHIR, forms)."""
        if not isinstance(self._knowledge, Graph):
            with self._knowledge_lock:
                if not isinstance(self._knowledge, Graph):
                    self._knowledge = self._knowledge()
        return self._knowledge

    @classmethod
    def from_repository(
        cls, knowledge: Graph | None = None, *, engine: str = "compiled"
    ) -> Assessor:
        """Build from the repository's files (``knowledge``: ontology + KG, if already parsed).

        Without ``knowledge`` everything read from the files goes through the start-up cache
        (:mod:`nelmkg.graph.startcache`), and the KG itself is parsed only when
        :attr:`knowledge` is first asked for.
        """
        knowledge_files = paths.ontology_files() + paths.kg_files()
        case_files = paths.shape_files("case")
        eligibility_files = paths.shape_files("eligibility")
        if knowledge is not None:
            return cls(
                knowledge=knowledge,
                case_shapes=parse_files(case_files),
                eligibility_shapes=parse_files(eligibility_files),
                context=load_context(),
                engine=engine,
            )
        source = functools.partial(repository_graph, "knowledge", knowledge_files)
        parts = startcache.cached(
            "assessor",
            knowledge_files + case_files + eligibility_files,
            lambda: Parts.read(source, case_files, eligibility_files),
        )
        return cls(
            knowledge=source,
            case_shapes=parts.case_shapes,
            shapes=parts.shapes,
            context=load_context(),
            engine=engine,
            criteria=parts.criteria,
        )

    def read(self, case: Any, content_type: str | None = None) -> Case:
        """Read a case (see :func:`nelmkg.cases.read.read_case`); a :class:`Case` is kept."""
        return read_case(case, self.context, content_type)

    def _violations(self, outcome: Outcome | CompiledOutcome, case: Case) -> list[dict[str, Any]]:
        found = violations(outcome.results, case, self._case_shapes, self._keys, self.names)
        if case.provenance:  # a violation of a fact read from a source names that source
            sources = {self.context.keys[k].property: k for k in self.context.keys}
            by_key = {sources.get(p): v for p, v in case.provenance.items()}
            for violation in found:
                source = by_key.get(violation.get("path"))
                if source is not None:
                    violation["derived_from"] = dict(source)
        return found

    def validate(self, case: Any, content_type: str | None = None) -> Validation:
        """Check a case against the case shapes only."""
        read = self.read(case, content_type)
        outcome = _check(self._validator, read)
        return Validation(read, self._violations(outcome, read), outcome)

    def run(self, case: Any, content_type: str | None = None) -> Assessment:
        """Validate a case against case and eligibility shapes together, once."""
        read = self.read(case, content_type)
        outcome = _check(self._assessor, read)
        found = self._violations(outcome, read)
        options = None
        if not found:
            shapes = fired(outcome.results)
            options = {
                o.id: evaluate(
                    o, shapes, read.values, self.names, self.ambiguities, read.provenance
                )
                for o in self.options.values()
            }
        return Assessment(read, found, outcome, options)

    def assess(self, case: Any, content_type: str | None = None) -> dict[str, Any]:
        """Return the assessment of a case as a JSON-ready dict."""
        return self.run(case, content_type).as_dict()

    @staticmethod
    def refused(exc: CaseInputError) -> dict[str, Any]:
        """Return the ``well_formed: false`` entry of a batch case the reader refused."""
        fields = exc.as_dict()
        violation = {
            "path": fields.get("key"),
            "value": fields.get("value"),
            "message": exc.message,
            "issue": fields.get("issue"),  # a refused FHIR Bundle's OperationOutcome issues
        }
        return {
            "case": exc.case_id,
            "well_formed": False,
            "violations": [{k: v for k, v in violation.items() if v is not None}],
            "options": None,
        }
