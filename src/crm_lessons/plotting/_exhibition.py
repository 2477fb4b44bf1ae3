"""Charts for exhibition CRM (chapter 8): cohort retention, renewal, life-cycle stages, drivers, services."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import require_columns, require_frame
from ._core import PALETTE, finish, label, new_figure

__all__ = ["cohort_retention_heatmap", "renewal_rate_chart", "lifecycle_chart", "satisfaction_driver_chart",
           "service_stage_chart"]

_STAGES = ["cultivation", "confirmation", "trust", "weakening", "dissolution"]


def cohort_retention_heatmap(retention: pd.DataFrame, *, ax=None):
    """Heat map of exhibitor cohorts (rows: first edition) by edition: the share still exhibiting.

    Parameters
    ----------
    retention : DataFrame
        From :func:`crm_lessons.exhibition.cohort_retention` (``how="share"``).
    """
    import seaborn as sns

    require_frame(retention, where="cohort_retention_heatmap")
    if ax is None:
        _, ax = new_figure()
    sns.heatmap(retention.astype(float), annot=True, fmt=".0%", cmap="Blues", vmin=0, vmax=1, cbar=False,
                ax=ax, annot_kws={"size": 11})
    return finish(ax, title="exhibitor retention by cohort", xlabel="edition", ylabel="cohort (first edition)")


def renewal_rate_chart(renewals, *, ax=None):
    """Renewal rate by edition, for one run or several scenarios side by side.

    Parameters
    ----------
    renewals : DataFrame or dict of str to DataFrame
        From :func:`crm_lessons.exhibition.renewal_by_edition`; a dict draws one line per scenario.
    """
    runs = renewals if isinstance(renewals, dict) else {"renewal rate": renewals}
    if ax is None:
        _, ax = new_figure()
    for k, (name, r) in enumerate(runs.items()):
        require_columns(r, ["edition", "renewal_rate"], where="renewal_rate_chart")
        d = r.dropna(subset=["renewal_rate"])
        ax.plot(d["edition"], d["renewal_rate"], marker="o", color=PALETTE[k % len(PALETTE)], label=name)
    eds = sorted({int(e) for r in runs.values() for e in r.dropna(subset=["renewal_rate"])["edition"]})
    ax.set_xticks(eds)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    return finish(ax, title="exhibitor renewal rate by edition", xlabel="edition", ylabel="renewal rate",
                  legend=len(runs) > 1)


def lifecycle_chart(stages: pd.DataFrame, *, ax=None):
    """Stacked bars: how many exhibitors are in each life-cycle stage at each edition.

    Parameters
    ----------
    stages : DataFrame
        From :func:`crm_lessons.exhibition.lifecycle_stages`.
    """
    require_columns(stages, ["edition", "stage"], where="lifecycle_chart")
    tab = pd.crosstab(stages["edition"], stages["stage"].astype(str)).reindex(columns=_STAGES, fill_value=0)
    if ax is None:
        _, ax = new_figure()
    bottom = np.zeros(len(tab))
    colours = [PALETTE[5], PALETTE[0], PALETTE[2], PALETTE[1], PALETTE[3]]
    for col, c in zip(_STAGES, colours):
        ax.bar(tab.index, tab[col], bottom=bottom, color=c, label=col, width=0.7)
        bottom += tab[col].to_numpy()
    ax.set_xticks(tab.index)
    out = finish(ax, title="exhibitor life-cycle stages by edition", xlabel="edition", ylabel="exhibitors")
    ax.legend([label(s) for s in _STAGES], loc="upper left", bbox_to_anchor=(1, 1))
    return out


def satisfaction_driver_chart(drivers: pd.DataFrame, *, ax=None):
    """Coefficients of the ordered logit and of OLS for each satisfaction driver, with 95 % intervals.

    Parameters
    ----------
    drivers : DataFrame
        From :func:`crm_lessons.exhibition.satisfaction_drivers`.
    """
    require_columns(drivers, ["ordered_coef", "ordered_se", "ols_coef", "ols_se"], where="satisfaction_driver_chart")
    if ax is None:
        _, ax = new_figure()
    y = np.arange(len(drivers))
    for k, (col, se, name) in enumerate([("ordered_coef", "ordered_se", "ordered logit"), ("ols_coef", "ols_se", "OLS on the 1-5 scale")]):
        ax.barh(y + (k - 0.5) * 0.38, drivers[col], xerr=1.96 * drivers[se], height=0.36, color=PALETTE[k],
                label=name, capsize=3)
    ax.set_yticks(y)
    ax.set_yticklabels([label(str(i)) for i in drivers.index])
    ax.axvline(0, color="black", lw=0.8)
    ax.invert_yaxis()
    return finish(ax, title="drivers of exhibitor satisfaction", xlabel="effect on satisfaction", legend=True)


def service_stage_chart(effects: pd.DataFrame, *, ax=None):
    """Mean satisfaction when each service stage was delivered below vs at or above its median quality.

    Parameters
    ----------
    effects : DataFrame
        From :func:`crm_lessons.exhibition.service_effects`.
    """
    require_columns(effects, ["stage", "satisfaction_low", "satisfaction_high"], where="service_stage_chart")
    if ax is None:
        _, ax = new_figure()
    x = np.arange(len(effects))
    ax.bar(x - 0.2, effects["satisfaction_low"], width=0.4, color=PALETTE[3], label="quality below median")
    ax.bar(x + 0.2, effects["satisfaction_high"], width=0.4, color=PALETTE[2], label="quality at or above median")
    ax.set_xticks(x)
    ax.set_xticklabels([label(s) for s in effects["stage"].map(
        {"pre-show": "pre-show service", "on-site": "on-site service", "post-show": "post-show service"})])
    ax.set_ylim(1, 5)
    return finish(ax, title="service quality by stage and satisfaction", ylabel="mean satisfaction (1-5)",
                  legend=True)
