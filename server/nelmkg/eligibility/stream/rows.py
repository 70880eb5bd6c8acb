"""Status rows: one flat row per case (``case``, ``well_formed``, ``violations``, a status per
option, optionally ``<option>_reasons``), from either engine, and their NDJSON/CSV/Parquet form.

The columnar engine gives them directly
(:class:`~nelmkg.eligibility.columnar.engine.BatchAssessor`); the per-case engine's assessments
are flattened to the same row (``tests/test_columnar.py`` checks that both agree). ``violations``
is a JSON array as text in CSV and Parquet, a JSON array in
NDJSON; a malformed case has no statuses (null / empty cell).
"""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.compute as pc

from nelmkg.eligibility.columnar.arrow import from_arrow
from nelmkg.eligibility.columnar.engine import flatten, patch, result_schema
from nelmkg.eligibility.columnar.ndjson import from_ndjson
from nelmkg.eligibility.columnar.records import from_records
from nelmkg.eligibility.stream.sources import Unit
from nelmkg.eligibility.stream.work import UNPARSEABLE, Done, Settings, label, records_of, where


def columnar_rows(unit: Unit, settings: Settings, done: Done) -> pa.Table:
    """Assess a unit with the columnar engine; refused rows get their label as case name."""
    engine = settings.batch
    positions: list[int]
    if unit.kind == "rdf":
        records, positions = records_of(unit, done)
        from nelmkg.eligibility.stream.work import per_case

        found = [per_case(unit, 0, records[0], done, settings)]
        options = engine.options
        rows = [flatten(r, options, settings.reasons) for r in found if r is not None]
        return per_case_rows(rows, settings)
    if unit.kind == "arrow":
        decoded = from_arrow(unit.payload, engine.plan, engine.context, unit.text)
        positions = list(range(unit.payload.num_rows))
    else:
        decoded = None
        if unit.kind == "lines":
            decoded = from_ndjson(unit.payload, engine.plan, engine.context)
            positions = list(range(len(unit.payload)))
        if decoded is None:
            records, positions = records_of(unit, done)
            decoded = from_records(records, engine.plan, engine.context)
    table, errors = engine.run(decoded, settings.reasons)
    if errors:
        names = table.column("case").to_pylist()
        drop = []
        for row, exc in sorted(errors.items()):
            other = _other_format(settings, decoded.document(row)) if settings.readers else None
            if other is not None:  # e.g. a FHIR Bundle: assessed by its own reader
                table = patch(table, {row: flatten(other, engine.options, settings.reasons)})
                names[row] = other["case"]
                continue
            if exc.kind in UNPARSEABLE:
                done.errors.append(where(unit, positions[row], exc))
                drop.append(row)
            elif names[row] is None:
                names[row] = label(unit, positions[row])
        table = table.set_column(0, "case", pa.array(names, pa.string()))
        if drop:
            keep = [r not in set(drop) for r in range(table.num_rows)]
            table = table.filter(pa.array(keep, pa.bool_()))
    return table.cast(result_schema(engine.options, settings.reasons))


def _other_format(settings: Settings, document: dict) -> dict | None:
    return settings.assessor().other_format(document)


def per_case_rows(rows: list[dict], settings: Settings) -> pa.Table:
    """Return per-case assessments, flattened (:func:`flatten`), as a table of status rows."""
    options = settings.batch.options
    return pa.Table.from_pylist(rows, schema=result_schema(options, settings.reasons))


def serialise(table: pa.Table, fmt: str):
    """Return a piece of output: NDJSON text, CSV bytes without header, or the table itself."""
    if fmt == "parquet":
        return table
    if fmt == "csv":
        from pyarrow import csv

        out = io.BytesIO()
        csv.write_csv(table, out, csv.WriteOptions(include_header=False))
        return out.getvalue()
    lines = []
    for row in table.to_pylist():
        row["violations"] = json.loads(row["violations"])
        lines.append(json.dumps(row, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def csv_header(table_schema: pa.Schema) -> bytes:
    """Return the CSV header line of status rows."""
    from pyarrow import csv

    out = io.BytesIO()
    csv.write_csv(table_schema.empty_table(), out)
    return out.getvalue()


def well_formed_count(table: pa.Table) -> int:
    """Return how many rows are well-formed."""
    return pc.sum(table.column("well_formed")).as_py() or 0
