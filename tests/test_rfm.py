"""Tests of crm_lessons.rfm: Hughes' RFM quintiles, ties, the 125-cell code, calibration/holdout checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import rfm
from crm_lessons._validate import CRMInputError
from crm_lessons.datasets import load
from crm_lessons.plotting import rfm_heatmap, rfm_response_chart
from crm_lessons.summary import customer_summary


@pytest.fixture(scope="module")
def cdnow():
    return load("cdnow_master")


@pytest.fixture(scope="module")
def scored(cdnow):
    return rfm.rfm_holdout(cdnow, calibration_end="1997-09-30", holdout_end="1998-06-30")


HAND = pd.DataFrame({"recency_days": [40, 20, 20, 30, 10], "frequency": [1, 1, 2, 3, 5],
                     "monetary": [5.0, 10.0, 20.0, 30.0, 40.0]}, index=[101, 102, 103, 104, 105])


def test_rfm_scores_hand_worked_example_with_ties_split_by_row_order():
    out = rfm.rfm_scores(HAND)
    # recency reversed: 10 days is most recent -> 5; 40 days -> 1; 30 days -> 2.
    # The two tied at 20 days take places 3 and 4 (least to most recent); "first" gives the earlier row 3.
    assert out["R"].tolist() == [1, 3, 4, 2, 5]
    # frequency 1, 1, 2, 3, 5: the two tied ones take places 1 and 2 by row order
    assert out["F"].tolist() == [1, 2, 3, 4, 5]
    assert out["M"].tolist() == [1, 2, 3, 4, 5]
    assert out["RFM"].tolist() == ["111", "322", "433", "244", "555"]


def test_rfm_scores_keep_ties_together_when_asked():
    out = rfm.rfm_scores(HAND, ties="keep")
    # tied at 20 days: rank_min = 3 -> floor((3 - 1) * 5 / 5) + 1 = 3 for both
    assert out["R"].tolist() == [1, 3, 3, 2, 5]
    # frequency 1, 1: rank_min = 1 -> score 1 for both
    assert out["F"].tolist() == [1, 1, 3, 4, 5]


def test_first_rule_gives_equal_fifths_and_keep_rule_gives_tied_customers_one_score(scored):
    # 23,570 customers / 5 = 4,714 per score (FHL 2005: the CDNOW cohort has 23,570 customers)
    assert len(scored) == 23_570
    for col in "RFM":
        assert scored[col].value_counts().tolist() == [4_714] * 5
    keep = rfm.rfm_scores(scored[["recency_days", "frequency", "monetary"]], ties="keep")
    assert keep.groupby("frequency")["F"].nunique().max() == 1
    assert scored.groupby("frequency")["F"].nunique().loc[1] == 3  # one-time buyers split over F = 1, 2, 3


def test_rfm_codes_are_three_digits_in_the_125_cells(scored):
    codes = scored["RFM"]
    assert codes.str.fullmatch(r"[1-5]{3}").all()
    assert codes.nunique() <= 125
    assert (codes == scored["R"].astype(str) + scored["F"].astype(str) + scored["M"].astype(str)).all()


def test_rfm_summary_counts_purchase_days_and_agrees_with_customer_summary(cdnow):
    tx = pd.DataFrame({"customer_id": [1, 1, 1, 2], "dollars": [10.0, 5.0, 20.0, 7.0],
                       "date": pd.to_datetime(["1997-01-01", "1997-01-01", "1997-03-01", "1997-02-01"])})
    s = rfm.rfm_summary(tx, as_of="1997-03-31")
    assert s.loc[1].tolist() == [30, 2, 35.0]  # 31 Mar - 1 Mar = 30 days; two purchase days; 10 + 5 + 20
    # independent computation: crm_lessons.summary counts repeat purchase days = frequency - 1
    full = rfm.rfm_summary(cdnow, as_of="1997-09-30")
    cs = customer_summary(cdnow, observation_end="1997-09-30")
    assert (full["frequency"] - 1 == cs["frequency"].reindex(full.index)).all()


def test_rfm_helpers_do_not_modify_their_input(cdnow):
    before = HAND.copy()
    rfm.rfm_scores(HAND)
    pd.testing.assert_frame_equal(HAND, before)
    sample = cdnow.head(500)
    b2 = sample.copy()
    rfm.rfm_summary(sample, as_of="1997-09-30")
    rfm.holdout_value(sample, start="1997-03-31")
    pd.testing.assert_frame_equal(sample, b2)


@pytest.mark.parametrize("bad, match", [
    (HAND.drop(columns="monetary"), "missing column"),
    (HAND.assign(monetary=[-1.0, 1, 1, 1, 1]), "negative"),
    (HAND.assign(frequency=[np.nan, 1, 1, 1, 1]), "missing value"),
    (HAND.assign(recency_days=["a"] * 5), "numeric"),
    (HAND.iloc[:3], "cannot fill"),
    (HAND.iloc[:0], "empty"),
])
def test_rfm_scores_rejects_bad_input(bad, match):
    with pytest.raises(CRMInputError, match=match):
        rfm.rfm_scores(bad)


def test_rfm_options_are_checked():
    with pytest.raises(CRMInputError, match="ties"):
        rfm.rfm_scores(HAND, ties="average")
    with pytest.raises(CRMInputError, match="bins"):
        rfm.rfm_scores(HAND, bins=10)


def test_rfm_summary_rejects_bad_dates_and_text_dates(cdnow):
    with pytest.raises(CRMInputError, match="as_of"):
        rfm.rfm_summary(cdnow, as_of="not a date")
    with pytest.raises(CRMInputError, match="no purchases"):
        rfm.rfm_summary(cdnow, as_of="1990-01-01")
    with pytest.raises(CRMInputError, match="datetimes"):
        rfm.rfm_summary(cdnow.assign(date=cdnow["date"].astype(str)), as_of="1997-09-30")
    with pytest.raises(CRMInputError, match="after start"):
        rfm.holdout_value(cdnow, start="1998-06-30", end="1998-01-01")


def test_holdout_value_counts_only_spend_after_calibration(cdnow, scored):
    after = cdnow[cdnow["date"] > "1997-09-30"]
    assert scored["holdout_value"].sum() == pytest.approx(after["dollars"].sum(), rel=1e-9)
    assert (scored["holdout_buyer"] == (scored["holdout_value"] > 0)).all()


def test_rfm_scores_rank_holdout_revenue_on_cdnow(scored):
    for col in "RFM":
        means = rfm.rfm_response(scored, by=col)["mean_value"]
        assert means.loc[5] > means.loc[4] > means.loc[3]  # the top fifths buy most later
    corr = rfm.rfm_rank_correlation(scored)
    assert (corr["spearman"] > 0.35).all()
    assert corr.loc["R+F+M", "spearman"] > corr.loc[["R", "F", "M"], "spearman"].max()
    cells = rfm.rfm_response(scored, by="RFM")
    assert cells["value_share"].sum() == pytest.approx(1.0)
    assert cells.index[0] == "555"


def test_rfm_response_rejects_unknown_grouping(scored):
    with pytest.raises(CRMInputError, match="by"):
        rfm.rfm_response(scored, by="X")


def test_rfm_charts_draw_and_reject_missing_columns(scored):
    fig = rfm_response_chart(scored)
    assert len(fig.axes) == 3
    ax = rfm_heatmap(scored)
    assert ax.get_ylabel() == "R score"
    with pytest.raises(CRMInputError):
        rfm_response_chart(scored.drop(columns="M"))


def test_holdout_helpers_do_not_modify_their_input(cdnow):
    part = cdnow[cdnow["customer_id"] <= 400].copy()
    before = part.copy()
    s = rfm.rfm_holdout(part, calibration_end="1997-09-30")
    s0 = s.copy()
    rfm.rfm_response(s, by="RFM")
    rfm.rfm_rank_correlation(s)
    pd.testing.assert_frame_equal(part, before)
    pd.testing.assert_frame_equal(s, s0)


# Issue 17 ----------------------------------------------------------------------------------------

def test_rank_correlation_on_an_empty_frame_is_an_error_not_nan():
    h = rfm.rfm_holdout(load("cdnow_sample"), calibration_end="1997-09-30")
    with pytest.raises(CRMInputError, match="needs at least 3 customers, got 0"):
        rfm.rfm_rank_correlation(h.iloc[:0])


def test_time_zone_aware_dates_are_refused_by_rfm():
    cd = load("cdnow_sample")
    with pytest.raises(CRMInputError, match="time-zone-aware"):
        rfm.rfm_summary(cd.assign(date=cd["date"].dt.tz_localize("Asia/Shanghai")), as_of="1997-09-30")
