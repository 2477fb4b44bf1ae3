"""Contractual retention: the shifted-beta-geometric (sBG) model of Fader & Hardie (2007).

In a contractual business (subscriptions, memberships, insurance) the firm sees when a customer
leaves. The sBG model says:

- at the end of every period an active customer renews with probability 1 - theta, independently of
  the past (a coin with the same bias each period), so her lifetime is geometric;
- theta varies across customers as Beta(``alpha``, ``beta``).

So P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta) and the survivor function is
S(t) = P(T > t) = B(alpha, beta + t) / B(alpha, beta), t = 0, 1, 2, ... The aggregate retention rate
r_t = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1) *rises* with tenure although no
customer's own renewal probability changes: the customers who churn early are the ones with high
theta, so the survivors are increasingly the loyal ones (heterogeneity, not growing loyalty).

:class:`ShiftedBetaGeometricModel` fits (alpha, beta) by maximum likelihood to the number of customers
still active at the start of each period of one or more cohorts, with an analytic gradient, and
predicts survival, retention rates, projections and (discounted) expected lifetimes, the building
blocks of contractual CLV (Fader & Hardie 2010, "Customer-base valuation in a contractual setting").

:data:`PUBLISHED_SURVIVAL` holds the two survival series of Fader & Hardie (2007, Table 1): 1,000
"regular" and 1,000 "high end" customers of one cohort, followed for 12 years. The paper fits the
first 7 years (counts at years 0-7) and projects years 8-12; the fits are reproduced in
``tests/test_retention.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ._validate import CRMInputError, require_number, require_positive_int
from .clv import _MLModel

__all__ = ["ShiftedBetaGeometricModel", "PUBLISHED_SURVIVAL", "PUBLISHED_SBG_ESTIMATES", "survivors_to_table"]

#: Customers active at the start of each year (year 0 = the 1,000 acquired) for the two cohorts of
#: Fader, P. S. & Hardie, B. G. S. (2007), "How to project customer retention", Journal of
#: Interactive Marketing 21(1), 76-90, Table 1 / Figure 1 (originally from a case in Berry & Linoff 2004).
#: One public transcription has 298 instead of 289 for "regular" at year 5; the paper, the other
#: transcriptions and the published estimates below agree with 289.
PUBLISHED_SURVIVAL = pd.DataFrame(
    {
        "regular": [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173],
        "high_end": [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394],
    },
    index=pd.RangeIndex(0, 13, name="year"),
)

#: sBG maximum-likelihood estimates Fader & Hardie (2007) report from years 0-7 of each series.
PUBLISHED_SBG_ESTIMATES = pd.DataFrame(
    {"alpha": [0.704, 0.668], "beta": [1.182, 3.806]}, index=pd.Index(["regular", "high_end"], name="segment")
)


def _survivor_arrays(survivors, where: str):
    """Validate one survivor series or a list of them; return the lost and censored counts by period."""
    if isinstance(survivors, pd.DataFrame):
        raise CRMInputError(f"{where}: pass one column (a Series) of survivor counts, or a list of sequences "
                            "for several cohorts, not a whole DataFrame.")
    if isinstance(survivors, (pd.Series, np.ndarray)) and np.ndim(survivors) == 1:
        series = [survivors]
    elif isinstance(survivors, (list, tuple)) and len(survivors) and np.ndim(survivors[0]) == 1:
        series = list(survivors)
    elif isinstance(survivors, (list, tuple)) and len(survivors) and np.ndim(survivors[0]) == 0:
        series = [survivors]
    else:
        raise CRMInputError(f"{where}: survivors must be a sequence of counts [n_0, n_1, ..., n_k] (customers "
                            "active at the start of periods 0..k) or a list of such sequences, one per cohort.")
    lost_t, lost_w, cens_t, cens_w = [], [], [], []
    for i, s in enumerate(series):
        try:
            arr = np.asarray(s, dtype=np.float64)
        except (TypeError, ValueError):
            raise CRMInputError(f"{where}: cohort {i} holds values that are not numbers: {list(s)[:5]!r}.") from None
        if arr.ndim != 1 or arr.size < 2:
            raise CRMInputError(f"{where}: cohort {i} needs at least two counts (start and one later period), "
                                f"got {arr.size}.")
        if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr != np.round(arr)):
            raise CRMInputError(f"{where}: cohort {i} must hold whole, non-negative customer counts, got "
                                f"{arr.tolist()}.")
        if arr[0] <= 0:
            raise CRMInputError(f"{where}: cohort {i} starts with {arr[0]:g} customers; it needs at least one.")
        if np.any(np.diff(arr) > 0):
            k = int(np.flatnonzero(np.diff(arr) > 0)[0])
            raise CRMInputError(
                f"{where}: cohort {i} grows from {arr[k]:g} to {arr[k + 1]:g} customers at period {k + 1}; a "
                "survivor series can only fall (pass the customers of one acquisition cohort, not the "
                "active base, which new customers refill).")
        lost = -np.diff(arr)
        lost_t.append(np.arange(1, arr.size, dtype=np.float64))
        lost_w.append(lost)
        cens_t.append([arr.size - 1.0])
        cens_w.append([arr[-1]])
    return (np.concatenate(lost_t), np.concatenate(lost_w), np.concatenate(cens_t).astype(float),
            np.concatenate(cens_w).astype(float), sum(float(np.asarray(s, dtype=float)[0]) for s in series))


def survivors_to_table(survivors) -> pd.DataFrame:
    """Survivor counts of one cohort as a tidy table: active, lost and the observed retention rate by period.

    Examples
    --------
    >>> survivors_to_table([1000, 631, 468]).reset_index().to_dict("list")["retention_rate"]
    [nan, 0.631, 0.7416798732171157]
    """
    arr = np.asarray(survivors, dtype=np.float64)
    _survivor_arrays([arr], "survivors_to_table")
    lost = np.concatenate([[np.nan], -np.diff(arr)])
    rate = np.concatenate([[np.nan], arr[1:] / np.where(arr[:-1] > 0, arr[:-1], np.nan)])
    return pd.DataFrame({"active": arr.astype(np.int64), "lost": lost, "retention_rate": rate},
                        index=pd.RangeIndex(0, arr.size, name="period"))


class ShiftedBetaGeometricModel(_MLModel):
    """Shifted-beta-geometric model of contract renewals (Fader & Hardie 2007).

    Parameters
    ----------
    start : dict, optional
        Starting values for ``alpha`` and ``beta`` (default 1 and 1).
    tol : float, default 1e-10
        Convergence tolerance of the optimiser (L-BFGS-B on the log parameters).

    Attributes
    ----------
    params_ : Series
        ``alpha``, ``beta`` of the Beta distribution of the per-period churn probability theta.
    log_likelihood_ : float
    n_customers_ : int
        Customers at the start, summed over cohorts.

    Examples
    --------
    >>> m = ShiftedBetaGeometricModel().fit(PUBLISHED_SURVIVAL["high_end"].iloc[:8])
    >>> m.params_.round(3).to_dict(), round(m.log_likelihood_, 2)
    ({'alpha': 0.668, 'beta': 3.806}, -1611.16)
    >>> m.retention_rate([1, 2, 12]).round(3).tolist()
    [0.851, 0.878, 0.957]
    """

    _param_names = ("alpha", "beta")

    def __init__(self, *, start: dict | None = None, tol: float = 1e-10):
        super().__init__(penalizer=0.0, start=start, tol=tol)

    def fit(self, survivors) -> ShiftedBetaGeometricModel:
        """Fit to survivor counts; returns ``self``.

        Parameters
        ----------
        survivors : sequence of int, or list of sequences
            Customers of one acquisition cohort still active at the start of periods 0, 1, ..., k
            (``survivors[0]`` = customers acquired). For several cohorts observed for different numbers
            of periods, pass a list of such sequences; the log-likelihood is the sum over cohorts.

        Notes
        -----
        log L = sum_t (n_{t-1} - n_t) log P(T = t) + n_k log S(k): customers lost in period t contribute
        P(T = t), those still active at the end contribute S(k) (right-censored).
        """
        lt, lw, ct, cw, n0 = _survivor_arrays(survivors, "ShiftedBetaGeometricModel.fit")
        if lw.sum() == 0:
            raise CRMInputError("ShiftedBetaGeometricModel.fit: no customer was lost in any period, so the churn "
                                "distribution cannot be estimated (the likelihood grows without bound as "
                                "churn goes to 0).")
        keep = lw > 0
        self._fit({"lt": lt[keep], "lw": lw[keep], "ct": ct, "cw": cw, "n": n0})
        return self

    @staticmethod
    def _ll_grad(p, d):
        a, b = p
        lt, lw, ct, cw = d["lt"], d["lw"], d["ct"], d["cw"]
        base = special.betaln(a, b)
        # P(T=t) = B(a+1, b+t-1)/B(a,b);  S(t) = B(a, b+t)/B(a,b)
        ll = lw @ (special.betaln(a + 1, b + lt - 1) - base) + cw @ (special.betaln(a, b + ct) - base)
        psi_ab, psi_a, psi_b = special.digamma(a + b), special.digamma(a), special.digamma(b)
        psi_lt = special.digamma(a + b + lt)
        psi_ct = special.digamma(a + b + ct)
        da = lw @ (special.digamma(a + 1) - psi_lt - psi_a + psi_ab) + cw @ (psi_ab - psi_ct)
        db = (lw @ (special.digamma(b + lt - 1) - psi_lt - psi_b + psi_ab)
              + cw @ (special.digamma(b + ct) - psi_ct - psi_b + psi_ab))
        return float(ll), np.array([da, db])

    # ---------------------------------------------------------------- predictions
    def _t(self, t, where, low=0):
        self._check_fitted(where)
        arr = np.asarray(t, dtype=np.float64)
        if not np.all(np.isfinite(arr)) or np.any(arr < low) or np.any(arr != np.round(arr)):
            raise CRMInputError(f"ShiftedBetaGeometricModel.{where}: periods must be whole numbers >= {low}, "
                                f"got {t!r}.")
        return arr

    def survival(self, t) -> np.ndarray:
        """S(t) = P(still a customer after t periods) = B(alpha, beta + t) / B(alpha, beta)."""
        t = self._t(t, "survival")
        a, b = self.params_.to_numpy()
        return np.exp(special.betaln(a, b + t) - special.betaln(a, b))

    def churn_probability(self, t) -> np.ndarray:
        """P(T = t): probability that a new customer's last period is period t (t >= 1)."""
        t = self._t(t, "churn_probability", low=1)
        a, b = self.params_.to_numpy()
        return np.exp(special.betaln(a + 1, b + t - 1) - special.betaln(a, b))

    def retention_rate(self, t) -> np.ndarray:
        """r_t = S(t) / S(t-1) = (beta + t - 1) / (alpha + beta + t - 1): share of the customers active in
        period t who renew for period t + 1 (t >= 1). Rises with t through heterogeneity alone."""
        t = self._t(t, "retention_rate", low=1)
        a, b = self.params_.to_numpy()
        return (b + t - 1) / (a + b + t - 1)

    def project(self, n_periods: int, *, cohort_size: float | None = None) -> pd.DataFrame:
        """Projected survival of one cohort for periods 0..n_periods.

        Returns
        -------
        DataFrame
            Indexed by ``period``: ``survival`` (share still active), ``retention_rate`` (NaN at period
            0) and ``expected_active`` (survival x cohort size; the size fitted on by default).
        """
        n = require_positive_int(n_periods, "n_periods", where="ShiftedBetaGeometricModel.project")
        self._check_fitted("project")
        size = self.n_customers_ if cohort_size is None else require_number(
            cohort_size, "cohort_size", where="ShiftedBetaGeometricModel.project", low=0)
        t = np.arange(0, n + 1, dtype=np.float64)
        rate = np.concatenate([[np.nan], self.retention_rate(t[1:])])
        s = self.survival(t)
        return pd.DataFrame({"survival": s, "retention_rate": rate, "expected_active": s * size},
                            index=pd.RangeIndex(0, n + 1, name="period"))

    def expected_lifetime(self) -> float:
        """Expected number of periods a new customer stays, E[T] = (alpha + beta - 1) / (alpha - 1)
        (infinite when alpha <= 1: the customers with theta near 0 almost never leave)."""
        self._check_fitted("expected_lifetime")
        a, b = self.params_.to_numpy()
        return float((a + b - 1) / (a - 1)) if a > 1 else float("inf")

    def discounted_expected_lifetime(self, discount_rate: float) -> float:
        """DEL: expected discounted number of payments of a new customer who pays at the start of every
        period she is active, the first payment (period 1) undiscounted.

        DEL = sum_{t>=0} S(t) / (1 + d)^t = 2F1(1, beta; alpha + beta; 1 / (1 + d))
        (Fader & Hardie 2010, "Customer-base valuation in a contractual setting"). ``discount_rate`` is per
        period (convert an annual rate with :func:`crm_lessons.clv.per_period_discount_rate`).
        """
        d = require_number(discount_rate, "discount_rate", where="ShiftedBetaGeometricModel.discounted_expected_lifetime",
                           low=0, low_inclusive=False)
        self._check_fitted("discounted_expected_lifetime")
        a, b = self.params_.to_numpy()
        return float(special.hyp2f1(1.0, b, a + b, 1.0 / (1.0 + d)))

    def discounted_expected_residual_lifetime(self, discount_rate: float, renewals=0) -> np.ndarray:
        """DERL: expected discounted number of *future* payments of a customer who has made ``renewals``
        renewals (active in period n = renewals + 1), evaluated at the end of period n just before she
        decides whether to renew; the payment for period n + 1 (if she renews) is undiscounted.

        DERL = sum_{k>=1} S(n + k - 1) / S(n - 1) / (1 + d)^(k - 1)
             = (beta + n - 1) / (alpha + beta + n - 1) 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d))

        (Fader & Hardie 2010, eq. 6). It rises with ``renewals``: long-tenured customers are the loyal ones.
        """
        where = "ShiftedBetaGeometricModel.discounted_expected_residual_lifetime"
        d = require_number(discount_rate, "discount_rate", where=where, low=0, low_inclusive=False)
        k = self._t(renewals, "discounted_expected_residual_lifetime")
        a, b = self.params_.to_numpy()
        n = k + 1
        return (b + n - 1) / (a + b + n - 1) * special.hyp2f1(1.0, b + n, a + b + n, 1.0 / (1.0 + d))

    def customer_value(self, *, margin_per_period: float, discount_rate: float, renewals=None,
                       time_unit: str = "period") -> pd.DataFrame:
        """Contractual CLV: margin per period x DEL (new customers) or x DERL (existing ones).

        Parameters
        ----------
        margin_per_period : float
            Margin a customer brings each period she is active (paid at the start of the period).
        discount_rate : float
            Per period (e.g. per year for yearly contracts).
        renewals : int or array-like, optional
            If given, the residual value of customers with these numbers of renewals; otherwise the
            expected lifetime value of a customer about to be acquired.
        time_unit : str
            Name of the period ("year", "month"), recorded in the result.

        Returns
        -------
        DataFrame
            One row per ``renewals`` value (or one row ``new customer``): ``discounted_expected_periods``
            and ``value``. ``attrs`` records ``time_unit``, ``discount_rate_per_period``, ``horizon``
            ("infinite"), ``value_type`` ("total" for a new customer, "residual" otherwise) and
            ``margin_per_period``.
        """
        where = "ShiftedBetaGeometricModel.customer_value"
        m = require_number(margin_per_period, "margin_per_period", where=where)
        if renewals is None:
            periods = np.array([self.discounted_expected_lifetime(discount_rate)])
            index = pd.Index(["new customer"], name="customer")
            kind = "total"
        else:
            k = np.atleast_1d(self._t(renewals, "customer_value"))
            periods = np.atleast_1d(self.discounted_expected_residual_lifetime(discount_rate, k))
            index = pd.Index(k.astype(np.int64), name="renewals")
            kind = "residual"
        out = pd.DataFrame({"discounted_expected_periods": periods, "value": m * periods}, index=index)
        out.attrs.update({"time_unit": str(time_unit), "discount_rate_per_period": float(discount_rate),
                          "horizon": "infinite", "value_type": kind, "margin_per_period": m})
        return out
