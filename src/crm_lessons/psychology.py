"""Customer psychology and price (Chapter 13): the course's lists, and reference prices in brand choice.

The exam notes of the course material (M5) teach the four psychological stages of a sale with the
salesperson's response at each, seven customer psychologies with their responses, herd behaviour and its
prestige form, the queue technique, the feeling of a bargain, and two traits of price psychology
(perceptiveness and tendency). This module holds them as tables (:data:`SALES_STAGES`,
:data:`SEVEN_PSYCHOLOGIES`, :data:`SALES_EFFECTS`, :data:`PRICE_PSYCHOLOGY`) and measures with scanner-panel
data what data can show:

- :func:`reference_prices`: each household's reference price of each brand (the price it saw for that brand
  at its previous purchase occasion, optionally exponentially smoothed) and the gain and loss of today's
  price against it;
- :func:`fit_reference_price_choice`: the brand-choice conditional logit of :mod:`crm_lessons.choice` with
  gain and loss terms added (Winer 1986; Kalyanaram & Winer 1995);
- :func:`loss_aversion`: loss over gain coefficient, with a delta-method interval and a test of equality;
- :func:`promotion_lift`: how much a brand's predicted share rises when it is featured or displayed;
- :func:`price_tendency`: each household's tendency to buy high- or low-priced brands (价格倾向性).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._validate import CRMInputError, require_columns, require_frame, require_no_missing, require_numeric
from .choice import ConditionalLogit, brands_in, choice_arrays

__all__ = [
    "SALES_STAGES",
    "SEVEN_PSYCHOLOGIES",
    "SALES_EFFECTS",
    "PRICE_PSYCHOLOGY",
    "reference_prices",
    "fit_reference_price_choice",
    "loss_aversion",
    "promotion_lift",
    "price_tendency",
]


def _table(rows, columns) -> pd.DataFrame:
    df = pd.DataFrame(list(rows), columns=list(columns))
    df.index = pd.RangeIndex(1, len(df) + 1, name="#")
    return df


SALES_STAGES = _table([
    ("rejection", "排斥期",
     "handle with the greatest care; a customer who did not come to buy resists being sold to, so do not "
     "push or look eager; start from the customer's side and talk about their real interests",
     "no concession"),
    ("acceptance", "接受期",
     "present the product's strengths and tie each to the benefit for this customer's actual needs; "
     "do not give way easily, so the product feels worth its price",
     "no concession"),
    ("wavering", "反复期",
     "do not snap the taut line: go round the objection, let the customer settle; this is the moment "
     "for a strategic concession",
     "strategic concession"),
    ("identification (closing)", "认同期(成交期)",
     "press forward: even a small extra offer can close; keep the final concession for now, as the last "
     "push to a quick deal",
     "final concession"),
], ["stage", "中文", "the material's response (M5, paraphrased)", "concession"])

SEVEN_PSYCHOLOGIES = _table([
    ("the fault-finder is the buyer", "嫌货才是买货人",
     "do not dismiss a picky customer's wish to buy; be confident, explain the product's strengths "
     "sincerely, welcome comparison"),
    ("customers need praise", "客户需要赞美",
     "praise is an art: right amount, right object, right style per customer; praise to sign, so praise "
     "sincerely"),
    ("customers need respect", "客户需要尊重",
     "do not contradict, accept other views, do not interrupt, never expose a customer's untruth"),
    ("all sales rest on trust", "一切业绩基于客户的信任",
     "customers trust those who respect them and their opinions, and those who listen; the more they "
     "trust, the more you gain"),
    ("fear of being cheated", "怕上当受骗",
     "customers suspect a seller's information is partly false; (the material states the problem and "
     "leaves the response implicit: be verifiable)"),
    ("concern for their own interest", "关切自己利益",
     "make the customer feel you work for their benefit, not for the money in their pocket"),
    ("reverse psychology", "逆反心理",
     "the harder a product is pushed, the more it is refused; (the material states the problem: do not "
     "over-push)"),
], ["psychology", "中文", "the material's response (M5, paraphrased)"])

SALES_EFFECTS = _table([
    ("herd behaviour", "从众心理",
     "people follow the group: when some say a product is good, many buy it"),
    ("prestige effect", "威望效应", "one form of herd behaviour: following people of standing"),
    ("queue technique", "推销的排队技巧", "selling that uses customers' wish to follow the crowd"),
    ("feeling of a bargain", "占便宜的感觉", "the essence of a promotion is that customers feel they gain"),
], ["effect", "中文", "as the material states it (M5, paraphrased)"])

PRICE_PSYCHOLOGY = _table([
    ("perceptiveness", "感受性",
     "customers judge a price high or low not by its absolute level alone; other factors shape it"),
    ("tendency", "倾向性",
     "customers lean to high prices or to low prices: the first are mostly well-off buyers seeking name, "
     "status or display; the second mostly of ordinary means seeking practical value"),
], ["trait", "中文", "as the material defines it (M5, paraphrased)"])


def _ordered(panel, household, order):
    return panel.sort_values([household, order], kind="mergesort").reset_index(drop=True)


def reference_prices(panel: pd.DataFrame, *, smoothing: float = 0.0, brands: Sequence[str] | None = None,
                     household: str = "household_id", order: str = "purchase_seq") -> pd.DataFrame:
    """Reference price of every brand on every occasion, and today's gain or loss against it.

    ``ref[h, j, t] = smoothing * ref[h, j, t-1] + (1 - smoothing) * price[h, j, t-1]``, started at the
    household's first occasion with that occasion's prices; ``smoothing = 0`` means the reference is the
    price the household saw for the brand on its previous purchase occasion. ``gain = max(ref - price, 0)``
    (the price is below what the household expects: a bargain), ``loss = max(price - ref, 0)``.

    Returns
    -------
    DataFrame
        Sorted by household and order: ``household``, ``order``, ``first`` (True on a household's first
        occasion, which has no reference yet), and ``ref_<brand>``, ``gain_<brand>``, ``loss_<brand>``.

    Examples
    --------
    >>> p = pd.DataFrame({"household_id": [1, 1, 1], "purchase_seq": [1, 2, 3],
    ...                   "price_a": [10.0, 8.0, 11.0], "price_b": [5.0, 5.0, 5.0]})
    >>> reference_prices(p)[["ref_a", "gain_a", "loss_a"]]
       ref_a  gain_a  loss_a
    0   10.0     0.0     0.0
    1   10.0     2.0     0.0
    2    8.0     0.0     3.0
    """
    where = "reference_prices"
    require_frame(panel, where=where)
    if not 0 <= float(smoothing) < 1:
        raise CRMInputError(f"{where}: smoothing must be in [0, 1) (0 = the previous occasion's price); "
                            f"got {smoothing!r}.")
    brands = list(brands) if brands is not None else brands_in(panel)
    cols = [f"price_{b}" for b in brands]
    require_columns(panel, [household, order] + cols, where=where)
    require_numeric(panel, [order] + cols, where=where)
    require_no_missing(panel, [household, order] + cols, where=where)
    rows = _ordered(panel, household, order)
    price = rows[cols].to_numpy(dtype=float)
    hh = rows[household].to_numpy()
    first = np.r_[True, hh[1:] != hh[:-1]]
    ref = np.empty_like(price)
    for t in range(len(rows)):
        ref[t] = price[t] if first[t] else smoothing * ref[t - 1] + (1 - smoothing) * price[t - 1]
    out = pd.DataFrame({"household": hh, "order": rows[order].to_numpy(), "first": first})
    for k, b in enumerate(brands):
        out[f"ref_{b}"] = ref[:, k]
        out[f"gain_{b}"] = np.maximum(ref[:, k] - price[:, k], 0.0)
        out[f"loss_{b}"] = np.maximum(price[:, k] - ref[:, k], 0.0)
    return out


def fit_reference_price_choice(panel: pd.DataFrame, *, variables: Sequence[str] = ("price", "feat"),
                               loyalty_alpha: float | None = 0.8, smoothing: float = 0.0,
                               household: str = "household_id", order: str = "purchase_seq",
                               choice: str = "choice") -> ConditionalLogit:
    """Conditional logit of brand choice with reference-price gain and loss terms.

    ``U_ijt = asc_j + b_price * price_ijt + b_gain * gain_ijt + b_loss * loss_ijt + ... + b_loy * loy_ijt``
    (Winer 1986; Kalyanaram & Winer 1995). Fitted on every occasion but each household's first (no
    reference price and no loyalty history yet).

    Returns
    -------
    ConditionalLogit
        With ``brands_``, ``X_``, ``y_``, ``rows_`` and ``variables_`` as :func:`choice.fit_brand_choice`.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> m = fit_reference_price_choice(load("yogurt_panel"))
    >>> list(m.params_.index)[-3:]
    ['loyalty', 'gain', 'loss']
    """
    where = "fit_reference_price_choice"
    brands = brands_in(panel)
    cols = dict(household=household, order=order, choice=choice)
    X, y, names, rows = choice_arrays(panel, brands=brands, variables=variables, loyalty_alpha=loyalty_alpha,
                                      **cols)
    ref = reference_prices(panel, smoothing=smoothing, brands=brands, household=household, order=order)
    key = pd.MultiIndex.from_arrays([rows[household].to_numpy(), rows[order].to_numpy()])
    ref = ref.set_index(["household", "order"]).reindex(key)
    keep = ~ref["first"].to_numpy(dtype=bool)
    if not keep.any():
        raise CRMInputError(f"{where}: every household has a single occasion; a reference price needs at "
                            "least two occasions per household.")
    gain = ref[[f"gain_{b}" for b in brands]].to_numpy()
    loss = ref[[f"loss_{b}" for b in brands]].to_numpy()
    X = np.concatenate([X, gain[:, :, None], loss[:, :, None]], axis=2)[keep]
    y = y[keep]
    names = names + ["gain", "loss"]
    m = ConditionalLogit(names).fit(X, y)
    m.brands_, m.X_, m.y_ = brands, X, y
    m.rows_ = rows.loc[keep].reset_index(drop=True)
    m.variables_ = list(variables)
    return m


def loss_aversion(model: ConditionalLogit) -> pd.DataFrame:
    """Loss aversion from a reference-price logit: ``lambda = b_loss / b_gain`` and ``b_loss + b_gain``.

    With ``gain = max(ref - p, 0)`` a bargain should *raise* utility (b_gain > 0) and a loss lower it
    (b_loss < 0). Loss aversion (Tversky & Kahneman 1991) means ``|b_loss| > |b_gain|``, i.e.
    ``b_loss + b_gain < 0``. The ratio's interval is by the delta method.

    Returns
    -------
    DataFrame
        Rows ``gain``, ``loss``, ``loss + gain`` and ``|loss| / gain`` with estimate, standard error,
        95% interval and (for the sum) the p-value of the test ``b_loss + b_gain = 0``.
    """
    from scipy.stats import norm

    for v in ("gain", "loss"):
        if v not in model.params_.index:
            raise CRMInputError(f"loss_aversion: the model has no {v!r} term; fit it with "
                                "fit_reference_price_choice.")
    bg, bl = model.params_["gain"], model.params_["loss"]
    c = model.cov_
    se_sum = float(np.sqrt(c.loc["gain", "gain"] + c.loc["loss", "loss"] + 2 * c.loc["gain", "loss"]))
    ratio = -bl / bg
    grad = np.array([bl / bg**2, -1 / bg])          # d ratio / d (b_gain, b_loss)
    V = c.loc[["gain", "loss"], ["gain", "loss"]].to_numpy()
    se_ratio = float(np.sqrt(grad @ V @ grad))
    rows = {"gain": (bg, model.bse_["gain"]), "loss": (bl, model.bse_["loss"]),
            "loss + gain": (bl + bg, se_sum), "|loss| / gain": (ratio, se_ratio)}
    out = pd.DataFrame({k: {"estimate": e, "std_err": s, "lower": e - 1.959964 * s, "upper": e + 1.959964 * s}
                        for k, (e, s) in rows.items()}).T
    out["p_value"] = np.nan
    out.loc["loss + gain", "p_value"] = 2 * norm.sf(abs((bl + bg) / se_sum))
    out.index.name = "term"
    return out


def promotion_lift(model: ConditionalLogit, *, variable: str = "feat") -> pd.DataFrame:
    """Average predicted share of each brand with ``variable`` switched on vs off for that brand alone.

    Uses the occasions the model was fitted on (``model.X_``); the other brands keep their observed
    values.

    Returns
    -------
    DataFrame
        One row per brand: ``share off``, ``share on``, ``lift (points)`` (on − off, percentage points).
    """
    if variable not in model.params_.index or not hasattr(model, "X_"):
        raise CRMInputError(f"promotion_lift: the model has no fitted variable {variable!r}; fit it with "
                            f"variables including {variable!r}.")
    k = list(model.params_.index).index(variable)
    out = {}
    for j, b in enumerate(model.brands_):
        X0, X1 = model.X_.copy(), model.X_.copy()
        X0[:, j, k], X1[:, j, k] = 0.0, 1.0
        p0 = model.predict_proba(X0)[:, j].mean()
        p1 = model.predict_proba(X1)[:, j].mean()
        out[b] = {"share off": p0, "share on": p1, "lift (points)": 100 * (p1 - p0)}
    df = pd.DataFrame(out).T
    df.index.name = "brand"
    return df


def price_tendency(panel: pd.DataFrame, *, household: str = "household_id", choice: str = "choice",
                   min_purchases: int = 5) -> pd.DataFrame:
    """Each household's tendency to buy high- or low-priced brands (价格倾向性, as M5 defines it).

    For each purchase, the chosen brand's price rank among the brands on the shelf that day, scaled to
    0 (cheapest) .. 1 (dearest); a household's tendency is its mean over its purchases. Households with
    fewer than ``min_purchases`` purchases are left out.

    Returns
    -------
    DataFrame
        One row per household: ``purchases``, ``tendency`` (0..1), ``leaning`` ("high", "low" or
        "middle": above 2/3, below 1/3, between).
    """
    where = "price_tendency"
    require_frame(panel, where=where)
    brands = brands_in(panel)
    cols = [f"price_{b}" for b in brands]
    require_columns(panel, [household, choice] + cols, where=where)
    require_numeric(panel, cols, where=where)
    prices = panel[cols].to_numpy(dtype=float)
    chosen = panel[choice].astype(str).map({b: k for k, b in enumerate(brands)})
    if chosen.isna().any():
        raise CRMInputError(f"{where}: column {choice!r} holds brands not in {brands}.")
    pc = prices[np.arange(len(panel)), chosen.to_numpy(dtype=int)]
    rank = (prices < pc[:, None]).sum(axis=1) + 0.5 * ((prices == pc[:, None]).sum(axis=1) - 1)
    scaled = rank / (len(brands) - 1)
    d = pd.DataFrame({"household": panel[household].to_numpy(), "scaled": scaled})
    g = d.groupby("household").agg(purchases=("scaled", "size"), tendency=("scaled", "mean"))
    g = g[g["purchases"] >= min_purchases].copy()
    g["leaning"] = np.select([g["tendency"] > 2 / 3, g["tendency"] < 1 / 3], ["high", "low"], "middle")
    return g
