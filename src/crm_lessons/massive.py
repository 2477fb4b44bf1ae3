"""Mining massive customer data: one customer summary, in memory (pandas) and out of core (DuckDB, Spark).

The customer summary every CRM analysis starts from (frequency, recency, age, spend per customer) is
written once, as SQL that DuckDB runs locally and Spark SQL runs unchanged (:data:`SUMMARY_SQL`), and
once with pandas for data that fits in memory. Synthetic transactions of any size come from
:func:`crm_lessons.datasets.make_transactions`, written in chunks to Parquet by
:func:`write_transactions`, so the data never has to fit in memory at once.

Dates are stored as whole days since 1997-01-01 (``day``), so the SQL needs no dialect-specific
date functions.
"""

from __future__ import annotations

import glob
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ._validate import (CRMInputError, require_columns, require_frame, require_no_missing,
                        require_non_negative, require_number, require_positive_int)
from ._validate import require_unique_key  # bad-input checks (issue 17)
from ._validate import require_numeric, require_min_rows  # bad-input checks (issue 17)

__all__ = ["SUMMARY_SQL", "summary_sql", "summary_pandas", "summary_duckdb", "summary_duckdb_to_parquet",
           "CALIBRATION_HOLDOUT_SQL", "calibration_holdout_sql", "calibration_holdout_duckdb",
           "holdout_frame", "write_transactions",
           "sample_estimate", "timed", "measure", "scaling_table"]

DAY0 = pd.Timestamp("1997-01-01")

#: The customer summary as portable SQL (DuckDB and Spark SQL): ``{table}`` and ``{end_day}`` are
#: filled in by :func:`summary_sql`. Same-day purchases count once in ``frequency`` (repeat days).
SUMMARY_SQL = """\
SELECT customer_id,
       COUNT(DISTINCT day) - 1           AS frequency,
       MAX(day) - MIN(day)               AS recency_days,
       {end_day} - MIN(day)              AS age_days,
       COUNT(*)                          AS purchases,
       SUM(amount)                       AS revenue
FROM {table}
WHERE day <= {end_day}
GROUP BY customer_id
ORDER BY customer_id"""

_COLUMNS = ["customer_id", "frequency", "recency_days", "age_days", "purchases", "revenue"]


def summary_sql(*, table: str = "transactions", end_day: int) -> str:
    """The summary query for ``table`` observed to day ``end_day`` (days since 1997-01-01).

    Examples
    --------
    >>> print(summary_sql(table="t", end_day=545).splitlines()[3].strip())
    545 - MIN(day)              AS age_days,
    """
    end_day = require_positive_int(end_day, "end_day", where="summary_sql", minimum=0)
    if not _TABLE.fullmatch(str(table)):
        raise CRMInputError(f"summary_sql: table {table!r} is not a plain table name (letters, digits, _ and .).")
    return SUMMARY_SQL.format(table=table, end_day=end_day)


#: The calibration/holdout summary as portable SQL (DuckDB and Spark SQL; day numbers, no date functions):
#: ``{table}``, ``{cal_day}`` (last calibration day) and ``{end_day}`` (last holdout day) are filled in by
#: :func:`calibration_holdout_sql`. Only customers whose first purchase is on or before ``cal_day`` are
#: kept; purchase days are transactions (same-day purchases count once, their amounts add up).
#: :func:`holdout_frame` turns the rows into the columns of
#: :func:`crm_lessons.summary.calibration_holdout_summary`, which the CLV models fit.
CALIBRATION_HOLDOUT_SQL = """\
WITH days AS (
    SELECT customer_id, day, SUM(amount) AS spend
    FROM {table}
    WHERE day <= {end_day}
    GROUP BY customer_id, day
), firsts AS (
    SELECT customer_id, MIN(day) AS first_day
    FROM days
    GROUP BY customer_id
)
SELECT d.customer_id,
       SUM(CASE WHEN d.day <= {cal_day} THEN 1 ELSE 0 END) - 1                         AS frequency_cal,
       MAX(CASE WHEN d.day <= {cal_day} THEN d.day END) - f.first_day                  AS recency_cal_days,
       {cal_day} - f.first_day                                                         AS age_cal_days,
       SUM(CASE WHEN d.day <= {cal_day} AND d.day > f.first_day THEN d.spend ELSE 0 END) AS repeat_revenue_cal,
       SUM(CASE WHEN d.day > {cal_day} THEN 1 ELSE 0 END)                              AS frequency_holdout,
       SUM(CASE WHEN d.day > {cal_day} THEN d.spend ELSE 0 END)                        AS revenue_holdout
FROM days d JOIN firsts f ON d.customer_id = f.customer_id
WHERE f.first_day <= {cal_day}
GROUP BY d.customer_id, f.first_day
ORDER BY d.customer_id"""

_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_MEMORY = re.compile(r"\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", re.IGNORECASE)


def _sql_str(text) -> str:
    """A SQL string literal (single quotes doubled): file names with quotes are safe."""
    return "'" + str(text).replace("'", "''") + "'"


def calibration_holdout_sql(*, table: str = "transactions", cal_day: int, end_day: int) -> str:
    """The calibration/holdout query for ``table`` (calibration to day ``cal_day``, holdout to ``end_day``).

    Examples
    --------
    >>> "WHERE f.first_day <= 300" in calibration_holdout_sql(table="t", cal_day=300, end_day=545)
    True
    """
    where = "calibration_holdout_sql"
    cal_day = require_positive_int(cal_day, "cal_day", where=where, minimum=0)
    end_day = require_positive_int(end_day, "end_day", where=where, minimum=cal_day + 1)
    if not _TABLE.fullmatch(str(table)):
        raise CRMInputError(f"{where}: table {table!r} is not a plain table name (letters, digits, _ and .).")
    return CALIBRATION_HOLDOUT_SQL.format(table=table, cal_day=cal_day, end_day=end_day)


def holdout_frame(rows: pd.DataFrame, *, cal_day: int, end_day: int, time_unit: str = "week") -> pd.DataFrame:
    """Rows of :data:`CALIBRATION_HOLDOUT_SQL` (from DuckDB or Spark) as the CLV models' input: the columns
    of :func:`crm_lessons.summary.calibration_holdout_summary` with ``amount_col``, indexed by customer.

    The models compress this frame to its distinct (x, t_x, T) rows before fitting, so the fit stays on one
    machine however large the log was (docs/large_logs.md).
    """
    from .summary import TIME_UNITS

    from ._validate import require_choice

    where = "holdout_frame"
    require_choice(time_unit, "time_unit", list(TIME_UNITS), where=where)
    cols = ["frequency_cal", "recency_cal_days", "age_cal_days", "repeat_revenue_cal", "frequency_holdout",
            "revenue_holdout"]
    require_frame(rows, where=where)
    require_columns(rows, ["customer_id", *cols], where=where)
    require_no_missing(rows, ["customer_id", *cols], where=where)
    require_non_negative(rows, cols, where=where)
    require_unique_key(rows, "customer_id", where=where, what="customer")
    cal_day = require_positive_int(cal_day, "cal_day", where=where, minimum=-10**9)
    end_day = require_positive_int(end_day, "end_day", where=where, minimum=cal_day + 1)
    u = TIME_UNITS[time_unit]
    r = rows.sort_values("customer_id")
    x = r["frequency_cal"].to_numpy(np.float64)
    n_hold = r["frequency_holdout"].to_numpy(np.float64)
    out = pd.DataFrame({
        "frequency_cal": x,
        "recency_cal": r["recency_cal_days"].to_numpy(np.float64) / u,
        "T_cal": r["age_cal_days"].to_numpy(np.float64) / u,
        "monetary_value_cal": np.divide(r["repeat_revenue_cal"].to_numpy(np.float64), x,
                                        out=np.zeros(len(r)), where=x > 0),
        "frequency_holdout": n_hold,
        "monetary_value_holdout": np.divide(r["revenue_holdout"].to_numpy(np.float64), n_hold,
                                            out=np.zeros(len(r)), where=n_hold > 0),
        "duration_holdout": np.full(len(r), (end_day - cal_day) / u),
    }, index=pd.Index(r["customer_id"].to_numpy(), name="customer_id"))
    return out


def _duckdb_con(memory_limit: str | None, threads: int | None, temp_directory, where: str):
    """A DuckDB connection under a memory ceiling; settings validated, paths quoted as literals."""
    import duckdb

    if memory_limit is not None and not (isinstance(memory_limit, str) and _MEMORY.fullmatch(memory_limit)):
        raise CRMInputError(f"{where}: memory_limit={memory_limit!r} is not a size; write it like '2GB'.")
    con = duckdb.connect()
    if memory_limit is not None:
        con.execute(f"SET memory_limit = {_sql_str(memory_limit.strip())}")
    if threads is not None:
        con.execute(f"SET threads = {require_positive_int(threads, 'threads', where=where)}")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    if temp_directory is not None:
        con.execute(f"SET temp_directory = {_sql_str(Path(temp_directory).as_posix())}")
    return con


def _register(con, source, where: str) -> None:
    """Make ``transactions`` a view of a frame, a Parquet/CSV file or a glob of them."""
    if isinstance(source, pd.DataFrame):
        _check(source, where)
        con.register("transactions", source)
        return
    path = str(source)
    if not glob.glob(path):
        raise CRMInputError(f"{where}: no Parquet file matches {path!r}; write one with write_transactions().")
    reader = "read_csv_auto" if path.lower().endswith(".csv") else "read_parquet"
    con.execute(f"CREATE VIEW transactions AS SELECT * FROM {reader}({_sql_str(path)})")


def calibration_holdout_duckdb(source: str | Path | pd.DataFrame, *, cal_day: int, end_day: int,
                               time_unit: str = "week", memory_limit: str | None = "2GB",
                               threads: int | None = None,
                               temp_directory: str | Path | None = None) -> pd.DataFrame:
    """Run :data:`CALIBRATION_HOLDOUT_SQL` in DuckDB on a frame, a file or a glob (columns ``customer_id``,
    ``day``, ``amount``) and return :func:`holdout_frame`: ready for the CLV models.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2, 3], "day": [0, 0, 14, 3, 20],
    ...                    "amount": [5.0, 1.0, 4.0, 2.0, 9.0]})
    >>> calibration_holdout_duckdb(tx, cal_day=7, end_day=21, time_unit="day")[
    ...     ["frequency_cal", "T_cal", "frequency_holdout", "monetary_value_holdout"]]  # doctest: +NORMALIZE_WHITESPACE
                 frequency_cal  T_cal  frequency_holdout  monetary_value_holdout
    customer_id
    1                      0.0    7.0                1.0                     4.0
    2                      0.0    4.0                0.0                     0.0
    """
    where = "calibration_holdout_duckdb"
    sql = calibration_holdout_sql(cal_day=cal_day, end_day=end_day)
    con = _duckdb_con(memory_limit, threads, temp_directory, where)
    try:
        _register(con, source, where)
        rows = con.execute(sql).df()
    finally:
        con.close()
    return holdout_frame(rows, cal_day=cal_day, end_day=end_day, time_unit=time_unit)


def _check(tx: pd.DataFrame, where: str) -> pd.DataFrame:
    require_frame(tx, where=where)
    require_columns(tx, ["customer_id", "day", "amount"], where=where)
    require_no_missing(tx, ["customer_id", "day", "amount"], where=where)
    require_non_negative(tx, ["day", "amount"], where=where)
    return tx


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    df = df[_COLUMNS].sort_values("customer_id").reset_index(drop=True)
    for c in _COLUMNS[:-1]:
        df[c] = df[c].astype("int64")
    df["revenue"] = df["revenue"].astype("float64").round(2)
    return df


def summary_pandas(transactions: pd.DataFrame, *, end_day: int) -> pd.DataFrame:
    """The customer summary of an in-memory frame (columns ``customer_id``, ``day``, ``amount``).

    Gives exactly the numbers :data:`SUMMARY_SQL` gives (tested against DuckDB).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2], "day": [0, 0, 10, 5], "amount": [5.0, 1.0, 4.0, 2.0]})
    >>> summary_pandas(tx, end_day=20)
       customer_id  frequency  recency_days  age_days  purchases  revenue
    0            1          1            10        20          3     10.0
    1            2          0             0        15          1      2.0
    """
    where = "summary_pandas"
    _check(transactions, where)
    end_day = require_positive_int(end_day, "end_day", where=where, minimum=0)
    tx = transactions[transactions["day"] <= end_day]
    g = tx.groupby("customer_id")
    out = pd.DataFrame({
        "frequency": g["day"].nunique() - 1,
        "recency_days": g["day"].max() - g["day"].min(),
        "age_days": end_day - g["day"].min(),
        "purchases": g.size(),
        "revenue": g["amount"].sum(),
    }).reset_index()
    return _tidy(out)


def summary_duckdb(source: str | Path | pd.DataFrame, *, end_day: int, memory_limit: str = "2GB",
                   threads: int = 2, temp_directory: str | Path | None = None) -> pd.DataFrame:
    """Run :data:`SUMMARY_SQL` in DuckDB on a frame, a Parquet/CSV file or a glob of them, out of core.

    ``memory_limit`` caps DuckDB's memory; larger-than-memory aggregations spill to
    ``temp_directory``. File names are passed as quoted SQL literals (a quote in a name is fine).
    For dates, time units and calibration/holdout from any log use
    :func:`crm_lessons.summary.customer_summary` (``engine="duckdb"``, same ``memory_limit``).
    """
    where = "summary_duckdb"
    end_day = require_positive_int(end_day, "end_day", where=where, minimum=0)
    con = _duckdb_con(memory_limit, threads, temp_directory, where)
    try:
        _register(con, source, where)
        return _tidy(con.execute(summary_sql(end_day=end_day)).df())
    finally:
        con.close()


def summary_duckdb_to_parquet(source: str | Path, target: str | Path, *, end_day: int, memory_limit: str = "2GB",
                              threads: int = 2, temp_directory: str | Path | None = None,
                              force: bool = False) -> int:
    """Run :data:`SUMMARY_SQL` in DuckDB on Parquet ``source`` and write the result to Parquet ``target``.

    Unlike :func:`summary_duckdb`, the summary (one row per customer, which can itself be too large for
    memory) never enters Python: DuckDB streams it to ``target``. Returns the number of customers written.
    An existing ``target`` is an error unless ``force=True``; the file is written under a temporary name
    and moved into place, so a failed run leaves no half-written summary. For dates, time units and
    recency/T/mean repeat spend use ``crm_lessons.summary.customer_summary(path, engine="duckdb",
    output=...)``, which writes the same way.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = write_transactions(f"{d}/tx", 1000, seed=1)
    ...     n = summary_duckdb_to_parquet(f"{d}/tx/*.parquet", f"{d}/summary.parquet", end_day=545)
    ...     n == len(summary_duckdb(f"{d}/tx/*.parquet", end_day=545))
    True
    """
    where = "summary_duckdb_to_parquet"
    end_day = require_positive_int(end_day, "end_day", where=where, minimum=0)
    if isinstance(source, pd.DataFrame):
        raise CRMInputError(f"{where}: source must be a Parquet path or glob, not a DataFrame; use summary_duckdb for frames.")
    path = str(source)
    if not glob.glob(path):
        raise CRMInputError(f"{where}: no Parquet file matches {path!r}; write one with write_transactions().")
    target = Path(target)
    if target.exists() and not force:
        raise CRMInputError(f"{where}: {target} already exists; pass force=True to overwrite it, or choose "
                            "a new file name.")
    if target.resolve() in {Path(f).resolve() for f in glob.glob(path)}:
        raise CRMInputError(f"{where}: {target} is one of the input files; write the summary elsewhere.")
    tmp = target.with_name(f".{target.name}.tmp")
    con = _duckdb_con(memory_limit, threads, temp_directory, where)
    try:
        _register(con, path, where)
        lit = _sql_str(tmp.as_posix())
        con.execute(f"COPY ({summary_sql(end_day=end_day)}) TO {lit} (FORMAT parquet)")
        n = int(con.execute(f"SELECT COUNT(*) FROM read_parquet({lit})").fetchone()[0])
        tmp.replace(target)
        return n
    finally:
        con.close()
        if tmp.exists():
            tmp.unlink()


def write_transactions(folder: str | Path, rows: int, *, seed: int = 0, chunk_customers: int = 400_000,
                       overwrite: bool = False) -> dict:
    """Write about ``rows`` synthetic transactions to ``folder/part-*.parquet`` in chunks.

    Each chunk is :func:`~crm_lessons.datasets.make_transactions` for ``chunk_customers`` new
    customers (seed ``seed + chunk``), so memory stays bounded however many rows are asked for.
    Columns: ``customer_id`` (int64, unique across chunks), ``day`` (int32, days since 1997-01-01),
    ``amount`` (float64). Returns ``{"rows", "customers", "files", "seconds"}``.
    """
    import duckdb

    from .datasets import make_transactions

    where = "write_transactions"
    rows = require_positive_int(rows, "rows", where=where)
    chunk_customers = require_positive_int(chunk_customers, "chunk_customers", where=where)
    folder = Path(folder)
    if folder.exists() and any(folder.glob("part-*.parquet")) and not overwrite:
        raise CRMInputError(f"{where}: {folder} already holds Parquet parts; pass overwrite=True or another folder.")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part-*.parquet"):
        old.unlink()
    t0 = time.perf_counter()
    written = customers = chunk = 0
    con = duckdb.connect()
    while written < rows:
        # about 2.5 purchases per customer at the default (CDNOW-like) parameters
        n = min(chunk_customers, max(1, int((rows - written) / 2.4) + 1))
        data, _ = make_transactions(n, seed=seed + chunk)
        part = pd.DataFrame({
            "customer_id": data["customer_id"].to_numpy(np.int64) + customers,
            "day": ((data["date"] - DAY0).dt.days).to_numpy(np.int32),
            "amount": data["amount"].to_numpy(np.float64),
        })
        if written + len(part) > rows:  # cut at a customer boundary so every history is complete
            last = part["customer_id"].iloc[rows - written - 1]
            part = part[part["customer_id"] <= last]
        n = int(part["customer_id"].iloc[-1]) - customers
        con.register("part", part)
        con.execute(f"COPY part TO {_sql_str((folder / f'part-{chunk:04d}.parquet').as_posix())} (FORMAT parquet)")
        con.unregister("part")
        written += len(part)
        customers += n
        chunk += 1
    con.close()
    return {"rows": written, "customers": customers, "files": chunk, "seconds": time.perf_counter() - t0}


def sample_estimate(summary: pd.DataFrame, fraction: float, *, column: str = "frequency", seed: int = 0,
                    repeats: int = 200) -> pd.DataFrame:
    """How well a random sample of customers estimates a mean: one draw's estimate and its 95% CI,
    and the spread of the estimate over ``repeats`` samples, against the full-data value.

    Bad input: ``column`` must be numeric without gaps; at least 3 customers.
    """
    where = "sample_estimate"
    require_frame(summary, where=where)
    require_columns(summary, [column], where=where)
    require_numeric(summary, [column], where=where)
    require_no_missing(summary, [column], where=where)
    require_min_rows(summary, 3, where=where, what="customers",
                     why="a sample of at least 2 customers and a standard error need them")
    fraction = require_number(fraction, "fraction", where=where, low=0, high=1, low_inclusive=False)
    x = summary[column].to_numpy(float)
    n = min(len(x), max(2, int(round(fraction * len(x)))))
    rng = np.random.default_rng(seed)
    draws = np.array([x[rng.choice(len(x), n, replace=False)].mean() for _ in range(repeats)])
    one = x[rng.choice(len(x), n, replace=False)]
    se = one.std(ddof=1) / np.sqrt(n) * np.sqrt(1 - n / len(x))
    return pd.DataFrame([{
        "fraction": fraction, "sample_customers": n, "full_mean": x.mean(), "sample_mean": one.mean(),
        "ci_lower": one.mean() - 1.96 * se, "ci_upper": one.mean() + 1.96 * se,
        "sd_over_repeats": draws.std(ddof=1), "predicted_se": x.std(ddof=1) / np.sqrt(n) * np.sqrt(1 - n / len(x)),
    }])


def timed(fn, *args, **kwargs):
    """Call ``fn`` and return ``(result, seconds)``."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


_MEASURE = """
import json, resource, sys, time
import duckdb
from crm_lessons import massive
engine, source, end_day, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
t0 = time.perf_counter()
if engine == "pandas":
    frame = duckdb.connect().execute("SELECT * FROM read_parquet(" + massive._sql_str(source) + ")").df()
    out = massive.summary_pandas(frame, end_day=end_day)
elif engine == "duckdb_parquet":
    import os, tempfile
    target = os.path.join(tempfile.mkdtemp(prefix="crm-summary-"), "summary.parquet")
    out = range(massive.summary_duckdb_to_parquet(source, target, end_day=end_day, memory_limit=limit))
    os.remove(target)
else:
    out = massive.summary_duckdb(source, end_day=end_day, memory_limit=limit)
secs = time.perf_counter() - t0
try:  # VmHWM is this process's own high-water mark; ru_maxrss can inherit the parent's across exec
    peak = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0] / 1024
except (OSError, IndexError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": secs, "peak_mb": peak, "customers": len(out)}))
"""


def measure(engine: str, source: str | Path, *, end_day: int, memory_limit: str = "1GB") -> dict:
    """Summarise Parquet ``source`` with ``engine`` ("pandas", "duckdb" or "duckdb_parquet") in a fresh process.

    ``"duckdb_parquet"`` writes the summary to a temporary Parquet file instead of returning it to Python
    (:func:`summary_duckdb_to_parquet`).

    Returns seconds (reading included) and the process's peak resident memory in MB, so engines are
    compared on equal terms: pandas must load every row into memory; DuckDB streams the files under
    ``memory_limit``.
    """
    import json
    import subprocess
    import sys

    from ._validate import require_choice

    require_choice(engine, "engine", ["pandas", "duckdb", "duckdb_parquet"], where="measure")
    r = subprocess.run([sys.executable, "-c", _MEASURE, engine, str(source), str(int(end_day)), memory_limit],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"measure: the {engine} run failed: {r.stderr.strip().splitlines()[-1:]}")
    out = r.stdout.strip()  # DuckDB may draw a progress bar on stdout before the JSON line
    return json.loads(out[out.rindex("{"):])


def scaling_table(sizes, folder: str | Path, *, seed: int = 0, end_day: int = 545, memory_limit: str = "1GB",
                  engines=("pandas", "duckdb")) -> pd.DataFrame:
    """Write synthetic transactions of each size under ``folder`` and measure each engine on them."""
    rows = []
    for n in sizes:
        sub = Path(folder) / f"rows_{int(n)}"
        info = write_transactions(sub, int(n), seed=seed, overwrite=True)
        for engine in engines:
            m = measure(engine, (sub / "*.parquet").as_posix(), end_day=end_day, memory_limit=memory_limit)
            rows.append({"rows": info["rows"], "engine": engine, **m})
    return pd.DataFrame(rows)
