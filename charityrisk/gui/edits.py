"""Edits as undo steps, the scenarios a window starts from (File > New, the example), and
the window's title, which says when the example is on screen.

Undo and redo swap whole scenarios: they are small and immutable, so a step is the scenario
before and after, and applying one is showing a scenario.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtGui import QUndoCommand

from ..model import Scenario, ScenarioError, load_scenario
from ..model.fields import example_dict, new_scenario
from ..resources import example_scenario_path
from .state import WindowState


class Edit(QUndoCommand):
    """One settled edit; ``apply`` shows a scenario (the window's apply_scenario)."""

    def __init__(self, apply: Callable[[Scenario], None], before: Scenario, after: Scenario):
        super().__init__("edit")
        self._apply, self._before, self._after = apply, before, after
        self._first = True

    def redo(self) -> None:
        if self._first:  # pushing the command must not re-apply what the user just typed
            self._first = False
            return
        self._apply(self._after)

    def undo(self) -> None:
        self._apply(self._before)


def share_unknown_parts(before: Scenario, after: Scenario) -> Scenario:
    """``after`` holding ``before``'s unknown-key objects wherever they are equal, so the undo
    stack keeps one copy of what another version wrote, not one per edit (the form hands out
    fresh copies each time)."""
    def shared(old, new):
        return old.extra if old.extra == new.extra and old.extra is not new.extra else new.extra

    contracts = tuple(replace(c, extra=shared(before.contracts[i], c)) if i < len(before.contracts) else c
                      for i, c in enumerate(after.contracts))
    organisation = replace(after.organisation, extra=shared(before.organisation, after.organisation))
    return replace(after, extra=shared(before, after), organisation=organisation, contracts=contracts)


def example_name() -> str:
    """The built-in example's name (read once)."""
    global _EXAMPLE_NAME
    if _EXAMPLE_NAME is None:
        try:
            _EXAMPLE_NAME = load_scenario(example_scenario_path()).name
        except (ScenarioError, OSError):
            _EXAMPLE_NAME = ""
    return _EXAMPLE_NAME


_EXAMPLE_NAME: str | None = None


def showing_example(state: WindowState) -> bool:
    """Whether the built-in example (or an unsaved edit of it that kept its name) is shown."""
    scenario = state.scenario
    return state.path is None and scenario is not None and bool(scenario.name) and scenario.name == example_name()


def window_title(state: WindowState) -> str:
    """The scenario's own name titles the window; the example says that it is one."""
    if showing_example(state):
        return "Example scenario: a made-up charity"
    name = state.scenario.name.strip() if state.scenario is not None and state.scenario.name else ""
    if name and state.path:
        return f"{name} ({state.path.name})"
    return name or (state.path.name if state.path else "Untitled")


def blank_base() -> dict:
    """A valid scenario with nothing in it (the base Undo goes back to after File > New)."""
    return new_scenario()


def blank_data(name: str = "") -> dict:
    """File > New: one contract whose amounts are blank (None) for the user to fill in; the
    other terms are neutral starting points (nothing paid late, nothing that never comes),
    as the field table's ``blank`` and ``example`` columns say."""
    return {**new_scenario(blank=True), "name": name, "contracts": [example_dict("contracts[]", blank=True)]}
