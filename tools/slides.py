"""Build reveal.js slides of every chapter that open with no network: ``make slides``.

Each chapter is executed on a fresh kernel, converted with nbconvert's reveal template, and pointed at
vendored copies of reveal.js, require.js, jQuery, Font Awesome and MathJax (see ``tools/vendor.py``)
instead of CDNs. Output: ``_build/slides/<chapter>.slides.html`` plus ``_build/slides/_static/``.

Slide breaks come from the cells' ``slideshow`` metadata (set by ``python tools/nbtools.py slides-meta``),
the same metadata JupyterLab's RISE extension uses to present a chapter live.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import nbtools  # noqa: E402
import offline  # noqa: E402
import vendor  # noqa: E402

STATIC = "_static"
LOCAL = {
    "reveal_url_prefix": f"{STATIC}/reveal.js",
    "require_js_url": f"{STATIC}/require.js",
    "jquery_url": f"{STATIC}/jquery.min.js",
    "mathjax_url": f"{STATIC}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
    "font_awesome_url": f"{STATIC}/font-awesome/css/font-awesome.min.css",
}


def exporter():
    from nbconvert import SlidesExporter

    e = SlidesExporter()
    for trait, value in LOCAL.items():
        setattr(e, trait, value)
    e.reveal_scroll = True
    e.reveal_theme = "white"
    e.exclude_input_prompt = True
    e.exclude_output_prompt = True
    return e


def offline_html(html: str) -> str:
    """Drop nbconvert's CDN-only extras (the mermaid module import) and check nothing remote is left.

    Tags and inline scripts are both scanned (``tools/offline.py``): nbconvert's widget loader builds its
    ``https://unpkg.com/...`` script tag at view time. It is only written for notebooks with widget state,
    which ``static_outputs`` removes, so a deck never contains it.
    """
    html = re.sub(r'<script type="module">\s*import mermaid from [^<]*</script>', "", html)
    bad = offline.static_urls(html)
    if bad:
        raise RuntimeError(f"slides still load {len(bad)} remote address(es): {', '.join(bad[:3])}")
    return html


def copy_static(out: Path) -> None:
    dest = out / STATIC
    if (dest / "reveal.js" / "dist" / "reveal.js").exists():
        return
    vendor.ensure()
    dest.mkdir(parents=True, exist_ok=True)
    for sub in ("dist", "plugin"):
        shutil.copytree(vendor.path("reveal.js", sub), dest / "reveal.js" / sub, dirs_exist_ok=True)
    shutil.copy(vendor.path("requirejs", "require.js"), dest / "require.js")
    shutil.copy(vendor.path("jquery", "dist/jquery.min.js"), dest / "jquery.min.js")
    for sub in ("css", "fonts"):
        shutil.copytree(vendor.path("font-awesome", sub), dest / "font-awesome" / sub, dirs_exist_ok=True)
    shutil.copytree(vendor.path("mathjax2"), dest / "mathjax", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.md", "package.json", "unpacked", "test", "docs"))


def _one(args):
    from crm_lessons._pages import WRAP_CSS, figure_html, static_outputs, with_css

    path, out = args
    nb, secs, status = nbtools._execute(path)
    if status == "ok":
        static_outputs(nb)  # Try it: the static figure and its note, never a widget repr
        figure_html(nb)  # charts with alt text
        body, _ = exporter().from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        (out / f"{path.stem}.slides.html").write_text(with_css(offline_html(body), WRAP_CSS), encoding="utf-8")
    return path.name, secs, status


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "slides")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-browser-check", action="store_true",
                    help="skip loading each deck in headless Chromium (the static scan still runs)")
    args = ap.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    copy_static(out)
    paths = [p.resolve() for p in args.notebooks] or [p for p in nbtools.all_notebooks()
                                                       if re.match(r"\d\d_", p.name) and p.parent.name == "notebooks"]
    rows = run_until_failure(_one, [(p, out) for p in paths], args.jobs)
    failed = [r for r in rows if r[2] != "ok"]
    where = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    if failed:
        print(f"stopped at the first failure: {failed[0][0]} ({failed[0][2]}); "
              f"{len(rows) - len(failed)} slide decks written in {where}, {len(paths) - len(rows)} not started")
        return 1
    decks = [out / f"{Path(p).stem}.slides.html" for p in paths]
    problems = offline.check(decks, browser=not args.no_browser_check)
    if problems:
        print("the slides load from the network:", *problems[:10], sep="\n  ")
        return 1
    how = "headless Chromium" if offline.chromium() and not args.no_browser_check else "static scan"
    print(f"{len(rows)} slide decks in {where}; none loads anything from the network ({how})")
    return 0


def run_until_failure(fn, items: list, jobs: int) -> list[tuple]:
    """``fn`` over ``items`` on ``jobs`` processes, printing each row; stops at the first row not "ok".

    At most ``jobs`` notebooks are handed out at a time and no new one starts after a failure, so a
    broken kernel fails the build in about one notebook's time (the others still running finish first).
    """
    rows, todo = [], list(items)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        running = {pool.submit(fn, todo.pop(0)) for _ in range(min(jobs, len(todo)))}
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                row = fut.result()
                rows.append(row)
                print(f"{row[0]:<48} {row[1]:6.1f} s  {row[2]}", flush=True)
            if any(r[2] != "ok" for r in rows):
                todo = []
            while todo and len(running) < jobs:
                running.add(pool.submit(fn, todo.pop(0)))
    return rows

if __name__ == "__main__":
    sys.exit(main())
