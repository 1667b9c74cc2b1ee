"""A rate card's stages as an editable table (``contracts[i].outcome_payments``).

One row a stage, in order (each is reached by a share of those who reached the stage before):
its name, its price, the share who reach it (low / most likely / high), the months after the
referral its first payment comes, and how many monthly payments it makes.  The table, its keys
and its note are the shared editable list (``gui.list_table``), as the budget lines' are: it
holds the stages as the file's dicts and lets ``scenario_from_dict`` judge them; text that
cannot be read stays in its cell, marked with the reason, so nothing typed is lost.  A problem whose path is
``contracts[0].outcome_payments[1].rate.high`` marks row 1's "High" cell.

Keys (with the table focused): Enter or F2 edits a cell, Tab moves along the row and Ctrl+Tab
leaves the table, Insert adds a stage after the chosen one, Delete removes it, Alt+Up and
Alt+Down move it.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from PySide6.QtWidgets import QWidget

from ..model import fields as F
from ..model.money import MoneyError, format_money, parse_money
from ..model.problems import Problem
from ..model.scenario import MAX_STAGES
from .fields import Unit, plain_reason
from .list_table import CellError, ListTable

OWNER = "contracts[].outcome_payments[]"

# The columns: a key of the stage each (a guess's three ends), headed from its field-table row
# (gui.list_table.column_heading).
KEYS = ("name", "price", "rate.low", "rate.likely", "rate.high", "lag_months", "payments")
RATE_KEYS = ("rate.low", "rate.likely", "rate.high")
VISIBLE_ROWS = (2, 6)

NEW_STAGE: dict[str, Any] = F.example_dict(OWNER)  # the rows' examples and defaults


def column_tip(key: str) -> str:
    how = {"price": "Type 1200, 1.2k or £1,200.", "rate.low": "Low guess, e.g. 30 for 30%.",
           "rate.likely": "Most likely, e.g. 40 for 40%.", "rate.high": "High guess, e.g. 50 for 50%.",
           "lag_months": "Whole months, e.g. 6.", "payments": "1 for one payment, 12 for a year of them."}
    return f"{F.spec_of(OWNER, key.partition('.')[0]).tip} {how.get(key, '')}".strip()


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


class StagesTable(ListTable):
    """A rate card's stages: the table, its buttons and the note under it (``gui.list_table``)."""

    OWNER = OWNER
    COLUMN_KEYS = KEYS
    ROW_WORD = "Stage"
    A_ROW = "a stage"
    MAX_ROWS = MAX_STAGES
    VISIBLE_ROWS = VISIBLE_ROWS
    MIN_WIDTHS = (110, 56)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("stages", "Payments for outcomes", "The outcomes the contract pays for, in order.",
                         parent)
        self.add_button = self._button(
            "Add &stage", "stages.add", "Add an outcome the contract pays for, after the chosen one (Insert).",
            self.add_item, "Add a stage")
        self.remove_button = self._button(
            "Remove s&tage", "stages.remove", "Remove the chosen stage (Delete; Edit › Undo brings it back).",
            self.remove_item, "Remove the chosen stage")
        self._move_buttons("stage")
        self._add_buttons([self.add_button, self.remove_button, self.up_button, self.down_button])
        self.problems_label.setObjectName("error:contract.outcome_payments")
        self._rebuild()

    # The names the form and the tests know the actions by.
    def add_stage(self) -> None:
        self.add_item()

    def remove_stage(self) -> None:
        self.remove_item()

    def move_stage(self, step: int) -> None:
        self.move_item(step)

    # ----- the interface the form uses ---------------------------------------------------------
    def set_stages(self, stages: Any) -> None:
        """Show ``stages`` (the file's list of dicts, valid or not); emits no ``edited``."""
        stages = list(stages) if isinstance(stages, (list, tuple)) else []
        self._set_items(stages, 0 if stages else -1)

    def stages(self) -> list:
        return copy.deepcopy(self._items)

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
            self._mark(row, columns_for(rest), problem)
        self._show_marks()

    # ----- the columns -----------------------------------------------------------------------------
    def _column_tip(self, key: str) -> str:
        return column_tip(key)

    def _get(self, item: Any, key: str) -> Any:
        return _get(item, key)

    def _text(self, item: Any, key: str) -> str:
        return show_value(key, _get(item, key))

    def _parse(self, item: dict, key: str, text: str) -> Any:
        return parse_cell(key, text)

    def _put(self, item: dict, key: str, value: Any) -> None:
        _set(item, key, value)

    def _new_item(self) -> dict:
        stage = copy.deepcopy(NEW_STAGE)
        stage["name"] = self._unique_name(NEW_STAGE["name"])
        return stage

    def _insert_at(self) -> int:
        row = self.grid.currentRow()
        return row + 1 if 0 <= row < len(self._items) else len(self._items)
