"""Bank CRM helpers (Chapter 11) and the bank-campaign case study."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import bank, datasets
from crm_lessons._validate import CRMInputError, CRMTypeError


@pytest.fixture(scope="module")
def calls():
    return datasets.load("bank_marketing")


@pytest.fixture
def small():
    return pd.DataFrame({"campaign": [1, 1, 2, 5, 5, 3], "y": [True, False, True, True, False, False],
                         "contact": ["cellular", "telephone", "cellular", "cellular", "telephone", "telephone"]})


def test_response_by_channel_matches_hand_counts_and_cellular_beats_telephone(calls):
    t = bank.response_by(calls, "contact").set_index("contact")
    # UCI Bank Marketing: 26,144 cellular calls (3,853 deposits), 15,044 telephone calls (787 deposits)
    assert t.loc["cellular", "calls"] == 26_144 and t.loc["telephone", "calls"] == 15_044
    assert t.loc["cellular", "deposits"] + t.loc["telephone", "deposits"] == 4_640
    assert t.loc["cellular", "low (%)"] > t.loc["telephone", "high (%)"]


def test_response_by_numeric_column_asks_for_bins(calls):
    with pytest.raises(CRMInputError, match="bins"):
        bank.response_by(calls, "euribor3m")
    t = bank.response_by(calls, "euribor3m", bins=[0, 2, 6])
    assert t["calls"].sum() == len(calls)


def test_response_by_rejects_text_outcome_and_missing_column(small):
    with pytest.raises(CRMInputError, match="bool or 0/1"):
        bank.response_by(small.assign(y=np.where(small["y"], "yes", "no")), "contact")
    with pytest.raises(CRMInputError, match="job"):
        bank.response_by(small, "job")


def test_wilson_interval_known_value():
    # Wilson (1927), z = 1.96, 10/100: centre (0.1 + 0.0192) / 1.0384 = 0.1148, half-width 0.0596.
    lo, hi = bank.wilson_interval(10, 100)
    assert round(float(lo), 4) == 0.0552 and round(float(hi), 4) == 0.1744


def test_contact_hazard_is_deposits_on_call_k_over_clients_reaching_k(small):
    h = bank.contact_hazard(small, cap=5)
    # reached: call1 6, call2 4 (c>=2: 2,5,5,3), call3 3, call4 2, call5 2; won on call 1: 1, 2: 1, 5: 1
    assert h["clients reached"].tolist() == [6, 4, 3, 2, 2]
    assert h["deposits"].tolist() == [1, 1, 0, 0, 1]
    assert h["conversion (%)"].tolist() == [16.7, 25.0, 0.0, 0.0, 50.0]


def test_contact_hazard_falls_with_repeated_calls_in_the_bank_data(calls):
    h = bank.contact_hazard(calls, cap=10)
    assert h.loc[0, "conversion (%)"] > h.loc[4, "conversion (%)"] > h.loc[7, "conversion (%)"]
    assert h.loc[0, "cumulative share of deposits (%)"] == pytest.approx(49.6, abs=0.1)  # 2,300 / 4,640


def test_contact_cap_table_counts_calls_saved_and_deposits_lost(small):
    t = bank.contact_cap_table(small, caps=[1, 3], cost_per_call=1, value_per_deposit=10).set_index("max calls")
    # cap 1: calls 6 (of 17), deposits 1 (of 3); cap 3: calls 1+1+2+3+3+3 = 13, deposits 2
    assert t.loc[1, "calls"] == 6 and t.loc[1, "calls saved"] == 11 and t.loc[1, "deposits lost"] == 2
    assert t.loc[3, "calls"] == 13 and t.loc[3, "deposits"] == 2 and t.loc[3, "profit"] == 20 - 13


def test_design_matrix_refuses_duration_and_campaign_with_the_reason():
    df = pd.DataFrame({"duration": [10], "campaign": [1]})
    with pytest.raises(CRMInputError, match="only after"):
        bank.design_matrix(df, ["duration"])
    with pytest.raises(CRMInputError, match="campaign"):
        bank.design_matrix(df, ["campaign"])


def test_helpers_do_not_modify_the_callers_frame(calls):
    before = calls.copy()
    bank.response_by(calls, "poutcome")
    bank.contact_cap_table(calls)
    bank.design_matrix(calls)
    bank.split_calls(calls)
    pd.testing.assert_frame_equal(calls, before)


def test_split_is_stratified_and_reproducible(calls):
    tr1, te1 = bank.split_calls(calls, seed=3)
    tr2, te2 = bank.split_calls(calls, seed=3)
    pd.testing.assert_frame_equal(te1, te2)
    assert len(tr1) + len(te1) == len(calls)
    assert abs(te1["y"].mean() - calls["y"].mean()) < 0.001


def test_logit_matches_its_equation_and_beats_chance(calls):
    train, test = bank.split_calls(calls, seed=0)
    m = bank.ResponseModel("logit").fit(train)
    z = (bank.design_matrix(test).reindex(columns=m.columns_, fill_value=0).to_numpy() - m.mean_) / m.scale_
    by_hand = 1 / (1 + np.exp(-(m.estimator_.intercept_[0] + z @ m.estimator_.coef_[0])))
    np.testing.assert_allclose(m.predict_proba(test), by_hand, rtol=1e-9)
    from crm_lessons.scoring import auc
    # Moro, Cortez & Rita (2014): their best model (a neural network, 22 features, no duration) reached AUC 0.80.
    assert 0.75 < auc(test["y"].astype(int), m.predict_proba(test)) < 0.85
    assert set(m.coefficients().columns) >= {"predictor", "odds ratio (per sd)"}


def test_response_model_needs_fit_and_both_outcomes(small):
    with pytest.raises(CRMInputError, match="fit"):
        bank.ResponseModel().predict_proba(small)
    with pytest.raises(CRMInputError, match="kind"):
        bank.ResponseModel("forest")


def test_calls_per_deposit_saved_against_random_calling():
    y = [1, 0, 1, 0, 0, 0, 0, 0]
    s = [.9, .8, .7, .1, .2, .3, .4, .5]
    t = bank.calls_per_deposit_table(y, s, cost_per_call=2, value_per_deposit=10, shares=[0.25])
    # random: 8 calls / 2 deposits = 4 per deposit; top 2: 2 calls / 1 deposit = 2; saved 2 calls = 4 money
    assert t.loc[0, "calls saved per deposit"] == 2.0 and t.loc[0, "cost saved per deposit"] == 4.0


def test_budget_result_spends_no_more_than_the_budget():
    df = pd.DataFrame({"campaign": [1, 2, 1, 4], "y": [1, 1, 0, 0]})
    r = bank.budget_result(df, [0.9, 0.8, 0.3, 0.1], call_budget=3, cost_per_call=1, value_per_deposit=10,
                           max_contacts=2)
    assert r["calls_used"] <= 3 and r["deposits"] == 2
    # under a cap of 2: 1+2+1+2 = 6 calls win 2 deposits, so random wins 3 x 2/6 = 1
    assert r["deposits_random"] == pytest.approx(1.0)
    with pytest.raises(CRMInputError, match="call_budget"):
        bank.budget_result(df, [0.9, 0.8, 0.3, 0.1], call_budget=0)


def test_tier_table_sums_tiers_and_rejects_mismatched_attempts(small):
    s = np.linspace(1, 0, len(small))
    t = bank.tier_table(small, s, cuts=[0.5], attempts=[5, 1], cost_per_call=1, value_per_deposit=10)
    assert t.iloc[-1]["calls"] == t.iloc[:-1]["calls"].sum()
    with pytest.raises(CRMInputError, match="one attempts value per tier"):
        bank.tier_table(small, s, cuts=[0.5], attempts=[5])
    with pytest.raises(CRMInputError, match="increase"):
        bank.tier_table(small, s, cuts=[0.5, 0.2], attempts=[5, 1, 0])


def test_campaign_parameters_are_checked_with_names():
    ok = dict(call_budget=3000, cost_per_call=5.0, value_per_deposit=100.0, max_contacts=3, model="logit", seed=0)
    assert bank.check_campaign_parameters(**ok)["model"] == "logit"
    with pytest.raises(CRMInputError, match="model"):
        bank.check_campaign_parameters(**{**ok, "model": "svm"})
    with pytest.raises((CRMInputError, CRMTypeError), match="cost_per_call"):
        bank.check_campaign_parameters(**{**ok, "cost_per_call": -1.0})


def test_bank_campaign_model_saves_calls_per_deposit(calls):
    res, score, test = bank.bank_campaign(calls, model="tree", call_budget=2000)
    assert res["calls_used"] <= 2000 and len(score) == len(test) == res["test_calls"]
    assert res["deposits"] > 2 * res["deposits_random"]
    assert res["calls_saved_per_deposit"] > 0


def test_bank_campaign_case_study_is_found_with_its_documented_parameters():
    from crm_lessons import runner

    names = {p.name: p for p in runner.parameters("bank_campaign")}
    assert {"call_budget", "cost_per_call", "value_per_deposit", "max_contacts", "model", "seed"} <= set(names)
    assert names["model"].default == "logit" and names["call_budget"].type is int


def test_bank_campaign_case_study_runs_and_writes_results(tmp_path):
    import json

    from crm_lessons import runner

    runner.run("bank_campaign", {"model": "tree", "call_budget": 1500, "max_contacts": 2}, tmp_path / "bc",
               progress=None)
    res = json.loads((tmp_path / "bc" / "results.json").read_text())
    assert res["model"] == "tree" and res["max_contacts"] == 2
    assert res["calls_used"] <= 1500 and res["deposits"] > res["deposits_random"]


def test_bank_charts_draw_and_name_missing_columns(calls):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from crm_lessons import plotting

    t = bank.response_by(calls, "contact")
    assert plotting.response_rate_chart(t, "contact", overall=11.3).get_title()
    h = bank.contact_hazard(calls, cap=5)
    ax = plotting.contact_hazard_chart(h)
    assert [tl.get_text() for tl in ax.get_xticklabels()][-1] == "5+"  # the last bar pools 5 or more calls
    assert plotting.contact_cap_chart(bank.contact_cap_table(calls, caps=[1, 2, 3])).get_title()
    with pytest.raises(CRMInputError, match="response"):
        plotting.response_rate_chart(t.drop(columns="response (%)"), "contact")
    plt.close("all")
