"""Foreign-trade customers: dependence on a few buyers, acquisition, repeat orders, prospecting cost.

Chapter 11 reads the UCI "Online Retail" invoice lines (``datasets.load("online_retail")``; Chen,
Sain & Guo 2012) as the order book of a small exporter: a UK gift-ware wholesaler whose customers
outside the UK are mostly shops and wholesalers in 36 other countries.

- :func:`export_customers`: one row per foreign customer (net revenue after cancellations, orders,
  first and last order, months with an order);
- :func:`concentration`: how dependent is the seller on a few buyers (top-k shares, top 20%, Gini),
  reusing :func:`crm_lessons.value.gini` and :func:`crm_lessons.value.top_share`;
- :func:`acquisition_by_month`: new customers and new countries each month;
- :func:`repeat_by_size`: do big buyers re-order more than small ones?
- :func:`loss_of_top`: what losing the top buyers would cost, and how many ordinary new customers
  would replace them;
- :data:`PROSPECTING_WAYS`, :func:`prospecting_cost`, :func:`prospecting_table`: the course's ten ways
  to find foreign customers compared by cost per customer found, under **stated, editable
  assumptions** (illustrative numbers, not data).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_columns,
    require_frame,
    require_number,
    require_numeric,
    require_positive_int,
)

__all__ = [
    "PROSPECTING_WAYS",
    "export_customers",
    "concentration",
    "acquisition_by_month",
    "repeat_by_size",
    "loss_of_top",
    "prospecting_cost",
    "prospecting_table",
]

_LINE_COLS = ("invoice", "quantity", "unit_price", "customer_id", "country", "invoice_date")


def export_customers(lines: pd.DataFrame, *, home_country: str | None = "United Kingdom",
                     min_revenue: float = 0.0) -> pd.DataFrame:
    """One row per (foreign) customer from invoice lines: revenue, orders, first and last order.

    Lines without a customer id are dropped; cancellation lines (invoice starting with ``C``) count
    against revenue but not as orders. Customers of ``home_country`` are left out (``None`` keeps all);
    a customer listed under two countries gets the country of their first line.

    Parameters
    ----------
    lines : DataFrame
        Invoice lines with ``invoice``, ``quantity``, ``unit_price``, ``customer_id``, ``country``,
        ``invoice_date`` (as ``datasets.load("online_retail")``).
    min_revenue : float, default 0
        Keep customers whose net revenue is above this (net zero or negative: everything cancelled).

    Returns
    -------
    DataFrame
        ``customer_id``, ``country``, ``revenue (GBP)``, ``orders``, ``first_order``, ``last_order``,
        ``active_months`` and, when the lines have ``stock_code``, ``products`` (distinct products
        bought), sorted by revenue (largest first). ``attrs["dropped_customers"]`` counts
        customers at or below ``min_revenue``.

    Examples
    --------
    >>> lines = pd.DataFrame({"invoice": ["1", "2", "C3", "4"], "quantity": [10, 5, -2, 1],
    ...     "unit_price": [2.0, 2.0, 2.0, 9.0], "customer_id": [7, 7, 7, 8],
    ...     "country": ["France", "France", "France", "United Kingdom"],
    ...     "invoice_date": pd.to_datetime(["2011-01-05", "2011-03-01", "2011-03-02", "2011-01-01"])})
    >>> export_customers(lines)[["customer_id", "country", "revenue (GBP)", "orders", "active_months"]]
       customer_id country  revenue (GBP)  orders  active_months
    0            7  France           26.0       2              2
    """
    where = "export_customers"
    df = require_frame(lines, where=where)
    require_columns(df, list(_LINE_COLS), where=where)
    floor = require_number(min_revenue, "min_revenue", where=where)
    cols = list(_LINE_COLS) + (["stock_code"] if "stock_code" in df else [])
    df = df.loc[df["customer_id"].notna(), cols]
    if home_country is not None:
        if home_country not in set(df["country"].astype(str)):
            raise CRMInputError(f"{where}: home_country {home_country!r} does not occur in 'country'; "
                                "pass the seller's own country exactly as spelt there, or None to keep all.")
        df = df[df["country"].astype(str) != home_country]
    if df.empty:
        raise CRMInputError(f"{where}: no lines with a customer id outside {home_country!r}; check the "
                            "'country' and 'customer_id' columns, or pass home_country=None to keep every country.")
    cancel = df["invoice"].astype(str).str.startswith("C")
    df = df.assign(revenue=df["quantity"] * df["unit_price"], order=df["invoice"].where(~cancel),
                   month=df["invoice_date"].dt.to_period("M").where(~cancel))
    aggs = {"country": ("country", "first"), "revenue": ("revenue", "sum"), "orders": ("order", "nunique"),
            "first_order": ("invoice_date", "min"), "last_order": ("invoice_date", "max"),
            "active_months": ("month", "nunique")}
    if "stock_code" in df:
        df = df.assign(product=df["stock_code"].where(~cancel))
        aggs["products"] = ("product", "nunique")
    g = df.groupby("customer_id", sort=False).agg(**aggs)
    g["country"] = g["country"].astype(str)
    keep = g["revenue"] > floor
    out = (g[keep].rename(columns={"revenue": "revenue (GBP)"}).sort_values("revenue (GBP)", ascending=False)
           .reset_index())
    out["customer_id"] = out["customer_id"].astype("int64")
    out["revenue (GBP)"] = out["revenue (GBP)"].round(2)
    out.attrs["dropped_customers"] = int((~keep).sum())
    return out


def concentration(values: Any, *, top: Sequence[int] = (1, 5, 10), share: float = 0.2) -> pd.DataFrame:
    """How much of the revenue a few buyers hold: top-k shares, the top ``share`` of buyers, Gini.

    Examples
    --------
    >>> concentration([50, 20, 10, 10, 5, 5], top=[1, 2])
                     measure  value
    0                 buyers   6.00
    1        top 1 share (%)  50.00
    2        top 2 share (%)  70.00
    3  top 20% of buyers (%)  54.00
    4                   Gini   0.45
    """
    from .value import gini, top_share

    where = "concentration"
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size == 0 or not np.isfinite(x).all() or (x < 0).any() or x.sum() <= 0:
        raise CRMInputError(f"{where}: values must be a non-empty 1-d set of finite, non-negative numbers "
                            "with a positive total (one revenue figure per buyer).")
    xs = np.sort(x)[::-1]
    rows = [("buyers", float(x.size))]
    for k in top:
        k = require_positive_int(k, "top", where=where)
        if k > x.size:
            raise CRMInputError(f"{where}: top = {k} exceeds the {x.size} buyers.")
        rows.append((f"top {k} share (%)", 100 * xs[:k].sum() / x.sum()))
    rows.append((f"top {share:.0%} of buyers (%)", 100 * top_share(x, share)))
    rows.append(("Gini", gini(x)))
    return pd.DataFrame(rows, columns=["measure", "value"]).round({"value": 2})


def acquisition_by_month(customers: pd.DataFrame, *, date_col: str = "first_order",
                         group_col: str = "country") -> pd.DataFrame:
    """New customers and new countries (markets) won each month, with running totals.

    Examples
    --------
    >>> c = pd.DataFrame({"first_order": pd.to_datetime(["2011-01-03", "2011-01-20", "2011-02-01"]),
    ...                   "country": ["France", "Spain", "France"]})
    >>> acquisition_by_month(c)
         month  new customers  new countries  customers so far  countries so far
    0  2011-01              2              2                 2                 2
    1  2011-02              1              0                 3                 2
    """
    where = "acquisition_by_month"
    df = require_frame(customers, where=where)
    require_columns(df, [date_col, group_col], where=where)
    if not pd.api.types.is_datetime64_any_dtype(df[date_col]):
        raise CRMInputError(f"{where}: {date_col!r} must hold dates (datetime64); convert with pd.to_datetime.")
    month = df[date_col].dt.to_period("M")
    first_in_group = df.assign(_m=month).groupby(group_col, observed=True)["_m"].min()
    out = pd.DataFrame({"new customers": month.value_counts().sort_index(),
                        "new countries": first_in_group.value_counts()}).fillna(0).astype("int64")
    out = out.sort_index()
    out["customers so far"] = out["new customers"].cumsum()
    out["countries so far"] = out["new countries"].cumsum()
    out.index = out.index.astype(str)
    return out.rename_axis("month").reset_index()


def repeat_by_size(customers: pd.DataFrame, *, cuts: Sequence[float] = (0.1, 0.5),
                   revenue_col: str = "revenue (GBP)", orders_col: str = "orders") -> pd.DataFrame:
    """Re-ordering of big and small buyers: tiers by revenue rank (top ``cuts[0]``, next, ..., rest).

    Returns one row per tier: ``tier``, ``buyers``, ``revenue share (%)``, ``mean orders``,
    ``re-ordered (%)`` (two or more orders) and, when the frame has it, ``mean active months``.

    Examples
    --------
    >>> c = pd.DataFrame({"revenue (GBP)": [100, 50, 10, 5], "orders": [6, 3, 1, 2]})
    >>> repeat_by_size(c, cuts=[0.5])[["tier", "buyers", "revenue share (%)", "mean orders", "re-ordered (%)"]]
            tier  buyers  revenue share (%)  mean orders  re-ordered (%)
    0    top 50%       2               90.9          4.5           100.0
    1  other 50%       2                9.1          1.5            50.0
    """
    where = "repeat_by_size"
    df = require_frame(customers, where=where)
    require_numeric(df, [revenue_col, orders_col], where=where)
    cuts = [require_number(c, "cut", where=where, low=0, high=1, low_inclusive=False, high_inclusive=False)
            for c in cuts]
    if any(b <= a for a, b in zip(cuts, cuts[1:])):
        raise CRMInputError(f"{where}: cuts must increase, got {cuts}.")
    n = len(df)
    rank = df[revenue_col].rank(method="first", ascending=False).to_numpy() - 1
    edges = [0] + [int(round(c * n)) for c in cuts] + [n]
    names = [f"top {cuts[0]:.0%}"] + [f"next {b - a:.0%}" for a, b in zip(cuts, cuts[1:])] + \
            [f"other {1 - cuts[-1]:.0%}"]
    total = df[revenue_col].sum()
    rows = []
    for name, lo, hi in zip(names, edges, edges[1:]):
        t = df[(rank >= lo) & (rank < hi)]
        row = {"tier": name, "buyers": len(t), "revenue share (%)": round(100 * t[revenue_col].sum() / total, 1),
               "mean orders": round(t[orders_col].mean(), 1), "re-ordered (%)": round(100 * (t[orders_col] >= 2).mean(), 1)}
        if "active_months" in df:
            row["mean active months"] = round(t["active_months"].mean(), 1)
        if "products" in df:
            row["median products"] = float(t["products"].median())
        rows.append(row)
    return pd.DataFrame(rows)


def loss_of_top(customers: pd.DataFrame, ks: Sequence[int] = (1, 3, 5, 10), *,
                revenue_col: str = "revenue (GBP)") -> pd.DataFrame:
    """What losing the k largest buyers would cost, and how many typical buyers would replace them.

    "Typical" is the median buyer's revenue, so ``buyers to replace`` = revenue lost / median revenue.

    Examples
    --------
    >>> loss_of_top(pd.DataFrame({"revenue (GBP)": [60, 20, 10, 10]}), ks=[1]).iloc[0].tolist()
    [1.0, 60.0, 60.0, 4.0]
    """
    where = "loss_of_top"
    df = require_frame(customers, where=where)
    require_numeric(df, [revenue_col], where=where)
    x = np.sort(df[revenue_col].to_numpy(dtype=float))[::-1]
    median = float(np.median(x))
    rows = []
    for k in ks:
        k = require_positive_int(k, "k", where=where)
        if k > x.size:
            raise CRMInputError(f"{where}: k = {k} exceeds the {x.size} buyers.")
        lost = float(x[:k].sum())
        rows.append({"top buyers lost": k, "revenue lost (GBP)": round(lost, 2),
                     "share of revenue (%)": round(100 * lost / x.sum(), 1),
                     "typical buyers to replace them": round(lost / median, 1)})
    return pd.DataFrame(rows)


#: The course's ten ways to find foreign-trade customers (course material M5, foreign-trade essay), with
#: ILLUSTRATIVE assumptions per month for a small exporter: cash cost (CNY), staff hours, leads
#: (buyers who reply or show interest) and the share of leads that become customers. These are not
#: data: change them to your firm's figures.
PROSPECTING_WAYS = pd.DataFrame(
    [
        ("B2B platforms (free listings)", "B2B平台发布产品", 0, 30, 6, 0.05),
        ("Customs (import) data", "海关数据", 2000, 20, 10, 0.04),
        ("Active outreach to buying leads", "主动联系采购信息", 0, 40, 8, 0.05),
        ("Company lists on B2B sites", "B2B网站公司名录", 0, 25, 5, 0.04),
        ("Advanced search on B2B sites", "B2B高级搜索", 0, 15, 4, 0.05),
        ("Yellow pages", "黄页", 0, 20, 3, 0.03),
        ("Search engines (keywords, images, languages)", "搜索引擎", 0, 30, 6, 0.04),
        ("Trade fairs", "展会", 15000, 60, 40, 0.08),
        ("Waiting for inbound enquiries", "守株待兔(客户主动询盘)", 0, 5, 2, 0.15),
        ("Referrals by existing customers", "老客户推荐", 0, 5, 1, 0.30),
    ],
    columns=["way", "way (zh)", "cash per month (CNY)", "staff hours per month", "leads per month",
             "leads to customers"],
)


def prospecting_cost(cash: Any, hours: Any, leads: Any, win_rate: Any, *, hourly_cost: float = 60.0):
    """Cost per customer found: (cash + hours x hourly cost) / (leads x share of leads won).

    Examples
    --------
    >>> prospecting_cost(15000, 60, 40, 0.08, hourly_cost=60)  # (15000 + 3600) / 3.2
    5812.5
    """
    where = "prospecting_cost"
    hc = require_number(hourly_cost, "hourly_cost", where=where, low=0)
    cash, hours, leads, win = (np.asarray(v, dtype=float) for v in (cash, hours, leads, win_rate))
    if (cash < 0).any() or (hours < 0).any() or (leads < 0).any() or ((win < 0) | (win > 1)).any():
        raise CRMInputError(f"{where}: cash, hours and leads must be >= 0 and win_rate between 0 and 1.")
    found = leads * win
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(found > 0, (cash + hours * hc) / np.where(found > 0, found, 1), np.inf)
    return float(out) if out.ndim == 0 else out


def prospecting_table(ways: pd.DataFrame | None = None, *, hourly_cost: float = 60.0) -> pd.DataFrame:
    """The ten ways ranked by cost per customer found, under the (editable) assumptions in ``ways``.

    Adds ``customers per month`` (leads x share won) and ``cost per customer (CNY)``; sorted cheapest
    first. Pass a copy of :data:`PROSPECTING_WAYS` with your own numbers.
    """
    where = "prospecting_table"
    df = PROSPECTING_WAYS if ways is None else require_frame(ways, where=where)
    cols = ["way", "cash per month (CNY)", "staff hours per month", "leads per month", "leads to customers"]
    require_columns(df, cols, where=where)
    out = df.copy()
    out["customers per month"] = (out["leads per month"] * out["leads to customers"]).round(2)
    out["cost per customer (CNY)"] = np.round(prospecting_cost(
        out["cash per month (CNY)"], out["staff hours per month"], out["leads per month"],
        out["leads to customers"], hourly_cost=hourly_cost), 0)
    return out.sort_values("cost per customer (CNY)").reset_index(drop=True)
