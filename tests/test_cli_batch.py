"""``nelmkg assess`` on batches: NDJSON, CSV and Parquet in and out, --jobs, both engines.

Every status row is compared with the per-case engine's assessment of the same case (the
projection in tests/test_columnar.py), whatever the input format, engine or number of jobs.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nelmkg import paths
from nelmkg.cli import main
from nelmkg.graph.dataset import parse_files
from nelmkg.testing.casegen import boundaries, case_facts, generate, json_line

from .test_columnar import expected_row

COUNT = 400
REFUSED = [  # cases the reader refuses: malformed with the reader's message
    {"id": "typo", "ki_67": 12},
    {"id": "wrong-type", "ki67_pct": "12"},
    {"ki67_pct": True},
]


@pytest.fixture(scope="module")
def cases(data) -> list[dict]:
    facts = case_facts(parse_files(paths.shape_files("case")), data)
    return generate(COUNT, 7, facts, boundaries(data), 0.02, prefix="cli") + REFUSED


@pytest.fixture(scope="module")
def ndjson(tmp_path_factory, cases) -> str:
    path = tmp_path_factory.mktemp("batch") / "cases.ndjson"
    path.write_text("".join(json_line(c) + "\n" for c in cases), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def expected(assessor, cases, ndjson) -> list[dict]:
    options = tuple(sorted(assessor.options))
    rows = [expected_row(assessor, c, options) for c in cases]
    rows[-1]["case"] = f"{ndjson}:{len(cases)}"  # no id: named by its line
    return rows


def read_csv(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["well_formed"] = row["well_formed"] == "true"
        row["violations"] = json.loads(row["violations"])
        for key, value in row.items():
            if value == "":
                row[key] = None
    return rows


def read_parquet(path) -> list[dict]:
    rows = pq.read_table(path).to_pylist()
    for row in rows:
        row["violations"] = json.loads(row["violations"])
    return rows


@pytest.mark.parametrize("engine", ["columnar", "per-case"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_csv_out_matches_per_case(tmp_path, capsys, ndjson, expected, engine, jobs):
    out = tmp_path / "out.csv"
    status = main(["assess", ndjson, "-o", str(out), "--jobs", str(jobs), "--engine", engine])
    assert status == 1  # some generated cases are malformed
    assert read_csv(out) == expected
    assert capsys.readouterr().err == ""


def test_parquet_round_trip(tmp_path, cases, expected, assessor):
    """Parquet in (one column per key, typed), Parquet out."""
    plain = [{k: float(v) if isinstance(v, Decimal) else v for k, v in c.items()} for c in cases]
    keep = plain[: COUNT]  # typed columns: the reader-refused cases have no column type
    source, out = tmp_path / "cases.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.Table.from_pylist(keep), source)
    assert main(["assess", str(source), "-o", str(out), "--jobs", "2"]) == 1
    options = tuple(sorted(assessor.options))
    want = [expected_row(assessor, {k: v for k, v in c.items() if v is not None}, options)
            for c in pq.read_table(source).to_pylist()]
    assert read_parquet(out) == want


def test_csv_in_ndjson_out(tmp_path, capsys, cases, assessor):
    """CSV cells are text: numbers and true/false are read as JSON; an empty cell is absent."""
    table = [{k: v for k, v in c.items() if v != ""} for c in cases[:COUNT]]
    keys = sorted({k for c in table for k in c})
    source = tmp_path / "cases.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, keys)
        writer.writeheader()
        for case in table:
            writer.writerow({k: json.dumps(v) if type(v) is bool else v for k, v in case.items()})
    status = main(["assess", str(source), "--format", "ndjson"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 1 and len(rows) == COUNT
    options = tuple(sorted(assessor.options))
    assert rows == [expected_row(assessor, c, options) for c in table]


def test_bad_line_reported_others_go_on(tmp_path, capsys):
    path = tmp_path / "some.ndjson"
    path.write_text('{"id": "a"}\n{"id": \n{"id": "c"}\n', encoding="utf-8")
    status = main(["assess", str(path), "--format", "csv", "--jobs", "2"])
    out, err = capsys.readouterr()
    assert status == 2
    assert err.startswith(f"error: {path}:2:")
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == ['"a"', '"c"']


def test_reasons_name_the_criteria_not_met(tmp_path, capsys):
    path = tmp_path / "one.ndjson"
    path.write_text('{"id": "r", "age_years": 56}\n', encoding="utf-8")
    assert main(["assess", str(path), "--format", "ndjson", "--reasons"]) == 0
    row = json.loads(capsys.readouterr().out)
    # lt_milan needs age below 55 (the review's Milan criteria, kg/criteria.ttl).
    assert "failed:lt-milan-age" in row["lt_milan_reasons"].split("; ")
    assert row["lt_milan"] == "not_eligible"
