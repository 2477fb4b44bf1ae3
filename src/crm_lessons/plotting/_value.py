"""Charts for Chapter 1 (customer value): Lorenz curve, value matrix, CLV curves."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import CRMInputError, require_columns, require_number, require_positive_int
from ._core import PALETTE, ensure_ax, finish, label, new_figure

__all__ = ["lorenz_chart", "value_matrix_chart", "clv_retention_chart", "clv_horizon_chart",
           "clv_explorer"]


def lorenz_chart(values: Any, *, share: float = 0.2, ax=None, title: str = "Lorenz curve of customer value"):
    """Lorenz curve of customer values with the equality line and the top-``share`` point marked.

    Parameters
    ----------
    values : array-like
        One non-negative value per customer (e.g. historical revenue).
    share : float, default 0.2
        Mark the share of value held by this top share of customers (the 80/20 test).

    Returns
    -------
    matplotlib Axes
    """
    from ..value import gini, lorenz_curve, top_share

    lc = lorenz_curve(values)
    g = gini(values)
    top = top_share(values, share)
    ax = ensure_ax(ax)
    ax.plot([0, 1], [0, 1], color="grey", lw=1.5, ls="--", label="equality")
    ax.plot(lc["customer_share"], lc["value_share"], color=PALETTE[0], lw=3,
            label=f"{label('Lorenz curve')} (Gini = {g:.2f})")
    x0, y0 = 1 - share, 1 - top
    ax.fill_between(lc["customer_share"], lc["value_share"], lc["customer_share"], color=PALETTE[0],
                    alpha=0.12)
    ax.plot([x0, x0], [0, y0], color=PALETTE[3], lw=1.5, ls=":")
    ax.plot([x0], [y0], "o", color=PALETTE[3], ms=9)
    ax.annotate(f"{label('top')} {share:.0%}: {top:.0%}", xy=(x0, y0), xytext=(x0 - 0.42, y0 + 0.22),
                arrowprops={"arrowstyle": "->", "color": PALETTE[3]}, color=PALETTE[3])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    return finish(ax, title=title, xlabel="cumulative share of customers",
                  ylabel="cumulative share of revenue")


_ZERO_BAND = 3.0


def _jitter(v: np.ndarray, rng) -> np.ndarray:
    """Spread identical values a little: positives multiplicatively, exact zeros into a strip below 0."""
    out = v * np.exp(rng.normal(0, 0.03, v.size))
    zero = v == 0
    out[zero] = -rng.uniform(0.2, _ZERO_BAND, int(zero.sum()))
    return out


def value_matrix_chart(matrix, *, current_col: str = "current_value",
                       potential_col: str = "potential_value", max_points: int = 4000, seed: int = 0,
                       ax=None, title: str = "Customer value matrix"):
    """Scatter of current x potential value, coloured by quadrant, with thresholds and quadrant labels.

    Parameters
    ----------
    matrix : DataFrame
        The result of :func:`crm_lessons.value.value_matrix` (needs ``quadrant`` and
        ``attrs["thresholds"]``).
    max_points : int, default 4000
        Plot a random sample of at most this many customers (fixed ``seed``) so the chart stays legible;
        the quadrant counts in the labels use every customer. Both axes are symmetric-log; customers
        with a value of exactly 0 (lapsed, or no potential left) are drawn as a strip just left of /
        below 0 so that they stay visible.

    Returns
    -------
    matplotlib Axes
    """
    require_columns(matrix, [current_col, potential_col, "quadrant"], where="value_matrix_chart")
    th = matrix.attrs.get("thresholds")
    if not th:
        raise CRMInputError("value_matrix_chart: matrix has no attrs['thresholds']; pass the result of "
                            "crm_lessons.value.value_matrix(...).")
    max_points = require_positive_int(max_points, "max_points", where="value_matrix_chart")
    ax = ensure_ax(ax)
    shown = matrix if len(matrix) <= max_points else matrix.sample(max_points, random_state=seed)
    counts = matrix["quadrant"].value_counts()
    rng = np.random.default_rng(seed)
    cats = list(matrix["quadrant"].cat.categories)
    for k, quad in enumerate(cats):
        part = shown[shown["quadrant"] == quad]
        x = _jitter(part[current_col].to_numpy(dtype=float), rng)
        y = _jitter(part[potential_col].to_numpy(dtype=float), rng)
        ax.scatter(x, y, s=10, alpha=0.45, color=PALETTE[k], label=f"{label(quad)} ({counts.get(quad, 0):,})")
    ax.set_xscale("symlog", linthresh=10)
    ax.set_yscale("symlog", linthresh=10)
    ax.axvline(th[current_col], color="black", lw=1.2)
    ax.axhline(th[potential_col], color="black", lw=1.2)
    ax.set_xlim(left=-_ZERO_BAND - 1)
    ax.set_ylim(bottom=-_ZERO_BAND - 1)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), markerscale=2.5, fontsize="small")
    return finish(ax, title=title, xlabel="current value (dollars)", ylabel="potential value (dollars)",
                  legend=False)


def clv_retention_chart(margin: float, discount_rate: float, *, retention: float | None = None,
                        ax=None, title: str = "CLV and the retention rate"):
    """CLV ``m·r/(1+i−r)`` as a function of retention ``r`` (0 to 0.95), marking ``retention`` if given.

    Returns
    -------
    matplotlib Axes
    """
    from ..value import simple_clv

    m = require_number(margin, "margin", where="clv_retention_chart")
    i = require_number(discount_rate, "discount_rate", where="clv_retention_chart", low=0.0)
    r = np.linspace(0, 0.95, 96)
    ax = ensure_ax(ax)
    ax.plot(r, simple_clv(m, r, i), color=PALETTE[0], lw=3, label="customer lifetime value")
    if retention is not None:
        c = simple_clv(m, retention, i)
        ax.plot([retention], [c], "o", color=PALETTE[3], ms=10)
        ax.annotate(f"r = {retention:.2f}: {c:,.0f}", xy=(retention, c), xytext=(8, 8),
                    textcoords="offset points", color=PALETTE[3])
    ax.set_xlim(0, 1)
    return finish(ax, title=title, xlabel="retention rate", ylabel="customer lifetime value (dollars)",
                  legend=False)


def clv_horizon_chart(margin: float, retention: float, discount_rate: float, *, periods: int = 40,
                      acquisition_cost: float = 0.0, ax=None,
                      title: str = "CLV builds up period by period"):
    """Cumulative discounted margin by horizon, converging to the infinite-horizon CLV (dashed line).

    Returns
    -------
    matplotlib Axes
    """
    from ..value import clv_path

    p = clv_path(margin, retention, discount_rate, periods=periods, acquisition_cost=acquisition_cost)
    limit = p.attrs["limit"]
    ax = ensure_ax(ax)
    ax.bar(p["period"], p["expected_margin"], color=PALETTE[5], alpha=0.6, label="expected margin")
    ax.plot(p["period"], p["cumulative_clv"], color=PALETTE[0], lw=3, marker="o", ms=4,
            label="cumulative CLV")
    ax.axhline(limit, color=PALETTE[3], ls="--", lw=2, label=f"{label('limit')} m·r/(1+i−r) = {limit:,.1f}")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return finish(ax, title=title, xlabel="period", ylabel="value (dollars)", legend=True)


def clv_explorer(margin: float, retention: float, discount_rate: float, *, periods: int = 40,
                 acquisition_cost: float = 0.0):
    """Two panels for a live demo: CLV by horizon (left) and CLV against retention (right).

    Drive it with ``ipywidgets.interact(clv_explorer, margin=..., retention=..., discount_rate=...)``.

    Returns
    -------
    matplotlib Figure
    """
    fig, (a1, a2) = new_figure(2, width=14, height=5.2)
    clv_horizon_chart(margin, retention, discount_rate, periods=periods,
                      acquisition_cost=acquisition_cost, ax=a1)
    clv_retention_chart(margin, discount_rate, retention=retention, ax=a2)
    fig.tight_layout()
    return fig
