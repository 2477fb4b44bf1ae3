"""Tests for crm_lessons.customize (chapter 05) and its charts."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import customize as cz
from crm_lessons._validate import CRMInputError, CRMTypeError
from crm_lessons.datasets import load


@pytest.fixture(scope="module")
def coil():
    return load("coil2000")


@pytest.fixture
def baskets():
    # Five hand-worked baskets (customers x products):
    #   c1: car fire life   c2: car fire   c3: car   c4: fire life   c5: fire
    return pd.DataFrame({
        "car":  [True, True, True, False, False],
        "fire": [True, True, False, True, True],
        "life": [True, False, False, True, False],
    }, index=pd.Index([1, 2, 3, 4, 5], name="customer_id"))


def test_product_ownership_decodes_the_22_coil_products(coil):
    own = cz.product_ownership(coil)
    assert own.shape == (9822, 22)
    assert own.dtypes.map(pd.api.types.is_bool_dtype).all()
    # AWAPART = private third party, APERSAUT = car, ALEVEN = life, ABRAND = fire (CoIL dictionary)
    assert (own["car"] == (coil["APERSAUT"] > 0).to_numpy()).all()
    assert (own["fire"] == (coil["ABRAND"] > 0).to_numpy()).all()
    assert (own["private third party"] == (coil["AWAPART"] > 0).to_numpy()).all()
    assert own["caravan"].sum() == (coil["CARAVAN"] > 0).sum()
    assert cz.product_ownership(coil, include_caravan=False).shape[1] == 21


def test_product_ownership_rejects_bad_input_and_does_not_mutate(coil):
    small = coil.head(50)
    before = small.copy()
    cz.product_ownership(small)
    pd.testing.assert_frame_equal(small, before)
    with pytest.raises(CRMInputError, match="APERSAUT"):
        cz.product_ownership(small.drop(columns="APERSAUT"))
    with pytest.raises(CRMInputError, match=">= 0"):
        cz.product_ownership(small.assign(ABRAND=-1))
    with pytest.raises(CRMTypeError):
        cz.product_ownership("coil")


def test_rules_on_hand_worked_baskets(baskets):
    rules = cz.mine_rules(baskets, min_support=0.2, min_confidence=0.0)

    def rule(ante, cons):
        hit = rules[(rules["antecedent"] == ante) & (rules["consequent"] == cons)]
        assert len(hit) == 1
        return hit.iloc[0]
    # car -> fire: {car, fire} in c1, c2 = 2/5 = 0.4; car in 3/5 -> confidence 2/3; fire in 4/5
    # -> lift (2/3) / (4/5) = 0.8333
    row = rule(("car",), "fire")
    assert row["support"] == pytest.approx(0.4)
    assert row["confidence"] == pytest.approx(2 / 3)
    assert row["lift"] == pytest.approx((2 / 3) / 0.8)
    # life -> fire: {life, fire} in c1, c4 = 0.4; life in 2/5 -> confidence 1.0; lift 1 / 0.8 = 1.25
    row = rule(("life",), "fire")
    assert (row["support"], row["confidence"], row["lift"]) == pytest.approx((0.4, 1.0, 1.25))
    # {car, fire} -> life: {car, fire, life} only c1 = 0.2; {car, fire} in 2/5 -> conf 0.5; life 0.4
    # -> lift 1.25
    row = rule(("car", "fire"), "life")
    assert (row["support"], row["confidence"], row["lift"], row["n"]) == pytest.approx((0.2, 0.5, 1.25, 1))


def test_rules_equal_a_brute_force_count_on_coil(coil):
    own = cz.product_ownership(coil)
    r = cz.mine_rules(own, min_support=0.01, min_confidence=0.0)
    X = own.to_numpy()
    names = list(own.columns)
    expected = 0
    for k in (2, 3):
        for s in combinations(range(len(names)), k):
            sup = X[:, list(s)].all(axis=1).mean()
            if sup >= 0.01:
                expected += k  # each item of the set can be the consequent
    assert len(r) == expected
    for _, row in r.sample(20, random_state=0).iterrows():
        a = own[list(row["antecedent"])].all(axis=1)
        both = a & own[row["consequent"]]
        assert row["support"] == pytest.approx(both.mean())
        assert row["confidence"] == pytest.approx(both.sum() / a.sum())
        assert row["lift"] == pytest.approx(both.sum() / a.sum() / own[row["consequent"]].mean())


def test_rule_thresholds_are_respected_and_sorted(baskets):
    r = cz.mine_rules(baskets, min_support=0.4, min_confidence=0.6)
    assert (r["support"] >= 0.4).all() and (r["confidence"] >= 0.6).all()
    assert r["confidence"].is_monotonic_decreasing
    assert cz.mine_rules(baskets, min_support=0.9).empty


def test_mine_rules_rejects_bad_input_and_does_not_mutate(baskets):
    before = baskets.copy()
    cz.mine_rules(baskets, min_support=0.2)
    pd.testing.assert_frame_equal(baskets, before)
    with pytest.raises(CRMInputError, match="True/False"):
        cz.mine_rules(baskets.astype(int))
    with pytest.raises(CRMInputError):
        cz.mine_rules(baskets, min_support=0)
    with pytest.raises(CRMInputError, match="1 or 2"):
        cz.mine_rules(baskets, max_antecedent=3)
    with pytest.raises(CRMInputError, match="empty"):
        cz.mine_rules(baskets.iloc[:0])


def test_offer_is_the_best_applicable_rule_and_says_why(baskets):
    r = cz.mine_rules(baskets, min_support=0.2, min_confidence=0.5)
    offers = cz.cross_sell_offers(baskets, r)
    # c3 owns only car: best rule with antecedent ⊆ {car} and consequent not owned is car -> fire (2/3)
    assert offers.loc[3, "offer"] == "fire" and offers.loc[3, "source"] == "rule"
    assert offers.loc[3, "confidence"] == pytest.approx(2 / 3)
    assert "car" in offers.loc[3, "reason"]
    # c1 owns everything
    assert offers.loc[1, "source"] == "none" and pd.isna(offers.loc[1, "offer"])
    # no offer is ever a product already owned
    for cid, o in offers["offer"].dropna().items():
        assert not baskets.loc[cid, o]


def test_generic_offer_is_most_popular_not_owned(baskets):
    g = cz.generic_offers(baskets)  # popularity: fire .8, car .6, life .4
    assert g.loc[3] == "fire" and g.loc[5] == "car" and g.loc[2] == "life" and pd.isna(g.loc[1])


def test_offers_reject_rules_with_unknown_products(baskets):
    r = pd.DataFrame({"antecedent": [("boat",)], "consequent": ["car"], "confidence": [1.0], "lift": [1.0]})
    with pytest.raises(CRMInputError, match="boat"):
        cz.cross_sell_offers(baskets, r)


def test_hide_one_product_hides_exactly_one_owned_product(baskets):
    before = baskets.copy()
    v, h = cz.hide_one_product(baskets, seed=1)
    pd.testing.assert_frame_equal(baskets, before)
    assert set(v.index) == {1, 2, 4}  # customers owning >= 2 products
    assert (baskets.loc[v.index].sum(axis=1) - v.sum(axis=1) == 1).all()
    for cid, p in h.items():
        assert baskets.loc[cid, p] and not v.loc[cid, p]
    v2, h2 = cz.hide_one_product(baskets, seed=1)
    pd.testing.assert_series_equal(h, h2)
    with pytest.raises(CRMInputError, match="no customer"):
        cz.hide_one_product(baskets, min_owned=4)


def test_hidden_product_is_chosen_uniformly():
    b = pd.DataFrame({"a": [True] * 3000, "b": [True] * 3000, "c": [True] * 3000})
    _, h = cz.hide_one_product(b, seed=0)
    assert h.value_counts(normalize=True).between(0.3, 0.37).all()


def test_personalised_offer_beats_generic_on_held_out_coil_customers(coil):
    own = cz.product_ownership(coil)
    train = own[(coil["origin"] == "train").to_numpy()]
    test = own[(coil["origin"] == "test").to_numpy()]
    ev = cz.evaluate_offers(train, test, seed=0).set_index("method")
    assert ev.loc["personalised (rules)", "hit_rate"] > ev.loc["generic (most popular)", "hit_rate"]
    assert ev.loc["generic (most popular)", "hit_rate"] > 3 * ev.loc["random product not owned", "hit_rate"]
    rules = cz.mine_rules(train, min_support=0.005, min_confidence=0.05)  # evaluate_offers' defaults
    assert ev.attrs["n_rules"] == len(rules)
    visible, hidden = cz.hide_one_product(test, seed=0)
    offers = cz.cross_sell_offers(visible, rules, popularity=train.mean())
    assert ev.loc["personalised (rules)", "hits"] == (offers["offer"] == hidden).sum()


def test_evaluate_offers_needs_matching_columns(baskets):
    with pytest.raises(CRMInputError, match="same product columns"):
        cz.evaluate_offers(baskets, baskets[["fire", "car", "life"]])


def test_preference_generator_truth_and_seed():
    c1, t1 = cz.make_preferences(3000, seed=2, interactions=20, concentration=1.0)
    c2, t2 = cz.make_preferences(3000, seed=2, interactions=20, concentration=1.0)
    pd.testing.assert_frame_equal(c1, c2)
    pd.testing.assert_frame_equal(t1, t2)
    assert np.allclose(t1.sum(axis=1), 1)
    # choices follow theta: the population's choice shares equal the mean of theta
    shares = c1["product"].value_counts(normalize=True).sort_index().to_numpy()
    assert np.abs(shares - t1.mean().to_numpy()).max() < 0.01
    assert np.abs(t1.mean().to_numpy() - t1.attrs["base"]).max() < 0.02


def test_learning_curve_rises_toward_its_ceiling_and_competitor_is_flat():
    c, t = cz.make_preferences(3000, seed=0, interactions=30)
    lc = cz.learning_curve(c, t)
    assert lc["accuracy"].iloc[-1] > lc["accuracy"].iloc[0] + 0.05
    assert (lc["accuracy"] <= lc["ceiling"] + 1e-12).all()
    # with no interactions everyone gets the most popular product
    assert lc["accuracy"].iloc[0] == pytest.approx(t.to_numpy()[:, c["product"].value_counts().idxmax()].mean())
    sc = cz.switching_cost(lc, value_per_hit=100, horizon=10)
    assert sc["switching_cost"].iloc[0] == 0
    assert sc["switching_cost"].iloc[-1] > sc["switching_cost"].iloc[5] > 0


def test_switching_cost_by_hand():
    lc = pd.DataFrame({"interactions": [0, 1, 2, 3], "accuracy": [0.1, 0.2, 0.3, 0.3]})
    sc = cz.switching_cost(lc, value_per_hit=10, horizon=2)
    # t=1: 10 * ((0.2 - 0.1) + (0.3 - 0.2)) = 2; t=3: 10 * ((0.3 - 0.1) + (0.3 - 0.2)) = 3
    assert sc["switching_cost"].round(9).tolist() == [0.0, 2.0, 3.0, 3.0]


def test_learning_helpers_reject_bad_input():
    c, t = cz.make_preferences(20, seed=0, interactions=3)
    with pytest.raises(CRMInputError, match="product numbers"):
        cz.learning_curve(c.assign(product=99), t)
    with pytest.raises(CRMInputError, match="not in truth"):
        cz.learning_curve(c.assign(customer_id=c["customer_id"] + 1000), t)
    with pytest.raises(CRMInputError):
        cz.switching_cost(pd.DataFrame({"interactions": [0]}))
    with pytest.raises(CRMInputError):
        cz.make_preferences(10, concentration=0)
    before = c.copy()
    cz.learning_curve(c, t)
    pd.testing.assert_frame_equal(c, before)


def test_customize_charts_draw(coil):
    from crm_lessons import plotting

    own = cz.product_ownership(coil)
    plotting.ownership_bar(own)
    r = cz.mine_rules(own, min_support=0.01, min_confidence=0.1)
    assert plotting.rules_scatter(r).get_ylabel() == "confidence"
    tr = own[(coil["origin"] == "train").to_numpy()]
    te = own[(coil["origin"] == "test").to_numpy()]
    plotting.offer_hit_rates(cz.evaluate_offers(tr, te))
    c, t = cz.make_preferences(200, seed=0, interactions=5)
    assert len(plotting.learning_relationship_chart(cz.switching_cost(cz.learning_curve(c, t)))) == 2


def test_product_names_have_chinese_labels(cjk):
    from crm_lessons.plotting import label, use_language

    try:
        use_language("zh")
        for p in cz.COIL_PRODUCTS["product"]:
            assert label(p) != p
    finally:
        use_language("en")


def test_offer_helpers_do_not_mutate_and_reject_non_bool_baskets(baskets):
    before = baskets.copy()
    r = cz.mine_rules(baskets, min_support=0.2, min_confidence=0.5)
    r0 = r.copy()
    cz.cross_sell_offers(baskets, r)
    cz.generic_offers(baskets)
    cz.evaluate_offers(baskets, baskets, min_support=0.2, min_confidence=0.1)
    pd.testing.assert_frame_equal(baskets, before)
    pd.testing.assert_frame_equal(r, r0)
    with pytest.raises(CRMInputError, match="True/False"):
        cz.generic_offers(baskets.astype(int))
    with pytest.raises(CRMInputError, match="popularity"):
        cz.generic_offers(baskets, popularity=pd.Series({"car": 0.5}))
    lc = pd.DataFrame({"interactions": [0, 1], "accuracy": [0.1, 0.2]})
    lc0 = lc.copy()
    cz.switching_cost(lc)
    pd.testing.assert_frame_equal(lc, lc0)


def test_evaluate_offers_result_converts_types_without_frames_in_attrs(baskets):
    train, test = baskets.iloc[: len(baskets) // 2], baskets.iloc[len(baskets) // 2:]
    ev = cz.evaluate_offers(train, test, seed=0)
    assert not any(isinstance(v, pd.DataFrame) for v in ev.attrs.values())
    assert ev.astype({"customers": "int64"})["customers"].dtype == "int64"  # raised in pandas 3 before
