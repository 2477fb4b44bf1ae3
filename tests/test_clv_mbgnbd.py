"""MBG/NBD (Batislam, Denizel & Filiztekin 2007) and the model-comparison table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from crm_lessons import clv as C
from crm_lessons.datasets import load
from crm_lessons.summary import calibration_holdout_summary, customer_summary

PARAMS = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
HISTORIES = [(0, 0.0, 30.0), (1, 5.0, 30.0), (3, 20.0, 38.0), (10, 35.0, 38.0), (2, 1.0, 38.0)]


@pytest.fixture(scope="module")
def cdnow():
    return customer_summary(load("cdnow_sample"), observation_end="1997-09-30")


def _grid(n=500):
    u, w = np.polynomial.legendre.leggauss(n)
    u, w = (u + 1) / 2, w / 2
    lam = stats.gamma.ppf(u, PARAMS["r"], scale=1 / PARAMS["alpha"])[:, None]
    p = stats.beta(PARAMS["a"], PARAMS["b"]).ppf(u)[None, :]
    return lam, p, w[:, None] * w[None, :]


def test_mbgnbd_predictions_match_numerical_integration():
    m = C.ModifiedBetaGeoModel()
    m.params_ = pd.Series(PARAMS)
    lam, p, W = _grid()
    t = 39.0
    for x, tx, T in HISTORIES:
        # dropout is possible after every purchase, the first included
        alive = (1 - p) ** (x + 1) * lam ** x * np.exp(-lam * T)
        like = alive + p * (1 - p) ** x * lam ** x * np.exp(-lam * tx)
        ey = alive * (1 - np.exp(-lam * p * t)) / p
        assert m.probability_alive(x, tx, T) == pytest.approx((W * alive).sum() / (W * like).sum(), rel=1e-4)
        assert m.conditional_expected_transactions(t, x, tx, T) == pytest.approx((W * ey).sum() / (W * like).sum(),
                                                                                  rel=1e-4)
    # unconditional: E[X(t)] = E[(1-p)(1 - exp(-lambda p t))/p]
    ex = (W * (1 - p) * (1 - np.exp(-lam * p * t)) / p).sum()
    assert m.expected_transactions(t) == pytest.approx(ex, rel=1e-4)


def test_mbgnbd_likelihood_and_gradient(cdnow):
    m = C.ModifiedBetaGeoModel().fit(cdnow)
    assert m.converged_
    lam, p, W = _grid()
    m2 = C.ModifiedBetaGeoModel()
    m2.params_ = pd.Series(PARAMS)
    d = C.ModifiedBetaGeoModel().fit(cdnow.head(300))._data
    ll, g = C.ModifiedBetaGeoModel._ll_grad(np.array(list(PARAMS.values())), d)
    num = optimize.approx_fprime(np.array(list(PARAMS.values())),
                                 lambda q: C.ModifiedBetaGeoModel._ll_grad(q, d)[0], 1e-7)
    np.testing.assert_allclose(g, num, rtol=1e-4)
    # the likelihood of one history by integration
    x, tx, T = 3, 20.0, 38.0
    one = {"x": np.array([3.0]), "tx": np.array([tx]), "T": np.array([T]), "w": np.ones(1),
           "xu": np.array([3.0]), "inv": np.array([0]), "cnt": np.ones(1), "n": 1.0}
    like = (W * ((1 - p) ** (x + 1) * lam ** x * np.exp(-lam * T) + p * (1 - p) ** x * lam ** x * np.exp(-lam * tx))).sum()
    assert C.ModifiedBetaGeoModel._ll_grad(np.array(list(PARAMS.values())), one)[0] == pytest.approx(np.log(like), rel=1e-5)


def test_model_comparison_table_ranks_the_models(cdnow):
    cal = calibration_holdout_summary(load("cdnow_sample"), calibration_end="1997-09-30", holdout_periods=39)
    cols = dict(frequency_col="frequency_cal", recency_col="recency_cal", T_col="T_cal")
    models = {"BG/NBD": C.BetaGeoModel().fit(cal, **cols), "Pareto/NBD": C.ParetoNBDModel().fit(cal, **cols),
              "MBG/NBD": C.ModifiedBetaGeoModel().fit(cal, **cols)}
    t = C.model_comparison(models, cal)
    assert list(t.index) == ["BG/NBD", "Pareto/NBD", "MBG/NBD"]
    assert {"log-likelihood", "parameters", "AIC", "BIC", "holdout total, expected", "holdout MAE per customer"} <= set(t.columns)
    assert t.loc["BG/NBD", "log-likelihood"] == pytest.approx(-9582.4, abs=0.05)   # Fader, Hardie & Lee (2005)
    assert t.loc["BG/NBD", "AIC"] == pytest.approx(2 * 4 + 2 * 9582.43, abs=0.2)
    assert (t["holdout total, actual"] == cal["frequency_holdout"].sum()).all()
