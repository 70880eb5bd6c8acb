"""Benchmark of ``assess()``: latency and throughput on random valid cases, against a baseline.

Not a test: run ``python bench/assess_bench.py [--cases 1000] [--seed N]`` (see
bench/README.md). It generates random plain-JSON cases that are well-formed by construction
(ranges read from ``shapes/case/``, thresholds and undecided values read from the KG so that
values sit on, just below and just above every boundary, some facts left out), then times

(a) ``Assessor.assess`` per case over all options with each SHACL engine, the compiled Core
    subset (the default) and pySHACL: median, p95, max, cases/s;
(b) a hand-written Python check of the same criteria (:class:`Baseline`): thresholds,
    operators and required values read from the KG once, no SHACL, no ambiguity logic;

and prints all three, their ratios, the targets, whether both engines gave identical JSON
for every case, and how often the compiled engine and the baseline agree on each status.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import SKOS

from nelmkg import paths
from nelmkg.eligibility.assessor import Assessor
from nelmkg.graph.dataset import data_graph, load_dataset, parse_files
from nelmkg.graph.vocab import NELM
from nelmkg.testing.casegen import boundaries, case_facts, generate

ELIG = Namespace("https://w3id.org/nelmkg/shapes/eligibility#")
TARGETS = {"median_ms": 20.0, "p95_ms": 50.0, "cases_per_s": 200.0}


# Operators of nelm:Criterion, applied to (patient value, threshold).
OPERATORS: dict[str, Callable] = {
    "GreaterThan": lambda v, t: v > t,
    "AtLeast": lambda v, t: v >= t,
    "LessThan": lambda v, t: v < t,
    "AtMost": lambda v, t: v <= t,
    "EqualTo": lambda v, t: v == t,
    "OneOf": lambda v, t: v in t,
}


@dataclass(frozen=True)
class Check:
    """One criterion as the baseline applies it."""

    key: str
    operator: Callable
    threshold: object


class Baseline:
    """A plain Python reading of the same criteria: no SHACL, no ambiguity logic.

    Everything is read once from the KG (criteria, operators, thresholds, required concepts
    as their JSON strings) and from the eligibility shapes (which criteria sets make each
    option, and the resection exception); :meth:`assess` then only compares numbers.
    """

    def __init__(self, graph: Graph, eligibility: Graph):
        self.options: dict[str, list[list[Check]]] = {}
        # option -> (the exception's checks, index of the criterion it relaxes)
        self.exceptions: dict[str, tuple[list[Check], int]] = {}
        self.regimens: dict[str, list[tuple[str, list[Check]]]] = {}
        for node, option in eligibility.subject_objects(ELIG.optionId, unique=True):
            sets = sorted(eligibility.objects(node, ELIG.criteriaSet))
            name = str(option)
            if (node, ELIG.selectsRegimen, Literal(True)) in eligibility:
                self.regimens[name] = [
                    (_regimen_name(graph, s), self._checks(graph, s)[0]) for s in sets
                ]
                continue
            self.options[name] = [self._checks(graph, s)[0] for s in sets]
            for exc in eligibility.objects(node, ELIG.exception):
                checks, _ = self._checks(graph, eligibility.value(exc, ELIG.criteriaSet))
                relaxed = str(eligibility.value(exc, ELIG.relaxes))
                self.exceptions[name] = (checks, self._checks(graph, sets[0])[1].index(relaxed))

    @staticmethod
    def _checks(graph: Graph, cset) -> tuple[list[Check], list[str]]:
        crits = sorted(
            graph.subjects(NELM.inCriteriaSet, cset),
            key=lambda c: int(graph.value(c, NELM.criterionOrder)),
        )
        checks = []
        for crit in crits:
            key = str(graph.value(graph.value(crit, NELM.patientProperty), NELM.jsonKey))
            operator = OPERATORS[str(graph.value(crit, NELM.operator)).rsplit("#", 1)[1]]
            value = graph.value(crit, NELM.thresholdValue)
            if value is not None:
                threshold = value.toPython()
                threshold = float(threshold) if isinstance(threshold, Decimal) else threshold
            else:
                notes = {
                    str(graph.value(c, SKOS.notation))
                    for c in graph.objects(crit, NELM.requiredConcept)
                }
                threshold = notes if len(notes) > 1 else next(iter(notes))
            checks.append(Check(key, operator, threshold))
        return checks, [str(c) for c in crits]

    @staticmethod
    def _results(case: dict, checks: list[Check]) -> list[str]:
        results = []
        for check in checks:
            if check.key not in case:
                results.append("missing")
            else:
                met = check.operator(case[check.key], check.threshold)
                results.append("met" if met else "failed")
        return results

    @staticmethod
    def _status(results: list[str]) -> str:
        if "failed" in results:
            return "not_eligible"
        return "indeterminate" if "missing" in results else "eligible"

    def assess(self, case: dict) -> dict[str, str]:
        """Return option -> status for one plain-JSON case."""
        out = {}
        for option, sets in self.options.items():
            results = [r for checks in sets for r in self._results(case, checks)]
            if option in self.exceptions:  # e.g. grade G3 is met when the G3 exception is
                checks, index = self.exceptions[option]
                if self._status(self._results(case, checks)) == "eligible":
                    results[index] = "met"
            out[option] = self._status(results)
        for option, choices in self.regimens.items():
            statuses = [(name, self._status(self._results(case, c))) for name, c in choices]
            chosen = [name for name, status in statuses if status == "eligible"]
            if chosen:
                out[option] = chosen[0]
            elif all(status == "not_eligible" for _, status in statuses):
                out[option] = "not_applicable"
            else:
                out[option] = "indeterminate"
        return out


def _regimen_name(graph: Graph, cset) -> str:
    """Return the regimen's option status name (``capecitabine_temozolomide``) for a set."""
    therapy = graph.value(cset, NELM.yieldsRegimen)
    return str(therapy).rsplit("/", 1)[1].replace("-", "_")


def timed(function: Callable, cases: list[dict]) -> tuple[list[float], float, list]:
    """Run ``function`` on every case; return per-case seconds, total seconds, results."""
    latencies, results = [], []
    start = time.perf_counter()
    for case in cases:
        t0 = time.perf_counter()
        results.append(function(case))
        latencies.append(time.perf_counter() - t0)
    return latencies, time.perf_counter() - start, results


def summarise(latencies: list[float], total: float) -> dict[str, float]:
    """Return median, p95 and max latency in ms and the throughput in cases/s."""
    ms = sorted(x * 1000 for x in latencies)
    return {
        "median_ms": statistics.median(ms),
        "p95_ms": ms[min(len(ms) - 1, int(0.95 * len(ms)))],
        "max_ms": ms[-1],
        "cases_per_s": len(ms) / total,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="number of cases (1000)")
    parser.add_argument("--seed", type=int, default=2020, help="random seed (2020)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed calls first (20)")
    args = parser.parse_args(argv)

    ds = load_dataset()
    graph = data_graph(ds)
    facts = case_facts(parse_files(paths.shape_files("case")), graph)
    cases = generate(args.cases, args.seed, facts, boundaries(graph))
    baseline = Baseline(graph, parse_files(paths.shape_files("eligibility")))
    engines = {e: Assessor.from_repository(graph, engine=e) for e in ("compiled", "pyshacl")}

    figures, outputs = {}, {}
    for name, assessor in engines.items():
        for case in cases[: args.warmup]:
            assessor.assess(case)
        lat, total, outputs[name] = timed(assessor.assess, cases)
        figures[name] = summarise(lat, total)
    base_lat, base_total, base_outputs = timed(baseline.assess, cases)
    ours, slow, base = figures["compiled"], figures["pyshacl"], summarise(base_lat, base_total)

    print(
        f"{args.cases} random well-formed cases (seed {args.seed}), "
        f"{len(facts)} facts, {len(baseline.options) + len(baseline.regimens)} options\n"
    )
    print(
        f"{'':13}{'compiled':>10}{'pyshacl':>10}{'baseline':>10}"
        f"{'pyshacl/compiled':>18}{'compiled/baseline':>19}{'target':>9}"
    )
    for name in ("median_ms", "p95_ms", "max_ms", "cases_per_s"):
        target = TARGETS.get(name)
        rate = name == "cases_per_s"
        limit = "" if target is None else f"{'>=' if rate else '<='} {target:g}"
        speedup = (ours[name] / slow[name]) if rate else (slow[name] / ours[name])
        slower = (base[name] / ours[name]) if rate else (ours[name] / base[name])
        print(
            f"{name:13}{ours[name]:10.2f}{slow[name]:10.2f}{base[name]:10.3f}"
            f"{speedup:17.1f}x{slower:18.1f}x{limit:>9}"
        )
    missed = [
        name
        for name, target in TARGETS.items()
        if (ours[name] < target if name == "cases_per_s" else ours[name] > target)
    ]
    print(
        "\ntargets (compiled engine, the default):",
        "all met" if not missed else "missed: " + ", ".join(missed),
    )
    same = sum(a == b for a, b in zip(outputs["compiled"], outputs["pyshacl"], strict=True))
    print(f"identical assessment JSON from both engines: {same}/{len(cases)}")
    report_agreement(outputs["compiled"], base_outputs)
    return 1 if missed or same != len(cases) else 0


def report_agreement(outputs: list[dict], expected: list[dict[str, str]]) -> None:
    """Print how often assess() and the baseline agree, and where they do not.

    A disagreement is put down to the ambiguity logic when assess() marks one of the option's
    criteria ``ambiguous`` (the baseline has no such result); any other is listed as such.
    """
    agree, pairs, malformed = 0, 0, 0
    where: Counter = Counter()
    for out, base in zip(outputs, expected, strict=True):
        if not out["well_formed"]:
            malformed += 1
            continue
        for option, status in base.items():
            verdict = out["options"][option]
            pairs += 1
            if verdict["status"] == status:
                agree += 1
                continue
            ambiguous = any(c["result"] == "ambiguous" for c in verdict["criteria"])
            why = "ambiguity" if ambiguous else "OTHER"
            where[(why, option, verdict["status"], status)] += 1
    explained = sum(n for (why, *_), n in where.items() if why == "ambiguity")
    print(
        f"\nagreement with the baseline: {agree}/{pairs} option statuses "
        f"({agree / max(pairs, 1):.1%}); {explained} of the {pairs - agree} differences come "
        f"from the ambiguity logic; {malformed} case(s) reported malformed"
    )
    for (why, option, got, status), count in sorted(where.items(), key=lambda x: -x[1]):
        print(f"  {count:5}  {why:9}  {option:26} assess={got:26} baseline={status}")


if __name__ == "__main__":
    sys.exit(main())
