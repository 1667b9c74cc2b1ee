"""A new user's first hour (issue 13), as they meet it: typing amounts as they write them,
naming the scenario, File > New, the first-start choice and guided setup, the help, and the
window's accessibility.  Screens and scaling are in test_screens.py."""
import json

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWizard,
)

from charityrisk.gui.start import EXAMPLE, OWN, SEEN_KEY, offer_start, should_offer
from charityrisk.model import load_scenario, scenario_from_dict
from charityrisk.model.migration import FORMAT_VERSION
from charityrisk.report.glossary import tooltip_for_label
from typing_helpers import error_text, find, retype

# ----- 1. entering money ----------------------------------------------------------------------

@pytest.fixture
def form(qtbot, example):
    """The scenario form alone, as the window holds it: reading typed money is the form's work,
    so these tests need no window and no results (the window's part is in the tests below)."""
    from charityrisk.gui.form import ScenarioForm

    widget = ScenarioForm()
    qtbot.addWidget(widget)
    widget.resize(460, 900)
    widget.set_scenario(example)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def form_value(form):
    scenario, problems = form.scenario()
    assert problems == [] and scenario is not None, problems
    return scenario


@pytest.mark.parametrize("typed", ["65k", "£65,000", "65,000", "65000", "65K", "£65k"])
def test_money_is_understood_as_people_write_it(qtbot, form, typed):
    reserves = find(form, QAbstractSpinBox, "organisation.opening_reserves")
    retype(qtbot, reserves, typed)
    assert reserves.text() == "£65,000"
    assert form_value(form).organisation.opening_reserves == 65_000
    assert error_text(form, "organisation.opening_reserves") == ""


@pytest.mark.parametrize("typed, says", [
    ("65kk", "one k"), ("65,00", "comma"), ("$65", "pounds"), ("sixty", "not an amount"),
    ("65.123", "penny"), ("", "Required")])
def test_money_that_cannot_be_read_is_refused_and_kept(qtbot, window, example, typed, says):
    reserves = find(window, QAbstractSpinBox, "organisation.opening_reserves")
    retype(qtbot, reserves, typed)
    assert reserves.text() == typed  # never silently changed, never put back
    assert says in error_text(window, "organisation.opening_reserves")
    window.settle_now()
    assert "organisation.opening_reserves" in window.form.problem_fields()
    assert says in error_text(window, "organisation.opening_reserves")  # its own words survive
    assert window.state.invalid
    assert window.scenario.organisation.opening_reserves == example.organisation.opening_reserves
    retype(qtbot, reserves, "65k")  # corrected: the mark goes, the value is taken
    window.settle_now()
    assert error_text(window, "organisation.opening_reserves") == ""
    assert window.scenario.organisation.opening_reserves == 65_000


def test_enter_on_unreadable_money_keeps_it(qtbot, form):
    price = find(form, QAbstractSpinBox, "contract.price_per_referral")
    retype(qtbot, price, "65km", leave=False)
    qtbot.keyClick(price, Qt.Key.Key_Return)
    assert price.text() == "65km"
    assert "one k" in error_text(form, "contract.price_per_referral")


def test_money_beyond_the_field_range_is_refused(qtbot, window):
    income = find(window, QAbstractSpinBox, "organisation.monthly_other_income.likely")
    retype(qtbot, income, "-5k")
    assert income.text() == "-5k"
    assert "negative" in error_text(window, "organisation.monthly_other_income")
    window.settle_now()
    assert window.state.invalid


def test_a_never_touched_amount_keeps_its_pence(qtbot, form):
    price = find(form, QAbstractSpinBox, "contract.price_per_referral")
    retype(qtbot, price, "1,234.56")
    assert price.text() == "£1,234.56"
    assert form_value(form).contracts[0].price_per_referral == pytest.approx(1234.56)


# ----- 2. name, notes, New and the example ----------------------------------------------------

def test_example_says_it_is_an_example(window, example):
    assert window.showing_example()
    assert "Example scenario: a made-up charity" in window.windowTitle()
    assert find(window, QLabel, "form.example_banner").isVisible()


def test_name_and_notes_title_the_window_and_are_saved(qtbot, window, tmp_path):
    name = find(window, QLineEdit, "name")
    retype(qtbot, name, "Riverside housing bid")
    notes = find(window, QPlainTextEdit, "notes")
    notes.setFocus()
    qtbot.keyClicks(notes, "Figures from the 2026 budget.")
    window.settle_now()
    assert window.scenario.name == "Riverside housing bid"
    assert window.scenario.notes == "Figures from the 2026 budget."
    assert window.windowTitle().startswith("Riverside housing bid")
    assert not find(window, QLabel, "form.example_banner").isVisible()
    window.undo_stack.undo()  # the notes and the name are edits like any other
    assert window.scenario.notes == ""
    window.undo_stack.redo()
    path = tmp_path / "bid.json"
    assert window.save_to(path)
    data = json.loads(path.read_text())
    assert data["name"] == "Riverside housing bid" and data["notes"] == "Figures from the 2026 budget."
    again = load_scenario(path)
    assert again.notes == "Figures from the 2026 budget."
    assert window.windowTitle().startswith("Riverside housing bid (bid.json)")


def test_csv_carries_the_scenario_name(qtbot, window, tmp_path, prompts):
    retype(qtbot, find(window, QLineEdit, "name"), "Riverside housing bid")
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.settle_now()
    prompts.script("ask_save_path", tmp_path / "out.csv")
    with qtbot.waitSignal(window.exported, timeout=30_000):
        window.export_csv()
    assert "Riverside housing bid" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")


def test_new_starts_blank_not_from_the_example(qtbot, window, example):
    window.findChild(type(window.menuBar().actions()[0]), "new").trigger()
    assert not window.showing_example()
    assert "Untitled" in window.windowTitle()
    for key in ("organisation.opening_reserves", "contract.price_per_referral",
                "contract.cost_per_referral"):
        box = find(window, QAbstractSpinBox, key)
        assert box.text() == ""
        assert "Required" in error_text(window, key)
    assert find(window, QAbstractSpinBox, "organisation.monthly_core_costs").text() == ""
    assert find(window, QAbstractSpinBox, "organisation.monthly_other_income.likely").text() == "£0"
    assert window.state.invalid
    head = window.results_panel.headline
    assert "Required" in head.text() and "%" not in head.text()  # not the example's results
    assert window.results_panel.table.rowCount() == 0
    # none of the example's amounts is anywhere in the new scenario
    data = window.form.to_dict()
    assert data["organisation"]["opening_reserves"] is None
    assert data["contracts"][0]["price_per_referral"] is None

    for key, typed in (("organisation.opening_reserves", "40k"),
                       ("organisation.monthly_other_income.likely", "10k"),
                       ("organisation.monthly_other_income.low", "10k"),
                       ("organisation.monthly_other_income.high", "10k"),
                       ("organisation.monthly_core_costs", "12k"),
                       ("contract.price_per_referral", "1,500"), ("contract.cost_per_referral", "400"),
                       ("contract.fixed_monthly_cost", "1000")):
        retype(qtbot, find(window, QAbstractSpinBox, key), typed)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.settle_now()
    assert window.form.problem_fields() == []
    assert window.scenario.organisation.opening_reserves == 40_000
    assert window.scenario.contracts[0].price_per_referral == 1_500
    assert window.is_modified()
    window.undo_stack.undo()  # back to the blank scenario: no example figures come back
    assert window.form.to_dict()["organisation"]["opening_reserves"] in (None, 0)


# ----- 3. the first start -----------------------------------------------------------------------

def test_first_start_is_offered_once(window, prompts):
    assert should_offer(window.settings)
    prompts.script("ask_choice", EXAMPLE)
    assert offer_start(window) == EXAMPLE
    assert window.showing_example()
    assert not should_offer(window.settings)
    assert window.settings.value(SEEN_KEY) in (True, "true")
    assert "Start my own scenario" in str(prompts.asked) or prompts.questions("ask_choice")


def test_help_start_again_asks_again(window, prompts):
    prompts.script("ask_choice", None)
    window.findChild(type(window.menuBar().actions()[0]), "start_again").trigger()
    assert len(prompts.questions("ask_choice")) == 1


def test_guided_setup_builds_my_own_scenario(qtbot, window, prompts):
    prompts.script("ask_choice", OWN)
    assert offer_start(window) == OWN
    wizard = window.start_wizard
    assert wizard is not None and wizard.isVisible()

    def page_field(cls, name):
        return find(wizard, cls, name)

    retype(qtbot, page_field(QLineEdit, "start.name"), "Riverside Mentoring")
    reserves = page_field(QAbstractSpinBox, "start.organisation.opening_reserves")
    retype(qtbot, reserves, "65kk")
    wizard.next()  # refused: the page says why and stays
    assert wizard.currentPage() is wizard.org
    assert "one k" in error_text(wizard, "start.organisation.opening_reserves")
    retype(qtbot, reserves, "65k")
    first = page_field(QLineEdit, "start.first_month")
    retype(qtbot, first, "Smarch 2027")
    wizard.next()  # refused: not a month
    assert wizard.currentPage() is wizard.org and "not a month" in error_text(wizard, "start.first_month")
    retype(qtbot, first, "April 2027")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.budget
    retype(qtbot, page_field(QAbstractSpinBox, "start.organisation.monthly_other_income.likely"), "20,000")
    retype(qtbot, page_field(QAbstractSpinBox, "start.organisation.monthly_core_costs"), "£22k")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.contract
    retype(qtbot, page_field(QAbstractSpinBox, "start.contract.price_per_referral"), "1,200")
    retype(qtbot, page_field(QAbstractSpinBox, "start.contract.cost_per_referral"), "350")
    retype(qtbot, page_field(QAbstractSpinBox, "start.contract.fixed_monthly_cost"), "0")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.review
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    s = window.scenario
    assert s.name == "Riverside Mentoring"
    assert s.organisation.opening_reserves == 65_000
    assert s.organisation.monthly_core_costs == 22_000
    assert s.contracts[0].price_per_referral == 1_200 and s.contracts[0].cost_per_referral == 350
    assert s.first_month == "2027-04"  # months named by the calendar from then on
    warnings: list = []
    scenario_from_dict(wizard.scenario_data(), warnings)
    assert warnings == []  # made in today's format: nothing read as an older file's
    assert not window.showing_example() and window.windowTitle().startswith("Riverside Mentoring")
    assert window.is_modified()  # new work, offered for saving on close
    assert wizard.scenario_data()["version"] == FORMAT_VERSION


# The three ways to the budget, the review page and the missing budget: test_setup_wizard.py.


# ----- 4. plain English --------------------------------------------------------------------------

def test_help_explains_how_to_read_the_results(qtbot, window):
    window.findChild(type(window.menuBar().actions()[0]), "help_reading").trigger()
    dialog = window.help_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.close()


def test_every_key_figure_explains_itself(window):
    table = window.results_panel.table
    seen = 0
    for row in range(table.rowCount()):
        for col in range(0, table.columnCount(), 2):
            label = table.item(row, col)
            if label is None or not label.text():
                continue
            value = table.item(row, col + 1)
            explained = tooltip_for_label(label.text())
            assert explained, label.text()
            assert label.toolTip() == explained
            assert explained in value.toolTip() and value.toolTip() != f"{label.text()}: {value.text()}"
            seen += 1
    assert seen >= 5


# ----- 6. accessibility ---------------------------------------------------------------------------

def test_screen_readers_hear_the_sentence_and_the_charts_figures(window):
    head = window.results_panel.headline
    assert head.accessibleName() != "Headline result"
    assert head.accessibleName() == head.text().replace("\n", " ")
    assert "simulated futures" in head.accessibleName()
    description = window.results_panel.canvas.accessibleDescription()
    assert "%" in description and "£" in description


def test_tab_reaches_every_field_and_button(qtbot, window):
    form = window.form
    widgets = [w for cls in (QAbstractSpinBox, QLineEdit, QPlainTextEdit, QPushButton) for w in form.findChildren(cls)]
    wanted = {w.objectName() for w in widgets
              if w.isVisibleTo(form) and w.isEnabled() and w.objectName() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
              and not isinstance(w.parent(), QAbstractSpinBox)}
    wanted |= {"contract.chooser", "contract.payment_mode"}
    first = find(window, QLineEdit, "name")
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    reached = set()
    widget = first
    for _ in range(400):
        reached.add(widget.objectName())
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        widget = window.focusWidget()
        if widget is first:
            break
        if isinstance(widget.parent(), QAbstractSpinBox):
            widget = widget.parent()
    missing = wanted - reached
    assert not missing, sorted(missing)


def test_the_focus_ring_is_visible(qtbot, window):
    """Keyboard users see where they are: a focused button and box are drawn differently."""
    for widget in (window.form.add_button, find(window, QLineEdit, "name")):
        window.activateWindow()
        window.results_panel.setFocus()
        qtbot.waitUntil(lambda w=widget: not w.hasFocus())
        before = widget.grab().toImage()
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(widget.hasFocus)
        after = widget.grab().toImage()
        assert before != after, widget.objectName()


def test_main_offers_the_first_start_once(qtbot, monkeypatch, tmp_path, request, created_windows, prompts):
    from PySide6.QtWidgets import QApplication

    from charityrisk.gui import main as gui_main

    monkeypatch.delenv("CHARITYRISK_NO_START", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    # Qt reads XDG_CONFIG_HOME once per process: point the user's settings at this test's folder
    # outright, so an earlier test (or an earlier session on this machine) cannot answer for it.
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))
    app = QApplication.instance()
    names = app.applicationName(), app.organizationName()
    request.addfinalizer(lambda: (app.setApplicationName(names[0]), app.setOrganizationName(names[1])))
    monkeypatch.setattr(QApplication, "exec", lambda *_: 0)
    prompts.answers["ask_choice"] = EXAMPLE
    for _ in range(2):
        assert gui_main.main([]) == 0
        w = created_windows[-1]
        qtbot.addWidget(w)
        assert w.showing_example()
        w.recovery.finish()
        w.recovery = None
        w.runner.shutdown()
        w.decisions_panel.shutdown()
    assert len(prompts.questions("ask_choice")) == 1  # remembered: asked on the first start only
