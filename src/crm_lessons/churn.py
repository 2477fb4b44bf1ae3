"""Churn (客户流失): who leaves, when, and whom a retention offer should go to.

Built for the IBM Telco sample (``load("telco_churn_ibm")``: one row per customer, ``churn`` = left
within the last month, ``tenure`` = months with the firm), but every helper takes column names.

- :func:`churn_features`, :func:`split_customers`, :func:`fit_churn_logit`: a logistic regression
  (statsmodels) on a seeded training split; :func:`odds_ratios` and :func:`marginal_effects`
  (``get_margeff``) explain it;
- :func:`roc_table`, :func:`auc`, :func:`gains_table`, :func:`calibration_table`: how good its risk
  scores are on held-out customers;
- :func:`kaplan_meier` (statsmodels ``SurvfuncRight``), :func:`fit_cox` (``PHReg``),
  :func:`hazard_ratios`, :func:`proportional_hazards_test` (Schoenfeld residuals): survival by tenure;
- :func:`monthly_retention`, :func:`saved_customer_clv`, :func:`targeting_table`,
  :func:`select_targets`, :func:`campaign_summary`: retention economics, valued with the CLV formula
  of Chapter 1, ``CLV = m r / (1 + i - r)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_choice,
    require_columns,
    require_frame,
    require_no_missing,
    require_number,
    require_numeric,
    require_positive_int,
    require_probability,
)
from ._validate import require_binary, require_non_negative, require_min_rows, require_min_groups, require_varies, require_unique_key  # bad-input checks (issue 17)

__all__ = [
    "TELCO_SERVICES",
    "churn_features",
    "services_held",
    "split_customers",
    "fit_churn_logit",
    "odds_ratios",
    "marginal_effects",
    "predict_churn",
    "auc",
    "roc_table",
    "gains_table",
    "calibration_table",
    "kaplan_meier",
    "fit_cox",
    "hazard_ratios",
    "proportional_hazards_test",
    "monthly_retention",
    "clv",
    "saved_customer_clv",
    "targeting_table",
    "select_targets",
    "campaign_summary",
    "check_campaign_parameters",
    "retention_campaign",
]

#: Add-on services of the Telco sample (each "Yes", "No" or "No ... service").
TELCO_SERVICES = ("phone_service", "multiple_lines", "online_security", "online_backup", "device_protection",
                  "tech_support", "streaming_tv", "streaming_movies")


def _yes(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=float)
    return (s.astype(str) == "Yes").to_numpy(dtype=float)


def services_held(telco: pd.DataFrame, *, services: Sequence[str] = TELCO_SERVICES,
                  internet: str = "internet_service") -> pd.Series:
    """Number of services each customer holds (cross-selling, 交叉销售): add-ons plus internet.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> int(services_held(load("telco_churn_ibm")).max())
    9
    """
    where = "services_held"
    require_frame(telco, where=where)
    require_columns(telco, [*services, internet], where=where)
    n = sum(_yes(telco[c]) for c in services)
    n = n + (telco[internet].astype(str) != "No").to_numpy(dtype=float)
    return pd.Series(n.astype("int64"), index=telco.index, name="services_held")


def churn_features(telco: pd.DataFrame) -> pd.DataFrame:
    """Design matrix for the churn logit: numbers and 0/1 indicators with named reference levels.

    Columns: ``tenure_years``; ``one_year`` and ``two_year`` (contract, reference month-to-month);
    ``fiber_optic`` and ``no_internet`` (reference DSL); ``electronic_check`` (vs any other payment);
    ``paperless_billing``, ``senior_citizen``, ``partner``, ``dependents``; one indicator per add-on
    service (``online_security`` ... ``multiple_lines``, 1 = has it); ``monthly_charges_10``
    (monthly charges in tens of dollars). No constant (:func:`fit_churn_logit` adds it).

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> churn_features(load("telco_churn_ibm")).shape
    (7043, 18)
    """
    where = "churn_features"
    need = ["tenure", "contract", "internet_service", "payment_method", "paperless_billing", "senior_citizen",
            "partner", "dependents", "monthly_charges", *TELCO_SERVICES[1:]]
    require_frame(telco, where=where)
    require_columns(telco, need, where=where)
    require_non_negative(telco, ["tenure", "monthly_charges"], where=where)
    require_no_missing(telco, need, where=where)
    _customer_rows(telco, where)
    contract = telco["contract"].astype(str)
    internet = telco["internet_service"].astype(str)
    X = pd.DataFrame(index=telco.index)
    X["tenure_years"] = telco["tenure"].to_numpy(dtype=float) / 12.0
    X["one_year"] = (contract == "One year").to_numpy(dtype=float)
    X["two_year"] = (contract == "Two year").to_numpy(dtype=float)
    X["fiber_optic"] = (internet == "Fiber optic").to_numpy(dtype=float)
    X["no_internet"] = (internet == "No").to_numpy(dtype=float)
    X["electronic_check"] = (telco["payment_method"].astype(str) == "Electronic check").to_numpy(dtype=float)
    for c in ["paperless_billing", "senior_citizen", "partner", "dependents"]:
        X[c] = _yes(telco[c]) if not pd.api.types.is_numeric_dtype(telco[c]) else telco[c].to_numpy(float)
    for c in TELCO_SERVICES[1:]:
        X[c] = _yes(telco[c])
    X["monthly_charges_10"] = telco["monthly_charges"].to_numpy(dtype=float) / 10.0
    return X


def split_customers(data: pd.DataFrame, *, test_size: float = 0.3, seed: int = 0,
                    stratify: str | None = "churn") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded split of customers into a training and a held-out set (stratified by ``stratify``).

    Returns copies; the caller's frame is untouched.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> train, test = split_customers(load("telco_churn_ibm"), seed=1)
    >>> len(train), len(test)
    (4930, 2113)
    """
    where = "split_customers"
    require_frame(data, where=where)
    _customer_rows(data, where)
    test_size = require_number(test_size, "test_size", where=where, low=0, high=1, low_inclusive=False,
                               high_inclusive=False)
    rng = np.random.default_rng(seed)
    if stratify is not None:
        require_columns(data, [stratify], where=where)
        groups = [np.flatnonzero((data[stratify] == v).to_numpy()) for v in pd.unique(data[stratify])]
    else:
        groups = [np.arange(len(data))]
    test_idx = []
    for g in groups:
        k = int(round(test_size * len(g)))
        test_idx.append(rng.permutation(g)[:k])
    mask = np.zeros(len(data), dtype=bool)
    mask[np.concatenate(test_idx)] = True
    return data.loc[~mask].copy(), data.loc[mask].copy()


def fit_churn_logit(train: pd.DataFrame, *, target: str = "churn", features=churn_features):
    """Fit a logistic regression of churn with statsmodels (``sm.Logit``) on ``features(train)``.

    Parameters
    ----------
    train : DataFrame
        Customers to learn from (e.g. the first frame of :func:`split_customers`).
    target : str
        Boolean or 0/1 column: did the customer leave?
    features : callable, default :func:`churn_features`
        Builds the design matrix from the frame.

    Bad input: one row per customer (a repeated ``customer_id`` is an error); churners and stayers;
    more customers than coefficients; a singular design is a CRMInputError that says what to drop.

    Returns
    -------
    statsmodels ``LogitResults``
        With ``.features`` (the function used) attached, for :func:`predict_churn`.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> train, test = split_customers(load("telco_churn_ibm"), seed=0)
    >>> res = fit_churn_logit(train)
    >>> bool(res.params["two_year"] < 0)   # two-year contracts churn less
    True
    """
    import statsmodels.api as sm

    where = "fit_churn_logit"
    require_frame(train, where=where)
    require_columns(train, [target], where=where)
    require_no_missing(train, [target], where=where)
    _customer_rows(train, where)
    y = train[target]
    if not (pd.api.types.is_bool_dtype(y) or set(pd.unique(y)) <= {0, 1}):
        raise CRMInputError(f"{where}: column {target!r} must be True/False or 0/1, got values "
                            f"{sorted(map(str, pd.unique(y)))[:5]}.")
    if y.nunique() < 2:
        raise CRMInputError(f"{where}: column {target!r} has a single value; the model needs churners and "
                            "stayers.")
    X = sm.add_constant(features(train), has_constant="add")
    require_min_rows(train, X.shape[1] + 1, where=where, what="customers",
                     why=f"the logit estimates {X.shape[1]} coefficients")
    try:
        res = sm.Logit(y.to_numpy(dtype=float), X).fit(disp=0, maxiter=200)
    except (np.linalg.LinAlgError, ValueError) as err:
        raise CRMInputError(f"{where}: the logit cannot be fitted on these {len(train)} customers ({err}); "
                            "a feature that is constant or duplicates another makes the design singular. "
                            "Use more customers or drop that feature.") from None
    res.features = features
    return res


def predict_churn(result, data: pd.DataFrame) -> pd.Series:
    """Churn probability of each customer in ``data`` from a :func:`fit_churn_logit` result.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> train, test = split_customers(load("telco_churn_ibm"), seed=0)
    >>> p = predict_churn(fit_churn_logit(train), test)
    >>> bool(p.between(0, 1).all()), len(p) == len(test)
    (True, True)
    """
    import statsmodels.api as sm

    X = sm.add_constant(result.features(data), has_constant="add")
    return pd.Series(np.asarray(result.predict(X)), index=data.index, name="p_churn")


def odds_ratios(result, *, alpha: float = 0.05) -> pd.DataFrame:
    """Odds ratios ``exp(b)`` of a fitted logit with their (1 - alpha) confidence intervals.

    An odds ratio of 0.5 halves a customer's odds of leaving for a one-unit rise in the variable,
    holding the others fixed.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> train, test = split_customers(load("telco_churn_ibm"), seed=0)
    >>> odds_ratios(fit_churn_logit(train)).loc["two_year", "odds_ratio"].round(3)
    np.float64(0.247)
    """
    alpha = require_probability(alpha, "alpha", where="odds_ratios", allow_zero=False, allow_one=False)
    ci = np.exp(result.conf_int(alpha=alpha))
    out = pd.DataFrame({"odds_ratio": np.exp(result.params), "lower": ci.iloc[:, 0], "upper": ci.iloc[:, 1],
                        "p_value": result.pvalues})
    return out.drop(index="const", errors="ignore")


def marginal_effects(result) -> pd.DataFrame:
    """Average marginal effects (``get_margeff(at="overall")``): change in churn probability per unit.

    For a 0/1 indicator this is the derivative, close to the average difference in probability.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> train, test = split_customers(load("telco_churn_ibm"), seed=0)
    >>> marginal_effects(fit_churn_logit(train)).loc["two_year", "effect"].round(3)
    np.float64(-0.191)
    """
    m = result.get_margeff(at="overall", method="dydx")
    f = m.summary_frame()
    f.columns = ["effect", "std_err", "z", "p_value", "lower", "upper"]
    return f


# Scoring a risk ranking is the same in every chapter (churn, mailing response, renewal): the
# functions live in crm_lessons.scoring; churn keeps its own column names for the gains table.
from .scoring import auc, calibration_table, roc_table  # noqa: E402  (re-exported)


def gains_table(y, score, *, bins: int = 10) -> pd.DataFrame:
    """Gains and lift by score band: contact the riskiest x% first, how many churners do you reach?

    :func:`crm_lessons.scoring.gains_table` with churn's names: ``customers``, ``churners``,
    ``churn_rate``, ``cum_share_customers``, ``cum_share_churners`` (the gains curve), ``lift`` (band
    churn rate / overall churn rate) and ``cum_lift``.

    Examples
    --------
    >>> g = gains_table([1, 1, 0, 0, 1, 0, 0, 0, 0, 0], [.9, .8, .7, .6, .5, .4, .3, .2, .1, 0], bins=5)
    >>> g["cum_share_churners"].round(3).tolist()
    [0.667, 0.667, 1.0, 1.0, 1.0]
    """
    from .scoring import gains_table as _gains

    return _gains(y, score, bins=bins, positive="churners").rename(columns={"rate": "churn_rate"})


def _customer_rows(data: pd.DataFrame, where: str, id_col: str = "customer_id") -> None:
    """Customer-level frames hold one row per customer: a repeated id (an exact copy of a row, say) would
    weight that customer twice in every fit and count."""
    if id_col in data.columns:
        require_no_missing(data, [id_col], where=where)
        require_unique_key(data, id_col, where=where, what="customer")


def _surv_inputs(data, duration, event, where):
    require_frame(data, where=where)
    _customer_rows(data, where)
    require_columns(data, [duration, event], where=where)
    require_numeric(data, [duration], where=where)
    require_no_missing(data, [duration, event], where=where)
    require_binary(data, [event], where=where)
    if (data[duration] < 0).any():
        raise CRMInputError(f"{where}: column {duration!r} has negative durations; a duration is time "
                            "since the start (>= 0). Fix or drop those rows.")
    return data[duration].to_numpy(dtype=float), data[event].to_numpy(dtype=float)


def kaplan_meier(data: pd.DataFrame, *, duration: str = "tenure", event: str = "churn",
                 group: str | None = "contract") -> pd.DataFrame:
    """Kaplan-Meier survival (share still a customer) by tenure, per group (statsmodels ``SurvfuncRight``).

    Returns
    -------
    DataFrame
        ``group``, ``time``, ``survival``, ``lower``/``upper`` (pointwise 95%, log-log scale),
        ``at_risk``, ``events`` and ``log_minus_log`` = log(-log S) (for the proportional-hazards
        check: parallel curves against log time support proportional hazards).

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> km = kaplan_meier(load("telco_churn_ibm"))
    >>> km.groupby("group", observed=True)["survival"].min().round(3).to_dict()
    {'Month-to-month': 0.129, 'One year': 0.568, 'Two year': 0.936}
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    where = "kaplan_meier"
    t, e = _surv_inputs(data, duration, event, where)
    if group is None:
        keys = np.array(["all"] * len(t), dtype=object)
        levels = ["all"]
    else:
        require_columns(data, [group], where=where)
        require_no_missing(data, [group], where=where)
        keys = data[group].astype(str).to_numpy()
        levels = ([str(c) for c in data[group].cat.categories if (keys == str(c)).any()]
                  if isinstance(data[group].dtype, pd.CategoricalDtype) else sorted(set(keys)))
    frames = []
    for lv in levels:
        m = keys == lv
        sf = SurvfuncRight(t[m], e[m])
        S = sf.surv_prob
        with np.errstate(divide="ignore", invalid="ignore"):
            # log-log interval (Kalbfleisch & Prentice), as R's survival::survfit(conf.type="log-log")
            se_ll = sf.surv_prob_se / (S * np.abs(np.log(S)))
            ll = np.log(-np.log(S))
            lo = np.exp(-np.exp(ll + 1.959964 * se_ll))
            hi = np.exp(-np.exp(ll - 1.959964 * se_ll))
        lo = np.where(np.isfinite(lo), lo, S)
        hi = np.where(np.isfinite(hi), hi, S)
        frames.append(pd.DataFrame({"group": lv, "time": sf.surv_times, "survival": S, "lower": lo,
                                    "upper": hi, "at_risk": sf.n_risk, "events": sf.n_events,
                                    "log_minus_log": ll}))
    out = pd.concat(frames, ignore_index=True)
    out["group"] = pd.Categorical(out["group"], categories=levels)
    return out


def fit_cox(data: pd.DataFrame, covariates: pd.DataFrame, *, duration: str = "tenure", event: str = "churn",
            strata: str | None = None):
    """Cox proportional-hazards model of time to churn (statsmodels ``PHReg``, Breslow ties).

    Parameters
    ----------
    data : DataFrame
        Customers with ``duration`` and ``event`` columns.
    covariates : DataFrame
        Numeric covariates (same rows as ``data``), e.g. columns of :func:`churn_features` without
        ``tenure_years`` (tenure is the time axis here).
    strata : str, optional
        Column of ``data`` to stratify on: each stratum gets its own baseline hazard, which is the
        remedy when that variable breaks proportional hazards.

    Bad input: one row per customer (a repeated ``customer_id`` is an error); durations >= 0 and a 0/1
    event; at least (covariates + 2) customers, one event and covariates that vary, else
    :class:`~crm_lessons._validate.CRMInputError` naming the minimum (never "Singular matrix").

    Examples
    --------
    >>> d = pd.DataFrame({"tenure": [1, 2, 3, 4, 5, 6, 7, 8], "churn": [1, 0, 1, 1, 0, 1, 0, 0]})
    >>> res = fit_cox(d, pd.DataFrame({"x": [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0]}))
    >>> round(float(hazard_ratios(res).loc["x", "hazard_ratio"]), 2)
    2.9
    """
    from statsmodels.duration.hazard_regression import PHReg

    where = "fit_cox"
    t, e = _surv_inputs(data, duration, event, where)
    require_frame(covariates, where=where)
    if len(covariates) != len(data):
        raise CRMInputError(f"{where}: covariates has {len(covariates)} rows, data has {len(data)}.")
    require_numeric(covariates, list(covariates.columns), where=where)
    require_no_missing(covariates, list(covariates.columns), where=where)
    require_min_rows(data, covariates.shape[1] + 2, where=where, what="customers",
                     why=f"a Cox model with {covariates.shape[1]} covariate(s) needs more customers than covariates")
    require_varies(covariates, list(covariates.columns), where=where,
                   why="a constant covariate has no hazard ratio (singular matrix)")
    if e.sum() < 1:
        raise CRMInputError(f"{where}: column {event!r} has no event (no churner); a Cox model needs at least 1.")
    kw = {}
    if strata is not None:
        require_columns(data, [strata], where=where)
        require_no_missing(data, [strata], where=where)
        kw["strata"] = data[strata].astype(str).to_numpy()
    model = PHReg(t, covariates.astype(float), status=e, ties="breslow", **kw)
    try:
        res = model.fit()
    except np.linalg.LinAlgError as err:
        raise CRMInputError(f"{where}: the Cox model cannot be fitted on these {len(data)} customers ({err}); "
                            "two covariates may carry the same information. Use more customers or drop one.") from None
    if not np.all(np.isfinite(res.params)):
        raise CRMInputError(f"{where}: the Cox model did not converge on these {len(data)} customers (some "
                            "coefficients are not finite): too few events for the covariates. Use more "
                            "customers or fewer covariates.")
    res.covariate_names = list(covariates.columns)
    res.durations = t
    res.events = e
    return res


def hazard_ratios(result, *, alpha: float = 0.05) -> pd.DataFrame:
    """Hazard ratios ``exp(b)`` of a Cox model with confidence intervals and p-values.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> t = load("telco_churn_ibm")
    >>> res = fit_cox(t, churn_features(t)[["one_year", "two_year"]])
    >>> hazard_ratios(res)["hazard_ratio"].round(3).tolist()
    [0.113, 0.015]
    """
    alpha = require_probability(alpha, "alpha", where="hazard_ratios", allow_zero=False, allow_one=False)
    ci = np.exp(result.conf_int(alpha=alpha))
    names = getattr(result, "covariate_names", None) or [f"x{k}" for k in range(len(result.params))]
    return pd.DataFrame({"hazard_ratio": np.exp(result.params), "lower": ci[:, 0], "upper": ci[:, 1],
                         "p_value": result.pvalues}, index=pd.Index(names, name="covariate"))


def proportional_hazards_test(result) -> pd.DataFrame:
    """Check proportional hazards: correlate each covariate's Schoenfeld residuals with time.

    Under proportional hazards the (unscaled) Schoenfeld residuals show no trend over time. This is
    the rank-time version of Grambsch & Therneau's (1994) test: the Pearson correlation of each
    residual with the rank of the event time, with ``z = r sqrt(d - 2) / sqrt(1 - r^2)`` over ``d``
    events. A small p-value says the covariate's effect changes with tenure.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> t = load("telco_churn_ibm")
    >>> ph = proportional_hazards_test(fit_cox(t, churn_features(t)[["one_year", "two_year"]]))
    >>> bool(ph.loc["one_year", "p_value"] < 0.01)   # the contract effect changes with tenure
    True
    """
    from scipy.stats import norm, rankdata

    R = np.asarray(result.schoenfeld_residuals)
    t = result.durations
    ok = np.isfinite(R).all(axis=1)
    R, tt = R[ok], rankdata(t[ok])
    d = len(tt)
    rows = []
    names = getattr(result, "covariate_names", None) or [f"x{k}" for k in range(R.shape[1])]
    for k, nm in enumerate(names):
        r = np.corrcoef(R[:, k], tt)[0, 1]
        z = r * np.sqrt(d - 2) / np.sqrt(max(1 - r * r, 1e-12))
        rows.append({"covariate": nm, "correlation_with_time": r, "z": z, "p_value": 2 * norm.sf(abs(z))})
    return pd.DataFrame(rows).set_index("covariate")


def monthly_retention(data: pd.DataFrame, *, duration: str = "tenure", event: str = "churn") -> float:
    """Monthly retention rate from exposure: ``1 - churners / customer-months observed``.

    A constant-hazard (exponential) estimate: every month a customer is observed counts as one
    month at risk.

    Examples
    --------
    >>> d = pd.DataFrame({"tenure": [10, 20, 30, 40], "churn": [True, False, True, False]})
    >>> monthly_retention(d)   # 1 - 2 / 100
    0.98
    """
    t, e = _surv_inputs(data, duration, event, "monthly_retention")
    if t.sum() <= 0:
        raise CRMInputError("monthly_retention: total exposure is zero months.")
    return float(1.0 - e.sum() / t.sum())


def clv(margin, retention: float, discount_rate: float):
    """Customer lifetime value with constant retention: ``CLV = m r / (1 + i - r)`` (Chapter 1).

    :func:`crm_lessons.value.simple_clv` (margins m at the end of each period, survival r per period,
    discount i per period), vectorised over ``margin``.

    Examples
    --------
    >>> round(clv(100.0, 0.8, 0.1), 2)   # 100 * 0.8 / (1 + 0.1 - 0.8)
    266.67
    """
    from .value import simple_clv

    where = "clv"
    retention = require_probability(retention, "retention", where=where, allow_one=False)
    discount_rate = require_number(discount_rate, "discount_rate", where=where, low=0.0)
    out = simple_clv(np.asarray(margin, dtype=float), retention, discount_rate)
    return float(out) if np.ndim(out) == 0 else np.asarray(out)


def saved_customer_clv(data: pd.DataFrame, *, margin_share: float = 0.3, retention: float = 0.976,
                       annual_discount_rate: float = 0.10, charges: str = "monthly_charges") -> pd.Series:
    """CLV of each customer if an offer keeps them: margin = ``margin_share`` x monthly charges.

    Monthly retention ``retention`` and a monthly discount rate ``(1 + annual)^(1/12) - 1`` go into
    ``m r / (1 + i - r)``.

    Bad input: charges must be numbers >= 0 without gaps (a negative charge would give a negative CLV).

    Examples
    --------
    >>> d = pd.DataFrame({"monthly_charges": [100.0]})
    >>> saved_customer_clv(d, margin_share=0.3, retention=0.98, annual_discount_rate=0.0).round(2).tolist()
    [1470.0]
    """
    where = "saved_customer_clv"
    require_frame(data, where=where)
    require_non_negative(data, [charges], where=where)     # a negative charge would give a negative CLV
    require_no_missing(data, [charges], where=where)
    margin_share = require_probability(margin_share, "margin_share", where=where)
    annual = require_number(annual_discount_rate, "annual_discount_rate", where=where, low=0.0)
    i = (1.0 + annual) ** (1.0 / 12.0) - 1.0
    m = data[charges].to_numpy(dtype=float) * margin_share
    return pd.Series(clv(m, retention, i), index=data.index, name="clv_if_saved")


def targeting_table(p_churn, value_if_saved, *, offer_cost: float, acceptance: float) -> pd.DataFrame:
    """Expected gain of making a retention offer to each customer, best first.

    A customer who would leave (probability ``p``) is kept by the offer with probability
    ``acceptance`` (the uplift) and is then worth ``value_if_saved`` (their CLV). Every offer costs
    ``offer_cost``, whether or not the customer would have left. So the expected gain of an offer is
    ``p * acceptance * value - offer_cost``, and an offer pays when ``p > offer_cost / (acceptance * value)``.

    Returns
    -------
    DataFrame
        Sorted by expected gain (highest first): ``p_churn``, ``value_if_saved``, ``expected_saved``
        (= p * acceptance), ``expected_gain``, ``rank`` (1 = best), ``cum_expected_profit``
        (profit of targeting the top 1..n).

    Examples
    --------
    >>> t = targeting_table([0.5, 0.1], [1000.0, 1000.0], offer_cost=50.0, acceptance=0.2)
    >>> t["expected_gain"].round(2).tolist()   # 0.5*0.2*1000 - 50, 0.1*0.2*1000 - 50
    [50.0, -30.0]
    """
    where = "targeting_table"
    p = np.asarray(p_churn, dtype=float)
    v = np.asarray(value_if_saved, dtype=float)
    if p.ndim != 1 or v.shape != p.shape or len(p) == 0:
        raise CRMInputError(f"{where}: p_churn and value_if_saved must be 1-D and of equal, non-zero length.")
    if not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
        raise CRMInputError(f"{where}: p_churn must be probabilities in [0, 1].")
    if not np.isfinite(v).all() or (v < 0).any():
        raise CRMInputError(f"{where}: value_if_saved must be finite and >= 0.")
    offer_cost = require_number(offer_cost, "offer_cost", where=where, low=0.0)
    acceptance = require_probability(acceptance, "acceptance", where=where)
    idx = p_churn.index if isinstance(p_churn, pd.Series) else pd.RangeIndex(len(p))
    t = pd.DataFrame({"p_churn": p, "value_if_saved": v}, index=idx)
    t["expected_saved"] = t["p_churn"] * acceptance
    t["expected_gain"] = t["expected_saved"] * t["value_if_saved"] - offer_cost
    t = t.sort_values("expected_gain", ascending=False, kind="mergesort")
    t["rank"] = np.arange(1, len(t) + 1)
    t["cum_expected_profit"] = t["expected_gain"].cumsum()
    return t


def select_targets(table: pd.DataFrame, *, rule: str = "top_k", k: int = 500,
                   threshold: float = 0.5) -> pd.DataFrame:
    """Customers to contact: the ``k`` best by expected gain, or everyone with ``p_churn >= threshold``.

    ``rule="profit"`` takes every customer with positive expected gain (the profit-maximising list).

    Examples
    --------
    >>> t = targeting_table([0.5, 0.1, 0.3], [1000.0] * 3, offer_cost=50.0, acceptance=0.2)
    >>> select_targets(t, rule="profit")["p_churn"].tolist(), len(select_targets(t, k=2))
    ([0.5, 0.3], 2)
    """
    where = "select_targets"
    require_columns(table, ["p_churn", "expected_gain"], where=where)
    rule = require_choice(rule, "rule", ["top_k", "threshold", "profit"], where=where)
    if rule == "top_k":
        k = require_positive_int(k, "k", where=where, minimum=0)
        return table.head(k)
    if rule == "threshold":
        threshold = require_probability(threshold, "threshold", where=where)
        return table[table["p_churn"] >= threshold]
    return table[table["expected_gain"] > 0]


def campaign_summary(targets: pd.DataFrame, *, offer_cost: float, acceptance: float, result=None,
                     data: pd.DataFrame | None = None, n_draws: int = 1000, seed: int = 0,
                     level: float = 0.9) -> dict:
    """Customers targeted, expected churners saved and expected profit with an interval.

    The interval is simulated: each draw (i) takes the logit's coefficients from their estimated
    sampling distribution (normal with the fitted covariance; skipped when ``result`` is None) and
    recomputes each target's churn probability, then (ii) draws who actually leaves and who the
    offer saves (Bernoulli with probability ``p * acceptance``). Profit of a draw =
    saved customers' CLV - offers x cost. So the interval covers model uncertainty and the luck
    of who churns, not uncertainty in ``acceptance`` itself.

    Returns
    -------
    dict
        ``customers_targeted``, ``expected_saved``, ``expected_profit``, ``profit_lower``,
        ``profit_upper``, ``profit_sd``, ``prob_loss`` (share of draws with profit < 0).

    Examples
    --------
    >>> t = targeting_table([0.5, 0.4], [1000.0, 800.0], offer_cost=50.0, acceptance=0.5)
    >>> s = campaign_summary(t, offer_cost=50.0, acceptance=0.5, n_draws=200)
    >>> s["customers_targeted"], round(s["expected_saved"], 2), round(s["expected_profit"], 2)
    (2, 0.45, 310.0)
    """
    where = "campaign_summary"
    require_columns(targets, ["p_churn", "value_if_saved"], where=where)
    require_numeric(targets, ["p_churn", "value_if_saved"], where=where)
    require_no_missing(targets, ["p_churn", "value_if_saved"], where=where)
    offer_cost = require_number(offer_cost, "offer_cost", where=where, low=0.0)
    acceptance = require_probability(acceptance, "acceptance", where=where)
    n_draws = require_positive_int(n_draws, "n_draws", where=where, minimum=10)
    level = require_probability(level, "level", where=where, allow_zero=False, allow_one=False)
    n = len(targets)
    v = targets["value_if_saved"].to_numpy(dtype=float)
    p_hat = targets["p_churn"].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    if n == 0:
        return {"customers_targeted": 0, "expected_saved": 0.0, "expected_profit": 0.0,
                "profit_lower": 0.0, "profit_upper": 0.0, "profit_sd": 0.0, "prob_loss": 0.0}
    if result is not None:
        import statsmodels.api as sm

        if data is None:
            raise CRMInputError(f"{where}: pass data= (the customers' rows) together with result=.")
        X = sm.add_constant(result.features(data.loc[targets.index]), has_constant="add").to_numpy(float)
        B = rng.multivariate_normal(np.asarray(result.params), np.asarray(result.cov_params()), n_draws)
        P = 1.0 / (1.0 + np.exp(-(B @ X.T)))              # (draws, n)
    else:
        P = np.tile(p_hat, (n_draws, 1))
    saved = rng.random(P.shape) < P * acceptance
    profit = saved @ v - n * offer_cost
    a = (1 - level) / 2
    return {
        "customers_targeted": int(n),
        "expected_saved": float((p_hat * acceptance).sum()),
        "expected_profit": float((p_hat * acceptance * v).sum() - n * offer_cost),
        "profit_lower": float(np.quantile(profit, a)),
        "profit_upper": float(np.quantile(profit, 1 - a)),
        "profit_sd": float(profit.std(ddof=1)),
        "prob_loss": float((profit < 0).mean()),
    }


def check_campaign_parameters(*, targeting_rule: str, k: int, threshold: float, offer_cost: float,
                              acceptance: float, monthly_margin: float, annual_discount_rate: float,
                              seed: int, test_size: float = 0.3, n_draws: int = 1000) -> dict:
    """Validate the retention-campaign case study's parameters; the error names the bad one.

    Examples
    --------
    >>> check_campaign_parameters(targeting_rule="top_k", k=500, threshold=0.5, offer_cost=50.0,
    ...                           acceptance=0.3, monthly_margin=0.3, annual_discount_rate=0.1,
    ...                           seed=0)["k"]
    500
    """
    where = "retention_campaign"
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise CRMInputError(f"{where}: seed must be a whole number >= 0, got {seed!r}.")
    return {
        "targeting_rule": require_choice(targeting_rule, "targeting_rule", ["top_k", "threshold", "profit"],
                                         where=where),
        "k": require_positive_int(k, "k", where=where, minimum=0),
        "threshold": require_probability(threshold, "threshold", where=where),
        "offer_cost": require_number(offer_cost, "offer_cost", where=where, low=0.0),
        "acceptance": require_probability(acceptance, "acceptance", where=where),
        "monthly_margin": require_probability(monthly_margin, "monthly_margin (share of monthly charges)",
                                              where=where),
        "annual_discount_rate": require_number(annual_discount_rate, "annual_discount_rate", where=where,
                                               low=0.0, high=1.0),
        "seed": int(seed),
        "test_size": require_number(test_size, "test_size", where=where, low=0.05, high=0.95),
        "n_draws": require_positive_int(n_draws, "n_draws", where=where, minimum=10),
    }


def retention_campaign(telco: pd.DataFrame, *, targeting_rule: str = "top_k", k: int = 500,
                       threshold: float = 0.5, offer_cost: float = 50.0, acceptance: float = 0.3,
                       monthly_margin: float = 0.3, annual_discount_rate: float = 0.10, seed: int = 0,
                       test_size: float = 0.3, n_draws: int = 1000):
    """Plan a retention campaign on held-out customers, end to end.

    1. Split customers (seeded, stratified); fit :func:`fit_churn_logit` on the training part.
    2. Score the held-out customers (they play "this month's customers"): churn probability ``p``.
    3. Value a saved customer with ``CLV = m r / (1 + i - r)``: ``m`` = ``monthly_margin`` x monthly
       charges, ``r`` = monthly retention of month-to-month customers in the training data (those
       the offer would move), ``i`` = the monthly equivalent of ``annual_discount_rate``.
    4. Rank by expected gain ``p * acceptance * CLV - offer_cost`` and pick targets by the rule.
    5. Summarise with :func:`campaign_summary` (interval from parameter and outcome uncertainty).

    Returns
    -------
    results : dict
        Flat results for :func:`crm_lessons.runner.save_results`.
    table : DataFrame
        :func:`targeting_table` of the held-out customers.
    model : statsmodels result

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> res, table, model = retention_campaign(load("telco_churn_ibm"), k=300, n_draws=100)
    >>> res["customers_targeted"], round(res["held_out_auc"], 3)
    (300, 0.852)
    """
    p = check_campaign_parameters(targeting_rule=targeting_rule, k=k, threshold=threshold,
                                  offer_cost=offer_cost, acceptance=acceptance, monthly_margin=monthly_margin,
                                  annual_discount_rate=annual_discount_rate, seed=seed, test_size=test_size,
                                  n_draws=n_draws)
    train, test = split_customers(telco, test_size=p["test_size"], seed=p["seed"])
    model = fit_churn_logit(train)
    prob = predict_churn(model, test)
    mtm = train[train["contract"].astype(str) == "Month-to-month"]
    r = monthly_retention(mtm if len(mtm) else train)
    value = saved_customer_clv(test, margin_share=p["monthly_margin"], retention=r,
                               annual_discount_rate=p["annual_discount_rate"])
    table = targeting_table(prob, value, offer_cost=p["offer_cost"], acceptance=p["acceptance"])
    targets = select_targets(table, rule=p["targeting_rule"], k=p["k"], threshold=p["threshold"])
    summ = campaign_summary(targets, offer_cost=p["offer_cost"], acceptance=p["acceptance"], result=model,
                            data=test, n_draws=p["n_draws"], seed=p["seed"])
    best = int(np.argmax(np.r_[0.0, table["cum_expected_profit"].to_numpy()]))
    results = {
        "held_out_customers": int(len(test)),
        "held_out_auc": auc(test["churn"], prob),
        "monthly_retention_saved": r,
        "mean_clv_if_saved": float(value.mean()),
        **summ,
        "expected_churners_among_targets": float(targets["p_churn"].sum()),
        "actual_churners_among_targets": int(test.loc[targets.index, "churn"].sum()),
        "profit_maximising_k": best,
        "profit_maximising_expected_profit": float(np.r_[0.0, table["cum_expected_profit"].to_numpy()][best]),
    }
    return results, table, model
