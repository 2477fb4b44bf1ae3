"""Charts for chapter 10: the purchase journey, consistency of care, returns, self-service escalation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import require_columns
from ._core import PALETTE, finish, label, new_figure

__all__ = ["journey_funnel_chart", "order_gap_chart", "rate_interval_chart", "word_return_chart",
           "escalation_funnel_chart", "coverage_staff_chart"]


def journey_funnel_chart(funnel: pd.DataFrame, *, ax=None, title: str | None = None):
    """Share of first-time buyers who reach their k-th order (from ``experience.journey_funnel``)."""
    require_columns(funnel, ["order_number", "share_of_first", "continue_rate"], where="journey_funnel_chart")
    if ax is None:
        _, ax = new_figure()
    ax.bar(funnel["order_number"], funnel["share_of_first"], color=PALETTE[0], alpha=0.8,
           label="share of first-time buyers")
    ax.plot(funnel["order_number"], funnel["continue_rate"], marker="o", color=PALETTE[1],
            label="share who continue from the previous order")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(funnel["order_number"])
    return finish(ax, title=title or "The purchase journey: how many come back", xlabel="order number",
                  ylabel="share")


def order_gap_chart(journeys: pd.DataFrame, *, ax=None, title: str | None = None, bins: int = 40):
    """Histogram of each repeat customer's mean days between orders."""
    require_columns(journeys, ["mean_days_between_orders"], where="order_gap_chart")
    if ax is None:
        _, ax = new_figure()
    gaps = journeys["mean_days_between_orders"].dropna()
    ax.hist(gaps, bins=bins, color=PALETTE[0], alpha=0.85)
    ax.axvline(gaps.median(), color=PALETTE[1], linestyle="--", linewidth=2, label="median")
    return finish(ax, title=title or "Time between orders", xlabel="mean days between orders",
                  ylabel="customers")


def rate_interval_chart(rates: pd.DataFrame, group: str, *, ax=None, title: str | None = None,
                        xlabel: str = "share of invoices cancelled"):
    """Each group's rate with its 95% interval, and the pooled rate as a line (``cancellation_rates``)."""
    require_columns(rates, [group, "rate", "ci_low", "ci_high", "invoices", "cancellations"],
                    where="rate_interval_chart")
    if ax is None:
        _, ax = new_figure(height=max(3.0, 0.45 * len(rates) + 1.5))
    r = rates.sort_values("rate")
    y = np.arange(len(r))
    ax.errorbar(r["rate"], y, xerr=[r["rate"] - r["ci_low"], r["ci_high"] - r["rate"]], fmt="o",
                color=PALETTE[0], capsize=4, label="rate with 95% interval")
    pooled = r["cancellations"].sum() / r["invoices"].sum()
    ax.axvline(pooled, color=PALETTE[1], linestyle="--", label="all groups")
    ax.set_yticks(y)
    ax.set_yticklabels([str(v) for v in r[group]])  # data values, not chart words
    ax.set_xlim(left=0)
    return finish(ax, title=title or "Is care delivered consistently?", xlabel=xlabel, ylabel=group)


def word_return_chart(words: pd.DataFrame, *, top: int = 10, ax=None, title: str | None = None):
    """The description words with the highest and lowest pooled return rates (``word_return_rates``)."""
    require_columns(words, ["word", "return_rate"], where="word_return_chart")
    if ax is None:
        _, ax = new_figure(height=max(3.5, 0.32 * 2 * top + 1.5))
    w = words.sort_values("return_rate", ascending=False)
    pick = pd.concat([w.head(top), w.tail(top)]).drop_duplicates("word").sort_values("return_rate")
    colours = [PALETTE[1] if v >= w["return_rate"].median() else PALETTE[0] for v in pick["return_rate"]]
    ax.barh(pick["word"], pick["return_rate"], color=colours)
    return finish(ax, title=title or "Which descriptions are returned most?", xlabel="cancelled / ordered lines",
                  ylabel="word in the description")


def escalation_funnel_chart(funnel: pd.DataFrame, *, ax=None, title: str | None = None):
    """Questions reaching and solved at each step of the escalation chain (``escalation_funnel``)."""
    require_columns(funnel, ["step", "reached", "solved"], where="escalation_funnel_chart")
    if ax is None:
        _, ax = new_figure()
    f = funnel.iloc[::-1]
    ax.barh([label(s) for s in f["step"]], f["reached"], color=PALETTE[5], alpha=0.5, label="questions reaching the step")
    ax.barh([label(s) for s in f["step"]], f["solved"], color=PALETTE[0], label="solved at the step")
    return finish(ax, title=title or "Self-service escalation: where questions are solved", xlabel="questions",
                  ylabel="step")


def coverage_staff_chart(table: pd.DataFrame, *, y: str = "staff", ax=None, title: str | None = None,
                         ylabel: str = "specialist staff (full-time)"):
    """Staff (or questions to staff) against the case library's coverage (``coverage_effect``)."""
    require_columns(table, ["coverage", y], where="coverage_staff_chart")
    if ax is None:
        _, ax = new_figure()
    ax.plot(table["coverage"], table[y], marker="o", color=PALETTE[0])
    ax.set_ylim(bottom=0)
    return finish(ax, title=title or "A fuller case library, fewer specialists", xlabel="case library coverage",
                  ylabel=ylabel)
