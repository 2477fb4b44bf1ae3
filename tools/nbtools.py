"""Notebook housekeeping for crm-lessons: strip, refresh stored outputs, build the book, build exercises.

Usage (from the repository root; the Makefile calls these)::

    python tools/nbtools.py strip [NOTEBOOK ...]        # strip volatile output and metadata
    python tools/nbtools.py check-stripped              # exit 1 if a notebook is not stripped
    python tools/nbtools.py refresh [NOTEBOOK ...]      # execute, keep outputs of cells tests compare, strip
    python tools/nbtools.py book [--out _build] [--jobs 2]   # execute every notebook, write HTML, print a table
    python tools/nbtools.py assign [EXERCISE_DIR ...]   # otter assign: student/ and instructor/ versions
    python tools/nbtools.py slides-meta [NOTEBOOK ...]  # give cells RISE/reveal slide metadata
    python tools/nbtools.py lang-param [NOTEBOOK ...]   # add the `lang` parameter cell to chapters
    python tools/nbtools.py colab-cell [NOTEBOOK ...]   # add the guarded Colab install cell

Stored-output policy (see CONTRIBUTING.md): a notebook keeps the outputs of cells tagged
``nbval-check-output`` (the key results nbval compares) and nothing else; execution counts, widget
state and per-cell metadata other than tags and slide settings are removed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECK_TAG = "nbval-check-output"
KEEP_CELL_META = {"tags", "slideshow", "editable", "deletable", "otter"}
KEEP_NB_META = {"kernelspec", "language_info", "otter", "rise", "crm_lessons"}


def all_notebooks() -> list[Path]:
    """Chapters, case studies and appendix notebooks (not exercises)."""
    return sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def exercise_dirs() -> list[Path]:
    return sorted(p for p in (ROOT / "exercises").iterdir() if p.is_dir() and (p / f"{p.name}.ipynb").exists())


def _rel(p: Path) -> str:
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)


def _strip_nb(nb: dict) -> dict:
    nb = json.loads(json.dumps(nb))
    meta = nb.get("metadata", {})
    nb["metadata"] = {k: v for k, v in meta.items() if k in KEEP_NB_META}
    li = nb["metadata"].get("language_info")
    if li:
        nb["metadata"]["language_info"] = {"name": li.get("name", "python")}
    for cell in nb.get("cells", []):
        cmeta = cell.get("metadata", {})
        cell["metadata"] = {k: v for k, v in cmeta.items() if k in KEEP_CELL_META}
        if cell.get("cell_type") == "code":
            cell["execution_count"] = None
            keep = CHECK_TAG in cell["metadata"].get("tags", [])
            outs = []
            if keep:
                for o in cell.get("outputs", []):
                    o = dict(o)
                    if "execution_count" in o:
                        o["execution_count"] = 1
                    if o.get("output_type") in ("execute_result", "display_data"):
                        o["metadata"] = {}
                        data = o.get("data", {})
                        # keep text and HTML tables, drop images and widget views
                        o["data"] = {k: v for k, v in data.items() if k in ("text/plain", "text/html")}
                        if not o["data"]:
                            continue
                    outs.append(o)
            cell["outputs"] = outs
            # nbval refuses a stored output on a cell that looks unrun, so kept outputs keep a count
            cell["execution_count"] = 1 if outs else None
    return nb


def strip(paths: list[Path]) -> list[Path]:
    changed = []
    for p in paths:
        raw = p.read_text(encoding="utf-8")
        nb = json.loads(raw)
        new = json.dumps(_strip_nb(nb), indent=1, ensure_ascii=False) + "\n"
        if new != raw:
            p.write_text(new, encoding="utf-8")
            changed.append(p)
    return changed


def check_stripped(paths: list[Path]) -> list[Path]:
    bad = []
    for p in paths:
        raw = p.read_text(encoding="utf-8")
        if json.dumps(_strip_nb(json.loads(raw)), indent=1, ensure_ascii=False) + "\n" != raw:
            bad.append(p)
    return bad


def _execute(path: Path, timeout: int = 300):
    import nbformat

    from crm_lessons._execution import execute

    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    status = "ok"
    try:
        execute(nb, cwd=str(path.parent), timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - report, do not hide
        status = f"error: {type(exc).__name__}: {str(exc).strip().splitlines()[-1][:120] if str(exc).strip() else ''}"
    return nb, time.perf_counter() - t0, status


def refresh(paths: list[Path]) -> int:
    import nbformat

    rc = 0
    for p in paths:
        nb, secs, status = _execute(p)
        print(f"{_rel(p)}: {secs:.1f} s, {status}")
        if status != "ok":
            rc = 1
            continue
        nbformat.write(nb, p)
        strip([p])
    return rc


def _book_one(args):
    path, out = args
    from nbconvert import HTMLExporter

    nb, secs, status = _execute(path)
    rel = path.relative_to(ROOT).with_suffix(".html")
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    html, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    target.write_text(html, encoding="utf-8")
    return str(path.relative_to(ROOT)), secs, status, str(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)


def book(out: Path, jobs: int) -> int:
    paths = all_notebooks() + [d / "student" / f"{d.name}.ipynb" for d in exercise_dirs()
                               if (d / "student" / f"{d.name}.ipynb").exists()]
    out.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        rows = list(pool.map(_book_one, [(p, out) for p in paths]))
    width = max(len(r[0]) for r in rows)
    print(f"{'notebook':<{width}}  {'seconds':>8}  status")
    for name, secs, status, _ in rows:
        print(f"{name:<{width}}  {secs:8.1f}  {status}")
    index = out / "index.html"
    links = "\n".join(f'<li><a href="{Path(t).relative_to(out.relative_to(ROOT) if out.is_relative_to(ROOT) else out)}">{n}</a> ({s:.1f} s, {st})</li>'
                      for n, s, st, t in rows)
    index.write_text(f"<!doctype html><meta charset='utf-8'><title>crm-lessons</title>"
                     f"<h1>crm-lessons workbook</h1><ul>{links}</ul>\n", encoding="utf-8")
    failed = [r for r in rows if r[2] != "ok"]
    print(f"{len(rows) - len(failed)} built, {len(failed)} failed; open {index.relative_to(ROOT) if index.is_relative_to(ROOT) else index}")
    return 1 if failed else 0


_MD_LINK = re.compile(r"(\]\()([^)\s#]+)([^)]*\))")


def relink_copy(path: Path, set_dir: Path) -> None:
    """Make the links of an exercise notebook that otter copied into ``student/`` or ``instructor/`` work
    from there: a relative link written for the set's folder gets one more ``../``; the language-switch
    line points at the Chinese edition of the same version (tools/i18n.py)."""
    nb = json.loads(path.read_text(encoding="utf-8"))

    def fix(m: re.Match) -> str:
        href = m.group(2)
        if re.match(r"^[a-z]+:|^/", href) or (path.parent / href).exists() or not (set_dir / href).exists():
            return m.group(0)
        return f"{m.group(1)}../{href}{m.group(3)}"

    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = _cell_src(cell)
            new = _MD_LINK.sub(fix, text)
            if new != text:
                cell["source"] = new.splitlines(keepends=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    import i18n  # noqa: PLC0415 - tools/i18n.py imports this module

    i18n.add_english_switch([path])


def assign(dirs: list[Path]) -> int:
    """Run ``otter assign`` on ``exercises/<name>/<name>.ipynb``; keep the student and instructor notebooks."""
    for d in dirs:
        src = d / f"{d.name}.ipynb"
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run([sys.executable, "-m", "otter", "assign", str(src), tmp],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(r.stdout[-3000:], r.stderr[-3000:], sep="\n")
                return r.returncode
            for kind, sub in (("student", "student"), ("instructor", "autograder")):
                dest = d / kind
                dest.mkdir(exist_ok=True)
                shutil.copy(Path(tmp) / sub / src.name, dest / src.name)
                relink_copy(dest / src.name, d)
                strip([dest / src.name])
            tests = json.loads((d / "student" / src.name).read_text(encoding="utf-8"))["metadata"].get("otter", {})
            if any(c.get("hidden") for t in tests.get("tests", {}).values() for s in t["suites"] for c in s["cases"]):
                print(f"{d.name}: the student version holds hidden tests; do not release it")
                return 1
        print(f"{d.relative_to(ROOT)}: student/ and instructor/ written")
    return 0


# One (sub)slide must fit a 1024x768 projector at reveal.js' default scale (a 960x700 canvas): one
# chart (the theme's 9x5.2 in figure takes about 60% of the height) or one table, a few lines of code
# and a short paragraph. "height" is in rendered text lines: a chart counts 14, a table 9 (up to the ~8
# rows a slide shows), a heading 2, a code line 1 per 80 characters, a Markdown line about 90 characters;
# checked against a Try it slide rendered by tools/slides.py in headless Chromium at 1024x768.
SLIDE_LIMITS = {"charts": 1, "tables": 1, "visuals": 1, "words": 180, "code_lines": 16, "height": 26}
CHART_HEIGHT, TABLE_HEIGHT, HEADING_HEIGHT, MD_LINE_CHARS, CODE_LINE_CHARS = 14, 9, 2, 90, 80
# Slide types an author sets by hand and the splitter keeps; every other cell's type is recomputed.
KEEP_SLIDE_TYPES = {"skip", "notes", "fragment"}
_CHART_CALL = re.compile(r"\b(?:plotting\.(?!use_theme|use_language|label|current_language|cjk_font|untranslated|"
                         r"PALETTE)\w+\(|plt\.\w+\(|try_it\(|\.plot\(|sns\.\w+plot\(|interact\()")


def _shows_result(src: str) -> bool:
    """True when a code cell ends with an expression whose value Jupyter shows (a table, a number...)."""
    import ast

    code = "\n".join(ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!")))
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    if not body or not isinstance(body[-1], ast.Expr) or code.rstrip().endswith(";"):
        return False
    last = body[-1].value
    if isinstance(last, ast.Call):
        name = ast.unparse(last.func)
        if name in {"print", "display"} or _CHART_CALL.search(name + "("):
            return False
    return True


def _cell_src(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def slide_cost(cell: dict) -> dict[str, int]:
    """What a cell puts on a slide: charts, tables, prose words, code lines and height in text lines.

    Charts and tables come from the stored outputs when there are any, otherwise from the code: a chart
    helper (``plotting.*``, ``plt.*``, ``try_it``), and a last line that is an expression (a table or
    value, shown as the cell's result).
    """
    src = _cell_src(cell)
    cost = {"charts": 0, "tables": 0, "words": 0, "code_lines": 0, "height": 0}
    if cell["cell_type"] == "markdown":
        # the language-switch link (tools/i18n.py) sits in the slide's corner, not in its text
        src = "\n".join(ln for ln in src.splitlines() if "<!-- lang-switch -->" not in ln)
        text = re.sub(r"<!--.*?-->", "", src, flags=re.S)
        in_math = False
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith("$$"):
                in_math = not in_math if stripped.count("$$") == 1 else in_math
                cost["height"] += 2
                continue
            if in_math:
                cost["height"] += 1
                continue
            if stripped.startswith("|"):
                if not re.match(r"^\|[\s\-:|]+\|?$", stripped):
                    cost["height"] += 1
                continue
            if stripped.startswith("#"):
                cost["height"] += HEADING_HEIGHT
                cost["words"] += len(re.findall(r"\w+", stripped))
                continue
            if "![" in stripped:
                cost["charts"] += 1
                cost["height"] += CHART_HEIGHT
                continue
            words = re.findall(r"[\w'’-]+", re.sub(r"\]\([^)]*\)|`[^`]*`|\$[^$]*\$", " x ", stripped))
            cost["words"] += len(words)
            cost["height"] += -(-len(stripped) // MD_LINE_CHARS) if stripped else 0
        if any(ln.strip().startswith("|") for ln in text.splitlines()):
            cost["tables"] += 1
        return cost
    if cell["cell_type"] != "code":
        return cost
    lines = [ln for ln in src.splitlines() if ln.strip()]
    cost["code_lines"] = len(lines)
    cost["height"] = sum(-(-len(ln) // CODE_LINE_CHARS) for ln in lines)  # long lines wrap on a slide
    if "try_it(" in src:
        cost["height"] += 2  # the note under a Try it figure
    outputs = cell.get("outputs") or []
    if outputs:
        for out in outputs:
            data = out.get("data", {})
            if "image/png" in data or "image/svg+xml" in data or "application/vnd.jupyter.widget-view+json" in data:
                cost["charts"] += 1
            elif "text/html" in data and "<table" in "".join(data["text/html"]):
                cost["tables"] += 1
            elif out.get("output_type") in ("stream", "execute_result"):
                text = out.get("text") or "".join(data.get("text/plain", ""))
                cost["height"] += min(text.count("\n") + 1, 12)
    else:
        if _CHART_CALL.search(src):
            cost["charts"] += 1
        if _shows_result(src):
            cost["tables"] += 1
    cost["height"] += CHART_HEIGHT * cost["charts"] + TABLE_HEIGHT * cost["tables"]
    return cost


def _over(total: dict[str, int]) -> list[str]:
    over = [k for k, lim in SLIDE_LIMITS.items() if k != "visuals" and total.get(k, 0) > lim]
    if total.get("charts", 0) + total.get("tables", 0) > SLIDE_LIMITS["visuals"]:
        over.append("visuals")
    return over


def _add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in set(a) | set(b)}


def slide_groups(cells: list[dict]) -> list[list[int]]:
    """Cell indices of each (sub)slide, read from the cells' stored ``slideshow`` metadata."""
    groups: list[list[int]] = []
    for i, cell in enumerate(cells):
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")
        if kind in ("skip", "notes"):
            continue
        if kind in ("slide", "subslide") or not groups:
            groups.append([i])
        else:
            groups[-1].append(i)
    return groups


def slide_overflows(cells: list[dict]) -> list[tuple[int, list[str]]]:
    """(first cell index, limits exceeded) of every (sub)slide over :data:`SLIDE_LIMITS`."""
    bad = []
    for group in slide_groups(cells):
        total: dict[str, int] = {}
        for i in group:
            total = _add(total, slide_cost(cells[i]))
        over = _over(total)
        if over:
            bad.append((group[0], over))
    return bad


def split_slides(cells: list[dict]) -> None:
    """Set every cell's slide type: ``#``/``##`` start a slide, ``###`` a sub-slide, and a cell that would
    push the current (sub)slide over :data:`SLIDE_LIMITS` starts a new sub-slide. Types in
    :data:`KEEP_SLIDE_TYPES` that an author set are kept. Deterministic, so running it twice changes nothing.
    """
    total: dict[str, int] = {}
    for i, cell in enumerate(cells):
        meta = cell.setdefault("metadata", {})
        kept = meta.get("slideshow", {}).get("slide_type")
        if kept in KEEP_SLIDE_TYPES:
            continue
        tags = meta.get("tags", [])
        if "remove-cell" in tags or "parameters" in tags:
            meta["slideshow"] = {"slide_type": "skip"}
            continue
        src = _cell_src(cell)
        cost = slide_cost(cell)
        if i == 0 or (cell["cell_type"] == "markdown" and re.match(r"#{1,2} ", src)):
            kind, total = "slide", cost
        elif cell["cell_type"] == "markdown" and src.startswith("### "):
            kind, total = "subslide", cost
        elif total and _over(_add(total, cost)):
            kind, total = "subslide", cost
        else:
            kind, total = "-", _add(total, cost)
        meta["slideshow"] = {"slide_type": kind}


def slides_meta(paths: list[Path]) -> list[Path]:
    """Give every cell slideshow metadata (RISE and ``make slides`` read it) with :func:`split_slides`.

    Every ``#``/``##`` heading starts a slide, ``###`` a sub-slide, and long sections are split into
    sub-slides so that none exceeds :data:`SLIDE_LIMITS`. Rewrites a notebook only when something changed.
    """
    changed = []
    for p in paths:
        text = p.read_text(encoding="utf-8")
        nb = json.loads(text)
        split_slides(nb["cells"])
        new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        if new != text:
            p.write_text(new, encoding="utf-8")
            changed.append(p)
    return changed


LANG_LINE = 'lang = "en"  # chart titles and labels: "en" English, "zh" Chinese (中文)'


def lang_param(paths: list[Path]) -> list[Path]:
    """Give a chapter a ``lang`` parameter: a cell tagged ``parameters`` before the set-up cell.

    The set-up cell's ``plotting.use_theme(...)`` call then receives ``lang=lang``, so
    ``papermill -p lang zh`` (or editing the cell) switches every chart to Chinese labels.
    """
    changed = []
    for p in paths:
        nb = json.loads(p.read_text(encoding="utf-8"))
        srcs = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in nb["cells"]]
        if any(LANG_LINE.split("#")[0].strip() in s for s in srcs):
            continue
        setup = next((i for i, s in enumerate(srcs) if "use_theme(" in s and nb["cells"][i]["cell_type"] == "code"), None)
        if setup is None:
            print(f"{p.name}: no set-up cell calling use_theme(); lang not added")
            continue
        new = re.sub(r"use_theme\(\s*\)", "use_theme(lang=lang)", srcs[setup])
        if new == srcs[setup]:
            new = re.sub(r"use_theme\(", "use_theme(lang=lang, ", srcs[setup], count=1)
        nb["cells"][setup]["source"] = new
        cell = {"cell_type": "code", "execution_count": None, "outputs": [], "source": LANG_LINE,
                "metadata": {"tags": ["parameters"], "slideshow": {"slide_type": "skip"}}}
        if nb.get("nbformat_minor", 0) >= 5:
            cell["id"] = f"lang-{setup}"
        nb["cells"].insert(setup, cell)
        p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        changed.append(p)
    return changed


REPOSITORY = "https://github.com/crm-lessons/crm-lessons"
COLAB_MARK = "# Google Colab: install the workbook first"
COLAB_CELL = f"""{COLAB_MARK} (this cell does nothing anywhere else).
import importlib.util, sys
if "google.colab" in sys.modules and importlib.util.find_spec("crm_lessons") is None:
    get_ipython().run_line_magic("pip", "install -q 'crm-lessons @ git+{REPOSITORY}'")"""


def colab_cell(paths: list[Path]) -> list[Path]:
    """Insert the guarded Colab install cell before a notebook's first code cell (once)."""
    changed = []
    for p in paths:
        nb = json.loads(p.read_text(encoding="utf-8"))
        srcs = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in nb["cells"]]
        if any(COLAB_MARK in s for s in srcs):
            continue
        first = next((i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"), len(nb["cells"]))
        cell = {"cell_type": "code", "execution_count": None, "outputs": [], "source": COLAB_CELL,
                "metadata": {"tags": ["colab", "remove-cell"], "slideshow": {"slide_type": "skip"}}}
        if nb.get("nbformat_minor", 0) >= 5:
            cell["id"] = "colab-install"
        nb["cells"].insert(first, cell)
        p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        changed.append(p)
    return changed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("strip", "refresh", "slides-meta", "lang-param", "colab-cell"):
        s = sub.add_parser(name)
        s.add_argument("paths", nargs="*", type=Path)
    sub.add_parser("check-stripped")
    b = sub.add_parser("book")
    b.add_argument("--out", type=Path, default=ROOT / "_build" / "html")
    b.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    a = sub.add_parser("assign")
    a.add_argument("dirs", nargs="*", type=Path)
    args = ap.parse_args(argv)

    def every() -> list[Path]:
        nbs = all_notebooks()
        for d in exercise_dirs():
            nbs += [d / f"{d.name}.ipynb"] + [p for p in (d / "student", d / "instructor")
                                              for p in sorted(p.glob("*.ipynb")) if p.exists()]
        return nbs

    if args.cmd == "strip":
        changed = strip([p.resolve() for p in args.paths] or every())
        print(f"stripped {len(changed)} notebook(s)")
        return 0
    if args.cmd == "slides-meta":
        changed = slides_meta([p.resolve() for p in args.paths] or all_notebooks())
        print(f"slide metadata updated in {len(changed)} notebook(s)")
        return 0
    if args.cmd == "colab-cell":
        changed = colab_cell([p.resolve() for p in args.paths] or all_notebooks())
        print(f"Colab install cell added to {len(changed)} notebook(s)")
        return 0
    if args.cmd == "lang-param":
        chapters = [p for p in all_notebooks() if re.match(r"\d\d_", p.name) and p.parent.name == "notebooks"]
        changed = lang_param([p.resolve() for p in args.paths] or chapters)
        print(f"lang parameter added to {len(changed)} notebook(s)")
        return 0
    if args.cmd == "check-stripped":
        bad = check_stripped(every())
        for p in bad:
            print(f"not stripped: {p.relative_to(ROOT)} (run `make strip`)")
        return 1 if bad else 0
    if args.cmd == "refresh":
        return refresh([p.resolve() for p in args.paths] or all_notebooks())
    if args.cmd == "book":
        return book(args.out.resolve(), args.jobs)
    if args.cmd == "assign":
        return assign([p.resolve() for p in args.dirs] or exercise_dirs())
    return 2


if __name__ == "__main__":
    sys.exit(main())
