"""Every key of the case format reaches the case from a FHIR Observation (and standard codes).

Expectations are the hand-written table ``tests/data/fhir/keys.toml`` (from
docs/case-format.md) and the codes named in the issue, not the reader's output.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from nelmkg.cases.context import load_context
from nelmkg.fhir.issues import BundleError
from nelmkg.testing.fhir_bundles import case_observation, make_bundle, quantity

KEYS = tomllib.loads((Path(__file__).parent / "data" / "fhir" / "keys.toml").read_text())
CASE_VALUE = "https://w3id.org/nelmkg/fhir/CodeSystem/case-value"
LOINC, SNOMED = "http://loinc.org", "http://snomed.info/sct"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def test_the_table_covers_every_key():
    assert sorted(KEYS) == sorted(load_context().keys)


def _value(row: dict) -> dict:
    sent = row.get("sent", row["value"])
    if row["kind"] == "number":
        return quantity(Decimal(str(sent)), row.get("sent_unit", row["unit"]))
    if row["kind"] == "integer":
        return {"valueInteger": sent}
    if row["kind"] == "boolean":
        return {"valueBoolean": sent}
    return {"valueCodeableConcept": {"coding": [{"system": CASE_VALUE, "code": sent}]}}


@pytest.mark.parametrize("key", sorted(KEYS))
def test_key_from_project_code(fhir_service, key):
    row = KEYS[key]
    spec = fhir_service.mapping.keys[key]
    assert spec.kind == row["kind"]
    assert spec.unit == row.get("unit", "1" if row["kind"] == "integer" else None)
    read = fhir_service.read(make_bundle(case_observation(key, **_value(row))))
    fact = read.report["facts"]
    assert [f["key"] for f in fact] == [key]
    assert fact[0]["value"] == row["value"]
    expected = Decimal(str(row["value"])) if row["kind"] == "number" else row["value"]
    assert read.case.facts[key] == expected
    assert fact[0]["expression"].startswith("Bundle.entry[1].resource.value")
    if "sent_unit" in row:
        assert fact[0]["converted_from"] == {"value": row["sent"], "unit": row["sent_unit"]}


@pytest.mark.parametrize("key", sorted(KEYS))
def test_key_is_in_both_codesystems(fhir_service, key):
    case = fhir_service.codesystems["case"]
    assert key in {c["code"] for c in case["concept"]}
    if KEYS[key]["kind"] == "concept":
        values = {c["code"] for c in fhir_service.codesystems["case-value"]["concept"]}
        assert KEYS[key]["value"] in values


# (resource, code, value) -> expected fact: the standard codes named in the issue and mapping.
def _obs(system, code, **more):
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": system, "code": code}]},
        **more,
    }


def _condition(code, status):
    return {
        "resourceType": "Condition",
        "code": {"coding": [{"system": SNOMED, "code": code}]},
        "subject": {"reference": "Patient/p1"},
        "verificationStatus": {"coding": [{"system": VERIFICATION, "code": status}]},
    }


LIVER = {"coding": [{"system": SNOMED, "code": "10200004"}]}
STANDARD = [
    ("ki67-loinc", _obs(LOINC, "29593-1", **quantity(20, "%")), "ki67_pct", 20),
    ("age-loinc", _obs(LOINC, "30525-0", **quantity(61, "a")), "age_years", 61),
    (
        "age-loinc-months",
        _obs(LOINC, "30525-0", **quantity(630, "mo")),
        "age_years",
        Decimal("52.5"),
    ),
    (
        "size-mcode-mm",
        _obs(
            LOINC,
            "21889-1",
            bodySite=LIVER,
            component=[
                {"code": {"coding": [{"system": LOINC, "code": "33728-7"}]}, **quantity(34, "mm")}
            ],
        ),
        "largest_lesion_cm",
        Decimal("3.4"),
    ),
    ("carcinoid-confirmed", _condition("35868009", "confirmed"), "carcinoid_syndrome", True),
    ("carcinoid-refuted", _condition("35868009", "refuted"), "carcinoid_syndrome", False),
    ("carcinoid-unconfirmed", _condition("35868009", "unconfirmed"), "carcinoid_syndrome", None),
    ("rhf-confirmed", _condition("367363000", "confirmed"), "right_heart_failure", True),
]


@pytest.mark.parametrize(
    ("name", "resource", "key", "expected"), STANDARD, ids=[s[0] for s in STANDARD]
)
def test_standard_codes(fhir_service, name, resource, key, expected):
    read = fhir_service.read(make_bundle(resource))
    assert read.case.facts.get(key) == expected
    if expected is None:
        assert read.report["ignored"][0]["entry"] == 1


def test_absent_condition_is_missing_not_false(fhir_service):
    read = fhir_service.read(make_bundle())
    assert "carcinoid_syndrome" not in read.case.facts
    assessment = fhir_service.assessor.assess(read.case)
    results = {c["result"] for o in assessment["options"].values() for c in o["criteria"]}
    assert "failed" not in results  # nothing known, nothing failed


def test_tumour_size_without_liver_site_is_not_mapped(fhir_service):
    resource = _obs(
        LOINC,
        "21889-1",
        component=[
            {"code": {"coding": [{"system": LOINC, "code": "33728-7"}]}, **quantity(34, "mm")}
        ],
    )
    read = fhir_service.read(make_bundle(resource))
    assert "largest_lesion_cm" not in read.case.facts
    assert "bodySite" in read.report["ignored"][0]["reason"]


def test_age_from_birth_date_at_timestamp(fhir_service):
    bundle = make_bundle(patient={"birthDate": "1970-06-16"}, timestamp="2024-06-15T09:00:00Z")
    assert fhir_service.read(bundle).case.facts["age_years"] == 53  # birthday tomorrow
    bundle = make_bundle(patient={"birthDate": "1970-06-15"}, timestamp="2024-06-15T09:00:00Z")
    assert fhir_service.read(bundle).case.facts["age_years"] == 54


def test_age_without_timestamp_is_missing_and_said(fhir_service):
    read = fhir_service.read(make_bundle(patient={"birthDate": "1970-06-16"}))
    assert "age_years" not in read.case.facts
    assert any("Bundle.timestamp is absent" in n for n in read.report["notes"])


@pytest.mark.parametrize(("unit", "value"), [("[lb_av]", 3), ("kg", 1), ("%", 2)])
def test_unit_that_does_not_convert_is_refused(fhir_service, unit, value):
    bundle = make_bundle(case_observation("largest_lesion_cm", **quantity(value, unit)))
    with pytest.raises(BundleError) as caught:
        fhir_service.read(bundle)
    assert caught.value.issues[0].expression == "Bundle.entry[1].resource.valueQuantity.code"
    assert unit in caught.value.issues[0].text
