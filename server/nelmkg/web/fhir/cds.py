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

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, request

from nelmkg.fhir.issues import Issue
from nelmkg.web.fhir.cases import respond
from nelmkg.web.fhir.responses import json_response, outcome

if TYPE_CHECKING:
    from nelmkg.fhir.service import FhirService

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


@bp.post("/cds-services/<service_id>")
def call(service_id: str) -> Response:
    """Answer a CDS Hooks call with one card per treatment option.

    The call is parsed, checked and assessed in a case evaluator under the case time limit
    (:meth:`nelmkg.web.fhir.work.FhirWork.cds`), like every case body.
    """
    row = _service().cds["service"]
    if service_id != row["id"]:
        return _bad(404, "not-found", f"there is no CDS service {service_id}; see /cds-services")
    body = request.get_data(cache=False)
    return respond("fhir_cds", {"body": body, "url_root": request.url_root})
