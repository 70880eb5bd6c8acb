"""Plain-JSON case objects (as ``json`` or ijson parse them, or as Python builds them) to columns.

A loop collects each key's values; the set of Python types in a column finds the rows that
look wrong, which the case reader then judges one by one (:func:`~nelmkg.eligibility.columnar.
decoded.classify`). Numbers become float64 with their exact value kept for ties.
"""

from __future__ import annotations

import math

import pyarrow as pa
import pyarrow.compute as pc

from nelmkg.cases.context import CaseContext
from nelmkg.eligibility.columnar.decoded import (
    ACCEPTED,
    ARROW_TYPES,
    NONE_TYPE,
    Decoded,
    bad_ids,
    classify,
    exact,
    not_finite,
)
from nelmkg.eligibility.columnar.plan import Plan


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
    return array, pc.indices_nonzero(not_finite(array)).to_pylist()


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
        odd = set(map(type, column)) - ACCEPTED[kinds[key]] - {NONE_TYPE}
        if odd:
            suspects.update(r for r, v in enumerate(column) if type(v) in odd)
    suspects.update(bad_ids(ids))
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


def _settle(rows: set[int], records, context, out: Decoded, cells: dict[str, list]) -> None:
    for row in sorted(rows):
        classify(row, records[row], context, out)
        for column in cells.values():
            column[row] = None
