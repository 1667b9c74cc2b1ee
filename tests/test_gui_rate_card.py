"""Version 3 in the form, used as a finance lead would: turning a contract into a rate card
(a fee that falls by contract year, stages added, typed, reordered, removed and undone), the
pooled target beside the threshold, interest on the overdraft and the first month."""
from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from charityrisk.gui.fields import read_fees, read_first_month
from charityrisk.gui.stages_table import KEYS, parse_cell, show_value
from charityrisk.gui.window import MainWindow
from charityrisk.model import Uncertain

WAIT = 30_000


@pytest.fixture
def window(qtbot, example, tmp_path, prompts):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, prompts=prompts)
    qtbot.addWidget(w)
    start = replace(example, organisation=replace(example.organisation, budget=()),
                    settings=replace(example.settings, paths=300))
    with qtbot.waitSignal(w.results_shown, timeout=WAIT):
        w.load(start, None)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.runner.shutdown()


def choose_mode(qtbot, window, words: str) -> None:
    combo = window.form.field("contract.payment_mode").combo
    combo.setFocus()
    index = combo.findText(words, Qt.MatchFlag.MatchStartsWith)
    assert index >= 0, words
    while combo.currentIndex() != index:  # like a user: the arrow keys through the choices
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up)


def type_stage_cell(qtbot, window, row: int, key: str, text: str) -> None:
    grid = window.form.stages.grid
    grid.setFocus(Qt.FocusReason.MouseFocusReason)
    grid.setCurrentCell(row, KEYS.index(key))
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    editor = QApplication.focusWidget()
    assert editor is not grid and editor is not None, "Enter opened no editor"
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: grid.state() != grid.State.EditingState, timeout=2000)


def type_line(qtbot, edit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    if text:
        qtbot.keyClicks(edit, text)
    else:
        qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)


def stage_names(window):
    return [s.name for s in window.scenario.contracts[0].outcome_payments]


def shown(window, key: str) -> bool:
    return window.form.field(key).container.isVisible()


@pytest.mark.parametrize("key, text, value", [
    ("price", "£1,200", 1200), ("price", "1.2k", 1200), ("rate.likely", "40", 0.4), ("rate.low", "35%", 0.35),
    ("lag_months", "6", 6), ("payments", "12", 12)])
def test_stage_cells_read_what_people_type(key, text, value):
    assert parse_cell(key, text) == value
    assert parse_cell(key, show_value(key, value)) == value


def test_fees_and_months_read_as_people_write_them():
    assert read_fees("400, 300, 200, 0") == [400, 300, 200, 0]
    assert read_fees("£1,000") == 1000
    assert read_fees("400, lots") == [400, "lots"]  # kept, for validation to name year 2
    assert read_first_month("Apr 2027") == read_first_month("april 2027") == "2027-04"
    assert read_first_month("13 2027") is None


def test_a_rate_card_made_typed_reordered_and_undone(qtbot, window):
    form = window.form
    assert shown(window, "contract.price_per_referral") and not shown(window, "contract.fee_per_referral")
    assert not form.stages.isVisible()
    choose_mode(qtbot, window, "A rate card")
    # A rate card's own terms replace the share of a price; one stage is made from the old terms.
    assert not shown(window, "contract.price_per_referral") and not shown(window, "contract.share_at_risk")
    assert not shown(window, "contract.success_rate") and not shown(window, "contract.cohort_months")
    assert shown(window, "contract.fee_per_referral") and form.stages.isVisible()
    window.settle_now()
    c = window.scenario.contracts[0]
    assert c.payment_mode == "rate_card" and len(c.outcome_payments) == 1

    type_line(qtbot, form.field("contract.fee_per_referral").edit, "400, 300, 200, 0")
    assert "year 2: £300" in form.field("contract.fee_per_referral").hint.text()
    qtbot.mouseClick(form.stages.add_button, Qt.MouseButton.LeftButton)
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "Sustained job")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    for key, text in [("price", "£100"), ("rate.low", "50"), ("rate.likely", "60"), ("rate.high", "70"),
                      ("lag_months", "7"), ("payments", "12")]:
        type_stage_cell(qtbot, window, 1, key, text)
    type_stage_cell(qtbot, window, 0, "name", "Job start")
    type_stage_cell(qtbot, window, 0, "price", "1k")
    type_stage_cell(qtbot, window, 0, "rate.low", "20")
    type_stage_cell(qtbot, window, 0, "rate.likely", "30")
    # plain arithmetic under the stages: 30% x £1,000 + 30% x 60% x 12 x £100 = £516
    assert form._stages_hint.text() == ("A referral in year 1 brings £400 as a fee, then £516 on average for "
                                        "its outcomes at the most likely shares (£2,200 if it reaches every stage).")
    window.settle_now()
    c = window.scenario.contracts[0]
    assert c.fee_per_referral == (400, 300, 200, 0)
    assert stage_names(window) == ["Job start", "Sustained job"]
    assert c.outcome_payments[1].price == 100 and c.outcome_payments[1].rate == Uncertain(0.5, 0.6, 0.7)
    assert (c.outcome_payments[1].lag_months, c.outcome_payments[1].payments) == (7, 12)

    grid = form.stages.grid
    grid.setFocus()
    grid.setCurrentCell(1, 0)
    qtbot.keyClick(grid, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    window.settle_now()
    assert stage_names(window) == ["Sustained job", "Job start"]
    window.undo_stack.undo()
    assert stage_names(window) == ["Job start", "Sustained job"]
    assert form.stages.cell_text(1, "name") == "Sustained job"

    grid.setFocus()
    grid.setCurrentCell(0, 0)
    qtbot.mouseClick(form.stages.remove_button, Qt.MouseButton.LeftButton)
    window.settle_now()
    assert stage_names(window) == ["Sustained job"]
    window.undo_stack.undo()
    assert stage_names(window) == ["Job start", "Sustained job"]

    # Back to a share of the price: the price typed before is still there, and the stages
    # come back when the rate card is chosen again.
    choose_mode(qtbot, window, "Paid on results")
    window.settle_now()
    assert window.scenario.contracts[0].payment_mode == "earn"
    assert window.scenario.contracts[0].price_per_referral == 1100
    choose_mode(qtbot, window, "A rate card")
    window.settle_now()
    assert stage_names(window) == ["Job start", "Sustained job"]


def test_a_rate_of_120_percent_and_a_fee_year_in_words_are_marked_and_kept(qtbot, window):
    form = window.form
    choose_mode(qtbot, window, "A rate card")
    type_stage_cell(qtbot, window, 0, "rate.high", "120")
    type_line(qtbot, form.field("contract.fee_per_referral").edit, "400, lots, 200")
    window.settle_now()
    assert window.state.invalid
    assert form.stages.problem_cells() == [(0, "rate.high")]
    assert "100%" in form.stages.cell_reason(0, "rate.high")
    assert form.stages.cell_text(0, "rate.high") == "120%"  # what was typed stays
    assert "Stage 1" in form.stages.problems_label.text()
    fee = form.field("contract.fee_per_referral")
    assert fee.marked and "Year 2" in fee.error_label.text()
    assert fee.edit.text() == "400, lots, 200"
    form.field("contract.fee_per_referral").clear_mark()  # so that Show me goes to the stage
    form.show_first_problem()
    grid = form.stages.grid
    assert QApplication.focusWidget() is grid
    assert (grid.currentRow(), KEYS[grid.currentColumn()]) == (0, "rate.high")


def test_removing_every_stage_stays_done_and_says_a_rate_card_needs_one(qtbot, window):
    form = window.form
    choose_mode(qtbot, window, "A rate card")
    grid = form.stages.grid
    grid.setFocus()
    grid.setCurrentCell(0, 0)
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    type_line(qtbot, form.field("contract.fee_per_referral").edit, "250")  # another edit
    window.settle_now()
    assert form.stages.stages() == [] and window.state.invalid
    assert "1 to 10" in form.stages.problems_label.text()
    qtbot.mouseClick(form.stages.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    window.settle_now()
    assert not window.state.invalid and stage_names(window) == ["Outcome"]


def test_pooled_target_only_beside_the_threshold(qtbot, window):
    form = window.form
    assert not shown(window, "contract.pooled_target_success_rate")
    choose_mode(qtbot, window, "All or nothing")
    assert shown(window, "contract.pooled_target_success_rate")
    spin = form.field("contract.pooled_target_success_rate").spin
    assert spin.text() == "Not used"
    type_line(qtbot, spin.lineEdit(), "40")
    window.settle_now()
    assert window.scenario.contracts[0].pooled_target_success_rate == pytest.approx(0.4)
    choose_mode(qtbot, window, "Paid on results")  # not this mode's term: left out of the file
    window.settle_now()
    assert not window.state.invalid
    assert window.scenario.contracts[0].pooled_target_success_rate is None


def test_interest_and_first_month_typed(qtbot, window):
    form = window.form
    type_line(qtbot, form.field("organisation.overdraft_interest_per_year").spin.lineEdit(), "8")
    type_line(qtbot, form.field("first_month").edit, "april 2027")
    window.settle_now()
    assert window.scenario.organisation.overdraft_interest_per_year == pytest.approx(0.08)
    type_line(qtbot, form.field("organisation.overdraft_facility").spin.lineEdit(), "10k")
    hint = form.field("organisation.overdraft_interest_per_year").hint_label.text()
    assert hint == "≈ £67 a month with the whole overdraft used"  # 8% of £10,000 over 12 months
    assert window.scenario.first_month == "2027-04"
    assert form.field("first_month").edit.text() == "Apr 2027"
    type_line(qtbot, form.field("first_month").edit, "2027-13")
    window.settle_now()
    assert window.state.invalid and form.field("first_month").marked
    type_line(qtbot, form.field("first_month").edit, "")
    window.settle_now()
    assert window.scenario.first_month is None


def test_a_file_with_a_stage_to_correct_opens_with_its_cell_marked(qtbot, window, tmp_path, prompts):
    import json

    data = {"format": "charityrisk-scenario", "version": 3, "name": "to fix", "horizon_months": 24,
            "organisation": {"opening_reserves": 20000, "monthly_other_income": 10000, "monthly_core_costs": 10000},
            "contracts": [{"name": "card", "start_month": 1, "duration_months": 12, "referrals_per_month": 5,
                           "payment_mode": "rate_card", "fee_per_referral": [300, -5],
                           "outcome_payments": [{"name": "Job start", "price": 800, "rate": 1.2, "lag_months": 3}],
                           "cost_per_referral": 100, "fixed_monthly_cost": 500}]}
    path = tmp_path / "to-fix.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    prompts.script("ask_yes_no", True)  # open it to correct
    assert window.open_path(path)
    form = window.form
    assert form.stages.isVisible() and form.stages.problem_cells() == [(0, "rate.low"), (0, "rate.likely"),
                                                                         (0, "rate.high")]
    assert form.field("contract.fee_per_referral").edit.text() == "300, -5"  # kept as it was
    assert "Year 2" in form.field("contract.fee_per_referral").error_label.text()
    type_line(qtbot, form.field("contract.fee_per_referral").edit, "300, 200")
    for key in ("rate.low", "rate.likely", "rate.high"):
        type_stage_cell(qtbot, window, 0, key, "40")
    window.settle_now()
    assert not window.state.invalid
    c = window.scenario.contracts[0]
    assert c.fee_per_referral == (300, 200) and c.outcome_payments[0].rate == Uncertain.fixed(0.4)


def test_the_stages_keep_the_budget_tables_keys(qtbot, window):
    """The stages are the same editable list as the budget lines: a new stage typed across with
    Enter, Tab along the row, Ctrl+Tab out, and a note that never moves the form."""
    form = window.form
    choose_mode(qtbot, window, "A rate card")
    window.settle_now()
    stages, grid = form.stages, form.stages.grid
    grid.setFocus()
    grid.setCurrentCell(0, KEYS.index("payments"))
    qtbot.keyClick(grid, Qt.Key.Key_Insert)  # a stage after the chosen one, its name ready
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "Sustained job")
    for text, next_key in [("", "price"), ("£250", "rate.low"), ("40", "rate.likely"), ("50", "rate.high"),
                           ("60", "lag_months"), ("9", "payments")]:
        if text:
            qtbot.keyClicks(grid, text[0])
            editor = QApplication.focusWidget()
            qtbot.keyClicks(editor, text[1:])
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: grid.state() != grid.State.EditingState, timeout=2000)
        assert (grid.currentRow(), KEYS[grid.currentColumn()]) == (1, next_key), text
    window.settle_now()
    stage = window.scenario.contracts[0].outcome_payments[1]
    assert (stage.name, stage.price, stage.rate, stage.lag_months) == ("Sustained job", 250,
                                                                       Uncertain(0.4, 0.5, 0.6), 9)
    grid.setCurrentCell(1, 0)
    qtbot.keyClick(grid, Qt.Key.Key_Tab)
    assert (grid.currentRow(), grid.currentColumn()) == (1, 1)
    qtbot.keyClick(grid, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is stages.add_button

    hint = form._stages_hint  # under the note, in the table's own column
    below = hint.mapTo(stages, hint.rect().topLeft())
    type_stage_cell(qtbot, window, 1, "rate.likely", "120")  # marked: the note fills its own room
    window.settle_now()
    assert "Stage 2" in stages.problems_label.text() or "1 value needs fixing" in stages.problems_label.text()
    assert hint.mapTo(stages, hint.rect().topLeft()) == below
