"""P(alive) history of one customer and interval charts (issue 16 diagnostics); sBG projections with intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import clv as C
from crm_lessons import plotting
from crm_lessons._validate import CRMInputError
from crm_lessons.retention import PUBLISHED_SURVIVAL, ShiftedBetaGeometricModel


@pytest.fixture()
def bg():
    m = C.BetaGeoModel()
    m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    return m


def test_p_alive_history_matches_probability_alive_at_each_time(bg):
    h = C.p_alive_history(bg, [0.0, 3.0, 4.5, 10.0], end=20.0, step=0.5)
    assert h.index[0] == 0.0 and h.index[-1] == 20.0
    row = h.loc[12.0]
    assert row["repeat_purchases"] == 3 and row["recency"] == 10.0
    assert row["p_alive"] == pytest.approx(float(bg.probability_alive(3, 10.0, 12.0)))
    # P(alive) falls during a silence and jumps up at a purchase
    assert h.loc[9.5, "p_alive"] < h.loc[4.5, "p_alive"] < 1.0
    assert h.loc[10.0, "p_alive"] > h.loc[9.5, "p_alive"]


def test_p_alive_history_rejects_purchases_after_the_end(bg):
    with pytest.raises(CRMInputError, match="after end"):
        C.p_alive_history(bg, [0.0, 30.0], end=20.0)
    with pytest.raises(CRMInputError, match="not fitted"):
        C.p_alive_history(C.BetaGeoModel(), [0.0], end=5.0)


def test_diagnostic_charts_draw(bg):
    ax = plotting.p_alive_history_chart(C.p_alive_history(bg, [0, 2, 8], end=39))
    assert len(ax.lines) == 2 and "P(alive)" in ax.get_title()
    m = ShiftedBetaGeometricModel().fit(PUBLISHED_SURVIVAL["regular"].iloc[:8])
    iv = C.prediction_interval(m, lambda mm: mm.project(12, cohort_size=1000)["expected_active"], n_draws=100)
    ax = plotting.interval_chart(iv, actual=PUBLISHED_SURVIVAL["regular"].to_numpy(), xlabel="years")
    assert len(ax.lines) == 2 and ax.collections
    with pytest.raises(CRMInputError, match="missing column"):
        plotting.interval_chart(iv.drop(columns="lower"))


def test_sbg_projection_intervals_cover_the_held_out_years():
    # years 8-12 of the published series lie inside the 95% band from parameter uncertainty
    for seg in ("regular", "high_end"):
        m = ShiftedBetaGeometricModel().fit(PUBLISHED_SURVIVAL[seg].iloc[:8])
        iv = C.prediction_interval(m, lambda mm: mm.project(12, cohort_size=1000)["expected_active"], n_draws=400)
        actual = PUBLISHED_SURVIVAL[seg].loc[8:12].to_numpy()
        assert ((iv["lower"].loc[8:12].to_numpy() <= actual) & (actual <= iv["upper"].loc[8:12].to_numpy())).all()
