"""``nelmkg coverage``: the review's sentences in order, what quotes each, and the gaps.

Exit status: 0 no unexplained gap, 1 at least one gap (or a stale exclusion), 2 the review
text or the exclusion file is missing (one line on stderr says which).
"""

from __future__ import annotations

import argparse
import json
import sys

from rdflib import Graph

from nelmkg import paths
from nelmkg.coverage.report import Coverage, Row, load_exclusions, load_signals, measure
from nelmkg.graph.dataset import load_dataset, part

MARKS = {"quoted": "Q", "excluded": "x", "gap": "GAP", "plain": "."}


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``coverage`` subcommand."""
    cmd = sub.add_parser(
        "coverage", help="list the review's sentences, what quotes each, and unexplained gaps"
    )
    cmd.add_argument("--json", action="store_true", help="print the rows and summary as JSON")
    cmd.add_argument("--gaps", action="store_true", help="show only the gaps (the text table)")
    cmd.set_defaults(func=run)


def unavailable() -> str | None:
    """Return the one-line reason why the coverage cannot be computed here, or None."""
    review = paths.review_file()
    if review is None:
        return f"no review text: {paths.review_hint()}"
    if not review.is_file():
        return f"review text not found at {review} (set NELMKG_REVIEW)"
    excluded = paths.coverage_exclusions_file()
    if not excluded.is_file():
        return f"exclusion file not found at {paths.relative(excluded)}"
    return None


def compute(kg: Graph | None = None) -> Coverage | str:
    """Return the coverage of ``kg`` (the bundled KG by default), or a one-line reason why it
    cannot be computed (no review text, no exclusion file)."""
    reason = unavailable()
    if reason is not None:
        return reason
    if kg is None:
        kg = part(load_dataset(), "kg")
    raw = paths.review_file().read_text(encoding="utf-8")
    excluded = load_exclusions(paths.coverage_exclusions_file())
    return measure(raw, kg, excluded, load_signals())


def as_json(coverage: Coverage) -> dict:
    """Return the coverage as a JSON-ready object: summary, stale exclusions and rows."""

    def row(r: Row) -> dict:
        return {
            "index": r.unit.index,
            "kind": r.unit.kind,
            "section": r.unit.section,
            "status": r.status,
            "signals": r.signals,
            "resources": r.resources,
            "reason": r.exclusion.reason if r.exclusion and not r.resources else None,
            "text": r.unit.text,
        }

    return {
        "summary": coverage.summary(),
        "stale_exclusions": coverage.stale,
        "rows": [row(r) for r in coverage.rows],
    }


def as_table(coverage: Coverage, gaps_only: bool = False) -> str:
    """Return a plain-text table: one line per unit, then the summary."""
    lines = [f"{'#':>4}  {'status':<4} {'kind':<9} {'signals':<26} resources / text"]
    for r in coverage.rows:
        if gaps_only and r.status != "gap":
            continue
        who = ", ".join(r.resources[:3]) + (
            f" +{len(r.resources) - 3}" if len(r.resources) > 3 else ""
        )
        lead = (
            f"{r.unit.index:>4}  {MARKS[r.status]:<4} {r.unit.kind:<9} {','.join(r.signals):<26} "
        )
        lines.append(lead + (who or "-"))
        lines.append(f"{'':>6}{r.unit.text[:110]}")
    summary = coverage.summary()
    lines.append("")
    lines.append(", ".join(f"{k}: {v}" for k, v in summary.items()))
    lines += [f"stale exclusion: {s}" for s in coverage.stale]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the coverage; return 1 on a gap or stale exclusion, 2 if it cannot run."""
    coverage = compute()
    if isinstance(coverage, str):
        print(f"error: {coverage}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(as_json(coverage), indent=2, ensure_ascii=False))
    else:
        print(as_table(coverage, args.gaps))
    return 1 if coverage.gaps or coverage.stale else 0
