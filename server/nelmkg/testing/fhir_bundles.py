"""Plain-JSON cases written as FHIR R4 Bundles, in two code styles (tests and benchmarks).

``style="project"`` writes every fact as an Observation coded with the project's CodeSystem
(code = the plain-JSON key). ``style="standard"`` prefers the standard codes of
``mapping.toml`` where the fact has one: Ki-67 as LOINC 29593-1, the largest lesion as an
mCODE TumorSize Observation (LOINC 21889-1 with a 33728-7 component in millimetres, bodySite
liver), carcinoid syndrome and right heart failure as SNOMED CT Conditions (confirmed or
refuted), and a whole-year age as ``Patient.birthDate`` with ``Bundle.timestamp``. The
writer is deliberately plain (no reader code): the tests compare what the reader makes of
its Bundles with the plain-JSON expectations.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from nelmkg.fhir.mapping import FhirMapping

STYLES = ("project", "standard")
TIMESTAMP = "2024-06-15T09:00:00Z"
EFFECTIVE = "2024-06-01"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
LIVER = {"system": SNOMED, "code": "10200004", "display": "Liver structure"}
TUMOR_SIZE = {"system": LOINC, "code": "21889-1", "display": "Size Tumor"}


def _url(case_id: str, n: int) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{case_id}/{n}')}"


def _quantity(value: Any, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}


def _value(mapping: FhirMapping, key: str, value: Any) -> dict[str, Any]:
    spec = mapping.keys[key]
    if spec.kind == "number":
        return {"valueQuantity": _quantity(value, spec.unit)}
    if spec.kind == "integer":
        return {"valueInteger": value}
    if spec.kind == "boolean":
        return {"valueBoolean": value}
    coding = {"system": mapping.systems["case_value"], "code": value}
    return {"valueCodeableConcept": {"coding": [coding]}}


def _observation(subject: str, code: dict, value: dict, **more: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [code]},
        "subject": {"reference": subject},
        "effectiveDateTime": EFFECTIVE,
        **more,
        **value,
    }


def _standard(mapping: FhirMapping, key: str, value: Any, subject: str) -> dict | None:
    """Return the standard-coded resource of a fact, or None to use the project's code."""
    routes = {r.key: r for r in mapping.standard}
    route = routes.get(key)
    if route is None:
        return None
    code = {"system": route.system, "code": route.code, "display": route.display}
    if route.resource == "Condition":
        status = "confirmed" if value else "refuted"
        return {
            "resourceType": "Condition",
            "verificationStatus": {"coding": [{"system": VERIFICATION, "code": status}]},
            "code": {"coding": [code]},
            "subject": {"reference": subject},
            "recordedDate": EFFECTIVE,
        }
    if key == "largest_lesion_cm":
        mm = Decimal(str(value)) * 10
        component = {"code": {"coding": [code]}, "valueQuantity": _quantity(mm, "mm")}
        return _observation(
            subject, TUMOR_SIZE, {}, bodySite={"coding": [LIVER]}, component=[component]
        )
    return _observation(subject, code, _value(mapping, key, value))


def to_bundle(case: dict[str, Any], mapping: FhirMapping, style: str = "project") -> dict:
    """Return a collection Bundle holding ``case`` (a plain-JSON case) in ``style``."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; use one of {STYLES}")
    case_id = case.get("id") or "anonymous"
    patient: dict[str, Any] = {"resourceType": "Patient", "id": case_id}
    subject = f"Patient/{case_id}"
    entries = [{"fullUrl": _url(case_id, 0), "resource": patient}]
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "collection"}
    for key, value in case.items():
        if key == "id" or value is None:
            continue
        resource = None
        if style == "standard":
            age = value if key == "age_years" else None
            if isinstance(age, int) and not isinstance(age, bool) and 0 <= age < 150:
                patient["birthDate"] = f"{2024 - age - 1}-12-31"  # turned `age` on 2023-12-31
                bundle["timestamp"] = TIMESTAMP
                continue
            resource = _standard(mapping, key, value, subject)
        if resource is None:
            code = {"system": mapping.systems["case"], "code": key}
            resource = _observation(subject, code, _value(mapping, key, value))
        entries.append({"fullUrl": _url(case_id, len(entries)), "resource": resource})
    bundle["entry"] = entries
    return bundle


def make_bundle(*resources: dict, patient: dict | None = None, **fields: Any) -> dict:
    """Return a collection Bundle: a Patient (id ``p1`` unless given) then ``resources``."""
    first = {"resourceType": "Patient", "id": "p1", **(patient or {})}
    entries = [first, *resources]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        **fields,
        "entry": [
            {"fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'test/{i}')}", "resource": r}
            for i, r in enumerate(entries)
        ],
    }


def case_observation(key: str, **value: Any) -> dict:
    """Return a final Observation of ``key`` coded with the project's CodeSystem."""
    code = {"system": "https://w3id.org/nelmkg/fhir/CodeSystem/case", "code": key}
    return {"resourceType": "Observation", "status": "final", "code": {"coding": [code]}, **value}


def quantity(value: Any, unit: str) -> dict:
    """Return a UCUM ``valueQuantity`` element."""
    return {"valueQuantity": _quantity(value, unit)}
