"""Assess a Spark DataFrame of cases with the columnar engine, inside Spark.

::

    from nelmkg.spark import assess_dataframe

    assessed = assess_dataframe(cases)                 # + well_formed, violations, <option>...
    assessed = assess_dataframe(cases, reasons=True)   # + <option>_reasons

``cases`` has one column per key of the case format (the keys of the JSON-LD case context,
``ontology/context/case-v1.jsonld``: numbers as integer, double or decimal columns, booleans,
categorical values as strings) and optionally ``id``; other columns pass through untouched. The
result is the same DataFrame with ``well_formed``, ``violations`` (a JSON array as text) and one
status column per option (null for a malformed case), plus ``<option>_reasons`` on request.

The shapes are compiled once on the driver
(:class:`~nelmkg.eligibility.columnar.engine.BatchAssessor`); the compiled plan is plain data,
shipped to the executors with the function that ``DataFrame.mapInArrow`` runs on each Arrow
batch, so executors need the nelmkg wheel and pyarrow but not the repository's data files. Requires
the ``spark`` extra (pyspark).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nelmkg.eligibility.columnar.engine import BatchAssessor, result_schema


def result_columns(engine: BatchAssessor, reasons: bool) -> list[str]:
    """Return the names of the columns the assessment adds."""
    return [f.name for f in result_schema(engine.options, reasons) if f.name != "case"]


def assess_dataframe(df: Any, reasons: bool = False, engine: BatchAssessor | None = None) -> Any:
    """Return ``df`` with the assessment columns added (see the module docstring)."""
    from pyspark.sql.types import BooleanType, StringType, StructField, StructType

    engine = engine or BatchAssessor.from_repository()
    added = result_columns(engine, reasons)
    clash = sorted(set(added) & set(df.columns))
    if clash:
        raise ValueError(f"the DataFrame already has columns named {', '.join(clash)}")
    case_columns = [c for c in df.columns if c in engine.context.keys or c == engine.plan.id_key]
    fields = [
        StructField(name, BooleanType() if name == "well_formed" else StringType(), True)
        for name in added
    ]
    out_schema = StructType(list(df.schema.fields) + fields)

    def assess(batches: Iterator) -> Iterator:
        import pyarrow as pa

        for batch in batches:
            cases = pa.RecordBatch.from_arrays(
                [batch.column(c) for c in case_columns], names=case_columns
            )
            table = engine.assess_arrow(cases, reasons)
            columns = list(batch.columns) + [table.column(n).combine_chunks() for n in added]
            yield pa.RecordBatch.from_arrays(columns, names=list(batch.schema.names) + added)

    return df.mapInArrow(assess, out_schema)
