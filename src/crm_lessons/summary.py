"""Transactions to customer summaries: frequency, recency, age T and mean repeat spend.

"Buy till you die" models (:mod:`crm_lessons.clv`) need only a few numbers per customer, the
*sufficient statistics* of the purchase history:

``frequency``
    Number of **repeat** transactions: days with a purchase after the first purchase day. Several
    purchases on the same day count as one transaction (their amounts are added).
``recency``
    Time from the first to the last purchase (0 for a customer with no repeat purchase).
``T``
    Age of the customer: time from the first purchase to the end of the observation period.
``monetary_value``
    Mean spend per repeat transaction (first-day spend excluded; 0 without repeat purchases).

Times are whole days divided by the length of the time unit (``"day"`` = 1, ``"week"`` = 7,
``"month"`` = 365.25/12 days), so ``recency`` and ``T`` can be fractional. These are the conventions of
the ``lifetimes`` package's ``summary_data_from_transaction_data(..., freq="D", freq_multiplier=7)``
and of Fader, Hardie & Lee (2005), whose CDNOW sample gives a customer who first bought on
1997-01-01 the age T = 272/7 = 38.86 weeks at the calibration end 1997-09-30.

Two engines give identical numbers: ``"pandas"`` (numpy sorting, fast in memory) and ``"duckdb"``
(also accepts the path of a Parquet or CSV file or a glob: a file whose rows fit in ``memory_limit`` is read
by DuckDB and finished by the numpy core, a larger one is summarised by DuckDB's SQL out of core).
``output="summary.parquet"`` writes the summary to a file instead (never over an existing one without
``force=True``). Sizes, memory and measured times: docs/large_logs.md.

Bad input (the package-wide rules of :mod:`crm_lessons._validate`): dates must be time-zone-naive; a
time-zone-aware date column (in a frame, or a ``TIMESTAMP WITH TIME ZONE`` column in a file) is an error
that shows the conversion, so both engines see the same calendar days on any machine (DuckDB runs with
its session time zone set to UTC). Exact duplicate rows are reported when spend is summarised
(``duplicates="warn"``; ``"drop"``, ``"keep"``, ``"error"``): they add their amount twice. Without
``amount_col`` they cannot change the answer (same-day purchases are one transaction).
"""

from __future__ import annotations

import contextvars
import functools
import glob
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._validate import (
    DUPLICATE_CHOICES,
    CRMInputError,
    CRMTypeError,
    check_duplicate_rows,
    require_choice,
    require_number,
    require_date,
    require_transactions,
)

__all__ = ["TIME_UNITS", "customer_summary", "calibration_holdout_summary", "to_timestamp"]

#: Length of each time unit in days.
TIME_UNITS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12.0}

_ENGINES = ("pandas", "duckdb")


def to_timestamp(value: Any, name: str, *, where: str) -> pd.Timestamp:
    """Parse a date parameter (``"1997-09-30"``, a datetime or Timestamp) with a clear error."""
    return require_date(value, name, where=where)


def _check_options(time_unit: str, engine: str, where: str) -> float:
    require_choice(time_unit, "time_unit", list(TIME_UNITS), where=where)
    require_choice(engine, "engine", list(_ENGINES), where=where)
    return TIME_UNITS[time_unit]


def _check_frame(transactions: pd.DataFrame, customer_col: str, date_col: str, amount_col: str | None,
                 where: str, duplicates: str = "warn") -> pd.DataFrame:
    require_choice(duplicates, "duplicates", DUPLICATE_CHOICES, where=where)
    require_transactions(transactions, where=where, customer_col=customer_col, date_col=date_col,
                         amount_col=amount_col)
    if amount_col:   # exact copies add their spend twice; without amounts same-day rows count once anyway
        transactions = check_duplicate_rows(transactions, where=where, duplicates=duplicates,
                                            subset=[customer_col, date_col, amount_col])
    return transactions


#: DuckDB settings of the current call (memory_limit, temp_directory), set by the public functions.
_DUCKDB_OPTIONS: contextvars.ContextVar[dict] = contextvars.ContextVar("crm_lessons_duckdb_options", default={})
_MEMORY = re.compile(r"\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", re.IGNORECASE)


def _with_duckdb_options(fn):
    """Make ``memory_limit`` / ``temp_directory`` keyword arguments reach every DuckDB connection of the call."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        where = fn.__name__
        limit, tmp = kwargs.get("memory_limit"), kwargs.get("temp_directory")
        if limit is not None and not (isinstance(limit, str) and _MEMORY.fullmatch(limit)):
            raise CRMInputError(f"{where}: memory_limit={limit!r} is not a size; write it like '2GB' or '500MB'.")
        token = _DUCKDB_OPTIONS.set({"memory_limit": limit, "temp_directory": tmp})
        try:
            return fn(*args, **kwargs)
        finally:
            _DUCKDB_OPTIONS.reset(token)
    return wrapper


def _sql_str(text: str) -> str:
    """A SQL string literal: single quotes doubled, so any file name (``it's.parquet``) is safe."""
    return "'" + str(text).replace("'", "''") + "'"


def _connect():
    """A DuckDB connection whose session time zone is UTC, so no result depends on the machine's zone,
    under the call's memory ceiling (``memory_limit``; larger aggregations spill to ``temp_directory``)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    opts = _DUCKDB_OPTIONS.get()
    if opts.get("memory_limit"):
        con.execute(f"SET memory_limit = {_sql_str(opts['memory_limit'].strip())}")
    if opts.get("temp_directory"):
        con.execute(f"SET temp_directory = {_sql_str(Path(opts['temp_directory']).as_posix())}")
    return con


def _reject_tz_file(con, src: str, date_col: str, where: str) -> None:
    kinds = con.execute(f"DESCRIBE SELECT {_q(date_col)} FROM {src}").fetchall()
    if kinds and "TIME ZONE" in str(kinds[0][1]).upper():
        raise CRMInputError(
            f"{where}: column {date_col!r} of the file holds time-zone-aware timestamps ({kinds[0][1]}); "
            "crm_lessons works on naive local dates so that no answer depends on the machine's time zone. "
            f"Write the file with naive dates (pandas: df[{date_col!r}] = df[{date_col!r}].dt.tz_localize(None)).")


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Whole days since 1970-01-01 (the calendar day of each timestamp), as int64."""
    s = dates
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    return s.to_numpy().astype("datetime64[D]").astype(np.int64)


def _day(ts: pd.Timestamp) -> int:
    return int(np.datetime64(ts.to_datetime64(), "D").astype(np.int64))


def _empty(index_name: str, amount: bool) -> pd.DataFrame:
    cols = ["frequency", "recency", "T"] + (["monetary_value"] if amount else [])
    out = pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    out.index.name = index_name
    return out


def _stable_sort(key: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """``key`` sorted and the stable order that sorts it (None when already sorted).

    Same result as ``np.argsort(key, kind="stable")``, about 10x faster on a time-ordered log of
    millions of rows: when ``key`` shifted left by the bits of the row number, plus the row number, fits
    in int64, a plain (SIMD) value sort of that number carries the row position along, so equal keys keep
    their row order without a stable argsort.
    """
    if len(key) < 2 or bool(np.all(key[1:] >= key[:-1])):
        return key, None
    n = len(key)
    bits = (n - 1).bit_length()
    if int(key.min()) >= 0 and int(key.max()) < (1 << (62 - bits)):
        packed = key << bits
        packed |= np.arange(n, dtype=np.int64)
        packed.sort()
        order = packed & ((1 << bits) - 1)
        packed >>= bits
        return packed, order
    order = np.argsort(key, kind="stable")
    return key[order], order


def _dense_rank(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Order-preserving dense codes 0..k-1 of integer ``values`` (int64, >= 0) and k, by one value sort."""
    n = len(values)
    bits = max(1, (n - 1).bit_length())
    if int(values.max()) < (1 << (62 - bits)):    # the row number rides along in the low bits
        packed = values << bits
        packed |= np.arange(n, dtype=np.int64)
        packed.sort()
        rows = packed & ((1 << bits) - 1)
        packed >>= bits
        starts = np.empty(n, dtype=bool)
        starts[0] = True
        np.not_equal(packed[1:], packed[:-1], out=starts[1:])
        dense = np.cumsum(starts, dtype=np.int64)
        dense -= 1
        codes = np.empty(n, dtype=np.int64)
        codes[rows] = dense
        return codes, int(dense[-1]) + 1
    uniq, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64, copy=False).reshape(-1), len(uniq)


def _int_codes(ids: np.ndarray, spare_bits: int) -> tuple[np.ndarray, int]:
    """Order-preserving non-negative int64 codes of integer ids and their bound (max code + 1).

    Ids in a compact range are used as they are (minus the smallest: no hashing, no sort); ids spread
    over a wide range are ranked by one value sort (``pd.factorize(sort=True)`` hashes and is ~10x slower).
    """
    lo, hi = ids.min(), ids.max()
    width = int(hi) - int(lo)
    if ids.dtype.kind == "u":
        codes = (ids - lo).view(np.int64) if width < 2**63 else None
    else:
        codes = ids.astype(np.int64, copy=False) - np.int64(lo) if width < 2**63 else None
    if codes is None:                            # uint64 ids spanning more than 2^63: rare, hash them
        c, u = pd.factorize(ids, sort=True)
        return c.astype(np.int64), len(u)
    if width.bit_length() <= spare_bits:
        return codes, width + 1
    return _dense_rank(codes)


def _string_codes(ids: np.ndarray, spare_bits: int) -> tuple[np.ndarray, int] | None:
    """Order-preserving int64 codes of text ids (Python ``str`` order), or None when the fast way does not apply.

    Hashing millions of Python strings (``pd.factorize``) costs seconds. Instead the ids become a fixed-width
    numpy array of code points; when the characters that vary at each position span few values (codes such as
    ``"C000123"``, ``"cust-0042"``, digits in text), each id is read as a number in a mixed radix, which
    keeps the text order; otherwise a 64-bit hash of each id is ranked and checked exactly for collisions.
    """
    if "\x00" in "".join(ids):                   # numpy's fixed-width text drops trailing NULs
        return None
    u = ids.astype("U")
    width = u.dtype.itemsize // 4
    if width == 0:
        return np.zeros(len(u), dtype=np.int64), 1
    m = u.view(np.uint32).reshape(len(u), width)
    lo, hi = m.min(axis=0).astype(np.int64), m.max(axis=0).astype(np.int64)
    radix = hi - lo + 1
    total_bits = float(np.log2(radix.astype(np.float64)).sum())
    if total_bits < 62:                          # exact: the mixed-radix number of each id
        key = np.zeros(len(u), dtype=np.int64)
        for j in np.flatnonzero(radix > 1):
            key *= int(radix[j])
            key += m[:, j]
            key -= int(lo[j])
        return _int_codes(key, spare_bits)
    from ._validate import _mix64

    h = np.zeros(len(u), dtype=np.uint64)
    for j in range(width):
        h = _mix64(h ^ _mix64(m[:, j].astype(np.uint64)))
    uniq, inv = np.unique(h, return_inverse=True)
    inv = inv.reshape(-1)
    first = np.full(len(uniq), len(u), dtype=np.int64)
    np.minimum.at(first, inv, np.arange(len(u), dtype=np.int64))
    if not bool((u == u[first[inv]]).all()):     # a hash collision between different ids: hash them properly
        return None
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[np.argsort(u[first], kind="stable")] = np.arange(len(uniq), dtype=np.int64)
    return rank[inv], len(uniq)


def _customer_codes(ids: np.ndarray, spare_bits: int) -> tuple[np.ndarray, int]:
    """Non-negative int64 codes that sort like the ids, and their bound; ``spare_bits`` is the room left
    in an int64 sort key for the customer part (codes up to that width are used without ranking)."""
    if ids.dtype.kind in "iu":
        return _int_codes(ids, spare_bits)
    if ids.dtype.kind == "b":
        return ids.astype(np.int64), 2
    if ids.dtype.kind == "O" and len(ids) and pd.api.types.infer_dtype(ids, skipna=False) == "string":
        got = _string_codes(ids, spare_bits)
        if got is not None:
            return got
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.int64), len(uniques)


def _summary_numpy(ids: np.ndarray, days: np.ndarray, amount: np.ndarray | None, end_day: int,
                   unit_days: float, index_name: str, same_day_rows: list | None = None) -> pd.DataFrame:
    """Core of the pandas engine: sort by (customer, day), collapse same-day purchases, reduce.

    One int64 value sort does all the ordering: customer code, day and row number are packed into one
    number (``code << (day_bits + row_bits) | day << row_bits | row``), so equal (customer, day) pairs keep
    their row order (amounts are added in the order of the log) without a stable argsort or a hash table.
    With ``same_day_rows`` (a list), the row numbers of purchases that share their customer and day with
    another purchase are appended to it (the only rows that can be exact duplicates), unsorted.
    """
    if len(days) and days.max() > end_day:    # drop purchases after the end (copies only when needed)
        keep = np.flatnonzero(days <= end_day) if same_day_rows is not None else days <= end_day
        ids, days = ids[keep], days[keep]
        amount = amount[keep] if amount is not None else None
        row_of = keep if same_day_rows is not None else None
    else:
        row_of = None
    amount = amount.astype(np.float64, copy=False) if amount is not None else None
    n = len(ids)
    if n == 0:
        return _empty(index_name, amount is not None)
    dmin = int(days.min())
    sbits = max(1, (int(days.max()) - dmin).bit_length())
    rbits = max(1, (n - 1).bit_length())
    codes, bound = _customer_codes(ids, 62 - sbits - rbits)
    cbits = max(1, (bound - 1).bit_length())
    if cbits + sbits + rbits <= 62:           # one value sort carries customer, day and row
        key = codes                           # a fresh array: shifted in place
        key <<= sbits + rbits
        del codes
        day_part = days.astype(np.int64)
        day_part -= dmin
        day_part <<= rbits
        key |= day_part
        del day_part
        key |= np.arange(n, dtype=np.int64)
        if bool(np.all(key[1:] >= key[:-1])):
            order = None
        else:
            key.sort()
            order = key & ((1 << rbits) - 1)
        key >>= rbits                        # (customer, day) of each row, sorted
    else:                                     # too many bits for one number: a stable argsort
        key = codes << sbits
        key += days.astype(np.int64) - dmin
        key, order = _stable_sort(key)
    new_day = np.empty(n, dtype=bool)
    new_day[0] = True
    np.not_equal(key[1:], key[:-1], out=new_day[1:])
    day_start = np.flatnonzero(new_day)
    if same_day_rows is not None and len(day_start) < n:
        pos = np.flatnonzero(~new_day)        # rows sharing customer and day with the row before them
        pos = np.union1d(pos, pos - 1)
        rows = order[pos] if order is not None else pos
        same_day_rows.append(row_of[rows] if row_of is not None else rows)
    ukey = key[day_start]
    del key, new_day
    cust = ukey >> sbits                      # customer code of each purchase day
    uday = ukey & ((1 << sbits) - 1)          # day (minus dmin) of each purchase day
    del ukey
    new_cust = np.empty(len(cust), dtype=bool)
    new_cust[0] = True
    np.not_equal(cust[1:], cust[:-1], out=new_cust[1:])
    c_start = np.flatnonzero(new_cust)
    del cust, new_cust
    c_end = np.empty_like(c_start)
    c_end[:-1] = c_start[1:]
    c_end[-1] = len(uday)
    c_end -= 1
    n_days = c_end - c_start + 1
    first = uday[c_start]
    last = uday[c_end]
    cols = ["frequency", "recency", "T"] + (["monetary_value"] if amount is not None else [])
    out = np.empty((len(c_start), len(cols)), dtype=np.float64)   # one block, no copy into pandas
    np.subtract(n_days, 1, out=out[:, 0], casting="unsafe")
    np.subtract(last, first, out=last)
    np.divide(last, unit_days, out=out[:, 1])
    np.subtract(end_day - dmin, first, out=first)
    np.divide(first, unit_days, out=out[:, 2])
    del first, last, uday
    if amount is not None:
        day_spend = np.add.reduceat(amount[order] if order is not None else amount, day_start)
        day_spend[c_start] = 0.0              # the first purchase day is not a repeat transaction
        tot = np.add.reduceat(day_spend, c_start)
        rep = n_days - 1
        out[:, 3] = np.divide(tot, rep, out=np.zeros_like(tot), where=rep > 0)
    first_row = day_start[c_start]            # each customer's first row (in sorted order)
    if order is not None:
        first_row = order[first_row]
    labels = ids[first_row]
    return pd.DataFrame(out, index=pd.Index(labels, name=index_name), columns=cols, copy=False)


def _duckdb_source(con, transactions, customer_col, date_col, amount_col):
    """Register the input with DuckDB and return the SQL relation name to select from."""
    if isinstance(transactions, (str, Path)):
        path = str(transactions)            # a file or a glob; quoted as a SQL literal, never pasted raw
        reader = "read_parquet" if path.lower().endswith(".parquet") else "read_csv_auto"
        src = f"{reader}({_sql_str(path)})"
        _reject_tz_file(con, src, date_col, "customer_summary (engine='duckdb')")
        return src
    cols = [customer_col, date_col] + ([amount_col] if amount_col else [])
    con.register("tx_input", transactions[cols])
    return "tx_input"


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


#: Bytes per row the in-memory finish of a file needs at its peak (the fetched columns and the sort;
#: measured about 80 with integer ids and 160 with text ids, interpreter included, at 10M rows).
#: A file whose rows fit in DuckDB's memory ceiling at this rate is read by DuckDB (only the needed
#: columns, dates turned into day numbers in parallel) and summarised by the numpy core; a larger one is
#: summarised by DuckDB's SQL, out of core (docs/large_logs.md).
_IN_MEMORY_BYTES_PER_ROW = 100
_IN_MEMORY_BYTES_PER_TEXT_ROW = 160
_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "KIB": 2**10, "MIB": 2**20,
          "GIB": 2**30, "TIB": 2**40, "BYTES": 1}
#: DuckDB keeps at least this much for sorting the result while it is copied into numpy.
_SORT_FLOOR = 256 * 2**20
#: Room left outside DuckDB's ceiling while it aggregates: at 100M rows with two threads its process went
#: up to 650 MiB over ``memory_limit`` (interpreter included) when given all of it.
_AGGREGATE_ROOM = 256 * 2**20
#: Room left outside DuckDB's ceiling for the Parquet writer while a summary is written to a file.
_WRITER_ROOM = 512 * 2**20


def _bytes(setting: str) -> int:
    """DuckDB's memory setting ("1.8 GiB", "2GB") in bytes."""
    m = re.fullmatch(r"\s*([\d.]+)\s*([A-Za-z]+)\s*", str(setting))
    if not m or m.group(2).upper() not in _UNITS:
        return 0
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def _file_rows(con, src: str, path: str) -> int:
    """Rows of a Parquet file or glob (from the footers, no scan); for CSV an upper bound from the sizes."""
    if path.lower().endswith(".parquet"):
        return int(con.execute(f"SELECT COUNT(*) FROM {src}").fetchone()[0])
    files = glob.glob(path) or [path]
    return sum(Path(f).stat().st_size for f in files if Path(f).is_file()) // 16   # >= 16 bytes a CSV row


def _day_sql(date_col: str) -> str:
    return f"CAST(CAST({_q(date_col)} AS DATE) - DATE '1970-01-01' AS BIGINT)"


def _file_in_memory(con, src, customer_col, date_col, amount_col, end_day, index_name, unit_days,
                    start_day=None):
    """DuckDB reads the needed columns (days already whole numbers), the numpy core summarises them; None
    when a value is missing (then the SQL path decides, as for larger files)."""
    lo = f"AND {_day_sql(date_col)} > {int(start_day)}" if start_day is not None else ""
    amt = f", CAST({_q(amount_col)} AS DOUBLE) AS amount" if amount_col else ""
    res = con.execute(f"SELECT {_q(customer_col)} AS cid, {_day_sql(date_col)} AS day{amt} FROM {src} "
                      f"WHERE {_day_sql(date_col)} <= {int(end_day)} {lo}").fetchnumpy()
    if any(isinstance(v, np.ma.MaskedArray) and np.ma.is_masked(v) for v in res.values()):
        return None
    cols = {k: np.asarray(v) for k, v in res.items()}
    del res
    return _summary_numpy(cols["cid"], cols["day"], cols.get("amount"), end_day, unit_days, index_name)


def _summary_sql(customer_col, date_col, amount_col, end_day, unit_days, start_day, src, order=True):
    c = _q(customer_col)
    amt = f"SUM(CAST({_q(amount_col)} AS DOUBLE))" if amount_col else "0.0"
    lo = f"AND day > {int(start_day)}" if start_day is not None else ""
    mv = (",\n               COALESCE(SUM(spend) FILTER (WHERE day > first_day) / NULLIF(COUNT(*) - 1, 0), 0.0)"
          " AS monetary_value") if amount_col else ""
    return f"""
        WITH days AS (
            SELECT {c} AS cid, {_day_sql(date_col)} AS day, {amt} AS spend
            FROM {src}
            GROUP BY 1, 2
        ), kept AS (
            SELECT * FROM days WHERE day <= {int(end_day)} {lo}
        ), firsts AS (   -- a grouped minimum joined back: about 3x less CPU than a window over customers
            SELECT cid, MIN(day) AS first_day FROM kept GROUP BY cid
        )
        SELECT k.cid AS {c},
               CAST(COUNT(*) - 1 AS DOUBLE) AS frequency,
               (MAX(day) - MIN(day)) / {unit_days!r} AS recency,
               ({int(end_day)} - MIN(day)) / {unit_days!r} AS "T"{mv}
        FROM kept k JOIN firsts f ON k.cid = f.cid GROUP BY k.cid {"ORDER BY k.cid" if order else ""}
        """


def _fetch_sorted(con, table: str, key: str, index_name: str, budget: int) -> pd.DataFrame:
    """The summary table, sorted by customer, copied chunk by chunk into numpy arrays allocated once.

    ``.df()`` on the whole result would hold it twice (DuckDB's result and pandas' copy) on top of DuckDB's
    buffers; here DuckDB's ceiling is first lowered by the size of the arrays, so the process stays near
    ``memory_limit`` (plus the interpreter) as long as the summary itself fits in it.
    """
    n = int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    names = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    values = [c for c in names if c != key]
    if budget:   # the arrays below, plus room for what the sort keeps outside DuckDB's buffers
        need = n * 8 * (len(values) + 1) + _SORT_FLOOR
        con.execute(f"SET memory_limit = '{max(budget - need, _SORT_FLOOR) // 2**20}MiB'")
    res = con.execute(f"SELECT * FROM {table} ORDER BY {_q(key)}")
    out = np.empty((n, len(values)), dtype=np.float64)
    labels = None
    i = 0
    while True:
        chunk = res.fetch_df_chunk(64)
        k = len(chunk)
        if k == 0:
            break
        ids = chunk[key].to_numpy()
        if labels is None:
            labels = np.empty(n, dtype=ids.dtype)
        labels[i:i + k] = ids
        out[i:i + k] = chunk[values].to_numpy(dtype=np.float64)
        i += k
    if labels is None:
        labels = np.empty(0, dtype=np.int64)
    return pd.DataFrame(out[:i], index=pd.Index(labels[:i], name=index_name), columns=values, copy=False)


def _summary_duckdb(transactions, customer_col, date_col, amount_col, end_day, unit_days, index_name,
                    start_day=None, output=None):
    """The DuckDB engine. Files that fit in the memory ceiling are finished in memory (see
    ``_IN_MEMORY_BYTES_PER_ROW``); otherwise, and for frames, the SQL runs in DuckDB, out of core. With
    ``output`` (a temporary Parquet path) the summary is written there instead of returned."""
    con = _connect()
    try:
        src = _duckdb_source(con, transactions, customer_col, date_col, amount_col)
        budget = _bytes(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        if isinstance(transactions, (str, Path)):
            rows = _file_rows(con, src, str(transactions))
            kind = str(con.execute(f"DESCRIBE SELECT {_q(customer_col)} FROM {src}").fetchall()[0][1]).upper()
            text = "CHAR" in kind or "STRING" in kind       # text ids become Python strings: more room
            if rows * (_IN_MEMORY_BYTES_PER_TEXT_ROW if text else _IN_MEMORY_BYTES_PER_ROW) <= budget:
                out = _file_in_memory(con, src, customer_col, date_col, amount_col, end_day, index_name,
                                      unit_days, start_day)
                if out is not None:
                    if output is not None:
                        _copy_frame(con, out, output)
                        return None
                    return out
        # Aggregate first (spilling as needed), sort second: one query doing both kept more memory outside
        # DuckDB's ceiling (2.5 GB peak for 100M rows under a 2 GB limit, against 2.2 GB in two steps).
        sql = _summary_sql(customer_col, date_col, amount_col, end_day, unit_days, start_day, src, order=False)
        if budget:   # DuckDB allocates some memory outside its buffer manager (hash-table states per thread)
            con.execute(f"SET memory_limit = '{max(budget - _AGGREGATE_ROOM, _SORT_FLOOR) // 2**20}MiB'")
        con.execute(f"CREATE TEMP TABLE crm_summary AS {sql}")
        if output is not None:
            if budget:   # the Parquet writer's buffers are not DuckDB-managed: leave them room
                con.execute(f"SET memory_limit = '{max(budget - _WRITER_ROOM, _SORT_FLOOR) // 2**20}MiB'")
            con.execute(f"COPY (SELECT * FROM crm_summary ORDER BY {_q(customer_col)}) "
                        f"TO {_sql_str(Path(output).as_posix())} (FORMAT parquet)")
            return None
        return _fetch_sorted(con, "crm_summary", customer_col, index_name, budget)
    finally:
        con.close()


def _copy_frame(con, frame: pd.DataFrame, output) -> None:
    con.register("crm_summary_frame", frame.reset_index())
    con.execute(f"COPY crm_summary_frame TO {_sql_str(Path(output).as_posix())} (FORMAT parquet)")
    con.unregister("crm_summary_frame")


def _resolve_end(transactions, date_col, observation_end, where, engine):
    if observation_end is not None:
        return _day(to_timestamp(observation_end, "observation_end", where=where))
    if isinstance(transactions, pd.DataFrame):
        return int(_day_numbers(transactions[date_col]).max())
    con = _connect()
    try:
        src = _duckdb_source(con, transactions, None, date_col, None)
        return int(con.execute(
            f"SELECT date_diff('day', DATE '1970-01-01', CAST(MAX({_q(date_col)}) AS DATE)) FROM {src}"
        ).fetchone()[0])
    finally:
        con.close()


def _check_input(transactions, customer_col, date_col, amount_col, engine, where, duplicates="warn"):
    """Check the input; return the log to summarise (a copy without duplicates with duplicates="drop")."""
    if isinstance(transactions, (str, Path)):
        if engine != "duckdb":
            raise CRMInputError(f"{where}: a file path needs engine='duckdb' (got engine={engine!r}); "
                                "or load the file into a DataFrame first.")
        if not Path(transactions).is_file() and not glob.glob(str(transactions)):
            raise CRMInputError(f"{where}: no file at {str(transactions)!r} (nor files matching it as a glob).")
        return transactions
    if not isinstance(transactions, pd.DataFrame):
        raise CRMTypeError(f"{where}: transactions must be a pandas DataFrame (or, with engine='duckdb', "
                           f"the path of a Parquet/CSV file), got {type(transactions).__name__}.")
    return _check_frame(transactions, customer_col, date_col, amount_col, where, duplicates)


def _prepare_output(output, force: bool, transactions, where: str) -> Path:
    """Check the ``output`` Parquet path before any work: never an input file, never overwritten without force."""
    out = Path(output)
    if out.suffix.lower() != ".parquet":
        raise CRMInputError(f"{where}: output={str(output)!r} must name a Parquet file (ending in .parquet).")
    if isinstance(transactions, (str, Path)):
        inputs = {Path(f).resolve() for f in glob.glob(str(transactions))} | {Path(transactions).resolve()}
        if out.resolve() in inputs:
            raise CRMInputError(f"{where}: output {str(out)!r} is one of the input files; write the summary "
                                "to another file.")
    if out.is_dir():
        raise CRMInputError(f"{where}: output {str(out)!r} is a folder; name a .parquet file.")
    if out.exists() and not force:
        raise CRMInputError(f"{where}: {str(out)!r} already exists; pass force=True to overwrite it "
                            "(results are never overwritten without it), or choose another file.")
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _write_output(out: Path, write) -> Path:
    """Run ``write(tmp)`` to a temporary file next to ``out``, then move it into place (no half-written
    summary under the final name if the run fails or is interrupted)."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return out


def _frame_to_parquet(frame: pd.DataFrame, out: Path) -> Path:
    def write(tmp):
        con = _connect()
        try:
            _copy_frame(con, frame, tmp)
        finally:
            con.close()
    return _write_output(out, write)


@_with_duckdb_options
def customer_summary(
    transactions: pd.DataFrame | str | Path,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = None,
    observation_end: Any = None,
    time_unit: str = "week",
    engine: str = "pandas",
    duplicates: str = "warn",
    memory_limit: str | None = None,
    temp_directory: str | Path | None = None,
    output: str | Path | None = None,
    force: bool = False,
) -> pd.DataFrame | Path:
    """Summarise a transaction log into frequency, recency, T (and mean repeat spend) per customer.

    Parameters
    ----------
    transactions : DataFrame, or str/Path with ``engine="duckdb"``
        One row per purchase with a customer id, a datetime and optionally an amount. Not modified.
        With ``engine="duckdb"`` it may also be the path of a Parquet or CSV file, or a glob of them
        (``"logs/part-*.parquet"``; not validated row by row: DuckDB reads it in a stream).
    customer_col, date_col : str, default "customer_id", "date"
        Column names.
    amount_col : str, optional
        Spend per purchase (>= 0); adds ``monetary_value``, the mean spend per repeat transaction.
    observation_end : date-like, optional
        Last day observed (inclusive); later purchases are ignored. Default: the last purchase date.
    time_unit : {"day", "week", "month"}, default "week"
        Unit of ``recency`` and ``T`` (whole days / 1, 7 or 30.4375).
    engine : {"pandas", "duckdb"}, default "pandas"
        Both give the same numbers.
    duplicates : {"warn", "keep", "drop", "error"}, default "warn"
        Exact duplicate rows (same customer, date and amount) with ``amount_col``: warn with their count
        (:class:`~crm_lessons._validate.CRMDuplicateRowsWarning`) and keep them, keep them silently
        (real repeat purchases), drop the copies, or raise. Time-zone-aware dates are an error.
        The pandas engine compares only purchases that share their customer and day with another one,
        found while it sorts (nearly free: exact copies must share both); purchases after
        ``observation_end`` do not count. ``"drop"`` checks the whole frame first (one more pass).
        Files (``engine="duckdb"`` on a path) are not checked row by row.
    memory_limit, temp_directory : optional (``engine="duckdb"``)
        DuckDB's memory ceiling, e.g. ``"2GB"`` (default: DuckDB's own, 80% of the RAM), and the folder it
        spills to when an aggregation needs more (default: ``<database>.tmp`` / DuckDB's choice). With
        ``memory_limit="2GB"`` a 100-million-row Parquet log summarises out of core (docs/large_logs.md).
        A file whose rows fit in the ceiling at about 100 bytes a row is read by DuckDB (needed columns
        only) and finished in memory by the numpy core, which is faster; a larger one is summarised by
        DuckDB's SQL. The ceiling is DuckDB's: the returned frame (40 bytes per customer) comes on top
        unless ``output`` is given.
    output : str or Path, optional
        Write the summary to this Parquet file (column ``customer_col`` plus the summary columns, sorted by
        customer) instead of returning it; with a file in and ``engine="duckdb"`` the summary never enters
        Python. Written to a temporary file first, then moved into place. Never one of the input files.
    force : bool, default False
        Overwrite an existing ``output`` file; without it an existing file is an error (nothing is
        overwritten without force).

    Returns
    -------
    DataFrame, or Path with ``output``
        Indexed by customer id (sorted), float columns ``frequency``, ``recency``, ``T``
        (and ``monetary_value``). Customers whose first purchase is after ``observation_end`` are left out.
        With ``output``: the path of the Parquet file written.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-08"]),
    ...                    "amount": [10.0, 5.0, 20.0, 7.0]})
    >>> customer_summary(tx, amount_col="amount", observation_end="2024-01-29")  # doctest: +NORMALIZE_WHITESPACE
                 frequency  recency    T  monetary_value
    customer_id
    1                  1.0      2.0  4.0            20.0
    2                  0.0      0.0  3.0             0.0
    """
    where = "customer_summary"
    unit_days = _check_options(time_unit, engine, where)
    out = _prepare_output(output, force, transactions, where) if output is not None else None
    # The pandas engine checks duplicates while it sorts: only purchases sharing customer and day with
    # another can be exact copies, so only those few rows are compared (not every row of the log).
    fused = (engine == "pandas" and isinstance(transactions, pd.DataFrame) and bool(amount_col)
             and duplicates in ("warn", "error"))
    transactions = _check_input(transactions, customer_col, date_col, amount_col, engine, where,
                                "keep" if fused else duplicates)
    end_day = _resolve_end(transactions, date_col, observation_end, where, engine)
    if engine == "duckdb":
        if out is not None:
            return _write_output(out, lambda tmp: _summary_duckdb(
                transactions, customer_col, date_col, amount_col, end_day, unit_days, customer_col, output=tmp))
        return _summary_duckdb(transactions, customer_col, date_col, amount_col, end_day, unit_days,
                               customer_col)
    ids = transactions[customer_col].to_numpy()
    days = _day_numbers(transactions[date_col])
    amount = transactions[amount_col].to_numpy(dtype=np.float64) if amount_col else None
    same_day: list | None = [] if fused else None
    result = _summary_numpy(ids, days, amount, end_day, unit_days, customer_col, same_day_rows=same_day)
    if same_day:
        rows = np.unique(np.concatenate(same_day))
        candidates = transactions.iloc[rows]
        candidates.attrs = dict(transactions.attrs)
        check_duplicate_rows(candidates, where=where, duplicates=duplicates,
                             subset=[customer_col, date_col, amount_col])
    if out is not None:
        return _frame_to_parquet(result, out)
    return result


@_with_duckdb_options
def calibration_holdout_summary(
    transactions: pd.DataFrame | str | Path,
    *,
    calibration_end: Any,
    holdout_end: Any = None,
    holdout_periods: float | None = None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = None,
    time_unit: str = "week",
    engine: str = "pandas",
    duplicates: str = "warn",
    memory_limit: str | None = None,
    temp_directory: str | Path | None = None,
    output: str | Path | None = None,
    force: bool = False,
) -> pd.DataFrame | Path:
    """Summaries for a calibration period plus each customer's purchases in the following holdout.

    The calibration summary is :func:`customer_summary` up to ``calibration_end`` (inclusive);
    only customers whose first purchase falls in the calibration period are kept. The holdout
    counts transactions (purchase days) after ``calibration_end`` up to ``holdout_end``.

    Parameters
    ----------
    transactions : DataFrame, or str/Path with ``engine="duckdb"``
        As in :func:`customer_summary`. Not modified.
    calibration_end : date-like
        Last day of the calibration period.
    holdout_end : date-like, optional
        Last day of the holdout; or give ``holdout_periods`` (in ``time_unit``; a whole number of
        days results, e.g. 39 weeks = 273 days). Default: the last purchase date.
    holdout_periods : float, optional
        Length of the holdout in ``time_unit``.
    customer_col, date_col, amount_col, time_unit, engine, duplicates, memory_limit, temp_directory, output, force
        As in :func:`customer_summary` (``output``: the frame below is written to that Parquet file, with
        the customer id as a column, and its path returned).

    Returns
    -------
    DataFrame
        ``frequency_cal``, ``recency_cal``, ``T_cal`` (and ``monetary_value_cal``), then
        ``frequency_holdout`` (0 when no purchase), ``monetary_value_holdout`` (mean spend per holdout
        transaction, 0 when none; with ``amount_col``) and ``duration_holdout`` (holdout length in units).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 1, 3],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-02",
    ...                                            "2024-01-20", "2024-01-20"])})
    >>> s = calibration_holdout_summary(tx, calibration_end="2024-01-14", holdout_periods=2)
    >>> s[["frequency_cal", "T_cal", "frequency_holdout"]].round(4)  # doctest: +NORMALIZE_WHITESPACE
                 frequency_cal   T_cal  frequency_holdout
    customer_id
    1                      1.0  1.8571                1.0
    2                      0.0  1.7143                0.0
    """
    where = "calibration_holdout_summary"
    unit_days = _check_options(time_unit, engine, where)
    target = _prepare_output(output, force, transactions, where) if output is not None else None
    transactions = _check_input(transactions, customer_col, date_col, amount_col, engine, where, duplicates)
    cal_ts = to_timestamp(calibration_end, "calibration_end", where=where)
    cal_day = _day(cal_ts)
    if holdout_end is not None and holdout_periods is not None:
        raise CRMInputError(f"{where}: give holdout_end or holdout_periods, not both.")
    if holdout_periods is not None:
        hp = require_number(holdout_periods, "holdout_periods", where=where, low=0, low_inclusive=False)
        end_day = cal_day + int(round(hp * unit_days))
    else:
        end_day = _resolve_end(transactions, date_col, holdout_end, where, engine)
    if end_day <= cal_day:
        raise CRMInputError(f"{where}: the holdout must end after calibration_end "
                            f"({cal_ts.date()}); check holdout_end / holdout_periods.")
    if engine == "duckdb":
        cal = _summary_duckdb(transactions, customer_col, date_col, amount_col, cal_day, unit_days,
                              customer_col)
        hold = _summary_duckdb(transactions, customer_col, date_col, amount_col, end_day, unit_days,
                               customer_col, start_day=cal_day)
    else:
        ids = transactions[customer_col].to_numpy()
        days = _day_numbers(transactions[date_col])
        amount = transactions[amount_col].to_numpy(dtype=np.float64) if amount_col else None
        cal = _summary_numpy(ids, days, amount, cal_day, unit_days, customer_col)
        m = days > cal_day
        hold = _summary_numpy(ids[m], days[m], amount[m] if amount is not None else None, end_day,
                              unit_days, customer_col)
    if len(cal) == 0:
        raise CRMInputError(f"{where}: no purchase on or before calibration_end ({cal_ts.date()}); "
                            "pick a later calibration_end.")
    out = cal.add_suffix("_cal")
    # In the holdout every purchase day is a transaction: frequency + 1 days, spend averaged over all.
    n_hold = (hold["frequency"] + 1.0).reindex(out.index, fill_value=0.0)
    out["frequency_holdout"] = n_hold.astype("float64")
    if amount_col:
        # mean over all holdout purchase days = (first-day spend + repeat spend) / days; recomputed below
        out["monetary_value_holdout"] = _holdout_spend(transactions, customer_col, date_col, amount_col,
                                                       cal_day, end_day, engine).reindex(out.index,
                                                                                          fill_value=0.0)
    out["duration_holdout"] = (end_day - cal_day) / unit_days
    if target is not None:
        return _frame_to_parquet(out, target)
    return out


def _holdout_spend(transactions, customer_col, date_col, amount_col, cal_day, end_day, engine) -> pd.Series:
    """Mean spend per holdout transaction (purchase day) of each customer."""
    if engine == "duckdb":
        con = _connect()
        try:
            src = _duckdb_source(con, transactions, customer_col, date_col, amount_col)
            sql = f"""
            WITH days AS (
                SELECT {_q(customer_col)} AS cid,
                       date_diff('day', DATE '1970-01-01', CAST({_q(date_col)} AS DATE)) AS day,
                       SUM(CAST({_q(amount_col)} AS DOUBLE)) AS spend
                FROM {src} GROUP BY 1, 2)
            SELECT cid, SUM(spend) / COUNT(*) AS m FROM days
            WHERE day > {int(cal_day)} AND day <= {int(end_day)} GROUP BY cid
            """
            res = con.execute(sql).df()
        finally:
            con.close()
        return pd.Series(res["m"].to_numpy(dtype=np.float64), index=res["cid"].to_numpy())
    days = _day_numbers(transactions[date_col])
    m = (days > cal_day) & (days <= end_day)
    if not m.any():
        return pd.Series(dtype="float64")
    frame = pd.DataFrame({"cid": transactions[customer_col].to_numpy()[m], "day": days[m],
                          "spend": transactions[amount_col].to_numpy(dtype=np.float64)[m]})
    per_day = frame.groupby(["cid", "day"], sort=True)["spend"].sum()
    g = per_day.groupby(level="cid")
    return g.sum() / g.size()
