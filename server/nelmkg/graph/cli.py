"""The graph's commands: ``summary``, ``release``, ``docs`` and ``check``.

``summary`` counts what the bundled data holds, ``release`` writes the release files,
``docs`` regenerates the ontology's HTML documentation (pyLODE) and
``check`` runs the content checks: parse, QC queries, integrity shapes, verbatim quotes and
HermiT (``--no-reasoner`` skips it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from nelmkg import paths
from nelmkg.graph import checks, ontodoc
from nelmkg.graph.dataset import (
    LoadError,
    data_graph,
    format_summary,
    load_dataset,
    parse_files,
    part,
    summary,
)
from nelmkg.graph.queries import QueryError, load_query
from nelmkg.graph.release import ReleaseError, write_release

# One check: returns (ok, one-line summary, detail lines).
Outcome = tuple[bool, str, list[str]]


def _summary(args: argparse.Namespace) -> int:
    info = summary(load_dataset())
    print(json.dumps(info, indent=2) if args.json else format_summary(info))
    return 0


def _release(args: argparse.Namespace) -> int:
    ds = load_dataset()
    try:
        written = write_release(ds, args.output or paths.release_dir())
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(format_summary(summary(ds)))
    print()
    for path in written.values():
        print(f"wrote {path}")
    return 0


def _docs(args: argparse.Namespace) -> int:
    target = args.output or (paths.root() / "ontology" / "doc" / "nelm.html")
    try:
        html = ontodoc.generate(paths.ontology_file())
    except ontodoc.DocError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(html)
    print(f"wrote {target}")
    return 0


def _qc(graph) -> Outcome:
    violation = [load_query(p) for p in paths.qc_files()]
    if not violation:
        return False, "no queries/qc/*-violation.rq found", []
    found = checks.qc_violations(graph, violation)
    details = []
    for name, rows in found.items():
        details.append(f"{name}: {len(rows)} row(s)")
        details += [f"    {' | '.join(map(str, row))}" for row in rows[:10]]
    return not found, f"{len(found)} of {len(violation)} queries found violations", details


def _integrity(graph) -> Outcome:
    files = paths.shape_files("kg")
    if not files:
        return False, "no shapes/kg/*.ttl found", []
    conforms, text = checks.integrity(graph, parse_files(files))
    word = "conforms" if conforms else "does not conform"
    return conforms, f"{word} to {len(files)} shape file(s)", [] if conforms else text.splitlines()


def _quotes(kg) -> Outcome | None:
    """Verify the quotes; None (a skip, said on the line) when no review text is configured."""
    total = len(checks.quotes(kg))
    if not total:
        return False, "no nelm:quote in the KG", []
    review = paths.review_file()
    if review is None:
        return None
    if not review.is_file():
        return False, f"review text not found at {review} (from {paths.REVIEW_ENV})", []
    missing = checks.missing_quotes(kg, review.read_text(encoding="utf-8"))
    details = [f"{s}: {str(q)[:90]!r}" for s, q in missing]
    return not missing, f"{total - len(missing)} of {total} quotes verbatim", details


def _reasoner(graph, ds, explain: bool) -> Outcome:
    # owlready2 and the JVM are only needed here: imported when the reasoner runs.
    from nelmkg.graph.reasoning import (
        ReasonerError,
        check_consistency,
        explain_inconsistency,
        non_owl2_datatypes,
    )

    odd = non_owl2_datatypes(graph)
    if odd:
        details = [f"{s} {p} {o!r}" for s, p, o in odd[:20]]
        return False, f"{len(odd)} literal(s) outside the OWL 2 datatype map", details
    try:
        result = check_consistency(graph)
    except ReasonerError as exc:
        return False, "HermiT could not run", str(exc).splitlines()
    details = list(result.unsatisfiable)
    if not result.consistent and explain:
        parts = {paths.relative(f): parse_files([f]) for f in paths.kg_files()}
        details = explain_inconsistency(part(ds, "ontology"), parts)
    elif not result.consistent:
        details = ["run `nelmkg check --explain` to localise the clash (many HermiT runs)"]
    return result.ok, f"{result.message} (HermiT {result.seconds:.1f} s)", details


def _check(args: argparse.Namespace) -> int:
    try:
        ds = load_dataset()
    except LoadError as exc:
        print(f"parse      FAIL  {exc}")
        return 1
    except paths.DataFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    graph = data_graph(ds)
    steps: dict[str, Callable[[], Outcome | None]] = {
        "qc": lambda: _qc(graph),
        "integrity": lambda: _integrity(graph),
        "quotes": lambda: _quotes(part(ds, "kg")),
    }
    if not args.no_reasoner:
        steps["reasoner"] = lambda: _reasoner(graph, ds, args.explain)
    sizes = ", ".join(f"{name} {len(part(ds, name))}" for name in ("ontology", "kg", "shapes"))
    print(f"{'parse':<10} ok    triples: {sizes}")
    failed = 0
    for name, step in steps.items():
        try:
            outcome = step()
        except (LoadError, QueryError, paths.DataFileError) as exc:
            outcome = False, str(exc), []
        if outcome is None:
            total = len(checks.quotes(part(ds, "kg")))
            hint = paths.review_hint()
            print(f"{name:<10} SKIP  {total} quotes NOT verified: no review text; {hint}")
            continue
        ok, line, details = outcome
        failed += not ok
        print(f"{name:<10} {'ok  ' if ok else 'FAIL'}  {line}")
        for detail in details:
            print(f"    {detail}")
    print("all checks passed" if not failed else f"{failed} check(s) failed")
    return 1 if failed else 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``summary``, ``release``, ``docs`` and ``check``."""
    cmd = sub.add_parser("summary", help="load the bundled graph and print counts")
    cmd.add_argument("--json", action="store_true", help="print the counts as JSON")
    cmd.set_defaults(func=_summary)
    cmd = sub.add_parser("release", help="write the release files")
    cmd.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="output folder (default: dist/release/ in the repository)",
    )
    cmd.set_defaults(func=_release)
    cmd = sub.add_parser("docs", help="generate the ontology's HTML documentation (pyLODE)")
    cmd.add_argument(
        "-o", "--output", type=Path, default=None, help="default: ontology/doc/nelm.html"
    )
    cmd.set_defaults(func=_docs)
    cmd = sub.add_parser("check", help="parse, QC queries, integrity shapes, quotes, HermiT")
    cmd.add_argument("--no-reasoner", action="store_true", help="skip the HermiT run")
    cmd.add_argument(
        "--explain", action="store_true", help="localise an inconsistency (slow: many HermiT runs)"
    )
    cmd.set_defaults(func=_check)
