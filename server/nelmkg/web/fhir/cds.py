"""CDS Hooks 1.0: ``GET /cds-services`` (discovery) and ``POST /cds-services/<id>``.

One service (``cds.toml``) answers the ``patient-view`` hook from its prefetch: key ``case``
holds a Bundle (``Patient/{{context.patientId}}/$everything``) read as the case. The service
never calls ``fhirServer`` (no request makes it reach the network): without the prefetch it
answers 412, as CDS Hooks 1.0 says a service that cannot obtain its data must. The answer is
``{"cards": [...]}``, one card per treatment option (:mod:`nelmkg.fhir.cards`). Errors are
OperationOutcomes (CDS Hooks 3.0 recommends it; 1.0 leaves the body open): 400 for a request
that is not a CDS Hooks call, 404 for an unknown service, 412 for a missing prefetch, 422 for
a Bundle with data problems, which never appear in a card.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, request

from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.json_input import load_json
from nelmkg.fhir.issues import Issue
from nelmkg.fhir.outcome import violation_issues
from nelmkg.fhir.reader import is_bundle
from nelmkg.fhir.service import FhirService
from nelmkg.web.fhir.responses import json_response, outcome, outcome_of

bp = Blueprint("cds", __name__)


def _service() -> FhirService:
    from nelmkg.web.fhir import current  # the package imports this module

    return current()


def discovery(table: dict[str, Any]) -> dict[str, Any]:
    """Return the discovery document: the one service of ``cds.toml``."""
    row = table["service"]
    keys = ("hook", "title", "description", "id", "prefetch")
    return {"services": [{k: row[k] for k in keys}]}


@bp.get("/cds-services")
def services() -> Response:
    """CDS Hooks discovery: the services this provider offers."""
    return json_response(discovery(_service().cds))


def _bad(status: int, code: str, text: str, expression: str | None = None) -> Response:
    return outcome(status, [Issue("error", code, text, expression)])


def _request_problem(call: Any, row: dict[str, Any]) -> Response | None:
    """Return the 400 answer for a body that is not a patient-view call, else None."""
    if not isinstance(call, dict):
        return _bad(400, "structure", "a CDS Hooks request is a JSON object")
    if call.get("hook") != row["hook"]:
        return _bad(400, "value", f"this service answers the {row['hook']} hook", "hook")
    if not isinstance(call.get("hookInstance"), str) or not call["hookInstance"]:
        return _bad(400, "required", "hookInstance (a string) is required", "hookInstance")
    context = call.get("context")
    if not isinstance(context, dict) or not isinstance(context.get("patientId"), str):
        return _bad(400, "required", "context.patientId (a string) is required", "context")
    if call.get("prefetch") is not None and not isinstance(call["prefetch"], dict):
        return _bad(400, "structure", "prefetch must be an object", "prefetch")
    return None


@bp.post("/cds-services/<service_id>")
def call(service_id: str) -> Response:
    """Answer a CDS Hooks call with one card per treatment option."""
    service = _service()
    row = service.cds["service"]
    if service_id != row["id"]:
        return _bad(404, "not-found", f"there is no CDS service {service_id}; see /cds-services")
    try:
        body = load_json(request.get_data(cache=False).decode("utf-8-sig"))
    except UnicodeDecodeError:
        return _bad(400, "structure", "the body is not UTF-8")
    except CaseInputError as exc:
        return outcome_of(exc)
    problem = _request_problem(body, row)
    if problem is not None:
        return problem
    key = row["prefetch_key"]
    bundle = (body.get("prefetch") or {}).get(key)
    if not is_bundle(bundle):
        return _bad(
            412,
            "required",
            f"prefetch {key!r} ({row['prefetch'][key]}) is missing or not a Bundle; "
            "this service reads the prefetch only and never calls the FHIR server",
            f"prefetch.{key}",
        )
    try:
        result, read = service.assess(bundle, current_app.config["FHIR_MAX_ENTRIES"])
    except CaseInputError as exc:
        return outcome_of(exc)
    if not result["well_formed"]:
        return outcome(422, violation_issues(result["violations"], read.report["facts"]))
    if read.case.id != body["context"]["patientId"]:
        return _bad(
            422,
            "invariant",
            f"the prefetched Patient.id {read.case.id!r} is not context.patientId",
            f"prefetch.{key}",
        )
    cards = service.cards.cards(result, request.url_root)
    return Response(json.dumps({"cards": cards}, ensure_ascii=False), mimetype="application/json")
