"""Packaged real data sets and seeded generators of synthetic CRM data.

Real data
---------
:func:`load` returns one of the cleaned public data sets shipped in ``datasets/`` as a typed data
frame (datetimes, categories, numbers, booleans), after checking the file's SHA-256 against
``datasets/MANIFEST.json``. :func:`list_datasets` tabulates them; :func:`data_card` returns the data
card (source, licence, columns, cleaning, quirks). Nothing is downloaded.

Synthetic data
--------------
Where no public data set covers a lesson, a seeded generator makes one. Every generator follows one
pattern: ``make_<thing>(n=..., *, seed=..., <documented parameters>)`` returns ``(data, truth)``,
two data frames: what a firm would observe, and the hidden ground truth a lesson checks against. The
docstring states the generative process, so a student can reason about what a model should recover.
The same seed always gives the same frames.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ._validate import CRMInputError, require_number, require_positive_int

__all__ = [
    "load",
    "list_datasets",
    "data_card",
    "data_dir",
    "DatasetChecksumError",
    "make_transactions",
]


class DatasetChecksumError(RuntimeError):
    """Raised when a data file's SHA-256 differs from the manifest (a changed or damaged file)."""


@dataclass(frozen=True)
class _Spec:
    dates: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    ordered: dict[str, tuple] = field(default_factory=dict)
    dtypes: dict[str, str] = field(default_factory=dict)


_TELCO_SERVICES = ("multiple_lines", "internet_service", "online_security", "online_backup",
                   "device_protection", "tech_support", "streaming_tv", "streaming_movies",
                   "payment_method")

_SPECS: dict[str, _Spec] = {
    "cdnow_master": _Spec(dates=("date",), dtypes={"customer_id": "int64", "cds": "int64",
                                                   "dollars": "float64"}),
    "cdnow_sample": _Spec(dates=("date",), dtypes={"customer_id": "int64", "sample_id": "int64",
                                                   "cds": "int64", "dollars": "float64"}),
    "coil2000": _Spec(categories=("origin",)),
    "telco_churn_ibm": _Spec(
        categories=_TELCO_SERVICES,
        ordered={"contract": ("Month-to-month", "One year", "Two year")},
        dtypes={"churn": "bool", "total_charges": "float64", "monthly_charges": "float64"},
    ),
    "telco_churn_mlc": _Spec(categories=("state", "area_code"),
                             dtypes={"churn": "bool", "international_plan": "bool",
                                     "voice_mail_plan": "bool"}),
    "bank_calls": _Spec(dates=("datetime",), dtypes={"calls": "int64"}),
    "yogurt_panel": _Spec(categories=("choice",)),
    "cracker_panel": _Spec(categories=("choice",)),
    "coil2000_dictionary": _Spec(categories=("group",)),
    "donations_bgbb": _Spec(dtypes={"frequency": "int64", "recency": "int64", "n": "int64", "customers": "int64"}),
    "online_retail": _Spec(dates=("invoice_date",), categories=("country",),
                           dtypes={"invoice": "str", "stock_code": "str", "description": "str",
                                   "quantity": "int64", "unit_price": "float64", "customer_id": "Int64"}),
    "bank_marketing": _Spec(
        categories=("job", "marital", "education", "default", "housing", "loan", "contact", "poutcome"),
        ordered={"month": ("mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
                 "day_of_week": ("mon", "tue", "wed", "thu", "fri")},
        dtypes={"y": "bool"},
    ),
}


def data_dir() -> Path:
    """Return the folder holding the packaged data sets.

    Looked up in order: the ``CRM_LESSONS_DATA`` environment variable; ``_data`` inside the
    installed package (a wheel install); the repository's ``datasets/`` folder (an editable install).
    """
    env = os.environ.get("CRM_LESSONS_DATA")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve().parent
    candidates += [here / "_data", here.parents[1] / "datasets"]
    for c in candidates:
        if (c / "MANIFEST.json").is_file():
            return c
    raise FileNotFoundError(
        "crm_lessons: cannot find the data sets (looked in "
        + ", ".join(str(c) for c in candidates)
        + "). Install the package from a clone of the repository (pip install -e .) or set CRM_LESSONS_DATA."
    )


@lru_cache(maxsize=1)
def _manifest() -> dict[str, dict]:
    return json.loads((data_dir() / "MANIFEST.json").read_text(encoding="utf-8"))


def _check_name(name: str) -> dict:
    manifest = _manifest()
    if name not in manifest:
        raise CRMInputError(
            f"load: unknown data set {name!r}. Valid names: {', '.join(sorted(manifest))}. "
            "See crm_lessons.datasets.list_datasets()."
        )
    return manifest[name]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@lru_cache(maxsize=16)
def _verified(path: Path, expected: str, mtime: float) -> None:
    actual = _sha256(path)
    if actual != expected:
        raise DatasetChecksumError(
            f"{path.name}: SHA-256 is {actual}, the manifest expects {expected}. The file was changed or "
            "damaged; restore it with `git checkout -- datasets/` or rebuild it with "
            "`python tools/build_datasets.py` and update its data card."
        )


def list_datasets() -> pd.DataFrame:
    """Tabulate the packaged data sets: name, rows, columns and a one-line description.

    Examples
    --------
    >>> list_datasets().loc["cdnow_sample", "rows"]
    np.int64(6919)
    """
    rows = [{"name": k, "rows": v["rows"], "columns": v["columns"], "description": v["description"]}
            for k, v in _manifest().items()]
    return pd.DataFrame(rows).set_index("name").sort_index()


def data_card(name: str) -> str:
    """Return the data card (Markdown) of data set ``name``."""
    meta = _check_name(name)
    return (data_dir() / meta["card"]).read_text(encoding="utf-8")


def load(name: str, *, verify: bool = True) -> pd.DataFrame:
    """Load a packaged data set as a typed data frame.

    Parameters
    ----------
    name : str
        One of the names in :func:`list_datasets` (e.g. ``"cdnow_master"``).
    verify : bool, default True
        Check the file's SHA-256 against the manifest first (cached per session).

    Returns
    -------
    DataFrame
        A new frame each call (safe to modify). Dates are ``datetime64``, text with few values is
        ``category``, yes/no flags are ``bool``.
        The CDNOW logs carry ``attrs["crm_lessons.repeat_rows"] = "legitimate"``: their exact duplicate
        rows are real repeat orders, so helpers do not warn about them.

    Raises
    ------
    CRMInputError
        ``name`` is not a packaged data set; the message lists the valid names.
    DatasetChecksumError
        The file differs from the one the data card describes.

    Examples
    --------
    >>> df = load("cdnow_sample")
    >>> len(df), df["customer_id"].nunique()
    (6919, 2357)
    >>> str(df["date"].dtype)
    'datetime64[us]'
    """
    if not isinstance(name, str):
        raise CRMInputError(f"load: name must be a string such as 'cdnow_master', got {name!r}.")
    meta = _check_name(name)
    path = data_dir() / meta["file"]
    if verify:
        _verified(path, meta["sha256"], path.stat().st_mtime)
    spec = _SPECS[name]
    df = pd.read_csv(path, dtype=spec.dtypes or None)
    for col in spec.dates:
        df[col] = pd.to_datetime(df[col])
    for col in spec.categories:
        df[col] = df[col].astype("category")
    for col, levels in spec.ordered.items():
        df[col] = pd.Categorical(df[col], categories=list(levels), ordered=True)
    if name in _REAL_REPEAT_ROWS:   # exact repeats are real orders: helpers need not warn about them
        from ._validate import LEGITIMATE_REPEATS

        df.attrs[LEGITIMATE_REPEATS[0]] = LEGITIMATE_REPEATS[1]
    return df


#: Logs whose exact duplicate rows are real events (CDNOW: the same customer ordering the same number of
#: CDs for the same amount twice on one day); see docs/data_you_can_pass.md.
_REAL_REPEAT_ROWS = frozenset({"cdnow_master", "cdnow_sample"})


# --------------------------------------------------------------------------------------------------
# Generators
# --------------------------------------------------------------------------------------------------

def make_transactions(
    n: int = 10_000,
    *,
    seed: int = 0,
    r: float = 0.243,
    alpha: float = 4.414,
    a: float = 0.793,
    b: float = 2.426,
    spend_p: float = 6.25,
    spend_q: float = 3.74,
    spend_gamma: float = 15.44,
    start: str = "1997-01-01",
    acquisition_weeks: float = 12.0,
    observation_weeks: float = 78.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate a cohort's purchase histories from the BG/NBD and Gamma-Gamma models.

    Generative process (time in weeks; defaults are the published CDNOW estimates of
    Fader, Hardie & Lee 2005 for the BG/NBD and of the gamma-gamma spend model of Colombo & Jiang 1999 as
    fitted to CDNOW by Fader, Hardie & Lee 2005b and Fader & Hardie 2013, so the synthetic cohort looks like CDNOW):

    1. Customer *i* makes a first purchase at a time uniform on ``[0, acquisition_weeks)``.
    2. While alive, purchases follow a Poisson process with rate ``lambda_i ~ Gamma(r, scale=1/alpha)``.
    3. After every repeat purchase the customer drops out for good with probability
       ``p_i ~ Beta(a, b)`` (as in BG/NBD, a customer who has made no repeat purchase is still alive).
    4. Each purchase's value is ``Gamma(spend_p, rate=nu_i)`` with ``nu_i ~ Gamma(spend_q, rate=spend_gamma)``,
       rounded to cents.
    5. Observation stops ``observation_weeks`` after ``start``. Timestamps are kept to the day, so two
       purchases can fall on the same date (summaries treat them as one transaction).

    Parameters
    ----------
    n : int, default 10_000
        Number of customers.
    seed : int, default 0
        Seed of the random generator; the same seed gives the same frames.
    r, alpha, a, b : float
        BG/NBD parameters (all > 0).
    spend_p, spend_q, spend_gamma : float
        Gamma-Gamma spend parameters (all > 0).
    start : str
        Calendar date of week 0.
    acquisition_weeks, observation_weeks : float
        Length of the acquisition window and of the whole observation period (> acquisition).

    Returns
    -------
    data : DataFrame
        One row per purchase: ``customer_id`` (int), ``date`` (datetime), ``amount`` (dollars),
        sorted by customer and date.
    truth : DataFrame
        One row per customer: ``customer_id``, ``first_week``, ``lambda`` (purchases per week),
        ``p_dropout``, ``nu`` (spend rate; mean spend is ``spend_p / nu``), ``n_purchases`` observed,
        ``alive_at_end`` (bool).

    Examples
    --------
    >>> data, truth = make_transactions(1_000, seed=1)
    >>> data["customer_id"].nunique() == 1_000
    True
    >>> bool((truth["n_purchases"] == data.groupby("customer_id").size().to_numpy()).all())
    True
    """
    where = "make_transactions"
    n = require_positive_int(n, "n", where=where)
    for nm, v in dict(r=r, alpha=alpha, a=a, b=b, spend_p=spend_p, spend_q=spend_q,
                      spend_gamma=spend_gamma).items():
        require_number(v, nm, where=where, low=0, low_inclusive=False)
    acquisition_weeks = require_number(acquisition_weeks, "acquisition_weeks", where=where, low=0,
                                       low_inclusive=False)
    observation_weeks = require_number(observation_weeks, "observation_weeks", where=where,
                                       low=acquisition_weeks, low_inclusive=False)
    rng = np.random.default_rng(seed)

    birth = rng.uniform(0.0, acquisition_weeks, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    nu = rng.gamma(spend_q, 1.0 / spend_gamma, n)
    horizon = observation_weeks - birth
    # Repeat purchases the customer would make before dropping out: dropout after repeat k w.p. p,
    # so K ~ Geometric(p) on {1, 2, ...}.
    k_alive = rng.geometric(p)
    # A Poisson process on [0, horizon] is M ~ Poisson(lam * horizon) points placed uniformly.
    m = rng.poisson(lam * horizon)
    n_repeat = np.minimum(k_alive, m)
    total = int(n_repeat.sum())
    owner = np.repeat(np.arange(n), m)
    u = rng.uniform(0.0, 1.0, int(m.sum())) * np.repeat(horizon, m)
    # Sort each customer's points, then keep the first n_repeat of them.
    order = np.lexsort((u, owner))
    u, owner = u[order], owner[order]
    starts = np.concatenate(([0], np.cumsum(m)[:-1]))
    rank = np.arange(len(u)) - np.repeat(starts, m)
    keep = rank < np.repeat(n_repeat, m)
    rep_owner, rep_t = owner[keep], u[keep] + birth[owner[keep]]
    assert len(rep_owner) == total

    cust = np.concatenate([np.arange(n), rep_owner])
    t = np.concatenate([birth, rep_t])
    amount = rng.gamma(spend_p, 1.0, len(cust)) / nu[cust]
    order = np.lexsort((t, cust))
    cust, t, amount = cust[order], t[order], amount[order]
    day0 = pd.Timestamp(start)
    dates = day0 + pd.to_timedelta(np.floor(t * 7.0).astype("int64"), unit="D")
    data = pd.DataFrame({"customer_id": cust + 1, "date": dates, "amount": np.round(amount, 2)})
    alive = k_alive > m  # survived every purchase made within the window
    truth = pd.DataFrame({
        "customer_id": np.arange(1, n + 1),
        "first_week": birth,
        "lambda": lam,
        "p_dropout": p,
        "nu": nu,
        "n_purchases": n_repeat + 1,
        "alive_at_end": alive,
    })
    return data, truth
