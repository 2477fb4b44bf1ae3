"""Customer data and trust: pseudonymised ids, data minimisation and a k-anonymity check.

A firm only gets customer information when customers trust it (信任). Before an extract leaves the
team that owns it (to an agency, a researcher, another department), three habits keep that trust:
replace ids by keyed pseudonyms, send only the columns the task needs, and check that no combination
of quasi-identifiers (age band, postcode, contract, ...) singles out fewer than k customers.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._validate import CRMInputError, require_columns, require_frame, require_positive_int
from ._validate import require_no_missing, require_numeric  # bad-input checks (issue 17)

__all__ = ["pseudonymise", "minimise", "k_anonymity", "equivalence_classes", "generalise", "suppress_small_groups"]


def pseudonymise(data: pd.DataFrame, column: str, *, key: str | bytes, length: int = 16) -> pd.DataFrame:
    """Replace ``column`` by a keyed pseudonym (HMAC-SHA256, hex, ``length`` characters).

    The same id and key always give the same pseudonym, so extracts can still be joined; without the
    key the pseudonym cannot be reversed or recomputed from a guessed id (unlike a plain hash, which
    anyone can recompute for every possible customer number). Keep the key with the data owner.

    Bad input: a missing id is an error (it has no pseudonym); drop or fill it first.

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": [1, 2, 1]})
    >>> p = pseudonymise(df, "customer_id", key="secret")
    >>> p["customer_id"].nunique(), p["customer_id"].str.len().unique().tolist()
    (2, [16])
    """
    where = "pseudonymise"
    require_frame(data, where=where)
    require_columns(data, [column], where=where)
    require_no_missing(data, [column], where=where)       # a missing id has no pseudonym
    if not key:
        raise CRMInputError(f"{where}: key must be a non-empty secret (str or bytes); without one the "
                            "pseudonyms could be recomputed by anyone.")
    length = require_positive_int(length, "length", where=where, minimum=8)
    if length > 64:
        raise CRMInputError(f"{where}: length must be at most 64 hex characters, got {length}.")
    k = key.encode() if isinstance(key, str) else bytes(key)
    uniq = pd.unique(data[column].astype(str))
    table = {u: hmac.new(k, u.encode(), hashlib.sha256).hexdigest()[:length] for u in uniq}
    out = data.copy()
    out[column] = data[column].astype(str).map(table)
    return out


def minimise(data: pd.DataFrame, keep: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Keep only the columns a task needs; return the extract and the names of the columns dropped."""
    where = "minimise"
    require_frame(data, where=where)
    require_columns(data, list(keep), where=where)
    dropped = [c for c in data.columns if c not in keep]
    return data[list(keep)].copy(), dropped


def equivalence_classes(data: pd.DataFrame, quasi_identifiers: Sequence[str]) -> pd.DataFrame:
    """Group sizes of every combination of quasi-identifier values present in ``data`` (smallest first)."""
    where = "equivalence_classes"
    require_frame(data, where=where)
    qi = list(quasi_identifiers)
    if not qi:
        raise CRMInputError(f"{where}: name at least one quasi-identifier column.")
    require_columns(data, qi, where=where)
    sizes = data.groupby(qi, observed=True, dropna=False).size().rename("customers").reset_index()
    return sizes.sort_values("customers", kind="mergesort").reset_index(drop=True)


def k_anonymity(data: pd.DataFrame, quasi_identifiers: Sequence[str]) -> int:
    """The k of an extract: the size of its smallest group of customers sharing quasi-identifiers.

    An extract is k-anonymous when every customer shares their quasi-identifier values with at least
    k - 1 others, so nobody can be singled out by them.

    Examples
    --------
    >>> df = pd.DataFrame({"age_band": ["20s", "20s", "30s", "30s", "30s"], "city": ["A", "A", "B", "B", "B"]})
    >>> k_anonymity(df, ["age_band", "city"])
    2
    """
    return int(equivalence_classes(data, quasi_identifiers)["customers"].min())


def generalise(data: pd.DataFrame, bins: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """Coarsen numeric quasi-identifiers into bands (e.g. tenure in months -> years) to raise k.

    ``bins`` maps a column to its band edges (as in :func:`pandas.cut`, right-open bands); the column
    is replaced by labels like ``"12-24"``.
    """
    where = "generalise"
    require_frame(data, where=where)
    require_columns(data, list(bins), where=where)
    require_numeric(data, list(bins), where=where)
    out = data.copy()
    for col, edges in bins.items():
        edges = list(edges)
        if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:])):
            raise CRMInputError(f"{where}: the edges for {col!r} must be increasing and at least two, got {edges}.")
        labels = [f"{edges[i]:g}-{edges[i + 1]:g}" for i in range(len(edges) - 1)]
        banded = pd.cut(data[col], edges, right=False, labels=labels)
        if banded.isna().any() and not data[col].isna().any():
            bad = data.loc[banded.isna(), col].iloc[0]
            raise CRMInputError(f"{where}: value {bad!r} of {col!r} falls outside the edges {edges}.")
        out[col] = banded
    return out


def suppress_small_groups(data: pd.DataFrame, quasi_identifiers: Sequence[str], k: int) -> tuple[pd.DataFrame, int]:
    """Drop the customers whose quasi-identifier group is smaller than ``k``; return the extract and
    how many were suppressed. The result is k-anonymous (or empty)."""
    where = "suppress_small_groups"
    k = require_positive_int(k, "k", where=where)
    require_columns(data, list(quasi_identifiers), where=where)
    sizes = data.groupby(list(quasi_identifiers), observed=True, dropna=False)[list(quasi_identifiers)[0]] \
        .transform("size")
    keep = np.asarray(sizes >= k)
    return data[keep].copy(), int((~keep).sum())
