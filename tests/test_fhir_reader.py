"""The Bundle reader's rules: status, latest wins, conflicts, listing, provenance, bounds."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import PROV, RDF

from nelmkg.fhir.issues import BundleError
from nelmkg.graph.vocab import NELM
from nelmkg.testing.fhir_bundles import case_observation, make_bundle, quantity

KI67 = "ki67_pct"


def _ki67(value, when=None, status="final", **more):
    extra = {"effectiveDateTime": when} if when else {}
    return case_observation(KI67, status=status, **quantity(value, "%"), **extra, **more)


def _error(fhir_service, bundle) -> BundleError:
    with pytest.raises(BundleError) as caught:
        fhir_service.read(bundle)
    return caught.value


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled"])
def test_withdrawn_observations_are_ignored(fhir_service, status):
    read = fhir_service.read(make_bundle(_ki67(80, status=status), _ki67(10, "2020-01-01")))
    assert read.case.facts[KI67] == 10
    assert read.report["ignored"][0] == {
        "entry": 1,
        "fullUrl": make_bundle(_ki67(1))["entry"][1]["fullUrl"],
        "resourceType": "Observation",
        "reason": f"status {status}",
    }


def test_only_withdrawn_means_missing(fhir_service):
    read = fhir_service.read(make_bundle(_ki67(80, status="entered-in-error")))
    assert KI67 not in read.case.facts


def test_latest_effective_wins(fhir_service):
    bundle = make_bundle(_ki67(70, "2021-03-01"), _ki67(12, "2023-05-02T10:00:00+02:00"), _ki67(30))
    read = fhir_service.read(bundle)
    assert read.case.facts[KI67] == 12
    assert read.report["facts"][0]["entry"] == 2
    reasons = {i["entry"]: i["reason"] for i in read.report["ignored"]}
    assert set(reasons) == {1, 3} and "superseded" in reasons[1]


def test_conflict_at_the_same_time_is_a_data_problem(fhir_service):
    # the same instant written in two offsets
    bundle = make_bundle(_ki67(12, "2023-05-02T10:00:00+02:00"), _ki67(60, "2023-05-02T08:00:00Z"))
    error = _error(fhir_service, bundle)
    assert error.kind == "fhir-data-problem" and error.status == 422
    assert [i.code for i in error.issues] == ["conflict", "conflict"]
    assert [i.expression for i in error.issues] == [
        "Bundle.entry[1].resource.valueQuantity",
        "Bundle.entry[2].resource.valueQuantity",
    ]


def test_same_value_twice_is_not_a_conflict(fhir_service):
    read = fhir_service.read(make_bundle(_ki67(12, "2023-05-02"), _ki67(12, "2023-05-02")))
    assert read.case.facts[KI67] == 12


def test_unmapped_resources_and_codes_are_listed(fhir_service):
    other = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2160-0"}]},
        "valueQuantity": {"value": 1},
    }
    med = {
        "resourceType": "MedicationStatement",
        "status": "active",
        "medicationCodeableConcept": {"text": "octreotide"},
        "subject": {"reference": "Patient/p1"},
    }
    read = fhir_service.read(make_bundle(other, med))
    assert read.case.facts == {"id": "p1"}
    assert [i["reason"] for i in read.report["ignored"]] == [
        "code not mapped: http://loinc.org|2160-0",
        "resource type MedicationStatement is not mapped",
    ]


def test_observation_about_someone_else_is_ignored(fhir_service):
    read = fhir_service.read(make_bundle(_ki67(12, subject={"reference": "Patient/other"})))
    assert KI67 not in read.case.facts
    assert "another subject" in read.report["ignored"][0]["reason"]


def test_observation_without_value(fhir_service):
    error = _error(fhir_service, make_bundle(case_observation(KI67)))
    assert error.issues[0].code == "required"
    assert error.issues[0].expression == "Bundle.entry[1].resource"


def test_data_absent_reason_is_missing_not_an_error(fhir_service):
    absent = {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                "code": "not-performed",
            }
        ]
    }
    read = fhir_service.read(make_bundle(case_observation(KI67, dataAbsentReason=absent)))
    assert KI67 not in read.case.facts
    assert read.report["ignored"][0]["reason"] == "ki67_pct: data absent (not-performed)"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ({"valueString": "12"}, "value"),
        ({"valueBoolean": True}, "value"),
        ({"valueQuantity": {"value": 12, "unit": "%"}}, "code-invalid"),  # no UCUM system
        (
            {
                "valueQuantity": {
                    "value": 12,
                    "comparator": "<",
                    "system": "http://unitsofmeasure.org",
                    "code": "%",
                }
            },
            "value",
        ),
    ],
)
def test_values_that_cannot_be_read(fhir_service, value, code):
    assert _error(fhir_service, make_bundle(case_observation(KI67, **value))).issues[0].code == code


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("liver_lesion_count", {"valueInteger": True}),  # the models would take it as 1
        ("bilobar", {"valueBoolean": 1}),  # ... and this as true
        ("liver_lesion_count", {"valueInteger": "3"}),
    ],
)
def test_json_types_are_checked_as_in_plain_json(fhir_service, key, value):
    assert _error(fhir_service, make_bundle(case_observation(key, **value))).kind.startswith("fhir")


@pytest.mark.parametrize(
    "number", ["1e999999", "1" + "0" * 40, "0.0000000000000000000000000000000001"]
)
def test_absurd_numbers_are_refused(fhir_service, number):
    import json

    from nelmkg.cases.errors import CaseInputError
    from nelmkg.cases.json_input import load_json

    bundle = make_bundle(_ki67(0))
    text = json.dumps(bundle).replace('"value": 0', f'"value": {number}')
    try:  # the JSON reader's bounds may refuse it already (nelmkg.cases.bounds)
        doc = load_json(text)
    except CaseInputError as exc:
        error = exc
    else:
        error = _error(fhir_service, doc)
    assert error.status in (400, 422)


def test_concept_value_outside_the_key_reaches_the_shapes(fhir_service):
    coding = {"system": "https://w3id.org/nelmkg/fhir/CodeSystem/case-value", "code": "G4"}
    bundle = make_bundle(case_observation("who_grade", valueCodeableConcept={"coding": [coding]}))
    result, _ = fhir_service.assess(bundle)
    assert result["well_formed"] is False
    assert result["violations"][0]["path"] == "who_grade"
    assert result["violations"][0]["derived_from"]["expression"].endswith(
        "valueCodeableConcept.coding"
    )


@pytest.mark.parametrize(("patients", "code"), [(0, "structure"), (2, "invariant")])
def test_exactly_one_patient(fhir_service, patients, code):
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {"resourceType": "Patient"}}] * patients,
    }
    assert _error(fhir_service, bundle).issues[0].code == code


def test_provenance_in_graph_and_per_criterion(fhir_service):
    bundle = make_bundle(_ki67(12))
    url = bundle["entry"][1]["fullUrl"]
    read = fhir_service.read(bundle)
    graph = read.case.graph
    statements = list(graph.subjects(PROV.wasDerivedFrom, URIRef(url)))
    assert len(statements) == 1
    statement = statements[0]
    assert (statement, RDF.type, RDF.Statement) in graph
    assert graph.value(statement, RDF.predicate) == NELM.ki67Percent
    assert graph.value(statement, RDF.subject) == read.case.node
    result = fhir_service.assessor.assess(read.case)
    sources = [
        c.get("derived_from")
        for o in result["options"].values()
        for c in o["criteria"]
        if c["id"].endswith("-ki67")
    ]
    assert sources and all(s["fullUrl"] == url for s in sources)
    assert all(s["expression"] == "Bundle.entry[1].resource.valueQuantity" for s in sources)
    others = [c for o in result["options"].values() for c in o["criteria"] if c["value"] is None]
    assert others and all("derived_from" not in c for c in others)


def test_plain_json_assessment_has_no_provenance(assessor):
    result = assessor.assess({"id": "x", "ki67_pct": 12})
    assert all("derived_from" not in c for o in result["options"].values() for c in o["criteria"])


def test_both_engines_agree_on_a_bundle_case(fhir_service, pyshacl_assessor):
    from nelmkg.fhir.service import FhirService

    bundle = make_bundle(
        _ki67(55),
        case_observation(
            "who_grade",
            valueCodeableConcept={
                "coding": [
                    {"system": "https://w3id.org/nelmkg/fhir/CodeSystem/case-value", "code": "G3"}
                ]
            },
        ),
    )
    compiled = fhir_service.assess(bundle)[0]
    reference = FhirService.build(pyshacl_assessor).assess(bundle)[0]
    assert compiled == reference
