"""Cases to typed Arrow columns: plain-JSON records, or an Arrow batch (Parquet, CSV, Spark).

A :class:`Decoded` batch holds one Arrow array per key of the case format (numbers as float64,
booleans, categorical strings), the exact value of every number on demand (the float is only
used where it decides: see :mod:`nelmkg.eligibility.columnar`), and the rows the columnar path
does not evaluate itself:

* ``rejected``: rows the case reader refuses (unknown key, wrong JSON type, bad id): the very
  :class:`~nelmkg.cases.errors.CaseInputError` that :func:`nelmkg.cases.json_input.check_plain`
  raises for them;
* ``delegated``: rows only the per-case reader can read (JSON-LD, values of unusual Python
  types or beyond the float range): assessed by the per-case engine.

Values are checked cheaply in bulk (the set of Python types of a column, the Arrow type of a
field); only rows that look wrong go through ``check_plain`` one by one, so every message is the
reader's own. Those rows' cells are blanked, so the columns hold only values the reader accepts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nelmkg.cases.context import CaseContext
from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.json_input import check_plain, is_plain
from nelmkg.eligibility.plan import Plan

# Python types of a JSON value that each kind accepts without a closer look (bool is not int).
ACCEPTED = {
    "number": {int, float, Decimal},
    "integer": {int},
    "boolean": {bool},
    "concept": {str},
}
ARROW_TYPES = {"number": pa.float64(), "integer": pa.float64(), "boolean": pa.bool_()}
# The id grammar of the case reader (nelmkg.cases.json_input._ID), for a whole column at once.
ID_PATTERN = r"^[A-Za-z0-9_~.-]+$"
# A number or whole number as JSON writes it, for text cells (CSV).
TEXT_PATTERNS = {
    "number": r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$",
    "integer": r"^-?(0|[1-9][0-9]*)$",
    "boolean": r"^(true|false)$",
}
_NONE = type(None)


def exact(value: Any) -> int | Decimal:
    """Return a JSON number's exact value as the case reader keeps it (floats via repr)."""
    return Decimal(repr(value)) if isinstance(value, float) else value


@dataclass
class Decoded:
    """A batch of cases as typed columns, and the rows the columnar path leaves alone."""

    size: int
    ids: list  # each row's raw id value (None when absent)
    arrays: dict[str, pa.Array]
    exact: dict[str, Callable[[int], int | Decimal]]  # number key -> row -> exact value
    document: Callable[[int], dict]  # row -> the case as a JSON object (for violation values)
    rejected: dict[int, CaseInputError] = field(default_factory=dict)
    delegated: dict[int, Any] = field(default_factory=dict)


def _classify(row: int, record: Any, context: CaseContext, out: Decoded) -> None:
    """Send a row that looked wrong to the reader: refused, or left to the per-case engine."""
    if not is_plain(record):
        out.delegated[row] = record
        return
    try:
        check_plain(record, context)
    except CaseInputError as exc:
        out.rejected[row] = exc
    else:
        out.delegated[row] = record


def _floats(values: list) -> tuple[pa.Array, list[int]]:
    """Return the values as float64 and the rows that do not fit one (huge or not finite)."""
    try:
        floats = [None if v is None else float(v) for v in values]
    except OverflowError:
        floats = []
        for v in values:
            try:
                floats.append(None if v is None else float(v))
            except OverflowError:
                floats.append(math.inf)
    array = pa.array(floats, pa.float64())
    return array, pc.indices_nonzero(_not_finite(array)).to_pylist()


def from_records(records: list, plan: Plan, context: CaseContext) -> Decoded:
    """Decode plain-JSON case objects (as ``json`` parses them, or as Python builds them)."""
    size = len(records)
    kinds = {c.key: c.kind for c in plan.columns}
    cells: dict[str, list] = {key: [None] * size for key in kinds}
    ids: list = [None] * size
    suspects: set[int] = set()
    id_key = plan.id_key
    for row, record in enumerate(records):
        if type(record) is not dict:
            suspects.add(row)
            continue
        for key, value in record.items():
            column = cells.get(key)
            if column is not None:
                column[row] = value
            elif key == id_key:
                ids[row] = value
            elif value is not None:
                suspects.add(row)  # an unknown key, or a JSON-LD keyword
    for key, column in cells.items():
        odd = set(map(type, column)) - ACCEPTED[kinds[key]] - {_NONE}
        if odd:
            suspects.update(r for r, v in enumerate(column) if type(v) in odd)
    suspects.update(_bad_ids(ids))
    out = Decoded(size, ids, {}, {}, lambda row: records[row])
    _settle(suspects, records, context, out, cells)
    for key, column in cells.items():
        if kinds[key] in ("number", "integer"):
            array, bad = _floats(column)
            if bad:  # beyond the float range, or a non-finite float: the reader decides
                _settle(set(bad), records, context, out, cells)
                array, _ = _floats(column)
            out.arrays[key] = array
            out.exact[key] = lambda row, column=column: exact(column[row])
    for key, column in cells.items():
        if kinds[key] not in ("number", "integer"):
            out.arrays[key] = pa.array(column, ARROW_TYPES.get(kinds[key], pa.string()))
    return out


def _bad_ids(ids: list) -> list[int]:
    """Return the rows whose id the reader would refuse (not a string, or not an id)."""
    bad = [r for r, v in enumerate(ids) if v is not None and type(v) is not str]
    strings = pa.array([v if type(v) is str else None for v in ids], pa.string())
    wrong = pc.invert(pc.match_substring_regex(strings, ID_PATTERN))
    bad += pc.indices_nonzero(pc.fill_null(wrong, False)).to_pylist()
    bad += [r for r, v in enumerate(ids) if v in (".", "..")]
    return bad


def _settle(rows: set[int], records, context, out: Decoded, cells: dict[str, list]) -> None:
    for row in sorted(rows):
        _classify(row, records[row], context, out)
        for column in cells.values():
            column[row] = None


def _text_value(kind: str | None, text: str) -> Any:
    """Return a text cell as the JSON value it spells (for the reader's message), else text."""
    if kind in TEXT_PATTERNS:
        try:
            return json.loads(text, parse_float=Decimal)
        except ValueError:
            return text
    return text


def from_arrow(batch: pa.RecordBatch, plan: Plan, context: CaseContext, text: bool = False):
    """Decode an Arrow batch (one field per key); ``text``: every cell is text (CSV)."""
    size = batch.num_rows
    kinds = {c.key: c.kind for c in plan.columns}
    names = batch.schema.names
    arrays: dict[str, pa.Array] = {}
    sources: dict[str, pa.Array] = {}
    suspect = _false(size)
    ids = [None] * size
    for name in names:
        column = batch.column(name)
        kind = kinds.get(name)
        if name == plan.id_key and kind is None:
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                ids = column.to_pylist()
                bad = _bad_ids(ids)
                if bad:
                    suspect = pc.or_(suspect, _mask(size, bad))
            else:
                suspect = pc.or_(suspect, pc.is_valid(column))
            continue
        typed, wrong = _typed(column, kind, text)
        suspect = pc.or_(suspect, wrong)
        if typed is not None:
            arrays[name], sources[name] = typed
    for key in kinds:
        if key not in arrays:
            arrays[key] = pa.nulls(size, ARROW_TYPES.get(kinds[key], pa.string()))
    rows = pc.indices_nonzero(suspect).to_pylist()

    def document(row: int) -> dict:
        cells = {n: batch.column(n)[row].as_py() for n in names}
        if text:
            cells = {n: v if v is None else _text_value(kinds.get(n), v) for n, v in cells.items()}
        return cells

    out = Decoded(size, ids, arrays, {}, document)
    for row in rows:
        _classify(row, document(row), context, out)
    if rows:
        keep = pc.invert(_mask(size, rows))
        out.arrays = {k: pc.if_else(keep, a, pa.nulls(size, a.type)) for k, a in arrays.items()}
        for row in rows:
            out.ids[row] = document(row).get(plan.id_key)
    for key, source in sources.items():
        if kinds[key] in ("number", "integer"):
            out.exact[key] = _exact_from(source, text)
    return out


def _mask(size: int, rows: list[int]) -> pa.Array:
    flags = [False] * size
    for row in rows:
        flags[row] = True
    return pa.array(flags, pa.bool_())


def _exact_from(source: pa.Array, text: bool) -> Callable[[int], int | Decimal]:
    if text:
        return lambda row: _exact_text(source[row].as_py())
    return lambda row: exact(source[row].as_py())


def _exact_text(text: str) -> int | Decimal:
    value = json.loads(text, parse_float=Decimal)
    return value


def _typed(column: pa.Array, kind: str | None, text: bool):
    """Return ((typed array, source array) or None, rows the reader must look at)."""
    present = pc.is_valid(column)
    if kind is None:
        return None, present  # an unknown key: the reader refuses any value
    if pa.types.is_null(column.type):
        return None, _false(len(column))
    kind_type = column.type
    if pa.types.is_dictionary(kind_type):
        column = column.cast(kind_type.value_type)
        kind_type = column.type
    if pa.types.is_large_string(kind_type):
        column = column.cast(pa.string())
        kind_type = column.type
    if text and kind in TEXT_PATTERNS and pa.types.is_string(kind_type):
        ok = pc.fill_null(pc.match_substring_regex(column, TEXT_PATTERNS[kind]), True)
        clean = pc.if_else(ok, column, pa.nulls(len(column), pa.string()))
        if kind == "boolean":
            return (pc.equal(clean, "true"), clean), pc.invert(ok)
        floats = pc.cast(clean, pa.float64())
        return (floats, clean), pc.or_(pc.invert(ok), _not_finite(floats))
    fits = {
        "number": lambda t: pa.types.is_integer(t) or pa.types.is_floating(t)
        or pa.types.is_decimal(t),
        "integer": pa.types.is_integer,
        "boolean": pa.types.is_boolean,
        "concept": pa.types.is_string,
    }[kind]
    if not fits(kind_type):
        return None, present
    if kind in ("number", "integer"):
        floats = pc.cast(column, pa.float64(), safe=False)
        return (floats, column), _not_finite(floats)
    return (column, column), _false(len(column))


def _false(size: int) -> pa.Array:
    return pa.array([False] * size, pa.bool_())


def _not_finite(floats: pa.Array) -> pa.Array:
    return pc.invert(pc.fill_null(pc.is_finite(floats), True))


def document_rows(batch: pa.RecordBatch, text: bool, context: CaseContext) -> list[dict]:
    """Return an Arrow batch's rows as case objects (text cells read as the JSON they spell)."""
    kinds = {k: spec.kind for k, spec in context.keys.items()}
    rows = []
    for row in batch.to_pylist():
        case = {k: v for k, v in row.items() if v is not None}
        if text:
            case = {k: _text_value(kinds.get(k), v) for k, v in case.items()}
        rows.append(case)
    return rows


# The native NDJSON reader's column types: exact decimals with up to 21 decimal places and 17
# whole digits; a number it cannot hold so makes the reader fail, and the Python path reads it.
NATIVE_DECIMAL = pa.decimal128(38, 21)
NATIVE_TYPES = {"number": NATIVE_DECIMAL, "integer": pa.int64(), "boolean": pa.bool_()}


def native_schema(plan: Plan) -> pa.Schema:
    """Return the schema the native reader holds NDJSON cases to (strict JSON types)."""
    fields = [(plan.id_key, pa.string())]
    fields += [(c.key, NATIVE_TYPES.get(c.kind, pa.string())) for c in plan.columns]
    return pa.schema(fields)


def from_ndjson(lines: list[bytes], plan: Plan, context: CaseContext) -> Decoded | None:
    """Decode NDJSON lines with Arrow's JSON reader, or return None to use the Python path.

    The reader is strict where the case reader is: a value of another JSON type than its key
    wants, an unknown key, a key given twice, a number not held exactly, invalid JSON or a line
    that is not one object make it fail, and then the Python path (which names each fault) runs.
    """
    from pyarrow import json as arrow_json

    data = b"\n".join(lines) + b"\n"
    try:
        table = arrow_json.read_json(
            pa.BufferReader(data),
            read_options=arrow_json.ReadOptions(use_threads=False, block_size=len(data) + 1),
            parse_options=arrow_json.ParseOptions(
                explicit_schema=native_schema(plan), unexpected_field_behavior="error"
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    if table.num_rows != len(lines):
        return None
    batch = table.combine_chunks().to_batches()[0] if table.num_rows else None
    if batch is None:
        return None
    ids = batch.column(plan.id_key).to_pylist()
    if _bad_ids(ids):
        return None
    arrays = {c.key: batch.column(c.key) for c in plan.columns}
    parsed: dict[int, dict] = {}

    def document(row: int) -> dict:
        if row not in parsed:
            parsed[row] = json.loads(lines[row], parse_float=Decimal)
        return parsed[row]

    exact_of = {
        c.key: (lambda row, a=arrays[c.key]: a[row].as_py())
        for c in plan.columns
        if c.kind in ("number", "integer")
    }
    return Decoded(batch.num_rows, ids, arrays, exact_of, document)
