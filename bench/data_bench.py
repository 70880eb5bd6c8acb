"""User data at scale: ``--data`` with generated triples, against Oxigraph on the same file.

Not a test: run ``python bench/data_bench.py [--triples 1000000] [--before DIR]`` (see
bench/README.md). It writes ``--triples`` N-Triples once (a seeded graph: integer values and
links between subjects), then, each in a fresh process and in one run:

1. **load**: ``pyoxigraph.Store.bulk_load`` alone (the baseline), Oxigraph's ``Store.load``,
   and :func:`nelmkg.graph.store.load_store` with the bundled data (with ``--before DIR``
   also that checkout's ``load_store``): seconds and peak RSS;
2. **serve**: ``nelmkg serve --data FILE`` (2 workers; ``NELMKG_CACHE=0``): seconds from
   start to the first 200 on ``/sparql``; then the scanning queries (:data:`SCANS`, each sent
   ``--rounds`` times from 8 threads, so every evaluator scans) and the memory of every
   process of the tree from ``/proc/PID/smaps_rollup``: RSS, PSS (a page shared by ``n``
   processes counts ``1/n`` in each, so the sum is what the tree costs) and private bytes;
3. the **Oxigraph server** (``oxigraph serve``, in memory, the ``oxigraph`` package) given the
   same file by the Graph Store Protocol, the same queries on its union default graph, and its
   memory the same way.

It prints the figures and the ratios of the issue's targets: load <= 1.2x ``bulk_load``,
first 200 <= 8 s, all processes <= 1.5x Oxigraph's memory after the same scanning queries.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from nelmkg.testing import live

EX = "http://example.org/bench/"
SCANS = {
    "count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "join + average": f"SELECT (AVG(?v) AS ?a) WHERE {{ ?s <{EX}link5> ?t . ?t <{EX}p0> ?v }}",
    "group by": "SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
}
LOADERS = {
    "bulk_load": "import pyoxigraph as ox\n"
    "s = ox.Store(); s.bulk_load(path=FILE, format=ox.RdfFormat.N_TRIPLES, "
    "to_graph=ox.NamedNode('http://g/'))",
    "Store.load": "import pyoxigraph as ox\n"
    "s = ox.Store(); s.load(path=FILE, format=ox.RdfFormat.N_TRIPLES, "
    "to_graph=ox.NamedNode('http://g/'))",
    "load_store": "from nelmkg.graph.store import load_store, store_info\n"
    "store_info(load_store([FILE]))",
}


def generate(path: Path, triples: int, seed: int = 2020) -> None:
    """Write ``triples`` N-Triples: per subject five integer values and five links."""
    rnd = random.Random(seed)
    subjects = max(triples // 10, 1)
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    with path.open("w", encoding="ascii") as out:
        for i in range(triples):
            s, k = divmod(i, 10)
            if k < 5:
                out.write(f'<{EX}s{s}> <{EX}p{k}> "{rnd.randint(0, 1000)}"^^{integer} .\n')
            else:
                out.write(f"<{EX}s{s}> <{EX}link{k}> <{EX}s{rnd.randrange(subjects)}> .\n")


def timed_load(code: str, file: Path, env: dict[str, str]) -> tuple[float, float]:
    """Run loader ``code`` in a fresh process; return (seconds, peak RSS MiB) of the load."""
    script = (
        "import resource, sys, time\nFILE = sys.argv[1]\nt = time.perf_counter()\n"
        f"{code}\nprint(time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(file)], env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise RuntimeError(out.stderr)
    seconds, peak = out.stdout.split()
    return float(seconds), float(peak)


def memory(pids: list[int]) -> list[dict]:
    """Return RSS, PSS and private MiB of each live process in ``pids``."""
    found = []
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            name = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
        except OSError:
            continue
        kib = {}
        for line in text.splitlines()[1:]:
            key, _, rest = line.partition(":")
            kib[key] = int(rest.split()[0])
        private = kib.get("Private_Clean", 0) + kib.get("Private_Dirty", 0)
        found.append(
            {
                "pid": pid,
                "name": Path(name).name,
                "rss": kib["Rss"] / 1024,
                "pss": kib["Pss"] / 1024,
                "private": private / 1024,
            }
        )
    return found


def ask(base: str, query: str, path: str = "/sparql", timeout: float = 300) -> float:
    """Send one GET query; return its seconds (raise on a status other than 200; a 503 for
    full query slots, as one worker may get more of the threads than it has slots, is retried)."""
    started = time.perf_counter()
    while True:
        try:
            return _ask(base, query, path, timeout, started)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            if exc.code != 503 or "query-capacity" not in detail:
                raise RuntimeError(f"{query[:40]}...: {exc.code} {detail}") from None
            time.sleep(0.05)


def _ask(base: str, query: str, path: str, timeout: float, started: float) -> float:
    url = f"{base}{path}?query={quote(query)}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        reply.read()
    return time.perf_counter() - started


def scan(base: str, rounds: int, path: str = "/sparql") -> dict[str, float]:
    """Send every scan ``rounds`` times from 8 threads; return the median seconds per query."""
    times: dict[str, float] = {}
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for name, query in SCANS.items():
            took = sorted(pool.map(lambda _q: ask(base, _q, path), [query] * rounds))
            times[name] = took[len(took) // 2]
    return times


def first_200(command: list[str], port: int, env: dict[str, str], path: str) -> tuple:
    """Start ``command``; return (process, seconds until /sparql answered an ASK with 200)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            ask(base, "ASK {}", path, timeout=5)
            return process, time.perf_counter() - started
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} stopped") from None
            time.sleep(0.05)


def stop(process: subprocess.Popen) -> None:
    """Stop a server started by :func:`first_200` and everything in its group."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 9)


def served(label, command, port, env, rounds, load=None, path="/sparql") -> dict:
    """Start one server, scan it, measure its tree; return the figures."""
    process, ready = first_200(command, port, env, path)
    try:
        loaded = load(f"http://127.0.0.1:{port}") if load else 0.0
        scans = scan(f"http://127.0.0.1:{port}", rounds, path)
        time.sleep(1)  # let a retiring evaluator exit
        procs = memory([process.pid, *live.descendants(process.pid)])
    finally:
        stop(process)
    return {"label": label, "ready": ready, "loaded": loaded, "scans": scans, "procs": procs}


def post_file(file: Path):
    """Return a loader sending ``file`` to an Oxigraph server's Graph Store endpoint."""

    def load(base: str) -> float:
        started = time.perf_counter()
        with file.open("rb") as body:
            request = urllib.request.Request(
                f"{base}/store?graph={quote(EX + 'g')}",
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/n-triples",
                    "Content-Length": str(file.stat().st_size),
                },
            )
            urllib.request.urlopen(request, timeout=600).read()
        return time.perf_counter() - started

    return load


def report(runs: list[dict], loads: dict[str, tuple[float, float]], anchor: dict | None) -> None:
    base_s, base_mb = loads["bulk_load"]
    print("\nLOAD (fresh process each)          seconds   x bulk_load   peak MiB")
    for label, (seconds, peak) in loads.items():
        print(f"  {label:<32} {seconds:>7.2f} {seconds / base_s:>10.2f}x {peak:>10.0f}")
    print("\nSERVE       first 200 s   then loaded s   " + "   ".join(SCANS) + "   (median s)")
    for run in runs:
        scans = "  ".join(f"{s:>8.2f}" for s in run["scans"].values())
        print(f"  {run['label']:<34} {run['ready']:>7.2f} {run['loaded']:>9.2f}   {scans}")
    print("\nMEMORY after the scans (MiB)      processes      RSS      PSS  private")
    anchor_pss = sum(p["pss"] for p in anchor["procs"]) if anchor else None
    for run in runs:
        procs = run["procs"]
        total = {k: sum(p[k] for p in procs) for k in ("rss", "pss", "private")}
        ratio = f"  {total['pss'] / anchor_pss:.2f}x Oxigraph (PSS)" if anchor_pss else ""
        print(
            f"  {run['label']:<32} {len(procs):>5} {total['rss']:>9.0f} "
            f"{total['pss']:>8.0f} {total['private']:>8.0f}{ratio}"
        )
        for p in procs:
            print(
                f"      {p['pid']:>7} {p['name']:<20} {p['rss']:>9.0f} "
                f"{p['pss']:>8.0f} {p['private']:>8.0f}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=8, help="times each scan is sent")
    parser.add_argument("--file", type=Path, help="keep the generated file here (reused)")
    parser.add_argument("--before", type=Path, metavar="DIR", help="another checkout too")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="nelmkg-data-bench-"))
    file = args.file or folder / "data.nt"
    if not file.exists():
        generate(file, args.triples)
    env = {**os.environ, "NELMKG_CACHE": "0", "NELMKG_ACCESS_LOG": "off"}
    env.update(NELMKG_QUERY_SLOTS_PER_CLIENT="0", NELMKG_QUERY_TIMEOUT="300")
    before_env = (
        {**env, "PYTHONPATH": str(args.before.resolve() / "server")} if args.before else None
    )
    try:
        loads = {name: timed_load(code, file, env) for name, code in LOADERS.items()}
        if before_env:
            loads["load_store BEFORE"] = timed_load(LOADERS["load_store"], file, before_env)
        runs = []
        port = live.free_port()
        runs.append(
            served(
                "nelmkg serve --data", live.serve_command(port, 2, [file]), port, env, args.rounds
            )
        )
        if before_env:
            port = live.free_port()
            command = live.serve_command(port, 2, [file])
            runs.append(served("nelmkg serve BEFORE", command, port, before_env, args.rounds))
        anchor = None
        oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        if Path(oxigraph).exists():
            port = live.free_port()
            command = [oxigraph, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
            anchor = served(
                "oxigraph serve (memory)",
                command,
                port,
                env,
                args.rounds,
                post_file(file),
                "/query",
            )
            runs.append(anchor)
        else:
            print("oxigraph (the `oxigraph` package) not found: no anchor server")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(runs, loads, anchor)
    print(f"\n{args.triples:,} triples; load average {os.getloadavg()[0]:.1f}; ", end="")
    print(f"this process peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
