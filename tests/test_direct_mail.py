"""The direct-mail economics of Chapter 9's case study: owners reached, lift and profit by mailing size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import direct_mail, mining, scoring
from crm_lessons._validate import CRMInputError, CRMTypeError
from crm_lessons.datasets import load

Y = [1, 0, 1, 0, 0, 1]
S = [0.9, 0.8, 0.1, 0.7, 0.6, 0.5]  # ranking: idx 0 (1), 1 (0), 3 (0), 4 (0), 5 (1), 2 (1)


def test_mailing_table_counts_owners_and_profit_by_hand():
    t = direct_mail.mailing_table(Y, S, cost_per_mail=2, margin_per_policy=10)
    assert t["owners"].tolist() == [1, 1, 1, 1, 2, 3]
    # mailing 5: 2 owners * 10 - 5 letters * 2 = 10
    assert t.loc[4, "profit"] == pytest.approx(10.0)
    # lift at 1: 1 owner against 1 * 3/6 = 0.5 expected -> 2
    assert t.loc[0, "lift"] == pytest.approx(2.0)
    assert t.loc[5, "lift"] == pytest.approx(1.0)  # mailing everyone is a random mailing


def test_mailing_table_agrees_with_scoring_top_k_hits_and_lift_at():
    rng = np.random.default_rng(1)
    y = rng.random(500) < 0.1
    s = rng.random(500) + y * 0.3
    t = direct_mail.mailing_table(y, s, sizes=[50, 100, 250])
    for k, row in zip([50, 100, 250], t.itertuples()):
        assert row.owners == scoring.top_k_hits(y, s, k)
        assert row.lift == pytest.approx(scoring.lift_at(y, s, k))


def test_mailing_result_finds_the_most_profitable_size():
    r = direct_mail.mailing_result(Y, S, 2, cost_per_mail=2, margin_per_policy=10)
    # profits by size: 8, 6, 4, 2, 10, 18 -> mailing all 6 is best
    assert (r["owners_reached"], r["profit"], r["best_mailing_size"], r["best_profit"]) == (1, 6.0, 6, 18.0)


def test_mailing_functions_reject_bad_input_with_clear_messages():
    with pytest.raises(CRMInputError, match="equal, non-zero length"):
        direct_mail.mailing_table([1, 0], [0.5])
    with pytest.raises(CRMInputError, match="cost_per_mail"):
        direct_mail.mailing_table(Y, S, cost_per_mail=-1)
    with pytest.raises(CRMInputError, match="exceeds the 6 customers"):
        direct_mail.mailing_table(Y, S, sizes=[7])
    with pytest.raises(CRMTypeError, match="mailing_size must be a whole number"):
        direct_mail.mailing_result(Y, S, 2.5)
    with pytest.raises(CRMInputError, match="NaN"):
        direct_mail.mailing_table(Y, [0.1, np.nan, 0.3, 0.4, 0.5, 0.6])


def test_mailing_table_does_not_mutate_its_inputs():
    y, s = pd.Series(Y), pd.Series(S)
    direct_mail.mailing_table(y, s)
    direct_mail.mailing_result(y, s, 3)
    assert y.tolist() == Y and s.tolist() == S


def test_check_mail_parameters_rejects_unknown_choices():
    ok = {"model": "tree", "feature_set": "top", "top_k_features": 10, "mailing_size": 800, "cost_per_mail": 2.0,
              "margin_per_policy": 40.0, "seed": 0}
    assert direct_mail.check_mail_parameters(**ok)["model"] == "tree"
    with pytest.raises(CRMInputError, match="model must be one of"):
        direct_mail.check_mail_parameters(**{**ok, "model": "svm"})
    with pytest.raises(CRMInputError, match="mailing_size must be at most the 4000"):
        direct_mail.check_mail_parameters(**{**ok, "mailing_size": 5000})
    with pytest.raises(CRMTypeError, match="top_k_features"):
        direct_mail.check_mail_parameters(**{**ok, "top_k_features": "ten"})


def test_campaign_top_800_score_matches_the_challenge_table_on_the_official_test_set():
    coil = load("coil2000")
    before = coil.copy()
    results, table = direct_mail.direct_mail_campaign(coil, model="naive_bayes", feature_set="top",
                                                      top_k_features=10, mailing_size=800)
    pd.testing.assert_frame_equal(coil, before)
    # CoIL Challenge 2000 (van der Putten & van Someren 2000): 238 owners among 4,000 test customers
    assert results["test_owners"] == 238 and len(table) == 4000
    train, test = mining.split_official(coil)
    scores = mining.score_models(train, test, mining.feature_set("top", train, k=10), models=("naive_bayes",))
    independent = mining.challenge_table(test["CARAVAN"], scores)
    assert results["top_800_score"] == independent.loc[0, "owners_in_top_800"]
    assert results["owners_reached"] == results["top_800_score"]  # mailing_size = 800
    # profit = 40 * owners - 2 * 800
    assert results["profit"] == pytest.approx(40 * results["owners_reached"] - 1600)
    assert results["lift_at_mailing_size"] == pytest.approx(results["owners_reached"] / 47.6)
    assert results["top_800_score"] > 47.6 * 1.5  # far better than a random mailing


def test_logit_on_all_85_variables_uses_a_penalty_and_still_beats_random():
    from crm_lessons.datasets import load

    results, _ = direct_mail.direct_mail_campaign(load("coil2000"), model="logit", feature_set="all")
    assert results["logit_penalty"] == direct_mail.LOGIT_PENALTY
    assert results["top_800_score"] > 2 * 47.6  # CoIL 2000: a random 800 finds 47.6 owners on average


# Issue 17 ----------------------------------------------------------------------------------------

def test_direct_mail_campaign_refuses_text_codes_and_single_class_data_with_clear_errors():
    coil = load("coil2000")
    with pytest.raises(CRMInputError, match=r"'MOSTYPE' must be numeric"):
        direct_mail.direct_mail_campaign(coil.assign(MOSTYPE=coil["MOSTYPE"].astype(str)))
    with pytest.raises(CRMInputError, match="'CARAVAN' is constant"):
        direct_mail.direct_mail_campaign(coil.assign(CARAVAN=0))
