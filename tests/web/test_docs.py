"""The service's documentation agrees with its code: settings, metrics and problem types."""

import os
import re
import subprocess
import sys

import pytest

from nelmkg import paths
from nelmkg.graph import startcache
from nelmkg.web import settings
from nelmkg.web.metrics import Metrics
from nelmkg.web.problems import PROBLEM_TYPES

SETTINGS = settings.SERVER_SETTINGS + settings.SETTINGS  # in the docs' order


def text(name: str) -> str:
    return (paths.root() / name).read_text(encoding="utf-8")


def table(name: str, heading: str) -> list[list[str]]:
    """Return the rows (cells, without backticks) of the table under ``heading`` in ``name``."""
    section = text(name).split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip().replace("`", "") for cell in line.strip("|").split("|")])
        elif rows:
            break
    return rows[2:]  # without the header and the rule


def help_rows() -> list[tuple[str, str, str, str]]:
    """Return (variable, flag, default, meaning) of every option ``nelmkg serve --help`` prints
    (the real command, its output read back as a user reads it; backticks dropped)."""
    done = subprocess.run(
        [sys.executable, "-m", "nelmkg.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "5000"},  # no wrapping (it splits "Retry-After")
        check=True,
    )
    options = done.stdout.split("options:", 1)[1]
    words = " ".join(options.replace("`", "").split())  # argparse wraps and indents
    found = re.findall(
        r"(--[a-z-]+) (?:VALUE|FILE \[FILE \.\.\.\]) (.+?) \[([A-Z_]+); default: ([^\]]+)\]",
        words,
    )
    listed = re.findall(r"^  (--[a-z-]+)", options, re.MULTILINE)  # every flag, read or not
    assert [flag for flag, *_ in found] == listed, "a flag without [VARIABLE; default: ...]"
    return [(env, flag, default, meaning) for flag, meaning, env, default in found]


def test_the_settings_table_is_what_serve_help_prints():
    documented = [tuple(row) for row in table("docs/operations.md", "## Settings")]
    assert documented == help_rows()


def test_the_settings_table_lists_every_setting_with_its_flag_and_default():
    documented = [tuple(row[:3]) for row in table("docs/operations.md", "## Settings")]
    expected = [(s.env, s.option, s.shown.replace("`", "")) for s in SETTINGS]
    assert documented == expected


def test_readme_names_no_unknown_variable():
    known = {s.env for s in SETTINGS} | {"NELMKG_ROOT", "NELMKG_REVIEW", startcache.ENV}
    docs = text("README.md") + text("docs/service.md") + text("docs/operations.md")
    named = set(re.findall(r"NELMKG_[A-Z_]+", docs))
    assert named <= known, f"documented but unknown: {sorted(named - known)}"


def test_the_metrics_table_lists_every_metric_with_its_type():
    exposed = Metrics().exposition(None)[0].decode("utf-8")
    types = set(re.findall(r"^# TYPE (\S+) (\S+)$", exposed, re.MULTILINE))
    types = {(name, kind) for name, kind in types if not name.endswith("_created")}
    documented = {(row[0], row[1]) for row in table("docs/operations.md", "## Metrics")}
    assert documented == types


@pytest.mark.parametrize("slug", sorted(PROBLEM_TYPES))
def test_every_problem_type_is_documented(slug):
    assert f"| `{slug}` |" in text("docs/service.md")


def test_no_undocumented_problem_type_is_listed():
    listed = set(
        re.findall(r"^\| `([a-z0-9-]+)` \| \d{3} \|", text("docs/service.md"), re.MULTILINE)
    )
    assert listed == set(PROBLEM_TYPES)
