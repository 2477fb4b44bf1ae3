"""format_p / with_p_values: tiny p-values read "< 0.001", never "0.0"."""

import pandas as pd
import pytest

from crm_lessons._validate import CRMInputError
from crm_lessons.reporting import format_p, with_p_values


def test_tiny_p_values_read_less_than_one_in_a_thousand_not_zero():
    assert format_p([0.0, 1e-12, 0.0009999]).tolist() == ["< 0.001"] * 3


def test_ordinary_p_values_are_rounded_to_three_places():
    assert format_p([0.001, 0.0456, 1.0]).tolist() == ["0.001", "0.046", "1.000"]


def test_series_index_and_name_are_kept():
    s = pd.Series([0.5, 0.0], index=["x", "y"], name="p_value")
    out = format_p(s)
    assert list(out.index) == ["x", "y"] and out.name == "p_value"


def test_p_value_outside_zero_one_is_rejected_with_the_value():
    with pytest.raises(CRMInputError, match="1.5"):
        format_p([0.2, 1.5])


def test_text_p_value_is_rejected():
    with pytest.raises(CRMInputError, match="between 0 and 1"):
        format_p(["abc"])


def test_with_p_values_does_not_mutate_and_names_missing_column():
    t = pd.DataFrame({"estimate": [0.12345], "p_value": [1e-9]})
    before = t.copy()
    out = with_p_values(t)
    pd.testing.assert_frame_equal(t, before)
    assert out.loc[0, "estimate"] == 0.123 and out.loc[0, "p_value"] == "< 0.001"
    with pytest.raises(CRMInputError, match="pvalue"):
        with_p_values(t, column="pvalue")
