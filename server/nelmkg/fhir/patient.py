"""The Bundle's one Patient: finding it, whose data an entry is, and the age it implies.

The case id is ``Patient.id``. An Observation or Condition whose ``subject`` references
another resource than the Patient is about someone else and is ignored. When no Observation
gives the age, it is computed from ``Patient.birthDate`` at ``Bundle.timestamp`` in whole
years, and only then: a partial birth date or an absent timestamp leaves the age missing,
with a note saying why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nelmkg.fhir.issues import BundleError, Issue
from nelmkg.fhir.times import full_date, whole_years


def find_patient(entries: list) -> tuple[int, dict]:
    """Return the index and entry of the Bundle's one Patient; raise BundleError otherwise."""
    patients = [
        (i, e)
        for i, e in enumerate(entries)
        if (e.get("resource") or {}).get("resourceType") == "Patient"
    ]
    if len(patients) != 1:
        where = [f"Bundle.entry[{i}]" for i, _ in patients] or ["Bundle.entry"]
        raise BundleError(
            "fhir-invalid-bundle",
            [
                Issue(
                    "error",
                    "structure" if not patients else "invariant",
                    f"a FHIR case is a Bundle with exactly one Patient; found {len(patients)}",
                    w,
                )
                for w in where
            ],
        )
    return patients[0]


def about_patient(resource: dict, patient: dict) -> bool:
    """Return False when the resource's subject names someone other than the Patient."""
    reference = (resource.get("subject") or {}).get("reference")
    if not isinstance(reference, str):
        return True
    pid = patient["resource"].get("id")
    return reference == patient.get("fullUrl") or (
        pid is not None and (reference == f"Patient/{pid}" or reference.endswith(f"/Patient/{pid}"))
    )


def age_fact(doc: dict, patient: dict, index: int, notes: list[str]) -> dict[str, Any] | None:
    """Return the age fact computed from Patient.birthDate at Bundle.timestamp, if possible."""
    birth = patient["resource"].get("birthDate")
    if birth is None:
        return None
    born = full_date(birth)
    stamp = doc.get("timestamp")
    if born is None:
        notes.append(f"age not computed: Patient.birthDate {birth!r} is not a full date")
        return None
    if not isinstance(stamp, str):
        notes.append("age not computed: Patient.birthDate is given but Bundle.timestamp is absent")
        return None
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        notes.append(f"age not computed: Bundle.timestamp {stamp!r} is not readable")
        return None
    if at.date() < born:
        raise BundleError(
            "fhir-data-problem",
            [
                Issue(
                    "error",
                    "invariant",
                    "Patient.birthDate is after Bundle.timestamp",
                    f"Bundle.entry[{index}].resource.birthDate",
                )
            ],
        )
    notes.append(
        f"age_years computed from Patient.birthDate at Bundle.timestamp ({stamp}), in whole years"
    )
    return {
        "value": whole_years(born, at),
        "entry": index,
        "fullUrl": patient.get("fullUrl"),
        "expression": f"Bundle.entry[{index}].resource.birthDate",
    }
