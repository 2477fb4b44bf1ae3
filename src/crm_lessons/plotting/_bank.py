"""Charts for Chapter 11 (bank CRM): response by group, conversion per call, caps on calls, tiers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import require_columns, require_frame
from ._core import PALETTE, ensure_ax, finish, label

__all__ = ["response_rate_chart", "contact_hazard_chart", "contact_cap_chart"]


def response_rate_chart(table: pd.DataFrame, by: str, *, overall: float | None = None, ax=None,
                        title: str | None = None):
    """Horizontal bars of the response rate per group with Wilson 95% intervals
    (:func:`crm_lessons.bank.response_by`); a dashed line marks ``overall`` (a rate in %)."""
    require_frame(table, where="response_rate_chart")
    require_columns(table, [by, "response (%)", "low (%)", "high (%)"], where="response_rate_chart")
    t = table.iloc[::-1]
    ax = ensure_ax(ax)
    y = np.arange(len(t))
    err = np.vstack([t["response (%)"] - t["low (%)"], t["high (%)"] - t["response (%)"]])
    ax.barh(y, t["response (%)"], xerr=err, color=PALETTE[0], alpha=0.85, capsize=3)
    ax.set_yticks(y, [str(v) for v in t[by]])  # data values, not chart words
    if overall is not None:
        ax.axvline(overall, color=PALETTE[3], ls="--", lw=1.5, label="all calls")
    return finish(ax, title=title or f"Response rate by {by}", xlabel="subscribed (%)")


def contact_hazard_chart(hazard: pd.DataFrame, *, ax=None):
    """Bars: conversion of the k-th call; line (right axis): cumulative share of deposits
    (:func:`crm_lessons.bank.contact_hazard`). The last bar pools the calls at or beyond the cap."""
    require_columns(hazard, ["call", "conversion (%)", "cumulative share of deposits (%)"],
                    where="contact_hazard_chart")
    ax = ensure_ax(ax)
    ax.bar(hazard["call"], hazard["conversion (%)"], color=PALETTE[0], label="conversion of this call")
    ax2 = ax.twinx()
    ax2.plot(hazard["call"], hazard["cumulative share of deposits (%)"], color=PALETTE[3], marker="o", lw=2.5)
    ax2.set_ylim(0, 105)
    ax2.set_ylabel(label("cumulative share of deposits (%)"), color=PALETTE[3])
    ax.set_xticks(hazard["call"], [str(k) for k in hazard["call"]][:-1] + [f"{hazard['call'].iloc[-1]}+"])
    return finish(ax, title="Does calling again pay?", xlabel="call number in the campaign",
                  ylabel="subscribed on this call (%)")


def contact_cap_chart(caps: pd.DataFrame, *, ax=None):
    """Profit of each cap on calls per client (:func:`crm_lessons.bank.contact_cap_table`)."""
    require_columns(caps, ["max calls", "profit"], where="contact_cap_chart")
    ax = ensure_ax(ax)
    colours = [PALETTE[2] if p >= 0 else PALETTE[3] for p in caps["profit"]]
    ax.bar([str(m) for m in caps["max calls"]], caps["profit"], color=colours)
    ax.axhline(0, color="black", lw=1)
    best = caps.loc[caps["profit"].idxmax()]
    ax.annotate(label("best"), xy=(list(caps["max calls"]).index(best["max calls"]), best["profit"]),
                ha="center", va="bottom", color=PALETTE[2])
    return finish(ax, title="Contact frequency as a policy", xlabel="maximum calls per client",
                  ylabel="profit of the campaign")
