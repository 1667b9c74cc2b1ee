"""The main window as a user meets it: typing, live results, files, prompts, cancelling.

Expected figures come from the engine run directly on the same scenario: the window must
show exactly what the engine computed, never something of its own.
"""
import json
import subprocess
import sys
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QLabel

from charityrisk.engine import simulate
from charityrisk.gui.runs import FIRST_ANSWER_PATHS
from charityrisk.gui.window import MainWindow
from charityrisk.model import load_scenario
from charityrisk.report.text import contract_risk, money, percent
from charityrisk.resources import example_scenario_path

PATHS = 2_000  # the shared example fixture (conftest) runs this many futures


def field(window, name):
    widget = window.form.findChild(QAbstractSpinBox, name)
    assert widget is not None, name
    return widget


def type_into(qtbot, widget, text):
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)


def test_headline_shows_the_engines_figures(window, example):
    expected = simulate(example, PATHS, example.settings.seed)
    text = window.results_panel.headline.text()
    assert contract_risk(expected) in text
    assert f"with it, in {percent(expected.p_run_out)}:" in text
    assert f"in {percent(expected.baseline.p_run_out)} of {PATHS:,} simulated futures" in text
    if expected.working_capital_needed_95 > 0:
        assert money(expected.working_capital_needed_95) in text
    median = window.results_panel.canvas.fan_ax.get_lines()
    assert any(list(line.get_ydata()) == list(expected.balance_percentiles["50"]) for line in median)


def test_typing_a_new_reserve_updates_results(qtbot, window, example):
    with qtbot.waitSignal(window.results_shown, timeout=30_000) as shown:
        type_into(qtbot, field(window, "organisation.opening_reserves"), "500000")
    changed = example.with_organisation(opening_reserves=500_000.0)
    expected = simulate(changed, PATHS, example.settings.seed)
    assert shown.args[0].p_run_out == expected.p_run_out
    assert window.scenario.organisation.opening_reserves == 500_000
    assert window.isWindowModified()
    assert contract_risk(expected) in window.results_panel.headline.text()


def test_invalid_input_keeps_last_results_and_says_why(qtbot, window):
    before = window.results_panel.results
    low = field(window, "contract.success_rate.low")
    type_into(qtbot, low, "99")
    qtbot.waitUntil(lambda: "fix the highlighted" in window.results_panel.status.text(), timeout=5_000)
    assert window.results_panel.results is before
    assert window.results_panel.headline.property("level") == "stale"
    assert not window.runner.is_busy()


def test_undo_restores_previous_value(qtbot, window, example):
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        type_into(qtbot, field(window, "organisation.opening_reserves"), "123456")
    assert window.scenario.organisation.opening_reserves == 123456
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.undo_stack.undo()
    assert window.scenario.organisation.opening_reserves == example.organisation.opening_reserves
    assert field(window, "organisation.opening_reserves").value() == example.organisation.opening_reserves
    assert not window.isWindowModified()


def test_save_and_open_round_trip(qtbot, window, tmp_path, prompts):
    target = tmp_path / "mine.json"
    prompts.script("ask_save_path", target)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        type_into(qtbot, field(window, "organisation.opening_reserves"), "81000")
    assert window.save_as()
    assert not window.isWindowModified()
    assert "mine.json" in window.windowTitle()
    assert json.loads(target.read_text())["organisation"]["opening_reserves"] == 81000
    assert load_scenario(target) == window.scenario

    other = MainWindow(window.settings, prompts=prompts)
    qtbot.addWidget(other)
    prompts.script("ask_open_path", target)
    with qtbot.waitSignal(other.results_shown, timeout=30_000):
        other.open_dialog()
    assert other.scenario == window.scenario
    assert str(target) in other.recent_files()
    other.runner.shutdown()


def test_opening_a_broken_file_shows_messages_and_keeps_work(qtbot, window, tmp_path, prompts):
    bad = tmp_path / "bad.json"
    bad.write_text('{"horizon_months": 999}')
    before = window.scenario
    assert not window.open_path(bad)
    [(title, problems)] = prompts.messages("show_problems")
    assert "bad.json" in title
    assert any(p.startswith("horizon_months: must be between 1 and 120") for p in problems)
    assert window.scenario is before


@pytest.mark.parametrize("answer,closes", [("cancel", False), ("discard", True)])
def test_unsaved_changes_prompt(qtbot, window, prompts, answer, closes):
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        type_into(qtbot, field(window, "organisation.opening_reserves"), "99999")
    prompts.script("ask_save_discard_cancel", answer)
    assert window.close() is closes
    assert len(prompts.asked) == 1
    assert "Save the changes" in prompts.questions("ask_save_discard_cancel")[0]


def test_cancelling_a_large_run_keeps_last_results(qtbot, window, example):
    before = window.results_panel.results
    big = replace(example, settings=replace(example.settings, paths=1_000_000))
    with qtbot.waitSignal(window.runner.cancelled, timeout=30_000):
        window.apply_scenario(big)
        qtbot.waitUntil(lambda: window.results_panel.cancel_button.isVisible(), timeout=10_000)
        qtbot.mouseClick(window.results_panel.cancel_button, Qt.MouseButton.LeftButton)
    # The earlier results, or the cancelled run's first estimate (both of 2,000 futures):
    # never figures of futures not run.
    after = window.results_panel.results
    assert after is before or after.paths == FIRST_ANSWER_PATHS
    assert "cancelled" in window.results_panel.status.text()
    assert not window.results_panel.cancel_button.isVisible()


def test_newer_run_supersedes_older(qtbot, window, example):
    slow = replace(example, settings=replace(example.settings, paths=300_000))
    fast = example.with_organisation(opening_reserves=1_000_000.0)
    shown = []
    window.results_shown.connect(shown.append)
    window.apply_scenario(slow)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.apply_scenario(fast)
    qtbot.wait(300)
    assert [r.paths for r in shown] == [PATHS]
    assert window.results_scenario == fast


def test_progress_signals_arrive_in_order(qtbot, window, example):
    many = replace(example, settings=replace(example.settings, paths=20_000))
    seen = []
    window.runner.progress.connect(lambda done, total: seen.append(done))
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.apply_scenario(many)
    assert seen == sorted(seen) and seen[-1] == 20_000 and len(seen) == 4


def test_a_first_estimate_then_the_full_run(qtbot, window, example):
    many = replace(example, settings=replace(example.settings, paths=20_000))
    first = []
    window.runner.preview.connect(first.append)
    with qtbot.waitSignal(window.results_shown, timeout=60_000):
        window.apply_scenario(many)
        qtbot.waitUntil(lambda: bool(first), timeout=30_000)
        if window.runner.is_busy():  # still refining: the screen says it is a first estimate
            assert "First estimate from 2,000 futures" in window.results_panel.status.text()
            assert "of 2,000 simulated futures" in window.results_panel.headline.text()
    quick = first[0][2]
    assert quick.paths == FIRST_ANSWER_PATHS
    assert quick.p_run_out == simulate(many, FIRST_ANSWER_PATHS, many.settings.seed).p_run_out
    assert window.results_panel.results.paths == 20_000
    assert "of 20,000 simulated futures" in window.results_panel.headline.text()
    assert "First estimate" not in window.results_panel.status.text()


def test_smoke_command_exits_zero():
    done = subprocess.run([sys.executable, "-m", "charityrisk", "--smoke"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "smoke: window built" in done.stdout


def test_export_report_and_csv_from_the_file_menu(qtbot, window, example, tmp_path, prompts):
    from pypdf import PdfReader

    pdf, csv_path = tmp_path / "board.pdf", tmp_path / "figures.csv"
    prompts.script("ask_save_path", pdf, csv_path)
    with qtbot.waitSignal(window.exported, timeout=60_000):
        window.findChild(type(window.menuBar().actions()[0]), "export_report").trigger()
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    expected = simulate(example, PATHS, example.settings.seed)
    assert contract_risk(expected) in " ".join(text.split())
    with qtbot.waitSignal(window.exported, timeout=60_000):
        window.export_csv()
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_exporting_results_older_than_the_form_asks_first(qtbot, window, prompts):
    prompts.script("ask_yes_no", False)  # Cancel; an ask_save_path would fail: none is scripted
    type_into(qtbot, field(window, "contract.success_rate.low"), "99")  # invalid: results are now stale
    window.export_report()
    asked = prompts.questions()
    assert asked and "earlier version" in asked[0]
    assert prompts.questions("ask_save_path") == []


def test_emptying_a_field_restores_its_value_instead_of_zero(qtbot, window, example):
    reserves = field(window, "organisation.opening_reserves")
    reserves.setFocus()
    reserves.selectAll()
    qtbot.keyClick(reserves, Qt.Key.Key_Delete)
    qtbot.keyClick(reserves, Qt.Key.Key_Tab)
    assert reserves.value() == example.organisation.opening_reserves


def test_tab_leaves_the_key_figures_table(qtbot, window):
    assert not window.results_panel.table.tabKeyNavigation()


def test_a_file_with_out_of_range_values_opens_marked_for_correcting(qtbot, window, tmp_path, prompts):
    data = json.loads(example_scenario_path().read_text())
    data["contracts"][0]["share_at_risk"] = 1.4
    data["contracts"][0]["success_rate"] = {"low": 0.6, "likely": 0.5, "high": 0.7}
    path = tmp_path / "typo.json"
    path.write_text(json.dumps(data))
    prompts.script("ask_yes_no", True)  # Open it, with the fields marked
    before = window.results_panel.results
    assert window.open_path(path)
    asked = prompts.questions("ask_yes_no")
    assert "contracts[0].share_at_risk: must be between 0 and 1 (got 1.4)" in asked[0]
    error = window.form.findChild(QLabel, "error:contract.share_at_risk")
    assert error.isVisible() and "140%" in error.text()
    assert window.path == path and window.isWindowModified()
    assert window.results_panel.results is before  # nothing simulated on invalid values
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        type_into(qtbot, field(window, "contract.share_at_risk"), "25")
        type_into(qtbot, field(window, "contract.success_rate.low"), "40")
    assert window.save()  # to the file: no ask_save_path is scripted, so asking would fail
    assert prompts.questions("ask_save_path") == []
    assert load_scenario(path).contracts[0].share_at_risk == 0.25


def test_a_file_with_wrong_types_is_refused_not_opened(qtbot, window, tmp_path, prompts):
    data = json.loads(example_scenario_path().read_text())
    data["organisation"]["opening_reserves"] = "lots"
    path = tmp_path / "words.json"
    path.write_text(json.dumps(data))
    prompts.answers.pop("ask_yes_no")  # nothing to offer: a question would fail the test
    assert not window.open_path(path)
    [(title, problems)] = prompts.messages("show_problems")
    assert "words.json" in title
    assert problems[0].startswith("organisation.opening_reserves: must be a number")
    assert prompts.asked == []


def test_the_charts_lay_out_once_the_window_is_shown(qtbot, window):
    """The results are drawn before the window is first shown, at a canvas size that is not
    yet its own.  Titles and legends fitted to that layout used to squeeze every later one
    until matplotlib gave up ("constrained_layout not applied", printed from Qt's deferred
    draw where no test saw it).  A synchronous draw turns that warning into an error."""
    canvas = window.results_panel.canvas
    qtbot.waitExposed(window)
    for _ in range(3):  # as each edit redraws
        canvas._redraw()
        canvas.draw()
    assert all(ax.get_position().width > 0.2 for ax in canvas.figure.axes)
