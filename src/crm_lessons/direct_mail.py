"""The economics of a direct-mail campaign scored by a data-mining model (Chapter 9, case study).

A model ranks customers by their chance of buying; the firm mails the ``k`` highest ranked. Each
letter costs ``cost_per_mail``; each policy sold earns ``margin_per_policy``. On customers whose
outcome is known (the CoIL Challenge 2000 test set), :func:`mailing_table` counts, for every mailing
size, the owners reached, the lift over a random mailing of the same size, and the profit
``margin_per_policy * owners - cost_per_mail * k``. :func:`direct_mail_campaign` runs the whole case
study: official split, chosen feature set and model (from :mod:`crm_lessons.mining`), scores and the
mailing's result.

The CoIL target is *owning* a caravan policy, used (as the challenge did) as a stand-in for
responding to a mailing; the cost and margin are assumptions to vary, not data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_choice,
    require_number,
    require_positive_int,
)
from .scoring import check_scores

__all__ = [
    "FEATURE_SETS",
    "MODELS",
    "check_mail_parameters",
    "direct_mail_campaign",
    "mailing_result",
    "mailing_table",
]

MODELS = ("logit", "tree", "naive_bayes")
#: L1 penalty for the logit on large feature sets (weight on the sum of absolute slopes), chosen a priori.
LOGIT_PENALTY = 10.0
FEATURE_SETS = ("top", "products", "socio", "all")


def mailing_table(y, score, *, cost_per_mail: float = 2.0, margin_per_policy: float = 40.0,
                  sizes: Sequence[int] | None = None) -> pd.DataFrame:
    """Owners reached, lift and profit of mailing the ``k`` highest-scored customers, for each ``k``.

    Parameters
    ----------
    y, score : array-like
        0/1 outcomes (1 = bought) and model scores (higher = more likely); ties keep input order.
    cost_per_mail : float, default 2.0
        Cost of one letter (printing, postage, handling), paid for every customer mailed.
    margin_per_policy : float, default 40.0
        Margin earned on each customer who buys.
    sizes : sequence of int, optional
        Mailing sizes to report; default every size from 1 to the number of customers.

    Returns
    -------
    DataFrame
        One row per mailing size: ``mailed``, ``owners`` (reached), ``random_owners`` (expected from a
        random mailing of that size), ``lift`` (owners / random_owners), ``cost``, ``revenue``,
        ``profit``.

    Examples
    --------
    >>> t = mailing_table([1, 0, 1, 0], [0.9, 0.8, 0.1, 0.7], cost_per_mail=1, margin_per_policy=10, sizes=[1, 4])
    >>> t[["mailed", "owners", "lift", "profit"]]
       mailed  owners  lift  profit
    0       1       1   2.0     9.0
    1       4       2   1.0    16.0
    """
    where = "mailing_table"
    y, s = check_scores(y, score, where, need_both=False)
    cost = require_number(cost_per_mail, "cost_per_mail", where=where, low=0)
    margin = require_number(margin_per_policy, "margin_per_policy", where=where, low=0)
    n = len(y)
    if sizes is None:
        ks = np.arange(1, n + 1)
    else:
        ks = np.array([require_positive_int(k, "mailing size", where=where) for k in sizes], dtype=int)
        if len(ks) == 0:
            raise CRMInputError(f"{where}: sizes is empty; pass at least one mailing size or None for all.")
        if ks.max() > n:
            raise CRMInputError(f"{where}: a mailing size of {int(ks.max())} exceeds the {n} customers scored.")
    order = np.argsort(-s, kind="mergesort")
    hits = np.cumsum(y[order])[ks - 1].astype(int)
    random = ks * y.mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = np.where(random > 0, hits / random, np.nan)
    out = pd.DataFrame({"mailed": ks, "owners": hits, "random_owners": random, "lift": lift,
                        "cost": cost * ks, "revenue": margin * hits})
    out["profit"] = out["revenue"] - out["cost"]
    return out


def mailing_result(y, score, mailing_size: int, *, cost_per_mail: float = 2.0,
                   margin_per_policy: float = 40.0) -> dict:
    """The result of one mailing of ``mailing_size`` letters, plus the most profitable size.

    Returns ``owners_reached``, ``profit``, ``lift_at_mailing_size``, ``best_mailing_size`` and
    ``best_profit`` (over every size from 1 to all customers).

    Examples
    --------
    >>> r = mailing_result([1, 0, 1, 0], [0.9, 0.8, 0.1, 0.7], 2, cost_per_mail=1, margin_per_policy=10)
    >>> r["owners_reached"], r["profit"], r["best_mailing_size"]
    (1, 8.0, 4)
    """
    where = "mailing_result"
    k = require_positive_int(mailing_size, "mailing_size", where=where)
    table = mailing_table(y, score, cost_per_mail=cost_per_mail, margin_per_policy=margin_per_policy)
    if k > len(table):
        raise CRMInputError(f"{where}: mailing_size = {k} exceeds the {len(table)} customers scored.")
    row = table.iloc[k - 1]
    best = table.loc[table["profit"].idxmax()]
    return {"owners_reached": int(row["owners"]), "profit": float(row["profit"]),
            "lift_at_mailing_size": float(row["lift"]), "best_mailing_size": int(best["mailed"]),
            "best_profit": float(best["profit"])}


def check_mail_parameters(*, model: str, feature_set: str, top_k_features: int, mailing_size: int,
                          cost_per_mail: float, margin_per_policy: float, seed: int,
                          test_customers: int = 4_000) -> dict:
    """Validate the direct-mail case study's parameters; return them (numbers as int/float).

    The plain (unpenalised) logistic regression cannot be estimated on the large raw feature sets
    (pairs such as "rented house" and "home owners" add up to a constant; some product counts separate
    the owners perfectly), so on those sets, or a "top" set of more than 12 variables, the campaign fits
    an L1-penalised logit (penalty :data:`LOGIT_PENALTY`, fixed before looking at the test set).

    Examples
    --------
    >>> check_mail_parameters(model="tree", feature_set="all", top_k_features=10, mailing_size=800,
    ...                       cost_per_mail=2.0, margin_per_policy=40.0, seed=0)["mailing_size"]
    800
    """
    where = "direct_mail parameters"
    require_choice(model, "model", MODELS, where=where)
    require_choice(feature_set, "feature_set", FEATURE_SETS, where=where)
    k = require_positive_int(top_k_features, "top_k_features", where=where)
    if k > 85:
        raise CRMInputError(f"{where}: top_k_features must be at most 85 (the number of predictors), got {k}.")
    size = require_positive_int(mailing_size, "mailing_size", where=where)
    if size > test_customers:
        raise CRMInputError(f"{where}: mailing_size must be at most the {test_customers} test customers, got {size}.")
    return {"model": model, "feature_set": feature_set, "top_k_features": k, "mailing_size": size,
            "cost_per_mail": require_number(cost_per_mail, "cost_per_mail", where=where, low=0),
            "margin_per_policy": require_number(margin_per_policy, "margin_per_policy", where=where, low=0),
            "seed": require_positive_int(seed, "seed", where=where, minimum=0)}


def direct_mail_campaign(coil: pd.DataFrame, *, model: str = "naive_bayes", feature_set: str = "top",
                         top_k_features: int = 10, mailing_size: int = 800, cost_per_mail: float = 2.0,
                         margin_per_policy: float = 40.0, seed: int = 0) -> tuple[dict, pd.DataFrame]:
    """Score the CoIL test customers with one model and judge the mailing of the best ``mailing_size``.

    Fits ``model`` on the 5,822 training customers using ``feature_set`` (``"top"``: the
    ``top_k_features`` variables most associated with ownership in the training data), scores the
    4,000 test customers, and returns ``(results, table)``: ``results`` holds ``owners_reached``,
    ``profit``, ``lift_at_mailing_size``, ``top_800_score`` (the challenge's score),
    ``best_mailing_size``, ``best_profit``, ``auc``, ``features_used`` and ``test_owners``;
    ``table`` is :func:`mailing_table` at every size.

    Bad input: the CoIL codes must be integers >= 0 without gaps and ``CARAVAN`` 0/1 (text or negative codes
    are an error that says how to convert); the training part needs owners and non-owners.
    """
    from . import mining
    from .scoring import auc, top_k_hits

    p = check_mail_parameters(model=model, feature_set=feature_set, top_k_features=top_k_features,
                              mailing_size=mailing_size, cost_per_mail=cost_per_mail,
                              margin_per_policy=margin_per_policy, seed=seed)
    train, test = mining.split_official(coil)
    for part, name in ((train, "train"), (test, "test")):
        if len(part) < 2:
            raise CRMInputError(f"direct_mail_campaign: needs at least 2 customers with origin == {name!r}, got "
                                f"{len(part)}; pass the whole load('coil2000') frame.")
    features = mining.feature_set(p["feature_set"], train, k=p["top_k_features"])
    penalty = LOGIT_PENALTY if p["model"] == "logit" and (p["feature_set"] != "top" or len(features) > 12) else 0.0
    scores = mining.score_models(train, test, features, models=(p["model"],), seed=p["seed"],
                                 logit_penalty=penalty)[p["model"]]
    y = test[mining.TARGET].astype(int).to_numpy()
    results = mailing_result(y, scores, p["mailing_size"], cost_per_mail=p["cost_per_mail"],
                             margin_per_policy=p["margin_per_policy"])
    results.update({"top_800_score": top_k_hits(y, scores, 800), "auc": auc(y, scores),
                    "features_used": len(features), "test_owners": int(y.sum()), "logit_penalty": penalty})
    table = mailing_table(y, scores, cost_per_mail=p["cost_per_mail"], margin_per_policy=p["margin_per_policy"])
    return results, table
