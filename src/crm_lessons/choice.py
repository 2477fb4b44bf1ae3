"""Brand loyalty in scanner panels: switching, repeat buying and a conditional logit of brand choice.

A scanner panel records, for each household, its purchases in order (``purchase_seq``), the brand it
chose and the price and promotion of every brand on that occasion. From it this module measures
brand loyalty three ways:

- :func:`switching_matrix` and :func:`steady_state`: a first-order Markov model of which brand follows
  which (品牌转换), and the market shares it implies in the long run;
- :func:`household_repeat_rates`: each household's share of purchases that repeat its last brand;
- :class:`ConditionalLogit` and :func:`fit_brand_choice`: a conditional (multinomial) logit of brand
  choice on price, feature advertising and an exponentially smoothed brand-loyalty variable
  (Guadagni & Little 1983, :func:`loyalty_variable`), with the price elasticities it implies
  (:func:`price_elasticities`).

statsmodels has no conditional logit for alternative-specific variables in a convenient form, so the
likelihood is written here (about 20 lines, analytic gradient and Hessian) and tested: it recovers
the parameters of :func:`make_choice_panel` and reproduces the published multinomial-logit estimates
on the yogurt panel (Helveston's ``logitr`` documentation).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_columns,
    require_frame,
    require_no_missing,
    require_number,
    require_numeric,
    require_positive_int,
)
from ._validate import require_unique_key, require_min_groups  # bad-input checks (issue 17)

__all__ = [
    "brands_in",
    "switching_matrix",
    "steady_state",
    "household_repeat_rates",
    "loyalty_variable",
    "choice_arrays",
    "ConditionalLogit",
    "fit_brand_choice",
    "price_elasticities",
    "make_choice_panel",
]


def _check_panel(panel, *, household: str, order: str, choice: str, where: str) -> pd.DataFrame:
    require_frame(panel, where=where)
    require_columns(panel, [household, order, choice], where=where)
    require_no_missing(panel, [household, order, choice], where=where)
    require_numeric(panel, [order], where=where)
    # one row per household purchase: a copied row would be a purchase the household never made
    require_unique_key(panel, [household, order], where=where, what="household purchase")
    return panel


def brands_in(panel: pd.DataFrame, *, choice: str = "choice", price_prefix: str = "price_") -> list[str]:
    """Return the brands of a panel: the ``price_<brand>`` columns, in column order.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> brands_in(load("yogurt_panel"))
    ['yoplait', 'dannon', 'hiland', 'weight']
    """
    require_frame(panel, where="brands_in")
    brands = [c[len(price_prefix):] for c in panel.columns if str(c).startswith(price_prefix)]
    if not brands:
        raise CRMInputError(f"brands_in: no column starts with {price_prefix!r}; a panel needs one price "
                            "column per brand, e.g. price_yoplait, price_dannon.")
    return brands


def _ordered(panel: pd.DataFrame, household: str, order: str) -> pd.DataFrame:
    return panel.sort_values([household, order], kind="mergesort").reset_index(drop=True)


def switching_matrix(panel: pd.DataFrame, *, household: str = "household_id", order: str = "purchase_seq",
                     choice: str = "choice", brands: Sequence[str] | None = None,
                     normalize: bool = True) -> pd.DataFrame:
    """Brand-switching matrix: how often brand *k* follows brand *j* in a household's purchases.

    A first-order Markov model: the row is the brand bought last time, the column the brand bought
    now. Only consecutive purchases of the same household are paired.

    Parameters
    ----------
    panel : DataFrame
        One row per purchase with ``household``, ``order`` and ``choice`` columns.
    brands : sequence of str, optional
        Row and column order (default: the brands that occur, in order of first appearance of their
        ``price_`` column, else sorted).
    normalize : bool, default True
        Return row shares (transition probabilities, each row sums to 1) instead of counts.

    Returns
    -------
    DataFrame
        Brands x brands; index named ``previous``, columns named ``current``.

    Examples
    --------
    >>> p = pd.DataFrame({"household_id": [1, 1, 1, 2, 2], "purchase_seq": [1, 2, 3, 1, 2],
    ...                   "choice": ["a", "a", "b", "b", "b"]})
    >>> switching_matrix(p, normalize=False)
    current   a  b
    previous      
    a         1  1
    b         0  1
    """
    where = "switching_matrix"
    _check_panel(panel, household=household, order=order, choice=choice, where=where)
    df = _ordered(panel[[household, order, choice]], household, order)
    ch = df[choice].astype(str)
    prev = ch.shift(1)
    same_hh = df[household].eq(df[household].shift(1))
    pairs = pd.DataFrame({"previous": prev[same_hh], "current": ch[same_hh]})
    if brands is None:
        try:
            brands = [b for b in brands_in(panel) if b in set(ch)]
        except CRMInputError:
            brands = sorted(set(ch))
        brands += sorted(set(ch) - set(brands))
    brands = [str(b) for b in brands]
    unknown = sorted(set(ch) - set(brands))
    if unknown:
        raise CRMInputError(f"{where}: brands {unknown} occur in {choice!r} but are not in brands={brands}.")
    counts = pd.crosstab(pairs["previous"], pairs["current"]).reindex(index=brands, columns=brands,
                                                                        fill_value=0)
    counts = counts.astype("int64")
    counts.index.name, counts.columns.name = "previous", "current"
    if not normalize:
        return counts
    totals = counts.sum(axis=1)
    if (totals == 0).any():
        empty = totals.index[totals == 0].tolist()
        raise CRMInputError(f"{where}: brand(s) {empty} are never followed by another purchase, so their "
                            "row has no transitions; use normalize=False or drop them via brands=.")
    return counts.div(totals, axis=0)


def steady_state(transition: pd.DataFrame) -> pd.Series:
    """Long-run shares of a Markov chain: the vector ``pi`` with ``pi P = pi`` and ``sum(pi) = 1``.

    If every household kept switching by ``transition`` for ever, brand shares would settle here,
    whatever the shares today (for a chain in which every brand can reach every other).

    Parameters
    ----------
    transition : DataFrame
        Square matrix of transition probabilities; rows sum to 1.

    Returns
    -------
    Series
        Steady-state share of each brand (sums to 1), named ``steady_state``.

    Examples
    --------
    Two brands; 90% of A buyers repeat A, 20% of B buyers switch to A:
    pi_A = 0.9 pi_A + 0.2 pi_B and pi_A + pi_B = 1 give pi_A = 0.2 / (0.1 + 0.2) = 2/3.

    >>> P = pd.DataFrame([[0.9, 0.1], [0.2, 0.8]], index=["A", "B"], columns=["A", "B"])
    >>> steady_state(P).round(4).tolist()
    [0.6667, 0.3333]
    """
    where = "steady_state"
    require_frame(transition, where=where)
    require_numeric(transition, list(transition.columns), where=where)   # text such as "0,82" would crash
    P = transition.to_numpy(dtype=float)
    if P.shape[0] != P.shape[1] or list(transition.index) != list(transition.columns):
        raise CRMInputError(f"{where}: the transition matrix must be square with the same brands as rows "
                            f"and columns; got shape {P.shape}.")
    if not np.isfinite(P).all() or (P < 0).any():
        raise CRMInputError(f"{where}: transition probabilities must be finite and >= 0.")
    if not np.allclose(P.sum(axis=1), 1.0, atol=1e-8):
        raise CRMInputError(f"{where}: every row must sum to 1 (row sums {np.round(P.sum(axis=1), 4)}); "
                            "build it with switching_matrix(..., normalize=True).")
    n = P.shape[0]
    A = np.vstack([P.T - np.eye(n), np.ones(n)])
    b = np.concatenate([np.zeros(n), [1.0]])
    pi, *_ = np.linalg.lstsq(A, b, rcond=None)
    pi = np.clip(pi, 0.0, None)
    return pd.Series(pi / pi.sum(), index=transition.index, name="steady_state")


def household_repeat_rates(panel: pd.DataFrame, *, household: str = "household_id",
                           order: str = "purchase_seq", choice: str = "choice") -> pd.DataFrame:
    """Each household's repeat-purchase rate: the share of its purchases that repeat the last brand.

    Returns
    -------
    DataFrame
        One row per household: ``purchases``, ``repeats`` (purchases 2.. that repeat the previous
        brand), ``repeat_rate`` = repeats / (purchases - 1) (NaN for a single purchase),
        ``switch_rate`` = 1 - repeat_rate, ``favourite`` (most bought brand) and
        ``favourite_share`` (its share of the household's purchases).

    Examples
    --------
    >>> p = pd.DataFrame({"household_id": [1, 1, 1, 1], "purchase_seq": [1, 2, 3, 4],
    ...                   "choice": ["a", "a", "b", "a"]})
    >>> household_repeat_rates(p)[["purchases", "repeats", "repeat_rate", "favourite_share"]]
                  purchases  repeats  repeat_rate  favourite_share
    household_id                                                  
    1                     4        1     0.333333             0.75
    """
    where = "household_repeat_rates"
    _check_panel(panel, household=household, order=order, choice=choice, where=where)
    df = _ordered(panel[[household, order, choice]], household, order)
    ch = df[choice].astype(str)
    same_hh = df[household].eq(df[household].shift(1))
    rep = (ch.eq(ch.shift(1)) & same_hh).astype("int64")
    g = pd.DataFrame({household: df[household], "rep": rep, "ch": ch}).groupby(household)
    out = pd.DataFrame({"purchases": g.size(), "repeats": g["rep"].sum()})
    with np.errstate(invalid="ignore", divide="ignore"):
        out["repeat_rate"] = np.where(out["purchases"] > 1, out["repeats"] / (out["purchases"] - 1), np.nan)
    out["switch_rate"] = 1.0 - out["repeat_rate"]
    fav = g["ch"].agg(lambda s: s.value_counts().index[0])
    out["favourite"] = fav
    out["favourite_share"] = g["ch"].agg(lambda s: s.value_counts().iloc[0] / len(s))
    return out


def loyalty_variable(panel: pd.DataFrame, *, alpha: float = 0.8, brands: Sequence[str] | None = None,
                     household: str = "household_id", order: str = "purchase_seq",
                     choice: str = "choice") -> pd.DataFrame:
    """Guadagni-Little brand loyalty: an exponentially smoothed history of each household's choices.

    ``loy[h, j, t] = alpha * loy[h, j, t-1] + (1 - alpha) * 1{household h bought j at t-1}``,
    started at a household's first purchase with ``alpha`` for the brand it bought and
    ``(1 - alpha) / (J - 1)`` for each other brand (Guadagni & Little 1983). Each household's
    loyalties sum to 1 on every occasion. The first purchase only sets the starting values, so a
    model should be estimated on the later purchases (column ``first``).

    Parameters
    ----------
    alpha : float in (0, 1)
        Smoothing constant: near 1 = long memory (habit), near 0 = only the last purchase counts.

    Returns
    -------
    DataFrame
        Same row order as ``panel`` sorted by household and order; columns ``household``, ``order``,
        ``first`` (bool) and ``loy_<brand>`` per brand.

    Examples
    --------
    >>> p = pd.DataFrame({"household_id": [1, 1, 1], "purchase_seq": [1, 2, 3],
    ...                   "choice": ["a", "b", "b"], "price_a": [1.0] * 3, "price_b": [1.0] * 3})
    >>> loyalty_variable(p, alpha=0.5)[["loy_a", "loy_b"]]
       loy_a  loy_b
    0  0.500  0.500
    1  0.750  0.250
    2  0.375  0.625

    Start: a was bought, loy_a = alpha = 0.5 and loy_b = (1 - 0.5) / 1 = 0.5. Occasion 2 adds the
    purchase of a: loy_a = 0.5 * 0.5 + 0.5 * 1 = 0.75. Occasion 3 adds b: loy_a = 0.5 * 0.75 = 0.375.
    """
    where = "loyalty_variable"
    _check_panel(panel, household=household, order=order, choice=choice, where=where)
    alpha = require_number(alpha, "alpha", where=where, low=0.0, high=1.0, low_inclusive=False,
                           high_inclusive=False)
    brands = list(brands) if brands is not None else brands_in(panel)
    df = _ordered(panel[[household, order, choice]], household, order)
    ch = df[choice].astype(str).to_numpy()
    unknown = sorted(set(ch) - set(brands))
    if unknown:
        raise CRMInputError(f"{where}: chosen brand(s) {unknown} are not among brands {brands}.")
    J = len(brands)
    idx = {b: k for k, b in enumerate(brands)}
    code = np.array([idx[c] for c in ch])
    hh = df[household].to_numpy()
    first = np.r_[True, hh[1:] != hh[:-1]]
    loy = np.empty((len(df), J))
    cur = np.zeros(J)
    for t in range(len(df)):
        if first[t]:
            cur = np.full(J, (1 - alpha) / (J - 1))
            cur[code[t]] = alpha
        else:
            onehot = np.zeros(J)
            onehot[code[t - 1]] = 1.0
            cur = alpha * cur + (1 - alpha) * onehot
        loy[t] = cur
    out = pd.DataFrame({household: hh, order: df[order].to_numpy(), "first": first})
    for k, b in enumerate(brands):
        out[f"loy_{b}"] = loy[:, k]
    return out


def choice_arrays(panel: pd.DataFrame, *, brands: Sequence[str] | None = None,
                  variables: Sequence[str] = ("price", "feat"), loyalty_alpha: float | None = 0.8,
                  base: str | None = None, household: str = "household_id", order: str = "purchase_seq",
                  choice: str = "choice") -> tuple[np.ndarray, np.ndarray, list[str], pd.DataFrame]:
    """Turn a wide panel into the arrays a conditional logit needs.

    Parameters
    ----------
    variables : sequence of str
        Alternative-specific variables; each needs one column ``<variable>_<brand>`` per brand.
    loyalty_alpha : float or None
        Add the Guadagni-Little loyalty variable with this smoothing constant (and drop each
        household's first purchase, which only starts it); ``None`` = no loyalty term, all rows kept.
    base : str, optional
        Brand without a constant (default: the last brand).

    Returns
    -------
    X : ndarray (n, J, K)
        Attributes of each alternative on each occasion: J-1 brand constants, then ``variables``,
        then ``loyalty``.
    y : ndarray (n,)
        Index of the chosen brand.
    names : list of str
        Names of the K columns.
    rows : DataFrame
        The rows used (sorted by household and order), for prices and later look-ups.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> X, y, names, rows = choice_arrays(load("yogurt_panel"), loyalty_alpha=0.8)
    >>> X.shape, names
    ((2312, 4, 6), ['asc_yoplait', 'asc_dannon', 'asc_hiland', 'price', 'feat', 'loyalty'])
    """
    where = "choice_arrays"
    _check_panel(panel, household=household, order=order, choice=choice, where=where)
    brands = list(brands) if brands is not None else brands_in(panel)
    base = brands[-1] if base is None else base
    if base not in brands:
        raise CRMInputError(f"{where}: base={base!r} is not one of the brands {brands}.")
    cols = [f"{v}_{b}" for v in variables for b in brands]
    require_numeric(panel, cols, where=where)
    require_no_missing(panel, cols, where=where)
    rows = _ordered(panel, household, order)
    ch = rows[choice].astype(str)
    unknown = sorted(set(ch) - set(brands))
    if unknown:
        raise CRMInputError(f"{where}: chosen brand(s) {unknown} are not among brands {brands}.")
    n = len(rows)
    consts = [b for b in brands if b != base]
    names = [f"asc_{b}" for b in consts] + list(variables)
    blocks = []
    for b in consts:
        blocks.append(np.tile((np.array(brands) == b).astype(float), (n, 1)))
    for v in variables:
        blocks.append(rows[[f"{v}_{b}" for b in brands]].to_numpy(dtype=float))
    if loyalty_alpha is not None:
        loy = loyalty_variable(rows, alpha=loyalty_alpha, brands=brands, household=household,
                               order=order, choice=choice)
        blocks.append(loy[[f"loy_{b}" for b in brands]].to_numpy())
        names.append("loyalty")
        keep = ~loy["first"].to_numpy()
    else:
        keep = np.ones(n, dtype=bool)
    X = np.stack(blocks, axis=2)[keep]
    y = ch.map({b: k for k, b in enumerate(brands)}).to_numpy(dtype=int)[keep]
    return X, y, names, rows.loc[keep].reset_index(drop=True)


def _loglik(beta: np.ndarray, X: np.ndarray, y: np.ndarray):
    V = X @ beta                                   # (n, J) utilities
    V = V - V.max(axis=1, keepdims=True)
    P = np.exp(V)
    P /= P.sum(axis=1, keepdims=True)
    n = len(y)
    ll = float(np.log(P[np.arange(n), y]).sum())
    xbar = np.einsum("nj,njk->nk", P, X)           # probability-weighted mean attributes
    grad = (X[np.arange(n), y] - xbar).sum(axis=0)
    D = X - xbar[:, None, :]
    hess = -np.einsum("nj,njk,njl->kl", P, D, D)
    return ll, grad, hess, P


class ConditionalLogit:
    """Conditional (McFadden) logit for alternative-specific attributes.

    ``P(i chooses j) = exp(x_ij' beta) / sum_k exp(x_ik' beta)``. Fitted by maximum likelihood
    (scipy ``trust-exact`` with the analytic gradient and Hessian; the log-likelihood is concave).

    Attributes (after :meth:`fit`)
    -------------------------------
    params_ : Series
        Estimates.
    bse_ : Series
        Standard errors from the inverse of the observed information.
    cov_ : DataFrame
        Covariance matrix of the estimates.
    loglik_, null_loglik_ : float
        Log-likelihood at the estimates and with all parameters 0 (equal shares).
    n_obs_ : int
    converged_ : bool

    Examples
    --------
    >>> data, truth = make_choice_panel(200, seed=1)
    >>> X, y, names, _ = choice_arrays(data, loyalty_alpha=0.8)
    >>> m = ConditionalLogit(names).fit(X, y)
    >>> bool(abs(m.params_["price"] - truth.loc["price", "value"]) < 3 * m.bse_["price"])
    True
    """

    def __init__(self, names: Sequence[str] | None = None):
        self.names = list(names) if names is not None else None

    def fit(self, X: np.ndarray, y: np.ndarray, *, start: np.ndarray | None = None) -> ConditionalLogit:
        from scipy.optimize import minimize

        where = "ConditionalLogit.fit"
        X = np.asarray(X, dtype=float)
        y = np.asarray(y)
        if X.ndim != 3 or len(X) == 0:
            raise CRMInputError(f"{where}: X must be a non-empty array of shape (occasions, alternatives, "
                                f"variables); got shape {X.shape}.")
        if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer):
            raise CRMInputError(f"{where}: y must hold one integer alternative index per occasion.")
        if y.min() < 0 or y.max() >= X.shape[1]:
            raise CRMInputError(f"{where}: y must lie in 0..{X.shape[1] - 1}.")
        if not np.isfinite(X).all():
            raise CRMInputError(f"{where}: X has NaN or infinite values.")
        K = X.shape[2]
        names = self.names or [f"x{k}" for k in range(K)]
        if len(names) != K:
            raise CRMInputError(f"{where}: {len(names)} names for {K} variables.")

        def f(b):
            ll, g, h, _ = _loglik(b, X, y)
            return -ll, -g

        def hess(b):
            return -_loglik(b, X, y)[2]

        b0 = np.zeros(K) if start is None else np.asarray(start, dtype=float)
        res = minimize(f, b0, jac=True, hess=hess, method="trust-exact", options={"gtol": 1e-8})
        ll, g, h, _ = _loglik(res.x, X, y)
        cov = np.linalg.inv(-h)
        self.params_ = pd.Series(res.x, index=names, name="estimate")
        self.bse_ = pd.Series(np.sqrt(np.diag(cov)), index=names, name="std_err")
        self.cov_ = pd.DataFrame(cov, index=names, columns=names)
        self.loglik_ = ll
        self.null_loglik_ = -len(y) * np.log(X.shape[1])
        self.n_obs_ = len(y)
        # trust-exact may stop with "bad approximation" once at machine precision; judge by the gradient.
        self.converged_ = bool(np.abs(g).max() < 1e-3)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Choice probabilities (occasions x alternatives) at the fitted parameters."""
        return _loglik(self.params_.to_numpy(), np.asarray(X, dtype=float),
                       np.zeros(len(X), dtype=int))[3]

    def summary(self) -> pd.DataFrame:
        """Estimates, standard errors, z and p-values, and 95% intervals."""
        from scipy.stats import norm

        z = self.params_ / self.bse_
        return pd.DataFrame({"estimate": self.params_, "std_err": self.bse_, "z": z,
                             "p_value": 2 * norm.sf(np.abs(z)),
                             "lower": self.params_ - 1.959964 * self.bse_,
                             "upper": self.params_ + 1.959964 * self.bse_})

    @property
    def mcfadden_r2_(self) -> float:
        """McFadden's pseudo-R^2 = 1 - loglik / null loglik."""
        return 1.0 - self.loglik_ / self.null_loglik_


def fit_brand_choice(panel: pd.DataFrame, *, variables: Sequence[str] = ("price", "feat"),
                     loyalty_alpha: float | str | None = 0.8, base: str | None = None,
                     alpha_grid: Sequence[float] = tuple(np.round(np.arange(0.50, 0.96, 0.05), 2)),
                     **columns) -> ConditionalLogit:
    """Fit a conditional logit of brand choice, optionally with Guadagni-Little loyalty.

    Parameters
    ----------
    panel : DataFrame
        Wide scanner panel (``load("yogurt_panel")``, ``load("cracker_panel")``).
    variables : sequence of str
        Alternative-specific marketing variables (``price``, ``feat``, ``disp``).
    loyalty_alpha : float, "estimate" or None
        Smoothing constant of the loyalty variable; ``"estimate"`` picks the value in ``alpha_grid``
        with the highest likelihood (a profile likelihood); ``None`` fits no loyalty term.
    base : str, optional
        Brand without a constant (default: the last brand).

    Returns
    -------
    ConditionalLogit
        Fitted model, with extra attributes ``brands_``, ``alpha_`` (smoothing constant used),
        ``alpha_profile_`` (Series of log-likelihood by alpha, when estimated), ``X_`` and ``rows_``.

    Bad input: one row per household purchase (a repeated household + purchase number is an error); at
    least 2 households and 2 chosen brands (:class:`~crm_lessons._validate.CRMInputError` otherwise).

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> m = fit_brand_choice(load("yogurt_panel"), loyalty_alpha=None)
    >>> round(float(m.params_["price"]), 4)   # logitr documentation: -0.366584
    -0.3666
    """
    where = "fit_brand_choice"
    brands = brands_in(panel)
    h_col, c_col = columns.get("household", "household_id"), columns.get("choice", "choice")
    _check_panel(panel, household=h_col, order=columns.get("order", "purchase_seq"), choice=c_col, where=where)
    require_min_groups(panel, h_col, 2, where=where, what="households",
                       why="with one household the brand constants and the loyalty term are not identified")
    require_min_groups(panel, c_col, 2, where=where, what="chosen brands",
                       why="a choice model needs purchases of at least two brands")
    try:
        return _fit_brand_choice(panel, brands, variables, loyalty_alpha, alpha_grid, base, columns, where)
    except np.linalg.LinAlgError as err:
        raise CRMInputError(f"{where}: the choice model cannot be fitted on this panel ({err}); a brand that is "
                            "never or always chosen, or a price that never varies, leaves a coefficient "
                            "undetermined. Use more households or fewer brands.") from None


def _fit_brand_choice(panel, brands, variables, loyalty_alpha, alpha_grid, base, columns, where):
    profile = None
    if isinstance(loyalty_alpha, str):
        if loyalty_alpha != "estimate":
            raise CRMInputError(f"{where}: loyalty_alpha must be a number in (0, 1), 'estimate' or None; "
                                f"got {loyalty_alpha!r}.")
        lls = {}
        for a in alpha_grid:
            X, y, names, rows = choice_arrays(panel, brands=brands, variables=variables,
                                              loyalty_alpha=float(a), base=base, **columns)
            lls[float(a)] = ConditionalLogit(names).fit(X, y).loglik_
        profile = pd.Series(lls, name="loglik")
        profile.index.name = "alpha"
        loyalty_alpha = float(profile.idxmax())
    X, y, names, rows = choice_arrays(panel, brands=brands, variables=variables,
                                      loyalty_alpha=loyalty_alpha, base=base, **columns)
    m = ConditionalLogit(names).fit(X, y)
    m.brands_ = brands
    m.alpha_ = loyalty_alpha
    m.alpha_profile_ = profile
    m.X_, m.y_, m.rows_ = X, y, rows
    m.variables_ = list(variables)
    return m


def price_elasticities(model: ConditionalLogit, *, variable: str = "price") -> pd.DataFrame:
    """Aggregate own- and cross-price elasticities implied by a fitted conditional logit.

    For occasion n the logit gives ``E_jj = b * p_j * (1 - P_j)`` (own) and ``E_jk = -b * p_k * P_k``
    (the effect of brand k's price on brand j's choice probability). They are aggregated over
    occasions weighting each by ``P_nj`` (Train 2009, *Discrete Choice Methods with Simulation*,
    ch. 2-3), i.e. the percentage change in brand j's expected sales when k's price rises 1%.

    Returns
    -------
    DataFrame
        Rows: the brand whose share responds; columns: the brand whose price changes.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> E = price_elasticities(fit_brand_choice(load("yogurt_panel"), loyalty_alpha=None))
    >>> bool((np.diag(E) < 0).all() and (E.to_numpy()[~np.eye(4, dtype=bool)] > 0).all())
    True
    """
    where = "price_elasticities"
    if not hasattr(model, "X_"):
        raise CRMInputError(f"{where}: pass a model returned by fit_brand_choice (it keeps the data).")
    if variable not in model.params_.index:
        raise CRMInputError(f"{where}: the model has no {variable!r} coefficient; it has "
                            f"{list(model.params_.index)}.")
    b = model.params_[variable]
    k = list(model.params_.index).index(variable)
    X = model.X_
    prices = X[:, :, k]                     # (n, J)
    P = model.predict_proba(X)              # (n, J)
    J = P.shape[1]
    E = np.empty((J, J))
    for j in range(J):
        for m in range(J):
            e = b * prices[:, m] * ((1.0 if j == m else 0.0) - P[:, m])
            E[j, m] = np.sum(P[:, j] * e) / np.sum(P[:, j])
    brands = model.brands_
    out = pd.DataFrame(E, index=pd.Index(brands, name="share of"), columns=pd.Index(brands, name="price of"))
    return out


def make_choice_panel(n: int = 300, *, seed: int = 0, occasions: int = 20,
                      brands: Sequence[str] = ("a", "b", "c"), constants: Sequence[float] = (0.5, 0.2),
                      price_coef: float = -0.4, feat_coef: float = 0.6, loyalty_coef: float = 3.0,
                      alpha: float = 0.8, price_means: Sequence[float] = (9.0, 8.0, 7.0),
                      price_sd: float = 1.0, feat_prob: float = 0.1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate a scanner panel whose households choose by a logit with Guadagni-Little loyalty.

    Generative process, for each of ``n`` households and ``occasions`` purchases:

    1. Each brand's price is ``Normal(price_means[j], price_sd)`` (independent draws per occasion);
       each brand is featured with probability ``feat_prob``.
    2. Loyalty starts at the first purchase (``alpha`` for the brand chosen, ``(1 - alpha) / (J - 1)``
       for the others) and then follows ``loy_t = alpha * loy_{t-1} + (1 - alpha) * chosen_{t-1}``.
       On the first occasion every brand has loyalty ``1 / J`` (that occasion is dropped in estimation).
    3. Utility ``u_j = constant_j + price_coef * price_j + feat_coef * feat_j + loyalty_coef * loy_j
       + Gumbel noise`` (the last brand's constant is 0); the household buys the brand with the
       highest utility.

    Returns
    -------
    data : DataFrame
        ``household_id``, ``purchase_seq``, ``feat_<brand>``, ``price_<brand>``, ``choice``: the
        layout of ``load("yogurt_panel")``.
    truth : DataFrame
        Index ``parameter`` (``asc_<brand>``, ``price``, ``feat``, ``loyalty``, ``alpha``), column
        ``value``.

    Examples
    --------
    >>> d, t = make_choice_panel(10, seed=3)
    >>> d.shape, float(t.loc["loyalty", "value"])
    ((200, 9), 3.0)
    """
    where = "make_choice_panel"
    n = require_positive_int(n, "n", where=where)
    occasions = require_positive_int(occasions, "occasions", where=where, minimum=2)
    brands = [str(b) for b in brands]
    J = len(brands)
    if J < 2 or len(constants) != J - 1 or len(price_means) != J:
        raise CRMInputError(f"{where}: need >= 2 brands, J-1 constants and J price means; got {J} brands, "
                            f"{len(constants)} constants, {len(price_means)} price means.")
    alpha = require_number(alpha, "alpha", where=where, low=0, high=1, low_inclusive=False,
                           high_inclusive=False)
    feat_prob = require_number(feat_prob, "feat_prob", where=where, low=0, high=1)
    rng = np.random.default_rng(seed)
    asc = np.r_[np.asarray(constants, dtype=float), 0.0]
    N = n * occasions
    price = np.round(rng.normal(np.asarray(price_means, float), price_sd, (N, J)), 2)
    feat = (rng.random((N, J)) < feat_prob).astype("int64")
    gumbel = rng.gumbel(size=(N, J))
    choice = np.empty(N, dtype=int)
    for h in range(n):
        loy = np.full(J, 1.0 / J)
        for t in range(occasions):
            r = h * occasions + t
            u = asc + price_coef * price[r] + feat_coef * feat[r] + loyalty_coef * loy + gumbel[r]
            c = int(np.argmax(u))
            choice[r] = c
            if t == 0:  # Guadagni-Little start values, then the usual update with this purchase
                loy = np.full(J, (1 - alpha) / (J - 1))
                loy[c] = alpha
            loy = alpha * loy
            loy[c] += 1 - alpha
    data = pd.DataFrame({"household_id": np.repeat(np.arange(1, n + 1), occasions),
                         "purchase_seq": np.tile(np.arange(1, occasions + 1), n)})
    for j, b in enumerate(brands):
        data[f"feat_{b}"] = feat[:, j]
    for j, b in enumerate(brands):
        data[f"price_{b}"] = price[:, j]
    data["choice"] = pd.Categorical(np.array(brands)[choice], categories=brands)
    truth = pd.DataFrame({"value": [*asc[:-1], price_coef, feat_coef, loyalty_coef, alpha]},
                         index=pd.Index([f"asc_{b}" for b in brands[:-1]] + ["price", "feat", "loyalty",
                                                                             "alpha"], name="parameter"))
    return data, truth
