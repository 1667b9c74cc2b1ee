"""File > Import cash-flow forecast: read the file (only read), show what it becomes, and on
Import put its lines in the scenario as one undoable change."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ..model import Scenario, ScenarioError, scenario_from_dict, scenario_to_dict
from ..model.budget_import import imported_scenario
from ..model.forecast import ForecastError, ForecastImport
from ..report.formats import money
from .import_dialog import ImportPreviewDialog, read_in_background
from .prompts import FORECAST_FILTER, Prompts
from .state import WindowState


class ForecastImporter:
    """``settle`` takes an edit still being typed; ``change`` makes one undoable change and
    says what it was (the window's change_scenario)."""

    def __init__(self, parent: QWidget, state: WindowState, prompts: Prompts, folder: Callable[[], str],
                 settle: Callable[[], None], change: Callable[[Scenario, str], None]):
        self.parent, self.state, self.prompts = parent, state, prompts
        self.folder, self.settle, self.change = folder, settle, change
        self.dialog: ImportPreviewDialog | None = None  # the preview on screen (for tests)

    def start(self) -> None:
        self.settle()
        if self.state.invalid or self.state.scenario is None:
            self.prompts.show_info("Please fix the values marked in red before importing a forecast.")
            return
        path = self.prompts.ask_open_path("Import cash-flow forecast", self.folder(), FORECAST_FILTER)
        if path is None:
            return
        try:
            forecast = read_in_background(self.parent, path)  # off the window's thread, with progress and Cancel
        except ForecastError as error:
            self.prompts.show_error(f"{path.name} cannot be imported: {error.message}. "
                                    "Your file was not changed.")
            return
        except OSError as error:
            self.prompts.show_error(f"{path.name} cannot be opened: {error.strerror or error}.")
            return
        if forecast is None:  # cancelled
            return
        self._preview(forecast, path)

    def _preview(self, forecast: ForecastImport, path: Path) -> None:
        dialog = ImportPreviewDialog(forecast, path.name, self.parent)
        dialog.setObjectName("import_preview")
        dialog.summary.setText(self.summary(forecast, path.name))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.chosen(forecast))
        self.dialog = dialog
        dialog.open()  # window-modal, without a nested event loop

    def summary(self, forecast: ForecastImport, name: str) -> str:
        incomes = sum(1 for line in forecast.lines if line["kind"] == "income")
        text = (f"From {name}, sheet '{forecast.sheet}': {forecast.months} months starting "
                f"{forecast.month_label(1)}, which becomes month 1. {incomes} income and "
                f"{len(forecast.lines) - incomes} cost lines. ")
        scenario = self.state.scenario
        have = len(scenario.organisation.budget) if scenario is not None else 0
        if have:
            text += (f"You have {have} budget lines: after Import you choose whether these replace "
                     "them or are added to them. ")
        else:
            text += ("They become your budget, so other income and core costs are set to £0 "
                     "(the forecast holds them). ")
        if forecast.opening_balance is not None:
            text += "You will be asked whether its opening balance becomes your free reserves. "
        return text + "Contracts are kept; your file is not changed."

    def chosen(self, forecast: ForecastImport) -> None:
        before = self.state.scenario
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
                f"The forecast opens with a balance of {money(forecast.opening_balance)}. Use it as "
                f"your free reserves today (now {money(before.organisation.opening_reserves)})?",
                yes="Yes", no="No", default=True)
        try:
            after = scenario_from_dict(scenario_to_dict(
                imported_scenario(before, forecast, add=add, take_opening_balance=take)))
        except (ValueError, ScenarioError) as error:
            problems = error.problems if isinstance(error, ScenarioError) else [str(error)]
            self.prompts.show_problems("The forecast could not be imported", [str(p) for p in problems])
            return
        self.change(after, f"Imported {len(forecast.lines)} budget lines")  # Undo takes every line away
