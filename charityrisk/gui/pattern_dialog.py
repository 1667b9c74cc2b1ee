"""A budget line's monthly pattern (``monthly_amounts``) and its scale, in a small dialog.

A one-row table, one column a month from the line's first month (12 make a yearly pattern,
such as donations that peak in December; up to 120), which takes a row pasted from a
spreadsheet (tabs, commas or new lines between amounts), and the scale of the whole pattern
as a low / most likely / high guess in percent.  Nothing is judged here: the amounts go to
the line as typed and the scenario's validation marks what is wrong, as in the table.
"""
from __future__ import annotations

import re
from typing import Any

from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..model import fields as F
from ..model.money import MoneyError, parse_money
from ..report.formats import money_exact

MAX_MONTHS = int(F.spec_of("organisation.budget[]", "monthly_amounts").hi or 120)
SCALE_PARTS = (("low", "Low"), ("likely", "Most likely"), ("high", "High"))


def read_amount(text: str) -> Any:
    """An amount typed or pasted ("£1,200", "1.2k"), or the text itself if it is not one
    (kept, so that validation names the month)."""
    try:
        return parse_money(text)
    except MoneyError:
        return text.strip()


def split_pasted(text: str) -> list[str]:
    """A spreadsheet row (tabs), a column (new lines) or a typed list ("100, 200") as cells;
    "1,200" (a comma with no space) is one amount."""
    return [p for p in re.split(r"\t|\r?\n|;|,\s+", text.strip()) if p.strip()]


class _PatternGrid(QTableWidget):
    """The one-row table; Ctrl+V pastes cells from the current one on, adding months."""

    def __init__(self, dialog: PatternDialog):
        super().__init__(1, 0)
        self._dialog = dialog

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self._dialog.paste(QGuiApplication.clipboard().text())
            return
        super().keyPressEvent(event)


class PatternDialog(QDialog):
    """Edit the amounts of a line's pattern and its scale; ``result_line`` is the line after."""

    def __init__(self, line: dict, month_name: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pattern_dialog")
        self.setWindowTitle(f"Amounts each month: {line.get('name') or 'budget line'}")
        self._line = dict(line)
        start = line.get("start_month")
        self._start: int = start if isinstance(start, int) else 1
        self._month_name = month_name or (lambda m: f"Month {m}")
        amounts = line.get("monthly_amounts")
        if not isinstance(amounts, list) or not amounts:
            amount = line.get("amount")
            likely = amount.get("likely") if isinstance(amount, dict) else amount
            amounts = [likely if isinstance(likely, (int, float)) else 0] * 12
        layout = QVBoxLayout(self)
        intro = QLabel("A different amount each month, starting with the line's first month; after the "
                       "last the pattern starts again (12 months: a yearly pattern). Paste a row from a "
                       "spreadsheet with Ctrl+V.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        count_row = QHBoxLayout()
        count_label = QLabel("Months in the pattern")
        self.count = QSpinBox()
        self.count.setObjectName("pattern.count")
        self.count.setRange(1, MAX_MONTHS)
        self.count.setAccessibleName("Months in the pattern")
        count_label.setBuddy(self.count)
        count_row.addWidget(count_label)
        count_row.addWidget(self.count)
        count_row.addStretch(1)
        layout.addLayout(count_row)
        self.grid = _PatternGrid(self)
        self.grid.setObjectName("pattern.table")
        self.grid.setAccessibleName("Amount each month")
        self.grid.verticalHeader().setVisible(False)
        self.grid.horizontalHeader().setDefaultSectionSize(84)
        layout.addWidget(self.grid)
        self._set_amounts(list(amounts))
        # One row, whole: its header, the row at its own height and the scroll bar under it
        # (sized from the font, as the header's own hint is not known before it is shown).
        text_height = self.grid.fontMetrics().height()
        self.grid.setRowHeight(0, text_height + 12)
        self.grid.setFixedHeight(text_height + 12 + self.grid.rowHeight(0)
                                 + self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
                                 + 2 * self.grid.frameWidth())
        self.count.valueChanged.connect(self._resize)

        scale_box = QFormLayout()
        scale = line.get("scale")
        scale = scale if isinstance(scale, dict) else dict.fromkeys(("low", "likely", "high"),
                                                                     1.0 if scale is None else scale)
        self.scale: dict[str, QLineEdit] = {}
        row = QHBoxLayout()
        for part, words in SCALE_PARTS:
            edit = QLineEdit(_percent(scale.get(part)))
            edit.setObjectName(f"pattern.scale.{part}")
            edit.setAccessibleName(f"Scale of the pattern, {words.lower()}, percent")
            edit.setMaximumWidth(80)
            edit.setToolTip(F.spec_of("organisation.budget[]", "scale").tip)
            self.scale[part] = edit
            row.addWidget(QLabel(words))
            row.addWidget(edit)
        row.addStretch(1)
        holder = QWidget()
        holder.setLayout(row)
        scale_box.addRow("Scale of the pattern (%)", holder)
        layout.addLayout(scale_box)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.one_amount = QPushButton("One amount each time")
        self.one_amount.setObjectName("pattern.clear")
        self.one_amount.setToolTip("Go back to one amount (low / most likely / high) for every payment: the "
                                   "average of the pattern.")
        buttons.addButton(self.one_amount, QDialogButtonBox.ButtonRole.ResetRole)
        self.one_amount.clicked.connect(self._clear)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._cleared = False
        self.resize(640, self.sizeHint().height())

    # ----- the amounts --------------------------------------------------------------------------
    def _set_amounts(self, amounts: list) -> None:
        self.count.blockSignals(True)
        self.count.setValue(min(max(len(amounts), 1), MAX_MONTHS))
        self.count.blockSignals(False)
        self.grid.setColumnCount(len(amounts))
        for k, value in enumerate(amounts):
            self.grid.setItem(0, k, QTableWidgetItem(money_exact(value)))
        self._label_months()

    def _label_months(self) -> None:
        self.grid.setHorizontalHeaderLabels([self._month_name(self._start + k)
                                             for k in range(self.grid.columnCount())])

    def _resize(self, count: int) -> None:
        old = self.grid.columnCount()
        self.grid.setColumnCount(count)
        for k in range(old, count):  # new months repeat the pattern so far
            source = self.grid.item(0, k % old) if old else None
            self.grid.setItem(0, k, QTableWidgetItem(source.text() if source is not None else "0"))
        self._label_months()

    def paste(self, text: str) -> None:
        cells = split_pasted(text)
        if not cells:
            return
        at = max(self.grid.currentColumn(), 0)
        need = min(at + len(cells), MAX_MONTHS)
        if need > self.grid.columnCount():
            self.count.setValue(need)
        for k, cell in enumerate(cells[:need - at]):
            self.grid.setItem(0, at + k, QTableWidgetItem(cell.strip()))

    def amounts(self) -> list:
        out = []
        for k in range(self.grid.columnCount()):
            item = self.grid.item(0, k)
            out.append(read_amount(item.text() if item is not None else ""))
        return out

    def _clear(self) -> None:
        self._cleared = True
        self.accept()

    def result_line(self) -> dict:
        """The line as the user left it: with its pattern and scale, or (after "One amount each
        time") with one amount, the pattern's average, and no scale."""
        line = dict(self._line)
        amounts = self.amounts()
        if self._cleared:
            numbers = [a for a in amounts if isinstance(a, (int, float))]
            average = round(sum(numbers) / len(numbers), 2) if numbers else 0.0
            line.pop("monthly_amounts", None)
            line.pop("scale", None)
            line["amount"] = {"low": average, "likely": average, "high": average}
            return line
        line.pop("amount", None)
        line["monthly_amounts"] = amounts
        line["every_months"] = 1  # a pattern has an amount for every month
        scale = {part: _read_percent(self.scale[part].text()) for part, _ in SCALE_PARTS}
        if scale == {"low": 1.0, "likely": 1.0, "high": 1.0}:
            line.pop("scale", None)
        else:
            line["scale"] = scale
        return line


def _percent(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value * 100:.4g}"
    return "100" if value is None else str(value)


def _read_percent(text: str) -> Any:
    try:
        return float(text.strip().rstrip("%").strip()) / 100
    except ValueError:
        return text  # kept: validation names the part of the scale

