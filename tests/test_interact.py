"""Tests for crm_lessons.interact (chapter 04) and its charts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from crm_lessons import interact as it
from crm_lessons._validate import CRMInputError, CRMTypeError
from crm_lessons.datasets import load


# ---------------------------------------------------------------- dialogue and channels
def test_dialogue_needs_all_six_conditions():
    ok = {c: True for c in it.DIALOGUE_CONDITIONS["condition"]}
    assert len(ok) == 6
    assert it.check_dialogue(ok).attrs["is_dialogue"]
    assert not it.check_dialogue(dict(ok, resumes=False)).attrs["is_dialogue"]


def test_dialogue_rejects_unknown_or_missing_conditions():
    with pytest.raises(CRMInputError, match="unknown condition"):
        it.check_dialogue({"friendly": True})
    with pytest.raises(CRMInputError, match="missing"):
        it.check_dialogue({"identified": True})


def test_every_channel_rating_has_a_reason_and_lies_between_1_and_5():
    long = it.channel_ratings(long=True)
    assert len(long) == 25
    assert long["rating"].between(1, 5).all()
    assert (long["reason"].str.len() >= 8).all()
    wide = it.channel_ratings()
    assert list(wide.index) == it.CHANNELS and list(wide.columns) == it.CHANNEL_ATTRIBUTES


def test_channel_ratings_follow_the_course_descriptions():
    r = it.channel_ratings()
    # course: letter has "little interaction, slow feedback"; telephone is "voice only"
    assert r.loc["letter", "interactivity"] == r["interactivity"].min()
    assert r.loc["letter", "speed"] == r["speed"].min()
    assert r.loc["telephone", "richness"] == r["richness"].min()
    # web: "no limits of time or place"
    assert r.loc["web", "reach"] == r["reach"].max()


def test_channel_fit_counts_cost_against_a_channel():
    rich = it.channel_fit({"richness": 1})
    assert rich.index[0] in ("face to face", "club")
    cheap = it.channel_fit({"cost per contact": 1})
    assert cheap.index[0] == "web" and cheap.index[-1] == "face to face"


def test_channel_fit_rejects_unknown_attribute_and_negative_weight():
    with pytest.raises(CRMInputError):
        it.channel_fit({"colour": 1})
    with pytest.raises(CRMInputError):
        it.channel_fit({"reach": -1})


# ---------------------------------------------------------------- design steps on CDNOW
@pytest.fixture(scope="module")
def cdnow():
    return load("cdnow_master")


def test_lapsed_customers_bought_twice_and_not_recently(cdnow):
    t = it.select_lapsed_customers(cdnow, as_of="1997-12-31", min_purchases=2, lapsed_days=180)
    assert (t["purchases"] >= 2).all() and (t["days_since"] > 180).all()
    # independent check for one customer
    cid = t["customer_id"].iloc[0]
    own = cdnow[(cdnow["customer_id"] == cid) & (cdnow["date"] <= "1997-12-31")]
    assert own["date"].nunique() == t["purchases"].iloc[0]


def test_reactivation_baseline_counts_returners_by_hand(cdnow):
    b = it.reactivation_baseline(cdnow, as_of="1997-12-31", window_days=90)
    t = it.select_lapsed_customers(cdnow, as_of="1997-12-31")
    win = cdnow[(cdnow["date"] > "1997-12-31") & (cdnow["date"] <= "1998-03-31")]
    assert b["returned"] == win["customer_id"].isin(t["customer_id"]).pipe(
        lambda m: win.loc[m, "customer_id"].nunique())
    assert b["rate"] == pytest.approx(b["returned"] / b["targets"])


def test_reactivation_baseline_refuses_a_window_past_the_data(cdnow):
    with pytest.raises(CRMInputError, match="before the end"):
        it.reactivation_baseline(cdnow, as_of="1998-06-01", window_days=90)


def test_lapsed_customers_do_not_mutate_and_reject_bad_input(cdnow):
    small = cdnow.head(500)
    before = small.copy()
    it.select_lapsed_customers(small, as_of="1997-06-30")
    pd.testing.assert_frame_equal(small, before)
    with pytest.raises(CRMInputError, match="missing column"):
        it.select_lapsed_customers(small.drop(columns="dollars"), as_of="1997-06-30")
    bad = small.assign(dollars=-small["dollars"])
    with pytest.raises(CRMInputError, match="negative"):
        it.select_lapsed_customers(bad, as_of="1997-06-30")


def test_smart_goal_flags_an_unachievable_target():
    ok = it.SmartGoal("lapsed", "buy again", 0.10, 0.05, 90, relevant_to="economic link").check()
    assert ok["ok"].all()
    too_high = it.SmartGoal("lapsed", "buy again", 0.50, 0.05, 90, relevant_to="x").check()
    assert not too_high.set_index("criterion").loc["achievable", "ok"]
    below = it.SmartGoal("lapsed", "buy again", 0.04, 0.05, 90, relevant_to="x").check()
    assert not below.set_index("criterion").loc["achievable", "ok"]


def test_three_budget_methods_by_hand():
    assert it.budget_share_of_sales(1_500_000, 0.03) == pytest.approx(45_000)
    comp = pd.DataFrame({"sales": [2e6, 6e6], "spend": [50_000, 110_000]})
    # (50k + 110k) / (2m + 6m) = 2% -> 2% of 1.5m = 30k
    assert it.budget_competitor_parity(1_500_000, comp) == pytest.approx(30_000)
    tasks = pd.DataFrame({"task": ["mail", "call"], "units": [4000, 500], "unit_cost": [1.2, 3.0]})
    out = it.budget_objective_task(tasks)
    assert out.attrs["total"] == pytest.approx(4000 * 1.2 + 500 * 3.0)
    assert "cost" not in tasks.columns  # caller's frame untouched


def test_budget_helpers_reject_bad_input():
    with pytest.raises(CRMInputError):
        it.budget_share_of_sales(-1, 0.1)
    with pytest.raises(CRMInputError):
        it.budget_share_of_sales(100, 1.5)
    with pytest.raises(CRMInputError):
        it.budget_competitor_parity(100, pd.DataFrame({"sales": [0], "spend": [1]}))
    with pytest.raises(CRMInputError):
        it.budget_objective_task(pd.DataFrame({"units": [1], "unit_cost": [-2.0]}))
    with pytest.raises(CRMInputError):
        it.compare_budgets()


def test_channel_mix_by_hand_and_no_mutation():
    mix = pd.DataFrame({"channel": ["letter", "telephone"], "customers": [1000, 200], "touches": [2, 1],
                        "cost_per_contact": [1.0, 5.0], "response_rate": [0.05, 0.25]})
    before = mix.copy()
    out = it.channel_mix(mix, budget=2500, value_per_response=40)
    pd.testing.assert_frame_equal(mix, before)
    assert out.attrs["total_cost"] == 1000 * 2 * 1.0 + 200 * 5.0
    assert out.attrs["responses"] == pytest.approx(50 + 50)
    assert out.attrs["within_budget"] is False
    assert out["profit"].tolist() == [50 * 40 - 2000, 50 * 40 - 1000]
    with pytest.raises(CRMInputError, match="rates"):
        it.channel_mix(mix.assign(response_rate=[5, 0.1]))


# ---------------------------------------------------------------- A/B test
def test_sample_size_matches_cohens_table():
    # Cohen (1988), Statistical Power Analysis, Table 6.4.1: h = 0.20, two-sided alpha .05,
    # power .80 -> n = 392 per group; the exact normal formula gives 2 * ((1.95996 + 0.84162) / 0.2)^2
    # = 392.4 (statsmodels also counts the far tail, hence rel 1e-5).
    from statsmodels.stats.power import NormalIndPower

    n = NormalIndPower().solve_power(effect_size=0.2, alpha=0.05, power=0.8)
    assert round(n) == 392
    z = norm.ppf(0.975) + norm.ppf(0.8)
    assert n == pytest.approx((z / 0.2) ** 2 * 2, rel=1e-5)


def test_sample_size_for_5_to_6_percent_by_hand():
    h = 2 * np.arcsin(np.sqrt(0.06)) - 2 * np.arcsin(np.sqrt(0.05))
    expected = int(np.ceil(2 * ((norm.ppf(0.975) + norm.ppf(0.8)) / h) ** 2))
    r = it.ab_sample_size(0.05, 0.06)
    assert r["effect_size"] == pytest.approx(h)
    assert r["n_control"] == expected == 8143
    assert r["n_total"] == 2 * expected


def test_sample_size_rejects_equal_rates_and_bad_probabilities():
    with pytest.raises(CRMInputError, match="differ"):
        it.ab_sample_size(0.05, 0.05)
    with pytest.raises(CRMInputError):
        it.ab_sample_size(0, 0.1)
    with pytest.raises(CRMInputError):
        it.ab_sample_size(0.05, 0.06, power=1.2)


def test_two_proportion_test_matches_hand_computation():
    # 10/100 vs 20/100: pooled p = 0.15, se = sqrt(.15 * .85 * (2/100)) = 0.050498,
    # z = 0.10 / 0.050498 = 1.9803, two-sided p = 0.0477.
    d = pd.DataFrame({"arm": ["A"] * 100 + ["B"] * 100,
                      "responded": [1] * 10 + [0] * 90 + [1] * 20 + [0] * 80})
    before = d.copy()
    r = it.ab_test(d, ci_method="wald").iloc[0]
    pd.testing.assert_frame_equal(d, before)
    assert r["z"] == pytest.approx(0.10 / np.sqrt(0.15 * 0.85 * 0.02), rel=1e-9)
    assert r["p_value"] == pytest.approx(2 * norm.sf(1.98029), abs=1e-5)
    # Wald CI: 0.10 +/- 1.95996 * sqrt(.1*.9/100 + .2*.8/100) = 0.10 +/- 0.09800
    half = norm.ppf(0.975) * np.sqrt(0.1 * 0.9 / 100 + 0.2 * 0.8 / 100)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((0.10 - half, 0.10 + half), rel=1e-9)
    assert r["significant"]


def test_ab_test_rejects_non_binary_outcome_and_missing_arm():
    d = pd.DataFrame({"arm": ["A", "B"], "responded": [1, 2]})
    with pytest.raises(CRMInputError, match="0/1"):
        it.ab_test(d)
    with pytest.raises(CRMInputError, match="not found"):
        it.ab_test(pd.DataFrame({"arm": ["A", "A"], "responded": [1, 0]}))
    with pytest.raises(CRMTypeError):
        it.ab_test([1, 2])


def test_ab_generator_is_seeded_and_delivers_its_rates():
    d1, t = it.make_ab_test(40_000, seed=3, p_control=0.05, p_treatment=0.07)
    d2, _ = it.make_ab_test(40_000, seed=3, p_control=0.05, p_treatment=0.07)
    pd.testing.assert_frame_equal(d1, d2)
    rates = d1.groupby("arm")["responded"].mean()
    assert rates["A"] == pytest.approx(0.05, abs=0.005)
    assert rates["B"] == pytest.approx(0.07, abs=0.006)
    assert t["difference"] == pytest.approx(0.02)
    assert abs((d1["arm"] == "A").mean() - 0.5) < 0.01


def test_vectorised_peeking_z_test_equals_statsmodels():
    from statsmodels.stats.proportion import proportions_ztest

    for x1, n1, x0, n0 in [(30, 400, 20, 400), (7, 120, 15, 130)]:
        _, p = proportions_ztest([x1, x0], [n1, n0])
        assert it._pooled_z_pvalues(np.array(x1), n1, np.array(x0), n0) == pytest.approx(p)


def test_peeking_inflates_false_positives_and_final_test_keeps_alpha():
    r = it.peeking_simulation(2_000, looks=10, n_sims=4_000, seed=0)
    # one test at the end: about 5% (binomial se over 4000 sims is 0.35 points)
    assert r["rejection_rate_final"] == pytest.approx(0.05, abs=0.012)
    # ten looks: Armitage, McPherson & Rowe (1969) give about 19% for 10 equally spaced looks
    assert 0.14 < r["rejection_rate_peeking"] < 0.24
    assert r["rejection_rate_peeking"] > r["rejection_rate_final"]
    one = it.peeking_simulation(2_000, looks=1, n_sims=500, seed=0)
    assert one["rejection_rate_peeking"] == one["rejection_rate_final"]


def test_peeking_rejects_more_looks_than_customers():
    with pytest.raises(CRMInputError, match="looks"):
        it.peeking_simulation(5, looks=10)


# ---------------------------------------------------------------- contact frequency
def test_contact_generator_truth_and_seed():
    d1, t = it.make_contact_response(30_000, seed=5)
    d2, _ = it.make_contact_response(30_000, seed=5)
    pd.testing.assert_frame_equal(d1, d2)
    obs = d1.groupby("contacts")["responded"].mean()
    true = t["curve"].set_index("contacts")["p_response"]
    assert np.abs(obs - true).max() < 0.025
    assert t["curve"]["p_optout"].is_monotonic_increasing


def test_frequency_model_recovers_parameters_and_best_frequency():
    d, t = it.make_contact_response(40_000, seed=0)
    m = it.FrequencyResponse().fit(d)
    for name, key in (("const", "b0"), ("contacts", "b1"), ("contacts_sq", "b2")):
        assert abs(m.response_params_[name] - t[key]) < 4 * m.response_bse_[name]
    pc = m.profit_curve(margin=40, cost_per_contact=0.5, optout_cost=20)
    f = t["curve"]["contacts"]
    true_profit = 40 * t["curve"]["p_response"] - 0.5 * f - 20 * t["curve"]["p_optout"]
    assert abs(pc.attrs["best"] - int(f[true_profit.idxmax()])) <= 1


def test_frequency_model_rejects_bad_input_and_unfitted_use():
    with pytest.raises(CRMInputError, match="fit"):
        it.FrequencyResponse().predict([1])
    d, _ = it.make_contact_response(500, seed=0)
    with pytest.raises(CRMInputError, match="0/1"):
        it.FrequencyResponse().fit(d.assign(responded=2))
    with pytest.raises(CRMInputError, match="3 different"):
        it.FrequencyResponse().fit(d.assign(contacts=1))
    before = d.copy()
    it.FrequencyResponse().fit(d)
    pd.testing.assert_frame_equal(d, before)


# ---------------------------------------------------------------- journeys and peak-end
def test_journey_generator_peak_and_end_are_what_it_says():
    m, j = it.make_journeys(300, seed=4)
    wide = m.pivot(index="journey_id", columns="step", values="feeling").to_numpy()
    assert np.allclose(j["end"], wide[:, -1], atol=1e-3)
    assert np.allclose(np.abs(j["peak"]), np.abs(wide).max(axis=1), atol=1e-3)
    assert np.allclose(j["mean"], wide.mean(axis=1), atol=1e-3)
    assert wide.min() >= -5 and wide.max() <= 5
    _, j2 = it.make_journeys(300, seed=4)
    pd.testing.assert_frame_equal(j, j2)


def test_peak_and_end_explain_memory_better_than_the_mean_and_recover_weights():
    _, j = it.make_journeys(3_000, seed=0, w_peak=0.5, w_end=0.4)
    r = it.peak_end_regression(j).set_index("model")
    assert r.loc["peak + end", "r2"] > r.loc["mean", "r2"] + 0.1
    assert r.loc["peak + end", "b_peak"] == pytest.approx(0.5, abs=0.03)
    assert r.loc["peak + end", "b_end"] == pytest.approx(0.4, abs=0.03)
    assert abs(r.loc["mean + peak + end", "b_mean"]) < 0.1


def test_when_memory_follows_the_mean_the_mean_model_wins():
    _, j = it.make_journeys(3_000, seed=0, w_peak=0, w_end=0, w_mean=1.0)
    r = it.peak_end_regression(j).set_index("model")
    assert r.loc["mean", "r2"] > r.loc["peak + end", "r2"]


def test_peak_end_regression_rejects_small_or_bad_input():
    _, j = it.make_journeys(50, seed=0)
    with pytest.raises(CRMInputError, match="at least 10"):
        it.peak_end_regression(j.head(5))
    with pytest.raises(CRMInputError, match="missing column"):
        it.peak_end_regression(j.drop(columns="end"))
    before = j.copy()
    it.peak_end_regression(j)
    pd.testing.assert_frame_equal(j, before)


# ---------------------------------------------------------------- self-service
def test_question_generator_truth_and_share_new():
    q = it.make_customer_questions(2_000, seed=0, share_new=0.3)
    assert (q["faq_id"] == -1).mean() == pytest.approx(0.3, abs=0.03)
    assert set(q["faq_id"]) - {-1} <= set(it.FAQ["faq_id"])
    pd.testing.assert_frame_equal(q, it.make_customer_questions(2_000, seed=0, share_new=0.3))


def test_faq_search_finds_exact_questions_and_escalates_unrelated_ones():
    s = it.FAQSearch(threshold=0.3).fit(it.FAQ)
    r = s.route(it.FAQ["question"].tolist())
    assert (r["faq_id"].to_numpy() == it.FAQ["faq_id"].to_numpy()).all()
    assert (r["score"] > 0.99).all()
    r2 = s.route(["Do you ship to Macau?", "Is the tent suitable for children?"])
    assert (r2["action"] == "new case").all() and r2["case_id"].tolist() == [1, 2]


def test_deflection_falls_and_wrong_answers_fall_as_threshold_rises():
    s = it.FAQSearch().fit(it.FAQ)
    q = it.make_customer_questions(600, seed=1)
    c = s.deflection_curve(q, thresholds=[0.0, 0.2, 0.4, 0.6, 0.8])
    assert c["deflected"].is_monotonic_decreasing and c["wrong_answer"].is_monotonic_decreasing
    assert c.loc[0, "deflected"] == 1.0
    assert np.allclose(c["deflected"] + c["escalated"], 1)
    assert np.allclose(c["correct"] + c["wrong_answer"], c["deflected"])


def test_faq_search_rejects_bad_input():
    with pytest.raises(CRMInputError, match="fit"):
        it.FAQSearch().route(["hi"])
    with pytest.raises(CRMInputError, match="duplicate"):
        it.FAQSearch().fit(pd.concat([it.FAQ, it.FAQ.head(1)]))
    with pytest.raises(CRMInputError):
        it.FAQSearch(threshold=2)
    faq = it.FAQ.copy()
    it.FAQSearch().fit(faq)
    pd.testing.assert_frame_equal(faq, it.FAQ)


def test_psychology_stages_in_course_order_with_the_materials_responses():
    from crm_lessons.psychology import SALES_STAGES

    assert it.PSYCHOLOGY_STAGES["zh"].tolist() == ["排斥期", "接受期", "反复期", "认同期"]
    # one source: chapter 4 shows course material M5's responses, not a version of the workbook's own
    assert it.PSYCHOLOGY_STAGES["response"].tolist() == SALES_STAGES["the material's response (M5, paraphrased)"].tolist()


# ---------------------------------------------------------------- charts
def test_interact_charts_draw_with_translated_labels():
    from crm_lessons import plotting

    ax = plotting.channel_heatmap()
    assert ax.get_xticklabels()[0].get_text() == "richness"
    res = it.peeking_simulation(500, looks=5, n_sims=200, seed=0)
    assert plotting.peeking_chart(res).get_ylabel() == "false-positive rate"
    d, t = it.make_contact_response(3000, seed=0)
    axes = plotting.frequency_profit_chart(it.FrequencyResponse().fit(d), margin=40, cost_per_contact=0.5,
                                           data=d, truth=t)
    assert len(axes) == 2
    m, j = it.make_journeys(100, seed=0)
    plotting.journey_chart(m, j, [1, 2])
    plotting.peak_end_fit_chart(it.peak_end_regression(j))
    s = it.FAQSearch().fit(it.FAQ)
    plotting.deflection_chart(s.deflection_curve(it.make_customer_questions(100, seed=0)), chosen=0.3)
    plotting.sample_size_curve(0.05, [0.1, 0.2])


def test_interact_chart_labels_have_chinese(cjk):
    from crm_lessons.plotting import label, use_language

    try:
        use_language("zh")
        for text in ("richness", "contacts per quarter", "false-positive rate", "share of questions",
                     "feeling (-5 to +5)", "match threshold (cosine similarity)"):
            assert label(text) != text
    finally:
        use_language("en")


# ---------------------------------------------------------------- bad input and no mutation, the rest
@pytest.mark.parametrize("call", [
    lambda: it.make_ab_test(1),
    lambda: it.make_ab_test(100, p_control=1.5),
    lambda: it.make_contact_response(0),
    lambda: it.make_contact_response(100, b2="x"),
    lambda: it.make_journeys(100, noise=-1),
    lambda: it.make_journeys(100, incident_rate=2),
    lambda: it.make_customer_questions(0),
    lambda: it.make_customer_questions(10, share_new=-0.1),
    lambda: it.SmartGoal("s", "m", 1.5, 0.1, 90).check(),
    lambda: it.budget_competitor_parity(100, pd.DataFrame({"sales": [1.0]})),
], ids=["ab-n", "ab-p", "freq-n", "freq-param", "journey-noise", "journey-rate", "faq-n", "faq-share",
        "smart-rate", "parity-column"])
def test_generators_and_helpers_reject_bad_parameters(call):
    with pytest.raises((CRMInputError, CRMTypeError)):
        call()


def test_helpers_do_not_mutate_their_inputs(cdnow):
    ratings = it.channel_ratings()
    r0 = ratings.copy()
    it.channel_fit({"reach": 1}, ratings)
    pd.testing.assert_frame_equal(ratings, r0)
    comp = pd.DataFrame({"sales": [1e6], "spend": [2e4]})
    c0 = comp.copy()
    it.budget_competitor_parity(5e5, comp)
    pd.testing.assert_frame_equal(comp, c0)
    small = cdnow[cdnow["date"] <= "1997-06-30"].copy()
    s0 = small.copy()
    it.reactivation_baseline(cdnow[cdnow["customer_id"] <= 2000], as_of="1997-09-30")
    it.select_lapsed_customers(small, as_of="1997-06-30")
    pd.testing.assert_frame_equal(small, s0)
    q = it.make_customer_questions(50, seed=0)
    q0 = q.copy()
    it.FAQSearch().fit(it.FAQ).deflection_curve(q)
    pd.testing.assert_frame_equal(q, q0)
    d, _ = it.make_ab_test(200, seed=0)
    d0 = d.copy()
    it.ab_test(d)
    pd.testing.assert_frame_equal(d, d0)
