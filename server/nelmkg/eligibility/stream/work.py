"""One unit of ``nelmkg assess`` work: read its cases, assess them, write its output piece.

:func:`assess_unit` runs in a worker process (or in-process with ``--jobs 1``): it parses the
unit's cases, assesses them with the chosen engine and returns the piece of output the main
process writes in input order (:class:`Done`). Explanation formats (``table``, ``json``) use the
per-case engine, whose output carries criteria, values and quotes; status formats (``ndjson``,
``csv``, ``parquet``) use the columnar engine
(:class:`~nelmkg.eligibility.columnar.engine.BatchAssessor`) unless ``engine`` is ``per-case``. A
case that cannot be parsed is reported as
``file:line:column: message`` and left out; the other cases go on.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from typing import Any

from nelmkg.cases.errors import CaseInputError
from nelmkg.eligibility.stream.jsontext import InputError, parse_line
from nelmkg.eligibility.stream.sources import Unit

EXPLAINED_FORMATS = ("table", "json")
STATUS_FORMATS = ("ndjson", "csv", "parquet")
# CaseInputError kinds that mean "could not be parsed" (exit 2); the others (unknown key,
# wrong JSON type, not one patient node, remote context) make a malformed case (exit 1).
UNPARSEABLE = ("syntax", "media-type")


@dataclass
class Settings:
    """What every unit is assessed with: the output format, the engine and extras."""

    format: str
    engine: str = "columnar"  # for status formats: columnar | per-case
    reasons: bool = False
    shape: str = "array"  # json: the output shape (object, array, ndjson)
    batch: Any = None  # the BatchAssessor (columnar)
    readers: tuple = ()  # factories of readers of other case formats (FHIR Bundles)
    _assessing: Any = None  # the per-case engine and readers, built on first use per process

    def assessor(self) -> Assessing:
        """Return the per-case engine (the columnar engine's, when there is one) and readers."""
        if self._assessing is None:
            if self.batch is not None:
                base = self.batch.per_case()
            else:
                from nelmkg.eligibility.assessor import Assessor

                base = Assessor.from_repository()
            self._assessing = Assessing(base, self.readers)
        return self._assessing

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_assessing": None}  # a worker builds its own


class Assessing:
    """A per-case assessor and the readers of other case formats it was given."""

    def __init__(self, assessor: Any, readers: tuple = ()) -> None:
        self.assessor = assessor
        self.readers = [make(assessor) for make in readers]

    def other_format(self, case: Any) -> dict | None:
        """Return the assessment of a document another reader takes, else None."""
        for reader in self.readers:
            found = reader(case)
            if found is not None:
                return found
        return None

    def assess(self, case: Any, content_type: str | None = None) -> dict:
        """Return the assessment of one case (by the first reader that takes it)."""
        found = self.other_format(case) if self.readers else None
        return found if found is not None else self.assessor.assess(case, content_type)


@dataclass
class Done:
    """A unit's output piece, its case count, malformed count and input errors."""

    output: Any
    nbytes: int = 0  # the unit's input bytes, when known
    count: int = 0
    malformed: int = 0
    errors: list[str] = field(default_factory=list)


def label(unit: Unit, position: int) -> str:
    """Return how to name a case of the unit that has no id (file:line, file[index])."""
    if unit.kind == "lines":
        return f"{unit.source}:{unit.numbers[position]}"
    if unit.kind == "arrow":
        if unit.text:
            return f"{unit.source}:{unit.first_line + position}"
        return f"{unit.source}[{position}]"
    if unit.shape == "array":
        return f"{unit.source}[{unit.numbers[position]}]"
    if unit.shape == "ndjson":
        return f"{unit.source}:{unit.numbers[position]}"
    return unit.source


def where(unit: Unit, position: int, exc: CaseInputError) -> str:
    """Return ``file:line:column: message`` for a case that could not be parsed."""
    if unit.kind == "lines" or unit.shape == "ndjson":
        place = f"{unit.source}:{unit.numbers[position]}:{exc.column or 1}"
    elif exc.line is not None:
        place = f"{unit.source}:{exc.line}:{exc.column or 1}"
    else:
        place = label(unit, position)
    return f"{place}: {exc.message}"


def records_of(unit: Unit, done: Done) -> tuple[list, list[int]]:
    """Return the unit's cases (dicts, or (text, type) for RDF) and their positions."""
    if unit.kind == "lines":
        records, kept = [], []
        for position, raw in enumerate(unit.payload):
            try:
                records.append(parse_line(raw, unit.source, unit.numbers[position]))
                kept.append(position)
            except InputError as exc:
                done.errors.append(str(exc))
        return records, kept
    if unit.kind == "rdf":
        return [unit.payload], [0]
    if unit.kind == "arrow":
        from nelmkg.cases.context import load_context
        from nelmkg.eligibility.columnar.arrow import document_rows

        rows = document_rows(unit.payload, unit.text, load_context())
        return rows, list(range(unit.payload.num_rows))
    return unit.payload, list(range(len(unit.payload)))


def split_lines(unit: Unit) -> Unit:
    """Return a block unit as its non-blank lines, each with its line number."""
    if unit.kind != "lines" or isinstance(unit.payload, list):
        return unit
    first = unit.numbers[0]
    pairs = [(first + i, raw) for i, raw in enumerate(unit.payload.split(b"\n")) if raw.strip()]
    lines, numbers = [r for _, r in pairs], [n for n, _ in pairs]
    return Unit(unit.source, unit.shape, "lines", lines, numbers, nbytes=unit.nbytes)


def assess_unit(unit: Unit, settings: Settings) -> Done:
    """Assess one unit; return its output piece (see :class:`Done`)."""
    done = Done(None, unit.nbytes)
    unit = split_lines(unit)
    if settings.format in STATUS_FORMATS and settings.engine == "columnar":
        from nelmkg.eligibility.stream.rows import columnar_rows

        table = columnar_rows(unit, settings, done)
    else:
        records, positions = records_of(unit, done)
        pieces = []  # each case's output as soon as it is assessed: a full result is large
        for position, record in zip(positions, records, strict=True):
            result = per_case(unit, position, record, done, settings)
            if result is not None:
                done.malformed += not result["well_formed"]
                pieces.append(_piece(result, settings))
        if settings.format in EXPLAINED_FORMATS:
            done.count = len(pieces)
            done.output = pieces
            return done
        from nelmkg.eligibility.stream.rows import per_case_rows

        table = per_case_rows(pieces, settings)
    from nelmkg.eligibility.stream.rows import serialise

    done.count = table.num_rows
    if settings.engine == "columnar":
        done.malformed = done.count - sum(table.column("well_formed").to_pylist())
    done.output = serialise(table, settings.format)
    return done


def per_case(
    unit: Unit, position: int, case: Any, done: Done, settings: Settings
) -> dict | None:
    """Return one case's per-case assessment (a refused case becomes a malformed one)."""
    assess = settings.assessor().assess
    try:
        return assess(*case) if isinstance(case, tuple) else assess(case)
    except CaseInputError as exc:
        if exc.kind in UNPARSEABLE:
            done.errors.append(where(unit, position, exc))
            return None
        from nelmkg.eligibility.violations import reader_violation

        name = case.get("id") if isinstance(case, dict) else None
        return {
            "case": name if isinstance(name, str) else label(unit, position),
            "well_formed": False,
            "violations": [reader_violation(exc)],
            "options": None,
        }


def _piece(result: dict, settings: Settings) -> Any:
    """Return a result as output: a table's text, JSON as the shape wants it, or a status row."""
    if settings.format == "table":
        from nelmkg.eligibility.stream.tables import format_table

        return format_table(result)
    if settings.format == "json":
        if settings.shape == "ndjson":
            return json.dumps(result, ensure_ascii=False)
        indent = "  " if settings.shape == "array" else ""  # array items, as json.dumps does
        return textwrap.indent(json.dumps(result, indent=2, ensure_ascii=False), indent)
    from nelmkg.eligibility.columnar.engine import flatten

    return flatten(result, settings.batch.options, settings.reasons)
