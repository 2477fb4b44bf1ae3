"""Charts for Chapter 7 (satisfaction, loyalty and churn): cohorts, churn model, survival, switching."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import CRMInputError, require_columns, require_frame
from ._core import PALETTE, ensure_ax, finish, label

__all__ = ["cohort_retention_chart", "churn_roc_chart", "churn_gains_chart", "churn_calibration_chart",
           "survival_chart", "loglog_survival_chart", "switching_heatmap", "lifecycle_stage_chart",
           "targeting_profit_chart", "odds_ratio_chart"]


def cohort_retention_chart(table: pd.DataFrame, *, ax=None, title: str = "Cohort retention"):
    """One line per acquisition cohort: share buying k periods after the first purchase.

    ``table`` is :func:`crm_lessons.loyalty.cohort_retention` (period 0 is left out: it is 1).
    """
    require_frame(table, where="cohort_retention_chart")
    ks = [c for c in table.columns if isinstance(c, (int, np.integer)) and c > 0]
    if not ks:
        raise CRMInputError("cohort_retention_chart: the table has no period columns 1, 2, ...")
    ax = ensure_ax(ax)
    for i, (coh, row) in enumerate(table.iterrows()):
        ax.plot(ks, row[ks].to_numpy(dtype=float), marker="o", color=PALETTE[i % len(PALETTE)], lw=2.5,
                label=f"{coh} (n = {int(row['size']):,})" if "size" in table else str(coh))
    ax.set_ylim(0, None)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    return finish(ax, title=title, xlabel="months since first purchase", ylabel="share of cohort buying")


def churn_roc_chart(roc: pd.DataFrame, *, auc: float | None = None, ax=None, title: str = "ROC curve"):
    """ROC curve from :func:`crm_lessons.churn.roc_table`, with the chance diagonal."""
    require_columns(roc, ["fpr", "tpr"], where="churn_roc_chart")
    ax = ensure_ax(ax)
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1.5, label="chance")
    lab = label("churn model") + (f" (AUC = {auc:.3f})" if auc is not None else "")
    ax.plot(roc["fpr"], roc["tpr"], color=PALETTE[0], lw=3, label=lab)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    return finish(ax, title=title, xlabel="false positive rate", ylabel="true positive rate")


def churn_gains_chart(gains: pd.DataFrame, *, ax=None, title: str = "Gains chart"):
    """Cumulative share of churners reached against share of customers contacted (riskiest first)."""
    require_columns(gains, ["cum_share_customers", "cum_share_churners"], where="churn_gains_chart")
    ax = ensure_ax(ax)
    x = np.r_[0, gains["cum_share_customers"].to_numpy()]
    y = np.r_[0, gains["cum_share_churners"].to_numpy()]
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1.5, label="random contact")
    ax.plot(x, y, marker="o", color=PALETTE[1], lw=3, label="churn model")
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    return finish(ax, title=title, xlabel="share of customers contacted", ylabel="share of churners reached")


def churn_calibration_chart(cal: pd.DataFrame, *, ax=None, title: str = "Calibration"):
    """Observed churn rate (with 95% interval) against mean predicted probability per bin."""
    require_columns(cal, ["predicted", "observed", "lower", "upper"], where="churn_calibration_chart")
    ax = ensure_ax(ax)
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1.5, label="perfect calibration")
    ax.errorbar(cal["predicted"], cal["observed"],
                yerr=[cal["observed"] - cal["lower"], cal["upper"] - cal["observed"]],
                fmt="o", color=PALETTE[0], ms=8, capsize=4, lw=2, label="held-out customers")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    return finish(ax, title=title, xlabel="predicted churn probability", ylabel="observed churn rate")


def survival_chart(km: pd.DataFrame, *, ax=None, title: str = "Kaplan-Meier survival by contract"):
    """Step curves (with 95% bands) from :func:`crm_lessons.churn.kaplan_meier`."""
    require_columns(km, ["group", "time", "survival", "lower", "upper"], where="survival_chart")
    ax = ensure_ax(ax)
    for i, (g, d) in enumerate(km.groupby("group", observed=True, sort=False)):
        t = np.r_[0, d["time"].to_numpy()]
        ax.step(t, np.r_[1, d["survival"].to_numpy()], where="post", color=PALETTE[i], lw=2.5, label=str(g))
        ax.fill_between(t, np.r_[1, d["lower"].to_numpy()], np.r_[1, d["upper"].to_numpy()], step="post",
                        color=PALETTE[i], alpha=0.15)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    return finish(ax, title=title, xlabel="tenure (months)", ylabel="share still a customer")


def loglog_survival_chart(km: pd.DataFrame, *, ax=None, title: str = "Proportional hazards check"):
    """log(-log S) against log tenure per group: parallel curves support proportional hazards."""
    require_columns(km, ["group", "time", "log_minus_log"], where="loglog_survival_chart")
    ax = ensure_ax(ax)
    for i, (g, d) in enumerate(km.groupby("group", observed=True, sort=False)):
        d = d[(d["time"] > 0) & np.isfinite(d["log_minus_log"])]
        ax.step(np.log(d["time"]), d["log_minus_log"], where="post", color=PALETTE[i], lw=2.5, label=str(g))
    return finish(ax, title=title, xlabel="log tenure", ylabel="log(-log survival)")


def switching_heatmap(matrix: pd.DataFrame, *, ax=None, title: str = "Brand switching matrix"):
    """Heat map of transition shares: row = brand bought last time, column = brand bought now."""
    import seaborn as sns

    require_frame(matrix, where="switching_heatmap")
    ax = ensure_ax(ax)
    sns.heatmap(matrix, annot=True, fmt=".2f", cmap="Blues", vmin=0, vmax=1, cbar=False, ax=ax,
                annot_kws={"size": 13})
    ax.set_aspect("equal")
    return finish(ax, title=title, xlabel="brand bought now", ylabel="brand bought last time")


def lifecycle_stage_chart(stages: pd.DataFrame, *, ax=None, title: str = "Relationship life-cycle stages"):
    """Stacked bars: customers in each life-cycle stage per period (:func:`crm_lessons.loyalty.lifecycle_stages`)."""
    require_columns(stages, ["period", "stage"], where="lifecycle_stage_chart")
    ax = ensure_ax(ax)
    tab = stages.groupby(["period", "stage"], observed=False).size().unstack(fill_value=0)
    bottom = np.zeros(len(tab))
    for i, s in enumerate(tab.columns):
        ax.bar(tab.index.astype(str), tab[s].to_numpy(), bottom=bottom, color=PALETTE[i], label=str(s))
        bottom += tab[s].to_numpy()
    return finish(ax, title=title, xlabel="quarter", ylabel="number of customers")


def targeting_profit_chart(table: pd.DataFrame, *, ax=None, title: str = "Retention campaign profit"):
    """Expected campaign profit against the number of customers targeted (best expected gain first)."""
    require_columns(table, ["rank", "cum_expected_profit"], where="targeting_profit_chart")
    ax = ensure_ax(ax)
    x = np.r_[0, table["rank"].to_numpy()]
    y = np.r_[0, table["cum_expected_profit"].to_numpy()]
    ax.plot(x, y, color=PALETTE[2], lw=3)
    best = int(np.argmax(y))
    ax.axhline(0, color="grey", lw=1)
    ax.plot([x[best]], [y[best]], "o", color=PALETTE[3], ms=10,
            label=f"{label('best')}: {x[best]:,} → {y[best]:,.0f}")
    return finish(ax, title=title, xlabel="customers targeted", ylabel="expected profit (dollars)")


def odds_ratio_chart(table: pd.DataFrame, *, ratio: str = "odds_ratio", ax=None,
                     title: str = "Odds ratios of churn"):
    """Forest plot of odds (or hazard) ratios with intervals, on a log scale."""
    require_columns(table, [ratio, "lower", "upper"], where="odds_ratio_chart")
    ax = ensure_ax(ax)
    t = table.sort_values(ratio)
    y = np.arange(len(t))
    ax.errorbar(t[ratio], y, xerr=[t[ratio] - t["lower"], t["upper"] - t[ratio]], fmt="o",
                color=PALETTE[0], capsize=3, lw=2)
    ax.axvline(1, color="grey", ls="--", lw=1.5)
    ax.set_yticks(y, [str(i) for i in t.index])
    ax.set_xscale("log")
    return finish(ax, title=title, xlabel=ratio.replace("_", " ") + " (log scale)", ylabel=None)
