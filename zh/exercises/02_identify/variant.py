"""Per-student numbers of exercise set 02 (see ``crm_lessons.grading``): ``numbers(d)`` names each default
(the committed student notebook, variant 0) beside what a student's numbers are drawn from."""


def _pairs(d, default, rng_pairs):
    return [tuple(p) for p in default] if d.rng is None else rng_pairs()


def numbers(d):
    def match_pairs():  # some declared pairs are true, some are false alarms, some true pairs are missed
        letters = [str(x) for x in d.rng.permutation(list("abcdefghijklmnop"))]
        pairs = [(letters[2 * k], letters[2 * k + 1]) for k in range(8)]
        hit, false, missed = int(d.rng.integers(1, 4)), int(d.rng.integers(1, 4)), int(d.rng.integers(1, 3))
        return pairs[:hit] + pairs[hit:hit + false], pairs[:hit] + pairs[hit + false:hit + false + missed]

    def links():  # two to four accepted pairs among r1..r7
        ids = [f"r{i}" for i in range(1, 8)]
        k = int(d.rng.integers(2, 5))
        return [tuple(str(x) for x in d.rng.choice(ids, size=2, replace=False)) for _ in range(k)]

    declared, true = (([("a", "b"), ("a", "c"), ("d", "e"), ("f", "g")], [("a", "b"), ("d", "e"), ("h", "i")])
                      if d.rng is None else match_pairs())
    surname = d.real(0.97, 0.90, 0.99)  # a surname agrees as often for non-matches as for matches
    return {
        "name1": d.choice("张秀英", ["张秀英", "李娜", "王建国", "刘洋", "陈静", "周明", "孙丽"]),
        "phone2": "+86 138-0013-8000" if d.rng is None else
        f"+86 1{d.rng.integers(30, 90)}-{d.rng.integers(0, 10000):04d}-{d.rng.integers(0, 10000):04d}",
        "declared3": declared, "true3": true,
        "m4": [d.real(0.85, 0.70, 0.95), surname, d.real(0.03, 0.02, 0.08)],
        "u4": [d.real(0.04, 0.01, 0.08), surname, d.real(0.50, 0.30, 0.60)],
        "pairs6": _pairs(d, [("r1", "r2"), ("r2", "r3"), ("r5", "r6")], links),
    }
