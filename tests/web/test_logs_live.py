"""The logs of a real ``nelmkg serve``: every line is a JSON object, each request's access line
carries the id returned in ``X-Request-Id``, and nothing a client sent — a case's values, a
query, a query string, a rejected request id — appears on any line.

Uses the session's live server (``live_server``: 2 workers, JSON logs by default), so the log
searched also holds every other live test's requests.
"""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import pytest

from nelmkg.testing import live

# Values no code path would write by itself: each is sent to the server in one place below.
MARKERS = {
    "case_id": "mkCaseId7Q3",
    "case_number": "61.734519",
    "unknown_key": "mk_unknown_key_4411",
    "bad_value": "mkBadValue9931",
    "literal": "mkLiteral5521",
    "query": "mkQueryText8812",
    "query_string": "mkQueryString2207",
    "request_id": "mkRejected 3318",
}
SANE_ID = "sane-req-4242"


def requests_with_markers(base: str) -> list[live.Reply]:
    """Send the requests carrying the markers; return the replies."""
    json_type = {"Content-Type": "application/json"}
    case = {"id": MARKERS["case_id"], "age_years": float(MARKERS["case_number"])}
    sent = [
        ("POST", "/assess", json.dumps(case), json_type),
        ("POST", "/assess", json.dumps([case, {"id": "x", MARKERS["unknown_key"]: 1}]), json_type),
        ("POST", "/assess", json.dumps({"age_years": MARKERS["bad_value"]}), json_type),
        (
            "POST",
            "/validate",
            '@prefix nelm: <https://w3id.org/nelmkg/ontology#> .\n'
            '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
            f'<c> a nelm:Patient ; nelm:ageYears "{MARKERS["literal"]}"^^xsd:decimal .\n',
            {"Content-Type": "text/turtle"},
        ),
        ("GET", "/sparql?query=" + quote(f'ASK {{ ?s ?p "{MARKERS["query"]}" }}'), None, {}),
        ("GET", f"/assess?note={MARKERS['query_string']}", None, {}),
        ("GET", "/version", None, {"X-Request-Id": MARKERS["request_id"]}),
        ("GET", "/version", None, {"X-Request-Id": SANE_ID}),
    ]
    return [
        live.fetch(base, method, path, body.encode() if body else None, headers)
        for method, path, body, headers in sent
    ]


@pytest.fixture(scope="module")
def logged(live_server):
    base, _, log = live_server
    replies = requests_with_markers(base)
    time.sleep(0.5)  # the workers' last lines reach the file
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return replies, lines


def test_the_requests_were_answered(logged):
    replies, _ = logged
    assert [r.status_code for r in replies] == [200, 200, 422, 200, 200, 405, 200, 200]


def test_every_line_is_a_json_object(logged):
    _, lines = logged
    assert len(lines) > len(logged[0])
    for line in lines:
        record = json.loads(line)
        assert {"time", "level", "logger", "pid", "message"} <= set(record), line


def test_each_request_has_an_access_line_with_its_id(logged):
    replies, lines = logged
    access = {}
    for line in lines:
        record = json.loads(line)
        if record["logger"] == "nelmkg.access":
            access[record["request_id"]] = record
    for reply in replies:
        record = access[reply.headers["x-request-id"]]
        assert record["status"] == reply.status_code
        assert record["message"].startswith(f"{record['method']} {record['path']} ")
    assert SANE_ID in access


@pytest.mark.parametrize("what", sorted(MARKERS))
def test_no_line_holds_what_a_client_sent(logged, what):
    _, lines = logged
    found = [line for line in lines if MARKERS[what] in line]
    assert not found, found[:3]
