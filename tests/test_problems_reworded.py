"""Rewording every problem message changes nothing the app does: the form marks the same
fields, a file with values out of range still opens with them marked, the command line still
names the key.  They all read a Problem's path, code and limits, never its English."""
import copy
import json

import pytest

from charityrisk import cli
from charityrisk.model import Problem, ScenarioError, scenario_from_dict, validate
from charityrisk.model import problems as problems_module
from charityrisk.model.fileformat import scenario_to_dict

WORDS = "wibble"


@pytest.fixture
def reworded(monkeypatch):
    """Every message the model makes is now the same meaningless word and its code."""
    monkeypatch.setattr(problems_module, "describe", lambda code, limits: f"{WORDS} {code}")


@pytest.fixture
def example_dict(example):
    return scenario_to_dict(example)


def test_messages_really_are_reworded(reworded, example_dict):
    data = copy.deepcopy(example_dict)
    data["contracts"][0]["share_at_risk"] = 1.4
    [p] = validate(data)
    assert p.text == str(p) == f"contracts[0].share_at_risk: {WORDS} range" and p.message == f"{WORDS} range"
    assert (p.path, p.code, p.limits["lo"], p.limits["hi"], p.got) == ("contracts[0].share_at_risk", "range",
                                                                           0, 1, 1.4)


def test_form_marks_the_right_fields_whatever_the_wording(qtbot, reworded, example):
    from charityrisk.gui.form import ScenarioForm

    form = ScenarioForm()
    qtbot.addWidget(form)
    form.set_scenario(example)
    form._fields["contract.success_rate"].spins["low"].setValue(99)  # above most likely
    form._fields["organisation.monthly_other_income"].spins["low"].setValue(10**9)
    scenario, problems = form.scenario()
    assert scenario is None
    assert {(p.path, p.code) for p in problems} == {("contracts[0].success_rate", "order"),
                                                    ("organisation.monthly_other_income", "order")}
    assert set(form.problem_fields()) == {"contract.success_rate", "organisation.monthly_other_income"}
    note = form.findChild(type(form.summary), "error:contract.success_rate").text()
    assert note.startswith("Low must not be more than most likely") and WORDS not in note


def test_form_marks_a_contract_problem_in_another_contract(qtbot, reworded, example):
    from charityrisk.gui.form import ScenarioForm

    form = ScenarioForm()
    qtbot.addWidget(form)
    form.set_scenario(example)
    form.duplicate_contract()
    form.select_contract(0)
    data = form.to_dict()
    data["contracts"][1]["share_at_risk"] = 1.4
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    form._apply_problems(info.value.problems)
    text = form.contracts_problems.text()
    assert "2. " in text and "Share paid on results: Must be between 0% and 100% (now 140%)." in text


def test_window_opens_a_file_to_fix_whatever_the_wording(qtbot, tmp_path, monkeypatch, reworded, example):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from charityrisk.gui.window import MainWindow, fixable

    data = scenario_to_dict(example)
    data["contracts"][0]["outcome_lag_months"] = 300  # out of range: a field can show it
    bad = tmp_path / "to_fix.json"
    bad.write_text(json.dumps(data))
    assert fixable(validate(data))
    data["contracts"][0]["outcome_lag_months"] = "twelve"  # the wrong type: no field can hold it
    assert not fixable(validate(data))

    asked = []
    monkeypatch.setattr(MainWindow, "run_simulation", lambda self: None)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Open)
    w = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.load(example, None)
    assert w.open_path(bad) and asked
    w.runner.shutdown()


def test_command_line_names_the_key_whatever_the_wording(tmp_path, capsys, reworded, example_dict):
    data = copy.deepcopy(example_dict)
    data["contracts"][0]["share_at_risk"] = 1.4
    data["horizon_months"] = 500
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    assert cli.main(["simulate", str(path), "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"charityrisk: {path}: horizon_months: {WORDS} range (and 1 more problem)"


def test_a_problem_is_data_with_its_one_line_text_and_survives_copying():
    p = Problem("contracts[0].exit_cost", "range", {"lo": 0, "hi": 1e10, "got": -1}, "must be at least 0")
    assert not isinstance(p, str)  # code reads its path and code; people read its text
    assert p.text == str(p) == f"{p}" == "contracts[0].exit_cost: must be at least 0"
    assert Problem("", "other", {}, "file: plain text").text == "file: plain text"
    with pytest.raises(AttributeError):
        p.path = "horizon_months"  # type: ignore[misc]  # frozen: a problem found stays as found
    again = copy.deepcopy(p)
    assert again == p and (again.path, again.code, again.limits) == (p.path, p.code, p.limits)
    error = ScenarioError([p, "file: plain text"])
    assert error.messages == ["contracts[0].exit_cost: must be at least 0", "file: plain text"]
    assert error.problems[1].code == "other" and str(error) == "; ".join(error.messages)
