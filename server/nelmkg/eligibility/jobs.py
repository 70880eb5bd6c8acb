"""Units of work through N worker processes, results in input order, memory bounded.

At most two units per worker are in flight: the reader never runs ahead of the workers, so
memory does not grow with the input. With one job everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from nelmkg.eligibility.work import Done, Settings, assess_unit

IN_FLIGHT_PER_JOB = 2


def assess_units(units: Iterable, settings: Settings, jobs: int = 1) -> Iterator[Done]:
    """Yield each unit's :class:`Done`, in the order of ``units``."""
    if jobs <= 1:
        for unit in units:
            yield assess_unit(unit, settings)
        return
    # fork: workers start at once and share the parent's parsed modules; elsewhere, spawn.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method)) as pool:
        pending: deque = deque()
        for unit in units:
            pending.append(pool.submit(assess_unit, unit, settings))
            if len(pending) >= IN_FLIGHT_PER_JOB * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
