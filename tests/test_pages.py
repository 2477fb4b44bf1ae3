"""Static pages keep the lesson: Try it figures not widget reprs, local math, nothing clipped, references."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

from crm_lessons import _pages

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
REMOTE = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)=["']((?:https?:)?//[^"']+)""", re.I)


def _try_it_output():
    return nbformat.v4.new_output("display_data", data={
        _pages.WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": "abc"},
        "text/html": '<figure class="crm-try-it"><img src="data:image/png;base64,iVBORw0KGgo=" alt="Chart"/>'
                     "<figcaption>Try it: live in JupyterLab</figcaption></figure>",
        "text/plain": "Try it: the controls work live (a = 1)."})


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    old = nbformat.v4.new_code_cell("widgets.interact(f, a=(0, 2))")
    old.outputs = [nbformat.v4.new_output("display_data", data={
        "text/plain": "interactive(children=(FloatSlider(value=1.0, description='a', max=2.0), Output()),)"})]
    new = nbformat.v4.new_code_cell("try_it(f, a=(0, 2))")
    new.outputs = [_try_it_output()]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\nCLV is $\\sum_t m r^t / (1+i)^t$ and\n\n"
                                              "$$\\mathrm{CLV} = \\frac{m(1+i)}{1+i-r}$$"), old, new]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def test_static_outputs_leave_no_widget_repr_and_keep_the_try_it_figure():
    nb = _notebook()
    _pages.static_outputs(nb)
    text = nbformat.writes(nb)
    assert "interactive(children" not in text and _pages.WIDGET_VIEW not in text
    assert "<img" in nb.cells[2].outputs[0]["data"]["text/html"]
    assert "widgets" not in nb.metadata


def test_figure_outputs_get_alt_text_and_caption_for_the_book():
    cell = nbformat.v4.new_code_cell("plotting.lorenz_chart(x)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "image/png": "iVBORw0KGgo=", "text/plain": "Chart: The top fifth holds 60% of value. Lorenz curve"})]
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    assert _pages.figure_captions(nb) == 1
    assert cell.metadata["mystnb"]["image"]["alt"].startswith("Chart: The top fifth")
    assert cell.metadata["mystnb"]["figure"]["caption"] == "The top fifth holds 60% of value."


def test_nbconvert_pages_give_charts_alt_text():
    cell = nbformat.v4.new_code_cell("plotting.lorenz_chart(x)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "image/png": "iVBORw0KGgo=", "text/plain": "Chart: The top fifth holds 60% of value. Lorenz curve"})]
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    assert _pages.figure_html(nb) == 1
    page = cell.outputs[0]["data"]["text/html"]
    assert 'alt="Chart: The top fifth' in page and "<figcaption>The top fifth holds 60% of value.</figcaption>" in page


def test_runner_html_is_offline_with_local_math_and_no_widget_repr(tmp_path):
    from crm_lessons.runner import _export_html

    src = tmp_path / "case.ipynb"
    nbformat.write(_notebook(), src)
    out = tmp_path / "case.html"
    _export_html(src, out)
    html = out.read_text(encoding="utf-8")
    assert REMOTE.findall(html) == []
    assert "interactive(children" not in html and "crm-try-it" in html
    assert "white-space: pre-wrap" in html  # long code lines wrap
    if _pages.find_mathjax() is None:
        pytest.skip("no vendored MathJax (python tools/vendor.py): math falls back to plain TeX")
    assert "window.MathJax" in html and "MathJax" in html[html.index("window.MathJax"):][:5_000_000]


def test_book_turns_reference_lists_into_rendered_bibliographies():
    import book

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
        "## References\n\n- Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). \"Counting your customers\" "
        "the easy way. *Marketing Science*, 24(2), 275-284. <!-- bib:fader2005counting -->\n"
        "- Colombo, R. & Jiang, W. (1999). A stochastic RFM model. <!-- bib:colombo1999stochastic -->\n")]
    assert book.bibliography_cells(nb) == 1
    src = nb.cells[0].source
    assert src.startswith("## References")
    assert "```{bibliography}" in src and ":filter: False" in src
    assert "fader2005counting" in src and "colombo1999stochastic" in src


def test_a_chart_without_an_explicit_caption_is_captioned_by_its_title():
    assert _pages._caption_of("Chart: Lorenz curve of customer value; share of revenue against share of customers") \
        == "Lorenz curve of customer value"
    assert _pages._caption_of("Chart: Revenue doubled in a year. Revenue by year") == "Revenue doubled in a year."
