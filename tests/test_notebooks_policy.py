"""Every notebook follows the house rules: stripped, titled in English and Chinese, runnable as a book."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import nbtools  # noqa: E402

NOTEBOOKS = nbtools.all_notebooks()
CHAPTERS = [p for p in NOTEBOOKS if re.match(r"\d\d_", p.name) and p.parent.name == "notebooks"]
CASE_STUDIES = [p for p in NOTEBOOKS if p.parent.name == "case_studies"]
EXERCISES = [p for d in nbtools.exercise_dirs() for p in
             [d / f"{d.name}.ipynb", d / "student" / f"{d.name}.ipynb", d / "instructor" / f"{d.name}.ipynb"]
             if p.exists()]
CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_CELL_LINES = 25


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _src(cell: dict) -> str:
    s = cell.get("source", "")
    return s if isinstance(s, str) else "".join(s)


def _id(p: Path) -> str:
    return str(p.relative_to(ROOT))


def test_there_is_a_start_page_and_chapter_one():
    names = {p.name for p in NOTEBOOKS}
    assert {"00_start_here.ipynb", "01_customer_value.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS + EXERCISES, ids=_id)
def test_notebook_is_stripped_of_volatile_output_and_metadata(path):
    assert not nbtools.check_stripped([path]), f"{_id(path)} is not stripped: run `make strip`"


@pytest.mark.parametrize("path", NOTEBOOKS + EXERCISES, ids=_id)
def test_notebook_has_no_error_output_machine_path_or_foreign_kernel(path):
    nb = _nb(path)
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    text = path.read_text(encoding="utf-8")
    assert "/work/" not in text and "/home/" not in text and "/root/" not in text
    for cell in nb["cells"]:
        assert all(o.get("output_type") != "error" for o in cell.get("outputs", []))


@pytest.mark.parametrize("path", CHAPTERS, ids=_id)
def test_chapter_opens_with_bilingual_title_goals_and_data_and_closes_with_summary(path):
    cells = _nb(path)["cells"]
    first = _src(cells[0])
    assert cells[0]["cell_type"] == "markdown" and first.startswith("# "), "first cell must be the title"
    title = first.splitlines()[0]
    assert CJK.search(title), f"title has no Chinese: {title!r}"
    if path.name != "00_start_here.ipynb":
        assert re.search(r"learning goals", first, re.I), "first cell must list the learning goals"
        assert re.search(r"\bdata\b", first, re.I), "first cell must say which data the chapter uses"
        tail = "\n".join(_src(c) for c in cells[-3:] if c["cell_type"] == "markdown")
        assert re.search(r"summary", tail, re.I), "a chapter closes with a summary"
        assert "exercises/" in tail, "a chapter closes with a link to its exercises"


@pytest.mark.parametrize("path", CHAPTERS + CASE_STUDIES, ids=_id)
def test_code_cells_are_short_enough_for_a_projector(path):
    long = [i for i, c in enumerate(_nb(path)["cells"])
            if c["cell_type"] == "code" and len(_src(c).strip().splitlines()) > MAX_CELL_LINES]
    assert not long, f"cells {long} exceed {MAX_CELL_LINES} lines: move logic into crm_lessons"


@pytest.mark.parametrize("path", CASE_STUDIES, ids=_id)
def test_case_study_has_a_parameters_cell_with_results_path(path):
    cells = _nb(path)["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    src = _src(tagged[0])
    assert re.search(r'^results_path\s*=\s*""', src, re.M)
    assert "save_results" in "".join(_src(c) for c in cells)


def test_start_page_links_every_chapter_case_study_and_exercise_set():
    text = (ROOT / "notebooks" / "00_start_here.ipynb").read_text(encoding="utf-8")
    for p in CHAPTERS:
        if p.name != "00_start_here.ipynb":
            assert f"]({p.name})" in text, f"the start page does not link {p.name}"
    for p in CASE_STUDIES:
        assert f"](case_studies/{p.name})" in text, f"the start page does not link {p.name}"
    for d in nbtools.exercise_dirs():
        assert f"../exercises/{d.name}/student/{d.name}.ipynb" in text, f"no link to exercises {d.name}"


@pytest.mark.parametrize("path", CHAPTERS + CASE_STUDIES, ids=_id)
def test_every_cell_carries_slide_metadata(path):
    cells = _nb(path)["cells"]
    missing = [i for i, c in enumerate(cells) if "slideshow" not in c.get("metadata", {})]
    assert not missing, f"cells {missing} lack slide metadata: python tools/nbtools.py slides-meta {path.name}"


LESSONS = [p for p in CHAPTERS if p.name != "00_start_here.ipynb"] + CASE_STUDIES
CHECK_LINE = "# Check: the definition above equals the package helper"


def _slide_problems(path: Path) -> tuple[list[str], list[str]]:
    """(slides of several cells over the limits, single cells over the limits) as readable lines."""
    cells = _nb(path)["cells"]
    groups = {g[0]: g for g in nbtools.slide_groups(cells)}
    multi, single = [], []
    for first, limits in nbtools.slide_overflows(cells):
        group = groups[first]
        text = f"cells {group[0]}-{group[-1]} ({_src(cells[first]).strip()[:40]!r}): {limits}"
        if len(group) > 1:
            multi.append(text)
        elif not _src(cells[first]).lstrip().startswith("## References"):  # a reference list may scroll
            single.append(text)
    return multi, single


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_every_slide_fits_a_1024x768_screen(path):
    """Limits per (sub)slide: nbtools.SLIDE_LIMITS (one chart or one table, 180 words, 16 code lines)."""
    multi, _ = _slide_problems(path)
    assert not multi, (f"{_id(path)}: {len(multi)} slide(s) over {nbtools.SLIDE_LIMITS}; run "
                       f"python tools/nbtools.py slides-meta {_id(path)}:\n  " + "\n  ".join(multi))


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_no_cell_is_too_long_for_one_slide(path):
    """A cell the splitter cannot split: over 180 words, or a chart and a table from one code cell."""
    _, single = _slide_problems(path)
    assert not single, (f"{_id(path)}: {len(single)} cell(s) too long for one slide on their own; split each "
                        "into cells (e.g. title / goals, one chart or table per code cell):\n  " + "\n  ".join(single))


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_lesson_shows_a_computation_and_checks_it_against_the_package(path):
    """"Show it, then reuse it": a visible computation from the definition, then a check cell."""
    cells = [c for c in _nb(path)["cells"] if c["cell_type"] == "code"]
    checks = [c for c in cells if _src(c).lstrip().startswith(CHECK_LINE)]
    assert checks, f"{_id(path)}: no code cell starts with {CHECK_LINE!r}"
    weak = [i for i, c in enumerate(checks) if not re.search(r"assert|testing\.assert_|isclose|allclose", _src(c))]
    assert not weak, f"{_id(path)}: check cell(s) {weak} assert nothing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_try_it_cells_use_crm_lessons_widgets_try_it(path):
    """ipywidgets.interact captures into an Output widget, which stalls plain nbclient (nbclient#312)."""
    bad = [i for i, c in enumerate(_nb(path)["cells"]) if c["cell_type"] == "code"
           and re.search(r"\binteract(?:ive_output)?\(|@(?:widgets\.)?interact\b|with\s+\w*out\w*\s*:", _src(c))]
    assert not bad, f"{_id(path)}: cells {bad} use ipywidgets.interact/Output capture; use crm_lessons.widgets.try_it"


def test_slides_meta_is_idempotent_and_fast(tmp_path):
    import shutil
    import time

    copies = []
    for p in LESSONS[:4]:
        shutil.copy(p, tmp_path / p.name)
        copies.append(tmp_path / p.name)
    t0 = time.perf_counter()
    nbtools.slides_meta(copies)
    first = [p.read_text(encoding="utf-8") for p in copies]
    assert nbtools.slides_meta(copies) == []
    assert [p.read_text(encoding="utf-8") for p in copies] == first
    assert time.perf_counter() - t0 < 10


def test_splitter_starts_a_subslide_when_a_second_chart_would_not_fit():
    def code(src):
        return {"cell_type": "code", "source": src, "metadata": {}, "outputs": []}

    cells = [{"cell_type": "markdown", "source": "## Two charts", "metadata": {}},
             code("plotting.lorenz_chart(hist);"), code("plotting.clv_chart(cv);"),
             {"cell_type": "markdown", "source": "### Next", "metadata": {}}, code("x = 1")]
    nbtools.split_slides(cells)
    kinds = [c["metadata"]["slideshow"]["slide_type"] for c in cells]
    assert kinds == ["slide", "-", "subslide", "subslide", "-"]
    assert nbtools.slide_overflows(cells) == []
