"""Charts have one look and can be labelled in Chinese without missing glyphs."""

from __future__ import annotations

import warnings

import matplotlib
import pytest

from crm_lessons import plotting


@pytest.fixture(autouse=True)
def english_after():
    yield
    plotting.use_language("en")


def test_theme_uses_colour_blind_safe_palette_and_large_type():
    plotting.use_theme()
    from matplotlib.colors import to_hex

    cycle = [to_hex(c["color"]).upper() for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert cycle[:4] == [c.upper() for c in plotting.PALETTE[:4]]
    assert matplotlib.rcParams["font.size"] >= 11


def test_labels_switch_language_through_the_glossary(cjk):
    plotting.use_theme()
    assert plotting.use_language("zh") == "zh"
    assert plotting.label("customer lifetime value") == "客户终生价值"
    assert plotting.label("historical value (dollars)") == "历史价值（美元）"
    assert plotting.label("something untranslated") == "something untranslated"
    plotting.use_language("en")
    assert plotting.label("customer lifetime value") == "customer lifetime value"


def test_chinese_chart_renders_to_png_without_missing_glyphs(cjk, tmp_path):
    plotting.use_theme(lang="zh")
    fig, ax = plotting.new_figure()
    ax.plot([0, 1], [0, 1], label="revenue")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        plotting.finish(ax, title="customer lifetime value", xlabel="cumulative share of customers",
                        ylabel="cumulative share of revenue")
        fig.savefig(tmp_path / "zh.png")
    assert ax.get_title() == "客户终生价值"
    assert (tmp_path / "zh.png").stat().st_size > 5_000


def test_rejects_unknown_language():
    with pytest.raises(ValueError, match="lang must be one of 'en', 'zh'"):
        plotting.use_language("fr")


def test_unknown_chart_name_is_a_clear_attribute_error():
    with pytest.raises(AttributeError, match="no chart 'no_such_chart'"):
        plotting.no_such_chart
