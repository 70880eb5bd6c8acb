"""``/metrics`` of a real ``nelmkg serve`` with 2 gunicorn workers: one scrape counts the
requests of both workers (prometheus-client's multiprocess mode), a worker that leaves keeps
its counts in the sums, and the private directory of the counts is gone after the server.

Which worker answered is read from ``/healthz`` (``worker``: its pid, checked against the
master's children), so the test knows how the requests were shared before it scrapes.
"""

from __future__ import annotations

import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from nelmkg.testing import live

HEALTHZ = ("nelmkg_http_requests_total", {"route": "/healthz", "method": "GET", "status": "200"})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A 2-worker server whose temporary files go to a folder of the test's own."""
    tmp = tmp_path_factory.mktemp("metrics-live")
    port = live.free_port()
    env = {**os.environ, "TMPDIR": str(tmp)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with live.running(live.serve_command(port, 2), port, env=env, log=tmp / "server.log") as run:
        wait_for_workers(run, 2)  # /healthz answers once the first worker is up
        yield run, tmp
    assert not list(tmp.glob("nelmkg-metrics-*")), "the private metrics folder must be removed"


def wait_for_workers(run: live.LiveServer, count: int, limit: float = 60) -> list[int]:
    """Wait until gunicorn's master has ``count`` workers; return their ids."""
    deadline = time.monotonic() + limit
    while len(workers := live.children(run.process.pid)) != count:
        if time.monotonic() > deadline:
            pytest.fail(f"gunicorn has {len(workers)} workers, not {count}")
        time.sleep(0.2)
    return workers


def scrape(base: str) -> float:
    reply = live.fetch(base, "GET", "/metrics")
    assert reply.status_code == 200
    name, labels = HEALTHZ
    for family in text_string_to_metric_families(reply.data.decode("utf-8")):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


def healthz_workers(base: str, count: int) -> list[int]:
    """Send ``count`` /healthz requests, 8 at a time on fresh connections; return who answered."""

    def one(_):
        reply = live.fetch(base, "GET", "/healthz")
        assert reply.status_code == 200
        return int(json.loads(reply.data)["worker"])

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(count)))


def served_by_both(run: live.LiveServer) -> list[int]:
    """Send /healthz requests until both workers have answered some; return who answered."""
    workers = set(wait_for_workers(run, 2))
    answered: list[int] = []
    while len(set(answered)) < 2 and len(answered) < 2000:
        answered += healthz_workers(run.base, 40)
    assert set(answered) == workers, "both workers must have answered some requests"
    return answered


def test_one_scrape_counts_the_requests_of_both_workers(server):
    (run, _) = server
    before = scrape(run.base)
    answered = served_by_both(run)
    after = scrape(run.base)
    assert after - before == len(answered), (after, before, len(answered))


def test_a_worker_that_leaves_keeps_its_counts(server):
    (run, tmp) = server
    (folder,) = tmp.glob("nelmkg-metrics-*")
    answered = served_by_both(run)
    counted = scrape(run.base)
    leaving = answered[0]  # a worker that has counted some requests
    os.kill(leaving, signal.SIGTERM)  # a graceful exit; gunicorn starts a replacement
    deadline = time.monotonic() + 30
    while leaving in wait_for_workers(run, 2):
        if time.monotonic() > deadline:
            pytest.fail("gunicorn did not replace the worker")
        time.sleep(0.2)
    time.sleep(1)  # the replacement starts its evaluators and serves
    assert folder.is_dir(), "a leaving worker must not remove the master's metrics folder"
    assert scrape(run.base) == counted
