"""BG/NBD with time-invariant covariates: gradient, reduction to BG/NBD, recovery of simulated coefficients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from crm_lessons import clv as C
from crm_lessons._validate import CRMInputError
from crm_lessons.datasets import load
from crm_lessons.summary import customer_summary
from _bgnbd_sim import bgnbd_histories


def _simulate(n, seed):
    """BG/NBD histories where a binary covariate z raises the purchase rate and lowers dropout:
    alpha_i = 4 exp(-0.7 z), a_i = 0.8 exp(-0.5 z), b_i = 2.5 exp(0.3 z), r = 0.3 (simulated truth)."""
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 2, n).astype(float)
    zc = z - 0.5
    alpha, a, b = 4 * np.exp(-0.7 * zc), 0.8 * np.exp(-0.5 * zc), 2.5 * np.exp(0.3 * zc)
    lam, p = rng.gamma(0.3, 1 / alpha), rng.beta(a, b)
    T = rng.uniform(26, 52, n)
    return bgnbd_histories(lam, p, T, rng).assign(z=zc)


def test_covariate_model_recovers_the_simulated_coefficients():
    s = _simulate(30_000, seed=8)
    m = C.BetaGeoCovariateModel().fit(s, ["z"])
    t = m.summary()
    truth = pd.Series({"r": 0.3, "alpha0": 4.0, "a0": 0.8, "b0": 2.5, "alpha:z": -0.7, "a:z": -0.5, "b:z": 0.3})
    zscore = (t["estimate"] - truth) / t["std_error"]
    assert (zscore.abs() < 3.5).all(), zscore


def test_gradient_matches_finite_differences_and_zero_coefficients_give_bgnbd():
    s = _simulate(2_000, seed=9)
    m = C.BetaGeoCovariateModel().fit(s, ["z"])
    th = np.array([np.log(0.3), np.log(4.0), np.log(0.8), np.log(2.5), -0.3, 0.2, 0.1])
    _, g = m._ll_grad(th, m._data)
    num = optimize.approx_fprime(th, lambda q: m._ll_grad(q, m._data)[0], 1e-6)
    np.testing.assert_allclose(g, num, rtol=1e-4, atol=1e-3)
    # with every coefficient 0 the likelihood is the plain BG/NBD one
    bg = C.BetaGeoModel().fit(s)
    th0 = np.concatenate([np.log(bg.params_.to_numpy()), np.zeros(3)])
    assert m._ll_grad(th0, m._data)[0] == pytest.approx(bg.log_likelihood_, rel=1e-10)


def test_covariate_on_cdnow_first_purchase_amount_fits_at_least_as_well_as_bgnbd():
    tx = load("cdnow_sample")
    s = customer_summary(tx, observation_end="1997-09-30")
    first = tx.sort_values("date").groupby("customer_id")["dollars"].first()
    s = s.assign(log_first_spend=np.log1p(first.reindex(s.index).to_numpy()))
    s["log_first_spend"] -= s["log_first_spend"].mean()
    m = C.BetaGeoCovariateModel().fit(s, ["log_first_spend"])
    assert m.converged_
    assert m.log_likelihood_ >= C.BetaGeoModel().fit(s).log_likelihood_ - 1e-6
    per = m.customer_models(s[["log_first_spend"]])
    assert list(per.columns) == ["r", "alpha", "a", "b"] and len(per) == len(s)


def test_covariate_model_rejects_bad_covariates():
    s = _simulate(200, seed=1)
    with pytest.raises(CRMInputError, match="missing column"):
        C.BetaGeoCovariateModel().fit(s, ["nope"])
    with pytest.raises(CRMInputError, match="at least one covariate"):
        C.BetaGeoCovariateModel().fit(s, [])
