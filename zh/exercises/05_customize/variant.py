"""Per-student numbers of exercise set 05 (see ``crm_lessons.grading``): ``numbers(d)`` names each default
(the committed student notebook, variant 0) beside what a student's numbers are drawn from."""

_BASKETS = {"c1": ["car", "fire"], "c2": ["car", "fire", "life"], "c3": ["car"], "c4": ["fire"],
            "c5": ["car", "fire"], "c6": ["life"]}


def _baskets(d):
    """Six customers' products; at least one owns car and fire together, and someone lacks fire."""
    while True:
        b = {f"c{i}": [p for p in ("car", "fire", "life") if d.rng.random() < 0.6] or ["life"] for i in range(1, 7)}
        both = sum("car" in v and "fire" in v for v in b.values())
        if both and sum("fire" in v for v in b.values()) < 6:
            return b


def numbers(d):
    product2 = d.choice("fire", ["fire", "car", "moped", "boat", "bicycle", "tractor"])
    return {
        "baskets1": _BASKETS if d.rng is None else _baskets(d),
        "product2": product2,
        "share2": d.choice("life", [p for p in ["life", "caravan", "motorcycle", "moped", "trailer"] if p != product2]),
        "min_support3": d.choice(0.02, [0.015, 0.02, 0.025, 0.03]),
        "owns4": d.choice(["car", "private third party"], [["car", "private third party"], ["car", "moped"],
                                                           ["fire", "life"], ["car", "caravan"], ["fire", "moped"],
                                                           ["car", "fire"], ["private third party", "fire"]]),
        "seed5": d.int(1, 1, 999),
        "accuracy6": [0.20, d.real(0.30, 0.25, 0.32), d.real(0.36, 0.33, 0.38), d.real(0.40, 0.39, 0.45),
                      d.real(0.40, 0.45, 0.50)],
        "worth6": d.choice(50, [30, 40, 50, 60, 80]), "history6": d.choice(3, [2, 3]),
    }
