"""Per-student numbers of exercise set 01 (see ``crm_lessons.grading``): ``numbers(d)`` names each default
(the committed student notebook, variant 0) beside the range a student's numbers are drawn from."""


def numbers(d):
    r4 = d.real(0.6, 0.45, 0.75)
    return {
        "m1": d.int(50, 30, 90), "r1": d.real(0.75, 0.55, 0.85), "i1": d.choice(0.1, [0.08, 0.10, 0.12]),
        "revenue2": d.ints([120, 45, 30, 300, 15, 60, 25, 80, 10, 15], 10, 320),
        "current3": d.ints([120, 15, 10, 90, 5, 60], 5, 150, distinct=True),
        "potential3": d.ints([80, 5, 70, 10, 20, 90], 5, 150, distinct=True),
        "m4": d.int(40, 20, 80), "r4_from": r4, "r4_to": round(r4 + 0.1, 2), "i4": d.choice(0.1, [0.08, 0.10, 0.12]),
        "influence5": d.real(0.15, 0.05, 0.30), "reach5": d.int(12, 5, 20), "spend5": d.int(80, 40, 150),
        "m6": d.int(100, 60, 150), "r6": d.real(0.8, 0.6, 0.9), "i6": d.choice(0.1, [0.08, 0.10, 0.12]),
    }
