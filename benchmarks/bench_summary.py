"""Benchmark: customer summaries at the scale researchers have (issue 18).

Every timed run is its own subprocess on the same cached Parquet log, so peak memory (the process's
high-water mark, VmHWM; ru_maxrss where /proc is missing) and CPU time are its own:

* ``pandas``          crm_lessons.summary.customer_summary(frame, engine="pandas"), default duplicate check
* ``duckdb-frame``    the same with engine="duckdb" on the in-memory frame (SQL)
* ``duckdb-file``     engine="duckdb" straight from the Parquet file (reading included), memory_limit set:
                      finished in memory when the rows fit the ceiling, else SQL out of core
* ``duckdb-sql``      the same, forced onto the out-of-core SQL path
* ``duckdb-output``   the file path writing the summary to Parquet (``output=``) instead of returning it
* ``lifetimes``       lifetimes.utils.summary_data_from_transaction_data(freq="D", freq_multiplier=7),
                      stopped past ``--lifetimes-timeout`` seconds (120)

The machine may be shared, so runs are interleaved: round 1 runs every contender once, then round 2, ...
(``--repeat`` rounds). Reported per contender: median wall seconds, median CPU seconds, the largest peak
RSS of its processes. ``ratio`` = lifetimes' median over the contender's; ``paired`` = the median over
rounds of lifetimes' time over the contender's in the same round (both under the same load).
Frame contenders load the file first (``load s``, not in ``median s``); ``+load`` adds it, for a fair
comparison with the file contenders (``file/+load`` line). Every summary is fingerprinted (customers
and column sums); a mismatch is printed.

Usage::

    .venv/bin/python benchmarks/bench_summary.py                       # 1M and 10M rows
    .venv/bin/python benchmarks/bench_summary.py --rows 10000000 --ids int str --layouts time --repeat 5
    .venv/bin/python benchmarks/bench_summary.py --big                 # 100M time-ordered rows, file engine
    make benchmark-100m

Data: a synthetic log written once by DuckDB into ``.cache/bench_summary/`` (about 0.36 customers per
row, so ~3.4 million customers at 10M rows; days 1997-01-01 .. 1998-06-30 with a time of day; amounts
1-101): simulated, the generator sets every number. The summary is taken at 1998-06-30 in weeks.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "bench_summary"
END = "1998-06-30"


def sql_str(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def dataset(rows: int, layout: str, ids: str) -> Path:
    """The cached Parquet log of ``rows`` rows in ``layout`` ("sorted"/"time") with ``ids`` ("int"/"str")."""
    import duckdb

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"tx_{rows}_{layout}_{ids}.parquet"
    if path.exists():
        return path
    base = CACHE / f"tx_{rows}_base.parquet"
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    if not base.exists():
        n_cust = max(1, int(rows * 0.36))
        con.execute(f"""COPY (
            SELECT hash(i, 11) % {n_cust} + 1 AS customer_id,
                   TIMESTAMP '1997-01-01' + to_days(CAST(hash(i, 12) % 546 AS INTEGER))
                       + to_seconds(CAST(hash(i, 13) % 86400 AS BIGINT)) AS date,
                   round(1 + (hash(i, 14) % 10000) / 100.0, 2) AS amount
            FROM range({int(rows)}) t(i)) TO {sql_str(base)} (FORMAT parquet)""")
    cid = "customer_id" if ids == "int" else "'c' || lpad(CAST(customer_id AS VARCHAR), 9, '0') AS customer_id"
    key = "customer_id" if ids == "int" else "'c' || lpad(CAST(customer_id AS VARCHAR), 9, '0')"
    order = f"{key}, date" if layout == "sorted" else "date"
    tmp = path.with_suffix(".part")
    con.execute(f"COPY (SELECT {cid}, date, amount FROM read_parquet({sql_str(base)}) ORDER BY {order}) "
                f"TO {sql_str(tmp)} (FORMAT parquet)")
    con.close()
    tmp.rename(path)
    return path


CHILD = r"""
import json, os, resource, statistics, sys, time, warnings
warnings.simplefilter("ignore")
contender, path, repeat, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
END = "1998-06-30"

import duckdb, numpy, pandas   # imported before any clock starts, for every contender

def load():
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    df = con.execute("SELECT * FROM read_parquet(" + "'" + path.replace("'", "''") + "'" + ")").df()
    con.close()
    return df

load_s = load_cpu = 0.0
if contender not in ("duckdb-file", "duckdb-sql", "duckdb-output"):
    t, c = time.perf_counter(), time.process_time()
    frame = load()
    load_s, load_cpu = time.perf_counter() - t, time.process_time() - c
spill = os.path.join(os.path.dirname(path), "spill")
target = os.path.join(os.path.dirname(path), f"summary_{os.getpid()}.parquet")
if contender == "lifetimes":
    from lifetimes.utils import summary_data_from_transaction_data
    run = lambda: summary_data_from_transaction_data(frame, "customer_id", "date", monetary_value_col="amount",
                                                     observation_period_end=END, freq="D", freq_multiplier=7)
else:
    from crm_lessons import summary as S
    S._connect().close()          # DuckDB's first connection (extension loading) outside the clock
    if contender == "pandas":
        run = lambda: S.customer_summary(frame, amount_col="amount", observation_end=END)
    elif contender == "duckdb-frame":
        run = lambda: S.customer_summary(frame, amount_col="amount", observation_end=END, engine="duckdb",
                                         duplicates="keep", memory_limit=limit)
    elif contender == "duckdb-output":
        run = lambda: S.customer_summary(path, amount_col="amount", observation_end=END, engine="duckdb",
                                         memory_limit=limit, temp_directory=spill, output=target, force=True)
    else:
        if contender == "duckdb-sql":
            S._IN_MEMORY_BYTES_PER_ROW = S._IN_MEMORY_BYTES_PER_TEXT_ROW = 10**15
        run = lambda: S.customer_summary(path, amount_col="amount", observation_end=END, engine="duckdb",
                                         memory_limit=limit, temp_directory=spill)
walls, cpus = [], []
for _ in range(repeat):
    c0, t0 = time.process_time(), time.perf_counter()
    out = run()
    walls.append(time.perf_counter() - t0)
    cpus.append(time.process_time() - c0)
if contender == "duckdb-output":
    import duckdb
    c = duckdb.connect()
    fp = list(c.execute("SELECT COUNT(*), SUM(frequency), SUM(recency), SUM(\"T\"), SUM(monetary_value) FROM "
                        "read_parquet(?)", [target]).fetchone())
    c.close()
    os.remove(target)
else:
    out = out.sort_index()
    fp = [len(out)] + [float(out[c].sum()) for c in ("frequency", "recency", "T", "monetary_value")]
try:
    peak = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0] / 1024
except (OSError, IndexError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"walls": walls, "cpus": cpus, "load_s": load_s, "load_cpu": load_cpu, "peak_mb": peak, "fingerprint": fp}))
"""


def run_child(contender: str, path: Path, repeat: int, limit: str, timeout: float | None) -> dict:
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    try:
        r = subprocess.run([sys.executable, "-c", CHILD, contender, str(path), str(repeat), limit],
                           capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s"}
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["failed"])[-1][:80]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def limit_bytes(text: str) -> float:
    import re

    m = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?i?B)\s*", text, re.IGNORECASE)
    units = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30,
             "TIB": 2**40}
    return float(m.group(1)) * units[m.group(2).upper()] if m else float("nan")


#: The documented ceiling of a whole summarising process on the DuckDB file path: DuckDB's memory_limit
#: plus the interpreter, numpy/pandas/DuckDB libraries and result chunks in flight (docs/large_logs.md).
OVERHEAD_MB = 512


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--big", action="store_true", help="100 million rows, file engine only")
    ap.add_argument("--repeat", type=int, default=None,
                    help="interleaved rounds, median reported (default 3; 1 with --big, ~5 min a run)")
    ap.add_argument("--lifetimes-timeout", type=float, default=120.0)
    ap.add_argument("--memory-limit", default="2GB", help="DuckDB memory ceiling")
    ap.add_argument("--layouts", nargs="+", default=["sorted", "time"])
    ap.add_argument("--ids", nargs="+", default=["int", "str"])
    ap.add_argument("--contenders", nargs="+",
                    default=["pandas", "duckdb-frame", "duckdb-file", "duckdb-sql", "lifetimes"])
    args = ap.parse_args(argv)
    sizes = [100_000_000] if args.big else args.rows
    if args.repeat is None:
        args.repeat = 1 if args.big else 3
    contenders = args.contenders
    if args.big and contenders == ap.get_default("contenders"):
        contenders = ["duckdb-file", "duckdb-output"]
    if args.big:   # one 100M log (time-ordered, integer ids: the layout researchers have) unless asked
        args.layouts = ["time"] if args.layouts == ap.get_default("layouts") else args.layouts
        args.ids = ["int"] if args.ids == ap.get_default("ids") else args.ids
    try:
        import lifetimes  # noqa: F401
    except ImportError:
        contenders = [c for c in contenders if c != "lifetimes"]
        print("lifetimes not installed: its column is skipped (.venv/bin/pip install lifetimes)")
    ceiling = limit_bytes(args.memory_limit) / 2**20 + OVERHEAD_MB
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
          f"DuckDB memory_limit={args.memory_limit}, {args.repeat} interleaved rounds "
          f"(lifetimes stopped past {args.lifetimes_timeout:.0f} s)")
    head = (f"{'rows':>11} {'layout':<7} {'ids':<4} {'contender':<13} {'median s':>9} {'+load s':>8} "
            f"{'cpu s':>7} {'peak MB':>8} {'ratio':>7} {'paired':>7} {'cpu ratio':>9}  check")
    for rows in sizes:
        for layout in args.layouts:
            for ids in args.ids:
                t0 = time.perf_counter()
                path = dataset(rows, layout, ids)
                made = time.perf_counter() - t0
                print(f"\n{rows:,} rows, {layout}, {ids} ids: {path.relative_to(ROOT)} "
                      f"({path.stat().st_size / 1e6:.0f} MB{'' if made < 1 else f', written in {made:.0f} s'})")
                runs: dict[str, list[dict]] = {c: [] for c in contenders}
                errors: dict[str, str] = {}
                for _ in range(args.repeat):              # interleaved: every contender once per round
                    for c in contenders:
                        if c in errors:
                            continue
                        r = run_child(c, path, 1, args.memory_limit,
                                      2 * args.lifetimes_timeout if c == "lifetimes" else None)
                        if "error" in r:
                            errors[c] = r["error"]
                        else:
                            runs[c].append(r)
                print(head)
                med = {c: statistics.median(r["walls"][0] for r in rs) for c, rs in runs.items() if rs}
                cpu = {c: statistics.median(r["cpus"][0] for r in rs) for c, rs in runs.items() if rs}
                load = {c: statistics.median(r["load_s"] for r in rs) for c, rs in runs.items() if rs}
                load_cpu = {c: statistics.median(r["load_cpu"] for r in rs) for c, rs in runs.items() if rs}
                ref = next((rs[0]["fingerprint"] for rs in runs.values() if rs), None)
                lt = runs.get("lifetimes") or []
                for c in contenders:
                    if c in errors:
                        print(f"{rows:>11,} {layout:<7} {ids:<4} {c:<13} {errors[c]}")
                        continue
                    rs = runs[c]
                    peak = max(r["peak_mb"] for r in rs)
                    if lt and c != "lifetimes":
                        ratio = f"{med['lifetimes'] / med[c]:6.1f}x"
                        pairs = [a["walls"][0] / b["walls"][0] for a, b in zip(lt, rs)]
                        paired = f"{statistics.median(pairs):6.1f}x"
                        cpu_ratio = f"{cpu['lifetimes'] / cpu[c]:8.1f}x"
                    else:
                        ratio = paired = "      -"
                        cpu_ratio = "        -"
                    fp = rs[0]["fingerprint"]
                    same = fp[0] == ref[0] and all(abs(a - b) <= 1e-9 * max(1.0, abs(b))
                                                   for a, b in zip(fp[1:], ref[1:]))
                    check = "same numbers" if same else f"DIFFERENT {fp} vs {ref}"
                    if c.startswith("duckdb-") and c != "duckdb-frame":
                        check += f"; peak {'under' if peak <= ceiling else 'OVER'} {ceiling:.0f} MB"
                    print(f"{rows:>11,} {layout:<7} {ids:<4} {c:<13} {med[c]:9.2f} {med[c] + load[c]:8.2f} "
                          f"{cpu[c]:7.2f} {peak:8.0f} {ratio} {paired} {cpu_ratio}  {check}")
                if "pandas" in med:
                    p_rounds = [r["walls"][0] + r["load_s"] for r in runs["pandas"]]
                    p_cpu = cpu["pandas"] + load_cpu["pandas"]
                    for f in ("duckdb-file", "duckdb-sql", "duckdb-output"):
                        if f in med:
                            pairs = [a / b["walls"][0] for a, b in zip(p_rounds, runs[f])]
                            print(f"{'':>11} file/+load: {f} vs pandas with its load: wall {med[f]:.2f} s vs "
                                  f"{statistics.median(p_rounds):.2f} s (paired {statistics.median(pairs):.2f}x), "
                                  f"CPU {cpu[f]:.2f} s vs {p_cpu:.2f} s ({p_cpu / cpu[f]:.2f}x): "
                                  f"{'faster' if statistics.median(pairs) > 1 and p_cpu > cpu[f] else 'NOT faster on both'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
