"""Shared test settings: a non-interactive matplotlib backend and a CJK-font marker."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")  # in this process only: kernels started by tests keep Jupyter's inline backend


@pytest.fixture
def cjk():
    """Skip a test that needs a CJK font when none is installed (CI installs fonts-wqy-microhei)."""
    from crm_lessons.plotting import cjk_font

    font = cjk_font()
    if font is None:
        pytest.skip("no CJK font installed; run `make fonts`")
    return font


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
