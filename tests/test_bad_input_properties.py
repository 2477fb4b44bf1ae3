"""Bad input across the whole package (issue 17), checked on every public helper that takes a frame.

Three layers:

1. An enumeration of the public API (every function of a ``crm_lessons`` module with a parameter
   annotated ``DataFrame``). Each must reject a frame without its columns with the package's error
   (``CRMInputError`` / ``CRMTypeError``), never a ``KeyError`` or ``AttributeError`` from inside: a
   helper that skips the shared checks fails here, including helpers added later.
2. Property-based tests (Hypothesis): for every helper with a valid example input (found automatically
   from its "missing column" messages, or written by hand below), a generated corruption of one class -
   time-zone-aware or text dates, text numbers such as "12,50", missing values, negative numbers, exact
   duplicate rows, too few rows, a constant column, no rows - either raises the package's error (naming
   the column for column-level problems) or returns; never a foreign exception, never a change to the
   caller's frames.
3. Properties of the documented treatments on generated purchase logs (``hypothesis.extra.pandas``):
   duplicates are warned about with their count, dropped exactly, or refused; time-zone-aware dates are
   refused by every log helper and both summary engines; the engines agree whatever the machine's zone.

Depth: ``CRM_HYPOTHESIS_PROFILE=deep`` (or a registered ``--hypothesis-profile=deep``) runs about 20 times
more examples than the default, which is sized for ``make test``.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import warnings
import zlib
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import pandas as hpd

import crm_lessons
from crm_lessons._validate import (
    CRMDataWarning,
    CRMDuplicateRowsWarning,
    CRMInputError,
    CRMTypeError,
)

PACKAGE_ERRORS = (CRMInputError, CRMTypeError)


def _deep() -> bool:
    if os.environ.get("CRM_HYPOTHESIS_PROFILE", "") == "deep":
        return True
    try:
        return settings.get_current_profile_name() == "deep"
    except Exception:  # pragma: no cover - older Hypothesis
        return False


def examples(n: int) -> settings:
    """Hypothesis settings: ``n`` examples for make test, 20 x more with the deep profile."""
    return settings(max_examples=n * 20 if _deep() else n, deadline=None, derandomize=not _deep(),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# --------------------------------------------------------------------------------------------------
# 1. The public API
# --------------------------------------------------------------------------------------------------

#: Modules that are not data helpers (charts, command line, notebook runner, course map, widgets).
NOT_HELPERS = {"plotting", "cli", "runner", "course", "glossary", "widgets"}


@cache
def public_frame_helpers() -> dict[str, tuple]:
    """``"module.function" -> (function, [names of parameters annotated as DataFrame])``."""
    out = {}
    for info in sorted(pkgutil.iter_modules(crm_lessons.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name in NOT_HELPERS:
            continue
        mod = importlib.import_module(f"crm_lessons.{info.name}")
        for name, f in sorted(vars(mod).items()):
            if name.startswith("_") or not inspect.isfunction(f) or f.__module__ != mod.__name__:
                continue
            frames = [p.name for p in inspect.signature(f).parameters.values() if "DataFrame" in str(p.annotation)]
            if frames:
                out[f"{info.name}.{name}"] = (f, frames)
    return out


class Lazy:
    """A parameter value built on first use (fitted models, example data)."""

    def __init__(self, make):
        self.make = make

    def get(self):
        return _lazy_value(self)


@cache
def _lazy_value(lazy: Lazy):
    return lazy.make()


def _telco():
    from crm_lessons.datasets import load

    return load("telco_churn_ibm").head(400).reset_index(drop=True)


def _cdnow():
    from crm_lessons.datasets import load

    return load("cdnow_sample")


def _churn_model():
    from crm_lessons.churn import fit_churn_logit

    return fit_churn_logit(_telco())


def _bgnbd():
    from crm_lessons.clv import BetaGeoModel
    from crm_lessons.summary import customer_summary

    return BetaGeoModel().fit(customer_summary(_cdnow(), observation_end="1997-09-30"))


CHURN_MODEL, BGNBD = Lazy(_churn_model), Lazy(_bgnbd)

#: Values for required parameters that are not frames, by parameter name (a Lazy is built on use).
#: A required parameter not named here gets None (a helper that checks its arguments refuses it cleanly).
FILL = {
    "offer_cost": 1.0, "acceptance": 0.5, "result": CHURN_MODEL, "end": "2024-01-31", "budget": 100.0,
    "calibration_end": "2024-01-15", "horizon_weeks": 4.0, "p_renew": [0.5], "record_ids": [0, 1],
    "clusters": pd.Series([0, 1]), "groups": pd.Series([0, 1]), "scores": [0.5, 0.5], "threshold": 0.5,
    "thresholds": [0.5], "own_sales": 100.0, "weights": {"reach": 1.0}, "as_of": "2024-01-31",
    "fraction": 0.5, "end_day": 19000, "y_test": [0, 1], "name": "all", "features": ["x"],
    "quasi_identifiers": ["age"], "bins": {"age": [0, 50, 100]}, "keep": ["customer_id"],
    "column": "customer_id", "key": "secret", "k": 2, "start": "2024-01-01", "shares": [0.0, 0.1],
    "agents": 10, "transaction_model": BGNBD, "model": BGNBD, "spend_per_transaction": 10.0,
    "margin_share": 0.3, "annual_discount_rate": 0.1, "periods_per_year": 52.0, "horizon_periods": 10,
    "n_periods": 4, "score": [0.5, 0.5, 0.5], "by": "segment", "split": "2024-06-30", "questions": 1000.0,
    "coverages": [0.5], "call_budget": 10,
}

#: Helpers for which a frame of unrelated columns is valid input (the reason is the documentation).
ACCEPTS_ANY_FRAME = {
    "exhibition.recommend_matches": "any numeric similarity matrix (rows exhibitors, columns visitors) is valid",
    "mining.feature_set": "train is only read for name='top'; the fixed sets ignore it",
    "display.translate_table": "any table prints: labels the glossary knows are translated, the rest kept",
}

#: Helpers of modules owned by other sessions that fail a check here, with the exact fix needed. The
#: tests skip these names (and only these), so any NEW helper that skips the checks still fails.
KNOWN_GAPS = {
}


def _call_args(name: str, frames: dict) -> dict:
    f, frame_params = public_frame_helpers()[name]
    kw = dict(frames)
    for p in inspect.signature(f).parameters.values():
        if p.name in frame_params or p.name in kw or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is inspect.Parameter.empty:
            v = FILL.get(p.name)     # unknown parameters get None: a checked helper refuses it cleanly
            kw[p.name] = v.get() if isinstance(v, Lazy) else v
    return kw


def _call(name: str, kw: dict):
    f, _ = public_frame_helpers()[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(**kw)


def test_the_enumeration_finds_the_helpers_the_issue_names():
    names = set(public_frame_helpers())
    for must in ["summary.customer_summary", "differentiate.predicted_value", "loyalty.purchase_summary",
                 "complaints.complaint_rates", "churn.fit_cox", "choice.fit_brand_choice",
                 "mining.associations", "direct_mail.direct_mail_campaign", "massive.sample_estimate",
                 "rfm.rfm_rank_correlation", "privacy.pseudonymise", "identify.single_customer_view",
                 "exhibition.renewal_by_edition"]:
        assert must in names
    assert len(names) >= 100


@pytest.mark.parametrize("name", sorted(public_frame_helpers()))
def test_every_frame_helper_rejects_a_frame_without_its_columns_with_the_package_error(name):
    """Every frame argument gets an unrelated frame: a helper that reads its columns without the shared
    checks raises KeyError (or worse, returns); one that checks raises CRMInputError naming what is wrong."""
    if name in ACCEPTS_ANY_FRAME:
        pytest.skip(ACCEPTS_ANY_FRAME[name])
    _, frame_params = public_frame_helpers()[name]
    unrelated = {p: pd.DataFrame({"zz_unrelated": [1, 2, 3]}) for p in frame_params}
    kw = _call_args(name, unrelated)
    before = {p: df.copy() for p, df in unrelated.items()}
    try:
        _call(name, kw)
    except PACKAGE_ERRORS as err:
        assert str(err).strip(), f"{name}: the error has no message"
    except Exception as err:  # noqa: BLE001 - the point of the test
        unknown = [p for p in kw if p not in unrelated and p not in FILL]
        hint = (f" (its parameter(s) {unknown} got None: if the call needs a real value, add one to FILL in "
                "tests/test_bad_input_properties.py)" if unknown else "")
        pytest.fail(f"{name} raised {type(err).__name__} ({err}) instead of CRMInputError: it does not check "
                    f"its input with crm_lessons._validate{hint}")
    else:
        pytest.fail(f"{name} accepted a frame with none of its columns: it does not check its input "
                    "(or add it to ACCEPTS_ANY_FRAME with the reason)")
    for p, df in before.items():
        pd.testing.assert_frame_equal(unrelated[p], df)


def test_the_enumeration_test_fails_for_a_helper_that_skips_the_checks(monkeypatch):
    """The meta-test: a public helper that indexes a column without checking is caught."""
    from crm_lessons import rfm

    def unchecked_helper(transactions: pd.DataFrame) -> pd.Series:
        return transactions["dollars"] * 2

    unchecked_helper.__module__ = rfm.__name__
    monkeypatch.setattr(rfm, "unchecked_helper", unchecked_helper, raising=False)
    public_frame_helpers.cache_clear()
    try:
        assert "rfm.unchecked_helper" in public_frame_helpers()
        with pytest.raises(pytest.fail.Exception, match="does not check its input"):
            test_every_frame_helper_rejects_a_frame_without_its_columns_with_the_package_error(
                "rfm.unchecked_helper")
    finally:
        monkeypatch.undo()
        public_frame_helpers.cache_clear()


def test_known_gaps_only_name_helpers_that_exist_and_are_not_ours():
    ours = {"value", "rfm", "summary", "differentiate", "loyalty", "interact", "complaints", "churn", "choice",
            "exhibition", "exhibition_db", "mining", "direct_mail", "privacy", "identify", "customize",
            "massive", "scoring", "service", "datasets"}
    names = set(public_frame_helpers())
    for gap in KNOWN_GAPS:
        assert gap.split(".")[0] not in ours, f"{gap} is in a module this suite's owner fixes"
        if gap not in names:
            warnings.warn(f"KNOWN_GAPS names {gap}, which no longer exists: remove it", stacklevel=1)


# --------------------------------------------------------------------------------------------------
# 2. Valid example inputs, then generated corruptions
# --------------------------------------------------------------------------------------------------

N_ROWS = 24


def _column(kind: str, name: str) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    if kind == "date":
        return (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 150, N_ROWS), unit="D")).to_numpy()
    if kind == "id":
        return np.repeat(np.arange(1, 7), N_ROWS // 6)
    if kind == "uid":
        return np.arange(1, N_ROWS + 1)
    if kind == "binary":
        return np.tile([0, 1, 1], N_ROWS // 3)
    return rng.uniform(1, 100, N_ROWS).round(2)


def _guess(name: str) -> str:
    low = name.lower()
    if "date" in low or "time" in low or low in ("start", "end", "opened", "closed"):
        return "date"
    if low.endswith("id") or low in ("customer", "household", "exhibitor", "visitor"):
        return "id"
    return "num"


def _discover(name: str, max_steps: int = 25):
    """Build a valid input from the helper's own messages: add each column it says is missing (guessing
    dates, ids or numbers from the name), switch a column's kind when it asks for numbers or datetimes.
    Returns (kwargs, {param: {column: kind}}) or None."""
    f, frame_params = public_frame_helpers()[name]
    required = [p.name for p in inspect.signature(f).parameters.values()
                if p.name in frame_params and p.default is inspect.Parameter.empty]
    schema = {p: {} for p in required}
    for _ in range(max_steps):
        frames = {p: pd.DataFrame({c: _column(k, c) for c, k in cols.items()} or {"zz": _column("num", "zz")})
                  for p, cols in schema.items()}
        try:
            kw = _call_args(name, frames)
            _call(name, kw)
            return kw, schema
        except PACKAGE_ERRORS as err:
            msg = str(err)
        except Exception:  # noqa: BLE001 - not a valid example; the enumeration test reports crashes
            return None
        m = re.search(r"missing column\(s\) (.*?); the frame has columns (.*?)\. Rename", msg)
        if m:
            have = set(re.findall(r"'([^']*)'", m.group(2)))
            target = next((p for p in required if (set(schema[p]) or {"zz"}) == have), None)
            if target is None:
                return None
            for c in re.findall(r"'([^']*)'", m.group(1)):
                schema[target][c] = _guess(c)
            continue
        m = (re.search(r"column '([^']*)' must hold 0/1", msg)
             or re.search(r"expected one row per .*?, but \d+ value\(s\) of '([^']*)'", msg))
        if m:
            kind = "binary" if "0/1" in msg else "uid"
            hit = [p for p in required if m.group(1) in schema[p] and schema[p][m.group(1)] != kind]
            if not hit:
                return None
            for p in hit:
                schema[p][m.group(1)] = kind
            continue
        m = re.search(r"column '([^']*)' must (be numeric|hold datetimes)", msg)
        if m:
            kind = "num" if m.group(2) == "be numeric" else "date"
            hit = [p for p in required if m.group(1) in schema[p] and schema[p][m.group(1)] != kind]
            if not hit:
                return None
            for p in hit:
                schema[p][m.group(1)] = kind
            continue
        return None
    return None


def _hand_examples() -> dict:
    """Valid inputs for helpers whose example cannot be guessed from their messages (built on use)."""
    from crm_lessons import churn, complaints, datasets, mining

    def yogurt():
        y = datasets.load("yogurt_panel")
        return y[y["household_id"].isin(y["household_id"].unique()[:40])].reset_index(drop=True)

    def tickets():
        return complaints.make_tickets(400, seed=1)

    def fair():
        from crm_lessons import exhibition

        tables, _ = exhibition.simulate_fair(3, seed=1, n_exhibitors=40, new_exhibitors=10, n_visitors=200)
        return tables, exhibition.participation_panel(tables)

    def linkage():
        from crm_lessons import identify

        rec, truth = identify.make_customer_records(80, seed=0)
        std = identify.standardise_records(rec)
        pairs = identify.block_pairs(std)
        return rec, truth, std, pairs, identify.attach_orders(rec, truth)

    def baskets():
        from crm_lessons import customize

        return customize.product_ownership(datasets.load("coil2000").head(600))

    def coil_parts():
        train, test = mining.split_official(datasets.load("coil2000"))
        return train.head(800).reset_index(drop=True), test.head(300).reset_index(drop=True)

    return {
        "value.retention_table": lambda: {"transactions": _cdnow()},
        "value.estimate_retention": lambda: {"transactions": _cdnow()},
        "value.estimate_margin": lambda: {"transactions": _cdnow()},
        "rfm.rfm_holdout": lambda: {"transactions": _cdnow(), "calibration_end": "1997-09-30"},
        "differentiate.behaviour_features": lambda: {"transactions": _cdnow(), "end": "1998-06-30"},
        "choice.switching_matrix": lambda: {"panel": yogurt()},
        "choice.loyalty_variable": lambda: {"panel": yogurt()},
        "choice.choice_arrays": lambda: {"panel": yogurt()},
        "choice.fit_brand_choice": lambda: {"panel": yogurt(), "loyalty_alpha": None},
        "churn.fit_churn_logit": lambda: {"train": _telco()},
        "churn.predict_churn": lambda: {"result": CHURN_MODEL.get(), "data": _telco()},
        "churn.fit_cox": lambda: {"data": _telco(),
                                  "covariates": churn.churn_features(_telco())[["monthly_charges_10"]]},
        "complaints.time_to_event": lambda: {"tickets": tickets()[0]},
        "complaints.km_medians": lambda: {"tickets": tickets()[0]},
        "complaints.sla_compliance": lambda: {"tickets": tickets()[0]},
        "complaints.recovery_paradox": lambda: {"customers": tickets()[1]},
        "mining.associations": lambda: {"train": coil_parts()[0]},
        "mining.fit_logit": lambda: {"train": coil_parts()[0], "features": ["PPERSAUT", "APERSAUT"]},
        "mining.score_models": lambda: {"train": coil_parts()[0], "test": coil_parts()[1],
                                        "features": ["PPERSAUT", "APERSAUT"], "models": ("naive_bayes",)},
        "differentiate.predicted_value": lambda: {"transactions": _cdnow(), "calibration_end": "1997-09-30",
                                                  "horizon_weeks": 39},
        "complaints.complaint_rates": lambda: {"tickets": tickets()[0], "customers": tickets()[1], "by": "segment"},
        "complaints.repurchase_by_outcome": lambda: {"customers": tickets()[1]},
        "churn.kaplan_meier": lambda: {"data": _telco()},
        "churn.monthly_retention": lambda: {"data": _telco()},
        "mining.split_official": lambda: {"coil": datasets.load("coil2000").head(400)},
        "exhibition.lead_scores": lambda: {k: fair()[0][k] for k in ("visitors", "registrations", "badge_scans")},
        "exhibition.service_effects": lambda: {"panel": fair()[1]},
        "exhibition.renewal_by_edition": lambda: {"participations": fair()[0]["participations"]},
        "identify.compare_pairs": lambda: {"std": linkage()[2], "pairs": linkage()[3]},
        "identify.single_customer_view": lambda: {
            "records": linkage()[0], "orders": linkage()[4],
            "clusters": pd.Series(range(len(linkage()[0])), index=linkage()[0]["record_id"].astype(str))},
        "customize.mine_rules": lambda: {"baskets": baskets()},
        "customize.hide_one_product": lambda: {"baskets": baskets()},
        "customize.generic_offers": lambda: {"baskets": baskets()},
        "choice.brands_in": lambda: {"panel": yogurt()},
        "choice.steady_state": lambda: {"transition": __import__("crm_lessons.choice").choice.switching_matrix(yogurt())},
        "customize.product_ownership": lambda: {"coil": datasets.load("coil2000").head(300)},
        "exhibition.exhibitor_value": lambda: {"panel": fair()[1], "p_renew": np.full(len(fair()[1]), 0.5)},
        "identify.cluster_pairs": lambda: {"record_ids": linkage()[0]["record_id"], "pairs": linkage()[3]},
        "interact.channel_mix": lambda: {"contacts": pd.DataFrame({
            "channel": ["letter", "telephone", "email"], "customers": [1000, 100, 5000], "touches": [2, 1, 4],
            "cost_per_contact": [1.0, 5.0, 0.05], "response_rate": [0.05, 0.2, 0.01]})},
        "customize.evaluate_offers": lambda: {"train": baskets().iloc[:400], "test": baskets().iloc[400:]},
        "customize.cross_sell_offers": lambda: {
            "baskets": baskets(), "rules": __import__("crm_lessons.customize").customize.mine_rules(baskets())},
        "identify.cluster_metrics": lambda: {
            "clusters": pd.Series(range(len(linkage()[1])), index=linkage()[1]["record_id"]), "truth": linkage()[1]},
        "interact.ab_test": lambda: {"data": pd.DataFrame({"arm": ["A", "B"] * 60,
                                                           "responded": ([0, 0, 1] * 40)})},
        "service.arrival_profile": lambda: {"calls": datasets.load("bank_calls").head(600)},
    }


def _reads(name: str, kw: dict, p: str, column: str) -> bool:
    """Does the helper need ``column`` of argument ``p``? (Without it, it says the column is missing.)"""
    call = dict(kw)
    call[p] = kw[p].drop(columns=[column])
    try:
        _call(name, call)
    except PACKAGE_ERRORS as err:
        return repr(column) in str(err)
    except Exception:  # noqa: BLE001
        return True
    return False


@cache
def examples_for_properties() -> dict:
    """``name -> (kwargs, {param: {column: kind}})`` for every helper with a valid example input."""
    out = {}
    hand = _hand_examples()
    for name in public_frame_helpers():
        if name in KNOWN_GAPS or name in ACCEPTS_ANY_FRAME:
            continue
        if name in hand:
            try:
                kw = hand[name]()
                _call(name, kw)
            except Exception:  # noqa: BLE001 - reported by test_hand_written_examples_are_valid
                continue
            schema = {p: {c: ("date" if pd.api.types.is_datetime64_any_dtype(v[c]) and _reads(name, kw, p, c) else
                              "num" if pd.api.types.is_numeric_dtype(v[c]) and not pd.api.types.is_bool_dtype(v[c])
                              else "other") for c in v.columns}
                      for p, v in kw.items() if isinstance(v, pd.DataFrame)}
            out[name] = (kw, schema)
            continue
        found = _discover(name)
        if found is not None:
            out[name] = found
    return out


def test_hand_written_examples_are_valid():
    for name, make in _hand_examples().items():
        _call(name, make())


def test_most_helpers_have_an_example_for_the_property_tests():
    covered = set(examples_for_properties())
    assert len(covered) >= 80, sorted(set(public_frame_helpers()) - covered)


CORRUPTIONS = ("tz", "text_date", "text_number", "missing", "negative", "duplicates", "tiny", "constant", "empty")
ZONES = ("Asia/Shanghai", "UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney")


def _text_number(x: float, style: int) -> str:
    return [f"{x:.2f}".replace(".", ","), f"{x:,.2f}", f"${x:.2f}", f" {x:.2f} "][style]


@st.composite
def corrupted_call(draw, corruption: str):
    """A helper, its valid example, and a copy with one corruption of class ``corruption``."""
    ex = examples_for_properties()
    names = sorted(ex)
    name = draw(st.sampled_from(names))
    kw, schema = ex[name]
    params = [p for p in schema if isinstance(kw.get(p), pd.DataFrame) and len(kw[p])]
    if not params:
        return None
    p = draw(st.sampled_from(params))
    df = kw[p]
    kinds = schema[p]
    column = None
    bad = df.copy()
    if corruption in ("tz", "text_date"):
        dates = [c for c, k in kinds.items() if k == "date" and pd.api.types.is_datetime64_any_dtype(df[c])]
        if not dates:
            return None
        column = draw(st.sampled_from(dates))
        if corruption == "tz":
            bad[column] = df[column].dt.tz_localize(draw(st.sampled_from(ZONES)), ambiguous="NaT",
                                                    nonexistent="shift_forward")
        else:
            bad[column] = df[column].dt.strftime(draw(st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%m/%d/%Y %H:%M"])))
    elif corruption in ("text_number", "missing", "negative", "constant"):
        nums = [c for c, k in kinds.items() if k == "num" and pd.api.types.is_numeric_dtype(df[c])
                and not pd.api.types.is_bool_dtype(df[c])]
        pool = nums if corruption in ("text_number", "negative") else list(df.columns)
        if not pool:
            return None
        column = draw(st.sampled_from(pool))
        row = draw(st.integers(0, len(df) - 1))
        if corruption == "text_number":
            style = draw(st.integers(0, 3))
            bad[column] = df[column].map(lambda x: _text_number(float(x), style) if pd.notna(x) else x).astype(object)
        elif corruption == "missing":
            bad[column] = df[column].astype(object) if not pd.api.types.is_float_dtype(df[column]) else df[column]
            bad.loc[bad.index[row], column] = None
        elif corruption == "negative":
            bad[column] = df[column].astype(float)
            bad.loc[bad.index[row], column] = -abs(float(df[column].iloc[row])) - 1.0
        else:
            bad[column] = df[column].iloc[[row] * len(df)].to_numpy()
    elif corruption == "duplicates":
        k = draw(st.integers(1, min(5, len(df))))
        bad = pd.concat([df, df.sample(k, random_state=draw(st.integers(0, 99)))], ignore_index=True)
    elif corruption == "tiny":
        bad = df.head(draw(st.integers(1, 2))).copy()
    elif corruption == "empty":
        bad = df.iloc[:0].copy()
    call = dict(kw)
    call[p] = bad
    return name, p, column, call


def _check_outcome(case, corruption: str):
    if case is None:
        return
    name, p, column, call = case
    frames = {k: v for k, v in call.items() if isinstance(v, pd.DataFrame)}
    before = {k: v.copy(deep=True) for k, v in frames.items()}
    try:
        _call(name, call)
    except PACKAGE_ERRORS as err:
        if column is not None and corruption in ("tz", "text_date", "text_number"):
            assert repr(column) in str(err) or str(column) in str(err), (
                f"{name}: the error for {corruption} in {p}[{column!r}] does not name the column: {err}")
    except Exception as err:  # noqa: BLE001
        pytest.fail(f"{name} with {corruption} in {p}[{column!r}] raised {type(err).__name__}: {err} "
                    "(expected CRMInputError or a result)")
    else:
        if corruption in ("tz", "text_date"):
            pytest.fail(f"{name} accepted {corruption} dates in {p}[{column!r}] without an error")
    for k, v in before.items():
        pd.testing.assert_frame_equal(frames[k], v, obj=f"{name}: argument {k} was modified")


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_generated_bad_frames_give_the_package_error_or_a_result_never_a_crash_or_a_mutation(corruption):
    @examples(40)
    @given(case=corrupted_call(corruption))
    def check(case):
        _check_outcome(case, corruption)

    check()


def _date_columns():
    out = []
    for name, (kw, schema) in examples_for_properties().items():
        for p, cols in schema.items():
            for c, k in cols.items():
                if k == "date" and isinstance(kw.get(p), pd.DataFrame) and len(kw[p]):
                    out.append((name, p, c))
    return out


def test_every_helper_with_a_date_column_refuses_time_zone_aware_and_text_dates():
    """Deterministic sweep (not sampled): each date column of each example, in two zones and as text."""
    cases = _date_columns()
    assert len(cases) >= 20
    for name, p, c in cases:
        kw, _ = examples_for_properties()[name]
        for how in ("Asia/Shanghai", "America/Los_Angeles", "text"):
            bad = kw[p].copy()
            bad[c] = bad[c].dt.strftime("%d/%m/%Y") if how == "text" else bad[c].dt.tz_localize(how)
            call = dict(kw)
            call[p] = bad
            with pytest.raises(CRMInputError, match=re.escape(repr(c))):
                _call(name, call)


# --------------------------------------------------------------------------------------------------
# 3. Documented treatments on generated purchase logs
# --------------------------------------------------------------------------------------------------

def logs(min_size: int = 2, max_size: int = 30):
    """Purchase logs: a few customers, naive dates over one year, amounts >= 0 (2 decimals)."""
    return hpd.data_frames(
        columns=[
            hpd.column("customer_id", elements=st.integers(1, 6)),
            hpd.column("date", elements=st.integers(0, 364).map(
                lambda d: pd.Timestamp("2024-01-01") + pd.Timedelta(days=d))),
            hpd.column("dollars", elements=st.integers(0, 50_000).map(lambda c: c / 100)),
        ],
        index=hpd.range_indexes(min_size=min_size, max_size=max_size),
    ).map(lambda d: d.assign(date=pd.to_datetime(d["date"]).astype("datetime64[us]"),
                             dollars=d["dollars"].astype(float)))


def _with_copies(df: pd.DataFrame, rows: list[int]) -> pd.DataFrame:
    return pd.concat([df, df.iloc[rows]], ignore_index=True)


def _spend_helpers():
    from crm_lessons import rfm, summary, value

    return {
        "customer_summary": lambda tx, **o: summary.customer_summary(tx, amount_col="dollars",
                                                                      observation_end="2024-12-31", **o),
        "customer_summary (duckdb)": lambda tx, **o: summary.customer_summary(
            tx, amount_col="dollars", observation_end="2024-12-31", engine="duckdb", **o),
        "calibration_holdout_summary": lambda tx, **o: summary.calibration_holdout_summary(
            tx, amount_col="dollars", calibration_end="2024-06-30", holdout_end="2024-12-31", **o),
        "rfm_summary": lambda tx, **o: rfm.rfm_summary(tx, as_of="2024-12-31", **o),
        "holdout_value": lambda tx, **o: rfm.holdout_value(tx, start="2024-06-30", **o),
        "customer_values": lambda tx, **o: value.customer_values(tx, as_of="2024-12-31", spend_bands=1, **o),
    }


@examples(30)
@given(log=logs(), data=st.data())
def test_exact_duplicates_are_warned_with_their_count_dropped_exactly_or_refused(log, data):
    log = log.drop_duplicates().reset_index(drop=True)
    rows = data.draw(st.lists(st.integers(0, len(log) - 1), min_size=1, max_size=4))
    dup = _with_copies(log, rows)
    n_copies = int(dup.duplicated().sum())
    helper_name = data.draw(st.sampled_from(sorted(_spend_helpers())))
    helper = _spend_helpers()[helper_name]
    snapshot = dup.copy()
    try:
        clean = helper(log, duplicates="error")
    except CRMInputError:   # e.g. no purchase before the calibration end in a generated log
        return
    with pytest.warns(CRMDuplicateRowsWarning, match=rf"has {n_copies} exact duplicate row"):
        helper(dup)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CRMDataWarning)
        dropped = helper(dup, duplicates="drop")
        helper(dup, duplicates="keep")
    with pytest.raises(CRMInputError, match="duplicates='drop'"):
        helper(dup, duplicates="error")
    if isinstance(clean, pd.DataFrame):
        pd.testing.assert_frame_equal(dropped, clean, check_dtype=False)
    else:
        pd.testing.assert_series_equal(dropped, clean, check_dtype=False)
    pd.testing.assert_frame_equal(dup, snapshot)


def _log_helpers():
    from crm_lessons import differentiate, interact, loyalty, rfm, summary, value

    return {
        "customer_summary": lambda tx: summary.customer_summary(tx),
        "customer_summary (duckdb)": lambda tx: summary.customer_summary(tx, engine="duckdb"),
        "calibration_holdout_summary": lambda tx: summary.calibration_holdout_summary(
            tx, calibration_end="2024-06-30"),
        "calibration_holdout_summary (duckdb)": lambda tx: summary.calibration_holdout_summary(
            tx, calibration_end="2024-06-30", engine="duckdb"),
        "rfm_summary": lambda tx: rfm.rfm_summary(tx, as_of="2024-12-31"),
        "customer_values": lambda tx: value.customer_values(tx, as_of="2024-12-31"),
        "retention_table": lambda tx: value.retention_table(tx),
        "purchase_summary": lambda tx: loyalty.purchase_summary(tx, end="2024-12-31"),
        "lifecycle_stages": lambda tx: loyalty.lifecycle_stages(tx, end="2024-12-31"),
        "select_lapsed_customers": lambda tx: interact.select_lapsed_customers(tx, as_of="2024-12-31"),
        "predicted_value": lambda tx: differentiate.predicted_value(tx, calibration_end="2024-06-30",
                                                                     horizon_weeks=4),
    }


@examples(30)
@given(log=logs(), zone=st.sampled_from(ZONES), helper=st.sampled_from(sorted(_log_helpers())))
def test_time_zone_aware_dates_are_refused_by_every_log_helper_with_the_conversion(log, zone, helper):
    aware = log.assign(date=log["date"].dt.tz_localize(zone))
    with pytest.raises(CRMInputError, match=r"'date' holds time-zone-aware datetimes.*tz_localize\(None\)"):
        _log_helpers()[helper](aware)


@examples(15)
@given(log=logs(min_size=1))
def test_the_pandas_and_duckdb_engines_agree_on_any_log(log):
    from crm_lessons.summary import calibration_holdout_summary, customer_summary

    opts = dict(amount_col="dollars", observation_end="2024-12-31", duplicates="keep")
    a = customer_summary(log, **opts)
    b = customer_summary(log, engine="duckdb", **opts)
    pd.testing.assert_frame_equal(a, b, check_index_type=False, check_dtype=False)
    if (log["date"] <= "2024-06-30").any():
        c_opts = dict(calibration_end="2024-06-30", holdout_end="2024-12-31", amount_col="dollars",
                      duplicates="keep")
        pd.testing.assert_frame_equal(calibration_holdout_summary(log, **c_opts),
                                      calibration_holdout_summary(log, engine="duckdb", **c_opts),
                                      check_index_type=False, check_dtype=False)


_TZ_SCRIPT = r"""
import sys, pandas as pd
from crm_lessons.summary import customer_summary
tx = pd.DataFrame({"customer_id": [1, 1, 2, 2],
                   "date": pd.to_datetime(["2024-01-01 23:30", "2024-01-08 00:15", "2024-01-02 23:59",
                                           "2024-01-03 00:01"]),
                   "dollars": [10.0, 20.0, 5.0, 7.0]})
path = sys.argv[1]
tx.to_csv(path, index=False)
out = []
for src in (tx, path):
    for engine in (["pandas", "duckdb"] if src is tx else ["duckdb"]):
        s = customer_summary(src, amount_col="dollars", observation_end="2024-01-31", engine=engine,
                             time_unit="day")
        out.append(s.round(6).to_csv())
assert len(set(out)) == 1, out
aware = tx.assign(date=tx["date"].dt.tz_localize("Asia/Shanghai"))
aware.to_csv(path, index=False)
try:
    customer_summary(path, engine="duckdb")
except ValueError as err:
    assert "time-zone-aware" in str(err), err
else:
    raise SystemExit("a file of time-zone-aware timestamps was accepted")
print(out[0])
"""


def test_summaries_do_not_depend_on_the_machines_time_zone(tmp_path):
    """Both engines, a frame and a CSV file, run under three TZ settings: one identical answer."""
    answers = set()
    for zone in ("UTC", "Asia/Shanghai", "America/Los_Angeles"):
        env = dict(os.environ, TZ=zone)
        res = subprocess.run([sys.executable, "-c", _TZ_SCRIPT, str(tmp_path / f"log_{zone.replace('/', '_')}.csv")],
                             capture_output=True, text=True, env=env, timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]
        answers.add(res.stdout)
    assert len(answers) == 1
    # customer 1: purchase days 2024-01-01 and 2024-01-08 (wall time), so recency 7 days; customer 2: two days
    assert "1,1.0,7.0,30.0,20.0" in answers.pop()
