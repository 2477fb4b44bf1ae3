"""Loyalty (客户忠诚) measured on purchase histories, and the relationship life cycle.

Helpers over a transaction log (one row per purchase: ``customer_id``, ``date``; ``load("cdnow_master")``):

- :func:`purchase_summary`: repeat purchases (重复购买) and customer life per customer;
- :func:`cohort_retention`: share of each acquisition cohort that buys in each later period
  (cohort retention curves); :func:`period_retention`: retention rate (客户保持率) and churn rate
  (客户流失率) from one period to the next, by cohort;
- :func:`lifecycle_stages`, :func:`stage_transition_matrix`, :func:`early_warning`: the five stages
  of the relationship life cycle (培育, 确认, 信任, 弱化, 消失) from purchase intensity per quarter,
  and a check of "weakening" as an early warning on a holdout period;
- :func:`retention_lever`: what a few points more retention do to CLV (the material's "loyalty drives
  profit" claim, with the formula of Chapter 1);
- :data:`LOYALTY_METRICS`, :func:`loyalty_metrics_table`: the course's twelve loyalty metrics, the
  data each needs, and the values the workbook's data sets allow;
- :data:`CHURN_PREVENTION`: the ten churn-prevention measures tied to the chapter's analyses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_choice,
    require_columns,
    require_date,
    require_no_missing,
    require_unique_key,
    require_frame,
    require_number,
    require_positive_int,
    require_probability,
    require_transactions,
)

__all__ = [
    "purchase_summary",
    "cohort_retention",
    "period_retention",
    "STAGES",
    "lifecycle_stages",
    "stage_transition_matrix",
    "early_warning",
    "retention_lever",
    "LOYALTY_METRICS",
    "loyalty_metrics_table",
    "CHURN_PREVENTION",
    "SATISFACTION_CLAIMS",
]

_FREQS = {"M": "M", "Q": "Q"}


def _check_tx(tx, customer, date, where):
    return require_transactions(tx, where=where, customer_col=customer, date_col=date)


def purchase_summary(transactions: pd.DataFrame, *, customer: str = "customer_id", date: str = "date",
                     end: str | None = None) -> pd.DataFrame:
    """Repeat purchases and customer life, one row per customer.

    Purchases on the same day count once (a "purchase occasion").

    Returns
    -------
    DataFrame
        Index ``customer``; ``first``, ``last`` (dates), ``purchases`` (occasions),
        ``repeat_purchases`` (= purchases - 1), ``life_days`` (last - first purchase, the observed
        customer life) and ``days_since_last`` (to ``end``, default the last date in the data).
        With ``end``, purchases after ``end`` are ignored (the summary as it looked on that day) and
        customers whose first purchase is later are left out.

    Bad input: dates must be naive datetimes (time-zone-aware or text dates are an error that says how to
    convert). Exact duplicate rows cannot change the answer (same-day rows are one occasion).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                    "date": pd.to_datetime(["1997-01-01", "1997-01-01", "1997-03-02", "1997-02-01"])})
    >>> purchase_summary(tx)[["purchases", "repeat_purchases", "life_days"]]
                 purchases  repeat_purchases  life_days
    customer_id                                        
    1                    2                 1         60
    2                    1                 0          0
    """
    where = "purchase_summary"
    _check_tx(transactions, customer, date, where)
    d = transactions[[customer, date]].drop_duplicates()
    if end is not None:
        end_ts = require_date(end, "end", where=where)
        d = d.loc[d[date] <= end_ts]          # the summary is as seen on ``end``: later purchases unseen
        if len(d) == 0:
            raise CRMInputError(f"{where}: no purchase on or before end={end_ts.date()}; the first purchase "
                                f"is on {transactions[date].min().date()}. Pick a later end.")
    else:
        end_ts = transactions[date].max()
    g = d.groupby(customer)[date]
    out = pd.DataFrame({"first": g.min(), "last": g.max(), "purchases": g.size()})
    out["repeat_purchases"] = out["purchases"] - 1
    out["life_days"] = (out["last"] - out["first"]).dt.days
    out["days_since_last"] = (end_ts - out["last"]).dt.days
    return out


def _periods(transactions, customer, date, freq, where):
    freq = require_choice(freq, "freq", list(_FREQS), where=where)
    d = pd.DataFrame({"c": transactions[customer].to_numpy(),
                      "p": transactions[date].dt.to_period(freq)}).drop_duplicates()
    cohort = d.groupby("c")["p"].min().rename("cohort")
    d = d.join(cohort, on="c")
    d["k"] = (d["p"] - d["cohort"]).apply(lambda x: x.n).astype("int64")
    return d


def cohort_retention(transactions: pd.DataFrame, *, customer: str = "customer_id", date: str = "date",
                     freq: str = "M", max_periods: int | None = None, counts: bool = False) -> pd.DataFrame:
    """Cohort retention table: share of each acquisition cohort that buys ``k`` periods after joining.

    A customer's cohort is the period (month ``"M"`` or quarter ``"Q"``) of their first purchase;
    column ``k`` is the share of the cohort who buy at least once in period ``cohort + k`` (period 0
    is 1 by definition). Only periods fully inside the data are kept per cohort: the last period
    observed is the one holding the last date.

    Returns
    -------
    DataFrame
        Index: cohort (str such as ``"1997-01"``), column ``size`` then ``0, 1, ..., K``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3],
    ...                    "date": pd.to_datetime(["1997-01-05", "1997-02-07", "1997-01-20",
    ...                                            "1997-02-02", "1997-03-01"])})
    >>> cohort_retention(tx)
             size    0    1    2
    cohort                      
    1997-01     2  1.0  0.5  0.0
    1997-02     1  1.0  1.0  NaN
    """
    where = "cohort_retention"
    _check_tx(transactions, customer, date, where)
    d = _periods(transactions, customer, date, freq, where)
    last = transactions[date].max().to_period(freq)
    size = d.groupby("cohort")["c"].nunique()
    active = d.groupby(["cohort", "k"])["c"].nunique().unstack(fill_value=0)
    horizon = {c: (last - c).n for c in active.index}
    active = active.reindex(columns=range(0, max(horizon.values()) + 1), fill_value=0).astype(float)
    for c in active.index:
        active.loc[c, [k for k in active.columns if k > horizon[c]]] = np.nan
    if max_periods is not None:
        max_periods = require_positive_int(max_periods, "max_periods", where=where, minimum=0)
        active = active.loc[:, [k for k in active.columns if k <= max_periods]]
    table = active if counts else active.div(size, axis=0)
    table.columns = [int(k) for k in table.columns]
    table.insert(0, "size", size.astype("int64"))
    table.index = table.index.astype(str)
    table.index.name = "cohort"
    return table


def period_retention(transactions: pd.DataFrame, *, customer: str = "customer_id", date: str = "date",
                     freq: str = "Q", by_cohort: bool = True) -> pd.DataFrame:
    """Retention and churn rate from each period to the next (客户保持率, 客户流失率).

    Retention rate in period t = customers who bought in t-1 and again in t / customers who bought
    in t-1; churn rate = 1 - retention rate. ("Churn" here is not buying in the next period, the
    usual definition for a non-contractual business such as CDNOW, where nobody cancels.)

    Returns
    -------
    DataFrame
        ``cohort`` (or ``"all"``), ``period``, ``active_before``, ``retained``, ``retention_rate``,
        ``churn_rate``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3],
    ...                    "date": pd.to_datetime(["1997-01-05", "1997-04-07", "1997-01-20",
    ...                                            "1997-07-02", "1997-02-01"])})
    >>> period_retention(tx, by_cohort=False)[["period", "active_before", "retained", "retention_rate"]]
       period  active_before  retained  retention_rate
    0  1997Q2              3         1        0.333333
    1  1997Q3              1         0        0.000000
    """
    where = "period_retention"
    _check_tx(transactions, customer, date, where)
    d = _periods(transactions, customer, date, freq, where)
    if not by_cohort:
        d["cohort"] = "all"
    else:
        d["cohort"] = d["cohort"].astype(str)
    rows = []
    for coh, g in d.groupby("cohort"):
        sets = g.groupby("p")["c"].apply(set)
        periods = pd.period_range(sets.index.min(), sets.index.max(), freq=freq)
        for prev, cur in zip(periods[:-1], periods[1:]):
            a = sets.get(prev, set())
            b = sets.get(cur, set())
            if not a:
                continue
            kept = len(a & b)
            rows.append({"cohort": coh, "period": str(cur), "active_before": len(a), "retained": kept,
                         "retention_rate": kept / len(a), "churn_rate": 1 - kept / len(a)})
    return pd.DataFrame(rows)


#: The five stages of the relationship life cycle, in order.
STAGES = ("cultivation", "confirmation", "trust", "weakening", "dissolution")


def lifecycle_stages(transactions: pd.DataFrame, *, customer: str = "customer_id", date: str = "date",
                     freq: str = "Q", end: str | None = None, drop_share: float = 0.5,
                     quiet_periods: int = 2) -> pd.DataFrame:
    """Assign each customer a life-cycle stage in every period, from purchase intensity.

    Transparent rules, per customer and period (quarter by default), with ``n`` = purchase occasions
    in the period and ``ref`` = the mean of ``n`` over the customer's earlier *active* periods:

    1. **cultivation** (培育期): the period of the first purchase;
    2. **dissolution** (消失期): no purchase in this and the previous ``quiet_periods - 1`` periods
       (default: two quiet quarters in a row);
    3. **weakening** (弱化期): otherwise, ``n < drop_share * ref`` (including ``n = 0``): buying
       has fallen to under half its usual rate;
    4. **confirmation** (确认期): otherwise, the customer has only one earlier active period (this
       is their first repeat period, or the first after a lapse);
    5. **trust** (信任期): otherwise (a sustained repeat buyer).

    A dissolved customer who buys again re-enters as confirmation or trust (a recovered customer).

    Parameters
    ----------
    end : str, optional
        Last date of the observation (default: the last date in the data); periods run from each
        customer's first period to the period holding ``end``.
    drop_share : float in (0, 1]
        Fall in intensity that counts as weakening.
    quiet_periods : int >= 1
        Consecutive periods without a purchase that count as dissolution.

    Returns
    -------
    DataFrame
        One row per customer and period: ``customer``, ``period`` (str), ``purchases``, ``stage``
        (ordered categorical of :data:`STAGES`).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 1, 1],
    ...                    "date": pd.to_datetime(["1997-01-05", "1997-04-07", "1997-05-02",
    ...                                            "1997-08-01", "1997-08-20"])})
    >>> lifecycle_stages(tx, end="1998-03-31")[["period", "purchases", "stage"]]
       period  purchases         stage
    0  1997Q1          1   cultivation
    1  1997Q2          2  confirmation
    2  1997Q3          2         trust
    3  1997Q4          0     weakening
    4  1998Q1          0   dissolution
    """
    where = "lifecycle_stages"
    _check_tx(transactions, customer, date, where)
    freq = require_choice(freq, "freq", list(_FREQS), where=where)
    drop_share = require_number(drop_share, "drop_share", where=where, low=0, high=1, low_inclusive=False)
    quiet_periods = require_positive_int(quiet_periods, "quiet_periods", where=where)
    tx = transactions[[customer, date]].drop_duplicates()
    end_p = (pd.Timestamp(end) if end is not None else tx[date].max()).to_period(freq)
    tx = tx[tx[date].dt.to_period(freq) <= end_p]
    if tx.empty:
        raise CRMInputError(f"{where}: no purchases on or before end={end!r}.")
    per = tx[date].dt.to_period(freq)
    counts = pd.DataFrame({"c": tx[customer].to_numpy(), "p": per.to_numpy()}).groupby(["c", "p"]).size()
    first = counts.reset_index().groupby("c")["p"].min()
    all_p = pd.period_range(first.min(), end_p, freq=freq)
    pos = {p: i for i, p in enumerate(all_p)}
    cust = first.index.to_numpy()
    cidx = {c: i for i, c in enumerate(cust)}
    N = np.zeros((len(cust), len(all_p)), dtype=np.int64)
    ci = np.array([cidx[c] for c in counts.index.get_level_values(0)])
    pi = np.array([pos[p] for p in counts.index.get_level_values(1)])
    N[ci, pi] = counts.to_numpy()
    start = np.array([pos[p] for p in first.to_numpy()])
    T = len(all_p)
    code = np.full(N.shape, -1, dtype=np.int64)  # -1 = before first purchase
    s_act = np.zeros(len(cust))        # sum of n over earlier active periods
    k_act = np.zeros(len(cust))        # number of earlier active periods
    quiet = np.zeros(len(cust), dtype=np.int64)  # consecutive quiet periods up to now
    for t in range(T):
        n = N[:, t]
        alive = start <= t
        is_first = start == t
        quiet = np.where(alive & (n == 0), quiet + 1, 0)
        ref = np.divide(s_act, k_act, out=np.ones(len(cust)), where=k_act > 0)
        c = np.full(len(cust), 2)                                        # trust
        c = np.where(k_act <= 1, 1, c)                                   # confirmation
        c = np.where(n < drop_share * ref, 3, c)                         # weakening
        c = np.where(quiet >= quiet_periods, 4, c)                       # dissolution
        c = np.where(is_first, 0, c)                                     # cultivation
        code[:, t] = np.where(alive, c, -1)
        act = alive & (n > 0)
        s_act = s_act + np.where(act, n, 0)
        k_act = k_act + act
    ii, tt = np.nonzero(code >= 0)
    labels = np.array([str(p) for p in all_p], dtype=object)
    out = pd.DataFrame({customer: cust[ii], "period": labels[tt], "purchases": N[ii, tt],
                        "stage": pd.Categorical.from_codes(code[ii, tt], categories=list(STAGES),
                                                           ordered=True)})
    return out


def stage_transition_matrix(stages: pd.DataFrame, *, customer: str = "customer_id",
                            normalize: bool = True) -> pd.DataFrame:
    """Stage in one period (rows) against stage in the next (columns), over all customers.

    ``stages`` has one row per customer and period (as :func:`lifecycle_stages` returns); a repeated
    customer-period row is an error (it would count a step from a period to itself).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["1997-01-05", "1997-04-07"])})
    >>> stage_transition_matrix(lifecycle_stages(tx, end="1997-09-30"), normalize=False).loc["cultivation"].tolist()
    [0, 1, 0, 0, 0]
    """
    where = "stage_transition_matrix"
    require_columns(stages, [customer, "period", "stage"], where=where)
    require_frame(stages, where=where)
    require_no_missing(stages, [customer, "period", "stage"], where=where)
    # one row per customer and period: a repeated row would count an impossible stage -> same-stage step
    require_unique_key(stages, [customer, "period"], where=where, what="customer and period")
    s = stages.sort_values([customer, "period"], kind="mergesort")
    nxt = s["stage"].shift(-1)
    same = s[customer].eq(s[customer].shift(-1))
    pairs = pd.DataFrame({"from": s["stage"].astype(str)[same], "to": nxt.astype(str)[same]})
    m = pd.crosstab(pairs["from"], pairs["to"]).reindex(index=list(STAGES), columns=list(STAGES),
                                                      fill_value=0).astype("int64")
    m.index.name, m.columns.name = "from", "to"
    if not normalize:
        return m
    tot = m.sum(axis=1).replace(0, np.nan)
    return m.div(tot, axis=0)


def early_warning(transactions: pd.DataFrame, *, calibration_end: str, holdout_end: str | None = None,
                  customer: str = "customer_id", date: str = "date", freq: str = "Q",
                  **rules) -> dict:
    """Does "weakening" at the end of the calibration period warn of lost customers in the holdout?

    Stages are assigned on purchases up to ``calibration_end`` (:func:`lifecycle_stages`). Among
    customers not yet dissolved, the flag is "stage = weakening in the last calibration period"; the
    outcome is "no purchase at all in the holdout" (``calibration_end`` < date <= ``holdout_end``).

    Returns
    -------
    dict
        ``table`` (DataFrame by last stage: customers, share_buying_in_holdout,
        mean_holdout_purchases), and for the weakening flag as a predictor of holdout silence:
        ``precision`` (share of flagged customers who went silent), ``recall`` (share of the silent
        who were flagged), ``base_rate`` (share silent among all not-dissolved) and ``lift``
        (= precision / base_rate).

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> ew = early_warning(load("cdnow_master"), calibration_end="1997-12-31")
    >>> round(ew["precision"], 3), round(ew["recall"], 3), round(ew["lift"], 2)
    (0.54, 0.468, 1.17)
    """
    where = "early_warning"
    _check_tx(transactions, customer, date, where)
    cal_end = pd.Timestamp(calibration_end)
    hold_end = pd.Timestamp(holdout_end) if holdout_end is not None else transactions[date].max()
    if hold_end <= cal_end:
        raise CRMInputError(f"{where}: holdout_end ({hold_end.date()}) must come after calibration_end "
                            f"({cal_end.date()}).")
    cal = transactions[transactions[date] <= cal_end]
    hold = transactions[(transactions[date] > cal_end) & (transactions[date] <= hold_end)]
    st = lifecycle_stages(cal, customer=customer, date=date, freq=freq, end=str(cal_end.date()), **rules)
    last = st.groupby(customer).tail(1).set_index(customer)["stage"]
    hp = hold[[customer, date]].drop_duplicates().groupby(customer).size()
    df = pd.DataFrame({"stage": last, "holdout_purchases": hp.reindex(last.index, fill_value=0)})
    df["bought"] = df["holdout_purchases"] > 0
    table = df.groupby("stage", observed=False).agg(customers=("bought", "size"),
                                                   share_buying_in_holdout=("bought", "mean"),
                                                   mean_holdout_purchases=("holdout_purchases", "mean"))
    live = df[df["stage"] != "dissolution"]
    flag = live["stage"] == "weakening"
    silent = ~live["bought"]
    precision = float(silent[flag].mean()) if flag.any() else float("nan")
    recall = float(flag[silent].mean()) if silent.any() else float("nan")
    base = float(silent.mean())
    return {"table": table, "precision": precision, "recall": recall, "base_rate": base,
            "lift": precision / base if base > 0 else float("nan"), "flagged": int(flag.sum()),
            "not_dissolved": int(len(live))}


def retention_lever(retention: float, *, discount_rate: float = 0.10,
                    deltas=(0.0, 0.01, 0.02, 0.05)) -> pd.DataFrame:
    """CLV per unit margin at ``retention + delta``, and its rise over the baseline.

    With ``CLV = m r / (1 + i - r)`` the gain from a few points of retention depends on where
    retention starts: small from 0.5, large from 0.9. This puts a number on the material's quote
    that loyalty drives profit.

    Examples
    --------
    >>> retention_lever(0.8, discount_rate=0.1, deltas=(0.0, 0.05))["clv_rise"].round(3).tolist()
    [0.0, 0.275]
    """
    where = "retention_lever"
    retention = require_probability(retention, "retention", where=where, allow_one=False)
    discount_rate = require_number(discount_rate, "discount_rate", where=where, low=0.0)
    from .churn import clv

    base = clv(1.0, retention, discount_rate)
    rows = []
    for d in deltas:
        r = require_probability(retention + float(d), "retention + delta", where=where, allow_one=False)
        v = clv(1.0, r, discount_rate)
        rows.append({"retention": r, "delta": float(d), "clv_per_unit_margin": v, "clv_rise": v / base - 1})
    return pd.DataFrame(rows)


#: The twelve loyalty metrics of the course: English, Chinese, and what data measure each.
LOYALTY_METRICS = pd.DataFrame(
    [
        ("repeat purchases", "重复购买次数", "cdnow_master", "purchase history per customer"),
        ("cross-selling", "交叉销售", "telco_churn_ibm", "products or services held per customer"),
        ("up-selling", "增量销售", "cdnow_master (proxy)",
         "product tiers or versions bought over time; CDNOW only has order value"),
        ("time taken to choose", "挑选时间", None, "clickstream or store observation: time from first visit "
         "to purchase"),
        ("attitude to competitors", "对竞争产品的态度", "yogurt_panel / cracker_panel",
         "purchases of competing brands (switching), or a survey"),
        ("price sensitivity", "价格敏感度", "yogurt_panel / cracker_panel",
         "prices of every brand at each purchase (choice model elasticities)"),
        ("tolerance of quality problems", "对产品质量问题的承受能力", None,
         "complaint or defect records linked to later purchases"),
        ("customer life cycle", "客户生命周期", "cdnow_master / telco_churn_ibm",
         "first and last purchase dates, or contract tenure"),
        ("satisfaction", "客户满意度", None, "a satisfaction survey linked to the customer's record"),
        ("recommending the firm", "推荐企业", None, "referral codes, reviews or a net-promoter survey"),
        ("retention rate", "客户保持率", "cdnow_master / telco_churn_ibm", "activity in consecutive periods"),
        ("churn rate", "客户流失率", "cdnow_master / telco_churn_ibm", "activity in consecutive periods, or "
         "cancellations"),
    ],
    columns=["metric", "zh", "data_set", "data_needed"],
)


def loyalty_metrics_table(*, cdnow: pd.DataFrame, telco: pd.DataFrame, yogurt: pd.DataFrame) -> pd.DataFrame:
    """The twelve loyalty metrics with the value each data set allows (NaN where no data can say).

    Values: repeat purchases = mean repeat purchase occasions per CDNOW customer; cross-selling = mean
    services held per Telco customer; up-selling (proxy) = share of CDNOW repeat buyers whose mean
    later order exceeds their first order; attitude to competitors = share of yogurt purchases that
    switch brand; price sensitivity = mean own-price elasticity of the yogurt logit with loyalty;
    customer life cycle = mean observed life (days, first to last purchase) of CDNOW repeat buyers;
    retention rate / churn rate = CDNOW quarter-on-quarter, 1997Q1 -> 1997Q2.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> t = loyalty_metrics_table(cdnow=load("cdnow_master"), telco=load("telco_churn_ibm"),
    ...                           yogurt=load("yogurt_panel"))
    >>> int(t["value"].notna().sum()), round(float(t.loc[t["metric"] == "churn rate", "value"].item()), 3)
    (8, 0.772)
    """
    from . import choice as ch
    from .churn import services_held

    where = "loyalty_metrics_table"
    _check_tx(cdnow, "customer_id", "date", where)
    summ = purchase_summary(cdnow)
    tx = cdnow[["customer_id", "date", "dollars"]] if "dollars" in cdnow else None
    upsell = np.nan
    if tx is not None:
        per = tx.groupby(["customer_id", "date"], as_index=False)["dollars"].sum().sort_values(
            ["customer_id", "date"])
        first = per.groupby("customer_id")["dollars"].first()
        later = per.groupby("customer_id")["dollars"].apply(lambda s: s.iloc[1:].mean())
        rep = later.dropna()
        upsell = float((rep > first.loc[rep.index]).mean())
    pr = period_retention(cdnow, freq="Q", by_cohort=False)
    r1 = pr.iloc[0]
    rr = ch.household_repeat_rates(yogurt)
    switch = float(1 - (rr["repeats"].sum() / (rr["purchases"] - 1).sum()))
    m = ch.fit_brand_choice(yogurt, loyalty_alpha=0.8)
    own = float(np.mean(np.diag(ch.price_elasticities(m))))
    values = {
        "repeat purchases": float(summ["repeat_purchases"].mean()),
        "cross-selling": float(services_held(telco).mean()),
        "up-selling": upsell,
        "attitude to competitors": switch,
        "price sensitivity": own,
        "customer life cycle": float(summ.loc[summ["purchases"] > 1, "life_days"].mean()),
        "retention rate": float(r1["retention_rate"]),
        "churn rate": float(r1["churn_rate"]),
    }
    units = {
        "repeat purchases": "mean repeat purchase occasions per customer (to June 1998)",
        "cross-selling": "mean services held per customer (of 9)",
        "up-selling": "share of repeat buyers whose later orders average above their first",
        "attitude to competitors": "share of purchases that switch brand from the last one",
        "price sensitivity": "mean own-price elasticity (logit with loyalty)",
        "customer life cycle": "mean days from first to last purchase, repeat buyers",
        "retention rate": "share of 1997Q1 buyers who buy again in 1997Q2",
        "churn rate": "share of 1997Q1 buyers who do not buy in 1997Q2",
    }
    out = LOYALTY_METRICS.copy()
    out["value"] = out["metric"].map(values)
    out["measured_as"] = out["metric"].map(units).fillna("not measurable with the workbook's data")
    return out[["metric", "zh", "data_set", "value", "measured_as", "data_needed"]]


#: The ten churn-prevention measures of the course, tied to the analysis that supports each.
CHURN_PREVENTION = pd.DataFrame(
    [
        ("analyse why customers leave", "分析流失原因", "churn logit: odds ratios and marginal effects"),
        ("add value for the customer", "增加客户价值", "cross-selling: services held and their hazard ratios"),
        ("create superior value for the right customers", "为合适的客户创造卓越价值",
         "retention economics: target by expected gain = p x acceptance x CLV - cost"),
        ("innovate", "不断创新", "brand-choice model: what a feature or a price cut buys in share"),
        ("treat the customer as god", "视客户为上帝", "life-cycle stages: serve trust-stage customers well"),
        ("differentiate service", "实行差异化服务", "gains chart: different treatment by risk band"),
        ("communicate with customers", "加强与客户的沟通", "early warning: contact weakening customers"),
        ("invest in emotional ties", "进行情感投资", "loyalty term of the choice model: habit is an asset"),
        ("monitor the market", "监控市场", "switching matrix and steady state: where buyers go"),
        ("recover and win back customers", "客户补救与挽留", "Kaplan-Meier: when in tenure customers leave"),
    ],
    columns=["measure", "zh", "analysis_in_this_chapter"],
)

#: The material's claims about satisfaction and loyalty, and what the workbook's data can say.
SATISFACTION_CLAIMS = pd.DataFrame(
    [
        ("Even fully satisfied customers may still leave (the material quotes 40%).",
         "No real data set here links satisfaction to later behaviour; the simulated fair (chapter 7) does, "
         "by construction of its generator.",
         "A satisfaction survey linked to each customer's later churn."),
        ("Winning a new customer takes about twice the effort of keeping one.",
         "No acquisition or retention costs are recorded.",
         "Marketing cost per acquired and per retained customer."),
        ("Loyalty drives profit more than market share (loyal +50% -> profit up to +85%, as quoted).",
         "The CLV formula shows how much a few points of retention add (retention_lever).",
         "Profit per customer over time, by retention."),
    ],
    columns=["claim", "what_our_data_can_show", "data_needed"],
)
