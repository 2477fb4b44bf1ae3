"""Tests for crm_lessons.service: Erlang C against published examples and pyworkforce, staffing, simulation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from crm_lessons import plotting, service
from crm_lessons._validate import CRMInputError
from crm_lessons.datasets import load


def _erlang_c_direct(a: float, c: int) -> float:
    """Textbook Erlang C with factorials (independent of the recursion), for small loads only."""
    top = a**c / math.factorial(c) * c / (c - a)
    bottom = sum(a**k / math.factorial(k) for k in range(c)) + top
    return top / bottom


# --- published worked examples -------------------------------------------------------------------

def test_erlang_c_reproduces_callcentrehelper_worked_example():
    # Call Centre Helper, "Erlang C Formula - Made Simple With an Easy Worked Example":
    # 100 calls in 30 min, AHT 180 s -> A = 100 * 180 / 1800 = 10 Erlangs. With 11 agents the
    # probability of waiting is 68.21%; 14 agents are the first to reach 80% in 20 s; with 30% shrinkage
    # 14 / 0.7 = 20 agents must be scheduled. The pyworkforce README uses the same example and reports
    # raw_positions 14, positions 20, service_level 0.8884, occupancy 0.7143, waiting_probability 0.1741.
    a = service.offered_load(100, 180, interval_minutes=30)
    assert a == 10.0
    assert service.erlang_c(a, 11) == pytest.approx(0.6821, abs=5e-5)
    assert service.erlang_c(a, 14) == pytest.approx(0.1741, abs=5e-5)
    assert service.occupancy(a, 14) == pytest.approx(0.7143, abs=5e-5)
    assert service.agents_needed(a, service_level_target=0.8, answer_time_seconds=20,
                                 handling_time_seconds=180) == 14
    assert service.service_level(a, 14, answer_time_seconds=20, handling_time_seconds=180) == pytest.approx(
        0.888, abs=5e-4)
    plan = service.staffing_plan(pd.DataFrame({"calls": [100]}), handling_time_seconds=180, shrinkage=0.3)
    assert plan["scheduled"].item() == 20


def test_erlang_c_reproduces_360_calls_half_hour_textbook_example():
    # The classic Erlang C walk-through (e.g. the Mitan/"Erlang-C formula" page): 360 calls per half
    # hour, 4-minute calls, 55 agents: A = 360 * 240 / 1800 = 48 Erlangs, occupancy 48/55 = 87.3%,
    # P(wait) = 23.87%, ASA = 0.2387 * 240 / 7 = 8.18 s.
    a = service.offered_load(360, 240, interval_minutes=30)
    assert a == 48.0
    assert service.occupancy(a, 55) == pytest.approx(0.8727, abs=1e-4)
    assert service.erlang_c(a, 55) == pytest.approx(0.2387, abs=1e-4)
    assert service.average_speed_of_answer(a, 55, handling_time_seconds=240) == pytest.approx(8.18, abs=0.01)


@pytest.mark.parametrize("a,c", [(0.5, 1), (2, 3), (10, 11), (10, 14), (48, 55), (30.7, 40)])
def test_erlang_c_recursion_agrees_with_factorial_formula(a, c):
    assert service.erlang_c(a, c) == pytest.approx(_erlang_c_direct(a, c), rel=1e-10)


def test_erlang_c_stays_finite_for_large_loads_where_factorials_overflow():
    # 171! overflows a float; a bank's peak half hour is a load of ~300 Erlangs.
    with pytest.raises(OverflowError):
        float(math.factorial(400))
    p = service.erlang_c(2000.0, 2050)
    assert 0.0 < p < 1.0 and np.isfinite(p)
    # Pooling: at the same 80/20 target a 20x larger centre runs at much higher occupancy.
    small = service.agents_needed(10, handling_time_seconds=180)
    big = service.agents_needed(200, handling_time_seconds=180)
    assert 200 / big > 10 / small + 0.15


def test_service_level_and_asa_follow_their_formulas():
    a, c, aht, t = 10.0, 13, 180.0, 20.0
    pw = service.erlang_c(a, c)
    assert service.service_level(a, c, answer_time_seconds=t, handling_time_seconds=aht) == pytest.approx(
        1 - pw * math.exp(-(c - a) * t / aht))
    assert service.average_speed_of_answer(a, c, handling_time_seconds=aht) == pytest.approx(pw * aht / (c - a))
    assert service.erlang_table(a, [12, 13, 14])["agents"].tolist() == [12, 13, 14]


# --- against the pyworkforce package (dev dependency) -----------------------------------------------

@pytest.mark.parametrize("calls,aht,target", [(100, 180, 0.8), (360, 240, 0.8), (50, 300, 0.9), (800, 420, 0.8)])
def test_erlang_c_agrees_with_pyworkforce(calls, aht, target):
    queuing = pytest.importorskip("pyworkforce.queuing")
    ref = queuing.ErlangC(transactions=calls, aht=aht / 60, asa=20 / 60, interval=30, shrinkage=0.3)
    want = ref.required_positions(service_level=target, max_occupancy=1.0)
    a = service.offered_load(calls, aht, interval_minutes=30)
    c = service.agents_needed(a, service_level_target=target, answer_time_seconds=20, handling_time_seconds=aht)
    assert c == want["raw_positions"]
    assert service.erlang_c(a, c) == pytest.approx(ref.waiting_probability(c), rel=1e-9)
    assert service.service_level(a, c, answer_time_seconds=20, handling_time_seconds=aht) == pytest.approx(
        ref.service_level(c), rel=1e-9)
    plan = service.staffing_plan(pd.DataFrame({"calls": [calls]}), service_level_target=target,
                                 handling_time_seconds=aht, shrinkage=0.3)
    assert plan["scheduled"].item() == want["positions"]


# --- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("aht", [0, -30])
def test_zero_or_negative_handling_time_is_rejected_with_a_fix(aht):
    with pytest.raises(CRMInputError, match="positive number such as 180"):
        service.agents_needed(10, handling_time_seconds=aht)
    with pytest.raises(CRMInputError, match="handling_time_seconds"):
        service.staffing_plan(pd.DataFrame({"calls": [10]}), handling_time_seconds=aht)


@pytest.mark.parametrize("target", [80, 1.2, 1.0, 0])
def test_target_outside_zero_one_is_rejected_with_a_fix(target):
    with pytest.raises(CRMInputError, match="divide it by 100"):
        service.agents_needed(10, service_level_target=target)


def test_more_load_than_agents_can_serve_says_how_many_agents_to_add():
    with pytest.raises(CRMInputError, match=r"at least 11\)"):
        service.erlang_c(10, 10)
    with pytest.raises(CRMInputError, match="Add agents"):
        service.service_level(12.5, 9)
    with pytest.raises(CRMInputError, match="Add agents"):
        service.simulate_queue(200, 9, handling_time_seconds=180)


def test_other_bad_inputs_are_rejected():
    with pytest.raises(CRMInputError):
        service.staffing_plan(pd.DataFrame({"calls": [10, -1]}))
    with pytest.raises(CRMInputError):
        service.staffing_plan(pd.DataFrame({"calls": [10]}), shrinkage=1.0)
    with pytest.raises(CRMInputError):
        service.staffing_plan(pd.DataFrame({"x": [10]}))
    with pytest.raises(CRMInputError):
        service.deflect(100, 1.5)
    with pytest.raises(CRMInputError):
        service.arrival_profile(pd.DataFrame({"datetime": ["2003-03-03 07:00"], "calls": [1]}))
    with pytest.raises(CRMInputError):
        service.arrival_profile(load("bank_calls"), interval_minutes=7)
    with pytest.raises(CRMInputError):
        service.handling_time_sensitivity(100, [180, 0])
    with pytest.raises(CRMInputError):
        service.simulate_queue(200, 14, patience_seconds=-1)


# --- real data and plans -----------------------------------------------------------------------------

def test_arrival_profile_of_bank_calls_covers_weekdays_and_half_hours():
    calls = load("bank_calls")
    before = calls.copy()
    prof = service.arrival_profile(calls)
    pd.testing.assert_frame_equal(calls, before)  # does not mutate
    assert list(prof["weekday"].cat.categories) == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    assert prof.groupby("weekday", observed=True).size().eq(28).all()  # 07:00 ... 20:30
    # Independent check of one cell: Monday 10:00-10:30 is the mean over Mondays of 6 slot sums.
    c = calls[(calls["datetime"].dt.day_name() == "Monday")
              & (calls["datetime"].dt.strftime("%H:%M").between("10:00", "10:25"))]
    per_day = c.groupby(c["datetime"].dt.date)["calls"].agg(["sum", "size"])
    want = per_day.loc[per_day["size"] == 6, "sum"].mean()
    got = prof.loc[(prof["weekday"] == "Monday") & (prof["interval_start"] == "10:00"), "calls"].item()
    assert got == pytest.approx(want)
    # The mid-morning peak is far above the early morning.
    mon = prof[prof["weekday"] == "Monday"].set_index("interval_start")["calls"]
    assert mon["10:00"] > 3 * mon["07:00"]


def test_staffing_plan_meets_the_target_in_every_interval_and_not_with_one_agent_less():
    prof = service.arrival_profile(load("bank_calls"))
    day = prof[prof["weekday"] == "Wednesday"].reset_index(drop=True)
    before = day.copy()
    plan = service.staffing_plan(day, service_level_target=0.8, answer_time_seconds=20,
                                 handling_time_seconds=240, shrinkage=0.35)
    pd.testing.assert_frame_equal(day, before)
    assert (plan["service_level"] >= 0.8).all()
    for a, c in zip(plan["load_erlangs"], plan["agents"]):
        if c - 1 > a:
            assert service.service_level(a, c - 1, answer_time_seconds=20, handling_time_seconds=240) < 0.8
    assert (plan["scheduled"] == np.ceil(plan["agents"] / 0.65 - 1e-9)).all()
    summ = service.plan_summary(plan, hourly_cost=30)
    assert summ["cost"] == pytest.approx(summ["scheduled_agent_hours"] * 30)
    assert summ["achieved_service_level"] >= 0.8


def test_longer_handling_time_needs_more_agents():
    t = service.handling_time_sensitivity(500, [120, 180, 240, 300, 360])
    assert t["agents"].is_monotonic_increasing and t["agents"].iloc[-1] > t["agents"].iloc[0]


def test_self_service_deflection_lowers_arrivals_and_staff():
    assert service.deflect(200, 0.25) == 150.0
    s = pd.Series([100.0, 200.0])
    out = service.deflect(s, 0.1)
    assert s.tolist() == [100.0, 200.0] and out.tolist() == [90.0, 180.0]
    prof = pd.DataFrame({"calls": [300.0, 600.0, 450.0]})
    eff = service.deflection_effect(prof, [0, 0.1, 0.3], handling_time_seconds=240)
    assert eff["scheduled_agent_hours"].is_monotonic_decreasing
    assert eff["calls_to_agents"].tolist() == pytest.approx([1350, 1215, 945])


# --- simulation --------------------------------------------------------------------------------------

def test_simulation_agrees_with_erlang_c_when_its_assumptions_hold():
    a, c, aht = 10.0, 13, 180.0
    sim = service.simulate_queue(200, c, handling_time_seconds=aht, n_calls=80_000, seed=3)
    assert sim["abandoned_share"] == 0
    assert sim["p_wait"] == pytest.approx(service.erlang_c(a, c), abs=0.03)
    assert sim["service_level"] == pytest.approx(
        service.service_level(a, c, answer_time_seconds=20, handling_time_seconds=aht), abs=0.03)
    assert sim["asa_seconds"] == pytest.approx(service.average_speed_of_answer(a, c, handling_time_seconds=aht),
                                               rel=0.2)
    assert sim["occupancy"] == pytest.approx(a / c, abs=0.02)


def test_simulation_is_seeded():
    a = service.simulate_queue(200, 12, n_calls=2_000, seed=5)
    b = service.simulate_queue(200, 12, n_calls=2_000, seed=5)
    pd.testing.assert_series_equal(a, b)


def test_abandonment_breaks_erlang_c_and_keeps_an_overloaded_queue_finite():
    sw = service.abandonment_sweep(200, 12, [20, 120, 100_000], n_calls=30_000, seed=2)
    assert sw["abandoned_share"].iloc[0] > 0.03 > sw["abandoned_share"].iloc[-1]
    # Impatient callers leave, so those who stay wait far less than Erlang C predicts.
    erl_asa = service.average_speed_of_answer(10, 12, handling_time_seconds=180)
    assert sw["asa_seconds"].iloc[0] < 0.5 * erl_asa
    over = service.abandonment_sweep(200, 9, [60], n_calls=20_000)
    assert np.isnan(over["erlang_c"].item()) and over["abandoned_share"].item() > 0.1


# --- charts ------------------------------------------------------------------------------------------

def test_service_charts_draw_from_package_results():
    prof = service.arrival_profile(load("bank_calls"))
    assert plotting.arrival_chart(prof).get_title()
    day = prof[prof["weekday"] == "Monday"]
    assert plotting.staffing_chart(service.staffing_plan(day)).get_title()
    assert plotting.service_level_curve(service.erlang_table(10, range(11, 20))).get_title()
    assert plotting.handling_time_chart(service.handling_time_sensitivity(100, [120, 180])).get_title()
    assert plotting.queue_simulation_chart(service.abandonment_sweep(200, 12, [30, 300], n_calls=1_000)).get_title()
    assert plotting.staffing_deflection_chart(service.deflection_effect(day, [0, 0.2])).get_title()


def test_case_study_parameters_are_checked_with_a_message_naming_the_parameter():
    good = dict(service_level_target=0.8, answer_time_seconds=20, handling_time_seconds=300, shrinkage=0.3,
                deflection_share=0.1, weekday="friday", hourly_cost=25.0)
    assert service.check_staffing_parameters(**good)["weekday"] == "Friday"
    for key, bad, msg in [("service_level_target", 80, "service_level_target"),
                          ("handling_time_seconds", 0, "handling_time_seconds"),
                          ("shrinkage", 1.2, "shrinkage"), ("deflection_share", -0.1, "deflection_share"),
                          ("weekday", "Sunday", "weekday"), ("hourly_cost", -1, "hourly_cost")]:
        with pytest.raises(CRMInputError, match=msg):
            service.check_staffing_parameters(**{**good, key: bad})


def test_evaluate_staffing_flags_overloaded_intervals_without_mutating_input():
    prof = pd.DataFrame({"calls": [100.0, 200.0]})
    out = service.evaluate_staffing(prof, [14, 25], handling_time_seconds=180)
    assert prof.columns.tolist() == ["calls"]
    assert out["overloaded"].tolist() == [False, False]
    assert out["service_level"].iloc[0] == pytest.approx(service.service_level(10, 14))
    flat = service.evaluate_staffing(prof, 14, handling_time_seconds=180)
    assert flat["overloaded"].tolist() == [False, True] and flat["service_level"].iloc[1] == 0.0


def test_remaining_service_helpers_reject_bad_input():
    with pytest.raises(CRMInputError, match="Erlangs"):
        service.erlang_b(-1, 5)
    with pytest.raises(CRMInputError, match="calls"):
        service.offered_load(-5, 180)
    with pytest.raises(CRMInputError):
        service.occupancy(10, 8)
    with pytest.raises(CRMInputError, match="missing column"):
        service.plan_summary(pd.DataFrame({"calls": [1]}))
    with pytest.raises(CRMInputError):
        service.deflection_effect(pd.DataFrame({"calls": [100]}), [0.0, 1.0])
    with pytest.raises(CRMInputError, match="calls_per_hour"):
        service.abandonment_sweep(0, 10, [60])
    with pytest.raises(CRMInputError, match="Add agents"):
        service.erlang_table(10, [8, 9, 10])
    with pytest.raises(CRMInputError, match="missing value"):
        service.evaluate_staffing(pd.DataFrame({"calls": [1.0, np.nan]}), 5)


def test_staffing_weekday_error_echoes_the_value_exactly_as_typed():
    from crm_lessons._validate import CRMInputError
    from crm_lessons.service import check_staffing_parameters

    with pytest.raises(CRMInputError, match=r"got 'SATurday'\.") as err:
        check_staffing_parameters(service_level_target=0.8, answer_time_seconds=20, handling_time_seconds=300,
                                  shrinkage=0.3, deflection_share=0.1, weekday="SATurday", hourly_cost=25)
    assert "'Monday'" in str(err.value) and "Saturday" not in str(err.value)
