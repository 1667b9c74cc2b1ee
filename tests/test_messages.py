"""Messages (issue 21): a misspelt required key gets "did you mean"; a display that cannot be
opened is one line and exit 2, not Qt's abort (tests/test_no_display.py); a file name holding a newline or another
hidden character is escaped in every message, so a one-line error stays one line."""
from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

import pytest

from charityrisk import cli
from charityrisk.gui import filesafety
from charityrisk.model import ScenarioError, load_scenario
from charityrisk.model.problems import REQUIRED, Problem
from charityrisk.resources import example_scenario_path
from cli_run import run


def example_data() -> dict:
    return json.loads(example_scenario_path().read_text(encoding="utf-8"))


def misspelt(tmp_path: Path, name: str = "typo.json") -> Path:
    data = example_data()
    contract = data["contracts"][0]
    contract["share_at_rsik"] = contract.pop("share_at_risk")
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# ----- did you mean --------------------------------------------------------------------------
def test_a_misspelt_required_key_says_did_you_mean_as_data(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(misspelt(tmp_path))
    (problem,) = [p for p in caught.value.problems if p.path == "contracts[0].share_at_risk"]
    assert problem.code == REQUIRED and problem.suggestion == "share_at_rsik"  # data, not English
    assert problem.message.startswith("is required")
    assert "did you mean 'share_at_risk'" in problem.message and "'share_at_rsik'" in problem.message
    assert "did you mean" in str(caught.value)
    again = pickle.loads(pickle.dumps(problem))  # crosses to worker processes whole
    assert again.suggestion == "share_at_rsik" and again == problem


def test_did_you_mean_at_the_top_and_inside_a_range(tmp_path):
    data = example_data()
    data["horizon_monhts"] = data.pop("horizon_months")
    income = data["organisation"]["monthly_other_income"] = {"low": 1_000, "likley": 2_000, "high": 3_000}
    assert income
    path = tmp_path / "two.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    by_path = {p.path: p for p in caught.value.problems}
    assert by_path["horizon_months"].suggestion == "horizon_monhts"
    assert by_path["organisation.monthly_other_income.likely"].suggestion == "likley"


def test_a_missing_key_with_no_look_alike_gets_no_suggestion(tmp_path):
    data = example_data()
    del data["contracts"][0]["share_at_risk"]
    data["contracts"][0]["completely_else"] = 1
    path = tmp_path / "gone.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = [p for p in caught.value.problems if p.path == "contracts[0].share_at_risk"]
    assert problem.suggestion == "" and problem.message == "is required"


def test_a_problem_made_the_old_way_has_no_suggestion():
    assert Problem("a.b", REQUIRED, {}, "is required").suggestion == ""


def test_the_command_line_says_did_you_mean(tmp_path):
    done = run("simulate", misspelt(tmp_path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "share_at_risk: is required" in done.stderr and "did you mean 'share_at_risk'?" in done.stderr


# ----- file names with hidden characters --------------------------------------------------------
# Windows file names cannot hold control characters; a bidi override they can.
NO_CONTROLS = pytest.mark.skipif(sys.platform == "win32", reason="Windows file names cannot hold control characters")
HOSTILE_NAMES = [pytest.param("two\nlines.json", marks=NO_CONTROLS), pytest.param("back\rover.json", marks=NO_CONTROLS),
                 pytest.param("esc\x1b[2Jape.json", marks=NO_CONTROLS), "bidi\u202egnp.json"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_file_name_with_hidden_characters_stays_one_line_on_the_command_line(tmp_path, name):
    done = run("simulate", misspelt(tmp_path, name))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.endswith("\n"), done.stderr
    line = done.stderr[:-1]
    assert "\r" not in line and "\x1b" not in line and "\u202e" not in line
    assert cli.terminal_safe(name) in line


def test_a_missing_file_with_a_newline_is_one_line(tmp_path):
    done = run("simulate", tmp_path / "no\nsuch.json")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "no\\nsuch.json" in done.stderr


def test_an_output_name_with_a_newline_is_one_line(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "a\nfolder"  # missing: refused before any run
    assert cli.main(["report", str(example_scenario_path()), "-o", str(folder / "r.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "a\\nfolder" in err


def test_window_messages_escape_the_names_of_files_but_keep_their_own_layout(tmp_path):
    path = filesafety.absolute(tmp_path / "two\nlines.json")  # every window path passes here
    message = (f"Could not save {path.name} in {path.parent}: disk full.\n\n"
               f"The file on disk was not changed.")
    shown = filesafety.shown(message)
    assert "two\\nlines.json" in shown and "two\nlines" not in shown
    assert shown.endswith(".\n\nThe file on disk was not changed.")  # the message's own paragraphs
    assert "\n" not in filesafety.shown(f"{path.name} could not be opened", one_line=True)
    assert filesafety.shown("tab\there \x1b[0m", one_line=False) == "tab\\there \\x1b[0m"


@NO_CONTROLS
def test_the_problems_box_and_status_bar_show_one_line_per_name(qtbot, tmp_path, example):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QMessageBox

    from charityrisk.gui.prompts import Prompts
    from charityrisk.gui.window import MainWindow

    w = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), prompts=Prompts())
    qtbot.addWidget(w)
    w.load(example, None)
    w.show()
    broken = tmp_path / "bad\nname.json"
    broken.write_text("{not json", encoding="utf-8")
    assert not w.open_path(broken)
    boxes = [b for b in QApplication.topLevelWidgets() if isinstance(b, QMessageBox)
             and b.objectName() == "problems_box" and b.isVisible()]
    assert boxes, "the problems box did not open"
    box = boxes[-1]
    try:
        assert box.text() == "bad\\nname.json could not be opened"
        assert all("\n" not in line for line in [box.text()])
        assert box.informativeText().count("\n") == 0  # one problem, one line
    finally:
        box.close()
    warned = tmp_path / "look\nalike.json"
    data = example_data()
    data["contracts"][0]["p_no_referals"] = 0.1
    warned.write_text(json.dumps(data), encoding="utf-8")
    assert w.open_path(warned)
    said = w.statusBar().currentMessage()
    assert "look\\nalike.json" in said and "\n" not in said
    w.runner.shutdown()


def test_a_recovered_file_name_with_a_newline_is_escaped_in_the_restore_question(tmp_path):
    from charityrisk.gui.recovery import read_recovery, restore_question

    original = tmp_path / "bid\nfinal.json"
    file = tmp_path / "session-1-dead.json"
    file.write_text(json.dumps({"format": "charityrisk-recovery", "version": 1, "saved_at": "",
                                "original_path": str(original), "scenario": {}, "last_valid": None}))
    question = filesafety.shown(restore_question(read_recovery(file)))
    assert "bid\\nfinal.json" in question and "bid\nfinal" not in question
    assert "\n\nRestore them now?" in question  # the question's own paragraphs stay
