"""'Do bad surprises tend to come together?': a plain choice in the form, the number behind
it in the file (issue 11)."""
import json
from dataclasses import replace

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox

from charityrisk.engine import simulate
from charityrisk.gui.window import MainWindow
from charityrisk.model import load_scenario, save_scenario
from charityrisk.model.fields import spec

PATHS = 2_000


@pytest.fixture
def window(qtbot, example, tmp_path, prompts):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, prompts=prompts)
    qtbot.addWidget(w)
    independent = replace(example, correlation=0.0, settings=replace(example.settings, paths=PATHS))
    with qtbot.waitSignal(w.results_shown, timeout=30_000):
        w.load(independent, None)
    w.show()
    yield w
    w.runner.shutdown()


def choice(window):
    combo = window.form.findChild(QComboBox, "correlation")
    assert combo is not None
    return combo


def test_the_levels_and_why_they_are_what_they_are():
    row = spec("correlation")
    assert [(words, value) for words, value, _ in row.levels] == [("No", 0.0), ("Somewhat", 0.3), ("Strongly", 0.6)]
    assert "0.3" in row.tip and "0.6" in row.tip and "1 time in 3" in row.tip


def test_choosing_strongly_saves_the_number_and_changes_the_results(qtbot, window, tmp_path, prompts):
    combo = choice(window)
    assert combo.currentText() == "No" and [combo.itemText(i) for i in range(combo.count())] == [
        "No", "Somewhat", "Strongly"]
    before = window.scenario
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "Strongly"
    strongly = replace(before, correlation=0.6)
    qtbot.waitUntil(lambda: window.scenario == strongly, timeout=10_000)  # after the typing pause
    expected = simulate(strongly, PATHS, before.settings.seed)
    independent = simulate(before, PATHS, before.settings.seed)
    assert expected.lowest_balance_percentiles != independent.lowest_balance_percentiles
    # The results on screen become the engine's for the scenario with the number behind "Strongly".
    qtbot.waitUntil(lambda: _shown(window) == expected.lowest_balance_percentiles, timeout=30_000)
    assert window.isWindowModified()
    target = tmp_path / "together.json"
    prompts.script("ask_save_path", target)
    assert window.save_as()
    assert json.loads(target.read_text(encoding="utf-8"))["correlation"] == 0.6
    assert load_scenario(target).correlation == 0.6


def _shown(window):
    r = window.results_panel.results
    return None if r is None else r.lowest_balance_percentiles


def test_another_number_shows_as_custom_and_is_kept(qtbot, window, example, tmp_path, prompts):
    source = tmp_path / "custom.json"
    save_scenario(replace(example, correlation=0.45), source)
    prompts.script("ask_open_path", source)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.open_dialog()
    combo = choice(window)
    assert combo.currentText() == "Custom (0.45)"
    target = tmp_path / "kept.json"
    prompts.script("ask_save_path", target)
    assert window.save_as()
    assert json.loads(target.read_text(encoding="utf-8"))["correlation"] == 0.45
    # Opening a file without a custom value drops the old custom choice.
    window.form.set_scenario(replace(example, correlation=0.3))
    assert combo.currentText() == "Somewhat" and combo.count() == 3
