"""The FHIR callers' case work, run in a case evaluator process (as :mod:`nelmkg.web.casework`).

A Bundle posted as ``application/fhir+json`` to ``/assess`` or ``/validate``, and the prefetched
Bundle of a CDS Hooks call, are parsed, read through the mapping, validated and assessed here,
under the case time limit, so that no Bundle, however built, can hold a web thread. Each
operation answers ``("answer", fields)``: the whole HTTP answer (``status``, ``media``,
``text``) plus the :func:`~nelmkg.web.metrics.tally` of the verdicts (``counts``) for the worker
to count. Data problems are an OperationOutcome, never mixed with findings.

:class:`FhirWork` is built once per evaluator from its assessor; the :class:`FhirService`
(mapping, CodeSystems, cards) is built on the first Bundle. It also reads Bundles sent as plain
JSON for :func:`nelmkg.web.casework.assess` (:meth:`FhirWork.read_case`).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, SH

from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.json_input import load_json
from nelmkg.cases.model import Case
from nelmkg.eligibility.assessor import Assessor
from nelmkg.fhir import is_bundle
from nelmkg.fhir.issues import Issue
from nelmkg.fhir.outcome import MEDIA_TYPE, checked, operation_outcome, violation_issues
from nelmkg.graph.vocab import NELM
from nelmkg.web.casework import Reply, dumps
from nelmkg.web.fhir.responses import issues_of
from nelmkg.web.metrics import tally

if TYPE_CHECKING:  # imported on the first Bundle (a start saves 15 ms)
    from nelmkg.fhir.reader import BundleCase
    from nelmkg.fhir.service import FhirService

TOO_COMPLEX = "the Bundle is too complex to read (nesting or size exhausted the limits)"


class Refusal(Exception):
    """An OperationOutcome answer with ``status`` (a data problem of a FHIR caller)."""

    def __init__(self, status: int, issues: list[Issue], counts: dict | None = None) -> None:
        super().__init__(status)
        self.status, self.issues, self.counts = status, issues, counts


def answer(status: int, media: str, text: str, counts: dict | None = None) -> Reply:
    """Return the tagged reply carrying a whole HTTP answer."""
    return "answer", {"status": status, "media": media, "text": text, "counts": counts}


def _outcome(refusal: Refusal) -> Reply:
    body = checked(operation_outcome(refusal.issues))
    return answer(refusal.status, MEDIA_TYPE, json.dumps(body, ensure_ascii=False), refusal.counts)


def bad(status: int, code: str, text: str, expression: str | None = None) -> Refusal:
    """Return the refusal of one issue."""
    return Refusal(status, [Issue("error", code, text, expression)])


def guarded(work: Callable[[], Reply]) -> Reply:
    """Run ``work``; a refused Bundle, or one that exhausts the limits, is an OperationOutcome."""
    # rdflib warns about ill-typed literals with their value (patient data) in the message.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return work()
        except Refusal as refusal:
            return _outcome(refusal)
        except CaseInputError as exc:
            return _outcome(Refusal(exc.status, issues_of(exc)))
        except (RecursionError, MemoryError):
            exc = CaseInputError(TOO_COMPLEX, kind="too-complex")
            return _outcome(Refusal(exc.status, issues_of(exc)))


def parse(body: bytes) -> Any:
    """Parse a FHIR caller's body as JSON (bounded); raise CaseInputError."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseInputError(f"the body is not UTF-8 (byte {exc.start})") from exc
    return load_json(text)


def bundle_of(body: bytes) -> dict:
    """Parse a FHIR caller's body as one Bundle; raise CaseInputError (syntax, not a case)."""
    doc = parse(body)
    if not is_bundle(doc):
        raise CaseInputError(
            "a FHIR case is one Bundle (a JSON object with resourceType Bundle)",
            kind="not-a-case",
        )
    return doc


def report_graph(read: BundleCase, report: Graph) -> Graph:
    """Return the SHACL report plus the case graph; results cite the entry of their fact."""
    graph = Graph()
    for prefix, namespace in (("sh", SH), ("prov", PROV), ("nelm", NELM)):
        graph.bind(prefix, namespace)
    graph += report
    graph += read.case.graph
    sources = read.case.provenance or {}
    for result, path in report.subject_objects(SH.resultPath):
        url = sources.get(path, {}).get("fullUrl")
        if isinstance(url, str) and (result, SH.resultPath, path) in report:
            node = URIRef(url)
            if (None, PROV.wasDerivedFrom, node) in graph:  # an IRI the case graph could hold
                graph.add((result, PROV.wasDerivedFrom, node))
    return graph


class FhirWork:
    """The FHIR operations of one case evaluator, bound to its assessor."""

    def __init__(self, assessor: Assessor) -> None:
        self.assessor = assessor
        self._service: FhirService | None = None

    @property
    def service(self) -> FhirService:
        """The FHIR side of the assessor, built on the first Bundle."""
        if self._service is None:
            from nelmkg.fhir.service import FhirService

            self._service = FhirService.build(self.assessor)
        return self._service

    def read_case(self, doc: Any, max_entries: int) -> Case | None:
        """Read a Bundle sent as plain JSON into a case (None for any other document)."""
        return self.service.read_case(doc, max_entries) if is_bundle(doc) else None

    def _assessed(self, bundle: dict, max_entries: int) -> tuple[dict, BundleCase, dict]:
        result, read = self.service.assess(bundle, max_entries)
        counts = tally([result])
        if not result["well_formed"]:
            issues = violation_issues(result["violations"], read.report["facts"])
            raise Refusal(422, issues, counts)
        return result, read, counts

    def assess(self, payload: dict) -> Reply:
        """``/assess`` for a FHIR caller: the assessment JSON, or an OperationOutcome."""

        def work() -> Reply:
            result, _, counts = self._assessed(bundle_of(payload["body"]), payload["max_entries"])
            return answer(200, "application/json", dumps(result), counts)

        return guarded(work)

    def validate(self, payload: dict) -> Reply:
        """``/validate`` for a FHIR caller: the report with the case graph, or an outcome."""

        def work() -> Reply:
            read = self.service.read(bundle_of(payload["body"]), payload["max_entries"])
            report = self.assessor.validate(read.case).report
            text = report_graph(read, report).serialize(format=payload["rdflib_format"])
            return answer(200, payload["content_type"], text)

        return guarded(work)

    def cds(self, payload: dict) -> Reply:
        """A CDS Hooks call (``nelmkg.web.fhir.cds``): its cards, or an OperationOutcome."""

        def work() -> Reply:
            row = self.service.cds["service"]
            call = parse(payload["body"])
            check_call(call, row)
            key = row["prefetch_key"]
            bundle = (call.get("prefetch") or {}).get(key)
            if not is_bundle(bundle):
                raise bad(
                    412,
                    "required",
                    f"prefetch {key!r} ({row['prefetch'][key]}) is missing or not a Bundle; "
                    "this service reads the prefetch only and never calls the FHIR server",
                    f"prefetch.{key}",
                )
            result, read, counts = self._assessed(bundle, payload["max_entries"])
            if read.case.id != call["context"]["patientId"]:
                raise bad(
                    422,
                    "invariant",
                    f"the prefetched Patient.id {read.case.id!r} is not context.patientId",
                    f"prefetch.{key}",
                )
            cards = self.service.cards.cards(result, payload["url_root"])
            return answer(200, "application/json", dumps({"cards": cards}), counts)

        return guarded(work)

    def handlers(self) -> dict[str, Callable[[Any], Reply]]:
        """The operations this adds to a case evaluator (:func:`nelmkg.web.casework.handlers`)."""
        return {"fhir_assess": self.assess, "fhir_validate": self.validate, "fhir_cds": self.cds}


def check_call(call: Any, row: dict[str, Any]) -> None:
    """Raise the 400 refusal of a body that is not a call of ``row``'s hook."""
    if not isinstance(call, dict):
        raise bad(400, "structure", "a CDS Hooks request is a JSON object")
    if call.get("hook") != row["hook"]:
        raise bad(400, "value", f"this service answers the {row['hook']} hook", "hook")
    if not isinstance(call.get("hookInstance"), str) or not call["hookInstance"]:
        raise bad(400, "required", "hookInstance (a string) is required", "hookInstance")
    context = call.get("context")
    if not isinstance(context, dict) or not isinstance(context.get("patientId"), str):
        raise bad(400, "required", "context.patientId (a string) is required", "context")
    if call.get("prefetch") is not None and not isinstance(call["prefetch"], dict):
        raise bad(400, "structure", "prefetch must be an object", "prefetch")
