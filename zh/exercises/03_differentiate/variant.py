"""Per-student numbers of exercise set 03 (see ``crm_lessons.grading``): ``numbers(d)`` names each default
(the committed student notebook, variant 0) beside what a student's numbers are drawn from."""

_K3 = ([900, 610, 520, 470], [0.31, 0.42, 0.36, 0.30])  # k = 2..5: elbow and best silhouette at k = 3
_K4 = ([1040, 820, 560, 515], [0.28, 0.35, 0.44, 0.37])  # ... at k = 4


def numbers(d):
    top, mid = d.real(0.60, 0.50, 0.70), d.real(0.25, 0.15, 0.28)
    inertia, silhouette = d.choice(_K3, [_K3, _K4])
    return {
        "recency5": d.ints([5, 40, 12, 90, 30], 1, 120, distinct=True),
        "frequency5": d.shuffled([1, 1, 1, 2, 3]),
        "monetary5": d.ints([20, 35, 10, 80, 50], 5, 150, distinct=True),
        "spend4": d.ints([100, 50, 20, 10, 5, 5, 4, 3, 2, 1], 1, 150),
        "customers5": d.choice([0.2, 0.3, 0.5], [[0.2, 0.3, 0.5], [0.1, 0.3, 0.6], [0.2, 0.4, 0.4], [0.15, 0.35, 0.5]]),
        "value5": [top, mid, round(1 - top - mid, 2)],
        "budget5": d.choice(50_000, [40_000, 50_000, 60_000, 80_000]),
        "inertia6": list(inertia), "silhouette6": list(silhouette),
    }
