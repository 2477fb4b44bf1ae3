"""An independent continuous-time BG/NBD simulator shared by the CLV tests (not the package's code)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def bgnbd_histories(lam: np.ndarray, p: np.ndarray, T: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """(frequency, recency, T) of customers with purchase rates ``lam`` and dropout probabilities ``p``.

    Purchases follow a Poisson process while alive; after each repeat purchase the customer drops out
    with probability ``p`` (Fader, Hardie & Lee 2005); observation of customer i ends at ``T[i]``.
    """
    n = len(lam)
    x, tx, t = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        t_next = t[idx] + rng.exponential(1 / lam[idx])
        ok = t_next <= T[idx]
        buy = idx[ok]
        x[buy] += 1
        tx[buy] = t_next[ok]
        t[buy] = t_next[ok]
        alive[idx[~ok]] = False
        alive[buy[rng.random(len(buy)) < p[buy]]] = False   # dropout after a repeat purchase
    return pd.DataFrame({"frequency": x, "recency": tx, "T": T})
