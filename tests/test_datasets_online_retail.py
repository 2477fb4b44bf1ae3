"""The packaged UCI Online Retail data: the counts its data card states, types, small file, true checksum."""

from __future__ import annotations

import hashlib
import json
import re

import pandas as pd

from crm_lessons import datasets

ROOT = datasets.data_dir()
MANIFEST = json.loads((ROOT / "MANIFEST.json").read_text())


def test_online_retail_has_the_published_lines_customers_and_countries():
    # UCI "Online Retail" (Chen, Sain & Guo 2012): 541,909 lines, 4,372 customers, 38 countries;
    # the counts of invoices, cancellations and missing values are those stated in datasets/online_retail.md.
    df = datasets.load("online_retail")
    assert len(df) == 541_909 == MANIFEST["online_retail"]["rows"]
    assert df["customer_id"].nunique() == 4_372
    assert df["country"].nunique() == 38
    assert df["invoice"].nunique() == 25_900
    cancel = df["invoice"].str.startswith("C")
    assert int(cancel.sum()) == 9_288 and df.loc[cancel, "invoice"].nunique() == 3_836
    assert int(df["customer_id"].isna().sum()) == 135_080
    assert int(df["description"].isna().sum()) == 1_454
    assert df["invoice_date"].min() == pd.Timestamp("2010-12-01 08:26")
    assert df["invoice_date"].max() == pd.Timestamp("2011-12-09 12:50")
    assert (df.loc[cancel, "quantity"] < 0).all()


def test_online_retail_columns_are_typed():
    df = datasets.load("online_retail")
    assert pd.api.types.is_datetime64_any_dtype(df["invoice_date"])
    assert str(df["customer_id"].dtype) == "Int64"
    assert isinstance(df["country"].dtype, pd.CategoricalDtype)
    assert df["quantity"].dtype == "int64" and df["unit_price"].dtype == "float64"
    assert df["invoice"].iloc[0] == "536365" and df["stock_code"].iloc[0] == "85123A"


def test_online_retail_file_is_small_and_matches_its_card():
    path = ROOT / MANIFEST["online_retail"]["file"]
    assert path.suffix == ".gz" and path.stat().st_size < 15 * 2**20
    card = datasets.data_card("online_retail")
    for words in ("CC BY 4.0", "Chen, Sain & Guo (2012)", "541,909", "4,372", "## Columns", "## Cleaning done"):
        assert words in card
    sha = re.search(r"\| SHA-256 \| `([0-9a-f]{64})` \|", card).group(1)
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest() == MANIFEST["online_retail"]["sha256"]
    missing = [c for c in datasets.load("online_retail").columns if f"`{c}`" not in card]
    assert not missing
