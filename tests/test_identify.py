"""Tests of crm_lessons.identify: the record generator, standardising, blocking, scoring, clustering, metrics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from crm_lessons import identify
from crm_lessons._validate import CRMInputError
from crm_lessons.plotting import match_weight_chart, threshold_chart


@pytest.fixture(scope="module")
def big():
    return identify.make_customer_records(4_000, seed=11)


@pytest.fixture(scope="module")
def pipeline():
    records, truth = identify.make_customer_records(1_000, seed=7)
    std = identify.standardise_records(records)
    pairs = identify.block_pairs(std)
    feats = identify.compare_pairs(std, pairs)
    return records, truth, std, pairs, feats


# -------------------------------------------------------------------------------------------------- generator

def test_same_seed_gives_the_same_frames_and_another_seed_does_not():
    a = identify.make_customer_records(300, seed=5)
    b = identify.make_customer_records(300, seed=5)
    c = identify.make_customer_records(300, seed=6)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert not a[0]["name"].equals(c[0]["name"])


def test_generator_returns_the_true_person_of_every_record(big):
    records, truth = big
    assert list(records.columns) == ["record_id", "channel", "name", "phone", "address"]
    assert (records["record_id"].to_numpy() == truth["record_id"].to_numpy()).all()
    assert records["record_id"].is_unique
    assert truth["person_id"].nunique() == 4_000
    assert set(records["channel"]) == {"store", "phone", "web"}


def test_generator_rates_hold_approximately(big):
    records, truth = big
    per_person = truth.drop_duplicates("person_id")
    n = len(per_person)
    # step 2: second members of a household have the household id of an earlier person
    second = (per_person["household_id"].str[1:] != per_person["person_id"].str[1:]).mean()
    assert abs(second - 0.10) < 0.02
    assert abs(per_person["moved"].mean() - 0.10) < 0.02
    # step 4: P(store record | at least one record) = 0.6 / (1 - 0.4*0.6*0.4)
    originals = truth[~truth["duplicate"]]
    p_any = 1 - 0.4 * 0.6 * 0.4
    share_store = (records.loc[~truth["duplicate"].to_numpy(), "channel"] == "store").sum() / n
    assert abs(share_store - 0.6 / p_any) < 0.03
    assert abs(truth["duplicate"].sum() / len(originals) - 0.05) < 0.015
    # steps 5-7
    non_store = truth[records["channel"].ne("store").to_numpy()]
    assert abs((non_store["name_form"] == "english").mean() - 0.15) < 0.02
    web_latin = truth[(records["channel"].eq("web") & truth["name_form"].ne("english")).to_numpy()]
    assert abs((web_latin["name_form"] == "western").mean() - 0.5) < 0.04
    assert abs(truth["name_typo"].mean() - 0.08) < 0.015
    assert abs(truth["phone_typo"].mean() - 0.03) < 0.01
    assert abs(records["phone"].isna().mean() - 0.05) < 0.012
    moved_records = truth[truth["moved"]]
    assert abs(moved_records["used_old_address"].mean() - 0.5) < 0.06


def test_store_shows_characters_and_phones_come_in_three_formats(big):
    records, truth = big
    store = records[records["channel"] == "store"]
    assert store["name"].map(lambda s: all("\u4e00" <= ch <= "\u9fff" for ch in s)).all()
    phones = records["phone"].dropna()
    assert phones.str.startswith("+86 ").any() and phones.str.fullmatch(r"\d{11}").any()
    assert phones.str.fullmatch(r"\d{3} \d{4} \d{4}").any()
    assert (phones.str.replace(r"\D", "", regex=True).str[-11:].str.len() == 11).all()


def test_household_members_share_phone_and_address_but_are_different_people(big):
    records, truth = big
    std = identify.standardise_records(records)
    df = truth.assign(phone=std["phone_digits"].to_numpy())
    ok = df[~df["phone_typo"] & df["phone"].ne("")]
    hh = ok.groupby("household_id").filter(lambda g: g["person_id"].nunique() > 1)
    assert len(hh) > 0
    assert (hh.groupby("household_id")["phone"].nunique() == 1).all()


@pytest.mark.parametrize("kwargs", [{"n": 1}, {"n": 2.5}, {"typo_rate": 1.5}, {"moved_rate": -0.1},
                                    {"p_store": 0, "p_phone": 0, "p_web": 0}])
def test_generator_rejects_bad_parameters(kwargs):
    with pytest.raises((CRMInputError, TypeError)):
        identify.make_customer_records(**{"n": 50, **kwargs})


def test_attach_orders_is_seeded_and_belongs_to_existing_records():
    r, t = identify.make_customer_records(200, seed=2)
    o1 = identify.attach_orders(r, t, seed=3)
    o2 = identify.attach_orders(r, t, seed=3)
    pd.testing.assert_frame_equal(o1, o2)
    assert set(o1["record_id"]) <= set(r["record_id"])
    assert abs(len(o1) / len(r) - 2.0) < 0.3
    with pytest.raises(CRMInputError):
        identify.attach_orders(r, t.iloc[::-1], seed=3)


# -------------------------------------------------------------------------------------------------- standardise

def test_pinyin_key_matches_characters_pinyin_and_western_order_and_homophone_typos():
    assert identify.to_pinyin("王伟") == "wang wei"
    assert identify.to_pinyin("王玮") == "wang wei"  # 玮 is a homophone of 伟
    assert identify.to_pinyin("Wang-Wei ") == "wang wei"
    df = pd.DataFrame({"name": ["王伟", "Wei Wang", "David Wang"], "phone": [None, "+86 138-0013-8000", "x"],
                       "address": ["1 Heping Rd, 2, Gulou", "Heping Road 1-2, Gulou Dist.", "a"]})
    std = identify.standardise_records(df)
    assert std["name_key"].tolist()[:2] == ["wang wei", "wang wei"]
    assert std["given_key"].tolist() == ["wei", "wei", ""]  # an English given name says nothing
    assert std["phone_digits"].tolist() == ["", "13800138000", ""]
    assert std.loc[0, "address_key"] == std.loc[1, "address_key"]


def test_standardise_does_not_modify_its_input_and_rejects_missing_names():
    r, _ = identify.make_customer_records(50, seed=1)
    before = r.copy()
    identify.standardise_records(r)
    pd.testing.assert_frame_equal(r, before)
    bad = r.copy()
    bad.loc[0, "name"] = None
    with pytest.raises(CRMInputError, match="name"):
        identify.standardise_records(bad)
    with pytest.raises(CRMInputError, match="missing column"):
        identify.standardise_records(r.drop(columns="address"))
    with pytest.raises(CRMInputError):
        identify.to_pinyin(3)


# -------------------------------------------------------------------------------------------------- block, compare

def test_blocking_pairs_records_sharing_a_key_once():
    df = pd.DataFrame({"record_id": ["a", "b", "c", "d"], "phone_digits": ["1", "1", "", ""],
                       "address_key": ["x", "x", "y", "y"]})
    out = identify.block_pairs(df, keys=["phone_digits", "address_key"])
    assert out.values.tolist() == [["a", "b"], ["c", "d"]]  # a-b found twice, listed once; empty phone never blocks


def test_blocking_rejects_bad_keys():
    df = pd.DataFrame({"record_id": ["a"], "phone_digits": ["1"]})
    with pytest.raises(CRMInputError):
        identify.block_pairs(df, keys="phone_digits")
    with pytest.raises(CRMInputError, match="missing column"):
        identify.block_pairs(df, keys=["address_key"])


def test_blocking_keeps_almost_every_true_pair(pipeline):
    records, truth, std, pairs, _ = pipeline
    m = identify.pair_metrics(pairs, identify.true_pairs(truth))
    assert m["recall"] > 0.97
    assert len(pairs) < 0.01 * len(std) * (len(std) - 1) / 2


def test_compare_pairs_gives_hand_checked_similarities():
    df = identify.standardise_records(pd.DataFrame({
        "record_id": ["a", "b"], "name": ["王秀英", "Wang Xiuyign"], "phone": ["13800138000", "138 0013 8001"],
        "address": ["1 Heping Rd, 2, Gulou"] * 2}))
    f = identify.compare_pairs(df, pd.DataFrame({"left": ["a"], "right": ["b"]})).iloc[0]
    assert f["phone_sim"] == pytest.approx(10 / 11)  # one digit of 11 differs
    assert f["surname_agree"] == 1.0 and f["address_sim"] == 1.0
    assert f["given_sim"] > 0.92  # Jaro-Winkler rewards the shared beginning of "xiuying"/"xiuyign"
    with pytest.raises(CRMInputError, match="not in std"):
        identify.compare_pairs(df, pd.DataFrame({"left": ["a"], "right": ["zz"]}))


def test_rule_score_counts_agreeing_fields():
    f = pd.DataFrame({"name_sim": [0.9], "given_sim": [1.0], "surname_agree": [1.0], "phone_sim": [np.nan],
                      "address_sim": [0.9]})
    assert identify.rule_score(f).tolist() == [3]  # name, surname, address; a missing phone scores 0
    with pytest.raises(CRMInputError):
        identify.rule_score(f.drop(columns="phone_sim"))


# -------------------------------------------------------------------------------------------------- Fellegi-Sunter

def test_labelled_fellegi_sunter_uses_level_frequencies():
    # 4 pairs: 2 matches (contact level 3 both), 2 non-matches (contact level 0 both); no smoothing
    f = pd.DataFrame({"name_sim": [1, 1, 0, 0], "given_sim": [1.0, 1.0, 0.0, 1.0],
                      "surname_agree": [1.0, 1.0, 1.0, 0.0], "phone_sim": [1.0, 1.0, 0.0, 0.0],
                      "address_sim": [1.0, 1.0, 0.0, 0.0]})
    fs = identify.FellegiSunter(smoothing=0.0).fit(f, [True, True, False, False])
    assert fs.m_["given"].tolist() == [0, 0, 0, 1]  # both matches have an exact given name
    assert fs.u_["given"].tolist() == [0.5, 0, 0, 0.5]
    assert fs.prior_ == 0.5 and fs.method_ == "labelled"
    table = fs.weights_table()
    row = table[(table["field"] == "given") & (table["level"] == 3)].iloc[0]
    assert row["weight"] == pytest.approx(math.log2(1 / 0.5))


def test_fellegi_sunter_rejects_bad_labels_and_scoring_before_fit(pipeline):
    feats = pipeline[4]
    with pytest.raises(CRMInputError):
        identify.FellegiSunter().fit(feats, [True] * 3)
    with pytest.raises(CRMInputError, match="both"):
        identify.FellegiSunter().fit(feats, [False] * len(feats))
    with pytest.raises(CRMInputError, match="fit"):
        identify.FellegiSunter().score(feats)


def test_fellegi_sunter_from_a_clerical_sample_beats_the_rule(pipeline):
    records, truth, std, pairs, feats = pipeline
    actual = identify.true_pairs(truth)
    review = feats.sample(1_000, random_state=1)
    labels = [tuple(p) in actual for p in review[["left", "right"]].to_numpy()]
    fs = identify.FellegiSunter().fit(review, labels)
    curve = identify.threshold_curve(feats, fs.score(feats), truth, np.arange(-4, 8.5, 0.5))
    rule_f1 = identify.pair_metrics(feats[identify.rule_score(feats) >= 3], actual)["f1"]
    assert curve["f1"].max() > 0.93 > rule_f1 > 0.85
    assert curve["matched_pairs"].is_monotonic_decreasing
    em = identify.FellegiSunter().fit(feats)
    assert em.method_ == "em" and em.m_["contact"][3] > em.u_["contact"][3]
    p = fs.match_probability(feats)
    assert ((p >= 0) & (p <= 1)).all()


# -------------------------------------------------------------------------------------------------- metrics, clusters

def test_pair_metrics_on_a_hand_checked_example():
    # predicted {ab, cd, fe}, true {ab, ef, gh}: TP = ab and ef (order does not matter) = 2
    m = identify.pair_metrics({("a", "b"), ("c", "d"), ("f", "e")}, {("a", "b"), ("e", "f"), ("g", "h")})
    assert (m["tp"], m["precision"], m["recall"]) == (2, 2 / 3, 2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    with pytest.raises(CRMInputError, match="no true pairs"):
        identify.pair_metrics({("a", "b")}, set())


def test_clusters_follow_transitive_closure_and_are_scored_by_implied_pairs():
    cl = identify.cluster_pairs(["a", "b", "c", "d", "e"], pd.DataFrame({"left": ["a", "b"], "right": ["b", "c"]}))
    assert cl.tolist() == ["C00001"] * 3 + ["C00002", "C00003"]
    truth = pd.DataFrame({"record_id": list("abcde"), "person_id": [1, 1, 2, 3, 3]})
    m = identify.cluster_metrics(cl, truth)
    # implied pairs ab, ac, bc; true pairs ab, de -> TP 1, precision 1/3, recall 1/2, F1 = 0.4
    assert (m["precision"], m["recall"]) == (1 / 3, 1 / 2)
    assert m["f1"] == pytest.approx(0.4)
    assert m["exact_share"] == 0.0 and (m["n_customers"], m["n_people"]) == (3, 3)


def test_cluster_pairs_rejects_unknown_or_repeated_ids():
    with pytest.raises(CRMInputError, match="repeated"):
        identify.cluster_pairs(["a", "a"], pd.DataFrame({"left": [], "right": []}))
    with pytest.raises(CRMInputError, match="not in record_ids"):
        identify.cluster_pairs(["a"], pd.DataFrame({"left": ["a"], "right": ["b"]}))
    with pytest.raises(CRMInputError):
        identify.cluster_metrics(["C1"], pd.DataFrame({"record_id": ["a"], "person_id": [1]}))


# -------------------------------------------------------------------------------------------------- single view

def test_single_customer_view_gathers_orders_across_channels_without_mutating():
    rec = pd.DataFrame({"record_id": ["a", "b", "c"], "channel": ["store", "web", "phone"],
                        "name": ["王伟", "Wei Wang", "Li Na"]})
    orders = pd.DataFrame({"record_id": ["a", "b", "b"], "date": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01"]),
                           "item": ["tea set", "green tea", "desk lamp"], "amount": [100.0, 50.0, 20.0]})
    before = orders.copy()
    cl = pd.Series(["C1", "C1", "C2"], index=["a", "b", "c"])
    v = identify.single_customer_view(rec, cl, orders)
    pd.testing.assert_frame_equal(orders, before)
    assert v.loc["C1", "n_orders"] == 3 and v.loc["C1", "total_amount"] == 170.0
    assert v.loc["C1", "last_order_item"] == "green tea" and v.loc["C1", "last_order_channel"] == "web"
    assert v.loc["C2", "n_orders"] == 0
    with pytest.raises(CRMInputError):
        identify.single_customer_view(rec, cl.iloc[:1], orders)


def test_agent_sees_the_last_order_only_with_linked_records():
    rec = pd.DataFrame({"record_id": ["a", "b", "c"], "channel": ["phone", "web", "phone"]})
    truth = pd.DataFrame({"record_id": ["a", "b", "c"], "person_id": ["P1", "P1", "P2"]})
    orders = pd.DataFrame({"order_id": ["o1", "o2", "o3"], "record_id": ["a", "b", "c"],
                           "date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])})
    alone = identify.last_order_seen(rec, pd.Series(["a", "b", "c"], index=list("abc")), truth, orders)
    assert alone == {"callers": 2, "sees_last_order": 1, "share": 0.5}  # P1's last order was on the web
    merged_wrongly = pd.Series(["C1", "C1", "C1"], index=list("abc"))  # P2's order shown to P1
    assert identify.last_order_seen(rec, merged_wrongly, truth, orders)["sees_last_order"] == 1
    with pytest.raises(CRMInputError, match="channel"):
        identify.last_order_seen(rec, merged_wrongly, truth, orders, channel="fax")


def test_merge_examples_show_both_sides_of_the_threshold(pipeline):
    records, truth, _, _, feats = pipeline
    ex = identify.merge_examples(feats, identify.rule_score(feats), records, truth, 3, n=2)
    assert ex["decision"].tolist() == ["merged", "merged", "kept apart", "kept apart"]
    assert (ex.loc[ex["decision"] == "merged", "score"] >= 3).all()
    with pytest.raises(CRMInputError):
        identify.merge_examples(feats, [1.0], records, truth, 3)


# -------------------------------------------------------------------------------------------------- charts

def test_identify_charts_draw_and_reject_bad_input():
    curve = pd.DataFrame({"threshold": [0, 1], "precision": [.5, 1], "recall": [1, .5], "f1": [.67, .67]})
    ax = threshold_chart(curve, chosen=0.5)
    assert len(ax.lines) == 4
    with pytest.raises(CRMInputError):
        threshold_chart(curve, level="cluster")
    with pytest.raises(CRMInputError):
        match_weight_chart([1, 2], [True])


def test_pipeline_helpers_do_not_modify_their_inputs():
    records, truth = identify.make_customer_records(150, seed=4)
    r0, t0 = records.copy(), truth.copy()
    std = identify.standardise_records(records)
    s0 = std.copy()
    pairs = identify.block_pairs(std)
    p0 = pairs.copy()
    feats = identify.compare_pairs(std, pairs)
    f0 = feats.copy()
    identify.rule_score(feats)
    identify.agreement_levels(feats)
    fs = identify.FellegiSunter().fit(feats)
    w = fs.score(feats)
    identify.threshold_curve(feats, w, truth, [0.0, 5.0])
    cl = identify.cluster_pairs(records["record_id"], feats[w >= 0])
    c0 = cl.copy()
    identify.cluster_metrics(cl, truth)
    orders = identify.attach_orders(records, truth, seed=1)
    o0 = orders.copy()
    identify.single_customer_view(records, cl, orders)
    identify.last_order_seen(records, cl, truth, orders)
    identify.merge_examples(feats, w, records, truth, 0.0)
    for now, before in [(records, r0), (truth, t0), (std, s0), (pairs, p0), (feats, f0), (orders, o0)]:
        pd.testing.assert_frame_equal(now, before)
    pd.testing.assert_series_equal(cl, c0)


def test_metrics_and_scoring_reject_bad_input(pipeline):
    feats = pipeline[4]
    with pytest.raises(CRMInputError, match="one value per pair"):
        identify.threshold_curve(feats, [1.0], pipeline[1], [0.0])
    with pytest.raises(CRMInputError, match="missing column"):
        identify.agreement_levels(feats.drop(columns="given_sim"))
    with pytest.raises(CRMInputError, match="missing column"):
        identify.true_pairs(pd.DataFrame({"record_id": ["a"]}))
    with pytest.raises(CRMInputError, match="empty"):
        identify.cluster_pairs([], pd.DataFrame({"left": [], "right": []}))


# Issue 17 ----------------------------------------------------------------------------------------

def test_single_customer_view_refuses_text_dates_that_would_pick_the_wrong_last_order():
    rec = pd.DataFrame({"record_id": ["a", "b"], "channel": ["store", "web"], "name": ["王伟", "Wei Wang"]})
    orders = pd.DataFrame({"record_id": ["a", "b"], "date": ["02/01/2025", "15/01/2024"],
                           "item": ["tea set", "green tea"], "amount": [100.0, 50.0]})
    clusters = pd.Series(["C1", "C1"], index=["a", "b"])
    with pytest.raises(CRMInputError, match=r"'date'.*format='%d/%m/%Y'"):
        identify.single_customer_view(rec, clusters, orders)
    fixed = orders.assign(date=pd.to_datetime(orders["date"], format="%d/%m/%Y"))
    assert identify.single_customer_view(rec, clusters, fixed).loc["C1", "last_order_item"] == "tea set"
