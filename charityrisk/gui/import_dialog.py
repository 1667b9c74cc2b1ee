"""Importing a cash-flow forecast in the app: the read, off the window's thread with progress and
Cancel (``read_in_background``), and the preview of what it becomes (``ImportPreviewDialog``).

The preview changes nothing itself.  It shows each line as it will be imported, with editable
columns for the chance the line happens and how far it could be off (low / high, as shares of
the sheet's amounts), a tick to leave a line out, the choice between two opening balances when
the sheet gives two, and the totals by month beside the sheet's own.  When the user presses
Import the dialog's forecast holds those choices (``chosen``), so the window decides what to do
with it (``model.budget_import.imported_scenario``).
"""
from __future__ import annotations

import os
import threading
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QProgressDialog,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..model import forecast as _forecast
from ..model.forecast import HALF_PENNY, ForecastError, ForecastImport, ImportCancelled, LineChoice, pattern_amount_text
from ..report.formats import money_exact

COLUMNS = ("Line", "Income or cost", "Amount", "From", "To", "How often", "From row",
           "Chance it happens", "Low", "High")
EDITABLE = ("Chance it happens", "Low", "High")
KIND_NAMES = {"income": "Income", "cost": "Cost"}
RED = QColor(180, 0, 0)
LEAVE_OUT_HELP = ("Untick a line to leave it out: a forecast often already holds the very contract "
                  "being assessed (the app adds it as a contract, so it would count twice), or "
                  "restricted money that is not free reserves. Chance it happens: for a grant "
                  "renewal or a bid. Low and High: how far the amounts could be off, as a share of "
                  "the sheet's (90% and 110% is 10% either way).")
POLL_MS = 30


def _likely(line: dict) -> float:
    amount = line["amount"]
    return float(amount["likely"] if isinstance(amount, dict) else amount)


def _amount_text(line: dict) -> str:
    """ "£4,000", or for a version 3 line listing its months, "£80 to £600 by month"."""
    listed = line.get("monthly_amounts")
    if listed:
        return pattern_amount_text(listed, money_exact)
    return money_exact(_likely(line))


def _how_often(line: dict, how: str) -> str:
    if line.get("monthly_amounts"):
        return how or "month by month, as the sheet"
    if how in ("one-off", "average of a varying row"):
        return "once" if how == "one-off" else "monthly (average of a varying row)"
    every = line.get("every_months", 1)
    text = {1: "monthly", 3: "quarterly", 12: "once a year"}.get(every, f"every {every} months")
    growth = line.get("growth_per_year", 0)
    return f"{text}, {growth:+.1%} a year" if growth else text


def after_end_text(forecast: ForecastImport) -> str:
    """What the imported lines do after the sheet's last month (docs/model.md, 5)."""
    n, labels = forecast.months, forecast.month_labels
    text = (f"Every month up to {forecast.month_label(n)}, the sheet's last month, is imported "
            "exactly as the sheet has it. After it, each row repeats ")
    if n < 12:
        return text + (f"the sheet's {n} months as they are ({labels[0]} to {labels[-1]} again), "
                       "so the seasons do not fall in their calendar months.")
    if n % 12 == 0:
        return text + "its last 12 months: the sheet's last year again, year after year."
    return text + (f"its last 12 months ({labels[n - 12]} to {labels[-1]}), year after year; "
                   f"{labels[0]} to {labels[n - 13]} are not repeated.")


def _percent(value: float) -> str:
    return f"{value * 100:g}%"


def parse_percent(text: str) -> float | None:
    """ "90%" or "90" -> 0.9; None when it is not a percentage."""
    try:
        value = float(text.strip().rstrip("%").strip())
    except ValueError:
        return None
    return value / 100 if 0 <= value <= 10_000 else None


def row_texts(forecast: ForecastImport) -> list[tuple[str, ...]]:
    """The preview table's text, one tuple per line, in COLUMNS order."""
    rows: list[tuple[str, ...]] = []
    for line, source in zip(forecast.lines, forecast.sources):
        end = line.get("end_month")
        rows.append((line["name"], KIND_NAMES[line["kind"]], _amount_text(line),
                     forecast.month_label(line["start_month"]),
                     "the end" if end is None else forecast.month_label(end),
                     _how_often(line, source.how), str(source.row),
                     _percent(line.get("probability", 1)), "100%", "100%"))
    return rows


# --- reading off the window's thread -------------------------------------------------------

_reading: set[int] = set()  # the reads under way (at most one)

def read_in_background(parent: QWidget | None, path: str | os.PathLike, sheet: str | None = None,
                       *, label: str = "Reading the forecast...") -> ForecastImport | None:
    """``read_forecast`` on a worker thread while the window goes on drawing, with a progress
    dialog (shown when the read takes a moment) whose Cancel stops it: None when cancelled.
    ForecastError and OSError are raised here, on the caller's thread, as ``read_forecast``'s."""
    if _reading:  # a second import asked for while one is being read (before its dialog shows)
        return None
    cancel = threading.Event()
    state: dict[str, Any] = {"share": 0.0}

    def work() -> None:
        try:
            state["result"] = _forecast.read_forecast(path, sheet, progress=lambda s: state.update(share=s),
                                                      cancelled=cancel.is_set)
        except BaseException as error:  # handed to the caller's thread
            state["error"] = error

    thread = threading.Thread(target=work, name="forecast-import", daemon=True)
    progress = QProgressDialog(label, "Cancel", 0, 100, parent)
    progress.setWindowTitle("Import cash-flow forecast")
    progress.setObjectName("import_progress")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(400)
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    progress.canceled.connect(cancel.set)
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(POLL_MS)

    def poll() -> None:
        if progress.wasCanceled():
            cancel.set()
        progress.setValue(int(state["share"] * 100))
        if not thread.is_alive():
            loop.quit()

    timer.timeout.connect(poll)
    _reading.add(id(thread))
    try:
        thread.start()
        timer.start()
        if thread.is_alive():
            loop.exec()
        timer.stop()
        thread.join()
    finally:
        _reading.discard(id(thread))
    cancelled = cancel.is_set()
    progress.canceled.disconnect(cancel.set)  # closing a progress dialog says "canceled" too
    progress.close()
    progress.deleteLater()
    error = state.get("error")
    if isinstance(error, ImportCancelled) or cancelled:
        return None
    if error is not None:
        raise error
    return state["result"]


# --- the preview ---------------------------------------------------------------------------

class ImportPreviewDialog(QDialog):
    """Shows the lines, totals and notes of a parsed forecast, with Import and Cancel."""

    def __init__(self, forecast: ForecastImport, source_name: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.forecast = forecast
        self.original = replace(forecast)  # the forecast as read, whatever is chosen
        self.setWindowTitle("Import cash-flow forecast")
        layout = QVBoxLayout(self)
        name = f"{source_name}, " if source_name else ""
        incomes = sum(1 for line in forecast.lines if line["kind"] == "income")
        summary = (f"From {name}sheet '{forecast.sheet}': {forecast.months} months starting "
                   f"{forecast.month_label(1)}. {incomes} income and {len(forecast.lines) - incomes} "
                   "cost lines will replace the organisation's own income and costs; "
                   "contracts are kept.")
        if forecast.opening_balance is not None:
            summary += f" The opening balance, {money_exact(forecast.opening_balance)}, becomes the opening reserves."
        self.after_end = QLabel(after_end_text(forecast))
        self.after_end.setWordWrap(True)
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        layout.addWidget(self.after_end)

        self.help = QLabel(LEAVE_OUT_HELP)
        self.help.setWordWrap(True)
        layout.addWidget(self.help)

        self.table = QTableWidget(len(forecast.lines), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.verticalHeader().setVisible(False)
        for r, texts in enumerate(row_texts(forecast)):
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                flags = item.flags() & ~Qt.ItemFlag.ItemIsEditable
                if COLUMNS[c] in EDITABLE:
                    flags |= Qt.ItemFlag.ItemIsEditable
                if c == 0:
                    flags |= Qt.ItemFlag.ItemIsUserCheckable
                item.setFlags(flags)
                if c == 0:
                    item.setCheckState(Qt.CheckState.Checked)
                    item.setToolTip("Untick to leave this line out of the import")
                if COLUMNS[c] in ("Amount",) + EDITABLE:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnsToContents()
        self.table.setAccessibleName("Lines to import")
        self.table.itemChanged.connect(self._edited)
        layout.addWidget(self.table, 3)

        self.opening = QComboBox()
        self.opening.setAccessibleName("Opening reserves")
        if forecast.opening_conflict:
            row = QHBoxLayout()
            row.addWidget(QLabel("The sheet gives two opening balances; which is your free cash at the start?"))
            self.opening.addItem("Choose...", None)
            for candidate in forecast.opening_candidates:
                self.opening.addItem(f"{money_exact(candidate.amount)} in {candidate.cell} ({candidate.what})",
                                     candidate.amount)
            self.opening.addItem("Neither: keep the opening reserves I have", None)
            self.opening.currentIndexChanged.connect(self._update)
            row.addWidget(self.opening, 1)
            layout.addLayout(row)
        else:
            self.opening.hide()

        layout.addWidget(QLabel("Totals by month: the lines as they will be imported beside the sheet's "
                                "own figures (red where they differ)"))
        self.totals = QTableWidget()
        self.totals.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.totals.setAccessibleName("Totals by month")
        layout.addWidget(self.totals, 2)

        layout.addWidget(QLabel("Notes: what was skipped or read in a particular way"))
        self.notes = QListWidget()
        self.notes.addItems(forecast.notes or ["Nothing was skipped."])
        self.notes.setAccessibleName("Import notes")
        self.notes.setWordWrap(True)
        for i, note in enumerate(forecast.notes):
            if note.startswith(("Check:", "Opening reserves:")):
                self.notes.item(i).setForeground(QBrush(RED))
        layout.addWidget(self.notes, 1)

        self.problem = QLabel("")
        self.problem.setStyleSheet("color: rgb(180, 0, 0)")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(980, 680)
        self._update()

    # --- the user's choices ---
    def choices(self) -> dict[int, LineChoice]:
        """The choices in the table, by line; raises ValueError naming a cell that is not a share."""
        out: dict[int, LineChoice] = {}
        for r in range(self.table.rowCount()):
            include = self._cell(r, 0).checkState() == Qt.CheckState.Checked
            values = []
            for name in EDITABLE:
                text = self._cell(r, COLUMNS.index(name)).text()
                value = parse_percent(text)
                if value is None:
                    raise ValueError(f"{self._cell(r, 0).text()}: {name} '{text}' is not a percentage")
                values.append(value)
            out[r] = LineChoice(include, *values)
        return out

    def _cell(self, row: int, col: int) -> QTableWidgetItem:
        item = self.table.item(row, col)
        assert item is not None  # every cell is filled in __init__
        return item

    def chosen_forecast(self) -> ForecastImport:
        """The forecast with the table's choices and the chosen opening balance (ValueError if
        a choice is not valid)."""
        result = self.original.chosen(self.choices())
        if self.original.opening_conflict:
            amount = self.opening.currentData()
            result.opening_balance = None if amount is None else float(amount)
        return result

    def _edited(self, item: QTableWidgetItem) -> None:
        self._update()

    def _update(self) -> None:
        try:
            chosen = self.chosen_forecast()
            problem = ""
        except ValueError as error:
            chosen, problem = None, str(error)
        if not problem and self.original.opening_conflict and self.opening.currentIndex() == 0:
            problem = "Choose the opening reserves above (the sheet gives two different balances)."
        if not problem and chosen is not None and not chosen.lines:
            problem = "Every line is left out: there is nothing to import."
        self.problem.setText(problem)
        self.import_button.setEnabled(not problem)
        self._fill_totals(chosen or self.original)

    def _fill_totals(self, forecast: ForecastImport) -> None:
        rows: list[tuple[str, list[float | None], list[float] | None]] = []
        for kind, name in (("income", "Income"), ("cost", "Costs")):
            sheet = self.original.sheet_totals(kind)
            rows.append((f"{name}: imported lines", list(forecast.imported_totals(kind)), sheet))
            rows.append((f"{name}: the sheet's rows", list(sheet), None))
        for check in self.original.checks:
            offset = self.original.offsets.get(check.sheet, 0)
            amounts: list[float | None] = [None] * self.original.months
            imported = [0.0] * self.original.months
            for m, (want, got) in enumerate(zip(check.sheet_amounts, check.imported)):
                if offset + m < len(amounts):
                    amounts[offset + m] = None if want is None else abs(want)
                    imported[offset + m] = abs(got)
            rows.append((f"Sheet row {check.row} '{check.label}'", amounts, imported))
        self.totals.clear()
        self.totals.setRowCount(len(rows))
        self.totals.setColumnCount(self.original.months)
        self.totals.setHorizontalHeaderLabels(self.original.month_labels)
        self.totals.setVerticalHeaderLabels([r[0] for r in rows])
        bold = QFont()
        bold.setBold(True)
        for r, (_, amounts, against) in enumerate(rows):
            for m, amount in enumerate(amounts):
                item = QTableWidgetItem("" if amount is None else money_exact(round(amount, 2)))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if amount is not None and against is not None and abs(amount - against[m]) >= HALF_PENNY:
                    item.setForeground(QBrush(RED))
                    item.setFont(bold)
                    item.setToolTip(f"Differs from the sheet by {money_exact(round(abs(amount - against[m]), 2))}")
                self.totals.setItem(r, m, item)
        self.totals.resizeColumnsToContents()

    def accept(self) -> None:
        try:
            chosen = self.chosen_forecast()
        except ValueError as error:
            self.problem.setText(str(error))
            return
        if self.import_button.isEnabled():
            # In place, so that whoever holds the forecast read (the window) gets the choices.
            self.forecast.__dict__.update(chosen.__dict__)
            super().accept()

    def chosen(self) -> ForecastImport | None:
        """The forecast with the preview's choices if the user pressed Import, else None."""
        return self.forecast if self.result() == QDialog.DialogCode.Accepted else None


def red_cells(table: QTableWidget) -> list[tuple[int, int]]:
    """(row, column) of the cells shown in red: for tests and screen readers' summaries."""
    cells = ((r, c, table.item(r, c)) for r in range(table.rowCount()) for c in range(table.columnCount()))
    return [(r, c) for r, c, item in cells if item is not None and item.foreground().color() == RED]


def preview_forecast(parent: QWidget | None, path: str | os.PathLike) -> ForecastImport | None:
    """Read ``path`` off the GUI thread, show the preview (modal) and return the forecast with
    the user's choices if they import it.

    A file that cannot be read gives a warning naming the sheet, row and column, and None.
    """
    try:
        forecast = read_in_background(parent, path)
    except ForecastError as error:
        QMessageBox.warning(parent, "Import cash-flow forecast",
                            f"The forecast cannot be imported: {error.message}.")
        return None
    except OSError as error:
        QMessageBox.warning(parent, "Import cash-flow forecast",
                            f"The file cannot be opened: {error.strerror or error}.")
        return None
    if forecast is None:
        return None
    dialog = ImportPreviewDialog(forecast, os.path.basename(os.fspath(path)), parent)
    dialog.exec()
    return dialog.chosen()
