"""``nelmkg assess FILE... | -``: assess patient cases from files or standard input.

Each input holds one case (a JSON object), a JSON array of cases, or NDJSON (one JSON case
per line); a FHIR R4 Bundle (told by its ``resourceType``) is a case too, mixed freely with
plain-JSON cases, its assessment then carrying a ``mapping`` report; ``.ttl``, ``.nt``,
``.rdf``/``.owl``/``.xml`` and ``.jsonld`` files are read as RDF (Turtle, N-Triples, RDF/XML,
JSON-LD) holding one case. ``-`` reads JSON from stdin.

Output is a table per case, or with ``--json`` the assessment objects, shaped like the
input: a single object for a single object, an array for an array, NDJSON for NDJSON (with
several inputs: NDJSON when all are NDJSON, else one array).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tqdm import tqdm

from nelmkg.cases.read import SUFFIX_TYPES
from nelmkg.eligibility.assessor import Assessor, CaseInputError

EXIT_OK, EXIT_MALFORMED, EXIT_INPUT = 0, 1, 2
EXIT_CODES = """\
exit status:
  0  every case is well-formed and was assessed
  1  at least one case is malformed (its violations are shown; the others are assessed)
  2  usage error, unreadable file or unparseable input (file:line:column on stderr)
"""
# File suffix -> content type for RDF inputs (each file holds one case); JSON is read apart.
RDF_TYPES = {k: v for k, v in SUFFIX_TYPES.items() if k != ".json"}
# CaseInputError kinds that mean "could not be parsed" (exit 2); the others (unknown key,
# wrong JSON type, not one patient node, remote context) make a malformed case (exit 1).
UNPARSEABLE = ("syntax", "media-type")
NDJSON_SUFFIXES = (".ndjson", ".jsonl")
TABLE_WIDTH = 100
REASON_INDENT = " " * 6
EXPLAINED = ("not_eligible", "indeterminate", "ambiguous")  # statuses shown with reasons
UNITS_SHOWN = ("years", "months", "cm")  # others ("count", none) print the bare value
PROGRESS_FROM = 20  # more cases than this, on a terminal: a progress bar on stderr


class InputError(Exception):
    """An input that cannot be read or parsed; the message starts with ``file:line:column``."""


@dataclass
class Source:
    """The cases of one input, and the shape to echo in JSON output."""

    name: str
    shape: str  # "object", "array", "ndjson" or "rdf"
    cases: list = field(default_factory=list)  # dicts, or (text, content type) pairs
    lines: list[int] = field(default_factory=list)  # NDJSON: the line of each case


def add_parser(sub: argparse._SubParsersAction, readers: Sequence[ReaderFactory] = ()) -> None:
    """Register the ``assess`` subcommand (``readers``: other case formats it also reads)."""
    cmd = sub.add_parser(
        "assess",
        help="assess patient cases (JSON, NDJSON or RDF) against every treatment option",
        description=__doc__.split("\n\n", 1)[1],
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmd.add_argument("files", nargs="+", metavar="FILE", help="case file, or - for stdin")
    cmd.add_argument("--json", action="store_true", help="print the assessments as JSON")
    cmd.set_defaults(func=functools.partial(run, readers=tuple(readers)))


def read_source(name: str) -> Source:
    """Read one input (a path or ``-``) into a :class:`Source`; raise :class:`InputError`."""
    if name == "-":
        return parse_json_text(sys.stdin.read(), "<stdin>")
    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: cannot read: {exc}") from exc
    suffix = path.suffix.lower()
    if suffix in RDF_TYPES:
        return Source(name, "rdf", [(text, RDF_TYPES[suffix])])
    return parse_json_text(text, name, ndjson=suffix in NDJSON_SUFFIXES)


def _loads(text: str, name: str, line: int | None = None):
    """Parse JSON (fractions as ``Decimal``, as the case reader does); raise InputError."""

    def refuse(constant: str):
        raise ValueError(f"{constant} is not a JSON number")

    try:
        return json.loads(text, parse_float=Decimal, parse_constant=refuse)
    except json.JSONDecodeError as exc:
        if line is None and exc.msg.startswith("Extra data"):
            raise  # a first value followed by more: the caller reads NDJSON
        raise InputError(f"{name}:{line or exc.lineno}:{exc.colno}: {exc.msg}") from exc
    except ValueError as exc:
        raise InputError(f"{name}:{line or 1}:1: {exc}") from exc


def parse_json_text(text: str, name: str, ndjson: bool = False) -> Source:
    """Return the cases of a JSON object, array or NDJSON text; raise :class:`InputError`."""
    if not ndjson:
        try:
            value = _loads(text, name)
        except json.JSONDecodeError:
            pass  # NDJSON, whose errors name their own line
        else:
            if isinstance(value, dict):
                return Source(name, "object", [value])
            if isinstance(value, list) and all(isinstance(v, dict) for v in value):
                return Source(name, "array", value)
            raise InputError(f"{name}:1:1: expected a case object or an array of case objects")
    cases, lines = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            value = _loads(line, name, number)
            if not isinstance(value, dict):
                raise InputError(f"{name}:{number}:1: expected one case object per line")
            cases.append(value)
            lines.append(number)
    return Source(name, "ndjson", cases, lines)


def run(args: argparse.Namespace, readers: Sequence[ReaderFactory] = ()) -> int:
    """Assess every case of every input; print a table or JSON; return the exit status."""
    if args.files.count("-") > 1:
        print("error: - (stdin) may be given only once", file=sys.stderr)
        return EXIT_INPUT
    try:
        sources = [read_source(name) for name in args.files]
        results = _assess_all(sources, Assessing(Assessor.from_repository(), readers))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    try:
        if args.json:
            _print_json(sources, results)
        else:
            print("\n".join(format_table(r) for done in results for r in done), end="")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    flat = [r for done in results for r in done]
    return EXIT_OK if all(r["well_formed"] for r in flat) else EXIT_MALFORMED


# A reader of another case format for this command: built from the run's assessor, it
# returns a document's assessment, or None for a document that is not its format (the FHIR
# room adds Bundles this way, nelmkg.fhir.cli).
ReaderFactory = Callable[[Assessor], Callable[[Any], dict | None]]


class Assessing:
    """The run's assessor and the readers of other case formats it was given."""

    def __init__(self, assessor: Assessor, readers: Sequence[ReaderFactory] = ()) -> None:
        self.assessor = assessor
        self.readers = [make(assessor) for make in readers]

    def assess(self, case, content_type: str | None = None) -> dict:
        """Return the assessment of one case (by the first reader that takes it)."""
        for reader in self.readers:
            found = reader(case)
            if found is not None:
                return found
        return self.assessor.assess(case, content_type)


def _assess_all(sources: list[Source], assessor: Assessing) -> list[list[dict]]:
    """Assess every case; a case that cannot be read at all raises :class:`InputError`."""
    results = []
    with _progress(sum(len(s.cases) for s in sources)) as bar:
        for source in sources:
            done = []
            for index, case in enumerate(source.cases):
                done.append(_assess_one(source, index, case, assessor))
                bar.update(1)
            results.append(done)
    return results


def _assess_one(source: Source, index: int, case, assessor: Assessing) -> dict:
    """Return one case's assessment; a case the reader refuses becomes a malformed one."""
    try:
        if isinstance(case, tuple):
            return assessor.assess(*case)
        return assessor.assess(case)
    except CaseInputError as exc:
        if exc.kind in UNPARSEABLE:
            raise InputError(_where(source, index, exc)) from exc
        name = case.get("id") if isinstance(case, dict) else None
        violation = {"path": exc.key, "value": exc.value, "message": exc.message}
        return {
            "case": name if isinstance(name, str) else _label(source, index),
            "well_formed": False,
            "violations": [{k: v for k, v in violation.items() if v is not None}],
            "options": None,
        }


def _label(source: Source, index: int) -> str:
    """Return how to name a case of ``source`` that has no id."""
    if source.shape == "array":
        return f"{source.name}[{index}]"
    if source.shape == "ndjson":
        return f"{source.name}:{_line(source, index)}"
    return source.name


def _line(source: Source, index: int) -> int:
    return source.lines[index] if source.lines else index + 1


def _where(source: Source, index: int, exc: CaseInputError) -> str:
    """Return ``file:line:column: message`` for a case that could not be parsed."""
    if source.shape == "ndjson":
        place = f"{source.name}:{_line(source, index)}:{exc.column or 1}"
    elif exc.line is not None:
        place = f"{source.name}:{exc.line}:{exc.column or 1}"
    else:
        place = _label(source, index)
    return f"{place}: {exc.message}"


def _print_json(sources: list[Source], results: list[list[dict]]) -> None:
    shapes = {s.shape for s in sources}
    if len(sources) == 1 and sources[0].shape in ("object", "rdf"):
        print(json.dumps(results[0][0], indent=2, ensure_ascii=False))
    elif shapes == {"ndjson"}:
        for done in results:
            for result in done:
                print(json.dumps(result, ensure_ascii=False))
    else:
        flat = [r for done in results for r in done]
        print(json.dumps(flat, indent=2, ensure_ascii=False))


def format_table(result: dict) -> str:
    """Return one case's assessment as text: a status line per option, then for options not
    eligible the failed and ambiguous criteria (with the case's value) and the missing ones."""
    lines = [f"{result['case']}  {'well-formed' if result['well_formed'] else 'MALFORMED'}"]
    if not result["well_formed"]:
        lines += [f"  - {_violation(v)}" for v in result.get("violations") or []]
        return "\n".join(lines) + "\n"
    options = result.get("options") or {}
    width = max((len(name) for name in options), default=0)
    for name, option in options.items():
        lines.append(f"  {name:<{width}}  {option['status']}")
        if option["status"] in EXPLAINED:
            lines += _reasons(option.get("criteria") or [])
    return "\n".join(lines) + "\n"


def _reasons(criteria: list[dict]) -> list[str]:
    """Return the lines naming the failed, ambiguous and missing criteria, each once."""
    lines: list[str] = []
    for result in ("failed", "ambiguous"):
        shown = dict.fromkeys(_criterion(c) for c in criteria if c.get("result") == result)
        lines += [f"{REASON_INDENT}{result:<11}{text}" for text in shown]
    missing = dict.fromkeys(
        c.get("label") or c["id"] for c in criteria if c.get("result") == "missing"
    )
    if missing:
        lines += textwrap.wrap(
            "; ".join(missing),
            width=TABLE_WIDTH,
            initial_indent=f"{REASON_INDENT}{'missing':<11}",
            subsequent_indent=" " * (len(REASON_INDENT) + 11),
        )
    return lines


def _criterion(c: dict) -> str:
    """Return ``label: value (needs threshold)`` for a failed or ambiguous criterion."""
    value, unit = c.get("value"), c.get("unit")
    shown = f"{value}%" if unit == "%" else f"{value} {unit}" if unit in UNITS_SHOWN else f"{value}"
    needs = f" (needs {c['threshold']})" if c.get("threshold") else ""
    return f"{c.get('label') or c['id']}: {shown}{needs}"


def _violation(v: dict) -> str:
    key, message = v.get("path") or v.get("key"), v.get("message", "")
    return f"{key}: {message}" if key and not message.startswith(str(key)) else message


def _progress(total: int) -> tqdm:
    """Return a progress bar on stderr, shown only for long runs on a terminal."""
    show = total > PROGRESS_FROM and sys.stderr.isatty()
    return tqdm(total=total, file=sys.stderr, unit="case", leave=False, disable=not show)
