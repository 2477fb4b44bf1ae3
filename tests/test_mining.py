"""The CoIL 2000 data-mining process: official split, honest feature choice, challenge score."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_lessons import mining
from crm_lessons._validate import CRMInputError
from crm_lessons.datasets import load


@pytest.fixture(scope="module")
def split():
    return mining.split_official(load("coil2000"))


def test_official_split_matches_the_challenge(split):
    # CoIL Challenge 2000: 5,822 training and 4,000 test customers; 348 and 238 caravan owners.
    train, test = split
    assert (len(train), len(test)) == (5_822, 4_000)
    assert int(train["CARAVAN"].sum()) == 348 and int(test["CARAVAN"].sum()) == 238


def test_variable_dictionary_decodes_every_predictor():
    d = mining.variable_dictionary()
    assert len(d) == 86 and d["name"].is_unique
    assert d.set_index("variable").loc["PPERSAUT", "name"] == "contribution_car_policies"


def test_associations_use_training_data_and_rank_car_policies_first(split):
    train, _ = split
    a = mining.associations(train)
    # Car-policy contribution is the strongest single signal in the challenge reports.
    assert a.iloc[0]["variable"] in {"PPERSAUT", "APERSAUT"}
    assert a["cramers_v"].is_monotonic_decreasing
    assert {"PPERSAUT", "PBRAND", "MKOOPKLA"} <= set(a.head(10)["variable"])


def test_models_beat_a_random_mailing_by_a_wide_margin_but_not_the_winner_by_much(split):
    train, test = split
    feats = mining.feature_set("top", train, k=10)
    scores = mining.score_models(train, test, feats)
    table = mining.challenge_table(test["CARAVAN"], scores).set_index("entry")
    assert table.loc["random mailing (expected)", "owners_in_top_800"] == pytest.approx(47.6)
    for model in ["logit", "tree", "naive_bayes"]:
        hits = table.loc[model, "owners_in_top_800"]
        # Published entries ranged from about 40 to 121 (van der Putten & van Someren 2000).
        assert 90 <= hits <= 130, (model, hits)


def test_challenge_score_counts_owners_among_the_800_highest(split):
    _, test = split
    perfect = pd.DataFrame({"oracle": test["CARAVAN"].astype(float)})
    t = mining.challenge_table(test["CARAVAN"], perfect).set_index("entry")
    assert t.loc["oracle", "owners_in_top_800"] == 238


def test_tuning_on_test_reports_the_optimism_of_peeking(split):
    train, test = split
    t = mining.tuning_on_test(train, test, mining.feature_set("top", train), depths=(1, 3, 8), folds=3)
    best_by_test = t["test_top_800"].max()
    chosen_by_cv = t.loc[t["cv_estimate_top_800"].idxmax(), "test_top_800"]
    assert best_by_test >= chosen_by_cv  # peeking can only look as good or better


def test_logit_odds_ratios_have_intervals(split):
    train, _ = split
    res = mining.fit_logit(train, ["PPERSAUT", "MKOOPKLA", "PBRAND"])
    o = mining.odds_ratios(res)
    assert (o["lower"] < o["odds_ratio"]).all() and (o["odds_ratio"] < o["upper"]).all()
    assert o.loc["PPERSAUT", "odds_ratio"] > 1


def test_bad_inputs_name_the_problem(split):
    train, _ = split
    with pytest.raises(CRMInputError, match="missing column"):
        mining.associations(train.drop(columns="CARAVAN"))
    with pytest.raises(CRMInputError, match="feature_set must be one of"):
        mining.feature_set("everything")
    with pytest.raises(CRMInputError, match="pass the training frame"):
        mining.feature_set("top")
    with pytest.raises(CRMInputError, match="origin"):
        mining.split_official(load("coil2000").assign(origin="x"))


def test_helpers_do_not_modify_their_input(split):
    train, test = split
    before = train.copy()
    mining.associations(train)
    mining.score_models(train, test, ["PPERSAUT", "MOSHOOFD"], models=("logit",))
    pd.testing.assert_frame_equal(train, before)


# Issue 17 ----------------------------------------------------------------------------------------

def test_text_or_negative_codes_are_refused_before_scikit_learn_sees_them():
    train, _ = mining.split_official(load("coil2000"))
    with pytest.raises(CRMInputError, match=r"'PPERSAUT' must be numeric"):
        mining.associations(train.assign(PPERSAUT=train["PPERSAUT"].astype(str)))
    neg = train.copy()
    neg.loc[neg.index[0], "APERSAUT"] = -1
    with pytest.raises(CRMInputError, match=r"'APERSAUT' has 1 negative value"):
        mining.score_models(neg, neg.head(50), ["PPERSAUT", "APERSAUT"], models=("naive_bayes",))


def test_associations_with_one_class_is_a_clear_error_not_keyerror():
    train, _ = mining.split_official(load("coil2000"))
    with pytest.raises(CRMInputError, match="'CARAVAN' is constant"):
        mining.associations(train[train["CARAVAN"] == 0].head(300))
