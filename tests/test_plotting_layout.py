"""Charts read on a projector: no overlapping tick labels, no legend over data, plain tick numbers, twin
axes from one baseline, nothing cut at the edge, alt text on every figure.

``plotting.layout_problems(fig)`` measures a drawn figure with matplotlib's renderer
(``get_window_extent`` of tick labels, legends, texts; display coordinates of lines, bars and points);
``finish`` (which every chart helper calls) runs ``fix_layout`` so helpers come out clean.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crm_lessons import plotting

PLOTTING = Path(plotting.__file__).parent


@pytest.fixture(autouse=True)
def themed():
    plotting.use_theme()
    yield
    plt.close("all")


def _clean(fig):
    problems = plotting.layout_problems(fig)
    assert problems == [], problems


# --- the detector finds what a reader would notice ------------------------------------------------

def test_detects_overlapping_tick_labels():
    fig, ax = plotting.new_figure(width=4)
    names = [f"a long touchpoint name {i}" for i in range(8)]
    ax.bar(names, range(8))
    assert any("overlapping x tick labels" in p for p in plotting.layout_problems(fig))


def test_detects_a_legend_over_the_data():
    fig, ax = plotting.new_figure()
    x = np.linspace(0, 1, 50)
    for k in range(4):
        ax.plot(x, np.full_like(x, 0.9 - 0.02 * k) + 0.05 * np.sin(8 * x), label=f"series {k}")
    ax.legend(loc="upper center")
    assert any("legend over plotted data" in p for p in plotting.layout_problems(fig))


def test_detects_scientific_tick_text_on_a_log_axis():
    fig, ax = plotting.new_figure()
    ax.plot([1e4, 1e5, 1e6], [120, 240, 480])
    ax.set_xscale("log")
    ax.set_yscale("log")
    assert any("scientific" in p for p in plotting.layout_problems(fig))


def test_detects_twin_axes_with_different_baselines():
    fig, ax = plotting.new_figure()
    ax.plot([0, 1, 2], [5, 7, 9])
    ax2 = ax.twinx()
    ax2.bar([0, 1, 2], [100, 300, 200])
    assert any("baselines" in p for p in plotting.layout_problems(fig))


def test_detects_a_variable_name_as_axis_label():
    fig, ax = plotting.new_figure()
    ax.plot([0, 1], [0, 1])
    ax.set_ylabel("test_top_800")
    assert any("variable name" in p for p in plotting.layout_problems(fig))


# --- finish() repairs them --------------------------------------------------------------------------

def test_finish_rotates_or_thins_crowded_tick_labels():
    fig, ax = plotting.new_figure(width=4)
    ax.bar([f"a long touchpoint name {i}" for i in range(8)], range(8))
    plotting.finish(ax, title="Crowded", ylabel="customers")
    _clean(fig)


def test_finish_moves_a_legend_off_the_data():
    fig, ax = plotting.new_figure()
    x = np.linspace(0, 1, 50)
    for k in range(4):
        ax.plot(x, 0.5 + 0.45 * np.sin(6 * x + k), label=f"series {k}")
    plotting.finish(ax, title="Busy", xlabel="share of customers", ylabel="lift")
    _clean(fig)


def test_finish_writes_plain_numbers_on_log_axes_and_aligns_twins():
    fig, ax = plotting.new_figure()
    ax.plot([1e4, 1e5, 1e6], [120, 240, 480])
    ax.set_xscale("log")
    ax.set_yscale("log")
    plotting.finish(ax, title="Memory", xlabel="transactions", ylabel="megabytes")
    _clean(fig)
    fig, ax = plotting.new_figure()
    ax.plot([0, 1, 2], [5, 7, 9], label="agents")
    ax2 = ax.twinx()
    ax2.bar([0, 1, 2], [100, 300, 200])
    plotting.finish(ax, title="Twins", xlabel="hour", ylabel="agents")
    assert ax.get_ylim()[0] == 0 and ax2.get_ylim()[0] == 0


def test_every_figure_has_alt_text_and_finish_takes_a_caption():
    fig, ax = plotting.new_figure()
    ax.plot([1, 2], [3, 4], label="revenue")
    plotting.finish(ax, title="Revenue by year", xlabel="year", ylabel="revenue (USD)",
                    caption="Revenue doubled in a year.")
    assert plotting.caption_text(fig) == "Revenue doubled in a year."
    assert plotting.alt_text(fig).startswith("Chart: Revenue doubled in a year.")
    plotting.describe(fig, alt="A rising line from 3 to 4 USD.")
    assert plotting.alt_text(fig) == "A rising line from 3 to 4 USD."


# --- the chart helpers named in issue 14, with small inputs -----------------------------------------

def _journeys():
    touchpoints = ["advert seen", "website visit", "order placed", "confirmation e-mail", "delivery",
                   "first use", "support call"]
    rows, js = [], []
    rng = np.random.default_rng(0)
    for jid in (1, 2, 3):
        feel = rng.integers(-5, 6, len(touchpoints))
        rows += [{"journey_id": jid, "step": s, "touchpoint": t, "feeling": float(f)}
                 for s, (t, f) in enumerate(zip(touchpoints, feel))]
        js.append({"journey_id": jid, "remembered": float(feel.max() + feel[-1]) / 2, "mean": float(feel.mean())})
    return pd.DataFrame(rows), pd.DataFrame(js)


def _cases():
    hours = np.arange(7, 21, 0.5)
    calls = 40 + 60 * np.exp(-((hours - 11) ** 2) / 4)
    moments, journeys = _journeys()
    depth = np.arange(1, 11)
    return {
        "peeking_chart": lambda: plotting.peeking_chart(
            {"rejection_rate_final": 0.05, "rejection_rate_peeking": 0.19, "looks": 10}),
        "journey_chart": lambda: plotting.journey_chart(moments, journeys, [1, 2, 3]),
        "staffing_chart": lambda: plotting.staffing_chart(pd.DataFrame(
            {"hour": hours, "agents": np.ceil(calls / 8), "scheduled": np.ceil(calls / 6),
             "calls_to_agents": calls})),
        "complaint_pareto_chart": lambda: plotting.complaint_pareto_chart(pd.DataFrame(
            {"category": ["delivery late", "wrong item", "billing error", "rude staff", "website down", "other"],
             "complaints": [120, 80, 40, 20, 10, 5],
             "cumulative_share": np.cumsum([120, 80, 40, 20, 10, 5]) / 275,
             "vital_few": [True, True, False, False, False, False]})),
        "circle_chart": lambda: plotting.circle_chart(
            {"good handling": pd.DataFrame({"period": range(12), "customers": 1000 * 1.03 ** np.arange(12)}),
             "poor handling": pd.DataFrame({"period": range(12), "customers": 1000 * 0.95 ** np.arange(12)})}),
        "tuning_chart": lambda: plotting.tuning_chart(pd.DataFrame(
            {"depth": depth, "cv_estimate_top_800": 100 + 8 * np.log(depth) - depth,
             "test_top_800": 98 + 9 * np.log(depth) - 0.8 * depth + (depth == 10) * 6})),
        "scaling_chart": lambda: plotting.scaling_chart(pd.DataFrame(
            {"rows": [1e4, 1e5, 1e6] * 2, "engine": ["pandas"] * 3 + ["duckdb"] * 3,
             "seconds": [0.01, 0.08, 0.9, 0.02, 0.05, 0.3], "peak_mb": [12, 60, 240, 30, 45, 110]})),
        "lorenz_chart": lambda: plotting.lorenz_chart(np.random.default_rng(1).pareto(1.5, 500)),
        "clv_explorer": lambda: plotting.clv_explorer(20.0, 0.6, 0.1),
        "clv_retention_chart": lambda: plotting.clv_retention_chart(20.0, 0.1, retention=0.6),
        "lift_chart": lambda: plotting.lift_chart(
            {"logit": pd.DataFrame({"cum_share_customers": np.linspace(0.1, 1, 10),
                                    "cum_lift": np.linspace(3, 1, 10)}),
             "tree": pd.DataFrame({"cum_share_customers": np.linspace(0.1, 1, 10),
                                   "cum_lift": np.linspace(2.5, 1, 10)})}),
    }


CASES = _cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_chart_helper_has_a_clean_layout_and_alt_text(name):
    out = CASES[name]()
    fig = (out[0] if isinstance(out, (list, tuple, np.ndarray)) else out).figure
    _clean(fig)
    assert plotting.alt_text(fig).startswith("Chart")


def test_every_chart_helper_goes_through_finish():
    """finish() runs fix_layout; a helper that skips it would skip the layout repairs and alt text."""
    skipped = []
    for path in sorted(PLOTTING.glob("_*.py")):
        if path.name in {"_core.py", "__init__.py"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        public = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}
        for name, node in public.items():
            calls = {ast.unparse(c.func) for c in ast.walk(node) if isinstance(c, ast.Call)}
            if not ({"finish", "fix_layout"} & calls or calls & set(public) or
                    any(c.startswith("plotting.") for c in calls)):
                skipped.append(f"{path.name}:{name}")
    assert not skipped, f"chart helpers that never call finish()/fix_layout(): {skipped}"


@pytest.mark.slow
def test_in_a_kernel_a_figure_output_carries_its_alt_text(tmp_path):
    """The inline backend drops figure formatters when it starts; use_theme puts the alt text back."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from crm_lessons import plotting\nplotting.use_theme()"),
                nbformat.v4.new_code_cell("fig, ax = plotting.new_figure()\nax.plot([1, 2], [3, 4])\n"
                                          "plotting.finish(ax, title='Revenue', xlabel='year', ylabel='revenue (USD)');")]
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    (out,) = nb.cells[1].outputs
    assert "image/png" in out["data"]
    assert out["data"]["text/plain"] == "Chart: Revenue; revenue (USD) against year"
