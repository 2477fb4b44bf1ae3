"""Tests for crm_lessons.retention: the shifted-beta-geometric (sBG) model of Fader & Hardie (2007)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from crm_lessons import retention as R
from crm_lessons._validate import CRMInputError
from crm_lessons.clv import FitWarning


def sig3(v: float) -> float:
    return float(f"{v:.3g}")


@pytest.fixture(scope="module")
def fits():
    return {seg: R.ShiftedBetaGeometricModel().fit(R.PUBLISHED_SURVIVAL[seg].iloc[:8])
            for seg in ("regular", "high_end")}


@pytest.mark.parametrize("segment", ["regular", "high_end"])
def test_sbg_reproduces_fader_hardie_2007_estimates(fits, segment):
    # Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing 21(1), 76-90:
    # years 0-7 of each 1,000-customer series; regular alpha = 0.704, beta = 1.182; high end
    # alpha = 0.668, beta = 3.806 (LL -1611.16 for high end).
    m = fits[segment]
    for k, v in R.PUBLISHED_SBG_ESTIMATES.loc[segment].items():
        assert sig3(m.params_[k]) == sig3(v), (segment, k, m.params_[k])
    assert m.converged_ and m.fit_warnings_ == []
    if segment == "high_end":
        assert round(m.log_likelihood_, 2) == -1611.16


def test_projections_track_the_held_out_years(fits):
    # the paper's point: fitted on years 0-7, the sBG projects years 8-12 closely (within 5% here)
    for seg, m in fits.items():
        proj = m.project(12)["expected_active"].loc[8:12].to_numpy()
        actual = R.PUBLISHED_SURVIVAL[seg].loc[8:12].to_numpy()
        np.testing.assert_allclose(proj, actual, rtol=0.05)


def test_gradient_matches_finite_differences(fits):
    m = fits["regular"]
    for point in ([0.7, 1.2], [2.0, 5.0], [0.3, 0.4]):
        p = np.array(point)
        _, g = m._ll_grad(p, m._data)
        num = optimize.approx_fprime(p, lambda q: m._ll_grad(q, m._data)[0], 1e-7)
        np.testing.assert_allclose(g, num, rtol=1e-5)


def test_likelihood_equals_its_definition(fits):
    m = fits["high_end"]
    a, b = m.params_
    n = R.PUBLISHED_SURVIVAL["high_end"].iloc[:8].to_numpy(dtype=float)
    # P(T = t) by integrating theta (1 - theta)^(t-1) over Beta(a, b)
    theta = stats.beta(a, b)
    p_t = np.array([theta.expect(lambda q, t=t: q * (1 - q) ** (t - 1)) for t in range(1, 8)])
    s7 = theta.expect(lambda q: (1 - q) ** 7)
    want = (n[:-1] - n[1:]) @ np.log(p_t) + n[-1] * np.log(s7)
    assert m.log_likelihood_ == pytest.approx(want, rel=1e-8)


def test_survival_retention_and_churn_are_consistent(fits):
    m = fits["regular"]
    t = np.arange(1, 30)
    s = m.survival(np.arange(0, 30))
    assert s[0] == 1.0
    np.testing.assert_allclose(m.retention_rate(t), s[1:] / s[:-1])
    np.testing.assert_allclose(m.churn_probability(t), s[:-1] - s[1:])
    # retention rises with tenure (heterogeneity, no individual change)
    assert np.all(np.diff(m.retention_rate(t)) > 0)


def test_discounted_lifetimes_match_direct_summation(fits):
    d = 0.10
    for m in fits.values():
        k = np.arange(0, 20_000, dtype=float)
        s = m.survival(k)
        disc = (1 + d) ** -k
        assert m.discounted_expected_lifetime(d) == pytest.approx(float(s @ disc), rel=1e-9)
        for renewals in (0, 1, 4, 10):
            n = renewals + 1
            direct = float(s[n:] @ disc[: len(s) - n]) / s[n - 1]
            assert m.discounted_expected_residual_lifetime(d, renewals) == pytest.approx(direct, rel=1e-9)


def test_customer_value_carries_its_units(fits):
    m = fits["high_end"]
    new = m.customer_value(margin_per_period=100.0, discount_rate=0.1, time_unit="year")
    assert new.attrs["value_type"] == "total" and new.attrs["time_unit"] == "year"
    assert new.attrs["discount_rate_per_period"] == 0.1
    assert new.loc["new customer", "value"] == pytest.approx(100 * m.discounted_expected_lifetime(0.1))
    old = m.customer_value(margin_per_period=100.0, discount_rate=0.1, renewals=[0, 4])
    assert old.attrs["value_type"] == "residual" and list(old.index) == [0, 4]
    assert old["value"].is_monotonic_increasing


def test_several_cohorts_add_their_log_likelihoods():
    a = [1000, 800, 680, 600]
    b = [500, 390, 330]
    both = R.ShiftedBetaGeometricModel().fit([a, b])
    p = both.params_.to_numpy()
    ll_a = R.ShiftedBetaGeometricModel().fit(a)._ll_grad(p, R.ShiftedBetaGeometricModel().fit(a)._data)[0]
    mb = R.ShiftedBetaGeometricModel().fit(b)
    assert both.log_likelihood_ == pytest.approx(ll_a + mb._ll_grad(p, mb._data)[0])
    assert both.n_customers_ == 1500


def test_recovers_simulated_truth():
    rng = np.random.default_rng(5)
    theta = rng.beta(0.9, 2.5, 20_000)
    life = rng.geometric(theta)                       # periods until churn, >= 1
    counts = [(life > t).sum() for t in range(0, 9)]
    t = R.ShiftedBetaGeometricModel().fit(counts).summary()
    z = (t["estimate"] - pd.Series({"alpha": 0.9, "beta": 2.5})) / t["std_error"]
    assert (z.abs() < 3).all(), z


@pytest.mark.parametrize("bad,match", [
    ([1000], "at least two"),
    ([1000, 1100, 900], "grows"),
    ([1000, 900.5], "whole"),
    ([0, 0], "at least one"),
    ([1000, -5], "non-negative"),
    (["a", "b"], "not numbers"),
    ("1000", "sequence of counts"),
])
def test_bad_survivor_series_are_refused(bad, match):
    with pytest.raises(CRMInputError, match=match):
        R.ShiftedBetaGeometricModel().fit(bad)


def test_no_churn_at_all_is_refused_and_predictions_need_a_fit():
    with pytest.raises(CRMInputError, match="no customer was lost"):
        R.ShiftedBetaGeometricModel().fit([100, 100, 100])
    with pytest.raises(CRMInputError, match="not fitted"):
        R.ShiftedBetaGeometricModel().survival(3)
    m = R.ShiftedBetaGeometricModel().fit([1000, 700, 550])
    with pytest.raises(CRMInputError, match="whole numbers"):
        m.survival(1.5)
    with pytest.raises(CRMInputError, match=">= 1"):
        m.retention_rate(0)


def test_two_customers_warn_rather_than_pass_silently():
    with pytest.warns(FitWarning):
        R.ShiftedBetaGeometricModel().fit([2, 1, 1])


def test_survivors_to_table_is_tidy():
    t = R.survivors_to_table(R.PUBLISHED_SURVIVAL["regular"])
    assert list(t.columns) == ["active", "lost", "retention_rate"] and t.index.name == "period"
    assert t.loc[1, "retention_rate"] == pytest.approx(0.631)
