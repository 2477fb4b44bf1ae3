"""Per-student numbers of exercise set 12 (see ``crm_lessons.grading``): ``numbers(d)`` names each default
(the committed student notebook, variant 0) beside what a student's numbers are drawn from.

Q4-Q9 ask for the course material's own lists and terms: they cannot vary, but the options of every lettered
question are shuffled per student (``grading.shuffle_options``)."""


def numbers(d):
    return {
        "product1": d.int(70, 40, 90), "service1": d.int(10, 5, 20), "price1": d.int(85, 50, 110),
        "minutes1": d.choice(30, [15, 20, 30, 45, 60]), "hourly1": d.choice(12, [10, 12, 15, 20, 24]),
        "quantile2": d.choice(0.8, [0.75, 0.8, 0.85, 0.9]),
        "hourly3": d.choice(30.0, [20.0, 25.0, 30.0, 40.0, 50.0]),
    }
