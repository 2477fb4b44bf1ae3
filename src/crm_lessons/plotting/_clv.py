"""Charts for the customer-base analysis case study: tracking plots, holdout check, P(alive), CLV."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validate import CRMInputError, require_columns, require_number, require_positive_int
from ._core import PALETTE, ensure_ax, finish, label

__all__ = ["tracking_chart", "holdout_frequency_chart", "p_alive_heatmap", "clv_distribution_chart"]


def tracking_chart(tracking: pd.DataFrame, *, cumulative: bool = False, calibration_periods: float | None = None,
                   unit: str = "week", ax=None):
    """Repeat transactions per period (or cumulative), actual vs model, as in Fader, Hardie & Lee (2005).

    Parameters
    ----------
    tracking : DataFrame
        From :func:`crm_lessons.clv.repeat_transactions_tracking` (``actual``, ``expected`` and the
        cumulative columns, indexed by period).
    cumulative : bool, default False
        Plot the cumulative totals.
    calibration_periods : float, optional
        Draw a vertical line at the end of the calibration period.
    unit : str, default "week"
        Time unit for the x-axis label.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from crm_lessons.clv import BetaGeoModel, repeat_transactions_tracking
    >>> from crm_lessons.datasets import load
    >>> m = BetaGeoModel(); m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> track = repeat_transactions_tracking(m, load("cdnow_sample"), start="1997-01-01", n_periods=78)
    >>> ax = tracking_chart(track, cumulative=True, calibration_periods=39)
    >>> int(track["actual_cumulative"].iloc[-1]), round(track["expected_cumulative"].iloc[-1])
    (4339, 4166)
    """
    cols = ["actual_cumulative", "expected_cumulative"] if cumulative else ["actual", "expected"]
    require_columns(tracking, cols, where="tracking_chart")
    ax = ensure_ax(ax)
    x = np.asarray(tracking.index, dtype=float)
    ax.plot(x, tracking[cols[0]], color=PALETTE[0], lw=2.5, label="actual")
    ax.plot(x, tracking[cols[1]], color=PALETTE[3], lw=2.5, ls="--", label="model")
    if calibration_periods is not None:
        ax.axvline(calibration_periods, color="grey", lw=1.2, ls=":")
        ax.annotate(label("end of calibration"), xy=(calibration_periods, 0.97), xycoords=("data", "axes fraction"),
                    ha="right", va="top", color="grey", fontsize="small")
    ttl = "cumulative repeat transactions" if cumulative else "repeat transactions per period"
    return finish(ax, title=ttl, xlabel=f"{unit}s", ylabel="repeat transactions")


def holdout_frequency_chart(table: pd.DataFrame, *, ax=None):
    """Mean holdout transactions by calibration frequency: actual bars against model expectations.

    ``table`` comes from :func:`crm_lessons.clv.holdout_by_frequency`.
    """
    require_columns(table, ["actual", "expected"], where="holdout_frequency_chart")
    ax = ensure_ax(ax)
    pos = np.arange(len(table))
    ax.bar(pos - 0.2, table["actual"], width=0.4, color=PALETTE[0], label="actual")
    ax.bar(pos + 0.2, table["expected"], width=0.4, color=PALETTE[1], label="model")
    ax.set_xticks(pos, [str(i) for i in table.index])
    return finish(ax, title="holdout transactions by calibration frequency",
                  xlabel="repeat transactions in calibration", ylabel="mean holdout transactions")


def p_alive_heatmap(model, *, T: float, max_frequency: int = 14, n_recency: int = 40, unit: str = "week",
                    ax=None):
    """P(alive) over recency (x-axis) and frequency (y-axis) for customers of age ``T``.

    Parameters
    ----------
    model : BetaGeoModel or ParetoNBDModel
        Fitted.
    T : float
        Age of the customers (e.g. the calibration length).
    max_frequency : int, default 14
        Largest number of repeat transactions shown.
    n_recency : int, default 40
        Number of recency grid points between 0 and T.
    unit : str, default "week"
        Time unit for the x-axis label.

    Returns
    -------
    matplotlib Axes
    """
    T = require_number(T, "T", where="p_alive_heatmap", low=0, low_inclusive=False)
    k = require_positive_int(max_frequency, "max_frequency", where="p_alive_heatmap")
    nr = require_positive_int(n_recency, "n_recency", where="p_alive_heatmap", minimum=2)
    rec = np.linspace(0, T, nr)
    freq = np.arange(0, k + 1, dtype=float)
    R, F = np.meshgrid(rec, freq)
    P = model.probability_alive(F, np.where(F == 0, 0.0, R), np.full_like(R, T))
    P = np.asarray(P).reshape(R.shape)
    ax = ensure_ax(ax)
    mesh = ax.pcolormesh(rec, freq, P, cmap="viridis", vmin=0, vmax=1, shading="nearest")
    cb = ax.figure.colorbar(mesh, ax=ax)
    cb.set_label(label("P(alive)"))
    return finish(ax, title="P(alive) by recency and frequency", xlabel=f"recency ({unit}s)",
                  ylabel="repeat transactions")


def clv_distribution_chart(clv: Any, *, top_n: int = 100, ax=None):
    """Histogram of customer lifetime values (log scale), with the share held by the ``top_n`` customers.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> ax = clv_distribution_chart(np.random.default_rng(0).lognormal(3, 1, 1_000), top_n=100)
    >>> ax.get_legend().get_texts()[0].get_text()
    'top 100: 37% of total CLV'
    """
    v = np.asarray(clv, dtype=float).ravel()
    if v.size == 0 or not np.all(np.isfinite(v)) or np.any(v < 0):
        raise CRMInputError("clv_distribution_chart: clv must be a non-empty array of finite values >= 0.")
    n = require_positive_int(top_n, "top_n", where="clv_distribution_chart")
    srt = np.sort(v)[::-1]
    share = srt[:n].sum() / srt.sum() if srt.sum() > 0 else float("nan")
    ax = ensure_ax(ax)
    pos = srt[srt > 0]
    lo = max(float(np.quantile(pos, 0.002)) if pos.size else 1e-2, 1e-2)   # ignore a handful of near-zeros
    bins = np.geomspace(lo, max(srt[0], lo * 10), 40)
    ax.hist(np.clip(v, lo, None), bins=bins, color=PALETTE[0], alpha=0.85)
    ax.set_xscale("log")
    if n <= v.size:
        ax.axvline(srt[n - 1], color=PALETTE[3], lw=2, ls="--",
                   label=f"{label('top')} {n}: {share:.0%} {label('of total CLV')}")
    return finish(ax, title="distribution of customer lifetime value", xlabel="CLV (dollars, log scale)",
                  ylabel="number of customers")
