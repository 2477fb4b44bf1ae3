"""Small formatting helpers that turn model output into tables a student can read on a projector.

Statistical software prints tiny p-values as ``0.0`` after rounding, which reads as "impossible";
the convention in published tables is ``< 0.001``. These helpers do that formatting in one place so
every chapter writes p-values alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._validate import CRMInputError, require_number
from .display import format_p_value

__all__ = ["format_p", "with_p_values"]


def format_p(values: Any, *, digits: int = 3) -> pd.Series:
    """Format p-values as text: ``"< 0.001"`` below ``10**-digits``, else rounded to ``digits`` places.

    Parameters
    ----------
    values : Series, array or list of float
        p-values in [0, 1]; missing values stay missing.
    digits : int, default 3
        Decimal places; also sets the floor shown as ``"< 0.001"`` (for 3 digits).

    Returns
    -------
    Series of str
        Same index as ``values`` when it is a Series.

    Examples
    --------
    >>> format_p([0.0, 0.0004, 0.0312, 0.5]).tolist()
    ['< 0.001', '< 0.001', '0.031', '0.500']
    """
    where = "format_p"
    digits = int(require_number(digits, "digits", where=where, low=1, high=10))
    s = values.copy() if isinstance(values, pd.Series) else pd.Series(list(np.ravel(values)))
    num = pd.to_numeric(s, errors="coerce")
    bad = num.notna() & ((num < 0) | (num > 1))
    if bad.any() or (num.isna() & s.notna()).any():
        first = s[bad | (num.isna() & s.notna())].iloc[0]
        raise CRMInputError(f"{where}: p-values must be numbers between 0 and 1; got {first!r}. "
                            "Pass the p_value column of a fitted model's table.")
    out = [pd.NA if pd.isna(p) else format_p_value(float(p), digits) for p in num]
    return pd.Series(out, index=s.index, name=s.name, dtype="str" if not num.isna().any() else object)


def with_p_values(table: pd.DataFrame, *, column: str = "p_value", digits: int = 3) -> pd.DataFrame:
    """Round a model table to ``digits`` places and show its p-value column as text (see :func:`format_p`).

    Returns a new frame; the caller's frame is untouched.

    Examples
    --------
    >>> t = pd.DataFrame({"estimate": [0.12345, -2.0], "p_value": [0.2, 1e-9]}, index=["a", "b"])
    >>> with_p_values(t)["p_value"].tolist()
    ['0.200', '< 0.001']
    """
    where = "with_p_values"
    if not isinstance(table, pd.DataFrame):
        raise CRMInputError(f"{where}: expected a DataFrame, got {type(table).__name__}.")
    if column not in table.columns:
        raise CRMInputError(f"{where}: no column {column!r}; columns are {list(table.columns)}. "
                            "Name the p-value column with column=.")
    out = table.round(digits)
    out[column] = format_p(table[column], digits=digits)
    return out
