"""Command line: ``nelmkg <command>``; each command lives in the room that owns its job.

:data:`COMMANDS` maps a command to the module that registers it (``add_parser``) and runs it.
Only the module of the command being run is imported (``nelmkg assess`` never loads the web
stack or the reasoner); ``nelmkg --help`` imports them all to list them.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys

from nelmkg.graph.dataset import LoadError
from nelmkg.graph.queries import QueryError
from nelmkg.paths import DataFileError

# command -> module with add_parser(subparsers); a module may register several commands.
COMMANDS: dict[str, str] = {
    "summary": "nelmkg.graph.cli",
    "release": "nelmkg.graph.cli",
    "check": "nelmkg.graph.cli",
    "docs": "nelmkg.graph.cli",
    "diff": "nelmkg.changes.cli",
    "changelog": "nelmkg.changes.cli",
    "build": "nelmkg.generate",
    "assess": "nelmkg.fhir.cli",  # the eligibility command, reading FHIR Bundles too
    "audit": "nelmkg.audit.cli",
    "coverage": "nelmkg.coverage.cli",
    "serve": "nelmkg.web.serve",
    "load": "nelmkg.graph.remote.load",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Return the parser with ``command``'s subcommand, or every subcommand when None."""
    parser = argparse.ArgumentParser(prog="nelmkg", description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    wanted = [COMMANDS[command]] if command in COMMANDS else COMMANDS.values()
    for module in dict.fromkeys(wanted):
        importlib.import_module(module).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), None)
    # Importing the command allocates much and frees nothing: the collector is off meanwhile,
    # and what was imported (modules, classes, functions: there for the whole run) is then
    # moved out of its sight, so that no later collection walks it (35 ms of a service start).
    gc.disable()
    try:
        args = build_parser(command).parse_args(argv)
    finally:
        gc.freeze()
        gc.enable()
    try:
        return args.func(args)
    except DataFileError as exc:  # the installation or NELMKG_ROOT lacks a data file
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (LoadError, QueryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
