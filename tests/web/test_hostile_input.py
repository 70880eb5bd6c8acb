"""Each hostile body of issue 12 gets its 4xx at once, in-process and on the live server.

The bodies and their expected answers are ``tests/data/web/hostile/manifest.toml`` (one entry
per finding). On the live server (``nelmkg serve``, 2 workers) the 32-byte huge-number bodies
must be answered in under 50 ms and the entity expansion in under 100 ms with no process left
burning CPU (medians of five tries, so one scheduling hiccup of a shared machine does not
decide).
"""

from __future__ import annotations

import statistics
import time
import tomllib
from pathlib import Path

import pytest

from nelmkg.testing import live

HOSTILE = Path(__file__).parent.parent / "data" / "web" / "hostile"
ENTRIES = tomllib.loads((HOSTILE / "manifest.toml").read_text(encoding="utf-8"))["body"]
ROUTES = ("/assess", "/validate")
# Answer-time bounds from the "Done when", by file.
WITHIN_MS = {
    "huge-exponent-age.json": 50,
    "huge-exponent-ki67.json": 50,
    "entity-expansion.rdf": 100,
}


def test_the_manifest_lists_every_file():
    listed = {entry["file"] for entry in ENTRIES}
    present = {p.name for p in HOSTILE.iterdir() if p.name != "manifest.toml"}
    assert listed == present and len(ENTRIES) == len(present)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_hostile_body_is_refused(client, assert_problem, route, entry):
    body = (HOSTILE / entry["file"]).read_bytes()
    response = client.post(route, data=body, content_type=entry["content_type"])
    assert_problem(response, entry["status"], entry["slug"])


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_hostile_body_on_the_live_server(live_server, assert_problem, entry):
    base, process, _ = live_server
    body = (HOSTILE / entry["file"]).read_bytes()
    headers = {"Content-Type": entry["content_type"]}
    live.fetch(base, "POST", "/assess", body, headers)  # warm-up: first use of a connection
    replies = [live.fetch(base, "POST", "/assess", body, headers) for _ in range(5)]
    for reply in replies:
        assert_problem(reply, entry["status"], entry["slug"])
    if entry["file"] in WITHIN_MS:
        median_ms = statistics.median(r.seconds for r in replies) * 1000
        assert median_ms < WITHIN_MS[entry["file"]], f"{median_ms:.1f} ms"
    pids = live.descendants(process.pid)
    before = live.cpu_seconds(pids)
    time.sleep(0.5)
    assert live.cpu_seconds(pids) - before < 0.2, "a process kept working after the answer"
