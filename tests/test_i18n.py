"""The Chinese edition (中文版) stays complete, current and faithful to the English source.

The English notebooks, exercise sets and documents are the source; ``locale/zh/*.po`` holds their
translations and ``tools/i18n.py build`` writes ``zh/``. These tests fail when an English cell has no
current translation (it is new or its text changed), when a translation drops a formula, code, link,
citation or number, when a glossary term is not rendered by its glossary Chinese term, and when ``zh/``
is not what the source and the catalogues build.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import i18n  # noqa: E402

SOURCES = i18n.sources()


def _id(p: Path) -> str:
    return i18n.rel(p)


@pytest.mark.parametrize("src", SOURCES, ids=_id)
def test_every_message_has_a_current_faithful_translation(src):
    """Drift is a failure: each problem names the file, the cell (id) or line, and the English text."""
    problems = i18n.check([src], verbose=False)
    assert not problems, (f"{len(problems)} message(s) of {_id(src)} lack a current, faithful Chinese translation "
                          "(python tools/i18n.py extract, translate in " + i18n.rel(i18n.catalogue(src))
                          + ", then python tools/i18n.py build):\n  " + "\n  ".join(problems[:40]))


@pytest.mark.parametrize("src", SOURCES, ids=_id)
def test_chinese_edition_is_what_the_source_builds(src):
    files, missing = i18n.render(src)
    assert not missing, f"{_id(src)}: text with no translation in its Chinese notebooks: {missing[:3]}"
    stale = [i18n.rel(p) for p, text in files.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    assert not stale, f"out of date (run python tools/i18n.py build): {stale}"


def test_no_stray_files_in_the_chinese_edition():
    built = {p for s in SOURCES for p in i18n.render(s)[0]}
    present = {p for p in i18n.ZH.rglob("*") if p.is_file() and "__pycache__" not in p.parts
               and ".ipynb_checkpoints" not in p.parts}
    assert not present - built, f"files under zh/ no source builds: {sorted(i18n.rel(p) for p in present - built)}"


def test_catalogues_are_valid_gettext_files_one_per_source():
    cats = sorted({i18n.catalogue(s) for s in SOURCES})
    assert sorted(i18n.LOCALE.rglob("*.po")) == cats
    for cat in cats:
        po = polib.pofile(str(cat))
        assert po.metadata["Language"] == "zh_CN" and "UTF-8" in po.metadata["Content-Type"]
        assert not po.obsolete_entries(), f"{cat}: obsolete entries (run extract)"


def _notebooks() -> list[tuple[Path, Path]]:
    pairs = []
    for s in SOURCES:
        if s.suffix == ".ipynb":
            pairs.append((s, i18n.target(s)))
            if i18n._is_exercise(s):
                for kind in ("student", "instructor"):
                    v = s.parent / kind / s.name
                    if v.exists():
                        pairs.append((v, i18n.target(v)))
    return pairs


@pytest.mark.parametrize("en,zh", _notebooks(), ids=lambda p: _id(p) if p.is_relative_to(ROOT) else str(p))
def test_code_cells_are_the_sources_own_with_lang_zh(en, zh):
    a = json.loads(en.read_text(encoding="utf-8"))
    b = json.loads(zh.read_text(encoding="utf-8"))
    assert [c["cell_type"] for c in a["cells"]] == [c["cell_type"] for c in b["cells"]]
    for ca, cb in zip(a["cells"], b["cells"]):
        if ca["cell_type"] != "code":
            continue
        sa, sb = "".join(ca["source"]), "".join(cb["source"])
        sa = i18n.LANG_LINE.sub(r'\1"zh"', sa)
        sa, sb = (i18n.FEEDBACK.sub("failure_message: ...", x) for x in (sa, sb))
        assert sa == sb
    srcs = ["".join(c["source"]) for c in b["cells"]]
    if any(re.search(r'^lang\s*=', s, re.M) for s in srcs):
        assert any(re.search(r'^lang\s*=\s*"zh"', s, re.M) for s in srcs), f"{zh}: lang is not \"zh\""
    assert b["metadata"]["crm_lessons"]["lang"] == "zh"


@pytest.mark.parametrize("en,zh", _notebooks(), ids=lambda p: _id(p) if p.is_relative_to(ROOT) else str(p))
def test_languages_link_each_other_and_links_resolve(en, zh):
    first_en = next("".join(c["source"]) for c in json.loads(en.read_text(encoding="utf-8"))["cells"]
                    if c["cell_type"] == "markdown")
    nb = json.loads(zh.read_text(encoding="utf-8"))
    first_zh = next("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert i18n.SWITCH in first_zh
    assert i18n.SWITCH in first_en, f"{en}: no link to its Chinese edition (python tools/i18n.py switch)"
    switch_en = next(ln for ln in first_en.splitlines() if i18n.SWITCH in ln)
    href = re.search(r"\]\(([^)]+)\)", switch_en).group(1)
    assert (en.parent / href).resolve() == zh.resolve(), f"{en}: its language link goes to {href}"
    broken = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for href in re.findall(r"\]\(([^)\s#]+)", "".join(cell["source"])):
            if not re.match(r"^[a-z]+:", href) and not (zh.parent / href).resolve().exists():
                broken.append(href)
    assert not broken, f"{i18n.rel(zh)}: links to missing files {broken[:5]}"


def test_checker_catches_drift_and_unfaithful_translations():
    assert i18n.faithfulness("Keep $m r$ and `clv()` and 20%.", "保留 $m r$、`clv()` 和 20%。") == []
    assert i18n.faithfulness("Keep $m r$.", "保留 $mr$。") == ["formula '$m r$' missing"]
    assert i18n.faithfulness("See [card](../datasets/x.md).", "见[说明](x.md)。") == ["link target '../datasets/x.md' missing"]
    assert i18n.faithfulness("- Fader (2005) <!-- bib:fader2005 -->", "- Fader (2005)") \
        == ["citation '<!-- bib:fader2005 -->' missing"]
    assert i18n.terminology("The churn rate rose.", "客户流失率上升了。") == []
    assert i18n.terminology("The churn rate rose.", "离开的比例上升了。") == ["term 'churn rate' not rendered as '客户流失率'"]
    assert i18n.terminology("The churn rate rose.", "离开的比例上升了。", "terms-ok: churn rate") == []


def test_a_changed_cell_becomes_fuzzy_with_its_previous_english(tmp_path, monkeypatch):
    src = tmp_path / "notebooks" / "x.ipynb"
    src.parent.mkdir()
    cell = {"cell_type": "markdown", "id": "c1", "metadata": {}, "source": ["Customer value matters."]}
    src.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    monkeypatch.setattr(i18n, "ROOT", tmp_path)
    monkeypatch.setattr(i18n, "LOCALE", tmp_path / "locale" / "zh")
    i18n.extract([src])
    cat = i18n.catalogue(src)
    po = polib.pofile(str(cat))
    po[0].msgstr = "客户价值很重要。"
    po.save()
    assert i18n.check([src], verbose=False) == []
    cell["source"] = ["Customer value matters a lot."]
    src.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    i18n.extract([src])
    entry = polib.pofile(str(cat))[0]
    assert "fuzzy" in entry.flags and entry.previous_msgid == "Customer value matters."
    assert entry.msgstr == "客户价值很重要。"
    problems = i18n.check([src], verbose=False)
    assert len(problems) == 1 and "x.ipynb:c1" in problems[0] and "Customer value matters a lot." in problems[0]


def test_tables_print_in_chinese_when_the_language_is_zh():
    from IPython.core.interactiveshell import InteractiveShell

    from crm_lessons import plotting

    ip = InteractiveShell.instance()
    df = pd.DataFrame({"segment": ["churn rate"], "customers": [3]})
    try:
        plotting.use_language("zh")
        shown = ip.display_formatter.format(df)[0]
        assert "细分群" in shown["text/plain"] and "客户流失率" in shown["text/html"]
        assert list(df.columns) == ["segment", "customers"]  # the frame itself is not changed
        plotting.use_language("en")
        assert "segment" in ip.display_formatter.format(df)[0]["text/plain"]
    finally:
        plotting.use_language("en")
        InteractiveShell.clear_instance()  # later tests (e.g. try_it's doctest) run outside IPython


def test_readme_links_the_chinese_edition():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    head = text[: text.index("\n## ", text.index("\n## ") + 1)]
    assert "zh/README.md" in head and "zh/notebooks/00_start_here.ipynb" in head


def test_review_self_check_answers_in_chinese_in_the_chinese_edition(capsys):
    from crm_lessons import plotting
    from crm_lessons.foundations import answer_hash, self_check

    h = {"r1": answer_hash("r1", 4)}
    try:
        plotting.use_language("zh")
        wrong = self_check("r1", 3, h, hints={"r1": "12 § 12.1 What CRM is"})
        right = self_check("r1", 4, h)
    finally:
        plotting.use_language("en")
    assert wrong == "r1：还没答对，请重读第 12 章第 12.1 节，再试一次。" and right == "r1：正确。"
    assert "4" not in wrong  # no answer leaks
    assert self_check("r1", 3, h) == "r1: not yet - reread the section named in the question and try again."


def test_try_it_controls_and_note_are_chinese_in_the_chinese_edition():
    from crm_lessons import plotting
    from crm_lessons.widgets import LIVE_NOTE, LIVE_NOTE_ZH, TryIt

    try:
        plotting.use_language("zh")
        w = TryIt(lambda discount_rate=0.1, k_max=3: print(discount_rate, k_max),
                  discount_rate=(0.0, 0.3, 0.01), k_max=(1, 5, 1))
        bundle = w.static_bundle()
    finally:
        plotting.use_language("en")
    assert [c.description for c in w.kwargs_widgets] == ["贴现率", "k_max"]  # no glossary term: the name
    assert LIVE_NOTE_ZH in bundle["text/html"] and LIVE_NOTE not in bundle["text/html"]
    assert w.settings() == "discount_rate = 0.1, k_max = 3"


def test_chinese_student_notebook_gives_one_line_chinese_feedback(tmp_path):
    """A student opens the Chinese exercise set, runs it blank: every check answers in one Chinese line."""
    import shutil

    import nbformat

    from crm_lessons._execution import execute

    work = tmp_path / "01_customer_value"
    shutil.copytree(i18n.ZH / "exercises" / "01_customer_value", work)
    nb = nbformat.read(work / "student" / "01_customer_value.ipynb", as_version=4)
    execute(nb, cwd=str(work / "student"))
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code" and "grader.check(" in cell.source:
            text = "".join(o.get("data", {}).get("text/plain", "") or o.get("text", "") for o in cell.outputs)
            lines.append(text.strip())
    assert len(lines) >= 6
    for line in lines:
        assert "\n" not in line and re.search(r"[\u4e00-\u9fff]", line), line
        assert "Traceback" not in line and "assert" not in line


def test_release_for_a_chinese_class(tmp_path):
    import nbformat

    from crm_lessons import grading

    roster = tmp_path / "roster.csv"
    roster.write_text("student\ns01\ns02\n", encoding="utf-8")
    written = grading.release(roster, tmp_path / "release", ["01_customer_value"],
                              exercises=grading.exercises_folder("zh"))
    assert len(written) == 2
    nbs = [nbformat.read(p, as_version=4) for p in written]
    for nb in nbs:
        assert nb.metadata["crm_lessons"]["lang"] == "zh" and nb.metadata["crm_lessons"]["seed"] > 0
        assert re.search(r"[\u4e00-\u9fff]", nb.cells[1].source)
    params = [next(c.source for c in nb.cells if c.cell_type == "code" and "variant" in c.source) for nb in nbs]
    assert params[0] != params[1]  # each student's own numbers, as in the English release
