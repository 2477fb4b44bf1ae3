"""Tests for crm_lessons.clv: BG/NBD, Pareto/NBD, Gamma-Gamma, their predictions, CLV and charts.

Published numbers are checked to the digits the papers print; every prediction is checked against an
independent computation (numerical integration over the latent rates, or simulation with a fixed seed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, special, stats

from crm_lessons import clv as C
from crm_lessons import plotting
from crm_lessons._validate import CRMInputError, CRMTypeError
from crm_lessons.datasets import load, make_transactions
from crm_lessons.summary import calibration_holdout_summary, customer_summary
from _bgnbd_sim import bgnbd_histories

BG_PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PN_PUBLISHED = {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}
GG_PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def sig3(v: float) -> float:
    return float(f"{v:.3g}")


@pytest.fixture(scope="module")
def cdnow_tx():
    return load("cdnow_sample")


@pytest.fixture(scope="module")
def cdnow(cdnow_tx):
    return customer_summary(cdnow_tx, amount_col="dollars", observation_end="1997-09-30")


@pytest.fixture(scope="module")
def bg(cdnow):
    return C.BetaGeoModel().fit(cdnow)


@pytest.fixture(scope="module")
def pn(cdnow):
    return C.ParetoNBDModel().fit(cdnow)


@pytest.fixture(scope="module")
def gg(cdnow):
    return C.GammaGammaModel().fit(cdnow)


# --------------------------------------------------------------------------------------------------
# published estimates
# --------------------------------------------------------------------------------------------------

def test_bgnbd_reproduces_fader_hardie_lee_2005_on_cdnow_sample(bg):
    # Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
    # Pareto/NBD model", Marketing Science 24(2), 275-284: r = 0.243, alpha = 4.414, a = 0.793,
    # b = 2.426, LL = -9582.4 on the 2,357-customer CDNOW sample, 39-week calibration.
    for k, v in BG_PUBLISHED.items():
        assert sig3(bg.params_[k]) == sig3(v), k
    assert round(bg.log_likelihood_, 1) == -9582.4


def test_pareto_nbd_reproduces_the_published_cdnow_estimates(pn):
    # Fader, Hardie & Lee (2005) report the Pareto/NBD on the same data: r = 0.55, alpha = 10.58,
    # s = 0.61, beta = 11.67, LL = -9595.0 (two decimals printed).
    for k, v in PN_PUBLISHED.items():
        assert round(pn.params_[k], 2) == v, k
    assert round(pn.log_likelihood_, 1) == -9595.0


def test_gamma_gamma_reproduces_the_published_cdnow_estimates(gg):
    # Gamma-Gamma spend model (Colombo & Jiang 1999; Fader, Hardie & Lee 2005b, JMR 42(4)); the CDNOW
    # estimates are those of Fader & Hardie (2013), "The Gamma-Gamma model of monetary value", on the 946
    # CDNOW-sample customers
    # with repeat purchases in the calibration period: p = 6.25, q = 3.74, gamma = 15.44.
    assert gg.n_customers_ == 946
    for k, v in GG_PUBLISHED.items():
        assert round(gg.params_[k], 2) == v, k


def test_fit_agrees_with_lifetimes_when_installed(cdnow, bg):
    lt = pytest.importorskip("lifetimes")
    f = lt.BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    np.testing.assert_allclose(f.params_[["r", "alpha", "a", "b"]].to_numpy(), bg.params_.to_numpy(), rtol=1e-4)


# --------------------------------------------------------------------------------------------------
# likelihoods, gradients and standard errors
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["bg", "pn_alpha_above_beta", "pn_alpha_below_beta", "gg"])
def test_analytic_gradient_matches_finite_differences(which, bg, pn, gg):
    model, point = {
        "bg": (bg, [0.4, 3.0, 1.2, 2.0]),
        "pn_alpha_above_beta": (pn, [0.5, 15.0, 0.6, 8.0]),
        "pn_alpha_below_beta": (pn, [0.5, 8.0, 0.6, 15.0]),
        "gg": (gg, [5.0, 3.0, 12.0]),
    }[which]
    p = np.array(point)
    _, grad = model._ll_grad(p, model._data)
    num = optimize.approx_fprime(p, lambda q: model._ll_grad(q, model._data)[0], 1e-6)
    np.testing.assert_allclose(grad, num, rtol=1e-4, atol=1e-3)


def test_gradient_is_zero_at_the_maximum(bg, pn, gg):
    for m in (bg, pn, gg):
        _, g = m._ll_grad(m.params_.to_numpy(), m._data)
        assert np.all(np.abs(g * m.params_.to_numpy()) < 1e-2), type(m).__name__


def _pareto_ll_by_quadrature(p, x, tx, T):
    """log L from L = C [P(T) + s * int_tx^T (alpha+u)^-(r+x) (beta+u)^-(s+1) du] with adaptive quadrature."""
    r, alpha, s, beta = p
    logc = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    log_pt = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    log_f = lambda u: -(r + x) * np.log(alpha + u) - (s + 1) * np.log(beta + u)  # noqa: E731
    if tx == T:
        return logc + log_pt
    k = log_f(tx)                                   # the integrand is largest at u = tx
    integral, _ = integrate.quad(lambda u: np.exp(log_f(u) - k), tx, T, epsabs=0, epsrel=1e-12, limit=400)
    return logc + np.logaddexp(log_pt, np.log(s) + k + np.log(integral))


@pytest.mark.parametrize("x,tx,T", [(0, 0.0, 30.0), (2, 10.0, 38.0), (50, 37.5, 38.0), (200, 30.0, 38.0),
                                    (200, 38.0, 38.0), (500, 1.0, 39.0)])
@pytest.mark.parametrize("params", [[0.55, 10.58, 0.61, 11.67], [0.55, 20.0, 0.61, 2.0], [2.0, 1.0, 3.0, 40.0]])
def test_pareto_likelihood_is_accurate_for_heavy_buyers(x, tx, T, params):
    ll, _, _ = C.ParetoNBDModel._log_terms(np.array(params), np.array([float(x)]), np.array([tx]), np.array([T]))
    assert ll[0] == pytest.approx(_pareto_ll_by_quadrature(params, x, tx, T), rel=1e-9, abs=1e-9)


def test_bgnbd_likelihood_is_finite_for_heavy_buyers():
    m = C.BetaGeoModel()
    s = pd.DataFrame({"frequency": [0.0, 300.0, 5000.0], "recency": [0.0, 38.0, 1.0], "T": [38.0, 38.0, 39.0]})
    m.fit(pd.concat([s] * 3 + [pd.DataFrame({"frequency": [1.0, 2.0], "recency": [5.0, 20.0], "T": [30.0, 38.0]})]))
    ll, g = m._ll_grad(np.array([0.3, 4.0, 0.8, 2.4]), m._data)
    assert np.isfinite(ll) and np.all(np.isfinite(g))
    assert np.all(np.isfinite(m.probability_alive(s["frequency"], s["recency"], s["T"])))
    assert np.all(np.isfinite(m.conditional_expected_transactions(10, s["frequency"], s["recency"], s["T"])))


def test_summary_table_has_standard_errors_and_intervals_around_the_estimates(bg, pn, gg):
    for m in (bg, pn, gg):
        t = m.summary()
        assert list(t.columns) == ["estimate", "std_error", "lower_95", "upper_95"]
        assert (t["std_error"] > 0).all()
        assert ((0 < t["lower_95"]) & (t["lower_95"] < t["estimate"]) & (t["estimate"] < t["upper_95"])).all()
        # the interval is estimate * exp(+-1.96 se / estimate): symmetric on the log scale
        np.testing.assert_allclose(np.log(t["upper_95"] / t["lower_95"]) / (2 * 1.959964),
                                   t["std_error"] / t["estimate"])
    # the Hessian-based standard errors agree with lifetimes' (same data, same model) where installed
    lt = pytest.importorskip("lifetimes")
    cd = customer_summary(load("cdnow_sample"), observation_end="1997-09-30")
    f = lt.BetaGeoFitter().fit(cd["frequency"], cd["recency"], cd["T"])
    np.testing.assert_allclose(bg.summary()["std_error"].to_numpy(),
                               f.summary["se(coef)"][["r", "alpha", "a", "b"]].to_numpy(), rtol=0.02)


def _simulate_bgnbd_summary(n, r, alpha, a, b, T, seed):
    """Independent continuous-time BG/NBD simulator returning (x, t_x, T) (no calendar days)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    return bgnbd_histories(lam, p, T, rng)


def test_bgnbd_recovers_the_truth_from_an_independent_simulation():
    truth = pd.Series(BG_PUBLISHED)
    T = np.random.default_rng(0).uniform(26, 39, 20_000)
    s = _simulate_bgnbd_summary(20_000, *truth, T=T, seed=1)
    t = C.BetaGeoModel().fit(s).summary()
    z = (t["estimate"] - truth) / t["std_error"]
    assert (z.abs() < 3).all(), z


def test_bgnbd_and_gamma_gamma_recover_make_transactions_truth():
    # make_transactions simulates BG/NBD buying and Gamma-Gamma spend with the CDNOW estimates as truth.
    data, _ = make_transactions(20_000, seed=1)
    s = customer_summary(data, amount_col="amount", observation_end="1998-07-01")
    bg_fit = C.BetaGeoModel().fit(s)
    for k, v in BG_PUBLISHED.items():
        assert bg_fit.params_[k] == pytest.approx(v, rel=0.10), k
    gg_fit = C.GammaGammaModel().fit(s)
    for k, v in GG_PUBLISHED.items():
        assert gg_fit.params_[k] == pytest.approx(v, rel=0.10), k


# --------------------------------------------------------------------------------------------------
# predictions against independent computations
# --------------------------------------------------------------------------------------------------

def _prior_grid(shape1, rate1, dist2, n=500):
    """Gauss-Legendre nodes in quantile space: E_prior[h(l, v)] = sum W h(l, v)."""
    u, w = np.polynomial.legendre.leggauss(n)
    u, w = (u + 1) / 2, w / 2
    lam = stats.gamma.ppf(u, shape1, scale=1 / rate1)[:, None]
    other = dist2.ppf(u)[None, :]
    return lam, other, w[:, None] * w[None, :]


HISTORIES = [(0, 0.0, 30.0), (1, 5.0, 30.0), (3, 20.0, 38.0), (10, 35.0, 38.0), (2, 1.0, 38.0)]


def test_bgnbd_p_alive_and_conditional_expectation_match_numerical_integration():
    m = C.BetaGeoModel()
    m.params_ = pd.Series(BG_PUBLISHED)
    r, alpha, a, b = BG_PUBLISHED.values()
    lam, p, W = _prior_grid(r, alpha, stats.beta(a, b))
    t = 39.0
    for x, tx, T in HISTORIES:
        alive = (1 - p) ** x * lam ** x * np.exp(-lam * T)
        like = alive + (x > 0) * p * (1 - p) ** max(x - 1, 0) * lam ** x * np.exp(-lam * tx)
        ey = alive * (1 - np.exp(-lam * p * t)) / p            # E[Y(t) | lambda, p, alive at T]
        assert m.probability_alive(x, tx, T) == pytest.approx((W * alive).sum() / (W * like).sum(), rel=1e-4)
        assert m.conditional_expected_transactions(t, x, tx, T) == pytest.approx(
            (W * ey).sum() / (W * like).sum(), rel=1e-4)


def test_pareto_p_alive_and_conditional_expectation_match_numerical_integration():
    m = C.ParetoNBDModel()
    m.params_ = pd.Series(PN_PUBLISHED)
    r, alpha, s, beta = PN_PUBLISHED.values()
    lam, mu, W = _prior_grid(r, alpha, stats.gamma(s, scale=1 / beta))
    t = 39.0
    for x, tx, T in HISTORIES:
        alive = lam ** x * np.exp(-(lam + mu) * T)
        like = alive + lam ** x * mu / (lam + mu) * (np.exp(-(lam + mu) * tx) - np.exp(-(lam + mu) * T))
        ey = alive * lam / mu * (1 - np.exp(-mu * t))
        assert m.probability_alive(x, tx, T) == pytest.approx((W * alive).sum() / (W * like).sum(), rel=1e-4)
        assert m.conditional_expected_transactions(t, x, tx, T) == pytest.approx(
            (W * ey).sum() / (W * like).sum(), rel=1e-4)


@pytest.mark.parametrize("kind", ["bg", "pn"])
def test_unconditional_expected_transactions_match_simulation(kind):
    rng = np.random.default_rng(7)
    n, t = 400_000, np.array([5.0, 20.0, 52.0])
    if kind == "bg":
        m = C.BetaGeoModel()
        m.params_ = pd.Series(BG_PUBLISHED)
        sims = [_simulate_bgnbd_summary(n, *BG_PUBLISHED.values(), T=np.full(n, tt), seed=7)["frequency"].mean()
                for tt in t]
    else:
        m = C.ParetoNBDModel()
        m.params_ = pd.Series(PN_PUBLISHED)
        r, alpha, s_, beta = PN_PUBLISHED.values()
        lam = rng.gamma(r, 1 / alpha, n)
        life = rng.exponential(1 / rng.gamma(s_, 1 / beta, n))
        sims = [rng.poisson(lam * np.minimum(life, tt)).mean() for tt in t]
    # Monte Carlo standard error of a mean count is below 0.5% here; allow 2%
    np.testing.assert_allclose(m.expected_transactions(t), sims, rtol=0.02)


def test_cohort_curve_sums_individual_expectations_from_each_birth():
    m = C.BetaGeoModel()
    m.params_ = pd.Series(BG_PUBLISHED)
    births = np.array([0.0, 0.0, 3.5, 10.0])
    got = C.cohort_repeat_transactions(m, births, [2.0, 12.0])
    want = [2 * m.expected_transactions(2.0), 2 * m.expected_transactions(12.0)
            + m.expected_transactions(8.5) + m.expected_transactions(2.0)]
    np.testing.assert_allclose(got, np.array(want, dtype=float).ravel())


def test_gamma_gamma_expected_spend_matches_numerical_posterior_mean(gg):
    p, q, g = gg.params_
    for x, mx in [(1, 10.0), (4, 35.0), (20, 12.5)]:
        # posterior of nu given x transactions of mean mx: prior Gamma(q, g) times the likelihood of the
        # x transactions, proportional to nu^(p x) exp(-nu x mx); integrate its log-density numerically
        log_post = lambda nu: (q - 1 + p * x) * np.log(nu) - (g + x * mx) * nu  # noqa: E731
        mode = (q - 1 + p * x) / (g + x * mx)
        top = log_post(mode)
        dens = lambda nu: np.exp(log_post(nu) - top)  # noqa: E731
        hi = 50 * mode
        num, _ = integrate.quad(lambda nu: p / nu * dens(nu), 0, hi, points=[mode], limit=400, epsrel=1e-11)
        den, _ = integrate.quad(dens, 0, hi, points=[mode], limit=400, epsrel=1e-11)
        assert gg.conditional_expected_average_spend(x, mx) == pytest.approx(num / den, rel=1e-7)
    assert gg.population_mean_spend() == pytest.approx(p * g / (q - 1))


def test_holdout_forecast_is_close_to_actual_on_cdnow(cdnow_tx):
    cal = calibration_holdout_summary(cdnow_tx, calibration_end="1997-09-30", holdout_periods=39)
    m = C.BetaGeoModel().fit(cal, frequency_col="frequency_cal", recency_col="recency_cal", T_col="T_cal")
    table = C.holdout_by_frequency(m, cal)
    assert table["customers"].sum() == 2357 and list(table.index)[-1] == "7+"
    total = (table["expected"] * table["customers"]).sum()
    assert total == pytest.approx(cal["frequency_holdout"].sum(), rel=0.15)
    # heavier calibration buyers buy more in the holdout, in the data and in the model
    assert table["expected"].is_monotonic_increasing


def test_tracking_table_counts_every_repeat_transaction_once(cdnow_tx, bg):
    cal = calibration_holdout_summary(cdnow_tx, calibration_end="1997-09-30", holdout_periods=39)
    tr = C.repeat_transactions_tracking(bg, cdnow_tx, start="1997-01-01", n_periods=78, customers=cal.index)
    assert tr["actual"].sum() == cal["frequency_cal"].sum() + cal["frequency_holdout"].sum()
    assert tr.loc[39, "actual_cumulative"] == cal["frequency_cal"].sum()   # weeks 1-39 = calibration
    assert tr["expected_cumulative"].iloc[-1] == pytest.approx(tr["actual_cumulative"].iloc[-1], rel=0.1)


# --------------------------------------------------------------------------------------------------
# CLV
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["bg", "pn"])
def test_clv_is_discounted_expected_transactions_times_margin(which, bg, pn):
    m = bg if which == "bg" else pn
    s = pd.DataFrame({"frequency": [0.0, 2.0, 8.0], "recency": [0.0, 12.0, 36.0], "T": [30.0, 38.0, 38.0]},
                     index=["a", "b", "c"])
    spend = np.array([30.0, 20.0, 45.0])
    kw = dict(spend_per_transaction=spend, margin_share=0.3, periods_per_year=52)
    undiscounted = C.customer_lifetime_value(m, s, annual_discount_rate=0.0, horizon_periods=104, **kw)
    ey = m.conditional_expected_transactions(104.0, s["frequency"], s["recency"], s["T"])
    np.testing.assert_allclose(undiscounted, 0.3 * spend * ey)
    one = C.customer_lifetime_value(m, s, annual_discount_rate=0.10, horizon_periods=1, **kw)
    d = 1.10 ** (1 / 52) - 1
    np.testing.assert_allclose(one, 0.3 * spend * m.conditional_expected_transactions(1.0, s["frequency"], s["recency"],
                                                                                        s["T"]) / (1 + d))
    discounted = C.customer_lifetime_value(m, s, annual_discount_rate=0.10, horizon_periods=104, **kw)
    assert (discounted < undiscounted).all() and (discounted > 0).all()
    assert list(discounted.index) == ["a", "b", "c"] and discounted.name == "clv"


def test_clv_rejects_bad_arguments(bg, cdnow):
    kw = dict(spend_per_transaction=np.ones(len(cdnow)), margin_share=0.3, annual_discount_rate=0.1,
              periods_per_year=52, horizon_periods=52)
    with pytest.raises(CRMInputError, match="margin_share"):
        C.customer_lifetime_value(bg, cdnow, **{**kw, "margin_share": 1.5})
    with pytest.raises(CRMInputError, match="one per customer"):
        C.customer_lifetime_value(bg, cdnow, **{**kw, "spend_per_transaction": [1.0, 2.0]})
    with pytest.raises(CRMTypeError, match="horizon_periods"):
        C.customer_lifetime_value(bg, cdnow, **{**kw, "horizon_periods": 5.5})
    with pytest.raises(CRMInputError, match="not fitted"):
        C.customer_lifetime_value(C.BetaGeoModel(), cdnow, **kw)
    with pytest.raises(CRMInputError, match="transaction_model"):
        C.customer_lifetime_value("bgnbd", cdnow, **kw)


# --------------------------------------------------------------------------------------------------
# bad input, no mutation
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("model", [C.BetaGeoModel, C.ParetoNBDModel])
def test_transaction_models_reject_bad_summaries(model, cdnow):
    ok = cdnow[["frequency", "recency", "T"]].head(50)
    with pytest.raises(CRMInputError, match="missing column"):
        model().fit(ok.drop(columns="T"))
    with pytest.raises(CRMInputError, match="negative"):
        model().fit(ok.assign(recency=-ok["recency"] - 1))
    with pytest.raises(CRMInputError, match="missing value"):
        model().fit(ok.assign(T=ok["T"].where(ok.index != ok.index[0])))
    with pytest.raises(CRMInputError, match="empty"):
        model().fit(ok.iloc[:0])
    with pytest.raises(CRMInputError, match="recency must lie in"):
        model().fit(ok.assign(recency=ok["T"] + 1))
    with pytest.raises(CRMInputError, match="whole numbers"):
        model().fit(ok.assign(frequency=ok["frequency"] + 0.5))
    with pytest.raises(CRMInputError, match="must be numeric"):
        model().fit(ok.assign(frequency=ok["frequency"].astype(str)))
    with pytest.raises(CRMInputError, match="not fitted"):
        model().probability_alive(1, 2, 3)


def test_gamma_gamma_rejects_zero_spend_for_repeat_buyers(cdnow):
    bad = cdnow.assign(monetary_value=np.where(cdnow["frequency"] > 0, 0.0, cdnow["monetary_value"]))
    with pytest.raises(CRMInputError, match="positive spend"):
        C.GammaGammaModel().fit(bad)
    with pytest.raises(CRMInputError, match="missing column"):
        C.GammaGammaModel().fit(cdnow.drop(columns="monetary_value"))
    with pytest.raises(CRMInputError, match="at least 2"):
        C.GammaGammaModel().fit(cdnow[cdnow["frequency"] == 0])


def test_predictions_reject_negative_times(bg):
    with pytest.raises(CRMInputError, match="t must be"):
        bg.expected_transactions(-1)
    with pytest.raises(CRMInputError, match="frequency"):
        bg.probability_alive(-1, 0, 10)


def test_models_and_helpers_do_not_modify_their_input(cdnow_tx, cdnow):
    tx0, s0 = cdnow_tx.copy(), cdnow.copy()
    for m in (C.BetaGeoModel().fit(cdnow), C.ParetoNBDModel().fit(cdnow)):
        C.customer_lifetime_value(m, cdnow, spend_per_transaction=np.ones(len(cdnow)), margin_share=0.3,
                                  annual_discount_rate=0.1, periods_per_year=52, horizon_periods=10)
        C.repeat_transactions_tracking(m, cdnow_tx, start="1997-01-01", n_periods=39)
    C.GammaGammaModel().fit(cdnow)
    cal = calibration_holdout_summary(cdnow_tx, calibration_end="1997-09-30", holdout_periods=39)
    cal0 = cal.copy()
    C.holdout_by_frequency(C.BetaGeoModel().fit(cdnow), cal)
    pd.testing.assert_frame_equal(cdnow_tx, tx0)
    pd.testing.assert_frame_equal(cdnow, s0)
    pd.testing.assert_frame_equal(cal, cal0)


def test_case_parameters_are_checked_with_messages_naming_the_parameter():
    ok = dict(calibration_end="1997-09-30", holdout_weeks=39, time_unit="week", model="bgnbd",
              annual_discount_rate=0.1, margin_share=0.3, horizon_years=10, top_n=100)
    p = C.check_case_parameters(**ok)
    assert p["holdout_periods"] == 39 and p["horizon_periods"] == 522
    cases = [("model", "pareto_nbd", CRMInputError), ("holdout_weeks", 39.5, CRMTypeError),
             ("holdout_weeks", 60, CRMInputError), ("margin_share", 0, CRMInputError),
             ("annual_discount_rate", "10%", CRMTypeError), ("top_n", 0, CRMInputError),
             ("calibration_end", "1999-01-01", CRMInputError), ("calibration_end", 1997, CRMTypeError),
             ("time_unit", "year", CRMInputError)]
    for name, value, err in cases:
        with pytest.raises(err, match=name):
            C.check_case_parameters(**{**ok, name: value})


# --------------------------------------------------------------------------------------------------
# charts
# --------------------------------------------------------------------------------------------------

def test_charts_draw_and_reject_bad_input(cdnow_tx, bg):
    cal = calibration_holdout_summary(cdnow_tx, calibration_end="1997-09-30", holdout_periods=39)
    tr = C.repeat_transactions_tracking(bg, cdnow_tx, start="1997-01-01", n_periods=78)
    assert len(plotting.tracking_chart(tr, calibration_periods=39).lines) == 3
    assert len(plotting.tracking_chart(tr, cumulative=True).lines) == 2
    assert len(plotting.holdout_frequency_chart(C.holdout_by_frequency(bg, cal)).patches) == 16
    ax = plotting.p_alive_heatmap(bg, T=39.0, max_frequency=10)
    assert ax.collections and "P(alive)" in ax.get_title()
    ax = plotting.clv_distribution_chart(np.random.default_rng(0).lognormal(2, 1, 500), top_n=50)
    assert "top" in ax.get_legend().get_texts()[0].get_text()
    with pytest.raises(CRMInputError, match="missing column"):
        plotting.tracking_chart(tr.drop(columns="expected"))
    with pytest.raises(CRMInputError):
        plotting.clv_distribution_chart([-1.0, 2.0])
    with pytest.raises(CRMInputError, match="T must"):
        plotting.p_alive_heatmap(bg, T=-1.0)
