"""An instructor's cycle, simulated: roster -> per-student notebooks -> a class of submissions -> grades.

A class of 32 students works exercise set 01 (the set with per-student numbers). Who answers what is known
(the "truth" below), so the gradebook and the item analysis can be checked exactly:

* s01-s10 and s32 answer everything right; s11-s14 right but rounded to each question's stated precision;
* s15-s18 hand in the blank notebook;
* s19-s28 are partly right: Q4 takes the rise in r for the rise in CLV, Q7 picks "the horizon is infinite";
* s29-s30 are right, but their Q2 cell raises an error (that question scores 0, the rest still grade);
* s31 hands in s01's finished notebook: only the questions that are the same for everyone (Q3, Q7) pass.
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

RIGHT = {
    "clv_q1": "clv_q1 = m1 * r1 / (1 + i1 - r1)",
    "top20": "top20 = value.top_share(revenue, 0.2)",
    "quadrant_c": 'quadrant_c = "growth customer"',
    "rise": "rise = m4 * r4_to / (1 + i4 - r4_to) / (m4 * r4_from / (1 + i4 - r4_from)) - 1",
    "wom": "wom = influence5 * reach5 * spend5",
    "clv_3": "clv_3 = sum(m6 * r6**t / (1 + i6)**t for t in range(1, 4))",
    "answer_q7": 'answer_q7 = "c"',
}
ROUNDED = {"clv_q1": "clv_q1 = round(m1 * r1 / (1 + i1 - r1), 2)",
           "top20": "top20 = round(value.top_share(revenue, 0.2), 3)",
           "rise": "rise = round(m4 * r4_to / (1 + i4 - r4_to) / (m4 * r4_from / (1 + i4 - r4_from)) - 1, 3)",
           "wom": "wom = round(influence5 * reach5 * spend5, 2)",
           "clv_3": "clv_3 = round(sum(m6 * r6**t / (1 + i6)**t for t in range(1, 4)), 2)"}
PARTLY = {"rise": "rise = r4_to / r4_from - 1", "answer_q7": 'answer_q7 = "d"'}
ERRORING = {"top20": "top20 = value.top_share(revenue_typo, 0.2)"}
QUESTIONS = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]


def _students() -> dict[str, str]:
    kinds = {}
    for n in range(1, 33):
        sid = f"s{n:02d}"
        kinds[sid] = ("right" if n <= 10 or n == 32 else "rounded" if n <= 14 else "blank" if n <= 18 else
                      "partly" if n <= 28 else "erroring" if n <= 30 else "copied")
    return kinds


def _truth(kind: str) -> dict[str, bool]:
    ok = dict.fromkeys(QUESTIONS, kind in ("right", "rounded", "erroring", "partly"))
    if kind == "partly":
        ok.update(q4=False, q7=False)
    if kind == "erroring":
        ok["q2"] = False
    if kind == "copied":
        ok = {q: q in ("q3", "q7") for q in QUESTIONS}
    return ok


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
    assert cli.main(["exercises", "--roster", str(roster), "--out", str(tmp / "release"), "--set", SET]) == 0
    subs = tmp / "submissions"
    for sid, kind in kinds.items():
        src = sid if kind != "copied" else "s01"
        nb = nbformat.read(tmp / "release" / src / f"{SET}.ipynb", as_version=4)
        answers = {"right": RIGHT, "rounded": {**RIGHT, **ROUNDED}, "blank": {}, "partly": {**RIGHT, **PARTLY},
                   "erroring": {**RIGHT, **ERRORING}, "copied": RIGHT}[kind]
        (subs / sid).mkdir(parents=True)
        nbformat.write(_answer(nb, answers), subs / sid / f"{SET}.ipynb")
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
    assert len(rows) == 32 * 7
    got = {(r["student"], r["question"]): float(r["points"]) for r in rows}
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
    assert float(wide["s31"][f"{SET} total"]) == 2
    notes = (tmp / "grades" / "grading_notes.csv").read_text(encoding="utf-8")
    assert "released to s01, submitted by s31" in notes


def test_item_analysis_ranks_questions_and_names_common_wrong_answers(graded):
    tmp, kinds = graded
    with open(tmp / "grades" / "item_analysis.csv", newline="") as fh:
        items = {r["question"]: r for r in csv.DictReader(fh)}
    for q in QUESTIONS:
        want = sum(_truth(k)[q] for k in kinds.values()) / len(kinds)
        assert float(items[q]["pass rate"]) == pytest.approx(want, abs=1e-3), q
    assert list(items)[0] == "q4"  # hardest first (17 of 32)
    assert items["q7"]["most common wrong answers"].startswith("d (x10)")
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
