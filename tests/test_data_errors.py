"""A missing or unreadable data file is one line on stderr and exit status 2, for every command.

The data root is a copy of the repository's data with one fault (``NELMKG_ROOT`` points at it),
or an empty folder; never a traceback, never a silent 0.
"""

from __future__ import annotations

import shutil

import pytest

from nelmkg import paths
from nelmkg.cli import main

COMMANDS = {
    "summary": ["summary"],
    "check": ["check", "--no-reasoner"],
    "audit": ["audit", "--format", "json"],
    "release": ["release", "-o", "{tmp}/out"],
    "serve": ["serve", "--port", "1", "--workers", "1"],  # stops before binding the port
    "diff": ["diff", ".", "."],
}


def broken_root(tmp_path, fault: str):
    root = tmp_path / "root"
    for folder in ("ontology", "kg", "shapes", "queries", "releases"):
        shutil.copytree(paths.root() / folder, root / folder)
    if fault == "dangling-link":
        (root / "kg" / "zz-moved.ttl").symlink_to(tmp_path / "nowhere.ttl")
        return root, "kg/zz-moved.ttl"
    if fault == "folder-as-file":
        (root / "kg" / "zz-folder.ttl").mkdir()
        return root, "kg/zz-folder.ttl"
    if fault == "no-kg":
        shutil.rmtree(root / "kg")
        return root, "kg/*.ttl"
    raise AssertionError(fault)


# Every command meets a dangling link; the other faults are tried on two commands.
CASES = [("dangling-link", c) for c in sorted(COMMANDS)] + [
    (fault, command) for fault in ("folder-as-file", "no-kg") for command in ("summary", "serve")
]


@pytest.mark.parametrize(("fault", "command"), CASES)
def test_one_line_and_exit_2(tmp_path, monkeypatch, capsys, fault, command):
    root, named = broken_root(tmp_path, fault)
    monkeypatch.setenv("NELMKG_ROOT", str(root))
    args = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert named in err[0] and "Traceback" not in err[0]


def test_empty_root_names_what_is_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NELMKG_ROOT", str(tmp_path))
    assert main(["summary"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "ontology/*.ttl" in line and str(tmp_path) in line


def test_assess_without_the_case_context(tmp_path, monkeypatch, capsys):
    root, _ = broken_root(tmp_path, "no-kg")
    shutil.copytree(paths.root() / "kg", root / "kg")
    (root / "ontology" / "context" / "case-v1.jsonld").unlink()
    monkeypatch.setenv("NELMKG_ROOT", str(root))
    case = tmp_path / "case.json"
    case.write_text('{"id": "c1"}', encoding="utf-8")
    assert main(["assess", str(case)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: ") and "case-v1.jsonld" in line


def test_check_says_quotes_were_not_verified(monkeypatch, capsys):
    monkeypatch.delenv(paths.REVIEW_ENV, raising=False)
    status = main(["check", "--no-reasoner"])
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith("quotes")]
    assert "SKIP" in line and "NOT verified" in line and f"{paths.REVIEW_ENV}=" in line
    assert status == 0


def test_check_fails_when_the_named_review_is_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(paths.REVIEW_ENV, str(tmp_path / "missing.txt"))
    assert main(["check", "--no-reasoner"]) == 1
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith("quotes")]
    assert "FAIL" in line and "missing.txt" in line
