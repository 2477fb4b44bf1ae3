"""Customer summaries at scale (issue 18): time-ordered logs, files with awkward names, engines agreeing.

The pandas engine sorts by (customer, day) with :func:`crm_lessons.summary._stable_sort`; it must give
exactly the order of ``np.argsort(kind="stable")`` (so amounts are added in the same order as before and
every number is identical), whatever the row order and id type.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import summary as S
from crm_lessons.datasets import make_transactions


def reference_summary(tx: pd.DataFrame, end: str, unit_days: float = 7.0) -> pd.DataFrame:
    """The definition, written plainly with pandas groupby (slow, obviously right)."""
    d = tx[tx["date"] <= pd.Timestamp(end)].assign(day=lambda f: f["date"].dt.normalize())
    per_day = d.groupby(["customer_id", "day"], sort=True)["amount"].sum().reset_index()
    first = per_day.groupby("customer_id")["day"].transform("min")
    g = per_day.groupby("customer_id")
    n_days = g.size()
    repeat_spend = per_day.loc[per_day["day"] > first].groupby("customer_id")["amount"].sum()
    out = pd.DataFrame({
        "frequency": (n_days - 1).astype("float64"),
        "recency": (g["day"].max() - g["day"].min()).dt.days / unit_days,
        "T": (pd.Timestamp(end) - g["day"].min()).dt.days / unit_days,
    })
    out["monetary_value"] = (repeat_spend.reindex(out.index, fill_value=0.0)
                             / (n_days - 1).where(n_days > 1, np.nan)).fillna(0.0)
    return out


@pytest.fixture(scope="module")
def tricky_log():
    """Same-day purchases, one-purchase customers, purchases after the end, in time order."""
    tx = pd.DataFrame({
        "customer_id": [7, 3, 7, 3, 9, 7, 3, 12, 3, 7, 9],
        "date": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 18:00", "2024-01-05",
                                "2024-01-06", "2024-01-10 08:00", "2024-01-10", "2024-01-20",
                                "2024-02-15", "2024-02-20", "2024-03-01"], format="ISO8601"),
        "amount": [1.5, 2.0, 2.5, 4.0, 3.0, 10.0, 1.0, 6.0, 99.0, 50.0, 5.0],
    })
    return tx          # end 2024-01-31: 3 buys on 3 days, 7 on 2 days (two same-day), 9 and 12 once


def test_stable_sort_gives_exactly_numpys_stable_order():
    rng = np.random.default_rng(0)
    for key in (rng.integers(0, 50, 10_000), rng.integers(0, 10**6, 5_000), np.arange(100)[::-1],
                np.zeros(7, dtype=np.int64), np.array([5]), rng.integers(0, 2**61, 1_000)):
        key = key.astype(np.int64)
        sorted_key, order = S._stable_sort(key.copy())
        expected = np.argsort(key, kind="stable")
        if order is None:                  # already sorted: nothing to do
            assert (np.diff(key) >= 0).all()
        else:
            np.testing.assert_array_equal(order, expected)
        np.testing.assert_array_equal(sorted_key, key[expected])


def test_tricky_log_by_hand(tricky_log):
    s = S.customer_summary(tricky_log, amount_col="amount", observation_end="2024-01-31", time_unit="day")
    assert list(s.index) == [3, 7, 9, 12]
    assert s.loc[3].tolist() == [2.0, 9.0, 30.0, 2.5]        # Jan 1, 5, 10; repeat spend (4 + 1) / 2
    assert s.loc[7].tolist() == [1.0, 9.0, 30.0, 10.0]       # Jan 1 (x2, one day), Jan 10; Feb 20 is late
    assert s.loc[9].tolist() == [0.0, 0.0, 25.0, 0.0]        # one purchase in the window
    assert s.loc[12].tolist() == [0.0, 0.0, 11.0, 0.0]


@pytest.mark.parametrize("order", ["time", "shuffled", "customer"])
@pytest.mark.parametrize("ids", ["int", "wide int", "string"])
def test_row_order_and_id_type_give_identical_numbers(order, ids):
    tx, _ = make_transactions(4_000, seed=8)
    if order == "time":
        tx = tx.sort_values("date", kind="stable")
    elif order == "shuffled":
        tx = tx.sample(frac=1, random_state=2)
    tx = tx.reset_index(drop=True)
    if ids == "wide int":                   # ids spread over 2^60: the factorize path, not the compact one
        tx["customer_id"] = tx["customer_id"] * 2**50
    elif ids == "string":
        tx["customer_id"] = "c" + tx["customer_id"].astype(str).str.zfill(6)
    end = "1997-12-31"
    got = S.customer_summary(tx, amount_col="amount", observation_end=end, duplicates="keep")
    ref = reference_summary(tx, end)
    assert list(got.index) == list(ref.index)
    cols = ["frequency", "recency", "T"]
    assert (got[cols].to_numpy() == ref[cols].to_numpy()).all()          # counts and times: exact
    np.testing.assert_allclose(got["monetary_value"], ref["monetary_value"], rtol=1e-12)
    by_customer = S.customer_summary(tx.sort_values(["customer_id", "date"], kind="stable"),
                                     amount_col="amount", observation_end=end, duplicates="keep")
    pd.testing.assert_frame_equal(got, by_customer, check_exact=False, rtol=1e-12)


def test_time_ordered_tricky_log_equals_its_customer_sorted_copy_exactly(tricky_log):
    a = S.customer_summary(tricky_log, amount_col="amount", observation_end="2024-01-31")
    b = S.customer_summary(tricky_log.sort_values(["customer_id", "date"], kind="stable"), amount_col="amount",
                           observation_end="2024-01-31")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(a, reference_summary(tricky_log, "2024-01-31"), check_exact=False, rtol=1e-12)


# Files, globs and awkward names (issue 18, part 2) ------------------------------------------------

def _write(frame: pd.DataFrame, path, fmt: str) -> None:
    """Write with DuckDB's COPY (no pyarrow needed); the path is quoted as a SQL literal."""
    import duckdb

    con = duckdb.connect()
    con.register("frame", frame)
    con.execute(f"COPY frame TO {S._sql_str(str(path))} (FORMAT {fmt})")
    con.close()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_quote_in_the_file_name_works_and_engines_agree_on_the_tricky_log(tmp_path, tricky_log, fmt):
    path = tmp_path / f"it's {fmt}.{fmt}"
    _write(tricky_log, path, fmt)
    frame = S.customer_summary(tricky_log, amount_col="amount", observation_end="2024-01-31")
    for source in (tricky_log, path, str(path)):
        got = S.customer_summary(source, amount_col="amount", observation_end="2024-01-31", engine="duckdb")
        pd.testing.assert_index_equal(got.index, frame.index, exact=False)
        assert (got.to_numpy() == frame.to_numpy()).all()
    cal = dict(calibration_end="2024-01-31", holdout_end="2024-03-01", amount_col="amount")
    a = S.calibration_holdout_summary(tricky_log, **cal)
    b = S.calibration_holdout_summary(path, engine="duckdb", memory_limit="200MB", **cal)
    assert (a.to_numpy() == b.to_numpy()).all()
    assert b.loc[7, "frequency_holdout"] == 1 and b.loc[3, "monetary_value_holdout"] == 99.0


def test_a_glob_of_parquet_files_reads_as_one_log_under_a_memory_ceiling(tmp_path, tricky_log):
    _write(tricky_log.iloc[:6], tmp_path / "part-0.parquet", "parquet")
    _write(tricky_log.iloc[6:], tmp_path / "part-1.parquet", "parquet")
    whole = S.customer_summary(tricky_log, amount_col="amount", observation_end="2024-01-31", time_unit="day")
    parts = S.customer_summary(tmp_path / "part-*.parquet", amount_col="amount", observation_end="2024-01-31",
                               time_unit="day", engine="duckdb", memory_limit="100MB",
                               temp_directory=tmp_path / "spill")
    assert (parts.to_numpy() == whole.to_numpy()).all() and list(parts.index) == list(whole.index)


def test_memory_limit_must_be_a_size_and_a_missing_glob_is_named(tmp_path, tricky_log):
    from crm_lessons._validate import CRMInputError

    with pytest.raises(CRMInputError, match="memory_limit='lots' is not a size"):
        S.customer_summary(tricky_log, engine="duckdb", memory_limit="lots")
    with pytest.raises(CRMInputError, match="nor files matching it as a glob"):
        S.customer_summary(tmp_path / "none-*.parquet", engine="duckdb")
    with pytest.raises(CRMInputError, match="DROP TABLE x; --.* is not a size"):
        S.customer_summary(tricky_log, engine="duckdb", memory_limit="1GB'; DROP TABLE x; --")


# Calibration/holdout in the portable SQL (issue 18, part 3; Spark side in tests/test_spark.py) ----------

def test_portable_calibration_holdout_sql_matches_the_summary_module(tmp_path):
    from crm_lessons import massive

    massive.write_transactions(tmp_path / "it's tx", 30_000, seed=5, chunk_customers=4_000)
    glob_path = (tmp_path / "it's tx" / "*.parquet").as_posix()
    sql_side = massive.calibration_holdout_duckdb(glob_path, cal_day=272, end_day=545, memory_limit="200MB")
    import duckdb

    con = duckdb.connect()
    rows = con.execute("SELECT * FROM read_parquet(" + massive._sql_str(glob_path) + ")").df()
    con.close()
    dated = rows.assign(date=massive.DAY0 + pd.to_timedelta(rows["day"], unit="D"))
    expected = S.calibration_holdout_summary(dated, calibration_end=massive.DAY0 + pd.Timedelta(days=272),
                                             holdout_end=massive.DAY0 + pd.Timedelta(days=545),
                                             amount_col="amount", duplicates="keep")
    assert list(sql_side.columns) == list(expected.columns)
    assert list(sql_side.index) == list(expected.index)
    exact = ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"]
    assert (sql_side[exact].to_numpy() == expected[exact].to_numpy()).all()
    np.testing.assert_allclose(sql_side.to_numpy(), expected.to_numpy(), rtol=1e-12)
    from_frame = massive.calibration_holdout_duckdb(rows, cal_day=272, end_day=545)
    pd.testing.assert_frame_equal(from_frame, sql_side, check_exact=False, rtol=1e-12)


def test_old_massive_names_still_work_on_a_file_with_a_quote(tmp_path):
    from crm_lessons import massive

    massive.write_transactions(tmp_path / "o'brien", 5_000, seed=2)
    path = (tmp_path / "o'brien" / "*.parquet").as_posix()
    a = massive.summary_duckdb(path, end_day=545, memory_limit="200MB", temp_directory=tmp_path / "sp'ill")
    n = massive.summary_duckdb_to_parquet(path, tmp_path / "sum'mary.parquet", end_day=545)
    assert n == len(a) > 0
    assert massive.measure("pandas", path, end_day=545)["customers"] == len(a)


@pytest.mark.spark
def test_spark_runs_the_calibration_holdout_sql_unchanged(tmp_path):
    pytest.importorskip("pyspark", reason="install the spark extra: pip install -e '.[spark]'")
    from pyspark.sql import SparkSession

    from crm_lessons import massive

    massive.write_transactions(tmp_path / "tx", 20_000, seed=9, chunk_customers=5_000)
    spark = (SparkSession.builder.master("local[2]").appName("crm-lessons-holdout")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
             .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
             .getOrCreate())
    try:
        spark.read.parquet(str(tmp_path / "tx")).createOrReplaceTempView("transactions")
        rows = spark.sql(massive.calibration_holdout_sql(table="transactions", cal_day=272, end_day=545)).collect()
    finally:
        spark.stop()
    from_spark = massive.holdout_frame(pd.DataFrame([r.asDict() for r in rows]), cal_day=272, end_day=545)
    from_duckdb = massive.calibration_holdout_duckdb((tmp_path / "tx" / "*.parquet").as_posix(),
                                                     cal_day=272, end_day=545)
    pd.testing.assert_frame_equal(from_spark, from_duckdb, check_exact=False, rtol=1e-12, check_index_type=False)


# Faster ids, cheaper duplicate check, both file paths, file output (issue 18, follow-up) ---------------

@pytest.mark.parametrize("kind", ["codes", "mixed length", "unicode", "hashed"])
def test_text_ids_are_ranked_in_text_order_without_hashing_python_strings(kind):
    rng = np.random.default_rng(3)
    n = 20_000
    if kind == "codes":
        ids = np.array([f"C{i:07d}" for i in rng.integers(0, 10**7, n)], dtype=object)
    elif kind == "mixed length":
        ids = np.array(["ab", "a", "abc", "b", "", "ab", "a"] * 10, dtype=object)
    elif kind == "unicode":
        ids = np.array(["客户-%03d" % i for i in rng.integers(0, 500, n)] + ["Z", "é"], dtype=object)
    else:   # long random text: too many varying characters for one number, so the hash path
        ids = np.array(["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz0123456789"), 30))
                        for _ in range(300)] * 3, dtype=object)
    got = S._string_codes(ids, 30)
    assert got is not None
    codes, bound = got
    ref_codes, ref_uniques = pd.factorize(ids, sort=True)
    # same grouping and the same order as Python's sort of the text
    assert len(np.unique(codes)) == len(ref_uniques) and bound >= len(ref_uniques)
    order = np.argsort(codes, kind="stable")
    np.testing.assert_array_equal(np.argsort(ref_codes, kind="stable"), order)


def test_trailing_nul_in_text_ids_falls_back_to_exact_hashing():
    assert S._string_codes(np.array(["a", "a\x00"], dtype=object), 30) is None
    tx = pd.DataFrame({"customer_id": ["a", "a\x00", "a"],
                       "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])})
    assert len(S.customer_summary(tx, observation_end="2024-01-31")) == 2


def test_dense_rank_keeps_order_and_wide_ids_stay_exact():
    rng = np.random.default_rng(1)
    values = rng.integers(0, 2**40, 50_000).astype(np.int64)
    codes, k = S._dense_rank(values.copy())
    ref, uniq = pd.factorize(values, sort=True)
    np.testing.assert_array_equal(codes, ref)
    assert k == len(uniq)
    ids = np.array([2**63 + 5, 3, 2**64 - 1, 3], dtype=np.uint64)   # uint64 beyond int64
    tx = pd.DataFrame({"customer_id": ids, "date": pd.to_datetime(["2024-01-01"] * 4)})
    assert list(S.customer_summary(tx, observation_end="2024-01-31").index) == [3, 2**63 + 5, 2**64 - 1]


def test_duplicate_check_finds_copies_among_same_day_rows_only(tricky_log):
    from crm_lessons._validate import CRMDuplicateRowsWarning, CRMInputError

    twice = pd.concat([tricky_log, tricky_log.iloc[[5]]], ignore_index=True)       # one copy, in the window
    with pytest.warns(CRMDuplicateRowsWarning, match=r"1 exact duplicate row\(s\) \(first at index 11\)"):
        s = S.customer_summary(twice, amount_col="amount", observation_end="2024-01-31")
    assert s.loc[7, "monetary_value"] == 20.0                                       # kept: 10 + 10
    with pytest.raises(CRMInputError, match="duplicate"):
        S.customer_summary(twice, amount_col="amount", observation_end="2024-01-31", duplicates="error")
    same_day_not_copy = tricky_log.copy()          # same customer and day, other time: not a duplicate
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        S.customer_summary(same_day_not_copy, amount_col="amount", observation_end="2024-01-31")
        late = pd.concat([tricky_log, tricky_log.iloc[[10]]], ignore_index=True)   # a copy after the end
        S.customer_summary(late, amount_col="amount", observation_end="2024-01-31")
        twice.attrs["crm_lessons.repeat_rows"] = "legitimate"
        S.customer_summary(twice, amount_col="amount", observation_end="2024-01-31")
    big = pd.concat([tricky_log] * 6000, ignore_index=True)   # hashed pre-check; 8 rows a copy in the window
    with pytest.warns(CRMDuplicateRowsWarning, match="47992 exact duplicate"):
        S.customer_summary(big, amount_col="amount", observation_end="2024-01-31")


@pytest.mark.parametrize("ids", ["int", "string"])
def test_a_file_gives_the_same_numbers_finished_in_memory_or_in_sql(tmp_path, monkeypatch, ids):
    tx, _ = make_transactions(3_000, seed=4)
    tx = tx.sort_values("date", kind="stable").reset_index(drop=True)
    if ids == "string":
        tx["customer_id"] = "c" + tx["customer_id"].astype(str).str.zfill(6)
    path = tmp_path / "log.parquet"
    _write(tx, path, "parquet")
    kw = dict(amount_col="amount", observation_end="1997-12-31", engine="duckdb", memory_limit="1GB")
    in_memory = S.customer_summary(path, **kw)
    monkeypatch.setattr(S, "_IN_MEMORY_BYTES_PER_ROW", 10**15)                     # force the SQL path
    monkeypatch.setattr(S, "_IN_MEMORY_BYTES_PER_TEXT_ROW", 10**15)
    monkeypatch.setattr(S, "_file_in_memory", lambda *a, **k: pytest.fail("took the in-memory path"))
    in_sql = S.customer_summary(path, **kw)
    frame = S.customer_summary(tx, amount_col="amount", observation_end="1997-12-31", duplicates="keep")
    for got in (in_memory, in_sql):
        assert list(got.index) == list(frame.index)
        cols = ["frequency", "recency", "T"]
        assert (got[cols].to_numpy() == frame[cols].to_numpy()).all()
        np.testing.assert_allclose(got["monetary_value"], frame["monetary_value"], rtol=1e-12)
    cal = dict(calibration_end="1997-09-30", holdout_periods=13, amount_col="amount")
    pd.testing.assert_frame_equal(S.calibration_holdout_summary(path, engine="duckdb", **cal),
                                  S.calibration_holdout_summary(tx, duplicates="keep", **cal),
                                  check_exact=False, rtol=1e-12, check_index_type=False)


def test_output_writes_parquet_never_overwrites_without_force_nor_the_input(tmp_path, tricky_log, monkeypatch):
    import duckdb

    from crm_lessons._validate import CRMInputError

    src = tmp_path / "log.parquet"
    _write(tricky_log, src, "parquet")
    expected = S.customer_summary(tricky_log, amount_col="amount", observation_end="2024-01-31")
    out = tmp_path / "sub" / "summary.parquet"
    kw = dict(amount_col="amount", observation_end="2024-01-31")
    for source, engine, sql in ((tricky_log, "pandas", False), (src, "duckdb", False), (src, "duckdb", True)):
        if sql:
            monkeypatch.setattr(S, "_IN_MEMORY_BYTES_PER_ROW", 10**15)
        assert S.customer_summary(source, engine=engine, output=out, force=True, **kw) == out
        back = duckdb.connect().execute("SELECT * FROM read_parquet(?)", [str(out)]).df()
        assert list(back.columns) == ["customer_id", "frequency", "recency", "T", "monetary_value"]
        assert back["customer_id"].tolist() == list(expected.index)
        assert (back.drop(columns="customer_id").to_numpy() == expected.to_numpy()).all()
    with pytest.raises(CRMInputError, match="already exists; pass force=True"):
        S.customer_summary(src, engine="duckdb", output=out, **kw)
    with pytest.raises(CRMInputError, match="is one of the input files"):
        S.customer_summary(src, engine="duckdb", output=src, force=True, **kw)
    with pytest.raises(CRMInputError, match="must name a Parquet file"):
        S.customer_summary(tricky_log, output=tmp_path / "summary.csv", **kw)
    assert [p.name for p in out.parent.iterdir()] == ["summary.parquet"]           # no temporary left
    cal = S.calibration_holdout_summary(tricky_log, calibration_end="2024-01-31", holdout_end="2024-03-01",
                                        output=tmp_path / "cal.parquet")
    assert duckdb.connect().execute("SELECT COUNT(*) FROM read_parquet(?)", [str(cal)]).fetchone()[0] == 4


def test_a_large_result_is_fetched_in_chunks_under_a_lowered_ceiling(tmp_path, monkeypatch):
    tx, _ = make_transactions(150_000, seed=6)      # more customers than one fetched chunk (131,072)
    path = tmp_path / "log.parquet"
    _write(tx, path, "parquet")
    monkeypatch.setattr(S, "_IN_MEMORY_BYTES_PER_ROW", 10**15)
    monkeypatch.setattr(S, "_IN_MEMORY_BYTES_PER_TEXT_ROW", 10**15)
    got = S.customer_summary(path, observation_end="1998-06-30", engine="duckdb", memory_limit="300MB")
    ref = S.customer_summary(tx, observation_end="1998-06-30")
    pd.testing.assert_frame_equal(got, ref, check_index_type=False)
