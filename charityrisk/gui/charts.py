"""The results charts embedded in Qt: one Figure, drawn by report.figures (shared with the PDF)."""
from __future__ import annotations

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QSizePolicy

from ..engine.results import Results
from ..model.scenario import Scenario
from ..report import figures


class ResultsCanvas(FigureCanvasQTAgg):
    """Fan chart on top; chance of running out and lowest balances below."""

    def __init__(self, parent=None):
        self.figure = Figure(figsize=(9, 6), layout="constrained")
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
        self._refit = QTimer(self, singleShot=True, interval=150)
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
        self.draw_idle()
