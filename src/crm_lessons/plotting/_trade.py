"""Charts for Chapter 11 (foreign-trade customers): acquisition over the year, prospecting cost."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import require_columns
from ._core import PALETTE, current_language, ensure_ax, finish, label

__all__ = ["acquisition_chart", "prospecting_chart"]


def acquisition_chart(acq: pd.DataFrame, *, ax=None):
    """Bars: new foreign customers per month; line (right axis): countries served so far
    (:func:`crm_lessons.trade.acquisition_by_month`)."""
    require_columns(acq, ["month", "new customers", "countries so far"], where="acquisition_chart")
    ax = ensure_ax(ax)
    x = np.arange(len(acq))
    ax.bar(x, acq["new customers"], color=PALETTE[0])
    ax2 = ax.twinx()
    ax2.plot(x, acq["countries so far"], color=PALETTE[3], marker="o", lw=2.5)
    ax2.set_ylim(0, acq["countries so far"].max() * 1.15)
    ax2.set_ylabel(label("countries so far"), color=PALETTE[3])
    ax.set_xticks(x, [m[2:] for m in acq["month"].astype(str)], rotation=45)
    return finish(ax, title="New foreign customers and markets", xlabel="month of first order",
                  ylabel="new customers")


def prospecting_chart(table: pd.DataFrame, *, ax=None, title: str = "Cost per customer found"):
    """Horizontal bars of cost per customer found for each way of prospecting
    (:func:`crm_lessons.trade.prospecting_table`), cheapest at the top."""
    require_columns(table, ["way", "cost per customer (CNY)"], where="prospecting_chart")
    t = table.iloc[::-1]
    ax = ensure_ax(ax)
    cost = t["cost per customer (CNY)"].replace(np.inf, np.nan)
    names = t["way (zh)"] if current_language() == "zh" and "way (zh)" in t else t["way"]
    ax.barh(list(names), cost, color=PALETTE[1])  # method names are data (Chinese names in "way (zh)")
    return finish(ax, title=title, xlabel="cost per customer found (CNY, assumed inputs)")
