"""The assessment's output shape, its provenance from the KG, and the library interface."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from nelmkg.graph.vocab import NELM

CASES_DIR = Path(__file__).resolve().parent / "data" / "cases"

ENTRY_KEYS = {
    "id",
    "label",
    "result",
    "value",
    "threshold",
    "unit",
    "quote",
    "references",
    "section",
    "ambiguity",
    "criteria_set",
    "related_ambiguities",
}
RESULTS = {"met", "failed", "missing", "ambiguous"}


@pytest.fixture(scope="module")
def sample() -> dict:
    path = CASES_DIR / "case-01.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_output_shape(assessor, sample, option_ids):
    out = assessor.assess(sample)
    assert list(out) == ["case", "well_formed", "violations", "options"]
    assert (out["case"], out["well_formed"], out["violations"]) == ("case-01", True, [])
    assert set(out["options"]) == set(assessor.options) == option_ids
    for option_id, option in out["options"].items():
        expected = {"status", "criteria"} | (
            {"regimen"} if option_id == "g3_chemo_regimen" else set()
        )
        assert set(option) == expected, option_id
        for entry in option["criteria"]:
            assert set(entry) == ENTRY_KEYS and entry["result"] in RESULTS
    json.dumps(out)  # JSON-ready


def test_criterion_entries_come_from_the_kg(assessor, sample, kg, option_criteria):
    options = assessor.assess(sample)["options"]
    criteria = [c for o in options.values() for c in o["criteria"]]
    for option_id, expected in option_criteria.items():
        listed = [URIRef(c["id"]) for c in options[option_id]["criteria"]]
        assert sorted(listed) == sorted(expected), option_id
    assert {URIRef(c["id"]) for c in criteria} == set(kg.subjects(RDF.type, NELM.Criterion))
    for entry in criteria:
        crit = URIRef(entry["id"])
        assert entry["label"] == str(kg.value(crit, RDFS.label))
        assert entry["quote"] == str(kg.value(crit, NELM.quote))
        refs = {
            int(kg.value(r, NELM.referenceNumber))
            for r in kg.objects(crit, None)
            if str(r).startswith("https://w3id.org/nelmkg/id/reference/")
        }
        assert set(entry["references"]) == refs
        assert entry["criteria_set"] == str(kg.value(crit, NELM.inCriteriaSet))
        assert entry["section"] == str(kg.value(kg.value(crit, NELM.inSection), NELM.sectionPath))


def test_milan_age_entry(assessor, sample):
    criteria = assessor.assess(sample)["options"]["lt_milan"]["criteria"]
    age = next(c for c in criteria if c["id"].endswith("/lt-milan-age"))
    assert {k: age[k] for k in ("result", "value", "threshold", "unit", "references")} == {
        "result": "met",
        "value": 52,
        "threshold": "< 55",
        "unit": "years",
        "references": [58],
    }


def test_ambiguous_result_names_its_ambiguity(assessor, sample, kg):
    out = assessor.assess({**sample, "who_grade": "G3", "ki67_pct": 55})
    entry = next(
        c
        for c in out["options"]["g3_chemo_regimen"]["criteria"]
        if c["id"].endswith("capecitabine-temozolomide-ki67")
    )
    amb = URIRef("https://w3id.org/nelmkg/id/ambiguity/ki67-55-open-boundary")
    assert entry["result"] == "ambiguous"
    assert entry["ambiguity"] == {
        "id": str(amb),
        "label": str(kg.value(amb, RDFS.label)),
        "explanation": str(kg.value(amb, NELM.explanation)),
    }
    assert str(amb) not in entry["related_ambiguities"]


def test_regimen_comes_from_the_kg(assessor, sample, kg):
    option = assessor.assess({**sample, "who_grade": "G3", "ki67_pct": 20})["options"]
    regimen = option["g3_chemo_regimen"]["regimen"]
    cset = URIRef("https://w3id.org/nelmkg/id/criteria-set/g3-chemo-capecitabine-temozolomide")
    therapy = kg.value(cset, NELM.yieldsRegimen)
    assert regimen == {"id": str(therapy), "label": str(kg.value(therapy, RDFS.label))}


def test_resection_general_reports_the_exception(assessor, sample, kg):
    criteria = assessor.assess(sample)["options"]["resection_general"]["criteria"]
    sets = [c["criteria_set"].rsplit("/", 1)[1] for c in criteria]
    exception = URIRef("https://w3id.org/nelmkg/id/criteria-set/resection-high-grade-exception")
    n = len(set(kg.subjects(NELM.inCriteriaSet, exception)))
    assert n and sets.count("resection-high-grade-exception") == n
    assert sets[-n:] == ["resection-high-grade-exception"] * n  # listed after the set itself


def test_malformed_case_has_violations_and_no_verdict(assessor, sample):
    out = assessor.assess({**sample, "ki67_pct": 101, "who_grade": "G7"})
    assert out["well_formed"] is False and out["options"] is None
    assert [(v["path"], v["value"]) for v in out["violations"]] == [
        ("ki67_pct", 101),
        ("who_grade", "G7"),
    ]
    assert all(v["message"] for v in out["violations"])


def test_reports_are_graphs(assessor, sample):
    checked = assessor.validate({**sample, "largest_lesion_cm": 0})
    assert isinstance(checked.report, Graph) and not checked.well_formed
    assert (None, RDF.type, SH.ValidationReport) in checked.report
    assert checked.as_dict()["violations"][0]["path"] == "largest_lesion_cm"
    sources = set(checked.report.objects(None, SH.sourceShape))
    assert all(str(s).startswith("https://w3id.org/nelmkg/shapes/case#") for s in sources)
    assert checked.report.serialize(format="turtle")
    full = assessor.run(sample).report
    assert (None, SH.sourceShape, None) in full  # eligibility results are in the full report


def test_rdf_violation_paths_are_iris(assessor):
    ttl = (
        "@prefix nelm: <https://w3id.org/nelmkg/ontology#> .\n"
        "<r> a nelm:Patient ; nelm:ki67Percent 120.0 ."
    )
    (violation,) = assessor.validate(ttl, "text/turtle").violations
    assert violation["path"] == str(NELM.ki67Percent) and violation["value"] == 120
