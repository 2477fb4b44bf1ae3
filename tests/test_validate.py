"""Shared input checks give errors that name the problem and how to fix it, and never mutate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import _validate as v


def frame():
    return pd.DataFrame({"customer_id": [1, 2, 3], "dollars": [10.0, 5.0, 7.5],
                         "date": pd.to_datetime(["1997-01-01", "1997-01-02", "1997-01-03"])})


def test_missing_column_error_names_column_and_what_exists():
    with pytest.raises(v.CRMInputError, match=r"demo: missing column\(s\) 'amount'.*'customer_id'"):
        v.require_columns(frame(), ["customer_id", "amount"], where="demo")


def test_non_frame_is_a_type_error_naming_the_type():
    with pytest.raises(TypeError, match="expected a pandas DataFrame, got list"):
        v.require_frame([1, 2], where="demo")


def test_empty_frame_is_rejected():
    with pytest.raises(ValueError, match="empty"):
        v.require_frame(frame().iloc[:0], where="demo")


def test_text_in_numeric_column_names_column_and_fix():
    df = frame().assign(dollars=["10", "5", "7"])
    with pytest.raises(v.CRMInputError, match=r"'dollars' must be numeric.*pd.to_numeric"):
        v.require_numeric(df, ["dollars"], where="demo")


def test_nan_ids_are_reported_with_their_position():
    df = frame()
    df["customer_id"] = [1.0, np.nan, 3.0]
    with pytest.raises(v.CRMInputError, match=r"'customer_id' has 1 missing value.*index 1"):
        v.require_no_missing(df, ["customer_id"], where="demo")


def test_negative_amounts_are_reported_with_value():
    df = frame().assign(dollars=[10.0, -5.0, 7.5])
    with pytest.raises(v.CRMInputError, match=r"'dollars' has 1 negative value.*-5.0"):
        v.require_non_negative(df, ["dollars"], where="demo")


def test_checks_do_not_modify_the_frame():
    df = frame()
    before = df.copy()
    v.require_columns(df, ["dollars"], where="demo")
    v.require_non_negative(df, ["dollars"], where="demo")
    v.require_datetime(df, ["date"], where="demo")
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("value, msg", [(1.5, r"\[0, 1\]"), ("0.3", "must be a number"),
                                        (float("nan"), "finite"), (True, "must be a number")])
def test_probability_errors(value, msg):
    with pytest.raises((ValueError, TypeError), match=msg):
        v.require_probability(value, "retention", where="demo")


def test_choice_lists_the_options():
    with pytest.raises(v.CRMInputError, match=r"model must be one of 'bgnbd', 'pareto', got 'bgbnd'"):
        v.require_choice("bgbnd", "model", ["bgnbd", "pareto"], where="demo")


def test_transactions_check_names_the_bad_column():
    df = frame()
    v.require_transactions(df, where="demo", amount_col="dollars")
    with pytest.raises(v.CRMInputError, match="'date' must hold datetimes"):
        v.require_transactions(df.assign(date=["a", "b", "c"]), where="demo")


@pytest.mark.parametrize("value", ["1997-09-30", pd.Timestamp("1997-09-30"), np.datetime64("1997-09-30")])
def test_date_parameter_accepts_common_forms(value):
    assert v.require_date(value, "calibration_end", where="demo") == pd.Timestamp("1997-09-30")


@pytest.mark.parametrize("value, err", [("30/13/1997", ValueError), (1997, TypeError), (None, TypeError)])
def test_date_parameter_rejects_non_dates(value, err):
    with pytest.raises(err, match="calibration_end must be a date"):
        v.require_date(value, "calibration_end", where="demo")


# --------------------------------------------------------------------------------------------------
# Issue 17: one place decides (time zones, text numbers and dates, duplicates, keys, degenerate data)
# --------------------------------------------------------------------------------------------------

def test_time_zone_aware_column_is_refused_with_the_wall_time_conversion():
    df = frame().assign(date=frame()["date"].dt.tz_localize("Asia/Shanghai"))
    with pytest.raises(v.CRMInputError, match=r"'date' holds time-zone-aware.*Asia/Shanghai.*tz_localize\(None\)"):
        v.require_transactions(df, where="demo")


def test_mixed_zone_timestamps_are_refused_with_the_utc_parse_hint():
    df = pd.DataFrame({"date": [pd.Timestamp("2024-01-01", tz="Asia/Shanghai"), pd.Timestamp("2024-01-01", tz="UTC")]})
    with pytest.raises(v.CRMInputError, match=r"utc=True"):
        v.require_datetime(df, ["date"], where="demo")


def test_decimal_comma_text_gets_the_decimal_conversion():
    df = frame().assign(dollars=["12,50", "3,00", "1.234,75"])
    with pytest.raises(v.CRMInputError, match=r"'dollars'.*'12,50'.*decimal commas.*decimal=','"):
        v.require_numeric(df, ["dollars"], where="demo")


def test_text_dates_get_an_explicit_format_hint():
    df = frame().assign(date=["15/01/2024", "02/01/2025", "03/01/2025"])
    with pytest.raises(v.CRMInputError, match=r"'date'.*'15/01/2024'.*format='%d/%m/%Y'"):
        v.require_datetime(df, ["date"], where="demo")


def test_duplicate_rows_warn_with_count_drop_or_refuse_and_never_mutate():
    df = pd.concat([frame(), frame().iloc[[0, 0]]], ignore_index=True)
    before = df.copy()
    with pytest.warns(v.CRMDuplicateRowsWarning, match="2 exact duplicate row"):
        assert v.check_duplicate_rows(df, where="demo") is df
    assert len(v.check_duplicate_rows(df, where="demo", duplicates="drop")) == 3
    with pytest.raises(v.CRMInputError, match="duplicates='drop'"):
        v.check_duplicate_rows(df, where="demo", duplicates="error")
    with pytest.raises(v.CRMInputError, match="duplicates must be one of"):
        v.check_duplicate_rows(df, where="demo", duplicates="remove")
    pd.testing.assert_frame_equal(df, before)


def test_duplicate_warning_points_at_the_callers_line():
    from crm_lessons.summary import customer_summary

    df = pd.concat([frame(), frame().iloc[[0]]], ignore_index=True)
    with pytest.warns(v.CRMDuplicateRowsWarning) as rec:
        customer_summary(df, amount_col="dollars")
    assert rec[0].filename == __file__


def test_logs_marked_as_real_repeats_are_not_warned_about():
    import warnings

    from crm_lessons.datasets import load
    from crm_lessons.summary import customer_summary

    cdnow = load("cdnow_sample")
    assert cdnow.duplicated().sum() == 21          # real same-day repeat orders in the CDNOW sample
    with warnings.catch_warnings():
        warnings.simplefilter("error", v.CRMDataWarning)
        customer_summary(cdnow[cdnow["date"] <= "1997-09-30"], amount_col="dollars")


def test_one_row_per_key_frames_refuse_repeated_keys():
    with pytest.raises(v.CRMInputError, match=r"one row per customer.*'customer_id'.*drop_duplicates"):
        v.require_unique_key(pd.concat([frame(), frame().iloc[[1]]]), "customer_id", where="demo", what="customer")


def test_join_keys_of_different_types_are_refused_and_unmatched_keys_counted():
    left = pd.DataFrame({"customer_id": ["1", "2"]})
    right = pd.DataFrame({"customer_id": [1, 2]})
    with pytest.raises(v.CRMInputError, match=r"texts in tickets.*numbers in customers"):
        v.check_join_keys(left, right, "customer_id", where="demo", left_name="tickets", right_name="customers")
    with pytest.warns(v.CRMUnmatchedKeysWarning, match="1 of 2 'customer_id'"):
        assert v.check_join_keys(pd.DataFrame({"customer_id": [1, 9]}), right, "customer_id", where="demo") == 1


def test_degenerate_checks_name_the_minimum():
    with pytest.raises(v.CRMInputError, match="needs at least 3 customers, got 1"):
        v.require_min_rows(frame().head(1), 3, where="demo", what="customers")
    with pytest.raises(v.CRMInputError, match="needs at least 2 households"):
        v.require_min_groups(frame().assign(h=1), "h", 2, where="demo", what="households")
    with pytest.raises(v.CRMInputError, match=r"'dollars' is constant \(5.0 in every row\).*at least 2"):
        v.require_varies(frame().assign(dollars=5.0), ["dollars"], where="demo")
    with pytest.raises(v.CRMInputError, match="0/1"):
        v.require_binary(frame(), ["dollars"], where="demo")


def test_large_logs_find_exactly_the_duplicates_pandas_finds():
    rng = np.random.default_rng(0)
    n = 60_000
    log = pd.DataFrame({"customer_id": rng.integers(0, 5_000, n),
                        "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
                        "dollars": rng.uniform(0, 100, n).round(2)}).drop_duplicates(ignore_index=True)
    assert v.check_duplicate_rows(log, where="demo", duplicates="error") is log
    copies = pd.concat([log, log.iloc[[7]], log.iloc[[9]].assign(dollars=-0.0), log.iloc[[9]].assign(dollars=0.0)],
                       ignore_index=True)
    expected = int(copies.duplicated().sum())
    with pytest.warns(v.CRMDuplicateRowsWarning, match=f"has {expected} exact duplicate"):
        v.check_duplicate_rows(copies, where="demo")
