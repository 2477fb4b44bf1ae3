"""The Chinese edition (中文版): gettext catalogues of the English text and the notebooks built from them.

One source: the English notebooks, exercise sets and documents. Their reader-facing prose goes into
gettext catalogues, one ``.po`` file per source under ``locale/zh/`` (translators may use Poedit,
Weblate or any PO editor); this tool writes the Chinese edition under ``zh/`` from the English source
and the catalogues. Code cells are the source's own; only the ``lang`` parameter becomes ``"zh"`` so
charts and printed tables come out in Chinese.

Usage (from the repository root; ``make zh`` runs extract, check and build)::

    python tools/i18n.py extract [SOURCE ...]   # update locale/zh/*.po from the English source
    python tools/i18n.py check [SOURCE ...]     # untranslated, outdated or unfaithful messages; exit 1 if any
    python tools/i18n.py build [SOURCE ...]     # write zh/ (notebooks, exercise sets, docs)
    python tools/i18n.py refresh [SOURCE ...]   # execute zh notebooks, store the outputs nbval compares
    python tools/i18n.py todo CATALOGUE.po      # the messages of one catalogue that still need work

What a message is:

* every Markdown cell of a notebook (the language-switch line excepted);
* in an exercise set, also every ``failure_message`` of its tests (context ``feedback``);
* in a Markdown document, every block between blank lines, and every code block with ``# comments``
  (context ``code``: only the comments may change).

A message whose English changed keeps its old translation marked ``fuzzy`` with the previous English
(``#| msgid``), so a translator sees what changed; ``check`` and ``tests/test_i18n.py`` fail until it
is translated again. ``check`` also fails when a translation drops or changes a formula, inline code, a
link target, a citation key or a number of its English, or does not render a glossary term by its
glossary Chinese term (one terminology: ``crm_lessons.glossary``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import nbtools  # noqa: E402

LOCALE = ROOT / "locale" / "zh"
ZH = ROOT / "zh"
DOCS = [ROOT / "README.md", ROOT / "docs" / "instructors.md"]
SWITCH = "<!-- lang-switch -->"
LANG_LINE = re.compile(r'^(lang\s*=\s*)"en"', re.M)
FEEDBACK = re.compile(r"^failure_message:[ \t]*(?P<value>\S.*?)[ \t]*$", re.M)
HEADER = {
    "Project-Id-Version": "crm-lessons",
    "Language": "zh_CN",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
}


@dataclass
class Message:
    msgid: str
    where: str  # "<source rel path>:<cell id or block number>"
    context: str | None = None  # None for prose, "feedback" for an exercise's failure message


# --------------------------------------------------------------------------------------------- sources
def rel(p: Path) -> str:
    return p.resolve().relative_to(ROOT).as_posix()


def exercise_sources() -> list[Path]:
    return [d / f"{d.name}.ipynb" for d in nbtools.exercise_dirs()]


def sources() -> list[Path]:
    """Every English source of the Chinese edition: notebooks, exercise sets, documents."""
    return nbtools.all_notebooks() + exercise_sources() + DOCS


def catalogue(src: Path) -> Path:
    """``locale/zh/<path>.po`` for a source (an exercise set's three notebooks share one)."""
    r = Path(rel(src))
    if r.parts[0] == "exercises":
        return LOCALE / "exercises" / f"{r.stem}.po"
    return LOCALE / r.with_suffix(".po")


def target(src: Path) -> Path:
    """Where the Chinese edition of a source is written: ``zh/<path>``."""
    return ZH / rel(src)


def _lines(text: str) -> list[str]:
    """A cell source as Jupyter stores it: a list of lines, each but the last ending in a newline."""
    return text.splitlines(keepends=True)


def _cell_text(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def prose(text: str) -> str:
    """A Markdown cell's text without its language-switch line, trimmed."""
    return "\n".join(ln for ln in text.splitlines() if SWITCH not in ln).strip()


def _is_exercise(src: Path) -> bool:
    return rel(src).startswith("exercises/")


def _yaml_text(value: str) -> str:
    """The text of a one-line YAML scalar as otter reads it (plain, 'single' or "double" quoted)."""
    import yaml

    out = yaml.safe_load(f"v: {value}")["v"]
    return out if isinstance(out, str) else value


def feedback_messages(code: str) -> list[str]:
    """The ``failure_message`` texts of an otter test cell, as otter reads them.

    >>> feedback_messages("failure_message: 'It''s not a number.'")
    ["It's not a number."]
    >>> feedback_messages('failure_message: x must be "a" or "b", as text.')
    ['x must be "a" or "b", as text.']
    """
    return [_yaml_text(m.group("value")) for m in FEEDBACK.finditer(code)]


def md_blocks(text: str) -> list[tuple[int, str, bool]]:
    """Split a Markdown document into (line number, block, translatable) at blank lines.

    A fenced code block is one untranslatable block, blank lines inside it included.
    """
    blocks, cur, start, fence = [], [], 0, False
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            if not fence:
                if cur:
                    blocks.append((start, "\n".join(cur), True))
                cur, start, fence = [line], i, True
                continue
            cur.append(line)
            blocks.append((start, "\n".join(cur), False))
            cur, fence = [], False
            continue
        if fence:
            cur.append(line)
        elif line.strip() == "":
            if cur:
                blocks.append((start, "\n".join(cur), True))
            cur = []
        else:
            if not cur:
                start = i
            cur.append(line)
    if cur:
        blocks.append((start, "\n".join(cur), not fence))
    return blocks


def messages(src: Path) -> list[Message]:
    """The translatable messages of one source, in order."""
    r = rel(src)
    out: list[Message] = []
    if src.suffix == ".md":
        for line, block, ok in md_blocks(src.read_text(encoding="utf-8")):
            if ok and block.strip() and not _untranslatable(block):
                out.append(Message(block.strip(), f"{r}:{line + 1}"))
            elif not ok and SHELL_COMMENT.search(block):
                out.append(Message(block.strip(), f"{r}:{line + 1}", "code"))
        return out
    nb = json.loads(src.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        where = f"{r}:{cell.get('id', i)}"
        if cell["cell_type"] == "markdown":
            text = prose(_cell_text(cell))
            if text and not _untranslatable(text):
                out.append(Message(text, where))
        elif cell["cell_type"] == "code" and _is_exercise(src):
            out += [Message(t, where, "feedback") for t in feedback_messages(_cell_text(cell))]
    return out


SHELL_COMMENT = re.compile(r"(?:^|\s)#\s+\S.*$", re.M)


def code_without_comments(block: str) -> str:
    """A code block's commands with its ``# comments`` removed (what a translation must keep)."""
    return "\n".join(SHELL_COMMENT.sub("", ln).rstrip() for ln in block.strip().splitlines())


def _untranslatable(text: str) -> bool:
    """Nothing a translator could change: only markup, links, formulas or code."""
    t = re.sub(r"`[^`]*`|\$\$.*?\$\$|\$[^$\n]+\$|<!--.*?-->|\]\([^)]*\)|https?://\S+", " ", text, flags=re.S)
    return not re.search(r"[A-Za-z]{2,}", t)


# ------------------------------------------------------------------------------------------ catalogues
def _key(msgid: str, context: str | None) -> tuple[str | None, str]:
    return context, msgid


def extract(srcs: list[Path]) -> list[Path]:
    """Create or update each source's catalogue; keep translations; mark changed ones fuzzy."""
    by_cat: dict[Path, list[Message]] = {}
    for s in srcs:
        by_cat.setdefault(catalogue(s), []).extend(messages(s))
    written = []
    for cat, msgs in by_cat.items():
        old = polib.pofile(str(cat), wrapwidth=0) if cat.exists() else None
        old_by_key = {_key(e.msgid, e.msgctxt): e for e in (old or []) if not e.obsolete}
        old_by_where: dict[str, polib.POEntry] = {}
        for e in old or []:
            for f, ln in e.occurrences:  # polib splits "path:cell-id" only when the id is a number
                old_by_where.setdefault(f"{f}:{ln}" if ln else f, e)
        po = polib.POFile(wrapwidth=0)
        po.metadata = dict(HEADER)
        seen: dict[tuple, polib.POEntry] = {}
        for m in msgs:
            f, _, ln = m.where.rpartition(":")
            k = _key(m.msgid, m.context)
            if k in seen:
                seen[k].occurrences.append((f, ln))
                continue
            e = polib.POEntry(msgid=m.msgid, msgctxt=m.context, msgstr="", occurrences=[(f, ln)])
            prev = old_by_key.get(k)
            if prev is not None:
                e.msgstr, e.flags = prev.msgstr, list(prev.flags)
                e.previous_msgid = prev.previous_msgid if "fuzzy" in prev.flags else None
                e.tcomment = prev.tcomment
            else:
                # a notebook cell keeps its id when edited; a document's line numbers shift, so only cells
                moved = old_by_where.get(m.where) if ".ipynb:" in m.where else None
                if moved is not None and moved.msgstr and moved.msgctxt == m.context:
                    e.msgstr, e.flags = moved.msgstr, ["fuzzy"]
                    e.previous_msgid = moved.previous_msgid or moved.msgid
                    e.tcomment = moved.tcomment
            seen[k] = e
            po.append(e)
        cat.parent.mkdir(parents=True, exist_ok=True)
        text = str(po)
        if not cat.exists() or cat.read_text(encoding="utf-8") != text:
            cat.write_text(text, encoding="utf-8")
            written.append(cat)
    return written


def load(cat: Path) -> dict[tuple[str | None, str], str]:
    """Current translations of a catalogue: (context, English) -> Chinese, fuzzy and empty ones left out."""
    if not cat.exists():
        return {}
    po = polib.pofile(str(cat), wrapwidth=0)
    return {_key(e.msgid, e.msgctxt): e.msgstr for e in po
            if not e.obsolete and e.msgstr.strip() and "fuzzy" not in e.flags}


# ------------------------------------------------------------------------------------- faithfulness
MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$A-Za-z0-9_])\$(?=\S)[^$\n]+?(?<=\S)\$(?![A-Za-z0-9_$])", re.S)
CODE = re.compile(r"`[^`]+`")  # a code span may wrap onto the next line
LINK = re.compile(r"\]\(([^)\s]+)\)|<a [^>]*href=\"([^\"]+)\"")
BIB = re.compile(r"<!--\s*bib:[^>]*-->")
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:%|(?![\w]))")


NUMBERS_OK = re.compile(r"numbers-ok:\s*([^\n]+)", re.I)


def faithfulness(en: str, zh: str, ok: str = "") -> list[str]:
    """What the translation ``zh`` changed that it must keep: formulas, code, link targets, citations, numbers.

    >>> faithfulness("Use `clv()` with $r=0.8$ [card](a.md).", "用 `clv()`，$r=0.8$（[数据说明](a.md)）。")
    []
    >>> faithfulness("Top 20% of 4,000 customers", "前 20% 的客户")
    ['number 4,000 missing']

    A number written another way on purpose ("10 million" as "1000 万") is listed in the entry's
    translator comment: ``# numbers-ok: 10``.
    """
    allowed = {t.strip() for m in NUMBERS_OK.finditer(ok or "") for t in re.split(r"[;\s]+", m.group(1)) if t.strip()}
    problems = []
    for name, rx in (("formula", MATH), ("code", CODE), ("citation", BIB)):
        a, b = sorted(rx.findall(en)), sorted(rx.findall(zh))
        missing = [x for x in a if x not in b]
        if missing:
            problems.append(f"{name} {missing[0]!r} missing" + (f" (+{len(missing) - 1} more)" if len(missing) > 1 else ""))
    links_en = {x or y for x, y in LINK.findall(en)}
    links_zh = {x or y for x, y in LINK.findall(zh)}
    if links_en - links_zh:
        problems.append(f"link target {sorted(links_en - links_zh)[0]!r} missing")
    plain_en = MATH.sub(" ", CODE.sub(" ", BIB.sub(" ", LINK.sub(" ", en))))
    plain_zh = MATH.sub(" ", CODE.sub(" ", BIB.sub(" ", LINK.sub(" ", zh))))
    for n in dict.fromkeys(NUMBER.findall(plain_en)):
        if n in allowed:
            continue
        if not any(re.search(rf"(?<![\d.,]){re.escape(v)}(?![\d])", plain_zh) for v in (n, n.replace(",", ""))):
            problems.append(f"number {n} missing")
    return problems


_TERMS: list[tuple[re.Pattern, str, list[str]]] | None = None

#: Single-word glossary terms the terminology check enforces. Every multi-word term and acronym is
#: enforced; a single word only when it is unambiguous in this workbook's English (many single words
#: -- "end", "letter", "support", "reach", "margin", "precision" -- are glossary terms in one chapter
#: and ordinary words elsewhere, so they are left to the translator's judgement).
KEY_WORDS = {
    "self-actualisation", "cross-validation", "pseudonymisation", "quasi-identifier", "customer-centric",
    "product-centric", "market-centric", "log-likelihood", "m-probability", "u-probability", "interactivity",
    "cross-selling", "up-selling", "self-service", "agent-hours", "k-anonymity", "union-find", "silhouette",
    "antecedent", "consequent", "touchpoint", "exhibitor", "censoring", "occupancy", "shrinkage", "quintile",
    "log-odds", "crisp-dm", "p(alive)", "k-means", "tf-idf", "cohort", "uplift", "churn", "loyalty",
    "complaint", "satisfaction", "recency", "gamma-gamma", "pareto/nbd", "bg/nbd", "mbg/nbd", "trust",
    "cooperation", "exhibition", "experience", "interaction", "customise", "booth", "venue",
}
#: Multi-word glossary terms that are also ordinary phrases elsewhere in the workbook ("first purchase"
#: is a sales-psychology stage in chapter 13 and a customer's first order everywhere else).
NOT_ENFORCED = {"first purchase"}
#: A translator who renders a term differently on purpose (the English word used in another sense)
#: says so in a translator comment of the entry: ``# terms-ok: end; letter``.
TERMS_OK = re.compile(r"terms-ok:\s*([^\n]+)", re.I)


def _zh_forms(zh: str) -> list[str]:
    """Accepted Chinese renderings of a glossary term: the term; without a parenthesis; without 客户/顾客."""
    base = re.sub(r"[（(][^）)]*[）)]", "", zh).strip()
    forms = {zh.strip(), base}
    for part in re.split(r"[/／、；;]", base):
        part = part.strip()
        if part:
            forms.add(part)
            for prefix in ("客户", "顾客"):
                if part.startswith(prefix) and len(part) - len(prefix) >= 2:
                    forms.add(part[len(prefix):])
    return [zh.strip()] + sorted(f for f in forms if f and f != zh.strip())


def terms() -> list[tuple[re.Pattern, str, list[str]]]:
    """Glossary terms (longest first) as (English pattern, English, accepted Chinese forms)."""
    global _TERMS
    if _TERMS is None:
        sys.path.insert(0, str(ROOT / "src"))
        from crm_lessons.glossary import is_chart_label

        rows = []
        for path in sorted((ROOT / "src" / "crm_lessons" / "_glossary").glob("*.csv")):
            if path.name == "labels.csv":
                continue
            with path.open(encoding="utf-8") as fh:
                rows += [r for r in csv.DictReader(fh) if not is_chart_label(r["en"], r.get("definition", ""))]
        out = []
        for r in sorted(rows, key=lambda r: -len(r["en"])):
            en = r["en"].strip()
            if not en or not r["zh"].strip():
                continue
            acronym = bool(re.search(r"[A-Z]{2}", en))
            if len(en.split()) == 1 and not acronym and en.lower() not in KEY_WORDS:
                continue
            words = [re.escape(w) for w in en.split()]
            pat = re.compile(r"(?<![\w-])" + r"[\s-]+".join(words) + r"(?:s|es)?(?![\w-])",
                             0 if en.isupper() or re.search(r"[A-Z]{2}", en) else re.I)
            out.append((pat, en, _zh_forms(r["zh"])))
        _TERMS = out
    return _TERMS


def terminology(en: str, zh: str, ok: str = "") -> list[str]:
    """Glossary terms of ``en`` whose Chinese term is missing from ``zh`` (acronyms may stay as they are).

    ``ok`` is the entry's translator comment; terms listed after ``terms-ok:`` there are not checked
    (separate several with ``;`` and give the reason on a line of its own: the rest of the ``terms-ok:``
    line is read as terms; a comment may hold both ``terms-ok:`` and ``numbers-ok:`` lines).

    >>> terminology("Churn is costly.", "流失代价高昂。"), terminology("Churn is costly.", "离开代价高昂。")
    ([], ["term 'churn' not rendered as '客户流失'"])
    """
    allowed = {t.strip().lower() for m in TERMS_OK.finditer(ok or "") for t in re.split(r"[;,]", m.group(1))}
    allowed |= NOT_ENFORCED
    squashed = re.sub(r"\s+", "", zh)  # "Erlang C 公式" and "Erlang C公式" are one term
    en = "\n".join(ln for ln in en.splitlines() if not BIB.search(ln))  # references keep their own titles
    en = re.sub(r"\b[A-Za-z_]\w*(?:\.\w+)+|\b[a-z]\w*_\w+", " ", en)  # names in code: complaints.pareto_table
    text = MATH.sub(" ", CODE.sub(" ", BIB.sub(" ", re.sub(r"\]\([^)]*\)", "]", en))))
    problems = []
    for pat, term, forms in terms():
        if not pat.search(text):
            continue
        text = pat.sub(" ", text)  # a longer term consumes its words ("churn rate" before "churn")
        if term.lower() in allowed:
            continue
        if any(re.sub(r"\s+", "", f) in squashed for f in forms) or (term.isupper() and term in zh):
            continue
        problems.append(f"term {term!r} not rendered as {forms[0]!r}")
    return problems


def entry_problems(e: polib.POEntry) -> list[str]:
    """What is wrong with one translated entry: unfaithful to its English, or off the glossary."""
    if e.msgctxt == "code":
        same = code_without_comments(e.msgid) == code_without_comments(e.msgstr)
        return [] if same else ["commands changed (translate only the # comments)"]
    return faithfulness(e.msgid, e.msgstr, e.tcomment) + terminology(e.msgid, e.msgstr, e.tcomment)


def check(srcs: list[Path], *, verbose: bool = True) -> list[str]:
    """Every problem of the Chinese edition of ``srcs``: missing, outdated or unfaithful translations."""
    problems = []
    cats: dict[Path, list[Message]] = {}
    for s in srcs:
        cats.setdefault(catalogue(s), []).extend(messages(s))
    for cat, msgs in cats.items():
        if not cat.exists():
            problems.append(f"{rel(cat)}: no catalogue (run python tools/i18n.py extract)")
            continue
        po = polib.pofile(str(cat), wrapwidth=0)
        entries = {_key(e.msgid, e.msgctxt): e for e in po if not e.obsolete}
        for m in msgs:
            e = entries.get(_key(m.msgid, m.context))
            head = f"{m.where}: "
            snippet = m.msgid[:160].replace("\n", " ")
            if e is None:
                problems.append(f"{head}not in {rel(cat)} (run extract): {snippet}")
            elif not e.msgstr.strip():
                problems.append(f"{head}untranslated: {snippet}")
            elif "fuzzy" in e.flags:
                problems.append(f"{head}English changed, translation outdated (fuzzy): {snippet}")
            else:
                problems += [f"{head}{p}: {snippet}" for p in entry_problems(e)]
    if verbose:
        for p in problems:
            print(p)
    return problems


# ------------------------------------------------------------------------------------------ building
def _switch_line(from_path: Path, to_path: Path, label: str) -> str:
    href = os.path.relpath(to_path, from_path.parent).replace(os.sep, "/")
    return f"[{label}]({href}) {SWITCH}"


def english_switch(src: Path) -> str:
    return _switch_line(src, target(src), "中文版")


def chinese_switch(src: Path) -> str:
    return _switch_line(target(src), src, "English edition")


LINK_TARGET = re.compile(r"(\]\()([^)\s#]+)(#[^)\s]*)?(\))")


def _resolve(src: Path, href: str) -> Path:
    """A link's file. otter copies an exercise set's notebook into student/ and instructor/ without
    rewriting its links, so there a link that only resolves from the set's folder is taken from there."""
    dest = (src.parent / href).resolve()
    if not dest.exists() and src.parent.name in ("student", "instructor"):
        alt = (src.parent.parent / href).resolve()
        if alt.exists():
            return alt
    return dest


def relink(text: str, src: Path) -> str:
    """Point the relative links of a translated text, written to ``zh/...``, at the right files.

    A link to another source of the edition goes to its Chinese version; any other file (a data card,
    a document without a Chinese version) keeps pointing at the English repository file.
    """
    zh_dir = target(src).parent

    def fix(m: re.Match) -> str:
        href = m.group(2)
        if re.match(r"^[a-z]+:|^/|^#", href):
            return m.group(0)
        dest = _resolve(src, href)
        out = target(dest) if dest in _SOURCE_SET() or _zh_exercise(dest) else dest
        new = os.path.relpath(out, zh_dir).replace(os.sep, "/")
        return f"{m.group(1)}{new}{m.group(3) or ''}{m.group(4)}"

    return LINK_TARGET.sub(fix, text)


_SOURCES_CACHE: set[Path] | None = None


def _SOURCE_SET() -> set[Path]:
    global _SOURCES_CACHE
    if _SOURCES_CACHE is None:
        _SOURCES_CACHE = {p.resolve() for p in sources()}
    return _SOURCES_CACHE


def _zh_exercise(dest: Path) -> bool:
    """A student/instructor exercise notebook or an exercise folder: the edition has those too."""
    try:
        r = dest.relative_to(ROOT)
    except ValueError:
        return False
    return bool(r.parts) and r.parts[0] == "exercises"


def _set_relative(text: str) -> str:
    """A student/instructor copy's Markdown with its links as the set's source writes them (one ``../``
    less: ``tools/nbtools.py relink_copy`` adds it)."""
    return re.sub(r"(\]\()\.\./(?!/)", r"\1", text)


def translate_notebook(nb: dict, src: Path, table: dict) -> tuple[dict, list[str]]:
    """The Chinese notebook of ``nb`` (an English notebook of source ``src``) and the messages it lacks."""
    nb = json.loads(json.dumps(nb))
    missing: list[str] = []
    first = True
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = prose(_cell_text(cell))
            zh = text if (not text or _untranslatable(text)) else table.get((None, text))
            if zh is None and src.parent.name in ("student", "instructor"):
                zh = table.get((None, _set_relative(text)))  # its links were given one more ../
            if zh is None:
                missing.append(text[:80])
                zh = text
            zh = relink(zh, src)
            if first:
                zh = zh + "\n\n" + chinese_switch(src)
                first = False
            cell["source"] = _lines(zh)
        elif cell["cell_type"] == "code":
            code = _cell_text(cell)
            code = LANG_LINE.sub(r'\1"zh"', code)
            if _is_exercise(src):
                def sub(m: re.Match) -> str:
                    en = _yaml_text(m.group("value"))
                    zh = table.get(("feedback", en))
                    if zh is None:
                        missing.append(en[:80])
                        return m.group(0)
                    return "failure_message: '" + zh.replace("'", "''") + "'"
                code = FEEDBACK.sub(sub, code)
            cell["source"] = _lines(code)
    if _is_exercise(src):
        _translate_feedback(nb.get("metadata", {}), table, missing)
    nb.setdefault("metadata", {}).setdefault("crm_lessons", {})["lang"] = "zh"
    return nb, missing


def _translate_feedback(obj, table: dict, missing: list[str]) -> None:
    """Translate every ``failure_message`` in otter's test metadata (the student's public checks)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "failure_message" and isinstance(v, str):
                zh = table.get(("feedback", v))
                if zh is None:
                    missing.append(v[:80])
                else:
                    obj[k] = zh
            else:
                _translate_feedback(v, table, missing)
    elif isinstance(obj, list):
        for v in obj:
            _translate_feedback(v, table, missing)


def _nb_text(nb: dict) -> str:
    """A notebook as nbformat writes it (keys sorted), so a refreshed notebook reads the same."""
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def keep_outputs(nb: dict, path: Path) -> dict:
    """Give the stored outputs nbval compares (cells tagged ``nbval-check-output``) from the Chinese
    notebook already at ``path`` to the cells whose code is unchanged: its tables print in Chinese, so
    they are the Chinese edition's own (``python tools/i18n.py refresh`` stores them)."""
    if not path.exists():
        return nb
    old = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code" or not cell.get("outputs"):
            continue
        if i < len(old) and old[i]["cell_type"] == "code" and _cell_text(old[i]) == _cell_text(cell):
            cell["outputs"] = old[i].get("outputs", [])
    return nb


def render(src: Path) -> tuple[dict[Path, str], list[str]]:
    """The Chinese edition of one source, as {file under zh/: text}, and the messages it still lacks."""
    table = load(catalogue(src))
    if src.suffix == ".md":
        parts, missing = [], []
        for _, block, ok in md_blocks(src.read_text(encoding="utf-8")):
            b = block.strip()
            if ok and b and not _untranslatable(b):
                zh = table.get((None, b))
                if zh is None:
                    missing.append(b[:80])
                    zh = b
                indent = block[: len(block) - len(block.lstrip(" "))]  # a paragraph inside a list item
                parts.append(relink(zh if zh.startswith(indent) else indent + zh, src))
            elif not ok and SHELL_COMMENT.search(block):  # a code block, its comments translated
                zh = table.get(("code", block.strip()))
                if zh is None:
                    missing.append(block.strip()[:80])
                    zh = block.strip()
                indent = block[: len(block) - len(block.lstrip(" "))]
                parts.append(zh if zh.startswith(indent) else indent + zh)
            else:
                parts.append(relink(block, src) if ok else block)
        parts.insert(1, chinese_switch(src))
        return {target(src): "\n\n".join(parts) + "\n"}, missing
    out: dict[Path, str] = {}
    zh, missing = translate_notebook(json.loads(src.read_text(encoding="utf-8")), src, table)
    out[target(src)] = _nb_text(keep_outputs(zh, target(src)))
    if _is_exercise(src):
        for kind in ("student", "instructor"):
            version = src.parent / kind / src.name
            if version.exists():
                znb, miss = translate_notebook(json.loads(version.read_text(encoding="utf-8")), version, table)
                missing += miss
                out[target(version)] = _nb_text(znb)
        # No copy of the set's variant.py: grading reads each set's numbers from exercises/<set>/ for
        # either edition (crm_lessons.grading.VARIANTS), and no notebook imports it.
    return out, missing


def build_one(src: Path) -> tuple[list[Path], list[str]]:
    """Write the Chinese edition of one source; return the files written and the missing messages."""
    files, missing = render(src)
    written = []
    for path, text in files.items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written, missing


def build(srcs: list[Path]) -> int:
    total_missing = 0
    for s in srcs:
        written, missing = build_one(s)
        total_missing += len(missing)
        for w in written:
            print(f"wrote {rel(w)}")
        if missing:
            print(f"{rel(s)}: {len(missing)} messages not translated yet (English kept)")
    print(f"{len(srcs)} sources; {total_missing} messages not yet translated")
    return 0


def add_english_switch(srcs: list[Path]) -> list[Path]:
    """Give each English notebook's first Markdown cell a link to its Chinese version (once)."""
    changed = []
    for s in srcs:
        if s.suffix != ".ipynb":
            continue
        nb = json.loads(s.read_text(encoding="utf-8"))
        cell = next((c for c in nb["cells"] if c["cell_type"] == "markdown"), None)
        if cell is None:
            continue
        text = _cell_text(cell)
        line = english_switch(s)
        if SWITCH in text:
            new = "\n".join(line if SWITCH in ln else ln for ln in text.splitlines())
        else:
            new = text.rstrip("\n") + "\n\n" + line
        if new != text:
            cell["source"] = _lines(new)
            s.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            changed.append(s)
    return changed


def todo(cat: Path) -> int:
    """Print the messages of a catalogue that need work (untranslated, fuzzy or failing check)."""
    po = polib.pofile(str(cat), wrapwidth=0)
    n = 0
    for e in po:
        if e.obsolete:
            continue
        issues = []
        if not e.msgstr.strip():
            issues.append("untranslated")
        elif "fuzzy" in e.flags:
            issues.append("fuzzy")
        else:
            issues += entry_problems(e)
        if issues:
            n += 1
            print(f"--- {e.occurrences[0][0]}:{e.occurrences[0][1]} ({'; '.join(issues)})\n{e.msgid}\n")
    print(f"{n} messages need work in {rel(cat)}")
    return 1 if n else 0


def prune() -> list[Path]:
    """Remove files under ``zh/`` that no source builds any more (a deleted or renamed notebook)."""
    built = {p for s in sources() for p in render(s)[0]}
    stray = [p for p in ZH.rglob("*") if p.is_file() and p not in built and "__pycache__" not in p.parts
             and ".ipynb_checkpoints" not in p.parts]
    for p in stray:
        p.unlink()
    return stray


def refresh(srcs: list[Path], jobs: int = 2) -> int:
    """Execute the Chinese notebooks of ``srcs`` and store the outputs nbval compares (as make refresh)."""
    from concurrent.futures import ThreadPoolExecutor

    paths = [target(s) for s in srcs if s.suffix == ".ipynb" and not _is_exercise(s)]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        codes = list(pool.map(lambda p: nbtools.refresh([p]), paths))
    return max(codes, default=0)


def _paths(args: list[str]) -> list[Path]:
    return [Path(a).resolve() for a in args] if args else sources()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["extract", "check", "build", "refresh", "todo", "switch"])
    ap.add_argument("paths", nargs="*")
    a = ap.parse_args(argv)
    if a.command == "extract":
        for w in extract(_paths(a.paths)):
            print(f"updated {rel(w)}")
        return 0
    if a.command == "check":
        problems = check(_paths(a.paths))
        print(f"{len(problems)} problems")
        return 1 if problems else 0
    if a.command == "build":
        if not a.paths:
            for p in prune():
                print(f"removed {rel(p)}")
        return build(_paths(a.paths))
    if a.command == "refresh":
        return refresh(_paths(a.paths))
    if a.command == "switch":
        for c in add_english_switch(_paths(a.paths)):
            print(f"language switch added to {rel(c)}")
        return 0
    return max(todo(Path(p)) for p in a.paths)


if __name__ == "__main__":
    sys.exit(main())
