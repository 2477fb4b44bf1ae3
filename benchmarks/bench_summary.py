"""Benchmark: customer summaries at the scale researchers have (issue 18).

Every contender runs in its own subprocess on the same cached Parquet log, so peak memory (the
process's high-water mark, VmHWM; ru_maxrss where /proc is missing) and CPU time are its own:

* ``pandas``          crm_lessons.summary.customer_summary(frame, engine="pandas")
* ``duckdb-frame``    the same with engine="duckdb" on the in-memory frame
* ``duckdb-file``     engine="duckdb" straight from the Parquet file (reading included), memory_limit set
* ``lifetimes``       lifetimes.utils.summary_data_from_transaction_data(freq="D", freq_multiplier=7),
                      stopped past ``--lifetimes-timeout`` seconds (120)

Layouts: sorted by customer and in time order (as logs are recorded), integer and string ids.
Frame contenders load the file first (``load s``, not in ``median s``); ``+load`` adds it, for a fair
comparison with ``duckdb-file``. ``ratio`` = lifetimes median / contender median on the same layout.
Every contender's summary is fingerprinted (customers and column sums); a mismatch is printed.

Usage::

    .venv/bin/python benchmarks/bench_summary.py                       # 1M and 10M rows
    .venv/bin/python benchmarks/bench_summary.py --rows 1000000        # quick
    .venv/bin/python benchmarks/bench_summary.py --big                 # 100M time-ordered rows, DuckDB file engine
    make benchmark-100m

Data: a synthetic log written once by DuckDB into ``.cache/bench_summary/`` (about 0.36 customers per
row, so ~3.6 million customers at 10M rows; days 1997-01-01 .. 1998-06-30 with a time of day; amounts
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

def load():
    import duckdb
    con = duckdb.connect()
    df = con.execute("SELECT * FROM read_parquet(" + "'" + path.replace("'", "''") + "'" + ")").df()
    con.close()
    return df

load_s = 0.0
if contender != "duckdb-file":
    t = time.perf_counter()
    frame = load()
    load_s = time.perf_counter() - t
if contender == "lifetimes":
    from lifetimes.utils import summary_data_from_transaction_data
    run = lambda: summary_data_from_transaction_data(frame, "customer_id", "date", monetary_value_col="amount",
                                                     observation_period_end=END, freq="D", freq_multiplier=7)
else:
    from crm_lessons.summary import customer_summary
    if contender == "pandas":
        run = lambda: customer_summary(frame, amount_col="amount", observation_end=END, duplicates="keep")
    elif contender == "pandas-checked":
        run = lambda: customer_summary(frame, amount_col="amount", observation_end=END)
    elif contender == "duckdb-frame":
        run = lambda: customer_summary(frame, amount_col="amount", observation_end=END, engine="duckdb",
                                       duplicates="keep", memory_limit=limit)
    else:
        run = lambda: customer_summary(path, amount_col="amount", observation_end=END, engine="duckdb",
                                       memory_limit=limit, temp_directory=os.path.join(os.path.dirname(path), "spill"))
walls, cpus = [], []
for _ in range(repeat):
    c0, t0 = time.process_time(), time.perf_counter()
    out = run()
    walls.append(time.perf_counter() - t0)
    cpus.append(time.process_time() - c0)
out = out.sort_index()
fp = [len(out)] + [float(out[c].sum()) for c in ("frequency", "recency", "T", "monetary_value")]
try:
    peak = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0] / 1024
except (OSError, IndexError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"median_s": statistics.median(walls), "cpu_s": statistics.median(cpus), "load_s": load_s,
                  "peak_mb": peak, "runs": repeat, "fingerprint": fp}))
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--big", action="store_true", help="100 million rows, file engine (and pandas) only")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per contender (median reported)")
    ap.add_argument("--lifetimes-repeat", type=int, default=1)
    ap.add_argument("--lifetimes-timeout", type=float, default=120.0)
    ap.add_argument("--memory-limit", default="2GB", help="DuckDB memory ceiling")
    ap.add_argument("--layouts", nargs="+", default=["sorted", "time"])
    ap.add_argument("--ids", nargs="+", default=["int", "str"])
    ap.add_argument("--contenders", nargs="+",
                    default=["pandas", "duckdb-frame", "duckdb-file", "lifetimes"])
    args = ap.parse_args(argv)
    sizes = [100_000_000] if args.big else args.rows
    contenders = ["duckdb-file"] if args.big and args.contenders == ap.get_default("contenders") else args.contenders
    if args.big:   # one 100M log (time-ordered, integer ids: the layout researchers have) unless asked
        args.layouts = ["time"] if args.layouts == ap.get_default("layouts") else args.layouts
        args.ids = ["int"] if args.ids == ap.get_default("ids") else args.ids
    try:
        import lifetimes  # noqa: F401
    except ImportError:
        contenders = [c for c in contenders if c != "lifetimes"]
        print("lifetimes not installed: its column is skipped (.venv/bin/pip install lifetimes)")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, DuckDB memory_limit={args.memory_limit}, "
          f"repeat={args.repeat} (lifetimes {args.lifetimes_repeat}, stopped past {args.lifetimes_timeout:.0f} s)")
    head = (f"{'rows':>11} {'layout':<7} {'ids':<4} {'contender':<13} {'median s':>9} {'+load s':>8} "
            f"{'cpu s':>7} {'peak MB':>8} {'ratio':>7}  check")
    for rows in sizes:
        for layout in args.layouts:
            for ids in args.ids:
                t0 = time.perf_counter()
                path = dataset(rows, layout, ids)
                made = time.perf_counter() - t0
                print(f"\n{rows:,} rows, {layout}, {ids} ids: {path.relative_to(ROOT)} "
                      f"({path.stat().st_size / 1e6:.0f} MB{'' if made < 1 else f', written in {made:.0f} s'})")
                print(head)
                res = {}
                for c in contenders:
                    lt = c == "lifetimes"
                    res[c] = run_child(c, path, args.lifetimes_repeat if lt else args.repeat, args.memory_limit,
                                       args.lifetimes_timeout * (args.lifetimes_repeat + 1) if lt else None)
                ref = next((r["fingerprint"] for r in res.values() if "fingerprint" in r), None)
                t_lt = res.get("lifetimes", {}).get("median_s")
                for c, r in res.items():
                    if "error" in r:
                        print(f"{rows:>11,} {layout:<7} {ids:<4} {c:<13} {r['error']}")
                        continue
                    ratio = f"{t_lt / r['median_s']:6.1f}x" if t_lt and c != "lifetimes" else "      -"
                    same = r["fingerprint"][0] == ref[0] and all(
                        abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(r["fingerprint"][1:], ref[1:]))
                    check = "same numbers" if same else f"DIFFERENT {r['fingerprint']} vs {ref}"
                    print(f"{rows:>11,} {layout:<7} {ids:<4} {c:<13} {r['median_s']:9.2f} "
                          f"{r['median_s'] + r['load_s']:8.2f} {r['cpu_s']:7.2f} {r['peak_mb']:8.0f} {ratio}  {check}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
