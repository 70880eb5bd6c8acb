"""The command line runs in-process on the repository's data."""

import json

from nelmkg.cli import main
from nelmkg.graph.dataset import summary


def test_summary_prints_counts(capsys):
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    assert "triples" in out and "instances" in out


def test_summary_json_matches(dataset, capsys):
    assert main(["summary", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == summary(dataset)


def test_check_reports_every_step(capsys):
    status = main(["check", "--no-reasoner"])
    out = capsys.readouterr().out
    for step in ("parse", "qc", "integrity", "quotes"):
        assert f"\n{step} " in f"\n{out}", f"no '{step}' line in:\n{out}"
    assert status == (0 if "all checks passed" in out else 1)


def test_release_to_folder(tmp_path, capsys):
    assert main(["release", "-o", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "nelmkg.trig").is_file()
