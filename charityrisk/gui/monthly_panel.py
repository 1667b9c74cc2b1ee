"""The "Month by month" tab: the average flows and balances of each month, laid out as a
finance lead's cash-flow forecast (months across, one row a figure) so that it can be checked
line by line against their own spreadsheet.

It only shows what the engine computed (``report.export.monthly_table``, shared with the CSV
and the report).  Below its readable width the table scrolls sideways; it never squashes.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..engine.results import Results
from ..model.calendar import month_names
from ..model.money import format_money
from ..model.scenario import Scenario
from ..report.export import MONTHLY_LABELS, month_by_month, period_summary
from .charts import PLACEHOLDER
from .state import Shown, WindowState

VALUE_ROLE = Qt.ItemDataRole.UserRole  # each cell's figure as a float, for copying and tests


class MonthlyTable(QTableWidget):
    """Read-only; Ctrl+C copies the selected cells as plain numbers, tab-separated, ready to
    paste into Excel beside the forecast."""

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            QApplication.clipboard().setText(self.selected_text())
            event.accept()
            return
        super().keyPressEvent(event)

    def selected_text(self) -> str:
        cells = {(i.row(), i.column()): i for i in self.selectedIndexes()}
        if not cells:
            return ""
        rows = sorted({r for r, _ in cells})
        columns = sorted({c for _, c in cells})
        lines = []
        for r in rows:
            values = []
            for c in columns:
                item = self.item(r, c)
                value = item.data(VALUE_ROLE) if item is not None and (r, c) in cells else None
                values.append("" if value is None else f"{float(value):.2f}")
            lines.append("\t".join(values))
        return "\n".join(lines)


class MonthlyPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.intro = QLabel(PLACEHOLDER)
        self.intro.setObjectName("monthly_intro")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.status = QLabel("")
        self.status.setObjectName("monthly_status")
        self.status.setWordWrap(True)
        self.status.setVisible(False)
        layout.addWidget(self.status)

        self.table = MonthlyTable(len(MONTHLY_LABELS), 0)
        self.table.setObjectName("monthly_table")
        self.table.setAccessibleName("Month by month flows and balances")
        self.table.setVerticalHeaderLabels(list(MONTHLY_LABELS))
        layout.addWidget(self.table)

        # The same figures a year (a quarter) at a time, as the report's summary has them.
        self.summary_title = QLabel("")
        self.summary_title.setObjectName("monthly_summary_title")
        font = self.summary_title.font()
        font.setBold(True)
        self.summary_title.setFont(font)
        layout.addWidget(self.summary_title)
        self.summary = MonthlyTable(len(MONTHLY_LABELS), 0)
        self.summary.setObjectName("period_table")
        self.summary.setAccessibleName("Year by year or quarter by quarter flows and balances")
        self.summary.setVerticalHeaderLabels(list(MONTHLY_LABELS))
        for table in (self.table, self.summary):
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
            table.setTabKeyNavigation(False)  # Tab must leave the table, not cycle its cells
            table.setWordWrap(False)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self.results: Results | None = None
        self._labels: list[str] = list(MONTHLY_LABELS)  # the rows now shown
        self._shown: Shown | None = None
        self._unfilled = False

    def render_state(self, state: WindowState) -> None:
        """Show the state's results (filled again only when a new run's arrive) and, while
        they are not for what the form says, why."""
        if state.results is None and self._shown is not None:  # a new scenario: nothing yet
            self.show_no_results()
        if state.results is not None and state.results is not self._shown:
            self._shown = state.results
            # Filling the table takes longer than drawing the charts: while the tab is not
            # on screen a first estimate and its refinement only leave a note to fill it.
            self._unfilled = True
            self.fill_if_shown()
        self.status.setText(state.note if self._shown is not None else "")
        self.status.setVisible(bool(self.status.text()))

    def show_no_results(self) -> None:
        self.results, self._shown, self._unfilled = None, None, False
        self.intro.setText(PLACEHOLDER)
        for table in (self.table, self.summary):
            table.clearContents()
            table.setColumnCount(0)
        self.summary_title.setText("")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.fill()

    def fill_if_shown(self) -> None:
        """Fill the tables if this is the tab on show (or will be, once the window shows)."""
        if self.isVisibleTo(self.window()):
            self.fill()

    def fill(self) -> None:
        """Fill the tables from the newest results, if not yet done."""
        if self._unfilled and self._shown is not None:
            self._unfilled = False
            self.show_results(self._shown.scenario, self._shown.results)

    def show_results(self, scenario: Scenario, results: Results) -> None:
        self.results = results
        table = month_by_month(results)
        self._labels = [row.label for row in table]
        horizon = results.horizon_months if table else 0
        self.intro.setText(
            f"Averages over the {results.paths:,} simulated futures, starting from opening reserves "
            f"of {format_money(scenario.organisation.opening_reserves)}. Costs are shown as positive "
            "amounts; each balance is at the month's end. Hover over a row's name for what it "
            "means; select cells and press Ctrl+C to copy them into a spreadsheet."
            if table else "These results have no month-by-month figures.")
        columns = month_names(scenario.first_month, horizon)  # "Apr 2027" once the first month is set
        cells = [(row.label, row.tooltip, list(row.values[:horizon])) for row in table]
        _fill(self.table, columns, cells)
        kind, periods = period_summary(results, table, scenario.first_month)
        self.summary_title.setText(f"{kind.title()} by {kind}: flows added up, balances at the "
                                   f"{kind}'s end" if periods else "")
        _fill(self.summary, [p.label for p in periods],
              [(label if row.kind == "flow" else f"{label} at the end",
                f"{row.tooltip} Here added up over the {kind}." if row.kind == "flow"
                else f"{row.tooltip} Here at the {kind}'s last month's end.",
                [p.values[r] for p in periods])
               for r, (label, row) in enumerate(zip(self._labels, table))])
        self.summary.setVisible(bool(periods))

    def cell_text(self, label: str, month: int) -> str:
        """The text shown for a row (by its label) in a month (1-based); for tests."""
        self.fill()
        item = self.table.item(self._labels.index(label), month - 1)
        return "" if item is None else item.text()


def _fill(table: QTableWidget, columns: list[str], rows: list[tuple[str, str, list[float]]]) -> None:
    """Put rows of money (label, tooltip, one figure a column) in a table, sized to show every
    row: it scrolls sideways when the columns do not fit, never squashing a figure."""
    table.setUpdatesEnabled(False)
    try:
        table.clearContents()
        table.setRowCount(len(rows))
        table.setColumnCount(len(columns))
        table.setHorizontalHeaderLabels(columns)
        for r, (label, tooltip, values) in enumerate(rows):
            header = QTableWidgetItem(label)
            header.setToolTip(tooltip)
            table.setVerticalHeaderItem(r, header)
            for c, value in enumerate(values):
                # Whole pounds: a forecast to check line by line, not to the penny (the
                # figure behind it, for copying, keeps its pence).
                item = QTableWidgetItem(format_money(round(float(value))))
                item.setData(VALUE_ROLE, float(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
    finally:
        table.setUpdatesEnabled(True)
    table.resizeColumnsToContents()
    table.resizeRowsToContents()
    height = (table.horizontalHeader().sizeHint().height() + table.verticalHeader().length()
              + table.horizontalScrollBar().sizeHint().height() + 2 * table.frameWidth() + 2)
    table.setFixedHeight(height)
