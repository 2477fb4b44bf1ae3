"""CRM foundations (Chapter 12): the course's lists, delivered value and the hashed self-checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import foundations as f
from crm_lessons._validate import CRMInputError
from crm_lessons.datasets import load


def test_course_lists_have_the_lengths_the_material_gives():
    # M4: 4 classes, 5 functions, 4 need traits, 5 database-marketing traits, 5 relationship-marketing
    # traits, 3 strategies, 4 one-to-one steps; M5: 10C, 11 roles of a CRM system, 4P/4C/4R.
    assert [len(f.CUSTOMER_CLASSES), len(f.CLASSIFICATION_FUNCTIONS), len(f.NEED_TRAITS)] == [4, 5, 4]
    assert [len(f.DATABASE_MARKETING_TRAITS), len(f.RELATIONSHIP_MARKETING_TRAITS)] == [5, 5]
    assert [len(f.RELATIONSHIP_MARKETING_STRATEGIES), len(f.ONE_TO_ONE_STEPS)] == [3, 4]
    assert [len(f.TEN_C), len(f.CRM_SYSTEM_ROLES)] == [10, 11]
    assert f.MARKETING_MIXES.shape == (4, 3)


def test_airline_example_is_kept_in_the_first_classification_function():
    assert "airline" in f.CLASSIFICATION_FUNCTIONS.iloc[0, 2]


def test_delivered_value_is_total_value_minus_total_cost_by_hand():
    d = pd.DataFrame({"product value": [100.0, 10.0], "service value": [20.0, 0.0],
                      "monetary cost": [80.0, 5.0], "time cost": [10.0, 0.0]})
    out = f.delivered_value(d)
    # 100 + 20 - (80 + 10) = 30; 10 - 5 = 5
    np.testing.assert_allclose(out["delivered value"], [30.0, 5.0])
    np.testing.assert_allclose(out["value ratio"], [120 / 90, 2.0])


def test_delivered_value_does_not_mutate_and_rejects_negative_costs():
    d = pd.DataFrame({"product value": [1.0], "monetary cost": [2.0]})
    before = d.copy()
    f.delivered_value(d)
    pd.testing.assert_frame_equal(d, before)
    with pytest.raises(CRMInputError, match="monetary cost"):
        f.delivered_value(d.assign(**{"monetary cost": [-1.0]}))
    with pytest.raises(CRMInputError, match="value column"):
        f.delivered_value(pd.DataFrame({"x": [1.0]}))


def test_telco_delivered_value_follows_its_assumptions():
    t = load("telco_churn_ibm")
    dv = f.telco_delivered_value(t)
    assert len(dv) == len(t) and dv["bundle"].nunique() > 100
    cheaper_time = f.telco_delivered_value(t, assumptions={"value of time per hour": 0.0})
    assert (cheaper_time["time cost"] == 0).all()
    # doubling the worth of a phone line adds 25 USD for every phone customer
    more = f.telco_delivered_value(t, assumptions={"phone": 50.0})
    diff = (more["delivered value"] - dv["delivered value"]).to_numpy()
    np.testing.assert_allclose(diff, t["phone_service"].astype(float).to_numpy() * 25.0)
    with pytest.raises(CRMInputError, match="unknown assumption"):
        f.telco_delivered_value(t, assumptions={"phones": 1.0})


def test_three_views_shares_add_to_one():
    v = f.three_views(load("telco_churn_ibm"))
    for k in ["product", "market"]:
        assert abs(v[k]["revenue share"].sum() - 1) < 0.01
    assert v["customer"]["customers"].sum() == 7043


def test_self_check_says_correct_or_not_yet_without_the_answer(capsys):
    h = {"q": f.answer_hash("q", "Relevance")}
    assert f.self_check("q", " relevance ", h).endswith("correct.")
    msg = f.self_check("q", "reward", h, hints={"q": "section 12.4"})
    assert "not yet" in msg and "relevance" not in msg.lower() and "12.4" in msg
    assert "no answer" in f.self_check("q", ..., h)
    with pytest.raises(CRMInputError, match="unknown question"):
        f.self_check("nope", 1, h)


def test_within_group_effect_equals_the_full_dummy_regression():
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(0)
    n = 400
    d = pd.DataFrame({"g": rng.integers(0, 12, n).astype(str), "c": rng.choice(["x", "y", "z"], n),
                      "x": rng.normal(size=n)})
    d["y"] = (rng.random(n) < 0.3 + 0.05 * d["x"].clip(-2, 2)).astype(float)
    full = smf.ols("y ~ x + C(c) + C(g)", data=d).fit(cov_type="HC1")
    w = f.within_group_effect(d, y="y", x="x", group="g", controls=["c"])
    np.testing.assert_allclose(w["estimate"].iloc[0], full.params["x"], rtol=1e-8)
    np.testing.assert_allclose(w["std_err"].iloc[0], full.bse["x"], rtol=1e-6)


def test_review_appendix_self_checks_each_have_exactly_one_right_option():
    """Every self-check of notebooks/appendix_review.ipynb is answerable: one of a-d matches its hash."""
    import ast
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / "appendix_review.ipynb").read_text(
        encoding="utf-8"))
    checked = 0
    for cell in nb["cells"]:
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] != "code" or "hashes = " not in src:
            continue
        hashes = ast.literal_eval(src.split("hashes = ", 1)[1].splitlines()[0])
        for q, h in hashes.items():
            right = [o for o in "abcd" if f.answer_hash(q, o) == h]
            assert len(right) == 1, f"self-check {q} has {len(right)} right options"
            checked += 1
    assert checked >= 60
