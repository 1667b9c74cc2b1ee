"""File > Export: the trustees' PDF and the figures as CSV, of the results on screen, made
off the GUI thread.  The board pack is the command line's (``charityrisk report``): the same
code works out what it needs beyond the results, with progress and Cancel."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QProgressDialog, QWidget

from ..model import ScenarioError
from ..report.export import write_csv
from ..report.pdf import pack_steps, write_report
from .document import ScenarioDocument
from .faults import fault_text, named_problems
from .filesafety import absolute
from .form import ScenarioForm
from .worker import Runner

PACK_STEPS = 1000  # the progress dialog's steps for working out; one more for drawing the pages
PACK_PROGRESS = ("Preparing the board pack on the same futures as the results on screen: what would "
                 "make it safe, what drives the risk and other payment structures...")
PACK_DIALOG_WIDTH = 460


def same_file(a: Path, b: Path) -> bool:
    """One file, whatever the spelling (a link, a hard link, another case on Windows)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return absolute(a) == absolute(b)


class Exports(QObject):
    """``exported`` is told the path of each report or CSV written; ``status`` says it."""

    def __init__(self, document: ScenarioDocument, form: ScenarioForm, variants: Any,
                 exported: Callable[[Path], None], status: Callable[[str], None], parent: QObject | None = None):
        super().__init__(parent)
        self.document, self.form, self.variants = document, form, variants
        self._exported, self._status = exported, status
        self.state, self.prompts = document.state, document.prompts
        self.runner = Runner(self)
        self.runner.finished.connect(self._on_exported)
        self.runner.errored.connect(self._on_errored)
        self.runner.progress.connect(self._on_progress)
        self.runner.cancelled.connect(self._on_cancelled)
        self.progress_dialog: QProgressDialog | None = None

    def export_report(self) -> None:
        """The trustees' PDF of the results on screen: the same pack as ``charityrisk report``
        for the same scenario, seed and futures.  What it needs beyond the results (what would
        make it safe, what drives the risk, the payment structures and variants compared) is
        worked out off the window's thread, with progress and Cancel; the answers already on
        screen are used where they are the same (report.pdf.pack_steps)."""
        if not self._results_match_form():
            return
        path = self._target("Export the trustees' report", ".pdf", "PDF documents")
        shown = self.state.results  # the results on screen when the user chose the file
        if path is None or shown is None:
            return
        scenario, results = shown.scenario, shown.results
        analysis = self.state.answer_for("analysis", scenario)
        comparison = self.state.answer_for("comparison", scenario)
        variants = self.variants.comparison_for(scenario)

        def steps():
            parts = yield from pack_steps(scenario, results, analysis=analysis, comparison=comparison,
                                          variants=variants)
            yield (PACK_STEPS, PACK_STEPS + 1)  # a last cancel point: nothing is written yet
            write_report(scenario, path, results=results, analysis=parts.analysis,
                         comparison=parts.comparison, variants=parts.variants)
            return path
        self._show_progress()
        self.runner.start(steps)

    def _show_progress(self) -> None:
        """A progress dialog with Cancel for the board pack; it closes when the export ends."""
        owner = self.parent()
        parent = owner if isinstance(owner, QWidget) else None
        dialog = QProgressDialog(PACK_PROGRESS, "Cancel", 0, PACK_STEPS + 1, parent)
        label = QLabel(PACK_PROGRESS)
        label.setWordWrap(True)  # a sentence, not a dialog as wide as the screen
        dialog.setLabel(label)
        dialog.setMinimumWidth(PACK_DIALOG_WIDTH)
        dialog.setObjectName("export_progress")
        dialog.setWindowTitle("Export board pack")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        dialog.canceled.connect(self.runner.cancel)
        self._close_progress()
        self.progress_dialog = dialog

    def _close_progress(self) -> None:
        dialog, self.progress_dialog = self.progress_dialog, None
        if dialog is not None:
            dialog.canceled.disconnect(self.runner.cancel)  # closing it says "canceled" too
            dialog.close()
            dialog.deleteLater()

    def _on_progress(self, done: int, total: int) -> None:
        if self.progress_dialog is not None and total > 0:
            self.progress_dialog.setValue(min(PACK_STEPS, PACK_STEPS * done // total))

    def _on_cancelled(self) -> None:
        cancelled = self.progress_dialog is not None
        self._close_progress()
        if cancelled:
            self._status("Board pack not exported: cancelled, and nothing was written.")

    def export_csv(self) -> None:
        if not self._results_match_form():
            return
        path = self._target("Export the figures", ".csv", "CSV files")
        shown = self.state.results
        if path is not None and shown is not None:
            scenario, results = shown.scenario, shown.results
            variants = self.variants.comparison_for(scenario)
            self._export(path, lambda: write_csv(scenario, results, path, variants=variants))

    def _target(self, title: str, suffix: str, kind: str) -> Path | None:
        if self.state.results is None:
            self.prompts.show_info("There are no results to export yet.")
            return None
        open_path = self.document.path
        stem = open_path.stem if open_path else "charityrisk"
        folder = Path(self.document.folder())
        suggested = str(folder / f"{stem}-report{suffix}" if suffix == ".pdf" else folder / f"{stem}-figures{suffix}")
        path = self.prompts.ask_save_path(title, suggested, f"{kind} (*{suffix})")
        if path is None:
            return None
        path = absolute(path)
        added = path.suffix.lower() != suffix
        if added:
            path = path.with_name(path.name + suffix)
        if open_path is not None and same_file(path, open_path):
            self.prompts.show_error(f"{path.name} is the scenario open in this window: a report "
                                    "cannot replace it. Choose another name.")
            return None
        if path.exists() and not path.is_file():
            self.prompts.show_error(f"Cannot export to {path.name}: it is not a regular file "
                                    "(a folder, a device or a named pipe). Choose another name.")
            return None
        # The dialog asked about replacing the name as typed; with the extension added, ask here.
        if added and path.exists() and not self.document.replace_ok(path):
            return None
        return path

    def _results_match_form(self) -> bool:
        """False when the results on screen are not for what the form now says; then ask."""
        if self.state.results is None:
            return True
        current, _ = self.form.scenario()
        if current is not None and current == self.state.results_scenario:
            return True
        return self.prompts.ask_yes_no(
            "The results on screen are for an earlier version of the scenario "
            "(the form has changed since, or has a value to fix). Export those results anyway?",
            yes="Yes", no="Cancel", default=False)

    def _export(self, path: Path, write: Callable[[], Any]) -> None:
        def steps():
            yield (0, 1)
            write()
            return path
        self._close_progress()  # a board pack still being worked out is superseded: its dialog goes
        self.runner.start(steps)

    def _on_exported(self, path: Path) -> None:
        self._close_progress()
        self._status(f"Saved {path}")
        self._exported(path)

    def _on_errored(self, error: BaseException) -> None:
        self._close_progress()
        if isinstance(error, OSError):  # the folder or the disk, not the app
            self.prompts.show_error(f"Could not export: {error.strerror or error}. Nothing was overwritten.")
        elif isinstance(error, ScenarioError):  # figures the report cannot hold
            self.prompts.show_error(f"Could not export: {named_problems(error.problems)}. Nothing was overwritten.")
        else:
            self.prompts.show_error(fault_text("exporting", error))
