"""Churn model, survival by tenure and retention economics on IBM Telco (crm_lessons.churn)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import churn as cu
from crm_lessons._validate import CRMInputError
from crm_lessons.datasets import load


@pytest.fixture(scope="module")
def telco():
    return load("telco_churn_ibm")


@pytest.fixture(scope="module")
def fitted(telco):
    train, test = cu.split_customers(telco, seed=0)
    return cu.fit_churn_logit(train), train, test


def test_held_out_auc_is_as_good_as_published_analyses(fitted):
    # Published logistic models on this sample reach a held-out AUC of about 0.84 (e.g. the many
    # Kaggle "Telco Customer Churn" notebooks); anything under 0.80 means the features broke.
    res, train, test = fitted
    a = cu.auc(test["churn"], cu.predict_churn(res, test))
    assert a > 0.80


def test_auc_matches_scikit_learn(fitted):
    from sklearn.metrics import roc_auc_score

    res, _, test = fitted
    p = cu.predict_churn(res, test)
    assert cu.auc(test["churn"], p) == pytest.approx(roc_auc_score(test["churn"], p), abs=1e-12)


def test_auc_and_roc_by_hand():
    # churners score 0.35 and 0.8, stayers 0.1 and 0.4: of the 4 churner-stayer pairs, 3 are ordered right
    assert cu.auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    roc = cu.roc_table([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert roc["tpr"].tolist() == [0, 0.5, 0.5, 1.0, 1.0]
    assert roc["fpr"].tolist() == [0, 0, 0.5, 0.5, 1.0]


def test_gains_table_puts_the_riskiest_first_and_ends_at_everyone(fitted):
    res, _, test = fitted
    g = cu.gains_table(test["churn"], cu.predict_churn(res, test))
    assert g["cum_share_churners"].iloc[-1] == pytest.approx(1.0)
    assert g["churn_rate"].iloc[0] > 2 * g["churn_rate"].iloc[-1]
    assert g["lift"].iloc[0] > 2


def test_model_is_roughly_calibrated_on_held_out_customers(fitted):
    res, _, test = fitted
    cal = cu.calibration_table(test["churn"], cu.predict_churn(res, test), bins=5)
    assert (cal["observed"] - cal["predicted"]).abs().max() < 0.08


def test_contracts_and_tenure_lower_churn_odds_with_intervals(fitted):
    res = fitted[0]
    o = cu.odds_ratios(res)
    assert o.loc["two_year", "upper"] < 1 and o.loc["tenure_years", "upper"] < 1
    assert (o["lower"] <= o["odds_ratio"]).all() and (o["odds_ratio"] <= o["upper"]).all()
    me = cu.marginal_effects(res)
    assert -0.3 < me.loc["two_year", "effect"] < 0
    assert "const" not in me.index


def test_kaplan_meier_by_contract_orders_survival_and_matches_a_hand_count():
    d = pd.DataFrame({"tenure": [1, 2, 2, 3], "churn": [True, True, False, False], "g": ["x"] * 4})
    km = cu.kaplan_meier(d, group="g")
    # S(1) = 3/4; S(2) = 3/4 * (1 - 1/3) = 1/2 (one of three at risk churns at 2)
    assert km["survival"].round(4).tolist()[:2] == [0.75, 0.5]


def test_month_to_month_customers_leave_soonest(telco):
    km = cu.kaplan_meier(telco)
    # survival at 24 months = last step at or before 24 (1.0 if no one in the group churned by then)
    at24 = km[km["time"] <= 24].groupby("group", observed=True)["survival"].last()
    at24 = at24.reindex(["Month-to-month", "One year", "Two year"], fill_value=1.0)
    assert at24["Month-to-month"] < at24["One year"] < at24["Two year"]


def test_cox_model_and_proportional_hazards_check(telco):
    X = cu.churn_features(telco).drop(columns="tenure_years")
    res = cu.fit_cox(telco, X)
    hr = cu.hazard_ratios(res)
    assert hr.loc["two_year", "hazard_ratio"] < hr.loc["one_year", "hazard_ratio"] < 1
    ph = cu.proportional_hazards_test(res)
    assert set(ph.columns) == {"correlation_with_time", "z", "p_value"}
    # the contract effect changes with tenure: proportional hazards fails for it
    assert ph.loc["one_year", "p_value"] < 0.01
    strat = cu.fit_cox(telco, X.drop(columns=["one_year", "two_year"]), strata="contract")
    assert "one_year" not in cu.hazard_ratios(strat).index


def test_schoenfeld_check_finds_no_trend_when_hazards_are_proportional():
    rng = np.random.default_rng(3)
    n = 3000
    x = rng.integers(0, 2, n).astype(float)
    t = rng.exponential(1 / np.exp(0.7 * x))          # exponential times: hazard ratio e^0.7, constant
    c = rng.exponential(2.0, n)
    d = pd.DataFrame({"tenure": np.minimum(t, c), "churn": t <= c})
    res = cu.fit_cox(d, pd.DataFrame({"x": x}))
    assert cu.hazard_ratios(res).loc["x", "hazard_ratio"] == pytest.approx(np.exp(0.7), rel=0.1)
    assert cu.proportional_hazards_test(res).loc["x", "p_value"] > 0.01


def test_clv_uses_chapter_one_formula():
    assert cu.clv(100.0, 0.8, 0.1) == pytest.approx(100 * 0.8 / (1 + 0.1 - 0.8))
    from crm_lessons.value import simple_clv

    assert cu.clv(30.0, 0.97, 0.008) == pytest.approx(simple_clv(30.0, 0.97, 0.008))


def test_targeting_offers_pay_only_above_the_break_even_probability():
    # break-even p = cost / (acceptance * value) = 50 / (0.25 * 1000) = 0.2
    t = cu.targeting_table(pd.Series([0.1, 0.2, 0.3]), [1000.0] * 3, offer_cost=50.0, acceptance=0.25)
    assert t["expected_gain"].round(6).tolist() == [25.0, 0.0, -25.0]
    assert len(cu.select_targets(t, rule="profit")) == 1
    assert len(cu.select_targets(t, rule="threshold", threshold=0.2)) == 2
    assert cu.select_targets(t, rule="top_k", k=2)["p_churn"].tolist() == [0.3, 0.2]


def test_campaign_summary_interval_brackets_the_expected_profit(fitted, telco):
    res, _, test = fitted
    p = cu.predict_churn(res, test)
    v = cu.saved_customer_clv(test, margin_share=0.3, retention=0.976)
    t = cu.targeting_table(p, v, offer_cost=50.0, acceptance=0.3)
    s = cu.campaign_summary(cu.select_targets(t, k=300), offer_cost=50.0, acceptance=0.3, result=res,
                            data=test, n_draws=400, seed=1)
    assert s["customers_targeted"] == 300
    assert s["profit_lower"] < s["expected_profit"] < s["profit_upper"]
    assert s["expected_saved"] == pytest.approx(0.3 * t["p_churn"].head(300).sum())


def test_monthly_retention_by_hand():
    d = pd.DataFrame({"tenure": [10, 20, 30, 40], "churn": [True, False, True, False]})
    assert cu.monthly_retention(d) == pytest.approx(1 - 2 / 100)


def test_helpers_reject_bad_input(telco):
    with pytest.raises(CRMInputError, match="missing column"):
        cu.churn_features(telco.drop(columns="contract"))
    with pytest.raises(CRMInputError, match="single value"):
        cu.fit_churn_logit(telco.assign(churn=False))
    with pytest.raises(CRMInputError, match="both positives"):
        cu.auc([1, 1], [0.2, 0.3])
    with pytest.raises(CRMInputError, match="equal"):
        cu.gains_table([0, 1], [0.2])
    with pytest.raises(CRMInputError, match="negative durations"):
        cu.kaplan_meier(pd.DataFrame({"tenure": [-1, 2], "churn": [1, 0]}), group=None)
    with pytest.raises(CRMInputError, match="acceptance must lie in"):
        cu.targeting_table([0.5], [10.0], offer_cost=1.0, acceptance=1.5)
    with pytest.raises(CRMInputError, match="rule must be one of"):
        cu.select_targets(cu.targeting_table([0.5], [10.0], offer_cost=1.0, acceptance=0.5), rule="all")
    with pytest.raises(CRMInputError, match="probabilities"):
        cu.targeting_table([1.5], [10.0], offer_cost=1.0, acceptance=0.5)
    with pytest.raises(CRMInputError, match="retention must lie in"):
        cu.clv(10.0, 1.0, 0.1)
    with pytest.raises(CRMInputError, match="empty"):
        cu.split_customers(telco.iloc[0:0])


def test_helpers_do_not_modify_the_customers(telco):
    before = telco.copy()
    train, test = cu.split_customers(telco, seed=2)
    res = cu.fit_churn_logit(train)
    cu.predict_churn(res, test)
    cu.services_held(telco)
    cu.kaplan_meier(telco)
    cu.fit_cox(telco, cu.churn_features(telco).drop(columns="tenure_years"))
    cu.saved_customer_clv(telco)
    cu.monthly_retention(telco)
    pd.testing.assert_frame_equal(telco, before)


def test_split_is_seeded_stratified_and_disjoint(telco):
    a_train, a_test = cu.split_customers(telco, seed=7)
    b_train, b_test = cu.split_customers(telco, seed=7)
    assert a_test.index.equals(b_test.index)
    assert not set(a_train.index) & set(a_test.index)
    assert a_test["churn"].mean() == pytest.approx(telco["churn"].mean(), abs=0.002)


# Issue 17 ----------------------------------------------------------------------------------------

def test_negative_monthly_charges_are_refused_instead_of_a_negative_clv():
    from crm_lessons import churn as ch
    from crm_lessons._validate import CRMInputError
    from crm_lessons.datasets import load

    t = load("telco_churn_ibm").head(200).copy()
    t.loc[t.index[3], "monthly_charges"] = -20.0
    with pytest.raises(CRMInputError, match=r"'monthly_charges' has 1 negative value"):
        ch.saved_customer_clv(t)
    with pytest.raises(CRMInputError, match=r"'monthly_charges' has 1 negative value"):
        ch.churn_features(t)


def test_fit_cox_with_one_customer_names_the_minimum_not_singular_matrix():
    from crm_lessons import churn as ch
    from crm_lessons._validate import CRMInputError
    from crm_lessons.datasets import load

    t = load("telco_churn_ibm").head(300)
    X = ch.churn_features(t)
    with pytest.raises(CRMInputError, match=r"needs at least \d+ customers, got 1"):
        ch.fit_cox(t.head(1), X.head(1))
    with pytest.raises(CRMInputError, match="constant"):
        ch.fit_cox(t, X.assign(senior_citizen=0)[["senior_citizen", "monthly_charges_10"]])


def test_a_customer_copied_twice_is_refused_by_the_churn_fits():
    from crm_lessons import churn as ch
    from crm_lessons._validate import CRMInputError
    from crm_lessons.datasets import load

    t = load("telco_churn_ibm").head(300)
    twice = pd.concat([t, t.iloc[[0]]], ignore_index=True)
    with pytest.raises(CRMInputError, match="one row per customer"):
        ch.fit_churn_logit(twice)
