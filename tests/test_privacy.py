"""Pseudonyms, minimisation and k-anonymity do what a data owner needs."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_lessons import privacy
from crm_lessons._validate import CRMInputError
from crm_lessons.datasets import load


def test_pseudonyms_are_stable_keyed_and_not_the_plain_hash():
    import hashlib

    df = pd.DataFrame({"customer_id": [1, 2, 1]})
    a = privacy.pseudonymise(df, "customer_id", key="k1")
    assert a["customer_id"].iloc[0] == a["customer_id"].iloc[2] != a["customer_id"].iloc[1]
    assert privacy.pseudonymise(df, "customer_id", key="k2")["customer_id"].iloc[0] != a["customer_id"].iloc[0]
    assert a["customer_id"].iloc[0] != hashlib.sha256(b"1").hexdigest()[:16]
    assert df["customer_id"].tolist() == [1, 2, 1]  # input untouched


def test_pseudonymise_needs_a_key():
    with pytest.raises(CRMInputError, match="secret"):
        privacy.pseudonymise(pd.DataFrame({"id": [1]}), "id", key="")


def test_k_anonymity_by_hand_and_generalisation_raises_it():
    df = pd.DataFrame({"age": [21, 25, 33, 38, 39], "city": ["A", "A", "B", "B", "B"]})
    assert privacy.k_anonymity(df, ["age", "city"]) == 1
    g = privacy.generalise(df, {"age": [20, 30, 40]})
    assert g["age"].astype(str).tolist() == ["20-30", "20-30", "30-40", "30-40", "30-40"]
    assert privacy.k_anonymity(g, ["age", "city"]) == 2


def test_suppression_makes_a_telco_extract_k_anonymous():
    t = load("telco_churn_ibm")
    qi = ["female", "senior_citizen", "partner", "dependents", "tenure", "contract"]
    g = privacy.generalise(t, {"tenure": [0, 12, 24, 36, 48, 60, 73]})
    out, dropped = privacy.suppress_small_groups(g, qi, 10)
    assert privacy.k_anonymity(out, qi) >= 10
    assert dropped == len(t) - len(out) > 0


def test_minimise_reports_dropped_columns():
    t = load("telco_churn_ibm")
    ext, dropped = privacy.minimise(t, ["tenure", "churn"])
    assert list(ext.columns) == ["tenure", "churn"] and "monthly_charges" in dropped


def test_generalise_rejects_bad_edges():
    with pytest.raises(CRMInputError, match="increasing"):
        privacy.generalise(pd.DataFrame({"a": [1]}), {"a": [5, 1]})
    with pytest.raises(CRMInputError, match="outside the edges"):
        privacy.generalise(pd.DataFrame({"a": [100]}), {"a": [0, 10]})


# Issue 17 ----------------------------------------------------------------------------------------

def test_pseudonymise_refuses_a_missing_id_instead_of_attributeerror():
    d = pd.DataFrame({"customer_id": ["a", None, "c"], "age": [30, 40, 50]})
    with pytest.raises(CRMInputError, match=r"'customer_id' has 1 missing value"):
        privacy.pseudonymise(d, "customer_id", key="secret")
