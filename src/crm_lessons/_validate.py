"""Input validation shared by every public helper.

Every helper checks its input at the edge through these functions so that all error messages read
alike: *where* (the helper), *what* was wrong (column, value), *what was expected* and *how to fix it*.
They raise :class:`CRMInputError`, a subclass of :class:`ValueError` (or :class:`TypeError` for a
wrong type), so ``except ValueError`` still catches them.

None of these functions modifies its argument.

The rules every helper follows (documented for users in ``docs/data_you_can_pass.md``):

Time zones
    Date *columns* must be time-zone-naive (local wall-clock time). A time-zone-aware column is
    **rejected** with a message that shows the one-line conversion
    (``df[c] = df[c].dt.tz_localize(None)`` keeps each row's wall time in its own zone). Rejecting, rather
    than converting silently, means no answer can depend on the machine's time zone: the pandas and
    DuckDB summary engines see the same naive days. Date *parameters* (``end="1997-09-30"``) given as a
    time-zone-aware Timestamp are read as their wall time.
Text numbers and text dates
    A text column where numbers or dates are expected is an error that says how to convert it
    (decimal commas such as ``"12,50"``; day-first dates such as ``"15/01/2024"``, which sort wrongly as text).
Duplicate rows
    In a *log* (one row per event) an exact copy of a row may be legitimate (two identical CDs bought on
    the same day) or an export error. Helpers that take a log accept ``duplicates=``: ``"warn"`` (the
    default: keep them and warn with :class:`CRMDuplicateRowsWarning`, giving the count), ``"keep"``
    (keep silently), ``"drop"`` (drop exact copies, keep the first) or ``"error"``. A frame whose
    ``attrs["crm_lessons.repeat_rows"] == "legitimate"`` (the packaged CDNOW logs) is not warned about.
    A frame documented as *one row per key* (a customer table, a customer-period stage table, an
    exhibitor-edition participation table) rejects duplicate keys with an error.
Keys across two frames
    Keys joined across two frames must have compatible types (numbers with numbers, text with text);
    keys in the first frame that the second lacks are reported with :class:`CRMUnmatchedKeysWarning`.
Degenerate data
    Too few rows, a single customer or class, a constant column: :class:`CRMInputError` naming the
    minimum that the method needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Real
from typing import Any
import re
import warnings

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
    "CRMDataWarning",
    "CRMDuplicateRowsWarning",
    "CRMUnmatchedKeysWarning",
    "DUPLICATE_CHOICES",
    "LEGITIMATE_REPEATS",
    "check_duplicate_rows",
    "require_unique_key",
    "check_join_keys",
    "require_min_rows",
    "require_min_groups",
    "require_varies",
    "require_naive_datetimes",
    "require_binary",
]


class CRMInputError(ValueError):
    """Raised when a helper gets data or a parameter it cannot use; the message says how to fix it."""


class CRMTypeError(TypeError):
    """Raised when an argument has the wrong type; the message names the expected type."""


class CRMDataWarning(UserWarning):
    """Base class of the warnings about data that a helper accepts but the user should know about."""


class CRMDuplicateRowsWarning(CRMDataWarning):
    """A log has exact duplicate rows; they were kept (pass ``duplicates="drop"`` or ``"keep"``)."""


class CRMUnmatchedKeysWarning(CRMDataWarning):
    """Keys of one frame are missing from the frame it is joined with; the message gives the count."""


#: Accepted values of the ``duplicates=`` option of the helpers that take a log.
DUPLICATE_CHOICES = ("warn", "keep", "drop", "error")

#: ``DataFrame.attrs`` key and value that mark a log whose exact repeats are known to be real events.
LEGITIMATE_REPEATS = ("crm_lessons.repeat_rows", "legitimate")


_PACKAGE_DIR = str(__import__("pathlib").Path(__file__).resolve().parent)


def _warn(message: str, category: type[Warning]) -> None:
    """Warn, attributing the warning to the first caller outside crm_lessons (the user's cell)."""
    import sys

    level, frame = 2, sys._getframe(1)
    while frame is not None and str(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        level += 1
        frame = frame.f_back
    warnings.warn(message, category, stacklevel=level)


def _plain(x: Any) -> Any:
    """A numpy scalar as the Python value it holds, so messages show 5.0 rather than np.float64(5.0)."""
    return x.item() if isinstance(x, np.generic) else x


def _fmt_list(items: Iterable[Any], limit: int = 8) -> str:
    items = list(items)
    shown = ", ".join(repr(_plain(x)) for x in items[:limit])
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
                f"{where}: column {c!r} must be numeric, but has dtype {s.dtype}"
                f"{_text_example(s)}. {_numeric_fix(s, c)}"
            )
    return data


def _text_example(s: pd.Series) -> str:
    if pd.api.types.is_string_dtype(s) or s.dtype == object:
        vals = s.dropna()
        if len(vals):
            return f" (text such as {vals.iloc[0]!r})"
    return ""


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d{1,3}(\.\d{3})*,\d+\s*$|^\s*[-+]?\d+,\d+\s*$")


def _numeric_fix(s: pd.Series, c: str) -> str:
    if pd.api.types.is_string_dtype(s) or s.dtype == object:
        vals = s.dropna().astype(str).head(50)
        if len(vals) and vals.str.match(_DECIMAL_COMMA).any():
            return (f"The text uses decimal commas: convert it with df[{c!r}] = pd.to_numeric("
                    f"df[{c!r}].str.replace('.', '', regex=False).str.replace(',', '.', regex=False)), "
                    "or read the file with pd.read_csv(..., decimal=',', thousands='.').")
        return f"Convert it, e.g. df[{c!r}] = pd.to_numeric(df[{c!r}]) (errors='coerce' turns bad text into NaN)."
    if pd.api.types.is_bool_dtype(s):
        return f"Convert it, e.g. df[{c!r}] = df[{c!r}].astype(int)."
    return f"Convert it, e.g. df[{c!r}] = pd.to_numeric(df[{c!r}])."


def require_datetime(data: pd.DataFrame, columns: Sequence[str], *, where: str) -> pd.DataFrame:
    """Check that ``columns`` hold datetimes."""
    require_columns(data, columns, where=where)
    require_naive_datetimes(data, columns, where=where)   # also catches mixed-zone Timestamps (dtype object)
    for c in columns:
        s = data[c]
        if not pd.api.types.is_datetime64_any_dtype(s):
            if pd.api.types.is_string_dtype(s) or s.dtype == object:
                fix = (f"Text dates sort as text ('15/01/2024' comes after '02/01/2025'); convert them with an "
                       f"explicit format, e.g. df[{c!r}] = pd.to_datetime(df[{c!r}], format='%d/%m/%Y') "
                       "(or format='%Y-%m-%d', dayfirst=True, ...).")
            else:
                fix = f"Convert it, e.g. df[{c!r}] = pd.to_datetime(df[{c!r}])."
            raise CRMInputError(
                f"{where}: column {c!r} must hold datetimes, but has dtype {s.dtype}{_text_example(s)}. {fix}"
            )
    return data


def require_naive_datetimes(data: pd.DataFrame, columns: Sequence[str] | None = None, *,
                            where: str) -> pd.DataFrame:
    """Reject time-zone-aware datetime columns (all datetime columns when ``columns`` is None).

    The package's one rule: dates are naive local wall-clock times, so no result depends on the
    machine's time zone. The message shows how to convert (keep each row's wall time with
    ``tz_localize(None)``, or express everything in one zone first with ``tz_convert``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"date": pd.to_datetime(["2024-01-01 23:30"]).tz_localize("Asia/Shanghai")})
    >>> require_naive_datetimes(d, where="demo")
    Traceback (most recent call last):
    ...
    crm_lessons._validate.CRMInputError: demo: column 'date' holds time-zone-aware datetimes ...
    """
    require_frame(data, where=where, allow_empty=True)
    cols = list(data.columns) if columns is None else list(columns)
    for c in cols:
        if c not in data.columns:
            continue
        s = data[c]
        tz = getattr(s.dtype, "tz", None)
        if tz is None and s.dtype == object and len(s):
            first = s.dropna()
            first = first.iloc[0] if len(first) else None
            tz = getattr(first, "tzinfo", None) if hasattr(first, "year") else None
        if tz is not None:
            raise CRMInputError(
                f"{where}: column {c!r} holds time-zone-aware datetimes ({tz}); crm_lessons works on "
                f"naive local dates so that no answer depends on the machine's time zone. Keep each "
                f"row's wall-clock time with df[{c!r}] = df[{c!r}].dt.tz_localize(None), or first move "
                f"all rows to one zone: df[{c!r}].dt.tz_convert('Asia/Shanghai').dt.tz_localize(None)"
                + (f" (the column mixes zones: parse it first with pd.to_datetime(df[{c!r}], utc=True))."
                   if s.dtype == object else ".")
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
                f"value {_plain(data.loc[first[0], c])!r}); expected values >= 0. Remove returns or refunds "
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
                         amount_col: str | None = None, duplicates: str | None = None) -> pd.DataFrame:
    """Check a purchase log: a non-empty frame whose customer and date columns have no gaps, dates
    that are naive datetimes and (when named) amounts that are numbers >= 0.

    With ``duplicates`` (see :func:`check_duplicate_rows`) exact duplicate rows are also reported or
    dropped; the function then returns the frame to use (a copy when rows were dropped). Otherwise it
    returns ``data`` unchanged.
    """
    require_frame(data, where=where)
    cols = [customer_col, date_col] + ([amount_col] if amount_col else [])
    require_columns(data, cols, where=where)
    require_no_missing(data, cols, where=where)
    require_datetime(data, [date_col], where=where)
    if amount_col:
        require_non_negative(data, [amount_col], where=where)
    if duplicates is not None:
        data = check_duplicate_rows(data, where=where, duplicates=duplicates)
    return data


def check_duplicate_rows(data: pd.DataFrame, *, where: str, duplicates: str = "warn",
                         subset: Sequence[str] | None = None, what: str = "log") -> pd.DataFrame:
    """Report exact duplicate rows of a log and return the frame to use.

    ``duplicates``: ``"warn"`` keeps them and warns (:class:`CRMDuplicateRowsWarning`, with the count),
    ``"keep"`` keeps them silently, ``"drop"`` returns a copy without them (first copy kept),
    ``"error"`` raises :class:`CRMInputError`. A frame marked with
    ``attrs["crm_lessons.repeat_rows"] = "legitimate"`` is not warned about. ``subset`` restricts the
    comparison to some columns. The caller's frame is never modified.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"customer_id": [1, 1, 2], "amount": [5.0, 5.0, 3.0]})
    >>> len(check_duplicate_rows(log, where="demo", duplicates="drop"))
    2
    """
    require_choice(duplicates, "duplicates", DUPLICATE_CHOICES, where=where)
    if duplicates == "keep" or len(data) < 2:
        return data
    cols = list(subset) if subset is not None else list(data.columns)
    if not _may_have_duplicates(data, cols):      # fast exact "no" for large numeric logs
        return data
    try:
        dup = data.duplicated(subset=cols, keep="first")
    except TypeError:            # unhashable cells (lists): compare their text form
        dup = data[cols].astype(str).duplicated(keep="first")
    n = int(dup.sum())
    if n == 0:
        return data
    first = data.index[dup.to_numpy()][:3].tolist()
    if duplicates == "drop":
        return data.loc[~dup.to_numpy()].copy()
    msg = (f"{where}: the {what} has {n} exact duplicate row(s) (first at index {_fmt_list(first)}); "
           "each copy counts as a separate event.")
    if duplicates == "error":
        raise CRMInputError(msg + " Drop them with df.drop_duplicates() (or pass duplicates='drop'), or "
                            "pass duplicates='keep' if they are real repeated events.")
    if data.attrs.get(LEGITIMATE_REPEATS[0]) == LEGITIMATE_REPEATS[1]:
        return data
    _warn(msg + " Pass duplicates='drop' to remove them, or duplicates='keep' if they are real "
          "repeated events (this silences the warning).", CRMDuplicateRowsWarning)
    return data


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a well-spread 64-bit hash of each uint64."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _as_uint64(s: pd.Series) -> np.ndarray | None:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy().astype(np.int64).view(np.uint64)
    if pd.api.types.is_bool_dtype(s) and not s.hasnans:
        return s.to_numpy(dtype=bool).astype(np.uint64)
    if pd.api.types.is_datetime64_any_dtype(s) and getattr(s.dtype, "tz", None) is None:
        return s.to_numpy().view(np.int64).view(np.uint64)
    if pd.api.types.is_integer_dtype(s) and not s.hasnans:
        return s.to_numpy(dtype=np.int64).view(np.uint64)
    if pd.api.types.is_float_dtype(s):
        v = s.to_numpy(dtype=np.float64) + 0.0            # -0.0 -> 0.0, as pandas compares them
        v = np.where(np.isnan(v), np.nan, v)              # one NaN bit pattern
        return v.view(np.uint64)
    return None


def _may_have_duplicates(data: pd.DataFrame, cols: list[str]) -> bool:
    """False only when no two rows can be equal on ``cols`` (equal rows have equal hashes); a cheap sort of
    64-bit row hashes instead of pandas' row-wise ``duplicated`` on logs of millions of rows."""
    if len(data) < 50_000:
        return True
    h = np.zeros(len(data), dtype=np.uint64)
    for c in cols:
        u = _as_uint64(data[c])
        if u is None:
            return True
        h = _mix64(h ^ _mix64(u))
    h.sort()
    return bool((h[1:] == h[:-1]).any())


def require_unique_key(data: pd.DataFrame, key: Sequence[str] | str, *, where: str,
                       what: str = "row") -> pd.DataFrame:
    """Check that ``key`` (one or more columns) identifies rows: a frame documented as one row per key.

    Examples
    --------
    >>> import pandas as pd
    >>> require_unique_key(pd.DataFrame({"customer_id": [1, 1]}), "customer_id", where="demo",
    ...                    what="customer")
    Traceback (most recent call last):
    ...
    crm_lessons._validate.CRMInputError: demo: expected one row per customer, but 1 value(s) of 'customer_id' ...
    """
    cols = [key] if isinstance(key, str) else list(key)
    require_columns(data, cols, where=where)
    dup = data.duplicated(subset=cols, keep=False)
    if bool(dup.any()):
        rows = data.loc[dup.to_numpy(), cols]
        n_keys = len(rows.drop_duplicates())
        example = [_plain(x) for x in rows.iloc[0].tolist()]
        example = example[0] if len(example) == 1 else tuple(example)
        names = " + ".join(repr(c) for c in cols)
        raise CRMInputError(
            f"{where}: expected one row per {what}, but {n_keys} value(s) of {names} occur more than once "
            f"({int(dup.sum())} rows, e.g. {example!r}). Drop exact copies with "
            f"df.drop_duplicates(subset={cols!r}) or aggregate them first, e.g. df.groupby({cols!r}).sum()."
        )
    return data


def _key_kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "boolean"
    if pd.api.types.is_numeric_dtype(s):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime"
    if isinstance(s.dtype, pd.CategoricalDtype):
        return _key_kind(pd.Series(s.cat.categories))
    vals = s.dropna()
    if len(vals) and all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                         for v in vals.head(100)):
        return "number"
    return "text"


def check_join_keys(left: pd.DataFrame, right: pd.DataFrame, key: str, *, where: str,
                    left_name: str = "left", right_name: str = "right", right_key: str | None = None,
                    report_unmatched: bool = True) -> int:
    """Check a key joined across two frames and return how many distinct left keys the right lacks.

    Both key columns must exist, have no missing values and compatible types (numbers with numbers,
    text with text; text ids against integer ids silently match nothing). Unmatched left keys are
    reported with :class:`CRMUnmatchedKeysWarning` (``report_unmatched=False`` only counts them).
    """
    rk = right_key or key
    require_columns(left, [key], where=f"{where} ({left_name})")
    require_columns(right, [rk], where=f"{where} ({right_name})")
    require_no_missing(left, [key], where=f"{where} ({left_name})")
    require_no_missing(right, [rk], where=f"{where} ({right_name})")
    if len(left) == 0 or len(right) == 0:
        return 0
    lk, rkind = _key_kind(left[key]), _key_kind(right[rk])
    if lk != rkind:
        raise CRMInputError(
            f"{where}: the key {key!r} holds {lk}s in {left_name} ({left[key].dtype}) but {rkind}s in "
            f"{right_name} ({right[rk].dtype}), so no row would match. Give both the same type, e.g. "
            f"{left_name if lk == 'text' else right_name}[{key!r}] = pd.to_numeric(...) or "
            f"{left_name if lk != 'text' else right_name}[{key!r}] = ....astype(str)."
        )
    lv = pd.Index(left[key].unique())
    unmatched = int((~lv.isin(right[rk].unique())).sum())
    if unmatched and report_unmatched:
        _warn(f"{where}: {unmatched} of {len(lv)} {key!r} value(s) in {left_name} are not in "
              f"{right_name}; their rows are left out of the join.", CRMUnmatchedKeysWarning)
    return unmatched


def require_min_rows(data: pd.DataFrame, minimum: int, *, where: str, what: str = "rows",
                     why: str = "") -> pd.DataFrame:
    """Check that ``data`` has at least ``minimum`` rows."""
    require_frame(data, where=where, allow_empty=True)
    if len(data) < minimum:
        raise CRMInputError(f"{where}: needs at least {minimum} {what}, got {len(data)}"
                            f"{'; ' + why if why else ''}.")
    return data


def require_min_groups(data: pd.DataFrame, column: str, minimum: int, *, where: str, what: str | None = None,
                       why: str = "") -> pd.DataFrame:
    """Check that ``column`` has at least ``minimum`` distinct values (customers, classes, brands, ...)."""
    require_columns(data, [column], where=where)
    n = int(data[column].nunique(dropna=True))
    if n < minimum:
        label = what or f"distinct values of {column!r}"
        raise CRMInputError(f"{where}: needs at least {minimum} {label} (column {column!r}), got {n}"
                            f"{'; ' + why if why else ''}.")
    return data


def require_varies(data: pd.DataFrame, columns: Sequence[str], *, where: str, why: str = "") -> pd.DataFrame:
    """Check that each of ``columns`` takes at least two distinct values (a constant column carries no
    information and makes a model's design matrix singular)."""
    require_columns(data, columns, where=where)
    for c in columns:
        if int(data[c].nunique(dropna=True)) < 2:
            vals = data[c].dropna()
            state = f"is constant ({_plain(vals.iloc[0])!r} in every row)" if len(vals) else "has no values (all missing)"
            raise CRMInputError(
                f"{where}: column {c!r} {state}; at least 2 distinct values are needed"
                f"{'; ' + why if why else ''}. Drop the column or use more data.")
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


def require_binary(data: pd.DataFrame, columns: Sequence[str], *, where: str) -> pd.DataFrame:
    """Check that ``columns`` hold 0/1 or True/False outcomes (no text, no missing values)."""
    require_columns(data, columns, where=where)
    require_no_missing(data, columns, where=where)
    for c in columns:
        s = data[c]
        if pd.api.types.is_bool_dtype(s):
            continue
        if not pd.api.types.is_numeric_dtype(s):
            raise CRMInputError(
                f"{where}: column {c!r} must hold 0/1 or True/False outcomes, but has dtype {s.dtype}"
                f"{_text_example(s)}. Convert it, e.g. df[{c!r}] = (df[{c!r}] == 'Yes').astype(int).")
        bad = ~s.isin([0, 1])
        if bool(bad.any()):
            raise CRMInputError(
                f"{where}: column {c!r} must hold 0/1 outcomes, found {_plain(s[bad].iloc[0])!r}. Recode it, e.g. "
                f"df[{c!r}] = (df[{c!r}] > 0).astype(int).")
    return data
