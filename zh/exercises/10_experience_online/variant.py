"""Per-student numbers of exercise set 10 (see ``crm_lessons.grading``): ``numbers(d)`` names each default
(the committed student notebook, variant 0) beside what a student's numbers are drawn from.

Q4 reads the same bad-experience frame for everyone (its options are shuffled per student) and Q8 is a concept
question."""


def numbers(d):
    old5 = d.choice(0.20, [0.15, 0.20, 0.25, 0.30])
    return {
        "orders1": d.int(2, 2, 4),
        "country2": d.choice("France", ["France", "Germany", "EIRE", "Belgium", "Spain", "Netherlands"]),
        "split3": d.choice("2011-07-01", ["2011-04-01", "2011-05-01", "2011-06-01", "2011-07-01", "2011-08-01",
                                          "2011-09-01"]),
        "old5": old5, "new5": round(old5 - d.choice(0.03, [0.02, 0.03, 0.04, 0.05]), 2),
        "questions6": d.int(2000, 1000, 3000) // 100 * 100, "faq6": d.real(0.5, 0.3, 0.6),
        "forum6": d.real(0.2, 0.1, 0.3), "coverage6": d.real(0.6, 0.4, 0.8), "find6": d.real(0.5, 0.4, 0.7),
        "units7": d.choice(100, [50, 100, 150, 200]),
    }
