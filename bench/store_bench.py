"""Benchmark of the candidate stores on the competency queries (figures: decision 0006).

Not a test: run ``python bench/store_bench.py [--repeat 5]``. It loads the bundled dataset
three ways — rdflib's default memory store (``nelmkg.graph.dataset.load_dataset``), rdflib over
Oxigraph (``oxrdflib``, parsed with ``ox-turtle``) and pyoxigraph directly
(``nelmkg.graph.store.load_store``) — then runs every ``queries/competency/*.rq`` on each and
prints the load time, the total of the per-query medians and the ratios. rdflib is timed
twice: from the query text (parse + translate + evaluate, what an endpoint does with a new
query) and from a prepared query (evaluation only). Each engine's row counts are checked to
agree, so the timing compares equal work.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from rdflib import Dataset
from rdflib.plugins.sparql import prepareQuery

from nelmkg import paths
from nelmkg.graph.dataset import load_dataset
from nelmkg.graph.store import bundled_sources, load_store


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def load_oxrdflib() -> Dataset:
    ds = Dataset(store="Oxigraph", default_union=True)
    for graph, files in bundled_sources().items():
        target = ds.graph(graph)
        for path in files:
            target.parse(path, format="ox-turtle")
    return ds


def median_time(fn: Callable[[], int], repeat: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeat):
        took, rows = timed(fn)
        times.append(took)
    return statistics.median(times), rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (median kept)")
    args = parser.parse_args()

    load_rdflib, memory = timed(load_dataset)
    load_ox, oxrdf = timed(load_oxrdflib)
    load_py, store = timed(load_store)
    texts = {p.stem: p.read_text(encoding="utf-8") for p in paths.competency_files()}
    prepared = {name: prepareQuery(text) for name, text in texts.items()}

    engines: dict[str, Callable[[str], int]] = {
        "rdflib memory (text)": lambda n: len(list(memory.query(texts[n]))),
        "rdflib memory (prepared)": lambda n: len(list(memory.query(prepared[n]))),
        "oxrdflib": lambda n: len(list(oxrdf.query(texts[n]))),
        "pyoxigraph": lambda n: len(list(store.query(texts[n]))),
    }
    totals: dict[str, float] = {}
    counts: dict[str, dict[str, int]] = {}
    for engine, run in engines.items():
        repeat = 1 if engine.startswith("rdflib") else args.repeat
        per_query = {n: median_time(lambda n=n, run=run: run(n), repeat) for n in texts}
        totals[engine] = sum(t for t, _ in per_query.values())
        counts[engine] = {n: rows for n, (_, rows) in per_query.items()}
    reference = counts["pyoxigraph"]
    for engine, rows in counts.items():
        differ = [n for n in texts if rows[n] != reference[n]]
        if differ:
            print(f"WARNING: {engine} row counts differ from pyoxigraph on {differ}")

    print(
        f"{len(texts)} competency queries; store loads: rdflib {load_rdflib * 1000:.0f} ms, "
        f"oxrdflib {load_ox * 1000:.0f} ms, pyoxigraph {load_py * 1000:.0f} ms"
    )
    print(
        f"{'engine':<26} {'total (ms)':>11} {'per query':>10} {'vs rdflib text':>15} "
        f"{'vs oxrdflib':>12}"
    )
    for engine, total in totals.items():
        print(
            f"{engine:<26} {total * 1000:>11.1f} {total / len(texts) * 1000:>9.2f}m "
            f"{totals['rdflib memory (text)'] / total:>14.1f}x {totals['oxrdflib'] / total:>11.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
