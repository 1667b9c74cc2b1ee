"""An editable list of dicts as a table: what the budget lines (``gui.budget_table``) and a rate
card's stages (``gui.stages_table``) share.

One row an item of the list, one column a key of the item.  The table holds the items as the
scenario file's dicts and lets ``scenario_from_dict`` judge them, like the rest of the form:
what the user types stays in its cell even when it cannot be read ("65kk" is kept, marked, with
the reason), so nothing typed is lost.  A marked cell has a pale red fill, a warning icon and
the reason in its tooltip, and a line in the note under the table (colour is never the only
signal).

Keys, as in a spreadsheet (with the table focused): Enter or F2 edits a cell; Tab moves along
the row (to the next row after its last cell, out of the table after the last cell of all);
Ctrl+Tab leaves the table from anywhere (Ctrl+Shift+Tab backwards); Insert adds an item,
Ctrl+D duplicates, Delete removes, Alt+Up and Alt+Down move it.  After naming a new item, Enter
moves on to the next cell of that item, so a new line is typed across without the mouse.

The note under the table never moves the form: its room (two lines) is kept whether there is
a problem or not, and holds the key hint in grey when there is none.  Past two problems the
note counts the rest, which are marked on their cells.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..model import fields as F
from .fields import ERROR_COLOUR, Unit, plain_reason
from .parts import unique_name

INVALID_FILL = QColor("#fdecea")
HINT_STYLE = "color: palette(placeholder-text);"
NOTE_LINES = 2  # the note's room, kept whether or not there is a problem to show
NOTED = 2  # problems written out in the note; the rest are counted
KEY_HINT = "Tab: next cell · Ctrl+Tab: out of the table · Insert: add {a} · Delete: remove it"
SHORT_KEY_HINT = "Tab: next cell · Ctrl+Tab: out of the table"
TIP_KEYS = ("Enter or F2 edits a cell; Tab moves along the row, Ctrl+Tab leaves the table; Insert adds {a}, "
            "Ctrl+D duplicates it, Delete removes it, Alt+Up/Down moves it.")
HINT = QAbstractItemDelegate.EndEditHint
CELL_PADDING = 14  # a cell's margins and focus frame, beside its text (and icon)


# The columns of a low / most likely / high guess (``FieldSpec.uncertain``), after its key's dot.
GUESS_WORDS = {"low": "low", "likely": "Most likely", "high": "High"}
HEADING_UNITS = ("£", "%")  # shown in a heading; months and counts are said by the words
# How a column's values are said in its messages: a month number or a count of months is a
# bare whole number there ("Must be between 1 and 120"), as it is in its cell.
MESSAGE_UNITS = {"money": "money", "fraction": "percent", "months": "whole", "whole": "whole"}


def wrap_heading(words: str) -> str:
    """Two lines of a heading, broken at the space that makes the longer line shortest (never
    after a one-letter word: "Growth / a year"), so that a column is as narrow as its heading
    allows; one word stays whole."""
    parts = words.split()
    breaks = [i for i in range(1, len(parts)) if len(parts[i - 1]) > 1]
    if not breaks:
        return words
    best = min(breaks, key=lambda i: (max(len(" ".join(parts[:i])), len(" ".join(parts[i:]))), i))
    return " ".join(parts[:best]) + "\n" + " ".join(parts[best:])


def column_words(owner: str, key: str) -> str:
    """A column's heading on one line, from its field-table row: the row's words (``column``,
    else its label) and its unit if £ or %; a guess's columns "<words> low", "Most likely",
    "High".  ``key`` is the row's name, or for a guess the name and the end
    ("amount.likely")."""
    name, _, end = key.partition(".")
    row = F.spec_of(owner, name)
    if row.uncertain and end in GUESS_WORDS:
        words = f"{row.column or row.label} {GUESS_WORDS[end]}" if end == "low" else GUESS_WORDS[end]
    else:
        row = F.spec_of(owner, key)
        words = row.column or row.label
    if row.unit in HEADING_UNITS and row.is_number:
        words += f" ({row.unit})"
    return words


def column_heading(owner: str, key: str) -> str:
    """A column's heading as the table shows it, on two lines (``wrap_heading``)."""
    return wrap_heading(column_words(owner, key))


def message_unit(owner: str, key: str) -> Unit:
    """How a column's values are said in its messages, from its row's kind."""
    row = F.spec_of(owner, key.partition(".")[0])
    # a list of numbers (a pattern's amounts) is said in its items' unit
    return Unit(MESSAGE_UNITS.get(row.kind) or {"£": "money", "%": "percent"}.get(row.unit, "count"))


class CellError(ValueError):
    """Text that cannot be read as the column's value; the message says how to write it."""


class ListGrid(QTableWidget):
    """The table itself, with the keys the module docstring lists."""

    add_requested = Signal()
    duplicate_requested = Signal()
    remove_requested = Signal()
    move_requested = Signal(int)  # -1 up, +1 down
    open_requested = Signal(int, int)  # Enter on a cell that opens a dialog (row, column)

    def __init__(self, rows: int, columns: int, parent: QWidget | None = None):
        super().__init__(rows, columns, parent)
        self.filling_row = -1  # a new item being typed across: Enter moves along it
        self.enter_order: tuple[int, ...] = tuple(range(columns))  # the cells Enter stops at
        self.currentCellChanged.connect(self._left_row)

    def _left_row(self, row: int, _col: int, _old_row: int, _old_col: int) -> None:
        if row != self.filling_row:
            self.filling_row = -1

    def leave(self, forward: bool = True) -> bool:
        """Move the focus out of the table, to the next (or previous) widget."""
        return QWidget.focusNextPrevChild(self, forward)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = Qt.KeyboardModifier.ControlModifier
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and mods & ctrl:
            self.leave(key == Qt.Key.Key_Tab and not mods & Qt.KeyboardModifier.ShiftModifier)
            return
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
            if key == Qt.Key.Key_D and mods == ctrl:
                self.duplicate_requested.emit()
                return
            if mods == Qt.KeyboardModifier.AltModifier and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.move_requested.emit(-1 if key == Qt.Key.Key_Up else 1)
                return
        super().keyPressEvent(event)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:  # noqa: N802
        """Enter in a new item's cell moves on to its next cell; Ctrl+Tab in an editor leaves
        the table (the editor's Tab would otherwise go to the next cell)."""
        row, col = self.currentRow(), self.currentColumn()
        ctrl = bool(QApplication.keyboardModifiers() & Qt.KeyboardModifier.ControlModifier)
        if hint in (HINT.EditNextItem, HINT.EditPreviousItem) and ctrl:
            super().closeEditor(editor, HINT.NoHint)
            self.leave(hint == HINT.EditNextItem)
            return
        after = [c for c in self.enter_order if c > col]
        if hint == HINT.SubmitModelCache and row == self.filling_row and after:
            super().closeEditor(editor, HINT.NoHint)
            self.setCurrentCell(row, after[0])
            self.filling_row = row  # still typing across the new item
            return
        super().closeEditor(editor, hint)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab moves from cell to cell along the row, and out of the table after its last cell
        (Shift+Tab before its first), so a keyboard user is never trapped in it."""
        if self.state() != QAbstractItemView.State.EditingState:
            index = self.currentIndex()
            last = index.row() == self.rowCount() - 1 and index.column() == self.columnCount() - 1
            first = index.row() <= 0 and index.column() <= 0
            if not index.isValid() or (next and last) or (not next and first):
                return self.leave(next)
        return super().focusNextPrevChild(next)


class ListTable(QWidget):
    """The table, its buttons and the note under it, for a list of dicts.

    A subclass names the field table's owner of its items (``OWNER``) and its columns
    (``COLUMN_KEYS``, headed from the owner's rows by ``column_heading``), the word for a row in the
    note (``ROW_WORD``), and says how a cell is shown, read and written (``_text``, ``_tip``,
    ``_parse``, ``_put``, ``_get``)."""

    edited = Signal()  # after every user edit (never when the list is set from outside)

    OWNER = ""
    COLUMN_KEYS: tuple[str, ...] = ()
    ROW_WORD = "Line"
    A_ROW = "a line"
    MAX_ROWS = 200
    VISIBLE_ROWS = (3, 8)  # the table shows at least this many rows and at most that many
    MIN_WIDTHS = (150, 80)  # the first column's, each other's: room to type in
    add_button: QPushButton  # made by the subclass, with its own words
    remove_button: QPushButton
    up_button: QToolButton
    down_button: QToolButton

    def __init__(self, name: str, accessible: str, tip: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.KEYS = self.COLUMN_KEYS
        self.headings = [column_heading(self.OWNER, key) for key in self.KEYS]
        self._items: list[Any] = []
        self._typed: list[dict[str, str]] = []  # per item: key -> why its text cannot be read
        self._marks: dict[tuple[int, int], str] = {}  # (row, column) -> reason from validation
        # The reason each cell is drawn marked for, kept here rather than in an item role:
        # reading a role never set loses a reference to None in PySide6 6.12 (gui/none_guard).
        self._drawn: dict[tuple[int, int], str] = {}
        self._list_problems: list[str] = []
        self._loading = 0
        self._notes: list[str] = []
        self._note_red = True  # drawn grey (the keys) below, before anything is marked
        self.key_hint = KEY_HINT.format(a=self.A_ROW)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.grid = ListGrid(0, len(self.KEYS))
        self.grid.setObjectName(f"{name}.table")
        self.grid.setAccessibleName(accessible)
        self.grid.setToolTip(f"{tip} {TIP_KEYS.format(a=self.A_ROW)}")
        self.grid.setHorizontalHeaderLabels(self.headings)
        for col, key in enumerate(self.KEYS):
            header = self.grid.horizontalHeaderItem(col)
            if header is not None:
                header.setToolTip(self._column_tip(key))
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
        self.grid.itemChanged.connect(self._item_changed)
        self.grid.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.grid.add_requested.connect(self.add_item)
        self.grid.duplicate_requested.connect(self.duplicate_item)
        self.grid.remove_requested.connect(self.remove_item)
        self.grid.move_requested.connect(self.move_item)
        layout.addWidget(self.grid)

        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(4)
        layout.addLayout(self.buttons)

        # The note: problems in red, else the keys in grey, in room kept for it either way.
        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problems_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.problems_label.setFixedHeight(NOTE_LINES * self.fontMetrics().lineSpacing() + 4)
        layout.addWidget(self.problems_label)
        self._show_note([])

    def _add_buttons(self, buttons: list[QWidget]) -> None:
        for b in buttons:
            self.buttons.addWidget(b)
        self.buttons.addStretch(1)

    def _arrow(self, arrow: Qt.ArrowType, name: str, tip: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setArrowType(arrow)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0].rstrip("."))  # "Move the chosen line up"
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.clicked.connect(slot)
        return button

    def _button(self, text: str, name: str, tip: str, slot: Callable[[], None],
                accessible: str = "") -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(accessible or tip.split(" (")[0].rstrip("."))
        button.clicked.connect(slot)
        return button

    def _move_buttons(self, word: str) -> None:
        stem = self.objectName()
        # Up and down as arrows: worded buttons would widen the whole form.
        self.up_button = self._arrow(Qt.ArrowType.UpArrow, f"{stem}.up", f"Move the chosen {word} up (Alt+Up).",
                                     lambda: self.move_item(-1))
        self.down_button = self._arrow(Qt.ArrowType.DownArrow, f"{stem}.down",
                                       f"Move the chosen {word} down (Alt+Down).", lambda: self.move_item(1))

    # ----- what a subclass says about its columns --------------------------------------------------
    def _column_tip(self, key: str) -> str:
        return ""

    def _tip(self, item: Any, key: str) -> str:
        return self._column_tip(key)

    def _get(self, item: Any, key: str) -> Any:
        raise NotImplementedError

    def _text(self, item: Any, key: str) -> str:
        raise NotImplementedError

    def _parse(self, item: dict, key: str, text: str) -> Any:
        """The value of ``text`` typed in column ``key`` (CellError if it cannot be read)."""
        raise NotImplementedError

    def _put(self, item: dict, key: str, value: Any) -> None:
        raise NotImplementedError

    def _together(self, item: dict, key: str) -> tuple[str, ...]:
        """The keys one value typed in ``key`` fills (the key alone, unless a subclass says)."""
        return (key,)

    def _right_aligned(self, key: str) -> bool:
        return self.KEYS.index(key) >= 1

    def _opens(self, key: str) -> bool:
        """Whether the column opens a dialog (Enter, double-click) rather than being typed in."""
        return False

    def _new_item(self) -> dict:
        raise NotImplementedError

    def _insert_at(self) -> int:
        return len(self._items)

    def _reason(self, problem: Any, key: str) -> str:
        return plain_reason(problem, message_unit(self.OWNER, key))

    # ----- the interface the form uses ---------------------------------------------------------
    def _set_items(self, items: list, select: int) -> None:
        self._items = [copy.deepcopy(item) for item in items]
        self._typed = [{} for _ in self._items]
        self._marks = {}
        self._list_problems = []
        self._rebuild(select)

    def _mark(self, row: int, sub_columns: list[int], problem: Any) -> None:
        if 0 <= row < len(self._items):
            for col in sub_columns:
                self._marks[(row, col)] = self._reason(problem, self.KEYS[col])

    def problem_count(self) -> int:
        return len(self.problem_cells()) + len(self._list_problems)

    def problem_cells(self) -> list[tuple[int, str]]:
        """(row, column key) of every marked cell, in table order (tests, and Show me)."""
        cells = set(self._marks)
        cells |= {(r, self.KEYS.index(k)) for r, typed in enumerate(self._typed) for k in typed}
        return [(r, self.KEYS[c]) for r, c in sorted(cells)]

    def cell_reason(self, row: int, key: str) -> str:
        """Why a cell is marked ("" when it is not): what it could not read, else validation's."""
        if row < len(self._typed) and key in self._typed[row]:
            return self._typed[row][key]
        return self._marks.get((row, self.KEYS.index(key)), "")

    def cell_text(self, row: int, key: str) -> str:
        item = self.grid.item(row, self.KEYS.index(key))
        return item.text() if item is not None else ""

    def focus_first_problem(self) -> bool:
        cells = self.problem_cells()
        if not cells:
            return False
        row, key = cells[0]
        self.grid.setCurrentCell(row, self.KEYS.index(key))
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # ----- editing -------------------------------------------------------------------------------
    def _item_changed(self, cell: QTableWidgetItem) -> None:
        if self._loading:
            return
        row, col = cell.row(), cell.column()
        if not 0 <= row < len(self._items) or not isinstance(self._items[row], dict):
            return
        key, text = self.KEYS[col], cell.text()
        item = self._items[row]
        try:
            value = self._parse(item, key, text)
        except CellError as error:
            self._typed[row][key] = str(error)
            self._put(item, key, text)  # kept as typed; validation refuses it too
        else:
            keys = self._together(item, key)
            for each in keys:
                self._put(item, each, value)
            self._loading += 1
            try:
                for each in keys:
                    shown = self.grid.item(row, self.KEYS.index(each)) if each != key else cell
                    if shown is not None:
                        shown.setText(self._text(item, each))  # "65k" reads back as "£65,000"
                    self._typed[row].pop(each, None)
            finally:
                self._loading -= 1
        self._marks.pop((row, col), None)
        self._show_marks()
        self.edited.emit()

    def add_item(self) -> None:
        """A new item, its name ready to type; Enter then moves along its cells."""
        if len(self._items) >= self.MAX_ROWS:
            return
        at = self._insert_at()
        self._items.insert(at, self._new_item())
        self._typed.insert(at, {})
        self._structure_changed(at, 0)
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        self.grid.filling_row = at
        name = self.grid.item(at, 0)
        if name is not None:
            self.grid.editItem(name)

    def duplicate_item(self) -> None:
        row = self.grid.currentRow()
        if not 0 <= row < len(self._items) or len(self._items) >= self.MAX_ROWS:
            return
        copied = copy.deepcopy(self._items[row])
        if isinstance(copied, dict):
            copied["name"] = self._unique_name(f"{copied.get('name') or self.ROW_WORD} (copy)")
        self._items.insert(row + 1, copied)
        self._typed.insert(row + 1, dict(self._typed[row]))
        self._structure_changed(row + 1)

    def remove_item(self) -> None:
        row = self.grid.currentRow()
        if not 0 <= row < len(self._items):
            return
        del self._items[row]
        del self._typed[row]
        self._structure_changed(min(row, len(self._items) - 1))

    def move_item(self, step: int) -> None:
        row = self.grid.currentRow()
        other = row + step
        if not (0 <= row < len(self._items) and 0 <= other < len(self._items)):
            return
        for items in (self._items, self._typed):
            items[row], items[other] = items[other], items[row]
        self._structure_changed(other)

    def _unique_name(self, stem: str) -> str:
        return unique_name(stem, {item.get("name") for item in self._items if isinstance(item, dict)})

    def _structure_changed(self, select: int, column: int = -1) -> None:
        self._marks = {}  # rows moved; the next check marks them again
        self._list_problems = []
        self._rebuild(select, column)
        self.edited.emit()

    # ----- drawing -------------------------------------------------------------------------------
    def _rebuild(self, select: int = -1, column: int = -1) -> None:
        col = column if column >= 0 else max(self.grid.currentColumn(), 0)
        self._loading += 1
        try:
            self.grid.setRowCount(len(self._items))
            self._drawn = {}  # every item below is new, drawn unmarked
            for row, item in enumerate(self._items):
                for c, key in enumerate(self.KEYS):
                    cell = QTableWidgetItem(self._text(item, key))
                    if self._right_aligned(key):
                        cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if self._opens(key):  # opens a dialog (Enter, double-click), never typed in
                        cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    self.grid.setItem(row, c, cell)
            self._show_marks()
        finally:
            self._loading -= 1
        self.grid.resizeColumnsToContents()
        first, rest = self.MIN_WIDTHS
        for c in range(len(self.KEYS)):
            self.grid.setColumnWidth(c, max(self.grid.columnWidth(c), rest if c else first))
        self._fit_columns()
        if 0 <= select < len(self._items):
            self.grid.setCurrentCell(select, col)
        self._fit_height()
        self._update_buttons()

    def _fit_height(self) -> None:
        lo, hi = self.VISIBLE_ROWS
        rows = min(max(len(self._items), lo), hi)
        height = (self.grid.horizontalHeader().height() + rows * self.grid.verticalHeader().defaultSectionSize()
                  + self.grid.horizontalScrollBar().sizeHint().height() + 2 * self.grid.frameWidth())
        self.grid.setFixedHeight(height)

    def text_room(self, row: int, col: int) -> int:
        """The width a cell's text and icon need, never elided ("every 2 months" whole)."""
        cell = self.grid.item(row, col)
        if cell is None:
            return 0
        icon = self.grid.iconSize().width() + 4 if self.cell_reason(row, self.KEYS[col]) else 0
        return self.grid.fontMetrics().horizontalAdvance(cell.text()) + icon + CELL_PADDING

    def _fit_columns(self) -> None:
        """Widen (never narrow, so nothing jumps under the pointer) every column whose text,
        or its heading, would be cut."""
        header = self.grid.horizontalHeader()
        for c in range(len(self.KEYS)):
            need = max([header.sectionSizeHint(c)]
                       + [self.text_room(r, c) for r in range(self.grid.rowCount())])
            if self.grid.columnWidth(c) < need:
                self.grid.setColumnWidth(c, need)

    def _show_marks(self) -> None:
        self._loading += 1
        try:
            warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            notes: list[str] = []
            for row in range(self.grid.rowCount()):
                for col, key in enumerate(self.KEYS):
                    cell = self.grid.item(row, col)
                    if cell is None:
                        continue
                    reason = self.cell_reason(row, key)
                    # Marked afresh only where the mark changed: every settled edit asks, and
                    # remarking every cell of twenty lines took as long as the validation.
                    if self._drawn.get((row, col)) != (reason or ""):
                        self._drawn[(row, col)] = reason or ""
                        tip = self._tip(self._items[row], key)
                        cell.setToolTip(f"{reason}\n\n{tip}" if reason else tip)
                        cell.setBackground(QBrush(INVALID_FILL) if reason else QBrush())
                        cell.setForeground(QBrush(QColor(ERROR_COLOUR)) if reason else QBrush())
                        cell.setIcon(warning if reason else QIcon())
                        cell.setData(Qt.ItemDataRole.AccessibleDescriptionRole, reason)
                    if reason:
                        name = self._get(self._items[row], "name") or "(no name)"
                        what = self.headings[col].replace("\n", " ")
                        notes.append(f"• {self.ROW_WORD} {row + 1} “{name}”, {what}: {reason}")
            notes += [f"• {text}" for text in self._list_problems]
            self._show_note(notes)
        finally:
            self._loading -= 1
        self._fit_columns()

    def _show_note(self, notes: list[str]) -> None:
        self._notes = notes
        self._render_note()

    def _render_note(self) -> None:
        """The problems in the note's room: two written out (the rest counted), or when even
        that would not fit the width, how many there are; never taller than its room."""
        notes, label = self._notes, self.problems_label
        if len(notes) > NOTED:
            rest = len(notes) - NOTED + 1
            notes = notes[:NOTED - 1] + [f"• and {rest} more, marked in red in the table (point at one to "
                                         "read why)."]
        if notes:
            count = len(self._notes)
            shorter = (f"• {count} {'value needs' if count == 1 else 'values need'} fixing, marked in red in "
                       "the table: point at one to read why.")
        else:
            shorter = SHORT_KEY_HINT
        label.setText("\n".join(notes) or self.key_hint)
        if label.width() > 0 and label.heightForWidth(label.width()) > label.height():
            label.setText(shorter)
        if self._note_red != bool(notes):
            self._note_red = bool(notes)
            label.setStyleSheet(f"color: {ERROR_COLOUR};" if notes else HINT_STYLE)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._render_note()  # the width decides how much of the problems fits

    def _update_buttons(self) -> None:
        row = self.grid.currentRow()
        chosen = 0 <= row < len(self._items)
        room = len(self._items) < self.MAX_ROWS
        self.add_button.setEnabled(room)
        duplicate = getattr(self, "duplicate_button", None)
        if duplicate is not None:
            duplicate.setEnabled(chosen and room)
        self.remove_button.setEnabled(chosen)
        self.up_button.setEnabled(chosen and row > 0)
        self.down_button.setEnabled(chosen and row < len(self._items) - 1)
