"""The forecast import preview: the lines shown are the lines imported; Cancel imports nothing."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")
pytest.importorskip("openpyxl")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from charityrisk.gui.import_dialog import COLUMNS, ImportPreviewDialog, preview_forecast
from charityrisk.model.forecast import read_forecast
from test_forecast_import import april_forecast, calendar_forecast


def table_rows(dialog):
    t = dialog.table
    return [tuple(t.item(r, c).text() for c in range(t.columnCount())) for r in range(t.rowCount())]


@pytest.fixture
def dialog(qtbot, tmp_path):
    forecast = read_forecast(april_forecast(tmp_path))
    d = ImportPreviewDialog(forecast, "april.xlsx")
    qtbot.addWidget(d)
    d.show()
    return d


def test_shows_every_line_with_months_named(dialog):
    assert [dialog.table.horizontalHeaderItem(c).text() for c in range(len(COLUMNS))] == list(COLUMNS)
    rows = table_rows(dialog)
    assert rows == [
        ("Local authority grant", "Income", "£4,000", "April 2026", "September 2026", "monthly", "6"),
        ("Christmas appeal", "Income", "£6,000", "December 2026", "the end", "once a year", "7"),
        ("Trust grant (annual)", "Income", "£12,000", "April 2026", "the end", "once a year", "8"),
        ("Rent", "Cost", "£2,400", "June 2026", "the end", "quarterly", "11"),
        ("Staff", "Cost", "£5,000", "April 2026", "the end", "monthly", "12"),
    ]
    assert "£25,000" in dialog.summary.text() and "opening reserves" in dialog.summary.text()
    notes = [dialog.notes.item(i).text() for i in range(dialog.notes.count())]
    assert any("'Total receipts' skipped" in n for n in notes)


def test_one_offs_show_a_single_month(qtbot, tmp_path):
    d = ImportPreviewDialog(read_forecast(calendar_forecast(tmp_path)))
    qtbot.addWidget(d)
    donations = [r for r in table_rows(d) if r[0].startswith("Donations")]
    assert [(r[3], r[4], r[5]) for r in donations] == [
        ("January 2026", "January 2026", "once"), ("February 2026", "February 2026", "once"),
        ("May 2026", "May 2026", "once")]


def test_cancel_returns_nothing(qtbot, dialog):
    with qtbot.waitSignal(dialog.rejected):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.chosen() is None


def test_import_returns_the_parsed_forecast_unchanged(qtbot, dialog):
    before = [dict(line) for line in dialog.forecast.lines]
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    chosen = dialog.chosen()
    assert chosen is dialog.forecast and chosen.lines == before


def test_table_is_read_only(dialog):
    # the preview changes nothing: no cell can take an editor, whatever the user does
    table = dialog.table
    assert all(not table.item(r, c).flags() & Qt.ItemFlag.ItemIsEditable
               for r in range(table.rowCount()) for c in range(table.columnCount()))


def _press_when_shown(button_name):
    def press():
        d = QApplication.activeModalWidget()
        if isinstance(d, ImportPreviewDialog):
            getattr(d, button_name).click()
        else:
            QTimer.singleShot(20, press)
    QTimer.singleShot(0, press)


def test_preview_forecast_import_and_cancel(qtbot, tmp_path):
    path = april_forecast(tmp_path)
    _press_when_shown("import_button")
    chosen = preview_forecast(None, path)
    assert chosen is not None and chosen.opening_balance == 25000 and len(chosen.lines) == 5
    _press_when_shown("cancel_button")
    assert preview_forecast(None, path) is None


def test_preview_forecast_bad_cell_warns_with_the_place(qtbot, tmp_path, monkeypatch):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Cash flow"
    book.active.append(["", "Jan", "Feb", "Mar"])
    book.active.append(["Income"])
    book.active.append(["Grant", 100, "lots", 100])
    book.save(tmp_path / "bad.xlsx")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    assert preview_forecast(None, tmp_path / "bad.xlsx") is None
    assert len(warnings) == 1 and "sheet 'Cash flow', row 3, column C" in warnings[0]


def test_yearly_growth_is_shown_with_how_often(qtbot, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append([""] + [f"Month {m}" for m in range(1, 25)])
    book.active.append(["Expenditure"])
    book.active.append(["Salaries"] + [3000] * 12 + [3090] * 12)
    book.save(tmp_path / "growth.xlsx")
    d = ImportPreviewDialog(read_forecast(tmp_path / "growth.xlsx"))
    qtbot.addWidget(d)
    assert table_rows(d) == [("Salaries", "Cost", "£3,000", "Month 1", "the end", "monthly, +3.0% a year", "3")]
