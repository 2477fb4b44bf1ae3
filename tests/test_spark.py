"""The customer-summary SQL runs unchanged under Spark SQL and gives DuckDB's numbers.

Run with ``make test-spark`` (installs the optional ``spark`` extra: pyspark, which needs Java 17+).
Skipped by ``make test`` when pyspark is not installed.
"""

from __future__ import annotations

import pandas as pd
import pytest

from crm_lessons import massive

pyspark = pytest.importorskip("pyspark", reason="install the spark extra: pip install -e '.[spark]'")
pytestmark = [pytest.mark.spark,
              pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")]


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("crm-lessons-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
               .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
               .getOrCreate())
    yield session
    session.stop()


def test_spark_sql_runs_the_duckdb_summary_query_unchanged(spark, tmp_path):
    info = massive.write_transactions(tmp_path / "tx", 60_000, seed=11, chunk_customers=10_000)
    spark.read.parquet(str(tmp_path / "tx")).createOrReplaceTempView("transactions")
    sql = massive.summary_sql(table="transactions", end_day=545)
    rows = spark.sql(sql).collect()  # plain rows: PySpark's toPandas() warns about pandas 3
    from_spark = pd.DataFrame([r.asDict() for r in rows])
    from_duckdb = massive.summary_duckdb((tmp_path / "tx" / "*.parquet").as_posix(), end_day=545)
    assert len(from_spark) == info["customers"]
    pd.testing.assert_frame_equal(massive._tidy(from_spark), from_duckdb)
