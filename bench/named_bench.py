"""Named queries without HTTP: the service's engine against raw pyoxigraph, in one process.

Not a test: run ``python bench/named_bench.py [--repeat 30]`` (see bench/README.md). For each
query of ``queries/evidence/`` with its first ``#+ example:`` line, interleaved:

- **engine**: what a worker's evaluator does for ``/queries/NAME?…`` — the parameters bound in
  the text (:func:`nelmkg.query.bound.bind`), then :func:`nelmkg.query.engine.run` (Oxigraph
  evaluation on the union view and the capped JSON writer);
- **raw**: the same bound text given to ``pyoxigraph.Store.query`` with
  ``use_default_graph_as_union`` and serialised by Oxigraph to SPARQL JSON, no cap.

It prints per query the medians and their ratio, then the median of the ratios (target:
<= 1.3x, issue 14); ``--before DIR`` is not offered: the previous engine (rdflib over the
store) took another path per query and its times are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import pyoxigraph as ox

from nelmkg import paths
from nelmkg.graph.params import parse_example
from nelmkg.graph.queries import load_queries
from nelmkg.graph.store import load_store
from nelmkg.query.bound import bind
from nelmkg.query.engine import run
from nelmkg.query.jobs import Job
from nelmkg.web.service import output_prefixes

TARGET = 1.3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="runs of each query per side")
    args = parser.parse_args()
    store = load_store()
    prefixes = output_prefixes()
    queries = load_queries(paths.queries_dir("evidence"))
    ratios, sums = [], [0.0, 0.0]
    print(f"{'query':<40} {'engine ms':>10} {'raw ms':>10} {'ratio':>7}")
    for name, query in queries.items():
        example = query.examples[0] if query.examples else ""
        bindings = tuple(parse_example(example).items())
        text = bind(query.text, query.values_at, bindings) if bindings else query.text
        union = not query.dataset_clause
        job = Job(query=text, checked=True, union=union, max_rows=10_000)

        def engine(job=job):
            run(store, job, prefixes)

        def raw(text=text, union=union):
            result = store.inner.query(text, use_default_graph_as_union=union)
            if isinstance(result, ox.QuerySolutions):
                result.serialize(format=ox.QueryResultsFormat.JSON)
            elif isinstance(result, ox.QueryTriples):
                result.serialize(format=ox.RdfFormat.TURTLE)

        times: dict[str, list[float]] = {"engine": [], "raw": []}
        for _ in range(args.repeat):  # interleaved: background load falls on both alike
            for side, call in (("engine", engine), ("raw", raw)):
                started = time.perf_counter()
                call()
                times[side].append((time.perf_counter() - started) * 1000)
        ours, theirs = (statistics.median(times[s]) for s in ("engine", "raw"))
        ratios.append(ours / theirs)
        sums[0], sums[1] = sums[0] + ours, sums[1] + theirs
        print(f"{name:<40} {ours:>10.3f} {theirs:>10.3f} {ours / theirs:>6.2f}x")
    middle = statistics.median(ratios)
    print(
        f"{'sum of the medians':<40} {sums[0]:>10.3f} {sums[1]:>10.3f} {sums[0] / sums[1]:>6.2f}x"
    )
    met = "met" if middle <= TARGET else "MISSED"
    print(
        f"\n{len(ratios)} queries; median ratio engine/raw {middle:.2f}x "
        f"(target <= {TARGET}x: {met})"
    )
    return 0 if middle <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
