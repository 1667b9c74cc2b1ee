"""The shared charts: what each draws, that redrawing does not pile up, no pyplot."""
from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from charityrisk.engine import simulate
from charityrisk.model import load_scenario
from charityrisk.report import figures
from charityrisk.report.figures import (
    bar_rectangles,
    draw_fan_chart,
    draw_lowest_balance_histogram,
    draw_run_out_curve,
    new_figure,
    pounds_short,
)
from charityrisk.resources import example_scenario_path
from scenario_factory import make_scenario


@pytest.fixture(scope="module")
def example():
    scenario = load_scenario(example_scenario_path())
    return scenario, simulate(scenario, 4000, 7)


def _axes():
    fig = new_figure(8, 4.5)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _bars(ax, gid) -> np.ndarray:
    """(left, right, bottom, top) of the histogram's bars of one kind ("ran_out", "stayed")."""
    (patch,) = _by_gid(ax, gid)
    return bar_rectangles(patch) if patch.get_visible() else np.zeros((0, 4))


def _by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def _render(fig) -> None:
    fig.savefig(io.BytesIO(), format="png", dpi=50)


def _legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def test_fan_chart_draws_bands_median_and_lines(example):
    scenario, results = example
    fig, ax = _axes()
    draw_fan_chart(ax, scenario, results)
    (median,) = _by_gid(ax, "median")
    np.testing.assert_array_equal(median.get_xdata(), np.arange(1, results.horizon_months + 1))
    np.testing.assert_array_equal(median.get_ydata(), results.balance_percentiles["50"])
    assert len(ax.collections) == 2  # the two bands
    texts = _legend_texts(ax)
    assert any("Middle half of futures" in t for t in texts)
    assert any("9 in 10 futures" in t for t in texts)
    assert "Typical (median), with the contract" in texts
    (alone,) = _by_gid(ax, "baseline_median")  # the charity without its contract, same futures
    np.testing.assert_array_equal(alone.get_ydata(), results.baseline.balance_percentiles["50"])
    assert "Typical without the contract" in texts
    assert ax.get_xlabel() == "Month"
    # the example has a reserves floor (24,000) and no overdraft
    (floor,) = _by_gid(ax, "floor")
    assert floor.get_ydata()[0] == scenario.organisation.reserves_floor
    assert _by_gid(ax, "overdraft") == []
    assert len(_by_gid(ax, "zero")) == 1
    _render(fig)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any(label.startswith("£") and label.endswith("k") for label in labels)


def test_fan_chart_overdraft_line_only_with_an_overdraft():
    fig, ax = _axes()
    with_overdraft = make_scenario(overdraft_facility=1500, reserves_floor=0)
    draw_fan_chart(ax, with_overdraft, simulate(with_overdraft, 10, 1))
    (line,) = _by_gid(ax, "overdraft")
    assert line.get_ydata()[0] == -1500
    assert _by_gid(ax, "floor") == []
    without = make_scenario(overdraft_facility=0)
    draw_fan_chart(ax, without, simulate(without, 10, 1))
    assert _by_gid(ax, "overdraft") == []
    _render(fig)


def test_redrawing_does_not_accumulate(example):
    scenario, results = example
    fig = new_figure(8, 12)
    a, b, c = fig.subplots(3, 1)
    FigureCanvasAgg(fig)
    draw_fan_chart(a, scenario, results)
    draw_run_out_curve(b, scenario, results, appetite=0.05)
    draw_lowest_balance_histogram(c, scenario, results)
    counts = [(len(ax.lines), len(ax.collections), len(ax.patches), len(ax.texts)) for ax in (a, b, c)]
    for _ in range(3):
        draw_fan_chart(a, scenario, results)
        draw_run_out_curve(b, scenario, results, appetite=0.05)
        draw_lowest_balance_histogram(c, scenario, results)
    assert [(len(ax.lines), len(ax.collections), len(ax.patches), len(ax.texts)) for ax in (a, b, c)] == counts
    _render(fig)


def test_run_out_curve(example):
    scenario, results = example
    fig, ax = _axes()
    draw_run_out_curve(ax, scenario, results, appetite=0.05)
    (curve,) = _by_gid(ax, "run_out")
    np.testing.assert_array_equal(curve.get_ydata(), results.p_run_out_by_month)
    (appetite,) = _by_gid(ax, "appetite")
    assert appetite.get_ydata()[0] == 0.05
    assert ax.get_ylim()[0] == 0
    draw_run_out_curve(ax, scenario, results)
    assert _by_gid(ax, "appetite") == []
    _render(fig)
    assert all(t.get_text().endswith("%") for t in ax.get_yticklabels() if t.get_text())


def test_lowest_balance_histogram_splits_at_the_run_out_line(example):
    scenario, results = example
    fig, ax = _axes()
    draw_lowest_balance_histogram(ax, scenario, results)
    line = -scenario.organisation.overdraft_facility
    (vline,) = _by_gid(ax, "run_out_line")
    assert vline.get_xdata()[0] == line
    ran_out, stayed = _bars(ax, "ran_out"), _bars(ax, "stayed")
    assert len(ran_out) and len(stayed)
    left, right, bottom, top = 0, 1, 2, 3
    assert (ran_out[:, right] <= line + 1e-6).all()
    assert (stayed[:, left] >= line - 1e-6).all()
    assert (np.concatenate([ran_out, stayed])[:, bottom] == 0).all()
    # bar heights are shares of futures, and the ran-out bars add up to p_run_out
    assert ran_out[:, top].sum() + stayed[:, top].sum() == pytest.approx(1.0)
    assert ran_out[:, top].sum() == pytest.approx(results.p_run_out)
    _render(fig)


def test_histogram_when_every_future_is_the_same():
    scenario = make_scenario(opening_reserves=100_000)  # counts fixed: one lowest balance
    results = simulate(scenario, 50, 1)
    assert np.ptp(results.lowest_balance) == 0
    fig, ax = _axes()
    draw_lowest_balance_histogram(ax, scenario, results)
    assert _bars(ax, "ran_out")[:, 3].sum() + _bars(ax, "stayed")[:, 3].sum() == pytest.approx(1.0)
    _render(fig)


def test_one_month_horizon_and_no_results():
    scenario = dataclasses.replace(make_scenario(), horizon_months=1)
    results = simulate(scenario, 20, 1)
    fig = new_figure(12, 4)
    a, b, c = fig.subplots(1, 3)
    FigureCanvasAgg(fig)
    draw_fan_chart(a, scenario, results)
    draw_run_out_curve(b, scenario, results, appetite=0.1)
    draw_lowest_balance_histogram(c, scenario, results)
    _render(fig)
    for draw, ax in ((draw_fan_chart, a), (draw_run_out_curve, b), (draw_lowest_balance_histogram, c)):
        draw(ax, scenario, None)
        assert "Run the simulation" in ax.texts[0].get_text()
    _render(fig)


def test_fonts_are_readable_on_a_projector(example):
    scenario, results = example
    fig, ax = _axes()
    draw_fan_chart(ax, scenario, results)
    _render(fig)
    sizes = [t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    sizes += [t.get_fontsize() for t in ax.get_legend().get_texts()]
    sizes += [ax.xaxis.label.get_fontsize(), ax.title.get_fontsize()]
    assert min(sizes) >= 10


@pytest.mark.parametrize("value, span, text", [
    (40_000, 80_000, "£40k"),
    (-20_000, 80_000, "\u2212£20k"),
    (0, 80_000, "£0"),
    (2_500, 8_000, "£2,500"),
    (12_500, 15_000, "£12.5k"),
    (3_000_000, 6_000_000, "£3m"),
])
def test_pounds_short(value, span, text):
    assert pounds_short(value, span) == text


def test_no_pyplot():
    source = Path(figures.__file__).read_text(encoding="utf-8")
    assert "import matplotlib.pyplot" not in source
    assert "from matplotlib import pyplot" not in source


# ------------------------------------------------------------- one style, and layout

@pytest.fixture(scope="module")
def decisions(example):
    from charityrisk.engine.decisions import analyse, compare, preset_options

    scenario, _ = example
    return analyse(scenario, paths=2000), compare(preset_options(scenario, 0), paths=2000)


def test_every_chart_takes_the_one_style(example, decisions):
    """Titles, ticks and colours come from report.style for the results and decision charts."""
    from charityrisk.report import decision_figures, style

    scenario, results = example
    analysis, comparison = decisions
    fig, ax = _axes()
    draw_run_out_curve(ax, scenario, results, appetite=0.05)
    assert _title(ax).get_fontsize() == style.TITLE_SIZE
    assert _by_gid(ax, "run_out")[0].get_color() == style.BLUE
    for draw, k in ((lambda a: decision_figures.draw_tornado(a, analysis.sensitivity), style.DENSE_SCALE),
                    (lambda a: decision_figures.draw_comparison_curves(a, comparison), style.DENSE_SCALE)):
        fig = style.new_figure(7, 3.6)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        draw(ax)
        fig.canvas.draw()
        assert _title(ax).get_fontsize() == pytest.approx(style.TITLE_SIZE * k)
        assert _title(ax).get_fontweight() == "bold"
        assert len(fig.legends) == 1  # the legend rule: below the chart, never beside it
        legend_box = fig.legends[0].get_window_extent()
        assert legend_box.y1 <= ax.get_window_extent().y0
    colours = {line.get_color() for line in ax.get_lines()[:-1]}
    assert colours <= {c for c, _ in style.SERIES}


def _title(ax):
    (title,) = [t for t in ax.get_children() if getattr(t, "get_text", None) and t.get_text()
                and t.get_text() == ax.get_title(loc="left")]
    return title


@pytest.mark.parametrize("size", [(7, 3.6), (5.2, 3.8), (4.2, 4.0), (4.2, 3.0)])
def test_decision_charts_lay_out_in_a_report_figure(decisions, size):
    """Drawn synchronously under filterwarnings=error: "constrained_layout not applied"
    fails here.  4.2 x 4.0 and 4.2 x 3.0 in are the app's smallest tornado and comparison."""
    from charityrisk.report import decision_figures, style

    analysis, comparison = decisions
    charts = [lambda a: decision_figures.draw_comparison_curves(a, comparison)]
    if size[1] >= decision_figures.TORNADO_MIN_HEIGHT_IN:
        charts.append(lambda a: decision_figures.draw_tornado(a, analysis.sensitivity))
    for draw in charts:
        fig = style.new_figure(*size)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        draw(ax)
        draw(ax)  # a redraw replaces the legend
        fig.canvas.draw()
        assert len(fig.legends) == 1
        box = ax.get_position()
        assert box.width > 0.2 and box.height > 0.15


def test_charts_lay_out_in_the_app_at_1024_by_768(qtbot, example, decisions):
    """The comparison chart collapsed at 1024 x 768 (its legend beside it); every chart in
    the window now draws there, drawn synchronously so a layout warning fails the test."""
    from charityrisk.gui.window import MainWindow

    scenario, results = example
    analysis, comparison = decisions
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1024, 768)
    window.show()
    qtbot.waitExposed(window)
    window.results_panel.canvas.show_results(scenario, results, scenario.settings.risk_appetite)
    window.results_panel.canvas.draw()
    window.tabs.setCurrentIndex(1)
    panel = window.decisions_panel
    panel._show_comparison(comparison)
    qtbot.wait(50)
    panel.curves.draw()
    panel._show_analysis(analysis)
    qtbot.wait(50)
    panel.tornado.draw()
    for canvas in (panel.curves, panel.tornado):
        assert canvas.ax.get_position().width > 0.2
        canvas.resize(canvas.minimumSize())  # squeezed to its minimum, redrawn to fit
        qtbot.wait(250)
        canvas.draw()
        assert canvas.ax.get_position().height > 0.1
    window.close()

