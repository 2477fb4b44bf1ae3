"""Customise: change the firm's behaviour per customer (定制).

What lives here (chapter ``05_customize``):

- CoIL 2000 product ownership decoded (:data:`COIL_PRODUCTS`, :func:`product_ownership`);
- a transparent association-rule miner (关联规则) for rules with one or two products on the left and one
  on the right, with support, confidence and lift (:func:`mine_rules`);
- the next best offer (下一最佳产品) per customer from those rules, against a generic "most popular
  product not yet owned" offer (:func:`cross_sell_offers`, :func:`generic_offers`), evaluated on
  held-out customers with one owned product hidden (:func:`hide_one_product`, :func:`evaluate_offers`);
- one-to-one marketing's four steps (:data:`ONE_TO_ONE_STEPS`);
- the learning relationship (依存型关系) as a small model: a firm learns a customer's preferences from
  each interaction; a competitor starts from zero; the gap is the customer's switching cost (转换成本)
  (:func:`make_preferences`, :func:`learning_curve`, :func:`switching_cost`).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_columns,
    require_frame,
    require_no_missing,
    require_number,
    require_positive_int,
    require_probability,
)
from ._validate import require_numeric  # bad-input checks (issue 17)

__all__ = [
    "COIL_PRODUCTS", "product_ownership", "mine_rules", "cross_sell_offers", "generic_offers",
    "hide_one_product", "evaluate_offers", "ONE_TO_ONE_STEPS",
    "make_preferences", "learning_curve", "switching_cost",
]

# The CoIL 2000 data dictionary (P. van der Putten and M. van Someren, eds., "CoIL Challenge 2000: The
# Insurance Company Case", Sentient Machine Research, 2000; UCI "Insurance Company Benchmark (COIL 2000)",
# file dictionary.txt): columns 65-85 are the number of policies of each kind (A*), 86 is CARAVAN
# (number of mobile home policies, 0-1), the competition's target.
COIL_PRODUCTS = pd.DataFrame([
    ("AWAPART", "private third party", "私人第三者责任险", "Number of private third party insurance"),
    ("AWABEDR", "firm third party", "企业第三者责任险", "Number of third party insurance (firms)"),
    ("AWALAND", "agriculture third party", "农业第三者责任险", "Number of third party insurance (agriculture)"),
    ("APERSAUT", "car", "汽车险", "Number of car policies"),
    ("ABESAUT", "delivery van", "货车险", "Number of delivery van policies"),
    ("AMOTSCO", "motorcycle", "摩托车险", "Number of motorcycle/scooter policies"),
    ("AVRAAUT", "lorry", "卡车险", "Number of lorry policies"),
    ("AAANHANG", "trailer", "拖车险", "Number of trailer policies"),
    ("ATRACTOR", "tractor", "拖拉机险", "Number of tractor policies"),
    ("AWERKT", "agricultural machine", "农机险", "Number of agricultural machines policies"),
    ("ABROM", "moped", "助力车险", "Number of moped policies"),
    ("ALEVEN", "life", "人寿险", "Number of life insurances"),
    ("APERSONG", "private accident", "个人意外险", "Number of private accident insurance policies"),
    ("AGEZONG", "family accident", "家庭意外险", "Number of family accidents insurance policies"),
    ("AWAOREG", "disability", "残疾险", "Number of disability insurance policies"),
    ("ABRAND", "fire", "火险", "Number of fire policies"),
    ("AZEILPL", "surfboard", "冲浪板险", "Number of surfboard policies"),
    ("APLEZIER", "boat", "游艇险", "Number of boat policies"),
    ("AFIETS", "bicycle", "自行车险", "Number of bicycle policies"),
    ("AINBOED", "property", "财产险", "Number of property insurance policies"),
    ("ABYSTAND", "social security", "社会保障险", "Number of social security insurance policies"),
    ("CARAVAN", "caravan", "房车险", "Number of mobile home policies 0-1"),
], columns=["column", "product", "zh", "dictionary"])
"""The 22 CoIL 2000 product-ownership columns: 21 policy counts (A*) plus the caravan policy."""


def product_ownership(coil: pd.DataFrame, *, include_caravan: bool = True,
                      id_col: str = "customer_id") -> pd.DataFrame:
    """Turn CoIL 2000 policy counts into a customer x product table of ownership (True/False).

    Parameters
    ----------
    coil : DataFrame
        ``load("coil2000")`` (or any frame with the A* count columns and ``customer_id``).
    include_caravan : bool, default True
        Also include the caravan (mobile home) policy, the competition's target.

    Returns
    -------
    DataFrame
        Index ``customer_id``; one bool column per product, named by its English product name
        (``"car"``, ``"fire"``, ``"private third party"``, ...).

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> own = product_ownership(load("coil2000"))
    >>> own.shape, round(float(own["car"].mean()), 3)
    ((9822, 22), 0.509)
    """
    where = "product_ownership"
    require_frame(coil, where=where)
    spec = COIL_PRODUCTS if include_caravan else COIL_PRODUCTS[COIL_PRODUCTS["column"] != "CARAVAN"]
    cols = spec["column"].tolist()
    require_columns(coil, cols + [id_col], where=where)
    require_no_missing(coil, cols + [id_col], where=where)
    counts = coil[cols]
    bad = [c for c in cols if not pd.api.types.is_numeric_dtype(counts[c])]
    if bad:
        raise CRMInputError(f"{where}: column(s) {bad} must hold policy counts (numbers).")
    if (counts < 0).to_numpy().any():
        raise CRMInputError(f"{where}: policy counts must be >= 0.")
    own = (counts > 0)
    own.columns = spec["product"].tolist()
    own.index = pd.Index(coil[id_col].to_numpy(), name="customer_id")
    return own


def _check_baskets(baskets: pd.DataFrame, where: str) -> pd.DataFrame:
    require_frame(baskets, where=where)
    if not all(pd.api.types.is_bool_dtype(baskets[c]) for c in baskets.columns):
        bad = [c for c in baskets.columns if not pd.api.types.is_bool_dtype(baskets[c])]
        raise CRMInputError(f"{where}: every column must be True/False (owns the product or not); "
                            f"column(s) {bad[:5]} are not. Use product_ownership(...) or df > 0.")
    return baskets


def mine_rules(baskets: pd.DataFrame, *, min_support: float = 0.01, min_confidence: float = 0.1,
               max_antecedent: int = 2) -> pd.DataFrame:
    """Mine association rules ``{A} -> C`` and ``{A, B} -> C`` from co-ownership (关联规则).

    For a rule X -> C over N customers:

    - support = share of customers who own every product in X and C;
    - confidence = support(X and C) / support(X), the share of X-owners who also own C;
    - lift = confidence / support(C): how many times more likely C is among X-owners than overall
      (lift > 1: owning X makes C more likely).

    Item sets are counted exactly (no sampling): first single products with support >= ``min_support``,
    then pairs and triples made only of frequent products (the Apriori property: a set is frequent
    only if all its subsets are).

    Parameters
    ----------
    baskets : DataFrame
        One row per customer, one bool column per product.
    min_support : float, default 0.01
        Minimum support of the whole rule (X and C together).
    min_confidence : float, default 0.1
    max_antecedent : {1, 2}, default 2
        Largest number of products on the left.

    Returns
    -------
    DataFrame
        ``antecedent`` (tuple of products), ``consequent``, ``n`` (customers owning X and C),
        ``antecedent_support``, ``consequent_support``, ``support``, ``confidence``, ``lift``; sorted
        by confidence, then lift, then support (all descending).

    Examples
    --------
    >>> b = pd.DataFrame({"bread": [1, 1, 1, 0], "milk": [1, 1, 0, 1], "eggs": [1, 0, 0, 0]}).astype(bool)
    >>> r = mine_rules(b, min_support=0.25, min_confidence=0.5, max_antecedent=1)
    >>> r.loc[r["antecedent"] == ("eggs",), ["consequent", "confidence", "lift"]].values.tolist()
    [['bread', 1.0, 1.3333333333333333], ['milk', 1.0, 1.3333333333333333]]
    """
    where = "mine_rules"
    _check_baskets(baskets, where)
    min_support = require_probability(min_support, "min_support", where=where, allow_zero=False)
    min_confidence = require_probability(min_confidence, "min_confidence", where=where)
    max_antecedent = require_positive_int(max_antecedent, "max_antecedent", where=where)
    if max_antecedent > 2:
        raise CRMInputError(f"{where}: max_antecedent must be 1 or 2, got {max_antecedent}.")
    X = baskets.to_numpy(dtype=bool)
    n = X.shape[0]
    items = list(map(str, baskets.columns))
    item_n = X.sum(axis=0)
    freq = [i for i in range(len(items)) if item_n[i] / n >= min_support]
    count: dict[tuple[int, ...], int] = {(i,): int(item_n[i]) for i in range(len(items))}
    Xi = X.astype(np.int64)
    pair_n = Xi.T @ Xi
    for i, j in combinations(freq, 2):
        count[(i, j)] = int(pair_n[i, j])
    if max_antecedent >= 2:
        freq_pairs = [(i, j) for i, j in combinations(freq, 2) if count[(i, j)] / n >= min_support]
        for i, j in freq_pairs:
            both = X[:, i] & X[:, j]
            tri = both.astype(np.int64) @ Xi
            for k in freq:
                if k > j and all(count.get(tuple(sorted(s)), 0) / n >= min_support
                                 for s in ((i, k), (j, k))):
                    count[(i, j, k)] = int(tri[k])
    rows = []
    for itemset, c in count.items():
        if len(itemset) < 2 or c / n < min_support:
            continue
        for cons in itemset:
            ante = tuple(x for x in itemset if x != cons)
            if len(ante) > max_antecedent:
                continue
            a_n = count[ante]
            conf = c / a_n
            if conf < min_confidence:
                continue
            rows.append({"antecedent": tuple(items[a] for a in ante), "consequent": items[cons], "n": c,
                         "antecedent_support": a_n / n, "consequent_support": item_n[cons] / n,
                         "support": c / n, "confidence": conf, "lift": conf / (item_n[cons] / n)})
    cols = ["antecedent", "consequent", "n", "antecedent_support", "consequent_support", "support",
            "confidence", "lift"]
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out
    out["n"] = out["n"].astype("int64")
    key = out["antecedent"].map(lambda t: " & ".join(t)) + " -> " + out["consequent"]
    out = out.assign(_key=key).sort_values(["confidence", "lift", "support", "_key"],
                                          ascending=[False, False, False, True], kind="stable")
    return out.drop(columns="_key").reset_index(drop=True)


def generic_offers(baskets: pd.DataFrame, *, popularity: pd.Series | None = None) -> pd.Series:
    """The generic offer: the most popular product the customer does not yet own.

    Parameters
    ----------
    baskets : DataFrame
        Customers to make offers to (bool product columns).
    popularity : Series, optional
        Share of customers owning each product, learnt on other (training) customers; by default
        computed from ``baskets`` itself.

    Examples
    --------
    >>> b = pd.DataFrame({"car": [True, False], "fire": [True, True], "life": [False, False]})
    >>> generic_offers(b).tolist()
    ['life', 'car']
    """
    where = "generic_offers"
    _check_baskets(baskets, where)
    pop = baskets.mean() if popularity is None else popularity
    missing = [c for c in baskets.columns if c not in pop.index]
    if missing:
        raise CRMInputError(f"{where}: popularity lacks product(s) {missing[:5]}.")
    order = pop[list(baskets.columns)].sort_values(ascending=False, kind="stable").index
    X = baskets[order].to_numpy(dtype=bool)
    first = (~X).argmax(axis=1)
    offer = np.asarray(order)[first].astype(object)
    offer[X.all(axis=1)] = None
    return pd.Series(offer, index=baskets.index, name="offer")


def cross_sell_offers(baskets: pd.DataFrame, rules: pd.DataFrame, *,
                      popularity: pd.Series | None = None) -> pd.DataFrame:
    """Next best offer per customer: the best rule whose antecedent they own and consequent they lack.

    Rules are tried in the order given (``mine_rules`` sorts by confidence, then lift); the first that
    applies gives the offer and its reason. A customer no rule applies to gets the generic offer
    (most popular product not owned), marked ``source = "generic"``.

    Returns
    -------
    DataFrame
        Index as ``baskets``; ``offer``, ``source`` (``"rule"`` / ``"generic"`` / ``"none"``),
        ``because`` (the owned products the rule used), ``confidence``, ``lift``, ``reason``.
        ``offer`` is missing for a customer who owns every product.

    Examples
    --------
    >>> b = pd.DataFrame({"car": [True, True, False], "fire": [True, False, False],
    ...                   "life": [True, False, False]})
    >>> r = mine_rules(b, min_support=0.3, min_confidence=0.5, max_antecedent=1)
    >>> cross_sell_offers(b, r)[["offer", "source"]].fillna("-").values.tolist()
    [['-', 'none'], ['fire', 'rule'], ['car', 'generic']]
    """
    where = "cross_sell_offers"
    _check_baskets(baskets, where)
    require_frame(rules, where=where, allow_empty=True)
    require_columns(rules, ["antecedent", "consequent", "confidence", "lift"], where=where)
    require_no_missing(rules, ["antecedent", "consequent", "confidence", "lift"], where=where)
    require_numeric(rules, ["confidence", "lift"], where=where)
    if not all(isinstance(t, (tuple, list, frozenset, set)) for t in rules["antecedent"]):
        raise CRMInputError(f"{where}: column 'antecedent' must hold tuples of products, as mine_rules returns; "
                            "pass the frame mine_rules(...) gives.")
    products = list(baskets.columns)
    unknown = {p for t in rules["antecedent"] for p in t} | set(rules["consequent"])
    unknown -= set(products)
    if unknown:
        raise CRMInputError(f"{where}: rules mention product(s) {sorted(unknown)[:5]} that are not "
                            "columns of baskets; mine the rules on the same product columns.")
    X = baskets.to_numpy(dtype=bool)
    pos = {p: i for i, p in enumerate(products)}
    n = len(baskets)
    rule_idx = np.full(n, -1)
    for k, (ante, cons) in enumerate(zip(rules["antecedent"], rules["consequent"])):
        free = rule_idx < 0
        if not free.any():
            break
        ok = free & ~X[:, pos[cons]]
        for a in ante:
            ok &= X[:, pos[a]]
        rule_idx[ok] = k
    gen = generic_offers(baskets, popularity=popularity)
    has = rule_idx >= 0
    r = rules.reset_index(drop=True)
    offer = np.where(has, r["consequent"].reindex(rule_idx).to_numpy(), gen.to_numpy())
    source = np.where(has, "rule", np.where(gen.isna().to_numpy(), "none", "generic"))
    offer = np.where(source == "none", None, offer)
    because = [r.at[k, "antecedent"] if k >= 0 else () for k in rule_idx]
    conf = np.where(has, r["confidence"].reindex(rule_idx).to_numpy(dtype=float), np.nan)
    lift = np.where(has, r["lift"].reindex(rule_idx).to_numpy(dtype=float), np.nan)
    reason = []
    for o, s, b, c, l in zip(offer, source, because, conf, lift):
        if s == "rule":
            reason.append(f"owns {' & '.join(b)}: {c:.0%} of such customers own {o} (lift {l:.1f})")
        elif s == "generic":
            reason.append(f"no rule applies; {o} is the most popular product not yet owned")
        else:
            reason.append("owns every product")
    return pd.DataFrame({"offer": offer, "source": source, "because": because, "confidence": conf,
                         "lift": lift, "reason": reason}, index=baskets.index)


def hide_one_product(baskets: pd.DataFrame, *, seed: int = 0, min_owned: int = 2) -> tuple[pd.DataFrame, pd.Series]:
    """Hide one owned product per customer, at random, to test offers on known answers.

    Only customers owning at least ``min_owned`` products are kept (so something remains to base an
    offer on). The hidden product is what a good offer should propose.

    Returns
    -------
    visible : DataFrame
        A copy of the kept customers' baskets with the hidden product set to False.
    hidden : Series
        The hidden product per customer.

    Examples
    --------
    >>> b = pd.DataFrame({"car": [True, True], "fire": [True, False], "life": [False, False]})
    >>> v, h = hide_one_product(b, seed=0)
    >>> len(v), int(v.sum(axis=1).iloc[0])
    (1, 1)
    """
    where = "hide_one_product"
    _check_baskets(baskets, where)
    min_owned = require_positive_int(min_owned, "min_owned", where=where)
    keep = baskets.sum(axis=1) >= min_owned
    if not keep.any():
        raise CRMInputError(f"{where}: no customer owns at least {min_owned} products.")
    b = baskets[keep].copy()
    X = b.to_numpy(dtype=bool, copy=True)
    rng = np.random.default_rng(seed)
    # choose uniformly among each row's owned products: random keys, max over owned positions
    keys = np.where(X, rng.random(X.shape), -1.0)
    col = keys.argmax(axis=1)
    X[np.arange(len(X)), col] = False
    visible = pd.DataFrame(X, index=b.index, columns=b.columns)
    hidden = pd.Series(np.asarray(b.columns)[col], index=b.index, name="hidden")
    return visible, hidden


def evaluate_offers(train: pd.DataFrame, test: pd.DataFrame, *, seed: int = 0, min_support: float = 0.005,
                    min_confidence: float = 0.05, max_antecedent: int = 2) -> pd.DataFrame:
    """Personalised (rule-based) next best offer versus the generic offer, on held-out customers.

    Rules and product popularity are learnt on ``train``. In ``test`` one owned product per customer
    (owning >= 2) is hidden (:func:`hide_one_product`); an offer is a hit when it proposes the hidden
    product. A third line gives the hit rate of a random product not owned (expected value).

    Returns
    -------
    DataFrame
        One row per method: ``method``, ``customers``, ``hits`` (the random line's is an expected count),
        ``hit_rate``, ``lift_vs_generic``; ``attrs["n_rules"]`` is the number of mined rules. (Frames are
        not kept in ``attrs``: pandas compares attrs when it copies a frame. Call :func:`mine_rules` and
        :func:`cross_sell_offers` for the rules and the per-customer offers.)
    """
    where = "evaluate_offers"
    _check_baskets(train, where)
    _check_baskets(test, where)
    if list(train.columns) != list(test.columns):
        raise CRMInputError(f"{where}: train and test must have the same product columns in the same order.")
    rules = mine_rules(train, min_support=min_support, min_confidence=min_confidence,
                       max_antecedent=max_antecedent)
    pop = train.mean()
    visible, hidden = hide_one_product(test, seed=seed)
    pers = cross_sell_offers(visible, rules, popularity=pop)
    gen = generic_offers(visible, popularity=pop)
    hit_p = (pers["offer"] == hidden).to_numpy()
    hit_g = (gen == hidden).to_numpy()
    not_owned = (~visible).sum(axis=1).to_numpy()
    rand = float(np.mean(1.0 / not_owned))
    m = len(hidden)
    out = pd.DataFrame({
        "method": ["personalised (rules)", "generic (most popular)", "random product not owned"],
        "customers": [m, m, m],
        "hits": [int(hit_p.sum()), int(hit_g.sum()), round(rand * m, 1)],
        "hit_rate": [hit_p.mean(), hit_g.mean(), rand],
    })
    out["lift_vs_generic"] = out["hit_rate"] / out.loc[1, "hit_rate"]
    out.attrs["n_rules"] = int(len(rules))
    return out


ONE_TO_ONE_STEPS = pd.DataFrame({
    "step": [1, 2, 3, 4],
    "task": ["identify", "differentiate", "interact", "customise"],
    "zh": ["识别客户", "区分客户", "与客户互动", "定制"],
    "in this chapter": [
        "one row per insurance customer (customer_id) with every policy they hold",
        "customers differ in which of the 22 products they own",
        "each contact (an offer, a reply) teaches the firm which product comes next",
        "each customer gets the offer the rules pick for their portfolio, with the reason",
    ],
})
"""One-to-one marketing's four steps (一对一营销), as this chapter's cross-sell example carries them out."""


# --------------------------------------------------------------------------------------------------
# The learning relationship
# --------------------------------------------------------------------------------------------------

def make_preferences(n: int = 2_000, *, seed: int = 0, n_products: int = 8, concentration: float = 1.0,
                     interactions: int = 30) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate customers with individual product preferences and their choices over time.

    Generative process:

    1. Population popularity ``base`` falls geometrically over products (``base_k ∝ 0.75^k``).
    2. Customer *i* has preferences ``theta_i ~ Dirichlet(concentration * n_products * base)``: a small
       ``concentration`` makes customers very different from each other (and from the average), a
       large one makes them alike.
    3. At each of ``interactions`` contacts the customer chooses one product ``~ Categorical(theta_i)``,
       independently. The firm sees the choices; ``theta`` is the hidden truth.

    Returns
    -------
    choices : DataFrame
        ``customer_id``, ``step`` (1..interactions), ``product`` (0..n_products-1).
    truth : DataFrame
        Index ``customer_id``; one column per product with ``theta`` (rows sum to 1);
        ``truth.attrs["base"]`` is the population popularity.

    Examples
    --------
    >>> c, t = make_preferences(100, seed=1, interactions=5)
    >>> len(c), bool(np.allclose(t.sum(axis=1), 1))
    (500, True)
    """
    where = "make_preferences"
    n = require_positive_int(n, "n", where=where)
    n_products = require_positive_int(n_products, "n_products", where=where, minimum=2)
    interactions = require_positive_int(interactions, "interactions", where=where)
    concentration = require_number(concentration, "concentration", where=where, low=0, low_inclusive=False)
    rng = np.random.default_rng(seed)
    base = 0.75 ** np.arange(n_products)
    base = base / base.sum()
    theta = rng.dirichlet(concentration * n_products * base, size=n)
    # inverse-CDF sampling of all choices at once
    u = rng.random((n, interactions))
    cdf = np.cumsum(theta, axis=1)
    cdf[:, -1] = 1.0
    prod = (u[:, :, None] > cdf[:, None, :]).sum(axis=2)
    choices = pd.DataFrame({"customer_id": np.repeat(np.arange(1, n + 1), interactions),
                            "step": np.tile(np.arange(1, interactions + 1), n),
                            "product": prod.ravel().astype("int64")})
    truth = pd.DataFrame(theta, index=pd.Index(np.arange(1, n + 1), name="customer_id"),
                         columns=[f"product_{k}" for k in range(n_products)])
    truth.attrs["base"] = base
    return choices, truth


def learning_curve(choices: pd.DataFrame, truth: pd.DataFrame, *, prior_strength: float = 2.0,
                   max_interactions: int | None = None) -> pd.DataFrame:
    """How well a firm's recommendation fits a customer after it has seen t of their choices.

    After ``t`` observed choices the firm estimates the customer's preferences as
    ``(prior_strength * popularity + counts) / (prior_strength + t)`` (the posterior mean of a
    Dirichlet prior centred on the population's popularity) and recommends the product with the
    highest estimate. ``popularity`` is the share of each product over all customers' choices.

    Returns
    -------
    DataFrame
        One row per ``interactions`` t = 0..max: ``accuracy`` (mean true probability that the customer
        takes the recommended product = expected hit rate), ``top_match`` (share of customers whose
        true favourite is recommended), and ``ceiling`` (the accuracy of a firm that knew ``theta``).

    Examples
    --------
    >>> c, t = make_preferences(500, seed=0, interactions=10)
    >>> lc = learning_curve(c, t)
    >>> bool(lc["accuracy"].iloc[-1] > lc["accuracy"].iloc[0])
    True
    """
    where = "learning_curve"
    require_frame(choices, where=where)
    require_columns(choices, ["customer_id", "step", "product"], where=where)
    require_no_missing(choices, ["customer_id", "step", "product"], where=where)
    require_frame(truth, where=where)
    prior_strength = require_number(prior_strength, "prior_strength", where=where, low=0, low_inclusive=False)
    k = truth.shape[1]
    if not choices["product"].between(0, k - 1).all():
        raise CRMInputError(f"{where}: column 'product' must hold product numbers 0..{k - 1}.")
    ids = truth.index.to_numpy()
    if not choices["customer_id"].isin(ids).all():
        raise CRMInputError(f"{where}: some customer_id in choices are not in truth's index.")
    steps = int(choices["step"].max())
    top = steps if max_interactions is None else min(
        require_positive_int(max_interactions, "max_interactions", where=where), steps)
    pop = np.bincount(choices["product"].to_numpy(), minlength=k) / len(choices)
    theta = truth.to_numpy(float)
    row = pd.Index(ids).get_indexer(choices["customer_id"])
    wide = np.full((len(ids), steps), -1)
    wide[row, choices["step"].to_numpy() - 1] = choices["product"].to_numpy()
    counts = np.zeros_like(theta)
    fav = theta.argmax(axis=1)
    rows = []
    r_idx = np.arange(len(ids))
    for t in range(top + 1):
        if t > 0:
            seen = wide[:, t - 1] >= 0
            np.add.at(counts, (r_idx[seen], wide[seen, t - 1]), 1.0)
        est = prior_strength * pop[None, :] + counts
        rec = est.argmax(axis=1)
        rows.append({"interactions": t, "accuracy": float(theta[r_idx, rec].mean()),
                     "top_match": float((rec == fav).mean()), "ceiling": float(theta.max(axis=1).mean())})
    return pd.DataFrame(rows)


def switching_cost(curve: pd.DataFrame, *, value_per_hit: float = 100.0, horizon: int = 10) -> pd.DataFrame:
    """The switching cost (转换成本) a learning relationship builds, from a learning curve.

    A customer who has taught the firm ``t`` choices and stays gets recommendations of accuracy
    ``accuracy(t), accuracy(t+1), ...``; if they switch, the competitor starts from zero:
    ``accuracy(0), accuracy(1), ...``. Over the next ``horizon`` contacts the expected value lost by
    switching is ``value_per_hit * sum_s [accuracy(t + s) - accuracy(s)]`` (the curve is held at its
    last value beyond its end).

    Returns
    -------
    DataFrame
        ``interactions``, ``accuracy``, ``competitor_accuracy`` (``accuracy(0)``), ``switching_cost``.

    Examples
    --------
    >>> lc = pd.DataFrame({"interactions": [0, 1, 2], "accuracy": [0.2, 0.3, 0.4]})
    >>> switching_cost(lc, value_per_hit=10, horizon=2)["switching_cost"].round(6).tolist()
    [0.0, 2.0, 3.0]
    """
    where = "switching_cost"
    require_frame(curve, where=where)
    require_columns(curve, ["interactions", "accuracy"], where=where)
    require_no_missing(curve, ["interactions", "accuracy"], where=where)
    require_numeric(curve, ["interactions", "accuracy"], where=where)
    value_per_hit = require_number(value_per_hit, "value_per_hit", where=where, low=0)
    horizon = require_positive_int(horizon, "horizon", where=where)
    c = curve.sort_values("interactions")
    acc = c["accuracy"].to_numpy(float)
    T = len(acc)
    ext = np.concatenate([acc, np.full(horizon, acc[-1])])
    cost = [value_per_hit * float(np.sum(ext[t:t + horizon] - ext[:horizon])) for t in range(T)]
    return pd.DataFrame({"interactions": c["interactions"].to_numpy(), "accuracy": acc,
                         "competitor_accuracy": acc[0], "switching_cost": cost})
