"""Customer-base analysis: "buy till you die" models and customer lifetime value.

Three models, fitted by maximum likelihood on the per-customer summaries of
:mod:`crm_lessons.summary` (``frequency`` = x repeat transactions, ``recency`` = t_x, ``T``):

- :class:`BetaGeoModel` (BG/NBD; Fader, Hardie & Lee 2005, "Counting your customers the easy way"):
  while alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha); after each purchase she drops
  out with probability p ~ Beta(a, b).
- :class:`ParetoNBDModel` (Pareto/NBD; Schmittlein, Morrison & Colombo 1987): the same purchasing, but
  the lifetime is exponential with rate mu ~ Gamma(s, beta), so dropout can happen at any time.
- :class:`GammaGammaModel` (Colombo & Jiang 1999, "A stochastic RFM model", J. Interactive Marketing
  13(3); used with these models by Fader, Hardie & Lee 2005b, "RFM and CLV: using iso-value curves",
  J. Marketing Research 42(4); CDNOW estimates in Fader & Hardie 2013's note): the value of each
  transaction is Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers, independent of buying.

All three follow scikit-learn: ``Model().fit(summary)`` returns the model; the estimates are in
``params_`` and ``log_likelihood_``; ``summary()`` adds standard errors and 95% Wald confidence
intervals from the numerical Hessian of the log-likelihood at the optimum. The likelihoods are
vectorised, written in log space (``gammaln``, ``betaln``), and have analytic gradients, so a fit on a
million customers takes about a second (BG/NBD) or several (Pareto/NBD). The Pareto/NBD likelihood uses
a hypergeometric series with positive terms only (an Euler transform of the usual 2F1 form), summed to
an exact tail bound, which stays accurate for customers with many purchases; fits whose estimates run
off towards degenerate values (no heterogeneity in the data) stop early with a :class:`FitWarning`.
:class:`BetaGeoCovariateModel` and :class:`ParetoNBDCovariateModel` add time-invariant covariates;
:func:`calibration_frequency`, :func:`holdout_by_frequency`, :func:`repeat_transactions_tracking` and
:func:`model_comparison` are the usual diagnostics.

:func:`customer_lifetime_value` turns a transaction model and a spend model into CLV: the discounted
expected residual transactions (DERT) over a horizon, times the expected margin per transaction.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special

from ._validate import (
    CRMInputError,
    require_columns,
    require_frame,
    require_no_missing,
    require_non_negative,
    require_number,
    require_positive_int,
    require_probability,
)

__all__ = [
    "FitWarning",
    "MIN_CUSTOMERS",
    "BetaGeoModel",
    "ModifiedBetaGeoModel",
    "BetaGeoCovariateModel",
    "ParetoNBDModel",
    "ParetoNBDCovariateModel",
    "GammaGammaModel",
    "customer_lifetime_value",
    "prediction_interval",
    "clv_units",
    "per_period_discount_rate",
    "cohort_repeat_transactions",
    "repeat_transactions_tracking",
    "holdout_by_frequency",
    "calibration_frequency",
    "model_comparison",
    "p_alive_history",
    "check_case_parameters",
]


# --------------------------------------------------------------------------------------------------
# Shared machinery
# --------------------------------------------------------------------------------------------------

def _as_array(t: Any, name: str, where: str) -> np.ndarray:
    arr = np.asarray(t, dtype=np.float64)
    # two reductions instead of isfinite/any temporaries (NaN fails min() >= 0); this check was a third
    # of the time of a million-customer P(alive)
    if arr.size and not (arr.min() >= 0 and arr.max() < np.inf):
        raise CRMInputError(f"{where}: {name} must be finite and >= 0, got {t!r}.")
    return arr


class FitWarning(RuntimeWarning):
    """A maximum-likelihood fit whose estimates should not be trusted as they stand.

    Raised (as a warning) when an estimate sits at the optimiser's bound (the data cannot pin it
    down), when the optimiser stops without converging, when the log-likelihood was not finite on the
    optimiser's path near the end, or when the Hessian at the estimates is singular or indefinite (no
    standard errors). The message says what went wrong and what to do. The same text is kept in the
    model's ``fit_warnings_`` list (empty after a clean fit).
    """


#: Fewest customers a transaction model (BG/NBD, Pareto/NBD) is fitted to; below it ``fit`` refuses.
#: Ten customers still give unreliable estimates (``fit`` then warns); a few hundred are needed for
#: standard errors that mean something.
MIN_CUSTOMERS = 10

#: Bounds of L-BFGS-B on log(parameter): estimates within _BOUND_TOL of them are reported as "at the bound".
_LOG_BOUND = 12.0
_BOUND_TOL = 1e-3
#: a parameter whose log has a standard error above this is reported as not identified
_MAX_LOG_SE = 2.0

_CONTROLLER: list = []

#: running count of Pareto/NBD series terms summed (rows x terms), for the work budget of a fit
_SERIES_WORK = [0]


class _OverBudget(Exception):
    """Raised inside a fit's objective when the likelihood has cost more than the model's work budget."""


def _one_blas_thread():
    """Context manager limiting BLAS/OpenMP to one thread (threadpoolctl ships with scikit-learn)."""
    import contextlib

    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    if not _CONTROLLER:  # scanning the loaded libraries is slow: do it once per session
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1)


_ADVICE = (" What to do: fit on more customers (a few hundred or more, with repeat buyers among them); "
           "check the summary's time unit (T in weeks for weekly data); try other starting values with "
           "start={...}; or add a small penalizer (e.g. penalizer=0.001) to keep the estimates finite. "
           "Do not report these estimates or their standard errors as they stand.")


def _hessian(fun_grad, theta: np.ndarray, g0: np.ndarray | None = None) -> np.ndarray:
    """Central-difference Hessian of a function from its analytic gradient (symmetrised); forward
    differences from ``g0``, the gradient at ``theta``, when it is given."""
    k = len(theta)
    h = np.empty((k, k))
    for j in range(k):
        step = 1e-5 * max(abs(theta[j]), 1e-3)
        e = np.zeros(k)
        e[j] = step
        if g0 is None:
            h[:, j] = (fun_grad(theta + e)[1] - fun_grad(theta - e)[1]) / (2 * step)
        else:
            h[:, j] = (fun_grad(theta + e)[1] - g0) / step
    return (h + h.T) / 2


class _MLModel:
    """Maximum-likelihood fitting, standard errors and the summary table, shared by the models."""

    _param_names: tuple[str, ...] = ()

    def __init__(self, *, penalizer: float = 0.0, start: dict | None = None, tol: float = 1e-10):
        self.penalizer = penalizer
        self.start = start
        self.tol = tol

    # subclasses build a dict of arrays in fit() (with "n", the number of customers) and provide
    # _ll_grad(params, data) -> (log-likelihood, gradient with respect to the parameters)

    def _fit(self, data: dict, start: dict | None = "default", *, diagnose: bool = True,
             hessian: np.ndarray | None = None) -> np.ndarray:
        where = f"{type(self).__name__}.fit"
        pen = require_number(self.penalizer, "penalizer", where=where, low=0)
        names = self._param_names
        start = self.start if isinstance(start, str) else start
        start_vals = np.array([(start or {}).get(nm, 1.0) for nm in names], dtype=float)
        if not np.all(np.isfinite(start_vals)) or np.any(start_vals <= 0):
            raise CRMInputError(f"{where}: start values must be positive numbers, got {dict(zip(names, start_vals))}.")
        x0 = np.log(start_vals)
        n = data["n"]
        # a non-finite objective must not look like a flat optimum (a zero gradient would make L-BFGS-B
        # stop at once and report success): return a large value that grows away from the last finite
        # point, with the gradient of that penalty, so the line search backs off; count such points.
        last = {"x": x0.copy(), "f": None, "bad": 0, "bad_at_end": False}
        # the optimiser evaluates its start again, and the checks below want the value and gradient at the
        # estimates it evaluated last: remember the latest finite evaluations instead of repeating them
        cache: dict = {}

        budget = self._work_budget(data)
        work0 = _SERIES_WORK[0]
        best = {"x": x0.copy(), "f": np.inf}

        def negll(logp):
            key = logp.tobytes()
            if key in cache:
                val, grad = cache[key][:2]
                last["x"], last["f"], last["bad_at_end"] = logp.copy(), val, False
                return val, grad.copy()
            if budget is not None and _SERIES_WORK[0] - work0 > budget:
                raise _OverBudget
            p = np.exp(logp)
            ll, g = self._ll_grad(p, data)
            # optional ridge penalty on the parameters (lifetimes' convention: penalizer * sum(p^2))
            val = -(ll / n)
            grad = -(g / n) * p
            if pen:
                val += pen * float(p @ p)
                grad += pen * 2 * p * p
            if not np.isfinite(val + float(grad.sum())):        # NaN or inf anywhere
                last["bad"] += 1
                last["bad_at_end"] = True
                d = logp - last["x"]
                return (abs(last["f"] or 0.0) + 1.0) * 10.0 + 1e3 * float(d @ d), 2e3 * d
            last["x"], last["f"], last["bad_at_end"] = logp.copy(), val, False
            if val < best["f"]:
                best["x"], best["f"] = logp.copy(), val
            if len(cache) > 4:
                cache.pop(next(iter(cache)))
            cache[key] = (val, grad.copy(), float(ll), np.array(g, dtype=float))
            return val, grad

        with np.errstate(all="ignore"):
            f0, _ = negll(x0)
        if last["f"] is None:
            raise CRMInputError(
                f"{where}: the log-likelihood is not finite at the starting values {dict(zip(names, start_vals))}; "
                "pass other starting values, e.g. start={...} near estimates from a similar data set.")
        # L-BFGS-B works on 3-4 numbers; a multi-threaded BLAS only adds start-up cost and, on a busy
        # machine, spin-waiting that made a 3 ms fit take 200 ms. Use one thread while optimising.
        res = None
        self._hess_at_fit = None
        self._drifted = None
        if getattr(self, "_ll_grad_hess", None) is not None and len(data.get("x", ())) <= 10_000:
            # (on larger data the Hessian's extra passes cost more than the iterations they save);
            # one BLAS thread, as for L-BFGS-B below: the 4 x n products spun 80 ms each on a busy machine
            with _one_blas_thread(), np.errstate(all="ignore"):
                res = self._newton(data, x0, pen)
        elif hessian is not None:
            with _one_blas_thread(), np.errstate(all="ignore"):
                res = self._polish(negll, x0, hessian)
        if res is None:
            # L-BFGS-B works on 3-4 numbers; a multi-threaded BLAS only adds start-up cost and, on a busy
            # machine, spin-waiting that made a 3 ms fit take 200 ms. Use one thread while optimising.
            try:
                with _one_blas_thread(), np.errstate(all="ignore"):
                    res = optimize.minimize(negll, x0, jac=True, method="L-BFGS-B", callback=self._drift_check,
                                            bounds=[(-_LOG_BOUND, _LOG_BOUND)] * len(names),
                                            options={"ftol": self.tol * 1e-3, "gtol": 1e-9, "maxiter": 2000})
            except _OverBudget:
                self._drifted = ("budget", float(_SERIES_WORK[0] - work0))
                res = optimize.OptimizeResult(x=best["x"], fun=best["f"], success=False, nit=0,
                                              message="stopped: likelihood work budget exceeded")
        p = np.exp(res.x)
        hit = cache.get(res.x.tobytes())
        if hit is not None:
            ll = hit[2]
        else:
            with np.errstate(all="ignore"):
                ll = float(self._ll_grad(p, data)[0])
        self._grad_at_fit = None if hit is None else hit[3]          # d ll / d parameter, for the Hessian check
        self.params_ = pd.Series(p, index=list(names), name="estimate")
        self.log_likelihood_ = ll
        self.n_customers_ = int(n)
        self.n_iter_ = int(res.nit)
        self.optimizer_message_ = str(res.message)
        self._data = data
        self.fit_warnings_ = self._diagnose(res, negll, last, where) if diagnose else []
        self.converged_ = bool(res.success or self._converged_anyway) and not self.fit_warnings_
        if self.fit_warnings_:
            warnings.warn(f"{where}: " + " ".join(self.fit_warnings_) + _ADVICE, FitWarning, stacklevel=3)
        return p

    _converged_anyway = False

    #: gamma shape parameters whose estimate running past _MAX_SHAPE means the data show no heterogeneity
    #: in that rate: the mixing distribution degenerates, the estimates drift towards the bound, and
    #: (Pareto/NBD) each evaluation there costs thousands of series terms. Such fits stop early, warned.
    _shape_params: tuple[str, ...] = ()
    _MAX_SHAPE = float(np.exp(7.0))          # about 1,100: a coefficient of variation of 3% across customers

    def _work_budget(self, data: dict) -> float | None:
        """Most series terms (rows x terms) a fit may sum before it is stopped as degenerate (None: no limit)."""
        return None

    def _drift_check(self, xk) -> None:
        for j, nm in enumerate(self._param_names):
            if nm in self._shape_params and xk[j] > np.log(self._MAX_SHAPE):
                self._drifted = (nm, float(np.exp(xk[j])))
                raise StopIteration

    @staticmethod
    def _polish(negll, x0: np.ndarray, hessian: np.ndarray, max_iter: int = 30):
        """Quasi-Newton (BFGS) steps from the subsample's estimates, starting from the Hessian (of the mean
        negative log-likelihood in log parameters) estimated on the subsample: each step costs one
        evaluation on the full data, and a few steps replace L-BFGS-B's 12-20 on a million customers.
        None if a step fails (L-BFGS-B takes over)."""
        try:
            hinv = np.linalg.inv(hessian)
            if np.any(np.linalg.eigvalsh((hinv + hinv.T) / 2) <= 0):
                return None
        except np.linalg.LinAlgError:
            return None
        th = np.array(x0, dtype=float)
        f, g = negll(th)
        if not np.isfinite(f):
            return None
        for it in range(1, max_iter + 1):
            if float(np.abs(g).max()) < 1e-9:
                return optimize.OptimizeResult(x=th, fun=f, jac=g, success=True, nit=it - 1,
                                               message="BFGS from the subsample Hessian: gradient below 1e-9")
            step = -(hinv @ g)
            t = 1.0
            while t > 1e-6:
                cand = np.clip(th + t * step, -_LOG_BOUND, _LOG_BOUND)
                fc, gc = negll(cand)
                if np.isfinite(fc) and fc <= f + 1e-4 * t * float(g @ step):
                    break
                t /= 2
            else:
                return None
            small = (f - fc) <= 1e-13 * max(abs(f), abs(fc), 1.0)
            # BFGS update of the inverse Hessian: the subsample's Hessian is least accurate in the
            # dropout parameters (a flat direction), where fixed steps alone converged slowly
            sk, yk = cand - th, gc - g
            sy = float(sk @ yk)
            if sy > 1e-12 * float(np.sqrt((sk @ sk) * (yk @ yk))):
                rho = 1.0 / sy
                v = np.eye(len(th)) - rho * np.outer(sk, yk)
                hinv = v @ hinv @ v.T + rho * np.outer(sk, sk)
            th, f, g = cand, fc, gc
            if small and float(np.abs(g).max()) < 1e-6:
                return optimize.OptimizeResult(x=th, fun=f, jac=g, success=True, nit=it,
                                               message="BFGS from the subsample Hessian: relative reduction below 1e-13")
        return None

    def _newton(self, data: dict, x0: np.ndarray, pen: float):
        """Newton's method on log(parameters) with the model's analytic Hessian (``_ll_grad_hess``) and a
        backtracking line search; a few iterations instead of L-BFGS-B's twenty. Returns an
        OptimizeResult, or None to fall back to L-BFGS-B (a non-finite value on the way, or no
        convergence in 100 iterations). The Hessian at the estimates is kept for the fit-time check."""
        n = data["n"]

        def objective(th):
            p = np.exp(th)
            ll, g, h = self._ll_grad_hess(p, data)
            # minimise f = -ll/n + pen sum p^2 over th = log p
            gt = g * p
            f = -ll / n + pen * float(p @ p)
            grad = -gt / n + 2 * pen * p * p
            hess = -(h * np.outer(p, p) + np.diag(gt)) / n + np.diag(4 * pen * p * p)
            return f, grad, hess, ll, g, h

        th = np.array(x0, dtype=float)
        f, grad, hess, ll, g, h = objective(th)
        if not np.isfinite(f + grad.sum()):
            return None
        for it in range(1, 101):
            # Newton step; where the Hessian (of f) is not positive definite, its eigenvalues are
            # replaced by their absolute values (floored), which gives a descent direction
            ev, vec = np.linalg.eigh(hess)
            ev = np.maximum(np.abs(ev), 1e-8 * max(1.0, float(np.abs(ev).max())))
            step = -(vec @ ((vec.T @ grad) / ev))
            step *= min(1.0, 2.0 / max(float(np.abs(step).max()), 1e-300))     # at most e^2 a step
            t = 1.0
            while t > 1e-10:
                cand = np.clip(th + t * step, -_LOG_BOUND, _LOG_BOUND)
                out = objective(cand)
                if np.isfinite(out[0] + out[1].sum()) and out[0] <= f + 1e-4 * t * float(grad @ step):
                    break
                t /= 2
            else:
                return None
            th_old, f_old = th, f
            th, (f, grad, hess, ll, g, h) = cand, out
            if float(np.abs(grad).max()) < 1e-10 or (abs(f_old - f) <= 1e-16 * max(1.0, abs(f))
                                                     and float(np.abs(th - th_old).max()) < 1e-9):
                self._hess_at_fit = h if not pen else None
                return optimize.OptimizeResult(x=th, fun=f, jac=grad, success=True, nit=it,
                                               message="Newton: gradient below 1e-10")
        return None

    def _diagnose(self, res, negll, last, where) -> list[str]:
        """Checks of a finished fit; returns a list of problems (empty when the fit looks sound)."""
        names = self._param_names
        problems = []
        self._converged_anyway = False
        at_bound = np.abs(res.x) >= _LOG_BOUND - _BOUND_TOL
        if at_bound.any():
            which = ", ".join(f"{nm} = {v:.3g}" for nm, v, b in zip(names, np.exp(res.x), at_bound) if b)
            problems.append(f"The estimate(s) {which} reached the optimiser's bound (e^{_LOG_BOUND:g} or "
                            f"e^-{_LOG_BOUND:g}): the {self.n_customers_:,} customers do not pin them down.")
        with np.errstate(all="ignore"):
            _, g = negll(res.x)
        free = ~at_bound
        gmax = float(np.max(np.abs(g[free]))) if free.any() else 0.0
        if getattr(self, "_drifted", None) and self._drifted[0] == "budget":
            problems.append(
                f"The fit was stopped after summing {self._drifted[1]:.3g} series terms (the budget: "
                f"{self._work_budget(self._data) / max(len(self._data['x']), 1):,.0f} per distinct history): "
                "the optimiser was heading where alpha and beta differ by orders of magnitude, which happens when "
                "the data carry no signal about heterogeneity in purchase or dropout rates (e.g. recency "
                "unrelated to frequency). The estimates are where it stopped and are not a maximum.")
            return problems
        if getattr(self, "_drifted", None):
            nm, v = self._drifted
            problems.append(
                f"The gamma shape {nm} grew past {self._MAX_SHAPE:,.0f} ({nm} = {v:.3g} when the fit was stopped): "
                f"the rates it describes hardly vary across these {self.n_customers_:,} customers, so the "
                "gamma mixing distribution degenerates and the estimates would only drift towards the "
                "optimiser's bound (slowly: each step there costs more than the last). The fit was stopped early; "
                "a model without that heterogeneity (or more varied data) is needed.")
            return problems
        if not res.success:
            msg = str(res.message)
            # L-BFGS-B often ends with ABNORMAL_TERMINATION_IN_LNSRCH at an optimum it cannot improve in
            # floating point; accept that only when the gradient (mean log-likelihood per customer, log
            # parameters) is essentially zero.
            if "ABNORMAL" in msg and gmax < 1e-5:
                self._converged_anyway = True
            else:
                problems.append(f"The optimiser stopped without converging ({msg}; largest gradient "
                                f"component {gmax:.2g} per customer).")
        if last["bad"] and last["bad_at_end"]:
            problems.append(f"The log-likelihood was not finite at {last['bad']} point(s) the optimiser tried, "
                            "including its last ones.")
        if not at_bound.any() and not problems and self._hessian_check_ok():
            # forward differences from the gradient the optimiser already has: half the evaluations of
            # the central differences covariance() uses, and accurate enough to tell a definite Hessian
            hess = getattr(self, "_hess_at_fit", None)
            if hess is None and getattr(self, "_grad_at_fit", None) is not None:
                with np.errstate(all="ignore"):
                    hess = _hessian(lambda q: self._ll_grad(q, self._data), self.params_.to_numpy(),
                                    g0=self._grad_at_fit)
            status = self._hessian_status(hess)
            if status and hess is not None:          # borderline: decide with central differences
                status = self._hessian_status()
            if status:
                problems.append(status)
        return problems

    def _hessian_check_ok(self) -> bool:
        # the Hessian costs 2 x (number of parameters) likelihood evaluations: check it at fit time
        # when that is cheap, else in covariance()/summary()
        return len(self._data.get("x", ())) <= 20_000

    def _hessian_status(self, hess: np.ndarray | None = None) -> str:
        """'' if minus the Hessian is positive definite and every parameter is identified, else a sentence
        saying what is wrong (see :attr:`_covariance_defined` for whether standard errors exist)."""
        self._covariance_defined = False
        if hess is None:
            with np.errstate(all="ignore"):
                hess = _hessian(lambda q: self._ll_grad(q, self._data), self.params_.to_numpy())
        if not np.all(np.isfinite(hess)):
            return "The Hessian of the log-likelihood at the estimates is not finite: no standard errors."
        p = self.params_.to_numpy()
        info = -hess * np.outer(p, p)                  # on the log-parameter scale: scale-free
        ev = np.linalg.eigvalsh(info)
        if ev[-1] <= 0 or ev[0] <= 1e-10 * ev[-1]:
            kind = "indefinite" if ev[0] < 0 else "singular"
            return (f"The Hessian of the log-likelihood at the estimates is {kind} (eigenvalues "
                    f"{ev[0]:.3g} to {ev[-1]:.3g} on the log-parameter scale): the estimates are not a "
                    "well-defined maximum and have no standard errors.")
        self._covariance_defined = True
        se_log = np.sqrt(np.diag(np.linalg.inv(info)))
        weak = se_log > _MAX_LOG_SE
        if weak.any():
            which = ", ".join(f"{nm} = {v:.3g}" for nm, v, w in zip(self._param_names, p, weak) if w)
            return (f"The likelihood is nearly flat in {which}: the standard error of log(parameter) exceeds "
                    f"{_MAX_LOG_SE:g}, so the 95% interval spans more than a factor of "
                    f"{np.exp(2 * 1.959964 * _MAX_LOG_SE):.0e}; the data do not identify it.")
        return ""

    def _check_fitted(self, where: str) -> None:
        if not hasattr(self, "params_"):
            raise CRMInputError(f"{type(self).__name__}.{where}: the model is not fitted yet; call .fit(summary) first.")

    def covariance(self) -> pd.DataFrame:
        """Covariance of the estimates: the inverse of minus the Hessian of the log-likelihood.

        If minus the Hessian is not positive definite (estimates at a bound, a flat or saddle-shaped
        likelihood), there are no standard errors: the matrix is all NaN and a :class:`FitWarning` says why.
        """
        self._check_fitted("covariance")
        theta = self.params_.to_numpy()
        with np.errstate(all="ignore"):
            hess = _hessian(lambda p: self._ll_grad(p, self._data), theta)
        status = self._hessian_status(hess)
        if status:
            warnings.warn(f"{type(self).__name__}.covariance: {status}{_ADVICE}", FitWarning, stacklevel=2)
        if not self._covariance_defined:
            cov = np.full((len(theta), len(theta)), np.nan)
        else:
            cov = np.linalg.inv(-hess)
            cov = (cov + cov.T) / 2
        return pd.DataFrame(cov, index=self.params_.index, columns=self.params_.index)

    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors and 95% confidence intervals (from the Hessian).

        The standard errors are the square roots of the diagonal of the inverse of minus the Hessian
        of the log-likelihood at the estimates. Every parameter is positive, so the interval is the
        Wald interval of log(parameter), ``estimate * exp(±1.96 * std_error / estimate)`` (delta method):
        it stays positive and is asymmetric, like the likelihood.

        Returns
        -------
        DataFrame
            One row per parameter: ``estimate``, ``std_error``, ``lower_95``, ``upper_95``.
        """
        cov = self.covariance()
        se = np.sqrt(np.clip(np.diag(cov.to_numpy()), 0, None))
        est = self.params_.to_numpy()
        with np.errstate(over="ignore", invalid="ignore"):
            half = 1.959964 * se / est
            lower, upper = est * np.exp(-half), est * np.exp(half)
        return pd.DataFrame({"estimate": est, "std_error": se, "lower_95": lower, "upper_95": upper},
                            index=self.params_.index)

    def sample_params(self, n_draws: int = 1000, *, method: str = "normal", seed: int = 0) -> pd.DataFrame:
        """Draws of the parameters that express their estimation uncertainty.

        ``method="normal"`` samples log(parameters) from the asymptotic normal distribution of the MLE
        (covariance from :meth:`covariance` by the delta method), so every draw is positive.
        ``method="bootstrap"`` resamples customers with replacement and refits (slower: one fit per draw;
        BG/NBD, Pareto/NBD, Gamma-Gamma and BG/BB).

        Returns
        -------
        DataFrame
            ``n_draws`` rows, one column per parameter.
        """
        where = f"{type(self).__name__}.sample_params"
        self._check_fitted("sample_params")
        k = require_positive_int(n_draws, "n_draws", where=where)
        from ._validate import require_choice

        require_choice(method, "method", ["normal", "bootstrap"], where=where)
        rng = np.random.default_rng(seed)
        est = self.params_.to_numpy()
        if method == "normal":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FitWarning)
                cov = self.covariance().to_numpy()
            if not np.all(np.isfinite(cov)):
                raise CRMInputError(f"{where}: the fit has no standard errors (see its fit_warnings_), so there "
                                    "is no normal approximation to sample from; fit on more customers first.")
            cov_log = cov / np.outer(est, est)
            draws = np.exp(rng.multivariate_normal(np.log(est), cov_log, size=k, method="eigh"))
        else:
            if not hasattr(self, "_resampled"):
                raise CRMInputError(f"{where}: method='bootstrap' is not available for {type(self).__name__}; "
                                    "use method='normal'.")
            draws = np.empty((k, len(est)))
            for i in range(k):
                boot = copy.copy(self)
                boot.start = dict(zip(self._param_names, est))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", FitWarning)
                    draws[i] = boot._fit(self._resampled(rng), diagnose=False)
        return pd.DataFrame(draws, columns=list(self._param_names))

    def __repr__(self) -> str:
        if hasattr(self, "params_"):
            ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
            return f"{type(self).__name__}({ps}, log_likelihood={self.log_likelihood_:.2f})"
        return f"{type(self).__name__}(not fitted)"


def _non_negative_columns(frame: pd.DataFrame, cols: list[str], where: str) -> list[np.ndarray]:
    """The columns as float arrays after the usual checks (present, numeric, no missing, >= 0). Clean
    numeric columns are checked on the arrays (a fit on CDNOW spent a third of its time in the pandas
    checks); anything else goes through the validators, which raise the explanatory errors."""
    require_frame(frame, where=where)
    require_columns(frame, cols, where=where)
    arrs = None
    if all(frame[c].dtype.kind in "iuf" for c in cols):
        arrs = [frame[c].to_numpy(dtype=np.float64) for c in cols]
        if not all(bool(np.all(a >= 0)) for a in arrs):      # NaN fails a >= 0 too
            arrs = None
    if arrs is None:
        require_no_missing(frame, cols, where=where)
        require_non_negative(frame, cols, where=where)
        arrs = [frame[c].to_numpy(dtype=np.float64) for c in cols]
    return arrs


def _rfm_arrays(summary: pd.DataFrame, frequency_col: str, recency_col: str, T_col: str, where: str):
    x, tx, T = _non_negative_columns(summary, [frequency_col, recency_col, T_col], where)
    if np.any(x != np.round(x)):
        raise CRMInputError(f"{where}: column {frequency_col!r} must hold whole numbers of repeat transactions.")
    bad = (tx > T + 1e-9) | ((x == 0) & (tx > 0))
    if bad.any():
        i = summary.index[np.flatnonzero(bad)[0]]
        raise CRMInputError(
            f"{where}: recency must lie in [0, T] and be 0 when frequency is 0; customer {i!r} has "
            f"frequency={summary.loc[i, frequency_col]!r}, recency={summary.loc[i, recency_col]!r}, "
            f"T={summary.loc[i, T_col]!r}. Build summaries with crm_lessons.summary.customer_summary.")
    return x, tx, T


def _require_fit_sample(x: np.ndarray, where: str) -> None:
    """Refuse samples a transaction model cannot be fitted to (see MIN_CUSTOMERS)."""
    if len(x) < MIN_CUSTOMERS:
        raise CRMInputError(
            f"{where}: got {len(x)} customer(s); fitting needs at least {MIN_CUSTOMERS} (and a few hundred for "
            "estimates worth reporting). Fit on the whole customer base, or use published estimates for "
            "a similar business as the model's params_.")
    if not np.any(x > 0):
        raise CRMInputError(
            f"{where}: none of the {len(x)} customers made a repeat purchase, so the purchase and dropout "
            "rates cannot be told apart (the likelihood has no maximum). Use a longer calibration period "
            "or check that frequency counts repeat purchases.")


def _unique_x(x: np.ndarray, w: np.ndarray):
    xu, inv = np.unique(x, return_inverse=True)
    return xu, inv, np.bincount(inv, weights=w).astype(np.float64)


def _compress(x: np.ndarray, tx: np.ndarray, T: np.ndarray):
    """Collapse customers with identical (x, t_x, T) into one row with a count (the likelihood only
    depends on these three numbers, and most customers share them: e.g. every non-repeater of the same
    age). Returns x, t_x, T, weights."""
    if len(x) > 100_000:
        # a sample says whether grouping pays: continuous-time histories are all distinct and the groupby
        # would cost a third of a million-customer fit for nothing. (Day-rounded histories with one in
        # five distinct still show ~4% repeats in a 20,000-row sample; all-distinct ones show none.)
        k = np.random.default_rng(2).choice(len(x), 20_000, replace=False)
        if pd.DataFrame({"x": x[k], "tx": tx[k], "T": T[k]}).duplicated().mean() < 0.005:
            return x, tx, T, np.ones_like(x)
    if len(x) <= 100_000:
        # small data: a lexicographic sort is a tenth of the cost of a pandas groupby (a third of a CDNOW fit)
        order = np.lexsort((T, tx, x))
        xs, txs, Ts = x[order], tx[order], T[order]
        new = np.ones(len(x), dtype=bool)
        new[1:] = (xs[1:] != xs[:-1]) | (txs[1:] != txs[:-1]) | (Ts[1:] != Ts[:-1])
        starts = np.flatnonzero(new)
        if len(starts) > 0.8 * len(x):
            return x, tx, T, np.ones_like(x)
        cnt = np.diff(np.append(starts, len(x))).astype(np.float64)
        return xs[starts], txs[starts], Ts[starts], cnt
    frame = pd.DataFrame({"x": x, "tx": tx, "T": T})
    counts = frame.groupby(["x", "tx", "T"], sort=False).size()
    if len(counts) > 0.8 * len(x):
        return x, tx, T, np.ones_like(x)
    idx = counts.index
    return (idx.get_level_values(0).to_numpy(dtype=np.float64), idx.get_level_values(1).to_numpy(dtype=np.float64),
            idx.get_level_values(2).to_numpy(dtype=np.float64), counts.to_numpy(dtype=np.float64))


def _nbd_pmf_table(r: float, alpha: float, t: np.ndarray, k: int) -> np.ndarray:
    """P(N(t) = j) for j = 0..k-1 under gamma-mixed Poisson purchasing (the NBD), rows = t (in log space)."""
    t = np.asarray(t, dtype=np.float64)[:, None]
    j = np.arange(k, dtype=np.float64)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = (special.gammaln(r + j) - special.gammaln(r) - special.gammaln(j + 1) + r * np.log(alpha / (alpha + t))
                + j * np.log(t / (alpha + t)))
    out = np.exp(logp)
    out[:, 0] = (alpha / (alpha + t[:, 0])) ** r            # also right at t = 0
    if k > 1:
        out[t[:, 0] == 0, 1:] = 0.0
    return out


def _check_counts(t, n, where):
    t = _as_array(t, "t", where)
    n = _as_array(n, "n", where)
    if np.any(n != np.round(n)):
        raise CRMInputError(f"{where}: n must hold whole numbers of repeat transactions, got {n!r}.")
    return np.broadcast_arrays(t, n)


# --------------------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------------------

class BetaGeoModel(_MLModel):
    """BG/NBD model of repeat buying and dropout (Fader, Hardie & Lee 2005).

    Purchases while alive: Poisson with rate lambda ~ Gamma(shape ``r``, rate ``alpha``). After every
    purchase the customer drops out with probability p ~ Beta(``a``, ``b``).

    Parameters
    ----------
    penalizer : float, default 0
        Optional ridge penalty ``penalizer * sum(params**2)`` on the mean log-likelihood (as in lifetimes).
    start : dict, optional
        Starting values (default 1 for every parameter; a fit on more than 50,000 distinct histories
        starts from a fit on a random 20,000 of them).
    tol : float, default 1e-10
        Convergence tolerance of the optimiser (L-BFGS-B on the log parameters).

    Attributes
    ----------
    params_ : Series
        ``r``, ``alpha``, ``a``, ``b``.
    log_likelihood_ : float
        Log-likelihood at the estimates.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> from crm_lessons.summary import customer_summary
    >>> s = customer_summary(load("cdnow_sample"), observation_end="1997-09-30")
    >>> m = BetaGeoModel().fit(s)
    >>> m.params_.round(3).to_dict(), round(m.log_likelihood_, 1)
    ({'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}, -9582.4)
    """

    _param_names = ("r", "alpha", "a", "b")

    def fit(self, summary: pd.DataFrame, *, frequency_col: str = "frequency", recency_col: str = "recency",
            T_col: str = "T") -> BetaGeoModel:
        """Fit by maximum likelihood to one row per customer; returns ``self``."""
        where = f"{type(self).__name__}.fit"
        x, tx, T = _rfm_arrays(summary, frequency_col, recency_col, T_col, where)
        _require_fit_sample(x, where)
        x, tx, T, w = _compress(x, tx, T)

        def data(keep=slice(None)):
            xs, ws = x[keep], w[keep]
            xu, inv, cnt = _unique_x(xs, ws)
            return {"x": xs, "tx": tx[keep], "T": T[keep], "w": ws, "xu": xu, "inv": inv, "cnt": cnt,
                    "n": float(ws.sum())}

        start = self.start
        if start is None and len(x) > 50_000:
            # warm start: fit a random 20,000 distinct histories first, then polish on all of them
            keep = np.random.default_rng(0).choice(len(x), 20_000, replace=False)
            start = dict(zip(self._param_names, type(self)()._fit(data(keep), start=None, diagnose=False)))
        self._fit(data(), start=start)
        return self

    def _resampled(self, rng) -> dict:
        """Customer-level bootstrap: multinomial counts over the distinct histories, then regroup by x."""
        d = self._data
        w = rng.multinomial(int(round(d["n"])), d["w"] / d["w"].sum()).astype(np.float64)
        keep = w > 0
        x, w = d["x"][keep], w[keep]
        xu, inv, cnt = _unique_x(x, w)
        return {"x": x, "tx": d["tx"][keep], "T": d["T"][keep], "w": w, "xu": xu, "inv": inv, "cnt": cnt,
                "n": float(w.sum())}

    @staticmethod
    def _ll_grad(p, d):
        r, alpha, a, b = p
        x, tx, T, w, xu, inv, cnt, n = d["x"], d["tx"], d["T"], d["w"], d["xu"], d["inv"], d["cnt"], d["n"]
        # terms that depend on x only: computed once per distinct x
        g_r = special.gammaln(r + xu) - special.gammaln(r)
        b_l1 = special.betaln(a, b + xu) - special.betaln(a, b)
        log_ab = np.where(xu > 0, np.log(a) - np.log(np.maximum(b + xu - 1, 1e-300)), -np.inf)
        rx = (r + x)
        lT = np.log(alpha + T)
        ltx = np.log(alpha + tx)
        # log L = gammaln(r+x)-gammaln(r) + r log alpha + log[B(a,b+x)/B(a,b) (alpha+T)^-(r+x)
        #         + 1{x>0} B(a+1,b+x-1)/B(a,b) (alpha+t_x)^-(r+x)];  B(a+1,b+x-1) = B(a,b+x) a/(b+x-1)
        dlt = log_ab[inv] + rx * (lT - ltx)             # log(second term / first term), -inf if x=0
        ll_i = -rx * lT + np.logaddexp(0.0, dlt)
        ll = float(cnt @ (g_r + b_l1) + n * r * np.log(alpha) + w @ ll_i)
        w2 = special.expit(dlt) * w                      # weight of the "dropped out at t_x" branch
        psi_ab = special.digamma(a + b)
        psi_abx = special.digamma(a + b + xu)
        g_rr = float(cnt @ (special.digamma(r + xu) - special.digamma(r)))
        iaT, iatx = 1 / (alpha + T), 1 / (alpha + tx)
        dr = g_rr + n * np.log(alpha) - w @ lT + w2 @ (lT - ltx)
        dalpha = n * r / alpha - w @ (rx * iaT) + w2 @ (rx * (iaT - iatx))
        da = float(cnt @ (psi_ab - psi_abx)) + w2.sum() / a
        inv_b = np.where(xu > 0, 1.0 / np.maximum(b + xu - 1, 1e-300), 0.0)
        db = float(cnt @ (special.digamma(b + xu) - psi_abx - special.digamma(b) + psi_ab)) - w2 @ inv_b[inv]
        return ll, np.array([dr, dalpha, da, db])

    @classmethod
    def _ll_grad_hess(cls, p, d):
        """Log-likelihood, gradient and analytic Hessian (Newton's method in the shared fitting code).

        log L_i = lgamma(r+x) - lgamma(r) + ln B(a,b+x) - ln B(a,b) + r ln alpha - (r+x) ln(alpha+T)
        + softplus(u_i), u_i = ln a - ln(b+x-1) + (r+x) ln((alpha+T)/(alpha+t_x)) (u = -inf at x = 0); the
        softplus term adds sigma H_u + sigma (1 - sigma) grad u grad u' with sigma = expit(u).
        """
        ll, grad = cls._ll_grad(p, d)
        r, alpha, a, b = p
        x, tx, T, w, xu, inv, cnt, n = d["x"], d["tx"], d["T"], d["w"], d["xu"], d["inv"], d["cnt"], d["n"]
        tri = lambda v: special.zeta(2.0, v)  # noqa: E731  (trigamma)
        rx = r + x
        lT, ltx = np.log(alpha + T), np.log(alpha + tx)
        iaT, iatx = 1 / (alpha + T), 1 / (alpha + tx)
        pos = xu > 0
        log_ab = np.where(pos, np.log(a) - np.log(np.where(pos, b + xu - 1, 1.0)), -np.inf)
        sig = special.expit(log_ab[inv] + rx * (lT - ltx))
        inv_b = np.where(pos, 1.0 / np.where(pos, b + xu - 1, 1.0), 0.0)[inv]
        # grad u (zero where x = 0, where sigma = 0 anyway)
        U = np.vstack([lT - ltx, rx * (iaT - iatx), np.where(x > 0, 1.0 / a, 0.0), -inv_b])
        ws = w * sig
        H = (U * (ws * (1 - sig))) @ U.T
        t_abx = tri(a + b + xu)
        t_ab = float(tri(a + b))
        H[0, 0] += float(cnt @ (tri(r + xu) - float(tri(r))))
        H[0, 1] += n / alpha - w @ iaT + ws @ (iaT - iatx)
        H[1, 1] += -n * r / alpha ** 2 + w @ (rx * iaT ** 2) + ws @ (rx * (iatx ** 2 - iaT ** 2))
        H[2, 2] += float(cnt @ (t_ab - t_abx)) - ws.sum() / a ** 2
        H[2, 3] += float(cnt @ (t_ab - t_abx))
        H[3, 3] += float(cnt @ (tri(b + xu) - t_abx - float(tri(b)) + t_ab)) + ws @ (inv_b ** 2)
        H[1, 0], H[3, 2] = H[0, 1], H[2, 3]
        return ll, grad, H

    # ---------------------------------------------------------------- predictions
    def _arr(self, frequency, recency, T, where):
        self._check_fitted(where)
        x = _as_array(frequency, "frequency", f"BetaGeoModel.{where}")
        tx = _as_array(recency, "recency", f"BetaGeoModel.{where}")
        TT = _as_array(T, "T", f"BetaGeoModel.{where}")
        return np.broadcast_arrays(x, tx, TT)

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive | x, t_x, T) = 1 / (1 + 1{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))."""
        x, tx, T = self._arr(frequency, recency, T, "probability_alive")
        r, alpha, a, b = self.params_.to_numpy()
        # one log and one exp per customer, in place (lifetimes takes two logs and an expit):
        # 1 / (1 + [a / (b+x-1)] exp((r+x) log((alpha+T)/(alpha+t_x)))), and 1 where x = 0
        with np.errstate(all="ignore"):
            u = np.add(alpha, T, out=np.empty(T.shape))
            u /= alpha + tx
            np.log(u, out=u)
            u *= r + x
            np.exp(u, out=u)
            c = np.add(x, b - 1.0, out=np.empty(x.shape))
            np.divide(a, c, out=c)
            u *= c
            u += 1.0
            np.reciprocal(u, out=u)
        np.putmask(u, x == 0, 1.0)
        return u

    def probability_of_transactions(self, t, n) -> np.ndarray:
        """P(X(t) = n): probability that a new customer makes exactly n repeat transactions in her first t
        periods (Fader, Hardie & Lee 2005, eq. 8): alive after the n-th and no more, or dropped out right
        after the n-th with at least n by t,
        B(a, b+n)/B(a,b) NBD_n(t) + 1{n>0} B(a+1, b+n-1)/B(a,b) [1 - sum_{j<n} NBD_j(t)].
        """
        self._check_fitted("probability_of_transactions")
        t, n = _check_counts(t, n, f"{type(self).__name__}.probability_of_transactions")
        r, alpha, a, b = self.params_.to_numpy()
        tf, nf = t.ravel(), n.ravel().astype(np.int64)
        k = int(nf.max(initial=0)) + 1
        pmf = _nbd_pmf_table(r, alpha, tf, k)
        rows = np.arange(len(tf))
        at_n = pmf[rows, nf]
        below = np.concatenate([np.zeros((len(tf), 1)), np.cumsum(pmf, axis=1)], axis=1)[rows, nf]
        stay, drop = self._stay_drop(a, b, nf.astype(np.float64))
        return (stay * at_n + drop * (1.0 - below)).reshape(t.shape)

    @staticmethod
    def _stay_drop(a, b, n):
        """BG/NBD: E[(1-p)^n] and E[p (1-p)^(n-1)] (0 at n = 0)."""
        stay = np.exp(special.betaln(a, b + n) - special.betaln(a, b))
        with np.errstate(invalid="ignore"):
            drop = np.where(n > 0, np.exp(special.betaln(a + 1, b + np.maximum(n - 1, 0)) - special.betaln(a, b)), 0.0)
        return stay, drop

    def expected_transactions(self, t) -> np.ndarray:
        """Unconditional E[X(t)]: expected repeat transactions of a new customer in her first t periods.

        E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))], computed in the
        Euler-transformed form (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b-1; z) with z = t/(alpha+t).
        """
        self._check_fitted("expected_transactions")
        t = _as_array(t, "t", "BetaGeoModel.expected_transactions")
        r, alpha, a, b = self.params_.to_numpy()
        z = t / (alpha + t)
        f = (1 - z) ** (a - 1) * special.hyp2f1(a + b - 1 - r, a - 1, a + b - 1, z)
        return (a + b - 1) / (a - 1) * (1 - f)

    def conditional_expected_transactions(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected transactions in the next t periods of a customer with this history.

        Fader, Hardie & Lee (2005, eq. 10), with the 2F1 term in Euler-transformed form
        (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), z = t/(alpha+T+t), which has no huge factors.
        """
        x, tx, T, t = np.broadcast_arrays(*self._arr(frequency, recency, T, "conditional_expected_transactions"),
                                          _as_array(t, "t", "BetaGeoModel.conditional_expected_transactions"))
        r, alpha, a, b = self.params_.to_numpy()
        z = t / (alpha + T + t)
        f = (1 - z) ** (a - 1) * special.hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
        num = (a + b + x - 1) / (a - 1) * (1 - f)
        return num * self.probability_alive(x, tx, T)


class ModifiedBetaGeoModel(BetaGeoModel):
    """MBG/NBD model (Batislam, Denizel & Filiztekin 2007): the BG/NBD with dropout possible right after
    the *first* purchase too, so customers with no repeat purchase can be gone.

    Purchases while alive: Poisson with rate lambda ~ Gamma(``r``, ``alpha``); after every purchase,
    including the first, the customer drops out with probability p ~ Beta(``a``, ``b``). Same interface as
    :class:`BetaGeoModel`.

    The likelihood is
    L = Gamma(r+x) alpha^r / Gamma(r) [B(a, b+x+1)/B(a,b) (alpha+T)^-(r+x) + B(a+1, b+x)/B(a,b) (alpha+t_x)^-(r+x)].
    """

    _ll_grad_hess = None        # the BG/NBD Hessian does not apply: L-BFGS-B

    @staticmethod
    def _ll_grad(p, d):
        r, alpha, a, b = p
        x, tx, T, w, xu, inv, cnt, n = d["x"], d["tx"], d["T"], d["w"], d["xu"], d["inv"], d["cnt"], d["n"]
        g_r = special.gammaln(r + xu) - special.gammaln(r)
        b_l1 = special.betaln(a, b + xu + 1) - special.betaln(a, b)
        log_ab = np.log(a) - np.log(b + xu)          # B(a+1, b+x) = B(a, b+x+1) a / (b+x)
        rx = r + x
        lT, ltx = np.log(alpha + T), np.log(alpha + tx)
        dlt = log_ab[inv] + rx * (lT - ltx)
        ll_i = -rx * lT + np.logaddexp(0.0, dlt)
        ll = float(cnt @ (g_r + b_l1) + n * r * np.log(alpha) + w @ ll_i)
        w2 = special.expit(dlt) * w
        psi_ab, psi_abx = special.digamma(a + b), special.digamma(a + b + xu + 1)
        g_rr = float(cnt @ (special.digamma(r + xu) - special.digamma(r)))
        iaT, iatx = 1 / (alpha + T), 1 / (alpha + tx)
        dr = g_rr + n * np.log(alpha) - w @ lT + w2 @ (lT - ltx)
        dalpha = n * r / alpha - w @ (rx * iaT) + w2 @ (rx * (iaT - iatx))
        da = float(cnt @ (psi_ab - psi_abx)) + w2.sum() / a
        db = float(cnt @ (special.digamma(b + xu + 1) - psi_abx - special.digamma(b) + psi_ab)) - w2 @ (1.0 / (b + xu))[inv]
        return ll, np.array([dr, dalpha, da, db])

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)) (also for x = 0)."""
        x, tx, T = self._arr(frequency, recency, T, "probability_alive")
        r, alpha, a, b = self.params_.to_numpy()
        d = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        return special.expit(-d)

    @staticmethod
    def _stay_drop(a, b, n):
        """MBG/NBD (dropout possible after the first purchase too): E[(1-p)^(n+1)] and E[p (1-p)^n]."""
        return (np.exp(special.betaln(a, b + n + 1) - special.betaln(a, b)),
                np.exp(special.betaln(a + 1, b + n) - special.betaln(a, b)))

    def expected_transactions(self, t) -> np.ndarray:
        """E[X(t)] = b/(a-1) [1 - (1-z)^(a-1) 2F1(a+b-r, a-1; a+b; z)], z = t/(alpha+t) (Euler-transformed)."""
        self._check_fitted("expected_transactions")
        t = _as_array(t, "t", "ModifiedBetaGeoModel.expected_transactions")
        r, alpha, a, b = self.params_.to_numpy()
        z = t / (alpha + t)
        return b / (a - 1) * (1 - (1 - z) ** (a - 1) * special.hyp2f1(a + b - r, a - 1, a + b, z))

    def conditional_expected_transactions(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T] = (a+b+x)/(a-1) [1 - (1-z)^(a-1) 2F1(a+b-r, a-1; a+b+x; z)] P(alive),
        z = t/(alpha+T+t)."""
        x, tx, T, t = np.broadcast_arrays(*self._arr(frequency, recency, T, "conditional_expected_transactions"),
                                          _as_array(t, "t", "ModifiedBetaGeoModel.conditional_expected_transactions"))
        r, alpha, a, b = self.params_.to_numpy()
        z = t / (alpha + T + t)
        f = (1 - z) ** (a - 1) * special.hyp2f1(a + b - r, a - 1, a + b + x, z)
        return (a + b + x) / (a - 1) * (1 - f) * self.probability_alive(x, tx, T)


class BetaGeoCovariateModel:
    """BG/NBD with time-invariant covariates (Fader & Hardie 2007, "Incorporating time-invariant
    covariates into the Pareto/NBD and BG/NBD models", note 019).

    Each customer's purchase-rate scale and dropout parameters depend on her covariates z_i:
    log alpha_i = log alpha_0 + z_i' gamma_alpha, log a_i = log a_0 + z_i' gamma_a,
    log b_i = log b_0 + z_i' gamma_b; ``r`` is common. A positive ``gamma_alpha`` coefficient means a
    *lower* purchase rate (the mean rate is r / alpha_i). Fitted by maximum likelihood with an analytic
    gradient (BFGS on the log baseline parameters and the coefficients); covariates are best centred.

    Attributes
    ----------
    params_ : Series
        ``r``, ``alpha0``, ``a0``, ``b0`` and ``alpha:<name>``, ``a:<name>``, ``b:<name>`` per covariate.
    log_likelihood_, n_customers_, converged_
    """

    _base = ("r", "alpha0", "a0", "b0")       # baseline parameters (fitted on the log scale)
    _groups = ("alpha", "a", "b")             # parameters that depend on the covariates

    def __init__(self, *, start: dict | None = None):
        self.start = start

    def fit(self, summary: pd.DataFrame, covariates, *, frequency_col: str = "frequency",
            recency_col: str = "recency", T_col: str = "T") -> BetaGeoCovariateModel:
        """Fit to one row per customer; ``covariates`` lists columns of ``summary`` (numeric)."""
        where = f"{type(self).__name__}.fit"
        from ._validate import require_numeric

        x, tx, T = _rfm_arrays(summary, frequency_col, recency_col, T_col, where)
        _require_fit_sample(x, where)
        cov = [covariates] if isinstance(covariates, str) else list(covariates)
        if not cov:
            raise CRMInputError(f"{where}: give at least one covariate column (or use BetaGeoModel).")
        require_numeric(summary, cov, where=where)
        require_no_missing(summary, cov, where=where)
        Z = summary[cov].to_numpy(dtype=np.float64)
        self.covariates_ = cov
        k = len(cov)
        names = list(self._base) + [f"{g}:{c}" for g in self._groups for c in cov]
        start = self.start or {}
        th0 = np.concatenate([np.log([start.get(nm, 1.0) for nm in names[:4]]),
                              [start.get(nm, 0.0) for nm in names[4:]]])
        data = {"x": x, "tx": tx, "T": T, "Z": Z}
        n = len(x)

        def negll(th):
            with np.errstate(all="ignore"):
                ll, g = self._ll_grad(th, data)
            if not (np.isfinite(ll) and np.all(np.isfinite(g))):
                return 1e3 + float(th @ th), 2 * th
            return -ll / n, -g / n

        res = optimize.minimize(negll, th0, jac=True, method="BFGS", options={"gtol": 1e-8, "maxiter": 5000})
        self._theta, self._data, self._names = res.x, data, names
        self.log_likelihood_ = float(self._ll_grad(res.x, data)[0])
        est = np.concatenate([np.exp(res.x[:4]), res.x[4:]])
        self.params_ = pd.Series(est, index=names, name="estimate")
        self.n_customers_ = n
        self.converged_ = bool(res.success) or float(np.max(np.abs(negll(res.x)[1]))) < 1e-6
        if not self.converged_:
            warnings.warn(f"{where}: the optimiser did not converge ({res.message}).{_ADVICE}", FitWarning,
                          stacklevel=2)
        self._k = k
        return self

    @staticmethod
    def _ll_grad(th, d):
        x, tx, T, Z = d["x"], d["tx"], d["T"], d["Z"]
        k = Z.shape[1]
        r = np.exp(th[0])
        ga, gA, gB = th[4:4 + k], th[4 + k:4 + 2 * k], th[4 + 2 * k:4 + 3 * k]
        alpha = np.exp(th[1] + Z @ ga)
        a = np.exp(th[2] + Z @ gA)
        b = np.exp(th[3] + Z @ gB)
        rx = r + x
        lT, ltx = np.log(alpha + T), np.log(alpha + tx)
        pos = x > 0
        dlt = np.full_like(x, -np.inf)
        dlt[pos] = np.log(a[pos]) - np.log(b[pos] + x[pos] - 1) + rx[pos] * (lT[pos] - ltx[pos])
        ll_i = (special.gammaln(rx) - special.gammaln(r) + r * np.log(alpha) + special.betaln(a, b + x)
                - special.betaln(a, b) - rx * lT + np.logaddexp(0.0, dlt))
        w2 = special.expit(dlt)
        d_r = special.digamma(rx) - special.digamma(r) + np.log(alpha) - lT + w2 * (lT - ltx)
        d_alpha = r / alpha - rx / (alpha + T) + w2 * rx * (1 / (alpha + T) - 1 / (alpha + tx))
        psi_ab, psi_abx = special.digamma(a + b), special.digamma(a + b + x)
        d_a = psi_ab - psi_abx + w2 / a
        inv_b = np.where(pos, 1.0 / np.where(pos, b + x - 1, 1.0), 0.0)
        d_b = special.digamma(b + x) - psi_abx - special.digamma(b) + psi_ab - w2 * inv_b
        ea, eA, eB = d_alpha * alpha, d_a * a, d_b * b           # derivatives w.r.t. log alpha_i, log a_i, log b_i
        grad = np.concatenate([[r * d_r.sum(), ea.sum(), eA.sum(), eB.sum()], Z.T @ ea, Z.T @ eA, Z.T @ eB])
        return float(ll_i.sum()), grad

    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors (numerical Hessian of the analytic gradient) on the fitted scale:
        baseline parameters positive (log-scale Wald intervals), coefficients on their own scale."""
        if not hasattr(self, "params_"):
            raise CRMInputError(f"{type(self).__name__}.summary: the model is not fitted yet; call .fit(summary, covariates).")
        th = self._theta
        h = np.empty((len(th), len(th)))
        for j in range(len(th)):
            e = np.zeros(len(th))
            e[j] = 1e-5 * max(abs(th[j]), 1e-2)
            h[:, j] = (self._ll_grad(th + e, self._data)[1] - self._ll_grad(th - e, self._data)[1]) / (2 * e[j])
        cov = np.linalg.inv(-(h + h.T) / 2)
        se_th = np.sqrt(np.clip(np.diag(cov), 0, None))
        est = self.params_.to_numpy()
        se = np.concatenate([est[:4] * se_th[:4], se_th[4:]])
        lo = np.concatenate([np.exp(th[:4] - 1.959964 * se_th[:4]), th[4:] - 1.959964 * se_th[4:]])
        hi = np.concatenate([np.exp(th[:4] + 1.959964 * se_th[:4]), th[4:] + 1.959964 * se_th[4:]])
        return pd.DataFrame({"estimate": est, "std_error": se, "lower_95": lo, "upper_95": hi}, index=self._names)

    def customer_models(self, covariates: pd.DataFrame) -> pd.DataFrame:
        """Per-customer model parameters implied by the covariates (one row per customer): r, alpha, a, b
        for BG/NBD; r, alpha, s, beta for Pareto/NBD."""
        where = f"{type(self).__name__}.customer_models"
        if not hasattr(self, "params_"):
            raise CRMInputError(f"{where}: the model is not fitted yet.")
        require_columns(covariates, self.covariates_, where=where)
        Z = covariates[self.covariates_].to_numpy(dtype=np.float64)
        k, th = self._k, self._theta
        out = {}
        for j, nm in enumerate(self._base):
            plain = nm[:-1] if nm.endswith("0") else nm
            if plain in self._groups:
                g = self._groups.index(plain)
                out[plain] = np.exp(th[j] + Z @ th[4 + g * k:4 + (g + 1) * k])
            else:
                out[plain] = np.full(len(Z), np.exp(th[j]))
        return pd.DataFrame(out, index=covariates.index)


class ParetoNBDCovariateModel(BetaGeoCovariateModel):
    """Pareto/NBD with time-invariant covariates (Fader & Hardie 2007, "Incorporating time-invariant
    covariates into the Pareto/NBD and BG/NBD models", note 019; CLVTools' ``pnbd`` with
    ``data.cov.life``/``data.cov.trans``).

    Each customer's purchase-rate and dropout-rate scales depend on her covariates z_i:
    log alpha_i = log alpha_0 + z_i' gamma_alpha and log beta_i = log beta_0 + z_i' gamma_beta; ``r`` and
    ``s`` are common. The mean purchase rate is r / alpha_i and the mean dropout rate s / beta_i, so a
    *positive* coefficient means a *lower* rate (the note writes alpha_i = alpha_0 exp(-gamma' z_i)).
    Fitted by maximum likelihood with the analytic gradient of :class:`ParetoNBDModel`'s likelihood;
    covariates are best centred.

    Attributes
    ----------
    params_ : Series
        ``r``, ``alpha0``, ``s``, ``beta0`` and ``alpha:<name>``, ``beta:<name>`` per covariate.
    log_likelihood_, n_customers_, converged_

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> from crm_lessons.summary import customer_summary
    >>> tx = load("cdnow_sample")
    >>> s = customer_summary(tx, observation_end="1997-09-30")
    >>> first = tx.sort_values("date").groupby("customer_id")["dollars"].first()
    >>> s["log_first_spend"] = np.log1p(first.reindex(s.index).to_numpy())
    >>> s["log_first_spend"] -= s["log_first_spend"].mean()
    >>> m = ParetoNBDCovariateModel().fit(s, ["log_first_spend"])
    >>> m.params_.round(2).to_dict()
    {'r': 0.57, 'alpha0': 11.08, 's': 0.6, 'beta0': 11.27, 'alpha:log_first_spend': -0.29, 'beta:log_first_spend': 0.08}
    >>> round(m.log_likelihood_ - ParetoNBDModel().fit(s).log_likelihood_, 1)   # one more parameter each
    15.8
    """

    _base = ("r", "alpha0", "s", "beta0")
    _groups = ("alpha", "beta")

    def fit(self, summary: pd.DataFrame, covariates, *, frequency_col: str = "frequency",
            recency_col: str = "recency", T_col: str = "T") -> ParetoNBDCovariateModel:
        """Fit to one row per customer; ``covariates`` lists columns of ``summary`` (numeric). Without
        ``start``, the baseline starts at the plain Pareto/NBD estimates and the coefficients at 0."""
        saved = self.start
        if saved is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FitWarning)
                base = ParetoNBDModel().fit(summary, frequency_col=frequency_col, recency_col=recency_col,
                                            T_col=T_col).params_
            self.start = {"r": base["r"], "alpha0": base["alpha"], "s": base["s"], "beta0": base["beta"]}
        try:
            super().fit(summary, covariates, frequency_col=frequency_col, recency_col=recency_col, T_col=T_col)
        finally:
            self.start = saved
        return self

    @staticmethod
    def _ll_grad(th, d):
        x, tx, T, Z = d["x"], d["tx"], d["T"], d["Z"]
        k = Z.shape[1]
        r, s = np.exp(th[0]), np.exp(th[2])
        alpha = np.exp(th[1] + Z @ th[4:4 + k])
        beta = np.exp(th[3] + Z @ th[4 + k:4 + 2 * k])
        ll, _, g = ParetoNBDModel._log_terms((r, alpha, s, beta), x, tx, T, want_grad=True)
        ea, eb = g[1] * alpha, g[3] * beta                       # derivatives w.r.t. log alpha_i, log beta_i
        grad = np.concatenate([[r * g[0].sum(), ea.sum(), s * g[2].sum(), eb.sum()], Z.T @ ea, Z.T @ eb])
        return float(ll.sum()), grad


class ParetoNBDModel(_MLModel):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987) with a numerically stable likelihood.

    Purchases while alive: Poisson with rate lambda ~ Gamma(``r``, ``alpha``); lifetime exponential with
    rate mu ~ Gamma(``s``, ``beta``).

    The likelihood is L = C [ P(T) + s (J(t_x) - J(T)) ] with C = Gamma(r+x) alpha^r beta^s / Gamma(r),
    P(y) = (alpha+y)^-(r+x) (beta+y)^-s and J(y) = int_y^inf (alpha+u)^-(r+x) (beta+u)^-(s+1) du.
    J is written as P(y) times a Gauss hypergeometric series with positive terms (an Euler transform of
    the 2F1 of Fader, Hardie & Lee 2005b), so nothing cancels or overflows for heavy buyers.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> from crm_lessons.summary import customer_summary
    >>> s = customer_summary(load("cdnow_sample"), observation_end="1997-09-30")
    >>> m = ParetoNBDModel().fit(s)
    >>> m.params_.round(2).to_dict(), round(m.log_likelihood_, 1)
    ({'r': 0.55, 'alpha': 10.58, 's': 0.61, 'beta': 11.67}, -9595.0)
    """

    _param_names = ("r", "alpha", "s", "beta")
    _shape_params = ("r", "s")

    #: series terms per distinct history a fit may sum (a clean CDNOW fit sums about 1,500; see _work_budget)
    _TERMS_PER_ROW = 20_000

    def _work_budget(self, data: dict) -> float | None:
        return float(self._TERMS_PER_ROW) * 2 * max(len(data["x"]), 1)

    def fit(self, summary: pd.DataFrame, *, frequency_col: str = "frequency", recency_col: str = "recency",
            T_col: str = "T") -> ParetoNBDModel:
        """Fit by maximum likelihood to one row per customer; returns ``self``."""
        x, tx, T = _rfm_arrays(summary, frequency_col, recency_col, T_col, "ParetoNBDModel.fit")
        _require_fit_sample(x, "ParetoNBDModel.fit")
        n = len(x)
        x, tx, T, w = _compress(x, tx, T)
        start = self.start
        if start is None:
            start = self._default_start(x, T, w)
        hessian = None
        if self.start is None and len(x) > 50_000:
            # warm start: fit a random 20,000 distinct histories first; its Hessian (mean per customer, log
            # parameters) starts BFGS steps on all of them
            keep = np.random.default_rng(0).choice(len(x), 20_000, replace=False)
            sub = {"x": x[keep], "tx": tx[keep], "T": T[keep], "w": w[keep], "n": float(w[keep].sum())}
            sub_model = type(self)()
            p_sub = sub_model._fit(sub, start=start, diagnose=False)
            start = dict(zip(self._param_names, p_sub))
            if not sub_model._drifted:            # a degenerate subsample fit: L-BFGS-B stops at once
                with np.errstate(all="ignore"):
                    h = _hessian(lambda q: self._ll_grad(q, sub), p_sub)
                    hessian = -(h * np.outer(p_sub, p_sub) + np.diag(self._ll_grad(p_sub, sub)[1] * p_sub)) / sub["n"]
        self._fit({"x": x, "tx": tx, "T": T, "w": w, "n": n}, start=start, hessian=hessian)
        return self

    @staticmethod
    def _default_start(x, T, w) -> dict:
        """Starting values from the data: r = s = 0.5 and alpha = beta = r / (mean purchase rate), so
        the purchase rate starts at the observed one and alpha = beta (where the series is shortest);
        starting from 1s, the optimiser's path crosses alpha >> beta, where each step costs ten times as much."""
        rate = float(w @ x) / max(float(w @ T), 1e-12)
        scale = float(np.clip(0.5 / max(rate, 1e-12), np.exp(-_LOG_BOUND + 1), np.exp(_LOG_BOUND - 1)))
        return {"r": 0.5, "alpha": scale, "s": 0.5, "beta": scale}

    #: most series terms summed for one row; rows that would need more (z close to 1: a small beta or
    #: alpha) use scipy's Gauss hypergeometric function, which transforms to 1 - z there
    _MAX_TERMS = 4096

    @staticmethod
    def _terms_needed(A, C, z, tol=1e-17):
        """Smallest K whose tail bound term_K z/(1-z) is below ``tol`` (the sum is >= 1), per row.

        log term_K = lgamma(A+K) - lgamma(A) - lgamma(C+K) + lgamma(C) + K log z decreases with K; found
        by bisection on whole numbers in [1, _MAX_TERMS + 1] (the upper end meaning "more than the cap").
        """
        cap = ParetoNBDModel._MAX_TERMS + 1
        with np.errstate(divide="ignore"):
            lz = np.log(z)
            bound = np.log(z) - np.log1p(-z) - np.log(tol)

        def excess(K):
            return (special.gammaln(A + K) - special.gammaln(A) - special.gammaln(C + K) + special.gammaln(C)
                    + K * lz + bound)

        # the ratios are below z, so term_K <= z^K: a geometric bound, enough for most rows
        with np.errstate(divide="ignore", invalid="ignore"):
            geo = np.where(z > 0, np.ceil((np.log(tol) + np.log1p(-z) - np.log(z)) / lz), 1.0)
        need = np.where(z <= 0, 1.0, geo)
        slow = (z > 0) & ~(geo <= cap)
        if slow.any():              # terms may still fall much faster than z^K (C much larger than A)
            A, C, lz, bound = A[slow], C[slow], lz[slow], bound[slow]
            lo, hi = np.zeros(len(A)), np.full(len(A), float(cap))
            ok_at_cap = excess(hi) <= 0
            for _ in range(int(np.ceil(np.log2(cap))) + 1):
                mid = np.floor((lo + hi) / 2)
                good = excess(mid) <= 0
                hi, lo = np.where(good, mid, hi), np.where(good, lo, mid)
            need[slow] = np.where(ok_at_cap, hi, np.inf)
        return need

    #: terms summed by the forward recurrence before a row is handed to the bucketed dense sum
    _FWD_TERMS = 64

    @classmethod
    def _series(cls, A, C, z, want_grad=False):
        """S(z) = sum_n (A)_n/(C)_n z^n = 2F1(A, 1; C; z) for 0 <= z < 1 with C > A > 0, and, if asked,
        the logarithmic derivatives (dS/dA, dS/dC, dS/dz) / S as a (3, rows) array.

        The terms are positive and their ratio (A+n)/(C+n) z never exceeds z, so the tail after term K
        is at most term_K / (1 - z). Rows are summed together by a forward recurrence (one pass over
        short vectors per term, finished rows dropped as they go) until that bound falls below 1e-17 of
        the sum; the few rows still unfinished after _FWD_TERMS terms (z near 1) go to
        :meth:`_series_dense`, which sums up to _MAX_TERMS terms and then uses scipy's hyp2f1.
        """
        z = np.asarray(z, dtype=np.float64)
        m = len(z)
        _SERIES_WORK[0] += m                     # row-terms summed, for the fit's work budget
        A = np.broadcast_to(np.asarray(A, dtype=np.float64), z.shape)
        C = np.broadcast_to(np.asarray(C, dtype=np.float64), z.shape)
        out_S = np.empty(m)
        out_g = np.empty((3, m)) if want_grad else None
        rows = np.arange(m)
        a_, c_, z_ = A, C, z
        t, S = np.ones(m), np.ones(m)
        thr = 1e-17 * (1.0 - z)
        if want_grad:
            sA, sC, SA, SC, Sz = (np.zeros(m) for _ in range(5))
        k, r = 0, np.empty(m)
        while True:
            ak, ck = a_ + k, c_ + k
            np.divide(ak, ck, out=r)
            r *= z_
            t *= r
            S += t
            if want_grad:
                sA += 1.0 / ak
                sC += 1.0 / ck
                SA += t * sA
                SC += t * sC
                Sz += (k + 1) * t
            k += 1
            _SERIES_WORK[0] += len(t)
            if k % 4 and k < cls._FWD_TERMS:
                continue
            done = t <= thr * S
            nd = int(np.count_nonzero(done))
            if nd == len(t):
                out_S[rows] = S
                if want_grad:
                    out_g[0, rows], out_g[1, rows], out_g[2, rows] = SA, SC, Sz
                break
            if k >= cls._FWD_TERMS or 2 * nd >= len(t):
                fin = rows[done]
                out_S[fin] = S[done]
                if want_grad:
                    out_g[0, fin], out_g[1, fin], out_g[2, fin] = SA[done], SC[done], Sz[done]
                keep = ~done
                rows = rows[keep]
                if k >= cls._FWD_TERMS:
                    Sr, gr = cls._series_dense(A[rows], C[rows], z[rows], want_grad)
                    out_S[rows] = Sr
                    if want_grad:
                        # stored like the recurrence's sums: -dS/dC and z dS/dz (undone below)
                        out_g[0, rows], out_g[1, rows], out_g[2, rows] = gr[0], -gr[1], gr[2] * z[rows]
                    break
                a_, c_, z_, t, S, thr = a_[keep], c_[keep], z_[keep], t[keep], S[keep], thr[keep]
                r = np.empty(len(rows))
                if want_grad:
                    sA, sC, SA, SC, Sz = sA[keep], sC[keep], SA[keep], SC[keep], Sz[keep]
        if not want_grad:
            return out_S, None
        # SC holds sum t_n sum_{j<n} 1/(C+j) = -dS/dC; Sz holds sum n t_n = z dS/dz (A / C at z = 0)
        out_g[1] *= -1.0
        pos = z > 0
        out_g[2] = np.where(pos, out_g[2] / np.where(pos, z, 1.0), A / C)
        out_g /= out_S
        return out_S, out_g

    @classmethod
    def _series_dense(cls, A, C, z, want_grad=False):
        """The same sum for rows with z near 1: bucketed dense partial sums (each row with the terms its
        tail bound term_K z/(1-z) < 1e-17 needs), or scipy.special.hyp2f1 beyond _MAX_TERMS terms.
        Returns S and (dS/dA, dS/dC, dS/dz) (not divided by S)."""
        S = np.empty_like(z)
        grads = (np.empty_like(z), np.empty_like(z), np.empty_like(z)) if want_grad else None
        need = cls._terms_needed(A, C, z)
        near = ~np.isfinite(need)
        if near.any():
            _SERIES_WORK[0] += int(near.sum()) * cls._MAX_TERMS
            An, Cn, zn = A[near], C[near], z[near]
            S[near] = special.hyp2f1(An, 1.0, Cn, zn)
            if want_grad:
                hA, hC = 1e-6 * np.maximum(An, 1.0), 1e-6 * np.maximum(Cn, 1.0)
                grads[0][near] = (special.hyp2f1(An + hA, 1.0, Cn, zn) - special.hyp2f1(An - hA, 1.0, Cn, zn)) / (2 * hA)
                grads[1][near] = (special.hyp2f1(An, 1.0, Cn + hC, zn) - special.hyp2f1(An, 1.0, Cn - hC, zn)) / (2 * hC)
                grads[2][near] = An / Cn * special.hyp2f1(An + 1, 2.0, Cn + 1, zn)
        if (~near).any():
            # bucket rows by the power of two above their need: at most ~13 dense blocks
            bucket = np.where(near, -1, np.ceil(np.log2(np.maximum(need, 16.0))))
            for bk in np.unique(bucket[~near]):
                rows = bucket == bk
                _SERIES_WORK[0] += int(rows.sum()) * (int(2 ** bk) + 2)
                out = cls._positive_series(A[rows], C[rows], z[rows], int(2 ** bk) + 2, want_grad)
                S[rows] = out[0]
                if want_grad:
                    for g, v in zip(grads, out[1]):
                        g[rows] = v
        return S, grads

    @staticmethod
    def _positive_series(A, C, z, k, want_grad=False):
        if not want_grad:
            # Horner's scheme from the last term back: no rows x terms array (predictions at scale)
            S = np.ones_like(z)
            for j in range(k - 2, -1, -1):
                S = 1.0 + (A + j) / (C + j) * z * S
            return S, None
        j = np.arange(k - 1, dtype=np.float64)
        A2, C2, z2 = A[:, None], C[:, None], z[:, None]
        term = np.empty((len(z), k))
        term[:, 0] = 1.0
        np.cumprod((A2 + j) / (C2 + j) * z2, axis=1, out=term[:, 1:])
        S = term.sum(axis=1)
        if not want_grad:
            return S, None
        n = np.arange(k, dtype=np.float64)
        # d log term_n / dA = sum_{j<n} 1/(A+j);  d log term_n / dC = -sum_{j<n} 1/(C+j)
        cA = np.zeros((len(z), k))
        np.cumsum(1.0 / (A2 + j), axis=1, out=cA[:, 1:])
        cC = np.zeros((len(z), k))
        np.cumsum(1.0 / (C2 + j), axis=1, out=cC[:, 1:])
        dA = (term * cA).sum(axis=1)
        dC = -(term * cC).sum(axis=1)
        zsafe = np.where(z > 0, z, 1.0)
        dz = np.where(z > 0, (term * n).sum(axis=1) / zsafe, A / C)
        return S, (dA, dC, dz)

    @classmethod
    def _log_terms(cls, p, x, tx, T, want_grad=False, bracket_only=False):
        """log L per customer (and its gradient, 4 x rows), plus log of the bracket = -log P(alive)
        (``bracket_only``: the bracket alone, ll is None)."""
        r, alpha, s, beta = p
        m = len(x)
        per_row = np.ndim(alpha) > 0 or np.ndim(beta) > 0     # per-customer alpha_i, beta_i (covariates)
        if per_row:
            alpha, beta = np.broadcast_to(alpha, x.shape), np.broadcast_to(beta, x.shape)
            hi = alpha >= beta
            if hi.any() and not hi.all():                    # rows on either side of alpha = beta: split
                ll = np.empty(m)
                lb = np.empty(m)
                g = np.empty((4, m)) if want_grad else None
                for rows in (np.flatnonzero(hi), np.flatnonzero(~hi)):
                    a_ll, a_lb, a_g = cls._log_terms((r, alpha[rows], s, beta[rows]), x[rows], tx[rows], T[rows],
                                                     want_grad, bracket_only)
                    lb[rows] = a_lb
                    if a_ll is not None:
                        ll[rows] = a_ll
                    if want_grad:
                        g[:, rows] = a_g
                return (None if bracket_only and not want_grad else ll), lb, g
            case1 = bool(hi.all()) if m else True
        else:
            case1 = alpha >= beta
        rx = r + x
        lat, laT = np.log(alpha + tx), np.log(alpha + T)
        lbt, lbT = np.log(beta + tx), np.log(beta + T)
        e = rx * (laT - lat) + s * (lbT - lbt)            # log P(t_x) - log P(T) >= 0
        rsx = rx + s
        # Q(y) = (r+s+x) J(y) / P(y) = 2F1(A, 1; r+s+x+1; z(y)) [times (alpha+y)/(beta+y) if alpha < beta]
        # Q depends on (x, y) only. Customers with x = 0 all have t_x = 0 and the same Q(t_x), computed
        # once (these rows have the largest z, so they would dominate the cost); on large inputs whose
        # (x, y) pairs repeat (day-rounded data), each distinct pair is summed once.
        big = m >= 50_000 and not per_row
        cx = _codes(x) if big else None
        gt = _distinct_pairs(x, tx, cx) if big else None
        if gt is not None:
            xt, yt, map_t = x[gt[0]], tx[gt[0]], gt[1]
        else:
            rep = np.flatnonzero(x > 0) if m else np.zeros(0, dtype=np.intp)
            if len(rep) < m and not per_row:
                xt, yt = np.concatenate([x[rep], [0.0]]), np.concatenate([tx[rep], [0.0]])
                map_t = np.full(m, len(rep), dtype=np.intp)
                map_t[rep] = np.arange(len(rep))
            else:
                xt, yt, map_t = x, tx, None
        gT = _distinct_pairs(x, T, cx) if big else None
        xT, yT, map_T = (x[gT[0]], T[gT[0]], gT[1]) if gT is not None else (x, T, None)
        mt = len(xt)
        y2 = np.concatenate([yt, yT])
        C2 = np.concatenate([xt, xT]) + (r + s + 1.0)
        a2, b2 = (np.concatenate([alpha, alpha]), np.concatenate([beta, beta])) if per_row else (alpha, beta)
        if case1:
            A = C2 - (s + 1.0)
            z = (a2 - b2) / (a2 + y2)
        else:
            A = s + 1.0
            z = (b2 - a2) / (b2 + y2)
        S, L = cls._series(A, C2, z, want_grad)
        if map_t is not None or map_T is not None:
            it = np.arange(mt) if map_t is None else map_t
            iT = mt + (np.arange(m) if map_T is None else map_T)
            full = np.concatenate([it, iT])
            S = S[full]
            if want_grad:
                L = L[:, full]
        logS = np.log(S)
        lQt, lQT = logS[:m], logS[m:]
        if not case1:
            lQt = lQt + lat - lbt
            lQT = lQT + laT - lbT
        logk = np.log(s) - np.log(rsx)
        # bracket = 1 + k (exp(e) Qt - QT) >= 1, in log space, scaled by exp(-M)
        u = e + logk + lQt
        M = np.maximum(u, 0.0)
        eM = np.exp(-M)
        a_ = np.exp(u - M)                                 # k exp(e) Qt / exp(M)
        b_ = np.exp(logk + lQT - M)                        # k QT / exp(M)
        inner = eM + a_ - b_
        log_bracket = M + np.log(inner)
        if bracket_only and not want_grad:
            return None, log_bracket, None
        logC = special.gammaln(rx) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        logPT = -rx * laT - s * lbT
        ll = logC + logPT + log_bracket
        if not want_grad:
            return ll, log_bracket, None
        # d ll = d logC + d logP(T) + [a (d logk + de + d logQt) - b (d logk + d logQT)] / inner
        wa, wb = a_ / inner, b_ / inner
        wab = wa - wb
        LA, LC, Lz = L
        ia_t, ia_T, ib_t, ib_T = 1 / (alpha + tx), 1 / (alpha + T), 1 / (beta + tx), 1 / (beta + T)
        if case1:
            # z = (alpha-beta)/(alpha+y): dz/dalpha = (beta+y)/(alpha+y)^2, dz/dbeta = -1/(alpha+y)
            dQr_t, dQr_T = LA[:m] + LC[:m], LA[m:] + LC[m:]
            dQs_t, dQs_T = LC[:m], LC[m:]
            dQa_t = Lz[:m] * (beta + tx) * ia_t * ia_t
            dQa_T = Lz[m:] * (beta + T) * ia_T * ia_T
            dQb_t, dQb_T = -Lz[:m] * ia_t, -Lz[m:] * ia_T
        else:
            # Q = (alpha+y)/(beta+y) S(z), z = (beta-alpha)/(beta+y): dz/dalpha = -1/(beta+y),
            # dz/dbeta = (alpha+y)/(beta+y)^2
            dQr_t, dQr_T = LC[:m], LC[m:]
            dQs_t, dQs_T = LA[:m] + LC[:m], LA[m:] + LC[m:]
            dQa_t, dQa_T = ia_t - Lz[:m] * ib_t, ia_T - Lz[m:] * ib_T
            dQb_t = -ib_t + Lz[:m] * (alpha + tx) * ib_t * ib_t
            dQb_T = -ib_T + Lz[m:] * (alpha + T) * ib_T * ib_T
        g = np.empty((4, m))
        g[0] = (special.digamma(rx) - special.digamma(r) + np.log(alpha) - laT - wab / rsx
                + wa * (laT - lat + dQr_t) - wb * dQr_T)
        g[1] = r / alpha - rx * ia_T + wa * (rx * (ia_T - ia_t) + dQa_t) - wb * dQa_T
        g[2] = (np.log(beta) - lbT + wab * (1 / s - 1 / rsx) + wa * (lbT - lbt + dQs_t) - wb * dQs_T)
        g[3] = s / beta - s * ib_T + wa * (s * (ib_T - ib_t) + dQb_t) - wb * dQb_T
        return ll, log_bracket, g

    def _resampled(self, rng) -> dict:
        d = self._data
        w = rng.multinomial(int(round(d["n"])), d["w"] / d["w"].sum()).astype(np.float64)
        keep = w > 0
        return {"x": d["x"][keep], "tx": d["tx"][keep], "T": d["T"][keep], "w": w[keep], "n": float(w.sum())}

    @classmethod
    def _ll_grad(cls, p, d):
        ll, _, g = cls._log_terms(p, d["x"], d["tx"], d["T"], want_grad=True)
        return float(d["w"] @ ll), g @ d["w"]

    def _arr(self, frequency, recency, T, where):
        self._check_fitted(where)
        x = _as_array(frequency, "frequency", f"ParetoNBDModel.{where}")
        tx = _as_array(recency, "recency", f"ParetoNBDModel.{where}")
        TT = _as_array(T, "T", f"ParetoNBDModel.{where}")
        x, tx, TT = np.broadcast_arrays(x, tx, TT)
        return x.ravel(), tx.ravel(), TT.ravel(), x.shape

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive | x, t_x, T) = C P(T) / L (the share of the likelihood from 'still alive at T').

        Identical histories are computed once when a sample shows many repeats (e.g. day-rounded data);
        for continuous-time data, where nearly all differ, the grouping is skipped.
        """
        x, tx, T, shape = self._arr(frequency, recency, T, "probability_alive")
        groups = _group_histories(x, tx, T)
        if groups is not None:
            first, inv = groups
            _, log_bracket, _ = self._log_terms(self.params_.to_numpy(), x[first], tx[first], T[first],
                                                bracket_only=True)
            return np.exp(-log_bracket)[inv].reshape(shape)
        _, log_bracket, _ = self._log_terms(self.params_.to_numpy(), x, tx, T, bracket_only=True)
        np.negative(log_bracket, out=log_bracket)
        return np.exp(log_bracket, out=log_bracket).reshape(shape)

    def probability_of_transactions(self, t, n) -> np.ndarray:
        """P(X(t) = n): probability that a new customer makes exactly n repeat transactions in her first t
        periods. Purchases are NBD over the time she is alive, min(tau, t), with tau Pareto(s, beta):
        P = (beta/(beta+t))^s NBD_n(t) + int_0^t NBD_n(u) f(u) du, f the Pareto density; the integral by
        128-point Gauss-Legendre in v = log(1 + u/c), c = min(alpha, beta) (smooth in v; relative error
        below 1e-8 in checks against adaptive quadrature).
        """
        self._check_fitted("probability_of_transactions")
        t, n = _check_counts(t, n, "ParetoNBDModel.probability_of_transactions")
        r, alpha, s, beta = self.params_.to_numpy()
        tu, inv = np.unique(t.ravel(), return_inverse=True)
        nf = n.ravel().astype(np.int64)
        k = int(nf.max(initial=0)) + 1
        c = min(alpha, beta)
        v, wv = np.polynomial.legendre.leggauss(128)
        L = np.log1p(tu / c)[:, None]                                # v in [0, L] for each t
        vv = (v[None, :] + 1) / 2 * L
        u = c * np.expm1(vv)
        dens = s / beta * (beta / (beta + u)) ** (s + 1) * c * np.exp(vv) * (L / 2) * wv[None, :]
        pmf_u = _nbd_pmf_table(r, alpha, u.ravel(), k).reshape(len(tu), 128, k)
        integral = np.einsum("tq,tqk->tk", dens, pmf_u)
        table = (beta / (beta + tu))[:, None] ** s * _nbd_pmf_table(r, alpha, tu, k) + integral
        return table[inv, nf].reshape(t.shape)

    def expected_transactions(self, t) -> np.ndarray:
        """Unconditional E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]."""
        self._check_fitted("expected_transactions")
        t = _as_array(t, "t", "ParetoNBDModel.expected_transactions")
        r, alpha, s, beta = self.params_.to_numpy()
        return r * beta / alpha * _one_minus_pow_over(np.log(beta / (beta + t)), s - 1)

    def conditional_expected_transactions(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T] = (r+x)(beta+T)/(alpha+T) [1-((beta+T)/(beta+T+t))^(s-1)]/(s-1) P(alive)."""
        x, tx, TT, shape = self._arr(frequency, recency, T, "conditional_expected_transactions")
        t = _as_array(t, "t", "ParetoNBDModel.conditional_expected_transactions")
        pa = self.probability_alive(x, tx, TT).reshape(shape)   # the expensive part: once per history
        x, tx, TT, t, pa = np.broadcast_arrays(x.reshape(shape), tx.reshape(shape), TT.reshape(shape), t, pa)
        r, alpha, s, beta = self.params_.to_numpy()
        core = (r + x) * (beta + TT) / (alpha + TT) * _one_minus_pow_over(np.log((beta + TT) / (beta + TT + t)), s - 1)
        return core * pa


def _codes(v: np.ndarray):
    """Integer codes of the values of ``v`` (equal values, equal codes) and how many there are: the values
    themselves when they are small whole numbers (counts of purchases), else pandas.factorize (hashing)."""
    if len(v) and v.min() >= 0 and v.max() < 1e6:
        c = v.astype(np.int64)
        if np.array_equal(c, v):
            return c, int(c.max()) + 1
    c, u = pd.factorize(v)
    return c.astype(np.int64), len(u)


def _distinct_pairs(x: np.ndarray, y: np.ndarray, cx=None, sample: int = 20_000):
    """(first row of each distinct (x, y) pair, pair of every row), or None when a sample of ``sample``
    rows shows that more than half the pairs are distinct (continuous-time data: grouping would not pay).
    Linear in the number of rows (codes by value, then a table or hashing); ``cx`` = ``_codes(x)``."""
    n = len(x)
    k = np.random.default_rng(1).choice(n, min(sample, n), replace=False)
    if pd.DataFrame({"x": x[k], "y": y[k]}).drop_duplicates().shape[0] > 0.5 * len(k):
        return None
    cx, nx = cx if cx is not None else _codes(x)
    cy, ny = _codes(y)
    key = cx * ny + cy
    if nx * ny <= 4 * n:                   # a presence table is cheaper than hashing
        present = np.zeros(nx * ny, dtype=bool)
        present[key] = True
        ids = np.cumsum(present) - 1
        inv = ids[key]
        n_uniq = int(ids[-1]) + 1
    else:
        inv, uniq = pd.factorize(key)
        n_uniq = len(uniq)
    first = np.empty(n_uniq, dtype=np.int64)
    first[inv[::-1]] = np.arange(n - 1, -1, -1)
    return first, inv


def _group_histories(x: np.ndarray, tx: np.ndarray, T: np.ndarray, min_rows: int = 50_000):
    """(first row of each distinct history, group of every row), or None when grouping would not pay:
    few rows, or a sample of 20,000 rows in which more than half the histories are distinct."""
    n = len(x)
    if n < min_rows:
        return None
    k = np.random.default_rng(0).choice(n, 20_000, replace=False)
    sample = pd.DataFrame({"x": x[k], "tx": tx[k], "T": T[k]})
    if sample.drop_duplicates().shape[0] > 0.5 * len(k):
        return None
    inv = pd.DataFrame({"x": x, "tx": tx, "T": T}).groupby(["x", "tx", "T"], sort=False).ngroup().to_numpy()
    first = np.empty(int(inv.max()) + 1, dtype=np.int64)
    first[inv[::-1]] = np.arange(n - 1, -1, -1)
    return first, inv


def _one_minus_pow_over(log_u, c):
    """[1 - u^c] / c, with the limit -log u at c = 0 (u = exp(log_u) in (0, 1])."""
    if abs(c) < 1e-8:
        return -log_u
    return -np.expm1(c * log_u) / c


# --------------------------------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------------------------------

class GammaGammaModel(_MLModel):
    """Gamma-Gamma model of spend per transaction (Colombo & Jiang 1999; Fader, Hardie & Lee 2005b).

    Each transaction's value is Gamma(shape ``p``, rate nu) with nu ~ Gamma(shape ``q``, rate ``gamma``)
    across customers; the mean spend per transaction of a customer is then ``p / nu``. Fitted on the
    customers with at least one repeat transaction, from their number of repeat transactions x and mean
    repeat spend m_x.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> from crm_lessons.summary import customer_summary
    >>> s = customer_summary(load("cdnow_sample"), amount_col="dollars", observation_end="1997-09-30")
    >>> gg = GammaGammaModel().fit(s)
    >>> gg.params_.round(2).to_dict()
    {'p': 6.25, 'q': 3.74, 'gamma': 15.44}
    """

    _param_names = ("p", "q", "gamma")

    def fit(self, summary: pd.DataFrame, *, frequency_col: str = "frequency",
            monetary_col: str = "monetary_value") -> GammaGammaModel:
        """Fit to the customers with ``frequency > 0``; returns ``self``."""
        where = "GammaGammaModel.fit"
        x, m = _non_negative_columns(summary, [frequency_col, monetary_col], where)
        keep = x > 0
        if np.any(keep & (m <= 0)):
            n0 = int(np.sum(keep & (m <= 0)))
            raise CRMInputError(f"{where}: {n0} customer(s) have repeat transactions but {monetary_col!r} = 0; "
                                "the Gamma-Gamma model needs positive spend. Drop them first.")
        if keep.sum() < 2:
            raise CRMInputError(f"{where}: needs at least 2 customers with frequency > 0, got {int(keep.sum())}.")
        data = self._make_data(x[keep], m[keep])
        # default start: p = 2, q = 3 and gamma = the mean spend, so the model's mean spend per
        # transaction, p gamma / (q - 1), starts at the observed one (Newton then takes ~6 steps)
        start = self.start if self.start is not None else {"p": 2.0, "q": 3.0, "gamma": float(np.mean(m[keep]))}
        self._fit(data, start=start)
        return self

    @staticmethod
    def _make_data(x, m) -> dict:
        """Per-customer arrays and the sums the likelihood needs; the gamma functions depend on x only,
        so they are evaluated once per distinct x (a few dozen values) and weighted by counts."""
        xu, inv, cnt = _unique_x(x, np.ones_like(x))
        logm, logx = np.log(m), np.log(x)
        return {"x": x, "m": m, "mx": m * x, "xu": xu, "cnt": cnt, "xcnt": xu * cnt,
                "const": float(x @ logm + x @ logx), "sum_logm": float(logm.sum()), "n": len(x)}

    def _resampled(self, rng) -> dict:
        d = self._data
        i = rng.integers(0, len(d["x"]), len(d["x"]))
        return self._make_data(d["x"][i], d["m"][i])

    @staticmethod
    def _ll_grad(par, d):
        # log L_i = lgamma(px+q) - lgamma(px) - lgamma(q) + q log g + (px-1) log m + px log x - (px+q) log(g+mx)
        p, q, g = par
        x, mx, xu, cnt, xcnt, n = d["x"], d["mx"], d["xu"], d["cnt"], d["xcnt"], d["n"]
        pxu = p * xu
        gmx = g + mx
        lgm = np.log(gmx)
        igm = 1.0 / gmx
        x_lgm, s_lgm = float(x @ lgm), float(lgm.sum())
        lg = np.log(g)
        ll = (float(cnt @ (special.gammaln(pxu + q) - special.gammaln(pxu))) - n * special.gammaln(q)
              + n * q * lg + p * d["const"] - d["sum_logm"] - p * x_lgm - q * s_lgm)
        psi = special.digamma(pxu + q)
        dp = float(xcnt @ (psi - special.digamma(pxu))) + d["const"] - x_lgm
        dq = float(cnt @ psi) - n * special.digamma(q) + n * lg - s_lgm
        dg = n * q / g - p * float(x @ igm) - q * float(igm.sum())
        return ll, np.array([dp, dq, dg])

    @classmethod
    def _ll_grad_hess(cls, par, d):
        """Log-likelihood, gradient and the analytic Hessian (for Newton's method)."""
        ll, grad = cls._ll_grad(par, d)
        p, q, g = par
        x, mx, xu, cnt, xcnt, n = d["x"], d["mx"], d["xu"], d["cnt"], d["xcnt"], d["n"]
        pxu = p * xu
        t1 = special.zeta(2.0, pxu + q)                 # trigamma
        igm = 1.0 / (g + mx)
        igm2 = igm * igm
        hpp = float((xcnt * xu) @ (t1 - special.zeta(2.0, pxu)))
        hpq = float(xcnt @ t1)
        hqq = float(cnt @ t1) - n * float(special.zeta(2.0, q))
        hpg = -float(x @ igm)
        hqg = n / g - float(igm.sum())
        hgg = -n * q / g ** 2 + p * float(x @ igm2) + q * float(igm2.sum())
        return ll, grad, np.array([[hpp, hpq, hpg], [hpq, hqq, hqg], [hpg, hqg, hgg]])

    def conditional_expected_average_spend(self, frequency, monetary_value) -> np.ndarray:
        """E[spend per transaction | x, m_x] = (p (gamma + x m_x)) / (p x + q - 1).

        A weighted average of the population mean p gamma/(q-1) and the customer's own mean m_x.
        """
        self._check_fitted("conditional_expected_average_spend")
        x = _as_array(frequency, "frequency", "GammaGammaModel.conditional_expected_average_spend")
        m = _as_array(monetary_value, "monetary_value", "GammaGammaModel.conditional_expected_average_spend")
        p, q, g = self.params_.to_numpy()
        return p * (g + x * m) / (p * x + q - 1)

    def population_mean_spend(self) -> float:
        """Mean spend per transaction across customers, p gamma / (q - 1) (infinite if q <= 1)."""
        self._check_fitted("population_mean_spend")
        p, q, g = self.params_.to_numpy()
        return float(p * g / (q - 1)) if q > 1 else float("inf")


# --------------------------------------------------------------------------------------------------
# Cohort curves and CLV
# --------------------------------------------------------------------------------------------------

def cohort_repeat_transactions(model, birth_times, times) -> np.ndarray:
    """Expected cumulative repeat transactions of a cohort at each calendar time.

    Sum over customers of the unconditional E[X(t - b_i)] (0 before customer i's first purchase at b_i).

    Parameters
    ----------
    model : BetaGeoModel or ParetoNBDModel
        A fitted transaction model.
    birth_times : array-like
        Time of each customer's first purchase, in the model's time unit, from the cohort's start.
    times : array-like
        Calendar times (same unit and origin) at which to evaluate the cumulative total.

    Returns
    -------
    ndarray
        Expected cumulative repeat transactions, one per entry of ``times``.

    Examples
    --------
    >>> m = BetaGeoModel(); m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> cohort_repeat_transactions(m, [0.0, 1.0], [0.0, 2.0]).round(3)
    array([0.   , 0.157])
    """
    model._check_fitted("cohort_repeat_transactions")
    b = _as_array(birth_times, "birth_times", "cohort_repeat_transactions").ravel()
    t = _as_array(times, "times", "cohort_repeat_transactions").ravel()
    bu, cnt = np.unique(b, return_counts=True)
    age = t[:, None] - bu[None, :]
    pos = age > 0
    ex = np.zeros_like(age)
    ex[pos] = model.expected_transactions(age[pos])
    return ex @ cnt


def prediction_interval(models, predict, *, n_draws: int = 500, level: float = 0.95, method: str = "normal",
                        seed: int = 0) -> pd.DataFrame:
    """Point prediction with an interval from parameter uncertainty.

    Draws the parameters of each fitted model (:meth:`sample_params`: the asymptotic normal of the MLE on
    the log scale, or a customer-level bootstrap), evaluates ``predict`` at every draw and reports the
    percentiles. Models fitted separately (e.g. BG/NBD and Gamma-Gamma) are drawn independently.

    The interval covers the *expected* value (what the model predicts), not the customer's actual
    future count, which adds Poisson-type noise on top.

    Parameters
    ----------
    models : fitted model or tuple of fitted models
    predict : callable
        ``predict(model)`` (or ``predict(model1, model2, ...)`` for a tuple) returning a number, an
        array or a Series: e.g. ``lambda m: m.conditional_expected_transactions(39, x, tx, T)``.
    n_draws : int, default 500
    level : float, default 0.95
    method : "normal" or "bootstrap"
    seed : int

    Returns
    -------
    DataFrame
        ``estimate`` (at the fitted parameters), ``lower``, ``upper``; indexed like ``predict``'s output
        if it is a Series. ``attrs`` records ``level``, ``n_draws``, ``method`` and that only parameter
        uncertainty is included.

    Examples
    --------
    >>> m = BetaGeoModel(); m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> prediction_interval(m, lambda mm: mm.expected_transactions(52.0))
    Traceback (most recent call last):
    ...
    crm_lessons._validate.CRMInputError: prediction_interval: BetaGeoModel was not fitted to data here (it has no standard errors); fit it with .fit(summary).
    """
    where = "prediction_interval"
    ms = models if isinstance(models, (tuple, list)) else (models,)
    for m in ms:
        if not isinstance(m, _MLModel):
            raise CRMInputError(f"{where}: models must be fitted crm_lessons models, got {type(m).__name__}.")
        m._check_fitted(where)
        if not hasattr(m, "_data"):
            raise CRMInputError(f"{where}: {type(m).__name__} was not fitted to data here (it has no standard "
                                "errors); fit it with .fit(summary).")
    lv = require_probability(level, "level", where=where, allow_zero=False)
    if lv >= 1:
        raise CRMInputError(f"{where}: level must be below 1 (e.g. 0.95), got {level!r}.")
    if not callable(predict):
        raise CRMInputError(f"{where}: predict must be a function of the model(s), e.g. lambda m: m.expected_transactions(52).")
    base = predict(*ms)
    index = base.index if isinstance(base, pd.Series) else None
    base_arr = np.atleast_1d(np.asarray(base, dtype=np.float64)).ravel()
    draws = [m.sample_params(n_draws, method=method, seed=seed + 7919 * j) for j, m in enumerate(ms)]
    out = np.empty((len(draws[0]), base_arr.size))
    clones = [copy.copy(m) for m in ms]
    for i in range(len(draws[0])):
        for c, dr in zip(clones, draws):
            c.params_ = pd.Series(dr.iloc[i].to_numpy(), index=dr.columns, name="estimate")
        out[i] = np.asarray(predict(*clones), dtype=np.float64).ravel()
    tail = (1 - lv) / 2
    lo, hi = np.quantile(out, [tail, 1 - tail], axis=0)
    res = pd.DataFrame({"estimate": base_arr, "lower": lo, "upper": hi}, index=index)
    res.attrs.update({"level": lv, "n_draws": int(len(out)), "method": method,
                      "uncertainty": "parameter estimation only (the interval covers the expected value)"})
    return res


def per_period_discount_rate(annual_discount_rate: float, periods_per_year: float) -> float:
    """The per-period rate equivalent to an annual rate: (1 + annual)^(1/periods_per_year) - 1.

    Examples
    --------
    >>> round(per_period_discount_rate(0.10, 12), 6)
    0.007974
    """
    where = "per_period_discount_rate"
    d = require_number(annual_discount_rate, "annual_discount_rate", where=where, low=0, high=10)
    k = require_number(periods_per_year, "periods_per_year", where=where, low=0, low_inclusive=False)
    return float((1 + d) ** (1 / k) - 1)


def customer_lifetime_value(
    transaction_model,
    summary: pd.DataFrame,
    *,
    spend_per_transaction,
    margin_share: float,
    annual_discount_rate: float,
    periods_per_year: float,
    horizon_periods: int,
    frequency_col: str = "frequency",
    recency_col: str = "recency",
    T_col: str = "T",
    time_unit: str | None = None,
) -> pd.Series:
    """Customer lifetime value: discounted expected residual transactions x expected margin.

    CLV_i = margin_share x E[spend_i] x sum_{k=1..H} (E[Y_i(k)] - E[Y_i(k-1)]) / (1 + d)^k,

    where E[Y_i(k)] is the model's conditional expected number of transactions in the next k periods,
    d the per-period discount rate equivalent to ``annual_discount_rate`` (transactions of period k
    are discounted to the end of that period) and H the horizon. This is the discrete version of
    the "discounted expected residual transactions" of Fader, Hardie & Lee (2005b) used by lifetimes'
    ``customer_lifetime_value``.

    Parameters
    ----------
    transaction_model : BetaGeoModel or ParetoNBDModel
        Fitted.
    summary : DataFrame
        One row per customer with frequency, recency and T in the model's time unit. Not modified.
    spend_per_transaction : array-like or Series
        Expected spend per transaction of each customer (e.g. from
        :meth:`GammaGammaModel.conditional_expected_average_spend`), aligned with ``summary``.
    margin_share : float in (0, 1]
        Share of spend that is margin.
    annual_discount_rate : float
        E.g. 0.10 for 10% a year.
    periods_per_year : float
        52.18 for weeks (365.25/7), 12 for months, 365.25 for days.
    horizon_periods : int
        Number of future periods counted.
    time_unit : str, optional
        Name of the model's period ("week", "day", "month"); inferred from ``periods_per_year`` if omitted.

    Returns
    -------
    Series
        CLV per customer, indexed like ``summary``, named ``clv``. It is a *residual* value: the margin of
        transactions after the end of the observation period only. ``attrs`` records ``value_type``
        ("residual"), ``time_unit``, ``periods_per_year``, ``horizon_periods``, ``horizon_years``,
        ``annual_discount_rate``, ``discount_rate_per_period`` and ``margin_share``;
        :func:`clv_units` turns them into a caption for printed tables.

    Examples
    --------
    >>> m = BetaGeoModel(); m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> s = pd.DataFrame({"frequency": [0, 5], "recency": [0.0, 30.0], "T": [38.0, 38.0]})
    >>> customer_lifetime_value(m, s, spend_per_transaction=[30.0, 40.0], margin_share=0.3,
    ...                         annual_discount_rate=0.1, periods_per_year=52, horizon_periods=104).round(2).tolist()
    [3.8, 65.82]
    """
    where = "customer_lifetime_value"
    if not hasattr(transaction_model, "conditional_expected_transactions"):
        raise CRMInputError(f"{where}: transaction_model must be a BetaGeoModel or ParetoNBDModel.")
    transaction_model._check_fitted(where)
    x, tx, T = _rfm_arrays(summary, frequency_col, recency_col, T_col, where)
    spend = np.asarray(spend_per_transaction, dtype=np.float64).ravel()
    if spend.shape != x.shape:
        raise CRMInputError(f"{where}: spend_per_transaction has {spend.size} values; expected one per customer "
                            f"({x.size}).")
    if not np.all(np.isfinite(spend)) or np.any(spend < 0):
        raise CRMInputError(f"{where}: spend_per_transaction must be finite and >= 0.")
    share = require_probability(margin_share, "margin_share", where=where, allow_zero=False)
    d = per_period_discount_rate(annual_discount_rate, periods_per_year)
    h = require_positive_int(horizon_periods, "horizon_periods", where=where)
    # group identical histories: the expensive part is E[Y(k)] per distinct (x, t_x, T)
    keys = np.column_stack([x, tx, T])
    uk, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.ravel()
    k = np.arange(1, h + 1, dtype=np.float64)
    ey = transaction_model.conditional_expected_transactions(k[None, :], uk[:, [0]], uk[:, [1]], uk[:, [2]])
    inc = np.diff(np.concatenate([np.zeros((len(uk), 1)), ey], axis=1), axis=1)
    dert = inc @ (1 + d) ** -k
    clv = share * spend * dert[inv]
    out = pd.Series(clv, index=summary.index, name="clv")
    ppy = float(periods_per_year)
    if time_unit is None:
        named = {365.25: "day", 365.0: "day", 52.0: "week", 365.25 / 7: "week", 12.0: "month", 4.0: "quarter", 1.0: "year"}
        time_unit = next((v for k, v in named.items() if abs(ppy - k) < 1e-6 * k), f"1/{ppy:g} year")
    out.attrs.update({"value_type": "residual", "time_unit": str(time_unit), "periods_per_year": ppy,
                      "horizon_periods": int(h), "horizon_years": h / ppy,
                      "annual_discount_rate": float(annual_discount_rate), "discount_rate_per_period": d,
                      "margin_share": share})
    return out


def clv_units(result) -> str:
    """One-line caption of the units of a CLV result (from its ``attrs``), for printed tables and charts.

    Examples
    --------
    >>> m = BetaGeoModel(); m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> s = pd.DataFrame({"frequency": [1], "recency": [30.0], "T": [38.0]})
    >>> v = customer_lifetime_value(m, s, spend_per_transaction=[40.0], margin_share=0.3,
    ...                             annual_discount_rate=0.1, periods_per_year=365.25 / 7, horizon_periods=522)
    >>> clv_units(v)
    'residual CLV (future transactions only), margin 30% of spend, horizon 522 weeks (10 years), discounted at 10% a year = 0.1828% per week'
    """
    a = getattr(result, "attrs", {})
    need = ("value_type", "time_unit", "horizon_periods", "horizon_years", "annual_discount_rate",
            "discount_rate_per_period", "margin_share")
    if not all(k in a for k in need):
        raise CRMInputError("clv_units: the result carries no unit attributes; pass the output of "
                            "customer_lifetime_value (attrs are lost by most pandas operations: read them first).")
    what = "residual CLV (future transactions only)" if a["value_type"] == "residual" else "total CLV"
    return (f"{what}, margin {a['margin_share']:.0%} of spend, horizon {a['horizon_periods']} {a['time_unit']}s "
            f"({a['horizon_years']:.3g} years), discounted at {a['annual_discount_rate']:.3g} a year = "
            f"{a['discount_rate_per_period']:.4%} per {a['time_unit']}").replace(
                f"{a['annual_discount_rate']:.3g} a year", f"{a['annual_discount_rate']:.0%} a year")


# --------------------------------------------------------------------------------------------------
# Model checks: tracking over calendar time, holdout by calibration frequency
# --------------------------------------------------------------------------------------------------

def repeat_transactions_tracking(
    model,
    transactions: pd.DataFrame,
    *,
    start: Any,
    n_periods: int,
    customers=None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    time_unit: str = "week",
) -> pd.DataFrame:
    """Actual and model-expected repeat transactions of a cohort, period by period.

    Period k covers days [start + (k-1) u, start + k u) with u the unit length in days. A repeat
    transaction is a purchase day after a customer's first purchase day. The expectation is the
    difference of :func:`cohort_repeat_transactions` at the last day of each period, with each
    customer's birth time her first purchase day (in units from ``start``), so calibration and holdout
    are both covered. Ages use the convention of :func:`crm_lessons.summary.customer_summary`
    (T = (last observed day - first purchase day) / u), so the cumulative curve at the end of the
    calibration period equals the sum of ``model.expected_transactions(T)`` over the calibration summary.

    Parameters
    ----------
    model : BetaGeoModel or ParetoNBDModel
        Fitted in the same time unit.
    transactions : DataFrame
        One row per purchase (not modified).
    start : date-like
        Start of period 1 (the cohort's start, e.g. "1997-01-01").
    n_periods : int
        Number of periods to tabulate (78 weeks for CDNOW).
    customers : array-like, optional
        Restrict to these customer ids (e.g. the index of a calibration summary).

    Returns
    -------
    DataFrame
        Indexed by ``period`` (1..n_periods): ``actual``, ``expected``, ``actual_cumulative``,
        ``expected_cumulative``.
    """
    from .summary import TIME_UNITS, _check_frame, _day, _day_numbers, to_timestamp

    where = "repeat_transactions_tracking"
    model._check_fitted(where)
    require_choice_unit = TIME_UNITS.get(time_unit)
    if require_choice_unit is None:
        raise CRMInputError(f"{where}: time_unit must be one of {list(TIME_UNITS)}, got {time_unit!r}.")
    unit = require_choice_unit
    _check_frame(transactions, customer_col, date_col, None, where)
    n = require_positive_int(n_periods, "n_periods", where=where)
    d0 = _day(to_timestamp(start, "start", where=where))
    frame = pd.DataFrame({"cid": transactions[customer_col].to_numpy(),
                          "day": _day_numbers(transactions[date_col]) - d0})
    if customers is not None:
        frame = frame[frame["cid"].isin(pd.Index(customers))]
    frame = frame.drop_duplicates()
    first = frame.groupby("cid")["day"].transform("min")
    if (first < 0).any():
        raise CRMInputError(f"{where}: some customers first bought before start; pick an earlier start.")
    rep = frame.loc[frame["day"] > first, "day"].to_numpy()
    period = np.floor(rep / unit).astype(np.int64) + 1
    actual = np.bincount(period[period <= n], minlength=n + 1)[1:].astype(np.float64)
    births = frame.groupby("cid")["day"].min().to_numpy() / unit
    # The cumulative total at the end of period k counts purchases up to and including its last day,
    # day ceil(k u) - 1 from start: a customer born on day f is then (ceil(k u) - 1 - f) / u old, the
    # same convention as T = (end_day - first_day) / u in crm_lessons.summary. (Evaluating at k u would
    # run one day ahead of the data.)
    last_day = np.ceil(np.arange(1, n + 1, dtype=np.float64) * unit - 1e-9) - 1
    cum = np.concatenate([[0.0], cohort_repeat_transactions(model, births, last_day / unit)])
    out = pd.DataFrame({"actual": actual, "expected": np.diff(cum)},
                       index=pd.RangeIndex(1, n + 1, name="period"))
    out["actual_cumulative"] = out["actual"].cumsum()
    out["expected_cumulative"] = cum[1:]
    return out


def calibration_frequency(
    model,
    summary: pd.DataFrame,
    *,
    max_frequency: int = 7,
    frequency_col: str = "frequency",
    T_col: str = "T",
) -> pd.DataFrame:
    """Customers by number of repeat transactions in calibration: actual against the model.

    The classic first check of a fitted BG/NBD or Pareto/NBD model (Fader, Hardie & Lee 2005, Figure 2):
    the expected number of customers with x repeat transactions is sum_i P(X(T_i) = x), each customer at
    her own age T_i; ``max_frequency`` and above are pooled (so both columns add up to the number of
    customers).

    Parameters
    ----------
    model : fitted BetaGeoModel, ModifiedBetaGeoModel or ParetoNBDModel
    summary : DataFrame
        The calibration summary the model was fitted on (``frequency``, ``T``). Not modified.

    Returns
    -------
    DataFrame
        Indexed by ``frequency`` group ("0", "1", ..., "7+"): ``actual`` and ``expected`` numbers of customers.

    Examples
    --------
    >>> m = BetaGeoModel(); m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> s = pd.DataFrame({"frequency": [0, 0, 1, 9], "recency": [0.0, 0.0, 3.0, 30.0], "T": [39.0, 20.0, 39.0, 39.0]})
    >>> t = calibration_frequency(m, s, max_frequency=2)
    >>> t["actual"].tolist(), float(t["expected"].sum())
    ([2, 1, 1], 4.0)
    """
    where = "calibration_frequency"
    if not hasattr(model, "probability_of_transactions"):
        raise CRMInputError(f"{where}: model must be a fitted BG/NBD, MBG/NBD or Pareto/NBD model.")
    model._check_fitted(where)
    x, T = _non_negative_columns(summary, [frequency_col, T_col], where)
    if np.any(x != np.round(x)):
        raise CRMInputError(f"{where}: column {frequency_col!r} must hold whole numbers of repeat transactions.")
    k = require_positive_int(max_frequency, "max_frequency", where=where)
    Tu, cnt = np.unique(T, return_counts=True)
    probs = model.probability_of_transactions(Tu[:, None], np.arange(k, dtype=np.float64)[None, :])
    expected = cnt @ probs
    expected = np.append(expected, len(x) - expected.sum())
    actual = np.bincount(np.minimum(x, k).astype(np.int64), minlength=k + 1)
    labels = [str(i) for i in range(k)] + [f"{k}+"]
    return pd.DataFrame({"actual": actual, "expected": expected},
                        index=pd.Index(labels, name="frequency"))


def holdout_by_frequency(
    model,
    cal_holdout: pd.DataFrame,
    *,
    max_frequency: int = 7,
    frequency_col: str = "frequency_cal",
    recency_col: str = "recency_cal",
    T_col: str = "T_cal",
    holdout_col: str = "frequency_holdout",
    duration_col: str = "duration_holdout",
) -> pd.DataFrame:
    """Mean holdout transactions, actual vs the model's conditional expectation, by calibration frequency.

    The classic check of Fader, Hardie & Lee (2005, Figure 4): customers are grouped by their number
    of repeat transactions in calibration (``max_frequency`` and above pooled as "7+").

    Returns
    -------
    DataFrame
        Indexed by ``frequency_cal`` group (0, 1, ..., "7+"): ``customers``, ``actual``, ``expected``.
    """
    where = "holdout_by_frequency"
    cols = [frequency_col, recency_col, T_col, holdout_col, duration_col]
    require_frame(cal_holdout, where=where)
    require_columns(cal_holdout, cols, where=where)
    require_no_missing(cal_holdout, cols, where=where)
    require_non_negative(cal_holdout, cols, where=where)
    _rfm_arrays(cal_holdout, frequency_col, recency_col, T_col, where)   # whole counts, recency in [0, T]
    if np.any(cal_holdout[holdout_col].to_numpy(dtype=float) % 1 != 0):
        raise CRMInputError(f"{where}: column {holdout_col!r} must hold whole numbers of holdout transactions.")
    if hasattr(model, "_check_fitted"):
        model._check_fitted(where)
    k = require_positive_int(max_frequency, "max_frequency", where=where)
    pred = model.conditional_expected_transactions(
        cal_holdout[duration_col].to_numpy(dtype=float), cal_holdout[frequency_col].to_numpy(dtype=float),
        cal_holdout[recency_col].to_numpy(dtype=float), cal_holdout[T_col].to_numpy(dtype=float))
    x = cal_holdout[frequency_col].to_numpy(dtype=float)
    group = np.minimum(x, k).astype(int)
    labels = [str(i) for i in range(k)] + [f"{k}+"]
    frame = pd.DataFrame({"group": pd.Categorical([labels[g] for g in group], categories=labels, ordered=True),
                          "actual": cal_holdout[holdout_col].to_numpy(dtype=float), "expected": pred})
    out = frame.groupby("group", observed=False).agg(customers=("actual", "size"), actual=("actual", "mean"),
                                                     expected=("expected", "mean"))
    out.index.name = "frequency_cal"
    return out


def p_alive_history(model, purchase_times, *, end: float, step: float = 1.0) -> pd.DataFrame:
    """P(alive) of one customer over time, as her purchases come in.

    Parameters
    ----------
    model : fitted BetaGeoModel, ModifiedBetaGeoModel or ParetoNBDModel
    purchase_times : array-like
        Times of her purchases in the model's unit, counted from her first purchase (which is at 0 and
        may be included or left out).
    end : float
        Last time to evaluate (e.g. her age T at the end of the data).
    step : float, default 1
        Spacing of the evaluation times.

    Returns
    -------
    DataFrame
        Indexed by ``time`` (0, step, ..., end): ``repeat_purchases`` (x so far), ``recency`` (t_x) and
        ``p_alive``. P(alive) falls during silences and jumps back up at each purchase.

    Examples
    --------
    >>> m = BetaGeoModel(); m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> h = p_alive_history(m, [0.0, 2.0, 5.0], end=20.0, step=5.0)
    >>> h["p_alive"].round(3).tolist()
    [1.0, 0.812, 0.624, 0.46, 0.338]
    """
    where = "p_alive_history"
    if not hasattr(model, "probability_alive"):
        raise CRMInputError(f"{where}: model must be a fitted transaction model (BG/NBD, MBG/NBD or Pareto/NBD).")
    model._check_fitted(where)
    times = np.sort(_as_array(purchase_times, "purchase_times", where).ravel())
    e = require_number(end, "end", where=where, low=0)
    st = require_number(step, "step", where=where, low=0, low_inclusive=False)
    if times.size and times[-1] > e:
        raise CRMInputError(f"{where}: a purchase at {times[-1]:g} is after end={e:g}; raise end.")
    grid = np.arange(0.0, e + st * 1e-9, st)
    rep = times[times > 0]
    x = np.searchsorted(rep, grid, side="right").astype(float)
    tx = np.where(x > 0, rep[np.maximum(x.astype(int) - 1, 0)] if rep.size else 0.0, 0.0)
    pa = np.asarray(model.probability_alive(x, tx, grid), dtype=float)
    return pd.DataFrame({"repeat_purchases": x.astype(np.int64), "recency": tx, "p_alive": pa},
                        index=pd.Index(grid, name="time"))


def model_comparison(
    models: dict,
    cal_holdout: pd.DataFrame,
    *,
    frequency_col: str = "frequency_cal",
    recency_col: str = "recency_cal",
    T_col: str = "T_cal",
    holdout_col: str = "frequency_holdout",
    duration_col: str = "duration_holdout",
) -> pd.DataFrame:
    """Compare fitted transaction models: fit (log-likelihood, AIC, BIC) and holdout accuracy.

    Parameters
    ----------
    models : dict
        Name -> fitted BetaGeoModel, ModifiedBetaGeoModel or ParetoNBDModel, all fitted on the calibration
        columns of ``cal_holdout``.
    cal_holdout : DataFrame
        From :func:`crm_lessons.summary.calibration_holdout_summary`. Not modified.

    Returns
    -------
    DataFrame
        One row per model: ``log-likelihood``, ``parameters``, ``customers``, ``AIC`` (2k - 2 LL), ``BIC``
        (k ln n - 2 LL), ``holdout total, expected``, ``holdout total, actual``, ``holdout MAE per customer``
        and ``holdout RMSE per customer`` (transactions). Lower AIC/BIC/MAE is better.
    """
    where = "model_comparison"
    if not isinstance(models, dict) or not models:
        raise CRMInputError(f"{where}: models must be a non-empty dict of name -> fitted model.")
    cols = [frequency_col, recency_col, T_col, holdout_col, duration_col]
    require_frame(cal_holdout, where=where)
    require_columns(cal_holdout, cols, where=where)
    require_no_missing(cal_holdout, cols, where=where)
    require_non_negative(cal_holdout, cols, where=where)
    x, tx, T = _rfm_arrays(cal_holdout, frequency_col, recency_col, T_col, where)
    actual = cal_holdout[holdout_col].to_numpy(dtype=float)
    dur = cal_holdout[duration_col].to_numpy(dtype=float)
    rows = {}
    for name, m in models.items():
        if not hasattr(m, "conditional_expected_transactions") or not hasattr(m, "log_likelihood_"):
            raise CRMInputError(f"{where}: model {name!r} is not a fitted transaction model.")
        k, n, ll = len(m.params_), m.n_customers_, m.log_likelihood_
        if n != len(cal_holdout):
            raise CRMInputError(f"{where}: model {name!r} was fitted on {n} customers but cal_holdout has "
                                f"{len(cal_holdout)}; fit every model on the calibration columns of cal_holdout.")
        pred = np.asarray(m.conditional_expected_transactions(dur, x, tx, T), dtype=float)
        err = pred - actual
        rows[name] = {"log-likelihood": ll, "parameters": k, "customers": n, "AIC": 2 * k - 2 * ll,
                      "BIC": k * np.log(n) - 2 * ll, "holdout total, expected": float(pred.sum()),
                      "holdout total, actual": float(actual.sum()),
                      "holdout MAE per customer": float(np.mean(np.abs(err))),
                      "holdout RMSE per customer": float(np.sqrt(np.mean(err ** 2)))}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "model"
    return out


# --------------------------------------------------------------------------------------------------
# Case-study parameters
# --------------------------------------------------------------------------------------------------

def check_case_parameters(
    *,
    calibration_end: Any,
    holdout_weeks: Any,
    time_unit: Any,
    model: Any,
    annual_discount_rate: Any,
    margin_share: Any,
    horizon_years: Any,
    top_n: Any,
    covariate: Any = "none",
    data_start: Any = "1997-01-01",
    data_end: Any = "1998-06-30",
) -> dict:
    """Validate the parameters of the CDNOW case study; return them (dates parsed) or raise.

    Each error names the parameter, the value given and what is expected.

    Examples
    --------
    >>> p = check_case_parameters(calibration_end="1997-09-30", holdout_weeks=39, time_unit="week",
    ...                           model="bgnbd", annual_discount_rate=0.1, margin_share=0.3,
    ...                           horizon_years=10, top_n=100)
    >>> str(p["holdout_end"].date()), p["periods_per_year"]
    ('1998-06-30', 52.17857142857143)
    >>> check_case_parameters(calibration_end="1997-09-30", holdout_weeks=39, time_unit="weeks",
    ...                       model="bgnbd", annual_discount_rate=0.1, margin_share=0.3,
    ...                       horizon_years=10, top_n=100)
    Traceback (most recent call last):
    ...
    crm_lessons._validate.CRMInputError: clv_cdnow parameters: time_unit must be one of 'day', 'week', 'month', got 'weeks'.
    """
    from ._validate import require_choice
    from .summary import TIME_UNITS, to_timestamp

    where = "clv_cdnow parameters"
    cal = to_timestamp(calibration_end, "calibration_end", where=where)
    start, end = pd.Timestamp(data_start), pd.Timestamp(data_end)
    hw = require_positive_int(holdout_weeks, "holdout_weeks", where=where)
    require_choice(time_unit, "time_unit", list(TIME_UNITS), where=where)
    require_choice(model, "model", ["bgnbd", "pareto"], where=where)
    rate = require_number(annual_discount_rate, "annual_discount_rate", where=where, low=0, high=1)
    share = require_probability(margin_share, "margin_share", where=where, allow_zero=False)
    years = require_number(horizon_years, "horizon_years", where=where, low=0, high=100, low_inclusive=False)
    n = require_positive_int(top_n, "top_n", where=where)
    require_choice(covariate, "covariate", ["none", "first_purchase_amount"], where=where)
    if not (start + pd.Timedelta(days=28) <= cal < end):
        raise CRMInputError(f"{where}: calibration_end must lie between {(start + pd.Timedelta(days=28)).date()} "
                            f"and {end.date()} (the data run {start.date()} to {end.date()}), got {calibration_end!r}.")
    hold_end = cal + pd.Timedelta(days=7 * hw)
    if hold_end > end:
        max_w = (end - cal).days // 7
        raise CRMInputError(f"{where}: holdout_weeks={hw} runs past the end of the data ({end.date()}); with "
                            f"calibration_end={cal.date()} use at most {max_w}.")
    unit = TIME_UNITS[time_unit]
    return {"calibration_end": cal, "holdout_end": hold_end, "holdout_weeks": hw, "time_unit": time_unit,
            "unit_days": unit, "holdout_periods": 7 * hw / unit, "periods_per_year": 365.25 / unit,
            "model": model, "annual_discount_rate": rate, "margin_share": share, "horizon_years": years,
            "horizon_periods": int(round(years * 365.25 / unit)), "top_n": n, "covariate": covariate}
