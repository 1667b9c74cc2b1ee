"""The forecast import preview: the lines shown are the lines imported; Cancel imports nothing."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")
pytest.importorskip("openpyxl")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from charityrisk.gui.import_dialog import COLUMNS, RED, ImportPreviewDialog, preview_forecast, red_cells
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
    rows = [r[:7] for r in table_rows(dialog)]
    exact = "month by month, as the sheet"  # version 3: the sheet's year, repeating
    assert rows == [
        ("Local authority grant", "Income", "£4,000 in 6 of 12 months", "April 2026", "the end", exact, "6"),
        ("Christmas appeal", "Income", "£6,000 in 1 of 12 months", "April 2026", "the end", exact, "7"),
        ("Trust grant (annual)", "Income", "£12,000 in 1 of 12 months", "April 2026", "the end", exact, "8"),
        ("Rent", "Cost", "£2,400 in 4 of 12 months", "April 2026", "the end", exact, "11"),
        ("Staff", "Cost", "£5,000", "April 2026", "the end", "monthly", "12"),
    ]
    assert all(r[7:] == ("100%", "100%", "100%") for r in table_rows(dialog))
    assert "£25,000" in dialog.summary.text() and "opening reserves" in dialog.summary.text()
    notes = [dialog.notes.item(i).text() for i in range(dialog.notes.count())]
    assert any("'Total receipts' skipped" in n for n in notes)
    assert "contract being assessed" in dialog.help.text() and "restricted money" in dialog.help.text()
    assert dialog.after_end.text() == ("Every month up to March 2027, the sheet's last month, is imported "
                                       "exactly as the sheet has it. After it, each row repeats its last "
                                       "12 months: the sheet's last year again, year after year.")


def test_an_irregular_row_is_one_line_month_by_month(qtbot, tmp_path):
    d = ImportPreviewDialog(read_forecast(calendar_forecast(tmp_path)))
    qtbot.addWidget(d)
    donations = [r for r in table_rows(d) if r[0].startswith("Donations")]
    assert [r[2:6] for r in donations] == [
        ("£100 to £300 in 3 of 12 months", "January 2026", "the end", "month by month, as the sheet")]


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


def test_only_the_chance_low_and_high_can_be_edited(dialog):
    table = dialog.table
    editable = {COLUMNS[c] for r in range(table.rowCount()) for c in range(table.columnCount())
                if table.item(r, c).flags() & Qt.ItemFlag.ItemIsEditable}
    assert editable == {"Chance it happens", "Low", "High"}


def test_edits_leave_out_a_line_and_give_chance_and_range(qtbot, dialog):
    table = dialog.table
    table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)  # the contract being assessed
    table.item(2, COLUMNS.index("Chance it happens")).setText("60%")
    table.item(4, COLUMNS.index("Low")).setText("95")
    table.item(4, COLUMNS.index("High")).setText("120%")
    table.item(3, COLUMNS.index("Low")).setText("90%")  # the rent, kept month by month
    table.item(3, COLUMNS.index("High")).setText("110%")
    # a line left out: the imported income now differs from the sheet's, in red, month by month
    assert (0, 0) in red_cells(dialog.totals)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    lines = {line["name"]: line for line in dialog.chosen().lines}
    assert "Local authority grant" not in lines
    assert lines["Trust grant (annual)"]["probability"] == 0.6
    assert lines["Staff"]["amount"] == {"low": 4750, "likely": 5000, "high": 6000}
    # a line listing its months has no amount: how far it could be off is its scale (version 3)
    rent = lines["Rent"]
    assert rent["scale"] == {"low": 0.9, "likely": 1, "high": 1.1} and "amount" not in rent
    assert rent["monthly_amounts"] == [0, 0, 2400] * 4


def test_a_choice_that_is_not_a_percentage_stops_the_import(qtbot, dialog):
    dialog.table.item(1, COLUMNS.index("High")).setText("lots")
    assert not dialog.import_button.isEnabled() and "'lots' is not a percentage" in dialog.problem.text()
    dialog.table.item(1, COLUMNS.index("High")).setText("80%")
    assert not dialog.import_button.isEnabled() and "High" not in dialog.problem.text()
    dialog.table.item(1, COLUMNS.index("High")).setText("110%")
    assert dialog.import_button.isEnabled() and dialog.problem.text() == ""


def test_totals_by_month_beside_the_sheets(qtbot, dialog):
    totals = dialog.totals
    heads = [totals.verticalHeaderItem(r).text() for r in range(totals.rowCount())]
    assert heads[:4] == ["Income: imported lines", "Income: the sheet's rows", "Costs: imported lines",
                         "Costs: the sheet's rows"]
    assert "Sheet row 9 'Total receipts'" in heads
    assert totals.item(0, 0).text() == "£16,000" and totals.item(2, 0).text() == "£5,000"
    assert red_cells(totals) == []  # every line kept and exact: nothing differs


def test_two_opening_balances_must_be_chosen_between(qtbot):
    from charityrisk.model.forecast import read_grid

    grid = [["", "Pre-Start", "Month 1", "Month 2"], ["Cash at start", 0, 7500, 8000],
            ["Receipts"], ["Sales", None, 1500, 2000], ["Closing balance", 7000, 9000, 10000]]
    d = ImportPreviewDialog(read_grid("Cash flow", grid))
    qtbot.addWidget(d)
    assert not d.import_button.isEnabled() and "two different balances" in d.problem.text()
    items = [d.opening.itemText(i) for i in range(d.opening.count())]
    assert any("C2" in t for t in items) and any("B5" in t for t in items)
    d.opening.setCurrentIndex(2)
    assert d.import_button.isEnabled()
    with qtbot.waitSignal(d.accepted):
        qtbot.mouseClick(d.import_button, Qt.MouseButton.LeftButton)
    assert d.chosen().opening_balance == 7000


def test_an_overdrawn_opening_balance_reads_minus_before_the_pound(qtbot):
    """The one sign rule (report.formats) in the import's own words: "-£7,000", never "£-7,000"."""
    from charityrisk.model.forecast import read_grid

    grid = [["", "Pre-Start", "Month 1", "Month 2"], ["Cash at start", 0, -7500, -8000],
            ["Receipts"], ["Sales", None, 1500, 2000], ["Closing balance", -7000, -9000, -10000]]
    d = ImportPreviewDialog(read_grid("Cash flow", grid))
    qtbot.addWidget(d)
    items = [d.opening.itemText(i) for i in range(d.opening.count())]
    assert any(t.startswith("-£7,000 in sheet") and "B5" in t for t in items), items
    assert not any("£-" in t for t in items)


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


def test_a_row_that_steps_up_yearly_is_shown_as_the_sheet_has_it(qtbot, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append([""] + [f"Month {m}" for m in range(1, 25)])
    book.active.append(["Expenditure"])
    book.active.append(["Salaries"] + [3000] * 12 + [3090] * 12)
    book.save(tmp_path / "growth.xlsx")
    d = ImportPreviewDialog(read_forecast(tmp_path / "growth.xlsx"))
    qtbot.addWidget(d)
    exact = "month by month, as the sheet"  # the sheet's own step, not a fitted growth rate
    assert [r[:7] for r in table_rows(d)] == [
        ("Salaries", "Cost", "£3,000", "Month 1", "Month 12", exact, "3"),
        ("Salaries", "Cost", "£3,090", "Month 13", "the end", exact, "3")]
    assert red_cells(d.totals) == []


def test_the_read_runs_off_the_window_thread_and_cancel_stops_it(qtbot, tmp_path, monkeypatch):
    import threading

    from charityrisk.gui import import_dialog
    from charityrisk.model import forecast as fc

    path = april_forecast(tmp_path)
    started, threads, ticks = threading.Event(), [], []
    real = fc.read_forecast

    def slow(p, sheet=None, **kw):
        threads.append(threading.get_ident())
        started.set()
        for _ in range(500):  # at most 5 s, so that a failing test ends
            if kw["cancelled"]():
                raise fc.ImportCancelled()
            kw["progress"](0.5)
            threading.Event().wait(0.01)
        return "not cancelled"

    monkeypatch.setattr(fc, "read_forecast", slow)
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))  # the window's own loop keeps turning
    timer.start(10)

    def cancel_when_shown():
        progress = next((w for w in QApplication.topLevelWidgets() if w.objectName() == "import_progress"), None)
        if started.is_set() and progress is not None and progress.value() == 50 and len(ticks) >= 5:
            from PySide6.QtWidgets import QPushButton

            (button,) = progress.findChildren(QPushButton)
            assert button.text() == "Cancel"
            button.click()  # as the user would
        else:
            QTimer.singleShot(20, cancel_when_shown)

    second = []
    QTimer.singleShot(0, lambda: second.append(import_dialog.read_in_background(None, path)))
    QTimer.singleShot(0, cancel_when_shown)
    assert import_dialog.read_in_background(None, path) is None
    assert second == [None] and len(threads) == 1  # a second import meanwhile reads nothing
    timer.stop()
    assert threads and threads[0] != threading.get_ident() and len(ticks) >= 5
    monkeypatch.setattr(fc, "read_forecast", real)
    assert len(import_dialog.read_in_background(None, path).lines) == 5


def test_a_read_error_reaches_the_caller(qtbot, tmp_path):
    from charityrisk.gui.import_dialog import read_in_background
    from charityrisk.model.forecast import ForecastError

    path = tmp_path / "x.csv"
    path.write_text("Item,Amount\nGrant,1\n")
    with pytest.raises(ForecastError):
        read_in_background(None, path)


def test_the_window_imports_what_the_preview_chose(qtbot, window, prompts, tmp_path):
    path = april_forecast(tmp_path)
    prompts.script("ask_open_path", path)
    prompts.script("ask_yes_no", True, True, True)  # replace the lines there are; take the balance
    action = next(a for a in window.findChildren(type(window.menuBar().actions()[0]))
                  if a.objectName() == "import_forecast")
    action.trigger()
    dialog = window.import_dialog
    dialog.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    dialog.table.item(2, COLUMNS.index("Chance it happens")).setText("60%")
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    budget = {b.name: b for b in window.scenario.organisation.budget}
    assert "Local authority grant" not in budget
    assert budget["Trust grant (annual)"].probability == 0.6
    assert budget["Rent"].monthly_amounts == (0, 0, 2400) * 4
    assert window.scenario.first_month == "2026-04"
    assert window.scenario.organisation.opening_reserves == 25_000


def test_a_varying_row_matches_the_sheet_and_a_total_that_differs_shows_in_red(qtbot):
    from charityrisk.model.forecast import read_grid

    grid = [["Cash in", "Apr 2026", "May 2026", "Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026"],
            ["Grant", 4000, 4000, 4000, 4000, 4000, 4000, 4000],
            ["Shop takings", 120, 340, 90, 410, 230, 150, 600],
            ["Total cash in", 4120, 4340, 4090, 4410, 4230, 4150, 4000]]
    d = ImportPreviewDialog(read_grid("Cash flow", grid))
    qtbot.addWidget(d)
    red = red_cells(d.totals)
    assert not [(r, c) for r, c in red if r < 4]  # the takings kept month by month: no difference
    assert "the sheet's 7 months as they are" in d.after_end.text()
    heads = [d.totals.verticalHeaderItem(r).text() for r in range(d.totals.rowCount())]
    total_row = heads.index("Sheet row 4 'Total cash in'")
    assert [(r, c) for r, c in red if r == total_row] == [(total_row, 6)]  # October's total alone
    notes = [d.notes.item(i) for i in range(d.notes.count())]
    assert [n.text()[:29] for n in notes if n.foreground().color() == RED] == ["Check: row 4 'Total cash in' "]


def test_a_version_3_line_listing_its_months_can_be_shown(qtbot):
    from charityrisk.gui.import_dialog import row_texts
    from charityrisk.model import forecast as fc

    f = fc.read_grid("S", [["", "Jan", "Feb", "Mar"], ["Income"], ["Shop", 80, 600, 80]])
    row = f.rows[0]
    f.lines = fc.monthly_amounts_lines(row)  # as line_from_row will make them under version 3
    f.sources = [fc.LineSource(row.row, row.label, "month by month, as the sheet")]
    assert row_texts(f)[0][:3] == ("Shop", "Income", "£80 to £600 by month")
    assert row_texts(f)[0][5] == "month by month, as the sheet"
    assert f.imported_totals("income") == [80, 600, 80]
    d = ImportPreviewDialog(f)
    qtbot.addWidget(d)
    assert red_cells(d.totals) == []
