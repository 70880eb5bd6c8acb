"""Units of work through N worker processes, results in input order, memory bounded.

At most two units per worker are in flight: the reader never runs ahead of the workers, so
memory does not grow with the input. With one job everything runs in this process.

Each worker process receives the run's :class:`~nelmkg.eligibility.stream.work.Settings` once, from
the pool's initializer, and keeps it for its life in :data:`_WORKER` (its engines are built
there on first use, once per worker, not once per unit). Only worker processes write that slot.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from nelmkg.eligibility.stream.work import Done, Settings, assess_unit

IN_FLIGHT_PER_JOB = 2
_WORKER: dict[str, Settings] = {}  # in a worker process: the settings of its run


def _start(settings: Settings) -> None:
    _WORKER["settings"] = settings


def _assess(unit) -> Done:
    return assess_unit(unit, _WORKER["settings"])


def assess_units(units: Iterable, settings: Settings, jobs: int = 1) -> Iterator[Done]:
    """Yield each unit's :class:`Done`, in the order of ``units``."""
    if jobs <= 1:
        for unit in units:
            yield assess_unit(unit, settings)
        return
    # fork: workers start at once and share the parent's parsed modules; elsewhere, spawn.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(jobs, context, initializer=_start, initargs=(settings,)) as pool:
        pending: deque = deque()
        for unit in units:
            pending.append(pool.submit(_assess, unit))
            if len(pending) >= IN_FLIGHT_PER_JOB * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
