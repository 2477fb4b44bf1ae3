"""Tests for crm_lessons.complaints: generator truth, Pareto, rates, Kaplan-Meier, SLA, paradox, circles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import complaints, plotting
from crm_lessons._validate import CRMInputError


@pytest.fixture(scope="module")
def data():
    return complaints.make_tickets(20_000, seed=0)


def test_same_seed_gives_same_tickets_and_customers():
    a = complaints.make_tickets(2_000, seed=7)
    b = complaints.make_tickets(2_000, seed=7)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])


def test_generator_keeps_its_stated_structure(data):
    tickets, customers = data
    assert len(customers) == 20_000 and customers["customer_id"].is_unique
    assert tickets["customer_id"].is_unique  # at most one complaint per customer
    assert set(tickets["customer_id"]) == set(customers.loc[customers["complained"], "customer_id"])
    assert (tickets["opened"].dt.year == 2025).all()
    open_ = tickets["outcome"] == "still open"
    assert open_.sum() > 0
    assert tickets.loc[open_, "resolved"].isna().all() and tickets.loc[open_, "satisfaction"].isna().all()
    assert tickets.loc[~open_, "resolved"].notna().all()
    closed = tickets[~open_]
    assert (closed["resolved"] >= closed["first_response"]).all()
    assert (closed["first_response"] >= closed["opened"]).all()
    # Loyal customers complain at about 10%, new ones at about 6% (the stated rates).
    rate = customers.groupby("segment")["complained"].mean()
    assert rate["loyal"] == pytest.approx(0.10, abs=0.01) and rate["new"] == pytest.approx(0.06, abs=0.01)
    # Recovered complainers are more satisfied than the others.
    sat = tickets.groupby("outcome")["satisfaction"].mean()
    assert sat["recovered"] > 3.5 > sat["not recovered"]


def test_generator_rejects_bad_parameters():
    with pytest.raises(CRMInputError):
        complaints.make_tickets(0)
    with pytest.raises(CRMInputError):
        complaints.make_tickets(100, base_repurchase=1.0)
    with pytest.raises(CRMInputError):
        complaints.make_tickets(100, complaint_rate_new=1.5)


def test_pareto_table_sorts_and_marks_the_vital_few(data):
    tickets, _ = data
    before = tickets.copy()
    p = complaints.pareto_table(tickets, "category")
    pd.testing.assert_frame_equal(tickets, before)
    assert p["complaints"].is_monotonic_decreasing
    assert p["complaints"].sum() == len(tickets)
    assert p["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    # vital few: every category up to and including the first one to reach 80%
    k = int(np.argmax(p["cumulative_share"].to_numpy() >= 0.8))
    assert p["vital_few"].tolist() == [True] * (k + 1) + [False] * (len(p) - k - 1)
    with pytest.raises(CRMInputError, match="missing column"):
        complaints.pareto_table(tickets, "colour")


def test_complaint_rates_per_1000_count_the_silent_customers_too(data):
    tickets, customers = data
    before = customers.copy()
    r = complaints.complaint_rates(tickets, customers)
    pd.testing.assert_frame_equal(customers, before)
    assert r["per_1000"].item() == pytest.approx(1000 * len(tickets) / len(customers))
    by = complaints.complaint_rates(tickets, customers, by="segment").set_index("segment")
    assert by["customers"].sum() == len(customers)
    assert by.loc["loyal", "per_1000"] > by.loc["new", "per_1000"]
    with pytest.raises(CRMInputError):
        complaints.complaint_rates(tickets, customers, by="region")


def test_kaplan_meier_keeps_open_tickets_as_censored(data):
    tickets, _ = data
    d = complaints.time_to_event(tickets, event="resolved")
    assert len(d) == len(tickets)  # none dropped
    assert (~d["observed"]).sum() == (tickets["outcome"] == "still open").sum()
    end = pd.Timestamp("2026-01-01")
    still = d[~d["observed"]]
    assert np.allclose(still["hours"], (end - still["opened"]) / pd.Timedelta(hours=1))


def test_km_median_is_longer_than_the_naive_median_of_closed_tickets(data):
    # Open tickets are the slow ones; dropping them biases the median down. A mid-year snapshot has many
    # open tickets, so the gap is large there.
    tickets, _ = data
    full = complaints.km_medians(tickets, by=None).iloc[0]
    assert full["km_median_hours"] > full["naive_median_closed_hours"]
    snap = complaints.km_medians(tickets, by=None, end_of_data="2025-03-01").iloc[0]
    assert snap["still_open"] > 20
    assert snap["km_median_hours"] > 1.15 * snap["naive_median_closed_hours"]
    assert snap["ci_low"] <= snap["km_median_hours"] <= snap["ci_high"]


def test_km_median_matches_statsmodels_and_orders_channels_as_generated(data):
    from statsmodels.duration.survfunc import SurvfuncRight

    tickets, _ = data
    m = complaints.km_medians(tickets, event="first_response", by="channel").set_index("channel")
    d = complaints.time_to_event(tickets, event="first_response")
    g = d[d["channel"] == "email"]
    want = SurvfuncRight(g["hours"].to_numpy(), g["observed"].to_numpy().astype(int)).quantile(0.5)
    assert m.loc["email", "km_median_hours"] == pytest.approx(want)
    # Generator medians: phone 0.3 h < store 1 h < social 3 h < web 16 h < e-mail 20 h.
    assert m.loc["phone", "km_median_hours"] < m.loc["store", "km_median_hours"] < \
        m.loc["social media", "km_median_hours"] < m.loc["email", "km_median_hours"]
    assert m.loc["email", "km_median_hours"] == pytest.approx(20, rel=0.25)


def test_time_to_event_rejects_bad_input(data):
    tickets, _ = data
    with pytest.raises(CRMInputError):
        complaints.time_to_event(tickets, event="closed")
    bad = tickets.assign(opened=tickets["opened"].astype(str))
    with pytest.raises(CRMInputError, match="datetimes"):
        complaints.time_to_event(bad)
    with pytest.raises(CRMInputError, match="later date"):
        complaints.time_to_event(tickets, end_of_data="2020-01-01")


def test_sla_compliance_counts_late_open_tickets_as_breaches(data):
    tickets, _ = data
    s = complaints.sla_compliance(tickets, event="first_response", hours=24, by="channel").set_index("channel")
    assert s.loc["phone", "compliance"] > 0.95 > s.loc["email", "compliance"]
    assert (s["met"] + s["pending"] + s["breached"] == s["tickets"]).all()
    # Hand check of the overall share.
    d = complaints.time_to_event(tickets, event="first_response")
    met = (d["observed"] & (d["hours"] <= 24)).sum()
    breached = (d["hours"] > 24).sum()
    overall = complaints.sla_compliance(tickets, event="first_response", hours=24, by=None)
    assert overall["compliance"].item() == pytest.approx(met / (met + breached))
    sev = complaints.sla_compliance(tickets, event="resolved", hours={"high": 168, "medium": 120, "low": 72},
                                    by="severity")
    assert len(sev) == 3
    with pytest.raises(CRMInputError, match="no deadline"):
        complaints.sla_compliance(tickets, event="resolved", hours={"high": 168}, by="severity")
    with pytest.raises(CRMInputError):
        complaints.sla_compliance(tickets, hours=-5)


def test_recovery_paradox_regression_recovers_the_true_effect():
    # Large seeded sample: the 95% interval of each outcome's log-odds covers the generator's value.
    truth = dict(recovery_effect=0.5, poor_handling_effect=-1.2, open_effect=-0.6)
    _, customers = complaints.make_tickets(60_000, seed=11, **truth)
    before = customers.copy()
    r = complaints.recovery_paradox(customers).set_index("outcome")
    pd.testing.assert_frame_equal(customers, before)
    assert r.loc["recovered", "ci_low"] < 0.5 < r.loc["recovered", "ci_high"]
    assert r.loc["recovered", "ci_low"] > 0  # the paradox is detected
    assert r.loc["not recovered", "ci_low"] < -1.2 < r.loc["not recovered", "ci_high"]
    assert r.loc["recovered", "odds_ratio"] == pytest.approx(np.exp(r.loc["recovered", "log_odds"]))


def test_no_paradox_when_the_generator_has_none():
    _, customers = complaints.make_tickets(60_000, seed=12, recovery_effect=0.0)
    r = complaints.recovery_paradox(customers).set_index("outcome")
    assert r.loc["recovered", "ci_low"] < 0 < r.loc["recovered", "ci_high"]


def test_recovery_paradox_rejects_bad_input(data):
    _, customers = data
    with pytest.raises(CRMInputError, match="missing column"):
        complaints.recovery_paradox(customers.drop(columns="repurchased"))
    with pytest.raises(CRMInputError):
        complaints.recovery_paradox(customers, reference="happy")
    with pytest.raises(CRMInputError, match="missing values"):
        complaints.recovery_paradox(customers.assign(repurchased=np.nan))


def test_repurchase_by_outcome_is_the_raw_rate(data):
    _, customers = data
    r = complaints.repurchase_by_outcome(customers).set_index("outcome")
    assert r.loc["recovered", "repurchase_rate"] == pytest.approx(
        customers.loc[customers["outcome"] == "recovered", "repurchased"].mean())


def test_circle_model_grows_with_good_handling_and_shrinks_with_bad():
    good = complaints.circle_model(24, recovery_rate=0.9)
    bad = complaints.circle_model(24, recovery_rate=0.1)
    assert good["customers"].is_monotonic_increasing and bad["customers"].is_monotonic_decreasing
    assert good["sales"].iloc[-1] > bad["sales"].iloc[-1]
    # One step by hand: N=10,000, 10% problems, 70% complain, 90% recovered.
    s = 10_000 * 0.9 + 10_000 * 0.1 * 0.7 * 0.9
    d = 10_000 - s
    n1 = 0.96 * s + 0.6 * d + max(0.0, 0.07 * s - 0.12 * d)
    assert good["customers"].iloc[1] == pytest.approx(n1)
    with pytest.raises(CRMInputError):
        complaints.circle_model(10, recovery_rate=1.5)
    with pytest.raises(CRMInputError):
        complaints.circle_model(0)


def test_complaint_charts_draw(data):
    tickets, customers = data
    assert plotting.complaint_pareto_chart(complaints.pareto_table(tickets)).get_title()
    assert plotting.ticket_km_chart(tickets, by="severity").get_title()
    assert plotting.recovery_chart(complaints.recovery_paradox(customers)).get_title()
    runs = {"good": complaints.circle_model(12, recovery_rate=0.9),
            "bad": complaints.circle_model(12, recovery_rate=0.1)}
    assert plotting.circle_chart(runs).get_title()


def test_duration_helpers_do_not_mutate_the_tickets(data):
    tickets, customers = data
    t_before, c_before = tickets.copy(), customers.copy()
    complaints.time_to_event(tickets)
    complaints.km_medians(tickets, by="channel")
    complaints.sla_compliance(tickets, hours=24)
    complaints.repurchase_by_outcome(customers)
    pd.testing.assert_frame_equal(tickets, t_before)
    pd.testing.assert_frame_equal(customers, c_before)


def test_helpers_reject_frames_that_are_empty_or_not_frames(data):
    tickets, customers = data
    with pytest.raises(CRMInputError, match="empty"):
        complaints.pareto_table(tickets.iloc[:0])
    with pytest.raises(TypeError, match="DataFrame"):
        complaints.km_medians(tickets.to_dict())
    with pytest.raises(CRMInputError, match="missing column"):
        complaints.km_medians(tickets, by="region")
    with pytest.raises(CRMInputError, match="missing column"):
        complaints.repurchase_by_outcome(customers.drop(columns="outcome"))
    with pytest.raises(CRMInputError, match="missing values"):
        complaints.time_to_event(tickets.assign(opened=pd.NaT).astype({"opened": "datetime64[us]"}))


# Issue 17 ----------------------------------------------------------------------------------------

def test_complaint_rates_refuses_text_ids_against_integer_ids_instead_of_zero_complaints():
    t, c = complaints.make_tickets(2000, seed=1)
    with pytest.raises(CRMInputError, match=r"'customer_id' holds texts in tickets.*numbers in customers"):
        complaints.complaint_rates(t.assign(customer_id=t["customer_id"].astype(str)), c)


def test_complaint_rates_refuses_tickets_without_a_customer_and_counts_unknown_customers():
    t, c = complaints.make_tickets(2000, seed=1)
    gap = t.assign(customer_id=t["customer_id"].astype("float64"))
    gap.loc[gap.index[0], "customer_id"] = np.nan
    with pytest.raises(CRMInputError, match=r"'customer_id' has 1 missing value"):
        complaints.complaint_rates(gap, c)
    unknown = t.copy()
    unknown.loc[unknown.index[0], "customer_id"] = 10**9
    with pytest.warns(UserWarning, match=r"1 of \d+ 'customer_id' value\(s\) in tickets are not in customers"):
        complaints.complaint_rates(unknown, c)


def test_recovery_paradox_with_one_outcome_is_a_clear_error_not_keyerror():
    _, c = complaints.make_tickets(2000, seed=1)
    only = c[c["outcome"].astype(str) == "never complained"]
    with pytest.raises(CRMInputError, match="needs at least 2 complaint outcomes"):
        complaints.recovery_paradox(only)


def test_time_zone_aware_ticket_times_are_refused():
    t, _ = complaints.make_tickets(500, seed=1)
    with pytest.raises(CRMInputError, match="'opened' holds time-zone-aware"):
        complaints.time_to_event(t.assign(opened=t["opened"].dt.tz_localize("Asia/Shanghai")))
