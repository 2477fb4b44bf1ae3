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
