"""Charts for chapter 04 Interact (channels, A/B tests, contact frequency, journeys, self-service)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._core import PALETTE, finish, label, new_figure

__all__ = ["channel_heatmap", "sample_size_curve", "peeking_chart", "frequency_profit_chart",
           "journey_chart", "peak_end_fit_chart", "deflection_chart"]


def channel_heatmap(ratings: pd.DataFrame | None = None, *, ax=None):
    """Heat map of channel ratings (rows: channels, columns: attributes, 1-5)."""
    import seaborn as sns

    from ..interact import channel_ratings

    r = channel_ratings() if ratings is None else ratings
    if ax is None:
        _, ax = new_figure(width=9, height=4.8)
    shown = r.rename(index=label, columns=label)
    sns.heatmap(shown, annot=True, fmt="d", cmap="Blues", vmin=1, vmax=5, cbar=False, linewidths=1,
                ax=ax)
    ax.tick_params(axis="x", rotation=0)
    ax.tick_params(axis="y", rotation=0)
    return finish(ax, title="Channels rated 1 (least) to 5 (most); cost: 5 = most expensive",
                  xlabel="", ylabel="")


def sample_size_curve(p_control: float, uplifts, *, alpha: float = 0.05, power: float = 0.8, ax=None):
    """Customers needed per arm against the relative uplift to detect (log scale)."""
    from ..interact import ab_sample_size

    up = np.asarray(uplifts, dtype=float)
    n = [ab_sample_size(p_control, p_control * (1 + u), alpha=alpha, power=power)["n_control"] for u in up]
    if ax is None:
        _, ax = new_figure()
    ax.plot(up * 100, n, marker="o", color=PALETTE[0])
    ax.set_yscale("log")
    return finish(ax, title=f"{label('Sample size per arm')} ({label('base rate')} {p_control:.0%}, "
                            f"{label('power')} {power:.0%})",
                  xlabel="relative uplift to detect (%)", ylabel="customers per arm")


def peeking_chart(result: dict, *, alpha: float = 0.05, ax=None):
    """False-positive rate of one final test versus stopping at the first significant peek."""
    if ax is None:
        _, ax = new_figure(width=7, height=4.5)
    vals = [result["rejection_rate_final"], result["rejection_rate_peeking"]]
    names = [label("test once at the end"), f"{label('peek and stop at p < 0.05')} (×{result['looks']})"]
    ax.bar(names, vals, color=[PALETTE[0], PALETTE[3]])
    ax.axhline(alpha, color="black", ls="--", lw=1, label=label("nominal alpha"))
    for i, v in enumerate(vals):
        ax.text(i, v, f"{v:.1%}", ha="center", va="bottom")
    return finish(ax, title="No real difference, yet 'significant': false positives",
                  ylabel="false-positive rate")


def frequency_profit_chart(model, *, margin: float, cost_per_contact: float, optout_cost: float = 0.0,
                           data: pd.DataFrame | None = None, truth: dict | None = None, axes=None):
    """Left: response and opt-out rate by contact frequency (observed, fitted, true). Right: profit."""
    if axes is None:
        _, axes = new_figure(2, width=13, height=4.8)
    ax1, ax2 = axes
    pc = model.profit_curve(margin=margin, cost_per_contact=cost_per_contact, optout_cost=optout_cost)
    if data is not None:
        obs = data.groupby(model.contacts_col)[[model.response_col, model.optout_col]].mean()
        ax1.scatter(obs.index, obs[model.response_col], color=PALETTE[0], label=label("observed response"))
        ax1.scatter(obs.index, obs[model.optout_col], color=PALETTE[3], marker="s",
                    label=label("observed opt-out"))
    ax1.plot(pc["contacts"], pc["p_response"], color=PALETTE[0], label=label("fitted response"))
    ax1.plot(pc["contacts"], pc["p_optout"], color=PALETTE[3], label=label("fitted opt-out"))
    if truth is not None:
        ax1.plot(truth["curve"]["contacts"], truth["curve"]["p_response"], color="black", ls=":",
                 label=label("true response"))
    finish(ax1, title="Response and fatigue", xlabel="contacts per quarter", ylabel="share of customers")
    ax2.plot(pc["contacts"], pc["profit"], marker="o", color=PALETTE[2])
    best = pc.attrs["best"]
    ax2.axvline(best, color="black", ls="--", lw=1)
    ax2.axhline(0, color="grey", lw=0.8)
    finish(ax2, title=f"{label('Expected profit per customer')}: {label('most profitable frequency')} = {best}",
           xlabel="contacts per quarter", ylabel="profit per customer")
    return axes


def journey_chart(moments: pd.DataFrame, journeys: pd.DataFrame, journey_ids, *, ax=None):
    """Feelings along the touchpoints for a few journeys, with peak and end marked."""
    if ax is None:
        _, ax = new_figure()
    for i, jid in enumerate(journey_ids):
        m = moments[moments["journey_id"] == jid]
        j = journeys.set_index("journey_id").loc[jid]
        c = PALETTE[i % len(PALETTE)]
        ax.plot(m["step"], m["feeling"], marker="o", color=c,
                label=f"#{jid}: {label('remembered')} {j['remembered']:.1f}, {label('mean')} {j['mean']:.1f}")
        pk = m.iloc[int(np.abs(m["feeling"].to_numpy()).argmax())]
        ax.scatter([pk["step"]], [pk["feeling"]], s=250, facecolors="none", edgecolors=c, lw=2)
    steps = moments.drop_duplicates("step").sort_values("step")
    ax.set_xticks(steps["step"], [label(t) for t in steps["touchpoint"]])
    ax.axhline(0, color="grey", lw=0.8)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    return finish(ax, title="Customer journeys: feeling at each touchpoint (circle = peak)",
                  xlabel="touchpoint", ylabel="feeling (-5 to +5)")


def peak_end_fit_chart(regression: pd.DataFrame, *, ax=None):
    """R-squared of the mean-only, peak + end, and combined models."""
    if ax is None:
        _, ax = new_figure(width=7, height=4.5)
    ax.bar([label(m) for m in regression["model"]], regression["r2"], color=PALETTE[:len(regression)])
    for i, v in enumerate(regression["r2"]):
        ax.text(i, v, f"{v:.2f}", ha="center", va="bottom")
    ax.set_ylim(0, 1.05)
    return finish(ax, title="What explains the remembered rating?", ylabel="R-squared")


def deflection_chart(curve: pd.DataFrame, *, chosen: float | None = None, ax=None):
    """Share deflected, answered correctly, answered wrongly and escalated, against the threshold."""
    if ax is None:
        _, ax = new_figure()
    for col, c, ls in (("deflected", PALETTE[0], "-"), ("correct", PALETTE[2], "-"),
                       ("wrong_answer", PALETTE[3], "--"), ("escalated", PALETTE[1], ":")):
        ax.plot(curve["threshold"], curve[col], color=c, ls=ls, lw=2.5, label=label(col.replace("_", " ")))
    if chosen is not None:
        ax.axvline(chosen, color="black", lw=1)
    return finish(ax, title="Self-service: what the match threshold trades off",
                  xlabel="match threshold (cosine similarity)", ylabel="share of questions")
