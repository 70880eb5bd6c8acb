"""Answers of the FHIR routes: OperationOutcome for data problems of FHIR callers.

A FHIR caller (``Content-Type: application/fhir+json`` on ``/assess`` or ``/validate``, and
every CDS Hooks call) is told about data problems with an ``OperationOutcome``
(``application/fhir+json``), validated with the ``fhir.resources`` model before it is sent.
(A plain-JSON caller posting a Bundle gets the service's problem+json through the case
routes, with the same issues in an ``issue`` member.)
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response

from nelmkg.cases.errors import CaseInputError
from nelmkg.fhir.issues import BundleError, Issue
from nelmkg.fhir.outcome import MEDIA_TYPE, checked, operation_outcome


def issues_of(exc: CaseInputError) -> list[Issue]:
    """Return the issues of a refused Bundle (one issue for a plain case-input error)."""
    if isinstance(exc, BundleError):
        return exc.issues
    code = "structure" if exc.kind in ("syntax", "not-utf8") else "invalid"
    where = f"line {exc.line}, column {exc.column}: " if exc.line else ""
    return [Issue("error", code, where + exc.message)]


def outcome(status: int, issues: list[Issue]) -> Response:
    """Return an OperationOutcome response with ``status``."""
    body = checked(operation_outcome(issues))
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)


def json_response(value: Any, status: int = 200) -> Response:
    """Return a JSON-ready ``value`` as ``application/json``."""
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json")
