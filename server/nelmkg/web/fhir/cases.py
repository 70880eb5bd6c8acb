"""Bundles on ``/assess`` and ``/validate`` (called by :mod:`nelmkg.web.cases.routes`).

With ``Content-Type: application/fhir+json`` the body is one Bundle and the caller is a FHIR
caller: data problems (unparseable JSON 400, an invalid Bundle or a case that breaks the case
shapes 422, too many entries 413) are an OperationOutcome. The assessment itself is the
plain assessment JSON plus its ``mapping`` report. A Bundle posted as ``application/json``
(alone, in a JSON array or NDJSON) is detected by its ``resourceType`` and gets the same
assessment; its problems are problem+json, or a ``well_formed: false`` entry in a batch.
``/validate`` answers the SHACL report of the case shapes together with the case graph, in
which each fact is ``prov:wasDerivedFrom`` its entry, and each result cites its entry.

The body is read, checked and answered in a case evaluator under the case time limit
(:mod:`nelmkg.web.fhir.work`), like every case body; this module only sends it and writes the
answer.
"""

from __future__ import annotations

from flask import Response

from nelmkg.web import caselane, fhir
from nelmkg.web.service import current

MEDIA_TYPE = "application/fhir+json"


def respond(op: str, payload: dict) -> Response:
    """Send ``payload`` to the case lane's FHIR operation ``op``; return its whole answer."""
    tag, value = caselane.send(op, {**payload, "max_entries": fhir.max_entries()})
    if tag != "answer":  # every FHIR operation answers whole; anything else is our bug
        raise RuntimeError(f"case operation {op} answered {tag!r}")
    if value["counts"]:
        current().metrics.count_cases(value["counts"])
    return Response(value["text"], status=value["status"], content_type=value["media"])


def assess_fhir(body: bytes) -> Response:
    """Assess one Bundle for a FHIR caller: assessment JSON, or an OperationOutcome."""
    return respond("fhir_assess", {"body": body})


def validate_fhir(body: bytes, rdf_format: str, content_type: str) -> Response:
    """Validate one Bundle for a FHIR caller: the report, or an OperationOutcome."""
    response = respond(
        "fhir_validate", {"body": body, "rdflib_format": rdf_format, "content_type": content_type}
    )
    if response.status_code == 200:
        response.vary.add("Accept")
    return response
