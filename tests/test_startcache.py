"""The start-up cache keeps derived values between runs, and never hands back a stale one.

Each test points ``NELMKG_STARTUP_CACHE`` at its own folder. ``derive`` functions count their
calls: a value read from the cache did not call it.
"""

from __future__ import annotations

import json
import os
import pickle

import pytest
from tests.conftest import CASES_DIR

from nelmkg.eligibility.assessor import Assessor
from nelmkg.graph import startcache


@pytest.fixture
def folder(tmp_path, monkeypatch):
    where = tmp_path / "cache"
    monkeypatch.setenv(startcache.ENV, str(where))
    return where


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "data.ttl"
    path.write_text("<urn:x:a> <urn:x:b> 1 .\n")
    return path


def counting(value):
    calls = []

    def derive():
        calls.append(1)
        return value

    return derive, calls


def test_second_call_reads_the_entry(folder, source):
    derive, calls = counting({"answer": 42})
    assert startcache.cached("thing", [source], derive) == {"answer": 42}
    assert startcache.cached("thing", [source], derive) == {"answer": 42}
    assert len(calls) == 1
    assert [p.name.split(".")[0] for p in folder.iterdir()] == ["thing"]


def test_changed_content_derives_again_and_replaces_the_entry(folder, source):
    derive, calls = counting("v")
    startcache.cached("thing", [source], derive)
    source.write_text("<urn:x:a> <urn:x:b> 2 .\n")
    startcache.cached("thing", [source], derive)
    assert len(calls) == 2
    assert len(list(folder.glob("thing.*.pickle"))) == 1  # the old entry is gone


def test_changed_code_derives_again(folder, source, monkeypatch):
    derive, calls = counting("v")
    startcache.cached("thing", [source], derive)
    monkeypatch.setattr(startcache, "code_fingerprint", lambda: b"other code")
    startcache.cached("thing", [source], derive)
    assert len(calls) == 2


def test_off_writes_nothing(tmp_path, source, monkeypatch):
    monkeypatch.setenv(startcache.ENV, "off")
    derive, calls = counting("v")
    startcache.cached("thing", [source], derive)
    startcache.cached("thing", [source], derive)
    assert len(calls) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.ttl"]


def test_damaged_entry_is_derived_again_and_rewritten(folder, source):
    derive, calls = counting([1, 2])
    startcache.cached("thing", [source], derive)
    (entry,) = folder.glob("thing.*.pickle")
    entry.write_bytes(b"not a pickle")
    assert startcache.cached("thing", [source], derive) == [1, 2]
    assert pickle.loads(entry.read_bytes()) == [1, 2]
    assert len(calls) == 2


@pytest.mark.parametrize("what", ["file", "folder"])
def test_an_entry_others_may_write_is_not_read(folder, source, what):
    derive, calls = counting("mine")
    startcache.cached("thing", [source], derive)
    (entry,) = folder.glob("thing.*.pickle")
    entry.write_bytes(pickle.dumps("planted"))
    target = entry if what == "file" else folder
    os.chmod(target, target.stat().st_mode | 0o022)
    assert startcache.cached("thing", [source], derive) == "mine"
    assert len(calls) == 2


def test_an_unwritable_folder_still_gives_the_value(tmp_path, source, monkeypatch):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    monkeypatch.setenv(startcache.ENV, str(blocker / "cache"))
    derive, calls = counting("v")
    assert startcache.cached("thing", [source], derive) == "v"
    assert startcache.cached("thing", [source], derive) == "v"
    assert len(calls) == 2


def assessments(assessor: Assessor) -> list:
    cases = sorted(CASES_DIR.glob("*.json"))
    assert len(cases) > 10
    found = []
    for path in cases:
        try:
            found.append(assessor.assess(json.loads(path.read_text())))
        except Exception as exc:  # a fixture the reader refuses: the refusal is compared too
            found.append(repr(exc))
    return found


def test_an_assessor_from_the_cache_assesses_as_one_built_from_the_files(folder, monkeypatch):
    built = Assessor.from_repository()  # derives and writes the entries
    kinds = sorted(p.name.split(".")[0] for p in folder.glob("*.pickle"))
    assert kinds == ["assessor", "knowledge"]
    read = []
    real = startcache.cached

    def spy(kind, files, derive):
        read.append(kind)
        return real(kind, files, lambda: pytest.fail(f"{kind} derived again"))

    monkeypatch.setattr(startcache, "cached", spy)
    cached = Assessor.from_repository()
    assert read == ["assessor"]  # the KG is not parsed, nor read from the cache
    assert assessments(cached) == assessments(built)
    monkeypatch.setattr(startcache, "cached", real)
    monkeypatch.setenv(startcache.ENV, "off")
    assert assessments(cached) == assessments(Assessor.from_repository())
    assert len(cached.knowledge) == len(built.knowledge) > 8000  # the KG, parsed on demand
