"""Per-student numbers of exercise set 13 (see ``crm_lessons.grading``): ``numbers(d)`` names each default
(the committed student notebook, variant 0) beside what a student's numbers are drawn from.

Q5-Q8 ask for the course material's own lists and terms
(the options of every lettered question are shuffled per student, ``grading.shuffle_options``)."""


def numbers(d):
    return {
        "price_a1": [8.0, 7.0, 7.5, 9.0] if d.rng is None else
        [round(float(x) * 2) / 2 for x in d.rng.uniform(5.0, 10.0, size=4)],
        "alpha2": d.choice(0.8, [0.6, 0.7, 0.75, 0.8, 0.85, 0.9]),
        "brand3": d.choice("yoplait", ["yoplait", "dannon", "hiland", "weight"]),
        "min_purchases4": d.choice(5, [3, 4, 5, 6, 8]),
    }
