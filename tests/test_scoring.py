"""Scoring a ranking: AUC, gains, top-k hits, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from crm_lessons import scoring
from crm_lessons._validate import CRMInputError


def test_auc_matches_pairwise_count():
    y = np.array([1, 0, 1, 0, 0, 1])
    s = np.array([0.9, 0.3, 0.4, 0.5, 0.1, 0.8])
    pairs = [(a, b) for a in s[y == 1] for b in s[y == 0]]
    expected = np.mean([1.0 if a > b else 0.5 if a == b else 0.0 for a, b in pairs])
    assert scoring.auc(y, s) == pytest.approx(expected)


def test_gains_table_by_hand():
    # 10 customers, 3 positives at ranks 1, 2 and 5; bands of 2.
    g = scoring.gains_table([1, 1, 0, 0, 1, 0, 0, 0, 0, 0], np.arange(10, 0, -1), bins=5, positive="owners")
    assert g["owners"].tolist() == [2, 0, 1, 0, 0]
    assert g["lift"].round(3).tolist() == [round(1 / 0.3, 3), 0.0, round(0.5 / 0.3, 3), 0.0, 0.0]
    assert g["cum_share_owners"].iloc[-1] == 1.0


def test_top_k_hits_and_lift():
    y, s = [1, 0, 1, 0, 1], [5, 4, 3, 2, 1]
    assert scoring.top_k_hits(y, s, 3) == 2
    assert scoring.lift_at(y, s, 3) == pytest.approx((2 / 3) / 0.6)


def test_bad_scores_are_rejected_with_reason():
    with pytest.raises(CRMInputError, match="0/1"):
        scoring.auc([0, 2], [0.1, 0.2])
    with pytest.raises(CRMInputError, match="NaN"):
        scoring.auc([0, 1], [0.1, np.nan])
    with pytest.raises(CRMInputError, match="both"):
        scoring.auc([1, 1], [0.1, 0.2])
    with pytest.raises(CRMInputError, match="larger than"):
        scoring.top_k_hits([0, 1], [0.1, 0.2], 5)
