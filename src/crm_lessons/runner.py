"""Run case-study notebooks with checked parameters and collect their results.

A case study is a notebook in ``notebooks/case_studies/`` with a cell tagged ``parameters``
(one ``name = literal  # help text`` per line) that always includes::

    results_path = ""  # where to write results.json ("" = do not write)

Its last step calls :func:`save_results`, so every run leaves one flat JSON object that sweeps
can put side by side.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._validate import CRMInputError

__all__ = ["save_results"]

_SCALARS = (str, int, float, bool, type(None))


def _plain(key: str, value: Any) -> Any:
    try:  # numpy scalars
        import numpy as np

        if isinstance(value, np.generic):
            value = value.item()
    except ImportError:  # pragma: no cover
        pass
    if not isinstance(value, _SCALARS):
        raise CRMInputError(
            f"save_results: {key!r} is a {type(value).__name__}; results must be flat: a string, number, "
            "bool or None per key. Store a summary figure (e.g. a mean) or flatten it into several keys."
        )
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def save_results(results: Mapping[str, Any], path: str | Path = "", *, parameters: Mapping[str, Any] | None = None):
    """Write a case study's key results (and the parameters used) as one flat JSON object.

    Parameters
    ----------
    results : mapping of str to scalar
        Result name to value (str, int, float, bool or None; numpy scalars are converted;
        NaN and infinities become ``null``).
    path : str or Path, default ""
        File to write; ``""`` writes nothing (a notebook run by hand or by nbval).
    parameters : mapping, optional
        The parameters the run used; stored beside the results (results win on a name clash).

    Returns
    -------
    pandas.Series
        Parameters and results, for display in the notebook.

    Examples
    --------
    >>> save_results({"holdout_actual": 1000, "holdout_predicted": 998.5}, "", parameters={"model": "bgnbd"})
    model                bgnbd
    holdout_actual        1000
    holdout_predicted    998.5
    dtype: object
    """
    import pandas as pd

    if not isinstance(results, Mapping):
        raise CRMInputError(f"save_results: results must be a dict of name -> value, got {type(results).__name__}.")
    flat: dict[str, Any] = {}
    for k, v in (parameters or {}).items():
        flat[str(k)] = _plain(str(k), v)
    for k, v in results.items():
        flat[str(k)] = _plain(str(k), v)
    if path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(flat, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return pd.Series(flat, dtype=object)
