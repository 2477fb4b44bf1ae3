"""``try_it``: live controls, a static figure for static pages, and no stall under plain nbclient."""

from __future__ import annotations

import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest

from crm_lessons.widgets import LIVE_NOTE, TryIt, render_outputs, try_it

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _line(slope=1.0, label="demand"):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, slope], label=label)


def test_default_values_are_drawn_once_as_a_figure():
    widget = TryIt(_line, slope=(0.0, 3.0, 0.5))
    assert [o["output_type"] for o in widget.out.outputs] == ["display_data"]
    assert "image/png" in widget.out.outputs[0]["data"]
    assert widget.kwargs == {"slope": 1.0, "label": "demand"}
    assert plt.get_fignums() == []  # closed: the inline backend will not show it a second time


def test_moving_a_control_redraws_with_the_new_value():
    seen = []
    widget = TryIt(lambda n=2: seen.append(n), n=(1, 9, 1))
    widget.kwargs_widgets[0].value = 7
    assert seen == [2, 7]
    assert widget.settings() == "n = 7"


def test_controls_use_the_interact_syntax():
    widget = TryIt(lambda rate=0.1, kind="a", on=True: None, rate=(0.0, 0.5, 0.05), kind=["a", "b"], on=True)
    kinds = [type(w).__name__ for w in widget.kwargs_widgets]
    assert kinds == ["FloatSlider", "Dropdown", "Checkbox"]
    assert widget.kwargs_widgets[0].continuous_update is False  # redraw on release


def test_an_error_at_the_defaults_fails_the_cell():
    def broken(x=1):
        raise ValueError("bad default")

    with pytest.raises(ValueError, match="bad default"):
        TryIt(broken, x=(0, 2, 1))


def test_an_error_at_a_live_setting_is_shown_and_keeps_the_controls():
    def picky(x=1):
        if x == 2:
            raise ValueError("x = 2 is not allowed")
        print("ok", x)

    widget = TryIt(picky, x=(0, 3, 1))
    widget.kwargs_widgets[0].value = 2
    assert widget.out.outputs[0]["name"] == "stderr"
    assert "x = 2 is not allowed" in widget.out.outputs[0]["text"]


def test_a_returned_table_is_shown():
    outputs = render_outputs(lambda n=2: pd.DataFrame({"n": [n]}), {"n": 3})
    assert "text/html" in outputs[0]["data"] and "<table" in outputs[0]["data"]["text/html"]


def test_static_bundle_carries_the_widget_the_figure_and_the_note():
    widget = TryIt(_line, slope=(0.0, 3.0, 0.5))
    bundle = widget.static_bundle()
    assert bundle[WIDGET_VIEW]["model_id"] == widget.model_id
    assert bundle["text/html"].count("<img") == 1 and LIVE_NOTE in bundle["text/html"]
    assert "slope = 1" in bundle["text/plain"]
    assert "image/png" in bundle


def test_try_it_outside_ipython_returns_none():
    assert try_it(_line, slope=(0.0, 3.0, 0.5)) is None


WIDGET_NOTEBOOK_CELLS = [
    "import matplotlib.pyplot as plt\nfrom crm_lessons.widgets import try_it",
    # Many outputs in one call: with ipywidgets.interact each one made nbclient send a comm_msg on
    # the shell channel while waiting for the reply there, and the reply was missed (nbclient#312).
    "def explore(a=1.0):\n"
    "    for i in range(200):\n"
    "        print(i, a, flush=True)\n"
    "    fig, ax = plt.subplots()\n"
    "    ax.plot([0, 1], [0, a])\n"
    "\n"
    "try_it(explore, a=(0.0, 2.0, 0.1))",
    "print('after the widget')",
]


@pytest.mark.slow
def test_a_try_it_notebook_runs_under_plain_nbclient_without_stalling(tmp_path):
    """What `jupyter nbconvert --execute`, `jupyter execute` and papermill use, with no helpers."""
    import nbclient.output_widget as output_widget
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in WIDGET_NOTEBOOK_CELLS]
    sends = []
    original = output_widget.OutputWidget._publish_msg

    def counting(self, *args, **kwargs):
        sends.append(args)
        return original(self, *args, **kwargs)

    output_widget.OutputWidget._publish_msg = counting
    started = {}
    took = {}
    try:
        client = NotebookClient(nb, timeout=60, kernel_name="python3",
                                resources={"metadata": {"path": str(tmp_path)}},
                                on_cell_start=lambda cell, cell_index: started.update({cell_index: time.monotonic()}),
                                on_cell_executed=lambda cell, cell_index, **_: took.update(
                                    {cell_index: time.monotonic() - started[cell_index]}))
        client.execute()
    finally:
        output_widget.OutputWidget._publish_msg = original
    assert sends == [], "the client answered Output-widget captures on the shell channel (the stall's cause)"
    assert took[1] < 30, f"the Try it cell took {took[1]:.0f} s: the execute_reply was missed"
    (out,) = nb.cells[1].outputs
    assert WIDGET_VIEW in out["data"] and "<img" in out["data"]["text/html"]
    assert nb.cells[2].outputs[0]["text"] == "after the widget\n"
