"""The summary written straight to Parquet by DuckDB (massive.summary_duckdb_to_parquet, Chapter 9)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from crm_lessons import massive
from crm_lessons._validate import CRMInputError


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tx")
    massive.write_transactions(folder, 20_000, seed=3)
    return (folder / "*.parquet").as_posix()


def test_summary_written_to_parquet_equals_the_summary_returned_to_python(parts, tmp_path):
    target = tmp_path / "summary.parquet"
    n = massive.summary_duckdb_to_parquet(parts, target, end_day=545, memory_limit="256MB")
    written = duckdb.sql(f"SELECT * FROM read_parquet('{target.as_posix()}')").df()
    returned = massive.summary_duckdb(parts, end_day=545)
    assert n == len(returned)
    pd.testing.assert_frame_equal(massive._tidy(written), returned)


def test_summary_to_parquet_rejects_frames_missing_files_and_existing_targets(parts, tmp_path):
    tx = pd.DataFrame({"customer_id": [1], "day": [0], "amount": [1.0]})
    with pytest.raises(CRMInputError, match="not a DataFrame"):
        massive.summary_duckdb_to_parquet(tx, tmp_path / "a.parquet", end_day=10)
    with pytest.raises(CRMInputError, match="no Parquet file matches"):
        massive.summary_duckdb_to_parquet((tmp_path / "none-*.parquet").as_posix(), tmp_path / "b.parquet", end_day=10)
    (tmp_path / "c.parquet").write_bytes(b"")
    with pytest.raises(CRMInputError, match="already exists"):
        massive.summary_duckdb_to_parquet(parts, tmp_path / "c.parquet", end_day=10)


def test_measure_runs_the_parquet_engine_in_a_subprocess(parts):
    m = massive.measure("duckdb_parquet", parts, end_day=545)
    assert m["customers"] == len(massive.summary_duckdb(parts, end_day=545)) and m["peak_mb"] > 0


def test_summary_to_parquet_overwrites_only_with_force_and_never_its_input(parts, tmp_path):
    target = tmp_path / "s.parquet"
    n = massive.summary_duckdb_to_parquet(parts, target, end_day=545, memory_limit="256MB")
    with pytest.raises(CRMInputError, match="pass force=True"):
        massive.summary_duckdb_to_parquet(parts, target, end_day=545)
    assert massive.summary_duckdb_to_parquet(parts, target, end_day=30, force=True) < n
    first_part = sorted(__import__("glob").glob(parts))[0]
    with pytest.raises(CRMInputError, match="one of the input files"):
        massive.summary_duckdb_to_parquet(parts, first_part, end_day=545, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.parquet"]
