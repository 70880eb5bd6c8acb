"""OperationOutcome: how data problems are told to FHIR callers.

:func:`operation_outcome` turns :class:`~nelmkg.fhir.issues.Issue`\\ s (a refused Bundle) or
the case-shape violations of a Bundle that was read but is not well-formed into an R4
``OperationOutcome``; :func:`checked` validates one with the ``fhir.resources`` model before
it is sent. Only data problems go here: eligibility conclusions never do (they are the
assessment and the CDS Hooks cards).
"""

from __future__ import annotations

from typing import Any

from nelmkg.fhir.issues import Issue

MEDIA_TYPE = "application/fhir+json"


def violation_issues(violations: list[dict[str, Any]], facts: list[dict[str, Any]]) -> list[Issue]:
    """Return one issue per case-shape violation, located at the entry the fact came from."""
    where = {f["key"]: f.get("expression") for f in facts}
    issues = []
    for violation in violations:
        key = violation.get("path")
        value = violation.get("value")
        shown = f" (value {value})" if value is not None else ""
        issues.append(
            Issue(
                "error",
                "invariant",
                f"{key}: {violation.get('message', 'not allowed')}{shown}",
                where.get(key),
            )
        )
    return issues


def operation_outcome(issues: list[Issue]) -> dict[str, Any]:
    """Return an R4 OperationOutcome (JSON) holding ``issues``."""
    return {"resourceType": "OperationOutcome", "issue": [i.as_json() for i in issues]}


def checked(outcome: dict[str, Any]) -> dict[str, Any]:
    """Return ``outcome`` after validating it with the R4B OperationOutcome model."""
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    OperationOutcome.model_validate(outcome)
    return outcome
