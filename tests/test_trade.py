"""Foreign-trade helpers (Chapter 11): concentration, acquisition, repeat orders, prospecting cost."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import datasets, trade, value
from crm_lessons._validate import CRMInputError


@pytest.fixture(scope="module")
def foreign():
    return trade.export_customers(datasets.load("online_retail"))


@pytest.fixture
def lines():
    return pd.DataFrame({
        "invoice": ["1", "2", "C3", "4", "5"], "quantity": [10, 5, -2, 1, 3],
        "unit_price": [2.0, 2.0, 2.0, 9.0, 1.0], "customer_id": pd.array([7, 7, 7, 8, None], dtype="Int64"),
        "country": ["France", "France", "France", "United Kingdom", "Spain"],
        "invoice_date": pd.to_datetime(["2011-01-05", "2011-03-01", "2011-03-02", "2011-01-01", "2011-02-01"])})


def test_export_customers_nets_cancellations_and_skips_home_and_anonymous_lines(lines):
    c = trade.export_customers(lines)
    # customer 7: 10*2 + 5*2 - 2*2 = 26 GBP over 2 orders (the cancellation is not an order); 8 is UK; NA dropped
    assert c["customer_id"].tolist() == [7]
    assert c.loc[0, "revenue (GBP)"] == 26.0 and c.loc[0, "orders"] == 2


def test_export_customers_does_not_modify_input_and_names_bad_home_country(lines):
    before = lines.copy()
    trade.export_customers(lines)
    pd.testing.assert_frame_equal(lines, before)
    with pytest.raises(CRMInputError, match="home_country"):
        trade.export_customers(lines, home_country="UK")
    with pytest.raises(CRMInputError, match="invoice"):
        trade.export_customers(lines.drop(columns="invoice"))


def test_online_retail_foreign_buyers_are_concentrated(foreign):
    # 422 customers outside the UK with a customer id; 4 net to zero or less after cancellations
    assert len(foreign) == 418 and foreign.attrs["dropped_customers"] == 4
    t = trade.concentration(foreign["revenue (GBP)"]).set_index("measure")["value"]
    assert 75 < t["top 20% of buyers (%)"] < 82  # the 80/20 rule roughly holds for export buyers
    assert t["Gini"] == pytest.approx(value.gini(foreign["revenue (GBP)"]), abs=0.005)
    assert t["top 1 share (%)"] > 15


def test_concentration_hand_example_and_bad_input():
    t = trade.concentration([50, 20, 10, 10, 5, 5], top=[1, 2]).set_index("measure")["value"]
    assert t["top 2 share (%)"] == 70.0  # (50 + 20) / 100
    with pytest.raises(CRMInputError, match="non-negative"):
        trade.concentration([5, -1])
    with pytest.raises(CRMInputError, match="exceeds"):
        trade.concentration([5, 1], top=[3])


def test_acquisition_counts_each_country_once():
    c = pd.DataFrame({"first_order": pd.to_datetime(["2011-01-03", "2011-01-20", "2011-02-01", "2011-03-09"]),
                      "country": ["France", "Spain", "France", "Japan"]})
    a = trade.acquisition_by_month(c)
    assert a["new countries"].tolist() == [2, 0, 1] and a["countries so far"].iloc[-1] == 3
    with pytest.raises(CRMInputError, match="datetime"):
        trade.acquisition_by_month(c.assign(first_order=c["first_order"].astype(str)))


def test_big_buyers_reorder_more_than_small(foreign):
    r = trade.repeat_by_size(foreign)
    assert r["buyers"].sum() == len(foreign)
    assert r.loc[0, "re-ordered (%)"] > r.loc[2, "re-ordered (%)"]
    assert r["revenue share (%)"].sum() == pytest.approx(100, abs=0.2)


def test_loss_of_top_replacement_uses_the_median_buyer():
    t = trade.loss_of_top(pd.DataFrame({"revenue (GBP)": [60, 20, 10, 10]}), ks=[1, 2])
    # median of 60, 20, 10, 10 is 15: losing 60 needs 4 typical buyers, losing 80 needs 5.3
    assert t["typical buyers to replace them"].tolist() == [4.0, 5.3]


def test_prospecting_cost_formula_and_table_order():
    assert trade.prospecting_cost(1000, 10, 20, 0.1, hourly_cost=50) == pytest.approx(750.0)  # 1500 / 2
    assert trade.prospecting_cost(0, 10, 0, 0.1) == np.inf
    t = trade.prospecting_table()
    assert len(t) == 10 and t["cost per customer (CNY)"].is_monotonic_increasing
    with pytest.raises(CRMInputError, match="win_rate"):
        trade.prospecting_cost(0, 1, 1, 1.5)


def test_prospecting_table_uses_edited_assumptions_without_touching_defaults():
    ways = trade.PROSPECTING_WAYS.copy()
    before = trade.PROSPECTING_WAYS.copy()
    ways.loc[ways["way"] == "Trade fairs", "leads to customers"] = 0.5
    t = trade.prospecting_table(ways).set_index("way")
    assert t.loc["Trade fairs", "cost per customer (CNY)"] == round((15000 + 60 * 60) / 20)
    pd.testing.assert_frame_equal(trade.PROSPECTING_WAYS, before)


def test_trade_charts_draw_and_name_missing_columns(foreign):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from crm_lessons import plotting

    ax = plotting.acquisition_chart(trade.acquisition_by_month(foreign))
    assert len(ax.patches) == 13  # one bar per month, Dec 2010 to Dec 2011
    ax = plotting.prospecting_chart(trade.prospecting_table())
    assert len(ax.patches) == 10
    with pytest.raises(CRMInputError, match="cost per customer"):
        plotting.prospecting_chart(trade.prospecting_table().drop(columns="cost per customer (CNY)"))
    plt.close("all")
