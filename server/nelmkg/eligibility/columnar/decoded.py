"""Cases as typed Arrow columns: plain-JSON records, or an Arrow batch (Parquet, CSV, Spark).

A :class:`Decoded` batch holds one Arrow array per key of the case format (numbers as float64,
booleans, categorical strings), the exact value of every number on demand (the float is only
used where it decides: see :mod:`nelmkg.eligibility.columnar.evaluate`), and the rows the
columnar path does not evaluate itself:

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

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nelmkg.cases.context import CaseContext
from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.json_input import check_plain, is_plain

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
NONE_TYPE = type(None)


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


def classify(row: int, record: Any, context: CaseContext, out: Decoded) -> None:
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


def bad_ids(ids: list) -> list[int]:
    """Return the rows whose id the reader would refuse (not a string, or not an id)."""
    bad = [r for r, v in enumerate(ids) if v is not None and type(v) is not str]
    strings = pa.array([v if type(v) is str else None for v in ids], pa.string())
    wrong = pc.invert(pc.match_substring_regex(strings, ID_PATTERN))
    bad += pc.indices_nonzero(pc.fill_null(wrong, False)).to_pylist()
    bad += [r for r, v in enumerate(ids) if v in (".", "..")]
    return bad


def mask(size: int, rows: list[int]) -> pa.Array:
    flags = [False] * size
    for row in rows:
        flags[row] = True
    return pa.array(flags, pa.bool_())


def false(size: int) -> pa.Array:
    return pa.array([False] * size, pa.bool_())


def not_finite(floats: pa.Array) -> pa.Array:
    return pc.invert(pc.fill_null(pc.is_finite(floats), True))
