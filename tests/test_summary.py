"""Tests for crm_lessons.summary: transactions to frequency, recency, T and spend per customer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import summary as S
from crm_lessons._validate import CRMInputError, CRMTypeError
from crm_lessons.datasets import load, make_transactions

ENGINES = ["pandas", "duckdb"]


@pytest.fixture
def hand():
    """A hand-worked log.

    Customer 1: 2024-01-01 twice (10 + 5, one transaction of 15), 2024-01-15 (20), 2024-01-22 twice
    (4 + 6 = 10); then 2024-02-05 (8) in the holdout.
    Customer 2: 2024-01-08 (7) only, nothing in the holdout.
    Customer 3: first buys on 2024-02-01, in the holdout, so is not part of the calibration cohort.
    """
    return pd.DataFrame({
        "customer_id": [1, 1, 1, 1, 1, 2, 3, 1],
        "date": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 15:30", "2024-01-15 00:00", "2024-01-22 09:00",
                                "2024-01-22 18:00", "2024-01-08 00:00", "2024-02-01 00:00",
                                "2024-02-05 00:00"]),
        "amount": [10.0, 5.0, 20.0, 4.0, 6.0, 7.0, 3.0, 8.0],
    })


@pytest.mark.parametrize("engine", ENGINES)
def test_summary_matches_hand_worked_example_with_same_day_purchases(hand, engine):
    s = S.customer_summary(hand, amount_col="amount", observation_end="2024-01-28", engine=engine)
    assert list(s.index) == [1, 2]                       # customer 3 had not bought by 2024-01-28
    c1, c2 = s.loc[1], s.loc[2]
    assert c1["frequency"] == 2                          # Jan 15 and Jan 22; Jan 1 is the first purchase day
    assert c1["recency"] == pytest.approx(21 / 7)        # Jan 1 -> Jan 22 = 21 days = 3 weeks
    assert c1["T"] == pytest.approx(27 / 7)              # Jan 1 -> Jan 28 = 27 days
    assert c1["monetary_value"] == pytest.approx((20 + (4 + 6)) / 2)  # same-day amounts add up
    assert (c2["frequency"], c2["recency"], c2["monetary_value"]) == (0, 0, 0)
    assert c2["T"] == pytest.approx(20 / 7)              # Jan 8 -> Jan 28


@pytest.mark.parametrize("engine", ENGINES)
def test_calibration_holdout_counts_holdout_days_and_leaves_empty_holdouts_at_zero(hand, engine):
    s = S.calibration_holdout_summary(hand, calibration_end="2024-01-28", holdout_periods=2,
                                      amount_col="amount", engine=engine)
    assert list(s.index) == [1, 2]                       # customer 3 was acquired in the holdout
    assert s.loc[1, "frequency_holdout"] == 1 and s.loc[1, "monetary_value_holdout"] == 8
    assert s.loc[2, "frequency_holdout"] == 0 and s.loc[2, "monetary_value_holdout"] == 0
    assert (s["duration_holdout"] == 2).all()            # 14 days = 2 weeks
    assert s.loc[1, "frequency_cal"] == 2 and s.loc[1, "T_cal"] == pytest.approx(27 / 7)


@pytest.mark.parametrize("engine", ENGINES)
def test_holdout_with_no_purchase_at_all_gives_zero_counts(hand, engine):
    early = hand[hand["date"] < "2024-01-28"]
    s = S.calibration_holdout_summary(early, calibration_end="2024-01-28", holdout_end="2024-03-01",
                                      amount_col="amount", engine=engine)
    assert (s["frequency_holdout"] == 0).all() and (s["monetary_value_holdout"] == 0).all()
    assert s["duration_holdout"].iloc[0] == pytest.approx(33 / 7)


def test_time_units_scale_recency_and_T_by_days_per_unit(hand):
    days = S.customer_summary(hand, observation_end="2024-01-28", time_unit="day")
    months = S.customer_summary(hand, observation_end="2024-01-28", time_unit="month")
    assert days.loc[1, "T"] == 27 and days.loc[1, "recency"] == 21
    np.testing.assert_allclose(months[["recency", "T"]], days[["recency", "T"]] / (365.25 / 12))
    assert (months["frequency"] == days["frequency"]).all()


def test_cdnow_sample_reproduces_the_published_calibration_counts():
    # Fader, Hardie & Lee (2005): 2,357 customers; 1,411 made no repeat purchase in weeks 1-39.
    s = S.calibration_holdout_summary(load("cdnow_sample"), calibration_end="1997-09-30", holdout_periods=39,
                                      amount_col="dollars")
    assert len(s) == 2357 and int((s["frequency_cal"] == 0).sum()) == 1411
    # the customer who first bought on 1997-01-01 has age 272 days = 38.86 weeks, as in the paper's data
    assert s["T_cal"].max() == pytest.approx(272 / 7)


@pytest.mark.parametrize("kind", ["cdnow", "synthetic"])
def test_pandas_and_duckdb_give_the_same_numbers(kind):
    if kind == "cdnow":
        tx, amount, end = load("cdnow_sample"), "dollars", "1997-09-30"
    else:
        tx, _ = make_transactions(5_000, seed=3)
        amount, end = "amount", "1997-12-31"
    a = S.calibration_holdout_summary(tx, calibration_end=end, amount_col=amount, engine="pandas")
    b = S.calibration_holdout_summary(tx, calibration_end=end, amount_col=amount, engine="duckdb")
    pd.testing.assert_index_equal(a.index, b.index, exact="equiv")
    cols = ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"]
    assert (a[cols].to_numpy() == b[cols].to_numpy()).all()      # counts and times: exactly equal
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-12)  # spend: up to summation order


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_duckdb_reads_a_file_like_a_frame(tmp_path, fmt):
    import duckdb

    tx, _ = make_transactions(2_000, seed=4)
    path = tmp_path / f"tx.{fmt}"
    con = duckdb.connect()
    con.register("tx", tx)
    con.execute(f"COPY tx TO '{path}' (FORMAT {fmt})")
    con.close()
    a = S.customer_summary(tx, amount_col="amount")
    b = S.customer_summary(path, amount_col="amount", engine="duckdb")
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-12)
    assert (a.index == b.index).all()


def test_summary_agrees_with_lifetimes_when_installed():
    lt = pytest.importorskip("lifetimes.utils")
    tx = load("cdnow_sample")
    ours = S.customer_summary(tx, amount_col="dollars", observation_end="1997-09-30")
    theirs = lt.summary_data_from_transaction_data(tx, "customer_id", "date", monetary_value_col="dollars",
                                                   observation_period_end="1997-09-30", freq="D",
                                                   freq_multiplier=7).sort_index()
    assert (ours[["frequency", "recency", "T"]].to_numpy() == theirs[["frequency", "recency", "T"]].to_numpy()).all()
    np.testing.assert_allclose(ours["monetary_value"], theirs["monetary_value"], rtol=1e-12)


# --------------------------------------------------------------------------------------------------
# bad input and no mutation
# --------------------------------------------------------------------------------------------------

HELPERS = {
    "customer_summary": lambda df, **kw: S.customer_summary(df, amount_col="amount", **kw),
    "calibration_holdout_summary": lambda df, **kw: S.calibration_holdout_summary(
        df, calibration_end="2024-01-28", holdout_periods=2, amount_col="amount", **kw),
}


@pytest.mark.parametrize("name", HELPERS)
def test_helpers_reject_bad_input_with_a_message_naming_the_problem(hand, name):
    f = HELPERS[name]
    with pytest.raises(CRMInputError, match="missing column"):
        f(hand.drop(columns="amount"))
    with pytest.raises(CRMInputError, match="must hold datetimes"):
        f(hand.assign(date=hand["date"].astype(str)))
    with pytest.raises(CRMInputError, match="missing value"):
        f(hand.assign(customer_id=hand["customer_id"].astype(float).where(hand.index != 2)))
    with pytest.raises(CRMInputError, match="negative"):
        f(hand.assign(amount=-hand["amount"]))
    with pytest.raises(CRMInputError, match="empty"):
        f(hand.iloc[:0])
    with pytest.raises(CRMInputError, match="time_unit"):
        f(hand, time_unit="weeks")
    with pytest.raises(CRMInputError, match="engine"):
        f(hand, engine="spark")
    with pytest.raises(CRMTypeError, match="DataFrame"):
        f(hand.to_dict())
    with pytest.raises(CRMInputError, match="engine='duckdb'"):
        f("transactions.parquet")


def test_calibration_holdout_rejects_inconsistent_periods(hand):
    with pytest.raises(CRMInputError, match="must end after"):
        S.calibration_holdout_summary(hand, calibration_end="2024-01-28", holdout_end="2024-01-01")
    with pytest.raises(CRMInputError, match="not both"):
        S.calibration_holdout_summary(hand, calibration_end="2024-01-28", holdout_end="2024-03-01",
                                      holdout_periods=2)
    with pytest.raises(CRMInputError, match="calibration_end"):
        S.calibration_holdout_summary(hand, calibration_end="not a date", holdout_periods=2)
    with pytest.raises(CRMInputError, match="no purchase on or before"):
        S.calibration_holdout_summary(hand, calibration_end="2023-01-01", holdout_periods=2)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", HELPERS)
def test_helpers_do_not_modify_the_input(hand, name, engine):
    before = hand.copy()
    HELPERS[name](hand, engine=engine)
    pd.testing.assert_frame_equal(hand, before)


@pytest.mark.parametrize("engine", ENGINES)
def test_row_order_and_id_type_do_not_change_the_summary(engine):
    tx, _ = make_transactions(3_000, seed=5)
    base = S.customer_summary(tx, amount_col="amount", engine=engine)
    shuffled = S.customer_summary(tx.sample(frac=1, random_state=1), amount_col="amount", engine=engine)
    pd.testing.assert_frame_equal(base, shuffled, check_exact=False, rtol=1e-12)
    named = tx.assign(customer_id="c" + tx["customer_id"].astype(str).str.zfill(5))
    by_name = S.customer_summary(named, amount_col="amount", engine=engine)
    assert list(by_name.index[:2]) == ["c00001", "c00002"]
    np.testing.assert_allclose(by_name.to_numpy(), base.to_numpy(), rtol=1e-12)


# Issue 17: time zones and duplicates -------------------------------------------------------------

@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_time_zone_aware_dates_are_refused_by_both_engines(engine):
    tx = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["2024-01-01 23:30", "2024-01-08 00:00"]),
                       "dollars": [10.0, 5.0]})
    aware = tx.assign(date=tx["date"].dt.tz_localize("Asia/Shanghai"))
    with pytest.raises(CRMInputError, match=r"time-zone-aware.*tz_localize\(None\)"):
        S.customer_summary(aware, engine=engine)


def test_late_evening_purchases_fall_on_their_wall_clock_day_in_both_engines():
    # 23:30 local time is the same calendar day for pandas and DuckDB (DuckDB's session zone is UTC)
    tx = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["2024-01-01 23:30", "2024-01-08 00:10"])})
    a = S.customer_summary(tx, time_unit="day", observation_end="2024-01-31")
    b = S.customer_summary(tx, time_unit="day", observation_end="2024-01-31", engine="duckdb")
    assert a.loc[1, "recency"] == b.loc[1, "recency"] == 7.0


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_an_exported_twice_row_no_longer_doubles_spend_silently(engine):
    tx = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["2024-01-01", "2024-01-08"]),
                       "dollars": [10.0, 30.0]})
    twice = pd.concat([tx, tx.iloc[[1]]], ignore_index=True)
    with pytest.warns(UserWarning, match="1 exact duplicate row"):
        warned = S.customer_summary(twice, amount_col="dollars", engine=engine)
    assert warned.loc[1, "monetary_value"] == 60.0          # kept, as the warning says
    dropped = S.customer_summary(twice, amount_col="dollars", engine=engine, duplicates="drop")
    assert dropped.loc[1, "monetary_value"] == 30.0
    with pytest.raises(CRMInputError, match="duplicate"):
        S.customer_summary(twice, amount_col="dollars", engine=engine, duplicates="error")
