"""Data mining for CRM on the CoIL Challenge 2000 data: explore, transform, model, assess.

The course teaches the SPSS Clementine (now SPSS Modeler) process: sampling (define the business
problem and the data), exploration (select, clean, transform), modelling, and result analysis. This
module implements each step for the question "which customers are most likely to buy a caravan policy
from a mailing, and why?", on the challenge's official split (5,822 training, 4,000 test customers),
and scores models the way the challenge did: policy owners among the 800 test customers ranked highest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._validate import (CRMInputError, require_choice, require_columns, require_frame, require_number,
                        require_positive_int)
from ._validate import require_binary, require_no_missing, require_non_negative, require_varies  # bad-input checks (issue 17)
from .scoring import top_k_hits

__all__ = [
    "CHALLENGE",
    "TARGET",
    "split_official",
    "variable_dictionary",
    "readable_name",
    "associations",
    "feature_set",
    "fit_logit",
    "odds_ratios",
    "score_models",
    "challenge_table",
    "tuning_on_test",
    "process_map",
]

TARGET = "CARAVAN"
# CoIL Challenge 2000 (van der Putten & van Someren 2000, "CoIL Challenge 2000: The Insurance Company
# Case", Sentient Machine Research / Leiden LIACS TR 2000-09): the test set holds 238 owners; a random
# selection of 800 finds 800 * 238 / 4000 = 47.6 on average; the winning entry (Charles Elkan, naive
# Bayes) found 121; the 43 entries' mean was about 95.
CHALLENGE = {"test_customers": 4_000, "test_owners": 238, "mailing": 800, "random_800": 47.6,
             "winner_800": 121}
_NOMINAL = ("MOSTYPE", "MOSHOOFD")  # customer subtype and main type: codes, not quantities


def _coil(df, where, *, target: str = TARGET, fit: bool = False, features: Sequence[str] = ()):
    """Check a CoIL-style frame: a 0/1 target and every dictionary variable (or named feature) an integer
    code >= 0 without gaps. ``fit=True`` also needs owners and non-owners (a model learns nothing else)."""
    require_frame(df, where=where)
    require_columns(df, [target], where=where)
    require_binary(df, [target], where=where)
    codes = [c for c in dict.fromkeys([*_dictionary_names(), *features]) if c in df.columns and c != target]
    require_no_missing(df, codes, where=where)
    require_non_negative(df, codes, where=where)      # text codes fail here with a conversion hint
    if fit:
        require_varies(df, [target], where=where, why="a model needs owners (1) and non-owners (0)")
    return df


def _codes(df, features, where):
    """Check the feature columns of a frame to score (the test set): at least one customer."""
    require_frame(df, where=where)
    require_columns(df, list(features), where=where)
    require_no_missing(df, list(features), where=where)
    require_non_negative(df, list(features), where=where)
    return df


def _dictionary_names() -> list[str]:
    global _DICT_NAMES
    if _DICT_NAMES is None:
        _DICT_NAMES = variable_dictionary()["variable"].tolist()
    return _DICT_NAMES


_DICT_NAMES: list[str] | None = None


def split_official(coil: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``load("coil2000")`` into the challenge's training (5,822) and test (4,000) customers.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> train, test = split_official(load("coil2000"))
    >>> len(train), len(test), int(test["CARAVAN"].sum())
    (5822, 4000, 238)
    """
    where = "split_official"
    _coil(coil, where)
    require_columns(coil, ["origin"], where=where)
    origin = coil["origin"].astype(str)
    if not set(origin.unique()) <= {"train", "test"}:
        raise CRMInputError(f"{where}: column 'origin' must hold 'train' or 'test', found "
                            f"{sorted(set(origin.unique()) - {'train', 'test'})}.")
    return (coil[origin == "train"].reset_index(drop=True), coil[origin == "test"].reset_index(drop=True))


def variable_dictionary() -> pd.DataFrame:
    """The 86 CoIL variables with description, group, scale and a readable snake_case name."""
    from .datasets import load

    d = load("coil2000_dictionary")
    d["name"] = [readable_name(v, desc) for v, desc in zip(d["variable"], d["description"])]
    return d


def readable_name(variable: str, description: str) -> str:
    """Turn a CoIL code and its description into a readable column name.

    Examples
    --------
    >>> readable_name("PPERSAUT", "Contribution car policies")
    'contribution_car_policies'
    >>> readable_name("MKOOPKLA", "Purchasing power class")
    'area_purchasing_power_class'
    """
    words = re.sub(r"[^a-z0-9]+", "_", description.lower()).strip("_")
    words = words.replace("number_of_", "n_")
    return f"area_{words}" if variable.startswith("M") else words


def associations(train: pd.DataFrame, *, target: str = TARGET) -> pd.DataFrame:
    """Rank the variables by their association with the target on the training data.

    For each variable: Cramér's V and the chi-square p-value of its levels against the target, the
    target rate at the variable's most "responsive" level (with at least 30 customers), and the
    dictionary description. Computed on training customers only, so choosing variables from this
    table does not peek at the test set.

    Bad input: ``CARAVAN`` must be 0/1 with owners and non-owners; the CoIL codes integers >= 0 without
    gaps (text or negative codes are an error that says how to convert).
    """
    from scipy.stats import chi2_contingency

    where = "associations"
    _coil(train, where, target=target, fit=True)
    d = variable_dictionary().set_index("variable")
    rows = []
    y = train[target].astype(int)
    for col in d.index:
        if col == target or col not in train.columns:
            continue
        tab = pd.crosstab(train[col], y)
        if tab.shape[0] < 2 or tab.shape[1] < 2:
            continue
        chi2, p, _, _ = chi2_contingency(tab, correction=False)
        v = float(np.sqrt(chi2 / (tab.to_numpy().sum() * (min(tab.shape) - 1))))
        rates = tab[1] / tab.sum(axis=1)
        big = tab.sum(axis=1) >= 30
        best = rates[big].idxmax() if big.any() else rates.idxmax()
        rows.append({"variable": col, "description": d.loc[col, "description"], "group": d.loc[col, "group"],
                     "cramers_v": v, "p_value": float(p), "best_level": int(best),
                     "rate_at_best_level": float(rates[best]), "customers_at_best_level": int(tab.loc[best].sum())})
    if not rows:
        raise CRMInputError(f"{where}: no CoIL variable takes 2 or more values in these {len(train)} customers, "
                            "so none can be ranked; pass the training customers of split_official(...).")
    out = pd.DataFrame(rows).sort_values("cramers_v", ascending=False).reset_index(drop=True)
    out.index = out.index + 1
    return out


def feature_set(name: str, train: pd.DataFrame | None = None, *, k: int = 10) -> list[str]:
    """Return the variables of a named feature set.

    ``"all"``: the 85 predictors; ``"products"``: the 42 product variables (P*, A*); ``"socio"``: the
    43 socio-demographic variables (M*); ``"top"``: the ``k`` variables most associated with the target
    in ``train`` (chosen on training data only).
    """
    where = "feature_set"
    require_choice(name, "feature_set", ["all", "products", "socio", "top"], where=where)
    d = variable_dictionary()
    predictors = [v for v in d["variable"] if v != TARGET]
    if name == "all":
        return predictors
    if name == "products":
        return [v for v in predictors if v[0] in "PA"]
    if name == "socio":
        return [v for v in predictors if v[0] == "M"]
    if train is None:
        raise CRMInputError(f"{where}: the 'top' feature set is chosen from data; pass the training frame.")
    k = require_positive_int(k, "k", where=where)
    return associations(train)["variable"].head(k).tolist()


def _design(df: pd.DataFrame, features: Sequence[str], *, levels: dict | None = None, target: str = TARGET):
    """Numeric design matrix: ordinal codes as numbers, the two customer-type codes one-hot.

    Customer subtypes nest within main types, so when both are given only the subtype is used. A
    customer-type level gets its own indicator only if the training data hold at least 5 owners and
    30 customers at that level; sparser levels share the baseline (otherwise a level with no owner at
    all makes the likelihood unbounded).
    """
    features = list(features)
    if "MOSTYPE" in features and "MOSHOOFD" in features:
        features.remove("MOSHOOFD")  # every subtype lies within one main type: keep the finer code only
    X = df[features].astype(float)
    levels = dict(levels or {})
    parts = [X.drop(columns=[c for c in _NOMINAL if c in X.columns])]
    for col in _NOMINAL:
        if col in X.columns:
            if col not in levels:
                g = df.groupby(col)[target].agg(["sum", "size"])
                ok = sorted(g.index[(g["sum"] >= 5) & (g["size"] >= 30)])
                levels[col] = ok[1:]  # the first well-populated level joins the sparse ones as baseline
            lv = levels[col]
            parts.append(pd.DataFrame({f"{col}_{int(level)}": (df[col] == level).astype(float) for level in lv},
                                      index=df.index))
    return pd.concat(parts, axis=1), levels


def fit_logit(train: pd.DataFrame, features: Sequence[str], *, target: str = TARGET, penalty: float = 0.0):
    """Fit a logistic regression of the target on ``features`` with statsmodels; returns the result.

    Nominal codes (customer subtype / main type) enter as indicator variables. With ``penalty = 0`` the
    fit is plain maximum likelihood (Newton's method); a feature set that separates the classes or is
    collinear raises a clear error. With ``penalty > 0`` the fit is L1-penalised
    (``Logit.fit_regularized``, weight ``penalty`` on the sum of absolute slopes, the constant
    unpenalised): slopes of useless or redundant variables shrink to exactly zero, so all 85 CoIL
    variables can enter. Choose the penalty before looking at the test set.
    """
    import warnings

    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import (ConvergenceWarning, PerfectSeparationError,
                                                 PerfectSeparationWarning)

    where = "fit_logit"
    require_columns(train, list(features) + [target], where=where)
    _coil(train, where, target=target, fit=True, features=features)
    penalty = require_number(penalty, "penalty", where=where, low=0.0)
    X, levels = _design(train, features, target=target)
    X = sm.add_constant(X, has_constant="add")
    y = train[target].astype(float)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PerfectSeparationWarning)
            warnings.simplefilter("error", ConvergenceWarning)
            if penalty > 0:
                weights = np.r_[0.0, np.full(X.shape[1] - 1, penalty)]
                res = sm.Logit(y, X).fit_regularized(method="l1", alpha=weights, disp=0, maxiter=500,
                                                     trim_mode="size", qc_verbose=False)
            else:
                res = sm.Logit(y, X).fit(disp=0, maxiter=100)
    except (PerfectSeparationError, PerfectSeparationWarning, ConvergenceWarning,
            np.linalg.LinAlgError) as exc:
        raise CRMInputError(f"{where}: the logistic regression cannot be estimated with these "
                            f"{len(features)} features ({type(exc).__name__}); use fewer variables, e.g. "
                            "feature_set('top', train), or a penalty, e.g. penalty=10.") from None
    res.crm_levels = levels
    return res


def odds_ratios(result, *, alpha: float = 0.05) -> pd.DataFrame:
    """Odds ratios with confidence intervals and p-values from a fitted :func:`fit_logit` result."""
    ci = np.exp(result.conf_int(alpha=alpha))
    out = pd.DataFrame({"odds_ratio": np.exp(result.params), "lower": ci[0], "upper": ci[1],
                        "p_value": result.pvalues})
    return out.drop(index="const", errors="ignore")


def score_models(train: pd.DataFrame, test: pd.DataFrame, features: Sequence[str], *,
                 models: Sequence[str] = ("logit", "tree", "naive_bayes"), seed: int = 0,
                 tree_depth: int = 4, logit_penalty: float = 0.0, target: str = TARGET) -> pd.DataFrame:
    """Fit each model on ``train`` and return its scores (probability of the target) for ``test``.

    Models: ``"logit"`` (statsmodels logistic regression, L1-penalised when ``logit_penalty > 0``), ``"tree"`` (scikit-learn decision tree of
    depth ``tree_depth``, at least 30 customers per leaf), ``"naive_bayes"`` (scikit-learn categorical
    naive Bayes on the coded variables, Laplace smoothing). Returns one column per model, aligned with
    ``test``'s rows.
    """
    from sklearn.naive_bayes import CategoricalNB
    from sklearn.tree import DecisionTreeClassifier

    where = "score_models"
    _coil(train, where, fit=True, features=features)
    require_columns(train, list(features), where=where)
    _codes(test, features, where=f"{where} (test)")
    for m in models:
        require_choice(m, "model", ["logit", "tree", "naive_bayes"], where=where)
    y = train[target].astype(int).to_numpy()
    out = {}
    for m in models:
        if m == "logit":
            res = fit_logit(train, features, target=target, penalty=logit_penalty)
            X, _ = _design(test, features, levels=res.crm_levels)
            X = X.assign(const=1.0)
            out[m] = np.asarray(res.predict(X[res.params.index]))
        elif m == "tree":
            tree = DecisionTreeClassifier(max_depth=tree_depth, min_samples_leaf=30, random_state=seed)
            tree.fit(train[list(features)].to_numpy(), y)
            out[m] = tree.predict_proba(test[list(features)].to_numpy())[:, 1]
        else:
            cats = [int(max(train[c].max(), test[c].max())) + 1 for c in features]
            nb = CategoricalNB(alpha=1.0, min_categories=cats)
            nb.fit(train[list(features)].to_numpy(), y)
            out[m] = nb.predict_proba(test[list(features)].to_numpy())[:, 1]
    return pd.DataFrame(out, index=test.index)


def challenge_table(y_test, scores: pd.DataFrame, *, k: int = 800) -> pd.DataFrame:
    """Put each model's top-``k`` score beside the CoIL Challenge 2000 reference results.

    Rows: each model (owners found among its ``k`` highest-scored test customers), the expected number
    for a random mailing of ``k``, the winning entry, and the maximum possible (every owner).
    """
    y = np.asarray(y_test).astype(int)
    rows = [{"entry": name, "owners_in_top_800": top_k_hits(y, scores[name], k), "source": "this notebook"}
            for name in scores.columns]
    rows += [
        {"entry": "random mailing (expected)", "owners_in_top_800": k * y.sum() / len(y),
         "source": "800 x 238 / 4000"},
        {"entry": "challenge winner (Elkan, naive Bayes)", "owners_in_top_800": CHALLENGE["winner_800"],
         "source": "van der Putten & van Someren (2000)"},
        {"entry": "perfect model", "owners_in_top_800": min(k, int(y.sum())), "source": "all owners"},
    ]
    out = pd.DataFrame(rows)
    out["lift"] = out["owners_in_top_800"] / (k * y.mean())
    return out


def tuning_on_test(train: pd.DataFrame, test: pd.DataFrame, features: Sequence[str], *,
                   depths: Sequence[int] = (1, 2, 3, 4, 5, 6, 8, 10, 12), seed: int = 0, folds: int = 5,
                   target: str = TARGET) -> pd.DataFrame:
    """Why tuning on the test set is "magical thinking": honest versus peeking model choice.

    For each tree depth: the top-20% hit count estimated by ``folds``-fold cross-validation on the
    training data only (scaled to a 4,000-customer set mailing 800), and the actual top-800 hits on the
    test set. Choosing the depth by the test column reports an optimistic score that a new mailing
    would not reproduce; choosing it by the cross-validation column is honest.
    """
    from sklearn.model_selection import StratifiedKFold
    from sklearn.tree import DecisionTreeClassifier

    where = "tuning_on_test"
    require_columns(train, list(features), where=where)
    require_columns(test, list(features), where=f"{where} (test)")
    _coil(train, where, fit=True, features=features)
    _coil(test, f"{where} (test)", features=features)
    minority = int(train[TARGET].astype(int).value_counts().min())
    if minority < folds:
        raise CRMInputError(f"{where}: {folds}-fold cross-validation needs at least {folds} owners and {folds} "
                            f"non-owners in train, got {minority} in the smaller class; use fewer folds.")
    X, y = train[list(features)].to_numpy(), train[target].astype(int).to_numpy()
    Xt, yt = test[list(features)].to_numpy(), test[target].astype(int).to_numpy()
    rows = []
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for d in depths:
        cv_hits = []
        for tr, va in skf.split(X, y):
            m = DecisionTreeClassifier(max_depth=d, min_samples_leaf=30, random_state=seed).fit(X[tr], y[tr])
            s = m.predict_proba(X[va])[:, 1]
            kk = max(1, round(0.2 * len(va)))
            cv_hits.append(top_k_hits(y[va], s, kk) * (800 / kk) * (238 / 4000) / y[va].mean())
        m = DecisionTreeClassifier(max_depth=d, min_samples_leaf=30, random_state=seed).fit(X, y)
        rows.append({"depth": d, "cv_estimate_top_800": float(np.mean(cv_hits)),
                     "test_top_800": top_k_hits(yt, m.predict_proba(Xt)[:, 1], 800)})
    return pd.DataFrame(rows)


def process_map() -> pd.DataFrame:
    """The course's Clementine process beside CRISP-DM's phases, with where this workbook does each."""
    return pd.DataFrame([
        ("1 Sampling (抽样)", "Business understanding; Data understanding",
         "state the question; the official 5,822 / 4,000 split", "split_official"),
        ("2 Exploration (探索)", "Data understanding; Data preparation",
         "decode variables, rank associations, choose features", "variable_dictionary, associations, feature_set"),
        ("3 Modelling (建模)", "Modeling", "logit, decision tree, naive Bayes on training data",
         "fit_logit, score_models"),
        ("4 Result analysis (结果分析)", "Evaluation; Deployment",
         "gains, lift, top-800 score, the mailing's profit", "scoring.gains_table, challenge_table"),
    ], columns=["Clementine step", "CRISP-DM phase", "what we do", "crm_lessons functions"])
