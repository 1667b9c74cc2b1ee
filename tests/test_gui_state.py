"""The window's state object and the prompts interface, without a window: what views are told,
which results are dropped, and how the real dialogs' buttons become plain answers."""
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from charityrisk.engine import simulate
from charityrisk.gui.prompts import Prompts
from charityrisk.gui.state import WindowState


@pytest.fixture
def results(example):
    return simulate(example, 200, 1)


def test_views_are_told_once_per_update(example):
    state = WindowState()
    seen = []
    state.subscribe(lambda s: seen.append((s.scenario, s.modified)))
    state.update(scenario=example, invalid=True)
    assert seen == [(example, True)]
    state.update(invalid=False)
    assert seen[-1] == (example, False) and len(seen) == 2


def test_an_unknown_field_is_refused():
    with pytest.raises(AttributeError):
        WindowState().update(scenaro=None)


def test_modified_means_unsaved_edits_or_a_value_to_fix():
    state = WindowState()
    assert not state.modified
    state.update(unsaved_edits=True)
    assert state.modified
    state.update(unsaved_edits=False, invalid=True)
    assert state.modified


def test_results_of_an_older_run_are_dropped(example, results):
    state = WindowState()
    first = state.start_run()
    second = state.start_run()
    assert not state.accept_results(first, example, results)
    assert state.results is None
    state.update(note="Updating for your change...")
    assert state.accept_results(second, example, results)
    assert state.results.run == second and state.results.results is results
    assert state.results_scenario is example
    assert state.note == ""  # the results are for what the form says again


def test_a_decision_answer_counts_only_for_its_own_scenario(example):
    state = WindowState()
    state.set_answer("analysis", example, "answer")
    assert state.answer_for("analysis", example) == "answer"
    assert state.answer_for("analysis", example.with_organisation(opening_reserves=1.0)) is None
    assert state.answer_for("comparison", example) is None
    with pytest.raises(ValueError):
        state.set_answer("tornado", example, "answer")


@pytest.mark.parametrize("button,choice", [(QMessageBox.StandardButton.Save, "save"),
                                           (QMessageBox.StandardButton.Discard, "discard"),
                                           (QMessageBox.StandardButton.Cancel, "cancel")])
def test_real_prompts_turn_buttons_into_answers(monkeypatch, button, choice):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: asked.append(a) or button)
    assert Prompts().ask_save_discard_cancel("Save the changes?") == choice
    assert asked[0][2] == "Save the changes?"


def test_real_yes_no_uses_the_named_buttons(monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: asked.append(a) or QMessageBox.StandardButton.Open)
    assert Prompts().ask_yes_no("Open it anyway?", yes="Open", no="Cancel", default=False)
    _, _, _, buttons, default = asked[0]
    assert buttons == QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel
    assert default == QMessageBox.StandardButton.Cancel
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Cancel)
    assert not Prompts().ask_yes_no("Open it anyway?", yes="Open", no="Cancel")


def test_real_file_prompts_give_paths_or_none(monkeypatch, tmp_path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(tmp_path / "a.json"), ""))
    assert Prompts().ask_save_path("Save", str(tmp_path)) == tmp_path / "a.json"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: ("", ""))
    assert Prompts().ask_open_path("Open", str(tmp_path)) is None
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a: (["x.json", "y.json"], ""))
    assert Prompts().ask_open_paths("Compare", "") == [Path("x.json"), Path("y.json")]
