"""Brand switching, repeat buying and the conditional logit of brand choice (crm_lessons.choice)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import choice as ch
from crm_lessons._validate import CRMInputError
from crm_lessons.datasets import load


@pytest.fixture(scope="module")
def yogurt():
    return load("yogurt_panel")


def tiny_panel():
    # household 1: a a b a ; household 2: b b
    return pd.DataFrame({"household_id": [1, 1, 1, 1, 2, 2], "purchase_seq": [1, 2, 3, 4, 1, 2],
                         "choice": ["a", "a", "b", "a", "b", "b"],
                         "price_a": [1.0] * 6, "price_b": [2.0] * 6})


def test_switching_matrix_counts_consecutive_purchases_within_households_only():
    # pairs: (a,a) (a,b) (b,a) from household 1, (b,b) from household 2; none across households
    m = ch.switching_matrix(tiny_panel(), normalize=False)
    assert m.loc["a"].tolist() == [1, 1]
    assert m.loc["b"].tolist() == [1, 1]
    assert int(m.to_numpy().sum()) == 4  # 6 purchases - 2 households


def test_switching_matrix_rows_are_probabilities_in_the_panel_order():
    m = ch.switching_matrix(tiny_panel().iloc[::-1])   # row order in the frame must not matter
    assert np.allclose(m.sum(axis=1), 1.0)
    assert m.loc["a", "b"] == pytest.approx(0.5)


def test_steady_state_solves_pi_p_equals_pi_by_hand():
    # pi_A = 0.7 pi_A + 0.4 pi_B, pi_A + pi_B = 1  =>  0.3 pi_A = 0.4 (1 - pi_A)  =>  pi_A = 0.4/0.7
    P = pd.DataFrame([[0.7, 0.3], [0.4, 0.6]], index=["A", "B"], columns=["A", "B"])
    pi = ch.steady_state(P)
    assert pi["A"] == pytest.approx(4 / 7)
    assert np.allclose(pi.to_numpy() @ P.to_numpy(), pi.to_numpy())


def test_yogurt_steady_state_is_close_to_observed_shares(yogurt):
    # With strong repeat buying the long-run Markov shares sit near the observed market shares.
    pi = ch.steady_state(ch.switching_matrix(yogurt))
    shares = yogurt["choice"].astype(str).value_counts(normalize=True)
    assert (pi - shares.reindex(pi.index)).abs().max() < 0.03


def test_steady_state_rejects_rows_that_do_not_sum_to_one():
    P = pd.DataFrame([[0.5, 0.3], [0.4, 0.6]], index=["A", "B"], columns=["A", "B"])
    with pytest.raises(CRMInputError, match="sum to 1"):
        ch.steady_state(P)
    with pytest.raises(CRMInputError, match="square"):
        ch.steady_state(pd.DataFrame([[1.0, 0.0]], index=["A"], columns=["A", "B"]))


def test_household_repeat_rate_by_hand():
    r = ch.household_repeat_rates(tiny_panel())
    # household 1: a->a repeat, a->b, b->a: 1 of 3; household 2: b->b: 1 of 1
    assert r.loc[1, "repeat_rate"] == pytest.approx(1 / 3)
    assert r.loc[2, "repeat_rate"] == 1.0
    assert r.loc[1, "favourite"] == "a" and r.loc[1, "favourite_share"] == 0.75


def test_loyalty_variable_follows_guadagni_little_recursion():
    loy = ch.loyalty_variable(tiny_panel(), alpha=0.8)
    # household 1: start a -> (0.8, 0.2); after a: 0.8*0.8 + 0.2 = 0.84; after a again:
    # 0.8*0.84 + 0.2 = 0.872; after b: 0.8*0.872 = 0.6976
    assert loy["loy_a"].iloc[:4].round(4).tolist() == [0.8, 0.84, 0.872, 0.6976]
    assert np.allclose(loy[["loy_a", "loy_b"]].sum(axis=1), 1.0)
    assert loy["first"].tolist() == [True, False, False, False, True, False]


def test_conditional_logit_reproduces_published_yogurt_estimates(yogurt):
    # Helveston, logitr documentation ("logitr_vignette", MNL in the preference space, yogurt data of
    # Jain, Vilcassim & Chintagunta 1994): price -0.366584, feat 0.491432, dannon 0.641186,
    # hiland -3.074415, yoplait 1.375757 (base Weight Watchers); log-likelihood -2656.8878779.
    m = ch.fit_brand_choice(yogurt, loyalty_alpha=None, base="weight")
    published = {"price": -0.366584, "feat": 0.491432, "asc_dannon": 0.641186, "asc_hiland": -3.074415,
                 "asc_yoplait": 1.375757}
    for k, v in published.items():
        assert m.params_[k] == pytest.approx(v, abs=5e-5), k
    assert m.loglik_ == pytest.approx(-2656.8878779, abs=1e-3)
    assert m.bse_["price"] == pytest.approx(0.024366, abs=5e-5)
    assert m.converged_


def test_conditional_logit_recovers_simulated_parameters():
    data, truth = ch.make_choice_panel(400, seed=11, occasions=20)
    m = ch.fit_brand_choice(data, loyalty_alpha=0.8)
    for name in ["asc_a", "asc_b", "price", "feat", "loyalty"]:
        est, se, true = m.params_[name], m.bse_[name], truth.loc[name, "value"]
        assert abs(est - true) < 3.5 * se, (name, est, true, se)


def test_estimated_smoothing_constant_finds_the_simulated_one():
    data, truth = ch.make_choice_panel(300, seed=5, alpha=0.7)
    m = ch.fit_brand_choice(data, loyalty_alpha="estimate")
    assert m.alpha_ == pytest.approx(0.7, abs=0.051)
    assert m.alpha_profile_.idxmax() == m.alpha_


def test_gradient_is_the_derivative_of_the_log_likelihood():
    data, _ = ch.make_choice_panel(30, seed=2)
    X, y, names, _ = ch.choice_arrays(data, loyalty_alpha=0.8)
    b = np.array([0.1, -0.2, -0.3, 0.4, 1.0])
    ll, g, h, _ = ch._loglik(b, X, y)
    eps = 1e-6
    num = [(ch._loglik(b + eps * e, X, y)[0] - ch._loglik(b - eps * e, X, y)[0]) / (2 * eps)
           for e in np.eye(len(b))]
    assert np.allclose(g, num, rtol=1e-5, atol=1e-5)


def test_loyalty_model_fits_yogurt_better_and_implies_negative_own_price_elasticities(yogurt):
    plain = ch.fit_brand_choice(yogurt, loyalty_alpha=None)
    loyal = ch.fit_brand_choice(yogurt, loyalty_alpha=0.8)
    assert loyal.mcfadden_r2_ > plain.mcfadden_r2_ + 0.2
    assert loyal.params_["loyalty"] > 0
    E = ch.price_elasticities(loyal)
    assert (np.diag(E) < 0).all()
    off = E.to_numpy()[~np.eye(len(E), dtype=bool)]
    assert (off > 0).all()


def test_price_elasticity_of_a_two_brand_logit_by_hand():
    # One occasion, two brands at price 2 and 1, beta_price = -1, no constants:
    # P1 = e^-2 / (e^-2 + e^-1); own elasticity = b p1 (1 - P1); cross = -b p2 P2.
    X = np.array([[[2.0], [1.0]]])
    m = ch.ConditionalLogit(["price"])
    m.params_ = pd.Series([-1.0], index=["price"])
    m.X_, m.brands_ = X, ["one", "two"]
    E = ch.price_elasticities(m)
    p1 = np.exp(-2) / (np.exp(-2) + np.exp(-1))
    assert E.loc["one", "one"] == pytest.approx(-2 * (1 - p1))
    assert E.loc["one", "two"] == pytest.approx(1 * (1 - p1))


def test_helpers_reject_bad_input():
    with pytest.raises(CRMInputError, match="missing column"):
        ch.switching_matrix(tiny_panel().drop(columns="choice"))
    with pytest.raises(CRMInputError, match="empty"):
        ch.household_repeat_rates(tiny_panel().iloc[0:0])
    bad = tiny_panel()
    bad.loc[0, "household_id"] = np.nan
    with pytest.raises(CRMInputError, match="missing value"):
        ch.switching_matrix(bad)
    with pytest.raises(CRMInputError, match="alpha must lie in"):
        ch.loyalty_variable(tiny_panel(), alpha=1.0)
    with pytest.raises(CRMInputError, match="not among brands"):
        ch.loyalty_variable(tiny_panel().assign(choice=["a", "c", "a", "a", "b", "b"]))
    with pytest.raises(CRMInputError, match="'estimate'"):
        ch.fit_brand_choice(tiny_panel(), loyalty_alpha="best")
    with pytest.raises(CRMInputError, match="no column starts with"):
        ch.brands_in(pd.DataFrame({"x": [1]}))
    with pytest.raises(CRMInputError, match="shape"):
        ch.ConditionalLogit().fit(np.zeros((3, 2)), np.zeros(3, dtype=int))
    with pytest.raises(CRMInputError, match="fit_brand_choice"):
        ch.price_elasticities(ch.ConditionalLogit())
    with pytest.raises(CRMInputError, match="must be numeric"):
        ch.choice_arrays(tiny_panel().assign(price_a="x"), variables=("price",), loyalty_alpha=None)


def test_helpers_do_not_modify_the_panel(yogurt):
    before = yogurt.copy()
    ch.switching_matrix(yogurt)
    ch.household_repeat_rates(yogurt)
    ch.loyalty_variable(yogurt)
    ch.choice_arrays(yogurt)
    m = ch.fit_brand_choice(yogurt, loyalty_alpha=0.8)
    ch.price_elasticities(m)
    pd.testing.assert_frame_equal(yogurt, before)


def test_generator_is_reproducible_and_has_the_panel_layout():
    a, ta = ch.make_choice_panel(20, seed=4)
    b, tb = ch.make_choice_panel(20, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert ch.brands_in(a) == ["a", "b", "c"]
    assert set(a.columns) >= {"household_id", "purchase_seq", "feat_a", "price_c", "choice"}
    with pytest.raises(CRMInputError):
        ch.make_choice_panel(5, constants=(0.1,))


# Issue 17 ----------------------------------------------------------------------------------------

def test_fit_brand_choice_with_one_household_names_the_minimum_not_singular_matrix():
    y = load("yogurt_panel")
    one = y[y["household_id"] == y["household_id"].iloc[0]]
    with pytest.raises(CRMInputError, match="needs at least 2 households"):
        ch.fit_brand_choice(one)


def test_a_copied_purchase_row_is_refused_by_the_choice_model():
    y = load("yogurt_panel")
    twice = pd.concat([y, y.iloc[[0]]], ignore_index=True)
    with pytest.raises(CRMInputError, match="one row per household purchase"):
        ch.fit_brand_choice(twice, loyalty_alpha=None)
