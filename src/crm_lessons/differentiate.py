"""Differentiate customers (区分客户): by value and by needs, and the grid that decides treatment.

* Value: :func:`value_tiers` cuts customers into tiers by a value measure (historical spend, or the
  BG/NBD forecast of :func:`predicted_value`); :func:`tier_table` shows each tier's share of
  customers, of past value and of next-period value; :func:`budget_allocation` turns the 80/20 rule
  (二八法则) into a budget decision; :func:`capture_curve` shows how much next-period revenue a firm
  reaches by contacting its top x% under a ranking.
* Needs: :func:`behaviour_features` describes *how* each customer buys (frequency, basket size, price
  per item, regularity); :class:`NeedsSegments` standardises them and clusters with k-means
  (scikit-learn), :func:`choose_k` reports inertia (elbow) and silhouette for each k.
* :func:`value_needs_grid` crosses the two, and :func:`treatment_grid` proposes a treatment per cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

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
    require_numeric,
    require_positive_int,
)
from ._validate import require_transactions, require_date, DUPLICATE_CHOICES, check_duplicate_rows  # bad-input checks (issue 17)

__all__ = [
    "value_tiers",
    "tier_table",
    "budget_allocation",
    "capture_curve",
    "predicted_value",
    "behaviour_features",
    "choose_k",
    "NeedsSegments",
    "value_needs_grid",
    "treatment_grid",
    "FEATURES",
]

#: the needs features of :func:`behaviour_features`, with how each is transformed before standardising
FEATURES: dict[str, str] = {
    "purchases_per_month": "log",
    "cds_per_purchase": "log",
    "price_per_cd": "log",
    "gap_cv": "none",
}


def _series(values: Any, name: str, where: str) -> pd.Series:
    if isinstance(values, pd.Series):
        s = values
    elif isinstance(values, pd.DataFrame):
        raise CRMInputError(f"{where}: {name} must be a Series (one value per customer), got a DataFrame; "
                            "pick one column, e.g. df['monetary'].")
    else:
        s = pd.Series(np.asarray(values, dtype=float))
    if len(s) == 0:
        raise CRMInputError(f"{where}: {name} is empty.")
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        raise CRMInputError(f"{where}: {name} must be numeric, got dtype {s.dtype}.")
    if s.isna().any():
        raise CRMInputError(f"{where}: {name} has {int(s.isna().sum())} missing value(s); fill or drop them.")
    if (s < 0).any():
        raise CRMInputError(f"{where}: {name} has negative values; expected values >= 0 (remove refunds or net them first).")
    return s


def value_tiers(values: Any, *, shares: Sequence[float] = (0.2, 0.3, 0.5),
                labels: Sequence[str] = ("top", "middle", "bottom")) -> pd.Series:
    """Cut customers into value tiers by rank: the top ``shares[0]`` of customers, the next ``shares[1]``, ...

    Customers are ranked by value, highest first; ties are broken by position (``rank(method="first")``)
    so tier sizes are exact.

    Parameters
    ----------
    values : Series or array-like
        One non-negative value per customer (the index is kept).
    shares : sequence of float, default (0.2, 0.3, 0.5)
        Share of customers in each tier, best first; must sum to 1.
    labels : sequence of str
        Tier names, best first (same length as ``shares``).

    Returns
    -------
    Series
        Ordered categorical tier per customer (categories best first).

    Examples
    --------
    >>> value_tiers([50, 10, 0, 30, 20, 5, 1, 2, 3, 4], shares=(0.2, 0.3, 0.5)).tolist()
    ['top', 'middle', 'bottom', 'top', 'middle', 'middle', 'bottom', 'bottom', 'bottom', 'bottom']
    """
    where = "value_tiers"
    s = _series(values, "values", where)
    sh = np.asarray(list(shares), dtype=float)
    if len(sh) < 2 or (sh <= 0).any() or abs(sh.sum() - 1) > 1e-9:
        raise CRMInputError(f"{where}: shares must be two or more positive numbers summing to 1, got {tuple(shares)}.")
    if len(labels) != len(sh):
        raise CRMInputError(f"{where}: give one label per share ({len(sh)}), got {len(labels)}.")
    r = s.rank(method="first", ascending=False).to_numpy()  # 1 = best
    edges = np.cumsum(sh) * len(s)
    idx = np.searchsorted(edges, r - 0.5)
    idx = np.minimum(idx, len(sh) - 1)
    return pd.Series(pd.Categorical(np.asarray(labels)[idx], categories=list(labels), ordered=True),
                     index=s.index, name="tier")


def tier_table(tiers: pd.Series, history: Any, future: Any) -> pd.DataFrame:
    """Each tier's share of customers, of historical value and of next-period (holdout) value.

    Parameters
    ----------
    tiers : Series
        Tier per customer (from :func:`value_tiers`).
    history, future : Series or array-like
        Value in the calibration and in the holdout period, aligned with ``tiers``.

    Returns
    -------
    DataFrame
        Indexed by tier: ``customers``, ``customer_share``, ``history_share``, ``future_share``,
        ``future_per_customer``.

    Examples
    --------
    >>> t = pd.Series(["top", "bottom", "bottom"])
    >>> tier_table(t, [10.0, 5.0, 5.0], [6.0, 2.0, 0.0]).round(2).values.tolist()
    [[1.0, 0.33, 0.5, 0.75, 6.0], [2.0, 0.67, 0.5, 0.25, 1.0]]
    """
    where = "tier_table"
    if not isinstance(tiers, pd.Series):
        raise CRMInputError(f"{where}: tiers must be a Series (the output of value_tiers).")
    h = _series(history, "history", where).to_numpy(dtype=float)
    f = _series(future, "future", where).to_numpy(dtype=float)
    if not (len(h) == len(f) == len(tiers)):
        raise CRMInputError(f"{where}: tiers, history and future must have the same length "
                            f"({len(tiers)}, {len(h)}, {len(f)}).")
    df = pd.DataFrame({"tier": tiers.reset_index(drop=True), "h": h, "f": f})
    g = df.groupby("tier", observed=True, sort=True)
    out = pd.DataFrame({"customers": g.size().astype(float)})
    out["customer_share"] = out["customers"] / len(df)
    out["history_share"] = g["h"].sum() / h.sum()
    out["future_share"] = g["f"].sum() / f.sum()
    out["future_per_customer"] = g["f"].mean()
    if not isinstance(tiers.dtype, pd.CategoricalDtype):
        out = out.sort_values("future_per_customer", ascending=False)
    return out


def budget_allocation(table: pd.DataFrame, budget: float, *, rule: str = "value") -> pd.DataFrame:
    """Split a relationship budget across tiers, and show the next-period revenue each yuan looks after.

    Rules: ``"equal"`` - the same amount per customer (every customer treated alike, "the customer is
    god"); ``"value"`` - in proportion to the tier's share of *historical* value (the 80/20 rule);
    ``"top"`` - everything to the first (best) tier.

    ``future_per_budget`` = the tier's next-period revenue divided by the budget it gets: how much
    revenue each unit of spending is there to protect or grow. It is a diagnostic, not a promise of
    return - whether spending changes behaviour needs an experiment (chapter 4).

    Parameters
    ----------
    table : DataFrame
        Output of :func:`tier_table`, best tier first.
    budget : float
        Total budget (> 0).
    rule : {"equal", "value", "top"}

    Examples
    --------
    >>> t = pd.DataFrame({"customers": [20.0, 80.0], "customer_share": [0.2, 0.8],
    ...                   "history_share": [0.8, 0.2], "future_share": [0.7, 0.3],
    ...                   "future_per_customer": [35.0, 3.75]}, index=["top", "rest"])
    >>> budget_allocation(t, 1000, rule="value")["budget"].tolist()
    [800.0, 200.0]
    """
    where = "budget_allocation"
    cols = ["customers", "customer_share", "history_share", "future_per_customer"]
    require_frame(table, where=where)
    require_non_negative(table, cols, where=where)
    require_no_missing(table, cols, where=where)
    budget = require_number(budget, "budget", where=where, low=0, low_inclusive=False)
    require_choice(rule, "rule", ["equal", "value", "top"], where=where)
    w = {"equal": table["customer_share"].to_numpy(dtype=float),
         "value": table["history_share"].to_numpy(dtype=float),
         "top": np.r_[1.0, np.zeros(len(table) - 1)]}[rule]
    out = pd.DataFrame(index=table.index)
    out["budget"] = np.round(budget * w / w.sum(), 2)
    out["budget_per_customer"] = out["budget"] / table["customers"].to_numpy()
    fut = table["future_per_customer"].to_numpy() * table["customers"].to_numpy()
    out["future_value"] = fut
    with np.errstate(divide="ignore", invalid="ignore"):
        out["future_per_budget"] = np.where(out["budget"] > 0, fut / out["budget"].to_numpy(), np.nan)
    return out


def capture_curve(score: Any, outcome: Any, *, points: int = 101) -> pd.DataFrame:
    """Share of the total outcome reached by contacting the top x% of customers ranked by ``score``.

    Ties in ``score`` are broken by position. A perfect ranking (by the outcome itself) is the upper
    bound; a random ranking gives the diagonal.

    Returns
    -------
    DataFrame
        ``contacted_share`` (0..1, ``points`` steps) and ``captured_share``.

    Examples
    --------
    >>> capture_curve([3, 2, 1, 0], [10.0, 0.0, 0.0, 0.0], points=5)["captured_share"].tolist()
    [0.0, 1.0, 1.0, 1.0, 1.0]
    """
    where = "capture_curve"
    s = _series(pd.Series(np.asarray(score, dtype=float)), "score", where) if not isinstance(score, pd.Series) \
        else _series(score, "score", where)
    y = _series(outcome, "outcome", where).to_numpy(dtype=float)
    if len(y) != len(s):
        raise CRMInputError(f"{where}: score and outcome must have the same length ({len(s)} vs {len(y)}).")
    if y.sum() <= 0:
        raise CRMInputError(f"{where}: outcome sums to 0; nothing to capture.")
    points = require_positive_int(points, "points", where=where, minimum=2)
    order = np.argsort(-s.to_numpy(dtype=float), kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(y[order])]) / y.sum()
    x = np.linspace(0, 1, points)
    return pd.DataFrame({"contacted_share": x, "captured_share": np.interp(x * len(y), np.arange(len(y) + 1), cum)})


def predicted_value(transactions: pd.DataFrame, *, calibration_end: Any, horizon_weeks: float,
                    customer_col: str = "customer_id", date_col: str = "date",
                    amount_col: str = "dollars", duplicates: str = "warn") -> pd.DataFrame:
    """Forecast each customer's spend over the next ``horizon_weeks`` with BG/NBD (:mod:`crm_lessons.clv`).

    Expected transactions come from :class:`crm_lessons.clv.BetaGeoModel` fitted on the calibration
    period (``conditional_expected_transactions``); they are multiplied by the customer's mean spend
    per purchase day in the calibration period (a simple stand-in for a Gamma-Gamma spend model).

    Bad input: the log is checked like every purchase log (naive datetimes, amounts >= 0 -- a return
    would give a negative predicted value, so net returns first -- no missing ids). Exact duplicate rows
    add their spend twice: ``duplicates`` = ``"warn"`` (default, with the count), ``"keep"``, ``"drop"`` or
    ``"error"``. BG/NBD needs at least 2 customers with a purchase by ``calibration_end``.

    Returns
    -------
    DataFrame
        Indexed by customer: ``expected_purchases``, ``mean_spend``, ``predicted_value``, ``p_alive``.
        The fitted model is in ``result.attrs["model"]``.
    """
    from .clv import BetaGeoModel
    from .summary import customer_summary

    where = "predicted_value"
    transactions = require_transactions(transactions, where=where, customer_col=customer_col, date_col=date_col,
                                        amount_col=amount_col, duplicates=duplicates)
    horizon = require_number(horizon_weeks, "horizon_weeks", where=where, low=0, low_inclusive=False)
    end = require_date(calibration_end, "calibration_end", where=where)
    tx = transactions.loc[transactions[date_col] <= end, [customer_col, date_col, amount_col]]
    if tx[customer_col].nunique() < 2:
        raise CRMInputError(f"{where}: needs at least 2 customers with a purchase on or before calibration_end="
                            f"{end.date()}, got {tx[customer_col].nunique()}; pick a later calibration_end.")
    s = customer_summary(tx, customer_col=customer_col, date_col=date_col, observation_end=end)
    model = BetaGeoModel().fit(s)
    x, tx_, T = s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy()
    e = model.conditional_expected_transactions(horizon, x, tx_, T)
    daily = tx.groupby([customer_col, date_col])[amount_col].sum().groupby(level=0).mean()
    out = pd.DataFrame({"expected_purchases": e, "mean_spend": daily.reindex(s.index).to_numpy(),
                        "p_alive": model.probability_alive(x, tx_, T)}, index=s.index)
    out["predicted_value"] = out["expected_purchases"] * out["mean_spend"]
    out.attrs["model"] = model
    return out


def behaviour_features(transactions: pd.DataFrame, *, end: Any, min_purchases: int = 3,
                       customer_col: str = "customer_id", date_col: str = "date",
                       quantity_col: str = "cds", amount_col: str = "dollars",
                       duplicates: str = "warn") -> pd.DataFrame:
    """How each customer buys, up to ``end``: the inputs of needs-based clustering.

    Exact duplicate rows add their items and spend twice: ``duplicates`` = ``"warn"`` (default),
    ``"keep"``, ``"drop"`` or ``"error"`` (see ``docs/data_you_can_pass.md``).

    Only customers with at least ``min_purchases`` purchase days are described (regularity needs two
    gaps). Several rows on one day are one purchase.

    Returns
    -------
    DataFrame
        Indexed by customer: ``purchases_per_month`` (purchase days per 30.44 days from the first
        purchase to ``end``), ``cds_per_purchase`` (mean items per purchase day), ``price_per_cd``
        (total spend / total items; items with zero spend count), ``gap_cv`` (coefficient of
        variation of the days between purchases: 0 = like clockwork, > 1 = bursts), ``purchases``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1], "cds": [1, 2, 3], "dollars": [10.0, 20.0, 30.0],
    ...                    "date": pd.to_datetime(["1997-01-01", "1997-01-11", "1997-01-21"])})
    >>> behaviour_features(tx, end="1997-01-31").round(3).values.tolist()
    [[2.946, 2.0, 10.0, 0.0, 3.0]]
    """
    where = "behaviour_features"
    cols = [customer_col, date_col, quantity_col, amount_col]
    require_frame(transactions, where=where)
    require_columns(transactions, cols, where=where)
    require_no_missing(transactions, cols, where=where)
    require_datetime(transactions, [date_col], where=where)
    require_non_negative(transactions, [quantity_col, amount_col], where=where)
    transactions = check_duplicate_rows(transactions, where=where, duplicates=duplicates, subset=cols)
    min_purchases = require_positive_int(min_purchases, "min_purchases", where=where, minimum=3)
    e = require_date(end, "end", where=where)
    tx = transactions.loc[transactions[date_col] <= e, cols]
    daily = tx.groupby([customer_col, date_col], sort=True)[[quantity_col, amount_col]].sum().reset_index()
    n = daily.groupby(customer_col).size()
    keep = n[n >= min_purchases].index
    if len(keep) == 0:
        raise CRMInputError(f"{where}: no customer has {min_purchases} or more purchase days before {e.date()}.")
    d = daily[daily[customer_col].isin(keep)].copy()
    d["gap"] = d.groupby(customer_col)[date_col].diff().dt.days
    g = d.groupby(customer_col)
    first = g[date_col].min()
    span_days = (e - first).dt.days + 1
    items = g[quantity_col].sum()
    out = pd.DataFrame({
        "purchases_per_month": g.size() / span_days * 30.44,
        "cds_per_purchase": g[quantity_col].mean(),
        "price_per_cd": g[amount_col].sum() / items.where(items > 0),
        "gap_cv": g["gap"].std(ddof=0) / g["gap"].mean(),
        "purchases": g.size().astype(float),
    })
    out.index.name = customer_col
    return out.dropna()


def _design(features: pd.DataFrame, where: str) -> np.ndarray:
    require_frame(features, where=where)
    cols = list(FEATURES)
    require_numeric(features, cols, where=where)
    require_no_missing(features, cols, where=where)
    require_non_negative(features, cols, where=where)
    X = np.column_stack([np.log1p(features[c].to_numpy(dtype=float)) if FEATURES[c] == "log"
                         else features[c].to_numpy(dtype=float) for c in cols])
    return X


def choose_k(features: pd.DataFrame, *, ks: Iterable[int] = range(2, 9), seed: int = 0,
             sample: int = 2000) -> pd.DataFrame:
    """Inertia (within-cluster sum of squares, for the elbow) and silhouette for each number of clusters.

    Features are transformed as :data:`FEATURES` says and standardised, then clustered with
    ``sklearn.cluster.KMeans(n_clusters=k, n_init=10, random_state=seed)``. The silhouette (-1..1,
    higher = better separated) is computed on a fixed random sample of ``sample`` customers for speed.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = pd.DataFrame({c: np.r_[rng.normal(1, .05, 50), rng.normal(3, .05, 50)] for c in FEATURES})
    >>> choose_k(f, ks=[2, 3]).loc[2, "silhouette"] > 0.9
    np.True_
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    where = "choose_k"
    X = StandardScaler().fit_transform(_design(features, where))
    ks = [require_positive_int(k, "k", where=where, minimum=2) for k in ks]
    if not ks or max(ks) >= len(X):
        raise CRMInputError(f"{where}: ks must be a non-empty list of cluster counts below the number of customers.")
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(X), size=min(sample, len(X)), replace=False)
    rows = []
    with threadpool_limits(1):  # one thread: far faster than oversubscribed cores on data this small
        for k in ks:
            km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(X)
            rows.append({"k": k, "inertia": float(km.inertia_),
                         "silhouette": float(silhouette_score(X[idx], km.labels_[idx]))})
    return pd.DataFrame(rows).set_index("k")


class NeedsSegments:
    """Needs-based segments: k-means on standardised buying behaviour.

    Parameters
    ----------
    k : int, default 4
        Number of segments.
    seed : int, default 0
        ``random_state`` of k-means (10 starts).

    Attributes
    ----------
    labels_ : Series
        Segment (1..k, numbered by size, largest first) per customer.
    profile_ : DataFrame
        Per segment: ``customers``, ``share``, the mean of every feature in its own units, and
        ``name`` (from :meth:`name_segments`).
    centers_z_ : DataFrame
        Cluster centres in standard units (how far above or below average each segment is).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = pd.DataFrame({c: np.r_[rng.normal(1, .05, 60), rng.normal(3, .05, 40)] for c in FEATURES})
    >>> NeedsSegments(k=2).fit(f).profile_["customers"].tolist()
    [60, 40]
    """

    def __init__(self, k: int = 4, *, seed: int = 0):
        self.k = require_positive_int(k, "k", where="NeedsSegments", minimum=2)
        self.seed = seed

    def fit(self, features: pd.DataFrame) -> NeedsSegments:
        """Cluster the customers of ``features`` (from :func:`behaviour_features`); returns ``self``."""
        from sklearn.cluster import KMeans
        from sklearn.preprocessing import StandardScaler
        from threadpoolctl import threadpool_limits

        where = "NeedsSegments.fit"
        X = _design(features, where)
        if len(X) <= self.k:
            raise CRMInputError(f"{where}: {len(X)} customers cannot form {self.k} segments; lower k or pass more customers.")
        self.scaler_ = StandardScaler().fit(X)
        Z = self.scaler_.transform(X)
        with threadpool_limits(1):
            self.kmeans_ = KMeans(n_clusters=self.k, n_init=10, random_state=self.seed).fit(Z)
        raw = self.kmeans_.labels_
        sizes = np.bincount(raw, minlength=self.k)
        order = np.argsort(-sizes, kind="stable")
        remap = np.empty(self.k, dtype=int)
        remap[order] = np.arange(1, self.k + 1)
        self.labels_ = pd.Series(remap[raw], index=features.index, name="segment")
        self.centers_z_ = pd.DataFrame(self.kmeans_.cluster_centers_[order], columns=list(FEATURES),
                                       index=pd.Index(np.arange(1, self.k + 1), name="segment"))
        prof = features[list(FEATURES)].groupby(self.labels_.to_numpy()).mean()
        prof.index.name = "segment"
        prof.insert(0, "share", self.labels_.value_counts(normalize=True).sort_index().to_numpy())
        prof.insert(0, "customers", self.labels_.value_counts().sort_index().to_numpy())
        prof["name"] = self.name_segments()
        self.profile_ = prof
        return self

    def name_segments(self) -> list[str]:
        """A short name per segment from its most distinctive feature (largest |z| of the centre)."""
        if not hasattr(self, "centers_z_"):
            raise CRMInputError("NeedsSegments: call .fit(features) first.")
        words = {"purchases_per_month": ("frequent", "infrequent"), "cds_per_purchase": ("big baskets", "single CDs"),
                 "price_per_cd": ("premium titles", "bargain titles"), "gap_cv": ("bursty", "regular")}
        names = []
        for _, row in self.centers_z_.iterrows():
            f = row.abs().idxmax()
            names.append(words[f][0] if row[f] > 0 else words[f][1])
        # make names unique by adding the second most distinctive feature where needed
        for i, nm in enumerate(names):
            if names.count(nm) > 1:
                row = self.centers_z_.iloc[i]
                f2 = row.abs().sort_values(ascending=False).index[1]
                names[i] = f"{nm}, {words[f2][0] if row[f2] > 0 else words[f2][1]}"
        return names


def value_needs_grid(tiers: pd.Series, segments: pd.Series, value: Any | None = None) -> pd.DataFrame:
    """Cross value tiers with needs segments: customers per cell (and mean ``value`` per cell).

    Customers present in ``tiers`` but not in ``segments`` (too few purchases to read their needs)
    form the column ``"unknown needs"``.

    Returns
    -------
    DataFrame
        Long format: ``tier``, ``segment``, ``customers``, ``share`` and, with ``value``, ``mean_value``.

    Examples
    --------
    >>> t = pd.Series(["top", "bottom", "bottom"], index=[1, 2, 3])
    >>> s = pd.Series(["frequent", "bargain"], index=[1, 2])
    >>> value_needs_grid(t, s)[["tier", "segment", "customers"]].values.tolist()
    [['bottom', 'bargain', 1], ['bottom', 'unknown needs', 1], ['top', 'frequent', 1]]
    """
    where = "value_needs_grid"
    if not isinstance(tiers, pd.Series) or not isinstance(segments, pd.Series):
        raise CRMInputError(f"{where}: tiers and segments must be Series indexed by customer id.")
    if not segments.index.isin(tiers.index).all():
        raise CRMInputError(f"{where}: some customers in segments have no tier; compute tiers for the same customers "
                            "(e.g. value_tiers on the frame the segments came from).")
    df = pd.DataFrame({"tier": tiers.astype(str)})
    df["segment"] = segments.astype(str).reindex(df.index).fillna("unknown needs")
    if value is not None:
        v = value if isinstance(value, pd.Series) else pd.Series(np.asarray(value, dtype=float), index=tiers.index)
        df["value"] = v.reindex(df.index).to_numpy(dtype=float)
    g = df.groupby(["tier", "segment"], sort=True)
    out = g.size().rename("customers").reset_index()
    out["share"] = out["customers"] / len(df)
    if value is not None:
        out["mean_value"] = g["value"].mean().to_numpy()
    return out


_INTENSITY = {"top": "retain and reward: personal contact, priority service",
              "middle": "develop: targeted cross-sell",
              "bottom": "serve at low cost: self-service, e-mail"}
_CONTENT = {"frequent": "membership / club offer", "infrequent": "reminder when new titles arrive",
            "big baskets": "bundles and multi-buy offers", "single CDs": "single-title recommendations",
            "premium titles": "new releases and special editions", "bargain titles": "sale and catalogue offers",
            "bursty": "timely offers around buying bursts", "regular": "subscription at their rhythm",
            "unknown needs": "ask: a short preference survey (interact first)"}


def treatment_grid(grid: pd.DataFrame, *, intensity: dict | None = None, content: dict | None = None) -> pd.DataFrame:
    """Propose a treatment per value x needs cell: value decides *how much*, needs decide *what*.

    ``intensity`` maps tier -> level of spending/contact; ``content`` maps a segment name's first
    phrase -> the offer that fits the need. Defaults are the module's illustrative policy; pass your
    own dictionaries to change it.

    Examples
    --------
    >>> g = pd.DataFrame({"tier": ["top"], "segment": ["big baskets"], "customers": [10]})
    >>> treatment_grid(g)["treatment"].item()
    'retain and reward: personal contact, priority service + bundles and multi-buy offers'
    """
    where = "treatment_grid"
    require_columns(grid, ["tier", "segment"], where=where)
    inten = _INTENSITY if intensity is None else intensity
    cont = _CONTENT if content is None else content
    out = grid.copy()
    t = []
    for tier, seg in zip(out["tier"], out["segment"]):
        key = str(seg).split(",")[0]
        if tier not in inten:
            raise CRMInputError(f"{where}: no intensity for tier {tier!r}; known: {sorted(inten)}.")
        t.append(f"{inten[tier]} + {cont.get(key, 'general offer')}")
    out["treatment"] = t
    return out
