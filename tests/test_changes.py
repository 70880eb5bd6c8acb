"""``nelmkg diff`` reports edits an author would make, field by field, in every format.

The old side is the data root copied as is; the new side is the same copy with hand-made edits
(the expected lines below are written from those edits, not from the program's output).
"""

from __future__ import annotations

import json
import shutil

import pytest

from nelmkg import paths
from nelmkg.changes import changelog
from nelmkg.changes.cli import diff, previous_release
from nelmkg.changes.sources import SourceError, load_side
from nelmkg.cli import main
from nelmkg.graph.version import project_version

NEW_CLAIM = """
claim:test-added-claim a nelm:EvidenceClaim ;
    rdfs:label "A claim added by the test"@en .
"""


def copy_root(target):
    for folder in ("ontology", "kg", "shapes"):
        shutil.copytree(paths.root() / folder, target / folder)
    return target


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{path}: {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    old = copy_root(tmp_path_factory.mktemp("old"))
    new = copy_root(tmp_path_factory.mktemp("new"))
    criteria = new / "kg" / "criteria.ttl"
    text = criteria.read_text(encoding="utf-8")
    start = text.index("crit:resection-high-grade-exception-ki67 a nelm:Criterion ;")
    end = text.index("nelm:thresholdValue 55 ;", start) + len("nelm:thresholdValue 55 ;")
    criteria.write_text(text[: end - 4] + "50 ;" + text[end:], encoding="utf-8")
    edit(
        new / "kg" / "claims-resection.ttl",
        "cito:citesAsEvidence ref:19 ;\n    nelm:studyDesign nelm:DesignNotStated ;\n"
        "    nelm:aboutTherapy th:hepatic-resection ;\n    nelm:comparesWith",
        "cito:citesAsEvidence ref:19, ref:22 ;\n    nelm:studyDesign nelm:DesignNotStated ;\n"
        "    nelm:aboutTherapy th:hepatic-resection ;\n    nelm:comparesWith",
    )
    with (new / "kg" / "claims-resection.ttl").open("a", encoding="utf-8") as handle:
        handle.write(NEW_CLAIM)
    return old, new


@pytest.fixture(scope="module")
def changes(sides):
    old, new = sides
    return diff(load_side(str(old)), load_side(str(new)))


def kind(changes, key):
    return next(k for k in changes.kinds if k.key == key)


def test_threshold_change_is_one_field(changes):
    (crit,) = kind(changes, "criteria").changed
    assert crit.iri.endswith("criterion/resection-high-grade-exception-ki67")
    (field,) = crit.fields
    assert (field.field, field.old, field.new) == ("threshold value", ("55",), ("50",))


def test_reference_added_to_a_claim(changes):
    claims = {c.iri.rsplit("/", 1)[1]: c for c in kind(changes, "claims").changed}
    assert set(claims) == {"no-rct-surgery-vs-non-surgical"}
    (field,) = claims["no-rct-surgery-vs-non-surgical"].fields
    assert field.field == "cito:citesAsEvidence"
    assert [v.split()[0] for v in field.added] == ["ref:22"] and field.removed == ()


def test_claim_added_and_nothing_else(changes):
    added = kind(changes, "claims").added
    assert [e.iri.rsplit("/", 1)[1] for e in added] == ["test-added-claim"]
    counts = {k.key: k.counts() for k in changes.kinds}
    assert counts["claims"] == {"added": 1, "removed": 0, "changed": 1}
    assert counts["criteria"] == {"added": 0, "removed": 0, "changed": 1}
    for other in ("recommendations", "criteria-sets", "references", "ambiguities"):
        assert counts[other] == {"added": 0, "removed": 0, "changed": 0}, other


def test_identical_sides_have_no_changes(sides):
    old, _ = sides
    assert diff(load_side(str(old)), load_side(".")).empty()


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_cli_formats(sides, tmp_path, fmt):
    old, new = sides
    out = tmp_path / f"changes.{fmt}"
    assert main(["diff", str(old), str(new), "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        data = json.loads(text)
        assert data["summary"]["criteria"]["changed"] == 1
        (crit,) = next(k for k in data["kinds"] if k["key"] == "criteria")["changed"]
        assert crit["fields"][0]["old"] == ["55"] and crit["fields"][0]["new"] == ["50"]
    else:
        assert "threshold value: `55` → `50`" in text
        assert "crit:resection-high-grade-exception-ki67" in text
    if fmt == "html":
        assert text.startswith("<!doctype html>") and "<script" not in text


def test_release_folder_and_git_ref_sides(tmp_path, capsys):
    """A release folder and a git revision load as the same data as the checkout."""
    assert main(["release", "-o", str(tmp_path / "rel")]) == 0
    assert diff(load_side(str(tmp_path / "rel")), load_side(".")).empty()
    head = load_side("HEAD")
    assert head.name == "HEAD" and len(head.kg) > 0


def test_unknown_side_is_one_line_exit_2(capsys):
    assert main(["diff", "no-such-ref-or-folder", "."]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    with pytest.raises(SourceError):
        load_side("no-such-ref-or-folder")


def test_changelog_entry_is_up_to_date():
    version = project_version()
    previous = previous_release(version)
    changes = diff(load_side(previous), load_side("."))
    changes.new = version
    committed = changelog.current_entry(paths.checkout() / "CHANGELOG.md", version)
    assert committed == changelog.entry(changes, version), (
        f"CHANGELOG.md's {version} entry is stale: run `nelmkg changelog` and commit it"
    )
