"""Every route that reads a case body does it in a case evaluator, under ``CASE_TIMEOUT``.

Each row posts a body whose reading takes far longer than 50 ms (hundreds of cases, thousands
of triples, a Bundle of 900 entries). With the default limit the route answers as the API says;
with ``CASE_TIMEOUT=0.05`` it must answer 503 ``case-timeout`` while the service keeps
answering: a route that parsed or assessed its body in the web thread would answer as before.
Bundles of FHIR callers and CDS Hooks calls were once read in the web thread (issue 12's
"left alone"); they are rows here like the plain routes.
"""

from __future__ import annotations

import json

import pytest

from nelmkg.testing.fhir_bundles import case_observation, make_bundle, quantity

from .conftest import check_problem

LIMIT = 0.05  # seconds; each body below takes several times this to read
CASES = json.dumps([{"id": f"p{i}", "ki67_pct": 12} for i in range(500)]).encode()
# One case and 10,000 triples about other nodes: parsed whole, then refused (not one case).
TURTLE = (
    "@prefix nelm: <https://w3id.org/nelmkg/ontology#> .\n<urn:p1> a nelm:Patient .\n"
    + "".join(f"<urn:x:{i}> <urn:p> {i} .\n" for i in range(10_000))
).encode()
BUNDLE = make_bundle(
    *(case_observation("ki67_pct", **quantity(12, "%")) for _ in range(900)),
    patient={"id": "case-01"},
)
CDS_CALL = {
    "hook": "patient-view",
    "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
    "context": {"patientId": "case-01"},
    "prefetch": {"case": BUNDLE},
}

# (path, body, Content-Type, Accept, status with the default limit)
ROUTES = [
    ("/assess", CASES, "application/json", "application/json", 200),
    ("/validate", TURTLE, "text/turtle", "text/turtle", 422),
    ("/assess", json.dumps(BUNDLE).encode(), "application/fhir+json", "application/json", 200),
    ("/validate", json.dumps(BUNDLE).encode(), "application/fhir+json", "text/turtle", 200),
    ("/assess", json.dumps([BUNDLE]).encode(), "application/json", "application/json", 200),
    (
        "/cds-services/nelmkg-treatment-options",
        json.dumps(CDS_CALL).encode(),
        "application/json",
        "*/*",
        200,
    ),
]
IDS = ["assess", "validate", "fhir-assess", "fhir-validate", "bundle-as-json", "cds"]


def _post(client, path, body, media, accept):
    return client.post(path, data=body, content_type=media, headers={"Accept": accept})


@pytest.mark.parametrize(("path", "body", "media", "accept", "status"), ROUTES, ids=IDS)
def test_the_route_answers_with_the_default_limit(client, path, body, media, accept, status):
    response = _post(client, path, body, media, accept)
    assert response.status_code == status, response.data[:300]


@pytest.mark.parametrize(("path", "body", "media", "accept", "status"), ROUTES, ids=IDS)
def test_the_body_is_read_under_the_case_time_limit(make_app, path, body, media, accept, status):
    client = make_app(CASE_TIMEOUT=LIMIT).test_client()
    response = _post(client, path, body, media, accept)
    problem = check_problem(response, 503, "case-timeout")
    assert problem["limit_seconds"] == LIMIT
    assert client.get("/healthz").status_code == 200
