"""Discrete-time customer-base analysis: the BG/BB model (Fader, Hardie & Shang 2010).

Where purchases can only happen at discrete, equally spaced opportunities (a yearly fair edition, a
yearly donation campaign, a weekly panel), the beta-geometric/beta-Bernoulli (BG/BB) model says:

- while alive, a customer transacts at each opportunity with probability p (a Bernoulli coin), and
  p ~ Beta(``alpha``, ``beta``) across customers;
- at the start of each opportunity an alive customer dies with probability theta, and
  theta ~ Beta(``gamma``, ``delta``) across customers; death is unobserved.

Each customer is summarised by her recency/frequency pattern over the n opportunities after her first
transaction (which is not counted): x = number of opportunities with a transaction, t_x = the last of
them (0 if x = 0), n = number of opportunities. Customers with the same (x, t_x, n) are
interchangeable, so a data set is a small "recency/frequency" table with a count per pattern
(:func:`rf_table`); the fit uses the counts directly. The donation data of the paper (11,104 first-time
supporters of 1995, 6 yearly opportunities 1996-2001) ship as ``load("donations_bgbb")``.

The likelihood of one pattern (Fader, Hardie & Shang 2010, eq. 5) is

    L = B(a+x, b+n-x)/B(a,b) * B(g, d+n)/B(g,d)
        + sum_{i=0}^{n-t_x-1} B(a+x, b+t_x-x+i)/B(a,b) * B(g+1, d+t_x+i)/B(g,d)

(a, b, g, d = alpha, beta, gamma, delta): alive through all n opportunities, or dead at opportunity
t_x + i + 1 for some i. It is computed in log space with an analytic gradient.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ._validate import (
    CRMInputError,
    require_columns,
    require_frame,
    require_no_missing,
    require_non_negative,
    require_positive_int,
)
from .clv import _MLModel, _non_negative_columns

__all__ = ["BetaGeoBetaBinomModel", "discrete_summary", "rf_table", "PUBLISHED_BGBB_ESTIMATES"]

#: Maximum-likelihood estimates of Fader, Hardie & Shang (2010, Marketing Science 29(6), 1086-1108) on the
#: donation data (11,104 customers, 6 opportunities), as checked by the lifetimes package's tests.
PUBLISHED_BGBB_ESTIMATES = pd.Series({"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783})


def _check_patterns(frame: pd.DataFrame, cols: list[str], weights_col: str | None, where: str):
    need = cols + ([weights_col] if weights_col else [])
    arrs = _non_negative_columns(frame, need, where)
    x, tx, n = arrs[:3]
    w = arrs[3] if weights_col else np.ones_like(x)
    for name, arr in zip(cols + ([weights_col] if weights_col else []), (x, tx, n, w)):
        if np.any(arr != np.round(arr)):
            raise CRMInputError(f"{where}: column {name!r} must hold whole numbers (counts of opportunities"
                                f"{' or customers' if name == weights_col else ''}).")
    bad = (x > tx) | (tx > n) | ((x == 0) & (tx > 0)) | ((x > 0) & (tx == 0))
    if bad.any():
        i = frame.index[np.flatnonzero(bad)[0]]
        raise CRMInputError(
            f"{where}: each row needs 1 <= frequency <= recency <= n (or frequency = recency = 0); row {i!r} has "
            f"frequency={frame.loc[i, cols[0]]!r}, recency={frame.loc[i, cols[1]]!r}, n={frame.loc[i, cols[2]]!r}. "
            "Build the summary with crm_lessons.bgbb.discrete_summary.")
    return x, tx, n, w


def discrete_summary(events: pd.DataFrame, *, n_opportunities: int | None = None, last_opportunity: int | None = None,
                     customer_col: str = "customer_id", opportunity_col: str = "opportunity") -> pd.DataFrame:
    """Per-customer recency/frequency summary for discrete opportunities.

    Parameters
    ----------
    events : DataFrame
        One row per transaction with the customer and the (whole-number) opportunity at which it
        happened, e.g. the fair edition or the year. Several rows at one opportunity count once.
        Not modified.
    last_opportunity : int, optional
        The last opportunity observed (default: the largest in ``events``).
    n_opportunities : int, optional
        Alternatively, the number of opportunities after each customer's first one is
        ``last_opportunity - first``; giving ``n_opportunities`` instead fixes it for everyone
        (a single cohort whose first transaction is at the same opportunity).

    Returns
    -------
    DataFrame
        Indexed by customer: ``frequency`` (opportunities with a transaction after the first one),
        ``recency`` (opportunities from the first to the last transaction; 0 if none), ``n``.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": [1, 1, 1, 2], "opportunity": [2000, 2002, 2003, 2001]})
    >>> discrete_summary(ev, last_opportunity=2005).to_dict("index")
    {1: {'frequency': 2, 'recency': 3, 'n': 5}, 2: {'frequency': 0, 'recency': 0, 'n': 4}}
    """
    where = "discrete_summary"
    require_frame(events, where=where)
    require_columns(events, [customer_col, opportunity_col], where=where)
    require_no_missing(events, [customer_col, opportunity_col], where=where)
    opp = events[opportunity_col]
    if not pd.api.types.is_numeric_dtype(opp) or np.any(opp.to_numpy(dtype=float) % 1 != 0):
        raise CRMInputError(f"{where}: column {opportunity_col!r} must hold whole numbers (the opportunity index, "
                            "e.g. the year or the edition number).")
    frame = pd.DataFrame({"cid": events[customer_col].to_numpy(), "o": opp.to_numpy(dtype=np.int64)}).drop_duplicates()
    last = int(frame["o"].max()) if last_opportunity is None else int(last_opportunity)
    if (frame["o"] > last).any():
        raise CRMInputError(f"{where}: some transactions are after last_opportunity={last}; drop them first or "
                            "raise last_opportunity.")
    g = frame.groupby("cid", sort=True)["o"]
    first, latest, count = g.min(), g.max(), g.size()
    n = (last - first) if n_opportunities is None else pd.Series(
        require_positive_int(n_opportunities, "n_opportunities", where=where), index=first.index)
    if n_opportunities is not None and ((latest - first) > n).any():
        raise CRMInputError(f"{where}: some customers transact more than n_opportunities={n_opportunities} "
                            "opportunities after their first.")
    out = pd.DataFrame({"frequency": (count - 1).astype(np.int64), "recency": (latest - first).astype(np.int64),
                        "n": n.astype(np.int64)})
    out.index.name = customer_col
    return out


def rf_table(summary: pd.DataFrame, *, frequency_col: str = "frequency", recency_col: str = "recency",
             n_col: str = "n") -> pd.DataFrame:
    """Compress a per-customer summary to one row per (frequency, recency, n) with the number of customers.

    Examples
    --------
    >>> s = pd.DataFrame({"frequency": [0, 2, 2], "recency": [0, 3, 3], "n": [5, 5, 5]})
    >>> rf_table(s).to_dict("list")
    {'frequency': [0, 2], 'recency': [0, 3], 'n': [5, 5], 'customers': [1, 2]}
    """
    cols = [frequency_col, recency_col, n_col]
    _check_patterns(summary, cols, None, "rf_table")
    out = (summary.groupby(cols, sort=True).size().rename("customers").reset_index()
           .rename(columns={frequency_col: "frequency", recency_col: "recency", n_col: "n"}))
    return out.astype(np.int64)


class BetaGeoBetaBinomModel(_MLModel):
    """BG/BB model for discrete purchase opportunities (Fader, Hardie & Shang 2010).

    Attributes
    ----------
    params_ : Series
        ``alpha``, ``beta`` (Beta distribution of the transaction probability p) and ``gamma``,
        ``delta`` (Beta distribution of the per-opportunity dropout probability theta).

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> m = BetaGeoBetaBinomModel().fit(load("donations_bgbb"), weights_col="customers")
    >>> m.params_.round(3).to_dict()
    {'alpha': 1.204, 'beta': 0.75, 'gamma': 0.657, 'delta': 2.783}
    """

    _param_names = ("alpha", "beta", "gamma", "delta")

    def fit(self, summary: pd.DataFrame, *, frequency_col: str = "frequency", recency_col: str = "recency",
            n_col: str = "n", weights_col: str | None = None) -> BetaGeoBetaBinomModel:
        """Fit by maximum likelihood; returns ``self``.

        ``summary`` has one row per customer (from :func:`discrete_summary`) or one row per pattern with
        the number of customers in ``weights_col`` (from :func:`rf_table`, or a published table).
        """
        where = "BetaGeoBetaBinomModel.fit"
        x, tx, n, w = _check_patterns(summary, [frequency_col, recency_col, n_col], weights_col, where)
        if w.sum() < 10:
            raise CRMInputError(f"{where}: got {w.sum():g} customer(s); fitting needs at least 10.")
        if not np.any((x > 0) & (w > 0)) or not np.any((x < n) & (w > 0)):
            raise CRMInputError(f"{where}: every customer transacts at no opportunity, or at every one; the "
                                "transaction and dropout probabilities cannot be told apart.")
        keep = w > 0
        pats, inv = np.unique(np.column_stack([x[keep], tx[keep], n[keep]]), axis=0, return_inverse=True)
        col = {"x": pats[:, 0].copy(), "tx": pats[:, 1].copy(), "n": pats[:, 2].copy(),
               "w": np.bincount(inv.ravel(), weights=w[keep], minlength=len(pats))}
        # "n" is the number of customers for the shared fitting code; the opportunities are "nn"
        self._fit({"x": col["x"], "tx": col["tx"], "nn": col["n"], "w": col["w"], "n": float(col["w"].sum())})
        return self

    @staticmethod
    def _structure(d: dict) -> dict:
        """The existing terms of every pattern as flat arrays (pattern row, x, y, g, h), built once per
        data set and kept in ``d``: term = B(a+x, b+y)/B(a,b) * B(c+g, d+h)/B(c,d)."""
        if "_flat" not in d:
            x, tx, nn = d["x"], d["tx"], d["nn"]
            k = (nn - tx).astype(np.int64)                    # dropout terms i = 0..n-t_x-1
            counts = 1 + k
            row = np.repeat(np.arange(len(x)), counts)
            start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
            pos = np.arange(len(row)) - start[row]            # 0: alive term, j >= 1: dropout i = j - 1
            alive = pos == 0
            xe = x[row]
            ye = np.where(alive, nn[row] - xe, tx[row] - xe + pos - 1)
            ge = np.where(alive, 0.0, 1.0)
            he = np.where(alive, nn[row], tx[row] + pos - 1)
            d["_flat"] = (row, start, xe, ye, ge, he)
        return d["_flat"]

    @classmethod
    def _ll_grad(cls, p, d, want_grad=True):
        a, b, c, dd = p
        w = d["w"]
        row, start, xe, ye, ge, he = cls._structure(d)
        gl = special.gammaln
        lt = (gl(a + xe) + gl(b + ye) - gl(a + b + xe + ye) - special.betaln(a, b)
              + gl(c + ge) + gl(dd + he) - gl(c + dd + ge + he) - special.betaln(c, dd))
        mx = np.maximum.reduceat(lt, start)
        ex = np.exp(lt - mx[row])
        tot = np.add.reduceat(ex, start)
        ll_i = mx + np.log(tot)
        ll = float(w @ ll_i)
        if not want_grad:
            return ll, ll_i
        wt = ex * (w / tot)[row]                                  # weight of each term
        W = float(w.sum())
        psi = special.digamma
        s_ab = psi(a + b + xe + ye)
        s_cd = psi(c + dd + ge + he)
        psi_ab, psi_cd = psi(a + b), psi(c + dd)
        grad = np.array([wt @ (psi(a + xe) - s_ab) - W * (psi(a) - psi_ab),
                         wt @ (psi(b + ye) - s_ab) - W * (psi(b) - psi_ab),
                         wt @ (psi(c + ge) - s_cd) - W * (psi(c) - psi_cd),
                         wt @ (psi(dd + he) - s_cd) - W * (psi(dd) - psi_cd)])
        return ll, grad

    @classmethod
    def _ll_grad_hess(cls, p, d):
        """Log-likelihood, gradient and analytic Hessian (for Newton's method in the shared fitting code).

        With pi_j the share of term j in its pattern's likelihood and u_j = grad log term_j,
        the Hessian of log L_i is sum_j pi_j (hess log term_j + u_j u_j') - g_i g_i', g_i = sum_j pi_j u_j.
        """
        a, b, c, dd = p
        w = d["w"]
        row, start, xe, ye, ge, he = cls._structure(d)
        gl, psi = special.gammaln, special.digamma
        lt = (gl(a + xe) + gl(b + ye) - gl(a + b + xe + ye) - special.betaln(a, b)
              + gl(c + ge) + gl(dd + he) - gl(c + dd + ge + he) - special.betaln(c, dd))
        mx = np.maximum.reduceat(lt, start)
        ex = np.exp(lt - mx[row])
        tot = np.add.reduceat(ex, start)
        ll = float(w @ (mx + np.log(tot)))
        pi = ex / tot[row]
        wt = pi * w[row]
        s_ab, s_cd = psi(a + b + xe + ye), psi(c + dd + ge + he)
        psi_ab, psi_cd = psi(a + b), psi(c + dd)
        U = np.vstack([psi(a + xe) - s_ab - psi(a) + psi_ab, psi(b + ye) - s_ab - psi(b) + psi_ab,
                       psi(c + ge) - s_cd - psi(c) + psi_cd, psi(dd + he) - s_cd - psi(dd) + psi_cd])
        grad = U @ wt
        tri = lambda v: special.zeta(2.0, v)  # noqa: E731  (trigamma)
        W = float(w.sum())
        t_ab, t_cd = tri(a + b + xe + ye), tri(c + dd + ge + he)
        h_ab0, h_cd0 = float(tri(a + b)), float(tri(c + dd))
        H = (U * wt) @ U.T
        G = np.add.reduceat(U * pi, start, axis=1)              # per-pattern gradient of log L_i
        H -= (G * w) @ G.T
        H[0, 0] += wt @ (tri(a + xe) - t_ab) + W * (h_ab0 - float(tri(a)))
        H[1, 1] += wt @ (tri(b + ye) - t_ab) + W * (h_ab0 - float(tri(b)))
        H[0, 1] += -(wt @ t_ab) + W * h_ab0
        H[2, 2] += wt @ (tri(c + ge) - t_cd) + W * (h_cd0 - float(tri(c)))
        H[3, 3] += wt @ (tri(dd + he) - t_cd) + W * (h_cd0 - float(tri(dd)))
        H[2, 3] += -(wt @ t_cd) + W * h_cd0
        H[1, 0], H[3, 2] = H[0, 1], H[2, 3]
        return ll, grad, H

    # ---------------------------------------------------------------- predictions
    def _arr(self, frequency, recency, n, where):
        self._check_fitted(where)
        arrs = [np.asarray(v, dtype=np.float64) for v in (frequency, recency, n)]
        x, tx, nn = np.broadcast_arrays(*arrs)
        frame = pd.DataFrame({"frequency": x.ravel(), "recency": tx.ravel(), "n": nn.ravel()})
        _check_patterns(frame, ["frequency", "recency", "n"], None, f"BetaGeoBetaBinomModel.{where}")
        return x.ravel(), tx.ravel(), nn.ravel(), x.shape

    def _log_lik(self, x, tx, nn):
        return self._ll_grad(self.params_.to_numpy(), {"x": x, "tx": tx, "nn": nn, "w": np.ones_like(x)},
                             want_grad=False)[1]

    def probability_alive(self, frequency, recency, n) -> np.ndarray:
        """P(alive at opportunity n + 1 | x, t_x, n) (Fader, Hardie & Shang 2010, eq. 11)."""
        x, tx, nn, shape = self._arr(frequency, recency, n, "probability_alive")
        a, b, c, d = self.params_.to_numpy()
        num = special.betaln(a + x, b + nn - x) - special.betaln(a, b) + special.betaln(c, d + nn + 1) - special.betaln(c, d)
        return np.exp(num - self._log_lik(x, tx, nn)).reshape(shape)

    def conditional_expected_transactions(self, n_future: int, frequency, recency, n) -> np.ndarray:
        """E[transactions at the next ``n_future`` opportunities | x, t_x, n] (eq. 13), as
        P(alive through n | data) x E[p | alive] x sum_k E[(1 - theta)^k | alive through n]."""
        k_max = require_positive_int(n_future, "n_future", where="BetaGeoBetaBinomModel.conditional_expected_transactions")
        x, tx, nn, shape = self._arr(frequency, recency, n, "conditional_expected_transactions")
        a, b, c, d = self.params_.to_numpy()
        log_alive = (special.betaln(a + x, b + nn - x) - special.betaln(a, b) + special.betaln(c, d + nn)
                     - special.betaln(c, d) - self._log_lik(x, tx, nn))
        k = np.arange(1, k_max + 1, dtype=np.float64)[None, :]
        surv = np.exp(special.betaln(c, d + nn[:, None] + k) - special.betaln(c, d + nn[:, None])).sum(axis=1)
        return (np.exp(log_alive) * (a + x) / (a + b + nn) * surv).reshape(shape)

    def expected_transactions(self, n) -> np.ndarray:
        """Unconditional E[X(n)]: expected transactions of a new customer at her first n opportunities."""
        self._check_fitted("expected_transactions")
        nn = np.asarray(n, dtype=np.float64)
        if not np.all(np.isfinite(nn)) or np.any(nn < 0) or np.any(nn != np.round(nn)):
            raise CRMInputError(f"BetaGeoBetaBinomModel.expected_transactions: n must be whole numbers >= 0, got {n!r}.")
        a, b, c, d = self.params_.to_numpy()
        k = np.arange(1, int(nn.max(initial=0)) + 1, dtype=np.float64)
        cum = np.concatenate([[0.0], np.cumsum(np.exp(special.betaln(c, d + k) - special.betaln(c, d)))])
        return a / (a + b) * cum[nn.astype(np.int64)]

    def probability_of_transactions(self, x, n) -> np.ndarray:
        """P(X(n) = x): probability that a new customer transacts at exactly x of her first n
        opportunities (eq. 7)."""
        self._check_fitted("probability_of_transactions")
        xs, ns = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(n, dtype=np.float64))
        if np.any(xs < 0) or np.any(xs > ns) or np.any(xs != np.round(xs)) or np.any(ns != np.round(ns)):
            raise CRMInputError("BetaGeoBetaBinomModel.probability_of_transactions: need whole numbers 0 <= x <= n.")
        a, b, c, d = self.params_.to_numpy()
        out = np.empty(xs.size)
        for j, (xx, n_) in enumerate(zip(xs.ravel(), ns.ravel())):
            lb = special.betaln(a + xx, b + n_ - xx) - special.betaln(a, b)
            total = np.exp(np.log(special.comb(n_, xx)) + lb + special.betaln(c, d + n_) - special.betaln(c, d))
            i = np.arange(xx, n_)
            if i.size:
                total += np.sum(special.comb(i, xx) * np.exp(special.betaln(a + xx, b + i - xx) - special.betaln(a, b)
                                                            + special.betaln(c + 1, d + i) - special.betaln(c, d)))
            out[j] = total
        return out.reshape(xs.shape)
