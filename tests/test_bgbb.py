"""Tests for crm_lessons.bgbb: the BG/BB model for discrete opportunities (Fader, Hardie & Shang 2010)."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from crm_lessons import bgbb as B
from crm_lessons import datasets
from crm_lessons._validate import CRMInputError


@pytest.fixture(scope="module")
def donations():
    return datasets.load("donations_bgbb")


@pytest.fixture(scope="module")
def fit(donations):
    return B.BetaGeoBetaBinomModel().fit(donations, weights_col="customers")


def test_published_table_has_11104_donors_and_a_true_checksum(donations):
    assert len(donations) == 22 and donations["customers"].sum() == 11_104
    assert (donations["n"] == 6).all()
    manifest = json.loads((datasets.data_dir() / "MANIFEST.json").read_text())
    raw = (datasets.data_dir() / "donations_bgbb.csv").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == manifest["donations_bgbb"]["sha256"]
    card = datasets.data_card("donations_bgbb")
    assert manifest["donations_bgbb"]["sha256"] in card and "Marketing Science" in card


def test_bgbb_reproduces_fader_hardie_shang_2010_estimates(fit):
    # Fader, Hardie & Shang (2010), Marketing Science 29(6): alpha = 1.204, beta = 0.750, gamma = 0.657,
    # delta = 2.783 on the 11,104-donor table
    for k, v in B.PUBLISHED_BGBB_ESTIMATES.items():
        assert round(fit.params_[k], 3) == v, k
    assert fit.converged_ and fit.n_customers_ == 11_104
    assert round(fit.log_likelihood_, 1) == -33225.6


def test_p_alive_reproduces_table_6(fit):
    # Table 6, P(alive in 2002): 0.11 (no repeat donation), 0.59 (x = 2, t_x = 4), 0.93 (6 of 6)
    got = fit.probability_alive([0, 2, 6], [0, 4, 6], 6)
    np.testing.assert_array_equal(np.round(got, 2), [0.11, 0.59, 0.93])


def test_expectations_reproduce_hardies_spreadsheet(fit, donations):
    # Hardie's BG/BB spreadsheet (note 010): 12,884.2 expected donations in 2002-2006 in total;
    # 3,454.9 donors expected with no repeat donation in 6 years and 1,253.1 with six
    ce = fit.conditional_expected_transactions(5, donations["frequency"], donations["recency"], donations["n"])
    assert round(float(ce @ donations["customers"]), 1) == 12884.2
    np.testing.assert_array_equal(np.round(fit.probability_of_transactions([0, 6], 6) * 11_104, 1), [3454.9, 1253.1])


def test_likelihood_and_predictions_match_brute_force_integration(fit):
    # integrate over p ~ Beta(alpha, beta) and theta ~ Beta(gamma, delta) on a Gauss-Legendre grid
    a, b, c, d = fit.params_
    from scipy import stats
    u, w = np.polynomial.legendre.leggauss(400)
    u, w = (u + 1) / 2, w / 2
    p = stats.beta(a, b).ppf(u)[:, None]
    th = stats.beta(c, d).ppf(u)[None, :]
    W = w[:, None] * w[None, :]
    for x, tx, n in [(0, 0, 6), (2, 4, 6), (3, 3, 6), (6, 6, 6), (1, 2, 10)]:
        alive = p ** x * (1 - p) ** (n - x) * (1 - th) ** n
        dead = sum(p ** x * (1 - p) ** (tx - x + i) * th * (1 - th) ** (tx + i) for i in range(n - tx))
        like = (W * (alive + dead)).sum()
        ll = fit._ll_grad(fit.params_.to_numpy(), {"x": np.array([x], float), "tx": np.array([tx], float),
                                                   "nn": np.array([n], float), "w": np.ones(1)})[0]
        assert ll == pytest.approx(np.log(like), rel=1e-5)
        assert fit.probability_alive(x, tx, n) == pytest.approx((W * alive * (1 - th)).sum() / like, rel=1e-4)
        ey = (W * alive * p * sum((1 - th) ** k for k in range(1, 6))).sum() / like
        assert fit.conditional_expected_transactions(5, x, tx, n) == pytest.approx(ey, rel=1e-4)


def test_gradient_matches_finite_differences(fit):
    for point in ([1.2, 0.75, 0.66, 2.8], [0.5, 2.0, 1.5, 0.7]):
        q = np.array(point)
        _, g = fit._ll_grad(q, fit._data)
        num = optimize.approx_fprime(q, lambda z: fit._ll_grad(z, fit._data)[0], 1e-7)
        np.testing.assert_allclose(g, num, rtol=1e-4)


def test_unconditional_expectation_is_the_mean_of_the_count_distribution(fit):
    n = 6
    probs = fit.probability_of_transactions(np.arange(n + 1), n)
    assert probs.sum() == pytest.approx(1.0, rel=1e-12)
    assert fit.expected_transactions(n) == pytest.approx(float(np.arange(n + 1) @ probs))


def test_discrete_summary_and_rf_table_round_trip(fit, donations):
    # expand the published table into individual donors with yearly events, then summarise again
    rows = []
    cid = 0
    for fr, rec, n, k in donations.itertuples(index=False):
        years = [1995] + [1995 + rec - j for j in range(fr)]          # last donation at recency, others before
        for _ in range(k):
            rows += [(cid, y) for y in years]
            cid += 1
    events = pd.DataFrame(rows, columns=["customer_id", "opportunity"])
    s = B.discrete_summary(events, last_opportunity=2001)
    table = B.rf_table(s)
    merged = table.merge(donations, on=["frequency", "recency", "n"], suffixes=("", "_pub"))
    assert len(merged) == 22 and (merged["customers"] == merged["customers_pub"]).all()
    refit = B.BetaGeoBetaBinomModel().fit(s)
    np.testing.assert_allclose(refit.params_, fit.params_, rtol=1e-5)


@pytest.mark.parametrize("change,match", [
    (lambda d: d.assign(recency=d["n"] + 1), "frequency <= recency <= n"),
    (lambda d: d.assign(frequency=d["recency"] + 1), "frequency <= recency <= n"),
    (lambda d: d.assign(customers=-d["customers"]), "negative"),
    (lambda d: d.assign(frequency=d["frequency"] + 0.5), "whole numbers"),
    (lambda d: d.drop(columns="n"), "missing column"),
    (lambda d: d.head(1), "cannot be told apart"),
])
def test_bad_summaries_are_refused(change, match, donations):
    with pytest.raises(CRMInputError, match=match):
        B.BetaGeoBetaBinomModel().fit(change(donations), weights_col="customers")


def test_discrete_summary_rejects_fractional_opportunities():
    with pytest.raises(CRMInputError, match="whole numbers"):
        B.discrete_summary(pd.DataFrame({"customer_id": [1], "opportunity": [2000.5]}))
