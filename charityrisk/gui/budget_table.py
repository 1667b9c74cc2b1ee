"""The organisation's budget lines as an editable table (``organisation.budget``).

One row a line, one column a key of the line: name, income or cost, low / most likely / high,
from month, to month, how often, yearly growth and chance it happens.  The table holds the
lines as the scenario file's dicts and lets ``scenario_from_dict`` judge them, like the rest of
the form: what the user types stays in its cell even when it cannot be read ("65kk" is kept,
marked, with the reason), so nothing typed is lost.

Cells are named by their key (``KEYS``), and headed from the field table's rows; a problem whose path is
``organisation.budget[2].end_month`` marks row 2's "To month" cell: a pale red fill, a warning
icon, the reason in its tooltip and a line in the note under the table (colour is never the
only signal).

The table, its keys (Tab along the row, Ctrl+Tab out of the table, Enter along a new line),
buttons and note are the shared editable list (``gui.list_table``); this module says what the
columns are and how each is read and shown.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QWidget

from ..model import fields as F
from ..model.calendar import month_name, parse_first_month
from ..model.money import MoneyError, format_money, parse_money
from ..model.problems import Problem
from .list_table import CELL_PADDING, INVALID_FILL, CellError, ListGrid, ListTable
from .pattern_dialog import PatternDialog

__all__ = ["BudgetTable", "CellError", "INVALID_FILL", "ListGrid"]

OWNER = "organisation.budget[]"
LIST_KEY = "organisation.budget"

# The columns: a key of the line each (the amount's three ends), headed from its field-table
# row (gui.list_table.column_heading).
KEYS = ("name", "kind", "monthly_amounts", "amount.low", "amount.likely", "amount.high", "start_month",
        "end_month", "every_months", "growth_per_year", "probability")
# Where Enter stops, typing a new line across: the most likely amount fills low and high while
# they are one figure (a rent, a salary), so it skips them and the months' pattern (a dialog);
# Tab and the arrows reach every cell.
ENTER_KEYS = ("name", "kind", "amount.likely", "start_month", "end_month", "every_months",
              "growth_per_year", "probability")
AMOUNT_KEYS = ("amount.low", "amount.likely", "amount.high")
KINDS = (("Income", "income"), ("Cost", "cost"))
OFTEN = {1: "monthly", 3: "quarterly", 12: "yearly"}
OFTEN_CHOICES = ("monthly", "quarterly", "yearly", "every 2 months", "every 4 months", "every 6 months")
OFTEN_WORDS = {"monthly": 1, "every month": 1, "quarterly": 3, "every quarter": 3, "yearly": 12,
               "annually": 12, "once a year": 12, "every year": 12, "annual": 12}
END_WORDS = ("", "end", "the end", "to the end")
VISIBLE_ROWS = (3, 8)  # the table shows at least 3 and at most 8 rows before it scrolls

PATTERN_KEY = "monthly_amounts"
# A new line: the rows' examples and defaults, one amount each time (a pattern and its scale
# come from the months' dialog; a scale without a pattern is refused).
NEW_LINE: dict[str, Any] = {key: value for key, value in F.example_dict(OWNER).items()
                            if key not in (PATTERN_KEY, "scale")}


def _row(key: str) -> F.FieldSpec:
    return F.spec_of(OWNER, key.partition(".")[0])

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
        if self._editable:  # typing over the cell replaces it, as in a spreadsheet
            editor.lineEdit().selectAll()

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class BudgetTable(ListTable):
    """Budget lines: the table, its buttons and the note under it (``gui.list_table``)."""

    OWNER = OWNER
    COLUMN_KEYS = KEYS
    ROW_WORD = "Line"
    A_ROW = "a line"
    MAX_ROWS = F.MAX_ITEMS[LIST_KEY]
    VISIBLE_ROWS = VISIBLE_ROWS
    MIN_WIDTHS = (150, 80)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("budget", "Budget lines", "Your own income and cost lines.", parent)
        self.grid.verticalHeader().setVisible(True)
        self.grid.setItemDelegateForColumn(KEYS.index("kind"),
                                           _ChoiceDelegate([k for k, _ in KINDS], False, self.grid))
        self.grid.setItemDelegateForColumn(KEYS.index("every_months"),
                                           _ChoiceDelegate(list(OFTEN_CHOICES), True, self.grid))
        self.grid.enter_order = tuple(KEYS.index(k) for k in ENTER_KEYS)
        self.grid.open_requested.connect(self._open_cell)
        self.grid.cellDoubleClicked.connect(self._open_cell)
        self.first_month: str | None = None  # names the pattern's months, set by the form
        self.pattern_dialog: PatternDialog | None = None

        self.add_button = self._button("Add &line", "budget.add", "Add a budget line (Insert).", self.add_item)
        self.duplicate_button = self._button("Du&plicate", "budget.duplicate",
                                             "Copy the chosen line (Ctrl+D).", self.duplicate_item)
        self.remove_button = self._button("R&emove", "budget.remove",
                                          "Remove the chosen line (Delete; Edit › Undo brings it back).",
                                          self.remove_item)
        self._move_buttons("line")
        self._add_buttons([self.add_button, self.duplicate_button, self.remove_button, self.up_button,
                           self.down_button])
        self.problems_label.setObjectName("error:organisation.budget")
        self._rebuild()

    # The names the form and the tests know the actions by.
    def add_line(self) -> None:
        self.add_item()

    def duplicate_line(self) -> None:
        self.duplicate_item()

    def remove_line(self) -> None:
        self.remove_item()

    def move_line(self, step: int) -> None:
        self.move_item(step)

    # ----- the interface the form uses ---------------------------------------------------------
    def set_lines(self, lines: Any) -> None:
        """Show ``lines`` (the file's list of dicts, valid or not); emits no ``edited``."""
        lines = lines if isinstance(lines, list) else []
        self._set_items(lines, min(max(self.grid.currentRow(), 0), len(lines) - 1))

    def lines(self) -> list:
        """The lines as the scenario file's dicts (text that cannot be read kept as text)."""
        return copy.deepcopy(self._items)

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
            self._mark(row, columns_for(sub), problem)
        self._show_marks()

    # ----- the columns -----------------------------------------------------------------------------
    def _column_tip(self, key: str) -> str:
        return column_tip(key)

    def _tip(self, item: Any, key: str) -> str:
        return cell_tip(item, key)

    def _get(self, item: Any, key: str) -> Any:
        return _get(item, key)

    def _text(self, item: Any, key: str) -> str:
        return cell_text(item, key)

    def _parse(self, item: dict, key: str, text: str) -> Any:
        return parse_scale(text) if key in AMOUNT_KEYS and has_pattern(item) else parse_cell(key, text)

    def _put(self, item: dict, key: str, value: Any) -> None:
        _set(item, key, value)

    def _together(self, item: dict, key: str) -> tuple[str, ...]:
        # One amount typed as the most likely fills low and high too while the three are one
        # figure (a rent, a salary): typing it three times was the first hour's chore. Low or
        # high typed on their own make the range.
        return AMOUNT_KEYS if key == "amount.likely" and _one_figure(item) else (key,)

    def _right_aligned(self, key: str) -> bool:
        return KEYS.index(key) >= 2 and key not in ("every_months", PATTERN_KEY)

    def _opens(self, key: str) -> bool:
        return key == PATTERN_KEY

    def _new_item(self) -> dict:
        line = copy.deepcopy(NEW_LINE)
        line["name"] = self._unique_name(NEW_LINE["name"])
        return line

    def _rebuild(self, select: int = -1, column: int = -1) -> None:
        super()._rebuild(select, column)
        # "How often" wide enough for its choices before any is chosen, never "ever…nths".
        col = KEYS.index("every_months")
        widest = max(self.grid.fontMetrics().horizontalAdvance(c) for c in OFTEN_CHOICES)
        self.grid.setColumnWidth(col, max(self.grid.columnWidth(col), widest + CELL_PADDING))

    # ----- a pattern of months ---------------------------------------------------------------------
    def _open_cell(self, row: int, col: int) -> None:
        if KEYS[col] == PATTERN_KEY:
            self.edit_pattern(row)

    def edit_pattern(self, row: int) -> None:
        """Open the months of line ``row`` (a line with one amount starts a pattern of 12
        months at its most likely amount); OK puts them in the line, as one edit."""
        if not 0 <= row < len(self._items) or not isinstance(self._items[row], dict):
            return
        first = self.first_month if parse_first_month(self.first_month) is not None else None
        dialog = PatternDialog(self._items[row], lambda m: month_name(first, m), self)
        self.pattern_dialog = dialog

        def done() -> None:
            if row < len(self._items):
                self._items[row] = dialog.result_line()
                for key in AMOUNT_KEYS + (PATTERN_KEY,):
                    self._typed[row].pop(key, None)
                self._structure_changed(row)

        dialog.accepted.connect(done)
        dialog.open()
