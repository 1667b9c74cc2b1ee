"""Right side of the window: headline, progress, key figures and charts.

It only shows what the engine computed (via report.text and report.figures).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..engine.results import Results
from ..model.scenario import Scenario
from ..report.glossary import tooltip_for_label
from ..report.text import appetite_sentence, headline, key_figures, run_verdict
from .charts import ResultsCanvas
from .state import Shown, WindowState

# Okabe-Ito inspired, with text dark enough on each background for a projector.
FIGURE_PAIRS = 2
LEVEL_STYLE = {
    "safe": "background:#e3f1e8; color:#0b4d2c; border-left:6px solid #009e73;",
    "close": "background:#fdf3dc; color:#5c4200; border-left:6px solid #e69f00;",
    "unsafe": "background:#fbe4dc; color:#6b1d00; border-left:6px solid #d55e00;",
    "stale": "background:#eeeeee; color:#444444; border-left:6px solid #999999;",
}


class ResultsPanel(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.headline = QLabel("Enter your scenario on the left; results appear here.")
        self.headline.setObjectName("headline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.headline.setAccessibleName("Headline result")
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        self.headline.setFont(font)
        self._set_level("stale")
        layout.addWidget(self.headline)

        self.status = QLabel("")
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        busy = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setAccessibleName("Simulation progress")
        self.progress.setFormat("Computing... %p%")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.setToolTip("Stop this simulation; the last complete results stay on screen.")
        self.cancel_button.clicked.connect(self.cancel_requested)
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.cancel_button)
        layout.addWidget(self.status)
        layout.addLayout(busy)
        self.show_busy(False)

        self.canvas = ResultsCanvas()
        # Below the charts' readable minimum (a 1024 x 768 projector) scroll, never squash.
        scroller = QScrollArea()
        scroller.setObjectName("charts_scroll")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(self.canvas)
        layout.addWidget(scroller, 1)

        # Two label/value pairs a row: half the height, so the charts get the room.
        self.table = QTableWidget(0, 2 * FIGURE_PAIRS)
        self.table.setObjectName("key_figures")
        self.table.setAccessibleName("Key figures")
        self.table.horizontalHeader().setVisible(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in range(2 * FIGURE_PAIRS):
            mode = QHeaderView.ResizeMode.ResizeToContents if column % 2 == 0 else QHeaderView.ResizeMode.Stretch
            header.setSectionResizeMode(column, mode)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setTabKeyNavigation(False)  # Tab must leave the table, not cycle its cells
        layout.addWidget(self.table)
        self.results: Results | None = None
        self._shown: Shown | None = None  # what the charts and table were last drawn from

    def render_state(self, state: WindowState) -> None:
        """Show the state's results (drawn again only when a new run's arrive) and, while they
        are not for what the form says, why."""
        if state.results is not None and state.results is not self._shown:
            self._shown = state.results
            self.show_results(state.results.scenario, state.results.results)
        if state.note:
            self.mark_stale(state.note)

    def _set_level(self, level: str) -> None:
        self.headline.setProperty("level", level)
        self.headline.setStyleSheet(f"QLabel {{ {LEVEL_STYLE[level]} padding:8px; }}")

    def show_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def show_results(self, scenario: Scenario, results: Results) -> None:
        appetite = scenario.settings.risk_appetite
        self.results = results
        judged = run_verdict(results, appetite)  # the one rule: words and colour agree
        self.headline.setText(f"{headline(scenario, results)}\n{appetite_sentence(results, appetite)}")
        # A screen reader reads the sentence itself, not "Headline result".
        self.headline.setAccessibleName(self.headline.text().replace("\n", " "))
        self._set_level(judged.level)
        figures = key_figures(scenario, results)
        rows = -(-len(figures) // FIGURE_PAIRS)
        self.table.setRowCount(rows)
        for i, (label, value) in enumerate(figures):
            row, pair = i % rows, i // rows
            label_item = QTableWidgetItem(label)
            label_item.setForeground(Qt.GlobalColor.darkGray)
            explained = tooltip_for_label(label)
            if explained:
                label_item.setToolTip(explained)
            self.table.setItem(row, 2 * pair, label_item)
            value_item = QTableWidgetItem(value)
            explained = tooltip_for_label(label)  # one plain sentence on what the figure means
            label_item.setToolTip(explained or label)
            value_item.setToolTip(f"{label}: {value}. {explained}" if explained else f"{label}: {value}")
            self.table.setItem(row, 2 * pair + 1, value_item)
        self.table.resizeRowsToContents()
        self.table.setFixedHeight(sum(self.table.rowHeight(r) for r in range(rows)) + 4)
        self.canvas.show_results(scenario, results, appetite)
        self.set_status("")

    def mark_stale(self, reason: str) -> None:
        """Keep the last results visible but say plainly they are not for the current inputs."""
        if self.results is not None:
            self._set_level("stale")
        self.set_status(reason)
