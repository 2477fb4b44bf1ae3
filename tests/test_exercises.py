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
    from crm_lessons._execution import execute

    path = Path(path_str)
    nb = nbformat.read(path, as_version=4)
    questions = _questions(nb)
    code = [_src(c) for c in nb.cells if c.cell_type == "code"]
    probe = (
        "import json as _json\n"
        "_res = {}\n"
        f"for _q in {questions!r}:\n"
        "    try:\n"
        "        _res[_q] = bool(grader.check(_q).passed_all)\n"
        "    except Exception as _e:  # a check that cannot run has not passed\n"
        "        _res[_q] = False\n"
        f"print({RESULT_MARK!r} + _json.dumps(_res))\n"
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
    return json.loads(line[len(RESULT_MARK):]), code


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
