"""The long fuzz run: thousands of Hypothesis examples per route against a live ``nelmkg serve``.

Not a test: ``python bench/fuzz.py [--examples 10000] [--seed 2020] [--routes ...]``.
The strategies and the rule are those of ``tests/web/test_fuzz.py`` (:mod:`nelmkg.testing.fuzz`):
every answer is a 2xx, or a problem+json 4xx or 503, never a 500 or a traceback. Requests go
over HTTP to a real server (2 workers, query limit 2 s) on 127.0.0.1. Prints, per route, the
examples sent, the answers by status and every violation (the first few in full); exits 1 if
there was one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from collections import Counter

from hypothesis import HealthCheck, given, seed, settings

from nelmkg.testing import fuzz, live


def named_queries(base: str) -> list[str]:
    with urllib.request.urlopen(base + "/queries", timeout=10) as reply:
        listed = json.load(reply)
    items = listed if isinstance(listed, list) else listed.get("queries", [])
    return [q["name"] for q in items]


def run_route(base: str, strategy, examples: int, seed_value: int) -> tuple[Counter, list]:
    statuses: Counter = Counter()
    wrong: list = []

    @seed(seed_value)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def check(request: fuzz.Request) -> None:
        try:
            reply = live.fetch(
                base, request.method, request.path, request.body, request.headers, timeout=30
            )
        except OSError as exc:
            statuses["no answer"] += 1
            wrong.append((f"no answer: {exc}", request))
            return
        statuses[reply.status_code] += 1
        content_type = reply.headers.get("content-type", "")
        location = reply.headers.get("location")
        accept = request.headers.get("Accept")
        problem = fuzz.acceptable(reply.status_code, content_type, reply.data, location, accept)
        if problem:
            wrong.append((problem, request))

    check()
    return statuses, wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000, help="per route")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--routes", nargs="+", default=["assess", "validate", "sparql", "queries"])
    args = parser.parse_args()
    port = live.free_port()
    env = {**os.environ, "NELMKG_QUERY_TIMEOUT": "2", "NELMKG_ACCESS_LOG": "off"}
    failed = 0
    with live.running(live.serve_command(port, 2), port, env=env) as server:
        strategies = {
            "assess": fuzz.case_requests("/assess"),
            "validate": fuzz.case_requests("/validate"),
            "sparql": fuzz.sparql_requests(),
            "queries": fuzz.named_requests(named_queries(server.base)),
        }
        for route in args.routes:
            started = time.monotonic()
            statuses, wrong = run_route(server.base, strategies[route], args.examples, args.seed)
            took = time.monotonic() - started
            shown = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=str))
            print(f"/{route}: {sum(statuses.values())} examples in {took:.0f} s; {shown}")
            print(f"  violations: {len(wrong)}")
            for problem, request in wrong[:5]:
                print(
                    f"    {problem}: {request.method} {request.path[:80]} {request.headers} "
                    f"{(request.body or b'')[:80]!r}"
                )
            failed += len(wrong)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
