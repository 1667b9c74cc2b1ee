"""A rate card's stages as an editable table (``contracts[i].outcome_payments``).

One row a stage, in order (each is reached by a share of those who reached the stage before):
its name, its price, the share who reach it (low / most likely / high), the months after the
referral its first payment comes, and how many monthly payments it makes.  Like the budget
table (``gui.budget_table``, which this follows): the table holds the stages as the file's
dicts and lets ``scenario_from_dict`` judge them; text that cannot be read stays in its cell,
marked with the reason, so nothing typed is lost.  A problem whose path is
``contracts[0].outcome_payments[1].rate.high`` marks row 1's "High" cell.

Keys (with the table focused): Enter or F2 edits a cell, Insert adds a stage, Delete removes
it, Alt+Up and Alt+Down move it.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..model import fields as F
from ..model.money import MoneyError, format_money, parse_money
from ..model.problems import Problem
from ..model.scenario import MAX_STAGES
from .budget_table import INVALID_FILL, BudgetGrid
from .fields import ERROR_COLOUR, Unit, plain_reason
from .parts import unique_name

OWNER = "contracts[].outcome_payments[]"

# (key in the stage, column heading, the field-table row's name, unit for messages)
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("name", "Outcome", "name", "count"),
    ("price", "Price\n(£)", "price", "money"),
    ("rate.low", "Reach it\nlow (%)", "rate", "percent"),
    ("rate.likely", "Most\nlikely (%)", "rate", "percent"),
    ("rate.high", "High\n(%)", "rate", "percent"),
    ("lag_months", "Months\nafter", "lag_months", "whole"),
    ("payments", "Monthly\npayments", "payments", "whole"),
)
KEYS = tuple(c[0] for c in COLUMNS)
RATE_KEYS = ("rate.low", "rate.likely", "rate.high")
VISIBLE_ROWS = (2, 6)

NEW_STAGE: dict[str, Any] = {"name": "Outcome", "price": 0, "rate": {"low": 0.3, "likely": 0.4, "high": 0.5},
                             "lag_months": 6, "payments": 1}


class CellError(ValueError):
    """Text that cannot be read as the column's value; the message says how to write it."""


def column_tip(key: str) -> str:
    how = {"price": "Type 1200, 1.2k or £1,200.", "rate.low": "Low guess, e.g. 30 for 30%.",
           "rate.likely": "Most likely, e.g. 40 for 40%.", "rate.high": "High guess, e.g. 50 for 50%.",
           "lag_months": "Whole months, e.g. 6.", "payments": "1 for one payment, 12 for a year of them."}
    return f"{F.spec_of(OWNER, COLUMNS[KEYS.index(key)][2]).tip} {how.get(key, '')}".strip()


def parse_cell(key: str, text: str) -> Any:
    """The stage's value for ``text`` typed in column ``key`` (CellError if it cannot be read);
    ranges are left to the scenario's validation, the one source of every limit."""
    s = text.strip()
    if key == "name":
        return text
    if key == "price":
        try:
            return parse_money(s)
        except MoneyError as error:
            raise CellError(error.message) from None
    try:
        number = float(s.rstrip("%").replace(",", "").strip())
    except ValueError:
        raise CellError("Please enter a number (digits only).") from None
    if key in RATE_KEYS:
        return number / 100
    s = re.sub(r"\s*months?$", "", s)
    if number != int(number):
        raise CellError("Please enter a whole number, e.g. 6.")
    return int(number)


def show_value(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if key == "price":
        try:
            return format_money(value)
        except ValueError:
            return str(value)
    if key in RATE_KEYS:
        return f"{value * 100:.4g}%"
    return str(int(value)) if value == int(value) else str(value)


def _get(stage: Any, key: str) -> Any:
    if not isinstance(stage, dict):
        return None
    if key in RATE_KEYS:
        rate = stage.get("rate")
        return rate.get(key.split(".")[1]) if isinstance(rate, dict) else rate
    return stage.get(key, F.spec_of(OWNER, key).default if key == "payments" else None)


def _set(stage: dict, key: str, value: Any) -> None:
    if key in RATE_KEYS:
        rate = stage.get("rate")
        if not isinstance(rate, dict):
            rate = dict.fromkeys(("low", "likely", "high"), rate)
        rate[key.split(".")[1]] = value
        stage["rate"] = rate
    else:
        stage[key] = value


def columns_for(sub: str) -> list[int]:
    """The columns a problem's path inside a stage names (``rate``: its three guesses)."""
    if sub in KEYS:
        return [KEYS.index(sub)]
    if sub == "rate":
        return [KEYS.index(k) for k in RATE_KEYS]
    return [0]


class StagesTable(QWidget):
    """A rate card's stages: the table, its buttons and the note of problems under it."""

    edited = Signal()  # after every user edit (never on set_stages)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("stages")
        self._stages: list[Any] = []
        self._typed: list[dict[str, str]] = []
        self._marks: dict[tuple[int, int], str] = {}
        # The reason each cell is drawn marked for, kept here rather than in an item role:
        # reading a role never set loses a reference to None in PySide6 6.12 (gui/none_guard).
        self._drawn: dict[tuple[int, int], str] = {}
        self._list_problems: list[str] = []
        self._loading = 0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.grid = BudgetGrid(0, len(COLUMNS))  # the budget table's keys: Insert, Delete, Alt+arrows
        self.grid.setObjectName("stages.table")
        self.grid.setAccessibleName("Payments for outcomes")
        self.grid.setToolTip("The outcomes the contract pays for, in order. Enter or F2 edits a cell; "
                             "Insert adds a stage, Delete removes it, Alt+Up/Down moves it.")
        self.grid.setHorizontalHeaderLabels([c[1] for c in COLUMNS])
        for col, key in enumerate(KEYS):
            header = self.grid.horizontalHeaderItem(col)
            if header is not None:
                header.setToolTip(column_tip(key))
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.grid.setTabKeyNavigation(True)
        self.grid.setWordWrap(False)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.grid.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.grid.setStyleSheet("QTableWidget::item:focus { border: 2px solid palette(highlight); }")
        self.grid.itemChanged.connect(self._item_changed)
        self.grid.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.grid.add_requested.connect(self.add_stage)
        self.grid.duplicate_requested.connect(self.add_stage)
        self.grid.remove_requested.connect(self.remove_stage)
        self.grid.move_requested.connect(self.move_stage)
        layout.addWidget(self.grid)

        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self.add_button = QPushButton("Add &stage")
        self.add_button.setObjectName("stages.add")
        self.add_button.setToolTip("Add an outcome the contract pays for, after the chosen one (Insert).")
        self.add_button.setAccessibleName("Add a stage")
        self.add_button.clicked.connect(self.add_stage)
        self.remove_button = QPushButton("Remove s&tage")
        self.remove_button.setObjectName("stages.remove")
        self.remove_button.setToolTip("Remove the chosen stage (Delete; Edit › Undo brings it back).")
        self.remove_button.setAccessibleName("Remove the chosen stage")
        self.remove_button.clicked.connect(self.remove_stage)
        self.up_button = self._arrow(Qt.ArrowType.UpArrow, "stages.up", "Move the chosen stage up (Alt+Up).",
                                     lambda: self.move_stage(-1))
        self.down_button = self._arrow(Qt.ArrowType.DownArrow, "stages.down",
                                       "Move the chosen stage down (Alt+Down).", lambda: self.move_stage(1))
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.problems_label = QLabel()
        self.problems_label.setObjectName("error:contract.outcome_payments")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problems_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.problems_label.hide()
        layout.addWidget(self.problems_label)
        self._rebuild()

    def _arrow(self, arrow: Qt.ArrowType, name: str, tip: str, slot) -> QToolButton:
        button = QToolButton()
        button.setArrowType(arrow)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0].rstrip("."))
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.clicked.connect(slot)
        return button

    # ----- the interface the form uses ---------------------------------------------------------
    def set_stages(self, stages: Any) -> None:
        """Show ``stages`` (the file's list of dicts, valid or not); emits no ``edited``."""
        stages = list(stages) if isinstance(stages, (list, tuple)) else []
        self._stages = [copy.deepcopy(s) for s in stages]
        self._typed = [{} for _ in self._stages]
        self._marks = {}
        self._list_problems = []
        self._rebuild(0 if self._stages else -1)

    def stages(self) -> list:
        return copy.deepcopy(self._stages)

    def apply_problems(self, problems: list[tuple[str, Problem]]) -> None:
        """Mark the cells named by (path inside the contract, problem) pairs:
        ``outcome_payments[1].rate.high``; the list's own problems go in the note."""
        self._marks = {}
        self._list_problems = []
        for sub, problem in problems:
            found = F.item_of(sub, "outcome_payments")
            if found is None:
                self._list_problems.append(plain_reason(problem, Unit("count")))
                continue
            row, rest = found
            if not 0 <= row < len(self._stages):
                continue
            for col in columns_for(rest):
                self._marks[(row, col)] = plain_reason(problem, Unit(COLUMNS[col][3]))
        self._show_marks()

    def problem_count(self) -> int:
        return len(self.problem_cells()) + len(self._list_problems)

    def problem_cells(self) -> list[tuple[int, str]]:
        cells = {(r, c) for r, c in self._marks}
        cells |= {(r, KEYS.index(k)) for r, typed in enumerate(self._typed) for k in typed}
        return [(r, KEYS[c]) for r, c in sorted(cells)]

    def cell_reason(self, row: int, key: str) -> str:
        if row < len(self._typed) and key in self._typed[row]:
            return self._typed[row][key]
        return self._marks.get((row, KEYS.index(key)), "")

    def focus_first_problem(self) -> bool:
        cells = self.problem_cells()
        if not cells:
            return False
        row, key = cells[0]
        self.grid.setCurrentCell(row, KEYS.index(key))
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def cell_text(self, row: int, key: str) -> str:
        item = self.grid.item(row, KEYS.index(key))
        return item.text() if item is not None else ""

    # ----- editing -------------------------------------------------------------------------------
    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        row, col = item.row(), item.column()
        if not 0 <= row < len(self._stages) or not isinstance(self._stages[row], dict):
            return
        key, text = KEYS[col], item.text()
        try:
            value = parse_cell(key, text)
        except CellError as error:
            self._typed[row][key] = str(error)
            _set(self._stages[row], key, text)  # kept as typed; validation refuses it too
        else:
            self._typed[row].pop(key, None)
            _set(self._stages[row], key, value)
            self._loading += 1
            try:
                item.setText(show_value(key, value))
            finally:
                self._loading -= 1
        self._marks.pop((row, col), None)
        self._show_marks()
        self.edited.emit()

    def add_stage(self) -> None:
        if len(self._stages) >= MAX_STAGES:
            return
        at = self.grid.currentRow() + 1 if 0 <= self.grid.currentRow() < len(self._stages) else len(self._stages)
        stage = copy.deepcopy(NEW_STAGE)
        stage["name"] = unique_name("Outcome", {s.get("name") for s in self._stages if isinstance(s, dict)})
        self._stages.insert(at, stage)
        self._typed.insert(at, {})
        self._structure_changed(at)
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        name = self.grid.item(at, 0)
        if name is not None:
            self.grid.editItem(name)

    def remove_stage(self) -> None:
        row = self.grid.currentRow()
        if not 0 <= row < len(self._stages):
            return
        del self._stages[row]
        del self._typed[row]
        self._structure_changed(min(row, len(self._stages) - 1))

    def move_stage(self, step: int) -> None:
        row = self.grid.currentRow()
        other = row + step
        if not (0 <= row < len(self._stages) and 0 <= other < len(self._stages)):
            return
        for items in (self._stages, self._typed):
            items[row], items[other] = items[other], items[row]
        self._structure_changed(other)

    def _structure_changed(self, select: int) -> None:
        self._marks = {}
        self._list_problems = []
        self._rebuild(select)
        self.edited.emit()

    # ----- drawing -------------------------------------------------------------------------------
    def _rebuild(self, select: int = -1) -> None:
        col = max(self.grid.currentColumn(), 0)
        self._loading += 1
        try:
            self.grid.setRowCount(len(self._stages))
            self._drawn = {}  # new items, drawn unmarked
            for row, stage in enumerate(self._stages):
                for c, key in enumerate(KEYS):
                    item = QTableWidgetItem(show_value(key, _get(stage, key)))
                    if c >= 1:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.grid.setItem(row, c, item)
            self._show_marks()
        finally:
            self._loading -= 1
        self.grid.resizeColumnsToContents()
        for c in range(len(COLUMNS)):
            self.grid.setColumnWidth(c, max(self.grid.columnWidth(c), 56 if c else 110))
        if 0 <= select < len(self._stages):
            self.grid.setCurrentCell(select, col)
        lo, hi = VISIBLE_ROWS
        rows = min(max(len(self._stages), lo), hi)
        self.grid.setFixedHeight(self.grid.horizontalHeader().height()
                                 + rows * self.grid.verticalHeader().defaultSectionSize()
                                 + self.grid.horizontalScrollBar().sizeHint().height() + 2 * self.grid.frameWidth())
        self._update_buttons()

    def _show_marks(self) -> None:
        self._loading += 1
        try:
            warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            notes: list[str] = []
            for row in range(self.grid.rowCount()):
                for col, key in enumerate(KEYS):
                    item = self.grid.item(row, col)
                    if item is None:
                        continue
                    reason = self.cell_reason(row, key)
                    if self._drawn.get((row, col)) != (reason or ""):
                        self._drawn[(row, col)] = reason or ""
                        item.setToolTip(f"{reason}\n\n{column_tip(key)}" if reason else column_tip(key))
                        item.setBackground(QBrush(INVALID_FILL) if reason else QBrush())
                        item.setForeground(QBrush(QColor(ERROR_COLOUR)) if reason else QBrush())
                        item.setIcon(warning if reason else QIcon())
                        item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, reason)
                    if reason:
                        name = _get(self._stages[row], "name") or "(no name)"
                        what = COLUMNS[col][1].replace("\n", " ")
                        notes.append(f"• Stage {row + 1} “{name}”, {what}: {reason}")
            notes += [f"• {text}" for text in self._list_problems]
            self.problems_label.setText("\n".join(notes))
            self.problems_label.setVisible(bool(notes))
        finally:
            self._loading -= 1

    def _update_buttons(self) -> None:
        row = self.grid.currentRow()
        chosen = 0 <= row < len(self._stages)
        self.add_button.setEnabled(len(self._stages) < MAX_STAGES)
        self.remove_button.setEnabled(chosen)
        self.up_button.setEnabled(chosen and row > 0)
        self.down_button.setEnabled(chosen and row < len(self._stages) - 1)
