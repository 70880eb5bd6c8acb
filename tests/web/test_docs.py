"""The service's documentation agrees with its code: settings and problem types."""

import re

import pytest

from nelmkg import paths
from nelmkg.web import settings
from nelmkg.web.problems import PROBLEM_TYPES

SETTINGS = settings.SETTINGS + settings.SERVER_SETTINGS


def text(name: str) -> str:
    return (paths.root() / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.env for s in SETTINGS])
def test_every_setting_is_documented_in_the_readme(setting):
    assert f"`{setting.env}`" in text("README.md"), f"README.md does not document {setting.env}"


def test_readme_names_no_unknown_variable():
    known = {s.env for s in SETTINGS} | {"NELMKG_ROOT", "NELMKG_REVIEW"}
    named = set(re.findall(r"NELMKG_[A-Z_]+", text("README.md") + text("docs/service.md")))
    assert named <= known, f"documented but unknown: {sorted(named - known)}"


@pytest.mark.parametrize("slug", sorted(PROBLEM_TYPES))
def test_every_problem_type_is_documented(slug):
    assert f"| `{slug}` |" in text("docs/service.md")


def test_no_undocumented_problem_type_is_listed():
    listed = set(
        re.findall(r"^\| `([a-z0-9-]+)` \| \d{3} \|", text("docs/service.md"), re.MULTILINE)
    )
    assert listed == set(PROBLEM_TYPES)
