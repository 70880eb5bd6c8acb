"""What the service counts for Prometheus: one :class:`Metrics` per service, at ``/metrics``.

The counters live on the :class:`~nelmkg.web.service.Service` (its own ``CollectorRegistry``,
never prometheus-client's global one), are incremented where the thing happens — the request
hooks (:mod:`nelmkg.web.hooks`), ``Service.run`` and ``run_case``, the evaluators' restart hook
(:mod:`nelmkg.web.lanes`), the ``/assess`` routes — and are read by ``/metrics``
(:mod:`nelmkg.web.health`). Names, labels and meaning are listed in ``docs/operations.md``
(a test checks that the table and the exposition agree).

**Several workers add up** through prometheus-client's multiprocess mode: when
``PROMETHEUS_MULTIPROC_DIR`` is set *before prometheus-client is first imported*, every process
writes its values to files of its own in that directory and ``/metrics`` sums the files of all
of them, whichever worker answers the scrape. ``nelmkg serve`` sets it (a private temporary
directory unless the operator names one, :mod:`nelmkg.web.serve`) before it builds the app, and
this module imports prometheus-client only inside :class:`Metrics`, so that importing
``nelmkg.web`` does not fix the mode too early. That choice, made once per process by
prometheus-client at import, is the only process-wide state; without the variable (tests, a
single process) each service counts in memory. Only counters and histograms are used, so a
worker that dies needs no clean-up (``mark_process_dead`` matters for live gauges only): its
counts stay in the sums, as a counter's should.

Evaluator processes never count (their sandbox forbids writing files): a case evaluator returns
a :func:`tally` of its assessments with its answer and the worker counts it.
"""

from __future__ import annotations

import os
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Mapping
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Seconds; from a cached answer (~1 ms) to the default time limits (10 s) and beyond.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
# Methods counted by name; any other is "other" (a client may send any token as a method).
METHODS = frozenset({"GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
UNMATCHED = "(unmatched)"  # the route label of a request no route matched (404, 405)
LANES = ("query", "case")
RESTART_REASONS = ("timeout", "client-gone", "crashed", "killed", "dead", "retired")


def tally(results: Iterable[Mapping[str, Any]]) -> dict[str, dict]:
    """Count assessment results (docs/case-format.md): cases by ``well_formed``, and
    ``(option, status)`` pairs of the well-formed ones. Plain data: it crosses a pipe."""
    cases: Tally[str] = Tally()
    options: Tally[tuple[str, str]] = Tally()
    for result in results:
        cases["true" if result.get("well_formed") else "false"] += 1
        for option, verdict in (result.get("options") or {}).items():
            options[option, str(verdict.get("status"))] += 1
    return {"cases": dict(cases), "options": dict(options)}


class Metrics:
    """The service's counters and histograms, in a registry of their own."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram, values

        # The mode prometheus-client chose when it was first imported decides where /metrics
        # reads: the files of every process, or this registry.
        multiprocess = getattr(values.ValueClass, "_multiprocess", False)
        self.directory = os.environ.get(MULTIPROC_ENV) if multiprocess else None
        self.registry = registry = CollectorRegistry()
        self.requests = Counter(
            "nelmkg_http_requests",
            "HTTP requests answered by the app, by route (the URL rule), method and status",
            ("route", "method", "status"),
            registry=registry,
        )
        self.latency = Histogram(
            "nelmkg_http_request_duration_seconds",
            "Time from the app receiving a request (complete) to its response, by route",
            ("route",),
            buckets=BUCKETS,
            registry=registry,
        )
        self.timeouts = Counter(
            "nelmkg_timeouts",
            "Work stopped by its time limit (query: NELMKG_QUERY_TIMEOUT, case: "
            "NELMKG_CASE_TIMEOUT), by lane",
            ("lane",),
            registry=registry,
        )
        self.restarts = Counter(
            "nelmkg_evaluator_restarts",
            "Evaluator processes replaced, by pool and reason",
            ("pool", "reason"),
            registry=registry,
        )
        self.cache_hits = Counter(
            "nelmkg_answer_cache_hits", "Queries answered from the answer cache", registry=registry
        )
        self.cache_misses = Counter(
            "nelmkg_answer_cache_misses",
            "Cacheable queries not in the answer cache (evaluated)",
            registry=registry,
        )
        self.truncated = Counter(
            "nelmkg_answers_truncated",
            "Query answers cut at the row cap (NELMKG_MAX_ROWS; Nelmkg-Truncated: true)",
            registry=registry,
        )
        self.cases = Counter(
            "nelmkg_cases",
            "Cases read by /assess, by well_formed",
            ("well_formed",),
            registry=registry,
        )
        self.verdicts = Counter(
            "nelmkg_cases_assessed",
            "Verdicts given by /assess for well-formed cases, by treatment option and status",
            ("option", "status"),
            registry=registry,
        )
        # Series known in advance start at 0, so that rates work from the first scrape.
        for lane in LANES:
            self.timeouts.labels(lane)
            for reason in RESTART_REASONS:
                self.restarts.labels(lane, reason)
        for well_formed in ("true", "false"):
            self.cases.labels(well_formed)

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request and its time."""
        self.requests.labels(route, method if method in METHODS else "other", status).inc()
        self.latency.labels(route).observe(seconds)

    def restarted(self, pool: str) -> Callable[[str], None]:
        """Return the restart hook of the evaluators of ``pool`` (called with the reason)."""
        return lambda reason: self.restarts.labels(pool, reason).inc()

    def count_cases(self, counts: Mapping[str, Mapping]) -> None:
        """Count a :func:`tally` of assessments."""
        for well_formed, n in counts["cases"].items():
            self.cases.labels(well_formed).inc(n)
        for (option, status), n in counts["options"].items():
            self.verdicts.labels(option, status).inc(n)

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """Return the metrics of every worker (or of this process) and their content type,
        in the text format or OpenMetrics as ``accept`` asks."""
        from prometheus_client import CollectorRegistry
        from prometheus_client.exposition import choose_encoder
        from prometheus_client.multiprocess import MultiProcessCollector

        encoder, content_type = choose_encoder(accept or "")
        registry = self.registry
        if self.directory:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self.directory)
        return encoder(registry), content_type
