"""NDJSON lines to columns through Arrow's JSON reader, strict about JSON types.

When the reader cannot take a block exactly (see :func:`from_ndjson`), the Python path
(:mod:`nelmkg.eligibility.columnar.records`) reads it and names every fault.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pyarrow as pa

from nelmkg.cases.context import CaseContext
from nelmkg.eligibility.columnar.decoded import Decoded, bad_ids
from nelmkg.eligibility.columnar.plan import Plan

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
    if bad_ids(ids):
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
