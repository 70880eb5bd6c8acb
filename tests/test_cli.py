"""The command line runs in-process on the repository's data.

Its numbers are checked against ``expected_summary``: rdflib's own count of the data files
(tests/conftest.py), not the summary function the command prints.
"""

import json
import re

from nelmkg.cli import main


def test_summary_json_is_the_independent_count(expected_summary, capsys):
    assert main(["summary", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == expected_summary


def test_summary_table_prints_every_count(expected_summary, capsys):
    assert main(["summary"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"nelmkg {expected_summary['version']}"
    rows = dict(
        re.fullmatch(r"(\S+)\s+(\d+)", line).groups()
        for line in lines[1:]
        if re.search(r"\d$", line)
    )
    expected = {**expected_summary["graphs"], **expected_summary["classes"]}
    assert rows == {name: str(count) for name, count in expected.items()}


def test_check_reports_every_step(expected_summary, capsys):
    status = main(["check", "--no-reasoner"])
    out = capsys.readouterr().out
    steps = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    for step in ("parse", "qc", "integrity", "quotes"):
        assert step in steps and steps[step].split()[1] == "ok", out
    sizes = expected_summary["graphs"]
    counted = f"ontology {sizes['ontology']}, kg {sizes['kg']}, shapes {sizes['shapes']}"
    assert steps["parse"].endswith(counted), steps["parse"]
    assert status == 0 and out.rstrip().endswith("all checks passed"), out


def test_release_to_folder(tmp_path, capsys):
    assert main(["release", "-o", str(tmp_path / "out")]) == 0
    names = {"nelm.ttl", "nelm.owl", "nelm.html", "nelmkg.trig", "nelmkg.nq", "counts.json"}
    names |= {"SHA256SUMS"}
    assert {p.name for p in (tmp_path / "out").iterdir()} == names
    out = capsys.readouterr().out
    assert {f"wrote {tmp_path / 'out' / name}" for name in names} <= set(out.splitlines())
