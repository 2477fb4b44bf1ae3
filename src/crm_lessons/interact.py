"""Interact with customers and design the interaction (客户互动与互动设计).

What lives here (chapter ``04_interact``):

- the dialogue (对话) and its six conditions: :data:`DIALOGUE_CONDITIONS`, :func:`check_dialogue`;
- the five channels (渠道) rated on richness, interactivity, speed, cost per contact and reach:
  :func:`channel_ratings` (a documented rating table with the reason for every rating) and
  :func:`channel_fit` (rank channels for a goal);
- the five interaction-design steps (客户互动设计) on one campaign: :func:`select_lapsed_customers`,
  :func:`reactivation_baseline`, :class:`SmartGoal`, the three budget methods
  (:func:`budget_share_of_sales`, :func:`budget_competitor_parity`, :func:`budget_objective_task`)
  and :func:`channel_mix`;
- a campaign A/B test (A/B测试): :func:`ab_sample_size`, :func:`make_ab_test`, :func:`ab_test`,
  :func:`peeking_simulation`;
- contact frequency (接触频率), response and fatigue: :func:`make_contact_response`,
  :class:`FrequencyResponse`;
- the customer journey (客户旅程) and the peak-end rule (峰值和终值): :func:`make_journeys`,
  :func:`peak_end_regression`;
- e-commerce self-service (自助服务): :data:`FAQ`, :func:`make_customer_questions`, :class:`FAQSearch`;
- customer psychology stages (客户心理阶段): :data:`PSYCHOLOGY_STAGES`.

Heavy libraries (statsmodels, scikit-learn) are imported inside the functions that need them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .psychology import SALES_STAGES as _SALES_STAGES

from ._validate import (
    CRMInputError,
    require_choice,
    require_columns,
    require_datetime,
    require_frame,
    require_no_missing,
    require_non_negative,
    require_number,
    require_numeric,
    require_positive_int,
    require_probability,
)
from ._validate import check_duplicate_rows, require_date  # bad-input checks (issue 17)

__all__ = [
    "DIALOGUE_CONDITIONS", "check_dialogue",
    "CHANNELS", "CHANNEL_ATTRIBUTES", "channel_ratings", "channel_fit",
    "DESIGN_STEPS", "select_lapsed_customers", "reactivation_baseline", "SmartGoal",
    "budget_share_of_sales", "budget_competitor_parity", "budget_objective_task", "compare_budgets",
    "channel_mix",
    "ab_sample_size", "make_ab_test", "ab_test", "peeking_simulation",
    "make_contact_response", "FrequencyResponse",
    "make_journeys", "peak_end_regression",
    "FAQ", "make_customer_questions", "FAQSearch",
    "PSYCHOLOGY_STAGES",
]


# --------------------------------------------------------------------------------------------------
# Dialogue
# --------------------------------------------------------------------------------------------------

DIALOGUE_CONDITIONS = pd.DataFrame({
    "condition": ["identified", "engaged", "willing", "either can steer", "changes both", "resumes"],
    "zh": ["双方可识别", "双方都参与", "双方都愿意", "任一方可主导", "改变双方行为", "可从上次中断处继续"],
    "meaning": [
        "Both sides know who the other is (the firm recognises the customer; the customer knows the firm).",
        "Both sides take an active part; a one-way broadcast is not a dialogue.",
        "Both sides want to exchange information; nobody is forced to talk.",
        "Either side can change the direction of the conversation.",
        "What is said changes what each side does next (the firm's offer, the customer's choice).",
        "The next contact picks up where the last one stopped, whatever the channel.",
    ],
})
"""The six conditions of a dialogue (对话) as the course states them."""


def check_dialogue(interaction: Mapping[str, bool]) -> pd.DataFrame:
    """Check an interaction against the six conditions of a dialogue.

    Parameters
    ----------
    interaction : mapping of str to bool
        For each condition in ``DIALOGUE_CONDITIONS["condition"]``, whether the interaction meets it.
        Every condition must be answered.

    Returns
    -------
    DataFrame
        ``condition``, ``zh``, ``met`` (bool), ``meaning``; ``attrs["is_dialogue"]`` is True only when
        all six are met.

    Examples
    --------
    >>> ok = {c: True for c in DIALOGUE_CONDITIONS["condition"]}
    >>> check_dialogue(ok).attrs["is_dialogue"]
    True
    >>> mailing = dict(ok, engaged=False, **{"either can steer": False})
    >>> check_dialogue(mailing).query("not met")["condition"].tolist()
    ['engaged', 'either can steer']
    """
    where = "check_dialogue"
    if not isinstance(interaction, Mapping):
        raise CRMInputError(f"{where}: interaction must be a dict of condition -> True/False, "
                            f"got {type(interaction).__name__}.")
    names = DIALOGUE_CONDITIONS["condition"].tolist()
    unknown = [k for k in interaction if k not in names]
    if unknown:
        raise CRMInputError(f"{where}: unknown condition(s) {unknown}; the six conditions are {names}.")
    missing = [k for k in names if k not in interaction]
    if missing:
        raise CRMInputError(f"{where}: answer every condition; missing {missing}.")
    for k, v in interaction.items():
        if not isinstance(v, (bool, np.bool_)):
            raise CRMInputError(f"{where}: condition {k!r} must be True or False, got {v!r}.")
    out = DIALOGUE_CONDITIONS[["condition", "zh"]].copy()
    out["met"] = [bool(interaction[c]) for c in names]
    out["meaning"] = DIALOGUE_CONDITIONS["meaning"]
    out.attrs["is_dialogue"] = bool(out["met"].all())
    return out


# --------------------------------------------------------------------------------------------------
# Channels
# --------------------------------------------------------------------------------------------------

CHANNELS = ["face to face", "letter", "telephone", "web", "club"]
CHANNEL_ATTRIBUTES = ["richness", "interactivity", "speed", "cost per contact", "reach"]

# (channel, attribute): (rating 1-5, reason). Ratings are ordinal judgements that encode the course
# material's qualitative description of each channel (curriculum section 4, "channels and their
# traits"); the reason quotes or paraphrases that description. 5 = most of the attribute (for cost
# per contact: the most expensive). They are not measurements; change them in one place, here.
_RATINGS: dict[tuple[str, str], tuple[int, str]] = {
    ("face to face", "richness"): (5, "voice, body language and setting all carry information"),
    ("face to face", "interactivity"): (5, "vivid and interactive: immediate two-way exchange"),
    ("face to face", "speed"): (3, "feedback is immediate, but a meeting needs arranging first"),
    ("face to face", "cost per contact"): (5, "a trained person's time per customer, plus travel"),
    ("face to face", "reach"): (1, "one customer (or a few) at a time, in one place"),
    ("letter", "richness"): (3, "rich written content that the customer can keep, but no voice or body"),
    ("letter", "interactivity"): (1, "little interaction: the customer can only write back"),
    ("letter", "speed"): (1, "slow feedback: days by post"),
    ("letter", "cost per contact"): (2, "printing and postage per piece; cheap per piece in a mass mailing"),
    ("letter", "reach"): (4, "formal, can be sent to the mass market or personalised"),
    ("telephone", "richness"): (2, "voice only"),
    ("telephone", "interactivity"): (4, "interactive two-way conversation"),
    ("telephone", "speed"): (5, "fast and simple: an answer within the call"),
    ("telephone", "cost per contact"): (3, "an agent's minutes per call"),
    ("telephone", "reach"): (3, "anyone with a number, but one call at a time"),
    ("web", "richness"): (4, "varied, rich content: text, pictures, video"),
    ("web", "interactivity"): (5, "highly interactive: search, chat, forms, forums"),
    ("web", "speed"): (5, "fast and simple"),
    ("web", "cost per contact"): (1, "near-zero marginal cost per contact once the site is built"),
    ("web", "reach"): (5, "no limits of time or place"),
    ("club", "richness"): (5, "rich, emotional exchange among members and staff"),
    ("club", "interactivity"): (4, "vivid and interactive, also customer to customer"),
    ("club", "speed"): (2, "events need arranging; contact is periodic"),
    ("club", "cost per contact"): (4, "venue, staff and events, shared by the members who attend"),
    ("club", "reach"): (2, "members only"),
}


def channel_ratings(*, long: bool = False) -> pd.DataFrame:
    """Rate the five interaction channels (渠道) on five attributes, 1 (least) to 5 (most).

    The ratings are ordinal judgements that encode the course's qualitative description of each
    channel (face to face: vivid, interactive, needs arranging, rich in voice, body and setting;
    letter: formal, mass or personal, little interaction, slow feedback, content can be kept;
    telephone: fast, simple, interactive, voice only; web: fast, simple, highly interactive, no limits
    of time or place, varied content; club: vivid, interactive, needs arranging, emotional). Every
    rating carries its reason (``long=True``). For ``cost per contact`` 5 means the most expensive.

    Parameters
    ----------
    long : bool, default False
        ``False``: a channel x attribute table of ratings. ``True``: one row per rating with its
        ``reason``.

    Examples
    --------
    >>> r = channel_ratings()
    >>> r.loc["web", "reach"], r.loc["letter", "interactivity"]
    (np.int64(5), np.int64(1))
    >>> channel_ratings(long=True).columns.tolist()
    ['channel', 'attribute', 'rating', 'reason']
    """
    rows = [{"channel": ch, "attribute": at, "rating": _RATINGS[(ch, at)][0],
             "reason": _RATINGS[(ch, at)][1]} for ch in CHANNELS for at in CHANNEL_ATTRIBUTES]
    df = pd.DataFrame(rows)
    df["rating"] = df["rating"].astype("int64")
    if long:
        return df
    wide = df.pivot(index="channel", columns="attribute", values="rating")
    return wide.loc[CHANNELS, CHANNEL_ATTRIBUTES].rename_axis(index="channel", columns=None)


def channel_fit(weights: Mapping[str, float], ratings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rank channels for a goal by a weighted sum of their ratings.

    ``cost per contact`` counts against a channel: its rating enters as ``6 - rating`` (cheapness).

    Parameters
    ----------
    weights : mapping attribute -> weight >= 0
        How much the goal needs each attribute; missing attributes get weight 0. Weights are
        rescaled to sum to 1, so the score stays on the 1-5 scale.
    ratings : DataFrame, optional
        A channel x attribute table like :func:`channel_ratings` (the default).

    Examples
    --------
    >>> fit = channel_fit({"reach": 1, "cost per contact": 1})
    >>> fit.index[0]
    'web'
    """
    where = "channel_fit"
    if not isinstance(weights, Mapping) or not weights:
        raise CRMInputError(f"{where}: weights must be a non-empty dict attribute -> weight, "
                            f"attributes are {CHANNEL_ATTRIBUTES}.")
    for k, v in weights.items():
        require_choice(k, "weight name", CHANNEL_ATTRIBUTES, where=where)
        require_number(v, f"weight of {k!r}", where=where, low=0)
    total = float(sum(weights.values()))
    if total <= 0:
        raise CRMInputError(f"{where}: at least one weight must be > 0.")
    r = channel_ratings() if ratings is None else ratings
    require_frame(r, where=where)
    require_numeric(r, list(weights), where=where)
    good = r.astype(float).copy()
    if "cost per contact" in good:
        good["cost per contact"] = 6 - good["cost per contact"]
    score = sum(good[k] * (v / total) for k, v in weights.items())
    out = pd.DataFrame({"score": score.round(3)}).sort_values("score", ascending=False, kind="stable")
    out["rank"] = np.arange(1, len(out) + 1)
    return out


# --------------------------------------------------------------------------------------------------
# Interaction design: five steps
# --------------------------------------------------------------------------------------------------

DESIGN_STEPS = pd.DataFrame({
    "step": [1, 2, 3, 4, 5],
    "task": ["choose the target customers", "set the goals", "design the content", "set the budget",
             "choose channels and frequency"],
    "zh": ["选择目标客户", "确定互动目标", "设计互动内容", "确定互动预算", "选择互动渠道和频率"],
    "question": [
        "Whom do we talk to, and why them?",
        "What should change, by how much, by when? (M2: specific, achievable with own resources, time-limited, "
        "mutually consistent; see interaction_design.GOAL_REQUIREMENTS)",
        "Theme, structure (most important first or last? explicit conclusion?), form per channel",
        "Share of sales, competitor parity, or objective and task?",
        "Which channel does the customer prefer, what mix, how often and when?",
    ],
})
"""The five steps of interaction design (客户互动设计) in the course's order."""


def select_lapsed_customers(transactions: pd.DataFrame, *, as_of: str | pd.Timestamp,
                            min_purchases: int = 2, lapsed_days: int = 180,
                            customer_col: str = "customer_id", date_col: str = "date",
                            amount_col: str = "dollars", duplicates: str = "warn") -> pd.DataFrame:
    """Step 1: target repeat buyers who have gone quiet ("lapsed"), as of a date.

    A customer is a target when they made at least ``min_purchases`` purchases (distinct dates) up to
    ``as_of`` and none in the last ``lapsed_days`` days before it. Dates must be naive datetimes (a
    time-zone-aware or text column is an error that shows the conversion). Exact duplicate rows add
    their spend twice: ``duplicates`` = ``"warn"`` (default, with the count), ``"keep"``, ``"drop"``,
    ``"error"``.

    Returns
    -------
    DataFrame
        One row per target: ``customer_id``, ``purchases``, ``spend``, ``last_purchase``,
        ``days_since``.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> t = select_lapsed_customers(load("cdnow_master"), as_of="1998-01-01")
    >>> bool((t["days_since"] > 180).all())
    True
    """
    where = "select_lapsed_customers"
    require_columns(transactions, [customer_col, date_col, amount_col], where=where)
    require_frame(transactions, where=where)
    require_datetime(transactions, [date_col], where=where)
    require_no_missing(transactions, [customer_col, date_col], where=where)
    require_non_negative(transactions, [amount_col], where=where)
    transactions = check_duplicate_rows(transactions, where=where, duplicates=duplicates,
                                        subset=[customer_col, date_col, amount_col])
    min_purchases = require_positive_int(min_purchases, "min_purchases", where=where)
    lapsed_days = require_positive_int(lapsed_days, "lapsed_days", where=where)
    as_of = require_date(as_of, "as_of", where=where)
    past = transactions.loc[transactions[date_col] <= as_of, [customer_col, date_col, amount_col]]
    g = past.groupby(customer_col)
    summ = pd.DataFrame({
        "purchases": g[date_col].nunique(),
        "spend": g[amount_col].sum().round(2),
        "last_purchase": g[date_col].max(),
    })
    summ["days_since"] = (as_of - summ["last_purchase"]).dt.days
    keep = (summ["purchases"] >= min_purchases) & (summ["days_since"] > lapsed_days)
    return summ[keep].reset_index().rename(columns={customer_col: "customer_id"})


def reactivation_baseline(transactions: pd.DataFrame, *, as_of: str | pd.Timestamp,
                          window_days: int = 90, min_purchases: int = 2, lapsed_days: int = 180,
                          customer_col: str = "customer_id", date_col: str = "date",
                          amount_col: str = "dollars", duplicates: str = "warn") -> dict:
    """Share of lapsed customers (as of ``as_of``) who bought again, unprompted, within ``window_days``.

    Input checks and ``duplicates`` as in :func:`select_lapsed_customers`.

    This is the "do nothing" rate a reactivation goal must beat, measured on history, and what makes a
    goal *achievable* rather than a wish.

    Returns
    -------
    dict
        ``targets`` (number of lapsed customers), ``returned`` (how many bought in the window),
        ``rate`` (returned / targets), ``spend_per_returner`` (mean spend in the window of those who
        returned).

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> b = reactivation_baseline(load("cdnow_master"), as_of="1997-12-31")
    >>> 0 < b["rate"] < 1
    True
    """
    where = "reactivation_baseline"
    window_days = require_positive_int(window_days, "window_days", where=where)
    require_columns(transactions, [customer_col, date_col, amount_col], where=where)
    require_frame(transactions, where=where)
    transactions = check_duplicate_rows(transactions, where=where, duplicates=duplicates,
                                        subset=[customer_col, date_col, amount_col])
    targets = select_lapsed_customers(transactions, as_of=as_of, min_purchases=min_purchases,
                                      lapsed_days=lapsed_days, customer_col=customer_col,
                                      date_col=date_col, amount_col=amount_col, duplicates="keep")
    start = require_date(as_of, "as_of", where=where)
    end = start + pd.Timedelta(days=window_days)
    if transactions[date_col].max() < end:
        raise CRMInputError(f"{where}: the data end on {transactions[date_col].max().date()}, before the "
                            f"end of the {window_days}-day window ({end.date()}); choose an earlier as_of.")
    win = transactions[(transactions[date_col] > start) & (transactions[date_col] <= end)
                       & transactions[customer_col].isin(targets["customer_id"])]
    spend = win.groupby(customer_col)[amount_col].sum()
    n = len(targets)
    return {"targets": int(n), "returned": int(len(spend)),
            "rate": float(len(spend) / n) if n else float("nan"),
            "spend_per_returner": float(spend.mean()) if len(spend) else 0.0}


@dataclass(frozen=True)
class SmartGoal:
    """Step 2: a campaign goal that is specific, measurable, achievable, relevant and time-bound.

    SMART is Doran's (1981) checklist, not the course material's: M2 asks that a goal be specific,
    achievable with the firm's own resources, time-limited and consistent with the firm's other goals
    (see ``interaction_design.GOAL_REQUIREMENTS`` and ``interaction_design.check_goal_set``).

    Parameters
    ----------
    segment : str
        Who (specific).
    metric : str
        What is counted (measurable), e.g. ``"customers who buy again"``.
    target_rate : float
        The share of the segment the campaign aims to move, in (0, 1].
    baseline_rate : float
        What happens without the campaign (measured on history).
    days : int
        Deadline in days (time-bound).
    max_uplift : float, default 3.0
        The largest multiple of the baseline this firm has ever achieved or can defend; a goal above
        ``max_uplift * baseline_rate`` is flagged as not achievable.
    relevant_to : str
        The business objective it serves (relevant), e.g. ``"economic link with current customers"``.

    Examples
    --------
    >>> g = SmartGoal("lapsed repeat buyers", "customers who buy again", 0.12, 0.06, 90,
    ...               relevant_to="economic link")
    >>> g.check()["ok"].all()
    np.True_
    """

    segment: str
    metric: str
    target_rate: float
    baseline_rate: float
    days: int
    max_uplift: float = 3.0
    relevant_to: str = ""

    def check(self) -> pd.DataFrame:
        """Return one row per SMART letter: ``criterion``, ``zh``, ``ok``, ``why``."""
        where = "SmartGoal.check"
        require_probability(self.target_rate, "target_rate", where=where)
        require_probability(self.baseline_rate, "baseline_rate", where=where)
        require_number(self.max_uplift, "max_uplift", where=where, low=1)
        ok_s = bool(self.segment.strip())
        ok_m = bool(self.metric.strip()) and self.target_rate > 0
        ok_a = self.baseline_rate < self.target_rate <= self.max_uplift * self.baseline_rate
        ok_r = bool(self.relevant_to.strip())
        ok_t = isinstance(self.days, (int, np.integer)) and 0 < self.days <= 366
        rows = [
            ("specific", "具体的", ok_s, f"segment: {self.segment!r}"),
            ("measurable", "可衡量的", ok_m, f"{self.metric}: {self.target_rate:.1%} of the segment"),
            ("achievable", "可实现的", ok_a,
             f"target {self.target_rate:.1%} vs baseline {self.baseline_rate:.1%} "
             f"(allowed up to {self.max_uplift:g} x baseline = {self.max_uplift * self.baseline_rate:.1%}; "
             "a target at or below the baseline needs no campaign)"),
            ("relevant", "相关的", ok_r, f"serves: {self.relevant_to or '(not stated)'}"),
            ("time-bound", "有时限的", ok_t, f"within {self.days} days"),
        ]
        return pd.DataFrame(rows, columns=["criterion", "zh", "ok", "why"])


def budget_share_of_sales(sales: float, share: float) -> float:
    """Budget = a fixed share of sales (or of resources or profit) (销售百分比法).

    Examples
    --------
    >>> budget_share_of_sales(2_000_000, 0.02)
    40000.0
    """
    where = "budget_share_of_sales"
    sales = require_number(sales, "sales", where=where, low=0)
    share = require_probability(share, "share", where=where)
    return float(sales * share)


def budget_competitor_parity(own_sales: float, competitors: pd.DataFrame, *,
                             sales_col: str = "sales", spend_col: str = "spend") -> float:
    """Budget that matches competitors' spending relative to size (竞争对等法).

    Competitors' total spend divided by their total sales gives the market's spend-to-sales ratio;
    the budget is that ratio times our own sales.

    Examples
    --------
    >>> comp = pd.DataFrame({"sales": [1_000_000, 3_000_000], "spend": [30_000, 50_000]})
    >>> budget_competitor_parity(2_000_000, comp)   # 80k / 4m = 2% of 2m
    40000.0
    """
    where = "budget_competitor_parity"
    own_sales = require_number(own_sales, "own_sales", where=where, low=0)
    require_frame(competitors, where=where)
    require_non_negative(competitors, [sales_col, spend_col], where=where)
    require_no_missing(competitors, [sales_col, spend_col], where=where)
    total_sales = float(competitors[sales_col].sum())
    if total_sales <= 0:
        raise CRMInputError(f"{where}: competitors' total sales must be > 0.")
    return float(own_sales * competitors[spend_col].sum() / total_sales)


def budget_objective_task(tasks: pd.DataFrame, *, units_col: str = "units",
                          unit_cost_col: str = "unit_cost") -> pd.DataFrame:
    """Budget built up from the tasks the goal needs (目标任务法).

    Parameters
    ----------
    tasks : DataFrame
        One row per task with ``units`` (how many) and ``unit_cost`` (cost of one).

    Returns
    -------
    DataFrame
        A copy of ``tasks`` with ``cost = units * unit_cost``; ``attrs["total"]`` is the budget.

    Examples
    --------
    >>> t = pd.DataFrame({"task": ["letters", "calls"], "units": [1000, 200], "unit_cost": [1.5, 4.0]})
    >>> budget_objective_task(t).attrs["total"]
    2300.0
    """
    where = "budget_objective_task"
    require_frame(tasks, where=where)
    require_non_negative(tasks, [units_col, unit_cost_col], where=where)
    require_no_missing(tasks, [units_col, unit_cost_col], where=where)
    out = tasks.copy()
    out["cost"] = (out[units_col] * out[unit_cost_col]).astype(float).round(2)
    out.attrs["total"] = float(out["cost"].sum())
    return out


def compare_budgets(**budgets: float) -> pd.DataFrame:
    """Tabulate budgets from different methods side by side, with their ratio to the smallest.

    Examples
    --------
    >>> compare_budgets(share_of_sales=100.0, objective_task=150.0)["vs smallest"].tolist()
    [1.0, 1.5]
    """
    where = "compare_budgets"
    if not budgets:
        raise CRMInputError(f"{where}: pass at least one budget, e.g. share_of_sales=40000.")
    vals = {k.replace("_", " "): require_number(v, k, where=where, low=0) for k, v in budgets.items()}
    out = pd.DataFrame({"method": list(vals), "budget": [round(v, 2) for v in vals.values()]})
    low = out["budget"].min()
    out["vs smallest"] = (out["budget"] / low).round(2) if low > 0 else np.nan
    return out


def channel_mix(contacts: pd.DataFrame, *, budget: float | None = None, value_per_response: float = 0.0,
                channel_col: str = "channel", customers_col: str = "customers",
                touches_col: str = "touches", cost_col: str = "cost_per_contact",
                response_col: str = "response_rate") -> pd.DataFrame:
    """Step 5: cost and expected result of a channel mix.

    Parameters
    ----------
    contacts : DataFrame
        One row per channel: customers reached through it, touches per customer (contact frequency),
        cost per contact, and the response rate per customer over the campaign.
    budget : float, optional
        When given, ``attrs["within_budget"]`` says whether the mix fits.
    value_per_response : float, default 0
        Margin from one response; gives ``profit`` per channel.

    Examples
    --------
    >>> mix = pd.DataFrame({"channel": ["letter", "telephone"], "customers": [1000, 100],
    ...                     "touches": [2, 1], "cost_per_contact": [1.0, 5.0],
    ...                     "response_rate": [0.05, 0.2]})
    >>> channel_mix(mix, budget=3000).attrs["total_cost"], channel_mix(mix).attrs["responses"]
    (2500.0, 70.0)
    """
    where = "channel_mix"
    require_frame(contacts, where=where)
    require_columns(contacts, [channel_col], where=where)
    num = [customers_col, touches_col, cost_col, response_col]
    require_non_negative(contacts, num, where=where)
    require_no_missing(contacts, num, where=where)
    if (contacts[response_col] > 1).any():
        raise CRMInputError(f"{where}: column {response_col!r} holds rates and must be <= 1.")
    value_per_response = require_number(value_per_response, "value_per_response", where=where, low=0)
    out = contacts.copy()
    out["contacts"] = out[customers_col] * out[touches_col]
    out["cost"] = (out["contacts"] * out[cost_col]).astype(float)
    out["responses"] = (out[customers_col] * out[response_col]).astype(float)
    out["cost_per_response"] = (out["cost"] / out["responses"].where(out["responses"] > 0)).round(2)
    out["profit"] = (out["responses"] * value_per_response - out["cost"]).round(2)
    out.attrs["total_cost"] = float(out["cost"].sum())
    out.attrs["responses"] = float(out["responses"].sum())
    if budget is not None:
        budget = require_number(budget, "budget", where=where, low=0)
        out.attrs["within_budget"] = bool(out.attrs["total_cost"] <= budget)
    return out


# --------------------------------------------------------------------------------------------------
# A/B test
# --------------------------------------------------------------------------------------------------

def ab_sample_size(p_control: float, p_treatment: float, *, alpha: float = 0.05, power: float = 0.8,
                   ratio: float = 1.0) -> dict:
    """Customers needed per arm to detect a change in response rate (before the test).

    Uses Cohen's effect size for proportions, ``h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p0))``
    (``statsmodels.stats.proportion.proportion_effectsize``) and the normal-approximation power of a
    two-sided two-sample test (``statsmodels.stats.power.NormalIndPower``).

    Returns
    -------
    dict
        ``effect_size`` (h), ``n_control``, ``n_treatment`` (rounded up), ``n_total``.

    Examples
    --------
    >>> ab_sample_size(0.05, 0.06)["n_control"]
    8143
    """
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    where = "ab_sample_size"
    p0 = require_probability(p_control, "p_control", where=where, allow_zero=False, allow_one=False)
    p1 = require_probability(p_treatment, "p_treatment", where=where, allow_zero=False, allow_one=False)
    if p0 == p1:
        raise CRMInputError(f"{where}: p_treatment must differ from p_control ({p0}); no sample size "
                            "can detect a zero difference.")
    alpha = require_probability(alpha, "alpha", where=where, allow_zero=False, allow_one=False)
    power = require_probability(power, "power", where=where, allow_zero=False, allow_one=False)
    ratio = require_number(ratio, "ratio", where=where, low=0, low_inclusive=False)
    h = float(proportion_effectsize(p1, p0))
    n0 = NormalIndPower().solve_power(effect_size=abs(h), alpha=alpha, power=power, ratio=ratio,
                                      alternative="two-sided")
    n0 = int(np.ceil(n0 - 1e-9))
    n1 = int(np.ceil(n0 * ratio - 1e-9))
    return {"effect_size": h, "n_control": n0, "n_treatment": n1, "n_total": n0 + n1}


def make_ab_test(n: int = 10_000, *, seed: int = 0, p_control: float = 0.05,
                 p_treatment: float = 0.06) -> tuple[pd.DataFrame, dict]:
    """Simulate a randomised campaign test: each customer gets version A or B and responds or not.

    Generative process: customer *i* is assigned to ``"A"`` (control) or ``"B"`` (treatment) by a
    fair coin; they respond with probability ``p_control`` under A and ``p_treatment`` under B,
    independently. ``p_treatment = p_control`` simulates a test where the new version does nothing.

    Returns
    -------
    data : DataFrame
        ``customer_id``, ``arm`` ("A"/"B"), ``responded`` (0/1).
    truth : dict
        ``p_control``, ``p_treatment``, ``difference``.

    Examples
    --------
    >>> d, t = make_ab_test(2_000, seed=1)
    >>> sorted(d["arm"].unique()), t["difference"]
    (['A', 'B'], 0.01)
    """
    where = "make_ab_test"
    n = require_positive_int(n, "n", where=where, minimum=2)
    p0 = require_probability(p_control, "p_control", where=where)
    p1 = require_probability(p_treatment, "p_treatment", where=where)
    rng = np.random.default_rng(seed)
    arm = np.where(rng.random(n) < 0.5, "A", "B")
    p = np.where(arm == "A", p0, p1)
    responded = (rng.random(n) < p).astype("int64")
    data = pd.DataFrame({"customer_id": np.arange(1, n + 1), "arm": arm, "responded": responded})
    return data, {"p_control": p0, "p_treatment": p1, "difference": round(p1 - p0, 12)}


def ab_test(data: pd.DataFrame, *, arm_col: str = "arm", outcome_col: str = "responded",
            control: str = "A", treatment: str = "B", alpha: float = 0.05,
            ci_method: str = "newcomb") -> pd.DataFrame:
    """Analyse an A/B test after it ran: response rates, two-proportion z test and a CI of the difference.

    The z test is ``statsmodels.stats.proportion.proportions_ztest`` (pooled variance, two-sided); the
    confidence interval of ``p_treatment - p_control`` is
    ``statsmodels.stats.proportion.confint_proportions_2indep`` (``ci_method="newcomb"`` by default,
    ``"wald"`` for the textbook ``diff +/- z * sqrt(p1 q1 / n1 + p0 q0 / n0)``).

    Returns
    -------
    DataFrame
        One row: ``n_control``, ``n_treatment``, ``rate_control``, ``rate_treatment``, ``difference``,
        ``z``, ``p_value``, ``ci_low``, ``ci_high``, ``significant``.

    Examples
    --------
    >>> d = pd.DataFrame({"arm": ["A"] * 100 + ["B"] * 100,
    ...                   "responded": [1] * 10 + [0] * 90 + [1] * 20 + [0] * 80})
    >>> r = ab_test(d, ci_method="wald")
    >>> round(float(r["z"].iloc[0]), 3), round(float(r["p_value"].iloc[0]), 4)
    (1.98, 0.0477)
    """
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    where = "ab_test"
    require_frame(data, where=where)
    require_columns(data, [arm_col, outcome_col], where=where)
    require_no_missing(data, [arm_col, outcome_col], where=where)
    require_numeric(data, [outcome_col], where=where)
    if not data[outcome_col].isin([0, 1]).all():
        raise CRMInputError(f"{where}: column {outcome_col!r} must hold 0/1 responses.")
    require_choice(ci_method, "ci_method", ["newcomb", "wald", "agresti-caffo", "score"], where=where)
    alpha = require_probability(alpha, "alpha", where=where, allow_zero=False, allow_one=False)
    arms = set(data[arm_col].unique())
    for a in (control, treatment):
        if a not in arms:
            raise CRMInputError(f"{where}: arm {a!r} not found in column {arm_col!r} (arms: {sorted(map(str, arms))}).")
    g = data.groupby(arm_col, observed=True)[outcome_col].agg(["sum", "count"])
    x0, n0 = int(g.loc[control, "sum"]), int(g.loc[control, "count"])
    x1, n1 = int(g.loc[treatment, "sum"]), int(g.loc[treatment, "count"])
    z, p = proportions_ztest([x1, x0], [n1, n0], alternative="two-sided")
    lo, hi = confint_proportions_2indep(x1, n1, x0, n0, method=ci_method, compare="diff", alpha=alpha)
    return pd.DataFrame([{
        "n_control": n0, "n_treatment": n1, "rate_control": x0 / n0, "rate_treatment": x1 / n1,
        "difference": x1 / n1 - x0 / n0, "z": float(z), "p_value": float(p),
        "ci_low": float(lo), "ci_high": float(hi), "significant": bool(p < alpha),
    }])


def _pooled_z_pvalues(x1, n1, x0, n0):
    """Two-sided p-values of the pooled two-proportion z test, vectorised (same formula as statsmodels)."""
    from scipy.stats import norm

    p_pool = (x1 + x0) / (n1 + n0)
    se = np.sqrt(p_pool * (1 - p_pool) * (1 / n1 + 1 / n0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (x1 / n1 - x0 / n0) / se, 0.0)
    return 2 * norm.sf(np.abs(z))


def peeking_simulation(n_per_arm: int = 5_000, *, looks: int = 10, n_sims: int = 2_000,
                       p: float = 0.05, p_treatment: float | None = None, alpha: float = 0.05,
                       seed: int = 0) -> dict:
    """What "peeking" does: test after every batch and stop at the first p < alpha.

    Each simulated test runs ``n_per_arm`` customers per arm in ``looks`` equal batches. With
    ``p_treatment=None`` (the default) both arms respond at rate ``p`` (no real difference), so every
    "significant" result is a false positive. The analyst who looks once, at the end, is wrong in
    about ``alpha`` of the tests; the one who stops at the first of ``looks`` peeks with p < alpha is
    wrong much more often.

    Returns
    -------
    dict
        ``rejection_rate_final`` (one test at the end), ``rejection_rate_peeking`` (stop at the first
        significant look), ``first_rejection_look`` (array: look at which each peeking test stopped,
        0 = never), ``looks``, ``n_sims``.

    Examples
    --------
    >>> r = peeking_simulation(1_000, looks=10, n_sims=500, seed=1)
    >>> r["rejection_rate_peeking"] > r["rejection_rate_final"]
    True
    """
    where = "peeking_simulation"
    n_per_arm = require_positive_int(n_per_arm, "n_per_arm", where=where, minimum=2)
    looks = require_positive_int(looks, "looks", where=where)
    n_sims = require_positive_int(n_sims, "n_sims", where=where)
    p = require_probability(p, "p", where=where, allow_zero=False, allow_one=False)
    p1 = p if p_treatment is None else require_probability(p_treatment, "p_treatment", where=where)
    alpha = require_probability(alpha, "alpha", where=where, allow_zero=False, allow_one=False)
    if looks > n_per_arm:
        raise CRMInputError(f"{where}: looks ({looks}) cannot exceed n_per_arm ({n_per_arm}).")
    rng = np.random.default_rng(seed)
    edges = np.linspace(0, n_per_arm, looks + 1).round().astype(int)
    sizes = np.diff(edges)
    # responders per batch are binomial; cumulative sums give the counts at each look
    x0 = np.cumsum(rng.binomial(sizes, p, size=(n_sims, looks)), axis=1)
    x1 = np.cumsum(rng.binomial(sizes, p1, size=(n_sims, looks)), axis=1)
    n_cum = edges[1:].astype(float)
    pv = _pooled_z_pvalues(x1, n_cum, x0, n_cum)
    sig = pv < alpha
    first = np.where(sig.any(axis=1), sig.argmax(axis=1) + 1, 0)
    return {"rejection_rate_final": float(sig[:, -1].mean()),
            "rejection_rate_peeking": float(sig.any(axis=1).mean()),
            "first_rejection_look": first, "looks": looks, "n_sims": n_sims}


# --------------------------------------------------------------------------------------------------
# Contact frequency, response and fatigue
# --------------------------------------------------------------------------------------------------

def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def make_contact_response(n: int = 20_000, *, seed: int = 0, max_contacts: int = 12,
                          b0: float = -4.0, b1: float = 0.55, b2: float = -0.035,
                          c0: float = -5.5, c1: float = 0.30) -> tuple[pd.DataFrame, dict]:
    """Simulate a contact-frequency experiment with response and fatigue (opt-out).

    Generative process: each customer is randomly assigned a number of contacts ``f`` in a quarter,
    uniform on ``0 .. max_contacts``. They respond (buy) with probability
    ``logistic(b0 + b1 f + b2 f^2)`` -- more contacts help, with diminishing and finally negative
    returns (``b2 < 0`` is the fatigue) -- and, independently, opt out of further contact with
    probability ``logistic(c0 + c1 f)``, which rises with every contact.

    Returns
    -------
    data : DataFrame
        ``customer_id``, ``contacts``, ``responded`` (0/1), ``opted_out`` (0/1).
    truth : dict
        The parameters and ``curve``: a frame of ``contacts`` with the true ``p_response`` and
        ``p_optout``.

    Examples
    --------
    >>> d, t = make_contact_response(5_000, seed=1)
    >>> int(d["contacts"].max()), round(t["b2"], 3)
    (12, -0.035)
    """
    where = "make_contact_response"
    n = require_positive_int(n, "n", where=where)
    max_contacts = require_positive_int(max_contacts, "max_contacts", where=where)
    for nm, v in dict(b0=b0, b1=b1, b2=b2, c0=c0, c1=c1).items():
        require_number(v, nm, where=where)
    rng = np.random.default_rng(seed)
    f = rng.integers(0, max_contacts + 1, n)
    pr = _logistic(b0 + b1 * f + b2 * f ** 2)
    po = _logistic(c0 + c1 * f)
    data = pd.DataFrame({"customer_id": np.arange(1, n + 1), "contacts": f.astype("int64"),
                         "responded": (rng.random(n) < pr).astype("int64"),
                         "opted_out": (rng.random(n) < po).astype("int64")})
    grid = np.arange(max_contacts + 1)
    curve = pd.DataFrame({"contacts": grid, "p_response": _logistic(b0 + b1 * grid + b2 * grid ** 2),
                          "p_optout": _logistic(c0 + c1 * grid)})
    return data, {"b0": b0, "b1": b1, "b2": b2, "c0": c0, "c1": c1, "curve": curve}


class FrequencyResponse:
    """Fit response and opt-out curves to contact frequency and find the profit-maximising frequency.

    Response is a binomial GLM (logit link) on ``contacts`` and ``contacts**2``; opt-out a binomial GLM
    on ``contacts`` (statsmodels). Profit per customer at frequency ``f`` is
    ``margin * p_response(f) - cost_per_contact * f - optout_cost * p_optout(f)``.

    Attributes (after :meth:`fit`)
    ------------------------------
    response_params_ : Series  (``const``, ``contacts``, ``contacts_sq``)
    optout_params_ : Series    (``const``, ``contacts``)
    response_bse_ : Series     standard errors of the response parameters

    Examples
    --------
    >>> d, t = make_contact_response(20_000, seed=0)
    >>> m = FrequencyResponse().fit(d)
    >>> bool(abs(m.response_params_["contacts_sq"] - t["b2"]) < 0.01)
    True
    """

    def __init__(self, *, contacts_col: str = "contacts", response_col: str = "responded",
                 optout_col: str = "opted_out"):
        self.contacts_col = contacts_col
        self.response_col = response_col
        self.optout_col = optout_col

    def fit(self, data: pd.DataFrame) -> FrequencyResponse:
        import statsmodels.api as sm

        where = "FrequencyResponse.fit"
        require_frame(data, where=where)
        cols = [self.contacts_col, self.response_col, self.optout_col]
        require_non_negative(data, cols, where=where)
        require_no_missing(data, cols, where=where)
        for c in (self.response_col, self.optout_col):
            if not data[c].isin([0, 1]).all():
                raise CRMInputError(f"{where}: column {c!r} must hold 0/1 outcomes.")
        if data[self.contacts_col].nunique() < 3:
            raise CRMInputError(f"{where}: need at least 3 different contact frequencies to fit a curve.")
        f = data[self.contacts_col].astype(float).to_numpy()
        X = pd.DataFrame({"const": 1.0, "contacts": f, "contacts_sq": f ** 2})
        r = sm.GLM(data[self.response_col].to_numpy(float), X, family=sm.families.Binomial()).fit()
        o = sm.GLM(data[self.optout_col].to_numpy(float), X[["const", "contacts"]],
                   family=sm.families.Binomial()).fit()
        self.response_params_ = r.params.rename(None)
        self.response_bse_ = r.bse.rename(None)
        self.optout_params_ = o.params.rename(None)
        self.max_observed_ = int(f.max())
        return self

    def _check(self):
        if not hasattr(self, "response_params_"):
            raise CRMInputError("FrequencyResponse: call .fit(data) first.")

    def predict(self, contacts) -> pd.DataFrame:
        """Fitted ``p_response`` and ``p_optout`` at the given contact frequencies."""
        self._check()
        f = np.asarray(contacts, dtype=float)
        if f.ndim == 0:
            f = f[None]
        if (f < 0).any() or not np.isfinite(f).all():
            raise CRMInputError("FrequencyResponse.predict: contacts must be finite and >= 0.")
        b, c = self.response_params_, self.optout_params_
        return pd.DataFrame({
            "contacts": f,
            "p_response": _logistic(b["const"] + b["contacts"] * f + b["contacts_sq"] * f ** 2),
            "p_optout": _logistic(c["const"] + c["contacts"] * f),
        })

    def profit_curve(self, *, margin: float, cost_per_contact: float, optout_cost: float = 0.0,
                     max_contacts: int | None = None) -> pd.DataFrame:
        """Expected profit per customer at each whole frequency ``0 .. max_contacts``.

        ``attrs["best"]`` is the frequency with the highest expected profit (searched only within the
        range the experiment observed, unless ``max_contacts`` says otherwise).
        """
        where = "FrequencyResponse.profit_curve"
        self._check()
        margin = require_number(margin, "margin", where=where, low=0)
        cost_per_contact = require_number(cost_per_contact, "cost_per_contact", where=where, low=0)
        optout_cost = require_number(optout_cost, "optout_cost", where=where, low=0)
        top = self.max_observed_ if max_contacts is None else require_positive_int(
            max_contacts, "max_contacts", where=where)
        out = self.predict(np.arange(top + 1))
        out["contacts"] = out["contacts"].astype("int64")
        out["profit"] = (margin * out["p_response"] - cost_per_contact * out["contacts"]
                         - optout_cost * out["p_optout"])
        out.attrs["best"] = int(out.loc[out["profit"].idxmax(), "contacts"])
        return out


# --------------------------------------------------------------------------------------------------
# Customer journey and the peak-end rule
# --------------------------------------------------------------------------------------------------

JOURNEY_TOUCHPOINTS = ["advert", "website", "checkout", "delivery", "after-sales"]
_TOUCHPOINT_MEAN = np.array([0.5, 1.0, 0.3, 0.2, 0.6])


def make_journeys(n: int = 2_000, *, seed: int = 0, w_peak: float = 0.5, w_end: float = 0.4,
                  w_mean: float = 0.0, noise: float = 0.5, incident_rate: float = 0.15,
                  delight_rate: float = 0.10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate customer journeys through five touchpoints and the rating customers remember.

    Generative process (feelings on a -5 (awful) .. +5 (delighted) scale):

    1. At touchpoint *t* (advert, website, checkout, delivery, after-sales) customer *i* feels
       ``mu_t + u_i + e_it``, with ``mu_t`` a fixed touchpoint mean, ``u_i ~ N(0, 1)`` the customer's
       mood and ``e_it ~ N(0, 1)``.
    2. With probability ``incident_rate`` one random touchpoint is an incident (feeling minus 4) and,
       independently, with probability ``delight_rate`` one is a delight (plus 3); feelings are clipped
       to [-5, 5].
    3. The *peak* is the most intense moment (the feeling furthest from 0, with its sign), the *end* is
       the last touchpoint's feeling, the *mean* is the average over touchpoints.
    4. The remembered rating (what the customer reports a week later) is
       ``w_peak * peak + w_end * end + w_mean * mean + N(0, noise)``. With the default ``w_mean = 0``
       the mean matters only through its correlation with peak and end: the peak-end rule.

    Returns
    -------
    moments : DataFrame
        Long format: ``journey_id``, ``step`` (1..5), ``touchpoint``, ``feeling``.
    journeys : DataFrame
        One row per journey: ``journey_id``, ``peak``, ``end``, ``mean``, ``remembered``; the true
        weights are in ``journeys.attrs["truth"]``.

    Examples
    --------
    >>> m, j = make_journeys(500, seed=2)
    >>> len(m) == 5 * len(j), j.attrs["truth"]["w_peak"]
    (True, 0.5)
    """
    where = "make_journeys"
    n = require_positive_int(n, "n", where=where)
    for nm, v in dict(w_peak=w_peak, w_end=w_end, w_mean=w_mean).items():
        require_number(v, nm, where=where)
    noise = require_number(noise, "noise", where=where, low=0)
    incident_rate = require_probability(incident_rate, "incident_rate", where=where)
    delight_rate = require_probability(delight_rate, "delight_rate", where=where)
    rng = np.random.default_rng(seed)
    k = len(JOURNEY_TOUCHPOINTS)
    feel = _TOUCHPOINT_MEAN[None, :] + rng.normal(0, 1, (n, 1)) + rng.normal(0, 1, (n, k))
    rows = np.arange(n)
    inc = rng.random(n) < incident_rate
    feel[rows[inc], rng.integers(0, k, inc.sum())] -= 4.0
    dl = rng.random(n) < delight_rate
    feel[rows[dl], rng.integers(0, k, dl.sum())] += 3.0
    feel = np.clip(feel, -5, 5)
    peak = feel[rows, np.abs(feel).argmax(axis=1)]
    end = feel[:, -1]
    mean = feel.mean(axis=1)
    remembered = w_peak * peak + w_end * end + w_mean * mean + rng.normal(0, noise, n)
    moments = pd.DataFrame({
        "journey_id": np.repeat(rows + 1, k),
        "step": np.tile(np.arange(1, k + 1), n),
        "touchpoint": np.tile(JOURNEY_TOUCHPOINTS, n),
        "feeling": feel.ravel().round(3),
    })
    journeys = pd.DataFrame({"journey_id": rows + 1, "peak": peak.round(3), "end": end.round(3),
                             "mean": mean.round(3), "remembered": remembered.round(3)})
    journeys.attrs["truth"] = {"w_peak": w_peak, "w_end": w_end, "w_mean": w_mean, "noise": noise}
    return moments, journeys


def peak_end_regression(journeys: pd.DataFrame, *, peak_col: str = "peak", end_col: str = "end",
                        mean_col: str = "mean", target_col: str = "remembered") -> pd.DataFrame:
    """Compare how well the mean, and the peak and end, explain the remembered rating (OLS).

    Fits three ordinary least squares models with statsmodels: ``remembered ~ mean``,
    ``remembered ~ peak + end`` and ``remembered ~ mean + peak + end``.

    Returns
    -------
    DataFrame
        One row per model: ``model``, ``r2``, ``aic``, and the coefficients ``b_mean``, ``b_peak``,
        ``b_end`` (NaN where a model lacks the term).

    Examples
    --------
    >>> _, j = make_journeys(2_000, seed=0)
    >>> r = peak_end_regression(j).set_index("model")
    >>> bool(r.loc["peak + end", "r2"] > r.loc["mean", "r2"])
    True
    """
    import statsmodels.api as sm

    where = "peak_end_regression"
    cols = [peak_col, end_col, mean_col, target_col]
    require_frame(journeys, where=where)
    require_numeric(journeys, cols, where=where)
    require_no_missing(journeys, cols, where=where)
    if len(journeys) < 10:
        raise CRMInputError(f"{where}: need at least 10 journeys, got {len(journeys)}.")
    y = journeys[target_col].to_numpy(float)
    specs = {"mean": [mean_col], "peak + end": [peak_col, end_col],
             "mean + peak + end": [mean_col, peak_col, end_col]}
    rows = []
    for name, xs in specs.items():
        X = sm.add_constant(journeys[xs].to_numpy(float), has_constant="add")
        res = sm.OLS(y, X).fit()
        coef = dict(zip(xs, res.params[1:]))
        rows.append({"model": name, "r2": float(res.rsquared), "aic": float(res.aic),
                     "b_mean": coef.get(mean_col, np.nan), "b_peak": coef.get(peak_col, np.nan),
                     "b_end": coef.get(end_col, np.nan)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# Self-service: FAQ / case-library search
# --------------------------------------------------------------------------------------------------

FAQ = pd.DataFrame([
    (1, "How do I track my order?", "Open My orders and click Track; the courier's tracking number is there."),
    (2, "How can I return an item?", "Start a return in My orders within 7 days of delivery and print the label."),
    (3, "When will I get my refund?", "Refunds reach your account 3-5 working days after we receive the return."),
    (4, "How do I change my delivery address?", "Edit the address in My orders before the parcel is shipped."),
    (5, "Which payment methods do you accept?", "We accept bank cards, Alipay, WeChat Pay and cash on delivery."),
    (6, "How much does shipping cost?", "Shipping is free above 99 yuan; below that it costs 8 yuan."),
    (7, "How do I cancel my order?", "Cancel in My orders while the status is Awaiting shipment."),
    (8, "I forgot my password, how do I reset it?", "Click Forgot password on the login page and follow the SMS link."),
    (9, "How do I use a coupon or discount code?", "Enter the coupon code at checkout before you pay."),
    (10, "Is the product under warranty?", "Electronics carry a one-year manufacturer warranty; keep the invoice."),
    (11, "How do I get an invoice?", "Request an electronic invoice in My orders after delivery."),
    (12, "The item arrived damaged, what should I do?", "Photograph the damage and open a claim within 48 hours."),
    (13, "How long does delivery take?", "Most orders arrive in 2-4 days; remote areas take up to 7 days."),
    (14, "How do I contact customer service?", "Chat with us in the app from 8:00 to 22:00 or call the hotline."),
    (15, "How do I earn and use membership points?", "Every yuan spent earns one point; 100 points pay 1 yuan at checkout."),
    (16, "Can I change the size or colour after ordering?", "Cancel and reorder before shipping, or exchange after delivery."),
], columns=["faq_id", "question", "answer"])
"""A small FAQ of an online shop (the case library's published answers)."""

# Word swaps customers use for the FAQ's words (lower case), to generate paraphrases.
_SYNONYMS = {
    "track": ["follow", "trace", "check"], "order": ["parcel", "package", "purchase"],
    "return": ["send back"], "item": ["product", "thing", "goods"], "refund": ["money back"],
    "change": ["update", "modify"], "address": ["shipping address"], "accept": ["take"],
    "payment": ["pay"], "shipping": ["postage", "delivery fee"], "cost": ["charge"],
    "cancel": ["stop", "withdraw"], "password": ["login password"], "reset": ["recover"],
    "coupon": ["voucher"], "discount": ["promo"], "warranty": ["guarantee"],
    "invoice": ["receipt", "fapiao"], "damaged": ["broken", "cracked"], "delivery": ["shipping"],
    "long": ["many days"], "contact": ["reach", "talk to"], "service": ["support"],
    "points": ["credits"], "size": ["fit"], "colour": ["color"],
}
_FILLERS = ["hi,", "hello,", "please help:", "quick question:", "", "", "", "urgent:"]
_NEW_QUESTIONS = [
    "Do you ship to {place}?", "Is the {product} compatible with {brand}?",
    "Can you gift wrap the {product}?", "Will the {product} be back in stock?",
    "Does the {product} come with {accessory}?", "Can I pick up the {product} in {place}?",
    "What is the battery life of the {product}?", "Is the {product} suitable for children?",
    "Can I buy the {product} in bulk for my company?", "Why was my account blocked?",
]
_FILL = {"place": ["Hong Kong", "Macau", "Taiwan", "Singapore", "the store in Hangzhou"],
         "product": ["blender", "headphones", "tent", "phone case", "rice cooker", "backpack"],
         "brand": ["Huawei", "Xiaomi", "Apple", "Lenovo"],
         "accessory": ["a charger", "spare filters", "a carrying bag", "batteries"]}


def make_customer_questions(n: int = 400, *, seed: int = 0, share_new: float = 0.3,
                            faq: pd.DataFrame | None = None) -> pd.DataFrame:
    """Simulate questions customers type into the self-service box, with the true answer.

    Generative process: with probability ``1 - share_new`` a question paraphrases a random FAQ entry:
    each word with a listed synonym is swapped with probability 0.5, one other word is dropped with
    probability 0.3, and a filler ("hi,", "urgent:") may be prefixed. Otherwise it is a new question
    built from templates the FAQ does not cover (``faq_id`` is -1: it should open a new case).

    Returns
    -------
    DataFrame
        ``question_id``, ``text``, ``faq_id`` (the true FAQ entry, -1 = not covered).

    Examples
    --------
    >>> q = make_customer_questions(300, seed=1)
    >>> round(float((q["faq_id"] == -1).mean()), 1)
    0.3
    """
    where = "make_customer_questions"
    n = require_positive_int(n, "n", where=where)
    share_new = require_probability(share_new, "share_new", where=where)
    faq = FAQ if faq is None else faq
    require_frame(faq, where=where)
    require_columns(faq, ["faq_id", "question"], where=where)
    rng = np.random.default_rng(seed)
    texts, ids = [], []
    for _ in range(n):
        if rng.random() < share_new:
            tpl = _NEW_QUESTIONS[rng.integers(len(_NEW_QUESTIONS))]
            kw = {k: v[rng.integers(len(v))] for k, v in _FILL.items()}
            texts.append(tpl.format(**kw))
            ids.append(-1)
            continue
        row = faq.iloc[rng.integers(len(faq))]
        words = str(row["question"]).rstrip("?").split()
        out = []
        for w in words:
            key = w.lower().strip(",")
            if key in _SYNONYMS and rng.random() < 0.5:
                opts = _SYNONYMS[key]
                out.append(opts[rng.integers(len(opts))])
            else:
                out.append(w.lower())
        if len(out) > 3 and rng.random() < 0.3:
            out.pop(int(rng.integers(len(out))))
        filler = _FILLERS[rng.integers(len(_FILLERS))]
        texts.append((filler + " " if filler else "") + " ".join(out) + "?")
        ids.append(int(row["faq_id"]))
    return pd.DataFrame({"question_id": np.arange(1, n + 1), "text": texts,
                         "faq_id": np.array(ids, dtype="int64")})


class FAQSearch:
    """Search an FAQ / case library with TF-IDF and cosine similarity; escalate when nothing matches.

    The FAQ's questions (and, with ``use_answers=True``, answers) are turned into TF-IDF vectors
    (scikit-learn ``TfidfVectorizer``, word unigrams and bigrams plus character 3-5-grams so that
    "colour"/"color" still match). A customer's question goes to the FAQ entry with the highest
    cosine similarity; if that similarity is below ``threshold`` the question is escalated: it opens a
    new case for the specialists (a new case-library entry) instead of showing a wrong answer.

    Examples
    --------
    >>> s = FAQSearch(threshold=0.3).fit(FAQ)
    >>> r = s.route(["my parcel arrived broken", "do you sell tractors?"])
    >>> r[["best_faq_id", "action", "case_id"]].values.tolist()
    [[12, 'answer', 0], [1, 'new case', 1]]
    """

    def __init__(self, *, threshold: float = 0.3, use_answers: bool = False):
        self.threshold = require_probability(threshold, "threshold", where="FAQSearch")
        self.use_answers = bool(use_answers)

    def fit(self, faq: pd.DataFrame, *, id_col: str = "faq_id", question_col: str = "question",
            answer_col: str = "answer") -> FAQSearch:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer

        where = "FAQSearch.fit"
        require_frame(faq, where=where)
        cols = [id_col, question_col] + ([answer_col] if self.use_answers else [])
        require_columns(faq, cols, where=where)
        require_no_missing(faq, cols, where=where)
        if faq[id_col].duplicated().any():
            raise CRMInputError(f"{where}: column {id_col!r} has duplicate ids.")
        docs = faq[question_col].astype(str)
        if self.use_answers:
            docs = docs + " " + faq[answer_col].astype(str)
        self._word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english")
        self._char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self._hstack = hstack
        m = hstack([self._word.fit_transform(docs), self._char.fit_transform(docs)]).tocsr()
        self._matrix = self._normalise(m)
        self.ids_ = faq[id_col].to_numpy()
        self.questions_ = faq[question_col].astype(str).to_numpy()
        return self

    @staticmethod
    def _normalise(m):
        from sklearn.preprocessing import normalize

        return normalize(m)

    def scores(self, questions: Sequence[str]) -> np.ndarray:
        """Cosine similarity of each question (rows) to each FAQ entry (columns)."""
        if not hasattr(self, "_matrix"):
            raise CRMInputError("FAQSearch: call .fit(faq) first.")
        if isinstance(questions, str):
            questions = [questions]
        qs = [str(q) for q in questions]
        if not qs:
            raise CRMInputError("FAQSearch: pass at least one question.")
        q = self._hstack([self._word.transform(qs), self._char.transform(qs)]).tocsr()
        return (self._normalise(q) @ self._matrix.T).toarray()

    def route(self, questions: Sequence[str], *, threshold: float | None = None) -> pd.DataFrame:
        """Answer from the FAQ or open a new case.

        Returns
        -------
        DataFrame
            ``question``, ``best_faq_id``, ``score``, ``action`` (``"answer"`` / ``"new case"``),
            ``faq_id`` (the answered entry, -1 when escalated), ``case_id`` (1, 2, ... for escalations,
            0 when answered).
        """
        thr = self.threshold if threshold is None else require_probability(threshold, "threshold",
                                                                             where="FAQSearch.route")
        if isinstance(questions, str):
            questions = [questions]
        sim = self.scores(questions)
        best = sim.argmax(axis=1)
        score = sim[np.arange(len(best)), best]
        answer = score >= thr
        case = np.where(answer, 0, np.cumsum(~answer))
        return pd.DataFrame({"question": list(questions), "best_faq_id": self.ids_[best],
                             "score": score.round(4), "action": np.where(answer, "answer", "new case"),
                             "faq_id": np.where(answer, self.ids_[best], -1), "case_id": case})

    def deflection_curve(self, questions: pd.DataFrame, *, thresholds: Sequence[float] | None = None,
                         text_col: str = "text", truth_col: str = "faq_id") -> pd.DataFrame:
        """How the escalation threshold trades deflected questions against wrong answers.

        For each threshold: ``deflected`` (share answered by the FAQ without a person),
        ``correct`` (share answered with the right entry), ``wrong_answer`` (share answered with a
        wrong entry, including new questions forced onto an old answer), ``escalated``, and
        ``needless_escalation`` (share the FAQ could have answered correctly but escalated).
        """
        where = "FAQSearch.deflection_curve"
        require_frame(questions, where=where)
        require_columns(questions, [text_col, truth_col], where=where)
        require_no_missing(questions, [text_col, truth_col], where=where)
        ths = np.round(np.linspace(0, 0.8, 17), 2) if thresholds is None else np.asarray(thresholds, float)
        for t in ths:
            require_probability(float(t), "threshold", where=where)
        sim = self.scores(questions[text_col].tolist())
        best = self.ids_[sim.argmax(axis=1)]
        score = sim.max(axis=1)
        truth = questions[truth_col].to_numpy()
        right = best == truth
        rows = []
        for t in ths:
            ans = score >= t
            rows.append({"threshold": float(t), "deflected": ans.mean(), "correct": (ans & right).mean(),
                         "wrong_answer": (ans & ~right).mean(), "escalated": (~ans).mean(),
                         "needless_escalation": (~ans & right).mean()})
        return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# Customer psychology
# --------------------------------------------------------------------------------------------------

PSYCHOLOGY_STAGES = pd.DataFrame({
    "stage": ["rejection", "acceptance", "wavering", "identification"],
    "zh": ["排斥期", "接受期", "反复期", "认同期"],
    "response": _SALES_STAGES["the material's response (M5, paraphrased)"].tolist(),
    "concession": _SALES_STAGES["concession"].tolist(),
})
"""The four psychology stages of a customer in a sale (客户心理阶段) with course material M5's response to
each: a short view of :data:`crm_lessons.psychology.SALES_STAGES`, the one source of these responses."""
