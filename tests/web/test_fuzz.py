"""Property-based fuzzing of the case API and the query routes (issue 12): never a 500.

Hypothesis generates bodies, media types, ``Accept`` headers, query strings and named-query
parameters (:mod:`nelmkg.testing.fuzz`); every answer must be a 2xx, or a problem+json 4xx or
503. CI runs a fixed seed and a modest number of examples per route; ``bench/fuzz.py`` runs
thousands against a live server. The app's evaluators are real child processes.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, seed, settings

from nelmkg.testing import fuzz

EXAMPLES = 120
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def fuzz_client(make_app):
    return make_app(QUERY_TIMEOUT=2.0, CASE_TIMEOUT=5.0).test_client()


def send(client, request: fuzz.Request):
    response = client.open(
        request.path, method=request.method, data=request.body, headers=request.headers
    )
    wrong = fuzz.acceptable(
        response.status_code,
        response.content_type or "",
        response.data,
        response.headers.get("Location"),
        request.headers.get("Accept"),
    )
    assert wrong is None, (wrong, request, response.data[:300])


@pytest.mark.parametrize("route", ["/assess", "/validate"])
def test_case_routes_never_fail(fuzz_client, route):
    @seed(2020)
    @FUZZ
    @given(fuzz.case_requests(route))
    def check(request):
        send(fuzz_client, request)

    check()


@seed(2020)
@FUZZ
@given(request=fuzz.sparql_requests())
def test_sparql_never_fails(fuzz_client, request):
    send(fuzz_client, request)


def test_named_queries_never_fail(fuzz_client, service):
    names = sorted(service.named)

    @seed(2020)
    @FUZZ
    @given(fuzz.named_requests(names))
    def check(request):
        send(fuzz_client, request)

    check()
