"""How serving stacks answer while hostile clients hold connections and slow queries run.

Not a test: ``python bench/hostile_bench.py [--before DIR] [--timeout 5]``. For each server
(2 workers, query limit 10 s, on 127.0.0.1) it times ``/healthz``, a small SELECT and
``POST /assess`` from 127.0.0.1, five times each, in three situations:

1. quiet;
2. with 60 connections sending headers slowly (127.0.0.2) and 30 trickling a body (127.0.0.4);
3. with 4 catastrophic queries in flight, from 4 other addresses.

Servers: ``nelmkg serve`` as shipped (guarded waitress workers); gunicorn's ``gthread`` worker
(8 threads) on the same app, by hand; and, with ``--before DIR``, the ``nelmkg serve`` of
another checkout (e.g. ``git archive main``: gunicorn sync workers). An answer that does not
come within ``--timeout`` seconds counts as a failure. The figures are in
``docs/decisions/0010-serving-stack.md``.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import threading
import time
from contextlib import ExitStack, suppress
from pathlib import Path
from urllib.parse import quote

from nelmkg.testing import live

CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CASE = b'{"id":"bench","age_years":52,"ki67_pct":3}'


def probes(base: str, timeout: float) -> dict[str, str]:
    """Return 'median / worst ms' (or failures) of five tries of each route."""
    calls = {
        "healthz": ("GET", "/healthz", None, {}),
        "select": ("GET", "/sparql?query=" + quote("SELECT ?g WHERE { GRAPH ?g {} }"), None, {}),
        "assess": ("POST", "/assess", CASE, {"Content-Type": "application/json"}),
    }
    out = {}
    for name, (method, path, body, headers) in calls.items():
        times, failed = [], 0
        for _ in range(5):
            try:
                reply = live.fetch(base, method, path, body, headers, timeout=timeout)
                if reply.status_code == 200:
                    times.append(reply.seconds * 1000)
                else:
                    failed += 1
            except OSError:
                failed += 1
        shown = f"{statistics.median(times):.0f}/{max(times):.0f}" if times else "-"
        out[name] = shown + (f" ({failed} failed)" if failed else "")
    return out


def slow_connections(base: str, stack: ExitStack) -> None:
    host, port = base.removeprefix("http://").split(":")
    for source, first, count in (
        ("127.0.0.2", b"GET /healthz HTTP/1.1\r\nHost: x\r\n", 60),
        (
            "127.0.0.4",
            b"POST /assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n{",
            30,
        ),
    ):
        for _ in range(count):
            try:
                sock = socket.create_connection((host, int(port)), 5, source_address=(source, 0))
                stack.callback(sock.close)
                sock.sendall(first)
            except OSError:
                pass  # refused or capped: that is the server's choice


def slow_queries(base: str) -> list[threading.Thread]:
    def one(source: str) -> None:
        with suppress(OSError):
            live.fetch(
                base, "GET", "/sparql?query=" + quote(CROSS_PRODUCT), timeout=40, source=source
            )

    threads = [threading.Thread(target=one, args=(f"127.0.0.{n}",)) for n in range(10, 14)]
    for thread in threads:
        thread.start()
    return threads


def measure(label: str, command: list[str], env: dict, timeout: float) -> None:
    port = live.free_port()
    with live.running(command(port), port, env=env) as server:
        live.fetch(server.base, "POST", "/assess", CASE, {"Content-Type": "application/json"})
        rows = {"quiet": probes(server.base, timeout)}
        with ExitStack() as stack:
            slow_connections(server.base, stack)
            time.sleep(0.5)
            rows["60 slow headers + 30 slow bodies"] = probes(server.base, timeout)
        threads = slow_queries(server.base)
        time.sleep(0.5)
        rows["4 slow queries in flight"] = probes(server.base, timeout)
        for thread in threads:
            thread.join(timeout=60)
    print(f"\n{label}   (median/worst ms of 5; healthz | small SELECT | /assess)")
    for situation, found in rows.items():
        print(
            f"  {situation:<34} {found['healthz']:>18} {found['select']:>18} {found['assess']:>18}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, metavar="DIR")
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    env = {**os.environ, "NELMKG_ACCESS_LOG": "off"}
    gthread = [
        sys.executable,
        "-m",
        "gunicorn",
        "--preload",
        "-w",
        "2",
        "-k",
        "gthread",
        "--threads",
        "8",
        "--log-level",
        "warning",
    ]
    servers = [
        ("nelmkg serve (guarded waitress workers)", lambda p: live.serve_command(p, 2), env),
        (
            "gunicorn gthread, 8 threads, same app",
            lambda p: [*gthread, "-b", f"127.0.0.1:{p}", "nelmkg.web:create_app()"],
            env,
        ),
    ]
    if args.before:
        before = {**env, "PYTHONPATH": str(args.before.resolve() / "server")}
        servers.append(
            (f"BEFORE: nelmkg serve of {args.before}", lambda p: live.serve_command(p, 2), before)
        )
    print(f"{os.cpu_count()} CPUs; failures: no 200 within {args.timeout:g} s")
    for label, command, server_env in servers:
        measure(label, command, server_env, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
