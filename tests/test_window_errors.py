"""A run that raises (gui.worker emits the exception, as superqt's ``errored`` does): the window
tells the user's figures from a fault of the app."""
from __future__ import annotations

from charityrisk.gui import runs as runs_module
from charityrisk.model import ScenarioError, spec
from charityrisk.model.problems import OTHER, Problem


def raising(error):
    def steps(*args, **kwargs):
        raise error
        yield  # a generator, as simulation_steps is
    return steps


def test_figures_that_cannot_be_simulated_are_named_beside_their_field(qtbot, window, prompts, monkeypatch):
    shown = window.results_panel.results
    problem = Problem("organisation.opening_reserves", OTHER, {}, "too large to simulate")
    monkeypatch.setattr(runs_module, "simulation_steps", raising(ScenarioError([problem])))
    with qtbot.waitSignal(window.runner.errored, timeout=30_000):
        window.run_simulation()
    status = window.results_panel.status.text()
    assert "could not run" in status
    assert f"{spec('organisation.opening_reserves').label}: too large to simulate" in status  # the field, by name
    assert "organisation.opening_reserves" in window.form.problem_fields()
    assert prompts.messages("show_error") == []  # the user's input: no fault reported
    assert window.results_panel.results is shown  # the last good figures stay


def test_a_fault_of_the_app_is_said_shortly_and_the_work_kept(qtbot, window, prompts, monkeypatch, example):
    shown = window.results_panel.results
    monkeypatch.setattr(runs_module, "simulation_steps", raising(ZeroDivisionError("division by zero")))
    with qtbot.waitSignal(window.runner.errored, timeout=30_000):
        window.run_simulation()
    [message] = prompts.messages("show_error")
    assert message.startswith("Something went wrong while simulating")
    assert "ZeroDivisionError: division by zero" in message  # the details, to pass on
    assert "Something went wrong" in window.results_panel.status.text()
    assert window.scenario == example and window.results_panel.results is shown
