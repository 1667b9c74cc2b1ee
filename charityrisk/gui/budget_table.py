"""The organisation's budget lines as an editable table (``organisation.budget``).

One row a line, one column a key of the line: name, income or cost, low / most likely / high,
from month, to month, how often, yearly growth and chance it happens.  The table holds the
lines as the scenario file's dicts and lets ``scenario_from_dict`` judge them, like the rest of
the form: what the user types stays in its cell even when it cannot be read ("65kk" is kept,
marked, with the reason), so nothing typed is lost.

Cells are named by their key (``COLUMNS``); a problem whose path is
``organisation.budget[2].end_month`` marks row 2's "To month" cell: a pale red fill, a warning
icon, the reason in its tooltip and a line in the note under the table (colour is never the
only signal).

Keys (with the table focused): Enter or F2 edits a cell, Tab and the arrows move, Insert adds a
line, Ctrl+D duplicates, Delete removes, Alt+Up and Alt+Down move the line.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..model import fields as F
from ..model.calendar import month_name, parse_first_month
from ..model.money import MoneyError, format_money, parse_money
from ..model.problems import Problem
from .fields import ERROR_COLOUR, Unit, plain_reason
from .parts import unique_name
from .pattern_dialog import PatternDialog

OWNER = "organisation.budget[]"
LIST_KEY = "organisation.budget"

# (key in the line, column heading, the field-table row's name, unit for messages)
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("name", "Name", "name", "count"),
    ("kind", "Income\nor cost", "kind", "count"),
    ("monthly_amounts", "Each\ntime", "monthly_amounts", "money"),
    ("amount.low", "Low\n(£)", "amount", "money"),
    ("amount.likely", "Most\nlikely (£)", "amount", "money"),
    ("amount.high", "High\n(£)", "amount", "money"),
    ("start_month", "From\nmonth", "start_month", "whole"),
    ("end_month", "To\nmonth", "end_month", "whole"),
    ("every_months", "How\noften", "every_months", "whole"),
    ("growth_per_year", "Yearly\ngrowth (%)", "growth_per_year", "percent"),
    ("probability", "Chance it\nhappens (%)", "probability", "percent"),
)
KEYS = tuple(c[0] for c in COLUMNS)
AMOUNT_KEYS = ("amount.low", "amount.likely", "amount.high")
KINDS = (("Income", "income"), ("Cost", "cost"))
OFTEN = {1: "monthly", 3: "quarterly", 12: "yearly"}
OFTEN_WORDS = {"monthly": 1, "every month": 1, "quarterly": 3, "every quarter": 3, "yearly": 12,
               "annually": 12, "once a year": 12, "every year": 12, "annual": 12}
END_WORDS = ("", "end", "the end", "to the end")
INVALID_FILL = QColor("#fdecea")
VISIBLE_ROWS = (3, 8)  # the table shows at least 3 and at most 8 rows before it scrolls

NEW_LINE: dict[str, Any] = {"name": "New line", "kind": "cost",
                            "amount": {"low": 0, "likely": 0, "high": 0}, "start_month": 1,
                            "end_month": None, "every_months": 1, "growth_per_year": 0.0,
                            "probability": 1.0}


def _row(key: str) -> F.FieldSpec:
    return F.spec_of(OWNER, COLUMNS[KEYS.index(key)][2])


PATTERN_KEY = "monthly_amounts"
PATTERN_TIP = ("The same amount each time (low / most likely / high), or a pattern: a different amount "
               "for each month. Enter or double-click opens the months, to type or paste from a "
               "spreadsheet. For a line with a pattern, low / most likely / high are the scale of the "
               "whole pattern, in percent.")


def has_pattern(line: Any) -> bool:
    """A line given month by month (version 3): its amount cells hold the pattern's scale."""
    return isinstance(line, dict) and "monthly_amounts" in line


def pattern_text(line: Any) -> str:
    """The pattern column's text: "pattern (12 months)", or "same" for one amount each time."""
    if not has_pattern(line):
        return "same"
    amounts = line.get("monthly_amounts")
    count = len(amounts) if isinstance(amounts, list) else 0
    return f"pattern ({count} month{'s' if count != 1 else ''})"


def column_tip(key: str) -> str:
    """The column's tooltip: the field table's help, plus how to type the value."""
    if key == PATTERN_KEY:
        return PATTERN_TIP
    how = {"amount.low": "Low guess. Type 65000, 65k or £65,000.",
           "amount.likely": "Most likely. Type 65000, 65k or £65,000.",
           "amount.high": "High guess. Type 65000, 65k or £65,000.",
           "end_month": "Leave empty (or type \"end\") for the last month looked at.",
           "every_months": "Type or choose monthly, quarterly, yearly, or every N months (1 to 12).",
           "growth_per_year": "Type 3 or 3% for 3% a year.",
           "probability": "Type 60 or 60% for a 60% chance."}.get(key, "")
    tip = _row(key).tip
    return f"{tip} {how}".strip()


# ----- reading and showing cell values ---------------------------------------------------------

class CellError(ValueError):
    """Text that cannot be read as the column's value; the message says how to write it."""


def _number(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise CellError("Please enter a number (digits only).") from None


def parse_cell(key: str, text: str) -> Any:
    """The line's value for ``text`` typed in column ``key`` (CellError if it cannot be read).

    Range checks are left to the scenario's validation, so that every limit has one source."""
    s = text.strip()
    if key == "name":
        return text
    if key == "kind":
        lowered = s.lower()
        for label, value in KINDS:
            if lowered in (label.lower(), value):
                return value
        raise CellError("Choose Income or Cost.")
    if key in AMOUNT_KEYS:
        try:
            return parse_money(s)
        except MoneyError as error:
            raise CellError(error.message) from None
    if key == "end_month" and s.lower() in END_WORDS:
        return None
    if key in ("start_month", "end_month"):
        s = re.sub(r"^month\s*", "", s, flags=re.IGNORECASE)
        month = _number(s)
        if month != int(month):
            raise CellError("Please enter a whole month number, e.g. 12.")
        return int(month)
    if key == "every_months":
        lowered = s.lower()
        if lowered in OFTEN_WORDS:
            return OFTEN_WORDS[lowered]
        found = re.fullmatch(r"(?:every\s*)?(\d+)(?:\s*months?)?", lowered)
        if not found:
            raise CellError("Type monthly, quarterly, yearly, or every N months (1 to 12).")
        return int(found.group(1))
    if key in ("growth_per_year", "probability"):
        return _number(s.rstrip("%").strip()) / 100
    raise KeyError(key)


def show_value(key: str, value: Any) -> str:
    """The cell text for a line's value (a value that is not a number is shown as it is)."""
    if key == "kind":
        return {v: label for label, v in KINDS}.get(value, str(value))
    if key == "end_month" and value is None:
        return "end"
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if key in AMOUNT_KEYS:
        try:
            return format_money(value)
        except ValueError:
            return str(value)
    if key == "every_months":
        whole = int(value) if value == int(value) else value
        return OFTEN.get(whole, f"every {whole} months") if isinstance(whole, int) else str(value)
    if key in ("growth_per_year", "probability"):
        return f"{value * 100:.4g}%"
    if key in ("start_month", "end_month"):
        return str(int(value)) if value == int(value) else str(value)
    return str(value)


def parse_scale(text: str) -> float:
    """A pattern's scale typed in an amount cell: "80", "80%" or "× 80%" for 80%."""
    s = text.strip().lstrip("×x*").strip().rstrip("%").strip()
    return _number(s) / 100


def cell_tip(line: Any, key: str) -> str:
    """A cell's tooltip: its column's, but a pattern's amount cells hold its scale."""
    if key in AMOUNT_KEYS and has_pattern(line):
        part = {"amount.low": "Low", "amount.likely": "Most likely", "amount.high": "High"}[key]
        return (f"{part} guess of the scale of the whole pattern, e.g. 90 for 90%. "
                f"{F.spec_of(OWNER, 'scale').tip} Enter on “Each time” opens the months.")
    return column_tip(key)


def cell_text(line: Any, key: str) -> str:
    """What a cell shows: the value, or for a line with a pattern its scale ("× 80%")."""
    value = _get(line, key)
    if key in AMOUNT_KEYS and has_pattern(line) and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        return f"× {value * 100:.4g}%"
    return show_value(key, value)


def _get(line: Any, key: str) -> Any:
    if not isinstance(line, dict):
        return None
    if key == PATTERN_KEY:
        return pattern_text(line)
    if key in AMOUNT_KEYS:
        name = "scale" if has_pattern(line) else "amount"
        amount = line.get(name, 1.0 if name == "scale" else None)
        part = key.split(".")[1]
        return amount.get(part) if isinstance(amount, dict) else amount
    if key == "end_month":
        return line.get("end_month")
    return line.get(key, _row(key).default)


def _one_figure(line: dict) -> bool:
    """Whether the line's amount (a pattern's scale) is one figure, not yet a range: low, most
    likely and high equal (or not yet typed)."""
    parts = [_get(line, k) for k in AMOUNT_KEYS]
    return all(p is None for p in parts) or len({p for p in parts if p is not None}) <= 1


def _set(line: dict, key: str, value: Any) -> None:
    if key in AMOUNT_KEYS:
        name = "scale" if has_pattern(line) else "amount"
        amount = line.get(name, 1.0 if name == "scale" else None)
        if not isinstance(amount, dict):
            amount = dict.fromkeys(("low", "likely", "high"), amount)
        amount[key.split(".")[1]] = value
        line[name] = amount
    else:
        line[key] = value


def columns_for(sub: str) -> list[int]:
    """The columns a problem's path inside a line names: ``amount`` is all three guesses, a
    path that names the whole line is its name."""
    if sub in KEYS:
        return [KEYS.index(sub)]
    if sub in ("amount", "scale"):
        return [KEYS.index(k) for k in AMOUNT_KEYS]
    if sub.startswith("scale."):  # a pattern's scale is shown in the amount cells
        return [KEYS.index("amount." + sub.split(".", 1)[1])]
    if sub.startswith(PATTERN_KEY):  # the pattern, or one month of it
        return [KEYS.index(PATTERN_KEY)]
    return [0]


# ----- the editors -----------------------------------------------------------------------------

class _ChoiceDelegate(QStyledItemDelegate):
    """A combo box for kind (fixed choices) and how often (choices, or typed "every 2 months")."""

    def __init__(self, choices: list[str], editable: bool, parent=None):
        super().__init__(parent)
        self._choices, self._editable = choices, editable

    def createEditor(self, parent, option, index):
        combo = QComboBox(parent)
        combo.setEditable(self._editable)
        combo.addItems(self._choices)
        combo.setAccessibleName(index.model().headerData(index.column(), Qt.Orientation.Horizontal))
        return combo

    def setEditorData(self, editor, index):
        text = index.data(Qt.ItemDataRole.EditRole) or ""
        found = editor.findText(text, Qt.MatchFlag.MatchFixedString)
        if found >= 0:
            editor.setCurrentIndex(found)
        elif self._editable:
            editor.setEditText(text)

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class BudgetGrid(QTableWidget):
    """The table itself, with the keys the module docstring lists."""

    add_requested = Signal()
    duplicate_requested = Signal()
    remove_requested = Signal()
    move_requested = Signal(int)  # -1 up, +1 down
    open_requested = Signal(int, int)  # Enter on a cell that opens a dialog (row, column)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        editing = self.state() == QAbstractItemView.State.EditingState
        if not editing:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
                index = self.currentIndex()
                if not index.flags() & Qt.ItemFlag.ItemIsEditable:
                    self.open_requested.emit(index.row(), index.column())
                    return
                self.edit(index)
                return
            if key == Qt.Key.Key_Delete and mods == Qt.KeyboardModifier.NoModifier:
                self.remove_requested.emit()
                return
            if key == Qt.Key.Key_Insert:
                self.add_requested.emit()
                return
            if key == Qt.Key.Key_D and mods == Qt.KeyboardModifier.ControlModifier:
                self.duplicate_requested.emit()
                return
            if mods == Qt.KeyboardModifier.AltModifier and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.move_requested.emit(-1 if key == Qt.Key.Key_Up else 1)
                return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab moves from cell to cell, and out of the table after its last cell (Shift+Tab
        before its first), so a keyboard user is never trapped in it."""
        if self.state() != QAbstractItemView.State.EditingState:
            index = self.currentIndex()
            last = index.row() == self.rowCount() - 1 and index.column() == self.columnCount() - 1
            first = index.row() <= 0 and index.column() <= 0
            if not index.isValid() or (next and last) or (not next and first):
                return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)


class BudgetTable(QWidget):
    """Budget lines: the table, its buttons and the note of problems under it."""

    edited = Signal()  # after every user edit (never on set_lines)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("budget")
        self._lines: list[dict] = []
        self._typed: list[dict[str, str]] = []  # per line: key -> why its text cannot be read
        self._marks: dict[tuple[int, int], str] = {}  # (row, column) -> reason from validation
        # The reason each cell is drawn marked for, kept here rather than in an item role:
        # reading a role never set loses a reference to None in PySide6 6.12 (gui/none_guard).
        self._drawn: dict[tuple[int, int], str] = {}
        self._list_problems: list[str] = []
        self._loading = 0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.grid = BudgetGrid(0, len(COLUMNS))
        self.grid.setObjectName("budget.table")
        self.grid.setAccessibleName("Budget lines")
        self.grid.setToolTip("Your own income and cost lines. Enter or F2 edits a cell; Insert adds "
                             "a line, Ctrl+D duplicates, Delete removes, Alt+Up/Down moves it.")
        self.grid.setHorizontalHeaderLabels([c[1] for c in COLUMNS])
        for col, key in enumerate(KEYS):
            header = self.grid.horizontalHeaderItem(col)
            if header is not None:
                header.setToolTip(column_tip(key))
        self.grid.verticalHeader().setVisible(True)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.grid.setTabKeyNavigation(True)
        self.grid.setWordWrap(False)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.grid.horizontalHeader().setStretchLastSection(False)
        self.grid.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # A visible focus: the current cell has a strong outline whatever the style draws.
        self.grid.setStyleSheet("QTableWidget::item:focus { border: 2px solid palette(highlight); }")
        self.grid.setItemDelegateForColumn(KEYS.index("kind"),
                                           _ChoiceDelegate([k for k, _ in KINDS], False, self.grid))
        self.grid.setItemDelegateForColumn(
            KEYS.index("every_months"),
            _ChoiceDelegate(["monthly", "quarterly", "yearly"] + [f"every {n} months" for n in (2, 4, 6)],
                            True, self.grid))
        self.grid.itemChanged.connect(self._item_changed)
        self.grid.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.grid.add_requested.connect(self.add_line)
        self.grid.duplicate_requested.connect(self.duplicate_line)
        self.grid.remove_requested.connect(self.remove_line)
        self.grid.move_requested.connect(self.move_line)
        self.grid.open_requested.connect(self._open_cell)
        self.grid.cellDoubleClicked.connect(self._open_cell)
        self.first_month: str | None = None  # names the pattern's months, set by the form
        self.pattern_dialog: PatternDialog | None = None
        layout.addWidget(self.grid)

        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self.add_button = self._button("Add &line", "budget.add", "Add a budget line (Insert).",
                                       self.add_line)
        self.duplicate_button = self._button("Du&plicate", "budget.duplicate",
                                             "Copy the chosen line (Ctrl+D).", self.duplicate_line)
        self.remove_button = self._button("R&emove", "budget.remove",
                                          "Remove the chosen line (Delete; Edit › Undo brings it back).",
                                          self.remove_line)
        # Up and down as arrows: five worded buttons would widen the whole form.
        self.up_button = self._arrow(Qt.ArrowType.UpArrow, "budget.up", "Move the chosen line up (Alt+Up).",
                                     lambda: self.move_line(-1))
        self.down_button = self._arrow(Qt.ArrowType.DownArrow, "budget.down",
                                       "Move the chosen line down (Alt+Down).", lambda: self.move_line(1))
        for b in (self.add_button, self.duplicate_button, self.remove_button, self.up_button,
                  self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.problems_label = QLabel()
        self.problems_label.setObjectName("error:organisation.budget")
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

    def _button(self, text: str, name: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0].rstrip("."))  # "Move the chosen line up"
        button.clicked.connect(slot)
        return button

    # ----- the interface the form uses ---------------------------------------------------------
    def set_lines(self, lines: Any) -> None:
        """Show ``lines`` (the file's list of dicts, valid or not); emits no ``edited``."""
        lines = lines if isinstance(lines, list) else []
        self._lines = [copy.deepcopy(line) if isinstance(line, dict) else line for line in lines]
        self._typed = [{} for _ in self._lines]
        self._marks = {}
        self._list_problems = []
        self._rebuild(min(max(self.grid.currentRow(), 0), len(self._lines) - 1))

    def lines(self) -> list:
        """The lines as the scenario file's dicts (text that cannot be read kept as text)."""
        return copy.deepcopy(self._lines)

    def apply_problems(self, problems: list[Problem]) -> None:
        """Mark the cells the problems name (``organisation.budget[i].key``); problems with the
        list as a whole go in the note under the table."""
        self._marks = {}
        self._list_problems = []
        for problem in problems:
            found = F.item_of(problem.path, LIST_KEY)
            if found is None:
                if problem.path == LIST_KEY:
                    self._list_problems.append(problem.message)
                continue
            row, sub = found
            if not 0 <= row < len(self._lines):
                continue
            for col in columns_for(sub):
                self._marks[(row, col)] = self._reason(problem, KEYS[col])
        self._show_marks()

    def problem_count(self) -> int:
        return len(self.problem_cells()) + len(self._list_problems)

    def problem_cells(self) -> list[tuple[int, str]]:
        """(row, column key) of every marked cell, in table order (tests, and Show me)."""
        cells = {(r, c) for r, c in self._marks}
        cells |= {(r, KEYS.index(k)) for r, typed in enumerate(self._typed) for k in typed}
        return [(r, KEYS[c]) for r, c in sorted(cells)]

    def cell_reason(self, row: int, key: str) -> str:
        """Why a cell is marked ("" when it is not): what it could not read, else validation's."""
        if row < len(self._typed) and key in self._typed[row]:
            return self._typed[row][key]
        return self._marks.get((row, KEYS.index(key)), "")

    def cell_text(self, row: int, key: str) -> str:
        item = self.grid.item(row, KEYS.index(key))
        return item.text() if item is not None else ""

    def focus_first_problem(self) -> bool:
        cells = self.problem_cells()
        if not cells:
            return False
        row, key = cells[0]
        self.grid.setCurrentCell(row, KEYS.index(key))
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    @staticmethod
    def _reason(problem: Problem, key: str) -> str:
        return plain_reason(problem, Unit(COLUMNS[KEYS.index(key)][3]))

    # ----- editing -------------------------------------------------------------------------------
    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        row, col = item.row(), item.column()
        if not 0 <= row < len(self._lines) or not isinstance(self._lines[row], dict):
            return
        key, text = KEYS[col], item.text()
        line = self._lines[row]
        try:
            value = (parse_scale(text) if key in AMOUNT_KEYS and has_pattern(line)
                     else parse_cell(key, text))
        except CellError as error:
            self._typed[row][key] = str(error)
            _set(line, key, text)  # kept as typed; validation refuses it too
        else:
            self._typed[row].pop(key, None)
            # One amount typed as the most likely fills low and high too while the three are
            # one figure (a rent, a salary): typing it three times was the first hour's chore.
            # Low or high typed on their own make the range.
            together = key == "amount.likely" and _one_figure(line)
            for each in (AMOUNT_KEYS if together else (key,)):
                _set(line, each, value)
            self._loading += 1
            try:
                for each in (AMOUNT_KEYS if together else (key,)):
                    cell = self.grid.item(row, KEYS.index(each)) if each != key else item
                    if cell is not None:
                        cell.setText(cell_text(line, each))  # "65k" reads back as "£65,000"
                        self._typed[row].pop(each, None)
            finally:
                self._loading -= 1
        self._marks.pop((row, col), None)
        self._show_marks()
        self.edited.emit()

    def _open_cell(self, row: int, col: int) -> None:
        if KEYS[col] == PATTERN_KEY:
            self.edit_pattern(row)

    def edit_pattern(self, row: int) -> None:
        """Open the months of line ``row`` (a line with one amount starts a pattern of 12
        months at its most likely amount); OK puts them in the line, as one edit."""
        if not 0 <= row < len(self._lines) or not isinstance(self._lines[row], dict):
            return
        first = self.first_month if parse_first_month(self.first_month) is not None else None
        dialog = PatternDialog(self._lines[row], lambda m: month_name(first, m), self)
        self.pattern_dialog = dialog

        def done() -> None:
            if row < len(self._lines):
                self._lines[row] = dialog.result_line()
                for key in AMOUNT_KEYS + (PATTERN_KEY,):
                    self._typed[row].pop(key, None)
                self._structure_changed(row)

        dialog.accepted.connect(done)
        dialog.open()

    def add_line(self) -> None:
        if len(self._lines) >= F.MAX_ITEMS[LIST_KEY]:
            return
        at = self._insert_at()
        line = copy.deepcopy(NEW_LINE)
        line["name"] = self._unique_name("New line")
        self._lines.insert(at, line)
        self._typed.insert(at, {})
        self._structure_changed(at)
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        name = self.grid.item(at, 0)
        if name is not None:
            self.grid.editItem(name)  # ready to type the new line's name

    def duplicate_line(self) -> None:
        row = self.grid.currentRow()
        if not 0 <= row < len(self._lines) or len(self._lines) >= F.MAX_ITEMS[LIST_KEY]:
            return
        copied = copy.deepcopy(self._lines[row])
        if isinstance(copied, dict):
            copied["name"] = self._unique_name(f"{copied.get('name') or 'Line'} (copy)")
        self._lines.insert(row + 1, copied)
        self._typed.insert(row + 1, dict(self._typed[row]))
        self._structure_changed(row + 1)

    def remove_line(self) -> None:
        row = self.grid.currentRow()
        if not 0 <= row < len(self._lines):
            return
        del self._lines[row]
        del self._typed[row]
        self._structure_changed(min(row, len(self._lines) - 1))

    def move_line(self, step: int) -> None:
        row = self.grid.currentRow()
        other = row + step
        if not (0 <= row < len(self._lines) and 0 <= other < len(self._lines)):
            return
        for items in (self._lines, self._typed):
            items[row], items[other] = items[other], items[row]
        self._structure_changed(other)

    def _insert_at(self) -> int:
        return len(self._lines)

    def _unique_name(self, stem: str) -> str:
        return unique_name(stem, {line.get("name") for line in self._lines if isinstance(line, dict)})

    def _structure_changed(self, select: int) -> None:
        self._marks = {}  # rows moved; the next check marks them again
        self._list_problems = []
        self._rebuild(select)
        self.edited.emit()

    # ----- drawing -------------------------------------------------------------------------------
    def _rebuild(self, select: int = -1) -> None:
        col = max(self.grid.currentColumn(), 0)
        self._loading += 1
        try:
            self.grid.setRowCount(len(self._lines))
            self._drawn = {}  # every item below is new, drawn unmarked
            for row, line in enumerate(self._lines):
                for c, key in enumerate(KEYS):
                    item = QTableWidgetItem(cell_text(line, key))
                    if c >= 2 and key not in ("every_months", PATTERN_KEY):
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if key == PATTERN_KEY:  # opens the months (Enter, double-click), never typed in
                        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    self.grid.setItem(row, c, item)
            self._show_marks()
        finally:
            self._loading -= 1
        self.grid.resizeColumnsToContents()
        for c in range(len(COLUMNS)):  # room to type in: never narrower than a money amount
            self.grid.setColumnWidth(c, max(self.grid.columnWidth(c), 80 if c else 150))
        if 0 <= select < len(self._lines):
            self.grid.setCurrentCell(select, col)
        self._fit_height()
        self._update_buttons()

    def _fit_height(self) -> None:
        lo, hi = VISIBLE_ROWS
        rows = min(max(len(self._lines), lo), hi)
        height = (self.grid.horizontalHeader().height() + rows * self.grid.verticalHeader().defaultSectionSize()
                  + self.grid.horizontalScrollBar().sizeHint().height() + 2 * self.grid.frameWidth())
        self.grid.setFixedHeight(height)

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
                    # Marked afresh only where the mark changed: every settled edit asks, and
                    # remarking every cell of twenty lines took as long as the validation.
                    if self._drawn.get((row, col)) != (reason or ""):
                        self._drawn[(row, col)] = reason or ""
                        tip = cell_tip(self._lines[row], key)
                        item.setToolTip(f"{reason}\n\n{tip}" if reason else tip)
                        item.setBackground(QBrush(INVALID_FILL) if reason else QBrush())
                        item.setForeground(QBrush(QColor(ERROR_COLOUR)) if reason else QBrush())
                        item.setIcon(warning if reason else QIcon())
                        item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, reason)
                    if reason:
                        name = _get(self._lines[row], "name") or "(no name)"
                        what = COLUMNS[col][1].replace("\n", " ")
                        notes.append(f"• Line {row + 1} “{name}”, {what}: {reason}")
            notes += [f"• {text}" for text in self._list_problems]
            self.problems_label.setText("\n".join(notes))
            self.problems_label.setVisible(bool(notes))
        finally:
            self._loading -= 1

    def _update_buttons(self) -> None:
        row = self.grid.currentRow()
        chosen = 0 <= row < len(self._lines)
        room = len(self._lines) < F.MAX_ITEMS[LIST_KEY]
        self.add_button.setEnabled(room)
        self.duplicate_button.setEnabled(chosen and room)
        self.remove_button.setEnabled(chosen)
        self.up_button.setEnabled(chosen and row > 0)
        self.down_button.setEnabled(chosen and row < len(self._lines) - 1)

