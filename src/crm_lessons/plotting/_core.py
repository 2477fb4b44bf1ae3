"""Theme, language and font handling shared by every chart helper."""

from __future__ import annotations

import re
import subprocess
import warnings
from functools import lru_cache
from pathlib import Path

from .._validate import require_choice

__all__ = ["PALETTE", "cjk_font", "current_language", "finish", "label", "new_figure",
           "untranslated", "use_language", "use_theme"]

# Okabe-Ito: distinguishable with the common forms of colour blindness, and in greyscale by order.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

_CJK_FAMILIES = [
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
    "Heiti SC", "STHeiti", "Arial Unicode MS", "Droid Sans Fallback",
]
_CJK_FILE_HINTS = ("notosanscjk", "notosanssc", "sourcehansans", "wqy-microhei", "wqy-zenhei", "simhei",
                   "msyh", "pingfang", "droidsansfallback", "arialuni")

_state = {"lang": "en", "warned": False, "themed": False}
_untranslated: set[str] = set()


def _candidate_font_files() -> list[str]:
    from matplotlib import font_manager

    files = list(font_manager.findSystemFonts())
    try:  # fontconfig knows fonts installed after matplotlib built its cache
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10)
        files += [line.split(":")[0].strip() for line in out.stdout.splitlines() if line.strip()]
    except (OSError, subprocess.SubprocessError):
        pass
    return sorted(set(files))


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Return the family name of an installed CJK font, registering it with matplotlib; or ``None``.

    matplotlib caches its font list when first used, so a font installed later is invisible until it
    is added with ``font_manager.fontManager.addfont``; this function does that.
    """
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    for fam in _CJK_FAMILIES:
        if fam in known:
            return fam
    for path in _candidate_font_files():
        if any(h in Path(path).name.lower().replace(" ", "") for h in _CJK_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    known = {f.name for f in font_manager.fontManager.ttflist}
    for fam in _CJK_FAMILIES:
        if fam in known:
            return fam
    return None


def use_theme(*, context: str = "talk", lang: str | None = None) -> None:
    """Apply the workbook's chart style: large type, light grid, colour-blind-safe palette.

    Parameters
    ----------
    context : {"talk", "notebook", "poster"}, default "talk"
        seaborn context; ``"talk"`` is readable from the back of a classroom.
    lang : {"en", "zh"}, optional
        Also switch the label language (see :func:`use_language`).

    Also sets pandas' display options for tables (:func:`crm_lessons.display.use_display`).
    """
    import logging

    import matplotlib as mpl
    import seaborn as sns

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # "no bold CJK" is not news
    require_choice(context, "context", ["paper", "notebook", "talk", "poster"], where="use_theme")
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE, font_scale=0.9)
    fams = ["DejaVu Sans"]
    cjk = cjk_font()
    if cjk:
        fams.append(cjk)  # matplotlib falls back glyph by glyph to the CJK font
    mpl.rcParams.update({
        # An explicit family list (not the "sans-serif" alias) lets matplotlib fall back glyph by glyph.
        "font.family": fams,
        "font.sans-serif": fams + list(mpl.rcParams["font.sans-serif"]),
        "axes.unicode_minus": False,
        "figure.figsize": (9, 5.2),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "savefig.bbox": "tight",
        "axes.titleweight": "bold",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
    })
    _state["themed"] = True
    from ..display import use_display

    use_display()  # tables: whole cell text, every column (one place for pandas display options)
    if lang is not None:
        use_language(lang)


def use_language(lang: str = "en") -> str:
    """Switch chart titles and labels to English (``"en"``) or Chinese (``"zh"``).

    Returns the language now in use: ``"en"`` if Chinese was asked for but no CJK font is installed
    (a warning, once, says how to install one).
    """
    require_choice(lang, "lang", ["en", "zh"], where="use_language")
    if lang == "zh" and cjk_font() is None:
        if not _state["warned"]:
            warnings.warn(
                "No CJK font found, so chart labels stay in English. Install one, e.g. "
                "`sudo apt-get install fonts-wqy-microhei` (Debian/Ubuntu) or Noto Sans CJK, then restart "
                "the kernel.", RuntimeWarning, stacklevel=2)
            _state["warned"] = True
        lang = "en"
    if lang == "zh" and _state["themed"]:
        use_theme()  # make sure the CJK font is in the fallback list
    _state["lang"] = lang
    return lang


def current_language() -> str:
    """Return ``"en"`` or ``"zh"``."""
    return _state["lang"]


def label(text: str, zh: str | None = None) -> str:
    """Return ``text`` in the current language.

    In Chinese mode the glossary's translation is used (or ``zh`` when given); text the glossary does
    not know is shown in English with the original, so nothing silently disappears.

    Examples
    --------
    >>> use_language("en"); label("customer lifetime value")
    'en'
    'customer lifetime value'
    """
    if _state["lang"] == "en" or not text:
        return text
    if zh:
        return zh
    from ..glossary import translate

    out = translate(text, "zh")
    if out is not None:
        return out
    # Compound labels such as "historical value (dollars)": translate the part before the unit.
    head, sep, tail = text.partition(" (")
    if sep:
        h = translate(head, "zh")
        t = translate(tail.rstrip(")"), "zh")
        if h is not None:
            return f"{h}（{t or tail.rstrip(')')}）"
    if re.search(r"[A-Za-z]", text) and not re.search(r"[\u4e00-\u9fff]", text):
        _untranslated.add(text)  # English the glossary could not translate (already-Chinese text is fine)
    return text


def untranslated() -> list[str]:
    """Chart words asked for in Chinese mode that the glossary could not translate (shown in English)."""
    return sorted(_untranslated)


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float | None = None,
               height: float | None = None, **kwargs):
    """Create a figure in the workbook's size; returns ``(fig, ax)`` or ``(fig, axes)``."""
    import matplotlib.pyplot as plt

    w = width or 9 * (1 if ncols == 1 else 0.62 * ncols)
    h = height or 5.2 * (1 if nrows == 1 else 0.8 * nrows)
    return plt.subplots(nrows, ncols, figsize=(w, h), **kwargs)


def ensure_ax(ax=None):
    """Return ``ax``, or the axes of a new workbook-sized figure when ``ax`` is None."""
    return new_figure()[1] if ax is None else ax


def finish(ax, *, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
           legend: bool | None = None, zh_title: str | None = None):
    """Set title and axis labels through :func:`label`, tidy the legend, and return ``ax``."""
    if title is not None:
        ax.set_title(label(title, zh_title))
    if xlabel is not None:
        ax.set_xlabel(label(xlabel))
    if ylabel is not None:
        ax.set_ylabel(label(ylabel))
    if legend or (legend is None and ax.get_legend_handles_labels()[0]):
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, [label(x) for x in labels])
    ax.figure.tight_layout()
    return ax
