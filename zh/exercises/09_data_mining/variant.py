"""Per-student numbers of exercise set 09 (see ``crm_lessons.grading``): ``numbers(d)`` names each default
(the committed student notebook, variant 0) beside what a student's numbers are drawn from."""


def numbers(d):
    mailed1 = d.choice(800, [400, 600, 800, 1000])
    if d.rng is None:
        scores = [0.30, 0.92, 0.15, 0.66, 0.05, 0.81, 0.44, 0.72, 0.20, 0.58]
        bought = [1, 1, 0, 0, 0, 0, 1, 1, 0, 1]
        ages = ["20-29", "20-29", "30-39", "30-39", "30-39", "40-49", "40-49", "50-59"]
        codes = ["100", "100", "200", "200", "300", "100", "100", "200"]
    else:
        scores = sorted({round(float(x), 2) for x in d.rng.uniform(0.01, 0.99, size=30)})
        scores = [scores[int(i)] for i in d.rng.choice(len(scores), size=10, replace=False)]
        bought = [int(x) for x in d.rng.random(10) < 0.5]
        bought[int(d.rng.integers(10))] = 1
        ages = sorted(str(x) for x in d.rng.choice(["20-29", "30-39", "40-49", "50-59"], size=8))
        codes = [str(x) for x in d.rng.choice(["100", "200", "300"], size=8)]
    return {
        "mailed1": mailed1, "found1": d.int(121, int(mailed1 * 0.08), int(mailed1 * 0.16)),
        "scores2": scores, "bought2": bought, "k2": d.int(4, 3, 5),
        "k3": d.int(5, 4, 6), "letter3": d.choice(2, [1, 2, 3]), "margin3": d.choice(40, [30, 40, 50, 60]),
        "age_band4": ages, "postcode4": codes,
        "letter6": d.choice(1.5, [0.8, 1.0, 1.2, 1.5, 2.0]), "margin6": d.choice(30, [20, 25, 30, 40]),
        "sd6": d.real(2.0, 1.0, 4.0, 1),
    }
