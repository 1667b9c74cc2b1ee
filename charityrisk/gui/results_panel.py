"""Right side of the window: headline, progress, key figures and charts.

It only shows what the engine computed (via report.text and report.figures).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..engine.results import Results
from ..model.scenario import Scenario
from ..report.glossary import tooltip_for_label
from ..report.missing import MISSING_LEVEL, budget_missing, missing_charts, missing_sentence
from ..report.style import LEVELS
from ..report.text import (
    appetite_sentence,
    decision_notes,
    headline,
    key_figures,
    reserves_notes,
    reserves_policy,
    run_verdict,
)
from .charts import ResultsCanvas
from .focus_ring import FOCUS_COLOUR
from .state import Shown, WindowState

# The key figures show two label/value pairs a row when the table is at least this wide
# (logical pixels), else one: at 1366 x 768 and 150% scaling two pairs squeezed every value
# to "...".  Values never take more than VALUE_SHARE of a pair's width; labels wrap.
FIGURE_PAIRS = 2
TWO_PAIRS_PX = 820
VALUE_SHARE = 0.5
CHART_SHARE = 0.7  # of the results tab's visible height (the text above scrolls away)
NO_RESULTS_HEADLINE = ("Fill in the amounts marked “Required” on the left: the chance of running out "
                       "appears here once every amount is in.")

# Okabe-Ito inspired, with text dark enough on each background for a projector.
LEVEL_STYLE = {name: f"background:{level.fill}; color:{level.ink}; border-left:6px solid {level.edge};"
               for name, level in LEVELS.items()}  # the chart style's colours (report.style)


class KeyFiguresTable(QTableWidget):
    """The key figures as label/value pairs, laid out for the width it has and always as
    tall as its rows: nothing scrolls inside it or is cut short; the results tab scrolls."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 2, parent)
        self._figures: list[tuple[QTableWidgetItem, QTableWidgetItem]] = []
        self._fitting = False
        self.horizontalHeader().setVisible(False)
        self.verticalHeader().setVisible(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setMinimumSectionSize(40)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(2 * self.frameWidth())
        # A new height set while the panel is being laid out (on a resize) does not reach the
        # scrolling tab around it: the panel then stays short and the charts overlap the last
        # rows.  Asking again once the layout is done makes the tab grow the panel.
        self._grown = QTimer(self, singleShot=True, interval=0)
        self._grown.timeout.connect(self._tell_parent)

    def show_figures(self, figures: list[tuple[QTableWidgetItem, QTableWidgetItem]]) -> None:
        self._figures = figures
        self.setColumnCount(0)  # laid out afresh for the width
        self._fit()

    def setRowCount(self, rows: int) -> None:  # noqa: N802 (a Qt override)
        """(Emptied for a scenario with no results yet: forget the figures too.)"""
        super().setRowCount(rows)
        if rows == 0 and self._figures:
            self._figures = []
            self._fit()

    def pairs(self) -> int:
        """Label/value pairs a row at the current width."""
        return FIGURE_PAIRS if self.viewport().width() >= TWO_PAIRS_PX else 1

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit()

    def _fit(self) -> None:
        if self._fitting:
            return
        self._fitting = True
        try:
            pairs = self.pairs() if self._figures else 1
            rows = -(-len(self._figures) // pairs)
            if self.columnCount() != 2 * pairs or self.rowCount() != rows:
                for row in range(self.rowCount()):
                    for column in range(self.columnCount()):
                        self.takeItem(row, column)  # items move to their new cells below
                super().setRowCount(0)
                self.setColumnCount(2 * pairs)
                super().setRowCount(rows)
                for i, (label, value) in enumerate(self._figures):
                    row, pair = i % rows, i // rows
                    self.setItem(row, 2 * pair, label)
                    self.setItem(row, 2 * pair + 1, value)
            width = self.viewport().width() // pairs
            for pair in range(pairs):
                value_px = min(self.sizeHintForColumn(2 * pair + 1), int(width * VALUE_SHARE))
                self.setColumnWidth(2 * pair, width - value_px)
                self.setColumnWidth(2 * pair + 1, value_px)
            self.resizeRowsToContents()
            height = sum(self.rowHeight(r) for r in range(rows)) + 2 * self.frameWidth()
            if height != self.height():
                self.setFixedHeight(height)
                self._grown.start()
        finally:
            self._fitting = False

    def _tell_parent(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            parent.updateGeometry()


class ResultsPanel(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.headline = QLabel("Enter your scenario on the left; results appear here.")
        self.headline.setObjectName("headline")
        self.headline.setWordWrap(True)
        # Selectable from the keyboard too (a Tab stop: the sentence can be read and copied).
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                              | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.headline.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Qt gives it click focus only
        self.headline.setAccessibleName("Headline result")
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        self.headline.setFont(font)
        self._set_level("stale")
        layout.addWidget(self.headline)

        # Under the headline: whether the contract pays its way, and what the futures that
        # ran out had in common (report.text.decision_notes, the words on page 1 too).
        self.notes = QLabel("")
        self.notes.setObjectName("decision_notes")
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.setAccessibleName("What signing means")
        self.notes.setVisible(False)
        layout.addWidget(self.notes)

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
        # The status, the progress and Cancel share one row, and the progress and Cancel keep
        # their room while hidden: the charts below must not change size when a run starts
        # or ends, since a new size means laying out and drawing them afresh (half a second),
        # where a new answer alone only moves their artists.
        busy.addWidget(self.status, 1)
        busy.addWidget(self.progress)
        busy.addWidget(self.cancel_button)
        self.progress.setMaximumWidth(220)
        # Never narrower than its words at 100% (at 1024 pixels the status beside it took the
        # room, and "Computing..." was cut over two lines inside the bar).
        self.progress.setMinimumWidth(self.progress.fontMetrics().horizontalAdvance(
            self.progress.format().replace("%p", "100")) + 4 * self.progress.fontMetrics().averageCharWidth())
        for widget in (self.progress, self.cancel_button):
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            widget.setSizePolicy(policy)
        layout.addLayout(busy)
        self.show_busy(False)

        # The key figures straight under the headline: on a small or scaled screen they are the
        # answer's next line, not below the charts where they were off-screen (issue 13).
        self.table = KeyFiguresTable()
        self.table.setObjectName("key_figures")
        self.table.setAccessibleName("Key figures")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab must leave the table, not cycle its cells
        layout.addWidget(self.table)

        self.canvas = ResultsCanvas()
        # Narrower than the charts' readable minimum (a 1024 x 768 projector) they scroll
        # sideways, never squash; never up and down, inside a results tab that scrolls itself
        # (two nested vertical scrolls showed the charts through a slot).
        scroller = QScrollArea()
        scroller.setObjectName("charts_scroll")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setWidget(self.canvas)
        scroller.setStyleSheet(f"QScrollArea#charts_scroll {{ border: 2px solid transparent; }} "
                               f"QScrollArea#charts_scroll:focus {{ border-color: {FOCUS_COLOUR}; }}")
        self._charts = scroller
        # Narrow, the charts stack one a row, taller: the scroller follows their new minimum.
        self.canvas.arranged.connect(self._fit_charts)
        self._fit_charts()
        layout.addWidget(scroller)
        layout.addStretch(1)
        self.results: Results | None = None
        self._shown: Shown | None = None  # what the charts and table were last drawn from

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_charts()

    def _fit_charts(self) -> None:
        """The charts as tall as CHART_SHARE of the tab's visible height, never below their
        readable minimum: set by the tab, not by the words above them, which change by a line
        as figures change.  A chart that changed height with them was laid out afresh, half
        of a live answer's drawing, and jumped under the user's eyes."""
        bar = self._charts.horizontalScrollBar().sizeHint().height()
        view = self.parentWidget()
        visible = view.height() if view is not None else self.height()
        self._charts.setFixedHeight(max(self.canvas.minimumHeight() + bar + 4, int(visible * CHART_SHARE)))

    def render_state(self, state: WindowState) -> None:
        """Show the state's results (drawn again only when a new run's arrive) and, while they
        are not for what the form says, why."""
        if state.results is None:
            if self._shown is not None:  # a new scenario: the last one's would look like its own
                self.show_no_results()
            self.set_status(state.note)
            return
        if state.results is not None and state.results is not self._shown:
            self._shown = state.results
            self.show_results(state.results.scenario, state.results.results)
        if state.note:
            self.mark_stale(state.note)

    def show_no_results(self) -> None:
        """Nothing computed for this scenario yet: the headline says what to do."""
        self.results, self._shown = None, None
        self.table.setRowCount(0)
        self.table.setVisible(True)
        self.canvas.clear()
        self._set_level("stale")
        self.headline.setText(NO_RESULTS_HEADLINE)
        self.headline.setAccessibleName(NO_RESULTS_HEADLINE)
        self.notes.setText("")
        self.notes.setVisible(False)

    def _set_level(self, level: str) -> None:
        self.headline.setProperty("level", level)
        # The style draws no focus ring on a label: 2 pixels of focus_ring's blue on three
        # sides (the fourth is the level's colour), in the padding's room so nothing moves.
        self.headline.setStyleSheet(
            f"QLabel {{ {LEVEL_STYLE[level]} padding:8px; }} "
            f"QLabel:focus {{ padding:6px 6px 6px 8px; border-top:2px solid {FOCUS_COLOUR}; "
            f"border-right:2px solid {FOCUS_COLOUR}; border-bottom:2px solid {FOCUS_COLOUR}; }}")

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
        missing = budget_missing(scenario)  # no budget: no verdict, in words or colour
        self.headline.setText(missing_sentence() if missing
                              else f"{headline(scenario, results)}\n{appetite_sentence(results, appetite)}")
        # A screen reader reads the sentence itself, not "Headline result".
        self.headline.setAccessibleName(self.headline.text().replace("\n", " "))
        self._set_level(MISSING_LEVEL if missing else judged.level)
        notes = [] if missing else decision_notes(scenario, results) + reserves_notes(scenario, results)
        policy = None if missing else reserves_policy(scenario, results)
        if policy:
            notes.append(f"For your reserves policy (Charity Commission, CC19): {policy}")
        self.notes.setText("\n".join(notes))
        self.notes.setAccessibleName(" ".join(notes) or "What signing means")
        self.notes.setVisible(bool(notes))
        pairs = []
        for label, value in key_figures(scenario, results):
            label_item = QTableWidgetItem(label)
            label_item.setForeground(Qt.GlobalColor.darkGray)
            value_item = QTableWidgetItem(value)
            explained = tooltip_for_label(label)  # one plain sentence on what the figure means
            label_item.setToolTip(explained or label)
            value_item.setToolTip(f"{label}: {value}. {explained}" if explained else f"{label}: {value}")
            pairs.append((label_item, value_item))
        self.table.show_figures(pairs)
        # No budget, no figures of the charity to show: the headline says what is missing, and
        # a "1 in 20 futures" beside it would be read as an answer.
        self.table.setVisible(not missing)
        if missing:
            self.canvas.clear(missing_charts())
        else:
            self.canvas.show_results(scenario, results, appetite)
        self.set_status("")

    def mark_stale(self, reason: str) -> None:
        """Keep the last results visible but say plainly they are not for the current inputs."""
        if self.results is not None:
            self._set_level("stale")
        self.set_status(reason)
