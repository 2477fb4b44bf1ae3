"""The glossary covers the course's key terms in English and Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm_lessons import glossary
from crm_lessons._validate import CRMInputError

ROOT = Path(__file__).resolve().parents[1]
CURRICULUM = ROOT.parent / "shared" / "curriculum.md"


def test_every_term_has_english_chinese_definition_and_chapter():
    t = glossary.terms()
    assert len(t) >= 100
    assert (t[["en", "zh", "definition", "chapter"]].apply(lambda s: s.str.len() > 0)).all().all()
    assert t["zh"].map(lambda s: bool(re.search(r"[\u4e00-\u9fff]", s))).all()


def test_every_chapter_named_in_the_glossary_exists_as_a_notebook_or_is_planned():
    chapters = set(glossary.terms()["chapter"])
    known = {p.stem for p in (ROOT / "notebooks").rglob("*.ipynb")}
    planned = {"01_customer_value", "02_identify", "03_differentiate", "04_interact", "05_customize",
               "06_complaints_service", "07_loyalty_churn", "08_exhibition_crm", "09_data_mining"}
    case = {c for c in chapters if c.startswith("case_")}
    assert chapters - case <= known | planned


@pytest.mark.skipif(not CURRICULUM.exists(), reason="course digest not beside the repository")
def test_every_chinese_key_term_of_the_curriculum_is_in_the_glossary():
    # Key terms are given in the digest as "English (中文)"; each Chinese term must be in the glossary.
    text = "\n".join(line for line in CURRICULUM.read_text(encoding="utf-8").splitlines()
                     if not line.startswith("#"))  # headings name sections, not terms
    found = set()
    for group in re.findall(r"[(（]([\u4e00-\u9fff、，\w ]+)[)）]", text):
        for part in re.split(r"[、，,]", group):
            part = part.strip()
            if re.fullmatch(r"[\u4e00-\u9fff]{2,}", part) and part != "中文":
                found.add(part)
    have = set(glossary.terms()["zh"])
    for zh in glossary.terms()["zh"]:
        have |= set(re.split(r"[、，,/ ]", zh))
    missing = sorted(z for z in found if z not in have)
    assert not missing, f"curriculum terms missing from the glossary: {missing}"


def test_lookup_by_english_or_chinese():
    assert glossary.lookup("Customer Lifetime Value")["zh"] == "客户终生价值"
    assert glossary.lookup("二八法则")["en"] == "80/20 rule"


def test_lookup_of_unknown_term_suggests_close_matches():
    with pytest.raises(CRMInputError, match="not in the glossary"):
        glossary.lookup("customer lifetime valu")


def test_translate_falls_back_to_none_for_unknown_text():
    assert glossary.translate("revenue") == "收入"
    assert glossary.translate("no such label") is None
    assert glossary.translate("revenue", "en") == "revenue"


def test_glossary_holds_course_terms_and_chart_words_are_a_separate_table():
    t = glossary.terms()
    words = [en for en, d in zip(t["en"], t["definition"]) if glossary.is_chart_label(en, d)]
    assert words == [], f"chart words shown as glossary entries: {words[:10]}"
    assert not t["definition"].str.contains(r"chart (?:word|title|label)", case=False).any()
    lab = glossary.labels()
    assert set(lab["en"]).isdisjoint(set(t["en"]) - set(lab["en"]))
    assert len(lab) >= 100 and (lab["source"] == "labels.csv").any()


def test_chart_words_still_translate_for_chinese_charts():
    lab = glossary.labels()
    for en, zh in zip(lab["en"].head(50), lab["zh"].head(50)):
        assert glossary.translate(en) == zh or glossary.translate(en) is not None
