"""The example cases, written as FHIR Bundles in both code styles, get the manifest's verdicts.

Every plain-JSON case of ``tests/data/cases/manifest.toml`` that the reader accepts (those
with an ``error`` are refused before any check and have no FHIR counterpart) is converted by
:func:`nelmkg.testing.fhir_bundles.to_bundle` and assessed through the Bundle reader, in the
project's codes and in standard codes. The expectations are the manifest's (written from the
review) and the same case's plain-JSON assessment.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from nelmkg.cases.json_input import load_json
from nelmkg.testing.fhir_bundles import to_bundle

CASES = Path(__file__).parent / "data" / "cases"


def _as_json_text(bundle: dict) -> str:
    """Write the Bundle as JSON text (decimals as their digits), as a client would send it."""

    def number(value):
        if isinstance(value, Decimal):
            return float(value) if value != value.to_integral_value() else int(value)
        raise TypeError(type(value).__name__)

    return json.dumps(bundle, default=number)


def _statuses(result: dict) -> dict:
    return {o: v["status"] for o, v in (result["options"] or {}).items()}


def _criteria(result: dict) -> dict:
    return {
        c["id"].rsplit("/", 1)[1]: c["result"]
        for o in (result["options"] or {}).values()
        for c in o["criteria"]
    }


def test_bundle_case(assessor, fhir_service, fhir_case, style):
    case = load_json((CASES / fhir_case["file"]).read_text())
    bundle = load_json(_as_json_text(to_bundle(case, fhir_service.mapping, style)))
    result, read = fhir_service.assess(bundle)
    assert result["well_formed"] is fhir_case["well_formed"], result["violations"]
    if "id" in fhir_case:
        assert result["case"] == fhir_case["id"]
    if not fhir_case["well_formed"]:
        assert sorted({v["path"] for v in result["violations"]}) == fhir_case["violations"]
        assert all("derived_from" in v for v in result["violations"])
        return
    for option, status in fhir_case.get("options", {}).items():
        assert result["options"][option]["status"] == status, option
    found = _criteria(result)
    for slug, expected in fhir_case.get("criteria", {}).items():
        assert found[slug] == expected, slug
    plain = assessor.assess(case)
    assert _statuses(result) == _statuses(plain)
    assert found == _criteria(plain)
    # every fact the case states came from an entry, and says which
    assert {f["key"] for f in read.report["facts"]} == {
        k for k, v in case.items() if k != "id" and v is not None
    }


def test_every_readable_json_case_is_converted(request, case_entries):
    readable = [e for e in case_entries if e["file"].endswith(".json") and "error" not in e]
    collected = [i for i in request.session.items if i.originalname == "test_bundle_case"]
    assert readable and len(collected) == 2 * len(readable)  # both code styles, every case
