"""Interaction design as course material M2 states it (Chapter 4): goals, their four requirements, the
emotional link and the goals for prospects.

Course material M2 (lecture slides on customer interaction) sets interaction goals for two audiences:
current customers (deepen the **economic link** 经济联系 and the **emotional link** 情感联系) and prospects
(raise **awareness** 知名度, raise **acceptance** 认同感, encourage the **first purchase**). It asks four things of
a set of goals: each is **specific** (具体性), **achievable** with the firm's own resources (可实现性), has a
**time limit** (时间期限), and when there are several they are **mutually consistent** (多样性: related and
compatible, not contradictory). :func:`check_goal_set` checks exactly these four; the SMART acronym of
:class:`crm_lessons.interact.SmartGoal` is a different (later, management-literature) list.

The emotional link is not in any transaction log; firms measure it with survey scales.
:func:`make_relationship_survey` simulates such a survey (the truth is built into the generator and
returned) and :func:`cronbach_alpha` checks whether a scale's items measure one thing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._validate import (CRMInputError, require_columns, require_frame, require_min_rows,
                        require_no_missing, require_number, require_numeric, require_positive_int)

__all__ = [
    "GOAL_REQUIREMENTS",
    "INTERACTION_GOALS",
    "check_goal_set",
    "cronbach_alpha",
    "make_relationship_survey",
]

#: The four requirements of interaction goals, as course material M2 lists them.
GOAL_REQUIREMENTS = pd.DataFrame({
    "requirement": ["specific", "achievable", "time limit", "mutually consistent"],
    "zh": ["互动目标的具体性", "互动目标的可实现性", "实现互动目标的时间期限", "互动目标的多样性（相互兼容）"],
    "what M2 asks": [
        "a vague goal leaves staff unsure what to do and weakens the interaction",
        "set with the firm's own resources and strength in mind, so it can be reached",
        "a date by which the goal is reached, so progress can be checked",
        "several goals are related and compatible with each other, never contradictory",
    ],
})

#: Interaction goals by audience (M2, design step 2), each with a metric a firm can count.
INTERACTION_GOALS = pd.DataFrame({
    "audience": ["current customers", "current customers", "prospects", "prospects", "prospects"],
    "goal": ["economic link", "emotional link", "awareness", "acceptance", "first purchase"],
    "zh": ["经济联系", "情感联系", "扩大知名度", "增强认同感", "鼓励购买"],
    "measured by": [
        "purchase amount and number (reactivation rate, spend per customer)",
        "trust in the firm and the firm's care, on a survey scale (Cronbach's alpha checks the scale)",
        "share of the target group who know the firm (aided or unaided recall survey)",
        "share of those aware who would consider the offer (consideration or preference survey)",
        "share of those who accept who buy for the first time (conversion in the sales records)",
    ],
})

_GOAL_COLUMNS = ["goal", "segment", "metric", "target", "baseline", "days", "cost"]


def check_goal_set(goals: pd.DataFrame, *, budget: float, max_uplift: float = 3.0) -> pd.DataFrame:
    """Check a set of interaction goals against the four requirements of course material M2.

    Parameters
    ----------
    goals : DataFrame
        One row per goal with columns ``goal`` (name), ``segment`` (who), ``metric`` (what is counted),
        ``target`` and ``baseline`` (the metric's level wanted and the level without the interaction),
        ``days`` (deadline) and ``cost`` (what reaching it needs, e.g. an objective-and-task budget).
    budget : float
        The money available for all the goals together (the firm's own resources).
    max_uplift : float, default 3.0
        The largest ratio ``target / baseline`` (or ``baseline / target`` for a goal that lowers a metric)
        the firm has achieved or can defend.

    Returns
    -------
    DataFrame
        One row per goal and requirement (``goal``, ``requirement``, ``met``, ``why``), plus one row
        ``goal="all goals"`` for mutual consistency: the goals' costs fit the one budget and no two goals
        on the same segment and metric pull in opposite directions.

    Examples
    --------
    >>> goals = pd.DataFrame({"goal": ["win back", "cut mail"], "segment": ["lapsed", "lapsed"],
    ...     "metric": ["buy again", "buy again"], "target": [0.2, 0.1], "baseline": [0.15, 0.15],
    ...     "days": [90, 90], "cost": [5000.0, 1000.0]})
    >>> check_goal_set(goals, budget=10_000).query("goal == 'all goals'")["met"].item()
    False
    """
    where = "check_goal_set"
    require_frame(goals, where=where)
    require_columns(goals, _GOAL_COLUMNS, where=where)
    require_no_missing(goals, _GOAL_COLUMNS, where=where)
    require_numeric(goals, ["target", "baseline", "days", "cost"], where=where)
    budget = require_number(budget, "budget", where=where, low=0)
    max_uplift = require_number(max_uplift, "max_uplift", where=where, low=1)
    if goals["goal"].duplicated().any():
        dup = sorted(goals.loc[goals["goal"].duplicated(), "goal"].astype(str))
        raise CRMInputError(f"{where}: column 'goal' names each goal once; {dup} appear twice. "
                            "Give each goal its own name.")
    rows = []
    for g in goals.itertuples(index=False):
        specific = bool(str(g.segment).strip()) and bool(str(g.metric).strip()) and g.target != g.baseline
        ratio = (g.target / g.baseline if g.target >= g.baseline else g.baseline / g.target) \
            if min(g.target, g.baseline) > 0 else np.inf
        achievable = ratio <= max_uplift and g.cost <= budget
        timed = 0 < g.days <= 366
        rows += [
            (g.goal, "specific", specific,
             f"{g.metric} of {g.segment}: {g.baseline:g} -> {g.target:g}"),
            (g.goal, "achievable", achievable,
             f"change x{ratio:.2f} (limit x{max_uplift:g}); cost {g.cost:,.0f} vs budget {budget:,.0f}"),
            (g.goal, "time limit", timed, f"within {g.days:g} days"),
        ]
    total = float(goals["cost"].sum())
    up = goals["target"] > goals["baseline"]
    clash = []
    for (seg, met), grp in goals.assign(up=up).groupby(["segment", "metric"], sort=False):
        if grp["up"].nunique() > 1:
            clash.append(f"{met!s} of {seg!s}: {', '.join(map(str, grp['goal']))} pull opposite ways")
    consistent = total <= budget and not clash
    why = f"costs {total:,.0f} vs budget {budget:,.0f}" + ("; " + "; ".join(clash) if clash else "")
    rows.append(("all goals", "mutually consistent", consistent, why))
    return pd.DataFrame(rows, columns=["goal", "requirement", "met", "why"])


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of a multi-item scale: do the items measure one thing?

    ``alpha = k/(k-1) * (1 - sum of item variances / variance of the sum)``, with ``k`` items and sample
    variances (``ddof=1``). Above about 0.7 is the usual rule of thumb for a usable scale (Nunnally, 1978).

    Examples
    --------
    >>> cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4]}))
    1.0
    """
    where = "cronbach_alpha"
    require_frame(items, where=where)
    if items.shape[1] < 2:
        raise CRMInputError(f"{where}: a scale needs at least 2 item columns, got {items.shape[1]}. "
                            "Pass one column per survey item.")
    require_numeric(items, list(items.columns), where=where)
    require_no_missing(items, list(items.columns), where=where)
    require_min_rows(items, 2, where=where, what="respondents")
    k = items.shape[1]
    total_var = items.sum(axis=1).var(ddof=1)
    if total_var == 0:
        raise CRMInputError(f"{where}: every respondent has the same total score; alpha is undefined.")
    alpha = k / (k - 1) * (1 - items.var(ddof=1).sum() / total_var)
    return float(round(alpha, 12))


def make_relationship_survey(n: int = 2_000, *, seed: int = 0, b_spend: float = 0.6,
                             b_emotion: float = 0.8, intercept: float = -1.2) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Simulate a customer survey of the emotional link, with each customer's past spend and repurchase.

    Each customer has a latent emotional link ``e ~ N(0, 1)``; three trust items and two care items are
    1-7 ratings of ``e`` plus noise. Past spend (the economic link, in $) is log-normal and correlated 0.3
    with ``e``. Repurchase within the next quarter is Bernoulli with
    ``logit P = intercept + b_spend * z_spend + b_emotion * e`` where ``z_spend`` is standardised log spend.
    **All of this is built into the generator**; the returned truth lets a reader check an estimate.

    Returns
    -------
    (DataFrame, dict)
        Columns ``customer_id``, ``trust_1``..``trust_3``, ``care_1``, ``care_2`` (1-7), ``past_spend``
        ($), ``repurchased`` (0/1); and the truth ``{"b_spend", "b_emotion", "intercept"}``.
    """
    where = "make_relationship_survey"
    n = require_positive_int(n, "n", where=where, minimum=50)
    for name, v in {"b_spend": b_spend, "b_emotion": b_emotion, "intercept": intercept}.items():
        require_number(v, name, where=where)
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n)
    z_spend = 0.3 * e + np.sqrt(1 - 0.09) * rng.standard_normal(n)
    spend = np.round(np.exp(4.0 + 0.8 * z_spend), 2)

    def item(loading: float) -> np.ndarray:
        raw = 4 + 1.2 * loading * e + rng.normal(0, 0.9, n)
        return np.clip(np.rint(raw), 1, 7).astype(int)

    items = {f"trust_{j}": item(w) for j, w in enumerate([1.0, 0.9, 0.8], start=1)}
    items |= {f"care_{j}": item(w) for j, w in enumerate([0.8, 0.7], start=1)}
    p = 1 / (1 + np.exp(-(intercept + b_spend * z_spend + b_emotion * e)))
    data = pd.DataFrame({"customer_id": np.arange(1, n + 1), **items, "past_spend": spend,
                         "repurchased": (rng.random(n) < p).astype(int)})
    return data, {"b_spend": b_spend, "b_emotion": b_emotion, "intercept": intercept}
