"""Tables that read on a projector: no cut-off text, tidy frames, p-values and counts shown right.

:func:`use_display` sets pandas' display options in one place; :func:`crm_lessons.plotting.use_theme`
(every chapter's set-up cell) calls it, so no notebook sets options itself. :func:`tidy` turns what an
analysis returns (a Series, a tuple, a dict, a frame) into a tidy DataFrame to print.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

import numpy as np
import pandas as pd

__all__ = ["DISPLAY_OPTIONS", "use_display", "tidy", "format_p_value", "translate_table", "use_table_language",
           "active_language"]

#: pandas display options for every chapter: show whole cell text (the lists taught are text), every
#: column and up to 200 rows; floats with 4 significant digits; no MathJax inside tables (so "$" in
#: a label stays a dollar sign).
DISPLAY_OPTIONS: dict[str, Any] = {
    "display.max_colwidth": None,
    "display.max_columns": 60,
    "display.max_rows": 200,
    "display.min_rows": 20,
    "display.width": 160,
    "display.precision": 4,
    "display.html.use_mathjax": False,
    "display.show_dimensions": False,
}


def use_display() -> None:
    """Apply :data:`DISPLAY_OPTIONS` (called by ``plotting.use_theme``).

    >>> use_display()
    >>> pd.get_option("display.max_colwidth") is None
    True
    """
    for key, value in DISPLAY_OPTIONS.items():
        pd.set_option(key, value)


def format_p_value(p: float, digits: int = 3) -> str:
    """One p-value as text: ``"< 0.001"`` when tiny, else rounded.

    >>> format_p_value(0.0), format_p_value(0.0312), format_p_value(float("nan"))
    ('< 0.001', '0.031', '')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    floor = 10.0 ** -digits
    return f"< {floor:.{digits}f}" if p < floor else f"{p:.{digits}f}"


def _is_p_column(name: Any) -> bool:
    text = str(name).strip().lower()
    return text in {"p", "p-value", "p value", "pvalue", "p_value", "p>|z|", "p>|t|", "pr(>|z|)"} \
        or text.startswith(("p-value", "p value", "p_value")) or text.endswith((" p", "(p)", "p-value"))


def _integer_like(s: pd.Series) -> bool:
    if not pd.api.types.is_float_dtype(s):
        return False
    vals = s.dropna()
    # whole numbers, not just 0/1 (a share of 0.0 and 1.0 stays a share)
    return len(vals) > 0 and bool(np.all(np.isfinite(vals))) and bool(np.all(vals == np.round(vals))) \
        and bool((vals.abs() < 2**53).all()) and bool((vals.abs() > 1).any())


def tidy(obj: Any, *, name: str | None = None, index: str | None = None,
         columns: Iterable[str] | None = None, p_columns: Iterable[str] | None = None,
         counts: Iterable[str] | None = None) -> pd.DataFrame:
    """A tidy DataFrame to print, from a Series, tuple, list, dict, scalar or frame.

    * a Series becomes two columns (its index and ``name``), no ``dtype:`` footer;
    * a tuple/list of numbers becomes one row (``columns`` names them), of pairs becomes rows;
    * a dict becomes one row per key (``index`` names the key column, ``name`` the value column);
    * p-value columns (named like "p", "p-value", or listed in ``p_columns``) become text "< 0.001";
    * float columns that hold whole numbers (counts), or listed in ``counts``, become integers.

    The input is never changed.

    >>> tidy(pd.Series({"a": 3.0, "b": 4.0}, name="customers"), index="segment")
      segment  customers
    0       a          3
    1       b          4
    >>> tidy((0.12, 1e-9), columns=["effect", "p-value"])
       effect  p-value
    0    0.12  < 0.001
    >>> tidy({"recall": 0.5, "precision": 0.25}, index="measure", name="value")
         measure  value
    0     recall   0.50
    1  precision   0.25
    """
    if isinstance(obj, pd.DataFrame):
        df = obj.copy()
        if not isinstance(df.index, pd.RangeIndex) or df.index.name is not None:
            df = df.reset_index()
    elif isinstance(obj, pd.Series):
        s = obj.copy()
        value_name = name or (str(s.name) if s.name is not None else "value")
        key_name = index or (str(s.index.name) if s.index.name is not None else "item")
        df = s.rename(value_name).rename_axis(key_name).reset_index()
    elif isinstance(obj, dict):
        df = pd.DataFrame({index or "item": list(obj.keys()), name or "value": list(obj.values())})
    elif isinstance(obj, (tuple, list, np.ndarray)):
        items = list(obj)
        if items and all(isinstance(i, (tuple, list)) and len(i) == 2 for i in items):
            df = pd.DataFrame(items, columns=list(columns) if columns else [index or "item", name or "value"])
        else:
            cols = list(columns) if columns else [f"value {i + 1}" for i in range(len(items))]
            if len(cols) != len(items):
                raise ValueError(f"tidy: {len(items)} values but {len(cols)} column names {cols}; "
                                 "pass one name per value in columns=[...]")
            df = pd.DataFrame([items], columns=cols)
    else:
        df = pd.DataFrame({name or "value": [obj]})
    if columns is not None and not isinstance(obj, (tuple, list, np.ndarray)):
        cols = list(columns)
        if len(cols) != df.shape[1]:
            raise ValueError(f"tidy: the table has {df.shape[1]} columns {list(df.columns)} but columns= names "
                             f"{len(cols)}; pass one name per column")
        df.columns = cols
    p_cols = set(p_columns or ()) | {c for c in df.columns if _is_p_column(c)}
    count_cols = set(counts or ())
    for col in df.columns:
        if col in p_cols and pd.api.types.is_numeric_dtype(df[col]):
            df[col] = [format_p_value(float(v)) for v in df[col]]
        elif col in count_cols or _integer_like(df[col]):
            if df[col].isna().any():
                df[col] = df[col].astype("Int64")
            else:
                df[col] = df[col].astype("int64")
    return df


#: Text cells are translated only in frames up to this many rows (headers always are): a chapter prints
#: small tables; a large frame shown by mistake should not cost a glossary lookup per cell.
TRANSLATE_MAX_ROWS = 5000


_UNIT = re.compile(r"^(?P<base>.*?)\s*(?P<unit>\((?:%|\$|yuan|days?|weeks?|months?|years?|hours?|seconds?|minutes?)\))$")


def _zh(value: Any, table: dict[str, str]) -> Any:
    """One label in Chinese: as written, with ``_`` read as a space, and with a unit such as ``(%)`` kept.

    >>> _zh("odds_ratio", {"odds ratio": "优势比"}), _zh("response (%)", {"response": "响应率"})
    ('优势比', '响应率 (%)')
    """
    if isinstance(value, tuple):
        return tuple(_zh(v, table) for v in value)
    if not isinstance(value, str):
        return value
    key = value.strip().lower()
    m = _UNIT.match(key)
    base, unit = (m.group("base"), " " + m.group("unit")) if m else (key, "")
    for k in (key, key.replace("_", " "), base, base.replace("_", " ")):
        if k in table:
            return table[k] + (unit if k in (base, base.replace("_", " ")) and k != key else "")
    return value


def translate_table(obj: pd.DataFrame | pd.Series, lang: str = "zh") -> pd.DataFrame | pd.Series:
    """A copy of a table with its headers, index labels and text cells in ``lang``, via the glossary.

    Column names, index names and labels, and text cells that the glossary (terms and chart words)
    knows are translated; anything else (numbers, names, text the glossary lacks) stays as it is. The
    input is never changed. ``lang="en"`` returns a copy unchanged. The Chinese edition's notebooks
    print every table through this (:func:`use_table_language`).

    >>> df = pd.DataFrame({"segment": ["churn rate", "Smith"], "customers": [3, 4]})
    >>> zh = translate_table(df)
    >>> zh.columns.tolist(), zh.iloc[:, 0].tolist()
    (['细分群', '客户'], ['客户流失率', 'Smith'])
    >>> df.columns.tolist()
    ['segment', 'customers']
    """
    out = obj.copy()
    if lang == "en":
        return out
    from .glossary import _labels

    table = _labels()
    def rename(idx: pd.Index) -> pd.Index:
        new = idx.map(lambda v: _zh(v, table)) if idx.dtype == object or pd.api.types.is_string_dtype(idx) \
            or isinstance(idx, pd.MultiIndex) else idx.copy()
        new.names = [_zh(n, table) for n in idx.names]
        return new

    out.index = rename(out.index)
    if isinstance(out, pd.DataFrame):
        out.columns = rename(out.columns)
        if len(out) <= TRANSLATE_MAX_ROWS:
            for i in range(out.shape[1]):
                col = out.iloc[:, i]
                if pd.api.types.is_string_dtype(col) or col.dtype == object:
                    out.isetitem(i, col.map(lambda v: _zh(v, table)))
    else:
        out.name = _zh(out.name, table)
        if len(out) <= TRANSLATE_MAX_ROWS and (pd.api.types.is_string_dtype(out) or out.dtype == object):
            out = out.map(lambda v: _zh(v, table))
    return out


def _html(obj: Any) -> str | None:
    return translate_table(obj)._repr_html_() if isinstance(obj, pd.DataFrame) else None


def _plain(obj: Any, p: Any, cycle: bool) -> None:
    p.text(repr(translate_table(obj)))


def active_language() -> str:
    """The workbook's language, ``"en"`` or ``"zh"`` (set by ``plotting.use_language`` or a chapter's
    ``lang`` parameter), read without importing matplotlib for it.

    >>> active_language() in ("en", "zh")
    True
    """
    import sys

    core = sys.modules.get("crm_lessons.plotting._core")
    return core.current_language() if core is not None else "en"


def use_table_language(lang: str = "en") -> None:
    """Print every table in Jupyter in ``lang``: Chinese headers and labels when ``"zh"`` (IPython only).

    Called by :func:`crm_lessons.plotting.use_language`, so a chapter's ``lang`` parameter switches its
    tables as well as its charts. Only the display changes: the frames themselves keep English names.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    ip = get_ipython()
    if ip is None:
        return
    html = ip.display_formatter.formatters["text/html"]
    plain = ip.display_formatter.formatters["text/plain"]
    for kind in (pd.DataFrame, pd.Series):
        for fmt in (html, plain):
            fmt.pop(kind, None)
    if lang == "zh":
        html.for_type(pd.DataFrame, _html)
        for kind in (pd.DataFrame, pd.Series):
            plain.for_type(kind, _plain)
