"""Per-student numbers of exercise set 04 (see ``crm_lessons.grading``): ``numbers(d)`` names each default
(the committed student notebook, variant 0) beside what a student's numbers are drawn from."""


def _feelings(d):
    """Five feelings on -5..+5 with one most intense moment (no tie in absolute value)."""
    while True:
        feel = d.ints([1, 2, -4, 1, 3], -5, 5)
        if sorted(abs(x) for x in feel)[-1] != sorted(abs(x) for x in feel)[-2]:
            return feel


def numbers(d):
    weights = ({"interactivity": 1, "speed": 1, "cost per contact": 1} if d.rng is None else
               {"richness": d.int(0, 0, 3), "interactivity": d.int(1, 1, 3), "speed": d.int(1, 0, 3),
                "cost per contact": d.int(1, 0, 3)})
    base3 = d.choice(0.10, [0.05, 0.08, 0.10, 0.12, 0.15])
    n4 = d.choice(2000, [1500, 2000, 2500, 3000])
    rate_a4 = d.real(0.06, 0.04, 0.08, 3)
    return {
        "weights1": weights,
        "sales2": d.int(3_000_000, 2_000_000, 6_000_000) // 1000 * 1000, "pct2": d.choice(0.015, [0.01, 0.015, 0.02, 0.025]),
        "comp_sales2": [d.int(4_000_000, 2_000_000, 6_000_000) // 1000 * 1000, d.int(8_000_000, 6_000_000, 12_000_000) // 1000 * 1000],
        "comp_spend2": [d.int(100_000, 60_000, 150_000) // 1000 * 1000, d.int(140_000, 100_000, 240_000) // 1000 * 1000],
        "letters2": d.int(6000, 3000, 9000) // 100 * 100, "letter_cost2": d.choice(1.10, [0.90, 1.00, 1.10, 1.20]),
        "calls2": d.int(900, 500, 1500) // 10 * 10, "call_cost2": d.choice(3.50, [3.00, 3.50, 4.00]),
        "design2": d.choice(2500, [2000, 2500, 3000]),
        "base3": base3, "target3": round(base3 + d.choice(0.02, [0.01, 0.02, 0.03]), 2),
        "n4": n4, "responses4": [round(n4 * rate_a4), round(n4 * (rate_a4 + d.real(0.015, 0.005, 0.02, 3)))],
        "seed5": d.int(7, 1, 999),
        "margin6": d.choice(30, [30, 60, 80, 100, 150, 200]), "cost6": d.choice(1.0, [0.5, 1.0]),
        "feel7": _feelings(d),
        "seed8": d.int(2, 1, 999),
    }
