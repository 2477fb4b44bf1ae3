"""Tests of the exhibition simulator, its SQLite database and the exhibition CRM analyses."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from crm_lessons import exhibition as ex
from crm_lessons import exhibition_db as db
from crm_lessons._validate import CRMInputError, CRMTypeError

SMALL = dict(n_exhibitors=80, new_exhibitors=20, n_visitors=400)


@pytest.fixture(scope="module")
def fair():
    return ex.simulate_fair(5, seed=11)


@pytest.fixture(scope="module")
def con(fair):
    c = db.write_database(fair[0])
    yield c
    c.close()


@pytest.fixture(scope="module")
def panel(fair):
    return ex.participation_panel(fair[0])


def _frozen(tables):
    return {k: v.copy() for k, v in tables.items()}


# --- simulator ------------------------------------------------------------------------------------
def test_same_seed_gives_identical_tables_and_database():
    a, ta = ex.simulate_fair(3, seed=5, **SMALL)
    b, tb = ex.simulate_fair(3, seed=5, **SMALL)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    pd.testing.assert_frame_equal(ta["participations"], tb["participations"])
    assert db.database_digest(db.write_database(a)) == db.database_digest(db.write_database(b))


def test_different_seed_gives_a_different_database():
    a, _ = ex.simulate_fair(3, seed=5, **SMALL)
    b, _ = ex.simulate_fair(3, seed=6, **SMALL)
    assert db.database_digest(db.write_database(a)) != db.database_digest(db.write_database(b))


def test_cohort_sizes_match_the_parameters(fair):
    tables, _ = fair
    first = tables["exhibitors"].groupby("first_edition").size()
    assert first.loc[1] == 200 and (first.loc[2:] == 50).all()
    assert len(tables["exhibitors"]) == 200 + 4 * 50
    # the visitor pool keeps its size; innovation=0.2 replaces 300 of 1500 each edition
    assert (tables["visitors"].groupby("first_edition").size().loc[2:] == 300).all()


def test_truth_stage_is_weakening_exactly_when_value_falls_below_cost(fair):
    _, truth = fair
    t = truth["participations"]
    assert ((t["roc"] < 1) == (t["stage"] == "weakening")).all()
    assert set(t["stage"]) <= set(ex.STAGES)


def test_exhibitors_past_their_tolerance_never_return(fair):
    _, truth = fair
    t = truth["participations"].merge(truth["exhibitors"], on="exhibitor_id")
    past = t[(t["distrust"] > t["tolerance"]) & t["returned"].notna()]
    assert len(past) > 0
    assert not past["returned"].astype(bool).any()


def test_returns_recorded_in_truth_match_the_participations(fair):
    tables, truth = fair
    panel = ex.participation_panel(tables)
    m = panel.merge(truth["participations"][["exhibitor_id", "edition", "returned"]],
                    on=["exhibitor_id", "edition"], suffixes=("", "_truth"))
    known = m[m["returned"].notna()]
    assert (known["returned"].astype(bool) == known["returned_truth"].astype(bool)).all()


def test_gains_fade_with_tenure_unless_the_show_innovates():
    def roc_by_tenure(innov):
        tables, truth = ex.simulate_fair(6, seed=2, innovation=innov, novelty_decay=0.3)
        t = truth["participations"].merge(tables["exhibitors"][["exhibitor_id", "first_edition"]])
        t["tenure"] = t["edition"] - t["first_edition"] + 1
        return t.groupby("tenure")["roc"].median()

    stale, fresh = roc_by_tenure(0.0), roc_by_tenure(1.0)
    assert stale.loc[5] < 0.75 * stale.loc[1]          # (1 - 0.3)^4 = 0.24 of first-year gains, less selection
    assert fresh.loc[5] > stale.loc[5]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_higher_service_quality_gives_a_higher_return_rate(seed):
    low, tl = ex.simulate_fair(4, seed=seed, pre_show_quality=0.3, on_site_quality=0.3, post_show_quality=0.3)
    high, th = ex.simulate_fair(4, seed=seed, pre_show_quality=0.9, on_site_quality=0.9, post_show_quality=0.9)
    r_low = tl["participations"]["returned"].mean()
    r_high = th["participations"]["returned"].mean()
    assert r_high > r_low + 0.1
    assert high["participations"]["satisfaction"].mean() > low["participations"]["satisfaction"].mean() + 1


def test_following_up_weakening_exhibitors_raises_their_return_rate():
    def weak_return(policy):
        out = ex.fair_outcomes(*ex.simulate_fair(6, seed=3, follow_up_policy=policy))
        return out["weakening_returned"] / out["weakening_exhibitors"], out["weakening_recovered"]

    none_rate, none_rec = weak_return("none")
    weak_rate, weak_rec = weak_return("weakening")
    assert none_rec == 0 and weak_rec > 0
    assert weak_rate > none_rate


def test_raising_the_booth_price_lowers_renewal(fair):
    base = ex.fair_outcomes(*ex.simulate_fair(5, seed=4))
    dear = ex.fair_outcomes(*ex.simulate_fair(5, seed=4, booth_price_change=0.25))
    assert dear["renewal_rate_mean"] < base["renewal_rate_mean"]


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(n_editions=0), "n_editions must be at least 1"),
    (dict(booth_price=-100.0), "booth_price"),
    (dict(booth_price=0.0), "booth_price"),
    (dict(pre_show_quality=1.2), "pre_show_quality must lie in [0, 1]"),
    (dict(innovation=-0.1), "innovation"),
    (dict(novelty_decay=1.5), "novelty_decay"),
    (dict(booth_price_change=-0.9), "booth_price_change"),
    (dict(follow_up_policy="sometimes"), "follow_up_policy must be one of"),
    (dict(n_visitors=5), "n_visitors must be at least 10"),
    (dict(follow_up_effect=-1.0), "follow_up_effect"),
])
def test_simulate_fair_rejects_impossible_parameters_with_a_clear_message(kwargs, fragment):
    kw = dict(SMALL) | kwargs
    with pytest.raises(CRMInputError, match=None) as err:
        ex.simulate_fair(**kw)
    assert fragment in str(err.value) and "simulate_fair" in str(err.value)


def test_simulate_fair_rejects_a_fractional_number_of_editions():
    with pytest.raises(CRMTypeError, match="n_editions must be a whole number"):
        ex.simulate_fair(2.5)


# --- database -------------------------------------------------------------------------------------
def test_database_has_one_table_per_frame_with_matching_row_counts(fair, con):
    tables, _ = fair
    chk = db.check_database(con).set_index("table")
    assert set(chk.index) == set(tables)
    for name, frame in tables.items():
        assert chk.loc[name, "rows"] == len(frame), name


def test_database_primary_keys_are_unique_and_no_foreign_key_is_orphaned(con):
    chk = db.check_database(con)
    assert (chk["duplicate_keys"] == 0).all()
    assert (chk["orphan_rows"] == 0).all()
    assert (chk["primary_key"] != "").all()


def test_check_database_finds_an_orphan_record():
    tables, _ = ex.simulate_fair(2, seed=0, **SMALL)
    c = db.write_database(tables)
    c.execute("PRAGMA foreign_keys = OFF")
    c.execute("INSERT INTO badge_scans VALUES (999999, 1, 999999, 1)")  # visitor 999999 does not exist
    chk = db.check_database(c).set_index("table")
    assert chk.loc["badge_scans", "orphan_rows"] == 1


def test_database_enforces_foreign_keys_on_insert(con):
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO participations VALUES (999999, 1, 9, 100, 3, 0)")


def test_schema_covers_the_five_crm_modules_with_keys_and_references(con):
    sch = db.schema(con)
    mods = set(sch["module"])
    for m in ["exhibitor management", "professional-visitor management", "supplier management",
              "partner management", "staff management"]:
        assert m in mods
    refs = sch.set_index(["table", "column"])["references"]
    assert refs.loc[("services", "staff_id")] == "staff.staff_id"
    assert refs.loc[("visitors", "source_partner_id")] == "partners.partner_id"
    assert sch.loc[sch["table"] == "participations", "primary_key"].max() == 2  # composite key


def test_sql_and_pandas_agree_on_scans_per_edition(fair, con):
    tables, _ = fair
    sql = db.query(con, "SELECT edition, COUNT(*) AS scans FROM badge_scans GROUP BY edition ORDER BY edition")
    pan = tables["badge_scans"].groupby("edition").size()
    assert sql["scans"].tolist() == pan.tolist()


def test_read_tables_round_trips_the_participations(fair, con):
    back = db.read_tables(con)["participations"]
    orig = fair[0]["participations"]
    assert back["booth_fee"].sum() == pytest.approx(orig["booth_fee"].sum())
    assert len(back) == len(orig)


def test_write_database_to_a_file_refuses_to_overwrite_without_permission(tmp_path):
    tables, _ = ex.simulate_fair(2, seed=0, **SMALL)
    path = tmp_path / "runs" / "fair.sqlite"
    db.write_database(tables, path).close()
    assert path.exists()
    with pytest.raises(CRMInputError, match="overwrite=True"):
        db.write_database(tables, path)
    db.write_database(tables, path, overwrite=True).close()


def test_write_database_rejects_incomplete_or_wrong_input():
    tables, _ = ex.simulate_fair(2, seed=0, **SMALL)
    with pytest.raises(CRMInputError, match="lacks"):
        db.write_database({k: v for k, v in tables.items() if k != "staff"})
    with pytest.raises(CRMTypeError, match="dict of table name"):
        db.write_database([1, 2])
    bad = dict(tables)
    bad["exhibitors"] = tables["exhibitors"].drop(columns="industry")
    with pytest.raises(CRMInputError, match="industry"):
        db.write_database(bad)
    orphan = dict(tables)
    orphan["participations"] = tables["participations"].assign(exhibitor_id=tables["participations"]["exhibitor_id"] + 10**6)
    with pytest.raises(CRMInputError, match="key or check"):
        db.write_database(orphan)


def test_write_database_does_not_mutate_the_tables():
    tables, _ = ex.simulate_fair(2, seed=0, **SMALL)
    before = _frozen(tables)
    db.write_database(tables)
    for k in tables:
        pd.testing.assert_frame_equal(tables[k], before[k])


def test_query_helpers_reject_a_non_connection():
    for fn in (db.schema, db.check_database, db.database_digest, db.read_tables):
        with pytest.raises(CRMTypeError, match="sqlite3 connection"):
            fn("fair.sqlite")
    with pytest.raises(CRMInputError, match="non-empty SQL"):
        db.query(sqlite3.connect(":memory:"), "  ")


# --- analyses -------------------------------------------------------------------------------------
def test_system_has_five_elements_and_exhibitors_are_the_organisers_customers():
    el = ex.system_elements().set_index("element")
    assert len(el) == 5
    assert "organiser" in el.loc["exhibitor", "customer_of"]
    assert "exhibitors" in el.loc["organiser", "serves"]


def test_cohort_retention_by_hand():
    # exhibitor 1: editions 1,2; 2: edition 1; 3: editions 2,3 -> cohort 1 keeps 1 of 2 at edition 2
    p = pd.DataFrame({"exhibitor_id": [1, 1, 2, 3, 3], "edition": [1, 2, 1, 2, 3]})
    r = ex.cohort_retention(p)
    assert r.loc[1, 2] == 0.5 and r.loc[1, 3] == 0.0 and r.loc[2, 3] == 1.0
    assert ex.cohort_retention(p, how="count").loc[1, 1] == 2


def test_cohort_retention_matches_the_simulated_returns(fair):
    tables, truth = fair
    r = ex.cohort_retention(tables["participations"])
    t = truth["participations"]
    cohort1_e1 = t[(t["edition"] == 1)]
    assert r.loc[1, 2] == pytest.approx(cohort1_e1["returned"].astype(bool).mean(), abs=1e-4)


def test_renewal_by_edition_by_hand():
    p = pd.DataFrame({"exhibitor_id": [1, 2, 3, 1, 3, 4, 2], "edition": [1, 1, 1, 2, 2, 2, 3],
                      "booth_fee": [1.0] * 7})
    r = ex.renewal_by_edition(p).set_index("edition")
    assert r.loc[2, "renewal_rate"] == pytest.approx(2 / 3)   # 1 and 3 of {1,2,3} came back
    assert r.loc[3, "won_back"] == 1 and r.loc[3, "renewed"] == 0   # 2 skipped edition 2


def test_lifecycle_rules_by_hand():
    panel = pd.DataFrame({
        "exhibitor_id": [1, 1, 1, 1, 2, 2], "edition": [1, 2, 3, 4, 1, 2], "tenure": [1, 2, 3, 4, 1, 2],
        "satisfaction": [4, 4, 4, 4, 3, 3], "n_scans": [20, 20, 21, 10, 10, 10],
        "prev_scans": [np.nan, 20, 20, 21, np.nan, 10], "booth_sqm": [18, 18, 18, 18, 9, 9],
        "prev_booth_sqm": [np.nan, 18, 18, 18, np.nan, 9],
        "returned": pd.array([True, True, True, None, True, False], dtype="boolean")})
    st = ex.lifecycle_stages(panel)
    one = st[st["exhibitor_id"] == 1]["stage"].astype(str).tolist()
    assert one == ["cultivation", "confirmation", "trust", "weakening"]   # scans 21 -> 10 is a 52 % drop
    two = st[st["exhibitor_id"] == 2]["stage"].astype(str).tolist()
    assert two == ["cultivation", "confirmation", "dissolution"]


def test_early_warning_beats_the_base_rate_on_later_non_return(panel, fair):
    q = ex.warning_quality(ex.lifecycle_stages(panel), fair[1]["participations"]).set_index("target")
    assert q.loc["did not return next edition", "lift"] > 1.3
    assert q.loc["value below cost (truth)", "precision"] > q.loc["value below cost (truth)", "base_rate"]


def test_warning_quality_by_hand():
    st = pd.DataFrame({"exhibitor_id": [1, 2, 3, 4], "edition": 1, "stage": "trust",
                       "warning": [True, True, False, False],
                       "returned": pd.array([False, False, False, True], dtype="boolean")})
    q = ex.warning_quality(st).iloc[0]
    assert q["precision"] == 1.0 and q["recall"] == pytest.approx(round(2 / 3, 3))


def test_ordered_model_recovers_the_simulators_satisfaction_coefficients():
    tables, truth = ex.simulate_fair(6, seed=0, n_exhibitors=600, new_exhibitors=100)
    panel = ex.participation_panel(tables)
    m = panel.merge(truth["participations"][["exhibitor_id", "edition", "roc"]], on=["exhibitor_id", "edition"])
    m["log_roc"] = np.log(np.maximum(m["roc"], 1e-3))
    d = ex.satisfaction_drivers(m, features=["pre_quality", "on_quality", "post_quality", "log_roc"])
    params = truth["params"].query("equation == 'satisfaction'").set_index("term")["value"]
    for f in ["pre_quality", "on_quality", "post_quality", "log_roc"]:
        assert abs(d.loc[f, "ordered_coef"] - params[f]) < 3 * d.loc[f, "ordered_se"], f
    # OLS works on the 1..5 scale, so its slopes are a fraction of the latent ones
    assert (d["ratio"] > 1.2).all()


def test_satisfaction_drivers_rejects_missing_features(panel):
    with pytest.raises(CRMInputError, match="missing column"):
        ex.satisfaction_drivers(panel.drop(columns="pre_quality"))
    with pytest.raises(CRMInputError, match="fewer than 3"):
        ex.satisfaction_drivers(panel.assign(satisfaction=3))


def test_service_effects_are_positive_for_every_stage_across_runs():
    tables, _ = ex.simulate_fair(6, seed=0, n_exhibitors=400, new_exhibitors=80)
    eff = ex.service_effects(ex.participation_panel(tables)).set_index("stage")
    assert (eff["satisfaction_high"] > eff["satisfaction_low"]).all()
    assert eff.loc["pre-show", "logit_coef"] > 0 and eff.loc["on-site", "logit_coef"] > 0


def test_lead_scores_by_hand_and_against_truth(fair):
    v = pd.DataFrame({"visitor_id": [1, 2], "role": ["engineer", "owner"], "company_size": ["medium", "small"]})
    r = pd.DataFrame({"visitor_id": [1, 1, 2], "edition": [1, 2, 1], "attended": [True, True, False]})
    s = pd.DataFrame({"visitor_id": [1] * 9, "edition": [1] * 9})
    ls = ex.lead_scores(v, r, s).set_index("visitor_id")
    # visitor 1: engineer 1 + medium 1 + 2 editions + (9 scans / 2 = 4.5 -> 1 point) = 5
    assert ls.loc[1, "score"] == 5 and ls.loc[1, "grade"] == "B"
    assert ls.loc[2, "score"] == 3 and ls.loc[2, "grade"] == "C"
    tables, truth = fair
    full = ex.lead_scores(tables["visitors"], tables["registrations"], tables["badge_scans"])
    m = full.merge(truth["visitors"], on="visitor_id")
    m = m[m["attended"] > 0]
    assert m.groupby("grade")["buyer"].mean().is_monotonic_decreasing  # A buys most, then B, then C


def test_interest_similarity_jaccard_and_cosine_by_hand():
    exi = pd.DataFrame({"exhibitor_id": [1, 1, 2], "tag": ["IoT", "ERP", "metals"]})
    vis = pd.DataFrame({"visitor_id": [7, 7, 8], "tag": ["IoT", "metals", "ERP"]})
    j = ex.interest_similarity(exi, vis)
    assert j.loc[1, 7] == pytest.approx(1 / 3)      # {IoT} / {IoT, ERP, metals}
    assert j.loc[1, 8] == pytest.approx(1 / 2)
    c = ex.interest_similarity(exi, vis, method="cosine")
    assert c.loc[1, 7] == pytest.approx(1 / 2)      # 1 / sqrt(2 * 2)
    with pytest.raises(CRMInputError, match="method must be one of"):
        ex.interest_similarity(exi, vis, method="euclid")


def test_visitors_scan_stands_that_match_their_interests_more_often(fair):
    tables, _ = fair
    sim = ex.interest_similarity(tables["exhibitor_interests"], tables["visitor_interests"])
    sc = tables["badge_scans"][["exhibitor_id", "visitor_id"]].drop_duplicates()
    s = sim.to_numpy()[sim.index.get_indexer(sc["exhibitor_id"]), sim.columns.get_indexer(sc["visitor_id"])]
    assert s.mean() > 2 * sim.to_numpy().mean()


def test_recommend_matches_skips_pairs_already_met():
    sim = pd.DataFrame([[0.5, 0.9, 0.1]], index=pd.Index([1], name="exhibitor_id"),
                       columns=pd.Index([7, 8, 9], name="visitor_id"))
    met = pd.DataFrame({"exhibitor_id": [1], "visitor_id": [8]})
    assert ex.recommend_matches(sim, top=2, exclude=met)["visitor_id"].tolist() == [7, 9]
    with pytest.raises(CRMInputError, match="top must be at least 1"):
        ex.recommend_matches(sim, top=0)


def test_renewal_model_ranks_renewers_above_lapsers(panel):
    train = panel[panel["edition"] <= 3]
    test = panel[(panel["edition"] == 4)]
    m = ex.RenewalModel().fit(train)
    p = m.predict(test)
    y = test["returned"].astype(bool)
    assert p[y].mean() > p[~y].mean()
    assert m.coef_["satisfaction"] > 0 and m.coef_["downsized"] < 0
    with pytest.raises(CRMInputError, match="unknown feature"):
        ex.RenewalModel(features=["colour"]).fit(train)
    with pytest.raises(CRMInputError, match="call fit"):
        ex.RenewalModel().predict(test)


def test_exhibitor_value_by_hand():
    # fee 1000, p = 0.5, d = 10 %, 3 years: 1000 * sum((0.5/1.1)^t) = 1000 * (0.4545 + 0.2066 + 0.0939)
    v = ex.exhibitor_value(pd.DataFrame({"exhibitor_id": [1], "booth_fee": [1000.0]}), [0.5], horizon=3)
    assert v["expected_value"].item() == pytest.approx(1000 * sum((0.5 / 1.1) ** t for t in (1, 2, 3)), abs=0.01)
    with pytest.raises(CRMInputError, match="probabilities"):
        ex.exhibitor_value(pd.DataFrame({"exhibitor_id": [1], "booth_fee": [1.0]}), [1.5])
    with pytest.raises(CRMInputError, match="one per row"):
        ex.exhibitor_value(pd.DataFrame({"exhibitor_id": [1], "booth_fee": [1.0]}), [0.1, 0.2])


def test_invitation_targets_only_invite_lapsed_exhibitors_and_absent_a_grade_visitors(fair):
    tables, _ = fair
    inv = ex.invitation_targets(tables, top=5)
    last = tables["participations"]["edition"].max()
    at_last = set(tables["participations"].query("edition == @last")["exhibitor_id"])
    assert not set(inv.query("kind == 'exhibitor'")["id"]) & at_last
    regs = tables["registrations"]
    attended_last = set(regs[(regs["edition"] == last) & regs["attended"]]["visitor_id"])
    assert not set(inv.query("kind == 'professional visitor'")["id"]) & attended_last
    assert inv.groupby("kind").size().max() <= 5


def test_strategy_table_counts_every_stage_of_the_last_edition(panel):
    st = ex.lifecycle_stages(panel)
    tab = ex.strategy_table(st, panel)
    assert tab["exhibitors"].sum() == (st["edition"] == st["edition"].max()).sum()
    assert set(tab["strategy"]) == {"acquisition strategy", "retention strategy", "loyalty strategy",
                                    "maintenance strategy"}


def test_policy_outcomes_charge_for_investment_and_report_flat_results():
    res, _, _ = ex.policy_outcomes(3, seed=0, pre_show_investment=0.1, on_site_investment=0.2, **SMALL)
    assert res["service_cost"] == pytest.approx(2_000_000 * 0.3 * 3)
    assert all(isinstance(v, (int, float)) for v in res.values())
    with pytest.raises(CRMInputError, match="on_site_investment"):
        ex.policy_outcomes(3, on_site_investment=1.5)


def test_analyses_do_not_mutate_their_input(fair, panel):
    tables, truth = fair
    before_t, before_p = _frozen(tables), panel.copy()
    ex.participation_panel(tables)
    st = ex.lifecycle_stages(panel)
    ex.warning_quality(st, truth["participations"])
    ex.cohort_retention(tables["participations"])
    ex.renewal_by_edition(tables["participations"])
    ex.service_effects(panel)
    ex.lead_scores(tables["visitors"], tables["registrations"], tables["badge_scans"])
    ex.invitation_targets(tables)
    ex.strategy_table(st, panel)
    ex.exhibitor_value(panel, np.full(len(panel), 0.5))
    for k in tables:
        pd.testing.assert_frame_equal(tables[k], before_t[k])
    pd.testing.assert_frame_equal(panel, before_p)


@pytest.mark.parametrize("call, fragment", [
    (lambda: ex.cohort_retention(pd.DataFrame({"edition": [1]})), "missing column"),
    (lambda: ex.cohort_retention(pd.DataFrame({"exhibitor_id": [], "edition": []})), "empty"),
    (lambda: ex.renewal_by_edition(pd.DataFrame({"exhibitor_id": [1], "edition": [1]})), "booth_fee"),
    (lambda: ex.lifecycle_stages(pd.DataFrame({"exhibitor_id": [1]})), "missing column"),
    (lambda: ex.participation_panel({"exhibitors": pd.DataFrame()}), "lacks 'participations'"),
    (lambda: ex.lead_scores(pd.DataFrame({"visitor_id": [1], "role": ["astronaut"], "company_size": ["small"]}),
                            pd.DataFrame({"visitor_id": [], "edition": [], "attended": []}),
                            pd.DataFrame({"visitor_id": [], "edition": []})), "unknown role"),
    (lambda: ex.strategy_table(pd.DataFrame({"stage": ["trust"]})), "missing column"),
])
def test_analyses_reject_bad_input_with_clear_messages(call, fragment):
    with pytest.raises(CRMInputError, match=fragment):
        call()


# --- case-study parameters and charts ---------------------------------------------------------------
@pytest.mark.parametrize("kwargs, fragment", [
    (dict(editions=1), "editions must be at least 2"),
    (dict(editions=0), "editions must be at least 2"),
    (dict(on_site_investment=-0.1), "on_site_investment"),
    (dict(pre_show_investment=0.9), "pre_show_investment"),
    (dict(booth_price_change=-0.8), "booth_price_change"),
    (dict(follow_up_policy="random"), "follow_up_policy must be one of"),
])
def test_case_study_parameters_are_checked_by_name(kwargs, fragment):
    good = dict(editions=6, seed=0, pre_show_investment=0.0, on_site_investment=0.1, post_show_investment=0.0,
                booth_price_change=0.0, follow_up_policy="weakening")
    assert ex.check_retention_parameters(**good)["follow_up_policy"] == "weakening"
    with pytest.raises(CRMInputError, match=fragment):
        ex.check_retention_parameters(**(good | kwargs))


def test_fair_outcomes_rejects_something_that_is_not_a_simulation():
    with pytest.raises(CRMInputError, match="pass both values"):
        ex.fair_outcomes({}, {})


def test_exhibition_charts_draw_and_reject_missing_columns(fair, panel):
    import matplotlib.axes

    from crm_lessons import plotting

    tables, _ = fair
    stages = ex.lifecycle_stages(panel)
    before = panel.copy()
    ren = ex.renewal_by_edition(tables["participations"])
    axes = [plotting.cohort_retention_heatmap(ex.cohort_retention(tables["participations"])),
            plotting.renewal_rate_chart({"a": ren, "b": ren}),
            plotting.lifecycle_chart(stages),
            plotting.satisfaction_driver_chart(ex.satisfaction_drivers(panel)),
            plotting.service_stage_chart(ex.service_effects(panel))]
    assert all(isinstance(a, matplotlib.axes.Axes) for a in axes)
    assert [t.get_text() for t in axes[2].get_legend().get_texts()] == ex.STAGES
    pd.testing.assert_frame_equal(panel, before)
    for call in (lambda: plotting.renewal_rate_chart(ren.drop(columns="renewal_rate")),
                 lambda: plotting.lifecycle_chart(stages.drop(columns="stage")),
                 lambda: plotting.satisfaction_driver_chart(pd.DataFrame({"ordered_coef": [1.0]})),
                 lambda: plotting.service_stage_chart(pd.DataFrame({"stage": ["pre-show"]})),
                 lambda: plotting.cohort_retention_heatmap(pd.DataFrame())):
        with pytest.raises(CRMInputError):
            call()


def test_schema_summary_lists_composite_references_of_badge_scans(con):
    summ = db.schema_summary(con)
    refs = summ.loc["badge_scans", "references"]
    assert "registrations.edition" in refs and "participations.edition" in refs
    assert summ.loc["participations", "primary_key"] == "exhibitor_id, edition"
    assert len(summ) == len(db.DDL)


# Issue 17 ----------------------------------------------------------------------------------------

def _participations():
    tables, _ = ex.simulate_fair(3, seed=1, n_exhibitors=40, new_exhibitors=10, n_visitors=200)
    return tables["participations"]


def test_renewal_by_edition_refuses_text_fees_instead_of_concatenating_them():
    p = _participations()
    with pytest.raises(CRMInputError, match=r"'booth_fee' must be numeric.*pd.to_numeric"):
        ex.renewal_by_edition(p.assign(booth_fee=p["booth_fee"].astype(str)))


def test_renewal_by_edition_refuses_a_missing_exhibitor_id_and_a_repeated_exhibitor():
    p = _participations()
    gap = p.assign(exhibitor_id=p["exhibitor_id"].astype(object))
    gap.loc[gap.index[0], "exhibitor_id"] = None
    with pytest.raises(CRMInputError, match=r"'exhibitor_id' has 1 missing value"):
        ex.renewal_by_edition(gap)
    with pytest.raises(CRMInputError, match="one row per exhibitor and edition"):
        ex.renewal_by_edition(pd.concat([p, p.iloc[[0]]], ignore_index=True))
