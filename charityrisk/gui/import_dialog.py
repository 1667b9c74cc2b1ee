"""Preview of an imported cash-flow forecast: the lines it will become, and what was skipped.

The dialog changes nothing itself.  ``preview_forecast`` reads the file (a clear message if it
cannot), shows the preview and returns the ForecastImport when the user presses Import, so the
window decides what to do with it (``model.forecast.apply_forecast``).
"""
from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..model.forecast import ForecastError, ForecastImport, read_forecast

COLUMNS = ("Line", "Income or cost", "Amount", "From", "To", "How often", "From row")
KIND_NAMES = {"income": "Income", "cost": "Cost"}


def _pounds(amount: float) -> str:
    return f"£{amount:,.0f}" if float(amount).is_integer() else f"£{amount:,.2f}"


def _how_often(line: dict, how: str) -> str:
    if how in ("one-off", "average of a varying row"):
        return "once" if how == "one-off" else "monthly (average of a varying row)"
    every = line.get("every_months", 1)
    text = {1: "monthly", 3: "quarterly", 12: "once a year"}.get(every, f"every {every} months")
    growth = line.get("growth_per_year", 0)
    return f"{text}, {growth:+.1%} a year" if growth else text


def row_texts(forecast: ForecastImport) -> list[tuple[str, ...]]:
    """The preview table's text, one tuple per line, in COLUMNS order."""
    rows: list[tuple[str, ...]] = []
    for line, source in zip(forecast.lines, forecast.sources):
        end = line.get("end_month")
        rows.append((line["name"], KIND_NAMES[line["kind"]], _pounds(line["amount"]),
                     forecast.month_label(line["start_month"]),
                     "the end" if end is None else forecast.month_label(end),
                     _how_often(line, source.how), str(source.row)))
    return rows


class ImportPreviewDialog(QDialog):
    """Shows the lines and notes of a parsed forecast, with Import and Cancel."""

    def __init__(self, forecast: ForecastImport, source_name: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.forecast = forecast
        self.setWindowTitle("Import cash-flow forecast")
        layout = QVBoxLayout(self)
        name = f"{source_name}, " if source_name else ""
        incomes = sum(1 for line in forecast.lines if line["kind"] == "income")
        summary = (f"From {name}sheet '{forecast.sheet}': {forecast.months} months starting "
                   f"{forecast.month_label(1)}. {incomes} income and {len(forecast.lines) - incomes} "
                   "cost lines will replace the organisation's own income and costs; "
                   "contracts are kept.")
        if forecast.opening_balance is not None:
            summary += f" The opening balance, {_pounds(forecast.opening_balance)}, becomes the opening reserves."
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.table = QTableWidget(len(forecast.lines), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        for r, texts in enumerate(row_texts(forecast)):
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if COLUMNS[c] == "Amount":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnsToContents()
        self.table.setAccessibleName("Lines to import")
        layout.addWidget(self.table, 3)

        layout.addWidget(QLabel("Notes: what was skipped or read in a particular way"))
        self.notes = QListWidget()
        self.notes.addItems(forecast.notes or ["Nothing was skipped."])
        self.notes.setAccessibleName("Import notes")
        layout.addWidget(self.notes, 1)

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.setEnabled(bool(forecast.lines) or forecast.opening_balance is not None)
        self.import_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(820, 520)

    def chosen(self) -> ForecastImport | None:
        """The forecast if the user pressed Import, else None."""
        return self.forecast if self.result() == QDialog.DialogCode.Accepted else None


def preview_forecast(parent: QWidget | None, path: str | os.PathLike) -> ForecastImport | None:
    """Read ``path``, show the preview (modal) and return the forecast if the user imports it.

    A file that cannot be read gives a warning naming the sheet, row and column, and None.
    """
    try:
        forecast = read_forecast(path)
    except ForecastError as error:
        QMessageBox.warning(parent, "Import cash-flow forecast",
                            f"The forecast cannot be imported: {error.message}.")
        return None
    except OSError as error:
        QMessageBox.warning(parent, "Import cash-flow forecast",
                            f"The file cannot be opened: {error.strerror or error}.")
        return None
    dialog = ImportPreviewDialog(forecast, os.path.basename(os.fspath(path)), parent)
    dialog.exec()
    return dialog.chosen()
