"""Bank CRM on real telemarketing data (Chapter 11, bank-campaign case study).

The data are the UCI "Bank Marketing" calls (``datasets.load("bank_marketing")``; Moro, Cortez & Rita
2014): one row per client called in a term-deposit campaign, outcome ``y``. The helpers answer the
questions a bank's CRM team asks before the next campaign:

- :func:`response_by`: who subscribes? Response rate by customer group, channel, previous outcome or
  economic climate, with a Wilson 95% interval;
- :func:`contact_hazard` and :func:`contact_cap_table`: does calling again pay? The chance that the
  k-th call wins the deposit, and what a cap on calls per client saves and loses;
- :func:`design_matrix`, :class:`ResponseModel`, :func:`split_calls`: a targeting model fitted on a
  training split (never with ``duration``, which is only known after the call, nor ``campaign``, the
  number of calls the campaign ended up making);
- :func:`calls_per_deposit_table` and :func:`budget_result`: the model's value as calls saved per
  deposit won at a stated cost per call;
- :func:`tier_table`: differentiated treatment tiers (how many attempts each score tier gets);
- :func:`check_campaign_parameters` and :func:`bank_campaign`: the case study in one call.

Every comparison here is observational: a client called eight times differs from one called once in
more ways than the number of calls. The chapter says where an experiment would be needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_choice,
    require_columns,
    require_frame,
    require_no_missing,
    require_non_negative,
    require_number,
    require_numeric,
    require_positive_int,
)
from .scoring import check_scores

__all__ = [
    "AFTER_THE_CALL",
    "TARGETING_FEATURES",
    "MODELS",
    "AGE_BANDS",
    "response_by",
    "wilson_interval",
    "contact_hazard",
    "contact_cap_table",
    "design_matrix",
    "split_calls",
    "ResponseModel",
    "calls_per_deposit_table",
    "budget_result",
    "tier_table",
    "check_campaign_parameters",
    "bank_campaign",
]

#: Columns known only once the campaign has run: never use them to choose whom to call.
AFTER_THE_CALL = ("duration", "campaign", "y")
#: Columns a bank knows before it picks up the phone (client, channel, date, history, climate).
TARGETING_FEATURES = ("age_band", "job", "marital", "education", "default", "housing", "loan", "contact",
                      "month", "day_of_week", "previous", "poutcome", "never_contacted", "emp_var_rate",
                      "cons_price_idx", "cons_conf_idx", "euribor3m", "nr_employed")
MODELS = ("logit", "tree", "boosting")
AGE_BANDS = (17, 25, 35, 45, 55, 65, 120)


def _calls(calls: Any, columns: Sequence[str], *, where: str) -> pd.DataFrame:
    df = require_frame(calls, where=where)
    require_columns(df, list(columns), where=where)
    return df


def _outcome(df: pd.DataFrame, col: str, *, where: str) -> np.ndarray:
    require_no_missing(df, [col], where=where)
    y = df[col]
    if y.dtype == bool:
        return y.to_numpy(dtype=int)
    vals = set(pd.unique(y))
    if not vals <= {0, 1}:
        raise CRMInputError(f"{where}: outcome column {col!r} must be bool or 0/1, found values "
                            f"{sorted(map(str, vals))[:5]}; convert it, e.g. df[{col!r}] == 'yes'.")
    return y.to_numpy(dtype=int)


def wilson_interval(successes: Any, trials: Any, *, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion (better than p +/- 1.96 se for small groups or rare events).

    Examples
    --------
    >>> lo, hi = wilson_interval(10, 100)
    >>> round(float(lo), 3), round(float(hi), 3)
    (0.055, 0.174)
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if np.any(n <= 0) or np.any(k < 0) or np.any(k > n):
        raise CRMInputError(f"wilson_interval: need 0 <= successes <= trials and trials > 0, got successes="
                            f"{k.tolist()} and trials={n.tolist()}. Pass counts of successes and of trials "
                            "(e.g. deposits and calls per group), not rates.")
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def response_by(calls: pd.DataFrame, by: str, *, outcome: str = "y", bins: Sequence[float] | None = None,
                min_calls: int = 1) -> pd.DataFrame:
    """Response rate (share who subscribed) by one grouping column, with a Wilson 95% interval.

    Parameters
    ----------
    calls : DataFrame
        One row per client called; needs ``by`` and ``outcome`` (bool or 0/1).
    by : str
        Grouping column (e.g. ``"job"``, ``"contact"``, ``"poutcome"``); a numeric column needs ``bins``.
    bins : sequence of float, optional
        Cut a numeric ``by`` into intervals (``pd.cut`` edges, right-closed).
    min_calls : int, default 1
        Leave out groups with fewer calls (their rates are noise).

    Returns
    -------
    DataFrame
        One row per group: ``calls``, ``deposits``, ``response (%)``, ``low (%)``, ``high (%)``
        (the interval) and ``lift`` (group rate / overall rate).

    Examples
    --------
    >>> df = pd.DataFrame({"contact": ["cell"] * 4 + ["tel"] * 4, "y": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> response_by(df, "contact")[["contact", "calls", "deposits", "response (%)", "lift"]]
      contact  calls  deposits  response (%)  lift
    0    cell      4         2          50.0  1.33
    1     tel      4         1          25.0  0.67
    """
    where = "response_by"
    df = _calls(calls, [by, outcome], where=where)
    y = _outcome(df, outcome, where=where)
    min_calls = require_positive_int(min_calls, "min_calls", where=where)
    key = df[by]
    if bins is not None:
        require_numeric(df, [by], where=where)
        key = pd.cut(df[by], bins=list(bins))
    elif pd.api.types.is_float_dtype(key):
        raise CRMInputError(f"{where}: column {by!r} is numeric with many values; pass bins=[...] to cut it "
                            "into groups (e.g. bins=[0, 1, 2, 5]).")
    g = (pd.DataFrame({by: key, "y": y}).groupby(by, observed=True)["y"]
         .agg(calls="size", deposits="sum").reset_index())
    g = g[g["calls"] >= min_calls].reset_index(drop=True)
    if g.empty:
        raise CRMInputError(f"{where}: no group of {by!r} has at least min_calls = {min_calls} calls.")
    lo, hi = wilson_interval(g["deposits"], g["calls"])
    g["deposits"] = g["deposits"].astype("int64")
    g["response (%)"] = (100 * g["deposits"] / g["calls"]).round(1)
    g["low (%)"] = np.round(100 * lo, 1)
    g["high (%)"] = np.round(100 * hi, 1)
    g["lift"] = (g["deposits"] / g["calls"] / y.mean()).round(2)
    if bins is not None:
        g[by] = g[by].astype(str)
    return g


def contact_hazard(calls: pd.DataFrame, *, count_col: str = "campaign", outcome: str = "y",
                   cap: int = 10) -> pd.DataFrame:
    """The chance that the k-th call of a campaign wins the deposit, among clients still being called.

    A client's row records ``count_col`` = the number of calls made in the campaign and whether the
    client subscribed. Read as a sequence (the bank stops calling a client who says yes), a client with
    ``campaign = k`` was reached by calls 1..k, and a subscriber said yes on call k. So

    .. math:: h_k = \\frac{\\#\\{y = 1,\\ c = k\\}}{\\#\\{c \\ge k\\}}

    is the conversion of the k-th call. Counts of ``cap`` or more are pooled in the last row.

    Returns
    -------
    DataFrame
        One row per call number ``call``: ``clients reached`` (still being called), ``deposits`` (won
        on that call), ``conversion (%)`` (h_k), ``share of deposits (%)`` and
        ``cumulative share of deposits (%)``.

    Examples
    --------
    >>> df = pd.DataFrame({"campaign": [1, 1, 2, 2, 3], "y": [1, 0, 1, 0, 0]})
    >>> contact_hazard(df, cap=3)[["call", "clients reached", "deposits", "conversion (%)"]]
       call  clients reached  deposits  conversion (%)
    0     1                5         1            20.0
    1     2                3         1            33.3
    2     3                1         0             0.0
    """
    where = "contact_hazard"
    df = _calls(calls, [count_col, outcome], where=where)
    require_numeric(df, [count_col], where=where)
    require_no_missing(df, [count_col], where=where)
    if (df[count_col] < 1).any():
        raise CRMInputError(f"{where}: {count_col!r} counts calls and must be at least 1; "
                            f"found {int(df[count_col].min())}.")
    cap = require_positive_int(cap, "cap", where=where)
    y = _outcome(df, outcome, where=where)
    c = np.minimum(df[count_col].to_numpy(dtype=int), cap)
    ks = np.arange(1, min(cap, c.max()) + 1)
    reached = np.array([(c >= k).sum() for k in ks])
    won = np.array([((c == k) & (y == 1)).sum() for k in ks])
    out = pd.DataFrame({"call": ks, "clients reached": reached, "deposits": won})
    out["conversion (%)"] = (100 * won / reached).round(1)
    total = max(int(y.sum()), 1)
    out["share of deposits (%)"] = (100 * won / total).round(1)
    out["cumulative share of deposits (%)"] = (100 * np.cumsum(won) / total).round(1)
    return out


def contact_cap_table(calls: pd.DataFrame, caps: Sequence[int] = (1, 2, 3, 4, 5, 6, 8, 10, 20, 60), *,
                      cost_per_call: float = 5.0, value_per_deposit: float = 100.0,
                      count_col: str = "campaign", outcome: str = "y") -> pd.DataFrame:
    """What a rule "at most m calls per client" would have saved and lost, for each cap m.

    Under the cap a client is called ``min(c, m)`` times; a subscriber whose yes came on call ``c > m``
    is lost. (This assumes the first m calls go as they did: the cap changes nothing else.)

    Returns
    -------
    DataFrame
        One row per cap: ``max calls``, ``calls``, ``deposits``, ``calls saved``, ``deposits lost``,
        ``calls saved per deposit lost``, ``cost per deposit`` and ``profit`` (value x deposits -
        cost x calls), in the currency of the two money parameters.

    Examples
    --------
    >>> df = pd.DataFrame({"campaign": [1, 1, 2, 5, 5], "y": [1, 0, 1, 1, 0]})
    >>> contact_cap_table(df, caps=[1, 2, 5], cost_per_call=1, value_per_deposit=10)[
    ...     ["max calls", "calls", "deposits", "calls saved", "deposits lost", "profit"]]
       max calls  calls  deposits  calls saved  deposits lost  profit
    0          1      5         1            9              2     5.0
    1          2      8         2            6              1    12.0
    2          5     14         3            0              0    16.0
    """
    where = "contact_cap_table"
    df = _calls(calls, [count_col, outcome], where=where)
    require_numeric(df, [count_col], where=where)
    require_no_missing(df, [count_col], where=where)
    y = _outcome(df, outcome, where=where)
    cost = require_number(cost_per_call, "cost_per_call", where=where, low=0)
    value = require_number(value_per_deposit, "value_per_deposit", where=where, low=0)
    ms = [require_positive_int(m, "cap", where=where) for m in caps]
    if not ms:
        raise CRMInputError(f"{where}: caps is empty; pass at least one maximum number of calls.")
    c = df[count_col].to_numpy(dtype=int)
    all_calls, all_dep = int(c.sum()), int(y.sum())
    rows = []
    for m in ms:
        n_calls = int(np.minimum(c, m).sum())
        dep = int(((c <= m) & (y == 1)).sum())
        saved, lost = all_calls - n_calls, all_dep - dep
        rows.append({"max calls": m, "calls": n_calls, "deposits": dep, "calls saved": saved,
                     "deposits lost": lost,
                     "calls saved per deposit lost": round(saved / lost, 1) if lost else np.nan,
                     "cost per deposit": round(cost * n_calls / dep, 2) if dep else np.nan,
                     "profit": float(value * dep - cost * n_calls)})
    return pd.DataFrame(rows)


def design_matrix(calls: pd.DataFrame, features: Sequence[str] = TARGETING_FEATURES) -> pd.DataFrame:
    """Numeric predictors for a targeting model: categories become 0/1 columns (first level dropped).

    Adds two derived columns when asked for: ``age_band`` (ages cut at :data:`AGE_BANDS`) and
    ``never_contacted`` (``pdays == 999``, the source's code for "not contacted before").

    Raises
    ------
    CRMInputError
        A feature in :data:`AFTER_THE_CALL` (``duration``, ``campaign``, ``y``): they are only known
        after the calls are made, so a model using them looks brilliant and cannot be used.

    Examples
    --------
    >>> df = pd.DataFrame({"age": [30, 70], "contact": ["cellular", "telephone"], "pdays": [999, 3]})
    >>> X = design_matrix(df, ["age_band", "contact", "never_contacted"])
    >>> X.shape, X.columns[0], X.columns[-1]
    ((2, 7), 'never_contacted', 'contact_telephone')
    """
    where = "design_matrix"
    if isinstance(features, str):
        features = [features]
    leaky = [f for f in features if f in AFTER_THE_CALL]
    if leaky:
        raise CRMInputError(
            f"{where}: {leaky} cannot be used to choose whom to call: they are known only after the calls "
            "(duration is the length of the call, campaign the number of calls the campaign ended up "
            "making). Drop them; see Moro, Cortez & Rita (2014).")
    need = [f for f in features if f not in ("age_band", "never_contacted")]
    need += ["age"] if "age_band" in features else []
    need += ["pdays"] if "never_contacted" in features else []
    df = _calls(calls, need, where=where)
    X = pd.DataFrame(index=df.index)
    for f in features:
        if f == "age_band":
            X[f] = pd.cut(df["age"], bins=list(AGE_BANDS))
        elif f == "never_contacted":
            X[f] = (df["pdays"] == 999).astype(float)
        else:
            X[f] = df[f]
    cats = [f for f in X.columns if not pd.api.types.is_numeric_dtype(X[f])]
    return pd.get_dummies(X, columns=cats, drop_first=True, dtype=float)


def split_calls(calls: pd.DataFrame, *, test_share: float = 0.3, seed: int = 0,
                outcome: str = "y") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split calls into a training and a test set, stratified on the outcome (same seed, same split).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [0] * 8 + [1] * 2, "x": range(10)})
    >>> train, test = split_calls(df, test_share=0.5, seed=1)
    >>> len(train), len(test), int(test["y"].sum())
    (5, 5, 1)
    """
    where = "split_calls"
    df = _calls(calls, [outcome], where=where)
    y = _outcome(df, outcome, where=where)
    share = require_number(test_share, "test_share", where=where, low=0.05, high=0.95)
    rng = np.random.default_rng(require_positive_int(seed, "seed", where=where, minimum=0))
    test = np.zeros(len(df), dtype=bool)
    for v in (0, 1):
        idx = np.flatnonzero(y == v)
        test[rng.choice(idx, size=int(round(share * len(idx))), replace=False)] = True
    return df.loc[~test].copy(), df.loc[test].copy()


class ResponseModel:
    """A targeting model: the chance a client subscribes if called, from pre-call information only.

    ``kind="logit"``: logistic regression on standardised predictors with a mild L2 penalty
    (scikit-learn, ``C = 1``, Newton-Cholesky solver), :math:`p = 1 / (1 + e^{-(\\beta_0 + \\sum_j \\beta_j z_j)})`;
    ``"tree"``: a decision tree (depth 6, at least 100 clients per leaf); ``"boosting"``: histogram
    gradient boosting (100 trees). Fitted attributes: ``columns_`` (predictors), ``mean_`` and
    ``scale_`` (standardisation, logit only), ``estimator_``.

    Examples
    --------
    >>> from crm_lessons import datasets
    >>> calls = datasets.load("bank_marketing")
    >>> train, test = split_calls(calls, seed=0)
    >>> m = ResponseModel("tree").fit(train)
    >>> m.predict_proba(test).shape == (len(test),)
    True
    """

    def __init__(self, kind: str = "logit", *, features: Sequence[str] = TARGETING_FEATURES, seed: int = 0,
                 outcome: str = "y"):
        self.kind = require_choice(kind, "kind", MODELS, where="ResponseModel")
        self.features = tuple(features)
        self.seed = require_positive_int(seed, "seed", where="ResponseModel", minimum=0)
        self.outcome = outcome

    def _X(self, calls: pd.DataFrame) -> np.ndarray:
        X = design_matrix(calls, self.features).reindex(columns=self.columns_, fill_value=0.0)
        Z = X.to_numpy(dtype=float)
        return (Z - self.mean_) / self.scale_ if self.kind == "logit" else Z

    def fit(self, calls: pd.DataFrame) -> ResponseModel:
        y = _outcome(_calls(calls, [self.outcome], where="ResponseModel.fit"), self.outcome,
                     where="ResponseModel.fit")
        if y.min() == y.max():
            raise CRMInputError("ResponseModel.fit: the training calls contain only one outcome; "
                                "need both subscribers and non-subscribers.")
        X = design_matrix(calls, self.features)
        self.columns_ = list(X.columns)
        Z = X.to_numpy(dtype=float)
        self.mean_ = Z.mean(axis=0) if self.kind == "logit" else 0.0
        sd = Z.std(axis=0) if self.kind == "logit" else 1.0
        self.scale_ = np.where(sd > 0, sd, 1.0) if self.kind == "logit" else 1.0
        if self.kind == "logit":
            from sklearn.linear_model import LogisticRegression

            est = LogisticRegression(C=1.0, solver="newton-cholesky", max_iter=200)
        elif self.kind == "tree":
            from sklearn.tree import DecisionTreeClassifier

            est = DecisionTreeClassifier(max_depth=6, min_samples_leaf=100, random_state=self.seed)
        else:
            from sklearn.ensemble import HistGradientBoostingClassifier

            est = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, random_state=self.seed)
        self.estimator_ = est.fit(self._X(calls), y)
        return self

    def predict_proba(self, calls: pd.DataFrame) -> np.ndarray:
        """Chance of a deposit for each call (1-d array in row order)."""
        if not hasattr(self, "estimator_"):
            raise CRMInputError("ResponseModel: call .fit(training_calls) before predict_proba.")
        return self.estimator_.predict_proba(self._X(calls))[:, 1]

    def coefficients(self) -> pd.DataFrame:
        """Logit only: one row per predictor, the slope per standard deviation and the odds ratio."""
        if self.kind != "logit" or not hasattr(self, "estimator_"):
            raise CRMInputError("ResponseModel.coefficients: only a fitted logit has coefficients.")
        b = self.estimator_.coef_[0]
        return (pd.DataFrame({"predictor": self.columns_, "coefficient (per sd)": b.round(3),
                              "odds ratio (per sd)": np.exp(b).round(2)})
                .sort_values("coefficient (per sd)", key=np.abs, ascending=False).reset_index(drop=True))


def calls_per_deposit_table(y, score, *, cost_per_call: float = 5.0, value_per_deposit: float = 100.0,
                            shares: Sequence[float] = (0.1, 0.2, 0.3, 0.5, 0.7, 1.0)) -> pd.DataFrame:
    """Call the top share of clients by score: calls per deposit won, against calling at random.

    Calling ``k`` clients picked at random wins on average ``k * ybar`` deposits, i.e. ``1 / ybar``
    calls per deposit. Calling the ``k`` highest-scored wins ``D_k``: ``k / D_k`` calls per deposit. The
    model saves ``1 / ybar - k / D_k`` calls for every deposit won, worth ``cost_per_call`` each.

    Returns
    -------
    DataFrame
        One row per share: ``share called (%)``, ``calls``, ``deposits``, ``share of deposits (%)``,
        ``calls per deposit``, ``calls per deposit (random)``, ``calls saved per deposit``,
        ``cost saved per deposit``, ``profit`` (value x deposits - cost x calls).

    Examples
    --------
    >>> t = calls_per_deposit_table([1, 0, 1, 0, 0, 0, 0, 0], [.9, .8, .7, .1, .2, .3, .4, .5],
    ...                             cost_per_call=1, value_per_deposit=10, shares=[0.25, 1.0])
    >>> t[["calls", "deposits", "calls per deposit", "calls saved per deposit"]]
       calls  deposits  calls per deposit  calls saved per deposit
    0      2         1                2.0                      2.0
    1      8         2                4.0                      0.0
    """
    where = "calls_per_deposit_table"
    y, s = check_scores(y, score, where)
    cost = require_number(cost_per_call, "cost_per_call", where=where, low=0)
    value = require_number(value_per_deposit, "value_per_deposit", where=where, low=0)
    order = np.argsort(-s, kind="mergesort")
    hits = np.cumsum(y[order])
    random_cpd = len(y) / y.sum()
    rows = []
    for share in shares:
        sh = require_number(share, "share", where=where, low=0, high=1)
        k = max(1, int(round(sh * len(y))))
        d = int(hits[k - 1])
        cpd = k / d if d else np.nan
        rows.append({"share called (%)": round(100 * sh, 1), "calls": k, "deposits": d,
                     "share of deposits (%)": round(100 * d / y.sum(), 1),
                     "calls per deposit": round(cpd, 2), "calls per deposit (random)": round(random_cpd, 2),
                     "calls saved per deposit": round(random_cpd - cpd, 2),
                     "cost saved per deposit": round(cost * (random_cpd - cpd), 2),
                     "profit": float(value * d - cost * k)})
    return pd.DataFrame(rows)


def budget_result(calls: pd.DataFrame, score, *, call_budget: int, cost_per_call: float = 5.0,
                  value_per_deposit: float = 100.0, max_contacts: int = 3, count_col: str = "campaign",
                  outcome: str = "y") -> dict:
    """Spend a budget of calls on the highest-scored clients, at most ``max_contacts`` calls each.

    Clients are taken in score order; each costs ``min(c, max_contacts)`` calls (``c`` = calls the
    campaign actually needed) and is won if they subscribed by call ``max_contacts``. A random order
    with the same budget wins, on average, ``budget x`` (deposits per call under the cap).

    Returns
    -------
    dict
        ``clients_called``, ``calls_used``, ``deposits``, ``deposits_random``, ``calls_per_deposit``,
        ``calls_per_deposit_random``, ``calls_saved_per_deposit``, ``cost_saved_per_deposit``,
        ``profit``, ``profit_random``.

    Examples
    --------
    >>> df = pd.DataFrame({"campaign": [1, 2, 1, 4], "y": [1, 1, 0, 0]})
    >>> r = budget_result(df, [0.9, 0.8, 0.3, 0.1], call_budget=3, cost_per_call=1, value_per_deposit=10,
    ...                   max_contacts=2)
    >>> r["clients_called"], r["calls_used"], r["deposits"], round(r["deposits_random"], 2)
    (2, 3, 2, 1.0)
    """
    where = "budget_result"
    df = _calls(calls, [count_col, outcome], where=where)
    require_numeric(df, [count_col], where=where)
    y, s = check_scores(_outcome(df, outcome, where=where), score, where)
    budget = require_positive_int(call_budget, "call_budget", where=where)
    cap = require_positive_int(max_contacts, "max_contacts", where=where)
    cost = require_number(cost_per_call, "cost_per_call", where=where, low=0)
    value = require_number(value_per_deposit, "value_per_deposit", where=where, low=0)
    c = np.minimum(df[count_col].to_numpy(dtype=int), cap)
    won = (y == 1) & (df[count_col].to_numpy(dtype=int) <= cap)
    order = np.argsort(-s, kind="mergesort")
    used = np.cumsum(c[order])
    n = int(np.searchsorted(used, budget, side="right"))
    calls_used = int(used[n - 1]) if n else 0
    dep = int(won[order][:n].sum())
    per_call = float(won.sum() / c.sum())
    dep_random = float(calls_used * per_call)
    cpd = calls_used / dep if dep else float("nan")
    cpd_r = 1 / per_call if per_call else float("nan")
    return {"clients_called": n, "calls_used": calls_used, "deposits": dep, "deposits_random": dep_random,
            "calls_per_deposit": cpd, "calls_per_deposit_random": cpd_r,
            "calls_saved_per_deposit": cpd_r - cpd, "cost_saved_per_deposit": cost * (cpd_r - cpd),
            "profit": value * dep - cost * calls_used, "profit_random": value * dep_random - cost * calls_used}


def tier_table(calls: pd.DataFrame, score, *, cuts: Sequence[float] = (0.1, 0.3),
               attempts: Sequence[int] = (5, 2, 0), cost_per_call: float = 5.0,
               value_per_deposit: float = 100.0, count_col: str = "campaign",
               outcome: str = "y") -> pd.DataFrame:
    """Differentiated treatment: score tiers, each with its own number of call attempts.

    The top ``cuts[0]`` share of clients by score is tier A, the next ``cuts[1] - cuts[0]`` tier B, and
    so on; tier i gets at most ``attempts[i]`` calls (0 = no outbound call; serve the client through
    cheaper channels). A last row ``all tiers`` sums the policy; compare it with one uniform rule.

    Returns
    -------
    DataFrame
        One row per tier: ``tier``, ``clients``, ``max calls``, ``response if called (%)`` (in the
        data), ``calls``, ``deposits``, ``profit``, ``profit per client``.

    Examples
    --------
    >>> df = pd.DataFrame({"campaign": [1, 3, 1, 2], "y": [1, 1, 0, 0]})
    >>> tier_table(df, [0.9, 0.8, 0.3, 0.1], cuts=[0.5], attempts=[3, 0], cost_per_call=1,
    ...            value_per_deposit=10)[["tier", "clients", "calls", "deposits", "profit"]]
            tier  clients  calls  deposits  profit
    0          A        2      4         2    16.0
    1          B        2      0         0     0.0
    2  all tiers        4      4         2    16.0
    """
    where = "tier_table"
    df = _calls(calls, [count_col, outcome], where=where)
    require_numeric(df, [count_col], where=where)
    require_non_negative(df, [count_col], where=where)
    y, s = check_scores(_outcome(df, outcome, where=where), score, where, need_both=False)
    cuts = [require_number(c_, "cut", where=where, low=0, high=1) for c_ in cuts]
    if any(b <= a for a, b in zip(cuts, cuts[1:])):
        raise CRMInputError(f"{where}: cuts must increase (shares of clients from the top), got {cuts}.")
    attempts = [require_positive_int(a, "attempts", where=where, minimum=0) for a in attempts]
    if len(attempts) != len(cuts) + 1:
        raise CRMInputError(f"{where}: need one attempts value per tier: {len(cuts) + 1} for {len(cuts)} "
                            f"cuts, got {len(attempts)}.")
    cost = require_number(cost_per_call, "cost_per_call", where=where, low=0)
    value = require_number(value_per_deposit, "value_per_deposit", where=where, low=0)
    n = len(y)
    rank = np.empty(n, dtype=int)
    rank[np.argsort(-s, kind="mergesort")] = np.arange(n)
    edges = [0] + [int(round(c_ * n)) for c_ in cuts] + [n]
    c = df[count_col].to_numpy(dtype=int)
    rows = []
    for i, m in enumerate(attempts):
        in_tier = (rank >= edges[i]) & (rank < edges[i + 1])
        calls_i = int(np.minimum(c[in_tier], m).sum())
        dep = int(((c[in_tier] <= m) & (y[in_tier] == 1)).sum()) if m > 0 else 0
        rows.append({"tier": chr(ord("A") + i), "clients": int(in_tier.sum()), "max calls": m,
                     "response if called (%)": round(100 * y[in_tier].mean(), 1) if in_tier.any() else np.nan,
                     "calls": calls_i, "deposits": dep, "profit": float(value * dep - cost * calls_i)})
    out = pd.DataFrame(rows)
    total = {"tier": "all tiers", "clients": int(out["clients"].sum()), "max calls": np.nan,
             "response if called (%)": round(100 * y.mean(), 1), "calls": int(out["calls"].sum()),
             "deposits": int(out["deposits"].sum()), "profit": float(out["profit"].sum())}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    out["profit per client"] = (out["profit"] / out["clients"]).round(2)
    return out


def check_campaign_parameters(*, call_budget: int, cost_per_call: float, value_per_deposit: float,
                              max_contacts: int, model: str, seed: int, test_share: float = 0.3) -> dict:
    """Validate the bank-campaign case study's parameters; return them as clean Python values.

    Examples
    --------
    >>> check_campaign_parameters(call_budget=3000, cost_per_call=5.0, value_per_deposit=100.0,
    ...                           max_contacts=3, model="logit", seed=0)["call_budget"]
    3000
    """
    where = "bank_campaign parameters"
    return {"call_budget": require_positive_int(call_budget, "call_budget", where=where),
            "cost_per_call": require_number(cost_per_call, "cost_per_call", where=where, low=0),
            "value_per_deposit": require_number(value_per_deposit, "value_per_deposit", where=where, low=0),
            "max_contacts": require_positive_int(max_contacts, "max_contacts", where=where),
            "model": require_choice(model, "model", MODELS, where=where),
            "seed": require_positive_int(seed, "seed", where=where, minimum=0),
            "test_share": require_number(test_share, "test_share", where=where, low=0.05, high=0.95)}


def bank_campaign(calls: pd.DataFrame, *, call_budget: int = 3000, cost_per_call: float = 5.0,
                  value_per_deposit: float = 100.0, max_contacts: int = 3, model: str = "logit",
                  seed: int = 0, test_share: float = 0.3) -> tuple[dict, np.ndarray, pd.DataFrame]:
    """The case study in one call: split, fit, score the test clients, spend the call budget.

    Returns ``(results, scores, test)``: a flat dict (test AUC, the :func:`budget_result` keys, the
    best cap of calls per client on the test set), the test clients' scores and the test frame.
    """
    from .scoring import auc

    p = check_campaign_parameters(call_budget=call_budget, cost_per_call=cost_per_call,
                                  value_per_deposit=value_per_deposit, max_contacts=max_contacts,
                                  model=model, seed=seed, test_share=test_share)
    train, test = split_calls(calls, test_share=p["test_share"], seed=p["seed"])
    m = ResponseModel(p["model"], seed=p["seed"]).fit(train)
    score = m.predict_proba(test)
    res = {"train_calls": len(train), "test_calls": len(test), "test_deposits": int(test["y"].sum()),
           "test_auc": auc(test["y"].to_numpy(dtype=int), score)}
    res.update(budget_result(test, score, call_budget=p["call_budget"], cost_per_call=p["cost_per_call"],
                             value_per_deposit=p["value_per_deposit"], max_contacts=p["max_contacts"]))
    caps = contact_cap_table(test, cost_per_call=p["cost_per_call"], value_per_deposit=p["value_per_deposit"])
    res["best_max_contacts"] = int(caps.loc[caps["profit"].idxmax(), "max calls"])
    return res, score, test
