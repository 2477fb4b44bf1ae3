"""Charts for Chapter 9 (data mining): associations, gains and lift, tuning, scaling."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import CRMInputError, require_columns, require_frame
from ._core import PALETTE, ensure_ax, finish, label, new_figure

__all__ = ["association_chart", "gains_chart", "lift_chart", "tuning_chart", "scaling_chart", "mailing_profit_chart"]


def association_chart(assoc: pd.DataFrame, *, top: int = 12, ax=None):
    """Horizontal bars of Cramér's V for the ``top`` variables of :func:`crm_lessons.mining.associations`."""
    require_columns(assoc, ["variable", "description", "cramers_v"], where="association_chart")
    t = assoc.head(top).iloc[::-1]
    ax = ensure_ax(ax)
    ax.barh([f"{v}: {d[:38]}" for v, d in zip(t["variable"], t["description"])], t["cramers_v"], color=PALETTE[0])
    return finish(ax, title="Which variables relate to caravan ownership?", xlabel="Cramér's V (training data)")


def gains_chart(curves: dict[str, pd.DataFrame], *, positive: str = "owners", mark: float | None = 0.2, ax=None):
    """Cumulative gains of several models (``name -> scoring.gains_table(..., positive=...)``)."""
    if not curves:
        raise CRMInputError("gains_chart: pass at least one gains table.")
    ax = ensure_ax(ax)
    col = f"cum_share_{positive}"
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1.5, label="random mailing")
    for i, (name, g) in enumerate(curves.items()):
        require_columns(g, ["cum_share_customers", col], where="gains_chart")
        ax.plot(np.r_[0, g["cum_share_customers"]], np.r_[0, g[col]], marker="o", lw=2.5,
                color=PALETTE[i % len(PALETTE)], label=name)
    if mark is not None:
        ax.axvline(mark, color="black", lw=1, ls=":")
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    return finish(ax, title="Gains chart", xlabel="share of customers mailed",
                  ylabel=f"share of {positive} reached")


def lift_chart(curves: dict[str, pd.DataFrame], *, ax=None):
    """Cumulative lift by decile for several models."""
    ax = ensure_ax(ax)
    for i, (name, g) in enumerate(curves.items()):
        require_columns(g, ["cum_share_customers", "cum_lift"], where="lift_chart")
        ax.plot(g["cum_share_customers"], g["cum_lift"], marker="o", lw=2.5, color=PALETTE[i % len(PALETTE)],
                label=name)
    ax.axhline(1, color="grey", ls="--", lw=1.5, label="random mailing")
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    return finish(ax, title="Lift chart", xlabel="share of customers mailed", ylabel="lift")


def tuning_chart(table: pd.DataFrame, *, ax=None):
    """Honest (cross-validated) versus test-set scores by tree depth (:func:`mining.tuning_on_test`)."""
    require_columns(table, ["depth", "cv_estimate_top_800", "test_top_800"], where="tuning_chart")
    ax = ensure_ax(ax)
    ax.plot(table["depth"], table["cv_estimate_top_800"], marker="o", lw=2.5, color=PALETTE[0],
            label="cross-validated on training data")
    ax.plot(table["depth"], table["test_top_800"], marker="s", lw=2.5, color=PALETTE[3], label="test set")
    best = table.loc[table["test_top_800"].idxmax()]
    # Point at the test-set line (its colour, an arrow from below it) and keep the text inside the axes.
    right_half = best["depth"] > (table["depth"].min() + table["depth"].max()) / 2
    ax.annotate(label("best on the test set"), (best["depth"], best["test_top_800"]),
                xytext=(-20 if right_half else 20, -55), textcoords="offset points",
                ha="right" if right_half else "left", va="top", color=PALETTE[3],
                arrowprops={"arrowstyle": "->", "color": PALETTE[3], "lw": 1.5})
    return finish(ax, title="Choosing tree depth", xlabel="tree depth",
                  ylabel="owners in top 800 (count)")


def scaling_chart(table: pd.DataFrame, *, axes=None):
    """Seconds and peak memory against rows, one line per engine (benchmark or notebook table)."""
    require_frame(table, where="scaling_chart")
    require_columns(table, ["rows", "engine", "seconds", "peak_mb"], where="scaling_chart")
    if axes is None:
        _, axes = new_figure(2, width=13)
    for i, (engine, g) in enumerate(table.groupby("engine", sort=True)):
        for ax, col in zip(axes, ["seconds", "peak_mb"]):
            ax.plot(g["rows"], g[col], marker="o", lw=2.5, color=PALETTE[i % len(PALETTE)], label=engine)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
    finish(axes[0], title="Time to summarise", xlabel="transactions", ylabel="seconds")
    finish(axes[1], title="Peak memory", xlabel="transactions", ylabel="megabytes")
    return axes


def mailing_profit_chart(table: pd.DataFrame, *, mark: int | None = None, ax=None):
    """Profit against letters mailed (:func:`crm_lessons.direct_mail.mailing_table`), best size and ``mark``."""
    require_frame(table, where="mailing_profit_chart")
    require_columns(table, ["mailed", "profit"], where="mailing_profit_chart")
    ax = ensure_ax(ax)
    ax.plot(table["mailed"], table["profit"], lw=2.5, color=PALETTE[0], label="profit")
    best = table.loc[table["profit"].idxmax()]
    ax.scatter([best["mailed"]], [best["profit"]], s=80, color=PALETTE[3], zorder=3, label="most profitable size")
    if mark is not None:
        ax.axvline(mark, color="black", lw=1, ls=":", label="chosen mailing size")
    ax.axhline(0, color="grey", lw=1)
    return finish(ax, title="Profit of the mailing", xlabel="letters mailed", ylabel="profit")
