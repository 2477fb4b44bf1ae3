"""One bibliography for the book: every cited key exists, every chapter and case study ends with references.

Notebooks cite in author-year prose and end with a Markdown cell starting ``## References`` whose bullets
are full references, each ending with ``<!-- bib:KEY -->`` naming its entry in ``references.bib``
(see CONTRIBUTING.md). The book turns that cell into a rendered bibliography (tools/book.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "references.bib"
KEY = re.compile(r"<!--\s*bib:([A-Za-z0-9_:\-]+)\s*-->")
ENTRY = re.compile(r"^@(\w+)\s*\{\s*([^,\s]+)\s*,", re.M)


def _notebooks() -> list[Path]:
    return sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(ROOT.glob("notebooks/case_studies/*.ipynb"))


def _lessons() -> list[Path]:
    """Chapters (``NN_name``, not the start page) and case studies: the notebooks that must cite."""
    chapters = [p for p in sorted(ROOT.glob("notebooks/[0-9][0-9]_*.ipynb")) if p.stem != "00_start_here"]
    return chapters + sorted(ROOT.glob("notebooks/case_studies/*.ipynb"))


def bib_keys() -> set[str]:
    return {key for kind, key in ENTRY.findall(BIB.read_text(encoding="utf-8")) if kind.lower() != "comment"}


def _markdown(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def test_references_bib_parses_with_unique_keys_and_the_fields_a_reference_needs():
    text = BIB.read_text(encoding="utf-8")
    keys = [key for _, key in ENTRY.findall(text)]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    assert not dupes, f"references.bib: keys defined twice: {dupes}"
    assert text.count("{") == text.count("}"), "references.bib: unbalanced braces"
    try:
        from pybtex.database import parse_string
    except ImportError:  # the book extra brings pybtex; without it the checks above still ran
        return
    db = parse_string(text, "bibtex")
    missing = []
    for key, entry in db.entries.items():
        has_who = entry.persons.get("author") or entry.persons.get("editor") or "institution" in entry.fields \
            or "organization" in entry.fields or "publisher" in entry.fields \
            or "howpublished" in entry.fields  # course material: anonymous slides, named by file
        dated = "year" in entry.fields or entry.type.lower() == "misc"  # undated course slides are misc
        if not (has_who and "title" in entry.fields and dated):
            missing.append(key)
    assert not missing, f"references.bib entries without author/editor, title or year: {missing}"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.stem)
def test_every_cited_key_is_in_references_bib(path):
    known = bib_keys()
    cited = {k for src in _markdown(path) for k in KEY.findall(src)}
    unknown = sorted(cited - known)
    assert not unknown, (f"{path.relative_to(ROOT)} cites {unknown}, not in references.bib: add the entries "
                         "(grep -n '{KEY,' references.bib; append with cat >> references.bib)")


@pytest.mark.parametrize("path", _lessons(), ids=lambda p: p.stem)
def test_chapter_ends_with_a_reference_list(path):
    cells = [src for src in _markdown(path) if src.lstrip().startswith("## References")]
    assert cells, f"{path.relative_to(ROOT)}: no Markdown cell starting '## References'"
    keys = [k for src in cells for k in KEY.findall(src)]
    assert keys, f"{path.relative_to(ROOT)}: the References cell names no key (end each bullet with <!-- bib:KEY -->)"
    bullets = [ln for src in cells for ln in src.splitlines() if ln.lstrip().startswith(("- ", "* "))]
    bare = [ln.strip()[:70] for ln in bullets if not KEY.search(ln)]
    assert not bare, f"{path.relative_to(ROOT)}: reference bullets without a bib key: {bare}"
