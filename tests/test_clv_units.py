"""CLV results carry their units: time unit, horizon, discount rate per period, residual vs total (issue 16)."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_lessons import clv as C
from crm_lessons._validate import CRMInputError


@pytest.fixture()
def model():
    m = C.BetaGeoModel()
    m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    return m


SUMMARY = pd.DataFrame({"frequency": [0, 3], "recency": [0.0, 30.0], "T": [38.0, 38.0]})


def test_clv_attrs_record_unit_horizon_rates_and_value_type(model):
    v = C.customer_lifetime_value(model, SUMMARY, spend_per_transaction=[30.0, 40.0], margin_share=0.3,
                                  annual_discount_rate=0.10, periods_per_year=12, horizon_periods=24)
    a = v.attrs
    assert a["value_type"] == "residual" and a["time_unit"] == "month"
    assert a["horizon_periods"] == 24 and a["horizon_years"] == pytest.approx(2.0)
    assert a["discount_rate_per_period"] == pytest.approx(C.per_period_discount_rate(0.10, 12))
    assert "24 months (2 years)" in C.clv_units(v) and "per month" in C.clv_units(v)


def test_time_unit_can_be_named_and_weeks_are_recognised(model):
    kw = dict(spend_per_transaction=[30.0, 40.0], margin_share=0.3, annual_discount_rate=0.1, horizon_periods=10)
    assert C.customer_lifetime_value(model, SUMMARY, periods_per_year=365.25 / 7, **kw).attrs["time_unit"] == "week"
    v = C.customer_lifetime_value(model, SUMMARY, periods_per_year=26, time_unit="fortnight", **kw)
    assert v.attrs["time_unit"] == "fortnight"


def test_clv_units_refuses_results_without_units():
    with pytest.raises(CRMInputError, match="no unit attributes"):
        C.clv_units(pd.Series([1.0]))
