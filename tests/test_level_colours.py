"""One set of level colours (issue 22): the results panel's headline and the board pack's
verdict box take the verdict's colours from the chart style (report/style.py), so the app
and the pack cannot drift into two tints again."""
from __future__ import annotations

import pytest
from matplotlib.colors import to_rgb
from matplotlib.patches import FancyBboxPatch

from charityrisk.engine import simulate
from charityrisk.gui.results_panel import LEVEL_STYLE
from charityrisk.report.pdf import build_pages
from charityrisk.report.style import LEVELS
from scenario_factory import make_scenario


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_verdict_level_and_stale_has_one_colour_set():
    assert set(LEVELS) == {"safe", "close", "unsafe", "stale"}
    assert len({level.fill for level in LEVELS.values()}) == 4  # four tints a reader can tell apart


@pytest.mark.parametrize("name", list(LEVELS))
def test_the_words_read_on_their_fill_on_a_washed_out_projector(name):
    """WCAG AAA (7:1) for the headline's words on its fill."""
    level = LEVELS[name]
    assert contrast(level.ink, level.fill) >= 7


def test_grey_print_tells_the_levels_apart_by_the_edges_weight():
    weights = [LEVELS[name].weight for name in ("stale", "safe", "close", "unsafe")]
    assert weights == sorted(weights) and len(set(weights)) == 4


@pytest.mark.parametrize("name", list(LEVELS))
def test_the_results_panel_draws_the_styles_colours(name):
    level = LEVELS[name]
    style = LEVEL_STYLE[name].lower()
    for colour in (level.fill, level.ink, level.edge):
        assert colour.lower() in style


def _verdict_box(scenario):
    page_one = build_pages(scenario, simulate(scenario, 300, 2))[0]
    boxes = [a for a in page_one.artists if isinstance(a, FancyBboxPatch)]
    assert len(boxes) == 1
    return boxes[0]


def test_the_pack_draws_the_same_colours_and_no_verdict_colour_for_a_missing_budget():
    """A missing budget is no verdict: grey in the pack as in the app (it was once amber)."""
    empty = make_scenario(horizon_months=12, monthly_other_income=0.0, monthly_core_costs=0.0, duration_months=6)
    box = _verdict_box(empty)
    assert box.get_facecolor()[:3] == pytest.approx(to_rgb(LEVELS["stale"].fill))
    assert box.get_edgecolor()[:3] == pytest.approx(to_rgb(LEVELS["stale"].edge))
    safe = make_scenario(horizon_months=12, monthly_core_costs=1_000.0, opening_reserves=10_000_000.0,
                         duration_months=6)
    box = _verdict_box(safe)
    assert box.get_facecolor()[:3] == pytest.approx(to_rgb(LEVELS["safe"].fill))
    assert box.get_linewidth() == LEVELS["safe"].weight
