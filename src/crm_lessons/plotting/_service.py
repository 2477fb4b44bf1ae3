"""Charts for the service centre: arrival patterns, staffing plans, Erlang curves, simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import require_columns
from ._core import PALETTE, finish, label, new_figure

__all__ = ["arrival_chart", "staffing_chart", "service_level_curve", "handling_time_chart",
           "queue_simulation_chart", "staffing_deflection_chart"]


def arrival_chart(profile: pd.DataFrame, *, ax=None, title: str | None = None):
    """Mean calls per interval through the day, one line per weekday (from ``arrival_profile``)."""
    require_columns(profile, ["weekday", "hour", "calls"], where="arrival_chart")
    if ax is None:
        _, ax = new_figure()
    for i, (day, g) in enumerate(profile.groupby("weekday", observed=True, sort=True)):
        ax.plot(g["hour"], g["calls"], color=PALETTE[i % len(PALETTE)], linewidth=2, label=label(str(day)))
    ax.set_xticks(range(7, 22, 2))
    return finish(ax, title=title or "Calls arriving through the day",
                  xlabel="hour of day", ylabel="calls per half hour")


def staffing_chart(plan: pd.DataFrame, *, ax=None, title: str | None = None):
    """Agents on the phones and staff to schedule per interval, with calls on a second axis."""
    require_columns(plan, ["hour", "agents", "scheduled", "calls_to_agents"], where="staffing_chart")
    if ax is None:
        _, ax = new_figure()
    ax.step(plan["hour"], plan["scheduled"], where="post", color=PALETTE[1], linewidth=2,
            label="staff scheduled")
    ax.step(plan["hour"], plan["agents"], where="post", color=PALETTE[0], linewidth=2,
            label="agents on the phones")
    ax2 = ax.twinx()
    ax2.bar(plan["hour"], plan["calls_to_agents"], width=0.45, align="edge", color=PALETTE[5], alpha=0.3)
    ax2.set_ylabel(label("calls per half hour"))
    ax2.grid(False)
    ax.set_zorder(ax2.get_zorder() + 1)
    ax.patch.set_visible(False)
    return finish(ax, title=title or "Staffing plan per half hour", xlabel="hour of day",
                  ylabel="agents")


def service_level_curve(table: pd.DataFrame, *, target: float | None = 0.8, ax=None,
                        title: str | None = None):
    """Service level and occupancy against the number of agents (from ``erlang_table``)."""
    require_columns(table, ["agents", "service_level", "occupancy"], where="service_level_curve")
    if ax is None:
        _, ax = new_figure()
    ax.plot(table["agents"], table["service_level"], marker="o", color=PALETTE[0], label="service level")
    ax.plot(table["agents"], table["occupancy"], marker="s", color=PALETTE[1], label="occupancy")
    if target is not None:
        ax.axhline(target, color="grey", linestyle=":", linewidth=1)
    ax.set_ylim(0, 1.02)
    return finish(ax, title=title or "More agents: shorter waits, less busy agents", xlabel="agents",
                  ylabel="share")


def handling_time_chart(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Agents needed against average handling time (from ``handling_time_sensitivity``)."""
    require_columns(table, ["handling_time_seconds", "agents"], where="handling_time_chart")
    if ax is None:
        _, ax = new_figure()
    ax.plot(table["handling_time_seconds"], table["agents"], marker="o", color=PALETTE[0])
    return finish(ax, title=title or "Agents needed as handling time grows",
                  xlabel="average handling time (seconds)", ylabel="agents")


def queue_simulation_chart(table: pd.DataFrame, *, x: str = "patience_seconds", ax=None,
                     title: str | None = None):
    """Simulated service level and abandoned share against ``x``, with Erlang C's answer as a line.

    ``table`` has columns ``x``, ``service_level``, ``abandoned_share`` and optionally ``erlang_c``.
    """
    require_columns(table, [x, "service_level", "abandoned_share"], where="queue_simulation_chart")
    if ax is None:
        _, ax = new_figure()
    ax.plot(table[x], table["service_level"], marker="o", color=PALETTE[0], label="simulated service level")
    ax.plot(table[x], table["abandoned_share"], marker="s", color=PALETTE[3], label="abandoned share")
    if "erlang_c" in table:
        ax.plot(table[x], table["erlang_c"], linestyle="--", color="black", label="Erlang C service level")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    return finish(ax, title=title or "Simulation vs Erlang C when callers hang up",
                  xlabel="mean patience (seconds)", ylabel="share of calls")


def staffing_deflection_chart(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Scheduled and on-the-phone agent-hours against the self-service share (``deflection_effect``)."""
    require_columns(table, ["deflection_share", "scheduled_agent_hours", "agent_hours"],
                    where="staffing_deflection_chart")
    if ax is None:
        _, ax = new_figure()
    share = np.asarray(table["deflection_share"], float) * 100
    ax.plot(share, table["scheduled_agent_hours"], marker="o", color=PALETTE[1], label="scheduled agent-hours")
    ax.plot(share, table["agent_hours"], marker="s", color=PALETTE[0], label="agent-hours on the phones")
    ax.set_ylim(0, None)
    return finish(ax, title=title or "Self-service lowers the staff needed",
                  xlabel="share answered by self-service (%)", ylabel="agent-hours per day")
