"""Where a cache-off ``GET /sparql`` spends its CPU: per request, by process, under load.

Not a test: run ``python bench/http_cost.py [--duration 8] [--concurrency 8] [--rounds 3]``
(see bench/README.md). It measures, for the SELECT and the CONSTRUCT of ``service_bench.py``:

1. the engine alone: the job run in this process one call after another
   (:func:`nelmkg.query.engine.run_tuple`: parse, evaluate, write the answer) — what the
   Oxigraph server also pays per request;
2. ``nelmkg serve`` with ``NELMKG_CACHE=0`` (2 workers) driven by ``wrk``: the CPU seconds
   each kind of process used (gunicorn's master, the workers — waitress, Flask, hooks, lane,
   the pipe's worker side —, the evaluators — pipe and engine —, and everything else on the
   machine: wrk, the kernel's loopback, other work), divided by the requests answered;
3. the same for the two floor anchors of ``service_bench.py`` (:mod:`floor_servers`) under
   the same stack: a bare WSGI app returning precomputed answers (what waitress, gunicorn
   and the guards cost) and a minimal Flask app evaluating in its own thread.

The machine is shared: "everything else" shows how much of the CPU was not ours.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import service_bench  # the same queries

from nelmkg.testing import live

TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _machine() -> float:
    """Return the machine's busy CPU seconds so far (all but idle and iowait)."""
    values = [int(v) / TICK for v in Path("/proc/stat").read_text().split()[1:11]]
    return sum(values) - values[3] - values[4]


def kinds(master: int) -> dict[int, str]:
    """Return master, workers and evaluators below ``master`` (the server's gunicorn)."""
    found = {master: "master"}
    for pid in live.descendants(master):
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        found[pid] = "worker" if parent == master else "evaluator"
    return found


def engine_us(query: str, seconds: float) -> float:
    """Return the median microseconds of one engine run of ``query`` in this process."""
    from nelmkg.graph.store import load_store
    from nelmkg.query import engine
    from nelmkg.query.jobs import Job
    from nelmkg.web.service import output_prefixes

    store, prefixes = load_store(()), output_prefixes()
    job = Job(query=query, base_iri="http://127.0.0.1/sparql").as_tuple()
    times: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline or len(times) < 50:
        started = time.perf_counter()
        engine.run_tuple(store, job, prefixes)
        times.append((time.perf_counter() - started) * 1e6)
    return statistics.median(times)


def measure(server: live.LiveServer, url: str, seconds: float, concurrency: int) -> dict:
    """Drive ``url`` with wrk; return req/s and CPU microseconds per answered request."""
    processes = kinds(server.process.pid)
    before = {pid: _cpu(pid) for pid in processes}
    machine = _machine()
    out = subprocess.run(
        ["wrk", "-t2", f"-c{concurrency}", f"-d{round(seconds)}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    busy = _machine() - machine
    done = int(re.search(r"(\d+) requests in", out)[1])
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    answered = done - (int(refused[1]) if refused else 0)
    used: dict[str, float] = {}
    for pid, kind in processes.items():
        used[kind] = used.get(kind, 0.0) + _cpu(pid) - before[pid]
    used["everything else"] = busy - sum(used.values())
    result = {kind: seconds_ / answered * 1e6 for kind, seconds_ in used.items()}
    result["req/s"] = answered / seconds
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = {
        **os.environ,
        "NELMKG_CACHE": "0",
        "NELMKG_ACCESS_LOG": "off",
        "NELMKG_QUERY_SLOTS_PER_CLIENT": "0",
    }
    scenarios = {"select": service_bench.SELECT, "construct": service_bench.CONSTRUCT}
    floor = [sys.executable, service_bench.__file__, "--floor-server"]
    servers = {
        "nelmkg serve, NELMKG_CACHE=0": lambda port: live.serve_command(port, 2),
        "floor: bare WSGI": lambda port: [*floor, "wsgi", str(port)],
        "floor: Flask in-thread": lambda port: [*floor, "flask", str(port)],
    }
    runs: dict[tuple[str, str], list[dict]] = {}
    for _ in range(args.rounds):  # servers in turn, so background load falls on all
        for label, command in servers.items():
            port = live.free_port()
            with live.running(command(port), port, env=env) as server:
                for name, query in scenarios.items():
                    url = f"http://127.0.0.1:{port}/sparql?query={quote(query)}"
                    subprocess.run(["wrk", "-t2", "-c8", "-d1s", url], capture_output=True)
                    found = measure(server, url, args.duration, args.concurrency)
                    runs.setdefault((name, label), []).append(found)
    print(
        f"2 workers, wrk c={args.concurrency}, {args.duration:g} s x {args.rounds} rounds "
        f"(medians), {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
        "CPU microseconds per answered request"
    )
    for name, query in scenarios.items():
        print(f"\n{name.upper()} (engine alone, in-process: {engine_us(query, 2.0):.0f} us)")
        print(f"  {'':<30} {'req/s':>7} {'worker':>7} {'evaluator':>9} {'rest':>7}")
        for label in servers:
            got = runs[(name, label)]
            med = {k: statistics.median(r.get(k, 0.0) for r in got) for k in got[0]}
            print(
                f"  {label:<30} {med['req/s']:7.0f} {med['worker']:7.0f} "
                f"{med.get('evaluator', 0.0):9.0f} {med['everything else']:7.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
