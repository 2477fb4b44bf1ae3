"""Every chapter runs with Chinese chart labels (lang = "zh") and no missing-glyph boxes."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import nbtools  # noqa: E402

CHAPTERS = [p for p in nbtools.all_notebooks()
            if re.match(r"\d\d_", p.name) and p.parent.name == "notebooks" and p.name != "00_start_here.ipynb"]


def _lang_cell(nb) -> int | None:
    for i, cell in enumerate(nb.cells):
        if "parameters" in cell.metadata.get("tags", []) and re.search(r"^lang\s*=", cell.source, re.M):
            return i
    return None


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_has_a_lang_parameter(path):
    assert _lang_cell(nbformat.read(path, as_version=4)) is not None, (
        f"{path.name}: add the lang parameter cell (python tools/nbtools.py lang-param {path.name})")


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_renders_every_chart_in_chinese_without_missing_glyphs(path, cjk, monkeypatch):
    from crm_lessons._execution import execute

    nb = nbformat.read(path, as_version=4)
    i = _lang_cell(nb)
    assert i is not None
    nb.cells[i].source = re.sub(r'^lang\s*=\s*"en"', 'lang = "zh"', nb.cells[i].source, flags=re.M)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json as _j; from crm_lessons import plotting as _p; "
        "print(_j.dumps({'lang': _p.current_language(), 'untranslated': _p.untranslated()}))"))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # charts as PNG outputs
    execute(nb, cwd=str(path.parent), timeout=300)
    texts, images = [], 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append(out.get("text", ""))
            images += "image/png" in out.get("data", {})
    joined = "\n".join(texts)
    assert "missing from font" not in joined, re.findall(r".*missing from font.*", joined)[:3]
    report = json.loads(texts[-1].strip().splitlines()[-1])
    assert report["lang"] == "zh"
    # Every English chart word has a Chinese label, except engine names and labels built from data (digits).
    left = [w for w in report["untranslated"] if w not in {"pandas", "duckdb"} and not re.search(r"\d", w)]
    assert not left, f"add these chart words to src/crm_lessons/_glossary/: {left}"
    assert images > 0, "the chapter drew no charts"
