"""crm-lessons: helpers for a Jupyter workbook on Customer Relationship Management analytics.

Modules (one per domain idea; each is imported on first use, so ``import crm_lessons`` stays fast):

- :mod:`~crm_lessons.datasets`    packaged real data (``load``, ``list_datasets``) and ``make_transactions``
- :mod:`~crm_lessons.value`       customer value: historical, current, potential; CLV; 80/20; word of mouth
- :mod:`~crm_lessons.summary`     purchase logs to per-customer frequency, recency, age (pandas or DuckDB)
- :mod:`~crm_lessons.clv`         BG/NBD, Pareto/NBD and Gamma-Gamma models and model-based CLV
- :mod:`~crm_lessons.identify`    multi-channel customer records and record linkage (single customer view)
- :mod:`~crm_lessons.rfm`, :mod:`~crm_lessons.differentiate`   RFM scoring, value tiers, needs segments
- :mod:`~crm_lessons.interact`    channels, interaction design, A/B tests, contact frequency, journeys, FAQ
- :mod:`~crm_lessons.customize`   association rules and next best offers, the learning relationship
- :mod:`~crm_lessons.complaints`, :mod:`~crm_lessons.service`   complaint analytics; Erlang C staffing
- :mod:`~crm_lessons.loyalty`, :mod:`~crm_lessons.churn`, :mod:`~crm_lessons.choice`   loyalty metrics and
  life cycle; churn models and survival; brand switching and choice models
- :mod:`~crm_lessons.exhibition`, :mod:`~crm_lessons.exhibition_db`   trade-fair simulator and its database
- :mod:`~crm_lessons.mining`, :mod:`~crm_lessons.massive`, :mod:`~crm_lessons.privacy`,
  :mod:`~crm_lessons.direct_mail`   the CoIL 2000 process; summaries at scale; pseudonyms, k-anonymity
- :mod:`~crm_lessons.scoring`     AUC, gains, lift and top-k hits for any targeting score
- :mod:`~crm_lessons.plotting`    one projector-friendly chart style, English/Chinese labels
- :mod:`~crm_lessons.glossary`    every key term in English and Chinese, with the chapter that teaches it
- :mod:`~crm_lessons.runner`      run and sweep case-study notebooks with checked parameters (``crm-lessons``)
- :mod:`~crm_lessons.course`      the course map: topic to chapter, case study and exercises

Every module follows the same rules: pure functions over data frames (small classes for fitted models),
input checked at the edge by :mod:`crm_lessons._validate`, the caller's frame never modified.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Lazy submodule access: crm_lessons.value, crm_lessons.plotting, ...
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"{__name__}.{name}":
            raise AttributeError(f"module 'crm_lessons' has no attribute {name!r}") from None
        raise
