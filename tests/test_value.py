"""Tests for crm_lessons.value (Chapter 1: customer value) and its charts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import value as V
from crm_lessons._validate import CRMInputError, CRMTypeError
from crm_lessons.datasets import load


@pytest.fixture(scope="module")
def cdnow():
    return load("cdnow_master")


@pytest.fixture
def tiny():
    """Three customers; customer 1 buys in Q1, Q2 and Q3 2020, customers 2 and 3 once each."""
    return pd.DataFrame({
        "customer_id": [1, 2, 1, 3, 1],
        "date": pd.to_datetime(["2020-01-05", "2020-02-01", "2020-04-10", "2020-05-01", "2020-09-30"]),
        "dollars": [10.0, 5.0, 12.0, 7.0, 3.0],
    })


TX_HELPERS = [
    lambda df, **kw: V.customer_values(df, as_of="2020-12-31", **kw),
    lambda df, **kw: V.retention_table(df, **kw),
    lambda df, **kw: V.estimate_retention(df, **kw),
    lambda df, **kw: V.estimate_margin(df, **kw),
]
TX_IDS = ["customer_values", "retention_table", "estimate_retention", "estimate_margin"]


# --------------------------------------------------------------------------------------------------
# real data
# --------------------------------------------------------------------------------------------------

def test_customer_values_cover_every_cdnow_master_customer(cdnow):
    # CDNOW master (Fader & Hardie's copy): 23,570 customers, 69,659 records, Jan 1997 - Jun 1998.
    assert len(cdnow) == 69_659
    v = V.customer_values(cdnow, as_of="1998-06-30")
    assert len(v) == 23_570
    assert v["historical_value"].sum() == pytest.approx(cdnow["dollars"].sum())
    assert set(v["cohort"]) == {"1997-01", "1997-02", "1997-03"}


def test_cdnow_current_value_is_last_365_days_of_spend(cdnow):
    v = V.customer_values(cdnow, as_of="1998-06-30", window_days=365)
    recent = cdnow[cdnow["date"] > pd.Timestamp("1997-06-30")]
    assert v["current_value"].sum() == pytest.approx(recent["dollars"].sum())
    assert (v["current_value"] > 0).sum() == recent["customer_id"].nunique()


def test_cdnow_revenue_is_concentrated_but_less_than_80_20(cdnow):
    hist = cdnow.groupby("customer_id")["dollars"].sum()
    share = V.top_share(hist, 0.2)
    # independent computation: sum of the 4,714 largest totals over the grand total
    k = int(round(0.2 * len(hist)))
    assert share == pytest.approx(hist.nlargest(k).sum() / hist.sum(), abs=1e-4)
    assert 0.6 < share < 0.8
    assert 0.55 < V.gini(hist) < 0.75


def test_cdnow_quarterly_retention_matches_a_direct_count(cdnow):
    t = V.retention_table(cdnow, period="Q")
    assert list(t["period"]) == ["1997-01", "1997-04", "1997-07", "1997-10", "1998-01"]
    assert t["active"].iloc[0] == 23_570  # every customer's first purchase is in Q1 1997
    q = cdnow.assign(q=cdnow["date"].dt.to_period("Q"))
    q2 = set(q.loc[q["q"] == pd.Period("1997Q2"), "customer_id"])
    q3 = set(q.loc[q["q"] == pd.Period("1997Q3"), "customer_id"])
    assert t["active"].iloc[1] == len(q2)
    assert t["retained"].iloc[1] == len(q2 & q3)
    pooled = V.estimate_retention(cdnow, period="Q")
    assert pooled == pytest.approx(t["retained"].sum() / t["active"].sum())


def test_half_observed_year_is_not_counted_as_churn(cdnow):
    # 1998 is observed only to June, so with yearly periods only 1997 is complete
    with pytest.raises(CRMInputError, match="shorter period"):
        V.estimate_retention(cdnow, period="Y")
    assert len(V.retention_table(cdnow, period="H")) == 2


# --------------------------------------------------------------------------------------------------
# hand-computed expectations
# --------------------------------------------------------------------------------------------------

def test_customer_values_on_a_hand_checked_frame(tiny):
    tx = tiny.copy()
    tx.loc[1, "date"] = pd.Timestamp("2020-01-20")  # customer 2 joins customer 1's January cohort
    v = V.customer_values(tx, as_of="2020-12-31", window_days=183, spend_bands=1)
    # customer 1: 10 + 12 + 3 = 25; in the last 183 days (after 2020-07-01) only the 3 on 30 Sep
    assert v.loc[1, "historical_value"] == 25.0
    assert v.loc[1, "current_value"] == 3.0
    # current values within the January cohort {1: 3, 2: 0}: 80th percentile = 0 + 0.8 * 3 = 2.4
    assert v.loc[2, "peer_benchmark"] == pytest.approx(2.4)
    assert v.loc[2, "potential_value"] == pytest.approx(2.4)
    assert v.loc[1, "potential_value"] == 0.0  # above the benchmark: no potential left
    # customer 3 is alone in the May cohort: its own value is the benchmark
    assert v.loc[3, "potential_value"] == 0.0
    assert v["cohort"].tolist() == ["2020-01", "2020-01", "2020-05"]


def test_peer_groups_split_a_cohort_by_first_purchase_spend():
    tx = pd.DataFrame({"customer_id": [1, 2, 3, 4, 1, 3],
                       "date": pd.to_datetime(["2020-01-01"] * 4 + ["2020-06-01"] * 2),
                       "dollars": [5.0, 6.0, 50.0, 60.0, 10.0, 100.0]})
    v = V.customer_values(tx, as_of="2020-12-31", window_days=250, spend_bands=2,
                          benchmark_quantile=1.0)
    assert v["first_spend"].tolist() == [5.0, 6.0, 50.0, 60.0]
    assert v["spend_band"].tolist() == [1, 1, 2, 2]
    # current value = June purchases only; small first spenders (1, 2) are benchmarked on customer
    # 1's 10, big first spenders (3, 4) on customer 3's 100
    assert v["peer_benchmark"].tolist() == [10.0, 10.0, 100.0, 100.0]
    assert v["potential_value"].tolist() == [0.0, 10.0, 0.0, 100.0]


def test_customer_values_ignore_purchases_after_as_of(tiny):
    v = V.customer_values(tiny, as_of="2020-04-30", window_days=30, spend_bands=1)
    assert list(v.index) == [1, 2]
    assert v.loc[1, "historical_value"] == 22.0
    assert v.loc[1, "current_value"] == 12.0


def test_margin_share_scales_values(tiny):
    v = V.customer_values(tiny, as_of="2020-12-31", margin_share=0.5, spend_bands=1)
    assert v.loc[1, "historical_value"] == 12.5


def test_lorenz_gini_and_top_share_on_small_hand_computed_sets():
    assert V.gini([3, 3, 3]) == 0.0
    assert V.top_share([3, 3, 3, 3, 3], 0.2) == pytest.approx(0.2)
    # one of four customers holds everything: G = 2*4*1/(4*1) - 5/4 = 0.75 = (n-1)/n
    assert V.gini([0, 0, 0, 1]) == pytest.approx(0.75)
    # [1, 2, 3, 4]: G = 2*(1+4+9+16)/(4*10) - 5/4 = 1.5 - 1.25 = 0.25
    assert V.gini([4, 1, 3, 2]) == pytest.approx(0.25)
    # top 20% of ten customers = the two largest: (9 + 10) / 55
    assert V.top_share(np.arange(1, 11), 0.2) == pytest.approx(19 / 55)
    lc = V.lorenz_curve([1, 1, 2, 4])
    assert lc["value_share"].tolist() == [0, 0.125, 0.25, 0.5, 1.0]


def test_gini_equals_twice_the_area_between_diagonal_and_lorenz_curve():
    x = np.random.default_rng(1).lognormal(3, 1, 500)
    lc = V.lorenz_curve(x)
    area = np.trapezoid(lc["value_share"], lc["customer_share"])
    assert V.gini(x) == pytest.approx(1 - 2 * area, abs=1e-9)


def test_top_share_interpolates_between_whole_customers():
    # 3 customers, top 50% = the top customer (6/10) plus half of the middle one (3/10)
    assert V.top_share([1, 3, 6], 0.5) == pytest.approx(0.75)


def test_value_matrix_labels_all_four_quadrants():
    f = pd.DataFrame({"current_value": [1, 9, 2, 8], "potential_value": [7, 6, 1, 2]})
    m = V.value_matrix(f)
    assert m["quadrant"].tolist() == ["growth customer", "value customer", "low-value customer",
                                      "major customer"]
    assert m.attrs["thresholds"] == {"current_value": 5.0, "potential_value": 4.0}  # medians (2+8)/2, (2+6)/2
    assert V.value_matrix(f, split=0.75)["quadrant"].tolist().count("value customer") == 0


def test_value_matrix_with_median_zero_treats_any_recent_spend_as_high():
    f = pd.DataFrame({"cv": [0.0, 0.0, 0.0, 5.0], "pv": [1.0, 2.0, 3.0, 4.0]})
    m = V.value_matrix(f, current_col="cv", potential_col="pv")
    assert m["current_level"].tolist() == ["low", "low", "low", "high"]


def test_simple_clv_matches_hand_computation():
    assert V.simple_clv(100, 0.8, 0.1) == pytest.approx(100 * 0.8 / 0.3)  # 266.67
    assert V.simple_clv(100, 0.8, 0.1, acquisition_cost=50) == pytest.approx(266.6667 - 50, abs=1e-3)
    assert V.simple_clv(100, 0.0, 0.1) == 0.0
    assert isinstance(V.simple_clv(100, 0.8, 0.1), float)


def test_simple_clv_is_vectorised_over_numpy_arrays():
    r = np.array([0.5, 0.8, 0.9])
    out = V.simple_clv(np.array([100.0, 100.0, 50.0]), r, 0.1)
    assert out.shape == (3,)
    np.testing.assert_allclose(out, [100 * 0.5 / 0.6, 100 * 0.8 / 0.3, 50 * 0.9 / 0.2])
    with pytest.raises(CRMInputError, match="broadcast"):
        V.simple_clv(np.ones(2), np.full(3, 0.5), 0.1)


def test_finite_horizon_clv_converges_to_the_formula():
    limit = V.simple_clv(100, 0.8, 0.1)
    sums = [V.clv_horizon(100, 0.8, 0.1, T) for T in (1, 5, 20, 100, 400)]
    assert sums[0] == pytest.approx(100 * 0.8 / 1.1)
    assert all(a < b for a, b in zip(sums, sums[1:]))
    assert sums[-1] == pytest.approx(limit, rel=1e-12)
    # direct term-by-term sum for T = 5
    assert sums[1] == pytest.approx(sum(100 * 0.8**t / 1.1**t for t in range(1, 6)))
    path = V.clv_path(100, 0.8, 0.1, periods=5)
    assert path["cumulative_clv"].iloc[-1] == pytest.approx(sums[1])
    assert path.attrs["limit"] == pytest.approx(limit)


def test_raising_retention_raises_clv_more_than_proportionally():
    low, high = V.simple_clv(100, 0.8, 0.1), V.simple_clv(100, 0.9, 0.1)
    assert high / low == pytest.approx((0.9 / 0.2) / (0.8 / 0.3))  # 1.6875 for a 12.5% rise in r


def test_periodic_discount_rate_compounds_back_to_the_annual_rate():
    iq = V.periodic_discount_rate(0.10, 4)
    assert (1 + iq) ** 4 == pytest.approx(1.10)


def test_estimate_retention_and_margin_on_a_hand_checked_frame(tiny):
    t = V.retention_table(tiny, period="Q")
    # Q1: {1, 2} -> Q2 {1, 3}: 1 of 2 kept; Q2: {1, 3} -> Q3 {1}: 1 of 2 kept.
    assert t[["active", "retained"]].to_numpy().tolist() == [[2, 1], [2, 1]]
    assert V.estimate_retention(tiny, period="Q") == 0.5
    assert V.estimate_retention(tiny, period="Q", skip_first=True) == 0.5
    # 37 dollars over 5 active customer-quarters
    assert V.estimate_margin(tiny, period="Q") == pytest.approx(37 / 5)
    assert V.estimate_margin(tiny, period="Q", margin_share=0.3) == pytest.approx(0.3 * 37 / 5)
    # without Q1: Q2 (12 + 7) and Q3 (3) over 3 customer-quarters
    assert V.estimate_margin(tiny, period="Q", skip_first=True) == pytest.approx(22 / 3)


def test_word_of_mouth_value_worked_example():
    # tells 25 people, 8% buy, 120 each: 0.08 * 25 * 120 = 240
    assert V.word_of_mouth_value(0.08, 25, 120) == pytest.approx(240.0)
    np.testing.assert_allclose(V.word_of_mouth_value([0.1, 0.2], 10, 50), [50.0, 100.0])


def test_transaction_value_totals_and_attributes():
    t = V.transaction_value({"joint sales": 3000, "exclusive deal": 1000}, attribution=0.25)
    assert t.loc["total", "amount"] == 4000
    assert t.loc["total", "attributed"] == 1000


# --------------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("helper", TX_HELPERS, ids=TX_IDS)
def test_transaction_helpers_name_a_missing_column(helper, tiny):
    with pytest.raises(CRMInputError, match="missing column.*'dollars'"):
        helper(tiny.drop(columns="dollars"))


@pytest.mark.parametrize("helper", TX_HELPERS, ids=TX_IDS)
def test_transaction_helpers_accept_other_column_names(helper, tiny):
    renamed = tiny.rename(columns={"customer_id": "cid", "date": "day", "dollars": "amount"})
    a = helper(tiny)
    b = helper(renamed, customer_col="cid", date_col="day", amount_col="amount")
    if isinstance(a, pd.DataFrame):  # same numbers whatever the columns are called
        assert a.shape == b.shape
        assert np.allclose(a.select_dtypes("number").to_numpy(float), b.select_dtypes("number").to_numpy(float),
                           equal_nan=True)
    else:
        assert a == pytest.approx(b)


@pytest.mark.parametrize("helper", TX_HELPERS, ids=TX_IDS)
def test_transaction_helpers_reject_text_dates_and_amounts(helper, tiny):
    with pytest.raises(CRMInputError, match="'date' must hold datetimes"):
        helper(tiny.assign(date=tiny["date"].dt.strftime("%Y-%m-%d")))
    with pytest.raises(CRMInputError, match="'dollars' must be numeric"):
        helper(tiny.assign(dollars=tiny["dollars"].astype(str)))


@pytest.mark.parametrize("helper", TX_HELPERS, ids=TX_IDS)
def test_transaction_helpers_reject_an_empty_frame(helper, tiny):
    with pytest.raises(CRMInputError, match="empty"):
        helper(tiny.iloc[:0])


@pytest.mark.parametrize("helper", TX_HELPERS, ids=TX_IDS)
def test_transaction_helpers_reject_missing_customer_ids(helper, tiny):
    bad = tiny.assign(customer_id=tiny["customer_id"].astype(float))
    bad.loc[2, "customer_id"] = np.nan
    with pytest.raises(CRMInputError, match="'customer_id' has 1 missing"):
        helper(bad)


@pytest.mark.parametrize("helper", TX_HELPERS, ids=TX_IDS)
def test_transaction_helpers_reject_negative_amounts(helper, tiny):
    bad = tiny.copy()
    bad.loc[1, "dollars"] = -5.0
    with pytest.raises(CRMInputError, match="'dollars' has 1 negative"):
        helper(bad)


@pytest.mark.parametrize("helper", TX_HELPERS, ids=TX_IDS)
def test_transaction_helpers_do_not_modify_the_callers_frame(helper, tiny):
    before = tiny.copy(deep=True)
    helper(tiny)
    pd.testing.assert_frame_equal(tiny, before)


def test_transaction_helpers_reject_a_non_frame():
    with pytest.raises(CRMTypeError, match="DataFrame"):
        V.customer_values([1, 2, 3], as_of="2020-01-01")


def test_customer_values_rejects_bad_options(tiny):
    with pytest.raises(CRMInputError, match="as_of"):
        V.customer_values(tiny, as_of="not a date")
    with pytest.raises(CRMInputError, match="no transactions on or before"):
        V.customer_values(tiny, as_of="2019-01-01")
    with pytest.raises(CRMInputError, match="benchmark_quantile"):
        V.customer_values(tiny, as_of="2020-12-31", benchmark_quantile=1.5)
    with pytest.raises(CRMInputError, match="window_days"):
        V.customer_values(tiny, as_of="2020-12-31", window_days=0)
    with pytest.raises(CRMInputError, match="margin_share"):
        V.customer_values(tiny, as_of="2020-12-31", margin_share=0)


def test_retention_rejects_unknown_period(tiny):
    with pytest.raises(CRMInputError, match="period must be one of"):
        V.estimate_retention(tiny, period="W")


@pytest.mark.parametrize("fn", [V.lorenz_curve, V.gini, V.top_share], ids=["lorenz", "gini", "top_share"])
@pytest.mark.parametrize("bad, match", [
    ([], "empty"),
    ([1.0, np.nan], "missing"),
    ([1.0, -2.0], "negative"),
    ([0.0, 0.0], "every value is 0"),
    (["a", "b"], "numeric"),
], ids=["empty", "nan", "negative", "all-zero", "text"])
def test_concentration_measures_reject_bad_values(fn, bad, match):
    with pytest.raises(CRMInputError, match=match):
        fn(bad)


def test_concentration_measures_reject_a_frame_and_bad_share():
    with pytest.raises(CRMTypeError, match="DataFrame"):
        V.gini(pd.DataFrame({"a": [1, 2]}))
    with pytest.raises(CRMInputError, match="share"):
        V.top_share([1, 2], share=1.5)


def test_concentration_measures_do_not_modify_the_input():
    s = pd.Series([3.0, 1.0, 2.0])
    V.lorenz_curve(s), V.gini(s), V.top_share(s)
    assert s.tolist() == [3.0, 1.0, 2.0]


def test_value_matrix_rejects_bad_frames():
    f = pd.DataFrame({"current_value": [1.0, 2.0], "potential_value": [1.0, 2.0]})
    with pytest.raises(CRMInputError, match="missing column"):
        V.value_matrix(f.drop(columns="potential_value"))
    with pytest.raises(CRMInputError, match="empty"):
        V.value_matrix(f.iloc[:0])
    with pytest.raises(CRMInputError, match="missing value"):
        V.value_matrix(f.assign(current_value=[1.0, np.nan]))
    with pytest.raises(CRMInputError, match="negative"):
        V.value_matrix(f.assign(current_value=[1.0, -1.0]))
    with pytest.raises(CRMInputError, match="must be numeric"):
        V.value_matrix(f.assign(current_value=["1", "2"]))
    with pytest.raises(CRMInputError, match="split"):
        V.value_matrix(f, split="mode")


def test_value_matrix_does_not_modify_the_callers_frame():
    f = pd.DataFrame({"current_value": [1.0, 2.0], "potential_value": [1.0, 2.0]})
    before = f.copy()
    V.value_matrix(f)
    pd.testing.assert_frame_equal(f, before)


@pytest.mark.parametrize("kwargs, match", [
    ({"retention": 1.0}, r"retention must lie in \[0, 1\)"),
    ({"retention": -0.1}, "retention"),
    ({"discount_rate": -0.05}, "discount_rate"),
    ({"margin": np.nan}, "margin must be finite"),
    ({"acquisition_cost": -1}, "acquisition_cost"),
    ({"margin": "100"}, "margin must be a number"),
    ({"retention": [0.5, 1.2]}, "retention"),
])
def test_simple_clv_rejects_impossible_inputs(kwargs, match):
    args = {"margin": 100, "retention": 0.8, "discount_rate": 0.1} | kwargs
    with pytest.raises((CRMInputError, CRMTypeError), match=match):
        V.simple_clv(**args)


def test_clv_horizon_and_path_reject_bad_inputs():
    with pytest.raises(CRMInputError, match="periods"):
        V.clv_horizon(100, 0.8, 0.1, 0)
    with pytest.raises(CRMTypeError, match="periods"):
        V.clv_horizon(100, 0.8, 0.1, 2.5)
    with pytest.raises(CRMInputError, match="retention"):
        V.clv_path(100, 1.0, 0.1)
    with pytest.raises(CRMInputError, match="annual_rate"):
        V.periodic_discount_rate(-0.1, 4)


def test_clv_functions_do_not_modify_input_arrays():
    m, r = np.array([100.0, 50.0]), np.array([0.5, 0.8])
    V.simple_clv(m, r, 0.1, acquisition_cost=10)
    V.clv_horizon(m, r, 0.1, 10)
    assert m.tolist() == [100.0, 50.0] and r.tolist() == [0.5, 0.8]


def test_word_of_mouth_and_transaction_value_reject_bad_inputs():
    with pytest.raises(CRMInputError, match="influence"):
        V.word_of_mouth_value(1.5, 10, 100)
    with pytest.raises(CRMInputError, match="reach"):
        V.word_of_mouth_value(0.1, -3, 100)
    with pytest.raises(CRMInputError, match="avg_purchase must be finite"):
        V.word_of_mouth_value(0.1, 3, np.nan)
    with pytest.raises(CRMInputError, match="non-empty mapping"):
        V.transaction_value({})
    with pytest.raises(CRMInputError, match="joint sales"):
        V.transaction_value({"joint sales": -1})
    with pytest.raises(CRMInputError, match="attribution"):
        V.transaction_value({"joint sales": 1}, attribution=2)


def test_transaction_value_does_not_modify_the_mapping():
    d = {"joint sales": 3000.0}
    V.transaction_value(d, attribution=0.5)
    assert d == {"joint sales": 3000.0}


# --------------------------------------------------------------------------------------------------
# charts
# --------------------------------------------------------------------------------------------------

def test_value_charts_draw_on_cdnow(cdnow):
    from crm_lessons import plotting

    v = V.customer_values(cdnow, as_of="1998-06-30")
    ax = plotting.lorenz_chart(v["historical_value"])
    assert ax.get_xlabel() == "cumulative share of customers"
    ax = plotting.value_matrix_chart(V.value_matrix(v))
    assert len(ax.collections) == 4
    fig = plotting.clv_explorer(20, 0.45, 0.024)
    assert len(fig.axes) == 2


def test_value_matrix_chart_needs_a_value_matrix():
    from crm_lessons import plotting

    f = pd.DataFrame({"current_value": [1.0], "potential_value": [1.0]})
    with pytest.raises(CRMInputError, match="quadrant"):
        plotting.value_matrix_chart(f)


def test_value_charts_have_chinese_labels(cjk):
    import warnings

    from crm_lessons import plotting

    plotting.use_theme()
    plotting.use_language("zh")
    try:
        ax = plotting.lorenz_chart([1, 2, 3, 10])
        assert ax.get_title() == "客户价值洛伦兹曲线"
        fig = plotting.clv_explorer(20, 0.45, 0.024)
        assert fig.axes[1].get_xlabel() == "客户保持率"
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*missing from font.*")
            import io
            fig.savefig(io.BytesIO(), format="png")
    finally:
        plotting.use_language("en")
