"""Per-student numbers of exercise set 06 (see ``crm_lessons.grading``): ``numbers(d)`` names each default
(the committed student notebook, variant 0) beside what a student's numbers are drawn from."""


def numbers(d):
    return {
        "calls1": d.int(240, 120, 360), "aht1": d.int(270, 180, 420),
        "load2": d.int(36, 15, 50), "aht2": d.choice(270, [180, 240, 270, 300, 360]),
        "shrink2": d.choice(0.35, [0.25, 0.30, 0.35, 0.40]),
        "seed3": d.int(42, 1, 9999),
        "segment4": d.choice("new", ["new", "loyal"]),
        "severity5": d.choice("high", ["high", "medium", "low"]),
    }
