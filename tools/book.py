"""Build the workbook as a static HTML book that works offline: ``make book``.

1. Executes every notebook (start page, chapters, case studies, appendix, student exercises) on a fresh
   kernel, two at a time, and prints a table of notebook, seconds and status.
2. Builds a Jupyter Book (1.x, which builds offline) from the executed copies with a table of contents
   generated from the repository, local MathJax (vendored from npm, see ``tools/vendor.py``) and no
   launch buttons or CDN widgets.
3. Fails (exit 1) when a notebook errors or the book still loads something from the network. It stops
   at the first notebook that fails (notebooks not yet started are cancelled) and builds the site in a
   temporary folder that replaces ``_build/html`` only when everything passed, so a failed build never
   leaves a half-built site behind (``_build/html`` keeps the last complete build, if any).

Output: ``_build/html/index.html``; the Chinese edition (``--lang zh``, built from ``zh/``, see
``tools/i18n.py``) goes to ``_build/html-zh/index.html``. Every page links to the same page of the other
edition.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import nbtools  # noqa: E402
import offline  # noqa: E402
import vendor  # noqa: E402
from slides import run_until_failure  # noqa: E402

BUILD = ROOT / "_build"


ZH = ROOT / "zh"
SITES = {"en": BUILD / "html", "zh": BUILD / "html-zh"}


def book_notebooks(lang: str = "en") -> list[Path]:
    nbs = nbtools.all_notebooks()
    for d in nbtools.exercise_dirs():
        p = d / "student" / f"{d.name}.ipynb"
        if p.exists():
            nbs.append(p)
    if lang == "zh":
        nbs = [ZH / p.relative_to(ROOT) for p in nbs]
    return nbs


def book_rel(path: Path) -> Path:
    """A notebook's place in its book: the same for both editions (``zh/`` dropped)."""
    if path.is_relative_to(ZH):
        return path.relative_to(ZH)
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else Path(path.name)


SWITCH_LINE = re.compile(r"^\[([^\]]+)\]\([^)]*\)\s*<!-- lang-switch -->\s*$", re.M)


def switch_links(nb, rel: Path, lang: str) -> int:
    """Point the language-switch line at the same page of the other edition's book (an HTML link).

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
    ...     "# T\\n\\n[中文版](../zh/notebooks/x.ipynb) <!-- lang-switch -->")])
    >>> switch_links(nb, Path("notebooks/x.ipynb"), "en"), nb.cells[0].source.splitlines()[-1]
    (1, '<a href="../../html-zh/notebooks/x.html">中文版</a> <!-- lang-switch -->')
    """
    other = "html-zh" if lang == "en" else "html"
    href = "../" * len(rel.parent.parts) + f"../{other}/" + rel.with_suffix(".html").as_posix()
    n = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown" and SWITCH_LINE.search(cell.source):
            cell.source = SWITCH_LINE.sub(lambda m: f'<a href="{href}">{m.group(1)}</a> <!-- lang-switch -->',
                                          cell.source)
            n += 1
    return n


BIB_KEY = re.compile(r"<!--\s*bib:([A-Za-z0-9_:\-]+)\s*-->")


def bibliography_cells(nb) -> int:
    """Turn each ``## References`` cell into a rendered bibliography of its keys (sphinxcontrib-bibtex).

    In the notebook the cell is a readable list of full references, each ending with
    ``<!-- bib:KEY -->``; in the book the same keys are rendered from ``references.bib``. Lines without
    a key (notes, links to exercises) stay as they are, below the list. Returns the number of cells changed.
    """
    n = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown" or not cell.source.lstrip().startswith("## References"):
            continue
        lines = cell.source.strip().splitlines()
        keys, rest = [], []
        for line in lines[1:]:
            found = BIB_KEY.findall(line)
            if found and line.lstrip().startswith(("- ", "* ")):
                keys += [k for k in found if k not in keys]
            else:
                rest.append(line)
        if not keys:
            continue
        directive = ["```{bibliography}", ":filter: False", ":list: bullet", "", *keys, "```"]
        cell.source = "\n".join([lines[0], "", *directive, "", *rest]).rstrip() + "\n"
        n += 1
    return n


def _run(args: tuple[Path, Path]):
    import nbformat

    from crm_lessons._pages import figure_captions, static_outputs

    path, src = args
    rel = book_rel(path)
    if rel.parts[0] == "exercises":  # a student version is published blank: no outputs, no check feedback
        nb, secs, status = nbformat.read(path, as_version=4), 0.0, "ok"
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
    else:
        nb, secs, status = nbtools._execute(path)
    if status != "ok":
        return str(rel), secs, status
    target = src / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    switch_links(nb, rel, "zh" if path.is_relative_to(ZH) else "en")
    static_outputs(nb)  # widget views cannot render without a kernel: keep the static Try it figure
    figure_captions(nb)  # alt text and captions of charts
    bibliography_cells(nb)
    nbformat.write(nb, target)
    return str(rel), secs, status


def _toc(paths: list[Path], lang: str = "en") -> str:
    rel = [book_rel(p).with_suffix("").as_posix() for p in paths]
    chapters = [r for r in rel if re.match(r"notebooks/\d\d_", r) and not r.endswith("00_start_here")]
    cases = [r for r in rel if r.startswith("notebooks/case_studies/")]
    exercises = [r for r in rel if r.startswith("exercises/")]
    appendix = [r for r in rel if r.startswith("notebooks/appendix")]
    cards = sorted(f"datasets/{p.stem}" for p in (ROOT / "datasets").glob("*.md") if p.stem != "README")
    lines = ["format: jb-book", "root: notebooks/00_start_here", "parts:"]
    captions = ("Chapters", "Case studies", "Exercises", "Appendix") if lang == "en" else ("章节", "案例研究", "练习", "附录")
    for caption, items in zip(captions, (chapters, cases, exercises, appendix + ["datasets/README"] + cards)):
        if items:
            lines += [f"  - caption: {caption}", "    chapters:"] + [f"      - file: {i}" for i in items]
    return "\n".join(lines) + "\n"


CONFIG = """\
title: "crm-lessons: CRM analytics workbook · 客户关系管理分析教程"
bibtex_bibfiles: ["references.bib"]
bibtex_reference_style: author_year
author: crm-lessons developers
only_build_toc_files: true
execute:
  execute_notebooks: "off"
html:
  use_repository_button: false
  use_issues_button: false
  use_edit_page_button: false
  use_download_button: true
launch_buttons:
  notebook_interface: classic
  binderhub_url: ""
  colab_url: ""
  thebe: false
sphinx:
  config:
    mathjax_path: mathjax/es5/tex-chtml.js
    html_static_path: ["_static"]
    html_css_files: ["crm-lessons.css"]
    bibtex_default_style: plain
    nb_ipywidgets_js: {}
    myst_heading_anchors: 3
    suppress_warnings: ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure",
                        "bibtex.duplicate_citation", "bibtex.duplicate_label"]
"""


# sphinx-thebe (always loaded by jupyter-book) writes, on every page, a script that would fetch thebe from
# unpkg.com when a live-code button is pressed. The book has no live code (launch buttons and thebe are
# off), so both scripts are removed: a page must not even be able to reach the network.
THEBE = re.compile(r'<script>const THEBE_JS_URL = [^<]*</script>\s*|<script [^>]*src="[^"]*sphinx-thebe\.js[^"]*"[^>]*>'
                   r'</script>\s*')


def drop_thebe(html: str) -> str:
    """Remove sphinx-thebe's loader from a page of the book.

    >>> drop_thebe('<script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"; x</script>'
    ...            '<script async="async" src="../_static/sphinx-thebe.js?v=1"></script><p>kept</p>')
    '<p>kept</p>'
    """
    return THEBE.sub("", html)


CONFIG_ZH = CONFIG.replace('title: "crm-lessons: CRM analytics workbook · 客户关系管理分析教程"',
                           'title: "crm-lessons：客户关系管理分析教程 · CRM analytics workbook"').replace(
    "sphinx:\n  config:\n", "sphinx:\n  config:\n    language: zh_CN\n")


def build(jobs: int, paths: list[Path] | None = None, html: Path = BUILD / "html", lang: str = "en") -> int:
    """Execute ``paths`` (default: every notebook), then build the book into ``html``; 0 on success.

    Working folders sit beside ``html``: ``book_src`` (executed copies) and ``jb`` (jupyter-book's output).
    """
    src = html.parent / "book_src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    paths = paths if paths is not None else book_notebooks(lang)
    print(f"{'notebook':<48} {'seconds':>6}    status")
    rows = run_until_failure(_run, [(p, src) for p in paths], jobs)
    failed = [r for r in rows if r[2] != "ok"]
    if failed:
        kept = f"; {html.relative_to(ROOT) if html.is_relative_to(ROOT) else html} keeps the last complete build" \
            if html.exists() else ""
        print(f"book not built: {failed[0][0]} failed ({failed[0][2]}); {len(paths) - len(rows)} notebooks "
              f"not started{kept}")
        return 1

    (src / "datasets").mkdir(exist_ok=True)
    for card in (ROOT / "datasets").glob("*.md"):
        shutil.copy(card, src / "datasets" / card.name)
    shutil.copy(ROOT / "references.bib", src / "references.bib")
    shutil.copy((ZH if lang == "zh" else ROOT) / "README.md", src / "README.md")
    from crm_lessons._pages import WRAP_CSS

    (src / "_static").mkdir(parents=True, exist_ok=True)
    (src / "_static" / "crm-lessons.css").write_text(WRAP_CSS, encoding="utf-8")
    vendor.ensure()
    shutil.copytree(vendor.path("mathjax", "es5"), src / "_static" / "mathjax" / "es5", dirs_exist_ok=True)
    (src / "_config.yml").write_text(CONFIG_ZH if lang == "zh" else CONFIG, encoding="utf-8")
    (src / "_toc.yml").write_text(_toc(paths, lang), encoding="utf-8")

    jb = Path(sys.executable).with_name("jupyter-book")
    out = html.parent / "jb"
    r = subprocess.run([str(jb), "build", str(src), "--path-output", str(out), "--builder", "html", "-q"],
                       capture_output=True, text=True)
    log = (r.stdout + r.stderr).strip()
    if r.returncode != 0:
        print(log[-4000:])
        print("jupyter-book build failed")
        return 1
    site = out / "_build" / "html"
    pages = sorted(site.rglob("*.html"))
    for page in pages:
        page.write_text(drop_thebe(page.read_text(encoding="utf-8")), encoding="utf-8")
    remote = sorted({u for f in pages for u in offline.static_urls(f.read_text(encoding="utf-8"))})
    # Every page shares one template: the browser check of the start page and one chapter covers them.
    sample = [f for f in pages if f.name in ("00_start_here.html", "01_customer_value.html", "search.html")]
    if offline.chromium():
        remote += [u for f in sample for u in offline.browser_requests(f)]
    if remote:
        print("the book still loads from the network:", *remote[:10], sep="\n  ")
        return 1
    tmp = html.with_name(html.name + ".new")
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(site, tmp)
    old = html.with_name(html.name + ".old")
    if html.exists():
        os.replace(html, old)
    os.replace(tmp, html)
    shutil.rmtree(old, ignore_errors=True)
    print(f"{len(rows)} notebooks executed; {len(pages)} HTML pages in "
          f"{html.relative_to(ROOT) if html.is_relative_to(ROOT) else html}; open index.html there")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook of the book")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--lang", choices=["en", "zh"], default="en",
                    help="en: the English book; zh: the Chinese edition from zh/ (default en)")
    ap.add_argument("--out", type=Path, default=None,
                    help="the site folder (default _build/html, or _build/html-zh for --lang zh)")
    args = ap.parse_args(argv)
    out = (args.out or SITES[args.lang]).resolve()
    return build(args.jobs, [p.resolve() for p in args.notebooks] or None, out, args.lang)


if __name__ == "__main__":
    sys.exit(main())
