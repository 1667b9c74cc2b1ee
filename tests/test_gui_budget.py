"""The budget lines table and the forecast import, used as a finance lead would: clicking,
typing, the keyboard, undo, and File > Import cash-flow forecast with its preview."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from charityrisk.gui.budget_table import AMOUNT_KEYS, KEYS, parse_cell, show_value
from charityrisk.gui.window import MainWindow
from charityrisk.model import Uncertain, load_scenario
from charityrisk.model.scenario import BudgetLine

WAIT = 30_000


@pytest.fixture
def start(example):
    """The example without budget lines, so every line in a test is the test's own (and few
    futures: these tests are about the table, not the figures)."""
    return replace(example, organisation=replace(example.organisation, budget=()),
                   settings=replace(example.settings, paths=300))


@pytest.fixture
def window(qtbot, start, tmp_path, prompts):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, prompts=prompts)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.results_shown, timeout=WAIT):
        w.load(start, None)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.runner.shutdown()


def table(window):
    return window.form.budget


def type_cell(qtbot, window, row: int, key: str, text: str) -> None:
    """Like a user: move to the cell, Enter to edit, select what is there, type, Enter."""
    grid = table(window).grid
    grid.setFocus(Qt.FocusReason.MouseFocusReason)
    grid.setCurrentCell(row, KEYS.index(key))
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    editor = QApplication.focusWidget()
    assert editor is not grid and editor is not None, "Enter opened no editor"
    line_edit = editor.lineEdit() if hasattr(editor, "lineEdit") and editor.lineEdit() else editor
    if hasattr(line_edit, "selectAll"):
        line_edit.selectAll()
    qtbot.keyClicks(line_edit, text)
    press_enter(qtbot, grid, line_edit)


def press_enter(qtbot, grid, editor) -> None:
    """Enter in an editor: Qt commits the value a moment later (a queued call), as for a user."""
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: grid.state() != grid.State.EditingState, timeout=2000)


def settle(window):
    window.settle_now()


def names(window):
    return [b.name for b in window.scenario.organisation.budget]


# ----- cells ------------------------------------------------------------------------------------

@pytest.mark.parametrize("key, text, value", [
    ("amount.likely", "65k", 65_000), ("amount.likely", "£65,000", 65_000),
    ("amount.low", "1.2m", 1_200_000), ("start_month", "month 3", 3), ("end_month", "", None),
    ("end_month", "end", None), ("end_month", "12", 12), ("every_months", "quarterly", 3),
    ("every_months", "yearly", 12), ("every_months", "every 2 months", 2), ("every_months", "6", 6),
    ("growth_per_year", "3%", 0.03), ("probability", "60", 0.6), ("kind", "Income", "income"),
])
def test_cells_read_what_people_type_and_show_it_back(key, text, value):
    assert parse_cell(key, text) == value
    assert parse_cell(key, show_value(key, value)) == value


# ----- the table in the window ---------------------------------------------------------------------

def test_add_a_line_type_its_values_and_save_it(qtbot, window, tmp_path, prompts):
    qtbot.mouseClick(table(window).add_button, Qt.MouseButton.LeftButton)
    QApplication.focusWidget().selectAll()  # the new line's name is ready to type over
    qtbot.keyClicks(QApplication.focusWidget(), "Christmas appeal")
    press_enter(qtbot, table(window).grid, QApplication.focusWidget())
    type_cell(qtbot, window, 0, "kind", "I")
    for key, text in [("amount.low", "4k"), ("amount.likely", "£6,000"), ("amount.high", "9,500"),
                      ("start_month", "9"), ("end_month", "33"), ("every_months", "yearly"),
                      ("growth_per_year", "2.5%"), ("probability", "80")]:
        type_cell(qtbot, window, 0, key, text)
    assert table(window).cell_text(0, "amount.likely") == "£6,000"
    assert table(window).cell_text(0, "every_months") == "yearly"
    settle(window)
    assert window.scenario.organisation.budget == (BudgetLine(
        name="Christmas appeal", kind="income", amount=Uncertain(4000, 6000, 9500), start_month=9,
        end_month=33, every_months=12, growth_per_year=0.025, probability=0.8),)
    assert "months of reserves" in window.form.budget_hint.text() or "more than it spends" in \
        window.form.budget_hint.text()

    prompts.script("ask_save_path", tmp_path / "with-budget.json")
    assert window.save_as()
    saved = json.loads((tmp_path / "with-budget.json").read_text())
    assert saved["organisation"]["budget"] == [{
        "name": "Christmas appeal", "kind": "income", "amount": {"low": 4000.0, "likely": 6000.0, "high": 9500.0},
        "start_month": 9, "end_month": 33, "every_months": 12, "growth_per_year": 0.025, "probability": 0.8}]
    assert load_scenario(tmp_path / "with-budget.json") == window.scenario


def lines_of(*names_):
    return tuple(BudgetLine(name=n, kind="cost", amount=Uncertain.fixed(100.0 * (i + 1)))
                 for i, n in enumerate(names_))


@pytest.fixture
def three(qtbot, window, start):
    s = replace(start, organisation=replace(start.organisation, budget=lines_of("Rent", "Staff", "Audit")))
    with qtbot.waitSignal(window.results_shown, timeout=WAIT):
        window.load(s, None)
    return window


def test_duplicate_remove_and_reorder_with_buttons_and_keys(qtbot, three):
    window, grid = three, table(three).grid
    grid.setFocus()
    grid.setCurrentCell(1, 0)
    qtbot.mouseClick(table(window).duplicate_button, Qt.MouseButton.LeftButton)
    settle(window)
    assert names(window) == ["Rent", "Staff", "Staff (copy)", "Audit"]
    assert grid.currentRow() == 2

    qtbot.keyClick(grid, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # move it up
    settle(window)
    assert names(window) == ["Rent", "Staff (copy)", "Staff", "Audit"]
    qtbot.mouseClick(table(window).down_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(table(window).down_button, Qt.MouseButton.LeftButton)
    settle(window)
    assert names(window) == ["Rent", "Staff", "Audit", "Staff (copy)"]
    assert not table(window).down_button.isEnabled()  # already the last line

    grid.setFocus()
    grid.setCurrentCell(0, 3)
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    settle(window)
    assert names(window) == ["Staff", "Audit", "Staff (copy)"]
    qtbot.mouseClick(table(window).remove_button, Qt.MouseButton.LeftButton)
    settle(window)
    assert names(window) == ["Audit", "Staff (copy)"]
    qtbot.keyClick(grid, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(grid, Qt.Key.Key_Insert)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # leave the new name as it is
    settle(window)
    assert names(window) == ["Audit", "Audit (copy)", "Staff (copy)", "New line"]


def test_tab_and_arrows_move_between_cells(qtbot, three):
    grid = table(three).grid
    grid.setFocus()
    grid.setCurrentCell(0, 0)
    qtbot.keyClick(grid, Qt.Key.Key_Tab)
    assert (grid.currentRow(), grid.currentColumn()) == (0, 1)
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert (grid.currentRow(), grid.currentColumn()) == (1, 1)
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    assert (grid.currentRow(), grid.currentColumn()) == (1, 2)
    grid.setCurrentCell(2, len(KEYS) - 1)
    qtbot.keyClick(grid, Qt.Key.Key_Tab)  # after the last cell, Tab leaves the table
    assert QApplication.focusWidget() is table(three).add_button


def typed_into_cell(qtbot, grid, text: str) -> None:
    """Type over the current cell as a user does: keys on the cell open its editor, Enter ends."""
    qtbot.keyClicks(grid, text[0])  # the first key opens the editor, with that key in it
    editor = QApplication.focusWidget()
    assert editor is not grid and editor is not None, "typing opened no editor"
    if len(text) > 1:
        qtbot.keyClicks(editor, text[1:])
    press_enter(qtbot, grid, editor)


def test_a_new_line_typed_across_with_enter(qtbot, three):
    """Insert, the name, then Enter moves along the new line (kind, most likely, months, how
    often, growth, chance) whichever column was chosen before."""
    window, t = three, table(three)
    grid = t.grid
    grid.setFocus()
    grid.setCurrentCell(1, KEYS.index("probability"))  # a column far from the name
    qtbot.keyClick(grid, Qt.Key.Key_Insert)
    editor = QApplication.focusWidget()
    assert (grid.currentRow(), grid.currentColumn()) == (3, 0) and editor is not grid
    editor.selectAll()
    qtbot.keyClicks(editor, "Christmas appeal")
    press_enter(qtbot, grid, editor)
    assert (grid.currentRow(), grid.currentColumn()) == (3, KEYS.index("kind"))
    for text, next_key in [("I", "amount.likely"), ("2,500", "start_month"), ("11", "end_month"),
                           ("end", "every_months"), ("yearly", "growth_per_year"),
                           ("0", "probability")]:
        typed_into_cell(qtbot, grid, text)
        assert (grid.currentRow(), KEYS[grid.currentColumn()]) == (3, next_key), text
    typed_into_cell(qtbot, grid, "90")
    assert (grid.currentRow(), grid.currentColumn()) == (3, KEYS.index("probability"))  # the last cell
    settle(window)
    assert t.problem_cells() == []  # "yearly" typed over "monthly" replaced it
    assert window.scenario.organisation.budget[3] == BudgetLine(
        name="Christmas appeal", kind="income", amount=Uncertain.fixed(2500), start_month=11,
        end_month=None, every_months=12, growth_per_year=0.0, probability=0.9)

    grid.setCurrentCell(0, KEYS.index("amount.low"))  # an old line: Enter stays on its cell
    typed_into_cell(qtbot, grid, "50")
    assert (grid.currentRow(), grid.currentColumn()) == (0, KEYS.index("amount.low"))


def test_tab_goes_along_the_row_and_ctrl_tab_leaves_the_table(qtbot, three):
    t = table(three)
    grid = t.grid
    grid.setFocus()
    grid.setCurrentCell(0, 0)
    for col in range(1, len(KEYS)):  # along the row, as in a spreadsheet
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert (grid.currentRow(), grid.currentColumn()) == (0, col)
    qtbot.keyClick(grid, Qt.Key.Key_Tab)  # then the next row's first cell
    assert (grid.currentRow(), grid.currentColumn()) == (1, 0)
    qtbot.keyClick(grid, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)  # out, from any cell
    assert QApplication.focusWidget() is t.add_button
    assert "Ctrl+Tab" in t.problems_label.text() and "Ctrl+Tab" in grid.toolTip()  # and the hint says so

    grid.setFocus()
    grid.setCurrentCell(1, 3)
    qtbot.keyClick(grid, Qt.Key.Key_Backtab,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is not grid and not t.isAncestorOf(QApplication.focusWidget())

    grid.setFocus()
    grid.setCurrentCell(1, KEYS.index("amount.high"))
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "900")
    qtbot.keyClick(editor, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)  # out of an editor too
    qtbot.waitUntil(lambda: grid.state() != grid.State.EditingState, timeout=2000)
    assert QApplication.focusWidget() is t.add_button
    settle(three)
    assert three.scenario.organisation.budget[1].amount.high == 900  # what was typed is kept


def place(widget, window):
    return widget.mapTo(window, widget.rect().topLeft())


def test_messages_never_move_the_form(qtbot, three):
    """A problem marked in the table or counted in the form's banner moves nothing: the next
    click lands where the user aimed."""
    window, t = three, table(three)
    below = [t.add_button, window.form.budget_hint, t.grid]
    before = [place(w, window) for w in below]
    note_height = t.problems_label.height()
    type_cell(qtbot, window, 0, "amount.likely", "65kk")
    type_cell(qtbot, window, 1, "start_month", "9")
    type_cell(qtbot, window, 1, "end_month", "3")
    type_cell(qtbot, window, 2, "probability", "150")
    settle(window)
    qtbot.waitUntil(lambda: window.form.summary.isVisible())
    assert "3 values need fixing" in window.form.summary.text()
    text = t.problems_label.text()
    assert "Line 1 “Rent”, Most likely" in text or "3 values need fixing" in text
    assert "2 more" in text or "3 values need fixing" in text
    assert [place(w, window) for w in below] == before
    assert t.problems_label.height() == note_height
    label = t.problems_label  # whatever is shown fits the room kept for it
    assert label.heightForWidth(label.width()) <= label.height()

    t.resize(320, t.height())  # narrow: the note counts the problems rather than spill over
    qtbot.waitUntil(lambda: label.width() <= 320)
    assert label.heightForWidth(label.width()) <= label.height()
    assert "3 values need fixing" in label.text() or "Line 1" in label.text()


def test_every_cell_and_heading_readable_whole(qtbot, three):
    """No cell or heading is cut short ("ever…nths"): a column widens to what is typed."""
    window, t = three, table(three)
    type_cell(qtbot, window, 0, "every_months", "every 2 months")
    type_cell(qtbot, window, 1, "amount.likely", "£1,234,567")
    type_cell(qtbot, window, 2, "amount.low", "lots and lots")  # marked: its icon needs room too
    settle(window)
    assert t.cell_text(0, "every_months") == "every 2 months"
    grid, header = t.grid, t.grid.horizontalHeader()
    for col in range(len(KEYS)):
        assert grid.columnWidth(col) >= header.sectionSizeHint(col), KEYS[col]
        for row in range(grid.rowCount()):
            assert grid.columnWidth(col) >= t.text_room(row, col), (row, KEYS[col], t.cell_text(row, KEYS[col]))


def test_an_end_month_before_the_start_is_marked_on_its_cell_and_kept(qtbot, three):
    window = three
    type_cell(qtbot, window, 1, "start_month", "6")
    type_cell(qtbot, window, 1, "end_month", "3")
    settle(window)
    assert window.state.invalid
    t = table(window)
    assert t.problem_cells() == [(1, "end_month")]
    reason = t.cell_reason(1, "end_month")
    assert "Must not be before 6 (First month)" in reason and "now 3" in reason
    assert t.cell_text(1, "end_month") == "3"  # what was typed stays
    item = t.grid.item(1, KEYS.index("end_month"))
    assert reason in item.toolTip() and not item.icon().isNull()
    assert "Line 2 “Staff”, Last month" in t.problems_label.text() and t.problems_label.isVisible()
    assert "1 value needs fixing" in window.form.summary.text()

    type_cell(qtbot, window, 1, "end_month", "4")  # a new reason replaces the old one
    settle(window)
    item = t.grid.item(1, KEYS.index("end_month"))
    assert "now 4" in item.toolTip() and "now 3" not in item.toolTip() and not item.icon().isNull()

    type_cell(qtbot, window, 1, "end_month", "18")
    settle(window)
    assert not window.state.invalid and t.problem_cells() == []
    item = t.grid.item(1, KEYS.index("end_month"))
    assert "Must not be" not in item.toolTip() and item.icon().isNull()  # the mark goes too
    assert window.scenario.organisation.budget[1].end_month == 18


def test_text_that_is_not_an_amount_is_kept_marked_with_the_reason(qtbot, three):
    window, t = three, table(three)
    before = window.scenario
    type_cell(qtbot, window, 0, "amount.likely", "65kk")
    settle(window)
    assert t.cell_text(0, "amount.likely") == "65kk"
    assert t.problem_cells() == [(0, "amount.likely")]
    assert "one k (thousand)" in t.cell_reason(0, "amount.likely")
    assert window.scenario == before  # nothing simulated from a value that cannot be read
    assert window.form.to_dict()["organisation"]["budget"][0]["amount"]["likely"] == "65kk"


def test_one_amount_typed_as_most_likely_fills_low_and_high_until_they_differ(qtbot, three):
    window = three
    type_cell(qtbot, window, 0, "amount.likely", "1,250")  # Rent: one figure, typed once
    settle(window)
    assert window.scenario.organisation.budget[0].amount == Uncertain.fixed(1250)
    assert [table(window).cell_text(0, k) for k in AMOUNT_KEYS] == ["£1,250"] * 3
    type_cell(qtbot, window, 0, "amount.low", "1,100")  # now a range: each cell its own
    type_cell(qtbot, window, 0, "amount.likely", "1,200")
    settle(window)
    assert window.scenario.organisation.budget[0].amount == Uncertain(1100, 1200, 1250)


def test_one_table_edit_is_one_undo_step(qtbot, three):
    window = three
    type_cell(qtbot, window, 2, "amount.high", "2,500")
    settle(window)
    assert window.scenario.organisation.budget[2].amount == Uncertain(300, 300, 2500)
    window.undo_stack.undo()
    assert window.scenario.organisation.budget[2].amount == Uncertain.fixed(300)
    assert table(window).cell_text(2, "amount.high") == "£300"
    window.undo_stack.redo()
    assert window.scenario.organisation.budget[2].amount == Uncertain(300, 300, 2500)
    assert table(window).cell_text(2, "amount.high") == "£2,500"

    qtbot.mouseClick(table(window).add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    settle(window)
    assert len(window.scenario.organisation.budget) == 4
    window.undo_stack.undo()
    assert names(window) == ["Rent", "Staff", "Audit"]
    assert table(window).grid.rowCount() == 3


# ----- File > Import cash-flow forecast --------------------------------------------------------

CSV = ("Cash-flow forecast,,,,,,\n"
       ",Apr-26,May-26,Jun-26,Jul-26,Aug-26,Sep-26\n"
       "Opening balance,\"£25,000\",,,,,\n"
       "Income,,,,,,\n"
       "Local authority grant,\"£4,000\",\"£4,000\",\"£4,000\",\"£4,000\",\"£4,000\",\"£4,000\"\n"
       "Expenditure,,,,,,\n"
       "Staff,\"£5,000\",\"£5,000\",\"£5,000\",\"£5,000\",\"£5,000\",\"£5,000\"\n"
       "Rent,\"£2,400\",,,\"£2,400\",,\n")


def import_menu(window):
    return next(a for a in window.findChildren(type(window.menuBar().actions()[0]))
                if a.objectName() == "import_forecast")


def test_import_a_csv_forecast_through_the_menu_and_undo_it(qtbot, three, tmp_path, prompts):
    window = three
    path = tmp_path / "forecast.csv"
    path.write_text(CSV, encoding="utf-8")
    written = path.read_bytes()
    before = window.scenario
    prompts.script("ask_open_path", path)
    prompts.script("ask_yes_no", False, True)  # add to the lines there are; take the balance
    import_menu(window).trigger()
    dialog = window.import_dialog
    assert dialog.isVisible()
    shown = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert shown == ["Local authority grant", "Staff", "Rent"]
    assert "forecast.csv" in dialog.summary.text()
    with qtbot.waitSignal(window.results_shown, timeout=WAIT):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "Replace them" in prompts.questions("ask_yes_no")[0]
    assert "£25,000" in prompts.questions("ask_yes_no")[1]
    assert names(window) == ["Rent", "Staff", "Audit", "Local authority grant", "Staff", "Rent"]
    assert window.scenario.organisation.opening_reserves == 25_000
    assert window.scenario.organisation.monthly_core_costs == before.organisation.monthly_core_costs
    assert table(window).grid.rowCount() == 6
    assert path.read_bytes() == written  # the user's file is only read

    window.undo_stack.undo()  # one step takes every line (and the balance) away
    assert window.scenario == before
    assert table(window).grid.rowCount() == 3


def test_replacing_the_budget_and_keeping_the_reserves(qtbot, three, tmp_path, prompts):
    window = three
    path = tmp_path / "forecast.csv"
    path.write_text(CSV, encoding="utf-8")
    prompts.script("ask_open_path", path)
    prompts.script("ask_yes_no", True, False)
    reserves = window.scenario.organisation.opening_reserves
    import_menu(window).trigger()
    with qtbot.waitSignal(window.results_shown, timeout=WAIT):
        qtbot.mouseClick(window.import_dialog.import_button, Qt.MouseButton.LeftButton)
    assert names(window) == ["Local authority grant", "Staff", "Rent"]
    assert window.scenario.organisation.opening_reserves == reserves
    assert window.scenario.organisation.monthly_core_costs == 0


def test_cancel_in_the_preview_changes_nothing(qtbot, three, tmp_path, prompts):
    window = three
    path = tmp_path / "forecast.csv"
    path.write_text(CSV, encoding="utf-8")
    before, depth = window.scenario, window.undo_stack.count()
    prompts.script("ask_open_path", path)
    import_menu(window).trigger()
    qtbot.mouseClick(window.import_dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert window.scenario == before and window.undo_stack.count() == depth
    assert prompts.questions("ask_yes_no") == []


def test_a_forecast_that_cannot_be_read_names_the_sheet_row_and_column(qtbot, three, tmp_path, prompts):
    path = tmp_path / "broken.csv"
    path.write_text(CSV.replace('"£2,400",,,', '"£2,400",lots,,'), encoding="utf-8")
    before = three.scenario
    prompts.script("ask_open_path", path)
    import_menu(three).trigger()
    [message] = prompts.messages("show_error")
    assert "broken.csv" in message and "row 8" in message and "column" in message
    assert three.scenario == before


def test_a_file_with_a_budget_line_to_correct_opens_with_the_cell_marked(qtbot, window, start, tmp_path,
                                                                          prompts):
    from charityrisk.model import scenario_to_dict

    data = scenario_to_dict(replace(start, organisation=replace(start.organisation,
                                                                budget=lines_of("Rent", "Staff"))))
    data["organisation"]["budget"][1].update(start_month=9, end_month=4)
    path = tmp_path / "to-fix.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    prompts.script("ask_yes_no", True)  # open it to correct
    assert window.open_path(path)
    t = table(window)
    assert t.problem_cells() == [(1, "end_month")]
    assert t.cell_text(1, "end_month") == "4" and "Must not be before 9" in t.cell_reason(1, "end_month")
    type_cell(qtbot, window, 1, "end_month", "end")
    settle(window)
    assert not window.state.invalid
    assert window.scenario.organisation.budget[1].end_month is None


def test_months_of_reserves_hint_uses_the_budget_and_follows_typing(qtbot, window, start):
    org = replace(start.organisation, opening_reserves=9000, monthly_other_income=Uncertain(900, 1000, 1100),
                  monthly_core_costs=1500, budget=lines_of("Rent", "Staff"))  # 100 + 200 a month
    with qtbot.waitSignal(window.results_shown, timeout=WAIT):
        window.load(replace(start, organisation=org), None)
    form = window.form
    # out 1,500 + 300, in 1,000: 800 a month more out than in; 9,000 / 800 = 11.25 months
    assert form.budget_hint.text() == ("About 11.2 months of reserves at your budgeted spending "
                                       "(£800 a month more out than in, over the first 12 months).")
    assert form.reserves_hint.text() == "≈ 11.2 months at your budget"
    type_cell(qtbot, window, 1, "kind", "I")  # staff becomes income: 400 a month out
    assert form.budget_hint.text().startswith("About 22.5 months of reserves")
    type_cell(qtbot, window, 0, "amount.high", "50")  # below the most likely: the hint waits
    assert form.budget_hint.text().startswith("About 22.5 months of reserves")


def test_import_waits_until_the_marked_values_are_fixed(qtbot, three, prompts):
    type_cell(qtbot, three, 0, "end_month", "0")  # before month 1: marked, not yet settled
    import_menu(three).trigger()  # asks for no file (an unscripted file dialog fails the test)
    assert prompts.messages("show_info") == ["Please fix the values marked in red before importing a forecast."]
    assert table(three).cell_text(0, "end_month") == "0"


# ----- a line with a monthly pattern (version 3) ------------------------------------------------

def test_a_pattern_pasted_from_a_spreadsheet_with_its_scale(qtbot, three):
    from PySide6.QtGui import QGuiApplication, QKeySequence

    window, t = three, table(three)
    grid = t.grid
    grid.setFocus()
    grid.setCurrentCell(1, KEYS.index("monthly_amounts"))
    assert t.cell_text(1, "monthly_amounts") == "same"
    qtbot.keyClick(grid, Qt.Key.Key_Return)  # Enter on the cell opens the months
    dialog = t.pattern_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.amounts() == [200.0] * 12  # starts from the line's most likely amount
    dialog.grid.setFocus()
    dialog.grid.setCurrentCell(0, 0)
    QGuiApplication.clipboard().setText("100\t100\t100\t100\t100\t100\t100\t100\t150\t200\t400\t1,200")
    qtbot.keySequence(dialog.grid, QKeySequence.StandardKey.Paste)
    for part, text in (("low", "80"), ("likely", "100"), ("high", "110")):
        dialog.scale[part].selectAll()
        qtbot.keyClicks(dialog.scale[part], text)
    dialog.accept()
    settle(window)
    line = window.scenario.organisation.budget[1]
    assert line.monthly_amounts == (100,) * 8 + (150, 200, 400, 1200)
    assert line.scale == Uncertain(0.8, 1.0, 1.1)
    assert t.cell_text(1, "monthly_amounts") == "pattern (12 months)"
    assert t.cell_text(1, "amount.low") == "× 80%"
    assert "scale of the whole pattern" in t.grid.item(1, KEYS.index("amount.low")).toolTip()

    type_cell(qtbot, window, 1, "amount.low", "90")  # the amount cells hold the scale now
    settle(window)
    assert window.scenario.organisation.budget[1].scale == Uncertain(0.9, 1.0, 1.1)
    assert t.cell_text(1, "amount.low") == "× 90%"
    window.undo_stack.undo()
    assert window.scenario.organisation.budget[1].scale == Uncertain(0.8, 1.0, 1.1)
    window.undo_stack.undo()  # the whole pattern was one edit
    assert window.scenario.organisation.budget[1].monthly_amounts is None


def test_a_month_that_is_not_an_amount_is_marked_on_the_pattern(qtbot, three):
    window, t = three, table(three)
    t.edit_pattern(0)
    dialog = t.pattern_dialog
    dialog.grid.item(0, 3).setText("lots")
    dialog.accept()
    settle(window)
    assert window.state.invalid
    assert t.problem_cells() == [(0, "monthly_amounts")]
    assert "Line 1 “Rent”, Each time" in t.problems_label.text()
    t.edit_pattern(0)  # what was typed is still there to correct
    assert t.pattern_dialog.amounts()[3] == "lots"
    t.pattern_dialog.grid.item(0, 3).setText("£120")
    t.pattern_dialog.accept()
    settle(window)
    assert not window.state.invalid
    assert window.scenario.organisation.budget[0].monthly_amounts[3] == 120
