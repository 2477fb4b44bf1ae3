"""One customer summary, three engines: pandas in memory, DuckDB out of core (Spark in test_spark.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_lessons import massive
from crm_lessons._validate import CRMInputError


def hand_example():
    # customer 1 buys on days 0, 0 (same day), 10 and 700 (after the end); customer 2 once on day 5.
    return pd.DataFrame({"customer_id": [1, 1, 1, 1, 2], "day": [0, 0, 10, 700, 5],
                         "amount": [5.0, 1.0, 4.0, 99.0, 2.0]})


def test_summary_by_hand():
    s = massive.summary_pandas(hand_example(), end_day=20).set_index("customer_id")
    assert s.loc[1].to_dict() == {"frequency": 1, "recency_days": 10, "age_days": 20, "purchases": 3, "revenue": 10.0}
    assert s.loc[2].to_dict() == {"frequency": 0, "recency_days": 0, "age_days": 15, "purchases": 1, "revenue": 2.0}


def test_duckdb_sql_gives_the_same_numbers_as_pandas(tmp_path):
    info = massive.write_transactions(tmp_path / "tx", 50_000, seed=3, chunk_customers=8_000)
    assert info["files"] > 1 and abs(info["rows"] - 50_000) < 50
    import duckdb

    frame = duckdb.connect().execute(f"SELECT * FROM read_parquet('{(tmp_path / 'tx').as_posix()}/*.parquet')").df()
    a = massive.summary_pandas(frame, end_day=545)
    b = massive.summary_duckdb((tmp_path / "tx" / "*.parquet").as_posix(), end_day=545, memory_limit="200MB")
    c = massive.summary_duckdb(frame, end_day=545)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    assert a["customer_id"].is_unique and len(a) == info["customers"]


def test_write_refuses_to_overwrite_without_permission(tmp_path):
    massive.write_transactions(tmp_path, 1_000, seed=1)
    with pytest.raises(CRMInputError, match="overwrite=True"):
        massive.write_transactions(tmp_path, 1_000, seed=1)


def test_sample_estimate_interval_covers_the_full_mean_usually_and_predicts_its_spread():
    covered = 0
    population = pd.DataFrame({"frequency": pd.Series(range(10_000)) % 7})
    for seed in range(40):
        r = massive.sample_estimate(population, 0.05, seed=seed, repeats=20).iloc[0]
        covered += r["ci_lower"] <= r["full_mean"] <= r["ci_upper"]
    assert covered >= 34  # a 95% interval should cover the full-data mean in about 38 of 40 samples
    r = massive.sample_estimate(population, 0.05, seed=1, repeats=400).iloc[0]
    assert r["sd_over_repeats"] == pytest.approx(r["predicted_se"], rel=0.15)


def test_bad_transactions_are_rejected():
    with pytest.raises(CRMInputError, match="missing column"):
        massive.summary_pandas(hand_example().drop(columns="amount"), end_day=10)
    with pytest.raises(CRMInputError, match="negative"):
        massive.summary_pandas(hand_example().assign(amount=-1.0), end_day=10)
    with pytest.raises(CRMInputError, match="plain table name"):
        massive.summary_sql(table="t; DROP TABLE x", end_day=10)


def test_summary_does_not_modify_input():
    tx = hand_example()
    before = tx.copy()
    massive.summary_pandas(tx, end_day=20)
    pd.testing.assert_frame_equal(tx, before)


# Issue 17 ----------------------------------------------------------------------------------------

def test_sample_estimate_on_too_few_customers_names_the_minimum():
    with pytest.raises(CRMInputError, match="needs at least 3 customers, got 1"):
        massive.sample_estimate(pd.DataFrame({"frequency": [2.0]}), fraction=0.5)
