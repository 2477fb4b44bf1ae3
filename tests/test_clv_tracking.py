"""The expected-cumulative tracking curve sits on the same days as the customer summaries (issue 16).

The curve at the end of period k counts purchases up to the last day of that period, so a customer who
first bought on day f is (last day - f) / unit old, the convention of ``customer_summary``'s T.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from crm_lessons import clv as C
from crm_lessons.datasets import load
from crm_lessons.summary import customer_summary

# Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing Science 24(2), 275-284:
# the BG/NBD on the 2,357-customer CDNOW sample, 39-week calibration.
BG_PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def cdnow_tx():
    return load("cdnow_sample")


def _published_model():
    m = C.BetaGeoModel()
    m.params_ = pd.Series(BG_PUBLISHED)
    return m


def _expected_x_by_integration(t: float, r: float, alpha: float, a: float, b: float) -> float:
    """E[X(t)] of the BG/NBD from its definition, integrating over the dropout probability p.

    Given lambda and p, E[X(t)] = (1 - exp(-lambda p t)) / p; averaging exp(-lambda p t) over
    lambda ~ Gamma(r, alpha) gives (alpha / (alpha + p t))^r, leaving one integral over p ~ Beta(a, b).
    No hypergeometric function is involved, so this is independent of the package's closed form.
    """
    dens = stats.beta(a, b).pdf
    f = lambda p: (1 - (alpha / (alpha + p * t)) ** r) / p * dens(p)  # noqa: E731
    val, _ = integrate.quad(f, 0, 1, epsabs=0, epsrel=1e-12, limit=500, points=[1e-6, 1e-3, 0.5])
    return val


def test_tracking_curve_at_calibration_end_equals_sum_of_expected_transactions(cdnow_tx):
    cal = customer_summary(cdnow_tx, observation_end="1997-09-30")
    m = C.BetaGeoModel().fit(cal)
    tr = C.repeat_transactions_tracking(m, cdnow_tx, start="1997-01-01", n_periods=78, customers=cal.index)
    want = float(m.expected_transactions(cal["T"].to_numpy()).sum())
    # 1997-09-30 is the last day of week 39 counted from 1997-01-01
    assert tr.loc[39, "expected_cumulative"] == pytest.approx(want, rel=1e-12)
    # with the published (rounded) parameters the total is the 2,497.6 quoted in issue 16 (the curve
    # evaluated one day late gave 2,505.1)
    pub = _published_model()
    tr_pub = C.repeat_transactions_tracking(pub, cdnow_tx, start="1997-01-01", n_periods=39)
    assert round(tr_pub.loc[39, "expected_cumulative"], 1) == 2497.6


def test_week_78_forecast_with_published_parameters_matches_numerical_integration(cdnow_tx):
    m = _published_model()
    tr = C.repeat_transactions_tracking(m, cdnow_tx, start="1997-01-01", n_periods=78)
    # week 78 ends on 1998-06-30, the last day of the CDNOW data: ages are T of a summary to that day
    full = customer_summary(cdnow_tx, observation_end="1998-06-30")
    ages, counts = np.unique(full["T"].to_numpy(), return_counts=True)
    want = sum(c * _expected_x_by_integration(t, *BG_PUBLISHED.values()) for t, c in zip(ages, counts))
    assert tr["expected_cumulative"].iloc[-1] == pytest.approx(want, rel=1e-8)
    # and the weekly increments add up to it
    assert tr["expected"].sum() == pytest.approx(want, rel=1e-10)


def test_tracking_curve_on_daily_and_monthly_units_uses_the_last_day_of_each_period(cdnow_tx):
    m = _published_model()
    cal = customer_summary(cdnow_tx, observation_end="1997-01-31", time_unit="day")
    tr = C.repeat_transactions_tracking(m, cdnow_tx, start="1997-01-01", n_periods=31, time_unit="day")
    assert tr.loc[31, "expected_cumulative"] == pytest.approx(m.expected_transactions(cal["T"].to_numpy()).sum())
    # months of 365.25/12 days: month 2 ends on day 60 (index 60 -> 1997-03-01 is day 59)
    tr_m = C.repeat_transactions_tracking(m, cdnow_tx, start="1997-01-01", n_periods=3, time_unit="month")
    last = customer_summary(cdnow_tx, observation_end=pd.Timestamp("1997-01-01") + pd.Timedelta(days=60),
                            time_unit="month")
    assert tr_m.loc[2, "expected_cumulative"] == pytest.approx(m.expected_transactions(last["T"].to_numpy()).sum())
