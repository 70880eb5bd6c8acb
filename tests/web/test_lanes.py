"""Lanes and evaluator pools in-process: admission, per-client shares, kills and departures."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from nelmkg.query.evaluator import ClientGone, Evaluator, EvaluatorKilled
from nelmkg.web.lanes import Busy, EvaluatorPool, Lane, PoolTimeout


def _sleep(seconds):
    time.sleep(seconds)
    return os.getpid()


HANDLERS = {"sleep": _sleep}


@pytest.mark.parametrize(
    ("admit", "per_client", "clients", "admitted", "refusals"),
    [
        (3, 0, ["a", "a", "a", "a"], 3, [False]),
        (3, 1, ["a", "a", "b", "c"], 3, [True]),
        (4, 2, ["a", "a", "a", "b", "b", "c"], 4, [True, False]),
        (1, 0, ["a", "b"], 1, [False]),
    ],
)
def test_lane_admission(admit, per_client, clients, admitted, refusals):
    lane = Lane("query", admit, per_client)
    held, refused = [], []
    for client in clients:
        block = lane.enter(client)
        try:
            block.__enter__()
            held.append(block)
        except Busy as exc:
            refused.append(exc.per_client)
    assert len(held) == admitted and refused == refusals
    for block in held:
        block.__exit__(None, None, None)
    assert lane.inside == 0
    with lane.enter("a"):  # every place is free again
        assert lane.inside == 1


def test_pool_waits_for_a_free_evaluator_then_gives_up():
    pool = EvaluatorPool(HANDLERS, size=1)
    try:
        thread = threading.Thread(target=pool.call, args=("sleep", 1.0, 5))
        thread.start()
        time.sleep(0.3)
        assert pool.idle() == 0
        with pytest.raises(PoolTimeout):
            pool.call("sleep", 0, 5, wait=0.1)
        assert pool.call("sleep", 0, 5, wait=3) > 0  # once the first job is done
        thread.join()
    finally:
        pool.close()


def test_query_evaluators_run_at_lower_priority():
    pool = EvaluatorPool(HANDLERS, size=1, niceness=10)
    try:
        pid = pool.call("sleep", 0, 5)
        nice = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
        assert nice == 10
    finally:
        pool.close()


def test_an_evaluator_killed_from_outside_is_reported_as_killed():
    evaluator = Evaluator(HANDLERS)
    try:
        pid = evaluator.call("sleep", 0, 5)
        threading.Timer(0.3, os.kill, (pid, signal.SIGKILL)).start()
        with pytest.raises(EvaluatorKilled):
            evaluator.call("sleep", 5, 10)
        assert evaluator.call("sleep", 0, 5) != pid  # replaced
    finally:
        evaluator.close()


def test_a_departed_client_stops_the_job():
    evaluator = Evaluator(HANDLERS)
    gone_at = time.monotonic() + 0.3
    try:
        pid = evaluator.call("sleep", 0, 5)
        started = time.monotonic()
        with pytest.raises(ClientGone):
            evaluator.call("sleep", 30, 60, cancelled=lambda: time.monotonic() > gone_at)
        assert time.monotonic() - started < 1.0
        assert not Path(f"/proc/{pid}").exists(), "the job's process must be gone"
    finally:
        evaluator.close()
