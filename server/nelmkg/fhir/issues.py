"""Data problems found in a Bundle: :class:`Issue` and the error that carries them.

An :class:`Issue` is what becomes one ``OperationOutcome.issue`` (severity, FHIR IssueType
code, ``details.text``, a FHIRPath ``expression`` such as
``Bundle.entry[3].resource.valueQuantity``). :class:`BundleError` is a
:class:`~nelmkg.cases.errors.CaseInputError` (so the case paths that already turn refused
cases into ``well_formed: false`` entries handle Bundles too) holding every error issue.
Issues are data problems only: eligibility conclusions never become issues.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nelmkg.cases.errors import CaseInputError

# BundleError.kind -> (HTTP status, problem type slug); the slugs are in the service's table.
KINDS = {
    "fhir-syntax": (400, "case-syntax"),
    "fhir-invalid-bundle": (422, "fhir-invalid-bundle"),
    "fhir-data-problem": (422, "fhir-data-problem"),
    "fhir-too-large": (413, "fhir-too-large"),
}


@dataclass(frozen=True)
class Issue:
    """One data problem (or a note) about a Bundle, located by a FHIRPath expression."""

    severity: str  # fatal | error | warning | information (FHIR IssueSeverity)
    code: str  # FHIR IssueType: structure, required, value, invariant, code-invalid, ...
    text: str
    expression: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Return the issue as an ``OperationOutcome.issue`` element."""
        out: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "details": {"text": self.text},
        }
        if self.expression:
            out["expression"] = [self.expression]
        return out


class BundleError(CaseInputError):
    """A Bundle that cannot be read as a case; ``issues`` says every reason and where."""

    def __init__(self, kind: str, issues: list[Issue]) -> None:
        first = issues[0]
        where = f" ({first.expression})" if first.expression else ""
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(f"{first.text}{where}{more}", kind=kind, key=first.expression)
        self.issues = issues

    @property
    def status(self) -> int:
        """Return the HTTP status: 400 unparseable, 413 too large, 422 otherwise."""
        return KINDS[self.kind][0]

    @property
    def slug(self) -> str:
        """Return the problem type slug of this error (``docs/service.md``)."""
        return KINDS[self.kind][1]

    def as_dict(self) -> dict[str, Any]:
        """Return the error's fields with its issues (OperationOutcome issue elements)."""
        return {**super().as_dict(), "issue": [i.as_json() for i in self.issues]}


def fail(kind: str, code: str, text: str, expression: str | None = None) -> BundleError:
    """Return a :class:`BundleError` with one error issue."""
    return BundleError(kind, [Issue("error", code, text, expression)])
