"""``try_it``: live controls for a chart, with a static figure that survives HTML, the book and slides.

Write a "Try it" cell as ::

    from crm_lessons.widgets import try_it

    def explore(margin=20.0, retention=0.5):
        plotting.clv_explorer(margin, retention, 0.1)

    try_it(explore, margin=(1.0, 100.0, 1.0), retention=(0.0, 0.95, 0.01))

The controls use the same syntax as :func:`ipywidgets.interact` (``(min, max, step)`` tuples, lists
of choices, booleans, strings or ready-made widgets). The cell shows one output:

* in JupyterLab, Binder, Colab or VS Code: the live controls above the chart;
* in any static page (``jupyter nbconvert --to html``, the book, slides, GitHub): the chart drawn at
  the default values, with a note that the sliders work live in JupyterLab, Binder or Colab.

Why not ``ipywidgets.interact`` itself: ``interact`` draws into an ``Output`` widget with
``with out:``. A headless client (nbclient: ``jupyter nbconvert --execute``, ``jupyter execute``,
papermill, nbval) imitates that widget and answers every output captured into it by *sending* a
``comm_msg`` on the shell channel, while it is waiting for the cell's ``execute_reply`` on that
same channel. Now and then that reply is never noticed and the client waits out the whole cell
timeout (jupyter/nbclient#312; with nbconvert's default of no timeout, for ever). ``try_it`` never
captures into the ``Output`` widget: it draws the chart itself and *sets* the widget's ``outputs``
(what :meth:`ipywidgets.Output.append_display_data` does), so the headless client has nothing to
answer and sends nothing.
"""

from __future__ import annotations

import base64
import html
import traceback
from typing import Any, Callable

import ipywidgets

from .display import active_language

__all__ = ["TryIt", "try_it", "render_outputs", "LIVE_NOTE"]

#: The sentence every static page shows under a "Try it" figure.
LIVE_NOTE = ("Try it: the controls work live in JupyterLab, Binder or Colab; "
             "this page shows the figure at the default settings")

LIVE_NOTE_ZH = "动手试一试：这些控件在 JupyterLab、Binder 或 Colab 中可以实时操作；本页显示的是默认设置下的图"

_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def live_note() -> str:
    """The static page's note under a Try it figure, in the workbook's language."""
    return LIVE_NOTE_ZH if active_language() == "zh" else LIVE_NOTE


def control_label(name: str, lang: str = "en") -> str:
    """A control's label: the argument name, or in Chinese its glossary term when there is one.

    >>> control_label("retention_rate"), control_label("retention_rate", "zh"), control_label("k_max", "zh")
    ('retention_rate', '客户保持率', 'k_max')
    """
    if lang != "zh":
        return name
    from .glossary import translate

    return translate(name.replace("_", " ")) or translate(name) or name


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return None
    return get_ipython()


def _figure_output(fig) -> dict[str, Any]:
    """One ``display_data`` output (PNG) for a matplotlib figure, with its alt text as text/plain."""
    from IPython.core.pylabtools import print_figure

    png = print_figure(fig, "png", base64=True)
    alt = ""
    try:
        from .plotting._core import alt_text
        alt = alt_text(fig) or ""
    except ImportError:  # older plotting package: no alt text helper
        pass
    width, height = fig.get_size_inches() * fig.dpi
    return {"output_type": "display_data",
            "data": {"image/png": png, "text/plain": alt or f"<Figure size {width:.0f}x{height:.0f}>"},
            "metadata": {}}


def render_outputs(function: Callable[..., Any], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    """Call ``function(**kwargs)`` and return what it showed as nbformat-style output dicts.

    Captures printed text, anything passed to ``display`` (inside IPython), matplotlib figures the
    call opened (shown or not) and a returned value that is not a figure or axes. Figures are closed
    afterwards, so the inline backend does not show them a second time at the end of the cell.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> def draw(slope=1.0):
    ...     fig, ax = plt.subplots()
    ...     ax.plot([0, 1], [0, slope])
    >>> [sorted(o["data"]) for o in render_outputs(draw, {"slope": 2.0})]
    [['image/png', 'text/plain']]
    >>> plt.get_fignums()  # closed again
    []
    """
    import matplotlib.pyplot as plt
    from IPython.utils.capture import capture_output

    before = set(plt.get_fignums())
    with capture_output(stdout=True, stderr=True, display=True) as captured:
        result = function(**kwargs)
    new = [plt.figure(n) for n in plt.get_fignums() if n not in before]

    outputs: list[dict[str, Any]] = []
    if captured.stdout:
        outputs.append({"output_type": "stream", "name": "stdout", "text": captured.stdout})
    if captured.stderr:
        outputs.append({"output_type": "stream", "name": "stderr", "text": captured.stderr})
    for rich in captured.outputs:
        outputs.append({"output_type": "display_data", "data": dict(rich.data),
                        "metadata": dict(rich.metadata or {})})
    for fig in new:
        outputs.append(_figure_output(fig))
        plt.close(fig)
    if result is not None and not _is_figure_like(result):
        outputs.append(_result_output(result))
    return outputs


def _is_figure_like(obj) -> bool:
    try:
        from matplotlib.artist import Artist
    except ImportError:  # pragma: no cover
        return False
    if isinstance(obj, Artist):
        return True
    if isinstance(obj, (list, tuple)) and obj and all(isinstance(o, Artist) for o in obj):
        return True
    return False


def _result_output(result) -> dict[str, Any]:
    shell = _shell()
    if shell is not None:
        data, metadata = shell.display_formatter.format(result)
    else:
        data, metadata = {"text/plain": repr(result)}, {}
        if hasattr(result, "_repr_html_"):
            data["text/html"] = result._repr_html_()
    return {"output_type": "display_data", "data": data, "metadata": metadata}


def _static_html(outputs: list[dict[str, Any]], settings: str) -> str:
    parts = []
    for out in outputs:
        if out["output_type"] == "stream":
            parts.append(f"<pre>{html.escape(out['text'])}</pre>")
            continue
        data = out.get("data", {})
        if "image/png" in data:
            png = data["image/png"]
            if isinstance(png, bytes):
                png = base64.b64encode(png).decode("ascii")
            alt = html.escape(str(data.get("text/plain", "figure")), quote=True)
            parts.append(f'<img src="data:image/png;base64,{png}" alt="{alt}" '
                         'style="max-width:100%;height:auto"/>')
        elif "image/svg+xml" in data:
            parts.append(data["image/svg+xml"])
        elif "text/html" in data:
            parts.append(data["text/html"])
        elif "text/plain" in data:
            parts.append(f"<pre>{html.escape(str(data['text/plain']))}</pre>")
    note = html.escape(f"{live_note()} ({settings}).")
    return ('<figure class="crm-try-it" style="margin:0">' + "".join(parts)
            + f'<figcaption style="font-size:90%;color:#555"><em>{note}</em></figcaption></figure>')


def _format_value(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class TryIt(ipywidgets.interactive):
    """The widget behind :func:`try_it`: ``ipywidgets.interactive`` without ``Output`` capture.

    ``TryIt(function, **controls)`` builds the controls exactly as ``interactive`` does, calls
    ``function`` at the default values and puts what it drew into the ``Output`` child by setting
    ``outputs`` (never ``with out:``). Each change of a control redraws the same way.

    >>> widget = TryIt(lambda n=3: print("n =", n), n=(1, 10, 1))
    >>> widget.out.outputs[0]["text"]
    'n = 3\\n'
    >>> widget.kwargs_widgets[0].value = 5
    >>> widget.out.outputs[0]["text"]
    'n = 5\\n'
    >>> widget.settings()
    'n = 5'
    """

    def __init__(self, function: Callable[..., Any], /, **controls: Any):
        self._first = True
        super().__init__(function, **controls)
        lang = active_language()
        for w in self.kwargs_widgets:
            if hasattr(w, "continuous_update") and w not in controls.values():
                w.continuous_update = False  # redraw when the slider is released, not on every pixel
            if w not in controls.values() and getattr(w, "description", None) == w._kwarg:
                w.description = control_label(w._kwarg, lang)  # Chinese labels in the Chinese edition

    def update(self, *args) -> None:  # noqa: D401 - traitlets callback
        """Redraw: call the function with the controls' values and store its outputs."""
        self.kwargs = {w._kwarg: w.get_interact_value() for w in self.kwargs_widgets}
        if self._first:
            # At the defaults an error is a bug in the notebook: let it fail the cell (and the tests).
            self._first = False
            outputs = render_outputs(self.f, self.kwargs)
        else:
            try:
                outputs = render_outputs(self.f, self.kwargs)
            except Exception:  # a live slider position that fails: show why, keep the controls
                outputs = [{"output_type": "stream", "name": "stderr",
                            "text": traceback.format_exc(limit=3)}]
        self.out.outputs = tuple(outputs)

    def settings(self) -> str:
        """The current control values as ``name = value`` text."""
        return ", ".join(f"{k} = {_format_value(v)}" for k, v in self.kwargs.items())

    def static_bundle(self) -> dict[str, Any]:
        """The display bundle: the live widget, plus the static figure and note for static pages."""
        outputs = list(self.out.outputs)
        data: dict[str, Any] = {
            _WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": self.model_id},
            "text/html": _static_html(outputs, self.settings()),
            "text/plain": f"{live_note()} ({self.settings()}).",
        }
        pngs = [o["data"]["image/png"] for o in outputs
                if o["output_type"] == "display_data" and "image/png" in o.get("data", {})]
        if len(pngs) == 1:
            data["image/png"] = pngs[0]
        return data


def try_it(function: Callable[..., Any], /, **controls: Any) -> None:
    """Show live controls for ``function`` and, for static pages, its output at the default values.

    Parameters
    ----------
    function : callable
        Draws a chart (matplotlib), prints, displays or returns something for the given arguments.
        Its keyword defaults are the values the static page shows unless a control sets another.
    **controls
        One per argument, as for :func:`ipywidgets.interact`: ``(min, max, step)``, a list of
        choices, a bool, a str, or a widget (a widget's own ``value`` is the default).

    Returns ``None`` (the cell shows one output; nothing is echoed a second time). Outside IPython
    nothing is displayed; use :class:`TryIt` to inspect the widget.

    >>> try_it(lambda x=1: x, x=(0, 5, 1)) is None
    True
    """
    widget = TryIt(function, **controls)
    shell = _shell()
    if shell is None:
        return None
    from IPython.display import display

    display(widget.static_bundle(), raw=True)
    return None
