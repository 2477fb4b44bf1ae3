"""Theme, language and font handling shared by every chart helper."""

from __future__ import annotations

import re
import subprocess
import warnings
from functools import lru_cache
from pathlib import Path

from .._validate import require_choice

__all__ = ["PALETTE", "alt_text", "caption_text", "cjk_font", "current_language", "describe", "finish", "fix_layout", "label",
           "layout_problems", "new_figure", "untranslated", "use_language", "use_theme"]

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
    _register_alt_text_formatter()
    if lang is not None:
        use_language(lang)


def use_language(lang: str = "en") -> str:
    """Switch chart titles and labels, and the headers of printed tables, to English or Chinese.

    Returns the language now in use: ``"en"`` if Chinese was asked for but no CJK font is installed
    (a warning, once, says how to install one).
    """
    require_choice(lang, "lang", ["en", "zh"], where="use_language")
    from ..display import use_table_language

    use_table_language(lang)  # tables need no font: the browser draws their Chinese
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
           legend: bool | None = None, zh_title: str | None = None, alt: str | None = None,
           caption: str | None = None):
    """Set title and axis labels through :func:`label`, tidy the legend and layout, and return ``ax``.

    ``caption`` (one sentence under the figure in the book) and ``alt`` (what a screen reader says;
    default: built from the titles, axis labels and legend) are stored on the figure, see
    :func:`describe`. :func:`fix_layout` then removes overlapping tick labels, moves a legend that sits
    on the data, starts twin axes at the same baseline and writes tick labels as plain numbers.
    """
    if title is not None:
        ax.set_title(label(title, zh_title))
    if xlabel is not None:
        ax.set_xlabel(label(xlabel))
    if ylabel is not None:
        ax.set_ylabel(label(ylabel))
    if legend or (legend is None and ax.get_legend_handles_labels()[0]):
        handles, labels = ax.get_legend_handles_labels()
        old = ax.get_legend()
        kwargs = {}
        if old is not None and getattr(old, "_bbox_to_anchor", None) is not None:
            kwargs = {"loc": old._loc, "bbox_to_anchor": old.get_bbox_to_anchor().transformed(
                ax.transAxes.inverted()).bounds[:2]}
        ax.legend(handles, [label(x) for x in labels], **kwargs)
    if alt is not None or caption is not None:
        describe(ax.figure, alt=alt, caption=caption)
    fix_layout(ax.figure)
    return ax


# ---------------------------------------------------------------------------------------------------
# Captions and alt text

def describe(fig, *, alt: str | None = None, caption: str | None = None):
    """Attach a caption and/or alt text to a figure (or the figure of an axes); returns the figure.

    The book shows the caption under the figure and gives the image the alt text; in a notebook the
    figure's text form (what screen readers and text-only views get) is the alt text.
    """
    fig = getattr(fig, "figure", fig)
    if alt is not None:
        fig._crm_alt = str(alt)
    if caption is not None:
        fig._crm_caption = str(caption)
    return fig


def _axes_summary(ax) -> str:
    parts = []
    title = ax.get_title()
    if title:
        parts.append(title)
    xl, yl = ax.get_xlabel(), ax.get_ylabel()
    if xl or yl:
        parts.append(" against ".join(t for t in (yl, xl) if t))
    leg = ax.get_legend()
    if leg is not None:
        names = [t.get_text() for t in leg.get_texts() if t.get_text()]
        if names:
            parts.append("series: " + ", ".join(names))
    return "; ".join(parts)


def alt_text(fig) -> str:
    """The figure's alt text: set by :func:`describe`/``finish(alt=...)``, else built from its axes.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> fig, ax = new_figure()
    >>> _ = ax.plot([1, 2], [3, 4], label="revenue")
    >>> _ = finish(ax, title="Revenue by year", xlabel="year", ylabel="revenue (USD)")
    >>> alt_text(fig)
    'Chart: Revenue by year; revenue (USD) against year; series: revenue'
    """
    fig = getattr(fig, "figure", fig)
    explicit = getattr(fig, "_crm_alt", None)
    if explicit:
        return explicit
    summaries = [s for s in (_axes_summary(ax) for ax in fig.axes) if s]
    caption = (getattr(fig, "_crm_caption", None) or "").strip().rstrip(".")
    if caption:
        return f"Chart: {caption}." + (" " + " | ".join(summaries) if summaries else "")
    return "Chart: " + " | ".join(summaries) if summaries else "Chart"


def caption_text(fig) -> str | None:
    """The caption set with :func:`describe` or ``finish(caption=...)``, if any."""
    return getattr(getattr(fig, "figure", fig), "_crm_caption", None)


def _figure_text(fig, p, cycle) -> None:
    p.text(alt_text(fig))


def _ensure_alt_text_formatter() -> None:
    from IPython import get_ipython
    from matplotlib.figure import Figure

    ip = get_ipython()
    if ip is not None:
        ip.display_formatter.formatters["text/plain"].for_type(Figure, _figure_text)


def _register_alt_text_formatter() -> None:
    """In IPython, make a figure's text/plain form its alt text (the book and HTML pages read it).

    matplotlib's inline backend removes every formatter for figures when it is activated (IPython's
    ``select_figure_formats``), so the formatter is put back before and after every cell, ahead of the
    backend's own end-of-cell display of figures.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    ip = get_ipython()
    if ip is None:
        return
    _ensure_alt_text_formatter()
    for event in ("pre_execute", "post_execute"):
        callbacks = ip.events.callbacks.get(event, [])
        if _ensure_alt_text_formatter not in callbacks:
            ip.events.register(event, _ensure_alt_text_formatter)


# ---------------------------------------------------------------------------------------------------
# Layout: measured with the renderer, fixed in place

def _renderer(fig):
    fig.draw_without_rendering()  # lays out ticks and texts without rasterising: extents are current
    return fig.canvas.get_renderer()


def _visible_ticklabels(axis, renderer):
    labels = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
    return [(t, t.get_window_extent(renderer)) for t in labels]


def _overlaps(boxes, pad: float = 1.0) -> bool:
    for (_, a), (_, b) in zip(boxes, boxes[1:]):
        if a.x0 < b.x1 + pad and b.x0 < a.x1 + pad and a.y0 < b.y1 + pad and b.y0 < a.y1 + pad:
            return True
    return False


def _data_points(ax):
    """Display coordinates of the plotted data of ``ax`` (line vertices, bar tops, scatter points)."""
    import numpy as np
    from matplotlib.collections import PathCollection, PolyCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    pts = []
    for line in ax.get_lines():
        if not isinstance(line, Line2D) or not line.get_visible() or line.get_label().startswith("_"):
            continue
        xy = line.get_xydata()
        if len(xy) > 400:
            xy = xy[:: len(xy) // 400]
        if len(xy) >= 2:  # sample along each segment too: a legend can sit between two vertices
            t = np.linspace(0, 1, 6)[:, None, None]
            seg = xy[:-1][None] * (1 - t) + xy[1:][None] * t
            xy = seg.reshape(-1, 2)
        pts.append(line.get_transform().transform(xy))
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_visible() and patch.get_height() != 0 \
                and patch.get_width() != 0:
            bb = patch.get_window_extent()
            pts.append(np.array([[bb.x0, bb.y1], [bb.x1, bb.y1], [(bb.x0 + bb.x1) / 2, bb.y1],
                                 [(bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2]]))
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and coll.get_visible():
            offs = coll.get_offsets()
            if len(offs):
                pts.append(coll.get_offset_transform().transform(offs))
        elif isinstance(coll, PolyCollection) and coll.get_visible() and not coll.get_label().startswith("_"):
            pass  # shaded bands (confidence intervals) may sit under a legend
    pts = [p for p in pts if len(p)]
    if not pts:
        return np.empty((0, 2))
    allp = np.vstack(pts)
    return allp[np.isfinite(allp).all(axis=1)]


def _legend_covers_data(ax, renderer) -> bool:
    leg = ax.get_legend()
    if leg is None or not leg.get_visible():
        return False
    bb = leg.get_window_extent(renderer)
    axbb = ax.get_window_extent(renderer)
    if bb.x0 >= axbb.x1 - 1 or bb.x1 <= axbb.x0 + 1 or bb.y0 >= axbb.y1 - 1 or bb.y1 <= axbb.y0 + 1:
        return False  # outside the plotting area
    pts = _data_points(ax)
    for other in ax.figure.axes:  # twin axes draw in the same area
        if other is not ax and other.bbox.bounds == ax.bbox.bounds:
            import numpy as np
            pts = np.vstack([pts, _data_points(other)])
    if not len(pts):
        return False
    inside = (pts[:, 0] > bb.x0) & (pts[:, 0] < bb.x1) & (pts[:, 1] > bb.y0) & (pts[:, 1] < bb.y1)
    return bool(inside.any())


def _twins(fig):
    pairs = []
    for i, a in enumerate(fig.axes):
        for b in fig.axes[i + 1:]:
            if a.bbox.bounds == b.bbox.bounds and a.get_shared_x_axes().joined(a, b):
                pairs.append((a, b))
    return pairs


def _data_ylim(ax):
    import numpy as np

    ys = []
    for line in ax.get_lines():
        if not line.get_label().startswith("_") or len(line.get_ydata()) > 2:
            ys.append(np.asarray(line.get_ydata(), dtype=float))
    for patch in ax.patches:
        try:
            ys.append(np.array([patch.get_y(), patch.get_y() + patch.get_height()], dtype=float))
        except AttributeError:
            continue
    ys = [y[np.isfinite(y)] for y in ys if len(y)]
    ys = [y for y in ys if len(y)]
    if not ys:
        return None
    allv = np.concatenate(ys)
    return float(allv.min()), float(allv.max())


def _offset_texts(ax) -> list[str]:
    out = []
    for axis in (ax.xaxis, ax.yaxis):
        t = axis.get_offset_text().get_text()
        if t:
            out.append(t)
        out += [lab.get_text() for lab in axis.get_ticklabels(which="both")
                if "times" in lab.get_text() or "×" in lab.get_text() or "^{" in lab.get_text()]
    return out


def _text_outside(fig, renderer) -> list[str]:
    fb = fig.bbox
    bad = []
    for ax in fig.axes:
        for t in [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]:
            if not t.get_visible() or not t.get_text():
                continue
            bb = t.get_window_extent(renderer)
            if bb.x0 < fb.x0 - 2 or bb.x1 > fb.x1 + 2 or bb.y0 < fb.y0 - 2 or bb.y1 > fb.y1 + 2:
                bad.append(t.get_text())
    return bad


def layout_problems(fig) -> list[str]:
    """What a reader would notice: overlapping tick labels, a legend over data, twin axes with different
    baselines, "×10²"-style or offset tick text, text cut off at the figure edge, variable names as axis
    labels. Empty when the figure is clean. Measured with the renderer (``get_window_extent``).
    """
    fig = getattr(fig, "figure", fig)
    renderer = _renderer(fig)
    problems = []
    for k, ax in enumerate(fig.axes):
        if not ax.get_visible() or not ax.axison:
            continue
        name = ax.get_title() or f"axes {k}"
        for which, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if _overlaps(sorted(_visible_ticklabels(axis, renderer),
                                key=lambda tb: (tb[1].x0 if which == "x" else tb[1].y0))):
                problems.append(f"{name}: overlapping {which} tick labels")
        if _legend_covers_data(ax, renderer):
            problems.append(f"{name}: legend over plotted data")
        offs = _offset_texts(ax)
        if offs:
            problems.append(f"{name}: scientific/offset tick text {offs[:2]}")
        for lab in (ax.get_xlabel(), ax.get_ylabel()):
            if lab and "_" in lab and " " not in lab:
                problems.append(f"{name}: axis label is a variable name {lab!r}")
    for a, b in _twins(fig):
        la, lb = a.get_ylim()[0], b.get_ylim()[0]
        da, db = _data_ylim(a), _data_ylim(b)
        if da and db and da[0] >= 0 and db[0] >= 0 and (la != 0 or lb != 0):
            problems.append(f"{a.get_title() or 'twin axes'}: twin axes start at different baselines ({la:g}, {lb:g})")
    problems += [f"text cut off at the figure edge: {t!r}" for t in _text_outside(fig, renderer)]
    return problems


def _plain_ticks(ax) -> None:
    from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation, NullFormatter, ScalarFormatter

    for axis in (ax.xaxis, ax.yaxis):
        fmt = axis.get_major_formatter()
        if isinstance(fmt, ScalarFormatter):
            fmt.set_useOffset(False)
            fmt.set_scientific(False)
        elif isinstance(fmt, LogFormatterSciNotation):
            axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.10g}"))
            axis.set_minor_formatter(NullFormatter())
        if isinstance(axis.get_minor_formatter(), LogFormatterSciNotation):
            axis.set_minor_formatter(NullFormatter())


def _declutter(ax, renderer) -> bool:
    changed = False
    for which, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
        boxes = sorted(_visible_ticklabels(axis, renderer), key=lambda tb: (tb[1].x0 if which == "x" else tb[1].y0))
        if not _overlaps(boxes):
            continue
        changed = True
        if which == "x":
            for t, _ in boxes:
                t.set_rotation(30)
                t.set_horizontalalignment("right")
                t.set_rotation_mode("anchor")
            boxes = sorted(_visible_ticklabels(axis, _renderer(ax.figure)), key=lambda tb: tb[1].x0)
        step = 2
        while _overlaps(boxes) and step <= 12:
            labels = [t for t in axis.get_ticklabels() if t.get_text()]
            for i, t in enumerate(labels):
                t.set_visible(i % step == 0)
            boxes = sorted(_visible_ticklabels(axis, _renderer(ax.figure)),
                           key=lambda tb: (tb[1].x0 if which == "x" else tb[1].y0))
            step += 1
    return changed


def _move_legend(ax, renderer) -> bool:
    if not _legend_covers_data(ax, renderer):
        return False
    leg = ax.get_legend()
    handles, labels = leg.legend_handles, [t.get_text() for t in leg.get_texts()]
    for loc in ("upper left", "upper right", "lower right", "lower left", "center left", "center right",
                "upper center", "lower center"):
        ax.legend(handles, labels, loc=loc)
        if not _legend_covers_data(ax, _renderer(ax.figure)):
            return True
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return True


def _align_twins(fig) -> None:
    for a, b in _twins(fig):
        da, db = _data_ylim(a), _data_ylim(b)
        if da and db and da[0] >= 0 and db[0] >= 0:
            a.set_ylim(bottom=0)
            b.set_ylim(bottom=0)


def fix_layout(fig):
    """Fix what :func:`layout_problems` finds, where it can: plain tick numbers, tick labels rotated or
    thinned until they do not overlap, a legend moved off the data (inside if a corner is free, else
    outside on the right), twin axes of non-negative data both from zero, and a tight layout so no
    label is cut. Returns the figure."""
    import warnings

    fig = getattr(fig, "figure", fig)
    for ax in fig.axes:
        _plain_ticks(ax)
    _align_twins(fig)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tight_layout's "not compatible" notes are not news
        fig.tight_layout()
    renderer = _renderer(fig)
    changed = False
    for ax in fig.axes:
        changed |= _declutter(ax, renderer)
        changed |= _move_legend(ax, renderer)
    changed |= _wrap_wide_titles(fig, renderer)
    if changed:  # only then is a second layout pass worth its time
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig.tight_layout()
        renderer = _renderer(fig)
        for ax in fig.axes:  # the final layout may have narrowed the axes
            _declutter(ax, renderer)
    return fig


def _wrap_wide_titles(fig, renderer) -> bool:
    import textwrap

    changed = False
    width = fig.bbox.width
    for ax in fig.axes:
        t = ax.title
        if not t.get_text() or "\n" in t.get_text():
            continue
        w = t.get_window_extent(renderer).width
        if w > 0.95 * min(width, ax.get_window_extent(renderer).width * 1.25):
            chars = max(20, int(len(t.get_text()) * 0.9 * min(width, ax.bbox.width * 1.25) / w))
            t.set_text(textwrap.fill(t.get_text(), chars))
            changed = True
    return changed
