"""The charts embedded in Qt, drawn by report.figures and report.decision_figures (shared
with the PDF) in report.style's look.

Titles, ticks and legend columns are fitted to a chart's width when it is drawn, so every
canvas redraws (after a short pause) when resized: a legend fitted to a wider canvas would
otherwise squeeze the chart to nothing.
"""
from __future__ import annotations

from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget

from ..engine.results import Results
from ..model.scenario import Scenario
from ..report import figures, style
from ..report.describe import describe_results_canvas

REFIT_MS = 150


class ResultsCanvas(FigureCanvasQTAgg):
    """Fan chart on top; chance of running out and lowest balances below."""

    def __init__(self, parent=None):
        self.figure = style.new_figure(9, 6)
        super().__init__(self.figure)
        self.setParent(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(620, 560)  # three charts with legends stay legible down to this
        grid = self.figure.add_gridspec(2, 2, height_ratios=(1.25, 1))
        self.fan_ax = self.figure.add_subplot(grid[0, :])
        self.run_out_ax = self.figure.add_subplot(grid[1, 0])
        self.lowest_ax = self.figure.add_subplot(grid[1, 1])
        self.setAccessibleName("Charts of the simulated balance, chance of running out and lowest balances")
        self._shown: tuple[Scenario, Results, float] | None = None
        # Titles and legends are fitted to the charts' width when drawn: redraw after resizing.
        self._refit = QTimer(self, singleShot=True, interval=REFIT_MS)
        self._refit.timeout.connect(self._redraw)
        self._placeholder()

    def _placeholder(self) -> None:
        for ax in (self.fan_ax, self.run_out_ax, self.lowest_ax):
            ax.clear()
            ax.set_axis_off()
        self.fan_ax.text(0.5, 0.5, "Results appear here once the scenario is complete.",
                         ha="center", va="center", fontsize=12, color="0.4", transform=self.fan_ax.transAxes)
        self.draw_idle()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._shown is not None:
            self._refit.start()

    def _redraw(self) -> None:
        if self._shown is not None:
            self.show_results(*self._shown)

    def show_results(self, scenario: Scenario, results: Results, appetite: float) -> None:
        self._shown = (scenario, results, appetite)
        for ax in (self.fan_ax, self.run_out_ax, self.lowest_ax):
            ax.set_axis_on()
        figures.draw_fan_chart(self.fan_ax, scenario, results)
        figures.draw_run_out_curve(self.run_out_ax, scenario, results, appetite=appetite)
        figures.draw_lowest_balance_histogram(self.lowest_ax, scenario, results)
        # The charts' text alternative: their key figures, for screen readers.
        self.setAccessibleDescription(describe_results_canvas(results, scenario, appetite))
        self.draw_idle()


class ChartCanvas(FigureCanvasQTAgg):
    """One chart in a canvas of its own (the decision tools' tornado and comparison).

    ``show(draw)`` draws with ``draw(ax)`` and keeps it, to draw again after a resize."""

    def __init__(self, name: str, parent: QWidget | None = None, width_in: float = 7.0,
                 height_in: float = 3.6, minimum: tuple[int, int] = (360, 240)):
        self.figure = style.new_figure(width_in, height_in)
        super().__init__(self.figure)
        self.setParent(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(*minimum)
        self.ax = self.figure.add_subplot()
        self.ax.set_axis_off()
        self.setAccessibleName(name)
        self._draw: Callable[[Axes], None] | None = None
        self._refit = QTimer(self, singleShot=True, interval=REFIT_MS)
        self._refit.timeout.connect(self._redraw)

    def show_chart(self, draw: Callable[[Axes], None]) -> None:
        self._draw = draw
        self._redraw()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._draw is not None:
            self._refit.start()

    def _redraw(self) -> None:
        if self._draw is not None:
            self.ax.set_axis_on()
            self._draw(self.ax)
            self.draw_idle()


def scrolling(canvas: QWidget) -> QScrollArea:
    """The canvas in a scroll area: below its readable minimum size it scrolls, never
    squashes (a squashed chart overlaps its labels, or its layout gives up)."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(canvas)
    return area
