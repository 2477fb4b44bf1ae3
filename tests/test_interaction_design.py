"""Interaction goals as course material M2 states them, the emotional-link survey and Cronbach's alpha."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from crm_lessons import interaction_design as idz
from crm_lessons._validate import CRMInputError


def _goals(**change):
    g = pd.DataFrame({"goal": ["win back", "trust"], "segment": ["lapsed", "lapsed"],
                      "metric": ["buy again", "trust 5+"], "target": [0.19, 0.45],
                      "baseline": [0.147, 0.40], "days": [90, 90], "cost": [19_203.0, 5_000.0]})
    for k, v in change.items():
        g[k] = v
    return g


def test_material_lists_four_goal_requirements_including_mutual_consistency():
    assert list(idz.GOAL_REQUIREMENTS["requirement"]) == [
        "specific", "achievable", "time limit", "mutually consistent"]
    assert "多样性" in idz.GOAL_REQUIREMENTS["zh"].iloc[3]


def test_goals_for_prospects_sit_beside_goals_for_current_customers():
    by = idz.INTERACTION_GOALS.groupby("audience")["goal"].apply(list).to_dict()
    assert by["current customers"] == ["economic link", "emotional link"]
    assert by["prospects"] == ["awareness", "acceptance", "first purchase"]


def test_a_set_of_goals_within_budget_meets_all_four_requirements():
    out = idz.check_goal_set(_goals(), budget=30_000)
    assert out["met"].all()
    assert set(out["requirement"]) == set(idz.GOAL_REQUIREMENTS["requirement"])


def test_goals_whose_costs_exceed_the_one_budget_are_not_mutually_consistent():
    out = idz.check_goal_set(_goals(), budget=20_000)
    row = out[out["goal"] == "all goals"].iloc[0]
    assert not row["met"] and "24,203" in row["why"]


def test_two_goals_pulling_one_metric_opposite_ways_are_flagged():
    g = _goals(metric=["buy again", "buy again"], target=[0.19, 0.10])
    row = idz.check_goal_set(g, budget=50_000).query("goal == 'all goals'").iloc[0]
    assert not row["met"] and "opposite" in row["why"]


def test_a_goal_beyond_the_defensible_uplift_is_not_achievable():
    out = idz.check_goal_set(_goals(target=[0.60, 0.45]), budget=50_000)
    assert not out.query("goal == 'win back' and requirement == 'achievable'")["met"].item()


def test_goal_without_deadline_or_with_missing_column_is_refused_or_flagged():
    out = idz.check_goal_set(_goals(days=[0, 90]), budget=50_000)
    assert not out.query("goal == 'win back' and requirement == 'time limit'")["met"].item()
    with pytest.raises(CRMInputError, match="cost"):
        idz.check_goal_set(_goals().drop(columns="cost"), budget=1.0)


def test_check_goal_set_does_not_change_the_callers_frame():
    g = _goals()
    before = g.copy()
    idz.check_goal_set(g, budget=1.0)
    pd.testing.assert_frame_equal(g, before)


def test_cronbach_alpha_matches_the_textbook_formula_and_extremes():
    # perfectly parallel items give alpha = 1; the formula by hand on a small table
    assert idz.cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [2, 3, 4]})) == pytest.approx(1.0)
    x = pd.DataFrame({"a": [1, 2, 4, 5], "b": [2, 2, 5, 4], "c": [1, 3, 3, 5]})
    k = 3
    by_hand = k / (k - 1) * (1 - x.var().sum() / x.sum(axis=1).var())
    assert idz.cronbach_alpha(x) == pytest.approx(by_hand)
    with pytest.raises(CRMInputError, match="at least 2 item"):
        idz.cronbach_alpha(x[["a"]])


def test_survey_generator_returns_its_truth_and_a_logit_recovers_the_spend_effect():
    data, truth = idz.make_relationship_survey(20_000, seed=1)
    assert truth == {"b_spend": 0.6, "b_emotion": 0.8, "intercept": -1.2}
    assert data[[c for c in data if c.startswith(("trust", "care"))]].isin(range(1, 8)).all().all()
    d = data.assign(z_spend=(np.log(data["past_spend"]) - np.log(data["past_spend"]).mean())
                    / np.log(data["past_spend"]).std())
    items = [c for c in data if c.startswith(("trust", "care"))]
    d["emotion"] = (d[items].mean(axis=1) - d[items].mean(axis=1).mean()) / d[items].mean(axis=1).std()
    fit = smf.logit("repurchased ~ z_spend + emotion", d).fit(disp=0)
    # the scale is a noisy measure of the latent link, so its coefficient is attenuated but clearly positive
    assert 0.3 < fit.params["emotion"] < truth["b_emotion"]
    assert idz.cronbach_alpha(d[items]) > 0.7
