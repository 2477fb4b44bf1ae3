"""The packaged data sets: right rows, right types, checksums verified, clear errors."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import pandas as pd
import pytest

from crm_lessons import datasets
from crm_lessons._validate import CRMInputError

ROOT = datasets.data_dir()
MANIFEST = json.loads((ROOT / "MANIFEST.json").read_text())

# Row counts from ../shared/data/README.md and the published sources.
PUBLISHED_ROWS = {
    "cdnow_master": 69_659, "cdnow_sample": 6_919, "coil2000": 9_822, "telco_churn_ibm": 7_043,
    "telco_churn_mlc": 5_000, "bank_calls": 27_716, "yogurt_panel": 2_412, "cracker_panel": 3_292,
    "coil2000_dictionary": 86,
    "online_retail": 541_909,  # Chen, Sain & Guo (2012): 541,909 invoice lines
    "bank_marketing": 41_188,  # Moro, Cortez & Rita (2014): 41,188 calls (bank-additional-full)
    "donations_bgbb": 22,  # Fader, Hardie & Shang (2010): the 22 recency/frequency patterns of 11,104 donors
}


@pytest.mark.parametrize("name", sorted(PUBLISHED_ROWS))
def test_every_dataset_loads_with_its_published_row_count(name):
    df = datasets.load(name)
    assert len(df) == PUBLISHED_ROWS[name] == MANIFEST[name]["rows"]


def test_cdnow_counts_match_fader_hardie():
    # Fader & Hardie: master 23,570 customers / 69,659 records; sample 2,357 customers / 6,919 records.
    master, sample = datasets.load("cdnow_master"), datasets.load("cdnow_sample")
    assert master["customer_id"].nunique() == 23_570
    assert sample["customer_id"].nunique() == 2_357
    assert master["date"].min() == pd.Timestamp("1997-01-01")
    assert master["date"].max() == pd.Timestamp("1998-06-30")
    # every customer's first purchase is in Q1 1997 (the cohort definition)
    assert master.groupby("customer_id")["date"].min().max() < pd.Timestamp("1997-04-01")


def test_coil2000_has_official_split_and_238_test_owners():
    # CoIL Challenge 2000: 5,822 training and 4,000 test customers; 238 caravan owners in the test set.
    c = datasets.load("coil2000")
    assert c["origin"].value_counts().to_dict() == {"train": 5_822, "test": 4_000}
    assert int(c.loc[c["origin"] == "test", "CARAVAN"].sum()) == 238
    assert c.shape[1] == 88  # customer_id, origin and the 86 variables
    d = datasets.load("coil2000_dictionary")
    assert d["variable"].tolist() == list(c.columns[2:])


def test_load_returns_typed_columns():
    assert pd.api.types.is_datetime64_any_dtype(datasets.load("cdnow_master")["date"])
    assert pd.api.types.is_datetime64_any_dtype(datasets.load("bank_calls")["datetime"])
    telco = datasets.load("telco_churn_ibm")
    assert telco["churn"].dtype == bool
    assert isinstance(telco["contract"].dtype, pd.CategoricalDtype) and telco["contract"].cat.ordered
    assert isinstance(datasets.load("yogurt_panel")["choice"].dtype, pd.CategoricalDtype)
    assert telco["total_charges"].isna().sum() == 11  # documented quirk: tenure 0, not yet billed


def test_load_rejects_unknown_name_listing_valid_ones():
    with pytest.raises(CRMInputError) as err:
        datasets.load("cdnow")
    msg = str(err.value)
    assert "'cdnow'" in msg and "cdnow_master" in msg and "telco_churn_ibm" in msg


def test_load_refuses_a_changed_file(tmp_path, monkeypatch):
    for f in ROOT.iterdir():
        shutil.copy(f, tmp_path / f.name)
    with open(tmp_path / "cdnow_sample.csv", "a") as fh:
        fh.write("99999,1,1998-01-01,1,1.00\n")
    monkeypatch.setenv("CRM_LESSONS_DATA", str(tmp_path))
    datasets._manifest.cache_clear()
    try:
        with pytest.raises(datasets.DatasetChecksumError, match="SHA-256"):
            datasets.load("cdnow_sample")
    finally:
        datasets._manifest.cache_clear()


def test_load_gives_a_fresh_frame_each_call():
    a = datasets.load("cdnow_sample")
    a.loc[0, "dollars"] = -1.0
    assert datasets.load("cdnow_sample").loc[0, "dollars"] > 0


def test_list_datasets_names_rows_and_descriptions():
    t = datasets.list_datasets()
    assert set(t.index) == set(PUBLISHED_ROWS)
    assert {"rows", "description"} <= set(t.columns)
    assert (t["description"].str.len() > 20).all()


@pytest.mark.parametrize("name", sorted(PUBLISHED_ROWS))
def test_every_data_card_states_source_licence_columns_and_true_checksum(name):
    card = datasets.data_card(name)
    for heading in ("source", "licence", "rows", "## Columns"):
        assert heading in card, f"{name}.md lacks {heading!r}"
    sha = re.search(r"\| SHA-256 \| `([0-9a-f]{64})` \|", card)
    assert sha, f"{name}.md has no SHA-256 line"
    actual = hashlib.sha256((ROOT / MANIFEST[name]["file"]).read_bytes()).hexdigest()
    assert sha.group(1) == actual == MANIFEST[name]["sha256"]
    # every column of the data set is documented in its card
    cols = datasets.load(name).columns
    if name != "coil2000":  # coil2000's 86 codes are documented in coil2000_dictionary
        missing = [c for c in cols if f"`{c}`" not in card]
        assert not missing, f"{name}.md does not document {missing}"


def test_make_transactions_is_reproducible_and_returns_truth():
    d1, t1 = datasets.make_transactions(2_000, seed=7)
    d2, t2 = datasets.make_transactions(2_000, seed=7)
    pd.testing.assert_frame_equal(d1, d2)
    pd.testing.assert_frame_equal(t1, t2)
    assert not d1.equals(datasets.make_transactions(2_000, seed=8)[0])
    assert (d1.groupby("customer_id").size().to_numpy() == t1["n_purchases"].to_numpy()).all()
    assert (d1["amount"] > 0).all()


def test_make_transactions_follows_its_stated_process():
    # With a = b large, p = 0.5 for everyone: after each repeat purchase the customer drops out w.p.
    # 0.5, so with plenty of time P(exactly one repeat) = 0.5 and nobody stops at the first purchase.
    _, truth = datasets.make_transactions(20_000, seed=1, r=50.0, alpha=5.0, a=500.0, b=500.0,
                                          observation_weeks=400.0)
    assert abs((truth["n_purchases"] == 2).mean() - 0.5) < 0.02
    assert (truth["n_purchases"] >= 2).mean() > 0.999
    # mean purchase rate matches r / alpha = 10 per week
    assert abs(truth["lambda"].mean() - 10.0) < 0.1
    # mean spend per purchase: E[p / nu] = p * gamma / (q - 1)
    data, truth = datasets.make_transactions(20_000, seed=2)
    expected = 6.25 * 15.44 / (3.74 - 1)
    assert abs(data["amount"].mean() / expected - 1) < 0.1


def test_make_transactions_rejects_impossible_parameters():
    with pytest.raises(CRMInputError, match="r must lie"):
        datasets.make_transactions(10, r=0)
    with pytest.raises(CRMInputError, match="observation_weeks"):
        datasets.make_transactions(10, acquisition_weeks=20, observation_weeks=10)
    with pytest.raises(TypeError, match="whole number"):
        datasets.make_transactions(10.5)
