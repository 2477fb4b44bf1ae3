"""Chapter 10 helpers: journeys, consistency of care, bad experience, returns, self-service escalation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import experience as ex
from crm_lessons import plotting
from crm_lessons._validate import CRMInputError, CRMTypeError


def _lines() -> pd.DataFrame:
    """Three customers: 1 orders three times and cancels once; 2 orders once; 3 orders twice (France)."""
    rows = [
        ("100", "10001", "MUG", 4, "2011-01-03 10:00", 2.0, 1, "United Kingdom"),
        ("100", "POST", "POSTAGE", 1, "2011-01-03 10:00", 18.0, 1, "United Kingdom"),
        ("C101", "10001", "MUG", -1, "2011-01-05 09:00", 2.0, 1, "United Kingdom"),
        ("102", "10002", "GLASS VASE", 2, "2011-02-02 12:00", 5.0, 1, "United Kingdom"),
        ("103", "10001", "MUG", 6, "2011-03-04 12:00", 2.0, 1, "United Kingdom"),
        ("200", "10002", "GLASS VASE", 1, "2011-01-10 12:00", 5.0, 2, "United Kingdom"),
        ("300", "10001", "MUG", 10, "2011-01-20 08:00", 2.0, 3, "France"),
        ("301", "10002", "GLASS VASE", 3, "2011-04-20 08:00", 5.0, 3, "France"),
        ("400", "10002", "GLASS VASE", -5, "2011-01-21 08:00", 0.0, None, "United Kingdom"),  # write-off
        ("A1", "B", "Adjust bad debt", 1, "2011-01-22 08:00", 100.0, None, "United Kingdom"),
    ]
    df = pd.DataFrame(rows, columns=list(ex.LINE_COLUMNS))
    df["invoice_date"] = pd.to_datetime(df["invoice_date"])
    df["customer_id"] = df["customer_id"].astype("Int64")
    return df


def test_product_lines_drops_postage_write_offs_and_adjustments_without_touching_the_input():
    raw = _lines()
    before = raw.copy()
    pl = ex.product_lines(raw)
    pd.testing.assert_frame_equal(raw, before)
    assert set(pl["stock_code"]) == {"10001", "10002"}
    assert "400" not in set(pl["invoice"]) and "A1" not in set(pl["invoice"])
    assert pl.loc[pl["invoice"] == "C101", "cancelled"].all()
    assert pl.loc[pl["invoice"] == "C101", "revenue"].iloc[0] == -2.0


def test_journeys_count_orders_cancellations_and_days_between_orders():
    inv = ex.invoice_table(_lines())
    assert len(inv) == 7 and inv["cancelled"].sum() == 1
    j = ex.customer_journeys(inv).set_index("customer_id")
    assert j.loc[1, "orders"] == 3 and j.loc[1, "cancellations"] == 1 and j.loc[1, "ever_cancelled"]
    assert j.loc[2, "orders"] == 1 and not j.loc[2, "repeat"] and np.isnan(j.loc[2, "mean_days_between_orders"])
    # customer 3: two orders 90 days apart
    assert j.loc[3, "mean_days_between_orders"] == pytest.approx(90.0)
    f = ex.journey_funnel(j.reset_index(), max_orders=3)
    assert f["customers"].tolist() == [3, 2, 1]
    assert f["continue_rate"].tolist() == pytest.approx([1.0, 2 / 3, 0.5])


def test_cancellation_rates_have_wilson_intervals_and_consistency_is_zero_for_equal_groups():
    inv = pd.DataFrame({"customer_id": range(200), "invoice_date": pd.Timestamp("2011-01-01"),
                        "value": 1.0, "country": ["A"] * 100 + ["B"] * 100,
                        "cancelled": ([True] * 10 + [False] * 90) * 2})
    r = ex.cancellation_rates(inv, "country")
    assert r["rate"].tolist() == [0.1, 0.1]
    # Wilson 95% interval for 10/100 is about (0.0552, 0.1744) (Newcombe 1998, table I method 3)
    assert r["ci_low"].iloc[0] == pytest.approx(0.0552, abs=1e-3)
    assert r["ci_high"].iloc[0] == pytest.approx(0.1744, abs=1e-3)
    c = ex.care_consistency(r)
    assert c["weighted_cv"].iloc[0] == pytest.approx(0.0) and c["p_value"].iloc[0] == pytest.approx(1.0)


def test_care_consistency_flags_unequal_groups():
    r = pd.DataFrame({"g": ["A", "B"], "invoices": [1000, 1000], "cancellations": [50, 150],
                      "rate": [0.05, 0.15]})
    c = ex.care_consistency(r).iloc[0]
    assert c["p_value"] < 1e-6 and c["weighted_cv"] == pytest.approx(0.5)
    with pytest.raises(CRMInputError, match="at least 2 groups"):
        ex.care_consistency(r.head(1))


def _history(n=4000, seed=3, effect=0.0):
    rng = np.random.default_rng(seed)
    prior = rng.poisson(3, n) + 1
    had = rng.random(n) < np.minimum(0.08 * prior, 0.9)  # heavy buyers cancel more often
    logit = -1.5 + 1.2 * np.log(prior) + effect * had
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({"had_cancellation": had, "prior_orders": prior, "log_prior_value": np.log1p(prior * 100.0),
                         "recency_days": rng.uniform(0, 200, n), "tenure_days": rng.uniform(200, 300, n),
                         "uk": rng.random(n) < 0.9, "ordered_after": y})


def test_bad_experience_effect_removes_the_selection_the_raw_difference_carries():
    # Simulated: no effect of a cancellation, but heavy buyers both cancel and return more often.
    res = ex.bad_experience_effect(_history(effect=0.0)).set_index("measure")
    assert res.loc["raw difference", "ci_low"] > 0  # raw comparison: cancellers look *more* loyal
    assert res.loc["adjusted odds ratio", "ci_low"] < 1 < res.loc["adjusted odds ratio", "ci_high"]
    hurt = ex.bad_experience_effect(_history(effect=-1.0, n=8000)).set_index("measure")
    assert hurt.loc["adjusted odds ratio", "ci_high"] < 1
    assert hurt.loc["adjusted marginal effect", "estimate"] < 0


def test_bad_experience_frame_splits_history_and_outcome():
    inv = ex.invoice_table(_lines())
    f = ex.bad_experience_frame(inv, split="2011-02-01").set_index("customer_id")
    assert f.loc[1, "had_cancellation"] and f.loc[1, "prior_orders"] == 1 and f.loc[1, "orders_after"] == 2
    assert not f.loc[2, "ordered_after"] and f.loc[3, "ordered_after"]
    with pytest.raises(CRMInputError, match="split"):
        ex.bad_experience_frame(inv, split="2015-01-01")
    with pytest.raises(CRMInputError, match="both True and False"):
        ex.bad_experience_effect(f.assign(had_cancellation=True))


def test_product_and_word_return_rates_count_lines_not_units():
    raw = _lines()
    p = ex.product_return_rates(raw, min_lines=1).set_index("stock_code")
    assert p.loc["10001", "order_lines"] == 3 and p.loc["10001", "return_lines"] == 1
    assert p.loc["10001", "return_rate"] == pytest.approx(1 / 3) and p.loc["10002", "return_rate"] == 0
    w = ex.word_return_rates(p.reset_index(), min_products=1).set_index("word")
    assert w.loc["MUG", "return_rate"] == pytest.approx(1 / 3) and w.loc["GLASS", "products"] == 1


def test_tryon_plan_uses_the_chapter_4_sample_size_and_break_even_is_infinite_without_savings():
    from crm_lessons.interact import ab_sample_size

    plan = ex.tryon_test_plan(0.05, 0.2, orders_per_week=1000).iloc[0]
    assert plan["orders_per_arm"] == ab_sample_size(0.05, 0.04)["n_control"]
    assert plan["weeks"] == pytest.approx(plan["orders_total"] / 1000)
    # 10,000 orders x 10% returns x 50% fewer x GBP 20 = GBP 10,000 a year: 50,000 pays back in 5 years
    assert ex.tryon_break_even(50_000, orders_per_year=10_000, return_rate=0.1, relative_reduction=0.5,
                               cost_per_return=20) == pytest.approx(5.0)
    assert ex.tryon_break_even(1, orders_per_year=10, return_rate=0.1, relative_reduction=0.1,
                               cost_per_return=1, yearly_running_cost=5) == float("inf")
    with pytest.raises(CRMInputError, match="relative_reduction"):
        ex.tryon_test_plan(0.05, 1.2, orders_per_week=100)


def test_escalation_funnel_conserves_questions_and_matches_the_product_formula():
    f = ex.escalation_funnel(1000)
    assert f["solved"].sum() == pytest.approx(1000)
    s = ex.ESCALATION_STEPS["solve_share"].to_numpy()
    assert f["reached"].iloc[3] == pytest.approx(1000 * np.prod(1 - s[:3]))
    steps = pd.DataFrame({"step": ["FAQ search", "case library"], "solve_share": [0.5, 0.5],
                          "cost_per_question": [1.0, 2.0]})
    g = ex.escalation_funnel(100, steps)
    assert g["step"].tolist() == ["FAQ search", "case library", "unsolved"] and g["reached"].iloc[2] == 25
    assert g["cost"].sum() == pytest.approx(100 * 1 + 50 * 2)
    with pytest.raises(CRMInputError, match="solve_share"):
        ex.escalation_funnel(100, steps.assign(solve_share=[1.5, 0.2]))


def test_more_case_library_coverage_means_fewer_questions_for_staff():
    t = ex.coverage_effect(10_000, [0.0, 0.5, 1.0], find_rate=1.0)
    assert t["to_staff"].is_monotonic_decreasing
    # with full coverage and every answer found, nothing gets past the case library
    assert t["to_staff"].iloc[-1] == pytest.approx(0)
    fb = ex.library_feedback(10, coverage0=0.2, publish_share=1.0, learn_rate=0.5)
    assert fb["coverage"].iloc[1] == pytest.approx(0.6) and fb["coverage"].is_monotonic_increasing
    assert ex.staff_needed(375, 60, hours_per_week=37.5, occupancy=1.0) == pytest.approx(10.0)
    with pytest.raises(CRMInputError, match="coverage"):
        ex.coverage_effect(100, [1.5])
    with pytest.raises(CRMTypeError):
        ex.staff_needed("many", 5)


def test_tiers_and_buyer_types():
    inv = ex.invoice_table(_lines())
    j = ex.customer_journeys(inv)
    t = ex.customer_tiers(j, top_share=0.34).set_index("customer_id")
    assert t.loc[2, "tier"] == "2 one-time buyer" and t["tier"].cat.ordered
    assert t.loc[1, "tier"] in ("3 repeat buyer", "4 loyal core")
    b = ex.buyer_type(inv, wholesale_units=5).set_index("customer_id")
    assert b.loc[3, "buyer"] == "B2B" and b.loc[2, "buyer"] == "B2C"


def test_bad_input_names_the_column_and_the_fix():
    raw = _lines()
    with pytest.raises(CRMInputError, match="invoice_date.*pd.to_datetime"):
        ex.product_lines(raw.assign(invoice_date=raw["invoice_date"].astype(str)))
    with pytest.raises(CRMInputError, match="missing column"):
        ex.product_lines(raw.drop(columns="country"))
    with pytest.raises(CRMInputError, match="cancelled"):
        ex.customer_journeys(ex.invoice_table(raw).assign(cancelled="no"))
    with pytest.raises(CRMTypeError):
        ex.invoice_table([1, 2])


def test_charts_draw_from_helper_output():
    import matplotlib

    matplotlib.use("Agg")
    inv = ex.invoice_table(_lines())
    j = ex.customer_journeys(inv)
    assert plotting.journey_funnel_chart(ex.journey_funnel(j, max_orders=3)).get_title()
    assert plotting.rate_interval_chart(ex.cancellation_rates(inv, "country"), "country").get_title()
    assert plotting.escalation_funnel_chart(ex.escalation_funnel(100)).get_title()
    t = ex.coverage_effect(100, [0, 0.5]).assign(staff=lambda d: d["to_staff"] / 10)
    assert plotting.coverage_staff_chart(t).get_title()
    assert plotting.order_gap_chart(j).get_title()
    w = ex.word_return_rates(ex.product_return_rates(_lines(), min_lines=1), min_products=1)
    assert plotting.word_return_chart(w, top=2).get_title()


def test_bad_experience_outcomes_recover_a_simulated_drop_in_orders_and_a_delay():
    # Simulated: a cancellation halves the expected number of later orders and doubles the wait.
    rng = np.random.default_rng(11)
    n = 6000
    prior = rng.poisson(3, n) + 1
    had = rng.random(n) < np.minimum(0.08 * prior, 0.9)
    orders = rng.poisson(0.8 * prior * np.where(had, 0.5, 1.0))
    days = np.where(orders > 0, rng.exponential(30, n) * np.where(had, 2.0, 1.0) + 1, np.nan)
    frame = pd.DataFrame({"had_cancellation": had, "prior_orders": prior,
                          "log_prior_value": np.log1p(prior * 100.0), "recency_days": rng.uniform(0, 200, n),
                          "tenure_days": rng.uniform(200, 300, n), "uk": rng.random(n) < 0.9,
                          "ordered_after": orders > 0, "orders_after": orders, "days_to_next_order": days})
    before = frame.copy()
    res = ex.bad_experience_outcomes(frame).set_index("outcome")
    pd.testing.assert_frame_equal(frame, before)
    rate = res.loc["orders after (rate ratio)"]
    assert rate["ci_low"] < 0.5 < rate["ci_high"]
    wait = res.loc["days to next order (ratio)"]
    assert wait["ci_low"] > 1.4  # log of an exponential: the ratio of geometric means is about 2
    assert res.loc["days to next order (ratio)", "customers"] == int((orders > 0).sum())


def test_no_helper_changes_the_callers_frames():
    raw = _lines()
    raw_copy = raw.copy()
    inv = ex.invoice_table(raw)
    inv_copy = inv.copy()
    j = ex.customer_journeys(inv)
    j_copy = j.copy()
    ex.journey_funnel(j, max_orders=3)
    ex.cancellation_rates(inv, "country")
    ex.bad_experience_frame(inv, split="2011-02-01")
    ex.customer_tiers(j)
    ex.buyer_type(inv)
    p = ex.product_return_rates(raw, min_lines=1)
    p_copy = p.copy()
    ex.word_return_rates(p, min_products=1)
    steps = ex.ESCALATION_STEPS.copy()
    ex.coverage_effect(100, [0.2, 0.8], steps=steps)
    pd.testing.assert_frame_equal(raw, raw_copy)
    pd.testing.assert_frame_equal(inv, inv_copy)
    pd.testing.assert_frame_equal(j, j_copy)
    pd.testing.assert_frame_equal(p, p_copy)
    pd.testing.assert_frame_equal(steps, ex.ESCALATION_STEPS)


def test_escalation_funnel_never_loses_or_creates_questions():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, deadline=None)
    @given(q=st.floats(0, 1e6), shares=st.lists(st.floats(0, 1), min_size=1, max_size=6))
    def check(q, shares):
        steps = pd.DataFrame({"step": [f"s{i}" for i in range(len(shares))], "solve_share": shares,
                              "cost_per_question": 1.0})
        f = ex.escalation_funnel(q, steps)
        assert f["solved"].sum() + f.loc[f["step"] == "unsolved", "reached"].sum() == pytest.approx(q, rel=1e-9, abs=1e-6)
        assert (f["reached"].diff().dropna() <= 1e-9 * max(q, 1)).all()  # never more questions further down

    check()
