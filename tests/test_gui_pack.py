"""File > Export board pack as a user meets it: the same pack as ``charityrisk report`` for the
same scenario, seed and futures, worked out off the window's thread with progress and a Cancel
button; a cancelled export writes nothing.  Packs are read back with pypdf, as in
test_report.py."""
from __future__ import annotations

import dataclasses
import json
import re
import time

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton

import charityrisk.engine.decisions as decisions
import charityrisk.gui.exports as exports
import charityrisk.report.pdf as pdf
from charityrisk.engine.simulate import Progress
from charityrisk.model import scenario_to_dict
from cli_run import run
from test_board_pack import LONG_NAME, inside_the_page, overlapping_labels, with_budget

PATHS = 2_000  # the window fixture's example runs this many futures (conftest)


def page_texts(path) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(str(path)).pages]


def export_from_menu(window) -> None:
    window.findChild(QAction, "export_report").trigger()


def command_line_pack(scenario, tmp_path):
    """The pack ``charityrisk report`` writes for ``scenario`` at its seed and PATHS futures."""
    source, target = tmp_path / "scenario.json", tmp_path / "cli.pdf"
    source.write_text(json.dumps(scenario_to_dict(scenario)), encoding="utf-8")
    done = run("report", source, "-o", target, "--paths", PATHS, "--seed", scenario.settings.seed)
    assert done.returncode == 0, done.stderr
    return target


def count_calls(monkeypatch, name: str) -> list[int]:
    """Count the calls of engine.decisions.<name> (pack_steps looks it up when it runs)."""
    calls: list[int] = []
    original = getattr(decisions, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)
    monkeypatch.setattr(decisions, name, counted)
    return calls


def test_the_apps_pack_is_the_command_lines(qtbot, window, example, tmp_path, prompts, monkeypatch):
    """Nothing worked out on screen: the export works out what would make it safe, the tornado
    and the payment structures itself, as the command line does, and its pack says the same."""
    app_pdf = tmp_path / "app.pdf"
    prompts.script("ask_save_path", app_pdf)
    analyses = count_calls(monkeypatch, "analyse_steps")
    with qtbot.waitSignal(window.exported, timeout=180_000):
        export_from_menu(window)
    assert analyses == [1]  # worked out by the export, off the window's thread
    app = page_texts(app_pdf)
    assert "Not worked out" not in " ".join(app)
    assert app == page_texts(command_line_pack(example, tmp_path))


def test_the_pack_uses_the_answer_on_screen_and_still_matches(qtbot, window, example, tmp_path, prompts,
                                                              monkeypatch):
    """"What would make it safe" already pressed: its answer (same futures and seed) goes into
    the pack as it is, not worked out again, and the pack is still the command line's."""
    panel = window.decisions_panel
    with qtbot.waitSignal(panel.analysis_shown, timeout=120_000):
        qtbot.mouseClick(panel.safe_button, Qt.MouseButton.LeftButton)
    app_pdf = tmp_path / "app.pdf"
    prompts.script("ask_save_path", app_pdf)
    analyses = count_calls(monkeypatch, "analyse_steps")
    with qtbot.waitSignal(window.exported, timeout=180_000):
        export_from_menu(window)
    assert analyses == []
    assert page_texts(app_pdf) == page_texts(command_line_pack(example, tmp_path))


def test_cancel_stops_the_export_and_writes_nothing(qtbot, window, tmp_path, prompts, monkeypatch):
    """The work goes on until the user presses Cancel in the progress dialog; then it stops
    at once, and no file (nor a half-written one) is left."""
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "pack.pdf"
    stopped = []

    def endless(*args, **kwargs):  # work that only Cancel ends, whatever the machine's speed
        try:
            step = 0
            while True:
                step += 1
                # A step every few milliseconds, as real work reports: steps as fast as the
                # thread can yield flooded the window with progress signals, and on a busy
                # machine the dialog's own timer waited behind them for over 10 s.
                time.sleep(0.005)
                yield Progress(step % 1000, 1000)
        finally:
            stopped.append(True)
    monkeypatch.setattr(exports, "pack_steps", endless)
    prompts.script("ask_save_path", target)
    export_from_menu(window)
    qtbot.waitUntil(lambda: window.exports.progress_dialog is not None
                    and window.exports.progress_dialog.isVisible(), timeout=10_000)
    dialog = window.exports.progress_dialog
    assert "board pack" in dialog.labelText()
    (cancel,) = [b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel"]
    with qtbot.waitSignal(window.export_runner.cancelled, timeout=10_000):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert stopped == [True]
    assert list(folder.iterdir()) == []
    assert window.exports.progress_dialog is None
    assert "cancelled, and nothing was written" in window.statusBar().currentMessage()
    assert not window.export_runner.is_busy()


def test_a_long_label_is_whole_in_the_apps_pack(qtbot, window, example, tmp_path, prompts, monkeypatch):
    """The tornado as the app's export draws it: a budget line's long name and "how strongly
    bad surprises come together" wrap inside the page, never cut at its left edge."""
    lines = list(example.organisation.budget)
    lines[1] = dataclasses.replace(lines[1], name=LONG_NAME)
    scenario = dataclasses.replace(with_budget(example, lines), correlation=0.4)
    with qtbot.waitSignal(window.results_shown, timeout=60_000):
        window.load(scenario, None)
    drawn = []
    original = pdf.build_pages

    def kept(*args, **kwargs):
        drawn.append(original(*args, **kwargs))
        return drawn[-1]
    monkeypatch.setattr(pdf, "build_pages", kept)
    prompts.script("ask_save_path", tmp_path / "long.pdf")
    with qtbot.waitSignal(window.exported, timeout=180_000):
        export_from_menu(window)
    (pages,) = drawn
    tornado = next(ax for ax in pages[2].axes if any(t.get_text() for t in ax.get_yticklabels()))
    labels = " ".join(t.get_text() for t in tornado.get_yticklabels())
    assert "\n" in labels  # a long label wrapped
    assert inside_the_page(pages[2]) == []
    assert overlapping_labels(tornado) == []


@pytest.fixture(autouse=True)
def _no_stray_dialogs(window):
    yield
    if window.exports.progress_dialog is not None:
        window.exports.progress_dialog.close()
