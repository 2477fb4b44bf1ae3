"""Customer value (客户价值): historical, current and potential value; the 80/20 rule; CLV; word of mouth.

Chapter 1 of the workbook uses these helpers on the CDNOW master transactions
(``load("cdnow_master")``: one row per customer and day, columns ``customer_id``, ``date``, ``cds``,
``dollars``). Every helper that takes transactions accepts other column names through keyword
arguments, checks its input at the edge and never modifies the caller's frame.

Definitions used throughout (all measurable from a transaction log):

- **historical value** (历史价值): revenue (times ``margin_share``, if given) the customer has
  brought from the first purchase up to ``as_of``;
- **current value** (当前价值): the customer's spend in the last ``window_days`` before ``as_of``,
  i.e. the value expected over the next window of the same length *if the current pattern
  continues* (a run-rate, or "naive", forecast);
- **potential value** (潜在价值): how far the customer's current value lies below what the best
  similar customers achieve now: the ``benchmark_quantile`` (default 80th percentile) of current value
  among peers with the same acquisition month and the same band of first-purchase spend, minus the
  customer's own current value (floored at 0);
- **customer lifetime value** (客户终生价值): ``m·r/(1+i−r)``, the limit of the discounted sum
  ``Σ_{t≥1} m r^t/(1+i)^t`` (see :func:`simple_clv`, :func:`clv_horizon`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    CRMTypeError,
    require_choice,
    require_columns,
    require_frame,
    require_no_missing,
    require_non_negative,
    require_number,
    require_positive_int,
    require_probability,
    require_date,
    require_transactions,
)
from ._validate import DUPLICATE_CHOICES, check_duplicate_rows  # bad-input checks (issue 17)

__all__ = [
    "customer_values",
    "lorenz_curve",
    "gini",
    "top_share",
    "value_matrix",
    "QUADRANTS",
    "simple_clv",
    "clv_horizon",
    "clv_path",
    "periodic_discount_rate",
    "retention_table",
    "estimate_retention",
    "estimate_margin",
    "word_of_mouth_value",
    "transaction_value",
]

#: Quadrants of the current x potential value matrix (客户价值矩阵), keyed by (current, potential) level.
QUADRANTS: dict[tuple[str, str], str] = {
    ("high", "high"): "value customer",
    ("high", "low"): "major customer",
    ("low", "high"): "growth customer",
    ("low", "low"): "low-value customer",
}

_PERIOD_MONTHS = {"M": 1, "Q": 3, "H": 6, "Y": 12}


# --------------------------------------------------------------------------------------------------
# input checks shared by the transaction helpers
# --------------------------------------------------------------------------------------------------

def _check_transactions(transactions: Any, *, where: str, customer_col: str, date_col: str,
                        amount_col: str, duplicates: str = "keep") -> pd.DataFrame:
    require_choice(duplicates, "duplicates", DUPLICATE_CHOICES, where=where)
    require_transactions(transactions, where=where, customer_col=customer_col, date_col=date_col,
                         amount_col=amount_col)
    tx = transactions[[customer_col, date_col, amount_col]]
    tx.attrs = dict(transactions.attrs)
    return check_duplicate_rows(tx, where=where, duplicates=duplicates).copy()


def _as_timestamp(value: Any, name: str, *, where: str) -> pd.Timestamp:
    return require_date(value, name, where=where)


def _values_array(values: Any, *, where: str, name: str = "values") -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        raise CRMTypeError(f"{where}: {name} must be one column of numbers (a Series or array), got a "
                           "DataFrame; pass e.g. frame['historical_value'].")
    if isinstance(values, (str, bytes)) or np.isscalar(values):
        raise CRMTypeError(f"{where}: {name} must be a sequence of numbers, got {values!r}.")
    arr = np.asarray(values)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) and arr.dtype != bool):
        raise CRMInputError(f"{where}: {name} must be numeric, got dtype {arr.dtype}. "
                            "Convert with pd.to_numeric(...).")
    arr = arr.astype(float).ravel()
    if arr.size == 0:
        raise CRMInputError(f"{where}: {name} is empty; at least one customer is needed.")
    if np.isnan(arr).any():
        raise CRMInputError(f"{where}: {name} has {int(np.isnan(arr).sum())} missing value(s); "
                            "drop or fill them first.")
    if (arr < 0).any():
        raise CRMInputError(f"{where}: {name} has {int((arr < 0).sum())} negative value(s) (e.g. "
                            f"{arr[arr < 0][0]!r}); expected values >= 0. Remove returns first.")
    if not np.isfinite(arr).all():
        raise CRMInputError(f"{where}: {name} must be finite numbers.")
    if arr.sum() == 0:
        raise CRMInputError(f"{where}: every value is 0, so shares of the total are undefined.")
    return arr


def _array_param(value: Any, name: str, *, where: str, low: float | None = None,
                 high: float | None = None, low_inclusive: bool = True,
                 high_inclusive: bool = True) -> np.ndarray:
    """Check a scalar or array parameter element-wise; return a float array."""
    if isinstance(value, (str, bytes, bool)) or value is None:
        raise CRMTypeError(f"{where}: {name} must be a number or an array of numbers, got {value!r}.")
    arr = np.asarray(value)
    if arr.dtype == object or arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise CRMTypeError(f"{where}: {name} must be a number or an array of numbers, got dtype "
                           f"{arr.dtype}.")
    arr = arr.astype(float)
    if arr.size == 0:
        raise CRMInputError(f"{where}: {name} is empty.")
    if not np.isfinite(arr).all():
        raise CRMInputError(f"{where}: {name} must be finite numbers (no NaN or inf).")
    bad = np.zeros(arr.shape, dtype=bool)
    if low is not None:
        bad |= (arr < low) if low_inclusive else (arr <= low)
    if high is not None:
        bad |= (arr > high) if high_inclusive else (arr >= high)
    if bad.any():
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        lb = "[" if low_inclusive and low is not None else "("
        rb = "]" if high_inclusive and high is not None else ")"
        raise CRMInputError(f"{where}: {name} must lie in {lb}{lo}, {hi}{rb}, got "
                            f"{arr[bad].ravel()[0]:g}.")
    return arr


def _scalar_or_array(out: np.ndarray, *inputs: Any) -> float | np.ndarray:
    if all(np.ndim(x) == 0 for x in inputs):
        return float(out)
    return out


# --------------------------------------------------------------------------------------------------
# historical, current and potential value
# --------------------------------------------------------------------------------------------------

def customer_values(
    transactions: pd.DataFrame,
    *,
    as_of: Any,
    window_days: int = 365,
    benchmark_quantile: float = 0.8,
    spend_bands: int = 4,
    margin_share: float = 1.0,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "dollars",
    duplicates: str = "warn",
) -> pd.DataFrame:
    """Historical, current and potential value of every customer, measured from transactions.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase (or per customer and day), as ``load("cdnow_master")``.
        Transactions after ``as_of`` are ignored, so the result is what a manager could know on that day.
    as_of : date-like
        The day the values are measured (e.g. ``"1998-06-30"``, the end of the CDNOW data).
    window_days : int, default 365
        Length of the "recent" window that defines current value.
    benchmark_quantile : float, default 0.8
        Quantile of peers' current value that defines what a developed customer achieves.
    spend_bands : int, default 4
        Number of equal-count bands of first-purchase spend used to form peer groups.
    margin_share : float, default 1.0
        Share of revenue that is margin; 1.0 reports revenue (CDNOW has no cost data).
    customer_col, date_col, amount_col : str
        Column names of the customer id, the purchase date and the amount spent.
    duplicates : {"warn", "keep", "drop", "error"}, default "warn"
        Exact duplicate rows add their spend twice: warn with the count and keep them, keep silently
        (real repeat orders), drop the copies, or raise. Time-zone-aware dates are an error.

    Returns
    -------
    DataFrame
        Indexed by customer id (customers whose first purchase is after ``as_of`` are left out), with
        ``first_purchase`` (date), ``cohort`` (month of first purchase), ``first_spend`` (spent on the
        first purchase day, times ``margin_share``), ``spend_band`` (1 = smallest first purchases),
        ``historical_value``, ``current_value``, ``peer_benchmark`` and ``potential_value``.

    Notes
    -----
    Why these definitions:

    - *Historical value* is what the customer has already brought: the sum of (margin on) purchases from
      the first purchase to ``as_of``. It is a fact, not a forecast.
    - *Current value* is the value the customer brings *if the current pattern continues*. The simplest
      measurable version is a run-rate: spend in the last ``window_days`` is the forecast for the next
      ``window_days``. It is zero for a customer who has stopped buying, however large their history.
    - *Potential value* is the extra value the firm could gain by developing the customer (more
      purchases, cross-selling). We measure it as the gap to what comparable customers already do:
      peers are customers acquired in the same month whose first purchase fell in the same spend band
      (a proxy for the size of their wallet); the ``benchmark_quantile`` of the peers' current value is
      what a well-developed peer achieves, and the gap ``max(0, benchmark - current value)`` is the
      potential. A customer already at or above the benchmark has no measured potential left.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3],
    ...                    "date": pd.to_datetime(["2020-01-05", "2020-12-01", "2020-01-10", "2020-01-20"]),
    ...                    "dollars": [10.0, 30.0, 12.0, 50.0]})
    >>> v = customer_values(tx, as_of="2020-12-31", window_days=180, spend_bands=1)
    >>> v[["historical_value", "current_value", "potential_value"]]  # doctest: +NORMALIZE_WHITESPACE
                 historical_value  current_value  potential_value
    customer_id
    1                        40.0           30.0              0.0
    2                        12.0            0.0             18.0
    3                        50.0            0.0             18.0
    """
    where = "customer_values"
    tx = _check_transactions(transactions, where=where, customer_col=customer_col, date_col=date_col,
                             amount_col=amount_col, duplicates=duplicates)
    as_of = _as_timestamp(as_of, "as_of", where=where)
    window_days = require_positive_int(window_days, "window_days", where=where)
    q = require_probability(benchmark_quantile, "benchmark_quantile", where=where)
    spend_bands = require_positive_int(spend_bands, "spend_bands", where=where)
    share = require_number(margin_share, "margin_share", where=where, low=0.0, high=1.0,
                           low_inclusive=False)

    tx = tx[tx[date_col] <= as_of]
    if tx.empty:
        raise CRMInputError(f"{where}: no transactions on or before as_of={as_of.date()}; the data start "
                            f"on {transactions[date_col].min().date()}. Choose a later as_of.")
    tx[amount_col] = tx[amount_col] * share
    g = tx.groupby(customer_col, sort=True)
    first = g[date_col].min()
    out = pd.DataFrame({"first_purchase": first})
    out["cohort"] = first.dt.to_period("M").astype(str)

    first_day = tx[tx[date_col] == tx[customer_col].map(first)]
    first_spend = first_day.groupby(customer_col)[amount_col].sum().reindex(out.index)
    out["first_spend"] = first_spend.astype(float)
    if spend_bands == 1:
        out["spend_band"] = 1
    else:
        ranks = first_spend.rank(method="first")
        out["spend_band"] = (np.ceil(ranks / len(ranks) * spend_bands).clip(1, spend_bands)
                             .astype("int64"))

    out["historical_value"] = g[amount_col].sum()
    start = as_of - pd.Timedelta(days=window_days)
    recent = tx[tx[date_col] > start].groupby(customer_col)[amount_col].sum()
    out["current_value"] = recent.reindex(out.index, fill_value=0.0).astype(float)
    bench = out.groupby(["cohort", "spend_band"])["current_value"].transform(lambda s: s.quantile(q))
    out["peer_benchmark"] = bench.astype(float)
    out["potential_value"] = (out["peer_benchmark"] - out["current_value"]).clip(lower=0.0)
    out.index.name = customer_col
    return out


# --------------------------------------------------------------------------------------------------
# concentration: Lorenz curve, Gini, top share (the 80/20 rule)
# --------------------------------------------------------------------------------------------------

def lorenz_curve(values: Any) -> pd.DataFrame:
    """Lorenz curve (洛伦兹曲线) of customer values.

    Parameters
    ----------
    values : array-like or Series
        One non-negative value per customer (e.g. historical revenue); at least one must be positive.

    Returns
    -------
    DataFrame
        ``customer_share`` (0 to 1) and ``value_share`` (0 to 1): the share of the total held by the
        ``customer_share`` of customers with the *smallest* values; starts at (0, 0), ends at (1, 1).

    Examples
    --------
    >>> lorenz_curve([1, 1, 2, 4])
       customer_share  value_share
    0            0.00        0.000
    1            0.25        0.125
    2            0.50        0.250
    3            0.75        0.500
    4            1.00        1.000
    """
    x = np.sort(_values_array(values, where="lorenz_curve"))
    n = x.size
    cum = np.concatenate([[0.0], np.cumsum(x)])
    return pd.DataFrame({"customer_share": np.arange(n + 1) / n, "value_share": cum / cum[-1]})


def gini(values: Any) -> float:
    """Gini coefficient (基尼系数) of customer values: 0 = all equal, (n-1)/n = one customer holds all.

    Computed as ``G = 2 Σ_i i·x_(i) / (n Σ x) − (n+1)/n`` with values sorted ascending, which equals
    twice the area between the diagonal and the (piecewise linear) Lorenz curve.

    Examples
    --------
    >>> gini([5, 5, 5, 5])
    0.0
    >>> gini([0, 0, 0, 1])  # 2*4*1/(4*1) - 5/4
    0.75
    """
    x = np.sort(_values_array(values, where="gini"))
    n = x.size
    i = np.arange(1, n + 1)
    g = 2.0 * np.sum(i * x) / (n * x.sum()) - (n + 1) / n
    return float(round(g, 12))


def top_share(values: Any, share: float = 0.2) -> float:
    """Share of the total value held by the top ``share`` of customers (the 80/20 test, 二八法则).

    When ``share × n`` is not a whole number the Lorenz curve is interpolated linearly, so the result
    is exact for whole numbers of customers and continuous in ``share``.

    Examples
    --------
    >>> top_share([1, 1, 1, 1, 6], share=0.2)  # the top customer holds 6 of 10
    0.6
    """
    where = "top_share"
    x = np.sort(_values_array(values, where=where))
    s = require_probability(share, "share", where=where, allow_zero=False)
    n = x.size
    cum = np.concatenate([[0.0], np.cumsum(x)]) / x.sum()
    bottom = np.interp(1.0 - s, np.arange(n + 1) / n, cum)
    return float(round(1.0 - bottom, 12))


# --------------------------------------------------------------------------------------------------
# the current x potential value matrix
# --------------------------------------------------------------------------------------------------

def _threshold(s: pd.Series, split: Any, *, where: str, col: str) -> float:
    if isinstance(split, str):
        require_choice(split, "split", ["median", "mean"], where=where)
        return float(s.median() if split == "median" else s.mean())
    q = require_probability(split, "split", where=where, allow_zero=False, allow_one=False)
    return float(s.quantile(q))


def value_matrix(
    values_frame: pd.DataFrame,
    *,
    current_col: str = "current_value",
    potential_col: str = "potential_value",
    split: str | float = "median",
) -> pd.DataFrame:
    """Place customers in the current x potential value matrix (客户价值矩阵).

    A customer is *high* on a dimension when the value is strictly above the threshold, else *low*.

    ======================  ===============  ================  ==============================
    quadrant                current value    potential value   what to do
    ======================  ===============  ================  ==============================
    value customer          high             high              keep at almost any cost, develop
    major customer          high             low               maintain, serve efficiently
    growth customer         low              high              invest to develop
    low-value customer      low              low               serve at low cost
    ======================  ===============  ================  ==============================

    Parameters
    ----------
    values_frame : DataFrame
        One row per customer, e.g. the result of :func:`customer_values`.
    current_col, potential_col : str
        Columns holding current and potential value (non-negative numbers).
    split : {"median", "mean"} or float, default "median"
        Threshold on each dimension: the median, the mean or a quantile in (0, 1). With many zero
        current values (lapsed customers) the median may be 0; then "high" means "any recent spend".

    Returns
    -------
    DataFrame
        A copy of ``values_frame`` with ``current_level``, ``potential_level`` ("high"/"low") and
        ``quadrant`` (an ordered categorical in the order of the table above). The thresholds used
        are in ``result.attrs["thresholds"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"current_value": [1, 9, 2, 8], "potential_value": [7, 6, 1, 2]})
    >>> value_matrix(f)["quadrant"].tolist()
    ['growth customer', 'value customer', 'low-value customer', 'major customer']
    """
    where = "value_matrix"
    require_frame(values_frame, where=where)
    cols = [current_col, potential_col]
    require_columns(values_frame, cols, where=where)
    require_no_missing(values_frame, cols, where=where)
    require_non_negative(values_frame, cols, where=where)
    out = values_frame.copy()
    tc = _threshold(out[current_col], split, where=where, col=current_col)
    tp = _threshold(out[potential_col], split, where=where, col=potential_col)
    out["current_level"] = np.where(out[current_col] > tc, "high", "low")
    out["potential_level"] = np.where(out[potential_col] > tp, "high", "low")
    labels = [QUADRANTS[k] for k in QUADRANTS]
    quad = [QUADRANTS[(c, p)] for c, p in zip(out["current_level"], out["potential_level"])]
    out["quadrant"] = pd.Categorical(quad, categories=labels, ordered=True)
    out.attrs["thresholds"] = {current_col: tc, potential_col: tp}
    return out


# --------------------------------------------------------------------------------------------------
# customer lifetime value
# --------------------------------------------------------------------------------------------------

def simple_clv(margin: Any, retention: Any, discount_rate: Any, *,
               acquisition_cost: Any = 0.0) -> float | np.ndarray:
    """Customer lifetime value (客户终生价值) with constant retention: ``m·r/(1+i−r) − AC``.

    Derivation: a customer still with the firm at the end of period ``t`` (probability ``r^t``)
    pays margin ``m`` then, worth ``m/(1+i)^t`` today. Summing over an infinite horizon,
    ``Σ_{t≥1} m (r/(1+i))^t = m q/(1−q)`` with ``q = r/(1+i)``, i.e. ``m r/(1+i−r)``.

    Assumptions: margin ``m`` is the same every period and is received at the *end* of the period;
    retention ``r`` is the same every period and a lost customer never returns; the horizon is
    infinite; ``i`` is the discount rate *per period* (convert an annual rate with
    :func:`periodic_discount_rate`). The acquisition-cost variant subtracts the cost ``AC`` of winning
    the customer today, so ``CLV > 0`` means the customer is worth acquiring.

    Parameters
    ----------
    margin : float or array
        Margin per period ``m`` (may be negative for a loss-making customer).
    retention : float or array
        Retention rate per period ``r``, in [0, 1).
    discount_rate : float or array
        Discount rate per period ``i`` >= 0.
    acquisition_cost : float or array, default 0
        Cost of acquiring the customer (>= 0), subtracted once.

    Returns
    -------
    float or ndarray
        A float when every input is a scalar, else an array (inputs broadcast like numpy).

    Examples
    --------
    >>> round(simple_clv(100, 0.8, 0.1), 2)  # 100*0.8/(1+0.1-0.8) = 80/0.3
    266.67
    >>> simple_clv(100, [0.5, 0.8], 0.1, acquisition_cost=50).round(2)
    array([ 33.33, 216.67])
    """
    where = "simple_clv"
    m = _array_param(margin, "margin", where=where)
    r = _array_param(retention, "retention", where=where, low=0.0, high=1.0, high_inclusive=False)
    i = _array_param(discount_rate, "discount_rate", where=where, low=0.0)
    ac = _array_param(acquisition_cost, "acquisition_cost", where=where, low=0.0)
    try:
        out = m * r / (1.0 + i - r) - ac
    except ValueError as err:
        raise CRMInputError(f"{where}: the inputs' shapes do not broadcast: {err}") from None
    return _scalar_or_array(out, margin, retention, discount_rate, acquisition_cost)


def clv_horizon(margin: Any, retention: Any, discount_rate: Any, periods: int) -> float | np.ndarray:
    """CLV over a finite horizon: ``Σ_{t=1..T} m r^t/(1+i)^t``; tends to :func:`simple_clv` as T grows.

    Examples
    --------
    >>> round(clv_horizon(100, 0.8, 0.1, 1), 4)  # one period: 100*0.8/1.1
    72.7273
    >>> round(clv_horizon(100, 0.8, 0.1, 200), 2)  # practically the infinite-horizon value
    266.67
    """
    where = "clv_horizon"
    m = _array_param(margin, "margin", where=where)
    r = _array_param(retention, "retention", where=where, low=0.0, high=1.0, high_inclusive=False)
    i = _array_param(discount_rate, "discount_rate", where=where, low=0.0)
    T = require_positive_int(periods, "periods", where=where)
    try:
        q = r / (1.0 + i)
        out = m * q * (1.0 - q**T) / (1.0 - q)
    except ValueError as err:
        raise CRMInputError(f"{where}: the inputs' shapes do not broadcast: {err}") from None
    return _scalar_or_array(out, margin, retention, discount_rate)


def clv_path(margin: float, retention: float, discount_rate: float, *, periods: int = 20,
             acquisition_cost: float = 0.0) -> pd.DataFrame:
    """Period-by-period build-up of CLV: survival, discount factor, expected margin, running total.

    Returns
    -------
    DataFrame
        One row per period ``t = 1..periods`` with ``survival`` (``r^t``), ``discount_factor``
        (``1/(1+i)^t``), ``expected_margin`` (``m r^t/(1+i)^t``) and ``cumulative_clv`` (running sum
        minus the acquisition cost). ``attrs["limit"]`` holds :func:`simple_clv`.

    Examples
    --------
    >>> p = clv_path(100, 0.8, 0.1, periods=3)
    >>> p["cumulative_clv"].round(2).tolist()
    [72.73, 125.62, 164.09]
    """
    where = "clv_path"
    m = require_number(margin, "margin", where=where)
    r = require_number(retention, "retention", where=where, low=0.0, high=1.0, high_inclusive=False)
    i = require_number(discount_rate, "discount_rate", where=where, low=0.0)
    ac = require_number(acquisition_cost, "acquisition_cost", where=where, low=0.0)
    T = require_positive_int(periods, "periods", where=where)
    t = np.arange(1, T + 1)
    surv = r**t
    disc = (1.0 + i) ** (-t.astype(float))
    em = m * surv * disc
    out = pd.DataFrame({"period": t, "survival": surv, "discount_factor": disc,
                        "expected_margin": em, "cumulative_clv": np.cumsum(em) - ac})
    out.attrs["limit"] = simple_clv(m, r, i, acquisition_cost=ac)
    return out


def periodic_discount_rate(annual_rate: float, periods_per_year: int) -> float:
    """Convert an annual discount rate to the equivalent rate per period: ``(1+i)^(1/k) − 1``.

    Examples
    --------
    >>> round(periodic_discount_rate(0.10, 4), 6)  # quarterly equivalent of 10% a year
    0.024114
    """
    where = "periodic_discount_rate"
    i = require_number(annual_rate, "annual_rate", where=where, low=0.0)
    k = require_positive_int(periods_per_year, "periods_per_year", where=where)
    return (1.0 + i) ** (1.0 / k) - 1.0


# --------------------------------------------------------------------------------------------------
# retention and margin estimated from transactions
# --------------------------------------------------------------------------------------------------

def _activity(transactions: pd.DataFrame, *, where: str, period: str, end: Any, customer_col: str,
              date_col: str, amount_col: str, duplicates: str = "keep") -> tuple[pd.DataFrame, list[pd.Period]]:
    # retention counts active customers, so exact duplicates cannot change it ("keep"); the margin adds
    # amounts, so estimate_margin passes the user's choice
    tx = _check_transactions(transactions, where=where, customer_col=customer_col, date_col=date_col,
                             amount_col=amount_col, duplicates=duplicates)
    require_choice(period, "period", list(_PERIOD_MONTHS), where=where)
    months = _PERIOD_MONTHS[period]
    start = tx[date_col].min()
    last = tx[date_col].max() if end is None else _as_timestamp(end, "end", where=where)
    tx = tx[tx[date_col] <= last]
    # period number counted from January of the first year, so "Q" are calendar quarters, "H" halves
    base_year = start.year
    mi = (tx[date_col].dt.year - base_year) * 12 + tx[date_col].dt.month - 1
    tx["period_no"] = (mi // months).astype("int64")
    first_no = int(((start.year - base_year) * 12 + start.month - 1) // months)
    period_start = lambda k: pd.Timestamp(year=base_year, month=1, day=1) + pd.DateOffset(months=k * months)  # noqa: E731
    # complete periods: those that start on/after the data start and end on/before `last`
    nos = [k for k in range(first_no, int(tx["period_no"].max()) + 1)
           if period_start(k) >= start.normalize().replace(day=1) and
           period_start(k + 1) - pd.Timedelta(days=1) <= last.normalize()]
    if len(nos) < 2:
        raise CRMInputError(
            f"{where}: the data ({start.date()} to {last.date()}) hold fewer than two complete "
            f"periods of type {period!r}; choose a shorter period (e.g. 'Q').")
    tx = tx[tx["period_no"].isin(nos)]
    act = tx.groupby([customer_col, "period_no"], as_index=False)[amount_col].sum()
    labels = {k: f"{period_start(k).year}-{period_start(k).month:02d}" for k in nos}
    act["period"] = act["period_no"].map(labels)
    return act, nos


def retention_table(
    transactions: pd.DataFrame,
    *,
    period: str = "Q",
    end: Any = None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "dollars",
) -> pd.DataFrame:
    """Period-to-period retention: of the customers who bought in one period, the share who buy in the next.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase, as ``load("cdnow_master")``.
    period : {"M", "Q", "H", "Y"}, default "Q"
        Calendar month, quarter, half-year or year.
    end : date-like, optional
        Last day observed (default: the last transaction date). Periods that are not fully observed
        (starting before the first transaction's month or ending after ``end``) are dropped, so a
        half-observed last year does not look like churn.

    Returns
    -------
    DataFrame
        One row per pair of consecutive periods: ``period`` (start month of the first), ``active``
        (customers who bought in it), ``retained`` (of those, how many bought in the next period) and
        ``retention`` (``retained / active``).

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 1, 3, 1],
    ...                    "date": pd.to_datetime(["2020-01-05", "2020-02-01", "2020-04-10",
    ...                                            "2020-05-01", "2020-09-30"]),
    ...                    "dollars": [10.0, 5.0, 12.0, 7.0, 3.0]})
    >>> retention_table(tx, period="Q")
        period  active  retained  retention
    0  2020-01       2         1        0.5
    1  2020-04       2         1        0.5
    """
    where = "retention_table"
    act, nos = _activity(transactions, where=where, period=period, end=end, customer_col=customer_col,
                         date_col=date_col, amount_col=amount_col)
    keys = set(zip(act[customer_col], act["period_no"]))
    rows = []
    for k, k_next in zip(nos[:-1], nos[1:]):
        ids = act.loc[act["period_no"] == k, customer_col]
        kept = sum((c, k_next) in keys for c in ids)
        lab = act.loc[act["period_no"] == k, "period"]
        rows.append({"period": lab.iloc[0] if len(lab) else str(k), "active": int(len(ids)),
                     "retained": int(kept)})
    out = pd.DataFrame(rows)
    out["retention"] = np.where(out["active"] > 0, out["retained"] / out["active"].clip(lower=1), np.nan)
    return out


def estimate_retention(
    transactions: pd.DataFrame,
    *,
    period: str = "Q",
    end: Any = None,
    skip_first: bool = False,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "dollars",
) -> float:
    """Retention rate per period estimated from transactions, pooled over the observed periods.

    The pooled rate is ``Σ retained / Σ active`` over the rows of :func:`retention_table`.
    ``skip_first=True`` leaves out the first transition: in a cohort data set such as CDNOW (every
    customer first bought in Q1 1997) the first period holds every one-off buyer, so leaving it out
    estimates the retention of customers who are already repeat buyers.

    Caveat: the simple CLV formula treats a customer who skips a period as lost for good, whereas
    CDNOW customers often return after a quiet quarter; this estimate therefore understates how long
    relationships last (later chapters model this with buy-till-you-die models).

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 1, 3, 1],
    ...                    "date": pd.to_datetime(["2020-01-05", "2020-02-01", "2020-04-10",
    ...                                            "2020-05-01", "2020-09-30"]),
    ...                    "dollars": [10.0, 5.0, 12.0, 7.0, 3.0]})
    >>> estimate_retention(tx, period="Q")  # (1 + 1) / (2 + 2)
    0.5
    """
    where = "estimate_retention"
    if not isinstance(skip_first, bool):
        raise CRMTypeError(f"{where}: skip_first must be True or False, got {skip_first!r}.")
    table = retention_table(transactions, period=period, end=end, customer_col=customer_col,
                            date_col=date_col, amount_col=amount_col)
    if skip_first:
        if len(table) < 2:
            raise CRMInputError(f"{where}: skip_first=True needs at least three complete periods.")
        table = table.iloc[1:]
    return float(table["retained"].sum() / table["active"].sum())


def estimate_margin(
    transactions: pd.DataFrame,
    *,
    period: str = "Q",
    margin_share: float = 1.0,
    end: Any = None,
    skip_first: bool = False,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "dollars",
    duplicates: str = "warn",
) -> float:
    """Margin per active customer and period: revenue per active customer-period times ``margin_share``.

    Uses the same complete periods as :func:`retention_table`; ``skip_first`` drops the first one
    (in CDNOW the acquisition quarter, whose first orders are not typical of later periods).
    Exact duplicate rows add their revenue twice: ``duplicates`` = ``"warn"`` (default, with the count),
    ``"keep"``, ``"drop"`` or ``"error"``.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 1, 3, 1],
    ...                    "date": pd.to_datetime(["2020-01-05", "2020-02-01", "2020-04-10",
    ...                                            "2020-05-01", "2020-09-30"]),
    ...                    "dollars": [10.0, 5.0, 12.0, 7.0, 3.0]})
    >>> estimate_margin(tx, period="Q", margin_share=0.5)  # 0.5 * 37 dollars / 5 active customer-quarters
    3.7
    """
    where = "estimate_margin"
    share = require_number(margin_share, "margin_share", where=where, low=0.0, high=1.0,
                           low_inclusive=False)
    if not isinstance(skip_first, bool):
        raise CRMTypeError(f"{where}: skip_first must be True or False, got {skip_first!r}.")
    act, nos = _activity(transactions, where=where, period=period, end=end, customer_col=customer_col,
                         date_col=date_col, amount_col=amount_col, duplicates=duplicates)
    if skip_first:
        act = act[act["period_no"] != nos[0]]
    return float(round(share * act[amount_col].sum() / len(act), 12))


# --------------------------------------------------------------------------------------------------
# word of mouth and transaction value
# --------------------------------------------------------------------------------------------------

def word_of_mouth_value(influence: Any, reach: Any, avg_purchase: Any) -> float | np.ndarray:
    """Word-of-mouth value (客户口碑价值) = influence × reach × average purchase of those influenced.

    Parameters
    ----------
    influence : float or array
        Share of the people reached who buy because of the customer's recommendation, in [0, 1].
    reach : float or array
        Number of people the customer tells (>= 0).
    avg_purchase : float or array
        Average purchase value (or margin) of an influenced buyer (>= 0).

    Examples
    --------
    A customer tells 25 friends; 8% of them buy, spending 120 on average: 0.08 × 25 × 120 = 240.

    >>> round(word_of_mouth_value(0.08, 25, 120), 2)
    240.0
    """
    where = "word_of_mouth_value"
    p = _array_param(influence, "influence", where=where, low=0.0, high=1.0)
    n = _array_param(reach, "reach", where=where, low=0.0)
    a = _array_param(avg_purchase, "avg_purchase", where=where, low=0.0)
    try:
        out = p * n * a
    except ValueError as err:
        raise CRMInputError(f"{where}: the inputs' shapes do not broadcast: {err}") from None
    return _scalar_or_array(out, influence, reach, avg_purchase)


def transaction_value(indirect_returns: Mapping[str, float], *, attribution: float = 1.0) -> pd.DataFrame:
    """Customer transaction value (客户交易价值): indirect returns earned on a customer's trust.

    Transaction value is the return a firm earns *through* a customer rather than *from* the
    customer's own purchases: joint sales with partners, access to a market, exclusive deals, all won
    on the customer's brand trust and loyalty. Only part of each return is due to the relationship;
    ``attribution`` is that share.

    Parameters
    ----------
    indirect_returns : mapping of str to float
        Each source of indirect return and its amount (>= 0), e.g. ``{"joint sales": 3000}``.
    attribution : float, default 1.0
        Share (0 to 1) of the returns credited to the customer relationship.

    Returns
    -------
    DataFrame
        One row per source with ``amount`` and ``attributed``, plus a final ``total`` row.

    Examples
    --------
    >>> transaction_value({"joint sales": 3000, "market access": 5000}, attribution=0.4)
    ... # doctest: +NORMALIZE_WHITESPACE
                   amount  attributed
    source
    joint sales    3000.0      1200.0
    market access  5000.0      2000.0
    total          8000.0      3200.0
    """
    where = "transaction_value"
    if not isinstance(indirect_returns, Mapping) or not indirect_returns:
        raise CRMInputError(f"{where}: indirect_returns must be a non-empty mapping of source to "
                            f"amount, e.g. {{'joint sales': 3000}}; got {indirect_returns!r}.")
    a = require_probability(attribution, "attribution", where=where)
    rows = {}
    for k, v in indirect_returns.items():
        rows[str(k)] = require_number(v, f"indirect_returns[{k!r}]", where=where, low=0.0)
    if "total" in rows:
        raise CRMInputError(f"{where}: 'total' is reserved for the sum; rename that source.")
    out = pd.DataFrame({"amount": pd.Series(rows, dtype=float)})
    out.loc["total"] = out["amount"].sum()
    out["attributed"] = out["amount"] * a
    out.index.name = "source"
    return out
