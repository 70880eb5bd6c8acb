"""Arrow batches (Parquet, Spark, CSV read as text) to columns.

A field of the Arrow type its key wants is taken as it is (numbers cast to float64, the source
kept for exact values); a field of another type, an unknown field or a bad id marks its rows,
which the case reader then judges from the row as a JSON object. CSV cells are text: a number
or ``true``/``false`` is read as the JSON it spells, an empty cell is an unknown fact.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nelmkg.cases.context import CaseContext
from nelmkg.eligibility.columnar.decoded import (
    ARROW_TYPES,
    TEXT_PATTERNS,
    Decoded,
    bad_ids,
    classify,
    exact,
    false,
    mask,
    not_finite,
)
from nelmkg.eligibility.columnar.plan import Plan


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
    suspect = false(size)
    ids = [None] * size
    for name in names:
        column = batch.column(name)
        kind = kinds.get(name)
        if name == plan.id_key and kind is None:
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                ids = column.to_pylist()
                bad = bad_ids(ids)
                if bad:
                    suspect = pc.or_(suspect, mask(size, bad))
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
        classify(row, document(row), context, out)
    if rows:
        keep = pc.invert(mask(size, rows))
        out.arrays = {k: pc.if_else(keep, a, pa.nulls(size, a.type)) for k, a in arrays.items()}
        for row in rows:
            out.ids[row] = document(row).get(plan.id_key)
    for key, source in sources.items():
        if kinds[key] in ("number", "integer"):
            out.exact[key] = _exact_from(source, text)
    return out


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
        return None, false(len(column))
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
        return (floats, clean), pc.or_(pc.invert(ok), not_finite(floats))
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
        return (floats, column), not_finite(floats)
    return (column, column), false(len(column))


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
