"""Per-student numbers of exercise set 11 (see ``crm_lessons.grading``): ``numbers(d)`` names each default
(the committed student notebook, variant 0) beside what a student's numbers are drawn from."""


def numbers(d):
    if d.rng is None:
        campaign, y = [1, 1, 1, 1, 2, 2, 2, 3, 3, 5], [1, 0, 0, 1, 1, 0, 1, 0, 1, 0]
    else:
        campaign = sorted(int(x) for x in d.rng.choice([1, 1, 2, 2, 3, 4, 5], size=10))
        campaign[-1] = max(campaign[-1], 2)  # someone is called a second time
        y = [int(x) for x in d.rng.random(10) < 0.4]
    clients5 = d.choice(1000, [800, 1000, 1200, 1500])
    subscribers5, top5 = d.int(100, clients5 // 20, clients5 // 8), d.choice(200, [150, 200, 250])
    return {
        "call1": d.choice(4, [2, 3, 4, 5, 6]), "deposit1": d.choice(80, [50, 60, 80, 100]),
        "p1": [0.02, 0.11, 0.04, 0.30, 0.05, 0.07, 0.01, 0.60] if d.rng is None else
        [round(float(x), 2) for x in d.rng.uniform(0.01, 0.4, size=8)],
        "campaign2": campaign, "y2": y, "cap3": d.int(2, 2, 3),
        "clients5": clients5, "subscribers5": subscribers5, "top5": top5,
        "found5": d.int(60, min(30, subscribers5 // 2), min(70, subscribers5, top5)), "call5": d.choice(5, [3, 4, 5, 6]),
        "revenue6": [120, 45, 30, 20, 15, 10, 8, 5, 4, 3] if d.rng is None else
        sorted((int(x) for x in d.rng.integers(2, 150, size=10)), reverse=True),
        "fair_cash7": d.int(20000, 10000, 40000) // 1000 * 1000, "fair_hours7": d.int(50, 30, 80),
        "fair_leads7": d.int(25, 15, 40), "fair_win7": d.real(0.10, 0.05, 0.20),
        "referral_hours7": d.int(5, 2, 10), "referral_win7": d.real(0.30, 0.2, 0.5),
        "hourly7": d.choice(80, [60, 80, 100]),
    }
