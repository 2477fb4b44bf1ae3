"""Customer experience, care and touchpoints; shopping online (chapter 10).

Measures on an online shop's invoice lines (``datasets.load("online_retail")``) and small models of the
course's e-commerce self-service:

- :func:`product_lines` keeps the lines that are goods (drops postage, fees, manual adjustments, stock
  write-offs); :func:`invoice_table` makes one row per invoice of an identified customer;
  :func:`customer_journeys` one row per customer (first order, orders, cancellations, time between
  orders); :func:`journey_funnel` the share reaching the k-th order.
- :func:`cancellation_rates` and :func:`care_consistency`: how evenly care (here: orders not cancelled)
  is delivered across countries, products or customer tiers.
- :func:`bad_experience_frame` and :func:`bad_experience_effect`: does a customer with a cancelled order
  buy again? A logit with the customer's history as controls, with confidence intervals.
- :func:`product_return_rates` and :func:`word_return_rates`: the description-goods gap's trace.
- :func:`tryon_test_plan` and :func:`tryon_break_even`: a 3D try-on as a testable hypothesis.
- :func:`escalation_funnel`, :func:`coverage_effect`, :func:`library_feedback` and :func:`staff_needed`:
  FAQ -> forum -> case library -> specialists -> expert case, answers fed back to the library.
- :func:`customer_tiers` and :func:`buyer_type`: the e-commerce customer tiers and B2B vs B2C buyers.

Every function validates its input, never changes the caller's frame and returns a new one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_columns,
    require_frame,
    require_naive_datetimes,
    require_number,
    require_numeric,
    require_positive_int,
    require_probability,
)

__all__ = [
    "LINE_COLUMNS",
    "ESCALATION_STEPS",
    "product_lines",
    "invoice_table",
    "customer_journeys",
    "journey_funnel",
    "cancellation_rates",
    "care_consistency",
    "bad_experience_frame",
    "bad_experience_effect",
    "bad_experience_outcomes",
    "product_return_rates",
    "word_return_rates",
    "tryon_test_plan",
    "tryon_break_even",
    "escalation_funnel",
    "coverage_effect",
    "library_feedback",
    "staff_needed",
    "customer_tiers",
    "buyer_type",
]

#: Columns of the invoice-line table these helpers read (as in ``load("online_retail")``).
LINE_COLUMNS = ("invoice", "stock_code", "description", "quantity", "invoice_date", "unit_price",
                "customer_id", "country")

#: The self-service escalation chain of course material M3 (e-commerce article), with illustrative
#: parameters: the share of the questions *reaching* a step that the step solves, and its cost per
#: question (GBP). The material names the steps but gives no numbers; these are assumptions to edit.
ESCALATION_STEPS = pd.DataFrame(
    [
        ("FAQ search", 0.40, 0.05),
        ("open forum", 0.30, 0.20),
        ("case library", 0.50, 0.30),
        ("specialist staff", 0.70, 6.00),
        ("expert case (TAC)", 0.95, 40.00),
        ("technical director", 1.00, 150.00),
    ],
    columns=["step", "solve_share", "cost_per_question"],
)


# --------------------------------------------------------------------------------------------------
# From invoice lines to invoices, journeys and the journey funnel
# --------------------------------------------------------------------------------------------------

def _check_lines(lines, where: str) -> pd.DataFrame:
    require_frame(lines, where=where)
    require_columns(lines, ["invoice", "stock_code", "quantity", "unit_price", "invoice_date",
                            "customer_id", "country"], where=where)
    if not pd.api.types.is_datetime64_any_dtype(lines["invoice_date"]):
        raise CRMInputError(f"{where}: column 'invoice_date' must hold datetimes, got dtype "
                            f"{lines['invoice_date'].dtype}. Convert it with pd.to_datetime(df['invoice_date']) "
                            "or load the data with crm_lessons.datasets.load('online_retail').")
    require_naive_datetimes(lines, ["invoice_date"], where=where)
    for c in ("quantity", "unit_price"):
        if not pd.api.types.is_numeric_dtype(lines[c]) or pd.api.types.is_bool_dtype(lines[c]):
            raise CRMInputError(f"{where}: column {c!r} must be numeric, got dtype {lines[c].dtype}. "
                                f"Convert it with pd.to_numeric(df[{c!r}]).")
    return lines


def product_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """Keep the invoice lines that sell or cancel goods; add ``cancelled`` and ``revenue`` (GBP).

    Dropped: stock codes that are not products (codes not starting with a digit, such as ``POST``,
    ``DOT``, ``M``, ``D``, ``BANK CHARGES``, ``AMAZONFEE``), the ``A`` bad-debt adjustments, lines with a
    price of 0 or less, and the stock write-offs (negative quantity on an ordinary invoice).
    ``cancelled`` is True on cancellation invoices (invoice number starting with ``C``); ``revenue`` is
    ``quantity * unit_price`` and is negative on them.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"invoice": ["1", "1", "C2", "3"], "stock_code": ["10001", "POST", "10001", "10002"],
    ...     "description": ["MUG", "POSTAGE", "MUG", "BAG"], "quantity": [4, 1, -1, -5],
    ...     "invoice_date": pd.to_datetime(["2011-01-01"] * 4), "unit_price": [2.0, 18.0, 2.0, 0.0],
    ...     "customer_id": [7, 7, 7, pd.NA], "country": ["France"] * 4})
    >>> product_lines(toy)[["invoice", "cancelled", "revenue"]].to_dict("list")
    {'invoice': ['1', 'C2'], 'cancelled': [False, True], 'revenue': [8.0, -2.0]}
    """
    where = "product_lines"
    _check_lines(lines, where)
    inv = lines["invoice"].astype(str)
    code = lines["stock_code"].astype(str)
    cancelled = inv.str.startswith("C")
    keep = (code.str.match(r"^\d") & ~inv.str.startswith("A") & (lines["unit_price"] > 0)
            & ~(~cancelled & (lines["quantity"] <= 0)))
    out = lines.loc[keep.to_numpy()].copy()
    out["cancelled"] = cancelled[keep].to_numpy()
    out["revenue"] = out["quantity"] * out["unit_price"]
    return out.reset_index(drop=True)


def invoice_table(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per invoice of an identified customer (from :func:`product_lines` output or raw lines).

    Columns: ``invoice``, ``customer_id``, ``country``, ``invoice_date`` (first line's time),
    ``cancelled`` (bool), ``lines``, ``units`` (absolute quantity), ``value`` (GBP, absolute value of
    the goods). Sorted by customer and date.
    """
    where = "invoice_table"
    if "cancelled" not in getattr(lines, "columns", []):
        lines = product_lines(lines)
    else:
        _check_lines(lines, where)
    known = lines[lines["customer_id"].notna()]
    if known.empty:
        raise CRMInputError(f"{where}: no line has a customer_id; the table needs identified customers.")
    g = known.assign(units=known["quantity"].abs(), value=known["revenue"].abs()).groupby(
        "invoice", sort=False, observed=True)
    out = g.agg(customer_id=("customer_id", "first"), country=("country", "first"),
                invoice_date=("invoice_date", "min"), cancelled=("cancelled", "first"),
                lines=("quantity", "size"), units=("units", "sum"), value=("value", "sum")).reset_index()
    out["customer_id"] = out["customer_id"].astype("int64")
    return out.sort_values(["customer_id", "invoice_date", "invoice"], kind="stable").reset_index(drop=True)


def _check_invoices(invoices, where: str) -> pd.DataFrame:
    require_frame(invoices, where=where)
    require_columns(invoices, ["customer_id", "invoice_date", "cancelled", "value", "country"], where=where)
    if not pd.api.types.is_bool_dtype(invoices["cancelled"]):
        raise CRMInputError(f"{where}: column 'cancelled' must be True/False, got dtype "
                            f"{invoices['cancelled'].dtype}. Build the table with experience.invoice_table(lines).")
    return invoices


def customer_journeys(invoices: pd.DataFrame) -> pd.DataFrame:
    """One row per customer: the journey's touchpoints as the invoices record them.

    Columns: ``customer_id``, ``country``, ``first_order``, ``last_order``, ``orders`` (ordinary
    invoices), ``cancellations`` (cancellation invoices), ``order_value`` and ``cancelled_value`` (GBP),
    ``mean_days_between_orders`` (NaN with one order), ``repeat`` (two or more orders) and
    ``ever_cancelled``. Customers whose only invoices are cancellations (of orders placed before the
    data start) have ``orders == 0`` and no ``first_order``.
    """
    where = "customer_journeys"
    _check_invoices(invoices, where)
    orders = invoices[~invoices["cancelled"]]
    canc = invoices[invoices["cancelled"]]
    g = orders.groupby("customer_id")
    out = pd.DataFrame({
        "first_order": g["invoice_date"].min(),
        "last_order": g["invoice_date"].max(),
        "orders": g.size(),
        "order_value": g["value"].sum(),
    })
    cg = canc.groupby("customer_id")
    out = out.join(pd.DataFrame({"cancellations": cg.size(), "cancelled_value": cg["value"].sum()}), how="outer")
    out["country"] = invoices.groupby("customer_id")["country"].first().reindex(out.index)
    out[["orders", "cancellations"]] = out[["orders", "cancellations"]].fillna(0).astype("int64")
    out[["order_value", "cancelled_value"]] = out[["order_value", "cancelled_value"]].fillna(0.0)
    span_days = (out["last_order"] - out["first_order"]).dt.total_seconds() / 86_400
    out["mean_days_between_orders"] = (span_days / (out["orders"] - 1)).where(out["orders"] > 1)
    out["repeat"] = out["orders"] >= 2
    out["ever_cancelled"] = out["cancellations"] > 0
    cols = ["country", "first_order", "last_order", "orders", "cancellations", "order_value",
            "cancelled_value", "mean_days_between_orders", "repeat", "ever_cancelled"]
    return out[cols].rename_axis("customer_id").reset_index()


def journey_funnel(journeys: pd.DataFrame, *, max_orders: int = 6) -> pd.DataFrame:
    """Customers reaching their 1st, 2nd, ... ``max_orders``-th order, and the step-to-step rate.

    ``share_of_first`` = customers with at least k orders / customers with at least one;
    ``continue_rate`` = customers with at least k orders / customers with at least k - 1.
    """
    where = "journey_funnel"
    require_frame(journeys, where=where)
    require_numeric(journeys, ["orders"], where=where)
    max_orders = require_positive_int(max_orders, "max_orders", where=where, minimum=2)
    n = np.array([(journeys["orders"] >= k).sum() for k in range(1, max_orders + 1)], dtype="int64")
    if n[0] == 0:
        raise CRMInputError(f"{where}: no customer has an order; check the 'orders' column.")
    prev = np.concatenate(([n[0]], n[:-1]))
    return pd.DataFrame({"order_number": np.arange(1, max_orders + 1), "customers": n,
                         "share_of_first": n / n[0], "continue_rate": np.where(prev > 0, n / np.maximum(prev, 1), np.nan)})


# --------------------------------------------------------------------------------------------------
# Consistency of care
# --------------------------------------------------------------------------------------------------

def _wilson(x, n, z=1.959964):
    x, n = np.asarray(x, float), np.asarray(n, float)
    p = np.divide(x, n, out=np.full_like(x, np.nan), where=n > 0)
    den = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    return centre - half, centre + half


def cancellation_rates(invoices: pd.DataFrame, by: str, *, min_invoices: int = 1) -> pd.DataFrame:
    """Share of a group's invoices that are cancellations, with a 95% Wilson interval.

    .. math:: \\hat p_g = C_g / (C_g + O_g)

    with ``C_g`` cancellation invoices and ``O_g`` ordinary invoices of group ``g``. Groups with fewer
    than ``min_invoices`` invoices are dropped. Sorted by the rate, highest first.
    """
    where = "cancellation_rates"
    _check_invoices(invoices, where)
    require_columns(invoices, [by], where=where)
    min_invoices = require_positive_int(min_invoices, "min_invoices", where=where)
    g = invoices.groupby(by, observed=True)["cancelled"]
    out = pd.DataFrame({"invoices": g.size(), "cancellations": g.sum()}).astype("int64")
    out = out[out["invoices"] >= min_invoices]
    if out.empty:
        raise CRMInputError(f"{where}: no group of {by!r} has {min_invoices} invoices; lower min_invoices.")
    out["rate"] = out["cancellations"] / out["invoices"]
    out["ci_low"], out["ci_high"] = _wilson(out["cancellations"], out["invoices"])
    return out.sort_values("rate", ascending=False).reset_index()


def care_consistency(rates: pd.DataFrame) -> pd.DataFrame:
    """How evenly a rate is delivered across groups (output of :func:`cancellation_rates`).

    Returns one row: ``groups``, ``overall_rate`` (pooled), ``lowest`` and ``highest`` group rates,
    ``weighted_cv`` (invoice-weighted standard deviation of the group rates divided by the pooled rate;
    0 = perfectly consistent), and a chi-square test of equal rates (``chi2``, ``dof``, ``p_value``).
    """
    from scipy.stats import chi2_contingency

    where = "care_consistency"
    require_frame(rates, where=where)
    require_columns(rates, ["invoices", "cancellations", "rate"], where=where)
    if len(rates) < 2:
        raise CRMInputError(f"{where}: consistency needs at least 2 groups, got {len(rates)}.")
    n, x = rates["invoices"].to_numpy(float), rates["cancellations"].to_numpy(float)
    if (x > n).any() or (x < 0).any():
        bad = rates.index[(x > n) | (x < 0)].tolist()
        raise CRMInputError(f"{where}: 'cancellations' must lie between 0 and 'invoices' in every row; rows "
                            f"{bad[:5]} do not. Pass the table cancellation_rates() returns, unchanged.")
    pooled = x.sum() / n.sum()
    r = x / n
    sd = np.sqrt(np.sum(n * (r - pooled) ** 2) / n.sum())
    table = np.column_stack([x, n - x])
    chi2, p, dof, _ = chi2_contingency(table[table.sum(axis=1) > 0], correction=False)
    return pd.DataFrame([{"groups": len(rates), "overall_rate": pooled, "lowest": r.min(), "highest": r.max(),
                          "weighted_cv": sd / pooled if pooled > 0 else np.nan, "chi2": float(chi2),
                          "dof": int(dof), "p_value": float(p)}])


# --------------------------------------------------------------------------------------------------
# A bad experience and what follows
# --------------------------------------------------------------------------------------------------

def bad_experience_frame(invoices: pd.DataFrame, *, split: str | pd.Timestamp,
                         end: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Customers active before ``split``: their history then, and whether they ordered after.

    One row per customer with at least one order before ``split``. History (before ``split``):
    ``had_cancellation`` (the "bad experience": any cancellation invoice), ``prior_orders``,
    ``log_prior_value`` (log of 1 + GBP ordered), ``recency_days`` (split - last order),
    ``tenure_days`` (split - first order), ``uk`` (customer in the United Kingdom).
    Outcome (``split`` to ``end``, default the last invoice): ``ordered_after`` (bool), ``orders_after``
    and ``days_to_next_order`` (days from ``split`` to the first order after it; NaN if none).
    """
    where = "bad_experience_frame"
    _check_invoices(invoices, where)
    split = pd.Timestamp(split)
    end = invoices["invoice_date"].max() if end is None else pd.Timestamp(end)
    if not invoices["invoice_date"].min() < split < end:
        raise CRMInputError(f"{where}: split {split} must fall inside the data "
                            f"({invoices['invoice_date'].min()} to {end}).")
    before = invoices[invoices["invoice_date"] < split]
    after = invoices[(invoices["invoice_date"] >= split) & (invoices["invoice_date"] <= end)]
    ob = before[~before["cancelled"]].groupby("customer_id")
    out = pd.DataFrame({"prior_orders": ob.size(), "prior_value": ob["value"].sum(),
                        "first": ob["invoice_date"].min(), "last": ob["invoice_date"].max()})
    out["had_cancellation"] = out.index.isin(before.loc[before["cancelled"], "customer_id"])
    out["log_prior_value"] = np.log1p(out["prior_value"])
    out["recency_days"] = (split - out["last"]).dt.total_seconds() / 86_400
    out["tenure_days"] = (split - out["first"]).dt.total_seconds() / 86_400
    out["uk"] = invoices.groupby("customer_id")["country"].first().reindex(out.index).eq("United Kingdom")
    ga = after[~after["cancelled"]].groupby("customer_id")
    out["orders_after"] = ga.size().reindex(out.index).fillna(0).astype("int64")
    out["ordered_after"] = out["orders_after"] > 0
    out["days_to_next_order"] = (ga["invoice_date"].min().reindex(out.index) - split).dt.total_seconds() / 86_400
    cols = ["had_cancellation", "prior_orders", "log_prior_value", "recency_days", "tenure_days", "uk",
            "ordered_after", "orders_after", "days_to_next_order"]
    return out[cols].rename_axis("customer_id").reset_index()


BAD_EXPERIENCE_CONTROLS = ("np.log(prior_orders)", "log_prior_value", "recency_days", "tenure_days", "uk")


def bad_experience_effect(frame: pd.DataFrame, *, controls: Sequence[str] = BAD_EXPERIENCE_CONTROLS,
                          treatment: str = "had_cancellation", outcome: str = "ordered_after") -> pd.DataFrame:
    """Raw and adjusted association of a bad experience with buying again, with 95% intervals.

    Rows: ``raw difference`` (repeat rate with minus without, normal-approximation interval),
    ``adjusted odds ratio`` (logit of ``outcome`` on ``treatment`` and ``controls``) and
    ``adjusted marginal effect`` (average change in the probability of buying again). Observational:
    the interval measures sampling noise only, not confounding by what the data do not record.
    """
    import statsmodels.formula.api as smf

    where = "bad_experience_effect"
    require_frame(frame, where=where)
    require_columns(frame, [treatment, outcome], where=where)
    t = frame[treatment].astype(bool)
    y = frame[outcome].astype(bool)
    if t.all() or not t.any():
        raise CRMInputError(f"{where}: {treatment!r} must have both True and False customers (got only "
                            f"{bool(t.iloc[0])}); compare groups only on data that holds both, e.g. a longer "
                            "period or all countries.")
    p1, p0 = y[t].mean(), y[~t].mean()
    se = np.sqrt(p1 * (1 - p1) / t.sum() + p0 * (1 - p0) / (~t).sum())
    d = frame.assign(**{treatment: t.astype(int), outcome: y.astype(int)})
    formula = f"{outcome} ~ {treatment}" + "".join(f" + {c}" for c in controls)
    fit = smf.logit(formula, data=d).fit(disp=0)
    b, (lo, hi) = fit.params[treatment], fit.conf_int().loc[treatment]
    me = fit.get_margeff(at="overall").summary_frame().loc[treatment]
    z = 1.959964
    return pd.DataFrame([
        {"measure": "raw difference", "estimate": p1 - p0, "ci_low": p1 - p0 - z * se, "ci_high": p1 - p0 + z * se},
        {"measure": "adjusted odds ratio", "estimate": np.exp(b), "ci_low": np.exp(lo), "ci_high": np.exp(hi)},
        {"measure": "adjusted marginal effect", "estimate": me["dy/dx"], "ci_low": me["Conf. Int. Low"],
         "ci_high": me["Cont. Int. Hi."]},
    ])


def bad_experience_outcomes(frame: pd.DataFrame, *, controls: Sequence[str] = BAD_EXPERIENCE_CONTROLS,
                            treatment: str = "had_cancellation") -> pd.DataFrame:
    """Does a bad experience change whether, how much and how soon customers buy again? (95% intervals)

    Three regressions of :func:`bad_experience_frame` outcomes on ``treatment`` and ``controls``:

    - ``buys again (odds ratio)``: logit of ``ordered_after``;
    - ``orders after (rate ratio)``: Poisson regression of ``orders_after`` with robust (HC1) errors;
    - ``days to next order (ratio)``: OLS of ``log(days_to_next_order)`` with robust errors, customers who
      ordered again only (a ratio below 1 = sooner).

    Each estimate is ``exp(coefficient)``; 1 means no difference for customers with the same history.
    """
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    where = "bad_experience_outcomes"
    require_frame(frame, where=where)
    require_columns(frame, [treatment, "ordered_after", "orders_after", "days_to_next_order"], where=where)
    t = frame[treatment].astype(bool)
    if t.all() or not t.any():
        raise CRMInputError(f"{where}: {treatment!r} must have both True and False customers (got only "
                            f"{bool(t.iloc[0])}); compare groups only on data that holds both, e.g. a longer "
                            "period or all countries.")
    d = frame.assign(**{treatment: t.astype(int), "ordered_after": frame["ordered_after"].astype(int)})
    rhs = treatment + "".join(f" + {c}" for c in controls)
    back = d[d["days_to_next_order"] > 0]
    fits = [
        ("buys again (odds ratio)", smf.logit(f"ordered_after ~ {rhs}", data=d).fit(disp=0), len(d)),
        ("orders after (rate ratio)", smf.glm(f"orders_after ~ {rhs}", data=d, family=sm.families.Poisson())
         .fit(cov_type="HC1"), len(d)),
        ("days to next order (ratio)", smf.ols(f"np.log(days_to_next_order) ~ {rhs}", data=back)
         .fit(cov_type="HC1"), len(back)),
    ]
    rows = []
    for name, fit, n in fits:
        lo, hi = fit.conf_int().loc[treatment]
        rows.append({"outcome": name, "estimate": float(np.exp(fit.params[treatment])),
                     "ci_low": float(np.exp(lo)), "ci_high": float(np.exp(hi)), "customers": int(n)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# The description-goods gap
# --------------------------------------------------------------------------------------------------

def product_return_rates(lines: pd.DataFrame, *, min_lines: int = 200) -> pd.DataFrame:
    """Order lines and cancellation (return) lines per product; ``return_rate`` = cancelled / ordered lines.

    .. math:: r_p = \\frac{\\text{cancellation lines of } p}{\\text{order lines of } p}

    Lines, not units, so that a single huge order that was cancelled does not dominate a product.
    Works on raw lines or :func:`product_lines` output; every line counts, with or without a customer.
    Products with fewer than ``min_lines`` order lines are dropped. ``description`` is the product's
    most frequent description. Units are reported too. Sorted by return rate, highest first.
    """
    where = "product_return_rates"
    if "cancelled" not in getattr(lines, "columns", []):
        lines = product_lines(lines)
    require_columns(lines, ["stock_code", "description", "quantity", "cancelled"], where=where)
    min_lines = require_positive_int(min_lines, "min_lines", where=where)
    c = lines["cancelled"].astype(bool)
    q = lines["quantity"].abs()
    key = lines["stock_code"]
    out = pd.DataFrame({"order_lines": (~c).groupby(key).sum(), "return_lines": c.groupby(key).sum(),
                        "units_sold": q.where(~c, 0).groupby(key).sum(),
                        "units_returned": q.where(c, 0).groupby(key).sum()}).astype("int64")
    counts = lines.dropna(subset=["description"]).groupby(["stock_code", "description"]).size()
    counts = counts.sort_values(ascending=False, kind="stable")  # most frequent description first
    desc = counts.reset_index().drop_duplicates("stock_code").set_index("stock_code")["description"]
    out.insert(0, "description", desc.reindex(out.index))
    out = out[out["order_lines"] >= min_lines]
    if out.empty:
        raise CRMInputError(f"{where}: no product has {min_lines} order lines; lower min_lines.")
    out["return_rate"] = out["return_lines"] / out["order_lines"]
    return out.sort_values("return_rate", ascending=False).rename_axis("stock_code").reset_index()


def word_return_rates(products: pd.DataFrame, *, min_products: int = 20) -> pd.DataFrame:
    """Pooled return rate (cancelled / ordered lines) of the products whose description has each word.

    ``products`` is the output of :func:`product_return_rates`. Words (upper-case, letters only, at
    least 3 letters) used by fewer than ``min_products`` products are dropped. Sorted highest first.
    """
    where = "word_return_rates"
    require_frame(products, where=where)
    require_columns(products, ["description", "order_lines", "return_lines"], where=where)
    min_products = require_positive_int(min_products, "min_products", where=where)
    words = (products["description"].fillna("").str.upper().str.findall(r"[A-Z]{3,}")
             .apply(lambda w: sorted(set(w))))
    long = products[["order_lines", "return_lines"]].assign(word=words).explode("word").dropna(subset=["word"])
    g = long.groupby("word")
    out = pd.DataFrame({"products": g.size(), "order_lines": g["order_lines"].sum(),
                        "return_lines": g["return_lines"].sum()})
    out = out[out["products"] >= min_products]
    if out.empty:
        raise CRMInputError(f"{where}: no word appears in {min_products} products; lower min_products.")
    out["return_rate"] = out["return_lines"] / out["order_lines"]
    return out.sort_values("return_rate", ascending=False).rename_axis("word").reset_index()


def tryon_test_plan(baseline_rate: float, relative_reduction: float, *, orders_per_week: float,
                    alpha: float = 0.05, power: float = 0.8) -> pd.DataFrame:
    """Orders and weeks an A/B test needs to detect that a richer presentation cuts the return rate.

    Hypothesis: showing the product richer (e.g. a 3D try-on) lowers the share of orders returned from
    ``baseline_rate`` to ``baseline_rate * (1 - relative_reduction)``. Orders are split 50/50; the
    sample size comes from :func:`crm_lessons.interact.ab_sample_size` (Cohen's h, two-sided test).
    """
    from .interact import ab_sample_size

    where = "tryon_test_plan"
    p0 = require_probability(baseline_rate, "baseline_rate", where=where, allow_zero=False, allow_one=False)
    red = require_number(relative_reduction, "relative_reduction", where=where, low=0, high=1,
                         low_inclusive=False, high_inclusive=False)
    per_week = require_number(orders_per_week, "orders_per_week", where=where, low=0, low_inclusive=False)
    n = ab_sample_size(p0, p0 * (1 - red), alpha=alpha, power=power)
    return pd.DataFrame([{"baseline_rate": p0, "target_rate": p0 * (1 - red), "effect_size_h": n["effect_size"],
                          "orders_per_arm": n["n_control"], "orders_total": n["n_total"],
                          "weeks": n["n_total"] / per_week}])


def tryon_break_even(investment: float, *, orders_per_year: float, return_rate: float,
                     relative_reduction: float, cost_per_return: float, yearly_running_cost: float = 0.0) -> float:
    """Years until a try-on investment is paid back by the returns it avoids (inf if never).

    .. math:: \\text{years} = I / (N r \\rho c - R)

    with investment ``I``, orders per year ``N``, return rate ``r``, relative reduction ``rho``, cost per
    return ``c`` and yearly running cost ``R``.
    """
    where = "tryon_break_even"
    inv = require_number(investment, "investment", where=where, low=0)
    n = require_number(orders_per_year, "orders_per_year", where=where, low=0)
    r = require_probability(return_rate, "return_rate", where=where)
    rho = require_probability(relative_reduction, "relative_reduction", where=where)
    c = require_number(cost_per_return, "cost_per_return", where=where, low=0)
    run = require_number(yearly_running_cost, "yearly_running_cost", where=where, low=0)
    saving = n * r * rho * c - run
    return inv / saving if saving > 0 else float("inf")


# --------------------------------------------------------------------------------------------------
# E-commerce self-service: the escalation chain
# --------------------------------------------------------------------------------------------------

def _check_steps(steps, where):
    require_frame(steps, where=where)
    require_columns(steps, ["step", "solve_share", "cost_per_question"], where=where)
    s = steps["solve_share"].to_numpy(float)
    if np.isnan(s).any() or (s < 0).any() or (s > 1).any():
        raise CRMInputError(f"{where}: every 'solve_share' must lie in [0, 1], got {s.tolist()}.")
    if (steps["cost_per_question"].to_numpy(float) < 0).any():
        raise CRMInputError(f"{where}: 'cost_per_question' must be 0 or more, got "
                            f"{steps['cost_per_question'].tolist()}; give each step's cost per question handled.")
    return steps


def escalation_funnel(questions: float, steps: pd.DataFrame | None = None) -> pd.DataFrame:
    """Follow ``questions`` down the escalation chain: how many reach, are solved at, and cost each step.

    A question reaching step k is solved there with probability ``s_k``; otherwise it moves on:

    .. math:: R_1 = Q,\\quad S_k = s_k R_k,\\quad R_{k+1} = R_k - S_k = Q \\prod_{j \\le k} (1 - s_j)

    Cost of step k = ``R_k * cost_per_question_k`` (every question reaching a step uses it). Questions
    still unsolved after the last step appear in the row ``unsolved``.
    """
    where = "escalation_funnel"
    q = require_number(questions, "questions", where=where, low=0)
    steps = ESCALATION_STEPS if steps is None else _check_steps(steps, where)
    s = steps["solve_share"].to_numpy(float)
    reached = q * np.concatenate(([1.0], np.cumprod(1 - s)[:-1]))
    solved = reached * s
    out = pd.DataFrame({"step": steps["step"].astype(str).to_numpy(), "reached": reached, "solved": solved,
                        "share_solved_here": solved / q if q > 0 else np.nan,
                        "cost": reached * steps["cost_per_question"].to_numpy(float)})
    left = reached[-1] - solved[-1]
    if left > 1e-9 * max(q, 1):
        out = pd.concat([out, pd.DataFrame([{"step": "unsolved", "reached": left, "solved": 0.0,
                                             "share_solved_here": 0.0, "cost": 0.0}])], ignore_index=True)
    return out


def _with_coverage(steps, coverage, find_rate, where):
    c = require_probability(coverage, "coverage", where=where)
    f = require_probability(find_rate, "find_rate", where=where)
    st = (ESCALATION_STEPS if steps is None else _check_steps(steps, where)).copy()
    if "case library" not in set(st["step"]):
        raise CRMInputError(f"{where}: steps need a row named 'case library'.")
    st.loc[st["step"] == "case library", "solve_share"] = c * f
    return st


def coverage_effect(questions: float, coverages: Sequence[float], *, find_rate: float = 0.8,
                    steps: pd.DataFrame | None = None, staff_step: str = "specialist staff") -> pd.DataFrame:
    """Questions reaching the staff, and the chain's cost, as the case library's coverage changes.

    The case library solves ``coverage * find_rate`` of the questions reaching it (coverage: share of
    questions whose answer is in the library; find_rate: share of those the customer finds).
    """
    where = "coverage_effect"
    rows = []
    for c in coverages:
        f = escalation_funnel(questions, _with_coverage(steps, c, find_rate, where))
        if staff_step not in set(f["step"]):
            raise CRMInputError(f"{where}: staff_step {staff_step!r} is not a step; steps are {f['step'].tolist()}.")
        staff = f.loc[f["step"] == staff_step, "reached"].iloc[0]
        rows.append({"coverage": float(c), "to_staff": staff, "self_solved": f["solved"].iloc[:3].sum(),
                     "cost": f["cost"].sum()})
    return pd.DataFrame(rows)


def library_feedback(periods: int, *, coverage0: float = 0.3, publish_share: float = 0.6,
                     learn_rate: float = 0.1) -> pd.DataFrame:
    """Coverage of the case library when experts' answers are fed back (published) each period.

    A stated model, not an estimate: each period the uncovered share of question topics shrinks by
    ``publish_share * learn_rate`` (answers published x share of the uncovered topics they close):

    .. math:: c_{t+1} = c_t + \\pi \\lambda (1 - c_t)
    """
    where = "library_feedback"
    periods = require_positive_int(periods, "periods", where=where)
    c0 = require_probability(coverage0, "coverage0", where=where)
    pi = require_probability(publish_share, "publish_share", where=where)
    lam = require_probability(learn_rate, "learn_rate", where=where)
    t = np.arange(periods + 1)
    return pd.DataFrame({"period": t, "coverage": 1 - (1 - c0) * (1 - pi * lam) ** t})


def staff_needed(questions_per_week: float, minutes_per_question: float, *, hours_per_week: float = 37.5,
                 occupancy: float = 0.85) -> float:
    """Full-time staff to answer the questions: workload hours / (hours per week x occupancy).

    .. math:: \\text{FTE} = \\frac{Q \\, m / 60}{H \\, u}
    """
    where = "staff_needed"
    q = require_number(questions_per_week, "questions_per_week", where=where, low=0)
    m = require_number(minutes_per_question, "minutes_per_question", where=where, low=0)
    h = require_number(hours_per_week, "hours_per_week", where=where, low=0, low_inclusive=False)
    u = require_probability(occupancy, "occupancy", where=where, allow_zero=False)
    return q * m / 60 / (h * u)


# --------------------------------------------------------------------------------------------------
# Customer tiers and buyer types
# --------------------------------------------------------------------------------------------------

def customer_tiers(journeys: pd.DataFrame, *, top_share: float = 0.2) -> pd.DataFrame:
    """Assign the data's buyers to tiers 2-4 (tier 1, browsers who never buy, leaves no invoice).

    Tier 2: one order; tier 3: repeat buyers; tier 4: repeat buyers in the top ``top_share`` of all
    buyers by order value. Returns ``journeys`` with a ``tier`` column (ordered category); customers
    with no order (only cancellations) are dropped.
    """
    where = "customer_tiers"
    require_frame(journeys, where=where)
    require_numeric(journeys, ["orders", "order_value"], where=where)
    top = require_probability(top_share, "top_share", where=where, allow_zero=False)
    out = journeys[journeys["orders"] > 0].copy()
    cut = out["order_value"].quantile(1 - top)
    tier = np.where(out["orders"] < 2, "2 one-time buyer",
                    np.where(out["order_value"] >= cut, "4 loyal core", "3 repeat buyer"))
    levels = ["2 one-time buyer", "3 repeat buyer", "4 loyal core"]
    out["tier"] = pd.Categorical(tier, categories=levels, ordered=True)
    return out.reset_index(drop=True)


def buyer_type(invoices: pd.DataFrame, *, wholesale_units: float = 100) -> pd.DataFrame:
    """Label each customer B2B (wholesale) or B2C by the median units of their orders.

    A customer whose median order holds at least ``wholesale_units`` units is ``B2B``. Returns one row
    per customer: ``customer_id``, ``median_units``, ``buyer``.
    """
    where = "buyer_type"
    _check_invoices(invoices, where)
    require_columns(invoices, ["units"], where=where)
    w = require_number(wholesale_units, "wholesale_units", where=where, low=0, low_inclusive=False)
    med = invoices[~invoices["cancelled"]].groupby("customer_id")["units"].median()
    return pd.DataFrame({"customer_id": med.index, "median_units": med.to_numpy(),
                         "buyer": np.where(med.to_numpy() >= w, "B2B", "B2C")})
