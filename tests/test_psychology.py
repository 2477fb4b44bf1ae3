"""Customer psychology and price (Chapter 13): the course's lists and reference-price choice models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import psychology as ps
from crm_lessons._validate import CRMInputError
from crm_lessons.choice import make_choice_panel
from crm_lessons.datasets import load


def test_the_four_stages_keep_the_materials_concession_schedule():
    # M5 short-answer question: no concession in rejection/acceptance, strategic in wavering, final to close.
    assert list(ps.SALES_STAGES["concession"]) == ["no concession", "no concession", "strategic concession",
                                                   "final concession"]
    assert len(ps.SEVEN_PSYCHOLOGIES) == 7 and len(ps.SALES_EFFECTS) == 4


def test_price_tendency_is_defined_as_high_or_low_price_preference_not_expectations():
    text = ps.PRICE_PSYCHOLOGY.set_index("trait").loc["tendency"].iloc[-1]
    assert "high prices" in text and "low prices" in text and "expect" not in text


def test_reference_price_gain_and_loss_by_hand():
    p = pd.DataFrame({"household_id": [1, 1, 1, 2, 2], "purchase_seq": [1, 2, 3, 1, 2],
                      "price_a": [10.0, 8.0, 11.0, 5.0, 6.0], "price_b": [1.0] * 5})
    r = ps.reference_prices(p)
    # household 1: ref 10 -> gain 2 at 8; ref 8 -> loss 3 at 11; household 2 restarts: ref 5 -> loss 1
    np.testing.assert_allclose(r["gain_a"], [0, 2, 0, 0, 0])
    np.testing.assert_allclose(r["loss_a"], [0, 0, 3, 0, 1])
    assert list(r["first"]) == [True, False, False, True, False]
    smooth = ps.reference_prices(p, smoothing=0.5)
    np.testing.assert_allclose(smooth["ref_a"].iloc[2], 0.5 * 10 + 0.5 * 8)


def test_reference_prices_do_not_mutate_and_reject_bad_smoothing():
    p = load("yogurt_panel").head(50)
    before = p.copy()
    ps.reference_prices(p)
    pd.testing.assert_frame_equal(p, before)
    with pytest.raises(CRMInputError, match="smoothing"):
        ps.reference_prices(p, smoothing=1.0)
    with pytest.raises(CRMInputError, match="price_"):
        ps.reference_prices(p.drop(columns=["price_dannon"]), brands=["yoplait", "dannon"])


def test_reference_price_model_on_crackers_finds_a_bargain_effect_and_no_loss_aversion():
    m = ps.fit_reference_price_choice(load("cracker_panel"), variables=("price", "feat", "disp"))
    assert m.converged_ and m.n_obs_ == 3292 - 136  # first purchase of each of 136 households dropped
    s = m.summary()
    assert s.loc["gain", "lower"] > 0 and s.loc["loss", "upper"] < 0.001
    la = ps.loss_aversion(m)
    assert la.loc["loss + gain", "lower"] < 0 < la.loc["loss + gain", "upper"]


def test_promotion_lift_is_positive_for_every_brand_when_the_coefficient_is():
    m = ps.fit_reference_price_choice(load("cracker_panel"), variables=("price", "feat", "disp"))
    lift = ps.promotion_lift(m, variable="feat")
    assert (lift["lift (points)"] > 0).all()
    with pytest.raises(CRMInputError, match="no fitted variable"):
        ps.promotion_lift(m, variable="coupon")


def test_loss_aversion_needs_gain_and_loss_terms():
    from crm_lessons.choice import fit_brand_choice

    data, _ = make_choice_panel(100, seed=2)
    with pytest.raises(CRMInputError, match="gain"):
        ps.loss_aversion(fit_brand_choice(data, loyalty_alpha=None))


def test_price_tendency_scores_always_cheapest_as_zero_and_always_dearest_as_one():
    p = pd.DataFrame({"household_id": [1] * 5 + [2] * 5, "price_a": [1.0] * 10, "price_b": [2.0] * 10,
                      "choice": ["a"] * 5 + ["b"] * 5})
    t = ps.price_tendency(p)
    assert list(t["tendency"]) == [0.0, 1.0] and list(t["leaning"]) == ["low", "high"]
