"""Input validation shared by every public helper.

Every helper checks its input at the edge through these functions so that all error messages read
alike: *where* (the helper), *what* was wrong (column, value), *what was expected* and *how to fix it*.
They raise :class:`CRMInputError`, a subclass of :class:`ValueError` (or :class:`TypeError` for a
wrong type), so ``except ValueError`` still catches them.

None of these functions modifies its argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CRMInputError",
    "CRMTypeError",
    "require_frame",
    "require_columns",
    "require_numeric",
    "require_datetime",
    "require_no_missing",
    "require_non_negative",
    "require_number",
    "require_probability",
    "require_choice",
    "require_positive_int",
    "require_transactions",
    "require_date",
]


class CRMInputError(ValueError):
    """Raised when a helper gets data or a parameter it cannot use; the message says how to fix it."""


class CRMTypeError(TypeError):
    """Raised when an argument has the wrong type; the message names the expected type."""


def _fmt_list(items: Iterable[Any], limit: int = 8) -> str:
    items = list(items)
    shown = ", ".join(repr(x) for x in items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")


def require_frame(data: Any, *, where: str, allow_empty: bool = False) -> pd.DataFrame:
    """Check that ``data`` is a non-empty :class:`pandas.DataFrame` and return it unchanged."""
    if not isinstance(data, pd.DataFrame):
        raise CRMTypeError(
            f"{where}: expected a pandas DataFrame, got {type(data).__name__}. "
            "Load data with crm_lessons.datasets.load(...) or build one with pd.DataFrame(...)."
        )
    if not allow_empty and len(data) == 0:
        raise CRMInputError(f"{where}: the data frame is empty (0 rows); at least one row is needed.")
    return data


def require_columns(data: pd.DataFrame, columns: Sequence[str], *, where: str) -> pd.DataFrame:
    """Check that every name in ``columns`` is a column of ``data``.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], where="demo")
    Traceback (most recent call last):
    ...
    crm_lessons._validate.CRMInputError: demo: missing column(s) 'b'; the frame has columns 'a'. ...
    """
    require_frame(data, where=where, allow_empty=True)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise CRMInputError(
            f"{where}: missing column(s) {_fmt_list(missing)}; the frame has columns "
            f"{_fmt_list(map(str, data.columns))}. Rename your columns or pass the column names "
            "as arguments."
        )
    return data


def require_numeric(data: pd.DataFrame, columns: Sequence[str], *, where: str) -> pd.DataFrame:
    """Check that ``columns`` hold numbers (not text or dates)."""
    require_columns(data, columns, where=where)
    for c in columns:
        s = data[c]
        if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
            raise CRMInputError(
                f"{where}: column {c!r} must be numeric, but has dtype {s.dtype}. "
                f"Convert it, e.g. df[{c!r}] = pd.to_numeric(df[{c!r}])."
            )
    return data


def require_datetime(data: pd.DataFrame, columns: Sequence[str], *, where: str) -> pd.DataFrame:
    """Check that ``columns`` hold datetimes."""
    require_columns(data, columns, where=where)
    for c in columns:
        if not pd.api.types.is_datetime64_any_dtype(data[c]):
            raise CRMInputError(
                f"{where}: column {c!r} must hold datetimes, but has dtype {data[c].dtype}. "
                f"Convert it, e.g. df[{c!r}] = pd.to_datetime(df[{c!r}])."
            )
    return data


def require_no_missing(data: pd.DataFrame, columns: Sequence[str], *, where: str) -> pd.DataFrame:
    """Check that ``columns`` have no missing values (NaN, NaT, None)."""
    require_columns(data, columns, where=where)
    for c in columns:
        n = int(data[c].isna().sum())
        if n:
            first = data.index[data[c].isna()][:3].tolist()
            raise CRMInputError(
                f"{where}: column {c!r} has {n} missing value(s) (first at index {_fmt_list(first)}); "
                f"drop or fill them first, e.g. df.dropna(subset=[{c!r}])."
            )
    return data


def require_non_negative(data: pd.DataFrame, columns: Sequence[str], *, where: str) -> pd.DataFrame:
    """Check that numeric ``columns`` have no negative values."""
    require_numeric(data, columns, where=where)
    for c in columns:
        neg = data[c] < 0
        n = int(neg.sum())
        if n:
            first = data.index[neg.to_numpy()][:3].tolist()
            raise CRMInputError(
                f"{where}: column {c!r} has {n} negative value(s) (first at index {_fmt_list(first)}, "
                f"value {data.loc[first[0], c]!r}); expected values >= 0. Remove returns or refunds "
                "first, or net them against the original purchase."
            )
    return data


def require_number(
    value: Any,
    name: str,
    *,
    where: str,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Check that ``value`` is a finite real number within ``[low, high]`` and return it as float."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.number)):
        raise CRMTypeError(f"{where}: {name} must be a number, got {value!r} ({type(value).__name__}).")
    v = float(value)
    if not np.isfinite(v):
        raise CRMInputError(f"{where}: {name} must be a finite number, got {value!r}.")
    lo_ok = low is None or (v >= low if low_inclusive else v > low)
    hi_ok = high is None or (v <= high if high_inclusive else v < high)
    if not (lo_ok and hi_ok):
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        lb = "[" if low_inclusive and low is not None else "("
        rb = "]" if high_inclusive and high is not None else ")"
        raise CRMInputError(f"{where}: {name} must lie in {lb}{lo}, {hi}{rb}, got {value!r}.")
    return v


def require_probability(value: Any, name: str, *, where: str, allow_zero: bool = True,
                        allow_one: bool = True) -> float:
    """Check that ``value`` is a probability or share (between 0 and 1)."""
    return require_number(value, name, where=where, low=0.0, high=1.0,
                          low_inclusive=allow_zero, high_inclusive=allow_one)


def require_positive_int(value: Any, name: str, *, where: str, minimum: int = 1) -> int:
    """Check that ``value`` is a whole number >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise CRMTypeError(f"{where}: {name} must be a whole number, got {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise CRMInputError(f"{where}: {name} must be at least {minimum}, got {value!r}.")
    return int(value)


def require_choice(value: Any, name: str, choices: Iterable[Any], *, where: str) -> Any:
    """Check that ``value`` is one of ``choices``."""
    choices = list(choices)
    if value not in choices:
        raise CRMInputError(f"{where}: {name} must be one of {_fmt_list(choices, 20)}, got {value!r}.")
    return value


def require_transactions(data: Any, *, where: str, customer_col: str = "customer_id", date_col: str = "date",
                         amount_col: str | None = None) -> pd.DataFrame:
    """Check a purchase log: a non-empty frame whose customer and date columns have no gaps, dates
    that are datetimes and (when named) amounts that are numbers >= 0. Returns ``data`` unchanged.
    """
    require_frame(data, where=where)
    cols = [customer_col, date_col] + ([amount_col] if amount_col else [])
    require_columns(data, cols, where=where)
    require_no_missing(data, cols, where=where)
    require_datetime(data, [date_col], where=where)
    if amount_col:
        require_non_negative(data, [amount_col], where=where)
    return data


def require_date(value: Any, name: str, *, where: str) -> pd.Timestamp:
    """Parse a date parameter (``"1997-09-30"``, a ``datetime`` or ``Timestamp``) with a clear error;
    returns a time-zone-naive :class:`pandas.Timestamp`."""
    if value is None or isinstance(value, bool) or not isinstance(
            value, (str, pd.Timestamp, np.datetime64)) and not hasattr(value, "year"):
        raise CRMTypeError(f"{where}: {name} must be a date such as '1997-09-30', got {value!r} "
                           f"({type(value).__name__}).")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as err:
        raise CRMInputError(f"{where}: {name} must be a date such as '1997-09-30', got {value!r} ({err}).") from None
    if ts is pd.NaT or pd.isna(ts):
        raise CRMInputError(f"{where}: {name} must be a date such as '1997-09-30', got {value!r}.")
    return ts.tz_localize(None) if ts.tzinfo is not None else ts
