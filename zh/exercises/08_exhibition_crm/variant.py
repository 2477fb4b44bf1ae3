"""Per-student numbers of exercise set 08 (see ``crm_lessons.grading``): ``numbers(d)`` names each default
(the committed student notebook, variant 0) beside what a student's numbers are drawn from."""

_TOPICS = ["IoT", "ERP", "sensors", "metals", "freight", "robots", "cloud", "plastics"]


def numbers(d):
    flagged5 = d.int(40, 25, 60)
    hits5 = d.int(18, 8, flagged5 - 5)
    prev4 = d.int(30, 20, 50)
    if d.rng is None:
        exhibitor6, visitor6 = ["IoT", "ERP", "sensors"], ["IoT", "sensors", "metals", "freight"]
    else:
        exhibitor6 = sorted(str(x) for x in d.rng.choice(_TOPICS, size=3, replace=False))
        visitor6 = sorted(str(x) for x in d.rng.choice(_TOPICS, size=4, replace=False))
    scans4 = d.int(18, max(1, prev4 // 3), prev4)
    scans4 += 1 if scans4 * 10 == prev4 * 7 else 0  # not exactly on the 30 % line
    return {
        "seed_fair": d.int(3, 1, 999),
        "prev4": prev4, "scans4": scans4,
        "flagged5": flagged5, "hits5": hits5, "left5": d.int(45, max(30, hits5), 70),
        "exhibitor6": exhibitor6, "visitor6": visitor6,
        "fee7": d.int(36_000, 20_000, 60_000) // 1000 * 1000, "renew7": d.real(0.8, 0.6, 0.9),
        "discount7": d.choice(0.1, [0.08, 0.1, 0.12]),
    }
