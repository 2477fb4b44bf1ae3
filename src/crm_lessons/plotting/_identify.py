"""Charts for chapter 2, Identify customers (识别客户): match weights and the threshold curve."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import CRMInputError, require_columns
from ._core import PALETTE, finish, label, new_figure

__all__ = ["threshold_chart", "match_weight_chart"]


def threshold_chart(curve: pd.DataFrame, *, chosen: float | None = None, level: str = "pair", ax=None):
    """Precision, recall and F1 against the match threshold (from ``identify.threshold_curve``).

    Parameters
    ----------
    curve : DataFrame
        ``threshold``, ``precision``, ``recall``, ``f1`` (and ``cluster_*`` for ``level="cluster"``).
    chosen : float, optional
        Draw a vertical line at the threshold in use.
    level : {"pair", "cluster"}
        Plot pair-level scores or the scores of the clusters (after union-find).

    Examples
    --------
    >>> c = pd.DataFrame({"threshold": [0, 1], "precision": [.5, 1], "recall": [1, .5], "f1": [.67, .67]})
    >>> threshold_chart(c, chosen=0.5).get_xlabel()
    'match threshold (weight)'
    """
    pre = {"pair": "", "cluster": "cluster_"}.get(level)
    if pre is None:
        raise CRMInputError(f"threshold_chart: level must be 'pair' or 'cluster', got {level!r}.")
    cols = ["threshold", f"{pre}precision", f"{pre}recall", f"{pre}f1"]
    require_columns(curve, cols, where="threshold_chart")
    if ax is None:
        _, ax = new_figure()
    for col, name, color in zip(cols[1:], ["precision", "recall", "F1 score"], PALETTE):
        ax.plot(curve["threshold"], curve[col], marker="o", ms=3, color=color, label=name)
    if chosen is not None:
        ax.axvline(chosen, color="grey", ls="--", lw=1)
    ax.set_ylim(0, 1.02)
    return finish(ax, title="Precision, recall and F1 as the match threshold moves",
                  xlabel="match threshold (weight)", ylabel="share")


def match_weight_chart(weights, is_match, *, threshold: float | None = None, bins: int = 40, ax=None):
    """Histogram of Fellegi-Sunter match weights for true matches and non-matches.

    Examples
    --------
    >>> ax = match_weight_chart([-5, -4, 6, 7], [False, False, True, True], threshold=0)
    >>> len(ax.patches) > 0
    True
    """
    w = np.asarray(weights, dtype=float)
    y = np.asarray(is_match, dtype=bool)
    if w.shape != y.shape or w.size == 0:
        raise CRMInputError("match_weight_chart: weights and is_match must be non-empty and of equal length.")
    if ax is None:
        _, ax = new_figure()
    edges = np.histogram_bin_edges(w, bins=bins)
    ax.hist(w[~y], bins=edges, color=PALETTE[3], alpha=0.6, label=label("different people"))
    ax.hist(w[y], bins=edges, color=PALETTE[0], alpha=0.6, label=label("same person"))
    ax.set_yscale("log")
    if threshold is not None:
        ax.axvline(threshold, color="grey", ls="--", lw=1)
    return finish(ax, title="Match weights of candidate pairs", xlabel="match weight (log2 m/u)",
                  ylabel="pairs (log scale)")
