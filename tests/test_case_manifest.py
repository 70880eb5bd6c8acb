"""Example cases (tests/data/cases/) give the assessment their manifest expects."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.read import SUFFIX_TYPES

CASES_DIR = Path(__file__).resolve().parent / "data" / "cases"

CONTENT_TYPES = SUFFIX_TYPES
# What counts as the passing, failing and missing outcome of an option.
PASSING = {"eligible", "capecitabine_temozolomide", "platinum_etoposide"}
FAILING = {"not_eligible", "not_applicable"}


def _run(assessor, entry: dict):
    path = CASES_DIR / entry["file"]
    return assessor.run(path.read_bytes(), CONTENT_TYPES[path.suffix])


@pytest.mark.filterwarnings("ignore:Parsing weird boolean")  # bad-boolean-literal.ttl
def test_case_entry(assessor, case_entry):
    if "error" in case_entry:
        with pytest.raises(CaseInputError) as caught:
            _run(assessor, case_entry)
        for field, expected in case_entry["error"].items():
            assert getattr(caught.value, field) == expected, caught.value.as_dict()
        return
    result = _run(assessor, case_entry).as_dict()
    assert result["well_formed"] is case_entry["well_formed"], result["violations"]
    if "id" in case_entry:
        assert result["case"] == case_entry["id"]
    if not case_entry["well_formed"]:
        assert result["options"] is None
        assert sorted({v["path"] for v in result["violations"]}) == case_entry["violations"]
        return
    assert result["violations"] == []
    for option, status in case_entry.get("options", {}).items():
        assert result["options"][option]["status"] == status, option
    found = {
        c["id"].rsplit("/", 1)[1]: c["result"]
        for o in result["options"].values()
        for c in o["criteria"]
    }
    for slug, expected in case_entry.get("criteria", {}).items():
        assert found[slug] == expected, slug


def test_manifest_collected(case_entries):
    entries = case_entries
    files = sorted(p.name for p in CASES_DIR.iterdir() if p.suffix != ".toml")
    assert files, f"no case files in {CASES_DIR}"
    assert sorted(e["file"] for e in entries) == files, "every case file is in the manifest once"


def test_every_option_has_passing_failing_and_missing_cases(assessor, case_entries):
    seen: dict[str, set[str]] = defaultdict(set)
    for entry in case_entries:
        for option, status in entry.get("options", {}).items():
            seen[option].add(status)
    for option in assessor.options:
        assert seen[option] & PASSING, f"{option}: no passing case"
        assert seen[option] & FAILING, f"{option}: no failing case"
        assert "indeterminate" in seen[option], f"{option}: no missing-data case"


def test_every_ambiguity_shape_has_an_ambiguous_case(assessor, case_entries):
    ambiguous = {
        slug for e in case_entries for slug, r in e.get("criteria", {}).items() if r == "ambiguous"
    }
    for option in assessor.options.values():
        for check in option.checks:
            if check.ambiguity_shapes:
                assert check.info.iri.rsplit("/", 1)[1] in ambiguous, check.info.iri
