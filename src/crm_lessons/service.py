"""The customer service centre (客户服务中心): arrivals, Erlang C staffing, queue simulation, deflection.

A call centre (呼叫中心) is a queue: calls arrive at random, agents serve them, callers wait when every
agent is busy. This module turns that picture into numbers a manager can plan with.

* :func:`erlang_b`, :func:`erlang_c`, :func:`service_level`, :func:`average_speed_of_answer`,
  :func:`occupancy` and :func:`erlang_table`: the Erlang C (M/M/c) formulas, computed stably for large
  loads with the Erlang B recursion (no factorials, no overflow).
* :func:`agents_needed`: the fewest agents that meet a service-level target such as 80% in 20 s.
* :func:`arrival_profile`: average calls per interval of the day for each weekday, from
  ``load("bank_calls")`` (calls per 5 minutes).
* :func:`staffing_plan`: agents per interval meeting a target, with shrinkage and self-service deflection.
* :func:`handling_time_sensitivity` and :func:`deflection_effect`: what a change of handling time or of
  the self-service share does to the staff needed.
* :func:`simulate_queue`: a seeded discrete-event simulation of the queue that agrees with Erlang C when
  its assumptions hold and shows what abandonment (callers who hang up) does.

Units: handling and answer times are in **seconds**; a load is in **Erlangs** (calls per second times
seconds per call, i.e. the average number of calls in service).
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_choice,
    require_columns,
    require_datetime,
    require_frame,
    require_no_missing,
    require_non_negative,
    require_number,
    require_positive_int,
)

__all__ = [
    "erlang_b",
    "erlang_c",
    "service_level",
    "average_speed_of_answer",
    "occupancy",
    "offered_load",
    "agents_needed",
    "erlang_table",
    "arrival_profile",
    "staffing_plan",
    "plan_summary",
    "handling_time_sensitivity",
    "deflect",
    "deflection_effect",
    "simulate_queue",
    "abandonment_sweep",
    "evaluate_staffing",
    "check_staffing_parameters",
    "WEEKDAYS",
]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --------------------------------------------------------------------------------------------------
# Input checks with a hint on what to change (built on crm_lessons._validate)
# --------------------------------------------------------------------------------------------------

def _with_hint(func, *args, hint: str, **kwargs):
    try:
        return func(*args, **kwargs)
    except CRMInputError as exc:
        raise CRMInputError(f"{exc} {hint}") from None


def _handling_time(value, where: str, name: str = "handling_time_seconds") -> float:
    return _with_hint(require_number, value, name, where=where, low=0.0, low_inclusive=False,
                      hint="Pass the average handling time (talk + hold + after-call work) of one call in "
                           "seconds, a positive number such as 180.")


def _load(value, where: str) -> float:
    return _with_hint(require_number, value, "load", where=where, low=0.0,
                      hint="The load in Erlangs is calls per second x handling time in seconds, "
                           "e.g. offered_load(100, 180, interval_minutes=30) = 10.")


def _agents(value, where: str) -> int:
    return require_positive_int(value, "agents", where=where, minimum=1)


def _target(value, where: str, name: str = "service_level_target") -> float:
    return _with_hint(require_number, value, name, where=where, low=0.0, high=1.0,
                      low_inclusive=False, high_inclusive=False,
                      hint="Give the target as a share strictly between 0 and 1, e.g. 0.8 for 80% "
                           "(if you typed a percentage, divide it by 100).")


def _answer_time(value, where: str) -> float:
    return _with_hint(require_number, value, "answer_time_seconds", where=where, low=0.0,
                      hint="Give the answer-time threshold in seconds (>= 0), e.g. 20 for '80% in 20 s'.")


def _shrinkage(value, where: str) -> float:
    return _with_hint(require_number, value, "shrinkage", where=where, low=0.0, high=1.0,
                      high_inclusive=False,
                      hint="Give shrinkage as a share of paid time in [0, 1), e.g. 0.3 for 30%.")


def _share(value, where: str, name: str = "deflection_share") -> float:
    return _with_hint(require_number, value, name, where=where, low=0.0, high=1.0,
                      high_inclusive=False,
                      hint="Give the share of questions answered by self-service in [0, 1), e.g. 0.2.")


def _stable(load: float, agents: int, where: str) -> None:
    if agents <= load:
        raise CRMInputError(
            f"{where}: {agents} agent(s) cannot serve a load of {load:.4g} Erlangs: with agents <= load the "
            f"queue grows without end and Erlang C has no answer. Add agents (at least "
            f"{math.floor(load) + 1}), or lower the load (fewer calls, a shorter handling time, more "
            "self-service).")


# --------------------------------------------------------------------------------------------------
# Erlang formulas
# --------------------------------------------------------------------------------------------------

def offered_load(calls: float, handling_time_seconds: float, *, interval_minutes: float = 30) -> float:
    """Return the offered load in Erlangs: calls per interval x handling time / interval length.

    Examples
    --------
    >>> offered_load(100, 180, interval_minutes=30)   # 100 calls in 30 min, 3 minutes each
    10.0
    """
    where = "offered_load"
    calls = _with_hint(require_number, calls, "calls", where=where, low=0.0,
                       hint="Pass the number of calls arriving in one interval (>= 0).")
    aht = _handling_time(handling_time_seconds, where)
    minutes = require_number(interval_minutes, "interval_minutes", where=where, low=0.0, low_inclusive=False)
    return calls * aht / (minutes * 60.0)


def erlang_b(load: float, agents: int) -> float:
    """Return the Erlang B blocking probability for ``agents`` servers and ``load`` Erlangs.

    Computed with the recursion ``B(0) = 1``, ``B(k) = A B(k-1) / (k + A B(k-1))``, which never forms
    ``A**c`` or ``c!`` and so stays accurate for loads in the thousands.

    Examples
    --------
    >>> round(erlang_b(10, 14), 4)
    0.0568
    >>> 0 < erlang_b(2000, 2050) < 1   # large loads do not overflow
    True
    """
    where = "erlang_b"
    a = _load(load, where)
    c = require_positive_int(agents, "agents", where=where, minimum=0)
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(load: float, agents: int) -> float:
    """Return the Erlang C probability that a call has to wait, ``P(wait > 0)``.

    ``C = c B / (c - A (1 - B))`` with ``B`` the Erlang B value (:func:`erlang_b`). Valid only when
    ``agents > load``; otherwise the queue never empties and an error says what to change.

    Assumptions (M/M/c): calls arrive as a Poisson process at a constant rate within the interval;
    handling times are exponential; one queue, first come first served; nobody hangs up.

    Examples
    --------
    >>> round(erlang_c(10, 11), 4)   # callcentrehelper.com worked example: 68.21%
    0.6821
    """
    where = "erlang_c"
    a = _load(load, where)
    c = _agents(agents, where)
    _stable(a, c, where)
    b = erlang_b(a, c)
    return c * b / (c - a * (1.0 - b))


def service_level(load: float, agents: int, *, answer_time_seconds: float = 20,
                  handling_time_seconds: float = 180) -> float:
    """Return the share of calls answered within ``answer_time_seconds`` (``P(wait <= t)``).

    ``SL = 1 - C exp(-(c - A) t / AHT)``, with ``C`` from :func:`erlang_c`.

    Examples
    --------
    >>> round(service_level(10, 14, answer_time_seconds=20, handling_time_seconds=180), 4)
    0.8884
    """
    where = "service_level"
    aht = _handling_time(handling_time_seconds, where)
    t = _answer_time(answer_time_seconds, where)
    c = _agents(agents, where)
    a = _load(load, where)
    pw = erlang_c(a, c)
    return 1.0 - pw * math.exp(-(c - a) * t / aht)


def average_speed_of_answer(load: float, agents: int, *, handling_time_seconds: float = 180) -> float:
    """Return the average speed of answer (平均应答速度), the mean wait in seconds over all calls.

    ``ASA = C AHT / (c - A)``.

    Examples
    --------
    >>> round(average_speed_of_answer(10, 14, handling_time_seconds=180), 2)
    7.84
    """
    where = "average_speed_of_answer"
    aht = _handling_time(handling_time_seconds, where)
    a = _load(load, where)
    c = _agents(agents, where)
    return erlang_c(a, c) * aht / (c - a)


def occupancy(load: float, agents: int) -> float:
    """Return occupancy (座席占用率), the share of agents' time spent on calls: ``A / c``.

    Examples
    --------
    >>> round(occupancy(10, 14), 4)
    0.7143
    """
    where = "occupancy"
    a = _load(load, where)
    c = _agents(agents, where)
    _stable(a, c, where)
    return a / c


def agents_needed(load: float, *, service_level_target: float = 0.8, answer_time_seconds: float = 20,
                  handling_time_seconds: float = 180, max_occupancy: float = 1.0) -> int:
    """Return the fewest agents on the phones that meet a service-level target.

    Starts at the smallest stable number (``floor(A) + 1``) and adds agents until
    ``P(wait <= answer_time) >= service_level_target`` and ``A / c <= max_occupancy``. The Erlang B value
    is carried forward one agent at a time, so the search costs one pass however large the load.

    Parameters
    ----------
    load : float
        Offered load in Erlangs (see :func:`offered_load`); 0 needs 0 agents.
    service_level_target : float, default 0.8
        Share of calls to answer within ``answer_time_seconds`` (strictly between 0 and 1).
    answer_time_seconds : float, default 20
        The answer-time threshold of the target.
    handling_time_seconds : float, default 180
        Average handling time of a call.
    max_occupancy : float, default 1.0
        Optional cap on occupancy (e.g. 0.85) to protect agents from burn-out.

    Examples
    --------
    >>> agents_needed(10, service_level_target=0.8, answer_time_seconds=20, handling_time_seconds=180)
    14
    """
    where = "agents_needed"
    a = _load(load, where)
    target = _target(service_level_target, where)
    t = _answer_time(answer_time_seconds, where)
    aht = _handling_time(handling_time_seconds, where)
    cap = _with_hint(require_number, max_occupancy, "max_occupancy", where=where, low=0.0, high=1.0,
                     low_inclusive=False, hint="Give the occupancy cap as a share in (0, 1], e.g. 0.85.")
    if a == 0:
        return 0
    c = math.floor(a) + 1
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    while True:
        pw = c * b / (c - a * (1.0 - b))
        sl = 1.0 - pw * math.exp(-(c - a) * t / aht)
        if sl >= target and a / c <= cap:
            return c
        c += 1
        b = a * b / (c + a * b)


def erlang_table(load: float, agents, *, answer_time_seconds: float = 20,
                 handling_time_seconds: float = 180) -> pd.DataFrame:
    """Tabulate Erlang C results for several agent counts (the classic staffing table).

    Returns
    -------
    DataFrame
        One row per stable agent count: ``agents``, ``p_wait``, ``service_level``, ``asa_seconds``,
        ``occupancy``.

    Examples
    --------
    >>> erlang_table(10, range(11, 15)).round(3)
       agents  p_wait  service_level  asa_seconds  occupancy
    0      11   0.682          0.390      122.781      0.909
    1      12   0.449          0.640       40.445      0.833
    2      13   0.285          0.796       17.116      0.769
    3      14   0.174          0.888        7.836      0.714
    """
    where = "erlang_table"
    a = _load(load, where)
    aht = _handling_time(handling_time_seconds, where)
    t = _answer_time(answer_time_seconds, where)
    counts = [_agents(c, where) for c in agents]
    if not counts or max(counts) <= a:
        _stable(a, max(counts, default=0), where)
    rows = []
    for c in counts:
        if c <= a:
            continue
        pw = erlang_c(a, c)
        rows.append({"agents": c, "p_wait": pw, "service_level": 1 - pw * math.exp(-(c - a) * t / aht),
                     "asa_seconds": pw * aht / (c - a), "occupancy": a / c})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# Arrivals and staffing on real data
# --------------------------------------------------------------------------------------------------

def arrival_profile(calls: pd.DataFrame, *, interval_minutes: int = 30, time_col: str = "datetime",
                    calls_col: str = "calls") -> pd.DataFrame:
    """Average calls per interval of the day, for each weekday.

    The 5-minute counts are summed into intervals of ``interval_minutes`` per date (only intervals with
    every 5-minute slot present are kept, so a half-open last interval does not look quiet), then
    averaged over the dates of each weekday.

    Parameters
    ----------
    calls : DataFrame
        Counts per time slot, e.g. ``load("bank_calls")`` (columns ``datetime``, ``calls``).
    interval_minutes : int, default 30
        Planning interval; a multiple of the data's slot length (5 minutes for ``bank_calls``).

    Returns
    -------
    DataFrame
        Columns ``weekday`` (name, ordered Monday..Sunday), ``interval_start`` (``"HH:MM"``), ``hour``
        (decimal hour of the interval start), ``calls`` (mean per interval), ``sd`` (standard deviation
        over dates), ``days`` (dates averaged).

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> prof = arrival_profile(load("bank_calls"))
    >>> prof.groupby("weekday", observed=True)["calls"].sum().round(0).astype(int).to_dict()
    {'Monday': 36339, 'Tuesday': 32596, 'Wednesday': 30728, 'Thursday': 30702, 'Friday': 31919}
    """
    where = "arrival_profile"
    require_frame(calls, where=where)
    require_datetime(calls, [time_col], where=where)
    require_no_missing(calls, [time_col, calls_col], where=where)
    require_non_negative(calls, [calls_col], where=where)
    minutes = require_positive_int(interval_minutes, "interval_minutes", where=where)
    ts = calls[time_col]
    slot = ts.sort_values().diff().dt.total_seconds().div(60).loc[lambda s: s > 0]
    slot_len = float(slot.min()) if len(slot) else float(minutes)
    if minutes % slot_len:
        raise CRMInputError(f"{where}: interval_minutes={minutes} is not a multiple of the data's "
                            f"{slot_len:g}-minute slots; choose e.g. {int(slot_len) * 6}.")
    per = int(round(minutes / slot_len))
    frame = pd.DataFrame({
        "date": ts.dt.normalize(),
        "start": ts.dt.floor(f"{minutes}min"),
        "calls": calls[calls_col].astype(float),
    })
    agg = frame.groupby(["date", "start"], sort=True)["calls"].agg(["sum", "size"]).reset_index()
    agg = agg[agg["size"] == per]
    agg["weekday"] = agg["date"].dt.day_name()
    agg["interval_start"] = agg["start"].dt.strftime("%H:%M")
    out = (agg.groupby(["weekday", "interval_start"])["sum"]
           .agg(calls="mean", sd="std", days="size").reset_index())
    out["weekday"] = pd.Categorical(out["weekday"], categories=[d for d in WEEKDAYS if d in
                                                                set(out["weekday"])], ordered=True)
    hh = out["interval_start"].str.slice(0, 2).astype(int)
    mm = out["interval_start"].str.slice(3, 5).astype(int)
    out.insert(2, "hour", hh + mm / 60.0)
    return out.sort_values(["weekday", "hour"]).reset_index(drop=True)


def deflect(calls, deflection_share: float):
    """Return the calls left for agents when a share of questions is answered by self-service (自助服务).

    Works on a number, an array or a Series: ``calls x (1 - deflection_share)``.

    Examples
    --------
    >>> deflect(200, 0.25)
    150.0
    """
    share = _share(deflection_share, "deflect")
    if isinstance(calls, pd.Series):
        return calls * (1.0 - share)
    arr = np.asarray(calls, dtype=float)
    if np.any(arr < 0) or not np.all(np.isfinite(arr)):
        raise CRMInputError("deflect: calls must be finite and >= 0; check the arrival counts.")
    out = arr * (1.0 - share)
    return float(out) if out.ndim == 0 else out


def staffing_plan(profile: pd.DataFrame, *, service_level_target: float = 0.8,
                  answer_time_seconds: float = 20, handling_time_seconds: float = 300,
                  shrinkage: float = 0.3, deflection_share: float = 0.0, interval_minutes: int = 30,
                  max_occupancy: float = 1.0, calls_col: str = "calls") -> pd.DataFrame:
    """Agents per interval that meet a service-level target, with shrinkage and deflection.

    For each row (one planning interval): calls after deflection -> load (Erlangs) -> the fewest agents
    on the phones meeting the target (:func:`agents_needed`) -> the staff to schedule,
    ``ceil(agents / (1 - shrinkage))`` (缩减率: breaks, training, absence), and what the plan achieves.

    Parameters
    ----------
    profile : DataFrame
        One row per interval with a ``calls`` column (e.g. one weekday of :func:`arrival_profile`).
        Other columns are kept.
    service_level_target, answer_time_seconds : float
        The target, e.g. 0.8 and 20 for "80% of calls answered within 20 seconds".
    handling_time_seconds : float, default 300
        Average handling time per call (an assumption: ``bank_calls`` has counts, not durations).
    shrinkage : float, default 0.3
        Share of paid agent time not available for calls, in [0, 1).
    deflection_share : float, default 0
        Share of calls answered by self-service instead, in [0, 1).
    interval_minutes : int, default 30
        Length of each interval.
    max_occupancy : float, default 1.0
        Optional occupancy cap.

    Returns
    -------
    DataFrame
        A copy of ``profile`` plus ``calls_to_agents``, ``load_erlangs``, ``agents`` (on the phones),
        ``scheduled`` (after shrinkage), ``service_level``, ``asa_seconds``, ``occupancy``.

    Examples
    --------
    >>> plan = staffing_plan(pd.DataFrame({"calls": [100, 200]}), handling_time_seconds=180,
    ...                      shrinkage=0.3)
    >>> plan[["load_erlangs", "agents", "scheduled"]].to_dict("list")
    {'load_erlangs': [10.0, 20.0], 'agents': [14, 24], 'scheduled': [20, 35]}
    """
    where = "staffing_plan"
    require_frame(profile, where=where)
    require_no_missing(profile, [calls_col], where=where)
    require_non_negative(profile, [calls_col], where=where)
    target = _target(service_level_target, where)
    t = _answer_time(answer_time_seconds, where)
    aht = _handling_time(handling_time_seconds, where)
    shr = _shrinkage(shrinkage, where)
    share = _share(deflection_share, where)
    minutes = require_positive_int(interval_minutes, "interval_minutes", where=where)
    out = profile.copy()
    out["calls_to_agents"] = out[calls_col].astype(float) * (1.0 - share)
    out["load_erlangs"] = out["calls_to_agents"] * aht / (minutes * 60.0)
    agents, sl, asa, occ = [], [], [], []
    for a in out["load_erlangs"]:
        c = agents_needed(a, service_level_target=target, answer_time_seconds=t,
                          handling_time_seconds=aht, max_occupancy=max_occupancy)
        agents.append(c)
        if c == 0:
            sl.append(1.0), asa.append(0.0), occ.append(0.0)
            continue
        pw = erlang_c(a, c)
        sl.append(1.0 - pw * math.exp(-(c - a) * t / aht))
        asa.append(pw * aht / (c - a))
        occ.append(a / c)
    out["agents"] = np.array(agents, dtype="int64")
    out["scheduled"] = np.ceil(out["agents"] / (1.0 - shr) - 1e-9).astype("int64")
    out["service_level"] = sl
    out["asa_seconds"] = asa
    out["occupancy"] = occ
    return out


def plan_summary(plan: pd.DataFrame, *, interval_minutes: int = 30, hourly_cost: float = 25.0) -> pd.Series:
    """Summarise a :func:`staffing_plan`: peak agents, agent-hours, call-weighted service level, cost.

    ``achieved_service_level`` and ``mean_occupancy`` weight intervals by their calls (the share of all
    the day's calls answered in time, and of all agent time spent on calls). ``cost`` is scheduled
    agent-hours x ``hourly_cost``.

    Examples
    --------
    >>> plan = staffing_plan(pd.DataFrame({"calls": [100, 200]}), handling_time_seconds=180)
    >>> plan_summary(plan, hourly_cost=20)["scheduled_agent_hours"]
    27.5
    """
    where = "plan_summary"
    cols = ["calls_to_agents", "load_erlangs", "agents", "scheduled", "service_level"]
    require_frame(plan, where=where)
    require_non_negative(plan, cols, where=where)
    require_no_missing(plan, cols, where=where)
    minutes = require_positive_int(interval_minutes, "interval_minutes", where=where)
    cost = require_number(hourly_cost, "hourly_cost", where=where, low=0.0)
    h = minutes / 60.0
    w = plan["calls_to_agents"].to_numpy(float)
    on_phone_hours = float(plan["agents"].sum() * h)
    return pd.Series({
        "intervals": int(len(plan)),
        "peak_agents": int(plan["agents"].max()),
        "peak_scheduled": int(plan["scheduled"].max()),
        "agent_hours": on_phone_hours,
        "scheduled_agent_hours": float(plan["scheduled"].sum() * h),
        "achieved_service_level": float(np.average(plan["service_level"], weights=w)) if w.sum() else 1.0,
        "mean_occupancy": float(plan["load_erlangs"].sum() * h / on_phone_hours) if on_phone_hours else 0.0,
        "cost": float(plan["scheduled"].sum() * h * cost),
    }, dtype=object)



def handling_time_sensitivity(calls: float, handling_times, *, service_level_target: float = 0.8,
                              answer_time_seconds: float = 20, interval_minutes: int = 30) -> pd.DataFrame:
    """Agents needed for one interval's calls at several average handling times.

    Examples
    --------
    >>> handling_time_sensitivity(100, [150, 180, 210])["agents"].tolist()
    [12, 14, 15]
    """
    where = "handling_time_sensitivity"
    calls = _with_hint(require_number, calls, "calls", where=where, low=0.0,
                       hint="Pass the calls arriving in one interval (>= 0).")
    rows = []
    for aht in handling_times:
        aht = _handling_time(aht, where, name="handling_times")
        a = calls * aht / (interval_minutes * 60.0)
        c = agents_needed(a, service_level_target=service_level_target,
                          answer_time_seconds=answer_time_seconds, handling_time_seconds=aht)
        rows.append({"handling_time_seconds": aht, "load_erlangs": a, "agents": c,
                     "occupancy": a / c if c else 0.0})
    return pd.DataFrame(rows)


def deflection_effect(profile: pd.DataFrame, shares, *, hourly_cost: float = 25.0, interval_minutes: int = 30,
                      **plan_options) -> pd.DataFrame:
    """Staff needed as the self-service share grows: one :func:`plan_summary` row per share.

    Examples
    --------
    >>> prof = pd.DataFrame({"calls": [100, 200]})
    >>> deflection_effect(prof, [0, 0.5], handling_time_seconds=180)["peak_agents"].tolist()
    [24, 14]
    """
    rows = []
    for s in shares:
        plan = staffing_plan(profile, deflection_share=s, interval_minutes=interval_minutes, **plan_options)
        summ = plan_summary(plan, interval_minutes=interval_minutes, hourly_cost=hourly_cost)
        rows.append({"deflection_share": float(s), "calls_to_agents": float(plan["calls_to_agents"].sum()),
                     **summ.to_dict()})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# Discrete-event simulation
# --------------------------------------------------------------------------------------------------

def simulate_queue(calls_per_hour: float, agents: int, *, handling_time_seconds: float = 180,
                   answer_time_seconds: float = 20, patience_seconds: float | None = None,
                   handling: str = "exponential", n_calls: int = 20_000, seed: int = 0) -> pd.Series:
    """Simulate a first-come-first-served queue with ``agents`` servers, call by call (seeded).

    Calls arrive as a Poisson process (``calls_per_hour``); handling times are exponential with mean
    ``handling_time_seconds`` (or ``handling="constant"``); each caller hangs up after an exponential
    patience with mean ``patience_seconds`` if still waiting (``None`` = infinitely patient, the
    Erlang C assumption). Because the queue is first come first served and a caller who hangs up takes
    no agent time, processing calls in arrival order with a heap of agents' free times is exact.

    Returns
    -------
    Series
        ``calls``, ``p_wait`` (share of answered calls that waited), ``service_level`` (share of *all*
        calls answered within ``answer_time_seconds``), ``asa_seconds`` (mean wait of answered calls),
        ``abandoned_share``, ``occupancy`` (agent time on calls / agent time available), ``load_erlangs``.

    Examples
    --------
    >>> sim = simulate_queue(200, 14, handling_time_seconds=180, n_calls=20_000, seed=1)
    >>> bool(abs(sim["service_level"] - 0.888) < 0.02)   # Erlang C says 0.888
    True
    """
    where = "simulate_queue"
    rate = _with_hint(require_number, calls_per_hour, "calls_per_hour", where=where, low=0.0,
                      low_inclusive=False, hint="Pass the arrival rate in calls per hour (> 0).")
    c = _agents(agents, where)
    aht = _handling_time(handling_time_seconds, where)
    t = _answer_time(answer_time_seconds, where)
    require_choice(handling, "handling", ["exponential", "constant"], where=where)
    n = require_positive_int(n_calls, "n_calls", where=where, minimum=100)
    if patience_seconds is not None:
        patience_seconds = _with_hint(require_number, patience_seconds, "patience_seconds", where=where,
                                      low=0.0, low_inclusive=False,
                                      hint="Pass the mean patience in seconds (> 0), or None for callers "
                                           "who never hang up.")
    load = rate / 3600.0 * aht
    if patience_seconds is None:
        _stable(load, c, where)
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(3600.0 / rate, n))
    service = rng.exponential(aht, n) if handling == "exponential" else np.full(n, aht)
    patience = (np.full(n, np.inf) if patience_seconds is None
                else rng.exponential(patience_seconds, n))
    free = [0.0] * c
    heapq.heapify(free)
    wait = np.empty(n)
    answered = np.zeros(n, dtype=bool)
    for i in range(n):
        arr = arrivals[i]
        start = max(arr, free[0])
        w = start - arr
        if w > patience[i]:
            wait[i] = patience[i]
            continue
        heapq.heapreplace(free, start + service[i])
        wait[i] = w
        answered[i] = True
    # Drop a warm-up of 5% of calls so the empty start does not flatter the result.
    k = n // 20
    ans, wt = answered[k:], wait[k:]
    horizon = max(free) - arrivals[k]
    return pd.Series({
        "calls": int(n - k),
        "p_wait": float(np.mean(wt[ans] > 0)) if ans.any() else float("nan"),
        "service_level": float(np.mean(ans & (wt <= t))),
        "asa_seconds": float(wt[ans].mean()) if ans.any() else float("nan"),
        "abandoned_share": float(1 - ans.mean()),
        "occupancy": float(min(1.0, service[k:][ans].sum() / (c * horizon))),
        "load_erlangs": float(load),
    })


def abandonment_sweep(calls_per_hour: float, agents: int, patience_values, *,
                      handling_time_seconds: float = 180, answer_time_seconds: float = 20,
                      n_calls: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """Simulate the queue for several mean patience values and set Erlang C's answer beside them.

    Erlang C assumes nobody hangs up. With impatient callers the simulated queue loses calls (the
    ``abandoned_share``), the callers who stay wait less, and Erlang C's service level no longer
    describes what callers experience. ``erlang_c`` is ``NaN`` when ``agents <= load`` (Erlang C has
    no answer, yet with abandonment the simulated queue still settles).

    Examples
    --------
    >>> sw = abandonment_sweep(200, 14, [30, 600], n_calls=5_000)
    >>> sw["abandoned_share"].is_monotonic_decreasing
    True
    """
    where = "abandonment_sweep"
    rate = _with_hint(require_number, calls_per_hour, "calls_per_hour", where=where, low=0.0,
                      low_inclusive=False, hint="Pass the arrival rate in calls per hour (> 0).")
    aht = _handling_time(handling_time_seconds, where)
    c = _agents(agents, where)
    load = rate / 3600.0 * aht
    ec = (service_level(load, c, answer_time_seconds=answer_time_seconds, handling_time_seconds=aht)
          if c > load else float("nan"))
    rows = []
    for p in patience_values:
        sim = simulate_queue(rate, c, handling_time_seconds=aht, answer_time_seconds=answer_time_seconds,
                             patience_seconds=p, n_calls=n_calls, seed=seed)
        rows.append({"patience_seconds": float(p), **sim.to_dict(), "erlang_c": ec})
    return pd.DataFrame(rows)


def evaluate_staffing(profile: pd.DataFrame, agents, *, answer_time_seconds: float = 20,
                      handling_time_seconds: float = 300, interval_minutes: int = 30,
                      calls_col: str = "calls") -> pd.DataFrame:
    """Service level per interval for a *given* number of agents (e.g. a flat roster all day).

    Intervals where ``agents <= load`` get a service level of 0 (the queue grows without end in that
    interval under Erlang C's assumptions) and ``overloaded = True``.

    Examples
    --------
    >>> evaluate_staffing(pd.DataFrame({"calls": [100, 200]}), 14, handling_time_seconds=180)[
    ...     ["service_level", "overloaded"]].round(3).to_dict("list")
    {'service_level': [0.888, 0.0], 'overloaded': [False, True]}
    """
    where = "evaluate_staffing"
    require_frame(profile, where=where)
    require_no_missing(profile, [calls_col], where=where)
    require_non_negative(profile, [calls_col], where=where)
    aht = _handling_time(handling_time_seconds, where)
    t = _answer_time(answer_time_seconds, where)
    minutes = require_positive_int(interval_minutes, "interval_minutes", where=where)
    counts = np.broadcast_to(np.asarray(agents), (len(profile),))
    out = profile.copy()
    out["load_erlangs"] = out[calls_col].astype(float) * aht / (minutes * 60.0)
    sl, over = [], []
    for a, c in zip(out["load_erlangs"], counts):
        c = _agents(int(c), where)
        if c <= a:
            sl.append(0.0), over.append(True)
        else:
            sl.append(service_level(a, c, answer_time_seconds=t, handling_time_seconds=aht))
            over.append(False)
    out["agents"] = counts.astype("int64")
    out["service_level"] = sl
    out["overloaded"] = over
    return out


def check_staffing_parameters(*, service_level_target: float, answer_time_seconds: float,
                              handling_time_seconds: float, shrinkage: float, deflection_share: float,
                              weekday: str, hourly_cost: float, max_occupancy: float = 1.0,
                              weekdays=WEEKDAYS[:5]) -> dict:
    """Validate the staffing case study's parameters; return them as a dict of clean values.

    Each bad value raises :class:`~crm_lessons._validate.CRMInputError` naming the parameter, the value
    and what to change.

    Examples
    --------
    >>> check_staffing_parameters(service_level_target=0.8, answer_time_seconds=20,
    ...     handling_time_seconds=300, shrinkage=0.3, deflection_share=0.1, weekday="Monday",
    ...     hourly_cost=25)["weekday"]
    'Monday'
    """
    where = "service_staffing"
    out = {
        "service_level_target": _target(service_level_target, where),
        "answer_time_seconds": _answer_time(answer_time_seconds, where),
        "handling_time_seconds": _handling_time(handling_time_seconds, where),
        "shrinkage": _shrinkage(shrinkage, where),
        "deflection_share": _share(deflection_share, where),
        "hourly_cost": _with_hint(require_number, hourly_cost, "hourly_cost", where=where, low=0.0,
                                  hint="Give the cost of one paid agent-hour (>= 0), e.g. 25."),
        "max_occupancy": _with_hint(require_number, max_occupancy, "max_occupancy", where=where, low=0.0,
                                    high=1.0, low_inclusive=False,
                                    hint="Give the occupancy cap as a share in (0, 1], e.g. 0.85 (1 = no cap)."),
    }
    if not isinstance(weekday, str):
        raise CRMInputError(f"{where}: weekday must be a day name such as 'Monday', got {weekday!r}.")
    day = weekday.strip().capitalize()
    if day not in list(weekdays):  # the message echoes the value exactly as given
        raise CRMInputError(f"{where}: weekday must be one of {', '.join(map(repr, weekdays))} (any case), "
                            f"got {weekday!r}.")
    out["weekday"] = day
    return out
