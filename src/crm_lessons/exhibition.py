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
(:class:`RenewalModel`, :func:`exhibitor_value`), pre-show invitations (:func:`invitation_targets`) and
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
from ._validate import require_no_missing, require_numeric, require_non_negative, require_unique_key, require_varies, check_join_keys  # bad-input checks (issue 17)

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
    "RenewalModel",
    "exhibitor_value",
    "invitation_targets",
    "strategy_table",
    "fair_outcomes",
    "policy_outcomes",
    "check_retention_parameters",
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
_UNITS_PER_SQM = 0.49
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
       member's skill (and, for stand construction and move-out, the supplier's quality) plus a shock
       shared by the stage's services for this exhibitor (SD 0.08) plus noise (SD 0.1), cut to 0..1.
    4. **Visitors.** A pool of ``n_visitors`` professional visitors, each with one to three interest
       tags and a private buying power; each edition a share ``innovation`` of the pool is replaced
       by new visitors (new themes bring new buyers). A visitor registers with probability
       ``0.35 + 0.45 * pre_show_quality`` (online, by invitation or through a partner) and then attends
       with probability ``0.6 + 0.35 * buying_power``; walk-ins register on site. An attending visitor
       visits ``1 + Poisson(1 + 5 * on_site_quality + 2 * buying_power)`` stands, chosen with weight
       ``(0.15 + Jaccard(interests)) * sqrt(booth_sqm / 9) * (0.5 + pre) * (0.5 + on)``, where pre and on
       are the exhibitor's experienced pre-show (matchmaking invitations) and on-site quality; every
       visit is a badge scan (a lead).
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
        vis_cols["visitor_id"] += ids.tolist()
        vis_cols["company"] += [f"Buyer Co {i:05d}" for i in ids]
        vis_cols["role"] += [str(r) for r in role]
        vis_cols["company_size"] += [_SIZES[z] for z in size]
        vis_cols["home_industry"] += [INDUSTRIES[i] for i in ind]
        vis_cols["first_edition"] += [edition] * k
        vis_cols["source_partner_id"] += [int(x) if x else None for x in src]
        v = np.zeros((k, n_tags), dtype=bool)
        v[np.arange(k), 2 * ind + rng.integers(0, 2, k)] = True  # one of the home industry's two tags
        extra = np.minimum(rng.poisson(0.8, k), 2)
        for slot in range(2):
            pick = rng.integers(0, n_tags, k)
            v[np.arange(k)[extra > slot], pick[extra > slot]] = True
        vis_tags.extend(list(v))
        base = pd.Series(role).map({"purchasing manager": 0.6, "owner": 0.8, "engineer": 0.35,
                                   "student": 0.05}).to_numpy(float)
        power = base + 0.12 * size + rng.normal(0, 0.15, k)
        power = power + np.where(src > 0, 0.3 * (media_buyer_share[np.maximum(src, 1) - 1] - 0.5), 0.0)
        power = np.clip(power, 0.01, 1.0)
        vis_power.extend(power.tolist())
        vis_buyer_p.extend(np.clip(0.05 + 0.5 * power, 0, 1).tolist())
        return ids

    pool = _new_visitors(n_visitors, 1)

    # --- editions loop ---------------------------------------------------------------------------
    editions, parts, services, regs, scans_all = [], [], [], [], []
    PAIR = 10_000_000
    seen: set[int] = set()

    def pair_seen(pair: np.ndarray) -> np.ndarray:
        """Which exhibitor-visitor pairs met at an earlier edition (then remember this edition's)."""
        out = np.fromiter((x in seen for x in pair.tolist()), dtype=bool, count=len(pair))
        seen.update(pair.tolist())
        return out
    state: dict[int, dict[str, Any]] = {}   # exhibitor -> tenure, distrust, booth option, last scans
    active = np.empty(0, dtype=int)
    decay = 1.0 - novelty_decay * (1.0 - innovation)
    svc = SERVICES.reset_index(drop=True)
    svc_index = {name: k for k, name in enumerate(svc["service"])}
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
        shock = {k: rng.normal(0, 0.08, n_a) for k in ("pre", "on", "post")}  # stage delivered well or badly
        for s_idx, row in svc.iterrows():
            key = _STAGE_KEYS[row["stage"]]
            staff_ids = rng.choice(desk, n_a) if key == "on" else mgr
            served_by[:, s_idx] = staff_ids
            base = q[key] + staff_skill[staff_ids - 1] + shock[key]
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
        pool_power = np.array(vis_power)[pool - 1]
        att = reg & (rng.random(len(pool)) < 0.6 + 0.35 * pool_power)
        walk = (~reg) & (rng.random(len(pool)) < 0.1)
        src_partner = np.array([vis_cols["source_partner_id"][v - 1] or 0 for v in pool])
        channel = np.where(src_partner > 0, "partner",
                           np.where(rng.random(len(pool)) < 0.3 + 0.4 * q["pre"], "invitation", "online"))
        keep_r = reg | walk
        regs.append(pd.DataFrame({"visitor_id": pool[keep_r].astype(int), "edition": e,
                                  "channel": np.where(reg, channel, "on-site")[keep_r].astype(object),
                                  "attended": (att | walk)[keep_r]}))
        attending = pool[att | walk]

        # badge scans: Gumbel top-k sampling of stands per visitor
        V = np.array([vis_tags[v - 1] for v in attending])
        inter = V.astype(float) @ E.T.astype(float)
        union = V.sum(1)[:, None] + E.sum(1)[None, :] - inter
        jac = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
        w = (0.15 + jac) * (np.sqrt(sqm / 9.0) * (0.5 + stage_q["pre"]) * (0.5 + stage_q["on"]))[None, :]
        keys = np.log(w) - np.log(-np.log(rng.random(w.shape)))
        att_power = np.array(vis_power)[attending - 1]
        k_vis = np.minimum(1 + rng.poisson(1 + 5 * q["on"] + 2 * att_power), n_a)
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
        repeat = pair_seen(pair)
        power = np.array(vis_power)[vis_ids - 1]
        worth = power * np.where(jac[rv, ci] > 0, 1.0, 0.3) * np.where(repeat, 0.25, 1.0)
        units = np.bincount(ci, weights=worth, minlength=n_a)
        n_scans = np.bincount(ci, minlength=n_a)
        scans_all.append(pd.DataFrame({"scan_id": scan_id + 1 + np.arange(len(vis_ids)), "edition": e,
                                       "visitor_id": vis_ids.astype(int), "exhibitor_id": ex_ids.astype(int)}))
        scan_id += len(vis_ids)

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
        n_s = len(svc)
        fee_s = np.zeros((n_a, n_s))
        fee_s[:, svc_index["stand construction"]] = sqm * _BUILD_COST_PER_SQM
        fee_s[:, svc_index["events"]] = _EVENT_FEE
        fee_s[:, svc_index["move-out"]] = sqm * _MOVE_OUT_FEE_PER_SQM
        services.append(pd.DataFrame({
            "service_id": service_id + 1 + np.arange(n_a * n_s),
            "exhibitor_id": np.repeat(active, n_s), "edition": e,
            "stage": np.tile(svc["stage"].to_numpy(object), n_a),
            "service": np.tile(svc["service"].to_numpy(object), n_a),
            "nature": np.tile(svc["nature"].to_numpy(object), n_a),
            "fee": fee_s.ravel().round(2), "staff_id": served_by.ravel(),
            "supplier_id": pd.array(np.where(sup_of.ravel() > 0, sup_of.ravel(), 0), dtype="Int64"),
            "quality": qual.ravel()}))
        service_id += n_a * n_s

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
    registrations = pd.concat(regs, ignore_index=True).sort_values(["edition", "visitor_id"]).reset_index(drop=True)
    registrations["channel"] = registrations["channel"].astype("str")
    badge_scans = pd.concat(scans_all, ignore_index=True)
    pdf = pd.DataFrame(parts)
    participations = pdf[[c for c in pdf.columns if not c.startswith("_")]].copy()
    services_df = pd.concat(services, ignore_index=True)
    services_df["supplier_id"] = services_df["supplier_id"].mask(services_df["supplier_id"] == 0)
    for c in ("stage", "service", "nature"):
        services_df[c] = services_df[c].astype("str")
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


# ----------------------------------------------------------------------------------------------------
# The exhibition system
# ----------------------------------------------------------------------------------------------------
def system_elements() -> pd.DataFrame:
    """The five elements of the exhibition system, whose customer each is, and where the data sits.

    Returns
    -------
    DataFrame
        One row per element: ``element``, ``zh``, ``role`` (course section 7), ``customer_of`` (who
        serves it), ``serves`` (whose customer it is the supplier to) and ``tables`` (where the simulated
        database records it).

    Examples
    --------
    >>> system_elements()["zh"].tolist()
    ['参展商', '展览组织者', '场馆', '展览市场', '观众']
    """
    rows = [
        ("exhibitor", "参展商", "driving layer: rents booths to meet buyers",
         "organiser (booth, services), suppliers (stands, logistics)", "visitors (products)",
         "exhibitors, exhibitor_interests, participations, services"),
        ("organiser", "展览组织者", "industry association or exhibition company that runs the fair",
         "venue (halls), suppliers, partners", "exhibitors and visitors",
         "editions, staff, services"),
        ("venue", "场馆", "the exhibition centre: halls, check-in, cleaning and security",
         "-", "organiser (halls), exhibitors (on-site services)", "editions.venue, services (nature = venue)"),
        ("exhibition market", "展览市场",
         "channel through which exhibitors get information and promote themselves (media, associations)",
         "organiser (co-operation)", "exhibitors and visitors (information)",
         "partners, partner_activities, visitors.source_partner_id"),
        ("visitor", "观众", "professional visitors and end consumers: start and end of the system",
         "exhibitors (products), organiser (the show)", "exhibitors (leads, orders)",
         "visitors, visitor_interests, registrations, badge_scans"),
    ]
    return pd.DataFrame(rows, columns=["element", "zh", "role", "customer_of", "serves", "tables"])


def participation_panel(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per exhibitor and edition with everything the organiser observes about it.

    Parameters
    ----------
    tables : dict of DataFrame
        Needs ``participations``, ``exhibitors``, ``services`` and ``badge_scans`` (as returned by
        :func:`simulate_fair` or read back with :func:`crm_lessons.exhibition_db.read_tables`).

    Returns
    -------
    DataFrame
        ``exhibitor_id``, ``edition``, ``industry``, ``company_size``, ``tenure`` (editions exhibited so
        far, this one included), ``booth_sqm``, ``prev_booth_sqm``, ``booth_fee``, ``n_scans``,
        ``prev_scans``, ``satisfaction``, ``pre_quality``, ``on_quality``, ``post_quality`` (mean audited
        service quality per stage), ``followed_up`` and ``returned`` (exhibited at the next edition;
        missing at the last edition, whose future is unknown).

    Examples
    --------
    >>> tables, _ = simulate_fair(3, seed=0, n_exhibitors=40, new_exhibitors=10, n_visitors=200)
    >>> panel = participation_panel(tables)
    >>> len(panel) == len(tables["participations"])
    True
    """
    where = "participation_panel"
    if not isinstance(tables, dict):
        raise CRMInputError(f"{where}: tables must be the dict of frames simulate_fair returns, "
                            f"got {type(tables).__name__}.")
    for name, cols in {"participations": ["exhibitor_id", "edition", "booth_sqm", "booth_fee", "satisfaction",
                                          "followed_up"],
                       "exhibitors": ["exhibitor_id", "industry", "company_size"],
                       "services": ["exhibitor_id", "edition", "stage", "quality"],
                       "badge_scans": ["exhibitor_id", "edition"]}.items():
        if name not in tables:
            raise CRMInputError(f"{where}: tables lacks {name!r}; pass the dict simulate_fair returns.")
        require_columns(tables[name], cols, where=f"{where} ({name})")
    p = require_frame(tables["participations"], where=where).copy()
    p["followed_up"] = p["followed_up"].astype(bool)
    p = p.sort_values(["exhibitor_id", "edition"]).reset_index(drop=True)
    p = p.merge(tables["exhibitors"][["exhibitor_id", "industry", "company_size"]], on="exhibitor_id", how="left")
    p["tenure"] = p.groupby("exhibitor_id").cumcount() + 1
    scans = tables["badge_scans"].groupby(["exhibitor_id", "edition"]).size().rename("n_scans").reset_index()
    p = p.merge(scans, on=["exhibitor_id", "edition"], how="left")
    p["n_scans"] = p["n_scans"].fillna(0).astype(int)
    sq = (tables["services"].assign(key=lambda d: d["stage"].map(_STAGE_KEYS) + "_quality")
          .pivot_table(index=["exhibitor_id", "edition"], columns="key", values="quality", aggfunc="mean")
          .reset_index())
    sq.columns.name = None
    p = p.merge(sq, on=["exhibitor_id", "edition"], how="left")
    g = p.groupby("exhibitor_id")
    p["prev_booth_sqm"] = g["booth_sqm"].shift(1)
    p["prev_scans"] = g["n_scans"].shift(1)
    nxt = g["edition"].shift(-1)
    last = int(p["edition"].max())
    p["returned"] = pd.array(np.where(p["edition"] >= last, np.nan, (nxt == p["edition"] + 1).astype(float)),
                             dtype="Float64").astype("boolean")
    cols = ["exhibitor_id", "edition", "industry", "company_size", "tenure", "booth_sqm", "prev_booth_sqm",
            "booth_fee", "n_scans", "prev_scans", "satisfaction", "pre_quality", "on_quality", "post_quality",
            "followed_up", "returned"]
    return p[cols]


# ----------------------------------------------------------------------------------------------------
# Retention and the life cycle
# ----------------------------------------------------------------------------------------------------
def cohort_retention(participations: pd.DataFrame, *, how: str = "share") -> pd.DataFrame:
    """Exhibitors of each cohort (first edition) still exhibiting at each later edition.

    Parameters
    ----------
    participations : DataFrame
        One row per exhibitor and edition, columns ``exhibitor_id`` and ``edition``.
    how : {"share", "count"}, default "share"
        Share of the cohort's starting size, or the head count.

    Returns
    -------
    DataFrame
        Index ``cohort`` (first edition), columns the editions; a cohort's own edition is 1.0 (or its
        size); editions before a cohort began are missing.

    Examples
    --------
    >>> p = pd.DataFrame({"exhibitor_id": [1, 1, 2, 3, 3], "edition": [1, 2, 1, 2, 3]})
    >>> cohort_retention(p)  # doctest: +NORMALIZE_WHITESPACE
    edition    1    2    3
    cohort
    1        1.0  0.5  0.0
    2        NaN  1.0  1.0
    """
    where = "cohort_retention"
    _editions(participations, where, unique=False)   # repeated rows cannot change it (drop_duplicates below)
    require_choice(how, "how", ["share", "count"], where=where)
    p = participations[["exhibitor_id", "edition"]].drop_duplicates()
    p = p.assign(cohort=p.groupby("exhibitor_id")["edition"].transform("min"))
    counts = p.pivot_table(index="cohort", columns="edition", values="exhibitor_id", aggfunc="count")
    eds = sorted(p["edition"].unique())
    counts = counts.reindex(columns=eds)
    for c in counts.index:
        counts.loc[c, [e for e in eds if e >= c]] = counts.loc[c, [e for e in eds if e >= c]].fillna(0)
    if how == "count":
        return counts
    size = pd.Series([counts.loc[c, c] for c in counts.index], index=counts.index)
    return counts.div(size, axis=0).round(4)


def renewal_by_edition(participations: pd.DataFrame) -> pd.DataFrame:
    """Exhibitors, renewals, newcomers, losses and booth revenue per edition.

    ``renewal_rate`` at edition *e* is the share of edition *e-1*'s exhibitors who exhibit again at *e*
    (the exhibitor retention rate, 客户保持率).

    Bad input: one row per exhibitor and edition (a repeat is an error), no missing ids or editions,
    ``booth_fee`` numbers >= 0 (text fees are an error with the conversion).

    Examples
    --------
    >>> p = pd.DataFrame({"exhibitor_id": [1, 2, 1, 3], "edition": [1, 1, 2, 2], "booth_fee": [10., 20., 10., 5.]})
    >>> renewal_by_edition(p)[["edition", "exhibitors", "renewed", "new", "renewal_rate"]]
       edition  exhibitors  renewed  new  renewal_rate
    0        1           2        0    2           NaN
    1        2           2        1    1           0.5
    """
    where = "renewal_by_edition"
    _editions(participations, where, numeric=["booth_fee"])
    eds = sorted(participations["edition"].unique())
    sets = {e: set(participations.loc[participations["edition"] == e, "exhibitor_id"]) for e in eds}
    seen: set = set()
    rows = []
    for k, e in enumerate(eds):
        prev = sets[eds[k - 1]] if k else set()
        cur = sets[e]
        renewed = len(cur & prev)
        new = len(cur - seen)
        rows.append((e, len(cur), renewed, new, len(cur) - renewed - new, len(prev - cur) if k else 0,
                     renewed / len(prev) if k and prev else np.nan,
                     float(participations.loc[participations["edition"] == e, "booth_fee"].sum())))
        seen |= cur
    return pd.DataFrame(rows, columns=["edition", "exhibitors", "renewed", "new", "won_back", "lost",
                                       "renewal_rate", "booth_revenue"])


def lifecycle_stages(panel: pd.DataFrame, *, satisfaction_floor: int = 2, scan_drop: float = 0.3) -> pd.DataFrame:
    """Assign each exhibitor's life-cycle stage per edition by transparent rules, with a weakening warning.

    Rules (in this order; the organiser sees only its own data):

    - ``warning`` (weakening, 弱化期): satisfaction <= ``satisfaction_floor``, or badge scans fell by
      ``scan_drop`` or more on the exhibitor's previous edition, or the booth got smaller;
    - otherwise cultivation (培育期) at the first edition, confirmation (确认期) at the second, trust
      (信任期) from the third on;
    - dissolution (消失期): one extra row at the first edition an exhibitor skipped after its last one.

    Parameters
    ----------
    panel : DataFrame
        From :func:`participation_panel` (``exhibitor_id``, ``edition``, ``tenure``, ``satisfaction``,
        ``n_scans``, ``prev_scans``, ``booth_sqm``, ``prev_booth_sqm``, ``returned``).
    satisfaction_floor : int, default 2
        Highest survey answer (1..5) that counts as a warning sign.
    scan_drop : float, default 0.3
        Relative fall in badge scans that counts as a warning sign (0..1).

    Returns
    -------
    DataFrame
        ``exhibitor_id``, ``edition``, ``stage``, ``warning`` (bool), ``returned`` (next edition).

    Examples
    --------
    >>> panel = pd.DataFrame({"exhibitor_id": [1, 1, 1], "edition": [1, 2, 3], "tenure": [1, 2, 3],
    ...     "satisfaction": [4, 4, 2], "n_scans": [20, 21, 19], "prev_scans": [None, 20, 21],
    ...     "booth_sqm": [18, 18, 18], "prev_booth_sqm": [None, 18, 18],
    ...     "returned": pd.array([True, True, None], dtype="boolean")})
    >>> lifecycle_stages(panel)["stage"].tolist()
    ['cultivation', 'confirmation', 'weakening']
    """
    where = "lifecycle_stages"
    need = ["exhibitor_id", "edition", "tenure", "satisfaction", "n_scans", "prev_scans", "booth_sqm",
            "prev_booth_sqm", "returned"]
    require_columns(panel, need, where=where)
    _editions(panel, where)
    require_numeric(panel, [c for c in need if c not in ("exhibitor_id", "returned")], where=where)
    require_no_missing(panel, ["tenure", "satisfaction", "n_scans", "booth_sqm"], where=where)
    satisfaction_floor = int(require_number(satisfaction_floor, "satisfaction_floor", where=where, low=1, high=5))
    scan_drop = require_probability(scan_drop, "scan_drop", where=where)
    p = panel[need].copy()
    prev = p["prev_scans"].astype(float)
    drop = prev.notna() & (p["n_scans"] <= (1 - scan_drop) * prev)
    smaller = p["prev_booth_sqm"].notna() & (p["booth_sqm"] < p["prev_booth_sqm"].astype(float))
    p["warning"] = ((p["satisfaction"] <= satisfaction_floor) | drop | smaller).astype(bool)
    base = np.select([p["tenure"] == 1, p["tenure"] == 2], ["cultivation", "confirmation"], "trust")
    p["stage"] = np.where(p["warning"], "weakening", base)
    last_ed = int(p["edition"].max())
    gone = p[p["returned"].eq(False).fillna(False).astype(bool)]
    diss = pd.DataFrame({"exhibitor_id": gone["exhibitor_id"].to_numpy(),
                         "edition": (gone["edition"] + 1).to_numpy(), "stage": "dissolution", "warning": False})
    diss = diss[diss["edition"] <= last_ed]
    out = pd.concat([p[["exhibitor_id", "edition", "stage", "warning", "returned"]], diss], ignore_index=True)
    out["stage"] = pd.Categorical(out["stage"], categories=STAGES, ordered=True)
    return out.sort_values(["exhibitor_id", "edition"]).reset_index(drop=True)


def warning_quality(stages: pd.DataFrame, truth_participations: pd.DataFrame | None = None) -> pd.DataFrame:
    """How good is the early warning? Precision and recall against what happened later.

    Targets: ``"did not return next edition"`` (observable one edition later) and, when the simulator's
    truth is given, ``"value below cost (truth)"`` (ROC < 1, the course's definition of weakening).
    Only editions with a known next edition are scored.

    Returns
    -------
    DataFrame
        One row per target: ``flagged``, ``positives``, ``hits``, ``precision``, ``recall``,
        ``base_rate`` and ``lift`` (precision / base rate).

    Examples
    --------
    >>> st = pd.DataFrame({"exhibitor_id": [1, 2, 3, 4], "edition": [1, 1, 1, 1], "stage": ["weakening"] * 4,
    ...                    "warning": [True, True, False, False],
    ...                    "returned": pd.array([False, True, True, False], dtype="boolean")})
    >>> warning_quality(st)[["precision", "recall"]].to_numpy().round(2).tolist()
    [[0.5, 0.5]]
    """
    where = "warning_quality"
    require_columns(stages, ["exhibitor_id", "edition", "stage", "warning", "returned"], where=where)
    _editions(stages, where)
    require_no_missing(stages, ["warning", "stage"], where=where)
    s = stages[stages["stage"].astype(str) != "dissolution"]
    s = s[s["returned"].notna()].copy()
    if s.empty:
        raise CRMInputError(f"{where}: no edition with a known next edition; simulate at least 2 editions.")
    targets = {"did not return next edition": ~s["returned"].astype(bool)}
    if truth_participations is not None:
        require_columns(truth_participations, ["exhibitor_id", "edition", "roc"], where=where)
        m = s.merge(truth_participations[["exhibitor_id", "edition", "roc"]], on=["exhibitor_id", "edition"],
                    how="left")
        targets["value below cost (truth)"] = pd.Series((m["roc"] < 1).to_numpy(), index=s.index)
    rows = []
    w = s["warning"].astype(bool)
    for name, y in targets.items():
        y = y.astype(bool)
        hits = int((w & y).sum())
        prec = hits / w.sum() if w.sum() else np.nan
        rec = hits / y.sum() if y.sum() else np.nan
        base = y.mean()
        rows.append((name, int(w.sum()), int(y.sum()), hits, prec, rec, base, prec / base if base else np.nan))
    out = pd.DataFrame(rows, columns=["target", "flagged", "positives", "hits", "precision", "recall",
                                      "base_rate", "lift"])
    return out.round(3)


# ----------------------------------------------------------------------------------------------------
# Satisfaction and services
# ----------------------------------------------------------------------------------------------------
_DRIVERS = ("pre_quality", "on_quality", "post_quality", "log_scans")


def _editions(df: pd.DataFrame, where: str, *, numeric: list[str] | tuple[str, ...] = (), unique: bool = True) -> pd.DataFrame:
    """Check a frame with one row per exhibitor and edition: ids and editions present, editions numbers,
    ``numeric`` columns numbers >= 0, and (``unique``) no exhibitor twice in one edition (a copied row
    would count the exhibitor twice and add its fee twice)."""
    require_frame(df, where=where)
    require_columns(df, ["exhibitor_id", "edition", *numeric], where=where)
    require_no_missing(df, ["exhibitor_id", "edition"], where=where)   # a missing id is not an exhibitor
    require_numeric(df, ["edition"], where=where)
    if numeric:
        require_non_negative(df, list(numeric), where=where)
    if unique:
        require_unique_key(df, ["exhibitor_id", "edition"], where=where, what="exhibitor and edition")
    return df


def _design(panel: pd.DataFrame, features, where: str) -> pd.DataFrame:
    features = list(features)
    base = [f for f in features if f != "log_scans"] + (["n_scans"] if "log_scans" in features else [])
    require_columns(panel, base, where=where)
    require_frame(panel, where=where)
    require_numeric(panel, base, where=where)
    X = pd.DataFrame(index=panel.index)
    for f in features:
        X[f] = np.log1p(panel["n_scans"].astype(float)) if f == "log_scans" else panel[f].astype(float)
    if X.isna().any().any():
        bad = X.columns[X.isna().any()].tolist()
        raise CRMInputError(f"{where}: feature(s) {bad} have missing values; drop those rows first.")
    return X


def satisfaction_drivers(panel: pd.DataFrame, *, features=_DRIVERS) -> pd.DataFrame:
    """Drivers of exhibitor satisfaction: an ordered logit (the 1..5 survey scale is ordinal) beside OLS.

    The ordered logit (``statsmodels`` ``OrderedModel``, logit link) treats the answers as ordered
    categories cut from a latent score; OLS treats 1..5 as numbers with equal steps. The ratio
    ``ordered / ols`` is roughly constant when OLS gets the ranking of drivers right; the ordered
    coefficients are on the latent scale the simulator uses, so they can be checked against its truth.

    Parameters
    ----------
    panel : DataFrame
        From :func:`participation_panel`; needs ``satisfaction`` and the features.
    features : sequence of str
        Columns of ``panel``; ``"log_scans"`` means ``log(1 + n_scans)``.

    Returns
    -------
    DataFrame
        One row per feature: ``ordered_coef``, ``ordered_se``, ``ordered_p``, ``ols_coef``, ``ols_se``,
        ``ols_p``, ``ratio``.

    Examples
    --------
    >>> tables, _ = simulate_fair(4, seed=0)
    >>> d = satisfaction_drivers(participation_panel(tables))
    >>> bool((d.loc[["pre_quality", "on_quality"], "ordered_coef"] > 0).all())
    True
    """
    import statsmodels.api as sm
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    where = "satisfaction_drivers"
    require_columns(panel, ["satisfaction"], where=where)
    require_numeric(panel, ["satisfaction"], where=where)
    require_no_missing(panel, ["satisfaction"], where=where)
    X = _design(panel, features, where)
    require_varies(X, list(X.columns), where=where, why="a constant driver has no coefficient")
    y = panel["satisfaction"].astype(int)
    if y.nunique() < 3:
        raise CRMInputError(f"{where}: satisfaction takes fewer than 3 distinct values; an ordered model "
                            "needs more variation (simulate more exhibitors).")
    cats = sorted(y.unique())
    endog = pd.Series(pd.Categorical(y, categories=cats, ordered=True), index=y.index)
    om = OrderedModel(endog, X, distr="logit").fit(method="bfgs", disp=False, maxiter=500)
    ols = sm.OLS(y.astype(float), sm.add_constant(X)).fit()
    out = pd.DataFrame({
        "ordered_coef": om.params[X.columns], "ordered_se": om.bse[X.columns], "ordered_p": om.pvalues[X.columns],
        "ols_coef": ols.params[X.columns], "ols_se": ols.bse[X.columns], "ols_p": ols.pvalues[X.columns],
    })
    out["ratio"] = out["ordered_coef"] / out["ols_coef"]
    out.index.name = "feature"
    return out


def service_effects(panel: pd.DataFrame) -> pd.DataFrame:
    """Services by stage (pre-show, on-site, post-show) and what their quality does.

    For each stage: the mean audited quality; mean satisfaction and renewal rate when the stage's
    quality was below vs at or above its median; and the stage's coefficient in a logit of renewal on
    the three stage qualities (statsmodels), with the change in renewal probability for +0.1 quality at
    the sample mean.

    Examples
    --------
    >>> tables, _ = simulate_fair(4, seed=0)
    >>> list(service_effects(participation_panel(tables))["stage"])
    ['pre-show', 'on-site', 'post-show']
    """
    import statsmodels.api as sm

    where = "service_effects"
    cols = ["pre_quality", "on_quality", "post_quality"]
    require_columns(panel, cols + ["satisfaction", "returned"], where=where)
    require_numeric(panel, cols + ["satisfaction"], where=where)
    require_no_missing(panel, cols + ["satisfaction"], where=where)
    p = panel[panel["returned"].notna()]
    if p.empty or p["returned"].astype(bool).nunique() < 2:
        raise CRMInputError(f"{where}: need exhibitors both returning and not; simulate at least 2 editions.")
    y = p["returned"].astype(bool).astype(float)
    X = sm.add_constant(p[cols].astype(float))
    fit = sm.Logit(y, X).fit(disp=False)
    pbar = float(fit.predict(X).mean())
    rows = []
    for stage, c in zip(["pre-show", "on-site", "post-show"], cols):
        hi = p[c] >= p[c].median()
        rows.append((stage, p[c].mean(), p.loc[~hi, "satisfaction"].mean(), p.loc[hi, "satisfaction"].mean(),
                     y[~hi].mean(), y[hi].mean(), fit.params[c], fit.pvalues[c],
                     fit.params[c] * 0.1 * pbar * (1 - pbar)))
    return pd.DataFrame(rows, columns=["stage", "mean_quality", "satisfaction_low", "satisfaction_high",
                                       "renewal_low", "renewal_high", "logit_coef", "logit_p",
                                       "renewal_per_0.1_quality"]).round(4)


# ----------------------------------------------------------------------------------------------------
# Visitors: lead scores and matchmaking
# ----------------------------------------------------------------------------------------------------
_ROLE_POINTS = {"owner": 3, "purchasing manager": 3, "engineer": 1, "student": 0}
_SIZE_POINTS = {"small": 0, "medium": 1, "large": 2}


def lead_scores(visitors: pd.DataFrame, registrations: pd.DataFrame, badge_scans: pd.DataFrame) -> pd.DataFrame:
    """Score professional visitors as leads by transparent points.

    Points: role (owner or purchasing manager 3, engineer 1, student 0); company size (small 0, medium 1,
    large 2); editions attended (1 each, at most 3); stands visited per attendance (1 point per 4 scans,
    at most 2). Grades: A (score >= 7), B (4-6), C (below 4).

    Returns
    -------
    DataFrame
        ``visitor_id``, ``role_pts``, ``size_pts``, ``attended``, ``scans``, ``attend_pts``, ``scan_pts``,
        ``score``, ``grade``; sorted by score (highest first, then ``visitor_id``).

    Examples
    --------
    >>> v = pd.DataFrame({"visitor_id": [1, 2], "role": ["owner", "student"], "company_size": ["large", "small"]})
    >>> r = pd.DataFrame({"visitor_id": [1, 2], "edition": [1, 1], "attended": [True, True]})
    >>> s = pd.DataFrame({"visitor_id": [1] * 8, "edition": [1] * 8})
    >>> lead_scores(v, r, s)[["visitor_id", "score", "grade"]].to_numpy().tolist()
    [[1, 8, 'A'], [2, 1, 'C']]
    """
    where = "lead_scores"
    require_columns(visitors, ["visitor_id", "role", "company_size"], where=f"{where} (visitors)")
    require_frame(visitors, where=f"{where} (visitors)")
    require_columns(registrations, ["visitor_id", "edition", "attended"], where=f"{where} (registrations)")
    require_columns(badge_scans, ["visitor_id", "edition"], where=f"{where} (badge_scans)")
    v = visitors[["visitor_id", "role", "company_size"]].copy()
    unknown = sorted(set(v["role"]) - set(_ROLE_POINTS))
    if unknown:
        raise CRMInputError(f"{where}: unknown role(s) {unknown}; expected {sorted(_ROLE_POINTS)}.")
    v["role_pts"] = v["role"].map(_ROLE_POINTS).astype(int)
    v["size_pts"] = v["company_size"].map(_SIZE_POINTS).fillna(0).astype(int)
    att = registrations[registrations["attended"].astype(bool)].groupby("visitor_id").size()
    sc = badge_scans.groupby("visitor_id").size()
    v["attended"] = v["visitor_id"].map(att).fillna(0).astype(int)
    v["scans"] = v["visitor_id"].map(sc).fillna(0).astype(int)
    v["attend_pts"] = v["attended"].clip(upper=3)
    per = np.where(v["attended"] > 0, v["scans"] / v["attended"].clip(lower=1), 0.0)
    v["scan_pts"] = np.minimum(per // 4, 2).astype(int)
    v["score"] = v[["role_pts", "size_pts", "attend_pts", "scan_pts"]].sum(axis=1).astype(int)
    v["grade"] = np.select([v["score"] >= 7, v["score"] >= 4], ["A", "B"], "C")
    v = v.drop(columns=["role", "company_size"])
    return v.sort_values(["score", "visitor_id"], ascending=[False, True]).reset_index(drop=True)


def interest_similarity(exhibitor_interests: pd.DataFrame, visitor_interests: pd.DataFrame, *,
                        method: str = "jaccard") -> pd.DataFrame:
    """Similarity of every exhibitor's and visitor's interest sets (Jaccard or cosine).

    Jaccard = |A ∩ B| / |A ∪ B|; cosine = |A ∩ B| / sqrt(|A| |B|) for sets.

    Returns
    -------
    DataFrame
        Exhibitors (index ``exhibitor_id``) by visitors (columns ``visitor_id``), values in [0, 1].

    Examples
    --------
    >>> ex = pd.DataFrame({"exhibitor_id": [1, 1], "tag": ["IoT", "ERP"]})
    >>> vi = pd.DataFrame({"visitor_id": [7, 8], "tag": ["IoT", "metals"]})
    >>> interest_similarity(ex, vi).round(3).to_numpy().tolist()
    [[0.5, 0.0]]
    """
    where = "interest_similarity"
    require_columns(exhibitor_interests, ["exhibitor_id", "tag"], where=f"{where} (exhibitor_interests)")
    require_columns(visitor_interests, ["visitor_id", "tag"], where=f"{where} (visitor_interests)")
    require_frame(exhibitor_interests, where=where)
    require_frame(visitor_interests, where=where)
    require_choice(method, "method", ["jaccard", "cosine"], where=where)
    require_no_missing(exhibitor_interests, ["exhibitor_id", "tag"], where=f"{where} (exhibitor_interests)")
    require_no_missing(visitor_interests, ["visitor_id", "tag"], where=f"{where} (visitor_interests)")
    check_join_keys(exhibitor_interests, visitor_interests, "tag", where=where, left_name="exhibitor_interests",
                    right_name="visitor_interests", report_unmatched=False)
    tags = sorted(set(exhibitor_interests["tag"]) | set(visitor_interests["tag"]))
    E = pd.crosstab(exhibitor_interests["exhibitor_id"], exhibitor_interests["tag"]).reindex(
        columns=tags, fill_value=0).clip(upper=1)
    V = pd.crosstab(visitor_interests["visitor_id"], visitor_interests["tag"]).reindex(
        columns=tags, fill_value=0).clip(upper=1)
    inter = E.to_numpy(float) @ V.to_numpy(float).T
    a = E.sum(axis=1).to_numpy(float)[:, None]
    b = V.sum(axis=1).to_numpy(float)[None, :]
    sim = inter / (a + b - inter) if method == "jaccard" else inter / np.sqrt(a * b)
    out = pd.DataFrame(sim, index=E.index, columns=V.index)
    out.index.name, out.columns.name = "exhibitor_id", "visitor_id"
    return out


def recommend_matches(similarity: pd.DataFrame, *, top: int = 5, exclude: pd.DataFrame | None = None,
                      exhibitors=None) -> pd.DataFrame:
    """Recommend the ``top`` visitors each exhibitor should meet (business matchmaking).

    Parameters
    ----------
    similarity : DataFrame
        From :func:`interest_similarity`.
    top : int, default 5
        Visitors per exhibitor.
    exclude : DataFrame, optional
        Pairs already met (``exhibitor_id``, ``visitor_id``, e.g. past badge scans); not recommended again.
    exhibitors : list, optional
        Only these exhibitors.

    Returns
    -------
    DataFrame
        ``exhibitor_id``, ``rank`` (1 = best), ``visitor_id``, ``similarity``; ties broken by visitor id.

    Examples
    --------
    >>> sim = pd.DataFrame([[0.5, 0.9, 0.1]], index=pd.Index([1], name="exhibitor_id"),
    ...                    columns=pd.Index([7, 8, 9], name="visitor_id"))
    >>> recommend_matches(sim, top=2)["visitor_id"].tolist()
    [8, 7]
    """
    where = "recommend_matches"
    require_frame(similarity, where=where)
    top = require_positive_int(top, "top", where=where)
    s = similarity if exhibitors is None else similarity.loc[list(exhibitors)]
    long = s.stack().rename("similarity").reset_index()
    long.columns = ["exhibitor_id", "visitor_id", "similarity"]
    if exclude is not None:
        require_columns(exclude, ["exhibitor_id", "visitor_id"], where=f"{where} (exclude)")
        met = exclude[["exhibitor_id", "visitor_id"]].drop_duplicates().assign(_met=True)
        long = long.merge(met, on=["exhibitor_id", "visitor_id"], how="left")
        long = long[long["_met"].isna()].drop(columns="_met")
    long = long[long["similarity"] > 0]
    long = long.sort_values(["exhibitor_id", "similarity", "visitor_id"], ascending=[True, False, True])
    long["rank"] = long.groupby("exhibitor_id").cumcount() + 1
    out = long[long["rank"] <= top][["exhibitor_id", "rank", "visitor_id", "similarity"]]
    return out.reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------
# Exhibitor value from renewal probability
# ----------------------------------------------------------------------------------------------------
_RENEWAL_FEATURES = ("satisfaction", "log_scans", "scan_change", "downsized", "tenure", "followed_up")


def _renewal_design(panel: pd.DataFrame, features, where: str) -> pd.DataFrame:
    require_columns(panel, ["satisfaction", "n_scans", "prev_scans", "booth_sqm", "prev_booth_sqm", "tenure",
                            "followed_up"], where=where)
    X = pd.DataFrame(index=panel.index)
    prev = panel["prev_scans"].astype(float)
    allf = {
        "satisfaction": panel["satisfaction"].astype(float),
        "log_scans": np.log1p(panel["n_scans"].astype(float)),
        "scan_change": (np.log1p(panel["n_scans"].astype(float)) - np.log1p(prev)).fillna(0.0),
        "downsized": (panel["booth_sqm"] < panel["prev_booth_sqm"].astype(float)).astype(float),
        "tenure": panel["tenure"].astype(float),
        "followed_up": panel["followed_up"].astype(bool).astype(float),
    }
    for f in features:
        if f not in allf:
            raise CRMInputError(f"{where}: unknown feature {f!r}; choose from {sorted(allf)}.")
        X[f] = allf[f]
    return X


class RenewalModel:
    """Logit model of an exhibitor's renewal (exhibiting again next edition) from observed data.

    Parameters
    ----------
    features : sequence of str
        Any of ``satisfaction``, ``log_scans`` (log 1 + badge scans), ``scan_change`` (change in log scans
        on the previous edition), ``downsized`` (smaller booth than last time), ``tenure``,
        ``followed_up``.

    Attributes
    ----------
    result_ : statsmodels results of the fitted logit.
    coef_ : Series of fitted coefficients (with ``const``).

    Examples
    --------
    >>> tables, _ = simulate_fair(4, seed=0)
    >>> m = RenewalModel().fit(participation_panel(tables))
    >>> bool(m.coef_["satisfaction"] > 0)
    True
    """

    def __init__(self, features=_RENEWAL_FEATURES):
        self.features = list(features)

    def fit(self, panel: pd.DataFrame) -> RenewalModel:
        """Fit on rows whose next edition is known (``returned`` not missing)."""
        import statsmodels.api as sm

        where = "RenewalModel.fit"
        require_columns(panel, ["returned"], where=where)
        p = require_frame(panel, where=where)
        p = p[p["returned"].notna()]
        y = p["returned"].astype(bool).astype(float)
        if y.nunique() < 2:
            raise CRMInputError(f"{where}: need both renewing and lapsing exhibitors; simulate >= 2 editions.")
        X = _renewal_design(p, self.features, where)
        if "followed_up" in X and X["followed_up"].nunique() < 2:
            X = X.drop(columns="followed_up")
        self.used_features_ = list(X.columns)
        self.result_ = sm.Logit(y, sm.add_constant(X)).fit(disp=False)
        self.coef_ = self.result_.params
        return self

    def predict(self, panel: pd.DataFrame) -> pd.Series:
        """Renewal probability for each row of ``panel``."""
        import statsmodels.api as sm

        if not hasattr(self, "result_"):
            raise CRMInputError("RenewalModel.predict: call fit(panel) first.")
        X = _renewal_design(require_frame(panel, where="RenewalModel.predict"), self.used_features_,
                            "RenewalModel.predict")
        return pd.Series(self.result_.predict(sm.add_constant(X, has_constant="add")), index=panel.index,
                         name="p_renew")


def exhibitor_value(panel: pd.DataFrame, p_renew, *, horizon: int = 5, discount_rate: float = 0.10,
                    price_change: float = 0.0) -> pd.DataFrame:
    """Expected future booth revenue of each exhibitor from its renewal probability.

    ``value = booth_fee * sum_{t=1..horizon} (p * (1 + price_change) / (1 + discount_rate)) ** t``: the
    exhibitor must renew every year to keep paying (retention-based customer lifetime value).

    Examples
    --------
    >>> exhibitor_value(pd.DataFrame({"exhibitor_id": [1], "booth_fee": [1000.0]}), [0.5], horizon=2,
    ...                 discount_rate=0.0)["expected_value"].tolist()
    [750.0]
    """
    where = "exhibitor_value"
    require_columns(panel, ["exhibitor_id", "booth_fee"], where=where)
    require_frame(panel, where=where)
    require_non_negative(panel, ["booth_fee"], where=where)
    require_no_missing(panel, ["exhibitor_id", "booth_fee"], where=where)
    horizon = require_positive_int(horizon, "horizon", where=where)
    discount_rate = require_number(discount_rate, "discount_rate", where=where, low=0, high=1)
    price_change = require_number(price_change, "price_change", where=where, low=-0.5, high=1)
    p = np.asarray(p_renew, dtype=float)
    if p.shape != (len(panel),):
        raise CRMInputError(f"{where}: p_renew has {p.size} values for {len(panel)} rows; pass one per row.")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise CRMInputError(f"{where}: p_renew must be probabilities in [0, 1] without missing values.")
    r = p * (1 + price_change) / (1 + discount_rate)
    mult = sum(r ** t for t in range(1, horizon + 1))
    out = panel[["exhibitor_id", "booth_fee"]].copy()
    out["p_renew"] = p
    out["expected_value"] = (panel["booth_fee"].to_numpy(float) * mult).round(2)
    return out.sort_values(["expected_value", "exhibitor_id"], ascending=[False, True]).reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------
# Pre-show invitations and strategies
# ----------------------------------------------------------------------------------------------------
def invitation_targets(tables: dict[str, pd.DataFrame], *, top: int = 10) -> pd.DataFrame:
    """Whom to invite to the next edition, from data already held (pre-show service, 展前服务).

    - **Exhibitors** who lapsed (skipped the last edition) but left satisfied (last survey >= 3):
      ranked by last satisfaction, then badge scans per m2 at their last edition (win-back).
    - **Professional visitors** graded A by :func:`lead_scores` who did not attend the last edition,
      ranked by score (re-activation), then visitor id.
    - **Media and associations** ranked by the visitors they referred to the last edition who attended,
      then by those referrals' mean lead score.

    Returns
    -------
    DataFrame
        ``kind`` (exhibitor, professional visitor, partner), ``id``, ``name``, ``score``, ``reason``;
        at most ``top`` per kind.

    Examples
    --------
    >>> tables, _ = simulate_fair(3, seed=0, n_exhibitors=80, n_visitors=300)
    >>> sorted(invitation_targets(tables, top=3)["kind"].unique())
    ['exhibitor', 'partner', 'professional visitor']
    """
    where = "invitation_targets"
    top = require_positive_int(top, "top", where=where)
    for name in ["participations", "exhibitors", "visitors", "registrations", "badge_scans", "partners"]:
        if name not in tables:
            raise CRMInputError(f"{where}: tables lacks {name!r}; pass the dict simulate_fair returns.")
    part = tables["participations"]
    last = int(part["edition"].max())
    scans = tables["badge_scans"].groupby(["exhibitor_id", "edition"]).size().rename("n_scans").reset_index()
    lastp = (part.sort_values("edition").groupby("exhibitor_id").tail(1)
             .merge(scans, on=["exhibitor_id", "edition"], how="left"))
    lastp["n_scans"] = lastp["n_scans"].fillna(0)
    lapsed = lastp[(lastp["edition"] < last) & (lastp["satisfaction"] >= 3)].copy()
    lapsed["per_sqm"] = lapsed["n_scans"] / lapsed["booth_sqm"]
    lapsed = lapsed.sort_values(["satisfaction", "per_sqm", "exhibitor_id"], ascending=[False, False, True]).head(top)
    lapsed = lapsed.merge(tables["exhibitors"][["exhibitor_id", "name"]], on="exhibitor_id")
    ex = pd.DataFrame({"kind": "exhibitor", "id": lapsed["exhibitor_id"], "name": lapsed["name"],
                       "score": lapsed["per_sqm"].round(3),
                       "reason": [f"left after edition {e} with satisfaction {s}" for e, s in
                                  zip(lapsed["edition"], lapsed["satisfaction"])]})
    leads = lead_scores(tables["visitors"], tables["registrations"], tables["badge_scans"])
    reg = tables["registrations"]
    at_last = set(reg.loc[(reg["edition"] == last) & reg["attended"].astype(bool), "visitor_id"])
    cand = leads[(leads["grade"] == "A") & ~leads["visitor_id"].isin(at_last)].head(top)
    cand = cand.merge(tables["visitors"][["visitor_id", "company"]], on="visitor_id")
    vi = pd.DataFrame({"kind": "professional visitor", "id": cand["visitor_id"], "name": cand["company"],
                       "score": cand["score"].astype(float),
                       "reason": [f"A-grade lead, attended {a} edition(s), missed the last" for a in cand["attended"]]})
    v = tables["visitors"][["visitor_id", "source_partner_id"]].dropna(subset=["source_partner_id"])
    v = v[v["visitor_id"].isin(at_last)].merge(leads[["visitor_id", "score"]], on="visitor_id")
    ref = v.groupby("source_partner_id").agg(referred=("visitor_id", "size"), mean_score=("score", "mean"))
    ref = ref.reset_index().rename(columns={"source_partner_id": "partner_id"}).astype({"partner_id": "int64"})
    ref = tables["partners"][["partner_id", "name", "partner_type"]].merge(ref, on="partner_id", how="left").fillna(
        {"referred": 0, "mean_score": 0.0})
    ref = ref.sort_values(["referred", "mean_score", "partner_id"], ascending=[False, False, True]).head(top)
    pa = pd.DataFrame({"kind": "partner", "id": ref["partner_id"], "name": ref["name"],
                       "score": ref["referred"].astype(float),
                       "reason": [f"{t}: {int(r)} attending visitors referred, mean lead score {m:.1f}"
                                  for t, r, m in zip(ref["partner_type"], ref["referred"], ref["mean_score"])]})
    return pd.concat([ex, vi, pa], ignore_index=True)


_STRATEGY = {
    "cultivation": ("acquisition strategy", "获取策略",
                    "promote the show, keep the service level high, make the first show pay"),
    "confirmation": ("retention strategy", "保持策略",
                     "track needs, care about the exhibitor's and its visitors' returns, post-show survey"),
    "trust": ("loyalty strategy", "忠诚策略",
              "right targets, satisfying experience, incentives, help them profit, emotional ties"),
    "weakening": ("maintenance strategy", "维护策略",
                  "keep old customers so the advantage lasts; find exactly where profitable customers come from "
                  "(course material M5)"),
    "dissolution": ("acquisition strategy", "获取策略", "win back: invite with evidence of new visitors and value"),
}


def strategy_table(stages: pd.DataFrame, panel: pd.DataFrame | None = None, *, edition: int | None = None) -> pd.DataFrame:
    """Tie each life-cycle stage to one of the four strategy families, with head counts and revenue at stake.

    Parameters
    ----------
    stages : DataFrame
        From :func:`lifecycle_stages`.
    panel : DataFrame, optional
        From :func:`participation_panel`, to add the booth revenue of each stage's exhibitors.
    edition : int, optional
        Edition to describe (default: the last).

    Examples
    --------
    >>> st = pd.DataFrame({"exhibitor_id": [1, 2], "edition": [1, 1], "stage": ["cultivation", "weakening"]})
    >>> strategy_table(st)[["stage", "exhibitors", "strategy"]].to_numpy().tolist()[:2]
    [['cultivation', 1, 'acquisition strategy'], ['confirmation', 0, 'retention strategy']]
    """
    where = "strategy_table"
    require_columns(stages, ["exhibitor_id", "edition", "stage"], where=where)
    _editions(stages, where)
    ed = int(stages["edition"].max()) if edition is None else require_positive_int(edition, "edition", where=where)
    s = stages[stages["edition"] == ed]
    counts = s["stage"].astype(str).value_counts()
    rev = None
    if panel is not None:
        _editions(panel, f"{where} (panel)", numeric=["booth_fee"])
        m = s.merge(panel[["exhibitor_id", "edition", "booth_fee"]], on=["exhibitor_id", "edition"], how="left")
        rev = m.groupby(m["stage"].astype(str))["booth_fee"].sum()
    rows = []
    for st in STAGES:
        fam, zh, act = _STRATEGY[st]
        row = {"stage": st, "exhibitors": int(counts.get(st, 0)), "strategy": fam, "strategy_zh": zh, "actions": act}
        if rev is not None:
            row["booth_revenue"] = float(rev.get(st, 0.0))
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------------
# Outcomes of a run and of a policy (case study, widget)
# ----------------------------------------------------------------------------------------------------
def fair_outcomes(tables: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Key results of a simulated run as a flat dict (for ``runner.save_results``).

    Keys: ``renewal_rate_e2`` ... ``renewal_rate_eN``, ``renewal_rate_mean``, ``booth_revenue_total``,
    ``booth_revenue_final``, ``exhibitors_final``, ``satisfaction_mean``, ``weakening_exhibitors`` (truly
    weakening participations before the last edition), ``weakening_returned`` (of those, how many came
    back), ``weakening_recovered`` (followed up and came back) and ``followed_up``.

    Examples
    --------
    >>> out = fair_outcomes(*simulate_fair(3, seed=0, n_exhibitors=50, n_visitors=200))
    >>> sorted(k for k in out if k.startswith("renewal_rate_e"))
    ['renewal_rate_e2', 'renewal_rate_e3']
    """
    where = "fair_outcomes"
    if "participations" not in tables or "participations" not in truth:
        raise CRMInputError(f"{where}: pass both values simulate_fair returns (tables, truth).")
    part = tables["participations"]
    ren = renewal_by_edition(part)
    out: dict[str, float] = {}
    for e, r in zip(ren["edition"], ren["renewal_rate"]):
        if e > 1:
            out[f"renewal_rate_e{int(e)}"] = round(float(r), 4)
    rates = ren["renewal_rate"].dropna()
    out["renewal_rate_mean"] = round(float(rates.mean()), 4) if len(rates) else float("nan")
    out["booth_revenue_total"] = round(float(part["booth_fee"].sum()), 2)
    out["booth_revenue_final"] = round(float(ren["booth_revenue"].iloc[-1]), 2)
    out["exhibitors_final"] = int(ren["exhibitors"].iloc[-1])
    out["satisfaction_mean"] = round(float(part["satisfaction"].mean()), 4)
    t = truth["participations"].merge(part[["exhibitor_id", "edition", "followed_up"]], on=["exhibitor_id", "edition"])
    known = t[t["returned"].notna()]
    weak = known[known["stage"] == "weakening"]
    out["weakening_exhibitors"] = int(len(weak))
    out["weakening_returned"] = int(weak["returned"].astype(bool).sum())
    out["weakening_recovered"] = int((weak["returned"].astype(bool) & weak["followed_up"].astype(bool)).sum())
    out["followed_up"] = int(known["followed_up"].astype(bool).sum())
    return out


def policy_outcomes(n_editions: int = 6, *, seed: int = 0, pre_show_investment: float = 0.0,
                    on_site_investment: float = 0.0, post_show_investment: float = 0.0,
                    booth_price_change: float = 0.0, follow_up_policy: str = "none",
                    cost_per_quality_point: float = 2_000_000.0, follow_up_cost: float = 800.0,
                    **simulate_kwargs) -> tuple[dict[str, float], dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Simulate the fair under a service and pricing policy and add its cost and net revenue.

    Service investment raises a stage's quality above the defaults of :func:`simulate_fair` (pre-show
    0.6, on-site 0.6, post-show 0.5) by the given points, capped at 1. It costs
    ``cost_per_quality_point * points`` per edition (2 000 000 yuan per full point, i.e. 200 000 per
    +0.1); each follow-up call costs ``follow_up_cost``.

    Returns
    -------
    results : dict
        :func:`fair_outcomes` plus ``service_cost``, ``follow_up_cost_total`` and ``net_revenue``.
    tables, truth : dict of DataFrame
        The simulated run.

    Examples
    --------
    >>> res, _, _ = policy_outcomes(3, seed=0, n_exhibitors=60, n_visitors=300, on_site_investment=0.2)
    >>> res["service_cost"]
    1200000.0
    """
    where = "policy_outcomes"
    inv = {}
    for name, v in [("pre_show_investment", pre_show_investment), ("on_site_investment", on_site_investment),
                    ("post_show_investment", post_show_investment)]:
        inv[name] = require_probability(v, name, where=where)
    cost_per_quality_point = require_number(cost_per_quality_point, "cost_per_quality_point", where=where, low=0)
    follow_up_cost = require_number(follow_up_cost, "follow_up_cost", where=where, low=0)
    tables, truth = simulate_fair(
        n_editions, seed=seed, booth_price_change=booth_price_change, follow_up_policy=follow_up_policy,
        pre_show_quality=min(1.0, simulate_kwargs.pop("pre_show_quality", 0.6) + inv["pre_show_investment"]),
        on_site_quality=min(1.0, simulate_kwargs.pop("on_site_quality", 0.6) + inv["on_site_investment"]),
        post_show_quality=min(1.0, simulate_kwargs.pop("post_show_quality", 0.5) + inv["post_show_investment"]),
        **simulate_kwargs)
    res = fair_outcomes(tables, truth)
    n_ed = int(tables["editions"]["edition"].max())
    res["service_cost"] = round(cost_per_quality_point * sum(inv.values()) * n_ed, 2)
    res["follow_up_cost_total"] = round(follow_up_cost * res["followed_up"], 2)
    res["net_revenue"] = round(res["booth_revenue_total"] - res["service_cost"] - res["follow_up_cost_total"], 2)
    return res, tables, truth


def check_retention_parameters(*, editions: Any, seed: Any, pre_show_investment: Any, on_site_investment: Any,
                               post_show_investment: Any, booth_price_change: Any, follow_up_policy: Any
                               ) -> dict[str, Any]:
    """Check the parameters of the case study ``exhibition_retention`` and return them as a dict.

    Each error names the parameter, the bad value and what is expected.

    Examples
    --------
    >>> check_retention_parameters(editions=6, seed=0, pre_show_investment=0.1, on_site_investment=0.0,
    ...     post_show_investment=0.0, booth_price_change=0.0, follow_up_policy="all")["editions"]
    6
    >>> check_retention_parameters(editions=1, seed=0, pre_show_investment=0.1, on_site_investment=0.0,
    ...     post_show_investment=0.0, booth_price_change=0.0, follow_up_policy="all")
    Traceback (most recent call last):
    ...
    crm_lessons._validate.CRMInputError: exhibition_retention: editions must be at least 2, got 1.
    """
    where = "exhibition_retention"
    out: dict[str, Any] = {
        "editions": require_positive_int(editions, "editions", where=where, minimum=2),
        "seed": require_positive_int(seed, "seed", where=where, minimum=0),
    }
    if out["editions"] > 30:
        raise CRMInputError(f"{where}: editions must be at most 30, got {editions!r}.")
    for name, v in [("pre_show_investment", pre_show_investment), ("on_site_investment", on_site_investment),
                    ("post_show_investment", post_show_investment)]:
        out[name] = require_number(v, f"{name} (quality points)", where=where, low=0.0, high=0.5)
    out["booth_price_change"] = require_number(booth_price_change, "booth_price_change", where=where,
                                               low=-0.5, high=1.0)
    out["follow_up_policy"] = require_choice(follow_up_policy, "follow_up_policy", ["none", "weakening", "all"],
                                             where=where)
    return out
