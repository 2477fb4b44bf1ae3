"""Charts for Chapter 12 (CRM foundations): a concept map and the delivered-value breakdown."""

from __future__ import annotations

import pandas as pd

from .._validate import require_columns, require_frame
from ._core import PALETTE, ensure_ax, finish, label, new_figure

__all__ = ["concept_map", "delivered_value_chart", "estimate_interval_chart", "price_tendency_chart",
           "CONCEPT_NODES", "CONCEPT_EDGES"]

# node -> (x, y, group); groups: 0 what CRM is, 1 theories, 2 customers, 3 systems
CONCEPT_NODES: dict[str, tuple[float, float, int]] = {
    "CRM": (0.50, 0.55, 0),
    "philosophy": (0.22, 0.88, 0), "mechanism": (0.50, 0.92, 0), "technology": (0.78, 0.88, 0),
    "customer-centric": (0.50, 0.75, 0),
    "database marketing": (0.08, 0.55, 1), "relationship marketing": (0.12, 0.35, 1),
    "one-to-one marketing": (0.22, 0.15, 1), "4P -> 4C -> 4R": (0.10, 0.75, 1),
    "delivered value": (0.40, 0.22, 1),
    "customer classes": (0.88, 0.55, 2), "customer value": (0.72, 0.30, 2),
    "new needs": (0.92, 0.72, 2), "10C": (0.60, 0.08, 2),
    "CRM system: 11 roles": (0.85, 0.15, 3),
}
CONCEPT_EDGES: list[tuple[str, str]] = [
    ("philosophy", "CRM"), ("mechanism", "CRM"), ("technology", "CRM"), ("customer-centric", "CRM"),
    ("database marketing", "CRM"), ("relationship marketing", "CRM"), ("one-to-one marketing", "CRM"),
    ("4P -> 4C -> 4R", "relationship marketing"), ("relationship marketing", "delivered value"),
    ("customer classes", "CRM"), ("new needs", "customer classes"), ("customer value", "CRM"),
    ("customer value", "10C"), ("technology", "CRM system: 11 roles"), ("CRM", "CRM system: 11 roles"),
    ("delivered value", "customer value"),
]
_GROUPS = ["what CRM is", "marketing theories", "customers", "CRM systems"]


def concept_map(nodes: dict | None = None, edges: list | None = None, *, ax=None,
                title: str = "CRM foundations: a concept map"):
    """Draw a concept map: labelled boxes (coloured by group) joined by arrows, with matplotlib only.

    Parameters
    ----------
    nodes : dict, optional
        ``name -> (x, y, group)`` in axes coordinates 0-1; default :data:`CONCEPT_NODES`.
    edges : list of (from, to), optional
        Default :data:`CONCEPT_EDGES`.

    Returns
    -------
    matplotlib Axes
    """
    nodes = CONCEPT_NODES if nodes is None else nodes
    edges = CONCEPT_EDGES if edges is None else edges
    if ax is None:
        _, ax = new_figure(width=12, height=7)
    for a, b in edges:
        (x0, y0, _), (x1, y1, _) = nodes[a], nodes[b]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops={"arrowstyle": "->", "color": "grey", "lw": 1.2,
                                "shrinkA": 18, "shrinkB": 18})
    for name, (x, y, g) in nodes.items():
        ax.text(x, y, label(name), ha="center", va="center", fontsize=11,
                bbox={"boxstyle": "round,pad=0.4", "fc": PALETTE[g % len(PALETTE)], "alpha": 0.25,
                      "ec": PALETTE[g % len(PALETTE)]})
    for g, name in enumerate(_GROUPS):
        ax.plot([], [], "s", color=PALETTE[g], alpha=0.5, label=label(name), ms=12)
    ax.legend(loc="lower left", fontsize=10, frameon=False)
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(0, 1.0)
    ax.axis("off")
    return finish(ax, title=title, legend=False)


def delivered_value_chart(dv: pd.DataFrame, *, by: str = "contract", ax=None,
                          title: str = "Customer delivered value: value and cost parts"):
    """Mean value parts (bars up) and cost parts (bars down) per group, with mean delivered value marked.

    Parameters
    ----------
    dv : DataFrame
        Output of :func:`crm_lessons.foundations.delivered_value` (or ``telco_delivered_value``).
    by : str
        Column to group by.
    """
    from ..foundations import COST_PARTS, VALUE_PARTS

    require_frame(dv, where="delivered_value_chart")
    require_columns(dv, [by, "delivered value"], where="delivered_value_chart")
    vparts = [c for c in VALUE_PARTS if c in dv.columns]
    cparts = [c for c in COST_PARTS if c in dv.columns]
    m = dv.groupby(by, observed=True)[vparts + cparts + ["delivered value"]].mean()
    ax = ensure_ax(ax)
    x = range(len(m))
    bottom = pd.Series(0.0, index=m.index)
    for i, c in enumerate(vparts):
        ax.bar(x, m[c], bottom=bottom, color=PALETTE[i], width=0.6, label=label(c))
        bottom = bottom + m[c]
    bottom = pd.Series(0.0, index=m.index)
    for i, c in enumerate(cparts):
        ax.bar(x, -m[c], bottom=bottom, color=PALETTE[(i + 4) % len(PALETTE)], width=0.6, label=label(c),
               hatch="//")
        bottom = bottom - m[c]
    ax.plot(list(x), m["delivered value"], "D", color="black", ms=10, label=label("delivered value"))
    ax.axhline(0, color="black", lw=1)
    ax.set_xticks(list(x))
    ax.set_xticklabels([str(i) for i in m.index])
    return finish(ax, title=title, xlabel=by, ylabel="USD per month")


def estimate_interval_chart(table: pd.DataFrame, *, terms=None, ax=None,
                            title: str = "Estimates with 95% intervals", xlabel: str = "estimate"):
    """Point estimates with 95% intervals as horizontal bars, a zero line for reference.

    Parameters
    ----------
    table : DataFrame
        Indexed by term, with columns ``estimate``, ``lower``, ``upper`` (e.g. ``ConditionalLogit.summary()``
        or :func:`crm_lessons.psychology.loss_aversion`).
    terms : list of str, optional
        Rows to draw, in order (default all).
    """
    require_frame(table, where="estimate_interval_chart")
    require_columns(table, ["estimate", "lower", "upper"], where="estimate_interval_chart")
    t = table.loc[list(terms)] if terms is not None else table
    ax = ensure_ax(ax)
    y = list(range(len(t)))[::-1]
    ax.errorbar(t["estimate"], y, xerr=[t["estimate"] - t["lower"], t["upper"] - t["estimate"]],
                fmt="o", color=PALETTE[0], ms=9, capsize=6, lw=2)
    ax.axvline(0, color="grey", ls="--", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels([label(str(i)) for i in t.index])
    return finish(ax, title=title, xlabel=xlabel)


def price_tendency_chart(tendency: pd.DataFrame, *, ax=None,
                         title: str = "Price tendency of households"):
    """Histogram of households' price tendency (0 = always the cheapest brand, 1 = always the dearest)."""
    require_frame(tendency, where="price_tendency_chart")
    require_columns(tendency, ["tendency"], where="price_tendency_chart")
    ax = ensure_ax(ax)
    ax.hist(tendency["tendency"], bins=[i / 12 for i in range(13)], color=PALETTE[0], edgecolor="white")
    for x in (1 / 3, 2 / 3):
        ax.axvline(x, color=PALETTE[3], ls=":", lw=2)
    ax.text(1 / 6, ax.get_ylim()[1] * 0.92, label("low"), ha="center", color=PALETTE[3])
    ax.text(5 / 6, ax.get_ylim()[1] * 0.92, label("high"), ha="center", color=PALETTE[3])
    return finish(ax, title=title, xlabel="price tendency (0 = cheapest, 1 = dearest)", ylabel="households")
