"""An instructor's cycle, simulated: roster -> per-student notebooks -> a class of submissions -> grades.

A class of 32 students works exercise sets 01, 02 and 09 (every set has per-student numbers, and the options of
its multiple-choice questions are shuffled per student). Who answers what is known (the "truth" below), so the
gradebook and the item analysis can be checked exactly:

* s01-s10 and s32 answer everything right; s11-s14 right but rounded to each question's stated precision;
* s15-s18 hand in the blank notebooks;
* s19-s28 are partly right: Q4 takes the rise in r for the rise in CLV, Q7 picks "the horizon is infinite"
  (whatever letter that option has in their notebook);
* s29-s30 are right, but their Q2 cell raises an error (that question scores 0, the rest still grade);
* s31 hands in s01's finished notebooks of all three sets: every question of set 01 fails (a multiple-choice
  answer passes only where the two students' shuffles happen to put the right option under the same letter),
  and so do most of sets 02 and 09 (a small count, such as hits among the top 4, can be the same for two
  students by chance).

Sets 02 and 09 are answered right (with each student's own numbers) by everyone but the blank and the copied
submissions.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import nbformat
import pytest

from crm_lessons import cli, grading

ROOT = Path(__file__).resolve().parents[1]
SET = "01_customer_value"
OTHER_SETS = ("02_identify", "09_data_mining")

RIGHT = {
    "clv_q1": "clv_q1 = m1 * r1 / (1 + i1 - r1)",
    "top20": "top20 = value.top_share(revenue, 0.2)",
    "quadrant_c": 'quadrant_c = value.value_matrix(customers).loc["C", "quadrant"]',
    "rise": "rise = m4 * r4_to / (1 + i4 - r4_to) / (m4 * r4_from / (1 + i4 - r4_from)) - 1",
    "wom": "wom = influence5 * reach5 * spend5",
    "clv_3": "clv_3 = sum(m6 * r6**t / (1 + i6)**t for t in range(1, 4))",
}
ROUNDED = {"clv_q1": "clv_q1 = round(m1 * r1 / (1 + i1 - r1), 2)",
           "top20": "top20 = round(value.top_share(revenue, 0.2), 3)",
           "rise": "rise = round(m4 * r4_to / (1 + i4 - r4_to) / (m4 * r4_from / (1 + i4 - r4_from)) - 1, 3)",
           "wom": "wom = round(influence5 * reach5 * spend5, 2)",
           "clv_3": "clv_3 = round(sum(m6 * r6**t / (1 + i6)**t for t in range(1, 4)), 2)"}
PARTLY = {"rise": "rise = r4_to / r4_from - 1"}
ERRORING = {"top20": "top20 = value.top_share(revenue_typo, 0.2)"}
QUESTIONS = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]


def _students() -> dict[str, str]:
    kinds = {}
    for n in range(1, 33):
        sid = f"s{n:02d}"
        kinds[sid] = ("right" if n <= 10 or n == 32 else "rounded" if n <= 14 else "blank" if n <= 18 else
                      "partly" if n <= 28 else "erroring" if n <= 30 else "copied")
    return kinds


def _letter(student: str, key: str, set_name: str = SET, var: str = "answer_q7", n: int = 4) -> str:
    """The letter that the option ``key`` of the committed notebook has in ``student``'s own notebook."""
    return grading.mc_key(grading.student_seed(student, set_name), var, key, n)


def _truth(kind: str) -> dict[str, bool]:
    ok = dict.fromkeys(QUESTIONS, kind in ("right", "rounded", "erroring", "partly"))
    if kind == "partly":
        ok.update(q4=False, q7=False)
    if kind == "erroring":
        ok["q2"] = False
    if kind == "copied":  # s31 hands in s01's notebook: s01's letter is right for s31 only by chance
        ok = {q: q == "q7" and _letter("s01", "c") == _letter("s31", "c") for q in QUESTIONS}
    return ok


def _solutions(set_name: str, student: str) -> dict[str, str]:
    """The right answer lines of a set for ``student``: the source's solution lines, with multiple-choice letters
    moved to where the student's notebook shows the right option."""
    d = ROOT / "exercises" / set_name
    options = grading.multiple_choice(d)
    out = {}
    for cell in nbformat.read(d / f"{set_name}.ipynb", as_version=4).cells:
        for ln in cell.source.splitlines():
            m = re.match(r'^(\w+) = (.*?)\s*# SOLUTION$', ln)
            if not m:
                continue
            name, expr = m.groups()
            if name in options:
                expr = repr(grading.mc_key(grading.student_seed(student, set_name), name, expr.strip('"'), options[name]))
            out[name] = f"{name} = {expr}"
    return out


def _answer(nb, answers: dict[str, str]):
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines = cell.source.split("\n")
        for i, ln in enumerate(lines):
            m = re.match(r"^(\w+) = \.\.\.$", ln)
            if m and m.group(1) in answers:
                lines[i] = answers[m.group(1)]
        cell.source = "\n".join(lines)
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("class")
    kinds = _students()
    roster = tmp / "roster.csv"
    roster.write_text("student,name\n" + "".join(f"{s},Student {s}\n" for s in kinds), encoding="utf-8")
    assert cli.main(["exercises", "--roster", str(roster), "--out", str(tmp / "release"),
                     "--set", SET, *OTHER_SETS]) == 0
    subs = tmp / "submissions"
    for sid, kind in kinds.items():
        src = sid if kind != "copied" else "s01"
        nb = nbformat.read(tmp / "release" / src / f"{SET}.ipynb", as_version=4)
        right = {**RIGHT, "answer_q7": f'answer_q7 = "{_letter(src, "c")}"'}
        answers = {"right": right, "rounded": {**right, **ROUNDED}, "blank": {},
                   "partly": {**right, **PARTLY, "answer_q7": f'answer_q7 = "{_letter(src, "d")}"'},
                   "erroring": {**right, **ERRORING}, "copied": right}[kind]
        (subs / sid).mkdir(parents=True)
        nbformat.write(_answer(nb, answers), subs / sid / f"{SET}.ipynb")
        for other in OTHER_SETS:
            nb = nbformat.read(tmp / "release" / src / f"{other}.ipynb", as_version=4)
            nbformat.write(_answer(nb, {} if kind == "blank" else _solutions(other, src)), subs / sid / f"{other}.ipynb")
    assert cli.main(["grade", str(subs), "--out", str(tmp / "grades")]) == 0
    return tmp, kinds


def test_release_gives_each_student_own_numbers_and_records_the_seed(graded):
    tmp, kinds = graded
    a = nbformat.read(tmp / "release" / "s01" / f"{SET}.ipynb", as_version=4)
    b = nbformat.read(tmp / "release" / "s02" / f"{SET}.ipynb", as_version=4)
    seed = grading.student_seed("s01", SET)
    assert a.metadata["crm_lessons"] == {"student": "s01", "set": SET, "seed": seed}
    pa = next(c.source for c in a.cells if c.source.startswith(grading.PARAM_MARK))
    pb = next(c.source for c in b.cells if c.source.startswith(grading.PARAM_MARK))
    assert f"variant = {seed}" in pa and pa != pb


def test_release_holds_no_hidden_test(graded):
    tmp, _ = graded
    for p in (tmp / "release").rglob("*.ipynb"):
        tests = json.loads(p.read_text(encoding="utf-8"))["metadata"]["otter"]["tests"]
        assert not any(c["hidden"] for t in tests.values() for c in t["suites"][0]["cases"]), p


def test_gradebook_matches_what_each_student_answered(graded):
    tmp, kinds = graded
    with open(tmp / "grades" / "gradebook_long.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 32 * (7 + 7 + 6)
    got = {(r["student"], r["question"]): float(r["points"]) for r in rows if r["set"] == SET}
    for r in rows:
        if r["set"] in OTHER_SETS and kinds[r["student"]] != "copied":
            assert float(r["points"]) == float(kinds[r["student"]] != "blank"), (r["student"], r["set"], r["question"])
    for sid, kind in kinds.items():
        want = _truth(kind)
        for q in QUESTIONS:
            assert got[(sid, q)] == float(want[q]), f"{sid} ({kind}) {q}"
    assert all(float(r["max"]) == 1.0 for r in rows)


def test_copied_notebook_fails_the_questions_with_own_numbers(graded):
    tmp, _ = graded
    with open(tmp / "grades" / "gradebook.csv", newline="") as fh:
        wide = {r["student"]: r for r in csv.DictReader(fh)}
    assert float(wide["s01"][f"{SET} total"]) == 7
    assert float(wide["s31"][f"{SET} total"]) == sum(_truth("copied").values()) <= 1
    for other, n in zip(OTHER_SETS, (7, 6)):  # copied: only an answer that happens to be the same for both
        assert float(wide["s01"][f"{other} total"]) == n  # (a letter, a small count) passes
        assert float(wide["s31"][f"{other} total"]) < n / 2, other
    notes = (tmp / "grades" / "grading_notes.csv").read_text(encoding="utf-8")
    assert "released to s01, submitted by s31" in notes
    assert notes.count("released to s01, submitted by s31") == 3


def test_item_analysis_ranks_questions_and_names_common_wrong_answers(graded):
    tmp, kinds = graded
    with open(tmp / "grades" / "item_analysis.csv", newline="") as fh:
        items = {r["question"]: r for r in csv.DictReader(fh) if r["set"] == SET}
    for q in QUESTIONS:
        want = sum(_truth(k)[q] for k in kinds.values()) / len(kinds)
        assert float(items[q]["pass rate"]) == pytest.approx(want, abs=1e-3), q
    assert list(items)[0] == "q4"  # hardest first (17 of 32)
    # each partly-right student picked "the horizon is infinite" under their own letter; the analysis names it by
    # its letter in the committed notebook
    copied = grading._as_committed(_letter("s01", "c"), 4, grading.student_seed("s31", SET), "answer_q7")
    assert items["q7"]["most common wrong answers"].startswith(f"d (x{10 + (copied == 'd')})")
    assert "(blank) (x4)" in items["q1"]["most common wrong answers"]
    assert (tmp / "grades" / "item_analysis.png").stat().st_size > 5000
    assert "| 01_customer_value | q4 |" in (tmp / "grades" / "item_analysis.md").read_text(encoding="utf-8")


def test_commands_refuse_a_non_empty_out_without_force(graded, capsys):
    tmp, _ = graded
    assert cli.main(["grade", str(tmp / "submissions"), "--out", str(tmp / "grades")]) == 2
    assert "not empty" in capsys.readouterr().err
    assert cli.main(["exercises", "--roster", str(tmp / "roster.csv"), "--out", str(tmp / "release")]) == 2


def test_roster_without_student_column_is_refused(tmp_path, capsys):
    roster = tmp_path / "r.csv"
    roster.write_text("name\nAnn\n", encoding="utf-8")
    assert cli.main(["exercises", "--roster", str(roster), "--out", str(tmp_path / "o")]) == 2
    assert "no 'student' column" in capsys.readouterr().err
