"""Degenerate fits and optimiser trouble are reported, never passed off as estimates (issue 16)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crm_lessons import clv as C
from crm_lessons._validate import CRMInputError
from crm_lessons.datasets import load, make_transactions
from crm_lessons.summary import calibration_holdout_summary, customer_summary


@pytest.fixture(scope="module")
def cdnow():
    return customer_summary(load("cdnow_sample"), amount_col="dollars", observation_end="1997-09-30")


@pytest.fixture(scope="module")
def ten_customers():
    data, _ = make_transactions(10, seed=3)
    return customer_summary(data, observation_end="1998-07-01")


@pytest.mark.parametrize("model", [C.BetaGeoModel, C.ParetoNBDModel])
def test_one_customer_is_refused_with_the_documented_minimum(model, cdnow):
    with pytest.raises(CRMInputError, match=f"at least {C.MIN_CUSTOMERS}"):
        model().fit(cdnow.head(1))


@pytest.mark.parametrize("model", [C.BetaGeoModel, C.ParetoNBDModel])
def test_a_sample_without_repeat_buyers_is_refused(model, cdnow):
    with pytest.raises(CRMInputError, match="repeat purchase"):
        model().fit(cdnow[cdnow["frequency"] == 0].head(200))


@pytest.mark.parametrize("model", [C.BetaGeoModel, C.ParetoNBDModel])
def test_ten_customers_give_a_fit_warning_that_says_what_to_do(model, ten_customers):
    with pytest.warns(C.FitWarning, match="What to do: fit on more customers"):
        m = model().fit(ten_customers)
    assert not m.converged_ and m.fit_warnings_
    # the summary says "no reliable standard errors" instead of overflowing
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", C.FitWarning)
        table = m.summary()
    assert list(table.columns) == ["estimate", "std_error", "lower_95", "upper_95"]


def test_ten_cdnow_customers_warn_for_bgnbd(cdnow):
    with pytest.warns(C.FitWarning):
        m = C.BetaGeoModel().fit(cdnow.head(10))
    assert not m.converged_


def test_a_flat_likelihood_ridge_is_reported_even_inside_the_bounds(cdnow):
    # 100 CDNOW customers: the BG/NBD dropout parameters drift towards a = b = 0 along a flat ridge
    with pytest.warns(C.FitWarning, match="nearly flat"):
        C.BetaGeoModel().fit(cdnow.head(100))


def test_full_cdnow_fits_are_clean(cdnow):
    with warnings.catch_warnings():
        warnings.simplefilter("error", C.FitWarning)
        for m in (C.BetaGeoModel().fit(cdnow), C.ParetoNBDModel().fit(cdnow), C.GammaGammaModel().fit(cdnow)):
            assert m.converged_ and m.fit_warnings_ == []
            assert np.isfinite(m.summary()["std_error"]).all()


class _Toy(C._MLModel):
    """One parameter, log-likelihood -(p - 3)^2 * n, not finite above p = 5 (or wherever told)."""

    _param_names = ("p",)

    def __init__(self, nan_above=5.0, wrong_gradient=False, **kw):
        super().__init__(**kw)
        self.nan_above, self.wrong_gradient = nan_above, wrong_gradient

    def _ll_grad(self, par, d):
        p = par[0]
        if p > self.nan_above:
            return float("nan"), np.array([float("nan")])
        g = -2 * (p - 3) * d["n"]
        return -(p - 3) ** 2 * d["n"], np.array([-g if self.wrong_gradient else g])

    def fit(self):
        self._fit({"x": np.zeros(5), "n": 5.0})
        return self


def test_non_finite_objective_makes_the_optimiser_back_off_not_stop():
    # the start (p = 1) is fine; steps beyond p = 3.2 are not finite. The old code returned 1e10 with a
    # zero gradient there, so L-BFGS-B could stop at once and report success.
    with warnings.catch_warnings():
        warnings.simplefilter("error", C.FitWarning)
        m = _Toy(nan_above=3.2, start={"p": 1.0}).fit()
    assert m.params_["p"] == pytest.approx(3.0, rel=1e-6)


def test_non_finite_objective_at_the_start_is_refused():
    with pytest.raises(CRMInputError, match="not finite at the starting values"):
        _Toy(nan_above=0.5).fit()


def test_optimiser_failure_is_a_warning_not_silent_success():
    # a gradient of the wrong sign makes the line search fail (ABNORMAL_TERMINATION_IN_LNSRCH)
    with pytest.warns(C.FitWarning, match="stopped without converging"):
        m = _Toy(wrong_gradient=True, start={"p": 1.0}).fit()
    assert not m.converged_ and "ABNORMAL" in m.optimizer_message_


# --------------------------------------------------------------------------------------------------
# holdout_by_frequency validates its input like every other helper
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cal_holdout():
    return calibration_holdout_summary(load("cdnow_sample"), calibration_end="1997-09-30", holdout_periods=39)


@pytest.fixture(scope="module")
def bg(cal_holdout):
    return C.BetaGeoModel().fit(cal_holdout, frequency_col="frequency_cal", recency_col="recency_cal",
                                T_col="T_cal")


@pytest.mark.parametrize("change,match", [
    (lambda d: d.assign(recency_cal=d["T_cal"] + 1), "recency must lie in"),
    (lambda d: d.assign(frequency_holdout=-d["frequency_holdout"] - 1), "negative"),
    (lambda d: d.assign(frequency_cal=-d["frequency_cal"] - 1), "negative"),
    (lambda d: d.assign(frequency_cal=d["frequency_cal"] + 0.5), "whole numbers"),
    (lambda d: d.assign(frequency_holdout=d["frequency_holdout"] + 0.5), "whole numbers"),
    (lambda d: d.assign(duration_holdout=-1.0), "negative"),
    (lambda d: d.drop(columns="T_cal"), "missing column"),
])
def test_holdout_by_frequency_rejects_impossible_summaries(change, match, cal_holdout, bg):
    with pytest.raises(CRMInputError, match=match):
        C.holdout_by_frequency(bg, change(cal_holdout))


def test_holdout_by_frequency_refuses_an_unfitted_model(cal_holdout):
    with pytest.raises(CRMInputError, match="not fitted"):
        C.holdout_by_frequency(C.BetaGeoModel(), cal_holdout)


@pytest.mark.parametrize("kind", ["uniform recency", "same frequency"])
def test_signal_free_pareto_fits_stop_fast_with_a_warning(kind):
    """Issue 16: on data with no signal about rate heterogeneity the Pareto/NBD estimates run off along
    a ridge where every evaluation needs thousands of series terms (over 120 s before); the fit now
    stops (shape past ~1,100, or its series-work budget spent) and says why."""
    import time

    rng = np.random.default_rng(1)
    n = 3_000
    T = rng.uniform(20, 40, n)
    x = rng.poisson(2, n).astype(float) if kind == "uniform recency" else np.full(n, 3.0)
    s = pd.DataFrame({"frequency": x, "recency": np.where(x > 0, T * rng.uniform(0, 1, n), 0.0), "T": T})
    t0 = time.perf_counter()
    with pytest.warns(C.FitWarning, match="gamma shape|series terms"):
        m = C.ParetoNBDModel().fit(s)
    assert time.perf_counter() - t0 < 40
    assert not m.converged_ and m.fit_warnings_
