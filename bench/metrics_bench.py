"""What counting for ``/metrics`` costs a request (issue 11 §2), against the same app not
counting, measured in the same run.

Not a test: run ``python bench/metrics_bench.py [--requests 3000] [--rounds 5]``. As
``nelmkg serve`` does, it points ``PROMETHEUS_MULTIPROC_DIR`` at an empty directory before
prometheus-client is imported, so every count is written to the memory-mapped files the
workers share. It then sends ``GET /version`` (a cheap route, so the counting is as large a
share of the request as it gets) through Flask's test client, in interleaved rounds:

1. baseline: the app with ``Metrics.request`` replaced by a no-op (no count, no histogram);
2. the app as shipped (one counter and one histogram observation per request);

and prints the median microseconds per request of each, their difference and ratio, and the
cost of one ``Metrics.request`` call on its own (multiprocess files). The access log is off in
both, so that its line does not hide the difference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time


def per_request(client, count: int) -> float:
    """Return the mean microseconds of ``count`` GET /version requests."""
    started = time.perf_counter()
    for _ in range(count):
        client.get("/version")
    return (time.perf_counter() - started) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    directory = tempfile.mkdtemp(prefix="nelmkg-metrics-bench-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory  # before prometheus-client is imported
    from nelmkg.web import create_app
    from nelmkg.web.service import EXTENSION

    app = create_app({"ACCESS_LOG": False, "COMMIT": "bench"})
    metrics = app.extensions[EXTENSION].metrics
    assert metrics.directory == directory, "prometheus-client is not in multiprocess mode"
    client = app.test_client()
    counting = metrics.request
    per_request(client, 200)  # warm up

    times: dict[str, list[float]] = {"baseline (not counting)": [], "counting": []}
    for _ in range(args.rounds):
        metrics.request = lambda *a, **k: None
        times["baseline (not counting)"].append(per_request(client, args.requests))
        metrics.request = counting
        times["counting"].append(per_request(client, args.requests))

    started = time.perf_counter()
    calls = args.requests * 10
    for _ in range(calls):
        counting("/version", "GET", 200, 0.001)
    alone = (time.perf_counter() - started) / calls * 1e6

    base = statistics.median(times["baseline (not counting)"])
    with_counts = statistics.median(times["counting"])
    print(f"GET /version, {args.requests} requests x {args.rounds} rounds (medians):")
    for name, values in times.items():
        print(f"  {name:26s} {statistics.median(values):8.1f} µs/request")
    print(f"  difference                 {with_counts - base:8.1f} µs ({with_counts / base:.3f}×)")
    print(f"  one Metrics.request call   {alone:8.1f} µs (multiprocess files)")
    shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
