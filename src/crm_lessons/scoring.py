"""Judging a targeting score: AUC, ROC, gains and lift, calibration, hits in the top k.

Every chapter that ranks customers (churn risk, response to a mailing, renewal) judges the ranking the
same way, so the functions live here: outcomes ``y`` are 0/1 (or bool), scores are any numbers where a
higher score means "more likely".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import CRMInputError, require_positive_int

__all__ = ["auc", "roc_table", "gains_table", "calibration_table", "top_k_hits", "lift_at"]


def check_scores(y, score, where: str, *, need_both: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(y, score)`` as float arrays after checking shape, 0/1 outcomes and finite scores."""
    y = np.asarray(y)
    if y.dtype == object:
        raise CRMInputError(f"{where}: outcomes must be 0/1 or True/False, got values of type object.")
    y = y.astype(float)
    s = np.asarray(score, dtype=float)
    if y.ndim != 1 or s.shape != y.shape or len(y) == 0:
        raise CRMInputError(f"{where}: outcomes and scores must be 1-D and of equal, non-zero length "
                            f"(got {y.shape} and {s.shape}).")
    if not np.isin(y, [0.0, 1.0]).all():
        raise CRMInputError(f"{where}: outcomes must be 0/1 or True/False.")
    if not np.isfinite(s).all():
        raise CRMInputError(f"{where}: scores contain NaN or infinite values; impute or drop them first.")
    if need_both and y.min() == y.max():
        raise CRMInputError(f"{where}: outcomes must include both positives (1) and negatives (0).")
    return y, s


def auc(y, score) -> float:
    """Area under the ROC curve: the chance a random positive scores above a random negative.

    Computed from ranks (Mann-Whitney U; ties count one half).

    Examples
    --------
    >>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    from scipy.stats import rankdata

    y, s = check_scores(y, score, "auc")
    r = rankdata(s)
    n1 = y.sum()
    n0 = len(y) - n1
    return float((r[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def roc_table(y, score) -> pd.DataFrame:
    """ROC curve: false- and true-positive rate at every score threshold (highest first).

    Examples
    --------
    >>> roc_table([0, 1], [0.2, 0.9])
       threshold  fpr  tpr
    0        inf  0.0  0.0
    1        0.9  0.0  1.0
    2        0.2  1.0  1.0
    """
    y, s = check_scores(y, score, "roc_table")
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tp = np.cumsum(y)[last]
    fp = np.cumsum(1 - y)[last]
    return pd.DataFrame({"threshold": np.r_[np.inf, s[last]], "fpr": np.r_[0.0, fp / fp[-1]],
                         "tpr": np.r_[0.0, tp / tp[-1]]})


def gains_table(y, score, *, bins: int = 10, positive: str = "positives") -> pd.DataFrame:
    """Gains and lift by score band: contact the top x% first, what share of positives do you reach?

    Parameters
    ----------
    y, score : array-like
        0/1 outcomes and scores (higher = more likely); ties keep input order.
    bins : int, default 10
        Number of equal-size bands (10 gives deciles).
    positive : str, default "positives"
        Name for the positives in the column names (e.g. ``"churners"``, ``"owners"``).

    Returns
    -------
    DataFrame
        One row per band (1 = highest scores): ``customers``, ``<positive>``, ``rate``,
        ``cum_share_customers``, ``cum_share_<positive>`` (the gains curve), ``lift`` (band rate /
        overall rate) and ``cum_lift``.

    Examples
    --------
    >>> g = gains_table([1, 1, 0, 0, 1, 0, 0, 0, 0, 0], [.9, .8, .7, .6, .5, .4, .3, .2, .1, 0], bins=5)
    >>> g["cum_share_positives"].round(3).tolist()
    [0.667, 0.667, 1.0, 1.0, 1.0]
    """
    where = "gains_table"
    y, s = check_scores(y, score, where)
    bins = require_positive_int(bins, "bins", where=where)
    order = np.argsort(-s, kind="mergesort")
    band = (np.arange(len(y)) * bins // len(y)) + 1
    df = pd.DataFrame({"band": band, "y": y[order]})
    g = df.groupby("band")["y"].agg(customers="size", hits="sum")
    g["hits"] = g["hits"].astype("int64")
    g["rate"] = g["hits"] / g["customers"]
    g["cum_share_customers"] = g["customers"].cumsum() / len(y)
    g["cum_share_hits"] = g["hits"].cumsum() / y.sum()
    g["lift"] = g["rate"] / y.mean()
    g["cum_lift"] = g["cum_share_hits"] / g["cum_share_customers"]
    return g.rename(columns={"hits": positive, "cum_share_hits": f"cum_share_{positive}"})


def calibration_table(y, prob, *, bins: int = 10) -> pd.DataFrame:
    """Calibration: mean predicted probability vs observed rate in equal-count bins.

    A well-calibrated model has ``observed`` close to ``predicted`` in every bin; ``lower``/``upper``
    are Wilson 95% intervals of the observed rate.
    """
    where = "calibration_table"
    y, p = check_scores(y, prob, where)
    if (p < 0).any() or (p > 1).any():
        raise CRMInputError(f"{where}: probabilities must lie in [0, 1].")
    bins = require_positive_int(bins, "bins", where=where)
    order = np.argsort(p, kind="mergesort")
    band = np.empty(len(p), dtype=int)
    band[order] = np.arange(len(p)) * bins // len(p) + 1
    df = pd.DataFrame({"bin": band, "y": y, "p": p})
    g = df.groupby("bin").agg(customers=("y", "size"), predicted=("p", "mean"), observed=("y", "mean"))
    z = 1.959964
    n, ph = g["customers"], g["observed"]
    centre = (ph + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(ph * (1 - ph) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    g["lower"], g["upper"] = centre - half, centre + half
    return g


def top_k_hits(y, score, k: int) -> int:
    """Number of positives among the ``k`` highest-scoring customers (ties broken by input order).

    This is the CoIL Challenge 2000 score with ``k = 800``: how many caravan-policy owners are among the
    800 test customers a model ranks highest.

    Examples
    --------
    >>> top_k_hits([1, 0, 1, 0], [0.9, 0.8, 0.1, 0.7], k=2)
    1
    """
    where = "top_k_hits"
    y, s = check_scores(y, score, where, need_both=False)
    k = require_positive_int(k, "k", where=where)
    if k > len(y):
        raise CRMInputError(f"{where}: k = {k} is larger than the {len(y)} customers scored.")
    order = np.argsort(-s, kind="mergesort")
    return int(y[order[:k]].sum())


def lift_at(y, score, k: int) -> float:
    """Lift of contacting the top ``k``: their positive rate divided by the overall positive rate.

    Examples
    --------
    >>> lift_at([1, 0, 1, 0], [0.9, 0.8, 0.1, 0.7], k=2)
    1.0
    """
    y, _ = check_scores(y, score, "lift_at", need_both=False)
    if y.sum() == 0:
        raise CRMInputError("lift_at: there are no positives, so lift is undefined.")
    return float(top_k_hits(y, score, k) / k / y.mean())
