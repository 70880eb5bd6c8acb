"""The case work of ``/validate`` and ``/assess``, run inside a case evaluator process.

(Room ``web``: the :class:`~nelmkg.web.service.Service` builds the case evaluators with
:func:`handlers`; the routes in :mod:`nelmkg.web.cases.routes` send them bodies.)

Reading a body (JSON, JSON-LD, Turtle, N-Triples, RDF/XML), checking it against the shapes and
writing the answer all happen in a child process under the case time limit
(:mod:`nelmkg.web.lanes`), so that no body, however built, can hold a web worker: the worker
sends the raw body and gets text back. Each handler answers a tagged pair:
``("ok", text)`` or ``("refused", fields)`` where ``fields`` are a
:class:`~nelmkg.cases.errors.CaseInputError`'s (plus its ``status``), which the route turns into
problem+json. A body that exhausts the evaluator's stack or memory is refused as
``too-complex`` rather than crashing it.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import Any

from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.model import Case
from nelmkg.cases.read import read_batch
from nelmkg.eligibility.assessor import Assessor
from nelmkg.web.metrics import tally

Reply = tuple[str, Any]
# Reads a FHIR Bundle sent as JSON into a case (None for any other document), with at most
# ``max_entries`` entries (``nelmkg.web.fhir.work.FhirWork.read_case``).
BundleReader = Callable[[Any, int], Any]
# /validate report format key -> rdflib serializer name.
RDFLIB_FORMAT = {"turtle": "turtle", "jsonld": "json-ld"}


def dumps(value: Any) -> str:
    """Return a JSON-ready ``value`` as compact JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _refused(exc: CaseInputError) -> Reply:
    # A FHIR reader's error names its own problem type (``slug``).
    return "refused", {**exc.as_dict(), "status": exc.status, "slug": getattr(exc, "slug", None)}


def _guarded(work: Callable[[], Any]) -> Reply:
    # rdflib warns about ill-typed literals with their value (patient data) in the message.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", work()
        except CaseInputError as exc:
            return _refused(exc)
        except (RecursionError, MemoryError):
            return _refused(
                CaseInputError(
                    "the case is too complex to read (nesting or size exhausted the limits)",
                    kind="too-complex",
                )
            )


def validate(assessor: Assessor, payload: dict) -> Reply:
    """Validate one case (``body``, ``media``); answer the report in ``format``."""

    def work() -> str:
        result = assessor.validate(payload["body"], payload["media"])
        return result.report.serialize(format=RDFLIB_FORMAT[payload["format"]])

    return _guarded(work)


def assess(assessor: Assessor, payload: dict, bundles: BundleReader | None) -> Reply:
    """Assess the cases of ``body`` (``media``, at most ``limit``); answer JSON or NDJSON,
    with the :func:`~nelmkg.web.metrics.tally` of the verdicts for the worker to count.

    A FHIR Bundle sent as JSON (alone or in a batch) is read by ``bundles``, with at most
    ``fhir_max_entries`` entries.
    """

    def work() -> tuple[str, dict]:
        entries = payload["fhir_max_entries"]
        readers = (lambda doc: bundles(doc, entries),) if bundles else ()
        batch = read_batch(
            payload["body"], payload["media"], assessor.context, payload["limit"], readers
        )
        results = [
            assessor.assess(item) if isinstance(item, Case) else assessor.refused(item)
            for item in batch.items
        ]
        if batch.shape == "ndjson":
            text = "".join(dumps(result) + "\n" for result in results)
        else:
            text = dumps(results if batch.shape == "array" else results[0])
        return text, tally(results)

    return _guarded(work)


def handlers(
    assessor: Assessor, fhir_work: Callable[[Assessor], Any] | None = None
) -> dict[str, Callable[[Any], Reply]]:
    """Return the case evaluator's operations, bound to ``assessor``; with ``fhir_work``
    (``nelmkg.web.fhir.work.FhirWork``) also the FHIR callers' operations, and Bundles sent as
    plain JSON read by it."""
    fhir = fhir_work(assessor) if fhir_work else None
    bundles = fhir.read_case if fhir else None
    return {
        "validate": lambda payload: validate(assessor, payload),
        "assess": lambda payload: assess(assessor, payload, bundles),
        **(fhir.handlers() if fhir else {}),
    }
