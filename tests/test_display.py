"""Tables: no cell text cut to "…" in any notebook output or package table; tidy() frames read right."""

from __future__ import annotations

import html
import importlib
import pkgutil
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

import crm_lessons
from crm_lessons.display import DISPLAY_OPTIONS, tidy, use_display

ROOT = Path(__file__).resolve().parents[1]
CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
CUT = ("...", "…")


def truncated_cells(table_html: str) -> list[str]:
    """Cell texts of an HTML table that end in '...' or '…' (pandas' cut marks for text, rows and columns)."""
    cells = [html.unescape(TAG.sub("", c)).strip() for c in CELL.findall(table_html)]
    return [c for c in cells if c.endswith(CUT)]


def truncated_plain(text: str) -> list[str]:
    """Lines of a text table that pandas cut: a '...' column/row marker or a cell ending in '...'."""
    return [ln for ln in text.splitlines() if re.search(r"(\.\.\.|…)(\s|$)", ln)]


def _notebooks() -> list[Path]:
    return sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(ROOT.glob("notebooks/case_studies/*.ipynb"))


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.stem)
def test_stored_table_outputs_have_no_cut_cells(path):
    nb = nbformat.read(path, as_version=4)
    bad = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            page = data.get("text/html", "")
            if isinstance(page, list):
                page = "".join(page)
            if "<table" in page:
                bad += [(i, c[:60]) for c in truncated_cells(page)]
            elif out.get("output_type") == "execute_result" and "text/plain" in data:
                plain = data["text/plain"] if isinstance(data["text/plain"], str) else "".join(data["text/plain"])
                if "\n" in plain.strip():
                    bad += [(i, ln[:60]) for ln in truncated_plain(plain)]
    assert not bad, f"{path.name}: table cells cut short (cell index, text): {bad[:8]}"


def _package_tables() -> list[tuple[str, pd.DataFrame]]:
    found = []
    for mod in pkgutil.iter_modules(crm_lessons.__path__):
        if mod.name.startswith("_") or mod.name in {"cli", "runner", "__main__"}:
            continue
        try:
            module = importlib.import_module(f"crm_lessons.{mod.name}")
        except Exception:  # optional dependency missing: that module's own tests report it
            continue
        for attr, value in vars(module).items():
            if isinstance(value, pd.DataFrame) and not attr.startswith("_") and len(value):
                found.append((f"{mod.name}.{attr}", value))
    return found


def test_package_tables_render_whole_after_use_theme():
    from crm_lessons import plotting

    plotting.use_theme()
    tables = _package_tables()
    bad = {name: truncated_cells(df._repr_html_())[:3] for name, df in tables}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, f"package tables cut short in HTML: {bad}"
    bad_plain = {name: truncated_plain(repr(df))[:2] for name, df in tables if truncated_plain(repr(df))}
    assert not bad_plain, f"package tables cut short as text: {bad_plain}"


def test_long_text_wide_and_long_frames_show_whole():
    use_display()
    long_text = "the customer can reach the firm in the channel they choose, at a time that suits them " * 3
    frames = [pd.DataFrame({"condition": [long_text], "why": [long_text]}),
              pd.DataFrame(np.arange(40 * 3).reshape(3, 40), columns=[f"feature {i}" for i in range(40)]),
              pd.DataFrame({"customer": range(150), "revenue (GBP)": np.linspace(0, 1, 150)})]
    for df in frames:
        assert truncated_cells(df._repr_html_()) == []
        assert truncated_plain(repr(df)) == []


def test_display_options_live_in_one_place():
    use_display()
    for key, value in DISPLAY_OPTIONS.items():
        assert pd.get_option(key) == value
    offenders = []
    for path in _notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and ("pd.set_option" in cell.source or "pd.options.display" in cell.source):
                offenders.append(path.name)
    assert not offenders, f"set display options in crm_lessons.display, not in notebooks: {sorted(set(offenders))}"


def test_tidy_series_has_no_dtype_footer_and_counts_are_integers():
    s = pd.Series([120.0, 80.0], index=pd.Index(["loyal", "new"], name="segment"), name="customers")
    out = tidy(s)
    assert list(out.columns) == ["segment", "customers"]
    assert out["customers"].dtype == "int64"
    assert "dtype" not in repr(out)
    assert s.dtype == "float64"  # the input is not changed


def test_tidy_formats_tiny_p_values_and_keeps_others():
    df = pd.DataFrame({"term": ["a", "b"], "coef": [0.5, -0.2], "p-value": [0.0, 0.2345]})
    out = tidy(df)
    assert out["p-value"].tolist() == ["< 0.001", "0.234"]
    assert df["p-value"].tolist() == [0.0, 0.2345]


def test_tidy_tuple_needs_one_name_per_value():
    with pytest.raises(ValueError, match="one name per value"):
        tidy((1.0, 2.0), columns=["only one"])


def test_tidy_keeps_shares_of_zero_and_one_as_floats():
    out = tidy(pd.DataFrame({"share": [0.0, 1.0]}))
    assert out["share"].dtype == "float64"
