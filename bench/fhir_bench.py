"""Benchmark of the FHIR path: a 30-entry Bundle against the same case in plain JSON.

Not a test: run ``python bench/fhir_bench.py [--runs 500]`` (see bench/README.md). Both
inputs are the shipped samples, the Bundle ``server/nelmkg/fhir/examples/sample-bundle.json``
(30 entries: the issue's sample case in standard codes, one Observation entered in error)
and ``server/nelmkg/web/static/sample-case.json``. Each run times, from the JSON text to the
assessment dict, the plain path (``load_json`` + ``Assessor.assess``) and the FHIR path
(``load_json`` + ``FhirService.assess``: bounds, R4 model validation, mapping, the same
assessor), interleaved so that both see the same machine. It also times the model validation
alone. Prints p50/p95 of each (wall clock) and the CPU-time p50, the FHIR path's extra p50
and the ratio, both ways; the target is an extra p50 under 5 ms, checked on CPU time (on a
machine shared with other jobs the wall clock measures them too); exit 1 if it is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from nelmkg import paths
from nelmkg.cases.json_input import load_json
from nelmkg.eligibility.assessor import Assessor
from nelmkg.fhir.bundle import validate_bundle
from nelmkg.fhir.service import FhirService, example_files

TARGET_EXTRA_MS = 5.0
PLAIN = paths.root() / "server" / "nelmkg" / "web" / "static" / "sample-case.json"


def _ms(call, text: str) -> tuple[float, float]:
    """Return the wall-clock and CPU milliseconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    call(text)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def _line(name: str, times: list[tuple[float, float]]) -> str:
    wall = sorted(t[0] for t in times)
    p95 = wall[int(0.95 * (len(wall) - 1))]
    cpu = statistics.median(t[1] for t in times)
    return (
        f"{name:<18} p50 {statistics.median(wall):7.3f} ms   p95 {p95:7.3f} ms   "
        f"CPU p50 {cpu:7.3f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    """Time both paths; print figures; return 1 if the FHIR path misses its target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args(argv)
    assessor = Assessor.from_repository()
    fhir = FhirService.build(assessor)
    bundle_text = example_files()["sample-bundle.json"].read_text()
    plain_text = PLAIN.read_text()
    entries = len(load_json(bundle_text)["entry"])

    def plain(text: str) -> object:
        return assessor.assess(load_json(text))

    def bundle(text: str) -> object:
        return fhir.assess(load_json(text))[0]

    def models(text: str) -> None:
        validate_bundle(load_json(text))

    same = {k: v["status"] for k, v in plain(plain_text)["options"].items()} == {
        k: v["status"] for k, v in bundle(bundle_text)["options"].items()
    }
    for _ in range(args.warmup):
        plain(plain_text), bundle(bundle_text), models(bundle_text)
    times: dict[str, list[tuple[float, float]]] = {
        "plain JSON": [],
        "FHIR Bundle": [],
        "model validation": [],
    }
    for _ in range(args.runs):
        times["plain JSON"].append(_ms(plain, plain_text))
        times["FHIR Bundle"].append(_ms(bundle, bundle_text))
        times["model validation"].append(_ms(models, bundle_text))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.runs} runs; Bundle of {entries} entries; same statuses: {same}; load {load}")
    for name, found in times.items():
        print(_line(name, found))
    extra = {}
    for which, name in ((0, "wall"), (1, "CPU")):
        base = statistics.median(t[which] for t in times["plain JSON"])
        fhir_p50 = statistics.median(t[which] for t in times["FHIR Bundle"])
        extra[name] = fhir_p50 - base
        print(
            f"FHIR extra p50 ({name}) {extra[name]:.3f} ms (target < {TARGET_EXTRA_MS} ms); "
            f"FHIR/plain {fhir_p50 / base:.2f}x"
        )
    # On a machine shared with other jobs the wall clock also measures them: the target is
    # checked on the process's own CPU time (both are printed).
    return 0 if same and extra["CPU"] < TARGET_EXTRA_MS else 1


if __name__ == "__main__":
    sys.exit(main())
