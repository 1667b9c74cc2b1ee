"""File > Export: the trustees' PDF and the figures as CSV, of the results on screen, drawn
off the GUI thread (a board pack takes a second)."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from ..model import ScenarioError
from ..report.export import write_csv
from ..report.pdf import write_report
from .document import ScenarioDocument
from .faults import fault_text, named_problems
from .filesafety import absolute
from .form import ScenarioForm
from .worker import Runner


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

    def export_report(self) -> None:
        """The trustees' PDF of the results on screen, with the goal seeks if they are current."""
        if not self._results_match_form():
            return
        path = self._target("Export the trustees' report", ".pdf", "PDF documents")
        shown = self.state.results  # the results on screen when the user chose the file
        if path is None or shown is None:
            return
        scenario, results = shown.scenario, shown.results
        # The decision tools' answers join the board pack only if computed for these inputs.
        analysis = self.state.answer_for("analysis", scenario)
        comparison = self.state.answer_for("comparison", scenario)
        variants = self.variants.comparison_for(scenario)
        self._export(path, lambda: write_report(scenario, path, results=results, analysis=analysis,
                                                comparison=comparison, variants=variants))

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
        self.runner.start(steps)

    def _on_exported(self, path: Path) -> None:
        self._status(f"Saved {path}")
        self._exported(path)

    def _on_errored(self, error: BaseException) -> None:
        if isinstance(error, OSError):  # the folder or the disk, not the app
            self.prompts.show_error(f"Could not export: {error.strerror or error}. Nothing was overwritten.")
        elif isinstance(error, ScenarioError):  # figures the report cannot hold
            self.prompts.show_error(f"Could not export: {named_problems(error.problems)}. Nothing was overwritten.")
        else:
            self.prompts.show_error(fault_text("exporting", error))
