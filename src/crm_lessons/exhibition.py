"""Exhibition (trade-fair) CRM: a simulated multi-edition fair and the analyses an organiser runs on it.

No public data set covers an exhibition organiser's customers, so :func:`simulate_fair` makes one,
transparently: one organiser (展览组织者) runs ``n_editions`` annual editions of one fair in one venue
(场馆). Exhibitors (参展商) rent booths, professional visitors (专业观众) register, attend and get their
badges scanned at stands, suppliers build stands and move goods, partners (industry associations and
media) refer visitors, and the organiser's staff serve exhibitors before, during and after the show.
Exhibitors come back when the show pays for itself, so relationships weaken and dissolve as the course
describes. :mod:`crm_lessons.exhibition_db` writes the tables to a real SQLite database.

The analyses follow the course (section 7): the five elements of the exhibition system
(:func:`system_elements`), retention by cohort (:func:`cohort_retention`), the relationship life cycle
by transparent rules with an early warning of weakening (:func:`lifecycle_stages`,
:func:`warning_quality`), drivers of satisfaction (:func:`satisfaction_drivers`), services by stage
(:func:`service_effects`), visitor lead scores and matchmaking (:func:`lead_scores`,
:func:`interest_similarity`, :func:`recommend_matches`), exhibitor value from a renewal model
(:func:`renewal_model`, :func:`exhibitor_value`), pre-show invitations (:func:`invitation_targets`) and
the four strategy families (:func:`strategy_table`). :func:`fair_outcomes` summarises a run for the case
study and the chapter's widget.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_choice,
    require_columns,
    require_frame,
    require_number,
    require_positive_int,
    require_probability,
)

__all__ = [
    "INDUSTRIES",
    "TAGS",
    "SERVICES",
    "STAGES",
    "simulate_fair",
    "system_elements",
    "participation_panel",
    "cohort_retention",
    "renewal_by_edition",
    "lifecycle_stages",
    "warning_quality",
    "satisfaction_drivers",
    "service_effects",
    "lead_scores",
    "interest_similarity",
    "recommend_matches",
    "renewal_model",
    "exhibitor_value",
    "invitation_targets",
    "strategy_table",
    "fair_outcomes",
]

#: Industries of the fair (an industrial-supplies fair) and the two interest tags of each.
INDUSTRIES = ["machinery", "electronics", "materials", "packaging", "software", "logistics"]
TAGS = {
    "machinery": ["automation", "machine tools"],
    "electronics": ["sensors", "components"],
    "materials": ["plastics", "metals"],
    "packaging": ["packaging lines", "labelling"],
    "software": ["ERP", "IoT"],
    "logistics": ["warehousing", "freight"],
}
_ALL_TAGS = [t for ind in INDUSTRIES for t in TAGS[ind]]

#: Life-cycle stages in order (course section 6/7).
STAGES = ["cultivation", "confirmation", "trust", "weakening", "dissolution"]

#: The services an exhibitor receives at every edition: (stage, service, nature, paid, supplier type).
SERVICES = pd.DataFrame(
    [
        ("pre-show", "registration", "organising", False, None),
        ("pre-show", "booth allocation", "organising", False, None),
        ("pre-show", "visitor invitation", "organising", False, None),
        ("on-site", "stand construction", "stand construction", True, "stand builder"),
        ("on-site", "check-in", "venue", False, None),
        ("on-site", "events", "organising", True, None),
        ("on-site", "cleaning and security", "venue", False, None),
        ("post-show", "move-out", "supporting", True, "logistics"),
        ("post-show", "lead report", "organising", False, None),
        ("post-show", "satisfaction survey", "organising", False, None),
    ],
    columns=["stage", "service", "nature", "paid", "supplier_type"],
)
_STAGE_KEYS = {"pre-show": "pre", "on-site": "on", "post-show": "post"}

_SIZES = ["small", "medium", "large"]
_BOOTHS = {"small": [9, 12, 18], "medium": [18, 24, 36], "large": [36, 54, 72]}
_TRAVEL = {"small": 8_000.0, "medium": 15_000.0, "large": 30_000.0}
_BUILD_COST_PER_SQM = 500.0  # stand construction, paid by the exhibitor to the stand builder
_EVENT_FEE = 2_000.0
_MOVE_OUT_FEE_PER_SQM = 60.0
# Worth units (new qualified contacts, weighted by buying power) a booth of 1 m2 earns at the default
# settings in a first edition; calibrated once so that lead values below give the stated first-edition ROC.
_UNITS_PER_SQM = 0.43
# True effect of each experienced service stage (quality 0..1) and of log return on cost on latent
# satisfaction; cut points turn the latent score into the 1..5 survey answer.
_SAT_BETA = {"pre_quality": 2.0, "on_quality": 3.0, "post_quality": 1.5, "log_roc": 1.2}
_SAT_CUTS = np.array([-2.2, -0.9, 0.6, 2.1])
_RETURN_BETA = {"const": 1.1, "log_roc": 1.8, "sat_centered": 0.45, "distrust": -0.7}


def _where(fn: str) -> str:
    return f"exhibition.{fn}"


# ----------------------------------------------------------------------------------------------------
# Simulator
# ----------------------------------------------------------------------------------------------------
def simulate_fair(
    n_editions: int = 6,
    *,
    seed: int = 0,
    n_exhibitors: int = 200,
    new_exhibitors: int = 50,
    n_visitors: int = 1_500,
    booth_price: float = 1_500.0,
    booth_price_change: float = 0.0,
    pre_show_quality: float = 0.6,
    on_site_quality: float = 0.6,
    post_show_quality: float = 0.5,
    innovation: float = 0.2,
    novelty_decay: float = 0.18,
    first_roc: float = 1.4,
    follow_up_policy: str = "none",
    follow_up_effect: float = 1.0,
    n_staff: int = 12,
    start_year: int = 2020,
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Simulate an organiser running ``n_editions`` annual editions of one trade fair.

    Generative process (what causes what; the parameter that sets each effect in brackets):

    1. **Exhibitors.** ``n_exhibitors`` firms exhibit at edition 1 and ``new_exhibitors`` new firms
       join at every later edition (acquisition). Each has an industry, a size (small/medium/large,
       50/35/15 %), one to three interest tags (mostly its industry's two), a stand builder, an account
       manager from the staff, and a private *value per lead* drawn so that a first-time exhibitor's
       return on cost is lognormal around ``first_roc`` at the default settings.
    2. **Booth price.** The booth fee is ``booth_sqm * booth_price * (1 + booth_price_change)**(e-1)``
       at edition ``e``. The exhibitor's cost adds stand construction (500 per m2) and travel (8 000,
       15 000 or 30 000 by size).
    3. **Services.** Every participation gets ten services in three stages (:data:`SERVICES`):
       pre-show, on-site and post-show. A service's audited quality (0..1) is the stage quality
       (``pre_show_quality``, ``on_site_quality``, ``post_show_quality``) plus the serving staff
       member's skill (and, for stand construction and move-out, the supplier's quality) plus noise.
    4. **Visitors.** A pool of ``n_visitors`` professional visitors, each with one to three interest
       tags and a private buying power; each edition a share ``innovation`` of the pool is replaced
       by new visitors (new themes bring new buyers). A visitor registers with probability
       ``0.35 + 0.45 * pre_show_quality`` (online, by invitation or through a partner) and then attends
       with probability 0.8; walk-ins register on site. An attending visitor visits
       ``1 + Poisson(2 + 5 * on_site_quality)`` stands, chosen with weight
       ``(0.15 + Jaccard(interests)) * sqrt(booth_sqm / 9)``; every visit is a badge scan (a lead).
    5. **Gains and return on cost.** A scan is worth ``value_per_lead * buying_power`` times 1 when the
       interests overlap and 0.3 when they do not; a contact the exhibitor already met at an earlier
       edition is worth a quarter of that. The post-show lead report multiplies gains by
       ``0.7 + 0.6 * post quality``, and the show's novelty fades: gains are multiplied by
       ``(1 - novelty_decay * (1 - innovation)) ** (tenure - 1)``. Return on cost (ROC) = gains / cost.
    6. **Satisfaction.** The survey answer (1..5, ordinal) cuts a latent score
       ``2.0 (pre - 0.5) + 3.0 (on - 0.5) + 1.5 (post - 0.5) + 1.2 log ROC + logistic noise`` at
       -2.2, -0.9, 0.6 and 2.1, where pre/on/post are the mean audited qualities of the participation's
       services in each stage.
    7. **Life cycle and the decision to return.** An edition with ROC < 1 (value below cost) is a
       *weakening* edition and adds one point of distrust; an edition with ROC >= 1 removes one. The
       exhibitor returns next year with probability
       ``logistic(1.1 + 1.8 log ROC + 0.45 (satisfaction - 3) - 0.7 distrust + follow_up_effect * followed_up)``,
       and never once distrust passes its tolerance (1 to 3 editions): dissolution. Returning
       exhibitors down-size their booth after a weakening edition (half of them) and up-size after a
       good one (ROC > 1.6, a quarter of them).
    8. **Follow-up.** After each edition the organiser calls exhibitors (``follow_up_policy``):
       ``"none"``; ``"weakening"``: those its own warning rule flags (satisfaction <= 2, or scans down
       by 30 % or more on the previous edition, or a smaller booth); ``"all"``.

    Parameters
    ----------
    n_editions : int, default 6
        Number of annual editions (>= 1).
    seed : int, default 0
        Seed of the random generator; the same seed gives the same tables (and the same database).
    n_exhibitors, new_exhibitors : int, default 200 and 50
        Exhibitors at the first edition (>= 1) and new exhibitors acquired at each later one (>= 0).
    n_visitors : int, default 1500
        Size of the professional-visitor pool (>= 10).
    booth_price : float, default 1500
        Booth fee per square metre at edition 1, in yuan (> 0).
    booth_price_change : float, default 0
        Relative change of the booth price per edition (-0.5 to 1; 0.05 = +5 % a year).
    pre_show_quality, on_site_quality, post_show_quality : float, default 0.6, 0.6, 0.5
        Service quality of each stage, 0 (poor) to 1 (excellent).
    innovation : float, default 0.2
        Share of the visitor pool renewed each edition, which also slows the fading of novelty (0..1).
    novelty_decay : float, default 0.18
        Share of gains lost per extra edition of tenure when the show does not innovate (0..1).
    first_roc : float, default 1.4
        Typical return on cost of a first-time exhibitor at default settings (> 0).
    follow_up_policy : {"none", "weakening", "all"}, default "none"
        Which exhibitors the organiser follows up after each edition.
    follow_up_effect : float, default 1.0
        Increase of the log-odds of returning for an exhibitor who was followed up (>= 0).
    n_staff : int, default 12
        Number of organiser staff (>= 3); a third serve the service desk on site.
    start_year : int, default 2020
        Calendar year of edition 1.

    Returns
    -------
    tables : dict of DataFrame
        What the organiser's CRM holds, one frame per database table: ``editions``, ``exhibitors``,
        ``exhibitor_interests``, ``participations``, ``services``, ``visitors``, ``visitor_interests``,
        ``registrations``, ``badge_scans``, ``suppliers``, ``supplier_contracts``, ``partners``,
        ``partner_activities``, ``staff``. Keys and columns are described by
        :func:`crm_lessons.exhibition_db.schema`.
    truth : dict of DataFrame
        What the organiser cannot see: ``participations`` (``gains``, ``cost``, ``roc``, ``stage``,
        ``distrust``, ``p_return``, ``returned``), ``exhibitors`` (``value_per_lead``, ``tolerance``),
        ``visitors`` (``buying_power``, ``buyer``) and ``params`` (the latent coefficients).

    Examples
    --------
    >>> tables, truth = simulate_fair(4, seed=1, n_exhibitors=60, new_exhibitors=15, n_visitors=400)
    >>> sorted(tables)[:4]
    ['badge_scans', 'editions', 'exhibitor_interests', 'exhibitors']
    >>> int(tables["participations"].query("edition == 1").shape[0])
    60
    >>> bool(truth["participations"]["stage"].isin(STAGES).all())
    True
    """
    where = "simulate_fair"
    n_editions = require_positive_int(n_editions, "n_editions", where=where)
    if n_editions > 30:
        raise CRMInputError(f"{where}: n_editions must be at most 30 (a fair's horizon), got {n_editions}.")
    require_positive_int(seed, "seed", where=where, minimum=0)
    n_exhibitors = require_positive_int(n_exhibitors, "n_exhibitors", where=where)
    new_exhibitors = require_positive_int(new_exhibitors, "new_exhibitors", where=where, minimum=0)
    n_visitors = require_positive_int(n_visitors, "n_visitors", where=where, minimum=10)
    n_staff = require_positive_int(n_staff, "n_staff", where=where, minimum=3)
    start_year = require_positive_int(start_year, "start_year", where=where, minimum=1900)
    booth_price = require_number(booth_price, "booth_price (yuan per m2)", where=where, low=0,
                                 low_inclusive=False)
    booth_price_change = require_number(booth_price_change, "booth_price_change", where=where,
                                        low=-0.5, high=1.0)
    q = {
        "pre": require_probability(pre_show_quality, "pre_show_quality", where=where),
        "on": require_probability(on_site_quality, "on_site_quality", where=where),
        "post": require_probability(post_show_quality, "post_show_quality", where=where),
    }
    innovation = require_probability(innovation, "innovation", where=where)
    novelty_decay = require_probability(novelty_decay, "novelty_decay", where=where)
    first_roc = require_number(first_roc, "first_roc", where=where, low=0, low_inclusive=False)
    follow_up_policy = require_choice(follow_up_policy, "follow_up_policy", ["none", "weakening", "all"],
                                      where=where)
    follow_up_effect = require_number(follow_up_effect, "follow_up_effect", where=where, low=0)

    rng = np.random.default_rng(seed)
    n_tags = len(_ALL_TAGS)
    tag_index = {t: k for k, t in enumerate(_ALL_TAGS)}

    # --- staff, suppliers, partners ------------------------------------------------------------
    n_desk = max(1, n_staff // 3)
    staff = pd.DataFrame({
        "staff_id": np.arange(1, n_staff + 1),
        "name": [f"Staff {k:02d}" for k in range(1, n_staff + 1)],
        "role": ["account manager"] * (n_staff - n_desk) + ["service desk"] * n_desk,
        "hired_year": start_year - rng.integers(0, 10, n_staff),
    })
    staff_skill = rng.normal(0.0, 0.08, n_staff)
    managers = staff.loc[staff["role"] == "account manager", "staff_id"].to_numpy()
    desk = staff.loc[staff["role"] == "service desk", "staff_id"].to_numpy()

    sup_rows = [("stand builder", f"Builder {c}") for c in "ABCDE"] + [
        ("logistics", f"Logistics {c}") for c in "ABC"] + [("catering", "Catering A"), ("security", "Security A")]
    suppliers = pd.DataFrame({
        "supplier_id": np.arange(1, len(sup_rows) + 1),
        "name": [r[1] for r in sup_rows],
        "supplier_type": [r[0] for r in sup_rows],
    })
    supplier_quality = rng.normal(0.0, 0.07, len(suppliers))
    suppliers["rating"] = np.round(np.clip(3.5 + 10 * supplier_quality + rng.normal(0, 0.3, len(suppliers)),
                                           1, 5), 1)
    builders = suppliers.loc[suppliers["supplier_type"] == "stand builder", "supplier_id"].to_numpy()
    movers = suppliers.loc[suppliers["supplier_type"] == "logistics", "supplier_id"].to_numpy()

    par_rows = [(f"{ind.title()} Association", "industry association", ind) for ind in INDUSTRIES] + [
        ("Trade Weekly", "media", None), ("Industry Online", "media", None), ("Factory Review", "media", None),
        ("Tech Buyer Magazine", "media", None)]
    partners = pd.DataFrame({
        "partner_id": np.arange(1, len(par_rows) + 1),
        "name": [r[0] for r in par_rows],
        "partner_type": [r[1] for r in par_rows],
        "industry": pd.array([r[2] for r in par_rows], dtype="str"),
    })
    partner_pull = rng.gamma(2.0, 1.0, len(partners))  # how many visitors each partner brings
    media_buyer_share = rng.beta(2, 2, len(partners))   # how well its audience buys

    # --- exhibitors (created lazily per cohort) --------------------------------------------------
    ex_cols: dict[str, list] = {k: [] for k in ["exhibitor_id", "name", "industry", "company_size",
                                                 "first_edition", "builder_id", "account_manager_id"]}
    ex_tags: list[np.ndarray] = []
    ex_truth: dict[str, list] = {"exhibitor_id": [], "value_per_lead": [], "tolerance": []}

    def _new_exhibitors(k: int, edition: int, price_e: float) -> None:
        start = len(ex_cols["exhibitor_id"])
        ind = rng.choice(len(INDUSTRIES), k)
        size = rng.choice(3, k, p=[0.5, 0.35, 0.15])
        for j in range(k):
            eid = start + j + 1
            industry = INDUSTRIES[ind[j]]
            ex_cols["exhibitor_id"].append(eid)
            ex_cols["name"].append(f"{industry.title()} Firm {eid:04d}")
            ex_cols["industry"].append(industry)
            ex_cols["company_size"].append(_SIZES[size[j]])
            ex_cols["first_edition"].append(edition)
            ex_cols["builder_id"].append(int(rng.choice(builders)))
            ex_cols["account_manager_id"].append(int(rng.choice(managers)))
            v = np.zeros(n_tags, dtype=bool)
            own = [tag_index[t] for t in TAGS[industry]]
            pick = rng.random(2) < 0.75
            if not pick.any():
                pick[rng.integers(0, 2)] = True
            v[np.array(own)[pick]] = True
            if rng.random() < 0.35:
                v[rng.integers(0, n_tags)] = True
            ex_tags.append(v)
            ex_truth["exhibitor_id"].append(eid)
            ex_truth["tolerance"].append(int(rng.choice([1, 2, 3], p=[0.3, 0.45, 0.25])))
            # value per lead: first-edition ROC ~ lognormal(log first_roc, 0.35) at default settings
            sqm = _BOOTHS[_SIZES[size[j]]][1]
            cost = sqm * (booth_price + _BUILD_COST_PER_SQM) + _TRAVEL[_SIZES[size[j]]]
            roc0 = first_roc * np.exp(rng.normal(0, 0.35))
            ex_truth["value_per_lead"].append(float(roc0 * cost / (_UNITS_PER_SQM * sqm)))

    # --- visitors --------------------------------------------------------------------------------
    vis_cols: dict[str, list] = {k: [] for k in ["visitor_id", "company", "role", "company_size",
                                                  "home_industry", "first_edition", "source_partner_id"]}
    vis_tags: list[np.ndarray] = []
    vis_power: list[float] = []
    vis_buyer_p: list[float] = []

    def _new_visitors(k: int, edition: int) -> np.ndarray:
        start = len(vis_cols["visitor_id"])
        ind = rng.choice(len(INDUSTRIES), k)
        role = rng.choice(["purchasing manager", "engineer", "owner", "student"], k, p=[0.4, 0.35, 0.15, 0.1])
        size = rng.choice(3, k, p=[0.5, 0.3, 0.2])
        src = np.where(rng.random(k) < 0.3, rng.choice(len(partners), k, p=partner_pull / partner_pull.sum()) + 1, 0)
        ids = np.arange(start + 1, start + k + 1)
        for j in range(k):
            vis_cols["visitor_id"].append(int(ids[j]))
            vis_cols["company"].append(f"Buyer Co {ids[j]:05d}")
            vis_cols["role"].append(str(role[j]))
            vis_cols["company_size"].append(_SIZES[size[j]])
            vis_cols["home_industry"].append(INDUSTRIES[ind[j]])
            vis_cols["first_edition"].append(edition)
            vis_cols["source_partner_id"].append(int(src[j]) if src[j] else None)
            v = np.zeros(n_tags, dtype=bool)
            home = [tag_index[t] for t in TAGS[INDUSTRIES[ind[j]]]]
            v[home[rng.integers(0, 2)]] = True
            extra = rng.poisson(0.8)
            if extra:
                v[rng.choice(n_tags, min(extra, 2), replace=False)] = True
            vis_tags.append(v)
            base = {"purchasing manager": 0.6, "owner": 0.8, "engineer": 0.35, "student": 0.05}[str(role[j])]
            power = float(np.clip(base + 0.12 * size[j] + rng.normal(0, 0.15), 0.01, 1.0))
            if src[j]:
                power = float(np.clip(power + 0.3 * (media_buyer_share[src[j] - 1] - 0.5), 0.01, 1.0))
            vis_power.append(power)
            vis_buyer_p.append(float(np.clip(0.05 + 0.5 * power, 0, 1)))
        return ids

    pool = _new_visitors(n_visitors, 1)

    # --- editions loop ---------------------------------------------------------------------------
    editions, parts, services, regs, scans_all = [], [], [], [], []
    seen_pairs = np.empty(0, dtype=np.int64)
    PAIR = 10_000_000
    state: dict[int, dict[str, Any]] = {}   # exhibitor -> tenure, distrust, booth option, last scans
    active = np.empty(0, dtype=int)
    decay = 1.0 - novelty_decay * (1.0 - innovation)
    svc = SERVICES.reset_index(drop=True)
    scan_id = 0
    service_id = 0

    for e in range(1, n_editions + 1):
        price_e = booth_price * (1.0 + booth_price_change) ** (e - 1)
        editions.append((e, start_year + e - 1, "City Exhibition Centre", round(price_e, 2),
                         f"{start_year + e - 1}-04-15"))
        k_new = n_exhibitors if e == 1 else new_exhibitors
        first_new = len(ex_cols["exhibitor_id"]) + 1
        _new_exhibitors(k_new, e, price_e)
        newcomers = np.arange(first_new, first_new + k_new)
        for eid in newcomers:
            state[int(eid)] = {"tenure": 0, "distrust": 0, "booth": 1, "last_scans": None, "gone": False}
        active = np.concatenate([active, newcomers]).astype(int)
        if e > 1:  # visitor pool renewal: a share `innovation` leaves and is replaced
            n_out = int(round(innovation * len(pool)))
            if n_out:
                leave = rng.choice(len(pool), n_out, replace=False)
                pool = np.delete(pool, leave)
                pool = np.concatenate([pool, _new_visitors(n_out, e)])

        # exhibitor attributes this edition
        size = np.array([ex_cols["company_size"][i - 1] for i in active])
        booth_opt = np.array([state[int(i)]["booth"] for i in active])
        sqm = np.array([_BOOTHS[s][b] for s, b in zip(size, booth_opt)], dtype=float)
        E = np.array([ex_tags[i - 1] for i in active])
        tenure = np.array([state[int(i)]["tenure"] + 1 for i in active])

        # services and their audited quality
        n_a = len(active)
        mgr = np.array([ex_cols["account_manager_id"][i - 1] for i in active])
        bld = np.array([ex_cols["builder_id"][i - 1] for i in active])
        mover = rng.choice(movers, n_a)
        qual = np.zeros((n_a, len(svc)))
        served_by = np.zeros((n_a, len(svc)), dtype=int)
        sup_of = np.zeros((n_a, len(svc)), dtype=int)
        for s_idx, row in svc.iterrows():
            key = _STAGE_KEYS[row["stage"]]
            staff_ids = rng.choice(desk, n_a) if key == "on" else mgr
            served_by[:, s_idx] = staff_ids
            base = q[key] + staff_skill[staff_ids - 1]
            if row["supplier_type"] == "stand builder":
                sup_of[:, s_idx] = bld
            elif row["supplier_type"] == "logistics":
                sup_of[:, s_idx] = mover
            if sup_of[:, s_idx].any():
                base = base + supplier_quality[sup_of[:, s_idx] - 1]
            qual[:, s_idx] = np.clip(base + rng.normal(0, 0.1, n_a), 0, 1).round(3)
        stage_q = {k: qual[:, (svc["stage"] == st).to_numpy()].mean(axis=1) for st, k in _STAGE_KEYS.items()}

        # registrations and attendance
        p_reg = 0.35 + 0.45 * q["pre"]
        reg = rng.random(len(pool)) < p_reg
        att = reg & (rng.random(len(pool)) < 0.8)
        walk = (~reg) & (rng.random(len(pool)) < 0.1)
        src_partner = np.array([vis_cols["source_partner_id"][v - 1] or 0 for v in pool])
        channel = np.where(src_partner > 0, "partner",
                           np.where(rng.random(len(pool)) < 0.3 + 0.4 * q["pre"], "invitation", "online"))
        for v, r_, a_, w_, c_ in zip(pool, reg, att, walk, channel):
            if r_:
                regs.append((int(v), e, str(c_), bool(a_)))
            elif w_:
                regs.append((int(v), e, "on-site", True))
        attending = pool[att | walk]

        # badge scans: Gumbel top-k sampling of stands per visitor
        V = np.array([vis_tags[v - 1] for v in attending])
        inter = V.astype(float) @ E.T.astype(float)
        union = V.sum(1)[:, None] + E.sum(1)[None, :] - inter
        jac = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
        w = (0.15 + jac) * np.sqrt(sqm / 9.0)[None, :]
        keys = np.log(w) - np.log(-np.log(rng.random(w.shape)))
        k_vis = np.minimum(1 + rng.poisson(2 + 5 * q["on"], len(attending)), n_a)
        order = np.argsort(-keys, axis=1)
        rows_v, cols_i = [], []
        for r in range(len(attending)):
            c = order[r, : k_vis[r]]
            rows_v.append(np.full(len(c), r))
            cols_i.append(c)
        rv = np.concatenate(rows_v) if rows_v else np.empty(0, int)
        ci = np.concatenate(cols_i) if cols_i else np.empty(0, int)
        vis_ids = attending[rv]
        ex_ids = active[ci]
        pair = ex_ids.astype(np.int64) * PAIR + vis_ids
        repeat = np.isin(pair, seen_pairs)
        seen_pairs = np.union1d(seen_pairs, pair)
        power = np.array(vis_power)[vis_ids - 1]
        worth = power * np.where(jac[rv, ci] > 0, 1.0, 0.3) * np.where(repeat, 0.25, 1.0)
        units = np.bincount(ci, weights=worth, minlength=n_a)
        n_scans = np.bincount(ci, minlength=n_a)
        for v, x in zip(vis_ids, ex_ids):
            scan_id += 1
            scans_all.append((scan_id, e, int(v), int(x)))

        # gains, cost, ROC, satisfaction
        vpl = np.array([ex_truth["value_per_lead"][i - 1] for i in active])
        gains = vpl * units * (0.7 + 0.6 * stage_q["post"]) * decay ** (tenure - 1)
        fee = sqm * price_e
        cost = fee + sqm * _BUILD_COST_PER_SQM + np.array([_TRAVEL[s] for s in size])
        roc = gains / cost
        log_roc = np.log(np.maximum(roc, 1e-3))
        latent = (_SAT_BETA["pre_quality"] * (stage_q["pre"] - 0.5) + _SAT_BETA["on_quality"] * (stage_q["on"] - 0.5)
                  + _SAT_BETA["post_quality"] * (stage_q["post"] - 0.5) + _SAT_BETA["log_roc"] * log_roc
                  + rng.logistic(0, 1, n_a))
        sat = 1 + np.searchsorted(_SAT_CUTS, latent)

        # the organiser's own warning rule (observable) and follow-up
        last = np.array([state[int(i)]["last_scans"] if state[int(i)]["last_scans"] is not None else np.nan
                         for i in active])
        prev_booth = np.array([state[int(i)].get("prev_booth", state[int(i)]["booth"]) for i in active])
        flag = (sat <= 2) | (n_scans <= 0.7 * np.nan_to_num(last, nan=-1)) | (booth_opt < prev_booth)
        if follow_up_policy == "all":
            followed = np.ones(n_a, dtype=bool)
        elif follow_up_policy == "weakening":
            followed = flag
        else:
            followed = np.zeros(n_a, dtype=bool)
        if e == n_editions:
            followed = np.zeros(n_a, dtype=bool)  # no next edition to recover them for

        # life cycle truth and the decision to return
        weak = roc < 1.0
        distrust = np.array([state[int(i)]["distrust"] for i in active])
        distrust = np.where(weak, distrust + 1, np.maximum(distrust - 1, 0))
        tol = np.array([ex_truth["tolerance"][i - 1] for i in active])
        stage = np.where(weak, "weakening", np.where(tenure == 1, "cultivation",
                                                      np.where(tenure == 2, "confirmation", "trust")))
        logit = (_RETURN_BETA["const"] + _RETURN_BETA["log_roc"] * log_roc
                 + _RETURN_BETA["sat_centered"] * (sat - 3) + _RETURN_BETA["distrust"] * distrust
                 + follow_up_effect * followed)
        p_ret = np.where(distrust > tol, 0.0, 1.0 / (1.0 + np.exp(-logit)))
        returned = rng.random(n_a) < p_ret
        if e == n_editions:
            returned_obs = np.full(n_a, np.nan)
        else:
            returned_obs = returned.astype(float)

        for j, eid in enumerate(active):
            parts.append({
                "exhibitor_id": int(eid), "edition": e, "booth_sqm": float(sqm[j]), "booth_fee": round(float(fee[j]), 2),
                "satisfaction": int(sat[j]), "followed_up": bool(followed[j]),
                "_gains": float(gains[j]), "_cost": float(cost[j]), "_roc": float(roc[j]), "_stage": str(stage[j]),
                "_distrust": int(distrust[j]), "_p_return": float(p_ret[j]), "_returned": returned_obs[j],
                "_n_scans": int(n_scans[j]),
            })
            for s_idx, row in svc.iterrows():
                service_id += 1
                fee_s = 0.0
                if row["service"] == "stand construction":
                    fee_s = sqm[j] * _BUILD_COST_PER_SQM
                elif row["service"] == "events":
                    fee_s = _EVENT_FEE
                elif row["service"] == "move-out":
                    fee_s = sqm[j] * _MOVE_OUT_FEE_PER_SQM
                services.append((service_id, int(eid), e, row["stage"], row["service"], row["nature"],
                                 round(float(fee_s), 2), int(served_by[j, s_idx]),
                                 int(sup_of[j, s_idx]) if sup_of[j, s_idx] else None, float(qual[j, s_idx])))

        # update states for the next edition
        keep = []
        for j, eid in enumerate(active):
            st = state[int(eid)]
            st["tenure"] += 1
            st["distrust"] = int(distrust[j])
            st["last_scans"] = int(n_scans[j])
            st["prev_booth"] = st["booth"]
            if returned[j] and e < n_editions:
                if weak[j] and rng.random() < 0.5:
                    st["booth"] = max(st["booth"] - 1, 0)
                elif roc[j] > 1.6 and rng.random() < 0.25:
                    st["booth"] = min(st["booth"] + 1, 2)
                keep.append(int(eid))
        active = np.array(keep, dtype=int)

    # --- assemble tables -------------------------------------------------------------------------
    exhibitors = pd.DataFrame(ex_cols)
    ex_int = [(i + 1, _ALL_TAGS[k]) for i, v in enumerate(ex_tags) for k in np.flatnonzero(v)]
    exhibitor_interests = pd.DataFrame(ex_int, columns=["exhibitor_id", "tag"])
    visitors = pd.DataFrame(vis_cols)
    visitors["source_partner_id"] = visitors["source_partner_id"].astype("Int64")
    vi_int = [(i + 1, _ALL_TAGS[k]) for i, v in enumerate(vis_tags) for k in np.flatnonzero(v)]
    visitor_interests = pd.DataFrame(vi_int, columns=["visitor_id", "tag"])
    registrations = pd.DataFrame(regs, columns=["visitor_id", "edition", "channel", "attended"])
    badge_scans = pd.DataFrame(scans_all, columns=["scan_id", "edition", "visitor_id", "exhibitor_id"])
    pdf = pd.DataFrame(parts)
    participations = pdf[[c for c in pdf.columns if not c.startswith("_")]].copy()
    services_df = pd.DataFrame(services, columns=["service_id", "exhibitor_id", "edition", "stage", "service",
                                                  "nature", "fee", "staff_id", "supplier_id", "quality"])
    services_df["supplier_id"] = services_df["supplier_id"].astype("Int64")
    editions_df = pd.DataFrame(editions, columns=["edition", "year", "venue", "price_per_sqm", "opening_date"])

    con = services_df.dropna(subset=["supplier_id"]).groupby(["edition", "supplier_id", "service"],
                                                              as_index=False)["fee"].sum()
    extra = [(e, int(sid), stype, 40_000.0 + 20_000.0 * k)
             for e in range(1, n_editions + 1)
             for k, (sid, stype) in enumerate(zip(suppliers["supplier_id"], suppliers["supplier_type"]))
             if stype in ("catering", "security")]
    con = pd.concat([con.rename(columns={"fee": "value"}),
                     pd.DataFrame(extra, columns=["edition", "supplier_id", "service", "value"])],
                    ignore_index=True).sort_values(["edition", "supplier_id"]).reset_index(drop=True)
    con.insert(0, "contract_id", np.arange(1, len(con) + 1))
    con["value"] = con["value"].round(2)
    supplier_contracts = con

    reg_src = registrations.merge(visitors[["visitor_id", "source_partner_id"]], on="visitor_id")
    referred = (reg_src.dropna(subset=["source_partner_id"]).groupby(["edition", "source_partner_id"])
                .size().rename("visitors_referred").reset_index()
                .rename(columns={"source_partner_id": "partner_id"}))
    pa = pd.MultiIndex.from_product([range(1, n_editions + 1), partners["partner_id"]],
                                    names=["edition", "partner_id"]).to_frame(index=False)
    pa = pa.merge(referred.astype({"partner_id": "int64"}), on=["edition", "partner_id"], how="left")
    pa["visitors_referred"] = pa["visitors_referred"].fillna(0).astype(int)
    pa = pa.merge(partners[["partner_id", "partner_type"]], on="partner_id")
    pa["activity"] = np.where(pa["partner_type"] == "media", "media coverage", "co-organised forum")
    pa = pa.drop(columns="partner_type")
    pa.insert(0, "activity_id", np.arange(1, len(pa) + 1))
    partner_activities = pa[["activity_id", "edition", "partner_id", "activity", "visitors_referred"]]

    tables = {
        "editions": editions_df, "exhibitors": exhibitors, "exhibitor_interests": exhibitor_interests,
        "participations": participations, "services": services_df, "visitors": visitors,
        "visitor_interests": visitor_interests, "registrations": registrations, "badge_scans": badge_scans,
        "suppliers": suppliers, "supplier_contracts": supplier_contracts, "partners": partners,
        "partner_activities": partner_activities, "staff": staff,
    }
    truth_parts = pdf[["exhibitor_id", "edition"] + [c for c in pdf.columns if c.startswith("_")]].rename(
        columns=lambda c: c.lstrip("_"))
    truth_parts["returned"] = truth_parts["returned"].astype("boolean")
    buyer = rng.random(len(vis_buyer_p)) < np.array(vis_buyer_p)
    attended_any = registrations.loc[registrations["attended"], "visitor_id"].unique()
    vt = pd.DataFrame({"visitor_id": visitors["visitor_id"], "buying_power": np.round(vis_power, 4),
                       "buyer": buyer & visitors["visitor_id"].isin(attended_any).to_numpy()})
    truth = {
        "participations": truth_parts,
        "exhibitors": pd.DataFrame(ex_truth),
        "visitors": vt,
        "params": pd.DataFrame(
            [("satisfaction", k, v) for k, v in _SAT_BETA.items()]
            + [("satisfaction", f"cut_{k + 1}", float(c)) for k, c in enumerate(_SAT_CUTS)]
            + [("return", k, v) for k, v in _RETURN_BETA.items()]
            + [("return", "follow_up", follow_up_effect)],
            columns=["equation", "term", "value"]),
    }
    return tables, truth
