"""crm-lessons: helpers for a Jupyter workbook on Customer Relationship Management analytics.

Modules (one per domain idea; each is imported on first use, so ``import crm_lessons`` stays fast):

- :mod:`crm_lessons.datasets`  packaged real data (``load``, ``list_datasets``) and seeded generators
- :mod:`crm_lessons.value`     customer value: historical, current, potential; CLV; 80/20; word of mouth
- :mod:`crm_lessons.plotting`  one projector-friendly chart style, English/Chinese labels
- :mod:`crm_lessons.glossary`  every key term in English and Chinese, with the chapter that teaches it

Further modules (``summary``, ``clv``, ``identify``, ``rfm``, ``interact``, ``customize``,
``complaints``, ``service``, ``loyalty``, ``exhibition``, ``mining``, ``runner``) follow the same rules:
pure functions over data frames, input checked at the edge, the caller's frame never modified.
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
