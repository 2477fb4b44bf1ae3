"""The UCI Bank Marketing data set (Moro, Cortez & Rita 2014) as packaged in datasets/."""

from __future__ import annotations

import hashlib
import json
import re

import pandas as pd

from crm_lessons import datasets

ROOT = datasets.data_dir()


def test_bank_marketing_has_the_published_41188_calls_and_4640_subscriptions():
    # UCI bank-additional-full.csv: 41,188 instances; y = "yes" for 4,640 of them (11.27%).
    b = datasets.load("bank_marketing")
    assert len(b) == 41_188
    assert int(b["y"].sum()) == 4_640
    assert round(float(b["y"].mean()), 4) == 0.1127


def test_bank_marketing_columns_are_typed_for_analysis():
    b = datasets.load("bank_marketing")
    assert b["y"].dtype == bool
    assert isinstance(b["job"].dtype, pd.CategoricalDtype)
    assert b["month"].cat.ordered and list(b["month"].cat.categories)[:2] == ["mar", "apr"]
    assert not b.isna().any().any()  # the source codes missing values as "unknown"
    assert set(b["contact"].cat.categories) == {"cellular", "telephone"}


def test_bank_marketing_year_follows_the_date_order_may_2008_to_nov_2010():
    b = datasets.load("bank_marketing")
    assert b["call_id"].tolist() == list(range(1, 41_189))
    assert b["year"].is_monotonic_increasing
    first, last = b.iloc[0], b.iloc[-1]
    assert (first["year"], first["month"]) == (2008, "may")
    assert (last["year"], last["month"]) == (2010, "nov")


def test_bank_marketing_pdays_999_means_never_contacted():
    b = datasets.load("bank_marketing")
    never = b["pdays"] == 999
    # every client with a previous-campaign outcome other than "nonexistent" was contacted before
    assert (b.loc[b["poutcome"] != "nonexistent", "previous"] > 0).all()
    assert never.mean() > 0.95


def test_bank_marketing_card_checksum_matches_file_and_manifest():
    manifest = json.loads((ROOT / "MANIFEST.json").read_text())["bank_marketing"]
    card = datasets.data_card("bank_marketing")
    sha = re.search(r"\| SHA-256 \| `([0-9a-f]{64})` \|", card).group(1)
    assert sha == manifest["sha256"] == hashlib.sha256((ROOT / manifest["file"]).read_bytes()).hexdigest()
    assert "CC BY 4.0" in card and "Moro" in card
    missing = [c for c in datasets.load("bank_marketing").columns if f"`{c}`" not in card]
    assert not missing
