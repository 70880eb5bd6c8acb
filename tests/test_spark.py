"""nelmkg.spark on a local[2] Spark: the same statuses as the per-case engine, per row."""

from __future__ import annotations

import json
import os
import sys

import pytest

from nelmkg import paths
from nelmkg.graph.dataset import parse_files
from nelmkg.testing.casegen import boundaries, case_facts, generate

from .test_columnar import expected_row

pytestmark = pytest.mark.spark
pyspark = pytest.importorskip("pyspark", reason="the spark extra: pip install '.[spark]'")

COUNT = 300


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # Everything stays on the loopback interface (no other address is ours to use).
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers run this interpreter (nelmkg)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("nelmkg-test")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


def spark_schema(context):
    from pyspark.sql.types import (
        BooleanType,
        DoubleType,
        LongType,
        StringType,
        StructField,
        StructType,
    )

    types = {"number": DoubleType(), "integer": LongType(), "boolean": BooleanType()}
    fields = [StructField("id", StringType())]
    fields += [StructField(k, types.get(s.kind, StringType())) for k, s in context.keys.items()]
    return StructType(fields)


def test_dataframe_statuses_match_per_case(spark, data, assessor):
    from nelmkg.eligibility.columnar.engine import BatchAssessor
    from nelmkg.spark import assess_dataframe

    facts = case_facts(parse_files(paths.shape_files("case")), data)
    cases = generate(COUNT, 11, facts, boundaries(data), 0.02, prefix="spark")
    engine = BatchAssessor.from_repository(data)
    # A double column holds floats: the case reader reads one as Decimal(repr(value)).
    numbers = {k for k, s in engine.context.keys.items() if s.kind == "number"}
    cases = [{k: float(v) if k in numbers else v for k, v in c.items()} for c in cases]
    columns = ["id", *engine.context.keys]
    rows = [tuple(c.get(k) for k in columns) for c in cases]
    df = spark.createDataFrame(rows, spark_schema(engine.context)).repartition(2)
    result = assess_dataframe(df, reasons=True, engine=engine).orderBy("id").collect()
    assert len(result) == COUNT
    options = engine.options
    by_id = {c["id"]: c for c in cases}
    for row in result:
        got = {"case": row["id"], "well_formed": row["well_formed"]}
        got["violations"] = json.loads(row["violations"])
        got.update({o: row[o] for o in options})
        assert got == expected_row(assessor, by_id[row["id"]], options)
        assert row["id"] in by_id  # the input columns pass through


def test_name_clash_is_refused(spark, data):
    from nelmkg.eligibility.columnar.engine import BatchAssessor
    from nelmkg.spark import assess_dataframe

    engine = BatchAssessor.from_repository(data)
    df = spark.createDataFrame([("x", "y")], "id string, lt_milan string")
    with pytest.raises(ValueError, match="lt_milan"):
        assess_dataframe(df, engine=engine)
