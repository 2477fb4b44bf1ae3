"""The course map: each topic of the CRM course and where the workbook teaches and exercises it."""

from __future__ import annotations

from pathlib import Path

__all__ = ["course_map", "repository_root"]

# (curriculum section, topic in English, topic in Chinese, chapter, case study, exercises)
_MAP = [
    ("A", "CRM foundations and marketing theories", "客户关系管理基础与营销理论", "12_crm_foundations", "",
     "12_crm_foundations"),
    ("1-2", "Customer value and lifetime value", "客户价值与客户终生价值", "01_customer_value",
     "clv_cdnow", "01_customer_value"),
    ("3", "Identify customers across channels", "识别客户", "02_identify", "", "02_identify"),
    ("2-3", "Differentiate customers by value and needs", "区分不同的客户", "03_differentiate", "",
     "03_differentiate"),
    ("4, 8", "Interaction, its design and touchpoints", "客户互动与互动设计", "04_interact", "",
     "04_interact"),
    ("3", "Customise: next best offer, learning relationship", "定制", "05_customize", "", "05_customize"),
    ("5", "Complaints and the customer service centre", "客户投诉与客户服务中心", "06_complaints_service",
     "service_staffing", "06_complaints_service"),
    ("6", "Satisfaction, loyalty, churn and the life cycle", "满意、忠诚与生命周期", "07_loyalty_churn",
     "retention_campaign", "07_loyalty_churn"),
    ("7", "Exhibition CRM", "会展客户关系管理", "08_exhibition_crm", "exhibition_retention",
     "08_exhibition_crm"),
    ("9", "Data mining for CRM", "数据挖掘", "09_data_mining", "direct_mail", "09_data_mining"),
    ("E-H", "Customer experience, care and touchpoints; shopping online", "客户体验、客户关怀与客户接触点",
     "10_experience_online", "", "10_experience_online"),
    ("J-K", "CRM in practice: banks and foreign-trade sales", "银行客户关系管理与外贸客户开发", "11_bank_trade",
     "bank_campaign", "11_bank_trade"),
    ("O", "Customer psychology and price", "客户心理与价格", "13_customer_psychology", "",
     "13_customer_psychology"),
]


def repository_root() -> Path:
    """The repository folder (for an editable install from a clone)."""
    return Path(__file__).resolve().parents[2]


def course_map(*, only_existing: bool = True):
    """Return the course map as a data frame: topic, chapter, case study and exercises, with paths.

    Parameters
    ----------
    only_existing : bool, default True
        Keep only rows whose chapter notebook exists (the workbook grows chapter by chapter), and blank
        the case study or exercises where they do not exist yet.

    Examples
    --------
    >>> m = course_map()
    >>> m.loc[m["chapter"] == "01_customer_value", "topic_zh"].item()
    '客户价值与客户终生价值'
    """
    import pandas as pd

    root = repository_root()
    rows = []
    for section, en, zh, chapter, case, ex in _MAP:
        ch_path = f"notebooks/{chapter}.ipynb"
        case_path = f"notebooks/case_studies/{case}.ipynb" if case else ""
        ex_path = f"exercises/{ex}/student/{ex}.ipynb" if ex else ""
        if only_existing:
            if not (root / ch_path).exists():
                continue
            case_path = case_path if case_path and (root / case_path).exists() else ""
            ex_path = ex_path if ex_path and (root / ex_path).exists() else ""
        rows.append({"section": section, "topic": en, "topic_zh": zh, "chapter": chapter,
                     "chapter_path": ch_path, "case_study": case_path, "exercises": ex_path})
    return pd.DataFrame(rows)
