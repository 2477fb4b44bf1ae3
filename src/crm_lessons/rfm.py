"""RFM (RFM模型): recency, frequency and monetary value, scored in quintiles as Hughes defines it.

Arthur Hughes (*Strategic Database Marketing*) sorts the customer file on each of three measures and
cuts it into five equal parts:

* **Recency** (最近购买时间): days since the last purchase. The most recent fifth scores **5**, the
  least recent fifth 1 (recency is *reversed*: a small number of days is good).
* **Frequency** (购买频率): number of purchases. The most frequent fifth scores 5.
* **Monetary value** (消费金额): total spend. The biggest spenders score 5.

The three digits form a cell code from ``111`` to ``555``: 5 x 5 x 5 = 125 cells.

Ties. Equal-count fifths cannot keep tied customers together when a fifth of the file has the same
value (on CDNOW most customers bought once, so frequency is tied for over half of them). Two rules:

* ``ties="first"`` (default, Hughes' equal fifths): rank with ``rank(method="first")`` - ties are
  broken by row order, which :func:`rfm_summary` sets to customer id - then ``pd.qcut`` into equal
  counts. Every score holds n/5 customers (up to rounding), but equal customers can get different
  scores.
* ``ties="keep"``: equal values always get the same score, the score of the first position the tied
  group occupies: ``score = floor((rank_min - 1) * bins / n) + 1``. Fifths are then unequal.

A *transaction* is a purchase day: several CDNOW rows on the same day count as one purchase (their
amounts are added), as in :mod:`crm_lessons.summary`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_choice,
    require_columns,
    require_frame,
    require_no_missing,
    require_non_negative,
    require_numeric,
    require_positive_int,
    require_date,
    require_transactions,
)
from ._validate import require_min_rows, require_varies  # bad-input checks (issue 17)

__all__ = ["rfm_summary", "rfm_scores", "holdout_value", "rfm_holdout", "rfm_response", "rfm_rank_correlation"]


def _ts(value: Any, name: str, where: str) -> pd.Timestamp:
    return require_date(value, name, where=where)


def _check_tx(transactions, customer_col, date_col, amount_col, where, duplicates="warn"):
    """Check a purchase log; exact duplicate rows add their spend twice (``duplicates``: "warn" with the
    count, "keep", "drop" -> a copy without them, "error"). Returns the log to use."""
    return require_transactions(transactions, where=where, customer_col=customer_col, date_col=date_col,
                                amount_col=amount_col, duplicates=duplicates)


def rfm_summary(
    transactions: pd.DataFrame,
    *,
    as_of: Any,
    start: Any = None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "dollars",
    duplicates: str = "warn",
) -> pd.DataFrame:
    """Recency, frequency and monetary value of every customer who bought in ``[start, as_of]``.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase line (e.g. ``load("cdnow_master")``).
    as_of : date
        The day the file is scored; purchases after it are ignored.
    start : date, optional
        Ignore purchases before this day (default: use all history).
    customer_col, date_col, amount_col : str
        Column names.
    duplicates : {"warn", "keep", "drop", "error"}, default "warn"
        Exact duplicate rows add their spend twice: warn with the count and keep, keep silently (real
        repeat orders; the packaged CDNOW logs are marked as such), drop the copies, or raise.
        Time-zone-aware or text dates are an error that shows the conversion.

    Returns
    -------
    DataFrame
        Indexed by customer id (sorted): ``recency_days`` (days from the last purchase day to
        ``as_of``), ``frequency`` (number of purchase days), ``monetary`` (total spend).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2], "dollars": [10.0, 5.0, 20.0, 7.0],
    ...                    "date": pd.to_datetime(["1997-01-01", "1997-01-01", "1997-03-01", "1997-02-01"])})
    >>> rfm_summary(tx, as_of="1997-03-31").values.tolist()
    [[30.0, 2.0, 35.0], [58.0, 1.0, 7.0]]
    """
    where = "rfm_summary"
    transactions = _check_tx(transactions, customer_col, date_col, amount_col, where, duplicates)
    end = _ts(as_of, "as_of", where)
    tx = transactions[[customer_col, date_col, amount_col]]
    mask = tx[date_col] <= end
    if start is not None:
        mask &= tx[date_col] >= _ts(start, "start", where)
    tx = tx[mask]
    if tx.empty:
        raise CRMInputError(f"{where}: no purchases on or before as_of={end.date()} (and after start); "
                            "check the dates.")
    g = tx.groupby(customer_col, sort=True)
    out = pd.DataFrame({
        "recency_days": (end - g[date_col].max()).dt.days.astype("int64"),
        "frequency": g[date_col].nunique().astype("int64"),
        "monetary": g[amount_col].sum().round(2),
    })
    out.index.name = customer_col
    return out


def _score(values: pd.Series, bins: int, ties: str) -> np.ndarray:
    """Score so that larger ``values`` are better: 1 (worst fifth) to ``bins`` (best)."""
    n = len(values)
    if ties == "first":
        r = values.rank(method="first")
        return pd.qcut(r, bins, labels=False).to_numpy().astype(int) + 1
    r = values.rank(method="min").to_numpy()
    return (np.floor((r - 1) * bins / n) + 1).astype(int)


def rfm_scores(summary: pd.DataFrame, *, bins: int = 5, ties: str = "first",
               recency_col: str = "recency_days", frequency_col: str = "frequency",
               monetary_col: str = "monetary") -> pd.DataFrame:
    """Score recency, frequency and monetary value into equal-count bins (Hughes' quintiles).

    Parameters
    ----------
    summary : DataFrame
        One row per customer, e.g. from :func:`rfm_summary`.
    bins : int, default 5
        Number of bins; 5 gives the classic 125 cells ``111`` .. ``555``.
    ties : {"first", "keep"}, default "first"
        How tied values are scored (see the module docstring): ``"first"`` breaks ties by row order
        so every bin has the same count; ``"keep"`` gives tied values the same score.
    recency_col, frequency_col, monetary_col : str
        Column names. Recency is in days since the last purchase (smaller is better).

    Returns
    -------
    DataFrame
        A copy of ``summary`` with ``R``, ``F``, ``M`` (1 = worst, ``bins`` = best; R is reversed so
        the most recent buyers score ``bins``) and ``RFM``, the cell code as text (``"535"``).

    Examples
    --------
    Hand-worked: five customers, recency 10, 20, 20, 30, 40 days. The most recent (10 days) scores 5.
    Ranked from least to most recent, the two tied at 20 days take places 3 and 4; with ``"first"`` the one in the
    earlier row counts as less recent and scores 3, the other 4; with ``"keep"`` both score
    ``floor((3 - 1) * 5 / 5) + 1 = 3``.

    >>> s = pd.DataFrame({"recency_days": [40, 20, 20, 30, 10], "frequency": [1, 1, 2, 3, 5],
    ...                   "monetary": [5.0, 10.0, 20.0, 30.0, 40.0]})
    >>> rfm_scores(s)["R"].tolist(), rfm_scores(s, ties="keep")["R"].tolist()
    ([1, 3, 4, 2, 5], [1, 3, 3, 2, 5])
    >>> rfm_scores(s)["RFM"].tolist()
    ['111', '322', '433', '244', '555']
    """
    where = "rfm_scores"
    cols = [recency_col, frequency_col, monetary_col]
    require_frame(summary, where=where)
    require_numeric(summary, cols, where=where)
    require_no_missing(summary, cols, where=where)
    require_non_negative(summary, cols, where=where)
    bins = require_positive_int(bins, "bins", where=where, minimum=2)
    if bins > 9:
        raise CRMInputError(f"{where}: bins must be at most 9 so each score is one digit, got {bins}.")
    require_choice(ties, "ties", ["first", "keep"], where=where)
    if len(summary) < bins:
        raise CRMInputError(f"{where}: {len(summary)} customers cannot fill {bins} bins; "
                            "use fewer bins or more customers.")
    out = summary.copy()
    out["R"] = _score(-summary[recency_col].astype(float), bins, ties)
    out["F"] = _score(summary[frequency_col].astype(float), bins, ties)
    out["M"] = _score(summary[monetary_col].astype(float), bins, ties)
    out["RFM"] = out["R"].astype(str) + out["F"].astype(str) + out["M"].astype(str)
    return out


def holdout_value(transactions: pd.DataFrame, *, start: Any, end: Any = None, customers=None,
                  customer_col: str = "customer_id", date_col: str = "date",
                  amount_col: str = "dollars", duplicates: str = "warn") -> pd.Series:
    """Total spend of each customer in the holdout period ``(start, end]``; 0 for customers who did not buy.

    Exact duplicate rows add their spend twice: ``duplicates`` as in :func:`rfm_summary`.

    Parameters
    ----------
    start : date
        Last day of the calibration period (the holdout starts the day after).
    end : date, optional
        Last day of the holdout (default: the last date in the data).
    customers : index-like, optional
        Customers to report (default: everyone in ``transactions``).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "dollars": [10.0, 5.0, 7.0],
    ...                    "date": pd.to_datetime(["1997-01-01", "1997-06-01", "1997-02-01"])})
    >>> holdout_value(tx, start="1997-03-31").tolist()
    [5.0, 0.0]
    """
    where = "holdout_value"
    transactions = _check_tx(transactions, customer_col, date_col, amount_col, where, duplicates)
    s = _ts(start, "start", where)
    e = _ts(end, "end", where) if end is not None else transactions[date_col].max()
    if e <= s:
        raise CRMInputError(f"{where}: end ({e.date()}) must be after start ({s.date()}).")
    d = transactions[date_col]
    spend = transactions.loc[(d > s) & (d <= e)].groupby(customer_col)[amount_col].sum()
    idx = pd.Index(sorted(transactions[customer_col].unique()) if customers is None else customers,
                   name=customer_col)
    return spend.reindex(idx, fill_value=0.0).round(2).rename("holdout_value")


def rfm_holdout(transactions: pd.DataFrame, *, calibration_end: Any, holdout_end: Any = None,
                bins: int = 5, ties: str = "first", customer_col: str = "customer_id",
                date_col: str = "date", amount_col: str = "dollars", duplicates: str = "warn") -> pd.DataFrame:
    """Score RFM on the calibration period and attach each customer's holdout-period spend.

    Exact duplicate rows add their spend twice: ``duplicates`` as in :func:`rfm_summary` (checked once).

    Returns
    -------
    DataFrame
        :func:`rfm_scores` of :func:`rfm_summary` at ``calibration_end``, plus ``holdout_value``
        (spend after ``calibration_end`` up to ``holdout_end``) and ``holdout_buyer`` (bool).

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> h = rfm_holdout(load("cdnow_sample"), calibration_end="1997-09-30")
    >>> len(h), round(float(h["holdout_value"].sum()), 2) > 0
    (2357, True)
    """
    transactions = _check_tx(transactions, customer_col, date_col, amount_col, "rfm_holdout", duplicates)
    scored = rfm_scores(rfm_summary(transactions, as_of=calibration_end, customer_col=customer_col,
                                    date_col=date_col, amount_col=amount_col, duplicates="keep"),
                        bins=bins, ties=ties)
    hv = holdout_value(transactions, start=calibration_end, end=holdout_end, customers=scored.index,
                       customer_col=customer_col, date_col=date_col, amount_col=amount_col, duplicates="keep")
    scored["holdout_value"] = hv.to_numpy()
    scored["holdout_buyer"] = scored["holdout_value"] > 0
    return scored


def rfm_response(scored: pd.DataFrame, *, by: str = "R", value_col: str = "holdout_value") -> pd.DataFrame:
    """Mean holdout value, share of holdout buyers and customer count by a score or by cell.

    Parameters
    ----------
    scored : DataFrame
        Output of :func:`rfm_holdout`.
    by : {"R", "F", "M", "RFM"}
        Group by one score or by the full cell code.

    Returns
    -------
    DataFrame
        Indexed by the score (or cell): ``customers``, ``buyers_share``, ``mean_value``,
        ``value_share`` (share of all holdout value). Cells are sorted by mean value, best first.

    Examples
    --------
    >>> s = pd.DataFrame({"R": [1, 1, 2], "holdout_value": [0.0, 10.0, 30.0]})
    >>> rfm_response(s, by="R")[["customers", "mean_value", "value_share"]].values.tolist()
    [[2.0, 5.0, 0.25], [1.0, 30.0, 0.75]]
    """
    where = "rfm_response"
    require_choice(by, "by", ["R", "F", "M", "RFM"], where=where)
    require_columns(scored, [by, value_col], where=where)
    require_numeric(scored, [value_col], where=where)
    v = scored[value_col]
    g = scored.groupby(by)[value_col]
    out = pd.DataFrame({"customers": g.size(), "buyers_share": g.apply(lambda s: float((s > 0).mean())),
                        "mean_value": g.mean(), "value_share": g.sum() / v.sum()})
    if by == "RFM":
        out = out.sort_values("mean_value", ascending=False)
    return out


def rfm_rank_correlation(scored: pd.DataFrame, *, value_col: str = "holdout_value") -> pd.DataFrame:
    """Spearman rank correlation between each score and holdout value (scipy.stats.spearmanr).

    ``RFM cell`` ranks customers by their cell code read as a number (R first, as Hughes orders
    cells); ``R+F+M`` by the sum of the three scores.

    Bad input: at least 3 customers and a holdout value that varies (else the correlation is undefined).

    Examples
    --------
    >>> s = pd.DataFrame({"R": [1, 2, 3, 4], "F": [1, 2, 3, 4], "M": [4, 3, 2, 1],
    ...                   "RFM": ["114", "223", "332", "441"], "holdout_value": [0.0, 1.0, 2.0, 3.0]})
    >>> rfm_rank_correlation(s)["spearman"].round(2).tolist()
    [1.0, 1.0, -1.0, 1.0, 1.0]
    """
    from scipy.stats import spearmanr

    where = "rfm_rank_correlation"
    cols = ["R", "F", "M", "RFM", value_col]
    require_columns(scored, cols, where=where)
    require_numeric(scored, ["R", "F", "M", value_col], where=where)
    require_no_missing(scored, cols, where=where)
    cell = pd.to_numeric(scored["RFM"].astype(str), errors="coerce")
    if cell.isna().any():
        raise CRMInputError(f"{where}: column 'RFM' must hold cell codes such as '111' or 543, found "
                            f"{scored['RFM'][cell.isna()].iloc[0]!r}; use the frame rfm_scores returns.")
    require_min_rows(scored, 3, where=where, what="customers", why="a rank correlation needs them")
    require_varies(scored, [value_col], where=where, why="a rank correlation with a constant is undefined")
    y = scored[value_col].to_numpy(dtype=float)
    preds = {"R": scored["R"], "F": scored["F"], "M": scored["M"],
             "RFM cell": cell.astype(int), "R+F+M": scored["R"] + scored["F"] + scored["M"]}
    rows = []
    for name, x in preds.items():
        res = spearmanr(x.to_numpy(dtype=float), y)
        rows.append({"score": name, "spearman": float(res.statistic), "p_value": float(res.pvalue)})
    return pd.DataFrame(rows).set_index("score")
