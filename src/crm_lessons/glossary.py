"""The workbook's glossary: every key term in English and Chinese, with a definition and its chapter.

Terms live in small CSV files in ``crm_lessons/_glossary/`` (``course.csv`` for the course's key terms;
a chapter may add ``<chapter>.csv``; ``labels.csv`` holds chart words such as axis labels). Columns:
``en``, ``zh``, ``definition``, ``chapter``. :mod:`crm_lessons.plotting` translates chart labels through
:func:`translate`.

The glossary (:func:`terms`, :func:`search`, :func:`lookup`, the appendix page) holds course terms only.
Chart words are a separate table, :func:`labels`: every row of ``labels.csv`` plus rows of a chapter file
that are chart words rather than terms (a definition starting "Chart word", "Chart title" or "Chart
label", a data category such as "Complaint channel", or a variable name such as ``log_roc``). Both
tables translate chart labels.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ._validate import CRMInputError

__all__ = ["terms", "labels", "lookup", "search", "translate", "is_chart_label"]

_DIR = Path(__file__).resolve().parent / "_glossary"


_LABEL_DEFINITION = re.compile(
    r"^\s*chart (?:word|title|label)\b|\(chart label\)|^\s*(?:complaint (?:category|channel)|severity level)\s*$", re.I)
_VARIABLE_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def is_chart_label(en: str, definition: str = "") -> bool:
    """True for a chart word (axis label, chart title, data category, variable name), not a course term.

    >>> is_chart_label("agents", "Number of agents (chart label)"), is_chart_label("log_roc")
    (True, True)
    >>> is_chart_label("churn rate", "Share of customers who leave in a period")
    False
    """
    return bool(_LABEL_DEFINITION.search(str(definition or ""))) or bool(_VARIABLE_NAME.match(str(en).strip()))


@lru_cache(maxsize=1)
def _all_rows() -> pd.DataFrame:
    frames = []
    for path in sorted(_DIR.glob("*.csv")):
        if path.name == "labels.csv":
            continue
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = {"en", "zh", "definition", "chapter"} - set(df.columns)
        if missing:
            raise RuntimeError(f"glossary file {path.name} lacks columns {sorted(missing)}")
        frames.append(df[["en", "zh", "definition", "chapter"]])
    out = pd.concat(frames, ignore_index=True)
    dup = out["en"].str.lower().duplicated(keep=False)
    if dup.any():
        raise RuntimeError(f"glossary: terms defined twice: {sorted(set(out.loc[dup, 'en']))}")
    return out.sort_values("en", key=lambda s: s.str.lower()).reset_index(drop=True)


@lru_cache(maxsize=1)
def _terms() -> pd.DataFrame:
    rows = _all_rows()
    mask = [not is_chart_label(en, d) for en, d in zip(rows["en"], rows["definition"])]
    return rows[mask].reset_index(drop=True)


def labels() -> pd.DataFrame:
    """The chart-label table (``en``, ``zh``, ``source``): labels.csv and the chart words of chapter files.

    These translate axis labels and chart titles for ``plotting.use_language("zh")``; they are not
    glossary entries.

    >>> lab = labels()
    >>> list(lab.columns), bool((lab["source"] == "labels.csv").any())
    (['en', 'zh', 'source'], True)
    """
    lab = pd.read_csv(_DIR / "labels.csv", dtype=str, keep_default_na=False)[["en", "zh"]]
    lab["source"] = "labels.csv"
    rows = _all_rows()
    mask = [is_chart_label(en, d) for en, d in zip(rows["en"], rows["definition"])]
    extra = rows.loc[mask, ["en", "zh", "chapter"]].rename(columns={"chapter": "source"})
    out = pd.concat([lab, extra], ignore_index=True)
    return out.drop_duplicates("en").sort_values("en", key=lambda s: s.str.lower()).reset_index(drop=True)


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    lab = pd.read_csv(_DIR / "labels.csv", dtype=str, keep_default_na=False)
    table = {en.lower(): zh for en, zh in zip(lab["en"], lab["zh"])}
    t = _all_rows()  # chart words of chapter files translate too
    table.update({en.lower(): zh for en, zh in zip(t["en"], t["zh"])})
    return table


def terms(chapter: str | None = None) -> pd.DataFrame:
    """Return the glossary as a data frame (``en``, ``zh``, ``definition``, ``chapter``).

    Parameters
    ----------
    chapter : str, optional
        Keep only terms taught in this chapter (e.g. ``"01_customer_value"``).

    Examples
    --------
    >>> t = terms()
    >>> t.loc[t["en"] == "customer lifetime value", "zh"].item()
    '客户终生价值'
    """
    t = _terms().copy()
    if chapter is not None:
        t = t[t["chapter"] == chapter].reset_index(drop=True)
    return t


def lookup(term: str) -> pd.Series:
    """Return the glossary row for ``term`` (English or Chinese, case-insensitive).

    Raises
    ------
    CRMInputError
        The term is not in the glossary; the message suggests close matches.
    """
    t = _terms()
    key = str(term).strip().lower()
    hit = t[(t["en"].str.lower() == key) | (t["zh"] == term)]
    if hit.empty:
        close = search(term)["en"].head(5).tolist()
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise CRMInputError(f"lookup: {term!r} is not in the glossary.{hint}")
    return hit.iloc[0]


def search(text: str) -> pd.DataFrame:
    """Return the terms whose English, Chinese or definition contains ``text`` (case-insensitive).

    Examples
    --------
    >>> "churn rate" in search("流失")["en"].tolist()
    True
    """
    t = _terms()
    q = str(text).strip().lower()
    mask = (t["en"].str.lower().str.contains(q, regex=False)
            | t["zh"].str.contains(str(text).strip(), regex=False)
            | t["definition"].str.lower().str.contains(q, regex=False))
    return t[mask].reset_index(drop=True)


def translate(text: str, lang: str = "zh") -> str | None:
    """Return the Chinese for a term or chart label, or ``None`` when the glossary has none.

    ``lang="en"`` returns ``text`` unchanged.
    """
    if lang == "en":
        return text
    return _labels().get(str(text).strip().lower())
