"""Benchmark: the customer summary on 1, 10 and 50 million transactions, pandas versus DuckDB.

Chapter 9 ("mining massive customer data") compares two ways of computing the same customer summary
(frequency, recency, age, purchases, revenue per customer; :data:`crm_lessons.massive.SUMMARY_SQL`):

- **pandas**: read every row into memory, then group by customer;
- **DuckDB**: run the SQL on the Parquet files out of core, under a memory limit (default 2GB), and
  return the summary to Python as a data frame;
- **duckdb_parquet**: the same, but DuckDB writes the summary (one row per customer) to a Parquet file
  instead, so it never enters Python.

For each size the script writes synthetic transactions (:func:`crm_lessons.massive.write_transactions`,
CDNOW-like customers from :func:`crm_lessons.datasets.make_transactions`) to Parquet in a temporary
folder, then measures each engine in a fresh Python process (:func:`crm_lessons.massive.measure`):
wall seconds (reading included) and the process's peak resident memory (VmHWM). It prints one line
per run as it goes and the whole table at the end. Not a test.

Usage::

    .venv/bin/python benchmarks/bench_mining.py                       # 1M, 10M, 50M rows
    .venv/bin/python benchmarks/bench_mining.py --sizes 1e6 1e7       # quicker
    .venv/bin/python benchmarks/bench_mining.py --memory-limit 1GB --engines duckdb

Writing 50 million rows takes a few minutes and about 1 GB of disk; pandas needs several GB of memory
at that size.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import pandas as pd

from crm_lessons import massive


def _size(text: str) -> int:
    value = float(text.replace("_", ""))
    if value < 1 or value != int(value):
        raise argparse.ArgumentTypeError(f"sizes must be whole numbers of rows >= 1, got {text!r}")
    return int(value)


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=_size, default=[1_000_000, 10_000_000, 50_000_000],
                        help="numbers of transactions (e.g. 1e6 1e7 5e7)")
    parser.add_argument("--engines", nargs="+", choices=["pandas", "duckdb", "duckdb_parquet"],
                        default=["pandas", "duckdb", "duckdb_parquet"])
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory limit (default 2GB)")
    parser.add_argument("--end-day", type=int, default=545, help="last day observed (days since 1997-01-01)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folder", default=None, help="where to write the Parquet files (default: a temp dir)")
    args = parser.parse_args(argv)

    print(f"# crm-lessons bench_mining | {platform.python_version()} | {os.cpu_count()} CPUs | "
          f"DuckDB memory limit {args.memory_limit} | {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"{'rows':>12} {'customers':>10} {'write s':>8} {'engine':>7} {'seconds':>8} {'peak MB':>8}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="crm-bench-mining-", dir=args.folder) as tmp:
        for n in args.sizes:
            sub = Path(tmp) / f"rows_{n}"
            info = massive.write_transactions(sub, n, seed=args.seed, overwrite=True)
            for engine in args.engines:
                m = massive.measure(engine, (sub / "*.parquet").as_posix(), end_day=args.end_day,
                                    memory_limit=args.memory_limit)
                rows.append({"rows": info["rows"], "customers": m["customers"], "write_seconds": info["seconds"],
                             "engine": engine, "seconds": m["seconds"], "peak_mb": m["peak_mb"]})
                print(f"{info['rows']:>12,} {m['customers']:>10,} {info['seconds']:>8.1f} {engine:>7} "
                      f"{m['seconds']:>8.2f} {m['peak_mb']:>8.0f}", flush=True)
            for part in sub.glob("*.parquet"):  # free the disk before the next (larger) size
                part.unlink()
    table = pd.DataFrame(rows)
    wide = table.pivot_table(index="rows", columns="engine", values=["seconds", "peak_mb"])
    print("\nSummary (seconds and peak memory in MB, per engine):")
    print(wide.round(2).to_string())
    return table


if __name__ == "__main__":
    main()
