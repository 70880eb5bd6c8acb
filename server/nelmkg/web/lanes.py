"""Separate capacity for slow work: pools of evaluator processes and lanes that admit requests.

A worker serves requests on a fixed number of threads. Work that may be slow — a SPARQL query
(up to the query time limit) and reading and checking a patient case — runs in evaluator
processes (:class:`~nelmkg.query.evaluator.Evaluator`), never in the thread itself, and
reaches them through a :class:`Lane`:

- a lane admits at most ``admit`` requests at a time (running or waiting for a free evaluator)
  and at most ``per_client`` from one client address; a request beyond either is refused at
  once with :class:`Busy` (503 or 429 with ``Retry-After``), so it never holds a thread;
- what a lane admits waits for one of the ``size`` evaluators of its :class:`EvaluatorPool`,
  a short while for a query (:data:`QUERY_WAIT`: a burst of quick queries queues, a query
  behind slow ones is refused), up to the time limit for a case (cases are quick).

The worker's thread count is the sum of the lanes' admissions plus threads kept for everything
else (``/healthz``, pages, descriptions), so slow queries can fill the query lane without
touching the answers of other routes (``nelmkg.web.serve`` sizes it; ``docs/service.md``).
Counts are per worker process: a worker that dies takes its counts with it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from nelmkg.query.evaluator import (
    ClientGone,
    EvaluationTimeout,
    Evaluator,
    EvaluatorCrashed,
    EvaluatorError,
    EvaluatorKilled,
    Handler,
    Spawner,
)

# What a call through a lane may raise, for the routes (which do not import the query room).
__all__ = [
    "Busy",
    "ClientGone",
    "EvaluationTimeout",
    "EvaluatorCrashed",
    "EvaluatorError",
    "EvaluatorKilled",
    "EvaluatorPool",
    "Lane",
    "PoolTimeout",
    "thread_count",
]

# Requests the case lane admits per case evaluator (running or waiting: cases are quick).
CASE_QUEUE = 16
# Requests the query lane admits per query evaluator (one running, one waiting), and how long
# a waiting query may wait for a free evaluator before it is refused (503, Retry-After).
QUERY_QUEUE = 2
QUERY_WAIT = 0.5
# Threads of a worker kept for everything but queries and cases (health, pages, descriptions).
SPARE_THREADS = 4


def thread_count(config: Mapping[str, Any]) -> int:
    """Return a worker's threads: the query lane, the case lane and :data:`SPARE_THREADS`."""
    lanes = config["QUERY_SLOTS"] * QUERY_QUEUE + config["CASE_SLOTS"] * CASE_QUEUE
    return lanes + SPARE_THREADS


class Busy(Exception):
    """A lane is full (``per_client`` False) or this client has its share (True)."""

    def __init__(self, lane: str, per_client: bool) -> None:
        super().__init__(f"{lane} lane full" + (" for this client" if per_client else ""))
        self.lane = lane
        self.per_client = per_client


class PoolTimeout(EvaluatorError):
    """No evaluator of the pool became free in time."""


class EvaluatorPool:
    """``size`` evaluator processes running the same ``handlers``, one job each at a time;
    ``on_restart`` is told the reason whenever one of them is replaced (metrics)."""

    def __init__(
        self,
        handlers: dict[str, Handler],
        size: int = 1,
        memory_mb: int = 0,
        read_roots: tuple[str, ...] = (),
        niceness: int = 0,
        on_restart: Callable[[str], None] | None = None,
        retire_mb: int = 0,
        network: tuple[tuple[str, int], ...] = (),
    ) -> None:
        self.size = size
        spawner = Spawner()
        self._all = [
            Evaluator(
                handlers, memory_mb, read_roots, niceness, spawner, on_restart, retire_mb, network
            )
            for _ in range(size)
        ]
        self._idle = list(self._all)
        self._ready = threading.Condition()

    @property
    def pid(self) -> int | None:
        """Return the first evaluator's process id (None when not started in this process)."""
        return self._all[0].pid

    @property
    def pids(self) -> list[int]:
        """Return the process ids of the evaluators started in this process."""
        return [e.pid for e in self._all if e.pid is not None]

    def start(self) -> None:
        """Fork every evaluator now (gunicorn's ``post_fork``: before any thread exists)."""
        for evaluator in self._all:
            evaluator.start()

    def close(self) -> None:
        """Kill every evaluator this process started."""
        for evaluator in self._all:
            evaluator.close()

    @contextlib.contextmanager
    def _one(self, wait: float | None) -> Iterator[Evaluator]:
        deadline = None if wait is None else time.monotonic() + wait
        with self._ready:
            while not self._idle:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise PoolTimeout("no evaluator free")
                self._ready.wait(left)
            evaluator = self._idle.pop()
        try:
            yield evaluator
        finally:
            with self._ready:
                self._idle.append(evaluator)
                self._ready.notify()

    def call(
        self,
        op: str,
        payload: Any,
        timeout: float,
        cancelled: Callable[[], bool] | None = None,
        wait: float | None = None,
    ) -> Any:
        """Run ``op`` on a free evaluator (waiting at most ``wait`` s for one; None: as long
        as it takes) with the time limit ``timeout``; see :meth:`Evaluator.call`."""
        with self._one(wait) as evaluator:
            return evaluator.call(op, payload, timeout, cancelled)

    def idle(self) -> int:
        """Return how many evaluators are free right now."""
        with self._ready:
            return len(self._idle)


class Lane:
    """Admission to a pool: at most ``admit`` requests, ``per_client`` per address (0: any)."""

    def __init__(self, name: str, admit: int, per_client: int = 0) -> None:
        self.name = name
        self.admit = admit
        self.per_client = per_client
        self._lock = threading.Lock()
        self._inside = 0
        self._by_client: Counter[str] = Counter()

    @contextlib.contextmanager
    def enter(self, client: str | None) -> Iterator[None]:
        """Hold a place in the lane for the block; raise :class:`Busy` if there is none."""
        key = client or ""
        with self._lock:
            if self._inside >= self.admit:
                raise Busy(self.name, per_client=False)
            if self.per_client and self._by_client[key] >= self.per_client:
                raise Busy(self.name, per_client=True)
            self._inside += 1
            self._by_client[key] += 1
        try:
            yield
        finally:
            with self._lock:
                self._inside -= 1
                self._by_client[key] -= 1
                if not self._by_client[key]:
                    del self._by_client[key]

    @property
    def inside(self) -> int:
        """Return how many requests hold a place now."""
        return self._inside
