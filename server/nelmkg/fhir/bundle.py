"""Validate a parsed Bundle with the FHIR R4 models of ``fhir.resources`` (its R4B package).

``fhir.resources`` is imported here, inside the functions, only when a Bundle is seen: a run
over plain-JSON cases never loads it. The R4B models match R4 for Bundle, Patient,
Observation and Condition. Validation errors become :class:`~nelmkg.fhir.issues.Issue`\\ s
located by FHIRPath (``Bundle.entry[2].resource.valueQuantity.value``). The models are lax in
places (codes of required bindings are not checked, ``"3"`` passes for an integer), so the
reader checks those itself on the raw JSON.
"""

from __future__ import annotations

from nelmkg.fhir.issues import BundleError, Issue, fail

MAX_ISSUES = 20  # validation issues reported per Bundle; more are summarised in one line


def fhirpath(loc: tuple) -> str:
    """Return a pydantic error location as FHIRPath: ``Bundle.entry[0].resource.status``."""
    out = "Bundle"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out.replace(".resource_type", ".resourceType")


def _check_types(doc: dict) -> None:
    """Refuse a document that is not a Bundle, or an entry whose resourceType is unknown."""
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.resource import Resource

    if doc.get("resourceType") != "Bundle":
        shown = doc.get("resourceType")
        raise fail(
            "fhir-invalid-bundle",
            "structure",
            f"a FHIR case is a Bundle, not {shown!r}: wrap the resources in a Bundle "
            "(any type) holding one Patient",
            "resourceType",
        )
    entries = doc.get("entry", [])
    if not isinstance(entries, list):
        return  # the model reports it
    issues = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        name = resource.get("resourceType")
        try:
            known = isinstance(name, str) and issubclass(get_fhir_model_class(name), Resource)
        except ValueError:
            known = False
        if not known:
            issues.append(
                Issue(
                    "error",
                    "structure",
                    f"{name!r} is not a FHIR R4 resource type",
                    f"Bundle.entry[{index}].resource.resourceType",
                )
            )
    if issues:
        raise BundleError("fhir-invalid-bundle", issues)


def _issues(exc: Exception, prefix: tuple) -> list[Issue]:
    """Return the issues of a pydantic ValidationError, located under ``prefix``."""
    found = []
    for error in exc.errors(include_url=False, include_context=False, include_input=False):
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        found.append(Issue("error", "structure", message, fhirpath(prefix + error.get("loc", ()))))
    return found


def validate_bundle(doc: dict) -> None:
    """Validate ``doc`` as an R4 Bundle; raise BundleError naming every problem found.

    The envelope (Bundle and entries without their resources) and each entry's resource are
    validated with their own model classes: the same checks as validating the whole Bundle at
    once, without the models resolving each entry's class by name again (a fifth of the time).
    """
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    _check_types(doc)
    issues: list[Issue] = []
    entries = doc.get("entry")
    try:
        if isinstance(entries, list) and all(isinstance(e, dict) for e in entries):
            envelope = {
                **doc,
                "entry": [{k: v for k, v in e.items() if k != "resource"} for e in entries],
            }
            try:
                Bundle.model_validate(envelope)
            except ValidationError as exc:
                issues += _issues(exc, ())
            for index, entry in enumerate(entries):
                resource = entry.get("resource")
                if resource is None:
                    continue
                if not isinstance(resource, dict):
                    issues.append(
                        Issue(
                            "error",
                            "structure",
                            "a resource is a JSON object",
                            f"Bundle.entry[{index}].resource",
                        )
                    )
                    continue
                try:
                    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
                except ValidationError as exc:
                    issues += _issues(exc, ("entry", index, "resource"))
        else:
            try:
                Bundle.model_validate(doc)
            except ValidationError as exc:
                issues += _issues(exc, ())
    except (RecursionError, TypeError, ValueError, KeyError, AttributeError) as exc:
        # The models raise these for shapes their validators do not expect; never a 500.
        raise fail(
            "fhir-invalid-bundle", "structure", f"not a valid FHIR R4 Bundle ({exc})"
        ) from None
    if issues:
        if len(issues) > MAX_ISSUES:
            rest = len(issues) - MAX_ISSUES
            issues = issues[:MAX_ISSUES]
            issues.append(Issue("error", "structure", f"... and {rest} more problems"))
        raise BundleError("fhir-invalid-bundle", issues)


def loaded() -> bool:
    """Return True when ``fhir.resources`` has been imported in this process (for tests)."""
    import sys

    return "fhir.resources" in sys.modules
