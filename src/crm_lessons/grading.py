"""Grade the exercise sets locally: short feedback, per-student variants, a gradebook and an item analysis.

Three pieces, used by the ``crm-lessons exercises`` and ``crm-lessons grade`` commands:

* :func:`short_feedback` (called in each exercise's set-up cell) makes ``grader.check("q1")`` answer in one
  or two lines: the failure message of the first failing public test (otter-grader's own
  ``failure_message``), never the doctest traceback with the assert that holds the expected value.
  The exact-value tests are otter *hidden* tests: ``otter assign`` keeps them out of the student notebook.
* :func:`release` writes each student's own copy of an exercise set. Every set with an
  ``exercises/<set>/variant.py`` (:data:`VARIANTS`) has a parameter cell (the code cell starting with
  :data:`PARAM_MARK`) whose numbers are drawn with a seed derived from the student id (:func:`student_seed`);
  the options of every multiple-choice list are shuffled with the same seed (:func:`shuffle_options`; hidden
  tests name the student's right letter with :func:`mc_key`). The seed is recorded in the cell and in the
  notebook metadata.
* :func:`grade` runs every submitted notebook in-process, cell by cell (a cell that raises is skipped, so
  the questions it answers score 0 while the others still grade; no Docker, no kernel), sets the parameters
  of the submitter's own variant (from the file name, not from the notebook, so a copied notebook is graded
  against its submitter's numbers), runs the public and hidden test cases of the instructor notebook's
  otter metadata, and writes the gradebook and the item analysis.

Student code runs in the grading process: grade only submissions from your own course, on your machine.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
import signal
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

__all__ = ["short_feedback", "student_seed", "variant_params", "param_cell_source", "release", "grade",
           "read_roster", "mc_key", "shuffle_options", "option_blocks", "Draw", "VARIANTS", "PARAM_MARK",
           "GradingError"]

PARAM_MARK = "# Your numbers"
EXERCISES = Path(__file__).resolve().parents[2] / "exercises"


def exercises_folder(lang: str = "en") -> Path:
    """The exercise sets of an edition: ``exercises/`` (English) or ``zh/exercises/`` (Chinese)."""
    if lang not in ("en", "zh"):
        raise GradingError(f"lang must be 'en' or 'zh', not {lang!r}")
    return EXERCISES if lang == "en" else EXERCISES.parent / "zh" / "exercises"


class GradingError(ValueError):
    """A request the grading commands refuse (bad roster, unknown set, output folder not empty)."""


# --------------------------------------------------------------------------------------------- feedback
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _short(test_file) -> str:
    """One line: the first failing public check's message, or that the answer's form is right.

    The Chinese edition's checks carry Chinese failure messages; the line around them follows suit.
    """
    name = test_file.name
    tcrs = [t for t in test_file.test_case_results if not t.test_case.hidden]
    zh = any(_CJK.search(t.test_case.failure_message or "") for t in tcrs)
    failed = [t for t in tcrs if not t.passed]
    if not failed:
        ok = [t.test_case.success_message for t in tcrs if t.test_case.success_message]
        if zh:
            return f"{name}：答案的形式正确。" + (" ".join(ok) or "数值会在评分时检查。")
        return f"{name}: the form of your answer is right. " + (" ".join(ok) or
                                                                "Its value is checked when your work is graded.")
    msg = failed[0].test_case.failure_message or ("公开检查未通过，请重读题目。" if zh else
                                                  "the public check failed; re-read the question.")
    return f"{name}：{msg}" if zh else f"{name}: {msg}"


def short_feedback() -> None:
    """Make ``grader.check`` print one or two lines (the test's failure message), not a doctest traceback."""
    from html import escape

    from otter.test_files.abstract_test import TestFile

    TestFile.__repr__ = lambda self: _short(self)  # type: ignore[method-assign]
    TestFile._repr_html_ = lambda self: f"<p>{escape(_short(self))}</p>"  # type: ignore[method-assign]


# --------------------------------------------------------------------------------------------- variants
def student_seed(student: str, set_name: str) -> int:
    """A 31-bit seed from the student id and the set name (stable across machines and Python versions)."""
    digest = hashlib.sha256(f"crm-lessons:{set_name}:{str(student).strip()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


class Draw:
    """Draws one student's numbers; with no generator (variant 0) every call returns its default.

    A set's variant is one function ``f(d: Draw) -> dict`` whose calls name the default (the numbers of the
    committed student notebook) beside the range drawn from, so the defaults and the draws cannot drift apart.
    """

    def __init__(self, rng=None):
        self.rng = rng

    def int(self, default: int, lo: int, hi: int) -> int:
        """A whole number in ``[lo, hi]``."""
        return default if self.rng is None else int(self.rng.integers(lo, hi + 1))

    def real(self, default: float, lo: float, hi: float, digits: int = 2) -> float:
        """A number in ``[lo, hi]`` rounded to ``digits`` decimals."""
        return default if self.rng is None else round(float(self.rng.uniform(lo, hi)), digits)

    def choice(self, default, options: list):
        """One of ``options``."""
        return default if self.rng is None else options[int(self.rng.integers(len(options)))]

    def ints(self, default: list, lo: int, hi: int, *, distinct: bool = False) -> list[int]:
        """As many whole numbers in ``[lo, hi]`` as ``default`` has (all different with ``distinct``)."""
        if self.rng is None:
            return list(default)
        if distinct:
            return [int(x) for x in self.rng.choice(range(lo, hi + 1), size=len(default), replace=False)]
        return [int(x) for x in self.rng.integers(lo, hi + 1, size=len(default))]

    def shuffled(self, default: list) -> list:
        """``default`` in a random order."""
        return list(default) if self.rng is None else [default[i] for i in self.rng.permutation(len(default))]


@dataclass(frozen=True)
class Variant:
    """A set's per-student numbers: ``draw(Draw(rng))`` for a student, ``draw(Draw())`` for variant 0."""

    draw: Callable[[Draw], dict]

    @property
    def defaults(self) -> dict[str, Any]:
        return self.draw(Draw())


def load_variant(set_dir: Path) -> Variant | None:
    """The variant of an exercise set: ``numbers(d)`` in ``<set_dir>/variant.py``, or None if it has none."""
    import importlib.util

    path = Path(set_dir) / "variant.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"crm_lessons_variant_{Path(set_dir).name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return Variant(module.numbers)


#: Exercise sets whose numbers differ per student (every set with an ``exercises/<set>/variant.py``).
VARIANTS: dict[str, Variant] = {d.name: v for d in sorted(EXERCISES.glob("*")) if d.is_dir()
                                for v in [load_variant(d)] if v is not None} if EXERCISES.is_dir() else {}


def variant_params(set_name: str, seed: int) -> dict[str, Any]:
    """The parameters of variant ``seed`` (0 is the committed default) of ``set_name``."""
    import numpy as np

    return VARIANTS[set_name].draw(Draw(None if seed == 0 else np.random.default_rng(seed)))


# --------------------------------------------------------------------------------------------- multiple choice
#: An option line of a multiple-choice question: ``- `"a"`: ...``, ``- (a) ...``, ``- A: ...``, ``- a. ...``.
OPTION = re.compile(r'^- (?:`"(?P<q>[a-eA-E])"`:?|\((?P<p>[a-eA-E])\)|(?P<c>[a-eA-E]):|(?P<d>[a-eA-E])\.)\s')
_NAME = re.compile(r"`([A-Za-z_]\w*)`")


def option_blocks(markdown: str) -> list[dict]:
    """The option lists of a Markdown cell: ``{var, letters, start, end}`` per list (lines ``start:end``).

    A list belongs to the last answer variable named in backquotes before it (``Store the letter in `q7`.``);
    an option may continue on lines indented by two spaces.
    """
    lines = markdown.split("\n")
    blocks, var, i = [], None, 0
    while i < len(lines):
        m = OPTION.match(lines[i])
        if not m:
            names = _NAME.findall(lines[i])
            var = names[-1] if names else var
            i += 1
            continue
        start, letters = i, []
        while i < len(lines) and (OPTION.match(lines[i]) or (letters and lines[i].startswith("  ")
                                                               and lines[i].strip())):
            mm = OPTION.match(lines[i])
            if mm:
                letters.append(next(g for g in mm.groups() if g))
            i += 1
        blocks.append({"var": var, "letters": letters, "start": start, "end": i})
    return blocks


def option_order(seed: int, var: str, n: int) -> list[int]:
    """Which option (index in the committed notebook) a student with ``seed`` sees at each position."""
    import numpy as np

    if seed == 0:
        return list(range(n))
    digest = hashlib.sha256(f"crm-lessons:options:{seed}:{var}".encode()).digest()
    return [int(i) for i in np.random.default_rng(int.from_bytes(digest[:8], "big")).permutation(n)]


def mc_key(seed: int, var: str, key: str, n: int) -> str:
    """The letter of the right option for the student with ``seed``; ``key`` is its letter in variant 0."""
    letters = "abcde"[:n]
    pos = option_order(seed, var, n).index(letters.index(key.lower()))
    return letters[pos].upper() if key.isupper() else letters[pos]


def shuffle_options(markdown: str, seed: int) -> str:
    """``markdown`` with the options of each multiple-choice list in the student's own order."""
    lines = markdown.split("\n")
    for b in reversed(option_blocks(markdown)):
        items, cur = [], None
        for ln in lines[b["start"]:b["end"]]:
            m = OPTION.match(ln)
            if m:
                cur = [ln[:m.end()], [ln[m.end():]]]
                items.append(cur)
            else:
                cur[1].append(ln)
        order = option_order(seed, b["var"] or "", len(items))
        new = []
        for pos, src in enumerate(order):
            body = items[src][1]
            new += [items[pos][0] + body[0], *body[1:]]
        lines[b["start"]:b["end"]] = new
    return "\n".join(lines)


def param_cell_source(params: dict[str, Any], seed: int) -> str:
    """The parameter cell: one assignment per line, preceded by the mark and the variant seed."""
    lines = [f"{PARAM_MARK} (variant {seed}); graded with these, so do not edit this cell.",
             f"variant = {seed}"]
    lines += [f"{k} = {v!r}" for k, v in params.items()]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- release
def read_roster(path: str | Path) -> list[str]:
    """Student ids from a CSV with a ``student`` (or ``id``, ``student_id``, ``username``, ``email``) column."""
    path = Path(path)
    if not path.is_file():
        raise GradingError(f"roster {path} not found; give a CSV with a 'student' column (one row per student).")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    cols = {c.strip().lower(): c for c in (rows[0].keys() if rows else [])}
    key = next((cols[c] for c in ("student", "id", "student_id", "username", "email") if c in cols), None)
    if key is None:
        raise GradingError(f"roster {path}: no 'student' column (columns: {sorted(cols)}); "
                           "add a header row with a column named student.")
    ids = [str(r[key]).strip() for r in rows]
    bad = [i for i in ids if not re.fullmatch(r"[A-Za-z0-9._@+-]+", i)]
    if bad:
        raise GradingError(f"roster {path}: student ids {bad[:5]} are empty or hold characters other than "
                           "letters, digits and . _ @ + -; they name files, so fix them in the roster.")
    dup = [i for i, n in Counter(ids).items() if n > 1]
    if dup:
        raise GradingError(f"roster {path}: student ids {dup[:5]} appear twice; each id must be unique.")
    return ids


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and any(out.iterdir()) and not force:
        raise GradingError(f"{out} is not empty; choose another --out or add --force to overwrite.")
    out.mkdir(parents=True, exist_ok=True)


def _set_dirs(sets: list[str] | None, exercises: Path) -> list[Path]:
    have = sorted(d for d in exercises.iterdir() if (d / "student" / f"{d.name}.ipynb").exists())
    if not sets:
        return have
    names = {d.name: d for d in have}
    unknown = [s for s in sets if s not in names]
    if unknown:
        raise GradingError(f"unknown exercise set(s) {unknown}; choose from {sorted(names)}.")
    return [names[s] for s in sets]


def release(roster: str | Path, out: str | Path, sets: list[str] | None = None, *, force: bool = False,
            exercises: str | Path = EXERCISES) -> list[Path]:
    """Write ``out/<student>/<set>.ipynb`` for every student and set; return the paths written.

    Only student versions are read (never the instructor notebook), so no hidden test enters the release.
    """
    import nbformat

    students = read_roster(roster)
    dirs = _set_dirs(sets, Path(exercises))
    out = Path(out)
    _check_out(out, force)
    written = []
    for d in dirs:
        base = nbformat.read(d / "student" / f"{d.name}.ipynb", as_version=4)
        for sid in students:
            nb = nbformat.from_dict(json.loads(json.dumps(base)))
            seed = student_seed(sid, d.name)
            if d.name in VARIANTS:
                cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(PARAM_MARK))
                cell.source = param_cell_source(variant_params(d.name, seed), seed)
            for c in nb.cells:
                if c.cell_type == "markdown":
                    c.source = shuffle_options(c.source, seed)
            nb.metadata["crm_lessons"] = {**nb.metadata.get("crm_lessons", {}),
                                          "student": sid, "set": d.name, "seed": seed}
            dest = out / sid / f"{d.name}.ipynb"
            dest.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, dest)
            written.append(dest)
    return written


# --------------------------------------------------------------------------------------------- grading
class _Timeout(Exception):
    pass


class _Grader:
    """Stands in for ``otter.Notebook`` while grading: ``grader.check(...)`` does nothing."""

    def check(self, *a, **k):
        return None

    def __getattr__(self, name):
        return lambda *a, **k: None


def _doctest_code(code: str) -> str:
    lines = []
    for ln in code.splitlines():
        if ln.startswith(">>> ") or ln.startswith("... "):
            lines.append(ln[4:])
        elif ln.strip() in (">>>", "..."):
            lines.append("")
    return "\n".join(lines)


def _clean(src: str) -> str:
    return "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in src.splitlines())


def run_notebook(nb, *, timeout: int = 60) -> tuple[dict, list[str]]:
    """Execute the code cells of ``nb`` in a fresh namespace; return (namespace, errors of failing cells)."""
    import matplotlib

    matplotlib.use("Agg")
    ns: dict[str, Any] = {"__name__": "__main__", "grader": _Grader()}
    errors = []
    use_alarm = hasattr(signal, "SIGALRM")

    def _alarm(*_):
        raise _Timeout(f"cell ran longer than {timeout} s")

    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell.source.lstrip().startswith("# Initialize Otter"):
            continue
        old = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
        try:
            if use_alarm:
                signal.alarm(timeout)
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(_clean(cell.source), f"<cell {i}>", "exec"), ns)
        except (Exception, _Timeout) as e:  # a broken cell scores its questions 0; the rest still grade
            errors.append(f"cell {i}: {type(e).__name__}: {str(e)[:120]}")
        finally:
            if use_alarm:
                signal.alarm(0)
                signal.signal(signal.SIGALRM, old)
    import matplotlib.pyplot as plt

    plt.close("all")
    return ns, errors


def answer_names(set_dir: Path) -> dict[str, list[str]]:
    """Question -> the answer variables: names a ``name = ...  # SOLUTION`` line assigns and the tests check."""
    import nbformat

    nb = nbformat.read(set_dir / f"{set_dir.name}.ipynb", as_version=4)
    assigned: dict[str, list[str]] = {}
    tested: dict[str, str] = {}
    q, in_tests = None, False
    for c in nb.cells:
        if c.cell_type == "raw" and c.source.lstrip().startswith("# BEGIN QUESTION"):
            m = re.search(r"name:\s*(\S+)", c.source)
            q, in_tests = (m.group(1) if m else None), False
            assigned.setdefault(q, [])
        elif c.cell_type == "raw" and c.source.strip() in ("# BEGIN TESTS", "# END TESTS"):
            in_tests = c.source.strip() == "# BEGIN TESTS"
        elif c.cell_type == "code" and q and in_tests:
            tested[q] = tested.get(q, "") + "\n" + c.source.split("# END TEST CONFIG")[-1]
        elif c.cell_type == "code" and q:
            for ln in c.source.splitlines():
                m = re.match(r"^(\w+)\s*=.*#\s*SOLUTION", ln)
                if m and m.group(1) not in assigned[q]:
                    assigned[q].append(m.group(1))
    return {q: [n for n in names if re.search(rf"\b{n}\b", tested.get(q, ""))] or names  # SQL: tests check its result
            for q, names in assigned.items()}


def multiple_choice(set_dir: Path) -> dict[str, int]:
    """Answer variable -> number of options, for every multiple-choice list of the set's source notebook."""
    import nbformat

    nb = nbformat.read(Path(set_dir) / f"{Path(set_dir).name}.ipynb", as_version=4)
    return {b["var"]: len(b["letters"]) for c in nb.cells if c.cell_type == "markdown"
            for b in option_blocks(c.source) if b["var"]}


def _as_committed(v: Any, n: int | None, seed: int, var: str) -> Any:
    """A multiple-choice answer as the letter of the same option in the committed notebook (item analysis)."""
    if not n or not isinstance(v, str) or v.strip().lower() not in "abcde"[:n] or not v.strip():
        return v
    letter = "abcde"[option_order(seed, var, n)["abcde".index(v.strip().lower())]]
    return letter.upper() if v.strip().isupper() else letter


def _show(v: Any) -> str:
    if v is Ellipsis:
        return "(blank)"
    try:
        import numpy as np

        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            return f"{float(v):.4g}"
    except ImportError:  # pragma: no cover
        pass
    s = str(v).strip()
    return (s[:40] + "...") if len(s) > 40 else s


def grade_notebook(path: Path, student: str, set_dir: Path, *, timeout: int = 60) -> list[dict]:
    """Rows (student, set, question, points, max, passed, answer, error) for one submitted notebook."""
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
        ns, errors = run_notebook(nb, timeout=timeout)
    except Exception as e:  # not a notebook at all: every question 0
        ns, errors = {}, [f"notebook unreadable: {type(e).__name__}: {e}"]
    return score(ns, student, set_dir, errors)


def score(ns: dict, student: str, set_dir: Path, errors: list[str] = (), *, seed: int | None = None,
          questions: list[str] | None = None) -> list[dict]:
    """Run the public and hidden tests of ``set_dir`` on the namespace of a run notebook, for ``student``.

    The student's own numbers (and ``variant``, their seed) replace whatever the notebook set, so answers
    copied from another variant fail; ``seed`` overrides the student's seed (0: the committed numbers) and
    ``questions`` limits the questions scored. ``ns`` itself is left unchanged.
    """
    import nbformat
    import numpy as np

    set_dir = Path(set_dir)
    instructor = nbformat.read(set_dir / "instructor" / f"{set_dir.name}.ipynb", as_version=4)
    tests = instructor.metadata["otter"]["tests"]
    names = answer_names(set_dir)
    ns = dict(ns)
    if seed is None:
        seed = student_seed(student, set_dir.name)  # the submitter's own numbers, whatever the notebook says
    variant = load_variant(set_dir)
    if variant is not None:
        ns.update(variant.draw(Draw(np.random.default_rng(seed) if seed else None)))
    ns["variant"] = seed
    options = multiple_choice(set_dir)
    rows = []
    for q in sorted(tests, key=lambda s: (len(s), s)):
        if questions is not None and q not in questions:
            continue
        spec = tests[q]
        points = float(spec.get("points", 1) or 1)
        ok, why = True, ""
        for case in spec["suites"][0]["cases"]:
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(_doctest_code(case["code"]), ns)
            except Exception as e:
                ok, why = False, ("hidden" if case.get("hidden") else "public") + f" test: {type(e).__name__}"
                break
        answer = "; ".join(_show(_as_committed(ns.get(n, "(not defined)"), options.get(n), seed, n))
                           for n in names.get(q, []))
        rows.append({"student": student, "set": set_dir.name, "question": q, "points": points if ok else 0.0,
                     "max": points, "passed": ok, "answer": answer, "why": why,
                     "errors": " | ".join(errors)[:300]})
    return rows


def _submissions(folder: Path) -> list[tuple[str, Path]]:
    """(student, notebook) pairs: ``folder/<student>/<set>.ipynb`` or ``folder/<student>_<set>.ipynb``."""
    found = []
    for p in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in p.parts:
            continue
        rel = p.relative_to(folder)
        found.append((rel.parts[0], p) if len(rel.parts) > 1 else (p.stem, p))
    return found


def _set_of(path: Path, sets: dict[str, Path]) -> str | None:
    if path.stem in sets:
        return path.stem
    hit = [s for s in sets if path.stem.endswith(s)]
    if hit:
        return hit[0]
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("crm_lessons", {})
        return meta.get("set") if meta.get("set") in sets else None
    except Exception:
        return None


def grade(submissions: str | Path, out: str | Path, *, force: bool = False, exercises: str | Path = EXERCISES,
          timeout: int = 60) -> dict[str, Path]:
    """Grade every notebook under ``submissions``; write the gradebooks and the item analysis into ``out``.

    The student is the first folder under ``submissions`` (``<student>/<set>.ipynb``) or, for a flat folder,
    the file name ``<student>_<set>.ipynb`` minus the set. Returns the paths written by name.
    """
    submissions, out = Path(submissions), Path(out)
    if not submissions.is_dir():
        raise GradingError(f"{submissions} is not a folder; give the folder holding the submitted notebooks.")
    sets = {d.name: d for d in _set_dirs(None, Path(exercises))}
    _check_out(out, force)
    rows, skipped = [], []
    for student, path in _submissions(submissions):
        set_name = _set_of(path, sets)
        if set_name is None:
            skipped.append(str(path))
            continue
        if student == path.stem and path.stem != set_name:
            student = path.stem[: -len(set_name)].rstrip("_-") or student
        graded = grade_notebook(path, student, sets[set_name], timeout=timeout)
        try:
            recorded = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("crm_lessons", {})
        except Exception:
            recorded = {}
        if recorded.get("student") not in (None, student):  # graded with the submitter's numbers anyway
            note = f"notebook was released to {recorded['student']}, submitted by {student}"
            for r in graded:
                r["errors"] = f"{note} | {r['errors']}" if r["errors"] else note
        rows.extend(graded)
    if not rows:
        raise GradingError(f"no exercise notebook found under {submissions} (expected <student>/<set>.ipynb).")
    return _write_reports(rows, skipped, out)


def _write_reports(rows: list[dict], skipped: list[str], out: Path) -> dict[str, Path]:
    import pandas as pd

    df = pd.DataFrame(rows)
    paths = {}
    long = df[["student", "set", "question", "points", "max"]]
    paths["gradebook_long"] = out / "gradebook_long.csv"
    long.to_csv(paths["gradebook_long"], index=False)
    df["item"] = df["set"].str.slice(0, 2) + " " + df["question"]
    wide = df.pivot_table(index="student", columns="item", values="points", aggfunc="sum", sort=False)
    totals = df.groupby(["student", "set"])["points"].sum().unstack("set")
    totals.columns = [f"{c} total" for c in totals.columns]
    wide = totals.join(wide).reset_index()
    paths["gradebook"] = out / "gradebook.csv"
    wide.to_csv(paths["gradebook"], index=False)
    notes = df.groupby(["student", "set"])["errors"].first().reset_index()
    notes = notes[notes["errors"] != ""]
    paths["notes"] = out / "grading_notes.csv"
    notes.to_csv(paths["notes"], index=False)

    items = []
    for (s, q), g in df.groupby(["set", "question"], sort=True):
        wrong = Counter(a for a, ok in zip(g["answer"], g["passed"]) if not ok)
        items.append({"set": s, "question": q, "students": len(g), "pass rate": round(g["passed"].mean(), 3),
                      "mean points": round(g["points"].mean(), 3), "max": g["max"].iloc[0],
                      "most common wrong answers": "; ".join(f"{a} (x{n})" for a, n in wrong.most_common(3))})
    ia = pd.DataFrame(items).sort_values(["pass rate", "set", "question"], kind="stable").reset_index(drop=True)
    paths["item_analysis"] = out / "item_analysis.csv"
    ia.to_csv(paths["item_analysis"], index=False)
    md = ["# Item analysis", "", f"{df['student'].nunique()} students, {len(ia)} questions; hardest first.", "",
          "| set | question | students | pass rate | most common wrong answers |", "|---|---|---|---|---|"]
    md += [f"| {r['set']} | {r['question']} | {r['students']} | {r['pass rate']:.0%} | "
           f"{r['most common wrong answers'].replace('|', '/')} |" for _, r in ia.iterrows()]
    if skipped:
        md += ["", "Not graded (no exercise set recognised): " + ", ".join(skipped)]
    paths["item_analysis_md"] = out / "item_analysis.md"
    paths["item_analysis_md"].write_text("\n".join(md) + "\n", encoding="utf-8")
    paths["item_analysis_png"] = out / "item_analysis.png"
    _chart(ia, paths["item_analysis_png"])
    return paths


def _chart(ia, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = (ia["set"].str.slice(0, 2) + " " + ia["question"]).tolist()
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(ia) + 1.2))
    colours = ["#c0392b" if p < 0.5 else "#2c7fb8" for p in ia["pass rate"]]
    ax.barh(labels[::-1], (ia["pass rate"] * 100).tolist()[::-1], color=colours[::-1])
    ax.axvline(50, color="grey", lw=0.8, ls="--")
    ax.set_xlim(0, 100)
    ax.set_xlabel("students passing (%)")
    ax.set_title("Pass rate per question (red: under half the class)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
