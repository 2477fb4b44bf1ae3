"""Charts for chapter 05 Customize (product ownership, association rules, offers, learning relationship)."""

from __future__ import annotations

import pandas as pd

from ._core import PALETTE, finish, label, new_figure

__all__ = ["ownership_bar", "rules_scatter", "offer_hit_rates", "learning_relationship_chart"]


def ownership_bar(baskets: pd.DataFrame, *, ax=None):
    """Share of customers owning each product, most popular first."""
    share = baskets.mean().sort_values()
    if ax is None:
        _, ax = new_figure(width=9, height=6.5)
    ax.barh([label(p) for p in share.index], share.to_numpy(), color=PALETTE[0])
    return finish(ax, title="Product ownership", xlabel="share of customers", ylabel="")


def rules_scatter(rules: pd.DataFrame, *, ax=None):
    """Support against confidence of every rule, coloured by lift.

    Three rules are labelled: the one with the highest lift (the niche), the highest confidence (the
    safe bet) and the highest support (the volume).
    """
    if ax is None:
        _, ax = new_figure()
    sc = ax.scatter(rules["support"], rules["confidence"], c=rules["lift"], cmap="viridis", s=45)
    ax.figure.colorbar(sc, ax=ax, label=label("lift"))
    ax.set_xscale("log")
    picks = {}
    for col, tag in (("lift", "highest lift"), ("confidence", "highest confidence"),
                     ("support", "highest support")):
        i = rules[col].idxmax()
        picks.setdefault(i, tag)
    offsets = [(10, -28), (25, -16), (-10, -30)]
    for (i, tag), off in zip(picks.items(), offsets):
        r = rules.loc[i]
        text = (f"{label(tag)}: " + " & ".join(label(a) for a in r["antecedent"]) + " → "
                + label(r["consequent"]))
        ax.annotate(text, (r["support"], r["confidence"]), fontsize=9, xytext=off, textcoords="offset points",
                    ha="right" if off[0] < 0 else "left", arrowprops={"arrowstyle": "-", "color": "grey"})
    return finish(ax, title="Association rules", xlabel="support (log scale)", ylabel="confidence")


def offer_hit_rates(evaluation: pd.DataFrame, *, ax=None):
    """Hit rate of each offer method on held-out customers."""
    if ax is None:
        _, ax = new_figure(width=8, height=4.5)
    ax.barh([label(m) for m in evaluation["method"]][::-1], evaluation["hit_rate"].to_numpy()[::-1],
            color=PALETTE[:len(evaluation)][::-1])
    for i, v in enumerate(evaluation["hit_rate"].to_numpy()[::-1]):
        ax.text(v, i, f" {v:.1%}", va="center")
    ax.set_xlim(0, 1)
    return finish(ax, title="Offer = the hidden product? (held-out customers)", xlabel="hit rate", ylabel="")


def learning_relationship_chart(costs: pd.DataFrame, *, axes=None):
    """Left: recommendation accuracy as the firm learns vs a competitor at zero. Right: switching cost."""
    if axes is None:
        _, axes = new_figure(2, width=13, height=4.8)
    ax1, ax2 = axes
    ax1.plot(costs["interactions"], costs["accuracy"], color=PALETTE[0], lw=2.5, label=label("our firm"))
    ax1.plot(costs["interactions"], costs["competitor_accuracy"], color=PALETTE[3], ls="--", lw=2,
             label=label("competitor starting from zero"))
    finish(ax1, title="The firm learns the customer", xlabel="interactions observed",
           ylabel="expected hit rate of the offer")
    ax2.plot(costs["interactions"], costs["switching_cost"], color=PALETTE[2], lw=2.5)
    finish(ax2, title="The customer's switching cost grows", xlabel="interactions observed",
           ylabel="value lost by switching")
    return axes
