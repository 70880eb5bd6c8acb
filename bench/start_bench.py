"""Cold start: ``nelmkg serve`` to its first 200 and one-case ``nelmkg assess``, beside Oxigraph.

Not a test: run ``python bench/start_bench.py [--runs 5] [--before DIR]`` (see bench/README.md).
Each run starts, in turn (so background load falls on all alike):

- ``nelmkg serve`` (2 workers, bundled data) until ``/sparql`` answers ``ASK {}`` with 200;
- with ``--before DIR``, that checkout's ``nelmkg serve`` the same way;
- ``oxigraph serve`` (in memory, the ``oxigraph`` package) until ``/query`` answers: the anchor
  (it has no data to load: it shows the floor of starting a process and a listener);
- ``nelmkg assess CASE`` for one JSON case (and ``--before``'s), to its exit;
- both again with the start-up cache off (``NELMKG_STARTUP_CACHE=off``, rows ``... cache off``):
  what the first start after an install or a change of the data costs (the cache is then
  written; ``nelmkg.graph.startcache``).

Both checkouts' modules are byte-compiled first (``compileall``), as pip does when it installs a
wheel: with ``PYTHONDONTWRITEBYTECODE`` set, as on some machines, an uncompiled checkout would
compile its 190 modules on every start (about 0.1 s). The rows ``after`` use the cache as a
user's second start does: its own folder, filled by an
untimed warm-up start. It prints the medians, the ratio after/before, and the issue's targets:
first 200 <= 0.5 s, one-case assess <= 0.3 s.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from data_bench import first_200, stop

from nelmkg import paths
from nelmkg.testing import live

CASE = paths.root() / "tests" / "data" / "cases" / "ablation-3.4cm.json"
TARGETS = {"serve": 0.5, "assess": 0.3}


def assess_seconds(env: dict[str, str]) -> float:
    """Run one-case ``nelmkg assess`` in a fresh interpreter; return its wall seconds."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "nelmkg.cli", "assess", str(CASE)],
        env=env,
        stdout=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, metavar="DIR", help="another checkout too")
    args = parser.parse_args()
    for checkout in [paths.root(), *([args.before] if args.before else [])]:
        compileall.compile_dir(str(Path(checkout) / "server"), quiet=1)
    cache = tempfile.mkdtemp(prefix="start-bench-cache-")
    env = {**os.environ, "NELMKG_ACCESS_LOG": "off", "NELMKG_STARTUP_CACHE": cache}
    assess_seconds(env)  # fills the start-up cache (untimed)
    envs = {"after": env, "after cache off": {**env, "NELMKG_STARTUP_CACHE": "off"}}
    if args.before:
        envs["before"] = {**env, "PYTHONPATH": str(args.before.resolve() / "server")}
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    times: dict[str, list[float]] = {}
    for _ in range(args.runs):
        for label, server_env in envs.items():
            port = live.free_port()
            command = live.serve_command(port, 2)
            process, seconds = first_200(command, port, server_env, "/sparql")
            stop(process)
            times.setdefault(f"serve {label}", []).append(seconds)
            times.setdefault(f"assess {label}", []).append(assess_seconds(server_env))
        if Path(oxigraph).exists():
            port = live.free_port()
            command = [oxigraph, "serve", "--bind", f"127.0.0.1:{port}"]
            process, seconds = first_200(command, port, env, "/query")
            stop(process)
            times.setdefault("serve oxigraph", []).append(seconds)
    shutil.rmtree(cache, ignore_errors=True)
    medians = {label: statistics.median(found) for label, found in times.items()}
    print(f"{args.runs} runs, load average {os.getloadavg()[0]:.1f}; median seconds:")
    for label, seconds in medians.items():
        spread = f"{min(times[label]):.3f}-{max(times[label]):.3f}"
        print(f"  {label:<22} {seconds:>7.3f}   (range {spread})")
    failed = False
    for kind, target in TARGETS.items():
        after = medians[f"{kind} after"]
        ratio = ""
        if f"{kind} before" in medians:
            ratio = f", {after / medians[f'{kind} before']:.2f}x before"
        met = after <= target
        failed |= not met
        print(
            f"  {kind}: {after:.3f} s{ratio} (target <= {target} s: {'met' if met else 'MISSED'})"
        )
    if "serve oxigraph" in medians:
        print(f"  serve: {medians['serve after'] / medians['serve oxigraph']:.1f}x oxigraph serve")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
