"""Slides and the book open with no network: nothing in a page, not even a script run at view time, fetches
from another machine (issue 20, item 3). The browser tests need Chromium (apt-get install chromium)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from crm_lessons import _pages

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import offline  # noqa: E402

# What nbconvert's templates write for a notebook that carries widget state (base/jupyter_widgets.html.j2).
WIDGET_LOADER = """<script>
(function() {
  function addWidgetsRenderer() {
    var scriptElement = document.createElement('script');
    var widgetRendererSrc = 'https://unpkg.com/@jupyter-widgets/html-manager@*/dist/embed-amd.js';
    scriptElement.src = widgetRendererSrc;
    document.body.appendChild(scriptElement);
  }
  document.addEventListener('DOMContentLoaded', addWidgetsRenderer);
}());
</script>"""

needs_chromium = pytest.mark.skipif(offline.chromium() is None,
                                    reason="no Chromium for the headless-browser check (apt-get install chromium)")


def _widget_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "version_major": 2, "version_minor": 0, "state": {}}}
    cell = nbformat.v4.new_code_cell("try_it(f, a=(0, 2))")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        _pages.WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": "abc"},
        "text/html": '<figure class="crm-try-it"><img src="data:image/png;base64,iVBORw0KGgo=" alt="Chart"/>'
                     "</figure>",
        "text/plain": "Try it"})]
    nb.cells = [nbformat.v4.new_markdown_cell("## A slide\n\n$x^2$"), cell]
    return nb


def test_the_static_scan_catches_a_script_tag_built_at_view_time():
    page = f"<html><body>{WIDGET_LOADER}</body></html>"
    assert offline.static_urls(page) == ["https://unpkg.com/@jupyter-widgets/html-manager@*/dist/embed-amd.js"]


def test_a_slide_deck_carries_no_widget_loader_even_from_a_notebook_with_widget_state():
    import slides

    nb = _widget_notebook()
    body, _ = slides.exporter().from_notebook_node(nb)
    assert "html-manager" in body  # nbconvert writes the loader for widget state ...
    _pages.static_outputs(nb)  # ... which the slide and book tools remove first
    body, _ = slides.exporter().from_notebook_node(nb)
    html = slides.offline_html(body)
    assert "html-manager" not in html and "unpkg" not in html
    assert offline.static_urls(html) == []


@needs_chromium
def test_the_browser_check_logs_a_script_that_loads_a_script(tmp_path):
    page = tmp_path / "loader.html"
    page.write_text(f"<html><body><p>deck</p>{WIDGET_LOADER}</body></html>", encoding="utf-8")
    assert offline.browser_requests(page) == [
        "https://unpkg.com/@jupyter-widgets/html-manager@*/dist/embed-amd.js"]


@needs_chromium
def test_a_built_deck_opens_in_a_headless_browser_without_a_single_request_off_the_machine(tmp_path):
    import slides

    slides.copy_static(tmp_path)
    nb = _widget_notebook()
    _pages.static_outputs(nb)
    body, _ = slides.exporter().from_notebook_node(nb)
    deck = tmp_path / "deck.slides.html"
    deck.write_text(slides.offline_html(body), encoding="utf-8")
    assert offline.browser_requests(deck) == []
