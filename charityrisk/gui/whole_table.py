"""A small results table shown whole, at any width the tab has: no scroll bar of its own.

Its columns share the width out (each at least its longest word, the rest in proportion to
what its text would need on one line, the row names taking what is left); cells and headings
wrap; the table is exactly as tall as its rows, worked out again when its width changes.  For
the few-row tables beside a tab's text (what a contract needs anyway, payment structures
compared), which on a 1024-pixel screen were cut at the right, their last row hidden behind
a scroll bar.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

CELL_PADDING = 12  # a cell's margins either side of its text
HEADING_PADDING = 20  # a heading's margins and frame


class WholeTable(QTableWidget):
    """A table of a few rows that never scrolls inside itself (the module docstring)."""

    def __init__(self, name: str, spoken: str, parent: QWidget | None = None, columns: int = 0):
        super().__init__(0, columns, parent)
        self.setObjectName(name)
        self.setAccessibleName(spoken)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.horizontalHeader().setStretchLastSection(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # fit() sizes them
        # Headings wrap at their words (the style draws them so), the header as tall as needed.
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)

    def set_rows(self, header: list[str], rows: list[list[str]]) -> None:
        """Show ``rows`` under ``header``."""
        self.setColumnCount(len(header))
        self.setRowCount(len(rows))
        self.setHorizontalHeaderLabels(header)
        for c, heading in enumerate(header):
            item = self.horizontalHeaderItem(c)
            if item is not None:
                item.setToolTip(heading)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                self.setItem(r, c, QTableWidgetItem(cell))
        self.fit()

    def _widths(self, column: int) -> tuple[int, int]:
        """(least, natural) width of a column: its longest word, and its text on one line."""
        metrics = self.fontMetrics()
        cells = [self.item(r, column) for r in range(self.rowCount())]
        texts = [cell.text() for cell in cells if cell is not None]
        heading = self.horizontalHeaderItem(column)
        words = heading.text().split() if heading is not None else []
        head = max([metrics.horizontalAdvance(word) for word in words] + [0]) + HEADING_PADDING
        least = max([metrics.horizontalAdvance(word) for t in texts for word in t.split()] + [0])
        natural = max([metrics.horizontalAdvance(t) for t in texts] + [0])
        return max(least + CELL_PADDING, head), max(natural + CELL_PADDING, head)

    def _heading_height(self, column: int) -> int:
        heading = self.horizontalHeaderItem(column)
        if heading is None:
            return 0
        room = QRect(0, 0, max(self.columnWidth(column) - HEADING_PADDING, 1), 10_000)
        box = self.fontMetrics().boundingRect(room, int(Qt.TextFlag.TextWordWrap), heading.text())
        return box.height() + HEADING_PADDING // 2

    def fit(self) -> None:
        """Columns shared out of the width (each at least its longest word, the rest in
        proportion to what its text on one line would need), then as tall as the rows."""
        room = self.viewport().width()
        if self.columnCount() and room > 0:
            widths = [self._widths(c) for c in range(self.columnCount())]
            least = sum(w[0] for w in widths)
            wish = sum(w[1] - w[0] for w in widths)
            spare = max(room - least, 0)
            share = min(spare / wish, 1.0) if wish else 0.0
            sized = [int(lo + (hi - lo) * share) for lo, hi in widths]
            sized[0] += max(room - sum(sized), 0)  # what is left goes to the row names
            for c, width in enumerate(sized):
                if self.columnWidth(c) != width:
                    self.setColumnWidth(c, width)
        self.resizeRowsToContents()
        header = self.horizontalHeader()
        header.setMinimumHeight(max([self._heading_height(c) for c in range(self.columnCount())] + [0]))
        height = (max(header.minimumHeight(), header.sizeHint().height()) + 2 * self.frameWidth()
                  + sum(self.rowHeight(r) for r in range(self.rowCount())))
        if self.height() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit()
