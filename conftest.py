"""Settings for every test item, the unit tests in tests/ and the doctests in src/crm_lessons alike.

Each item starts from pandas' default display options and with no matplotlib figure open, so a test or
doctest never depends on what an earlier item in the same worker process did (``plotting.use_theme``
sets display options; chart helpers open figures).
"""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")  # in this process only: kernels started by tests keep Jupyter's inline backend


@pytest.fixture(autouse=True)
def _fresh_display_state():
    import matplotlib.pyplot as plt
    import pandas as pd

    from crm_lessons.display import DISPLAY_OPTIONS

    for key in DISPLAY_OPTIONS:
        pd.reset_option(key)
    plt.close("all")
    yield
    plt.close("all")
