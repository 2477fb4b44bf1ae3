"""Complaint management (投诉管理): tickets, Pareto, response times, SLAs and the service-recovery paradox.

Complaint management is passive: the firm learns of a problem only when a customer complains. Handled
well, a complaint (客户投诉) becomes information and loyalty; handled badly, it starts a vicious circle
(恶性循环). This module gives a seeded ticket generator with a known truth and the analytics a complaint
desk needs:

* :func:`make_tickets`: one year of one firm's complaint tickets plus its whole customer base.
* :func:`pareto_table`: which few categories or channels carry most complaints.
* :func:`complaint_rates`: complaints per 1,000 customers, overall or by a customer attribute.
* :func:`time_to_event` and :func:`km_medians`: time to first response and to resolution with
  Kaplan-Meier (statsmodels ``SurvfuncRight``), keeping still-open tickets as censored.
* :func:`sla_compliance`: the share of tickets that met a response or resolution promise.
* :func:`recovery_paradox`: logistic regression of repurchase on complaint outcome (服务补救悖论).
* :func:`circle_model`: the virtuous and vicious circles (良性循环 / 恶性循环) as difference equations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_choice,
    require_columns,
    require_datetime,
    require_frame,
    require_number,
    require_positive_int,
    require_probability,
)
from ._validate import require_binary, require_no_missing, require_min_groups, require_varies, require_numeric, require_min_rows, require_unique_key, check_join_keys  # bad-input checks (issue 17)

__all__ = [
    "CHANNELS",
    "CATEGORIES",
    "SEVERITIES",
    "OUTCOMES",
    "make_tickets",
    "pareto_table",
    "complaint_rates",
    "time_to_event",
    "km_medians",
    "sla_compliance",
    "repurchase_by_outcome",
    "recovery_paradox",
    "circle_model",
]

CHANNELS = {"phone": 0.42, "email": 0.24, "web form": 0.18, "social media": 0.09, "store": 0.07}
CATEGORIES = {"billing": 0.31, "delivery": 0.24, "product defect": 0.17, "staff attitude": 0.09,
              "website": 0.07, "returns": 0.06, "privacy": 0.03, "other": 0.03}
SEVERITIES = ("low", "medium", "high")
OUTCOMES = ("never complained", "recovered", "not recovered", "still open")

# Share of high-severity tickets per category (the rest split 60/40 low/medium).
_HIGH_SHARE = {"billing": 0.15, "delivery": 0.10, "product defect": 0.30, "staff attitude": 0.20,
               "website": 0.05, "returns": 0.10, "privacy": 0.45, "other": 0.10}
# Median hours to a first response by channel, and median hours from first response to resolution
# by severity (log-normal spread 1.0 and 1.1).
_FIRST_RESPONSE_H = {"phone": 0.3, "email": 20.0, "web form": 16.0, "social media": 3.0, "store": 1.0}
_RESOLVE_H = {"low": 30.0, "medium": 80.0, "high": 220.0}
_STEPS = {"low": 0.6, "medium": 1.5, "high": 3.0}


def _logit_inv(x):
    return 1.0 / (1.0 + np.exp(-x))


def make_tickets(
    n: int = 20_000,
    *,
    seed: int = 0,
    recovery_effect: float = 0.5,
    poor_handling_effect: float = -1.2,
    open_effect: float = -0.6,
    base_repurchase: float = 0.55,
    loyal_effect: float = 0.8,
    complaint_rate_new: float = 0.06,
    complaint_rate_loyal: float = 0.10,
    loyal_share: float = 0.4,
    speed_effect: float = 0.6,
    year: int = 2025,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate a year of complaint tickets and the customer base they come from.

    Generative process (what causes what, with the parameter that sets each effect):

    1. ``n`` customers; a share ``loyal_share`` are *loyal* (long-standing), the rest *new*.
    2. Each customer complains at most once in the year, with probability ``complaint_rate_loyal`` or
       ``complaint_rate_new`` (loyal customers complain more: they care and they know how).
    3. A complaint opens at a uniform time in ``year``; its channel and category are drawn from
       :data:`CHANNELS` and :data:`CATEGORIES`; severity depends on the category (privacy and product
       defects are more often "high").
    4. Hours to first response are log-normal with a median set by the channel (phone fastest, e-mail
       slowest); hours from first response to resolution are log-normal with a median set by severity.
       Handling steps = 1 + Poisson(mean set by severity).
    5. A ticket whose first response or resolution would fall after 31 December 23:59 is still open at
       the data's end: those timestamps are missing (``NaT``) - they are censored, not absent.
    6. A resolved ticket is *recovered* (the customer is satisfied with the handling) with probability
       ``logistic(1.2 - speed_effect x log(resolution hours / 48) - 0.7 x [high severity])``: faster
       handling recovers more customers. Satisfaction after handling (1-5) is high when recovered, low
       when not; missing while open.
    7. Whether a customer buys again in the following six months (``repurchased``):
       ``logit P = logit(base_repurchase) + loyal_effect x [loyal] + effect(outcome)`` with
       ``effect = 0`` for never complained, ``recovery_effect`` for recovered (the service-recovery
       paradox when > 0), ``poor_handling_effect`` for not recovered and ``open_effect`` for still open.
       So a logistic regression of ``repurchased`` on outcome and segment recovers these log-odds.

    Parameters
    ----------
    n : int, default 20_000
        Number of customers in the base.
    seed : int, default 0
        Random seed; the same seed gives the same frames.
    recovery_effect, poor_handling_effect, open_effect : float
        Log-odds effects on repurchase of each complaint outcome, relative to never complaining.
    base_repurchase : float
        Repurchase probability of a new customer who never complained.
    loyal_effect : float
        Log-odds effect of being a loyal customer on repurchase.
    complaint_rate_new, complaint_rate_loyal : float
        Probability that a customer of each segment complains during the year.
    loyal_share : float
        Share of loyal customers.
    speed_effect : float
        How strongly a slow resolution lowers the chance of recovery (>= 0).
    year : int
        Calendar year of the data.

    Returns
    -------
    tickets : DataFrame
        One row per complaint: ``ticket_id``, ``customer_id``, ``segment``, ``channel``, ``category``,
        ``severity`` (ordered), ``opened``, ``first_response``, ``resolved`` (datetimes, ``NaT`` if not
        yet), ``handling_steps``, ``outcome`` (``"recovered"``, ``"not recovered"``, ``"still open"``),
        ``satisfaction`` (1-5, missing while open).
    customers : DataFrame
        The whole customer base (the *truth* frame): ``customer_id``, ``segment``, ``complained``,
        ``outcome`` (incl. ``"never complained"``), ``repurchased`` (bool) and the hidden
        ``p_repurchase`` and ``true_log_odds_effect`` of the customer's outcome.

    Examples
    --------
    >>> tickets, customers = make_tickets(5_000, seed=1)
    >>> len(customers), int(customers["complained"].sum()) == len(tickets)
    (5000, True)
    >>> bool(tickets.loc[tickets["outcome"] == "still open", "resolved"].isna().all())
    True
    """
    where = "make_tickets"
    n = require_positive_int(n, "n", where=where, minimum=10)
    for nm, v in dict(recovery_effect=recovery_effect, poor_handling_effect=poor_handling_effect,
                      open_effect=open_effect, loyal_effect=loyal_effect).items():
        require_number(v, nm, where=where, low=-10, high=10)
    base = require_probability(base_repurchase, "base_repurchase", where=where, allow_zero=False,
                               allow_one=False)
    r_new = require_probability(complaint_rate_new, "complaint_rate_new", where=where)
    r_loyal = require_probability(complaint_rate_loyal, "complaint_rate_loyal", where=where)
    loyal_share = require_probability(loyal_share, "loyal_share", where=where)
    speed_effect = require_number(speed_effect, "speed_effect", where=where, low=0)
    year = require_positive_int(year, "year", where=where, minimum=1900)
    rng = np.random.default_rng(seed)

    start = pd.Timestamp(f"{year}-01-01")
    end = pd.Timestamp(f"{year + 1}-01-01")
    year_h = (end - start) / pd.Timedelta(hours=1)

    loyal = rng.random(n) < loyal_share
    complained = rng.random(n) < np.where(loyal, r_loyal, r_new)
    cid = np.flatnonzero(complained)
    m = len(cid)

    ch_names, ch_p = list(CHANNELS), np.array(list(CHANNELS.values()))
    cat_names, cat_p = list(CATEGORIES), np.array(list(CATEGORIES.values()))
    channel = np.array(ch_names, dtype=object)[rng.choice(len(ch_names), m, p=ch_p / ch_p.sum())]
    category = np.array(cat_names, dtype=object)[rng.choice(len(cat_names), m, p=cat_p / cat_p.sum())]
    high = rng.random(m) < np.array([_HIGH_SHARE[c] for c in category])
    severity = np.where(high, "high", np.where(rng.random(m) < 0.6, "low", "medium"))

    opened_h = rng.uniform(0, year_h, m)
    fr_h = np.exp(np.log([_FIRST_RESPONSE_H[c] for c in channel]) + 1.0 * rng.standard_normal(m))
    res_h = fr_h + np.exp(np.log([_RESOLVE_H[s] for s in severity]) + 1.1 * rng.standard_normal(m))
    steps = 1 + rng.poisson([_STEPS[s] for s in severity])

    p_rec = _logit_inv(1.2 - speed_effect * np.log(res_h / 48.0) - 0.7 * high)
    recovered = rng.random(m) < p_rec
    still_open = opened_h + res_h >= year_h
    no_response = opened_h + fr_h >= year_h
    outcome = np.where(still_open, "still open", np.where(recovered, "recovered", "not recovered"))
    sat = np.where(recovered, rng.choice([4, 5], m, p=[0.4, 0.6]),
                   rng.choice([1, 2, 3], m, p=[0.45, 0.35, 0.2])).astype(float)
    sat[still_open] = np.nan

    def stamp(hours, missing):
        ts = start + pd.to_timedelta(np.round(hours * 60.0), unit="min")
        return ts.where(~missing, pd.NaT)

    segment = np.where(loyal, "loyal", "new")
    tickets = pd.DataFrame({
        "ticket_id": np.arange(1, m + 1),
        "customer_id": cid + 1,
        "segment": segment[cid],
        "channel": pd.Categorical(channel, categories=ch_names),
        "category": pd.Categorical(category, categories=cat_names),
        "severity": pd.Categorical(severity, categories=list(SEVERITIES), ordered=True),
        "opened": stamp(opened_h, np.zeros(m, bool)),
        "first_response": stamp(opened_h + fr_h, no_response),
        "resolved": stamp(opened_h + res_h, still_open),
        "handling_steps": steps.astype("int64"),
        "outcome": outcome,
        "satisfaction": sat,
    }).sort_values("opened", kind="stable").reset_index(drop=True)
    tickets["ticket_id"] = np.arange(1, m + 1)

    cust_outcome = np.full(n, "never complained", dtype=object)
    cust_outcome[cid] = outcome
    effect = pd.Series(cust_outcome).map({"never complained": 0.0, "recovered": recovery_effect,
                                          "not recovered": poor_handling_effect,
                                          "still open": open_effect}).to_numpy(float)
    logit = np.log(base / (1 - base)) + loyal_effect * loyal + effect
    p = _logit_inv(logit)
    customers = pd.DataFrame({
        "customer_id": np.arange(1, n + 1),
        "segment": segment,
        "complained": complained,
        "outcome": pd.Categorical(cust_outcome, categories=list(OUTCOMES)),
        "repurchased": rng.random(n) < p,
        "p_repurchase": p,
        "true_log_odds_effect": effect,
    })
    return tickets, customers


# --------------------------------------------------------------------------------------------------
# Descriptive analytics
# --------------------------------------------------------------------------------------------------

def pareto_table(tickets: pd.DataFrame, column: str = "category", *, vital_share: float = 0.8) -> pd.DataFrame:
    """Pareto table: counts by ``column``, largest first, with shares and the cumulative share.

    ``vital_few`` marks the categories needed to reach ``vital_share`` of all complaints (the 80/20
    idea applied to complaints: fix these first).

    Examples
    --------
    >>> t, _ = make_tickets(5_000, seed=1)
    >>> pareto_table(t)["category"].iloc[0]
    'billing'
    """
    where = "pareto_table"
    require_frame(tickets, where=where)
    require_columns(tickets, [column], where=where)
    vital_share = require_probability(vital_share, "vital_share", where=where, allow_zero=False)
    counts = tickets[column].astype(str).value_counts()
    out = pd.DataFrame({column: counts.index.astype(str), "complaints": counts.to_numpy()})
    out["share"] = out["complaints"] / out["complaints"].sum()
    out["cumulative_share"] = out["share"].cumsum()
    before = out["cumulative_share"].shift(fill_value=0.0)
    out["vital_few"] = before < vital_share - 1e-12
    return out


def complaint_rates(tickets: pd.DataFrame, customers: pd.DataFrame, *, by: str | None = None,
                    customer_col: str = "customer_id") -> pd.DataFrame:
    """Complaints per 1,000 customers, overall or by a column of ``customers`` (e.g. ``segment``).

    A raw count says where complaints pile up; a rate per 1,000 customers says where customers are
    more likely to complain, which is what to compare between segments, products or months.

    Bad input: ``customers`` has one row per customer (a repeated id is an error). The id columns of the
    two frames must have the same type (text ids against integer ids would match nothing: an error) and
    no missing values (a ticket without a customer would silently vanish: an error). Tickets whose
    customer is not in ``customers`` are left out and reported with
    :class:`~crm_lessons._validate.CRMUnmatchedKeysWarning` (their count).

    Examples
    --------
    >>> t, c = make_tickets(5_000, seed=1)
    >>> complaint_rates(t, c, by="segment")[["segment", "customers"]].to_dict("list")
    {'segment': ['loyal', 'new'], 'customers': [2022, 2978]}
    """
    where = "complaint_rates"
    require_frame(tickets, where=where, allow_empty=True)
    require_frame(customers, where=where)
    require_columns(tickets, [customer_col], where=where)
    cols = [customer_col] + ([by] if by else [])
    require_columns(customers, cols, where=where)
    require_unique_key(customers, customer_col, where=f"{where} (customers)", what="customer")
    if by:
        require_no_missing(customers, [by], where=f"{where} (customers)")
    check_join_keys(tickets, customers, customer_col, where=where, left_name="tickets", right_name="customers")
    per_customer = tickets.groupby(customer_col).size()
    base = customers[cols].copy()
    base["complaints"] = base[customer_col].map(per_customer).fillna(0).astype("int64")
    if by is None:
        base["all customers"] = "all"
        by = "all customers"
    out = base.groupby(by, observed=True).agg(customers=(customer_col, "size"),
                                              complaints=("complaints", "sum")).reset_index()
    out["per_1000"] = 1000.0 * out["complaints"] / out["customers"]
    return out


def time_to_event(tickets: pd.DataFrame, *, event: str = "resolved", start: str = "opened",
                  end_of_data: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Durations (hours) from ``start`` to ``event`` with a censoring flag, for survival analysis.

    A ticket still open at the end of the data has no ``event`` time; it is kept with its duration so
    far (end of data - opened) and ``observed = False`` (right-censored). Dropping those tickets would
    leave only the quick ones and make the desk look faster than it is.

    Parameters
    ----------
    event : {"resolved", "first_response"}
        Which timestamp ends the duration.
    end_of_data : date, optional
        When observation stopped; default: the latest timestamp in the data, rounded up to a day. An
        earlier date analyses a snapshot: later tickets are left out and later events count as not
        yet happened.

    Returns
    -------
    DataFrame
        A copy of ``tickets`` plus ``hours`` (float) and ``observed`` (bool).

    Examples
    --------
    >>> t, _ = make_tickets(5_000, seed=1)
    >>> d = time_to_event(t)
    >>> int((~d["observed"]).sum()) == int((t["outcome"] == "still open").sum())
    True
    """
    where = "time_to_event"
    require_frame(tickets, where=where)
    require_choice(event, "event", ["resolved", "first_response"], where=where)
    require_datetime(tickets, [start, event], where=where)
    if tickets[start].isna().any():
        raise CRMInputError(f"{where}: column {start!r} has missing values; every ticket needs an "
                            "opening time. Drop or fix those rows first.")
    if end_of_data is None:
        latest = pd.concat([tickets[c] for c in (start, event)]).max()
        end = latest.ceil("D")
    else:
        end = pd.Timestamp(end_of_data)
    # A snapshot: tickets not yet opened are unknown; events after the snapshot have not happened yet.
    out = tickets[tickets[start] < end].copy()
    if out.empty:
        raise CRMInputError(f"{where}: no ticket was opened before end_of_data={end}; choose a later date.")
    observed = out[event].notna() & (out[event] <= end)
    stop = out[event].where(observed, end)
    hours = (stop - out[start]) / pd.Timedelta(hours=1)
    if (hours < 0).any():
        raise CRMInputError(f"{where}: some {event!r} times are before {start!r} (or after end_of_data); "
                            "check the timestamps.")
    out["hours"] = hours.astype(float)
    out["observed"] = observed.to_numpy()
    return out


def km_medians(tickets: pd.DataFrame, *, event: str = "resolved", by: str | None = "channel",
               end_of_data=None) -> pd.DataFrame:
    """Kaplan-Meier median time to ``event`` (hours) per group, beside the naive median of closed tickets.

    Uses :class:`statsmodels.duration.survfunc.SurvfuncRight` with still-open tickets censored. The
    naive median (closed tickets only) is shown to make the bias visible: it is too short.

    Returns
    -------
    DataFrame
        ``<by>``, ``tickets``, ``still_open``, ``km_median_hours`` with ``ci_low``/``ci_high`` (95%),
        ``naive_median_closed_hours``.

    Examples
    --------
    >>> t, _ = make_tickets(5_000, seed=1)
    >>> m = km_medians(t, by=None)
    >>> bool(m["km_median_hours"].iloc[0] > m["naive_median_closed_hours"].iloc[0])
    True
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    d = time_to_event(tickets, event=event, end_of_data=end_of_data)
    if by is None:
        d["group"] = "all tickets"
        by_col = "group"
    else:
        require_columns(d, [by], where="km_medians")
        by_col = by
    rows = []
    for key, g in d.groupby(by_col, observed=True, sort=True):
        sf = SurvfuncRight(g["hours"].to_numpy(), g["observed"].to_numpy().astype(int))
        med = sf.quantile(0.5)
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                lo, hi = sf.quantile_ci(0.5)
        except (ValueError, IndexError, ZeroDivisionError):
            lo, hi = np.nan, np.nan
        rows.append({by_col: str(key), "tickets": len(g), "still_open": int((~g["observed"]).sum()),
                     "km_median_hours": float(med) if med is not None else np.nan,
                     "ci_low": float(lo) if lo is not None else np.nan,
                     "ci_high": float(hi) if hi is not None else np.nan,
                     "naive_median_closed_hours": float(g.loc[g["observed"], "hours"].median())})
    return pd.DataFrame(rows)


def sla_compliance(tickets: pd.DataFrame, *, event: str = "first_response", hours=24.0,
                   by: str | None = "channel", end_of_data=None) -> pd.DataFrame:
    """Share of tickets that met a service-level promise (SLA), e.g. a first response within 24 hours.

    ``hours`` is one number or a dict per severity (e.g. ``{"high": 4, "medium": 24, "low": 48}``). A
    ticket breached if its event came late, or if it is still waiting past the deadline at the end of
    the data; one still waiting *within* its deadline is ``pending`` and left out of the share.

    Examples
    --------
    >>> t, _ = make_tickets(5_000, seed=1)
    >>> s = sla_compliance(t, hours=24, by=None)
    >>> bool(0 < s["compliance"].iloc[0] < 1)
    True
    """
    where = "sla_compliance"
    d = time_to_event(tickets, event=event, end_of_data=end_of_data)
    if isinstance(hours, dict):
        require_columns(d, ["severity"], where=where)
        missing = set(d["severity"].astype(str)) - set(hours)
        if missing:
            raise CRMInputError(f"{where}: hours has no deadline for severity {sorted(missing)}; give one "
                                f"for each of {sorted(set(d['severity'].astype(str)))}.")
        for k, v in hours.items():
            require_number(v, f"hours[{k!r}]", where=where, low=0, low_inclusive=False)
        deadline = d["severity"].astype(str).map(hours).astype(float)
    else:
        deadline = pd.Series(require_number(hours, "hours", where=where, low=0, low_inclusive=False),
                             index=d.index)
    met = d["observed"] & (d["hours"] <= deadline)
    pending = ~d["observed"] & (d["hours"] <= deadline)
    d["met"] = met
    d["pending"] = pending
    if by is None:
        d["group"] = "all tickets"
        by = "group"
    require_columns(d, [by], where=where)
    out = d.groupby(by, observed=True).agg(tickets=("met", "size"), met=("met", "sum"),
                                           pending=("pending", "sum")).reset_index()
    out[by] = out[by].astype(str)
    out["breached"] = out["tickets"] - out["met"] - out["pending"]
    out["compliance"] = out["met"] / (out["met"] + out["breached"])
    return out


# --------------------------------------------------------------------------------------------------
# The service-recovery paradox
# --------------------------------------------------------------------------------------------------

def repurchase_by_outcome(customers: pd.DataFrame, *, outcome: str = "outcome",
                          repurchased: str = "repurchased") -> pd.DataFrame:
    """Raw repurchase rate per complaint outcome (before any adjustment).

    Examples
    --------
    >>> _, c = make_tickets(5_000, seed=1)
    >>> repurchase_by_outcome(c)["outcome"].tolist()
    ['never complained', 'recovered', 'not recovered', 'still open']
    """
    where = "repurchase_by_outcome"
    require_frame(customers, where=where)
    require_columns(customers, [outcome, repurchased], where=where)
    require_binary(customers, [repurchased], where=where)
    require_no_missing(customers, [outcome], where=where)
    out = (customers.groupby(outcome, observed=True)[repurchased]
           .agg(customers="size", repurchase_rate="mean").reset_index())
    out[outcome] = out[outcome].astype(str)
    return out


def recovery_paradox(customers: pd.DataFrame, *, outcome: str = "outcome", repurchased: str = "repurchased",
                     reference: str = "never complained", controls: tuple[str, ...] = ("segment",),
                     alpha: float = 0.05) -> pd.DataFrame:
    """Test the service-recovery paradox with a logistic regression of repurchase on complaint outcome.

    Fits ``repurchased ~ C(outcome, Treatment(reference)) + controls`` with statsmodels' ``logit``. The
    coefficient of ``recovered`` answers: does a complainer whose problem was put right buy again more
    than a comparable customer who never complained? A positive estimate whose interval excludes 0
    supports the paradox. Controls matter: loyal customers both complain more and buy again more.

    Bad input: ``repurchased`` must be 0/1 and vary; at least 2 outcomes; no missing outcome or control.

    Returns
    -------
    DataFrame
        One row per outcome other than the reference: ``outcome``, ``log_odds``, ``ci_low``,
        ``ci_high``, ``odds_ratio``, ``p_value``, ``customers``.

    Examples
    --------
    >>> _, c = make_tickets(20_000, seed=2, recovery_effect=0.5)
    >>> r = recovery_paradox(c).set_index("outcome")
    >>> bool(r.loc["recovered", "ci_low"] < 0.5 < r.loc["recovered", "ci_high"])
    True
    """
    import statsmodels.formula.api as smf

    where = "recovery_paradox"
    require_frame(customers, where=where)
    require_columns(customers, [outcome, repurchased, *controls], where=where)
    require_probability(alpha, "alpha", where=where, allow_zero=False, allow_one=False)
    require_no_missing(customers, [outcome, *controls], where=where)
    levels = [str(x) for x in pd.unique(customers[outcome].astype(str))]
    require_choice(reference, "reference", levels, where=where)
    if customers[repurchased].isna().any():
        raise CRMInputError(f"{where}: column {repurchased!r} has missing values; drop those customers first.")
    require_binary(customers, [repurchased], where=where)
    require_min_groups(customers, outcome, 2, where=where, what="complaint outcomes",
                       why="the test compares each outcome with the reference")
    require_varies(customers, [repurchased], where=where, why="a logit needs customers who repurchased and "
                   "customers who did not")
    d = pd.DataFrame({"y": customers[repurchased].astype(int).to_numpy(),
                      "outcome": customers[outcome].astype(str).to_numpy()})
    for c in controls:
        d[c] = customers[c].astype(str).to_numpy()
    rhs = " + ".join([f"C(outcome, Treatment({reference!r}))"] + [f"C({c})" for c in controls])
    try:
        fit = smf.logit(f"y ~ {rhs}", data=d).fit(disp=0)
    except (np.linalg.LinAlgError, ValueError) as err:   # singular design, perfect separation
        raise CRMInputError(f"{where}: the logit cannot be fitted on these {len(d)} customers ({err}); each "
                            "outcome needs customers who repurchased and who did not. Use more data or "
                            "fewer controls.") from None
    ci = fit.conf_int(alpha)
    counts = d["outcome"].value_counts()
    rows = []
    for name in fit.params.index:
        if not name.startswith("C(outcome"):
            continue
        level = name.split("[T.")[1].rstrip("]")
        b = float(fit.params[name])
        rows.append({"outcome": level, "log_odds": b, "ci_low": float(ci.loc[name, 0]),
                     "ci_high": float(ci.loc[name, 1]), "odds_ratio": float(np.exp(b)),
                     "p_value": float(fit.pvalues[name]), "customers": int(counts[level])})
    order = {k: i for i, k in enumerate(OUTCOMES)}
    return pd.DataFrame(rows).sort_values("outcome", key=lambda s: s.map(order).fillna(99)).reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# The virtuous and vicious circles
# --------------------------------------------------------------------------------------------------

def circle_model(periods: int = 24, *, customers: float = 10_000, problem_rate: float = 0.10,
                 voice_rate: float = 0.7, recovery_rate: float = 0.6, keep_satisfied: float = 0.96,
                 keep_dissatisfied: float = 0.60, referrals_per_satisfied: float = 0.07,
                 lost_prospects_per_dissatisfied: float = 0.12, base_acquisition: float = 0.0,
                 spend_satisfied: float = 100.0, spend_dissatisfied: float = 40.0) -> pd.DataFrame:
    """The virtuous and vicious circles of complaint handling as difference equations over periods.

    Each period, of the ``N_t`` customers a share ``problem_rate`` meet a problem; of those a share
    ``voice_rate`` complain, and of the complaints a share ``recovery_rate`` are handled well. Then

    * satisfied ``S_t = N_t (1 - problem_rate) + N_t problem_rate voice_rate recovery_rate`` and
      dissatisfied ``D_t = N_t - S_t`` (silent sufferers plus badly handled complainers);
    * sales ``= S_t spend_satisfied + D_t spend_dissatisfied`` (satisfied customers buy more);
    * word of mouth: new customers ``= max(0, base_acquisition + referrals_per_satisfied S_t -
      lost_prospects_per_dissatisfied D_t)`` (praise brings prospects, complaints spread and lose them);
    * ``N_{t+1} = keep_satisfied S_t + keep_dissatisfied D_t + new customers``.

    With good handling the base grows (virtuous circle); with poor handling it shrinks (vicious circle).
    With the defaults the base holds steady at a recovery rate of about 0.65; the defaults are
    illustrative (one period = one quarter), not estimates.

    Returns
    -------
    DataFrame
        One row per period: ``period``, ``customers``, ``satisfied``, ``dissatisfied``, ``complaints``,
        ``recovered``, ``new_customers``, ``sales``.

    Examples
    --------
    >>> good = circle_model(24, recovery_rate=0.9)["customers"].iloc[-1]
    >>> bad = circle_model(24, recovery_rate=0.1)["customers"].iloc[-1]
    >>> bool(good > 10_000 > bad)
    True
    """
    where = "circle_model"
    periods = require_positive_int(periods, "periods", where=where)
    n = require_number(customers, "customers", where=where, low=0)
    for nm, v in dict(problem_rate=problem_rate, voice_rate=voice_rate, recovery_rate=recovery_rate,
                      keep_satisfied=keep_satisfied, keep_dissatisfied=keep_dissatisfied).items():
        require_probability(v, nm, where=where)
    for nm, v in dict(referrals_per_satisfied=referrals_per_satisfied,
                      lost_prospects_per_dissatisfied=lost_prospects_per_dissatisfied,
                      base_acquisition=base_acquisition, spend_satisfied=spend_satisfied,
                      spend_dissatisfied=spend_dissatisfied).items():
        require_number(v, nm, where=where, low=0)
    rows = []
    for t in range(periods):
        problems = n * problem_rate
        complaints = problems * voice_rate
        recovered = complaints * recovery_rate
        s = n - problems + recovered
        d = n - s
        new = max(0.0, base_acquisition + referrals_per_satisfied * s - lost_prospects_per_dissatisfied * d)
        rows.append({"period": t, "customers": n, "satisfied": s, "dissatisfied": d,
                     "complaints": complaints, "recovered": recovered, "new_customers": new,
                     "sales": s * spend_satisfied + d * spend_dissatisfied})
        n = keep_satisfied * s + keep_dissatisfied * d + new
    return pd.DataFrame(rows)
