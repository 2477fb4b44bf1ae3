"""Every exercise set works as a student and an instructor would use it.

For each ``exercises/<name>/`` folder holding an otter-grader source ``<name>/<name>.ipynb``:

(a) the instructor version executes and every question passes ``grader.check``;
(b) the student version executes top to bottom (placeholders ``...`` in place) and every check fails;
(c) no solution line of the source appears in the student version's code;
(d) there are at least five questions;
(e) the committed student/instructor versions are what ``otter assign`` makes from the source now.

Each generated notebook is executed once per test session (module-scoped cache) in a temporary copy
of its folder, because ``grader.check`` writes an ``.OTTER_LOG`` file into the working directory.
The module is marked ``slow``. It is safe under pytest-xdist: every worker keeps its own cache and
writes only to temporary folders; ``--dist loadfile`` (as ``make test`` uses) sends the whole file to
one worker, so each notebook is executed once.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
DIRS = sorted(d for d in EXERCISES.iterdir() if d.is_dir() and (d / f"{d.name}.ipynb").exists()) \
    if EXERCISES.is_dir() else []
MIN_QUESTIONS = 5
RESULT_MARK = "OTTER_RESULTS="

pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore:Traits should be given as instances:DeprecationWarning")]

_SOLUTION_LINE = re.compile(r"#\s*SOLUTION(\s+NO\s+PROMPT)?\s*$")
_BEGIN = re.compile(r"^\s*#\s*BEGIN\s+SOLUTION\b")
_END = re.compile(r"^\s*#\s*END\s+SOLUTION\b")
_TRIVIAL = {"...", "pass", "else:", "try:", "finally:", "return", "break", "continue", ")", "]", "}"}


def _src(cell) -> str:
    s = cell.get("source", "")
    return s if isinstance(s, str) else "".join(s)


def _norm(line: str) -> str:
    return " ".join(line.split())


def _generated(d: Path, kind: str) -> Path:
    return d / kind / f"{d.name}.ipynb"


def _questions(nb) -> list[str]:
    return sorted(nb.metadata.get("otter", {}).get("tests", {}))


@lru_cache(maxsize=None)
def _execute(path_str: str) -> tuple[dict, list[str]]:
    """Execute a generated notebook in a temporary copy of its folder; return (check results, code)."""
    results, code, _, _ = _execute_full(path_str)
    return results, code


@lru_cache(maxsize=None)
def _execute_full(path_str: str) -> tuple[dict, list[str], dict, dict]:
    """As _execute, plus the answer variables' values (floats or text) and each check's printed feedback."""
    from crm_lessons._execution import execute
    from crm_lessons.grading import answer_names

    path = Path(path_str)
    nb = nbformat.read(path, as_version=4)
    questions = _questions(nb)
    names = sorted({n for ns in answer_names(path.parents[1]).values() for n in ns})
    code = [_src(c) for c in nb.cells if c.cell_type == "code"]
    probe = (
        "import json as _json\n"
        "_res, _fb, _vals = {}, {}, {}\n"
        f"for _q in {questions!r}:\n"
        "    try:\n"
        "        _r = grader.check(_q)\n"
        "        _res[_q], _fb[_q] = bool(_r.passed_all), repr(_r)\n"
        "    except Exception as _e:  # a check that cannot run has not passed\n"
        "        _res[_q], _fb[_q] = False, f'check raised {_e!r}'\n"
        f"for _n in {names!r}:\n"
        "    _v = globals().get(_n)\n"
        "    try:\n"
        "        _vals[_n] = _v if isinstance(_v, str) else float(_v)\n"
        "    except Exception:\n"
        "        pass\n"
        f"print({RESULT_MARK!r} + _json.dumps([_res, _fb, _vals]))\n"
    )
    nb.cells.append(nbformat.v4.new_code_cell(probe))
    tmp = Path(tempfile.mkdtemp(prefix="crm-exercise-"))
    try:
        work = tmp / path.parent.name
        shutil.copytree(path.parent, work)
        execute(nb, cwd=str(work), timeout=300)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    line = next((ln for ln in text.splitlines() if ln.startswith(RESULT_MARK)), None)
    assert line is not None, f"{path}: the results probe printed nothing; output was {text!r}"
    results, feedback, values = json.loads(line[len(RESULT_MARK):])
    return results, code, feedback, values


@lru_cache(maxsize=None)
def _assign_fresh(d_str: str) -> dict[str, list[str]]:
    """Run otter assign on the source into a temporary folder; return code-cell sources by kind.

    otter is run in-process (importing it costs far more than an assign run) and without running the
    solutions' tests, which the instructor test above already does.
    """
    import os

    from otter.assign import main as otter_assign

    d = Path(d_str)
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            otter_assign(str(d / f"{d.name}.ipynb"), tmp, no_run_tests=True)
        finally:
            os.chdir(cwd)
        out = {}
        for kind, sub in (("student", "student"), ("instructor", "autograder")):
            nb = nbformat.read(Path(tmp) / sub / f"{d.name}.ipynb", as_version=4)
            out[kind] = [_src(c) for c in nb.cells if c.cell_type == "code"]
    return out


def _solution_lines(source: Path) -> list[str]:
    """Non-trivial solution lines of an otter source notebook."""
    nb = nbformat.read(source, as_version=4)
    lines = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        inside = False
        for raw in _src(cell).splitlines():
            if _BEGIN.match(raw):
                inside = True
                continue
            if _END.match(raw):
                inside = False
                continue
            if _SOLUTION_LINE.search(raw):
                text = _SOLUTION_LINE.sub("", raw).strip()
            elif inside:
                text = raw.strip()
            else:
                continue
            if text.startswith("#") or text in _TRIVIAL or not re.search(r"[A-Za-z0-9]", text):
                continue
            lines.append(_norm(text))
    return lines


@pytest.fixture(scope="module", params=DIRS, ids=[d.name for d in DIRS])
def exercise(request) -> Path:
    d = request.param
    for kind in ("student", "instructor"):
        assert _generated(d, kind).exists(), f"{d.name}: {kind}/ missing; run `make exercises`"
    return d


def test_there_is_at_least_one_exercise_set():
    assert (EXERCISES / "01_customer_value" / "01_customer_value.ipynb") in [d / f"{d.name}.ipynb" for d in DIRS]


def test_instructor_solutions_pass_every_check(exercise):
    results, _ = _execute(str(_generated(exercise, "instructor")))
    failed = sorted(q for q, ok in results.items() if not ok)
    assert results and not failed, f"{exercise.name}: instructor solutions fail checks {failed}"


def test_student_version_runs_and_every_check_fails_until_answered(exercise):
    results, _ = _execute(str(_generated(exercise, "student")))
    passed = sorted(q for q, ok in results.items() if ok)
    assert results and not passed, (f"{exercise.name}: checks {passed} pass without an answer; "
                                    "a check must fail while the placeholder ... is in place")


def test_student_version_contains_no_solution_line(exercise):
    sols = _solution_lines(exercise / f"{exercise.name}.ipynb")
    assert sols, f"{exercise.name}: the source marks no solution lines"
    nb = nbformat.read(_generated(exercise, "student"), as_version=4)
    student = [_norm(ln) for c in nb.cells if c.cell_type == "code" for ln in _src(c).splitlines()]
    leaked = sorted({s for s in sols if any(s in ln for ln in student)})
    assert not leaked, f"{exercise.name}: solution lines leak into the student version: {leaked}"


def test_exercise_set_has_at_least_five_questions(exercise):
    source = nbformat.read(exercise / f"{exercise.name}.ipynb", as_version=4)
    n_source = sum(1 for c in source.cells if c.cell_type == "raw" and _src(c).lstrip().startswith("# BEGIN QUESTION"))
    instructor = nbformat.read(_generated(exercise, "instructor"), as_version=4)
    assert n_source >= MIN_QUESTIONS, f"{exercise.name}: {n_source} questions, need {MIN_QUESTIONS}"
    assert len(_questions(instructor)) == n_source, "every question needs tests in the notebook metadata"


def test_generated_versions_are_up_to_date_with_the_source(exercise):
    fresh = _assign_fresh(str(exercise))
    for kind in ("student", "instructor"):
        nb = nbformat.read(_generated(exercise, kind), as_version=4)
        committed = [_src(c) for c in nb.cells if c.cell_type == "code"]
        assert committed == fresh[kind], (f"{exercise.name}/{kind} is out of date with the source: "
                                          "run `make exercises` (or tools/nbtools.py assign)")


# ------------------------------------------------------------------ feedback that does not leak (issue 15)
def _cases(nb) -> list[tuple[str, dict]]:
    return [(q, c) for q, t in nb.metadata.get("otter", {}).get("tests", {}).items()
            for c in t["suites"][0]["cases"]]


def test_exact_value_checks_are_hidden_tests_kept_out_of_the_student_version(exercise):
    student = nbformat.read(_generated(exercise, "student"), as_version=4)
    instructor = nbformat.read(_generated(exercise, "instructor"), as_version=4)
    assert not [q for q, c in _cases(student) if c["hidden"]], f"{exercise.name}: hidden tests in the student notebook"
    hidden = {q for q, c in _cases(instructor) if c["hidden"]}
    public = {q for q, c in _cases(instructor) if not c["hidden"]}
    questions = set(_questions(instructor))
    assert hidden == questions, f"{exercise.name}: questions without a hidden test: {sorted(questions - hidden)}"
    assert public == questions, f"{exercise.name}: questions without a public check: {sorted(questions - public)}"


def _number_pattern(text: str) -> re.Pattern:
    return re.compile(rf"(?<![\w.]){re.escape(text)}(?![\w]|\.\d)")


def test_no_hidden_answer_appears_in_the_student_notebook(exercise):
    """No hidden test line, and no numeric answer (as the instructor run computes it, rounded to 2-4
    decimals when it has at least three significant digits), appears anywhere in the student JSON."""
    raw = _generated(exercise, "student").read_text(encoding="utf-8")
    text = json.dumps(json.loads(raw), ensure_ascii=False)  # one escaping, whatever the file's layout
    instructor = nbformat.read(_generated(exercise, "instructor"), as_version=4)
    leaked = []
    for q, c in _cases(instructor):
        if not c["hidden"]:
            continue
        for ln in c["code"].splitlines():
            body = ln[4:].strip()
            if body.startswith("assert") and json.dumps(body)[1:-1] in text:
                leaked.append(f"{q}: {body}")
    _, _, _, values = _execute_full(str(_generated(exercise, "instructor")))
    for name, v in values.items():
        if isinstance(v, str) or v != v or abs(v) < 1e-12:
            continue
        for d in (2, 3, 4):
            s = f"{v:.{d}f}".rstrip("0").rstrip(".")
            if len(s.lstrip("-0.").replace(".", "")) >= 3 and _number_pattern(s).search(text):
                leaked.append(f"{name} = {s}")
    assert not leaked, f"{exercise.name}: answers visible in the student notebook: {sorted(set(leaked))}"


def test_a_failing_check_answers_in_at_most_two_lines(exercise):
    _, _, feedback, _ = _execute_full(str(_generated(exercise, "student")))
    long = {q: f for q, f in feedback.items() if len(f.strip().splitlines()) > 2 or "Traceback" in f}
    assert feedback and not long, f"{exercise.name}: feedback longer than two lines: {long}"


def _run_cases(nb, q: str, ns: dict) -> bool:
    from crm_lessons.grading import _doctest_code

    for _, c in [x for x in _cases(nb) if x[0] == q]:
        try:
            exec(_doctest_code(c["code"]), ns)
        except Exception:
            return False
    return True


@pytest.mark.parametrize("set_name, question, answers", [
    ("01_customer_value", "q4", {"rise": 0.458}),
    ("01_customer_value", "q1", {"clv_q1": 107.14}),
    ("07_loyalty_churn", "q4", {"gain_q4": 10.0, "breakeven_q4": 0.333}),
    ("07_loyalty_churn", "q5", {"auc_q5": 0.851}),
])
def test_an_answer_rounded_to_the_stated_precision_passes(set_name, question, answers):
    import numpy as np

    from crm_lessons.grading import VARIANTS, variant_params

    d = EXERCISES / set_name
    nb = nbformat.read(_generated(d, "instructor"), as_version=4)
    ns = {"np": np, **(variant_params(set_name, 0) if set_name in VARIANTS else {})}
    assert _run_cases(nb, question, {**ns, **answers}), f"{set_name} {question}: {answers} is rejected"
    wrong = {k: v * 1.01 + 0.01 for k, v in answers.items()}
    assert not _run_cases(nb, question, {**ns, **wrong}), f"{set_name} {question}: a wrong answer passes"


# ------------------------------------------------------------------ multiple choice done right (issue 15)
_OPT = re.compile(r'^- (?:`"([a-eA-E])"`:?|\(([a-e])\)|([A-E]):|([a-e])\.|([A-E])\.)\s')


def _multiple_choice() -> list[tuple[str, str, str, dict[str, str]]]:
    """(set, variable, key, {letter: option text}) for every question listing its options one per line."""
    out = []
    for d in DIRS:
        cells = nbformat.read(d / f"{d.name}.ipynb", as_version=4).cells
        for k, c in enumerate(cells):
            m = c.cell_type == "code" and re.search(r'^(\w+)\s*=\s*"([a-eA-E])"\s*#\s*SOLUTION', _src(c), re.M)
            if not m:
                continue
            opts, cur = {}, None
            for ln in _src(cells[k - 2]).split("\n"):
                mm = _OPT.match(ln)
                if mm:
                    cur = next(g for g in mm.groups() if g)
                    opts[cur] = ln[mm.end():]
                elif cur and ln.startswith("  "):
                    opts[cur] += " " + ln.strip()
                else:
                    cur = None
            if len(opts) >= 3:
                out.append((d.name, m.group(1), m.group(2), opts))
    return out


def test_multiple_choice_keys_are_balanced_and_the_right_option_is_not_usually_the_longest():
    mc = _multiple_choice()
    assert len(mc) >= 8, f"expected the sets' one-option-per-line questions, found {len(mc)}"
    keys = [key.lower() for _, _, key, _ in mc]
    letter, n = max(((k, keys.count(k)) for k in set(keys)), key=lambda x: x[1])
    assert n / len(keys) <= 0.4, f"key {letter!r} is the answer in {n} of {len(keys)} questions"
    longest = [f"{s} {v}" for s, v, key, opts in mc if len(opts[key]) == max(map(len, opts.values()))]
    assert len(longest) <= len(mc) / 2, f"the right option is the longest in {len(longest)} of {len(mc)}: {longest}"
