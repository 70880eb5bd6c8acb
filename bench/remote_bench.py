"""Benchmark of ``nelmkg serve --store`` on the Oxigraph server, beside the embedded store.

Not a test: run ``python bench/remote_bench.py [--duration 5] [--concurrency 8]``. It starts
the Oxigraph server (``oxigraph serve``, the test extra) in a temporary folder, loads the
bundled data with ``nelmkg load``, then drives, one after the other, ``nelmkg serve`` (the
embedded store, the baseline) and ``nelmkg serve --store`` with the same settings (2 workers,
answer cache off so every request is evaluated) with the service benchmark's query mix (a
typical SELECT, a CONSTRUCT, a resource page, ``POST /assess``). It prints requests/s, p50 and
p99 for each and the external store's ratio to the embedded one, and the front ends' resident
memory (all processes of each server) after the run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from nelmkg.testing import live, stores

sys.path.insert(0, str(Path(__file__).resolve().parent))
import service_bench  # noqa: E402  (the same load generator and queries)

PAGE = "/id/claim/morgan-70-90-100-pct-comparable-survival"


def mix() -> dict[str, tuple[str, bytes | None]]:
    """Return name -> (path, body) for the requests measured."""
    return {
        "select": ("/sparql?query=" + quote(service_bench.SELECT), None),
        "construct": ("/sparql?query=" + quote(service_bench.CONSTRUCT), None),
        "page": (PAGE, None),
        "assess": ("/assess", service_bench.one_case()),
    }


def measure(base: str, duration: float, concurrency: int) -> dict[str, dict]:
    """Drive every request of the mix against ``base``; return the figures per request."""
    found = {}
    for name, (path, body) in mix().items():
        service_bench.load_python(base + path, body, 1.0, 2)  # warm-up
        found[name] = service_bench.load_python(base + path, body, duration, concurrency)
    return found


def memory_mib(server: live.LiveServer) -> float:
    """Return the resident memory of a server's processes (master, workers, evaluators)."""
    pids = [server.process.pid, *live.descendants(server.process.pid)]
    return sum(live.rss_kib(pid) for pid in pids) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    env = {**os.environ, "NELMKG_CACHE": "0", "NELMKG_QUERY_SLOTS_PER_CLIENT": "0"}
    results, memory = {}, {}
    with tempfile.TemporaryDirectory() as folder, stores.oxigraph_server(Path(folder)) as store:
        stores.load(store)
        for label, extra in (("embedded", []), ("--store oxigraph", ["--store", store.query_url])):
            port = live.free_port()
            command = [*live.serve_command(port, 2), *extra]
            with live.running(command, port, env=env) as server:
                results[label] = measure(server.base, args.duration, args.concurrency)
                memory[label] = memory_mib(server)
    print(f"{'request':<10} {'store':<18} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  ratio")
    for name in mix():
        base = results["embedded"][name]
        for label, figures in results.items():
            m = figures[name]
            ratio = m["req_s"] / base["req_s"] if base["req_s"] else float("nan")
            print(
                f"{name:<10} {label:<18} {m['req_s']:8.1f} {m['p50_ms']:8.1f} "
                f"{m['p99_ms']:8.1f}  {ratio:5.2f}x  errors {m['errors']}"
            )
    for label, mib in memory.items():
        print(f"resident memory, {label}: {mib:.0f} MiB (2 workers and their evaluators)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
