"""Soak: mixed traffic against a real ``nelmkg serve`` on 127.0.0.1 for a bounded time.

Not a test: ``python bench/soak.py [--minutes 10] [--concurrency 32] [--window 30]``.
It starts the service (2 workers) and drives it from ``--concurrency`` threads with a mix of
``/healthz``, a cached SELECT, uncached small SELECTs, ``/assess``, ``/queries`` and the home
page. Phases of ``--phase`` seconds alternate: calm (the "normal" figures), then slow, when
two more clients send catastrophic queries (a fourfold cross product of all triples, stopped
by the time limit) from other loopback addresses, back to back, starting none that would
outlast the phase. Alternating keeps the comparison fair on a machine whose background load
changes during the run.

Each window prints requests, unexpected errors (any answer but 200 — except that the
catastrophic queries must end in 503, and an uncached SELECT may find every query slot taken:
503 ``query-capacity``), p50/p99 of the other routes, and the resident memory of every process
of the service. At the end: other routes' p99 in the slow phases against the calm ones
(target ≤ 2×), the unexpected errors (target 0) and the memory drift of each process alive
from the first slow phase to the end (target within 10%). Loopback only; the loops stop by
themselves.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections import defaultdict
from urllib.parse import quote

from nelmkg.testing import live

QUERY_TIMEOUT = 10.0  # the service's default query limit
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CASE = b'{"id":"soak","age_years":52,"ki67_pct":3,"primary_site":"pancreas"}'
JSON = {"Content-Type": "application/json"}
# (name, weight, method, path or a function of a counter, body)
MIX = (
    ("healthz", 15, "GET", "/healthz", None),
    ("select-cached", 30, "GET", "/sparql?query=" + quote("SELECT ?g WHERE { GRAPH ?g {} }"), None),
    ("select", 10, "GET", lambda n: "/sparql?query=" + quote(f"ASK {{ ?s ?p {n % 5000} }}"), None),
    ("assess", 30, "POST", "/assess", CASE),
    ("queries", 10, "GET", "/queries", None),
    ("home", 5, "GET", "/", None),
)


class Recorder:
    """Latencies and outcomes per window and route, thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: list[tuple[float, str, int, float, str]] = []

    def add(self, name: str, status: int, seconds: float, note: str = "") -> None:
        with self.lock:
            self.rows.append((time.monotonic(), name, status, seconds, note))


def slug(reply: live.Reply) -> str:
    """Return the problem type's slug of an error answer ('' for a success)."""
    if reply.status_code < 300:
        return ""
    try:
        return json.loads(reply.data)["type"].rsplit("/", 1)[-1]
    except (ValueError, KeyError):
        return "not-a-problem"


def traffic(base: str, stop: float, rec: Recorder, seed: int) -> None:
    table = [entry for entry in MIX for _ in range(entry[1])]
    n = seed
    source = f"127.0.1.{seed % 250 + 1}"  # many clients, as a public service has
    while time.monotonic() < stop:
        name, _, method, path, body = table[(n * 7919) % len(table)]
        n += 1
        target = path(n) if callable(path) else path
        try:
            reply = live.fetch(
                base, method, target, body, JSON if body else None, timeout=30, source=source
            )
            rec.add(name, reply.status_code, reply.seconds, slug(reply))
        except OSError as exc:
            rec.add(name, 0, 0.0, type(exc).__name__)


def slow_phase(at: float, origin: float, phase: float) -> bool:
    """Return True when ``at`` falls in a slow phase (the second, fourth, ... of the run)."""
    return int((at - origin) // phase) % 2 == 1


def catastrophic(
    base: str, origin: float, phase: float, stop: float, rec: Recorder, source: str
) -> None:
    path = "/sparql?query=" + quote(CROSS_PRODUCT)
    limit = QUERY_TIMEOUT + 2  # a query started later would spill into the calm phase
    while time.monotonic() < stop:
        now = time.monotonic()
        phase_end = origin + (int((now - origin) // phase) + 1) * phase
        if not slow_phase(now, origin, phase) or phase_end - now < limit:
            time.sleep(0.2)
            continue
        try:
            reply = live.fetch(base, "GET", path, timeout=60, source=source)
            rec.add("catastrophic", reply.status_code, reply.seconds)
            if reply.status_code in (429, 503) and reply.seconds < 1:
                time.sleep(float(reply.headers.get("retry-after", "1")))
        except OSError as exc:
            rec.add("catastrophic", 0, 0.0, type(exc).__name__)


def unexpected(name: str, status: int, note: str) -> bool:
    if name == "catastrophic":
        return status not in (503, 429)
    if name.startswith("select") and note == "query-capacity":
        return False  # counted apart: every query slot of the worker was taken
    return status != 200


def p(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def memory(server_pid: int) -> dict[str, int]:
    """Return RSS (KiB) of every process of the service, by role and pid."""
    found = {f"master:{server_pid}": live.rss_kib(server_pid)}
    for i, worker in enumerate(sorted(live.children(server_pid))):
        found[f"worker{i}:{worker}"] = live.rss_kib(worker)
        for evaluator in live.children(worker):
            found[f"w{i}-evaluator:{evaluator}"] = live.rss_kib(evaluator)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--phase", type=float, default=60.0, help="seconds per phase")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    port = live.free_port()
    env = {**os.environ, "NELMKG_ACCESS_LOG": "off"}
    rec = Recorder()
    with live.running(live.serve_command(port, args.workers), port, env=env) as server:
        for _ in range(8):  # put the cached SELECT into both workers' caches
            live.fetch(server.base, "GET", MIX[1][3])
        started = time.monotonic()
        stop = started + args.minutes * 60
        threads = [
            threading.Thread(target=traffic, args=(server.base, stop, rec, i))
            for i in range(args.concurrency)
        ]
        threads += [
            threading.Thread(
                target=catastrophic, args=(server.base, started, args.phase, stop, rec, src)
            )
            for src in ("127.0.0.2", "127.0.0.3")
        ]
        for thread in threads:
            thread.start()
        mem: list[dict[str, int]] = []
        print(f"soak: {args.minutes:g} min, c={args.concurrency}, {args.workers} workers, "
              f"phases of {args.phase:g} s, {os.cpu_count()} CPUs", flush=True)
        window_start = started
        while window_start < stop - 1:
            time.sleep(max(0.0, min(window_start + args.phase, stop) - time.monotonic()))
            mem.append(memory(server.process.pid))
            end = time.monotonic()
            report_window(rec, window_start, end, started, args.phase, mem[-1])
            window_start = end
        for thread in threads:
            thread.join(timeout=90)
    return summary(rec, started, args.phase, mem)


def report_window(rec, start, end, origin, phase_seconds, mem) -> None:
    with rec.lock:
        rows = [r for r in rec.rows if start <= r[0] < end]
    other = [r[3] for r in rows if r[1] not in ("catastrophic",) and r[2] == 200]
    bad = sum(unexpected(r[1], r[2], r[4]) for r in rows)
    slow = sum(1 for r in rows if r[1] == "catastrophic")
    phase = "slow queries" if slow_phase(start + 1, origin, phase_seconds) else "calm"
    roles: dict[str, list[int]] = defaultdict(list)
    for key, kib in mem.items():
        roles[key.split(":")[0]].append(kib // 1024)
    rss = " ".join(
        f"{role}={'+'.join(map(str, v)) if len(v) < 3 else f'{min(v)}..{max(v)}x{len(v)}'}M"
        for role, v in roles.items()
    )
    print(
        f"[{start - origin:5.0f}-{end - origin:4.0f}s] {phase:<12} req {len(rows):6d} "
        f"unexpected {bad:3d} catastrophic {slow:3d} p50 {p(other, 50):6.1f} ms "
        f"p99 {p(other, 99):7.1f} ms | {rss}",
        flush=True,
    )


def summary(rec: Recorder, origin: float, phase: float, mem: list[dict[str, int]]) -> int:
    calm = defaultdict(list)
    slow = defaultdict(list)
    bad = defaultdict(int)
    for at, name, status, seconds, note in rec.rows:
        if unexpected(name, status, note):
            bad[f"{name} {status} {note}".strip()] += 1
        if name != "catastrophic" and status == 200:
            (slow if slow_phase(at, origin, phase) else calm)[name].append(seconds)
    print("\nroute            calm p50/p99 ms      slow phases p50/p99 ms         p99 ratio")
    ratios = []
    for name in sorted(set(calm) | set(slow)):
        ratio = p(slow[name], 99) / p(calm[name], 99) if calm[name] and slow[name] else None
        ratios.append(ratio or 0)
        print(
            f"  {name:<14} {p(calm[name], 50):7.1f} / {p(calm[name], 99):7.1f}"
            f"        {p(slow[name], 50):7.1f} / {p(slow[name], 99):7.1f}"
            f"        {ratio if ratio is not None else float('nan'):5.2f}x"
        )
    outcomes = defaultdict(int)
    for _, name, status, _, _note in rec.rows:
        if name == "catastrophic":
            outcomes[status] += 1
    print(f"catastrophic queries by status: {dict(outcomes)}")
    refused = sum(1 for r in rec.rows if r[1].startswith("select") and r[4] == "query-capacity")
    print(f"SELECTs refused with 503 query-capacity (Retry-After): {refused}")
    print(f"unexpected errors: {sum(bad.values())} {dict(bad) if bad else ''}")
    # Steady state: from the end of the first slow phase (the evaluators have grown) to the
    # end. A query evaluator killed at the time limit is a new process.
    steady = mem[1:] if len(mem) > 2 else mem
    lived = [k for k in steady[0] if all(k in m for m in steady)]
    drift = {k: (steady[-1][k] - steady[0][k]) / steady[0][k] * 100 for k in lived if steady[0][k]}
    print(f"memory drift over {len(steady)} steady windows, {len(lived)} processes alive "
          "throughout (killed query evaluators are replaced by new ones):")
    for key, value in drift.items():
        print(f"  {key:<26} {steady[0][key] // 1024:5d} -> {steady[-1][key] // 1024:5d} MiB "
              f"{value:+6.1f}%")
    ok = not bad and all(r <= 2.0 for r in ratios) and all(abs(v) <= 10 for v in drift.values())
    print("targets:", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
