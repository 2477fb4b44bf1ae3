"""Static pages (the book, slides, the HTML ``crm-lessons run`` writes) that keep the lesson.

* :func:`static_outputs`: no widget repr anywhere. A live widget view is dropped where the output also
  carries a static form (``try_it`` puts a figure and a note there); a widget repr with nothing else
  (``interactive(children=(FloatSlider(...`` from old cells) becomes a one-line note.
* :func:`figure_captions`: each figure output gets its alt text (the figure's text/plain, set by
  ``crm_lessons.plotting``) and caption as cell metadata the book (MyST-NB) turns into ``alt`` and a
  caption.
* :func:`offline_math_html`: plain nbconvert HTML loads MathJax from a CDN; this swaps in a local
  MathJax 3 (inlined, so the page is one file that works offline).
* :data:`WRAP_CSS`: long equations and code lines scroll or wrap instead of being clipped; table cells wrap.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "widgets"
_WIDGET_REPR = re.compile(r"^\s*(?:interactive|VBox|HBox|Box|Output|FloatSlider|IntSlider|Dropdown|"
                          r"SelectionSlider|Checkbox|ToggleButtons|RadioButtons|Text|Button)\(")
LIVE_ONLY_NOTE = ("Interactive controls: open this notebook in JupyterLab, Binder or Colab to use them.")

WRAP_CSS = """\
/* crm-lessons: nothing is clipped at the right edge */
mjx-container[display="true"], .MathJax_Display, .math, div.math { overflow-x: auto; overflow-y: hidden;
  max-width: 100%; }
div.highlight pre, .cell_input pre, .jp-InputArea pre, .input_area pre, pre.literal-block {
  white-space: pre-wrap; overflow-wrap: anywhere; }
.cell_output pre, .output_area pre, .jp-OutputArea-output pre { white-space: pre-wrap; overflow-wrap: anywhere; }
table.dataframe td, table.dataframe th, .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th {
  white-space: normal !important; overflow-wrap: anywhere; max-width: 32em; vertical-align: top; }
.cell_output, .output_area, .jp-OutputArea-output { overflow-x: auto; }
.cell_output img, .jp-OutputArea-output img { max-width: 100%; height: auto; }
figure.crm-try-it figcaption { font-size: 90%; color: #555; }
"""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "".join(value or [])


def static_outputs(nb) -> int:
    """Make every output static (in place); returns how many outputs changed.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> cell = nbformat.v4.new_code_cell("try_it(...)")
    >>> cell.outputs = [nbformat.v4.new_output("display_data", data={
    ...     WIDGET_VIEW: {"model_id": "x"}, "text/plain": "interactive(children=(FloatSlider(value=1.0),))"})]
    >>> nb.cells = [cell]
    >>> static_outputs(nb), cell.outputs[0]["data"]
    (1, {'text/plain': 'Interactive controls: open this notebook in JupyterLab, Binder or Colab to use them.'})
    """
    changed = 0
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data")
            if not data:
                continue
            touched = False
            if WIDGET_VIEW in data:
                data.pop(WIDGET_VIEW)
                touched = True
            plain = _text(data.get("text/plain", ""))
            if set(data) <= {"text/plain"} and _WIDGET_REPR.match(plain):
                data["text/plain"] = LIVE_ONLY_NOTE
                touched = True
            changed += touched
    nb.get("metadata", {}).pop(WIDGET_STATE, None)
    return changed


def _caption_of(alt: str) -> str:
    """The caption in a chart's alt text: "Chart: <caption>. ..." or the title in "Chart: <title>; ..."."""
    m = re.match(r"Chart: (.+?\.)(?:\s|$)", alt)
    if m:
        return m.group(1)
    m = re.match(r"Chart: ([^;|]+)", alt)
    return m.group(1).strip() if m else ""


def figure_captions(nb) -> int:
    """Give cells with a figure output MyST-NB image alt text (and a caption when one was set); returns
    how many cells got one. The alt text is the figure's text/plain when it starts with "Chart"."""
    n = 0
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        figs = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        if len(figs) != 1:
            continue
        alt = _text(figs[0]["data"].get("text/plain", ""))
        if not alt.startswith("Chart"):
            continue
        meta = cell.setdefault("metadata", {}).setdefault("mystnb", {})
        meta.setdefault("image", {})["alt"] = alt
        caption = _caption_of(alt)
        if caption:  # "Chart: <caption>." from finish(caption=...), else the chart's title
            meta.setdefault("figure", {})["caption"] = caption
        n += 1
    return n


def figure_html(nb) -> int:
    """For nbconvert pages (run HTML, slides): give each chart output an HTML form with its alt text and,
    when set, a caption under it (nbconvert's lab template writes ``<img>`` without ``alt``). Returns the
    number of outputs changed."""
    import html as _html

    n = 0
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            alt = _text(data.get("text/plain", ""))
            if "image/png" not in data or "text/html" in data or not alt.startswith("Chart"):
                continue
            png = _text(data["image/png"]).replace("\n", "")
            cap = _caption_of(alt)
            caption = f"<figcaption>{_html.escape(cap)}</figcaption>" if cap else ""
            data["text/html"] = (f'<figure class="crm-chart" style="margin:0"><img src="data:image/png;base64,{png}" '
                                 f'alt="{_html.escape(alt, quote=True)}" style="max-width:100%;height:auto"/>'
                                 f"{caption}</figure>")
            n += 1
    return n


def find_mathjax() -> Path | None:
    """The folder of a local MathJax 3 (``es5``): ``$CRM_LESSONS_MATHJAX``, else the repository's vendored
    copy (``python tools/vendor.py``), looked for next to the package and in the working directory."""
    env = os.environ.get("CRM_LESSONS_MATHJAX")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [p / ".cache" / "vendor" / "node_modules" / "mathjax" / "es5" for p in
                   [*here.parents[:3], Path.cwd(), *Path.cwd().parents[:2]]]
    for c in candidates:
        if (c / "tex-svg-full.js").exists():
            return c
    return None


_MATHJAX2_BLOCK = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
_MATHJAX3_CONFIG = """<script>
window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
        processEscapes: true, processEnvironments: true},
  options: {ignoreHtmlClass: 'tex2jax_ignore', processHtmlClass: 'tex2jax_process'},
  svg: {fontCache: 'global'}
};
</script>"""


def offline_math_html(html: str, mathjax: Path | None = None) -> tuple[str, bool]:
    """Replace nbconvert's CDN MathJax with a local MathJax 3 inlined into the page.

    Returns ``(html, True)`` when done; ``(html, False)`` unchanged when no local MathJax is found (run
    ``python tools/vendor.py`` once in the repository, or set ``CRM_LESSONS_MATHJAX`` to an ``es5`` folder)
    or the page has no MathJax block. Pages without math (no ``$`` in the text) drop the CDN block.
    """
    if not _MATHJAX2_BLOCK.search(html):
        return html, False
    mathjax = mathjax or find_mathjax()
    if mathjax is None:
        return html, False
    # As a data: URI, so nothing in MathJax's source ("<!--", "</script") can confuse the HTML parser.
    payload = base64.b64encode((mathjax / "tex-svg-full.js").read_bytes()).decode("ascii")
    block = _MATHJAX3_CONFIG + f'\n<script src="data:text/javascript;base64,{payload}"></script>'

    return _MATHJAX2_BLOCK.sub(lambda _m: block, html, count=1), True


_REQUIRE = re.compile(r'<script[^>]+src="https?://[^"]*require(?:\.min)?\.js"[^>]*>\s*</script>')
_MERMAID = re.compile(r'<script type="module">\s*import mermaid from [^<]*</script>', re.S)


def offline_html(html: str) -> str:
    """A standalone page: local MathJax (when found), no require.js or mermaid from a CDN, wrapping CSS.

    Outputs must already be static (:func:`static_outputs`): without widget state nothing needs require.js.
    """
    html, _ = offline_math_html(html)
    html = _MERMAID.sub("", _REQUIRE.sub("", html))
    return with_css(html)


def with_css(html: str, css: str = WRAP_CSS) -> str:
    """Add a style sheet before ``</head>``."""
    return html.replace("</head>", f"<style>\n{css}</style>\n</head>", 1)
