"""Tests of crm_lessons.differentiate: value tiers, the 80/20 budget, capture curves, needs segments, the grid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import differentiate as dif
from crm_lessons._validate import CRMInputError
from crm_lessons.datasets import load
from crm_lessons.plotting import (capture_chart, k_choice_chart, segment_profile_chart, tier_chart,
                                  value_needs_chart)


def _planted(n_per=(60, 40, 30), seed=0):
    """Three well-separated groups in the four needs features (known truth)."""
    rng = np.random.default_rng(seed)
    centres = [(0.3, 1.0, 10.0, 0.2), (2.0, 1.0, 10.0, 0.2), (0.3, 6.0, 25.0, 1.5)]
    rows, truth = [], []
    for g, (k, c) in enumerate(zip(n_per, centres)):
        for _ in range(k):
            rows.append([v * (1 + 0.03 * rng.standard_normal()) for v in c])
            truth.append(g)
    return pd.DataFrame(rows, columns=list(dif.FEATURES)), np.array(truth)


def test_value_tiers_have_exact_sizes_and_put_the_highest_values_on_top():
    v = pd.Series([50, 10, 0, 30, 20, 5, 1, 2, 3, 4], index=list("abcdefghij"))
    t = dif.value_tiers(v)
    assert t.value_counts().to_dict() == {"top": 2, "middle": 3, "bottom": 5}
    assert set(t[t == "top"].index) == {"a", "d"}
    assert list(t.cat.categories) == ["top", "middle", "bottom"]


@pytest.mark.parametrize("kwargs", [{"shares": (0.5, 0.6)}, {"shares": (1.0,)}, {"labels": ("a", "b")}])
def test_value_tiers_rejects_bad_shares_or_labels(kwargs):
    with pytest.raises(CRMInputError):
        dif.value_tiers([1, 2, 3], **kwargs)


def test_value_tiers_rejects_negative_missing_or_empty_values():
    for bad in ([1, -2, 3], [1, np.nan], []):
        with pytest.raises(CRMInputError):
            dif.value_tiers(bad)


def test_tier_table_hand_example_and_length_check():
    t = pd.Series(["top", "bottom", "bottom"])
    out = dif.tier_table(t, [10.0, 5.0, 5.0], [6.0, 2.0, 0.0])
    # top: 1 of 3 customers, 10 of 20 history, 6 of 8 future
    assert out.loc["top"].tolist() == pytest.approx([1, 1 / 3, 0.5, 0.75, 6.0])
    with pytest.raises(CRMInputError, match="same length"):
        dif.tier_table(t, [1.0, 2.0], [1.0, 2.0, 3.0])


def test_budget_allocation_by_rule_hand_example():
    t = pd.DataFrame({"customers": [20.0, 80.0], "customer_share": [0.2, 0.8], "history_share": [0.8, 0.2],
                      "future_share": [0.7, 0.3], "future_per_customer": [35.0, 3.75]}, index=["top", "rest"])
    eq = dif.budget_allocation(t, 1000, rule="equal")
    assert eq["budget"].tolist() == [200.0, 800.0]
    assert eq["future_per_budget"].tolist() == pytest.approx([700 / 200, 300 / 800])
    val = dif.budget_allocation(t, 1000, rule="value")
    assert val["budget_per_customer"].tolist() == pytest.approx([40.0, 2.5])
    top = dif.budget_allocation(t, 1000, rule="top")
    assert top["budget"].tolist() == [1000.0, 0.0] and np.isnan(top.loc["rest", "future_per_budget"])
    with pytest.raises(CRMInputError):
        dif.budget_allocation(t, 0)
    with pytest.raises(CRMInputError):
        dif.budget_allocation(t, 10, rule="random")


def test_capture_curve_perfect_ranking_dominates_and_random_is_near_the_diagonal():
    rng = np.random.default_rng(0)
    y = rng.gamma(0.5, 10, 5000)
    perfect = dif.capture_curve(y, y)
    noise = dif.capture_curve(rng.random(5000), y)
    assert (perfect["captured_share"] >= noise["captured_share"] - 1e-12).all()
    assert abs(noise.loc[50, "captured_share"] - 0.5) < 0.05
    assert perfect["captured_share"].iloc[[0, -1]].tolist() == pytest.approx([0.0, 1.0])
    with pytest.raises(CRMInputError, match="sums to 0"):
        dif.capture_curve([1, 2], [0.0, 0.0])
    with pytest.raises(CRMInputError, match="same length"):
        dif.capture_curve([1, 2, 3], [1.0, 2.0])


def test_behaviour_features_merge_same_day_rows_and_do_not_mutate():
    tx = pd.DataFrame({"customer_id": [1, 1, 1, 1, 2, 2], "cds": [1, 1, 2, 3, 1, 1],
                       "dollars": [10.0, 10.0, 20.0, 30.0, 5.0, 5.0],
                       "date": pd.to_datetime(["1997-01-01", "1997-01-01", "1997-01-11", "1997-01-31",
                                               "1997-01-01", "1997-01-02"])})
    before = tx.copy()
    # the two identical 1997-01-01 rows are two real CDs bought that day: keep them (no warning)
    f = dif.behaviour_features(tx, end="1997-01-31", duplicates="keep")
    pd.testing.assert_frame_equal(tx, before)
    assert f.index.tolist() == [1]  # customer 2 has only two purchase days
    row = f.loc[1]
    assert row["purchases"] == 3 and row["cds_per_purchase"] == pytest.approx(7 / 3)
    assert row["price_per_cd"] == pytest.approx(70 / 7)
    # gaps 10 and 20 days: mean 15, population sd 5 -> CV 1/3
    assert row["gap_cv"] == pytest.approx(1 / 3)
    assert row["purchases_per_month"] == pytest.approx(3 / 31 * 30.44)
    with pytest.raises(CRMInputError, match="min_purchases"):
        dif.behaviour_features(tx, end="1997-01-31", min_purchases=2, duplicates="keep")
    with pytest.warns(UserWarning, match="1 exact duplicate row"):
        dif.behaviour_features(tx, end="1997-01-31")
    with pytest.raises(CRMInputError, match="missing column"):
        dif.behaviour_features(tx.drop(columns="cds"), end="1997-01-31")


def test_needs_segments_recover_planted_groups_and_choose_k_finds_their_number():
    from sklearn.metrics import adjusted_rand_score

    f, truth = _planted()
    seg = dif.NeedsSegments(k=3, seed=0).fit(f)
    assert adjusted_rand_score(truth, seg.labels_) == 1.0
    assert seg.profile_["customers"].tolist() == [60, 40, 30]  # numbered by size
    assert seg.profile_["name"].is_unique
    k = dif.choose_k(f, ks=range(2, 6))
    assert k["silhouette"].idxmax() == 3
    assert k["inertia"].is_monotonic_decreasing


def test_needs_segments_reject_bad_input():
    f, _ = _planted()
    with pytest.raises(CRMInputError):
        dif.NeedsSegments(k=1)
    with pytest.raises(CRMInputError, match="fit"):
        dif.NeedsSegments(k=2).name_segments()
    with pytest.raises(CRMInputError, match="missing column"):
        dif.NeedsSegments(k=2).fit(f.drop(columns="gap_cv"))
    with pytest.raises(CRMInputError, match="negative"):
        dif.choose_k(f.assign(gap_cv=-1.0))
    before = f.copy()
    dif.NeedsSegments(k=2).fit(f)
    pd.testing.assert_frame_equal(f, before)


def test_value_needs_grid_marks_unreadable_customers_as_unknown_needs():
    t = pd.Series(["top", "bottom", "bottom"], index=[1, 2, 3])
    s = pd.Series(["frequent", "bargain"], index=[1, 2])
    g = dif.value_needs_grid(t, s, pd.Series([10.0, 2.0, 0.0], index=[1, 2, 3]))
    assert g[["tier", "segment", "customers"]].values.tolist() == [
        ["bottom", "bargain", 1], ["bottom", "unknown needs", 1], ["top", "frequent", 1]]
    assert g["share"].sum() == pytest.approx(1.0)
    with pytest.raises(CRMInputError, match="no tier"):
        dif.value_needs_grid(t, pd.Series(["x"], index=[9]))
    tr = dif.treatment_grid(g)
    assert tr.loc[tr["segment"] == "unknown needs", "treatment"].str.contains("survey").all()
    with pytest.raises(CRMInputError, match="no intensity"):
        dif.treatment_grid(g.assign(tier="vip"))


def test_predicted_value_uses_the_bgnbd_fit_of_fader_hardie_lee_2005():
    pred = dif.predicted_value(load("cdnow_sample"), calibration_end="1997-09-30", horizon_weeks=39)
    # Fader, Hardie & Lee (2005), CDNOW 1/10 sample, 39-week calibration: r=0.243, alpha=4.414, a=0.793, b=2.426
    params = pred.attrs["model"].params_.round(3).to_dict()
    assert params == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert len(pred) == 2357 and (pred["predicted_value"] >= 0).all()


def test_differentiate_charts_draw_and_reject_bad_input():
    tab = pd.DataFrame({"customer_share": [.2, .8], "history_share": [.6, .4], "future_share": [.7, .3]},
                       index=["top", "rest"])
    assert len(tier_chart(tab).patches) == 6
    assert len(k_choice_chart(pd.DataFrame({"inertia": [3.0, 2.0], "silhouette": [.2, .3]}, index=[2, 3])).axes) == 2
    segment_profile_chart(pd.DataFrame({"a": [1.0, -1.0]}, index=[1, 2]), ["x", "y"])
    value_needs_chart(pd.DataFrame({"tier": ["top"], "segment": ["a"], "customers": [3]}))
    with pytest.raises(CRMInputError):
        capture_chart({})
    with pytest.raises(CRMInputError):
        tier_chart(tab.drop(columns="future_share"))
    with pytest.raises(CRMInputError):
        segment_profile_chart(pd.DataFrame())


def test_value_helpers_do_not_modify_their_inputs():
    v = pd.Series([5.0, 1.0, 3.0, 2.0, 4.0], index=list("abcde"))
    fut = pd.Series([1.0, 0.0, 2.0, 0.0, 3.0], index=list("abcde"))
    v0, f0 = v.copy(), fut.copy()
    t = dif.value_tiers(v, shares=(0.4, 0.6), labels=("top", "bottom"))
    tab = dif.tier_table(t, v, fut)
    tab0 = tab.copy()
    dif.budget_allocation(tab, 100.0)
    dif.capture_curve(v, fut)
    g = dif.value_needs_grid(t, pd.Series(["x", "y"], index=["a", "b"]), fut)
    g0 = g.copy()
    dif.treatment_grid(g, intensity={"top": "much", "bottom": "little"})
    pd.testing.assert_series_equal(v, v0)
    pd.testing.assert_series_equal(fut, f0)
    pd.testing.assert_frame_equal(tab, tab0)
    pd.testing.assert_frame_equal(g, g0)


# Issue 17 ----------------------------------------------------------------------------------------

def _tx():
    return load("cdnow_sample")


def test_predicted_value_refuses_a_return_instead_of_predicting_negative_value():
    tx = _tx().copy()
    tx.loc[tx.index[0], "dollars"] = -15.0
    with pytest.raises(CRMInputError, match=r"'dollars' has 1 negative value.*net them"):
        dif.predicted_value(tx, calibration_end="1997-09-30", horizon_weeks=39)


def test_predicted_value_text_amounts_and_text_dates_say_how_to_convert():
    tx = _tx()
    with pytest.raises(CRMInputError, match=r"'dollars'.*decimal commas"):
        dif.predicted_value(tx.assign(dollars=tx["dollars"].map(lambda x: f"{x:.2f}".replace(".", ","))),
                            calibration_end="1997-09-30", horizon_weeks=39)
    with pytest.raises(CRMInputError, match=r"'date'.*format="):
        dif.predicted_value(tx.assign(date=tx["date"].dt.strftime("%d/%m/%Y")),
                            calibration_end="1997-09-30", horizon_weeks=39)


def test_predicted_value_refuses_time_zone_aware_dates():
    tx = _tx()
    with pytest.raises(CRMInputError, match="time-zone-aware"):
        dif.predicted_value(tx.assign(date=tx["date"].dt.tz_localize("Asia/Shanghai")),
                            calibration_end="1997-09-30", horizon_weeks=39)
