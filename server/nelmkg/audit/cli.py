"""``nelmkg audit --format html|csv|json [-o FILE]``: write the citation audit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nelmkg import paths
from nelmkg.audit import FORMATS, render, run_audit
from nelmkg.graph.dataset import data_graph, load_dataset


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``audit`` subcommand on the main parser's subparsers."""
    cmd = sub.add_parser(
        "audit",
        help="citation audit: evidence chains per recommendation, and flags with reasons",
        description=(
            "Audit the review's citations: for each recommendation its claims, their references, "
            "study designs, sample sizes, effects and p-values; and every flag (uncited claims, "
            "unused references, quotes not in the text, differing figures, retrospective-only "
            "recommendations, named author vs first author, stated design vs the reference's "
            "title, indirect evidence). The review text is read from the file named by "
            "$NELMKG_REVIEW; without it the quote check is skipped and the report says so."
        ),
    )
    cmd.add_argument(
        "--format", choices=sorted(FORMATS), default="json", help="output format (default: json)"
    )
    cmd.add_argument(
        "-o", "--output", type=Path, default=None, help="write to FILE instead of standard output"
    )
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the audit over the bundled ontology + KG and write the report; return 0."""
    graph = data_graph(load_dataset())
    text, source = paths.read_review()
    report = run_audit(graph, text, review_source=source)
    output = render(report, args.format)
    if args.output is None:
        sys.stdout.write(output)
    else:
        args.output.write_text(output, encoding="utf-8")
        counts = report.summary()["by_kind"]
        shown = ", ".join(f"{k} {'skipped' if v is None else v}" for k, v in counts.items())
        print(f"wrote {args.output} ({len(report.flags)} flags: {shown})", file=sys.stderr)
    return 0
