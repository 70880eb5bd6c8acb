"""Benchmark of the SPARQL service under gunicorn, beside a plain rdflib baseline (same run).

Not a test: run ``python bench/service_bench.py [--duration 5] [--concurrency 8]`` (see
bench/README.md). For a typical SELECT (competency query ``milan-criteria``), a CONSTRUCT
(the Milan criteria as triples) and ``POST /assess`` on one case (skipped, with a message,
while the service has no such route) it drives, one after the other:

1. ``nelmkg serve`` with 2 workers on 127.0.0.1 — as shipped (answer cache on; the
   per-client query share off, as all the load comes from one address);
2. the same with ``NELMKG_CACHE=0`` — every request evaluated by the evaluator process;
3. the baseline server: a minimal Flask app running the query with rdflib's default memory
   store (``Dataset.query`` + ``serialize``), gunicorn with 2 sync workers;
4. with ``--before DIR``, the ``nelmkg serve`` of another checkout (e.g. ``git archive main``)
   with the same settings, to compare two versions in one run;
5. the Oxigraph server (``oxigraph serve``, in memory, same data) — the anchor of issue 14 —
   and, unless ``--no-floors``, two floor anchors under nelmkg's own serving stack
   (:mod:`floor_servers`: a bare WSGI app returning precomputed answers, and a minimal Flask
   app evaluating in its own thread), for SELECT and CONSTRUCT;

at the given concurrency, and measures the same query in-process on rdflib's memory store
(one request after another, no HTTP). It prints requests/s, p50 and p99 latency for each,
the service's ratio to the baselines (for ``/assess`` the baseline server runs the case through
rdflib's JSON-LD parser and one plain ``pyshacl.validate()``), and the targets
(SELECT >= 1,000 req/s, p99 <= 100 ms;
/assess >= 50 req/s, p99 <= 100 ms). req/s counts answered (2xx) requests only: a 503 from
a full query lane is shown as an error, not as throughput. The load comes from ``wrk`` when
installed (apt package ``wrk``), else from a Python generator (threads, ``http.client``),
which itself uses CPU on the same machine and so reads lower.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.request
from pathlib import Path
from urllib.parse import quote

import floor_servers

from nelmkg import paths
from nelmkg.testing import live

TARGETS = {"select": (1000.0, 100.0), "construct": (None, 100.0), "assess": (50.0, 100.0)}
SELECT = (paths.queries_dir("competency") / "milan-criteria.rq").read_text(encoding="utf-8")
CONSTRUCT = """PREFIX nelm: <https://w3id.org/nelmkg/ontology#>
PREFIX cset: <https://w3id.org/nelmkg/id/criteria-set/>
CONSTRUCT { ?criterion ?p ?o } WHERE {
  GRAPH <https://w3id.org/nelmkg/graph/kg> { ?criterion nelm:inCriteriaSet cset:lt-milan ; ?p ?o }
}"""


# ---------------------------------------------------------------- servers


def baseline_server(port: int, workers: int) -> None:
    """Serve ``GET /sparql`` with plain rdflib (memory store) under gunicorn; never returns."""
    from flask import Flask, Response, request

    from nelmkg.graph.dataset import load_dataset

    dataset = load_dataset()
    app = Flask("baseline")
    # The /assess baseline: the JSON case through rdflib's JSON-LD parser with the local
    # context, then one plain pyshacl.validate() against the case + eligibility shapes.
    import json

    from pyshacl import validate
    from rdflib import Graph

    from nelmkg import paths as data_paths
    from nelmkg.graph.dataset import parse_files

    shapes = parse_files(data_paths.shape_files("case", "eligibility"))
    context = json.loads(data_paths.case_context_file().read_text(encoding="utf-8"))["@context"]

    @app.get("/healthz")
    def healthz():
        return "ok"

    @app.get("/sparql")
    def sparql():
        result = dataset.query(request.args["query"])
        if result.type == "CONSTRUCT":
            return Response(result.serialize(format="turtle"), mimetype="text/turtle")
        return Response(result.serialize(format="json"), mimetype="application/sparql-results+json")

    @app.post("/assess")
    def assess():
        doc = dict(request.get_json(), **{"@context": context, "@type": "nelm:Patient"})
        case = Graph().parse(data=json.dumps(doc), format="json-ld")
        conforms, report, _ = validate(case, shacl_graph=shapes, inference="none")
        return {"conforms": bool(conforms), "results": len(report)}

    floor_servers.run_gunicorn(app, port, workers, "sync", timeout=120)


@contextlib.contextmanager
def oxigraph_running(port: int):
    """Run ``oxigraph serve`` in memory with the bundled files in their named graphs (as
    :func:`nelmkg.graph.store.bundled_sources` places them) and the union default graph."""
    from nelmkg.graph.store import bundled_sources

    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    command = [binary, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.05)
        for graph, files in bundled_sources().items():
            for path in files:
                request = urllib.request.Request(
                    f"{base}/store?graph={quote(graph)}",
                    data=path.read_bytes(),
                    method="POST",
                    headers={"Content-Type": "text/turtle"},
                )
                urllib.request.urlopen(request, timeout=60).read()
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def nelmkg_running(command: list[str], port: int, env: dict[str, str]):
    """Run one ``nelmkg serve`` (or the baseline) until ``/healthz`` answers."""
    return live.running(command, port, env=env)


# ---------------------------------------------------------------- load


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_wrk(url: str, body: bytes | None, duration: float, concurrency: int) -> dict:
    """Drive ``url`` with wrk; return req_s, p50_ms, p99_ms, errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if body is not None:
            script.write(
                f'wrk.method = "POST"\nwrk.body = {json.dumps(body.decode())}\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
            )
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{concurrency}",
                f"-d{max(1, round(duration))}s",
                "--latency",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: (.*)", out)
    done, took = re.search(r"(\d+) requests in ([\d.]+\w+),", out).groups()
    answered = int(done) - (int(errors[1]) if errors else 0)
    return {
        "req_s": answered / (_ms(took) / 1000),  # answered (2xx) requests only
        "p50_ms": _ms(latency["50"]) if "50" in latency else float("nan"),
        "p99_ms": _ms(latency["99"]) if "99" in latency else float("nan"),
        "errors": int(errors[1]) if errors else 0,
        "socket_errors": sockets[1] if sockets else "",
    }


def load_python(url: str, body: bytes | None, duration: float, concurrency: int) -> dict:
    """Drive ``url`` with ``concurrency`` threads using http.client."""
    host, _, rest = url.removeprefix("http://").partition("/")
    name, _, port = host.partition(":")
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + duration

    def worker():
        conn = http.client.HTTPConnection(name, int(port), timeout=30)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                if body is None:
                    conn.request("GET", "/" + rest)
                else:
                    conn.request(
                        "POST", "/" + rest, body=body, headers={"Content-Type": "application/json"}
                    )
                response = conn.getresponse()
                response.read()
                if response.status >= 300:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
                conn.close()
                continue
            latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "req_s": len(latencies) / took,
        "p50_ms": cuts[49],
        "p99_ms": cuts[98],
        "errors": errors[0],
        "socket_errors": "",
    }


def in_process(query: str, duration: float) -> dict:
    """Run ``query`` on rdflib's memory store one call after another (parse + eval + serialise)."""
    from nelmkg.graph.dataset import load_dataset

    dataset = load_dataset()
    times = []
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline or len(times) < 5:
        started = time.perf_counter()
        result = dataset.query(query)
        result.serialize(format="turtle" if result.type == "CONSTRUCT" else "json")
        times.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(times, n=100)
    return {
        "req_s": 1000 / statistics.mean(times),
        "p50_ms": cuts[49],
        "p99_ms": cuts[98],
        "errors": 0,
        "socket_errors": "",
    }


def one_case() -> bytes:
    """Return the first example case of the manifest as JSON bytes."""
    folder = paths.root() / "tests" / "data" / "cases"  # the suite's example cases
    with (folder / "manifest.toml").open("rb") as handle:
        for entry in tomllib.load(handle)["case"]:
            if entry["file"].endswith(".json") and not entry["file"].startswith("bad-"):
                return (folder / entry["file"]).read_bytes()
    raise RuntimeError("no JSON case in tests/data/cases/manifest.toml")


def has_assess(port: int, case: bytes) -> bool:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/assess",
        data=case,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status == 200
    except OSError:
        return False


# ---------------------------------------------------------------- report


def row(label: str, m: dict, base: dict | None) -> str:
    """Return one table line: figures, and the ratios to ``base`` (req/s, then p99)."""
    ratio = ""
    if base:
        ratio = f"{m['req_s'] / base['req_s']:>7.1f}x {base['p99_ms'] / m['p99_ms']:>7.1f}x"
    note = f"  errors: {m['errors']}" if m["errors"] else ""
    note += f"  socket errors: {m['socket_errors']}" if m["socket_errors"] else ""
    return f"  {label:<38} {m['req_s']:>9.0f} {m['p50_ms']:>8.1f} {m['p99_ms']:>8.1f} {ratio}{note}"


OXIGRAPH = "oxigraph serve (memory, union default graph)"
FLOOR_WSGI = "floor: bare WSGI, precomputed answer"
FLOOR_FLASK = "floor: Flask + pyoxigraph in-thread"
SHIPPED = "nelmkg serve (cache on, as shipped)"
UNCACHED = "nelmkg serve, NELMKG_CACHE=0"
BASELINE = "baseline: Flask + rdflib memory"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rounds", type=int, default=1, help="go through the servers this often (medians)"
    )
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--before",
        type=Path,
        metavar="DIR",
        help="also measure the `nelmkg serve` of another checkout (e.g. `git archive main`), "
        "in the same run",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the rdflib baseline")
    parser.add_argument(
        "--no-floors", action="store_true", help="skip the floor anchors (bench/floor_servers.py)"
    )
    parser.add_argument("--baseline-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--floor-server", nargs=2, metavar=("KIND", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_server:
        baseline_server(args.baseline_server, args.workers)
        return 0
    if args.floor_server:
        kind, port = args.floor_server
        floor_servers.serve(kind, int(port), args.workers, [SELECT, CONSTRUCT])
        return 0
    use_wrk = args.tool == "wrk" or (args.tool == "auto" and shutil.which("wrk"))
    drive = load_wrk if use_wrk else load_python
    # All the load comes from 127.0.0.1: the per-client query share would refuse most of it.
    env = {**os.environ, "NELMKG_ACCESS_LOG": "off", "NELMKG_QUERY_SLOTS_PER_CLIENT": "0"}
    scenarios = {"select": SELECT, "construct": CONSTRUCT}
    case = one_case()
    assess_found = False

    def nelmkg(server_env):
        return lambda port: nelmkg_running(live.serve_command(port, args.workers), port, server_env)

    baseline_command = [sys.executable, __file__, "--workers", str(args.workers)]
    # (label, start(port) -> context manager, SPARQL path)
    servers = [
        (SHIPPED, nelmkg(env), "/sparql"),
        (UNCACHED, nelmkg({**env, "NELMKG_CACHE": "0"}), "/sparql"),
    ]
    if not args.no_baseline:
        servers.append(
            (
                BASELINE,
                lambda p: nelmkg_running([*baseline_command, "--baseline-server", str(p)], p, env),
                "/sparql",
            )
        )
    if args.before:
        before_env = {**env, "PYTHONPATH": str(args.before.resolve() / "server")}
        servers.insert(1, ("nelmkg serve BEFORE (cache on)", nelmkg(before_env), "/sparql"))
        servers.insert(
            3,
            (
                "nelmkg serve BEFORE, NELMKG_CACHE=0",
                nelmkg({**before_env, "NELMKG_CACHE": "0"}),
                "/sparql",
            ),
        )
    if not args.no_floors:
        for label, kind in ((FLOOR_WSGI, "wsgi"), (FLOOR_FLASK, "flask")):
            floor = [*baseline_command, "--floor-server", kind]
            servers.append(
                (label, lambda p, f=floor: nelmkg_running([*f, str(p)], p, env), "/sparql")
            )
    servers.append((OXIGRAPH, oxigraph_running, "/query"))
    keys = [(name, c) for c in args.concurrency for name in (*scenarios, "assess")]
    rounds: dict[tuple, dict[str, list[dict]]] = {key: {} for key in keys}
    # Rounds go through the servers in turn, so that a change in the machine's background load
    # falls on all of them; each figure is the median over the rounds.
    for _ in range(args.rounds):
        for label, start, path in servers:
            port = live.free_port()
            with start(port):
                for concurrency in args.concurrency:
                    for name, query in scenarios.items():
                        url = f"http://127.0.0.1:{port}{path}?query={quote(query)}"
                        drive(url, None, 1.0, concurrency)  # warm-up (and fill the cache)
                        measured = drive(url, None, args.duration, concurrency)
                        rounds[(name, concurrency)].setdefault(label, []).append(measured)
                    if path == "/sparql" and has_assess(port, case):
                        assess_found = True
                        url = f"http://127.0.0.1:{port}/assess"
                        drive(url, case, 1.0, concurrency)
                        measured = drive(url, case, args.duration, concurrency)
                        rounds[("assess", concurrency)].setdefault(label, []).append(measured)
    results: dict[tuple, dict[str, dict]] = {key: {} for key in keys}
    for key, by_label in rounds.items():
        for label, runs in by_label.items():
            results[key][label] = {
                k: statistics.median(r[k] for r in runs)
                if k != "socket_errors"
                else "; ".join(filter(None, (r[k] for r in runs)))
                for k in runs[0]
            }
    if not args.no_baseline:
        for name, query in scenarios.items():
            measured = in_process(query, args.duration)
            for concurrency in args.concurrency:
                results[(name, concurrency)]["in-process rdflib (1 core, no HTTP)"] = measured

    tool = "wrk" if use_wrk else "python threads"
    print(
        f"{args.workers} workers, concurrency {' and '.join(map(str, args.concurrency))}, "
        f"{args.duration:g} s per run, {args.rounds} round(s), load from {tool}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    failed = []
    for name, concurrency in keys:
        found = results[(name, concurrency)]
        print(f"\n{name.upper()} at concurrency {concurrency}")
        if name == "assess" and not assess_found:
            print("  skipped: the service has no POST /assess route yet")
            continue
        anchor = found.get(OXIGRAPH)
        against, against_label = (anchor, "Oxigraph") if anchor else (found.get(BASELINE), "")
        against_label = against_label or "the Flask + rdflib baseline"
        print(
            f"  {'':<38} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x req/s':>8} {'x p99':>8}"
            f"   (ratios: vs {against_label})"
        )
        for label, measured in found.items():
            shown = against if label.startswith(("nelmkg", "floor")) else None
            print(row(label, measured, shown))
        want_rate, want_p99 = TARGETS[name]
        shipped = found[SHIPPED]
        checks = []
        if want_rate is not None:
            checks.append((f">= {want_rate:g} req/s", shipped["req_s"] >= want_rate))
        checks.append((f"p99 <= {want_p99:g} ms", shipped["p99_ms"] <= want_p99))
        uncached = found.get(UNCACHED)
        if anchor and uncached:  # issue 14: cache off >= 1.0x Oxigraph, p99 no worse
            checks.append(
                ("cache off >= 1.0x Oxigraph req/s", uncached["req_s"] >= anchor["req_s"])
            )
            checks.append(("cache off p99 <= Oxigraph's", uncached["p99_ms"] <= anchor["p99_ms"]))
        print("  targets: " + ", ".join(f"{t} {'met' if ok else 'MISSED'}" for t, ok in checks))
        failed += [t for t, ok in checks if not ok]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
