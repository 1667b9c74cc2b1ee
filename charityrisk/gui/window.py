"""The main window: scenario form on the left, live results on the right, and the menus.

The window lays the parts out and wires them; the work is theirs: the file (``document``,
no Qt), the runs (``runs``), the exports, the forecast import and the menus.  It changes
``self.state`` and the views render from it; every question goes through ``self.prompts``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QUndoStack
from PySide6.QtWidgets import QMainWindow, QScrollArea, QSplitter, QStyle, QTabWidget

from .. import APP_NAME, __version__
from ..model import Problem, Scenario, ScenarioError, load_scenario, scenario_from_dict, scenario_to_dict
from ..resources import example_scenario_path
from .decisions_panel import DecisionsPanel
from .document import ScenarioDocument
from .document import fixable as fixable  # where tests and older callers look for it
from .edits import Edit, blank_base, blank_data, share_unknown_parts, showing_example, window_title
from .exports import Exports
from .filesafety import SaveOutcome, shown
from .focus_ring import add_focus_ring
from .form import ScenarioForm
from .importing import ForecastImporter
from .menus import build_menus, fill_recent
from .monthly_panel import MonthlyPanel
from .parts import scrolling
from .prompts import Prompts
from .recovery import Document, RecoveryManager
from .results_panel import ResultsPanel
from .runs import Runs
from .screen import fit_to_screen
from .state import WindowState
from .undo_keys import UndoKeys
from .variants_panel import VariantsPanel
from .worker import Runner, once

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
UNDO_LIMIT = 200  # steps kept: each holds a whole scenario (unknown keys shared between steps)
STATUS_MS = 15_000
DONE_MS = 10_000  # "Saved ...", "Imported ...": shorter than a word on the work's safety


class MainWindow(QMainWindow):
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
        self._build_panels()
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)  # only possible while the stack is empty
        self.undo_stack.cleanChanged.connect(self._sync_modified)

        self.document = ScenarioDocument(self.state, self.prompts, self.settings, self)
        self.undo_stack.indexChanged.connect(self.document.count_edit)
        d = self.document  # the file's actions, under the names the menus, main and tests use
        self.open_path, self.open_path_checked, self.open_dialog = d.open_path, d.open_path_checked, d.open_dialog
        self.save, self.save_as, self.save_to = d.save, d.save_as, d.save_to
        self.save_runner = Runner(self)  # a large scenario is serialised and written there
        self.save_runner.finished.connect(d.save_finished)
        self.save_runner.errored.connect(d.save_errored)
        self.runs = Runs(self.state, self.form, self.results_panel, self.prompts, self.results_shown.emit, self)
        self.runner = self.runs.runner
        self.exports = Exports(d, self.form, self.variants_panel, self.exported.emit, self._say_done, self)
        self.export_runner = self.exports.runner
        self.export_report, self.export_csv = self.exports.export_report, self.exports.export_csv
        self.importer = ForecastImporter(self, self.state, self.prompts, d.folder, self._settle_pending,
                                         self.change_scenario)
        self.import_forecast = self.importer.start
        self.state.subscribe(self._render)

        self._debounce = QTimer(self, singleShot=True, interval=EDIT_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._settle_edit)
        self.form.edited.connect(self._on_edited)
        self.variants_panel.settle = self.settle_now
        self.variants_panel.change_requested.connect(self.change_scenario)

        self.recent_menu = build_menus(self)
        self.undo_keys = UndoKeys(self, self.undo_stack, self.settle_now)  # Ctrl+Z in a field too
        self.recent_files_changed()
        self.setStyleSheet(FOCUS_STYLE)
        self._sync_modified()

    def _build_panels(self) -> None:
        self.form = ScenarioForm()
        self.results_panel = ResultsPanel()
        self.decisions_panel = DecisionsPanel(state=self.state, prompts=self.prompts)
        self.monthly_panel = MonthlyPanel()
        self.variants_panel = VariantsPanel(state=self.state, prompts=self.prompts)  # issue 13: variants
        self.tabs = QTabWidget()
        self.tabs.setObjectName("results_tabs")
        add_focus_ring(self.tabs.tabBar())  # the style draws none on a tab bar (issue 13)
        for panel, title in ((self.results_panel, "Risk of running out"),
                             (self.decisions_panel, "What would make it safe"),
                             (self.monthly_panel, "Month by month"),
                             (self.variants_panel, "Try different terms")):
            self.tabs.addTab(scrolling(panel, self.tabs.count()), title)
        self.tabs.currentChanged.connect(lambda _: self.monthly_panel.fill_if_shown())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.form)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)
        fit_to_screen(self)  # sized to the screen it opens on (issue 13), not a fixed 1440 x 900
        splitter.setSizes(self._pane_widths(self.width()))

    def _pane_widths(self, width: int) -> list[int]:
        """The form 480 pixels wide, or narrower (never below what its fields need) so that the
        four tab titles fit beside it: at 1024 x 768 they need about 570 of the 544 left."""
        titles = self.tabs.tabBar().sizeHint().width() + 2 * self.tabs.style().pixelMetric(
            QStyle.PixelMetric.PM_DefaultFrameWidth) + 8
        form = max(self.form.minimumWidth(), min(480, width - titles))
        return [form, max(width - form, 1)]

    # ----- what is on screen -------------------------------------------------------------
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

    @property
    def saving(self) -> Path | None:
        """The file a save is writing on the worker thread now, or None."""
        return self.document.saving

    @property
    def import_dialog(self) -> Any:
        return self.importer.dialog

    def is_modified(self) -> bool:
        return self.state.modified

    def recent_files(self) -> list[str]:
        return self.document.recent_files()

    def folder(self) -> str:
        """Where a file dialog starts: the open file's folder, else the home folder."""
        return self.document.folder()

    def _sync_modified(self) -> None:
        """Bring the state's unsaved flag in line with the undo stack, then redraw from it."""
        self.state.update(unsaved_edits=not self.undo_stack.isClean())

    def _render(self, state: WindowState) -> None:
        self._render_title(state)
        self.results_panel.render_state(state)
        self.decisions_panel.render_state(state)
        self.monthly_panel.render_state(state)

    def _render_title(self, state: WindowState) -> None:
        self.setWindowTitle(f"{window_title(state)}[*] — {APP_NAME} {__version__}")
        self.setWindowModified(state.modified)
        self.form.show_example_banner(showing_example(state))

    def showing_example(self) -> bool:
        return showing_example(self.state)

    # ----- edits -------------------------------------------------------------------------
    @contextmanager
    def _showing(self):
        """The form is being filled by the app, not typed in: no edit to settle."""
        self._applying = True
        try:
            yield
        finally:
            self._applying = False

    def apply_scenario(self, scenario: Scenario) -> None:
        """Show a scenario in the form (undo, redo, a change from elsewhere) and simulate it."""
        self._show(scenario)

    def _show(self, scenario: Scenario, **also: Any) -> None:
        """``also``: more of the state that changes with it (a file's path), told at once."""
        with self._showing():
            self.form.set_scenario(scenario)
        self.state.update(scenario=scenario, invalid=False, unsaved_edits=not self.undo_stack.isClean(), **also)
        self.run_simulation()

    def run_simulation(self) -> None:
        self.runs.run()

    def load(self, scenario: Scenario, path: Path | None) -> None:
        """Show ``scenario`` as the file at ``path`` (None: never saved), with no unsaved work."""
        self.document.load(scenario, path)

    def _on_edited(self) -> None:
        if not self._applying:
            self.state.update(note="Updating for your change...")
            self._debounce.start()

    def settle_now(self) -> None:
        """Take the form's pending edit now instead of after the typing pause."""
        self._debounce.stop()
        self._settle_edit()

    def _settle_pending(self) -> None:
        if self._debounce.isActive():  # an edit still settling: take it first
            self.settle_now()

    def _take_form(self) -> tuple[Scenario | None, list[Problem]]:
        """The form's scenario, taken as an undo step; None and why if a value needs fixing."""
        scenario, problems = self.form.scenario()
        if scenario is not None and self.scenario is not None and scenario != self.scenario:
            scenario = share_unknown_parts(self.scenario, scenario)
            self.undo_stack.push(Edit(self.apply_scenario, self.scenario, scenario))
        return scenario, problems

    def _settle_edit(self) -> None:
        scenario, problems = self._take_form()
        if scenario is None:
            self.runner.cancel()
            self.state.update(invalid=True, note=(
                "Results below are for the last complete scenario: fix the highlighted "
                f"field{'s' if len(problems) > 1 else ''} on the left to update them."))
            return
        self.state.update(scenario=scenario, invalid=False, unsaved_edits=not self.undo_stack.isClean())
        self.run_simulation()

    def change_scenario(self, after: Scenario, what: str = "") -> None:
        """A change made outside the form (the variants panel, an import), as one undoable step.
        When only the variants changed, the results on screen stay: they are for the same terms."""
        before = self.scenario
        if before is None:
            return
        self.undo_stack.push(Edit(self.apply_scenario, before, after))
        if after == before:  # Scenario equality leaves the variants out
            with self._showing():
                self.form.set_scenario(after)
            self.state.update(scenario=after, unsaved_edits=not self.undo_stack.isClean())
        else:
            self.apply_scenario(after)
        if what:
            self._say_done(what)

    # ----- the View the document drives (gui.document) -----------------------------------
    def show_scenario(self, scenario: Scenario, path: Path | None) -> None:
        self.undo_stack.clear()
        self._show(scenario, path=path)
        self.undo_stack.setClean()
        self._sync_modified()

    def show_edit(self, data: dict) -> None:
        try:
            self.form.set_scenario(scenario_from_dict(data))
        except ScenarioError:
            self.form.show_data(data)
        self._on_edited()  # taken as the user's edit (results marked stale)...
        self.settle_now()  # ...settled now rather than after the typing pause

    def settled_scenario(self) -> tuple[Scenario | None, list[Problem]]:
        self._debounce.stop()
        scenario, problems = self._take_form()
        if scenario is not None:
            self.state.update(scenario=scenario, invalid=False)
        return scenario, problems

    def set_clean(self, clean: bool) -> None:
        if clean:
            self.undo_stack.setClean()
        else:
            self.undo_stack.resetClean()
        self._sync_modified()

    def write_in_background(self, write: Callable[[], SaveOutcome]) -> None:
        self.save_runner.start(once(write))

    def later(self, action: Callable[[], Any]) -> None:
        QTimer.singleShot(0, action)

    def recent_files_changed(self) -> None:
        fill_recent(self.recent_menu, self.document.recent_files(), self.open_path_checked)

    # ----- recovery (the Recoverable protocol of gui.recovery) ----------------------------
    def current_document(self) -> Document:
        """The work on screen, valid or not, for the recovery file."""
        current = self.form.to_dict()
        if not self.state.invalid and not self._debounce.isActive():
            last_valid: dict | None = current  # the form shows the last valid scenario: kept once
        else:
            last_valid = scenario_to_dict(self.scenario) if isinstance(self.scenario, Scenario) else None
        return Document(scenario=current, last_valid=last_valid, original_path=self.path)

    def restore(self, document: Document) -> bool:
        return self.document.restore(document)

    def show_status(self, text: str) -> None:
        """A word on the work's safety (kept, saved, or not and why), in the status bar."""
        self.statusBar().showMessage(shown(text, one_line=True), STATUS_MS)  # a file name may hold a newline

    def _say_done(self, text: str) -> None:
        self.statusBar().showMessage(text, DONE_MS)

    def show_problems(self, title: str, problems: Sequence[str]) -> None:
        self.prompts.show_problems(title, problems)

    # ----- New, the example, the guided setup ---------------------------------------------
    def maybe_save(self, retry: Callable[[], Any] | None = None) -> bool:
        """True when it is fine to discard the current scenario now (see the document's)."""
        return self.document.maybe_save(retry, closing=retry == self.close)

    def new_scenario(self) -> None:
        if self.maybe_save(retry=self.new_scenario):
            self.start_blank()

    def load_example(self) -> None:
        self.load(load_scenario(example_scenario_path()), None)

    def show_new_work(self, scenario: Scenario) -> None:
        """The guided setup's scenario: shown as new work, saved nowhere yet."""
        self.load(scenario, None)
        self.set_clean(False)

    def start_blank(self, name: str = "") -> None:
        """A new scenario with blank amounts the user must fill in: none of the example's
        figures can decide a verdict unnoticed.  Nothing runs until the amounts are in."""
        self.runner.cancel()
        self.undo_stack.clear()
        base = scenario_from_dict(blank_base())  # what Undo goes back to
        with self._showing():
            self.form.set_scenario(base)
            self.form.show_blank(blank_data(name))
        # No results until the amounts are in: the last scenario's would look like this one's.
        self.state.update(scenario=base, path=None, results=None, invalid=False, unsaved_edits=False, note="")
        self.settle_now()  # marks the empty amounts "Required"
        self.undo_stack.setClean()
        self.state.update(note="")  # the headline says what to do

    # ----- the other tabs, help -----------------------------------------------------------
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

    def show_about(self) -> None:
        self.prompts.show_about(f"About {APP_NAME}", (
            f"<b>{APP_NAME} {__version__}</b><p>Cash-flow risk of Payment by Results contracts for "
            "small charities.</p><p>Everything runs on this computer: CharityRisk makes no network "
            "connection and nothing you enter leaves it.</p>"))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save(retry=self.close):  # a save still being written: closes after it
            event.ignore()
            return
        for runner in (self.runner, self.export_runner, self.save_runner):
            runner.shutdown()
        self.decisions_panel.shutdown()
        self.variants_panel.shutdown()
        if self.recovery is not None:  # saved or discarded: nothing to recover
            self.recovery.finish()
        event.accept()

