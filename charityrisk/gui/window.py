"""The main window: scenario form on the left, live results on the right, File and Edit menus."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QFrame, QMainWindow, QScrollArea, QSplitter, QTabWidget

from .. import APP_NAME, __version__
from ..engine import simulation_steps
from ..engine.simulate import run_steps
from ..model import (
    Problem,
    Scenario,
    ScenarioError,
    load_scenario,
    save_scenario,
    scenario_from_dict,
    scenario_to_dict,
    spec,
)
from ..model.budget_import import imported_scenario
from ..model.fields import spec as field_spec
from ..model.fields import spec_of
from ..model.forecast import ForecastError, ForecastImport, read_forecast
from ..model.problems import FIXABLE_CODES
from ..model.scenario import run_size_problem
from ..report.export import write_csv
from ..report.pdf import write_report
from ..resources import example_scenario_path
from .decisions_panel import DecisionsPanel
from .filesafety import FileStamp, SaveOutcome, absolute, write_scenario_file
from .focus_ring import add_focus_ring
from .form import ScenarioForm
from .import_dialog import ImportPreviewDialog
from .monthly_panel import MonthlyPanel
from .prompts import FORECAST_FILTER, SCENARIO_FILTER, Prompts
from .recovery import Document, RecoveryManager, is_small_data
from .results_panel import ResultsPanel
from .state import WindowState
from .variants_panel import VariantsPanel
from .worker import Preview, Runner, once


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


BLANK_HEADLINE = ("Fill in the amounts marked “Required” on the left: the chance of running out "
                  "appears here once every amount is in.")


def blank_base() -> dict:
    """A valid scenario with nothing in it (the base Undo goes back to after File > New)."""
    return {"name": "", "horizon_months": 36,
            "organisation": {"opening_reserves": 0, "monthly_other_income": 0, "monthly_core_costs": 0},
            "contracts": []}


def blank_data(name: str = "") -> dict:
    """File > New: one contract whose amounts are blank (None) for the user to fill in; the
    other terms are neutral starting points (nothing paid late, nothing that never comes)."""
    from .form import NEW_CONTRACT

    contract = {**NEW_CONTRACT, "name": "Contract 1", "price_per_referral": None,
                "cost_per_referral": None, "fixed_monthly_cost": 0}
    return {"name": name, "horizon_months": 36,
            "organisation": {"opening_reserves": None, "monthly_other_income": 0,
                             "monthly_core_costs": None, "overdraft_facility": 0, "reserves_floor": 0},
            "contracts": [contract]}


# Keyboard users must see where they are in every style, including platforms that draw no
# focus frame on an inactive window: an outline on buttons and text boxes, a tint on spin
# boxes and lists (a border there would make Qt draw their arrows by hand, badly).
FOCUS_STYLE = """
QPushButton:focus { border: 2px solid #1a5fb4; border-radius: 3px; padding: 3px 8px; }
QLineEdit:focus, QPlainTextEdit:focus { border: 2px solid #1a5fb4; border-radius: 3px; }
QAbstractSpinBox:focus, QComboBox:focus { background-color: #e3ecfa; }
QCheckBox:focus { background-color: #e3ecfa; }
"""

EDIT_DEBOUNCE_MS = 300  # a short moment after typing stops
# A first answer from this many futures is shown within moments of an edit (about a tenth
# of the time of a 20,000-future run), then replaced by the full run's.
FIRST_ANSWER_PATHS = 2_000
FIRST_DRAW_WAIT_S = 0.5  # the full run starts anyway if the first answer's draw takes longer
BUSY_DELAY_MS = 500  # show "Computing..." only for runs that outlast this (glue)
MAX_RECENT = 8
UNDO_LIMIT = 200  # steps kept: each holds a whole scenario (unknown keys shared between steps)
STATUS_MS = 15_000
FILE_FILTER = SCENARIO_FILTER


def fixable(problems: list[Problem]) -> bool:
    """Whether the form can show every problem on its field: values of the right kind, out of
    range or order, in inputs the form has (read from each Problem's code and path).  A wrong
    type, a missing key or a broken structure cannot be put in a field."""
    def on_a_field(p: Problem) -> bool:
        row = spec(p.path)
        in_table = row is not None and row.owner in ("organisation.budget[]", "contracts[].outcome_payments[]")
        return p.code in FIXABLE_CODES and row is not None and (row.in_form or in_table)
    return bool(problems) and all(isinstance(p, Problem) and on_a_field(p) for p in problems)


def _outside_form(ours: dict, theirs: dict, owner: str = "", only_unknown: bool = False) -> dict:
    """``ours`` (a valid scenario's dict) with everything the form has no input for taken from
    ``theirs`` (a file's dict): its name, unknown keys, budget lines... The contracts are left
    as ours: the form takes a file's contracts whole.  ``only_unknown`` takes only text and
    keys the app does not know, which can never make the result invalid."""
    out: dict = {}
    for key in list(theirs) + [k for k in ours if k not in theirs]:
        path = f"{owner}.{key}" if owner else key
        row = field_spec(path)
        if (not owner and key in ("format", "version", "contracts")) or (row is not None and row.in_form):
            if key in ours:
                out[key] = ours[key]
        elif not owner and key in ("organisation", "simulation") and isinstance(ours.get(key), dict) \
                and isinstance(theirs.get(key), dict):
            out[key] = _outside_form(ours[key], theirs[key], key, only_unknown)
        elif only_unknown and row is not None and row.kind != "text":
            if key in ours:
                out[key] = ours[key]
        elif key in theirs:
            out[key] = theirs[key]
    return out


def share_unknown_parts(before: Scenario, after: Scenario) -> Scenario:
    """``after`` holding ``before``'s unknown-key objects wherever they are equal, so the undo
    stack keeps one copy of what another version wrote, not one per edit (the form hands out
    fresh copies each time)."""
    from dataclasses import replace

    def shared(old, new):
        return old.extra if old.extra == new.extra and old.extra is not new.extra else new.extra

    contracts = tuple(replace(c, extra=shared(before.contracts[i], c)) if i < len(before.contracts) else c
                      for i, c in enumerate(after.contracts))
    organisation = replace(after.organisation, extra=shared(before.organisation, after.organisation))
    return replace(after, extra=shared(before, after), organisation=organisation, contracts=contracts)


def _same_file(a: Path, b: Path) -> bool:
    """One file, whatever the spelling (a link, a hard link, another case on Windows)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return absolute(a) == absolute(b)


@dataclass
class _Save:
    """A save under way: where to, the window's edit count when it began (what it writes),
    and what waits for it."""

    path: Path
    edits: int
    again: bool = False  # Save was chosen again meanwhile: save the newer work after it
    retry: Callable[[], Any] | None = None  # the action to carry on with once it has succeeded


class _Edit(QUndoCommand):
    """One settled edit: undo and redo swap whole scenarios (they are small and immutable)."""

    def __init__(self, window: MainWindow, before: Scenario, after: Scenario):
        super().__init__("edit")
        self._window, self._before, self._after = window, before, after
        self._first = True

    def redo(self) -> None:
        if self._first:  # pushing the command must not re-apply what the user just typed
            self._first = False
            return
        self._window.apply_scenario(self._after)

    def undo(self) -> None:
        self._window.apply_scenario(self._before)


class MainWindow(QMainWindow):
    """The window changes ``self.state`` and the views render from it (``_render``); every
    question and message goes through ``self.prompts``."""

    results_shown = Signal(object)  # the Results now on screen (tests and --smoke wait on it)
    exported = Signal(object)  # the path of a report or CSV just written
    start_wizard: Any = None  # the guided setup while it is open (gui.start)
    help_dialog: Any = None  # Help > How to read the results, once opened

    def __init__(self, settings: QSettings | None = None, prompts: Prompts | None = None):
        super().__init__()
        self.settings = settings or QSettings("CharityRisk", "CharityRisk")
        self.prompts = prompts if prompts is not None else Prompts()
        if self.prompts.parent is None:
            self.prompts.parent = self
        self.state = WindowState()
        self.recovery: RecoveryManager | None = None  # set by a RecoveryManager watching this window
        self._applying = False

        self.form = ScenarioForm()
        self.results_panel = ResultsPanel()
        self.decisions_panel = DecisionsPanel(state=self.state, prompts=self.prompts)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("results_tabs")
        add_focus_ring(self.tabs.tabBar())  # the style draws none on a tab bar (issue 13)
        self.tabs.addTab(self.results_panel, "Risk of running out")
        self.tabs.addTab(self.decisions_panel, "What would make it safe")
        self.monthly_panel = MonthlyPanel()
        self.tabs.addTab(self.monthly_panel, "Month by month")
        self.variants_panel = VariantsPanel(state=self.state, prompts=self.prompts)  # issue 13: variants
        self.tabs.addTab(self.variants_panel, "Try different terms")
        self.tabs.currentChanged.connect(lambda _: self.monthly_panel.fill_if_shown())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.form)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([480, 960])
        self.setCentralWidget(splitter)
        from .main import fit_to_screen

        self._scroll_tab_pages()
        fit_to_screen(self)  # sized to the screen it opens on (issue 13), not a fixed 1440 x 900

        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)  # only possible while the stack is empty
        self._stamp: FileStamp | None = None  # the file at self.path as this window last saw it
        self.undo_stack.cleanChanged.connect(self._sync_modified)
        # Counts every edit, undo and redo: a save marks the work saved only if none came
        # while it was being written (the undo index alone repeats once old steps drop off).
        self._edits = 0
        self.undo_stack.indexChanged.connect(self._count_edit)
        self._saving: _Save | None = None  # the save being written on the worker thread
        self.save_runner = Runner(self)  # a large scenario is serialised and written there
        self.save_runner.finished.connect(self._on_save_finished)
        self.save_runner.failed.connect(self._on_save_failed)
        self.state.subscribe(self._render)
        self.runner = Runner(self)
        self.runner.progress.connect(self.results_panel.set_progress)
        self.runner.finished.connect(self._on_results)
        self.runner.preview.connect(self._on_first_answer)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        self.runner.busy_changed.connect(self._on_busy_changed)
        self.results_panel.cancel_requested.connect(self.runner.cancel)
        self.export_runner = Runner(self)  # PDF drawing takes a second: off the GUI thread too
        self.export_runner.finished.connect(self._on_exported)
        self.export_runner.failed.connect(self._on_export_failed)

        self._debounce = QTimer(self, singleShot=True, interval=EDIT_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._settle_edit)
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(lambda: self.results_panel.show_busy(True))
        self.form.edited.connect(self._on_edited)
        self.variants_panel.settle = self.settle_now
        self.variants_panel.change_requested.connect(self.change_scenario)

        self._build_menus()
        self.setStyleSheet(FOCUS_STYLE)
        self._sync_modified()

    # ----- menus -------------------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut=None, name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.setObjectName(name)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&New", self.new_scenario, QKeySequence.StandardKey.New, "new")
        self._action(file_menu, "&Open...", self.open_dialog, QKeySequence.StandardKey.Open, "open")
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self._fill_recent()
        file_menu.addSeparator()
        self._action(file_menu, "&Save", self.save, QKeySequence.StandardKey.Save, "save")
        self._action(file_menu, "Save &As...", self.save_as, QKeySequence.StandardKey.SaveAs, "save_as")
        file_menu.addSeparator()
        self._action(file_menu, "&Import cash-flow forecast...", self.import_forecast, None, "import_forecast")
        self._action(file_menu, "&Export report (PDF)...", self.export_report, QKeySequence("Ctrl+E"), "export_report")
        self._action(file_menu, "Export &figures (CSV for Excel)...", self.export_csv, None, "export_csv")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit, "quit")

        edit_menu = self.menuBar().addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)

        sim_menu = self.menuBar().addMenu("&Simulation")
        self._action(sim_menu, "&Run again", self.run_simulation, QKeySequence("F5"), "run")
        self._action(sim_menu, "&Cancel", self.runner.cancel, QKeySequence("Esc"), "cancel_run")

        scenario_menu = self.menuBar().addMenu("Scenar&io")
        self._action(scenario_menu, "&Try different terms...", self.try_different_terms, None, "try_terms")
        self._action(scenario_menu, "&Compare variants", self.compare_variants, None, "compare_variants")

        help_menu = self.menuBar().addMenu("&Help")
        self._build_help_menu(help_menu)
        self._action(help_menu, f"&About {APP_NAME}", self.show_about, None, "about")

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for name in self.recent_files():
            self.recent_menu.addAction(name, partial(self.open_path_checked, name))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        files = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else []
        # A name without its folder (kept by older versions) would open whatever file of
        # that name is in the folder the app happens to start in: left out.
        return [f for f in files if isinstance(f, str) and f and Path(f).is_absolute()][:MAX_RECENT]

    def _remember(self, path: Path) -> None:
        path = absolute(path)
        files = [str(path)] + [f for f in self.recent_files() if f != str(path)]
        self.settings.setValue("recent_files", files[:MAX_RECENT])
        self._fill_recent()

    # ----- scenario state ----------------------------------------------------------------
    @property
    def scenario(self) -> Scenario | None:
        """The last valid scenario from the form."""
        return self.state.scenario

    @property
    def path(self) -> Path | None:
        return self.state.path

    @property
    def results_scenario(self) -> Scenario | None:
        """The scenario the results on screen are for."""
        return self.state.results_scenario

    def is_modified(self) -> bool:
        return self.state.modified

    def _sync_modified(self) -> None:
        """Bring the state's unsaved flag in line with the undo stack, then redraw from it."""
        self.state.update(unsaved_edits=not self.undo_stack.isClean())

    def _render(self, state: WindowState) -> None:
        self._render_title(state)
        self.results_panel.render_state(state)
        self.decisions_panel.render_state(state)
        self.monthly_panel.render_state(state)

    def apply_scenario(self, scenario: Scenario) -> None:
        """Show a scenario in the form (open, undo, redo) and simulate it."""
        self._applying = True
        try:
            self.form.set_scenario(scenario)
        finally:
            self._applying = False
        self.state.update(scenario=scenario, invalid=False, unsaved_edits=not self.undo_stack.isClean())
        self.run_simulation()

    def load(self, scenario: Scenario, path: Path | None) -> None:
        path = absolute(path) if path is not None else None
        self.state.path = path  # told to the views with the scenario, next
        self._stamp = FileStamp.of(path) if path is not None else None
        self.undo_stack.clear()
        self.apply_scenario(scenario)
        self.undo_stack.setClean()
        self._sync_modified()

    def _on_edited(self) -> None:
        if not self._applying:
            self.state.update(note="Updating for your change...")
            self._debounce.start()

    def settle_now(self) -> None:
        """Take the form's pending edit now instead of after the typing pause."""
        self._debounce.stop()
        self._settle_edit()

    def _settle_edit(self) -> None:
        scenario, problems = self.form.scenario()
        if scenario is None:
            self.runner.cancel()
            self.state.update(invalid=True, note=(
                "Results below are for the last complete scenario: fix the highlighted "
                f"field{'s' if len(problems) > 1 else ''} on the left to update them."))
            return
        if self.scenario is not None and scenario != self.scenario:
            scenario = share_unknown_parts(self.scenario, scenario)
            self.undo_stack.push(_Edit(self, self.scenario, scenario))
        self.state.update(scenario=scenario, invalid=False, unsaved_edits=not self.undo_stack.isClean())
        self.run_simulation()

    def change_scenario(self, after: Scenario, what: str = "") -> None:
        """A change made outside the form (the variants panel), as one undoable step.  When
        only the variants changed, the results on screen stay: they are for the same terms."""
        before = self.scenario
        if before is None:
            return
        self.undo_stack.push(_Edit(self, before, after))
        if after == before:  # Scenario equality leaves the variants out
            self._applying = True
            try:
                self.form.set_scenario(after)
            finally:
                self._applying = False
            self.state.update(scenario=after, unsaved_edits=not self.undo_stack.isClean())
        else:
            self.apply_scenario(after)
        if what:
            self.statusBar().showMessage(what, 10_000)

    def show_variants(self) -> None:
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is self.variants_panel or (isinstance(page, QScrollArea) and page.widget() is self.variants_panel):
                self.tabs.setCurrentIndex(index)

    def try_different_terms(self) -> None:
        self.show_variants()
        self.variants_panel.try_different_terms()

    def compare_variants(self) -> None:
        self.show_variants()
        self.variants_panel.run_comparison()

    # ----- recovery (the Recoverable protocol of gui.recovery) ----------------------------
    def current_document(self) -> Document:
        """The work on screen, valid or not, for the recovery file."""
        current = self.form.to_dict()
        if not self.state.invalid and not self._debounce.isActive():
            last_valid: dict | None = current  # the form shows the last valid scenario: kept once
        else:
            last_valid = scenario_to_dict(self.scenario) if isinstance(self.scenario, Scenario) else None
        return Document(scenario=current, last_valid=last_valid, original_path=self.path)

    def show_status(self, text: str) -> None:
        """Recovery's word on the work's safety (kept, or not kept and why), in the status bar."""
        self.statusBar().showMessage(text, STATUS_MS)

    def restore(self, document: Document) -> bool:
        """Show recovered work as an unsaved edit of the file it came from.

        The file it was editing (or the last valid scenario kept with it) is opened first,
        then the recovered values go into the form as an edit: the window shows it as
        modified, Undo goes back to the saved file, and Save writes to the original path.
        """
        base = None
        on_disk = False  # is there a saved version for Undo to go back to?
        stamp = None
        if document.original_path is not None:
            try:
                stamp = FileStamp.of(document.original_path)
                base = load_scenario(document.original_path)
                on_disk = True
            except ScenarioError:
                base = None  # moved, deleted or unreadable: Save will write it again
        if base is None and document.last_valid is not None:
            try:
                base = scenario_from_dict(document.last_valid)
            except ScenarioError:
                base = None
        if base is None:
            base = self._file_base(document.scenario)
        if base is None:
            return False
        self.load(base, document.original_path)
        self._stamp = stamp
        try:
            try:
                self.form.set_scenario(scenario_from_dict(document.scenario))
            except ScenarioError:
                self.form.show_data(document.scenario)
        except Exception as error:  # a damaged record: keep the base and say so
            self.load(base, document.original_path)
            self.show_problems("The recovered changes could not be restored",
                               [f"recovery: {type(error).__name__}: {error}"])
            return False
        self._on_edited()  # taken as the user's edit (results marked stale)...
        self.settle_now()  # ...settled now rather than after the typing pause
        if not on_disk:  # no saved version: the work is unsaved even where it matches the base
            self.undo_stack.resetClean()
            self._sync_modified()
        return True

    # ----- simulation --------------------------------------------------------------------
    def run_simulation(self) -> None:
        scenario = self.scenario
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
        self.results_panel.set_progress(0, paths)
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
        self.runner.start(steps)

    def _on_busy_changed(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.results_panel.show_busy(False)

    def _on_first_answer(self, value) -> None:
        """Show a small run's answer while the full run goes on: its figures carry their own
        (wider) error and say how many futures they are from; the note says more are coming."""
        run, scenario, results, shown = value
        if self.state.accept_results(run, scenario, results):
            self.results_panel.set_status(
                f"First estimate from {results.paths:,} futures; refining to "
                f"{scenario.settings.paths:,}...")
            self.results_panel.canvas.when_drawn(shown.set)
        else:
            shown.set()

    def _on_results(self, value) -> None:
        run, scenario, results = value
        if self.state.accept_results(run, scenario, results):  # an older run's are dropped
            self.results_shown.emit(results)

    def _on_failed(self, message: str) -> None:
        self.state.update(note=f"The simulation failed: {message}")

    def _on_cancelled(self) -> None:
        self.state.update(note="Simulation cancelled; press F5 to run it again.")

    # ----- files -------------------------------------------------------------------------
    def maybe_save(self, retry: Callable[[], Any] | None = None) -> bool:
        """True when it is fine to discard the current scenario now.  False while a save is
        being written on the worker thread: then ``retry`` (the action that asked, run again
        from the start) is called once the save has succeeded."""
        if self.saving is not None:
            self._after_save(retry)
            return False
        if not self.is_modified():
            return True
        answer = self.prompts.ask_save_discard_cancel("Save the changes to this scenario before closing it?")
        if answer == "save":
            if not self.save():
                return False
            if self.saving is not None:  # a large scenario: still being written
                self._after_save(retry)
                return False
            return True
        return answer == "discard"

    def new_scenario(self) -> None:
        if self.maybe_save(retry=self.new_scenario):
            self.start_blank()

    # ----- name, notes, New and the example (issue 13) ------------------------------------
    def _render_title(self, state: WindowState) -> None:
        """The scenario's own name titles the window; the example says that it is one."""
        example = self.showing_example()
        scenario = state.scenario
        name = scenario.name.strip() if scenario is not None and scenario.name else ""
        if example:
            title = "Example scenario: a made-up charity"
        else:
            title = name or (state.path.name if state.path else "Untitled")
            if name and state.path:
                title = f"{name} ({state.path.name})"
        self.setWindowTitle(f"{title}[*] — {APP_NAME} {__version__}")
        self.setWindowModified(state.modified)
        self.form.show_example_banner(example)

    def showing_example(self) -> bool:
        """Whether the built-in example (or an unsaved edit of it that kept its name) is shown."""
        scenario = self.state.scenario
        return (self.state.path is None and scenario is not None
                and bool(scenario.name) and scenario.name == example_name())

    def load_example(self) -> None:
        self.load(load_scenario(example_scenario_path()), None)

    def start_blank(self, name: str = "") -> None:
        """A new scenario with blank amounts the user must fill in: none of the example's
        figures can decide a verdict unnoticed.  Nothing runs until the amounts are in."""
        self.runner.cancel()
        self.state.path = None
        self.undo_stack.clear()
        base = scenario_from_dict(blank_base())  # what Undo goes back to
        self._applying = True
        try:
            self.form.set_scenario(base)
            self.form.show_blank(blank_data(name))
        finally:
            self._applying = False
        # No results until the amounts are in: the last scenario's would look like this one's.
        self.state.update(scenario=base, results=None, invalid=False, unsaved_edits=False, note="")
        panel = self.results_panel
        panel.results = None
        panel._shown = None
        panel.table.setRowCount(0)
        panel.canvas._shown = None
        panel.canvas._placeholder()
        panel.canvas.setAccessibleDescription("")
        panel._set_level("stale")
        panel.headline.setText(BLANK_HEADLINE)
        panel.headline.setAccessibleName(BLANK_HEADLINE)
        self.settle_now()  # marks the empty amounts "Required"
        self.undo_stack.setClean()
        self.state.update(note="")
        panel.set_status("")  # the headline says what to do

    def _scroll_tab_pages(self) -> None:
        """Each results tab scrolls when the window is smaller than it needs (a 1024 x 768
        projector, 150% scaling), so nothing is cut off and the window never has to be
        larger than the screen; the panels themselves are unchanged."""
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is None or isinstance(page, QScrollArea):
                continue
            title, tip = self.tabs.tabText(index), self.tabs.tabToolTip(index)
            self.tabs.removeTab(index)
            area = QScrollArea()
            area.setObjectName(f"scroll:{page.objectName() or index}")
            area.setWidgetResizable(True)
            area.setFrameShape(QFrame.Shape.NoFrame)
            area.setWidget(page)
            self.tabs.insertTab(index, area, title)
            self.tabs.setTabToolTip(index, tip)
        self.tabs.setCurrentIndex(0)

    def _build_help_menu(self, help_menu) -> None:
        self._action(help_menu, "&How to read the results", self.show_reading_help,
                     QKeySequence.StandardKey.HelpContents, "help_reading")
        self._action(help_menu, "&Start again...", self.start_again, None, "start_again")
        help_menu.addSeparator()

    def show_reading_help(self) -> None:
        from .help_dialog import show_help

        self.help_dialog = show_help(self)

    def start_again(self) -> None:
        """Help > Start again: the first-start choice, asked again."""
        from .start import offer_start

        offer_start(self)

    def open_dialog(self) -> None:
        if not self.maybe_save(retry=self.open_dialog):
            return
        path = self.prompts.ask_open_path("Open scenario", self._folder(), FILE_FILTER)
        if path is not None:
            self.open_path(path)

    def open_path_checked(self, name: str) -> None:
        if self.maybe_save(retry=partial(self.open_path_checked, name)):
            self.open_path(Path(name))

    def open_path(self, path: Path) -> bool:
        path = absolute(path)
        stamp = FileStamp.of(path)  # before reading: a change during the read is seen at Save
        warnings: list = []  # unknown keys that look like a known one mistyped
        try:
            scenario = load_scenario(path, warnings)
        except ScenarioError as error:
            data = error.data
            if fixable(error.problems) and isinstance(data, dict) and self._ask_to_fix(path, error.problems):
                return self._open_to_fix(data, path, stamp)
            self.show_problems(f"{path.name} could not be opened", error.problems)
            return False
        self.load(scenario, path)
        self._stamp = stamp
        self._remember(path)
        if warnings:  # the file opened, but a value the user meant may not be used: say so
            more = f" (and {len(warnings) - 1} more such keys)" if len(warnings) > 1 else ""
            self.show_status(f"{path.name}: {warnings[0]}{more}")
        return True

    def _ask_to_fix(self, path: Path, problems: Sequence[str]) -> bool:
        shown = "\n".join(problems[:8]) + (f"\n... and {len(problems) - 8} more" if len(problems) > 8 else "")
        return self.prompts.ask_yes_no(
            f"{path.name} has values to correct before it can be simulated:\n\n{shown}"
            "\n\nOpen it anyway, with those fields marked, so you can correct them?",
            yes="Open", no="Cancel", default=True)

    def _file_base(self, data: dict) -> Scenario | None:
        """A valid scenario to show a file's values over, for a file that does not validate:
        the form's inputs from the scenario on screen (the file's own go over them), all the
        rest (name, notes, unknown keys, budget lines) from the file, so that saving the
        corrected file keeps what is its own rather than the previous scenario's."""
        current = self.scenario
        if current is None:
            return None
        ours = scenario_to_dict(current)
        for only_unknown in (False, True):  # budget lines may not fit our horizon: then less
            try:
                return scenario_from_dict(_outside_form(ours, data, only_unknown=only_unknown))
            except ScenarioError:
                continue
        return current

    def _open_to_fix(self, data: dict, path: Path, stamp: FileStamp | None = None) -> bool:
        """Show a file whose values are out of range in the form, marked, as unsaved work on
        that file: the finance lead corrects it in the app instead of editing JSON by hand."""
        base = self._file_base(data)
        if base is None:
            return False
        self.load(base, path)
        self._stamp = stamp
        self.form.show_data(data)
        self.settle_now()  # marks the fields and says why; nothing runs until it is valid
        self.undo_stack.resetClean()  # what is on screen is not what the file holds
        self._sync_modified()
        self._remember(path)
        return True

    def show_problems(self, title: str, problems: Sequence[str]) -> None:
        self.prompts.show_problems(title, problems)

    def _folder(self) -> str:
        return str(self.path.parent) if self.path else str(Path.home())

    @property
    def saving(self) -> Path | None:
        """The file a save is writing on the worker thread now, or None."""
        return self._saving.path if self._saving is not None else None

    def save(self) -> bool:
        """Save to the open file (Save As when there is none).  True when saved, or, for a
        scenario too large to write without freezing the window, being saved (``saving``)."""
        if self._saving is not None:  # one save at a time: this one follows it
            self._saving.again = True
            self.show_status(f"Still saving {self._saving.path.name}; your newer changes are "
                             "saved when it has finished.")
            return True
        if self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_as(self) -> bool:
        if self._saving is not None:
            self.prompts.show_info(f"{self._saving.path.name} is still being saved. Please choose "
                                   "Save As again when it has finished.")
            return False
        suggested = str(self.path or Path(self._folder()) / "scenario.json")
        path = self.prompts.ask_save_path("Save scenario", suggested, FILE_FILTER)
        if path is None:
            return False
        path = absolute(path)
        if path.suffix.lower() != ".json":
            # The dialog asked about replacing the name as typed, not this one: ask here.
            path = path.with_name(path.name + ".json")
            if path.exists() and path != self.path and not self._replace_ok(path):
                return False
        return self.save_to(path)

    def _replace_ok(self, path: Path) -> bool:
        return self.prompts.ask_yes_no(f"{path.name} already exists in {path.parent}.\n\nReplace it?",
                                       yes="Yes", no="No", default=False)

    def save_to(self, path: Path, check_disk: bool = True) -> bool:
        """Save the form to ``path``.  When ``path`` is the open file and it changed on disk
        since it was opened or last saved (``check_disk``), ask first.

        A scenario that takes more than a few milliseconds to serialise (big unknown keys) is
        serialised and written on a worker thread (``saving`` until it ends) and True returned
        at once; the window stays usable, and only what was written is marked saved."""
        path = absolute(path)
        if self._saving is not None:
            self.prompts.show_info(f"{self._saving.path.name} is still being saved. Please try "
                                   "again when it has finished.")
            return False
        self._debounce.stop()
        scenario, problems = self.form.scenario()
        if scenario is None:
            self.show_problems("Please fix these before saving", problems)
            return False
        if scenario != self.scenario and self.scenario is not None:
            scenario = share_unknown_parts(self.scenario, scenario)
            self.undo_stack.push(_Edit(self, self.scenario, scenario))
        self.state.scenario, self.state.invalid = scenario, False
        known = self._stamp if check_disk and path == self.path else None
        job = _Save(path, self._edits)
        write = partial(write_scenario_file, scenario, path, known, save_scenario)
        if is_small_data(scenario_to_dict(scenario)):  # a few milliseconds: at once, as before
            return self._saved(job, write())
        self._saving = job
        self.show_status(f"Saving {path.name}...")
        self.save_runner.start(once(write))
        return True

    def _saved(self, job: _Save, outcome: SaveOutcome) -> bool:
        """A save has ended (here or on the worker thread): mark what was written as saved,
        or say why nothing was; then whatever waited for it."""
        self._saving = None
        path = job.path
        retry, job.retry = job.retry, None
        if outcome.busy:
            self.prompts.show_error(f"Could not save {path.name} in {path.parent}: {outcome.busy}. "
                                    "Nothing was written; try again in a moment.")
        elif outcome.error:
            self.prompts.show_error(f"Could not save {path.name} in {path.parent}: {outcome.error}."
                                    " The file on disk was not changed.")
        elif outcome.changed:
            answer = self.prompts.ask_changed_on_disk(
                f"{path.name} has been changed on disk since you opened or last saved it, "
                "perhaps in another window or by another program.\n\nSave anyway replaces those "
                "changes with what is on screen (the file as it is now is kept as "
                f"{path.name}.bak). Save as keeps both.")
            done = False
            if answer == "save":
                done = self.save_to(path, check_disk=False)
            elif answer == "save_as":
                done = self.save_as()
            self._then(retry, done)
            return done
        if not outcome.written:
            if retry is not None:
                self.show_status(f"{path.name} was not saved, so the window stays as it is.")
            return False
        self.state.path = path
        self._stamp = outcome.stamp
        if self._edits == job.edits:
            self.undo_stack.setClean()
        else:  # edited, undone or redone while it was written: that work is not on disk
            self.undo_stack.resetClean()
        self._remember(path)
        self._sync_modified()
        self.show_status(f"Saved {path.name}")
        if job.again and self.is_modified():
            self.save()
        self._then(retry, True)
        return True

    def _then(self, retry: Callable[[], Any] | None, done: bool) -> None:
        if retry is None:
            return
        if self._saving is not None:  # another save began (Save anyway): wait for that one
            self._after_save(retry)
        elif done:
            QTimer.singleShot(0, retry)  # after this save's own signal handling

    def _after_save(self, retry: Callable[[], Any] | None) -> None:
        """Do ``retry`` once the save being written succeeds; say so meanwhile."""
        assert self._saving is not None
        name = self._saving.path.name
        if retry is None:
            self.show_status(f"Saving {name}; please try again when it has finished.")
            return
        self._saving.retry = retry
        if retry == self.close:
            self.show_status(f"Waiting for {name} to be saved; the window closes when it is done.")
        else:
            self.show_status(f"Saving {name}; carrying on when it is saved.")

    def _count_edit(self, _index: int) -> None:
        self._edits += 1

    def _on_save_finished(self, outcome: SaveOutcome) -> None:
        if self._saving is not None:
            self._saved(self._saving, outcome)

    def _on_save_failed(self, message: str) -> None:
        if self._saving is not None:
            job = self._saving
            self._saved(job, SaveOutcome(job.path, error=message))

    # ----- import a cash-flow forecast ---------------------------------------------------
    def import_forecast(self) -> None:
        """File > Import cash-flow forecast: read the file (only read), show what it becomes,
        and on Import put its lines in the scenario as one undoable edit."""
        if self._debounce.isActive():  # an edit still settling: take it first
            self.settle_now()
        if self.state.invalid or self.scenario is None:
            self.prompts.show_info("Please fix the values marked in red before importing a forecast.")
            return
        path = self.prompts.ask_open_path("Import cash-flow forecast", self._folder(), FORECAST_FILTER)
        if path is None:
            return
        try:
            forecast = read_forecast(path)
        except ForecastError as error:
            self.prompts.show_error(f"{path.name} cannot be imported: {error.message}. "
                                    "Your file was not changed.")
            return
        except OSError as error:
            self.prompts.show_error(f"{path.name} cannot be opened: {error.strerror or error}.")
            return
        dialog = ImportPreviewDialog(forecast, path.name, self)
        dialog.setObjectName("import_preview")
        dialog.summary.setText(self._import_summary(forecast, path.name))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._import_chosen(forecast))
        self.import_dialog = dialog  # for tests: the preview on screen
        dialog.open()  # window-modal, without a nested event loop

    def _import_summary(self, forecast: ForecastImport, name: str) -> str:
        incomes = sum(1 for line in forecast.lines if line["kind"] == "income")
        text = (f"From {name}, sheet '{forecast.sheet}': {forecast.months} months starting "
                f"{forecast.month_label(1)}, which becomes month 1. {incomes} income and "
                f"{len(forecast.lines) - incomes} cost lines. ")
        have = len(self.scenario.organisation.budget) if self.scenario is not None else 0
        if have:
            text += (f"You have {have} budget lines: after Import you choose whether these replace "
                     "them or are added to them. ")
        else:
            text += ("They become your budget, so other income and core costs are set to £0 "
                     "(the forecast holds them). ")
        if forecast.opening_balance is not None:
            text += "You will be asked whether its opening balance becomes your free reserves. "
        return text + "Contracts are kept; your file is not changed."

    def _import_chosen(self, forecast: ForecastImport) -> None:
        before = self.scenario
        if before is None:
            return
        add = False
        if before.organisation.budget:
            add = not self.prompts.ask_yes_no(
                f"This scenario already has {len(before.organisation.budget)} budget lines. Replace "
                f"them with the forecast's {len(forecast.lines)} lines?\n\nYes replaces them (and sets "
                "other income and core costs to £0, as the forecast holds them). No adds the "
                "forecast's lines to those you have.", yes="Yes", no="No", default=True)
        take = False
        if forecast.opening_balance is not None:
            take = self.prompts.ask_yes_no(
                f"The forecast opens with a balance of £{forecast.opening_balance:,.0f}. Use it as "
                f"your free reserves today (now £{before.organisation.opening_reserves:,.0f})?",
                yes="Yes", no="No", default=True)
        try:
            after = scenario_from_dict(scenario_to_dict(
                imported_scenario(before, forecast, add=add, take_opening_balance=take)))
        except (ValueError, ScenarioError) as error:
            problems = error.problems if isinstance(error, ScenarioError) else [str(error)]
            self.show_problems("The forecast could not be imported", [str(p) for p in problems])
            return
        self.undo_stack.push(_Edit(self, before, after))  # one step: Undo takes every line away
        self.apply_scenario(after)
        self.statusBar().showMessage(f"Imported {len(forecast.lines)} budget lines", 10_000)

    # ----- exports -----------------------------------------------------------------------
    def _export_target(self, title: str, suffix: str, kind: str) -> Path | None:
        if self.state.results is None:
            self.prompts.show_info("There are no results to export yet.")
            return None
        stem = self.path.stem if self.path else "charityrisk"
        suggested = str(Path(self._folder()) / f"{stem}-report{suffix}" if suffix == ".pdf"
                        else Path(self._folder()) / f"{stem}-figures{suffix}")
        path = self.prompts.ask_save_path(title, suggested, f"{kind} (*{suffix})")
        if path is None:
            return None
        path = absolute(path)
        added = path.suffix.lower() != suffix
        if added:
            path = path.with_name(path.name + suffix)
        if self.path is not None and _same_file(path, self.path):
            self.prompts.show_error(f"{path.name} is the scenario open in this window: a report "
                                    "cannot replace it. Choose another name.")
            return None
        if path.exists() and not path.is_file():
            self.prompts.show_error(f"Cannot export to {path.name}: it is not a regular file "
                                    "(a folder, a device or a named pipe). Choose another name.")
            return None
        # The dialog asked about replacing the name as typed; with the extension added, ask here.
        if added and path.exists() and not self._replace_ok(path):
            return None
        return path

    def _results_match_form(self) -> bool:
        """False when the results on screen are not for what the form now says; then ask."""
        if self.state.results is None:
            return True
        current, _ = self.form.scenario()
        if current is not None and current == self.results_scenario:
            return True
        return self.prompts.ask_yes_no(
            "The results on screen are for an earlier version of the scenario "
            "(the form has changed since, or has a value to fix). Export those results anyway?",
            yes="Yes", no="Cancel", default=False)

    def export_report(self) -> None:
        """The trustees' PDF of the results on screen, with the goal seeks if they are current."""
        if not self._results_match_form():
            return
        path = self._export_target("Export the trustees' report", ".pdf", "PDF documents")
        shown = self.state.results  # the results on screen when the user chose the file
        if path is None or shown is None:
            return
        scenario, results = shown.scenario, shown.results
        # The decision tools' answers join the board pack only if computed for these inputs.
        analysis = self.state.answer_for("analysis", scenario)
        comparison = self.state.answer_for("comparison", scenario)
        variants = self.variants_panel.comparison_for(scenario)
        self._export(path, lambda: write_report(scenario, path, results=results, analysis=analysis,
                                                comparison=comparison, variants=variants))

    def export_csv(self) -> None:
        if not self._results_match_form():
            return
        path = self._export_target("Export the figures", ".csv", "CSV files")
        shown = self.state.results
        if path is not None and shown is not None:
            scenario, results = shown.scenario, shown.results
            variants = self.variants_panel.comparison_for(scenario)
            self._export(path, lambda: write_csv(scenario, results, path, variants=variants))

    def _export(self, path: Path, write) -> None:
        def steps():
            yield (0, 1)
            write()
            return path
        self.export_runner.start(steps)

    def _on_exported(self, path: Path) -> None:
        self.statusBar().showMessage(f"Saved {path}", 10_000)
        self.exported.emit(path)

    def _on_export_failed(self, message: str) -> None:
        self.prompts.show_error(f"Could not export: {message}. Nothing was overwritten.")

    def show_about(self) -> None:
        self.prompts.show_about(f"About {APP_NAME}", (
            f"<b>{APP_NAME} {__version__}</b><p>Cash-flow risk of Payment by Results contracts for "
            "small charities.</p><p>Everything runs on this computer: CharityRisk makes no network "
            "connection and nothing you enter leaves it.</p>"))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save(retry=self.close):  # a save still being written: closes after it
            event.ignore()
            return
        self.runner.shutdown()
        self.decisions_panel.shutdown()
        self.variants_panel.shutdown()
        self.export_runner.shutdown()
        self.save_runner.shutdown()
        if self.recovery is not None:  # saved or discarded: nothing to recover
            self.recovery.finish()
        event.accept()
