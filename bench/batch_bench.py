"""Benchmark of population-scale assessment: ``nelmkg assess`` on a large NDJSON file.

Not a test: run ``python bench/batch_bench.py [--cases 1000000]`` (see bench/README.md). It
writes random plain-JSON cases (``nelmkg.testing.casegen``: values on and around every threshold
the KG names, about 10% of facts left out, 1% of facts malformed) to an NDJSON file once, then
times, each as its own process tree whose memory (the sum of PSS over the tree) is sampled every
20 ms:

* **baseline**: the hand-written check of bench/assess_bench.py (no SHACL, no ambiguity
  logic), reading the same file line by line with ``json.loads``, in this process;
* **columnar**: ``nelmkg assess FILE --format csv -o OUT --jobs 2``, and with ``--jobs 1``;
* **per-case**: the same with ``--engine per-case --jobs 2`` on the first ``--per-case`` lines;
* **spark**: ``nelmkg.spark.assess_dataframe`` on local[2] (when pyspark is installed), over
  the first ``--spark`` lines read with ``spark.read.json``, written to Spark's ``noop`` sink.

It prints cases/s, wall seconds, peak memory and each rate as a ratio to the baseline, then the
targets: columnar --jobs 2 over a million cases in <= 20 s, >= 50,000 cases/s, peak memory <=
500 MB;
--jobs 2 at least 1.7x --jobs 1. Exit 1 when one is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

from assess_bench import Baseline

from nelmkg import paths
from nelmkg.graph.dataset import data_graph, load_dataset, parse_files
from nelmkg.testing.casegen import boundaries, case_facts, generate, json_line

TARGETS = {"seconds": 20.0, "cases_per_s": 50_000.0, "rss_mb": 500.0, "jobs_speedup": 1.7}
CHUNK = 50_000  # cases generated at a time (memory stays small)


def write_cases(path: Path, count: int, seed: int, graph) -> None:
    """Write ``count`` generated cases as NDJSON to ``path``."""
    facts = case_facts(parse_files(paths.shape_files("case")), graph)
    bounds = boundaries(graph)
    with path.open("w", encoding="utf-8") as out:
        for start in range(0, count, CHUNK):
            n = min(CHUNK, count - start)
            for case in generate(n, seed + start, facts, bounds, 0.01, prefix=f"b{start}"):
                out.write(json_line(case) + "\n")


def _field(text: str, name: str) -> int:
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def tree_memory(root: int) -> int:
    """Return the memory in bytes of ``root`` and all its descendants: the sum of their PSS.

    PSS (proportional set size) counts a page shared by n processes as 1/n in each: forked
    workers share the parent's pages, and summing their RSS would count those pages n times.
    """
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = _field(Path(f"/proc/{entry}/status").read_text(), "PPid")
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError):
            total += _field(Path(f"/proc/{pid}/smaps_rollup").read_text(), "Pss") * 1024
        todo += children.get(pid, [])
    return total


def timed_run(argv: list[str]) -> tuple[float, int, float]:
    """Run a command; return wall seconds, peak tree memory (bytes) and CPU seconds.

    CPU seconds (user + system, the command and the workers it waited for) do not depend on
    what else runs on the machine; wall seconds do.
    """
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_memory(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _pid, _status, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return seconds, peak, usage.ru_utime + usage.ru_stime


def baseline_rate(path: Path, graph, limit: int) -> float:
    """Return cases/s of json.loads + the hand-written check over the first ``limit`` lines."""
    check = Baseline(graph, parse_files(paths.shape_files("eligibility")))
    count = 0
    start = time.perf_counter()
    with path.open("rb") as lines:
        for line in lines:
            check.assess(json.loads(line, parse_float=Decimal))
            count += 1
            if count >= limit:
                break
    return count / (time.perf_counter() - start)


def head(path: Path, count: int, folder: Path) -> Path:
    """Return a file holding the first ``count`` lines of ``path``."""
    out = folder / f"head-{count}.ndjson"
    with path.open("rb") as source, out.open("wb") as target:
        for number, line in enumerate(source):
            if number >= count:
                break
            target.write(line)
    return out


SPARK_SCRIPT = """
import os, sys, time
os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
os.environ["PYSPARK_PYTHON"] = sys.executable
from pyspark.sql import SparkSession
from pyspark.sql.types import *
from nelmkg.eligibility.columnar.engine import BatchAssessor
from nelmkg.spark import assess_dataframe
engine = BatchAssessor.from_repository()
types = {"number": DecimalType(38, 21), "integer": LongType(), "boolean": BooleanType()}
schema = StructType([StructField("id", StringType())] + [
    StructField(k, types.get(s.kind, StringType())) for k, s in engine.context.keys.items()])
spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
         .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
         .config("spark.driver.memory", "1g").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
df = spark.read.schema(schema).json(sys.argv[1])
df.count()  # read once, so that the timing below is the assessment
start = time.perf_counter()
assess_dataframe(df, engine=engine).write.format("noop").mode("overwrite").save()
print(time.perf_counter() - start)
spark.stop()
"""


def spark_run(path: Path) -> tuple[float, int] | None:
    """Return (seconds of the assessment, peak tree memory) on local[2]; None without pyspark."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return None
    process = subprocess.Popen(
        [sys.executable, "-c", SPARK_SCRIPT, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_memory(process.pid))
        time.sleep(0.05)
    return float(process.stdout.read().strip().splitlines()[-1]), peak


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases (1,000,000)")
    parser.add_argument("--per-case", type=int, default=50_000, help="per-case run (50,000)")
    parser.add_argument("--spark", type=int, default=200_000, help="Spark run (200,000)")
    parser.add_argument("--seed", type=int, default=2020, help="random seed (2020)")
    parser.add_argument("--file", type=Path, help="reuse (or write) the NDJSON file here")
    args = parser.parse_args(argv)

    graph = data_graph(load_dataset())
    folder = Path(tempfile.mkdtemp(prefix="nelmkg-batch-"))
    path = args.file or folder / "cases.ndjson"
    if not path.exists():
        print(f"writing {args.cases:,} cases to {path} ...", flush=True)
        write_cases(path, args.cases, args.seed, graph)
    cases = sum(1 for _ in path.open("rb"))
    nelmkg = [str(Path(sys.executable).with_name("nelmkg")), "assess", "--format", "csv"]
    print(f"{cases:,} cases, {path.stat().st_size / 1e6:,.0f} MB; load {os.getloadavg()}\n")

    limit = min(cases, 200_000)
    cpu = time.process_time()
    base = baseline_rate(path, graph, limit)
    cpu = (time.process_time() - cpu) * cases / limit
    rows = [("baseline (1 process, json.loads + check)", cases / base, None, cpu, base)]
    out = folder / "out.csv"
    figures = {}
    for jobs in (2, 1):
        seconds, peak, cpu = timed_run([*nelmkg, "--jobs", str(jobs), str(path), "-o", str(out)])
        figures[jobs] = (seconds, peak)
        rows.append((f"columnar --jobs {jobs}", seconds, peak, cpu, cases / seconds))
    small = head(path, min(cases, args.per_case), folder)
    count = min(cases, args.per_case)
    seconds, peak, cpu = timed_run(
        [*nelmkg, "--engine", "per-case", "--jobs", "2", str(small), "-o", str(out)]
    )
    rows.append((f"per-case --jobs 2 ({count:,} cases)", seconds, peak, cpu, count / seconds))
    spark_count = min(cases, args.spark)
    spark = spark_run(head(path, spark_count, folder)) if spark_count else None
    if spark is not None:
        name = f"spark local[2] ({spark_count:,} cases)"
        rows.append((name, spark[0], spark[1], None, spark_count / spark[0]))

    print(f"{'':42}{'seconds':>9}{'CPU s':>8}{'peak MB':>9}{'cases/s':>10}{'/ baseline':>12}")
    for name, seconds, peak, cpu, rate in rows:
        memory = "" if peak is None else f"{peak / 1e6:,.0f}"
        used = "" if cpu is None else f"{cpu:.1f}"
        print(f"{name:42}{seconds:9.1f}{used:>8}{memory:>9}{rate:10,.0f}{rate / base:11.2f}x")
    seconds, peak = figures[2]
    got = {
        "seconds": seconds * 1_000_000 / cases,  # scaled to a million cases
        "cases_per_s": cases / seconds,
        "rss_mb": peak / 1e6,
        "jobs_speedup": figures[1][0] / figures[2][0],
    }
    print(f"\n--jobs 2 / --jobs 1: {got['jobs_speedup']:.2f}x")
    missed = [
        name
        for name, target in TARGETS.items()
        if (got[name] < target if name in ("cases_per_s", "jobs_speedup") else got[name] > target)
    ]
    verdict = "all met" if not missed else "missed: " + ", ".join(missed)
    print("targets (columnar --jobs 2):", verdict)
    print(f"load average after the run: {os.getloadavg()}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
