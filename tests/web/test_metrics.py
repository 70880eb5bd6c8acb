"""``/metrics`` in-process: each counter moves by what the test did, read back through
prometheus-client's own parser of the exposition (never through the objects that count).

The two-worker sum under ``nelmkg serve`` is ``test_metrics_live.py``.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import tomllib
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from prometheus_client.parser import text_string_to_metric_families

from nelmkg.query.cache import AnswerCache
from nelmkg.query.evaluator import ClientGone, EvaluationTimeout, Evaluator, EvaluatorCrashed

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ROWS = "SELECT ?s WHERE { ?s a ?c }"


def scrape(client) -> dict[tuple[str, frozenset], float]:
    """Return every sample of ``/metrics``: (name, labels) -> value."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.data.decode("utf-8")):
        for sample in family.samples:
            samples[sample.name, frozenset(sample.labels.items())] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_a_request_is_counted_by_route_method_and_status(client):
    before = scrape(client)
    assert client.get("/version").status_code == 200
    assert client.get("/queries/no-such-query").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    assert client.open("/version", method="BREW").status_code == 405
    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("nelmkg_http_requests_total", route="/version", method="GET", status="200") == 1
    assert (
        moved("nelmkg_http_requests_total", route="/queries/<name>", method="GET", status="404")
        == 1
    )
    assert (
        moved("nelmkg_http_requests_total", route="(unmatched)", method="GET", status="404") == 1
    )
    # a made-up method is not a label value of its own (the label set stays bounded)
    assert moved("nelmkg_http_requests_total", route="(unmatched)", method="other", status="405")
    assert moved("nelmkg_http_request_duration_seconds_count", route="/version") == 1
    assert moved("nelmkg_http_request_duration_seconds_bucket", route="/version", le="+Inf") == 1


def test_openmetrics_when_asked(client):
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert response.mimetype == "application/openmetrics-text"
    assert response.data.rstrip().endswith(b"# EOF")


def test_cache_hits_misses_and_truncated_answers(make_app, service, monkeypatch):
    monkeypatch.setattr(service, "cache", AnswerCache(1024 * 1024))
    client = make_app(MAX_ROWS=1).test_client()
    query = f"{ROWS} # {time.time_ns()}"  # a query no other test has put in a cache
    before = scrape(client)
    for _ in range(3):
        reply = client.get("/sparql?query=" + quote(query))
        assert reply.headers.get("Nelmkg-Truncated") == "true"
    after = scrape(client)
    assert value(after, "nelmkg_answer_cache_misses_total") - value(
        before, "nelmkg_answer_cache_misses_total"
    ) == 1
    assert value(after, "nelmkg_answer_cache_hits_total") - value(
        before, "nelmkg_answer_cache_hits_total"
    ) == 2
    assert value(after, "nelmkg_answers_truncated_total") - value(
        before, "nelmkg_answers_truncated_total"
    ) == 3


def test_a_query_stopped_by_the_time_limit(make_app, assert_problem):
    client = make_app(QUERY_TIMEOUT=0.5).test_client()
    before = scrape(client)
    assert_problem(client.get("/sparql?query=" + quote(CROSS_PRODUCT)), 503, "query-timeout")
    after = scrape(client)
    assert value(after, "nelmkg_timeouts_total", lane="query") - value(
        before, "nelmkg_timeouts_total", lane="query"
    ) == 1
    assert value(after, "nelmkg_timeouts_total", lane="case") == value(
        before, "nelmkg_timeouts_total", lane="case"
    )
    restarts = {"pool": "query", "reason": "timeout"}
    assert value(after, "nelmkg_evaluator_restarts_total", **restarts) - value(
        before, "nelmkg_evaluator_restarts_total", **restarts
    ) == 1


def manifest_batch() -> tuple[list[dict], Counter, Counter]:
    """Return the manifest's plain-JSON cases, the expected cases by well_formed and the
    expected (option, status) verdicts — from the manifest's hand-written expectations."""
    with (CASES / "manifest.toml").open("rb") as handle:
        entries = tomllib.load(handle)["case"]
    every_option = set().union(*(e.get("options", {}) for e in entries))
    cases, by_form, verdicts = [], Counter(), Counter()
    for entry in entries:
        if not entry["file"].endswith(".json") or "error" in entry:
            continue
        doc = json.loads((CASES / entry["file"]).read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or doc.get("resourceType"):
            continue
        if entry["well_formed"] and set(entry.get("options", {})) != every_option:
            continue  # its expectations do not name every option
        cases.append(doc)
        by_form["true" if entry["well_formed"] else "false"] += 1
        if entry["well_formed"]:
            verdicts.update(entry["options"].items())
    return cases, by_form, verdicts


def test_cases_assessed_by_option_and_status(client):
    cases, by_form, verdicts = manifest_batch()
    assert by_form["true"] >= 2 and by_form["false"] >= 1, by_form
    before = scrape(client)
    reply = client.post("/assess", data=json.dumps(cases), content_type="application/json")
    assert reply.status_code == 200 and len(reply.get_json()) == len(cases)
    after = scrape(client)
    for well_formed, n in by_form.items():
        labels = {"well_formed": well_formed}
        assert value(after, "nelmkg_cases_total", **labels) - value(
            before, "nelmkg_cases_total", **labels
        ) == n
    moved = Counter()
    for (name, labels), count in after.items():
        if name == "nelmkg_cases_assessed_total":
            found = dict(labels)
            delta = count - before.get((name, labels), 0.0)
            if delta:
                moved[found["option"], found["status"]] = delta
    assert moved == verdicts


def test_a_fhir_bundle_on_assess_is_counted(client):
    body = client.get("/fhir/examples/sample-bundle.json").data
    before = scrape(client)
    reply = client.post("/assess", data=body, content_type="application/fhir+json")
    assert reply.status_code == 200
    options = reply.get_json()["options"]
    after = scrape(client)
    assert value(after, "nelmkg_cases_total", well_formed="true") - value(
        before, "nelmkg_cases_total", well_formed="true"
    ) == 1
    for option, verdict in options.items():
        labels = {"option": option, "status": verdict["status"]}
        assert value(after, "nelmkg_cases_assessed_total", **labels) - value(
            before, "nelmkg_cases_assessed_total", **labels
        ) == 1


# The evaluator's restart hook, told each reason by the event that causes it.


def _sleep(seconds):
    time.sleep(seconds)
    return os.getpid()


def _crash(_):
    os.abort()  # dies by SIGABRT: crashed on its own, not killed from outside


HANDLERS = {"sleep": _sleep, "crash": _crash}


def test_each_restart_is_reported_with_its_reason():
    reasons: list[str] = []
    evaluator = Evaluator(HANDLERS, on_restart=reasons.append)
    try:
        pid = evaluator.call("sleep", 0, 5)
        assert reasons == [], "a first start is not a restart"
        with pytest.raises(EvaluationTimeout):
            evaluator.call("sleep", 5, 0.2)
        with pytest.raises(ClientGone):
            evaluator.call("sleep", 5, 10, cancelled=lambda: True)
        with pytest.raises(EvaluatorCrashed):
            evaluator.call("crash", None, 5)
        pid = evaluator.call("sleep", 0, 5)
        threading.Timer(0.3, os.kill, (pid, signal.SIGKILL)).start()
        with pytest.raises(EvaluatorCrashed):
            evaluator.call("sleep", 5, 10)
        pid = evaluator.call("sleep", 0, 5)
        os.kill(pid, signal.SIGKILL)  # while idle: found dead by the next call
        time.sleep(0.2)
        evaluator.call("sleep", 0, 5)
        assert reasons == ["timeout", "client-gone", "crashed", "killed", "dead"]
    finally:
        evaluator.close()
