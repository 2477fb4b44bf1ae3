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


# ------------------------------------------------------------------ per-student numbers (issue 15)
#: Questions whose answer is the same for every student (concept questions asking for the course material's
#: own terms, lists and counts); docs/grading.md lists them. Every other
#: question fails when its answers are copied from another variant.
SAME_FOR_EVERYONE = {
    "01_customer_value": set(), "02_identify": set(), "03_differentiate": set(), "04_interact": set(),
    "05_customize": set(), "06_complaints_service": set(), "07_loyalty_churn": set(), "08_exhibition_crm": set(),
    "09_data_mining": set(), "10_experience_online": {"q8"}, "11_bank_trade": set(),
    "12_crm_foundations": {"q4", "q5"}, "13_customer_psychology": {"q5"},
}
STUDENTS = ("ann.lee", "bo.chen", "cy.wu")


@lru_cache(maxsize=None)
def _run_instructor(set_name: str, seed: int = 0) -> dict:
    """The instructor notebook run in-process as the grader runs it, with variant ``seed``'s numbers and, for
    multiple-choice questions, that variant's letters of the right options."""
    from crm_lessons import grading

    d = EXERCISES / set_name
    nb = nbformat.read(_generated(d, "instructor"), as_version=4)
    if seed:
        cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(grading.PARAM_MARK))
        cell.source = grading.param_cell_source(grading.variant_params(set_name, seed), seed)
    ns, errors = grading.run_notebook(nb, timeout=300)
    assert not errors, f"{set_name} (variant {seed}): the solutions raise: {errors}"
    for var, n in grading.multiple_choice(d).items():
        ns[var] = grading.mc_key(seed, var, ns[var], n)
    return ns


def test_every_set_has_per_student_numbers_and_its_committed_cell_is_variant_0(exercise):
    from crm_lessons import grading

    assert exercise.name in grading.VARIANTS, f"{exercise.name}: no variant.py with numbers(d)"
    want = grading.param_cell_source(grading.VARIANTS[exercise.name].defaults, 0)
    for path in (exercise / f"{exercise.name}.ipynb", _generated(exercise, "student"), _generated(exercise, "instructor")):
        cells = [_src(c) for c in nbformat.read(path, as_version=4).cells if _src(c).startswith(grading.PARAM_MARK)]
        assert cells == [want], f"{path}: the parameter cell is not variant 0 of variant.py; run tools/nbtools.py assign"


def test_solutions_computed_with_a_students_own_numbers_pass_every_test(exercise):
    from crm_lessons import grading

    for student in STUDENTS:
        seed = grading.student_seed(student, exercise.name)
        rows = grading.score(_run_instructor(exercise.name, seed), student, exercise)
        failed = [(r["question"], r["why"]) for r in rows if not r["passed"]]
        assert rows and not failed, f"{exercise.name} (variant {seed}): right answers fail {failed}"


def test_answers_copied_from_another_variant_fail_by_construction(exercise):
    """The committed notebook's right answers, handed in by three students: a question passes for all three
    only when its answer is the same for everyone (SAME_FOR_EVERYONE)."""
    from crm_lessons import grading

    ns = _run_instructor(exercise.name)
    passed = [{r["question"] for r in grading.score(ns, s, exercise) if r["passed"]} for s in STUDENTS]
    same = set.intersection(*passed)
    assert same == SAME_FOR_EVERYONE[exercise.name], (
        f"{exercise.name}: questions a copied notebook passes for every student: {sorted(same)}; "
        f"expected {sorted(SAME_FOR_EVERYONE[exercise.name])}")


def test_release_shuffles_options_and_mc_key_names_the_shuffled_right_option():
    from crm_lessons import grading

    md = "Store the letter in `answer_q9`.\n\n- (a) first\n- (b) second, which runs\n  over two lines\n- (c) third\n- (d) fourth"
    texts = ["first", "second, which runs\n  over two lines", "third", "fourth"]
    assert grading.shuffle_options(md, 0) == md
    orders = set()
    for seed in range(1, 30):
        out = grading.shuffle_options(md, seed)
        body = out.split("\n\n", 1)[1]
        items = [t for t in body.split("\n- ") if t]
        shown = [it.split(") ", 1)[1] if ") " in it else it for it in items]
        assert [ln[:4] for ln in body.split("\n") if ln.startswith("- (")] == ["- (a", "- (b", "- (c", "- (d"]
        assert sorted(shown) == sorted(texts)
        key = grading.mc_key(seed, "answer_q9", "b", 4)
        assert shown["abcd".index(key)] == texts[1]
        orders.add(tuple(shown))
    assert len(orders) > 10


# ------------------------------------------------------------------ precision (issue 15)
_PRECISION = re.compile(r"(\d)\s+decimals|whole\s+numbers?|integers?")


def _question_parts(d: Path) -> dict[str, tuple[str, str]]:
    """Question -> (its Markdown, the code of its tests), from the source notebook."""
    out, q, where = {}, None, None
    for c in nbformat.read(d / f"{d.name}.ipynb", as_version=4).cells:
        src = _src(c)
        if c.cell_type == "raw" and src.lstrip().startswith("# BEGIN QUESTION"):
            q, where = re.search(r"name:\s*(\S+)", src).group(1), "prompt"
            out[q] = ("", "")
        elif c.cell_type == "raw" and src.lstrip().startswith("# BEGIN SOLUTION"):
            where = "solution"
        elif c.cell_type == "raw" and src.lstrip().startswith("# BEGIN TESTS"):
            where = "tests"
        elif q and c.cell_type == "markdown" and where == "prompt":
            out[q] = (out[q][0] + "\n" + src, out[q][1])
        elif q and c.cell_type == "code" and where == "tests":
            out[q] = (out[q][0], out[q][1] + "\n" + src)
    return out


def _stated_precision(markdown: str, var: str) -> int | None:
    """Decimals the question asks for ``var`` (0: a whole number): the first statement after the last mention
    of the variable, else the question's last statement."""
    at = markdown.rfind(f"`{var}`")
    found = list(_PRECISION.finditer(markdown))
    after = [m for m in found if m.start() > at]
    m = (after or found or [None])[0] if after else (found[-1] if found else None)
    if m is None:
        return None
    return int(m.group(1)) if m.group(1) else 0


def _numeric(v) -> bool:
    import numpy as np

    if isinstance(v, (bool, np.bool_)):
        return False
    if isinstance(v, (int, float, np.integer, np.floating)):
        return True
    return isinstance(v, list) and bool(v) and all(_numeric(x) for x in v)


def _rounded(v, d: int):
    return [_rounded(x, d) for x in v] if isinstance(v, list) else (int(round(float(v))) if d == 0 else round(float(v), d))


def _wrong(v, d: int):
    if isinstance(v, list):
        return [_wrong(v[0], d), *v[1:]]
    return int(v) + 2 if d == 0 else float(v) + max(10.0 ** -d * 20, 0.05 * abs(float(v)))


def test_every_numeric_answer_states_its_precision_and_a_correctly_rounded_answer_passes(exercise):
    """Per question and numeric answer: the true value rounded to the stated precision passes, a clearly wrong
    one fails (the public and hidden tests of that question, run as the grader runs them)."""
    from crm_lessons import grading

    ns = _run_instructor(exercise.name)
    checked, missing, rejected, accepted = 0, [], [], []
    for q, (markdown, tests) in _question_parts(exercise).items():
        for var in grading.answer_names(exercise).get(q, []):
            if not re.search(rf"\b{var}\b", tests) or not _numeric(ns.get(var)):
                continue
            d = _stated_precision(markdown, var)
            if d is None:
                missing.append(f"{q} {var}")
                continue
            for value, want, bucket in ((_rounded(ns[var], d), True, rejected), (_wrong(ns[var], d), False, accepted)):
                rows = grading.score({**ns, var: value}, "x", exercise, seed=0, questions=[q])
                if rows[0]["passed"] != want:
                    bucket.append(f"{q} {var}={value!r} ({d} decimals)")
            checked += 1
    assert not missing, f"{exercise.name}: numeric answers whose question states no precision: {missing}"
    assert not rejected, f"{exercise.name}: correctly rounded answers rejected: {rejected}"
    assert not accepted, f"{exercise.name}: clearly wrong answers accepted: {accepted}"
    assert checked or exercise.name in ("12_crm_foundations",), f"{exercise.name}: no numeric answer found"


# ------------------------------------------------------------------ the book leaks nothing (issue 15)
def _hidden_answers(exercise: Path) -> tuple[list[str], list[str]]:
    """(numbers, texts) a student must not find: every numeric answer of the committed variant at 2-4 decimals
    (three significant digits or more) and every text answer that the questions do not offer as a choice."""
    from crm_lessons import grading

    ns = _run_instructor(exercise.name)
    prompts = " ".join(m for m, _ in _question_parts(exercise).values())
    student = nbformat.read(_generated(exercise, "student"), as_version=4)
    offered = prompts + " ".join(_src(c) for c in student.cells if c.cell_type == "code")
    numbers, texts = set(), set()
    for var in {n for ns_ in grading.answer_names(exercise).values() for n in ns_}:
        v = ns.get(var)
        values = v if isinstance(v, list) else [v]
        for x in values:
            if isinstance(x, str) and len(x) >= 5 and x not in offered:
                texts.add(x)
            elif _numeric(x) and float(x) == float(x) and abs(float(x)) > 1e-12:
                for d in (2, 3, 4):
                    s = f"{float(x):.{d}f}".rstrip("0").rstrip(".")
                    if len(s.lstrip("-0.").replace(".", "")) >= 3:
                        numbers.add(s)
    return sorted(numbers), sorted(texts)


def test_the_book_and_the_student_json_hold_no_hidden_answer(exercise, tmp_path):
    """Build the exercise page as ``make book`` does (tools/book.py's own step for exercises), render it to
    HTML, and grep the page and the student notebook's JSON for every hidden answer and hidden test line."""
    import sys

    from nbconvert import HTMLExporter

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import book  # tools/book.py, the code `make book` runs
    finally:
        sys.path.remove(str(ROOT / "tools"))
    rel, _, status = book._run((_generated(exercise, "student"), tmp_path))
    assert status == "ok"
    page = nbformat.read(tmp_path / rel, as_version=4)
    html, _ = HTMLExporter(template_name="basic").from_notebook_node(page)
    html = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    raw = json.dumps(json.loads(_generated(exercise, "student").read_text(encoding="utf-8")), ensure_ascii=False)
    numbers, texts = _hidden_answers(exercise)
    instructor = nbformat.read(_generated(exercise, "instructor"), as_version=4)
    lines = [ln[4:].strip() for _, c in _cases(instructor) if c["hidden"] for ln in c["code"].splitlines()
             if ln[4:].strip().startswith("assert")]
    assert numbers or texts, f"{exercise.name}: no answers to look for"
    for where, text in (("book page", html), ("student JSON", raw)):
        leaked = [n for n in numbers if _number_pattern(n).search(text)]
        leaked += [t for t in texts if t in text]
        leaked += [ln for ln in lines if ln in text or json.dumps(ln)[1:-1] in text]
        assert not leaked, f"{exercise.name}: hidden answers in the {where}: {leaked}"


# ------------------------------------------------------------------ multiple choice done right (issue 15)
def _multiple_choice() -> list[tuple[str, str, str, dict[str, str]]]:
    """(set, variable, key, {letter: option text}) for every multiple-choice list of every set."""
    from crm_lessons import grading

    out = []
    for d in DIRS:
        cells = nbformat.read(d / f"{d.name}.ipynb", as_version=4).cells
        keys = {m.group(1): m.group(2) for c in cells if c.cell_type == "code"
                for m in re.finditer(r'^(\w+)\s*=\s*"([a-eA-E])"\s*#\s*SOLUTION', _src(c), re.M)}
        for c in cells:
            if c.cell_type != "markdown":
                continue
            lines = _src(c).split("\n")
            for b in grading.option_blocks(_src(c)):
                opts, cur = {}, None
                for ln in lines[b["start"]:b["end"]]:
                    m = grading.OPTION.match(ln)
                    if m:
                        cur = next(g for g in m.groups() if g)
                        opts[cur] = ln[m.end():]
                    else:
                        opts[cur] += " " + ln.strip()
                out.append((d.name, b["var"], keys.get(b["var"]), opts))
    return out


def test_every_lettered_answer_has_its_options_listed_one_per_line():
    """The balance test and the per-student shuffle see every multiple-choice question: each solution that is
    a single letter has an option list naming its variable, and each option list has a key."""
    lettered = set()
    for d in DIRS:
        for c in nbformat.read(d / f"{d.name}.ipynb", as_version=4).cells:
            lettered |= {(d.name, m.group(1)) for m in
                         re.finditer(r'^(\w+)\s*=\s*"([a-eA-E])"\s*#\s*SOLUTION', _src(c), re.M)}
    mc = _multiple_choice()
    listed = {(s, v) for s, v, _, _ in mc}
    assert lettered == listed, (f"lettered answers without an option list: {sorted(lettered - listed)}; "
                                f"option lists without a lettered answer: {sorted(listed - lettered)}")
    assert all(key in opts for _, _, key, opts in mc)


def test_multiple_choice_keys_are_balanced_and_the_right_option_is_not_usually_the_longest():
    mc = _multiple_choice()
    assert len(mc) >= 20, f"expected every set's multiple-choice questions, found {len(mc)}"
    keys = [key.lower() for _, _, key, _ in mc]
    letter, n = max(((k, keys.count(k)) for k in set(keys)), key=lambda x: x[1])
    assert n / len(keys) <= 0.4, f"key {letter!r} is the answer in {n} of {len(keys)} questions"
    longest = [f"{s} {v}" for s, v, key, opts in mc if len(opts[key]) == max(map(len, opts.values()))]
    assert len(longest) <= len(mc) / 2, f"the right option is the longest in {len(longest)} of {len(mc)}: {longest}"
