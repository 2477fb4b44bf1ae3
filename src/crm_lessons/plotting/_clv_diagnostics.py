"""Diagnostic charts for customer-base analysis: one customer's P(alive) history, forecasts with bands,
the calibration-period frequency histogram against the model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import require_columns
from ._core import PALETTE, ensure_ax, finish, label

__all__ = ["p_alive_history_chart", "interval_chart", "calibration_frequency_chart"]


def p_alive_history_chart(history: pd.DataFrame, *, unit: str = "week", ax=None):
    """P(alive) of one customer over time, with her purchases marked.

    Parameters
    ----------
    history : DataFrame
        From :func:`crm_lessons.clv.p_alive_history` (``p_alive``, ``repeat_purchases``, indexed by time).

    Examples
    --------
    >>> import pandas as pd
    >>> from crm_lessons.clv import BetaGeoModel, p_alive_history
    >>> m = BetaGeoModel(); m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> ax = p_alive_history_chart(p_alive_history(m, [0, 3, 4, 10], end=39))
    >>> len(ax.lines)
    2
    """
    require_columns(history, ["p_alive", "repeat_purchases"], where="p_alive_history_chart")
    ax = ensure_ax(ax)
    t = np.asarray(history.index, dtype=float)
    ax.step(t, history["p_alive"], where="post", color=PALETTE[0], lw=2.5, label="P(alive)")
    bought = np.flatnonzero(np.diff(history["repeat_purchases"].to_numpy(), prepend=0) > 0)
    ax.plot(t[bought], np.ones(len(bought)), "v", color=PALETTE[3], ms=9, label="repeat purchase")
    ax.set_ylim(0, 1.08)
    return finish(ax, title="P(alive) of one customer over time", xlabel=f"{unit}s since first purchase",
                  ylabel="P(alive)")


def interval_chart(intervals: pd.DataFrame, *, actual=None, xlabel: str = "", ylabel: str = "", ax=None):
    """Point forecasts with their interval band (from :func:`crm_lessons.clv.prediction_interval`).

    Parameters
    ----------
    intervals : DataFrame
        ``estimate``, ``lower``, ``upper``, indexed by the x values (e.g. periods).
    actual : array-like, optional
        Observed values at the same x, drawn as a line.

    Examples
    --------
    >>> iv = pd.DataFrame({"estimate": [1.0, 2.0], "lower": [0.8, 1.7], "upper": [1.2, 2.4]}, index=[1, 2])
    >>> len(interval_chart(iv, actual=[1.1, 1.9]).lines)
    2
    """
    require_columns(intervals, ["estimate", "lower", "upper"], where="interval_chart")
    ax = ensure_ax(ax)
    x = np.asarray(intervals.index, dtype=float)
    lv = intervals.attrs.get("level", 0.95)
    ax.fill_between(x, intervals["lower"], intervals["upper"], color=PALETTE[3], alpha=0.25,
                    label=f"{lv:.0%} interval")
    ax.plot(x, intervals["estimate"], color=PALETTE[3], lw=2.5, ls="--", label="model")
    if actual is not None:
        ax.plot(x, np.asarray(actual, dtype=float), color=PALETTE[0], lw=2.5, label="actual")
    return finish(ax, title="forecast with interval", xlabel=xlabel, ylabel=ylabel)


def calibration_frequency_chart(table: pd.DataFrame, *, ax=None):
    """Customers by number of repeat transactions in calibration: actual bars against the model's.

    Parameters
    ----------
    table : DataFrame
        From :func:`crm_lessons.clv.calibration_frequency` (``actual``, ``expected``, indexed by group).

    Examples
    --------
    >>> t = pd.DataFrame({"actual": [50, 30, 20], "expected": [52.0, 27.5, 20.5]}, index=["0", "1", "2+"])
    >>> ax = calibration_frequency_chart(t)
    >>> len(ax.patches)
    6
    """
    require_columns(table, ["actual", "expected"], where="calibration_frequency_chart")
    ax = ensure_ax(ax)
    pos = np.arange(len(table))
    ax.bar(pos - 0.2, table["actual"], width=0.4, color=PALETTE[0], label=label("actual", "实际"))
    ax.bar(pos + 0.2, table["expected"], width=0.4, color=PALETTE[1], label=label("model", "模型"))
    ax.set_xticks(pos, [str(i) for i in table.index])
    return finish(ax, title="customers by repeat transactions in calibration",
                  zh_title="校准期内按重复购买次数的顾客数",
                  xlabel=label("repeat transactions in calibration", "校准期内重复购买次数"),
                  ylabel=label("customers", "顾客数"))
