"""docs/curriculum_coverage.md lists every catalogue item, and every place it names exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COVERAGE = ROOT / "docs" / "curriculum_coverage.md"
CATALOGUE = ROOT.parent / "shared" / "curriculum-items.md"
DEPTHS = {"MISSING", "MENTIONED", "SHOWN", "EXERCISED"}


def _rows(text: str) -> list[list[str]]:
    """Rows of the items table: the lines after '## Items' that start with '| <number> |'."""
    body = text.split("## Items", 1)[1]
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in body.splitlines() if re.match(r"^\|\s*\d+\s*\|", line)]


def _headings(path: Path) -> set[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = set()
    for c in nb["cells"]:
        if c["cell_type"] == "markdown":
            src = c["source"] if isinstance(c["source"], str) else "".join(c["source"])
            out |= {m.group(1).strip() for m in re.finditer(r"^#{1,6}\s+(.*\S)\s*$", src, re.M)}
    return out


ROWS = _rows(COVERAGE.read_text(encoding="utf-8"))


def test_every_row_has_six_columns_and_a_known_depth():
    assert ROWS, "no item rows found under '## Items'"
    bad = [r[0] for r in ROWS if len(r) != 6 or r[4] not in DEPTHS]
    assert not bad, f"rows with a wrong column count or an unknown depth: {bad}"


def test_no_item_number_appears_twice():
    nums = [int(r[0]) for r in ROWS]
    assert len(nums) == len(set(nums)), "an item number appears twice"


def test_every_catalogue_item_has_a_row():
    if not CATALOGUE.exists():
        pytest.skip(f"catalogue not found at {CATALOGUE} (../shared is absent); cannot compare")
    cat = {int(m.group(1)) for m in re.finditer(r"^\|\s*(\d+)\s*\|", CATALOGUE.read_text(encoding="utf-8"), re.M)}
    missing = sorted(cat - {int(r[0]) for r in ROWS})
    assert not missing, f"catalogue items with no row in docs/curriculum_coverage.md: {missing}"


def test_every_named_notebook_and_section_heading_exists():
    cache: dict[Path, set[str]] = {}
    bad = []
    for r in ROWS:
        if r[3] == "-":
            continue
        for loc in r[3].split(" ; "):
            path_text, _, heading = loc.partition(" § ")
            path = ROOT / path_text.strip()
            if not path.exists():
                bad.append(f"item {r[0]}: no file {path_text}")
                continue
            if path.suffix == ".ipynb":
                hs = cache.setdefault(path, _headings(path))
                if heading.strip() not in hs:
                    bad.append(f"item {r[0]}: {path_text} has no heading {heading.strip()!r}")
    assert not bad, "coverage table names places that do not exist:\n" + "\n".join(bad)


def test_a_taught_item_names_where_it_is_taught():
    bad = [r[0] for r in ROWS if r[4] != "MISSING" and r[3] == "-"]
    assert not bad, f"items with a depth above MISSING but no place named: {bad}"


def test_header_gives_counts_by_topic_before_and_after():
    head = COVERAGE.read_text(encoding="utf-8").split("## Items", 1)[0]
    assert "before" in head and "after" in head and "| **all** |" in head
