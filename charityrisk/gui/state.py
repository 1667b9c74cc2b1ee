"""The window's state in one plain object (as glue's State does).

The window changes it; views (the results panel, the decisions panel, the title bar) render
from it when it says it changed.  No Qt here: a list of callbacks is the whole observer, so
the state can be built and checked in a test without a window.

What it holds: the scenario (the last valid one from the form), the file path, whether the
work is unsaved, the results on screen with the run they came from, why those results are not
for the form now (``note``), and the answers of the decision tools with the scenario each was
computed for.  Results of a run that is no longer the latest are dropped, never shown.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.results import Results
from ..model.scenario import Scenario

Listener = Callable[["WindowState"], None]


@dataclass(frozen=True)
class Shown:
    """Results on screen: the run that computed them and the scenario they are for."""

    run: int
    scenario: Scenario
    results: Results


@dataclass(frozen=True)
class Answer:
    """A decision tool's answer (an Analysis or a Comparison) and the scenario it is for."""

    scenario: Scenario
    value: Any


class WindowState:
    def __init__(self) -> None:
        self.scenario: Scenario | None = None  # last valid scenario from the form
        self.path: Path | None = None  # the file being edited (None: never saved)
        self.unsaved_edits = False  # edits since the last save or open (the undo stack is not clean)
        self.invalid = False  # the form has a value to fix: unsaved, and nothing simulates it
        self.run = 0  # the number of the latest simulation asked for
        self.results: Shown | None = None
        self.note = ""  # why the results on screen are not for the form; "" when they are
        self.analysis: Answer | None = None
        self.comparison: Answer | None = None
        self._listeners: list[Listener] = []

    # ----- observing -------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def update(self, **changes: Any) -> None:
        """Set several fields and tell the views once."""
        for name, value in changes.items():
            if not hasattr(self, name) or name.startswith("_"):
                raise AttributeError(f"WindowState has no field {name!r}")
            setattr(self, name, value)
        self.changed()

    # ----- derived -----------------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return self.unsaved_edits or self.invalid

    @property
    def results_scenario(self) -> Scenario | None:
        return self.results.scenario if self.results is not None else None

    def answer_for(self, kind: str, scenario: Scenario | None) -> Any:
        """The analysis or comparison if it was computed for ``scenario``, else None."""
        answer: Answer | None = getattr(self, kind)
        return answer.value if answer is not None and answer.scenario == scenario else None

    # ----- runs ----------------------------------------------------------------------------------
    def start_run(self) -> int:
        """A new simulation is asked for; any earlier one's results will be dropped.  The one
        count of runs: the runner tags the job with it rather than counting its own."""
        self.run += 1
        return self.run

    def accept_results(self, run: int, scenario: Scenario, results: Results) -> bool:
        """Show results of ``run`` unless a later run was asked for since; True if shown."""
        if run != self.run:
            return False
        self.update(results=Shown(run, scenario, results), note="")
        return True

    def set_answer(self, kind: str, scenario: Scenario, value: Any) -> None:
        if kind not in ("analysis", "comparison"):
            raise ValueError(f"no decision answer called {kind!r}")
        self.update(**{kind: Answer(scenario, value)})
