"""``nelmkg diff OLD NEW`` and ``nelmkg changelog``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nelmkg import paths
from nelmkg.changes import changelog
from nelmkg.changes.compare import Changes, compare
from nelmkg.changes.model import View
from nelmkg.changes.render import FORMATS, render
from nelmkg.changes.sources import Side, SourceError, load_side, snapshots
from nelmkg.graph.version import project_version


def diff(old: Side, new: Side) -> Changes:
    """Return the changes from side ``old`` to side ``new``."""
    return compare(View(old.kg, old.ontology), View(new.kg, new.ontology), old.name, new.name)


def previous_release(version: str) -> str:
    """Return the latest snapshot version in ``releases/`` other than ``version``."""
    older = [v for v in snapshots() if v != version]
    if not older:
        raise SourceError("no earlier release snapshot in releases/")
    return older[-1]


def _diff(args: argparse.Namespace) -> int:
    try:
        changes = diff(load_side(args.old), load_side(args.new))
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = render(changes, args.format)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _changelog(args: argparse.Namespace) -> int:
    top = paths.checkout()
    target = args.file or (top / "CHANGELOG.md" if top else None)
    if target is None:
        print("error: no checkout; name the file with --file", file=sys.stderr)
        return 2
    version = project_version()
    try:
        changes = diff(load_side(previous_release(version)), load_side("."))
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    changes.new = version
    target.write_text(changelog.update(target, changes, version), encoding="utf-8")
    print(f"wrote the {version} entry of {target} (changes since {changes.old})")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``diff`` and ``changelog`` to the main parser's subcommands."""
    cmd = sub.add_parser(
        "diff",
        help="what changed between two releases (claims, criteria, references, ...)",
        description="OLD and NEW are each '.', a release folder, a version with a snapshot "
        "in releases/ (e.g. 0.1.0), or a git revision of the checkout (e.g. main, HEAD~2).",
    )
    cmd.add_argument("old", help="the earlier side")
    cmd.add_argument("new", nargs="?", default=".", help="the later side (default: the data)")
    cmd.add_argument("--format", choices=FORMATS, default="md", help="default: md (Markdown)")
    cmd.add_argument("-o", "--output", type=Path, help="write to FILE instead of standard output")
    cmd.set_defaults(func=_diff)
    cmd = sub.add_parser(
        "changelog",
        help="write the current version's CHANGELOG.md entry (changes since the last release)",
    )
    cmd.add_argument("--file", type=Path, help="the changelog (default: CHANGELOG.md)")
    cmd.set_defaults(func=_changelog)
