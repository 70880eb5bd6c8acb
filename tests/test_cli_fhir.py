"""``nelmkg assess`` reads FHIR Bundles (file, array, NDJSON, stdin), mixed with plain cases."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nelmkg.cli import main
from nelmkg.fhir.service import example_files
from nelmkg.testing.fhir_bundles import case_observation, make_bundle

SAMPLE = example_files()["sample-bundle.json"]
PLAIN = Path(__file__).parent / "data" / "cases" / "case-01.json"


def _one_line(path) -> str:
    return json.dumps(json.loads(path.read_text()))


def test_bundle_file(capsys):
    assert main(["assess", "--json", str(SAMPLE)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["case"] == "case-01" and out["mapping"]["facts"]


def test_array_and_ndjson_mixing_bundles_and_plain_cases(tmp_path, capsys):
    bad = make_bundle(case_observation("ki67_pct"))  # an Observation without value
    array = tmp_path / "mixed.json"
    array.write_text(f"[{SAMPLE.read_text()}, {PLAIN.read_text()}, {json.dumps(bad)}]")
    assert main(["assess", "--json", str(array)]) == 1  # one malformed case
    out = json.loads(capsys.readouterr().out)
    assert [(o["case"], o["well_formed"], "mapping" in o) for o in out] == [
        ("case-01", True, True),
        ("case-01", True, False),
        (f"{array}[2]", False, False),
    ]
    assert "no value" in out[2]["violations"][0]["message"]
    ndjson = tmp_path / "mixed.ndjson"
    ndjson.write_text(_one_line(SAMPLE) + "\n" + _one_line(PLAIN) + "\n")
    assert main(["assess", "--json", str(ndjson)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert ["mapping" in json.loads(line) for line in lines] == [True, False]


def test_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(SAMPLE.read_text()))
    assert main(["assess", "-"]) == 0
    assert "lt_milan" in capsys.readouterr().out


@pytest.mark.parametrize(("path", "loaded"), [(PLAIN, False), (SAMPLE, True)])
def test_fhir_models_are_imported_only_for_a_bundle(path, loaded):
    code = (
        "import sys; from nelmkg.cli import main; main(['assess', sys.argv[1]]); "
        "print('fhir.resources' in sys.modules, 'pydantic' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    assert run.stdout.splitlines()[-1] == f"{loaded} {loaded}"
