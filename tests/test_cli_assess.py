"""``nelmkg assess``: input shapes, output shapes, errors and exit codes, run in-process."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from nelmkg import paths
from nelmkg.cli import main
from nelmkg.eligibility import cli

GOOD = {
    "id": "cli-good",
    "age_years": 56,
    "who_grade": "G2",
    "differentiation": "well",
    "ki67_pct": 12,
    "liver_lesion_count": 2,
    "bilobar": True,
}
OTHER = {"id": "cli-other", "ki67_pct": 60, "who_grade": "G3", "differentiation": "well"}
OUT_OF_RANGE = {"id": "cli-bad", "ki67_pct": 120}  # parses, breaks the case shapes
UNKNOWN_KEY = {"id": "cli-typo", "ki_67": 12}  # parses, not part of the case format
TURTLE = """@prefix nelm: <https://w3id.org/nelmkg/ontology#> .
<https://w3id.org/nelmkg/case/cli-ttl> a nelm:Patient ;
    nelm:ki67Percent 30.0 ;
    nelm:whoGrade nelm:GradeG3 .
"""


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["assess", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_table_names_every_option_and_explains(tmp_path, capsys, assessor):
    status, out, err = run(capsys, write(tmp_path, "case.json", json.dumps(GOOD)))
    assert status == 0 and not err
    assert out.startswith("cli-good  well-formed\n")
    for option in assessor.options:
        assert f"\n  {option} " in out
    # lt_milan fails on age (56, needs < 55): the failed criterion is shown with its value.
    assert "failed" in out and "56 years (needs < 55)" in out


def test_json_single_object(tmp_path, capsys, assessor):
    status, out, _ = run(capsys, "--json", write(tmp_path, "case.json", json.dumps(GOOD)))
    assert status == 0
    assert json.loads(out) == assessor.assess(GOOD)


def test_json_array_in_array_out(tmp_path, capsys, assessor):
    status, out, _ = run(capsys, "--json", write(tmp_path, "cases.json", json.dumps([GOOD, OTHER])))
    assert status == 0
    result = json.loads(out)
    assert isinstance(result, list)
    assert [r["case"] for r in result] == ["cli-good", "cli-other"]
    assert result[1] == assessor.assess(OTHER)


def test_ndjson_in_ndjson_out(tmp_path, capsys):
    text = f"{json.dumps(GOOD)}\n\n{json.dumps(OTHER)}\n"  # a blank line is skipped
    status, out, _ = run(capsys, "--json", write(tmp_path, "cases.ndjson", text))
    assert status == 0
    lines = out.splitlines()
    assert [json.loads(line)["case"] for line in lines] == ["cli-good", "cli-other"]


def test_ndjson_recognised_without_suffix(tmp_path, capsys):
    text = f"{json.dumps(GOOD)}\n{json.dumps(OTHER)}\n"
    status, out, _ = run(capsys, "--json", write(tmp_path, "cases.json", text))
    assert status == 0 and len(out.splitlines()) == 2


def test_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps([GOOD, OTHER])))
    status, out, _ = run(capsys, "--json", "-")
    assert status == 0
    assert [r["case"] for r in json.loads(out)] == ["cli-good", "cli-other"]


def test_rdf_file_read_by_suffix(tmp_path, capsys):
    status, out, _ = run(capsys, "--json", write(tmp_path, "case.ttl", TURTLE))
    assert status == 0
    assert json.loads(out)["case"] == "cli-ttl"


def test_several_files_give_one_array(tmp_path, capsys):
    one = write(tmp_path, "one.json", json.dumps(GOOD))
    two = write(tmp_path, "two.ttl", TURTLE)
    status, out, _ = run(capsys, "--json", one, two)
    assert status == 0
    assert [r["case"] for r in json.loads(out)] == ["cli-good", "cli-ttl"]


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("broken.json", '{\n  "id": "x",\n  "ki67_pct": 12,,\n}', ":3:18:"),
        ("broken.ndjson", '{"id": "a"}\n{"id": "b", "ki67_pct": }\n', ":2:25:"),
        ("broken.json", '{"id": "a"}\n{"id": "b" "x": 1}\n', ":2:12:"),  # NDJSON, no suffix
        ("broken.json", '{"id": "a", "ki67_pct": NaN}', ":1:1:"),
        ("broken.ttl", TURTLE.replace("30.0 ;", "30.0 @@ ;"), ":3:"),
    ],
    ids=["json", "ndjson", "ndjson-sniffed", "nan", "turtle"],
)
def test_unparseable_input_names_line_and_column(tmp_path, capsys, name, text, where):
    path = write(tmp_path, name, text)
    status, out, err = run(capsys, path)
    assert status == 2
    assert err.startswith(f"error: {path}{where}"), err
    # NDJSON goes on past a bad line: the good first line is still assessed; a document
    # that does not parse as a whole gives no output.
    if "ndjson" in name or where.startswith(":2:"):
        assert out.startswith("a  well-formed\n")
    else:
        assert not out


def test_malformed_case_exit_1_others_still_assessed(tmp_path, capsys):
    cases = [GOOD, OUT_OF_RANGE, UNKNOWN_KEY]
    status, out, _ = run(capsys, "--json", write(tmp_path, "cases.json", json.dumps(cases)))
    assert status == 1
    good, bad, typo = json.loads(out)
    assert good["well_formed"] and good["options"]
    assert not bad["well_formed"] and bad["options"] is None
    assert [v["path"] for v in bad["violations"]] == ["ki67_pct"]
    assert not typo["well_formed"] and typo["violations"][0]["path"] == "ki_67"


def test_malformed_case_in_table(tmp_path, capsys):
    status, out, _ = run(capsys, write(tmp_path, "bad.json", json.dumps(OUT_OF_RANGE)))
    assert status == 1
    assert out.startswith("cli-bad  MALFORMED\n  - ki67_pct")


def test_missing_file_exit_2(tmp_path, capsys):
    missing = str(tmp_path / "nowhere.json")
    status, out, err = run(capsys, missing)
    assert status == 2 and not out
    assert missing in err and "cannot read" in err


def test_usage_error_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["assess"])
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_progress_bar_only_on_a_terminal(tmp_path, capsys, monkeypatch):
    cases = [{**OTHER, "id": f"c{i}"} for i in range(cli.PROGRESS_FROM + 1)]
    path = write(tmp_path, "many.json", json.dumps(cases))
    assert run(capsys, "--json", path)[2] == ""  # captured stderr is not a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    status, out, err = run(capsys, "--json", path)
    assert status == 0 and len(json.loads(out)) == len(cases)
    assert f"/{len(cases)}" in err  # tqdm's "n/total"


def test_help_and_readme_document_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["assess", "--help"])
    help_text = capsys.readouterr().out
    readme = (paths.root() / "README.md").read_text(encoding="utf-8")
    for line in cli.EXIT_CODES.splitlines()[1:]:
        assert line.strip() in help_text
        assert line.strip() in readme, f"README.md does not document: {line.strip()}"
