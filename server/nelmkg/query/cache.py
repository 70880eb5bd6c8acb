"""A per-worker cache of recent answers: the data never changes while the service runs.

The store is loaded once and never written, so the same query (same text, dataset, formats,
row cap, base IRI and parameters) always has the same answer — except when it calls a
function whose value changes from call to call (``NOW``, ``RAND``, ``UUID``, ``STRUUID``,
``BNODE``): such queries are never cached. Each gunicorn worker keeps its own cache (the
master's empty one is copied by ``fork``), bounded in bytes; the least recently used answers
go first, answers over a sixteenth of the budget and HTML pages are not kept. ``NELMKG_CACHE``
sets the budget per worker (0 turns the cache off).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from nelmkg.query.jobs import Answer, Job

VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


class AnswerCache:
    """Answers keyed by their :class:`Job`, at most ``max_bytes`` of bodies in all."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[Job, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def cacheable(self, job: Job) -> bool:
        """Return True if ``job``'s answer may be reused."""
        return self.max_bytes > 0 and not VOLATILE.search(job.query)

    def get(self, job: Job) -> Answer | None:
        """Return the kept answer to ``job`` (marking it recently used), or None."""
        with self._lock:
            answer = self._entries.get(job)
            if answer is not None:
                self._entries.move_to_end(job)
            return answer

    def put(self, job: Job, answer: Answer) -> None:
        """Keep ``answer`` unless it is an HTML table or too large; evict the oldest."""
        size = len(answer.body) + len(job.query)
        if answer.table is not None or size > self.max_bytes // 16:
            return
        with self._lock:
            if job in self._entries:
                return
            self._entries[job] = answer
            self.size += size
            while self.size > self.max_bytes and self._entries:
                old_job, old = self._entries.popitem(last=False)
                self.size -= len(old.body) + len(old_job.query)
