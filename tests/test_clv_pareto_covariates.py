"""Pareto/NBD with time-invariant covariates (issue 16): gradient, reduction to Pareto/NBD, recovery of a
simulation's coefficients, and the CDNOW first-purchase-amount covariate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from crm_lessons import clv as C
from crm_lessons._validate import CRMInputError
from crm_lessons.datasets import load
from crm_lessons.summary import customer_summary


def _simulate(n, seed, r=0.6, alpha0=8.0, s=0.8, beta0=12.0, g_alpha=-0.6, g_beta=0.5):
    """Continuous-time Pareto/NBD histories (independent of the package's code): a binary covariate z
    (centred) scales alpha_i = alpha0 exp(g_alpha z) and beta_i = beta0 exp(g_beta z); lambda ~ Gamma(r,
    alpha_i), mu ~ Gamma(s, beta_i), lifetime ~ Exp(mu), purchases Poisson(lambda) while alive."""
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 2, n) - 0.5
    alpha, beta = alpha0 * np.exp(g_alpha * z), beta0 * np.exp(g_beta * z)
    lam, mu = rng.gamma(r, 1 / alpha), rng.gamma(s, 1 / beta)
    T = rng.uniform(30, 80, n)
    w = np.minimum(rng.exponential(1 / mu), T)
    x = rng.poisson(lam * w).astype(float)
    tx = np.where(x > 0, w * rng.uniform(0, 1, n) ** (1 / np.maximum(x, 1)), 0.0)   # last of x uniforms
    return pd.DataFrame({"frequency": x, "recency": tx, "T": T, "z": z})


def test_pareto_covariate_model_recovers_the_simulated_coefficients():
    s = _simulate(15_000, seed=11)
    m = C.ParetoNBDCovariateModel().fit(s, ["z"])
    assert m.converged_
    t = m.summary()
    truth = pd.Series({"r": 0.6, "alpha0": 8.0, "s": 0.8, "beta0": 12.0, "alpha:z": -0.6, "beta:z": 0.5})
    zscore = (t["estimate"] - truth) / t["std_error"]
    assert (zscore.abs() < 3.5).all(), zscore
    # and the coefficients are actually pinned down (not just wide intervals)
    assert t.loc["alpha:z", "std_error"] < 0.06 and t.loc["beta:z", "std_error"] < 0.1


def test_gradient_matches_finite_differences_on_both_sides_of_alpha_equals_beta():
    s = _simulate(1_500, seed=12)
    m = C.ParetoNBDCovariateModel(start={"r": 0.6, "alpha0": 8.0, "s": 0.8, "beta0": 12.0}).fit(s, ["z"])
    # alpha0 close to beta0 with opposite coefficients: some customers have alpha_i > beta_i, some not
    th = np.array([np.log(0.7), np.log(10.0), np.log(0.9), np.log(10.5), 0.8, -0.6])
    z = m._data["Z"][:, 0]
    a_i, b_i = 10.0 * np.exp(0.8 * z), 10.5 * np.exp(-0.6 * z)
    assert (a_i > b_i).any() and (a_i < b_i).any()
    _, g = m._ll_grad(th, m._data)
    num = optimize.approx_fprime(th, lambda q: m._ll_grad(q, m._data)[0], 1e-7)
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-3)


def test_zero_coefficients_give_the_pareto_nbd_likelihood():
    s = _simulate(2_000, seed=13)
    pn = C.ParetoNBDModel().fit(s)
    m = C.ParetoNBDCovariateModel().fit(s, ["z"])
    th0 = np.concatenate([np.log(pn.params_.to_numpy()), np.zeros(2)])
    assert m._ll_grad(th0, m._data)[0] == pytest.approx(pn.log_likelihood_, rel=1e-10)
    assert m.log_likelihood_ >= pn.log_likelihood_ - 1e-6


def test_cdnow_first_purchase_amount_raises_the_purchase_rate():
    tx = load("cdnow_sample")
    s = customer_summary(tx, observation_end="1997-09-30")
    first = tx.sort_values("date").groupby("customer_id")["dollars"].first()
    s["log_first_spend"] = np.log1p(first.reindex(s.index).to_numpy())
    s["log_first_spend"] -= s["log_first_spend"].mean()
    m = C.ParetoNBDCovariateModel().fit(s, ["log_first_spend"])
    t = m.summary()
    # a bigger first purchase: smaller alpha_i, i.e. a higher purchase rate r / alpha_i, clearly
    assert t.loc["alpha:log_first_spend", "upper_95"] < 0
    per = m.customer_models(s[["log_first_spend"]])
    assert list(per.columns) == ["r", "alpha", "s", "beta"] and len(per) == len(s)
    big = s["log_first_spend"] > 0
    assert per.loc[big, "alpha"].mean() < per.loc[~big, "alpha"].mean()


def test_pareto_covariate_model_rejects_bad_covariates():
    s = _simulate(300, seed=1)
    with pytest.raises(CRMInputError, match="missing column"):
        C.ParetoNBDCovariateModel().fit(s, ["nope"])
    with pytest.raises(CRMInputError, match="at least one covariate"):
        C.ParetoNBDCovariateModel().fit(s, [])
