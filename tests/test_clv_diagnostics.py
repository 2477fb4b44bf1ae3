"""P(alive) history of one customer and interval charts (issue 16 diagnostics); sBG projections with intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import clv as C
from crm_lessons import plotting
from crm_lessons._validate import CRMInputError
from crm_lessons.retention import PUBLISHED_SURVIVAL, ShiftedBetaGeometricModel


@pytest.fixture()
def bg():
    m = C.BetaGeoModel()
    m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    return m


def test_p_alive_history_matches_probability_alive_at_each_time(bg):
    h = C.p_alive_history(bg, [0.0, 3.0, 4.5, 10.0], end=20.0, step=0.5)
    assert h.index[0] == 0.0 and h.index[-1] == 20.0
    row = h.loc[12.0]
    assert row["repeat_purchases"] == 3 and row["recency"] == 10.0
    assert row["p_alive"] == pytest.approx(float(bg.probability_alive(3, 10.0, 12.0)))
    # P(alive) falls during a silence and jumps up at a purchase
    assert h.loc[9.5, "p_alive"] < h.loc[4.5, "p_alive"] < 1.0
    assert h.loc[10.0, "p_alive"] > h.loc[9.5, "p_alive"]


def test_p_alive_history_rejects_purchases_after_the_end(bg):
    with pytest.raises(CRMInputError, match="after end"):
        C.p_alive_history(bg, [0.0, 30.0], end=20.0)
    with pytest.raises(CRMInputError, match="not fitted"):
        C.p_alive_history(C.BetaGeoModel(), [0.0], end=5.0)


def test_diagnostic_charts_draw(bg):
    ax = plotting.p_alive_history_chart(C.p_alive_history(bg, [0, 2, 8], end=39))
    assert len(ax.lines) == 2 and "P(alive)" in ax.get_title()
    m = ShiftedBetaGeometricModel().fit(PUBLISHED_SURVIVAL["regular"].iloc[:8])
    iv = C.prediction_interval(m, lambda mm: mm.project(12, cohort_size=1000)["expected_active"], n_draws=100)
    ax = plotting.interval_chart(iv, actual=PUBLISHED_SURVIVAL["regular"].to_numpy(), xlabel="years")
    assert len(ax.lines) == 2 and ax.collections
    with pytest.raises(CRMInputError, match="missing column"):
        plotting.interval_chart(iv.drop(columns="lower"))


def test_sbg_projection_intervals_cover_the_held_out_years():
    # years 8-12 of the published series lie inside the 95% band from parameter uncertainty
    for seg in ("regular", "high_end"):
        m = ShiftedBetaGeometricModel().fit(PUBLISHED_SURVIVAL[seg].iloc[:8])
        iv = C.prediction_interval(m, lambda mm: mm.project(12, cohort_size=1000)["expected_active"], n_draws=400)
        actual = PUBLISHED_SURVIVAL[seg].loc[8:12].to_numpy()
        assert ((iv["lower"].loc[8:12].to_numpy() <= actual) & (actual <= iv["upper"].loc[8:12].to_numpy())).all()


def test_probability_of_transactions_sums_to_one_and_matches_references():
    from scipy import integrate, special

    from crm_lessons.datasets import load
    from crm_lessons.summary import customer_summary

    s = customer_summary(load("cdnow_sample"), observation_end="1997-09-30")
    bg, pn, mb = C.BetaGeoModel().fit(s), C.ParetoNBDModel().fit(s), C.ModifiedBetaGeoModel().fit(s)
    for m in (bg, pn, mb):
        p = m.probability_of_transactions(np.full(200, 39.0), np.arange(200.0))
        assert (p >= 0).all() and p.sum() == pytest.approx(1.0, abs=1e-6)
    # BG/NBD: the published closed form, as lifetimes computes it
    lifetimes = pytest.importorskip("lifetimes")
    f = lifetimes.BetaGeoFitter()
    f.params_ = bg.params_.copy()
    for n in (0, 1, 2, 7):
        assert bg.probability_of_transactions(39.0, n) == pytest.approx(f.probability_of_n_purchases_up_to_time(39.0, n), rel=1e-10)
    # Pareto/NBD: NBD while alive, mixed over the Pareto lifetime, by adaptive quadrature
    r, a, s_, b = pn.params_.to_numpy()

    def nbd(x, u):
        return np.exp(special.gammaln(r + x) - special.gammaln(r) - special.gammaln(x + 1) + r * np.log(a / (a + u))
                      + x * np.log(u / (a + u))) if u > 0 else float(x == 0)

    for t in (5.0, 39.0, 200.0):
        for x in (0, 1, 3, 10):
            ref = (b / (b + t)) ** s_ * nbd(x, t) + integrate.quad(
                lambda u: nbd(x, u) * s_ / b * (b / (b + u)) ** (s_ + 1), 0, t, epsabs=0, epsrel=1e-12, limit=200)[0]
            assert pn.probability_of_transactions(t, x) == pytest.approx(ref, rel=1e-8)


def test_calibration_frequency_table_and_chart():
    from crm_lessons.datasets import load
    from crm_lessons.summary import customer_summary

    s = customer_summary(load("cdnow_sample"), observation_end="1997-09-30")
    m = C.BetaGeoModel().fit(s)
    t = C.calibration_frequency(m, s)
    assert list(t.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert t["actual"].sum() == len(s) and t["expected"].sum() == pytest.approx(len(s))
    assert t.loc["0", "actual"] == int((s["frequency"] == 0).sum())
    # the fitted model reproduces the histogram closely (Fader, Hardie & Lee 2005, Figure 2)
    assert (np.abs(t["expected"] - t["actual"]) < 0.06 * len(s)).all()
    ax = plotting.calibration_frequency_chart(t)
    assert len(ax.patches) == 16 and "calibration" in ax.get_title()
    with pytest.raises(CRMInputError, match="fitted"):
        C.calibration_frequency(object(), s)
    with pytest.raises(CRMInputError, match="missing column"):
        C.calibration_frequency(m, s.drop(columns="T"))
