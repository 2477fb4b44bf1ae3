"""Charts for chapter 3, Differentiate customers (区分客户): RFM, value tiers, needs segments, the grid."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from .._validate import CRMInputError, require_columns
from ._core import PALETTE, finish, label, new_figure

__all__ = ["rfm_response_chart", "rfm_heatmap", "capture_chart", "tier_chart", "k_choice_chart",
           "segment_profile_chart", "value_needs_chart"]


def _tier_label(tier) -> str:
    """``top`` -> "top tier" (translated through the glossary); other names unchanged."""
    t = str(tier)
    return label(f"{t} tier") if t in ("top", "middle", "bottom") else label(t)


def rfm_response_chart(scored: pd.DataFrame, *, value_col: str = "holdout_value"):
    """Mean holdout value by R, F and M score: three panels, scores 1 to 5.

    Examples
    --------
    >>> s = pd.DataFrame({"R": [1, 2], "F": [1, 2], "M": [2, 1], "holdout_value": [0.0, 5.0]})
    >>> len(rfm_response_chart(s).axes)
    3
    """
    require_columns(scored, ["R", "F", "M", value_col], where="rfm_response_chart")
    fig, axes = new_figure(3, sharey=True, width=12, height=4.6)
    for ax, col, name, color in zip(axes, "RFM", ["recency", "frequency", "monetary value"], PALETTE):
        m = scored.groupby(col)[value_col].mean()
        ax.bar(m.index.astype(str), m.to_numpy(), color=color)
        finish(ax, title=name, xlabel="score (5 = best)", ylabel="mean holdout value (dollars)" if col == "R" else None)
    fig.suptitle(label("Do RFM scores rank next-period revenue?"), fontweight="bold")
    fig.tight_layout()
    return fig


def rfm_heatmap(scored: pd.DataFrame, *, rows: str = "R", cols: str = "F", value_col: str = "holdout_value", ax=None):
    """Heat map of mean holdout value over two RFM scores (e.g. R x F), annotated.

    Examples
    --------
    >>> s = pd.DataFrame({"R": [1, 2], "F": [1, 2], "holdout_value": [0.0, 5.0]})
    >>> rfm_heatmap(s).get_xlabel()
    'F score'
    """
    require_columns(scored, [rows, cols, value_col], where="rfm_heatmap")
    t = scored.pivot_table(index=rows, columns=cols, values=value_col, aggfunc="mean").sort_index(ascending=False)
    if ax is None:
        _, ax = new_figure(width=7, height=5.5)
    im = ax.imshow(t.to_numpy(), cmap="Blues", aspect="auto")
    ax.set_xticks(range(t.shape[1]), t.columns.astype(str))
    ax.set_yticks(range(t.shape[0]), t.index.astype(str))
    vmax = np.nanmax(t.to_numpy())
    for i in range(t.shape[0]):
        for j in range(t.shape[1]):
            v = t.iat[i, j]
            if np.isfinite(v):
                ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=10,
                        color="white" if v > 0.6 * vmax else "black")
    ax.figure.colorbar(im, ax=ax, label=label("mean holdout value"))
    ax.grid(False)
    return finish(ax, title="Mean holdout value by RFM scores", xlabel=f"{cols} score", ylabel=f"{rows} score")


def capture_chart(curves: dict, *, ax=None):
    """Cumulative share of next-period revenue reached by contacting the top x% under each ranking.

    ``curves`` maps a ranking's name to a frame from ``differentiate.capture_curve``. A random
    ranking (the diagonal) is drawn for reference.

    Examples
    --------
    >>> c = pd.DataFrame({"contacted_share": [0, 1], "captured_share": [0, 1]})
    >>> len(capture_chart({"a": c}).lines)  # the curve, the random diagonal, the 20% marker
    3
    """
    if not isinstance(curves, dict) or not curves:
        raise CRMInputError("capture_chart: curves must be a non-empty dict of name -> capture_curve frame.")
    if ax is None:
        _, ax = new_figure()
    for (name, c), color in zip(curves.items(), PALETTE):
        require_columns(c, ["contacted_share", "captured_share"], where="capture_chart")
        ax.plot(100 * c["contacted_share"], 100 * c["captured_share"], color=color, label=name)
    ax.plot([0, 100], [0, 100], color="grey", ls=":", label="random")
    ax.axvline(20, color="grey", lw=0.8, ls="--")
    return finish(ax, title="Share of next-period revenue reached", xlabel="customers contacted (%)",
                  ylabel="holdout revenue reached (%)")


def tier_chart(table: pd.DataFrame, *, ax=None):
    """Grouped bars: each tier's share of customers, of historical value and of holdout value.

    Examples
    --------
    >>> t = pd.DataFrame({"customer_share": [.2, .8], "history_share": [.6, .4], "future_share": [.7, .3]},
    ...                  index=["top", "rest"])
    >>> len(tier_chart(t).patches)
    6
    """
    cols = ["customer_share", "history_share", "future_share"]
    require_columns(table, cols, where="tier_chart")
    if ax is None:
        _, ax = new_figure()
    x = np.arange(len(table))
    for i, (c, name) in enumerate(zip(cols, ["share of customers", "share of historical value",
                                              "share of holdout value"])):
        ax.bar(x + (i - 1) * 0.27, 100 * table[c].to_numpy(), width=0.27, color=PALETTE[i], label=name)
    ax.set_xticks(x, [_tier_label(t) for t in table.index])
    return finish(ax, title="Value tiers: few customers, most of the value", xlabel="value tier", ylabel="%")


def k_choice_chart(k_table: pd.DataFrame):
    """Elbow (inertia) and silhouette against the number of clusters (from ``differentiate.choose_k``).

    Examples
    --------
    >>> t = pd.DataFrame({"inertia": [10.0, 6.0, 5.0], "silhouette": [.3, .4, .2]}, index=[2, 3, 4])
    >>> len(k_choice_chart(t).axes)
    2
    """
    require_columns(k_table, ["inertia", "silhouette"], where="k_choice_chart")
    fig, (a1, a2) = new_figure(2, width=11, height=4.4)
    a1.plot(k_table.index, k_table["inertia"], marker="o", color=PALETTE[0])
    finish(a1, title="Elbow: within-cluster sum of squares", xlabel="number of clusters k", ylabel="inertia")
    a2.plot(k_table.index, k_table["silhouette"], marker="o", color=PALETTE[1])
    finish(a2, title="Silhouette (higher = better separated)", xlabel="number of clusters k", ylabel="silhouette")
    return fig


def segment_profile_chart(centers_z: pd.DataFrame, names=None, *, ax=None):
    """Heat map of segment centres in standard units (above/below the average customer).

    Examples
    --------
    >>> z = pd.DataFrame({"a": [1.0, -1.0], "b": [0.0, 2.0]}, index=[1, 2])
    >>> segment_profile_chart(z, ["x", "y"]).get_ylabel()
    'segment'
    """
    if not isinstance(centers_z, pd.DataFrame) or centers_z.empty:
        raise CRMInputError("segment_profile_chart: centers_z must be a non-empty DataFrame (NeedsSegments.centers_z_).")
    if ax is None:
        _, ax = new_figure(width=9, height=1.2 + 0.8 * len(centers_z))
    z = centers_z.to_numpy(dtype=float)
    lim = max(1.0, np.abs(z).max())
    im = ax.imshow(z, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(z.shape[1]), [textwrap.fill(label(c.replace("_", " ")), 12) for c in centers_z.columns])
    rows = [f"{i}: {label(n)}" for i, n in zip(centers_z.index, names)] if names is not None \
        else [str(i) for i in centers_z.index]
    ax.set_yticks(range(z.shape[0]), rows)
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            ax.text(j, i, f"{z[i, j]:+.1f}", ha="center", va="center", fontsize=10,
                    color="white" if abs(z[i, j]) > 0.6 * lim else "black")
    ax.figure.colorbar(im, ax=ax, label=label("z-score"))
    ax.grid(False)
    return finish(ax, title="Needs segments: how each group buys", ylabel="segment")


def value_needs_chart(grid: pd.DataFrame, *, value_col: str = "customers", ax=None):
    """Heat map of the value x needs grid (from ``differentiate.value_needs_grid``).

    Examples
    --------
    >>> g = pd.DataFrame({"tier": ["top", "bottom"], "segment": ["a", "b"], "customers": [3, 4]})
    >>> value_needs_chart(g).get_xlabel()
    'needs segment'
    """
    require_columns(grid, ["tier", "segment", value_col], where="value_needs_chart")
    t = grid.pivot_table(index="tier", columns="segment", values=value_col, aggfunc="sum")
    order = [x for x in ["top", "middle", "bottom"] if x in t.index] + [x for x in t.index if x not in
                                                                         ("top", "middle", "bottom")]
    t = t.loc[order]
    if ax is None:
        _, ax = new_figure(width=10, height=4.5)
    v = t.to_numpy(dtype=float)
    im = ax.imshow(v, cmap="Greens", aspect="auto")
    ax.set_xticks(range(v.shape[1]), [label(c) for c in t.columns], rotation=20, ha="right")
    ax.set_yticks(range(v.shape[0]), [_tier_label(i) for i in t.index])
    vmax = np.nanmax(v)
    for i in range(v.shape[0]):
        for j in range(v.shape[1]):
            if np.isfinite(v[i, j]):
                ax.text(j, i, f"{v[i, j]:,.0f}", ha="center", va="center", fontsize=10,
                        color="white" if v[i, j] > 0.6 * vmax else "black")
    ax.figure.colorbar(im, ax=ax, label=label(value_col.replace("_", " ")))
    ax.grid(False)
    return finish(ax, title="Value x needs grid", xlabel="needs segment", ylabel="value tier")
