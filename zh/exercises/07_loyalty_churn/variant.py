"""Per-student numbers of exercise set 07 (see ``crm_lessons.grading``): ``numbers(d)`` names each default
(the committed student notebook, variant 0) beside what a student's numbers are drawn from."""


def numbers(d):
    bought1 = d.int(200, 120, 400)
    return {
        "bought1": bought1, "kept1": d.int(50, 30, 100), "new1": d.int(30, 10, 60),
        "stay_a2": d.real(0.8, 0.6, 0.9), "stay_b2": d.real(0.7, 0.5, 0.9),
        "brands3": ["dannon", "dannon", "yoplait", "dannon", "dannon", "dannon"] if d.rng is None else
        [str(x) for x in d.rng.choice(["dannon", "yoplait", "weight watchers"], size=6, p=[0.5, 0.35, 0.15])],
        "p4": d.real(0.4, 0.2, 0.6), "c4": d.int(50, 20, 80), "a4": d.real(0.25, 0.15, 0.40), "clv4": d.int(600, 300, 900),
        "seed5": d.int(3, 1, 999),
        "quarters7": [d.int(2, 1, 4), d.int(3, 0, 4), d.int(1, 0, 4), d.int(0, 0, 4), d.int(0, 0, 4)],
        "which7": d.int(3, 2, 5),
    }
