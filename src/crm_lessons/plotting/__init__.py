"""One chart style for the whole workbook, readable on a projector, in English or Chinese.

Call :func:`use_theme` once in a notebook's set-up cell. Every chart helper passes its titles and axis
labels through :func:`label`, so :func:`use_language` (``"en"`` or ``"zh"``) switches them between
English and Chinese via the glossary. Chinese needs a CJK font: :func:`use_theme` finds an installed
one (Noto Sans CJK, WenQuanYi Micro/Zen Hei, SimHei, Microsoft YaHei, PingFang, Source Han Sans) and
registers it with matplotlib; with none it warns once and keeps English labels.

Chart helpers for a chapter live in ``plotting/_<domain>.py`` and are reachable here by name
(``plotting.lorenz_curve``), found through each submodule's ``__all__``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from ._core import (
    PALETTE,
    alt_text,
    caption_text,
    cjk_font,
    describe,
    fix_layout,
    layout_problems,
    current_language,
    finish,
    label,
    new_figure,
    untranslated,
    use_language,
    use_theme,
)

__all__ = ["PALETTE", "alt_text", "caption_text", "cjk_font", "current_language", "describe", "finish",
           "fix_layout", "label", "layout_problems", "new_figure", "untranslated", "use_language", "use_theme"]


def _chart_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "_core"
                  and m.name.startswith("_"))


def __getattr__(name: str) -> Any:
    for mod_name in _chart_modules():
        mod = importlib.import_module(f"{__name__}.{mod_name}")
        if name in getattr(mod, "__all__", ()):
            return getattr(mod, name)
    raise AttributeError(f"crm_lessons.plotting has no chart {name!r}")


def __dir__() -> list[str]:
    names = list(__all__)
    for mod_name in _chart_modules():
        mod = importlib.import_module(f"{__name__}.{mod_name}")
        names += list(getattr(mod, "__all__", ()))
    return sorted(names)
