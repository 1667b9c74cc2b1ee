"""The window's simulations: one run at a time off the GUI thread, a quick first answer
before the full one, and what the user is told when a run cannot finish.

The state numbers each run (``start_run``) and drops any result that is not the newest's
(``accept_results``): one count, which the runner uses to drop a superseded run's progress
too.  Views never compute risk: this only starts the engine and hands its results on.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from ..engine import simulation_steps
from ..engine.simulate import run_steps
from ..model import ScenarioError
from ..model.fields import spec_of
from ..model.scenario import run_size_problem
from .faults import fault_text, named_problems
from .form import ScenarioForm
from .prompts import Prompts
from .results_panel import ResultsPanel
from .state import WindowState
from .worker import Preview, Runner

# A first answer from this many futures is shown within moments of an edit (about a tenth
# of the time of a 20,000-future run), then replaced by the full run's.
FIRST_ANSWER_PATHS = 2_000
FIRST_DRAW_WAIT_S = 0.5  # the full run starts anyway if the first answer's draw takes longer
BUSY_DELAY_MS = 500  # show "Computing..." only for runs that outlast this (glue)


class Runs(QObject):
    def __init__(self, state: WindowState, form: ScenarioForm, panel: ResultsPanel, prompts: Prompts,
                 shown: Callable[[object], None], parent: QObject | None = None):
        super().__init__(parent)
        self.state, self.form, self.panel, self.prompts, self._shown = state, form, panel, prompts, shown
        self.runner = Runner(self)
        self.runner.progress.connect(panel.set_progress)
        self.runner.finished.connect(self._on_results)
        self.runner.preview.connect(self._on_first_answer)
        self.runner.errored.connect(self._on_errored)
        self.runner.cancelled.connect(self._on_cancelled)
        self.runner.busy_changed.connect(self._on_busy_changed)
        panel.cancel_requested.connect(self.runner.cancel)
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(lambda: panel.show_busy(True))

    def run(self) -> None:
        """Simulate the state's scenario: a first answer at once when the run is large."""
        scenario = self.state.scenario
        if scenario is None:
            return
        too_slow = run_size_problem(scenario)  # the command line's limit too: one rule
        if too_slow is not None:
            self.runner.cancel()
            self.form.mark_problems([too_slow])
            self.state.update(note=(
                "Results below are for the last scenario that could run: "
                f"{spec_of('simulation', 'paths').label}: {too_slow.message}. "
                "Lower the number of futures to run it."))
            return
        paths, seed = scenario.settings.paths, scenario.settings.seed
        self.panel.set_progress(0, paths)
        run = self.state.start_run()
        first = FIRST_ANSWER_PATHS if paths >= 2 * FIRST_ANSWER_PATHS else 0
        shown = threading.Event()

        def steps():
            if first:  # a first answer at once (one block: no cancel point needed), then the full run
                yield Preview((run, scenario, run_steps(simulation_steps(scenario, first, seed)), shown))
                # The full run's threads would take both cores (and the GIL) from the first
                # answer's drawing, slowing it by half: they wait until it is on screen.
                shown.wait(FIRST_DRAW_WAIT_S)
            results = yield from simulation_steps(scenario, paths, seed, scenario.settings.precision)
            return run, scenario, results
        self.runner.start(steps, run)

    def _on_busy_changed(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.panel.show_busy(False)

    def _on_first_answer(self, value) -> None:
        """Show a small run's answer while the full run goes on: its figures carry their own
        (wider) error and say how many futures they are from; the note says more are coming."""
        run, scenario, results, shown = value
        if self.state.accept_results(run, scenario, results):
            self.panel.set_status(f"First estimate from {results.paths:,} futures; refining to "
                                  f"{scenario.settings.paths:,}...")
            self.panel.canvas.when_drawn(shown.set)
        else:
            shown.set()

    def _on_results(self, value) -> None:
        run, scenario, results = value
        if self.state.accept_results(run, scenario, results):
            self._shown(results)

    def _on_errored(self, error: BaseException) -> None:
        """The user's figures cannot be simulated (too large): say which, beside their
        fields.  Anything else is a fault of the app: say so, and keep the work."""
        if isinstance(error, ScenarioError):
            on_fields = [p for p in error.problems if p.path]
            if on_fields:
                self.form.mark_problems(on_fields)
            self.state.update(note=f"The simulation could not run: {named_problems(error.problems)}")
            return
        self.state.update(note="Something went wrong in the simulation; the results below are "
                               "from the last run that worked. Press F5 to try again.")
        self.prompts.show_error(fault_text("simulating your scenario", error))

    def _on_cancelled(self) -> None:
        self.state.update(note="Simulation cancelled; press F5 to run it again.")
