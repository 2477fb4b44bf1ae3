"""Charts for complaint analytics: Pareto, Kaplan-Meier curves, the recovery paradox, the circles."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import require_columns, require_frame
from ._core import PALETTE, finish, label, new_figure

__all__ = ["complaint_pareto_chart", "ticket_km_chart", "recovery_chart", "circle_chart"]


def complaint_pareto_chart(table: pd.DataFrame, column: str = "category", *, ax=None, title: str | None = None):
    """Bars of complaints by ``column`` (largest first) with the cumulative share on a second axis.

    ``table`` comes from :func:`crm_lessons.complaints.pareto_table`; the vital few are drawn darker.
    """
    require_columns(table, [column, "complaints", "cumulative_share"], where="complaint_pareto_chart")
    if ax is None:
        _, ax = new_figure()
    colors = [PALETTE[0] if v else PALETTE[5] for v in table.get("vital_few", [True] * len(table))]
    x = np.arange(len(table))
    ax.bar(x, table["complaints"], color=colors)
    ax.set_xticks(x, [label(str(v)) for v in table[column]], rotation=30, ha="right")
    ax2 = ax.twinx()
    ax2.plot(x, table["cumulative_share"] * 100, color=PALETTE[3], marker="o")
    ax2.axhline(80, color="grey", linestyle=":", linewidth=1)
    ax2.set_ylim(0, 105)
    ax2.set_ylabel(label("cumulative share of complaints (%)"))
    ax2.grid(False)
    return finish(ax, title=title or f"Pareto chart of complaints by {column}", xlabel=column,
                  ylabel="complaints")


def ticket_km_chart(tickets: pd.DataFrame, *, event: str = "resolved", by: str | None = "severity",
             end_of_data=None, ax=None, log_x: bool = True, title: str | None = None):
    """Kaplan-Meier curves of the share of tickets still waiting for ``event``, one per group.

    Open tickets are censored (kept until the end of the data), via statsmodels ``SurvfuncRight``.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    from ..complaints import time_to_event

    d = time_to_event(tickets, event=event, end_of_data=end_of_data)
    if ax is None:
        _, ax = new_figure()
    groups = [("all tickets", d)] if by is None else list(d.groupby(by, observed=True, sort=True))
    for i, (key, g) in enumerate(groups):
        sf = SurvfuncRight(g["hours"].to_numpy(), g["observed"].to_numpy().astype(int))
        t = np.r_[max(sf.surv_times.min() / 2, 1e-3) if log_x else 0.0, sf.surv_times]
        p = np.r_[1.0, sf.surv_prob]
        ax.step(t, p, where="post", color=PALETTE[i % len(PALETTE)], label=label(str(key)))
    if log_x:
        ax.set_xscale("log")
    ax.axhline(0.5, color="grey", linestyle=":", linewidth=1)
    what = "resolution" if event == "resolved" else "first response"
    return finish(ax, title=title or f"Kaplan-Meier: tickets still waiting for {what}",
                  xlabel="hours since the complaint was opened", ylabel="share still waiting")


def recovery_chart(result: pd.DataFrame, *, ax=None, title: str | None = None):
    """Forest plot of the log-odds of repurchase by complaint outcome vs never complained (95% CI).

    ``result`` comes from :func:`crm_lessons.complaints.recovery_paradox`.
    """
    require_columns(result, ["outcome", "log_odds", "ci_low", "ci_high"], where="recovery_chart")
    if ax is None:
        _, ax = new_figure(height=3.8)
    y = np.arange(len(result))[::-1]
    err = np.vstack([result["log_odds"] - result["ci_low"], result["ci_high"] - result["log_odds"]])
    colors = [PALETTE[2] if v > 0 else PALETTE[3] for v in result["log_odds"]]
    ax.errorbar(result["log_odds"], y, xerr=err, fmt="none", ecolor="grey", capsize=4)
    ax.scatter(result["log_odds"], y, color=colors, s=80, zorder=3)
    ax.axvline(0, color="black", linewidth=1)
    ax.set_yticks(y, [label(str(v)) for v in result["outcome"]])
    return finish(ax, title=title or "Repurchase vs customers who never complained",
                  xlabel="log-odds of buying again (95% CI)")


def circle_chart(runs: dict[str, pd.DataFrame], *, column: str = "customers", ax=None,
                 title: str | None = None):
    """Lines of ``column`` over periods for several runs of :func:`crm_lessons.complaints.circle_model`.

    ``runs`` maps a legend label (e.g. "good handling") to a model run.
    """
    if ax is None:
        _, ax = new_figure()
    for i, (name, df) in enumerate(runs.items()):
        require_frame(df, where="circle_chart")
        require_columns(df, ["period", column], where="circle_chart")
        ax.plot(df["period"], df[column], color=PALETTE[i % len(PALETTE)], linewidth=2.5, label=name)
    return finish(ax, title=title or "Virtuous and vicious circles of complaint handling",
                  xlabel="period", ylabel=column.replace("_", " "))
