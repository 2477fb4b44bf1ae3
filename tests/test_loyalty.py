"""Loyalty metrics, cohort retention and the relationship life cycle (crm_lessons.loyalty)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import loyalty as ly
from crm_lessons._validate import CRMInputError
from crm_lessons.datasets import load


@pytest.fixture(scope="module")
def cdnow():
    return load("cdnow_master")


def tiny_tx():
    # customer 1 joins Jan and buys in Feb; 2 joins Jan only; 3 joins Feb and buys in Mar and Apr.
    return pd.DataFrame({"customer_id": [1, 1, 1, 2, 3, 3, 3],
                         "date": pd.to_datetime(["1997-01-05", "1997-01-05", "1997-02-07", "1997-01-20",
                                                 "1997-02-02", "1997-03-01", "1997-04-30"])})


def test_cohort_retention_by_hand():
    t = ly.cohort_retention(tiny_tx())
    # Jan cohort {1, 2}: month 1 (Feb) only customer 1 buys -> 1/2; month 2 (Mar) nobody -> 0
    assert t.loc["1997-01", "size"] == 2
    assert t.loc["1997-01", [0, 1, 2, 3]].tolist() == [1.0, 0.5, 0.0, 0.0]
    # Feb cohort {3}: Mar and Apr -> 1, 1; May is after the data end -> NaN (not observed, not zero)
    assert t.loc["1997-02", [1, 2]].tolist() == [1.0, 1.0]
    assert np.isnan(t.loc["1997-02", 3])


def test_period_retention_and_churn_by_hand():
    r = ly.period_retention(tiny_tx(), freq="M", by_cohort=False)
    # Jan buyers {1, 2} -> Feb buyers {1, 3}: 1 of 2 retained
    feb = r.set_index("period").loc["1997-02"]
    assert (feb["active_before"], feb["retained"], feb["retention_rate"]) == (2, 1, 0.5)
    assert feb["churn_rate"] == 0.5


def test_purchase_summary_counts_same_day_purchases_once():
    s = ly.purchase_summary(tiny_tx())
    assert s.loc[1, "purchases"] == 2 and s.loc[1, "repeat_purchases"] == 1
    assert s.loc[3, "life_days"] == (pd.Timestamp("1997-04-30") - pd.Timestamp("1997-02-02")).days


def test_cdnow_cohorts_are_the_three_acquisition_months(cdnow):
    t = ly.cohort_retention(cdnow)
    assert t.index.tolist() == ["1997-01", "1997-02", "1997-03"]
    # Published: 23,570 customers first bought in Q1 1997 (Fader & Hardie's CDNOW master data)
    assert int(t["size"].sum()) == 23570
    assert (t[1] < 0.25).all() and (t[1] > 0.10).all()   # most CDNOW buyers never return


def test_lifecycle_rules_by_hand():
    tx = pd.DataFrame({"customer_id": [1] * 6,
                       "date": pd.to_datetime(["1997-01-05", "1997-04-07", "1997-05-02", "1997-08-01",
                                               "1997-08-20", "1998-07-01"])})
    st = ly.lifecycle_stages(tx, end="1998-09-30")
    assert st["stage"].astype(str).tolist() == [
        "cultivation",    # 1997Q1 first purchase
        "confirmation",   # 1997Q2: first repeat quarter
        "trust",          # 1997Q3: 2 purchases, ref = mean(1, 2) = 1.5, 2 >= 0.75
        "weakening",      # 1997Q4: 0 < 0.5 * ref
        "dissolution",    # 1998Q1: second quiet quarter
        "dissolution",    # 1998Q2
        "trust",          # 1998Q3: bought again (recovered), three earlier active quarters
    ]


def test_stage_transitions_are_probabilities_and_cultivation_never_recurs(cdnow):
    st = ly.lifecycle_stages(cdnow)
    m = ly.stage_transition_matrix(st)
    assert np.allclose(m.dropna().sum(axis=1), 1.0)
    assert m["cultivation"].fillna(0).eq(0).all()
    assert m.loc["weakening", "dissolution"] > 0.5


def test_weakening_customers_buy_less_in_the_holdout_than_trusting_ones(cdnow):
    ew = ly.early_warning(cdnow, calibration_end="1997-12-31")
    tab = ew["table"]
    assert tab.loc["weakening", "share_buying_in_holdout"] < tab.loc["trust", "share_buying_in_holdout"]
    assert tab.loc["dissolution", "share_buying_in_holdout"] < tab.loc["weakening", "share_buying_in_holdout"]
    assert ew["lift"] > 1.0
    assert 0 < ew["precision"] < 1 and 0 < ew["recall"] < 1


def test_retention_lever_by_hand():
    t = ly.retention_lever(0.8, discount_rate=0.1, deltas=(0.0, 0.05))
    # CLV/m: 0.8/0.3 = 2.667 -> 0.85/0.25 = 3.4, a rise of 27.5%
    assert t["clv_per_unit_margin"].round(3).tolist() == [2.667, 3.4]
    assert t["clv_rise"].iloc[1] == pytest.approx(0.275)


def test_twelve_metrics_with_values_where_the_data_allow(cdnow):
    tab = ly.loyalty_metrics_table(cdnow=cdnow, telco=load("telco_churn_ibm"), yogurt=load("yogurt_panel"))
    assert len(tab) == 12
    have = tab.dropna(subset=["value"])["metric"].tolist()
    assert len(have) == 8
    missing = set(tab["metric"]) - set(have)
    assert missing == {"time taken to choose", "tolerance of quality problems", "satisfaction",
                       "recommending the firm"}
    row = tab.set_index("metric")
    assert row.loc["retention rate", "value"] + row.loc["churn rate", "value"] == pytest.approx(1.0)
    assert row.loc["price sensitivity", "value"] < 0


def test_helpers_reject_bad_input():
    with pytest.raises(CRMInputError, match="missing column"):
        ly.cohort_retention(tiny_tx().rename(columns={"date": "day"}))
    with pytest.raises(CRMInputError, match="must hold datetimes"):
        ly.purchase_summary(tiny_tx().assign(date="1997-01-01"))
    with pytest.raises(CRMInputError, match="freq must be one of"):
        ly.period_retention(tiny_tx(), freq="W")
    with pytest.raises(CRMInputError, match="empty"):
        ly.lifecycle_stages(tiny_tx().iloc[0:0])
    bad = tiny_tx()
    bad.loc[0, "customer_id"] = np.nan
    with pytest.raises(CRMInputError, match="missing value"):
        ly.cohort_retention(bad)
    with pytest.raises(CRMInputError, match="must come after"):
        ly.early_warning(tiny_tx(), calibration_end="1997-12-31", holdout_end="1997-06-30")
    with pytest.raises(CRMInputError, match="retention must lie in"):
        ly.retention_lever(1.2)
    with pytest.raises(CRMInputError, match="drop_share"):
        ly.lifecycle_stages(tiny_tx(), drop_share=0)


def test_helpers_do_not_modify_the_transactions():
    tx = tiny_tx()
    before = tx.copy()
    ly.purchase_summary(tx)
    ly.cohort_retention(tx)
    ly.period_retention(tx)
    st = ly.lifecycle_stages(tx)
    ly.stage_transition_matrix(st)
    ly.early_warning(tx, calibration_end="1997-02-28")
    pd.testing.assert_frame_equal(tx, before)


def test_course_tables_have_the_ten_measures_and_bilingual_names():
    assert len(ly.CHURN_PREVENTION) == 10
    assert len(ly.LOYALTY_METRICS) == 12
    assert ly.CHURN_PREVENTION["zh"].str.contains(r"[\u4e00-\u9fff]").all()
    assert list(ly.STAGES) == ["cultivation", "confirmation", "trust", "weakening", "dissolution"]


def test_loyalty_charts_draw(cdnow):
    from crm_lessons import plotting

    ax = plotting.cohort_retention_chart(ly.cohort_retention(cdnow, max_periods=6))
    assert len(ax.get_lines()) == 3
    ax = plotting.lifecycle_stage_chart(ly.lifecycle_stages(tiny_tx()))
    assert ax.get_title()


def _chart_inputs():
    from crm_lessons import choice, churn

    telco = load("telco_churn_ibm")
    train, test = churn.split_customers(telco, seed=0)
    res = churn.fit_churn_logit(train)
    p = churn.predict_churn(res, test)
    km = churn.kaplan_meier(telco)
    plan = churn.targeting_table(p, churn.saved_customer_clv(test), offer_cost=50.0, acceptance=0.3)
    return {
        "cohort_retention_chart": ly.cohort_retention(tiny_tx()),
        "churn_roc_chart": churn.roc_table(test["churn"], p),
        "churn_gains_chart": churn.gains_table(test["churn"], p),
        "churn_calibration_chart": churn.calibration_table(test["churn"], p),
        "survival_chart": km,
        "loglog_survival_chart": km,
        "switching_heatmap": choice.switching_matrix(load("yogurt_panel")),
        "lifecycle_stage_chart": ly.lifecycle_stages(tiny_tx()),
        "targeting_profit_chart": plan,
        "odds_ratio_chart": churn.odds_ratios(res),
    }


def test_every_loyalty_chart_draws_rejects_a_bad_frame_and_leaves_its_input_alone():
    from crm_lessons import plotting
    from crm_lessons.plotting import _loyalty

    inputs = _chart_inputs()
    assert set(inputs) == set(_loyalty.__all__)
    for name, frame in inputs.items():
        before = frame.copy()
        ax = getattr(plotting, name)(frame)
        assert ax.get_title(), name
        pd.testing.assert_frame_equal(frame, before)
        with pytest.raises((CRMInputError, TypeError)):
            getattr(plotting, name)(pd.DataFrame({"nothing": [1]}) if name != "switching_heatmap" else [1, 2])


# Issue 17 ----------------------------------------------------------------------------------------

def test_purchase_summary_as_of_end_ignores_later_purchases_so_no_negative_days_since_last():
    cdnow = load("cdnow_master")
    s = ly.purchase_summary(cdnow, end="1997-09-30")
    assert (s["days_since_last"] >= 0).all()
    assert (s["last"] <= pd.Timestamp("1997-09-30")).all()
    first = cdnow.loc[cdnow["customer_id"] == s.index[0]]
    assert s.iloc[0]["purchases"] == first.loc[first["date"] <= "1997-09-30", "date"].nunique()


def test_purchase_summary_end_before_any_purchase_is_a_clear_error():
    with pytest.raises(CRMInputError, match="no purchase on or before end"):
        ly.purchase_summary(load("cdnow_sample"), end="1990-01-01")


def test_a_repeated_stage_row_is_refused_instead_of_an_impossible_step():
    tx = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["1997-01-05", "1997-04-07"])})
    stages = ly.lifecycle_stages(tx, end="1997-09-30")
    twice = pd.concat([stages, stages.iloc[[0]]], ignore_index=True)
    with pytest.raises(CRMInputError, match=r"one row per customer and period"):
        ly.stage_transition_matrix(twice)
